/* Writing a tar of a tree (volume export, container export, cp).
 *
 * The tree is walked on lib/walk.h's walk: each directory opened with
 * openat(O_NOFOLLOW|O_DIRECTORY) from its parent, so a symlink in the tree
 * is archived as a symlink and never followed, whatever a container does
 * meanwhile; the entries of each directory in sorted order; a directory a
 * container moves meanwhile neither fails the archive nor is followed
 * where it went. libarchive (opened on first use, lib/dl.h) writes the tar:
 * pax, numeric owners, xattrs. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/tar.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/dl.h"
#include "lib/fileutil.h"
#include "lib/hardlinks.h"
#include "lib/quote.h"
#include "lib/walk.h"
#include "lib/xalloc.h"
#include "overlay/merge.h"

#define TAR_AR_FUNCS(X)                          \
	X(archive_entry_clear)                   \
	X(archive_entry_copy_stat)               \
	X(archive_entry_free)                    \
	X(archive_entry_new)                     \
	X(archive_entry_set_hardlink)            \
	X(archive_entry_set_pathname)            \
	X(archive_entry_set_size)                \
	X(archive_entry_set_symlink)             \
	X(archive_entry_set_uid)                 \
	X(archive_entry_set_gid)                 \
	X(archive_entry_xattr_add_entry)         \
	X(archive_errno)                         \
	X(archive_error_string)                  \
	X(archive_write_close)                   \
	X(archive_write_data)                    \
	X(archive_write_finish_entry)            \
	X(archive_write_free)                    \
	X(archive_write_header)                  \
	X(archive_write_new)                     \
	X(archive_write_open_fd)                 \
	X(archive_write_set_bytes_in_last_block) \
	X(archive_write_set_bytes_per_block)     \
	X(archive_write_set_format_pax_restricted)

#define TAR_AR_FIELD(name) __typeof__(name) *name;
static struct {
	TAR_AR_FUNCS(TAR_AR_FIELD)
} ar;

static int ar_load(struct burrow_err **err)
{
	static bool loaded;
#define TAR_AR_SYM(name) {#name, (void **)&ar.name},
	static const struct dl_sym syms[] = {TAR_AR_FUNCS(TAR_AR_SYM)};
#undef TAR_AR_SYM
	return dl_load("libarchive.so.13", "libarchive13", syms, sizeof(syms) / sizeof(syms[0]), &loaded, err);
}

#define EXPORT_BUF (128 * 1024)
/* A tar for a file or standard output (o->block 0) is written 25 of tar's
 * 10240-byte records at a time, its end as libarchive ends a tar written
 * record by record (last_block; the end is padded from the start of the
 * last block, hence whole records): the same bytes in a 25th of the
 * writes (export of a container with 100 MB in 1,100 files: 10,595
 * writes, 424 after). */
#define TAR_RECORD 10240
#define FILE_BLOCK (25 * TAR_RECORD)

struct exporter {
	struct archive *a;
	struct archive_entry *e;
	const char *path; /* the current entry's path in the archive */
	char *dirpath;    /* a directory's: its path and "/" */
	size_t dcap;
	struct hardlinks links; /* regular files with more than one link */
	bool every_file;        /* links counts no names: every file in links */
	char *buf;
	bool content;          /* the top is a directory whose content is archived, not it */
	bool layers;           /* the overlay's own xattrs are left out */
	long long uid, gid;    /* every entry's owner (-1: as on disk) */
	bool map_uid, map_gid; /* else the owner on disk through these */
	struct ctr_id_seen uid_seen, gid_seen;
	const int *below; /* no_stubs: the layers below the upper directory */
	size_t nbelow;
};

/* libarchive's message, and the errno behind it ("Write error: File too
 * large"). */
static int ar_error(struct archive *a, struct burrow_err **err, const char *what, const char *path)
{
	const char *m = ar.archive_error_string(a);
	int e = ar.archive_errno(a);
	if (e > 0 && (!m || !strstr(m, strerror(e))))
		return burrow_error(err, e, "%s%s%s: %s", what, path ? " " : "", path ? path : "", m ? m : "failed");
	/* the message names errno already: kept as the status only (cp tells
	 * a reader that gave up, EPIPE, by it) */
	return burrow_error_status(err, e > 0 ? e : 0, "%s%s%s: %s", what, path ? " " : "", path ? path : "",
	                           m ? m : "failed");
}

static int ar_failed(struct exporter *x, struct burrow_err **err)
{
	cleanup_free char *q = xasprintf("'%s'", str_quote(x->path));
	return ar_error(x->a, err, "cannot archive", q);
}

static int add_xattr(const char *name, const void *val, size_t len, void *data)
{
	struct exporter *x = data;
	if (!x->layers || !ovl_private_xattr(name))
		ar.archive_entry_xattr_add_entry(x->e, name, val, len);
	return 0;
}

static void add_xattrs(struct exporter *x, int fd)
{
	fd_xattrs_each(fd, add_xattr, x);
}

