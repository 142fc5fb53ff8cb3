/* The keeper: a tiny process that holds burrow's user + mount namespace.
 * The first command creates it (double fork, new session, new user and
 * mount namespace, ID maps written from outside); every later command
 * joins its namespaces with one setns() on a pidfd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/memtrim.h"
#include "lib/proc.h"
#include "lib/sock.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "userns/internal.h"

/* Records on the creation socket (lib/sock.h), keeper -> creator. */
enum {
	MSG_UNSHARED = 'U', /* value: the keeper's pid; waiting for its maps */
	MSG_READY = 'R',    /* mounts set up, holding the namespaces now */
	                    /* or SOCK_MSG_ERROR and an error record */
};
/* creator -> keeper */
#define MSG_GO 'G'  /* the maps are written */
#define MSG_ACK 'A' /* the pid file is written: hold on (without it: exit) */

/* Waits (bounded) for a child of ours to exit; killed at the deadline. */
static int wait_child(pid_t pid, int timeout_ms, int *status, const char *what, struct burrow_err **err)
{
	int r = proc_wait_child(pid, now_ms() + timeout_ms, status);
	if (r == 0)
		return burrow_error(err, 0, "timed out after %d ms waiting for %s", timeout_ms, what);
	if (r < 0)
		return burrow_error(err, errno, "cannot wait for %s", what);
	return 0;
}

/* ---- the keeper process itself ---- */

static _Noreturn void keeper_fail(int sock, int errno_, const char *what)
{
	struct burrow_err *e = NULL;
	burrow_error(&e, errno_, "%s", what);
	if (errno_ == EPERM || errno_ == ENOSPC || errno_ == EUSERS)
		burrow_error_hint(&e, "unprivileged user namespaces may be disabled here: check the sysctls "
		                      "user.max_user_namespaces and kernel.unprivileged_userns_clone, and "
		                      "kernel.apparmor_restrict_unprivileged_userns on Ubuntu");
	sock_send_error(sock, e);
	burrow_err_free(e);
	_exit(1);
}

/* Shows the keeper as "burrow-keeper" in ps and /proc/PID/cmdline: the
 * argv area it inherited from the command that created it (an eternal
 * `burrow info` otherwise) is overwritten in place, spilling into the
 * environment area that follows it (the keeper needs neither). */
