/* A container as podman's inspect shows it (see ctrjson.h). */
#include "cmd/ctrjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cmd/format.h"
#include "container/nsmode.h"
#include "container/secopts.h"
#include "container/secret.h"
#include "cmd/ports.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* A moment as podman's inspect prints it (Go's RFC3339Nano in the local
 * zone: the nanoseconds without trailing zeros, "Z" for a zero offset), or
 * Go's zero time for one that never came. */
static yajl_val time_json(long long t, int ns)
{
	if (t <= 0)
		return json_new_str("0001-01-01T00:00:00Z");
	time_t tt = (time_t)t;
	struct tm tm;
	char date[40], frac[16] = "", zone[48] = "Z";
	if (!localtime_r(&tt, &tm) || strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return json_new_str("0001-01-01T00:00:00Z");
	fmt_go_frac(ns, frac, sizeof(frac));
	long off = tm.tm_gmtoff;
	if (off != 0)
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
		         labs(off) % 3600 / 60);
	cleanup_free char *s = xasprintf("%s%s%s", date, frac, zone);
	return json_new_str(s);
}

static yajl_val state_json(const struct ctr_inspect *i)
{
	const struct ctr_config *c = &i->cfg;
	const struct ctr_run *r = &i->run;
	enum ctr_state st = r->state;
	bool live = st == CTR_RUNNING || st == CTR_PAUSED || st == CTR_STOPPING;
	/* initialized (burrow init): its init and monitor are there, as podman's */
	bool procs = live || st == CTR_CREATED;
	yajl_val o = json_new_object();
	/* podman 4.3's (its runtime-spec module's version) */
	json_obj_add(o, "OciVersion", json_new_str("1.0.2-dev"));
	json_obj_add(o, "Status", json_new_str(ctr_state_word(st)));
	json_obj_add(o, "Running", json_new_bool(st == CTR_RUNNING)); /* podman: not while paused or stopping */
	json_obj_add(o, "Paused", json_new_bool(st == CTR_PAUSED));
	json_obj_add(o, "Restarting", json_new_bool(r->restarting));
	json_obj_add(o, "OOMKilled", json_new_bool(false));
	json_obj_add(o, "Dead", json_new_bool(false));
	json_obj_add(o, "Pid", json_new_int(procs ? r->pid : 0));
	json_obj_add(o, "ConmonPid", json_new_int(procs || r->restarting ? r->monitor_pid : 0));
	json_obj_add(o, "ExitCode", json_new_int(r->exit_code));
	json_obj_add(o, "Error", json_new_str(r->reason ? r->reason : ""));
	json_obj_add(o, "StartedAt", time_json(c->started ? r->started_at : 0, r->started_ns));
	json_obj_add(o, "FinishedAt", time_json(live ? 0 : r->finished_at, r->finished_ns));
	/* podman's: only while it runs or is paused (omitempty) */
	json_obj_add(o, "CgroupPath", json_new_omitempty_str(i->cgroup_path));
	/* podman's; burrow does not checkpoint */
	json_obj_add(o, "CheckpointedAt", time_json(0, 0));
	json_obj_add(o, "RestoredAt", time_json(0, 0));
	return o;
}

static const char *user_text(const struct ctr_config *c, char *buf, size_t len)
{
	if (c->uid == 0 && c->gid == 0)
		return "";
	snprintf(buf, len, "%u:%u", c->uid, c->gid);
	return buf;
}

yajl_val cmd_kv_object_or_nil(char *const *kv)
{
	return kv && kv[0] ? cmd_kv_object(kv) : json_new_nil_map();
}

yajl_val cmd_kv_object(char *const *kv)
{
	yajl_val o = json_new_map();
	for (size_t i = 0; kv && kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');
		cleanup_free char *k = xstrndup(kv[i], eq ? (size_t)(eq - kv[i]) : strlen(kv[i]));
		json_obj_add(o, k, json_new_str(eq ? eq + 1 : ""));
	}
	return o;
}

