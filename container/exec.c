/* burrow exec: a command in a running container. The runtime joins the
 * container (runtime/exec.c); here the container is found and checked, the
 * process's user, environment and working directory are worked out, and
 * the caller waits for the process: relaying its pty when it has one,
 * forwarding signals, passing its exit code on.
 *
 * Who reaps what: the process is this process's own child (rt_exec), reaped
 * here when it ends. With -d, or once the user detaches, it is left
 * running: when we exit, our own reaper (the host's init, or a subreaper
 * above us) becomes its parent and reaps it. Its pty then stays open in a
 * small holder process of its own (double fork, setsid, outside the
 * container), which reads and drops what the process writes until the
 * process and everything that shares the pty have closed it: without it
 * the process would get SIGHUP as the pty hangs up. The holder is not
 * dumpable: nothing may look into a process that holds a container's pty
 * master. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "container/events.h"
#include "container/freezer.h"
#include "container/internal.h"
#include "container/mount.h"
#include "container/terminal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"
#include "state/state.h"

/* SIGCHLD, SIGWINCH, and the signals forwarded to the process. */
static void wait_sigset(sigset_t *set)
{
	static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGWINCH);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
}

/* The container to exec in, and how the process runs there. */
struct target {
	char *id, *name;
	struct proc_ref init;
	bool has_user;
	unsigned uid, gid;
	bool has_groups; /* groups instead of the container's additional ones */
	gid_t *groups;
	size_t n_groups;
	char **env;       /* set over the container's */
	bool no_hostname; /* take HOSTNAME out of the container's */
	int lock;         /* the container's, from the check until the process runs */
};

static void target_clear(struct target *t)
{
	free(t->id);
	free(t->name);
	proc_ref_close(&t->init);
	free(t->groups);
	strv_free(t->env);
	state_unlock(t->lock);
	t->lock = -1;
}

/* For tests: BURROW_TEST_EXEC_JOIN_DELAY_MS (up to 5000) widens the window
 * between the process's start and its move into the container's cgroup,
 * where a pause must not fall. */
static void test_join_delay(void)
{
	proc_test_delay("BURROW_TEST_EXEC_JOIN_DELAY_MS");
}

/* Keeps the lock fd above the fds the process is given (--preserve-fds):
 * the process must never inherit it and hold the container's lock. */
static int lock_above(int lock, int preserve_fds)
{
	if (lock < 0 || lock >= 3 + preserve_fds)
		return lock;
	int high = fcntl(lock, F_DUPFD_CLOEXEC, 3 + preserve_fds);
	state_unlock(lock);
	return high;
}

/* The process's additional groups as podman 4.3 gives an exec's (runc's
 * lookup of its user, checked live): with -u USER, the groups that list
 * USER as a member (none with -u USER:GROUP, and no --group-add), set
 * with keep-groups too (podman with runc, checked live: runc knows no
 * keep-groups, so its exec -u sets them; a single-ID namespace denies
 * setgroups, and the caller's groups stay there); without -u, those of
 * the container's user (its -u or the image's User) and --group-add's;
 * keep-groups without -u: the container's (no setgroups). The user's
 * own group is not one, as it is for the container's first process. */
static int exec_groups(const struct ctr_config *c, const char *user, const char *passwd, const char *group,
                       struct target *t, struct burrow_err **err)
{
	bool keep = c->groups && c->groups[0] && strcmp(c->groups[0], "keep-groups") == 0;
	const char *spec = user ? user : c->user_spec;
	if (keep && !user)
		return 0;
	struct strv_builder b = {0};
	if (spec)
		ctr_user_memberships(spec, t->uid, passwd, group, &b);
	for (size_t i = 0; !user && !keep && c->groups && c->groups[i]; i++)
		if (!strv_contains(b.v, c->groups[i]))
			strv_builder_add(&b, c->groups[i]);
	cleanup_strv char **gids = strv_builder_steal(&b);
	if (ctr_gids_mapped(c, gids, err) < 0)
		return -1;
	t->has_groups = true;
	t->n_groups = gids ? strv_len(gids) : 0;
	t->groups = t->n_groups ? xcalloc(t->n_groups, sizeof(*t->groups)) : NULL;
	for (size_t i = 0; i < t->n_groups; i++)
		t->groups[i] = (gid_t)strtoul(gids[i], NULL, 10);
	return 0;
}

/* /etc/name ("passwd", "group") as the container's processes see it: the
 * copy its start bound over its own (with -u UID's, keep-id's and
 * --hostuser's entries; the run record names that bind), else the one in
 * its root filesystem (roots; NULL: none). */
