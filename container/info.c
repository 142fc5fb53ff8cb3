#include "container/info.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

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
	if (uname(&u) == 0)
		out->kernel = xasprintf("%s %s %s", u.sysname, u.release, u.machine);
	return 0;
}

void ctr_sysinfo_clear(struct ctr_sysinfo *i)
{
	userns_info_clear(&i->ns);
	free(i->fuse_path);
	free(i->fuse_version);
	free(i->fuse_device_error);
	free(i->kernel);
	memset(i, 0, sizeof(*i));
}
