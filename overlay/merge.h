/* A walk of image layers and a container's upper directory merged as
 * overlayfs (and fuse-overlayfs) shows them, without mounting them: for
 * export of a container that is not running; and one path looked up in
 * that tree by the same rules: for diff. */
#ifndef BURROW_OVERLAY_MERGE_H
#define BURROW_OVERLAY_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/walk.h"

/* A layer's whiteout of NAME is the entry OVL_WHITEOUT "NAME"; a file
 * OVL_OPAQUE in a directory makes it opaque, as does the 0/0 character
 * device OVL_OPAQUE_DEV that fuse-overlayfs may leave beside it. */
#define OVL_WHITEOUT ".wh."
#define OVL_OPAQUE ".wh..wh..opq"
#define OVL_OPAQUE_DEV ".wh..opq"

/* Walks the merged tree of layers[0, n) (directory fds, the lowest first,
 * a container's upper directory last), calling fn as walk_tree(layers[..],
 * ".", "", WALK_SORTED, ...) calls it on a mount of them: each directory's
 * entries in strcmp order after its WALK_ENTER (at->fd, at->st: the
 * topmost layer's directory, at->dirfd that too and at->name "."), an
 * entry's at->dirfd the directory of the layer that holds it; no at->st
 * for a non-directory (stat_ok 0). The topmost layer that names an entry decides it;
 * ".wh.NAME" files and 0/0 character devices hide what lower layers have
 * at NAME (and, as fuse-overlayfs, a NAME of their own layer too: only layers an older burrow unpacked still hold such
 * a pair), an opaque directory (ovl_dir_opaque) hides the lower layers' directories at its path; neither marker is
 * visited. Nothing is followed: directories are opened from their layer's with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS.
 * The layers must not change meanwhile (a container that is not running): an entry gone meanwhile fails the walk. 0, or
 * -1 with *err set. */
int ovl_merge_walk(const int *layers, size_t n, walk_fn fn, void *data, struct burrow_err **err);

/* Whether path (relative to the layers' top, '/'-separated; "" the root)
 * is in the merged tree of layers[0, n) as ovl_merge_walk would visit it,
 * by the same rules, looked up one name at a time: 1, 0, or -1 with *err
 * set. diff (container/export.c) asks it of an image's layers. */
int ovl_merge_has(const int *layers, size_t n, const char *path, struct burrow_err **err);

/* Whether directory fd of a layer or an upper dir is opaque (hides the
 * lower layers' directories at its path): a ".wh..wh..opq" file, the 0/0
 * ".wh..opq" device fuse-overlayfs may leave beside it, or an opaque xattr
 * ("y"): fuse-overlayfs's, the kernel's (trusted.) or, with userxattr, its
 * user. one. Commit (image/commit.c) and ovl_merge_walk ask it. */
bool ovl_dir_opaque(int fd);

/* Whether name is one of those opacity markers (OVL_OPAQUE or
 * OVL_OPAQUE_DEV): the directory's state, not an entry of it (diff and
 * commit skip both; the device must not read as a whiteout of ".opq"). */
bool ovl_opaque_marker(const char *name);

/* Whether xattr name is one of the overlay's own (whiteouts, opacity,
 * origin, fuse-overlayfs's stat override), which a mount does not show. */
bool ovl_private_xattr(const char *name);

#endif
