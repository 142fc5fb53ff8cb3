/* Unit tests for state/events.c: the lines written, rotation at the cap,
 * and the reader (both files in order, a line not ended yet held back). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/events.h"

struct lines {
	char **v;
};

static int collect(const char *line, size_t len, void *data, struct burrow_err **err)
{
	(void)err;
	struct lines *l = data;
	char *s = xstrndup(line, len);
	strv_append(&l->v, s);
	free(s);
	return 0;
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/burrow-events-test.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void read_all_events(const char *dir, struct lines *l)
{
	struct burrow_err *err = NULL;
	struct state_events_read_opts o = {0};
	l->v = xcalloc(1, sizeof(char *));
	assert_int_equal(state_events_read(dir, &o, collect, l, &err), 0);
}

static void test_line(void **st)
{
	(void)st;
	cleanup_free char *dir = tmpdir();
	char *labels[] = {"tier=web", "flag", NULL};
	struct state_event ev = {.type = "container",
	                         .status = "died",
	                         .id = "abc",
	                         .name = "web",
	                         .image = "busybox",
	                         .labels = labels,
	                         .exit_code = 137,
	                         .has_exit_code = true};
	state_event_write(dir, &ev);
	struct state_event vol = {.type = "volume", .status = "create", .name = "v\"1"};
	state_event_write(dir, &vol);
	struct lines l;
	read_all_events(dir, &l);
	assert_int_equal(strv_len(l.v), 2);
	struct burrow_err *err = NULL;
	yajl_val a = json_parse(l.v[0], &err);
	assert_non_null(a);
	assert_int_equal(json_get_int(a, "ContainerExitCode", -1), 137);
	assert_string_equal(json_get_str(a, "Status"), "died");
	assert_string_equal(json_get_str(a, "Image"), "busybox");
	assert_string_equal(json_get_str(json_get(a, "Attributes"), "tier"), "web");
	assert_string_equal(json_get_str(json_get(a, "Attributes"), "flag"), "");
	assert_true(json_get_int(a, "timeNano", 0) / 1000000000LL == json_get_int(a, "time", -1));
	yajl_tree_free(a);
	yajl_val b = json_parse(l.v[1], &err);
	assert_non_null(b);
	assert_string_equal(json_get_str(b, "Name"), "v\"1");
	assert_null(json_get(b, "ID"));
	assert_null(json_get(b, "ContainerExitCode"));
	yajl_tree_free(b);
	strv_free(l.v);
	assert_int_equal(rm_rf(dir, &err), 0);
}

static void test_rotation(void **st)
{
	(void)st;
	cleanup_free char *dir = tmpdir();
	setenv("BURROW_EVENTS_LOG_MAX_SIZE", "500", 1);
	char name[16];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "v%d", i);
		struct state_event ev = {.type = "volume", .status = "create", .name = name};
		state_event_write(dir, &ev);
	}
	unsetenv("BURROW_EVENTS_LOG_MAX_SIZE");
	cleanup_free char *path = state_events_path(dir);
	cleanup_free char *old = xasprintf("%s.1", path);
	struct stat sb;
	assert_int_equal(stat(old, &sb), 0);
	assert_true(sb.st_size > 500 && sb.st_size < 700);
	/* the newest ones, in order, ending with the last */
	struct lines l;
	read_all_events(dir, &l);
	size_t n = strv_len(l.v);
	assert_true(n >= 5 && n < 20);
	for (size_t i = 0; i < n; i++) {
		struct burrow_err *err = NULL;
		yajl_val v = json_parse(l.v[i], &err);
		snprintf(name, sizeof(name), "v%zu", 20 - n + i);
		assert_string_equal(json_get_str(v, "Name"), name);
		yajl_tree_free(v);
	}
	strv_free(l.v);
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
}

static void test_partial_line(void **st)
{
	(void)st;
	cleanup_free char *dir = tmpdir();
	struct state_event ev = {.type = "volume", .status = "create", .name = "a"};
	state_event_write(dir, &ev);
	/* a writer cut short: its piece is no event until a newline comes */
	cleanup_free char *path = state_events_path(dir);
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, "{\"Status\":", 10), 0);
	struct lines l;
	read_all_events(dir, &l);
	assert_int_equal(strv_len(l.v), 1);
	strv_free(l.v);
	assert_int_equal(write_all(fd, "\"x\"}\n", 5), 0);
	close(fd);
	read_all_events(dir, &l);
	assert_int_equal(strv_len(l.v), 2);
	assert_string_equal(l.v[1], "{\"Status\":\"x\"}");
	strv_free(l.v);
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
}

static void test_unwritable(void **st)
{
	(void)st;
	cleanup_free char *dir = tmpdir();
	cleanup_free char *path = state_events_path(dir);
	cleanup_free char *evdir = xasprintf("%s/events", dir);
	assert_int_equal(mkdir(evdir, 0700), 0);
	assert_int_equal(mkdir(path, 0700), 0); /* a directory where the log goes */
	struct state_event ev = {.type = "volume", .status = "create", .name = "a"};
	state_event_write(dir, &ev); /* says nothing, fails nothing */
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_line),
	    cmocka_unit_test(test_rotation),
	    cmocka_unit_test(test_partial_line),
	    cmocka_unit_test(test_unwritable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
