/* What `burrow info` reports. */
#ifndef BURROW_CONTAINER_INFO_H
#define BURROW_CONTAINER_INFO_H

#include <stdbool.h>

#include "lib/err.h"
#include "overlay/overlay.h"
#include "userns/userns.h"

struct ctr_sysinfo {
	const char *root, *root_source, *runroot, *runroot_source;
	const char *root_fstype;
	bool root_network_fs;
	struct userns_info ns;
	char *fuse_path, *fuse_version;
	/* /dev/fuse as fuse-overlayfs will open it: NULL when it opens, else
	 * why not and the fix */
	char *fuse_device_error;
	const char *fuse_device_hint;
	bool kernel_overlay;
	const char *slirp_version;
	char *kernel;
	/* the machine, as podman's info shows it */
	char *hostname;
	long long mem_total, mem_free, swap_total, swap_free; /* bytes (-1: unknown) */
	long cpus;                                            /* online */
	long long uptime;                                     /* seconds */
	const char *cgroup_version;                           /* "v2", "v1" */
	bool seccomp;                                         /* the kernel filters system calls */
	char *exe;                                            /* burrow's own binary */
	char *distribution, *distribution_version;            /* /etc/os-release ID, VERSION_ID */
	/* the delegated cgroup2 a container's cgroup is made in, where pause
	 * freezes through cgroup.freeze; NULL: pause sends SIGSTOP */
	char *freezer_base;
};

/* Collects it (inside the namespace); ovl says which fuse-overlayfs. */
int ctr_sysinfo_collect(const char *root, const char *root_source, const char *runroot, const char *runroot_source,
                        const struct ovl_opts *ovl, struct ctr_sysinfo *out, struct burrow_err **err);
void ctr_sysinfo_clear(struct ctr_sysinfo *i);

#endif
