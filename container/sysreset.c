/* What system df and system reset need below cmd/ (see container.h):
 * sizes of directory trees, and taking burrow's mounts away before its
 * directories are removed. */
#include "container/container.h"
#include "container/internal.h"
#include "container/volume.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/mountinfo.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* nftw has no context argument */
static long long tree_sum;
/* the files with more than one link seen so far, sorted: each counts once */
struct tree_inode {
	dev_t dev;
	ino_t ino;
};
static struct tree_inode *tree_seen;
static size_t tree_nseen, tree_cap;

static int inode_cmp(const void *a, const void *b)
{
	const struct tree_inode *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Whether st's inode was seen already; remembers it. */
static bool inode_seen(const struct stat *st)
{
	struct tree_inode k = {st->st_dev, st->st_ino};
	size_t lo = 0, hi = tree_nseen;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = inode_cmp(&k, &tree_seen[mid]);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (tree_nseen == tree_cap) {
		tree_cap = tree_cap ? tree_cap * 2 : 64;
		tree_seen = xrealloc(tree_seen, tree_cap * sizeof(*tree_seen));
	}
	memmove(tree_seen + lo + 1, tree_seen + lo, (tree_nseen - lo) * sizeof(*tree_seen));
	tree_seen[lo] = k;
	tree_nseen++;
	return false;
}

/* Files and links by their size (st_size, as podman's rwSize: what they
 * hold, not the blocks they take), a file of several links once; an
 * overlay whiteout is an empty file or a device: 0. */
static int tree_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_F && st->st_nlink > 1 && inode_seen(st))
		return 0;
	if (type == FTW_F || type == FTW_SL)
		tree_sum += st->st_size;
	return 0;
}

int ctr_tree_size(const char *path, long long *out, struct burrow_err **err)
{
	*out = 0;
	tree_sum = 0;
	tree_nseen = 0;
	/* not following links, not leaving its file system (a bind or a tmpfs
	 * on a volume is not the volume's storage) */
	int r = nftw(path, tree_one, 16, FTW_PHYS | FTW_MOUNT);
	int e = errno;
	free(tree_seen);
	tree_seen = NULL;
	tree_nseen = tree_cap = 0;
	if (r < 0)
		return e == ENOENT ? 0 : burrow_error(err, e, "cannot measure '%s'", str_quote(path));
	*out = tree_sum;
	return 0;
}

int ctr_vol_size(struct state_store *s, const char *name, long long *out, struct burrow_err **err)
{
	cleanup_free char *data = ctr_vol_data_path(s, name);
	return ctr_tree_size(data, out, err);
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int ctr_mounts_under(const char *dir, char ***out, struct burrow_err **err)
{
	cleanup_free char *text = NULL;
	if (read_file("/proc/self/mountinfo", &text, NULL, err) < 0)
		return -1;
	struct strv_builder b = {0};
	cleanup_mountinfo struct mountinfo_entry m = {0};
	for (const char *cur = text; mountinfo_next(&cur, &m);)
		if (under(m.point, dir))
			strv_builder_add(&b, m.point);
	*out = strv_builder_steal(&b);
	return 0;
}

int ctr_unmount_under(const char *dir, struct burrow_err **err)
{
	/* the latest mounted first (mountinfo lists them in mount order):
	 * what is stacked on a mount point goes before it */
	for (int pass = 0; pass < 8; pass++) {
		cleanup_strv char **mps = NULL;
		if (ctr_mounts_under(dir, &mps, err) < 0)
			return -1;
		size_t n = strv_len(mps);
		if (n == 0)
			return 0;
		for (size_t i = n; i > 0; i--)
			if (umount2(mps[i - 1], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
				return burrow_error(err, errno, "cannot unmount '%s'", str_quote(mps[i - 1]));
	}
	return burrow_error(err, EBUSY, "mounts under '%s' keep coming back", str_quote(dir));
}

int ctr_remove_tree(const char *dir, struct burrow_err **err)
{
	/* nothing mounted below may be walked into: a volume's bind mount
	 * holds the user's own files */
	cleanup_strv char **left = NULL;
	if (ctr_unmount_under(dir, err) < 0 || ctr_mounts_under(dir, &left, err) < 0)
		return -1;
	if (left[0])
		return burrow_error(err, EBUSY, "'%s' is still mounted: '%s' is not removed", str_quote(left[0]),
		                    str_quote(dir));
	return rm_rf(dir, err);
}
