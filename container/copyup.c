/* Copy-up: what the image has at a volume's mount point copied into the
 * (empty) volume on its first use, as podman's mountNamedVolume does.
 *
 * The source is reached inside the rootfs (openat2 RESOLVE_IN_ROOT), so an
 * image's symlink never leads the copy out of the container's root, and is
 * walked with lib/walk.c's walk_tree (each directory opened from its
 * parent with O_NOFOLLOW, any depth in a bounded number of fds): a symlink
 * in the image is copied as a symlink, never followed. The target entries
 * are made fresh (O_EXCL, mkdirat, symlinkat, mkfifoat) under the volume's
 * fd, so nothing is written through a link either; the target directories
 * are held as the walk holds its own (the top and the WALK_OPEN deepest
 * open, the others opened again through ".." and checked to be the ones
 * made). Files hard-linked to each other in the copied tree stay linked
 * (lib/hardlinks.h); extended attributes (user.*, security.capability)
 * are kept where the volume's filesystem takes them, but for the top's:
 * podman's copy-up keeps the same. */
#include "container/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hardlinks.h"
#include "lib/quote.h"
#include "lib/walk.h"
#include "lib/xalloc.h"

/* A target directory made: fd -1 when closed (neither the top nor among
 * the WALK_OPEN deepest). */
struct copy_dir {
	int fd;
	dev_t dev;
	ino_t ino;
};

struct copy {
	struct copy_dir *dir;  /* dir[d]: the target of the source directory at depth d */
	size_t depth, cap, lo; /* made: dir[0, depth); open: dir[0] and dir[lo, depth) */
	struct hardlinks links;
};

static void copy_clear(struct copy *c)
{
	for (size_t i = 1; i < c->depth; i++)
		if (c->dir[i].fd >= 0)
			close(c->dir[i].fd);
	free(c->dir);
	hardlinks_clear(&c->links);
}

static const char *shown(const char *path)
{
	return str_quote(path[0] ? path : ".");
}

/* Owner, then mode (a chown drops setuid bits), then times. */
static int set_meta(int fd, const struct stat *st, const char *path, struct burrow_err **err)
{
	if (fchown(fd, st->st_uid, st->st_gid) < 0 && errno != EINVAL)
		return burrow_error(err, errno, "cannot set the owner of '%s'", shown(path));
	if (fchmod(fd, st->st_mode & 07777) < 0)
		return burrow_error(err, errno, "cannot set the mode of '%s'", shown(path));
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	(void)futimens(fd, ts);
	return 0;
}

/* The extended attributes of from given to to, after its owner (a chown
 * drops security.capability); those the volume's filesystem or the user
 * namespace refuses (ENOTSUP, EPERM: trusted.*, ...) are left out, as
 * the unpacker leaves them out of layers, and so are overlay's own. */
struct xattr_to {
	int fd;
	const char *path;
	struct burrow_err **err;
};

static int copy_xattr(const char *name, const void *val, size_t len, void *data)
{
	struct xattr_to *t = data;
	if (img_overlay_private_xattr(name) || fsetxattr(t->fd, name, val, len, 0) == 0)
		return 0;
	if (errno != ENOTSUP && errno != EPERM)
		return burrow_error(t->err, errno, "cannot set the extended attribute '%s' of '%s'", str_quote(name),
		                    shown(t->path));
	burrow_debug("extended attribute '%s' of '%s' left out: %s", str_quote(name), shown(t->path), strerror(errno));
	return 0;
}

static int copy_xattrs(int from, int to, const char *path, struct burrow_err **err)
{
	return fd_xattrs_each(from, copy_xattr, &(struct xattr_to){to, path, err});
}

