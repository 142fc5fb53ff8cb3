/* burrow login / logout: credentials checked with the registry, then kept
 * in auth.json as podman and docker keep them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#define LOGIN_TIMEOUT_S 30

char *img_registry_key(const char *registry, struct burrow_err **err)
{
	const char *r = registry;
	if (str_has_prefix(r, "https://"))
		r += 8;
	else if (str_has_prefix(r, "http://"))
		r += 7;
	cleanup_free char *key = xstrdup(r);
	size_t n = strlen(key);
	while (n > 0 && key[n - 1] == '/')
		key[--n] = '\0';
	cleanup_free char *host = xstrndup(key, strcspn(key, "/"));
	if (!*key || !img_valid_domain(host)) {
		burrow_error_status(err, EINVAL, "invalid registry '%s': expected HOST[:PORT][/NAMESPACE]",
		                    str_quote(registry));
		return NULL;
	}
	if (strchr(key, '/')) {
		/* the namespace part must be a repository path */
		cleanup_free char *ref = xasprintf("%s:x", key);
		struct img_ref p;
		if (img_ref_parse(ref, &p, err) < 0)
			return NULL;
		img_ref_clear(&p);
	}
	return img_auth_normalize_key(key);
}

/* The first unqualified-search registry (docker.io when none), as podman
 * logs in when no registry is named. */
static char *default_registry(struct burrow_err **err)
{
	__attribute__((cleanup(img_registries_clear))) struct img_registries regs = {0};
	if (img_registries_load(&regs, err) < 0)
		return NULL;
	return xstrdup(regs.search && regs.search[0] ? regs.search[0] : "docker.io");
}

/* The auth file's text ("" when it does not exist yet). */
static int auth_text(const char *file, char **text, struct burrow_err **err)
{
	cleanup_err struct burrow_err *e = NULL;
	if (read_file(file, text, NULL, &e) == 0)
		return 0;
	if (e->status != ENOENT) {
		*err = steal_ptr(e);
		return -1;
	}
	*text = xstrdup("");
	return 0;
}

int img_login(const struct img_login_opts *o, char **path, struct burrow_err **err)
{
	cleanup_free char *given = o->registry ? xstrdup(o->registry) : default_registry(err);
	if (!given)
		return -1;
	cleanup_free char *key = img_registry_key(given, err);
	if (!key)
		return -1;
	cleanup_free char *host = xstrndup(key, strcspn(key, "/"));
	bool insecure = o->tls_verify == 0;
	if (o->tls_verify < 0) {
		__attribute__((cleanup(img_registries_clear))) struct img_registries regs = {0};
		if (img_registries_load(&regs, err) < 0)
			return -1;
		cleanup_free char *probe = xasprintf("%s/x", key);
		const struct img_regconf *c = img_registries_find(&regs, probe);
		insecure = (c && c->insecure) || strv_contains(o->insecure, host);
	}
	struct img_net net = {
	    .timeout_s = o->timeout_s > 0 ? o->timeout_s : LOGIN_TIMEOUT_S, .retries = 1, .retry_delay_ms = 1000};
	struct img_registry_opts ro = {.host = host,
	                               .insecure = insecure,
	                               .cert_dir = o->cert_dir,
	                               .net = &net,
	                               .user = o->user,
	                               .pass = o->pass,
	                               .creds_source = "the login"};
	struct img_registry *reg = NULL;
	if (img_registry_open(&ro, &reg, err) < 0)
		return burrow_error_wrap(err, "cannot log in to %s", key);
	__attribute__((cleanup(img_http_resp_clear))) struct img_http_resp resp = {0};
	int rc = img_registry_get(reg, NULL, NULL, NULL, 64 * 1024, &resp, err);
	if (rc == 0 && resp.status != 200) {
		if (resp.status == 401 || resp.status == 403) {
			burrow_error_status(err, EACCES, "%s: invalid username or password", host);
		} else {
			cleanup_free char *url = img_registry_url(reg, NULL, NULL);
			img_http_status_error(resp.status, resp.body, url, err);
		}
		rc = -1;
	}
	img_registry_free(reg);
	if (rc < 0)
		return burrow_error_wrap(err, "cannot log in to %s", key);
	cleanup_free char *file = o->authfile ? xstrdup(o->authfile) : img_auth_default_path();
	if (!file)
		return burrow_error(err, 0,
		                    "cannot log in to %s: no place for auth.json (no $XDG_RUNTIME_DIR or $HOME)", key);
	cleanup_free char *text = NULL, *which = NULL;
	if (auth_text(file, &text, err) < 0)
		return burrow_error_wrap(err, "cannot store the credentials for %s", key);
	cleanup_free char *helper = img_cred_helper_for(text, key, &which);
	if (helper) {
		/* the file names a helper for it: the helper keeps them, as
		 * podman and docker do; an old entry in the file would shadow it */
		cleanup_free char *where = xasprintf("%s of %s", which, file);
		int removed = 0;
		if (img_cred_helper_store(helper, host, o->user, o->pass, where, err) < 0 ||
		    img_auth_edit(file, key, NULL, NULL, &removed, err) < 0)
			return burrow_error_wrap(err, "cannot store the credentials for %s", key);
	} else if (img_auth_edit(file, key, o->user, o->pass, NULL, err) < 0) {
		return burrow_error_wrap(err, "cannot store the credentials for %s", key);
	}
	*path = steal_ptr(file);
	return 0;
}

