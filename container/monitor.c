/* The monitor (container/monitor.h): started by ctr_start as a daemon; it
 * prepares and starts the container, records its end, cleans up and
 * applies the restart policy. Its stdio and attach clients are in
 * monitor_io.c; it never touches a terminal (container/terminal.h does). */
#include "container/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/attach.h"
#include "container/freezer.h"
#include "container/events.h"
#include "container/hooks.h"
#include "container/internal.h"
#include "container/monitor_health.h"
#include "container/monitor_io.h"
#include "container/monitor_timeout.h"
#include "container/shm.h"
#include "container/nsmode.h"
#include "container/resources.h"
#include "container/update.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/memtrim.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "netns/ports.h"
#include "runtime/runtime.h"
#include "state/state.h"

/* How long the starter waits for the monitor's word; every step of the
 * monitor's start is bounded on its own (mount, init setup and exec 30 s
 * each, tap 10 s), this bounds them all. */
#define START_TIMEOUT_MS 120000
/* How long the monitor waits for its clients to take the last of the
 * output and the exit code. */
#define END_FLUSH_MS 10000
/* Restart back-off: 100 ms, doubling, at most 10 s. */
#define RESTART_FIRST_MS 100
#define RESTART_MAX_MS 10000
/* The monitor gives back its set-up's memory this long after a start. */
#define TRIM_AFTER_MS 100

char *ctr_exit_file(struct state_store *s, const char *id)
{
	return xasprintf("%s/exits/%s", state_runroot(s), id);
}

char *ctr_monitor_pidfile(struct state_store *s, const char *id)
{
	cleanup_free char *rundir = ctr_rundir(s, id);
	return path_join(rundir, "conmon.pid");
}

int ctr_exit_file_read(struct state_store *s, const char *id, int *code, long long *when)
{
	cleanup_free char *path = ctr_exit_file(s, id);
	cleanup_free char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0) {
		burrow_err_free(e);
		return 0;
	}
	long long v;
	struct stat st;
	text[strcspn(text, "\n")] = '\0';
	if (str_to_ll(text, -1, 255, &v) < 0 || stat(path, &st) < 0)
		return 0;
	*code = (int)v;
	*when = (long long)st.st_mtime;
	return 1;
}

static void write_exit_file(struct mon *m, int code)
{
	cleanup_free char *dir = xasprintf("%s/exits", state_runroot(m->s));
	cleanup_free char *path = ctr_exit_file(m->s, m->c->id);
	char text[16];
	int n = snprintf(text, sizeof(text), "%d\n", code);
	struct burrow_err *e = NULL;
	if (mkdir_p(dir, 0700, &e) < 0 || write_file_atomic(path, text, (size_t)n, 0600, &e) < 0) {
		burrow_warn("container '%s': %s", str_quote(m->c->name), e->msg);
		burrow_err_free(e);
	}
}

static void remove_exit_file(struct mon *m)
{
	cleanup_free char *path = ctr_exit_file(m->s, m->c->id);
	unlink(path);
}

/* The container's lock, taken again by the monitor for the end and for a
 * restart. The lock file lives in the runtime dir: when that was removed
 * while the container ran, it goes on without it. */
static void relock(struct mon *m)
{
	if (m->lockfd >= 0)
		return;
	struct burrow_err *e = NULL;
	m->lockfd = state_lock(m->s, m->c->id, &e);
	if (m->lockfd < 0) {
		burrow_debug("container '%s': %s: going on without the lock", str_quote(m->c->name), e->msg);
		burrow_err_free(e);
	}
}

static void unlock(struct mon *m, bool removed)
{
	if (m->lockfd >= 0 && removed)
		state_unlock_remove(m->s, m->c->id, m->lockfd); /* it is gone: its lock file too */
	else if (m->lockfd >= 0)
		state_unlock(m->lockfd);
	m->lockfd = -1;
}

/* The starter's channel: STARTED, or ERROR with an exit code. */
static void report_started(struct mon *m)
{
	if (m->starter < 0)
		return;
	uint8_t p[16];
	int32_t pid = m->run.pid, mpid = m->run.monitor_pid;
	uint64_t mstart = m->run.monitor_start;
	memcpy(p, &pid, 4);
	memcpy(p + 4, &mpid, 4);
	memcpy(p + 8, &mstart, 8);
	/* run without -d, start -a: after start, as podman; here, because
	 * died (the loop's) cannot come before it */
	if (m->starter_attach)
		ctr_event(m->s, m->c, "attach");
	ctr_attach_send(m->starter, CTR_ATTACH_STARTED, p, sizeof(p), 0);
	if (m->starter_attach) {
		ctr_mon_client_add(m, m->starter, m->starter_stdin);
	} else {
		close(m->starter);
	}
	m->starter = -1;
}

static void report_error(struct mon *m, int code, const struct burrow_err *e)
{
	if (m->starter < 0) {
		burrow_warn("container '%s': %s", str_quote(m->c->name), e->msg);
		return;
	}
	ctr_attach_send_error(m->starter, code, e);
	close(m->starter);
	m->starter = -1;
}

/* Everything a run made, gone: the container init (killed and reaped),
 * its stdio, the network. */
static void end_processes(struct mon *m)
{
	if (m->rt && !m->exited) {
		rt_kill(m->rt, SIGKILL);
		waitpid_eintr(m->rt->pid, &m->wstatus, 0);
		m->exited = true;
	}
	ctr_mon_health_stop(m);
	ctr_mon_timeout_stop(m);
	ctr_mon_io_close(m);
	ctr_mon_sdnotify_close(m);
	ctr_mon_ports_stop(m, false); /* before the slirp stack it may use */
	if (m->slirp)
		netns_slirp_free(m->slirp);
	m->slirp = NULL;
	if (m->rt)
		rt_container_free(m->rt);
	m->rt = NULL;
}

