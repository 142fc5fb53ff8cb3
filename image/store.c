/* Image and layer records, import of rootfs tarballs, lookup and listing. */
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "overlay/overlay.h"
#include "state/paths.h"
#include "state/state.h"

void img_info_free(struct img_info *i)
{
	if (!i)
		return;
	free(i->id);
	strv_free(i->names);
	strv_free(i->digests);
	free(i->digest);
	strv_free(i->layers);
	strv_free(i->layer_ids);
	strv_free(i->names_history);
	free(i->manifest_type);
	free(i->arch);
	free(i->os);
	free(i->variant);
	img_config_clear(&i->config);
	free(i);
}

void img_info_list_free(struct img_info **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		img_info_free(list[i]);
	free(list);
}

/* --- records ------------------------------------------------------------ */

/* Takes r's contents (r is left empty); layer IDs become directories. */
static struct img_info *info_from_record(const char *root, struct img_record *r)
{
	struct img_info *i = xcalloc(1, sizeof(*i));
	i->id = steal_ptr(r->id);
	i->names = steal_ptr(r->names);
	i->digests = steal_ptr(r->digests);
	i->digest = steal_ptr(r->digest);
	i->created = r->created;
	i->size = r->size;
	i->layers = xcalloc(1, sizeof(char *));
	for (size_t k = 0; r->layer_ids[k]; k++)
		strv_append_take(&i->layers, ovl_layer_dir(root, r->layer_ids[k]));
	i->layer_ids = steal_ptr(r->layer_ids);
	i->names_history = steal_ptr(r->names_history);
	i->manifest_type = steal_ptr(r->manifest_type);
	i->arch = steal_ptr(r->arch);
	i->os = steal_ptr(r->os);
	i->variant = steal_ptr(r->variant);
	i->config = r->config;
	memset(&r->config, 0, sizeof(r->config));
	return i;
}

#define cleanup_record __attribute__((cleanup(img_record_clear)))

/* 0 found, 1 not found, -1 error. */
static int load_image(struct state_store *s, const char *id, struct img_info **out, struct burrow_err **err)
{
	cleanup_record struct img_record r = {0};
	int rc = img_record_load(s, id, &r, err);
	if (rc != 0)
		return rc;
	*out = info_from_record(state_root(s), &r);
	return 0;
}

/* --- import ------------------------------------------------------------- */

/* The OCI image configuration; its sha256 is the image ID. */
static char *oci_config(const char *layer_digest, const struct timespec *created, const struct img_config *c,
                        const struct img_import_opts *o)
{
	char day[48], when[72];
	struct tm tm;
	gmtime_r(&created->tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	/* nanoseconds, as docker and podman write it: two imports are two images */
	snprintf(when, sizeof(when), "%s.%09ldZ", day, (long)created->tv_nsec);
	cleanup_free char *diff_id = xasprintf("sha256:%s", layer_digest);
	char *const diff_ids[] = {diff_id, NULL};
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "created", when);
	jg_key_str(g, "architecture", o->arch ? o->arch : img_host_arch());
	jg_key_str(g, "os", o->os ? o->os : "linux");
	if (o->variant)
		jg_key_str(g, "variant", o->variant);
	if (o->message)
		jg_key_str(g, "comment", o->message);
	jg_key(g, "config");
	img_config_gen(g, c);
	jg_key(g, "rootfs");
	jg_map_open(g);
	jg_key_str(g, "type", "layers");
	jg_key_strv(g, "diff_ids", diff_ids);
	jg_map_close(g);
	jg_key(g, "history");
	jg_array_open(g);
	jg_map_open(g);
	jg_key_str(g, "created", when);
	jg_key_str(g, "created_by", "burrow import");
	if (o->message)
		jg_key_str(g, "comment", o->message);
	jg_map_close(g);
	jg_array_close(g);
	jg_map_close(g);
	return json_gen_finish(g);
}

