/* burrow commit: a container's upper directory as a new layer on top of
 * its image, stored through the pull's path (fetch.c).
 *
 * The caller (container/, which knows where the upper dir is) hands over
 * the directory opened. It is walked here on lib/walk.h's walk, one
 * directory at a time with openat(O_NOFOLLOW): a symlink is stored as a link, never followed, so
 * nothing outside the directory is read. fuse-overlayfs and the kernel's
 * overlay record a deleted file as a character device 0/0 (or a .wh. file)
 * and an opaque directory with an xattr (or a .wh..wh..opq file); they
 * become OCI whiteouts: an empty ".wh.NAME" and "DIR/.wh..wh..opq". The
 * overlay's own xattrs are not stored.
 *
 * The tar (pax, entries sorted by name, hard links kept) is written to an
 * unnamed file beside the layers while its sha256, the diff ID, is
 * computed; the new configuration is the image's with that diff ID, a
 * history entry, the --change instructions, the author and the time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hardlinks.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/walk.h"
#include "lib/xalloc.h"
#include "overlay/merge.h"
#include "state/state.h"
#include "image/libs.h"

#define COPY (128 * 1024)

struct walk {
	struct archive *a;
	struct hardlinks links; /* regular files with more than one link */
	char *buf;
	struct burrow_err **err;
};

struct sink {
	int fd;
	struct img_sha *sha;
	long long bytes;
	struct burrow_err *err;
};

static la_ssize_t sink_write(struct archive *a, void *data, const void *buf, size_t len)
{
	(void)a;
	struct sink *k = data;
	struct img_tee t = {.write = img_write_fd, .ctx = &k->fd, .sha = k->sha};
	if (img_tee_write(&t, buf, len, &k->err) < 0)
		return -1;
	k->bytes += (long long)len;
	return (la_ssize_t)len;
}

static int tar_fail(struct walk *w, const char *path)
{
	return burrow_error(w->err, EIO, "cannot write '%s' to the layer: %s", str_quote(path),
	                    archive_error_string(w->a) ? archive_error_string(w->a) : "libarchive failed");
}

static int add_xattr(const char *name, const void *val, size_t len, void *data)
{
	if (!ovl_private_xattr(name) && !str_has_prefix(name, "security.selinux"))
		archive_entry_xattr_add_entry(data, name, val, len);
	return 0;
}

static void add_xattrs(int fd, struct archive_entry *e)
{
	fd_xattrs_each(fd, add_xattr, e);
}

static struct archive_entry *entry_for(const char *path, const struct stat *sb, unsigned type)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, sb->st_mode & 07777);
	archive_entry_set_uid(e, sb->st_uid);
	archive_entry_set_gid(e, sb->st_gid);
	archive_entry_set_mtime(e, sb->st_mtim.tv_sec, sb->st_mtim.tv_nsec);
	return e;
}

