/* The registry side of the OCI distribution / Docker registry v2 API: the
 * scheme (https, or http for insecure registries), authentication (the
 * anonymous or credentialed bearer-token flow, basic auth), retries of
 * transient failures. Requests run in the pulling thread; the layer threads
 * only ask for the current Authorization line (under the lock). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/internal.h"
#include "lib/base64.h"
#include "lib/cleanup.h"
#include "lib/conf.h"
#include "lib/quote.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "image/libs.h"

#define TOKEN_MAX (256 * 1024)

struct img_registry {
	char *host; /* as in references: "docker.io", "127.0.0.1:5000" */
	char *api;  /* what to connect to: "registry-1.docker.io" */
	char *base; /* "https://API" or "http://API" once known */
	bool allow_http;
	struct img_tls tls;
	const struct img_net *net;
	struct img_creds creds; /* user NULL: anonymous */
	pthread_mutex_t lock;   /* authz, challenge (layer threads refresh tokens) */
	char *authz;            /* the "Authorization: ..." line to send */
	struct img_challenge challenge;
	bool have_challenge;
	bool push; /* tokens with the push scope */
};

const char *img_registry_host(const struct img_registry *r)
{
	return r->host;
}

const char *img_registry_creds_source(const struct img_registry *r)
{
	return r->creds.user ? r->creds.source : NULL;
}

void img_registry_free(struct img_registry *r)
{
	if (!r)
		return;
	free(r->host);
	free(r->api);
	free(r->base);
	img_tls_clear(&r->tls);
	img_creds_clear(&r->creds);
	pthread_mutex_destroy(&r->lock);
	free(r->authz);
	img_challenge_clear(&r->challenge);
	free(r);
}

int img_registry_open(const struct img_registry_opts *o, struct img_registry **out, struct burrow_err **err)
{
	if (img_curl_load(err) < 0)
		return -1;
	struct img_registry *r = xcalloc(1, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->host = xstrdup(o->host);
	r->api = xstrdup(strcmp(o->host, "docker.io") == 0 ? "registry-1.docker.io" : o->host);
	r->allow_http = o->insecure;
	r->push = o->push;
	r->net = o->net;
	if (img_tls_setup(o->host, o->cert_dir, !o->insecure, &r->tls, err) < 0) {
		img_registry_free(r);
		return -1;
	}
	if (o->user) {
		r->creds.user = xstrdup(o->user);
		r->creds.pass = xstrdup(o->pass ? o->pass : "");
		r->creds.source = xstrdup(o->creds_source ? o->creds_source : "--creds");
	} else if (o->auth_name && img_auth_lookup(o->authfile, o->auth_name, &r->creds, err) < 0) {
		img_registry_free(r);
		return -1;
	}
	if (r->creds.user)
		burrow_debug("registry %s: credentials of '%s' from %s", r->host, r->creds.user, r->creds.source);
	*out = r;
	return 0;
}

static char *escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	if (!e)
		abort();
	char *r = xstrdup(e);
	curl_free(e);
	return r;
}

static char *basic_line(const struct img_creds *c)
{
	cleanup_free char *plain = xasprintf("%s:%s", c->user, c->pass ? c->pass : "");
	cleanup_free char *b64 = base64_encode(plain, strlen(plain));
	explicit_bzero(plain, strlen(plain));
	return xasprintf("Authorization: Basic %s", b64);
}

static int login_hint(const struct img_registry *r, struct burrow_err **err)
{
	if (r->creds.user)
		return burrow_error_hint(err, "the credentials of '%s' come from %s; 'burrow login %s' replaces them",
		                         r->creds.user, r->creds.source, r->host);
	return burrow_error_hint(err, "log in first ('burrow login %s'), or give --creds USER:PASSWORD", r->host);
}

/* The bearer-token flow: GET realm?service=...&scope=repository:REPO:pull,
 * with the credentials as basic auth when there are some. */
