/* Sockets made inside another network namespace (the container's) for a
 * process that lives in its own (the monitor, in the host's) and cannot
 * setns() there and back: the host's namespace belongs to the initial user
 * namespace.
 *
 * A child made with clone(CLONE_VM | CLONE_FILES | CLONE_VFORK) joins the
 * namespace and makes a batch of sockets; they land in the fd table it
 * shares with us, so there is nothing to hand over. CLONE_VFORK suspends
 * us until it has exited, which keeps the process single-threaded at every
 * moment (the monitor clones containers) and the child short-lived (a few
 * socket() calls). Figures in ports.h. */
#include "netns/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* Sockets made per child; what is left over waits in the pool. */
#define BATCH 16
/* kinds: (AF_INET, AF_INET6) x (SOCK_STREAM, SOCK_DGRAM) */
#define KINDS 4

struct inner {
	int nsfd;
	int pool[KINDS][BATCH];
	int n[KINDS];
	int nl;                          /* rtnetlink, made inside (inner_route_socket), or -1 */
	int sysctl_errno, sysctl6_errno; /* what its child could not set */
};

/* What a child does inside: make sockets, or get the namespace ready for
 * sockets that keep a client's address (see inner_keep_addresses). */
struct batch {
	int nsfd;
	bool routing;
	int family, type, want;
	int fds[BATCH];
	int made;
	int setns_errno, socket_errno, sysctl_errno, sysctl6_errno;
};

/* The child's stack: it runs a handful of system calls. One at a time
 * exists (we are suspended while it runs, and single-threaded). */
static char child_stack[64 * 1024] __attribute__((aligned(64)));

/* Writes "1" to a sysctl file; 0 or an errno. */
__attribute__((no_sanitize_address)) static int sysctl_on(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int e = fd < 0 || write(fd, "1", 1) != 1 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return e;
}

/* Runs in the child, on child_stack, in our memory and with our fd table.
 * errno here is our thread's own (no new TLS): we are suspended. */
__attribute__((no_sanitize_address)) static int batch_child(void *arg)
{
	struct batch *b = arg;
	if (setns(b->nsfd, CLONE_NEWNET) < 0) {
		b->setns_errno = errno;
		return 1;
	}
	if (b->routing) {
		/* /proc/sys/net is the namespace of whoever opens it. The
		 * server's socket takes the mark of our SYN; a reset or an ICMP
		 * error the kernel sends without a socket (nothing listens, or
		 * only on the other family) takes it too (fwmark_reflect), so a
		 * refused connect is refused at once instead of routed away. */
		b->sysctl_errno = sysctl_on("/proc/sys/net/ipv4/tcp_fwmark_accept");
		if (!b->sysctl_errno)
			b->sysctl_errno = sysctl_on("/proc/sys/net/ipv4/fwmark_reflect");
		b->sysctl6_errno = sysctl_on("/proc/sys/net/ipv6/fwmark_reflect");
		b->fds[0] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (b->fds[0] < 0)
			b->socket_errno = errno;
		return 0;
	}
	for (; b->made < b->want; b->made++) {
		int fd = socket(b->family, b->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			b->socket_errno = errno;
			break;
		}
		b->fds[b->made] = fd;
	}
	return 0;
}

static int kind_of(int family, int type)
{
	return (family == AF_INET6 ? 2 : 0) + (type == SOCK_DGRAM ? 1 : 0);
}

/* Makes up to want sockets of (family, type) inside; how many were made,
 * or -1 (errno: the namespace could not be joined, or no socket made). */
/* Runs b in a child inside b->nsfd; 0, or -1 with errno when the
 * namespace could not be joined (*setns_failed). */
static int run_child(struct batch *b, bool *setns_failed)
{
	*setns_failed = false;
	pid_t pid = clone(batch_child, child_stack + sizeof(child_stack), CLONE_VM | CLONE_FILES | CLONE_VFORK, b);
	if (pid < 0)
		return -1;
	/* It has exited or is exiting: CLONE_VFORK returns once it let go of
	 * our memory, which it does only on its way out. Exit signal 0, so no
	 * SIGCHLD reaches the monitor and only __WALL finds it. */
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	if (b->setns_errno) {
		*setns_failed = true;
		errno = b->setns_errno;
		return -1;
	}
	return 0;
}

/* Makes up to want sockets of (family, type) inside; how many were made,
 * or -1 (errno: the namespace could not be joined, or no socket made). */
