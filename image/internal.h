/* Helpers private to image/. */
#ifndef BURROW_IMAGE_INTERNAL_H
#define BURROW_IMAGE_INTERNAL_H

#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "image/image.h"
#include "lib/err.h"

struct state_store;

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

struct img_split;

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
/* img_unpack for a copy of files (cp, volume import): st->digest is left
 * empty, the tar is not hashed. */
int img_unpack_copy(int fd, int rootfd, const char *source, struct img_unpack_stats *st, struct burrow_err **err);
/* The same from a verified stream (a registry blob, say); dc stays the
 * caller's. The stream is read to its end, so its checks have passed when
 * this returns 0. */
int img_unpack_stream(struct img_decomp *dc, int rootfd, struct img_split *split, const char *source,
                      struct img_unpack_stats *st, struct burrow_err **err);

/* --- blob streams (blobio.c) ----------------------------------------------------- */

/* Where bytes go (a file, a gzip stream, an upload): 0, or -1 with *err. */
typedef int img_write_fn(void *ctx, const void *buf, size_t len, struct burrow_err **err);
/* An img_write_fn over a file descriptor; ctx points at the int fd. */
int img_write_fd(void *ctx, const void *buf, size_t len, struct burrow_err **err);

struct img_sha;
struct img_sha *img_sha_new(struct burrow_err **err);
void img_sha_update(struct img_sha *h, const void *buf, size_t len);
/* "sha256:<hex>" */
int img_sha_final(struct img_sha *h, char out[72], struct burrow_err **err);
void img_sha_free(struct img_sha *h);

/* Bytes passed on to write (NULL: dropped), counted and hashed on the way. */
struct img_tee {
	img_write_fn *write;
	void *ctx;
	struct img_sha *sha;    /* NULL: not hashed */
	long long bytes;        /* so far */
	atomic_llong *progress; /* NULL, or bytes so far for a progress display */
};
int img_tee_write(void *ctx, const void *buf, size_t len, struct burrow_err **err);

/* An img_read_fn over size bytes of fd at off (pread: many readers may
 * share fd); at its end the sha256 must be digest (NULL: not checked).
 * what names it in messages (kept, not copied). */
struct img_range_reader;
struct img_range_reader *img_range_open(int fd, long long off, long long size, const char *digest, const char *what,
                                        struct burrow_err **err);
ssize_t img_range_read(void *ctx, void *buf, size_t len, struct burrow_err **err);
void img_range_close(struct img_range_reader *r);
/* The whole range in memory (NUL-terminated), at most max bytes. */
int img_range_slurp(int fd, long long off, long long size, size_t max, const char *digest, const char *what, char **out,
                    struct burrow_err **err);

/* gzip compression into an img_write_fn; img_gzw_write is one itself (ctx:
 * the img_gzw). The same input at the same level always gives the same
 * bytes (no name, mtime 0). */
struct img_gzw;
struct img_gzw *img_gzw_new(int level, img_write_fn *write, void *ctx, struct burrow_err **err);
int img_gzw_write(void *ctx, const void *buf, size_t len, struct burrow_err **err);
int img_gzw_finish(struct img_gzw *g, struct burrow_err **err);
void img_gzw_free(struct img_gzw *g);

/* --- the files of an archive or layout (members.c) ---------------------------------- */

struct img_members;
/* A tar file (fd stays the caller's; it must be a regular file, read with
 * pread), indexed at once; what names it in messages. Refused (EINVAL): a
 * member name that is absolute or has "..", a damaged header, a member
 * that runs past the end. */
int img_members_open_tar(int fd, const char *what, struct img_members **out, struct burrow_err **err);
/* The files beneath a directory (dirfd stays the caller's). */
int img_members_open_dir(int dirfd, const char *what, struct img_members **out, struct burrow_err **err);
void img_members_free(struct img_members *a);
const char *img_members_what(const struct img_members *a);
/* Whether name is there (any type). */
int img_members_exists(const struct img_members *a, const char *name);
/* One regular file: size bytes of fd at off. A symlink or hard link, a
 * missing one or one that leads out is refused. */
struct img_member {
	int fd;
	bool own; /* fd is this member's own (close it) */
	long long off, size;
};
int img_members_open(const struct img_members *a, const char *name, struct img_member *out, struct burrow_err **err);
void img_member_close(struct img_member *m);
/* A whole member in memory (at most max bytes; its sha256 must be digest
 * unless NULL). */
