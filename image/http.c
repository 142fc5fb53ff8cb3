/* HTTP for the registry client, over libcurl (opened on first use): TLS
 * settings from certs.d, small requests answered in memory (manifests,
 * configs, tokens), and blob downloads read as a stream by the layer
 * unpacker, verified while they arrive and resumed with a Range request
 * after a transient failure.
 *
 * Every wait is bounded: a connect timeout, and a stall timeout (less than
 * 1 byte/s for that long ends a transfer). */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/conf.h"
#include "lib/quote.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "image/libs.h"

#define USER_AGENT "burrow/" BURROW_VERSION
/* the unpacker gets what arrived in one go; past this much, the transfer
 * waits for it (curl pause) */
#define BLOB_BUF_HIGH (1024 * 1024)
#define CURL_BUF (256 * 1024)

/* --- TLS ------------------------------------------------------------------------ */

void img_tls_clear(struct img_tls *t)
{
	free(t->ca_pem);
	free(t->client_cert);
	free(t->client_key);
	free(t->certs_dir);
	memset(t, 0, sizeof(*t));
}

/* The system's CA bundle (Debian, Fedora, SUSE paths), or NULL. */
static char *system_cas(size_t *len)
{
	static const char *const bundles[] = {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
	                                      "/etc/ssl/ca-bundle.pem"};
	for (size_t i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++) {
		char *text = NULL;
		cleanup_err struct burrow_err *e = NULL;
		if (read_file(bundles[i], &text, len, &e) == 0)
			return text;
	}
	*len = 0;
	return NULL;
}

/* The certs.d directory for host: --cert-dir, else the first of
 * $XDG_CONFIG_HOME/containers/certs.d/HOST, /etc/containers/certs.d/HOST,
 * /etc/docker/certs.d/HOST that exists (as podman picks it). */
static char *certs_dir_for(const char *host, const char *cert_dir)
{
	if (cert_dir)
		return xstrdup(cert_dir);
	cleanup_free char *user = conf_user_path("containers/certs.d");
	const char *const dirs[] = {user, "/etc/containers/certs.d", "/etc/docker/certs.d"};
	for (size_t i = 0; i < 3; i++) {
		if (!dirs[i])
			continue;
		char *d = xasprintf("%s/%s", dirs[i], host);
		struct stat sb;
		if (stat(d, &sb) == 0 && S_ISDIR(sb.st_mode))
			return d;
		free(d);
	}
	return NULL;
}

int img_tls_setup(const char *host, const char *cert_dir, bool verify, struct img_tls *t, struct burrow_err **err)
{
	memset(t, 0, sizeof(*t));
	t->verify = verify;
	t->certs_dir = certs_dir_for(host, cert_dir);
	if (!t->certs_dir)
		return 0;
	cleanup_dir DIR *d = opendir(t->certs_dir);
	if (!d) {
		if (errno == ENOENT && !cert_dir)
			return 0;
		return burrow_error(err, errno, "cannot read certificate directory '%s'", str_quote(t->certs_dir));
	}
	cleanup_strv char **names = xcalloc(1, sizeof(char *));
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			strv_append(&names, de->d_name);
	qsort(names, strv_len(names), sizeof(char *), strv_cmp);
	cleanup_free char *cas = NULL;
	size_t ncas = 0;
	for (size_t i = 0; names[i]; i++) {
		cleanup_free char *p = path_join(t->certs_dir, names[i]);
		if (str_has_suffix(names[i], ".crt")) {
			cleanup_free char *pem = NULL;
			size_t n = 0;
			if (read_file(p, &pem, &n, err) < 0)
				return burrow_error_wrap(err, "CA certificate");
			cas = xrealloc(cas, ncas + n + 2);
			memcpy(cas + ncas, pem, n);
			ncas += n;
			cas[ncas++] = '\n';
			cas[ncas] = '\0';
		} else if (str_has_suffix(names[i], ".cert") && !t->client_cert) {
			cleanup_free char *key = xasprintf("%.*s.key", (int)(strlen(p) - 5), p);
			if (access(key, R_OK) < 0) {
				burrow_error(err, errno, "client certificate '%s' has no key '%s'", p, key);
				return burrow_error_hint(
				    err, "put the key beside it with the same name and the suffix .key");
			}
			t->client_cert = steal_ptr(p);
			t->client_key = steal_ptr(key);
		}
	}
	if (cas) {
		/* certs.d adds to the system's CAs, it does not replace them */
		size_t nsys = 0;
		cleanup_free char *sys = system_cas(&nsys);
		t->ca_pem = xmalloc(nsys + ncas + 2);
		if (sys)
			memcpy(t->ca_pem, sys, nsys);
		t->ca_pem[nsys] = '\n';
		memcpy(t->ca_pem + nsys + 1, cas, ncas + 1);
		t->ca_len = nsys + 1 + ncas;
	}
	return 0;
}

