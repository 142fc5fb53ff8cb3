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
 * before. IPv4 clients only (an IPv6 client shows as 127.0.0.1). */
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

struct client_ref {
	struct in_addr addr;
	unsigned flows;
};

struct udpkeep {
	int nl; /* inner's rtnetlink socket */
	bool off;
	struct client_ref *refs;
	size_t nrefs, cap;
};

struct udpkeep *udpkeep_new(struct inner *in, const struct netns_ports *ports)
{
	struct burrow_err *e = NULL;
	int nl = inner_route_socket(in, &e);
	for (size_t i = 0; nl >= 0 && !e && i < ports->n; i++) {
		const struct netns_port *p = &ports->v[i];
		if (p->proto == NETNS_UDP)
			nl_rule_add_udp_sport(nl, AF_INET, p->ctr_port, (uint16_t)(p->ctr_port + p->range - 1),
			                      UDP_KEEP_TABLE, &e);
	}
	if (e) {
		burrow_debug("published ports: UDP clients will show as the container's loopback: %s", e->msg);
		burrow_err_free(e);
		return NULL;
	}
	struct udpkeep *k = xcalloc(1, sizeof(*k));
	k->nl = nl;
	return k;
}

void udpkeep_free(struct udpkeep *k)
{
	if (!k)
		return;
	free(k->refs);
	free(k);
}

/* peer as an IPv4 address and port (an IPv4-mapped IPv6 one too); false
 * for IPv6 proper. */
static bool peer4(const struct sockaddr_storage *peer, struct sockaddr_in *out)
{
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	if (peer->ss_family == AF_INET) {
		*out = *(const struct sockaddr_in *)peer;
		return true;
	}
	const struct sockaddr_in6 *p6 = (const struct sockaddr_in6 *)peer;
	if (!IN6_IS_ADDR_V4MAPPED(&p6->sin6_addr))
		return false;
	memcpy(&out->sin_addr, p6->sin6_addr.s6_addr + 12, 4);
	out->sin_port = p6->sin6_port;
	return true;
}

static struct client_ref *ref_find(struct udpkeep *k, struct in_addr a)
{
	for (size_t i = 0; i < k->nrefs; i++)
		if (k->refs[i].addr.s_addr == a.s_addr)
			return &k->refs[i];
	return NULL;
}

/* One more flow of address a: its host route is there. 0 or -errno. */
static int ref_take(struct udpkeep *k, struct in_addr a)
{
	struct client_ref *r = ref_find(k, a);
	if (r) {
		r->flows++;
		return 0;
	}
	struct in_addr lo = {.s_addr = htonl(INADDR_LOOPBACK)};
	int rc = nl_route_local_host(k->nl, true, AF_INET, &a, &lo, UDP_KEEP_TABLE, LOOPBACK_IFINDEX);
	if (rc < 0)
		return rc;
	if (k->nrefs == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 16;
		k->refs = xrealloc(k->refs, k->cap * sizeof(*k->refs));
	}
	k->refs[k->nrefs++] = (struct client_ref){.addr = a, .flows = 1};
	return 0;
}

static void ref_drop(struct udpkeep *k, struct in_addr a)
{
	struct client_ref *r = ref_find(k, a);
	if (!r || --r->flows > 0)
		return;
	struct in_addr lo = {.s_addr = htonl(INADDR_LOOPBACK)};
	nl_route_local_host(k->nl, false, AF_INET, &a, &lo, UDP_KEEP_TABLE, LOOPBACK_IFINDEX);
	*r = k->refs[--k->nrefs];
}

void udpkeep_release(struct udpkeep *k, const struct sockaddr_storage *peer)
{
	struct sockaddr_in p;
	if (k && peer4(peer, &p))
		ref_drop(k, p.sin_addr);
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

/* fd takes p's address and port (another port when that one is taken
 * inside), and p's address routes back to it. 0, or -1 with errno (and
 * *f filled when a netlink step failed). */
static int keep(struct udpkeep *k, int fd, const struct sockaddr_in *p, uint16_t ctr_port, struct keep_fail *f)
{
	int one = 1;
	if (setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) < 0)
		return -1;
	if (bind(fd, (const struct sockaddr *)p, sizeof(*p)) < 0) {
		if (errno != EADDRINUSE)
			return -1;
		struct sockaddr_in any_port = *p;
		any_port.sin_port = 0;
		if (bind(fd, (const struct sockaddr *)&any_port, sizeof(any_port)) < 0)
			return -1;
	}
	int rc = ref_take(k, p->sin_addr);
	if (rc < 0) {
		*f = (struct keep_fail){.step = "adding the client's host route", .rc = rc};
		errno = -rc;
		return -1;
	}
	/* the container may have changed its routing since the rule went in */
	rc = nl_route_is_local(k->nl, AF_INET, &p->sin_addr, 0, IPPROTO_UDP, ctr_port);
	if (rc != 1) {
		ref_drop(k, p->sin_addr);
		*f = (struct keep_fail){.step = "asking where replies to the client go", .query = true, .rc = rc};
		errno = rc < 0 ? -rc : EHOSTUNREACH;
		return -1;
	}
	return 0;
}

/* After keep() failed with f: a transient error leaves keeping on for
 * the next flow; otherwise it is off, and a warning says why. */
static void keep_failed(struct udpkeep *k, uint16_t ctr_port, const struct keep_fail *f, int e)
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
	k->off = true;
}

int udpkeep_socket(struct udpkeep *k, struct inner *in, uint16_t ctr_port, const struct sockaddr_storage *peer,
                   bool *kept)
{
	*kept = false;
	int fd = inner_socket(in, AF_INET, SOCK_DGRAM);
	if (fd < 0)
		return -1;
	struct sockaddr_in p;
	if (k && !k->off && peer4(peer, &p)) {
		struct keep_fail f = {0};
		if (keep(k, fd, &p, ctr_port, &f) == 0) {
			*kept = true;
		} else {
			keep_failed(k, ctr_port, &f, errno);
			/* a socket that may be bound already: a fresh one */
			close(fd);
			fd = inner_socket(in, AF_INET, SOCK_DGRAM);
			if (fd < 0)
				return -1;
		}
	}
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(ctr_port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		int e = errno;
		if (*kept)
			ref_drop(k, p.sin_addr);
		*kept = false;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
