/* burrow info [--format json|TEMPLATE]
 *
 * The text is burrow's own; --format json is one object in podman's names
 * (host, store, version) with burrow's additions beside them, and
 * templates may use podman's Go names for it (.Host.Kernel). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "cmd/report.h"
#include "container/info.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "state/paths.h"

/* "0 1000 1, 1 100000 65536" -> [{"container_id":0,"host_id":1000,"size":1}, ...]
 * as podman's host.idMappings lists. */
static yajl_val id_map_json(const char *oneline)
{
	yajl_val arr = json_new_array();
	for (const char *p = oneline; p && *p;) {
		long long c, h, n;
		int used = 0;
		if (sscanf(p, " %lld %lld %lld%n", &c, &h, &n, &used) != 3)
			break;
		yajl_val m = json_arr_add(arr, json_new_object());
		json_obj_add(m, "container_id", json_new_int(c));
		json_obj_add(m, "host_id", json_new_int(h));
		json_obj_add(m, "size", json_new_int(n));
		p += used;
		p += strspn(p, " ,");
	}
	return arr;
}

/* What info --format json shows: podman's names (host.kernel,
 * host.idMappings, store.graphRoot, store.runRoot, version.Version ...)
 * where burrow has the data, and burrow's own beside them (where each
 * directory came from, the mapping's kind, the keeper, libslirp, whether
 * kernel overlay works, whether /dev/fuse opens). */
