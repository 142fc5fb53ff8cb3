/* netns_parse, netns_format, netns_dns_server, the poll set, and the slirp
 * loop over a datagram socketpair standing in for the tap (no namespaces);
 * root's binder of low host ports (as root only). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sched.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/err.h"
#include "lib/loop.h"
#include "lib/proc.h"
#include "netns/internal.h"
#include "netns/netns.h"

static struct netns_cfg parse_ok(const char *spec)
{
	struct netns_cfg cfg;
	struct burrow_err *err = NULL;
	int rc = netns_parse_ext(spec, NETNS_PARSE_JOIN, &cfg, &err);
	if (rc != 0)
		fail_msg("netns_parse(\"%s\") failed: %s", spec ? spec : "(null)", err ? err->msg : "?");
	assert_null(err);
	return cfg;
}

/* Parses a bad spec; checks *cfg stays untouched and the message contains want. */
static void parse_bad(const char *spec, const char *want, const char *want_hint)
{
	struct netns_cfg cfg;
	memset(&cfg, 0xa5, sizeof(cfg));
	struct netns_cfg before = cfg;
	struct burrow_err *err = NULL;
	assert_int_equal(netns_parse_ext(spec, NETNS_PARSE_JOIN, &cfg, &err), -1);
	assert_non_null(err);
	if (!strstr(err->msg, want))
		fail_msg("netns_parse(\"%s\"): message \"%s\" lacks \"%s\"", spec, err->msg, want);
	if (want_hint) {
		assert_non_null(err->hint);
		if (!strstr(err->hint, want_hint))
			fail_msg("netns_parse(\"%s\"): hint \"%s\" lacks \"%s\"", spec, err->hint, want_hint);
	}
	/* one line, lowercase start, no full stop */
	assert_null(strchr(err->msg, '\n'));
	assert_false(err->msg[0] >= 'A' && err->msg[0] <= 'Z');
	assert_int_not_equal(err->msg[strlen(err->msg) - 1], '.');
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	burrow_err_free(err);
}

static void test_defaults(void **state)
{
	(void)state;
	struct netns_cfg d;
	netns_cfg_init(&d);
	assert_int_equal(d.mode, NETNS_SLIRP);
	assert_false(d.allow_host_loopback);
	assert_int_equal(d.mtu, NETNS_MTU_DEFAULT);
	assert_true(d.ipv6);

	struct netns_cfg c = parse_ok(NULL);
	assert_memory_equal(&c, &d, sizeof(c));
	c = parse_ok("slirp");
	assert_memory_equal(&c, &d, sizeof(c));
	c = parse_ok("slirp4netns");
	assert_memory_equal(&c, &d, sizeof(c));
}

static void test_modes(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("none").mode, NETNS_NONE);
	assert_int_equal(parse_ok("host").mode, NETNS_HOST);
	assert_int_equal(parse_ok("slirp").mode, NETNS_SLIRP);
}

static void test_slirp_options(void **state)
{
	(void)state;
	struct netns_cfg c = parse_ok("slirp:allow_host_loopback=true,mtu=1500,enable_ipv6=false");
	assert_int_equal(c.mode, NETNS_SLIRP);
	assert_true(c.allow_host_loopback);
	assert_int_equal(c.mtu, 1500);
	assert_false(c.ipv6);

	c = parse_ok("slirp4netns:mtu=9000");
	assert_int_equal(c.mtu, 9000);
	assert_false(c.allow_host_loopback);
	assert_true(c.ipv6);

	/* Go's ParseBool spellings; the last one wins */
	assert_true(parse_ok("slirp:allow_host_loopback=1").allow_host_loopback);
	assert_true(parse_ok("slirp:allow_host_loopback=True").allow_host_loopback);
	assert_false(parse_ok("slirp:allow_host_loopback=true,allow_host_loopback=f").allow_host_loopback);
	assert_false(parse_ok("slirp:enable_ipv6=FALSE").ipv6);
	assert_true(parse_ok("slirp:enable_ipv6=0,enable_ipv6=t").ipv6);

	/* limits */
	assert_int_equal(parse_ok("slirp:mtu=65520").mtu, 65520);
	assert_int_equal(parse_ok("slirp:mtu=1280").mtu, 1280);
	assert_int_equal(parse_ok("slirp:mtu=68,enable_ipv6=false").mtu, 68);
	/* option order does not matter for the ipv6 check */
	assert_int_equal(parse_ok("slirp:enable_ipv6=false,mtu=576").mtu, 576);
}

