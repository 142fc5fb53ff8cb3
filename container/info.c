#include "container/info.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "container/freezer.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "overlay/overlay.h"
#include "state/paths.h"

#define FUSE_DEVICE "/dev/fuse"

/* The check fuse-overlayfs's mount makes first: /dev/fuse opens for reading
 * and writing (missing, mode 0600 on a fresh machine, a module not loaded).
 * Opening it without mounting sets nothing up. The hint is the one a failed
 * mount gives (overlay/mount.c). */
static char *fuse_device_error(const char **hint)
{
	int fd = open(FUSE_DEVICE, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	*hint =
	    FUSE_DEVICE " must exist and be readable and writable by you (modprobe fuse; chmod 0666 " FUSE_DEVICE ")";
	return xasprintf("cannot open " FUSE_DEVICE ": %s", strerror(errno));
}

/* "Key:   N kB" of /proc/meminfo in bytes, -1 when missing */
static long long meminfo(const char *text, const char *key)
{
	cleanup_free char *k = xasprintf("\n%s:", key);
	const char *p = text ? strstr(text, k) : NULL;
	return p ? strtoll(p + strlen(k), NULL, 10) * 1024 : -1;
}

/* KEY=value of an os-release text, unquoted */
static char *os_release(const char *text, const char *key)
{
	cleanup_free char *k = xasprintf("\n%s=", key);
	const char *p = text ? strstr(text, k) : NULL;
	if (!p)
		return xstrdup("");
	p += strlen(k);
	size_t n = strcspn(p, "\n");
	if (n >= 2 && (p[0] == '"' || p[0] == '\'') && p[n - 1] == p[0])
		return xstrndup(p + 1, n - 2);
	return xstrndup(p, n);
}

static char *read_text(const char *path, const char *prefix)
{
	char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0) {
		burrow_err_free(e);
		return NULL;
	}
	/* a newline first, so that the first line matches "\nKEY" too */
	char *t = xasprintf("%s%s", prefix, text);
	free(text);
	return t;
}

static void host_facts(struct ctr_sysinfo *out)
{
	cleanup_free char *mem = read_text("/proc/meminfo", "\n");
	out->mem_total = meminfo(mem, "MemTotal");
	out->mem_free = meminfo(mem, "MemFree");
	out->swap_total = meminfo(mem, "SwapTotal");
	out->swap_free = meminfo(mem, "SwapFree");
	out->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cleanup_free char *up = read_text("/proc/uptime", "");
	out->uptime = up ? strtoll(up, NULL, 10) : 0;
	out->cgroup_version = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "v2" : "v1";
	cleanup_free char *status = read_text("/proc/self/status", "\n");
	out->seccomp = status && strstr(status, "\nSeccomp:");
	out->exe = realpath("/proc/self/exe", NULL);
	cleanup_free char *os = read_text("/etc/os-release", "\n");
	if (!os)
		os = read_text("/usr/lib/os-release", "\n");
	out->distribution = os_release(os, "ID");
	out->distribution_version = os_release(os, "VERSION_ID");
	const char *why = NULL;
	cleanup_free char *base = ctr_cg2_freezer_base(&why);
	if (base && ctr_cg2_probe(base))
		out->freezer_base = steal_ptr(base);
}

int ctr_sysinfo_collect(const char *root, const char *root_source, const char *runroot, const char *runroot_source,
                        const struct ovl_opts *ovl, struct ctr_sysinfo *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	out->root = root;
	out->root_source = root_source;
	out->runroot = runroot;
	out->runroot_source = runroot_source;
	int net = 0;
	out->root_fstype = state_fs_type(root, &net);
	out->root_network_fs = net;
	if (userns_get_info(runroot, &out->ns, err) < 0)
		return -1;
	struct ovl_probe p = {0};
	if (ovl_probe(ovl, runroot, &p, err) < 0) {
		ctr_sysinfo_clear(out);
		return -1;
	}
	out->fuse_path = p.fuse_path ? xstrdup(p.fuse_path) : NULL;
	out->fuse_version = p.fuse_version ? xstrdup(p.fuse_version) : NULL;
	out->kernel_overlay = p.kernel_overlay_works;
	out->fuse_device_error = fuse_device_error(&out->fuse_device_hint);
	ovl_probe_clear(&p);
	out->slirp_version = netns_slirp_version(err);
	if (!out->slirp_version) {
		ctr_sysinfo_clear(out);
		return -1;
	}
	struct utsname u;
	if (uname(&u) == 0) {
		out->kernel = xasprintf("%s %s %s", u.sysname, u.release, u.machine);
		out->hostname = xstrdup(u.nodename);
	}
	host_facts(out);
	return 0;
}

void ctr_sysinfo_clear(struct ctr_sysinfo *i)
{
	userns_info_clear(&i->ns);
	free(i->fuse_path);
	free(i->fuse_version);
	free(i->fuse_device_error);
	free(i->kernel);
	free(i->hostname);
	free(i->exe);
	free(i->distribution);
	free(i->distribution_version);
	free(i->freezer_base);
	memset(i, 0, sizeof(*i));
}
