/* burrow generate systemd [OPTIONS] CONTAINER: a systemd unit for a
 * container (cmd/systemd.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/systemd.h"
#include "container/container.h"
#include "container/inspect.h"
#include "container/monitor.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/paths.h"
#include "userns/userns.h"

const char cmd_generate_usage[] =
    "generate systemd [OPTIONS] CONTAINER\n\n"
    "Write a systemd user unit that runs the container (see burrow-generate(1)).\n\n"
    "      --new                 the unit makes a new container each start, as this one was\n"
    "                            created (burrow run --rm --sdnotify=conmon -d ...; Type=notify)\n"
    "  -n, --name                name the unit and the container by its name, not its ID\n"
    "      --restart-policy P    systemd's Restart= (default on-failure; with --new the\n"
    "                            container's own policy): no, on-success, on-failure,\n"
    "                            on-abnormal, on-watchdog, on-abort, always\n"
    "      --restart-sec N       seconds systemd waits before a restart\n"
    "  -t, --time N              stop timeout in seconds (default: the container's)\n"
    "      --stop-timeout N      the same\n"
    "      --start-timeout N     systemd's TimeoutStartSec\n"
    "  -f, --files               write PREFIX-NAME.service here and print its path\n"
    "      --container-prefix P  the unit name's prefix (default container)\n"
    "      --separator S         between the prefix and the name (default -)\n"
    "      --no-header           no comment with burrow's version and the time\n"
    "      --wants UNIT          a Wants= dependency (repeatable)\n"
    "      --after UNIT          an After= dependency (repeatable)\n"
    "      --requires UNIT       a Requires= dependency (repeatable)\n";

enum {
	OPT_NEW = 0x200,
	OPT_RESTART_POLICY,
	OPT_RESTART_SEC,
	OPT_START_TIMEOUT,
	OPT_PREFIX,
	OPT_SEPARATOR,
	OPT_NO_HEADER,
	OPT_WANTS,
	OPT_AFTER,
	OPT_REQUIRES,
	OPT_POD_PREFIX,
};

/* The unit for container ref: printed, or with files written to
 * SERVICE.service in the working directory and its path printed. */
static int write_unit(struct cmd_ctx *ctx, struct cmd_unit_opts *o, const char *ref, bool files)
{
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	struct ctr_inspect in = {0};
	if (ctr_inspect_load(ctx->state, ref, &in, &err) < 0)
		return cmd_fail(err);
	cleanup_free char *exe = ctr_burrow_exe();
	cleanup_free char *pidfile = ctr_monitor_pidfile(ctx->state, in.cfg.id);
	cleanup_free char *service = NULL;
	o->exe = exe ? exe : "/usr/bin/burrow";
	o->root = ctx->root;
	o->runroot = ctx->runroot;
	/* what a unit's burrow would take: the unit names the store where it
	 * differs */
	cleanup_free char *service_root = state_root_service(userns_outer_uid());
	cleanup_free char *service_runroot = userns_runroot_service();
	o->service_root = service_root;
	o->service_runroot = service_runroot;
	o->pidfile = pidfile;
	o->now = o->no_header ? 0 : (long long)time(NULL);
	cleanup_free char *unit = cmd_unit_generate(&in.cfg, o, &service, &err);
	ctr_inspect_clear(&in);
	if (!unit)
		return cmd_fail(err);
	if (!files) {
		fputs(unit, stdout);
		return 0;
	}
	cleanup_free char *file = xasprintf("%s.service", service);
	cleanup_free char *cwd = getcwd(NULL, 0);
	if (!cwd) {
		burrow_error(&err, errno, "cannot tell the working directory");
		return cmd_fail(err);
	}
	if (write_file_atomic(file, unit, strlen(unit), 0644, &err) < 0)
		return cmd_fail(err);
	cleanup_free char *path = path_join(cwd, file);
	printf("%s\n", path);
	return 0;
}

