/* Images: references, the image and layer records in burrow.tdb, importing
 * rootfs tarballs and pulling from registries into the layer store
 * (overlay/'s ROOT/layers/<chain id>/diff).
 *
 * Records (burrow.tdb, through state/):
 *   img/<id>    {"id","names":[tag...],"digests":[REPO@sha256:...],
 *                "digest":"sha256:..." (the manifest it was pulled by),
 *                "manifest_type","architecture","os","variant",
 *                "created":unix seconds,"size":bytes,
 *                "layers":[chain id, lowest first],
 *                "config":{"Env","Cmd","Entrypoint","WorkingDir","User"}}
 *   img-config/<id>    the OCI image configuration, byte for byte (its
 *                      sha256 is the image ID; history, labels... are there)
 *   img-manifest/<id>  the image manifest it was pulled with, byte for byte
 *   tag/<ref>   "<image id>" (a JSON string; ref is normalised, e.g.
 *                localhost/busybox:latest)
 *   layer/<chain id>  {"id","parent":chain id below (none at the bottom),
 *                "diff_id":"sha256:..." (of the uncompressed tar),
 *                "compressed_digest","media_type","compressed_size" (the
 *                blob it came from, when pulled), "size":bytes,
 *                "squashed":N (entries unpacked as root because the user
 *                namespace did not map their owner), "created"}
 * A layer is keyed by its chain ID, so one stack of layers is stored once
 * whatever images share it; an image's ID is the sha256 of its OCI image
 * configuration. A layer record is written once the layer is in place,
 * before the image that uses it: a crash leaves at worst a layer no image
 * uses, never an image without its layers. */
#ifndef BURROW_IMAGE_H
#define BURROW_IMAGE_H

#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "lib/err.h"

struct state_store;

/* What the image says to run. Every field may be NULL (not set). */
struct img_config {
	char **env; /* "KEY=value" */
	char **cmd;
	char **entrypoint;
	char *workdir;
	char *user;
};

struct img_info {
	char *id;
	char **names;   /* normalised references; empty (not NULL) when untagged */
	char **digests; /* repo digests REPO@sha256:...; empty (not NULL) when none */
	char *digest;   /* the manifest digest it was pulled by; NULL when imported */
	char **layers;  /* layer directories ROOT/layers/<id>/diff, lowest first */
	struct img_config config;
	long long created; /* unix seconds */
	long long size;    /* bytes of the unpacked layers */
};

/* --- references ------------------------------------------------------ */

/* A reference as docker/podman parse it: [DOMAIN/]PATH[:TAG][@DIGEST].
 * DOMAIN is the first component when it has a '.' or ':', is "localhost"
 * or has an uppercase letter. */
struct img_ref {
	char *domain; /* NULL when the user gave none */
	char *path;   /* "busybox", "library/alpine" */
	char *tag;    /* NULL when the user gave none */
	char *digest; /* "sha256:<hex>", NULL when the user gave none */
};
/* Parses and validates; EINVAL with a message saying what is wrong. */
int img_ref_parse(const char *s, struct img_ref *out, struct burrow_err **err);
void img_ref_clear(struct img_ref *r);
/* The stored form: a missing domain becomes "localhost" (as podman does
 * for local images), docker.io/NAME becomes docker.io/library/NAME, a
 * missing tag "latest"; with a digest, REPO@DIGEST (a tag beside a digest
 * is dropped, as docker does). */
char *img_ref_normalize(const struct img_ref *r);
/* The repository alone, normalised the same way: "docker.io/library/x". */
char *img_ref_repo(const struct img_ref *r);
/* Parse + normalise in one go (NULL and *err on a bad reference). */
char *img_ref_normalize_str(const char *s, struct burrow_err **err);

/* --- configuration (--change) ---------------------------------------- */

/* Applies one Dockerfile-style instruction as `podman import --change`:
 * CMD, ENTRYPOINT (JSON array or shell form), ENV k=v (or "ENV k v"),
 * WORKDIR, USER. The keyword may be followed by a space or '='. EINVAL
 * with a message naming the instruction when it is bad. */
int img_config_apply_change(struct img_config *c, const char *change, struct burrow_err **err);
void img_config_clear(struct img_config *c);
/* Emits c as a JSON object in docker's names (Env, Cmd, Entrypoint,
 * WorkingDir, User); fields that are not set are left out. */
void img_config_gen(yajl_gen g, const struct img_config *c);

/* --- store ------------------------------------------------------------- */

struct img_import_opts {
	const char *source;              /* tarball path, or "-" for standard input */
	const char *reference;           /* normalised reference to tag, or NULL (untagged) */
	const struct img_config *config; /* NULL: empty */
};

/* Imports a rootfs tarball (plain, gzip, zstd, ... detected from content)
 * as a one-layer image; *id is the new image's full ID. Must run inside
 * burrow's user namespace. A layer already in the store is reused, unless
 * it was unpacked with owners squashed and this namespace maps more of
 * them: then the new unpacking replaces it. A hostile tarball (absolute or ".." names,
 * writes through symlinks, hard links out of the layer) is refused and
 * nothing is left behind. */
int img_import(struct state_store *s, const struct img_import_opts *opts, char **id, struct burrow_err **err);

/* By name (NAME, NAME:TAG, localhost/NAME:TAG; default tag latest), full ID
 * (optionally "sha256:"-prefixed) or unique ID prefix. Not found: status
 * ENOENT, message "image 'x' not known". Ambiguous: EINVAL. */
int img_lookup(struct state_store *s, const char *ref, struct img_info **out, struct burrow_err **err);

/* Every image, newest first. */
int img_list(struct state_store *s, struct img_info ***out, size_t *n, struct burrow_err **err);

void img_info_free(struct img_info *i);
void img_info_list_free(struct img_info **list, size_t n);

#endif
