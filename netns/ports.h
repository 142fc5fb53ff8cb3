/* Published ports: -p, --expose and -P parsed (pure), and the forwarding
 * engine that carries them from the host into a container.
 *
 * The engine lives in the monitor, in the host's network namespace, in its
 * event loop (lib/loop.h), and stays single-threaded: the monitor may
 * clone a container (a restart) at any time.
 *
 * Handlers (struct netns_cfg's port_handler):
 *   splice  the default. The monitor accepts on the host and connects a
 *           socket made inside the container's network namespace to the
 *           published port on the container's loopback (127.0.0.1, or ::1
 *           for an IPv6 client; the other one when that is refused), then
 *           moves the bytes with splice(2) through a pipe, each way on its
 *           own, half-closes passed on, a reset passed on as a reset. TCP
 *           connections keep the client's address and port (below).
 *           UDP: one socket inside per client address and port (a flow),
 *           ended after NETNS_UDP_FLOW_IDLE_S without traffic;
 *           clients keep their address and port too (udpkeep.c), IPv6
 *           ones when the port is served over IPv6 inside.
 *   slirp   libslirp's hostfwd: the container sees the client's address.
 *           The container's server must listen on its tap address (most
 *           listen on every address), not on its loopback only.
 *
 * Sockets inside the container's namespace: a socket keeps the namespace
 * it was made in, and the monitor cannot setns() into the container's and
 * come back. A child made with clone(CLONE_VM|CLONE_FILES|CLONE_VFORK)
 * joins the namespace, makes a batch of sockets straight into the monitor's
 * own fd table (shared, so no SCM_RIGHTS is needed), and exits: it lives
 * for a few socket() calls, the monitor is suspended meanwhile, and no
 * thread ever exists. Measured on a 2-CPU VM under load (2000 sockets):
 *   socket() in the monitor's own namespace             5.3 us
 *   clone-vfork child, batches of 16 (what is used)     6.6 us a socket
 *   clone-vfork child, one socket each                 31.7 us
 *   a thread living in the namespace, pipe round trip  13.0 us
 *   fork + setns + SCM_RIGHTS, one socket each        197.8 us
 * The engine keeps a few sockets of each kind it uses ready.
 *
 * Client addresses (splice handler, TCP): the container's user namespace
 * owns its network namespace, so a socket made there may use
 * IP_TRANSPARENT: the inner socket binds the client's own address and
 * port (127.0.0.1 as the client has it, 192.0.2.7, 2001:db8::7...) and
 * carries a mark (SO_MARK). When started, the engine sets the container's
 * namespace up once (inner_keep_addresses): net.ipv4.tcp_fwmark_accept=1,
 * so the server's accepted socket inherits the mark, and the rule "fwmark
 * 0x62757272 lookup 25205" with "local default dev lo table 25205", so
 * the server's replies to that address come back to our socket on lo
 * instead of leaving through tap0. Traffic the container starts itself
 * carries no mark and routes as before; the container sees the extra
 * rule in `ip rule`. A connect still unanswered after 250 ms makes the
 * engine ask the container's routing (an rtnetlink socket made there):
 * when replies to the client no longer come back to us (the container
 * removed the rule or rewrote its routing), the connection is made again
 * from the loopback and addresses are no longer kept (a warning says so);
 * otherwise (a slow server) the connect goes on. When the namespace
 * cannot be set so (no CAP_NET_ADMIN there), connections come from the
 * loopback. An IPv6 client of a server that listens on IPv4 only shows as
 * 127.0.0.1. UDP flows keep theirs another way, as a server's
 * replies carry no mark: by the port they come from, "ipproto udp sport
 * PORT lookup 25206" for each published UDP port, and a host route
 * "local CLIENT dev lo src 127.0.0.1 table 25206" while CLIENT has a
 * flow (netns/udpkeep.c); a new flow checks that the rule still routes
 * the replies back, and when not, UDP clients come from the loopback from
 * then on (a warning says so). A transient netlink error (ENOBUFS, a
 * timeout ...) costs only that flow its address: the next one tries
 * again (udpkeep_after_failure).
 *
 * What it costs (tools/bench-net.sh, "splice" against "splice, no addr",
 * two runs on a 2-CPU VM shared with other jobs): throughput is the same
 * within the noise (host to container 8.3 and 5.7 Gbit/s kept, 4.9 and
 * 3.8 not; back 4.5 and 4.5, 8.1 and 4.1): the bytes take the same path.
 * A new TCP connection costs two system calls more (1700-2000 short
 * connections a second kept, 2200-3000 not, noisy); a new UDP flow two
 * rtnetlink round trips inside (a route and its check): 980-1040 new flows
 * a second kept, 1140-1220 not; datagrams of a flow nothing more.
 */