/* Whether the policy restarts a container that ended on its own with
 * code (shouldRestart in the seeds). */
static bool policy_restarts(const struct ctr_config *c, int code)
{
	const char *p = c->restart_policy;
	if (!p || strcmp(p, "no") == 0)
		return false;
	if (strcmp(p, "on-failure") == 0)
		return code != 0 && (c->restart_max <= 0 || (int)c->restart_count < c->restart_max);
	return strcmp(p, "always") == 0 || strcmp(p, "unless-stopped") == 0;
}

/* burrow rename may have renamed the container while it ran, burrow
 * update changed its restart policy or limits: the stored name, policy and
 * limits are the ones to keep when its record is saved again. */
static void adopt(struct mon *m, struct ctr_config *now)
{
	if (now->name && strcmp(now->name, m->c->name) != 0) {
		free(m->c->name);
		m->c->name = steal_ptr(now->name);
	}
	ctr_update_adopt(m->c, now);
}

static void adopt_name(struct mon *m)
{
	struct ctr_config now = {0};
	struct burrow_err *e = NULL;
	if (ctr_config_load(m->s, m->c->id, &now, &e) == 0)
		adopt(m, &now);
	burrow_err_free(e);
	ctr_config_clear(&now);
}

/* The restart decided at its end is off (why: for the debug log): the
 * count as it was (record_end raised it), the run r no longer
 * restarting, the host ports free. */
static void restart_cancel(struct mon *m, struct ctr_run *r, const char *why)
{
	struct burrow_err *e = NULL;
	m->c->restart_count--;
	m->restart = r->restarting = false;
	if (ctr_config_save(m->s, m->c, &e) < 0 || ctr_run_save(m->s, m->c->id, r, &e) < 0) {
		burrow_warn("container '%s': cannot record that it does not restart: %s", str_quote(m->c->name),
		            e->msg);
		burrow_err_free(e);
	}
	ctr_mon_ports_stop(m, true);
	burrow_debug("container '%s': %s: not restarted", str_quote(m->c->name), why);
}

/* A --rm container that others require (ctr_delete refused it: nothing
 * deleted) stays, as podman's cleanup --rm leaves it: stopped, its end in
 * its record (a start of a dependent starts it again; rm --depend removes
 * them all). Why goes to its log and to the run attached to it. */
static void keep_required(struct mon *m, enum ctr_state was, bool ran, const struct burrow_err *why)
{
	struct burrow_err *e = NULL;
	m->removed = false;
	m->run.state = was;
	if (ctr_run_save(m->s, m->c->id, &m->run, &e) < 0 || (ran && ctr_config_save(m->s, m->c, &e) < 0)) {
		burrow_warn("container '%s': cannot record its end: %s", str_quote(m->c->name), e->msg);
		burrow_err_free(steal_ptr(e));
	}
	cleanup_free char *warn = xasprintf("%s: it stays (--rm)", why->msg);
	burrow_warn("%s", warn);
	ctr_mon_warn_user(m, warn);
}

/* The container ended, or never got to run: its end recorded, the
 * network down, unmounted (exited), removed with --rm, the restart
 * decided. ran: its init was started (code: its exit code, or 126/127
 * when its command could not be run); otherwise burrow failed before,
 * and a container made for this start goes again. may_restart: the
 * policy applies (it ran). Sets m->removed and m->restart. Under the lock (taken again here). */
