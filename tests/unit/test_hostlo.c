/* allow_host_loopback=false on the container's frames (netns/hostlo.h):
 * nothing starts towards the addresses libslirp maps to the host's
 * loopback; replies to what libslirp brought from there pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "netns/hostlo.h"

static struct netns_hostlo *new_default(void)
{
	struct netns_hostlo_net n = {.net4 = 0x0a000200, .mask4 = 0xffffff00, .gw4 = 0x0a000202, .dns4 = 0x0a000203};
	inet_pton(AF_INET6, "fd00::", &n.prefix6);
	inet_pton(AF_INET6, "fd00::2", &n.gw6);
	inet_pton(AF_INET6, "fd00::3", &n.dns6);
	return netns_hostlo_new(&n);
}

/* An Ethernet frame of an IPv4 packet (proto) from src:sport to dst:dport;
 * flags for TCP; frag: the fragment offset field. Its length. */
static size_t frame4(uint8_t *f, uint8_t proto, const char *src, uint16_t sport, const char *dst, uint16_t dport,
                     uint8_t flags, uint16_t frag)
{
	memset(f, 0, 14 + 20 + 20);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	uint8_t *l4 = ip + 20;
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	l4[13] = flags;
	return 14 + 20 + 20;
}

static size_t frame6(uint8_t *f, uint8_t proto, const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	memset(f, 0, 14 + 40 + 20);
	f[12] = 0x86;
	f[13] = 0xdd;
	uint8_t *ip = f + 14;
	ip[0] = 0x60;
	ip[6] = proto;
	inet_pton(AF_INET6, src, ip + 8);
	inet_pton(AF_INET6, dst, ip + 24);
	uint8_t *l4 = ip + 40;
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	return 14 + 40 + 20;
}

static void test_udp_reply_only(void **state)
{
	(void)state;
	struct netns_hostlo *h = new_default();
	uint8_t f[128];
	size_t n;
	/* nothing came from 10.0.2.2:40000: the container cannot start it */
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.2", 40000, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 1000));
	/* libslirp brings a datagram from a client on the host's loopback */
	n = frame4(f, 17, "10.0.2.2", 40000, "10.0.2.100", 90, 0, 0);
	netns_hostlo_from_slirp(h, f, n, 1000);
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.2", 40000, 0, 0);
	assert_true(netns_hostlo_to_slirp(h, f, n, 2000));
	/* another port on either side, another address, or too late */
	n = frame4(f, 17, "10.0.2.100", 91, "10.0.2.2", 40000, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 2000));
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.2", 40001, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 2000));
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.9", 40000, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 2000));
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.2", 40000, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 1000 + 240000));
	/* the DNS forwarder and the world are not the host's loopback */
	n = frame4(f, 17, "10.0.2.100", 5353, "10.0.2.3", 53, 0, 0);
	assert_true(netns_hostlo_to_slirp(h, f, n, 2000));
	n = frame4(f, 17, "10.0.2.100", 5353, "192.0.2.1", 53, 0, 0);
	assert_true(netns_hostlo_to_slirp(h, f, n, 2000));
	/* a datagram from the world is no reason to let one through */
	n = frame4(f, 17, "192.0.2.1", 40002, "10.0.2.100", 90, 0, 0);
	netns_hostlo_from_slirp(h, f, n, 3000);
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.2", 40002, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 3000));
	netns_hostlo_free(h);
}

