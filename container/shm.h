/* A container's /dev/shm as --ipc and --shm-size make it. With an IPC
 * namespace of its own that others may join (shareable, the default, or
 * ns:PATH) it
 * is a tmpfs that burrow mounts at RUNDIR/shm, in burrow's mount
 * namespace, and binds into the container: a container run with --ipc
 * container:NAME binds the same one, and sees the files NAME writes there
 * (as podman's shm directory). --ipc private and ns:PATH: a tmpfs of the
 * container's own, mounted in its namespace by the runtime; none: no
 * /dev/shm; host: the host's. Private to container/. */
#ifndef BURROW_CONTAINER_SHM_H
#define BURROW_CONTAINER_SHM_H

#include <stdbool.h>

#include "container/record.h"
#include "lib/err.h"

struct state_store;

/* The size of the container's own /dev/shm in bytes (--shm-size, else
 * 64 MiB as podman's). */
long long ctr_shm_size(const struct ctr_config *c);
/* Whether c has a shareable /dev/shm of its own at RUNDIR/shm: its IPC
 * namespace is a new one (shareable, the default) or ns:PATH. */
bool ctr_shm_shareable(const struct ctr_config *c);
/* --ipc VALUE (container:NAME) at create, peer_id NAME's ID: 0, or -1
 * (EINVAL) when no container may join NAME's IPC namespace, as podman
 * refuses it: NAME's is --ipc private, or none (no /dev/shm). host and
 * container: may be joined: the joiner gets the host's /dev/shm, or the
 * one NAME has. */
int ctr_shm_check_peer(struct state_store *s, const char *peer_id, const char *value, struct burrow_err **err);
/* The directory to bind at c's /dev/shm in *dir (caller frees), NULL for
 * none (the runtime's tmpfs, or the modes above): for a shareable c a new
 * tmpfs at rundir/shm (one left from an earlier run is detached first);
 * for --ipc container:ID the /dev/shm of that container (of the one it
 * joined in turn; /dev/shm for host), which must be mounted (a container
 * started by an older burrow has none: c gets a tmpfs of its own, with a
 * warning). 0, or -1 when the mount fails. */
int ctr_shm_prepare(struct state_store *s, const struct ctr_config *c, const char *rundir, char **dir,
                    struct burrow_err **err);
/* At a start of c: when containers that joined its IPC namespace (--ipc
 * container:c) still run, they joined an earlier run's, whose IPC
 * namespace and /dev/shm they keep while c gets new ones (as with
 * podman): the warning that says so, naming them (caller frees); NULL
 * when none runs. Call it before the start is recorded (ctr_config_set_last):
 * a c that did not run before in this boot has no joiner to look for. */
char *ctr_shm_stale_joiners(struct state_store *s, const struct ctr_config *c);
/* Detaches the tmpfs at rundir/shm, if any (before rundir is removed). */
void ctr_shm_release(const char *rundir);

#endif
