/* burrow images [-a] [-q] [--digests] [--history] [--no-trunc] [--noheading] [--filter F]...
 *               [--sort KEY] [--format FORMAT] [IMAGE]
 *
 * Each image is one JSON object (images --format json); the table and
 * templates have a row per name, with podman's template fields for it:
 * .Repository, .Tag, .ID (short), .Created (how long ago), .Size (human)
 * ... over the image's object. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "cmd/report.h"
#include "container/container.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* podman's default images table (its lsFormatFromFlags) and its headers
 * for fields whose name does not say it */
static const char images_default_format[] =
    "{{if .Repository}}{{.Repository}}{{else}}<none>{{end}}\t"
    "{{if .Tag}}{{.Tag}}{{else}}<none>{{end}}\t{{.ID}}\t{{.Created}}\t{{.Size}}\n";
static const struct fmt_header images_headers[] = {
    {"ID", "IMAGE ID"},
    {"Digest", "DIGEST"},
    {"ReadOnly", "R/O"},
    {NULL, NULL},
};

/* "localhost/busybox:latest" -> "localhost/busybox" + "latest". */
static void split_name(const char *name, char **repo, char **tag)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(name, ':');
	if (colon && (!slash || colon > slash)) {
		*repo = xstrndup(name, (size_t)(colon - name));
		*tag = xstrdup(colon + 1);
	} else {
		*repo = xstrdup(name);
		*tag = xstrdup("<none>");
	}
}

/* What an image's JSON has beside its record: its labels ("KEY=VALUE",
 * from its configuration) and how many containers are made from it. */
struct image_extra {
	char *const *labels;
	long long containers;
	const char *parent; /* "" when none */
};

/* A map of "KEY=VALUE" strings; Go's nil map (null, "map[]") when none,
 * as podman's Labels. */
static yajl_val labels_json(char *const *labels)
{
	if (!labels || !labels[0])
		return json_new_nil_map();
	yajl_val m = json_new_map();
	for (size_t i = 0; labels[i]; i++) {
		const char *eq = strchr(labels[i], '=');
		cleanup_free char *key = eq ? xstrndup(labels[i], (size_t)(eq - labels[i])) : xstrdup(labels[i]);
		json_obj_add(m, key, json_new_str(eq ? eq + 1 : ""));
	}
	return m;
}

/* The image as images --format json shows it: podman's fields in its
 * order (SharedSize is 0 and VirtualSize the size, as podman 4.3 has
 * them), then what the image runs and its layer directories. */
static yajl_val image_json(const struct img_info *m, const struct image_extra *x)
{
	char when[64];
	yajl_val o = json_new_object();
	json_obj_add(o, "Id", json_new_str(m->id));
	json_obj_add(o, "ParentId", json_new_str(x->parent));
	json_obj_add(o, "RepoTags", json_new_strv(m->names));
	json_obj_add(o, "RepoDigests", json_new_strv(m->digests));
	json_obj_add(o, "Size", json_new_int(m->size));
	json_obj_add(o, "SharedSize", json_new_int(0));
	json_obj_add(o, "VirtualSize", json_new_int(m->size));
	json_obj_add(o, "Labels", labels_json(x->labels));
	json_obj_add(o, "Containers", json_new_int(x->containers));
	json_obj_add(o, "Names", json_new_strv(m->names));
	if (m->digest)
		json_obj_add(o, "Digest", json_new_str(m->digest));
	json_obj_add(o, "History", json_new_strv(m->names_history));
	json_obj_add(o, "Created", json_new_int(m->created));
	json_obj_add(o, "CreatedAt", json_new_str(fmt_rfc3339(m->created, when, sizeof(when))));
	json_obj_add(o, "Layers", json_new_strv(m->layers));
	/* not in podman's listing (it has 'image inspect'): what the image runs */
	yajl_gen g = json_gen_new();
	img_config_gen(g, &m->config);
	char *cfg = json_gen_finish(g);
	cmd_img_config_maps(json_obj_add(o, "Config", json_parse(cfg, NULL)));
	free(cfg);
	return o;
}

