/* burrow mount, unmount, rename (container/tools.h); mount.c is a container's own -v/--mount. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "container/events.h"
#include "container/internal.h"
#include "container/rootfs.h"
#include "container/tools.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "overlay/overlay.h"
#include "state/state.h"

int ctr_mount(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref, char **path,
              struct burrow_err **err)
{
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	int lock = -1, rc = -1;
	if (ctr_tool_lock(s, ref, &lock, &c, &r, err) < 0)
		goto out;
	if (c.rootfs) {
		*path = xstrdup(c.rootfs);
		rc = 0;
		goto out;
	}
	if (!r.mountpoint) {
		bool made_rundir;
		if (ctr_rootfs_mount(s, eng, &c, &r.mountpoint, &r.fuse_pid, &made_rundir, err) < 0)
			goto out;
		r.mount_count = 0;
	}
	r.mount_count++;
	if (ctr_run_save(s, c.id, &r, err) < 0)
		goto out;
	*path = xstrdup(r.mountpoint);
	ctr_event(s, &c, "mount");
	rc = 0;
out:
	if (rc < 0)
		burrow_error_wrap(err, "cannot mount container '%s'", str_quote(c.name ? c.name : ref));
	if (lock >= 0)
		state_unlock(lock);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return rc;
}

int ctr_unmount(struct state_store *s, const char *ref, bool force, char **idp, struct burrow_err **err)
{
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	int lock = -1, rc = -1;
	if (ctr_tool_lock(s, ref, &lock, &c, &r, err) < 0)
		goto out;
	if (r.mount_count > 0)
		r.mount_count = force ? 0 : r.mount_count - 1;
	if (r.mountpoint && r.mount_count == 0 && !ctr_state_active(r.state) && !c.rootfs) {
		/* nothing holds it any more: a stopped container's mount */
		if (ovl_umount(r.mountpoint, r.fuse_pid, err) < 0)
			goto out;
		(void)rmdir(r.mountpoint);
		free(r.mountpoint);
		r.mountpoint = NULL;
		r.fuse_pid = 0;
	}
	if (ctr_run_save(s, c.id, &r, err) < 0)
		goto out;
	if (idp)
		*idp = xstrdup(c.id);
	ctr_event(s, &c, "unmount");
	rc = 0;
out:
	if (rc < 0)
		burrow_error_wrap(err, "cannot unmount container '%s'", str_quote(c.name ? c.name : ref));
	if (lock >= 0)
		state_unlock(lock);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return rc;
}

int ctr_rename(struct state_store *s, const char *ref, const char *name, struct burrow_err **err)
{
	if (!state_valid_name(name))
		return burrow_error_status(
		    err, EINVAL, "invalid container name '%s': use letters, digits, '_', '.' and '-'", str_quote(name));
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	int lock = -1, rc = -1;
	if (ctr_tool_lock(s, ref, &lock, &c, &r, err) == 0)
		rc = strcmp(c.name, name) == 0 ? 0 : ctr_config_rename(s, &c, name, err);
	if (rc == 0 && c.name)
		ctr_event(s, &c, "rename");
	if (lock >= 0)
		state_unlock(lock);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return rc;
}
