/* The forwarding engine's life: ports bound (listen.c), forwarding
 * started with a handler (splice.c, or libslirp's hostfwd here), stopped,
 * freed. */
#include "netns/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libslirp.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

struct netns_fwd *netns_fwd_new(const struct netns_ports *ps, const struct netns_cfg *cfg, struct burrow_err **err)
{
	struct netns_fwd *f = xcalloc(1, sizeof(*f));
	f->handler = cfg->port_handler;
	f->guest6 = cfg->ipv6;
	snprintf(f->guest4, sizeof(f->guest4), "%s", cfg->addr);
	f->udp_idle_ms = NETNS_UDP_FLOW_IDLE_S * 1000u;
	f->want_keep_addr = true;
	f->ports.n = ps->n;
	f->ports.v = xmalloc((ps->n ? ps->n : 1) * sizeof(*ps->v));
	memcpy(f->ports.v, ps->v, ps->n * sizeof(*ps->v));
	if (f->handler == NETNS_PORTS_SLIRP && !f->guest6) {
		for (size_t i = 0; i < f->ports.n; i++) {
			if (!strchr(f->ports.v[i].host_ip, ':'))
				continue;
			cleanup_free char *p = netns_port_format(&f->ports.v[i]);
			burrow_error(err, 0, "cannot publish '%s' with port_handler=slirp: the container has no IPv6",
			             p);
			burrow_error_hint(err, "leave enable_ipv6 on, or use the default port handler");
			netns_fwd_free(f);
			return NULL;
		}
	}
	if (netns_ports_check(&f->ports, err) < 0 || fwd_bind_all(f, err) < 0) {
		netns_fwd_free(f);
		return NULL;
	}
	return f;
}

const struct netns_ports *netns_fwd_ports(const struct netns_fwd *f)
{
	return &f->ports;
}

size_t netns_fwd_active(const struct netns_fwd *f)
{
	return f->nconns + f->nflows;
}

void netns_fwd_set_udp_idle(struct netns_fwd *f, unsigned ms)
{
	f->udp_idle_ms = ms ? ms : 1;
}

void netns_fwd_set_keep_addresses(struct netns_fwd *f, bool on)
{
	f->want_keep_addr = on;
}

/* ---- the slirp handler ---- */

static socklen_t guest_addr(const struct netns_fwd *f, const struct fwd_listener *l, struct sockaddr_storage *a)
{
	memset(a, 0, sizeof(*a));
	if (l->addr.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)a;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(l->ctr_port);
		inet_pton(AF_INET6, NETNS_ADDR6, &s6->sin6_addr);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)a;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(l->ctr_port);
	inet_pton(AF_INET, f->guest4, &s4->sin_addr);
	return sizeof(*s4);
}

static int slirp_flags(const struct fwd_listener *l)
{
	return (l->proto == NETNS_UDP ? SLIRP_HOSTFWD_UDP : 0) | (l->v6only ? SLIRP_HOSTFWD_V6ONLY : 0);
}

/* The lowest fd number free now: the one the next socket() gets. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return fd;
}

/* libslirp listens with a backlog of 1: a burst of clients would see
 * their SYNs dropped and wait a second to retry. Its socket is the one
 * made right after `guess` was found free; when that fd is a listening
 * socket at exactly our address, its backlog is raised (listen() again
 * does that). */
static void raise_backlog(int guess, const struct fwd_listener *l)
{
	struct sockaddr_storage a;
	socklen_t alen = sizeof(a);
	int on = 0;
	socklen_t onlen = sizeof(on);
	if (guess < 0 || getsockname(guess, (struct sockaddr *)&a, &alen) < 0 || alen != l->addrlen ||
	    memcmp(&a, &l->addr, alen) != 0 || getsockopt(guess, SOL_SOCKET, SO_ACCEPTCONN, &on, &onlen) < 0 || !on)
		return;
	listen(guess, SOMAXCONN);
}

/* Takes l out of slirp; binds it here again when rebind (a restart will
 * hand it to slirp again). */
