/* Registry credentials: the auth.json files podman and docker write
 * (containers-auth.json(5)), and the WWW-Authenticate challenges registries
 * answer with. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/base64.h"
#include "lib/cleanup.h"
#include "lib/conf.h"
#include "lib/quote.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

void img_creds_clear(struct img_creds *c)
{
	free(c->user);
	if (c->pass) {
		explicit_bzero(c->pass, strlen(c->pass));
		free(c->pass);
	}
	free(c->source);
	memset(c, 0, sizeof(*c));
}

char *img_auth_default_path(void)
{
	const char *env = getenv("REGISTRY_AUTH_FILE");
	if (env && *env)
		return xstrdup(env);
	const char *run = getenv("XDG_RUNTIME_DIR");
	if (run && run[0] == '/')
		return path_join(run, "containers/auth.json");
	/* no runtime dir (ssh, su, batch jobs): somewhere that lasts */
	return conf_user_path("containers/auth.json");
}

char **img_auth_read_paths(const char *authfile)
{
	char **v = xcalloc(1, sizeof(char *));
	if (authfile) {
		strv_append(&v, authfile);
		return v;
	}
	strv_append_take(&v, img_auth_default_path());
	char *cfg = conf_user_path("containers/auth.json");
	if (cfg && !strv_contains(v, cfg))
		strv_append(&v, cfg);
	free(cfg);
	cleanup_free char *home = home_dir();
	if (home)
		strv_append_take(&v, path_join(home, ".docker/config.json"));
	return v;
}

char *img_auth_normalize_key(const char *key)
{
	const char *k = key;
	if (str_has_prefix(k, "https://"))
		k += 8;
	else if (str_has_prefix(k, "http://"))
		k += 7;
	char *r = xstrdup(k);
	size_t n = strlen(r);
	/* docker writes "https://index.docker.io/v1/" */
	if (n >= 4 && (strcmp(r + n - 4, "/v1/") == 0 || strcmp(r + n - 4, "/v2/") == 0))
		r[n -= 4] = '\0';
	else if (n >= 3 && (strcmp(r + n - 3, "/v1") == 0 || strcmp(r + n - 3, "/v2") == 0))
		r[n -= 3] = '\0';
	while (n > 0 && r[n - 1] == '/')
		r[--n] = '\0';
	if (strcmp(r, "index.docker.io") == 0 || strcmp(r, "registry-1.docker.io") == 0) {
		free(r);
		r = xstrdup("docker.io");
	} else if (str_has_prefix(r, "index.docker.io/")) {
		char *t = xasprintf("docker.io/%s", r + strlen("index.docker.io/"));
		free(r);
		r = t;
	}
	return r;
}

/* The "auth" (base64 user:password) of an entry, or its "username" and
 * "password" (some tools write those). */
static int entry_creds(yajl_val entry, const char *path, const char *key, struct img_creds *out,
                       struct burrow_err **err)
{
	const char *auth = json_get_str(entry, "auth");
	if (auth && *auth) {
		size_t n = 0;
		cleanup_free char *plain = base64_decode(auth, &n);
		char *colon = plain ? memchr(plain, ':', n) : NULL;
		if (!colon || memchr(plain, '\0', n))
			return burrow_error(err, 0, "%s: the \"auth\" of '%s' is not base64 of USER:PASSWORD", path,
			                    key);
		*colon = '\0';
		out->user = xstrdup(plain);
		out->pass = xstrdup(colon + 1);
		explicit_bzero(plain, n);
	} else {
		const char *u = json_get_str(entry, "username"), *p = json_get_str(entry, "password");
		if (!u || !p)
			return 1; /* e.g. an entry of a credential helper: nothing here */
		out->user = xstrdup(u);
		out->pass = xstrdup(p);
	}
	out->source = xasprintf("%s (%s)", path, key);
	return 0;
}

