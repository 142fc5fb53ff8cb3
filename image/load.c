/* burrow load: the images of a docker-archive (what docker save and podman
 * save write: manifest.json, configurations, layer tars; both the legacy
 * layout and the one with blobs/sha256/...), an oci-archive (an OCI layout
 * in a tar) or such a layout in a directory (oci, or a "dir:" copy), each
 * plain or compressed, into the store.
 *
 * An archive that is compressed or comes on standard input is first
 * written out (decompressed) to an unnamed file beside the layers; a plain
 * one is read in place. Every document is checked before anything is
 * stored: member names (members.c), every configuration's and manifest's
 * digest, each named member there and a regular file. The layers go
 * through fetch.c, the same path a pull takes (blob digest and size, diff
 * ID, one unpacking per chain ID, layer locks); the images are stored only
 * once every layer of every image is in place, so a bad archive stores
 * nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "overlay/overlay.h"
#include "state/state.h"

#define DOC_MAX (8 * 1024 * 1024)
#define MAX_IMAGES 1000
#define LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"
#define REF_NAME "org.opencontainers.image.ref.name"
#define CONTAINERD_NAME "io.containerd.image.name"

struct image {
	struct img_manifest m;
	char *config;
	size_t config_len;
	char **paths;    /* layer members, as m.layers */
	bool *verify;    /* whether the member must hash to the layer's digest */
	char *manifest;  /* OCI: the image manifest as it was (NULL: none) */
	char digest[72]; /* its digest */
	char **names;    /* normalised tags */
	char *refname;   /* OCI: the ref.name annotation as it is */
	char *shown;     /* what "Loaded image:" says, when not its names */
	bool skip;       /* not the one selected */
	const struct img_members *a;
	struct img_blob_source src;
	struct img_fetch_opts fo;
	struct img_fetch *f;
	bool stored;
};

static void image_free(struct image *im)
{
	img_manifest_clear(&im->m);
	free(im->config);
	strv_free(im->paths);
	free(im->verify);
	free(im->manifest);
	strv_free(im->names);
	free(im->shown);
	free(im->refname);
	img_fetch_free(im->f, !im->stored);
}

/* --- the archive as a blob source ------------------------------------------------------ */

struct reader {
	struct img_member mem;
	struct img_range_reader *r;
	char *what;
	atomic_llong *progress;
	const atomic_bool *cancel;
};

static ssize_t reader_read(void *ctx, void *buf, size_t len, struct burrow_err **err)
{
	struct reader *rd = ctx;
	if (rd->cancel && atomic_load(rd->cancel))
		return burrow_error_status(err, ECANCELED, "cancelled");
	ssize_t n = img_range_read(rd->r, buf, len, err);
	if (n > 0 && rd->progress)
		atomic_fetch_add(rd->progress, n);
	return n;
}

static int blob_open(void *data, const struct img_descriptor *d, atomic_llong *progress, const atomic_bool *cancel,
                     img_read_fn **read, void **ctx, struct burrow_err **err)
{
	struct image *im = data;
	size_t i = (size_t)(d - im->m.layers);
	struct reader *rd = xcalloc(1, sizeof(*rd));
	rd->progress = progress;
	rd->cancel = cancel;
	if (img_members_open(im->a, im->paths[i], &rd->mem, err) < 0) {
		free(rd);
		return -1;
	}
	rd->what = xasprintf("'%s' in %s", im->paths[i], img_members_what(im->a));
	if (rd->mem.size != d->size) {
		burrow_error(err, EINVAL, "%s is %lld bytes, not the %lld its manifest says", rd->what, rd->mem.size,
		             d->size);
	} else if ((rd->r = img_range_open(rd->mem.fd, rd->mem.off, rd->mem.size, im->verify[i] ? d->digest : NULL,
	                                   rd->what, err))) {
		*read = reader_read;
		*ctx = rd;
		return 0;
	}
	img_member_close(&rd->mem);
	free(rd->what);
	free(rd);
	return -1;
}

static struct burrow_err *blob_close(void *data, void *ctx)
{
	(void)data;
	struct reader *rd = ctx;
	img_range_close(rd->r);
	img_member_close(&rd->mem);
	free(rd->what);
	free(rd);
	return NULL;
}