/* --- one handle --------------------------------------------------------------------- */

/* the Link headers of one answer, in bytes at most: past that the answer
 * is refused (a tag list's next page dropped would be a short list said
 * as whole) */
#define LINK_MAX (64 * 1024)

struct headers {
	long status;
	char *content_type, *docker_digest, *www_authenticate, *location, *link;
	bool link_too_long;
};

static void headers_clear(struct headers *h)
{
	free(h->content_type);
	free(h->docker_digest);
	free(h->www_authenticate);
	free(h->location);
	free(h->link);
	memset(h, 0, sizeof(*h));
}

static size_t on_header(char *p, size_t size, size_t n, void *data)
{
	struct headers *h = data;
	size_t len = size * n;
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after a redirect or a 100): forget the last */
		headers_clear(h);
		return len;
	}
	const char *colon = memchr(p, ':', len);
	if (!colon)
		return len;
	size_t klen = (size_t)(colon - p);
	const char *v = colon + 1, *end = p + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	char **slot = NULL;
	if (klen == 12 && strncasecmp(p, "Content-Type", 12) == 0)
		slot = &h->content_type;
	else if (klen == 21 && strncasecmp(p, "Docker-Content-Digest", 21) == 0)
		slot = &h->docker_digest;
	else if (klen == 16 && strncasecmp(p, "WWW-Authenticate", 16) == 0 && !h->www_authenticate)
		slot = &h->www_authenticate;
	else if (klen == 8 && strncasecmp(p, "Location", 8) == 0)
		slot = &h->location;
	else if (klen == 4 && strncasecmp(p, "Link", 4) == 0 && h->link) {
		/* several Link headers are one list, apart by commas (RFC 8288):
		 * rel="next" may be in any (up to LINK_MAX bytes in all) */
		if (strlen(h->link) + 2 + (size_t)(end - v) <= LINK_MAX) {
			char *all = xasprintf("%s, %.*s", h->link, (int)(end - v), v);
			free(h->link);
			h->link = all;
		} else {
			h->link_too_long = true;
		}
	} else if (klen == 4 && strncasecmp(p, "Link", 4) == 0) {
		slot = &h->link;
		h->link_too_long |= (size_t)(end - v) > LINK_MAX;
	}
	if (slot) {
		free(*slot);
		*slot = xstrndup(v, (size_t)(end - v));
	}
	return len;
}

static struct curl_slist *make_headers(char *const *lines)
{
	struct curl_slist *l = NULL;
	for (size_t i = 0; lines && lines[i]; i++)
		l = curl_slist_append(l, lines[i]);
	return l;
}

static CURL *new_handle(const struct img_http_req *rq, char *errbuf)
{
	CURL *h = curl_easy_init();
	if (!h)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, rq->url);
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* blobs are often redirected to a CDN: never from https down to http
	 * unless the registry is insecure anyway */
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, rq->allow_http ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, rq->net->timeout_s);
	/* under 1 KB/s for that long: the link is as good as gone */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, rq->net->timeout_s);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, (long)CURL_BUF);
	const struct img_tls *t = rq->tls;
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, t->verify ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, t->verify ? 2L : 0L);
	if (t->ca_pem) {
		struct curl_blob blob = {.data = t->ca_pem, .len = t->ca_len, .flags = CURL_BLOB_NOCOPY};
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (t->client_cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, t->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, t->client_key);
	}
	return h;
}

/* A transport failure as an error: status EAGAIN when trying again may
 * help, EPROTO when TLS failed (the caller may fall back to HTTP). */
