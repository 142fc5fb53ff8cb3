/* -p, --expose and -P (netns/ports.h): parsing, canonical spelling, ps's
 * spelling, conflicts; and the engine's binding on loopback: ports in
 * use, free ports, nothing left bound after a failure. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/err.h"
#include "netns/ports.h"

static struct netns_port one(const char *spec)
{
	struct netns_ports ps = {0};
	struct burrow_err *err = NULL;
	if (netns_ports_add(&ps, spec, &err) < 0)
		fail_msg("netns_ports_add(\"%s\") failed: %s", spec, err->msg);
	assert_int_equal(ps.n, 1);
	struct netns_port p = ps.v[0];
	netns_ports_clear(&ps);
	return p;
}

static void check_port(const char *spec, const char *ip, unsigned host, unsigned ctr, unsigned range,
                       enum netns_proto proto)
{
	struct netns_port p = one(spec);
	if (strcmp(p.host_ip, ip) != 0 || p.host_port != host || p.ctr_port != ctr || p.range != range ||
	    p.proto != proto)
		fail_msg("\"%s\": got ip '%s' host %u ctr %u range %u proto %d", spec, p.host_ip, p.host_port,
		         p.ctr_port, p.range, (int)p.proto);
}

/* A bad spec: refused with want (and want_hint) in its words, ps untouched. */
static void bad(const char *spec, const char *want, const char *want_hint)
{
	struct netns_ports ps = {0};
	struct burrow_err *err = NULL;
	assert_int_equal(netns_ports_add(&ps, "1234", &err), 0);
	assert_int_equal(netns_ports_add(&ps, spec, &err), -1);
	assert_non_null(err);
	if (!strstr(err->msg, want))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", spec, err->msg, want);
	if (want_hint && (!err->hint || !strstr(err->hint, want_hint)))
		fail_msg("\"%s\": hint \"%s\" lacks \"%s\"", spec, err->hint ? err->hint : "(none)", want_hint);
	assert_null(strchr(err->msg, '\n'));
	assert_int_equal(ps.n, 1);
	burrow_err_free(err);
	netns_ports_clear(&ps);
}

static void test_forms(void **state)
{
	(void)state;
	check_port("80", "", 0, 80, 1, NETNS_TCP);
	check_port("8080:80", "", 8080, 80, 1, NETNS_TCP);
	check_port(":80", "", 0, 80, 1, NETNS_TCP);
	check_port("127.0.0.1:8080:80", "127.0.0.1", 8080, 80, 1, NETNS_TCP);
	check_port("127.0.0.1::80", "127.0.0.1", 0, 80, 1, NETNS_TCP);
	check_port("0.0.0.0:8080:80", "", 8080, 80, 1, NETNS_TCP); /* every address, as podman */
	check_port("8080:80/udp", "", 8080, 80, 1, NETNS_UDP);
	check_port("8080:80/UDP", "", 8080, 80, 1, NETNS_UDP);
	check_port("8080:80/tcp", "", 8080, 80, 1, NETNS_TCP);
	check_port("8000-8010:9000-9010", "", 8000, 9000, 11, NETNS_TCP);
	check_port("8000-8010", "", 0, 8000, 11, NETNS_TCP);
	check_port("10.1.2.3::8000-8001/udp", "10.1.2.3", 0, 8000, 2, NETNS_UDP);
	check_port("65535:1", "", 65535, 1, 1, NETNS_TCP);
	/* IPv6 in brackets, canonical text; v4-mapped is IPv4 */
	check_port("[::1]:8080:80", "::1", 8080, 80, 1, NETNS_TCP);
	check_port("[2001:DB8:0::1]::80/udp", "2001:db8::1", 0, 80, 1, NETNS_UDP);
	check_port("[::]:8080:80", "::", 8080, 80, 1, NETNS_TCP);
	check_port("[::ffff:127.0.0.1]:8080:80", "127.0.0.1", 8080, 80, 1, NETNS_TCP);

	/* both protocols: two entries */
	struct netns_ports ps = {0};
	struct burrow_err *err = NULL;
	assert_int_equal(netns_ports_add(&ps, "53:53/udp,tcp", &err), 0);
	assert_int_equal(ps.n, 2);
	assert_int_equal(ps.v[0].proto, NETNS_TCP);
	assert_int_equal(ps.v[1].proto, NETNS_UDP);
	assert_int_equal(ps.v[1].host_port, 53);
	netns_ports_clear(&ps);
	assert_int_equal(ps.n, 0);
}

