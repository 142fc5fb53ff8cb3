/* Ending and freezing a running container: stop, kill, pause, unpause,
 * wait, and the signal names they take. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container/health.h"
#include "container/attach.h"
#include "container/container.h"
#include "container/events.h"
#include "container/freezer.h"
#include "container/internal.h"
#include "container/members.h"
#include "container/nsmode.h"
#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/state.h"

/* How long a command waits for a monitor to record a container's end
 * after the container died (its clients get the rest of the output). */
#define MONITOR_END_MS 15000

static const struct {
	const char *name; /* without SIG */
	int sig;
} signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},       {"FPE", SIGFPE},   {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

static int bad_signal(const char *spec, struct burrow_err **err)
{
	return burrow_error_status(err, EINVAL, "invalid signal '%s': use a name (TERM, SIGKILL) or a number 1-64",
	                           str_quote(spec));
}

/* "N" in [0, max]: 0, or -1. */
static int parse_small(const char *s, int max, int *out)
{
	if (!*s || strlen(s) > 3)
		return -1;
	int v = 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int ctr_parse_signal(const char *spec, int *sig, struct burrow_err **err)
{
	int v;
	if (isdigit((unsigned char)spec[0])) {
		if (parse_small(spec, SIGRTMAX, &v) < 0 || v < 1)
			return bad_signal(spec, err);
		*sig = v;
		return 0;
	}
	const char *n = spec;
	if (strncasecmp(n, "SIG", 3) == 0)
		n += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (strcasecmp(n, signals[i].name) == 0) {
			*sig = signals[i].sig;
			return 0;
		}
	}
	/* RTMIN, RTMIN+N, RTMAX, RTMAX-N */
	if (strncasecmp(n, "RTMIN", 5) == 0 || strncasecmp(n, "RTMAX", 5) == 0) {
		bool min = toupper((unsigned char)n[4]) == 'N';
		const char *t = n + 5;
		int off = 0;
		if (*t && ((min && *t != '+') || (!min && *t != '-')))
			return bad_signal(spec, err);
		if (*t && parse_small(t + 1, SIGRTMAX - SIGRTMIN, &off) < 0)
			return bad_signal(spec, err);
		*sig = min ? SIGRTMIN + off : SIGRTMAX - off;
		return 0;
	}
	return bad_signal(spec, err);
}

const char *ctr_signal_name(int sig, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (signals[i].sig == sig) {
			snprintf(buf, len, "SIG%s", signals[i].name);
			return buf;
		}
	}
	snprintf(buf, len, "signal %d", sig);
	return buf;
}

/* Leaves out of m the processes of the running containers that joined
 * c's PID namespace (ctr_pid_joiners; by their mount namespaces): all of
 * them, or with paused_only those paused. An unpause thaws the others'
 * too, so that one a pause stopped while it started (its record did not
 * name it yet) is not left stopped; SIGCONT to a running process does
 * nothing. */
static int skip_joiners(struct state_store *s, const struct ctr_config *c, struct ctr_members *m, bool paused_only,
                        struct burrow_err **err)
{
	cleanup_strv char **ids = NULL;
	if (ctr_pid_joiners(s, c->id, &ids, err) < 0)
		return -1;
	for (size_t i = 0; ids[i]; i++) {
		struct ctr_run jr = {0};
		int r = ctr_run_load(s, ids[i], &jr, err);
		if (r == 0 && ctr_state_active(jr.state) && jr.pid > 0 && (!paused_only || jr.state == CTR_PAUSED))
			r = ctr_members_skip(m, jr.pid, jr.pid_start, err);
		ctr_run_clear(&jr);
		if (r < 0)
			return burrow_error_wrap(err, "container %.12s, which joined the PID namespace of '%s'", ids[i],
			                         str_quote(c->name));
	}
	return 0;
}

