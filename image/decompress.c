/* Verified decompression: compressed bytes in, the tar stream out, with
 * each format's own integrity check enforced before the end is reported.
 *
 * What libarchive 3.6 checks, found by feeding it damaged files:
 *   gzip   nothing past the deflate stream itself: consume_trailer() skips
 *          the 8-byte trailer unread ("XXX TODO: Verify the length and
 *          CRC"), and its inflate runs raw (no zlib wrapper), so a flipped
 *          bit in the data or the trailer imports as a layer with other
 *          content. Here zlib inflates in gzip mode, which checks every
 *          member's CRC-32 and length.
 *   zstd   libzstd checks the content checksum when the frame has one (a
 *          frame made with --no-check has none: nothing to verify).
 *   xz     liblzma checks the block and stream checks.
 *   bzip2  libbz2 checks the block and stream CRCs.
 * so zstd, xz and bzip2 go through libarchive's raw reader with only those
 * filters (none that runs an outside program), gzip through zlib here. */
#include "image/internal.h"

#include <archive.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "image/libs.h"

#define IN_BUF (128 * 1024)

enum fmt { FMT_PLAIN, FMT_GZIP, FMT_ZSTD, FMT_XZ, FMT_BZIP2 };
static const char *const fmt_names[] = {"plain", "gzip", "zstd", "xz", "bzip2"};

struct img_decomp {
	img_read_fn *read;
	void *ctx;
	enum fmt fmt;
	/* input: in[in_off, in_len) not consumed yet */
	unsigned char *in;
	size_t in_off, in_len;
	bool in_eof;
	/* gzip */
	z_stream z;
	bool z_init, member_done;
	/* zstd, xz, bzip2 */
	struct archive *raw;
	bool done;
	struct burrow_err *failed; /* sticky: every later read returns it */
};

ssize_t img_read_fd(void *ctx, void *buf, size_t len, struct burrow_err **err)
{
	int fd = *(int *)ctx;
	ssize_t n = TEMP_FAILURE_RETRY(read(fd, buf, len));
	if (n < 0)
		return burrow_error(err, errno, "cannot read");
	return n;
}

/* Records the error that ends the stream and hands a copy to err. */
static int fail(struct img_decomp *d, struct burrow_err **err)
{
	if (err && *err && d->failed != *err) {
		burrow_err_free(d->failed);
		d->failed = NULL;
		burrow_error_status(&d->failed, (*err)->status, "%s", (*err)->msg);
		if ((*err)->hint)
			burrow_error_hint(&d->failed, "%s", (*err)->hint);
	}
	return -1;
}

static int corrupt(struct img_decomp *d, struct burrow_err **err, const char *what)
{
	burrow_error_status(err, EBADMSG, "the compressed data is corrupt: %s", what);
	burrow_error_hint(err, "the file is damaged or incomplete: copy or download it again ('%s -t FILE' checks it)",
	                  fmt_names[d->fmt]);
	return fail(d, err);
}

/* The recorded error, again; returns -1. */
static int copy_failed(const struct img_decomp *d, struct burrow_err **err)
{
	burrow_error_status(err, d->failed->status, "%s", d->failed->msg);
	if (d->failed->hint)
		burrow_error_hint(err, "%s", d->failed->hint);
	return -1;
}

/* More input when all of it is consumed: 1 some, 0 the end, -1 error. */
static int fill(struct img_decomp *d, struct burrow_err **err)
{
	if (d->in_off < d->in_len)
		return 1;
	if (d->in_eof)
		return 0;
	d->in_off = d->in_len = 0;
	ssize_t n = d->read(d->ctx, d->in, IN_BUF, err);
	if (n < 0)
		return fail(d, err);
	if (n == 0) {
		d->in_eof = true;
		return 0;
	}
	d->in_len = (size_t)n;
	return 1;
}

/* The bytes sniff looks at: a tar whose first name starts with "BZh9" is
 * still a tar. */
#define SNIFF_LEN 10

