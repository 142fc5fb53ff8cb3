/* burrow system df [-v] [--format F], system prune [-a] [--volumes] [-f]
 * [--filter F], system reset [-f]: podman's verbs over burrow's stores. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "cmd/prune.h"
#include "cmd/report.h"
#include "cmd/sysdf.h"
#include "container/container.h"
#include "container/inspect.h"
#include "container/volume.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"
#include "userns/userns.h"

static yajl_val size_json(long long bytes)
{
	char buf[32];
	return json_new_str(fmt_size_tight(bytes, buf, sizeof(buf)));
}

static yajl_val reclaim_json(long long bytes, long long of)
{
	char buf[32], out[48];
	snprintf(out, sizeof(out), "%s (%lld%%)", fmt_size_tight(bytes, buf, sizeof(buf)),
	         of > 0 ? bytes * 100 / of : 0);
	return json_new_str(out);
}

/* Everything df counts. */
struct df_img {
	struct img_info *info;
	long long shared, unique;
	size_t containers;
};
struct df_ctr {
	struct ctr_listing *l;
	long long size;
};
struct df_vol {
	struct ctr_vol v;
	size_t links;
	long long size;
};
struct df {
	struct img_info **imgs;
	struct df_img *img;
	size_t nimg;
	struct ctr_listing *ctrs;
	struct df_ctr *ctr;
	size_t nctr;
	struct ctr_vol *vols;
	struct df_vol *vol;
	size_t nvol;
};

static void df_clear(struct df *d)
{
	for (size_t i = 0; i < d->nimg; i++)
		img_info_free(d->imgs[i]);
	free(d->imgs);
	free(d->img);
	ctr_listing_free(d->ctrs, d->nctr);
	free(d->ctr);
	ctr_vol_list_free(d->vols, d->nvol);
	free(d->vol);
}

static bool running(enum ctr_state st)
{
	return st == CTR_RUNNING || st == CTR_PAUSED || st == CTR_STOPPING || st == CTR_CREATED;
}

static int df_collect(struct state_store *s, struct df *d, struct burrow_err **err)
{
	if (img_list(s, &d->imgs, &d->nimg, err) < 0 || ctr_list(s, true, &d->ctrs, &d->nctr, err) < 0 ||
	    ctr_vol_list(s, &d->vols, &d->nvol, err) < 0)
		return -1;
	d->img = xcalloc(d->nimg + 1, sizeof(*d->img));
	d->ctr = xcalloc(d->nctr + 1, sizeof(*d->ctr));
	d->vol = xcalloc(d->nvol + 1, sizeof(*d->vol));
	/* each layer's size, and how many images have it */
	for (size_t i = 0; i < d->nimg; i++) {
		struct img_info *m = d->imgs[i];
		d->img[i].info = m;
		for (size_t k = 0; m->layers && m->layers[k]; k++) {
			long long sz = 0;
			if (ctr_tree_size(m->layers[k], &sz, err) < 0)
				return -1;
			bool shared = false;
			for (size_t j = 0; j < d->nimg && !shared; j++)
				shared = j != i && strv_contains(d->imgs[j]->layer_ids, m->layer_ids[k]);
			if (shared)
				d->img[i].shared += sz;
			else
				d->img[i].unique += sz;
		}
	}
	for (size_t i = 0; i < d->nctr; i++) {
		d->ctr[i].l = &d->ctrs[i];
		if (ctr_size_rw(s, &d->ctrs[i].cfg, &d->ctr[i].size, err) < 0)
			return -1;
		for (size_t j = 0; j < d->nimg; j++)
			if (d->ctrs[i].cfg.image_id && strcmp(d->ctrs[i].cfg.image_id, d->imgs[j]->id) == 0)
				d->img[j].containers++;
	}
	for (size_t i = 0; i < d->nvol; i++) {
		cleanup_strv char **ids = NULL;
		d->vol[i].v = d->vols[i];
		if (ctr_vol_users(s, &d->vols[i], &ids, NULL, err) < 0 ||
		    ctr_vol_size(s, d->vols[i].name, &d->vol[i].size, err) < 0)
			return -1;
		d->vol[i].links = strv_len(ids);
	}
	return 0;
}