int img_logout(const char *authfile, const char *registry, char **path, struct burrow_err **err)
{
	cleanup_free char *key = NULL;
	if (registry && !(key = img_registry_key(registry, err)))
		return -1;
	cleanup_free char *file = authfile ? xstrdup(authfile) : img_auth_default_path();
	if (!file)
		return burrow_error(err, 0, "no auth.json to log out from (no $XDG_RUNTIME_DIR or $HOME)");
	int removed = 0, erased = 0;
	cleanup_free char *text = NULL, *which = NULL, *helper = NULL;
	if (auth_text(file, &text, err) < 0)
		return -1;
	if (!key) {
		/* --all: the helpers' credentials go first, as podman's */
		int r = img_cred_helper_erase_every(text, file, err);
		if (r < 0)
			return burrow_error_wrap(err, "cannot log out of every registry");
		erased = r;
	}
	if (key && (helper = img_cred_helper_for(text, key, &which))) {
		cleanup_free char *where = xasprintf("%s of %s", which, file);
		cleanup_free char *host = xstrndup(key, strcspn(key, "/"));
		int r = img_cred_helper_erase(helper, host, where, err);
		if (r < 0)
			return burrow_error_wrap(err, "cannot log out of %s", key);
		erased = r == 0;
	}
	if (img_auth_edit(file, key, NULL, NULL, &removed, err) < 0)
		return -1;
	removed += erased;
	*path = steal_ptr(file);
	if (removed || !key)
		return 0;
	burrow_error_status(err, ENOENT, "not logged into %s", key);
	struct img_creds c = {0};
	cleanup_err struct burrow_err *e = NULL;
	if (!authfile && img_auth_lookup(NULL, key, &c, &e) == 0) {
		burrow_error_hint(err,
		                  "credentials for it come from %s, which burrow only reads: remove them there "
		                  "(docker logout, podman logout --authfile FILE)",
		                  c.source);
		img_creds_clear(&c);
	}
	return -1;
}

int img_login_user(const char *authfile, const char *registry, char **user, struct burrow_err **err)
{
	cleanup_free char *key = img_registry_key(registry, err);
	if (!key)
		return -1;
	struct img_creds c = {0};
	int r = img_auth_lookup(authfile, key, &c, err);
	if (r < 0)
		return -1;
	if (r == 1)
		return burrow_error_status(err, ENOENT, "not logged into %s", key);
	*user = steal_ptr(c.user);
	img_creds_clear(&c);
	return 0;
}
