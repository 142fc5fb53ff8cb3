/* burrow container SUBCOMMAND ...: podman's "container" family; each
 * subcommand is the verb of the same meaning (container ls is ps), but
 * exists, which only the family has. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/prune.h"
#include "container/inspect.h"
#include "lib/quote.h"

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

static const struct {
	const char *name;
	const char *verb; /* the verb table's entry it is */
	int (*fn)(struct cmd_ctx *ctx, int argc, char **argv);
} subs[] = {
    {"attach", "attach", cmd_attach},
    {"cp", "cp", cmd_cp},
    {"create", "create", cmd_create},
    {"diff", "diff", cmd_diff},
    {"exec", "exec", cmd_exec},
    {"exists", "exists", cmd_exists},
    {"export", "export", cmd_export},
    {"inspect", "inspect", cmd_inspect},
    {"kill", "kill", cmd_kill},
    {"list", "ps", cmd_ps},
    {"logs", "logs", cmd_logs},
    {"mount", "mount", cmd_mount},
    {"ls", "ps", cmd_ps},
    {"pause", "pause", cmd_pause},
    {"port", "port", cmd_port},
    {"prune", "container prune", cmd_container_prune},
    {"ps", "ps", cmd_ps},
    {"rename", "rename", cmd_rename},
    {"restart", "restart", cmd_restart},
    {"rm", "rm", cmd_rm},
    {"run", "run", cmd_run},
    {"start", "start", cmd_start},
    {"stats", "stats", cmd_stats},
    {"stop", "stop", cmd_stop},
    {"top", "top", cmd_top},
    {"umount", "unmount", cmd_unmount},
    {"unmount", "unmount", cmd_unmount},
    {"unpause", "unpause", cmd_unpause},
    {"wait", "wait", cmd_wait},
};

int cmd_container(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc < 2)
			return cmd_usage_error(ctx, "missing subcommand (see 'burrow container --help')");
		cmd_print_usage("container");
		return 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		ctx->verb = subs[i].verb;
		ctx->family = "container";
		optind = 1;
		return subs[i].fn(ctx, argc - 1, argv + 1);
	}
	return cmd_usage_error(ctx, "unknown subcommand '%s' (see 'burrow container --help')", str_quote(argv[1]));
}
