/* The splice port handler: connections accepted on the host are joined to
 * sockets made inside the container's network namespace (inner.c) and the
 * bytes move with splice(2) through a pipe each way, in the monitor's
 * event loop. UDP datagrams go through one inner socket per client (a
 * flow), ended when idle.
 *
 * Each way (a "half") reads into its pipe only when the pipe is empty, so
 * what one connection holds is bounded by a pipe; a peer that stops
 * reading stops its half, never the loop or another connection. A pipe is
 * lent to a half while it holds bytes and goes back to a small pool when
 * empty, so an idle connection holds two sockets and nothing else. */
#include "netns/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

/* Bytes one half moves per wakeup before the loop serves others. */
#define PUMP_BUDGET (4u << 20)
/* What one splice() call asks for; a pipe takes what fits (64 KiB: larger
 * pipes, 256 KiB and 1 MiB, cost the same CPU per byte here and count
 * against the user's pipe-user-pages-soft). */
#define SPLICE_LEN (1u << 20)
/* A read into the pipe shorter than this emptied the socket. */
#define SHORT_READ (32u << 10)
/* Connections accepted, datagrams read, per wakeup. */
#define ACCEPT_BURST 64
#define DGRAM_BURST 64
/* accept() paused this long when out of fds or memory. */
#define ACCEPT_PAUSE_MS 100
/* A connect that keeps the client's address and has no answer by then
 * may have lost its replies (the container changed its routing): the
 * routing is asked then. Lost: the connection is made again from the
 * container's loopback, and addresses are no longer kept; not lost (a
 * slow server): the connect goes on. When the routing cannot be asked,
 * after this many such in a row addresses are no longer kept. */
#define KEEP_TIMEOUT_MS 250
#define KEEP_FAILURES_MAX 3
/* The mark and routing table of kept addresses (inner_keep_addresses):
 * "burr" and a table number nothing else uses. */
#define KEEP_MARK 0x62757272u
#define KEEP_TABLE 25205u
/* How often idle UDP flows are looked for. */
#define EXPIRY_TICK_MS 1000
#define DGRAM_MAX 65536
#define FLOW_BUCKETS 256

struct half {
	int pipe[2]; /* -1 while it holds nothing */
	size_t queued;
	bool eof;  /* its source said EOF */
	bool shut; /* EOF passed on: its destination is shut for writing */
};

/* One way to reach the container's port: its loopback of a family, with
 * or without the client's address kept. */
struct attempt {
	int family;
	bool keep;
};

struct fwd_conn {
	struct netns_fwd *f;
	struct fwd_listener *l;
	struct fwd_conn *prev, *next;
	int fd[2]; /* [0] the client's (host), [1] the container's (inner) */
	struct loop_watch *w[2];
	struct half h[2]; /* [0] client -> container, [1] container -> client */
	bool connecting;
	struct sockaddr_storage client;
	struct attempt att[2];
	int target;               /* the attempt under way */
	struct loop_timer *timer; /* a kept address's connect, bounded */
};

struct fwd_flow {
	struct fwd_listener *l;
	struct fwd_flow *hnext;
	struct fwd_flow *newer, *older;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int fd;    /* inner, connected to the container's port */
	bool kept; /* fd has the client's address (udpkeep.c) */
	struct loop_watch *w;
	int64_t last;
};

/* ---- the fds kept ---- */

/* Whether fd, just made, takes a number left to the rest of the monitor:
 * then it is closed, EMFILE. */
static bool fd_over(const struct netns_fwd *f, int fd)
{
	if (fd < f->fd_ceiling)
		return false;
	close(fd);
	errno = EMFILE;
	return true;
}

/* ---- pipes ---- */

static int pipe_get(struct netns_fwd *f, int p[2])
{
	if (f->nspare > 0) {
		f->nspare--;
		p[0] = f->spare[f->nspare][0];
		p[1] = f->spare[f->nspare][1];
		return 0;
	}
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	if (p[0] >= f->fd_ceiling || p[1] >= f->fd_ceiling) {
		close(p[0]);
		close(p[1]);
		p[0] = p[1] = -1;
		errno = EMFILE;
		return -1;
	}
	return 0;
}