int img_members_slurp(const struct img_members *a, const char *name, size_t max, const char *digest, char **out,
                      size_t *len, struct burrow_err **err);

/* --- a layer's tar, byte for byte (tarsplit.c) ------------------------------------ */

/* The recorder that img_unpack_stream feeds: writes dirfd/tar-split. It is
 * told every byte of the uncompressed tar (img_split_feed) and, for each
 * regular file written, where its data starts in that stream and how long
 * it is (img_split_file; path as in the layer). A tar it cannot make sense
 * of leaves an empty record (the layer is fine; writing it out is refused). */
struct img_split *img_split_new(int dirfd, struct burrow_err **err);
void img_split_feed(struct img_split *s, const void *buf, size_t len);
int img_split_file(struct img_split *s, unsigned long long start, unsigned long long size, const char *path,
                   struct burrow_err **err);
int img_split_finish(struct img_split *s, struct burrow_err **err);
void img_split_free(struct img_split *s);
/* Writes layer id's tar (layers/<id>: its tar-split and diff) to w, as it
 * was unpacked, and checks its sha256 is diff_id. On failure w has had part
 * of it: the caller throws that away. No record (a layer stored by an older
 * burrow): ENOENT, with a hint. */
int img_layer_tar(int layersfd, const char *id, const char *diff_id, img_write_fn *w, void *ctx,
                  struct burrow_err **err);
/* The size of that tar, from the record alone. */
int img_layer_tar_size(int layersfd, const char *id, long long *size, struct burrow_err **err);
/* layers/<id>/IMG_TAR_RECORD: the record of the tar a layer was unpacked
 * from. Whether layer id has one (an older burrow stored layers without;
 * an empty file counts as none). */
#define IMG_TAR_RECORD "tar-split"
bool img_layer_has_tar_record(int layersfd, const char *id);

/* --- the layer store (store.c) ------------------------------------------------ */

/* ROOT/layers, created (0700) and opened; directories left by imports and
 * pulls that died are removed. */
int img_layers_open(struct state_store *s, int *fd, struct burrow_err **err);
/* An unnamed file (O_TMPFILE) in the layer store; a filesystem without
 * them is named, with how to move the store (state_fs_explain). */
int img_layers_tmpfile(int layersfd, struct burrow_err **err);
/* Unpacks the verified stream dc into layers/<*tmp>/diff, a new directory
 * (removed again on failure). Safe to run in several threads at once. */
int img_layer_extract(int layersfd, struct img_decomp *dc, const char *display, struct img_unpack_stats *st, char **tmp,
                      struct burrow_err **err);
/* Renames tmp to layers/<id>; when a layer is there already, tmp is
 * removed and that one stays. Does not touch the records. */
int img_layer_place(int layersfd, const char *tmp, const char *id, struct img_unpack_stats *st,
                    struct burrow_err **err);
void img_layer_remove_tmp(int layersfd, const char *tmp);
/* A fresh name tmp-<pid>-<start time>-<random> in the layer store: once
 * its process is gone, the next img_layers_open removes what has it. */
char *img_tmp_name(void);

/* The layer locks (layerlock.c; the protocol is in image.h): byte
 * IMG_LOCK_FETCH of layers/.locks/<id>.lock is held exclusively by whoever fetches,
 * places or removes the layer, byte IMG_LOCK_USE shared by whoever will
 * name it in an image record, until that record is stored. */
#define IMG_LOCK_FETCH 0
#define IMG_LOCK_USE 1
/* whoever holds FETCH is downloading or unpacking the layer: waited for
 * that long */
#define IMG_LAYER_LOCK_WAIT_S (30 * 60)
/* A layer's lock file, opened (created) for this caller alone. */
int img_layer_lock_open(int layersfd, const char *id, struct burrow_err **err);
/* Takes a byte (F_RDLCK or F_WRLCK), waiting up to wait_ms (0: not at all)
 * or until *cancel; -1 with errno EWOULDBLOCK when it did not get it. */
int img_layer_lock(int fd, int byte, short type, long wait_ms, const atomic_bool *cancel);
void img_layer_unlock(int fd, int byte);

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
/* HOST[:PORT] as references allow it. */
bool img_valid_domain(const char *s);