/* --- names ------------------------------------------------------------------------ */

/* A name as docker writes it in RepoTags ("busybox:latest" is Docker Hub's). */
static char *docker_name(const char *s, struct burrow_err **err)
{
	struct img_ref r;
	if (img_ref_parse(s, &r, err) < 0)
		return NULL;
	if (!r.domain)
		r.domain = xstrdup("docker.io");
	char *n = img_ref_normalize(&r);
	img_ref_clear(&r);
	if (strchr(n, '@')) {
		free(n);
		burrow_error(err, EINVAL, "'%s' is not NAME:TAG", str_quote(s));
		return NULL;
	}
	return n;
}

/* --- docker-archive ---------------------------------------------------------------- */

/* The digest a member's name promises: blobs/sha256/HEX or HEX.json. */
static bool name_digest(const char *name, char out[72])
{
	const char *p = str_has_prefix(name, "blobs/sha256/") ? name + 13 : name;
	size_t n = strlen(p);
	if (str_has_suffix(p, ".json"))
		n -= 5;
	if (n != 64)
		return false;
	snprintf(out, 72, "sha256:%.64s", p);
	return img_digest_valid(out);
}

static int docker_image(const struct img_members *a, yajl_val e, size_t k, struct image *im, struct burrow_err **err)
{
	const char *what = img_members_what(a);
	const char *cfg = json_get_str(e, "Config");
	yajl_val layers = json_get(e, "Layers");
	if (!cfg || !layers || !YAJL_IS_ARRAY(layers))
		return burrow_error(err, EINVAL, "manifest.json of %s: entry %zu has no Config or Layers", what, k + 1);
	if (layers->u.array.len > IMG_MAX_LAYERS)
		return burrow_error(err, EINVAL, "manifest.json of %s: entry %zu has too many layers", what, k + 1);
	char want[72];
	bool named = name_digest(cfg, want);
	if (img_members_slurp(a, cfg, DOC_MAX, named ? want : NULL, &im->config, &im->config_len, err) < 0)
		return -1;
	char hex[65];
	if (img_sha256_hex(im->config, im->config_len, hex, err) < 0)
		return -1;
	cleanup_err struct burrow_err *pe = NULL;
	cleanup_yajl yajl_val c = json_parse(im->config, &pe);
	yajl_val rootfs = c ? json_get(c, "rootfs") : NULL;
	cleanup_strv char **diff_ids = rootfs ? json_get_strv(rootfs, "diff_ids") : NULL;
	if (!diff_ids || strv_len(diff_ids) != layers->u.array.len)
		return burrow_error(err, EINVAL, "configuration '%s' in %s does not name one diff ID per layer",
		                    str_quote(cfg), what);
	im->m.kind = IMG_MANIFEST_IMAGE;
	im->m.media_type = xstrdup(IMG_MT_DOCKER_MANIFEST);
	im->m.config.digest = xasprintf("sha256:%s", hex);
	im->m.config.size = (long long)im->config_len;
	im->m.nlayers = layers->u.array.len;
	im->m.layers = xcalloc(im->m.nlayers ? im->m.nlayers : 1, sizeof(*im->m.layers));
	im->paths = xcalloc(im->m.nlayers + 1, sizeof(char *));
	im->verify = xcalloc(im->m.nlayers ? im->m.nlayers : 1, sizeof(bool));
	for (size_t i = 0; i < im->m.nlayers; i++) {
		yajl_val l = layers->u.array.values[i];
		if (!YAJL_IS_STRING(l))
			return burrow_error(err, EINVAL, "manifest.json of %s: a layer is not a file name", what);
		const char *path = YAJL_GET_STRING(l);
		struct img_member mem;
		if (img_members_open(a, path, &mem, err) < 0)
			return -1;
		img_member_close(&mem);
		if (!img_digest_valid(diff_ids[i]))
			return burrow_error(err, EINVAL, "configuration '%s' in %s: diff ID %zu is not a digest",
			                    str_quote(cfg), what, i + 1);
		im->paths[i] = xstrdup(path);
		/* blobs/sha256/HEX is its own digest; a legacy ID/layer.tar is
		 * checked by its diff ID alone */
		im->verify[i] = str_has_prefix(path, "blobs/sha256/") && name_digest(path, want);
		im->m.layers[i].digest = xstrdup(im->verify[i] ? want : diff_ids[i]);
		im->m.layers[i].size = mem.size;
		im->m.layers[i].media_type = xstrdup(LAYER_TAR);
	}
	im->names = xcalloc(1, sizeof(char *));
	yajl_val tags = json_get(e, "RepoTags");
	for (size_t i = 0; tags && YAJL_IS_ARRAY(tags) && i < tags->u.array.len; i++) {
		yajl_val t = tags->u.array.values[i];
		char *n = YAJL_IS_STRING(t) ? docker_name(YAJL_GET_STRING(t), err) : NULL;
		if (!n)
			return burrow_error_wrap(err, "manifest.json of %s: RepoTags", what);
		if (!strv_contains(im->names, n))
			strv_append(&im->names, n);
		free(n);
	}
	return 0;
}

