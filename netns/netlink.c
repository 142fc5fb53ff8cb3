/* A minimal rtnetlink client: one request, one ack. */
#include "netns/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

/* Big enough for every request below (header + ifinfo/ifaddr/rtmsg + a few attributes). */
#define NL_REQ_SIZE 256

struct nl_req {
	union {
		struct nlmsghdr hdr;
		char buf[NL_REQ_SIZE];
	};
};

static void *nl_body(struct nl_req *r)
{
	return NLMSG_DATA(&r->hdr);
}

static void nl_init(struct nl_req *r, uint16_t type, uint16_t flags, size_t bodylen)
{
	memset(r, 0, sizeof(*r));
	r->hdr.nlmsg_len = (uint32_t)NLMSG_LENGTH(bodylen);
	r->hdr.nlmsg_type = type;
	r->hdr.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
}

static void nl_attr(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->hdr.nlmsg_len);
	struct rtattr *a = (struct rtattr *)(r->buf + off);
	/* The requests are fixed and small; overflowing is a programming error. */
	if (off + RTA_SPACE(len) > sizeof(r->buf))
		abort();
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->hdr.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
}

int nl_open(struct burrow_err **err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open a netlink socket");
	if (nl_ready(fd, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int nl_ready(int fd, struct burrow_err **err)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return burrow_error(err, errno, "cannot bind a netlink socket");
	/* Connected to the kernel (nl_pid 0), it takes no message from
	 * anyone else: a container given CAP_NET_ADMIN could otherwise send
	 * to this socket in its network namespace, forging answers or
	 * flooding the waits below. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return burrow_error(err, errno, "cannot connect a netlink socket to the kernel");
	return 0;
}

/* Reads the next datagram whole, into a buffer of its own size: the
 * kernel's answers to our requests are well under a page, but an
 * answer past a fixed buffer would be cut and its tail lost unnoticed.
 * Returns its length (*buf set, to free), -EAGAIN when none is waiting,
 * or -errno: -ECONNRESET when the peer closed, -EMSGSIZE (the datagram
 * dropped) past NL_ANSWER_MAX or when it came truncated all the same. */
static ssize_t nl_recv(int nl, char **buf)
{
	ssize_t size = TEMP_FAILURE_RETRY(recv(nl, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT));
	if (size < 0)
		return -errno;
	if (size == 0)
		return -ECONNRESET; /* not the kernel's: a peer that went away */
	if (size > NL_ANSWER_MAX) {
		(void)TEMP_FAILURE_RETRY(recv(nl, NULL, 0, MSG_DONTWAIT));
		return -EMSGSIZE;
	}
	cleanup_free char *b = xmalloc((size_t)size);
	struct iovec iov = {.iov_base = b, .iov_len = (size_t)size};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = TEMP_FAILURE_RETRY(recvmsg(nl, &msg, MSG_DONTWAIT));
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	*buf = steal_ptr(b);
	return n;
}

/* Hands each message of a datagram of len bytes to answer, by the
 * netlink rules: a message starts NLMSG_ALIGN'ed after the one before,
 * holds at least its header and lies wholly inside the datagram; the
 * last one's padding may be missing. Returns 1 when answer decided
 * (*rc set), 0 to read on, -EBADMSG for a message that breaks them. */
static int nl_walk(const char *buf, size_t len, uint32_t seq, nl_answer_fn answer, int *rc)
{
	size_t off = 0;
	while (off < len) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + off);
		size_t left = len - off;
		if (left < sizeof(*h) || h->nlmsg_len < sizeof(*h) || h->nlmsg_len > left)
			return -EBADMSG;
		if (h->nlmsg_seq == seq && answer(h, rc))
			return 1;
		if (NLMSG_ALIGN(h->nlmsg_len) >= left)
			break;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return 0;
}

int nl_exchange(int nl, struct nlmsghdr *req, int64_t deadline, nl_answer_fn answer)
{
	/* connected (nl_ready): no address to give */
	if (TEMP_FAILURE_RETRY(send(nl, req, req->nlmsg_len, MSG_NOSIGNAL)) < 0)
		return -errno;
	for (;;) {
		int ready = wait_fd(nl, POLLIN, deadline);
		if (ready < 0)
			return -errno;
		if (ready == 0)
			return -ETIMEDOUT;
		cleanup_free char *buf = NULL;
		ssize_t n = nl_recv(nl, &buf);
		if (n == -EAGAIN)
			continue;
		if (n < 0)
			return (int)n;
		int rc = 0;
		int decided = nl_walk(buf, (size_t)n, req->nlmsg_seq, answer, &rc);
		if (decided < 0)
			return decided;
		if (decided)
			return rc;
	}
}

/* An ack: NLMSG_ERROR with 0 or -errno. */
static bool ack_answer(const struct nlmsghdr *h, int *rc)
{
	if (h->nlmsg_type != NLMSG_ERROR)
		return false;
	*rc = h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)) ? -EBADMSG
	                                                           : ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
	return true;
}

