/* A container's own cgroup v2 and its freezer: where the cgroup2
 * hierarchy is mounted (pure v2 at /sys/fs/cgroup, hybrid at
 * /sys/fs/cgroup/unified), whether a subtree of it is delegated to the
 * user, the burrow-ID cgroup the monitor puts a container's init into,
 * and freezing (pause) or thawing it through cgroup.freeze. Where there
 * is none, pause falls back to SIGSTOP (stop.c). */
#ifndef BURROW_CONTAINER_FREEZER_H
#define BURROW_CONTAINER_FREEZER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

/* The mount point of the cgroup2 hierarchy (from /proc/self/mountinfo),
 * NULL where there is none. Caller frees. */
char *ctr_cg2_mount(void);

/* The pure parts, for tests: the first cgroup2 mount point (of the
 * hierarchy's root) in mountinfo's text; the cgroup2 path ("/..." of
 * the "0::" line) in a /proc/PID/cgroup text; cgroup.events' "frozen"
 * value (0, 1; -1 when there is none). NULL or -1 where there is none. */
char *ctr_cg2_mount_find(const char *mountinfo);
char *ctr_cg2_path_find(const char *proc_cgroup);
int ctr_cg2_frozen_find(const char *events);
/* Whether process pid lives in the cgroup directory dir. */
bool ctr_cg2_has(const char *dir, pid_t pid);
/* The parent of the cgroup directory own under the hierarchy's mount
 * point mnt, NULL where own is not below mnt or its parent would be the
 * hierarchy's root (never the user's to make cgroups in). Caller frees. */
char *ctr_cg2_parent_find(const char *mnt, const char *own);

/* The cgroup2 directory of pid (0: the caller) under the mount point,
 * NULL where it has none. Caller frees. */
char *ctr_cg2_dir_of(pid_t pid);

/* Where a container's cgroup for the freezer is made: the parent of the
 * caller's cgroup where the user may write it (systemd's Delegate=),
 * else the caller's own cgroup where the user may write it (a subtree
 * handed over by root: with no controllers enabled there, processes may
 * live beside child cgroups); never the hierarchy's root. NULL and *why
 * set (a sentence, static) where there is none. Caller frees. */
char *ctr_cg2_freezer_base(const char **why);

/* Whether the user can really create a child in base and move a process
 * into it (a short-lived child of the caller, in a probe cgroup removed
 * again). */
bool ctr_cg2_probe(const char *base);

/* The name of container id's cgroup ("burrow-" and the short ID). */
#define CTR_CG2_NAME_FMT "burrow-%.12s"

/* Makes base/burrow-ID (a stale one of an earlier run removed first):
 * its path in *dir. */
int ctr_cg2_make(const char *base, const char *id, char **dir, struct burrow_err **err);
/* Moves process pid into the cgroup directory dir. */
int ctr_cg2_move(const char *dir, pid_t pid, struct burrow_err **err);
/* Both: base/burrow-ID made and pid moved into it; on failure nothing is
 * left. */
int ctr_cg2_join(const char *base, const char *id, pid_t pid, struct burrow_err **err);

/* The directory of container id's cgroup when pid (its init) lives in
 * it, else NULL (the container has none: SIGSTOP is its pause). */
char *ctr_cg2_container_dir(const char *id, pid_t pid);

/* Moves pid (a process exec started in container id) into the cgroup of
 * the container's init where it has one and the user may: 0, or -1 (it
 * stays where it is; pause then stops it with SIGSTOP). */
int ctr_cg2_follow(const char *id, pid_t init, pid_t pid, struct burrow_err **err);

/* Writes 1 (freeze) or 0 (thaw) into dir's cgroup.freeze and waits
 * until its cgroup.events says frozen (or not) or the deadline
 * (now_ms()) passes: 0, or -1 (ETIMEDOUT then). */
int ctr_cg2_freeze(const char *dir, bool freeze, int64_t deadline, struct burrow_err **err);

/* Removes container id's cgroup under the freezer's base (gone: nothing
 * to do; a process left in it: kept). */
void ctr_cg2_remove(const char *id);

#endif
