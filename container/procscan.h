/* Reading the processes of a container from /proc (top, stats): the
 * processes in the pid namespace of its init, compared by
 * /proc/PID/ns/pid. Private to container/. */
#ifndef BURROW_CONTAINER_PROCSCAN_H
#define BURROW_CONTAINER_PROCSCAN_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* The host pids of the processes in the pid namespace of init (itself
 * included), in /proc's order. init gone: ESRCH. */
int ctr_ns_pids(pid_t init, pid_t **pids, size_t *n, struct burrow_err **err);
/* /proc/PID/FILE's content (NUL-terminated; *len its length, may be
 * NULL), or NULL when it cannot be read (errno says why). */
char *ctr_proc_read(pid_t pid, const char *file, size_t *len);
/* Field n (1-based, as proc(5) numbers them; n >= 3) of a stat line. */
long long ctr_proc_stat_ll(const char *stat, int n);

#endif