static void record_end(struct mon *m, int code, bool ran, bool may_restart)
{
	struct burrow_err *e = NULL;
	relock(m);
	/* what others wrote meanwhile counts: a stop or kill set stopping */
	struct ctr_run now = {0};
	if (ctr_run_load(m->s, m->c->id, &now, &e) == 0 && now.monitor_pid == m->run.monitor_pid &&
	    now.monitor_start == m->run.monitor_start) {
		m->run.state = now.state;
		m->run.user_ended = now.user_ended;
	}
	burrow_err_free(steal_ptr(e));
	ctr_run_clear(&now);
	m->stopped_by_user = m->run.state == CTR_STOPPING || m->run.user_ended;
	trace_mark("end: relocked+loaded");
	if (m->stopped_by_user)
		m->c->user_stopped = true;
	if (ran)
		adopt_name(m);
	trace_mark("end: adopted");
	m->restart =
	    may_restart && !m->c->rm && !m->stopped_by_user && (policy_restarts(m->c, code) || m->health_restart);
	/* the host ports are free before anyone sees it stopped (a restart
	 * keeps them) */
	if (!m->restart)
		ctr_mon_ports_stop(m, true);
	m->removed = false;
	bool prepared = m->run.state != CTR_CONFIGURED && m->run.state != CTR_EXITED;

	bool stopping = m->run.state == CTR_STOPPING; /* by stop or rm -f: a "stop" event */
	m->run.exit_code = ran ? code : -1;
	long long end = time_wall_ns();
	m->run.finished_at = end / 1000000000LL;
	m->run.finished_ns = (int)(end % 1000000000LL);
	if (ran) {
		/* the end in burrow.tdb, with the restart count, in one
		 * transaction: it survives a reboot, and counts when the runtime
		 * dir was removed meanwhile; none with --rm: it is deleted */
		if (m->restart)
			m->c->restart_count++;
		ctr_config_set_last(m->c, &m->run, state_boot_id(m->s));
		/* restarting from the first record of the end: inspect and ps
		 * never read a stopped run whose restart is due as one that
		 * will not come back */
		m->run.restarting = m->restart;
		if ((!m->c->rm && ctr_config_save(m->s, m->c, &e) < 0) ||
		    ctr_set_state(m->s, m->c, &m->run, CTR_STOPPED, &e) < 0) {
			burrow_warn("container '%s': cannot record its end: %s", str_quote(m->c->name), e->msg);
			burrow_err_free(steal_ptr(e));
		}
		ctr_event_died(m->s, m->c, code, stopping);
		trace_mark("end: stopped saved+event");
		/* for tests: a window in which it reads stopped */
		proc_test_delay("BURROW_TEST_END_DELAY_MS");
	}
	end_processes(m);
	ctr_mon_listen_close(m);
	m->run.restarting = m->restart;
	trace_mark("end: processes ended");
	if (prepared && ctr_cleanup(m->s, m->c, &m->run, &e) < 0) {
		/* still mounted: its files stay, and it does not restart, nor
		 * counts the restart decided above */
		burrow_warn("%s", e->msg);
		burrow_err_free(steal_ptr(e));
		if (m->restart) {
			restart_cancel(m, &m->run, "its cleanup failed");
		} else if (ctr_run_save(m->s, m->c->id, &m->run, &e) < 0) {
			burrow_warn("container '%s': cannot record its end: %s", str_quote(m->c->name), e->msg);
			burrow_err_free(steal_ptr(e));
		}
		return;
	}
	if (!prepared) {
		/* a start that failed early: its runtime files go, its state stays */
		cleanup_free char *rundir = ctr_rundir(m->s, m->c->id);
		if (rm_rf(rundir, &e) < 0)
			burrow_err_free(steal_ptr(e));
	}
	trace_mark("end: cleaned up");
	if (m->c->rm || (!ran && m->fresh)) {
		/* a container made for this run that burrow could not start
		 * goes again (records, name, directories), as does a --rm one */
		m->removed = true;
		enum ctr_state was = m->run.state;
		if ((prepared && ctr_set_state(m->s, m->c, &m->run, CTR_REMOVING, &e) < 0) ||
		    ctr_delete(m->s, m->c, true, true, &e) < 0) {
			if (e->status == EEXIST) {
				keep_required(m, was, ran, e);
				burrow_err_free(e);
				return;
			}
			burrow_warn("%s", e->msg);
			burrow_err_free(steal_ptr(e));
		}
		/* in the log, which goes with the container, and to the run
		 * attached to it */
		cleanup_free char *warn = ctr_rmi_after(m->s, m->c);
		if (warn) {
			burrow_warn("%s", warn);
			ctr_mon_warn_user(m, warn);
		}
		trace_mark("end: deleted");
	}
}

/* Without a PID namespace of its own, the container's other processes
 * do not die with its init: its mount namespace is held from its start
 * (the init is our child: its pid cannot name another meanwhile), to
 * find and kill them at its end, as the kernel does with a namespace's
 * init (members.h). */
static void members_open(struct mon *m)
{
	ctr_members_close(&m->members);
	if (ctr_nsmode_own_pid(m->c))
		return;
	cleanup_err struct burrow_err *e = NULL;
	if (ctr_members_open(&m->members, CTR_MEMBERS_MNT, m->run.pid, m->run.pid_start, &e) < 0)
		burrow_debug("%s", e->msg);
}

static void members_end(struct mon *m)
{
	if (m->members.ns.fd >= 0)
		(void)ctr_members_signal(&m->members, SIGKILL, 0, 0, NULL);
	ctr_members_close(&m->members);
}

/* The container's init, created (rt_create) from inside its own cgroup
 * where one can be made: that roots its cgroup namespace there (as
 * podman's), and the monitor goes back to its own before the init runs.
 * Then its limits, or the freezer's cgroup made after. */
static int create_init(struct mon *m, const char *dir, const struct rt_opts *ro, struct burrow_err **err)
{
	cleanup_free char *cg = ctr_cgroup_premake(m->c);
	cleanup_free char *home = cg ? ctr_cg2_dir_of(0) : NULL;
	bool inside = false;
	if (home) {
		cleanup_err struct burrow_err *e = NULL;
		inside = ctr_cg2_move(cg, getpid(), &e) == 0;
		if (!inside)
			burrow_debug("%s", e->msg);
	}
	/* the runtime clones with signals blocked; the init unblocks its own */
	int created = rt_create(dir, ro, &m->rt, err);
	/* a monitor left in there would be frozen by pause */
	if (inside && ctr_cg2_move(home, getpid(), created < 0 ? NULL : err) < 0 && created == 0)
		return -1;
	if (created < 0)
		return -1;
	m->run.pid = m->rt->pid;
	m->run.pid_start = proc_start_time(m->run.pid);
	members_open(m);
	return ctr_cgroup_setup(m->c, inside ? cg : NULL, m->rt->pid, err);
}

/* What create takes and podman's OCI runtime refuses at its start (126,
 * as podman): a hostname longer than the kernel's HOST_NAME_MAX bytes
 * (another's UTS namespace keeps its own), a container:X namespace that
 * is the host's (ctr_nsmode_peers_check). Said before anything is done. */
static int runtime_refuses(struct mon *m, int *code, struct burrow_err **err)
{
	const struct ctr_config *c = m->c;
	if (!c->uts_mode && c->hostname && strlen(c->hostname) > HOST_NAME_MAX)
		burrow_error(err, 0, "cannot set the hostname to '%s': longer than the kernel's %d bytes",
		             str_quote(c->hostname), HOST_NAME_MAX);
	else if (ctr_nsmode_peers_check(m->s, c, err) == 0)
		return 0;
	*code = 126;
	return -1;
}

static int exec_container(struct mon *m, int *code, struct burrow_err **err);

/* Prepares and starts the container: 0 once it runs, or -1 with the code
 * (125, 126, 127) and what was done undone. With m->init_only (burrow
 * init) it stops short of the exec: 0 once its init waits, m->waiting
 * (created, still under the lock), for ctr_mon_go. */