static int fetch_token(struct img_registry *r, const struct img_challenge *ch, const char *repo, char **line,
                       struct burrow_err **err)
{
	if (!ch->realm || !*ch->realm)
		return burrow_error(err, 0, "%s asks for a bearer token but names no realm to get it from", r->host);
	if (!str_has_prefix(ch->realm, "https://") && !(r->allow_http && str_has_prefix(ch->realm, "http://")))
		return burrow_error(err, 0, "%s names a token server that is not https: '%s'", r->host,
		                    str_quote(ch->realm));
	cleanup_free char *url = xstrdup(ch->realm);
	const char *sep = strchr(url, '?') ? "&" : "?";
	if (ch->service) {
		cleanup_free char *e = escape(ch->service);
		char *t = xasprintf("%s%sservice=%s", url, sep, e);
		free(url);
		url = t;
		sep = "&";
	}
	cleanup_free char *scope = repo ? xasprintf("repository:%s:%s", repo, r->push ? "pull,push" : "pull") : NULL;
	if (scope) {
		cleanup_free char *e = escape(scope);
		char *t = xasprintf("%s%sscope=%s", url, sep, e);
		free(url);
		url = t;
	}
	cleanup_strv char **hdrs = xcalloc(1, sizeof(char *));
	if (r->creds.user)
		strv_append_take(&hdrs, basic_line(&r->creds));
	struct img_http_req rq = {.url = url,
	                          .headers = hdrs,
	                          .tls = &r->tls,
	                          .net = r->net,
	                          .allow_http = r->allow_http,
	                          .max_body = TOKEN_MAX};
	__attribute__((cleanup(img_http_resp_clear))) struct img_http_resp resp = {0};
	for (int attempt = 0;; attempt++) {
		cleanup_err struct burrow_err *e = NULL;
		if (img_http_get(&rq, &resp, &e) == 0 &&
		    !(img_http_transient_status(resp.status) && attempt < r->net->retries))
			break;
		if ((e && e->status != EAGAIN) || attempt >= r->net->retries) {
			*err = steal_ptr(e);
			return burrow_error_wrap(err, "cannot get a token for %s", r->host);
		}
		img_http_resp_clear(&resp);
		img_http_sleep_retry(r->net, attempt, NULL);
	}
	if (resp.status == 401 || resp.status == 403) {
		if (r->creds.user) {
			burrow_error_status(err, EACCES, "%s: invalid username or password", r->host);
			return login_hint(r, err);
		}
		img_http_status_error(resp.status, resp.body, url, err);
		return burrow_error_wrap(err, "cannot get a token for %s", r->host);
	}
	if (resp.status != 200) {
		img_http_status_error(resp.status, resp.body, url, err);
		return burrow_error_wrap(err, "cannot get a token for %s", r->host);
	}
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(resp.body, &e);
	const char *tok = v ? json_get_str(v, "token") : NULL;
	if (!tok || !*tok)
		tok = v ? json_get_str(v, "access_token") : NULL;
	if (!tok || !*tok || strpbrk(tok, "\r\n"))
		return burrow_error(err, 0, "the token server of %s answered without a token", r->host);
	*line = xasprintf("Authorization: Bearer %s", tok);
	return 0;
}

