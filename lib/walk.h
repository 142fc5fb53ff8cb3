/* One walk of a directory tree that never follows a link, for the trees a
 * container or an image controls: rm -rf (fileutil.c), system df's sizes,
 * the tar writer, :U's chown and copy-up (container/), commit (image/).
 *
 * Each directory is opened from its parent's descriptor with
 * openat(O_RDONLY|O_DIRECTORY|O_NOFOLLOW), never by a path, and its names
 * are read whole when it is entered (getdents64), so a symlink is visited
 * as a symlink, whatever is swapped in meanwhile. The top and the
 * WALK_OPEN deepest directories stay open: a tree up to that deep never
 * goes back up through "..", and a directory moved elsewhere meanwhile
 * changes nothing (what it holds is visited under the path it had). Above
 * them, going back up opens ".." and checks it is the directory the walk
 * came from (device and inode); when it is not (the level below was moved
 * away), the walk goes down again from the top by the names it took, and
 * what was moved away is left out (or, with WALK_MOVES_FAIL, the walk
 * fails with ESTALE). A 10,000-level tree then needs some 34 descriptors.
 *
 * An entry that is gone when the walk gets to it is left out; one that was
 * a directory and is not any more is visited as what it is now. */
#ifndef BURROW_LIB_WALK_H
#define BURROW_LIB_WALK_H

#include <stddef.h>
#include <sys/stat.h>

#include "lib/err.h"

#define WALK_OPEN 32

enum walk_flags {
	WALK_STAT = 1 << 0,       /* every entry lstat'ed into at->st (else only its d_type is known) */
	WALK_SORTED = 1 << 1,     /* each directory's entries in strcmp order (else as read) */
	WALK_MOVES_FAIL = 1 << 2, /* a directory moved away under the walk fails it (ESTALE) */
	WALK_LENIENT = 1 << 3,    /* a directory that cannot be opened or read counts as empty */
};

enum walk_step {
	WALK_FILE,  /* an entry that is not a directory */
	WALK_ENTER, /* a directory, opened (at->fd): return WALK_SKIP not to go in */
	WALK_LEAVE, /* a directory entered, all its entries visited */
};

/* What the visitor returns for WALK_ENTER not to go into the directory (it
 * is closed, no WALK_LEAVE follows). */
#define WALK_SKIP 1

struct walk_at {
	int dirfd;          /* the directory that holds the entry (the caller's for the top) */
	const char *name;   /* its name in dirfd */
	const char *path;   /* top, then "/" and each name below it (no "/" after an empty top) */
	size_t depth;       /* 0: the top */
	unsigned char type; /* DT_REG, DT_DIR, DT_LNK, ... */
	/* a directory's (fstat of at->fd) always; another entry's with
	 * WALK_STAT or when its d_type was DT_UNKNOWN (stat_ok) */
	struct stat st;
	int stat_ok;
	int fd; /* WALK_ENTER: the directory, O_RDONLY; WALK_LEAVE: the directory, maybe O_PATH */
};

/* 0 to go on, WALK_SKIP (WALK_ENTER only), or -1 with *err set. */
typedef int (*walk_fn)(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err);

/* Walks entry name of directory dirfd ("." for dirfd itself), shown as
 * top in paths (e.g. "" for a tar of dirfd's content, name, or the path
 * dirfd/name has), calling fn for it and everything below it, a
 * directory's entries after its WALK_ENTER and before its WALK_LEAVE.
 * 0, or -1 with *err set: fn's error, or the walk's naming the path (a
 * missing top is one, status ENOENT). */
/* *path = (*path)[0, plen) + "/" + name (no "/" after an empty path),
 * growing *path (capacity *cap) as needed: the walks' way of keeping the
 * path of the entry at hand (lib/walk.c, overlay/merge.c). */
void walk_path_set(char **path, size_t *cap, size_t plen, const char *name);

int walk_tree(int dirfd, const char *name, const char *top, int flags, walk_fn fn, void *data, struct burrow_err **err);

#endif