static yajl_val config_json(const struct ctr_config *c)
{
	char user[32];
	yajl_val o = json_new_object();
	json_obj_add(o, "Hostname", json_new_str(c->hostname ? c->hostname : ""));
	json_obj_add(o, "Domainname", json_new_str(""));
	json_obj_add(o, "User", json_new_str(user_text(c, user, sizeof(user))));
	json_obj_add(o, "AttachStdin", json_new_bool(c->interactive));
	json_obj_add(o, "AttachStdout", json_new_bool(false));
	json_obj_add(o, "AttachStderr", json_new_bool(false));
	json_obj_add(o, "Tty", json_new_bool(c->tty));
	json_obj_add(o, "OpenStdin", json_new_bool(c->interactive));
	json_obj_add(o, "StdinOnce", json_new_bool(false));
	json_obj_add(o, "Env", json_new_strv(c->env));
	/* as podman: the command apart from the entrypoint (args holds both,
	 * the first entrypoint_len of them the entrypoint) */
	size_t n = strv_len(c->args), ep = c->entrypoint_len <= n ? c->entrypoint_len : n;
	json_obj_add(o, "Cmd", json_new_strv(c->args ? c->args + ep : NULL));
	/* podman 4's Entrypoint is one string, the words joined by spaces ("" without one) */
	struct fmt_buf entry = {0};
	for (size_t i = 0; i < ep; i++)
		fmt_buf_printf(&entry, "%s%s", i ? " " : "", c->args[i]);
	json_obj_add(o, "Entrypoint", json_new_str(entry.s ? entry.s : ""));
	fmt_buf_free(&entry);
	json_obj_add(o, "Image", json_new_str(ctr_config_image(c)));
	/* podman 4.3's is null, whatever the image's volumes and -v /anon */
	json_obj_add(o, "Volumes", json_new_nil_map());
	json_obj_add(o, "WorkingDir", json_new_str(c->workdir ? c->workdir : "/"));
	json_obj_add(o, "OnBuild", json_new_nil_list()); /* podman 4.3: a nil list (burrow builds no images) */
	json_obj_add(o, "Labels", cmd_kv_object_or_nil(c->labels)); /* podman: null when none */
	json_obj_add(o, "Annotations", cmd_kv_object(c->annotations));
	json_obj_add(o, "CreateCommand", json_new_strv(c->create_command));
	json_obj_add(o, "sdNotifyMode", /* podman's spelling */
	             json_new_str(c->sdnotify ? c->sdnotify : "container"));
	json_obj_add(o, "Timeout", json_new_int(c->timeout)); /* --timeout */
	/* podman 4's: the signal's number (SIGTERM without one), the seconds */
	json_obj_add(o, "StopSignal", json_new_int(c->stop_signal > 0 ? c->stop_signal : SIGTERM));
	json_obj_add(o, "StopTimeout", json_new_int(c->stop_timeout));
	json_obj_add(o, "Umask", json_new_str(c->umask ? c->umask : "0022"));
	/* run --passwd, true unless --passwd=false (ctr_userns_etc) */
	json_obj_add(o, "Passwd", json_new_bool(!c->no_passwd));
	if (c->secrets && c->secrets[0]) {
		/* which secrets, never their content */
		yajl_val arr = json_obj_add(o, "Secrets", json_new_array());
		for (size_t i = 0; c->secrets[i]; i++) {
			struct ctr_secret_use u;
			cleanup_err struct burrow_err *e = NULL;
			if (ctr_secret_use_decode(c->secrets[i], &u, &e) < 0)
				continue;
			yajl_val so = json_arr_add(arr, json_new_object());
			json_obj_add(so, "Name", json_new_str(u.name));
			json_obj_add(so, "ID", json_new_str(u.id ? u.id : ""));
			json_obj_add(so, "UID", json_new_int(u.uid));
			json_obj_add(so, "GID", json_new_int(u.gid));
			json_obj_add(so, "Mode", json_new_int(u.mode));
			ctr_secret_use_clear(&u);
		}
	}
	return o;
}

/* podman's NetworkMode for burrow's canonical --network ("slirp:mtu=1500"). */
static yajl_val network_mode(const char *net)
{
	if (!net || strncmp(net, "slirp", 5) == 0)
		return json_new_str("slirp4netns");
	return json_new_strn(net, strcspn(net, ":"));
}

