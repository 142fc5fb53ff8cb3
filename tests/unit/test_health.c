/* Healthchecks' configuration (container/health.h): the --health-* flags
 * over the image's Healthcheck, podman's defaults, the command forms, and
 * each bad value refused with one line naming its flag. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "container/container.h"
#include "container/health.h"
#include "image/image.h"
#include "lib/xalloc.h"
#include "lib/strv.h"

static void test_defaults_and_forms(void **state)
{
	(void)state;
	struct ctr_config c = {0};
	struct ctr_health_opts o = {.cmd = "curl -f localhost"};
	assert_int_equal(ctr_health_config(&o, NULL, &c, NULL), 0);
	assert_true(ctr_health_enabled(&c));
	assert_string_equal(c.health_test[0], "CMD-SHELL");
	assert_string_equal(c.health_test[1], "curl -f localhost");
	assert_null(c.health_test[2]);
	assert_int_equal(c.health_interval, 30000000000LL);
	assert_int_equal(c.health_timeout, 30000000000LL);
	assert_int_equal(c.health_start_period, 0);
	assert_int_equal(c.health_retries, 3);
	assert_null(c.health_on_failure);
	char **argv = ctr_health_argv(c.health_test);
	assert_string_equal(argv[0], "/bin/sh");
	assert_string_equal(argv[1], "-c");
	assert_string_equal(argv[2], "curl -f localhost");
	strv_free(argv);
	ctr_config_clear(&c);

	/* a JSON array: CMD kept, one without CMD/CMD-SHELL is a CMD */
	o = (struct ctr_health_opts){.cmd = "[\"CMD\",\"test\",\"-e\",\"/x\"]",
	                             .interval = "disable",
	                             .on_failure = "restart",
	                             .retries = "1",
	                             .start_period = "1m30s"};
	assert_int_equal(ctr_health_config(&o, NULL, &c, NULL), 0);
	assert_string_equal(c.health_test[0], "CMD");
	assert_string_equal(c.health_test[3], "/x");
	assert_int_equal(c.health_interval, 0);
	assert_int_equal(c.health_retries, 1);
	assert_int_equal(c.health_start_period, 90000000000LL);
	assert_string_equal(c.health_on_failure, "restart");
	argv = ctr_health_argv(c.health_test);
	assert_string_equal(argv[0], "test");
	assert_null(argv[3]);
	strv_free(argv);
	ctr_config_clear(&c);
	o = (struct ctr_health_opts){.cmd = "[\"CMD-SHELL\",\"echo hi\"]"};
	assert_int_equal(ctr_health_config(&o, NULL, &c, NULL), 0);
	assert_string_equal(c.health_test[0], "CMD-SHELL");
	assert_string_equal(c.health_test[1], "echo hi");
	assert_null(c.health_test[2]);
	ctr_config_clear(&c);
	o = (struct ctr_health_opts){.cmd = "[\"true\"]"};
	assert_int_equal(ctr_health_config(&o, NULL, &c, NULL), 0);
	assert_string_equal(c.health_test[0], "CMD");
	assert_string_equal(c.health_test[1], "true");
	ctr_config_clear(&c);

	/* none, and --no-healthcheck */
	o = (struct ctr_health_opts){.cmd = "NONE"};
	assert_int_equal(ctr_health_config(&o, NULL, &c, NULL), 0);
	assert_false(ctr_health_enabled(&c));
	ctr_config_clear(&c);
}

static void test_image_and_overrides(void **state)
{
	(void)state;
	char *test[] = {"CMD-SHELL", "check", NULL};
	struct img_config img = {.hc_test = test, .hc_interval = 5000000000LL, .hc_retries = 7};
	struct ctr_config c = {0};
	assert_int_equal(ctr_health_config(NULL, &img, &c, NULL), 0);
	assert_string_equal(c.health_test[1], "check");
	assert_int_equal(c.health_interval, 5000000000LL);
	assert_int_equal(c.health_retries, 7);
	assert_int_equal(c.health_timeout, 30000000000LL);
	ctr_config_clear(&c);
	struct ctr_health_opts o = {.retries = "2"};
	assert_int_equal(ctr_health_config(&o, &img, &c, NULL), 0);
	assert_int_equal(c.health_retries, 2);
	assert_int_equal(c.health_interval, 5000000000LL);
	ctr_config_clear(&c);
	o = (struct ctr_health_opts){.none = true};
	assert_int_equal(ctr_health_config(&o, &img, &c, NULL), 0);
	assert_false(ctr_health_enabled(&c));
	ctr_config_clear(&c);
}