static enum fmt sniff(const unsigned char *p, size_t n)
{
	static const unsigned char xz[] = {0xfd, '7', 'z', 'X', 'Z', 0};
	static const unsigned char bz_block[] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
	static const unsigned char bz_end[] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};
	/* magic and the deflate method */
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		return FMT_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return FMT_ZSTD;
	if (n >= sizeof(xz) && memcmp(p, xz, sizeof(xz)) == 0)
		return FMT_XZ;
	if (n >= SNIFF_LEN && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9' &&
	    (memcmp(p + 4, bz_block, 6) == 0 || memcmp(p + 4, bz_end, 6) == 0))
		return FMT_BZIP2;
	return FMT_PLAIN;
}

/* --- gzip ----------------------------------------------------------------- */

/* After a member: another member, zero padding (which gzip(1) accepts
 * too) up to the end, or the end. 1 another member, 0 the end, -1 error. */
static int gzip_next_member(struct img_decomp *d, struct burrow_err **err)
{
	for (;;) {
		int r = fill(d, err);
		if (r <= 0)
			return r;
		if (d->in[d->in_off] == 0x1f)
			return 1;
		while (d->in_off < d->in_len && d->in[d->in_off] == 0)
			d->in_off++;
		if (d->in_off < d->in_len)
			return corrupt(d, err, "data after the end of the gzip stream");
	}
}

static ssize_t gzip_read(struct img_decomp *d, void *buf, size_t len, struct burrow_err **err)
{
	d->z.next_out = buf;
	d->z.avail_out = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	uInt want = d->z.avail_out;
	while (d->z.avail_out == want) {
		if (d->member_done) {
			int r = gzip_next_member(d, err);
			if (r < 0)
				return -1;
			if (r == 0) {
				d->done = true;
				return 0;
			}
			if (inflateReset(&d->z) != Z_OK)
				return corrupt(d, err, "cannot restart the gzip decoder");
			d->member_done = false;
		}
		int r = fill(d, err);
		if (r < 0)
			return -1;
		if (r == 0)
			return corrupt(d, err, "the gzip stream ends early (truncated)");
		d->z.next_in = d->in + d->in_off;
		d->z.avail_in = (uInt)(d->in_len - d->in_off);
		int zr = inflate(&d->z, Z_NO_FLUSH);
		d->in_off = d->in_len - d->z.avail_in;
		if (zr == Z_STREAM_END) {
			/* zlib has compared the trailer's CRC-32 and length */
			d->member_done = true;
			continue;
		}
		if (zr == Z_OK || zr == Z_BUF_ERROR)
			continue;
		if (zr == Z_MEM_ERROR) {
			burrow_error(err, ENOMEM, "cannot inflate");
			return fail(d, err);
		}
		const char *m = d->z.msg ? d->z.msg : "inflate failed";
		if (strcmp(m, "incorrect data check") == 0)
			return corrupt(d, err, "the CRC-32 in the gzip trailer does not match the data");
		if (strcmp(m, "incorrect length check") == 0)
			return corrupt(d, err, "the length in the gzip trailer does not match the data");
		cleanup_free char *what = xasprintf("gzip: %s", m);
		return corrupt(d, err, what);
	}
	return (ssize_t)(want - d->z.avail_out);
}

/* --- zstd, xz, bzip2: libarchive's raw reader ------------------------------ */

static la_ssize_t raw_read(struct archive *a, void *data, const void **buf)
{
	struct img_decomp *d = data;
	cleanup_err struct burrow_err *e = NULL;
	int r = fill(d, &e);
	if (r < 0) {
		archive_set_error(a, e->status ? e->status : EIO, "%s", e->msg);
		return -1;
	}
	*buf = d->in + d->in_off;
	size_t n = d->in_len - d->in_off;
	d->in_off = d->in_len;
	return (la_ssize_t)n;
}

