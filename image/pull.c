/* burrow pull: from a reference to an image in the store.
 *
 * The pulling thread resolves the name, fetches the manifest (and picks a
 * platform from an index) and the configuration, then starts up to
 * opts->parallel threads that each take the next missing layer (largest
 * first), download it and unpack it while it arrives (img_blob_read feeds
 * the verified decompression, img_decomp, that feeds the unpacker), verify blob digest and diff ID, and rename it into
 * layers/<chain id>. A layer is fetched under a lock file of its own
 * (layers/.locks/<chain id>.lock), so two pulls that share layers never unpack one
 * twice: the second finds it in place. The threads never touch the state
 * store; the pulling thread stores every record in one transaction at the
 * end. */
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

#define MANIFEST_MAX (4 * 1024 * 1024)
#define CONFIG_MAX (8 * 1024 * 1024)
#define DEFAULT_TIMEOUT_S 30
#define DEFAULT_RETRIES 3
#define DEFAULT_PARALLEL 6
#define PROGRESS_MS 100

/* Returned by the steps of one candidate name: the next may be tried. */
#define TRY_NEXT (-1)
#define FINAL (-2)

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

struct run {
	const struct img_pull_opts *o;
	struct img_registry *reg;
	const char *repo; /* at the endpoint */
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

static void note(const struct img_pull_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct img_pull_opts *o, const char *fmt, ...)
{
	if (!o->progress)
		return;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *m = xvasprintf(fmt, ap);
	va_end(ap);
	struct img_progress p = {.kind = IMG_PROGRESS_NOTE, .note = m};
	o->progress(&p, o->progress_data);
}

static void report(const struct run *r, enum img_progress_kind kind)
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

static bool layer_present(int layersfd, const char *chain_id)
{
	cleanup_free char *diff = xasprintf("%s/diff", chain_id);
	struct stat sb;
	return fstatat(layersfd, diff, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode);
}

/* --- the layer threads ------------------------------------------------------------- */

static char *blob_auth(void *data, bool refresh, struct burrow_err **err)
{
	struct run *r = data;
	return img_registry_auth_line(r->reg, r->repo, refresh, err);
}

/* Downloads a layer, unpacking it while it arrives, and puts it in place. */
static int download(struct run *r, struct job *j, struct burrow_err **err)
{
	atomic_store(&j->state, IMG_LAYER_FETCHING);
	cleanup_free char *path = xasprintf("blobs/%s", j->desc->digest);
	cleanup_free char *url = img_registry_url(r->reg, r->repo, path);
	struct img_blob_req rq = {.digest = j->desc->digest,
	                          .size = j->desc->size,
	                          .auth = blob_auth,
	                          .auth_data = r,
	                          .cancel = &r->cancel,
	                          .progress = &j->done};
	img_registry_blob_req(r->reg, url, &rq);
	struct img_blob_stream *bs = NULL;
	if (img_blob_open(&rq, &bs, err) < 0)
		return -1;
	cleanup_free char *tmp = NULL;
	struct img_decomp *dc = img_decomp_open(img_blob_read, bs, err);
	int rc = dc ? img_layer_extract(r->layersfd, dc, j->desc->digest, &j->st, &tmp, err) : -1;
	img_decomp_free(dc);
	struct burrow_err *be = img_blob_take_error(bs);
	img_blob_close(bs);
	if (rc < 0) {
		if (be) {
			/* the download's own error says more than the unpacker's */
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
 * use by this pull (j->lockfd) until its image is stored. */
static int fetch_layer(struct run *r, struct job *j, struct burrow_err **err)
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

/* Lets go of every layer; after a failure, the layers this pull fetched go
 * again (nothing is stored), unless another pull uses them by now. */
static void release_layers(struct run *r, bool failed)
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
	struct run *r = arg;
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
static int fetch_layers(struct run *r, struct burrow_err **err)
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

/* --- manifests and configuration ------------------------------------------------------------ */

/* sha256:<hex> of data. */
static int digest_of(const char *data, size_t len, char out[72], struct burrow_err **err)
{
	char hex[65];
	if (img_sha256_hex(data, len, hex, err) < 0)
		return -1;
	snprintf(out, 72, "sha256:%s", hex);
	return 0;
}

/* GET a manifest or blob that must be there and match digest (NULL: any;
 * then the registry's Docker-Content-Digest, when it sends one, must match). */
static int fetch_doc(struct img_registry *reg, const char *repo, const char *path, const char *accept, size_t max,
                     const char *digest, struct img_http_resp *resp, char got[72], struct burrow_err **err)
{
	if (img_registry_get(reg, repo, path, accept, max, resp, err) < 0)
		return -1;
	cleanup_free char *what = img_registry_url(reg, repo, path);
	if (resp->status != 200)
		return img_registry_status_error(reg, resp, what, err);
	if (digest_of(resp->body, resp->len, got, err) < 0)
		return -1;
	const char *want = digest ? digest : img_digest_valid(resp->docker_digest) ? resp->docker_digest : NULL;
	if (want && strcmp(want, got) != 0) {
		burrow_error(err, 0, "%s: the content is %s, not %s", what, got, want);
		return burrow_error_hint(err, "the registry or something between it and here altered it; nothing was "
		                              "kept");
	}
	return 0;
}

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

struct image_config {
	char **diff_ids;
	struct img_config run;
	char *arch, *os, *variant;
	long long created;
};

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
 * was there) completed with what this pull learned. */
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

struct target {
	const char *name; /* the normalised name pulled (what the image is called) */
	const char *repo; /* its repository: docker.io/library/debian */
	bool by_digest;
};

/* From a manifest (or index) that was found to a stored image. */
static int pull_manifest(struct state_store *s, const struct img_pull_opts *o, struct img_registry *reg,
                         const struct img_endpoint *ep, const struct target *t, struct img_http_resp *top,
                         const char *top_digest, char **id, struct burrow_err **err)
{
	__attribute__((cleanup(img_platform_clear))) struct img_platform pc = {0};
	if (img_platform_init(o->platform, o->os, o->arch, o->variant, &pc, err) < 0)
		return -1;
	__attribute__((cleanup(img_manifest_clear))) struct img_manifest m = {0};
	if (img_manifest_parse(top->body, top->len, top->content_type, &m, err) < 0)
		return burrow_error_wrap(err, "manifest of '%s'", t->name);
	__attribute__((cleanup(img_http_resp_clear))) struct img_http_resp inst = {0};
	const struct img_http_resp *man = top;
	char inst_digest[72];
	snprintf(inst_digest, sizeof(inst_digest), "%s", top_digest);
	if (m.kind == IMG_MANIFEST_INDEX) {
		size_t which = 0;
		if (img_manifest_select(&m, &pc, &which, err) < 0)
			return burrow_error_wrap(err, "'%s'", t->name);
		cleanup_free char *path = xasprintf("manifests/%s", m.manifests[which].digest);
		cleanup_free char *want = xstrdup(m.manifests[which].digest);
		if (fetch_doc(reg, ep->repo, path, img_manifest_accept(), MANIFEST_MAX, want, &inst, inst_digest, err) <
		    0)
			return burrow_error_wrap(err, "cannot pull '%s'", t->name);
		img_manifest_clear(&m);
		if (img_manifest_parse(inst.body, inst.len, inst.content_type, &m, err) < 0)
			return burrow_error_wrap(err, "manifest %s of '%s'", want, t->name);
		if (m.kind != IMG_MANIFEST_IMAGE)
			return burrow_error(err, 0, "manifest %s of '%s' is an index inside an index", want, t->name);
		man = &inst;
	}

	/* the configuration: its sha256 is the image ID */
	__attribute__((cleanup(img_http_resp_clear))) struct img_http_resp cfg = {0};
	cleanup_free char *cpath = xasprintf("blobs/%s", m.config.digest);
	char cdigest[72];
	if (fetch_doc(reg, ep->repo, cpath, NULL, CONFIG_MAX, m.config.digest, &cfg, cdigest, err) < 0)
		return burrow_error_wrap(err, "cannot pull '%s': configuration", t->name);
	__attribute__((cleanup(image_config_clear))) struct image_config c = {0};
	if (parse_config(cfg.body, cfg.len, m.nlayers, &c, err) < 0)
		return burrow_error_wrap(err, "configuration %s of '%s'", m.config.digest, t->name);
	if (c.arch && c.os && (strcmp(c.os, pc.os) != 0 || strcmp(c.arch, pc.arch) != 0)) {
		cleanup_free char *have = img_platform_string(c.os, c.arch, c.variant);
		cleanup_free char *want = img_platform_string(pc.os, pc.arch, NULL);
		burrow_warn("image '%s' is for %s, not %s", t->name, have, want);
	}
	cleanup_strv char **chain = NULL;
	if (img_chain_ids(c.diff_ids, &chain, err) < 0)
		return burrow_error_wrap(err, "configuration of '%s'", t->name);

	cleanup_close int layersfd = -1;
	if (img_layers_open(s, &layersfd, err) < 0)
		return burrow_error_wrap(err, "cannot pull '%s'", t->name);
	struct run r = {.o = o, .reg = reg, .repo = ep->repo, .layersfd = layersfd, .njobs = m.nlayers};
	r.jobs = xcalloc(m.nlayers ? m.nlayers : 1, sizeof(*r.jobs));
	for (size_t i = 0; i < m.nlayers; i++) {
		r.jobs[i].desc = &m.layers[i];
		r.jobs[i].diff_id = c.diff_ids[i];
		r.jobs[i].chain_id = chain[i];
		r.jobs[i].lockfd = -1;
		atomic_init(&r.jobs[i].state, IMG_LAYER_QUEUED);
		atomic_init(&r.jobs[i].done, 0);
	}
	atomic_init(&r.next, 0);
	atomic_init(&r.cancel, false);
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	int rc = fetch_layers(&r, err);
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.cond);
	free(r.order);
	if (rc < 0) {
		release_layers(&r, true);
		free(r.jobs);
		return burrow_error_wrap(err, "cannot pull '%s'", t->name);
	}
	note(o, "Copying config %.12s done", m.config.digest + 7);
	note(o, "Writing manifest to image destination");

	char image_id[65];
	snprintf(image_id, sizeof(image_id), "%s", cdigest + 7);
	struct img_layer_record **records = xcalloc(m.nlayers ? m.nlayers : 1, sizeof(*records));
	long long size = 0;
	for (size_t i = 0; i < m.nlayers; i++) {
		records[i] = layer_record(s, &r.jobs[i], i ? chain[i - 1] : NULL);
		size += records[i]->size;
	}
	cleanup_strv char **digests = xcalloc(1, sizeof(char *));
	strv_append_take(&digests, xasprintf("%s@%s", t->repo, top_digest));
	if (strcmp(top_digest, inst_digest) != 0)
		strv_append_take(&digests, xasprintf("%s@%s", t->repo, inst_digest));
	struct img_commit commit = {
	    .id = image_id,
	    .config_blob = cfg.body,
	    .manifest = man->body,
	    .manifest_type = m.media_type,
	    .digest = top_digest,
	    .repo_digests = digests,
	    .reference = t->by_digest ? NULL : t->name,
	    .layer_ids = chain,
	    .layers = records,
	    .nlayers = m.nlayers,
	    .created = c.created,
	    .size = size,
	    .config = &c.run,
	    .arch = c.arch,
	    .os = c.os,
	    .variant = c.variant,
	};
	rc = img_store_image(s, &commit, err);
	release_layers(&r, rc < 0);
	for (size_t i = 0; i < m.nlayers; i++) {
		img_layer_record_clear(records[i]);
		free(records[i]);
	}
	free(records);
	free(r.jobs);
	if (rc < 0)
		return burrow_error_wrap(err, "cannot pull '%s': cannot save the image", t->name);
	*id = xstrdup(image_id);
	return 0;
}

/* --- names and endpoints --------------------------------------------------------------- */

static bool listed_insecure(char *const *list, const char *host)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], host) == 0)
			return true;
	return false;
}

