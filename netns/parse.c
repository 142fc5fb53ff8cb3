/* --network MODE[:OPTION=VALUE,...] */
#include "netns/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#define SLIRP_OPTIONS "allow_host_loopback, mtu, enable_ipv6, cidr, outbound_addr, outbound_addr6, port_handler"
#define NET4_DEFAULT 0x0a000200u /* 10.0.2.0 */
#define PREFIX4_DEFAULT 24
/* The container is the network's .100: a longer prefix has no room for it. */
#define PREFIX4_MAX 25

static void ip4_text(uint32_t host_order, char out[16])
{
	struct in_addr a = {.s_addr = htonl(host_order)};
	inet_ntop(AF_INET, &a, out, 16);
}

/* The addresses the container layer and the tap use, from net4. */
static void derive(struct netns_cfg *cfg)
{
	ip4_text(cfg->net4 + 100, cfg->addr);
	ip4_text(cfg->net4 + 2, cfg->gateway);
	ip4_text(cfg->net4 + 3, cfg->dns);
}

void netns_cfg_init(struct netns_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = NETNS_SLIRP;
	cfg->allow_host_loopback = false;
	cfg->mtu = NETNS_MTU_DEFAULT;
	cfg->ipv6 = true;
	cfg->port_handler = NETNS_PORTS_SPLICE;
	cfg->net4 = NET4_DEFAULT;
	cfg->prefix4 = PREFIX4_DEFAULT;
	derive(cfg);
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

/* "10.0.3.0/24": a network address with room for the container's .100. */
static int parse_cidr(const char *spec, const char *val, struct netns_cfg *cfg, struct burrow_err **err)
{
	const char *slash = strchr(val, '/');
	struct in_addr a;
	long long prefix = 0;
	cleanup_free char *ip = slash ? xstrndup(val, (size_t)(slash - val)) : NULL;
	if (!slash || inet_pton(AF_INET, ip, &a) != 1 || str_to_ll(slash + 1, 0, 32, &prefix) < 0) {
		burrow_error(err, 0, "invalid network '%s': bad cidr '%s'", str_quote(spec), str_quote(val));
		return burrow_error_hint(err, "write an IPv4 network and its prefix length, e.g. cidr=10.0.3.0/24");
	}
	uint32_t net = ntohl(a.s_addr);
	if (prefix < 1 || prefix > PREFIX4_MAX) {
		burrow_error(err, 0, "invalid network '%s': cidr '%s' has no room for the container's address .100",
		             str_quote(spec), str_quote(val));
		return burrow_error_hint(err, "use a prefix length from 1 to %d, e.g. cidr=10.0.3.0/24", PREFIX4_MAX);
	}
	uint32_t mask = 0xffffffffu << (32 - prefix);
	if (net & ~mask) {
		char want[16];
		ip4_text(net & mask, want);
		burrow_error(err, 0, "invalid network '%s': '%s' is not a network address", str_quote(spec),
		             str_quote(val));
		return burrow_error_hint(err, "the host part must be zero: cidr=%s/%lld", want, prefix);
	}
	uint8_t first = (uint8_t)(net >> 24);
	if (first == 0 || first == 127 || first >= 224) {
		burrow_error(err, 0, "invalid network '%s': cidr '%s' is not a usable network", str_quote(spec),
		             str_quote(val));
		return burrow_error_hint(err, "pick a private network such as 10.0.3.0/24 (not 0/8, 127/8, "
		                              "multicast or reserved addresses)");
	}
	cfg->net4 = net;
	cfg->prefix4 = (unsigned)prefix;
	return 0;
}

/* An interface name as the kernel takes it. */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= IF_NAMESIZE || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/* outbound_addr= (family AF_INET) or outbound_addr6= (AF_INET6): an
 * address of that family, or an interface name. */
static int parse_outbound(const char *spec, const char *name, const char *val, int family, char *out,
                          struct burrow_err **err)
{
	unsigned char buf[sizeof(struct in6_addr)];
	int other = family == AF_INET ? AF_INET6 : AF_INET;
	if (inet_pton(family, val, buf) == 1) {
		inet_ntop(family, buf, out, NETNS_ADDRTEXT_MAX);
		return 0;
	}
	if (inet_pton(other, val, buf) == 1) {
		burrow_error(err, 0, "invalid network '%s': %s takes an IPv%c address, not '%s'", str_quote(spec), name,
		             family == AF_INET ? '4' : '6', str_quote(val));
		return burrow_error_hint(err, "use %s=%s", family == AF_INET ? "outbound_addr6" : "outbound_addr",
		                         str_quote(val));
	}
	if (!ifname_ok(val)) {
		burrow_error(err, 0, "invalid network '%s': %s '%s' is neither an IPv%c address nor an interface name",
		             str_quote(spec), name, str_quote(val), family == AF_INET ? '4' : '6');
		return burrow_error_hint(err, "e.g. %s=%s or %s=eth0", name,
		                         family == AF_INET ? "192.0.2.10" : "2001:db8::10", name);
	}
	snprintf(out, NETNS_ADDRTEXT_MAX, "%s", val);
	return 0;
}

static int parse_handler(const char *spec, const char *val, struct netns_cfg *cfg, struct burrow_err **err)
{
	if (strcmp(val, "splice") == 0 || strcmp(val, "rootlesskit") == 0) {
		cfg->port_handler = NETNS_PORTS_SPLICE;
		return 0;
	}
	if (strcmp(val, "slirp") == 0 || strcmp(val, "slirp4netns") == 0) {
		cfg->port_handler = NETNS_PORTS_SLIRP;
		return 0;
	}
	burrow_error(err, 0, "invalid network '%s': unknown port_handler '%s'", str_quote(spec), str_quote(val));
	return burrow_error_hint(err, "use port_handler=splice (the default, fast) or port_handler=slirp (the "
	                              "container sees the client's address)");
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
	if (strcmp(name, "cidr") == 0)
		return parse_cidr(spec, val, cfg, err);
	if (strcmp(name, "outbound_addr") == 0)
		return parse_outbound(spec, name, val, AF_INET, cfg->outbound4, err);
	if (strcmp(name, "outbound_addr6") == 0)
		return parse_outbound(spec, name, val, AF_INET6, cfg->outbound6, err);
	if (strcmp(name, "port_handler") == 0)
		return parse_handler(spec, val, cfg, err);
	burrow_error(err, 0, "invalid network '%s': unknown option '%s'", str_quote(spec), str_quote(name));
	return burrow_error_hint(err, "slirp takes %s", SLIRP_OPTIONS);
}

/* ns:PATH and container:NAME: what follows the colon, whole. */
static int parse_target(const char *spec, const char *mode, const char *val, struct netns_cfg *cfg,
                        struct burrow_err **err)
{
	bool ns = cfg->mode == NETNS_NS;
	if (*val == '\0') {
		burrow_error(err, 0, "invalid network '%s': %s", str_quote(spec),
		             ns ? "no namespace path" : "no container");
		return burrow_error_hint(err, ns ? "write ns:PATH, e.g. ns:/run/user/1000/netns/mynet"
		                                 : "write container:NAME with the name or ID of a container");
	}
	if (ns && val[0] != '/') {
		burrow_error(err, 0, "invalid network '%s': the namespace path '%s' is not absolute", str_quote(spec),
		             str_quote(val));
		return burrow_error_hint(err, "write ns:/full/path/to/the/namespace");
	}
	if (strlen(val) >= sizeof(cfg->target))
		return burrow_error(err, 0, "invalid network '%s...': the %s is too long", str_quote(mode),
		                    ns ? "namespace path" : "container name");
	snprintf(cfg->target, sizeof(cfg->target), "%s", val);
	return 0;
}

int netns_parse(const char *spec, struct netns_cfg *cfg, struct burrow_err **err)
{
	return netns_parse_ext(spec, 0, cfg, err);
}

int netns_parse_ext(const char *spec, unsigned flags, struct netns_cfg *cfg, struct burrow_err **err)
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
	} else if (strcmp(mode, "ns") == 0) {
		c.mode = NETNS_NS;
	} else if (strcmp(mode, "container") == 0) {
		c.mode = NETNS_CONTAINER;
	} else if (strcmp(mode, "pasta") == 0) {
		burrow_error(err, 0,
		             "invalid network '%s': pasta is not supported; burrow's user-mode network is slirp",
		             str_quote(spec));
		return burrow_error_hint(err,
		                         "use --network slirp (libslirp in the container's monitor; it takes "
		                         "slirp:OPTION=VALUE,... with %s)",
		                         SLIRP_OPTIONS);
	} else {
		if (*mode == '\0')
			burrow_error(err, 0, "invalid network '%s': no mode", str_quote(spec));
		else
			burrow_error(err, 0, "invalid network '%s': unknown mode '%s'", str_quote(spec),
			             str_quote(mode));
		return burrow_error_hint(err, "use slirp, slirp:OPTION=VALUE,..., none, host%s",
		                         flags & NETNS_PARSE_JOIN ? ", ns:PATH or container:NAME" : "");
	}
	if ((c.mode == NETNS_NS || c.mode == NETNS_CONTAINER) && !(flags & NETNS_PARSE_JOIN)) {
		burrow_error(err, 0,
		             "invalid network '%s': joining another network namespace (%s) is not supported yet",
		             str_quote(spec), c.mode == NETNS_NS ? "ns:PATH" : "container:NAME");
		return burrow_error_hint(err, "use slirp, slirp:OPTION=VALUE,..., none or host");
	}

	if (c.mode == NETNS_NS || c.mode == NETNS_CONTAINER) {
		if (!colon) {
			burrow_error(err, 0, "invalid network '%s': %s", str_quote(spec),
			             c.mode == NETNS_NS ? "no namespace path" : "no container");
			return burrow_error_hint(err, c.mode == NETNS_NS ? "write ns:PATH" : "write container:NAME");
		}
		if (parse_target(spec, mode, colon + 1, &c, err) < 0)
			return -1;
	} else if (colon) {
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
	if (c.mode == NETNS_SLIRP && !c.ipv6 && c.outbound6[0]) {
		burrow_error(err, 0,
		             "invalid network '%s': outbound_addr6 needs IPv6, which enable_ipv6=false turns off",
		             str_quote(spec));
		return burrow_error_hint(err, "drop outbound_addr6, or set enable_ipv6=true");
	}
	derive(&c);
	*cfg = c;
	return 0;
}

