/* The files of a tree that have more than one link, as a walk meets them:
 * (device, inode) -> the path it was first met under, in a hash table (a
 * tree of 20,000 hard-linked files is 20,000 lookups, not 200 million
 * comparisons). For the tar writers (container/tar_write.c, image/commit.c:
 * a second link is stored as a link to the first path), copy-up
 * (container/copyup.c: a second name linked to the first copy) and system
 * df's sizes (each such file counted once). */
#ifndef BURROW_LIB_HARDLINKS_H
#define BURROW_LIB_HARDLINKS_H

#include <stddef.h>
#include <sys/types.h>

struct hardlink_slot;

struct hardlinks {
	struct hardlink_slot *slots;
	size_t n, cap; /* cap: 0 or a power of two, never more than half full */
};

/* The path (dev, ino) was first seen under, or NULL after recording path
 * (copied) as it; a NULL path only records that it was seen ("" is the
 * answer next time). Initialise the table to {0}. */
const char *hardlinks_seen(struct hardlinks *t, dev_t dev, ino_t ino, const char *path);

/* Frees what the table holds; it is {0} again. */
void hardlinks_clear(struct hardlinks *t);

#endif
