/* burrow container prune [-f] [--filter until=T|label=K[=V]|label!=K[=V]]
 *
 * As podman's: removes every container that does not run (created,
 * exited), after asking unless -f, and prints their IDs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/psfilter.h"
#include "cmd/prune.h"
#include "container/container.h"
#include "container/inspect.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"

static const char prune_usage[] = "container prune [-f] [--filter KEY=VALUE]\n\n"
                                  "Removes every container that does not run (after asking).\n\n"
                                  "      --filter KEY=VALUE  until=TIME (created before), label=KEY[=VALUE],\n"
                                  "                          label!=KEY[=VALUE] (repeatable: all must match)\n"
                                  "  -f, --force             do not ask for confirmation\n";

struct cmd_ctr_prune_filter {
	struct cmd_ps_filter *labels;
	long long until_ns; /* 0: none */
};

int cmd_ctr_prune_filter_parse(char *const *specs, struct cmd_ctr_prune_filter **out, struct burrow_err **err)
{
	struct cmd_ctr_prune_filter *f = xcalloc(1, sizeof(*f));
	f->labels = cmd_ps_filter_new();
	for (size_t i = 0; specs && specs[i]; i++) {
		const char *s = specs[i];
		int r = 0;
		if (strncmp(s, "until=", 6) == 0) {
			r = time_parse_point(s + 6, time_wall_ns(), &f->until_ns, err);
			if (r < 0)
				burrow_error_wrap(err, "--filter '%s'", str_quote(s));
		} else if (strncmp(s, "label=", 6) == 0 || strncmp(s, "label!=", 7) == 0) {
			r = cmd_ps_filter_add(f->labels, s, err);
		} else {
			r = burrow_error_status(err, EINVAL, "--filter '%s': unknown filter (until, label, label!)",
			                        str_quote(s));
		}
		if (r < 0) {
			cmd_ctr_prune_filter_free(f);
			return -1;
		}
	}
	*out = f;
	return 0;
}

void cmd_ctr_prune_filter_free(struct cmd_ctr_prune_filter *f)
{
	if (!f)
		return;
	cmd_ps_filter_free(f->labels);
	free(f);
}

/* Whether prune takes the container l: it does not run, and it passes f. */
static bool prunable(const struct cmd_ctr_prune_filter *f, const struct ctr_listing *l)
{
	enum ctr_state st = l->run.state;
	if (st != CTR_CONFIGURED && st != CTR_STOPPED && st != CTR_EXITED)
		return false;
	if (f && f->until_ns && l->cfg.created * 1000000000LL >= f->until_ns)
		return false;
	return !f || cmd_ps_filter_match(f->labels, &l->cfg, &l->run);
}

int cmd_ctr_prune(struct state_store *s, const struct cmd_ctr_prune_filter *f, char ***removed, long long *bytes,
                  bool *failed, struct burrow_err **err)
{
	struct ctr_listing *l = NULL;
	size_t n = 0;
	*removed = xcalloc(1, sizeof(char *));
	*failed = false;
	if (ctr_list(s, true, &l, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!prunable(f, &l[i]))
			continue;
		long long rw = 0;
		struct burrow_err *e = NULL;
		if (bytes && ctr_size_rw(s, &l[i].cfg, &rw, &e) < 0) {
			burrow_err_free(e);
			e = NULL;
			rw = 0;
		}
		/* one that others need stays, said (podman's prune says it too) */
		if (ctr_remove(s, l[i].cfg.id, false, -1, &e) < 0) {
			if (e->status != ENOENT) {
				burrow_err_print(e);
				*failed = true;
			}
			burrow_err_free(e);
			continue;
		}
		if (bytes)
			*bytes += rw;
		strv_append(removed, l[i].cfg.id);
	}
	ctr_listing_free(l, n);
	ctr_orphans_remove(s);
	return 0;
}

int cmd_confirm(const char *warning)
{
	printf("%s\nAre you sure you want to continue? [y/N] ", warning);
	fflush(stdout);
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

int cmd_container_prune(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_FILTER = 0x200 };
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"filter", required_argument, NULL, OPT_FILTER},
	    {0, 0, 0, 0},
	};
	cleanup_strv char **filters = NULL;
	bool force = false;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f", longopts)) != -1) {
		if (c == 'f') {
			force = ctx->flag_on;
		} else if (c == OPT_FILTER) {
			strv_append(&filters, optarg);
		} else {
			if (c == CMD_OPT_HELP)
				printf("Usage: burrow %s", prune_usage);
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));
	struct burrow_err *err = NULL;
	struct cmd_ctr_prune_filter *f = NULL;
	if (cmd_ctr_prune_filter_parse(filters, &f, &err) < 0)
		return cmd_fail(err);
	if (!force && !cmd_confirm("WARNING! This will remove all non running containers.")) {
		cmd_ctr_prune_filter_free(f);
		return 0;
	}
	cleanup_strv char **removed = NULL;
	bool failed = false;
	int rc = 0;
	if (cmd_ready(ctx, &err) < 0 || cmd_ctr_prune(ctx->state, f, &removed, NULL, &failed, &err) < 0)
		rc = cmd_fail(err);
	for (size_t i = 0; removed && removed[i]; i++)
		printf("%s\n", removed[i]);
	cmd_ctr_prune_filter_free(f);
	return rc ? rc : failed ? EXIT_BURROW : 0;
}