static yajl_val info_json(const struct ctr_sysinfo *i, const char *unfit)
{
	yajl_val o = json_new_object();
	yajl_val host = json_obj_add(o, "host", json_new_object());
	yajl_val ids = json_obj_add(host, "idMappings", json_new_object());
	json_obj_add(ids, "gidmap", id_map_json(i->ns.gid_map));
	json_obj_add(ids, "uidmap", id_map_json(i->ns.uid_map));
	json_obj_add(ids, "kind", json_new_str(i->ns.kind));
	json_obj_add(ids, "reason", json_new_str(i->ns.reason));
	json_obj_add(ids, "keeperPid", json_new_int(i->ns.keeper_pid));
	/* i->kernel is "SYSNAME RELEASE MACHINE" */
	char sys[64] = "", rel[256] = "";
	if (i->kernel && sscanf(i->kernel, "%63s %255s", sys, rel) == 2) {
		json_obj_add(host, "kernel", json_new_str(rel));
		for (char *c = sys; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		json_obj_add(host, "os", json_new_str(sys));
	}
	json_obj_add(host, "libslirp", json_new_str(i->slirp_version));
	yajl_val store = json_obj_add(o, "store", json_new_object());
	yajl_val opts = json_obj_add(store, "graphOptions", json_new_object());
	if (i->fuse_path) {
		yajl_val mp = json_obj_add(opts, "overlay.mount_program", json_new_object());
		json_obj_add(mp, "Executable", json_new_str(i->fuse_path));
		json_obj_add(mp, "Version", json_new_str(i->fuse_version));
	}
	json_obj_add(store, "graphRoot", json_new_str(i->root));
	json_obj_add(store, "graphRootSource", json_new_str(i->root_source));
	json_obj_add(store, "graphRootFilesystem", json_new_str(i->root_fstype));
	json_obj_add(store, "graphRootOnNetworkFilesystem", json_new_bool(i->root_network_fs));
	json_obj_add(store, "graphRootProblem", unfit ? json_new_str(unfit) : json_new_null());
	json_obj_add(store, "graphRootHint", unfit ? json_new_str(state_fs_move_hint("--root")) : json_new_null());
	json_obj_add(store, "kernelOverlayInUserns", json_new_bool(i->kernel_overlay));
	yajl_val fuse = json_obj_add(store, "fuseDevice", json_new_object());
	json_obj_add(fuse, "path", json_new_str("/dev/fuse"));
	json_obj_add(fuse, "usable", json_new_bool(!i->fuse_device_error));
	json_obj_add(fuse, "error", i->fuse_device_error ? json_new_str(i->fuse_device_error) : json_new_null());
	json_obj_add(fuse, "hint", i->fuse_device_error ? json_new_str(i->fuse_device_hint) : json_new_null());
	json_obj_add(store, "runRoot", json_new_str(i->runroot));
	json_obj_add(store, "runRootSource", json_new_str(i->runroot_source));
	yajl_val version = json_obj_add(o, "version", json_new_object());
	json_obj_add(version, "Version", json_new_str(BURROW_VERSION));
	return o;
}

/* "LABEL PATH (SOURCE)"; a source with a detail of its own in parentheses,
 * "default ($HOME/.local/share/burrow)", shows it after a colon instead, so
 * that parentheses do not nest. */
static void print_dir(const char *label, const char *path, const char *source)
{
	const char *open = strstr(source, " (");
	size_t len = strlen(source);
	if (open && len > 0 && source[len - 1] == ')') {
		const char *detail = open + 2;
		printf("%s%s (%.*s: %.*s)\n", label, path, (int)(open - source), source,
		       (int)(source + len - 1 - detail), detail);
	} else {
		printf("%s%s (%s)\n", label, path, source);
	}
}

static void print_text(const struct ctr_sysinfo *i, const char *unfit)
{
	printf("version:            %s\n", BURROW_VERSION);
	print_dir("storage root:       ", i->root, i->root_source);
	printf("storage filesystem: %s%s\n", i->root_fstype, i->root_network_fs ? " (network filesystem!)" : "");
	if (unfit) {
		printf("  problem:          %s\n", unfit);
		printf("  hint:             %s\n", state_fs_move_hint("--root"));
	}
	print_dir("runtime dir:        ", i->runroot, i->runroot_source);
	printf("id mapping:         %s (%s)\n", i->ns.kind, i->ns.reason ? i->ns.reason : "");
	printf("  uid map:          %s\n", i->ns.uid_map);
	printf("  gid map:          %s\n", i->ns.gid_map);
	printf("  keeper pid:       %d\n", (int)i->ns.keeper_pid);
	printf("fuse-overlayfs:     %s (%s)\n", i->fuse_path ? i->fuse_path : "not found",
	       i->fuse_version ? i->fuse_version : "-");
	if (i->fuse_device_error) {
		printf("fuse device:        %s\n", i->fuse_device_error);
		printf("  hint:             %s\n", i->fuse_device_hint);
	} else {
		printf("fuse device:        /dev/fuse (usable)\n");
	}
	printf("kernel overlay:     %s in the user namespace\n", i->kernel_overlay ? "works" : "does not work");
	printf("libslirp:           %s\n", i->slirp_version);
	printf("kernel:             %s\n", i->kernel ? i->kernel : "unknown");
}

/* What 'burrow info --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_info_usage[] = "info [--format FORMAT]\n\n"
                              "Shows the version, the storage root and runtime dir (and where each came\n"
                              "from), the ID mapping in use, fuse-overlayfs and whether /dev/fuse can be\n"
                              "opened, libslirp, the kernel.\n\n"
                              "  -f, --format FORMAT   json, or a Go template ('{{.Store.GraphRoot}}')\n";

int cmd_info(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	/* templates use podman's Go names (.Host.Kernel, .Store.GraphRoot):
	 * they find the JSON's host.kernel, store.graphRoot */
	struct fmt_report rep = {.verb = "info", .single = true, .fold_case = true, .json_indent = "  "};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f:", longopts)) != -1) {
		if (c != 'f')
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
		rep.format = optarg;
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));
	struct burrow_err *err = NULL;
	if (rep.format && fmt_report_parse(&rep, &err) < 0)
		return cmd_fail(err);
	struct ctr_sysinfo i;
	if (cmd_ready(ctx, &err) < 0 ||
	    ctr_sysinfo_collect(ctx->root, ctx->root_source, ctx->runroot, ctx->runroot_source,
	                        &ctx->settings.engine.ovl, &i, &err) < 0) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	int rc = 0;
	cleanup_free char *unfit = state_fs_probe(ctx->root);
	if (rep.format) {
		struct fmt_item item = {info_json(&i, unfit), NULL};
		if (fmt_report_print(&rep, &item, 1, &err) < 0)
			rc = cmd_fail(err);
		yajl_tree_free(item.base);
	} else {
		print_text(&i, unfit);
	}
	fmt_report_clear(&rep);
	ctr_sysinfo_clear(&i);
	return rc;
}
