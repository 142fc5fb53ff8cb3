/* run's small process flags: --ulimit, --sysctl, --umask, --tz (see
 * secopts.h for what they are kept as). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "container/secopts.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static const struct {
	const char *name; /* podman's (docker's) */
	int resource;
} ulimits[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

/* "1024", "-1" or "unlimited" */
static int limit_value(const char *s, unsigned long long *out)
{
	if (strcmp(s, "-1") == 0 || strcmp(s, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	long long v;
	if (str_to_ll(s, 0, LLONG_MAX, &v) < 0)
		return -1;
	*out = (unsigned long long)v;
	return 0;
}

static void set_ulimit(char ***list, const char *name, unsigned long long soft, unsigned long long hard)
{
	char sbuf[32], hbuf[32];
	snprintf(sbuf, sizeof(sbuf), "%lld", soft == RLIM_INFINITY ? -1LL : (long long)soft);
	snprintf(hbuf, sizeof(hbuf), "%lld", hard == RLIM_INFINITY ? -1LL : (long long)hard);
	cleanup_free char *prefix = xasprintf("%s=", name);
	char *entry = xasprintf("%s%s:%s", prefix, sbuf, hbuf);
	for (size_t i = 0; *list && (*list)[i]; i++) {
		if (str_has_prefix((*list)[i], prefix)) {
			free((*list)[i]);
			(*list)[i] = entry;
			return;
		}
	}
	strv_append_take(list, entry);
}

int ctr_ulimit_add(char ***list, const char *spec, struct burrow_err **err)
{
	if (strcmp(spec, "host") == 0) {
		/* every limit as burrow has it */
		for (size_t i = 0; i < sizeof(ulimits) / sizeof(ulimits[0]); i++) {
			struct rlimit rl;
			if (getrlimit(ulimits[i].resource, &rl) == 0)
				set_ulimit(list, ulimits[i].name, rl.rlim_cur, rl.rlim_max);
		}
		return 0;
	}
	const char *eq = strchr(spec, '=');
	cleanup_free char *name = eq ? xstrndup(spec, (size_t)(eq - spec)) : xstrdup(spec);
	size_t k = 0;
	while (k < sizeof(ulimits) / sizeof(ulimits[0]) && strcmp(ulimits[k].name, name) != 0)
		k++;
	if (!eq || k == sizeof(ulimits) / sizeof(ulimits[0])) {
		burrow_error(err, 0, "invalid --ulimit '%s'", str_quote(spec));
		return burrow_error_hint(err,
		                         "write NAME=SOFT[:HARD] (nofile, nproc, core, stack, memlock...) or host");
	}
	cleanup_free char *vals = xstrdup(eq + 1);
	char *colon = strchr(vals, ':');
	if (colon)
		*colon++ = '\0';
	unsigned long long soft, hard;
	if (limit_value(vals, &soft) < 0 || limit_value(colon ? colon : vals, &hard) < 0)
		return burrow_error(err, 0, "invalid --ulimit '%s': the limits are numbers (or -1 for none)",
		                    str_quote(spec));
	if (soft > hard)
		return burrow_error(err, 0, "invalid --ulimit '%s': the soft limit is above the hard one",
		                    str_quote(spec));
	set_ulimit(list, ulimits[k].name, soft, hard);
	return 0;
}

/* podman's namespaced sysctls (containers/common pkg/sysctl) */
static bool namespaced(const char *key, bool *net)
{
	static const char *const prefixes[] = {"kernel.msg", "kernel.sem", "kernel.shm", "fs.mqueue.", "net."};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (str_has_prefix(key, prefixes[i])) {
			*net = i == 4;
			return true;
		}
	}
	return false;
}

int ctr_sysctl_add(char ***list, const char *spec, bool *net, struct burrow_err **err)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec)
		return burrow_error(err, 0, "invalid --sysctl '%s': write NAME=VALUE", str_quote(spec));
	cleanup_free char *key = xstrndup(spec, (size_t)(eq - spec));
	for (const char *p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return burrow_error(err, 0, "invalid --sysctl '%s': a bad name", str_quote(spec));
	bool is_net = false;
	if (strstr(key, "..") || !namespaced(key, &is_net)) {
		burrow_error(err, 0, "--sysctl '%s' is not allowed: it is not namespaced, so it would change the host",
		             str_quote(spec));
		return burrow_error_hint(err, "a container may set net.*, kernel.shm*, kernel.msg*, kernel.sem and "
		                              "fs.mqueue.*");
	}
	if (strchr(eq + 1, '\n'))
		return burrow_error(err, 0, "invalid --sysctl '%s': a value of one line", str_quote(spec));
	*net |= is_net;
	strv_append(list, spec);
	return 0;
}

int ctr_umask_parse(const char *spec, char **out, struct burrow_err **err)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = *spec ? strtoul(spec, &end, 8) : 0;
	if (!*spec || errno || *end || v > 0777)
		return burrow_error(err, 0, "invalid --umask '%s': an octal mode such as 0022", str_quote(spec));
	free(*out);
	*out = xasprintf("%04lo", v);
	return 0;
}

