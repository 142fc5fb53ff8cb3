/* Extracting a layer tarball into the layer store, safely.
 *
 * libarchive only reads here (no archive_write_disk): every entry is
 * created with openat-family calls relative to the directory of its parent,
 * which is reached from the layer's root fd one component at a time with
 * O_NOFOLLOW|O_DIRECTORY, so a symlink in the layer is never followed while
 * extracting. Names that are absolute or have a ".." component are refused,
 * and so are hard links whose target is not already in the layer.
 *
 * The tar reader is fed by decompress.c's verified stream through a
 * callback that also hashes the uncompressed stream: that sha256 is the
 * layer's ID. When the tar reader chokes (a damaged header, a short read),
 * the rest of the stream is read: a failed gzip CRC or zstd checksum
 * explains the damage better than the garbage it produced.
 *
 * Directories are reached through a stack of the open directories from the
 * root down to the last entry's parent, so that each entry costs a few
 * openat calls whatever its depth (a walk from the root for every entry
 * made a 10,000-level tree quadratic: minutes). Only the deepest levels
 * keep an fd, so depth does not cost descriptors either.
 *
 * Names from the tar go into messages through str_quote: a newline or an
 * escape sequence in an entry's name is shown, not obeyed.
 *
 * A layer keeps its whiteouts as ".wh.NAME" entries, which fuse-overlayfs
 * reads; it hides NAME in their own directory too. The OCI image spec has
 * a whiteout apply to the lower layers only: a NAME of the same layer
 * stays, in whichever order the tar has the two. So once the tar is read,
 * a whiteout whose NAME the layer has is removed, and a directory NAME is
 * made opaque (a ".wh..wh..opq" file in it): the lower layers' NAME is
 * hidden, this layer's stays. Every file of the tar stays where it was,
 * for the tar record (tarsplit.c). A copy (cp, volume import) has no
 * layers under it: its ".wh." names are names. */
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
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "overlay/merge.h"
#include "image/libs.h"

#define FEED_BUF (128 * 1024)
/* A file's data is written in one write up to this size: on FUSE each
 * write(2) also costs a getxattr of security.capability (the kernel's
 * check for privileges to drop), eight per 1 MB file in the tar reader's
 * blocks; cp of 100 x 1 MB + 1000 x 1 KB into a running container sent
 * 1,904 getxattr requests, 1,100 after. */
#define WRITE_BUF (1024 * 1024)
/* directory fds the stack keeps open (the deepest levels) */
#define DIRSTACK_FDS 16

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

/* The directories from the layer root down to one directory: its clean
 * path, where each level's component ends in it, and the fds of the deepest
 * DIRSTACK_FDS levels, fds[lo, depth); levels above lo are reopened from the
 * root when the stack goes back up to them. */
struct dirstack {
	int rootfd;
	bool create; /* make missing directories (0755) on the way down */
	char *path;  /* path[0, len) */
	size_t len, cap;
	size_t *ends; /* level i+1 is path[0, ends[i]) */
	int *fds;
	size_t depth, lo, cap_levels;
};

static void ds_init(struct dirstack *s, int rootfd, bool create)
{
	memset(s, 0, sizeof(*s));
	s->rootfd = rootfd;
	s->create = create;
}

