/* Extracting a layer tarball into the layer store, safely.
 *
 * libarchive only reads here (no archive_write_disk): every entry is
 * created with openat-family calls relative to the directory of its parent,
 * which is reached from the layer's root fd one component at a time with
 * O_NOFOLLOW|O_DIRECTORY, so a symlink in the layer is never followed while
 * extracting. Names that are absolute or have a ".." component are refused,
 * and so are hard links whose target is not already in the layer.
 *
 * Two libarchive readers are chained: the first only decompresses (any
 * filter, "raw" format) and feeds the second (tar) through a callback that
 * also hashes the uncompressed stream: that sha256 is the layer's ID. */
#include "image/internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "image/libs.h"

#define FEED_BUF (128 * 1024)

int img_tar_clean_path(const char *name, char **out, struct burrow_err **err)
{
	if (!name || !*name)
		return burrow_error_status(err, EINVAL, "empty name");
	if (name[0] == '/')
		return burrow_error_status(err, EINVAL, "absolute path");
	size_t len = strlen(name);
	cleanup_free char *r = xmalloc(len + 1);
	size_t n = 0;
	const char *p = name;
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t cl = (size_t)(e - p);
		if (cl == 2 && p[0] == '.' && p[1] == '.')
			return burrow_error_status(err, EINVAL, "the path has a '..' component");
		if (cl > 0 && !(cl == 1 && p[0] == '.')) {
			if (n)
				r[n++] = '/';
			memcpy(r + n, p, cl);
			n += cl;
		}
		p = *e ? e + 1 : e;
	}
	r[n] = '\0';
	*out = steal_ptr(r);
	return 0;
}

struct dir_time {
	char *path;
	struct timespec ts[2];
};

struct unpack {
	int rootfd;
	struct archive *tar;
	struct img_unpack_stats *st;
	/* the parent directory of the previous entry */
	char *cache_path;
	int cache_fd;
	/* directory times are set last (creating entries changes them) */
	struct dir_time *dirs;
	size_t ndirs, capdirs;
	unsigned long squashed;
};

struct feed {
	struct archive *raw;
	EVP_MD_CTX *md;
	bool eof;
	char buf[FEED_BUF];
};

static la_ssize_t feed_read(struct archive *a, void *data, const void **buf)
{
	struct feed *f = data;
	if (f->eof)
		return 0;
	la_ssize_t n = archive_read_data(f->raw, f->buf, sizeof(f->buf));
	if (n < 0) {
		const char *m = archive_error_string(f->raw);
		archive_set_error(a, archive_errno(f->raw) ? archive_errno(f->raw) : EIO, "%s", m ? m : "read error");
		return -1;
	}
	if (n == 0)
		f->eof = true;
	else
		EVP_DigestUpdate(f->md, f->buf, (size_t)n);
	*buf = f->buf;
	return n;
}

static void cache_drop(struct unpack *u)
{
	if (u->cache_fd >= 0)
		close(u->cache_fd);
	u->cache_fd = -1;
	free(u->cache_path);
	u->cache_path = NULL;
}

/* Opens the directory at path (clean; "" is the root) one component at a
 * time without following symlinks; create makes missing ones (0755). The
 * returned fd is the caller's. */
static int walk_dir(struct unpack *u, const char *path, bool create, struct burrow_err **err)
{
	if (!*path) {
		int fd = fcntl(u->rootfd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return burrow_error(err, errno, "cannot duplicate a file descriptor");
		return fd;
	}
	cleanup_free char *copy = xstrdup(path);
	int cur = u->rootfd;
	char *comp = copy;
	for (;;) {
		char *slash = strchr(comp, '/');
		if (slash)
			*slash = '\0';
		int next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
				int e = errno;
				if (cur != u->rootfd)
					close(cur);
				return burrow_error(err, e, "cannot create directory '%s'", copy);
			}
			next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int e = errno;
			struct stat sb;
			bool have = fstatat(cur, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0;
			if (cur != u->rootfd)
				close(cur);
			if (have && S_ISLNK(sb.st_mode))
				return burrow_error_status(err, ELOOP, "'%s' is a symbolic link", copy);
			if (have && !S_ISDIR(sb.st_mode))
				return burrow_error_status(err, ENOTDIR, "'%s' is not a directory", copy);
			if (e == ENOENT)
				return burrow_error_status(err, ENOENT, "'%s' is not in the layer", copy);
			return burrow_error(err, e, "cannot open '%s'", copy);
		}
		if (cur != u->rootfd)
			close(cur);
		cur = next;
		if (!slash)
			return cur;
		*slash = '/';
		comp = slash + 1;
	}
}

