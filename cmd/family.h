/* Verb families with subcommands of their own (volume, secret ...): the
 * options their subcommands share (the dispatch is cmd/subcmd.h's). */
#ifndef BURROW_CMD_FAMILY_H
#define BURROW_CMD_FAMILY_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/subcmd.h"

/* What a subcommand returns for a cmd_getopt answer it does not handle:
 * 0 after printing its usage for --help, else EXIT_BURROW. */
int cmd_sub_opt_end(int c, const char *usage);

/* An ls subcommand's options: -f/--filter (into *filters), --format,
 * -n/--noheading (into rep), -q/--quiet (rep->format becomes
 * quiet_format). No argument is taken. -1 when the subcommand goes on,
 * else its exit code. */
int cmd_sub_ls_opts(struct cmd_ctx *ctx, int argc, char **argv, const char *usage, const char *quiet_format,
                    struct fmt_report *rep, char ***filters);

/* The options of a verb that writes a tar of one object (export, volume
 * export): -o/--output FILE into *output (an empty FILE refused), the one
 * argument into *arg (what refused naming it as what: "container"). -1
 * when the verb goes on, else its exit code. usage: a subcommand's, printed
 * for --help (NULL: a verb's, which cmd_getopt_mixed printed). */
int cmd_tar_out_opts(struct cmd_ctx *ctx, int argc, char **argv, const char *usage, const char *what,
                     const char **output, char ***arg);

/* Prints the errors of the objects an inspect did not find (after what it
 * found), frees them: EXIT_BURROW when there were any, else rc. */
int cmd_sub_missing(struct burrow_err **missing, size_t n, int rc);

/* Removes one object of an rm subcommand (ref: as the user typed it, or
 * one of --all's): 0 with *out what to print, else its failure's exit
 * code with *err what to print (a failure that is no error, such as a
 * missing one under --ignore: 0, *err freed by the caller unprinted). */
typedef int (*cmd_sub_rm_fn)(const char *ref, char **out, struct burrow_err **err, void *data);
/* The loop of an rm subcommand: each of refs removed in order, what each
 * gives printed as it goes, in order with the errors. Returns the most
 * severe exit code: EXIT_BURROW over any other, else the highest. */
int cmd_sub_rm_each(char *const *refs, cmd_sub_rm_fn rm, void *data);

#endif