#ifndef BURROW_NETNS_PORTS_H
#define BURROW_NETNS_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "netns/netns.h"

struct loop;
struct netns_slirp;

enum netns_proto { NETNS_TCP, NETNS_UDP };

/* One published port or range of ports. */
struct netns_port {
	/* the host address it listens on, canonical text (inet_ntop's);
	 * "" for every address of the host, IPv4 and IPv6 */
	char host_ip[46];
	uint16_t host_port; /* the first; 0 until chosen: a free one */
	uint16_t ctr_port;  /* the first */
	uint16_t range;     /* how many, at least 1 */
	enum netns_proto proto;
};

struct netns_ports {
	struct netns_port *v;
	size_t n;
};

void netns_ports_clear(struct netns_ports *ps);

/* Adds one -p/--publish argument, podman's syntax:
 *   [[HOSTIP:][HOSTPORT:]]CTRPORT[/PROTO]
 * HOSTPORT and CTRPORT are a port or a range START-END (the same length
 * when both are ranges); HOSTPORT empty or left out: a free one (a run of
 * free ones for a range); HOSTIP an IPv4 address or an IPv6 one in
 * brackets ([::1]:8080:80); 0.0.0.0 means every address, as no HOSTIP
 * does. PROTO tcp (default), udp or both (tcp,udp); sctp is refused. ps is
 * changed only on success. */
int netns_ports_add(struct netns_ports *ps, const char *spec, struct burrow_err **err);

/* Adds one --expose argument or image ExposedPorts key: PORT[-END][/PROTO]. */
int netns_ports_add_exposed(struct netns_ports *exposed, const char *spec, struct burrow_err **err);

/* -P: each exposed port (and protocol) that no entry of ps publishes yet
 * is added to ps with a free host port on every address. */
void netns_ports_publish_exposed(struct netns_ports *ps, const struct netns_ports *exposed);

/* Refuses two entries that would listen on the same host port (same
 * protocol, addresses that overlap); drops exact repeats. */
int netns_ports_check(struct netns_ports *ps, struct burrow_err **err);

/* The canonical spelling of p, which netns_ports_add reads back to p:
 * "8080:80/tcp", "127.0.0.1:8000-8010:8000-8010/udp", "[::1]::80/tcp"
 * (host port still to choose), "80/tcp". Caller frees. */
char *netns_port_format(const struct netns_port *p);

/* As podman ps shows it: "0.0.0.0:8080->80/tcp",
 * "[::1]:8000-8001->80-81/udp". Caller frees. */
char *netns_port_display(const struct netns_port *p);

/* ---- the engine ---- */

/* A UDP flow of the splice handler ends after this long without a
 * datagram either way (rootlesskit's figure). */
#define NETNS_UDP_FLOW_IDLE_S 90
/* At most this many flows a published UDP port; a new client beyond that
 * takes the place of the flow idle the longest. */
#define NETNS_UDP_FLOWS_MAX 1024

struct netns_fwd;