/* HostConfig's security fields, as podman's. */
static void sec_hostconfig_json(yajl_val o, yajl_val secopt, const struct ctr_config *c)
{
	for (size_t i = 0; c->mask && c->mask[i]; i++) {
		cleanup_free char *s = xasprintf("mask=%s", c->mask[i]);
		json_arr_add(secopt, json_new_str(s));
	}
	for (size_t i = 0; c->unmask && c->unmask[i]; i++) {
		cleanup_free char *s = xasprintf("unmask=%s", c->unmask[i]);
		json_arr_add(secopt, json_new_str(s));
	}
	if (!c->new_privileges)
		json_arr_add(secopt, json_new_str("no-new-privileges"));
	json_obj_add(o, "CapAdd", json_new_strv(c->cap_add));
	json_obj_add(o, "CapDrop", json_new_strv(c->cap_drop));
	json_obj_add(o, "Privileged", json_new_bool(c->privileged));
}

/* HostConfig's devices and resource limits, as podman's (--cpus shows
 * as its quota in a 100 ms period too). */
static void res_hostconfig_json(yajl_val o, const struct ctr_config *c)
{
	yajl_val devs = json_obj_add(o, "Devices", json_new_array());
	for (size_t i = 0; c->devices && c->devices[i]; i++) {
		cleanup_strv char **p = strv_split(c->devices[i], ':');
		if (strv_len(p) != 3)
			continue;
		yajl_val d = json_arr_add(devs, json_new_object());
		json_obj_add(d, "PathOnHost", json_new_str(p[0]));
		json_obj_add(d, "PathInContainer", json_new_str(p[1]));
		json_obj_add(d, "CgroupPermissions", json_new_str(p[2]));
	}
	json_obj_add(o, "DeviceCgroupRules", json_new_strv(c->device_rules));
	json_obj_add(o, "Memory", json_new_int(c->memory));
	json_obj_add(o, "MemoryReservation", json_new_int(c->mem_reserve));
	json_obj_add(o, "MemorySwap", json_new_int(c->memory_swap));
	long long period = c->cpu_period ? c->cpu_period : c->nano_cpus ? 100000 : 0;
	long long quota = c->nano_cpus ? c->nano_cpus * 100000 / 1000000000LL : c->cpu_quota;
	json_obj_add(o, "NanoCpus",
	             json_new_int(c->nano_cpus          ? c->nano_cpus
	                          : quota > 0 && period ? quota * 1000000000LL / period
	                                                : 0));
	json_obj_add(o, "CpuShares", json_new_int(c->cpu_shares));
	json_obj_add(o, "CpuPeriod", json_new_int(period));
	json_obj_add(o, "CpuQuota", json_new_int(quota));
	json_obj_add(o, "CpusetCpus", json_new_str(c->cpuset_cpus ? c->cpuset_cpus : ""));
	json_obj_add(o, "PidsLimit", json_new_int(c->pids_limit > 0 ? c->pids_limit : 0));
}

/* HostConfig.UsernsMode and IDMappings, as podman's ("0:1:1000"). */
static void idmap_json(yajl_val hc, const struct ctr_config *c)
{
	json_obj_add(hc, "UsernsMode", json_new_str(c->userns ? c->userns : ""));
	if (!c->uid_map)
		return;
	yajl_val m = json_obj_add(hc, "IDMappings", json_new_object());
	cleanup_strv char **u = strv_split(c->uid_map, ',');
	cleanup_strv char **g = strv_split(c->gid_map ? c->gid_map : "", ',');
	json_obj_add(m, "UidMap", json_new_strv(u));
	json_obj_add(m, "GidMap", json_new_strv(g));
}

