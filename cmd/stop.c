/* burrow stop [-a] [-i] [-t N] [-f K=V] CONTAINER...
 * burrow kill [-a] [-s SIGNAL] CONTAINER...
 * burrow restart [-a] [--running] [-t N] [-f K=V] CONTAINER...
 * burrow pause [-a] [-f K=V] CONTAINER...
 * burrow unpause [-a] [-f K=V] CONTAINER...
 * burrow wait [--condition STATE] [-i INTERVAL] CONTAINER... */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "container/container.h"
#include "container/events.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"

int cmd_parse_seconds(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > 86400)
		return -1;
	*out = (int)v;
	return 0;
}

/* What one verb does to one container: 0, or -1 with *err. */
typedef int (*ctr_op)(struct cmd_ctx *ctx, const char *ref, void *data, struct burrow_err **err);

/* Runs op on each container r names (with --all: each one pick takes),
 * printing what was given (the full ID with --all, --latest, --cidfile,
 * --filter)
 * for each that went well. A missing container is skipped quietly with
 * r->ignore. Returns 0, or 125 when any failed. */
static int each_container(struct cmd_ctx *ctx, int argc, char **argv, const struct cmd_refs *r, cmd_ctr_pick pick,
                          ctr_op op, void *data)
{
	struct burrow_err *err = NULL;
	cleanup_strv char **refs = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	if (r->all ? cmd_refs_all(ctx, pick, &refs, &n, &err) < 0
	           : cmd_refs_get(ctx, r, argc, argv, &refs, &n, &err) < 0)
		return cmd_fail(err);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (op(ctx, refs[i], data, &err) == 0) {
			printf("%s\n", refs[i]);
			fflush(stdout);
		} else {
			if (!(r->ignore && err->status == ENOENT)) {
				burrow_err_print(err);
				rc = EXIT_BURROW;
			}
			burrow_err_free(err);
			err = NULL;
		}
	}
	return rc;
}

static bool pick_live(const struct ctr_listing *l)
{
	return l->run.state == CTR_RUNNING || l->run.state == CTR_PAUSED || l->run.restarting;
}

static bool pick_running(const struct ctr_listing *l)
{
	return l->run.state == CTR_RUNNING;
}

static bool pick_paused(const struct ctr_listing *l)
{
	return l->run.state == CTR_PAUSED;
}

static bool pick_any(const struct ctr_listing *l)
{
	(void)l;
	return true;
}

static int op_stop(struct cmd_ctx *ctx, const char *ref, void *data, struct burrow_err **err)
{
	return ctr_stop(ctx->state, ref, *(int *)data, err);
}

const char cmd_stop_usage[] = "stop [OPTIONS] CONTAINER...\n\n"
                              "  -a, --all           stop every container (each printed, also one not running)\n"
                              "      --cidfile FILE  the container whose ID FILE holds (repeatable)\n"
                              "  -f, --filter K=V    every container that matches, as ps --filter (repeatable)\n"
                              "  -i, --ignore        a container that does not exist is not an error\n"
                              "  -l, --latest        the last created container\n"
                              "  -t, --time N        seconds to wait before SIGKILL (default: its --stop-timeout, 10)\n"
                              "      --timeout N     the same\n";

int cmd_stop(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"ignore", no_argument, NULL, 'i'},
	    {"time", required_argument, NULL, 't'},
	    {"timeout", required_argument, NULL, 't'},
	    CMD_REFS_LONGOPTS,
	    CMD_REFS_FILTER_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_refs struct cmd_refs r = {0};
	int timeout = -1, c;
	while ((c = cmd_getopt(ctx, argc, argv, "af:ilt:", longopts)) != -1) {
		if (cmd_refs_option(ctx, c == 'f' ? CMD_REFS_FILTER : c, optarg, &r))
			continue;
		if (c == 'i')
			r.ignore = ctx->flag_on;
		else if (c == 't' && cmd_parse_seconds(optarg, &timeout) < 0)
			return cmd_usage_error(ctx, "invalid --time '%s' (seconds)", str_quote(optarg));
		else if (c != 't')
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	int rc = cmd_refs_check(ctx, &r, argc - optind);
	if (rc)
		return rc;
	/* --all: every container, each printed (one not running is left as
	 * it is), as podman 4.3's stop --all */
	return each_container(ctx, argc, argv, &r, pick_any, op_stop, &timeout);
}

