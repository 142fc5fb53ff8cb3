/* Unit tests for ctr_tree_size (container/sysreset.c: system df's and a
 * container's sizes): a file system mounted inside the tree is not
 * counted (its directory is skipped, WALK_SKIP); a directory that cannot
 * be opened counts as empty, everything else is counted, no error
 * (WALK_LENIENT). Each runs in a child: one with a mount namespace of its
 * own, one that is nobody when the test runs as root (root opens any
 * directory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "tests/unit/childrun.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"

/* dir/rel, a file of n bytes. */
static int put(const char *dir, const char *rel, size_t n)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, rel);
	cleanup_free char *buf = xcalloc(n + 1, 1);
	memset(buf, 'x', n);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	return fd >= 0 && write_all(fd, buf, n) == 0 ? 0 : -1;
}

static int sub(const char *dir, const char *rel)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, rel);
	return mkdir(path, 0755);
}

/* "RC SIZE" of ctr_tree_size(dir/rel), into out. */
static void measure(const char *dir, const char *rel, char *out, size_t n)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, rel);
	long long size = -1;
	struct burrow_err *err = NULL;
	int rc = ctr_tree_size(path, &size, &err);
	size_t len = strlen(out);
	snprintf(out + len, n - len, "%s%d %lld", len ? " " : "", rc, size);
	burrow_err_free(err);
}

/* A mount namespace of its own (as a user: in a user namespace of its
 * own too, where the user is root), a tmpfs on dir/t/m with 100 bytes
 * in it: t measured, then t/m alone. */
static int other_fs(const void *arg, char *out, size_t n)
{
	const char *dir = arg;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWNS | (uid ? CLONE_NEWUSER : 0)) < 0)
		return -1;
	if (uid) {
		char map[64];
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
		if (write_file("/proc/self/uid_map", map, strlen(map), 0, NULL) < 0 ||
		    write_file("/proc/self/setgroups", "deny", 4, 0, NULL) < 0)
			return -1;
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
		if (write_file("/proc/self/gid_map", map, strlen(map), 0, NULL) < 0)
			return -1;
	}
	cleanup_free char *m = xasprintf("%s/t/m", dir);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || mount("tmpfs", m, "tmpfs", 0, "size=1m") < 0 ||
	    put(dir, "t/m/x", 100) < 0)
		return -1;
	measure(dir, "t", out, n);
	measure(dir, "t/m", out, n);
	return 0;
}

static void test_tree_size_other_fs(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-treesize-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(sub(dir, "t"), 0);
	assert_int_equal(sub(dir, "t/m"), 0);
	assert_int_equal(put(dir, "t/a", 5), 0);
	cleanup_free char *got = child_run(other_fs, dir);
	assert_string_equal(got, "0 5 0 100");
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* As nobody when root: dir/t measured. */
static int unreadable(const void *arg, char *out, size_t n)
{
	const char *dir = arg;
	if (child_drop_root() < 0)
		return -1;
	measure(dir, "t", out, n);
	return 0;
}

static void test_tree_size_unreadable(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-treesize-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(sub(dir, "t"), 0);
	assert_int_equal(sub(dir, "t/locked"), 0);
	assert_int_equal(sub(dir, "t/z"), 0);
	assert_int_equal(put(dir, "t/a", 5), 0);
	assert_int_equal(put(dir, "t/locked/b", 7), 0);
	assert_int_equal(put(dir, "t/z/c", 11), 0);
	cleanup_free char *locked = xasprintf("%s/t/locked", dir);
	/* root's, 0700, for nobody; the user's own, 0, for a user */
	assert_int_equal(chmod(locked, geteuid() == 0 ? 0700 : 0), 0);
	cleanup_free char *got = child_run(unreadable, dir);
	assert_int_equal(chmod(locked, 0755), 0);
	assert_string_equal(got, "0 16");
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tree_size_other_fs),
	    cmocka_unit_test(test_tree_size_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
