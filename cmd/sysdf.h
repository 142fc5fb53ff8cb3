/* system df, prune and reset (cmd/sysdf.c). */
#ifndef BURROW_CMD_SYSDF_H
#define BURROW_CMD_SYSDF_H

struct cmd_ctx;

/* Runs system SUB with its own argv (argv[0] is SUB): its exit code, or -1
 * when SUB is none of df, prune, reset. */
int cmd_system_sub(struct cmd_ctx *ctx, const char *sub, int argc, char **argv);

#endif
