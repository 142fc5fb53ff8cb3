/* Unit tests for overlay/merge.h: layers merged as overlayfs shows them
 * (whiteouts as .wh. files and 0/0 devices, opaque directories by marker
 * file and by xattr, a directory over a file and a file over a
 * directory, each directory at its topmost layer), a link never followed,
 * a deep tree walked under a low open-file limit, and the overlay's own
 * xattrs told from the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "overlay/merge.h"
#include "tests/unit/dirchain.h"
#include "tests/unit/walkrec.h"

/* Makes each path below root: a trailing "/" a directory, "name>target" a
 * symlink, anything else an empty file. */
static void make(const char *root, const char *const *paths)
{
	for (size_t i = 0; paths[i]; i++) {
		cleanup_free char *p = xasprintf("%s/%s", root, paths[i]);
		size_t n = strlen(p);
		char *gt = strchr(p, '>');
		if (p[n - 1] == '/') {
			p[n - 1] = '\0';
			assert_int_equal(mkdir(p, 0755), 0);
		} else if (gt) {
			*gt = '\0';
			assert_int_equal(symlink(gt + 1, p), 0);
		} else {
			int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			assert_true(fd >= 0);
			close(fd);
		}
	}
}

static int walk(const char *dir, size_t n, struct walk_rec *r, struct burrow_err **err)
{
	int fds[3];
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *p = xasprintf("%s/l%zu", dir, i);
		fds[i] = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(fds[i] >= 0);
	}
	int rc = ovl_merge_walk(fds, n, walk_record, r, err);
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	return rc;
}

static void test_merge_layers(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-merge-XXXXXX";
	assert_non_null(mkdtemp(dir));
	static const char *const l0[] = {"l0/",      "l0/a",         "l0/b",          "l0/d/",       "l0/d/x",
	                                 "l0/d/y",   "l0/d/sub/",    "l0/d/sub/z",    "l0/d2/",      "l0/d2/hidden",
	                                 "l0/f",     "l0/g/",        "l0/g/in",       "l0/lnk>/etc", "l0/o/",
	                                 "l0/o/old", "l0/o/oldsub/", "l0/o/oldsub/q", NULL};
	static const char *const l1[] = {
	    "l1/",      "l1/.wh.b", "l1/d/",   "l1/d/w", "l1/d/.wh.x", "l1/o/", "l1/o/.wh..wh..opq",
	    "l1/o/new", "l1/f/",    "l1/f/ff", "l1/g",   NULL};
	static const char *const l2[] = {"l2/", "l2/d/", "l2/d/u", "l2/d2/", "l2/d2/n", "l2/up>../../..", NULL};
	make(dir, l0);
	make(dir, l1);
	make(dir, l2);
	/* the upper dir's whiteout as fuse-overlayfs makes it where it may
	 * (a 0/0 device), else as a file; its opaque directory by xattr */
	cleanup_free char *a = xasprintf("%s/l2/a", dir), *d2 = xasprintf("%s/l2/d2", dir);
	if (mknod(a, S_IFCHR | 0600, makedev(0, 0)) < 0) {
		cleanup_free char *wh = xasprintf("%s/l2/.wh.a", dir);
		int fd = open(wh, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	if (setxattr(d2, "user.fuseoverlayfs.opaque", "y", 1, 0) < 0) {
		cleanup_free char *opq = xasprintf("%s/l2/d2/.wh..wh..opq", dir);
		int fd = open(opq, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	struct walk_rec r = {.log = xstrdup("")};
	struct burrow_err *err = NULL;
	if (walk(dir, 3, &r, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(r.log, "E  4\n"
	                           "E d 4\nE d/sub 4\nF d/sub/z 8\nL d/sub 4\nF d/u 8\nF d/w 8\nF d/y 8\nL d 4\n"
	                           "E d2 4\nF d2/n 8\nL d2 4\n"
	                           "E f 4\nF f/ff 8\nL f 4\n"
	                           "F g 8\nF lnk 10\n"
	                           "E o 4\nF o/new 8\nL o 4\n"
	                           "F up 10\n"
	                           "L  4\n");
	free(r.log);
	/* the lowest layer alone: all of it */
	r = (struct walk_rec){.log = xstrdup("")};
	assert_int_equal(walk(dir, 1, &r, &err), 0);
	assert_non_null(strstr(r.log, "F d/x 8\n"));
	assert_non_null(strstr(r.log, "F o/oldsub/q 8\n"));
	free(r.log);
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* A layer that whites out a name it has itself (a tar that holds both
 * unpacks so): the name is hidden, a directory's lower content too, as
 * fuse-overlayfs shows it; the export of a running container (its mount)
 * and of a stopped one (this walk) agree. */
static void test_merge_whiteout_beside_entry(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-merge-XXXXXX";
	assert_non_null(mkdtemp(dir));
	static const char *const l0[] = {"l0/", "l0/f", "l0/d/", "l0/d/low", "l0/k", NULL};
	static const char *const l1[] = {"l1/",      "l1/.wh.f", "l1/f", "l1/.wh.d", "l1/d/",
	                                 "l1/d/top", "l1/.wh.n", "l1/n", "l1/k",     NULL};
	make(dir, l0);
	make(dir, l1);
	struct walk_rec r = {.log = xstrdup("")};
	struct burrow_err *err = NULL;
	if (walk(dir, 2, &r, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(r.log, "E  4\nF k 8\nL  4\n");
	free(r.log);
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* A chain of 200 directories in the upper layer over a lower one that has
 * its first levels: walked whole with 64 descriptors allowed. */
static void test_merge_deep(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-merge-XXXXXX";
	assert_non_null(mkdtemp(dir));
	static const char *const l0[] = {"l0/", "l0/d/", "l0/d/d/", "l0/d/d/low", NULL};
	static const char *const l1[] = {"l1/", NULL};
	make(dir, l0);
	make(dir, l1);
	cleanup_free char *top = xasprintf("%s/l1", dir);
	close(dir_chain(open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC), 200, 0755));
	struct rlimit old, low = {.rlim_cur = 64};
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	struct walk_rec r = {.log = xstrdup("")};
	struct burrow_err *err = NULL;
	int rc = walk(dir, 2, &r, &err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	if (rc < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(r.maxdepth, 200);
	assert_non_null(strstr(r.log, "F d/d/low 8\n"));
	free(r.log);
	assert_int_equal(rm_rf(dir, &err), 0);
}

static void test_merge_private_xattrs(void **state)
{
	(void)state;
	assert_true(ovl_private_xattr("user.fuseoverlayfs.opaque"));
	assert_true(ovl_private_xattr("trusted.overlay.origin"));
	assert_true(ovl_private_xattr("user.overlay.opaque"));
	assert_false(ovl_private_xattr("user.mime_type"));
	assert_false(ovl_private_xattr("security.capability"));
	assert_false(ovl_private_xattr("user.overlayish"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_layers),
	    cmocka_unit_test(test_merge_whiteout_beside_entry),
	    cmocka_unit_test(test_merge_deep),
	    cmocka_unit_test(test_merge_private_xattrs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
