/* registries.conf (containers-registries.conf(5), versions 1 and 2, and the
 * registries.conf.d drop-ins): short-name search and aliases, and per
 * registry or namespace: location, insecure, blocked, mirrors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/conf.h"
#include "lib/quote.h"
#include "lib/fileutil.h"
#include "lib/strv.h"
#include "lib/toml.h"
#include "lib/xalloc.h"

#define SYSTEM_CONF "/etc/containers/registries.conf"
#define SYSTEM_CONF_D "/etc/containers/registries.conf.d"

static void regconf_clear(struct img_regconf *c)
{
	free(c->prefix);
	free(c->location);
	free(c->source);
	for (size_t i = 0; i < c->nmirrors; i++)
		free(c->mirrors[i].location);
	free(c->mirrors);
	memset(c, 0, sizeof(*c));
}

void img_registries_clear(struct img_registries *r)
{
	strv_free(r->search);
	free(r->search_source);
	for (size_t i = 0; i < r->nregs; i++)
		regconf_clear(&r->regs[i]);
	free(r->regs);
	strv_free(r->alias_names);
	strv_free(r->alias_values);
	strv_free(r->alias_sources);
	free(r->short_name_mode);
	strv_free(r->files);
	memset(r, 0, sizeof(*r));
}

static void cleanup_tomlp(struct toml_val **v)
{
	toml_free(*v);
}

static int bad(struct burrow_err **err, const struct toml_val *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct burrow_err **err, const struct toml_val *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *m = xvasprintf(fmt, ap);
	va_end(ap);
	return burrow_error(err, 0, "line %u: %s", v ? v->line : 0, m);
}

static int get_string(const struct toml_val *t, const char *key, char **out, struct burrow_err **err)
{
	const struct toml_val *v = toml_get(t, key);
	if (!v)
		return 0;
	if (v->type != TOML_STRING)
		return bad(err, v, "'%s' must be a string, not a %s", str_quote(key), toml_type_name(v->type));
	free(*out);
	*out = xstrdup(v->u.s);
	return 0;
}

static int get_bool(const struct toml_val *t, const char *key, bool *out, struct burrow_err **err)
{
	const struct toml_val *v = toml_get(t, key);
	if (!v)
		return 0;
	if (v->type != TOML_BOOL)
		return bad(err, v, "'%s' must be true or false", str_quote(key));
	*out = v->u.b;
	return 0;
}

static int get_strings(const struct toml_val *v, const char *key, char ***out, struct burrow_err **err)
{
	if (v->type != TOML_ARRAY)
		return bad(err, v, "'%s' must be an array of strings", key);
	cleanup_strv char **list = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < v->u.arr.n; i++) {
		if (v->u.arr.items[i]->type != TOML_STRING)
			return bad(err, v, "'%s' must be an array of strings", key);
		strv_append(&list, v->u.arr.items[i]->u.s);
	}
	*out = steal_ptr(list);
	return 0;
}

/* A location or prefix: HOST[:PORT][/NS...], no tag or digest, no scheme. */
static int check_location(const struct toml_val *v, const char *key, const char *loc, bool wildcard_ok,
                          struct burrow_err **err)
{
	if (!*loc)
		return bad(err, v, "'%s' is empty", key);
	if (strstr(loc, "://"))
		return bad(err, v, "'%s' must not have a scheme: '%s'", key, str_quote(loc));
	if (str_has_prefix(loc, "*.")) {
		if (!wildcard_ok || strchr(loc, '/'))
			return bad(err, v, "'%s' may only be a wildcard host (*.example.com) as a prefix", key);
		return 0;
	}
	if (strchr(loc, '*'))
		return bad(err, v, "'%s' has a '*' that is not a leading '*.': '%s'", key, str_quote(loc));
	return 0;
}

static struct img_regconf *add_reg(struct img_registries *r, struct img_regconf *c)
{
	/* a later file's entry for the same prefix replaces the earlier one */
	for (size_t i = 0; i < r->nregs; i++) {
		if (strcmp(r->regs[i].prefix, c->prefix) == 0) {
			regconf_clear(&r->regs[i]);
			r->regs[i] = *c;
			return &r->regs[i];
		}
	}
	r->regs = xrealloc(r->regs, (r->nregs + 1) * sizeof(*r->regs));
	r->regs[r->nregs] = *c;
	return &r->regs[r->nregs++];
}

