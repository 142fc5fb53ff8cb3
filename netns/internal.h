/* Helpers private to netns/: a minimal rtnetlink client for the few
 * requests the tap setup needs (each request is acked by the kernel; a
 * failure comes back as a burrow error naming the request), the one place
 * where errnos that mislead get their words and hints, sockets made inside
 * another network namespace, and the pieces of the port forwarding engine
 * (ports.h) shared by its files. */
#ifndef BURROW_NETNS_INTERNAL_H
#define BURROW_NETNS_INTERNAL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/err.h"
#include "netns/ports.h"

/* An NETLINK_ROUTE socket in the current network namespace (O_CLOEXEC). */
int nl_open(struct burrow_err **err);

/* Binds a NETLINK_ROUTE socket made elsewhere (in another namespace) and
 * connects it to the kernel, as nl_open does. */
int nl_ready(int fd, struct burrow_err **err);

/* How long one request and its answer may take, all of it: the kernel
 * answers at once, so this only bounds a wait that cannot happen. */
#define NL_WAIT_MS 5000

/* Reads one answer: true when h (a message carrying the request's
 * sequence number) decides, *rc set (0, a result >= 0, or -errno);
 * false to read on. */
struct nlmsghdr;
typedef bool (*nl_answer_fn)(const struct nlmsghdr *h, int *rc);

/* The largest answer datagram read: the kernel's answers to our
 * requests (acks, one route) are well under a page, and it sends even a
 * dump in datagrams of at most 32 KiB. */
#define NL_ANSWER_MAX 65536

/* Sends req (its nlmsg_seq set) on the connected socket nl and reads
 * until answer decides, with one deadline (now_ms()) for the whole
 * exchange, not one per message: a peer that trickles messages which
 * decide nothing cannot hold it longer. Each datagram is read whole.
 * Returns answer's *rc, or -errno (-ETIMEDOUT at the deadline,
 * -ECONNRESET when the peer closed, -EMSGSIZE for a datagram past
 * NL_ANSWER_MAX, -EBADMSG for one whose messages do not fit in it). */
int nl_exchange(int nl, struct nlmsghdr *req, int64_t deadline, nl_answer_fn answer);

/* RTM_NEWRULE "fwmark MARK lookup TABLE" for family (an existing one is
 * fine). */
int nl_rule_add_fwmark(int nl, int family, uint32_t mark, uint32_t table, struct burrow_err **err);

/* RTM_NEWROUTE "local default dev IFINDEX table TABLE": in that table
 * every address of family is this host's. */
int nl_route_add_local_all(int nl, int family, uint32_t table, unsigned ifindex, struct burrow_err **err);

/* RTM_GETROUTE: whether a packet to addr (4 or 16 bytes of family)
 * carrying mark (0: none), of protocol proto from port sport (proto 0:
 * any), is routed to this host (a local route): 1, 0, or -errno. */
int nl_route_is_local(int nl, int family, const void *addr, uint32_t mark, uint8_t proto, uint16_t sport);

/* RTM_NEWRULE "ipproto udp sport FIRST-LAST lookup TABLE" for family (an
 * existing one is fine). */
int nl_rule_add_udp_sport(int nl, int family, uint16_t first, uint16_t last, uint32_t table, struct burrow_err **err);

/* RTM_NEWROUTE (add) or RTM_DELROUTE: "local ADDR dev IFINDEX src PREFSRC
 * table TABLE" (a host route, 4 or 16 bytes of family each). 0 or -errno. */
int nl_route_local_host(int nl, bool add, int family, const void *addr, const void *prefsrc, uint32_t table,
                        unsigned ifindex);

/* RTM_NEWLINK on ifindex: mtu (0 = leave it) and IFF_UP. */
int nl_link_up(int nl, unsigned ifindex, unsigned mtu, struct burrow_err **err);

/* RTM_NEWADDR: family AF_INET (addr 4 bytes) or AF_INET6 (16 bytes); IPv6
 * addresses skip duplicate address detection (the link has one peer, slirp). */
int nl_addr_add(int nl, unsigned ifindex, int family, const void *addr, unsigned prefixlen, struct burrow_err **err);

/* RTM_NEWROUTE: the default route of family via gw on ifindex. */
int nl_route_add_default(int nl, unsigned ifindex, int family, const void *gw, struct burrow_err **err);

/* ---- errors (errors.c): every hint netns/ gives about the host ---- */

/* Opening /dev/net/tun failed with e. Returns -1. */
int net_err_tun(struct burrow_err **err, int e);