/* Binds every port of ps in the current network namespace (the host's,
 * where the monitor lives), before the container exists, and chooses the
 * free host ports left open. Nothing is forwarded yet. On failure nothing
 * is left bound and the error names the address and port:
 *   status EADDRINUSE  "... address already in use" (podman exits 126)
 *   status EACCES      a port below net.ipv4.ip_unprivileged_port_start
 *                      that neither this process nor root's binder (below)
 *                      can bind, with a hint saying how to lower it
 *   status EADDRNOTAVAIL  HOSTIP is not an address of this host
 * cfg gives the handler (port_handler) and, for slirp, whether the
 * container has IPv6. ps is copied. */
struct netns_fwd *netns_fwd_new(const struct netns_ports *ps, const struct netns_cfg *cfg, struct burrow_err **err);

/* The ports as bound: every host port chosen. Valid as long as f. */
const struct netns_ports *netns_fwd_ports(const struct netns_fwd *f);

/* Starts forwarding on loop l, which must outlive f (or the next
 * netns_fwd_stop).
 *   splice handler: nsfd is the container's network namespace (an fd of
 *     /proc/PID/ns/net; f keeps a duplicate); the caller needs
 *     CAP_SYS_ADMIN over the user namespace that owns it, as for the tap.
 *     slirp may be NULL.
 *   slirp handler: slirp is the container's stack (netns_slirp_new); the
 *     ports are handed to it (its hostfwd binds them again at once: there
 *     is no way to give libslirp a bound socket). nsfd may be -1.
 * Call it once the container has started (its init has exec'd): a process
 * forked since netns_fwd_new holds copies of the bound sockets until it
 * execs (they are O_CLOEXEC), and libslirp cannot bind a port a copy still
 * holds. Until then the kernel queues connections for the splice handler.
 * From here on SIGPIPE is ignored in the process (splice has no
 * MSG_NOSIGNAL; a handler the caller set stays), and the soft limit of
 * open files is the hard one (every connection costs fds); the splice
 * handler keeps none of the last 128 fd numbers under it (half the limit
 * when that is 256 or less): a flood of clients cannot take the fds the
 * rest of the monitor needs.
 * On failure f is as before the call (bound, not forwarding). */
int netns_fwd_start(struct netns_fwd *f, struct loop *l, int nsfd, struct netns_slirp *slirp, struct burrow_err **err);

/* Ends every connection and flow and detaches from the loop, the slirp
 * stack (which must still exist) and the container's namespace; the ports
 * stay bound, so a restarted container gets them again with
 * netns_fwd_start (for the slirp handler, they are bound again here). May
 * be called from a callback of the loop. */
void netns_fwd_stop(struct netns_fwd *f);

/* Stops and closes everything: the host ports are free at once (a new
 * listener may bind them immediately). NULL is fine. */
void netns_fwd_free(struct netns_fwd *f);

/* ---- root's binder of low host ports (netns/binder.c says why and how) ----
 * Call netns_binder_start before joining burrow's user namespace, in a
 * command that may start containers: when root runs it (and some ports
 * need privilege), it forks the binder, a child outside the namespace that
 * binds ports below net.ipv4.ip_unprivileged_port_start for
 * netns_fwd_new when this process cannot; otherwise it does nothing. The
 * binder dies with the process that started it. Call while
 * single-threaded. */
int netns_binder_start(struct burrow_err **err);
/* This process's end of it (O_CLOEXEC), which a monitor forked since
 * keeps until its ports are bound; -1 when there is none. */
int netns_binder_fd(void);
/* Closes this process's end; in the process that started it, the binder
 * is ended and reaped too. No process made from here on holds it. */
void netns_binder_close(void);

/* How long a UDP flow may stay idle (default NETNS_UDP_FLOW_IDLE_S). */
void netns_fwd_set_udp_idle(struct netns_fwd *f, unsigned ms);

/* Whether TCP connections and UDP flows through the splice handler keep
 * the client's address and port inside the container (default on; see
 * "Client addresses" above). Takes effect at the next netns_fwd_start. */
void netns_fwd_set_keep_addresses(struct netns_fwd *f, bool on);

/* Connections and UDP flows of the splice handler open now (for tests and `burrow inspect`). */
size_t netns_fwd_active(const struct netns_fwd *f);

#endif
