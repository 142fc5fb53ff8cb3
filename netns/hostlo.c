/* The container kept off the host's loopback (see hostlo.h). */
#include "netns/hostlo.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

/* How long a UDP datagram libslirp brought from the host's loopback may
 * be answered: libslirp's own expiry of a UDP socket (SO_EXPIRE). */
#define UDP_REPLY_MS 240000
/* The flows remembered; the oldest goes first. */
#define FLOWS 128

#define ETH_HLEN 14
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMP6 58
#define TCP_SYN 0x02
#define TCP_ACK 0x10

struct flow {
	int64_t until; /* 0: free */
	uint8_t fam;
	uint8_t addr[16]; /* the host's side as libslirp shows it */
	uint16_t cport;   /* the host's side's port */
	uint16_t gport;   /* the container's */
};

struct netns_hostlo {
	struct netns_hostlo_net net;
	struct flow flows[FLOWS];
};

/* An IP packet's header fields that matter here. */
struct pkt {
	uint8_t fam; /* 4, 6 */
	uint8_t proto;
	const uint8_t *src, *dst;
	bool first; /* no fragment, or the first */
	bool frag;  /* a fragment, first or later */
	bool ports; /* sport, dport (and for TCP flags) could be read */
	uint16_t sport, dport;
	uint8_t flags;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Whether frame is IPv4 or IPv6 (else libslirp deals with it or drops
 * it), its fields in p. */
static bool parse(const uint8_t *f, size_t len, struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	if (len < ETH_HLEN)
		return false;
	uint16_t type = be16(f + 12);
	const uint8_t *ip = f + ETH_HLEN;
	size_t iplen = len - ETH_HLEN, l4;
	if (type == 0x0800 && iplen >= 20 && ip[0] >> 4 == 4) {
		p->fam = 4;
		p->proto = ip[9];
		p->src = ip + 12;
		p->dst = ip + 16;
		p->first = (be16(ip + 6) & 0x1fff) == 0;
		p->frag = (be16(ip + 6) & 0x3fff) != 0; /* MF or an offset */
		l4 = (size_t)(ip[0] & 0x0f) * 4;
		if (l4 < 20)
			l4 = iplen; /* no header to read */
	} else if (type == 0x86dd && iplen >= 40 && ip[0] >> 4 == 6) {
		p->fam = 6;
		p->proto = ip[6]; /* an extension header: neither TCP nor UDP */
		p->src = ip + 8;
		p->dst = ip + 24;
		p->first = true;
		l4 = 40;
	} else {
		return type == 0x0800 || type == 0x86dd; /* too short: parsed as nothing */
	}
	size_t need = p->proto == PROTO_TCP ? 14 : 4;
	if (p->first && iplen >= l4 + need) {
		p->ports = true;
		p->sport = be16(ip + l4);
		p->dport = be16(ip + l4 + 2);
		if (p->proto == PROTO_TCP)
			p->flags = ip[l4 + 13];
	}
	return true;
}

/* Whether addr is one libslirp maps to the host's loopback. */
static bool mapped(const struct netns_hostlo_net *n, uint8_t fam, const uint8_t *addr)
{
	if (!addr)
		return false;
	if (fam == 4) {
		uint32_t a = be32(addr);
		return (a & n->mask4) == n->net4 && a != n->dns4;
	}
	return memcmp(addr, &n->prefix6, 8) == 0 && memcmp(addr, &n->dns6, 16) != 0;
}

struct netns_hostlo *netns_hostlo_new(const struct netns_hostlo_net *net)
{
	struct netns_hostlo *h = xcalloc(1, sizeof(*h));
	h->net = *net;
	return h;
}

void netns_hostlo_free(struct netns_hostlo *h)
{
	free(h);
}

static size_t addr_len(uint8_t fam)
{
	return fam == 4 ? 4 : 16;
}

void netns_hostlo_from_slirp(struct netns_hostlo *h, const uint8_t *frame, size_t len, int64_t now)
{
	struct pkt p;
	if (!parse(frame, len, &p) || p.proto != PROTO_UDP || !p.ports || !mapped(&h->net, p.fam, p.src))
		return;
	struct flow *slot = &h->flows[0];
	for (size_t i = 0; i < FLOWS; i++) {
		struct flow *f = &h->flows[i];
		if (f->until && f->fam == p.fam && f->cport == p.sport && f->gport == p.dport &&
		    memcmp(f->addr, p.src, addr_len(p.fam)) == 0) {
			slot = f;
			break;
		}
		if (f->until < slot->until)
			slot = f; /* free (0) or the oldest */
	}
	slot->fam = p.fam;
	memset(slot->addr, 0, sizeof(slot->addr));
	memcpy(slot->addr, p.src, addr_len(p.fam));
	slot->cport = p.sport;
	slot->gport = p.dport;
	slot->until = now + UDP_REPLY_MS;
}

/* Whether the UDP datagram p answers one libslirp brought. */
static bool is_reply(const struct netns_hostlo *h, const struct pkt *p, int64_t now)
{
	for (size_t i = 0; i < FLOWS; i++) {
		const struct flow *f = &h->flows[i];
		if (f->until > now && f->fam == p->fam && f->cport == p->dport && f->gport == p->sport &&
		    memcmp(f->addr, p->dst, addr_len(p->fam)) == 0)
			return true;
	}
	return false;
}

bool netns_hostlo_to_slirp(struct netns_hostlo *h, const uint8_t *frame, size_t len, int64_t now)
{
	struct pkt p;
	if (!parse(frame, len, &p))
		return true;
	if (!mapped(&h->net, p.fam, p.dst))
		return true;
	/* TCP is never fragmented by a sender that means well, and a SYN
	 * could be pieced together from fragments whose first looked like
	 * no SYN: none goes there */
	if (p.proto == PROTO_TCP && p.frag)
		return false;
	if (!p.first)
		return true; /* a later fragment: it goes nowhere without the first */
	switch (p.proto) {
	case PROTO_TCP:
		/* a connection libslirp brought in goes on; none starts */
		return p.ports && !((p.flags & TCP_SYN) && !(p.flags & TCP_ACK));
	case PROTO_UDP:
		return p.ports && is_reply(h, &p, now);
	case PROTO_ICMP: {
		uint32_t gw = h->net.gw4;
		return p.fam == 4 && be32(p.dst) == gw; /* answered by libslirp */
	}
	case PROTO_ICMP6:
		return p.fam == 6; /* neighbour discovery; libslirp forwards no echo */
	default:
		return false;
	}
}
