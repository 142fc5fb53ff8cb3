/* burrow update [OPTIONS] CONTAINER: change a container's settings after
 * create (container/update.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "container/update.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* One of update's flags: its value into o. 0, or -1 with *err. */
typedef int (*update_fn)(const char *arg, struct ctr_update_opts *o, struct burrow_err **err);

static int set_restart(const char *arg, struct ctr_update_opts *o, struct burrow_err **err)
{
	return ctr_parse_restart(arg, &o->restart_policy, &o->restart_max, err);
}

/* The resource limits, as run's (container/resources.h). */
#define RES_SETTER(fn, flag)                                                               \
	static int fn(const char *arg, struct ctr_update_opts *o, struct burrow_err **err) \
	{                                                                                  \
		return ctr_res_parse(flag, arg, &o->res, err);                             \
	}
RES_SETTER(set_memory, CTR_RES_MEMORY)
RES_SETTER(set_memory_swap, CTR_RES_MEMORY_SWAP)
RES_SETTER(set_memory_reservation, CTR_RES_MEMORY_RESERVATION)
RES_SETTER(set_pids_limit, CTR_RES_PIDS_LIMIT)
RES_SETTER(set_cpus, CTR_RES_CPUS)
RES_SETTER(set_cpu_shares, CTR_RES_CPU_SHARES)
RES_SETTER(set_cpu_quota, CTR_RES_CPU_QUOTA)
RES_SETTER(set_cpu_period, CTR_RES_CPU_PERIOD)
RES_SETTER(set_cpuset_cpus, CTR_RES_CPUSET_CPUS)

/* update's flags, one line each: X(name, help, setter); the table and
 * the usage are made from it. */
#define UPDATE_FLAGS(X)                                                                         \
	X("restart", "POLICY      no, on-failure[:N], always, unless-stopped", set_restart)     \
	X("memory", "SIZE         memory limit (512m, 2g)*", set_memory)                        \
	X("memory-swap", "SIZE    memory plus swap limit (-1: unlimited)*", set_memory_swap)    \
	X("memory-reservation", "SIZE  memory soft limit*", set_memory_reservation)             \
	X("pids-limit", "N        most processes at once (-1: unlimited)*", set_pids_limit)     \
	X("cpus", "N              CPUs' worth of time (1.5)*", set_cpus)                        \
	X("cpu-shares", "N        relative CPU weight*", set_cpu_shares)                        \
	X("cpu-quota", "US        CPU time per period, in microseconds*", set_cpu_quota)        \
	X("cpu-period", "US       the period of --cpu-quota, in microseconds*", set_cpu_period) \
	X("cpuset-cpus", "CPUS    the CPUs it may use (0-3,5)*", set_cpuset_cpus)

#define UPDATE_FLAG_ENTRY(name, help, set) {name, set},
#define UPDATE_FLAG_USAGE(name, help, set) "      --" name " " help "\n"
static const struct update_flag {
	const char *name;
	update_fn set;
} update_flags[] = {UPDATE_FLAGS(UPDATE_FLAG_ENTRY)};
#define N_UPDATE_FLAGS (sizeof(update_flags) / sizeof(update_flags[0]))

const char cmd_update_usage[] =
    "update [OPTIONS] CONTAINER\n\n"
    "Change a container's settings; a running one keeps running.\n\n" UPDATE_FLAGS(
        UPDATE_FLAG_USAGE) "                            *: kept; applied where a delegated cgroup v2 allows it\n";

int cmd_update(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct option longopts[N_UPDATE_FLAGS + 1];
	memset(longopts, 0, sizeof(longopts));
	for (size_t i = 0; i < N_UPDATE_FLAGS; i++)
		longopts[i] = (struct option){update_flags[i].name, required_argument, NULL, 0x200 + (int)i};
	struct ctr_update_opts o = {0};
	cleanup_strv char **args = NULL;
	bool any = false;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "", longopts, &args)) != -1) {
		if (c == CMD_OPT_HELP)
			return 0;
		if (c < 0x200 || c >= 0x200 + (int)N_UPDATE_FLAGS)
			return EXIT_BURROW;
		const struct update_flag *f = &update_flags[c - 0x200];
		struct burrow_err *err = NULL;
		if (f->set(optarg, &o, &err) < 0) {
			burrow_error_wrap(&err, "--%s", f->name);
			return cmd_fail(err);
		}
		any = true;
	}
	if (strv_len(args) != 1)
		return cmd_usage_error(ctx, "update needs exactly one container (see 'burrow update --help')");
	if (!any)
		return cmd_usage_error(ctx, "update needs a setting to change (see 'burrow update --help')");
	struct burrow_err *err = NULL;
	cleanup_free char *id = NULL;
	if (cmd_ready(ctx, &err) < 0 || ctr_update(ctx->state, args[0], &o, &id, &err) < 0)
		return cmd_fail(err);
	printf("%s\n", id);
	return 0;
}
