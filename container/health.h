/* Healthchecks, as podman has them: the configuration run and create take
 * (--health-*, --no-healthcheck) or the image gives (Healthcheck), the
 * state the checks leave, and one check run in a running container.
 *
 * The state lives in ROOT/containers/<id>/healthcheck.json, beside the
 * container's other files (it outlives a run, as podman's healthcheck log
 * does): {"Status": "starting"|"healthy"|"unhealthy", "FailingStreak": N,
 * "Log": [{"Start", "End", "ExitCode", "Output"}, ... at most 5]}. Its
 * writers (the monitor's timer, burrow healthcheck run) take
 * healthcheck.lock beside it and replace the file atomically; its readers
 * (inspect, ps, wait) read it without a lock and never talk to the
 * monitor. */
#ifndef BURROW_CONTAINER_HEALTH_H
#define BURROW_CONTAINER_HEALTH_H

#include <stdbool.h>

#include "container/record.h"
#include "lib/err.h"

struct state_store;
struct img_config;
struct proc_ref;
struct rt_container;

/* podman's defaults and bounds (define.DefaultHealthCheck*) */
#define CTR_HEALTH_INTERVAL_NS 30000000000LL
#define CTR_HEALTH_TIMEOUT_NS 30000000000LL
#define CTR_HEALTH_RETRIES 3
#define CTR_HEALTH_LOG_MAX 5      /* entries kept */
#define CTR_HEALTH_OUTPUT_MAX 500 /* bytes of a check's output kept */
#define CTR_HEALTH_STATE_FILE "healthcheck.json"

/* The flags as typed (NULL: not given). */
struct ctr_health_opts {
	const char *cmd, *interval, *retries, *start_period, *timeout, *on_failure;
	const char *startup_cmd, *startup_interval, *startup_retries, *startup_success, *startup_timeout;
	bool none; /* --no-healthcheck */
};

/* Checks the flags (each bad value: EINVAL, one line naming the flag) and
 * fills c's health_* fields from them over the image's Healthcheck (img
 * may be NULL). o NULL: the image's alone. c->sdnotify "healthy" (set
 * before) without a healthcheck: EINVAL, as podman. */
int ctr_health_config(const struct ctr_health_opts *o, const struct img_config *img, struct ctr_config *c,
                      struct burrow_err **err);

/* The container has a healthcheck to run. */
bool ctr_health_enabled(const struct ctr_config *c);

/* The state, as in the file (Status "" when there is none: no check
 * has run and the container never started with one). */
enum ctr_health_status {
	CTR_HEALTH_NONE = 0,
	CTR_HEALTH_STARTING,
	CTR_HEALTH_HEALTHY,
	CTR_HEALTH_UNHEALTHY,
};
const char *ctr_health_status_name(enum ctr_health_status st);
/* "starting", "healthy", "unhealthy", "none": 0, or -1 (EINVAL). */
int ctr_health_status_parse(const char *s, enum ctr_health_status *st, struct burrow_err **err);

/* The stored state's JSON text (NULL: none). Caller frees. */
char *ctr_health_state_read(struct state_store *s, const char *id);
/* The stored status of a container with a healthcheck (NONE without). */
enum ctr_health_status ctr_health_status_get(struct state_store *s, const struct ctr_config *c);

/* A new run: Status starting, FailingStreak 0 (the log is kept). */
int ctr_health_reset(struct state_store *s, const char *id, struct burrow_err **err);

/* One check's result into the state: its log entry (the last 5 kept),
 * the streak, the status (a failure in the start period does not count).
 * start_ns, end_ns: wall clock. *now: the status after it; *changed: it
 * differs from the one before. */
struct ctr_health_result {
	long long start_ns, end_ns;
	int exit_code;
	const char *output; /* may be NULL */
	size_t output_len;
	bool in_start_period;
	int retries;
};
int ctr_health_record(struct state_store *s, const char *id, const struct ctr_health_result *res,
                      enum ctr_health_status *now, bool *changed, struct burrow_err **err);

/* The command a check runs: Test ["CMD", ...] as it is, ["CMD-SHELL", s]
 * as /bin/sh -c s. NULL when test is none. Caller frees (strv). */
char **ctr_health_argv(char *const *test);

/* Starts argv in the running container whose init is init, as exec
 * does, its stdout and stderr into a pipe whose read end (O_NONBLOCK) is
 * *out_fd. *rt: the process, our child (the caller reaps it). -1 with
 * *rt set: its command could not be run (rt_exec_exit_code says 126 or
 * 127; the process exits); with *rt NULL: nothing was started. */
int ctr_health_spawn(struct state_store *s, const char *id, const struct proc_ref *init, char *const *argv,
                     struct rt_container **rt, int *out_fd, struct burrow_err **err);

/* burrow healthcheck run: one check in the running container now, its
 * result recorded; *healthy: it passed. ENOENT: no such container; EINVAL:
 * no healthcheck, or it is not running. */
int ctr_health_run(struct state_store *s, const char *ref, bool *healthy, struct burrow_err **err);

#endif