static int transport_error(CURLcode rc, const char *url, const char *errbuf, struct burrow_err **err)
{
	int status;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		status = EAGAIN;
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CLIENTCERT:
		status = EPROTO;
		break;
	default:
		status = EIO;
	}
	const char *why = errbuf && *errbuf ? errbuf : curl_easy_strerror(rc);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return burrow_error_status(err, status, "%s: no answer in time (%s)", url, why);
	/* what libcurl 7.88 says, without a word in errbuf, of a header line
	 * past its CURL_MAX_HTTP_HEADER (100 KiB): a WWW-Authenticate of 1 MiB
	 * is no lack of memory here (xmalloc aborts on that) */
	if (rc == CURLE_OUT_OF_MEMORY && !(errbuf && *errbuf))
		return burrow_error_status(err, status,
		                           "%s: a header of the answer is longer than libcurl takes (100 KiB)", url);
	return burrow_error_status(err, status, "%s: %s", url, why);
}

/* --- SIGPIPE ------------------------------------------------------------------------ */

/* A TLS connection the server closed raises SIGPIPE when written to;
 * libcurl only guards against it by changing the process's handler, which
 * is not safe with threads (CURLOPT_NOSIGNAL is set). So the thread that
 * talks blocks SIGPIPE while it does, and a pending one is taken away
 * before the mask is restored: nothing of this reaches a container burrow
 * starts later (ignored signals would). The layer threads block it for
 * their whole life (img_http_block_sigpipe). */
void img_http_block_sigpipe(sigset_t *old)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &s, old);
}

void img_http_restore_sigpipe(const sigset_t *old)
{
	if (sigismember(old, SIGPIPE))
		return;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	const struct timespec zero = {0, 0};
	while (sigtimedwait(&s, NULL, &zero) > 0)
		;
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* --- small requests ------------------------------------------------------------------- */

void img_http_resp_clear(struct img_http_resp *r)
{
	free(r->body);
	free(r->content_type);
	free(r->docker_digest);
	free(r->www_authenticate);
	free(r->location);
	free(r->link);
	memset(r, 0, sizeof(*r));
}

struct membuf {
	char *data;
	size_t len, max;
	bool too_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	struct membuf *m = data;
	size_t len = size * n;
	if (m->len + len > m->max) {
		m->too_big = true;
		return 0;
	}
	m->data = xrealloc(m->data, m->len + len + 1);
	memcpy(m->data + m->len, p, len);
	m->len += len;
	m->data[m->len] = '\0';
	return len;
}

struct upload {
	const struct img_http_body *b;
	long long done;
	struct burrow_err *err;
};

static size_t on_upload(char *p, size_t size, size_t n, void *data)
{
	struct upload *u = data;
	long long left = u->b->size - u->done;
	size_t want = size * n;
	if ((long long)want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	if (u->b->data) {
		memcpy(p, u->b->data + u->done, want);
	} else {
		ssize_t got = TEMP_FAILURE_RETRY(pread(u->b->fd, p, want, (off_t)(u->b->off + u->done)));
		if (got <= 0) {
			burrow_error(&u->err, got < 0 ? errno : EIO, "cannot read what is sent");
			return CURL_READFUNC_ABORT;
		}
		want = (size_t)got;
	}
	u->done += (long long)want;
	if (u->b->progress)
		atomic_store(u->b->progress, u->done);
	if (u->b->tick)
		u->b->tick(u->b->tick_data, u->done);
	return want;
}

int img_http_get(const struct img_http_req *rq, struct img_http_resp *r, struct burrow_err **err)
{
	return img_http_send(rq, "GET", NULL, r, err);
}

int img_http_send(const struct img_http_req *rq, const char *method, const struct img_http_body *body_in,
                  struct img_http_resp *r, struct burrow_err **err)
{
	memset(r, 0, sizeof(*r));
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = new_handle(rq, errbuf);
	if (!h)
		return burrow_error(err, ENOMEM, "cannot set up an HTTP request");
	struct curl_slist *hdrs = make_headers(rq->headers);
	struct headers hd = {0};
	struct membuf body = {.max = rq->max_body};
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &hd);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	struct upload up = {.b = body_in};
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "PUT") == 0 || (strcmp(method, "POST") == 0 && body_in)) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
		curl_easy_setopt(h, CURLOPT_READDATA, &up);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(body_in ? body_in->size : 0));
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		/* a redirect must not turn the upload into a GET */
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	}
	sigset_t old;
	img_http_block_sigpipe(&old);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	img_http_restore_sigpipe(&old);
	curl_slist_free_all(hdrs);
	int ret = 0;
	if (body.too_big) {
		ret = burrow_error(err, 0, "%s: the answer is larger than %zu bytes", rq->url, rq->max_body);
	} else if (up.err) {
		*err = steal_ptr(up.err);
		ret = -1;
	} else if (rc != CURLE_OK) {
		ret = transport_error(rc, rq->url, errbuf, err);
	} else if (hd.link_too_long) {
		ret = burrow_error_status(err, EFBIG, "%s: its Link headers are longer than %d bytes in all", rq->url,
		                          LINK_MAX);
	} else {
		r->status = status;
		r->body = body.data ? steal_ptr(body.data) : xstrdup("");
		r->len = body.len;
		r->content_type = steal_ptr(hd.content_type);
		r->docker_digest = steal_ptr(hd.docker_digest);
		r->www_authenticate = steal_ptr(hd.www_authenticate);
		r->location = steal_ptr(hd.location);
		r->link = steal_ptr(hd.link);
	}
	free(body.data);
	headers_clear(&hd);
	return ret;
}