static void test_bad(void **state)
{
	(void)state;
	bad("", "no container port", "-p 8080:80");
	bad("8080:", "no container port", NULL);
	bad("8080:80/sctp", "sctp cannot be published by a rootless container", "tcp or udp");
	bad("8080:80/tcp,sctp", "sctp", NULL);
	bad("8080:80/icmp", "unknown protocol 'icmp'", "tcp,udp");
	bad("8080:80/", "no protocol after '/'", NULL);
	bad("8080:80/tcp/udp", "more than one '/'", NULL);
	bad("0:80", "bad host port '0'", "1 to 65535");
	bad("8080:0", "bad container port '0'", NULL);
	bad("8080:65536", "bad container port '65536'", NULL);
	bad("8080:http", "bad container port 'http'", NULL);
	bad("8080:+80", "bad container port '+80'", NULL);
	bad("8080: 80", "bad container port ' 80'", NULL);
	bad("8080:-80", "bad container port '-80'", NULL);
	bad("8080:80-", "bad container port '80-'", NULL);
	bad("8080:80-80", "the container port range '80-80' does not go up", "END above START");
	bad("8080:90-80", "does not go up", NULL);
	bad("8080:1-2-3", "bad container port", NULL);
	bad("8000-8001:80", "2 host ports for 1 container port", "ranges of the same length");
	bad("8000:80-81", "1 host port for 2 container ports", NULL);
	bad("localhost:8080:80", "'localhost' is not an IPv4 address", "in brackets");
	bad(":8080:80", "empty host address", NULL);
	bad("1.2.3.4.5:8080:80", "not an IPv4 address", NULL);
	bad("::1:8080:80", "too many ':'", "[::1]:8080:80");
	bad("1:2:3:4", "too many ':'", NULL);
	bad("[::1]:80", "a host address needs a host port", "[IPV6]::CTRPORT");
	bad("[::1]8080:80", "the IPv6 address must be followed by ':'", NULL);
	bad("[::1:8080:80", "'[' without ']'", NULL);
	bad("::1]:8080:80", "']' without '['", NULL);
	bad("[::1]:[::2]:80", "more than one IPv6 address", NULL);
	bad("[127.0.0.1]:8080:80", "'127.0.0.1' is not an IPv6 address", NULL);
	bad("[::1]:8080:80:90", "too many ':'", NULL);
	/* what the user typed is named, escaped */
	bad("80\n:90", "invalid port mapping '80\\n:90'", NULL);
}

static char *fmt(const char *spec)
{
	struct netns_port p = one(spec);
	return netns_port_format(&p);
}

static void check_format(const char *spec, const char *want)
{
	char *s = fmt(spec);
	assert_string_equal(s, want);
	/* read back to the same port */
	struct netns_port a = one(spec), b = one(s);
	assert_memory_equal(&a, &b, sizeof(a));
	free(s);
}

static void test_format(void **state)
{
	(void)state;
	check_format("8080:80", "8080:80/tcp");
	check_format("80", "80/tcp");
	check_format(":80/udp", "80/udp");
	check_format("0.0.0.0:8080:80", "8080:80/tcp");
	check_format("127.0.0.1:8000-8010:9000-9010/udp", "127.0.0.1:8000-8010:9000-9010/udp");
	check_format("127.0.0.1::80", "127.0.0.1::80/tcp");
	check_format("[::1]:8080:80", "[::1]:8080:80/tcp");
	check_format("[0:0::1]::80", "[::1]::80/tcp");
	check_format("8000-8001", "8000-8001/tcp");
}

static void check_display(const char *spec, const char *want)
{
	struct netns_port p = one(spec);
	char *s = netns_port_display(&p);
	assert_string_equal(s, want);
	free(s);
}