static int start_container(struct mon *m, int *code, struct burrow_err **err)
{
	*code = 125;
	remove_exit_file(m);
	m->exited = false;
	free(m->run.reason);
	m->run.reason = NULL;
	struct ctr_run now = {0};
	if (ctr_run_load(m->s, m->c->id, &now, err) < 0 ||
	    ctr_state_check(m->c->name, now.state, CTR_CREATED, err) < 0) {
		ctr_run_clear(&now);
		return -1;
	}
	/* a rootfs that burrow mount mounted while it was stopped: mounted
	 * anew (at the same path) for the run, its mount count kept */
	if (now.mountpoint && !m->c->rootfs && ovl_umount(now.mountpoint, now.fuse_pid, err) < 0) {
		ctr_run_clear(&now);
		return -1;
	}
	ctr_run_clear(&m->run);
	m->run.state = now.state;
	m->run.mount_count = now.mount_count;
	ctr_run_clear(&now);
	m->run.monitor_pid = getpid();
	m->run.monitor_start = proc_start_time(m->run.monitor_pid);
	cleanup_free char *dir = ctr_dir(m->s, m->c->id);
	cleanup_free char *rundir = ctr_rundir(m->s, m->c->id);
	/* compiled seccomp filters: the runtime dir is private and gone
	 * after a reboot (a new kernel, maybe a new libseccomp) */
	cleanup_free char *sc_cache = ctr_seccomp_cache(m->s);
	cleanup_close int pidns_lock = -1; /* ctr_pidns_join_lock's */

	/* its ports before anything else: one in use leaves nothing behind */
	trace_mark("mon: run loaded");
	if (runtime_refuses(m, code, err) < 0 || ctr_mon_ports_bind(m, code, err) < 0)
		goto fail;
	/* --network container:ID: its namespace, while it runs */
	const struct netns_cfg *pcfg = &m->ncfg;
	if (m->ncfg.mode == NETNS_CONTAINER) {
		if (ctr_mon_net_join(m, &m->joined, code, err) < 0)
			goto fail;
		pcfg = &m->joined;
	}
	if (ctr_mon_sdnotify_open(m, err) < 0)
		goto fail;
	trace_mark("mon: prepare");
	strv_free(m->run.binds);
	m->run.mountpoint = ctr_prepare(m->s, m->c, &m->eng, pcfg, &m->run.fuse_pid, &m->run.binds, err);
	if (!m->run.mountpoint) {
		/* its user cannot be looked up (its /etc/passwd a directory):
		 * 126, as podman's "unable to find user" */
		if ((*err)->status == CTR_ENOUSER)
			*code = 126;
		goto fail;
	}
	trace_mark("mon: prepared");
	if (ctr_set_state(m->s, m->c, &m->run, CTR_CREATED, err) < 0 || ctr_mon_listen(m, rundir, err) < 0 ||
	    ctr_mon_log_open(m, err) < 0)
		goto fail;
	ctr_event(m->s, m->c, "init");
	trace_mark("mon: created state+listen+log+event");
	{
		/* who runs it, for tests and tools: "PID START" as keeper.pid */
		cleanup_free char *pidfile = path_join(rundir, "monitor.pid");
		cleanup_free char *text = xasprintf("%d %llu\n", (int)m->run.monitor_pid, m->run.monitor_start);
		cleanup_free char *conmon = ctr_monitor_pidfile(m->s, m->c->id);
		cleanup_free char *pid = xasprintf("%d\n", (int)m->run.monitor_pid);
		if (write_file(pidfile, text, strlen(text), 0600, err) < 0 ||
		    write_file(conmon, pid, strlen(pid), 0600, err) < 0)
			goto fail;
	}
	struct rt_opts ro = {.stdio = {-1, -1, -1},
	                     .terminal = m->c->tty,
	                     .keyring = m->c->id,
	                     .seccomp_cache = sc_cache,
	                     .preserve_fds = m->preserve_fds};
	if (ctr_mon_io_prepare(m, &ro, err) < 0)
		goto fail;
	trace_mark("mon: pidfiles+io");
	/* joining a PID namespace: no pause of its owner walks it from the
	 * clone until the run record names the init (nsmode.h); the init
	 * lets go of its copy of the lock at once (unlock_fd), and of the
	 * container's, which burrow init's monitor lets go of before the
	 * exec */
	if (ctr_nsmode_joins_pid(m->c) && (pidns_lock = ctr_pidns_join_lock(m->s, err)) < 0)
		goto fail;
	ro.unlock_fd[0] = pidns_lock;
	ro.unlock_fd[1] = m->lockfd;
	if (create_init(m, dir, &ro, err) < 0 || ctr_pidfile_write(m->c, m->rt->pid, err) < 0)
		goto fail;
	trace_mark("mon: init created");
	/* for tests: a window in which its init is set up (reachable in a PID
	 * namespace it joined) and its record does not name it yet */
	proc_test_delay("BURROW_TEST_INIT_CREATED_DELAY_MS");
	if (ctr_run_save(m->s, m->c->id, &m->run, err) < 0)
		goto fail;
	/* before the prestart hooks: a slow one would hold up every pause of
	 * a container with a PID namespace of its own, and one that pauses
	 * such a container would wait for itself */
	state_unlock(steal_fd(pidns_lock));
	if (ctr_hooks_run_prestart(m->c, m->rt->pid, dir, err) < 0) {
		*code = 126; /* as podman: the OCI runtime failed */
		goto fail;
	}
	trace_mark("mon: run saved+hooks");
	if (ctr_mon_io_start(m, err) < 0)
		goto fail;
	if (m->ncfg.mode == NETNS_SLIRP) {
		int tapfd = -1;
		if (netns_tap_open(m->rt->pid, &m->ncfg, &tapfd, err) < 0)
			goto fail;
		if (!(m->slirp = netns_slirp_new(m->loop, tapfd, &m->ncfg, err)))
			goto fail;
	}
	/* burrow init: its init waits, set up, until start says go */
	m->waiting = m->init_only;
	if (m->waiting)
		return 0;
	return exec_container(m, code, err);
fail:
	record_end(m, -1, false, false);
	return -1;
}

