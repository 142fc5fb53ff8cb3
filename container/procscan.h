/* Reading the processes of a container from /proc (top, stats): those
 * in the PID namespace of its init (members.h's CTR_MEMBERS_PID, what
 * ps inside the container shows: a container that joined it counts
 * too); for a container in the host's PID namespace (--pid host), where
 * that would be every process of the user, those in its mount namespace
 * (CTR_MEMBERS_MNT), which the container has always of its own and
 * burrow exec joins. Private to container/. */
#ifndef BURROW_CONTAINER_PROCSCAN_H
#define BURROW_CONTAINER_PROCSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* The host pids of the processes in the PID namespace of init, the
 * process that started at start (by_mount: in its mount namespace),
 * itself included, in /proc's order (members.h). init gone: ESRCH. */
int ctr_ns_pids(pid_t init, unsigned long long start, bool by_mount, pid_t **pids, size_t *n, struct burrow_err **err);
/* /proc/PID/FILE's content (NUL-terminated; *len its length, may be
 * NULL), or NULL when it cannot be read (errno says why). */
char *ctr_proc_read(pid_t pid, const char *file, size_t *len);
/* Field n (1-based, as proc(5) numbers them; n >= 3) of a stat line. */
long long ctr_proc_stat_ll(const char *stat, int n);

#endif