static int put(struct walk *w, struct archive_entry *e, const char *path)
{
	int r = archive_write_header(w->a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : tar_fail(w, path);
}

/* An empty regular file: a whiteout. */
static int put_marker(struct walk *w, const char *path)
{
	struct stat sb = {.st_mode = 0644};
	return put(w, entry_for(path, &sb, AE_IFREG), path);
}

/* path could not be opened (errno): one a running container removed or
 * replaced since it was looked at is left out, as export does; else an
 * error. */
static int changed(struct walk *w, const char *path)
{
	if (errno != ENOENT && errno != ELOOP && errno != ENOTDIR)
		return burrow_error(w->err, errno, "cannot open '%s'", str_quote(path));
	burrow_debug("commit: '%s' changed while it was read: left out", str_quote(path));
	return 0;
}

static int add_dir(struct walk *w, const struct walk_at *at)
{
	struct archive_entry *e = entry_for(at->path, &at->st, AE_IFDIR);
	add_xattrs(at->fd, e);
	if (put(w, e, at->path) < 0)
		return -1;
	if (!ovl_dir_opaque(at->fd))
		return 0;
	cleanup_free char *opq = xasprintf("%s/" OVL_OPAQUE, at->path);
	return put_marker(w, opq);
}

static int add_file(struct walk *w, const struct walk_at *at)
{
	const char *path = at->path;
	/* opened before anything of it is stored: a running container may
	 * have removed it, or put a link or a FIFO in its place (O_NONBLOCK:
	 * not waited on), since it was looked at; what changed so is left
	 * out, as export does */
	cleanup_close int fd = openat(at->dirfd, at->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0)
		return changed(w, path);
	if (!S_ISREG(sb.st_mode)) {
		errno = ENOENT;
		return changed(w, path);
	}
	const char *first = sb.st_nlink > 1 ? hardlinks_seen(&w->links, &sb, path) : NULL;
	if (first) {
		struct archive_entry *e = entry_for(path, &sb, AE_IFREG);
		archive_entry_set_hardlink(e, first);
		archive_entry_set_size(e, 0);
		return put(w, e, path);
	}
	struct archive_entry *e = entry_for(path, &sb, AE_IFREG);
	archive_entry_set_size(e, sb.st_size);
	add_xattrs(fd, e);
	if (put(w, e, path) < 0)
		return -1;
	for (long long left = sb.st_size; left > 0;) {
		ssize_t n = TEMP_FAILURE_RETRY(read(fd, w->buf, left < COPY ? (size_t)left : COPY));
		if (n < 0)
			return burrow_error(w->err, errno, "cannot read '%s'", str_quote(path));
		if (n == 0)
			return burrow_error(w->err, EIO, "'%s' changed while it was read", str_quote(path));
		if (archive_write_data(w->a, w->buf, (size_t)n) != n)
			return tar_fail(w, path);
		left -= n;
	}
	return 0;
}

bool img_commit_stub(const char *path)
{
	return strcmp(path, "etc/hostname") == 0 || strcmp(path, "etc/hosts") == 0 ||
	       strcmp(path, "etc/resolv.conf") == 0 || strcmp(path, "run/.containerenv") == 0;
}

/* The upper directory's entries in the walk's order (sorted, a directory
 * before what it holds), as layer entries. */
static int one(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	struct walk *w = data;
	(void)err; /* w->err */
	const char *path = at->path, *name = at->name;
	const struct stat *sb = &at->st;
	if (step == WALK_LEAVE || (step == WALK_ENTER && at->depth == 0))
		return 0;
	if (step == WALK_ENTER)
		return add_dir(w, at);
	/* the opaque markers are the directory's (written once, with it) */
	if (ovl_opaque_marker(name))
		return 0;
	/* the empty files a container's bind mounts were made on: burrow's,
	 * not the container's */
	if (S_ISREG(sb->st_mode) && sb->st_size == 0 && img_commit_stub(path))
		return 0;
	if (S_ISCHR(sb->st_mode) && sb->st_rdev == makedev(0, 0)) {
		/* a deleted file */
		cleanup_free char *wh =
		    xasprintf("%.*s" OVL_WHITEOUT "%s", (int)(strlen(path) - strlen(name)), path, name);
		return put_marker(w, wh);
	}
	if (S_ISLNK(sb->st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(at->dirfd, name, target, PATH_MAX);
		if (n < 0)
			return errno == ENOENT || errno == EINVAL
			           ? 0
			           : burrow_error(w->err, errno, "cannot read link '%s'", str_quote(path));
		target[n] = '\0';
		struct archive_entry *e = entry_for(path, sb, AE_IFLNK);
		archive_entry_set_symlink(e, target);
		return put(w, e, path);
	}
	if (S_ISREG(sb->st_mode))
		return add_file(w, at);
	if (S_ISFIFO(sb->st_mode))
		return put(w, entry_for(path, sb, AE_IFIFO), path);
	burrow_debug("commit: '%s' (a device or socket) is not stored", str_quote(path));
	return 0;
}

/* The upper dir as a tar in fd; *diff_id its sha256, *size its length. */
static int write_layer(int upperfd, int fd, char diff_id[72], long long *size, struct burrow_err **err)
{
	struct sink k = {.fd = fd};
	if (!(k.sha = img_sha_new(err)))
		return -1;
	struct walk w = {.err = err, .buf = xmalloc(COPY)};
	w.a = archive_write_new();
	int r = -1;
	if (w.a && archive_write_set_format_pax_restricted(w.a) == ARCHIVE_OK &&
	    archive_write_set_bytes_in_last_block(w.a, 1) == ARCHIVE_OK &&
	    archive_write_open(w.a, &k, NULL, sink_write, NULL) == ARCHIVE_OK) {
		r = walk_tree(upperfd, ".", "", WALK_SORTED | WALK_STAT, one, &w, err);
		if (archive_write_close(w.a) != ARCHIVE_OK && r == 0)
			r = k.err ? (*err = steal_ptr(k.err), -1) : tar_fail(&w, "the end");
	} else {
		burrow_error(err, ENOMEM, "cannot set up libarchive");
	}
	if (w.a)
		archive_write_free(w.a);
	if (r == 0 && k.err) {
		*err = steal_ptr(k.err);
		r = -1;
	}
	burrow_err_free(k.err);
	if (r == 0)
		r = img_sha_final(k.sha, diff_id, err);
	img_sha_free(k.sha);
	hardlinks_clear(&w.links);
	free(w.buf);
	*size = k.bytes;
	return r;
}

/* --- the new configuration --------------------------------------------------------- */

static const char *const run_keys[] = {"Env", "Cmd", "Entrypoint", "WorkingDir", "User", NULL};

static bool one_of(const char *k, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(k, list[i]) == 0)
			return true;
	return false;
}

/* squash: the new layer is the only one and the commit's history entry
 * the only entry (the base's, each for a layer, describe layers gone). */
static char *new_config(yajl_val base, const char *diff_id, bool squash, const struct img_config *run,
                        const char *author, const char *created_by, const char *comment)
{
	char day[48], when[80];
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct tm tm;
	gmtime_r(&now.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when, sizeof(when), "%s.%09ldZ", day, (long)now.tv_nsec);
	static const char *const own[] = {"created", "author", "config", "rootfs", "history", NULL};
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	for (size_t i = 0; i < base->u.object.len; i++) {
		if (one_of(base->u.object.keys[i], own))
			continue;
		jg_key(g, base->u.object.keys[i]);
		jg_value(g, base->u.object.values[i]);
	}
	jg_key_str(g, "created", when);
	const char *a = author ? author : json_get_str(base, "author");
	if (a)
		jg_key_str(g, "author", a);
	/* the run configuration: the five fields from run, the others kept */
	jg_key(g, "config");
	cleanup_free char *rc = NULL;
	{
		yajl_gen g2 = json_gen_new();
		img_config_gen(g2, run);
		rc = json_gen_finish(g2);
	}
	cleanup_yajl yajl_val runv = json_parse(rc, NULL);
	jg_map_open(g);
	yajl_val bc = json_get(base, "config");
	for (size_t i = 0; bc && YAJL_IS_OBJECT(bc) && i < bc->u.object.len; i++) {
		/* run has the base's fields it models (changed or not): each key once */
		if (one_of(bc->u.object.keys[i], run_keys) || json_get(runv, bc->u.object.keys[i]))
			continue;
		jg_key(g, bc->u.object.keys[i]);
		jg_value(g, bc->u.object.values[i]);
	}
	for (size_t i = 0; runv && YAJL_IS_OBJECT(runv) && i < runv->u.object.len; i++) {
		jg_key(g, runv->u.object.keys[i]);
		jg_value(g, runv->u.object.values[i]);
	}
	jg_map_close(g);
	jg_key(g, "rootfs");
	jg_map_open(g);
	jg_key_str(g, "type", "layers");
	jg_key(g, "diff_ids");
	jg_array_open(g);
	yajl_val ids = squash ? NULL : json_get(json_get(base, "rootfs"), "diff_ids");
	for (size_t i = 0; ids && YAJL_IS_ARRAY(ids) && i < ids->u.array.len; i++)
		jg_value(g, ids->u.array.values[i]);
	jg_str(g, diff_id);
	jg_array_close(g);
	jg_map_close(g);
	jg_key(g, "history");
	jg_array_open(g);
	yajl_val hist = squash ? NULL : json_get(base, "history");
	for (size_t i = 0; hist && YAJL_IS_ARRAY(hist) && i < hist->u.array.len; i++)
		jg_value(g, hist->u.array.values[i]);
	jg_map_open(g);
	jg_key_str(g, "created", when);
	jg_key_str(g, "created_by", created_by);
	if (a)
		jg_key_str(g, "author", a);
	if (comment)
		jg_key_str(g, "comment", comment);
	jg_map_close(g);
	jg_array_close(g);
	jg_map_close(g);
	return json_gen_finish(g);
}

/* The tar in fd (--squash's) read through from its start: *diff_id its
 * sha256, *size its length. */
static int hash_layer(int fd, char diff_id[72], long long *size, struct burrow_err **err)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return burrow_error(err, errno, "cannot read the squashed layer");
	struct img_sha *sha = img_sha_new(err);
	if (!sha)
		return -1;
	cleanup_free char *buf = xmalloc(COPY);
	int r = 0;
	*size = 0;
	for (;;) {
		ssize_t n = TEMP_FAILURE_RETRY(read(fd, buf, COPY));
		if (n < 0)
			r = burrow_error(err, errno, "cannot read the squashed layer");
		if (n <= 0)
			break;
		img_sha_update(sha, buf, (size_t)n);
		*size += n;
	}
	if (r == 0)
		r = img_sha_final(sha, diff_id, err);
	img_sha_free(sha);
	return r;
}

