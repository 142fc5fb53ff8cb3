/* burrow attach [--detach-keys KEYS] [--no-stdin] [--sig-proxy] CONTAINER,
 * and the relay that run, start -a and attach share. */
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/trace.h"

int cmd_relay(struct ctr_attached *ch, const struct cmd_attach *att)
{
	/* run -a: the streams not named are not shown */
	bool all = att->streams == 0;
	struct ctr_attach_opts ao = {
	    .in_fd = STDIN_FILENO,
	    .out_fd = all || (att->streams & CMD_ATTACH_STDOUT) ? STDOUT_FILENO : -1,
	    .err_fd = all || (att->streams & CMD_ATTACH_STDERR) ? STDERR_FILENO : -1,
	    .sig_proxy = att->sig_proxy,
	    .detach_keys = att->detach_keys ? att->detach_keys : CTR_DETACH_KEYS_DEFAULT,
	};
	struct burrow_err *err = NULL;
	int code = EXIT_BURROW;
	int r = ctr_attach_relay(ch, &ao, &code, &err);
	if (r < 0) {
		ctr_attached_close(ch);
		burrow_err_print(err);
		burrow_err_free(err);
		return code >= 0 && code != 0 ? code : EXIT_BURROW;
	}
	if (r == 1) {
		/* detached: the container runs on */
		ctr_attached_close(ch);
		return 0;
	}
	trace_mark("client: exit code");
	ctr_attached_wait_monitor(ch);
	trace_mark("client: monitor gone");
	ctr_attached_close(ch);
	return code;
}

/* What 'burrow attach --help' prints after "Usage: burrow ": keep it in step
 * with the options below. */
const char cmd_attach_usage[] = "attach [OPTIONS] CONTAINER\n\n"
                                "      --detach-keys KEYS   keys that detach from it (default ctrl-p,ctrl-q)\n"
                                "  -l, --latest             the last created container\n"
                                "      --no-stdin           do not pass standard input to it\n"
                                "      --sig-proxy          pass the signals burrow gets to it (default true)\n";

int cmd_attach(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_DETACH_KEYS = 0x200, OPT_NO_STDIN, OPT_SIG_PROXY };
	static const struct option longopts[] = {
	    {"detach-keys", required_argument, NULL, OPT_DETACH_KEYS},
	    {"no-stdin", no_argument, NULL, OPT_NO_STDIN},
	    {"sig-proxy", no_argument, NULL, OPT_SIG_PROXY},
	    CMD_REFS_LATEST_LONGOPT,
	    {0, 0, 0, 0},
	};
	struct cmd_attach att = {.attach = true, .want_stdin = true, .sig_proxy = true};
	bool latest = false;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "l", longopts)) != -1) {
		switch (c) {
		case 'l':
			latest = ctx->flag_on;
			break;
		case OPT_DETACH_KEYS:
			att.detach_keys = optarg;
			break;
		case OPT_NO_STDIN:
			att.want_stdin = !ctx->flag_on;
			break;
		case OPT_SIG_PROXY:
			att.sig_proxy = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (latest && optind < argc)
		return cmd_usage_error(ctx, "--latest and containers cannot be used together");
	if (!latest && optind >= argc)
		return cmd_usage_error(ctx, "missing container name or ID");
	if (optind + 1 < argc)
		return cmd_usage_error(ctx, "attach takes one container");
	struct burrow_err *err = NULL;
	if (att.detach_keys && ctr_detach_keys_check(att.detach_keys, &err) < 0)
		return cmd_fail(err);
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	struct ctr_attached ch;
	cleanup_free char *id = NULL;
	if ((latest && cmd_latest(ctx, &id, &err) < 0) ||
	    ctr_attach_open(ctx->state, latest ? id : argv[optind], att.want_stdin, &ch, &err) < 0)
		return cmd_fail(err);
	int rc = cmd_relay(&ch, &att);
	/* as podman: a newline after the container's last output */
	printf("\n");
	return rc == EXIT_BURROW ? rc : 0;
}