static yajl_val hostconfig_json(const struct ctr_config *c, const char *log_path)
{
	yajl_val o = json_new_object();
	json_obj_add(o, "NetworkMode", network_mode(c->network));
	json_obj_add(o, "PidMode", json_new_str(ctr_nsmode_inspect(c, CTR_NS_PID)));
	json_obj_add(o, "IpcMode", json_new_str(ctr_nsmode_inspect(c, CTR_NS_IPC)));
	json_obj_add(o, "UTSMode", json_new_str(ctr_nsmode_inspect(c, CTR_NS_UTS)));
	yajl_val rp = json_obj_add(o, "RestartPolicy", json_new_object());
	const char *pol = c->restart_policy && strcmp(c->restart_policy, "no") != 0 ? c->restart_policy : "";
	json_obj_add(rp, "Name", json_new_str(pol));
	json_obj_add(rp, "MaximumRetryCount", json_new_int(c->restart_max));
	json_obj_add(o, "AutoRemove", json_new_bool(c->rm));
	json_obj_add(o, "AutoRemoveImage", json_new_bool(c->rmi));      /* --rmi */
	json_obj_add(o, "OomScoreAdj", json_new_int(c->oom_score_adj)); /* --oom-score-adj */
	json_obj_add(o, "Init", json_new_bool(c->init_path != NULL));
	yajl_val lc = json_obj_add(o, "LogConfig", json_new_object());
	json_obj_add(lc, "Type", json_new_str(c->log_driver ? c->log_driver : "k8s-file"));
	json_obj_add(lc, "Config", json_new_nil_map());
	json_obj_add(lc, "Path", json_new_str(log_path ? log_path : ""));
	char size[32] = "0B";
	if (c->log_max_size > 0)
		snprintf(size, sizeof(size), "%lldB", c->log_max_size);
	json_obj_add(lc, "Size", json_new_str(size));
	json_obj_add(o, "ShmSize", json_new_int(c->shm_size > 0 ? c->shm_size : 64LL << 20));
	/* as given, [] when none (podman prints these lists empty, never null) */
	json_obj_add(o, "Dns", json_new_strv(c->dns));
	json_obj_add(o, "DnsOptions", json_new_strv(c->dns_options));
	json_obj_add(o, "DnsSearch", json_new_strv(c->dns_search));
	json_obj_add(o, "ExtraHosts", json_new_strv(c->add_hosts));
	json_obj_add(o, "GroupAdd", json_new_strv(c->groups));
	struct netns_ports ps;
	cmd_ctr_ports(c, NULL, &ps);
	json_obj_add(o, "PortBindings", cmd_ports_map_json(&ps));
	netns_ports_clear(&ps);
	yajl_val so = json_obj_add(o, "SecurityOpt", json_new_array());
	if (c->seccomp) {
		cleanup_free char *s = xasprintf("seccomp=%s", c->seccomp);
		json_arr_add(so, json_new_str(s));
	}
	sec_hostconfig_json(o, so, c);
	idmap_json(o, c);
	res_hostconfig_json(o, c);
	return o;
}

/* GraphDriver: burrow's overlay (fuse-overlayfs) directories under
 * podman's names; a --rootfs container has none. */
static yajl_val graph_json(const struct ctr_inspect *i)
{
	yajl_val o = json_new_object();
	json_obj_add(o, "Name", json_new_str(i->upper_dir ? "overlay" : ""));
	if (!i->upper_dir) {
		json_obj_add(o, "Data", json_new_nil_map());
		return o;
	}
	yajl_val d = json_obj_add(o, "Data", json_new_map());
	if (i->lower_dirs)
		json_obj_add(d, "LowerDir", json_new_str(i->lower_dirs));
	if (i->merged_dir)
		json_obj_add(d, "MergedDir", json_new_str(i->merged_dir));
	json_obj_add(d, "UpperDir", json_new_str(i->upper_dir));
	json_obj_add(d, "WorkDir", json_new_str(i->work_dir));
	return o;
}

/* NetworkSettings as podman 4.3's for slirp4netns, host and none: no
 * address of its own on a network podman manages, so "" and 0 (slirp's
 * 10.0.2.100 is the same for every container and not reachable from the
 * host), and the published ports. */
static yajl_val netsettings_json(const struct ctr_inspect *i)
{
	static const char *const strs[] = {"EndpointID", "Gateway", "IPAddress", NULL};
	static const char *const v6[] = {"IPv6Gateway", "GlobalIPv6Address", NULL};
	yajl_val ns = json_new_object();
	for (size_t k = 0; strs[k]; k++)
		json_obj_add(ns, strs[k], json_new_str(""));
	json_obj_add(ns, "IPPrefixLen", json_new_int(0));
	for (size_t k = 0; v6[k]; k++)
		json_obj_add(ns, v6[k], json_new_str(""));
	json_obj_add(ns, "GlobalIPv6PrefixLen", json_new_int(0));
	json_obj_add(ns, "MacAddress", json_new_str(""));
	json_obj_add(ns, "Bridge", json_new_str(""));
	json_obj_add(ns, "SandboxID", json_new_str(""));
	json_obj_add(ns, "HairpinMode", json_new_bool(false));
	json_obj_add(ns, "LinkLocalIPv6Address", json_new_str(""));
	json_obj_add(ns, "LinkLocalIPv6PrefixLen", json_new_int(0));
	struct netns_ports ps;
	cmd_ctr_ports(&i->cfg, &i->run, &ps);
	json_obj_add(ns, "Ports", cmd_ports_map_json(&ps));
	netns_ports_clear(&ps);
	json_obj_add(ns, "SandboxKey", json_new_str(""));
	return ns;
}

