/* A container's root filesystem for cp and export (container/rootfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/rootfs.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "overlay/overlay.h"
#include "state/state.h"

int ctr_tool_lock(struct state_store *s, const char *ref, int *lock, struct ctr_config *c, struct ctr_run *r,
                  struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	int dead = ctr_lock_load(s, ref, &id, lock, c, r, err);
	if (dead == 1)
		return burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
	return dead;
}

int ctr_rootfs_mount(struct state_store *s, const struct ctr_engine_opts *eng, const struct ctr_config *c,
                     char **merged_out, pid_t *fuse_pid, bool *made_rundir, struct burrow_err **err)
{
	cleanup_free char *dir = ctr_dir(s, c->id);
	cleanup_free char *rundir = ctr_rundir(s, c->id);
	cleanup_free char *upper = path_join(dir, "upper");
	cleanup_free char *work = path_join(dir, "work");
	cleanup_free char *merged = path_join(rundir, "merged");
	*made_rundir = access(rundir, F_OK) < 0;
	struct img_info *img = NULL;
	if (img_lookup(s, c->image_id, &img, err) < 0)
		return -1;
	/* everything under the storage root and the runtime dir is private
	 * (0700): the upper dir holds files of ours, setuid ones too, that no
	 * other user may reach. The upper dir itself keeps 0755, the mode of
	 * the container's "/" (fuse-overlayfs shows the top layer's root),
	 * behind its 0700 parents. With a user namespace of its own, the
	 * mount maps its IDs (ctr_userns_ovl_mount): for a run and for the
	 * tools alike, so a stopped container's files show the owners a
	 * running one's do. */
	int r = -1;
	if (mkdir_p(dir, 0700, err) == 0 && mkdir_p(upper, 0755, err) == 0 && mkdir_p(work, 0700, err) == 0 &&
	    mkdir_p(merged, 0700, err) == 0)
		r = ctr_userns_ovl_mount(c, eng ? &eng->ovl : NULL, img->layers, upper, work, merged, fuse_pid, err);
	img_info_free(img);
	if (r < 0)
		return -1;
	*merged_out = steal_ptr(merged);
	return 0;
}

static int rootfs_open(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref, bool mount,
                       struct ctr_rootfs *out, struct burrow_err **err)
{
	*out = (struct ctr_rootfs){.lock = -1, .fd = -1};
	bool made_rundir = false;
	if (ctr_tool_lock(s, ref, &out->lock, &out->c, &out->r, err) < 0)
		goto fail;
	const char *root = NULL;
	if (out->c.rootfs)
		root = out->c.rootfs;
	else if (out->r.mountpoint) /* running, or stopped and not cleaned up yet */
		root = out->r.mountpoint;
	else if (!mount)
		return 0;
	else if (ctr_rootfs_mount(s, eng, &out->c, &out->mounted, &out->fuse_pid, &made_rundir, err) < 0)
		goto fail;
	else
		root = out->mounted;
	if (made_rundir)
		out->rundir = ctr_rundir(s, out->c.id);
	out->fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (out->fd < 0) {
		burrow_error(err, errno, "cannot open the root filesystem of container '%s'", str_quote(out->c.name));
		goto fail;
	}
	return 0;
fail : {
	struct burrow_err *e2 = NULL;
	if (ctr_rootfs_close(out, &e2) < 0)
		burrow_err_free(e2);
	return -1;
}
}

int ctr_rootfs_open(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref, struct ctr_rootfs *out,
                    struct burrow_err **err)
{
	return rootfs_open(s, eng, ref, true, out, err);
}

int ctr_rootfs_open_mounted(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref,
                            struct ctr_rootfs *out, struct burrow_err **err)
{
	return rootfs_open(s, eng, ref, false, out, err);
}

void ctr_rootfs_unlock(struct ctr_rootfs *rf)
{
	if (rf->mounted || rf->lock < 0)
		return;
	state_unlock(rf->lock);
	rf->lock = -1;
}

int ctr_rootfs_close(struct ctr_rootfs *rf, struct burrow_err **err)
{
	int rc = 0;
	if (rf->fd >= 0)
		close(rf->fd);
	rf->fd = -1;
	if (rf->mounted && ovl_umount(rf->mounted, rf->fuse_pid, err) < 0)
		rc = -1;
	else if (rf->mounted)
		(void)rmdir(rf->mounted);
	if (rc == 0 && rf->rundir)
		(void)rmdir(rf->rundir);
	free(rf->mounted);
	free(rf->rundir);
	rf->mounted = rf->rundir = NULL;
	if (rf->lock >= 0)
		state_unlock(rf->lock);
	rf->lock = -1;
	ctr_config_clear(&rf->c);
	ctr_run_clear(&rf->r);
	return rc;
}
