/* The monitor: starts a container, relays its stdio, forwards signals,
 * drives its network, records its end and cleans up. Everything it
 * watches is registered on one lib/loop; it never touches a terminal
 * (container/terminal.h does). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/terminal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "overlay/overlay.h"
#include "runtime/runtime.h"
#include "state/state.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct monitor {
	struct ctr_config *c;
	struct rt_container *rt;
	struct netns_slirp *slirp;
	struct loop *loop;
	struct loop_watch *master_w, *stdin_w;
	bool exited;
	int wstatus;
	bool stdin_open;
	struct ctr_term term; /* the caller's terminal, in raw mode with -it */
};

static void copy_winsize(struct monitor *m)
{
	unsigned short rows, cols;
	if (m->rt->pty_master >= 0 && ctr_term_size(STDIN_FILENO, &rows, &cols))
		ctr_term_set_size(m->rt->pty_master, rows, cols);
}

/* Relays up to one buffer from -> to; returns bytes moved, 0 on EOF, -1 on error. */
static ssize_t relay(int from, int to)
{
	char buf[65536];
	ssize_t n = TEMP_FAILURE_RETRY(read(from, buf, sizeof(buf)));
	if (n <= 0)
		return n;
	if (write_all(to, buf, (size_t)n) < 0)
		return -1;
	return n;
}

static void on_signal(struct loop *l, const struct signalfd_siginfo *si, void *data)
{
	struct monitor *m = data;
	int sig = (int)si->ssi_signo;
	if (sig == SIGCHLD) {
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			if (p == m->rt->pid) {
				m->exited = true;
				m->wstatus = st;
				loop_stop(l);
			}
		}
	} else if (sig == SIGWINCH) {
		copy_winsize(m);
	} else if (!m->exited) {
		rt_kill(m->rt, sig);
	}
}

static void on_master(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)revents;
	struct monitor *m = data;
	if (relay(fd, STDOUT_FILENO) > 0)
		return;
	/* EIO: every slave is closed; stdin has nowhere to go either */
	loop_watch_remove(l, w);
	loop_watch_remove(l, m->stdin_w);
	m->master_w = m->stdin_w = NULL;
}

static void on_stdin(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)revents;
	struct monitor *m = data;
	if (relay(fd, m->rt->pty_master) > 0)
		return;
	m->stdin_open = false;
	/* end of input: what ^D does at a terminal */
	char eot = 4;
	write_all(m->rt->pty_master, &eot, 1);
	loop_watch_remove(l, w);
	m->stdin_w = NULL;
}

/* Relays the pty and forwards signals until the container exits. */
static void watch(struct monitor *m)
{
	if (m->rt->pty_master >= 0) {
		m->master_w = loop_watch_add(m->loop, m->rt->pty_master, POLLIN, on_master, m);
		if (m->stdin_open)
			m->stdin_w = loop_watch_add(m->loop, STDIN_FILENO, POLLIN, on_stdin, m);
	}
	struct burrow_err *e = NULL;
	if (loop_run(m->loop, &e) < 0) {
		burrow_err_free(e);
		/* cannot watch it any more: end it rather than leave it unwatched */
		rt_kill(m->rt, SIGKILL);
		if (waitpid_eintr(m->rt->pid, &m->wstatus, 0) == m->rt->pid)
			m->exited = true;
	}
	loop_watch_remove(m->loop, m->master_w);
	loop_watch_remove(m->loop, m->stdin_w);
	m->master_w = m->stdin_w = NULL;
	/* what is left in the pty after the end */
	if (m->rt->pty_master >= 0) {
		int fl = fcntl(m->rt->pty_master, F_GETFL);
		fcntl(m->rt->pty_master, F_SETFL, fl | O_NONBLOCK);
		while (relay(m->rt->pty_master, STDOUT_FILENO) > 0)
			;
	}
}

/* ctr_delete, noting that it happened (the lock file then goes too). */
static int delete_ctr(struct state_store *s, const struct ctr_config *c, bool *deleted, struct burrow_err **err)
{
	*deleted = true;
	return ctr_delete(s, c, err);
}

