/* burrow unshare [COMMAND [ARG...]] */
#include <errno.h>

#include "cmd/cmd.h"
#include "userns/userns.h"

/* What 'burrow unshare --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_unshare_usage[] = "unshare [COMMAND [ARG...]]\n\n"
                                 "Runs COMMAND (default: $SHELL) inside the user and mount namespace that\n"
                                 "burrow's containers live in; its exit status is passed through.\n";

int cmd_unshare(struct cmd_ctx *ctx, int argc, char **argv)
{
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "+", NULL)) != -1)
		return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	struct burrow_err *err = NULL;
	int status = 0;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	if (userns_unshare_run(argv + optind, &status, &err) < 0) {
		int st = err->status;
		burrow_err_print(err);
		burrow_err_free(err);
		if (st == ENOENT)
			return EXIT_NOT_FOUND;
		if (st == EACCES || st == ENOEXEC || st == EISDIR || st == EPERM)
			return EXIT_CANNOT_INVOKE;
		return EXIT_BURROW;
	}
	return status;
}
