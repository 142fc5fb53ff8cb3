/* --timeout (container/monitor_timeout.c): the monitor kills the
 * container's init with SIGKILL once it has run the record's timeout
 * seconds, a timer on the monitor's loop (no process of its own). As
 * podman 4.3 (conmon) does: SIGKILL at once, not the stop signal first;
 * the run's exit code is then -1 (inspect's ExitCode; `run` exits 255),
 * not 137. */
#ifndef BURROW_CONTAINER_MONITOR_TIMEOUT_H
#define BURROW_CONTAINER_MONITOR_TIMEOUT_H

#include <stdbool.h>

struct mon;

/* The init runs: arms the timer (nothing without a timeout). Each run,
 * a restart too, gets the whole timeout. */
void ctr_mon_timeout_start(struct mon *m);
/* The run ended: disarms it; whether it was what ended the run. */
bool ctr_mon_timeout_stop(struct mon *m);

#endif
