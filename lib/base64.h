/* Base64 (RFC 4648, standard alphabet), for the "auth" fields of
 * auth.json and HTTP basic authentication. */
#ifndef BURROW_LIB_BASE64_H
#define BURROW_LIB_BASE64_H

#include <stddef.h>

/* Padded encoding, newly allocated. */
char *base64_encode(const void *data, size_t len);
/* Decodes (padding optional; no blanks); NULL when s is not base64. The
 * result is NUL-terminated (*len does not count it). */
char *base64_decode(const char *s, size_t *len);

#endif
