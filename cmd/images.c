/* burrow images [-q] [--no-trunc] [--noheading] [--format FORMAT]
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

/* The image as images --format json shows it: podman's names where burrow
 * has the data (Id, Names, Digest and RepoDigests of pulled images,
 * Created, CreatedAt, Size), and what the image runs and its layer
 * directories. */
static yajl_val image_json(const struct img_info *m)
{
	char when[64];
	yajl_val o = json_new_object();
	json_obj_add(o, "Id", json_new_str(m->id));
	json_obj_add(o, "Names", json_new_strv(m->names));
	if (m->digest)
		json_obj_add(o, "Digest", json_new_str(m->digest));
	json_obj_add(o, "RepoDigests", json_new_strv(m->digests));
	json_obj_add(o, "Created", json_new_int(m->created));
	json_obj_add(o, "CreatedAt", json_new_str(fmt_rfc3339(m->created, when, sizeof(when))));
	json_obj_add(o, "Size", json_new_int(m->size));
	json_obj_add(o, "Layers", json_new_strv(m->layers));
	/* not in podman's listing (it has 'image inspect'): what the image runs */
	yajl_gen g = json_gen_new();
	img_config_gen(g, &m->config);
	char *cfg = json_gen_finish(g);
	json_obj_add(o, "Config", json_parse(cfg, NULL));
	free(cfg);
	return o;
}

/* One row of the table (a name of the image, or <none> <none>): what
 * podman's images templates show for it. */
static yajl_val row_overlay(const struct img_info *m, const char *name, long long now, bool notrunc)
{
	char ago[64], when[80], size[32];
	char *repo = NULL, *tag = NULL;
	if (name) {
		split_name(name, &repo, &tag);
	} else {
		repo = xstrdup("<none>");
		tag = xstrdup("<none>");
	}
	fmt_time_ago(m->created, now, ago, sizeof(ago));
	fmt_go_time(m->created, true, when, sizeof(when));
	yajl_val o = json_new_object();
	json_obj_add(o, "Repository", json_new_str(repo));
	json_obj_add(o, "Tag", json_new_str(tag));
	json_obj_add(o, "ID", json_new_strn(m->id, notrunc ? SIZE_MAX : 12));
	json_obj_add(o, "Created", json_new_str(ago));
	json_obj_add(o, "CreatedSince", json_new_str(ago));
	json_obj_add(o, "CreatedAt", json_new_str(when));
	json_obj_add(o, "CreatedTime", json_new_str(when));
	json_obj_add(o, "Size", json_new_str(fmt_size(m->size, size, sizeof(size))));
	json_obj_add(o, "RepoTags", json_new_strv(m->names));
	free(repo);
	free(tag);
	return o;
}

/* What 'burrow images --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_images_usage[] =
    "images [-q] [--no-trunc] [-n] [--format FORMAT]\n\n"
    "  -q, --quiet           print image IDs only\n"
    "      --no-trunc        print full image IDs\n"
    "  -n, --noheading       no header row\n"
    "  -f, --format FORMAT   json, 'table TEMPLATE' or a Go template ('{{.Repository}}:{{.Tag}}')\n";

int cmd_images(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'},
	    {"noheading", no_argument, NULL, 'n'},
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	bool quiet = false, notrunc = false;
	struct fmt_report rep = {.verb = "images",
	                         .default_format = images_default_format,
	                         .headers = images_headers,
	                         .json_indent = "    "};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "qnf:", longopts)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'T':
			notrunc = true;
			break;
		case 'n':
			rep.noheading = true;
			break;
		case 'f':
			rep.format = optarg;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));

	struct burrow_err *err = NULL;
	/* as podman: JSON wins over -q, -q over a template */
	if (quiet && rep.format && fmt_report_is_json(rep.format))
		quiet = false;
	if (!quiet && fmt_report_parse(&rep, &err) < 0)
		return cmd_fail(err);
	struct img_info **list = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0 || img_list(ctx->state, &list, &n, &err) < 0) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	int rc = 0;
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%.*s\n", notrunc ? 64 : 12, list[i]->id);
		img_info_list_free(list, n);
		return 0;
	}
	/* one object per image for JSON; for tables and templates one row per
	 * name (an untagged image is one <none> <none> row), each seeing its
	 * image's object under the row's own fields */
	long long now = (long long)time(NULL);
	yajl_val *bases = xcalloc(n ? n : 1, sizeof(*bases));
	size_t nitems = 0, cap = n ? n : 1;
	struct fmt_item *items = xcalloc(cap, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		bases[i] = image_json(list[i]);
		size_t names = strv_len(list[i]->names);
		for (size_t k = 0; k < (rep.out == FMT_OUT_JSON ? 1 : names ? names : 1); k++) {
			if (nitems == cap) {
				cap *= 2;
				items = xrealloc(items, cap * sizeof(*items));
			}
			items[nitems].base = bases[i];
			items[nitems].overlay =
			    rep.out == FMT_OUT_JSON
			        ? NULL
			        : row_overlay(list[i], names ? list[i]->names[k] : NULL, now, notrunc);
			nitems++;
		}
	}
	if (fmt_report_print(&rep, items, nitems, &err) < 0)
		rc = cmd_fail(err);
	for (size_t i = 0; i < nitems; i++)
		if (items[i].overlay)
			yajl_tree_free(items[i].overlay);
	for (size_t i = 0; i < n; i++)
		yajl_tree_free(bases[i]);
	free(items);
	free(bases);
	fmt_report_clear(&rep);
	img_info_list_free(list, n);
	return rc;
}
