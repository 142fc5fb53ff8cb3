/* The host side of published ports: sockets bound in the host's network
 * namespace before the container exists, free ports chosen where none was
 * given. Nothing stays bound when any of them fails. */
#include "netns/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "lib/fileutil.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* Tries at a free run of ports for a range (a single free port is the
 * kernel's choice). */
#define RANGE_TRIES 64
/* Tries at one free port that must be free in both families (slirp). */
#define PAIR_TRIES 16

void fwd_where(const struct sockaddr_storage *a, enum netns_proto proto, bool any_is_all, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	bool v6 = a->ss_family == AF_INET6;
	if (v6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)a;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)a;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		port = ntohs(s4->sin_port);
	}
	const char *pn = proto == NETNS_UDP ? "udp" : "tcp";
	if (any_is_all && (strcmp(ip, "::") == 0 || strcmp(ip, "0.0.0.0") == 0))
		snprintf(out, n, "0.0.0.0:%u/%s", port, pn);
	else if (v6)
		snprintf(out, n, "[%s]:%u/%s", ip, port, pn);
	else
		snprintf(out, n, "%s:%u/%s", ip, port, pn);
}

/* The address of family for host_ip ("" is every address) and port. */
static socklen_t make_addr(int family, const char *host_ip, unsigned port, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = in6addr_any;
		if (*host_ip)
			inet_pton(AF_INET6, host_ip, &s6->sin6_addr);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)out;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	s4->sin_addr.s_addr = htonl(INADDR_ANY);
	if (*host_ip)
		inet_pton(AF_INET, host_ip, &s4->sin_addr);
	return sizeof(*s4);
}

