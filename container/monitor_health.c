/* The monitor's healthchecks (container/monitor_health.h). */
#include "container/monitor_health.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/events.h"
#include "container/internal.h"
#include "container/monitor_io.h"
#include "lib/cleanup.h"
#include "lib/loop.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"
#include "state/state.h"

struct ctr_mon_health {
	struct loop_timer *tick;     /* the next check */
	struct loop_timer *deadline; /* the running check's timeout */
	struct loop_timer *end;      /* stop and restart: SIGKILL after the stop timeout */
	struct rt_container *rt;     /* the running check (NULL: none) */
	int out_fd;
	struct loop_watch *out_w;
	char buf[CTR_HEALTH_OUTPUT_MAX];
	size_t len;
	long long start_ns;
	bool timed_out;
	bool startup;                  /* the startup check runs, not the regular one yet */
	int passes, fails;             /* the startup check's */
	bool acting;                   /* an on-failure action is under way */
	enum ctr_health_status status; /* the last one announced (ctr_mon_health_changed) */
};

static int64_t ns_to_ms(long long ns)
{
	return ns / 1000000LL;
}

static void arm_tick(struct mon *m)
{
	struct ctr_mon_health *h = m->health;
	long long iv = h->startup ? m->c->health_startup_interval : m->c->health_interval;
	burrow_debug("container '%s': healthcheck every %lld ms", str_quote(m->c->name), (long long)ns_to_ms(iv));
	if (iv <= 0) {
		/* disable: burrow healthcheck run only */
		loop_timer_disarm(h->tick);
		return;
	}
	loop_timer_arm(h->tick, now_ms() + ns_to_ms(iv), ns_to_ms(iv));
}

static void close_output(struct mon *m)
{
	struct ctr_mon_health *h = m->health;
	if (h->out_w)
		loop_watch_remove(m->loop, h->out_w);
	h->out_w = NULL;
	if (h->out_fd >= 0)
		close(h->out_fd);
	h->out_fd = -1;
}

/* What the check writes: the first CTR_HEALTH_OUTPUT_MAX bytes kept, the
 * rest read and dropped (a chatty check never blocks on the pipe). */
static void read_output(struct mon *m)
{
	struct ctr_mon_health *h = m->health;
	char tmp[4096];
	for (;;) {
		ssize_t n = TEMP_FAILURE_RETRY(read(h->out_fd, tmp, sizeof(tmp)));
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close_output(m);
			return;
		}
		size_t take = sizeof(h->buf) - h->len < (size_t)n ? sizeof(h->buf) - h->len : (size_t)n;
		memcpy(h->buf + h->len, tmp, take);
		h->len += take;
	}
}

static void on_output(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)l, (void)w, (void)fd, (void)revents;
	read_output(data);
}

static void on_deadline(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l, (void)t;
	struct mon *m = data;
	struct ctr_mon_health *h = m->health;
	if (!h->rt)
		return;
	/* our child, not reaped yet: its pid is its own */
	h->timed_out = true;
	kill(h->rt->pid, SIGKILL);
}

static void on_end(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l, (void)t;
	struct mon *m = data;
	if (m->rt && !m->exited)
		rt_kill(m->rt, SIGKILL);
}

static void on_tick(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l, (void)t;
	struct mon *m = data;
	struct ctr_mon_health *h = m->health;
	if (h->rt || !m->rt || m->exited || h->acting) {
		burrow_debug("container '%s': healthcheck skipped (%s)", str_quote(m->c->name),
		             h->rt ? "the last one still runs" : "it is ending");
		return;
	}
	cleanup_strv char **argv = ctr_health_argv(h->startup ? m->c->health_startup_test : m->c->health_test);
	struct proc_ref init = PROC_REF_INIT;
	struct burrow_err *e = NULL;
	if (!argv || proc_ref_open(&init, m->run.pid, m->run.pid_start) != 1) {
		burrow_debug("container '%s': no healthcheck run: its init is gone", str_quote(m->c->name));
		proc_ref_close(&init);
		return;
	}
	h->len = 0;
	h->timed_out = false;
	h->start_ns = time_wall_ns();
	int r = ctr_health_spawn(m->s, m->c->id, &init, argv, &h->rt, &h->out_fd, &e);
	proc_ref_close(&init);
	if (r < 0 && !h->rt) {
		burrow_warn("container '%s': cannot run its healthcheck: %s", str_quote(m->c->name), e->msg);
		burrow_err_free(e);
		return;
	}
	if (r < 0) {
		/* it exits 126 or 127: its reaping records it, with why */
		snprintf(h->buf, sizeof(h->buf), "%s", e->msg);
		h->len = strlen(h->buf);
		burrow_err_free(e);
	} else {
		h->out_w = loop_watch_add(m->loop, h->out_fd, POLLIN, on_output, m);
	}
	long long to = h->startup ? m->c->health_startup_timeout : m->c->health_timeout;
	if (!h->deadline)
		h->deadline = loop_timer_add(m->loop, on_deadline, m);
	loop_timer_arm(h->deadline, now_ms() + ns_to_ms(to), 0);
}