static int docker_archive(const struct img_members *a, const char *text, struct image **out, size_t *n,
                          struct burrow_err **err)
{
	cleanup_err struct burrow_err *pe = NULL;
	cleanup_yajl yajl_val v = json_parse(text, &pe);
	if (!v || !YAJL_IS_ARRAY(v) || v->u.array.len == 0 || v->u.array.len > MAX_IMAGES)
		return burrow_error(err, EINVAL, "manifest.json of %s is not a list of images", img_members_what(a));
	*out = xcalloc(v->u.array.len, sizeof(**out));
	for (size_t k = 0; k < v->u.array.len; k++) {
		(*n)++;
		if (docker_image(a, v->u.array.values[k], k, &(*out)[k], err) < 0)
			return -1;
	}
	return 0;
}

/* --- OCI layouts, and docker "dir" copies ----------------------------------------- */

static char *blob_path(const char *digest, bool oci)
{
	return oci ? xasprintf("blobs/sha256/%s", digest + 7) : xstrdup(digest + 7);
}

/* A blob in memory, checked against its descriptor. */
static int read_blob(const struct img_members *a, const struct img_descriptor *d, bool oci, char **out, size_t *len,
                     struct burrow_err **err)
{
	cleanup_free char *path = blob_path(d->digest, oci);
	if (img_members_slurp(a, path, DOC_MAX, d->digest, out, len, err) < 0)
		return -1;
	if ((long long)*len != d->size) {
		free(steal_ptr(*out));
		return burrow_error(err, EINVAL, "'%s' in %s is %zu bytes, not %lld", path, img_members_what(a), *len,
		                    d->size);
	}
	return 0;
}

/* One image from its manifest (desc; an index picks this machine's). */
static int oci_image(const struct img_members *a, const struct img_descriptor *desc, bool oci, struct image *im,
                     struct burrow_err **err)
{
	const char *what = img_members_what(a);
	size_t len = 0;
	if (read_blob(a, desc, oci, &im->manifest, &len, err) < 0)
		return -1;
	snprintf(im->digest, sizeof(im->digest), "%s", desc->digest);
	if (img_manifest_parse(im->manifest, len, desc->media_type, &im->m, err) < 0)
		return burrow_error_wrap(err, "manifest %s in %s", desc->digest, what);
	if (im->m.kind == IMG_MANIFEST_INDEX) {
		__attribute__((cleanup(img_platform_clear))) struct img_platform pc = {0};
		size_t which = 0;
		if (img_platform_init(NULL, NULL, NULL, NULL, &pc, err) < 0 ||
		    img_manifest_select(&im->m, &pc, &which, err) < 0)
			return burrow_error_wrap(err, "%s", what);
		struct img_descriptor inner = im->m.manifests[which];
		inner.digest = xstrdup(inner.digest);
		inner.media_type = inner.media_type ? xstrdup(inner.media_type) : NULL;
		img_manifest_clear(&im->m);
		free(steal_ptr(im->manifest));
		int r = read_blob(a, &inner, oci, &im->manifest, &len, err);
		if (r == 0)
			snprintf(im->digest, sizeof(im->digest), "%s", inner.digest);
		if (r == 0 && img_manifest_parse(im->manifest, len, inner.media_type, &im->m, err) < 0)
			r = burrow_error_wrap(err, "manifest %s in %s", inner.digest, what);
		free(inner.digest);
		free(inner.media_type);
		if (r < 0)
			return -1;
		if (im->m.kind != IMG_MANIFEST_IMAGE)
			return burrow_error(err, EINVAL, "%s has an index inside an index", what);
	}
	if (read_blob(a, &im->m.config, oci, &im->config, &im->config_len, err) < 0)
		return -1;
	im->paths = xcalloc(im->m.nlayers + 1, sizeof(char *));
	im->verify = xcalloc(im->m.nlayers ? im->m.nlayers : 1, sizeof(bool));
	for (size_t i = 0; i < im->m.nlayers; i++) {
		im->paths[i] = blob_path(im->m.layers[i].digest, oci);
		im->verify[i] = true;
		struct img_member mem;
		if (img_members_open(a, im->paths[i], &mem, err) < 0)
			return -1;
		img_member_close(&mem);
	}
	im->names = xcalloc(1, sizeof(char *));
	return 0;
}

