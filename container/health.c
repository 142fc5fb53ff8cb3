/* Healthchecks (container/health.h): configuration, stored state, one
 * check run from the command line. The monitor's timers are in
 * monitor_health.c. */
#include "container/health.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/attach.h"
#include "container/container.h"
#include "container/events.h"
#include "container/internal.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"
#include "state/state.h"

/* ---- configuration ---- */

/* A --health-cmd value as podman takes it: "none" (any case) disables;
 * a JSON array beginning with CMD or CMD-SHELL is kept, another JSON
 * array is a CMD; anything else is a CMD-SHELL string. */
static char **parse_test(const char *flag, const char *v, struct burrow_err **err)
{
	if (!*v) {
		burrow_error_status(err, EINVAL, "%s needs a command (or none)", flag);
		return NULL;
	}
	if (strcasecmp(v, "none") == 0) {
		char **t = NULL;
		strv_append(&t, "NONE");
		return t;
	}
	char **t = NULL;
	if (v[0] == '[') {
		struct burrow_err *e = NULL;
		yajl_val j = json_parse(v, &e);
		cleanup_strv char **arr = j && YAJL_IS_ARRAY(j) ? json_strv(j) : NULL;
		size_t n = j && YAJL_IS_ARRAY(j) ? j->u.array.len : 0;
		if (j)
			yajl_tree_free(j);
		burrow_err_free(e);
		/* every element a string */
		if (!arr || !arr[0] || strv_len(arr) != n) {
			burrow_error_status(err, EINVAL, "invalid %s '%s': not a JSON array of strings", flag,
			                    str_quote(v));
			return NULL;
		}
		if (strcasecmp(arr[0], "NONE") == 0) {
			strv_append(&t, "NONE");
			return t;
		}
		bool shell = strcasecmp(arr[0], "CMD-SHELL") == 0;
		if (shell || strcasecmp(arr[0], "CMD") == 0) {
			if (!arr[1] || (shell && arr[2])) {
				burrow_error_status(err, EINVAL, "invalid %s '%s': %s", flag, str_quote(v),
				                    shell ? "CMD-SHELL takes one command string"
				                          : "CMD needs a command");
				return NULL;
			}
			strv_append(&t, shell ? "CMD-SHELL" : "CMD");
			for (size_t i = 1; arr[i]; i++)
				strv_append(&t, arr[i]);
			return t;
		}
		strv_append(&t, "CMD");
		for (size_t i = 0; arr[i]; i++)
			strv_append(&t, arr[i]);
		return t;
	}
	strv_append(&t, "CMD-SHELL");
	strv_append(&t, v);
	return t;
}

/* A Go duration (podman's flags); at least min_ns. "disable" is 0 where
 * allow_disable. */
static int parse_duration(const char *flag, const char *v, long long min_ns, bool allow_disable, long long *out,
                          struct burrow_err **err)
{
	if (allow_disable && strcmp(v, "disable") == 0) {
		*out = 0;
		return 0;
	}
	long long ns;
	if (time_parse_duration(v, &ns) < 0 || ns < 0)
		return burrow_error_status(err, EINVAL, "invalid %s '%s': a duration (e.g. 30s, 1m30s, 500ms)%s", flag,
		                           str_quote(v), allow_disable ? " or disable" : "");
	if (ns < min_ns)
		return burrow_error_status(err, EINVAL, "invalid %s '%s': at least %llds", flag, str_quote(v),
		                           min_ns / 1000000000LL);
	*out = ns;
	return 0;
}

static int parse_count(const char *flag, const char *v, int min, int *out, struct burrow_err **err)
{
	long long n;
	if (str_to_ll(v, min, 1000000, &n) < 0)
		return burrow_error_status(err, EINVAL, "invalid %s '%s': a whole number, at least %d", flag,
		                           str_quote(v), min);
	*out = (int)n;
	return 0;
}

static bool test_is_none(char *const *t)
{
	return !t || !t[0] || strcasecmp(t[0], "NONE") == 0;
}