static void test_bad_specs(void **state)
{
	(void)state;
	parse_bad("", "no mode", "slirp");
	parse_bad("Slirp", "unknown mode 'Slirp'", NULL);
	parse_bad("none:mtu=1500", "mode 'none' takes no options", "only slirp");
	parse_bad("host:", "mode 'host' takes no options", NULL);
	parse_bad("slirp:", "empty option", "NAME=VALUE");
	parse_bad("slirp:mtu=1500,", "empty option", NULL);
	parse_bad("slirp:mtu", "option 'mtu' has no value", NULL);
	parse_bad("slirp:mtu=", "bad mtu ''", "68 to 65520");
	parse_bad("slirp:mtu=abc", "bad mtu 'abc'", "68 to 65520");
	parse_bad("slirp:mtu=1500x", "bad mtu '1500x'", NULL);
	parse_bad("slirp:mtu=-1", "bad mtu '-1'", NULL);
	parse_bad("slirp:mtu=67,enable_ipv6=false", "bad mtu '67'", NULL);
	parse_bad("slirp:mtu=65521", "bad mtu '65521'", NULL);
	parse_bad("slirp:mtu=99999999999999999999", "bad mtu", NULL);
	parse_bad("slirp:mtu=1279", "mtu 1279 is too small for ipv6", "enable_ipv6=false");
	parse_bad("slirp:allow_host_loopback=yes", "'yes' is not a boolean", "allow_host_loopback=true");
	parse_bad("slirp:enable_ipv6=", "'' is not a boolean", "enable_ipv6=false");
	parse_bad("slirp:port=8080", "unknown option 'port'", "allow_host_loopback, mtu, enable_ipv6, cidr");
	parse_bad("slirp:port_handler=rootlessport", "unknown port_handler 'rootlessport'", "port_handler=slirp");
	parse_bad("slirp:port_handler=", "unknown port_handler ''", NULL);
	/* cidr */
	parse_bad("slirp:cidr=10.0.3.0", "bad cidr '10.0.3.0'", "cidr=10.0.3.0/24");
	parse_bad("slirp:cidr=10.0.3/24", "bad cidr", NULL);
	parse_bad("slirp:cidr=10.0.3.0/x", "bad cidr", NULL);
	parse_bad("slirp:cidr=10.0.3.0/33", "bad cidr", NULL);
	parse_bad("slirp:cidr=fd00::/64", "bad cidr", NULL);
	parse_bad("slirp:cidr=10.0.3.0/26", "has no room for the container's address .100", "from 1 to 25");
	parse_bad("slirp:cidr=10.0.3.0/0", "has no room", NULL);
	parse_bad("slirp:cidr=10.0.3.5/24", "'10.0.3.5/24' is not a network address", "cidr=10.0.3.0/24");
	parse_bad("slirp:cidr=10.0.0.0/8,cidr=10.1.2.0/8", "not a network address", "cidr=10.0.0.0/8");
	parse_bad("slirp:cidr=127.0.0.0/24", "is not a usable network", NULL);
	parse_bad("slirp:cidr=0.0.0.0/8", "is not a usable network", NULL);
	parse_bad("slirp:cidr=224.1.0.0/16", "is not a usable network", NULL);
	/* outbound addresses */
	parse_bad("slirp:outbound_addr=fd00::1", "outbound_addr takes an IPv4 address, not 'fd00::1'",
	          "outbound_addr6=fd00::1");
	parse_bad("slirp:outbound_addr6=192.0.2.1", "outbound_addr6 takes an IPv6 address", "outbound_addr=192.0.2.1");
	parse_bad("slirp:outbound_addr=", "'' is neither an IPv4 address nor an interface name", NULL);
	parse_bad("slirp:outbound_addr=a/b", "neither an IPv4 address nor an interface name", NULL);
	parse_bad("slirp:outbound_addr=averyveryverylongname", "neither", NULL);
	parse_bad("slirp:outbound_addr=..", "neither", NULL);
	parse_bad("slirp:outbound_addr6=eth0,enable_ipv6=false", "outbound_addr6 needs IPv6", "enable_ipv6=true");
	/* other modes */
	parse_bad("pasta", "pasta is not supported; burrow's user-mode network is slirp", "--network slirp");
	parse_bad("pasta:--mtu,1500", "pasta is not supported", NULL);
	parse_bad("ns", "no namespace path", "ns:PATH");
	parse_bad("ns:", "no namespace path", NULL);
	parse_bad("ns:run/netns/x", "the namespace path 'run/netns/x' is not absolute", NULL);
	parse_bad("container", "no container", "container:NAME");
	parse_bad("container:", "no container", NULL);
	parse_bad("bridge", "unknown mode 'bridge'", "ns:PATH or container:NAME");
	/* the whole spec is named */
	parse_bad("slirp:mtu=abc", "invalid network 'slirp:mtu=abc'", NULL);
}

