/* The container network: --network parsing, the tap device inside the
 * container's network namespace, and the libslirp stack that runs in the
 * monitor's event loop (lib/loop.h; no glib main loop).
 *
 * Addresses (as slirp4netns and podman use them):
 *   container  10.0.2.100/24, fd00::100/64     (tap0)
 *   gateway    10.0.2.2, fd00::2               (the host; its loopback only
 *                                                with allow_host_loopback)
 *   DNS        10.0.2.3, fd00::3               (forwarded to the host's
 *                                                resolv.conf nameserver)
 * cidr= moves the IPv4 ones to another network (.100, .2, .3 of it).
 * Published ports (-p) are netns/ports.h's. */
#ifndef BURROW_NETNS_H
#define BURROW_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

struct loop;

/* Default MTU of tap0 and of the slirp interface, chosen from measurements:
 * tests/helpers/slirp-drive with socat at both ends, 50 MiB-1 GiB per run,
 * 2-5 runs each, a 2-CPU VM; MiB/s (ranges are run-to-run spread).
 *
 *                             mtu 1500  mtu 9000  mtu 16000  mtu 65520
 *   host side loopback, no limit
 *     host -> container       350-450   435-750   570-830    750-875
 *     container -> host       127-133   290-390   395-463    195-500
 *   host lo mtu 1500, shaped to 400 Mbit/s (tc tbf)
 *     host -> container       45        44        44         44
 *     container -> host       47        47        47         10-11
 *   host lo mtu 1500, shaped to 100 Mbit/s
 *     host -> container       11        -         11         11
 *     container -> host       12        -         12         7
 *
 * libslirp's TCP does no window scaling, so its receive window is at most
 * 64 KiB: at 65520 one segment fills it, and whenever the host side drains
 * slower than the container sends (any real remote server) uploads collapse
 * (24000: 25 MiB/s, 32000 and up: 12 MiB/s in the 400 Mbit/s case; 20000
 * and below: full speed). 16000 keeps four segments in flight: full speed
 * on a slow path, close to 65520 on loopback, about three times 1500. */
#define NETNS_MTU_DEFAULT 16000
#define NETNS_MTU_MIN 68
#define NETNS_MTU_MAX 65520
/* IPv6 needs at least this MTU on the link. */
#define NETNS_MTU_MIN_IPV6 1280

#define NETNS_TAP_NAME "tap0"
#define NETNS_ADDR "10.0.2.100"
#define NETNS_PREFIXLEN 24
#define NETNS_GATEWAY "10.0.2.2"
#define NETNS_DNS "10.0.2.3"
#define NETNS_ADDR6 "fd00::100"
#define NETNS_PREFIXLEN6 64
#define NETNS_GATEWAY6 "fd00::2"
#define NETNS_DNS6 "fd00::3"

/* Which handler moves the bytes of published ports (netns/ports.h). */
enum netns_port_handler {
	/* the default: the monitor accepts on the host and splices each
	 * connection into a socket made inside the container's network
	 * namespace (its loopback); fast; TCP clients keep their address, UDP
	 * ones show as the loopback (ports.h). podman's name for its
	 * counterpart, "rootlesskit", is taken too. */
	NETNS_PORTS_SPLICE,
	/* libslirp's hostfwd: slower, but the container sees the client's
	 * own address ("slirp4netns" is taken too) */
	NETNS_PORTS_SLIRP,
};

/* Big enough for a path (ns:PATH) or a container's name or ID. */
#define NETNS_TARGET_MAX 4096
/* An IPv4 or IPv6 address as text, or an interface name. */
#define NETNS_ADDRTEXT_MAX 46

struct netns_cfg {
	enum { NETNS_SLIRP, NETNS_NONE, NETNS_HOST, NETNS_NS, NETNS_CONTAINER } mode;
	bool allow_host_loopback; /* 10.0.2.2 reaches the host's 127.0.0.1 (default false) */
	unsigned mtu;             /* default NETNS_MTU_DEFAULT */
	bool ipv6;                /* default true: fd00::/64 too */
	enum netns_port_handler port_handler;
	/* cidr=: the container's IPv4 network, 10.0.2.0/24 by default; the
	 * container is its .100, the gateway .2, the DNS forwarder .3 */
	uint32_t net4; /* host byte order */
	unsigned prefix4;
	/* outbound_addr=, outbound_addr6=: where slirp's outgoing sockets are
	 * bound: an address, or an interface whose address is taken when the
	 * network starts; "" lets the host choose */
	char outbound4[NETNS_ADDRTEXT_MAX];
	char outbound6[NETNS_ADDRTEXT_MAX];
	/* ns:PATH: the path; container:NAME: the name or ID (found by the
	 * container layer, not here) */
	char target[NETNS_TARGET_MAX];
	/* the container layer's /proc/PID/ns/net in target: the start time
	 * of PID, checked once the path is open (0: none) */
	unsigned long long target_start;
	/* from net4, as text, for the /etc files the container layer writes */
	char addr[16], gateway[16], dns[16];
};