int ctr_health_config(const struct ctr_health_opts *o, const struct img_config *img, struct ctr_config *c,
                      struct burrow_err **err)
{
	static const struct ctr_health_opts empty = {0};
	if (!o)
		o = &empty;
	/* the image's first, the flags over it */
	cleanup_strv char **test = img && img->hc_test ? strv_dup(img->hc_test) : NULL;
	long long interval = img && img->hc_interval > 0 ? img->hc_interval : CTR_HEALTH_INTERVAL_NS;
	long long timeout = img && img->hc_timeout > 0 ? img->hc_timeout : CTR_HEALTH_TIMEOUT_NS;
	long long start_period = img && img->hc_start_period > 0 ? img->hc_start_period : 0;
	int retries = img && img->hc_retries > 0 ? img->hc_retries : CTR_HEALTH_RETRIES;
	cleanup_strv char **startup = NULL;
	long long s_interval = CTR_HEALTH_INTERVAL_NS, s_timeout = CTR_HEALTH_TIMEOUT_NS;
	int s_retries = 0, s_success = 0;
	const char *on_failure = NULL;

	if (o->cmd) {
		strv_free(test);
		if (!(test = parse_test("--health-cmd", o->cmd, err)))
			return -1;
	}
	if ((o->interval && parse_duration("--health-interval", o->interval, 1000000000LL, true, &interval, err) < 0) ||
	    (o->timeout && parse_duration("--health-timeout", o->timeout, 1000000000LL, false, &timeout, err) < 0) ||
	    (o->start_period &&
	     parse_duration("--health-start-period", o->start_period, 0, false, &start_period, err) < 0) ||
	    (o->retries && parse_count("--health-retries", o->retries, 1, &retries, err) < 0))
		return -1;
	if (o->on_failure) {
		static const char *const actions[] = {"none", "kill", "restart", "stop"};
		for (size_t i = 0; i < 4 && !on_failure; i++)
			if (strcmp(o->on_failure, actions[i]) == 0)
				on_failure = actions[i];
		if (!on_failure)
			return burrow_error_status(err, EINVAL,
			                           "invalid --health-on-failure '%s': none, kill, restart or stop",
			                           str_quote(o->on_failure));
	}
	if (o->startup_cmd && !(startup = parse_test("--health-startup-cmd", o->startup_cmd, err)))
		return -1;
	if ((o->startup_interval && parse_duration("--health-startup-interval", o->startup_interval, 1000000000LL, true,
	                                           &s_interval, err) < 0) ||
	    (o->startup_timeout && parse_duration("--health-startup-timeout", o->startup_timeout, 1000000000LL, false,
	                                          &s_timeout, err) < 0) ||
	    (o->startup_retries &&
	     parse_count("--health-startup-retries", o->startup_retries, 0, &s_retries, err) < 0) ||
	    (o->startup_success && parse_count("--health-startup-success", o->startup_success, 0, &s_success, err) < 0))
		return -1;
	bool disabled = o->none || (o->cmd && test_is_none(test));
	if (disabled && (o->interval || o->timeout || o->start_period || o->retries || o->on_failure || o->startup_cmd))
		return burrow_error_status(err, EINVAL, "--health-* options cannot be used with %s",
		                           o->none ? "--no-healthcheck" : "--health-cmd none");
	if (startup && test_is_none(startup))
		strv_free(steal_ptr(startup));
	if (startup && test_is_none(test))
		return burrow_error_status(err, EINVAL, "--health-startup-cmd needs a healthcheck (--health-cmd)");
	if (disabled || test_is_none(test)) {
		/* as podman: what it would wait for never comes */
		if (c->sdnotify && strcmp(c->sdnotify, "healthy") == 0)
			return burrow_error_status(
			    err, EINVAL,
			    "--sdnotify=healthy requires a healthcheck to be set (--health-cmd, or the image's)");
		return 0; /* no healthcheck: the fields stay empty */
	}
	c->health_test = steal_ptr(test);
	c->health_interval = interval;
	c->health_timeout = timeout;
	c->health_start_period = start_period;
	c->health_retries = retries;
	c->health_on_failure = on_failure && strcmp(on_failure, "none") != 0 ? xstrdup(on_failure) : NULL;
	if (startup) {
		c->health_startup_test = steal_ptr(startup);
		c->health_startup_interval = s_interval;
		c->health_startup_timeout = s_timeout;
		c->health_startup_retries = s_retries;
		c->health_startup_success = s_success;
	}
	return 0;
}

bool ctr_health_enabled(const struct ctr_config *c)
{
	return !test_is_none(c->health_test);
}

char **ctr_health_argv(char *const *test)
{
	if (test_is_none(test) || !test[1])
		return NULL;
	char **v = NULL;
	if (strcasecmp(test[0], "CMD-SHELL") == 0) {
		strv_append(&v, "/bin/sh");
		strv_append(&v, "-c");
		strv_append(&v, test[1]);
		return v;
	}
	for (size_t i = 1; test[i]; i++)
		strv_append(&v, test[i]);
	return v;
}

