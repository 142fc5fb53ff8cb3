/* Unit tests for lib/mountinfo: the fields of /proc/PID/mountinfo lines,
 * octal escapes, optional fields, lines that are not mountinfo's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "lib/mountinfo.h"

static int parse(const char *line, struct mountinfo_entry *e)
{
	return mountinfo_parse(line, strlen(line), e);
}

static void test_fields(void **state)
{
	(void)state;
	cleanup_mountinfo struct mountinfo_entry e = {0};
	assert_int_equal(parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue", &e),
	                 0);
	assert_int_equal(e.id, 36);
	assert_int_equal(e.parent, 35);
	assert_int_equal(e.major, 98);
	assert_int_equal(e.minor, 0);
	assert_string_equal(e.root, "/mnt1");
	assert_string_equal(e.point, "/mnt2");
	assert_string_equal(e.options, "rw,noatime");
	assert_non_null(e.optional);
	assert_string_equal(e.optional[0], "master:1");
	assert_null(e.optional[1]);
	assert_string_equal(e.fstype, "ext3");
	assert_string_equal(e.source, "/dev/root");
	assert_string_equal(e.super, "rw,errors=continue");
}

/* none, one, several optional fields; "-" as a mount point is not the
 * separator */
static void test_optional(void **state)
{
	(void)state;
	cleanup_mountinfo struct mountinfo_entry e = {0};
	assert_int_equal(parse("41 31 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw", &e), 0);
	assert_null(e.optional[0]);
	assert_string_equal(e.fstype, "cgroup2");
	mountinfo_entry_clear(&e);
	assert_int_equal(parse("30 22 0:5 / /dev rw shared:2 master:7 propagate_from:3 unbindable - devtmpfs udev "
	                       "rw,size=10k",
	                       &e),
	                 0);
	assert_string_equal(e.optional[0], "shared:2");
	assert_string_equal(e.optional[1], "master:7");
	assert_string_equal(e.optional[2], "propagate_from:3");
	assert_string_equal(e.optional[3], "unbindable");
	assert_null(e.optional[4]);
	assert_string_equal(e.fstype, "devtmpfs");
	assert_string_equal(e.source, "udev");
	assert_string_equal(e.super, "rw,size=10k");
	mountinfo_entry_clear(&e);
	assert_int_equal(parse("50 22 0:60 / /- rw - tmpfs - rw", &e), 0);
	assert_string_equal(e.point, "/-");
	assert_string_equal(e.source, "-");
	mountinfo_entry_clear(&e);
	assert_int_equal(parse("50 22 0:60 / - rw - tmpfs tmpfs rw", &e), 0);
	assert_string_equal(e.point, "-");
	assert_string_equal(e.fstype, "tmpfs");
}

/* what the kernel escapes (space, tab, newline, backslash) comes back; a
 * backslash without three octal digits stays */
static void test_escapes(void **state)
{
	(void)state;
	cleanup_mountinfo struct mountinfo_entry e = {0};
	assert_int_equal(parse("218 27 0:59 /a\\040b /tmp/my\\040dir\\011x\\012y\\134z rw - fuse.fuse-overlayfs "
	                       "fuse\\040ovl rw,user_id=1001",
	                       &e),
	                 0);
	assert_string_equal(e.root, "/a b");
	assert_string_equal(e.point, "/tmp/my dir\tx\ny\\z");
	assert_string_equal(e.fstype, "fuse.fuse-overlayfs");
	assert_string_equal(e.source, "fuse ovl");
	assert_int_equal(e.major, 0);
	assert_int_equal(e.minor, 59);
	mountinfo_entry_clear(&e);
	assert_int_equal(parse("7 1 0:1 / /a\\04 rw - tmpfs x\\9 rw\\", &e), 0);
	assert_string_equal(e.point, "/a\\04");
	assert_string_equal(e.source, "x\\9");
	assert_string_equal(e.super, "rw\\");
	mountinfo_entry_clear(&e);
	/* \000 would cut the string: kept as it stands */
	assert_int_equal(parse("7 1 0:1 / /a\\000b rw - tmpfs x rw", &e), 0);
	assert_string_equal(e.point, "/a\\000b");
	mountinfo_entry_clear(&e);
	/* an empty source is two spaces in a row */
	assert_int_equal(parse("7 1 0:1 / /e rw - tmpfs  rw", &e), 0);
	assert_string_equal(e.source, "");
	assert_string_equal(e.super, "rw");
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *bad[] = {
	    "",
	    "garbage",
	    "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw", /* no separator */
	    "36 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root",                   /* no super options */
	    "36 35 98:0 /mnt1 /mnt2 - ext3 /dev/root rw",                   /* no mount options */
	    "x 35 98:0 / /m rw - ext3 /dev/root rw",                        /* ID */
	    "36 -35 98:0 / /m rw - ext3 /dev/root rw",                      /* parent */
	    "36 35 98 / /m rw - ext3 /dev/root rw",                         /* no minor */
	    "36 35 98:x / /m rw - ext3 /dev/root rw",                       /* minor */
	    "36 35 98:0:1 / /m rw - ext3 /dev/root rw",                     /* device */
	    "36 35 4294967296:0 / /m rw - ext3 /dev/root rw",               /* major too big */
	    "99999999999999999999999 35 98:0 / /m rw - ext3 /dev/root rw",  /* ID too big */
	    "36 35 98:0 / /m rw -  /dev/root rw",                           /* empty type */
	    "36  35 98:0 / /m rw - ext3 /dev/root rw",                      /* double space */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_mountinfo struct mountinfo_entry e = {0};
		errno = 0;
		if (parse(bad[i], &e) != -1)
			fail_msg("accepted: '%s'", bad[i]);
		assert_int_equal(errno, EINVAL);
		assert_null(e.buf_);
		assert_null(e.point);
	}
	/* a NUL inside the line's length */
	cleanup_mountinfo struct mountinfo_entry e = {0};
	assert_int_equal(mountinfo_parse("7 1 0:1 / /a\0b rw - tmpfs x rw", 29, &e), -1);
}

/* a text of lines: bad ones skipped, the last one without '\n' */
static void test_next(void **state)
{
	(void)state;
	const char *text = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	                   "this is not one\n"
	                   "\n"
	                   "30 22 0:5 / /my\\040dev rw master:2 - devtmpfs udev rw\n"
	                   "31 22 0:590 / /odd rw - tmpfs none rw";
	const char *points[] = {"/", "/my dev", "/odd"};
	cleanup_mountinfo struct mountinfo_entry e = {0};
	size_t n = 0;
	for (const char *cur = text; mountinfo_next(&cur, &e); n++) {
		assert_true(n < 3);
		assert_string_equal(e.point, points[n]);
	}
	assert_int_equal(n, 3);
	assert_null(e.buf_);
	const char *none = NULL;
	assert_int_equal(mountinfo_next(&none, &e), 0);
	const char *empty = "";
	assert_int_equal(mountinfo_next(&empty, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields),    cmocka_unit_test(test_optional), cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_malformed), cmocka_unit_test(test_next),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