/* --- records (record.c) ------------------------------------------------------ */

/* Record fields, one list each (struct, JSON in and out, clear): STR a
 * string (NULL: not set, left out of the JSON), STRV a string vector (never
 * NULL once loaded), INT a long long (0 when missing). */
#define IMG_FIELD_STR(name, key) char *name;
#define IMG_FIELD_STRV(name, key) char **name;
#define IMG_FIELD_INT(name, key) long long name;

/* img/<id> as stored: names and layer IDs (not directories). */
#define IMG_RECORD_FIELDS(STR, STRV, INT)                                                                   \
	STR(id, "id")                                                                                       \
	STRV(names, "names")                 /* tags (and REPO@DIGEST when pulled by digest) */             \
	STRV(names_history, "names_history") /* every name it had, the latest first */                      \
	STRV(digests, "digests")             /* repo digests REPO@sha256:... */                             \
	STRV(layer_ids, "layers")            /* chain IDs, lowest first */                                  \
	STR(digest, "digest")                /* digest of the manifest it was pulled by (NULL: imported) */ \
	STR(manifest_type, "manifest_type")                                                                 \
	STR(arch, "architecture")                                                                           \
	STR(os, "os")                                                                                       \
	STR(variant, "variant")                                                                             \
	INT(created, "created") /* unix seconds */                                                          \
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

/* img_lookup_name, for rmi: an image found whose record cannot be read
 * is no error, but *damaged its ID (*out and *name NULL). */
int img_lookup_removable(struct state_store *s, const char *ref, struct img_info **out, char **name, char **damaged,
                         struct burrow_err **err);
/* tag/<ref> -> image ID. img_tag_get: 0 found, 1 not found, -1 error.
 * img_tag_move points ref at image_id; the image it named loses the name. */
int img_tag_get(struct state_store *s, const char *ref, char **id, struct burrow_err **err);
int img_tag_move(struct state_store *s, const char *ref, const char *image_id, struct burrow_err **err);
/* name becomes the first of an image's names history (once). */
void img_names_history_add(char ***hist, const char *name);
/* Removes every copy of s from v. */
void img_strv_remove(char **v, const char *s);

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
	char *const *references;          /* more such tags, or NULL */
	char **layer_ids;                 /* chain IDs, lowest first */
	struct img_layer_record **layers; /* layer records to write (entries may be NULL) */
	size_t nlayers;
	long long created, size;
	const struct img_config *config;
	const char *arch, *os, *variant;
};
int img_store_image(struct state_store *s, const struct img_commit *c, struct burrow_err **err);

/* --- manifests (manifest.c) ------------------------------------------------------ */

#define IMG_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define IMG_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define IMG_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define IMG_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMG_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define IMG_MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
/* more layers (or index entries) than this is not an image anyone built */
#define IMG_MAX_LAYERS 1000

struct img_descriptor {
	char *media_type;
	char *digest; /* sha256:<hex>, checked */
	long long size;
	char *os, *arch, *variant; /* an index entry's platform */
};
enum img_manifest_kind {
	IMG_MANIFEST_IMAGE,
	IMG_MANIFEST_INDEX,
};
struct img_manifest {
	enum img_manifest_kind kind;
	char *media_type;
	struct img_descriptor config;  /* image */
	struct img_descriptor *layers; /* image, lowest first */
	size_t nlayers;
	struct img_descriptor *manifests; /* index */
	size_t nmanifests;
};
/* The "Accept:" header line a manifest request sends. */
const char *img_manifest_accept(void);
/* Parses and checks a manifest or index; its media type is its own
 * "mediaType", else content_type (the response's), else told by its
 * contents. Refused, with a message saying why: not JSON, schema 1 (status
 * ENOTSUP), unknown media types of the manifest, config or a layer
 * (ENOTSUP), digests that are not sha256, missing sizes. */
int img_manifest_parse(const char *body, size_t len, const char *content_type, struct img_manifest *m,
                       struct burrow_err **err);
void img_manifest_clear(struct img_manifest *m);
/* sha256:<64 lowercase hex digits> */
bool img_digest_valid(const char *d);