int ctr_run_foreground(struct state_store *s, struct ctr_config *c, const struct ctr_engine_opts *eng, bool fresh,
                       int *exit_code, struct burrow_err **err)
{
	struct netns_cfg ncfg;
	if (netns_parse(c->network, &ncfg, err) < 0)
		return -1;
	int lock = state_lock(s, c->id, err);
	if (lock < 0)
		return -1;
	struct monitor m = {.c = c, .stdin_open = c->interactive, .term = CTR_TERM_INIT};
	struct ctr_run run = {0};
	cleanup_free char *dir = ctr_dir(s, c->id);
	/* compiled seccomp filters: the runtime dir is private and gone
	 * after a reboot (a new kernel, maybe a new libseccomp) */
	cleanup_free char *sc_cache = path_join(state_runroot(s), "seccomp");
	int ret = -1;
	bool deleted = false;
	sigset_t mask, oldmask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGWINCH);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&mask, forwarded[i]);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);

	if (ctr_run_load(s, c->id, &run, err) < 0 || ctr_state_check(c->name, run.state, CTR_CREATED, err) < 0)
		goto fail_prepare;
	ctr_run_clear(&run);
	run.monitor_pid = getpid();
	run.monitor_start = proc_start_time(run.monitor_pid);
	run.mountpoint = ctr_prepare(s, c, eng, &ncfg, &run.fuse_pid, err);
	if (!run.mountpoint)
		goto fail_prepare;
	if (ctr_set_state(s, c, &run, CTR_CREATED, err) < 0)
		goto fail_cleanup;

	m.loop = loop_new();
	if (!loop_signals_add(m.loop, &mask, on_signal, &m, err))
		goto fail_cleanup;
	struct rt_opts ro = {.stdio = {c->interactive ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO},
	                     .terminal = c->tty,
	                     .keyring = c->id,
	                     .seccomp_cache = sc_cache};
	/* the runtime clones with signals blocked; the init unblocks its own */
	if (rt_create(dir, &ro, &m.rt, err) < 0)
		goto fail_cleanup;
	run.pid = m.rt->pid;
	if (ncfg.mode == NETNS_SLIRP) {
		int tapfd = -1;
		if (netns_tap_open(m.rt->pid, &ncfg, &tapfd, err) < 0)
			goto fail_kill;
		if (!(m.slirp = netns_slirp_new(m.loop, tapfd, &ncfg, err)))
			goto fail_kill;
	}
	if (c->tty) {
		if (c->interactive)
			ctr_term_raw(&m.term, STDIN_FILENO);
		copy_winsize(&m);
	}
	if (rt_start(m.rt, err) < 0) {
		int st;
		waitpid_eintr(m.rt->pid, &st, 0);
		run.exit_code = rt_exec_exit_code(*err);
		m.exited = true;
		goto finish;
	}
	run.started_at = (long long)time(NULL);
	run.pid_start = proc_start_time(run.pid);
	/* burrow.tdb first: from here on the container's liveness survives
	 * the runtime dir (see config_running) */
	ctr_config_set_last(c, &run, state_boot_id(s));
	if (ctr_config_save(s, c, err) < 0 || ctr_set_state(s, c, &run, CTR_RUNNING, err) < 0)
		goto fail_kill;
	state_unlock(lock);
	lock = -1;

	watch(&m);
	run.exit_code = rt_exit_code(m.wstatus);
	ret = 0;
finish:
	ctr_term_restore(&m.term);
	if (lock < 0) {
		/* the lock file lives in the runtime dir: when that was removed
		 * while the container ran, the end is recorded all the same */
		struct burrow_err *le = NULL;
		if ((lock = state_lock(s, c->id, &le)) < 0) {
			burrow_debug("container '%s': %s: recording its end without the lock", str_quote(c->name),
			             le->msg);
			burrow_err_free(le);
		}
	}
	run.finished_at = (long long)time(NULL);
	*exit_code = run.exit_code;
	{
		/* the end in burrow.tdb first (it survives a reboot, and is what
		 * counts when the runtime dir was removed meanwhile); --rm
		 * deletes it anyway */
		struct burrow_err *e2 = NULL;
		ctr_config_set_last(c, &run, state_boot_id(s));
		if ((!c->rm && ctr_config_save(s, c, &e2) < 0) || ctr_set_state(s, c, &run, CTR_STOPPED, &e2) < 0 ||
		    ctr_cleanup(s, c, &run, &e2) < 0 || (c->rm && delete_ctr(s, c, &deleted, &e2) < 0)) {
			if (ret == 0) {
				burrow_err_free(*err);
				*err = e2;
				ret = -1;
			} else {
				burrow_err_free(e2);
			}
		}
	}
	goto out;

fail_kill:
	rt_kill(m.rt, SIGKILL);
	waitpid_eintr(m.rt->pid, NULL, 0);
fail_cleanup : {
	struct burrow_err *e2 = NULL;
	run.exit_code = -1;
	if (ctr_cleanup(s, c, &run, &e2) < 0) {
		burrow_err_free(e2);
		goto out; /* still mounted: its files stay */
	}
}
fail_prepare : {
	/* burrow failed before the container ran (nothing is mounted now): a
	 * container made for this run goes again (records, name, directories),
	 * as does a --rm one */
	struct burrow_err *e2 = NULL;
	if ((c->rm || fresh) && delete_ctr(s, c, &deleted, &e2) < 0)
		burrow_err_free(e2);
}
out:
	ctr_term_restore(&m.term);
	if (m.slirp)
		netns_slirp_free(m.slirp);
	if (m.rt)
		rt_container_free(m.rt);
	loop_free(m.loop);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	if (lock >= 0 && deleted)
		state_unlock_remove(s, c->id, lock); /* it is gone: its lock file too */
	else if (lock >= 0)
		state_unlock(lock);
	ctr_run_clear(&run);
	return ret;
}
