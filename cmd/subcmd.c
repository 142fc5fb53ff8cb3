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
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		cmd_print_usage(name);
		return 0;
	}
	/* the global options may come before the subcommand (volume --root DIR ls) */
	int c;
	ctx->out_later = true; /* --out may follow the subcommand too: its parse opens the last */
	while ((c = cmd_getopt(ctx, argc, argv, "+", NULL)) != -1)
		return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	ctx->out_later = false;
	if (optind >= argc)
		return cmd_usage_error(ctx, "missing subcommand (see 'burrow %s --help')", name);
	int first = optind;
	const char *sub = argv[first];
	for (size_t i = 0; i < n; i++) {
		if (strcmp(sub, subs[i].name) != 0 && !(subs[i].alias && strcmp(sub, subs[i].alias) == 0))
			continue;
		ctx->verb = subs[i].verb;
		ctx->needs |= cmd_verb_needs(subs[i].verb);
		if (family)
			ctx->family = family;
		optind = 0; /* afresh, as main.c does */
		return subs[i].fn(ctx, argc - first, argv + first);
	}
	if (cmd_sub_help_unknown(ctx, name))
		return 0;
	return cmd_usage_error(ctx, "unknown subcommand '%s' (see 'burrow %s --help')", str_quote(sub), name);
}

bool cmd_sub_help_unknown(struct cmd_ctx *ctx, const char *name)
{
	if (!ctx->sub_help)
		return false;
	ctx->sub_help = false;
	cmd_print_usage(name);
	return true;
}
