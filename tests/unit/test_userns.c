/* Unit tests for userns/: /etc/subuid parsing and the maps built from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/strv.h"
#include "userns/internal.h"
#include "userns/userns.h"

static void expect_range(const struct userns_subid_range *r, unsigned long start, unsigned long count)
{
	assert_int_equal(r->start, start);
	assert_int_equal(r->count, count);
}

static void test_parse_by_name(void **state)
{
	(void)state;
	struct userns_subid_range *r = NULL;
	int n = userns_parse_subid("alice:100000:65536\nbob:165536:65536\n", "bob", 1001, &r);
	assert_int_equal(n, 1);
	expect_range(&r[0], 165536, 65536);
	free(r);
}

static void test_parse_by_uid(void **state)
{
	(void)state;
	struct userns_subid_range *r = NULL;
	int n = userns_parse_subid("alice:100000:65536\n1001:200000:1000\n", "bob", 1001, &r);
	assert_int_equal(n, 1);
	expect_range(&r[0], 200000, 1000);
	free(r);
	/* no passwd name at all: the uid still matches */
	n = userns_parse_subid("1001:200000:1000\nbob:1:2\n", NULL, 1001, &r);
	assert_int_equal(n, 1);
	expect_range(&r[0], 200000, 1000);
	free(r);
}

static void test_parse_several_in_file_order(void **state)
{
	(void)state;
	struct userns_subid_range *r = NULL;
	const char *f = "bob:300000:10\n"
	                "alice:100000:65536\n"
	                "1001:200000:1000\n"
	                "bob:100:5\n";
	int n = userns_parse_subid(f, "bob", 1001, &r);
	assert_int_equal(n, 3);
	expect_range(&r[0], 300000, 10);
	expect_range(&r[1], 200000, 1000);
	expect_range(&r[2], 100, 5);
	free(r);
}

static void test_parse_ignores_junk(void **state)
{
	(void)state;
	struct userns_subid_range *r = NULL;
	const char *f = "# bob:1:1 is a comment\n"
	                "\n"
	                "   \n"
	                "bob\n"
	                "bob:\n"
	                "bob:100\n"
	                "bob:100:\n"
	                "bob::100\n"
	                "bob:x:100\n"
	                "bob:100:y\n"
	                "bob:-1:100\n"
	                "bob:+1:100\n"
	                "bob:100:0\n"
	                "bob:100:10:extra\n"
	                "bob:4294967295:1\n"
	                "bob:4294967290:10\n"
	                "bob:99999999999999999999999:1\n"
	                ":100:10\n"
	                "bobby:500:10\n"
	                "bo:600:10\n"
	                "10010:700:10\n"
	                "  bob:1000:10  \r\n"
	                "bob:2000:20";
	int n = userns_parse_subid(f, "bob", 1001, &r);
	assert_int_equal(n, 2);
	expect_range(&r[0], 1000, 10);
	expect_range(&r[1], 2000, 20);
	free(r);
}

static void test_parse_none(void **state)
{
	(void)state;
	struct userns_subid_range *r = (void *)1;
	assert_int_equal(userns_parse_subid("alice:100000:65536\n", "bob", 1001, &r), 0);
	assert_null(r);
	assert_int_equal(userns_parse_subid("", "bob", 1001, &r), 0);
	assert_null(r);
	assert_int_equal(userns_parse_subid(NULL, "bob", 1001, &r), 0);
	assert_null(r);
}

static void test_map_from_ranges(void **state)
{
	(void)state;
	struct userns_subid_range rs[] = {{100000, 65536}, {300000, 10}};
	char *m = userns_map_from_ranges(1001, rs, 2);
	assert_string_equal(m, "0 1001 1\n1 100000 65536\n65537 300000 10\n");
	free(m);
	m = userns_map_from_ranges(1001, NULL, 0);
	assert_string_equal(m, "0 1001 1\n");
	free(m);
	/* inside IDs stop below 4294967295 */
	struct userns_subid_range big[] = {{0, 4294967295UL}, {5, 5}};
	m = userns_map_from_ranges(7, big, 2);
	assert_string_equal(m, "0 7 1\n1 0 4294967294\n");
	free(m);
}

static void test_identity_map(void **state)
{
	(void)state;
	char *m = userns_identity_map("         0       1001          1\n");
	assert_string_equal(m, "0 0 1\n");
	free(m);
	m = userns_identity_map("         0          0 4294967295\n");
	assert_string_equal(m, "0 0 4294967295\n");
	free(m);
	m = userns_identity_map("0 1001 1\n1 100000 65536\n");
	assert_string_equal(m, "0 0 1\n1 1 65536\n");
	free(m);
	assert_null(userns_identity_map(""));
	assert_null(userns_identity_map("garbage\n"));
	assert_null(userns_identity_map("0 0 0\n"));
}

static void test_map_oneline(void **state)
{
	(void)state;
	char *m = userns_map_oneline("         0       1000          1\n         1     100000      65536\n");
	assert_string_equal(m, "0 1000 1, 1 100000 65536");
	free(m);
	m = userns_map_oneline("");
	assert_string_equal(m, "");
	free(m);
	/* numbers as wide as the kernel's padding make the line longer than
	 * the text it came from */
	m = userns_map_oneline("1000000000 1000000000 1000000000\n2000000000 2000000000 1000000000\n"
	                       "3000000000 3000000000 1000000000\n4000000000 4000000000  294967295\n");
	assert_string_equal(m, "1000000000 1000000000 1000000000, 2000000000 2000000000 1000000000, "
	                       "3000000000 3000000000 1000000000, 4000000000 4000000000 294967295");
	free(m);
}

static void test_map_to_args(void **state)
{
	(void)state;
	char **a = userns_map_to_args("0 1001 1\n1 100000 65536\n");
	assert_int_equal(strv_len(a), 6);
	assert_string_equal(a[0], "0");
	assert_string_equal(a[1], "1001");
	assert_string_equal(a[2], "1");
	assert_string_equal(a[3], "1");
	assert_string_equal(a[4], "100000");
	assert_string_equal(a[5], "65536");
	strv_free(a);
	a = userns_map_to_args("");
	assert_int_equal(strv_len(a), 0);
	strv_free(a);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(userns_kind_name(USERNS_KIND_SUBUID), "subuid");
	assert_string_equal(userns_kind_name(USERNS_KIND_SINGLE), "single");
	assert_string_equal(userns_kind_name(USERNS_KIND_IDENTITY), "identity");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_by_name),
	    cmocka_unit_test(test_parse_by_uid),
	    cmocka_unit_test(test_parse_several_in_file_order),
	    cmocka_unit_test(test_parse_ignores_junk),
	    cmocka_unit_test(test_parse_none),
	    cmocka_unit_test(test_map_from_ranges),
	    cmocka_unit_test(test_identity_map),
	    cmocka_unit_test(test_map_oneline),
	    cmocka_unit_test(test_map_to_args),
	    cmocka_unit_test(test_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
