/* The one path that stores an image from its manifest, configuration and
 * layer blobs, wherever the blobs come from (a registry, an OCI layout, a
 * tar archive: struct img_blob_source).
 *
 * img_fetch_layers parses the configuration, then starts up to
 * o->parallel threads that each take the next missing layer (largest
 * first), read it from the source (which checks the blob's digest and size)
 * and unpack it while it arrives (img_decomp verifies the compression), check
 * its diff ID and rename it into layers/<chain id>. A layer is fetched
 * under a lock file of its own (layers/.locks/<chain id>.lock), so two
 * pulls or loads that share layers never unpack one twice: the second
 * finds it in place. The threads never touch the state store;
 * img_fetch_store stores every record in one transaction. Until then the
 * layers stay in use (their lock's USE byte), and img_fetch_free after a
 * failure takes away those this fetch placed. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

#define DEFAULT_PARALLEL 6
#define PROGRESS_MS 100

struct job {
	const struct img_descriptor *desc;
	const char *diff_id;
	const char *chain_id;
	int lockfd;        /* layers/.locks/<chain id>.lock: USE held until the image is stored */
	atomic_int state;  /* enum img_layer_state */
	atomic_llong done; /* bytes of the blob */
	struct img_unpack_stats st;
	bool fetched;
};

struct image_config {
	char **diff_ids;
	struct img_config run;
	char *arch, *os, *variant;
	long long created;
};

struct img_fetch {
	struct state_store *s;
	const struct img_fetch_opts *o;
	const struct img_blob_source *src;
	const struct img_manifest *m;
	char *config;
	char id[65];
	struct image_config c;
	char **chain;
	int layersfd;
	struct job *jobs;
	size_t njobs;
	size_t *order; /* jobs to fetch, largest first */
	size_t norder;
	atomic_size_t next;
	atomic_bool cancel;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t running;
	struct burrow_err *err; /* the first failure */
};

void img_note(img_progress_fn progress, void *data, const char *fmt, ...)
{
	if (!progress)
		return;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *m = xvasprintf(fmt, ap);
	va_end(ap);
	struct img_progress p = {.kind = IMG_PROGRESS_NOTE, .note = m};
	progress(&p, data);
}

static void report(const struct img_fetch *r, enum img_progress_kind kind)
{
	if (!r->o->progress)
		return;
	struct img_progress_layer *l = xcalloc(r->njobs ? r->njobs : 1, sizeof(*l));
	for (size_t i = 0; i < r->njobs; i++) {
		l[i].digest = r->jobs[i].desc->digest;
		l[i].total = r->jobs[i].desc->size;
		l[i].done = atomic_load(&r->jobs[i].done);
		l[i].state = atomic_load(&r->jobs[i].state);
	}
	struct img_progress p = {.kind = kind, .layers = l, .nlayers = r->njobs};
	r->o->progress(&p, r->o->progress_data);
	free(l);
}

/* In the store, with the record of its tar (tarsplit.c) that save and
 * push need: a layer an older burrow stored without one is fetched again,
 * and img_layer_place adds the record to the layer in place. */
static bool layer_present(int layersfd, const char *chain_id)
{
	cleanup_free char *diff = xasprintf("%s/diff", chain_id);
	struct stat sb;
	return fstatat(layersfd, diff, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode) &&
	       img_layer_has_tar_record(layersfd, chain_id);
}

/* --- the layer threads ------------------------------------------------------------- */

/* Reads a layer from the source, unpacking it while it arrives, and puts it in place. */
static int download(struct img_fetch *r, struct job *j, struct burrow_err **err)
{
	atomic_store(&j->state, IMG_LAYER_FETCHING);
	img_read_fn *read = NULL;
	void *ctx = NULL;
	if (r->src->open(r->src->data, j->desc, &j->done, &r->cancel, &read, &ctx, err) < 0)
		return -1;
	cleanup_free char *tmp = NULL;
	struct img_decomp *dc = img_decomp_open(read, ctx, err);
	int rc = dc ? img_layer_extract(r->layersfd, dc, j->desc->digest, &j->st, &tmp, err) : -1;
	img_decomp_free(dc);
	struct burrow_err *be = r->src->close(r->src->data, ctx);
	if (rc < 0) {
		if (be) {
			/* the source's own error says more than the unpacker's */
			burrow_err_free(*err);
			*err = be;
		}
		return -1;
	}
	burrow_err_free(be);
	if (strcmp(j->st.digest, j->diff_id + 7) != 0) {
		img_layer_remove_tmp(r->layersfd, tmp);
		burrow_error(err, 0, "its content is sha256:%s, not the diff ID %s that the image configuration names",
		             j->st.digest, j->diff_id);
		return burrow_error_hint(err, "the image is broken; nothing of it was kept");
	}
	if (img_layer_place(r->layersfd, tmp, j->chain_id, &j->st, err) < 0)
		return -1;
	j->fetched = true;
	atomic_store(&j->state, IMG_LAYER_DONE);
	return 0;
}