static int op_kill(struct cmd_ctx *ctx, const char *ref, void *data, struct burrow_err **err)
{
	return ctr_kill(ctx->state, ref, *(int *)data, err);
}

const char cmd_kill_usage[] = "kill [OPTIONS] CONTAINER...\n\n"
                              "  -a, --all           signal every running container\n"
                              "      --cidfile FILE  the container whose ID FILE holds (repeatable)\n"
                              "  -l, --latest        the last created container\n"
                              "  -s, --signal SIG    the signal, by name (TERM, SIGHUP) or number (default KILL)\n";

int cmd_kill(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"signal", required_argument, NULL, 's'},
	    CMD_REFS_LONGOPTS,
	    {0, 0, 0, 0},
	};
	cleanup_refs struct cmd_refs r = {0};
	int sig = SIGKILL, c;
	while ((c = cmd_getopt(ctx, argc, argv, "als:", longopts)) != -1) {
		if (cmd_refs_option(ctx, c, optarg, &r)) {
			continue;
		} else if (c == 's') {
			struct burrow_err *err = NULL;
			if (ctr_parse_signal(optarg, &sig, &err) < 0)
				return cmd_fail(err);
		} else {
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
		}
	}
	int rc = cmd_refs_check(ctx, &r, argc - optind);
	if (rc)
		return rc;
	return each_container(ctx, argc, argv, &r, pick_live, op_kill, &sig);
}

struct restart_args {
	int timeout;
};

static int op_restart(struct cmd_ctx *ctx, const char *ref, void *data, struct burrow_err **err)
{
	struct restart_args *a = data;
	ctr_event_ref(ctx->state, ref, "restart");
	if (ctr_stop(ctx->state, ref, a->timeout, err) < 0)
		return -1;
	struct ctr_start_opts so = {.eng = &ctx->settings.engine};
	struct ctr_attached ch;
	bool already = false;
	int code;
	return ctr_start(ctx->state, ref, &so, &ch, &already, &code, err);
}

const char cmd_restart_usage[] =
    "restart [OPTIONS] CONTAINER...\n\n"
    "  -a, --all           restart every container\n"
    "      --cidfile FILE  the container whose ID FILE holds (repeatable)\n"
    "  -f, --filter K=V    every container that matches, as ps --filter (repeatable)\n"
    "  -l, --latest        the last created container\n"
    "      --running       with --all or --filter, only the running ones\n"
    "  -t, --time N        seconds stop waits before SIGKILL (default: its --stop-timeout)\n"
    "      --timeout N     the same\n";

int cmd_restart(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_RUNNING = 0x200 };
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"running", no_argument, NULL, OPT_RUNNING},
	    {"time", required_argument, NULL, 't'},
	    {"timeout", required_argument, NULL, 't'},
	    CMD_REFS_LONGOPTS,
	    CMD_REFS_FILTER_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_refs struct cmd_refs r = {0};
	bool running = false;
	struct restart_args a = {.timeout = -1};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "af:lt:", longopts)) != -1) {
		if (cmd_refs_option(ctx, c == 'f' ? CMD_REFS_FILTER : c, optarg, &r))
			continue;
		if (c == OPT_RUNNING)
			running = ctx->flag_on;
		else if (c == 't' && cmd_parse_seconds(optarg, &a.timeout) < 0)
			return cmd_usage_error(ctx, "invalid --time '%s' (seconds)", str_quote(optarg));
		else if (c != 't')
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	/* podman's --running ignores --filter; here it narrows it */
	if (running && !r.all && !r.filters.v)
		return cmd_usage_error(ctx, "--running needs --all or --filter");
	if (running)
		r.filter_pick = pick_live;
	int rc = cmd_refs_check(ctx, &r, argc - optind);
	if (rc)
		return rc;
	return each_container(ctx, argc, argv, &r, running ? pick_live : pick_any, op_restart, &a);
}

static int op_pause(struct cmd_ctx *ctx, const char *ref, void *data, struct burrow_err **err)
{
	return ctr_pause(ctx->state, ref, *(bool *)data, err);
}

const char cmd_pause_usage[] = "pause [OPTIONS] CONTAINER...\n\n"
                               "  -a, --all           pause every running container\n"
                               "      --cidfile FILE  the container whose ID FILE holds (repeatable)\n"
                               "  -f, --filter K=V    every container that matches, as ps --filter (repeatable)\n"
                               "  -l, --latest        the last created container\n";