/* Binding or listening on where ("127.0.0.1:8080/tcp") for port failed with
 * e: "cannot listen on WHERE: address already in use" (status EADDRINUSE),
 * a port below net.ipv4.ip_unprivileged_port_start and how to lower it
 * (EACCES), an address this host does not have (EADDRNOTAVAIL), too many
 * open files (EMFILE). Returns -1. */
int net_err_bind(struct burrow_err **err, int e, const char *where, unsigned port);

/* Joining the container's network namespace failed with e. Returns -1. */
int net_err_setns(struct burrow_err **err, int e);

/* net.ipv4.ip_unprivileged_port_start of the current network namespace;
 * -1 when it cannot be read. */
long long net_unprivileged_port_start(void);

/* ---- root's binder of low host ports (binder.c) ---- */

/* A socket bound as fwd_bind_socket binds it, by the binder (ports below
 * net_unprivileged_port_start only); -1 with errno: the binder's, or
 * EACCES when there is none or it is gone. */
int net_binder_bind(const struct sockaddr_storage *a, socklen_t alen, enum netns_proto proto, bool v6only);

/* ---- sockets inside another network namespace (inner.c) ---- */

/* A few sockets of each kind made inside one network namespace, ready. */
struct inner;
/* nsfd is duplicated. Makes a first batch of (family, type) sockets: a
 * failure to join the namespace shows here. */
struct inner *inner_new(int nsfd, int family, int type, struct burrow_err **err);
/* A socket of (family AF_INET/AF_INET6, type SOCK_STREAM/SOCK_DGRAM) made
 * inside, non-blocking and O_CLOEXEC; the caller owns it. -1 with errno
 * when none can be made. */
int inner_socket(struct inner *in, int family, int type);
void inner_free(struct inner *in);

/* Writing to a socket whose peer is gone raises SIGPIPE: splice() has no
 * flag against it, and libslirp sends without MSG_NOSIGNAL. The process
 * ignores it from then on (a handler the caller set stays; the container's
 * init resets every signal). */
void net_ignore_sigpipe(void);

/* lo's index in every network namespace. */
#define LOOPBACK_IFINDEX 1

/* Readies the namespace for sockets that keep a client's address: a socket
 * made there with IP_TRANSPARENT (IPV6_TRANSPARENT) and SO_MARK mark may
 * bind a client's address and port and connect to the container's
 * loopback; the server's accepted socket inherits the mark
 * (net.ipv4.tcp_fwmark_accept=1), so does a reset the kernel sends for
 * a port nothing listens on (fwmark_reflect=1), and "fwmark MARK lookup
 * TABLE" with
 * "local default dev lo table TABLE" routes its replies back to our socket
 * instead of out through the tap. Traffic the container starts itself is
 * not marked and routes as before. 0, or -1 when the namespace cannot be
 * set so. IPv6 is optional: *v6 says whether IPv6 clients keep theirs. */
int inner_keep_addresses(struct inner *in, uint32_t mark, uint32_t table, bool *v6, struct burrow_err **err);

/* An rtnetlink socket inside the namespace, made on first use (its child
 * also sets the sysctls inner_keep_addresses needs) and owned by in; or
 * -1. */
int inner_route_socket(struct inner *in, struct burrow_err **err);

/* Whether the container's namespace still routes replies to the client
 * address of a (4 or 16 bytes of family) back to us, as
 * inner_keep_addresses set it: 1, 0, or -1 (asking failed). */
int inner_keeps_address(struct inner *in, int family, const void *a, uint32_t mark);

/* ---- UDP clients' addresses kept (udpkeep.c) ---- */

struct udpkeep;
/* Readies the namespace of in for UDP flows that keep their client's
 * address: a rule for each UDP port of ports. NULL when it cannot (a
 * debug line says why): flows come from the loopback then. */
struct udpkeep *udpkeep_new(struct inner *in, const struct netns_ports *ports);
void udpkeep_free(struct udpkeep *k);
/* A datagram socket inside, connected to 127.0.0.1:ctr_port, that has
 * peer's address and port as its own where it can (*kept; k NULL: never);
 * -1 with errno. */
int udpkeep_socket(struct udpkeep *k, struct inner *in, uint16_t ctr_port, const struct sockaddr_storage *peer,
                   bool *kept);
/* A kept flow of peer ended. */
void udpkeep_release(struct udpkeep *k, const struct sockaddr_storage *peer);

