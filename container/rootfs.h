/* A container's root filesystem opened for the tools (cp, export): the
 * running container's mount, or, for a stopped one, a fuse-overlayfs mount
 * made for the time it is open. Private to container/. */
#ifndef BURROW_CONTAINER_ROOTFS_H
#define BURROW_CONTAINER_ROOTFS_H

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

/* Looks up, locks and opens container ref's root filesystem. The lock
 * keeps it from starting or being cleaned up meanwhile. */
int ctr_rootfs_open(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref, struct ctr_rootfs *out,
                    struct burrow_err **err);
/* Unmounts what open mounted, unlocks. -1 when the unmount failed. */
int ctr_rootfs_close(struct ctr_rootfs *rf, struct burrow_err **err);

#endif
