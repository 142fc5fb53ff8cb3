/* Unit tests for lib/: the burrow.conf parser, string vectors, errors,
 * quoting for messages, rm_rf of deep trees, where warnings go, the
 * hard-link table. */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hardlinks.h"
#include "lib/json.h"
#include "lib/memtrim.h"
#include "lib/quote.h"
#include "lib/sock.h"
#include "lib/strv.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "tests/unit/dirchain.h"

static int collect(const char *section, const char *key, const char *value, unsigned line, void *data,
                   struct burrow_err **err)
{
	(void)err;
	strv_append_take(data, xasprintf("%u:%s.%s=%s", line, section, key, value));
	return 0;
}

static void test_conf_ok(void **state)
{
	(void)state;
	char **got = NULL;
	const char *text = "# comment\n"
	                   "top = word\n"
	                   "\n"
	                   "[storage]  # a section\n"
	                   "  root = \"/a b/\\\"q\\\"\\\\\"  # trailing comment\n"
	                   "runroot=/r#x\n";
	assert_int_equal(conf_parse(text, collect, &got, NULL), 0);
	assert_int_equal(strv_len(got), 3);
	assert_string_equal(got[0], "2:.top=word");
	assert_string_equal(got[1], "5:storage.root=/a b/\"q\"\\");
	assert_string_equal(got[2], "6:storage.runroot=/r");
	strv_free(got);
}

static void expect_error(const char *text, const char *msg)
{
	char **got = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(conf_parse(text, collect, &got, &err), -1);
	assert_non_null(err);
	if (!strstr(err->msg, msg))
		fail_msg("'%s' does not contain '%s'", err->msg, msg);
	burrow_err_free(err);
	strv_free(got);
}

static void test_conf_errors(void **state)
{
	(void)state;
	expect_error("[storage\n", "line 1: a section header needs ']'");
	expect_error("\n[bad name]\n", "line 2: invalid section header");
	expect_error("novalue\n", "line 1: expected 'key = value'");
	expect_error("k = \"open\n", "line 1: unterminated string");
	expect_error("k = \"a\" b\n", "line 1: unexpected text after the string");
	expect_error("k = two words\n", "line 1: a value is one word");
	expect_error("k = \"\\n\"\n", "line 1: unknown escape");
	expect_error("bad key = 1\n", "line 1: invalid key 'bad key'");
	expect_error("k =\n", "line 1: a value is one word");
}

static void test_conf_user_path(void **state)
{
	(void)state;
	setenv("XDG_CONFIG_HOME", "/x/", 1);
	setenv("HOME", "/h", 1);
	char *p = conf_user_path("burrow/burrow.conf");
	assert_string_equal(p, "/x/burrow/burrow.conf");
	free(p);
	/* the XDG spec says to ignore a relative value */
	setenv("XDG_CONFIG_HOME", "rel", 1);
	p = conf_user_path("burrow/burrow.conf");
	assert_string_equal(p, "/h/.config/burrow/burrow.conf");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = conf_user_path("burrow/burrow.conf");
	assert_string_equal(p, "/h/.config/burrow/burrow.conf");
	free(p);
}

/* A string that is not UTF-8 (a create argument in Latin-1) is written
 * with U+FFFD for each byte that is not, as Go's encoding/json and so
 * podman's records: written raw, the record was one no parse takes back,
 * and every command that reads the container's failed. */
static void test_json_not_utf8(void **state)
{
	(void)state;
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "a\xe9", "caf\xe9");
	jg_key_str(g, "ok", "caf\xc3\xa9 \xed\xa0\x80\xff!");
	jg_map_close(g);
	cleanup_free char *text = json_gen_finish(g);
	/* written so (the parse below would fix a raw one too) */
	assert_non_null(strstr(text, "\"caf\xef\xbf\xbd\""));
	struct burrow_err *err = NULL;
	cleanup_yajl yajl_val v = json_parse(text, &err);
	assert_non_null(v);
	assert_string_equal(json_get_str(v, "a\xef\xbf\xbd"), "caf\xef\xbf\xbd");
	assert_string_equal(json_get_str(v, "ok"), "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");
	/* a record an older burrow wrote raw is read as Go's decoder reads
	 * it: one such record made ps -a fail for every container */
	cleanup_yajl yajl_val old = json_parse("{\"Args\":[\"caf\xe9\"],\"b\":\"\xff\"}", &err);
	assert_non_null(old);
	assert_string_equal(YAJL_GET_STRING(json_get(old, "Args")->u.array.values[0]), "caf\xef\xbf\xbd");
	assert_string_equal(json_get_str(old, "b"), "\xef\xbf\xbd");
}

