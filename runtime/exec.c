/* Joining a running container, as crun's exec: a new process in the
 * namespaces of the container's init, with the process settings of the
 * container's config.json (as the exec asks to change them).
 *
 * A process is born in a pid namespace its parent joined for its children
 * (setns(CLONE_NEWPID) changes pid_for_children, never the caller's own
 * pid), and there is no way back: our own pid namespace belongs to the
 * initial user namespace, where we have no CAP_SYS_ADMIN to setns into it.
 * So a short-lived helper does it: the caller (a child subreaper for the
 * while) forks the helper, which joins the pid namespace, forks the
 * process, writes its pid to a pipe and exits; the process, orphaned,
 * becomes the caller's child. The caller's own later children are born
 * where they were (a monitor that runs healthchecks through exec must not
 * clone its next container inside the last one). The process joins the
 * other namespaces, sets itself up as the init does (process.c) and reports
 * over the sync socket, like the init (runtime.c follows it).
 *
 * The namespaces are named by the init's pidfd (setns(pidfd, flags), Linux
 * 5.8), which stays bound to the init whatever happens to its pid; before
 * 5.8 setns refuses a pidfd (EINVAL), and before 5.3 there is none: then
 * the init's /proc/PID/ns/ files are opened, and only used when the init
 * still is the process that started at its recorded start time once they
 * are open (a pid reused meanwhile names another start time). */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/sock.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"

/* A bound on the helper, which only joins a namespace and forks. */
#define RT_HELPER_TIMEOUT_MS 10000

/* The namespaces an exec joins: all but a time namespace (never made);
 * the user namespace when the container has its own (nested in burrow's,
 * where we are root: joining it needs nothing more). */
#define RT_EXEC_NS \
	(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWUSER)

void rt_exec_spec(struct rt_spec *s, const struct rt_exec_opts *o)
{
	strv_free(s->args);
	s->args = strv_dup(o->args);
	for (size_t i = 0; o->unset && o->unset[i] && s->env; i++) {
		size_t len = strlen(o->unset[i]), k = 0;
		for (size_t j = 0; s->env[j]; j++) {
			if (strncmp(s->env[j], o->unset[i], len) == 0 && s->env[j][len] == '=')
				free(s->env[j]);
			else
				s->env[k++] = s->env[j];
		}
		s->env[k] = NULL;
	}
	for (size_t i = 0; o->env && o->env[i]; i++)
		strv_env_set(&s->env, o->env[i]);
	if (o->cwd) {
		free(s->cwd);
		s->cwd = xstrdup(o->cwd);
	}
	bool same_user = !o->has_user || (o->uid == s->uid && o->gid == s->gid);
	if (o->has_user) {
		s->uid = o->uid;
		s->gid = o->gid;
	}
	if (o->has_groups) {
		/* set, even where the container keeps its caller's groups
		 * (keep_groups): runc's exec -u, which podman 4.3 runs */
		s->keep_groups = false;
		free(s->additional_gids);
		s->additional_gids = o->n_groups ? xcalloc(o->n_groups, sizeof(*o->groups)) : NULL;
		if (o->n_groups)
			memcpy(s->additional_gids, o->groups, o->n_groups * sizeof(*o->groups));
		s->n_additional_gids = o->n_groups;
	}
	if (o->privileged) {
		int last = rt_last_cap();
		s->has_caps = true;
		s->cap_bounding = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
		s->no_new_privileges = false;
		rt_seccomp_free(s->seccomp);
		s->seccomp = NULL;
	}
	if (!s->has_caps)
		return;
	/* as podman: root gets the whole bounding set; the container's own
	 * user what the container has; another user nothing */
	uint64_t eff = s->cap_effective & s->cap_bounding;
	s->cap_inheritable = s->cap_ambient = 0;
	if (s->uid == 0) {
		s->cap_effective = s->cap_permitted = s->cap_bounding;
	} else if (same_user) {
		s->cap_effective = s->cap_permitted = s->cap_inheritable = s->cap_ambient = eff;
	} else {
		s->cap_effective = s->cap_permitted = 0;
	}
}

/* The namespaces other than pid (the parent joined that one for us). */
static int join_namespaces(struct rt_init *ini, struct burrow_err **err)
{
	int join = ini->join & ~CLONE_NEWPID;
	if (ini->pidfd >= 0) {
		if (join && setns(ini->pidfd, join) < 0)
			return burrow_error(err, errno, "cannot join the container's namespaces");
		return 0;
	}
	const struct rt_spec *s = ini->spec;
	/* the user namespace first (it gives the rights over the others), the
	 * mount namespace last: it changes what paths mean */
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < s->n_namespaces; i++) {
			int flag = s->namespaces[i].flag;
			int want = flag == CLONE_NEWUSER ? 0 : flag == CLONE_NEWNS ? 2 : 1;
			if (ini->ns_fds[i] < 0 || !(join & flag) || want != pass)
				continue;
			if (setns(ini->ns_fds[i], flag) < 0)
				return burrow_error(err, errno, "cannot join the container's %s namespace",
				                    rt_ns_name(flag, false));
		}
	}
	return 0;
}

