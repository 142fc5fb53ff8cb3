#include "container/bundle.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/mount.h"
#include "container/nsmode.h"
#include "container/resources.h"
#include "container/seccomp.h"
#include "container/sdnotify.h"
#include "container/secopts.h"
#include "container/shm.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "userns/userns.h"

void ctr_spec_mount(yajl_gen g, const char *dst, const char *type, const char *src, const char *const *opts)
{
	jg_map_open(g);
	jg_key_str(g, "destination", dst);
	jg_key_str(g, "type", type);
	jg_key_str(g, "source", src);
	jg_key_strv(g, "options", (char *const *)opts);
	jg_map_close(g);
}

void ctr_spec_annotations(yajl_gen g, char *const *annotations)
{
	jg_map_open(g);
	for (size_t k = 0; annotations && annotations[k]; k++) {
		const char *eq = strchr(annotations[k], '=');
		cleanup_free char *key =
		    xstrndup(annotations[k], eq ? (size_t)(eq - annotations[k]) : strlen(annotations[k]));
		jg_key_str(g, key, eq ? eq + 1 : "");
	}
	jg_map_close(g);
}

static void idmap_entry(unsigned long ctr, unsigned long host, unsigned long size, void *data)
{
	yajl_gen g = data;
	jg_map_open(g);
	jg_key_int(g, "containerID", (long long)ctr);
	jg_key_int(g, "hostID", (long long)host);
	jg_key_int(g, "size", (long long)size);
	jg_map_close(g);
}

/* linux.uidMappings or gidMappings of a CTR:HOST:SIZE,... map */
static void ctr_idmap_gen(yajl_gen g, const char *map)
{
	jg_array_open(g);
	userns_map_each(map, idmap_entry, g);
	jg_array_close(g);
}

struct own_group {
	unsigned long gid; /* the container's group that is burrow's 0 */
	bool found, first_set;
	unsigned long first;
};

static void own_group_entry(unsigned long ctr, unsigned long host, unsigned long size, void *data)
{
	struct own_group *o = data;
	if (!size)
		return;
	if (!o->first_set) {
		o->first = ctr;
		o->first_set = true;
	}
	if (!o->found && host == 0) {
		o->gid = ctr;
		o->found = true;
	}
}

char *ctr_ping_group_range(const char *gid_map)
{
	/* the kernel compares the range's ends as host groups: one group,
	 * yours, which every map keeps in order */
	struct own_group o = {0};
	if (gid_map)
		userns_map_each(gid_map, own_group_entry, &o);
	unsigned long g = o.found ? o.gid : o.first_set ? o.first : 0;
	if (g > INT_MAX)
		g = 0;
	return xasprintf("%lu %lu", g, g);
}

char **ctr_init_args(const struct ctr_config *c)
{
	if (!c->init_path)
		return NULL;
	char **args = xcalloc(1, sizeof(char *));
	strv_append(&args, CTR_INIT_TARGET);
	strv_append(&args, "--");
	for (size_t i = 0; c->args && c->args[i]; i++)
		strv_append(&args, c->args[i]);
	return args;
}

/* The process: with p, as a start runs it; without, what the record holds
 * (terminal, user, args, env, cwd). bounding: the capabilities (with p). */
