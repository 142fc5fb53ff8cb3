/* UDP flows of the splice handler that keep the client's address and
 * port (ports.h, "Client addresses").
 *
 * A flow's socket inside the container's namespace takes the client's
 * address and port with IP_TRANSPARENT, so the server sees its datagrams
 * come from the client. A UDP server's replies carry no mark (there is no
 * accepted socket to inherit one, as TCP's), so they are told apart by
 * where they come from: the rule "ipproto udp sport PORT lookup 25206",
 * one for each published UDP port (or range), and in that table one host
 * route "local CLIENT dev lo src 127.0.0.1" for each client address that
 * has a flow now, taken away with its last flow. A reply to a client
 * comes back to the flow's socket on lo (from 127.0.0.1, which the
 * socket is connected to) instead of leaving through the tap; anything
 * else the container sends from that port, to anyone else, routes as
 * before.
 *
 * An IPv6 client's flow does the same over IPv6 ("local CLIENT dev lo src
 * ::1" in the IPv6 table, the flow's socket connected to [::1]:PORT) when
 * the port is served over IPv6 inside: a socket there that [::1]:PORT
 * cannot be bound next to. Otherwise (an IPv4-only server, or a container
 * without IPv6) the flow goes to 127.0.0.1, as before, and the client
 * shows as that. */
#include "netns/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* The table of clients' host routes: next to the TCP one (splice.c). */
#define UDP_KEEP_TABLE 25206u

/* A client's address and port: family AF_INET (the first 4 bytes of a)
 * or AF_INET6. */
struct client {
	int family;
	uint8_t a[16];
	uint16_t port; /* network order */
};

struct client_ref {
	int family;
	uint8_t a[16];
	unsigned flows;
};

struct udpkeep {
	int nl; /* inner's rtnetlink socket */
	bool off;
	bool off6; /* IPv6 clients go to 127.0.0.1: no IPv6 rules inside */
	struct client_ref *refs;
	size_t nrefs, cap;
};

struct udpkeep *udpkeep_new(struct inner *in, const struct netns_ports *ports)
{
	struct burrow_err *e = NULL, *e6 = NULL;
	int nl = inner_route_socket(in, &e);
	for (size_t i = 0; nl >= 0 && !e && i < ports->n; i++) {
		const struct netns_port *p = &ports->v[i];
		if (p->proto != NETNS_UDP)
			continue;
		uint16_t last = (uint16_t)(p->ctr_port + p->range - 1);
		nl_rule_add_udp_sport(nl, AF_INET, p->ctr_port, last, UDP_KEEP_TABLE, &e);
		if (!e && !e6)
			nl_rule_add_udp_sport(nl, AF_INET6, p->ctr_port, last, UDP_KEEP_TABLE, &e6);
	}
	if (e) {
		burrow_debug("published ports: UDP clients will show as the container's loopback: %s", e->msg);
		burrow_err_free(e);
		burrow_err_free(e6);
		return NULL;
	}
	struct udpkeep *k = xcalloc(1, sizeof(*k));
	k->nl = nl;
	if (e6) {
		burrow_debug("published ports: UDP clients over IPv6 will show as 127.0.0.1: %s", e6->msg);
		burrow_err_free(e6);
		k->off6 = true;
	}
	return k;
}

void udpkeep_free(struct udpkeep *k)
{
	if (!k)
		return;
	free(k->refs);
	free(k);
}

/* peer as a client (an IPv4-mapped IPv6 address as IPv4); false for
 * what cannot be kept (an IPv6 link-local address: its scope is the
 * host's). */
