/* burrow inspect [--format F] [--type container|image] CTR...
 * burrow container inspect [--format F] CTR...
 *
 * Each container as podman's inspect JSON (cmd/ctrjson.c): podman's field
 * names and types, only what burrow knows (no labels, ports, mounts of its
 * own yet); a name that is no container is looked up as an image
 * (cmd_inspect_image) unless --type says otherwise. Without --format, the
 * array of them; --format renders a template for each. A name that is not
 * found is said, the others printed, and the exit code is then 125. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "cmd/healthjson.h"
#include "cmd/ctrjson.h"
#include "cmd/format.h"
#include "cmd/mountjson.h"
#include "cmd/report.h"
#include "container/inspect.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"

/* One container's tree (with -s its sizes). */
static int container_tree(struct cmd_ctx *ctx, const char *ref, bool size, yajl_val *out, struct burrow_err **err)
{
	struct ctr_inspect c = {0};
	if (ctr_inspect_load(ctx->state, ref, &c, err) < 0)
		return -1;
	if (size && ctr_inspect_sizes(ctx->state, &c, err) < 0) {
		ctr_inspect_clear(&c);
		return -1;
	}
	*out = cmd_ctr_inspect_json(&c);
	cmd_ctr_mounts_json(ctx->state, &c.cfg, *out);
	cmd_ctr_health_json(ctx->state, &c.cfg, *out);
	if (c.sized) {
		json_obj_add(*out, "SizeRw", json_new_int(c.size_rw));
		json_obj_add(*out, "SizeRootFs", json_new_int(c.size_rootfs));
	}
	ctr_inspect_clear(&c);
	return 0;
}

struct inspect_ctx {
	struct cmd_ctx *ctx;
	bool containers, images, size;
};

/* A container's tree, else (when there is none of that name) an image's. */
static int object_tree(void *data, const char *ref, yajl_val *out, struct burrow_err **err)
{
	struct inspect_ctx *ic = data;
	int r = -1;
	if (ic->containers)
		r = container_tree(ic->ctx, ref, ic->size, out, err);
	if (r < 0 && ic->images && (!*err || (*err)->status == ENOENT)) {
		burrow_err_free(steal_ptr(*err));
		r = cmd_inspect_image(ic->ctx, ref, out, err);
	}
	return r;
}

/* What 'burrow inspect --help' prints after "Usage: burrow ": keep it in
 * step with the options below. */
const char cmd_inspect_usage[] = "inspect [--format FORMAT] [--type container|image|all] [-s] NAME...\n\n"
                                 "  -f, --format FORMAT   json (the default) or a Go template ('{{.State.Status}}')\n"
                                 "  -l, --latest          the last created container\n"
                                 "  -s, --size            containers: add SizeRw and SizeRootFs (bytes)\n"
                                 "  -t, --type TYPE       container, image or all (the default: a container first)\n";

int cmd_inspect(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"type", required_argument, NULL, 't'},
	    {"size", no_argument, NULL, 's'},
	    CMD_REFS_LATEST_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_refs struct cmd_refs r = {0};
	/* 'container inspect' is for containers only, as in podman */
	const char *type = ctx->family ? "container" : "all";
	bool size = false;
	/* podman's: a container's (an image's Config is another type) */
	static const struct fmt_header types[] = {{"State", "*define.InspectContainerState"},
	                                          {"HostConfig", "*define.InspectContainerHostConfig"},
	                                          {"NetworkSettings", "*define.InspectNetworkSettings"},
	                                          {NULL, NULL}};
	struct fmt_report rep = {.verb = ctx->verb,
	                         .json_indent = "    ",
	                         .go_type = "interface {}",
	                         .go_types = types,
	                         .empty_json = true,
	                         .no_html_escape = true};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f:lt:s", longopts)) != -1) {
		switch (c) {
		case 'l':
			r.latest = ctx->flag_on;
			break;
		case 'f':
			rep.format = optarg;
			break;
		case 't':
			if (ctx->family)
				return cmd_usage_error(ctx, "unknown flag '--type'");
			if (strcmp(optarg, "container") != 0 && strcmp(optarg, "image") != 0 &&
			    strcmp(optarg, "all") != 0)
				return cmd_usage_error(ctx, "invalid --type '%s' (all, image or container)",
				                       str_quote(optarg));
			type = optarg;
			break;
		case 's':
			size = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (r.latest && optind < argc)
		return cmd_usage_error(ctx, "--latest and containers cannot be used together");
	if (!r.latest && optind >= argc)
		return cmd_usage_error(ctx, "missing name or ID (see 'burrow %s --help')", ctx->verb);
	if (r.latest)
		type = "container";
	struct burrow_err *err = NULL;
	if (fmt_report_parse(&rep, &err) < 0)
		return cmd_fail(err);
	if (cmd_ready(ctx, &err) < 0) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	cleanup_strv char **refs = NULL;
	size_t n = 0;
	if (cmd_refs_get(ctx, &r, argc, argv, &refs, &n, &err) < 0) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	struct inspect_ctx ic = {
	    .ctx = ctx,
	    .containers = strcmp(type, "image") != 0,
	    .images = strcmp(type, "container") != 0,
	    .size = size,
	};
	/* each missing one said (podman's words), the found ones printed */
	const char *what = ctx->family ? NULL : strcmp(type, "all") == 0 ? "object" : type;
	int rc = fmt_report_named(&rep, refs, n, what, object_tree, &ic);
	fmt_report_clear(&rep);
	return rc < 0 ? EXIT_BURROW : 0;
}
