/* Helpers shared inside container/. */
#ifndef BURROW_CONTAINER_INTERNAL_H
#define BURROW_CONTAINER_INTERNAL_H

#include "container/record.h"
#include "lib/err.h"

struct state_store;

/* ROOT/containers/<id> (upper, work, config.json) */
char *ctr_dir(struct state_store *s, const char *id);
/* RUNROOT/containers/<id> (merged, generated /etc files) */
char *ctr_rundir(struct state_store *s, const char *id);

/* Unmounts the rootfs and removes the runtime files of a container that is
 * no longer running; records it as exited. Idempotent. */
int ctr_cleanup(struct state_store *s, const struct ctr_config *c, struct ctr_run *r, struct burrow_err **err);
/* Deletes the records and directories of a stopped container. */
int ctr_delete(struct state_store *s, const struct ctr_config *c, struct burrow_err **err);
/* Whether the monitor recorded in r is still alive (pid + start time). */
bool ctr_monitor_alive(const struct ctr_run *r);

/* -u USER[:GROUP] as podman resolves it, against the text of the image's
 * /etc/passwd and /etc/group (NULL: the image has none): a name or a uid
 * with a passwd entry takes the entry's uid and group; a uid without one
 * runs with group 0; GROUP (a name or a gid) overrides the group. */
int ctr_resolve_user(const char *spec, const char *passwd, const char *group, unsigned *uid, unsigned *gid,
                     struct burrow_err **err);

#endif