int ctr_tz_parse(const char *spec, char **out, struct burrow_err **err)
{
	static const char zoneinfo[] = "/usr/share/zoneinfo/";
	cleanup_free char *want = NULL;
	if (strcmp(spec, "local") == 0)
		want = xstrdup("/etc/localtime");
	else if (!*spec || spec[0] == '/' || strstr(spec, ".."))
		return burrow_error(err, 0, "invalid --tz '%s': give a zone name (Europe/Paris, UTC) or local",
		                    str_quote(spec));
	else
		want = xasprintf("%s%s", zoneinfo, spec);
	cleanup_free char *real = realpath(want, NULL);
	struct stat st;
	if (!real || stat(real, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (strcmp(spec, "local") != 0 && !str_has_prefix(real, zoneinfo))) {
		burrow_error(err, 0, "unknown time zone '%s'", str_quote(spec));
		return burrow_error_hint(err, "the zones are those in %s here (e.g. Europe/Paris, UTC)", zoneinfo);
	}
	free(*out);
	*out = steal_ptr(real);
	return 0;
}

void ctr_runopts_gen_process(yajl_gen g, const struct ctr_config *c)
{
	if (!c->ulimits || !c->ulimits[0])
		return;
	jg_key(g, "rlimits");
	jg_array_open(g);
	for (size_t i = 0; c->ulimits[i]; i++) {
		cleanup_free char *name = xstrdup(c->ulimits[i]);
		char *vals = strchr(name, '=');
		char *hard = vals ? strchr(vals, ':') : NULL;
		if (!hard)
			continue;
		*vals++ = '\0';
		*hard++ = '\0';
		cleanup_free char *type = xasprintf("RLIMIT_%s", name);
		for (char *p = type; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		unsigned long long sv, hv;
		if (limit_value(vals, &sv) < 0 || limit_value(hard, &hv) < 0)
			continue;
		char buf[32];
		jg_map_open(g);
		jg_key_str(g, "type", type);
		jg_key(g, "soft");
		yajl_gen_number(g, buf, (size_t)snprintf(buf, sizeof(buf), "%llu", sv));
		jg_key(g, "hard");
		yajl_gen_number(g, buf, (size_t)snprintf(buf, sizeof(buf), "%llu", hv));
		jg_map_close(g);
	}
	jg_array_close(g);
}

void ctr_runopts_gen_linux(yajl_gen g, const struct ctr_config *c, const char *ping_range)
{
	static const char ping_key[] = "net.ipv4.ping_group_range=";
	for (size_t i = 0; ping_range && c->sysctls && c->sysctls[i]; i++)
		if (strncmp(c->sysctls[i], ping_key, sizeof(ping_key) - 1) == 0)
			ping_range = NULL; /* the user's */
	if ((!c->sysctls || !c->sysctls[0]) && !ping_range)
		return;
	jg_key(g, "sysctl");
	jg_map_open(g);
	if (ping_range)
		jg_key_str(g, "net.ipv4.ping_group_range", ping_range);
	for (size_t i = 0; c->sysctls && c->sysctls[i]; i++) {
		cleanup_free char *key = xstrdup(c->sysctls[i]);
		char *eq = strchr(key, '=');
		if (!eq)
			continue;
		*eq = '\0';
		jg_key_str(g, key, eq + 1);
	}
	jg_map_close(g);
}
