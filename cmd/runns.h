/* run's and create's namespace and environment flags (cmd/runns.c):
 * --pid, --ipc, --uts, --unsetenv, --unsetenv-all, --http-proxy. */
#ifndef BURROW_CMD_RUNNS_H
#define BURROW_CMD_RUNNS_H

#include "container/container.h"

enum {
	CMD_RUNNS_PID = 0x900,
	CMD_RUNNS_IPC,
	CMD_RUNNS_UTS,
	CMD_RUNNS_UNSETENV,
	CMD_RUNNS_UNSETENV_ALL,
	CMD_RUNNS_HTTP_PROXY,
};
// clang-format off
#define CMD_RUNNS_LONGOPTS \
	{"pid", required_argument, NULL, CMD_RUNNS_PID}, \
	{"ipc", required_argument, NULL, CMD_RUNNS_IPC}, \
	{"uts", required_argument, NULL, CMD_RUNNS_UTS}, \
	{"unsetenv", required_argument, NULL, CMD_RUNNS_UNSETENV}, \
	{"unsetenv-all", no_argument, NULL, CMD_RUNNS_UNSETENV_ALL}, \
	{"http-proxy", no_argument, NULL, CMD_RUNNS_HTTP_PROXY}
// clang-format on
#define CMD_RUNNS_USAGE                                                                                  \
	"      --pid MODE           private (default), host, container:NAME, ns:PATH\n"                  \
	"      --ipc MODE           private, shareable (default), none, host, container:NAME, ns:PATH\n" \
	"      --uts MODE           private (default), host, container:NAME, ns:PATH\n"                  \
	"      --unsetenv NAME      leave out a default variable (the image's, PATH, TERM...)\n"         \
	"      --unsetenv-all       leave out every default variable (-e and the like stay)\n"           \
	"      --http-proxy         pass burrow's http_proxy, https_proxy, ftp_proxy, no_proxy\n"        \
	"                           (and upper case) on (default true)\n"

/* One of the flags above into o (c is its code): 1 when it was one, 0
 * when c is another flag, -1 when its value is wrong (said). */
struct cmd_ctx;
int cmd_runns_option(struct cmd_ctx *ctx, int c, const char *arg, struct ctr_create_opts *o);
/* After the flags and containers.conf: o->proxy_env from burrow's
 * environment unless --http-proxy=false (or containers.conf's
 * http_proxy = false). */
void cmd_runns_finish(struct ctr_create_opts *o);
/* Frees what cmd_runns_option and cmd_runns_finish added to o. */
void cmd_runns_clear(struct ctr_create_opts *o);

#endif
