/* burrow update: a stored container's settings changed after create, as
 * the seeds' update. Each field of ctr_update_opts left at its zero value
 * changes nothing. */
#ifndef BURROW_CONTAINER_UPDATE_H
#define BURROW_CONTAINER_UPDATE_H

#include "container/resources.h"
#include "lib/err.h"

struct state_store;

struct ctr_update_opts {
	const char *restart_policy; /* no, on-failure, always, unless-stopped (NULL: unchanged) */
	int restart_max;            /* on-failure:N with restart_policy (0: no limit) */
	struct ctr_res_opts res;    /* --memory, --pids-limit, --cpus ... (those given: not 0) */
};

/* Changes the container ref names under its lock, in its stored record
 * (the ID in *id, caller frees). A running container's monitor takes the
 * new restart policy when the container ends (it reads the record then).
 * A --rm container refuses a restart policy, as create does (EINVAL).
 * Resource limits are checked with the stored ones (ctr_res_update) and
 * written into a running container's cgroup where it has one. */
int ctr_update(struct state_store *s, const char *ref, const struct ctr_update_opts *o, char **id,
               struct burrow_err **err);

/* What ctr_update may have changed in the stored record now while a
 * monitor held c: its restart policy and resource limits, moved from now
 * into c (which the monitor saves again when the container ends). */
struct ctr_config;
void ctr_update_adopt(struct ctr_config *c, struct ctr_config *now);

#endif
