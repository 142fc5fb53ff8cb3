/* Unit tests for lib/walk.h: links out and a FIFO visited as themselves
 * (never followed, never opened), sorted order, a deep tree walked with a
 * few descriptors, directories moved away under the walk, a directory
 * swapped for a link out between the listing and its open, WALK_SKIP,
 * WALK_LENIENT over a directory the walker may not open. */
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
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/walk.h"
#include "lib/xalloc.h"
#include "tests/unit/childrun.h"
#include "tests/unit/dirchain.h"
#include "tests/unit/walkrec.h"

/* openat, wrapped: when armed, the first ".." the walk opens on its way
 * up first does these renames (as a container racing the walk could). */
static const char *renames[4];

int openat(int fd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	if (renames[0] && strcmp(path, "..") == 0) {
		for (int i = 0; i < 4 && renames[i]; i += 2)
			if (rename(renames[i], renames[i + 1]) < 0)
				return -1;
		renames[0] = NULL;
	}
	return (int)syscall(SYS_openat, fd, path, flags, mode);
}

static void make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

/* dir/t: a chain of depth directories "d". */
static void make_chain(const char *dir, int depth)
{
	cleanup_free char *top = xasprintf("%s/t", dir);
	assert_int_equal(mkdir(top, 0755), 0);
	close(dir_chain(open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC), depth, 0755));
}

