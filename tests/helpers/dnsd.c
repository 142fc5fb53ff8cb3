/* dnsd: a tiny UDP DNS responder for tests.
 *
 *   dnsd -l ADDR:PORT -a IPV4 [-t SECONDS] [-r READYFILE]
 *
 * Answers every A (and ANY) query, for any name, with IPV4 (TTL 60); other
 * types get an empty NOERROR answer. Binds ADDR:PORT (IPv4, or [IPv6]:PORT),
 * creates READYFILE once bound, exits after SECONDS (default 30) or on
 * SIGTERM/SIGINT. Prints one line per query to stdout. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/proc.h"
#include "lib/strv.h"

#define DNS_HDR 12
#define TYPE_A 1
#define TYPE_ANY 255
#define CLASS_IN 1

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: dnsd -l ADDR:PORT -a IPV4 [-t SECONDS] [-r READYFILE]\n");
	exit(2);
}

/* "1.2.3.4:53" or "[::1]:53" -> sockaddr. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	long long port;
	if (str_to_ll(colon + 1, 1, 65535, &port) < 0)
		return -1;
	memset(ss, 0, sizeof(*ss));
	size_t hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -1;
		*len = sizeof(*a);
		return 0;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return -1;
	*len = sizeof(*a);
	return 0;
}

/* Builds the answer to query q (qlen bytes) in out; returns its length, or 0
 * to ignore the packet. The name is printed into name (dotted). */
static size_t answer(const uint8_t *q, size_t qlen, const struct in_addr *addr, uint8_t *out, size_t outcap, char *name,
                     size_t namecap, unsigned *qtype_out)
{
	if (qlen < DNS_HDR || (q[2] & 0x80))
		return 0; /* too short, or a response */
	unsigned qdcount = (unsigned)(q[4] << 8 | q[5]);
	if (qdcount != 1)
		return 0;
	size_t off = DNS_HDR, nlen = 0;
	for (;;) {
		if (off >= qlen)
			return 0;
		unsigned l = q[off++];
		if (l == 0)
			break;
		if (l > 63 || off + l > qlen)
			return 0; /* no compression in questions */
		if (nlen + l + 2 > namecap)
			return 0;
		if (nlen)
			name[nlen++] = '.';
		memcpy(name + nlen, q + off, l);
		nlen += l;
		off += l;
	}
	name[nlen] = '\0';
	if (off + 4 > qlen)
		return 0;
	unsigned qtype = (unsigned)(q[off] << 8 | q[off + 1]);
	unsigned qclass = (unsigned)(q[off + 2] << 8 | q[off + 3]);
	off += 4;
	*qtype_out = qtype;
	size_t qend = off;
	bool with_a = (qtype == TYPE_A || qtype == TYPE_ANY) && qclass == CLASS_IN;
	size_t need = qend + (with_a ? 16 : 0);
	if (need > outcap)
		return 0;

	memcpy(out, q, qend);
	out[2] = (uint8_t)(0x80 | (q[2] & 0x79) | 0x04); /* QR, opcode and RD kept, AA */
	out[3] = 0x80;                                   /* RA, rcode 0 */
	out[6] = 0;
	out[7] = with_a ? 1 : 0; /* ancount */
	memset(out + 8, 0, 4);   /* nscount, arcount (any EDNS record is dropped) */
	if (!with_a)
		return qend;
	uint8_t *a = out + qend;
	a[0] = 0xc0; /* pointer to the question's name */
	a[1] = DNS_HDR;
	a[2] = 0;
	a[3] = TYPE_A;
	a[4] = 0;
	a[5] = CLASS_IN;
	a[6] = 0;
	a[7] = 0;
	a[8] = 0;
	a[9] = 60; /* TTL */
	a[10] = 0;
	a[11] = 4;
	memcpy(a + 12, &addr->s_addr, 4);
	return need;
}

int main(int argc, char **argv)
{
	const char *listen_s = NULL, *answer_s = NULL, *ready = NULL;
	long long seconds = 30;
	int c;
	while ((c = getopt(argc, argv, "l:a:t:r:")) != -1) {
		switch (c) {
		case 'l':
			listen_s = optarg;
			break;
		case 'a':
			answer_s = optarg;
			break;
		case 't':
			if (str_to_ll(optarg, 1, 86400, &seconds) < 0)
				usage();
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			usage();
		}
	}
	if (!listen_s || !answer_s || optind != argc)
		usage();
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct in_addr addr;
	if (parse_listen(listen_s, &ss, &sslen) < 0 || inet_pton(AF_INET, answer_s, &addr) != 1)
		usage();

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("dnsd: socket");
		return 1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sslen) < 0) {
		fprintf(stderr, "dnsd: cannot bind %s: %s\n", listen_s, strerror(errno));
		return 1;
	}
	if (ready) {
		int rf = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (rf < 0) {
			fprintf(stderr, "dnsd: cannot create '%s': %s\n", ready, strerror(errno));
			return 1;
		}
		close(rf);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	int64_t deadline = now_ms() + seconds * 1000;
	while (!stop) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("dnsd: poll");
			return 1;
		}
		if (n == 0)
			continue;
		uint8_t q[1500], out[1600];
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t r = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen);
		if (r < 0)
			continue;
		char name[256];
		unsigned qtype = 0;
		size_t len = answer(q, (size_t)r, &addr, out, sizeof(out), name, sizeof(name), &qtype);
		if (!len)
			continue;
		printf("query %s type %u\n", name, qtype);
		sendto(fd, out, len, 0, (struct sockaddr *)&from, fromlen);
	}
	close(fd);
	return 0;
}
