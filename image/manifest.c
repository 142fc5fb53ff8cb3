/* Image manifests and indexes (OCI, Docker schema 2 and manifest lists),
 * and picking this machine's platform out of an index. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static const char *const index_types[] = {IMG_MT_OCI_INDEX, IMG_MT_DOCKER_LIST, NULL};
static const char *const image_types[] = {IMG_MT_OCI_MANIFEST, IMG_MT_DOCKER_MANIFEST, NULL};
static const char *const schema1_types[] = {"application/vnd.docker.distribution.manifest.v1+json",
                                            "application/vnd.docker.distribution.manifest.v1+prettyjws", NULL};
static const char *const config_types[] = {"application/vnd.oci.image.config.v1+json",
                                           "application/vnd.docker.container.image.v1+json", NULL};
/* What a layer may be: tar, gzip or zstd (the compression is read from the
 * data itself, as docker and podman do) */
static const char *const layer_types[] = {"application/vnd.oci.image.layer.v1.tar",
                                          "application/vnd.oci.image.layer.v1.tar+gzip",
                                          "application/vnd.oci.image.layer.v1.tar+zstd",
                                          "application/vnd.oci.image.layer.nondistributable.v1.tar",
                                          "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                                          "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
                                          "application/vnd.docker.image.rootfs.diff.tar",
                                          "application/vnd.docker.image.rootfs.diff.tar.gzip",
                                          "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                                          NULL};

static bool one_of(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

const char *img_manifest_accept(void)
{
	/* schema 1 too, so that a registry that only has that says so and we
	 * can refuse it clearly instead of getting a 404 */
	return "Accept: " IMG_MT_OCI_INDEX ", " IMG_MT_DOCKER_LIST ", " IMG_MT_OCI_MANIFEST ", " IMG_MT_DOCKER_MANIFEST
	       ", application/vnd.docker.distribution.manifest.v1+prettyjws, "
	       "application/vnd.docker.distribution.manifest.v1+json";
}

bool img_digest_valid(const char *d)
{
	return d && str_has_prefix(d, "sha256:") && strlen(d) == 71 && img_is_hex(d + 7);
}

static void descriptor_clear(struct img_descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	free(d->os);
	free(d->arch);
	free(d->variant);
	memset(d, 0, sizeof(*d));
}

void img_manifest_clear(struct img_manifest *m)
{
	free(m->media_type);
	descriptor_clear(&m->config);
	for (size_t i = 0; i < m->nlayers; i++)
		descriptor_clear(&m->layers[i]);
	free(m->layers);
	for (size_t i = 0; i < m->nmanifests; i++)
		descriptor_clear(&m->manifests[i]);
	free(m->manifests);
	memset(m, 0, sizeof(*m));
}

static char *dup_str(yajl_val v, const char *key)
{
	const char *s = json_get_str(v, key);
	return s ? xstrdup(s) : NULL;
}

static int parse_descriptor(yajl_val v, const char *what, struct img_descriptor *d, struct burrow_err **err)
{
	if (!v || !YAJL_IS_OBJECT(v))
		return burrow_error(err, 0, "%s is not a descriptor object", what);
	d->media_type = dup_str(v, "mediaType");
	d->digest = dup_str(v, "digest");
	yajl_val size = json_get(v, "size");
	if (!d->digest)
		return burrow_error(err, 0, "%s has no digest", what);
	if (!img_digest_valid(d->digest))
		return burrow_error(err, 0, "%s has an invalid digest '%s' (only sha256:<64 hex digits> is supported)",
		                    what, str_quote(d->digest));
	if (!size || !YAJL_IS_INTEGER(size) || YAJL_GET_INTEGER(size) < 0)
		return burrow_error(err, 0, "%s has no valid size", what);
	d->size = YAJL_GET_INTEGER(size);
	yajl_val p = json_get(v, "platform");
	if (p && YAJL_IS_OBJECT(p)) {
		d->os = dup_str(p, "os");
		d->arch = dup_str(p, "architecture");
		d->variant = dup_str(p, "variant");
	}
	return 0;
}

static int parse_list(yajl_val v, const char *key, const char *what, struct img_descriptor **out, size_t *n,
                      struct burrow_err **err)
{
	yajl_val a = json_get(v, key);
	if (!a || !YAJL_IS_ARRAY(a))
		return burrow_error(err, 0, "it has no \"%s\" list", key);
	if (a->u.array.len > IMG_MAX_LAYERS)
		return burrow_error(err, 0, "it has %zu %s, more than %d", a->u.array.len, key, IMG_MAX_LAYERS);
	*out = xcalloc(a->u.array.len ? a->u.array.len : 1, sizeof(**out));
	for (size_t i = 0; i < a->u.array.len; i++) {
		cleanup_free char *name = xasprintf("%s %zu", what, i + 1);
		(*n)++;
		if (parse_descriptor(a->u.array.values[i], name, &(*out)[i], err) < 0)
			return -1;
	}
	return 0;
}

static char *base_type(const char *content_type)
{
	if (!content_type)
		return NULL;
	size_t n = strcspn(content_type, ";");
	while (n > 0 && (content_type[n - 1] == ' ' || content_type[n - 1] == '\t'))
		n--;
	return xstrndup(content_type, n);
}

static int schema1(struct burrow_err **err)
{
	burrow_error_status(err, ENOTSUP,
	                    "it is a Docker schema 1 manifest, which burrow does not support (it is deprecated and "
	                    "has no content-addressed configuration)");
	return burrow_error_hint(err, "push the image again with a current docker, podman or skopeo");
}

static int parse(const char *body, size_t len, const char *content_type, struct img_manifest *m,
                 struct burrow_err **err)
{
	if (memchr(body, '\0', len))
		return burrow_error(err, 0, "it is not JSON (it has a NUL byte)");
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(body, &e);
	if (!v)
		return burrow_error(err, 0, "it is not JSON: %s", e->msg);
	if (!YAJL_IS_OBJECT(v))
		return burrow_error(err, 0, "it is not a JSON object");
	yajl_val sv = json_get(v, "schemaVersion");
	if (sv && YAJL_IS_INTEGER(sv) && YAJL_GET_INTEGER(sv) == 1)
		return schema1(err);
	cleanup_free char *header = base_type(content_type);
	const char *field = json_get_str(v, "mediaType");
	const char *mt = field;
	if (!mt && header &&
	    !one_of(header,
	            (const char *const[]){"application/json", "text/plain", "application/octet-stream", "", NULL}))
		mt = header;
	if (!mt) /* OCI allows leaving mediaType out: tell by the contents */
		mt = json_get(v, "manifests") ? IMG_MT_OCI_INDEX : IMG_MT_OCI_MANIFEST;
	if (one_of(mt, schema1_types))
		return schema1(err);
	m->media_type = xstrdup(mt);
	if (one_of(mt, index_types)) {
		m->kind = IMG_MANIFEST_INDEX;
		return parse_list(v, "manifests", "manifest", &m->manifests, &m->nmanifests, err);
	}
	if (!one_of(mt, image_types))
		return burrow_error_status(err, ENOTSUP, "unknown manifest media type '%s'", str_quote(mt));
	m->kind = IMG_MANIFEST_IMAGE;
	if (parse_descriptor(json_get(v, "config"), "the config", &m->config, err) < 0)
		return -1;
	if (m->config.media_type && !one_of(m->config.media_type, config_types)) {
		burrow_error_status(err, ENOTSUP, "it is not a container image: its config is '%s'",
		                    str_quote(m->config.media_type));
		return burrow_error_hint(err, "it may be an artifact (a Helm chart, a signature...) that only "
		                              "other tools use");
	}
	if (parse_list(v, "layers", "layer", &m->layers, &m->nlayers, err) < 0)
		return -1;
	for (size_t i = 0; i < m->nlayers; i++) {
		const char *lt = m->layers[i].media_type;
		if (one_of(lt, layer_types))
			continue;
		if (lt && strstr(lt, "encrypted"))
			return burrow_error_status(err, ENOTSUP,
			                           "layer %zu is encrypted ('%s'), which burrow does not support",
			                           i + 1, str_quote(lt));
		return burrow_error_status(err, ENOTSUP, "layer %zu has an unknown media type '%s'", i + 1,
		                           lt ? str_quote(lt) : "(none)");
	}
	return 0;
}

int img_manifest_parse(const char *body, size_t len, const char *content_type, struct img_manifest *m,
                       struct burrow_err **err)
{
	memset(m, 0, sizeof(*m));
	if (parse(body, len, content_type, m, err) < 0) {
		img_manifest_clear(m);
		return -1;
	}
	return 0;
}

/* --- platforms -------------------------------------------------------------- */

void img_platform_clear(struct img_platform *p)
{
	free(p->os);
	free(p->arch);
	free(p->variant);
	memset(p, 0, sizeof(*p));
}

/* uname's or the user's name of an architecture -> GOARCH (and variant). */
static void normalize_arch(const char *in, char **arch, char **variant)
{
	static const char *const map[][3] = {
	    {"x86_64", "amd64", NULL}, {"x86-64", "amd64", NULL}, {"aarch64", "arm64", NULL}, {"armv8l", "arm64", NULL},
	    {"armhf", "arm", "v7"},    {"armv7l", "arm", "v7"},   {"armv7", "arm", "v7"},     {"armel", "arm", "v6"},
	    {"armv6l", "arm", "v6"},   {"armv5l", "arm", "v5"},   {"i386", "386", NULL},      {"i686", "386", NULL},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(in, map[i][0]) == 0) {
			*arch = xstrdup(map[i][1]);
			if (map[i][2] && !*variant)
				*variant = xstrdup(map[i][2]);
			return;
		}
	}
	*arch = xstrdup(in);
}

/* The variant an architecture has when none is named. */
static const char *default_variant(const char *arch)
{
	return strcmp(arch, "arm64") == 0 ? "v8" : strcmp(arch, "arm") == 0 ? "v7" : NULL;
}

const char *img_host_arch(void)
{
	static char *arch;
	if (!arch) {
		struct utsname u;
		char *variant = NULL;
		normalize_arch(uname(&u) == 0 ? u.machine : "amd64", &arch, &variant);
		free(variant);
	}
	return arch;
}

int img_platform_init(const char *platform, const char *os, const char *arch, const char *variant,
                      struct img_platform *p, struct burrow_err **err)
{
	memset(p, 0, sizeof(*p));
	if (platform && *platform) {
		cleanup_strv char **parts = strv_split(platform, '/');
		size_t n = strv_len(parts);
		if (n < 2 || n > 3 || !*parts[0] || !*parts[1] || (n == 3 && !*parts[2]))
			return burrow_error(err, 0,
			                    "invalid platform '%s': expected OS/ARCH[/VARIANT], e.g. linux/arm64",
			                    str_quote(platform));
		os = parts[0];
		p->variant = n == 3 ? xstrdup(parts[2]) : NULL;
		normalize_arch(parts[1], &p->arch, &p->variant);
		p->os = xstrdup(os);
		p->variant_given = n == 3;
		return 0;
	}
	p->os = xstrdup(os && *os ? os : "linux");
	if (variant && *variant) {
		p->variant = xstrdup(variant);
		p->variant_given = true;
	}
	if (arch && *arch) {
		normalize_arch(arch, &p->arch, &p->variant);
	} else {
		struct utsname u;
		normalize_arch(uname(&u) == 0 ? u.machine : "amd64", &p->arch, &p->variant);
	}
	return 0;
}

char *img_platform_string(const char *os, const char *arch, const char *variant)
{
	return xasprintf("%s/%s%s%s", os ? os : "?", arch ? arch : "?", variant && *variant ? "/" : "",
	                 variant && *variant ? variant : "");
}

/* How well entry d fits p: 3 exactly, 2 without a variant where p has
 * one (the architecture's default, or not asked for), 1 another variant of
 * the right architecture when none was asked for, 0 not at all. */
static int fit(const struct img_descriptor *d, const struct img_platform *p)
{
	if (!d->os || !d->arch || strcmp(d->os, p->os) != 0)
		return 0;
	cleanup_free char *arch = NULL;
	cleanup_free char *variant = d->variant ? xstrdup(d->variant) : NULL;
	normalize_arch(d->arch, &arch, &variant);
	if (strcmp(arch, p->arch) != 0)
		return 0;
	const char *want = p->variant ? p->variant : default_variant(p->arch);
	if (variant && want && strcmp(variant, want) == 0)
		return 3;
	if (!variant) {
		if (!want)
			return 3;
		if (!p->variant_given)
			return 2;
		const char *dv = default_variant(arch);
		return dv && strcmp(dv, want) == 0 ? 2 : 0;
	}
	return p->variant_given ? 0 : 1; /* another variant */
}

int img_manifest_select(const struct img_manifest *index, const struct img_platform *p, size_t *which,
                        struct burrow_err **err)
{
	int best = 0;
	for (size_t i = 0; i < index->nmanifests; i++) {
		const struct img_descriptor *d = &index->manifests[i];
		if (!one_of(d->media_type, image_types) && d->media_type)
			continue; /* nested indexes and artifacts */
		int f = fit(d, p);
		if (f > best) {
			best = f;
			*which = i;
		}
	}
	if (best)
		return 0;
	cleanup_free char *want = img_platform_string(p->os, p->arch, p->variant_given ? p->variant : NULL);
	cleanup_free char *have = xstrdup("");
	for (size_t i = 0; i < index->nmanifests; i++) {
		const struct img_descriptor *d = &index->manifests[i];
		if (!d->os || !d->arch || strcmp(d->os, "unknown") == 0)
			continue; /* attestations */
		cleanup_free char *one = img_platform_string(d->os, d->arch, d->variant);
		char *t = xasprintf("%s%s%s", have, *have ? ", " : "", one);
		free(have);
		have = t;
	}
	burrow_error_status(err, ENOENT, "no image for %s in it; it has %s", want, *have ? have : "no platforms");
	return burrow_error_hint(err, "choose one with --platform OS/ARCH[/VARIANT] (or --arch, --variant)");
}
