/* --network MODE[:OPTION=VALUE,...] */
#include "netns/netns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#define SLIRP_OPTIONS "allow_host_loopback, mtu, enable_ipv6"

void netns_cfg_init(struct netns_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = NETNS_SLIRP;
	cfg->allow_host_loopback = false;
	cfg->mtu = NETNS_MTU_DEFAULT;
	cfg->ipv6 = true;
}

/* The spellings Go's strconv.ParseBool takes (podman's options use it). */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
	static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_slirp_option(const char *spec, const char *opt, struct netns_cfg *cfg, struct burrow_err **err)
{
	const char *eq = strchr(opt, '=');
	if (*opt == '\0') {
		burrow_error(err, 0, "invalid network '%s': empty option", str_quote(spec));
		return burrow_error_hint(err, "write options as slirp:NAME=VALUE,NAME=VALUE");
	}
	if (!eq) {
		burrow_error(err, 0, "invalid network '%s': option '%s' has no value", str_quote(spec), str_quote(opt));
		return burrow_error_hint(err, "write options as slirp:NAME=VALUE,NAME=VALUE");
	}
	cleanup_free char *name = xstrndup(opt, (size_t)(eq - opt));
	const char *val = eq + 1;
	if (strcmp(name, "allow_host_loopback") == 0 || strcmp(name, "enable_ipv6") == 0) {
		bool b;
		if (parse_bool(val, &b) < 0) {
			burrow_error(err, 0, "invalid network '%s': '%s' is not a boolean", str_quote(spec),
			             str_quote(val));
			return burrow_error_hint(err, "use %s=true or %s=false", name, name);
		}
		if (name[0] == 'a')
			cfg->allow_host_loopback = b;
		else
			cfg->ipv6 = b;
		return 0;
	}
	if (strcmp(name, "mtu") == 0) {
		long long v;
		if (str_to_ll(val, NETNS_MTU_MIN, NETNS_MTU_MAX, &v) < 0) {
			burrow_error(err, 0, "invalid network '%s': bad mtu '%s'", str_quote(spec), str_quote(val));
			return burrow_error_hint(err, "mtu is a number from %d to %d", NETNS_MTU_MIN, NETNS_MTU_MAX);
		}
		cfg->mtu = (unsigned)v;
		return 0;
	}
	burrow_error(err, 0, "invalid network '%s': unknown option '%s'", str_quote(spec), str_quote(name));
	return burrow_error_hint(err, "slirp takes %s", SLIRP_OPTIONS);
}

int netns_parse(const char *spec, struct netns_cfg *cfg, struct burrow_err **err)
{
	struct netns_cfg c;
	netns_cfg_init(&c);
	if (!spec) {
		*cfg = c;
		return 0;
	}
	const char *colon = strchr(spec, ':');
	size_t modelen = colon ? (size_t)(colon - spec) : strlen(spec);
	cleanup_free char *mode = xstrndup(spec, modelen);

	if (strcmp(mode, "slirp") == 0 || strcmp(mode, "slirp4netns") == 0) {
		c.mode = NETNS_SLIRP;
	} else if (strcmp(mode, "none") == 0) {
		c.mode = NETNS_NONE;
	} else if (strcmp(mode, "host") == 0) {
		c.mode = NETNS_HOST;
	} else {
		if (*mode == '\0')
			burrow_error(err, 0, "invalid network '%s': no mode", str_quote(spec));
		else
			burrow_error(err, 0, "invalid network '%s': unknown mode '%s'", str_quote(spec),
			             str_quote(mode));
		return burrow_error_hint(err, "use slirp, slirp:OPTION=VALUE,..., none or host");
	}

	if (colon) {
		if (c.mode != NETNS_SLIRP) {
			burrow_error(err, 0, "invalid network '%s': mode '%s' takes no options", str_quote(spec),
			             str_quote(mode));
			return burrow_error_hint(err, "only slirp takes options (%s)", SLIRP_OPTIONS);
		}
		cleanup_strv char **opts = strv_split(colon + 1, ',');
		for (char **o = opts; *o; o++) {
			if (parse_slirp_option(spec, *o, &c, err) < 0)
				return -1;
		}
	}

	if (c.mode == NETNS_SLIRP && c.ipv6 && c.mtu < NETNS_MTU_MIN_IPV6) {
		burrow_error(err, 0, "invalid network '%s': mtu %u is too small for ipv6 (at least %d)",
		             str_quote(spec), c.mtu, NETNS_MTU_MIN_IPV6);
		return burrow_error_hint(err, "add enable_ipv6=false, or raise the mtu");
	}
	*cfg = c;
	return 0;
}

char *netns_format(const struct netns_cfg *cfg)
{
	switch (cfg->mode) {
	case NETNS_NONE:
		return xstrdup("none");
	case NETNS_HOST:
		return xstrdup("host");
	case NETNS_SLIRP:
		break;
	}
	struct netns_cfg def;
	netns_cfg_init(&def);
	char *s = xstrdup("slirp");
	char sep = ':';
	if (cfg->allow_host_loopback != def.allow_host_loopback) {
		char *t = xasprintf("%s%callow_host_loopback=%s", s, sep, cfg->allow_host_loopback ? "true" : "false");
		free(s);
		s = t;
		sep = ',';
	}
	if (cfg->mtu != def.mtu) {
		char *t = xasprintf("%s%cmtu=%u", s, sep, cfg->mtu);
		free(s);
		s = t;
		sep = ',';
	}
	if (cfg->ipv6 != def.ipv6) {
		char *t = xasprintf("%s%cenable_ipv6=%s", s, sep, cfg->ipv6 ? "true" : "false");
		free(s);
		s = t;
	}
	return s;
}

const char *netns_dns_server(const struct netns_cfg *cfg)
{
	return cfg->mode == NETNS_SLIRP ? NETNS_DNS : NULL;
}