/* Lets the init start_container created exec its command: 0 once it
 * runs (recorded running, the lock released), or -1 with the code and what
 * was done undone, as start_container. */
static int exec_container(struct mon *m, int *code, struct burrow_err **err)
{
	*code = 125;
	cleanup_free char *dir = ctr_dir(m->s, m->c->id);
	cleanup_close int nsfd = -1; /* the container's network namespace, for its ports */
	/* the namespace while it surely exists (the command may end at once) */
	if (m->fwd && (nsfd = netns_ns_open(m->rt->pid, err)) < 0)
		goto fail;
	trace_mark("mon: net ready, exec");
	if (rt_start(m->rt, err) < 0) {
		/* its command cannot be run: 126, or 127 when it is not there */
		*code = rt_exec_exit_code(*err);
		waitpid_eintr(m->rt->pid, &m->wstatus, 0);
		m->exited = true;
		ctr_mon_io_drain(m);
		write_exit_file(m, *code);
		record_end(m, *code, true, false);
		return -1;
	}
	if (ctr_mon_ports_start(m, nsfd, err) < 0)
		goto fail;
	trace_mark("mon: execed");
	{
		cleanup_free char *warn = ctr_hooks_run_warn(m->c, "poststart", "running", m->rt->pid, dir);
		if (warn)
			ctr_mon_warn_user(m, warn);
		cleanup_free char *stale = ctr_shm_stale_joiners(m->s, m->c);
		if (stale) {
			burrow_warn("%s", stale);
			ctr_mon_warn_user(m, stale);
		}
	}
	long long begin = time_wall_ns();
	m->run.started_at = begin / 1000000000LL;
	m->run.started_ns = (int)(begin % 1000000000LL);
	/* burrow.tdb first (a --rm one's --rm file, without fsyncs): from
	 * here on the container's liveness survives the runtime dir (see
	 * config_running) */
	ctr_config_set_last(m->c, &m->run, state_boot_id(m->s));
	if (ctr_config_save(m->s, m->c, err) < 0 || ctr_set_state(m->s, m->c, &m->run, CTR_RUNNING, err) < 0)
		goto fail;
	ctr_event(m->s, m->c, "start");
	trace_mark("mon: running saved+event");
	unlock(m, false);
	ctr_mon_health_start(m);
	ctr_mon_timeout_start(m);
	return 0;
fail:
	record_end(m, -1, false, false);
	return -1;
}

static void on_trim_timer(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	(void)data;
	mem_trim();
}

static void on_end_timer(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	struct mon *m = data;
	/* a client that does not take its exit code is not waited for */
	ctr_mon_clients_free(m);
	m->awaiting_clients = false;
	ctr_mon_clients_done(m);
}

/* After the backoff, with the policy adopted: whether it still restarts
 * the container (update --restart=no meanwhile says no). Its count was
 * raised for this restart at its end. */
static bool restart_still_due(struct mon *m)
{
	if (m->health_restart)
		return true;
	m->c->restart_count--;
	bool due = policy_restarts(m->c, m->run.exit_code);
	m->c->restart_count++;
	return due;
}

/* The clients have the exit code: the monitor's work is done, unless a
 * restart is due. */
static void after_end(struct mon *m);

static void on_restart(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	struct mon *m = data;
	struct burrow_err *e = NULL;
	relock(m);
	/* still ours to restart? a stop, rm or start meanwhile says no */
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	bool go = ctr_config_load(m->s, m->c->id, &c, &e) == 0 && ctr_run_load(m->s, m->c->id, &r, &e) == 0 &&
	          r.state == CTR_EXITED && r.restarting && r.monitor_pid == m->run.monitor_pid &&
	          r.monitor_start == m->run.monitor_start;
	/* removed meanwhile: the lock file taken again here goes too */
	m->removed = e && e->status == ENOENT;
	burrow_err_free(steal_ptr(e));
	/* renamed or updated while it waited (up to RESTART_MAX_MS): the
	 * start saves m->c, which must not write the old name and limits
	 * back */
	if (go)
		adopt(m, &c);
	if (go && !restart_still_due(m)) {
		go = false;
		restart_cancel(m, &r, "its restart policy changed while it waited");
	}
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	int code;
	if (!go || start_container(m, &code, &e) < 0) {
		if (e) {
			burrow_warn("container '%s': cannot restart it: %s", str_quote(m->c->name), e->msg);
			burrow_err_free(e);
		}
		unlock(m, m->removed);
		loop_stop(m->loop);
		return;
	}
	ctr_event(m->s, m->c, "restart");
	burrow_debug("container '%s' restarted (%u)", str_quote(m->c->name), m->c->restart_count);
	mem_trim();
}

static void after_end(struct mon *m)
{
	if (!m->restart) {
		loop_stop(m->loop);
		return;
	}
	if (!m->restart_timer)
		m->restart_timer = loop_timer_add(m->loop, on_restart, m);
	loop_timer_arm(m->restart_timer, now_ms() + m->backoff_ms, 0);
	m->backoff_ms = m->backoff_ms * 2 > RESTART_MAX_MS ? RESTART_MAX_MS : m->backoff_ms * 2;
}

void ctr_mon_clients_done(struct mon *m)
{
	if (m->end_timer)
		loop_timer_disarm(m->end_timer);
	after_end(m);
}

