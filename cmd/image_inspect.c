/* burrow image inspect [-f FORMAT] IMAGE... (burrow inspect, in
 * cmd/inspect.c, comes here for images); burrow image exists IMAGE; burrow history [-q]
 * [--no-trunc] [--human] [-f FORMAT] IMAGE */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "cmd/report.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

/* The Go types behind podman's JSON, which the text lost: the maps of
 * ImageData and its v1.ImageConfig are maps (json_is_map); Labels null is
 * a nil map ("map[]" in templates, a missing key <no value>), and so are
 * Config's maps, which podman's JSON leaves out when empty (omitempty). */
static void typed_maps(yajl_val img)
{
	static const char *const maps[] = {"Labels", "Annotations", "GraphDriver.Data", NULL};
	json_mark_maps(img, maps);
	for (size_t i = 0; i < img->u.object.len; i++)
		if (strcmp(img->u.object.keys[i], "Labels") == 0 && YAJL_IS_NULL(img->u.object.values[i])) {
			yajl_tree_free(img->u.object.values[i]);
			img->u.object.values[i] = json_new_nil_map();
		}
	yajl_val cfg = json_get(img, "Config");
	if (!cfg || !YAJL_IS_OBJECT(cfg))
		return;
	cmd_img_config_maps(cfg);
	static const char *const omitted[] = {"ExposedPorts", "Volumes", "Labels", NULL};
	for (size_t i = 0; omitted[i]; i++)
		if (!json_get(cfg, omitted[i]))
			json_obj_add(cfg, omitted[i], json_new_omitted_map());
}

void cmd_img_config_maps(yajl_val cfg)
{
	static const char *const maps[] = {"Labels", "Volumes", "ExposedPorts", NULL};
	if (cfg && YAJL_IS_OBJECT(cfg))
		json_mark_maps(cfg, maps);
}

int cmd_inspect_image(struct cmd_ctx *ctx, const char *ref, yajl_val *out, struct burrow_err **err)
{
	struct img_info *img = NULL;
	if (img_lookup(ctx->state, ref, &img, err) < 0)
		return -1;
	cleanup_free char *json = NULL;
	int r = img_inspect(ctx->state, img, &json, err);
	img_info_free(img);
	if (r < 0)
		return -1;
	*out = json_parse(json, err);
	if (*out && YAJL_IS_OBJECT(*out))
		typed_maps(*out);
	return *out ? 0 : -1;
}

/* What 'burrow image inspect --help' prints after "Usage: burrow ". */
const char cmd_image_inspect_usage[] = "image inspect [-f FORMAT] IMAGE...\n\n"
                                       "  -f, --format FORMAT   json (default) or a Go template ('{{.Id}}')\n";

/* Inspects each image with podman's JSON array (or a template per image);
 * the top-level 'inspect' (cmd/inspect.c) also takes containers. */
static int image_tree(void *ctx, const char *ref, yajl_val *out, struct burrow_err **err)
{
	return cmd_inspect_image(ctx, ref, out, err);
}

int cmd_image_inspect(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	struct fmt_report rep = {
	    .verb = ctx->verb, .format = "json", .json_indent = "    ", .empty_json = true, .no_html_escape = true};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f:", longopts)) != -1) {
		if (c != 'f')
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
		rep.format = optarg;
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, "missing name or ID");
	struct burrow_err *err = NULL;
	if (fmt_report_parse(&rep, &err) < 0)
		return cmd_fail(err);
	if (cmd_ready(ctx, &err) < 0) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	int rc = fmt_report_named(&rep, argv + optind, (size_t)(argc - optind), "image", image_tree, ctx);
	fmt_report_clear(&rep);
	return rc < 0 ? EXIT_BURROW : 0;
}

/* What 'burrow image exists --help' prints after "Usage: burrow ". */
const char cmd_image_exists_usage[] = "image exists IMAGE\n\n"
                                      "  Exits 0 when the image is here, 1 when it is not.\n";

int cmd_image_exists(struct cmd_ctx *ctx, int argc, char **argv)
{
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	if (argc - optind != 1)
		return cmd_usage_error(ctx, "needs exactly one image");
	struct burrow_err *err = NULL;
	struct img_info *img = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	if (img_lookup(ctx->state, argv[optind], &img, &err) < 0) {
		if (err->status != ENOENT)
			return cmd_fail(err);
		burrow_err_free(err);
		return 1;
	}
	img_info_free(img);
	return 0;
}

