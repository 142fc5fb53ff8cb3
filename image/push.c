/* burrow push: an image from the store to a registry (OCI distribution /
 * Docker registry v2), or to an archive or layout (oci:, oci-archive:,
 * docker-archive:, dir:, written by save.c).
 *
 * Each layer is written as the tar it was unpacked from (tarsplit.c),
 * gzip-compressed the same way every time, into an unnamed file beside the
 * layers while its digest is computed; a blob the registry has already
 * (HEAD) is not sent again, so a second push of the same image sends no
 * layer. A layer that was pulled is first offered as the blob it was
 * pulled as: one the destination has, or mounts from the repository it
 * came from (the same registry), is not sent at all. Then the configuration (byte for byte: the image ID stays) and the
 * manifest, whose digest a pull of the pushed name gets. The registry side
 * is the pull's: registries.conf's insecure setting, certs.d, auth.json and
 * --creds, bearer tokens (asked for with the push scope), retries. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

#define DEFAULT_TIMEOUT_S 30
#define DEFAULT_RETRIES 3
#define SMALL (64 * 1024)

#define note(o, ...) img_note((o)->progress, (o)->progress_data, __VA_ARGS__)

struct dest {
	struct img_registry *reg;
	char *repo; /* at the registry: "library/busybox" */
	const struct img_push_opts *o;
};

static int want_status(struct dest *d, struct img_http_resp *resp, long want, const char *what, struct burrow_err **err)
{
	if (resp->status == want)
		return 0;
	return img_registry_status_error(d->reg, resp, what, err);
}

/* A layer's upload as pull shows a download: one line per blob, its
 * bytes sent of its size (redrawn in place on a terminal; a plain line
 * when it is done otherwise). Blobs are sent one at a time. */
struct blob_view {
	const struct img_push_opts *o;
	const char *digest;
	long long total;
	int64_t last_ms;
};

static void blob_report(const struct blob_view *v, long long done, enum img_layer_state state,
                        enum img_progress_kind kind)
{
	struct img_progress_layer l = {.digest = v->digest, .done = done, .total = v->total, .state = state};
	struct img_progress p = {.kind = kind, .layers = &l, .nlayers = 1};
	v->o->progress(&p, v->o->progress_data);
}

/* http.c calls it as bytes go: about 10 reports a second */
static void blob_tick(void *data, long long done)
{
	struct blob_view *v = data;
	int64_t now = now_ms();
	if (now - v->last_ms < 100 && done < v->total)
		return;
	v->last_ms = now;
	blob_report(v, done, IMG_LAYER_FETCHING, IMG_PROGRESS_LAYERS);
}

/* Sends a blob unless the registry has it. */
static int upload_blob(struct dest *d, const char *digest, struct img_http_body *body, const char *kind,
                       struct burrow_err **err)
{
	struct blob_view view = {.o = d->o, .digest = digest, .total = body->size};
	bool show = d->o->progress && strcmp(kind, "blob") == 0;
	cleanup_free char *path = xasprintf("blobs/%s", digest);
	__attribute__((cleanup(img_http_resp_clear))) struct img_http_resp resp = {0};
	if (img_registry_send(d->reg, "HEAD", d->repo, path, NULL, NULL, SMALL, &resp, err) < 0)
		return -1;
	if (resp.status == 200) {
		note(d->o, "Copying %s %.12s skipped: already exists", kind, digest + 7);
		return 0;
	}
	img_http_resp_clear(&resp);
	if (img_registry_send(d->reg, "POST", d->repo, "blobs/uploads/", NULL, NULL, SMALL, &resp, err) < 0)
		return -1;
	if (want_status(d, &resp, 202, "starting an upload", err) < 0)
		return -1;
	if (!resp.location || !*resp.location)
		return burrow_error(err, EPROTO, "%s answered an upload without a Location", img_registry_host(d->reg));
	cleanup_free char *loc =
	    xasprintf("%s%sdigest=sha256%%3A%s", resp.location, strchr(resp.location, '?') ? "&" : "?", digest + 7);
	img_http_resp_clear(&resp);
	char *const hdrs[] = {(char *)"Content-Type: application/octet-stream", NULL};
	if (show) {
		body->tick = blob_tick;
		body->tick_data = &view;
		blob_report(&view, 0, IMG_LAYER_FETCHING, IMG_PROGRESS_LAYERS);
	}
	int r = img_registry_send(d->reg, "PUT", d->repo, loc, hdrs, body, SMALL, &resp, err);
	body->tick = NULL;
	if (r == 0)
		r = want_status(d, &resp, 201, "uploading a blob", err);
	if (show) /* the line is finished either way: what comes next starts below it */
		blob_report(&view, r == 0 ? body->size : view.total, r == 0 ? IMG_LAYER_DONE : IMG_LAYER_FETCHING,
		            IMG_PROGRESS_LAYERS_END);
	if (r < 0)
		return -1;
	if (!show)
		note(d->o, "Copying %s %.12s done", kind, digest + 7);
	return 0;
}