/* Keys and elements added to a parsed tree (the health state, image
 * inspect's Config): yajl sizes its arrays exactly, and json_obj_add and
 * json_arr_add grow them (run under valgrind or asan to see an overrun;
 * the usable sizes say it without). */
static void test_json_add_to_parsed(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	cleanup_yajl yajl_val v = json_parse("{\"a\":1,\"b\":{},\"c\":[1,2,3],\"d\":[]}", &err);
	assert_non_null(v);
	char key[16];
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		json_obj_add(v, key, json_new_int(i));
		json_obj_add(json_get(v, "b"), key, json_new_int(i));
		json_arr_add(json_get(v, "c"), json_new_int(i));
		json_arr_add(json_get(v, "d"), json_new_int(i));
		yajl_val c = json_get(v, "c");
		assert_true(malloc_usable_size(v->u.object.keys) >= v->u.object.len * sizeof(char *));
		assert_true(malloc_usable_size(v->u.object.values) >= v->u.object.len * sizeof(yajl_val));
		assert_true(malloc_usable_size(c->u.array.values) >= c->u.array.len * sizeof(yajl_val));
	}
	assert_int_equal(v->u.object.len, 44);
	assert_int_equal(YAJL_GET_INTEGER(json_get(v, "k39")), 39);
	assert_int_equal(YAJL_GET_INTEGER(json_get(json_get(v, "b"), "k0")), 0);
	assert_int_equal(json_get(v, "c")->u.array.len, 43);
	assert_int_equal(YAJL_GET_INTEGER(json_get(v, "c")->u.array.values[2]), 3);
	assert_int_equal(YAJL_GET_INTEGER(json_get(v, "d")->u.array.values[39]), 39);
}

/* The Go-map mark: objects are structs unless made or marked maps; the
 * mark keeps through json_obj_add's growth and marks only objects. */
static void test_json_map_mark(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	cleanup_yajl yajl_val v =
	    json_parse("{\"L\":{\"a\":\"1\"},\"C\":{\"L\":{},\"S\":{}},\"N\":null,\"s\":\"x\"}", &err);
	assert_non_null(v);
	assert_false(json_is_map(v));
	assert_false(json_is_map(json_get(v, "L")));
	assert_false(json_is_map(json_get(v, "N"))); /* a parsed null is plain */
	static const char *const maps[] = {"L", "C.L", "C.Nosuch", "Nosuch.L", "s", "N", NULL};
	json_mark_maps(v, maps);
	assert_true(json_is_map(json_get(v, "L")));
	assert_true(json_is_map(json_get(json_get(v, "C"), "L")));
	assert_false(json_is_map(json_get(v, "C")));
	assert_false(json_is_map(json_get(json_get(v, "C"), "S")));
	assert_false(json_is_map(json_get(v, "s")));
	assert_false(json_is_map(json_get(v, "N")));
	yajl_val l = json_get(v, "L");
	char key[16];
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		json_obj_add(l, key, json_new_int(i));
	}
	assert_true(json_is_map(l));
	assert_int_equal(l->u.object.len, 41);
	cleanup_yajl yajl_val m = json_new_map(), nil = json_new_nil_map(), o = json_new_object();
	assert_true(json_is_map(m));
	assert_true(json_is_map(nil));
	assert_false(json_is_map(o));
	assert_false(json_is_map(NULL));
}

static void test_json_get_next(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	cleanup_yajl yajl_val v = json_parse("{\"a\":1,\"b\":2,\"c\":3,\"d\":[\"x\"]}", &err);
	assert_non_null(v);
	size_t at = 0;
	/* in order: each found where expected */
	assert_int_equal(YAJL_GET_INTEGER(json_get_next(v, "a", &at)), 1);
	assert_int_equal(at, 1);
	assert_int_equal(YAJL_GET_INTEGER(json_get_next(v, "b", &at)), 2);
	/* a key skipped, one missing, one out of order: found by the search */
	assert_null(json_get_next(v, "zz", &at));
	assert_int_equal(at, 2);
	char **d = json_strv(json_get_next(v, "d", &at));
	assert_int_equal(at, 4);
	assert_string_equal(d[0], "x");
	assert_null(d[1]);
	strv_free(d);
	assert_int_equal(YAJL_GET_INTEGER(json_get_next(v, "a", &at)), 1);
	assert_int_equal(YAJL_GET_INTEGER(json_get_next(v, "b", &at)), 2);
	assert_int_equal(YAJL_GET_INTEGER(json_get_next(v, "c", &at)), 3);
	/* not an object, or past its end */
	assert_null(json_get_next(json_get(v, "d"), "a", &at));
	at = 99;
	assert_int_equal(YAJL_GET_INTEGER(json_get_next(v, "c", &at)), 3);
}