static int parse_registry(struct img_registries *r, const struct toml_val *t, const char *path, struct burrow_err **err)
{
	if (t->type != TOML_TABLE)
		return bad(err, t, "[[registry]] entries must be tables");
	__attribute__((cleanup(regconf_clear))) struct img_regconf c = {0};
	if (get_string(t, "prefix", &c.prefix, err) < 0 || get_string(t, "location", &c.location, err) < 0 ||
	    get_bool(t, "insecure", &c.insecure, err) < 0 || get_bool(t, "blocked", &c.blocked, err) < 0 ||
	    get_bool(t, "mirror-by-digest-only", &c.mirror_by_digest_only, err) < 0)
		return -1;
	if (!c.prefix && !c.location)
		return bad(err, t, "a [[registry]] needs a 'location' or a 'prefix'");
	if (c.location && check_location(t, "location", c.location, false, err) < 0)
		return -1;
	if (!c.prefix)
		c.prefix = xstrdup(c.location);
	if (check_location(t, "prefix", c.prefix, true, err) < 0)
		return -1;
	if (str_has_prefix(c.prefix, "*.") && c.location && strcmp(c.location, c.prefix) != 0)
		return bad(err, t, "a wildcard prefix ('%s') cannot have a 'location'", str_quote(c.prefix));
	const struct toml_val *mirrors = toml_get(t, "mirror");
	if (mirrors) {
		if (mirrors->type != TOML_ARRAY)
			return bad(err, mirrors, "'mirror' must be an array of tables ([[registry.mirror]])");
		for (size_t i = 0; i < mirrors->u.arr.n; i++) {
			const struct toml_val *m = mirrors->u.arr.items[i];
			if (m->type != TOML_TABLE)
				return bad(err, m, "'mirror' must be an array of tables ([[registry.mirror]])");
			struct img_mirror mm = {0};
			if (get_string(m, "location", &mm.location, err) < 0 ||
			    get_bool(m, "insecure", &mm.insecure, err) < 0) {
				free(mm.location);
				return -1;
			}
			if (!mm.location || check_location(m, "location", mm.location, false, err) < 0) {
				if (!mm.location)
					bad(err, m, "a [[registry.mirror]] needs a 'location'");
				free(mm.location);
				return -1;
			}
			c.mirrors = xrealloc(c.mirrors, (c.nmirrors + 1) * sizeof(*c.mirrors));
			c.mirrors[c.nmirrors++] = mm;
		}
	}
	c.source = xasprintf("%s:%u", path, t->line);
	add_reg(r, &c);
	memset(&c, 0, sizeof(c));
	return 0;
}

static void set_alias(struct img_registries *r, const char *name, const char *value, const char *source)
{
	if (!r->alias_names) {
		r->alias_names = xcalloc(1, sizeof(char *));
		r->alias_values = xcalloc(1, sizeof(char *));
		r->alias_sources = xcalloc(1, sizeof(char *));
	}
	for (size_t i = 0; r->alias_names[i]; i++) {
		if (strcmp(r->alias_names[i], name) != 0)
			continue;
		free(r->alias_values[i]);
		free(r->alias_sources[i]);
		r->alias_values[i] = xstrdup(value);
		r->alias_sources[i] = xstrdup(source);
		return;
	}
	strv_append(&r->alias_names, name);
	strv_append(&r->alias_values, value);
	strv_append(&r->alias_sources, source);
}