bool img_http_transient_status(long status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

void img_http_sleep_retry(const struct img_net *net, int attempt, const atomic_bool *cancel)
{
	/* the given delay, else 2 s doubling (as podman) */
	long long ms = net->retry_delay_ms ? net->retry_delay_ms : 2000LL << (attempt < 5 ? attempt : 5);
	for (long long slept = 0; slept < ms; slept += 50) {
		if (cancel && atomic_load(cancel))
			return;
		struct timespec ts = {0, (ms - slept < 50 ? ms - slept : 50) * 1000000L};
		nanosleep(&ts, NULL);
	}
}

/* --- blob streams ---------------------------------------------------------------------- */

struct img_blob_stream {
	struct img_http_req rq; /* url, tls, net copied */
	char *url;
	char *digest;
	long long size;
	char *(*auth)(void *data, bool refresh, struct burrow_err **err);
	void *auth_data;
	const atomic_bool *cancel;
	atomic_llong *progress;

	CURLM *multi;
	CURL *easy;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	bool active;   /* the easy handle is in the multi handle */
	bool paused;   /* the write callback paused the transfer */
	bool finished; /* every byte arrived and was verified */
	int attempt;
	bool reauthed;

	long status;        /* of the current response, once known */
	long long skip;     /* bytes to drop (a 200 to a Range request) */
	long long received; /* verified part of the blob so far */
	bool overflow;
	EVP_MD_CTX *md;
	char *buf;
	size_t len, off, cap;
	char errbody[512];
	size_t errlen;
	struct burrow_err *err;
};

static size_t on_blob(char *p, size_t size, size_t n, void *data)
{
	struct img_blob_stream *s = data;
	size_t len = size * n;
	if (!s->status) {
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
		if (s->status == 200 && s->received > 0)
			s->skip = s->received; /* the server ignored the Range */
	}
	if (s->status != 200 && s->status != 206) {
		size_t room = sizeof(s->errbody) - 1 - s->errlen;
		size_t k = len < room ? len : room;
		memcpy(s->errbody + s->errlen, p, k);
		s->errlen += k;
		s->errbody[s->errlen] = '\0';
		return len;
	}
	if (s->len >= BLOB_BUF_HIGH) {
		s->paused = true;
		return CURL_WRITEFUNC_PAUSE; /* curl hands the same data again */
	}
	const char *q = p;
	size_t k = len;
	if (s->skip) {
		size_t drop = (long long)k < s->skip ? k : (size_t)s->skip;
		s->skip -= (long long)drop;
		q += drop;
		k -= drop;
	}
	if (!k)
		return len;
	if (s->received + (long long)k > s->size) {
		s->overflow = true;
		return 0; /* curl stops with a write error */
	}
	if (s->len + k > s->cap) {
		s->cap = s->len + k > s->cap * 2 ? s->len + k : s->cap * 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, q, k);
	s->len += k;
	EVP_DigestUpdate(s->md, q, k);
	s->received += (long long)k;
	if (s->progress)
		atomic_store(s->progress, s->received);
	return len;
}

static int start_attempt(struct img_blob_stream *s)
{
	if (s->active) {
		curl_multi_remove_handle(s->multi, s->easy);
		s->active = false;
	}
	if (s->easy)
		curl_easy_cleanup(s->easy);
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	s->errbuf[0] = '\0';
	s->easy = new_handle(&s->rq, s->errbuf);
	if (!s->easy)
		return burrow_error(&s->err, ENOMEM, "cannot set up an HTTP request");
	cleanup_free char *auth = s->auth ? s->auth(s->auth_data, false, &s->err) : NULL;
	if (!auth && s->err)
		return -1;
	if (auth)
		s->hdrs = curl_slist_append(s->hdrs, auth);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_blob);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	if (s->received > 0) {
		char range[64];
		snprintf(range, sizeof(range), "%lld-", s->received);
		curl_easy_setopt(s->easy, CURLOPT_RANGE, range);
	}
	s->status = 0;
	s->skip = 0;
	s->errlen = 0;
	s->errbody[0] = '\0';
	s->paused = false;
	curl_multi_add_handle(s->multi, s->easy);
	s->active = true;
	return 0;
}

