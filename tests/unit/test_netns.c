/* netns_parse, netns_format, netns_dns_server, the poll set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/err.h"
#include "netns/netns.h"

static struct netns_cfg parse_ok(const char *spec)
{
	struct netns_cfg cfg;
	struct burrow_err *err = NULL;
	int rc = netns_parse(spec, &cfg, &err);
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
	assert_int_equal(netns_parse(spec, &cfg, &err), -1);
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
	parse_bad("bridge", "unknown mode 'bridge'", "none or host");
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
	parse_bad("slirp:port_handler=slirp4netns", "unknown option 'port_handler'", "allow_host_loopback, mtu");
	parse_bad("slirp:cidr=10.0.3.0/24", "unknown option 'cidr'", NULL);
	/* the whole spec is named */
	parse_bad("slirp:mtu=abc", "invalid network 'slirp:mtu=abc'", NULL);
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

static void test_pollset(void **state)
{
	(void)state;
	struct netns_pollset ps = {0};
	for (int i = 0; i < 100; i++)
		assert_int_equal(netns_pollset_add(&ps, i, POLLIN), (size_t)i);
	assert_int_equal(ps.n, 100);
	assert_true(ps.cap >= 100);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(ps.fds[i].fd, i);
		assert_int_equal(ps.fds[i].events, POLLIN);
		assert_int_equal(ps.fds[i].revents, 0);
	}
	size_t cap = ps.cap;
	netns_pollset_clear(&ps);
	assert_int_equal(ps.n, 0);
	assert_int_equal(netns_pollset_add(&ps, 7, POLLOUT), 0);
	assert_int_equal(ps.cap, cap);
	netns_pollset_free(&ps);
	assert_null(ps.fds);
	assert_int_equal(ps.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),  cmocka_unit_test(test_modes),  cmocka_unit_test(test_slirp_options),
	    cmocka_unit_test(test_bad_specs), cmocka_unit_test(test_format), cmocka_unit_test(test_dns_server),
	    cmocka_unit_test(test_pollset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