/* podman's default history table, headed ID as podman-history(1) shows it */
static const char history_default_format[] = "{{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}\n";
static const struct fmt_header history_headers[] = {
    {"CreatedBy", "CREATED BY"},
    {NULL, NULL},
};

/* Seconds since the epoch of an RFC 3339 time (0 when it is not one). */
static long long parse_rfc3339(const char *s)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	return end ? (long long)timegm(&tm) : 0;
}

static yajl_val history_item(const struct img_history_entry *e, bool human, bool notrunc, long long now)
{
	char when[80], size[32];
	long long t = parse_rfc3339(e->created);
	yajl_val o = json_new_object();
	json_obj_add(o, "ID", e->id ? json_new_strn(e->id, notrunc ? SIZE_MAX : 12) : json_new_str("<missing>"));
	if (human)
		json_obj_add(o, "Created", json_new_str(fmt_time_ago(t, now, when, sizeof(when))));
	else
		json_obj_add(o, "Created", json_new_str(fmt_rfc3339(t, when, sizeof(when))));
	/* a Go time.Time in the configuration's zone (UTC), as podman's */
	json_obj_add(o, "CreatedAt", json_new_str(fmt_go_time(t, true, when, sizeof(when))));
	json_obj_add(o, "CreatedSince", json_new_str(fmt_time_ago(t, now, when, sizeof(when))));
	/* podman cuts CREATED BY at 45 characters unless --no-trunc */
	if (!notrunc && strlen(e->created_by) > 45) {
		cleanup_free char *cut = xasprintf("%.42s...", e->created_by);
		json_obj_add(o, "CreatedBy", json_new_str(cut));
	} else {
		json_obj_add(o, "CreatedBy", json_new_str(e->created_by));
	}
	if (human)
		json_obj_add(o, "Size", json_new_str(fmt_size(e->size, size, sizeof(size))));
	else
		json_obj_add(o, "Size", json_new_int(e->size));
	json_obj_add(o, "Comment", json_new_str(e->comment));
	/* podman's are the layer's own names in its store: burrow's layers
	 * have none, so a nil list ("[]") as podman shows for pulled images */
	json_obj_add(o, "Tags", json_new_nil_list());
	return o;
}

/* What 'burrow history --help' prints after "Usage: burrow ". */
const char cmd_history_usage[] = "history [-q] [--no-trunc] [-H=false] [-f FORMAT] IMAGE\n\n"
                                 "  -q, --quiet           print the IDs only\n"
                                 "      --no-trunc        full IDs and commands\n"
                                 "  -H, --human           sizes and times for people (default true)\n"
                                 "  -f, --format FORMAT   json, 'table TEMPLATE' or a Go template ('{{.ID}}')\n";

int cmd_history(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'},
	    {"human", no_argument, NULL, 'H'},
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	bool quiet = false, notrunc = false, human = true;
	struct fmt_report rep = {.verb = ctx->verb,
	                         .default_format = history_default_format,
	                         .headers = history_headers,
	                         .json_indent = "    "};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "qf:H", longopts)) != -1) {
		if (c == 'q') {
			quiet = ctx->flag_on;
		} else if (c == 'T') {
			notrunc = ctx->flag_on;
		} else if (c == 'f') {
			rep.format = optarg;
		} else if (c == 'H') {
			human = ctx->flag_on;
		} else {
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(ctx, "needs exactly one image");
	struct burrow_err *err = NULL;
	if (!quiet && fmt_report_parse(&rep, &err) < 0)
		return cmd_fail(err);
	struct img_info *img = NULL;
	struct img_history_entry *h = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0 || img_lookup(ctx->state, argv[optind], &img, &err) < 0 ||
	    img_history(ctx->state, img, &h, &n, &err) < 0) {
		img_info_free(img);
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	img_info_free(img);
	int rc = 0;
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%.*s\n", h[i].id ? (notrunc ? 64 : 12) : 9, h[i].id ? h[i].id : "<missing>");
	} else {
		long long now = (long long)time(NULL);
		struct fmt_item *items = xcalloc(n ? n : 1, sizeof(*items));
		for (size_t i = 0; i < n; i++)
			items[i].base = history_item(&h[i], human, notrunc, now);
		if (fmt_report_print(&rep, items, n, &err) < 0)
			rc = cmd_fail(err);
		for (size_t i = 0; i < n; i++)
			yajl_tree_free(items[i].base);
		free(items);
	}
	img_history_free(h, n);
	fmt_report_clear(&rep);
	return rc;
}