static int read_etc(struct state_store *s, const struct ctr_config *c, const struct ctr_run *r, char *const *roots,
                    const char *name, char **out, struct burrow_err **err)
{
	cleanup_free char *dest = xasprintf("/etc/%s", name);
	cleanup_free char *rundir = ctr_rundir(s, c->id);
	cleanup_free char *copy = path_join(rundir, name);
	unsigned long long dev, ino;
	struct stat st;
	if (ctr_mount_bind_find(r->binds, dest, &dev, &ino) && stat(copy, &st) == 0 && st.st_dev == dev &&
	    st.st_ino == ino) {
		char *in[] = {rundir, NULL};
		return ctr_read_in_roots(in, name, out, err);
	}
	*out = NULL;
	return roots[0] ? ctr_read_in_roots(roots, dest, out, err) : 0;
}

/* -u against the container's /etc/passwd and /etc/group (as its processes
 * see them: read_etc), and the environment podman gives an exec: the
 * caller's -e over the container's, HOME from the user's passwd entry
 * ("/" without one) and, with a terminal, TERM=xterm, unless set. */
static int process_settings(struct state_store *s, const struct ctr_config *c, const struct ctr_run *r,
                            const struct ctr_exec_opts *o, struct target *t, struct burrow_err **err)
{
	cleanup_free char *passwd = NULL;
	cleanup_free char *group = NULL;
	char *roots[] = {r->mountpoint ? r->mountpoint : c->rootfs, NULL};
	/* /etc/group: for -u's group and for a user's memberships (exec_groups);
	 * a container with neither spec reads none on every exec */
	bool groups = o->user || c->user_spec, no_passwd = false;
	if ((no_passwd = read_etc(s, c, r, roots, "passwd", &passwd, err) < 0) ||
	    (groups && read_etc(s, c, r, roots, "group", &group, err) < 0)) {
		if (o->user)
			return burrow_error_wrap(err, "cannot find user '%s' in the container", str_quote(o->user));
		if (no_passwd)
			return burrow_error_wrap(err, "cannot find the home of user %u in the container", c->uid);
		return burrow_error_wrap(err, "cannot find the groups of user '%s' in the container",
		                         str_quote(c->user_spec));
	}
	t->uid = c->uid;
	t->gid = c->gid;
	/* without -u, the container's user as its files say it now: podman
	 * 4.3's exec looks it up each time (checked live: a uid changed in
	 * /etc/passwd counts at the next exec) */
	const char *spec = o->user ? o->user : c->user_live ? c->user_spec : NULL;
	if (spec) {
		if (ctr_resolve_user(spec, passwd, group, &t->uid, &t->gid, err) < 0)
			return -1;
		t->has_user = true;
	}
	if (exec_groups(c, o->user, passwd, group, t, err) < 0)
		return -1;
	t->env = strv_dup(o->env);
	/* podman puts HOSTNAME in an exec's environment only when --hostname
	 * or -e set it: the default one (the short ID), which create keeps in
	 * the container's for its first process, stays out */
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", c->id);
	cleanup_free char *dflt = xasprintf("HOSTNAME=%s", short_id);
	t->no_hostname = c->hostname && strcmp(c->hostname, short_id) == 0 && strv_contains(c->env, dflt) &&
	                 !strv_env_has(t->env, "HOSTNAME");
	if (!strv_env_has(c->env, "HOME") && !strv_env_has(t->env, "HOME")) {
		cleanup_free char *home = passwd ? ctr_passwd_home(passwd, t->uid) : NULL;
		strv_append_take(&t->env, xasprintf("HOME=%s", home && *home ? home : "/"));
	}
	if (o->tty && !strv_env_has(c->env, "TERM") && !strv_env_has(t->env, "TERM"))
		strv_append(&t->env, "TERM=xterm");
	return 0;
}

/* Finds the container, checks that it runs, names its init by pidfd and
 * works out the process's settings, under the container's lock: kept in
 * t->lock on success (pause, stop wait until the process runs). */
static int find_target(struct state_store *s, const char *ref, const struct ctr_exec_opts *o, struct target *t,
                       struct burrow_err **err)
{
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	int lock = -1, ret = -1;
	int gone = ctr_lock_load(s, ref, &t->id, &lock, &c, &r, err);
	if (gone < 0)
		goto out;
	if (gone) {
		burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
		goto out;
	}
	t->name = xstrdup(c.name);
	if (r.state != CTR_RUNNING) {
		burrow_error_status(err, EINVAL, "cannot exec in container '%s': it is %s, not running",
		                    str_quote(c.name), ctr_state_word(r.state));
		goto out;
	}
	/* its init, and none other that has its pid by now */
	int alive = r.pid_start ? proc_ref_open(&t->init, r.pid, r.pid_start) : 0;
	if (alive < 0) {
		burrow_error(err, errno, "cannot reach the init of container '%s' (pid %d)", str_quote(c.name),
		             (int)r.pid);
		goto out;
	}
	if (alive == 0) {
		burrow_error_status(err, ESRCH, "cannot exec in container '%s': it is exiting, not running",
		                    str_quote(c.name));
		goto out;
	}
	ret = process_settings(s, &c, &r, o, t, err);
	if (ret < 0) {
		burrow_error_wrap(err, "container '%s'", str_quote(c.name));
		goto out;
	}
	/* kept until the process runs: a pause meanwhile would stop it
	 * outside the cgroup it then joins, where unpause does not reach */
	t->lock = lock_above(lock, o->preserve_fds);
	lock = -1;
	if (t->lock < 0)
		ret = burrow_error(err, errno, "cannot keep the lock of container '%s'", str_quote(c.name));
out:
	if (lock >= 0)
		state_unlock(lock);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return ret;
}

