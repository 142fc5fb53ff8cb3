/* Reading the processes of a container from /proc (top, stats): the
 * processes in the pid namespace of its init, compared by
 * /proc/PID/ns/pid; for a container in the host's pid namespace (--pid
 * host), where that would be every process of the user, those in its
 * mount namespace (/proc/PID/ns/mnt), which the container has always of
 * its own and burrow exec joins. Private to container/. */
#ifndef BURROW_CONTAINER_PROCSCAN_H
#define BURROW_CONTAINER_PROCSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* The host pids of the processes in the pid namespace of init (by_mount:
 * in its mount namespace), itself included, in /proc's order. init gone:
 * ESRCH. */
int ctr_ns_pids(pid_t init, bool by_mount, pid_t **pids, size_t *n, struct burrow_err **err);
/* /proc/PID/FILE's content (NUL-terminated; *len its length, may be
 * NULL), or NULL when it cannot be read (errno says why). */
char *ctr_proc_read(pid_t pid, const char *file, size_t *len);
/* Field n (1-based, as proc(5) numbers them; n >= 3) of a stat line. */
long long ctr_proc_stat_ll(const char *stat, int n);

#endif
