/* burrow logs [-f] [-n] [-t] [--since T] [--until T] [--tail N] CONTAINER... */
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"

/* What 'burrow logs --help' prints after "Usage: burrow ": keep it in step
 * with the options below. */
const char cmd_logs_usage[] = "logs [OPTIONS] CONTAINER...\n\n"
                              "  -f, --follow       go on until the container ends\n"
                              "  -n, --names        with several containers, begin lines with names, not IDs\n"
                              "      --since TIME   only lines after TIME (10m, 2024-05-01T12:00:00Z, Unix seconds)\n"
                              "      --tail N       only the last N lines (-1: all)\n"
                              "  -t, --timestamps   begin each line with its time\n"
                              "      --until TIME   only lines before TIME\n";

int cmd_logs(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SINCE = 0x200, OPT_UNTIL, OPT_TAIL };
	static const struct option longopts[] = {
	    {"follow", no_argument, NULL, 'f'},
	    {"names", no_argument, NULL, 'n'},
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"tail", required_argument, NULL, OPT_TAIL},
	    {"timestamps", no_argument, NULL, 't'},
	    {"until", required_argument, NULL, OPT_UNTIL},
	    {0, 0, 0, 0},
	};
	struct ctr_logs_opts o = {.tail = -1, .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO};
	long long now = time_wall_ns();
	struct burrow_err *err = NULL;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "fnt", longopts)) != -1) {
		switch (c) {
		case 'f':
			o.follow = true;
			break;
		case 'n':
			o.names = true;
			break;
		case 't':
			o.timestamps = true;
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
	if (optind >= argc)
		return cmd_usage_error(ctx, "missing container name or ID");
	if (cmd_ready(ctx, &err) < 0 || ctr_logs(ctx->state, argv + optind, (size_t)(argc - optind), &o, &err) < 0)
		return cmd_fail(err);
	return 0;
}