static bool client_of(const struct sockaddr_storage *peer, struct client *c)
{
	memset(c, 0, sizeof(*c));
	if (peer->ss_family == AF_INET) {
		const struct sockaddr_in *p4 = (const struct sockaddr_in *)peer;
		c->family = AF_INET;
		memcpy(c->a, &p4->sin_addr, 4);
		c->port = p4->sin_port;
		return true;
	}
	const struct sockaddr_in6 *p6 = (const struct sockaddr_in6 *)peer;
	if (peer->ss_family != AF_INET6 || IN6_IS_ADDR_LINKLOCAL(&p6->sin6_addr))
		return false;
	c->port = p6->sin6_port;
	if (IN6_IS_ADDR_V4MAPPED(&p6->sin6_addr)) {
		c->family = AF_INET;
		memcpy(c->a, p6->sin6_addr.s6_addr + 12, 4);
	} else {
		c->family = AF_INET6;
		memcpy(c->a, &p6->sin6_addr, 16);
	}
	return true;
}

/* c as a socket address: *len set. */
static struct sockaddr_storage client_sa(const struct client *c, uint16_t port, socklen_t *len)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	if (c->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, c->a, 4);
		s4->sin_port = port;
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, c->a, 16);
		s6->sin6_port = port;
		*len = sizeof(*s6);
	}
	return ss;
}

/* the container's loopback address of family */
static const void *loopback(int family)
{
	static const uint8_t lo4[4] = {127, 0, 0, 1};
	return family == AF_INET ? (const void *)lo4 : (const void *)&in6addr_loopback;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static struct client_ref *ref_find(struct udpkeep *k, const struct client *c)
{
	for (size_t i = 0; i < k->nrefs; i++)
		if (k->refs[i].family == c->family && memcmp(k->refs[i].a, c->a, addr_len(c->family)) == 0)
			return &k->refs[i];
	return NULL;
}

/* One more flow of c's address: its host route is there. 0 or -errno. */
static int ref_take(struct udpkeep *k, const struct client *c)
{
	struct client_ref *r = ref_find(k, c);
	if (r) {
		r->flows++;
		return 0;
	}
	int rc =
	    nl_route_local_host(k->nl, true, c->family, c->a, loopback(c->family), UDP_KEEP_TABLE, LOOPBACK_IFINDEX);
	if (rc < 0)
		return rc;
	if (k->nrefs == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 16;
		k->refs = xrealloc(k->refs, k->cap * sizeof(*k->refs));
	}
	r = &k->refs[k->nrefs++];
	*r = (struct client_ref){.family = c->family, .flows = 1};
	memcpy(r->a, c->a, sizeof(r->a));
	return 0;
}

static void ref_drop(struct udpkeep *k, const struct client *c)
{
	struct client_ref *r = ref_find(k, c);
	if (!r || --r->flows > 0)
		return;
	nl_route_local_host(k->nl, false, c->family, c->a, loopback(c->family), UDP_KEEP_TABLE, LOOPBACK_IFINDEX);
	*r = k->refs[--k->nrefs];
}

void udpkeep_release(struct udpkeep *k, const struct sockaddr_storage *peer)
{
	struct client c;
	if (k && client_of(peer, &c))
		ref_drop(k, &c);
}

enum udpkeep_after udpkeep_after_failure(bool query, int rc)
{
	if (query && rc == 0)
		return UDPKEEP_ROUTING;
	switch (-rc) {
	case EAGAIN:
	case EINTR:
	case ENOBUFS:
	case ENOMEM:
	case EBUSY:
	case ETIMEDOUT:
		return UDPKEEP_RETRY;
	default:
		return UDPKEEP_BROKEN;
	}
}

/* The netlink step of keep() that failed, and its answer. */
struct keep_fail {
	const char *step; /* NULL: none (a socket call failed: errno) */
	bool query;
	int rc;
};

/* fd takes c's address and port (another port when that one is taken
 * inside), and c's address routes back to it. 0, or -1 with errno (and
 * *f filled when a netlink step failed). */
static int keep(struct udpkeep *k, int fd, const struct client *c, uint16_t ctr_port, struct keep_fail *f)
{
	int one = 1;
	if (c->family == AF_INET ? setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one))
	                         : setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one)))
		return -1;
	socklen_t len;
	struct sockaddr_storage sa = client_sa(c, c->port, &len);
	if (bind(fd, (const struct sockaddr *)&sa, len) < 0) {
		if (errno != EADDRINUSE)
			return -1;
		sa = client_sa(c, 0, &len);
		if (bind(fd, (const struct sockaddr *)&sa, len) < 0)
			return -1;
	}
	int rc = ref_take(k, c);
	if (rc < 0) {
		*f = (struct keep_fail){.step = "adding the client's host route", .rc = rc};
		errno = -rc;
		return -1;
	}
	/* the container may have changed its routing since the rule went in */
	rc = nl_route_is_local(k->nl, c->family, c->a, 0, IPPROTO_UDP, ctr_port);
	if (rc != 1) {
		ref_drop(k, c);
		*f = (struct keep_fail){.step = "asking where replies to the client go", .query = true, .rc = rc};
		errno = rc < 0 ? -rc : EHOSTUNREACH;
		return -1;
	}
	return 0;
}

