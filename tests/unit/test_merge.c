/* Unit tests for overlay/merge.h: layers merged as overlayfs shows them
 * (whiteouts as .wh. files and 0/0 devices, opaque directories by marker
 * file and by xattr, a directory over a file and a file over a
 * directory, each directory at its topmost layer), a link never followed,
 * a deep tree walked under a low open-file limit, and the overlay's own
 * xattrs told from the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* Three layers under dir (l0, lowest, to l2) with every form the merge
 * reads: whiteouts as .wh. files (l1: b, d/x) and a 0/0 device where one
 * can be made (l2: a), opaque directories by marker file (l1: o) and by
 * xattr (l2: d2), a directory over a file (f), a file over a directory
 * (g), links (never followed). */
static void make_layers(const char *dir)
{
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
}

/* make_layers in a new directory (*dir), and the log of their walk. */
static char *layers_walked(char *dir)
{
	assert_non_null(mkdtemp(dir));
	make_layers(dir);
	struct walk_rec r = {.log = xstrdup("")};
	struct burrow_err *err = NULL;
	if (walk(dir, 3, &r, &err) < 0)
		fail_msg("%s", err->msg);
	return r.log;
}

static void test_merge_layers(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-merge-XXXXXX";
	struct walk_rec r = {.log = layers_walked(dir)};
	struct burrow_err *err = NULL;
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

/* ovl_merge_has answers as the walk visits: a path is in the merged
 * layers exactly when ovl_merge_walk hands it over (a middle layer's
 * whiteout, an opaque directory in a middle or the top layer, a 0/0
 * device, a file over a directory or under one, a link not followed). */
static void test_merge_has(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-merge-XXXXXX";
	cleanup_free char *log = layers_walked(dir);
	struct burrow_err *err = NULL;
	static const struct {
		const char *path;
		int has;
	} cases[] = {
	    {"", 1},
	    {"a", 0},
	    {"b", 0},
	    {"d", 1},
	    {"d/x", 0},
	    {"d/y", 1},
	    {"d/sub/z", 1},
	    {"d/u", 1},
	    {"d/w", 1},
	    {"d/nothere", 0},
	    {"d2", 1},
	    {"d2/hidden", 0},
	    {"d2/n", 1},
	    {"f", 1},
	    {"f/ff", 1},
	    {"g", 1},
	    {"g/in", 0},
	    {"lnk", 1},
	    {"lnk/passwd", 0},
	    {"o", 1},
	    {"o/old", 0},
	    {"o/oldsub", 0},
	    {"o/oldsub/q", 0},
	    {"o/new", 1},
	    {"up", 1},
	    {"up/l0", 0},
	    {"nothere", 0},
	    {".wh.b", 0},
	    {"o/.wh..wh..opq", 0},
	    {"d/../a", 0},
	    {"/d//sub/z", 1},
	};
	int fds[3];
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *p = xasprintf("%s/l%zu", dir, i);
		fds[i] = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(fds[i] >= 0);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int has = ovl_merge_has(fds, 3, cases[i].path, &err);
		if (has < 0)
			fail_msg("%s: %s", cases[i].path, err->msg);
		if (has != cases[i].has)
			fail_msg("'%s': %s, not %s", cases[i].path, has ? "in" : "not in",
			         cases[i].has ? "in" : "not in");
		/* the walk visits it, or does not */
		const char *p = cases[i].path;
		while (*p == '/')
			p++;
		if (!*p || strstr(p, "//") || strstr(p, ".."))
			continue;
		cleanup_free char *file = xasprintf("\nF %s ", p), *d = xasprintf("\nE %s ", p);
		bool walked = strstr(log, file) || strstr(log, d);
		if (walked != (cases[i].has == 1))
			fail_msg("'%s': the walk %s it", p, walked ? "visits" : "does not visit");
	}
	for (size_t i = 0; i < 3; i++)
		close(fds[i]);
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
	    cmocka_unit_test(test_merge_has),
	    cmocka_unit_test(test_merge_whiteout_beside_entry),
	    cmocka_unit_test(test_merge_deep),
	    cmocka_unit_test(test_merge_private_xattrs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
