/* burrow stats: what a container uses, read the way rootless can read it.
 *
 * CPU time, memory and pids are summed over the processes in the pid
 * namespace of the container's init (container/procscan.h): utime+stime
 * and the children's cutime+cstime of /proc/PID/stat, VmRSS (stat's rss),
 * one each. Network bytes are its network namespace's interfaces but lo
 * (/proc/INIT/net/dev: with slirp, tap0: what went through libslirp);
 * with --network host they are the host's, so unknown. Block I/O is
 * /proc/PID/io's read_bytes/write_bytes, unknown when one cannot be read.
 * Without a cgroup of its own the memory limit is the host's MemTotal, as
 * podman shows it. Unknown values are -1: the caller shows "--". */
#ifndef BURROW_CONTAINER_STATS_H
#define BURROW_CONTAINER_STATS_H

#include <stdbool.h>

#include "lib/err.h"

struct state_store;

struct ctr_stats {
	char *id, *name;
	bool running;                        /* running or paused: the rest is known */
	long long cpu_ns, cpu_sys_ns;        /* CPU time of its processes (and their reaped children) */
	long long sample_ns;                 /* when sampled (CLOCK_BOOTTIME) */
	long long start_ns;                  /* when its init started (CLOCK_BOOTTIME) */
	long long mem_usage, mem_limit;      /* bytes */
	long long pids;                      /* its processes */
	long long net_input, net_output;     /* bytes it received, sent (-1: unknown) */
	long long block_input, block_output; /* bytes read, written (-1: unknown) */
};

/* One sample of container ref (name, ID or prefix; none: ENOENT, "no such
 * container"). A container that does not run gives zeros (running
 * false), as podman's. */
int ctr_stats_sample(struct state_store *s, const char *ref, struct ctr_stats *out, struct burrow_err **err);
void ctr_stats_clear(struct ctr_stats *st);

/* Parsers, for ctr_stats_sample and its tests: the bytes received and sent
 * over every interface but lo in a /proc/net/dev text (0, or -1 when it is
 * not one); read_bytes and write_bytes of a /proc/PID/io text (0 or -1). */
int ctr_stats_parse_netdev(const char *text, long long *rx, long long *tx);
int ctr_stats_parse_io(const char *text, long long *rd, long long *wr);

#endif