/* The parent directory of an entry, borrowed (valid until the next call). */
static int parent_fd(struct unpack *u, const char *parent, struct burrow_err **err)
{
	if (!*parent)
		return u->rootfd;
	if (u->cache_path && strcmp(u->cache_path, parent) == 0)
		return u->cache_fd;
	int fd = walk_dir(u, parent, true, err);
	if (fd < 0)
		return -1;
	cache_drop(u);
	u->cache_path = xstrdup(parent);
	u->cache_fd = fd;
	return fd;
}

/* Removes what is at pfd/name so a new entry can take its place (as tar
 * does). keep_dir: an existing directory stays (returns 1). */
static int clear_place(struct unpack *u, int pfd, const char *name, bool keep_dir, struct burrow_err **err)
{
	struct stat sb;
	if (fstatat(pfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return burrow_error(err, errno, "cannot stat '%s'", name);
	}
	if (S_ISDIR(sb.st_mode)) {
		if (keep_dir)
			return 1;
		/* pfd is the root or the cached parent; when it is the root, the
		 * cached directory may live below the one removed */
		if (pfd == u->rootfd)
			cache_drop(u);
		return rm_rf_at(pfd, name, err);
	}
	if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
		return burrow_error(err, errno, "cannot remove '%s'", name);
	return 0;
}

/* Ownership: IDs the namespace does not map (the single-ID mapping maps
 * only 0) cannot be set; the file then keeps what it can (root). */
static int set_owner(struct unpack *u, int fd, int pfd, const char *name, struct archive_entry *e,
                     struct burrow_err **err)
{
	la_int64_t uid64 = archive_entry_uid(e), gid64 = archive_entry_gid(e);
	uid_t uid = uid64 >= 0 && uid64 < UINT32_MAX ? (uid_t)uid64 : 0;
	gid_t gid = gid64 >= 0 && gid64 < UINT32_MAX ? (gid_t)gid64 : 0;
	int r = fd >= 0 ? fchown(fd, uid, gid) : fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
	if (r == 0)
		return 0;
	if (errno != EINVAL && errno != EPERM)
		return burrow_error(err, errno, "cannot change the owner of '%s'", name);
	/* keep the half that is mapped, if any */
	if (fd >= 0) {
		if (fchown(fd, uid, (gid_t)-1) < 0 && fchown(fd, (uid_t)-1, gid) < 0)
			errno = 0;
	} else {
		if (fchownat(pfd, name, uid, (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0 &&
		    fchownat(pfd, name, (uid_t)-1, gid, AT_SYMLINK_NOFOLLOW) < 0)
			errno = 0;
	}
	if (u->squashed++ == 0)
		burrow_debug("'%s' belongs to %u:%u, which this user namespace does not map; ownership squashed",
		             archive_entry_pathname(e), (unsigned)uid, (unsigned)gid);
	return 0;
}

/* xattrs with which overlay filesystems record their own state (opaque
 * directories, redirects, the owner and mode fuse-overlayfs shows): an
 * image must not smuggle them into the store. */
static bool overlay_private_xattr(const char *name)
{
	static const char *const prefixes[] = {"trusted.overlay.", "user.overlay.", "user.fuseoverlayfs.",
	                                       "user.containers."};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static void set_xattrs(int fd, struct archive_entry *e)
{
	const char *xname;
	const void *val;
	size_t size;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &xname, &val, &size) == ARCHIVE_OK) {
		if (!xname || !*xname)
			continue;
		if (overlay_private_xattr(xname)) {
			burrow_debug("dropping extended attribute '%s' of '%s'", xname, archive_entry_pathname(e));
			continue;
		}
		if (fsetxattr(fd, xname, val, size, 0) == 0)
			continue;
		if (strncmp(xname, "user.", 5) == 0)
			burrow_warn("cannot keep 'user.*' extended attributes of image files in the layer store: %s",
			            strerror(errno));
		else
			burrow_debug("cannot set extended attribute '%s' on '%s': %s", xname, archive_entry_pathname(e),
			             strerror(errno));
	}
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
	if (ts[0].tv_nsec < 0 || ts[0].tv_nsec > 999999999)
		ts[0].tv_nsec = 0;
	if (ts[1].tv_nsec < 0 || ts[1].tv_nsec > 999999999)
		ts[1].tv_nsec = 0;
}

/* Owner, mode, xattrs (and times unless a directory) of an open fd. */
static int set_meta_fd(struct unpack *u, int fd, const char *name, struct archive_entry *e, bool times,
                       struct burrow_err **err)
{
	if (set_owner(u, fd, -1, name, e, err) < 0)
		return -1;
	/* after chown, which clears setuid/setgid */
	if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
		return burrow_error(err, errno, "cannot set the mode of '%s'", name);
	set_xattrs(fd, e);
	if (times) {
		struct timespec ts[2];
		entry_times(e, ts);
		if (futimens(fd, ts) < 0)
			return burrow_error(err, errno, "cannot set the times of '%s'", name);
	}
	return 0;
}

static void defer_dir_time(struct unpack *u, const char *path, struct archive_entry *e)
{
	if (u->ndirs == u->capdirs) {
		u->capdirs = u->capdirs ? u->capdirs * 2 : 64;
		u->dirs = xrealloc(u->dirs, u->capdirs * sizeof(*u->dirs));
	}
	struct dir_time *d = &u->dirs[u->ndirs++];
	d->path = xstrdup(path);
	entry_times(e, d->ts);
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

static int make_file(struct unpack *u, int pfd, const char *name, const char *path, struct archive_entry *e,
                     struct burrow_err **err)
{
	if (clear_place(u, pfd, name, false, err) < 0)
		return -1;
	cleanup_close int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create '%s'", path);
	const void *buf;
	size_t size;
	la_int64_t off;
	off_t end = 0;
	for (;;) {
		int rc = archive_read_data_block(u->tar, &buf, &size, &off);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN)
			return burrow_error(err, 0, "cannot read its data: %s", archive_error_string(u->tar));
		if (size && pwrite_all(fd, buf, size, (off_t)off) < 0)
			return burrow_error(err, errno, "cannot write '%s'", path);
		if ((off_t)off + (off_t)size > end)
			end = (off_t)off + (off_t)size;
	}
	if (archive_entry_size_is_set(e) && end < archive_entry_size(e) &&
	    ftruncate(fd, (off_t)archive_entry_size(e)) < 0)
		return burrow_error(err, errno, "cannot write '%s'", path);
	u->st->size += archive_entry_size(e);
	return set_meta_fd(u, fd, path, e, true, err);
}

static int make_dir(struct unpack *u, int pfd, const char *name, const char *path, struct archive_entry *e,
                    struct burrow_err **err)
{
	if (mkdirat(pfd, name, 0700) < 0) {
		if (errno != EEXIST)
			return burrow_error(err, errno, "cannot create directory '%s'", path);
		int r = clear_place(u, pfd, name, true, err);
		if (r < 0)
			return -1;
		if (r == 0 && mkdirat(pfd, name, 0700) < 0)
			return burrow_error(err, errno, "cannot create directory '%s'", path);
	}
	cleanup_close int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open directory '%s'", path);
	if (set_meta_fd(u, fd, path, e, false, err) < 0)
		return -1;
	defer_dir_time(u, path, e);
	return 0;
}

static int make_symlink(struct unpack *u, int pfd, const char *name, const char *path, struct archive_entry *e,
                        struct burrow_err **err)
{
	const char *target = archive_entry_symlink(e);
	if (!target)
		target = archive_entry_symlink_utf8(e);
	if (!target || !*target)
		return burrow_error_status(err, EINVAL, "symbolic link without a target");
	if (clear_place(u, pfd, name, false, err) < 0)
		return -1;
	/* created as it is, never followed here: absolute targets are normal */
	if (symlinkat(target, pfd, name) < 0)
		return burrow_error(err, errno, "cannot create symbolic link '%s'", path);
	if (set_owner(u, -1, pfd, name, e, err) < 0)
		return -1;
	struct timespec ts[2];
	entry_times(e, ts);
	if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return burrow_error(err, errno, "cannot set the times of '%s'", path);
	return 0;
}

static int make_fifo(struct unpack *u, int pfd, const char *name, const char *path, struct archive_entry *e,
                     struct burrow_err **err)
{
	if (clear_place(u, pfd, name, false, err) < 0)
		return -1;
	if (mknodat(pfd, name, S_IFIFO | 0600, 0) < 0)
		return burrow_error(err, errno, "cannot create fifo '%s'", path);
	/* O_PATH does not follow (O_NOFOLLOW) and does not block on a fifo */
	cleanup_close int fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open fifo '%s'", path);
	if (set_owner(u, -1, pfd, name, e, err) < 0)
		return -1;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chmod(proc, archive_entry_perm(e) & 07777) < 0)
		burrow_debug("cannot set the mode of fifo '%s': %s", path, strerror(errno));
	struct timespec ts[2];
	entry_times(e, ts);
	if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return burrow_error(err, errno, "cannot set the times of '%s'", path);
	return 0;
}

static int refuse_target(struct burrow_err **err, const char *raw_target)
{
	burrow_error_wrap(err, "hard link target '%s'", raw_target);
	return burrow_error_wrap(err, "refused");
}

static int make_hardlink(struct unpack *u, int pfd, const char *name, const char *path, const char *raw_target,
                         struct burrow_err **err)
{
	cleanup_free char *target = NULL;
	if (img_tar_clean_path(raw_target, &target, err) < 0)
		return refuse_target(err, raw_target);
	if (!*target) {
		burrow_error_status(err, EINVAL, "the layer root");
		return refuse_target(err, raw_target);
	}
	if (strcmp(target, path) == 0)
		return 0; /* a link to itself: already there */
	char *slash = strrchr(target, '/');
	const char *tname = slash ? slash + 1 : target;
	cleanup_free char *tparent = slash ? xstrndup(target, (size_t)(slash - target)) : xstrdup("");
	cleanup_close int tfd = walk_dir(u, tparent, false, err);
	if (tfd < 0) {
		int st = (*err)->status;
		if (st == ELOOP || st == ENOTDIR || st == ENOENT)
			return refuse_target(err, raw_target);
		return burrow_error_wrap(err, "hard link target '%s'", raw_target);
	}
	struct stat sb;
	if (fstatat(tfd, tname, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT) {
			burrow_error_status(err, ENOENT, "not in the layer");
			return refuse_target(err, raw_target);
		}
		return burrow_error(err, errno, "hard link target '%s'", raw_target);
	}
	if (S_ISDIR(sb.st_mode)) {
		burrow_error_status(err, EISDIR, "a directory");
		return refuse_target(err, raw_target);
	}
	if (clear_place(u, pfd, name, false, err) < 0)
		return -1;
	/* flags 0: a symlink target is linked itself, not followed */
	if (linkat(tfd, tname, pfd, name, 0) < 0)
		return burrow_error(err, errno, "cannot link '%s' to '%s'", path, raw_target);
	return 0;
}

/* The entry "./" (or "."): the layer root's own owner, mode, xattrs, time. */
static int root_entry(struct unpack *u, struct archive_entry *e, struct burrow_err **err)
{
	if (archive_entry_hardlink(e) || archive_entry_filetype(e) != AE_IFDIR)
		return burrow_error_status(err, EINVAL, "the layer root can only be a directory");
	if (set_meta_fd(u, u->rootfd, ".", e, false, err) < 0)
		return -1;
	defer_dir_time(u, "", e);
	return 0;
}

static int extract_entry(struct unpack *u, struct archive_entry *e, const char *raw, struct burrow_err **err)
{
	cleanup_free char *path = NULL;
	if (img_tar_clean_path(raw, &path, err) < 0)
		return burrow_error_wrap(err, "refused");
	if (!*path)
		return root_entry(u, e, err);
	char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	cleanup_free char *parent = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
	int pfd = parent_fd(u, parent, err);
	if (pfd < 0)
		return (*err)->status == ELOOP ? burrow_error_wrap(err, "refused") : -1;

	const char *hl = archive_entry_hardlink(e);
	if (!hl)
		hl = archive_entry_hardlink_utf8(e);
	if (hl) {
		if (make_hardlink(u, pfd, name, path, hl, err) < 0)
			return -1;
		u->st->files++;
		return 0;
	}
	int r;
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		r = make_file(u, pfd, name, path, e, err);
		break;
	case AE_IFDIR:
		r = make_dir(u, pfd, name, path, e, err);
		break;
	case AE_IFLNK:
		r = make_symlink(u, pfd, name, path, e, err);
		break;
	case AE_IFIFO:
		r = make_fifo(u, pfd, name, path, e, err);
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		burrow_debug("skipping device node '%s': it cannot be created in a user namespace", path);
		return 0;
	default:
		burrow_debug("skipping '%s' of type %o", path, (unsigned)archive_entry_filetype(e));
		return 0;
	}
	if (r == 0)
		u->st->files++;
	return r;
}

