/* Blob streams that archives, layouts, save and push share: a reader of a
 * byte range of a file that checks its size and sha256 as it goes (a blob
 * in an OCI layout, a member of a tar archive), writers (to a file
 * descriptor; through gzip; counting and hashing what passes). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "image/libs.h"

#define GZ_OUT (128 * 1024)

int img_write_fd(void *ctx, const void *buf, size_t len, struct burrow_err **err)
{
	if (write_all(*(int *)ctx, buf, len) < 0)
		return burrow_error(err, errno, "cannot write");
	return 0;
}

/* --- sha256 -------------------------------------------------------------------- */

struct img_sha {
	EVP_MD_CTX *md;
};

struct img_sha *img_sha_new(struct burrow_err **err)
{
	if (img_libs_load(err) < 0)
		return NULL;
	struct img_sha *h = xcalloc(1, sizeof(*h));
	h->md = EVP_MD_CTX_new();
	if (!h->md || !EVP_DigestInit_ex(h->md, EVP_sha256(), NULL)) {
		img_sha_free(h);
		burrow_error(err, 0, "cannot set up sha256 (OpenSSL)");
		return NULL;
	}
	return h;
}

void img_sha_update(struct img_sha *h, const void *buf, size_t len)
{
	EVP_DigestUpdate(h->md, buf, len);
}

int img_sha_final(struct img_sha *h, char out[72], struct burrow_err **err)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	if (!EVP_DigestFinal_ex(h->md, dig, &dlen) || dlen != 32)
		return burrow_error(err, 0, "cannot compute sha256 (OpenSSL)");
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", dig[i]);
	return 0;
}

void img_sha_free(struct img_sha *h)
{
	if (!h)
		return;
	if (h->md)
		EVP_MD_CTX_free(h->md);
	free(h);
}

/* --- reading a range of a file ------------------------------------------------------- */

struct img_range_reader {
	int fd;
	long long off, size, done;
	const char *digest; /* expected, or NULL */
	const char *what;   /* for messages */
	struct img_sha *sha;
};

struct img_range_reader *img_range_open(int fd, long long off, long long size, const char *digest, const char *what,
                                        struct burrow_err **err)
{
	struct img_range_reader *r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->off = off;
	r->size = size;
	r->digest = digest;
	r->what = what;
	if (digest && !(r->sha = img_sha_new(err))) {
		free(r);
		return NULL;
	}
	return r;
}

ssize_t img_range_read(void *ctx, void *buf, size_t len, struct burrow_err **err)
{
	struct img_range_reader *r = ctx;
	long long left = r->size - r->done;
	if (left <= 0) {
		if (r->sha) {
			char got[72];
			if (img_sha_final(r->sha, got, err) < 0)
				return -1;
			img_sha_free(steal_ptr(r->sha));
			if (strcmp(got, r->digest) != 0) {
				burrow_error(err, 0, "%s does not match its digest %s: its content is %s", r->what,
				             r->digest, got);
				return burrow_error_hint(err,
				                         "the file is damaged or was altered; nothing of it was kept");
			}
		}
		return 0;
	}
	if ((long long)len > left)
		len = (size_t)left;
	ssize_t n = TEMP_FAILURE_RETRY(pread(r->fd, buf, len, (off_t)(r->off + r->done)));
	if (n < 0)
		return burrow_error(err, errno, "cannot read %s", r->what);
	if (n == 0)
		return burrow_error(err, 0, "%s is truncated: %lld of %lld bytes", r->what, r->done, r->size);
	if (r->sha)
		img_sha_update(r->sha, buf, (size_t)n);
	r->done += n;
	return n;
}

void img_range_close(struct img_range_reader *r)
{
	if (!r)
		return;
	img_sha_free(r->sha);
	free(r);
}

int img_range_slurp(int fd, long long off, long long size, size_t max, const char *digest, const char *what, char **out,
                    struct burrow_err **err)
{
	if (size < 0 || (unsigned long long)size > max)
		return burrow_error(err, EFBIG, "%s is larger than %zu bytes", what, max);
	struct img_range_reader *r = img_range_open(fd, off, size, digest, what, err);
	if (!r)
		return -1;
	char *buf = xmalloc((size_t)size + 1);
	size_t have = 0;
	for (;;) {
		ssize_t n = img_range_read(r, buf + have, (size_t)size + 1 - have, err);
		if (n < 0) {
			free(buf);
			img_range_close(r);
			return -1;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	img_range_close(r);
	buf[have] = '\0';
	*out = buf;
	return 0;
}

/* --- counting and hashing what passes ------------------------------------------------ */

int img_tee_write(void *ctx, const void *buf, size_t len, struct burrow_err **err)
{
	struct img_tee *t = ctx;
	if (t->sha)
		img_sha_update(t->sha, buf, len);
	t->bytes += (long long)len;
	if (t->progress)
		atomic_store(t->progress, t->bytes);
	return t->write ? t->write(t->ctx, buf, len, err) : 0;
}

/* --- gzip ---------------------------------------------------------------------------- */

struct img_gzw {
	z_stream z;
	img_write_fn *write;
	void *ctx;
	unsigned char *out;
};

struct img_gzw *img_gzw_new(int level, img_write_fn *write, void *ctx, struct burrow_err **err)
{
	if (img_libs_load(err) < 0)
		return NULL;
	struct img_gzw *g = xcalloc(1, sizeof(*g));
	/* 16 + 15: a gzip wrapper with mtime 0 and no name, so the same input
	 * always gives the same blob (its digest is known before a push) */
	if (deflateInit2(&g->z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(g);
		burrow_error(err, ENOMEM, "cannot set up zlib");
		return NULL;
	}
	g->write = write;
	g->ctx = ctx;
	g->out = xmalloc(GZ_OUT);
	return g;
}

static int gz_run(struct img_gzw *g, int flush, struct burrow_err **err)
{
	for (;;) {
		g->z.next_out = g->out;
		g->z.avail_out = GZ_OUT;
		int r = deflate(&g->z, flush);
		if (r == Z_STREAM_ERROR)
			return burrow_error(err, EIO, "gzip compression failed");
		size_t n = GZ_OUT - g->z.avail_out;
		if (n && g->write(g->ctx, g->out, n, err) < 0)
			return -1;
		if (flush == Z_FINISH ? r == Z_STREAM_END : g->z.avail_out != 0)
			return 0;
	}
}

int img_gzw_write(void *ctx, const void *buf, size_t len, struct burrow_err **err)
{
	struct img_gzw *g = ctx;
	while (len) {
		uInt k = len > (1u << 30) ? (1u << 30) : (uInt)len;
		g->z.next_in = (unsigned char *)(uintptr_t)buf;
		g->z.avail_in = k;
		if (gz_run(g, Z_NO_FLUSH, err) < 0)
			return -1;
		buf = (const char *)buf + k;
		len -= k;
	}
	return 0;
}

int img_gzw_finish(struct img_gzw *g, struct burrow_err **err)
{
	g->z.next_in = NULL;
	g->z.avail_in = 0;
	return gz_run(g, Z_FINISH, err);
}

void img_gzw_free(struct img_gzw *g)
{
	if (!g)
		return;
	deflateEnd(&g->z);
	free(g->out);
	free(g);
}