/* The defaults: slirp, no host loopback, NETNS_MTU_DEFAULT, IPv6 on,
 * 10.0.2.0/24, the splice port handler. */
void netns_cfg_init(struct netns_cfg *cfg);

/* Parses --network (podman's spellings):
 *   slirp[:OPTION=VALUE,...]  options allow_host_loopback, mtu, enable_ipv6,
 *                             cidr, outbound_addr, outbound_addr6,
 *                             port_handler (splice|slirp, podman's
 *                             rootlesskit|slirp4netns); booleans take
 *                             true/false, 1/0, t/f
 *   slirp4netns[:...]         the same
 *   none, host
 *   ns:PATH                   an existing network namespace (absolute path)
 *   container:NAME            another container's (the caller finds it)
 * pasta is refused, naming slirp. NULL means the default. *cfg is written
 * only on success. ns:PATH and container:NAME only with NETNS_PARSE_JOIN
 * (netns_parse_ext): a caller says it can join a namespace; netns_parse
 * refuses them ("not supported yet"). */
int netns_parse(const char *spec, struct netns_cfg *cfg, struct burrow_err **err);
/* The caller handles NETNS_NS and NETNS_CONTAINER. */
#define NETNS_PARSE_JOIN 1u
int netns_parse_ext(const char *spec, unsigned flags, struct netns_cfg *cfg, struct burrow_err **err);

/* The canonical spelling of cfg, e.g. "slirp:mtu=1500" (options only where
 * they differ from the default); netns_parse() reads it back. Caller frees. */
char *netns_format(const struct netns_cfg *cfg);

/* Opens /proc/PID/ns/net (O_CLOEXEC), the network namespace of pid: what
 * netns_fwd_start (ports.h) takes. Returns the fd, or -1. */
int netns_ns_open(pid_t pid, struct burrow_err **err);

/* Opens tap0 inside the network namespace of pid and returns its fd (O_CLOEXEC,
 * blocking) in *tapfd. A short-lived helper process joins that namespace
 * (the caller needs CAP_SYS_ADMIN over the user namespace that owns it), creates
 * the tap (IFF_TAP|IFF_NO_PI), sets its MTU, cfg->addr (10.0.2.100/24), the
 * default route via cfg->gateway (10.0.2.2), fd00::100/64 and a default route via fd00::2 when cfg->ipv6,
 * brings tap0 and lo up (rtnetlink, no `ip` binary) and passes the fd back
 * over a socketpair. Waits at most 10 seconds for it. Only for NETNS_SLIRP. */
int netns_tap_open(pid_t pid, const struct netns_cfg *cfg, int *tapfd, struct burrow_err **err);

/* Brings lo up in the current network namespace (what --network none needs;
 * netns_tap_open does it for slirp). */
int netns_lo_up(struct burrow_err **err);

/* The libslirp stack over a tap fd, attached to the event loop l: the tap,
 * slirp's sockets and its timers are watched there, and it runs as l runs
 * (l must outlive it). Takes ownership of tapfd (closed by netns_slirp_free,
 * also on failure) and makes it non-blocking. SIGPIPE is ignored in the
 * process from then on (libslirp writes to sockets whose peer may be gone;
 * a handler the caller set stays). The tap fd keeps the
 * container's network namespace alive: free the stack when the container
 * has exited. */
struct netns_slirp;
struct netns_slirp *netns_slirp_new(struct loop *l, int tapfd, const struct netns_cfg *cfg, struct burrow_err **err);
/* Detaches it from its loop (also from inside one of the loop's callbacks)
 * and frees it. */
void netns_slirp_free(struct netns_slirp *n);

/* True once reading the tap hit EOF or a hard error; from then on the tap is
 * no longer watched (so poll() cannot spin on it). An open tun fd keeps its
 * network namespace alive, so this is a safety net, not the way to notice
 * that the container ended. */
bool netns_slirp_tap_gone(const struct netns_slirp *n);

/* libslirp's version (loads it); NULL and *err when it cannot be loaded. */
const char *netns_slirp_version(struct burrow_err **err);

/* What goes into the container's /etc/resolv.conf: the DNS forwarder
 * (cfg->dns, "10.0.2.3" unless cidr= moves it) for slirp; NULL for the
 * other modes (host: copy the host's; none: no nameserver). Points into
 * cfg. */
const char *netns_dns_server(const struct netns_cfg *cfg);

#endif