/* The name an index entry's annotations give, as podman names it: the
 * containerd image name, else ref.name, normalised with "localhost/" for a
 * name without a registry and ":latest" for one without a tag; so a bare
 * tag ("latest", as `skopeo copy ... oci:DIR:latest` writes) is
 * localhost/latest:latest, as podman load makes it. Not a valid reference,
 * or a digest: no name (the image is known by its ID). */
static char *ref_name(yajl_val entry)
{
	yajl_val ann = json_get(entry, "annotations");
	const char *s = ann ? json_get_str(ann, CONTAINERD_NAME) : NULL;
	if (!s || !*s)
		s = ann ? json_get_str(ann, REF_NAME) : NULL;
	if (!s || !*s)
		return NULL;
	cleanup_err struct burrow_err *e = NULL;
	char *n = img_ref_normalize_str(s, &e);
	if (n && strchr(n, '@')) {
		free(n);
		return NULL;
	}
	return n;
}

static int oci_layout(const struct img_members *a, const char *text, struct image **out, size_t *n,
                      struct burrow_err **err)
{
	const char *what = img_members_what(a);
	if (!img_members_exists(a, "oci-layout"))
		return burrow_error(err, EINVAL, "%s has index.json but no oci-layout: not an OCI layout", what);
	__attribute__((cleanup(img_manifest_clear))) struct img_manifest idx = {0};
	if (img_manifest_parse(text, strlen(text), NULL, &idx, err) < 0 || idx.kind != IMG_MANIFEST_INDEX) {
		if (idx.kind != IMG_MANIFEST_INDEX && !*err)
			burrow_error(err, EINVAL, "it is not an index");
		return burrow_error_wrap(err, "index.json of %s", what);
	}
	if (idx.nmanifests == 0)
		return burrow_error(err, EINVAL, "index.json of %s names no image", what);
	cleanup_err struct burrow_err *pe = NULL;
	cleanup_yajl yajl_val v = json_parse(text, &pe);
	yajl_val list = v ? json_get(v, "manifests") : NULL;
	*out = xcalloc(idx.nmanifests, sizeof(**out));
	for (size_t k = 0; k < idx.nmanifests; k++) {
		(*n)++;
		if (oci_image(a, &idx.manifests[k], true, &(*out)[k], err) < 0)
			return -1;
		yajl_val entry = list && k < list->u.array.len ? list->u.array.values[k] : NULL;
		yajl_val ann = entry ? json_get(entry, "annotations") : NULL;
		const char *raw = ann ? json_get_str(ann, REF_NAME) : NULL;
		(*out)[k].refname = raw ? xstrdup(raw) : NULL;
		char *name = entry ? ref_name(entry) : NULL;
		if (name)
			strv_append_take(&(*out)[k].names, name);
	}
	return 0;
}