static void test_display(void **state)
{
	(void)state;
	check_display("8080:80", "0.0.0.0:8080->80/tcp");
	check_display("127.0.0.1:8080:80/udp", "127.0.0.1:8080->80/udp");
	check_display("[::1]:8000-8001:80-81", "[::1]:8000-8001->80-81/tcp");
	check_display("80", "80/tcp"); /* no host port yet */
}

static void test_expose(void **state)
{
	(void)state;
	struct netns_ports ex = {0}, ps = {0};
	struct burrow_err *err = NULL;
	assert_int_equal(netns_ports_add_exposed(&ex, "80/tcp", &err), 0);
	assert_int_equal(netns_ports_add_exposed(&ex, "53/udp", &err), 0);
	assert_int_equal(netns_ports_add_exposed(&ex, "3300-3302", &err), 0);
	assert_int_equal(netns_ports_add_exposed(&ex, "443/tcp,udp", &err), 0);
	assert_int_equal(ex.n, 5);
	assert_int_equal(ex.v[2].ctr_port, 3300);
	assert_int_equal(ex.v[2].range, 3);
	assert_int_equal(ex.v[2].proto, NETNS_TCP);
	assert_int_equal(ex.v[4].proto, NETNS_UDP);

	assert_int_equal(netns_ports_add_exposed(&ex, "80/sctp", &err), -1);
	assert_non_null(strstr(err->msg, "sctp"));
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(netns_ports_add_exposed(&ex, "8080:80", &err), -1);
	assert_non_null(strstr(err->msg, "bad port '8080:80'"));
	assert_non_null(err->hint);
	assert_non_null(strstr(err->hint, "80/tcp"));
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(netns_ports_add_exposed(&ex, "80/", &err), -1);
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(ex.n, 5);

	/* -P: what -p publishes already stays as it is; the rest gets free ports */
	assert_int_equal(netns_ports_add(&ps, "8080:80", &err), 0);
	assert_int_equal(netns_ports_add(&ps, "9000-9001:3301-3302", &err), 0);
	netns_ports_publish_exposed(&ps, &ex);
	const char *want[] = {"8080:80/tcp", "9000-9001:3301-3302/tcp", "53/udp", "3300/tcp", "443/tcp", "443/udp"};
	assert_int_equal(ps.n, 6);
	for (size_t i = 0; i < ps.n; i++) {
		char *s = netns_port_format(&ps.v[i]);
		assert_string_equal(s, want[i]);
		free(s);
	}
	/* twice changes nothing */
	netns_ports_publish_exposed(&ps, &ex);
	assert_int_equal(ps.n, 6);
	netns_ports_clear(&ps);
	netns_ports_clear(&ex);
}

static int check_list(const char *const *specs, size_t n, struct netns_ports *ps, struct burrow_err **err)
{
	for (size_t i = 0; i < n; i++)
		if (netns_ports_add(ps, specs[i], err) < 0)
			return -1;
	return netns_ports_check(ps, err);
}

static void conflict(const char *a, const char *b, const char *want)
{
	struct netns_ports ps = {0};
	struct burrow_err *err = NULL;
	const char *specs[] = {a, b};
	assert_int_equal(check_list(specs, 2, &ps, &err), -1);
	if (!strstr(err->msg, want))
		fail_msg("'%s' and '%s': message \"%s\" lacks \"%s\"", a, b, err->msg, want);
	burrow_err_free(err);
	netns_ports_clear(&ps);
}

static void no_conflict(const char *a, const char *b, size_t left)
{
	struct netns_ports ps = {0};
	struct burrow_err *err = NULL;
	const char *specs[] = {a, b};
	if (check_list(specs, 2, &ps, &err) < 0)
		fail_msg("'%s' and '%s': %s", a, b, err->msg);
	assert_int_equal(ps.n, left);
	netns_ports_clear(&ps);
}