static void ds_pop_to(struct dirstack *s, size_t depth)
{
	for (size_t i = depth; i < s->depth; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	s->depth = depth;
	if (s->lo > depth)
		s->lo = depth;
	s->len = depth ? s->ends[depth - 1] : 0;
}

static void ds_clear(struct dirstack *s)
{
	ds_pop_to(s, 0);
	free(s->path);
	free(s->ends);
	free(s->fds);
	memset(s, 0, sizeof(*s));
}
#define cleanup_dirstack __attribute__((cleanup(ds_clear)))

/* The fd of the deepest level (the root's when empty), borrowed. */
static int ds_top(const struct dirstack *s)
{
	return s->depth ? s->fds[s->depth - 1] : s->rootfd;
}

/* Opens component i of path (level i+1) from the fd of level i, without
 * following a symlink, creating it when the stack does. */
static int ds_open(struct dirstack *s, size_t i, int from, struct burrow_err **err)
{
	size_t start = i ? s->ends[i - 1] + 1 : 0, end = s->ends[i];
	char saved = s->path[end];
	s->path[end] = '\0';
	const char *comp = s->path + start;
	int fd = openat(from, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && s->create) {
		if (mkdirat(from, comp, 0755) < 0 && errno != EEXIST) {
			burrow_error(err, errno, "cannot create directory '%s'", str_quote(s->path));
			s->path[end] = saved;
			return -1;
		}
		fd = openat(from, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		int e = errno;
		struct stat sb;
		bool have = fstatat(from, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0;
		const char *q = str_quote(s->path);
		if (have && S_ISLNK(sb.st_mode))
			burrow_error_status(err, ELOOP, "'%s' is a symbolic link", q);
		else if (have && !S_ISDIR(sb.st_mode))
			burrow_error_status(err, ENOTDIR, "'%s' is not a directory", q);
		else if (e == ENOENT)
			burrow_error_status(err, ENOENT, "'%s' is not in the layer", q);
		else
			burrow_error(err, e, "cannot open '%s'", q);
	}
	s->path[end] = saved;
	return fd;
}

/* Sets level i's fd and closes the one that falls out of the window. */
static void ds_keep(struct dirstack *s, size_t i, int fd)
{
	s->fds[i] = fd;
	while (i + 1 - s->lo > DIRSTACK_FDS) {
		close(s->fds[s->lo]);
		s->fds[s->lo++] = -1;
	}
}

/* Moves the stack to dir (a clean path, "" the root) and returns its fd,
 * borrowed: valid until the stack moves. On failure the stack holds the
 * levels that could be opened. */
static int ds_goto(struct dirstack *s, const char *dir, struct burrow_err **err)
{
	size_t dlen = strlen(dir), m = dlen < s->len ? dlen : s->len;
	if (m && memcmp(dir, s->path, m) != 0) /* else the usual case: the same or deeper */
		for (m = 0; dir[m] == s->path[m];)
			m++;
	size_t common = 0;
	while (common < s->depth && s->ends[common] <= m && (dir[s->ends[common]] == '/' || !dir[s->ends[common]]))
		common++;
	ds_pop_to(s, common);
	if (dlen + 1 > s->cap) {
		s->cap = (dlen + 1) * 2;
		s->path = xrealloc(s->path, s->cap);
	}
	memcpy(s->path, dir, dlen + 1);
	s->len = dlen;
	if (s->depth && s->lo == s->depth) {
		/* no fd left down here: from the root again, as deep as needed */
		s->lo = 0;
		for (size_t i = 0; i < s->depth; i++) {
			int fd = ds_open(s, i, i ? s->fds[i - 1] : s->rootfd, err);
			if (fd < 0) {
				ds_pop_to(s, i);
				return -1;
			}
			ds_keep(s, i, fd);
		}
	}
	size_t start = s->depth ? s->ends[s->depth - 1] + 1 : 0;
	while (start < dlen) {
		const char *slash = strchr(dir + start, '/');
		size_t end = slash ? (size_t)(slash - dir) : dlen;
		if (s->depth == s->cap_levels) {
			s->cap_levels = s->cap_levels ? s->cap_levels * 2 : 64;
			s->ends = xrealloc(s->ends, s->cap_levels * sizeof(*s->ends));
			s->fds = xrealloc(s->fds, s->cap_levels * sizeof(*s->fds));
		}
		s->ends[s->depth] = end;
		int fd = ds_open(s, s->depth, ds_top(s), err);
		if (fd < 0) {
			s->len = s->depth ? s->ends[s->depth - 1] : 0;
			return -1;
		}
		ds_keep(s, s->depth++, fd);
		start = end + 1;
	}
	return ds_top(s);
}

/* Directory times are set last (creating entries changes them). Paths are
 * kept as the length shared with the previous one plus the rest: a deep
 * tree's directories would otherwise hold the square of its depth. */
struct dir_time {
	size_t keep;
	char *tail;
	struct timespec ts[2];
};

struct unpack {
	int rootfd;
	struct archive *tar;
	struct img_decomp *dc;
	struct img_split *split; /* NULL: no record of the tar kept */
	struct img_unpack_stats *st;
	/* down to the parent of the current entry */
	struct dirstack dirs_at;
	struct dir_time *dirs;
	size_t ndirs, capdirs;
	char *last_dir; /* the path of dirs[ndirs - 1] */
	unsigned long squashed;
	bool tar_failed; /* the tar reader failed while reading an entry's data */
	bool replacing;  /* the last file's name was taken: clear each place first */
	char *wbuf;      /* a file's data gathered for one write (WRITE_BUF) */

	bool layer;       /* a layer, not a copy: its whiteouts are noted */
	char **whiteouts; /* the clean paths of its ".wh.NAME" entries, in tar order */
	size_t nwh, capwh;
};

struct feed {
	struct img_decomp *dc;
	struct img_split *split;
	EVP_MD_CTX *md;
	bool eof;
	unsigned long long total; /* bytes read */
	char buf[FEED_BUF];
};

static la_ssize_t feed_read(struct archive *a, void *data, const void **buf)
{
	struct feed *f = data;
	if (f->eof)
		return 0;
	cleanup_err struct burrow_err *e = NULL;
	ssize_t n = img_decomp_read(f->dc, f->buf, sizeof(f->buf), &e);
	if (n < 0) {
		archive_set_error(a, e->status ? e->status : EIO, "%s", e->msg);
		return -1;
	}
	if (n == 0) {
		f->eof = true;
	} else {
		if (f->md)
			EVP_DigestUpdate(f->md, f->buf, (size_t)n);
		if (f->split)
			img_split_feed(f->split, f->buf, (size_t)n);
	}
	f->total += (unsigned long long)n;
	*buf = f->buf;
	return n;
}

/* The parent directory of an entry, borrowed (valid until the next call). */
static int parent_fd(struct unpack *u, const char *parent, struct burrow_err **err)
{
	return ds_goto(&u->dirs_at, parent, err);
}

enum { PLACE_FREE, KEPT_DIR, CLEARED };

/* Removes what is at pfd/name so a new entry can take its place (as tar
 * does): PLACE_FREE when nothing was there, CLEARED when something was
 * removed; keep_dir: an existing directory stays (KEPT_DIR). */
static int clear_place(int pfd, const char *name, bool keep_dir, struct burrow_err **err)
{
	struct stat sb;
	if (fstatat(pfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return PLACE_FREE;
		return burrow_error(err, errno, "cannot stat '%s'", str_quote(name));
	}
	if (S_ISDIR(sb.st_mode)) {
		if (keep_dir)
			return KEPT_DIR;
		/* pfd is the top of the directory stack, which never holds one of
		 * its children: the stack stays valid */
		return rm_rf_at(pfd, name, err) < 0 ? -1 : CLEARED;
	}
	if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
		return burrow_error(err, errno, "cannot remove '%s'", str_quote(name));
	return CLEARED;
}

/* Ownership: IDs the namespace does not map (the single-ID mapping maps
 * only 0) cannot be set; the file then keeps what it can (root). *lost
 * (if not NULL): S_ISUID when the user could not be set, S_ISGID when the
 * group could not, the bits that must not stay (as tar drops them). */
static int set_owner(struct unpack *u, int fd, int pfd, const char *name, struct archive_entry *e, mode_t *lost,
                     struct burrow_err **err)
{
	la_int64_t uid64 = archive_entry_uid(e), gid64 = archive_entry_gid(e);
	uid_t uid = uid64 >= 0 && uid64 < UINT32_MAX ? (uid_t)uid64 : 0;
	gid_t gid = gid64 >= 0 && gid64 < UINT32_MAX ? (gid_t)gid64 : 0;
	int r = fd >= 0 ? fchown(fd, uid, gid) : fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
	if (r == 0)
		return 0;
	if (errno != EINVAL && errno != EPERM)
		return burrow_error(err, errno, "cannot change the owner of '%s'", str_quote(name));
	/* keep the half that is mapped, if any */
	mode_t gone = S_ISUID | S_ISGID;
	if (fd >= 0 ? fchown(fd, uid, (gid_t)-1) == 0 : fchownat(pfd, name, uid, (gid_t)-1, AT_SYMLINK_NOFOLLOW) == 0)
		gone = S_ISGID;
	else if (fd >= 0 ? fchown(fd, (uid_t)-1, gid) == 0
	                 : fchownat(pfd, name, (uid_t)-1, gid, AT_SYMLINK_NOFOLLOW) == 0)
		gone = S_ISUID;
	if (lost)
		*lost = gone;
	if (u->squashed++ == 0)
		burrow_debug("'%s' belongs to %u:%u, which this user namespace does not map; ownership squashed",
		             str_quote(archive_entry_pathname(e)), (unsigned)uid, (unsigned)gid);
	return 0;
}

bool img_overlay_private_xattr(const char *name)
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
		if (img_overlay_private_xattr(xname)) {
			burrow_debug("dropping extended attribute '%s' of '%s'", str_quote(xname),
			             str_quote(archive_entry_pathname(e)));
			continue;
		}
		if (fsetxattr(fd, xname, val, size, 0) == 0)
			continue;
		if (strncmp(xname, "user.", 5) == 0)
			burrow_warn("cannot keep 'user.*' extended attributes of image files in the layer store: %s",
			            strerror(errno));
		else
			burrow_debug("cannot set extended attribute '%s' on '%s': %s", str_quote(xname),
			             str_quote(archive_entry_pathname(e)), strerror(errno));
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

/* Whether made has the entry's owner and mode already. */
static bool meta_right(const struct stat *made, struct archive_entry *e)
{
	return (la_int64_t)made->st_uid == archive_entry_uid(e) && (la_int64_t)made->st_gid == archive_entry_gid(e) &&
	       (made->st_mode & 07777) == (archive_entry_perm(e) & 07777);
}

/* Owner, mode, xattrs (and times unless a directory) of an open fd. made:
 * the fd's owner and mode as it was created, which are left as they are
 * where they are the entry's already (on fuse-overlayfs each change is a
 * request; a new small file's are seven: the directory's getattr, lookup,
 * create, getxattr, write, setattr of its times, release); NULL: set
 * both. */
static int set_meta_fd(struct unpack *u, int fd, const char *name, struct archive_entry *e, bool times,
                       const struct stat *made, struct burrow_err **err)
{
	mode_t perm = archive_entry_perm(e) & 07777, lost = 0;
	bool owned = made && (la_int64_t)made->st_uid == archive_entry_uid(e) &&
	             (la_int64_t)made->st_gid == archive_entry_gid(e);
	if (!owned && set_owner(u, fd, -1, name, e, &lost, err) < 0)
		return -1;
	/* a file squashed to root keeps no setuid (setgid) of the owner it
	 * could not get: it would run as root, for whoever runs it */
	if (archive_entry_filetype(e) != AE_IFDIR)
		perm &= ~lost;
	/* after chown, which clears setuid/setgid */
	if ((!made || (made->st_mode & 07777) != perm || (!owned && (perm & 06000))) && fchmod(fd, perm) < 0)
		return burrow_error(err, errno, "cannot set the mode of '%s'", str_quote(name));
	set_xattrs(fd, e);
	if (times) {
		struct timespec ts[2];
		entry_times(e, ts);
		if (futimens(fd, ts) < 0)
			return burrow_error(err, errno, "cannot set the times of '%s'", str_quote(name));
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
	size_t keep = 0;
	while (u->last_dir && u->last_dir[keep] && u->last_dir[keep] == path[keep])
		keep++;
	d->keep = keep;
	d->tail = xstrdup(path + keep);
	free(u->last_dir);
	u->last_dir = xstrdup(path);
	entry_times(e, d->ts);
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = TEMP_FAILURE_RETRY(pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done));
		if (r < 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/* The entry's data (size bytes, -1 unknown) into fd, a run of blocks
 * gathered into one write of up to WRITE_BUF bytes; a block that is the
 * whole file, or as large as the buffer, is written as it is. *end: the
 * end of the data written. */
static int write_data(struct unpack *u, int fd, const char *path, la_int64_t size, off_t *end, struct burrow_err **err)
{
	const void *buf;
	size_t n, len = 0; /* len bytes gathered, for offset at */
	la_int64_t off;
	off_t at = 0;
	for (;;) {
		int rc = archive_read_data_block(u->tar, &buf, &n, &off);
		if (rc != ARCHIVE_EOF && rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
			u->tar_failed = true;
			return burrow_error(err, 0, "cannot read its data: %s", archive_error_string(u->tar));
		}
		/* the end, a hole (a sparse file) or a full buffer ends a run */
		bool eof = rc == ARCHIVE_EOF;
		if (len && (eof || (off_t)off != at + (off_t)len || len + n > WRITE_BUF)) {
			if (pwrite_all(fd, u->wbuf, len, at) < 0)
				return burrow_error(err, errno, "cannot write '%s'", str_quote(path));
			len = 0;
		}
		if (eof)
			return 0;
		if (!n)
			continue;
		if (!len && (n >= WRITE_BUF || (off == 0 && (la_int64_t)n == size))) {
			if (pwrite_all(fd, buf, n, (off_t)off) < 0)
				return burrow_error(err, errno, "cannot write '%s'", str_quote(path));
		} else {
			if (!u->wbuf)
				u->wbuf = xmalloc(WRITE_BUF);
			if (!len)
				at = (off_t)off;
			memcpy(u->wbuf + len, buf, n);
			len += n;
		}
		if ((off_t)off + (off_t)n > *end)
			*end = (off_t)off + (off_t)n;
	}
}

/* clear_place for a place that most likely holds a file: unlinked
 * without a look first (on FUSE the look is a request of its own). */
static int unlink_place(int pfd, const char *name, struct burrow_err **err)
{
	if (unlinkat(pfd, name, 0) == 0)
		return CLEARED;
	if (errno == ENOENT)
		return PLACE_FREE;
	if (errno == EISDIR)
		return clear_place(pfd, name, false, err);
	return burrow_error(err, errno, "cannot remove '%s'", str_quote(name));
}

/* The new file, created with O_EXCL (never an existing file's inode, nor
 * what a link there points to). Its place is cleared first only while the
 * files' places are taken (a copy over an earlier one), by an unlink
 * without a look first: on FUSE each look is a request. cp of 100 x 1 MB
 * + 1000 x 1 KB into a running container (with WRITE_BUF): 9,879 requests
 * to fuse-overlayfs before, 7,797 after; over an earlier copy 14,201 and
 * 12,205. */
static int create_file(struct unpack *u, int pfd, const char *name, const char *path, mode_t mode,
                       struct burrow_err **err)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	bool cleared = u->replacing;
	if (cleared) {
		int r = unlink_place(pfd, name, err);
		if (r < 0)
			return -1;
		u->replacing = r == CLEARED;
	}
	int fd = openat(pfd, name, flags, mode);
	if (fd < 0 && errno == EEXIST && !cleared) {
		if (clear_place(pfd, name, false, err) < 0)
			return -1;
		u->replacing = true;
		fd = openat(pfd, name, flags, mode);
	}
	if (fd < 0)
		return burrow_error(err, errno, "cannot create '%s'", str_quote(path));
	return fd;
}

static int make_file(struct unpack *u, int pfd, const char *name, const char *path, struct archive_entry *e,
                     struct burrow_err **err)
{
	/* made with its mode (less the umask and setuid, setgid, sticky) */
	cleanup_close int fd = create_file(u, pfd, name, path, archive_entry_perm(e) & 0777, err);
	if (fd < 0)
		return -1;
	struct stat made;
	if (fstat(fd, &made) < 0)
		return burrow_error(err, errno, "cannot create '%s'", str_quote(path));
	la_int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
	off_t end = 0;
	if (write_data(u, fd, path, size, &end, err) < 0)
		return -1;
	if (size >= 0 && end < size && ftruncate(fd, (off_t)size) < 0)
		return burrow_error(err, errno, "cannot write '%s'", str_quote(path));
	u->st->size += archive_entry_size(e);
	return set_meta_fd(u, fd, path, e, true, &made, err);
}

static int make_dir(struct unpack *u, int pfd, const char *name, const char *path, struct archive_entry *e,
                    struct burrow_err **err)
{
	/* made with its mode: where that and the owner are the entry's already
	 * and it has no xattrs, the directory is not opened (on FUSE an open
	 * and its release are two requests, a chown and a chmod two more) */
	mode_t mode = archive_entry_perm(e) & 0777;
	if (mkdirat(pfd, name, mode) < 0) {
		if (errno != EEXIST)
			return burrow_error(err, errno, "cannot create directory '%s'", str_quote(path));
		int r = clear_place(pfd, name, true, err);
		if (r < 0)
			return -1;
		if (r != KEPT_DIR && mkdirat(pfd, name, mode) < 0)
			return burrow_error(err, errno, "cannot create directory '%s'", str_quote(path));
	}
	struct stat made;
	if (fstatat(pfd, name, &made, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(made.st_mode) || !meta_right(&made, e) ||
	    archive_entry_xattr_reset(e) > 0) {
		cleanup_close int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &made) < 0)
			return burrow_error(err, errno, "cannot open directory '%s'", str_quote(path));
		if (set_meta_fd(u, fd, path, e, false, &made, err) < 0)
			return -1;
	}
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
	if (clear_place(pfd, name, false, err) < 0)
		return -1;
	/* created as it is, never followed here: absolute targets are normal */
	if (symlinkat(target, pfd, name) < 0)
		return burrow_error(err, errno, "cannot create symbolic link '%s'", str_quote(path));
	struct stat made;
	bool owned = fstatat(pfd, name, &made, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(made.st_mode) &&
	             (la_int64_t)made.st_uid == archive_entry_uid(e) && (la_int64_t)made.st_gid == archive_entry_gid(e);
	if (!owned && set_owner(u, -1, pfd, name, e, NULL, err) < 0)
		return -1;
	struct timespec ts[2];
	entry_times(e, ts);
	if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return burrow_error(err, errno, "cannot set the times of '%s'", str_quote(path));
	return 0;
}

static int make_fifo(struct unpack *u, int pfd, const char *name, const char *path, struct archive_entry *e,
                     struct burrow_err **err)
{
	if (clear_place(pfd, name, false, err) < 0)
		return -1;
	if (mknodat(pfd, name, S_IFIFO | 0600, 0) < 0)
		return burrow_error(err, errno, "cannot create fifo '%s'", str_quote(path));
	/* O_PATH does not follow (O_NOFOLLOW) and does not block on a fifo */
	cleanup_close int fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open fifo '%s'", str_quote(path));
	if (set_owner(u, -1, pfd, name, e, NULL, err) < 0)
		return -1;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chmod(proc, archive_entry_perm(e) & 07777) < 0)
		burrow_debug("cannot set the mode of fifo '%s': %s", str_quote(path), strerror(errno));
	struct timespec ts[2];
	entry_times(e, ts);
	if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return burrow_error(err, errno, "cannot set the times of '%s'", str_quote(path));
	return 0;
}

static int refuse_target(struct burrow_err **err, const char *raw_target)
{
	burrow_error_wrap(err, "hard link target '%s'", str_quote(raw_target));
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
	cleanup_dirstack struct dirstack walk;
	ds_init(&walk, u->rootfd, false);
	int tfd = ds_goto(&walk, tparent, err);
	if (tfd < 0) {
		int st = (*err)->status;
		if (st == ELOOP || st == ENOTDIR || st == ENOENT)
			return refuse_target(err, raw_target);
		return burrow_error_wrap(err, "hard link target '%s'", str_quote(raw_target));
	}
	struct stat sb;
	if (fstatat(tfd, tname, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT) {
			burrow_error_status(err, ENOENT, "not in the layer");
			return refuse_target(err, raw_target);
		}
		return burrow_error(err, errno, "hard link target '%s'", str_quote(raw_target));
	}
	if (S_ISDIR(sb.st_mode)) {
		burrow_error_status(err, EISDIR, "a directory");
		return refuse_target(err, raw_target);
	}
	if (clear_place(pfd, name, false, err) < 0)
		return -1;
	/* flags 0: a symlink target is linked itself, not followed */
	if (linkat(tfd, tname, pfd, name, 0) < 0)
		return burrow_error(err, errno, "cannot link '%s' to '%s'", str_quote(path), str_quote(raw_target));
	return 0;
}

/* The entry "./" (or "."): the layer root's own owner, mode, xattrs, time. */
static int root_entry(struct unpack *u, struct archive_entry *e, struct burrow_err **err)
{
	if (archive_entry_hardlink(e) || archive_entry_filetype(e) != AE_IFDIR)
		return burrow_error_status(err, EINVAL, "the layer root can only be a directory");
	if (set_meta_fd(u, u->rootfd, ".", e, false, NULL, err) < 0)
		return -1;
	defer_dir_time(u, "", e);
	return 0;
}

/* The name a whiteout hides, or NULL: name is not one, or hides nothing a
 * layer can have (".", "..", the overlay's own ".wh." names). */
static const char *whited_out(const char *name)
{
	if (strncmp(name, OVL_WHITEOUT, strlen(OVL_WHITEOUT)) != 0)
		return NULL;
	const char *x = name + strlen(OVL_WHITEOUT);
	if (!*x || strcmp(x, ".") == 0 || strcmp(x, "..") == 0 || strncmp(x, OVL_WHITEOUT, strlen(OVL_WHITEOUT)) == 0)
		return NULL;
	return x;
}

static void note_whiteout(struct unpack *u, const char *path)
{
	if (u->nwh == u->capwh) {
		u->capwh = u->capwh ? u->capwh * 2 : 16;
		u->whiteouts = xrealloc(u->whiteouts, u->capwh * sizeof(*u->whiteouts));
	}
	u->whiteouts[u->nwh++] = xstrdup(path);
}

/* An empty ".wh..wh..opq" in the directory name of pfd (not followed if a
 * link): its lower layers' content is hidden. */
static int make_opaque(int pfd, const char *name, const char *path, struct burrow_err **err)
{
	cleanup_close int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open directory '%s'", str_quote(path));
	int o = openat(fd, OVL_OPAQUE, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (o < 0 && errno != EEXIST)
		return burrow_error(err, errno, "cannot make directory '%s' opaque", str_quote(path));
	if (o >= 0)
		close(o);
	return 0;
}

/* Each whiteout whose name the layer has too goes (see the top); a
 * directory of that name becomes opaque. Each is found again from the
 * root without following a link: a later entry may have replaced its
 * directory with one. */
static int settle_whiteouts(struct unpack *u, struct burrow_err **err)
{
	cleanup_dirstack struct dirstack walk;
	ds_init(&walk, u->rootfd, false);
	for (size_t i = 0; i < u->nwh; i++) {
		char *path = u->whiteouts[i], *slash = strrchr(path, '/');
		const char *wh = slash ? slash + 1 : path, *x = whited_out(wh);
		if (slash)
			*slash = '\0';
		cleanup_err struct burrow_err *e = NULL;
		int pfd = ds_goto(&walk, slash ? path : "", &e);
		if (slash)
			*slash = '/';
		struct stat sb;
		if (pfd < 0 || fstatat(pfd, x, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone with its directory, or a whiteout of a lower layer's name only */
		if (clear_place(pfd, wh, false, err) < 0)
			return -1;
		if (S_ISDIR(sb.st_mode) && make_opaque(pfd, x, path, err) < 0)
			return -1;
	}
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
	if (u->layer && whited_out(name))
		note_whiteout(u, path);

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
		/* libarchive has consumed the header: its data starts here */
		if (u->split && archive_entry_size_is_set(e) && archive_entry_size(e) > 0 &&
		    archive_entry_sparse_count(e) == 0 &&
		    img_split_file(u->split, (unsigned long long)archive_filter_bytes(u->tar, 0),
		                   (unsigned long long)archive_entry_size(e), path, err) < 0)
			return -1;
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
		burrow_debug("skipping device node '%s': it cannot be created in a user namespace", str_quote(path));
		return 0;
	default:
		burrow_debug("skipping '%s' of type %o", str_quote(path), (unsigned)archive_entry_filetype(e));
		return 0;
	}
	if (r == 0)
		u->st->files++;
	return r;
}

/* In tar order, through one directory stack: a tree's directories come
 * one after another, so each costs a few openat calls whatever its depth.
 * Setting a directory's times does not change its parent's. */
static void apply_dir_times(struct unpack *u)
{
	cleanup_dirstack struct dirstack walk;
	ds_init(&walk, u->rootfd, false);
	cleanup_free char *path = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < u->ndirs; i++) {
		struct dir_time *d = &u->dirs[i];
		size_t tl = strlen(d->tail);
		if (d->keep + tl + 1 > cap) {
			cap = (d->keep + tl + 1) * 2;
			path = xrealloc(path, cap);
		}
		memcpy(path + d->keep, d->tail, tl + 1);
		if (!*path) {
			if (futimens(u->rootfd, d->ts) < 0)
				burrow_debug("cannot set the times of the layer root: %s", strerror(errno));
			continue;
		}
		char *slash = strrchr(path, '/');
		if (slash)
			*slash = '\0';
		cleanup_err struct burrow_err *e = NULL;
		int pfd = ds_goto(&walk, slash ? path : "", &e);
		if (slash)
			*slash = '/';
		cleanup_close int fd =
		    pfd < 0 ? -1
		            : openat(pfd, slash ? slash + 1 : path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || futimens(fd, d->ts) < 0)
			burrow_debug("cannot set the times of directory '%s'", str_quote(path));
	}
}

static void unpack_clear(struct unpack *u)
{
	ds_clear(&u->dirs_at);
	for (size_t i = 0; i < u->ndirs; i++)
		free(u->dirs[i].tail);
	free(u->dirs);
	free(u->last_dir);
	free(u->wbuf);
	for (size_t i = 0; i < u->nwh; i++)
		free(u->whiteouts[i]);
	free(u->whiteouts);
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

static void decomp_freep(struct img_decomp **d)
{
	img_decomp_free(*d);
}

/* The tar reader failed or read garbage: when the compressed stream is
 * damaged, that is the cause to report. The rest of the stream is read to
 * find out (a gzip CRC is only known at its end). Returns -1. */
static int tar_failed(struct unpack *u, struct burrow_err **err)
{
	if (!img_decomp_failed(u->dc)) {
		cleanup_free char *buf = xmalloc(FEED_BUF);
		cleanup_err struct burrow_err *e = NULL;
		while (img_decomp_read(u->dc, buf, FEED_BUF, &e) > 0)
			;
	}
	if (img_decomp_failed(u->dc))
		img_decomp_read(u->dc, NULL, 0, err);
	return -1;
}

static int run_entries(struct unpack *u, struct burrow_err **err)
{
	bool first = true;
	for (;;) {
		struct archive_entry *e;
		int rc = archive_read_next_header(u->tar, &e);
		if (rc == ARCHIVE_EOF)
			return 0;
		/* ARCHIVE_RETRY: a damaged header (bad checksum), no entry */
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
			const char *m = archive_error_string(u->tar);
			if (first)
				burrow_error(err, 0, "not a tar archive (plain, gzip, zstd, xz or bzip2): %s",
				             m ? m : "unknown format");
			else
				burrow_error(err, 0, "cannot read the archive: %s", m ? m : "read error");
			return tar_failed(u, err);
		}
		first = false;
		const char *raw = archive_entry_pathname(e);
		if (!raw)
			raw = archive_entry_pathname_utf8(e);
		if (!raw) {
			burrow_error(err, 0, "tar entry with a name that cannot be read");
			return tar_failed(u, err);
		}
		if (extract_entry(u, e, raw, err) < 0) {
			if (u->tar_failed)
				return tar_failed(u, err);
			return burrow_error_wrap(err, "tar entry '%s'", str_quote(raw));
		}
	}
}

/* digest: the tar's sha256 into st->digest (a layer's diff ID); a copy
 * (cp, volume import) goes without: hashing it was a sixth of cp's time */
static int unpack(struct img_decomp *dc, int rootfd, struct img_split *split, const char *source, bool digest,
                  struct img_unpack_stats *st, struct burrow_err **err)
{
	memset(st, 0, sizeof(*st));
	cleanup_free struct feed *f = xcalloc(1, sizeof(*f));
	__attribute__((cleanup(md_freep))) EVP_MD_CTX *md = digest ? EVP_MD_CTX_new() : NULL;
	if (digest && (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)))
		return burrow_error(err, 0, "cannot set up sha256 (OpenSSL)");
	f->md = md;
	f->dc = dc;
	f->split = split;

	cleanup_archive struct archive *tar = archive_read_new();
	if (!tar)
		return burrow_error(err, ENOMEM, "cannot set up libarchive");
	archive_read_support_format_tar(tar);
	/* a layer's unpack is the one that is hashed */
	struct unpack u = {.rootfd = rootfd, .tar = tar, .dc = dc, .split = split, .st = st, .layer = digest};
	ds_init(&u.dirs_at, rootfd, true);
	/* the format is detected here */
	if (archive_read_open(tar, f, NULL, feed_read, NULL) != ARCHIVE_OK) {
		const char *m = archive_error_string(tar);
		if (f->eof && f->total == 0)
			burrow_error_status(err, ENODATA, "it is empty"); /* compressed nothing */
		else if (!m || archive_errno(tar) == EILSEQ || strcmp(m, "Unrecognized archive format") == 0)
			burrow_error(err, 0, "not a tar archive (plain, gzip, zstd, xz or bzip2)");
		else
			burrow_error(err, 0, "cannot read: %s", m);
		return tar_failed(&u, err);
	}

	int r = run_entries(&u, err);
	if (r == 0) {
		/* hash what the tar reader did not need (trailing blocks); the
		 * stream's checks (a gzip trailer) come at its very end */
		while (!f->eof) {
			ssize_t n = img_decomp_read(dc, f->buf, sizeof(f->buf), err);
			if (n < 0) {
				r = -1;
				break;
			}
			if (n == 0)
				break;
			if (md)
				EVP_DigestUpdate(md, f->buf, (size_t)n);
			if (split)
				img_split_feed(split, f->buf, (size_t)n);
		}
	}
	ds_clear(&u.dirs_at);
	if (r == 0 && u.nwh)
		r = settle_whiteouts(&u, err);
	if (r == 0)
		apply_dir_times(&u);
	st->squashed = u.squashed;
	if (r == 0 && u.squashed)
		burrow_debug("%lu entries of '%s' kept root ownership: their IDs are not mapped here", u.squashed,
		             str_quote(source));
	unpack_clear(&u);
	if (r < 0)
		return -1;
	if (!md)
		return 0;
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	if (!EVP_DigestFinal_ex(md, dig, &dlen) || dlen != 32)
		return burrow_error(err, 0, "cannot compute sha256 (OpenSSL)");
	for (unsigned i = 0; i < 32; i++)
		snprintf(st->digest + 2 * i, 3, "%02x", dig[i]);
	return 0;
}

int img_unpack_stream(struct img_decomp *dc, int rootfd, struct img_split *split, const char *source,
                      struct img_unpack_stats *st, struct burrow_err **err)
{
	if (img_libs_load(err) < 0)
		return -1;
	return unpack(dc, rootfd, split, source, true, st, err);
}

static int unpack_fd(int fd, int rootfd, const char *source, bool digest, struct img_unpack_stats *st,
                     struct burrow_err **err)
{
	__attribute__((cleanup(decomp_freep))) struct img_decomp *dc = img_decomp_open(img_read_fd, &fd, err);
	if (!dc)
		return -1;
	return unpack(dc, rootfd, NULL, source, digest, st, err);
}

int img_unpack(int fd, int rootfd, const char *source, struct img_unpack_stats *st, struct burrow_err **err)
{
	return unpack_fd(fd, rootfd, source, true, st, err);
}

int img_unpack_copy(int fd, int rootfd, const char *source, struct img_unpack_stats *st, struct burrow_err **err)
{
	return unpack_fd(fd, rootfd, source, false, st, err);
}