const char cmd_unpause_usage[] = "unpause [OPTIONS] CONTAINER...\n\n"
                                 "  -a, --all           unpause every paused container\n"
                                 "      --cidfile FILE  the container whose ID FILE holds (repeatable)\n"
                                 "  -f, --filter K=V    every container that matches, as ps --filter (repeatable)\n"
                                 "  -l, --latest        the last created container\n";

static int pause_verb(struct cmd_ctx *ctx, int argc, char **argv, bool pause)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    CMD_REFS_LONGOPTS,
	    CMD_REFS_FILTER_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_refs struct cmd_refs r = {0};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "af:l", longopts)) != -1)
		if (!cmd_refs_option(ctx, c == 'f' ? CMD_REFS_FILTER : c, optarg, &r))
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	int rc = cmd_refs_check(ctx, &r, argc - optind);
	if (rc)
		return rc;
	return each_container(ctx, argc, argv, &r, pause ? pick_running : pick_paused, op_pause, &pause);
}

int cmd_pause(struct cmd_ctx *ctx, int argc, char **argv)
{
	return pause_verb(ctx, argc, argv, true);
}

int cmd_unpause(struct cmd_ctx *ctx, int argc, char **argv)
{
	return pause_verb(ctx, argc, argv, false);
}

const char cmd_wait_usage[] =
    "wait [OPTIONS] CONTAINER...\n\n"
    "      --condition STATE   wait until it is STATE: stopped (default), exited, running, paused,\n"
    "                          created, configured, stopping, healthy, unhealthy (its healthcheck)\n"
    "                          (repeatable: any of them)\n"
    "  -i, --interval TIME     how often to look again (default 250ms; a number is milliseconds)\n"
    "      --ignore            a container that does not exist is not an error (prints -1)\n"
    "  -l, --latest            the last created container\n";

int cmd_wait(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_CONDITION = 0x200, OPT_IGNORE };
	static const struct option longopts[] = {
	    {"condition", required_argument, NULL, OPT_CONDITION},
	    {"interval", required_argument, NULL, 'i'},
	    {"ignore", no_argument, NULL, OPT_IGNORE},
	    CMD_REFS_LATEST_LONGOPT,
	    {0, 0, 0, 0},
	};
	unsigned mask = 0;
	int interval_ms = 250, c;
	cleanup_refs struct cmd_refs r = {0};
	while ((c = cmd_getopt(ctx, argc, argv, "i:l", longopts)) != -1) {
		switch (c) {
		case 'l':
			r.latest = ctx->flag_on;
			break;
		case OPT_CONDITION: {
			struct burrow_err *err = NULL;
			if (ctr_wait_condition(optarg, &mask, &err) < 0)
				return cmd_fail(err);
			break;
		}
		case 'i': {
			long long ns = 0;
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*optarg && !*end)
				ns = (long long)v * 1000000;
			else if (time_parse_duration(optarg, &ns) < 0)
				ns = -1;
			if (ns <= 0 || ns > 3600LL * 1000000000)
				return cmd_usage_error(ctx, "invalid --interval '%s' (e.g. 250ms, 1s)",
				                       str_quote(optarg));
			interval_ms = ns < 1000000 ? 1 : (int)(ns / 1000000);
			break;
		}
		case OPT_IGNORE:
			r.ignore = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	int rc = cmd_refs_check(ctx, &r, argc - optind);
	if (rc)
		return rc;
	if (!mask)
		mask = CTR_WAIT_STOPPED;
	struct burrow_err *err = NULL;
	cleanup_strv char **refs = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0 || cmd_refs_get(ctx, &r, argc, argv, &refs, &n, &err) < 0)
		return cmd_fail(err);
	for (size_t i = 0; i < n; i++) {
		int code = -1;
		if (ctr_wait(ctx->state, refs[i], mask, interval_ms, &code, &err) < 0) {
			if (r.ignore && err->status == ENOENT) {
				printf("-1\n");
			} else {
				burrow_err_print(err);
				rc = EXIT_BURROW;
			}
			burrow_err_free(err);
			err = NULL;
			continue;
		}
		printf("%d\n", code);
		fflush(stdout);
	}
	return rc;
}