static int parse_aliases(struct img_registries *r, const struct toml_val *t, const char *path, struct burrow_err **err)
{
	if (t->type != TOML_TABLE)
		return bad(err, t, "'aliases' must be a table");
	for (size_t i = 0; i < t->u.tab.n; i++) {
		const char *name = t->u.tab.keys[i];
		const struct toml_val *v = t->u.tab.vals[i];
		if (v->type != TOML_STRING)
			return bad(err, v, "alias '%s' must be a string", str_quote(name));
		struct img_ref ref;
		cleanup_err struct burrow_err *e = NULL;
		if (img_ref_parse(name, &ref, &e) < 0 || ref.domain || ref.tag || ref.digest) {
			img_ref_clear(&ref);
			return bad(err, v, "alias '%s' is not a short name (NAME without a registry, tag or digest)",
			           name);
		}
		img_ref_clear(&ref);
		if (*v->u.s) {
			if (img_ref_parse(v->u.s, &ref, &e) < 0 || !ref.domain || ref.tag || ref.digest) {
				img_ref_clear(&ref);
				return bad(err, v,
				           "alias '%s' must name REGISTRY/NAME without a tag or digest, not '%s'", name,
				           v->u.s);
			}
			img_ref_clear(&ref);
		}
		cleanup_free char *source = xasprintf("%s:%u", path, v->line);
		set_alias(r, name, v->u.s, source);
	}
	return 0;
}

/* The version 1 lists: [registries.search] registries = [...] etc. */
static int parse_v1(struct img_registries *r, const struct toml_val *regs, const char *path, struct burrow_err **err)
{
	static const char *const kinds[] = {"search", "insecure", "block"};
	for (size_t k = 0; k < 3; k++) {
		const struct toml_val *t = toml_get(regs, kinds[k]);
		const struct toml_val *list = t ? toml_get(t, "registries") : NULL;
		if (!list)
			continue;
		cleanup_strv char **v = NULL;
		if (get_strings(list, "registries", &v, err) < 0)
			return -1;
		for (size_t i = 0; v[i]; i++) {
			if (k == 0)
				continue;
			struct img_regconf c = {.prefix = xstrdup(v[i]), .insecure = k == 1, .blocked = k == 2};
			c.source = xasprintf("%s:%u", path, list->line);
			/* an entry may be both insecure and blocked */
			for (size_t j = 0; j < r->nregs; j++) {
				if (strcmp(r->regs[j].prefix, v[i]) == 0) {
					c.insecure |= r->regs[j].insecure;
					c.blocked |= r->regs[j].blocked;
				}
			}
			add_reg(r, &c);
		}
		if (k == 0) {
			strv_free(r->search);
			r->search = steal_ptr(v);
			free(r->search_source);
			r->search_source = xasprintf("%s:%u", path, list->line);
		}
	}
	return 0;
}

static int add_text(struct img_registries *r, const char *text, const char *path, struct burrow_err **err)
{
	__attribute__((cleanup(cleanup_tomlp))) struct toml_val *root = NULL;
	if (toml_parse(text, &root, err) < 0)
		return -1;
	const struct toml_val *v1 = toml_get(root, "registries");
	const struct toml_val *search = toml_get(root, "unqualified-search-registries");
	const struct toml_val *regs = toml_get(root, "registry");
	if (v1 && (search || regs))
		return burrow_error(err, 0, "it mixes the version 1 ([registries.search]) and version 2 formats");
	if (v1)
		return parse_v1(r, v1, path, err);
	if (search) {
		cleanup_strv char **list = NULL;
		if (get_strings(search, "unqualified-search-registries", &list, err) < 0)
			return -1;
		strv_free(r->search);
		r->search = steal_ptr(list);
		free(r->search_source);
		r->search_source = xasprintf("%s:%u", path, search->line);
	}
	if (get_string(root, "short-name-mode", &r->short_name_mode, err) < 0)
		return -1;
	if (regs) {
		if (regs->type != TOML_ARRAY)
			return bad(err, regs, "'registry' must be an array of tables ([[registry]])");
		for (size_t i = 0; i < regs->u.arr.n; i++)
			if (parse_registry(r, regs->u.arr.items[i], path, err) < 0)
				return -1;
	}
	const struct toml_val *aliases = toml_get(root, "aliases");
	if (aliases && parse_aliases(r, aliases, path, err) < 0)
		return -1;
	return 0;
}

