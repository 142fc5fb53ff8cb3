/* A container's processes found without a cgroup: every process of a
 * container lives in its mount namespace (burrow gives each container a
 * new one; burrow exec joins it; the monitor, fuse-overlayfs and the CLI
 * stay in burrow's own), so the processes whose /proc/PID/ns/mnt is that
 * of its first process are exactly its processes, whichever PID
 * namespace they share (--pid host, --pid container:NAME, or one others
 * joined). A process of the container that unshares its mount namespace
 * (unshare -m, a nested container) is no longer found. The namespace is
 * held open while it is used, so its inode number cannot name another
 * one meanwhile, even once the first process is gone. Each process is
 * signalled through a pidfd opened before its namespace was read (the
 * start time where the kernel has no pidfds), never a reused pid. */
#ifndef BURROW_CONTAINER_MEMBERS_H
#define BURROW_CONTAINER_MEMBERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

struct ctr_members {
	int nsfd;         /* the namespace, held; -1 when none */
	const char *kind; /* "mnt", or "pid" (CTR_MEMBERS_PID) */
	dev_t dev;
	ino_t ino;
};
#define CTR_MEMBERS_INIT                                      \
	{                                                     \
		.nsfd = -1, .kind = "mnt", .dev = 0, .ino = 0 \
	}

/* Opens the mount namespace of the process pid that started at start
 * (the container's first). 1 when it is open, 0 when that process is
 * gone, -1 on an error: it cannot be read, or it is burrow's own mount
 * namespace (a container never shares that: scanning it would reach
 * burrow's monitors). Its processes are found through a live thread
 * when their main thread has ended (proc_ns_stat). */
int ctr_members_open(struct ctr_members *m, pid_t pid, unsigned long long start, struct burrow_err **err);

/* Sends sig to each process in that mount namespace but the one named
 * by skip_pid and skip_start (0: none), and with skip_cg those in that
 * cgroup directory (the freezer's). For SIGSTOP and SIGKILL the walk of
 * /proc goes again until it finds nobody new (a process forked
 * meanwhile is reached too; at most 100 walks). Returns how many
 * processes were signalled, -1 when /proc cannot be read (errno). */
int ctr_members_signal(const struct ctr_members *m, int sig, pid_t skip_pid, unsigned long long skip_start,
                       const char *skip_cg);

/* Waits until no process is left in it (a zombie counts as gone) or
 * deadline (now_ms) passes; true when none is left. */
bool ctr_members_wait_gone(const struct ctr_members *m, int64_t deadline);

void ctr_members_close(struct ctr_members *m);

#endif