/* An empty pipe back to the pool (or closed when the pool is full). */
static void pipe_put(struct netns_fwd *f, int p[2])
{
	if (f->nspare < FWD_SPARE_PIPES) {
		f->spare[f->nspare][0] = p[0];
		f->spare[f->nspare][1] = p[1];
		f->nspare++;
	} else {
		close(p[0]);
		close(p[1]);
	}
	p[0] = p[1] = -1;
}

/* ---- TCP connections ---- */

static void on_conn(struct loop *lp, struct loop_watch *w, int fd, short revents, void *data);

static void conn_free(struct fwd_conn *c, bool reset)
{
	struct netns_fwd *f = c->f;
	loop_timer_remove(f->loop, c->timer);
	for (int i = 0; i < 2; i++) {
		loop_watch_remove(f->loop, c->w[i]);
		if (c->fd[i] >= 0) {
			if (reset) {
				/* the other peer learns that bytes were lost */
				struct linger lg = {.l_onoff = 1, .l_linger = 0};
				setsockopt(c->fd[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			}
			close(c->fd[i]);
		}
		struct half *h = &c->h[i];
		if (h->pipe[0] >= 0) {
			if (h->queued == 0) {
				pipe_put(f, h->pipe);
			} else {
				close(h->pipe[0]);
				close(h->pipe[1]);
			}
		}
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		f->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	f->nconns--;
	free(c);
}

/* What each socket is polled for, from the state of both halves. */
static void conn_update(struct fwd_conn *c)
{
	short ev[2] = {0, 0};
	if (c->connecting) {
		ev[1] = POLLOUT;
	} else {
		for (int i = 0; i < 2; i++) {
			if (!c->h[i].eof && c->h[i].queued == 0)
				ev[i] |= POLLIN;
			if (c->h[i].queued > 0)
				ev[1 - i] |= POLLOUT;
		}
	}
	for (int i = 0; i < 2; i++)
		if (c->w[i])
			loop_watch_set_events(c->w[i], ev[i]);
}

/* Moves what half i can: its pipe into its destination, then more from
 * its source while both keep up (within PUMP_BUDGET). Sets *progress when
 * anything happened; -1 (errno) when a peer failed. */
static int pump(struct fwd_conn *c, int i, bool *progress)
{
	struct half *h = &c->h[i];
	int src = c->fd[i], dst = c->fd[1 - i];
	size_t moved = 0;
	bool more = true; /* the source may have more right now */
	while (moved < PUMP_BUDGET) {
		if (h->queued == 0) {
			if (h->eof || !more)
				break;
			if (h->pipe[0] < 0 && pipe_get(c->f, h->pipe) < 0)
				return -1;
			ssize_t n = splice(src, NULL, h->pipe[1], NULL, SPLICE_LEN, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n == 0) {
				h->eof = true;
				*progress = true;
				break;
			}
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					break;
				return -1;
			}
			h->queued = (size_t)n;
			/* a short read emptied the socket: asking again would
			 * only say EAGAIN (a round trip pays it every message);
			 * poll says when more comes */
			more = (size_t)n >= SHORT_READ;
			*progress = true;
		}
		ssize_t n = splice(h->pipe[0], NULL, dst, NULL, h->queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		if (n == 0)
			break;
		h->queued -= (size_t)n;
		moved += (size_t)n;
		*progress = true;
	}
	if (h->queued == 0 && h->pipe[0] >= 0)
		pipe_put(c->f, h->pipe);
	if (h->eof && h->queued == 0 && !h->shut) {
		/* a half-close passed on; the other way keeps going */
		shutdown(dst, SHUT_WR);
		h->shut = true;
		*progress = true;
	}
	return 0;
}

/* The container's loopback of family, at port. */
static socklen_t inner_target(int family, unsigned port, struct sockaddr_storage *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)a;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)a;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	s6->sin6_addr = in6addr_loopback;
	return sizeof(*s6);
}

static void set_nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Whether the client came over IPv6 proper (not as ::ffff:a.b.c.d). */
static bool client_is_v6(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)a)->sin6_addr);
}

/* Makes fd (of family, made inside) take the client's address and port as
 * its own; inner_keep_addresses readied the namespace for it. A port in
 * use there is left to the kernel; the address stays. */