static int make_batch(int nsfd, int family, int type, int want, int *out, bool *setns_failed)
{
	struct batch b = {.nsfd = nsfd, .family = family, .type = type, .want = want};
	if (run_child(&b, setns_failed) < 0)
		return -1;
	if (b.made == 0) {
		errno = b.socket_errno ? b.socket_errno : EIO;
		return -1;
	}
	memcpy(out, b.fds, (size_t)b.made * sizeof(int));
	return b.made;
}

struct inner *inner_new(int nsfd, int family, int type, struct burrow_err **err)
{
	cleanup_close int fd = fcntl(nsfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		burrow_error(err, errno, "cannot keep the container's network namespace open");
		return NULL;
	}
	struct inner *in = xcalloc(1, sizeof(*in));
	in->nsfd = steal_fd(fd);
	in->nl = -1;
	int k = kind_of(family, type);
	bool setns_failed;
	int made = make_batch(in->nsfd, family, type, BATCH, in->pool[k], &setns_failed);
	if (made < 0) {
		int e = errno;
		inner_free(in);
		if (setns_failed)
			net_err_setns(err, e);
		else
			burrow_error(err, e, "cannot make a socket in the container's network namespace");
		return NULL;
	}
	in->n[k] = made;
	return in;
}

int inner_socket(struct inner *in, int family, int type)
{
	int k = kind_of(family, type);
	if (in->n[k] == 0) {
		bool setns_failed;
		int made = make_batch(in->nsfd, family, type, BATCH, in->pool[k], &setns_failed);
		if (made < 0)
			return -1;
		in->n[k] = made;
	}
	/* from the top: the pool is a stack */
	return in->pool[k][--in->n[k]];
}

void inner_free(struct inner *in)
{
	if (!in)
		return;
	for (int k = 0; k < KINDS; k++)
		for (int i = 0; i < in->n[k]; i++)
			close(in->pool[k][i]);
	if (in->nsfd >= 0)
		close(in->nsfd);
	if (in->nl >= 0)
		close(in->nl);
	free(in);
}

int inner_route_socket(struct inner *in, struct burrow_err **err)
{
	if (in->nl >= 0)
		return in->nl;
	struct batch b = {.nsfd = in->nsfd, .routing = true};
	bool setns_failed;
	if (run_child(&b, &setns_failed) < 0)
		return net_err_setns(err, errno);
	if (b.socket_errno)
		return burrow_error(err, b.socket_errno,
		                    "cannot open a netlink socket in the container's network namespace");
	cleanup_close int nl = b.fds[0];
	if (nl_ready(nl, err) < 0)
		return -1;
	in->sysctl_errno = b.sysctl_errno;
	in->sysctl6_errno = b.sysctl6_errno;
	in->nl = steal_fd(nl);
	return in->nl;
}

int inner_keep_addresses(struct inner *in, uint32_t mark, uint32_t table, bool *v6, struct burrow_err **err)
{
	*v6 = false;
	int nl = inner_route_socket(in, err);
	if (nl < 0)
		return -1;
	if (in->sysctl_errno)
		return burrow_error(
		    err, in->sysctl_errno,
		    "cannot set net.ipv4.tcp_fwmark_accept and fwmark_reflect in the container's network "
		    "namespace");
	if (nl_rule_add_fwmark(nl, AF_INET, mark, table, err) < 0 ||
	    nl_route_add_local_all(nl, AF_INET, table, LOOPBACK_IFINDEX, err) < 0)
		return -1;
	/* IPv6 clients keep theirs too where the namespace has IPv6 */
	struct burrow_err *e6 = NULL;
	if (in->sysctl6_errno)
		burrow_error(&e6, in->sysctl6_errno, "cannot set net.ipv6.fwmark_reflect");
	else if (nl_rule_add_fwmark(nl, AF_INET6, mark, table, &e6) == 0)
		nl_route_add_local_all(nl, AF_INET6, table, LOOPBACK_IFINDEX, &e6);
	if (e6) {
		burrow_debug("published ports: IPv6 clients will show as ::1: %s", e6->msg);
		burrow_err_free(e6);
	} else {
		*v6 = true;
	}
	return 0;
}

int inner_keeps_address(struct inner *in, int family, const void *a, uint32_t mark)
{
	if (in->nl < 0)
		return -1;
	int r = nl_route_is_local(in->nl, family, a, mark, 0, 0);
	return r < 0 ? -1 : r;
}
