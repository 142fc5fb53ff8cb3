/* Helpers private to image/. */
#ifndef BURROW_IMAGE_INTERNAL_H
#define BURROW_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "image/image.h"
#include "lib/err.h"

/* --- tar member names (unpack.c) ---------------------------------------- */

/* Normalises a member name: drops "." and empty components and a trailing
 * '/'; "" is the layer root itself. Refuses (EINVAL; the message says why
 * but not the name) an empty name, an absolute path or a ".." component. */
int img_tar_clean_path(const char *name, char **out, struct burrow_err **err);

/* --- verified decompression (decompress.c) -------------------------------- */

/* Where compressed bytes come from (a file, a registry blob being fetched):
 * up to len bytes into buf; the count, 0 at the end, or -1 with *err. */
typedef ssize_t img_read_fn(void *ctx, void *buf, size_t len, struct burrow_err **err);
/* An img_read_fn over a file descriptor; ctx points at the int fd. */
ssize_t img_read_fd(void *ctx, void *buf, size_t len, struct burrow_err **err);

/* A reader of the decompressed stream: gzip, zstd, xz, bzip2 or plain,
 * recognised from the first bytes. Each format's integrity check is
 * enforced: every gzip member's CRC-32 and length (zlib; libarchive skips
 * them), zstd's content checksum when the frame has one, xz's and bzip2's
 * checks; anything but zero padding after the end of a gzip stream is
 * refused. NULL with *err: no data ("it is empty", ENODATA), or a
 * compressed header already corrupt. */
struct img_decomp;
struct img_decomp *img_decomp_open(img_read_fn *read, void *ctx, struct burrow_err **err);
/* Up to len bytes of decompressed data. 0 (the end) only once every check
 * has passed; -1 with *err ("the compressed data is corrupt: ...", status
 * EBADMSG, with a hint; or the source's own error), and then the same error
 * on every later call. Data returned before a failure is not trusted. */
ssize_t img_decomp_read(struct img_decomp *d, void *buf, size_t len, struct burrow_err **err);
/* Whether a read has failed: a consumer that choked on the data (a tar
 * reader's "damaged header") reads the rest first; when the stream then
 * fails, that is the error to report. */
bool img_decomp_failed(const struct img_decomp *d);
/* "plain", "gzip", "zstd", "xz" or "bzip2". */
const char *img_decomp_format(const struct img_decomp *d);
void img_decomp_free(struct img_decomp *d);

struct img_unpack_stats {
	char digest[65];     /* sha256 hex of the uncompressed tar */
	long long size;      /* bytes of regular file data written */
	unsigned long files; /* entries extracted */
	/* entries whose owner this user namespace does not map (kept as root) */
	unsigned long squashed;
};

/* Reads a tar (plain or compressed, detected from content) from fd and
 * extracts it under rootfd, an empty directory, without ever following a
 * symlink and refusing entries that would land outside it. source names
 * the input in messages. On failure the directory is left half-filled: the
 * caller removes it. */
int img_unpack(int fd, int rootfd, const char *source, struct img_unpack_stats *st, struct burrow_err **err);
/* The same from a verified stream (a registry blob, say); dc stays the
 * caller's. The stream is read to its end, so its checks have passed when
 * this returns 0. */
int img_unpack_stream(struct img_decomp *dc, int rootfd, const char *source, struct img_unpack_stats *st,
                      struct burrow_err **err);

/* --- config and records (config.c) -------------------------------------- */

void img_config_from_json(yajl_val v, struct img_config *c);
void img_config_copy(struct img_config *dst, const struct img_config *src);

/* Splits s into words as a shell would for ENV: blanks separate, '...' and
 * "..." quote, backslash escapes. EINVAL on an unterminated quote. */
int img_split_words(const char *s, char ***out, struct burrow_err **err);

/* sha256 hex (65 bytes with the NUL) of a buffer. */
int img_sha256_hex(const void *data, size_t len, char out[65], struct burrow_err **err);

/* Whether s is a non-empty string of lowercase hex digits. */
bool img_is_hex(const char *s);

#endif