static bool endpoint_insecure(const struct img_pull_opts *o, const struct img_endpoint *ep)
{
	if (o->tls_verify >= 0)
		return o->tls_verify == 0;
	return ep->insecure || listed_insecure(o->insecure, ep->host);
}

static struct img_net net_of(const struct img_pull_opts *o)
{
	return (struct img_net){.timeout_s = o->timeout_s > 0 ? o->timeout_s : DEFAULT_TIMEOUT_S,
	                        .retries = o->retries >= 0 ? o->retries : DEFAULT_RETRIES,
	                        .retry_delay_ms = o->retry_delay_ms};
}

/* One fully qualified name: 0 pulled, TRY_NEXT (not there: the next
 * candidate may have it), FINAL. */
static int pull_name(struct state_store *s, const struct img_pull_opts *o, const struct img_registries *regs,
                     const char *name, char **id, struct burrow_err **err)
{
	struct img_endpoint *eps = NULL;
	size_t neps = 0;
	if (img_endpoints(regs, name, &eps, &neps, err) < 0)
		return FINAL;
	struct img_net net = net_of(o);
	struct img_ref ref;
	if (img_ref_parse(name, &ref, err) < 0) {
		img_endpoints_free(eps, neps);
		return FINAL;
	}
	cleanup_free char *repo = img_ref_repo(&ref);
	struct target t = {.name = name, .repo = repo, .by_digest = ref.digest != NULL};
	img_ref_clear(&ref);
	int ret = TRY_NEXT;
	for (size_t i = 0; i < neps; i++) {
		const struct img_endpoint *ep = &eps[i];
		cleanup_free char *auth_name = xasprintf("%s/%s", ep->host, ep->repo);
		struct img_registry_opts ro = {.host = ep->host,
		                               .insecure = endpoint_insecure(o, ep),
		                               .cert_dir = o->cert_dir,
		                               .net = &net,
		                               .user = ep->mirror ? NULL : o->user,
		                               .pass = ep->mirror ? NULL : o->pass,
		                               .authfile = o->authfile,
		                               .auth_name = auth_name};
		struct img_registry *reg = NULL;
		struct burrow_err *e = NULL;
		if (img_registry_open(&ro, &reg, &e) < 0) {
			burrow_err_free(*err);
			*err = e;
			ret = FINAL;
			break;
		}
		cleanup_free char *path = xasprintf("manifests/%s", ep->reference);
		__attribute__((cleanup(img_http_resp_clear))) struct img_http_resp top = {0};
		char top_digest[72];
		const char *want = str_has_prefix(ep->reference, "sha256:") ? ep->reference : NULL;
		if (fetch_doc(reg, ep->repo, path, img_manifest_accept(), MANIFEST_MAX, want, &top, top_digest, &e) <
		    0) {
			if (ep->mirror)
				burrow_debug("mirror %s: %s", ep->host, e->msg);
			burrow_err_free(*err);
			*err = e;
			img_registry_free(reg);
			continue;
		}
		burrow_err_free(*err);
		*err = NULL;
		burrow_debug("pulling '%s' from %s/%s", name, ep->host, ep->repo);
		ret = pull_manifest(s, o, reg, ep, &t, &top, top_digest, id, err) < 0 ? FINAL : 0;
		img_registry_free(reg);
		break;
	}
	img_endpoints_free(eps, neps);
	return ret;
}

