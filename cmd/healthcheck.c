/* burrow healthcheck run CONTAINER: one healthcheck now (container/health.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/health.h"

const char cmd_healthcheck_usage[] = "healthcheck run CONTAINER\n\n"
                                     "Runs the container's healthcheck once, now, and records its result as the\n"
                                     "monitor's checks do; an unhealthy result gets the container's\n"
                                     "--health-on-failure action, as theirs. Exit status 0: it passed; 1: it\n"
                                     "failed (prints unhealthy); 125: no such container, no healthcheck, or it\n"
                                     "is not running.\n";

int cmd_healthcheck(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {{0, 0, 0, 0}};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "", longopts)) != -1) {
		if (c == CMD_OPT_HELP)
			return 0;
		return EXIT_BURROW;
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, "missing subcommand (run)");
	if (strcmp(argv[optind], "run") != 0)
		return cmd_usage_error(ctx, "unknown subcommand '%s' (run)", argv[optind]);
	if (optind + 2 != argc)
		return cmd_usage_error(ctx, "healthcheck run takes one container");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	bool healthy = false;
	if (ctr_health_run(ctx->state, argv[optind + 1], &healthy, &err) < 0)
		return cmd_fail(err);
	if (!healthy) {
		printf("unhealthy\n");
		return 1;
	}
	return 0;
}