static yajl_val str_or_empty(const char *s)
{
	return json_new_str(s ? s : "");
}

yajl_val cmd_ctr_inspect_json(const struct ctr_inspect *i)
{
	const struct ctr_config *c = &i->cfg;
	yajl_val o = json_new_object();
	json_obj_add(o, "Id", json_new_str(c->id));
	json_obj_add(o, "Created", time_json(c->created, c->created_ns));
	json_obj_add(o, "Path", json_new_str(c->args && c->args[0] ? c->args[0] : ""));
	json_obj_add(o, "Args", json_new_strv(c->args && c->args[0] ? c->args + 1 : NULL));
	json_obj_add(o, "State", state_json(i));
	json_obj_add(o, "Image", str_or_empty(c->image_id));
	json_obj_add(o, "ImageDigest", str_or_empty(i->image_digest));
	json_obj_add(o, "ImageName", json_new_str(ctr_config_image(c)));
	json_obj_add(o, "Rootfs", str_or_empty(c->rootfs));
	json_obj_add(o, "Pod", json_new_str("")); /* burrow has no pods */
	/* podman's: "" until a start writes them */
	json_obj_add(o, "ResolvConfPath", str_or_empty(i->resolv_path));
	json_obj_add(o, "HostnamePath", str_or_empty(i->hostname_path));
	json_obj_add(o, "HostsPath", str_or_empty(i->hosts_path));
	json_obj_add(o, "StaticDir", str_or_empty(i->static_dir));
	json_obj_add(o, "OCIConfigPath", str_or_empty(i->oci_config)); /* "" until a start writes it */
	json_obj_add(o, "OCIRuntime", json_new_str("burrow"));         /* its built-in runtime, as info's ociRuntime */
	json_obj_add(o, "ConmonPidFile", str_or_empty(i->monitor_pidfile)); /* its monitor's, podman's conmon's */
	json_obj_add(o, "LogPath", str_or_empty(i->log_path));
	json_obj_add(o, "PidFile", str_or_empty(c->pidfile)); /* --pidfile */
	json_obj_add(o, "Name", json_new_str(c->name));
	json_obj_add(o, "RestartCount", json_new_int(c->restart_count));
	json_obj_add(o, "Driver", json_new_str(c->rootfs ? "" : "overlay"));
	json_obj_add(o, "MountLabel", json_new_str(""));
	json_obj_add(o, "ProcessLabel", json_new_str(""));
	json_obj_add(o, "AppArmorProfile", json_new_str(""));
	{
		cleanup_strv char **bounding = ctr_caps_bounding(c);
		cleanup_strv char **effective = ctr_caps_effective(c, bounding);
		json_obj_add(o, "EffectiveCaps", json_new_strv(effective));
		json_obj_add(o, "BoundingCaps", json_new_strv(bounding));
	}
	/* podman's: its exec sessions' IDs; burrow keeps no exec sessions by
	 * ID (an exec is a process of the caller's or, with -d, a detached
	 * one) */
	json_obj_add(o, "ExecIDs", json_new_array());
	json_obj_add(o, "GraphDriver", graph_json(i));
	json_obj_add(o, "Mounts", json_new_array());
	json_obj_add(o, "Dependencies", json_new_strv(c->requires));
	json_obj_add(o, "NetworkSettings", netsettings_json(i));
	json_obj_add(o, "Namespace", json_new_str("")); /* podman's libpod namespace: burrow has none */
	json_obj_add(o, "IsInfra", json_new_bool(false));
	json_obj_add(o, "IsService", json_new_bool(false));
	json_obj_add(o, "Config", config_json(c));
	json_obj_add(o, "HostConfig", hostconfig_json(c, i->log_path));
	return o;
}
