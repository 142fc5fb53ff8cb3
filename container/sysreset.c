/* What system df and system reset need below cmd/ (see container.h):
 * sizes of directory trees, and taking burrow's mounts away before its
 * directories are removed. */
#include "container/container.h"
#include "container/internal.h"
#include "container/volume.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/mountinfo.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* The walk: each directory opened from its parent with
 * O_NOFOLLOW|O_DIRECTORY and its names read whole on entry, so that a
 * container that swaps a directory for a symlink meanwhile is measured as
 * the link, never through it. The TREE_OPEN deepest directories stay open
 * (a directory moved meanwhile changes nothing); above them, going back
 * up opens ".." with O_PATH and checks it is the directory it came from
 * before using it. */
#define TREE_OPEN 32

struct tree_inode {
	dev_t dev;
	ino_t ino;
	bool used;
};
struct tree_level {
	char **names;
	size_t n, next;
	dev_t dev;
	ino_t ino;
	int fd; /* -1: closed (above the TREE_OPEN deepest) */
};
struct tree_walk {
	dev_t dev;             /* the tree's file system: a bind or a tmpfs on a volume is not its storage */
	struct tree_level *lv; /* lv[depth - 1]: the directory whose names are being measured */
	size_t depth, cap, lo; /* lv[lo, depth) are open */
	/* the files with more than one link seen so far (a hash table): each counts once */
	struct tree_inode *seen;
	size_t nseen, seencap;
	long long sum;
};

static void tree_walk_clear(struct tree_walk *w)
{
	for (size_t i = 0; i < w->depth; i++) {
		strv_free(w->lv[i].names);
		if (w->lv[i].fd >= 0)
			close(w->lv[i].fd);
	}
	free(w->lv);
	free(w->seen);
}

static size_t inode_hash(const struct tree_inode *k, size_t cap)
{
	uint64_t h = ((uint64_t)k->ino * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)k->dev;
	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

/* Puts k in the table of cap slots (a power of two, never full): false
 * when it was there already. */
static bool inode_put(struct tree_inode *slots, size_t cap, const struct tree_inode *k)
{
	size_t j = inode_hash(k, cap);
	for (; slots[j].used; j = (j + 1) & (cap - 1))
		if (slots[j].dev == k->dev && slots[j].ino == k->ino)
			return false;
	slots[j] = *k;
	return true;
}

/* Whether st's inode was seen already; remembers it. A hash table: a
 * sorted array's insertions made 200,000 hard-linked files take seconds. */
static bool inode_seen(struct tree_walk *w, const struct stat *st)
{
	if (w->nseen * 2 >= w->seencap) {
		size_t cap = w->seencap ? w->seencap * 2 : 64;
		struct tree_inode *bigger = xcalloc(cap, sizeof(*bigger));
		for (size_t i = 0; i < w->seencap; i++)
			if (w->seen[i].used)
				inode_put(bigger, cap, &w->seen[i]);
		free(w->seen);
		w->seen = bigger;
		w->seencap = cap;
	}
	struct tree_inode k = {.dev = st->st_dev, .ino = st->st_ino, .used = true};
	if (!inode_put(w->seen, w->seencap, &k))
		return true;
	w->nseen++;
	return false;
}

/* Makes directory fd (taken) the current one, its names read. One that
 * cannot be read counts as empty (as nftw's FTW_DNR). */
static void tree_enter(struct tree_walk *w, int fd, const struct stat *st)
{
	struct tree_level l = {.dev = st->st_dev, .ino = st->st_ino, .fd = fd};
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d && dfd >= 0)
		close(dfd);
	/* a builder: strv_append walks the vector each time (a directory of
	 * 200,000 names took seconds) */
	struct strv_builder b = {0};
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_builder_add(&b, de->d_name);
	l.n = b.n;
	l.names = strv_builder_steal(&b);
	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->lv = xrealloc(w->lv, w->cap * sizeof(*w->lv));
	}
	w->lv[w->depth++] = l;
	if (w->depth - w->lo > TREE_OPEN) {
		close(w->lv[w->lo].fd);
		w->lv[w->lo++].fd = -1;
	}
}

/* Back to the parent of the current directory: -1 (EAGAIN) when it is not
 * the one the walk came from (a container moved it meanwhile). */
static int tree_leave(struct tree_walk *w, const char *path, struct burrow_err **err)
{
	struct tree_level *l = &w->lv[w->depth - 1], *up = &w->lv[w->depth - 2];
	int fd = up->fd;
	struct stat st;
	if (fd < 0) {
		fd = openat(l->fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != up->dev || st.st_ino != up->ino) {
			if (fd >= 0)
				close(fd);
			return burrow_error_status(
			    err, EAGAIN, "a directory under '%s' was moved while it was measured", str_quote(path));
		}
		up->fd = fd;
		w->lo = w->depth - 2;
	}
	strv_free(l->names);
	close(l->fd);
	w->depth--;
	return 0;
}

/* Measures name in the current directory. */
static void tree_one(struct tree_walk *w, const char *name)
{
	struct stat st;
	/* gone meanwhile; or on another file system */
	if (fstatat(w->lv[w->depth - 1].fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != w->dev)
		return;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR: {
		/* a symlink or a file by now: not followed, not measured */
		int fd = openat(w->lv[w->depth - 1].fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return;
		if (fstat(fd, &st) < 0 || st.st_dev != w->dev) {
			close(fd);
			return;
		}
		tree_enter(w, fd, &st);
		return;
	}
	case S_IFREG:
		if (st.st_nlink > 1 && inode_seen(w, &st))
			return;
		w->sum += st.st_size;
		return;
	case S_IFLNK:
		w->sum += st.st_size;
		return;
	default:
		/* an overlay whiteout (a device) or a fifo: 0 */
		return;
	}
}

/* Files and links by their size (st_size, as podman's rwSize: what they
 * hold, not the blocks they take), a file of several links once. 1 when
 * the tree changed under the walk (to be measured again). */
static int tree_measure(const char *path, long long *out, struct burrow_err **err)
{
	__attribute__((cleanup(tree_walk_clear))) struct tree_walk w = {0};
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if ((errno != ENOTDIR && errno != ELOOP) || lstat(path, &st) < 0)
			return burrow_error(err, errno, "cannot measure '%s'", str_quote(path));
		/* a file or a link: itself */
		*out = S_ISREG(st.st_mode) || S_ISLNK(st.st_mode) ? st.st_size : 0;
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return burrow_error(err, e, "cannot measure '%s'", str_quote(path));
	}
	w.dev = st.st_dev;
	tree_enter(&w, fd, &st);
	while (w.depth) {
		struct tree_level *l = &w.lv[w.depth - 1];
		if (l->next < l->n) {
			tree_one(&w, l->names[l->next++]);
			continue;
		}
		if (w.depth == 1)
			break;
		if (tree_leave(&w, path, err) < 0)
			return 1;
	}
	*out = w.sum;
	return 0;
}

int ctr_tree_size(const char *path, long long *out, struct burrow_err **err)
{
	*out = 0;
	/* a container that keeps moving directories about fails it at last */
	for (int i = 0;; i++) {
		struct burrow_err *e = NULL;
		int r = tree_measure(path, out, &e);
		if (r <= 0) {
			if (r < 0)
				*err = e;
			return r;
		}
		if (i == 2) {
			*err = e;
			return -1;
		}
		burrow_err_free(e);
		*out = 0;
	}
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