static int child_setup(struct rt_init *ini, struct burrow_err **err)
{
	const struct rt_spec *s = ini->spec;
	/* Nothing in the container may look into this process (its fds,
	 * its memory) while it still holds what the caller gave it: our mm
	 * belongs to the initial user namespace, so a non-dumpable process
	 * is out of reach for the container's root. exec makes the command
	 * dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return burrow_error(err, errno, "cannot make the exec process non-dumpable");
	int low = 3 + ini->preserve_fds;
	if (rt_take_stdio(ini, err) < 0)
		return -1;
	int keep[5 + 16];
	size_t n = 0;
	keep[n++] = ini->sync_fd;
	keep[n++] = ini->pidfd;
	for (int i = 0; i < 3; i++)
		keep[n++] = ini->terminal ? -1 : ini->stdio[i];
	for (size_t i = 0; i < s->n_namespaces && n < sizeof(keep) / sizeof(keep[0]); i++)
		keep[n++] = ini->ns_fds[i];
	/* the caller's fds, directories among them, must not be reachable
	 * through /proc/self/fd once we are in the container */
	if (rt_close_fds(low, keep, n, err) < 0)
		return -1;
	if (rt_session_keyring(ini->keyring, true, err) < 0)
		return -1;
	if (join_namespaces(ini, err) < 0)
		return -1;
	if (setsid() < 0)
		return burrow_error(err, errno, "cannot start a new session");
	if (ini->terminal) {
		cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			return burrow_error(err, errno, "cannot open the container's root");
		cleanup_close int master = rt_open_pty(root, &ini->pty_slave, err);
		if (master < 0)
			return -1;
		if (sock_send(ini->sync_fd, RT_MSG_FD, 0, master) < 0)
			return burrow_error(err, errno, "cannot send the pty to the parent");
	}
	return rt_process_setup(ini, err);
}

static int gone(const struct proc_ref *init, struct burrow_err **err)
{
	return burrow_error_status(err, ESRCH, "the container's init (pid %d) has exited", (int)init->pid);
}

/* Without a pidfd to join by: the init's namespace files, checked. */
static int open_ns_files(const struct proc_ref *init, const struct rt_spec *s, int join, int *fds,
                         struct burrow_err **err)
{
	for (size_t i = 0; i < s->n_namespaces; i++) {
		if (!(join & s->namespaces[i].flag))
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)init->pid, rt_ns_name(s->namespaces[i].flag, true));
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 && errno == ENOENT)
			return gone(init, err);
		if (fds[i] < 0)
			return burrow_error(err, errno, "cannot open '%s'", path);
	}
	/* opened while the init still was the process we mean */
	if (!proc_is(init->pid, init->start))
		return gone(init, err);
	return 0;
}

__attribute__((noreturn)) static void exec_child(struct rt_init *ini)
{
	struct burrow_err *err = NULL;
	rt_child_ready(ini, child_setup);
	/* as the user the command runs as; a missing one is 127, as for a
	 * command that is not there (podman's) */
	if (rt_enter_cwd(ini->spec->cwd, &err) < 0)
		rt_fail_exec(ini, err);
	rt_exec_process(ini);
}