static int dir_copy(const struct img_members *a, const char *text, size_t len, struct image **out, size_t *n,
                    struct burrow_err **err)
{
	char hex[65];
	if (img_sha256_hex(text, len, hex, err) < 0)
		return -1;
	cleanup_err struct burrow_err *pe = NULL;
	cleanup_yajl yajl_val v = json_parse(text, &pe);
	struct img_descriptor d = {
	    .digest = xasprintf("sha256:%s", hex),
	    .size = (long long)len,
	    .media_type = v && json_get_str(v, "mediaType") ? xstrdup(json_get_str(v, "mediaType")) : NULL};
	*out = xcalloc(1, sizeof(**out));
	*n = 1;
	/* the manifest is manifest.json, not a blob of its own */
	struct image *im = *out;
	im->manifest = xstrdup(text);
	snprintf(im->digest, sizeof(im->digest), "%s", d.digest);
	int r = img_manifest_parse(text, len, d.media_type, &im->m, err);
	free(d.digest);
	free(d.media_type);
	if (r < 0)
		return burrow_error_wrap(err, "manifest.json of %s", img_members_what(a));
	if (im->m.kind != IMG_MANIFEST_IMAGE)
		return burrow_error(err, EINVAL, "manifest.json of %s is an index", img_members_what(a));
	if (read_blob(a, &im->m.config, false, &im->config, &im->config_len, err) < 0)
		return -1;
	im->paths = xcalloc(im->m.nlayers + 1, sizeof(char *));
	im->verify = xcalloc(im->m.nlayers ? im->m.nlayers : 1, sizeof(bool));
	for (size_t i = 0; i < im->m.nlayers; i++) {
		im->paths[i] = blob_path(im->m.layers[i].digest, false);
		im->verify[i] = true;
	}
	im->names = xcalloc(1, sizeof(char *));
	return 0;
}

/* Reads the archive's documents: every image it holds, checked. */
static int parse_archive(const struct img_members *a, struct image **out, size_t *n, struct burrow_err **err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (img_members_exists(a, "manifest.json")) {
		if (img_members_slurp(a, "manifest.json", DOC_MAX, NULL, &text, &len, err) < 0)
			return -1;
		if (memchr(text, '\0', len))
			return burrow_error(err, EINVAL, "manifest.json of %s is not JSON", img_members_what(a));
		const char *p = text + strspn(text, " \t\r\n");
		return *p == '[' ? docker_archive(a, text, out, n, err) : dir_copy(a, text, len, out, n, err);
	}
	if (img_members_exists(a, "index.json")) {
		if (img_members_slurp(a, "index.json", DOC_MAX, NULL, &text, &len, err) < 0)
			return -1;
		if (memchr(text, '\0', len))
			return burrow_error(err, EINVAL, "index.json of %s is not JSON", img_members_what(a));
		return oci_layout(a, text, out, n, err);
	}
	burrow_error(err, EINVAL,
	             "%s is neither a docker-archive nor an oci-archive: it has no manifest.json or "
	             "index.json",
	             img_members_what(a));
	return burrow_error_hint(err, "'burrow import' makes an image of a root filesystem tarball");
}

/* --- the input ------------------------------------------------------------------------ */

static bool compressed(const unsigned char *b, size_t n)
{
	return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) || (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4)) ||
	       (n >= 6 && !memcmp(b,
	                          "\xfd"
	                          "7zXZ\0",
	                          6)) ||
	       (n >= 3 && !memcmp(b, "BZh", 3));
}

/* The archive decompressed (or copied off a pipe) into an unnamed file in dir. */
static int spool(int fd, int dirfd, const char *what, int *out, struct burrow_err **err)
{
	int t = img_layers_tmpfile(dirfd, err);
	if (t < 0)
		return -1;
	struct img_decomp *dc = img_decomp_open(img_read_fd, &fd, err);
	cleanup_free char *buf = xmalloc(256 * 1024);
	int r = dc ? 0 : -1;
	while (r == 0) {
		ssize_t n = img_decomp_read(dc, buf, 256 * 1024, err);
		if (n < 0)
			r = -1;
		if (n <= 0)
			break;
		if (write_all(t, buf, (size_t)n) < 0)
			r = burrow_error(err, errno, "cannot write a temporary file in the layer store");
	}
	img_decomp_free(dc);
	if (r < 0) {
		close(t);
		return burrow_error_wrap(err, "cannot read %s", what);
	}
	*out = t;
	return 0;
}

/* Refuses an archive of several images when one must be chosen and was
 * not, naming the choices (its ref.name or first tag, else @N). */