static int keep_client(int fd, int family, const struct sockaddr_storage *client)
{
	int one = 1;
	uint32_t mark = KEEP_MARK;
	struct sockaddr_storage src;
	socklen_t len;
	memset(&src, 0, sizeof(src));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&src;
		if (client->ss_family == AF_INET) {
			*s4 = *(const struct sockaddr_in *)client;
		} else {
			const struct sockaddr_in6 *c6 = (const struct sockaddr_in6 *)client;
			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, c6->sin6_addr.s6_addr + 12, 4);
			s4->sin_port = c6->sin6_port;
		}
		len = sizeof(*s4);
		if (setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) < 0)
			return -1;
	} else {
		memcpy(&src, client, sizeof(struct sockaddr_in6));
		len = sizeof(struct sockaddr_in6);
		if (setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one)) < 0)
			return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&src, len) == 0)
		return 0;
	if (errno != EADDRINUSE)
		return -1;
	if (family == AF_INET)
		((struct sockaddr_in *)&src)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&src)->sin6_port = 0;
	return bind(fd, (struct sockaddr *)&src, len);
}

static void on_keep_timeout(struct loop *lp, struct loop_timer *t, void *data);

/* Connects an inner socket to the container's port, attempt after
 * attempt: the client's family first (keeping its address when the
 * namespace is ready for it), then the other (a server may listen on one
 * family only). 0 when connected or on its way (c->connecting); -1 with
 * errno. */
static int conn_dial(struct fwd_conn *c)
{
	struct netns_fwd *f = c->f;
	int last = ECONNREFUSED;
	while (c->target < 2) {
		struct attempt *a = &c->att[c->target];
		if (a->keep && !f->keep_addr)
			a->keep = false; /* given up meanwhile */
		int fd = inner_socket(f->inner, a->family, SOCK_STREAM);
		if (fd >= 0 && fd_over(f, fd))
			return -1;
		if (fd < 0) {
			if (errno != EAFNOSUPPORT)
				return -1;
			c->target++;
			continue;
		}
		if (a->keep && keep_client(fd, a->family, &c->client) < 0) {
			burrow_debug("published port %u: cannot keep the client's address: %s", c->l->host_port,
			             strerror(errno));
			close(fd);
			a->keep = false; /* the same attempt, plain */
			continue;
		}
		set_nodelay(fd);
		struct sockaddr_storage to;
		socklen_t tolen = inner_target(a->family, c->l->ctr_port, &to);
		int r = connect(fd, (struct sockaddr *)&to, tolen);
		if (r == 0 || errno == EINPROGRESS) {
			c->fd[1] = fd;
			c->connecting = r != 0;
			c->w[1] = loop_watch_add(f->loop, fd, 0, on_conn, c);
			if (c->connecting && a->keep) {
				if (!c->timer)
					c->timer = loop_timer_add(f->loop, on_keep_timeout, c);
				loop_timer_arm(c->timer, now_ms() + KEEP_TIMEOUT_MS, 0);
			}
			return 0;
		}
		last = errno;
		close(fd);
		if (last != ECONNREFUSED && last != EADDRNOTAVAIL && last != ENETUNREACH)
			break;
		c->target++;
	}
	errno = last;
	return -1;
}

/* Drops the inner socket of the attempt under way. */
static void conn_drop_inner(struct fwd_conn *c)
{
	if (c->timer)
		loop_timer_disarm(c->timer);
	loop_watch_remove(c->f->loop, c->w[1]);
	c->w[1] = NULL;
	close(c->fd[1]);
	c->fd[1] = -1;
}

static void conn_redial(struct fwd_conn *c)
{
	if (conn_dial(c) < 0) {
		burrow_debug("published port %u: cannot connect to the container's port %u: %s", c->l->host_port,
		             c->l->ctr_port, strerror(errno));
		conn_free(c, true);
		return;
	}
	conn_update(c);
}

/* The inner connect finished: on, or the next attempt, or give up. */
static void conn_connected(struct fwd_conn *c)
{
	int e = 0;
	socklen_t len = sizeof(e);
	if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	if (e == 0) {
		c->connecting = false;
		if (c->att[c->target].keep)
			c->f->keep_failures = 0;
		if (c->timer)
			loop_timer_disarm(c->timer);
		conn_update(c);
		return;
	}
	conn_drop_inner(c);
	c->target++;
	conn_redial(c);
}

