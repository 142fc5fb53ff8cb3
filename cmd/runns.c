/* run's and create's --pid, --ipc, --uts (see runns.h). */
#include "cmd/runns.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/nsmode.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

int cmd_runns_option(struct cmd_ctx *ctx, int c, const char *arg, struct ctr_create_opts *o)
{
	if (c == CMD_RUNNS_UNSETENV) {
		if (!*arg || strchr(arg, '=')) {
			cmd_usage_error(ctx, "invalid --unsetenv '%s': a variable name", str_quote(arg));
			return -1;
		}
		strv_append(&o->unsetenv, arg);
		return 1;
	}
	if (c == CMD_RUNNS_UNSETENV_ALL) {
		o->unsetenv_all = ctx->flag_on;
		return 1;
	}
	if (c == CMD_RUNNS_HTTP_PROXY) {
		o->http_proxy = ctx->flag_on;
		return 1;
	}
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

void cmd_runns_finish(struct ctr_create_opts *o)
{
	static const char *const names[] = {"http_proxy", "https_proxy", "ftp_proxy", "no_proxy",
	                                    "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY"};
	strv_free(o->proxy_env);
	o->proxy_env = NULL;
	for (size_t i = 0; o->http_proxy != 0 && i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = getenv(names[i]);
		if (v)
			strv_append_take(&o->proxy_env, xasprintf("%s=%s", names[i], v));
	}
}

void cmd_runns_clear(struct ctr_create_opts *o)
{
	strv_free(o->unsetenv);
	strv_free(o->proxy_env);
	o->unsetenv = o->proxy_env = NULL;
}
