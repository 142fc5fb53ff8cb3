/* allow_host_loopback=false, enforced on the container's frames rather
 * than by libslirp's disable_host_loopback, which also drops the replies
 * to a UDP port forward (port_handler=slirp) whose client is on the host's
 * loopback: libslirp shows that client as the gateway (10.0.2.2) and
 * refuses every datagram to it, replies included. Here the container may
 * not start anything towards the addresses libslirp maps to the host's
 * loopback (every one of its network but the DNS server's, and of fd00::/64
 * but fd00::3): a TCP SYN is dropped, a UDP datagram passes only as the
 * reply to one that libslirp brought from there (same ports, reversed,
 * within UDP_REPLY_MS), ICMP only to the gateway (libslirp answers that
 * itself); anything else to them is dropped. */
#ifndef BURROW_NETNS_HOSTLO_H
#define BURROW_NETNS_HOSTLO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The addresses of the container's network (host order for IPv4). */
struct netns_hostlo_net {
	uint32_t net4, mask4, gw4, dns4;
	struct in6_addr prefix6, gw6, dns6; /* prefix6: a /64 */
};

struct netns_hostlo;

struct netns_hostlo *netns_hostlo_new(const struct netns_hostlo_net *net);
void netns_hostlo_free(struct netns_hostlo *h);

/* A frame libslirp sends to the container (Ethernet): a UDP datagram
 * from one of those addresses is remembered for its reply. */
void netns_hostlo_from_slirp(struct netns_hostlo *h, const uint8_t *frame, size_t len, int64_t now);

/* Whether a frame from the container (Ethernet) may go to libslirp. */
bool netns_hostlo_to_slirp(struct netns_hostlo *h, const uint8_t *frame, size_t len, int64_t now);

#endif