int img_blob_open(const struct img_blob_req *rq, struct img_blob_stream **out, struct burrow_err **err)
{
	struct img_blob_stream *s = xcalloc(1, sizeof(*s));
	s->url = xstrdup(rq->http.url);
	s->rq = rq->http;
	s->rq.url = s->url;
	s->digest = xstrdup(rq->digest);
	s->size = rq->size;
	s->auth = rq->auth;
	s->auth_data = rq->auth_data;
	s->cancel = rq->cancel;
	s->progress = rq->progress;
	s->multi = curl_multi_init();
	s->md = EVP_MD_CTX_new();
	if (!s->multi || !s->md || !EVP_DigestInit_ex(s->md, EVP_sha256(), NULL)) {
		img_blob_close(s);
		return burrow_error(err, ENOMEM, "cannot set up a download");
	}
	*out = s;
	return 0;
}

void img_blob_close(struct img_blob_stream *s)
{
	if (!s)
		return;
	if (s->active)
		curl_multi_remove_handle(s->multi, s->easy);
	if (s->easy)
		curl_easy_cleanup(s->easy);
	if (s->multi)
		curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->hdrs);
	if (s->md)
		EVP_MD_CTX_free(s->md);
	burrow_err_free(s->err);
	free(s->buf);
	free(s->url);
	free(s->digest);
	free(s);
}

struct burrow_err *img_blob_take_error(struct img_blob_stream *s)
{
	return steal_ptr(s->err);
}

static int verify_end(struct img_blob_stream *s)
{
	if (s->received < s->size)
		return burrow_error(&s->err, 0, "blob %s is truncated: %lld of %lld bytes arrived", s->digest,
		                    s->received, s->size);
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	if (!EVP_DigestFinal_ex(s->md, dig, &dlen) || dlen != 32)
		return burrow_error(&s->err, 0, "cannot compute sha256 (OpenSSL)");
	char hex[65];
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	if (strcmp(hex, s->digest + 7) != 0) {
		burrow_error(&s->err, 0, "blob %s does not match its digest: its content is sha256:%s", s->digest, hex);
		return burrow_error_hint(&s->err, "the registry or something between it and here altered it; "
		                                  "nothing of it was kept");
	}
	s->finished = true;
	return 0;
}

