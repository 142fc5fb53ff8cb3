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
#include "container/container.h"
#include "container/info.h"
#include "container/secopts.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
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

/* What burrow counts for info: containers by state, images, the search
 * registries. */
struct info_counts {
	long long containers, paused, running, stopped, images;
	char **search;
};

static yajl_val str_list(const char *const *v)
{
	yajl_val a = json_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_arr_add(a, json_new_str(v[i]));
	return a;
}

/* "1h 2m 3.00s (Approximately 0.04 days)", podman's host.uptime */
static yajl_val uptime_json(long long s)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "%lldh %lldm %lld.00s (Approximately %.2f days)", s / 3600, s / 60 % 60, s % 60,
	         (double)s / 86400);
	return json_new_str(buf);
}

/* What info --format json shows: podman's layout (host, store, registries,
 * plugins, version) where burrow has the data, burrow's own beside them
 * (where each directory came from, the mapping's kind, the keeper,
 * libslirp, whether kernel overlay works, whether /dev/fuse opens). The
 * runtime (ociRuntime) and the monitor (conmon) are burrow itself. */
static yajl_val info_json(const struct ctr_sysinfo *i, const char *unfit, const struct info_counts *n)
{
	yajl_val o = json_new_object();
	yajl_val host = json_obj_add(o, "host", json_new_object());
	json_obj_add(host, "arch", json_new_str(cmd_go_arch()));
	json_obj_add(host, "cgroupManager", json_new_str("cgroupfs"));
	json_obj_add(host, "cgroupVersion", json_new_str(i->cgroup_version));
	/* burrow's own: how pause freezes a container, and where */
	json_obj_add(host, "pauseMechanism", json_new_str(i->freezer_base ? "cgroup2-freezer" : "sigstop"));
	json_obj_add(host, "freezerCgroup", json_new_str(i->freezer_base ? i->freezer_base : ""));
	yajl_val conmon = json_obj_add(host, "conmon", json_new_object());
	json_obj_add(conmon, "package", json_new_str("burrow"));
	json_obj_add(conmon, "path", json_new_str(i->exe));
	json_obj_add(conmon, "version", json_new_str("burrow's built-in monitor " BURROW_VERSION));
	json_obj_add(host, "cpus", json_new_int(i->cpus));
	yajl_val dist = json_obj_add(host, "distribution", json_new_object());
	json_obj_add(dist, "distribution", json_new_str(i->distribution));
	json_obj_add(dist, "version", json_new_str(i->distribution_version));
	json_obj_add(host, "eventLogger", json_new_str("file"));
	json_obj_add(host, "hostname", json_new_str(i->hostname));
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
	json_obj_add(host, "linkmode", json_new_str("dynamic"));
	json_obj_add(host, "logDriver", json_new_str("k8s-file"));
	json_obj_add(host, "memFree", json_new_int(i->mem_free));
	json_obj_add(host, "memTotal", json_new_int(i->mem_total));
	json_obj_add(host, "networkBackend", json_new_str("slirp4netns"));
	yajl_val oci = json_obj_add(host, "ociRuntime", json_new_object());
	json_obj_add(oci, "name", json_new_str("burrow"));
	json_obj_add(oci, "package", json_new_str("burrow"));
	json_obj_add(oci, "path", json_new_str(i->exe));
	json_obj_add(oci, "version", json_new_str("burrow's built-in runtime " BURROW_VERSION));
	yajl_val remote = json_obj_add(host, "remoteSocket", json_new_object());
	json_obj_add(remote, "exists", json_new_bool(false));
	json_obj_add(remote, "path", json_new_str(""));
	yajl_val sec = json_obj_add(host, "security", json_new_object());
	json_obj_add(sec, "apparmorEnabled", json_new_bool(false));
	cleanup_free char *caps = NULL;
	for (const char *const *c = ctr_default_caps(); *c; c++) {
		char *next = xasprintf("%s%s%s", caps ? caps : "", caps ? "," : "", *c);
		free(caps);
		caps = next;
	}
	json_obj_add(sec, "capabilities", json_new_str(caps));
	/* as root every ID maps to itself: not rootless, as podman says it */
	json_obj_add(sec, "rootless", json_new_bool(!i->ns.uid_map || strncmp(i->ns.uid_map, "0 0 ", 4) != 0));
	json_obj_add(sec, "seccompEnabled", json_new_bool(i->seccomp));
	json_obj_add(sec, "seccompProfilePath", json_new_str(""));
	json_obj_add(sec, "selinuxEnabled", json_new_bool(false));
	json_obj_add(host, "serviceIsRemote", json_new_bool(false));
	yajl_val slirp = json_obj_add(host, "slirp4netns", json_new_object());
	json_obj_add(slirp, "executable", json_new_str(""));
	json_obj_add(slirp, "package", json_new_str("libslirp"));
	char sv[96];
	snprintf(sv, sizeof(sv), "built in (libslirp %s)", i->slirp_version ? i->slirp_version : "?");
	json_obj_add(slirp, "version", json_new_str(sv));
	json_obj_add(host, "swapFree", json_new_int(i->swap_free));
	json_obj_add(host, "swapTotal", json_new_int(i->swap_total));
	json_obj_add(host, "uptime", uptime_json(i->uptime));

	yajl_val plugins = json_obj_add(o, "plugins", json_new_object());
	json_obj_add(plugins, "authorization", json_new_null());
	static const char *const logs[] = {"k8s-file", "none", "passthrough", NULL};
	static const char *const nets[] = {"slirp4netns", "host", "none", NULL};
	static const char *const vols[] = {"local", NULL};
	json_obj_add(plugins, "log", str_list(logs));
	json_obj_add(plugins, "network", str_list(nets));
	json_obj_add(plugins, "volume", str_list(vols));
	yajl_val regs = json_obj_add(o, "registries", json_new_map());
	json_obj_add(regs, "search", str_list((const char *const *)n->search));

	yajl_val store = json_obj_add(o, "store", json_new_object());
	yajl_val cs = json_obj_add(store, "containerStore", json_new_object());
	json_obj_add(cs, "number", json_new_int(n->containers));
	json_obj_add(cs, "paused", json_new_int(n->paused));
	json_obj_add(cs, "running", json_new_int(n->running));
	json_obj_add(cs, "stopped", json_new_int(n->stopped));
	json_obj_add(store, "graphDriverName", json_new_str("overlay"));
	yajl_val opts = json_obj_add(store, "graphOptions", json_new_map());
	if (i->fuse_path) {
		yajl_val mp = json_obj_add(opts, "overlay.mount_program", json_new_map());
		json_obj_add(mp, "Executable", json_new_str(i->fuse_path));
		json_obj_add(mp, "Version", json_new_str(i->fuse_version));
	}
	json_obj_add(store, "graphRoot", json_new_str(i->root));
	json_obj_add(store, "graphRootSource", json_new_str(i->root_source));
	json_obj_add(store, "graphRootFilesystem", json_new_str(i->root_fstype));
	json_obj_add(store, "graphRootOnNetworkFilesystem", json_new_bool(i->root_network_fs));
	json_obj_add(store, "graphRootProblem", unfit ? json_new_str(unfit) : json_new_null());
	json_obj_add(store, "graphRootHint", unfit ? json_new_str(state_fs_move_hint("--root")) : json_new_null());
	yajl_val is = json_obj_add(store, "imageStore", json_new_object());
	json_obj_add(is, "number", json_new_int(n->images));
	json_obj_add(store, "kernelOverlayInUserns", json_new_bool(i->kernel_overlay));
	yajl_val fuse = json_obj_add(store, "fuseDevice", json_new_object());
	json_obj_add(fuse, "path", json_new_str("/dev/fuse"));
	json_obj_add(fuse, "usable", json_new_bool(!i->fuse_device_error));
	json_obj_add(fuse, "error", i->fuse_device_error ? json_new_str(i->fuse_device_error) : json_new_null());
	json_obj_add(fuse, "hint", i->fuse_device_error ? json_new_str(i->fuse_device_hint) : json_new_null());
	json_obj_add(store, "runRoot", json_new_str(i->runroot));
	json_obj_add(store, "runRootSource", json_new_str(i->runroot_source));
	cleanup_free char *volumes = xasprintf("%s/volumes", i->root);
	json_obj_add(store, "volumePath", json_new_str(volumes));
	json_obj_add(o, "version", cmd_version_json());
	return o;
}