static void keeper_set_title(const char *title)
{
	char buf[2048];
	cleanup_close int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read_all(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* after the command name (which may hold spaces and parentheses):
	 * field 3 on; arg_start, arg_end, env_start and env_end are 48-51 */
	char *p = strrchr(buf, ')');
	unsigned long long v[4] = {0};
	int field = 2;
	for (char *save = NULL, *tok = p ? strtok_r(p + 1, " ", &save) : NULL; tok; tok = strtok_r(NULL, " ", &save))
		if (++field >= 48 && field <= 51)
			v[field - 48] = strtoull(tok, NULL, 10);
	unsigned long long arg_start = v[0], arg_end = v[1], env_start = v[2], env_end = v[3];
	if (arg_start == 0 || arg_end <= arg_start)
		return;
	size_t argl = (size_t)(arg_end - arg_start), len = argl;
	if (env_start == arg_end && env_end > env_start) {
		clearenv(); /* nothing points into that area any more */
		len = (size_t)(env_end - arg_start);
	}
	char *area = (char *)(uintptr_t)arg_start;
	memset(area, 0, len);
	size_t t = strlen(title);
	if (t > len - 1)
		t = len - 1;
	memcpy(area, title, t);
	/* a non-zero last byte of the argv area tells the kernel to show it
	 * only up to the first NUL (as for setproctitle) */
	if (t + 1 < argl)
		area[argl - 1] = ' ';
}

/* Whether RUNROOT/keeper.pid names this process. */
static bool keeper_recorded(const char *runroot)
{
	cleanup_free char *path = path_join(runroot, USERNS_PID_FILE);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[64];
	ssize_t n = fd >= 0 ? read_all(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return atoll(buf) == (long long)getpid();
}

/* Holds the namespaces until nothing can find this keeper any more: its
 * runtime dir is removed, moved or unmounted (a logout, a tmp cleaner), or
 * its pid file goes or names another keeper. Then it ends, rather than
 * hold a namespace for good that the next command replaces (containers
 * still running in it hold it themselves). Without inotify it holds on. */
static _Noreturn void keeper_hold(const char *runroot)
{
	int in = inotify_init1(IN_CLOEXEC);
	const uint32_t gone = IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED;
	int w =
	    in >= 0 ? inotify_add_watch(in, runroot, gone | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR) : -1;
	/* removed already, before the watch was there (the command that made
	 * us may be done before we get here) */
	if (w < 0 && in >= 0 && (errno == ENOENT || errno == ENOTDIR))
		_exit(0);
	if (w >= 0) {
		/* the watch first, then the check: nothing falls in between */
		bool recheck = true;
		for (;;) {
			if (recheck && !keeper_recorded(runroot))
				_exit(0);
			/* checked: it only waits now, with as little resident
			 * as the monitor (trimmed last, or what runs after it
			 * faults back in) */
			if (recheck)
				mem_trim();
			recheck = false;
			char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
			ssize_t n = read(in, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			for (char *p = buf; p < buf + n;) {
				const struct inotify_event *ev = (const struct inotify_event *)p;
				if (ev->mask & gone)
					_exit(0);
				if (ev->len && strcmp(ev->name, USERNS_PID_FILE) == 0)
					recheck = true;
				p += sizeof(*ev) + ev->len;
			}
		}
	}
	mem_trim();
	for (;;)
		pause();
}

/* Runs in the grandchild: becomes the keeper. Never returns. */
static _Noreturn void keeper_main(int sock, const char *runroot_)
{
	/* nothing of the creator's (its lock fd, a terminal, bats' pipes) stays open */
	close_fds_except(sock);
	char *runroot = xstrdup(runroot_);
	prctl(PR_SET_NAME, "burrow-keeper", 0, 0, 0);
	keeper_set_title("burrow-keeper");
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigaction(SIGHUP, &ign, NULL);
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(SIGTERM, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (chdir("/") < 0)
		keeper_fail(sock, errno, "cannot change the keeper's directory to '/'");

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		keeper_fail(sock, errno, "cannot create a user namespace");
	sock_send(sock, MSG_UNSHARED, (int32_t)getpid(), -1);

	/* the creator writes our maps, then says go (or goes away: we die) */
	struct sock_msg go;
	if (sock_recv(sock, &go, NULL) != 1 || go.tag != MSG_GO)
		_exit(1);
	/* mounts made inside must never show up outside */
	if (mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		keeper_fail(sock, errno, "cannot make '/' a slave mount in the new mount namespace");
	sock_send(sock, MSG_READY, 0, -1);
	/* a creator killed before it recorded us leaves no keeper nobody knows of */
	struct sock_msg ack;
	if (sock_recv(sock, &ack, NULL) != 1 || ack.tag != MSG_ACK)
		_exit(1);
	close(sock);
	keeper_hold(runroot);
}

/* Runs in the intermediate child: new session, fork the keeper, exit. */
static _Noreturn void keeper_intermediate(int sock, const char *runroot)
{
	if (setsid() < 0)
		keeper_fail(sock, errno, "cannot start a new session for the keeper");
	pid_t pid = fork();
	if (pid < 0)
		keeper_fail(sock, errno, "cannot fork the keeper");
	if (pid == 0)
		keeper_main(sock, runroot);
	_exit(0);
}

/* ---- the creator's side ---- */

/* Reads one message (bounded); on MSG_ERROR also the error record. */
static int read_msg(int sock, int expect, int32_t *value, struct burrow_err **err)
{
	int r = wait_fd(sock, POLLIN, now_ms() + USERNS_STEP_TIMEOUT_MS);
	if (r == 0)
		return burrow_error(err, 0, "timed out after %d ms waiting for the namespace keeper",
		                    USERNS_STEP_TIMEOUT_MS);
	if (r < 0)
		return burrow_error(err, errno, "cannot wait for the namespace keeper");
	struct sock_msg m;
	r = sock_recv(sock, &m, NULL);
	if (r < 0 && errno != EBADMSG)
		return burrow_error(err, errno, "cannot read from the namespace keeper");
	if (r <= 0)
		return burrow_error(err, 0, "the namespace keeper exited during setup");
	if (m.tag == SOCK_MSG_ERROR) {
		if (burrow_err_recv(sock, err) != 1)
			return burrow_error(err, 0, "the namespace keeper failed without saying why");
		return -1;
	}
	if (m.tag != expect)
		return burrow_error(err, 0, "unexpected message %d from the namespace keeper", (int)m.tag);
	if (value)
		*value = m.value;
	return 0;
}

/* Runs newuidmap/newgidmap PID MAP...; their stderr becomes the error. */
static int run_idmap_helper(const char *prog, pid_t pid, const char *map, struct burrow_err **err)
{
	cleanup_strv char **argv = NULL;
	strv_append(&argv, prog);
	strv_append_take(&argv, xasprintf("%d", (int)pid));
	cleanup_strv char **words = userns_map_to_args(map);
	for (size_t i = 0; words[i]; i++)
		strv_append(&argv, words[i]);

	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return burrow_error(err, errno, "cannot create a pipe");
	cleanup_close int rd = pipefd[0];
	cleanup_close int wr = pipefd[1];
	pid_t child = fork();
	if (child < 0)
		return burrow_error(err, errno, "cannot fork '%s'", prog);
	if (child == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
		}
		dup2(wr, STDERR_FILENO);
		execv(prog, argv);
		dprintf(STDERR_FILENO, "cannot execute: %s", strerror(errno));
		_exit(127);
	}
	close(steal_fd(wr));
	char out[1024];
	size_t used = 0;
	int64_t deadline = now_ms() + USERNS_STEP_TIMEOUT_MS;
	for (;;) {
		if (wait_fd(rd, POLLIN, deadline) <= 0)
			break;
		ssize_t r = TEMP_FAILURE_RETRY(read(rd, out + used, sizeof(out) - 1 - used));
		if (r <= 0)
			break;
		used += (size_t)r;
		if (used == sizeof(out) - 1)
			break;
	}
	out[used] = '\0';
	int status = 0;
	if (wait_child(child, USERNS_STEP_TIMEOUT_MS, &status, prog, err) < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* one line: the helper's first line of complaint */
	out[strcspn(out, "\n")] = '\0';
	if (WIFEXITED(status))
		return burrow_error(err, 0, "'%s' exited with %d%s%s", prog, WEXITSTATUS(status), *out ? ": " : "",
		                    out);
	return burrow_error(err, 0, "'%s' was killed by signal %d", prog, WTERMSIG(status));
}

static int write_proc(pid_t pid, const char *file, const char *data, struct burrow_err **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open '%s'", path);
	if (write_all(fd, data, strlen(data)) < 0)
		return burrow_error(err, errno, "cannot write '%s'", path);
	return 0;
}

static int write_maps(const struct userns_plan *plan, pid_t pid, struct burrow_err **err)
{
	if (plan->kind == USERNS_KIND_SUBUID) {
		if (run_idmap_helper(plan->newuidmap, pid, plan->uid_map, err) < 0 ||
		    run_idmap_helper(plan->newgidmap, pid, plan->gid_map, err) < 0)
			return -1;
		return 0;
	}
	if (plan->kind == USERNS_KIND_SINGLE && write_proc(pid, "setgroups", "deny", err) < 0)
		return -1;
	if (write_proc(pid, "uid_map", plan->uid_map, err) < 0 || write_proc(pid, "gid_map", plan->gid_map, err) < 0)
		return -1;
	return 0;
}

/* keeper_spawn's work, with SIGCHLD at its default so that we can wait. */
static int spawn_and_map(const struct userns_plan *plan, const char *runroot, int sock, int peer_, pid_t *out,
                         bool *map_failed, struct burrow_err **err)
{
	cleanup_close int peer = peer_;
	pid_t mid = fork();
	if (mid < 0)
		return burrow_error(err, errno, "cannot fork");
	if (mid == 0) {
		close(sock);
		keeper_intermediate(peer, runroot);
	}
	close(steal_fd(peer));
	int status = 0;
	if (wait_child(mid, USERNS_STEP_TIMEOUT_MS, &status, "the keeper's parent process", err) < 0)
		return -1;

	int32_t kpid = 0;
	if (read_msg(sock, MSG_UNSHARED, &kpid, err) < 0)
		return -1;
	if (kpid <= 0)
		return burrow_error(err, 0, "the namespace keeper sent a bad pid %d", (int)kpid);
	cleanup_proc_ref struct proc_ref keeper = PROC_REF_INIT;
	proc_ref_open(&keeper, kpid, 0);
	if (write_maps(plan, kpid, err) < 0) {
		proc_ref_signal(&keeper, SIGKILL);
		*map_failed = true;
		return burrow_error_wrap(err, "cannot set the ID mapping (%s) of the new user namespace",
		                         userns_kind_name(plan->kind));
	}
	if (sock_send(sock, MSG_GO, 0, -1) < 0)
		return burrow_error(err, errno, "cannot talk to the namespace keeper");
	if (read_msg(sock, MSG_READY, NULL, err) < 0) {
		proc_ref_signal(&keeper, SIGKILL);
		return -1;
	}
	*out = kpid;
	return 0;
}

/* Starts a keeper with the plan's mapping; *out is its pid, *sock_out the
 * socket to acknowledge it on once it is recorded. *map_failed tells
 * whether it was the ID mapping that failed. */
static int keeper_spawn(const struct userns_plan *plan, const char *runroot, pid_t *out, int *sock_out,
                        bool *map_failed, struct burrow_err **err)
{
	*map_failed = false;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return burrow_error(err, errno, "cannot create a socket pair");
	cleanup_close int sock = sv[0];
	/* no buffered output may be written twice by the children */
	fflush(NULL);
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old_chld;
	sigaction(SIGCHLD, &dfl, &old_chld);
	int r = spawn_and_map(plan, runroot, sock, sv[1], out, map_failed, err);
	sigaction(SIGCHLD, &old_chld, NULL);
	if (r == 0)
		*sock_out = steal_fd(sock);
	return r;
}

static int write_keeper_files(const char *runroot, const struct userns_plan *plan, pid_t pid, struct burrow_err **err)
{
	unsigned long long start = proc_start_time(pid);
	if (start == 0)
		return burrow_error(err, 0, "the namespace keeper (pid %d) exited right after it started", (int)pid);
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "kind", userns_kind_name(plan->kind));
	jg_key_str(g, "reason", plan->reason);
	jg_key_int(g, "pid", pid);
	jg_key_int(g, "created", (long long)time(NULL));
	jg_map_close(g);
	cleanup_free char *json = json_gen_finish(g);
	cleanup_free char *info = path_join(runroot, USERNS_INFO_FILE);
	if (write_file_atomic(info, json, strlen(json), 0600, err) < 0)
		return -1;
	/* the pid file last: it is what makes the keeper visible */
	char line[64];
	int n = snprintf(line, sizeof(line), "%d %llu\n", (int)pid, start);
	cleanup_free char *pidfile = path_join(runroot, USERNS_PID_FILE);
	return write_file_atomic(pidfile, line, (size_t)n, 0600, err);
}

int userns_lock(const char *runroot, struct burrow_err **err)
{
	cleanup_free char *path = path_join(runroot, USERNS_LOCK_FILE);
	cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open lock file '%s'", path);
	int64_t deadline = now_ms() + USERNS_LOCK_TIMEOUT_MS;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return burrow_error(err, errno, "cannot lock '%s'", path);
		if (now_ms() > deadline) {
			burrow_error(err, 0, "timed out after %d ms waiting for lock '%s'", USERNS_LOCK_TIMEOUT_MS,
			             path);
			return burrow_error_hint(err, "another burrow command is setting up the namespace; if "
			                              "none is, remove the lock file");
		}
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return steal_fd(fd);
}

int userns_keeper_alive(const char *runroot, struct proc_ref *ref)
{
	*ref = (struct proc_ref)PROC_REF_INIT;
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", runroot, USERNS_PID_FILE) >= (int)sizeof(path))
		return 0;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	char buf[64];
	ssize_t n = read_all(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	long long p = 0;
	unsigned long long start = 0;
	if (sscanf(buf, "%lld %llu", &p, &start) != 2 || p <= 1 || p > INT32_MAX || start == 0)
		return 0;
	return proc_ref_open(ref, (pid_t)p, start) > 0;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static bool same_ns(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && same_inode(&sa, &sb);
}

/* Joins through /proc/PID/ns/{user,mnt}: old kernels, and a process that is
 * already inside the namespace (setns into its own user ns is EINVAL). */
static int join_by_proc(pid_t pid, struct burrow_err **err)
{
	char user[64], mnt[64];
	snprintf(user, sizeof(user), "/proc/%d/ns/user", (int)pid);
	snprintf(mnt, sizeof(mnt), "/proc/%d/ns/mnt", (int)pid);
	cleanup_close int ufd = open(user, O_RDONLY | O_CLOEXEC);
	cleanup_close int mfd = open(mnt, O_RDONLY | O_CLOEXEC);
	if (ufd < 0 || mfd < 0)
		return burrow_error(err, errno, "cannot open the namespaces of keeper %d", (int)pid);
	if (!same_ns(user, "/proc/self/ns/user") && setns(ufd, CLONE_NEWUSER) < 0)
		return burrow_error(err, errno, "cannot join the user namespace of keeper %d", (int)pid);
	if (!same_ns(mnt, "/proc/self/ns/mnt") && setns(mfd, CLONE_NEWNS) < 0)
		return burrow_error(err, errno, "cannot join the mount namespace of keeper %d", (int)pid);
	return 0;
}

/* Joins a live keeper, keeping the working directory. */
static int join(pid_t pid, int pidfd, struct burrow_err **err)
{
	/* setns into a mount namespace moves us to its root; come back */
	char cwd[PATH_MAX];
	bool have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;
	cleanup_close int cwdfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = -1;
	if (pidfd >= 0) {
		r = setns(pidfd, CLONE_NEWUSER | CLONE_NEWNS);
		if (r < 0 && errno != EINVAL)
			r = burrow_error(err, errno, "cannot join the namespaces of keeper %d", (int)pid);
		else if (r < 0)
			r = join_by_proc(pid, err);
	} else {
		r = join_by_proc(pid, err);
	}
	if (r < 0) {
		if ((*err)->status == EPERM)
			burrow_error_hint(err, "the keeper belongs to another user or user namespace; run "
			                       "'burrow system migrate' or use another --runroot");
		return -1;
	}
	if ((!have_cwd || chdir(cwd) < 0) && cwdfd >= 0 && fchdir(cwdfd) < 0)
		burrow_debug("cannot return to the working directory: %s", strerror(errno));
	return 0;
}

/* Creates a keeper (under the lock) and records it. */
static int create_keeper(const char *runroot, struct burrow_err **err)
{
	struct userns_plan plan;
	if (userns_plan_mapping(&plan, err) < 0)
		return -1;
	pid_t pid = 0;
	struct burrow_err *first = NULL;
	bool map_failed = false;
	cleanup_close int sock = -1;
	int r = keeper_spawn(&plan, runroot, &pid, &sock, &map_failed, &first);
	if (r < 0 && map_failed && plan.kind == USERNS_KIND_SUBUID) {
		/* newuidmap refused (bad ranges, a broken helper): nothing fails that need not */
		userns_plan_single(&plan, first->msg, true);
		burrow_err_free(first);
		r = keeper_spawn(&plan, runroot, &pid, &sock, &map_failed, err);
	} else if (r < 0) {
		burrow_err_free(*err);
		*err = first;
	}
	/* on failure the keeper, never acknowledged, exits when sock closes */
	if (r < 0 || write_keeper_files(runroot, &plan, pid, err) < 0) {
		userns_plan_clear(&plan);
		return -1;
	}
	if (sock_send(sock, MSG_ACK, 0, -1) < 0) {
		userns_plan_clear(&plan);
		return burrow_error(err, errno, "the namespace keeper (pid %d) exited during setup", (int)pid);
	}
	if (plan.warning)
		burrow_warn("%s", plan.warning);
	burrow_debug("started namespace keeper %d (%s mapping)", (int)pid, userns_kind_name(plan.kind));
	userns_plan_clear(&plan);
	return 0;
}

/* Joins the keeper if one is alive: 1 joined, 0 none (or it died just
 * now), -1 it is alive but cannot be joined. */
static int try_join(const char *runroot, struct burrow_err **err)
{
	cleanup_proc_ref struct proc_ref keeper = PROC_REF_INIT;
	if (!userns_keeper_alive(runroot, &keeper))
		return 0;
	struct burrow_err *e = NULL;
	if (join(keeper.pid, keeper.pidfd, &e) == 0)
		return 1;
	/* it may have died (or be dying) between the check and the join */
	if (proc_ref_gone(&keeper)) {
		burrow_err_free(e);
		return 0;
	}
	burrow_err_free(*err);
	*err = e;
	return -1;
}

int userns_enter(const char *runroot, struct burrow_err **err)
{
	/* the fast path: a live keeper, one setns */
	int r = try_join(runroot, err);
	if (r != 0)
		return r > 0 ? 0 : -1;

	cleanup_close int lock = userns_lock(runroot, err);
	if (lock < 0)
		return burrow_error_wrap(err, "cannot set up the user namespace");
	for (int attempt = 0; attempt < 2; attempt++) {
		/* someone may have created it while we waited for the lock */
		r = try_join(runroot, err);
		if (r != 0)
			return r > 0 ? 0 : -1;
		if (create_keeper(runroot, err) < 0)
			return burrow_error_wrap(err, "cannot set up the user namespace");
		r = try_join(runroot, err);
		if (r != 0)
			return r > 0 ? 0 : -1;
		/* killed right after it started: once more */
	}
	return burrow_error(err, 0, "the namespace keeper keeps exiting right after it starts");
}

int userns_migrate(const char *runroot, struct burrow_err **err)
{
	cleanup_close int lock = userns_lock(runroot, err);
	if (lock < 0)
		return burrow_error_wrap(err, "cannot stop the namespace keeper");
	cleanup_proc_ref struct proc_ref keeper = PROC_REF_INIT;
	if (userns_keeper_alive(runroot, &keeper)) {
		pid_t pid = keeper.pid;
		static const int sigs[] = {SIGTERM, SIGKILL};
		bool gone = false;
		for (size_t i = 0; i < 2 && !gone; i++) {
			if (proc_ref_signal(&keeper, sigs[i]) < 0 && errno != ESRCH)
				return burrow_error(err, errno, "cannot stop the namespace keeper (pid %d)", (int)pid);
			gone = proc_ref_wait_gone(&keeper, now_ms() + 5000);
		}
		if (!gone)
			return burrow_error(err, 0, "timed out waiting for the namespace keeper (pid %d) to exit",
			                    (int)pid);
		burrow_debug("stopped namespace keeper %d", (int)pid);
	}
	static const char *const files[] = {USERNS_PID_FILE, USERNS_INFO_FILE};
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *path = path_join(runroot, files[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			return burrow_error(err, errno, "cannot remove '%s'", path);
	}
	return 0;
}

/* The pids in the user namespace whose /proc/PID/ns/user is ns (the
 * caller and the keeper left out); zombies have no namespace any more. */
static size_t pids_in_userns(const struct stat *ns, pid_t keeper, pid_t *out, size_t max)
{
	size_t n = 0;
	cleanup_dir DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d)) && n < max) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == getpid() || pid == keeper)
			continue;
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%ld/ns/user", pid);
		if (stat(path, &st) == 0 && same_inode(&st, ns))
			out[n++] = (pid_t)pid;
	}
	return n;
}

int userns_drain(const char *runroot, int timeout_ms, struct burrow_err **err)
{
	cleanup_proc_ref struct proc_ref keeper = PROC_REF_INIT;
	if (!userns_keeper_alive(runroot, &keeper))
		return 0;
	char path[64];
	struct stat ns;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)keeper.pid);
	if (stat(path, &ns) < 0)
		return burrow_error(err, errno, "cannot read the namespace of the keeper (pid %d)", (int)keeper.pid);
	pid_t left[256];
	int64_t deadline = now_ms() + timeout_ms;
	size_t n;
	while ((n = pids_in_userns(&ns, keeper.pid, left, 256)) > 0 && now_ms() < deadline)
		nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		burrow_debug("killing pid %d, still in the namespace", (int)left[i]);
		kill(left[i], SIGKILL);
	}
	deadline = now_ms() + 2000;
	while (pids_in_userns(&ns, keeper.pid, left, 256) > 0 && now_ms() < deadline)
		nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
	return (int)n;
}

