/* burrow rm [-f] [-i] [--depend] CONTAINER... */
#include <errno.h>
#include <stdio.h>

#include "cmd/cmd.h"
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
const char cmd_rm_usage[] = "rm [-f] [-i] [-t N] [-v] [--depend] CONTAINER...\n\n"
                            "      --depend   remove the containers that depend on it first\n"
                            "  -f, --force    remove running containers too (they are killed first); implies -i\n"
                            "  -i, --ignore   a container that does not exist is not an error\n"
                            "  -t, --time N   with -f, stop them first: their stop signal, SIGKILL N seconds later\n"
                            "  -v, --volumes  remove their anonymous volumes too\n";

int cmd_rm(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, 'f'},      {"ignore", no_argument, NULL, 'i'},
	    {"time", required_argument, NULL, 't'}, {"volumes", no_argument, NULL, 'v'},
	    {"depend", no_argument, NULL, 'D'},     {0, 0, 0, 0},
	};
	bool force = false, ignore = false, volumes = false, depend = false;
	int c, timeout = -1;
	while ((c = cmd_getopt(ctx, argc, argv, "fit:v", longopts)) != -1) {
		if (c == 't') {
			if (cmd_parse_seconds(optarg, &timeout) < 0)
				return cmd_usage_error(ctx, "invalid --time '%s' (seconds)", str_quote(optarg));
		} else if (c == 'f')
			force = ignore = true; /* as podman: --force implies --ignore */
		else if (c == 'i')
			ignore = true;
		else if (c == 'v')
			volumes = true;
		else if (c == 'D')
			depend = true;
		else
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, "missing container name or ID");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		/* --depend: its dependents first, each said by its ID */
		cleanup_strv char **order = NULL;
		if (depend && ctr_removal_order(ctx->state, argv[i], &order, &err) == 0) {
			size_t n = strv_len(order);
			for (size_t j = 0; j + 1 < n && !err; j++)
				if (ctr_remove_volumes(ctx->state, order[j], force, timeout, volumes, &err) == 0)
					printf("%s\n", order[j]);
		}
		if (err || ctr_remove_volumes(ctx->state, argv[i], force, timeout, volumes, &err) < 0) {
			int code = err->status == ENOENT ? RM_NO_SUCH : err->status == EBUSY ? RM_RUNNING : EXIT_BURROW;
			if (code != RM_NO_SUCH || !ignore)
				burrow_err_print(err);
			else
				code = 0;
			burrow_err_free(err);
			err = NULL;
			if (severity(code) > severity(rc))
				rc = code;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	/* what a create killed half-way left */
	ctr_secret_orphans_remove(ctx->state);
	return rc;
}
