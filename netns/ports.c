/* -p, --expose and -P: parsing, checking and spelling published ports
 * (podman's syntax and rules: pkg/specgenutil CreatePortBindings and
 * CreateExpose, pkg/specgen/generate ParsePortMapping). Pure: nothing here
 * touches the world. */
#include "netns/ports.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#define PUBLISH_HINT "write [[HOSTIP:][HOSTPORT:]]CTRPORT[/tcp|/udp], e.g. -p 8080:80, -p 127.0.0.1:8080:80/udp"
#define EXPOSE_HINT "write PORT[/tcp|/udp] or START-END[/tcp|/udp], e.g. 80/tcp"

void netns_ports_clear(struct netns_ports *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

static void ports_append(struct netns_ports *ps, const struct netns_port *p)
{
	ps->v = xrealloc(ps->v, (ps->n + 1) * sizeof(*ps->v));
	ps->v[ps->n++] = *p;
}

/* A port number: decimal digits, 1 to 65535. */
static int parse_num(const char *s, uint16_t *out)
{
	long long v;
	for (const char *c = s; *c; c++)
		if (!isdigit((unsigned char)*c))
			return -1;
	if (str_to_ll(s, 1, 65535, &v) < 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* "PORT" or "START-END" (END above START): the first port and how many.
 * what names the part in messages; ctx is the whole argument. */
static int parse_range(const char *ctx, const char *what, const char *s, uint16_t *start, uint16_t *len,
                       const char *hint, struct burrow_err **err)
{
	const char *dash = strchr(s, '-');
	cleanup_free char *first = dash ? xstrndup(s, (size_t)(dash - s)) : xstrdup(s);
	uint16_t a, b;
	if (*s == '\0') {
		burrow_error(err, 0, "invalid port mapping '%s': no %s", str_quote(ctx), what);
		return burrow_error_hint(err, "%s", hint);
	}
	if (parse_num(first, &a) < 0 || (dash && parse_num(dash + 1, &b) < 0)) {
		burrow_error(err, 0, "invalid port mapping '%s': bad %s '%s'", str_quote(ctx), what, str_quote(s));
		return burrow_error_hint(err, "a port is a number from 1 to 65535, a range START-END; %s", hint);
	}
	if (dash && b <= a) {
		burrow_error(err, 0, "invalid port mapping '%s': the %s range '%s' does not go up", str_quote(ctx),
		             what, str_quote(s));
		return burrow_error_hint(err, "write START-END with END above START, e.g. 8000-8010");
	}
	*start = a;
	*len = dash ? (uint16_t)(b - a + 1) : 1;
	return 0;
}

/* "tcp", "udp", "tcp,udp" (any case, repeats fine): a bit for each. */
#define PROTO_TCP 1
#define PROTO_UDP 2
static int parse_protos(const char *ctx, const char *s, unsigned *out, struct burrow_err **err)
{
	cleanup_strv char **v = strv_split(s, ',');
	unsigned got = 0;
	for (char **p = v; *p; p++) {
		if (strcasecmp(*p, "tcp") == 0) {
			got |= PROTO_TCP;
		} else if (strcasecmp(*p, "udp") == 0) {
			got |= PROTO_UDP;
		} else if (strcasecmp(*p, "sctp") == 0) {
			burrow_error(err, 0,
			             "invalid port mapping '%s': sctp cannot be published by a rootless container",
			             str_quote(ctx));
			return burrow_error_hint(err, "publish tcp or udp ports");
		} else {
			burrow_error(err, 0, "invalid port mapping '%s': unknown protocol '%s'", str_quote(ctx),
			             str_quote(*p));
			return burrow_error_hint(err, "the protocol is tcp, udp, or tcp,udp for both");
		}
	}
	*out = got;
	return 0;
}

/* A host address: IPv4, or IPv6 (from inside brackets); into canonical
 * text, "" for 0.0.0.0 (every address, as none given). */
static int parse_host_ip(const char *ctx, const char *s, bool bracketed, char out[46], struct burrow_err **err)
{
	unsigned char a[16];
	memset(out, 0, 46); /* whole, so that equal ports compare equal as bytes */
	if (!bracketed && inet_pton(AF_INET, s, a) == 1) {
		inet_ntop(AF_INET, a, out, 46);
	} else if (bracketed && inet_pton(AF_INET6, s, a) == 1) {
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a, mapped, 12) == 0)
			inet_ntop(AF_INET, a + 12, out, 46); /* ::ffff:a.b.c.d is a.b.c.d, as podman has it */
		else
			inet_ntop(AF_INET6, a, out, 46);
	} else {
		if (*s == '\0')
			burrow_error(err, 0, "invalid port mapping '%s': empty host address", str_quote(ctx));
		else
			burrow_error(err, 0, "invalid port mapping '%s': '%s' is not an IP%s address", str_quote(ctx),
			             str_quote(s), bracketed ? "v6" : "v4");
		return burrow_error_hint(err, "give an IPv4 address, or an IPv6 one in brackets ([::1]:8080:80), or "
		                              "none for every address");
	}
	if (strcmp(out, "0.0.0.0") == 0)
		memset(out, 0, 46);
	return 0;
}

int netns_ports_add(struct netns_ports *ps, const char *spec, struct burrow_err **err)
{
	const char *slash = strchr(spec, '/');
	unsigned protos = PROTO_TCP;
	if (slash) {
		if (strchr(slash + 1, '/')) {
			burrow_error(err, 0, "invalid port mapping '%s': more than one '/'", str_quote(spec));
			return burrow_error_hint(err, "%s", PUBLISH_HINT);
		}
		if (slash[1] == '\0') {
			burrow_error(err, 0, "invalid port mapping '%s': no protocol after '/'", str_quote(spec));
			return burrow_error_hint(err, "%s", PUBLISH_HINT);
		}
		if (parse_protos(spec, slash + 1, &protos, err) < 0)
			return -1;
	}
	cleanup_free char *body = slash ? xstrndup(spec, (size_t)(slash - spec)) : xstrdup(spec);

	struct netns_port p = {.range = 1};
	const char *rest = body;
	cleanup_free char *ip = NULL;
	bool bracketed = false;
	if (body[0] == '[') {
		char *close = strchr(body, ']');
		if (!close) {
			burrow_error(err, 0, "invalid port mapping '%s': '[' without ']'", str_quote(spec));
			return burrow_error_hint(err, "write an IPv6 host address in brackets: [::1]:8080:80");
		}
		if (close[1] != ':') {
			burrow_error(err, 0, "invalid port mapping '%s': the IPv6 address must be followed by ':'",
			             str_quote(spec));
			return burrow_error_hint(err, "write [IPV6]:HOSTPORT:CTRPORT, e.g. [::1]:8080:80");
		}
		ip = xstrndup(body + 1, (size_t)(close - body - 1));
		bracketed = true;
		rest = close + 2;
		if (strchr(rest, ']') || strchr(rest, '[')) {
			burrow_error(err, 0, "invalid port mapping '%s': more than one IPv6 address", str_quote(spec));
			return burrow_error_hint(err, "%s", PUBLISH_HINT);
		}
	} else if (strchr(body, ']')) {
		burrow_error(err, 0, "invalid port mapping '%s': ']' without '['", str_quote(spec));
		return burrow_error_hint(err, "write an IPv6 host address in brackets: [::1]:8080:80");
	}

	cleanup_strv char **parts = strv_split(rest, ':');
	size_t np = strv_len(parts);
	const char *host = NULL, *ctr = NULL;
	if (bracketed) {
		if (np != 2) {
			burrow_error(
			    err, 0, "invalid port mapping '%s': %s", str_quote(spec),
			    np < 2 ? "a host address needs a host port (or '::' for a free one) and a container port"
			           : "too many ':'");
			return burrow_error_hint(err,
			                         "write [IPV6]:HOSTPORT:CTRPORT, or [IPV6]::CTRPORT for a free port");
		}
		host = parts[0];
		ctr = parts[1];
	} else if (np == 1) {
		ctr = parts[0];
	} else if (np == 2) {
		host = parts[0];
		ctr = parts[1];
	} else if (np == 3) {
		ip = xstrdup(parts[0]);
		host = parts[1];
		ctr = parts[2];
	} else {
		burrow_error(err, 0, "invalid port mapping '%s': too many ':'", str_quote(spec));
		return burrow_error_hint(err, "%s; an IPv6 host address goes in brackets: [::1]:8080:80", PUBLISH_HINT);
	}

	if (ip && parse_host_ip(spec, ip, bracketed, p.host_ip, err) < 0)
		return -1;
	if (parse_range(spec, "container port", ctr, &p.ctr_port, &p.range, PUBLISH_HINT, err) < 0)
		return -1;
	if (host && *host) {
		uint16_t hlen;
		if (parse_range(spec, "host port", host, &p.host_port, &hlen, PUBLISH_HINT, err) < 0)
			return -1;
		if (hlen != p.range) {
			burrow_error(err, 0, "invalid port mapping '%s': %u host port%s for %u container port%s",
			             str_quote(spec), hlen, hlen == 1 ? "" : "s", p.range, p.range == 1 ? "" : "s");
			return burrow_error_hint(err, "give ranges of the same length (8000-8010:8000-8010), or leave "
			                              "the host port out for free ones");
		}
	}
	if (protos & PROTO_TCP) {
		p.proto = NETNS_TCP;
		ports_append(ps, &p);
	}
	if (protos & PROTO_UDP) {
		p.proto = NETNS_UDP;
		ports_append(ps, &p);
	}
	return 0;
}

int netns_ports_add_exposed(struct netns_ports *exposed, const char *spec, struct burrow_err **err)
{
	const char *slash = strchr(spec, '/');
	unsigned protos = PROTO_TCP;
	if (slash && (strchr(slash + 1, '/') || slash[1] == '\0')) {
		burrow_error(err, 0, "invalid port mapping '%s': %s", str_quote(spec),
		             slash[1] ? "more than one '/'" : "no protocol after '/'");
		return burrow_error_hint(err, "%s", EXPOSE_HINT);
	}
	if (slash && parse_protos(spec, slash + 1, &protos, err) < 0)
		return -1;
	cleanup_free char *body = slash ? xstrndup(spec, (size_t)(slash - spec)) : xstrdup(spec);
	struct netns_port p = {.range = 1};
	if (parse_range(spec, "port", body, &p.ctr_port, &p.range, EXPOSE_HINT, err) < 0)
		return -1;
	if (protos & PROTO_TCP) {
		p.proto = NETNS_TCP;
		ports_append(exposed, &p);
	}
	if (protos & PROTO_UDP) {
		p.proto = NETNS_UDP;
		ports_append(exposed, &p);
	}
	return 0;
}

static bool publishes(const struct netns_ports *ps, enum netns_proto proto, unsigned port)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].proto == proto && port >= ps->v[i].ctr_port &&
		    port < (unsigned)ps->v[i].ctr_port + ps->v[i].range)
			return true;
	return false;
}

