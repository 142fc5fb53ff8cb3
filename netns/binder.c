/* Root's host ports below net.ipv4.ip_unprivileged_port_start: the binder.
 *
 * Published ports are bound by the monitor, in burrow's user namespace.
 * The kernel lets a socket bind such a port only with CAP_NET_BIND_SERVICE
 * over the user namespace that owns its network namespace: the host's is
 * owned by the initial one, not by burrow's, so there even root cannot.
 * A socket bound elsewhere serves from inside as any other, though.
 *
 * So when root runs a verb that may start containers (cmd/: run, start,
 * restart and their `container` forms), the command forks the binder
 * before it joins the namespace (netns_binder_start): a child that stays
 * outside with root's privileges, holds no fd but its end of a
 * socketpair, dies with the command (PR_SET_PDEATHSIG) and does one thing:
 * binds a TCP or UDP socket whose port is below the unprivileged start,
 * as listen.c binds its own (fwd_bind_socket), and hands it back
 * (SCM_RIGHTS). The monitor inherits the command's end (its daemonize
 * keeps it) and asks only when a bind of its own fails with EACCES; it
 * closes it once its ports are bound, before the container exists, so no
 * process of the container ever holds it. The sockets are the monitor's
 * alone from then on, like those it bound itself: kept across the restart
 * policy's restarts, closed when the container stops (the port is free at
 * once). `start` and `restart` are commands of their own, with binders of
 * their own; a foreground run closes its binder once the container runs
 * (netns_binder_close), so that no root process waits beside it.
 *
 * The exchange: the shared socketpair may have more than one user (the
 * command and a monitor, two monitors when a start timed out), so a
 * request is only a record carrying the requester's end of a fresh
 * socketpair; the request proper (struct binder_req) and the answer (a
 * record carrying the socket, or an errno) go over that private pair, and
 * no answer reaches another requester.
 *
 * An unprivileged user gets no binder (it could bind nothing more), and
 * keeps the EACCES error of errors.c. Neither does the slirp port handler
 * use one: libslirp binds its hostfwd sockets itself, in the monitor. */
#include "netns/internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lib/proc.h"
#include "lib/sock.h"

#define BINDER_REQ 'B'
#define BINDER_ANSWER 'F'
/* The binder answers at once: this only bounds a wait that cannot happen
 * (a requester that dies between its two messages). */
#define BINDER_WAIT_MS 5000

struct binder_req {
	int32_t family; /* AF_INET, AF_INET6 */
	int32_t proto;  /* enum netns_proto */
	int32_t v6only;
	uint32_t addrlen;
	struct sockaddr_storage addr;
};

/* This process's end of the binder's socketpair (-1: none), and the
 * binder's pid in the process that forked it (only that one reaps it). */
static int binder_fd = -1;
static pid_t binder_pid = -1, binder_parent = -1;

static unsigned req_port(const struct binder_req *q)
{
	if (q->family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&q->addr)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&q->addr)->sin_port);
}

/* What the binder is for and nothing more: an address of a family we
 * publish, a port that only privilege may bind. */
static bool req_ok(const struct binder_req *q)
{
	if (!((q->family == AF_INET && q->addrlen == sizeof(struct sockaddr_in)) ||
	      (q->family == AF_INET6 && q->addrlen == sizeof(struct sockaddr_in6))) ||
	    q->addr.ss_family != q->family || (q->proto != NETNS_TCP && q->proto != NETNS_UDP))
		return false;
	unsigned port = req_port(q);
	long long start = net_unprivileged_port_start();
	return port > 0 && start > 0 && port < (unsigned long long)start;
}

/* One request on its private pair. */
static void binder_serve(int priv)
{
	struct binder_req q;
	if (wait_fd(priv, POLLIN, now_ms() + BINDER_WAIT_MS) <= 0 ||
	    TEMP_FAILURE_RETRY(recv(priv, &q, sizeof(q), 0)) != (ssize_t)sizeof(q))
		return;
	int fd = -1, e = EACCES;
	if (req_ok(&q)) {
		fd = fwd_bind_socket(&q.addr, q.addrlen, (enum netns_proto)q.proto, q.v6only != 0);
		e = fd < 0 ? errno : 0;
	}
	(void)sock_send(priv, BINDER_ANSWER, e, fd);
	if (fd >= 0)
		close(fd);
}

