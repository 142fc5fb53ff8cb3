/* Where the persistent store lives. */
#ifndef BURROW_STATE_PATHS_H
#define BURROW_STATE_PATHS_H

#include "lib/err.h"

/* Resolves the storage root: override (--root) wins; else
 * $XDG_DATA_HOME/burrow; else ~/.local/share/burrow. Creates it (0700).
 * *source says which. */
int state_root_resolve(const char *override, char **out, char **source, struct burrow_err **err);

/* Filesystem type name of path ("ext4", "nfs", "tmpfs" ...), and whether
 * it is a network filesystem that breaks locks or fuse (nfs, lustre ...). */
const char *state_fs_type(const char *path, int *is_network);

#endif
