/* -a, -l, --cidfile, --filter and names (see ctrrefs.h). */
#include "cmd/ctrrefs.h"

#include <errno.h>
#include <getopt.h>

#include "container/cidfile.h"
#include "container/container.h"
#include "container/record.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* --filter's specs into r->filter: 0, or -1 (said). */
static int refs_filter_parse(struct cmd_refs *r)
{
	r->filter = cmd_ps_filter_new();
	for (char **f = r->filters.v; *f; f++) {
		struct burrow_err *err = NULL;
		if (cmd_ps_filter_add(r->filter, *f, &err) < 0) {
			cmd_fail(err);
			return -1;
		}
	}
	return 0;
}

int cmd_refs_check(struct cmd_ctx *ctx, struct cmd_refs *r, int nargs)
{
	bool cid = r->cidfiles.v != NULL;
	if (r->filters.v) {
		/* podman's CheckAllLatestAndIDFile: --filter decides alone (its
		 * engine looks at the filters before --all and --latest); the
		 * IDs of --cidfile are then picked among */
		if (nargs > 0 && !r->filter_names)
			return cmd_usage_error(ctx, "--filter takes no arguments");
		if (refs_filter_parse(r) < 0)
			return EXIT_BURROW;
		r->all = r->latest = false;
		return 0;
	}
	/* podman's words (cmd/podman/validate) */
	if (cid && (r->all || r->latest))
		return cmd_usage_error(ctx, "--all, --latest, and --cidfile cannot be used together");
	if (r->all && r->latest)
		return cmd_usage_error(ctx, "--all and --latest cannot be used together");
	if (nargs > 0 && r->all)
		return cmd_usage_error(ctx, "no arguments are needed with --all");
	if (nargs > 0 && r->latest)
		return cmd_usage_error(ctx, "--latest and containers cannot be used together");
	if (nargs > 0 && cid)
		return cmd_usage_error(ctx, "no arguments are needed with --latest or --cidfile");
	if (nargs == 0 && !r->all && !r->latest && !cid)
		return cmd_usage_error(ctx, "you must provide at least one name or id");
	return 0;
}

int cmd_latest(struct cmd_ctx *ctx, char **id, struct burrow_err **err)
{
	struct ctr_listing *l = NULL;
	size_t n = 0;
	if (ctr_list(ctx->state, true, &l, &n, err) < 0)
		return -1;
	if (n == 0) {
		ctr_listing_free(l, n);
		return burrow_error_status(err, ENOENT, "no such container");
	}
	*id = xstrdup(l[0].cfg.id); /* newest first */
	ctr_listing_free(l, n);
	return 0;
}

/* The IDs of the containers pick and filter (each NULL: any) take, newest
 * first. */
static int refs_list(struct cmd_ctx *ctx, struct cmd_ps_filter *filter, cmd_ctr_pick pick, char ***ids, size_t *n,
                     struct burrow_err **err)
{
	struct ctr_listing *l = NULL;
	size_t nl = 0;
	if (ctr_list(ctx->state, true, &l, &nl, err) < 0)
		return -1;
	if (filter && cmd_ps_filter_resolve(filter, l, nl, err) < 0) {
		ctr_listing_free(l, nl);
		return -1;
	}
	struct strv_builder b = {0};
	for (size_t i = 0; i < nl; i++)
		if ((!pick || pick(&l[i])) && (!filter || (cmd_ps_filter_match(filter, &l[i].cfg, &l[i].run) &&
		                                           cmd_ps_filter_match_health(filter, l[i].health))))
			strv_builder_add(&b, l[i].cfg.id);
	ctr_listing_free(l, nl);
	*ids = strv_builder_steal(&b);
	if (!*ids)
		*ids = xcalloc(1, sizeof(char *));
	*n = strv_len(*ids);
	return 0;
}

/* --filter: the IDs it takes; with names or cid files given, those of
 * them that one names (a name no container has: said, as without
 * --filter; cid files given but none read, with -i: none). */
static int refs_filtered(struct cmd_ctx *ctx, const struct cmd_refs *r, char **named, char ***ids, size_t *n,
                         struct burrow_err **err)
{
	if (refs_list(ctx, r->filter, r->filter_pick, ids, n, err) < 0)
		return -1;
	if ((!named || !named[0]) && !r->cidfiles.v)
		return 0;
	cleanup_strv char **want = NULL;
	for (char **p = named; *p; p++) {
		char *id = NULL;
		if (ctr_lookup(ctx->state, *p, &id, err) < 0) {
			if (!(r->ignore && (*err)->status == ENOENT)) {
				strv_free(steal_ptr(*ids));
				return -1;
			}
			burrow_err_free(steal_ptr(*err));
			continue;
		}
		strv_append_take(&want, id);
	}
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		if (want && strv_contains(want, (*ids)[i]))
			(*ids)[k++] = (*ids)[i];
		else
			free((*ids)[i]);
	}
	(*ids)[k] = NULL;
	*n = k;
	return 0;
}

int cmd_refs_get(struct cmd_ctx *ctx, const struct cmd_refs *r, int argc, char **argv, char ***refs, size_t *n,
                 struct burrow_err **err)
{
	struct strv_builder b = {0};
	if (r->latest) {
		char *id = NULL;
		if (cmd_latest(ctx, &id, err) < 0)
			return -1;
		strv_builder_take(&b, id);
	}
	for (char **f = r->cidfiles.v; f && *f; f++) {
		char *id = NULL;
		if (ctr_cidfile_read(*f, &id, err) == 0) {
			strv_builder_take(&b, id);
		} else if (r->ignore && (*err)->status == ENOENT) {
			burrow_err_free(steal_ptr(*err));
		} else {
			strv_free(b.v);
			return -1;
		}
	}
	if (!r->latest && !r->cidfiles.v)
		for (int i = optind; i < argc; i++)
			strv_builder_add(&b, argv[i]);
	*refs = strv_builder_steal(&b);
	*n = strv_len(*refs);
	if (!r->filter)
		return 0;
	cleanup_strv char **named = steal_ptr(*refs);
	return refs_filtered(ctx, r, named, refs, n, err);
}

int cmd_refs_all(struct cmd_ctx *ctx, cmd_ctr_pick pick, char ***ids, size_t *n, struct burrow_err **err)
{
	return refs_list(ctx, NULL, pick, ids, n, err);
}

int cmd_refs_option(const struct cmd_ctx *ctx, int c, const char *arg, struct cmd_refs *r)
{
	if (c == 'a')
		r->all = ctx->flag_on;
	else if (c == 'l')
		r->latest = ctx->flag_on;
	else if (c == CMD_REFS_CIDFILE)
		strv_builder_add(&r->cidfiles, arg);
	else if (c == CMD_REFS_FILTER)
		strv_builder_add(&r->filters, arg);
	else
		return 0;
	return 1;
}

void cmd_refs_clear(struct cmd_refs *r)
{
	strv_free(r->cidfiles.v);
	r->cidfiles.v = NULL;
	strv_free(r->filters.v);
	r->filters.v = NULL;
	cmd_ps_filter_free(r->filter);
	r->filter = NULL;
}