static void container_ended(struct mon *m)
{
	/* killed by --timeout: -1, as podman's */
	int code = ctr_mon_timeout_stop(m) ? -1 : rt_exit_code(m->wstatus);
	trace_mark("end: sigchld");
	members_end(m);
	ctr_mon_io_drain(m);
	{ /* before anyone learns of its end */
		cleanup_free char *bundle = ctr_dir(m->s, m->c->id);
		cleanup_free char *warn = ctr_hooks_run_warn(m->c, "poststop", "stopped", 0, bundle);
		if (warn)
			ctr_mon_warn_user(m, warn);
		ctr_cgroup_remove(m->c);
	}
	trace_mark("end: drained+hooks+cgroup");
	/* --preserve-fds: kept until the container's first end, as podman's
	 * conmon keeps them (podman 4.3 with runc, run -d: a pipe's reader
	 * sees no end when the container closes fd 3, and sees it when the
	 * container exits); a restart runs without them, as podman's does */
	for (int fd = 3; fd < 3 + m->preserve_fds; fd++)
		close(fd);
	m->preserve_fds = 0;
	write_exit_file(m, code);
	/* an initialized one's init (burrow init) ended before its command
	 * ran: nothing for the policy to restart */
	record_end(m, code, true, !m->waiting);
	m->waiting = false;
	trace_mark("end: record_end done");
	unlock(m, m->removed);
	if (ctr_mon_clients_end(m, code)) {
		trace_mark("end: clients told");
		ctr_mon_clients_done(m);
		return;
	}
	/* clients still take output: bounded */
	m->awaiting_clients = true;
	if (!m->end_timer)
		m->end_timer = loop_timer_add(m->loop, on_end_timer, m);
	loop_timer_arm(m->end_timer, now_ms() + END_FLUSH_MS, 0);
}

void ctr_mon_go(struct mon *m, int fd, uint8_t flags, int lockfd)
{
	m->starter = fd;
	m->starter_attach = flags & CTR_ATTACH_GO_ATTACH;
	m->starter_stdin = (flags & CTR_ATTACH_WANT_STDIN) && m->c->interactive;
	/* the starter's lock: held until the start is recorded (one of ours
	 * already held: that one) */
	if (lockfd >= 0 && m->lockfd < 0 && m->waiting)
		m->lockfd = steal_fd(lockfd);
	state_unlock(lockfd);
	if (!m->waiting) {
		/* another start's go came first (a go without the lock:
		 * burrow start's holds it, and a second start finds the
		 * container running or exited): it runs (or ended: the
		 * starter reads the channel's end as the monitor's exit) */
		if (m->exited) {
			close(steal_fd(m->starter));
			return;
		}
		report_started(m);
		return;
	}
	struct burrow_err *e = NULL;
	int code = 125;
	relock(m);
	/* still the initialized container this monitor made? a stop or rm
	 * meanwhile says no */
	struct ctr_run now = {0};
	if (ctr_run_load(m->s, m->c->id, &now, &e) == 0 &&
	    (now.state != CTR_CREATED || now.monitor_pid != m->run.monitor_pid ||
	     now.monitor_start != m->run.monitor_start))
		burrow_error_status(&e, EINVAL, "cannot start container '%s': it is %s", str_quote(m->c->name),
		                    ctr_state_word(now.state));
	ctr_run_clear(&now);
	if (!e) {
		/* renamed or updated while it waited */
		adopt_name(m);
		m->waiting = m->init_only = false;
	}
	if (e || exec_container(m, &code, &e) < 0) {
		report_error(m, code, e);
		burrow_err_free(e);
		unlock(m, m->removed);
		if (m->exited)
			loop_stop(m->loop);
		return;
	}
	ctr_mon_sdnotify_started(m);
	report_started(m);
	mem_trim();
}

static void on_signal(struct loop *l, const struct signalfd_siginfo *si, void *data)
{
	(void)l;
	struct mon *m = data;
	if (si->ssi_signo != SIGCHLD)
		return;
	int st;
	pid_t p;
	/* fuse-overlayfs servers are children too: they are reaped here */
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (ctr_mon_health_reaped(m, p, st))
			continue;
		if (m->rt && p == m->rt->pid && !m->exited) {
			m->exited = true;
			m->wstatus = st;
			container_ended(m);
		}
	}
}

/* A daemon's process: its own session, "/" as working directory, stdio
 * on /dev/null (kept with passthrough: the container's stdio are the
 * caller's), no fd of the caller's but the ones it was given (and those
 * of --preserve-fds, 3 and up, below all of burrow's own), signals at
 * their defaults (SIGPIPE ignored: writes to a gone client fail with
 * EPIPE). */
static int daemonize(struct ctr_monitor_args *a, bool passthrough)
{
	if (state_reopen(a->s, NULL) < 0)
		return -1;
	/* root's binder of low host ports, until they are bound */
	int keep[6 + STATE_NDB] = {a->sock, a->lockfd, 0, 1, 2, netns_binder_fd()};
	state_fds(a->s, keep + 6);
	if (!passthrough) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int i = 0; null >= 0 && i < 3; i++)
			if (null != i)
				dup2(null, i);
		if (null > 2)
			close(null);
	}
	close_fds_keep_from(3 + a->preserve_fds, keep, 6 + STATE_NDB);
	/* no program the monitor runs (fuse-overlayfs, hooks) holds them: the
	 * monitor does, until the container's first end (container_ended),
	 * when a pipe's reader sees its end; the init takes close-on-exec off
	 * at its exec */
	for (int fd = 3; fd < 3 + a->preserve_fds; fd++)
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
			return -1;
	/* for the tests: a monitor fd without close-on-exec, which the
	 * programs the monitor runs must close all the same (hooks.bats) */
	if (getenv("BURROW_TEST_MONITOR_FDS_INHERITABLE"))
		for (int fd = 3; fd < 3 + a->preserve_fds; fd++)
			if (fcntl(fd, F_SETFD, 0) < 0)
				return -1;
	if (chdir("/") < 0)
		return -1;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct sigaction dfl = {.sa_handler = SIG_DFL}, ign = {.sa_handler = SIG_IGN};
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, sig == SIGPIPE ? &ign : &dfl, NULL);
	prctl(PR_SET_NAME, "burrow-monitor", 0, 0, 0);
	return 0;
}