/* The transfer ended (rc): done, try again, or fail. */
static int transfer_ended(struct img_blob_stream *s, CURLcode rc)
{
	long status = s->status;
	if (!status)
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(s->multi, s->easy);
	s->active = false;
	if (s->overflow)
		return burrow_error(&s->err, 0, "blob %s is larger than the %lld bytes its manifest says", s->digest,
		                    s->size);
	bool transient;
	if (rc != CURLE_OK) {
		transport_error(rc, s->url, s->errbuf, &s->err);
		transient = s->err->status == EAGAIN;
	} else if (status == 200 || status == 206) {
		return verify_end(s);
	} else if (status == 401 && s->auth && !s->reauthed) {
		/* a token that expired during a long pull */
		s->reauthed = true;
		char *fresh = s->auth(s->auth_data, true, &s->err);
		if (!fresh)
			return -1;
		free(fresh);
		return start_attempt(s);
	} else {
		img_http_status_error(status, s->errbody, s->url, &s->err);
		transient = img_http_transient_status(status);
	}
	if (!transient || s->attempt >= s->rq.net->retries)
		return -1;
	burrow_debug("%s (attempt %d); trying again from byte %lld", s->err->msg, s->attempt + 1, s->received);
	img_http_sleep_retry(s->rq.net, s->attempt++, s->cancel);
	burrow_err_free(steal_ptr(s->err));
	return start_attempt(s);
}

/* The stream's error, for the reader of the stream (the stream keeps its
 * own for img_blob_take_error). */
static ssize_t fail_read(struct img_blob_stream *s, struct burrow_err **err)
{
	burrow_error_status(err, s->err->status, "%s", s->err->msg);
	if (s->err->hint)
		burrow_error_hint(err, "%s", s->err->hint);
	return -1;
}

ssize_t img_blob_read(void *ctx, void *out, size_t want, struct burrow_err **err)
{
	struct img_blob_stream *s = ctx;
	for (;;) {
		if (s->off < s->len) {
			size_t n = s->len - s->off < want ? s->len - s->off : want;
			memcpy(out, s->buf + s->off, n);
			s->off += n;
			return (ssize_t)n;
		}
		s->off = s->len = 0;
		if (s->err)
			return fail_read(s, err);
		if (s->finished)
			return 0;
		if (s->cancel && atomic_load(s->cancel)) {
			burrow_error_status(&s->err, ECANCELED, "cancelled");
			return fail_read(s, err);
		}
		if (!s->active) {
			if (start_attempt(s) < 0)
				return fail_read(s, err);
		} else if (s->paused) {
			s->paused = false;
			curl_easy_pause(s->easy, CURLPAUSE_CONT); /* may deliver at once */
			continue;
		}
		int running = 0;
		CURLMcode mc = curl_multi_perform(s->multi, &running);
		if (mc != CURLM_OK) {
			burrow_error(&s->err, EIO, "%s: the transfer failed (curl multi error %d)", s->url, (int)mc);
			return fail_read(s, err);
		}
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(s->multi, &left)))
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == s->easy &&
			    transfer_ended(s, msg->data.result) < 0)
				return -1;
		if (s->len > 0 || s->finished || !s->active || s->paused)
			continue;
		curl_multi_poll(s->multi, NULL, 0, 200, NULL);
	}
}

/* --- messages ------------------------------------------------------------------------ */

/* s with control characters and quotes shown as escapes, at most max bytes. */
static char *printable(const char *s, size_t max)
{
	char *out = xmalloc(max * 4 + 4), *o = out;
	for (size_t i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\')
			o += sprintf(o, c == '\n' ? "\\n" : "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

int img_http_status_error(long status, const char *body, const char *url, struct burrow_err **err)
{
	/* the distribution spec's {"errors":[{"code":...,"message":...}]} */
	cleanup_free char *what = NULL;
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = body && *body == '{' ? json_parse(body, &e) : NULL;
	yajl_val errors = v ? json_get(v, "errors") : NULL;
	if (errors && YAJL_IS_ARRAY(errors) && errors->u.array.len > 0) {
		yajl_val first = errors->u.array.values[0];
		const char *c = json_get_str(first, "code"), *m = json_get_str(first, "message");
		cleanup_free char *pc = printable(c ? c : "", 64);
		cleanup_free char *pm = printable(m ? m : "", 200);
		if (*pc || *pm)
			what = xasprintf("%s%s%s", pc, *pc && *pm ? ": " : "", pm);
	}
	if (!what && body && *body) {
		size_t n = strcspn(body, "\r\n");
		cleanup_free char *line = xstrndup(body, n < 120 ? n : 120);
		what = printable(line, 120);
	}
	int st = status == 404 ? ENOENT : status == 401 || status == 403 ? EACCES : EIO;
	return burrow_error_status(err, st, "%s: HTTP %ld%s%s", url, status, what ? " " : "", what ? what : "");
}
