/* Container lifecycle. */
#ifndef BURROW_CONTAINER_H
#define BURROW_CONTAINER_H

#include "lib/err.h"

struct state_store;

/* After a reboot (state.tdb missing): every container becomes configured
 * or exited, as the seeds' resetState/refresh do. */
int ctr_refresh(struct state_store *s, struct burrow_err **err);

#endif