/* The pid namespace, by the init's pidfd or its /proc/PID/ns/ files. */
static int join_pid_namespace(struct rt_init *ini, struct burrow_err **err)
{
	const struct rt_spec *s = ini->spec;
	if (ini->pidfd >= 0) {
		if (!(ini->join & CLONE_NEWPID) || setns(ini->pidfd, CLONE_NEWPID) == 0)
			return 0;
		if (errno == ESRCH)
			return gone(ini->init, err);
		if (errno != EINVAL)
			return burrow_error(err, errno, "cannot join the container's pid namespace");
		ini->pidfd = -1; /* before Linux 5.8 */
	}
	if (open_ns_files(ini->init, s, ini->join, ini->ns_fds, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (s->namespaces[i].flag == CLONE_NEWPID && ini->ns_fds[i] >= 0 &&
		    setns(ini->ns_fds[i], CLONE_NEWPID) < 0)
			return burrow_error(err, errno, "cannot join the container's pid namespace");
	return 0;
}

/* The helper (see the top): exits 0 once the process's pid is written. */
__attribute__((noreturn)) static void exec_helper(struct rt_init *ini)
{
	struct burrow_err *err = NULL;
	burrow_log_set_sink(sock_log_sink, &ini->sync_fd);
	if (join_pid_namespace(ini, &err) < 0)
		rt_fail(ini, err, 1);
	/* The process is in the container's pid namespace from its birth,
	 * before child_setup runs: born non-dumpable (the flag is the mm's,
	 * copied by the clone), the container's root cannot reach it through
	 * /proc/PID (its root, fds, memory) in the meantime. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		burrow_error(&err, errno, "cannot make the exec process non-dumpable");
		rt_fail(ini, err, 1);
	}
	pid_t pid = rt_clone(0);
	if (pid == 0)
		exec_child(ini);
	if (pid < 0) {
		/* a pid namespace whose init has exited takes no one in */
		if (errno == ENOMEM && (ini->join & CLONE_NEWPID))
			gone(ini->init, &err);
		else
			burrow_error(&err, errno, "cannot create the exec process");
		rt_fail(ini, err, 1);
	}
	if (write_all(ini->report_fd, &pid, sizeof(pid)) < 0)
		_exit(2); /* the process then finds the sync socket closed */
	_exit(0);
}

/* After a helper that did not say which process it made: why. */
static int helper_failed(struct rt_container *c, int r, int status, struct burrow_err **err)
{
	struct sock_msg m;
	if (r == 1 && wait_fd(c->sync_fd, POLLIN, now_ms()) > 0 && sock_recv(c->sync_fd, &m, NULL) == 1 &&
	    m.tag == SOCK_MSG_ERROR) {
		struct burrow_err *e = NULL;
		if (burrow_err_recv(c->sync_fd, &e) == 1) {
			burrow_err_free(*err);
			*err = e;
			return -1;
		}
	}
	if (r == 0)
		return burrow_error(err, ETIMEDOUT, "the exec helper did not finish within %d s",
		                    RT_HELPER_TIMEOUT_MS / 1000);
	if (r < 0)
		return burrow_error(err, errno, "cannot wait for the exec helper");
	cleanup_free char *how = proc_status_text(status);
	return burrow_error(err, 0, "the exec helper %s", how);
}

int rt_exec(const char *bundle, const struct proc_ref *init, const struct rt_exec_opts *opts, struct rt_container **out,
            struct burrow_err **err)
{
	if (!opts->args || !opts->args[0])
		return burrow_error(err, EINVAL, "no command to execute");
	struct rt_spec *spec = NULL;
	if (rt_spec_load(bundle, &spec, err) < 0)
		return -1;
	struct rt_container *c = rt_container_new(spec, "the exec process");
	rt_exec_spec(spec, opts);

	int join = 0;
	for (size_t i = 0; i < spec->n_namespaces; i++)
		join |= spec->namespaces[i].flag & RT_EXEC_NS;
	struct rt_init ini;
	int rc = -1;
	cleanup_close int report = -1; /* the helper's pipe */
	if (rt_init_prepare(&ini, spec, opts->terminal, opts->stdio, opts->keyring, opts->seccomp_cache, err) < 0)
		goto out;
	ini.preserve_fds = opts->preserve_fds;
	ini.join = join;
	ini.pidfd = init->pidfd;
	ini.init = init;
	int pp[2];
	if (pipe2(pp, O_CLOEXEC) < 0) {
		burrow_error(err, errno, "cannot create a pipe");
		goto out;
	}
	report = pp[0];
	ini.report_fd = pp[1];
	/* the helper's child, orphaned, becomes ours */
	int reaper = 0;
	if (prctl(PR_GET_CHILD_SUBREAPER, &reaper, 0, 0, 0) < 0 ||
	    (!reaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)) {
		close(pp[1]);
		burrow_error(err, errno, "cannot become a child subreaper");
		goto out;
	}
	int spawned = rt_spawn(c, &ini, 0, exec_helper);
	int e = errno;
	close(pp[1]);
	int st = 0, r = -1;
	if (spawned == 0)
		r = proc_wait_child(c->pid, now_ms() + RT_HELPER_TIMEOUT_MS, &st);
	if (!reaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	if (spawned < 0) {
		burrow_error(err, e, "cannot create the exec helper");
		goto out;
	}
	pid_t pid = 0;
	if (r != 1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || read_all(report, &pid, sizeof(pid)) != sizeof(pid) ||
	    pid <= 0) {
		c->pid = 0;
		helper_failed(c, r, st, err);
		goto out;
	}
	c->pid = pid;
	if ((rc = rt_wait_ready(c, "joining the container", err)) == 0)
		*out = steal_ptr(c);
out:
	rt_init_clear(&ini);
	rt_container_free(c);
	return rc;
}