/* ---- the stored state ---- */

static const char *const status_names[] = {"none", "starting", "healthy", "unhealthy"};

const char *ctr_health_status_name(enum ctr_health_status st)
{
	return (unsigned)st < 4 ? status_names[st] : "none";
}

int ctr_health_status_parse(const char *s, enum ctr_health_status *st, struct burrow_err **err)
{
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*st = (enum ctr_health_status)i;
			return 0;
		}
	}
	return burrow_error_status(err, EINVAL, "invalid health '%s': starting, healthy, unhealthy or none",
	                           str_quote(s));
}

static char *state_path(struct state_store *s, const char *id, const char *name)
{
	cleanup_free char *dir = ctr_dir(s, id);
	return path_join(dir, name);
}

char *ctr_health_state_read(struct state_store *s, const char *id)
{
	cleanup_free char *path = state_path(s, id, CTR_HEALTH_STATE_FILE);
	char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0) {
		burrow_err_free(e);
		return NULL;
	}
	return text;
}

static enum ctr_health_status status_of(yajl_val v)
{
	const char *st = v ? json_get_str(v, "Status") : NULL;
	enum ctr_health_status out = CTR_HEALTH_NONE;
	struct burrow_err *e = NULL;
	if (st && ctr_health_status_parse(st, &out, &e) < 0)
		burrow_err_free(e);
	return out;
}

enum ctr_health_status ctr_health_status_get(struct state_store *s, const struct ctr_config *c)
{
	if (!ctr_health_enabled(c))
		return CTR_HEALTH_NONE;
	cleanup_free char *text = ctr_health_state_read(s, c->id);
	struct burrow_err *e = NULL;
	yajl_val v = text ? json_parse(text, &e) : NULL;
	burrow_err_free(e);
	enum ctr_health_status st = status_of(v);
	if (v)
		yajl_tree_free(v);
	/* a healthcheck that has not run yet */
	return st == CTR_HEALTH_NONE ? CTR_HEALTH_STARTING : st;
}

/* Go's time.RFC3339Nano in local time, as podman writes the log's times. */
static void rfc3339_nano(long long ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;
	localtime_r(&t, &tm);
	char date[32], zone[16];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	long off = tm.tm_gmtoff;
	if (off == 0)
		snprintf(zone, sizeof(zone), "Z");
	else
		snprintf(zone, sizeof(zone), "%c%02d:%02d", off < 0 ? '-' : '+', (int)(labs(off) / 3600 % 100),
		         (int)(labs(off) % 3600 / 60));
	snprintf(buf, len, "%.20s.%09lld%.6s", date, ns % 1000000000LL, zone);
}

/* Under healthcheck.lock: what the state holds, changed by fn, written
 * back (atomically). */
typedef void (*state_fn)(yajl_val st, void *data);
static int state_update(struct state_store *s, const char *id, state_fn fn, void *data, struct burrow_err **err)
{
	cleanup_free char *dir = ctr_dir(s, id);
	cleanup_free char *lock_path = path_join(dir, "healthcheck.lock");
	cleanup_close int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0 && errno == ENOENT)
		return burrow_error_status(err, ENOENT, "the container's directory is gone");
	if (lock < 0)
		return burrow_error(err, errno, "cannot open '%s'", lock_path);
	/* bounded: a writer holds it for one read and one write */
	int64_t deadline = now_ms() + 10000;
	while (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return burrow_error(err, errno, "cannot lock '%s'", lock_path);
		if (now_ms() > deadline)
			return burrow_error(err, ETIMEDOUT, "'%s' stayed locked for 10 s", lock_path);
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
	cleanup_free char *text = ctr_health_state_read(s, id);
	struct burrow_err *e = NULL;
	yajl_val st = text ? json_parse(text, &e) : NULL;
	burrow_err_free(e);
	if (!st || !YAJL_IS_OBJECT(st)) {
		if (st)
			yajl_tree_free(st);
		st = json_new_object();
	}
	fn(st, data);
	yajl_gen g = json_gen_new();
	jg_value(g, st);
	cleanup_free char *out = json_gen_finish(g);
	yajl_tree_free(st);
	cleanup_free char *path = path_join(dir, CTR_HEALTH_STATE_FILE);
	return write_file_atomic(path, out, strlen(out), 0600, err);
}

