/* burrow rm [-f] CONTAINER... */
#include <stdio.h>
#include <errno.h>

#include "cmd/cmd.h"
#include "container/container.h"

int cmd_rm(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	bool force = false;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f", longopts)) != -1) {
		if (c == 'f')
			force = true;
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
		if (ctr_remove(ctx->state, argv[i], force, &err) < 0) {
			/* like podman: 1 when a container does not exist, else 125 */
			int code = err->status == ENOENT ? 1 : EXIT_BURROW;
			burrow_err_print(err);
			burrow_err_free(err);
			err = NULL;
			if (rc == 0 || code == EXIT_BURROW)
				rc = code;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return rc;
}
