/* The families of verbs (burrow container ..., burrow image ...): a table
 * of subcommands, each the verb of the same meaning, and their dispatch. */
#ifndef BURROW_CMD_SUBCMD_H
#define BURROW_CMD_SUBCMD_H

#include <stddef.h>

#include "cmd/cmd.h"

struct cmd_sub {
	const char *name, *alias; /* alias may be NULL */
	const char *verb;         /* the verb table's entry it is, or for messages: "volume rm" */
	int (*fn)(struct cmd_ctx *ctx, int argc, char **argv);
	const char *usage; /* for those with no verb of their own */
};

/* burrow NAME SUBCOMMAND [ARG...]: runs the subcommand argv[1] names (or
 * its alias), with ctx->verb its verb and ctx->family family (NULL: none);
 * the global options may come before it (cmd_getopt takes them); no
 * subcommand is a usage error, --help, -h and help print the family's
 * usage (the verb table's for NAME). */
int cmd_sub_run(struct cmd_ctx *ctx, const char *name, const char *family, const struct cmd_sub *subs, size_t n,
                int argc, char **argv);
/* A --help before a subcommand (ctx->sub_help: cmd_getopt's) is that
 * subcommand's, read at the end of its own parse; before one the family
 * lacks, it is the family's, as podman's container --help bogus: the
 * usage of NAME printed, true (the family returns 0). */
bool cmd_sub_help_unknown(struct cmd_ctx *ctx, const char *name);

#endif