static yajl_val summary_row(const char *type, size_t total, size_t active, long long size, long long reclaim)
{
	yajl_val o = json_new_object();
	json_obj_add(o, "Type", json_new_str(type));
	json_obj_add(o, "Total", json_new_int((long long)total));
	json_obj_add(o, "Active", json_new_int((long long)active));
	json_obj_add(o, "RawSize", json_new_int(size));
	json_obj_add(o, "RawReclaimable", json_new_int(reclaim));
	json_obj_add(o, "Size", size_json(size));
	json_obj_add(o, "Reclaimable", reclaim_json(reclaim, size));
	return o;
}

static int print_items(struct fmt_report *rep, yajl_val *rows, size_t n, struct burrow_err **err)
{
	struct fmt_item *items = xcalloc(n + 1, sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i].base = rows[i];
	int r = fmt_report_print(rep, items, n, err);
	for (size_t i = 0; i < n; i++)
		yajl_tree_free(rows[i]);
	free(items);
	return r;
}

static const char df_format[] = "{{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}\n";
static const char df_img_format[] =
    "{{.Repository}}\t{{.Tag}}\t{{.ImageID}}\t{{.Created}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t"
    "{{.Containers}}\n";
static const char df_ctr_format[] = "{{.ContainerID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t"
                                    "{{.Created}}\t{{.Status}}\t{{.Names}}\n";
static const char df_vol_format[] = "{{.VolumeName}}\t{{.Links}}\t{{.Size}}\n";
static const struct fmt_header df_headers[] = {
    {"ImageID", "IMAGE ID"},
    {"SharedSize", "SHARED SIZE"},
    {"UniqueSize", "UNIQUE SIZE"},
    {"ContainerID", "CONTAINER ID"},
    {"LocalVolumes", "LOCAL VOLUMES"},
    {"VolumeName", "VOLUME NAME"},
    {NULL, NULL},
};

static int df_summary(struct df *d, const char *format, struct burrow_err **err)
{
	size_t img_active = 0, ctr_active = 0, vol_active = 0;
	long long img_size = 0, img_rec = 0, ctr_size = 0, ctr_rec = 0, vol_size = 0, vol_rec = 0;
	for (size_t i = 0; i < d->nimg; i++) {
		long long sz = d->img[i].info->size;
		img_size += sz;
		if (d->img[i].containers)
			img_active++;
		else
			img_rec += sz;
	}
	for (size_t i = 0; i < d->nctr; i++) {
		ctr_size += d->ctr[i].size;
		if (running(d->ctrs[i].run.state))
			ctr_active++;
		else
			ctr_rec += d->ctr[i].size;
	}
	for (size_t i = 0; i < d->nvol; i++) {
		vol_size += d->vol[i].size;
		if (d->vol[i].links)
			vol_active++;
		else
			vol_rec += d->vol[i].size;
	}
	struct fmt_report rep = {.verb = "system df",
	                         .format = format,
	                         .default_format = df_format,
	                         .headers = df_headers,
	                         .json_indent = "    "};
	if (fmt_report_parse(&rep, err) < 0)
		return -1;
	yajl_val rows[3] = {
	    summary_row("Images", d->nimg, img_active, img_size, img_rec),
	    summary_row("Containers", d->nctr, ctr_active, ctr_size, ctr_rec),
	    summary_row("Local Volumes", d->nvol, vol_active, vol_size, vol_rec),
	};
	int r = print_items(&rep, rows, 3, err);
	fmt_report_clear(&rep);
	return r;
}

static int df_section(const char *title, const char *format, yajl_val *rows, size_t n, struct burrow_err **err)
{
	printf("%s space usage:\n\n", title);
	struct fmt_report rep = {.verb = "system df", .default_format = format, .headers = df_headers};
	if (fmt_report_parse(&rep, err) < 0) {
		for (size_t i = 0; i < n; i++)
			yajl_tree_free(rows[i]);
		return -1;
	}
	int r = print_items(&rep, rows, n, err);
	fmt_report_clear(&rep);
	return r;
}

/* args joined by spaces, as podman shows a command */
static char *joined(char *const *args)
{
	struct fmt_buf b = {0};
	for (size_t i = 0; args && args[i]; i++) {
		if (i)
			fmt_buf_add(&b, " ", 1);
		fmt_buf_add(&b, args[i], strlen(args[i]));
	}
	fmt_buf_add(&b, "", 0);
	return b.s ? b.s : xstrdup("");
}

