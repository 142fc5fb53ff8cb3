/* Image references: [DOMAIN/]PATH[:TAG][@DIGEST], validated by the grammar
 * docker and podman use, and their stored (normalised) form. */
#include "image/image.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )* */
static bool valid_path_component(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_lower_alnum(s[0]))
		return false;
	while (i < n) {
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		/* a separator, then more alphanumerics */
		size_t start = i;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == start || i == n || !is_lower_alnum(s[i]))
			return false;
	}
	return true;
}

/* [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])? ( "." ... )* ( ":" [0-9]+ )? */
bool img_valid_domain(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t host_len = colon ? (size_t)(colon - s) : strlen(s);
	if (colon) {
		const char *p = colon + 1;
		if (!*p)
			return false;
		for (; *p; p++)
			if (!isdigit((unsigned char)*p))
				return false;
	}
	if (host_len == 0)
		return false;
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < host_len && s[i] != '.')
			i++;
		size_t len = i - start;
		if (len == 0 || !isalnum((unsigned char)s[start]) || !isalnum((unsigned char)s[i - 1]))
			return false;
		for (size_t k = start; k < i; k++)
			if (!isalnum((unsigned char)s[k]) && s[k] != '-')
				return false;
		if (i == host_len)
			break;
		i++; /* the dot; a label must follow */
	}
	return host_len > 0;
}

/* [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
static bool valid_tag(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > TAG_MAX_LEN)
		return false;
	if (!isalnum((unsigned char)s[0]) && s[0] != '_')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return true;
	return false;
}

void img_ref_clear(struct img_ref *r)
{
	if (!r)
		return;
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

static int bad_ref(struct burrow_err **err, const char *s, const char *why)
{
	return burrow_error_status(err, EINVAL, "invalid image name '%s': %s", str_quote(s), why);
}

/* sha256:<64 lowercase hex> (the only algorithm registries use today). */
static int parse_digest(const char *s, const char *d, struct burrow_err **err)
{
	const char *colon = strchr(d, ':');
	if (!colon || colon == d)
		return bad_ref(err, s, "a digest is ALGORITHM:HEX, e.g. sha256:<64 hex digits>");
	if ((size_t)(colon - d) != 6 || strncmp(d, "sha256", 6) != 0)
		return bad_ref(err, s, "only sha256 digests are supported");
	const char *hex = colon + 1;
	if (strlen(hex) != 64 || !img_is_hex(hex))
		return bad_ref(err, s, "a sha256 digest has 64 lowercase hex digits");
	return 0;
}

int img_ref_parse(const char *s, struct img_ref *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return bad_ref(err, "", "empty name");
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return bad_ref(err, s, "it contains blanks or control characters");
	cleanup_free char *digest = NULL;
	cleanup_free char *name = NULL;
	const char *at = strchr(s, '@');
	if (at) {
		if (strchr(at + 1, '@'))
			return bad_ref(err, s, "more than one '@'");
		if (parse_digest(s, at + 1, err) < 0)
			return -1;
		digest = xstrdup(at + 1);
		name = xstrndup(s, (size_t)(at - s));
	} else {
		name = xstrdup(s);
	}

	const char *rest = name;
	cleanup_free char *domain = NULL;
	const char *slash = strchr(name, '/');
	if (slash) {
		size_t n = (size_t)(slash - name);
		if (memchr(name, '.', n) || memchr(name, ':', n) || (n == 9 && strncmp(name, "localhost", 9) == 0) ||
		    has_upper(name, n)) {
			domain = xstrndup(name, n);
			rest = slash + 1;
			if (!img_valid_domain(domain))
				return bad_ref(err, s, "invalid registry host");
		}
	}
	const char *last_slash = strrchr(rest, '/');
	const char *colon = strrchr(rest, ':');
	if (colon && last_slash && colon < last_slash)
		colon = NULL;
	size_t path_len = colon ? (size_t)(colon - rest) : strlen(rest);
	if (path_len == 0)
		return bad_ref(err, s, "empty repository name");
	if (has_upper(rest, path_len))
		return bad_ref(err, s, "repository name must be lowercase");
	for (size_t i = 0; i < path_len;) {
		size_t j = i;
		while (j < path_len && rest[j] != '/')
			j++;
		if (!valid_path_component(rest + i, j - i))
			return bad_ref(err, s,
			               "a name component may only have a-z, 0-9 and single '.', '_' or '-' "
			               "between them");
		i = j + 1;
		if (j < path_len && i == path_len)
			return bad_ref(err, s, "empty name component");
	}
	if (colon && !valid_tag(colon + 1))
		return bad_ref(err, s,
		               "a tag is 1 to 128 characters of A-Z, a-z, 0-9, '_', '.' and '-', not starting with "
		               "'.' or '-'");
	size_t name_len = (domain ? strlen(domain) + 1 : 0) + path_len;
	if (name_len > NAME_MAX_LEN)
		return bad_ref(err, s, "the name is longer than 255 characters");
	out->domain = steal_ptr(domain);
	out->path = xstrndup(rest, path_len);
	out->tag = colon ? xstrdup(colon + 1) : NULL;
	out->digest = steal_ptr(digest);
	return 0;
}

char *img_ref_repo(const struct img_ref *r)
{
	const char *domain = r->domain ? r->domain : "localhost";
	bool docker_hub = strcmp(domain, "docker.io") == 0 || strcmp(domain, "index.docker.io") == 0;
	if (docker_hub)
		domain = "docker.io";
	bool library = docker_hub && !strchr(r->path, '/');
	return xasprintf("%s/%s%s", domain, library ? "library/" : "", r->path);
}

char *img_ref_normalize(const struct img_ref *r)
{
	cleanup_free char *repo = img_ref_repo(r);
	/* a digest names the image; a tag beside it says nothing more (as docker) */
	if (r->digest)
		return xasprintf("%s@%s", repo, r->digest);
	return xasprintf("%s:%s", repo, r->tag ? r->tag : "latest");
}

char *img_ref_normalize_str(const char *s, struct burrow_err **err)
{
	struct img_ref r;
	if (img_ref_parse(s, &r, err) < 0)
		return NULL;
	char *n = img_ref_normalize(&r);
	img_ref_clear(&r);
	return n;
}

bool img_is_hex(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}
