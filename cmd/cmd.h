/* The CLI: one verb table (cmd/main.c), one file per verb family. A verb
 * parses argv into an options struct, validates it, calls one function
 * below cmd/ and formats the answer. Only cmd/ prints and exits. */
#ifndef BURROW_CMD_H
#define BURROW_CMD_H

#include <getopt.h>
#include <stdbool.h>

#include "cmd/settings.h"
#include "lib/err.h"

/* Exit codes as podman/docker. */
enum {
	EXIT_BURROW = 125, /* burrow itself failed */
	EXIT_CANNOT_INVOKE = 126,
	EXIT_NOT_FOUND = 127,
};

enum cmd_needs {
	NEED_USERNS = 1 << 0, /* join (or create) the keeper's namespaces first */
	NEED_STATE = 1 << 1,  /* open the state store (implies NEED_USERNS) */
};

struct state_store;

struct cmd_ctx {
	const char *verb;
	unsigned needs; /* the verb's needs (enum cmd_needs) */
	/* global options */
	const char *root_opt;    /* --root */
	const char *runroot_opt; /* --runroot */
	/* resolved before the verb runs */
	char *root;                   /* storage root */
	char *root_source;            /* where it came from */
	char *runroot;                /* runtime dir */
	char *runroot_source;         /* where it came from */
	struct state_store *state;    /* with NEED_STATE */
	struct cmd_settings settings; /* burrow.conf */
	bool settings_loaded;
};

struct cmd_verb {
	const char *name;
	int (*fn)(struct cmd_ctx *ctx, int argc, char **argv);
	unsigned needs;
	const char *summary;
	const char *usage; /* full help text after "Usage: burrow " */
};

/* Prints "burrow: VERB: msg" and returns EXIT_BURROW (bad usage). */
int cmd_usage_error(const struct cmd_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the error (and hint) and returns EXIT_BURROW. */
int cmd_fail(struct burrow_err *err);

/* getopt_long over a verb's options; handles --help (prints the usage,
 * returns CMD_OPT_HELP after which the verb returns 0) and reports unknown
 * flags and missing arguments as usage errors (returns CMD_OPT_ERR; the
 * verb returns 125). */
#define CMD_OPT_HELP 0x1000
#define CMD_OPT_ERR '?'
int cmd_getopt(struct cmd_ctx *ctx, int argc, char **argv, const char *shortopts, const struct option *longopts);
/* Prints the verb's usage to stdout. */
void cmd_print_usage(const char *verb);
/* Resolves the directories, enters the namespace and opens the state as
 * needs says. */
int cmd_prepare(struct cmd_ctx *ctx, unsigned needs, struct burrow_err **err);
/* cmd_prepare with the verb's needs from the table: a verb calls it once
 * its arguments are parsed and valid, so bad input writes nothing. */
int cmd_ready(struct cmd_ctx *ctx, struct burrow_err **err);

/* verbs, and their usage after "Usage: burrow " (each beside its options) */
int cmd_info(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_info_usage[];
int cmd_unshare(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_unshare_usage[];
int cmd_system(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_system_usage[];
int cmd_import(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_import_usage[];
int cmd_images(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_images_usage[];
int cmd_run(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_run_usage[];
int cmd_ps(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_ps_usage[];
int cmd_rm(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_rm_usage[];

#endif