static void test_walk_links_fifo(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-walk-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *outside = xasprintf("%s/outside", dir), *victim = xasprintf("%s/outside/victim", dir);
	cleanup_free char *t = xasprintf("%s/t", dir), *d = xasprintf("%s/t/d", dir), *g = xasprintf("%s/t/d/g", dir);
	cleanup_free char *a = xasprintf("%s/t/a", dir), *p = xasprintf("%s/t/p", dir);
	cleanup_free char *b = xasprintf("%s/t/b", dir), *c = xasprintf("%s/t/c", dir), *e = xasprintf("%s/t/e", dir);
	assert_int_equal(mkdir(outside, 0755), 0);
	make_file(victim);
	assert_int_equal(mkdir(t, 0755), 0);
	assert_int_equal(mkdir(d, 0755), 0);
	make_file(g);
	make_file(a);
	assert_int_equal(symlink("../outside", b), 0); /* a link up and out */
	assert_int_equal(symlink(outside, c), 0);      /* an absolute one */
	assert_int_equal(symlink("d", e), 0);          /* a link to a directory inside */
	assert_int_equal(mkfifo(p, 0644), 0);          /* a FIFO: opening it would wait */
	const char *want =
	    "E t 4\nF t/a 8\nF t/b 10\nF t/c 10\nE t/d 4\nF t/d/g 8\nL t/d 4\nF t/e 10\nF t/p 1\nL t 4\n";
	const int modes[] = {WALK_SORTED, WALK_SORTED | WALK_STAT};
	for (size_t i = 0; i < 2; i++) {
		struct walk_rec r = {.log = xstrdup("")};
		struct burrow_err *err = NULL;
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (walk_tree(fd, "t", "t", modes[i], walk_record, &r, &err) < 0)
			fail_msg("%s", err->msg);
		assert_string_equal(r.log, want);
		free(r.log);
		/* a link as the top: itself */
		r = (struct walk_rec){.log = xstrdup("")};
		assert_int_equal(walk_tree(fd, "t/c", "c", modes[i], walk_record, &r, &err), 0);
		assert_string_equal(r.log, "F c 10\n");
		free(r.log);
		/* a missing top is an error the caller can tell */
		r = (struct walk_rec){0};
		assert_int_equal(walk_tree(fd, "none", "none", modes[i], walk_record, &r, &err), -1);
		assert_int_equal(err->status, ENOENT);
		assert_non_null(strstr(err->msg, "'none'"));
		burrow_err_free(err);
		close(fd);
	}
	/* the content of a directory, with an empty top */
	struct walk_rec r = {.log = xstrdup("")};
	struct burrow_err *err = NULL;
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(walk_tree(fd, ".", "", WALK_SORTED, walk_record, &r, &err), 0);
	assert_string_equal(r.log, "E  4\nF g 8\nL  4\n");
	free(r.log);
	close(fd);
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* A directory the walk listed is swapped for a link out before the walk
 * opens it (here by the callback, at the entry before it; in a container,
 * by a racing process): the link is visited as itself, never followed. */
static const char *swap_dir, *swap_aside, *swap_link;

static int record_swap(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	if (step == WALK_FILE && strcmp(at->path, "t/a") == 0) {
		assert_int_equal(rename(swap_dir, swap_aside), 0);
		assert_int_equal(symlink(swap_link, swap_dir), 0);
	}
	return walk_record(at, step, data, err);
}

static void test_walk_swapped_for_link(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-walk-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *outside = xasprintf("%s/outside", dir), *victim = xasprintf("%s/outside/victim", dir);
	cleanup_free char *t = xasprintf("%s/t", dir), *a = xasprintf("%s/t/a", dir), *d = xasprintf("%s/t/d", dir);
	cleanup_free char *aside = xasprintf("%s/aside", dir);
	assert_int_equal(mkdir(outside, 0755), 0);
	make_file(victim);
	assert_int_equal(mkdir(t, 0755), 0);
	make_file(a);
	assert_int_equal(mkdir(d, 0755), 0);
	swap_dir = d, swap_aside = aside, swap_link = outside;
	struct walk_rec r = {.log = xstrdup("")};
	struct burrow_err *err = NULL;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* without WALK_STAT: d's type is the one the listing gave (a directory) */
	if (walk_tree(fd, "t", "t", WALK_SORTED, record_swap, &r, &err) < 0)
		fail_msg("%s", err->msg);
	close(fd);
	assert_string_equal(r.log, "E t 4\nF t/a 8\nF t/d 10\nL t 4\n");
	free(r.log);
	assert_int_equal(rm_rf(dir, &err), 0);
}

static void test_walk_deep(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-walk-XXXXXX";
	assert_non_null(mkdtemp(dir));
	make_chain(dir, 3000);
	/* one fd per level would need 3,000 */
	struct rlimit old, low = {.rlim_cur = 64};
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	struct walk_rec r = {0};
	struct burrow_err *err = NULL;
	int fds = count_fds();
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = walk_tree(fd, "t", "t", WALK_STAT | WALK_MOVES_FAIL, walk_record, &r, &err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	if (rc < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(r.enters, 3001);
	assert_int_equal(r.leaves, 3001);
	assert_int_equal(r.files, 0);
	assert_int_equal(r.maxdepth, 3000);
	/* and nothing is left open */
	close(fd);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* Renames at the walk's first "..", deep in a chain of 100 (above the
 * directories it keeps open): what moved inside the tree goes on being
 * walked, what moved away from above the walk is left out, or fails it
 * with WALK_MOVES_FAIL. */
static void test_walk_moved(void **state)
{
	(void)state;
	for (int round = 0; round < 3; round++) {
		char dir[] = "/tmp/burrow-test-walk-XXXXXX";
		assert_non_null(mkdtemp(dir));
		make_chain(dir, 100);
		cleanup_free char *outside = xasprintf("%s/outside", dir),
		                  *victim = xasprintf("%s/outside/victim", dir);
		cleanup_free char *l2 = xasprintf("%s/t/d/d", dir), *moved = xasprintf("%s/outside/moved", dir);
		cleanup_free char *l3 = xasprintf("%s/outside/moved/d", dir), *m3 = xasprintf("%s/outside/m3", dir);
		assert_int_equal(mkdir(outside, 0755), 0);
		make_file(victim);
		/* round 0: level 2 moved out; 1 and 2: level 3 moved out of it too */
		renames[0] = l2, renames[1] = moved;
		renames[2] = round ? l3 : NULL, renames[3] = round ? m3 : NULL;
		struct walk_rec r = {0};
		struct burrow_err *err = NULL;
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int rc = walk_tree(fd, "t", "t", round == 2 ? WALK_MOVES_FAIL : 0, walk_record, &r, &err);
		close(fd);
		assert_null(renames[0]);
		if (round == 2) {
			assert_int_equal(rc, -1);
			assert_int_equal(err->status, ESTALE);
			if (!strstr(err->msg, "was moved meanwhile"))
				fail_msg("%s", err->msg);
			burrow_err_free(err);
			err = NULL;
		} else {
			if (rc < 0)
				fail_msg("%s", err->msg);
			assert_int_equal(r.enters, 101);
			/* round 1: levels 2 and 3, away from where the walk
			 * found them, are not left */
			assert_int_equal(r.leaves, round ? 99 : 101);
		}
		assert_int_equal(r.files, 0);
		assert_int_equal(rm_rf(dir, &err), 0);
	}
}

/* The visitor returns WALK_SKIP at t/s's WALK_ENTER: nothing below it is
 * visited, no WALK_LEAVE follows for it, its siblings are walked. */
static int record_skip(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	int r = walk_record(at, step, data, err);
	return step == WALK_ENTER && strcmp(at->path, "t/s") == 0 ? WALK_SKIP : r;
}

static void test_walk_skip(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-walk-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *dirs[] = {"t", "t/s", "t/s/sub", "t/u"}, *files[] = {"t/a", "t/s/x", "t/s/sub/y", "t/u/w"};
	for (size_t i = 0; i < 4; i++) {
		cleanup_free char *d = xasprintf("%s/%s", dir, dirs[i]);
		assert_int_equal(mkdir(d, 0755), 0);
	}
	for (size_t i = 0; i < 4; i++) {
		cleanup_free char *f = xasprintf("%s/%s", dir, files[i]);
		make_file(f);
	}
	struct walk_rec r = {.log = xstrdup("")};
	struct burrow_err *err = NULL;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (walk_tree(fd, "t", "t", WALK_SORTED, record_skip, &r, &err) < 0)
		fail_msg("%s", err->msg);
	close(fd);
	assert_string_equal(r.log, "E t 4\nF t/a 8\nE t/s 4\nE t/u 4\nF t/u/w 8\nL t/u 4\nL t 4\n");
	free(r.log);
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* A visitor for a child process: no cmocka assertion in it. */
static int log_only(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	(void)err;
	cleanup_free char *line = xasprintf("%c %s\n", "FEL"[step], at -> path);
	walk_rec_add(data, line);
	return 0;
}

/* Walks dir/t twice, as nobody when the test runs as root (root opens
 * any directory): with WALK_LENIENT, then without. What it reports: each
 * walk's return and status, the first's entries, the second's message. */
static int walk_twice(const void *arg, char *out, size_t n)
{
	const char *dir = arg;
	if (child_drop_root() < 0)
		return -1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct walk_rec r = {.log = xstrdup("")};
	struct burrow_err *err = NULL;
	int lenient = walk_tree(fd, "t", "t", WALK_SORTED | WALK_LENIENT, log_only, &r, &err);
	int len = snprintf(out, n, "%d %d\n%s", lenient, lenient < 0 ? err->status : 0, r.log);
	burrow_err_free(err);
	err = NULL;
	int strict = walk_tree(fd, "t", "t", WALK_SORTED, log_only, &r, &err);
	if (len > 0 && (size_t)len < n)
		snprintf(out + len, n - (size_t)len, "%d %d %s\n", strict, strict < 0 ? err->status : 0,
		         strict < 0 ? err->msg : "");
	return 0;
}

/* WALK_LENIENT (system df's sizes): a directory below the top that the
 * walker may not open is left out, everything else is walked, no error;
 * without it the walk fails naming it. */
static void test_walk_lenient(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-walk-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	const char *dirs[] = {"t", "t/locked", "t/z"}, *files[] = {"t/a", "t/locked/b", "t/z/c"};
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *d = xasprintf("%s/%s", dir, dirs[i]);
		assert_int_equal(mkdir(d, 0755), 0);
	}
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *f = xasprintf("%s/%s", dir, files[i]);
		make_file(f);
	}
	cleanup_free char *locked = xasprintf("%s/t/locked", dir);
	/* root's, 0700, for nobody; the user's own, 0, for a user */
	assert_int_equal(chmod(locked, geteuid() == 0 ? 0700 : 0), 0);
	cleanup_free char *got = child_run(walk_twice, dir);
	assert_int_equal(chmod(locked, 0755), 0);
	assert_string_equal(got, "0 0\nE t\nF t/a\nE t/z\nF t/z/c\nL t/z\nL t\n"
	                         "-1 13 cannot open directory 't/locked': Permission denied\n");
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_walk_links_fifo), cmocka_unit_test(test_walk_swapped_for_link),
	    cmocka_unit_test(test_walk_deep),       cmocka_unit_test(test_walk_moved),
	    cmocka_unit_test(test_walk_skip),       cmocka_unit_test(test_walk_lenient),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
