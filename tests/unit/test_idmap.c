/* Unit tests for userns/idmap.c: burrow's namespace as its maps read, the
 * keep-id map, and the checks of --uidmap/--gidmap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/err.h"
#include "userns/userns.h"

static void test_ids_parse(void **state)
{
	(void)state;
	unsigned long avail = 0, host = 0;
	assert_int_equal(
	    userns_ids_parse("         0       1001          1\n         1     100000      65536\n", &avail, &host), 0);
	assert_int_equal(avail, 65537);
	assert_int_equal(host, 1001);
	/* single-ID */
	assert_int_equal(userns_ids_parse("0 1002 1\n", &avail, &host), 0);
	assert_int_equal(avail, 1);
	assert_int_equal(host, 1002);
	/* ranges in any order; a gap ends the run from 0 */
	assert_int_equal(userns_ids_parse("1 100000 10\n0 1000 1\n20 300000 5\n", &avail, &host), 0);
	assert_int_equal(avail, 11);
	/* no ID 0 */
	assert_int_equal(userns_ids_parse("1 100000 10\n", &avail, &host), -1);
	assert_int_equal(userns_ids_parse("", &avail, &host), -1);
}

static void test_keep_id(void **state)
{
	(void)state;
	char *m = userns_map_keep_id(1001, 65537);
	assert_string_equal(m, "0:1:1001,1001:0:1,1002:1002:64535");
	free(m);
	m = userns_map_keep_id(1002, 1); /* single-ID: only the user */
	assert_string_equal(m, "1002:0:1");
	free(m);
	m = userns_map_keep_id(0, 4294967295UL); /* root: identity */
	assert_string_equal(m, "0:0:1,1:1:4294967294");
	free(m);
	m = userns_map_keep_id(65536, 65537); /* the last ID: nothing above */
	assert_string_equal(m, "0:1:65536,65536:0:1");
	free(m);
	m = userns_map_keep_id(70000, 65537); /* beyond the range: all below it */
	assert_string_equal(m, "0:1:65536,70000:0:1");
	free(m);
}

static void check_fails(const char *map, unsigned long avail, const char *needle)
{
	struct burrow_err *err = NULL;
	assert_int_equal(userns_map_check(map, avail, "--uidmap", &err), -1);
	assert_non_null(err);
	if (!strstr(err->msg, needle))
		fail_msg("'%s': message '%s' lacks '%s'", map, err->msg, needle);
	burrow_err_free(err);
}

static void test_map_check(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	assert_int_equal(userns_map_check("0:1:1000,1000:0:1", 65537, "--uidmap", &err), 0);
	assert_int_equal(userns_map_check("0:0:1", 1, "--uidmap", &err), 0);
	assert_null(err);
	check_fails("0:1:1", 1, "IDs 0 to 0 only");
	check_fails("0:1:65537", 65537, "IDs 0 to 65536 only");
	check_fails("0:1", 65537, "invalid --uidmap '0:1'");
	check_fails("0:1:0", 65537, "invalid --uidmap");
	check_fails("a:1:2", 65537, "invalid --uidmap");
	check_fails("0:1:10,5:20:10", 65537, "overlap in the container IDs");
	check_fails("0:1:10,20:5:10", 65537, "overlap in the host IDs");
	check_fails("4294967290:0:10", 4294967295UL, "go past");
	check_fails("", 65537, "invalid --uidmap");
}

static void collect(unsigned long ctr, unsigned long host, unsigned long size, void *data)
{
	char *buf = data;
	snprintf(buf + strlen(buf), 256 - strlen(buf), "%lu %lu %lu\n", ctr, host, size);
}

static void test_map_each(void **state)
{
	(void)state;
	char buf[256] = "";
	userns_map_each("0:1:1001,1001:0:1", collect, buf);
	assert_string_equal(buf, "0 1 1001\n1001 0 1\n");
}

static void test_map_to_host(void **state)
{
	(void)state;
	unsigned long h = 99;
	/* keep-id of 1001: the container's 0 is burrow's 1, its 1001 burrow's 0 */
	assert_int_equal(userns_map_to_host("0:1:1001,1001:0:1,1002:1002:64535", 0, &h), 0);
	assert_int_equal(h, 1);
	assert_int_equal(userns_map_to_host("0:1:1001,1001:0:1,1002:1002:64535", 5, &h), 0);
	assert_int_equal(h, 6);
	assert_int_equal(userns_map_to_host("0:1:1001,1001:0:1,1002:1002:64535", 1001, &h), 0);
	assert_int_equal(h, 0);
	assert_int_equal(userns_map_to_host("0:1:1001,1001:0:1,1002:1002:64535", 2000, &h), 0);
	assert_int_equal(h, 2000);
	/* outside every range */
	assert_int_equal(userns_map_to_host("1002:0:1", 0, &h), -1);
	assert_int_equal(userns_map_to_host("0:1:1001,1001:0:1,1002:1002:64535", 66537, &h), -1);
	/* no map: burrow's own IDs */
	assert_int_equal(userns_map_to_host(NULL, 7, &h), 0);
	assert_int_equal(h, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_parse), cmocka_unit_test(test_keep_id),     cmocka_unit_test(test_map_check),
	    cmocka_unit_test(test_map_each),  cmocka_unit_test(test_map_to_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