/* Answers the challenge in header: a new Authorization line in r. */
static int authenticate(struct img_registry *r, const char *header, const char *repo, struct burrow_err **err)
{
	struct img_challenge ch;
	if (!header || img_challenge_parse(header, &ch) < 0) {
		burrow_error_status(err, EACCES, "%s asks for authentication without saying how (WWW-Authenticate: %s)",
		                    r->host, header ? header : "none");
		return login_hint(r, err);
	}
	char *line = NULL;
	if (strcasecmp(ch.scheme, "Bearer") == 0) {
		if (fetch_token(r, &ch, repo, &line, err) < 0) {
			img_challenge_clear(&ch);
			return -1;
		}
	} else if (strcasecmp(ch.scheme, "Basic") == 0) {
		if (!r->creds.user) {
			img_challenge_clear(&ch);
			burrow_error_status(err, EACCES, "%s needs a login", r->host);
			return login_hint(r, err);
		}
		line = basic_line(&r->creds);
	} else {
		burrow_error_status(err, EACCES, "%s asks for '%s' authentication, which burrow does not know", r->host,
		                    ch.scheme);
		img_challenge_clear(&ch);
		return -1;
	}
	pthread_mutex_lock(&r->lock);
	free(r->authz);
	r->authz = line;
	img_challenge_clear(&r->challenge);
	r->challenge = ch;
	r->have_challenge = true;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static char *authz_copy(struct img_registry *r)
{
	pthread_mutex_lock(&r->lock);
	char *a = r->authz ? xstrdup(r->authz) : NULL;
	pthread_mutex_unlock(&r->lock);
	return a;
}

char *img_registry_auth_line(struct img_registry *r, const char *repo, bool refresh, struct burrow_err **err)
{
	if (refresh) {
		pthread_mutex_lock(&r->lock);
		bool bearer = r->have_challenge && strcasecmp(r->challenge.scheme, "Bearer") == 0;
		struct img_challenge ch = {0};
		if (bearer) {
			ch.scheme = xstrdup(r->challenge.scheme);
			ch.realm = r->challenge.realm ? xstrdup(r->challenge.realm) : NULL;
			ch.service = r->challenge.service ? xstrdup(r->challenge.service) : NULL;
		}
		pthread_mutex_unlock(&r->lock);
		if (!bearer) {
			burrow_error_status(err, EACCES, "%s refused the credentials", r->host);
			return NULL;
		}
		char *line = NULL;
		int rc = fetch_token(r, &ch, repo, &line, err);
		img_challenge_clear(&ch);
		if (rc < 0)
			return NULL;
		pthread_mutex_lock(&r->lock);
		free(r->authz);
		r->authz = xstrdup(line);
		pthread_mutex_unlock(&r->lock);
		return line;
	}
	return authz_copy(r);
}

static void tls_hint(const struct img_registry *r, struct burrow_err **err)
{
	if (strstr((*err)->msg, "wrong version number")) {
		/* what OpenSSL says when the other end answers plain HTTP */
		burrow_error_hint(
		    err,
		    "%s seems to speak plain HTTP: if you trust it, mark it insecure (--tls-verify=false, "
		    "insecure = true in registries.conf, or [registries] insecure in burrow.conf)",
		    r->host);
		return;
	}
	cleanup_free char *certs = conf_user_path("containers/certs.d");
	burrow_error_hint(err,
	                  "if %s's certificate comes from a CA of your own, put the CA in %s/%s/ca.crt (or "
	                  "/etc/containers/certs.d/%s/ca.crt); --tls-verify=false skips the check",
	                  r->host, certs ? certs : "~/.config/containers/certs.d", r->host, r->host);
}

char *img_registry_url(const struct img_registry *r, const char *repo, const char *path)
{
	if (!repo)
		return xasprintf("%s/v2/", r->base);
	return xasprintf("%s/v2/%s/%s", r->base, repo, path);
}

/* The URL of a Link header's rel="next" link (RFC 8288: <URL>; rel="next",
 * several apart by commas), NULL: none. Caller frees. */
static char *link_next(const char *link)
{
	for (const char *p = link; (p = strchr(p, '<'));) {
		const char *end = strchr(p, '>');
		if (!end)
			return NULL;
		size_t plen = strcspn(end + 1, ",");
		cleanup_free char *params = xstrndup(end + 1, plen);
		for (char *q = params; (q = strcasestr(q, "rel="));) {
			q += 4;
			q += *q == '"';
			if (strncasecmp(q, "next", 4) == 0 && strchr("\" ;", q[4]))
				return xstrndup(p + 1, (size_t)(end - p - 1));
		}
		p = end + 1 + plen;
	}
	return NULL;
}

int img_registry_next_page(const struct img_registry *r, const char *repo, const char *at, const char *link,
                           char **next, struct burrow_err **err)
{
	return img_link_next_page(r->base, repo, at, link, next, err);
}

int img_link_next_page(const char *base_url, const char *repo, const char *at, const char *link, char **next,
                       struct burrow_err **err)
{
	*next = NULL;
	cleanup_free char *url = link ? link_next(link) : NULL;
	if (!url || !*url)
		return 0;
	size_t base = strlen(base_url);
	if (strncmp(url, base_url, base) == 0 && url[base] == '/') /* a URL on this registry */
		*next = xstrdup(url + base);
	else if (url[strcspn(url, ":/?#")] == ':' || strncmp(url, "//", 2) == 0) /* SCHEME:..., //HOST/PATH */
		return burrow_error(err, EPERM, "its next page is not on %s: '%s'", base_url, str_quote(url));
	else if (url[0] == '/')
		*next = steal_ptr(url);
	else { /* relative to the page it is on: its query, or its last component */
		cleanup_free char *here = at[0] == '/' ? xstrdup(at) : xasprintf("/v2/%s/%s", repo, at);
		here[strcspn(here, "?")] = '\0';
		if (url[0] != '?')
			strrchr(here, '/')[1] = '\0';
		*next = xasprintf("%s%s", here, url);
	}
	return 0;
}

static size_t page_hash(const char *s)
{
	size_t h = 14695981039346656037u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of at in p: where it is, or the free one it would take. */
static char **page_slot(const struct img_pages *p, const char *at)
{
	size_t i = page_hash(at) & (p->cap - 1);
	while (p->slot[i] && strcmp(p->slot[i], at) != 0)
		i = (i + 1) & (p->cap - 1);
	return &p->slot[i];
}

int img_pages_add(struct img_pages *p, const char *at, struct burrow_err **err)
{
	if (p->cap && *page_slot(p, at))
		return 1;
	if (p->n >= IMG_PAGES_MAX)
		return burrow_error(err, EFBIG, "more than %d pages", IMG_PAGES_MAX);
	if (2 * (p->n + 1) > p->cap) { /* at most half full */
		struct img_pages grown = {.cap = p->cap ? 2 * p->cap : 64, .n = p->n};
		grown.slot = xcalloc(grown.cap, sizeof(char *));
		for (size_t i = 0; i < p->cap; i++)
			if (p->slot[i])
				*page_slot(&grown, p->slot[i]) = p->slot[i];
		free(p->slot);
		*p = grown;
	}
	*page_slot(p, at) = xstrdup(at);
	p->n++;
	return 0;
}

void img_pages_clear(struct img_pages *p)
{
	for (size_t i = 0; i < p->cap; i++)
		free(p->slot[i]);
	free(p->slot);
	*p = (struct img_pages){0};
}

int img_registry_get(struct img_registry *r, const char *repo, const char *path, const char *accept, size_t max,
                     struct img_http_resp *resp, struct burrow_err **err)
{
	char *const hdrs[] = {(char *)accept, NULL};
	return img_registry_send(r, "GET", repo, path, accept ? hdrs : NULL, NULL, max, resp, err);
}

int img_registry_send(struct img_registry *r, const char *method, const char *repo, const char *path,
                      char *const *headers, const struct img_http_body *body, size_t max, struct img_http_resp *resp,
                      struct burrow_err **err)
{
	memset(resp, 0, sizeof(*resp));
	bool authed = false, fell_back = false;
	if (!r->base)
		r->base = xasprintf("https://%s", r->api);
	for (int attempt = 0;;) {
		/* a path that is a URL (an upload's Location) is used as it is */
		cleanup_free char *url = !path ? xasprintf("%s/v2/", r->base)
		                         : str_has_prefix(path, "http://") || str_has_prefix(path, "https://")
		                             ? xstrdup(path)
		                         : path[0] == '/' ? xasprintf("%s%s", r->base, path)
		                                          : img_registry_url(r, repo, path);
		cleanup_strv char **hdrs = xcalloc(1, sizeof(char *));
		for (size_t i = 0; headers && headers[i]; i++)
			strv_append(&hdrs, headers[i]);
		char *authz = authz_copy(r);
		if (authz)
			strv_append_take(&hdrs, authz);
		struct img_http_req rq = {.url = url,
		                          .headers = hdrs,
		                          .tls = &r->tls,
		                          .net = r->net,
		                          .allow_http = r->allow_http,
		                          .max_body = max};
		cleanup_err struct burrow_err *e = NULL;
		if (img_http_send(&rq, method, body, resp, &e) < 0) {
			if (e->status == EPROTO && r->allow_http && !fell_back && str_has_prefix(r->base, "https://")) {
				/* an insecure registry that speaks plain HTTP */
				burrow_debug("%s; trying plain HTTP", e->msg);
				free(r->base);
				r->base = xasprintf("http://%s", r->api);
				fell_back = true;
				continue;
			}
			if (e->status == EAGAIN && attempt < r->net->retries) {
				burrow_debug("%s (attempt %d); trying again", e->msg, attempt + 1);
				img_http_sleep_retry(r->net, attempt++, NULL);
				continue;
			}
			*err = steal_ptr(e);
			if ((*err)->status == EPROTO)
				tls_hint(r, err);
			return -1;
		}
		if (resp->status == 401 && !authed) {
			authed = true;
			if (authenticate(r, resp->www_authenticate, repo, err) < 0) {
				img_http_resp_clear(resp);
				return -1;
			}
			img_http_resp_clear(resp);
			continue;
		}
		if (img_http_transient_status(resp->status) && attempt < r->net->retries) {
			burrow_debug("%s: HTTP %ld (attempt %d); trying again", url, resp->status, attempt + 1);
			img_http_resp_clear(resp);
			img_http_sleep_retry(r->net, attempt++, NULL);
			continue;
		}
		return 0;
	}
}

int img_registry_status_error(const struct img_registry *r, const struct img_http_resp *resp, const char *what,
                              struct burrow_err **err)
{
	if (resp->status == 401 && r->creds.user && r->have_challenge && strcasecmp(r->challenge.scheme, "Basic") == 0)
		burrow_error_status(err, EACCES, "%s: invalid username or password", r->host);
	else
		img_http_status_error(resp->status, resp->body, what, err);
	if (resp->status == 401 || resp->status == 403)
		return login_hint(r, err);
	return -1;
}

void img_registry_blob_req(struct img_registry *r, const char *url, struct img_blob_req *rq)
{
	rq->http.url = url;
	rq->http.tls = &r->tls;
	rq->http.net = r->net;
	rq->http.allow_http = r->allow_http;
}
