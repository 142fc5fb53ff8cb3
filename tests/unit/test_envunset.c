/* Unit tests for container/envunset.c (--unsetenv, --unsetenv-all) and
 * container/nsmode.c's checks of --pid, --ipc, --uts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/envunset.h"
#include "container/nsmode.h"
#include "lib/err.h"
#include "lib/strv.h"

static void test_env_unset(void **state)
{
	(void)state;
	struct strv_builder b = {0};
	strv_builder_add(&b, "PATH=/bin");
	strv_builder_add(&b, "PATHX=1");
	strv_builder_add(&b, "A=1");
	strv_builder_add(&b, "B");
	char *names[] = {"PATH", "B", "NONE", NULL};
	ctr_env_unset(&b, names, false);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.v[0], "PATHX=1");
	assert_string_equal(b.v[1], "A=1");
	assert_null(b.v[2]);
	ctr_env_unset(&b, NULL, false);
	assert_int_equal(b.n, 2);
	ctr_env_unset(&b, NULL, true);
	assert_int_equal(b.n, 0);
	assert_null(b.v[0]);
	strv_free(strv_builder_steal(&b));
}

static void mode_ok(enum ctr_ns ns, const char *v)
{
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_nsmode_check(ns, v, &err), 0);
	assert_null(err);
}

static void mode_bad(enum ctr_ns ns, const char *v, const char *want)
{
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_nsmode_check(ns, v, &err), -1);
	assert_non_null(err);
	if (!strstr(err->msg, want))
		fail_msg("'%s': '%s' lacks '%s'", v, err->msg, want);
	burrow_err_free(err);
}

static void test_nsmode_check(void **state)
{
	(void)state;
	for (int ns = 0; ns < CTR_NS_COUNT; ns++) {
		mode_ok((enum ctr_ns)ns, "");
		mode_ok((enum ctr_ns)ns, "private");
		mode_ok((enum ctr_ns)ns, "host");
		mode_ok((enum ctr_ns)ns, "container:web");
		mode_ok((enum ctr_ns)ns, "ns:/proc/1/ns/pid");
		mode_bad((enum ctr_ns)ns, "container:", "requires a value");
		mode_bad((enum ctr_ns)ns, "ns:", "requires a value");
		mode_bad((enum ctr_ns)ns, "ns:rel/path", "must be absolute");
		mode_bad((enum ctr_ns)ns, "bogus", "unrecognized namespace mode 'bogus'");
	}
	mode_ok(CTR_NS_IPC, "none");
	mode_ok(CTR_NS_IPC, "shareable");
	mode_bad(CTR_NS_PID, "none", "--pid: unrecognized");
	mode_bad(CTR_NS_UTS, "shareable", "--uts: unrecognized");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_env_unset),
	    cmocka_unit_test(test_nsmode_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
