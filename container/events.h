/* A container's events (state/events.h): one call where each happens. */
#ifndef BURROW_CONTAINER_EVENTS_H
#define BURROW_CONTAINER_EVENTS_H

#include <stdbool.h>

#include "container/record.h"

struct state_store;

/* A "container" event for c (its ID, name, image and labels): status is
 * podman's word (create, init, start, attach, exec, kill, pause, unpause,
 * restart, cleanup, remove, mount, unmount, rename). Never fails. */
void ctr_event(struct state_store *s, const struct ctr_config *c, const char *status);
/* The same with an exit code (ContainerExitCode): died, exec_died. */
void ctr_event_code(struct state_store *s, const struct ctr_config *c, const char *status, int code);
/* The container's init ended with code: "died", then "stop" when a stop
 * (or rm -f) ended it. */
void ctr_event_died(struct state_store *s, const struct ctr_config *c, int code, bool stopped);
/* A health_status event, as podman at every check run (the regular and the
 * startup check, the monitor's and healthcheck run's), not only when the
 * status changes: health is the status after it, "healthy", "unhealthy" or
 * "starting". */
void ctr_event_health(struct state_store *s, const struct ctr_config *c, const char *health);
/* ctr_event for a container the user named (name, ID or prefix); nothing
 * when there is none. For callers without its record (restart, exec). */
void ctr_event_ref(struct state_store *s, const char *ref, const char *status);
/* The same with an exit code (exec_died). */
void ctr_event_ref_code(struct state_store *s, const char *ref, const char *status, int code);

#endif