void netns_ports_publish_exposed(struct netns_ports *ps, const struct netns_ports *exposed)
{
	for (size_t i = 0; i < exposed->n; i++) {
		const struct netns_port *e = &exposed->v[i];
		for (unsigned port = e->ctr_port; port < (unsigned)e->ctr_port + e->range; port++) {
			if (publishes(ps, e->proto, port))
				continue;
			struct netns_port p = {.ctr_port = (uint16_t)port, .range = 1, .proto = e->proto};
			ports_append(ps, &p);
		}
	}
}

/* Whether listeners on these two host addresses would clash: every
 * address clashes with all; "::" (every IPv6 address) with any IPv6 one. */
static bool ips_overlap(const char *a, const char *b)
{
	if (!*a || !*b || strcmp(a, b) == 0)
		return true;
	bool a6 = strchr(a, ':') != NULL, b6 = strchr(b, ':') != NULL;
	return a6 && b6 && (strcmp(a, "::") == 0 || strcmp(b, "::") == 0);
}

int netns_ports_check(struct netns_ports *ps, struct burrow_err **err)
{
	for (size_t i = 0; i < ps->n; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct netns_port *a = &ps->v[j], *b = &ps->v[i];
			if (memcmp(a, b, sizeof(*a)) == 0) {
				/* the same mapping again: once is enough */
				memmove(&ps->v[i], &ps->v[i + 1], (ps->n - i - 1) * sizeof(*ps->v));
				ps->n--;
				i--;
				break;
			}
			if (a->proto != b->proto || !a->host_port || !b->host_port ||
			    !ips_overlap(a->host_ip, b->host_ip))
				continue;
			unsigned a_end = (unsigned)a->host_port + a->range, b_end = (unsigned)b->host_port + b->range;
			if (a->host_port >= b_end || b->host_port >= a_end)
				continue;
			unsigned clash = a->host_port > b->host_port ? a->host_port : b->host_port;
			cleanup_free char *as = netns_port_format(a);
			cleanup_free char *bs = netns_port_format(b);
			burrow_error(err, 0,
			             "conflicting port mappings: host port %u/%s is published twice ('%s' and '%s')",
			             clash, a->proto == NETNS_TCP ? "tcp" : "udp", as, bs);
			return burrow_error_hint(err, "publish each host port once");
		}
	}
	return 0;
}

