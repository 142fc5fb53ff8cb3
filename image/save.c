/* burrow save: images out as a docker-archive (what docker load and podman
 * load read: manifest.json, HEX.json configurations, DIFFID.tar layers),
 * an oci-archive (an OCI layout in a tar), or either layout in a
 * directory (oci-dir; docker-dir, the "dir:" transport's).
 *
 * Every layer is written as the tar it was unpacked from (tarsplit.c), so
 * its digest is its diff ID and the configuration, kept byte for byte,
 * still describes it: the image ID stays. An image's stored manifest is
 * written as it was when it fits what is written (uncompressed layers of
 * those digests), so the manifest digest stays too (a save of a loaded
 * archive gives the same manifest); otherwise a new one is made.
 *
 * A tar is written as a stream (to a file or a pipe): each member's size is
 * known before its data (a layer's from its record). Members are plain
 * ustar entries, mode 0644, owner 0, mtime 0. */
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
#include "state/state.h"

#define BLOCK 512
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define REF_NAME "org.opencontainers.image.ref.name"

/* --- where the files go ------------------------------------------------------------ */

struct out {
	bool dir;
	int fd; /* the tar stream, or the directory */
	long long pos;
	char **done; /* names written */
};

static int out_write(void *ctx, const void *buf, size_t len, struct burrow_err **err)
{
	struct out *o = ctx;
	if (write_all(o->fd, buf, len) < 0)
		return burrow_error(err, errno, "cannot write the archive");
	o->pos += (long long)len;
	return 0;
}

static void put_octal(char *field, size_t len, unsigned long long v)
{
	/* len - 1 digits and a NUL; larger values in base-256 */
	if (len == 12 && v >= 077777777777ULL) {
		memset(field, 0, len);
		field[0] = (char)0x80;
		for (size_t i = len; i-- > 1; v >>= 8)
			field[i] = (char)(v & 0xff);
		return;
	}
	snprintf(field, len, "%0*llo", (int)len - 1, v);
}

static int tar_header(struct out *o, const char *name, char type, long long size, struct burrow_err **err)
{
	char b[BLOCK] = {0};
	if (strlen(name) >= 100)
		return burrow_error(err, ENAMETOOLONG, "member name '%s' is too long", name);
	memcpy(b, name, strlen(name));
	put_octal(b + 100, 8, type == '5' ? 0755 : 0644);
	put_octal(b + 108, 8, 0);
	put_octal(b + 116, 8, 0);
	put_octal(b + 124, 12, (unsigned long long)size);
	put_octal(b + 136, 12, 0);
	b[156] = type;
	memcpy(b + 257, "ustar", 6);
	memcpy(b + 263, "00", 2);
	memset(b + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < BLOCK; i++)
		sum += (unsigned char)b[i];
	snprintf(b + 148, 8, "%06o", sum);
	return out_write(o, b, BLOCK, err);
}

static int tar_pad(struct out *o, struct burrow_err **err)
{
	static const char zero[BLOCK];
	size_t pad = (size_t)((BLOCK - o->pos % BLOCK) % BLOCK);
	return pad ? out_write(o, zero, pad, err) : 0;
}

static int out_mkdir(struct out *o, const char *name, struct burrow_err **err)
{
	if (strv_contains(o->done, name))
		return 0;
	strv_append(&o->done, name);
	if (!o->dir) {
		cleanup_free char *n = xasprintf("%s/", name);
		return tar_header(o, n, '5', 0, err);
	}
	if (mkdirat(o->fd, name, 0755) < 0 && errno != EEXIST)
		return burrow_error(err, errno, "cannot create '%s'", name);
	return 0;
}

/* A file of size bytes that fill() writes through w (NULL fill: the bytes
 * of data). A name written already is not written again. */
