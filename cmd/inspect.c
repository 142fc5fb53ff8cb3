/* burrow inspect [--format F] [--type container|image] CTR...
 * burrow container inspect [--format F] CTR...
 *
 * Each container as podman's inspect JSON: podman's field names and
 * types, only what burrow knows (no labels, ports, mounts of its own yet).
 * Without --format, the array of them; --format renders a template for
 * each. A name that is not found is said after the others are printed,
 * and the exit code is then 125. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctrjson.h"
#include "cmd/format.h"
#include "cmd/report.h"
#include "container/inspect.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

struct inspect_items {
	struct ctr_inspect *c;
};

static void inspect_make(void *ctx, size_t i, bool overlay, struct fmt_item *out)
{
	(void)overlay;
	const struct ctr_inspect *c = &((struct inspect_items *)ctx)->c[i];
	out->base = cmd_ctr_inspect_json(&c->cfg, &c->run, c->log_path);
	if (c->sized) {
		json_obj_add(out->base, "SizeRw", json_new_int(c->size_rw));
		json_obj_add(out->base, "SizeRootFs", json_new_int(c->size_rootfs));
	}
	out->overlay = NULL;
}

static void inspect_drop(void *ctx, size_t i, struct fmt_item *item)
{
	(void)ctx;
	(void)i;
	yajl_tree_free(item->base);
}

/* What 'burrow inspect --help' prints after "Usage: burrow ": keep it in
 * step with the options below. */
const char cmd_inspect_usage[] = "inspect [--format FORMAT] [--type container|image] [-s] CONTAINER...\n\n"
                                 "  -f, --format FORMAT   json (the default) or a Go template ('{{.State.Status}}')\n"
                                 "  -s, --size            add SizeRw and SizeRootFs (bytes)\n"
                                 "  -t, --type TYPE       container (what burrow inspects), image (not yet)\n";

/* ref is not a container: is it an image? (burrow has no image inspect yet) */
static void say_missing(struct cmd_ctx *ctx, const char *ref, bool any_type)
{
	struct burrow_err *err = NULL;
	struct img_info *img = NULL;
	if (any_type && img_lookup(ctx->state, ref, &img, &err) == 0) {
		img_info_free(img);
		fprintf(stderr, "burrow: '%s' is an image; burrow cannot inspect images yet (see 'burrow images')\n",
		        str_quote(ref));
		return;
	}
	burrow_err_free(err);
	if (any_type)
		fprintf(stderr, "burrow: no such object: \"%s\"\n", str_quote(ref));
	else
		fprintf(stderr, "burrow: no such container '%s'\n", str_quote(ref));
}

int cmd_inspect(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"type", required_argument, NULL, 't'},
	    {"size", no_argument, NULL, 's'},
	    {0, 0, 0, 0},
	};
	/* 'container inspect' is for containers only, as in podman */
	bool any_type = !ctx->family, size = false;
	struct fmt_report rep = {.verb = ctx->verb, .json_indent = "    "};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f:t:s", longopts)) != -1) {
		switch (c) {
		case 'f':
			rep.format = optarg;
			break;
		case 't':
			if (strcmp(optarg, "image") == 0)
				return cmd_usage_error(ctx, "--type image: burrow cannot inspect images yet");
			if (strcmp(optarg, "container") != 0 && strcmp(optarg, "all") != 0)
				return cmd_usage_error(ctx, "--type '%s': not container, image or all",
				                       str_quote(optarg));
			break;
		case 's':
			size = true;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, "no container named (see 'burrow %s --help')", ctx->verb);
	struct burrow_err *err = NULL;
	if (fmt_report_parse(&rep, &err) < 0)
		return cmd_fail(err);
	if (cmd_ready(ctx, &err) < 0) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	size_t want = (size_t)(argc - optind), n = 0;
	struct ctr_inspect *found = xcalloc(want, sizeof(*found));
	char **missing = xcalloc(want, sizeof(*missing));
	size_t nmissing = 0;
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		if (ctr_inspect_load(ctx->state, argv[i], &found[n], &err) == 0) {
			if (size && ctr_inspect_sizes(ctx->state, &found[n], &err) < 0)
				rc = cmd_fail(steal_ptr(err));
			n++;
		} else if (err->status == ENOENT) {
			burrow_err_free(err);
			missing[nmissing++] = argv[i];
		} else {
			rc = cmd_fail(err);
		}
		err = NULL;
	}
	/* podman prints what it found (an empty array when nothing), then
	 * the errors */
	struct inspect_items p = {.c = found};
	struct fmt_items src = {.n = n, .make = inspect_make, .drop = inspect_drop, .ctx = &p};
	if (fmt_report_print_items(&rep, &src, &err) < 0)
		rc = cmd_fail(err);
	fflush(stdout);
	for (size_t i = 0; i < nmissing; i++) {
		say_missing(ctx, missing[i], any_type);
		rc = EXIT_BURROW;
	}
	for (size_t i = 0; i < n; i++)
		ctr_inspect_clear(&found[i]);
	free(found);
	free(missing);
	fmt_report_clear(&rep);
	return rc;
}
