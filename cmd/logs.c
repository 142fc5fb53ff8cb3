/* burrow logs [-f] [-n] [-t] [--color] [--since T] [--until T] [--tail N] CONTAINER... */
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"

/* What 'burrow logs --help' prints after "Usage: burrow ": keep it in step
 * with the options below. */
const char cmd_logs_usage[] = "logs [OPTIONS] CONTAINER...\n\n"
                              "      --color        each container's lines in a colour of its own\n"
                              "  -f, --follow       go on until the container ends\n"
                              "  -l, --latest       the last created container\n"
                              "  -n, --names        with several containers, begin lines with names, not IDs\n"
                              "      --since TIME   only lines after TIME (10m, 2024-05-01T12:00:00Z, Unix seconds)\n"
                              "      --tail N       only the last N lines (-1: all)\n"
                              "  -t, --timestamps   begin each line with its time\n"
                              "      --until TIME   only lines before TIME\n";

int cmd_logs(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SINCE = 0x200, OPT_UNTIL, OPT_TAIL, OPT_COLOR };
	static const struct option longopts[] = {
	    {"follow", no_argument, NULL, 'f'},
	    {"color", no_argument, NULL, OPT_COLOR},
	    {"names", no_argument, NULL, 'n'},
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"tail", required_argument, NULL, OPT_TAIL},
	    {"timestamps", no_argument, NULL, 't'},
	    {"until", required_argument, NULL, OPT_UNTIL},
	    CMD_REFS_LATEST_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_refs struct cmd_refs r = {0};
	struct ctr_logs_opts o = {.tail = -1, .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO};
	long long now = time_wall_ns();
	struct burrow_err *err = NULL;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "+flnt", longopts)) != -1) {
		switch (c) {
		case 'l':
			r.latest = ctx->flag_on;
			break;
		case 'f':
			o.follow = ctx->flag_on;
			break;
		case 'n':
			o.names = ctx->flag_on;
			break;
		case 't':
			o.timestamps = ctx->flag_on;
			break;
		case OPT_COLOR:
			o.color = ctx->flag_on;
			break;
		case OPT_SINCE:
			if (time_parse_point(optarg, now, &o.since_ns, &err) < 0) {
				burrow_error_wrap(&err, "--since");
				return cmd_fail(err);
			}
			break;
		case OPT_UNTIL:
			if (time_parse_point(optarg, now, &o.until_ns, &err) < 0) {
				burrow_error_wrap(&err, "--until");
				return cmd_fail(err);
			}
			break;
		case OPT_TAIL:
			if (str_to_ll(optarg, -1, 1LL << 62, &o.tail) < 0)
				return cmd_usage_error(ctx, "invalid --tail '%s' (a number of lines, -1 for all)",
				                       str_quote(optarg));
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	int rc = cmd_refs_check(ctx, &r, argc - optind);
	if (rc)
		return rc;
	cleanup_strv char **refs = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0 || cmd_refs_get(ctx, &r, argc, argv, &refs, &n, &err) < 0 ||
	    ctr_logs(ctx->state, refs, n, &o, &err) < 0)
		return cmd_fail(err);
	return 0;
}