/* Keeps a detached process's pty open (see the top of the file). */
static int hold_pty(int master, struct burrow_err **err)
{
	pid_t mid = fork();
	if (mid < 0)
		return burrow_error(err, errno, "cannot start a process to hold the pty");
	if (mid == 0) {
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		close_fds_except(master);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int fl = fcntl(master, F_GETFL);
		fcntl(master, F_SETFL, fl & ~O_NONBLOCK);
		char buf[4096];
		/* EIO: nothing holds the pty's other side any more */
		while (TEMP_FAILURE_RETRY(read(master, buf, sizeof(buf))) > 0)
			;
		_exit(0);
	}
	if (proc_wait_child(mid, now_ms() + 10000, NULL) != 1)
		return burrow_error(err, 0, "the process to hold the pty did not start within 10 s");
	return 0;
}

/* The foreground: the process's pty relayed, signals forwarded. */
struct session {
	struct rt_container *rt;
	struct loop *loop;
	struct loop_watch *master_w, *stdin_w;
	struct ctr_term term;
	struct ctr_detach detach;
	bool exited, detached;
	int wstatus;
};

static void copy_winsize(struct session *x)
{
	unsigned short rows, cols;
	if (ctr_term_size(STDIN_FILENO, &rows, &cols) || ctr_term_size(STDOUT_FILENO, &rows, &cols))
		ctr_term_set_size(x->rt->pty_master, rows, cols);
}

static void on_signal(struct loop *l, const struct signalfd_siginfo *si, void *data)
{
	struct session *x = data;
	int sig = (int)si->ssi_signo;
	if (sig == SIGCHLD) {
		if (!x->exited && waitpid_eintr(x->rt->pid, &x->wstatus, WNOHANG) == x->rt->pid) {
			x->exited = true;
			loop_stop(l);
		}
	} else if (sig == SIGWINCH) {
		if (x->rt->pty_master >= 0)
			copy_winsize(x);
	} else if (!x->exited) {
		/* our own child, not reaped yet: its pid is its own */
		rt_kill(x->rt, sig);
	}
}

static void stop_relay(struct session *x)
{
	loop_watch_remove(x->loop, x->master_w);
	loop_watch_remove(x->loop, x->stdin_w);
	x->master_w = x->stdin_w = NULL;
}

static void on_master(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)l, (void)w, (void)revents;
	struct session *x = data;
	/* EIO: every slave is closed; stdin has nowhere to go either */
	if (fd_copy(fd, STDOUT_FILENO) <= 0)
		stop_relay(x);
}

static void on_stdin(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)revents;
	struct session *x = data;
	unsigned char in[4096], out[sizeof(in) + CTR_DETACH_KEYS_MAX];
	ssize_t n = TEMP_FAILURE_RETRY(read(fd, in, sizeof(in)));
	if (n <= 0) {
		/* end of input: what ^D does at a terminal */
		char eot = 4;
		(void)write_all(x->rt->pty_master, &eot, 1);
		loop_watch_remove(l, w);
		x->stdin_w = NULL;
		return;
	}
	size_t len;
	bool detach = ctr_detach_feed(&x->detach, in, (size_t)n, out, &len);
	if (len && write_all(x->rt->pty_master, out, len) < 0) {
		stop_relay(x);
		return;
	}
	if (detach) {
		x->detached = true;
		loop_stop(l);
	}
}

/* Waits for the process, relaying its pty; true when the user detached. */
static int session_run(struct session *x, const struct ctr_exec_opts *o, struct burrow_err **err)
{
	if (x->rt->pty_master >= 0) {
		x->master_w = loop_watch_add(x->loop, x->rt->pty_master, POLLIN, on_master, x);
		if (o->interactive)
			x->stdin_w = loop_watch_add(x->loop, STDIN_FILENO, POLLIN, on_stdin, x);
	}
	int r = loop_run(x->loop, err);
	stop_relay(x);
	if (r < 0 || x->detached)
		return r;
	/* what is left in the pty after the end */
	if (x->rt->pty_master >= 0) {
		int fl = fcntl(x->rt->pty_master, F_GETFL);
		fcntl(x->rt->pty_master, F_SETFL, fl | O_NONBLOCK);
		while (fd_copy(x->rt->pty_master, STDOUT_FILENO) > 0)
			;
	}
	return 0;
}

