/* Container lifecycle: create, run, list, remove, refresh. */
#ifndef BURROW_CONTAINER_H
#define BURROW_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "container/record.h"
#include "lib/err.h"
#include "overlay/overlay.h"

struct netns_cfg;
struct state_store;

/* The user's settings that reach below cmd/ (burrow.conf; cmd/ fills it).
 * Zero is the defaults. */
struct ctr_engine_opts {
	struct ovl_opts ovl; /* how root filesystems are mounted */
};

struct ctr_create_opts {
	const char *image;      /* image reference, or a directory with rootfs */
	bool rootfs;            /* --rootfs: image is a directory */
	char **cmd;             /* command after the image (may be NULL) */
	const char *entrypoint; /* --entrypoint (NULL: the image's) */
	char **env;             /* -e NAME=VALUE, resolved */
	const char *workdir;
	const char *user;
	const char *hostname;
	const char *name;
	const struct netns_cfg *network; /* --network, parsed (NULL: the default, slirp) */
	long long shm_size;              /* bytes, 0: default 64 MiB */
	const char *seccomp;             /* NULL: podman's default profile; "unconfined" */
	bool rm, tty, interactive;
	bool started; /* it is about to be started (run): saves a write later */
};

/* One --security-opt KEY[=VALUE] into o (a later one for the same key
 * wins): seccomp=unconfined; podman's other keys (apparmor, label, mask,
 * no-new-privileges, proc-opts, unmask) are refused as not supported yet,
 * anything else as invalid. */
int ctr_parse_security_opt(const char *opt, struct ctr_create_opts *o, struct burrow_err **err);

/* The checks of the options that need nothing but the options (the
 * name): run makes them before it pulls an image. */
int ctr_create_check(const struct ctr_create_opts *o, struct burrow_err **err);

/* Validates everything, then stores the container (configured). */
int ctr_create(struct state_store *s, const struct ctr_create_opts *o, struct ctr_config *out, struct burrow_err **err);

/* Runs c in the foreground, this process acting as its monitor: mounts
 * the rootfs, starts it, relays stdio and signals, drives the network,
 * records the exit code (in both records: the persistent one outlives the
 * runtime dir), cleans up (and removes it with --rm). fresh: c was created
 * for this run, and goes again (records, name, directories) when burrow
 * fails before the container runs. *exit_code: the container's own; on
 * failure err->status is ENOENT when the command was not found (127),
 * EACCES-like when it cannot be executed (126), anything else is burrow's
 * own failure (125). */
int ctr_run_foreground(struct state_store *s, struct ctr_config *c, const struct ctr_engine_opts *eng, bool fresh,
                       int *exit_code, struct burrow_err **err);

/* Removes a container. A running one is refused (status EBUSY) unless
 * force: then it is killed, and removed once its monitor has cleaned up. */
int ctr_remove(struct state_store *s, const char *ref, bool force, struct burrow_err **err);

struct ctr_listing {
	struct ctr_config cfg;
	struct ctr_run run;
};
/* Containers, newest first; running ones only unless all. */
int ctr_list(struct state_store *s, bool all, struct ctr_listing **out, size_t *n, struct burrow_err **err);
void ctr_listing_free(struct ctr_listing *l, size_t n);

/* Makes the storage root's containers/ and layers/ (and volumes/, when
 * there is one) private, 0700, whatever the root's own mode: a root other
 * users can enter (--root on a shared scratch directory) must not let them
 * reach a container's upper dir. Made when missing; fixed (said once when
 * others can enter the root) when others could enter them. */
int ctr_storage_private(const char *root, struct burrow_err **err);

/* After a reboot (state.tdb missing): every container becomes configured
 * or exited, as the seeds' resetState/refresh do. */
int ctr_refresh(struct state_store *s, struct burrow_err **err);

#endif
