/* run's and create's --pid, --ipc, --uts (see runns.h). */
#include "cmd/runns.h"

#include "cmd/cmd.h"
#include "container/nsmode.h"

int cmd_runns_option(int c, const char *arg, struct ctr_create_opts *o)
{
	if (c < CMD_RUNNS_PID || c > CMD_RUNNS_UTS)
		return 0;
	enum ctr_ns ns = c == CMD_RUNNS_PID ? CTR_NS_PID : c == CMD_RUNNS_IPC ? CTR_NS_IPC : CTR_NS_UTS;
	struct burrow_err *err = NULL;
	if (ctr_nsmode_check(ns, arg, &err) < 0) {
		cmd_fail(err);
		return -1;
	}
	o->ns_mode[ns] = arg;
	return 1;
}