/* Its warnings: ROOT/containers/<id>/monitor.log. */
static void log_sink_open(struct mon *m)
{
	cleanup_free char *dir = ctr_dir(m->s, m->c->id);
	cleanup_free char *path = path_join(dir, "monitor.log");
	struct burrow_err *e = NULL;
	if (mkdir_p(dir, 0700, &e) < 0) {
		burrow_err_free(e);
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		burrow_log_to_fd(fd);
}

void ctr_monitor_main(struct ctr_monitor_args *a)
{
	bool passthrough = a->c->log_driver && strcmp(a->c->log_driver, "passthrough") == 0;
	trace_mark("mon: begin");
	if (daemonize(a, passthrough) < 0) {
		struct burrow_err *e = NULL;
		burrow_error(&e, errno, "cannot set up the container's monitor");
		ctr_attach_send_error(a->sock, 125, e);
		_exit(1);
	}
	struct mon m = {
	    .s = a->s,
	    .c = a->c,
	    .eng = a->eng,
	    .starter = a->sock,
	    .starter_attach = a->attach,
	    .starter_stdin = a->want_stdin,
	    .lockfd = a->lockfd,
	    .fresh = a->fresh,
	    .passthrough = passthrough,
	    .preserve_fds = a->preserve_fds,
	    .init_only = a->init_only,
	    .log = CTR_LOG_INIT,
	    .listen_fd = -1,
	    .backoff_ms = RESTART_FIRST_MS,
	    .members = CTR_MEMBERS_INIT,
	};
	ctr_mon_io_init(&m);
	ctr_mon_sdnotify_init(&m);
	log_sink_open(&m);
	trace_mark("mon: daemonized");
	struct burrow_err *err = NULL;
	int code = 125;
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	m.loop = loop_new();
	if (netns_parse_ext(m.c->network, NETNS_PARSE_JOIN, &m.ncfg, &err) < 0 ||
	    !loop_signals_add(m.loop, &mask, on_signal, &m, &err)) {
		record_end(&m, -1, false, false);
		goto fail;
	}
	if (start_container(&m, &code, &err) < 0)
		goto fail;
	trace_mark("mon: started");
	if (m.waiting)
		unlock(&m, false); /* initialized: start takes it from here */
	else
		ctr_mon_sdnotify_started(&m);
	report_started(&m);
	trace_mark("mon: reported");
	/* what the starting command left in the heap, and the pages of code
	 * the set-up ran, are not ours to keep: given back a little later, so
	 * that a container that ends at once (run --rm IMAGE true) does not
	 * wait for it (reading smaps: about 0.5 ms) */
	loop_timer_arm(loop_timer_add(m.loop, on_trim_timer, NULL), now_ms() + TRIM_AFTER_MS, 0);
	if (loop_run(m.loop, &err) < 0) {
		/* cannot watch it any more: end it rather than leave it unwatched */
		burrow_warn("container '%s': %s; killing it", str_quote(m.c->name), err->msg);
		burrow_err_free(steal_ptr(err));
		if (!m.exited) {
			end_processes(&m);
			m.exited = true;
			container_ended(&m);
		}
	}
	goto out;
fail:
	report_error(&m, code, err);
	burrow_err_free(err);
	unlock(&m, m.removed);
out:
	end_processes(&m);
	ctr_mon_ports_stop(&m, true);
	ctr_mon_clients_free(&m);
	ctr_mon_listen_close(&m);
	ctr_mon_health_free(&m);
	ctr_log_close(&m.log);
	ctr_mon_sdnotify_free(&m);
	loop_free(m.loop);
	_exit(0);
}

/* ---- the starting command's side ---- */

/* Waits for the monitor's first word on the starter's channel. */
static int await_start(int sock, const struct ctr_config *c, struct ctr_attached *out, int *exit_code,
                       struct burrow_err **err)
{
	uint8_t buf[1 + CTR_ATTACH_DATA_MAX];
	int64_t deadline = now_ms() + START_TIMEOUT_MS;
	ssize_t n;
	/* a poststart hook's warning may come before the start's word */
	do {
		int w = wait_fd(sock, POLLIN, deadline);
		if (w <= 0)
			return burrow_error(err, w == 0 ? ETIMEDOUT : errno, "container '%s': no word from its monitor",
			                    str_quote(c->name));
		n = ctr_attach_recv(sock, buf, sizeof(buf));
		if (n <= 0)
			return burrow_error(err, n < 0 ? errno : 0,
			                    "container '%s': its monitor exited while starting it", str_quote(c->name));
		if (buf[0] == CTR_ATTACH_WARN)
			burrow_warn("%.*s", (int)(n - 1), (const char *)buf + 1);
	} while (buf[0] == CTR_ATTACH_WARN);
	if (buf[0] == CTR_ATTACH_ERROR) {
		struct burrow_err *e = ctr_attach_parse_error(buf + 1, (size_t)n - 1, exit_code);
		if (!e)
			return burrow_error(err, EPROTO, "container '%s': a malformed error from its monitor",
			                    str_quote(c->name));
		burrow_err_free(*err);
		*err = e;
		return -1;
	}
	if (buf[0] != CTR_ATTACH_STARTED || n < 17)
		return burrow_error(err, EPROTO, "container '%s': unexpected message %#x from its monitor",
		                    str_quote(c->name), buf[0]);
	int32_t mpid;
	uint64_t mstart;
	memcpy(&mpid, buf + 5, 4);
	memcpy(&mstart, buf + 9, 8);
	(void)proc_ref_open(&out->monitor, mpid, mstart);
	return 0;
}

/* Starts an initialized container (under its lock, *lock, which is let
 * go once the monitor has its word): GO over a connection to its monitor,
 * which becomes the starter's channel. */
static int start_initialized(struct state_store *s, const char *id, const struct ctr_config *c,
                             const struct ctr_start_opts *o, int *lock, struct ctr_attached *out, int *exit_code,
                             struct burrow_err **err)
{
	cleanup_free char *rundir = ctr_rundir(s, id);
	cleanup_close int sock = ctr_attach_connect_dir(rundir, err);
	if (sock < 0)
		return burrow_error_wrap(err, "cannot start container '%s'", str_quote(c->name));
	uint8_t flags = (o->attach ? CTR_ATTACH_GO_ATTACH : 0) | (o->want_stdin ? CTR_ATTACH_WANT_STDIN : 0);
	/* the lock goes with it: the monitor holds it (the same open file)
	 * until the start is recorded, so another start waits for that and
	 * finds the container running or exited (attach.h's GO) */
	if (ctr_attach_send_fd(sock, CTR_ATTACH_GO, &flags, 1, *lock) < 0)
		return burrow_error(err, errno, "cannot start container '%s': its monitor does not listen",
		                    str_quote(c->name));
	state_unlock(steal_fd(*lock));
	trace_mark("start: go sent");
	if (await_start(sock, c, out, exit_code, err) < 0)
		return -1;
	out->tty = c->tty;
	out->has_stdin = o->want_stdin && c->interactive;
	if (o->attach)
		out->sock = steal_fd(sock);
	*exit_code = 0;
	return 0;
}

int ctr_start(struct state_store *s, const char *ref, const struct ctr_start_opts *o, struct ctr_attached *out,
              bool *already, int *exit_code, struct burrow_err **err)
{
	*exit_code = 125;
	*already = false;
	memset(out, 0, sizeof(*out));
	out->sock = -1;
	out->monitor = (struct proc_ref)PROC_REF_INIT;
	cleanup_free char *id = NULL;
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	cleanup_close int sock = -1;
	int lock = -1, ret = -1;
	if (ctr_start_dependencies(s, ref, o, err) < 0)
		goto out;
	int dead = ctr_lock_load(s, ref, &id, &lock, &c, &r, err);
	trace_mark("start: locked+loaded");
	if (dead < 0)
		goto out;
	if (dead == 1) {
		burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
		goto out;
	}
	/* running, or its monitor is about to restart it; or initialized */
	bool runs = r.state == CTR_RUNNING || r.state == CTR_PAUSED || (r.restarting && ctr_monitor_alive(&r));
	if (o->init_only && (runs || r.state == CTR_CREATED || r.state == CTR_STOPPING)) {
		*already = true;
		burrow_error_status(err, EINVAL, "cannot initialize container '%s': it is %s already",
		                    str_quote(c.name), r.state == CTR_CREATED ? "initialized" : "running");
		goto out;
	}
	if (r.state == CTR_CREATED) {
		/* its monitor holds it ready (a dead one made it exited) */
		ret = start_initialized(s, id, &c, o, &lock, out, exit_code, err);
		goto out;
	}
	if (runs) {
		*already = true;
		state_unlock(steal_fd(lock));
		ret = o->attach ? ctr_attach_open(s, id, o->want_stdin, out, err) : 0;
		goto out;
	}
	if (ctr_state_check(c.name, r.state, CTR_CREATED, err) < 0) {
		burrow_error_wrap(err, "cannot start container '%s'", str_quote(c.name));
		goto out;
	}
	/* the user starts it: the policy's count begins anew */
	c.restart_count = 0;
	c.user_stopped = false;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		burrow_error(err, errno, "cannot create a socket for the container's monitor");
		goto out;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* the middle child: a new session, then the monitor in it,
		 * which init (or a subreaper) inherits once we exit */
		close(sv[0]);
		setsid();
		pid_t mon = fork();
		if (mon == 0) {
			struct ctr_monitor_args a = {.s = s,
			                             .c = &c,
			                             .eng = *o->eng,
			                             .sock = sv[1],
			                             .lockfd = lock,
			                             .attach = o->attach,
			                             .want_stdin = o->want_stdin && c.interactive,
			                             .fresh = o->fresh,
			                             .init_only = o->init_only,
			                             .preserve_fds = o->preserve_fds};
			ctr_monitor_main(&a);
		}
		if (mon < 0) {
			struct burrow_err *e = NULL;
			burrow_error(&e, errno, "cannot fork the container's monitor");
			ctr_attach_send_error(sv[1], 125, e);
		}
		_exit(mon < 0);
	}
	int e = errno;
	close(sv[1]);
	trace_mark("start: forked");
	/* the monitor holds the lock now (the same open file) */
	state_unlock(steal_fd(lock));
	sock = sv[0];
	if (pid < 0) {
		burrow_error(err, e, "cannot fork the container's monitor");
		goto out;
	}
	(void)proc_wait_child(pid, now_ms() + 5000, NULL);
	trace_mark("start: middle reaped");
	if (await_start(sock, &c, out, exit_code, err) < 0)
		goto out;
	trace_mark("start: monitor said started");
	out->tty = c.tty;
	out->has_stdin = o->want_stdin && c.interactive;
	if (o->attach)
		out->sock = steal_fd(sock);
	*exit_code = 0;
	ret = 0;
out:
	if (lock >= 0)
		state_unlock(lock);
	if (ret < 0)
		ctr_attached_close(out);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return ret;
}