/* Writes the header of the current path for st (and fd's xattrs). */
static int write_header(struct exporter *x, const struct stat *st, int fd, const char *symlink, const char *hardlink,
                        struct burrow_err **err)
{
	ar.archive_entry_clear(x->e);
	ar.archive_entry_copy_stat(x->e, st);
	ar.archive_entry_set_pathname(x->e, x->path);
	if (x->uid >= 0)
		ar.archive_entry_set_uid(x->e, x->uid);
	else if (x->map_uid)
		ar.archive_entry_set_uid(x->e, (la_int64_t)ctr_id_seen(&x->uid_seen, st->st_uid));
	if (x->gid >= 0)
		ar.archive_entry_set_gid(x->e, x->gid);
	else if (x->map_gid)
		ar.archive_entry_set_gid(x->e, (la_int64_t)ctr_id_seen(&x->gid_seen, st->st_gid));
	if (!S_ISREG(st->st_mode) || hardlink)
		ar.archive_entry_set_size(x->e, 0);
	if (symlink)
		ar.archive_entry_set_symlink(x->e, symlink);
	if (hardlink)
		ar.archive_entry_set_hardlink(x->e, hardlink);
	if (fd >= 0 && !hardlink)
		add_xattrs(x, fd);
	if (ar.archive_write_header(x->a, x->e) < ARCHIVE_WARN)
		return ar_failed(x, err);
	return 0;
}

static int add_file(struct exporter *x, int dfd, const char *name, struct burrow_err **err)
{
	cleanup_close int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (errno == ENOENT || errno == ELOOP) {
			burrow_debug("'%s' changed while it was exported: left out", str_quote(x->path));
			return 0;
		}
		return burrow_error(err, errno, "cannot open '%s'", str_quote(x->path));
	}
	if (!S_ISREG(st.st_mode))
		return 0; /* replaced meanwhile */
	const char *first = x->every_file || st.st_nlink > 1 ? hardlinks_seen(&x->links, &st, x->path) : NULL;
	if (write_header(x, &st, fd, NULL, first, err) < 0)
		return -1;
	if (first)
		return 0;
	/* exactly the size in the header: a file that shrinks meanwhile is
	 * padded (by libarchive), one that grows is cut */
	off_t left = st.st_size;
	while (left > 0) {
		size_t want = left < EXPORT_BUF ? (size_t)left : EXPORT_BUF;
		ssize_t r = read(fd, x->buf, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return burrow_error(err, errno, "cannot read '%s'", str_quote(x->path));
		if (r == 0)
			break;
		if (ar.archive_write_data(x->a, x->buf, (size_t)r) < 0)
			return ar_failed(x, err);
		left -= r;
	}
	if (ar.archive_write_finish_entry(x->a) < ARCHIVE_WARN)
		return ar_failed(x, err);
	return 0;
}