struct img_platform {
	char *os, *arch, *variant; /* GOOS/GOARCH names: linux, amd64, arm64, v8 */
	bool variant_given;        /* asked for, not this machine's default */
};
/* --platform OS/ARCH[/VARIANT], else --os, --arch, --variant, each
 * defaulting to this machine's (uname's names become Go's: x86_64 ->
 * amd64, aarch64 -> arm64, armv7l -> arm/v7). */
int img_platform_init(const char *platform, const char *os, const char *arch, const char *variant,
                      struct img_platform *p, struct burrow_err **err);
void img_platform_clear(struct img_platform *p);
char *img_platform_string(const char *os, const char *arch, const char *variant);
/* This machine's architecture (amd64, arm64 ...). */
const char *img_host_arch(void);
/* The entry of an index that fits p best; none: ENOENT, the message lists
 * the platforms the index has. */
int img_manifest_select(const struct img_manifest *index, const struct img_platform *p, size_t *which,
                        struct burrow_err **err);

/* --- an image as save and push write it (save.c) ----------------------------------- */

struct img_out_layer {
	char *chain_id;
	char *diff_id;
	long long size;   /* of its tar */
	char *digest;     /* of the blob written (compressed or not), once known */
	long long bsize;  /* its size */
	char *media_type; /* its media type when not the manifest's usual one (NULL) */
	/* the blob it was pulled as (NULL: none known) */
	char *src_digest, *src_media_type;
	long long src_size;
};
struct img_out {
	char *id;
	char *config;   /* byte for byte */
	char *manifest; /* the stored one (NULL: none) */
	bool docker;    /* its manifest type is Docker v2s2's (pulled, loaded or committed so) */
	struct img_out_layer *layers;
	size_t nlayers;
	char **tags;
	char **repo_digests; /* REPO@DIGEST it was pulled as */
	char *out_manifest;  /* what is written (img_out_manifest) */
	char out_digest[72];
};
/* Image id's records and the size of each layer's tar (its record). */
int img_out_load(struct state_store *s, int layersfd, const char *id, struct img_out *im, struct burrow_err **err);
void img_out_clear(struct img_out *im);
/* The manifest for the layers' digest and bsize: the stored one when it
 * fits (and !gz), else a new OCI (oci) or Docker v2s2 one. */
int img_out_manifest(struct img_out *im, bool oci, bool gz, struct burrow_err **err);
/* A layer's tar, gzip-compressed (level 6, no name, mtime 0: the same
 * bytes every time), to w. */
int img_out_gzip_layer(int layersfd, const struct img_out_layer *l, img_write_fn *w, void *ctx,
                       struct burrow_err **err);

/* --- storing an image from its blobs (fetch.c) ------------------------------------- */

/* Where an image's layer blobs come from: a registry, an OCI layout, a tar
 * archive. open gives a reader (an img_read_fn and its ctx) of blob d that
 * checks d's size and digest as it reads (failing at the end when they do
 * not match), adding to *progress, stopping when *cancel is set; it may be
 * called from several threads at once. close ends it and returns the
 * reader's own error after a failed read (the caller's), or NULL. */
struct img_blob_source {
	int (*open)(void *data, const struct img_descriptor *d, atomic_llong *progress, const atomic_bool *cancel,
	            img_read_fn **read, void **ctx, struct burrow_err **err);
	struct burrow_err *(*close)(void *data, void *ctx);
	void *data;
};
struct img_fetch_opts {
	const char *name;                    /* for messages */
	const struct img_platform *platform; /* warn when the image is not for it (NULL: do not) */
	unsigned parallel;                   /* layers at once; 0: 6 */
	img_progress_fn progress;            /* NULL: quiet */
	void *progress_data;
};
/* What img_fetch_store records beside the layers and configuration. */
struct img_fetch_image {
	const char *manifest;      /* the image manifest byte for byte (NULL: none) */
	const char *manifest_type; /* without a manifest: the media type the image has (NULL: OCI's) */
	const char *digest;        /* the digest it was pulled or loaded by (NULL: none) */
	char **repo_digests;       /* REPO@DIGEST, or NULL */
	const char *reference;
	char *const *references; /* tags, or NULL */
};
struct img_fetch;
/* Step one: parses the configuration (its sha256 is the image ID), puts
 * every layer of m in the store that is not there (the diff ID checked)
 * and holds them all in use. *out is set even on failure: free it with
 * failed = true. o and src must outlive *out. */