static void test_strv(void **state)
{
	(void)state;
	char **v = strv_split("a::b", ':');
	assert_int_equal(strv_len(v), 3);
	assert_string_equal(v[1], "");
	assert_true(strv_contains(v, "b"));
	strv_free(v);
	long long n;
	assert_int_equal(str_to_ll("42", 0, 100, &n), 0);
	assert_int_equal(n, 42);
	assert_int_equal(str_to_ll("101", 0, 100, &n), -1);
	assert_int_equal(str_to_ll("4x", 0, 100, &n), -1);
	assert_int_equal(str_to_ll("", 0, 100, &n), -1);
}

static void test_quote(void **state)
{
	(void)state;
	assert_string_equal(str_quote("plain/path-1.0_x"), "plain/path-1.0_x");
	assert_string_equal(str_quote("a\nb\x1b[2Jc\td\re"), "a\\nb\\x1b[2Jc\\td\\re");
	assert_string_equal(str_quote("it's \"q\" \\"), "it\\'s \\\"q\\\" \\\\");
	assert_string_equal(str_quote("\x01\x7f"), "\\x01\\x7f");
	/* UTF-8 stays; bytes that are not UTF-8 (a lone continuation byte, a
	 * truncated sequence, an overlong '/', a surrogate) are escaped */
	assert_string_equal(str_quote("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");
	assert_string_equal(str_quote("\x80x\xc3"), "\\x80x\\xc3");
	assert_string_equal(str_quote("\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(str_quote("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	/* C1 controls (U+009B is CSI) and text-reordering marks */
	assert_string_equal(str_quote("\xc2\x9b"
	                              "2J"),
	                    "\\u009b2J");
	assert_string_equal(str_quote("a\xe2\x80\xaez\xe2\x80\xa8"), "a\\u202ez\\u2028");
	assert_string_equal(str_quote(NULL), "(null)");
	assert_string_equal(str_quote(""), "");
	/* eight results live at once */
	const char *r[8];
	for (int i = 0; i < 8; i++)
		r[i] = str_quote(i % 2 ? "x\n" : "y");
	for (int i = 0; i < 8; i++)
		assert_string_equal(r[i], i % 2 ? "x\\n" : "y");
	char *m = str_escape_controls("keep 'quotes' and \\ but not \n or \x1b[2J");
	assert_string_equal(m, "keep 'quotes' and \\ but not \\n or \\x1b[2J");
	free(m);
}

/* --- rm_rf ---------------------------------------------------------------- */

/* dir/t: a chain of depth directories "d" with a file and a second child at
 * every tenth level. */
static char *make_deep(const char *dir, int depth)
{
	char *top = path_join(dir, "t");
	assert_int_equal(mkdir(top, 0755), 0);
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int i = 0; i < depth; i++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		if (i % 10 == 0) {
			int f = openat(fd, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			assert_true(f >= 0);
			close(f);
			assert_int_equal(mkdirat(fd, "e", 0500), 0);
		}
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	close(fd);
	return top;
}

static void test_rm_rf_deep(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-rmrf-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *top = make_deep(dir, 10000);
	/* one fd per level would need 10,000 */
	struct rlimit old, low = {.rlim_cur = 64};
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	struct burrow_err *err = NULL;
	int r = rm_rf(top, &err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	if (r < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(access(top, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
	free(top);
}

/* write_file_atomic never writes through what sits under its temporary
 * name: a symlink planted there (as another process could) is replaced,
 * its target left alone. */
static void test_write_atomic_planted(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-atomic-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *victim = xasprintf("%s/victim", dir);
	cleanup_free char *path = xasprintf("%s/auth.json", dir);
	cleanup_free char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	struct burrow_err *err = NULL;
	assert_int_equal(write_file_atomic(victim, "orig", 4, 0600, &err), 0);
	assert_int_equal(symlink(victim, tmp), 0);
	if (write_file_atomic(path, "new", 3, 0600, &err) < 0)
		fail_msg("%s", err->msg);
	cleanup_free char *got = NULL;
	size_t len = 0;
	assert_int_equal(read_file(victim, &got, &len, &err), 0);
	assert_memory_equal(got, "orig", 4);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	free(got);
	got = NULL;
	assert_int_equal(read_file(path, &got, &len, &err), 0);
	assert_int_equal(len, 3);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* openat, wrapped: when armed, the first ".." rm_rf opens on the way up
 * first moves the level-2 directory out of the tree (as a process racing
 * the removal could), into "outside". */
static const char *move_from, *move_to;

int openat(int fd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	if (move_from && strcmp(path, "..") == 0) {
		if (rename(move_from, move_to) < 0)
			return -1;
		move_from = NULL;
	}
	return (int)syscall(SYS_openat, fd, path, flags, mode);
}

static void test_rm_rf_moved(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-rmrf-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *top = make_deep(dir, 100);
	char *outside = path_join(dir, "outside"), *victim = path_join(dir, "outside/victim");
	char *from = path_join(dir, "t/d/d"), *to = path_join(dir, "outside/moved");
	assert_int_equal(mkdir(outside, 0755), 0);
	struct burrow_err *err = NULL;
	assert_int_equal(write_file(victim, "orig", 4, 0644, &err), 0);
	move_from = from, move_to = to;
	assert_int_equal(rm_rf(top, &err), -1);
	assert_null(move_from);
	if (!strstr(err->msg, "was moved meanwhile"))
		fail_msg("%s", err->msg);
	burrow_err_free(err);
	err = NULL;
	/* what was moved is emptied (it was being removed); its new parent is
	 * not touched */
	char *c = NULL;
	assert_int_equal(read_file(victim, &c, NULL, &err), 0);
	assert_string_equal(c, "orig");
	free(c);
	assert_int_equal(rm_rf(dir, &err), 0);
	free(top);
	free(outside);
	free(victim);
	free(from);
	free(to);
}

/* A sink that keeps what it is given, and clobbers errno. */
struct said {
	char **lines; /* "LEVEL|FILE|MSG" */
	int last_line;
};

static void keep(enum burrow_log_level level, const char *file, int line, const char *msg, void *data)
{
	struct said *s = data;
	const char *base = strrchr(file, '/');
	strv_append_take(&s->lines, xasprintf("%d|%s|%s", (int)level, base ? base + 1 : file, msg));
	s->last_line = line;
	errno = EBADF;
}

/* The kernel's openat2 with these flags, tried again on EAGAIN (a rename
 * elsewhere on the machine raced it; test_openat2_retry_renames's loop
 * in another test_lib run beside this one renames for a moment, not for
 * ten million tries) */
static int kernel_openat2(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve)
{
	struct open_how how = {.flags = flags | O_CLOEXEC, .resolve = resolve};
	for (long tries = 0; tries < 10000000; tries++) {
		int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			return fd;
		if (tries % 1000 == 999)
			sched_yield();
	}
	fail_msg("openat2 of '%s' kept failing with EAGAIN", path);
	return -1;
}

/* openat2_stepwise answers as the kernel's openat2 does, over a table of
 * paths: what it opens (device, inode, the link itself or what it names)
 * or its errno */
static void check_stepwise(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve)
{
	int want = kernel_openat2(dirfd, path, flags, resolve);
	int want_errno = errno;
	int got = openat2_stepwise(dirfd, path, flags, resolve);
	int got_errno = errno;
	if ((want < 0) != (got < 0) || (want < 0 && want_errno != got_errno))
		fail_msg("'%s' (flags %#llx, resolve %#llx): kernel %s, stepwise %s", path, flags, resolve,
		         want < 0 ? strerror(want_errno) : "opens", got < 0 ? strerror(got_errno) : "opens");
	if (want >= 0) {
		struct stat a, b;
		assert_int_equal(fstat(want, &a), 0);
		assert_int_equal(fstat(got, &b), 0);
		if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
			fail_msg("'%s' (flags %#llx, resolve %#llx): another file opened", path, flags, resolve);
		if ((fcntl(want, F_GETFL) & ~O_LARGEFILE) != (fcntl(got, F_GETFL) & ~O_LARGEFILE))
			fail_msg("'%s' (flags %#llx, resolve %#llx): opened with other flags", path, flags, resolve);
		assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
		close(want);
		close(got);
	}
}

/* check_stepwise of each of paths (NULL-terminated), O_PATH, in root and
 * beneath, with the resolve flags more */
static void check_stepwise_scoped(int dirfd, const char *const *paths, unsigned long long more)
{
	for (size_t p = 0; paths[p]; p++) {
		check_stepwise(dirfd, paths[p], O_PATH, RESOLVE_IN_ROOT | more);
		check_stepwise(dirfd, paths[p], O_PATH, RESOLVE_BENEATH | more);
	}
}

static void test_openat2_stepwise(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-stepwise-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_close int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	char deep[300] = "a";
	assert_int_equal(mkdirat(root, "a", 0755), 0);
	for (int i = 0; i < 70; i++) { /* past two marks */
		strcat(deep, "/d");
		assert_int_equal(mkdirat(root, deep, 0755), 0);
	}
	assert_int_equal(mkdirat(root, "a/b", 0755), 0);
	assert_int_equal(mkdirat(root, "a/b/c", 0755), 0);
	int f = openat(root, "a/b/c/file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(f >= 0);
	close(f);
	static const char *const links[][2] = {
	    {"/a/b", "a/abs"},     {"b/c", "a/rel"},           {"../../../a", "a/up"},  {"loop2", "loop1"},
	    {"loop1", "loop2"},    {"nothere", "dangling"},    {"a/b/c/file", "flink"}, {"/", "toroot"},
	    {"../..", "a/b/upup"}, {"/a/abs/../rel", "chain"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		assert_int_equal(symlinkat(links[i][0], root, links[i][1]), 0);
	cleanup_free char *down_up = xstrdup(deep);
	for (int i = 0; i < 65; i++) {
		char *longer = xasprintf("%s/..", down_up);
		free(down_up);
		down_up = longer;
	}
	char *more = xasprintf("%s/d/d/../../b/c/file", down_up);
	free(down_up);
	down_up = more;
	const char *const paths[] = {".",
	                             "",
	                             "a",
	                             "/a/b/c/file",
	                             "a/b/c/file/",
	                             "a/b/c/file/x",
	                             "a/../a/b/../../a/b/c",
	                             "../../a",
	                             "..",
	                             "a/abs/c",
	                             "a/rel/file",
	                             "a/up/b",
	                             "loop1",
	                             "loop1/x",
	                             "dangling",
	                             "dangling/",
	                             "flink",
	                             "flink/",
	                             "a/abs/../..",
	                             "toroot/a/b/upup/a",
	                             "chain/file",
	                             "nothere/x",
	                             "a//b/./c//",
	                             deep,
	                             down_up};
	const unsigned long long flags[] = {O_PATH, O_RDONLY, O_PATH | O_NOFOLLOW, O_RDONLY | O_DIRECTORY,
	                                    O_RDONLY | O_NOFOLLOW};
	const unsigned long long resolve[] = {RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	                                      RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, RESOLVE_IN_ROOT,
	                                      RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS};
	int fds = count_fds();
	for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++)
		for (size_t fl = 0; fl < sizeof(flags) / sizeof(flags[0]); fl++)
			for (size_t r = 0; r < sizeof(resolve) / sizeof(resolve[0]); r++)
				check_stepwise(root, paths[p], flags[fl], resolve[r]);
	assert_int_equal(count_fds(), fds); /* none left open, whatever failed */
	/* procfs: a plain link ("self") is followed, a magic one refused
	 * under RESOLVE_NO_MAGICLINKS */
	cleanup_close int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(proc >= 0);
	const char *const procs[] = {"self/status", "self/fd/0", "self/cwd", "/self/root/x", NULL};
	check_stepwise_scoped(proc, procs, RESOLVE_NO_MAGICLINKS);
	/* a mount crossed (/proc on /): refused under RESOLVE_NO_XDEV, at the
	 * last name as on the way */
	cleanup_close int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(slash >= 0);
	const char *const crossing[] = {"proc", "proc/self/status", "/proc/version", "proc/..", NULL};
	check_stepwise_scoped(slash, crossing, RESOLVE_NO_XDEV);
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
}

struct renamer {
	int dirfd;
	atomic_bool stop;
	atomic_ulong renames;
};

/* Renames a file back and forth until told to stop: every rename on the
 * machine fails a scoped walk through ".." that it races. */
static void *rename_loop(void *data)
{
	struct renamer *r = data;
	while (!atomic_load(&r->stop)) {
		if (renameat(r->dirfd, "x", r->dirfd, "y") == 0)
			renameat(r->dirfd, "y", r->dirfd, "x");
		atomic_fetch_add(&r->renames, 1);
	}
	return NULL;
}

/* A long path through ".." opens while a rename loop runs beside it (the
 * kernel's walk fails with EAGAIN each time a rename races it: with 780
 * of them, nearly every try); no timing: each call must succeed (eight
 * of them: the loop disturbs other processes' scoped walks meanwhile). */
static void test_openat2_retry_renames(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-renames-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_close int top = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(top >= 0);
	assert_int_equal(mkdirat(top, "root", 0755), 0);
	assert_int_equal(mkdirat(top, "root/a", 0755), 0);
	assert_int_equal(mkdirat(top, "spin", 0755), 0);
	int f = openat(top, "root/file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(f >= 0);
	close(f);
	f = openat(top, "spin/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(f >= 0);
	close(f);
	cleanup_close int root = openat(top, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat want;
	assert_int_equal(fstatat(root, "file", &want, 0), 0);
	char path[PATH_MAX];
	size_t n = 0;
	for (int i = 0; i < 780; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "a/../");
	snprintf(path + n, sizeof(path) - n, "file");

	struct renamer r = {.dirfd = openat(top, "spin", O_PATH | O_DIRECTORY | O_CLOEXEC)};
	assert_true(r.dirfd >= 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, rename_loop, &r), 0);
	/* the loop under way first (bounded: on a machine that never runs it,
	 * the walks below merely meet fewer renames) */
	for (int i = 0; i < 100000 && atomic_load(&r.renames) < 100; i++)
		sched_yield();
	for (int i = 0; i < 8; i++) {
		int fd = openat2_retry(root, path, O_RDONLY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		if (fd < 0)
			fail_msg("try %d: %s", i, strerror(errno));
		struct stat st;
		assert_int_equal(fstat(fd, &st), 0);
		assert_true(st.st_dev == want.st_dev && st.st_ino == want.st_ino);
		close(fd);
	}
	atomic_store(&r.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	close(r.dirfd);
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
}

static void test_log_sink(void **state)
{
	(void)state;
	struct said said = {0};
	burrow_log_level = BURROW_LOG_WARN;
	burrow_log_set_sink(keep, &said);
	errno = ENOENT;
	burrow_warn("sink %d", 1);
	assert_int_equal(errno, ENOENT); /* the caller's errno survives the sink */
	burrow_warn("sink %d", 1);       /* one cause, said once */
	burrow_warn("sink %d", 2);
	burrow_debug("not at warn level");
	assert_int_equal(strv_len(said.lines), 2);
	assert_string_equal(said.lines[0], "1|test_lib.c|sink 1");
	assert_string_equal(said.lines[1], "1|test_lib.c|sink 2");
	burrow_log_level = BURROW_LOG_DEBUG;
	int here = __LINE__ + 1;
	burrow_debug("now %s", "yes");
	assert_int_equal(errno, ENOENT);
	assert_int_equal(strv_len(said.lines), 3);
	assert_string_equal(said.lines[2], "3|test_lib.c|now yes");
	assert_int_equal(said.last_line, here);

	/* to an fd: the lines stderr would get */
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	burrow_log_to_fd(p[1]);
	burrow_log_level = BURROW_LOG_WARN;
	burrow_warn("to a log file");
	/* back to the default: stderr (here a pipe) */
	int saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	burrow_log_set_sink(NULL, NULL);
	burrow_warn("to stderr");
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(p[1]);
	char buf[256];
	ssize_t n = read_all(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "burrow: warning: to a log file\nburrow: warning: to stderr\n");
	char *l = burrow_log_format(BURROW_LOG_DEBUG, "x.c", 7, "m");
	assert_string_equal(l, "burrow: debug: m (x.c:7)\n");
	free(l);
	strv_free(said.lines);
}

static void test_log_over_socket(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	int here = __LINE__ + 8;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* a child with a sync socket: its lines go to the parent */
		close(sv[0]);
		burrow_log_level = BURROW_LOG_DEBUG;
		burrow_log_set_sink(sock_log_sink, &sv[1]);
		burrow_warn("from the child, %d", 7);
		burrow_debug("a child's debug line");
		_exit(0);
	}
	close(sv[1]);
	struct said said = {0};
	burrow_log_level = BURROW_LOG_WARN;
	burrow_log_set_sink(keep, &said);
	struct sock_msg m;
	int records = 0;
	while (sock_recv(sv[0], &m, NULL) == 1) {
		assert_int_equal(m.tag, SOCK_MSG_LOG);
		assert_int_equal(sock_relay_log(sv[0], &m), 0);
		records++;
	}
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	close(sv[0]);
	burrow_log_set_sink(NULL, NULL);
	/* both came; the parent's level lets the warning through, with the
	 * child's file and line */
	assert_int_equal(records, 2);
	assert_int_equal(strv_len(said.lines), 1);
	assert_string_equal(said.lines[0], "1|test_lib.c|from the child, 7");
	assert_int_equal(said.last_line, here);
	strv_free(said.lines);
}

static void test_strv_builder(void **state)
{
	(void)state;
	struct strv_builder b = {0};
	char **v = strv_builder_steal(&b);
	assert_non_null(v);
	assert_null(v[0]);
	strv_free(v);
	char *const two[] = {(char *)"x", (char *)"y", NULL};
	strv_builder_extend(&b, NULL);
	for (int i = 0; i < 1000; i++)
		strv_builder_take(&b, xasprintf("%d", i));
	strv_builder_extend(&b, two);
	strv_builder_add(&b, "z");
	assert_int_equal(strv_len(b.v), 1003);
	v = strv_builder_steal(&b);
	assert_null(b.v);
	assert_string_equal(v[0], "0");
	assert_string_equal(v[999], "999");
	assert_string_equal(v[1000], "x");
	assert_string_equal(v[1002], "z");
	assert_null(v[1003]);
	strv_free(v);
}

/* dedup of in, joined with spaces */
static char *dedup(const char *in)
{
	char **v = strv_split(in, ' ');
	strv_env_dedup(v);
	size_t n = 0;
	char buf[256] = "";
	for (size_t i = 0; v[i]; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", v[i]);
	strv_free(v);
	return xstrdup(buf);
}

static void test_strv_env_dedup(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"A=1", "A=1"},
	    {"A=1 B=2 A=3", "A=3 B=2"},
	    {"A=1 AB=2 A=3 AB=4 A=", "A= AB=4"},
	    {"PATH=/bin X=1 HOSTNAME=a X=2 PATH=/x HOSTNAME=b Y", "PATH=/x X=2 HOSTNAME=b Y"},
	    {"A=1 A A=2", "A=2"},
	    {"A=1 A", "A"},
	    {"B=1 A=1 B=2 A=2 C=3 B=3", "B=3 A=2 C=3"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = dedup(cases[i][0]);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
	strv_env_dedup(NULL);
	/* many: the last value of each of 3 names, in first-seen order */
	struct strv_builder b = {0};
	for (int i = 0; i < 30000; i++)
		strv_builder_take(&b, xasprintf("N%d=%d", i % 3, i));
	strv_env_dedup(b.v);
	assert_int_equal(strv_len(b.v), 3);
	assert_string_equal(b.v[0], "N0=29997");
	assert_string_equal(b.v[1], "N1=29998");
	assert_string_equal(b.v[2], "N2=29999");
	strv_free(b.v);
}

/* Only read-only file mappings are dropped; what the process then runs
 * and reads (relocated pointers in read-only data included) still works. */
static const char *const words[] = {"one", "two", "three"};

static void test_mem_trim(void **state)
{
	(void)state;
	uintptr_t s = 0, e = 0;
	assert_true(
	    mem_smaps_droppable("55cd4af30000-55cd4afc0000 r-xp 00013000 fe:00 11108796   /usr/bin/burrow", &s, &e));
	assert_true(s == 0x55cd4af30000 && e == 0x55cd4afc0000);
	assert_true(mem_smaps_droppable("7f00-8f00 r--p 00000000 08:01 42 /lib/libc.so.6", &s, &e));
	assert_false(mem_smaps_droppable("7f00-8f00 rw-p 00000000 08:01 42 /lib/libc.so.6", &s, &e));
	assert_false(mem_smaps_droppable("7f00-8f00 rw-p 00000000 00:00 0 [heap]", &s, &e));
	assert_false(mem_smaps_droppable("7f00-8f00 r-xp 00000000 00:00 0 [vdso]", &s, &e));
	assert_false(mem_smaps_droppable("7f00-8f00 r--p 00000000 00:00 0 ", &s, &e));
	assert_false(mem_smaps_droppable("Rss:                 436 kB", &s, &e));
	mem_trim();
	mem_trim();
	cleanup_free char *t = xasprintf("%s %s %s", words[0], words[1], words[2]);
	assert_string_equal(t, "one two three");
}

/* BURROW_TRACE_TIMES=FILE: each mark one "MICROSECONDS PID WHAT" line
 * appended, in time order; a file closed under it is opened again. */
static void test_trace_mark(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-trace.XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *path = xasprintf("%s/t", dir);
	setenv("BURROW_TRACE_TIMES", path, 1);
	trace_mark("one");
	/* its fd closed, as the monitor's daemonize does */
	int closed = 0;
	for (int fd = 3; fd < 256; fd++) {
		char link[64], target[4096];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t len = readlink(link, target, sizeof(target) - 1);
		if (len > 0 && (target[len] = '\0', strcmp(target, path) == 0) && close(fd) == 0)
			closed++;
	}
	assert_int_equal(closed, 1);
	trace_mark("two words");
	unsetenv("BURROW_TRACE_TIMES"); /* read once: still on */
	trace_mark("three");
	cleanup_free char *text = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(read_file(path, &text, NULL, &err), 0);
	long long t[3];
	int pid[3];
	char w[3][16];
	int n = sscanf(text, "%lld %d %15[^\n]\n%lld %d %15[^\n]\n%lld %d %15[^\n]\n", &t[0], &pid[0], w[0], &t[1],
	               &pid[1], w[1], &t[2], &pid[2], w[2]);
	assert_int_equal(n, 9);
	assert_string_equal(w[0], "one");
	assert_string_equal(w[1], "two words");
	assert_string_equal(w[2], "three");
	for (int i = 0; i < 3; i++)
		assert_int_equal(pid[i], (int)getpid());
	assert_true(t[0] > 0 && t[0] <= t[1] && t[1] <= t[2]);
	unlink(path);
	rmdir(dir);
}

static struct stat file_stat(dev_t dev, ino_t ino)
{
	struct stat st = {.st_dev = dev, .st_ino = ino, .st_size = 3};
	st.st_mtim = (struct timespec){.tv_sec = 1500000000, .tv_nsec = 1};
	st.st_ctim = (struct timespec){.tv_sec = 1700000000, .tv_nsec = 2};
	return st;
}

/* The first path of each (dev, ino) is kept across the table's growth;
 * the same inode on another device is another file; a NULL path records
 * the inode only. */
static void test_hardlinks(void **state)
{
	(void)state;
	struct hardlinks t = {0};
	char path[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		struct stat st = file_stat(1, (ino_t)i);
		assert_null(hardlinks_seen(&t, &st, path));
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		struct stat st = file_stat(1, (ino_t)i);
		const char *first = hardlinks_seen(&t, &st, "again");
		assert_non_null(first);
		assert_string_equal(first, path);
	}
	/* every one of those inodes on another device: a file of its own */
	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "other device %d", i);
		struct stat st = file_stat(2, (ino_t)i);
		assert_null(hardlinks_seen(&t, &st, path));
	}
	struct stat st = file_stat(2, 7);
	assert_string_equal(hardlinks_seen(&t, &st, "x"), "other device 7");
	st = file_stat(1, 7);
	assert_string_equal(hardlinks_seen(&t, &st, "x"), "f7");
	assert_int_equal(t.n, 10000);
	st = file_stat(3, 1);
	assert_null(hardlinks_seen(&t, &st, NULL));
	assert_string_equal(hardlinks_seen(&t, &st, NULL), "");
	hardlinks_clear(&t);
	assert_int_equal(t.n, 0);
	st = file_stat(1, 0);
	assert_null(hardlinks_seen(&t, &st, "new"));
	hardlinks_clear(&t);
}

/* An inode freed and given to a new file while the tree is walked: the
 * new file (another ctime, mtime or size) is no link to the first path,
 * and takes its place in the table. */
static void test_hardlinks_reused_inode(void **state)
{
	(void)state;
	struct hardlinks t = {0};
	struct stat first = file_stat(1, 42);
	assert_null(hardlinks_seen(&t, &first, "etc/old"));
	assert_string_equal(hardlinks_seen(&t, &first, "etc/old-link"), "etc/old");

	struct stat st = first;
	st.st_ctim.tv_nsec++; /* the same second, the same size and mtime */
	assert_null(hardlinks_seen(&t, &st, "tmp/new"));
	assert_string_equal(hardlinks_seen(&t, &st, "tmp/new-link"), "tmp/new");
	assert_null(hardlinks_seen(&t, &first, "etc/old-again"));

	st = first;
	st.st_mtim.tv_sec++;
	assert_null(hardlinks_seen(&t, &st, "mtime"));
	st = first;
	st.st_size++;
	assert_null(hardlinks_seen(&t, &st, "size"));
	assert_string_equal(hardlinks_seen(&t, &st, "size2"), "size");
	assert_int_equal(t.n, 1);
	hardlinks_clear(&t);
}

/* Paths share their directory part in the table: each comes back whole
 * whatever was stored between (a subdirectory's files, a directory met
 * again after it). */
static void test_hardlinks_paths(void **state)
{
	(void)state;
	static const char *paths[] = {"top", "a/x",  "a/sub/y", "a/sub/deeper/z", "a/w", "a/sub/v",
	                              "b/",  "/abs", "a/x2"};
	size_t n = sizeof(paths) / sizeof(paths[0]);
	struct hardlinks t = {0};
	for (size_t i = 0; i < n; i++) {
		struct stat st = file_stat(1, (ino_t)i);
		assert_null(hardlinks_seen(&t, &st, paths[i]));
	}
	for (size_t i = n; i-- > 0;) {
		struct stat st = file_stat(1, (ino_t)i);
		assert_string_equal(hardlinks_seen(&t, &st, "again"), paths[i]);
	}
	hardlinks_clear(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf_ok),
	    cmocka_unit_test(test_conf_errors),
	    cmocka_unit_test(test_conf_user_path),
	    cmocka_unit_test(test_strv),
	    cmocka_unit_test(test_json_get_next),
	    cmocka_unit_test(test_json_add_to_parsed),
	    cmocka_unit_test(test_json_not_utf8),
	    cmocka_unit_test(test_mem_trim),
	    cmocka_unit_test(test_strv_builder),
	    cmocka_unit_test(test_strv_env_dedup),
	    cmocka_unit_test(test_quote),
	    cmocka_unit_test(test_rm_rf_deep),
	    cmocka_unit_test(test_rm_rf_moved),
	    cmocka_unit_test(test_openat2_stepwise),
	    cmocka_unit_test(test_openat2_retry_renames),
	    cmocka_unit_test(test_log_sink),
	    cmocka_unit_test(test_log_over_socket),
	    cmocka_unit_test(test_write_atomic_planted),
	    cmocka_unit_test(test_trace_mark),
	    cmocka_unit_test(test_json_map_mark),
	    cmocka_unit_test(test_hardlinks),
	    cmocka_unit_test(test_hardlinks_reused_inode),
	    cmocka_unit_test(test_hardlinks_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
