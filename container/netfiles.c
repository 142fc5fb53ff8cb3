/* A container's name resolution as the user asked for it: --add-host,
 * --dns, --dns-search, --dns-option and --hostname checked (pure), and the /etc/hosts
 * and /etc/resolv.conf lines they make (container/container.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static bool is_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

int ctr_check_line_value(const char *flag, const char *value, struct burrow_err **err)
{
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return burrow_error_status(err, EINVAL,
			                           "invalid %s '%s': control characters (a newline, a tab, ...) are "
			                           "not allowed",
			                           flag, str_quote(value));
	return 0;
}

int ctr_check_add_host(const char *spec, struct burrow_err **err)
{
	if (ctr_check_line_value("--add-host", spec, err) < 0)
		return -1;
	const char *colon = strchr(spec, ':');
	if (colon && colon > spec && strcspn(spec, " \t\n") >= (size_t)(colon - spec) &&
	    (strcmp(colon + 1, "host-gateway") == 0 || is_ip(colon + 1)))
		return 0;
	return burrow_error_status(err, EINVAL, "invalid --add-host '%s': use NAME:IP (or NAME:host-gateway)",
	                           str_quote(spec));
}

int ctr_check_dns(const char *server, struct burrow_err **err)
{
	if (is_ip(server))
		return 0;
	return burrow_error_status(err, EINVAL, "invalid --dns '%s': give a name server's IP address",
	                           str_quote(server));
}

char *ctr_hosts_added(char *const *add_hosts, const char *gateway)
{
	char *out = xstrdup("");
	for (size_t i = 0; add_hosts && add_hosts[i]; i++) {
		const char *colon = strchr(add_hosts[i], ':');
		if (!colon)
			continue;
		const char *ip = strcmp(colon + 1, "host-gateway") == 0 ? gateway : colon + 1;
		char *n = xasprintf("%s%s\t%.*s\n", out, ip, (int)(colon - add_hosts[i]), add_hosts[i]);
		free(out);
		out = n;
	}
	return out;
}

/* "WORD a b c\n" from v (nothing for an empty v) */
static void add_line(char **out, const char *word, char *const *v)
{
	if (!v || !v[0])
		return;
	char *line = xasprintf("%s%s", *out, word);
	for (size_t i = 0; v[i]; i++) {
		char *n = xasprintf("%s %s", line, v[i]);
		free(line);
		line = n;
	}
	free(*out);
	*out = xasprintf("%s\n", line);
	free(line);
}

char *ctr_resolv_conf_user(const char *base, char *const *servers, char *const *search, char *const *options)
{
	char *out = xstrdup("");
	bool own_search = search && search[0], own_opts = options && options[0], own_ns = servers && servers[0];
	cleanup_strv char **lines = strv_split(base ? base : "", '\n');
	for (size_t i = 0; lines[i]; i++) {
		const char *l = lines[i];
		if (!*l || (own_search && (str_has_prefix(l, "search") || str_has_prefix(l, "domain"))) ||
		    (own_opts && str_has_prefix(l, "options")) || (own_ns && str_has_prefix(l, "nameserver")))
			continue;
		char *n = xasprintf("%s%s\n", out, l);
		free(out);
		out = n;
	}
	/* --dns-search=. : no search domains at all (podman's spelling) */
	if (own_search && !(strcmp(search[0], ".") == 0 && !search[1]))
		add_line(&out, "search", search);
	add_line(&out, "options", options);
	for (size_t i = 0; own_ns && servers[i]; i++) {
		char *n = xasprintf("%snameserver %s\n", out, servers[i]);
		free(out);
		out = n;
	}
	return out;
}