/* Sends r and waits for its ack; returns 0 or -errno from the kernel
 * (-ETIMEDOUT when none came within NL_WAIT_MS). */
static int nl_talk(int nl, struct nl_req *r)
{
	static uint32_t seq;
	r->hdr.nlmsg_seq = ++seq;
	return nl_exchange(nl, &r->hdr, now_ms() + NL_WAIT_MS, ack_answer);
}

int nl_link_up(int nl, unsigned ifindex, unsigned mtu, struct burrow_err **err)
{
	struct nl_req r;
	nl_init(&r, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = nl_body(&r);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (mtu) {
		uint32_t m = mtu;
		nl_attr(&r, IFLA_MTU, &m, sizeof(m));
	}
	int rc = nl_talk(nl, &r);
	if (rc < 0) {
		char name[IF_NAMESIZE] = "?";
		if_indextoname(ifindex, name);
		if (mtu)
			return burrow_error(err, -rc, "cannot set mtu %u on '%s' and bring it up", mtu, name);
		return burrow_error(err, -rc, "cannot bring '%s' up", name);
	}
	return 0;
}

int nl_addr_add(int nl, unsigned ifindex, int family, const void *addr, unsigned prefixlen, struct burrow_err **err)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct nl_req r;
	nl_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = nl_body(&r);
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	if (family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	nl_attr(&r, IFA_LOCAL, addr, alen);
	nl_attr(&r, IFA_ADDRESS, addr, alen);
	int rc = nl_talk(nl, &r);
	if (rc < 0) {
		char text[64] = "?";
		inet_ntop(family, addr, text, sizeof(text));
		return burrow_error(err, -rc, "cannot add address %s/%u", text, prefixlen);
	}
	return 0;
}

/* A request to add (or replace) a default route (destination length 0)
 * of that table (RT_TABLE_UNSPEC: the RTA_TABLE attribute the caller
 * adds), scope and type; the caller adds its attributes. */
static void default_route(struct nl_req *r, int family, unsigned char table, unsigned char scope, unsigned char type)
{
	nl_init(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct rtmsg));
	struct rtmsg *rt = nl_body(r);
	rt->rtm_family = (unsigned char)family;
	rt->rtm_dst_len = 0;
	rt->rtm_table = table;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = scope;
	rt->rtm_type = type;
}

int nl_route_add_default(int nl, unsigned ifindex, int family, const void *gw, struct burrow_err **err)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct nl_req r;
	default_route(&r, family, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, RTN_UNICAST);
	uint32_t oif = ifindex;
	nl_attr(&r, RTA_GATEWAY, gw, alen);
	nl_attr(&r, RTA_OIF, &oif, sizeof(oif));
	int rc = nl_talk(nl, &r);
	if (rc < 0) {
		char text[64] = "?";
		inet_ntop(family, gw, text, sizeof(text));
		return burrow_error(err, -rc, "cannot add the default route via %s", text);
	}
	return 0;
}

/* A request to add a rule of family that looks up a table (FRA_TABLE,
 * which the caller adds with its selectors). */
static void rule_init(struct nl_req *r, int family)
{
	nl_init(r, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct fib_rule_hdr));
	struct fib_rule_hdr *h = nl_body(r);
	h->family = (unsigned char)family;
	h->action = FR_ACT_TO_TBL;
	h->table = RT_TABLE_UNSPEC;
}

int nl_rule_add_fwmark(int nl, int family, uint32_t mark, uint32_t table, struct burrow_err **err)
{
	struct nl_req r;
	rule_init(&r, family);
	nl_attr(&r, FRA_FWMARK, &mark, sizeof(mark));
	nl_attr(&r, FRA_TABLE, &table, sizeof(table));
	int rc = nl_talk(nl, &r);
	if (rc < 0 && rc != -EEXIST)
		return burrow_error(err, -rc, "cannot add the IPv%c rule 'fwmark 0x%x lookup %u'",
		                    family == AF_INET ? '4' : '6', mark, table);
	return 0;
}

