/* netpeer: a tiny server for the published-port tests, built static so a
 * test can put it into an image.
 *
 *   netpeer tcp PORT   answers each connection with the client's address
 *                      ("ADDR PORT\n") and closes it
 *   netpeer udp PORT   answers each datagram with "ADDR PAYLOAD" to its
 *                      sender
 *   netpeer ping ADDR  one ICMP echo to the IPv4 ADDR through an ICMP
 *                      datagram socket (no CAP_NET_RAW: the namespace's
 *                      net.ipv4.ping_group_range must hold its group), as
 *                      busybox ping does not; prints "reply from ADDR" and
 *                      exits 0 on the answer, 1 after 3 s without one
 *
 * Listens on every address, IPv4 and IPv6 (an IPv4 client shows as
 * a.b.c.d). Runs until killed; exits 2 on a wrong command line, 1 when it
 * cannot listen. */
#include <arpa/inet.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void addr_text(const struct sockaddr_in6 *sa, char *buf, size_t len, unsigned *port)
{
	if (IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr))
		inet_ntop(AF_INET, &sa->sin6_addr.s6_addr[12], buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, &sa->sin6_addr, buf, (socklen_t)len);
	*port = ntohs(sa->sin6_port);
}

static int ping(const char *addr)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "netpeer: bad address %s\n", addr);
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0) {
		perror("netpeer: ICMP datagram socket");
		return 1;
	}
	struct icmphdr req = {.type = ICMP_ECHO, .un.echo.sequence = htons(1)};
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("netpeer: send");
		return 1;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[256];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	if (poll(&p, 1, 3000) != 1 || recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) < 8 ||
	    ((struct icmphdr *)buf)->type != ICMP_ECHOREPLY) {
		fprintf(stderr, "netpeer: no echo reply from %s\n", addr);
		return 1;
	}
	char text[INET_ADDRSTRLEN];
	printf("reply from %s\n", inet_ntop(AF_INET, &from.sin_addr, text, sizeof(text)));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "ping") == 0)
		return ping(argv[2]);
	if (argc != 3 || (strcmp(argv[1], "tcp") != 0 && strcmp(argv[1], "udp") != 0)) {
		fprintf(stderr, "usage: netpeer tcp|udp PORT | netpeer ping ADDR\n");
		return 2;
	}
	int udp = strcmp(argv[1], "udp") == 0;
	int fd = socket(AF_INET6, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	int off = 0, on = 1;
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((unsigned short)atoi(argv[2]))};
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || (!udp && listen(fd, 64) < 0)) {
		perror("netpeer");
		return 1;
	}
	for (;;) {
		struct sockaddr_in6 peer;
		socklen_t plen = sizeof(peer);
		char addr[INET6_ADDRSTRLEN], buf[2048], out[2200];
		unsigned port;
		if (udp) {
			ssize_t n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&peer, &plen);
			if (n < 0)
				continue;
			buf[n] = '\0';
			addr_text(&peer, addr, sizeof(addr), &port);
			int m = snprintf(out, sizeof(out), "%s %s", addr, buf);
			sendto(fd, out, (size_t)m, 0, (struct sockaddr *)&peer, plen);
		} else {
			int c = accept4(fd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			addr_text(&peer, addr, sizeof(addr), &port);
			int m = snprintf(out, sizeof(out), "%s %u\n", addr, port);
			if (write(c, out, (size_t)m) < 0)
				perror("netpeer");
			close(c);
		}
	}
}