/* One layer: in the store already, or fetched now; either way it stays in
 * use by this fetch (j->lockfd) until its image is stored. */
static int fetch_layer(struct img_fetch *r, struct job *j, struct burrow_err **err)
{
	cleanup_close int fd = img_layer_lock_open(r->layersfd, j->chain_id, err);
	if (fd < 0)
		return -1;
	if (img_layer_lock(fd, IMG_LOCK_FETCH, F_WRLCK, 0, NULL) < 0) {
		burrow_debug("layer %s: another burrow is fetching it; waiting", j->chain_id);
		atomic_store(&j->state, IMG_LAYER_WAITING);
		if (img_layer_lock(fd, IMG_LOCK_FETCH, F_WRLCK, IMG_LAYER_LOCK_WAIT_S * 1000L, &r->cancel) < 0) {
			if (atomic_load(&r->cancel))
				return burrow_error_status(err, ECANCELED, "cancelled");
			if (errno == EWOULDBLOCK)
				return burrow_error(
				    err, 0, "timed out after %d s waiting for it: another burrow is fetching it",
				    IMG_LAYER_LOCK_WAIT_S);
			return burrow_error(err, errno, "cannot lock it");
		}
	}
	if (layer_present(r->layersfd, j->chain_id)) {
		atomic_store(&j->done, j->desc->size);
		atomic_store(&j->state, IMG_LAYER_EXISTS);
	} else if (download(r, j, err) < 0) {
		return -1;
	}
	/* a remover holds FETCH while it takes USE: this does not wait */
	if (img_layer_lock(fd, IMG_LOCK_USE, F_RDLCK, 1000, NULL) < 0)
		return burrow_error(err, errno, "cannot lock it");
	img_layer_unlock(fd, IMG_LOCK_FETCH);
	j->lockfd = steal_fd(fd);
	return 0;
}

/* Lets go of every layer; after a failure, the layers this fetch placed go
 * again (nothing is stored), unless another pull uses them by now. */
static void release_layers(struct img_fetch *r, bool failed)
{
	for (size_t i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		if (j->lockfd < 0)
			continue;
		if (failed && j->fetched) {
			img_layer_unlock(j->lockfd, IMG_LOCK_USE);
			if (img_layer_lock(j->lockfd, IMG_LOCK_FETCH, F_WRLCK, 5000, NULL) == 0 &&
			    img_layer_lock(j->lockfd, IMG_LOCK_USE, F_WRLCK, 0, NULL) == 0) {
				cleanup_err struct burrow_err *e = NULL;
				if (rm_rf_at(r->layersfd, j->chain_id, &e) < 0)
					burrow_debug("cannot remove layer %s of the failed pull: %s", j->chain_id,
					             e->msg);
			}
		}
		close(j->lockfd);
		j->lockfd = -1;
	}
}