/* Ends the container with its stop signal, SIGKILL after its stop
 * timeout. */
static void end_container(struct mon *m)
{
	struct ctr_mon_health *h = m->health;
	rt_kill(m->rt, m->c->stop_signal > 0 ? m->c->stop_signal : SIGTERM);
	if (!h->end)
		h->end = loop_timer_add(m->loop, on_end, m);
	loop_timer_arm(h->end, now_ms() + (int64_t)m->c->stop_timeout * 1000, 0);
}

/* kill and stop: recorded as a user's end, as podman's healthcheck calls
 * its own kill and stop (user_ended; stop also stopping): the restart
 * policy does not bring it back. Under the container's lock. */
static void mark_user_ended(struct mon *m, const char *action, bool stopping)
{
	struct burrow_err *e = NULL;
	int lock = state_lock(m->s, m->c->id, &e);
	struct ctr_run r = {0};
	if (lock >= 0 && ctr_run_load(m->s, m->c->id, &r, &e) == 0 && r.monitor_pid == m->run.monitor_pid &&
	    r.monitor_start == m->run.monitor_start && r.state == CTR_RUNNING) {
		r.user_ended = true;
		if (stopping ? ctr_set_state(m->s, m->c, &r, CTR_STOPPING, &e) == 0
		             : ctr_run_save(m->s, m->c->id, &r, &e) == 0) {
			m->run.user_ended = true;
			if (stopping)
				m->run.state = CTR_STOPPING;
		}
	}
	if (e) {
		burrow_warn("container '%s': healthcheck %s: %s", str_quote(m->c->name), action, e->msg);
		burrow_err_free(e);
	}
	ctr_run_clear(&r);
	if (lock >= 0)
		state_unlock(lock);
}

static void act(struct mon *m, const char *action)
{
	struct ctr_mon_health *h = m->health;
	if (!action || h->acting || !m->rt || m->exited)
		return;
	h->acting = true;
	burrow_warn("container '%s' is unhealthy: %s", str_quote(m->c->name), action);
	if (strcmp(action, "kill") == 0) {
		mark_user_ended(m, action, false);
		rt_kill(m->rt, SIGKILL);
		ctr_event(m->s, m->c, "kill");
	} else if (strcmp(action, "stop") == 0) {
		mark_user_ended(m, action, true);
		end_container(m);
	} else if (strcmp(action, "restart") == 0) {
		/* the monitor starts it again once it ended (record_end) */
		m->health_restart = true;
		end_container(m);
	}
}

void ctr_mon_health_changed(struct mon *m, enum ctr_health_status status)
{
	burrow_debug("container '%s': health %s", str_quote(m->c->name), ctr_health_status_name(status));
	if (m->health)
		m->health->status = status;
	if (status == CTR_HEALTH_HEALTHY)
		ctr_mon_sdnotify_ready(m); /* --sdnotify=healthy */
}

/* A regular check's result, stored (the monitor's own or burrow
 * healthcheck run's): the hooks when the status differs from the last
 * announced, the on-failure action at each unhealthy one (podman acts on
 * every unhealthy result, not only the change). Not while the startup
 * check still runs: its failures have their own action. */
static void result(struct mon *m, enum ctr_health_status now)
{
	struct ctr_mon_health *h = m->health;
	if (now != h->status)
		ctr_mon_health_changed(m, now);
	if (now == CTR_HEALTH_UNHEALTHY && !h->startup)
		act(m, m->c->health_on_failure);
}

