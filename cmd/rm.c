/* burrow rm [-f] [-i] [--depend] CONTAINER... | -a | -l | --cidfile FILE | --filter K=V */
#include <errno.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "container/container.h"
#include "container/secret.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"

/* podman's exit codes for rm, most severe first */
enum {
	RM_NO_SUCH = 1, /* a container did not exist (and nothing worse) */
	RM_RUNNING = 2, /* a container is running or paused (without -f) */
};

static int severity(int code)
{
	return code == EXIT_BURROW ? 3 : code == RM_RUNNING ? 2 : code == RM_NO_SUCH ? 1 : 0;
}

/* What 'burrow rm --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_rm_usage[] =
    "rm [-f] [-i] [-t N] [-v] [--depend] CONTAINER... | -a | -l | --cidfile FILE | --filter K=V\n\n"
    "  -a, --all           remove every container (running ones only with -f)\n"
    "      --cidfile FILE  the container whose ID FILE holds (repeatable)\n"
    "      --depend        remove the containers that depend on it first\n"
    "      --filter K=V    every container that matches, as ps --filter (repeatable)\n"
    "  -f, --force         remove running containers too (they are killed first); implies -i\n"
    "  -i, --ignore        a container that does not exist is not an error\n"
    "  -l, --latest        the last created container\n"
    "  -t, --time N        with -f, stop them first: their stop signal, SIGKILL N seconds later\n"
    "  -v, --volumes       remove their anonymous volumes too\n";

int cmd_rm(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"ignore", no_argument, NULL, 'i'},
	    {"time", required_argument, NULL, 't'},
	    {"volumes", no_argument, NULL, 'v'},
	    {"depend", no_argument, NULL, 'D'},
	    {"all", no_argument, NULL, 'a'},
	    CMD_REFS_LONGOPTS,
	    CMD_REFS_FILTER_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_refs struct cmd_refs refs = {0};
	bool force = false, volumes = false, depend = false;
	int c, timeout = -1;
	while ((c = cmd_getopt(ctx, argc, argv, "afilt:v", longopts)) != -1) {
		if (cmd_refs_option(ctx, c, optarg, &refs)) {
			continue;
		} else if (c == 't') {
			if (cmd_parse_seconds(optarg, &timeout) < 0)
				return cmd_usage_error(ctx, "invalid --time '%s' (seconds)", str_quote(optarg));
		} else if (c == 'f')
			force = ctx->flag_on;
		else if (c == 'i')
			refs.ignore = ctx->flag_on;
		else if (c == 'v')
			volumes = ctx->flag_on;
		else if (c == 'D')
			depend = ctx->flag_on;
		else
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	refs.ignore = refs.ignore || force; /* as podman: --force implies --ignore */
	int rc = cmd_refs_check(ctx, &refs, argc - optind);
	if (rc)
		return rc;
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	cleanup_strv char **names = NULL;
	size_t count = 0;
	/* --all: newest first, so that a container that requires another
	 * (--requires, --volumes-from ...), which is newer, goes before it */
	if (refs.all ? cmd_refs_all(ctx, NULL, &names, &count, &err) < 0
	             : cmd_refs_get(ctx, &refs, argc, argv, &names, &count, &err) < 0) {
		/* as podman: rm -l without a container is "no such container", 1 */
		rc = refs.latest && err->status == ENOENT ? (refs.ignore ? 0 : RM_NO_SUCH) : EXIT_BURROW;
		if (rc)
			burrow_err_print(err);
		burrow_err_free(err);
		return rc;
	}
	for (size_t i = 0; i < count; i++) {
		/* --depend: its dependents first, each said by its ID */
		cleanup_strv char **order = NULL;
		if (depend && ctr_removal_order(ctx->state, names[i], &order, &err) == 0) {
			size_t n = strv_len(order);
			for (size_t j = 0; j + 1 < n && !err; j++)
				if (ctr_remove_volumes(ctx->state, order[j], force, timeout, volumes, &err) == 0)
					printf("%s\n", order[j]);
		}
		if (err || ctr_remove_volumes(ctx->state, names[i], force, timeout, volumes, &err) < 0) {
			int code = err->status == ENOENT ? RM_NO_SUCH : err->status == EBUSY ? RM_RUNNING : EXIT_BURROW;
			if (code != RM_NO_SUCH || !refs.ignore)
				burrow_err_print(err);
			else
				code = 0;
			burrow_err_free(err);
			err = NULL;
			if (severity(code) > severity(rc))
				rc = code;
			continue;
		}
		printf("%s\n", names[i]);
	}
	/* what a create killed half-way left */
	ctr_secret_orphans_remove(ctx->state);
	return rc;
}
