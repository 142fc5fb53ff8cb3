/* A container's root filesystem opened for the tools (cp, export): the
 * running container's mount, or, for a stopped one, a fuse-overlayfs mount
 * made for the time it is open. Private to container/. */
#ifndef BURROW_CONTAINER_ROOTFS_H
#define BURROW_CONTAINER_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/record.h"
#include "lib/err.h"

struct state_store;
struct ctr_engine_opts;

struct ctr_rootfs {
	struct ctr_config c;
	struct ctr_run r;
	int lock;      /* the container's lock, held while it is open */
	int fd;        /* the root directory, O_RDONLY|O_DIRECTORY */
	char *mounted; /* the mount made for it (unmounted at close), or NULL */
	pid_t fuse_pid;
	char *rundir; /* made for that mount (removed at close), or NULL */
};

/* ctr_lock_load for the tools: a container gone meanwhile is ENOENT ("no
 * such container"). 0 or -1; *lock (-1 when not taken) is the caller's to
 * unlock, c and r to clear, either way. */
int ctr_tool_lock(struct state_store *s, const char *ref, int *lock, struct ctr_config *c, struct ctr_run *r,
                  struct burrow_err **err);
/* Mounts c's image layers and upper dir (fuse-overlayfs) at
 * RUNROOT/containers/<id>/merged, the same mount for a start (ctr_prepare)
 * as for the tools (cp, burrow mount): with c's own user namespace, its
 * IDs mapped (ctr_userns_ovl_mount). *merged is where, *fuse_pid its
 * server. *made_rundir: the runtime dir was made for it. */
int ctr_rootfs_mount(struct state_store *s, const struct ctr_engine_opts *eng, const struct ctr_config *c,
                     char **merged, pid_t *fuse_pid, bool *made_rundir, struct burrow_err **err);

/* Looks up, locks and opens container ref's root filesystem. The lock
 * keeps it from starting or being cleaned up meanwhile. */
int ctr_rootfs_open(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref, struct ctr_rootfs *out,
                    struct burrow_err **err);
/* ctr_rootfs_open, but a root filesystem not mounted already (a stopped
 * container's, cleaned up) is not mounted: out->fd is then -1 and the
 * caller reads its image's layers and its upper dir while it holds
 * the lock. */
int ctr_rootfs_open_mounted(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref,
                            struct ctr_rootfs *out, struct burrow_err **err);
/* Lets the lock go once rf's fd is open on a mount it did not make (a
 * running container's, one `burrow mount` keeps, a --rootfs directory):
 * stop, rm and cleanup then need not wait for a long copy. What they do
 * meanwhile makes the copy fail (the unmount detaches the mount and ends
 * its fuse-overlayfs: ENOTCONN), never go elsewhere: every path is
 * resolved from rf's fd. A mount made for the open keeps the lock, so
 * that no start mounts the same upper directory twice and no rm removes it
 * under the mount. */
void ctr_rootfs_unlock(struct ctr_rootfs *rf);
/* Unmounts what open mounted, unlocks. -1 when the unmount failed. */
int ctr_rootfs_close(struct ctr_rootfs *rf, struct burrow_err **err);

#endif