static int generate_systemd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"new", no_argument, NULL, OPT_NEW},
	    {"name", no_argument, NULL, 'n'},
	    {"restart-policy", required_argument, NULL, OPT_RESTART_POLICY},
	    {"restart-sec", required_argument, NULL, OPT_RESTART_SEC},
	    {"time", required_argument, NULL, 't'},
	    {"stop-timeout", required_argument, NULL, 't'},
	    {"start-timeout", required_argument, NULL, OPT_START_TIMEOUT},
	    {"files", no_argument, NULL, 'f'},
	    {"container-prefix", required_argument, NULL, OPT_PREFIX},
	    {"pod-prefix", required_argument, NULL, OPT_POD_PREFIX},
	    {"separator", required_argument, NULL, OPT_SEPARATOR},
	    {"no-header", no_argument, NULL, OPT_NO_HEADER},
	    {"wants", required_argument, NULL, OPT_WANTS},
	    {"after", required_argument, NULL, OPT_AFTER},
	    {"requires", required_argument, NULL, OPT_REQUIRES},
	    {0, 0, 0, 0},
	};
	struct cmd_unit_opts o = {.restart_sec = -1, .stop_timeout = -1, .version = BURROW_VERSION};
	struct strv_builder wants = {0}, after = {0}, requires = {0};
	cleanup_strv char **args = NULL;
	bool files = false;
	int c, rc = EXIT_BURROW;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "nt:f", longopts, &args)) != -1) {
		switch (c) {
		case OPT_NEW:
			o.new_unit = ctx->flag_on;
			break;
		case 'n':
			o.use_name = ctx->flag_on;
			break;
		case OPT_RESTART_POLICY:
			if (!cmd_unit_restart_valid(optarg)) {
				cmd_usage_error(
				    ctx,
				    "invalid --restart-policy '%s' (no, on-success, on-failure, on-abnormal, "
				    "on-watchdog, on-abort or always)",
				    str_quote(optarg));
				goto out;
			}
			o.restart_policy = optarg;
			break;
		case OPT_RESTART_SEC:
		case OPT_START_TIMEOUT:
		case 't': {
			int *v = c == 't' ? &o.stop_timeout : c == OPT_RESTART_SEC ? &o.restart_sec : &o.start_timeout;
			if (cmd_parse_seconds(optarg, v) < 0) {
				cmd_usage_error(ctx, "invalid %s '%s' (seconds)", argv[optind - 1], str_quote(optarg));
				goto out;
			}
			break;
		}
		case 'f':
			files = ctx->flag_on;
			break;
		case OPT_PREFIX:
			o.prefix = optarg;
			break;
		case OPT_SEPARATOR:
			o.separator = optarg;
			break;
		case OPT_NO_HEADER:
			o.no_header = ctx->flag_on;
			break;
		case OPT_WANTS:
		case OPT_AFTER:
		case OPT_REQUIRES:
			strv_builder_add(c == OPT_WANTS ? &wants : c == OPT_AFTER ? &after : &requires, optarg);
			break;
		case OPT_POD_PREFIX:
			break; /* burrow has no pods: nothing to prefix */
		case CMD_OPT_HELP:
			rc = 0;
			goto out;
		default:
			goto out;
		}
	}
	if (strv_len(args) != 1) {
		cmd_usage_error(ctx, "generate systemd needs exactly one container (see 'burrow generate --help')");
		goto out;
	}
	o.wants = wants.v;
	o.after = after.v;
	o.requires = requires.v;
	rc = write_unit(ctx, &o, args[0], files);
out:
	strv_free(wants.v);
	strv_free(after.v);
	strv_free(requires.v);
	return rc;
}

int cmd_generate(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			cmd_print_usage("generate");
			return 0;
		}
		return cmd_usage_error(ctx, "generate needs a subcommand: systemd (see 'burrow generate --help')");
	}
	if (strcmp(argv[1], "systemd") != 0)
		return cmd_usage_error(ctx, "unknown subcommand 'generate %s' (burrow knows generate systemd)",
		                       str_quote(argv[1]));
	return generate_systemd(ctx, argc - 1, argv + 1);
}