static void apply_dir_times(struct unpack *u)
{
	for (size_t i = u->ndirs; i > 0; i--) {
		struct dir_time *d = &u->dirs[i - 1];
		cleanup_err struct burrow_err *e = NULL;
		cleanup_close int fd = walk_dir(u, d->path, false, &e);
		if (fd < 0 || futimens(fd, d->ts) < 0)
			burrow_debug("cannot set the times of directory '%s'", d->path);
	}
}

static void unpack_clear(struct unpack *u)
{
	cache_drop(u);
	for (size_t i = 0; i < u->ndirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
}

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}
#define cleanup_archive __attribute__((cleanup(archive_freep)))

static void md_freep(EVP_MD_CTX **m)
{
	if (*m)
		EVP_MD_CTX_free(*m);
}

static int run_entries(struct unpack *u, struct burrow_err **err)
{
	bool first = true;
	for (;;) {
		struct archive_entry *e;
		int rc = archive_read_next_header(u->tar, &e);
		if (rc == ARCHIVE_EOF)
			return 0;
		if (rc < ARCHIVE_WARN) {
			const char *m = archive_error_string(u->tar);
			if (first)
				return burrow_error(err, 0, "not a tar archive (plain, gzip, zstd, xz or bzip2): %s",
				                    m ? m : "unknown format");
			return burrow_error(err, 0, "cannot read the archive: %s", m ? m : "read error");
		}
		first = false;
		const char *raw = archive_entry_pathname(e);
		if (!raw)
			raw = archive_entry_pathname_utf8(e);
		if (!raw)
			return burrow_error(err, 0, "tar entry with a name that cannot be read");
		if (extract_entry(u, e, raw, err) < 0)
			return burrow_error_wrap(err, "tar entry '%s'", raw);
	}
}