/* What a pulled blob's media type is called in the format pushed (NULL:
 * it has no name there). */
static const char *reuse_type(const char *mt, bool oci)
{
	static const char *const types[][2] = {
	    {"application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip"},
	    {"application/vnd.oci.image.layer.v1.tar", "application/vnd.docker.image.rootfs.diff.tar"},
	    {"application/vnd.oci.image.layer.v1.tar+zstd", NULL},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((types[i][0] && strcmp(mt, types[i][0]) == 0) || (types[i][1] && strcmp(mt, types[i][1]) == 0))
			return types[i][oci ? 0 : 1];
	return NULL;
}

/* A layer pulled from a registry as a blob the destination has, or can
 * mount from the repository it was pulled from (the same registry): used
 * as it is, nothing sent. 1 reused, 0 not. */
static int reuse_layer(struct dest *d, struct img_out_layer *l, bool oci, const char *host, char *const *repo_digests,
                       struct burrow_err **err)
{
	const char *mt = l->src_digest ? reuse_type(l->src_media_type, oci) : NULL;
	if (!mt)
		return 0;
	cleanup_free char *path = xasprintf("blobs/%s", l->src_digest);
	__attribute__((cleanup(img_http_resp_clear))) struct img_http_resp resp = {0};
	if (img_registry_send(d->reg, "HEAD", d->repo, path, NULL, NULL, SMALL, &resp, err) < 0)
		return -1;
	bool have = resp.status == 200;
	const char *how = "already exists";
	cleanup_free char *from = NULL;
	for (size_t i = 0; !have && repo_digests && repo_digests[i]; i++) {
		const char *rd = repo_digests[i];
		size_t hl = strlen(host);
		const char *at = strchr(rd, '@');
		if (strncmp(rd, host, hl) != 0 || rd[hl] != '/' || !at || (size_t)(at - rd) <= hl + 1)
			continue;
		free(from);
		from = xstrndup(rd + hl + 1, (size_t)(at - rd - hl - 1));
		if (strcmp(from, d->repo) == 0)
			continue;
		cleanup_free char *mount =
		    xasprintf("blobs/uploads/?mount=sha256%%3A%s&from=%s", l->src_digest + 7, from);
		img_http_resp_clear(&resp);
		if (img_registry_send(d->reg, "POST", d->repo, mount, NULL, NULL, SMALL, &resp, err) < 0)
			return -1;
		have = resp.status == 201;
		how = "mounted";
	}
	if (!have)
		return 0;
	note(d->o, "Copying blob %.12s skipped: %s", l->src_digest + 7, how);
	l->digest = xstrdup(l->src_digest);
	l->bsize = l->src_size;
	l->media_type = xstrdup(mt);
	return 1;
}

/* A layer: compressed into an unnamed file (its digest learned), then sent. */
static int push_layer(struct dest *d, int layersfd, struct img_out_layer *l, struct burrow_err **err)
{
	cleanup_close int fd = img_layers_tmpfile(layersfd, err);
	if (fd < 0)
		return -1;
	struct img_sha *sha = img_sha_new(err);
	if (!sha)
		return -1;
	struct img_tee tee = {.write = img_write_fd, .ctx = &fd, .sha = sha};
	char digest[72];
	int r = img_out_gzip_layer(layersfd, l, img_tee_write, &tee, err);
	if (r == 0)
		r = img_sha_final(sha, digest, err);
	img_sha_free(sha);
	if (r < 0)
		return -1;
	l->digest = xstrdup(digest);
	l->bsize = tee.bytes;
	struct img_http_body body = {.fd = fd, .off = 0, .size = tee.bytes};
	return upload_blob(d, digest, &body, "blob", err);
}

static int push_registry(struct state_store *s, const struct img_push_opts *o, const char *image_id, const char *name,
                         char **digest, struct burrow_err **err)
{
	struct img_ref ref;
	if (img_ref_parse(name, &ref, err) < 0)
		return -1;
	if (ref.digest) {
		img_ref_clear(&ref);
		return burrow_error(err, EINVAL, "'%s': push to a tag, not a digest", str_quote(name));
	}
	cleanup_free char *full = img_ref_repo(&ref); /* docker.io/library/x */
	cleanup_free char *tag = xstrdup(ref.tag ? ref.tag : "latest");
	img_ref_clear(&ref);
	char *slash = strchr(full, '/');
	cleanup_free char *host = xstrndup(full, (size_t)(slash - full));
	cleanup_free char *repo = xstrdup(slash + 1);
	struct dest d = {.repo = repo, .o = o};

	__attribute__((cleanup(img_registries_clear))) struct img_registries regs = {0};
	if (img_registries_load(&regs, err) < 0)
		return -1;
	const struct img_regconf *rc = img_registries_find(&regs, full);
	if (rc && rc->blocked)
		return burrow_error_status(err, EACCES, "registry %s is blocked in %s", host, rc->source);
	bool insecure = o->tls_verify >= 0 ? o->tls_verify == 0 : (rc && rc->insecure);
	for (size_t i = 0; o->tls_verify < 0 && o->insecure && o->insecure[i]; i++)
		if (strcmp(o->insecure[i], host) == 0)
			insecure = true;
	struct img_net net = {.timeout_s = o->timeout_s > 0 ? o->timeout_s : DEFAULT_TIMEOUT_S,
	                      .retries = o->retries >= 0 ? o->retries : DEFAULT_RETRIES,
	                      .retry_delay_ms = o->retry_delay_ms};
	cleanup_free char *auth_name = xasprintf("%s/%s", host, d.repo);
	struct img_registry_opts ro = {.host = host,
	                               .insecure = insecure,
	                               .cert_dir = o->cert_dir,
	                               .net = &net,
	                               .user = o->user,
	                               .pass = o->pass,
	                               .authfile = o->authfile,
	                               .auth_name = auth_name,
	                               .push = true};
	if (img_registry_open(&ro, &d.reg, err) < 0)
		return -1;
	cleanup_close int layersfd = -1;
	__attribute__((cleanup(img_out_clear))) struct img_out im = {0};
	int r = img_layers_open(s, &layersfd, err);
	if (r == 0)
		r = img_out_load(s, layersfd, image_id, &im, err);
	if (r == 0)
		note(o, "Getting image source signatures");
	bool oci = o->format ? strcmp(o->format, "oci") == 0 : !im.docker;
	for (size_t i = 0; r == 0 && i < im.nlayers; i++) {
		int reused = reuse_layer(&d, &im.layers[i], oci, host, im.repo_digests, err);
		if (reused == 0)
			reused = push_layer(&d, layersfd, &im.layers[i], err);
		if ((r = reused < 0 ? -1 : 0) < 0)
			burrow_error_wrap(err, "layer %.12s", im.layers[i].chain_id);
	}
	if (r == 0) {
		cleanup_free char *cd = xasprintf("sha256:%s", im.id);
		struct img_http_body cb = {.data = im.config, .size = (long long)strlen(im.config)};
		r = upload_blob(&d, cd, &cb, "config", err);
	}
	if (r == 0)
		r = img_out_manifest(&im, oci, true, err);
	if (r == 0) {
		note(o, "Writing manifest to image destination");
		cleanup_free char *path = xasprintf("manifests/%s", tag);
		cleanup_free char *ct =
		    xasprintf("Content-Type: %s", oci ? IMG_MT_OCI_MANIFEST : IMG_MT_DOCKER_MANIFEST);
		char *const hdrs[] = {ct, NULL};
		struct img_http_body mb = {.data = im.out_manifest, .size = (long long)strlen(im.out_manifest)};
		__attribute__((cleanup(img_http_resp_clear))) struct img_http_resp resp = {0};
		r = img_registry_send(d.reg, "PUT", d.repo, path, hdrs, &mb, SMALL, &resp, err);
		if (r == 0)
			r = want_status(&d, &resp, 201, "writing the manifest", err);
	}
	img_registry_free(d.reg);
	if (r < 0)
		return burrow_error_wrap(err, "cannot push to '%s/%s:%s'", host, d.repo, tag);
	*digest = xstrdup(im.out_digest);
	return 0;
}

int img_push(struct state_store *s, const struct img_push_opts *o, char **digest, struct burrow_err **err)
{
	*digest = NULL;
	__attribute__((cleanup(img_transport_clear))) struct img_transport t = {0};
	if (o->dest && img_transport_parse(o->dest, &t, err) < 0)
		return -1;
	if (o->format && strcmp(o->format, "oci") != 0 && strcmp(o->format, "v2s2") != 0 &&
	    strcmp(o->format, "docker") != 0)
		return burrow_error(err, EINVAL, "unknown manifest format '%s': oci, v2s2 or docker",
		                    str_quote(o->format));
	struct img_info *info = NULL;
	if (img_lookup(s, o->image, &info, err) < 0)
		return burrow_error_wrap(err, "cannot push");
	cleanup_free char *id = xstrdup(info->id);
	/* without a destination: the name it was given (a full one) */
	cleanup_free char *name = NULL;
	if (!o->dest) {
		cleanup_free char *norm = img_ref_normalize_str(o->image, NULL);
		for (size_t i = 0; info->names[i] && !name; i++)
			if (norm && strcmp(info->names[i], norm) == 0)
				name = xstrdup(norm);
		if (!name && info->names[0])
			name = xstrdup(info->names[0]);
	}
	img_info_free(info);
	if (!o->dest && !name)
		return burrow_error(err, EINVAL, "image '%s' has no name to push to: give a destination",
		                    str_quote(o->image));
	if (!o->dest || t.kind == IMG_TRANSPORT_REGISTRY)
		return push_registry(s, o, id, o->dest ? t.ref : name, digest, err);

	/* an archive or layout: what save writes */
	static const enum img_save_format formats[] = {
	    [IMG_TRANSPORT_OCI] = IMG_SAVE_OCI_DIR,
	    [IMG_TRANSPORT_OCI_ARCHIVE] = IMG_SAVE_OCI_ARCHIVE,
	    [IMG_TRANSPORT_DOCKER_ARCHIVE] = IMG_SAVE_DOCKER_ARCHIVE,
	    [IMG_TRANSPORT_DIR] = IMG_SAVE_DOCKER_DIR,
	};
	char *images[] = {id, t.ref, NULL};
	/* dir:'s manifest: --format's, else the image's type (podman 4.3's) */
	enum img_dir_manifest dm = !o->format                      ? IMG_DIR_MANIFEST_IMAGE
	                           : strcmp(o->format, "oci") == 0 ? IMG_DIR_MANIFEST_OCI
	                                                           : IMG_DIR_MANIFEST_DOCKER;
	struct img_save_opts so = {.format = formats[t.kind],
	                           .dir_manifest = dm,
	                           .images = images,
	                           .output = t.path,
	                           .fd = -1,
	                           .compress = o->compress && t.kind == IMG_TRANSPORT_DIR};
	if (img_save(s, &so, err) < 0)
		return burrow_error_wrap(err, "cannot push to '%s'", str_quote(o->dest));
	return 0;
}