/* Sets key of an object to v (replacing it, or added). */
static void obj_set(yajl_val o, const char *key, yajl_val v)
{
	for (size_t i = 0; i < o->u.object.len; i++) {
		if (strcmp(o->u.object.keys[i], key) == 0) {
			yajl_tree_free(o->u.object.values[i]);
			o->u.object.values[i] = v;
			return;
		}
	}
	json_obj_add(o, key, v);
}

static void reset_fn(yajl_val st, void *data)
{
	(void)data;
	obj_set(st, "Status", json_new_str("starting"));
	obj_set(st, "FailingStreak", json_new_int(0));
	yajl_val log = json_get(st, "Log");
	if (!log || !YAJL_IS_ARRAY(log))
		obj_set(st, "Log", json_new_array());
}

int ctr_health_reset(struct state_store *s, const char *id, struct burrow_err **err)
{
	return state_update(s, id, reset_fn, NULL, err);
}

struct record_data {
	const struct ctr_health_result *res;
	enum ctr_health_status before, after;
};

static void record_fn(yajl_val st, void *data)
{
	struct record_data *d = data;
	const struct ctr_health_result *res = d->res;
	d->before = status_of(st);
	enum ctr_health_status now = d->before == CTR_HEALTH_NONE ? CTR_HEALTH_STARTING : d->before;
	long long streak = json_get_int(st, "FailingStreak", 0);
	if (res->exit_code == 0) {
		streak = 0;
		now = CTR_HEALTH_HEALTHY;
	} else if (!res->in_start_period) {
		/* a failure in the start period does not count */
		streak++;
		if (streak >= res->retries)
			now = CTR_HEALTH_UNHEALTHY;
	}
	d->after = now;
	obj_set(st, "Status", json_new_str(ctr_health_status_name(now)));
	obj_set(st, "FailingStreak", json_new_int(streak));
	/* the log: this result after the last 4 */
	yajl_val old = json_get(st, "Log");
	yajl_val log = json_new_array();
	size_t n = old && YAJL_IS_ARRAY(old) ? old->u.array.len : 0;
	for (size_t i = n >= CTR_HEALTH_LOG_MAX ? n - (CTR_HEALTH_LOG_MAX - 1) : 0; i < n; i++) {
		json_arr_add(log, old->u.array.values[i]);
		old->u.array.values[i] = NULL;
	}
	char start[64], end[64];
	rfc3339_nano(res->start_ns, start, sizeof(start));
	rfc3339_nano(res->end_ns, end, sizeof(end));
	yajl_val e = json_new_object();
	json_obj_add(e, "Start", json_new_str(start));
	json_obj_add(e, "End", json_new_str(end));
	json_obj_add(e, "ExitCode", json_new_int(res->exit_code));
	json_obj_add(e, "Output", json_new_strn(res->output ? res->output : "", res->output ? res->output_len : 0));
	json_arr_add(log, e);
	obj_set(st, "Log", log);
}

int ctr_health_record(struct state_store *s, const char *id, const struct ctr_health_result *res,
                      enum ctr_health_status *now, bool *changed, struct burrow_err **err)
{
	struct record_data d = {.res = res};
	if (state_update(s, id, record_fn, &d, err) < 0)
		return -1;
	*now = d.after;
	*changed = d.after != d.before;
	return 0;
}

/* ---- burrow healthcheck run ---- */

/* Tells the container's monitor that a result is stored (container/
 * attach.h's HEALTH): it does what its own checks' results do, the
 * --health-on-failure action among them (one code path for both). When
 * the result is unhealthy and there is an action, waits (bounded) until
 * the action ended the container's init, and after a stop until its
 * monitor is gone, as podman's healthcheck run returns once its stop is
 * done. */
static void tell_monitor(struct state_store *s, const struct ctr_config *c, const struct ctr_run *r,
                         enum ctr_health_status now)
{
	bool acts = now == CTR_HEALTH_UNHEALTHY && c->health_on_failure;
	cleanup_free char *rundir = ctr_rundir(s, c->id);
	struct burrow_err *e = NULL;
	cleanup_close int sock = ctr_attach_connect_dir(rundir, &e);
	if (sock < 0 || ctr_attach_send(sock, CTR_ATTACH_HEALTH, NULL, 0, 0) < 0) {
		if (acts)
			burrow_warn("container '%s' is unhealthy, but its monitor cannot be told to %s it: %s",
			            str_quote(c->name), c->health_on_failure, e ? e->msg : strerror(errno));
		burrow_err_free(e);
		return;
	}
	if (!acts)
		return;
	int64_t deadline = now_ms() + (int64_t)c->stop_timeout * 1000 + 10000;
	if (!proc_wait_gone(r->pid, r->pid_start, deadline))
		return;
	if (strcmp(c->health_on_failure, "stop") == 0)
		(void)proc_wait_gone(r->monitor_pid, r->monitor_start, deadline);
}