/* The image ID as podman's listing prints it. */
static char *id_text(const char *id, bool notrunc)
{
	return notrunc ? xasprintf("sha256:%s", id) : xstrndup(id, 12);
}

/* One row of the table (a name of the image, or <none> <none>): what
 * podman's images templates show for it. */
static yajl_val row_overlay(const struct img_info *m, const char *repo, const char *tag, long long now, bool notrunc,
                            bool parent)
{
	char ago[64], when[80], size[32];
	fmt_time_ago(m->created, now, ago, sizeof(ago));
	fmt_go_time(m->created, true, when, sizeof(when));
	yajl_val o = json_new_object();
	cleanup_free char *id = id_text(m->id, notrunc);
	json_obj_add(o, "Repository", json_new_str(repo ? repo : "<none>"));
	json_obj_add(o, "Tag", json_new_str(repo ? tag : "<none>"));
	json_obj_add(o, "ID", json_new_str(id));
	json_obj_add(o, "Digest", json_new_str(m->digest ? m->digest : "<none>"));
	json_obj_add(o, "Created", json_new_str(ago));
	json_obj_add(o, "CreatedSince", json_new_str(ago));
	json_obj_add(o, "CreatedAt", json_new_str(when));
	json_obj_add(o, "CreatedTime", json_new_str(when));
	json_obj_add(o, "Size", json_new_str(fmt_size(m->size, size, sizeof(size))));
	json_obj_add(o, "RepoTags", json_new_strv(m->names));
	json_obj_add(o, "Dangling", json_new_bool(!m->names[0] && !parent)); /* as the dangling= filter */
	/* podman's table: the names it had as one string, never read-only
	 * (burrow has no additional read-only image stores) */
	struct fmt_buf hist = {0};
	for (size_t i = 0; m->names_history[i]; i++)
		fmt_buf_printf(&hist, "%s%s", i ? ", " : "", m->names_history[i]);
	json_obj_add(o, "History", json_new_str(hist.s ? hist.s : ""));
	fmt_buf_free(&hist);
	json_obj_add(o, "ReadOnly", json_new_bool(false));
	return o;
}

/* What 'burrow images --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_images_usage[] =
    "images [-a] [-q] [--digests] [--history] [--no-trunc] [-n] [--filter F]... [--sort KEY] [--format FORMAT] "
    "[IMAGE]\n\n"
    "  -a, --all             intermediate images too (untagged ones another image is made from)\n"
    "  -q, --quiet           print image IDs only\n"
    "      --digests         show the manifest digests\n"
    "      --history         add the names each image has had (latest first)\n"
    "      --no-trunc        print full image IDs (sha256:...)\n"
    "  -n, --noheading       no header row\n"
    "  -f, --filter F        reference=, dangling=, label=, before=, since=, until=, id=, containers=,\n"
    "                        intermediate=, readonly=, manifest= (KEY!=VALUE negates)\n"
    "      --sort KEY        created (default), id, repository, size or tag\n"
    "      --format FORMAT   json, 'table TEMPLATE' or a Go template ('{{.Repository}}:{{.Tag}}')\n";

/* podman's table with --digests */
static const char images_digests_format[] =
    "{{if .Repository}}{{.Repository}}{{else}}<none>{{end}}\t"
    "{{if .Tag}}{{.Tag}}{{else}}<none>{{end}}\t{{.Digest}}\t{{.ID}}\t{{.Created}}\t{{.Size}}\n";

struct images_opts {
	bool all, quiet, notrunc, digests;
	enum img_sort sort;
	char **filter_specs;
	struct img_filters filters;
	struct fmt_report rep;
};

static void images_opts_clear(struct images_opts *o)
{
	strv_free(o->filter_specs);
	img_filters_clear(&o->filters);
	fmt_report_clear(&o->rep);
}

