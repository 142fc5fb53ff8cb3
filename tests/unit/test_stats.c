/* burrow stats' parsers: /proc/PID/net/dev and /proc/PID/io. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "container/stats.h"

static void test_netdev(void **state)
{
	(void)state;
	const char *text = "Inter-|   Receive                                                |  Transmit\n"
	                   " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
	                   "drop fifo colls carrier compressed\n"
	                   "    lo:  999999      10    0    0    0     0          0         0   999999      10    0    "
	                   "0    0     0       0          0\n"
	                   "  tap0: 1200 12 0 0 0 0 0 0 3400 34 0 0 0 0 0 0\n"
	                   " eth1:5 1 0 0 0 0 0 0 7 1 0 0 0 0 0 0\n";
	long long rx = -1, tx = -1;
	/* every interface but lo; a name glued to its numbers too */
	assert_int_equal(ctr_stats_parse_netdev(text, &rx, &tx), 0);
	assert_int_equal(rx, 1205);
	assert_int_equal(tx, 3407);
	/* only lo (--network none): nothing, but known */
	const char *lo = "h\nh\n    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n";
	assert_int_equal(ctr_stats_parse_netdev(lo, &rx, &tx), 0);
	assert_int_equal(rx, 0);
	assert_int_equal(tx, 0);
	/* not a net/dev text: unknown, the values untouched */
	rx = tx = 42;
	assert_int_equal(ctr_stats_parse_netdev("garbage\n", &rx, &tx), -1);
	assert_int_equal(ctr_stats_parse_netdev("", &rx, &tx), -1);
	assert_int_equal(rx, 42);
}

static void test_io(void **state)
{
	(void)state;
	const char *text = "rchar: 100\nwchar: 200\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\n"
	                   "cancelled_write_bytes: 0\n";
	long long rd = -1, wr = -1;
	assert_int_equal(ctr_stats_parse_io(text, &rd, &wr), 0);
	assert_int_equal(rd, 4096);
	assert_int_equal(wr, 8192);
	/* unreadable (NULL) or incomplete: unknown */
	assert_int_equal(ctr_stats_parse_io(NULL, &rd, &wr), -1);
	assert_int_equal(ctr_stats_parse_io("rchar: 1\nread_bytes: 5\n", &rd, &wr), -1);
	assert_int_equal(ctr_stats_parse_io("read_bytes: x\nwrite_bytes: 1\n", &rd, &wr), -1);
	assert_int_equal(rd, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_netdev),
	    cmocka_unit_test(test_io),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