int ctr_health_spawn(struct state_store *s, const char *id, const struct proc_ref *init, char *const *argv,
                     struct rt_container **rt, int *out_fd, struct burrow_err **err)
{
	int pp[2];
	if (pipe2(pp, O_CLOEXEC | O_NONBLOCK) < 0)
		return burrow_error(err, errno, "cannot create a pipe for the healthcheck");
	cleanup_free char *dir = ctr_dir(s, id);
	cleanup_free char *sc_cache = ctr_seccomp_cache(s);
	struct rt_exec_opts ro = {
	    .args = argv,
	    .stdio = {-1, pp[1], pp[1]},
	    .keyring = id,
	    .seccomp_cache = sc_cache,
	};
	/* the child's end blocking: the read end alone is ours */
	int fl = fcntl(pp[1], F_GETFL);
	fcntl(pp[1], F_SETFL, fl & ~O_NONBLOCK);
	if (rt_exec(dir, init, &ro, rt, err) < 0) {
		close(pp[0]);
		close(pp[1]);
		return -1;
	}
	close(pp[1]);
	if (rt_start(*rt, err) < 0) {
		/* it says why: 126 or 127, as exec */
		close(pp[0]);
		return -1;
	}
	*out_fd = pp[0];
	return 0;
}

int ctr_health_run(struct state_store *s, const char *ref, bool *healthy, struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	struct proc_ref init = PROC_REF_INIT;
	struct rt_container *rt = NULL;
	cleanup_close int out = -1;
	cleanup_strv char **argv = NULL;
	int lock = -1, ret = -1;
	int gone = ctr_lock_load(s, ref, &id, &lock, &c, &r, err);
	if (lock >= 0)
		state_unlock(steal_fd(lock));
	if (gone < 0)
		goto out;
	if (gone) {
		burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
		goto out;
	}
	if (!ctr_health_enabled(&c) || !(argv = ctr_health_argv(c.health_test))) {
		burrow_error_status(err, EINVAL, "container '%s' has no defined healthcheck", str_quote(c.name));
		goto out;
	}
	if (r.state != CTR_RUNNING || proc_ref_open(&init, r.pid, r.pid_start) != 1) {
		burrow_error_status(err, EINVAL, "container '%s' is not running", str_quote(c.name));
		goto out;
	}
	struct ctr_health_result res = {.start_ns = time_wall_ns(), .retries = c.health_retries};
	res.in_start_period = (res.start_ns / 1000000000LL - r.started_at) * 1000000000LL < c.health_start_period;
	char buf[CTR_HEALTH_OUTPUT_MAX];
	size_t len = 0;
	char msg[96];
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &old);
	if (ctr_health_spawn(s, id, &init, argv, &rt, &out, err) < 0) {
		if (!rt) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			burrow_error_wrap(err, "cannot run the healthcheck of container '%s'", str_quote(c.name));
			goto out;
		}
		/* its command cannot be run: a failed check */
		proc_kill_reap(rt->pid, NULL);
		res.exit_code = rt_exec_exit_code(*err);
		snprintf(buf, sizeof(buf), "%s", (*err)->msg);
		len = strlen(buf);
		burrow_err_free(steal_ptr(*err));
	} else {
		int st = 0;
		int w = proc_wait_output(rt->pid, out, buf, sizeof(buf), &len, now_ms() + c.health_timeout / 1000000LL,
		                         &st);
		if (w == 1) {
			res.exit_code = rt_exit_code(st);
		} else {
			/* past its timeout (or lost): killed, a failure */
			proc_kill_reap(rt->pid, NULL);
			res.exit_code = 1;
			snprintf(msg, sizeof(msg), "healthcheck command exceeded timeout of %llds",
			         c.health_timeout / 1000000000LL);
			len = strlen(msg);
			memcpy(buf, msg, len);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	res.end_ns = time_wall_ns();
	res.output = buf;
	res.output_len = len;
	enum ctr_health_status now;
	bool changed;
	if (ctr_health_record(s, id, &res, &now, &changed, err) < 0)
		goto out;
	*healthy = res.exit_code == 0;
	ctr_event_health(s, &c, ctr_health_status_name(now));
	tell_monitor(s, &c, &r, now);
	ret = 0;
out:
	if (rt)
		rt_container_free(rt);
	proc_ref_close(&init);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return ret;
}