typedef int fill_fn(void *data, img_write_fn *w, void *ctx, struct burrow_err **err);
static int out_file(struct out *o, const char *name, long long size, fill_fn *fill, void *data, struct burrow_err **err)
{
	if (strv_contains(o->done, name))
		return 0;
	strv_append(&o->done, name);
	if (!o->dir) {
		if (tar_header(o, name, '0', size, err) < 0)
			return -1;
		long long start = o->pos;
		if (fill ? fill(data, out_write, o, err) < 0 : out_write(o, data, (size_t)size, err) < 0)
			return -1;
		if (o->pos - start != size)
			return burrow_error(err, EIO, "'%s' came out as %lld bytes, not %lld", name, o->pos - start,
			                    size);
		return tar_pad(o, err);
	}
	int fd = openat(o->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create '%s'", name);
	int r = fill ? fill(data, img_write_fd, &fd, err) : img_write_fd(&fd, data, (size_t)size, err);
	if (close(fd) < 0 && r == 0)
		r = burrow_error(err, errno, "cannot write '%s'", name);
	return r;
}

static int out_doc(struct out *o, const char *name, const char *text, struct burrow_err **err)
{
	return out_file(o, name, (long long)strlen(text), NULL, (void *)text, err);
}

/* --- one image --------------------------------------------------------------------- */

void img_out_clear(struct img_out *im)
{
	free(im->id);
	free(im->config);
	free(im->manifest);
	for (size_t i = 0; i < im->nlayers; i++) {
		free(im->layers[i].chain_id);
		free(im->layers[i].diff_id);
		free(im->layers[i].digest);
		free(im->layers[i].media_type);
		free(im->layers[i].src_digest);
		free(im->layers[i].src_media_type);
	}
	free(im->layers);
	strv_free(im->tags);
	strv_free(im->repo_digests);
	free(im->out_manifest);
}

int img_out_load(struct state_store *s, int layersfd, const char *id, struct img_out *im, struct burrow_err **err)
{
	__attribute__((cleanup(img_record_clear))) struct img_record r = {0};
	int rc = img_record_load(s, id, &r, err);
	if (rc != 0)
		return rc < 0 ? -1 : burrow_error(err, ENOENT, "image %.12s not known", id);
	im->id = xstrdup(id);
	if ((rc = img_blob_get(s, "img-config", id, &im->config, err)) != 0)
		return rc < 0 ? -1 : burrow_error(err, ENOENT, "image %.12s has no configuration stored", id);
	if (img_blob_get(s, "img-manifest", id, &im->manifest, err) < 0)
		return -1;
	im->docker = r.manifest_type && strcmp(r.manifest_type, IMG_MT_DOCKER_MANIFEST) == 0;
	im->nlayers = strv_len(r.layer_ids);
	im->layers = xcalloc(im->nlayers ? im->nlayers : 1, sizeof(*im->layers));
	for (size_t i = 0; i < im->nlayers; i++) {
		struct img_out_layer *l = &im->layers[i];
		__attribute__((cleanup(img_layer_record_clear))) struct img_layer_record lr = {0};
		if ((rc = img_layer_get(s, r.layer_ids[i], &lr, err)) != 0 || !lr.diff_id)
			return rc < 0 ? -1
			              : burrow_error(err, ENOENT, "layer %.12s of image %.12s has no record",
			                             r.layer_ids[i], id);
		l->chain_id = xstrdup(r.layer_ids[i]);
		l->diff_id = xstrdup(lr.diff_id);
		if (lr.compressed_digest && lr.media_type && lr.compressed_size > 0) {
			l->src_digest = xstrdup(lr.compressed_digest);
			l->src_media_type = xstrdup(lr.media_type);
			l->src_size = lr.compressed_size;
		}
		if (img_layer_tar_size(layersfd, l->chain_id, &l->size, err) < 0) {
			if (r.names && r.names[0])
				return burrow_error_wrap(err, "cannot save image %.12s (%s)", id, r.names[0]);
			return burrow_error_wrap(err, "cannot save image %.12s", id);
		}
	}
	im->tags = xcalloc(1, sizeof(char *));
	im->repo_digests = strv_dup(r.digests);
	return 0;
}

struct layer_fill {
	int layersfd;
	const struct img_out_layer *l;
};

static int fill_layer(void *data, img_write_fn *w, void *ctx, struct burrow_err **err)
{
	struct layer_fill *f = data;
	return img_layer_tar(f->layersfd, f->l->chain_id, f->l->diff_id, w, ctx, err);
}

int img_out_gzip_layer(int layersfd, const struct img_out_layer *l, img_write_fn *w, void *ctx, struct burrow_err **err)
{
	struct img_gzw *g = img_gzw_new(6, w, ctx, err);
	if (!g)
		return -1;
	int r = img_layer_tar(layersfd, l->chain_id, l->diff_id, img_gzw_write, g, err);
	if (r == 0)
		r = img_gzw_finish(g, err);
	img_gzw_free(g);
	return r;
}

/* A gzip layer into a directory: written under a temporary name, hashed on
 * the way, then named by its digest. */
static int gzip_layer_to_dir(struct out *o, int layersfd, struct img_out_layer *l, const char *prefix,
                             struct burrow_err **err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp-%s", prefix[0] ? "blobs" : "layer", l->chain_id);
	int fd = openat(o->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create '%s'", tmp);
	struct img_sha *sha = img_sha_new(err);
	struct img_tee tee = {.write = img_write_fd, .ctx = &fd, .sha = sha};
	char digest[72];
	int r = sha ? img_out_gzip_layer(layersfd, l, img_tee_write, &tee, err) : -1;
	if (r == 0)
		r = img_sha_final(sha, digest, err);
	img_sha_free(sha);
	if (close(fd) < 0 && r == 0)
		r = burrow_error(err, errno, "cannot write '%s'", tmp);
	cleanup_free char *name = r == 0 ? xasprintf("%s%s", prefix, digest + 7) : NULL;
	if (r == 0 && renameat(o->fd, tmp, o->fd, name) < 0)
		r = burrow_error(err, errno, "cannot name '%s'", name);
	if (r < 0) {
		unlinkat(o->fd, tmp, 0);
		return -1;
	}
	strv_append(&o->done, name);
	l->digest = xstrdup(digest);
	l->bsize = tee.bytes;
	return 0;
}

/* Whether the stored manifest describes exactly what is written. */
static bool manifest_fits(const struct img_out *im, bool oci)
{
	if (!im->manifest)
		return false;
	__attribute__((cleanup(img_manifest_clear))) struct img_manifest m = {0};
	cleanup_err struct burrow_err *e = NULL;
	if (img_manifest_parse(im->manifest, strlen(im->manifest), NULL, &m, &e) < 0 || m.kind != IMG_MANIFEST_IMAGE ||
	    m.nlayers != im->nlayers)
		return false;
	if (strcmp(m.media_type, oci ? IMG_MT_OCI_MANIFEST : IMG_MT_DOCKER_MANIFEST) != 0)
		return false;
	const char *lt = oci ? IMG_MT_OCI_LAYER : IMG_MT_DOCKER_LAYER;
	for (size_t i = 0; i < m.nlayers; i++) {
		const struct img_out_layer *l = &im->layers[i];
		if (strcmp(m.layers[i].digest, l->digest) != 0 || m.layers[i].size != l->bsize ||
		    !m.layers[i].media_type || strcmp(m.layers[i].media_type, lt) != 0)
			return false;
	}
	char hex[65];
	return img_sha256_hex(im->config, strlen(im->config), hex, NULL) == 0 && strcmp(m.config.digest + 7, hex) == 0;
}

static void gen_desc(yajl_gen g, const char *mt, const char *digest, long long size)
{
	jg_map_open(g);
	jg_key_str(g, "mediaType", mt);
	jg_key_str(g, "digest", digest);
	jg_key_int(g, "size", size);
	jg_map_close(g);
}

int img_out_manifest(struct img_out *im, bool oci, bool gz, struct burrow_err **err)
{
	if (!gz && manifest_fits(im, oci)) {
		im->out_manifest = xstrdup(im->manifest);
	} else {
		yajl_gen g = json_gen_new();
		jg_map_open(g);
		jg_key_int(g, "schemaVersion", 2);
		jg_key_str(g, "mediaType", oci ? IMG_MT_OCI_MANIFEST : IMG_MT_DOCKER_MANIFEST);
		jg_key(g, "config");
		cleanup_free char *cd = xasprintf("sha256:%s", im->id);
		gen_desc(g, oci ? MT_OCI_CONFIG : MT_DOCKER_CONFIG, cd, (long long)strlen(im->config));
		jg_key(g, "layers");
		jg_array_open(g);
		const char *lt = oci ? (gz ? IMG_MT_OCI_LAYER "+gzip" : IMG_MT_OCI_LAYER)
		                     : (gz ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : IMG_MT_DOCKER_LAYER);
		for (size_t i = 0; i < im->nlayers; i++)
			gen_desc(g, im->layers[i].media_type ? im->layers[i].media_type : lt, im->layers[i].digest,
			         im->layers[i].bsize);
		jg_array_close(g);
		jg_map_close(g);
		im->out_manifest = json_gen_finish(g);
	}
	char hex[65];
	if (img_sha256_hex(im->out_manifest, strlen(im->out_manifest), hex, err) < 0)
		return -1;
	snprintf(im->out_digest, sizeof(im->out_digest), "sha256:%s", hex);
	return 0;
}

/* --- the formats ---------------------------------------------------------------------- */

static int write_docker_archive(struct out *o, int layersfd, struct img_out *imgs, size_t n, struct burrow_err **err)
{
	yajl_gen g = json_gen_new();
	jg_array_open(g);
	int r = 0;
	for (size_t k = 0; r == 0 && k < n; k++) {
		struct img_out *im = &imgs[k];
		cleanup_free char *cfg = xasprintf("%s.json", im->id);
		r = out_doc(o, cfg, im->config, err);
		jg_map_open(g);
		jg_key_str(g, "Config", cfg);
		jg_key_strv(g, "RepoTags", im->tags);
		jg_key(g, "Layers");
		jg_array_open(g);
		for (size_t i = 0; r == 0 && i < im->nlayers; i++) {
			cleanup_free char *name = xasprintf("%s.tar", im->layers[i].diff_id + 7);
			struct layer_fill f = {layersfd, &im->layers[i]};
			r = out_file(o, name, im->layers[i].size, fill_layer, &f, err);
			jg_str(g, name);
		}
		jg_array_close(g);
		jg_map_close(g);
	}
	jg_array_close(g);
	cleanup_free char *manifest = json_gen_finish(g);
	if (r < 0)
		return -1;
	return out_doc(o, "manifest.json", manifest, err);
}

/* An OCI layout (oci) or a "dir" copy (!oci: blobs by hex at the top),
 * whose manifest is Docker v2s2's, OCI's or the image's own type as
 * dir_manifest says. */
static int write_layout(struct out *o, int layersfd, struct img_out *imgs, size_t n, bool oci,
                        enum img_dir_manifest dir_manifest, bool gz, struct burrow_err **err)
{
	const char *prefix = oci ? "blobs/sha256/" : "";
	if (oci && (out_mkdir(o, "blobs", err) < 0 || out_mkdir(o, "blobs/sha256", err) < 0))
		return -1;
	for (size_t k = 0; k < n; k++) {
		struct img_out *im = &imgs[k];
		for (size_t i = 0; i < im->nlayers; i++) {
			struct img_out_layer *l = &im->layers[i];
			if (gz && o->dir) {
				if (gzip_layer_to_dir(o, layersfd, l, prefix, err) < 0)
					return -1;
				continue;
			}
			l->digest = xstrdup(l->diff_id);
			l->bsize = l->size;
			cleanup_free char *name = xasprintf("%s%s", prefix, l->diff_id + 7);
			struct layer_fill f = {layersfd, l};
			if (out_file(o, name, l->size, fill_layer, &f, err) < 0)
				return -1;
		}
		cleanup_free char *cfg = xasprintf("%s%s", prefix, im->id);
		bool oci_manifest = oci || dir_manifest == IMG_DIR_MANIFEST_OCI ||
		                    (dir_manifest == IMG_DIR_MANIFEST_IMAGE && !im->docker);
		if (out_doc(o, cfg, im->config, err) < 0 || img_out_manifest(im, oci_manifest, gz && o->dir, err) < 0)
			return -1;
		if (!oci)
			return out_doc(o, "manifest.json", im->out_manifest, err) < 0 ||
			               out_doc(o, "version", "Directory Transport Version: 1.1\n", err) < 0
			           ? -1
			           : 0;
		cleanup_free char *man = xasprintf("%s%s", prefix, im->out_digest + 7);
		if (out_doc(o, man, im->out_manifest, err) < 0)
			return -1;
	}
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_int(g, "schemaVersion", 2);
	jg_key_str(g, "mediaType", IMG_MT_OCI_INDEX);
	jg_key(g, "manifests");
	jg_array_open(g);
	for (size_t k = 0; k < n; k++) {
		struct img_out *im = &imgs[k];
		/* one entry per tag, as podman writes them (one untagged) */
		size_t nt = strv_len(im->tags);
		for (size_t t = 0; t < (nt ? nt : 1); t++) {
			jg_map_open(g);
			jg_key_str(g, "mediaType", IMG_MT_OCI_MANIFEST);
			jg_key_str(g, "digest", im->out_digest);
			jg_key_int(g, "size", (long long)strlen(im->out_manifest));
			if (nt) {
				jg_key(g, "annotations");
				jg_map_open(g);
				jg_key_str(g, REF_NAME, im->tags[t]);
				jg_map_close(g);
			}
			jg_map_close(g);
		}
	}
	jg_array_close(g);
	jg_map_close(g);
	cleanup_free char *index = json_gen_finish(g);
	if (out_doc(o, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", err) < 0)
		return -1;
	return out_doc(o, "index.json", index, err);
}

/* --- the images named ---------------------------------------------------------------- */

/* An unnamed file beside path (in its directory), -1 when none can be
 * made there. */
static int tmpfile_beside(const char *path)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = '\0'; /* "/x": "/" */
	return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

/* The archive -o names. A docker-archive is never written over a file
 * that has something in it (as podman's, whose transport cannot modify
 * an archive: "docker-archive doesn't support modifying existing images");
 * an empty file or what is not a regular file (/dev/null, a FIFO) is
 * written to. An oci-archive replaces what the file had, as podman's,
 * once it is whole: it is written to *stage (an unnamed file beside it)
 * first, so that a save that fails leaves the file as it was (-1: none
 * could be made there, the file is emptied now). */
static int open_archive(const char *path, bool docker, int *fd, int *stage, bool *created, struct burrow_err **err)
{
	*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
	if (*fd >= 0) {
		*created = true;
		return 0;
	}
	if (errno != EEXIST || (*fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return burrow_error(err, errno, "cannot create '%s'", str_quote(path));
	struct stat st;
	if (fstat(*fd, &st) < 0)
		return burrow_error(err, errno, "cannot stat '%s'", str_quote(path));
	if (!S_ISREG(st.st_mode))
		return 0;
	if (docker && st.st_size > 0) {
		close(*fd);
		*fd = -1;
		burrow_error_status(err, EEXIST, "'%s' exists: a docker-archive is not written over another file",
		                    str_quote(path));
		return burrow_error_hint(err, "remove it first, or give another -o");
	}
	if (st.st_size > 0 && (*stage = tmpfile_beside(path)) >= 0)
		return 0;
	if (ftruncate(*fd, 0) < 0)
		return burrow_error(err, errno, "cannot empty '%s'", str_quote(path));
	return 0;
}

/* The staged archive copied into fd, the file path names, in place of
 * what it had. */
static int unstage(int stage, int fd, const char *path, struct burrow_err **err)
{
	ssize_t n = 0;
	if (lseek(stage, 0, SEEK_SET) < 0 || ftruncate(fd, 0) < 0)
		n = -1;
	while (n >= 0 && (n = fd_copy(stage, fd)) > 0)
		;
	if (n < 0)
		return burrow_error(err, errno, "cannot write '%s'", str_quote(path));
	return 0;
}

/* The tag an argument names on image i: the name of i it matched, or
 * (an ID) every name of i. */
static void add_tags(const char *arg, const struct img_info *i, char ***tags)
{
	struct img_ref r;
	cleanup_err struct burrow_err *e = NULL;
	const char *hex = str_has_prefix(arg, "sha256:") ? arg + 7 : arg;
	bool id = img_is_hex(hex) && str_has_prefix(i->id, hex);
	if (!id && img_ref_parse(arg, &r, &e) == 0) {
		cleanup_free char *norm = img_ref_normalize(&r);
		cleanup_free char *suffix = xasprintf("/%s:%s", r.path, r.tag ? r.tag : "latest");
		img_ref_clear(&r);
		for (size_t k = 0; i->names[k]; k++) {
			if (strcmp(i->names[k], norm) == 0 ||
			    (!strchr(arg, '.') && str_has_suffix(i->names[k], suffix))) {
				if (!strv_contains(*tags, i->names[k]))
					strv_append(tags, i->names[k]);
				return;
			}
		}
		if (!strchr(norm, '@') && !strv_contains(*tags, norm))
			strv_append(tags, norm);
		return;
	}
	for (size_t k = 0; i->names[k]; k++)
		if (!strv_contains(*tags, i->names[k]))
			strv_append(tags, i->names[k]);
}

int img_save(struct state_store *s, const struct img_save_opts *o, struct burrow_err **err)
{
	size_t nargs = strv_len(o->images);
	bool docker = o->format == IMG_SAVE_DOCKER_ARCHIVE;
	if (nargs == 0)
		return burrow_error(err, EINVAL, "no image to save");
	if (o->multi && !docker)
		return burrow_error(err, EINVAL, "--multi-image-archive is for the docker-archive format only");
	cleanup_close int layersfd = -1;
	if (img_layers_open(s, &layersfd, err) < 0)
		return -1;
	struct img_out *imgs = xcalloc(nargs, sizeof(*imgs));
	size_t n = 0;
	int rc = 0;
	for (size_t a = 0; rc == 0 && a < nargs; a++) {
		if (a > 0 && !o->multi) {
			/* without -m every further name is a tag of the first image (as podman) */
			char *tag = img_ref_normalize_str(o->images[a], err);
			if (!tag || strchr(tag, '@')) {
				free(tag);
				rc = tag ? burrow_error(err, EINVAL, "'%s' is not NAME:TAG", str_quote(o->images[a]))
				         : -1;
				break;
			}
			if (!strv_contains(imgs[0].tags, tag))
				strv_append(&imgs[0].tags, tag);
			free(tag);
			continue;
		}
		struct img_info *info = NULL;
		if ((rc = img_lookup(s, o->images[a], &info, err)) < 0)
			break;
		size_t k = 0;
		while (k < n && strcmp(imgs[k].id, info->id) != 0)
			k++;
		if (k == n && (rc = img_out_load(s, layersfd, info->id, &imgs[n++], err)) < 0) {
			img_info_free(info);
			break;
		}
		add_tags(o->images[a], info, &imgs[k].tags);
		img_info_free(info);
	}
	if (rc == 0 && !docker && n > 1)
		rc = burrow_error(err, EINVAL, "only a docker-archive holds more than one image");
	struct out out = {.dir = o->format == IMG_SAVE_OCI_DIR || o->format == IMG_SAVE_DOCKER_DIR, .fd = o->fd};
	cleanup_close int own = -1, stage = -1;
	bool created = false;
	if (rc == 0 && o->output) {
		/* checked only now: a bad image name leaves no file behind */
		if (out.dir) {
			if (mkdir(o->output, 0755) == 0)
				created = true;
			else if (errno != EEXIST)
				rc = burrow_error(err, errno, "cannot create directory '%s'", str_quote(o->output));
			if (rc == 0 && (own = open(o->output, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
				rc = burrow_error(err, errno, "cannot open directory '%s'", str_quote(o->output));
		} else {
			rc = open_archive(o->output, docker, &own, &stage, &created, err);
		}
		out.fd = stage >= 0 ? stage : own;
	}
	if (rc == 0) {
		if (docker)
			rc = write_docker_archive(&out, layersfd, imgs, n, err);
		else
			rc = write_layout(&out, layersfd, imgs, n, o->format != IMG_SAVE_DOCKER_DIR, o->dir_manifest,
			                  o->compress, err);
	}
	if (rc == 0 && !out.dir) {
		static const char end[2 * BLOCK];
		rc = out_write(&out, end, sizeof(end), err);
	}
	/* a staged archive leaves the file as it was until it is whole */
	bool untouched = stage >= 0;
	if (rc == 0 && stage >= 0) {
		untouched = false;
		rc = unstage(stage, own, o->output, err);
	}
	if (rc < 0 && o->output && own >= 0 && !untouched) {
		/* nothing half written stays: what we made goes, a file we
		 * wrote over is left empty (a staged one as it was) */
		cleanup_err struct burrow_err *e = NULL;
		struct stat st;
		if (created && out.dir)
			rm_rf(o->output, &e);
		else if (created)
			unlink(o->output);
		else if (!out.dir && fstat(own, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(own, 0) < 0)
			burrow_warn("cannot empty '%s' again: %s", str_quote(o->output), strerror(errno));
	}
	for (size_t k = 0; k < n; k++)
		img_out_clear(&imgs[k]);
	free(imgs);
	strv_free(out.done);
	return rc < 0 ? -1 : 0;
}
