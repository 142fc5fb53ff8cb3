/* burrow container SUBCOMMAND ...: podman's "container" family; each
 * subcommand is the verb of the same meaning (container ls is ps), but
 * exists, which only the family has. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/prune.h"
#include "cmd/subcmd.h"
#include "container/inspect.h"

static const char exists_usage[] = "container exists CONTAINER\n\n"
                                   "Exits 0 when the container exists, 1 when it does not, 125 on an error.\n";

/* What 'burrow container --help' prints after "Usage: burrow ": keep it in
 * step with the subcommands below. */
const char cmd_container_usage[] = "container SUBCOMMAND [ARG...]\n\n"
                                   "  attach    as burrow attach\n"
                                   "  cp        as burrow cp\n"
                                   "  create    as burrow create\n"
                                   "  diff      as burrow diff\n"
                                   "  exec      as burrow exec\n"
                                   "  exists    exit 0 when a container exists, 1 when not\n"
                                   "  export    as burrow export\n"
                                   "  inspect   as burrow inspect (containers only)\n"
                                   "  kill      as burrow kill\n"
                                   "  list, ls  as burrow ps\n"
                                   "  logs      as burrow logs\n"
                                   "  mount     as burrow mount\n"
                                   "  pause     as burrow pause\n"
                                   "  prune     remove every container that does not run\n"
                                   "  ps        as burrow ps\n"
                                   "  rename    as burrow rename\n"
                                   "  restart   as burrow restart\n"
                                   "  rm        as burrow rm\n"
                                   "  run       as burrow run\n"
                                   "  start     as burrow start\n"
                                   "  stats     as burrow stats\n"
                                   "  stop      as burrow stop\n"
                                   "  top       as burrow top\n"
                                   "  umount    as burrow unmount\n"
                                   "  unmount   as burrow unmount\n"
                                   "  unpause   as burrow unpause\n"
                                   "  update    as burrow update\n"
                                   "  wait      as burrow wait\n";

static int cmd_exists(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {{0, 0, 0, 0}};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "", longopts)) != -1) {
		if (c == CMD_OPT_HELP) {
			printf("Usage: burrow %s", exists_usage);
			return 0;
		}
		return EXIT_BURROW;
	}
	if (argc - optind != 1)
		return cmd_usage_error(ctx, "takes exactly one container (see 'burrow container exists --help')");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	int r = ctr_exists(ctx->state, argv[optind], &err);
	if (r < 0)
		return cmd_fail(err);
	return r ? 0 : 1;
}

static const struct cmd_sub subs[] = {
    {"attach", NULL, "attach", cmd_attach, NULL},
    {"cp", NULL, "cp", cmd_cp, NULL},
    {"create", NULL, "create", cmd_create, NULL},
    {"diff", NULL, "diff", cmd_diff, NULL},
    {"exec", NULL, "exec", cmd_exec, NULL},
    {"exists", NULL, "exists", cmd_exists, NULL},
    {"export", NULL, "export", cmd_export, NULL},
    {"init", NULL, "init", cmd_init, NULL},
    {"inspect", NULL, "inspect", cmd_inspect, NULL},
    {"kill", NULL, "kill", cmd_kill, NULL},
    {"list", NULL, "ps", cmd_ps, NULL},
    {"logs", NULL, "logs", cmd_logs, NULL},
    {"mount", NULL, "mount", cmd_mount, NULL},
    {"ls", NULL, "ps", cmd_ps, NULL},
    {"pause", NULL, "pause", cmd_pause, NULL},
    {"port", NULL, "port", cmd_port, NULL},
    {"prune", NULL, "container prune", cmd_container_prune, NULL},
    {"ps", NULL, "ps", cmd_ps, NULL},
    {"rename", NULL, "rename", cmd_rename, NULL},
    {"restart", NULL, "restart", cmd_restart, NULL},
    {"rm", NULL, "rm", cmd_rm, NULL},
    {"run", NULL, "run", cmd_run, NULL},
    {"start", NULL, "start", cmd_start, NULL},
    {"stats", NULL, "stats", cmd_stats, NULL},
    {"stop", NULL, "stop", cmd_stop, NULL},
    {"top", NULL, "top", cmd_top, NULL},
    {"umount", NULL, "unmount", cmd_unmount, NULL},
    {"unmount", NULL, "unmount", cmd_unmount, NULL},
    {"unpause", NULL, "unpause", cmd_unpause, NULL},
    {"update", NULL, "update", cmd_update, NULL},
    {"wait", NULL, "wait", cmd_wait, NULL},
};

int cmd_container(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_sub_run(ctx, "container", "container", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