/* Sends sig to every process of the container (members.h), the init
 * first (its error is the command's); with cg, only those outside that
 * cgroup (the freezer's: an exec'd process that could not join it). A
 * container with a PID namespace of its own: every process in it, but
 * those of the containers that joined it (with s; for SIGCONT only the
 * paused ones'), so that a process of it with a mount namespace of its
 * own is reached too; any other: those in its mount namespace. 0, or -1
 * when the init cannot be signalled or is gone. */
static int signal_all(struct state_store *s, const struct ctr_config *c, const struct ctr_run *r, int sig,
                      const char *cg, struct burrow_err **err)
{
	struct ctr_members m;
	bool own = ctr_nsmode_own_pid(c);
	int opened = ctr_members_open(&m, own ? CTR_MEMBERS_PID : CTR_MEMBERS_MNT, r->pid, r->pid_start, err);
	if (opened == 0)
		burrow_error(err, ESRCH, "container '%s': its process %d is gone", str_quote(c->name), (int)r->pid);
	if (opened <= 0)
		return -1;
	int ret = 0;
	/* no joiner's init is cloned into it meanwhile that its record does
	 * not name yet (nsmode.h) */
	cleanup_close int lock = own && s ? ctr_pidns_join_lock(s, err) : -1;
	if (own && s && (lock < 0 || skip_joiners(s, c, &m, sig == SIGCONT, err) < 0))
		ret = -1;
	else if ((!cg || !ctr_cg2_has(cg, r->pid)) && proc_signal(r->pid, r->pid_start, sig) < 0)
		ret =
		    burrow_error(err, errno, "cannot signal container '%s' (pid %d)", str_quote(c->name), (int)r->pid);
	else
		(void)ctr_members_signal(&m, sig, r->pid, r->pid_start, cg);
	ctr_members_close(&m);
	return ret;
}

/* How long pause and unpause wait for the kernel to report the cgroup
 * frozen or thawed. */
#define FREEZE_MS 10000

/* Freezes (pause) or thaws the container: through its cgroup's freezer
 * where its init lives in one of burrow's, else (and for a process of it
 * outside that cgroup) SIGSTOP or SIGCONT to each of its processes
 * (signal_all). */
static int freeze(struct state_store *s, const struct ctr_config *c, const struct ctr_run *r, bool pause,
                  struct burrow_err **err)
{
	cleanup_free char *dir = ctr_cg2_container_dir(c->id, r->pid);
	if (dir && ctr_cg2_freeze(dir, pause, now_ms() + FREEZE_MS, err) < 0)
		return burrow_error_wrap(err, "container '%s'", str_quote(c->name));
	/* without a cgroup, every process; with one, those outside it */
	return signal_all(s, c, r, pause ? SIGSTOP : SIGCONT, dir, err);
}

/* Waits (bounded) until the monitor of r is gone: it recorded the end and
 * cleaned up. */
static int wait_monitor(const struct ctr_config *c, const struct ctr_run *r, struct burrow_err **err)
{
	if (proc_wait_gone(r->monitor_pid, r->monitor_start, now_ms() + MONITOR_END_MS))
		return 0;
	return burrow_error(err, ETIMEDOUT, "container '%s': its monitor %d did not finish within %d s",
	                    str_quote(c->name), (int)r->monitor_pid, MONITOR_END_MS / 1000);
}

/* How long stop waits for the other processes of a container in a PID
 * namespace it does not own to go, once they were killed. */
#define MEMBERS_END_MS 10000

/* The stop signal to the init, then (timed out, or sig is SIGKILL)
 * SIGKILL: 0 once it is gone or killed. */