/* The client's address as the inner socket of family binds it. */
static const void *client_addr(const struct sockaddr_storage *client, int family)
{
	const struct sockaddr_in6 *c6 = (const struct sockaddr_in6 *)client;
	if (client->ss_family == AF_INET)
		return &((const struct sockaddr_in *)client)->sin_addr;
	return family == AF_INET ? (const void *)(c6->sin6_addr.s6_addr + 12) : (const void *)&c6->sin6_addr;
}

/* A connect that keeps the client's address got no answer yet: a slow
 * server, or replies that go elsewhere (then the same attempt again,
 * plain). */
static void on_keep_timeout(struct loop *lp, struct loop_timer *t, void *data)
{
	(void)lp;
	(void)t;
	struct fwd_conn *c = data;
	struct netns_fwd *f = c->f;
	if (!c->connecting)
		return;
	int family = c->att[c->target].family;
	int routed = inner_keeps_address(f->inner, family, client_addr(&c->client, family), KEEP_MARK);
	if (routed == 1)
		return; /* a slow server: the kernel's connect goes on */
	if ((routed == 0 || ++f->keep_failures >= KEEP_FAILURES_MAX) && f->keep_addr) {
		f->keep_addr = false;
		burrow_warn("published ports: connections that keep the client's address lose their replies in the "
		            "container (did it change its routing rules?); from now on they come from its loopback");
	}
	conn_drop_inner(c);
	c->att[c->target].keep = false;
	conn_redial(c);
}

static void on_conn(struct loop *lp, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)lp;
	(void)fd;
	struct fwd_conn *c = data;
	int k = w == c->w[0] ? 0 : 1;
	if (k == 1 && c->connecting) {
		conn_connected(c);
		return;
	}
	bool progress = false;
	int r = 0;
	/* readable: its own half; writable: the other half, which writes here */
	if (revents & (POLLIN | POLLHUP | POLLERR))
		r = pump(c, k, &progress);
	if (r == 0 && (revents & (POLLOUT | POLLHUP | POLLERR)))
		r = pump(c, 1 - k, &progress);
	/* a hang-up or an error that moved nothing is the end: polling on
	 * would report it again at once */
	if (r < 0 || (!progress && (revents & (POLLHUP | POLLERR | POLLNVAL)))) {
		conn_free(c, true);
		return;
	}
	if (c->h[0].shut && c->h[1].shut) {
		conn_free(c, false);
		return;
	}
	conn_update(c);
}

static void listener_pause(struct fwd_listener *l, const char *why)
{
	burrow_debug("published port %u: accepting paused for %d ms: %s", l->host_port, ACCEPT_PAUSE_MS, why);
	loop_watch_pause(l->w, ACCEPT_PAUSE_MS);
}

static void conn_new(struct fwd_listener *l, int cfd, const struct sockaddr_storage *client)
{
	struct netns_fwd *f = l->f;
	struct fwd_conn *c = xcalloc(1, sizeof(*c));
	c->f = f;
	c->l = l;
	c->fd[0] = cfd;
	c->fd[1] = -1;
	for (int i = 0; i < 2; i++)
		c->h[i].pipe[0] = c->h[i].pipe[1] = -1;
	c->next = f->conns;
	if (f->conns)
		f->conns->prev = c;
	f->conns = c;
	f->nconns++;
	c->client = *client;
	bool v6 = client_is_v6(client);
	c->att[0] = (struct attempt){.family = v6 ? AF_INET6 : AF_INET, .keep = f->keep_addr && (!v6 || f->keep_addr6)};
	c->att[1] = (struct attempt){.family = v6 ? AF_INET : AF_INET6, .keep = false};
	set_nodelay(cfd);
	c->w[0] = loop_watch_add(f->loop, cfd, 0, on_conn, c);
	if (conn_dial(c) < 0) {
		int e = errno;
		burrow_debug("published port %u: cannot connect to the container's port %u: %s", l->host_port,
		             l->ctr_port, strerror(e));
		conn_free(c, true);
		if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
			listener_pause(l, strerror(e));
		return;
	}
	conn_update(c);
}