static void test_check(void **state)
{
	(void)state;
	conflict("8080:80", "8080:81", "host port 8080/tcp is published twice ('8080:80/tcp' and '8080:81/tcp')");
	conflict("8000-8010:80-90", "8005:99", "host port 8005/tcp");
	conflict("8005:99", "8000-8010:80-90", "host port 8005/tcp");
	conflict("127.0.0.1:8080:80", "8080:81", "8080/tcp");
	conflict("[::1]:8080:80", "[::]:8080:81", "8080/tcp");
	conflict("[::1]:8080:80", "8080:81", "8080/tcp");
	conflict("8080:80/udp", "8080:81/tcp,udp", "8080/udp");
	no_conflict("8080:80", "8080:80", 1); /* a repeat is dropped */
	no_conflict("8080:80/tcp", "8080:80/udp", 2);
	no_conflict("127.0.0.1:8080:80", "127.0.0.2:8080:81", 2);
	no_conflict("127.0.0.1:8080:80", "[::]:8080:81", 2);
	no_conflict("8080:80", "8081:80", 2); /* one container port, two host ports */
	no_conflict("80", "80", 1);
	no_conflict("8000-8001:80-81", "8002:82", 2);
}

/* ---- binding, on loopback ---- */

static int listener_on(unsigned short *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	socklen_t len = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

static bool can_bind(unsigned port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {
	    .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static struct netns_fwd *bind_specs(const char *const *specs, size_t n, struct burrow_err **err)
{
	struct netns_ports ps = {0};
	struct netns_cfg cfg;
	netns_cfg_init(&cfg);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(netns_ports_add(&ps, specs[i], err), 0);
	struct netns_fwd *f = netns_fwd_new(&ps, &cfg, err);
	netns_ports_clear(&ps);
	return f;
}

static void test_bind(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	unsigned short busy;
	int holder = listener_on(&busy);

	/* free ports chosen, reported as bound */
	const char *free_specs[] = {"127.0.0.1::80", "127.0.0.1::90-92/udp"};
	struct netns_fwd *f = bind_specs(free_specs, 2, &err);
	if (!f)
		fail_msg("netns_fwd_new: %s", err->msg);
	const struct netns_ports *got = netns_fwd_ports(f);
	assert_int_equal(got->n, 2);
	assert_int_not_equal(got->v[0].host_port, 0);
	assert_int_not_equal(got->v[1].host_port, 0);
	assert_int_equal(got->v[1].range, 3);
	unsigned first = got->v[0].host_port;
	assert_false(can_bind(first));
	assert_int_equal(netns_fwd_active(f), 0);
	netns_fwd_free(f);
	assert_true(can_bind(first)); /* free at once */

	/* a port in use: its address named, nothing left bound */
	char spec[64];
	unsigned short spare;
	int probe = listener_on(&spare);
	close(probe);
	char ok_spec[64];
	snprintf(ok_spec, sizeof(ok_spec), "127.0.0.1:%u:80", spare);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u:81", busy);
	const char *in_use[] = {ok_spec, spec};
	assert_null(bind_specs(in_use, 2, &err));
	assert_non_null(err);
	assert_int_equal(err->status, EADDRINUSE);
	char want[96];
	snprintf(want, sizeof(want), "cannot listen on 127.0.0.1:%u/tcp: address already in use", busy);
	if (strcmp(err->msg, want) != 0)
		fail_msg("message \"%s\", not \"%s\"", err->msg, want);
	assert_non_null(err->hint);
	assert_true(can_bind(spare)); /* the first one went again */
	burrow_err_free(err);
	err = NULL;

	/* an address this host does not have */
	const char *not_here[] = {"192.0.2.77:8080:80"};
	assert_null(bind_specs(not_here, 1, &err));
	assert_int_equal(err->status, EADDRNOTAVAIL);
	assert_non_null(strstr(err->msg, "cannot listen on 192.0.2.77:8080/tcp: this host has no such address"));
	burrow_err_free(err);
	err = NULL;

	/* a conflict within the list is refused before binding */
	const char *twice[] = {"127.0.0.1:8080:80", "8080:81"};
	assert_null(bind_specs(twice, 2, &err));
	assert_non_null(strstr(err->msg, "conflicting port mappings"));
	burrow_err_free(err);
	close(holder);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forms),   cmocka_unit_test(test_bad),    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_display), cmocka_unit_test(test_expose), cmocka_unit_test(test_check),
	    cmocka_unit_test(test_bind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
