/* The dispatch of a family's subcommands (see subcmd.h). */
#include "cmd/subcmd.h"

#include <getopt.h>
#include <string.h>

#include "lib/quote.h"

int cmd_sub_run(struct cmd_ctx *ctx, const char *name, const char *family, const struct cmd_sub *subs, size_t n,
                int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error(ctx, "missing subcommand (see 'burrow %s --help')", name);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		cmd_print_usage(name);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(argv[1], subs[i].name) != 0 && !(subs[i].alias && strcmp(argv[1], subs[i].alias) == 0))
			continue;
		ctx->verb = subs[i].verb;
		ctx->needs |= cmd_verb_needs(subs[i].verb);
		if (family)
			ctx->family = family;
		optind = 0; /* afresh, as main.c does */
		return subs[i].fn(ctx, argc - 1, argv + 1);
	}
	return cmd_usage_error(ctx, "unknown subcommand '%s' (see 'burrow %s --help')", str_quote(argv[1]), name);
}