static int df_verbose(struct df *d, struct burrow_err **err)
{
	long long now = (long long)time(NULL);
	char buf[64];
	yajl_val *rows = xcalloc(d->nimg + d->nctr + d->nvol + 1, sizeof(*rows));
	size_t n = 0;
	for (size_t i = 0; i < d->nimg; i++) {
		const struct img_info *m = d->img[i].info;
		const char *name = m->names && m->names[0] ? m->names[0] : NULL;
		const char *slash = name ? strrchr(name, '/') : NULL;
		const char *colon = name ? strrchr(name, ':') : NULL;
		if (colon && slash && colon < slash)
			colon = NULL;
		yajl_val o = json_new_object();
		json_obj_add(o, "Repository",
		             name ? json_new_strn(name, colon ? (size_t)(colon - name) : strlen(name))
		                  : json_new_str("<none>"));
		json_obj_add(o, "Tag", json_new_str(colon ? colon + 1 : "<none>"));
		json_obj_add(o, "ImageID", json_new_strn(m->id, 12));
		json_obj_add(o, "Created", json_new_str(fmt_time_ago(m->created, now, buf, sizeof(buf))));
		json_obj_add(o, "Size", size_json(m->size));
		json_obj_add(o, "SharedSize", size_json(d->img[i].shared));
		json_obj_add(o, "UniqueSize", size_json(d->img[i].unique));
		json_obj_add(o, "Containers", json_new_int((long long)d->img[i].containers));
		rows[n++] = o;
	}
	int r = df_section("Images", df_img_format, rows, n, err);
	n = 0;
	for (size_t i = 0; r == 0 && i < d->nctr; i++) {
		const struct ctr_config *c = &d->ctrs[i].cfg;
		cleanup_free char *cmdline = joined(c->args);
		size_t nvols = 0;
		for (size_t j = 0; j < d->nvol; j++)
			nvols += strv_contains(d->vols[j].users, c->id) ? 1 : 0;
		yajl_val o = json_new_object();
		json_obj_add(o, "ContainerID", json_new_strn(c->id, 12));
		json_obj_add(o, "Image", json_new_str(c->image_name ? c->image_name : ""));
		json_obj_add(o, "Command", json_new_str(cmdline));
		json_obj_add(o, "LocalVolumes", json_new_int((long long)nvols));
		json_obj_add(o, "Size", size_json(d->ctr[i].size));
		json_obj_add(o, "Created", json_new_str(fmt_time_ago(c->created, now, buf, sizeof(buf))));
		json_obj_add(o, "Status", json_new_str(ctr_state_word(d->ctrs[i].run.state)));
		json_obj_add(o, "Names", json_new_str(c->name));
		rows[n++] = o;
	}
	if (r == 0) {
		printf("\n");
		r = df_section("Containers", df_ctr_format, rows, n, err);
	}
	n = 0;
	for (size_t i = 0; r == 0 && i < d->nvol; i++) {
		yajl_val o = json_new_object();
		json_obj_add(o, "VolumeName", json_new_str(d->vols[i].name));
		json_obj_add(o, "Links", json_new_int((long long)d->vol[i].links));
		json_obj_add(o, "Size", size_json(d->vol[i].size));
		rows[n++] = o;
	}
	if (r == 0) {
		printf("\n");
		r = df_section("Local Volumes", df_vol_format, rows, n, err);
	}
	free(rows);
	return r;
}

static int system_df(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"verbose", no_argument, NULL, 'v'},
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	bool verbose = false;
	const char *format = NULL;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "v", longopts)) != -1) {
		if (c == 'v')
			verbose = ctx->flag_on;
		else if (c == 'f')
			format = optarg;
		else
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));
	if (verbose && format)
		return cmd_usage_error(ctx, "--format with -v is not supported yet");
	struct burrow_err *err = NULL;
	/* a bad --format says so before anything is read */
	struct fmt_report chk = {.verb = "system df", .format = format, .default_format = df_format};
	if (fmt_report_parse(&chk, &err) < 0)
		return cmd_fail(err);
	fmt_report_clear(&chk);
	struct df d = {0};
	int rc = 0;
	if (cmd_prepare(ctx, NEED_STATE, &err) < 0 || df_collect(ctx->state, &d, &err) < 0 ||
	    (verbose ? df_verbose(&d, &err) : df_summary(&d, format, &err)) < 0)
		rc = cmd_fail(err);
	df_clear(&d);
	return rc;
}