/* --- the layer as a blob source -------------------------------------------------------- */

struct source {
	int fd;
	size_t top; /* the index of the new layer */
	const struct img_manifest *m;
};

static int src_open(void *data, const struct img_descriptor *d, atomic_llong *progress, const atomic_bool *cancel,
                    img_read_fn **read, void **ctx, struct burrow_err **err)
{
	(void)progress;
	(void)cancel;
	struct source *s = data;
	if ((size_t)(d - s->m->layers) != s->top)
		return burrow_error(err, ENOENT, "layer %s of the image is not in the store", d->digest);
	struct img_range_reader *r = img_range_open(s->fd, 0, d->size, d->digest, "the new layer", err);
	if (!r)
		return -1;
	*read = img_range_read;
	*ctx = r;
	return 0;
}

static struct burrow_err *src_close(void *data, void *ctx)
{
	(void)data;
	img_range_close(ctx);
	return NULL;
}

int img_commit_container(struct state_store *s, const struct img_commit_opts *o, char **id, struct burrow_err **err)
{
	/* everything the user gave is checked before the directory is read */
	struct img_config run = {0};
	__attribute__((cleanup(img_record_clear))) struct img_record base = {0};
	cleanup_free char *base_cfg = NULL;
	int rc = img_record_load(s, o->base, &base, err);
	if (rc != 0) {
		if (rc == 1)
			burrow_error(err, ENOENT, "its image %.12s is not in the store any more", o->base);
		return -1;
	}
	if ((rc = img_blob_get(s, "img-config", o->base, &base_cfg, err)) != 0)
		return rc < 0 ? -1 : burrow_error(err, ENOENT, "image %.12s has no configuration stored", o->base);
	cleanup_err struct burrow_err *pe = NULL;
	cleanup_yajl yajl_val bv = json_parse(base_cfg, &pe);
	if (!bv || !YAJL_IS_OBJECT(bv))
		return burrow_error(err, EINVAL, "the configuration of image %.12s is not a JSON object", o->base);
	img_config_copy(&run, &base.config);
	for (size_t i = 0; o->changes && o->changes[i]; i++) {
		if (img_config_apply_change(&run, o->changes[i], err) < 0) {
			img_config_clear(&run);
			return -1;
		}
	}
	for (size_t i = 0; o->volumes && o->volumes[i]; i++)
		if (!strv_contains(run.volumes, o->volumes[i]))
			strv_append(&run.volumes, o->volumes[i]);
	bool squash = o->squash != NULL;
	cleanup_close int layersfd = -1;
	cleanup_close int fd = -1;
	if (img_layers_open(s, &layersfd, err) < 0 || (fd = img_layers_tmpfile(layersfd, err)) < 0) {
		img_config_clear(&run);
		return -1;
	}
	char diff_id[72];
	long long size = 0;
	if (squash ? o->squash(o->squash_data, fd, err) < 0 || hash_layer(fd, diff_id, &size, err) < 0
	           : write_layer(o->upperfd, fd, diff_id, &size, err) < 0) {
		img_config_clear(&run);
		return burrow_error_wrap(err, "cannot read the container's changes");
	}
	cleanup_free char *created_by =
	    xasprintf("burrow commit%s%s", o->container ? " " : "", o->container ? o->container : "");
	cleanup_free char *cfg = new_config(bv, diff_id, squash, &run, o->author, created_by, o->message);
	img_config_clear(&run);

	/* the image's layers and the new one, through the pull's path */
	size_t nbase = squash ? 0 : strv_len(base.layer_ids);
	bool docker = o->format && strcmp(o->format, "docker") == 0;
	cleanup_yajl yajl_val nv = json_parse(cfg, &pe);
	cleanup_strv char **diff_ids = json_get_strv(json_get(nv, "rootfs"), "diff_ids");
	if (!diff_ids || strv_len(diff_ids) != nbase + 1)
		return burrow_error(err, EINVAL, "image %.12s has %zu layers but its configuration names %zu", o->base,
		                    nbase, diff_ids ? strv_len(diff_ids) - 1 : 0);
	__attribute__((cleanup(img_manifest_clear))) struct img_manifest m = {0};
	m.kind = IMG_MANIFEST_IMAGE;
	m.media_type = xstrdup(docker ? IMG_MT_DOCKER_MANIFEST : IMG_MT_OCI_MANIFEST);
	m.nlayers = nbase + 1;
	m.layers = xcalloc(m.nlayers, sizeof(*m.layers));
	for (size_t i = 0; i < m.nlayers; i++) {
		m.layers[i].digest = xstrdup(diff_ids[i]);
		m.layers[i].media_type = xstrdup(docker ? IMG_MT_DOCKER_LAYER : IMG_MT_OCI_LAYER);
	}
	m.layers[nbase].size = size;
	struct source src = {.fd = fd, .top = nbase, .m = &m};
	struct img_blob_source bs = {.open = src_open, .close = src_close, .data = &src};
	struct img_fetch_opts fo = {.name = o->reference ? o->reference : "the new image", .parallel = 1};
	struct img_fetch *f = NULL;
	int r = img_fetch_layers(s, &bs, &m, cfg, strlen(cfg), &fo, &f, err);
	if (r == 0) {
		struct img_fetch_image what = {.reference = o->reference, .manifest_type = m.media_type};
		r = img_fetch_store(f, &what, err);
	}
	if (r == 0)
		*id = xstrdup(img_fetch_id(f));
	img_fetch_free(f, r < 0);
	return r;
}