/* The counts info shows (needs the state store). */
static int info_count(struct cmd_ctx *ctx, struct info_counts *n, struct burrow_err **err)
{
	memset(n, 0, sizeof(*n));
	struct ctr_listing *l = NULL;
	size_t nl = 0;
	if (cmd_prepare(ctx, NEED_STATE, err) < 0 || ctr_list(ctx->state, true, &l, &nl, err) < 0)
		return -1;
	n->containers = (long long)nl;
	for (size_t k = 0; k < nl; k++) {
		enum ctr_state st = l[k].run.state;
		if (st == CTR_PAUSED)
			n->paused++;
		else if (st == CTR_RUNNING || st == CTR_STOPPING)
			n->running++;
		else
			n->stopped++;
	}
	ctr_listing_free(l, nl);
	struct img_info **imgs = NULL;
	size_t ni = 0;
	if (img_list(ctx->state, &imgs, &ni, err) < 0)
		return -1;
	n->images = (long long)ni;
	for (size_t k = 0; k < ni; k++)
		img_info_free(imgs[k]);
	free(imgs);
	return img_search_registries(&n->search, err);
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
	/* templates use podman's Go names (.Host.Kernel, .Store.GraphRoot):
	 * they find the JSON's host.kernel, store.graphRoot */
	static const struct fmt_header types[] = {
	    {"Host", "*define.HostInfo"}, {"Store", "*define.StoreInfo"}, {"Version", "define.Version"}, {NULL, NULL}};
	struct fmt_report rep = {.verb = "info",
	                         .single = true,
	                         .fold_case = true,
	                         .json_indent = "  ",
	                         .go_type = "*define.Info",
	                         .go_types = types};
	int rc = 0;
	if (cmd_format_only_options(ctx, argc, argv, &rep, &rc) < 0)
		return rc;
	struct burrow_err *err = NULL;
	struct ctr_sysinfo i;
	struct info_counts n = {0};
	if (cmd_ready(ctx, &err) < 0 ||
	    ctr_sysinfo_collect(ctx->root, ctx->root_source, ctx->runroot, ctx->runroot_source,
	                        &ctx->settings.engine.ovl, &i, &err) < 0) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	if (rep.format && info_count(ctx, &n, &err) < 0) {
		strv_free(n.search);
		ctr_sysinfo_clear(&i);
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	cleanup_free char *unfit = state_fs_probe(ctx->root);
	if (rep.format) {
		struct fmt_item item = {info_json(&i, unfit, &n), NULL};
		/* podman's Go name of host.cgroupVersion differs from the JSON's
		 * (CgroupsVersion): templates find it under both */
		if (!fmt_report_is_json(rep.format))
			json_obj_add(json_get(item.base, "host"), "CgroupsVersion", json_new_str(i.cgroup_version));
		if (fmt_report_print(&rep, &item, 1, &err) < 0)
			rc = cmd_fail(err);
		yajl_tree_free(item.base);
	} else {
		print_text(&i, unfit);
	}
	strv_free(n.search);
	fmt_report_clear(&rep);
	ctr_sysinfo_clear(&i);
	return rc;
}