/* "8000" or "8000-8010" */
static void range_text(unsigned start, unsigned range, char out[16])
{
	if (range > 1)
		snprintf(out, 16, "%u-%u", start, start + range - 1);
	else
		snprintf(out, 16, "%u", start);
}

static const char *proto_name(enum netns_proto p)
{
	return p == NETNS_UDP ? "udp" : "tcp";
}

char *netns_port_format(const struct netns_port *p)
{
	char host[16] = "", ctr[16];
	if (p->host_port)
		range_text(p->host_port, p->range, host);
	range_text(p->ctr_port, p->range, ctr);
	if (p->host_ip[0]) {
		bool v6 = strchr(p->host_ip, ':') != NULL;
		return xasprintf("%s%s%s:%s:%s/%s", v6 ? "[" : "", p->host_ip, v6 ? "]" : "", host, ctr,
		                 proto_name(p->proto));
	}
	if (p->host_port)
		return xasprintf("%s:%s/%s", host, ctr, proto_name(p->proto));
	return xasprintf("%s/%s", ctr, proto_name(p->proto));
}

char *netns_port_display(const struct netns_port *p)
{
	char host[16], ctr[16];
	range_text(p->ctr_port, p->range, ctr);
	if (!p->host_port)
		return xasprintf("%s/%s", ctr, proto_name(p->proto));
	range_text(p->host_port, p->range, host);
	const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
	bool v6 = strchr(ip, ':') != NULL;
	return xasprintf("%s%s%s:%s->%s/%s", v6 ? "[" : "", ip, v6 ? "]" : "", host, ctr, proto_name(p->proto));
}