static int raw_open(struct img_decomp *d, struct burrow_err **err)
{
	d->raw = archive_read_new();
	if (!d->raw)
		return burrow_error(err, ENOMEM, "cannot set up libarchive");
	archive_read_support_filter_zstd(d->raw);
	archive_read_support_filter_xz(d->raw);
	archive_read_support_filter_bzip2(d->raw);
	archive_read_support_format_raw(d->raw);
	struct archive_entry *e;
	if (archive_read_open(d->raw, d, NULL, raw_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(d->raw, &e) != ARCHIVE_OK) {
		if (d->failed)
			return copy_failed(d, err);
		const char *m = archive_error_string(d->raw);
		if (m && strcmp(m, "Unrecognized archive format") == 0) {
			/* the raw format takes anything of at least one byte:
			 * the compressed stream holds none */
			d->done = true;
			return 0;
		}
		return corrupt(d, err, m ? m : "unknown error");
	}
	/* libarchive's own look at the same bytes found no compression: do
	 * not read compressed bytes as a tar */
	if (archive_filter_code(d->raw, 0) == ARCHIVE_FILTER_NONE)
		return corrupt(d, err, "its header is not one of a known compression");
	return 0;
}

static ssize_t raw_data(struct img_decomp *d, void *buf, size_t len, struct burrow_err **err)
{
	la_ssize_t n = archive_read_data(d->raw, buf, len);
	if (n < 0) {
		if (d->failed)
			return copy_failed(d, err);
		const char *m = archive_error_string(d->raw);
		return corrupt(d, err, m ? m : "unknown error");
	}
	if (n == 0)
		d->done = true;
	return n;
}

/* --- the stream ------------------------------------------------------------ */

struct img_decomp *img_decomp_open(img_read_fn *read, void *ctx, struct burrow_err **err)
{
	if (img_libs_load(err) < 0)
		return NULL;
	struct img_decomp *d = xcalloc(1, sizeof(*d));
	d->read = read;
	d->ctx = ctx;
	d->in = xmalloc(IN_BUF);
	/* enough bytes to tell the formats apart */
	while (d->in_len < SNIFF_LEN && !d->in_eof) {
		ssize_t n = read(ctx, d->in + d->in_len, IN_BUF - d->in_len, err);
		if (n < 0) {
			img_decomp_free(d);
			return NULL;
		}
		if (n == 0)
			d->in_eof = true;
		d->in_len += (size_t)n;
	}
	if (d->in_len == 0) {
		img_decomp_free(d);
		burrow_error_status(err, ENODATA, "it is empty");
		return NULL;
	}
	d->fmt = sniff(d->in, d->in_len);
	int r = 0;
	if (d->fmt == FMT_GZIP) {
		/* 16 + 15: a gzip wrapper (checked), the largest window */
		if (inflateInit2(&d->z, 16 + MAX_WBITS) != Z_OK)
			r = burrow_error(err, ENOMEM, "cannot set up zlib");
		else
			d->z_init = true;
	} else if (d->fmt != FMT_PLAIN) {
		r = raw_open(d, err);
	}
	if (r < 0) {
		img_decomp_free(d);
		return NULL;
	}
	return d;
}

ssize_t img_decomp_read(struct img_decomp *d, void *buf, size_t len, struct burrow_err **err)
{
	if (d->failed)
		return copy_failed(d, err);
	if (d->done || len == 0)
		return 0;
	switch (d->fmt) {
	case FMT_GZIP:
		return gzip_read(d, buf, len, err);
	case FMT_PLAIN: {
		if (d->in_off == d->in_len && !d->in_eof) {
			/* nothing held back: straight into buf, one copy less */
			ssize_t n = d->read(d->ctx, buf, len, err);
			if (n < 0)
				return fail(d, err);
			d->in_eof = d->done = n == 0;
			return n;
		}
		int r = fill(d, err);
		if (r <= 0) {
			d->done = r == 0;
			return r;
		}
		size_t n = d->in_len - d->in_off;
		if (n > len)
			n = len;
		memcpy(buf, d->in + d->in_off, n);
		d->in_off += n;
		return (ssize_t)n;
	}
	default:
		return raw_data(d, buf, len, err);
	}
}

bool img_decomp_failed(const struct img_decomp *d)
{
	return d->failed != NULL;
}

const char *img_decomp_format(const struct img_decomp *d)
{
	return fmt_names[d->fmt];
}

void img_decomp_free(struct img_decomp *d)
{
	if (!d)
		return;
	if (d->z_init)
		inflateEnd(&d->z);
	if (d->raw)
		archive_read_free(d->raw);
	burrow_err_free(d->failed);
	free(d->in);
	free(d);
}
