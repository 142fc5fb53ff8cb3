/* run's and create's --device and resource limit flags (cmd/runres.c):
 * parsed into ctr_create_opts.res (container/resources.h). */
#ifndef BURROW_CMD_RUNRES_H
#define BURROW_CMD_RUNRES_H

#include "cmd/cmd.h"
#include "container/resources.h"

enum {
	CMD_RUNR_DEVICE = 0x600,
	CMD_RUNR_DEVICE_CGROUP_RULE,
	CMD_RUNR_MEMORY, /* also -m */
	CMD_RUNR_MEMORY_SWAP,
	CMD_RUNR_MEMORY_RESERVATION,
	CMD_RUNR_PIDS_LIMIT,
	CMD_RUNR_CPUS,
	CMD_RUNR_CPU_SHARES, /* also -c */
	CMD_RUNR_CPU_QUOTA,
	CMD_RUNR_CPU_PERIOD,
	CMD_RUNR_CPUSET_CPUS,
};
// clang-format off
#define CMD_RUNR_LONGOPTS \
	{"device", required_argument, NULL, CMD_RUNR_DEVICE}, \
	{"device-cgroup-rule", required_argument, NULL, CMD_RUNR_DEVICE_CGROUP_RULE}, \
	{"memory", required_argument, NULL, CMD_RUNR_MEMORY}, \
	{"memory-swap", required_argument, NULL, CMD_RUNR_MEMORY_SWAP}, \
	{"memory-reservation", required_argument, NULL, CMD_RUNR_MEMORY_RESERVATION}, \
	{"pids-limit", required_argument, NULL, CMD_RUNR_PIDS_LIMIT}, \
	{"cpus", required_argument, NULL, CMD_RUNR_CPUS}, \
	{"cpu-shares", required_argument, NULL, CMD_RUNR_CPU_SHARES}, \
	{"cpu-quota", required_argument, NULL, CMD_RUNR_CPU_QUOTA}, \
	{"cpu-period", required_argument, NULL, CMD_RUNR_CPU_PERIOD}, \
	{"cpuset-cpus", required_argument, NULL, CMD_RUNR_CPUSET_CPUS}
// clang-format on
#define CMD_RUNR_USAGE                                                                        \
	"      --device HOST[:CTR][:PERMS]  bind a host device you can open (PERMS of rwm)\n" \
	"      --device-cgroup-rule RULE  accepted, ignored: no device cgroup rootless\n"     \
	"  -m, --memory SIZE        memory limit (512m, 2g)*\n"                               \
	"      --memory-swap SIZE   memory plus swap limit (-1: unlimited)*\n"                \
	"      --memory-reservation SIZE  memory soft limit*\n"                               \
	"      --pids-limit N       most processes at once (-1: unlimited)*\n"                \
	"      --cpus N             CPUs' worth of time (1.5)*\n"                             \
	"  -c, --cpu-shares N       relative CPU weight (default 1024)*\n"                    \
	"      --cpu-quota US, --cpu-period US  CPU time per period, in microseconds*\n"      \
	"      --cpuset-cpus CPUS   the CPUs it may use (0-3,5)*\n"                           \
	"                           *: where a delegated cgroup v2 allows it (else ignored, said)\n"

/* One of the flags above (c its code): 1 when it was one, 0 when c is
 * another flag, -1 when it is wrong (said). */
int cmd_runr_option(int c, const char *arg, struct ctr_res_opts *r);

#endif