int img_pull_check(const struct img_pull_opts *o, struct burrow_err **err)
{
	struct img_ref r;
	if (img_ref_parse(o->reference, &r, err) < 0)
		return -1;
	img_ref_clear(&r);
	struct img_platform p;
	if (img_platform_init(o->platform, o->os, o->arch, o->variant, &p, err) < 0)
		return -1;
	img_platform_clear(&p);
	return 0;
}

int img_pull(struct state_store *s, const struct img_pull_opts *o, char **id, char **name, struct burrow_err **err)
{
	if (img_pull_check(o, err) < 0)
		return -1;
	__attribute__((cleanup(img_registries_clear))) struct img_registries regs = {0};
	if (img_registries_load(&regs, err) < 0)
		return -1;
	cleanup_strv char **names = NULL;
	cleanup_free char *alias_note = NULL;
	if (img_resolve_name(&regs, o->reference, &names, &alias_note, err) < 0)
		return -1;
	if (alias_note)
		note(o, "%s", alias_note);
	cleanup_free char *failures = NULL;
	for (size_t i = 0; names[i]; i++) {
		note(o, "Trying to pull %s...", names[i]);
		cleanup_err struct burrow_err *e = NULL;
		int r = pull_name(s, o, &regs, names[i], id, &e);
		if (r == 0) {
			if (name)
				*name = xstrdup(names[i]);
			return 0;
		}
		if (r == FINAL || !names[1]) {
			*err = steal_ptr(e);
			if (!str_has_prefix((*err)->msg, "cannot pull"))
				burrow_error_wrap(err, "cannot pull '%s'", names[i]);
			return -1;
		}
		char *f = xasprintf("%s%s%s: %s", failures ? failures : "", failures ? "; " : "", names[i], e->msg);
		free(failures);
		failures = f;
	}
	burrow_error_status(err, ENOENT, "cannot pull '%s': not found in any search registry: %s",
	                    str_quote(o->reference), failures);
	return burrow_error_hint(err, "give the full name (REGISTRY/NAME:TAG); unqualified-search-registries in "
	                              "registries.conf says where short names are looked for");
}