static int unpack(int fd, int rootfd, const char *source, struct img_unpack_stats *st, struct burrow_err **err)
{
	memset(st, 0, sizeof(*st));
	cleanup_free struct feed *f = xcalloc(1, sizeof(*f));
	__attribute__((cleanup(md_freep))) EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		return burrow_error(err, 0, "cannot set up sha256 (OpenSSL)");
	f->md = md;

	cleanup_archive struct archive *raw = archive_read_new();
	cleanup_archive struct archive *tar = archive_read_new();
	if (!raw || !tar)
		return burrow_error(err, ENOMEM, "cannot set up libarchive");
	archive_read_support_filter_all(raw);
	archive_read_support_format_raw(raw);
	/* the raw format takes anything of at least one byte */
	struct archive_entry *re;
	if (archive_read_open_fd(raw, fd, FEED_BUF) != ARCHIVE_OK || archive_read_next_header(raw, &re) != ARCHIVE_OK) {
		const char *m = archive_error_string(raw);
		if (!m || strcmp(m, "Unrecognized archive format") == 0)
			return burrow_error(err, 0, "it is empty");
		return burrow_error(err, 0, "cannot decompress: %s", m);
	}
	f->raw = raw;

	archive_read_support_format_tar(tar);
	/* the format is detected here */
	if (archive_read_open(tar, f, NULL, feed_read, NULL) != ARCHIVE_OK) {
		const char *m = archive_error_string(tar);
		if (!m || archive_errno(tar) == EILSEQ || strcmp(m, "Unrecognized archive format") == 0)
			return burrow_error(err, 0, "not a tar archive (plain, gzip, zstd, xz or bzip2)");
		return burrow_error(err, 0, "cannot read: %s", m);
	}

	struct unpack u = {.rootfd = rootfd, .tar = tar, .st = st, .cache_fd = -1};
	int r = run_entries(&u, err);
	if (r == 0) {
		/* hash what the tar reader did not need (trailing blocks) */
		while (!f->eof) {
			la_ssize_t n = archive_read_data(raw, f->buf, sizeof(f->buf));
			if (n < 0) {
				r = burrow_error(err, 0, "cannot read: %s", archive_error_string(raw));
				break;
			}
			if (n == 0)
				break;
			EVP_DigestUpdate(md, f->buf, (size_t)n);
		}
	}
	if (r == 0)
		apply_dir_times(&u);
	st->squashed = u.squashed;
	if (r == 0 && u.squashed)
		burrow_debug("%lu entries of '%s' kept root ownership: their IDs are not mapped here", u.squashed,
		             source);
	unpack_clear(&u);
	if (r < 0)
		return -1;
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	if (!EVP_DigestFinal_ex(md, dig, &dlen) || dlen != 32)
		return burrow_error(err, 0, "cannot compute sha256 (OpenSSL)");
	for (unsigned i = 0; i < 32; i++)
		snprintf(st->digest + 2 * i, 3, "%02x", dig[i]);
	return 0;
}

int img_unpack(int fd, int rootfd, const char *source, struct img_unpack_stats *st, struct burrow_err **err)
{
	if (img_libs_load(err) < 0)
		return -1;
	return unpack(fd, rootfd, source, st, err);
}
