/* tap0 inside the container's network namespace. The monitor lives in the
 * host's network namespace and cannot setns() into the container's and come
 * back, so a short-lived child joins it, sets the tap up and hands the fd
 * back over a socketpair (SCM_RIGHTS). */
#include "netns/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/sock.h"
#include "netns/internal.h"

#define TAP_HELPER_TIMEOUT_MS 10000
/* helper -> monitor: the tap fd rides along (else SOCK_MSG_ERROR) */
#define TAP_MSG_FD 'T'

static int ifindex_of(const char *name, unsigned *out, struct burrow_err **err)
{
	unsigned idx = if_nametoindex(name);
	if (idx == 0)
		return burrow_error(err, errno, "cannot find interface '%s'", name);
	*out = idx;
	return 0;
}

int netns_lo_up(struct burrow_err **err)
{
	cleanup_close int nl = nl_open(err);
	if (nl < 0)
		return -1;
	unsigned lo = 0;
	if (ifindex_of("lo", &lo, err) < 0 || nl_link_up(nl, lo, 0, err) < 0)
		return -1;
	return 0;
}

/* Runs in the container's network namespace: creates and configures tap0. */
static int tap_create(const struct netns_cfg *cfg, int *out, struct burrow_err **err)
{
	cleanup_close int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return net_err_tun(err, errno);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strncpy(ifr.ifr_name, NETNS_TAP_NAME, sizeof(ifr.ifr_name) - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return burrow_error(err, errno, "cannot create tap device '%s'", NETNS_TAP_NAME);

	cleanup_close int nl = nl_open(err);
	if (nl < 0)
		return -1;
	unsigned lo = 0, tap = 0;
	if (ifindex_of("lo", &lo, err) < 0 || ifindex_of(NETNS_TAP_NAME, &tap, err) < 0)
		return -1;
	if (nl_link_up(nl, lo, 0, err) < 0 || nl_link_up(nl, tap, cfg->mtu, err) < 0)
		return -1;

	struct in_addr a4, gw4;
	inet_pton(AF_INET, cfg->addr, &a4);
	inet_pton(AF_INET, cfg->gateway, &gw4);
	if (nl_addr_add(nl, tap, AF_INET, &a4, cfg->prefix4, err) < 0 ||
	    nl_route_add_default(nl, tap, AF_INET, &gw4, err) < 0)
		return -1;

	if (cfg->ipv6) {
		struct in6_addr a6, gw6;
		inet_pton(AF_INET6, NETNS_ADDR6, &a6);
		inet_pton(AF_INET6, NETNS_GATEWAY6, &gw6);
		if (nl_addr_add(nl, tap, AF_INET6, &a6, NETNS_PREFIXLEN6, err) < 0) {
			/* A kernel without IPv6: the container simply has none. */
			if ((*err)->status != EAFNOSUPPORT)
				return burrow_error_hint(
				    err, "IPv6 may be disabled here; use --network slirp:enable_ipv6=false");
			burrow_err_free(*err);
			*err = NULL;
		} else if (nl_route_add_default(nl, tap, AF_INET6, &gw6, err) < 0) {
			return -1;
		}
	}
	*out = steal_fd(fd);
	return 0;
}

static void __attribute__((noreturn)) tap_helper(int nsfd, int sock, const struct netns_cfg *cfg)
{
	cleanup_err struct burrow_err *err = NULL;
	int tapfd = -1;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		net_err_setns(&err, errno);
	} else if (tap_create(cfg, &tapfd, &err) == 0) {
		if (sock_send(sock, TAP_MSG_FD, 0, tapfd) == 0)
			_exit(0);
		burrow_error(&err, errno, "cannot pass the tap fd on");
	}
	sock_send_error(sock, err);
	_exit(1);
}

/* Waits up to timeout_ms for pid to exit, then kills it; always reaps. */
static int reap_bounded(pid_t pid, int timeout_ms)
{
	int status = 0;
	proc_wait_child(pid, now_ms() + timeout_ms, &status);
	return status;
}

int netns_ns_open(pid_t pid, struct burrow_err **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open '%s'", path);
	return fd;
}

int netns_tap_open(pid_t pid, const struct netns_cfg *cfg, int *tapfd, struct burrow_err **err)
{
	if (cfg->mode != NETNS_SLIRP)
		return burrow_error(err, EINVAL, "cannot open a tap device for a network that is not slirp");

	cleanup_close int nsfd = netns_ns_open(pid, err);
	if (nsfd < 0)
		return -1;

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return burrow_error(err, errno, "cannot create a socketpair");
	cleanup_close int sock = sv[0];
	cleanup_close int child_sock = sv[1];

	pid_t child = fork();
	if (child < 0)
		return burrow_error(err, errno, "cannot fork the tap helper");
	if (child == 0) {
		close(sock);
		tap_helper(nsfd, child_sock, cfg);
	}
	close(steal_fd(child_sock));

	int r = wait_fd(sock, POLLIN, now_ms() + TAP_HELPER_TIMEOUT_MS);
	if (r <= 0) {
		int e = r < 0 ? errno : ETIMEDOUT;
		reap_bounded(child, 0);
		if (e == ETIMEDOUT)
			return burrow_error(err, 0, "timed out after %d s waiting for the tap helper to set up '%s'",
			                    TAP_HELPER_TIMEOUT_MS / 1000, NETNS_TAP_NAME);
		return burrow_error(err, e, "cannot wait for the tap helper");
	}

	struct sock_msg m;
	int fd = -1;
	r = sock_recv(sock, &m, &fd);
	int recv_errno = errno;
	if (r > 0 && m.tag == TAP_MSG_FD && fd >= 0) {
		reap_bounded(child, 1000);
		*tapfd = fd;
		return 0;
	}
	if (fd >= 0)
		close(fd);
	struct burrow_err *child_err = NULL;
	/* the helper's own words, when it said why */
	int got = r > 0 && m.tag == SOCK_MSG_ERROR ? burrow_err_recv(sock, &child_err) : 0;
	int status = reap_bounded(child, 1000);
	if (got == 1) {
		burrow_err_free(*err);
		*err = child_err;
		return burrow_error_wrap(err, "cannot set up '%s' in the container's network namespace",
		                         NETNS_TAP_NAME);
	}
	burrow_err_free(child_err);
	if (r >= 0 || recv_errno == EBADMSG) {
		cleanup_free char *how = proc_status_text(status);
		return burrow_error(err, 0, "the tap helper %s without setting up '%s'", how, NETNS_TAP_NAME);
	}
	return burrow_error(err, recv_errno, "cannot receive the tap fd from its helper");
}
