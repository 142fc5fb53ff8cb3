/* Where the persistent store lives. */
#ifndef BURROW_STATE_PATHS_H
#define BURROW_STATE_PATHS_H

#include "lib/err.h"

/* Resolves the storage root: override (--root) wins; else
 * $XDG_DATA_HOME/burrow; else ~/.local/share/burrow. Creates it (0700).
 * *source says which. */
int state_root_resolve(const char *override, char **out, char **source, struct burrow_err **err);

/* The storage root of a burrow that a systemd user unit runs: systemd
 * --user sets HOME from uid's passwd entry, and no XDG_DATA_HOME, so
 * HOME/.local/share/burrow; NULL: uid has no entry. */
char *state_root_service(unsigned long uid);

/* Filesystem type name of path ("ext4", "nfs", "tmpfs" ...), and whether
 * it is a network filesystem that breaks locks or fuse (nfs, lustre ...). */
const char *state_fs_type(const char *path, int *is_network);

/* The hint that says how to move the store a flag names ("--root",
 * "--runroot") to a local disk. */
const char *state_fs_move_hint(const char *flag);
/* Why path's filesystem cannot hold a store (a network filesystem; no
 * O_TMPFILE; no file locks), found by trying; NULL when it can (or when
 * it cannot be tried: the commands say why then). Caller frees. */
char *state_fs_probe(const char *path);

/* The one place an error that comes from the filesystem under a store is
 * explained. When err's status says the filesystem lacks something burrow
 * needs (ENOLCK: file locks; EOPNOTSUPP: unnamed temporary files, extended
 * attributes, atomic renames; ENOSYS; EREMOTE, ESTALE), or the filesystem
 * is a network one, the message gets "(WHAT 'PATH' is on TYPE, which does
 * not support ...)" and the hint how to move the store (flag: "--root" or
 * "--runroot"). The type comes from fstatfs(fd), or statfs(path) when fd
 * is -1. Other errors are left as they are. Returns -1. */
int state_fs_explain(const char *what, const char *path, int fd, const char *flag, struct burrow_err **err);

/* What a store operation failing with errnum says the filesystem lacks
 * ("file locks" for ENOLCK ...); NULL when it says nothing of the kind. */
const char *state_fs_errno_lack(int errnum);
/* state_fs_explain for a known statfs magic (the pure part, for tests). */
int state_fs_explain_magic(const char *what, const char *path, unsigned long magic, const char *flag,
                           struct burrow_err **err);

#endif
