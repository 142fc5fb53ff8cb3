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

/* --- records (record.c) ------------------------------------------------------ */

struct state_store;

/* Record fields, one list each (struct, JSON in and out, clear): STR a
 * string (NULL: not set, left out of the JSON), STRV a string vector (never
 * NULL once loaded), INT a long long (0 when missing). */
#define IMG_FIELD_STR(name, key) char *name;
#define IMG_FIELD_STRV(name, key) char **name;
#define IMG_FIELD_INT(name, key) long long name;

/* img/<id> as stored: names and layer IDs (not directories). */
#define IMG_RECORD_FIELDS(STR, STRV, INT)                                                        \
	STR(id, "id")                                                                            \
	STRV(names, "names")      /* tags */                                                     \
	STRV(digests, "digests")  /* repo digests REPO@sha256:... */                             \
	STRV(layer_ids, "layers") /* chain IDs, lowest first */                                  \
	STR(digest, "digest")     /* digest of the manifest it was pulled by (NULL: imported) */ \
	STR(manifest_type, "manifest_type")                                                      \
	STR(arch, "architecture")                                                                \
	STR(os, "os")                                                                            \
	STR(variant, "variant")                                                                  \
	INT(created, "created") /* unix seconds */                                               \
	INT(size, "size")       /* bytes of the unpacked layers */
struct img_record {
	IMG_RECORD_FIELDS(IMG_FIELD_STR, IMG_FIELD_STRV, IMG_FIELD_INT)
	struct img_config config; /* "config" */
};
void img_record_clear(struct img_record *r);
int img_record_parse(const char *key, const char *json, struct img_record *r, struct burrow_err **err);
/* 0 found, 1 not found, -1 error. */
int img_record_load(struct state_store *s, const char *id, struct img_record *r, struct burrow_err **err);
int img_record_save(struct state_store *s, const struct img_record *r, struct burrow_err **err);

/* layer/<chain id> */
#define IMG_LAYER_FIELDS(STR, STRV, INT)                                                     \
	STR(id, "id")                               /* chain ID (hex) */                     \
	STR(parent, "parent")                       /* chain ID below; NULL at the bottom */ \
	STR(diff_id, "diff_id")                     /* sha256:... of the uncompressed tar */ \
	STR(compressed_digest, "compressed_digest") /* the blob it came from, if pulled */   \
	STR(media_type, "media_type")               /* that blob's */                        \
	INT(size, "size")                           /* bytes of file data unpacked */        \
	INT(compressed_size, "compressed_size")                                              \
	INT(squashed, "squashed") /* entries whose owner was not mapped (kept as root) */    \
	INT(created, "created")   /* unix seconds (0 when saved: now) */
struct img_layer_record {
	IMG_LAYER_FIELDS(IMG_FIELD_STR, IMG_FIELD_STRV, IMG_FIELD_INT)
};
void img_layer_record_clear(struct img_layer_record *l);
/* 0 found, 1 not found, -1 error. */
int img_layer_get(struct state_store *s, const char *id, struct img_layer_record *out, struct burrow_err **err);
int img_layer_put(struct state_store *s, const struct img_layer_record *l, struct burrow_err **err);

/* Chain IDs (hex) of a stack of diff IDs ("sha256:..."), lowest first:
 * ChainID(0) = DiffID(0), ChainID(n) = sha256(ChainID(n-1) + " " + DiffID(n)). */
int img_chain_ids(char *const *diff_ids, char ***out, struct burrow_err **err);

/* tag/<ref> -> image ID. img_tag_get: 0 found, 1 not found, -1 error.
 * img_tag_move points ref at image_id; the image it named loses the name. */
int img_tag_get(struct state_store *s, const char *ref, char **id, struct burrow_err **err);
int img_tag_move(struct state_store *s, const char *ref, const char *image_id, struct burrow_err **err);

/* Raw documents kept byte for byte: kind "img-config" (the OCI image
 * configuration, whose sha256 is the image ID) or "img-manifest" (the image
 * manifest it was pulled with). 0 found, 1 not found, -1 error. */
int img_blob_get(struct state_store *s, const char *kind, const char *id, char **out, struct burrow_err **err);

/* Everything one import or pull stores, in one transaction. */
struct img_commit {
	const char *id;                   /* image ID: sha256 of config_blob */
	const char *config_blob;          /* the configuration, exactly as hashed */
	const char *manifest;             /* the image manifest, or NULL */
	const char *manifest_type;        /* its media type, or NULL */
	const char *digest;               /* the digest it was pulled by, or NULL */
	char **repo_digests;              /* REPO@DIGEST to add, or NULL */
	const char *reference;            /* normalised tag to point at it, or NULL */
	char **layer_ids;                 /* chain IDs, lowest first */
	struct img_layer_record **layers; /* layer records to write (entries may be NULL) */
	size_t nlayers;
	long long created, size;
	const struct img_config *config;
	const char *arch, *os, *variant;
};
int img_store_image(struct state_store *s, const struct img_commit *c, struct burrow_err **err);

#endif
