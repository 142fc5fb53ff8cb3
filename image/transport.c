/* Transports, as podman names them: where an image comes from or goes to
 * (docker://REF, oci:DIR[:REF], oci-archive:FILE[:REF],
 * docker-archive:FILE[:REF], dir:DIR). A name without a known transport
 * prefix is a registry reference ("localhost:5000/x" is one: "localhost" is
 * no transport). As in containers/image, the path ends at the first ':'
 * after the prefix. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

static const struct {
	const char *prefix;
	enum img_transport_kind kind;
} known[] = {
    {"docker://", IMG_TRANSPORT_REGISTRY},
    {"oci:", IMG_TRANSPORT_OCI},
    {"oci-archive:", IMG_TRANSPORT_OCI_ARCHIVE},
    {"docker-archive:", IMG_TRANSPORT_DOCKER_ARCHIVE},
    {"dir:", IMG_TRANSPORT_DIR},
};

static const char *const refused[] = {"containers-storage:", "docker-daemon:", "ostree:", "sif:", "tarball:", NULL};

void img_transport_clear(struct img_transport *t)
{
	free(t->path);
	free(t->ref);
	memset(t, 0, sizeof(*t));
}

int img_transport_parse(const char *s, struct img_transport *t, struct burrow_err **err)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; refused[i]; i++) {
		if (strncmp(s, refused[i], strlen(refused[i])) != 0)
			continue;
		burrow_error_status(err, ENOTSUP, "'%s': the %.*s transport is not supported by burrow", str_quote(s),
		                    (int)strlen(refused[i]) - 1, refused[i]);
		if (i == 0)
			return burrow_error_hint(err, "burrow has a store of its own; to copy an image from podman's: "
			                              "podman save IMAGE | burrow load");
		return burrow_error_hint(err, "docker://, oci:, oci-archive:, docker-archive: and dir: are");
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t n = strlen(known[i].prefix);
		if (strncmp(s, known[i].prefix, n) != 0)
			continue;
		const char *rest = s + n;
		t->kind = known[i].kind;
		if (t->kind == IMG_TRANSPORT_REGISTRY) {
			t->ref = xstrdup(rest);
		} else {
			const char *colon = t->kind == IMG_TRANSPORT_DIR ? NULL : strchr(rest, ':');
			t->path = colon ? xstrndup(rest, (size_t)(colon - rest)) : xstrdup(rest);
			t->ref = colon && colon[1] ? xstrdup(colon + 1) : NULL;
		}
		if ((t->kind == IMG_TRANSPORT_REGISTRY && !*t->ref) || (t->path && !*t->path)) {
			burrow_error(err, EINVAL, "'%s': %s needs a %s", str_quote(s), known[i].prefix,
			             t->kind == IMG_TRANSPORT_REGISTRY ? "reference" : "path");
			img_transport_clear(t);
			return -1;
		}
		return 0;
	}
	t->kind = IMG_TRANSPORT_REGISTRY;
	t->ref = xstrdup(s);
	return 0;
}