static int end_init(struct state_store *s, const struct ctr_config *c, const struct ctr_run *r, bool paused, int sig,
                    int timeout_s, struct burrow_err **err)
{
	if (sig != SIGKILL && r->pid > 0) {
		if (proc_signal(r->pid, r->pid_start, sig) < 0)
			return burrow_error(err, errno, "cannot signal container '%s' (pid %d)", str_quote(c->name),
			                    (int)r->pid);
		if (paused) {
			/* frozen: it takes the signal once thawed */
			struct burrow_err *e = NULL;
			if (freeze(s, c, r, false, &e) < 0)
				burrow_err_free(e);
		}
		if (proc_wait_gone(r->pid, r->pid_start, now_ms() + (int64_t)timeout_s * 1000))
			return 0;
		char name[32];
		burrow_warn("StopSignal %s failed to stop container %s in %d seconds, resorting to SIGKILL",
		            ctr_signal_name(sig, name, sizeof(name)), c->name, timeout_s);
	}
	return ctr_kill_init(c, r, err);
}

int ctr_end(struct state_store *s, const struct ctr_config *c, const struct ctr_run *r, bool paused, int sig,
            int timeout_s, struct burrow_err **err)
{
	/* in a PID namespace it does not own, its other processes do not
	 * die with its init: found by its mount namespace, read while the
	 * init lives (without it, the init alone is ended) */
	struct ctr_members m = CTR_MEMBERS_INIT;
	if (!ctr_nsmode_own_pid(c) && r->pid > 0) {
		struct burrow_err *e = NULL;
		if (ctr_members_open(&m, CTR_MEMBERS_MNT, r->pid, r->pid_start, &e) < 0)
			burrow_err_free(e);
	}
	int ret = end_init(s, c, r, paused, sig, timeout_s, err);
	if (ret == 0 && m.ns.fd >= 0) {
		(void)ctr_members_signal(&m, SIGKILL, 0, 0, NULL);
		if (!ctr_members_wait_gone(&m, now_ms() + MEMBERS_END_MS))
			ret = burrow_error(err, ETIMEDOUT, "container '%s': its processes did not end within %d s",
			                   str_quote(c->name), MEMBERS_END_MS / 1000);
	}
	ctr_members_close(&m);
	return ret < 0 ? -1 : wait_monitor(c, r, err);
}

/* A container locked and loaded for one command. */
struct held {
	char *id;
	int lock;
	struct ctr_config c;
	struct ctr_run r;
};

/* Resolves, locks and loads ref (a dead monitor dealt with): 0, or -1
 * (ENOENT when there is no such container). */
static int hold(struct state_store *s, const char *ref, struct held *h, struct burrow_err **err)
{
	memset(h, 0, sizeof(*h));
	int dead = ctr_lock_load(s, ref, &h->id, &h->lock, &h->c, &h->r, err);
	if (dead == 1) {
		/* removed meanwhile: the lock file taken again here goes too */
		state_unlock_remove(s, h->id, h->lock);
		h->lock = -1;
		burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
	}
	return dead == 0 ? 0 : -1;
}

static void release(struct held *h)
{
	if (h->lock >= 0)
		state_unlock(h->lock);
	h->lock = -1;
	free(h->id);
	ctr_config_clear(&h->c);
	ctr_run_clear(&h->r);
}

/* The container's stop signal and timeout (-1: its own). */
static int stop_signal(const struct ctr_config *c)
{
	return c->stop_signal > 0 ? c->stop_signal : SIGTERM;
}