static void test_more_options(void **state)
{
	(void)state;
	struct netns_cfg c = parse_ok("slirp");
	assert_int_equal(c.port_handler, NETNS_PORTS_SPLICE);
	assert_string_equal(c.addr, "10.0.2.100");
	assert_string_equal(c.gateway, "10.0.2.2");
	assert_string_equal(c.dns, "10.0.2.3");
	assert_int_equal(c.prefix4, 24);
	assert_string_equal(c.outbound4, "");

	c = parse_ok("slirp:cidr=10.0.3.0/24");
	assert_string_equal(c.addr, "10.0.3.100");
	assert_string_equal(c.gateway, "10.0.3.2");
	assert_string_equal(c.dns, "10.0.3.3");
	assert_string_equal(netns_dns_server(&c), "10.0.3.3");
	c = parse_ok("slirp:cidr=172.16.0.0/12");
	assert_int_equal(c.prefix4, 12);
	assert_string_equal(c.addr, "172.16.0.100");
	c = parse_ok("slirp:cidr=192.168.7.0/25");
	assert_string_equal(c.addr, "192.168.7.100");

	assert_int_equal(parse_ok("slirp:port_handler=slirp").port_handler, NETNS_PORTS_SLIRP);
	assert_int_equal(parse_ok("slirp4netns:port_handler=slirp4netns").port_handler, NETNS_PORTS_SLIRP);
	assert_int_equal(parse_ok("slirp:port_handler=rootlesskit").port_handler, NETNS_PORTS_SPLICE);
	assert_int_equal(parse_ok("slirp:port_handler=splice").port_handler, NETNS_PORTS_SPLICE);

	c = parse_ok("slirp:outbound_addr=192.0.2.10,outbound_addr6=2001:DB8::10");
	assert_string_equal(c.outbound4, "192.0.2.10");
	assert_string_equal(c.outbound6, "2001:db8::10");
	c = parse_ok("slirp:outbound_addr=eth0,outbound_addr6=wlp2s0");
	assert_string_equal(c.outbound4, "eth0");
	assert_string_equal(c.outbound6, "wlp2s0");

	c = parse_ok("ns:/run/user/1000/netns/a:b,c");
	assert_int_equal(c.mode, NETNS_NS);
	assert_string_equal(c.target, "/run/user/1000/netns/a:b,c");
	c = parse_ok("container:web");
	assert_int_equal(c.mode, NETNS_CONTAINER);
	assert_string_equal(c.target, "web");
	assert_null(netns_dns_server(&c));

	/* a caller that cannot join a namespace (burrow run, for now) gets them refused */
	struct netns_cfg plain;
	struct burrow_err *err = NULL;
	assert_int_equal(netns_parse("ns:/run/netns/x", &plain, &err), -1);
	assert_non_null(strstr(err->msg, "joining another network namespace (ns:PATH) is not supported yet"));
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(netns_parse("container:web", &plain, &err), -1);
	assert_non_null(strstr(err->msg, "(container:NAME) is not supported yet"));
	assert_null(strstr(err->hint, "ns:PATH"));
	burrow_err_free(err);

	/* too long for the record */
	char *longpath = malloc(NETNS_TARGET_MAX + 8);
	memcpy(longpath, "ns:/", 4);
	memset(longpath + 4, 'a', NETNS_TARGET_MAX);
	longpath[NETNS_TARGET_MAX + 4] = '\0';
	parse_bad(longpath, "too long", NULL);
	free(longpath);
}