/* A keeper's map as one line (see userns_map_oneline). */
static char *read_map(pid_t pid, const char *which)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
	cleanup_free char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0) {
		burrow_err_free(e);
		return NULL;
	}
	return userns_map_oneline(text);
}

int userns_get_info(const char *runroot, struct userns_info *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_proc_ref struct proc_ref keeper = PROC_REF_INIT;
	if (!userns_keeper_alive(runroot, &keeper)) {
		burrow_error(err, 0, "the namespace keeper is not running");
		return burrow_error_hint(err, "any command that needs the namespace starts it, e.g. 'burrow unshare "
		                              "true'");
	}
	cleanup_free char *path = path_join(runroot, USERNS_INFO_FILE);
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return -1;
	cleanup_yajl yajl_val doc = json_parse(text, err);
	if (!doc)
		return burrow_error_wrap(err, "'%s'", path);
	const char *kind = json_get_str(doc, "kind");
	const char *reason = json_get_str(doc, "reason");
	out->kind = xstrdup(kind ? kind : "unknown");
	out->reason = xstrdup(reason ? reason : "");
	out->uid_map = read_map(keeper.pid, "uid_map");
	out->gid_map = read_map(keeper.pid, "gid_map");
	if (!out->uid_map || !out->gid_map) {
		userns_info_clear(out);
		return burrow_error(err, 0, "cannot read the ID maps of the namespace keeper (pid %d)",
		                    (int)keeper.pid);
	}
	out->keeper_pid = keeper.pid;
	return 0;
}

void userns_info_clear(struct userns_info *info)
{
	if (!info)
		return;
	free(info->kind);
	free(info->reason);
	free(info->uid_map);
	free(info->gid_map);
	memset(info, 0, sizeof(*info));
}
