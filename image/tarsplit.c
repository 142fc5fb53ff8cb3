/* A layer's tar, byte for byte, from its unpacked directory: what save and
 * push send must hash to the diff ID the image configuration names, or the
 * image would not be the same image anywhere else.
 *
 * While a layer is unpacked, the recorder sees every byte of the
 * uncompressed tar (the unpacker's feed), and the unpacker tells it, for
 * each regular file it writes, where in the stream that file's data lies:
 * libarchive's own count of the bytes it consumed, archive_filter_bytes(),
 * read right after the entry's header, is where the data starts (checked
 * against Python's tarfile offsets for ustar, pax and GNU long-name
 * entries), and the entry's size is its length. So no second tar parser
 * has to agree with libarchive. The record, layers/<id>/tar-split (gzip),
 * keeps every other byte (headers, pax records, padding, the end blocks)
 * as it came and, in place of each file's data, the file's path in the
 * layer and its size (the idea of containers/storage's tar-split; this is
 * our own format):
 *
 *   "burrow-tar-split 1\n", then records:
 *     'R' n bytes        n bytes of the tar as they were
 *     'F' size len path  size bytes read from layers/<id>/diff/path
 *     'E' total          the end; total bytes of the tar
 *   (numbers as LEB128 varints).
 *
 * Writing the tar back reads each file with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) from the layer's directory (a path of the record
 * never leads out of it), only if it is still a regular file (a later entry
 * may have made it a FIFO, which must not be waited on), and checks that the sha256 of what it wrote is
 * the diff ID: a layer whose files were changed, or a tar that named one
 * path twice, is said to be one that cannot be reproduced, never written
 * out wrong. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

#define SPLIT_MAGIC "burrow-tar-split 1\n"
#define COPY_BUF (128 * 1024)
#define PATH_MAX_LEN (64 * 1024)

/* --- recording ------------------------------------------------------------------ */

struct img_split {
	int fd;
	struct img_gzw *gz;
	unsigned char *pend; /* stream bytes [committed, total) not yet recorded */
	size_t plen, pcap;
	unsigned long long committed, total;
	bool broken; /* what the unpacker said does not fit the stream */
};