static void check_format(const char *spec, const char *want)
{
	struct netns_cfg c = parse_ok(spec);
	char *s = netns_format(&c);
	assert_string_equal(s, want);
	struct netns_cfg back = parse_ok(s);
	assert_memory_equal(&back, &c, sizeof(c));
	free(s);
}

static void test_format(void **state)
{
	(void)state;
	check_format("slirp4netns", "slirp");
	check_format("none", "none");
	check_format("host", "host");
	check_format("slirp:mtu=1500", "slirp:mtu=1500");
	check_format("slirp:enable_ipv6=false,allow_host_loopback=true,mtu=9000",
	             "slirp:allow_host_loopback=true,mtu=9000,enable_ipv6=false");
	check_format("slirp:allow_host_loopback=false", "slirp");
	check_format("slirp:port_handler=slirp4netns,cidr=10.0.3.0/24,outbound_addr=eth0,outbound_addr6=::1",
	             "slirp:cidr=10.0.3.0/24,outbound_addr=eth0,outbound_addr6=::1,port_handler=slirp");
	check_format("slirp:port_handler=rootlesskit,cidr=10.0.2.0/24", "slirp");
	check_format("ns:/proc/1/ns/net", "ns:/proc/1/ns/net");
	check_format("container:db", "container:db");
}

static void test_dns_server(void **state)
{
	(void)state;
	struct netns_cfg c = parse_ok("slirp");
	assert_string_equal(netns_dns_server(&c), "10.0.2.3");
	c = parse_ok("slirp:enable_ipv6=false");
	assert_string_equal(netns_dns_server(&c), "10.0.2.3");
	c = parse_ok("none");
	assert_null(netns_dns_server(&c));
	c = parse_ok("host");
	assert_null(netns_dns_server(&c));
}

static void test_tap_open_errors(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	struct netns_cfg c = parse_ok("none");
	int fd = -1;
	assert_int_equal(netns_tap_open(getpid(), &c, &fd, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "not slirp"));
	assert_int_equal(fd, -1);
	burrow_err_free(err);
	err = NULL;

	/* a process that is gone */
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	assert_int_equal(waitpid(p, NULL, 0), p);
	c = parse_ok("slirp");
	assert_int_equal(netns_tap_open(p, &c, &fd, &err), -1);
	assert_non_null(err);
	char want[64];
	snprintf(want, sizeof(want), "cannot open '/proc/%d/ns/net'", (int)p);
	if (!strstr(err->msg, want))
		fail_msg("message \"%s\" lacks \"%s\"", err->msg, want);
	assert_int_equal(err->status, ENOENT);
	assert_int_equal(fd, -1);
	burrow_err_free(err);
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void test_slirp_new_errors(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct burrow_err *err = NULL;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	struct netns_cfg c = parse_ok("host");
	assert_null(netns_slirp_new(l, sv[0], &c, &err));
	assert_non_null(err);
	assert_false(fd_is_open(sv[0])); /* ownership was taken, also on failure */
	burrow_err_free(err);
	err = NULL;
	close(sv[1]);

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	c = parse_ok("slirp");
	c.mtu = 70000;
	assert_null(netns_slirp_new(l, sv[0], &c, &err));
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "mtu 70000"));
	assert_false(fd_is_open(sv[0]));
	burrow_err_free(err);
	close(sv[1]);
	loop_free(l);
}

