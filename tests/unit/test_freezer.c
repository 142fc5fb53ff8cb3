/* The cgroup2 lookups of the freezer: the hierarchy in mountinfo, a
 * process's path in /proc/PID/cgroup, cgroup.events' frozen value; and
 * inspect's State.CgroupPath from /proc/PID/cgroup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "container/freezer.h"
#include "container/inspect.h"
#include "lib/cleanup.h"

static void test_mount_find(void **state)
{
	(void)state;
	/* hybrid: v1 controllers, the unified hierarchy beside them */
	const char *hybrid = "30 25 0:26 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
	                     "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw\n"
	                     "32 30 0:28 / /sys/fs/cgroup/memory rw shared:11 - cgroup cgroup rw,memory\n";
	cleanup_free char *a = ctr_cg2_mount_find(hybrid);
	assert_string_equal(a, "/sys/fs/cgroup/unified");
	/* pure v2, no optional fields; a bind of a subtree first is not it */
	const char *pure = "40 1 0:30 /user.slice /mnt/x rw - cgroup2 cgroup2 rw\n"
	                   "41 31 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw";
	cleanup_free char *b = ctr_cg2_mount_find(pure);
	assert_string_equal(b, "/sys/fs/cgroup");
	/* none, or only v1 */
	assert_null(ctr_cg2_mount_find(""));
	assert_null(ctr_cg2_mount_find("32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"));
	/* a mount point with an escaped space, decoded */
	cleanup_free char *c = ctr_cg2_mount_find("41 31 0:38 / /a\\040b rw - cgroup2 cgroup2 rw\n");
	assert_string_equal(c, "/a b");
	/* a source named cgroup2 of another type */
	assert_null(ctr_cg2_mount_find("41 31 0:38 / /x rw - tmpfs cgroup2 rw\n"));
}

static void test_path_find(void **state)
{
	(void)state;
	cleanup_free char *a = ctr_cg2_path_find("9:name=systemd:/\n4:memory:/a/b\n0::/burrow-test-t1/burrow-0123\n");
	assert_string_equal(a, "/burrow-test-t1/burrow-0123");
	cleanup_free char *b = ctr_cg2_path_find("0::/\n");
	assert_string_equal(b, "/");
	/* v1 only; a v1 line that ends like one; a deleted or climbing one */
	assert_null(ctr_cg2_path_find("4:memory:/a\n"));
	cleanup_free char *c = ctr_cg2_path_find("4:name=x:/10::/a\n0::/user.slice");
	assert_string_equal(c, "/user.slice");
	assert_null(ctr_cg2_path_find("0::/gone (deleted)\n"));
	assert_null(ctr_cg2_path_find("0::/../escape\n"));
}

static void test_inspect_cgroup_find(void **state)
{
	(void)state;
	/* hybrid: the longest of the controllers' and the v2 path, named
	 * hierarchies (longer here) left out, as podman picks */
	cleanup_free char *a = ctr_inspect_cgroup_find("9:name=systemd:/user.slice/user-1001.slice/session-9.scope\n"
	                                               "4:memory:/process_api/b89a\n3:cpuset:/\n0::/\n");
	assert_string_equal(a, "/process_api/b89a");
	/* pure v2; the last line without its newline; a path with ':' */
	cleanup_free char *b = ctr_inspect_cgroup_find("0::/user.slice/burrow-0123");
	assert_string_equal(b, "/user.slice/burrow-0123");
	cleanup_free char *c = ctr_inspect_cgroup_find("0::/\n1:cpu:/a:b\n");
	assert_string_equal(c, "/a:b");
	cleanup_free char *d = ctr_inspect_cgroup_find("0::/\n");
	assert_string_equal(d, "/");
	/* nothing but named hierarchies or malformed lines */
	assert_null(ctr_inspect_cgroup_find("1:name=systemd:/x\nbroken\n"));
	assert_null(ctr_inspect_cgroup_find(""));
}

static void test_frozen_find(void **state)
{
	(void)state;
	assert_int_equal(ctr_cg2_frozen_find("populated 1\nfrozen 1\n"), 1);
	assert_int_equal(ctr_cg2_frozen_find("populated 1\nfrozen 0\n"), 0);
	assert_int_equal(ctr_cg2_frozen_find("frozen 1"), 1);
	assert_int_equal(ctr_cg2_frozen_find("populated 1\n"), -1);
	assert_int_equal(ctr_cg2_frozen_find("xfrozen 1\nfrozen 0\n"), 0);
	assert_int_equal(ctr_cg2_frozen_find("frozen 12\n"), -1);
}

static void test_parent_find(void **state)
{
	(void)state;
	cleanup_free char *a =
	    ctr_cg2_parent_find("/sys/fs/cgroup", "/sys/fs/cgroup/user.slice/user-1000.slice/x.scope");
	assert_string_equal(a, "/sys/fs/cgroup/user.slice/user-1000.slice");
	cleanup_free char *b = ctr_cg2_parent_find("/sys/fs/cgroup/", "/sys/fs/cgroup/t1/leaf");
	assert_string_equal(b, "/sys/fs/cgroup/t1");
	/* one level below the root: its parent is the root, never the user's */
	assert_null(ctr_cg2_parent_find("/sys/fs/cgroup", "/sys/fs/cgroup/x.scope"));
	assert_null(ctr_cg2_parent_find("/sys/fs/cgroup/unified", "/sys/fs/cgroup/unified/x.scope"));
	/* the root itself, or not below it */
	assert_null(ctr_cg2_parent_find("/sys/fs/cgroup", "/sys/fs/cgroup"));
	assert_null(ctr_cg2_parent_find("/sys/fs/cgroup", "/sys/fs/cgroupx/a/b"));
	assert_null(ctr_cg2_parent_find("/sys/fs/cgroup", "/sys/fs/cgroup/a/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mount_find),          cmocka_unit_test(test_path_find),
	    cmocka_unit_test(test_inspect_cgroup_find), cmocka_unit_test(test_frozen_find),
	    cmocka_unit_test(test_parent_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
