/* What system df and system reset need below cmd/ (see container.h):
 * sizes of directory trees, and taking burrow's mounts away before its
 * directories are removed. */
#include "container/container.h"
#include "container/internal.h"
#include "container/volume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hardlinks.h"
#include "lib/mountinfo.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/walk.h"
#include "lib/xalloc.h"

/* A tree measured on lib/walk.h's walk (a link is measured as the link,
 * never through it; a directory moved meanwhile is measured where the walk
 * found it, or left out). */
struct tree_size {
	dev_t dev;             /* the tree's file system: a bind or a tmpfs on a volume is not its storage */
	struct hardlinks seen; /* the files with more than one link seen so far: each counts once */
	long long sum;
};

static int size_visit(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	struct tree_size *t = data;
	(void)err;
	if (step == WALK_LEAVE)
		return 0;
	if (at->depth == 0)
		t->dev = at->st.st_dev;
	else if (at->st.st_dev != t->dev)
		return WALK_SKIP; /* on another file system */
	if (step == WALK_ENTER)
		return 0;
	switch (at->st.st_mode & S_IFMT) {
	case S_IFREG:
		if (at->st.st_nlink > 1 && hardlinks_seen(&t->seen, &at->st, NULL))
			return 0;
		t->sum += at->st.st_size;
		return 0;
	case S_IFLNK:
		t->sum += at->st.st_size;
		return 0;
	default:
		/* an overlay whiteout (a device) or a fifo: 0 */
		return 0;
	}
}

/* Files and links by their size (st_size, as podman's rwSize: what they
 * hold, not the blocks they take), a file of several links once; a
 * directory that cannot be read counts as empty (as nftw's FTW_DNR). */
int ctr_tree_size(const char *path, long long *out, struct burrow_err **err)
{
	struct tree_size t = {0};
	struct burrow_err *e = NULL;
	*out = 0;
	int r = walk_tree(AT_FDCWD, path, path, WALK_STAT | WALK_LENIENT, size_visit, &t, &e);
	hardlinks_clear(&t.seen);
	if (r == 0) {
		*out = t.sum;
		return 0;
	}
	if (e->status == ENOENT) {
		burrow_err_free(e);
		return 0;
	}
	*err = e;
	return burrow_error_wrap(err, "cannot measure '%s'", str_quote(path));
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
