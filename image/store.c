/* Image and layer records, import of rootfs tarballs, lookup and listing. */
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
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
#include "state/state.h"

void img_info_free(struct img_info *i)
{
	if (!i)
		return;
	free(i->id);
	strv_free(i->names);
	strv_free(i->layers);
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

/* An image record as stored: names and layer IDs (not directories). */
struct raw_image {
	char *id;
	char **names;     /* never NULL once loaded */
	char **layer_ids; /* never NULL once loaded */
	long long created, size;
	struct img_config config;
};

static void raw_image_clear(struct raw_image *r)
{
	free(r->id);
	strv_free(r->names);
	strv_free(r->layer_ids);
	img_config_clear(&r->config);
	memset(r, 0, sizeof(*r));
}
#define cleanup_raw_image __attribute__((cleanup(raw_image_clear)))

static int parse_raw(const char *key, const char *json, struct raw_image *r, struct burrow_err **err)
{
	memset(r, 0, sizeof(*r));
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(json, &e);
	const char *id = v ? json_get_str(v, "id") : NULL;
	if (!id || !img_is_hex(id))
		return burrow_error(err, EIO, "image record '%s' is corrupt", key);
	r->id = xstrdup(id);
	r->names = json_get_strv(v, "names");
	if (!r->names)
		r->names = xcalloc(1, sizeof(char *));
	r->layer_ids = json_get_strv(v, "layers");
	if (!r->layer_ids)
		r->layer_ids = xcalloc(1, sizeof(char *));
	r->created = json_get_int(v, "created", 0);
	r->size = json_get_int(v, "size", 0);
	img_config_from_json(json_get(v, "config"), &r->config);
	return 0;
}

/* 0 found, 1 not found, -1 error. */
static int load_raw(struct state_store *s, const char *id, struct raw_image *r, struct burrow_err **err)
{
	memset(r, 0, sizeof(*r));
	cleanup_free char *key = xasprintf("img/%s", id);
	cleanup_free char *json = NULL;
	int rc = state_get(s, STATE_DB, key, &json, err);
	if (rc != 0)
		return rc;
	return parse_raw(key, json, r, err);
}

static int save_raw(struct state_store *s, const struct raw_image *r, struct burrow_err **err)
{
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "id", r->id);
	jg_key_strv(g, "names", r->names);
	jg_key_int(g, "created", r->created);
	jg_key_int(g, "size", r->size);
	jg_key_strv(g, "layers", r->layer_ids);
	jg_key(g, "config");
	img_config_gen(g, &r->config);
	jg_map_close(g);
	cleanup_free char *json = json_gen_finish(g);
	cleanup_free char *key = xasprintf("img/%s", r->id);
	return state_put(s, STATE_DB, key, json, err);
}

/* Takes r's contents (r is left empty); layer IDs become directories. */
static struct img_info *info_from_raw(const char *root, struct raw_image *r)
{
	struct img_info *i = xcalloc(1, sizeof(*i));
	i->id = steal_ptr(r->id);
	i->names = steal_ptr(r->names);
	i->created = r->created;
	i->size = r->size;
	i->layers = xcalloc(1, sizeof(char *));
	for (size_t k = 0; r->layer_ids[k]; k++)
		strv_append_take(&i->layers, ovl_layer_dir(root, r->layer_ids[k]));
	i->config = r->config;
	memset(&r->config, 0, sizeof(r->config));
	return i;
}

/* 0 found, 1 not found, -1 error. */
static int load_image(struct state_store *s, const char *id, struct img_info **out, struct burrow_err **err)
{
	cleanup_raw_image struct raw_image r = {0};
	int rc = load_raw(s, id, &r, err);
	if (rc != 0)
		return rc;
	*out = info_from_raw(state_root(s), &r);
	return 0;
}

static char *json_string(const char *s)
{
	yajl_gen g = json_gen_new();
	jg_str(g, s);
	return json_gen_finish(g);
}

/* The image ID a tag points at: 0 found, 1 not found, -1 error. */
static int get_tag(struct state_store *s, const char *ref, char **id, struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("tag/%s", ref);
	cleanup_free char *json = NULL;
	int r = state_get(s, STATE_DB, key, &json, err);
	if (r != 0)
		return r;
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(json, &e);
	if (!v || !YAJL_IS_STRING(v) || !img_is_hex(YAJL_GET_STRING(v)))
		return burrow_error(err, EIO, "tag record '%s' is corrupt", key);
	*id = xstrdup(YAJL_GET_STRING(v));
	return 0;
}

/* --- import ------------------------------------------------------------- */

