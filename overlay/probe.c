/* What `burrow info` reports about root filesystem mounts. */
#include "overlay/overlay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "overlay/internal.h"

#define VERSION_TIMEOUT_MS 3000

/* "fuse-overlayfs: version 1.10" somewhere in the output -> "1.10". */
static char *parse_version(const char *out)
{
	const char *p = strstr(out, "fuse-overlayfs: version ");
	if (p) {
		p += strlen("fuse-overlayfs: version ");
		return xstrndup(p, strcspn(p, " \t\r\n"));
	}
	return NULL;
}

static char *fuse_version(const char *prog)
{
	char *argv[] = {(char *)prog, (char *)"--version", NULL};
	int status = 0;
	cleanup_free char *out = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (ovl_run(argv, "printing its version", VERSION_TIMEOUT_MS, &status, &out, &e) < 0) {
		burrow_debug("%s", e->msg);
		return NULL;
	}
	return parse_version(out);
}

/* Kernel overlayfs in a user namespace needs Linux 5.11; userxattr keeps
 * its private xattrs in user.overlay.* where we may write them. */
static bool try_kernel_overlay(const char *dir)
{
	cleanup_free char *l = path_join(dir, "l");
	cleanup_free char *u = path_join(dir, "u");
	cleanup_free char *w = path_join(dir, "w");
	cleanup_free char *m = path_join(dir, "m");
	if (mkdir(l, 0700) < 0 || mkdir(u, 0700) < 0 || mkdir(w, 0700) < 0 || mkdir(m, 0700) < 0)
		return false;
	static const char *extra[] = {",userxattr", ""};
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		cleanup_free char *opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s%s", l, u, w, extra[i]);
		if (mount("overlay", m, "overlay", 0, opts) == 0) {
			umount2(m, MNT_DETACH);
			return true;
		}
		burrow_debug("kernel overlay mount (%s) failed: %s", opts, strerror(errno));
	}
	return false;
}

int ovl_probe(const struct ovl_opts *o, const char *tmpdir, struct ovl_probe *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_err struct burrow_err *e = NULL;
	if (ovl_find_fuse(o, &out->fuse_path, &e) == 0)
		out->fuse_version = fuse_version(out->fuse_path);

	cleanup_free char *dir = path_join(tmpdir, "ovl-probe-XXXXXX");
	if (!mkdtemp(dir)) {
		ovl_probe_clear(out);
		return burrow_error(err, errno, "cannot create a directory in '%s'", tmpdir);
	}
	out->kernel_overlay_works = try_kernel_overlay(dir);
	cleanup_err struct burrow_err *rm_err = NULL;
	if (rm_rf(dir, &rm_err) < 0)
		burrow_debug("cannot remove '%s': %s", dir, rm_err->msg);
	return 0;
}

void ovl_probe_clear(struct ovl_probe *p)
{
	if (!p)
		return;
	free(p->fuse_path);
	free(p->fuse_version);
	memset(p, 0, sizeof(*p));
}