static const uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* An ARP request "who has 10.0.2.2? tell 10.0.2.100" from guest_mac. */
static size_t arp_request(uint8_t *f)
{
	memset(f, 0, 42);
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08, f[13] = 0x06;                    /* ARP */
	f[14] = 0, f[15] = 1;                          /* ethernet */
	f[16] = 0x08, f[17] = 0x00;                    /* IPv4 */
	f[18] = 6, f[19] = 4;                          /* sizes */
	f[20] = 0, f[21] = 1;                          /* request */
	memcpy(f + 22, guest_mac, 6);                  /* sender mac */
	f[28] = 10, f[29] = 0, f[30] = 2, f[31] = 100; /* sender ip */
	f[38] = 10, f[39] = 0, f[40] = 2, f[41] = 2;   /* target ip */
	return 42;
}

struct reply {
	uint8_t f[1600];
	ssize_t got;
};

static void on_reply(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)w;
	(void)revents;
	struct reply *r = data;
	r->got = read(fd, r->f, sizeof(r->f));
	loop_stop(l);
}

static void test_slirp_loop_answers_arp(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	struct netns_cfg c = parse_ok("slirp");
	struct loop *l = loop_new();
	struct netns_slirp *n = netns_slirp_new(l, sv[0], &c, &err);
	if (!n)
		fail_msg("netns_slirp_new: %s", err ? err->msg : "?");
	assert_true(fcntl(sv[0], F_GETFL) & O_NONBLOCK);

	static struct reply r = {.got = -1};
	size_t len = arp_request(r.f);
	assert_int_equal(write(sv[1], r.f, len), (ssize_t)len);
	/* the loop reads the frame off the tap and slirp answers through it */
	loop_watch_add(l, sv[1], POLLIN, on_reply, &r);
	for (int round = 0; round < 100 && r.got < 0; round++)
		assert_int_equal(loop_run_once(l, 20, &err), 0);
	if (r.got < 0)
		fail_msg("slirp sent nothing back for an ARP request");
	/* an ARP reply from the gateway to us */
	const uint8_t *f = r.f;
	assert_true(r.got >= 42);
	assert_memory_equal(f, guest_mac, 6);
	assert_int_equal(f[12], 0x08);
	assert_int_equal(f[13], 0x06);
	assert_int_equal(f[21], 2);
	const uint8_t gw[4] = {10, 0, 2, 2}, me[4] = {10, 0, 2, 100};
	assert_memory_equal(f + 28, gw, 4);
	assert_memory_equal(f + 32, guest_mac, 6);
	assert_memory_equal(f + 38, me, 4);

	netns_slirp_free(n);
	assert_false(fd_is_open(sv[0]));
	/* detached from the loop: it runs on without it */
	assert_int_equal(loop_run_once(l, 0, &err), 0);
	loop_free(l);
	close(sv[1]);
}

