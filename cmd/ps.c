/* burrow ps [-a] [-q] [--no-trunc] */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "container/container.h"

static void status_text(const struct ctr_listing *l, long long now, char *buf, size_t len)
{
	char d[64];
	switch (l->run.state) {
	case CTR_RUNNING:
		snprintf(buf, len, "Up %s", fmt_duration(now - l->run.started_at, d, sizeof(d)));
		break;
	case CTR_PAUSED:
		snprintf(buf, len, "Paused");
		break;
	case CTR_STOPPED:
	case CTR_EXITED:
		snprintf(buf, len, "Exited (%d) %s ago", l->run.exit_code,
		         fmt_duration(now - l->run.finished_at, d, sizeof(d)));
		break;
	case CTR_CONFIGURED:
	case CTR_CREATED:
		snprintf(buf, len, "Created");
		break;
	default:
		snprintf(buf, len, "%s", ctr_state_name(l->run.state));
	}
}

static void command_text(char *const *args, char *buf, size_t len, bool trunc)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; args && args[i] && n + 1 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "", args[i]);
	if (trunc && strlen(buf) > 20)
		strcpy(buf + 17, "...");
}

int cmd_ps(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'},
	    {0, 0, 0, 0},
	};
	bool all = false, quiet = false, notrunc = false;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "aq", longopts)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'T':
			notrunc = true;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	struct burrow_err *err = NULL;
	struct ctr_listing *l = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0 || ctr_list(ctx->state, all, &l, &n, &err) < 0)
		return cmd_fail(err);
	long long now = (long long)time(NULL);
	int idw = notrunc ? 64 : 12;
	if (!quiet)
		printf("%-*s  %-24s  %-20s  %-16s  %-28s  %-8s  %s\n", idw, "CONTAINER ID", "IMAGE", "COMMAND",
		       "CREATED", "STATUS", "PORTS", "NAMES");
	for (size_t i = 0; i < n; i++) {
		if (quiet) {
			printf("%.*s\n", idw, l[i].cfg.id);
			continue;
		}
		char created[64], status[96], cmdtext[512];
		fmt_time_ago(l[i].cfg.created, now, created, sizeof(created));
		status_text(&l[i], now, status, sizeof(status));
		command_text(l[i].cfg.args, cmdtext, sizeof(cmdtext), !notrunc);
		printf("%-*.*s  %-24s  %-20s  %-16s  %-28s  %-8s  %s\n", idw, idw, l[i].cfg.id,
		       l[i].cfg.image_name ? l[i].cfg.image_name : "", cmdtext, created, status, "", l[i].cfg.name);
	}
	ctr_listing_free(l, n);
	return 0;
}