static const char *oci_arch(void)
{
	static struct utsname u;
	if (uname(&u) < 0)
		return "amd64";
	static const char *map[][2] = {{"x86_64", "amd64"}, {"aarch64", "arm64"}, {"armv7l", "arm"},
	                               {"armv6l", "arm"},   {"i686", "386"},      {"i386", "386"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(u.machine, map[i][0]) == 0)
			return map[i][1];
	return u.machine;
}

/* The OCI image configuration; its sha256 is the image ID. */
static char *oci_config(const char *layer_digest, const struct timespec *created, const struct img_config *c)
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
	jg_key_str(g, "architecture", oci_arch());
	jg_key_str(g, "os", "linux");
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

struct tx_guard {
	struct state_store *s;
	bool open;
};

static void tx_guard_cancel(struct tx_guard *g)
{
	if (g->open)
		state_tx_cancel(g->s, STATE_DB);
}

static int put_layer_record(struct state_store *s, const char *layer_id, long long size, unsigned long squashed,
                            struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("layer/%s", layer_id);
	cleanup_free char *digest = xasprintf("sha256:%s", layer_id);
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "id", layer_id);
	jg_key_str(g, "digest", digest);
	jg_key_int(g, "size", size);
	jg_key_int(g, "squashed", (long long)squashed);
	jg_map_close(g);
	cleanup_free char *json = json_gen_finish(g);
	return state_put(s, STATE_DB, key, json, err);
}

/* Points tag ref at image_id; the image it pointed at before loses the name. */
static int move_tag(struct state_store *s, const char *ref, const char *image_id, struct burrow_err **err)
{
	cleanup_free char *old = NULL;
	int r = get_tag(s, ref, &old, err);
	if (r < 0)
		return -1;
	if (r == 0 && strcmp(old, image_id) != 0) {
		cleanup_raw_image struct raw_image prev = {0};
		r = load_raw(s, old, &prev, err);
		if (r < 0)
			return -1;
		if (r == 0) {
			size_t k = 0;
			for (size_t i = 0; prev.names[i]; i++) {
				if (strcmp(prev.names[i], ref) == 0)
					free(prev.names[i]);
				else
					prev.names[k++] = prev.names[i];
			}
			prev.names[k] = NULL;
			if (save_raw(s, &prev, err) < 0)
				return -1;
		}
	}
	cleanup_free char *key = xasprintf("tag/%s", ref);
	cleanup_free char *json = json_string(image_id);
	return state_put(s, STATE_DB, key, json, err);
}