static void *worker(void *arg)
{
	struct img_fetch *r = arg;
	sigset_t old;
	img_http_block_sigpipe(&old); /* for this thread's whole (short) life */
	for (;;) {
		size_t k = atomic_fetch_add(&r->next, 1);
		if (k >= r->norder || atomic_load(&r->cancel))
			break;
		struct job *j = &r->jobs[r->order[k]];
		struct burrow_err *e = NULL;
		if (fetch_layer(r, j, &e) < 0) {
			burrow_error_wrap(&e, "layer %s", j->desc->digest);
			pthread_mutex_lock(&r->lock);
			if (!r->err || (r->err->status == ECANCELED && e->status != ECANCELED)) {
				burrow_err_free(r->err);
				r->err = e;
			} else {
				burrow_err_free(e);
			}
			pthread_mutex_unlock(&r->lock);
			atomic_store(&r->cancel, true);
			break;
		}
	}
	pthread_mutex_lock(&r->lock);
	r->running--;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static int by_size_desc(const void *a, const void *b, void *data)
{
	const struct job *jobs = data;
	long long x = jobs[*(const size_t *)a].desc->size, y = jobs[*(const size_t *)b].desc->size;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Fetches the layers that are not in the store, reporting progress. */
static int fetch_all(struct img_fetch *r, struct burrow_err **err)
{
	r->order = xcalloc(r->njobs ? r->njobs : 1, sizeof(size_t));
	for (size_t i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		if (!layer_present(r->layersfd, j->chain_id)) {
			r->order[r->norder++] = i;
			continue;
		}
		/* here already: taken into use at once, no thread needed */
		if (fetch_layer(r, j, err) < 0)
			return burrow_error_wrap(err, "layer %s", j->desc->digest);
	}
	qsort_r(r->order, r->norder, sizeof(size_t), by_size_desc, r->jobs);
	size_t nthreads = r->o->parallel ? r->o->parallel : DEFAULT_PARALLEL;
	if (nthreads > r->norder)
		nthreads = r->norder;
	pthread_t *threads = xcalloc(nthreads ? nthreads : 1, sizeof(pthread_t));
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < nthreads; i++) {
		if (pthread_create(&threads[i], NULL, worker, r) != 0) {
			nthreads = i;
			if (!r->err)
				burrow_error(&r->err, EAGAIN, "cannot start a download thread");
			atomic_store(&r->cancel, true);
			break;
		}
		r->running++;
	}
	while (r->running > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += PROGRESS_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		/* the threads' waits are bounded (timeouts, lock wait), so is this */
		pthread_cond_timedwait(&r->cond, &r->lock, &ts);
		pthread_mutex_unlock(&r->lock);
		report(r, IMG_PROGRESS_LAYERS);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	for (size_t i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	if (r->err) {
		*err = steal_ptr(r->err);
		return -1;
	}
	report(r, IMG_PROGRESS_LAYERS_END);
	return 0;
}

/* --- configuration ------------------------------------------------------------ */

/* RFC 3339 ("2024-05-01T12:34:56.123456789Z", "...+02:00") to unix seconds. */
static long long parse_time(const char *s)
{
	struct tm tm = {0};
	int n = 0;
	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	                 &tm.tm_sec, &n) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	long long t = (long long)timegm(&tm);
	const char *p = s + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	int oh = 0, om = 0;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%d:%d", &oh, &om) == 2)
		t -= (*p == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
	return t;
}

static void image_config_clear(struct image_config *c)
{
	strv_free(c->diff_ids);
	img_config_clear(&c->run);
	free(c->arch);
	free(c->os);
	free(c->variant);
}

static int parse_config(const char *body, size_t len, size_t nlayers, struct image_config *c, struct burrow_err **err)
{
	if (memchr(body, '\0', len))
		return burrow_error(err, 0, "it is not JSON (it has a NUL byte)");
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(body, &e);
	if (!v || !YAJL_IS_OBJECT(v))
		return burrow_error(err, 0, "it is not a JSON object%s%s", e ? ": " : "", e ? e->msg : "");
	yajl_val rootfs = json_get(v, "rootfs");
	const char *type = rootfs ? json_get_str(rootfs, "type") : NULL;
	if (!type || strcmp(type, "layers") != 0)
		return burrow_error(err, 0, "its rootfs.type is not \"layers\"");
	c->diff_ids = json_get_strv(rootfs, "diff_ids");
	yajl_val ids = json_get(rootfs, "diff_ids");
	if (!c->diff_ids || ids->u.array.len != strv_len(c->diff_ids))
		return burrow_error(err, 0, "its rootfs.diff_ids is not a list of digests");
	if (strv_len(c->diff_ids) != nlayers)
		return burrow_error(err, 0, "it names %zu layers (rootfs.diff_ids) but the manifest has %zu",
		                    strv_len(c->diff_ids), nlayers);
	for (size_t i = 0; c->diff_ids[i]; i++)
		if (!img_digest_valid(c->diff_ids[i]))
			return burrow_error(err, 0, "diff ID '%s' is not sha256:<64 hex digits>",
			                    str_quote(c->diff_ids[i]));
	img_config_from_json(json_get(v, "config"), &c->run);
	const char *s;
	c->arch = (s = json_get_str(v, "architecture")) && *s ? xstrdup(s) : NULL;
	c->os = (s = json_get_str(v, "os")) && *s ? xstrdup(s) : NULL;
	c->variant = (s = json_get_str(v, "variant")) && *s ? xstrdup(s) : NULL;
	c->created = parse_time(json_get_str(v, "created"));
	return 0;
}

/* The layer record to store for job j: what the store knew of it (when it
 * was there) completed with what this fetch learned. */
static struct img_layer_record *layer_record(struct state_store *s, const struct job *j, const char *parent)
{
	struct img_layer_record *l = xcalloc(1, sizeof(*l));
	cleanup_err struct burrow_err *e = NULL;
	if (j->fetched || img_layer_get(s, j->chain_id, l, &e) != 0) {
		/* fetched now, or placed by a pull that died before it stored its
		 * image (then its size is not known) */
		img_layer_record_clear(l);
		l->id = xstrdup(j->chain_id);
		l->size = j->fetched ? j->st.size : 0;
		l->squashed = j->fetched ? (long long)j->st.squashed : 0;
	}
	if (!l->parent && parent)
		l->parent = xstrdup(parent);
	if (!l->diff_id)
		l->diff_id = xstrdup(j->diff_id);
	if (!l->compressed_digest) {
		l->compressed_digest = xstrdup(j->desc->digest);
		l->compressed_size = j->desc->size;
		free(l->media_type);
		l->media_type = j->desc->media_type ? xstrdup(j->desc->media_type) : NULL;
	}
	return l;
}

/* --- the two steps --------------------------------------------------------------------- */

int img_fetch_layers(struct state_store *s, const struct img_blob_source *src, const struct img_manifest *m,
                     const char *config, size_t config_len, const struct img_fetch_opts *o, struct img_fetch **out,
                     struct burrow_err **err)
{
	const char *name = o->name;
	struct img_fetch *r = xcalloc(1, sizeof(*r));
	r->s = s;
	r->o = o;
	r->src = src;
	r->m = m;
	r->layersfd = -1;
	r->config = xmalloc(config_len + 1);
	memcpy(r->config, config, config_len);
	r->config[config_len] = '\0';
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	atomic_init(&r->next, 0);
	atomic_init(&r->cancel, false);
	*out = r;
	if (img_sha256_hex(config, config_len, r->id, err) < 0)
		return -1;
	if (parse_config(config, config_len, m->nlayers, &r->c, err) < 0)
		return burrow_error_wrap(err, "configuration %s of '%s'", m->config.digest, name);
	if (o->platform && r->c.arch && r->c.os &&
	    (strcmp(r->c.os, o->platform->os) != 0 || strcmp(r->c.arch, o->platform->arch) != 0)) {
		cleanup_free char *have = img_platform_string(r->c.os, r->c.arch, r->c.variant);
		cleanup_free char *want = img_platform_string(o->platform->os, o->platform->arch, NULL);
		burrow_warn("image '%s' is for %s, not %s", name, have, want);
	}
	if (img_chain_ids(r->c.diff_ids, &r->chain, err) < 0)
		return burrow_error_wrap(err, "configuration of '%s'", name);
	if (img_layers_open(s, &r->layersfd, err) < 0)
		return -1;
	r->njobs = m->nlayers;
	r->jobs = xcalloc(m->nlayers ? m->nlayers : 1, sizeof(*r->jobs));
	for (size_t i = 0; i < m->nlayers; i++) {
		r->jobs[i].desc = &m->layers[i];
		r->jobs[i].diff_id = r->c.diff_ids[i];
		r->jobs[i].chain_id = r->chain[i];
		r->jobs[i].lockfd = -1;
		atomic_init(&r->jobs[i].state, IMG_LAYER_QUEUED);
		atomic_init(&r->jobs[i].done, 0);
	}
	return fetch_all(r, err);
}

int img_fetch_store(struct img_fetch *r, const struct img_fetch_image *what, struct burrow_err **err)
{
	const struct img_manifest *m = r->m;
	struct img_layer_record **records = xcalloc(m->nlayers ? m->nlayers : 1, sizeof(*records));
	long long size = 0;
	for (size_t i = 0; i < m->nlayers; i++) {
		records[i] = layer_record(r->s, &r->jobs[i], i ? r->chain[i - 1] : NULL);
		size += records[i]->size;
	}
	struct img_commit commit = {
	    .id = r->id,
	    .config_blob = r->config,
	    .manifest = what->manifest,
	    .manifest_type = what->manifest ? m->media_type : what->manifest_type,
	    .digest = what->digest,
	    .repo_digests = what->repo_digests,
	    .reference = what->reference,
	    .references = what->references,
	    .layer_ids = r->chain,
	    .layers = records,
	    .nlayers = m->nlayers,
	    .created = r->c.created,
	    .size = size,
	    .config = &r->c.run,
	    .arch = r->c.arch,
	    .os = r->c.os,
	    .variant = r->c.variant,
	};
	int rc = img_store_image(r->s, &commit, err);
	for (size_t i = 0; i < m->nlayers; i++) {
		img_layer_record_clear(records[i]);
		free(records[i]);
	}
	free(records);
	return rc;
}

const char *img_fetch_id(const struct img_fetch *r)
{
	return r->id;
}

void img_fetch_free(struct img_fetch *r, bool failed)
{
	if (!r)
		return;
	release_layers(r, failed);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	free(r->order);
	free(r->jobs);
	strv_free(r->chain);
	image_config_clear(&r->c);
	free(r->config);
	if (r->layersfd >= 0)
		close(r->layersfd);
	burrow_err_free(r->err);
	free(r);
}