static int refuse_several(const struct image *imgs, size_t n, const char *what, const char *pulled_as,
                          struct burrow_err **err)
{
	char *list = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *at = xasprintf("@%zu", i);
		const char *name = imgs[i].refname ? imgs[i].refname : imgs[i].names[0] ? imgs[i].names[0] : at;
		char *l = xasprintf("%s%s%s", list, i ? ", " : "", str_quote(name));
		free(list);
		list = l;
	}
	burrow_error_status(err, EINVAL, "%s holds %zu images and none was chosen: %s", what, n, list);
	free(list);
	if (pulled_as)
		return burrow_error_hint(err, "name one after the path: '%s:NAME', or '%s:@N' for the Nth from 0",
		                         str_quote(pulled_as), str_quote(pulled_as));
	return burrow_error_hint(err, "pull one of them instead: burrow pull oci-archive:FILE:NAME (or oci:DIR:NAME)");
}

/* Marks every image but the one sel names to be skipped. */
static int select_image(struct image *imgs, size_t n, const char *sel, const char *what, struct burrow_err **err)
{
	char *end = NULL;
	size_t want = n;
	if (sel[0] == '@') {
		unsigned long k = strtoul(sel + 1, &end, 10);
		if (end == sel + 1 || *end || k >= n)
			return burrow_error(err, ENOENT, "%s has no image %s (it has %zu)", what, sel, n);
		want = (size_t)k;
	} else {
		cleanup_err struct burrow_err *e = NULL;
		cleanup_free char *norm = img_ref_normalize_str(sel, &e);
		cleanup_free char *dock = docker_name(sel, &e);
		for (size_t i = 0; i < n && want == n; i++) {
			if (imgs[i].refname && strcmp(imgs[i].refname, sel) == 0)
				want = i;
			for (size_t k = 0; imgs[i].names[k] && want == n; k++)
				if ((norm && strcmp(imgs[i].names[k], norm) == 0) ||
				    (dock && strcmp(imgs[i].names[k], dock) == 0))
					want = i;
		}
		if (want == n)
			return burrow_error(err, ENOENT, "%s has no image '%s'", what, str_quote(sel));
	}
	for (size_t i = 0; i < n; i++)
		imgs[i].skip = i != want;
	return 0;
}

/* An OCI layout directory's image is named after the path as given, as
 * podman names it whether pulled (oci:DIR[:REF]) or loaded (load -i DIR):
 * "localhost/" and the path without its leading '/', tagged latest; its
 * ref.name annotations only choose the image. "Loaded image:" shows that
 * name without the tag, as podman load prints it. A path that makes no
 * valid name ("./x", "x/", uppercase) is refused, as podman refuses it. */
static int name_by_path(struct image *imgs, size_t n, const char *path, struct burrow_err **err)
{
	cleanup_free char *raw = xasprintf("localhost/%s", path + strspn(path, "/"));
	cleanup_err struct burrow_err *e = NULL;
	char *name = img_ref_normalize_str(raw, &e);
	if (!name || strchr(name, '@')) {
		free(name);
		burrow_error_status(err, EINVAL, "the image of an OCI layout directory is named after its path: %s",
		                    e ? e->msg : "not a valid image name");
		return burrow_error_hint(err,
		                         "name it by a plain lowercase relative path (oci:x, not oci:./x/ or oci:X), "
		                         "or load it as an archive: tar -C DIR -c . | burrow load");
	}
	for (size_t i = 0; i < n; i++) {
		if (imgs[i].skip)
			continue;
		strv_free(imgs[i].names);
		imgs[i].names = xcalloc(2, sizeof(char *));
		imgs[i].names[0] = xstrdup(name);
		free(imgs[i].shown);
		imgs[i].shown = xstrdup(raw);
	}
	free(name);
	return 0;
}

