/* burrow pull: from a reference to an image in the store.
 *
 * The pulling thread resolves the name, fetches the manifest (and picks a
 * platform from an index) and the configuration; then fetch.c, with the
 * registry as its blob source (each blob's digest and size checked while
 * it arrives), puts the layers in the store and stores the image. */
#include <errno.h>
#include <fcntl.h>
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

/* Returned by the steps of one candidate name: the next may be tried. */
#define TRY_NEXT (-1)
#define FINAL (-2)

struct source {
	struct img_registry *reg;
	const char *repo; /* at the endpoint */
};

#define note(o, ...) img_note((o)->progress, (o)->progress_data, __VA_ARGS__)

/* --- the registry as a blob source ------------------------------------------------------- */

static char *blob_auth(void *data, bool refresh, struct burrow_err **err)
{
	struct source *r = data;
	return img_registry_auth_line(r->reg, r->repo, refresh, err);
}

static int blob_open(void *data, const struct img_descriptor *d, atomic_llong *progress, const atomic_bool *cancel,
                     img_read_fn **read, void **ctx, struct burrow_err **err)
{
	struct source *r = data;
	cleanup_free char *path = xasprintf("blobs/%s", d->digest);
	cleanup_free char *url = img_registry_url(r->reg, r->repo, path);
	struct img_blob_req rq = {.digest = d->digest,
	                          .size = d->size,
	                          .auth = blob_auth,
	                          .auth_data = r,
	                          .cancel = cancel,
	                          .progress = progress};
	img_registry_blob_req(r->reg, url, &rq);
	struct img_blob_stream *bs = NULL;
	if (img_blob_open(&rq, &bs, err) < 0)
		return -1;
	*read = img_blob_read;
	*ctx = bs;
	return 0;
}

static struct burrow_err *blob_close(void *data, void *ctx)
{
	(void)data;
	struct burrow_err *e = img_blob_take_error(ctx);
	img_blob_close(ctx);
	return e;
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
	struct source src = {.reg = reg, .repo = ep->repo};
	struct img_blob_source bsrc = {.open = blob_open, .close = blob_close, .data = &src};
	struct img_fetch_opts fo = {.name = t->name,
	                            .platform = &pc,
	                            .parallel = o->parallel,
	                            .progress = o->progress,
	                            .progress_data = o->progress_data};
	struct img_fetch *f = NULL;
	if (img_fetch_layers(s, &bsrc, &m, cfg.body, cfg.len, &fo, &f, err) < 0) {
		img_fetch_free(f, true);
		return burrow_error_wrap(err, "cannot pull '%s'", t->name);
	}
	note(o, "Copying config %.12s done", m.config.digest + 7);
	note(o, "Writing manifest to image destination");