int img_fetch_layers(struct state_store *s, const struct img_blob_source *src, const struct img_manifest *m,
                     const char *config, size_t config_len, const struct img_fetch_opts *o, struct img_fetch **out,
                     struct burrow_err **err);
/* Step two: the image's records, in one transaction. */
int img_fetch_store(struct img_fetch *f, const struct img_fetch_image *what, struct burrow_err **err);
/* The image ID (hex). */
const char *img_fetch_id(const struct img_fetch *f);
/* Lets go of the layers; failed: those this fetch placed are removed. */
void img_fetch_free(struct img_fetch *f, bool failed);
/* A note (a line of text) to a progress callback (NULL: none). */
void img_note(img_progress_fn progress, void *data, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* --- registries.conf (registries.c) --------------------------------------------- */

struct img_mirror {
	char *location;
	bool insecure;
};
/* One [[registry]] table (or a version 1 list entry). */
struct img_regconf {
	char *prefix;   /* the names it applies to (default: its location) */
	char *location; /* where those names live (NULL: where they say) */
	bool insecure, blocked, mirror_by_digest_only;
	struct img_mirror *mirrors;
	size_t nmirrors;
	char *source; /* FILE:LINE */
};
struct img_registries {
	char **search; /* unqualified-search-registries (NULL: not set) */
	char *search_source;
	struct img_regconf *regs;
	size_t nregs;
	char **alias_names, **alias_values, **alias_sources; /* [aliases] */
	char *short_name_mode;
	char **files; /* read, in order */
};
/* Reads the files podman reads: $CONTAINERS_REGISTRIES_CONF alone when
 * set; else $XDG_CONFIG_HOME/containers/registries.conf when it exists,
 * otherwise /etc/containers/registries.conf and the *.conf files of
 * /etc/containers/registries.conf.d;
 * then those of $XDG_CONFIG_HOME/containers/registries.conf.d. A later file
 * overrides an earlier one's settings; [[registry]] tables are merged by
 * prefix. Missing files are fine; a bad one is an error naming it and the
 * line. */
int img_registries_load(struct img_registries *r, struct burrow_err **err);
/* Merges one file's text (path names it in messages). */
int img_registries_add_text(struct img_registries *r, const char *text, const char *path, struct burrow_err **err);
void img_registries_clear(struct img_registries *r);
/* The [[registry]] whose prefix matches name (HOST/REPO[:TAG|@DIGEST])
 * longest, or NULL. */
const struct img_regconf *img_registries_find(const struct img_registries *r, const char *name);

/* The fully qualified names to try for what the user typed, in order, as
 * normalised references: the name itself when it has a registry; else its
 * alias; else each unqualified-search registry (docker.io when the list
 * is not set; an empty list is an error, ENOENT). *note says when an alias
 * was used ("Resolved ... as an alias"). */
int img_resolve_name(const struct img_registries *r, const char *ref, char ***names, char **note,
                     struct burrow_err **err);

/* One place to fetch a name from: a mirror or the (rewritten) location. */
struct img_endpoint {
	char *host;      /* HOST[:PORT] as in references ("docker.io") */
	char *repo;      /* "library/debian" */
	char *reference; /* tag or "sha256:..." */
	bool insecure;   /* registries.conf says so */
	bool mirror;
};
/* The endpoints of a normalised name: its mirrors in order, then its
 * location. A blocked name is an error (status EACCES). */
int img_endpoints(const struct img_registries *r, const char *name, struct img_endpoint **out, size_t *n,
                  struct burrow_err **err);
void img_endpoint_clear(struct img_endpoint *e);
void img_endpoints_free(struct img_endpoint *e, size_t n);

/* --- HTTP (http.c) ------------------------------------------------------------------- */

/* Network settings of one pull (from cmd/'s options). */
struct img_net {
	long timeout_s;          /* connecting, and a transfer that stalls */
	int retries;             /* more attempts after a transient failure */
	unsigned retry_delay_ms; /* between them; 0: 2 s, doubling */
};

/* How to talk TLS to one registry host. */
struct img_tls {
	bool verify;  /* check the certificate (off: an insecure registry) */
	char *ca_pem; /* the system's CAs and certs.d's *.crt, NULL: curl's default */
	size_t ca_len;
	char *client_cert, *client_key; /* certs.d's *.cert and *.key */
	char *certs_dir;                /* the certs.d directory used, for messages */
};
/* Reads host's certs.d directory (cert_dir when given). */
int img_tls_setup(const char *host, const char *cert_dir, bool verify, struct img_tls *t, struct burrow_err **err);
void img_tls_clear(struct img_tls *t);

struct img_http_req {
	const char *url;
	char *const *headers; /* "Name: value" lines, NULL-terminated (may be NULL) */
	const struct img_tls *tls;
	const struct img_net *net;
	bool allow_http; /* redirects may go to plain http (insecure registries) */
	size_t max_body; /* a larger answer is an error */
};
struct img_http_resp {
	long status;
	char *body; /* NUL-terminated */
	size_t len;
	char *content_type, *docker_digest, *www_authenticate, *location;
	char *link; /* Link: a list's next page (tags/list's, as <URL>; rel="next") */
};
/* What a PUT or POST sends: size bytes of data, else of fd at off (pread;
 * sent again as it is when the request is repeated). */
struct img_http_body {
	const char *data;
	int fd;
	long long off, size;
	atomic_llong *progress; /* bytes sent so far (NULL: not counted) */
	/* called with the bytes sent so far as they go (in the sending
	 * thread, from inside the transfer; NULL: not) */
	void (*tick)(void *data, long long done);
	void *tick_data;
};
/* One request (GET, HEAD, POST, PUT; body NULL: none), answered in memory;
 * redirects are followed for GET and HEAD only. As img_http_get. */
int img_http_send(const struct img_http_req *rq, const char *method, const struct img_http_body *body,
                  struct img_http_resp *r, struct burrow_err **err);
/* One GET, answered in memory. Any HTTP status is a response; a transport
 * failure is an error with status EAGAIN (worth another try), EPROTO (TLS
 * failed) or EIO. */
int img_http_get(const struct img_http_req *rq, struct img_http_resp *r, struct burrow_err **err);
void img_http_resp_clear(struct img_http_resp *r);
/* 408, 429, 500, 502, 503, 504 */
bool img_http_transient_status(long status);
/* An error for an HTTP status (ENOENT for 404, EACCES for 401/403, EIO),
 * with the registry's own error code and message when the body has them. */
int img_http_status_error(long status, const char *body, const char *url, struct burrow_err **err);
/* SIGPIPE blocked in this thread (old: the mask before), and the mask put
 * back with any SIGPIPE that came meanwhile taken away. */
void img_http_block_sigpipe(sigset_t *old);
void img_http_restore_sigpipe(const sigset_t *old);
/* Sleeps before retry number attempt (0-based), waking early on cancel. */
void img_http_sleep_retry(const struct img_net *net, int attempt, const atomic_bool *cancel);

/* A blob download read as a stream (an img_read_fn for img_decomp): its
 * sha256 and size are checked as it arrives and at its end; a transient
 * failure is retried (net->retries times) from where it stopped with a
 * Range request; a 401 once asks auth for a fresh token. Used by one
 * thread at a time; streams of other threads run at the same time. */
struct img_blob_req {
	struct img_http_req http; /* url, tls, net, allow_http */
	const char *digest;       /* expected sha256:... */
	long long size;           /* expected size */
	/* the Authorization header line to send (NULL: none, *err unset);
	 * refresh: the last one was refused */
	char *(*auth)(void *data, bool refresh, struct burrow_err **err);
	void *auth_data;
	const atomic_bool *cancel; /* set by another thread: stop */
	atomic_llong *progress;    /* bytes so far, for the progress display */
};
struct img_blob_stream;
int img_blob_open(const struct img_blob_req *rq, struct img_blob_stream **out, struct burrow_err **err);
/* img_read_fn over a stream (ctx is the stream). */
ssize_t img_blob_read(void *ctx, void *buf, size_t len, struct burrow_err **err);
/* The error behind a failed read (the caller owns it), or NULL. */
struct burrow_err *img_blob_take_error(struct img_blob_stream *s);
void img_blob_close(struct img_blob_stream *s);

/* --- registries (registry.c) --------------------------------------------------------- */

struct img_registry_opts {
	const char *host;     /* HOST[:PORT] as in references */
	bool insecure;        /* no TLS verification; plain HTTP allowed */
	const char *cert_dir; /* --cert-dir, NULL: certs.d */
	const struct img_net *net;
	const char *user, *pass; /* given credentials (--creds, login), or NULL */
	const char *creds_source;
	const char *authfile;  /* --authfile, NULL: the usual files */
	const char *auth_name; /* HOST/REPO to look credentials up for (NULL: none) */
	bool push;             /* ask for tokens that may push */
};
struct img_registry;
int img_registry_open(const struct img_registry_opts *o, struct img_registry **out, struct burrow_err **err);
void img_registry_free(struct img_registry *r);
const char *img_registry_host(const struct img_registry *r);
/* Where the credentials in use came from, NULL when anonymous. */
const char *img_registry_creds_source(const struct img_registry *r);
/* GET /v2/REPO/PATH (repo NULL: GET /v2/), answering an authentication
 * challenge once, trying again after transient failures, falling back to
 * plain HTTP for an insecure registry whose TLS fails. Any final HTTP status
 * is a response for the caller to judge. */
int img_registry_get(struct img_registry *r, const char *repo, const char *path, const char *accept, size_t max,
                     struct img_http_resp *resp, struct burrow_err **err);
/* The same for any method: path is relative to /v2/REPO/, or an absolute
 * path on the registry ("/v2/..."), or a URL (an upload's Location); body
 * as img_http_send. */
int img_registry_send(struct img_registry *r, const char *method, const char *repo, const char *path,
                      char *const *headers, const struct img_http_body *body, size_t max, struct img_http_resp *resp,
                      struct burrow_err **err);
/* An error for a response that is not what was wanted (a hint to log in
 * for 401 and 403); what names the request. */
int img_registry_status_error(const struct img_registry *r, const struct img_http_resp *resp, const char *what,
                              struct burrow_err **err);
char *img_registry_url(const struct img_registry *r, const char *repo, const char *path);
/* The page after the one at path at (relative to /v2/REPO/, as
 * img_registry_get's) whose answer had the Link header link (NULL: none):
 * *next its path for img_registry_get ("/v2/..."), NULL when link names
 * no rel="next". A next page on another host (or scheme) is refused. */
int img_registry_next_page(const struct img_registry *r, const char *repo, const char *at, const char *link,
                           char **next, struct burrow_err **err);
/* The same for the registry at base_url ("https://HOST[:PORT]"). */
int img_link_next_page(const char *base_url, const char *repo, const char *at, const char *link, char **next,
                       struct burrow_err **err);
/* The pages of a paged list asked so far (pull -a's tags/list), by
 * their paths: a hash set, so that each new page is checked in constant
 * time (a list compared with every page asked was quadratic: a hostile
 * registry's pages of one short tag reach ~155,000 under the 4 MiB the
 * list may hold, minutes of CPU). At most IMG_PAGES_MAX pages: registries
 * page tags/list by tens to hundreds (the distribution spec's n; the
 * reference registry pages only when n is asked), so 10,000 pages are a
 * million tags at 100 a page, more than any real repository holds. */
#define IMG_PAGES_MAX 10000
struct img_pages {
	char **slot; /* cap slots, NULL where free; the paths are copies */
	size_t cap, n;
};
/* Adds page at: 0; 1 when it was asked already (pages that loop: the
 * list ends there); -1 (EFBIG) when IMG_PAGES_MAX pages were asked. */
int img_pages_add(struct img_pages *p, const char *at, struct burrow_err **err);
void img_pages_clear(struct img_pages *p);
/* The Authorization line for blob requests (NULL when none); refresh
 * fetches a new token. Safe from any thread. */
char *img_registry_auth_line(struct img_registry *r, const char *repo, bool refresh, struct burrow_err **err);
/* Fills rq's HTTP settings for a blob of this registry. */
void img_registry_blob_req(struct img_registry *r, const char *url, struct img_blob_req *rq);

/* --- credentials (auth.c) ------------------------------------------------------ */

struct img_creds {
	char *user, *pass;
	char *source; /* where they came from, for messages: "FILE (KEY)", "--creds" */
};
void img_creds_clear(struct img_creds *c);

/* Where login writes: $REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json, else
 * $XDG_CONFIG_HOME/containers/auth.json. */
char *img_auth_default_path(void);
/* Where a pull looks, in order: authfile alone when given; else the
 * default path, $XDG_CONFIG_HOME/containers/auth.json and
 * ~/.docker/config.json. */
char **img_auth_read_paths(const char *authfile);
/* An auths key as registries are named here: no scheme, no "/v1/" (docker
 * writes "https://index.docker.io/v1/"), docker.io for Docker Hub. */
char *img_auth_normalize_key(const char *key);
/* Credentials for name (HOST[/NS.../REPO]), from one file's text or from
 * the files above, the first file that has some winning; in a file: the
 * credential helper credHelpers names for HOST, then the auths entry with
 * the most specific key (host/ns/repo, host/ns, host), then the helper
 * credsStore names (credhelper.c). 0 found, 1 none, -1 a file that cannot
 * be read or parsed, or a helper that failed. */
int img_auth_lookup_text(const char *text, const char *path, const char *name, struct img_creds *out,
                         struct burrow_err **err);
int img_auth_lookup(const char *authfile, const char *name, struct img_creds *out, struct burrow_err **err);

/* --- credential helpers (credhelper.c) ------------------------------------------ */

/* Asks docker-credential-HELPER (on $PATH) for host's credentials, as
 * `docker-credential-HELPER get` answers (bounded wait; killed after it).
 * where says which entry named it ("credHelpers of FILE"), for messages.
 * 0 found (out->source "docker-credential-HELPER (WHERE)"), 1 the helper
 * has none, -1 it is missing, failed, hung or answered nonsense. */
int img_cred_helper_get(const char *helper, const char *host, const char *where, struct img_creds *out,
                        struct burrow_err **err);
/* The credential helper an auth.json text names for key's registry: its
 * credHelpers entry for the host, else its credsStore; NULL: none. *where
 * says which ("credHelpers", "credsStore"). Caller frees both. */
char *img_cred_helper_for(const char *text, const char *key, char **where);
/* `docker-credential-HELPER store` of user and pass for host (login), and
 * `erase` (logout): 0 done, erase 1 when the helper had nothing, -1 the
 * helper is missing, failed or hung (bounded as get). */
int img_cred_helper_store(const char *helper, const char *host, const char *user, const char *pass, const char *where,
                          struct burrow_err **err);
int img_cred_helper_erase(const char *helper, const char *host, const char *where, struct burrow_err **err);
/* logout --all's helpers, from the auth.json text of file: every
 * credHelpers entry's host erased from its helper, and every server that
 * the credsStore helper lists (`list`) erased from it (podman erases the
 * first; it does not read credsStore, which burrow's login stores into).
 * The entries stay: they say where logins go. Returns how many the helpers
 * erased, or -1 at the first helper that is missing or fails. */
int img_cred_helper_erase_every(const char *text, const char *file, struct burrow_err **err);
/* A helper name makes a program name: letters, digits, '-', '_', '.', not
 * a leading '.' (no '/': nothing but $PATH is searched). */
bool img_cred_helper_name_ok(const char *name);
/* What a helper is asked for: the registry host; Docker Hub's v1 URL. */
char *img_cred_helper_server(const char *host);
/* The answer of prog (its wait status, stdout and stderr), read: 0 with
 * creds->user and pass set, 1 none ("credentials not found"), -1 a
 * failure, an identity token, or not the JSON of the protocol. */
int img_cred_helper_answer(const char *prog, const char *server, int status, const char *out, const char *errout,
                           struct img_creds *creds, struct burrow_err **err);
/* The auth.json text with key's entry replaced by user:pass (user NULL:
 * removed; key NULL: every entry removed), everything else kept as it was;
 * *removed counts the entries dropped. */
char *img_auth_edit_text(const char *text, const char *key, const char *user, const char *pass, int *removed,
                         struct burrow_err **err);
/* The same on a file, written atomically with mode 0600 (directories 0700). */
int img_auth_edit(const char *path, const char *key, const char *user, const char *pass, int *removed,
                  struct burrow_err **err);

/* A WWW-Authenticate header: Bearer realm="...",service="...",scope="..."
 * or Basic realm="...". */
struct img_challenge {
	char *scheme; /* "Bearer", "Basic" (as sent) */
	char *realm, *service, *scope, *error;
};
/* 0, or -1 when the header cannot be parsed. */
int img_challenge_parse(const char *header, struct img_challenge *out);
void img_challenge_clear(struct img_challenge *c);

#endif