int ctr_stop(struct state_store *s, const char *ref, int timeout, struct burrow_err **err)
{
	struct held h;
	int ret = -1;
	if (hold(s, ref, &h, err) < 0)
		goto out;
	if (h.r.restarting && ctr_monitor_alive(&h.r)) {
		/* ended, and its monitor waits to restart it: it will not */
		h.r.restarting = false;
		ret = ctr_run_save(s, h.id, &h.r, err);
		goto out;
	}
	if (!ctr_state_active(h.r.state)) {
		ret = 0; /* not running: fine, as podman */
		goto out;
	}
	if (h.r.state == CTR_STOPPING) {
		/* someone else ends it: wait for that (their timeout, then
		 * the monitor's end) */
		state_unlock(h.lock);
		h.lock = -1;
		int64_t wait = (int64_t)h.c.stop_timeout * 1000 + MONITOR_END_MS;
		if (proc_wait_gone(h.r.monitor_pid, h.r.monitor_start, now_ms() + wait))
			ret = 0;
		else
			burrow_error(err, ETIMEDOUT, "container '%s' is still stopping after %d s", str_quote(h.c.name),
			             (int)(wait / 1000));
		goto out;
	}
	bool paused = h.r.state == CTR_PAUSED;
	/* initialized (burrow init): its command never ran, its init waits */
	int sig = h.r.state == CTR_CREATED ? SIGKILL : stop_signal(&h.c);
	h.r.user_ended = true;
	if (ctr_set_state(s, &h.c, &h.r, CTR_STOPPING, err) < 0)
		goto out;
	/* the wait is without the lock: ps, logs, inspect go on */
	state_unlock(h.lock);
	h.lock = -1;
	ret = ctr_end(s, &h.c, &h.r, paused, sig, timeout >= 0 ? timeout : h.c.stop_timeout, err);
out:
	release(&h);
	return ret;
}

int ctr_kill(struct state_store *s, const char *ref, int sig, struct burrow_err **err)
{
	struct held h;
	int ret = -1;
	if (hold(s, ref, &h, err) < 0)
		goto out;
	if (h.r.state != CTR_RUNNING && h.r.state != CTR_PAUSED && h.r.state != CTR_STOPPING) {
		burrow_error_status(err, EINVAL, "cannot kill container '%s': it is %s, not running",
		                    str_quote(h.c.name), ctr_state_word(h.r.state));
		goto out;
	}
	/* as podman: the user's signal ends the restart policy's say */
	h.r.user_ended = true;
	if (ctr_run_save(s, h.id, &h.r, err) < 0)
		goto out;
	/* its main process only, as podman's kill (a HUP to reload a server
	 * reaches the server, not its children); in a PID namespace it does
	 * not own, the monitor ends the others once it has ended */
	if (proc_signal(h.r.pid, h.r.pid_start, sig) < 0) {
		burrow_error(err, errno, "cannot signal container '%s' (pid %d)", str_quote(h.c.name), (int)h.r.pid);
		goto out;
	}
	ctr_event(s, &h.c, "kill");
	state_unlock(h.lock);
	h.lock = -1;
	ret = sig == SIGKILL ? wait_monitor(&h.c, &h.r, err) : 0;
out:
	release(&h);
	return ret;
}

int ctr_pause(struct state_store *s, const char *ref, bool pause, struct burrow_err **err)
{
	struct held h;
	int ret = -1;
	enum ctr_state to = pause ? CTR_PAUSED : CTR_RUNNING;
	if (hold(s, ref, &h, err) < 0)
		goto out;
	const char *name = h.c.name;
	if (h.r.state != (pause ? CTR_RUNNING : CTR_PAUSED)) {
		/* the table allows staying; a pause of a paused one is nonsense all the same */
		if (h.r.state == to)
			burrow_error_status(err, EINVAL, "container '%s' cannot go from %s to %s: it is %s already",
			                    str_quote(name), ctr_state_name(to), ctr_state_name(to),
			                    ctr_state_name(to));
		else if (ctr_state_check(name, h.r.state, to, err) == 0)
			burrow_error_status(err, EINVAL, "container '%s' cannot go from %s to %s", str_quote(name),
			                    ctr_state_name(h.r.state), ctr_state_name(to));
		burrow_error_wrap(err, "cannot %s container '%s'", pause ? "pause" : "unpause", str_quote(name));
		goto out;
	}
	if (pause) {
		/* the state first: a crash between leaves it paused, and
		 * unpause thaws what was stopped */
		if (ctr_set_state(s, &h.c, &h.r, CTR_PAUSED, err) < 0 || freeze(s, &h.c, &h.r, true, err) < 0)
			goto out;
	} else {
		if (freeze(s, &h.c, &h.r, false, err) < 0 || ctr_set_state(s, &h.c, &h.r, CTR_RUNNING, err) < 0)
			goto out;
	}
	ctr_event(s, &h.c, pause ? "pause" : "unpause");
	ret = 0;
out:
	release(&h);
	return ret;
}