/* An entry that is neither a directory nor (by its d_type) a file. */
static int add_other(struct exporter *x, const struct walk_at *at, struct burrow_err **err)
{
	struct stat st = at->st;
	if (!at->stat_ok && fstatat(at->dirfd, at->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0; /* removed meanwhile */
		return burrow_error(err, errno, "cannot examine '%s'", str_quote(x->path));
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return add_file(x, at->dirfd, at->name, err);
	case S_IFLNK: {
		cleanup_free char *target = xmalloc((size_t)st.st_size + 2);
		ssize_t n = readlinkat(at->dirfd, at->name, target, (size_t)st.st_size + 1);
		if (n < 0 || n > st.st_size) {
			burrow_debug("'%s' changed while it was exported: left out", str_quote(x->path));
			return 0;
		}
		target[n] = '\0';
		return write_header(x, &st, -1, target, NULL, err);
	}
	case S_IFIFO:
	case S_IFCHR:
	case S_IFBLK:
		return write_header(x, &st, -1, NULL, NULL, err);
	case S_IFDIR:
		burrow_debug("'%s' changed while it was exported: left out", str_quote(x->path));
		return 0;
	default:
		burrow_debug("'%s' is a socket: left out of the archive", str_quote(x->path));
		return 0;
	}
}

/* The archive's entries in the walk's order: sorted, each directory
 * before what it holds. */
/* Whether regular file at is one of the empty files a container's bind
 * mounts were made on where the layers below its upper directory have
 * none: 1, 0, or -1 with *err set. */
static int is_stub(const struct exporter *x, const struct walk_at *at, struct burrow_err **err)
{
	struct stat st;
	if (!img_commit_stub(at->path) || fstatat(at->dirfd, at->name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_size != 0)
		return 0;
	int has = ovl_merge_has(x->below, x->nbelow, at->path, err);
	return has < 0 ? -1 : !has;
}

static int export_visit(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	struct exporter *x = data;
	switch (step) {
	case WALK_LEAVE:
		return 0;
	case WALK_ENTER: {
		if (at->depth == 0 && x->content)
			return 0;
		size_t len = strlen(at->path);
		if (len + 2 > x->dcap) {
			x->dcap = (len + 2) * 2;
			x->dirpath = xrealloc(x->dirpath, x->dcap);
		}
		memcpy(x->dirpath, at->path, len);
		memcpy(x->dirpath + len, "/", 2);
		x->path = x->dirpath;
		return write_header(x, &at->st, at->fd, NULL, NULL, err);
	}
	case WALK_FILE:
		x->path = at->path;
		if (at->type == DT_REG && x->below) {
			int stub = is_stub(x, at, err);
			if (stub)
				return stub < 0 ? -1 : 0;
		}
		if (at->type == DT_REG)
			return add_file(x, at->dirfd, at->name, err);
		return add_other(x, at, err);
	}
	return 0;
}

static void exporter_clear(struct exporter *x)
{
	free(x->dirpath);
	free(x->buf);
	hardlinks_clear(&x->links);
	if (x->e)
		ar.archive_entry_free(x->e);
	if (x->a)
		ar.archive_write_free(x->a);
}

int ctr_tar_load(struct burrow_err **err)
{
	return ar_load(err);
}

/* How the last block ends when o->block is 0, as archive_write_open_fd
 * decides it for its default records: padded to a whole record on
 * standard output, a FIFO or a device, not padded (1) in a regular file. */
static int last_block(int fd)
{
	struct stat st;
	if (fd == STDOUT_FILENO || fstat(fd, &st) < 0 || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
	    S_ISFIFO(st.st_mode))
		return TAR_RECORD;
	return 1;
}

int ctr_tar_write(int dirfd, const struct ctr_tar_opts *o, int fd, struct burrow_err **err)
{
	if (ar_load(err) < 0)
		return -1;
	struct exporter x = {.content = !o->name,
	                     .layers = o->layers,
	                     .uid = o->uid,
	                     .gid = o->gid,
	                     .map_uid = o->uid_map,
	                     .map_gid = o->gid_map,
	                     .below = o->no_stubs && o->nlayers ? o->layers : NULL,
	                     .nbelow = o->no_stubs && o->nlayers ? o->nlayers - 1 : 0};
	if (x.map_uid)
		ctr_id_seen_init(&x.uid_seen, o->uid_map, false);
	if (x.map_gid)
		ctr_id_seen_init(&x.gid_seen, o->gid_map, true);
	x.a = ar.archive_write_new();
	x.e = ar.archive_entry_new();
	if (!x.a || !x.e) {
		exporter_clear(&x);
		return burrow_error(err, ENOMEM, "cannot set up libarchive");
	}
	x.buf = xmalloc(EXPORT_BUF);
	/* fuse-overlayfs counts a lower layer's file's names only as they are
	 * looked up: the first of two says st_nlink 1 */
	struct statfs sf;
	x.every_file = !o->layers && fstatfs(dirfd, &sf) == 0 && sf.f_type == FUSE_SUPER_MAGIC;
	int rc = -1;
	if (ar.archive_write_set_format_pax_restricted(x.a) != ARCHIVE_OK ||
	    ar.archive_write_set_bytes_per_block(x.a, (int)(o->block ? o->block : FILE_BLOCK)) != ARCHIVE_OK ||
	    ar.archive_write_set_bytes_in_last_block(x.a, o->block ? 1 : last_block(fd)) != ARCHIVE_OK ||
	    ar.archive_write_open_fd(x.a, fd) != ARCHIVE_OK)
		ar_error(x.a, err, "cannot start the archive", NULL);
	else if ((o->layers ? ovl_merge_walk(o->layers, o->nlayers, export_visit, &x, err)
	                    : walk_tree(dirfd, o->name ? o->name : ".", o->name ? (o->as ? o->as : o->name) : "",
	                                WALK_SORTED, export_visit, &x, err)) == 0) {
		if (ar.archive_write_close(x.a) != ARCHIVE_OK)
			ar_error(x.a, err, "cannot finish the archive", NULL);
		else
			rc = 0;
	}
	exporter_clear(&x);
	return rc;
}

int ctr_tar_to_output(int dirfd, const struct ctr_tar_opts *o, const char *output, const char *flag,
                      struct burrow_err **err)
{
	if (!output) {
		if (isatty(STDOUT_FILENO)) {
			burrow_error_status(err, ENOTTY, "cannot write the archive to a terminal");
			return burrow_error_hint(err, "redirect standard output to a file or a pipe, or give %s", flag);
		}
		return ctr_tar_write(dirfd, o, STDOUT_FILENO, err);
	}
	/* complete or not at all: a temporary name beside it, renamed */
	cleanup_free char *copy = xstrdup(output);
	char *slash = strrchr(copy, '/');
	unsigned r = 0;
	if (getrandom(&r, sizeof(r), 0) < 0)
		r = (unsigned)getpid();
	if (slash)
		*slash = '\0';
	cleanup_free char *tmp =
	    xasprintf("%s%s.%s.burrow-%08x", slash ? copy : "", slash ? "/" : "", slash ? slash + 1 : copy, r);
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create '%s'", str_quote(output));
	if (ctr_tar_write(dirfd, o, fd, err) < 0)
		goto fail;
	if (fsync(fd) < 0 || close(steal_fd(fd)) < 0 || rename(tmp, output) < 0) {
		burrow_error(err, errno, "cannot write '%s'", str_quote(output));
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	return -1;
}