static int copy_file(const struct walk_at *at, int dfd, struct burrow_err **err)
{
	cleanup_close int in = openat(at->dirfd, at->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return burrow_error(err, errno, "cannot open '%s'", shown(at->path));
	cleanup_close int out = openat(dfd, at->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return burrow_error(err, errno, "cannot create '%s'", shown(at->path));
	for (;;) {
		ssize_t n = fd_copy(in, out);
		if (n < 0)
			return burrow_error(err, errno, "cannot copy '%s'", shown(at->path));
		if (n == 0)
			break;
	}
	if (set_meta(out, &at->st, at->path, err) < 0)
		return -1;
	return copy_xattrs(in, out, at->path, err);
}

/* A second name of a file already copied (path, under the target's top):
 * a link to that copy, its directory reached without following a link. */
static int copy_link(const char *first, const struct walk_at *at, struct copy *c, int dfd, struct burrow_err **err)
{
	const char *slash = strrchr(first, '/');
	cleanup_free char *dir = slash ? xstrndup(first, (size_t)(slash - first)) : xstrdup(".");
	cleanup_close int pfd = openat2_retry(c->dir[0].fd, dir, O_PATH | O_DIRECTORY,
	                                      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (pfd < 0 || linkat(pfd, slash ? slash + 1 : first, dfd, at->name, 0) < 0)
		return burrow_error(err, errno, "cannot link '%s' to '%s'", shown(at->path), str_quote(first));
	return 0;
}

static int copy_nondir(const struct walk_at *at, struct copy *c, int dfd, struct burrow_err **err)
{
	mode_t m = at->st.st_mode;
	if (!S_ISREG(m) && !S_ISLNK(m) && !S_ISFIFO(m))
		return 0; /* devices (mknod is not allowed here) and sockets */
	/* every one, whatever its st_nlink: fuse-overlayfs counts only the
	 * names of a file it has looked up so far (the first one met says 1) */
	const char *first = hardlinks_seen(&c->links, &at->st, at->path);
	if (first)
		return copy_link(first, at, c, dfd, err);
	if (S_ISREG(m))
		return copy_file(at, dfd, err);
	if (S_ISLNK(m)) {
		char target[4096];
		ssize_t n = readlinkat(at->dirfd, at->name, target, sizeof(target) - 1);
		if (n < 0)
			return burrow_error(err, errno, "cannot read the link '%s'", shown(at->path));
		target[n] = '\0';
		if (symlinkat(target, dfd, at->name) < 0)
			return burrow_error(err, errno, "cannot create the link '%s'", shown(at->path));
		(void)fchownat(dfd, at->name, at->st.st_uid, at->st.st_gid, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	if (mkfifoat(dfd, at->name, 0600) < 0)
		return burrow_error(err, errno, "cannot create the FIFO '%s'", shown(at->path));
	(void)fchownat(dfd, at->name, at->st.st_uid, at->st.st_gid, AT_SYMLINK_NOFOLLOW);
	/* not followed: a link put in its place meanwhile (a container
	 * sharing the volume) must not lead the mode to a host file */
	(void)fchmodat(dfd, at->name, at->st.st_mode & 07777, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* Makes the target of the directory at (entered), depth c->depth. */
static int enter(const struct walk_at *at, struct copy *c, struct burrow_err **err)
{
	int fd;
	if (at->depth == 0) {
		fd = c->dir[0].fd; /* its xattrs are the volume's own, as podman's */
	} else {
		int pfd = c->dir[c->depth - 1].fd;
		if (mkdirat(pfd, at->name, 0700) < 0)
			return burrow_error(err, errno, "cannot create the directory '%s'", shown(at->path));
		fd = openat(pfd, at->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return burrow_error(err, errno, "cannot open the directory '%s'", shown(at->path));
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		if (at->depth)
			close(fd);
		return burrow_error(err, e, "cannot examine '%s'", shown(at->path));
	}
	if (c->depth == c->cap) {
		c->cap = c->cap * 2;
		c->dir = xrealloc(c->dir, c->cap * sizeof(*c->dir));
	}
	c->dir[c->depth++] = (struct copy_dir){.fd = fd, .dev = st.st_dev, .ino = st.st_ino};
	if (c->depth - c->lo > WALK_OPEN) {
		close(c->dir[c->lo].fd);
		c->dir[c->lo++].fd = -1;
	}
	return at->depth ? copy_xattrs(at->fd, fd, at->path, err) : 0;
}

/* Done with the deepest target directory: its owner, mode and times, then
 * back to its parent, opened again through ".." if it was closed. */
static int leave(const struct walk_at *at, struct copy *c, struct burrow_err **err)
{
	struct copy_dir *d = &c->dir[c->depth - 1];
	if (set_meta(d->fd, &at->st, at->path, err) < 0)
		return -1;
	if (c->depth == 1)
		return 0;
	struct copy_dir *p = d - 1;
	if (p->fd < 0) {
		p->fd = openat(d->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;
		if (p->fd < 0 || fstat(p->fd, &st) < 0 || st.st_dev != p->dev || st.st_ino != p->ino)
			return burrow_error_status(err, ESTALE, "'%s' was moved in the volume meanwhile",
			                           shown(at->path));
		c->lo = c->depth - 2;
	}
	close(d->fd);
	c->depth--;
	if (c->lo > c->depth)
		c->lo = c->depth;
	return 0;
}

static int copy_visit(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	struct copy *c = data;
	switch (step) {
	case WALK_FILE:
		return copy_nondir(at, c, c->dir[c->depth - 1].fd, err);
	case WALK_ENTER:
		return enter(at, c, err);
	case WALK_LEAVE:
		return leave(at, c, err);
	}
	return 0;
}

int ctr_copy_up(int rootfd, const char *dest, int dfd, struct burrow_err **err)
{
	cleanup_close int sfd =
	    openat2_retry(rootfd, dest, O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (sfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return burrow_error(err, errno, "cannot open '%s' in the image", str_quote(dest));
	}
	struct stat st, rst;
	if (fstat(sfd, &st) < 0 || fstat(rootfd, &rst) < 0)
		return burrow_error(err, errno, "cannot stat '%s' in the image", str_quote(dest));
	if (st.st_dev == rst.st_dev && st.st_ino == rst.st_ino)
		return burrow_error(err, EINVAL, "'%s' leads to the container's '/' (a symlink in the image)",
		                    str_quote(dest));
	__attribute__((cleanup(copy_clear))) struct copy c = {.cap = 16, .lo = 1};
	c.dir = xcalloc(c.cap, sizeof(*c.dir));
	c.dir[0].fd = dfd;
	/* a directory of the image moved away under the walk fails it, rather
	 * than the walk leaving levels behind without a WALK_LEAVE */
	return walk_tree(sfd, ".", "", WALK_STAT | WALK_MOVES_FAIL, copy_visit, &c, err);
}
