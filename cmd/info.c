/* burrow info [--format json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "container/info.h"
#include "lib/json.h"

static void print_json(const struct ctr_sysinfo *i)
{
	yajl_gen g = json_gen_new();
	yajl_gen_config(g, yajl_gen_beautify, 1);
	jg_map_open(g);
	jg_key_str(g, "version", BURROW_VERSION);
	jg_key(g, "store");
	jg_map_open(g);
	jg_key_str(g, "root", i->root);
	jg_key_str(g, "rootSource", i->root_source);
	jg_key_str(g, "rootFilesystem", i->root_fstype);
	jg_key_bool(g, "rootOnNetworkFilesystem", i->root_network_fs);
	jg_key_str(g, "runroot", i->runroot);
	jg_key_str(g, "runrootSource", i->runroot_source);
	jg_map_close(g);
	jg_key(g, "idMapping");
	jg_map_open(g);
	jg_key_str(g, "kind", i->ns.kind);
	jg_key_str(g, "reason", i->ns.reason);
	jg_key_str(g, "uidMap", i->ns.uid_map);
	jg_key_str(g, "gidMap", i->ns.gid_map);
	jg_key_int(g, "keeperPid", i->ns.keeper_pid);
	jg_map_close(g);
	jg_key(g, "fuseOverlayfs");
	jg_map_open(g);
	jg_key_str(g, "path", i->fuse_path);
	jg_key_str(g, "version", i->fuse_version);
	jg_map_close(g);
	jg_key_bool(g, "kernelOverlayInUserns", i->kernel_overlay);
	jg_key_str(g, "libslirp", i->slirp_version);
	jg_key_str(g, "kernel", i->kernel);
	jg_map_close(g);
	fmt_print_json(g);
}

static void print_text(const struct ctr_sysinfo *i)
{
	printf("version:            %s\n", BURROW_VERSION);
	printf("storage root:       %s (%s)\n", i->root, i->root_source);
	printf("storage filesystem: %s%s\n", i->root_fstype, i->root_network_fs ? " (network filesystem!)" : "");
	printf("runtime dir:        %s (%s)\n", i->runroot, i->runroot_source);
	printf("id mapping:         %s (%s)\n", i->ns.kind, i->ns.reason ? i->ns.reason : "");
	printf("  uid map:          %s\n", i->ns.uid_map);
	printf("  gid map:          %s\n", i->ns.gid_map);
	printf("  keeper pid:       %d\n", (int)i->ns.keeper_pid);
	printf("fuse-overlayfs:     %s (%s)\n", i->fuse_path ? i->fuse_path : "not found",
	       i->fuse_version ? i->fuse_version : "-");
	printf("kernel overlay:     %s in the user namespace\n", i->kernel_overlay ? "works" : "does not work");
	printf("libslirp:           %s\n", i->slirp_version);
	printf("kernel:             %s\n", i->kernel ? i->kernel : "unknown");
}

int cmd_info(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	bool json = false;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f:", longopts)) != -1) {
		if (c != 'f')
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
		if (strcmp(optarg, "json") != 0)
			return cmd_usage_error(ctx, "unsupported --format '%s' (json)", optarg);
		json = true;
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	struct burrow_err *err = NULL;
	struct ctr_sysinfo i;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	if (ctr_sysinfo_collect(ctx->root, ctx->root_source, ctx->runroot, ctx->runroot_source, &i, &err) < 0)
		return cmd_fail(err);
	if (json)
		print_json(&i);
	else
		print_text(&i);
	ctr_sysinfo_clear(&i);
	return 0;
}
