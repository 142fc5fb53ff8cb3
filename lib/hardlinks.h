/* The files of a tree that may have more than one link, as a walk meets
 * them: (device, inode) -> the path it was first met under, in a hash
 * table (a tree of 20,000 hard-linked files is 20,000 lookups, not 200
 * million comparisons). For the tar writers (container/tar_write.c,
 * image/commit.c: a second link is stored as a link to the first path),
 * copy-up (container/copyup.c: a second name linked to the first copy) and
 * system df's sizes (each such file counted once).
 *
 * A file is its (device, inode) and what else tells it from a file that
 * gets the same inode number later (a file a running container removes,
 * and a new one it creates, while the tree is walked): its size, mtime and
 * ctime to the nanosecond (the inode's generation is not to be had through
 * FUSE). A second name is a link to the first only when all of them
 * match; a file that differs takes the entry's place.
 *
 * Memory: on fuse-overlayfs every file of a tree goes in (a lower layer's
 * file says st_nlink 1 until its other names are looked up), so an entry
 * is kept small: 56 bytes, a 4-byte hash slot (the table at most half
 * full), and its path in one arena, each directory's part stored once
 * for the run of names the walk meets in it. */
#ifndef BURROW_LIB_HARDLINKS_H
#define BURROW_LIB_HARDLINKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct hardlink_entry;

struct hardlinks {
	uint32_t *slots;                /* 0: free, else an entry's index + 1 */
	size_t cap;                     /* 0 or a power of two, never more than half full */
	struct hardlink_entry *entries; /* in the order they were first met */
	size_t n, ecap;
	char *arena; /* the paths: directory parts and names, each ends in NUL */
	size_t alen, acap;
	size_t lastdir, lastdirlen; /* the directory part stored last */
	char *answer;               /* the path returned last */
	size_t anscap;
};

/* The path the file st describes was first seen under, or NULL after
 * recording path (copied) as it; a NULL path only records that it was seen
 * ("" is the answer next time). Another file on the same (device, inode)
 * (by size, mtime or ctime) replaces the first one: NULL. The answer lasts
 * until the next call. Initialise the table to {0}. */
const char *hardlinks_seen(struct hardlinks *t, const struct stat *st, const char *path);

/* Frees what the table holds; it is {0} again. */
void hardlinks_clear(struct hardlinks *t);

#endif