static void on_accept(struct loop *lp, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)lp;
	(void)w;
	(void)revents;
	struct fwd_listener *l = data;
	for (int i = 0; i < ACCEPT_BURST; i++) {
		struct sockaddr_storage client;
		socklen_t clen = sizeof(client);
		int cfd = accept4(fd, (struct sockaddr *)&client, &clen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == EPERM)
				continue;
			/* out of fds or memory, or something unknown: a pause, not
			 * a loop that spins on a listener it cannot serve */
			listener_pause(l, strerror(errno));
			return;
		}
		if (fd_over(l->f, cfd)) {
			listener_pause(l, strerror(errno));
			return;
		}
		conn_new(l, cfd, &client);
		if (loop_watch_paused(l->w))
			return; /* paused meanwhile */
	}
}

/* ---- UDP flows ---- */

static size_t addr_hash(const struct sockaddr_storage *a)
{
	const unsigned char *p;
	size_t n;
	uint16_t port;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)a;
		p = s6->sin6_addr.s6_addr;
		n = 16;
		port = s6->sin6_port;
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)a;
		p = (const unsigned char *)&s4->sin_addr;
		n = 4;
		port = s4->sin_port;
	}
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	return h % FLOW_BUCKETS;
}

static bool addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
		return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
	return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

static void flow_unlink_lru(struct fwd_flow *fl)
{
	struct fwd_listener *l = fl->l;
	if (fl->newer)
		fl->newer->older = fl->older;
	else
		l->mru = fl->older;
	if (fl->older)
		fl->older->newer = fl->newer;
	else
		l->lru = fl->newer;
	fl->newer = fl->older = NULL;
}

static void flow_touch(struct fwd_flow *fl)
{
	struct fwd_listener *l = fl->l;
	fl->last = now_ms();
	if (l->mru == fl)
		return;
	/* a new flow is in no list yet: unlinking it would drop the others */
	if (fl->newer || fl->older)
		flow_unlink_lru(fl);
	fl->older = l->mru;
	if (l->mru)
		l->mru->newer = fl;
	l->mru = fl;
	if (!l->lru)
		l->lru = fl;
}

static void flow_free(struct fwd_flow *fl)
{
	struct fwd_listener *l = fl->l;
	struct netns_fwd *f = l->f;
	struct fwd_flow **pp = &l->hash[addr_hash(&fl->peer)];
	while (*pp && *pp != fl)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = fl->hnext;
	flow_unlink_lru(fl);
	loop_watch_remove(f->loop, fl->w);
	close(fl->fd);
	if (fl->kept)
		udpkeep_release(f->udpkeep, &fl->peer);
	l->nflows--;
	f->nflows--;
	free(fl);
}

/* Replies from the container go back to the flow's client, from the
 * published port. */
static void on_flow(struct loop *lp, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)lp;
	(void)w;
	(void)revents;
	struct fwd_flow *fl = data;
	struct fwd_listener *l = fl->l;
	for (int i = 0; i < DGRAM_BURST; i++) {
		ssize_t n = recv(fd, l->f->buf, DGRAM_MAX, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue; /* refused: an earlier datagram found no server */
			break;
		}
		flow_touch(fl);
		if (l->fd >= 0)
			sendto(l->fd, l->f->buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&fl->peer, fl->peerlen);
	}
}

static struct fwd_flow *flow_get(struct fwd_listener *l, const struct sockaddr_storage *peer, socklen_t peerlen)
{
	struct netns_fwd *f = l->f;
	if (!l->hash)
		l->hash = xcalloc(FLOW_BUCKETS, sizeof(*l->hash));
	size_t b = addr_hash(peer);
	for (struct fwd_flow *fl = l->hash[b]; fl; fl = fl->hnext)
		if (addr_equal(&fl->peer, peer))
			return fl;
	if (l->nflows >= NETNS_UDP_FLOWS_MAX && l->lru)
		flow_free(l->lru);
	bool kept;
	int fd = udpkeep_socket(f->udpkeep, f->inner, l->ctr_port, peer, &kept);
	if (fd >= 0 && fd_over(f, fd)) {
		if (kept)
			udpkeep_release(f->udpkeep, peer);
		return NULL;
	}
	if (fd < 0)
		return NULL;
	struct fwd_flow *fl = xcalloc(1, sizeof(*fl));
	fl->kept = kept;
	fl->l = l;
	fl->peer = *peer;
	fl->peerlen = peerlen;
	fl->fd = fd;
	fl->w = loop_watch_add(f->loop, fd, POLLIN, on_flow, fl);
	fl->hnext = l->hash[b];
	l->hash[b] = fl;
	l->nflows++;
	f->nflows++;
	if (!loop_timer_armed(f->expiry))
		loop_timer_arm(f->expiry, now_ms() + EXPIRY_TICK_MS, EXPIRY_TICK_MS);
	return fl;
}

