/* netbench: the small network measurements tools/bench.sh makes besides
 * iperf3's throughput.
 *
 *   netbench serve PORT [SECONDS]   an echo server on every address (IPv4
 *                                   and IPv6), many connections at once,
 *                                   and a UDP one on the same port; ends
 *                                   after SECONDS (default 120)
 *   netbench flows HOST PORT SECONDS  UDP: a new socket (a new source
 *                                   port) for each 1-byte datagram and its
 *                                   echo; prints "N flows/s"
 *   netbench conn HOST PORT SECONDS  connections one after another, each
 *                                   a 1-byte request and its echo; prints
 *                                   "N conn/s"
 *   netbench rr HOST PORT SECONDS    one connection, 1-byte round trips;
 *                                   prints "MEDIAN us P99 us"
 *
 * Exit status 0, or 1 with a message on stderr. Every wait is bounded by
 * SECONDS (+5 s for a stuck peer). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "netbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int serve(int port, int seconds)
{
	int ls = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1, zero = 0;
	if (ls < 0)
		die("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = in6addr_any};
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, SOMAXCONN) < 0)
		die("bind");
	int us = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (us < 0)
		die("socket");
	setsockopt(us, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(us, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind udp");
	static struct pollfd p[MAX_CONNS + 2];
	int n = 2;
	p[0] = (struct pollfd){.fd = ls, .events = POLLIN};
	p[1] = (struct pollfd){.fd = us, .events = POLLIN};
	double end = now_s() + seconds;
	char buf[65536];
	while (now_s() < end) {
		if (poll(p, (nfds_t)n, 1000) < 0 && errno != EINTR)
			die("poll");
		if (p[0].revents) {
			int c;
			while (n <= MAX_CONNS + 1 && (c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				p[n++] = (struct pollfd){.fd = c, .events = POLLIN};
			}
		}
		while (p[1].revents) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t r = recvfrom(us, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (r < 0)
				break;
			sendto(us, buf, (size_t)r, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
		}
		for (int i = 2; i < n; i++) {
			if (!p[i].revents)
				continue;
			ssize_t r = read(p[i].fd, buf, sizeof(buf));
			if (r > 0 && write(p[i].fd, buf, (size_t)r) == r)
				continue;
			if (r < 0 && errno == EAGAIN)
				continue;
			close(p[i].fd);
			p[i--] = p[--n];
		}
	}
	return 0;
}

/* A numeric address (inet_pton, not getaddrinfo: this helper is static,
 * and a static getaddrinfo needs the host's shared libraries). */
static socklen_t resolve(const char *host, int port, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	struct sockaddr_in *s4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return sizeof(*s6);
	}
	fprintf(stderr, "netbench: bad address '%s'\n", host);
	exit(1);
}

/* A 1-byte request and its echo on fd, within 5 s. */
static int round_trip(int fd)
{
	char b = 'x';
	if (write(fd, &b, 1) != 1)
		return -1;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 5000) != 1 || read(fd, &b, 1) != 1)
		return -1;
	return 0;
}

static int dial(const struct sockaddr_storage *a, socklen_t len)
{
	int fd = socket(a->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		die("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)a, len) < 0)
		die("connect");
	return fd;
}

static int conn_rate(const char *host, int port, int seconds)
{
	struct sockaddr_storage a;
	socklen_t len = resolve(host, port, &a);
	double start = now_s(), end = start + seconds;
	long n = 0;
	while (now_s() < end) {
		int fd = dial(&a, len);
		if (round_trip(fd) < 0)
			die("round trip");
		close(fd);
		n++;
	}
	printf("%.0f conn/s\n", (double)n / (now_s() - start));
	return 0;
}

static int flow_rate(const char *host, int port, int seconds)
{
	struct sockaddr_storage a;
	socklen_t len = resolve(host, port, &a);
	double start = now_s(), end = start + seconds;
	long n = 0;
	while (now_s() < end) {
		int fd = socket(a.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (const struct sockaddr *)&a, len) < 0)
			die("udp socket");
		if (round_trip(fd) < 0)
			die("udp round trip");
		close(fd);
		n++;
	}
	printf("%.0f flows/s\n", (double)n / (now_s() - start));
	return 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static int rr(const char *host, int port, int seconds)
{
	struct sockaddr_storage a;
	socklen_t len = resolve(host, port, &a);
	int fd = dial(&a, len);
	size_t cap = 1 << 20, n = 0;
	double *t = malloc(cap * sizeof(*t));
	double end = now_s() + seconds;
	while (n < cap) {
		double t0 = now_s();
		if (t0 >= end)
			break;
		if (round_trip(fd) < 0)
			die("round trip");
		t[n++] = (now_s() - t0) * 1e6;
	}
	close(fd);
	if (n == 0)
		return 1;
	qsort(t, n, sizeof(*t), cmp_double);
	printf("%.1f us %.1f us\n", t[n / 2], t[n * 99 / 100]);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "serve") == 0)
		return serve(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 120);
	if (argc == 5 && strcmp(argv[1], "conn") == 0)
		return conn_rate(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && strcmp(argv[1], "rr") == 0)
		return rr(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && strcmp(argv[1], "flows") == 0)
		return flow_rate(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: netbench serve PORT [SECONDS] | conn|rr|flows HOST PORT SECONDS\n");
	return 1;
}