	cleanup_strv char **digests = xcalloc(1, sizeof(char *));
	strv_append_take(&digests, xasprintf("%s@%s", t->repo, top_digest));
	if (strcmp(top_digest, inst_digest) != 0)
		strv_append_take(&digests, xasprintf("%s@%s", t->repo, inst_digest));
	struct img_fetch_image what = {
	    .manifest = man->body,
	    .digest = top_digest,
	    .repo_digests = digests,
	    .reference = t->by_digest ? NULL : t->name,
	};
	int rc = img_fetch_store(f, &what, err);
	if (rc == 0)
		*id = xstrdup(img_fetch_id(f));
	img_fetch_free(f, rc < 0);
	if (rc < 0)
		return burrow_error_wrap(err, "cannot pull '%s': cannot save the image", t->name);
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

/* The registry of one endpoint of a name, connected as o says. */
static int open_endpoint(const struct img_pull_opts *o, const struct img_endpoint *ep, const struct img_net *net,
                         struct img_registry **reg, struct burrow_err **err)
{
	cleanup_free char *auth_name = xasprintf("%s/%s", ep->host, ep->repo);
	struct img_registry_opts ro = {.host = ep->host,
	                               .insecure = endpoint_insecure(o, ep),
	                               .cert_dir = o->cert_dir,
	                               .net = net,
	                               .user = ep->mirror ? NULL : o->user,
	                               .pass = ep->mirror ? NULL : o->pass,
	                               .authfile = o->authfile,
	                               .auth_name = auth_name};
	return img_registry_open(&ro, reg, err);
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
		struct img_registry *reg = NULL;
		struct burrow_err *e = NULL;
		if (open_endpoint(o, ep, &net, &reg, &e) < 0) {
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
	__attribute__((cleanup(img_transport_clear))) struct img_transport t = {0};
	if (img_transport_parse(o->reference, &t, err) < 0)
		return -1;
	struct img_ref r;
	if (t.kind == IMG_TRANSPORT_REGISTRY && img_ref_parse(t.ref, &r, err) < 0)
		return -1;
	if (t.kind == IMG_TRANSPORT_REGISTRY)
		img_ref_clear(&r);
	struct img_platform p;
	if (img_platform_init(o->platform, o->os, o->arch, o->variant, &p, err) < 0)
		return -1;
	img_platform_clear(&p);
	return 0;
}

/* oci:, oci-archive:, docker-archive:, dir: the one image there, loaded. */
/* The names REFERENCE may mean, from registries.conf (loaded into regs),
 * in the order they are tried; a short-name alias used is noted. */
static int candidates(const struct img_pull_opts *o, const char *reference, struct img_registries *regs, char ***names,
                      struct burrow_err **err)
{
	if (img_registries_load(regs, err) < 0)
		return -1;
	cleanup_free char *alias_note = NULL;
	if (img_resolve_name(regs, reference, names, &alias_note, err) < 0)
		return -1;
	if (alias_note)
		note(o, "%s", alias_note);
	return 0;
}

static int pull_local(struct state_store *s, const struct img_transport *t, const char *what, char **id, char **name,
                      struct burrow_err **err)
{
	/* without a reference the archive must hold one image */
	struct img_load_opts lo = {.input = t->path, .select = t->ref, .pulled_as = what};
	cleanup_strv char **loaded = NULL, **ids = NULL;
	if (img_load(s, &lo, &loaded, &ids, err) < 0)
		return burrow_error_wrap(err, "cannot pull '%s'", str_quote(what));
	*id = xstrdup(ids[0]);
	/* an OCI layout's name shows without its tag ("localhost/dir") */
	if (name)
		*name =
		    loaded[0] && !str_has_prefix(loaded[0], "sha256:") ? img_ref_normalize_str(loaded[0], NULL) : NULL;
	return 0;
}

int img_pull(struct state_store *s, const struct img_pull_opts *o, char **id, char **name, struct burrow_err **err)
{
	if (img_pull_check(o, err) < 0)
		return -1;
	__attribute__((cleanup(img_transport_clear))) struct img_transport t = {0};
	if (img_transport_parse(o->reference, &t, err) < 0)
		return -1;
	if (t.kind != IMG_TRANSPORT_REGISTRY)
		return pull_local(s, &t, o->reference, id, name, err);
	struct img_pull_opts ro = *o;
	ro.reference = t.ref;
	o = &ro;
	__attribute__((cleanup(img_registries_clear))) struct img_registries regs = {0};
	cleanup_strv char **names = NULL;
	if (candidates(o, o->reference, &regs, &names, err) < 0)
		return -1;
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

/* --- --all-tags ------------------------------------------------------------------------- */

#define TAGS_MAX (4 * 1024 * 1024)

/* Whether REPO:TAG is a reference naming a tag (a registry's list is not
 * trusted to hold only tags). */
static bool tag_valid(const char *repo, const char *tag)
{
	cleanup_free char *name = xasprintf("%s:%s", repo, tag);
	struct img_ref r;
	cleanup_err struct burrow_err *e = NULL;
	if (img_ref_parse(name, &r, &e) < 0)
		return false;
	bool ok = r.tag && strcmp(r.tag, tag) == 0 && !r.digest;
	img_ref_clear(&r);
	return ok;
}

/* Appends the tags of one page of a tag list (body) to tags; what names
 * the list. */
static int page_tags(const char *repo, const char *what, const char *body, struct strv_builder *tags,
                     struct burrow_err **err)
{
	cleanup_yajl yajl_val v = json_parse(body, NULL);
	yajl_val list = json_get(v, "tags");
	if (!v || !YAJL_IS_OBJECT(v) || (list && !YAJL_IS_ARRAY(list) && !YAJL_IS_NULL(list)))
		return burrow_error(err, EINVAL, "%s: not a tag list", what);
	for (size_t k = 0; list && YAJL_IS_ARRAY(list) && k < list->u.array.len; k++) {
		const char *tag = YAJL_GET_STRING(list->u.array.values[k]);
		if (!tag || !tag_valid(repo, tag))
			return burrow_error(err, EINVAL, "%s: '%s' is not a tag", what,
			                    tag ? str_quote(tag) : "(not a string)");
		strv_builder_add(tags, tag); /* a list may be long: 4 MiB of "a", */
	}
	return 0;
}

static void builder_free(struct strv_builder *b)
{
	strv_free(b->v);
}

/* The tags of repository repo (at the registry: path) from reg's
 * tags/list, page after page (a registry that pages it says where the
 * next one is in a Link header, on the same host: one elsewhere is
 * refused; a page already asked ends the list, as pages that loop would
 * never end), TAGS_MAX bytes in all at most, the pages' links counted
 * too (each is kept, and pages of no tag could go on without end), and
 * IMG_PAGES_MAX pages. 0, TRY_NEXT (the first page is not there), FINAL. */
static int tags_pages(struct img_registry *reg, const char *repo, const char *path, char ***tags,
                      struct burrow_err **err)
{
	cleanup_free char *at = xasprintf("/v2/%s/tags/list", path); /* as next pages are named */
	cleanup_free char *what = NULL; /* its URL, known once the registry answered (https or http) */
	size_t total = 0;
	__attribute__((cleanup(builder_free))) struct strv_builder got = {0};
	__attribute__((cleanup(img_pages_clear))) struct img_pages asked = {0};
	img_pages_add(&asked, at, NULL);
	while (at) {
		if (total >= TAGS_MAX) {
			burrow_error(err, EFBIG, "%s: more than %d bytes of tags and links", what, TAGS_MAX);
			return FINAL;
		}
		__attribute__((cleanup(img_http_resp_clear))) struct img_http_resp resp = {0};
		if (img_registry_get(reg, path, at, "Accept: application/json", TAGS_MAX - total, &resp, err) < 0)
			return total ? FINAL : TRY_NEXT;
		if (!what)
			what = img_registry_url(reg, path, "tags/list");
		if (resp.status != 200) {
			img_registry_status_error(reg, &resp, what, err);
			return total ? FINAL : TRY_NEXT;
		}
		total += resp.len;
		if (page_tags(repo, what, resp.body, &got, err) < 0)
			return FINAL;
		char *next = NULL;
		if (img_registry_next_page(reg, path, at, resp.link, &next, err) < 0) {
			burrow_error_wrap(err, "%s", what);
			return FINAL;
		}
		int seen = next ? img_pages_add(&asked, next, err) : 0; /* 1: asked already, it would never end */
		free(at);
		at = seen ? NULL : next;
		if (seen)
			free(next);
		if (seen < 0) {
			burrow_error_wrap(err, "%s", what);
			return FINAL;
		}
		total += at ? strlen(at) : 0;
	}
	*tags = strv_builder_steal(&got);
	return 0;
}

/* The tags the registry lists for repository repo (normalised, no tag),
 * in its order: GET /v2/REPO/tags/list at the first of its endpoints that
 * answers. 0, TRY_NEXT (not there: the next candidate may have it), FINAL. */
static int list_tags(const struct img_pull_opts *o, const struct img_registries *regs, const char *repo, char ***tags,
                     struct burrow_err **err)
{
	struct img_endpoint *eps = NULL;
	size_t neps = 0;
	cleanup_free char *name = xasprintf("%s:latest", repo);
	if (img_endpoints(regs, name, &eps, &neps, err) < 0)
		return FINAL;
	struct img_net net = net_of(o);
	int ret = TRY_NEXT;
	for (size_t i = 0; i < neps && ret == TRY_NEXT; i++) {
		struct img_registry *reg = NULL;
		struct burrow_err *e = NULL;
		if (open_endpoint(o, &eps[i], &net, &reg, &e) < 0) {
			burrow_err_free(*err);
			*err = e;
			ret = FINAL;
			break;
		}
		ret = tags_pages(reg, repo, eps[i].repo, tags, &e);
		img_registry_free(reg);
		burrow_err_free(*err);
		*err = e;
	}
	img_endpoints_free(eps, neps);
	return ret;
}

int img_pull_all_tags(struct state_store *s, const struct img_pull_opts *o, char ***ids, char ***names,
                      struct burrow_err **err)
{
	*ids = xcalloc(1, sizeof(char *));
	*names = xcalloc(1, sizeof(char *));
	if (img_pull_check(o, err) < 0)
		return -1;
	__attribute__((cleanup(img_transport_clear))) struct img_transport t = {0};
	if (img_transport_parse(o->reference, &t, err) < 0)
		return -1;
	if (t.kind != IMG_TRANSPORT_REGISTRY)
		return burrow_error(err, EINVAL, "cannot pull all tags of '%s': only a registry lists tags",
		                    str_quote(o->reference));
	__attribute__((cleanup(img_registries_clear))) struct img_registries regs = {0};
	cleanup_strv char **cands = NULL;
	if (candidates(o, t.ref, &regs, &cands, err) < 0)
		return -1;
	/* the repository of the first candidate that lists tags (a tag or
	 * digest given is left aside, as podman's) */
	cleanup_strv char **tags = NULL;
	cleanup_free char *repo = NULL;
	for (size_t i = 0; cands[i] && !tags; i++) {
		struct img_ref r;
		if (img_ref_parse(cands[i], &r, err) < 0)
			return -1;
		free(repo);
		repo = img_ref_repo(&r);
		img_ref_clear(&r);
		int rc = list_tags(o, &regs, repo, &tags, err);
		if (rc == FINAL || (rc == TRY_NEXT && !cands[i + 1]))
			return burrow_error_wrap(err, "cannot list the tags of '%s'", repo);
	}
	for (size_t i = 0; tags[i]; i++) {
		cleanup_free char *name = xasprintf("%s:%s", repo, tags[i]);
		note(o, "Trying to pull %s...", name);
		char *id = NULL;
		if (pull_name(s, o, &regs, name, &id, err) != 0) {
			if (!str_has_prefix((*err)->msg, "cannot pull"))
				burrow_error_wrap(err, "cannot pull '%s'", name);
			return -1;
		}
		strv_append_take(ids, id);
		strv_append(names, name);
	}
	return 0;
}