static void on_dgram(struct loop *lp, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)lp;
	(void)w;
	(void)revents;
	struct fwd_listener *l = data;
	for (int i = 0; i < DGRAM_BURST; i++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		ssize_t n = recvfrom(fd, l->f->buf, DGRAM_MAX, MSG_DONTWAIT, (struct sockaddr *)&peer, &plen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		struct fwd_flow *fl = flow_get(l, &peer, plen);
		if (!fl) {
			burrow_debug("published port %u/udp: no socket for a new client: %s", l->host_port,
			             strerror(errno));
			continue;
		}
		flow_touch(fl);
		/* a full socket or no server: dropped, as the network would */
		send(fl->fd, l->f->buf, (size_t)n, MSG_DONTWAIT);
	}
}

static void on_expiry(struct loop *lp, struct loop_timer *t, void *data)
{
	(void)lp;
	struct netns_fwd *f = data;
	int64_t cut = now_ms() - (int64_t)f->udp_idle_ms;
	for (size_t i = 0; i < f->nls; i++) {
		struct fwd_listener *l = &f->ls[i];
		while (l->lru && l->lru->last <= cut)
			flow_free(l->lru);
	}
	if (f->nflows == 0)
		loop_timer_disarm(t);
}

/* ---- start and stop ---- */

int splice_start(struct netns_fwd *f, int nsfd, struct burrow_err **err)
{
	bool tcp = false, udp = false;
	for (size_t i = 0; i < f->nls; i++) {
		tcp |= f->ls[i].proto == NETNS_TCP;
		udp |= f->ls[i].proto == NETNS_UDP;
	}
	/* the first batch of sockets: joining the namespace fails here, if it does */
	f->inner = inner_new(nsfd, AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, err);
	if (!f->inner)
		return -1;
	struct burrow_err *e = NULL;
	f->keep_failures = 0;
	f->keep_addr =
	    tcp && f->want_keep_addr && inner_keep_addresses(f->inner, KEEP_MARK, KEEP_TABLE, &f->keep_addr6, &e) == 0;
	if (e) {
		burrow_debug("published ports: connections will come from the container's loopback: %s", e->msg);
		burrow_err_free(e);
	}
	f->udpkeep = udp && f->want_keep_addr ? udpkeep_new(f->inner, &f->ports) : NULL;
	f->buf = xmalloc(DGRAM_MAX);
	f->fd_ceiling = fd_ceiling();
	f->expiry = loop_timer_add(f->loop, on_expiry, f);
	for (size_t i = 0; i < f->nls; i++) {
		struct fwd_listener *l = &f->ls[i];
		l->w = loop_watch_add(f->loop, l->fd, POLLIN, l->proto == NETNS_TCP ? on_accept : on_dgram, l);
	}
	return 0;
}

void splice_stop(struct netns_fwd *f)
{
	while (f->conns)
		conn_free(f->conns, true);
	for (size_t i = 0; i < f->nls; i++) {
		struct fwd_listener *l = &f->ls[i];
		while (l->lru)
			flow_free(l->lru);
		free(l->hash);
		l->hash = NULL;
		loop_watch_remove(f->loop, l->w);
		l->w = NULL;
	}
	loop_timer_remove(f->loop, f->expiry);
	f->expiry = NULL;
	while (f->nspare > 0) {
		f->nspare--;
		close(f->spare[f->nspare][0]);
		close(f->spare[f->nspare][1]);
	}
	free(f->buf);
	f->buf = NULL;
	udpkeep_free(f->udpkeep);
	f->udpkeep = NULL;
	inner_free(f->inner);
	f->inner = NULL;
}