static void slirp_unforward(struct netns_fwd *f, struct fwd_listener *l, bool rebind)
{
	if (!l->in_slirp)
		return;
	netns_slirp_hostfwd_remove(f->slirp, (struct sockaddr *)&l->addr, l->addrlen, slirp_flags(l));
	l->in_slirp = false;
	if (rebind) {
		struct burrow_err *e = NULL;
		if (fwd_rebind(l, &e) < 0) {
			burrow_warn("%s (the port is bound again when the container starts)", e->msg);
			burrow_err_free(e);
		}
	}
}

static int slirp_start(struct netns_fwd *f, struct burrow_err **err)
{
	for (size_t i = 0; i < f->nls; i++) {
		struct fwd_listener *l = &f->ls[i];
		struct sockaddr_storage g;
		socklen_t glen = guest_addr(f, l, &g);
		/* ours goes so that slirp's can take the port */
		if (l->fd >= 0) {
			close(l->fd);
			l->fd = -1;
		}
		int guess = l->proto == NETNS_TCP ? lowest_free_fd() : -1;
		if (netns_slirp_hostfwd_add(f->slirp, (struct sockaddr *)&l->addr, l->addrlen, (struct sockaddr *)&g,
		                            glen, slirp_flags(l)) < 0) {
			int e = errno;
			char where[80];
			fwd_where(&l->addr, l->proto, !l->v6only, where, sizeof(where));
			net_err_bind(err, e, where, l->host_port);
			struct burrow_err *e2 = NULL;
			if (fwd_rebind(l, &e2) < 0)
				burrow_err_free(e2);
			while (i-- > 0)
				slirp_unforward(f, &f->ls[i], true);
			return -1;
		}
		l->in_slirp = true;
		if (l->proto == NETNS_TCP)
			raise_backlog(guess, l);
	}
	return 0;
}

/* ---- life ---- */

void net_ignore_sigpipe(void)
{
	struct sigaction old;
	if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
}

/* Every connection costs fds (two and a pipe here; libslirp keeps the
 * host side of each closed connection open through its TIME_WAIT, 10 s):
 * the soft limit goes up to the hard one, as conmon and slirp4netns do. */
static void raise_nofile(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

int netns_fwd_start(struct netns_fwd *f, struct loop *l, int nsfd, struct netns_slirp *slirp, struct burrow_err **err)
{
	if (f->started)
		return burrow_error(err, EBUSY, "the published ports are forwarded already");
	net_ignore_sigpipe();
	raise_nofile();
	f->loop = l;
	if (f->handler == NETNS_PORTS_SLIRP) {
		if (!slirp)
			return burrow_error(err, EINVAL, "port_handler=slirp needs the container's slirp network");
		f->slirp = slirp;
		if (slirp_start(f, err) < 0) {
			f->slirp = NULL;
			return -1;
		}
	} else {
		if (nsfd < 0)
			return burrow_error(err, EINVAL,
			                    "the splice port handler needs the container's network namespace");
		if (splice_start(f, nsfd, err) < 0) {
			splice_stop(f);
			return -1;
		}
	}
	f->started = true;
	return 0;
}

static void fwd_stop(struct netns_fwd *f, bool rebind)
{
	if (!f->started)
		return;
	if (f->handler == NETNS_PORTS_SLIRP) {
		for (size_t i = 0; i < f->nls; i++)
			slirp_unforward(f, &f->ls[i], rebind);
		f->slirp = NULL;
	} else {
		splice_stop(f);
	}
	f->loop = NULL;
	f->started = false;
}

void netns_fwd_stop(struct netns_fwd *f)
{
	fwd_stop(f, true);
}

void netns_fwd_free(struct netns_fwd *f)
{
	if (!f)
		return;
	fwd_stop(f, false);
	for (size_t i = 0; i < f->nls; i++)
		if (f->ls[i].fd >= 0)
			close(f->ls[i].fd);
	free(f->ls);
	netns_ports_clear(&f->ports);
	free(f);
}