static void test_tcp_icmp_other(void **state)
{
	(void)state;
	struct netns_hostlo *h = new_default();
	uint8_t f[128];
	size_t n;
	/* a SYN starts a connection to the host's loopback: dropped */
	n = frame4(f, 6, "10.0.2.100", 50000, "10.0.2.2", 8080, 0x02, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 0));
	/* a SYN-ACK answers one libslirp brought in; ACKs, data go on */
	n = frame4(f, 6, "10.0.2.100", 80, "10.0.2.2", 40000, 0x12, 0);
	assert_true(netns_hostlo_to_slirp(h, f, n, 0));
	n = frame4(f, 6, "10.0.2.100", 80, "10.0.2.2", 40000, 0x18, 0);
	assert_true(netns_hostlo_to_slirp(h, f, n, 0));
	/* anywhere else a SYN goes */
	n = frame4(f, 6, "10.0.2.100", 50000, "192.0.2.1", 80, 0x02, 0);
	assert_true(netns_hostlo_to_slirp(h, f, n, 0));
	/* ICMP: to the gateway (libslirp answers), not past it */
	n = frame4(f, 1, "10.0.2.100", 0x0800, "10.0.2.2", 0, 0, 0);
	assert_true(netns_hostlo_to_slirp(h, f, n, 0));
	n = frame4(f, 1, "10.0.2.100", 0x0800, "10.0.2.9", 0, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 0));
	/* another protocol; a first fragment too short for the ports; a
	 * later fragment (nothing without its first) */
	n = frame4(f, 132, "10.0.2.100", 1, "10.0.2.2", 1, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 0));
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.2", 1, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, 14 + 20 + 2, 0));
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.2", 1, 0, 0x0010);
	assert_true(netns_hostlo_to_slirp(h, f, n, 0));
	/* TCP in fragments, first (MF) or later, whatever its flags look like */
	n = frame4(f, 6, "10.0.2.100", 80, "10.0.2.2", 40000, 0x10, 0x2000);
	assert_false(netns_hostlo_to_slirp(h, f, n, 0));
	n = frame4(f, 6, "10.0.2.100", 80, "10.0.2.2", 40000, 0x10, 0x0001);
	assert_false(netns_hostlo_to_slirp(h, f, n, 0));
	/* ARP, runts: libslirp's to deal with */
	memset(f, 0, sizeof(f));
	f[12] = 0x08;
	f[13] = 0x06;
	assert_true(netns_hostlo_to_slirp(h, f, 42, 0));
	assert_true(netns_hostlo_to_slirp(h, f, 10, 0));
	netns_hostlo_free(h);
}

static void test_ipv6(void **state)
{
	(void)state;
	struct netns_hostlo *h = new_default();
	uint8_t f[128];
	size_t n;
	n = frame6(f, 17, "fd00::100", 90, "fd00::2", 40000);
	assert_false(netns_hostlo_to_slirp(h, f, n, 0));
	n = frame6(f, 17, "fd00::2", 40000, "fd00::100", 90);
	netns_hostlo_from_slirp(h, f, n, 0);
	n = frame6(f, 17, "fd00::100", 90, "fd00::2", 40000);
	assert_true(netns_hostlo_to_slirp(h, f, n, 1));
	/* the IPv4 twin of the flow is another one */
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.2", 40000, 0, 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 1));
	n = frame6(f, 6, "fd00::100", 50000, "fd00::7", 80);
	f[14 + 40 + 13] = 0x02;
	assert_false(netns_hostlo_to_slirp(h, f, n, 1));
	n = frame6(f, 17, "fd00::100", 5353, "fd00::3", 53);
	assert_true(netns_hostlo_to_slirp(h, f, n, 1));
	n = frame6(f, 58, "fd00::100", 0, "fd00::2", 0);
	assert_true(netns_hostlo_to_slirp(h, f, n, 1));
	/* an extension header to them: dropped */
	n = frame6(f, 44, "fd00::100", 0, "fd00::2", 0);
	assert_false(netns_hostlo_to_slirp(h, f, n, 1));
	netns_hostlo_free(h);
}

/* Datagrams from the world take no place among the flows from the host's
 * loopback: however many came since, a loopback client still hears back. */
static void test_udp_world_takes_no_slot(void **state)
{
	(void)state;
	struct netns_hostlo *h = new_default();
	uint8_t f[128];
	size_t n = frame4(f, 17, "10.0.2.2", 40000, "10.0.2.100", 90, 0, 0);
	netns_hostlo_from_slirp(h, f, n, 1000);
	for (int i = 0; i < 1000; i++) {
		n = frame4(f, 17, "192.0.2.1", (uint16_t)(20000 + i), "10.0.2.100", 90, 0, 0);
		netns_hostlo_from_slirp(h, f, n, 1001 + i);
	}
	n = frame4(f, 17, "10.0.2.100", 90, "10.0.2.2", 40000, 0, 0);
	assert_true(netns_hostlo_to_slirp(h, f, n, 3000));
	netns_hostlo_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_udp_reply_only),
	    cmocka_unit_test(test_udp_world_takes_no_slot),
	    cmocka_unit_test(test_tcp_icmp_other),
	    cmocka_unit_test(test_ipv6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
