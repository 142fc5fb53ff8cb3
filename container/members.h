/* A container's processes found from /proc, by a namespace of its first
 * process held open (so its inode number cannot name another namespace
 * meanwhile, even once that process is gone):
 *
 * - by its mount namespace (CTR_MEMBERS_MNT): burrow gives each
 *   container a new one, burrow exec joins it, and the monitor,
 *   fuse-overlayfs and the CLI stay in burrow's own, so these are
 *   exactly its processes, whichever PID namespace they share (--pid
 *   host, --pid container:NAME, or one others joined); a process of it
 *   that unshares its mount namespace (unshare -m) is no longer found;
 * - by its PID namespace (CTR_MEMBERS_PID), for a container that owns
 *   one: every process in it, a process that made a mount namespace of
 *   its own too, minus those in the mount namespaces left out with
 *   ctr_members_skip (the containers that joined that PID namespace)
 *   and those still in burrow's own (a process that burrow exec or a
 *   joining container's start has placed in it but not set up yet).
 *   The processes of a PID namespace nested in it (unshare -p -f, found
 *   through NS_GET_PARENT) are signalled and waited for too, but not
 *   listed (ctr_members_list: top shows PIDs as its namespace numbers
 *   them).
 *
 * A process whose main thread has ended while others run on is found
 * through a live thread's links (proc_ns_stat). Each process is
 * signalled through a pidfd opened before its namespace was read (the
 * start time where the kernel has no pidfds), never a reused pid. */
#ifndef BURROW_CONTAINER_MEMBERS_H
#define BURROW_CONTAINER_MEMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

#define CTR_MEMBERS_MNT "mnt"
#define CTR_MEMBERS_PID "pid"

/* A namespace held open, and its identity. */
struct ctr_ns_held {
	int fd;
	dev_t dev;
	ino_t ino;
};

struct ctr_members {
	struct ctr_ns_held ns;      /* fd -1: none */
	const char *kind;           /* CTR_MEMBERS_MNT or CTR_MEMBERS_PID */
	struct ctr_ns_held own_mnt; /* burrow's own mount namespace (PID kind) */
	struct ctr_ns_held *skip;   /* mount namespaces left out */
	size_t nskip;
};
#define CTR_MEMBERS_INIT                                                                                   \
	{                                                                                                  \
		.ns = {.fd = -1}, .kind = CTR_MEMBERS_MNT, .own_mnt = {.fd = -1}, .skip = NULL, .nskip = 0 \
	}

/* Opens the namespace of kind (CTR_MEMBERS_MNT or CTR_MEMBERS_PID) of
 * the process pid that started at start (the container's first). 1 when
 * it is open, 0 when that process is gone, -1 on an error: it cannot be
 * read, or it is burrow's own namespace of that kind (a container never
 * shares burrow's mount namespace, and a PID namespace of the host's
 * would take in every process of the user). */
int ctr_members_open(struct ctr_members *m, const char *kind, pid_t pid, unsigned long long start,
                     struct burrow_err **err);

/* Leaves the processes in the mount namespace of the process pid that
 * started at start out of m (a PID namespace's: a joining container's).
 * 1 when it is left out, 0 when that process is gone, -1 on an error. */
int ctr_members_skip(struct ctr_members *m, pid_t pid, unsigned long long start, struct burrow_err **err);

/* Sends sig to each of its processes but the one named by skip_pid and
 * skip_start (0: none), and with skip_cg those in that cgroup directory
 * (the freezer's). For SIGSTOP and SIGKILL the walk of /proc goes again
 * until it finds nobody new (a process forked meanwhile is reached too;
 * at most 100 walks). Returns how many processes were signalled, -1 when
 * /proc cannot be read (errno). */
int ctr_members_signal(const struct ctr_members *m, int sig, pid_t skip_pid, unsigned long long skip_start,
                       const char *skip_cg);

/* Its processes as one walk of /proc finds them (top, stats): their pids
 * in /proc's order in *pids (the caller frees it), how many in *n. 0, or
 * -1 when /proc cannot be read (errno). */
int ctr_members_list(const struct ctr_members *m, pid_t **pids, size_t *n);

/* Waits until no process is left in it (a zombie counts as gone) or
 * deadline (now_ms) passes; true when none is left. */
bool ctr_members_wait_gone(const struct ctr_members *m, int64_t deadline);

void ctr_members_close(struct ctr_members *m);

#endif