/* Appends ",NAME=VALUE" (":NAME=VALUE" first) to *s. */
static void add_option(char **s, const char *name, const char *value)
{
	char *t = xasprintf("%s%c%s=%s", *s, strchr(*s, ':') ? ',' : ':', name, value);
	free(*s);
	*s = t;
}

char *netns_format(const struct netns_cfg *cfg)
{
	switch (cfg->mode) {
	case NETNS_NONE:
		return xstrdup("none");
	case NETNS_HOST:
		return xstrdup("host");
	case NETNS_NS:
		return xasprintf("ns:%s", cfg->target);
	case NETNS_CONTAINER:
		return xasprintf("container:%s", cfg->target);
	case NETNS_SLIRP:
		break;
	}
	struct netns_cfg def;
	netns_cfg_init(&def);
	char *s = xstrdup("slirp");
	if (cfg->allow_host_loopback != def.allow_host_loopback)
		add_option(&s, "allow_host_loopback", cfg->allow_host_loopback ? "true" : "false");
	if (cfg->mtu != def.mtu) {
		char n[16];
		snprintf(n, sizeof(n), "%u", cfg->mtu);
		add_option(&s, "mtu", n);
	}
	if (cfg->ipv6 != def.ipv6)
		add_option(&s, "enable_ipv6", cfg->ipv6 ? "true" : "false");
	if (cfg->net4 != def.net4 || cfg->prefix4 != def.prefix4) {
		char net[16], v[24];
		ip4_text(cfg->net4, net);
		snprintf(v, sizeof(v), "%s/%u", net, cfg->prefix4);
		add_option(&s, "cidr", v);
	}
	if (cfg->outbound4[0])
		add_option(&s, "outbound_addr", cfg->outbound4);
	if (cfg->outbound6[0])
		add_option(&s, "outbound_addr6", cfg->outbound6);
	if (cfg->port_handler != def.port_handler)
		add_option(&s, "port_handler", "slirp");
	return s;
}

const char *netns_dns_server(const struct netns_cfg *cfg)
{
	return cfg->mode == NETNS_SLIRP ? cfg->dns : NULL;
}