int img_registries_add_text(struct img_registries *r, const char *text, const char *path, struct burrow_err **err)
{
	if (add_text(r, text, path, err) < 0) {
		burrow_error_wrap(err, "%s", path);
		return burrow_error_hint(err, "see containers-registries.conf(5) and burrow.conf(5)");
	}
	strv_append(&r->files, path);
	return 0;
}

/* 0 read, 1 missing (fine when optional), -1 error. */
static int add_file(struct img_registries *r, const char *path, bool optional, struct burrow_err **err)
{
	cleanup_free char *text = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0) {
		if (e->status == ENOENT && optional)
			return 1;
		*err = steal_ptr(e);
		return -1;
	}
	return img_registries_add_text(r, text, path, err);
}

/* The *.conf files of dir in alphanumerical order. */
static int add_dir(struct img_registries *r, const char *dir, struct burrow_err **err)
{
	cleanup_strv char **files = conf_dir_files(dir, ".conf");
	for (size_t i = 0; files[i]; i++)
		if (add_file(r, files[i], true, err) < 0)
			return -1;
	return 0;
}

int img_registries_load(struct img_registries *r, struct burrow_err **err)
{
	memset(r, 0, sizeof(*r));
	r->files = xcalloc(1, sizeof(char *));
	const char *env = getenv("CONTAINERS_REGISTRIES_CONF");
	if (env && *env)
		return add_file(r, env, false, err) < 0 ? -1 : 0;
	cleanup_free char *user = conf_user_path("containers/registries.conf");
	cleanup_free char *user_d = conf_user_path("containers/registries.conf.d");
	int u = user ? add_file(r, user, true, err) : 1;
	if (u < 0)
		return -1;
	if (u == 1) {
		/* the system files count only when the user has none of their own */
		if (add_file(r, SYSTEM_CONF, true, err) < 0 || add_dir(r, SYSTEM_CONF_D, err) < 0)
			return -1;
	}
	if (user_d && add_dir(r, user_d, err) < 0)
		return -1;
	return 0;
}

int img_search_registries(char ***out, struct burrow_err **err)
{
	struct img_registries r;
	if (img_registries_load(&r, err) < 0) {
		img_registries_clear(&r);
		return -1;
	}
	*out = r.search ? strv_dup(r.search) : xcalloc(1, sizeof(char *));
	img_registries_clear(&r);
	return 0;
}

/* --- names ----------------------------------------------------------------- */

int img_resolve_name(const struct img_registries *r, const char *ref, char ***names, char **note,
                     struct burrow_err **err)
{
	*note = NULL;
	struct img_ref p;
	if (img_ref_parse(ref, &p, err) < 0)
		return -1;
	cleanup_strv char **out = xcalloc(1, sizeof(char *));
	if (p.domain) {
		strv_append_take(&out, img_ref_normalize(&p));
		img_ref_clear(&p);
		*names = steal_ptr(out);
		return 0;
	}
	cleanup_free char *suffix = p.digest ? xasprintf("@%s", p.digest) : xasprintf(":%s", p.tag ? p.tag : "latest");
	for (size_t i = 0; r->alias_names && r->alias_names[i]; i++) {
		if (strcmp(r->alias_names[i], p.path) != 0 || !*r->alias_values[i])
			continue;
		char *full = xasprintf("%s%s", r->alias_values[i], suffix);
		cleanup_free char *n = img_ref_normalize_str(full, err);
		free(full);
		img_ref_clear(&p);
		if (!n)
			return -1;
		strv_append(&out, n);
		*note = xasprintf("Resolved \"%s\" as an alias (%s)", r->alias_names[i], r->alias_sources[i]);
		*names = steal_ptr(out);
		return 0;
	}
	static char *const docker_hub[] = {"docker.io", NULL};
	char *const *search = r->search ? r->search : docker_hub;
	if (!search[0]) {
		img_ref_clear(&p);
		burrow_error_status(
		    err, ENOENT,
		    "short name '%s' did not resolve: no alias names it and unqualified-search-registries "
		    "is empty (%s)",
		    ref, r->search_source);
		return burrow_error_hint(err, "give the full name (REGISTRY/NAME:TAG), or list registries to search "
		                              "in registries.conf");
	}
	for (size_t i = 0; search[i]; i++) {
		cleanup_free char *full = xasprintf("%s/%s%s", search[i], p.path, suffix);
		char *n = img_ref_normalize_str(full, err);
		if (!n) {
			img_ref_clear(&p);
			burrow_error_wrap(err, "unqualified-search-registries entry '%s'", str_quote(search[i]));
			return -1;
		}
		strv_append_take(&out, n);
	}
	img_ref_clear(&p);
	*names = steal_ptr(out);
	return 0;
}

