/* run's and create's --device and resource limits (see runres.h). */
#include "cmd/runres.h"

int cmd_runr_option(int c, const char *arg, struct ctr_res_opts *r)
{
	static const struct {
		int code;
		enum ctr_res_flag flag;
	} map[] = {
	    {CMD_RUNR_DEVICE, CTR_RES_DEVICE},
	    {CMD_RUNR_DEVICE_CGROUP_RULE, CTR_RES_DEVICE_CGROUP_RULE},
	    {CMD_RUNR_MEMORY, CTR_RES_MEMORY},
	    {CMD_RUNR_MEMORY_SWAP, CTR_RES_MEMORY_SWAP},
	    {CMD_RUNR_MEMORY_RESERVATION, CTR_RES_MEMORY_RESERVATION},
	    {CMD_RUNR_PIDS_LIMIT, CTR_RES_PIDS_LIMIT},
	    {CMD_RUNR_CPUS, CTR_RES_CPUS},
	    {CMD_RUNR_CPU_SHARES, CTR_RES_CPU_SHARES},
	    {CMD_RUNR_CPU_QUOTA, CTR_RES_CPU_QUOTA},
	    {CMD_RUNR_CPU_PERIOD, CTR_RES_CPU_PERIOD},
	    {CMD_RUNR_CPUSET_CPUS, CTR_RES_CPUSET_CPUS},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].code != c)
			continue;
		struct burrow_err *err = NULL;
		if (ctr_res_parse(map[i].flag, arg, r, &err) < 0) {
			cmd_fail(err);
			return -1;
		}
		return 1;
	}
	return 0;
}