/* Whether the import that made tmp-<pid>-<start time>-<random> is gone: its
 * pid names another process now, or none (a pid alone may be reused). */
static bool import_gone(const char *name)
{
	int pid = 0, n = 0;
	unsigned long long start = 0;
	if (sscanf(name, "tmp-%d-%llu-%n", &pid, &start, &n) != 2 || n == 0 || pid <= 0)
		return false; /* not one of ours */
	return !proc_is(pid, start);
}

/* Temporary extraction directories of imports that died. */
static void remove_stale_tmp(int layersfd)
{
	int fd = openat(layersfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	cleanup_dir DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!import_gone(de->d_name))
			continue;
		cleanup_err struct burrow_err *e = NULL;
		if (rm_rf_at(layersfd, de->d_name, &e) == 0)
			burrow_debug("removed '%s' left by an import that did not finish", de->d_name);
	}
}

static int open_source(const char *source, int *fd, struct burrow_err **err)
{
	if (strcmp(source, "-") == 0) {
		*fd = STDIN_FILENO;
		return 0;
	}
	int f = open(source, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (f < 0)
		return burrow_error(err, errno, "cannot open '%s'", str_quote(source));
	struct stat sb;
	if (fstat(f, &sb) < 0) {
		int e = errno;
		close(f);
		return burrow_error(err, e, "cannot stat '%s'", str_quote(source));
	}
	if (S_ISDIR(sb.st_mode)) {
		close(f);
		burrow_error_status(err, EISDIR, "'%s' is a directory, not a tarball", str_quote(source));
		return burrow_error_hint(err, "make a tarball first (tar -C DIR -cf rootfs.tar .), or run the "
		                              "directory with 'burrow run --rootfs DIR'");
	}
	*fd = f;
	return 0;
}

char *img_tmp_name(void)
{
	unsigned int rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	return xasprintf("tmp-%d-%llu-%08x", (int)getpid(), proc_start_time(getpid()), rnd);
}

static void remove_tmp(int layersfd, const char *tmp)
{
	cleanup_err struct burrow_err *e = NULL;
	if (rm_rf_at(layersfd, tmp, &e) < 0)
		burrow_warn("cannot remove '%s' in the layer store: %s", tmp, e->msg);
}

/* Extracts the tarball (from dc, else fd) into layers/<*tmp>/diff, a new
 * directory, and records the tar beside it (layers/<*tmp>/tar-split: what
 * writing the layer out again needs). */
static int extract_layer(int layersfd, struct img_decomp *dc, int fd, const char *display, struct img_unpack_stats *st,
                         char **tmp, struct burrow_err **err)
{
	cleanup_free char *name = img_tmp_name();
	if (mkdirat(layersfd, name, 0700) < 0)
		return burrow_error(err, errno, "cannot create a directory in the layer store");
	cleanup_close int tmpfd = openat(layersfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rootfd = -1;
	if (tmpfd >= 0 && mkdirat(tmpfd, "diff", 0755) == 0)
		rootfd = openat(tmpfd, "diff", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0) {
		int e = errno;
		remove_tmp(layersfd, name);
		return burrow_error(err, e, "cannot create a directory in the layer store");
	}
	struct img_decomp *own = NULL;
	struct img_split *split = img_split_new(tmpfd, err);
	if (split && !dc)
		dc = own = img_decomp_open(img_read_fd, &fd, err);
	int r = split && dc ? img_unpack_stream(dc, rootfd, split, display, st, err) : -1;
	if (r == 0)
		r = img_split_finish(split, err);
	img_split_free(split);
	img_decomp_free(own);
	close(rootfd);
	if (r < 0) {
		remove_tmp(layersfd, name);
		return -1;
	}
	*tmp = steal_ptr(name);
	return 0;
}

/* How many owners the layer in the store had squashed (0: none, or no record). */
static unsigned long squashed_in_store(struct state_store *s, const char *layer_id)
{
	__attribute__((cleanup(img_layer_record_clear))) struct img_layer_record l = {0};
	cleanup_err struct burrow_err *e = NULL;
	if (img_layer_get(s, layer_id, &l, &e) != 0)
		return 0;
	return l.squashed;
}

/* Moves the extracted tmp to layers/<id>. A layer already there is
 * kept (tmp is removed) unless it was unpacked in a namespace that mapped
 * fewer owners (after `burrow system migrate` with a new subordinate
 * range): then tmp takes its place. st->squashed ends up describing the
 * layer in place. */
static int place_layer(struct state_store *s, int layersfd, const char *tmp, const char *id,
                       struct img_unpack_stats *st, struct burrow_err **err)
{
	/* A layer in place is a non-empty directory, which rename(2) does not
	 * replace (EEXIST or ENOTEMPTY): no need for RENAME_NOREPLACE, which
	 * some filesystems refuse (ZFS before 2.2, some FUSE ones) */
	if (renameat(layersfd, tmp, layersfd, id) == 0)
		return 0;
	int e = errno;
	if (e != EEXIST && e != ENOTEMPTY) {
		remove_tmp(layersfd, tmp);
		return burrow_error(err, e, "cannot move the layer into place");
	}
	unsigned long before = s ? squashed_in_store(s, id) : 0;
	if (s && st->squashed < before) {
		cleanup_free char *old = img_tmp_name();
		if (renameat(layersfd, id, layersfd, old) == 0) {
			if (renameat(layersfd, tmp, layersfd, id) == 0) {
				burrow_debug("layer %s: unpacked again, %lu owners squashed instead of %lu", id,
				             st->squashed, before);
				remove_tmp(layersfd, old);
				return 0;
			}
			e = errno;
			if (renameat(layersfd, old, layersfd, id) < 0) {
				int e2 = errno;
				remove_tmp(layersfd, tmp);
				return burrow_error(err, e2, "cannot move layer '%s' back into place from '%s'", id,
				                    old);
			}
			burrow_debug("layer %s: cannot replace it: %s", id, strerror(e));
		}
	}
	burrow_debug("layer %s is already in the store", id);
	/* one an older burrow stored has no record of its tar: it takes this
	 * one's (the same tar: its diff ID is the layer's) */
	if (!img_layer_has_tar_record(layersfd, id)) {
		cleanup_free char *from = xasprintf("%s/" IMG_TAR_RECORD, tmp);
		cleanup_free char *to = xasprintf("%s/" IMG_TAR_RECORD, id);
		if (renameat(layersfd, from, layersfd, to) == 0)
			burrow_debug("layer %s: the record of its tar added", id);
	}
	st->squashed = before;
	remove_tmp(layersfd, tmp);
	return 0;
}

int img_extract(const char *source, int dirfd, struct burrow_err **err)
{
	const char *display = strcmp(source, "-") == 0 ? "standard input" : source;
	cleanup_close int srcfd_owned = -1;
	int srcfd = -1;
	if (open_source(source, &srcfd, err) < 0)
		return -1;
	if (srcfd != STDIN_FILENO)
		srcfd_owned = srcfd;
	struct img_unpack_stats st;
	return img_unpack_copy(srcfd, dirfd, display, &st, err);
}

int img_extract_fd(int srcfd, const char *display, int dirfd, struct burrow_err **err)
{
	struct img_unpack_stats st;
	return img_unpack_copy(srcfd, dirfd, display, &st, err);
}

int img_import(struct state_store *s, const struct img_import_opts *opts, char **id, struct burrow_err **err)
{
	const char *display = strcmp(opts->source, "-") == 0 ? "standard input" : opts->source;
	static const struct img_config empty_config;
	const struct img_config *config = opts->config ? opts->config : &empty_config;

	cleanup_close int srcfd_owned = -1;
	int srcfd = -1;
	if (open_source(opts->source, &srcfd, err) < 0)
		return burrow_error_wrap(err, "cannot import");
	if (srcfd != STDIN_FILENO)
		srcfd_owned = srcfd;

	cleanup_free char *layers = ovl_layers_dir(state_root(s));
	if (mkdir_p(layers, 0700, err) < 0)
		return burrow_error_wrap(err, "cannot import '%s'", str_quote(display));
	cleanup_close int layersfd = open(layers, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (layersfd < 0)
		return burrow_error(err, errno, "cannot import '%s': cannot open '%s'", str_quote(display),
		                    str_quote(layers));

	struct img_unpack_stats st;
	cleanup_free char *tmp = NULL;
	remove_stale_tmp(layersfd);
	if (extract_layer(layersfd, NULL, srcfd, display, &st, &tmp, err) < 0)
		return burrow_error_wrap(err, "cannot import '%s'", str_quote(display));
	/* placed under the layer's lock, and kept in use until the image is
	 * stored: a pull that fails meanwhile does not take it away */
	cleanup_close int lockfd = img_layer_lock_open(layersfd, st.digest, err);
	if (lockfd < 0 || img_layer_lock(lockfd, IMG_LOCK_FETCH, F_WRLCK, IMG_LAYER_LOCK_WAIT_S * 1000L, NULL) < 0) {
		if (lockfd >= 0)
			burrow_error(err, errno, "cannot lock layer %s", st.digest);
		remove_tmp(layersfd, tmp);
		return burrow_error_wrap(err, "cannot import '%s'", str_quote(display));
	}
	if (place_layer(s, layersfd, tmp, st.digest, &st, err) < 0)
		return burrow_error_wrap(err, "cannot import '%s'", str_quote(display));
	if (img_layer_lock(lockfd, IMG_LOCK_USE, F_RDLCK, 1000, NULL) < 0)
		return burrow_error(err, errno, "cannot import '%s': cannot lock layer %s", str_quote(display),
		                    st.digest);
	img_layer_unlock(lockfd, IMG_LOCK_FETCH);

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long long created = (long long)now.tv_sec;
	cleanup_free char *cfg = oci_config(st.digest, &now, config, opts);
	char image_id[65];
	if (img_sha256_hex(cfg, strlen(cfg), image_id, err) < 0)
		return burrow_error_wrap(err, "cannot import '%s'", str_quote(display));
	char diff_id[72];
	snprintf(diff_id, sizeof(diff_id), "sha256:%s", st.digest);
	struct img_layer_record layer = {.id = st.digest, .diff_id = diff_id, .size = st.size, .squashed = st.squashed};
	struct img_layer_record *records[] = {&layer};
	char *layer_ids[] = {st.digest, NULL};
	struct img_commit c = {
	    .id = image_id,
	    .config_blob = cfg,
	    .reference = opts->reference,
	    .layer_ids = layer_ids,
	    .layers = records,
	    .nlayers = 1,
	    .created = created,
	    .size = st.size,
	    .config = config,
	    .arch = opts->arch ? opts->arch : img_host_arch(),
	    .os = opts->os ? opts->os : "linux",
	    .variant = opts->variant,
	};
	if (img_store_image(s, &c, err) < 0)
		return burrow_error_wrap(err, "cannot import '%s': cannot save the image", str_quote(display));
	burrow_debug("imported '%s': layer %s (%lu entries, %lld bytes), image %s", str_quote(display), st.digest,
	             st.files, st.size, image_id);
	*id = xstrdup(image_id);
	return 0;
}

int img_layers_open(struct state_store *s, int *fd, struct burrow_err **err)
{
	cleanup_free char *layers = ovl_layers_dir(state_root(s));
	if (mkdir_p(layers, 0700, err) < 0)
		return -1;
	*fd = open(layers, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return burrow_error(err, errno, "cannot open '%s'", layers);
	remove_stale_tmp(*fd);
	return 0;
}

int img_layers_tmpfile(int layersfd, struct burrow_err **err)
{
	int fd = openat(layersfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	burrow_error(err, errno, "cannot create a temporary file in the layer store");
	char link[64], path[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", layersfd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	return state_fs_explain("layer store", n > 0 ? path : "layers", layersfd, "--root", err);
}

int img_layer_extract(int layersfd, struct img_decomp *dc, const char *display, struct img_unpack_stats *st, char **tmp,
                      struct burrow_err **err)
{
	return extract_layer(layersfd, dc, -1, display, st, tmp, err);
}

int img_layer_place(int layersfd, const char *tmp, const char *id, struct img_unpack_stats *st, struct burrow_err **err)
{
	return place_layer(NULL, layersfd, tmp, id, st, err);
}

void img_layer_remove_tmp(int layersfd, const char *tmp)
{
	remove_tmp(layersfd, tmp);
}

/* --- lookup and listing --------------------------------------------------- */

/* What a lookup found: the image, and the name that led to it (a tag, or
 * the REPO@DIGEST it was found by; NULL when found by ID). */
struct hit {
	struct img_info *info;
	char *name;
	char *damaged; /* on failure: the ID of the image found, whose record cannot be read */
};

static int found(struct state_store *s, const char *ref, const char *id, const char *name, struct hit *out,
                 struct burrow_err **err);

struct collect {
	struct state_store *s;
	struct img_info **list;
	size_t n, cap;
	char **ids;              /* for prefix lookups */
	const char *suffix;      /* "/PATH:TAG" for short-name lookups */
	const char *repo_digest; /* REPO@DIGEST, or with suffix "/PATH@DIGEST" */
};

static int collect_image(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)err;
	struct collect *c = data;
	cleanup_record struct img_record r = {0};
	cleanup_err struct burrow_err *bad = NULL;
	if (img_record_parse(key, json, &r, &bad) < 0) {
		/* as ps's: one unreadable record must not hide the others */
		burrow_warn("image %.12s: its record cannot be read: skipped", str_quote(key + strlen("img/")));
		return 0;
	}
	struct img_info *i = info_from_record(state_root(c->s), &r);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->list = xrealloc(c->list, c->cap * sizeof(*c->list));
	}
	c->list[c->n++] = i;
	return 0;
}

static int collect_id(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)json;
	(void)err;
	struct collect *c = data;
	strv_append(&c->ids, key + strlen("img/"));
	return strv_len(c->ids) > 8 ? 1 : 0;
}

static int collect_short(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)err;
	struct collect *c = data;
	if (!str_has_suffix(key, c->suffix))
		return 0;
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(json, &e);
	if (v && YAJL_IS_STRING(v) && !strv_contains(c->ids, YAJL_GET_STRING(v))) {
		strv_append(&c->ids, YAJL_GET_STRING(v));
		strv_append(&c->ids, key + strlen("tag/"));
	}
	return 0;
}

/* Images whose repo digests hold c->repo_digest (with c->suffix set: end
 * with it): ID, matching repo digest, ... */
static int collect_digest(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)err;
	struct collect *c = data;
	cleanup_record struct img_record r = {0};
	cleanup_err struct burrow_err *bad = NULL;
	if (img_record_parse(key, json, &r, &bad) < 0) {
		/* as images': one unreadable record must not hide the others */
		burrow_warn("image %.12s: its record cannot be read: skipped", str_quote(key + strlen("img/")));
		return 0;
	}
	for (size_t i = 0; r.digests[i]; i++) {
		bool hit = c->suffix ? str_has_suffix(r.digests[i], c->repo_digest)
		                     : strcmp(r.digests[i], c->repo_digest) == 0;
		if (hit) {
			strv_append(&c->ids, r.id);
			strv_append(&c->ids, r.digests[i]);
			break;
		}
	}
	return 0;
}

/* Found one image among the ID/name pairs, or none, or an ambiguity. */
static int one_of(struct state_store *s, const char *ref, char **pairs, struct hit *out, struct burrow_err **err)
{
	size_t np = strv_len(pairs) / 2;
	if (np == 0)
		return 1;
	if (np == 1)
		return found(s, ref, pairs[0], pairs[1], out, err);
	cleanup_free char *names = xstrdup(pairs[1]);
	for (size_t i = 1; i < np; i++) {
		char *t = xasprintf("%s, %s", names, pairs[2 * i + 1]);
		free(names);
		names = t;
	}
	burrow_error_status(err, EINVAL, "image name '%s' is ambiguous: %s", str_quote(ref), names);
	return burrow_error_hint(err, "give the full name");
}

static int lookup_digest(struct state_store *s, const char *ref, const struct img_ref *r, struct hit *out,
                         struct burrow_err **err)
{
	cleanup_free char *norm = img_ref_normalize(r);
	cleanup_free char *suffix = xasprintf("/%s@%s", r->path, r->digest);
	struct collect c = {.s = s, .repo_digest = r->domain ? norm : suffix, .suffix = r->domain ? NULL : suffix};
	int e = state_each(s, STATE_DB, "img/", collect_digest, &c, err);
	cleanup_strv char **pairs = c.ids;
	if (e < 0)
		return -1;
	return one_of(s, ref, pairs, out, err);
}

static int by_created_desc(const void *a, const void *b)
{
	const struct img_info *x = *(struct img_info *const *)a, *y = *(struct img_info *const *)b;
	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	return strcmp(x->id, y->id);
}

int img_list(struct state_store *s, struct img_info ***out, size_t *n, struct burrow_err **err)
{
	struct collect c = {.s = s};
	if (state_each(s, STATE_DB, "img/", collect_image, &c, err) < 0) {
		img_info_list_free(c.list, c.n);
		return -1;
	}
	if (c.n)
		qsort(c.list, c.n, sizeof(*c.list), by_created_desc);
	*out = c.list ? c.list : xcalloc(1, sizeof(*c.list));
	*n = c.n;
	return 0;
}

static int not_known(const char *ref, struct burrow_err **err)
{
	burrow_error_status(err, ENOENT, "image '%s' not known", str_quote(ref));
	return burrow_error_hint(err, "'burrow images' lists the images here; 'burrow import TARBALL NAME' adds one");
}

static int found(struct state_store *s, const char *ref, const char *id, const char *name, struct hit *out,
                 struct burrow_err **err)
{
	int r = load_image(s, id, &out->info, err);
	if (r == 1)
		return not_known(ref, err);
	if (r < 0 && (*err)->status == EIO)
		out->damaged = xstrdup(id);
	if (r == 0)
		out->name = name ? xstrdup(name) : NULL;
	return r;
}

/* A short name that a registries.conf alias names: the image under the
 * full name; 1 when there is none (a registries.conf that cannot be read
 * is pull's to report, not a lookup's). */
static int lookup_alias(struct state_store *s, const char *ref, const struct img_ref *r, struct hit *out,
                        struct burrow_err **err)
{
	__attribute__((cleanup(img_registries_clear))) struct img_registries regs = {0};
	cleanup_err struct burrow_err *e = NULL;
	if (img_registries_load(&regs, &e) < 0)
		return 1;
	for (size_t i = 0; regs.alias_names && regs.alias_names[i]; i++) {
		if (strcmp(regs.alias_names[i], r->path) != 0 || !*regs.alias_values[i])
			continue;
		cleanup_free char *full = r->digest
		                              ? xasprintf("%s@%s", regs.alias_values[i], r->digest)
		                              : xasprintf("%s:%s", regs.alias_values[i], r->tag ? r->tag : "latest");
		struct img_ref a;
		if (img_ref_parse(full, &a, &e) < 0)
			return 1;
		int rc;
		if (a.digest) {
			rc = lookup_digest(s, ref, &a, out, err);
		} else {
			cleanup_free char *norm = img_ref_normalize(&a);
			cleanup_free char *id = NULL;
			rc = img_tag_get(s, norm, &id, err);
			if (rc == 0)
				rc = found(s, ref, id, norm, out, err);
		}
		img_ref_clear(&a);
		return rc;
	}
	return 1;
}

static int lookup(struct state_store *s, const char *ref, struct hit *out, struct burrow_err **err)
{
	if (!ref || !*ref)
		return not_known("", err);
	const char *hex = str_has_prefix(ref, "sha256:") ? ref + 7 : ref;
	if (strlen(hex) == 64 && img_is_hex(hex))
		return found(s, ref, hex, NULL, out, err);

	struct img_ref r;
	cleanup_err struct burrow_err *perr = NULL;
	if (hex == ref && img_ref_parse(ref, &r, &perr) == 0) {
		if (r.digest) {
			int d = lookup_digest(s, ref, &r, out, err);
			if (d == 1 && !r.domain)
				d = lookup_alias(s, ref, &r, out, err);
			img_ref_clear(&r);
			return d == 1 ? not_known(ref, err) : d;
		}
		cleanup_free char *norm = img_ref_normalize(&r);
		cleanup_free char *id = NULL;
		int g = img_tag_get(s, norm, &id, err);
		if (g < 0) {
			img_ref_clear(&r);
			return -1;
		}
		if (g == 0) {
			img_ref_clear(&r);
			return found(s, ref, id, norm, out, err);
		}
		if (!r.domain) {
			/* a short name matches NAME:TAG under any registry */
			cleanup_free char *suffix = xasprintf("/%s:%s", r.path, r.tag ? r.tag : "latest");
			struct collect c = {.s = s, .suffix = suffix};
			int e = state_each(s, STATE_DB, "tag/", collect_short, &c, err);
			cleanup_strv char **pairs = c.ids;
			int o = e < 0 ? -1 : one_of(s, ref, pairs, out, err);
			if (o == 1)
				o = lookup_alias(s, ref, &r, out, err);
			img_ref_clear(&r);
			if (o <= 0)
				return o;
		} else {
			img_ref_clear(&r);
		}
	}

	if (img_is_hex(hex)) {
		cleanup_free char *prefix = xasprintf("img/%s", hex);
		struct collect c = {.s = s};
		int e = state_each(s, STATE_DB, prefix, collect_id, &c, err);
		cleanup_strv char **ids = c.ids;
		if (e < 0)
			return -1;
		if (strv_len(ids) == 1)
			return found(s, ref, ids[0], NULL, out, err);
		if (strv_len(ids) > 1) {
			burrow_error_status(err, EINVAL, "image ID prefix '%s' is ambiguous", str_quote(ref));
			return burrow_error_hint(err, "give more characters of the ID");
		}
	}
	return not_known(ref, err);
}

int img_lookup(struct state_store *s, const char *ref, struct img_info **out, struct burrow_err **err)
{
	struct hit h = {0};
	if (lookup(s, ref, &h, err) < 0) {
		free(h.damaged);
		return -1;
	}
	free(h.name);
	*out = h.info;
	return 0;
}

int img_lookup_name(struct state_store *s, const char *ref, struct img_info **out, char **name, struct burrow_err **err)
{
	struct hit h = {0};
	if (lookup(s, ref, &h, err) < 0) {
		free(h.damaged);
		return -1;
	}
	*out = h.info;
	*name = h.name;
	return 0;
}

int img_lookup_removable(struct state_store *s, const char *ref, struct img_info **out, char **name, char **damaged,
                         struct burrow_err **err)
{
	struct hit h = {0};
	*damaged = NULL;
	if (lookup(s, ref, &h, err) < 0) {
		if (!h.damaged)
			return -1;
		burrow_err_free(*err);
		*err = NULL;
		*damaged = h.damaged;
		*out = NULL;
		*name = NULL;
		return 0;
	}
	*out = h.info;
	*name = h.name;
	return 0;
}