int ctr_exec(struct state_store *s, const char *ref, const struct ctr_exec_opts *o, int *exit_code,
             struct burrow_err **err)
{
	*exit_code = 125; /* burrow failed, until the process says otherwise */
	struct target t = {.init = PROC_REF_INIT, .lock = -1};
	struct session x = {.term = CTR_TERM_INIT};
	if (ctr_detach_keys_parse(o->detach_keys ? o->detach_keys : CTR_DETACH_KEYS_DEFAULT, x.detach.keys, &x.detach.n,
	                          err) < 0)
		return -1;
	if (find_target(s, ref, o, &t, err) < 0) {
		target_clear(&t);
		return -1;
	}
	cleanup_free char *dir = ctr_dir(s, t.id);
	cleanup_free char *sc_cache = ctr_seccomp_cache(s);
	struct rt_exec_opts ro = {
	    .args = o->cmd,
	    .env = t.env,
	    .unset = t.no_hostname ? (char *const[]){"HOSTNAME", NULL} : NULL,
	    .cwd = o->workdir,
	    .has_user = t.has_user,
	    .uid = t.uid,
	    .gid = t.gid,
	    .has_groups = t.has_groups,
	    .groups = t.groups,
	    .n_groups = t.n_groups,
	    .privileged = o->privileged,
	    .terminal = o->tty,
	    .stdio = {o->interactive && !o->detach ? STDIN_FILENO : -1, o->detach ? -1 : STDOUT_FILENO,
	              o->detach ? -1 : STDERR_FILENO},
	    .preserve_fds = o->preserve_fds,
	    .keyring = t.id,
	    .seccomp_cache = sc_cache,
	};
	int ret = -1;
	sigset_t mask, oldmask;
	wait_sigset(&mask);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	struct sigaction ign = {.sa_handler = SIG_IGN}, oldpipe;
	sigaction(SIGPIPE, &ign, &oldpipe); /* a reader gone is an error to see */

	if (rt_exec(dir, &t.init, &ro, &x.rt, err) < 0) {
		if ((*err)->status == ESRCH)
			burrow_error_status(err, ESRCH, "cannot exec in container '%s': it is exiting, not running",
			                    str_quote(t.name));
		else
			burrow_error_wrap(err, "cannot exec in container '%s'", str_quote(t.name));
		goto out;
	}
	test_join_delay();
	{ /* frozen with the rest by pause (else pause sends it SIGSTOP) */
		cleanup_err struct burrow_err *e = NULL;
		if (ctr_cg2_follow(t.id, t.init.pid, x.rt->pid, &e) < 0)
			burrow_debug("%s", e->msg);
	}
	if (o->tty) {
		if (o->interactive && !o->detach)
			ctr_term_raw(&x.term, STDIN_FILENO);
		copy_winsize(&x);
	}
	int started = rt_start(x.rt, err);
	state_unlock(t.lock); /* it runs (or is gone): pause may stop it now */
	t.lock = -1;
	if (started < 0) {
		int st;
		waitpid_eintr(x.rt->pid, &st, 0);
		*exit_code = rt_exec_exit_code(*err);
		goto out;
	}
	ctr_event_ref(s, t.id, "exec");
	if (o->detach) {
		if (x.rt->pty_master >= 0 && hold_pty(x.rt->pty_master, err) < 0)
			goto out;
		*exit_code = 0;
		ret = 0;
		goto out;
	}
	x.loop = loop_new();
	if (!loop_signals_add(x.loop, &mask, on_signal, &x, err) || session_run(&x, o, err) < 0) {
		/* cannot watch it any more: end it rather than leave it unwatched */
		proc_kill_reap(x.rt->pid, &x.wstatus);
		*exit_code = rt_exit_code(x.wstatus);
		goto out;
	}
	ctr_term_restore(&x.term);
	if (x.detached) {
		ret = hold_pty(x.rt->pty_master, err);
		*exit_code = ret < 0 ? 125 : 0;
		goto out;
	}
	*exit_code = rt_exit_code(x.wstatus);
	ctr_event_ref_code(s, t.id, "exec_died", *exit_code);
	ret = 0;
out:
	ctr_term_restore(&x.term);
	loop_free(x.loop);
	if (x.rt)
		rt_container_free(x.rt);
	sigaction(SIGPIPE, &oldpipe, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	target_clear(&t);
	return ret;
}
