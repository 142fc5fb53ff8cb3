/* A container's records: its configuration (ctr/<id> in burrow.tdb, kept
 * until removal) and its running state (run/<id> in state.tdb). */
#ifndef BURROW_CONTAINER_RECORD_H
#define BURROW_CONTAINER_RECORD_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"

struct state_store;

enum ctr_state {
	CTR_CONFIGURED = 0,
	CTR_CREATED,
	CTR_RUNNING,
	CTR_PAUSED,
	CTR_STOPPING,
	CTR_STOPPED,
	CTR_EXITED,
	CTR_REMOVING,
	CTR_UNKNOWN,
};
const char *ctr_state_name(enum ctr_state s);
enum ctr_state ctr_state_parse(const char *s);

struct ctr_config {
	char *id;
	char *name;
	char *image_id;   /* NULL with --rootfs */
	char *image_name; /* what the user typed */
	char *rootfs;     /* --rootfs DIR, else NULL */
	long long created;
	char **args; /* final process args (entrypoint + command) */
	char **env;  /* final environment */
	char *workdir;
	unsigned uid, gid;
	char *hostname;
	char *network; /* --network in its canonical form (netns_format) */
	long long shm_size;
	char *seccomp; /* --security-opt seccomp=: NULL for podman's default profile, "unconfined" */
	bool rm, tty, interactive;
	bool started; /* has run at least once (for refresh after reboot) */
	/* The current or last run, kept here as well as in run/<id> so that it
	 * outlives the runtime dir (a reboot, a logout, a tmp cleaner): who
	 * runs it (the monitor and the container init, each a pid with its
	 * start time, in boot boot_id), when it started and ended, and how.
	 * finished_at 0: no end recorded (still running, or its monitor died). */
	char *boot_id;
	pid_t monitor_pid;
	unsigned long long monitor_start;
	pid_t pid;
	unsigned long long pid_start;
	long long started_at, finished_at;
	int exit_code;
};

struct ctr_run {
	enum ctr_state state;
	pid_t pid;
	unsigned long long pid_start; /* start time of pid (0: unknown) */
	pid_t monitor_pid;
	unsigned long long monitor_start;
	int exit_code;
	long long started_at, finished_at;
	char *mountpoint;
	pid_t fuse_pid; /* fuse-overlayfs serving mountpoint (0: unknown) */
	char *reason;   /* why it stopped when not by itself (e.g. "monitor died") */
};

char *ctr_config_to_json(const struct ctr_config *c);
int ctr_config_from_json(const char *json, struct ctr_config *c, struct burrow_err **err);
void ctr_config_clear(struct ctr_config *c);

char *ctr_run_to_json(const struct ctr_run *r);
int ctr_run_from_json(const char *json, struct ctr_run *r, struct burrow_err **err);
void ctr_run_clear(struct ctr_run *r);

/* Loads/saves records. ctr_run_load of a missing run record gives
 * configured (never started) or exited. */
int ctr_config_load(struct state_store *s, const char *id, struct ctr_config *c, struct burrow_err **err);
int ctr_config_save(struct state_store *s, const struct ctr_config *c, struct burrow_err **err);
int ctr_run_load(struct state_store *s, const char *id, struct ctr_run *r, struct burrow_err **err);
int ctr_run_save(struct state_store *s, const char *id, const struct ctr_run *r, struct burrow_err **err);

/* Resolves what the user typed (name, ID or unique ID prefix). */
int ctr_lookup(struct state_store *s, const char *ref, char **id, struct burrow_err **err);

#endif