int ctr_wait_condition(const char *name, unsigned *mask, struct burrow_err **err)
{
	static const struct {
		const char *name;
		unsigned bit;
	} conds[] = {
	    {"stopped", CTR_WAIT_STOPPED},     {"exited", CTR_WAIT_STOPPED},  {"running", CTR_WAIT_RUNNING},
	    {"paused", CTR_WAIT_PAUSED},       {"created", CTR_WAIT_CREATED}, {"configured", CTR_WAIT_CONFIGURED},
	    {"stopping", CTR_WAIT_STOPPING},   {"healthy", CTR_WAIT_HEALTHY}, {"unhealthy", CTR_WAIT_UNHEALTHY},
	    {"initialized", CTR_WAIT_CREATED},
	};
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
		if (strcmp(name, conds[i].name) == 0) {
			*mask |= conds[i].bit;
			return 0;
		}
	}
	return burrow_error_status(err, EINVAL,
	                           "invalid condition '%s': use stopped, exited, running, paused, created, "
	                           "initialized, configured, stopping, healthy or unhealthy",
	                           str_quote(name));
}

static bool state_matches(const struct ctr_run *r, unsigned mask)
{
	switch (r->state) {
	case CTR_STOPPED:
	case CTR_EXITED:
		return mask & CTR_WAIT_STOPPED;
	case CTR_RUNNING:
		return mask & CTR_WAIT_RUNNING;
	case CTR_PAUSED:
		return mask & CTR_WAIT_PAUSED;
	case CTR_CREATED:
		return mask & CTR_WAIT_CREATED;
	case CTR_CONFIGURED:
		return mask & (CTR_WAIT_CONFIGURED | CTR_WAIT_STOPPED);
	case CTR_STOPPING:
		return mask & CTR_WAIT_STOPPING;
	default:
		return false;
	}
}

/* --condition healthy/unhealthy: the status its checks stored, while it
 * runs. */
static bool health_matches(struct state_store *s, const struct ctr_config *c, const struct ctr_run *r, unsigned mask)
{
	if (!(mask & (CTR_WAIT_HEALTHY | CTR_WAIT_UNHEALTHY)) || r->state != CTR_RUNNING)
		return false;
	enum ctr_health_status h = ctr_health_status_get(s, c);
	return ((mask & CTR_WAIT_HEALTHY) && h == CTR_HEALTH_HEALTHY) ||
	       ((mask & CTR_WAIT_UNHEALTHY) && h == CTR_HEALTH_UNHEALTHY);
}

/* Waiting only for healthy/unhealthy: whether the container ended (not
 * yet started, running, paused or about to be restarted) at this look and
 * the one before, as podman (one more interval for a last check's
 * status). */
static bool health_cannot_change(const struct ctr_run *r, unsigned mask, unsigned *not_running)
{
	if (!(mask & (CTR_WAIT_HEALTHY | CTR_WAIT_UNHEALTHY)) || (mask & ~(CTR_WAIT_HEALTHY | CTR_WAIT_UNHEALTHY)))
		return false;
	bool alive = r->state == CTR_CONFIGURED || r->state == CTR_CREATED || r->state == CTR_RUNNING ||
	             r->state == CTR_PAUSED || r->state == CTR_STOPPING || (r->restarting && ctr_monitor_alive(r));
	*not_running = alive ? 0 : *not_running + 1;
	return *not_running > 1;
}

/* Reads what the monitor sent on an attach channel: 1 when it ended (its
 * EXIT, *code; or it closed), 0 when it goes on. */
