/* Root filesystem mounts (fuse-overlayfs; kernel overlay probing) and the
 * layout of the layer store on disk: ROOT/layers/<id>/diff. */
#ifndef BURROW_OVERLAY_H
#define BURROW_OVERLAY_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"

/* The layer store. ovl_layers_dir: ROOT/layers; ovl_layer_dir:
 * ROOT/layers/<id>/diff. Newly allocated. */
char *ovl_layers_dir(const char *root);
char *ovl_layer_dir(const char *root, const char *id);

/* What the user's settings say about mounts (cmd/ fills it from
 * burrow.conf). NULL, or zero, means the defaults. */
struct ovl_opts {
	const char *fuse_program; /* [engine] fuse_overlayfs; NULL: found on PATH */
	/* fuse-overlayfs's uidmapping/gidmapping (NULL: none): "ID:MAPPED:N
	 * [,ID:MAPPED:N...]", a file of ID on disk is shown as MAPPED (and one
	 * made by MAPPED stored as ID), for a container with a user namespace
	 * of its own: it sees the files' IDs as they are on disk, at no cost */
	const char *uidmapping;
	const char *gidmapping;
};

/* Finds fuse-overlayfs (the configured path, else PATH). Missing: ENOENT,
 * the error names the Debian package fuse-overlayfs. */
int ovl_find_fuse(const struct ovl_opts *o, char **path, struct burrow_err **err);

/* Mounts a fuse-overlayfs at target: lowerdirs (NULL-terminated, lowest
 * first) + upper + work. The caller is root in burrow's user namespace, so
 * fuse-overlayfs mounts by itself (it adds default_permissions and
 * allow_other, so every uid of the namespace can use the mount). Returns
 * once the mount is ready (fuse-overlayfs daemonizes then; the wait is
 * bounded). Paths may not contain ',' or ':' (fuse-overlayfs option
 * syntax). Its own failure: its stderr in the message. *server (may be
 * NULL) is the pid of the fuse-overlayfs process serving the mount, 0 if it
 * could not be told; it stays a child of the caller until it exits. */
int ovl_mount(const struct ovl_opts *o, char *const *lowerdirs, const char *upper, const char *work, const char *target,
              pid_t *server, struct burrow_err **err);

/* Unmounts target (umount2, lazily when busy) and waits (bounded) until the
 * fuse-overlayfs process serving it is gone, killing it if it lingers.
 * server: the pid ovl_mount gave (checked to still be that server), or 0 to
 * look for it among all processes. A target that is not mounted is fine. */
int ovl_umount(const char *target, pid_t server, struct burrow_err **err);

/* For `burrow info`: fuse-overlayfs path and version; whether kernel
 * overlayfs can be mounted in this user namespace (tried once in a temporary
 * directory under tmpdir, removed afterwards). A missing fuse-overlayfs is not
 * an error here: fuse_path and fuse_version stay NULL. */
struct ovl_probe {
	char *fuse_path;
	char *fuse_version;
	bool kernel_overlay_works;
};
int ovl_probe(const struct ovl_opts *o, const char *tmpdir, struct ovl_probe *out, struct burrow_err **err);
void ovl_probe_clear(struct ovl_probe *p);

#endif