static void startup_result(struct mon *m, int code)
{
	struct ctr_mon_health *h = m->health;
	if (code == 0) {
		int need = m->c->health_startup_success > 0 ? m->c->health_startup_success : 1;
		if (++h->passes >= need) {
			/* passed: the regular check from now on */
			h->startup = false;
			arm_tick(m);
		}
		return;
	}
	h->fails++;
	if (m->c->health_startup_retries > 0 && h->fails >= m->c->health_startup_retries)
		act(m, "restart");
}

bool ctr_mon_health_reaped(struct mon *m, pid_t pid, int wstatus)
{
	struct ctr_mon_health *h = m->health;
	if (!h || !h->rt || pid != h->rt->pid)
		return false;
	if (h->out_fd >= 0)
		read_output(m);
	close_output(m);
	rt_container_free(h->rt);
	h->rt = NULL;
	loop_timer_disarm(h->deadline);
	int code = rt_exit_code(wstatus);
	if (h->timed_out) {
		long long to = h->startup ? m->c->health_startup_timeout : m->c->health_timeout;
		snprintf(h->buf, sizeof(h->buf), "healthcheck command exceeded timeout of %llds", to / 1000000000LL);
		h->len = strlen(h->buf);
		code = 1;
	}
	if (h->startup) {
		/* a run of the startup check: its event (the status stays
		 * starting), then what follows */
		ctr_event_health(m->s, m->c, ctr_health_status_name(h->status));
		startup_result(m, code);
		return true;
	}
	struct ctr_health_result res = {
	    .start_ns = h->start_ns,
	    .end_ns = time_wall_ns(),
	    .exit_code = code,
	    .output = h->buf,
	    .output_len = h->len,
	    .retries = m->c->health_retries,
	};
	res.in_start_period =
	    (res.end_ns / 1000000000LL - m->run.started_at) * 1000000000LL < m->c->health_start_period;
	enum ctr_health_status now;
	bool changed;
	struct burrow_err *e = NULL;
	if (ctr_health_record(m->s, m->c->id, &res, &now, &changed, &e) < 0) {
		burrow_warn("container '%s': cannot record its health: %s", str_quote(m->c->name), e->msg);
		burrow_err_free(e);
		return true;
	}
	(void)changed; /* against what this monitor announced last: result() */
	ctr_event_health(m->s, m->c, ctr_health_status_name(now));
	result(m, now);
	return true;
}

void ctr_mon_health_told(struct mon *m)
{
	struct ctr_mon_health *h = m->health;
	if (!h || !m->rt || m->exited) {
		burrow_debug("container '%s': a healthcheck result told, nothing to act on", str_quote(m->c->name));
		return;
	}
	/* the stored status, not the teller's word */
	result(m, ctr_health_status_get(m->s, m->c));
}

void ctr_mon_health_start(struct mon *m)
{
	m->health_restart = false;
	if (!ctr_health_enabled(m->c))
		return;
	if (!m->health) {
		m->health = xcalloc(1, sizeof(*m->health));
		m->health->out_fd = -1;
		m->health->tick = loop_timer_add(m->loop, on_tick, m);
	}
	struct ctr_mon_health *h = m->health;
	/* a record keeps "no startup check" as [] */
	h->startup = m->c->health_startup_test && m->c->health_startup_test[0];
	h->passes = h->fails = 0;
	h->acting = false;
	struct burrow_err *e = NULL;
	if (ctr_health_reset(m->s, m->c->id, &e) < 0) {
		burrow_warn("container '%s': cannot reset its health: %s", str_quote(m->c->name), e->msg);
		burrow_err_free(e);
	}
	ctr_mon_health_changed(m, CTR_HEALTH_STARTING);
	arm_tick(m);
}

void ctr_mon_health_stop(struct mon *m)
{
	struct ctr_mon_health *h = m->health;
	if (!h)
		return;
	loop_timer_disarm(h->tick);
	if (h->deadline)
		loop_timer_disarm(h->deadline);
	if (h->end)
		loop_timer_disarm(h->end);
	close_output(m);
	if (h->rt) {
		proc_kill_reap(h->rt->pid, NULL);
		rt_container_free(h->rt);
		h->rt = NULL;
	}
}

void ctr_mon_health_free(struct mon *m)
{
	if (!m->health)
		return;
	ctr_mon_health_stop(m);
	loop_timer_remove(m->loop, m->health->tick);
	loop_timer_remove(m->loop, m->health->deadline);
	loop_timer_remove(m->loop, m->health->end);
	free(m->health);
	m->health = NULL;
}