static void gen_process(yajl_gen g, const struct ctr_config *c, const struct ctr_bundle_paths *p, char *const *bounding)
{
	jg_map_open(g);
	jg_key_bool(g, "terminal", c->tty);
	if (p && c->oom_score_adj_set) /* --oom-score-adj */
		jg_key_int(g, "oomScoreAdj", c->oom_score_adj);
	jg_key(g, "user");
	jg_map_open(g);
	jg_key_int(g, "uid", c->uid);
	jg_key_int(g, "gid", c->gid);
	if (p && c->umask)
		jg_key_int(g, "umask", strtol(c->umask, NULL, 8));
	/* the user's groups (podman's for a user given), then --group-add's;
	 * keep-groups: none (no setgroups) */
	bool keep = c->groups && c->groups[0] && strcmp(c->groups[0], "keep-groups") == 0;
	char *const *ug = p ? p->user_gids : NULL;
	if (p && !keep && ((ug && ug[0]) || (c->groups && c->groups[0]))) {
		jg_key(g, "additionalGids");
		jg_array_open(g);
		for (size_t i = 0; ug && ug[i]; i++)
			jg_int(g, strtoll(ug[i], NULL, 10));
		for (size_t i = 0; c->groups && c->groups[i]; i++)
			if (!strv_contains(ug, c->groups[i]))
				jg_int(g, strtoll(c->groups[i], NULL, 10));
		jg_array_close(g);
	}
	jg_map_close(g);
	cleanup_strv char **args = p ? ctr_init_args(c) : NULL;
	jg_key_strv(g, "args", args ? args : c->args);
	/* HOME (as podman, at each start); --sdnotify=container: the monitor
	 * socket (container/sdnotify.h); --secret type=env */
	cleanup_strv char **env = NULL;
	if (p && (p->notify_dir || (p->secret_env && p->secret_env[0]) || p->home))
		env = strv_dup(c->env);
	if (p && p->home)
		strv_append_take(&env, xasprintf("HOME=%s", p->home));
	if (p && p->notify_dir)
		strv_env_set(&env, "NOTIFY_SOCKET=" CTR_SDNOTIFY_SOCKET);
	for (size_t i = 0; p && p->secret_env && p->secret_env[i]; i++)
		strv_env_set(&env, p->secret_env[i]);
	jg_key_strv(g, "env", env ? env : c->env);
	jg_key_str(g, "cwd", c->workdir && *c->workdir ? c->workdir : "/");
	if (!p) {
		jg_map_close(g);
		return;
	}
	cleanup_strv char **effective = ctr_caps_effective(c, bounding);
	jg_key(g, "capabilities");
	jg_map_open(g);
	jg_key_strv(g, "bounding", bounding);
	jg_key_strv(g, "effective", effective);
	jg_key_strv(g, "permitted", effective);
	/* as podman: another user keeps what --cap-add gave it across exec */
	jg_key_strv(g, "inheritable", c->uid == 0 ? NULL : effective);
	jg_key_strv(g, "ambient", c->uid == 0 ? NULL : effective);
	jg_map_close(g);
	jg_key_bool(g, "noNewPrivileges", !c->new_privileges);
	ctr_runopts_gen_process(g, c);
	jg_map_close(g);
}

/* What the record holds after the process: its hostname, its own mounts
 * as stored, its annotations (what precreate hooks may change). */
static void gen_record_rest(yajl_gen g, const struct ctr_config *c)
{
	jg_key_str(g, "hostname", c->hostname);
	jg_key(g, "mounts");
	jg_array_open(g);
	for (size_t i = 0; c->mounts && c->mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(c->mounts[i], &m))
			continue;
		ctr_spec_mount(g, m.destination, m.type, m.source && *m.source ? m.source : m.type,
		               (const char *const *)m.options);
		ctr_mount_clear(&m);
	}
	jg_array_close(g);
	jg_key(g, "annotations");
	ctr_spec_annotations(g, c->annotations);
}

/* What a start adds after the root: hostname, annotations, every mount,
 * linux (namespaces, ID maps, paths, sysctls, devices, seccomp). */