static int list_images(struct cmd_ctx *ctx, struct images_opts *o, struct img_info **list, size_t n,
                       struct burrow_err **err)
{
	/* rows: one per name (an untagged image is one <none> <none> row);
	 * for JSON and -q one per image */
	bool per_image = o->quiet || o->rep.out == FMT_OUT_JSON;
	/* list[k]'s parent (ParentId, intermediate=) and labels, in one read */
	__attribute__((cleanup(img_extras_clear))) struct img_extras ex = {0};
	if (img_extras_load(ctx->state, list, n, &ex, err) < 0)
		return -1;
	char **parents = ex.parents;
	o->filters.parents = parents;
	size_t nrows = 0, cap = 16;
	struct img_row *rows = xcalloc(cap, sizeof(*rows));
	cleanup_strv char **owned = xcalloc(1, sizeof(char *)); /* the rows' strings */
	for (size_t i = 0; i < n; i++) {
		bool keep = true;
		if (img_filters_match_image(ctx->state, &o->filters, list[i], ex.labels[i], &keep, err) < 0) {
			free(rows);
			return -1;
		}
		if (!keep)
			continue;
		size_t names = strv_len(list[i]->names);
		for (size_t k = 0; k < (per_image || !names ? 1 : names); k++) {
			if (nrows == cap)
				rows = xrealloc(rows, (cap *= 2) * sizeof(*rows));
			char *repo = NULL, *tag = NULL;
			if (names) {
				split_name(list[i]->names[k], &repo, &tag);
			} else {
				repo = xstrdup("<none>");
				tag = xstrdup("<none>");
			}
			strv_append_take(&owned, repo);
			strv_append_take(&owned, tag);
			rows[nrows++] = (struct img_row){.id = list[i]->id,
			                                 .repository = repo,
			                                 .tag = tag,
			                                 .created = list[i]->created,
			                                 .size = list[i]->size,
			                                 .data = list[i]};
		}
	}
	img_rows_sort(rows, nrows, o->sort);
	int rc = 0;
	if (o->quiet) {
		for (size_t i = 0; i < nrows; i++) {
			cleanup_free char *id = id_text(rows[i].id, o->notrunc);
			printf("%s\n", id);
		}
		free(rows);
		return 0;
	}
	long long now = (long long)time(NULL);
	struct fmt_item *items = xcalloc(nrows ? nrows : 1, sizeof(*items));
	struct ctr_image_user *users = NULL;
	size_t nusers = 0;
	if (ctr_image_users(ctx->state, NULL, &users, &nusers, err) < 0) {
		ctr_image_users_free(users, nusers);
		free(items);
		free(rows);
		return -1;
	}
	for (size_t i = 0; i < nrows && rc == 0; i++) {
		const struct img_info *m = rows[i].data;
		struct image_extra x = {.parent = ""};
		for (size_t k = 0; k < n; k++)
			if (list[k] == m) {
				x.parent = parents[k];
				x.labels = ex.labels[k];
			}
		for (size_t k = 0; k < nusers; k++)
			x.containers += users[k].image_id && strcmp(users[k].image_id, m->id) == 0;
		items[i].base = image_json(m, &x);
		if (!per_image)
			items[i].overlay = row_overlay(m, strv_len(m->names) ? rows[i].repository : NULL, rows[i].tag,
			                               now, o->notrunc, strv_contains(parents, m->id));
	}
	ctr_image_users_free(users, nusers);
	if (rc == 0 && fmt_report_print(&o->rep, items, nrows, err) < 0)
		rc = -1;
	for (size_t i = 0; i < nrows; i++) {
		if (items[i].base)
			yajl_tree_free(items[i].base);
		if (items[i].overlay)
			yajl_tree_free(items[i].overlay);
	}
	free(items);
	free(rows);
	return rc;
}

