/* burrow start [-a] [-i] [--all] [-f K=V] [--detach-keys KEYS] [--sig-proxy] CONTAINER... */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "netns/ports.h"

int cmd_start_one(struct cmd_ctx *ctx, const char *ref, const struct cmd_attach *att)
{
	struct ctr_start_opts so = {
	    .eng = &ctx->settings.engine,
	    .attach = att->attach,
	    .want_stdin = att->want_stdin,
	    .fresh = att->fresh,
	    .preserve_fds = att->preserve_fds,
	};
	struct ctr_attached ch;
	struct burrow_err *err = NULL;
	bool already = false;
	int code = EXIT_BURROW;
	if (ctr_start(ctx->state, ref, &so, &ch, &already, &code, &err) < 0) {
		burrow_err_print(err);
		burrow_err_free(err);
		return code;
	}
	if (!att->attach)
		return 0;
	/* nothing more to start: root's binder of low host ports goes */
	netns_binder_close();
	return cmd_relay(&ch, att);
}

/* What --all and --filter start: the containers that are not running */
static bool startable(const struct ctr_listing *l)
{
	return l->run.state != CTR_RUNNING && l->run.state != CTR_PAUSED && !l->run.restarting;
}

/* What 'burrow start --help' prints after "Usage: burrow ": keep it in step
 * with the options below. */
const char cmd_start_usage[] =
    "start [OPTIONS] CONTAINER...\n\n"
    "  -a, --attach             attach to its output (and with -i its input) until it ends\n"
    "      --all                start every container that is not running\n"
    "      --detach-keys KEYS   keys that detach from it (default ctrl-p,ctrl-q)\n"
    "  -f, --filter K=V         every container that matches and is not running, as ps --filter\n"
    "                           (repeatable); with names, those of them that match\n"
    "  -i, --interactive        with -a, pass standard input to it\n"
    "  -l, --latest             the last created container\n"
    "      --sig-proxy          with -a, pass the signals burrow gets to it (default true)\n";

int cmd_start(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_ALL = 0x200, OPT_DETACH_KEYS, OPT_SIG_PROXY };
	static const struct option longopts[] = {
	    {"attach", no_argument, NULL, 'a'},
	    {"all", no_argument, NULL, OPT_ALL},
	    {"detach-keys", required_argument, NULL, OPT_DETACH_KEYS},
	    {"interactive", no_argument, NULL, 'i'},
	    {"sig-proxy", no_argument, NULL, OPT_SIG_PROXY},
	    CMD_REFS_LATEST_LONGOPT,
	    CMD_REFS_FILTER_LONGOPT,
	    {0, 0, 0, 0},
	};
	struct cmd_attach att = {.sig_proxy = true};
	bool all = false, sig_proxy_set = false;
	cleanup_refs struct cmd_refs r = {.filter_names = true, .filter_pick = startable};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "af:il", longopts)) != -1) {
		switch (c) {
		case 'f':
		case CMD_REFS_FILTER:
			cmd_refs_option(ctx, CMD_REFS_FILTER, optarg, &r);
			break;
		case 'l':
			r.latest = ctx->flag_on;
			break;
		case 'a':
			att.attach = ctx->flag_on;
			break;
		case OPT_ALL:
			all = ctx->flag_on;
			break;
		case OPT_DETACH_KEYS:
			att.detach_keys = optarg;
			break;
		case 'i':
			att.want_stdin = ctx->flag_on;
			break;
		case OPT_SIG_PROXY:
			sig_proxy_set = true;
			att.sig_proxy = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	int n = argc - optind;
	r.all = all;
	int rc = cmd_refs_check(ctx, &r, n);
	if (rc)
		return rc;
	all = r.all; /* cleared by --filter */
	if (sig_proxy_set && att.sig_proxy && !att.attach)
		return cmd_usage_error(ctx, "--sig-proxy needs --attach");
	if (att.attach && (all || n > 1 || r.filter))
		return cmd_usage_error(ctx, "--attach works with one container only");
	if (att.detach_keys) {
		struct burrow_err *err = NULL;
		if (ctr_detach_keys_check(att.detach_keys, &err) < 0)
			return cmd_fail(err);
	}
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	cleanup_strv char **refs = NULL;
	size_t nrefs = 0;
	if (!all && cmd_refs_get(ctx, &r, argc, argv, &refs, &nrefs, &err) < 0)
		return cmd_fail(err);
	if (all && cmd_refs_all(ctx, startable, &refs, &nrefs, &err) < 0)
		return cmd_fail(err);
	if (att.attach)
		return cmd_start_one(ctx, refs[0], &att);
	for (size_t i = 0; i < nrefs; i++) {
		if (cmd_start_one(ctx, refs[i], &att) == 0)
			printf("%s\n", refs[i]);
		else
			rc = EXIT_BURROW;
	}
	return rc;
}

const char cmd_init_usage[] =
    "init [OPTIONS] CONTAINER...\n\n"
    "  -a, --all      initialize every container that is neither running nor initialized (all printed)\n"
    "  -l, --latest   the last created container\n";

/* burrow init: each container prepared (rootfs mounted, network, its init
 * created), its command waiting for a start */
int cmd_init(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    CMD_REFS_LATEST_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_refs struct cmd_refs r = {0};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "al", longopts)) != -1) {
		if (!cmd_refs_option(ctx, c, optarg, &r))
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	int rc = cmd_refs_check(ctx, &r, argc - optind);
	if (rc)
		return rc;
	struct burrow_err *err = NULL;
	cleanup_strv char **refs = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0 ||
	    (r.all ? cmd_refs_all(ctx, NULL, &refs, &n, &err) : cmd_refs_get(ctx, &r, argc, argv, &refs, &n, &err)) < 0)
		return cmd_fail(err);
	struct ctr_start_opts so = {.eng = &ctx->settings.engine, .init_only = true};
	for (size_t i = 0; i < n; i++) {
		struct ctr_attached ch;
		bool already = false;
		int code = EXIT_BURROW;
		int ret = ctr_start(ctx->state, refs[i], &so, &ch, &already, &code, &err);
		if (ret < 0 && r.all && already) {
			/* --all: one that runs or is initialized already is
			 * printed too, as podman's */
			burrow_err_free(err);
			err = NULL;
			ret = 0;
		}
		if (ret < 0) {
			burrow_err_print(err);
			burrow_err_free(err);
			err = NULL;
			rc = EXIT_BURROW;
			continue;
		}
		printf("%s\n", refs[i]);
		fflush(stdout);
	}
	return rc;
}