int img_auth_lookup_text(const char *text, const char *path, const char *name, struct img_creds *out,
                         struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(text, &e);
	if (!v || !YAJL_IS_OBJECT(v))
		return burrow_error(err, 0, "%s: %s", path, v ? "not a JSON object" : e->msg);
	cleanup_free char *host = xstrndup(name, strcspn(name, "/"));
	/* credHelpers first, as podman does: helpers are per registry */
	yajl_val helpers = json_get(v, "credHelpers");
	for (size_t i = 0; helpers && YAJL_IS_OBJECT(helpers) && i < helpers->u.object.len; i++) {
		cleanup_free char *k = img_auth_normalize_key(helpers->u.object.keys[i]);
		const char *helper = YAJL_GET_STRING(helpers->u.object.values[i]);
		if (strcmp(k, host) != 0 || !helper)
			continue;
		cleanup_free char *where = xasprintf("credHelpers of %s", path);
		int r = img_cred_helper_get(helper, host, where, out, err);
		if (r <= 0)
			return r;
	}
	yajl_val auths = json_get(v, "auths");
	/* host/ns/repo, then host/ns, then host */
	cleanup_free char *want = xstrdup(name);
	while (auths && YAJL_IS_OBJECT(auths)) {
		for (size_t i = 0; i < auths->u.object.len; i++) {
			cleanup_free char *k = img_auth_normalize_key(auths->u.object.keys[i]);
			if (strcmp(k, want) != 0 || !YAJL_IS_OBJECT(auths->u.object.values[i]))
				continue;
			int r = entry_creds(auths->u.object.values[i], path, auths->u.object.keys[i], out, err);
			if (r <= 0)
				return r;
		}
		char *slash = strrchr(want, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	/* docker's store for every registry (its auths entries are then empty) */
	const char *store = json_get_str(v, "credsStore");
	if (store && *store) {
		cleanup_free char *where = xasprintf("credsStore of %s", path);
		return img_cred_helper_get(store, host, where, out, err);
	}
	return 1;
}

int img_auth_lookup(const char *authfile, const char *name, struct img_creds *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_strv char **paths = img_auth_read_paths(authfile);
	for (size_t i = 0; paths[i]; i++) {
		cleanup_free char *text = NULL;
		cleanup_err struct burrow_err *e = NULL;
		if (read_file(paths[i], &text, NULL, &e) < 0) {
			if (e->status == ENOENT && !authfile)
				continue;
			*err = steal_ptr(e);
			return -1;
		}
		int r = img_auth_lookup_text(text, paths[i], name, out, err);
		if (r <= 0)
			return r;
	}
	return 1;
}

/* Copies every member of obj but the one named skip. */
static void copy_members_but(yajl_gen g, yajl_val obj, const char *skip)
{
	for (size_t i = 0; obj && YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++) {
		if (skip && strcmp(obj->u.object.keys[i], skip) == 0)
			continue;
		jg_key(g, obj->u.object.keys[i]);
		jg_value(g, obj->u.object.values[i]);
	}
}

char *img_auth_edit_text(const char *text, const char *key, const char *user, const char *pass, int *removed,
                         struct burrow_err **err)
{
	cleanup_yajl yajl_val v = NULL;
	if (text && *text) {
		cleanup_err struct burrow_err *e = NULL;
		v = json_parse(text, &e);
		if (!v || !YAJL_IS_OBJECT(v)) {
			burrow_error(err, 0, "%s", v ? "not a JSON object" : e->msg);
			return NULL;
		}
	}
	yajl_val auths = v ? json_get(v, "auths") : NULL;
	if (auths && !YAJL_IS_OBJECT(auths))
		auths = NULL;
	*removed = 0;
	yajl_gen g = json_gen_new();
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	jg_map_open(g);
	jg_key(g, "auths");
	jg_map_open(g);
	for (size_t i = 0; auths && i < auths->u.object.len; i++) {
		const char *k = auths->u.object.keys[i];
		cleanup_free char *nk = img_auth_normalize_key(k);
		/* key NULL: logout --all; otherwise drop the entry being replaced */
		if (!key || strcmp(nk, key) == 0) {
			(*removed)++;
			continue;
		}
		jg_key(g, k);
		jg_value(g, auths->u.object.values[i]);
	}
	if (key && user) {
		cleanup_free char *plain = xasprintf("%s:%s", user, pass ? pass : "");
		cleanup_free char *b64 = base64_encode(plain, strlen(plain));
		explicit_bzero(plain, strlen(plain));
		jg_key(g, key);
		jg_map_open(g);
		jg_key_str(g, "auth", b64);
		jg_map_close(g);
	}
	jg_map_close(g);
	copy_members_but(g, v, "auths");
	jg_map_close(g);
	return json_gen_finish(g);
}

int img_auth_edit(const char *path, const char *key, const char *user, const char *pass, int *removed,
                  struct burrow_err **err)
{
	cleanup_free char *text = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0 && e->status != ENOENT) {
		*err = steal_ptr(e);
		return -1;
	}
	int gone = 0;
	cleanup_free char *out = img_auth_edit_text(text, key, user, pass, &gone, err);
	if (!out)
		return burrow_error_wrap(err, "%s", path);
	if (removed)
		*removed = gone;
	if (!text && !user)
		return 0; /* nothing to remove from a file that is not there */
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0700, err) < 0)
			return -1;
	}
	if (write_file_atomic(path, out, strlen(out), 0600, err) < 0)
		return -1;
	/* an existing file keeps its mode through the rename: secrets are 0600 */
	if (chmod(path, 0600) < 0)
		return burrow_error(err, errno, "cannot make '%s' private", str_quote(path));
	return 0;
}

/* --- WWW-Authenticate -------------------------------------------------------- */

void img_challenge_clear(struct img_challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof(*c));
}

static bool is_token_char(char c)
{
	return c && !strchr(" \t,=\"", c);
}

int img_challenge_parse(const char *header, struct img_challenge *out)
{
	memset(out, 0, sizeof(*out));
	const char *p = header;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *start = p;
	while (is_token_char(*p))
		p++;
	if (p == start)
		return -1;
	out->scheme = xstrndup(start, (size_t)(p - start));
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			return 0;
		start = p;
		while (is_token_char(*p))
			p++;
		size_t klen = (size_t)(p - start);
		while (*p == ' ' || *p == '\t')
			p++;
		if (!klen || *p != '=') {
			img_challenge_clear(out);
			return -1;
		}
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		cleanup_free char *val = NULL;
		if (*p == '"') {
			p++;
			char *o = val = xmalloc(strlen(p) + 1);
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				*o++ = *p++;
			}
			*o = '\0';
			if (*p != '"') {
				img_challenge_clear(out);
				return -1;
			}
			p++;
		} else {
			const char *vs = p;
			while (is_token_char(*p))
				p++;
			val = xstrndup(vs, (size_t)(p - vs));
		}
		char **slot = NULL;
		if (klen == 5 && strncasecmp(start, "realm", 5) == 0)
			slot = &out->realm;
		else if (klen == 7 && strncasecmp(start, "service", 7) == 0)
			slot = &out->service;
		else if (klen == 5 && strncasecmp(start, "scope", 5) == 0)
			slot = &out->scope;
		else if (klen == 5 && strncasecmp(start, "error", 5) == 0)
			slot = &out->error;
		if (slot) {
			free(*slot);
			*slot = steal_ptr(val);
		}
	}
}