/* Whether something inside serves ctr_port over IPv6: [::1]:ctr_port
 * cannot be bound. */
static bool served_v6(struct inner *in, uint16_t ctr_port)
{
	cleanup_close int fd = inner_socket(in, AF_INET6, SOCK_DGRAM);
	if (fd < 0)
		return false;
	struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_port = htons(ctr_port), .sin6_addr = in6addr_loopback};
	return bind(fd, (const struct sockaddr *)&lo, sizeof(lo)) < 0 && errno == EADDRINUSE;
}

/* After keep() failed with f: a transient error leaves keeping on for
 * the next flow of that family; otherwise it is off, and a warning says
 * why. */
static void keep_failed(struct udpkeep *k, int family, uint16_t ctr_port, const struct keep_fail *f, int e)
{
	burrow_debug("published port %u/udp: cannot keep the client's address: %s%s%s", ctr_port,
	             f->step ? f->step : "", f->step ? ": " : "", strerror(e));
	if (!f->step)
		return;
	switch (udpkeep_after_failure(f->query, f->rc)) {
	case UDPKEEP_RETRY:
		return;
	case UDPKEEP_ROUTING:
		burrow_warn("published ports: UDP replies to clients' addresses do not come back in the "
		            "container (did it change its routing rules?); from now on UDP clients come "
		            "from its loopback");
		break;
	case UDPKEEP_BROKEN:
		burrow_warn("published ports: cannot keep UDP clients' addresses (%s in the container: %s); "
		            "from now on UDP clients come from its loopback",
		            f->step, strerror(-f->rc));
		break;
	}
	if (family == AF_INET)
		k->off = true;
	else
		k->off6 = true;
}

int udpkeep_socket(struct udpkeep *k, struct inner *in, uint16_t ctr_port, const struct sockaddr_storage *peer,
                   bool *kept)
{
	*kept = false;
	struct client c;
	bool keepable = k && client_of(peer, &c);
	if (keepable && (c.family == AF_INET ? k->off : (k->off6 || !served_v6(in, ctr_port))))
		keepable = false; /* to 127.0.0.1, unkept */
	int family = keepable ? c.family : AF_INET;
	int fd = inner_socket(in, family, SOCK_DGRAM);
	if (fd < 0)
		return -1;
	if (keepable) {
		struct keep_fail f = {0};
		if (keep(k, fd, &c, ctr_port, &f) == 0) {
			*kept = true;
		} else {
			keep_failed(k, c.family, ctr_port, &f, errno);
			/* a socket that may be bound already: a fresh one */
			close(fd);
			fd = inner_socket(in, family, SOCK_DGRAM);
			if (fd < 0)
				return -1;
		}
	}
	struct client lo = {.family = family};
	memcpy(lo.a, loopback(family), addr_len(family));
	socklen_t tolen;
	struct sockaddr_storage to = client_sa(&lo, htons(ctr_port), &tolen);
	if (connect(fd, (struct sockaddr *)&to, tolen) < 0) {
		int e = errno;
		if (*kept)
			ref_drop(k, &c);
		*kept = false;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
