/* Helpers private to image/. */
#ifndef BURROW_IMAGE_INTERNAL_H
#define BURROW_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "image/image.h"
#include "lib/err.h"

/* --- tar member names (unpack.c) ---------------------------------------- */

/* Normalises a member name: drops "." and empty components and a trailing
 * '/'; "" is the layer root itself. Refuses (EINVAL; the message says why
 * but not the name) an empty name, an absolute path or a ".." component. */
int img_tar_clean_path(const char *name, char **out, struct burrow_err **err);

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