/* What a netlink step that failed for one flow means for the next ones:
 * rc is the step's answer, query whether it was the check that the
 * client's address routes back (nl_route_is_local: 0 = it does not) or
 * the host route's add (-errno). */
enum udpkeep_after {
	UDPKEEP_RETRY,   /* transient (-EAGAIN, -ENOBUFS, -ETIMEDOUT ...): this flow
	                  * comes from the loopback, the next one tries again */
	UDPKEEP_ROUTING, /* the replies would not come back: the container
	                  * changed its routing; off from now on */
	UDPKEEP_BROKEN,  /* the kernel refuses (-EPERM, -EINVAL ...): it would
	                  * fail for every flow; off from now on */
};
enum udpkeep_after udpkeep_after_failure(bool query, int rc);

/* ---- the forwarding engine (fwd.c, listen.c, splice.c) ---- */

struct fwd_conn;
struct fwd_flow;

/* One bound host socket: one port of an entry of ports.h, one family. */
struct fwd_listener {
	struct netns_fwd *f;
	enum netns_proto proto;
	uint16_t host_port, ctr_port;
	/* splice: the listening socket; slirp: held until the ports go to
	 * slirp (netns_fwd_start), bound again at netns_fwd_stop; -1 when
	 * none is held */
	int fd;
	struct sockaddr_storage addr; /* as bound, port included */
	socklen_t addrlen;
	bool v6only; /* an IPv6 socket that takes no IPv4 (slirp's [::]) */
	bool in_slirp;
	struct loop_watch *w;
	/* the UDP flows of the splice handler: a hash by client address and
	 * a list from the most recently used */
	struct fwd_flow **hash;
	size_t nhash;
	struct fwd_flow *mru, *lru;
	size_t nflows;
};

/* Pipes kept for the next transfer once they are empty. */
#define FWD_SPARE_PIPES 16

struct netns_fwd {
	struct netns_ports ports; /* as bound */
	enum netns_port_handler handler;
	bool guest6; /* slirp: the container has IPv6 (fd00::100) */
	char guest4[16];
	struct fwd_listener *ls;
	size_t nls;
	/* while started */
	bool started;
	struct loop *loop;
	struct netns_slirp *slirp;
	struct inner *inner;
	struct fwd_conn *conns;
	size_t nconns, nflows;
	int spare[FWD_SPARE_PIPES][2];
	size_t nspare;
	uint8_t *buf; /* one datagram */
	struct loop_timer *expiry;
	unsigned udp_idle_ms;
	/* TCP connections keep the client's address (inner_keep_addresses):
	 * wanted (netns_fwd_set_keep_addresses), and on while it works */
	bool want_keep_addr, keep_addr, keep_addr6;
	unsigned keep_failures;
	struct udpkeep *udpkeep; /* UDP flows keep theirs (udpkeep.c), or NULL */
	int fd_ceiling;          /* the splice handler keeps no fd numbered this or above */
};

/* A socket bound (and listening, for TCP) at a, as published ports are
 * (SO_REUSEADDR for TCP, IPV6_V6ONLY as v6only says), non-blocking,
 * O_CLOEXEC; its fd, or -1 with errno. Nothing else is tried. */
int fwd_bind_socket(const struct sockaddr_storage *a, socklen_t alen, enum netns_proto proto, bool v6only);
/* listen.c: binds every listener of f for f->ports (choosing free ports);
 * nothing is left bound on failure. */
int fwd_bind_all(struct netns_fwd *f, struct burrow_err **err);
/* Binds l again where it was (the slirp handler after stop). */
int fwd_rebind(struct fwd_listener *l, struct burrow_err **err);
/* "127.0.0.1:8080/tcp", "[::1]:53/udp", "0.0.0.0:80/tcp" for every address. */
void fwd_where(const struct sockaddr_storage *a, enum netns_proto proto, bool any_is_all, char *out, size_t n);

/* splice.c: the splice handler's side of a started engine. */
int splice_start(struct netns_fwd *f, int nsfd, struct burrow_err **err);
void splice_stop(struct netns_fwd *f);

/* slirp.c: hostfwd on the stack (libslirp's slirp_add_hostxfwd flags);
 * 0, or -1 with errno. */
int netns_slirp_hostfwd_add(struct netns_slirp *n, const struct sockaddr *host, socklen_t hostlen,
                            const struct sockaddr *guest, socklen_t guestlen, int flags);
int netns_slirp_hostfwd_remove(struct netns_slirp *n, const struct sockaddr *host, socklen_t hostlen, int flags);

#endif