static void gen_start_rest(yajl_gen g, const struct ctr_config *c, const struct ctr_bundle_paths *p,
                           char *const *bounding)
{
	if (!c->uts_mode) /* another's UTS namespace keeps its name */
		jg_key_str(g, "hostname", c->hostname);
	if (c->groups && c->groups[0] && strcmp(c->groups[0], "keep-groups") == 0) {
		/* crun's annotation: no setgroups, the user's own groups stay */
		jg_key(g, "annotations");
		jg_map_open(g);
		jg_key_str(g, "run.oci.keep_original_groups", "1");
		jg_map_close(g);
	}

	jg_key(g, "mounts");
	jg_array_open(g);
	static const char *const proc_o[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const dev_o[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts_o[] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL};
	static const char *const mq_o[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys_o[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const bind_o[] = {"rbind", "rprivate", "nosuid", "nodev", "noexec", NULL};
	static const char *const bind_ro[] = {"rbind", "rprivate", "nosuid", "nodev", "noexec", "ro", NULL};
	ctr_mounts_gen(g, p->mounts, c->read_only && !c->ro_no_tmpfs, true);
	static const char *const proc_bind_o[] = {"rbind", "nosuid", "noexec", "nodev", NULL};
	if (ctr_nsmode_host(c, CTR_NS_PID)) /* a new proc needs a pid namespace of ours: the host's, as podman */
		ctr_spec_mount(g, "/proc", "bind", "/proc", proc_bind_o);
	else
		ctr_spec_mount(g, "/proc", "proc", "proc", proc_o);
	ctr_spec_mount(g, "/dev", "tmpfs", "tmpfs", dev_o);
	ctr_spec_mount(g, "/dev/pts", "devpts", "devpts", pts_o);
	/* in bytes: tmpfs rounds up to pages, and "size=0k" would mean no limit */
	cleanup_free char *shm_size = xasprintf("size=%lld", ctr_shm_size(c));
	const char *shm_o[] = {"nosuid", "noexec", "nodev", "mode=1777", shm_size, NULL};
	const char *ipc = c->ipc_mode ? c->ipc_mode : "";
	if (strcmp(ipc, "host") == 0)
		ctr_spec_mount(g, "/dev/shm", "bind", "/dev/shm", bind_o);
	else if (p->shm) /* its own shareable one, or the one of the container whose IPC it joins */
		ctr_spec_mount(g, "/dev/shm", "bind", p->shm, bind_o);
	else if (strcmp(ipc, "none") != 0) /* none: no /dev/shm */
		ctr_spec_mount(g, "/dev/shm", "tmpfs", "shm", shm_o);
	ctr_spec_mount(g, "/dev/mqueue", "mqueue", "mqueue", mq_o);
	if (p->host_network)
		ctr_spec_mount(g, "/sys", "bind", "/sys", bind_ro);
	else
		ctr_spec_mount(g, "/sys", "sysfs", "sysfs", sys_o);
	if (p->hosts) /* NULL: --no-hosts */
		ctr_spec_mount(g, "/etc/hosts", "bind", p->hosts, bind_o);
	ctr_spec_mount(g, "/etc/resolv.conf", "bind", p->resolv_conf, bind_o);
	if (p->hostname) /* NULL: --no-hostname */
		ctr_spec_mount(g, "/etc/hostname", "bind", p->hostname, bind_o);
	ctr_spec_mount(g, "/run/.containerenv", "bind", p->containerenv, bind_ro);
	if (c->init_path) {
		static const char *const init_o[] = {"bind", "rprivate", "nosuid", "nodev", "ro", NULL};
		ctr_spec_mount(g, CTR_INIT_TARGET, "bind", c->init_path, init_o);
	}
	if (c->tz) {
		static const char *const tz_o[] = {"rbind", "rprivate", "nosuid", "nodev", "noexec", "ro", NULL};
		ctr_spec_mount(g, "/etc/localtime", "bind", c->tz, tz_o);
	}
	if (p->notify_dir)
		ctr_spec_mount(g, CTR_SDNOTIFY_DIR, "bind", p->notify_dir, bind_o);
	if (p->passwd)
		ctr_spec_mount(g, "/etc/passwd", "bind", p->passwd, bind_o);
	if (p->group)
		ctr_spec_mount(g, "/etc/group", "bind", p->group, bind_o);
	ctr_mounts_gen(g, p->mounts, c->read_only && !c->ro_no_tmpfs, false);
	ctr_devices_gen(g, c->devices);
	jg_array_close(g);

	jg_key(g, "linux");
	jg_map_open(g);
	jg_key(g, "namespaces");
	jg_array_open(g);
	if (c->uid_map) { /* first: an exec joins it before the others */
		jg_map_open(g);
		jg_key_str(g, "type", "user");
		jg_map_close(g);
	}
	static const struct {
		const char *type;
		int mode; /* enum ctr_ns, -1: always a new one */
	} ns[] = {{"pid", CTR_NS_PID}, {"mount", -1}, {"uts", CTR_NS_UTS}, {"ipc", CTR_NS_IPC}, {"cgroup", -1}};
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		if (ns[i].mode >= 0 && ctr_nsmode_host(c, (enum ctr_ns)ns[i].mode))
			continue;
		jg_map_open(g);
		jg_key_str(g, "type", ns[i].type);
		if (ns[i].mode >= 0 && p->ns_join && p->ns_join[ns[i].mode]) {
			jg_key_str(g, "path", p->ns_join[ns[i].mode]);
			if (p->ns_join_start && p->ns_join_start[ns[i].mode])
				jg_key_int(g, "burrowPidStart", (long long)p->ns_join_start[ns[i].mode]);
		}
		jg_map_close(g);
	}
	if (!p->host_network) {
		jg_map_open(g);
		jg_key_str(g, "type", "network");
		if (p->netns_path)
			jg_key_str(g, "path", p->netns_path);
		if (p->netns_path && p->netns_start)
			jg_key_int(g, "burrowPidStart", (long long)p->netns_start);
		jg_map_close(g);
	}
	jg_array_close(g);
	if (c->uid_map) {
		jg_key(g, "uidMappings");
		ctr_idmap_gen(g, c->uid_map);
		jg_key(g, "gidMappings");
		ctr_idmap_gen(g, c->gid_map);
	}
	cleanup_strv char **masked = ctr_masked_paths(c);
	cleanup_strv char **readonly = ctr_readonly_paths(c);
	jg_key_strv(g, "maskedPaths", masked);
	jg_key_strv(g, "readonlyPaths", readonly);
	/* its own network: ping (ICMP datagram sockets) without CAP_NET_RAW,
	 * as podman's default_sysctls */
	cleanup_free char *ping_range =
	    !p->host_network && !p->netns_path ? ctr_ping_group_range(c->uid_map ? c->gid_map : NULL) : NULL;
	ctr_runopts_gen_linux(g, c, ping_range);
	if (c->personality) { /* --personality */
		jg_key(g, "personality");
		jg_map_open(g);
		jg_key_str(g, "domain", c->personality);
		jg_map_close(g);
	}
	if (c->privileged) {
		cleanup_strv char **devs = ctr_privileged_devices();
		jg_key(g, "devices");
		jg_array_open(g);
		for (size_t i = 0; devs[i]; i++) {
			jg_map_open(g);
			jg_key_str(g, "path", devs[i]);
			jg_map_close(g);
		}
		jg_array_close(g);
	}
	if (!c->privileged && (!c->seccomp || c->seccomp_profile)) {
		jg_key(g, "seccomp");
		ctr_seccomp_gen_for(g, c->seccomp_profile, (const char *const *)bounding);
	}
	jg_map_close(g);
}

char *ctr_spec_generate(const struct ctr_config *c, const struct ctr_bundle_paths *p)
{
	yajl_gen g = json_gen_new();
	cleanup_strv char **bounding = p ? ctr_caps_bounding(c) : NULL;
	jg_map_open(g);
	jg_key_str(g, "ociVersion", "1.0.2");
	jg_key(g, "process");
	gen_process(g, c, p, bounding);
	jg_key(g, "root");
	jg_map_open(g);
	jg_key_str(g, "path", p ? p->rootfs : "rootfs");
	if (p)
		jg_key_bool(g, "readonly", c->read_only);
	jg_map_close(g);
	if (p)
		gen_start_rest(g, c, p, bounding);
	else
		gen_record_rest(g, c);
	jg_map_close(g);
	return json_gen_finish(g);
}

char *ctr_gen_hosts(const char *hostname, const char *name, const char *addr, const char *gateway)
{
	cleanup_free char *extra = addr ? xasprintf("%s\t%s %s\n%s\thost.containers.internal host.docker.internal\n",
	                                            addr, hostname, name, gateway)
	                                : xasprintf("127.0.1.1\t%s %s\n", hostname, name);
	return xasprintf("127.0.0.1\tlocalhost localhost.localdomain\n"
	                 "::1\tlocalhost ip6-localhost ip6-loopback\n"
	                 "%s",
	                 extra);
}

char *ctr_gen_resolv_conf(const char *dns, const char *host_resolv)
{
	char *out = xstrdup("");
	cleanup_strv char **lines = strv_split(host_resolv ? host_resolv : "", '\n');
	bool have_ns = false;
	for (size_t i = 0; lines[i]; i++) {
		const char *l = lines[i];
		bool ns = str_has_prefix(l, "nameserver");
		if (str_has_prefix(l, "search") || str_has_prefix(l, "options") || (!dns && ns)) {
			have_ns |= ns;
			char *n = xasprintf("%s%s\n", out, l);
			free(out);
			out = n;
		}
	}
	if (dns || !have_ns) {
		char *n = xasprintf("%snameserver %s\n", out, dns ? dns : "10.0.2.3");
		free(out);
		out = n;
	}
	return out;
}

char *ctr_gen_containerenv(const struct ctr_config *c, bool rootless)
{
	/* as podman: the details only for a --privileged container; the
	 * others get the file empty (it says they run in a container) */
	if (!c->privileged)
		return xstrdup("");
	return xasprintf("engine=\"burrow-%s\"\n"
	                 "name=\"%s\"\n"
	                 "id=\"%s\"\n"
	                 "image=\"%s\"\n"
	                 "imageid=\"%s\"\n"
	                 "rootless=%d\n",
	                 BURROW_VERSION, c->name, c->id, ctr_config_image(c), c->image_id ? c->image_id : "",
	                 rootless ? 1 : 0);
}
