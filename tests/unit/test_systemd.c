/* Unit tests for the systemd pieces: the notify messages the monitor
 * relays (container/sdnotify.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/sdnotify.h"
#include "lib/cleanup.h"

static void check_rewrite(const char *in, int mainpid, const char *want)
{
	cleanup_free char *out = ctr_sdnotify_rewrite(in, strlen(in), mainpid);
	assert_string_equal(out, want);
}

static void test_sdnotify_rewrite(void **state)
{
	(void)state;
	/* the container's MAINPID never goes through: a pid of its namespace */
	check_rewrite("MAINPID=1\nREADY=1", 0, "READY=1");
	check_rewrite("READY=1\nMAINPID=7\nSTATUS=up\n", 0, "READY=1\nSTATUS=up");
	/* the monitor's goes first when asked */
	check_rewrite("READY=1", 4242, "MAINPID=4242\nREADY=1");
	check_rewrite("MAINPID=1", 4242, "MAINPID=4242");
	/* nothing left: nothing to send */
	check_rewrite("MAINPID=1\n", 0, "");
	check_rewrite("", 0, "");
	/* empty lines dropped; a line merely containing MAINPID= kept */
	check_rewrite("\n\nSTATUS=MAINPID=3\n", 0, "STATUS=MAINPID=3");
}

static void test_sdnotify_modes(void **state)
{
	(void)state;
	assert_true(ctr_sdnotify_mode_valid("container"));
	assert_true(ctr_sdnotify_mode_valid("conmon"));
	assert_true(ctr_sdnotify_mode_valid("healthy"));
	assert_true(ctr_sdnotify_mode_valid("ignore"));
	assert_false(ctr_sdnotify_mode_valid(""));
	assert_false(ctr_sdnotify_mode_valid("Conmon"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sdnotify_rewrite),
	    cmocka_unit_test(test_sdnotify_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
