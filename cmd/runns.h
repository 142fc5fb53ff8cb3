/* run's and create's namespace and environment flags (cmd/runns.c):
 * --pid, --ipc, --uts. */
#ifndef BURROW_CMD_RUNNS_H
#define BURROW_CMD_RUNNS_H

#include "container/container.h"

enum {
	CMD_RUNNS_PID = 0x900,
	CMD_RUNNS_IPC,
	CMD_RUNNS_UTS,
};
// clang-format off
#define CMD_RUNNS_LONGOPTS \
	{"pid", required_argument, NULL, CMD_RUNNS_PID}, \
	{"ipc", required_argument, NULL, CMD_RUNNS_IPC}, \
	{"uts", required_argument, NULL, CMD_RUNNS_UTS}
// clang-format on
#define CMD_RUNNS_USAGE                                                                                 \
	"      --pid MODE           private (default), host, container:NAME, ns:PATH\n"                 \
	"      --ipc MODE           private, shareable (default), none, host, container:NAME, ns:PATH\n" \
	"      --uts MODE           private (default), host, container:NAME, ns:PATH\n"

/* One of the flags above into o (c is its code): 1 when it was one, 0
 * when c is another flag, -1 when its value is wrong (said). */
int cmd_runns_option(int c, const char *arg, struct ctr_create_opts *o);

#endif
