/* Which containers a container verb acts on, as podman's verbs take them:
 * the names given, -a/--all (each verb's own choice of states),
 * -l/--latest (the last created container), --cidfile FILE
 * (repeatable: the ID a run/create --cidfile wrote) and --filter K=V
 * (repeatable: ps's filters, cmd/psfilter.h). cmd/ctrrefs.c. */
#ifndef BURROW_CMD_CTRREFS_H
#define BURROW_CMD_CTRREFS_H

#include <stdbool.h>

#include "cmd/cmd.h"
#include "cmd/psfilter.h"
#include "container/container.h"
#include "lib/strv.h"

/* Which containers --all takes, by their state (NULL: every one). */
typedef bool (*cmd_ctr_pick)(const struct ctr_listing *l);

struct cmd_refs {
	bool all;    /* -a, --all (for the verbs that take it) */
	bool latest; /* -l, --latest */
	bool ignore; /* -i: a missing container, or --cidfile file, is skipped */
	struct strv_builder cidfiles;
	struct strv_builder filters;  /* --filter K=V, as given */
	struct cmd_ps_filter *filter; /* them parsed by cmd_refs_check (NULL: none) */
	bool filter_names;            /* --filter picks among the names given (start) */
	cmd_ctr_pick filter_pick;     /* with --filter, only the containers this takes */
};

/* podman's checks of names against --all, --latest and --cidfile: 0, or a
 * usage error's exit code (said). With --filter (parsed here: a bad one
 * is said too) as podman's: names are refused (unless filter_names), and
 * --all and --latest are cleared (the filter chooses). */
int cmd_refs_check(struct cmd_ctx *ctx, struct cmd_refs *r, int nargs);
/* The full ID of the last created container; none: status ENOENT, "no
 * such container" (podman's words). After cmd_ready. */
int cmd_latest(struct cmd_ctx *ctx, char **id, struct burrow_err **err);
/* Without --all: the names given (argv[optind..argc)), or the latest's ID,
 * or the IDs the cid files hold (a missing file skipped with ignore), as a
 * strv (*n of them). With --filter: the full IDs of the containers it
 * (and filter_pick) takes, newest first; of those only the ones the names
 * or cid files given name, when some are. After cmd_ready. */
int cmd_refs_get(struct cmd_ctx *ctx, const struct cmd_refs *r, int argc, char **argv, char ***refs, size_t *n,
                 struct burrow_err **err);
/* --all: the IDs of the containers pick takes, newest first. After
 * cmd_ready. */
int cmd_refs_all(struct cmd_ctx *ctx, cmd_ctr_pick pick, char ***ids, size_t *n, struct burrow_err **err);
void cmd_refs_clear(struct cmd_refs *r);
#define cleanup_refs __attribute__((cleanup(cmd_refs_clear)))

/* -a, -l and --cidfile for a verb's option table (a verb without --all
 * leaves 'a' out of its short options; one without --cidfile uses
 * CMD_REFS_LATEST_LONGOPT alone). */
#define CMD_REFS_CIDFILE 0x7b0
#define CMD_REFS_FILTER 0x7b1 /* --filter (a verb with -f maps 'f' to it) */
// clang-format off
#define CMD_REFS_LATEST_LONGOPT {"latest", no_argument, NULL, 'l'}
#define CMD_REFS_LONGOPTS \
	{"latest", no_argument, NULL, 'l'}, \
	{"cidfile", required_argument, NULL, CMD_REFS_CIDFILE}
#define CMD_REFS_FILTER_LONGOPT {"filter", required_argument, NULL, CMD_REFS_FILTER}
// clang-format on
/* One of them ('a' is --all; the booleans' values ctx's flag_on): 1 when
 * c was one, else 0. */
int cmd_refs_option(const struct cmd_ctx *ctx, int c, const char *arg, struct cmd_refs *r);

#endif