int cmd_images(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_DIGESTS = 0x200, OPT_SORT, OPT_HISTORY };
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"digests", no_argument, NULL, OPT_DIGESTS},
	    {"history", no_argument, NULL, OPT_HISTORY},
	    {"no-trunc", no_argument, NULL, 'T'},
	    {"noheading", no_argument, NULL, 'n'},
	    {"filter", required_argument, NULL, 'f'},
	    {"sort", required_argument, NULL, OPT_SORT},
	    {"format", required_argument, NULL, 'F'},
	    {0, 0, 0, 0},
	};
	__attribute__((cleanup(images_opts_clear))) struct images_opts o = {
	    .filter_specs = xcalloc(1, sizeof(char *)),
	    .rep = {.verb = "images",
	            .default_format = images_default_format,
	            .headers = images_headers,
	            .json_indent = "    ",
	            .go_type = "images.imageReporter"},
	};
	const char *sort = "created";
	bool history = false;
	struct burrow_err *err = NULL;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "aqnf:", longopts)) != -1) {
		switch (c) {
		case 'a':
			o.all = ctx->flag_on;
			break;
		case 'q':
			o.quiet = ctx->flag_on;
			break;
		case OPT_DIGESTS:
			o.digests = ctx->flag_on;
			o.rep.default_format = o.digests ? images_digests_format : images_default_format;
			break;
		case OPT_HISTORY:
			history = ctx->flag_on;
			break;
		case 'T':
			o.notrunc = ctx->flag_on;
			break;
		case 'n':
			o.rep.noheading = ctx->flag_on;
			break;
		case 'f':
			strv_append(&o.filter_specs, optarg);
			break;
		case OPT_SORT:
			sort = optarg;
			break;
		case 'F':
			o.rep.format = optarg;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind + 1]));
	/* --history: podman's HISTORY column last, the image's names, latest first */
	cleanup_free char *with_history = NULL;
	if (history) {
		size_t len = strlen(o.rep.default_format) - 1; /* its newline */
		with_history = xasprintf("%.*s\t{{.History}}\n", (int)len, o.rep.default_format);
		o.rep.default_format = with_history;
	}
	if (optind < argc) { /* podman's images IMAGE: a reference filter */
		cleanup_free char *spec = xasprintf("reference=%s", argv[optind]);
		strv_append(&o.filter_specs, spec);
	}
	/* as podman: without -a, intermediate images are hidden; a filter of
	 * the user's that asks for them needs -a (podman 4.3 refuses it) */
	bool hide = !o.all;
	for (size_t i = 0; o.filter_specs[i]; i++)
		hide = hide && !str_has_prefix(o.filter_specs[i], "intermediate=") &&
		       !str_has_prefix(o.filter_specs[i], "intermediate!=");
	if (hide)
		strv_append(&o.filter_specs, "intermediate=false");
	if (img_sort_parse(sort, &o.sort, &err) < 0 ||
	    img_filters_parse(o.filter_specs, (long long)time(NULL), &o.filters, &err) < 0)
		return cmd_fail(err);
	for (size_t i = 0; i < o.filters.n && !o.all; i++)
		if (o.filters.f[i].key == IMG_FILTER_INTERMEDIATE && o.filters.f[i].flag != o.filters.f[i].negate)
			return cmd_usage_error(ctx, "the intermediate filter asks for images that only -a lists");
	o.filters.users = &cmd_image_users;
	/* as podman: JSON wins over -q, -q over a template */
	if (o.quiet && o.rep.format && fmt_report_is_json(o.rep.format))
		o.quiet = false;
	if (!o.quiet && fmt_report_parse(&o.rep, &err) < 0)
		return cmd_fail(err);
	struct img_info **list = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0 || img_filters_resolve(&o.filters, ctx->state, &err) < 0 ||
	    img_list(ctx->state, &list, &n, &err) < 0)
		return cmd_fail(err);
	int rc = list_images(ctx, &o, list, n, &err) < 0 ? cmd_fail(err) : 0;
	img_info_list_free(list, n);
	return rc;
}