__attribute__((noreturn)) static void binder_main(int sock, pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(0);
	close_fds_except(sock);
	prctl(PR_SET_NAME, "burrow-binder", 0, 0, 0);
	for (;;) {
		struct sock_msg m;
		int priv = -1;
		int r = sock_recv(sock, &m, &priv);
		if (r == 0 || (r < 0 && errno != EBADMSG))
			_exit(0); /* every requester is gone */
		if (r > 0 && m.tag == BINDER_REQ && priv >= 0)
			binder_serve(priv);
		if (priv >= 0)
			close(priv);
	}
}

int netns_binder_start(struct burrow_err **err)
{
	/* 0: every port is free to bind, there is nothing to do */
	if (binder_fd >= 0 || geteuid() != 0 || net_unprivileged_port_start() <= 0)
		return 0;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return burrow_error(err, errno, "cannot create a socket for the binder of low host ports");
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		binder_main(sv[1], parent);
	int e = errno;
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return burrow_error(err, e, "cannot fork the binder of low host ports");
	}
	binder_fd = sv[0];
	binder_pid = pid;
	binder_parent = parent;
	return 0;
}

int netns_binder_fd(void)
{
	return binder_fd;
}

void netns_binder_close(void)
{
	if (binder_fd < 0)
		return;
	close(binder_fd);
	binder_fd = -1;
	/* our own child, not reaped yet: its pid names it still. A monitor
	 * that held the same end is not its parent and leaves it be. */
	if (binder_parent == getpid())
		proc_kill_reap(binder_pid, NULL);
	binder_pid = -1;
}

/* What came back is what was asked for: a socket of the family and type
 * asked, bound to the port asked (the binder is ours, but an fd of any
 * kind may ride on a record). */
static bool answer_ok(int fd, const struct binder_req *q)
{
	int domain = 0, type = 0;
	socklen_t l1 = sizeof(domain), l2 = sizeof(type);
	struct sockaddr_storage got;
	socklen_t gl = sizeof(got);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l1) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l2) < 0 || getsockname(fd, (struct sockaddr *)&got, &gl) < 0)
		return false;
	struct binder_req seen = {.family = got.ss_family, .addr = got};
	return domain == q->family && got.ss_family == q->family &&
	       type == (q->proto == NETNS_UDP ? SOCK_DGRAM : SOCK_STREAM) && req_port(&seen) == req_port(q);
}

int net_binder_bind(const struct sockaddr_storage *a, socklen_t alen, enum netns_proto proto, bool v6only)
{
	if (binder_fd < 0) {
		errno = EACCES;
		return -1;
	}
	struct binder_req q = {.family = a->ss_family, .proto = proto, .v6only = v6only, .addrlen = alen};
	memcpy(&q.addr, a, alen < sizeof(q.addr) ? alen : sizeof(q.addr));
	int pv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pv) < 0)
		return -1;
	int fd = -1, e = EACCES;
	struct sock_msg m;
	if (sock_send(binder_fd, BINDER_REQ, 0, pv[1]) == 0 &&
	    TEMP_FAILURE_RETRY(send(pv[0], &q, sizeof(q), MSG_NOSIGNAL)) == (ssize_t)sizeof(q)) {
		close(pv[1]);
		pv[1] = -1;
		if (wait_fd(pv[0], POLLIN, now_ms() + BINDER_WAIT_MS) > 0 && sock_recv(pv[0], &m, &fd) > 0 &&
		    m.tag == BINDER_ANSWER)
			e = m.value;
	}
	if (fd >= 0 && (e != 0 || !answer_ok(fd, &q))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 && e == 0)
		e = EPROTO;
	if (fd < 0)
		burrow_debug("the binder of low host ports could not bind: %s", strerror(e));
	close(pv[0]);
	if (pv[1] >= 0)
		close(pv[1]);
	errno = e;
	return fd;
}