static int put_varint(struct img_split *s, unsigned long long v, struct burrow_err **err)
{
	unsigned char b[10];
	size_t n = 0;
	do {
		b[n] = v & 0x7f;
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	return img_gzw_write(s->gz, b, n, err);
}

static int put_raw(struct img_split *s, size_t n, struct burrow_err **err)
{
	if (!n)
		return 0;
	if (img_gzw_write(s->gz, "R", 1, err) < 0 || put_varint(s, n, err) < 0 ||
	    img_gzw_write(s->gz, s->pend, n, err) < 0)
		return -1;
	return 0;
}

struct img_split *img_split_new(int dirfd, struct burrow_err **err)
{
	int fd = openat(dirfd, IMG_TAR_RECORD, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		burrow_error(err, errno, "cannot create the layer's tar record");
		return NULL;
	}
	struct img_split *s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	s->gz = img_gzw_new(1, img_write_fd, &s->fd, err);
	if (!s->gz || img_gzw_write(s->gz, SPLIT_MAGIC, strlen(SPLIT_MAGIC), err) < 0) {
		img_split_free(s);
		return NULL;
	}
	return s;
}

void img_split_feed(struct img_split *s, const void *buf, size_t len)
{
	unsigned long long off = s->total;
	s->total += len;
	if (s->broken || s->total <= s->committed)
		return; /* file data: the layer has it */
	size_t skip = s->committed > off ? (size_t)(s->committed - off) : 0;
	size_t n = len - skip;
	if (s->plen + n > s->pcap) {
		s->pcap = s->plen + n > s->pcap * 2 ? s->plen + n : s->pcap * 2;
		s->pend = xrealloc(s->pend, s->pcap);
	}
	memcpy(s->pend + s->plen, (const unsigned char *)buf + skip, n);
	s->plen += n;
}

int img_split_file(struct img_split *s, unsigned long long start, unsigned long long size, const char *path,
                   struct burrow_err **err)
{
	if (s->broken)
		return 0;
	if (start < s->committed || start > s->total) {
		/* cannot be with libarchive's counts; a tar that cannot be
		 * recorded is still a layer, only not one save can write */
		burrow_debug("tar record: file '%s' at %llu, outside %llu..%llu; not recorded", str_quote(path), start,
		             s->committed, s->total);
		s->broken = true;
		return 0;
	}
	size_t raw = (size_t)(start - s->committed);
	if (put_raw(s, raw, err) < 0 || img_gzw_write(s->gz, "F", 1, err) < 0 || put_varint(s, size, err) < 0 ||
	    put_varint(s, strlen(path), err) < 0 || img_gzw_write(s->gz, path, strlen(path), err) < 0)
		return -1;
	unsigned long long end = start + size;
	size_t drop = end >= s->total ? s->plen : raw + (size_t)size;
	memmove(s->pend, s->pend + drop, s->plen - drop);
	s->plen -= drop;
	s->committed = end;
	return 0;
}

int img_split_finish(struct img_split *s, struct burrow_err **err)
{
	if (s->broken || s->committed > s->total) {
		/* no record: reproducing the tar is refused with a message */
		img_gzw_free(steal_ptr(s->gz));
		if (ftruncate(s->fd, 0) < 0)
			return burrow_error(err, errno, "cannot write the layer's tar record");
		return 0;
	}
	if (put_raw(s, s->plen, err) < 0 || img_gzw_write(s->gz, "E", 1, err) < 0 || put_varint(s, s->total, err) < 0 ||
	    img_gzw_finish(s->gz, err) < 0)
		return burrow_error_wrap(err, "cannot write the layer's tar record");
	s->plen = 0;
	return 0;
}

void img_split_free(struct img_split *s)
{
	if (!s)
		return;
	img_gzw_free(s->gz);
	if (s->fd >= 0)
		close(s->fd);
	free(s->pend);
	free(s);
}

/* --- reading a record back -------------------------------------------------------- */

struct rec {
	int fd;
	struct img_decomp *dc;
	unsigned char buf[COPY_BUF];
	size_t off, len;
	const char *id;
};

static void rec_clear(struct rec *r)
{
	img_decomp_free(r->dc);
	if (r->fd >= 0)
		close(r->fd);
}

static int rec_bad(struct rec *r, const char *why, struct burrow_err **err)
{
	return burrow_error(err, EIO, "the tar record of layer %.12s is damaged: %s", r->id, why);
}

/* Up to len bytes (at least 1), or 0 at the end. */
static ssize_t rec_read(struct rec *r, void *out, size_t len, struct burrow_err **err)
{
	if (r->off == r->len) {
		ssize_t n = img_decomp_read(r->dc, r->buf, sizeof(r->buf), err);
		if (n <= 0)
			return n;
		r->off = 0;
		r->len = (size_t)n;
	}
	size_t n = r->len - r->off < len ? r->len - r->off : len;
	memcpy(out, r->buf + r->off, n);
	r->off += n;
	return (ssize_t)n;
}

static int rec_exact(struct rec *r, void *out, size_t len, struct burrow_err **err)
{
	for (size_t have = 0; have < len;) {
		ssize_t n = rec_read(r, (char *)out + have, len - have, err);
		if (n < 0)
			return -1;
		if (n == 0)
			return rec_bad(r, "it ends early", err);
		have += (size_t)n;
	}
	return 0;
}

static int rec_varint(struct rec *r, unsigned long long *v, struct burrow_err **err)
{
	*v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		unsigned char b;
		if (rec_exact(r, &b, 1, err) < 0)
			return -1;
		*v |= (unsigned long long)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return rec_bad(r, "a number is too long", err);
}

bool img_layer_has_tar_record(int layersfd, const char *id)
{
	cleanup_free char *name = xasprintf("%s/" IMG_TAR_RECORD, id);
	struct stat sb;
	return fstatat(layersfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0;
}

static int rec_open(int layersfd, const char *id, struct rec *r, struct burrow_err **err)
{
	r->id = id;
	r->dc = NULL;
	r->off = r->len = 0;
	cleanup_free char *name = xasprintf("%s/" IMG_TAR_RECORD, id);
	r->fd = openat(layersfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	if (r->fd >= 0 && fstat(r->fd, &sb) == 0 && sb.st_size == 0) {
		close(r->fd);
		r->fd = -1;
		errno = ENOENT;
	}
	if (r->fd < 0) {
		if (errno != ENOENT)
			return burrow_error(err, errno, "cannot open the tar record of layer %.12s", id);
		burrow_error_status(
		    err, ENOENT, "layer %.12s has no record of the tar it came from (an older burrow stored it)", id);
		return burrow_error_hint(err, "pull, load or import the image again: that records the tar of each "
		                              "layer without one (the layers stay as they are)");
	}
	if (!(r->dc = img_decomp_open(img_read_fd, &r->fd, err)))
		return -1;
	char magic[sizeof(SPLIT_MAGIC) - 1];
	if (rec_exact(r, magic, sizeof(magic), err) < 0)
		return -1;
	if (memcmp(magic, SPLIT_MAGIC, sizeof(magic)) != 0)
		return rec_bad(r, "it does not start as one", err);
	return 0;
}

/* Opens path beneath dirfd without following any symlink; O_NONBLOCK: a
 * FIFO there (a later entry of the tar replaced the file with one) is
 * refused by the caller, not waited on. */
static int open_beneath(int dirfd, const char *path)
{
	struct open_how how = {.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	                       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static int copy_file(int dirfd, const char *path, unsigned long long size, img_write_fn *w, void *ctx,
                     unsigned char *buf, struct burrow_err **err)
{
	cleanup_close int fd = open_beneath(dirfd, path);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open '%s' in the layer", str_quote(path));
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return burrow_error(err, errno, "cannot examine '%s' in the layer", str_quote(path));
	if (!S_ISREG(sb.st_mode))
		return burrow_error_status(err, EINVAL, "'%s' in the layer is no longer a regular file",
		                           str_quote(path));
	for (unsigned long long done = 0; done < size;) {
		size_t want = size - done < COPY_BUF ? (size_t)(size - done) : COPY_BUF;
		ssize_t n = TEMP_FAILURE_RETRY(read(fd, buf, want));
		if (n < 0)
			return burrow_error(err, errno, "cannot read '%s' in the layer", str_quote(path));
		if (n == 0)
			return burrow_error(err, 0, "'%s' in the layer is shorter than it was", str_quote(path));
		if (w(ctx, buf, (size_t)n, err) < 0)
			return -1;
		done += (unsigned long long)n;
	}
	return 0;
}

/* Runs the record: w NULL only adds up the size. */
static int replay(int layersfd, const char *id, img_write_fn *w, void *ctx, unsigned long long *total,
                  struct burrow_err **err)
{
	__attribute__((cleanup(rec_clear))) struct rec r = {.fd = -1};
	if (rec_open(layersfd, id, &r, err) < 0)
		return -1;
	cleanup_close int dirfd = -1;
	cleanup_free unsigned char *buf = w ? xmalloc(COPY_BUF) : NULL;
	if (w) {
		cleanup_free char *diff = xasprintf("%s/diff", id);
		dirfd = openat(layersfd, diff, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dirfd < 0)
			return burrow_error(err, errno, "cannot open layer %.12s", id);
	}
	unsigned long long out = 0;
	for (;;) {
		unsigned char kind;
		if (rec_exact(&r, &kind, 1, err) < 0)
			return -1;
		unsigned long long n;
		if (rec_varint(&r, &n, err) < 0)
			return -1;
		if (kind == 'E') {
			if (n != out)
				return rec_bad(&r, "its length does not add up", err);
			*total = out;
			return 0;
		}
		if (kind == 'R') {
			for (unsigned long long left = n; left;) {
				unsigned char tmp[8192];
				size_t k = left < sizeof(tmp) ? (size_t)left : sizeof(tmp);
				if (rec_exact(&r, tmp, k, err) < 0 || (w && w(ctx, tmp, k, err) < 0))
					return -1;
				left -= k;
			}
		} else if (kind == 'F') {
			unsigned long long plen;
			if (rec_varint(&r, &plen, err) < 0)
				return -1;
			if (plen == 0 || plen > PATH_MAX_LEN)
				return rec_bad(&r, "a path is too long", err);
			cleanup_free char *path = xmalloc((size_t)plen + 1);
			if (rec_exact(&r, path, (size_t)plen, err) < 0)
				return -1;
			path[plen] = '\0';
			if (memchr(path, '\0', (size_t)plen))
				return rec_bad(&r, "a path has a NUL byte", err);
			if (w && copy_file(dirfd, path, n, w, ctx, buf, err) < 0)
				return -1;
		} else {
			return rec_bad(&r, "unknown record", err);
		}
		out += n;
	}
}

int img_layer_tar_size(int layersfd, const char *id, long long *size, struct burrow_err **err)
{
	unsigned long long t = 0;
	if (replay(layersfd, id, NULL, NULL, &t, err) < 0)
		return -1;
	*size = (long long)t;
	return 0;
}

int img_layer_tar(int layersfd, const char *id, const char *diff_id, img_write_fn *w, void *ctx,
                  struct burrow_err **err)
{
	struct img_sha *sha = img_sha_new(err);
	if (!sha)
		return -1;
	struct img_tee tee = {.write = w, .ctx = ctx, .sha = sha};
	unsigned long long total = 0;
	char got[72];
	int r = replay(layersfd, id, img_tee_write, &tee, &total, err);
	if (r == 0)
		r = img_sha_final(sha, got, err);
	img_sha_free(sha);
	if (r < 0)
		return burrow_error_wrap(err, "cannot write layer %.12s", id);
	if (strcmp(got, diff_id) != 0) {
		burrow_error(err, 0, "layer %.12s cannot be reproduced: its tar comes out as %s, not %s", id, got,
		             diff_id);
		return burrow_error_hint(err, "its files were changed in the store, or its tar named one path twice; "
		                              "pull, load or import the image again");
	}
	return 0;
}