/* --- system prune -------------------------------------------------------------- */

struct vol_removed {
	char **names;
	bool failed;
};

static void vol_pruned(const char *name, const struct burrow_err *err, void *data)
{
	struct vol_removed *v = data;
	if (err) {
		burrow_err_print(err);
		v->failed = true;
		return;
	}
	strv_append(&v->names, name);
}

struct img_keep {
	struct state_store *s;
	const struct img_filters *f;
};

static bool img_keep_fn(const struct img_info *m, void *data)
{
	struct img_keep *k = data;
	cleanup_err struct burrow_err *e = NULL;
	bool pass = false;
	if (img_filters_match_image(k->s, k->f, m, NULL, &pass, &e) < 0)
		burrow_warn("system prune keeps image %.12s: %s", m->id, e->msg);
	return pass;
}

static void print_section(const char *title, char *const *v)
{
	if (!v || !v[0])
		return;
	printf("%s\n", title);
	for (size_t i = 0; v[i]; i++)
		printf("%s\n", v[i]);
}

static int system_prune(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_VOLUMES = 0x200, OPT_FILTER };
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"force", no_argument, NULL, 'f'},
	    {"volumes", no_argument, NULL, OPT_VOLUMES},
	    {"filter", required_argument, NULL, OPT_FILTER},
	    {0, 0, 0, 0},
	};
	bool all = false, force = false, volumes = false;
	cleanup_strv char **specs = xcalloc(1, sizeof(char *));
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "af", longopts)) != -1) {
		if (c == 'a')
			all = ctx->flag_on;
		else if (c == 'f')
			force = ctx->flag_on;
		else if (c == OPT_VOLUMES)
			volumes = ctx->flag_on;
		else if (c == OPT_FILTER)
			strv_append(&specs, optarg);
		else
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));
	/* every filter checked by each kind of thing it applies to, before
	 * anything is asked or removed */
	struct burrow_err *err = NULL;
	struct cmd_ctr_prune_filter *cf = NULL;
	struct ctr_vol_filters *vf = NULL;
	__attribute__((cleanup(img_filters_clear))) struct img_filters imf = {0};
	if (cmd_ctr_prune_filter_parse(specs, &cf, &err) < 0 ||
	    img_filters_parse(specs, (long long)time(NULL), &imf, &err) < 0 ||
	    (volumes && ctr_vol_filters_parse(NULL, specs, &vf, &err) < 0)) {
		cmd_ctr_prune_filter_free(cf);
		return cmd_fail(err);
	}
	ctr_vol_filters_free(steal_ptr(vf));
	int rc = 0;
	if (!force) {
		cleanup_free char *w =
		    xasprintf("WARNING! This command removes:\n"
		              "\t- all stopped containers\n"
		              "%s%s",
		              volumes ? "\t- all volumes not used by at least one container\n" : "",
		              all ? "\t- all images without at least one container associated with them\n"
		                  : "\t- all dangling images\n");
		if (!cmd_confirm(w)) {
			cmd_ctr_prune_filter_free(cf);
			return 0;
		}
	}
	cleanup_strv char **ctrs = NULL;
	cleanup_strv char **imgs = NULL;
	struct vol_removed vols = {0};
	bool failed = false;
	long long reclaimed = 0;
	struct df before = {0};
	if (cmd_prepare(ctx, NEED_STATE, &err) < 0 || df_collect(ctx->state, &before, &err) < 0 ||
	    cmd_ctr_prune(ctx->state, cf, &ctrs, &reclaimed, &failed, &err) < 0 ||
	    (volumes && (ctr_vol_filters_parse(ctx->state, specs, &vf, &err) < 0 ||
	                 ctr_vol_prune(ctx->state, vf, true, false, vol_pruned, &vols, &err) < 0)) ||
	    img_filters_resolve(&imf, ctx->state, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	struct img_keep keep = {ctx->state, &imf};
	if (img_prune(ctx->state, all, imf.n ? img_keep_fn : NULL, &keep, &cmd_image_users, &imgs, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	for (size_t i = 0; i < before.nvol; i++)
		if (strv_contains(vols.names, before.vols[i].name))
			reclaimed += before.vol[i].size;
	for (size_t i = 0; i < before.nimg; i++)
		if (strv_contains(imgs, before.imgs[i]->id))
			reclaimed += before.imgs[i]->size;
	print_section("Deleted Containers", ctrs);
	print_section("Deleted Volumes", vols.names);
	print_section("Deleted Images", imgs);
	char size[32];
	printf("Total reclaimed space: %s\n", fmt_size_tight(reclaimed, size, sizeof(size)));
	if (failed || vols.failed)
		rc = EXIT_BURROW;
out:
	df_clear(&before);
	strv_free(vols.names);
	ctr_vol_filters_free(vf);
	cmd_ctr_prune_filter_free(cf);
	return rc;
}

/* --- system reset -------------------------------------------------------------- */

static int system_reset(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	bool force = false;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f", longopts)) != -1) {
		if (c == 'f')
			force = ctx->flag_on;
		else
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));
	struct burrow_err *err = NULL;
	if (cmd_prepare(ctx, 0, &err) < 0)
		return cmd_fail(err);
	if (!force) {
		cleanup_free char *w = xasprintf("WARNING! This will remove:\n"
		                                 "\t- all containers\n"
		                                 "\t- all images\n"
		                                 "\t- all volumes\n"
		                                 "\t- the storage root: \"%s\"\n"
		                                 "\t- the runtime dir: \"%s\"",
		                                 ctx->root, ctx->runroot);
		if (!cmd_confirm(w))
			return 0;
	}
	if (cmd_prepare(ctx, NEED_STATE, &err) < 0)
		return cmd_fail(err);
	struct df d = {0};
	if (df_collect(ctx->state, &d, &err) < 0) {
		df_clear(&d);
		return cmd_fail(err);
	}
	int rc = 0;
	size_t nctr = 0, nvol = 0;
	/* every container killed and removed: its monitor, fuse-overlayfs
	 * and mounts go with it */
	for (size_t i = 0; i < d.nctr; i++) {
		if (ctr_remove(ctx->state, d.ctrs[i].cfg.id, true, -1, &err) < 0 && err->status != ENOENT) {
			burrow_err_print(err);
			rc = EXIT_BURROW;
		} else {
			nctr++;
		}
		burrow_err_free(steal_ptr(err));
	}
	for (size_t i = 0; i < d.nvol; i++) {
		cleanup_free char *name = NULL;
		if (ctr_vol_remove(ctx->state, d.vols[i].name, true, -1, &name, &err) < 0 && err->status != ENOENT) {
			burrow_err_print(err);
			rc = EXIT_BURROW;
		} else {
			nvol++;
		}
		burrow_err_free(steal_ptr(err));
	}
	printf("Removed %zu container%s, %zu image%s, %zu volume%s\n", nctr, nctr == 1 ? "" : "s", d.nimg,
	       d.nimg == 1 ? "" : "s", nvol, nvol == 1 ? "" : "s");
	df_clear(&d);
	/* the monitors and fuse-overlayfs daemons of the removed containers
	 * end on their own, a moment later: wait for them (and kill what is
	 * left), so that nothing of burrow's runs on */
	int killed = userns_drain(ctx->runroot, 10000, &err);
	if (killed < 0) {
		burrow_err_print(err);
		burrow_err_free(steal_ptr(err));
		rc = EXIT_BURROW;
	} else if (killed > 0) {
		printf("Killed %d process%s left in burrow's namespace\n", killed, killed == 1 ? "" : "es");
	}
	state_close(ctx->state);
	ctx->state = NULL;
	/* the files, then the keeper (it holds the namespaces: their mounts
	 * go with it), then the runtime dir it kept its files in */
	if (ctr_remove_tree(ctx->root, &err) < 0)
		return cmd_fail(err);
	printf("Removed the storage root %s\n", ctx->root);
	if (userns_migrate(ctx->runroot, &err) < 0)
		return cmd_fail(err);
	printf("Stopped the namespace keeper\n");
	if (ctr_remove_tree(ctx->runroot, &err) < 0)
		return cmd_fail(err);
	printf("Removed the runtime dir %s\n", ctx->runroot);
	return rc;
}

int cmd_system_sub(struct cmd_ctx *ctx, const char *sub, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cmd_ctx *, int, char **);
	} subs[] = {{"df", system_df}, {"prune", system_prune}, {"reset", system_reset}};
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(sub, subs[i].name) == 0)
			return subs[i].fn(ctx, argc, argv);
	return -1;
}
