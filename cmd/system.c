/* burrow system migrate|df|prune|reset */
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/subcmd.h"
#include "cmd/sysdf.h"
#include "userns/userns.h"
#include "lib/quote.h"

/* What 'burrow system --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_system_usage[] = "system SUBCOMMAND\n\n"
                                "  df [-v|--verbose] [--format F]\n"
                                "            space used by images, containers and volumes\n"
                                "  migrate   stop the namespace keeper, so the next command rebuilds the\n"
                                "            user namespace (after /etc/subuid or /etc/subgid changed)\n"
                                "  prune [-a|--all] [--volumes] [-f|--force] [--filter F]\n"
                                "            remove stopped containers, dangling (-a: unused) images,\n"
                                "            with --volumes unused volumes\n"
                                "  reset [-f|--force]\n"
                                "            remove every container, image and volume, the storage root,\n"
                                "            the runtime dir, and stop the namespace keeper\n";

int cmd_system(struct cmd_ctx *ctx, int argc, char **argv)
{
	int c;
	ctx->out_later = true; /* --out may follow the subcommand too: its parse opens the last */
	while ((c = cmd_getopt(ctx, argc, argv, "+", NULL)) != -1)
		return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	ctx->out_later = false;
	if (optind >= argc)
		return cmd_usage_error(ctx, "missing subcommand (df, migrate, prune, reset)");
	const char *sub = argv[optind];
	int first = optind;
	optind = 0; /* afresh, as main.c does */
	if (strcmp(sub, "migrate") != 0) {
		int rc = cmd_system_sub(ctx, sub, argc - first, argv + first);
		if (rc >= 0)
			return rc;
		if (cmd_sub_help_unknown(ctx, "system"))
			return 0;
		return cmd_usage_error(ctx, "unknown subcommand '%s' (df, migrate, prune, reset)", str_quote(sub));
	}
	/* no options of its own, but the global ones may follow it */
	while ((c = cmd_getopt(ctx, argc - first, argv + first, "", NULL)) != -1)
		return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	if (optind < argc - first)
		return cmd_usage_error(ctx, "migrate takes no arguments");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0 || userns_migrate(ctx->runroot, &err) < 0)
		return cmd_fail(err);
	return 0;
}
