/* The monitor's healthchecks (container/monitor_health.c): on its loop's
 * timers, each check an exec into the container (ctr_health_spawn), its
 * output read on the loop, its timeout a timer that kills it, its result
 * recorded (container/health.h) and acted on (--health-on-failure). No
 * process lives between checks. */
#ifndef BURROW_CONTAINER_MONITOR_HEALTH_H
#define BURROW_CONTAINER_MONITOR_HEALTH_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/health.h"

struct mon;

/* The container runs: its state reset (starting), the first check due
 * after an interval (the startup check's, when there is one). */
void ctr_mon_health_start(struct mon *m);
/* The run ends: a check still running killed and reaped, the timers
 * stopped. */
void ctr_mon_health_stop(struct mon *m);
/* A child the monitor reaped: true when it was the check's (then
 * recorded). */
bool ctr_mon_health_reaped(struct mon *m, pid_t pid, int wstatus);
/* burrow healthcheck run stored a result (it says so on the attach
 * socket, container/attach.h's HEALTH): the same hooks and on-failure
 * action as for the monitor's own checks, from the stored status. */
void ctr_mon_health_told(struct mon *m);
/* Called each time the container's health status changes (after it is
 * stored): the hook for what follows from it (sd-notify's
 * --sdnotify=healthy waits for the first CTR_HEALTH_HEALTHY). The
 * health_status event is not one: podman writes it at every check run. */
void ctr_mon_health_changed(struct mon *m, enum ctr_health_status status);
/* Frees what ctr_mon_health_start made. */
void ctr_mon_health_free(struct mon *m);

#endif