/* How much of name prefix matches (its length), or 0 when it does not. */
static size_t prefix_match(const char *name, const char *prefix)
{
	if (str_has_prefix(prefix, "*.")) {
		size_t hl = strcspn(name, "/");
		size_t sl = strlen(prefix) - 1; /* ".example.com" */
		if (hl > sl && strncmp(name + hl - sl, prefix + 1, sl) == 0)
			return strlen(prefix);
		return 0;
	}
	size_t n = strlen(prefix);
	if (strncmp(name, prefix, n) != 0)
		return 0;
	char c = name[n];
	if (!strchr(prefix, '/'))
		return c == '/' ? n : 0; /* a host: "example.com" is not "example.com:5000" */
	return c == '\0' || c == '/' || c == ':' || c == '@' ? n : 0;
}

const struct img_regconf *img_registries_find(const struct img_registries *r, const char *name)
{
	const struct img_regconf *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < r->nregs; i++) {
		size_t n = prefix_match(name, r->regs[i].prefix);
		if (n > best_len) {
			best = &r->regs[i];
			best_len = n;
		}
	}
	return best;
}

void img_endpoint_clear(struct img_endpoint *e)
{
	free(e->host);
	free(e->repo);
	free(e->reference);
	memset(e, 0, sizeof(*e));
}

void img_endpoints_free(struct img_endpoint *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		img_endpoint_clear(&e[i]);
	free(e);
}

/* name (HOST/REPO:TAG or HOST/REPO@DIGEST) split up. */
static void split_name(const char *name, struct img_endpoint *e)
{
	const char *slash = strchr(name, '/');
	const char *at = strchr(name, '@');
	const char *colon = strrchr(name, ':');
	const char *end = at ? at : (colon && colon > strrchr(name, '/') ? colon : name + strlen(name));
	e->host = xstrndup(name, (size_t)(slash - name));
	e->repo = xstrndup(slash + 1, (size_t)(end - slash - 1));
	e->reference = xstrdup(*end ? end + 1 : "latest");
}

static void add_endpoint(struct img_endpoint **v, size_t *n, const char *name, const char *from, const char *to,
                         bool insecure, bool mirror)
{
	cleanup_free char *rewritten = xasprintf("%s%s", to, name + strlen(from));
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	struct img_endpoint *e = &(*v)[(*n)++];
	memset(e, 0, sizeof(*e));
	split_name(rewritten, e);
	e->insecure = insecure;
	e->mirror = mirror;
}

int img_endpoints(const struct img_registries *r, const char *name, struct img_endpoint **out, size_t *n,
                  struct burrow_err **err)
{
	*out = NULL;
	*n = 0;
	const struct img_regconf *c = img_registries_find(r, name);
	if (c && c->blocked) {
		burrow_error_status(err, EACCES, "'%s' is blocked by registries.conf (%s)", str_quote(name), c->source);
		return burrow_error_hint(err, "remove 'blocked = true' there to allow it");
	}
	if (!c) {
		add_endpoint(out, n, name, "", "", false, false);
		return 0;
	}
	bool wildcard = str_has_prefix(c->prefix, "*.");
	bool by_digest = strchr(name, '@') != NULL;
	if (!c->mirror_by_digest_only || by_digest)
		for (size_t i = 0; i < c->nmirrors; i++)
			add_endpoint(out, n, name, wildcard ? "" : c->prefix, wildcard ? "" : c->mirrors[i].location,
			             c->mirrors[i].insecure, true);
	const char *loc = c->location && !wildcard ? c->location : NULL;
	add_endpoint(out, n, name, loc ? c->prefix : "", loc ? loc : "", c->insecure, false);
	return 0;
}