static void test_slirp_tap_hangup(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	struct netns_cfg c = parse_ok("slirp:enable_ipv6=false");
	struct loop *l = loop_new();
	struct netns_slirp *n = netns_slirp_new(l, sv[0], &c, &err);
	if (!n)
		fail_msg("netns_slirp_new: %s", err ? err->msg : "?");
	assert_false(netns_slirp_tap_gone(n));
	close(sv[1]); /* the tap's other end goes away */

	assert_int_equal(loop_run_once(l, 1000, &err), 0);
	assert_true(netns_slirp_tap_gone(n));

	/* no longer polled, so poll() does not return at once on the hangup
	 * (slirp has no sockets and no timer due here) */
	for (int i = 0; i < 3; i++) {
		int64_t t0 = now_ms();
		assert_int_equal(loop_run_once(l, 50, &err), 0);
		assert_true(now_ms() - t0 >= 45);
	}
	netns_slirp_free(n);
	loop_free(l);
}

/* Our netlink socket takes answers from the kernel only: another socket
 * of the namespace (a container with CAP_NET_ADMIN, here the test in a
 * namespace of its own) cannot send to it. */
static void test_netlink_kernel_only(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			_exit(77);
		struct burrow_err *err = NULL;
		int nl = nl_open(&err);
		struct sockaddr_nl me;
		socklen_t len = sizeof(me);
		if (nl < 0 || getsockname(nl, (struct sockaddr *)&me, &len) < 0)
			_exit(2);
		int other = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_pid = me.nl_pid};
		struct nlmsghdr h = {.nlmsg_len = sizeof(h), .nlmsg_type = NLMSG_NOOP};
		if (other < 0)
			_exit(3);
		ssize_t n = sendto(other, &h, sizeof(h), 0, (struct sockaddr *)&to, sizeof(to));
		_exit(n < 0 && errno == ECONNREFUSED ? 0 : 1);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Root's binder binds a port below net.ipv4.ip_unprivileged_port_start
 * and hands the socket over (SCM_RIGHTS); any other port, or none, it
 * refuses (EACCES): it binds only what privilege alone may. Root only. */
static void test_binder_low_ports_only(void **state)
{
	(void)state;
	long long top = net_unprivileged_port_start();
	if (geteuid() != 0 || top <= 2)
		skip();
	struct burrow_err *err = NULL;
	assert_int_equal(netns_binder_start(&err), 0);
	assert_true(netns_binder_fd() >= 0);
	/* a low port nothing uses, found as root may */
	int port = 0;
	for (int p = (int)top - 1; p > top / 2 && !port; p--) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			port = p;
		close(s);
	}
	assert_true(port > 0);
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in->sin_port = htons((uint16_t)port);
	int fd = net_binder_bind(&ss, sizeof(*in), NETNS_TCP, false);
	assert_true(fd >= 0);
	struct sockaddr_in got = {0};
	socklen_t len = sizeof(got);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&got, &len), 0);
	assert_int_equal(ntohs(got.sin_port), port);
	close(fd);
	/* the unprivileged start itself, a port above it, and port 0: refused */
	const int refused[] = {(int)top, (int)top + 1 < 65536 ? (int)top + 1 : (int)top, 0};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		in->sin_port = htons((uint16_t)refused[i]);
		errno = 0;
		assert_int_equal(net_binder_bind(&ss, sizeof(*in), NETNS_TCP, false), -1);
		assert_int_equal(errno, EACCES);
	}
	/* once closed, there is no binder to ask */
	netns_binder_close();
	assert_int_equal(netns_binder_fd(), -1);
	in->sin_port = htons((uint16_t)port);
	assert_int_equal(net_binder_bind(&ss, sizeof(*in), NETNS_TCP, false), -1);
	assert_int_equal(errno, EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_modes),
	    cmocka_unit_test(test_slirp_options),
	    cmocka_unit_test(test_bad_specs),
	    cmocka_unit_test(test_more_options),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_dns_server),
	    cmocka_unit_test(test_tap_open_errors),
	    cmocka_unit_test(test_slirp_new_errors),
	    cmocka_unit_test(test_slirp_loop_answers_arp),
	    cmocka_unit_test(test_slirp_tap_hangup),
	    cmocka_unit_test(test_netlink_kernel_only),
	    cmocka_unit_test(test_binder_low_ports_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