static void test_bad_values(void **state)
{
	(void)state;
	static const struct {
		struct ctr_health_opts o;
		const char *msg;
	} bad[] = {
	    {{.cmd = "x", .interval = "soon"}, "invalid --health-interval 'soon'"},
	    {{.cmd = "x", .interval = "500ms"}, "invalid --health-interval '500ms': at least 1s"},
	    {{.cmd = "x", .timeout = "disable"}, "invalid --health-timeout"},
	    {{.cmd = "x", .retries = "0"}, "invalid --health-retries '0'"},
	    {{.cmd = "x", .start_period = "-1s"}, "invalid --health-start-period"},
	    {{.cmd = "x", .on_failure = "reboot"}, "invalid --health-on-failure 'reboot'"},
	    {{.cmd = "[\"CMD\""}, "invalid --health-cmd"},
	    {{.cmd = "[\"CMD\", 3]"}, "not a JSON array of strings"},
	    {{.cmd = "[\"CMD\"]"}, "CMD needs a command"},
	    {{.cmd = ""}, "--health-cmd needs a command"},
	    {{.cmd = "x", .startup_success = "x"}, "invalid --health-startup-success"},
	    {{.none = true, .interval = "1s"}, "cannot be used with --no-healthcheck"},
	    {{.startup_cmd = "x"}, "--health-startup-cmd needs a healthcheck"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctr_config c = {0};
		struct burrow_err *err = NULL;
		assert_int_equal(ctr_health_config(&bad[i].o, NULL, &c, &err), -1);
		assert_int_equal(err->status, EINVAL);
		if (!strstr(err->msg, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err->msg, bad[i].msg);
		assert_null(strchr(err->msg, '\n'));
		burrow_err_free(err);
		ctr_config_clear(&c);
	}
}

static void test_status_names(void **state)
{
	(void)state;
	enum ctr_health_status st;
	assert_int_equal(ctr_health_status_parse("unhealthy", &st, NULL), 0);
	assert_int_equal(st, CTR_HEALTH_UNHEALTHY);
	assert_string_equal(ctr_health_status_name(CTR_HEALTH_STARTING), "starting");
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_health_status_parse("ok", &st, &err), -1);
	burrow_err_free(err);
}

static void test_sdnotify_healthy_needs_one(void **state)
{
	(void)state;
	static const struct ctr_health_opts none = {0}, off = {.none = true}, cmd = {.cmd = "true"};
	const struct ctr_health_opts *refused[] = {&none, &off};
	for (size_t i = 0; i < 2; i++) {
		struct ctr_config c = {.sdnotify = xstrdup("healthy")};
		struct burrow_err *err = NULL;
		assert_int_equal(ctr_health_config(refused[i], NULL, &c, &err), -1);
		assert_int_equal(err->status, EINVAL);
		assert_non_null(strstr(err->msg, "--sdnotify=healthy requires a healthcheck"));
		burrow_err_free(err);
		ctr_config_clear(&c);
	}
	/* a healthcheck, the flag's or the image's: fine */
	struct ctr_config c = {.sdnotify = xstrdup("healthy")};
	assert_int_equal(ctr_health_config(&cmd, NULL, &c, NULL), 0);
	ctr_config_clear(&c);
	char *test[] = {"CMD-SHELL", "true", NULL};
	struct img_config img = {.hc_test = test};
	struct ctr_config c2 = {.sdnotify = xstrdup("healthy")};
	assert_int_equal(ctr_health_config(NULL, &img, &c2, NULL), 0);
	ctr_config_clear(&c2);
	/* other modes need none */
	struct ctr_config c3 = {.sdnotify = xstrdup("conmon")};
	assert_int_equal(ctr_health_config(&none, NULL, &c3, NULL), 0);
	ctr_config_clear(&c3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_and_forms), cmocka_unit_test(test_image_and_overrides),
	    cmocka_unit_test(test_bad_values),         cmocka_unit_test(test_sdnotify_healthy_needs_one),
	    cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
