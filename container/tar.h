/* Tars of trees inside container/ (container/tar_write.c): volume export,
 * container export and cp write them; extraction is image/'s
 * (img_extract, img_extract_fd). */
#ifndef BURROW_CONTAINER_TAR_H
#define BURROW_CONTAINER_TAR_H

#include "lib/err.h"

struct ctr_tar_opts {
	const char *name; /* the entry of the directory to archive (it, and below it); NULL: the directory's content */
	const char *as;   /* the name that entry has in the archive (NULL: name) */
	long long uid, gid; /* every entry's owner in the archive; -1: as on disk */
	/* with uid (gid) -1: each owner on disk through this map, as a mount
	 * with fuse-overlayfs's uidmapping shows it (ctr_userns_id_seen);
	 * NULL: as on disk */
	const char *uid_map, *gid_map;
	size_t block; /* bytes per write, the last one unpadded (0: for a file, padded to tar's 10240-byte records) */
	/* instead of dirfd: these directories merged as overlayfs shows them
	 * (overlay/merge.h), the lowest first, their content archived (name
	 * NULL); the overlay's own xattrs are left out, as a mount hides them */
	const int *layers;
	size_t nlayers;
	/* with layers: the empty files the container's bind mounts were made
	 * on (img_commit_stub) in the last layer, the upper directory, and in
	 * no layer below it, left out (commit --squash's, as commit's) */
	bool no_stubs;
};

/* Loads libarchive (lib/dl.h) if it is not yet: ctr_tar_write does it too,
 * but a caller that runs it on a thread loads it first. */
int ctr_tar_load(struct burrow_err **err);

/* Writes a tar (pax, numeric owners, xattrs, hard links kept, sockets left
 * out) of what o names in directory dirfd to fd. Nothing is followed: the
 * walk (lib/walk.h) goes one directory at a time with O_NOFOLLOW from its
 * parent, a symlink is archived as one; an entry that vanishes or changes
 * type while it is walked is left out; a directory moved meanwhile is
 * archived where the walk found it, or left out (never an error). */
int ctr_tar_write(int dirfd, const struct ctr_tar_opts *o, int fd, struct burrow_err **err);

/* ctr_tar_write to the file output, made under a temporary name beside it
 * and renamed when complete (a failed write leaves no partial file), or,
 * when output is NULL, to standard output (refused when that is a
 * terminal, with a hint naming flag, e.g. "--output FILE"). */
int ctr_tar_to_output(int dirfd, const struct ctr_tar_opts *o, const char *output, const char *flag,
                      struct burrow_err **err);

#endif