int nl_route_add_local_all(int nl, int family, uint32_t table, unsigned ifindex, struct burrow_err **err)
{
	struct nl_req r;
	default_route(&r, family, RT_TABLE_UNSPEC, RT_SCOPE_HOST, RTN_LOCAL);
	uint32_t oif = ifindex;
	nl_attr(&r, RTA_TABLE, &table, sizeof(table));
	nl_attr(&r, RTA_OIF, &oif, sizeof(oif));
	int rc = nl_talk(nl, &r);
	if (rc < 0)
		return burrow_error(err, -rc, "cannot add the IPv%c route 'local default dev lo table %u'",
		                    family == AF_INET ? '4' : '6', table);
	return 0;
}

int nl_rule_add_udp_sport(int nl, int family, uint16_t first, uint16_t last, uint32_t table, struct burrow_err **err)
{
	struct nl_req r;
	rule_init(&r, family);
	uint8_t proto = IPPROTO_UDP;
	struct fib_rule_port_range range = {.start = first, .end = last};
	nl_attr(&r, FRA_IP_PROTO, &proto, sizeof(proto));
	nl_attr(&r, FRA_SPORT_RANGE, &range, sizeof(range));
	nl_attr(&r, FRA_TABLE, &table, sizeof(table));
	int rc = nl_talk(nl, &r);
	if (rc < 0 && rc != -EEXIST)
		return burrow_error(err, -rc, "cannot add the IPv%c rule 'ipproto udp sport %u-%u lookup %u'",
		                    family == AF_INET ? '4' : '6', first, last, table);
	return 0;
}

int nl_route_local_host(int nl, bool add, int family, const void *addr, const void *prefsrc, uint32_t table,
                        unsigned ifindex)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct nl_req r;
	nl_init(&r, add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_REPLACE : 0, sizeof(struct rtmsg));
	struct rtmsg *rt = nl_body(&r);
	rt->rtm_family = (unsigned char)family;
	rt->rtm_dst_len = (unsigned char)(alen * 8);
	rt->rtm_table = RT_TABLE_UNSPEC;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_HOST;
	rt->rtm_type = RTN_LOCAL;
	uint32_t oif = ifindex;
	nl_attr(&r, RTA_DST, addr, alen);
	nl_attr(&r, RTA_PREFSRC, prefsrc, alen);
	nl_attr(&r, RTA_TABLE, &table, sizeof(table));
	nl_attr(&r, RTA_OIF, &oif, sizeof(oif));
	return nl_talk(nl, &r);
}

/* The route asked for: 1 when local, 0 when not or when there is none,
 * or the kernel's -errno. */
static bool route_answer(const struct nlmsghdr *h, int *rc)
{
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);
		/* no route at all: not ours either */
		*rc = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error != -ENETUNREACH && e->error != -EHOSTUNREACH
		          ? e->error
		          : 0;
		return true;
	}
	if (h->nlmsg_type == RTM_NEWROUTE && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct rtmsg))) {
		*rc = ((const struct rtmsg *)NLMSG_DATA(h))->rtm_type == RTN_LOCAL;
		return true;
	}
	return false;
}

int nl_route_is_local(int nl, int family, const void *addr, uint32_t mark, uint8_t proto, uint16_t sport)
{
	struct nl_req r;
	nl_init(&r, RTM_GETROUTE, 0, sizeof(struct rtmsg));
	r.hdr.nlmsg_flags = NLM_F_REQUEST; /* the answer is the route, no ack */
	struct rtmsg *rt = nl_body(&r);
	rt->rtm_family = (unsigned char)family;
	rt->rtm_dst_len = family == AF_INET ? 32 : 128;
	nl_attr(&r, RTA_DST, addr, family == AF_INET ? 4 : 16);
	if (mark)
		nl_attr(&r, RTA_MARK, &mark, sizeof(mark));
	if (proto) {
		uint16_t port = htons(sport);
		nl_attr(&r, RTA_IP_PROTO, &proto, sizeof(proto));
		nl_attr(&r, RTA_SPORT, &port, sizeof(port));
	}
	static uint32_t seq = 1u << 31;
	r.hdr.nlmsg_seq = ++seq;
	return nl_exchange(nl, &r.hdr, now_ms() + NL_WAIT_MS, route_answer);
}
