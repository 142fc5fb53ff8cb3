/* Helpers private to netns/: a minimal rtnetlink client for the few
 * requests the tap setup needs. Each request is acked by the kernel; a
 * failure comes back as a burrow error naming the request. */
#ifndef BURROW_NETNS_INTERNAL_H
#define BURROW_NETNS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

/* An NETLINK_ROUTE socket in the current network namespace (O_CLOEXEC). */
int nl_open(struct burrow_err **err);

/* RTM_NEWLINK on ifindex: mtu (0 = leave it) and IFF_UP. */
int nl_link_up(int nl, unsigned ifindex, unsigned mtu, struct burrow_err **err);

/* RTM_NEWADDR: family AF_INET (addr 4 bytes) or AF_INET6 (16 bytes); IPv6
 * addresses skip duplicate address detection (the link has one peer, slirp). */
int nl_addr_add(int nl, unsigned ifindex, int family, const void *addr, unsigned prefixlen, struct burrow_err **err);

/* RTM_NEWROUTE: the default route of family via gw on ifindex. */
int nl_route_add_default(int nl, unsigned ifindex, int family, const void *gw, struct burrow_err **err);

#endif