int img_load(struct state_store *s, const struct img_load_opts *o, char ***loaded, char ***ids, struct burrow_err **err)
{
	bool stdin_ = strcmp(o->input, "-") == 0;
	cleanup_free char *what = stdin_ ? xstrdup("standard input") : xasprintf("'%s'", str_quote(o->input));
	cleanup_close int own = -1, spooled = -1;
	int fd = STDIN_FILENO;
	if (!stdin_) {
		own = open(o->input, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (own < 0)
			return burrow_error(err, errno, "cannot open %s", what);
		fd = own;
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return burrow_error(err, errno, "cannot stat %s", what);
	cleanup_close int layersfd = -1;
	if (img_layers_open(s, &layersfd, err) < 0)
		return -1;
	struct img_members *a = NULL;
	if (S_ISDIR(sb.st_mode)) {
		if (img_members_open_dir(fd, what, &a, err) < 0)
			return -1;
	} else {
		unsigned char magic[6] = {0};
		ssize_t m = S_ISREG(sb.st_mode) ? pread(fd, magic, sizeof(magic), 0) : -1;
		if (m < 0 || compressed(magic, (size_t)m)) {
			if (spool(fd, layersfd, what, &spooled, err) < 0)
				return -1;
			fd = spooled;
		}
		if (img_members_open_tar(fd, what, &a, err) < 0)
			return -1;
	}

	struct image *imgs = NULL;
	size_t n = 0;
	int rc = parse_archive(a, &imgs, &n, err);
	if (rc == 0 && o->select)
		rc = select_image(imgs, n, o->select, what, err);
	/* an OCI index of several images names no one to load, as podman
	 * says; a docker-archive of several is loaded whole (docker load) */
	else if (rc == 0 && n > 1 && (o->pulled_as || !img_members_exists(a, "manifest.json")))
		rc = refuse_several(imgs, n, what, o->pulled_as, err);
	if (rc == 0 && S_ISDIR(sb.st_mode) && !img_members_exists(a, "manifest.json"))
		rc = name_by_path(imgs, n, o->input, err);
	cleanup_free char **names = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct image *im = &imgs[i];
		if (im->skip)
			continue;
		im->a = a;
		im->src = (struct img_blob_source){.open = blob_open, .close = blob_close, .data = im};
		names[i] = im->names[0] ? xstrdup(im->names[0]) : xasprintf("image %zu", i + 1);
		im->fo = (struct img_fetch_opts){
		    .name = names[i], .progress = o->progress, .progress_data = o->progress_data};
		rc = img_fetch_layers(s, &im->src, &im->m, im->config, im->config_len, &im->fo, &im->f, err);
		if (rc < 0)
			burrow_error_wrap(err, "%s", names[i]);
	}
	*loaded = xcalloc(1, sizeof(char *));
	if (ids)
		*ids = xcalloc(1, sizeof(char *));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct image *im = &imgs[i];
		if (im->skip)
			continue;
		cleanup_strv char **rd = xcalloc(1, sizeof(char *));
		for (size_t k = 0; im->manifest && im->names[k]; k++) {
			struct img_ref r;
			if (img_ref_parse(im->names[k], &r, NULL) == 0) {
				cleanup_free char *repo = img_ref_repo(&r);
				strv_append_take(&rd, xasprintf("%s@%s", repo, im->digest));
				img_ref_clear(&r);
			}
		}
		/* a docker-archive has no manifest: its image is of the type
		 * its own would be, Docker v2s2 (podman 4.3's, which push keeps) */
		struct img_fetch_image fi = {.manifest = im->manifest,
		                             .manifest_type = im->m.media_type,
		                             .digest = im->manifest ? im->digest : NULL,
		                             .repo_digests = rd,
		                             .references = im->names};
		rc = img_fetch_store(im->f, &fi, err);
		if (rc < 0)
			break;
		im->stored = true;
		if (ids)
			strv_append(ids, img_fetch_id(im->f));
		if (im->shown)
			strv_append(loaded, im->shown);
		else if (!im->names[0])
			strv_append_take(loaded, xasprintf("sha256:%s", img_fetch_id(im->f)));
		for (size_t k = 0; !im->shown && im->names[k]; k++)
			strv_append(loaded, im->names[k]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	/* the last first: a later image may use a layer an earlier one placed,
	 * which that one can only take away again (after a failure) once the
	 * later one lets go of it */
	for (size_t i = n; i-- > 0;)
		image_free(&imgs[i]);
	free(imgs);
	img_members_free(a);
	if (rc < 0) {
		strv_free(steal_ptr(*loaded));
		if (ids)
			strv_free(steal_ptr(*ids));
		return burrow_error_wrap(err, "cannot load %s", what);
	}
	return 0;
}
