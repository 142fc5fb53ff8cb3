/* Pruning containers, for container prune and system prune (cmd/prune.c). */
#ifndef BURROW_CMD_PRUNE_H
#define BURROW_CMD_PRUNE_H

#include <stdbool.h>

#include "lib/err.h"

struct cmd_ctx;
struct state_store;

/* --filter until=TIME, label=KEY[=VALUE], label!=KEY[=VALUE]: parsed, or
 * -1 (EINVAL) naming the bad one. */
struct cmd_ctr_prune_filter;
int cmd_ctr_prune_filter_parse(char *const *specs, struct cmd_ctr_prune_filter **out, struct burrow_err **err);
void cmd_ctr_prune_filter_free(struct cmd_ctr_prune_filter *f);

/* Removes every container that does not run and passes f (NULL: all):
 * *removed their IDs; *bytes (when not NULL) grows by their writable
 * layers' sizes. One that cannot be removed (others depend on it) is
 * said on stderr and sets *failed. */
int cmd_ctr_prune(struct state_store *s, const struct cmd_ctr_prune_filter *f, char ***removed, long long *bytes,
                  bool *failed, struct burrow_err **err);

/* Prints warning and asks "Are you sure you want to continue? [y/N]" on
 * stdin: 1 for an answer that begins with y. */
int cmd_confirm(const char *warning);

int cmd_container_prune(struct cmd_ctx *ctx, int argc, char **argv);

#endif