static int drain_channel(int sock, int *code, bool *got_exit)
{
	uint8_t buf[CTR_ATTACH_DATA_MAX + 1];
	bool reset = false;
	for (;;) {
		ssize_t n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return reset;
		if (n < 0 && errno == ECONNRESET && !reset) {
			/* reported before what the monitor sent last (attach.h) */
			reset = true;
			continue;
		}
		if (n <= 0)
			return 1;
		if (buf[0] == CTR_ATTACH_EXIT && n >= 5) {
			int32_t v;
			memcpy(&v, buf + 1, 4);
			*code = v;
			*got_exit = true;
			return 1;
		}
		if (buf[0] == CTR_ATTACH_ERROR)
			return 1;
	}
}

int ctr_wait(struct state_store *s, const char *ref, unsigned mask, int interval_ms, int *code, struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	if (ctr_lookup(s, ref, &id, err) < 0)
		return -1;
	struct ctr_attached ch = {.sock = -1, .monitor = PROC_REF_INIT};
	int exit_seen = -1;
	bool got_exit = false;
	int ret = -1;
	unsigned not_running = 0; /* looks that found it ended, for health conditions */
	for (;;) {
		struct ctr_config c = {0};
		struct ctr_run r = {0};
		int lock = state_lock(s, id, err);
		if (lock < 0)
			break;
		int dead = ctr_load_checked(s, id, &c, &r, err);
		if (dead == 1)
			state_unlock_remove(s, id, lock); /* the lock file taken again here goes too */
		else
			state_unlock(lock);
		if (dead == 1 && ch.sock >= 0) {
			/* removed at its end (--rm): its EXIT may be on its way */
			int64_t deadline = now_ms() + 5000;
			while (!got_exit && wait_fd(ch.sock, POLLIN, deadline) == 1 &&
			       drain_channel(ch.sock, &exit_seen, &got_exit) == 0)
				;
			ctr_attached_close(&ch);
		}
		if (dead == 1 && got_exit) {
			/* removed at its end (--rm): its monitor said how it ended */
			*code = exit_seen;
			ret = 0;
		} else if (dead == 1) {
			burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
		} else if (dead == 0 && (mask & (CTR_WAIT_HEALTHY | CTR_WAIT_UNHEALTHY)) && !ctr_health_enabled(&c)) {
			burrow_error_status(err, EINVAL, "container '%s' has no healthcheck to wait for",
			                    str_quote(c.name));
		} else if (dead == 0 && (state_matches(&r, mask) || health_matches(s, &c, &r, mask))) {
			bool ended = r.state == CTR_STOPPED || r.state == CTR_EXITED || r.state == CTR_CONFIGURED;
			*code = ended && (mask & CTR_WAIT_STOPPED) ? r.exit_code : -1;
			ret = 0;
		} else if (dead == 0 && health_cannot_change(&r, mask, &not_running)) {
			burrow_error_status(err, ESRCH,
			                    "container '%s' is not running: its healthcheck status cannot change",
			                    str_quote(c.name));
		} else if (dead == 0) {
			if (ch.sock < 0 && (r.state == CTR_RUNNING || r.state == CTR_PAUSED)) {
				/* its monitor tells its clients when it ends */
				struct burrow_err *e = NULL;
				if (ctr_attach_listen(s, id, &ch, &e) < 0)
					burrow_err_free(e);
			}
			dead = 2; /* go on */
		}
		ctr_config_clear(&c);
		ctr_run_clear(&r);
		if (dead != 2)
			break;
		if (ch.sock >= 0) {
			if (wait_fd(ch.sock, POLLIN, now_ms() + interval_ms) == 1 &&
			    drain_channel(ch.sock, &exit_seen, &got_exit) == 1)
				ctr_attached_close(&ch);
		} else {
			(void)poll(NULL, 0, interval_ms);
		}
	}
	ctr_attached_close(&ch);
	return ret;
}