/* All records of one import in one transaction. */
static int store_records(struct state_store *s, const char *image_id, const struct img_unpack_stats *st,
                         long long created, const struct img_import_opts *opts, struct burrow_err **err)
{
	__attribute__((cleanup(tx_guard_cancel))) struct tx_guard tx = {s, false};
	if (state_tx_begin(s, STATE_DB, err) < 0)
		return -1;
	tx.open = true;
	const char *layer_id = st->digest;
	if (put_layer_record(s, layer_id, st->size, st->squashed, err) < 0)
		return -1;
	cleanup_raw_image struct raw_image img = {0};
	int r = load_raw(s, image_id, &img, err);
	if (r < 0)
		return -1;
	if (r == 1) {
		img.id = xstrdup(image_id);
		img.names = xcalloc(1, sizeof(char *));
		img.layer_ids = xcalloc(1, sizeof(char *));
		strv_append(&img.layer_ids, layer_id);
		img.created = created;
		img.size = st->size;
		img_config_copy(&img.config, opts->config);
	}
	if (opts->reference) {
		if (move_tag(s, opts->reference, image_id, err) < 0)
			return -1;
		if (!strv_contains(img.names, opts->reference))
			strv_append(&img.names, opts->reference);
	}
	if (save_raw(s, &img, err) < 0)
		return -1;
	tx.open = false;
	return state_tx_commit(s, STATE_DB, err);
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

static char *tmp_name(void)
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

/* Extracts the tarball into layers/<*tmp>/diff, a new directory. */
static int extract_layer(int layersfd, int fd, const char *display, struct img_unpack_stats *st, char **tmp,
                         struct burrow_err **err)
{
	remove_stale_tmp(layersfd);
	cleanup_free char *name = tmp_name();
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
	int r = img_unpack(fd, rootfd, display, st, err);
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
	cleanup_free char *key = xasprintf("layer/%s", layer_id);
	cleanup_free char *json = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (state_get(s, STATE_DB, key, &json, &e) != 0)
		return 0;
	cleanup_yajl yajl_val v = json_parse(json, &e);
	long long n = v ? json_get_int(v, "squashed", 0) : 0;
	return n > 0 ? (unsigned long)n : 0;
}

/* Moves the extracted tmp to layers/<digest>. A layer already there is
 * kept (tmp is removed) unless it was unpacked in a namespace that mapped
 * fewer owners (after `burrow system migrate` with a new subordinate
 * range): then tmp takes its place. st->squashed ends up describing the
 * layer in place. */
static int place_layer(struct state_store *s, int layersfd, const char *tmp, struct img_unpack_stats *st,
                       struct burrow_err **err)
{
	/* A layer in place is a non-empty directory, which rename(2) does not
	 * replace (EEXIST or ENOTEMPTY): no need for RENAME_NOREPLACE, which
	 * some filesystems refuse (ZFS before 2.2, some FUSE ones) */
	if (renameat(layersfd, tmp, layersfd, st->digest) == 0)
		return 0;
	int e = errno;
	if (e != EEXIST && e != ENOTEMPTY) {
		remove_tmp(layersfd, tmp);
		return burrow_error(err, e, "cannot move the layer into place");
	}
	unsigned long before = squashed_in_store(s, st->digest);
	if (st->squashed < before) {
		cleanup_free char *old = tmp_name();
		if (renameat(layersfd, st->digest, layersfd, old) == 0) {
			if (renameat(layersfd, tmp, layersfd, st->digest) == 0) {
				burrow_debug("layer %s: unpacked again, %lu owners squashed instead of %lu", st->digest,
				             st->squashed, before);
				remove_tmp(layersfd, old);
				return 0;
			}
			e = errno;
			if (renameat(layersfd, old, layersfd, st->digest) < 0) {
				int e2 = errno;
				remove_tmp(layersfd, tmp);
				return burrow_error(err, e2, "cannot move layer '%s' back into place from '%s'",
				                    st->digest, old);
			}
			burrow_debug("layer %s: cannot replace it: %s", st->digest, strerror(e));
		}
	}
	burrow_debug("layer %s is already in the store", st->digest);
	st->squashed = before;
	remove_tmp(layersfd, tmp);
	return 0;
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
	if (extract_layer(layersfd, srcfd, display, &st, &tmp, err) < 0 || place_layer(s, layersfd, tmp, &st, err) < 0)
		return burrow_error_wrap(err, "cannot import '%s'", str_quote(display));

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long long created = (long long)now.tv_sec;
	cleanup_free char *cfg = oci_config(st.digest, &now, config);
	char image_id[65];
	if (img_sha256_hex(cfg, strlen(cfg), image_id, err) < 0)
		return burrow_error_wrap(err, "cannot import '%s'", str_quote(display));
	struct img_import_opts o = *opts;
	o.config = config;
	if (store_records(s, image_id, &st, created, &o, err) < 0)
		return burrow_error_wrap(err, "cannot import '%s': cannot save the image", str_quote(display));
	burrow_debug("imported '%s': layer %s (%lu entries, %lld bytes), image %s", str_quote(display), st.digest,
	             st.files, st.size, image_id);
	*id = xstrdup(image_id);
	return 0;
}

/* --- lookup and listing --------------------------------------------------- */

struct collect {
	struct state_store *s;
	struct img_info **list;
	size_t n, cap;
	char **ids;         /* for prefix lookups */
	const char *suffix; /* "/PATH:TAG" for short-name lookups */
};

static int collect_image(const char *key, const char *json, void *data, struct burrow_err **err)
{
	struct collect *c = data;
	cleanup_raw_image struct raw_image r = {0};
	if (parse_raw(key, json, &r, err) < 0)
		return -1;
	struct img_info *i = info_from_raw(state_root(c->s), &r);
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

static int found(struct state_store *s, const char *ref, const char *id, struct img_info **out, struct burrow_err **err)
{
	int r = load_image(s, id, out, err);
	if (r == 1)
		return not_known(ref, err);
	return r;
}

int img_lookup(struct state_store *s, const char *ref, struct img_info **out, struct burrow_err **err)
{
	if (!ref || !*ref)
		return not_known("", err);
	const char *hex = str_has_prefix(ref, "sha256:") ? ref + 7 : ref;
	if (strlen(hex) == 64 && img_is_hex(hex))
		return found(s, ref, hex, out, err);

	struct img_ref r;
	cleanup_err struct burrow_err *perr = NULL;
	if (hex == ref && img_ref_parse(ref, &r, &perr) == 0) {
		cleanup_free char *norm = img_ref_normalize(&r);
		cleanup_free char *id = NULL;
		int g = get_tag(s, norm, &id, err);
		if (g < 0) {
			img_ref_clear(&r);
			return -1;
		}
		if (g == 0) {
			img_ref_clear(&r);
			return found(s, ref, id, out, err);
		}
		if (!r.domain) {
			/* a short name matches NAME:TAG under any registry */
			cleanup_free char *suffix = xasprintf("/%s:%s", r.path, r.tag ? r.tag : "latest");
			struct collect c = {.s = s, .suffix = suffix};
			int e = state_each(s, STATE_DB, "tag/", collect_short, &c, err);
			img_ref_clear(&r);
			cleanup_strv char **pairs = c.ids;
			if (e < 0)
				return -1;
			size_t np = strv_len(pairs) / 2;
			if (np == 1)
				return found(s, ref, pairs[0], out, err);
			if (np > 1) {
				cleanup_free char *names = xstrdup(pairs[1]);
				for (size_t i = 1; i < np; i++) {
					char *t = xasprintf("%s, %s", names, pairs[2 * i + 1]);
					free(names);
					names = t;
				}
				burrow_error_status(err, EINVAL, "image name '%s' is ambiguous: %s", str_quote(ref),
				                    names);
				return burrow_error_hint(err, "give the full name");
			}
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
			return found(s, ref, ids[0], out, err);
		if (strv_len(ids) > 1) {
			burrow_error_status(err, EINVAL, "image ID prefix '%s' is ambiguous", str_quote(ref));
			return burrow_error_hint(err, "give more characters of the ID");
		}
	}
	return not_known(ref, err);
}