int fwd_bind_socket(const struct sockaddr_storage *a, socklen_t alen, enum netns_proto proto, bool v6only)
{
	int type = proto == NETNS_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(a->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1, v6 = v6only ? 1 : 0;
	/* TCP: a port whose last connections linger in TIME_WAIT is free to
	 * bind at once (a stopped container's, for the next one). Never for
	 * UDP, where it would let two sockets share a port. */
	if ((proto == NETNS_TCP && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    (a->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6)) < 0) ||
	    bind(fd, (const struct sockaddr *)a, alen) < 0 || (proto == NETNS_TCP && listen(fd, SOMAXCONN) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A socket of f's bound (and listening, for TCP) at a; its fd, or -1 with
 * errno. A port only privilege may bind goes to root's binder, when there
 * is one (binder.c), except for the slirp handler: libslirp binds the
 * port again itself, in this process. */
static int bind_one(const struct netns_fwd *f, const struct sockaddr_storage *a, socklen_t alen, enum netns_proto proto,
                    bool v6only)
{
	int fd = fwd_bind_socket(a, alen, proto, v6only);
	if (fd < 0 && errno == EACCES && netns_binder_fd() >= 0 && f->handler != NETNS_PORTS_SLIRP)
		fd = net_binder_bind(a, alen, proto, v6only);
	return fd;
}

/* Whether this host has IPv6 sockets at all. */
static bool host_has_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The sockets one port of entry p needs, by family. */
struct plan {
	int family[2];
	bool v6only[2];
	int n;
};

static struct plan plan_for(const struct netns_fwd *f, const struct netns_port *p, bool ipv6)
{
	struct plan pl = {.n = 0};
	if (strchr(p->host_ip, ':')) {
		pl.family[0] = AF_INET6;
		pl.v6only[0] = true;
		pl.n = 1;
	} else if (p->host_ip[0]) {
		pl.family[0] = AF_INET;
		pl.n = 1;
	} else if (f->handler == NETNS_PORTS_SLIRP) {
		/* libslirp forwards IPv4 to the container's IPv4 address and
		 * IPv6 to its IPv6 one: a socket each */
		pl.family[0] = AF_INET;
		pl.n = 1;
		if (ipv6 && f->guest6) {
			pl.family[1] = AF_INET6;
			pl.v6only[1] = true;
			pl.n = 2;
		}
	} else {
		/* one socket takes both, IPv4 clients as ::ffff:a.b.c.d */
		pl.family[0] = ipv6 ? AF_INET6 : AF_INET;
		pl.v6only[0] = false;
		pl.n = 1;
	}
	return pl;
}

static void listener_init(struct fwd_listener *l, struct netns_fwd *f, const struct netns_port *p, unsigned i)
{
	memset(l, 0, sizeof(*l));
	l->f = f;
	l->proto = p->proto;
	l->ctr_port = (uint16_t)(p->ctr_port + i);
	l->fd = -1;
}

/* Binds the sockets of plan pl for ports [first, first+count) of entry p
 * at f->ls[f->nls...]. A first port of 0 takes the kernel's choice (count
 * 1). On failure closes what it bound (f->nls as before), errno set; *bad
 * is the address that failed. */
static int bind_run(struct netns_fwd *f, const struct netns_port *p, const struct plan *pl, unsigned first,
                    unsigned count, struct sockaddr_storage *bad)
{
	size_t start = f->nls;
	unsigned port = first;
	for (unsigned i = 0; i < count; i++) {
		for (int k = 0; k < pl->n; k++) {
			struct fwd_listener *l = &f->ls[f->nls];
			listener_init(l, f, p, i);
			l->addrlen = make_addr(pl->family[k], p->host_ip, port ? port + i : 0, &l->addr);
			l->v6only = pl->v6only[k];
			l->fd = bind_one(f, &l->addr, l->addrlen, p->proto, l->v6only);
			if (l->fd < 0) {
				int e = errno;
				*bad = l->addr;
				while (f->nls > start)
					close(f->ls[--f->nls].fd);
				errno = e;
				return -1;
			}
			if (!port) {
				/* the kernel chose: the same port for the other family */
				l->addrlen = sizeof(l->addr);
				getsockname(l->fd, (struct sockaddr *)&l->addr, &l->addrlen);
				port =
				    ntohs(l->addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&l->addr)->sin6_port
				                                        : ((struct sockaddr_in *)&l->addr)->sin_port);
			}
			l->host_port = (uint16_t)(port + i);
			f->nls++;
		}
	}
	return 0;
}

/* The host's range for free ports (net.ipv4.ip_local_port_range). */
static void local_port_range(unsigned *lo, unsigned *hi)
{
	*lo = 32768;
	*hi = 60999;
	char *text = NULL;
	size_t len = 0;
	struct burrow_err *e = NULL;
	if (read_file("/proc/sys/net/ipv4/ip_local_port_range", &text, &len, &e) == 0) {
		unsigned a, b;
		if (sscanf(text, "%u %u", &a, &b) == 2 && a >= 1 && a < b && b <= 65535) {
			*lo = a;
			*hi = b;
		}
	}
	burrow_err_free(e);
	free(text);
}

static unsigned random_below(unsigned n)
{
	unsigned r = 0;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (unsigned)rand();
	return n ? r % n : 0;
}

/* Entry p with no host port: free ports, a run of them for a range. */
static int bind_free(struct netns_fwd *f, struct netns_port *p, const struct plan *pl, struct burrow_err **err)
{
	struct sockaddr_storage bad;
	char where[80];
	int tries = p->range == 1 ? (pl->n == 1 ? 1 : PAIR_TRIES) : RANGE_TRIES;
	unsigned lo, hi;
	local_port_range(&lo, &hi);
	for (int t = 0; t < tries; t++) {
		unsigned first = 0;
		if (p->range > 1) {
			if (hi - lo + 1 < p->range)
				break;
			first = lo + random_below(hi - lo + 2 - p->range);
		}
		size_t before = f->nls;
		if (bind_run(f, p, pl, first, p->range, &bad) == 0) {
			p->host_port = f->ls[before].host_port;
			return 0;
		}
		if (errno != EADDRINUSE) {
			fwd_where(&bad, p->proto, p->host_ip[0] == '\0', where, sizeof(where));
			return net_err_bind(err, errno, where, 0);
		}
	}
	if (p->range > 1)
		return burrow_error_status(err, EADDRINUSE,
		                           "cannot find %u free %s ports in a row for container ports %u-%u (after %d "
		                           "tries in %u-%u)",
		                           p->range, p->proto == NETNS_UDP ? "udp" : "tcp", p->ctr_port,
		                           p->ctr_port + p->range - 1, tries, lo, hi);
	return burrow_error_status(err, EADDRINUSE, "cannot find a free %s port for container port %u",
	                           p->proto == NETNS_UDP ? "udp" : "tcp", p->ctr_port);
}

int fwd_bind_all(struct netns_fwd *f, struct burrow_err **err)
{
	size_t total = 0;
	for (size_t i = 0; i < f->ports.n; i++)
		total += (size_t)f->ports.v[i].range * 2;
	f->ls = xcalloc(total ? total : 1, sizeof(*f->ls));
	f->nls = 0;
	bool ipv6 = host_has_ipv6();
	for (size_t i = 0; i < f->ports.n; i++) {
		struct netns_port *p = &f->ports.v[i];
		struct plan pl = plan_for(f, p, ipv6);
		int r;
		if (strchr(p->host_ip, ':') && !ipv6) {
			char where[80];
			snprintf(where, sizeof(where), "[%s]:%u/%s", p->host_ip, p->host_port,
			         p->proto == NETNS_UDP ? "udp" : "tcp");
			r = net_err_bind(err, EAFNOSUPPORT, where, p->host_port);
		} else if (p->host_port) {
			struct sockaddr_storage bad;
			r = bind_run(f, p, &pl, p->host_port, p->range, &bad);
			if (r < 0) {
				char where[80];
				int e = errno;
				fwd_where(&bad, p->proto, p->host_ip[0] == '\0', where, sizeof(where));
				unsigned port =
				    ntohs(bad.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bad)->sin6_port
				                                    : ((struct sockaddr_in *)&bad)->sin_port);
				net_err_bind(err, e, where, port);
			}
		} else {
			r = bind_free(f, p, &pl, err);
		}
		if (r < 0) {
			while (f->nls > 0)
				close(f->ls[--f->nls].fd);
			return -1;
		}
	}
	return 0;
}

int fwd_rebind(struct fwd_listener *l, struct burrow_err **err)
{
	l->fd = bind_one(l->f, &l->addr, l->addrlen, l->proto, l->v6only);
	if (l->fd < 0) {
		char where[80];
		int e = errno;
		fwd_where(&l->addr, l->proto, !l->v6only, where, sizeof(where));
		return net_err_bind(err, e, where, l->host_port);
	}
	return 0;
}
