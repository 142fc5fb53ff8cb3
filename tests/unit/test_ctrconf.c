/* containers.conf's reading (cmd/ctrconf.c): which keys, their kinds,
 * later files over earlier ones, burrow.conf's settings over both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/ctrconf.h"
#include "container/container.h"
#include "lib/strv.h"

static void test_keys(void **state)
{
	(void)state;
	struct cmd_ctrconf c;
	cmd_ctrconf_init(&c);
	struct burrow_err *err = NULL;
	const char *text = "[containers]\n"
	                   "env = [\"A=1\", \"B=2\"]\n"
	                   "volumes = [\"/srv:/srv:ro\"]\n"
	                   "log_driver = \"k8s-file\"\n"
	                   "log_size_max = -1\n"
	                   "default_ulimits = [\"nofile=10:20\"]\n"
	                   "dns_servers = [\"192.0.2.1\"]\n"
	                   "dns_searches = [\"a.example\"]\n"
	                   "dns_options = [\"ndots:2\"]\n"
	                   "tz = \"UTC\"\n"
	                   "umask = \"0027\"\n"
	                   "pids_limit = 2048\n"
	                   "init = true\n"
	                   "default_capabilities = [\"chown\", \"CAP_KILL\"]\n"
	                   "something_new = { a = 1 }\n"
	                   "[engine]\n"
	                   "events_logger = \"journald\"\n"
	                   "image_volume_mode = \"tmpfs\"\n"
	                   "[machine]\n"
	                   "cpus = 2\n";
	assert_int_equal(cmd_ctrconf_add_text(&c, text, "/x.conf", &err), 0);
	assert_int_equal(strv_len(c.env), 2);
	assert_string_equal(c.env[1], "B=2");
	assert_string_equal(c.volumes[0], "/srv:/srv:ro");
	assert_string_equal(c.log_driver, "k8s-file");
	assert_true(c.has_log_size_max);
	assert_int_equal(c.log_size_max, -1);
	assert_string_equal(c.default_ulimits[0], "nofile=10:20");
	assert_string_equal(c.dns_servers[0], "192.0.2.1");
	assert_string_equal(c.dns_searches[0], "a.example");
	assert_string_equal(c.dns_options[0], "ndots:2");
	assert_string_equal(c.tz, "UTC");
	assert_string_equal(c.umask, "0027");
	assert_true(c.has_pids_limit);
	assert_int_equal(c.pids_limit, 2048);
	assert_int_equal(c.init, 1);
	/* podman's spellings, normalised */
	assert_string_equal(c.default_capabilities[0], "CAP_CHOWN");
	assert_string_equal(c.default_capabilities[1], "CAP_KILL");
	assert_string_equal(c.events_logger, "journald");
	assert_string_equal(c.image_volume_mode, "tmpfs");
	assert_string_equal(c.files[0], "/x.conf");
	/* a later file replaces what it sets, keeps the rest */
	assert_int_equal(cmd_ctrconf_add_text(&c, "[containers]\nenv = []\ntz = \"Asia/Tokyo\"\n", "/y.conf", &err), 0);
	assert_int_equal(strv_len(c.env), 0);
	assert_string_equal(c.tz, "Asia/Tokyo");
	assert_string_equal(c.umask, "0027");
	assert_string_equal(c.files[1], "/y.conf");
	cmd_ctrconf_clear(&c);
}

static void expect_error(const char *text, const char *msg)
{
	struct cmd_ctrconf c;
	cmd_ctrconf_init(&c);
	struct burrow_err *err = NULL;
	assert_int_equal(cmd_ctrconf_add_text(&c, text, "/f.conf", &err), -1);
	assert_non_null(err);
	assert_string_equal(err->msg, msg);
	burrow_err_free(err);
	cmd_ctrconf_clear(&c);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("[containers]\n\nenv = \"A=1\"\n", "/f.conf:3: containers.env must be an array of strings");
	expect_error("[containers]\nvolumes = [1]\n", "/f.conf:2: containers.volumes must be an array of strings");
	expect_error("[containers]\ntz = 1\n", "/f.conf:2: containers.tz must be a string");
	expect_error("[containers]\ninit = \"yes\"\n", "/f.conf:2: containers.init must be true or false");
	expect_error("[containers]\npids_limit = \"1\"\n", "/f.conf:2: containers.pids_limit must be an integer");
	expect_error("containers = 1\n", "/f.conf:1: containers must be a table");
	expect_error("[engine]\nevents_logger = \"syslog\"\n",
	             "/f.conf:2: events_logger must be file, journald or none, not 'syslog'");
	expect_error("[engine]\nimage_volume_mode = \"copy\"\n",
	             "/f.conf:2: image_volume_mode must be bind, tmpfs or ignore, not 'copy'");
	/* the TOML reader's own: the file and the line too */
	expect_error("[containers]\nenv = [\"a\"\n", "/f.conf:3: unterminated array");
	expect_error("[containers\n", "/f.conf:1: expected ']' after the table name");
}

static void test_burrow_conf_over(void **state)
{
	(void)state;
	struct cmd_ctrconf c, over;
	cmd_ctrconf_init(&c);
	cmd_ctrconf_init(&over);
	struct burrow_err *err = NULL;
	assert_int_equal(
	    cmd_ctrconf_add_text(&c, "[containers]\ntz = \"UTC\"\numask = \"0077\"\ninit = true\n", "/c", &err), 0);
	assert_int_equal(cmd_ctrconf_set(&over, "containers", "tz", "Europe/Paris", &err), 0);
	assert_int_equal(cmd_ctrconf_set(&over, "containers", "init", "false", &err), 0);
	assert_int_equal(cmd_ctrconf_set(&over, "containers", "log_size_max", "1000", &err), 0);
	assert_int_equal(cmd_ctrconf_set(&over, "engine", "events_logger", "none", &err), 0);
	/* not one of its keys: the caller says so */
	assert_int_equal(cmd_ctrconf_set(&over, "containers", "env", "A=1", &err), 1);
	assert_int_equal(cmd_ctrconf_set(&over, "storage", "root", "/x", &err), 1);
	assert_int_equal(cmd_ctrconf_set(&over, "containers", "init", "maybe", &err), -1);
	burrow_err_free(err);
	err = NULL;
	cmd_ctrconf_merge(&c, &over);
	assert_string_equal(c.tz, "Europe/Paris");
	assert_string_equal(c.umask, "0077");
	assert_int_equal(c.init, 0);
	assert_true(c.has_log_size_max);
	assert_int_equal(c.log_size_max, 1000);
	assert_string_equal(c.events_logger, "none");
	cmd_ctrconf_clear(&c);
	cmd_ctrconf_clear(&over);
}

/* pids_limit becomes the create options' default pids limit: podman's 0
 * is no limit; without the key, podman's default */
static void test_pids_default(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		long long want;
	} cases[] = {
	    {"[containers]\npids_limit = 100\n", 100},
	    {"[containers]\npids_limit = 0\n", -1},
	    {"[containers]\ntz = \"UTC\"\n", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cmd_ctrconf c;
		cmd_ctrconf_init(&c);
		struct burrow_err *err = NULL;
		assert_int_equal(cmd_ctrconf_add_text(&c, cases[i].text, "/p.conf", &err), 0);
		struct ctr_create_opts o = {0};
		assert_int_equal(cmd_ctrconf_apply(&c, &o, &err), 0);
		assert_int_equal(o.pids_default, cases[i].want);
		free(o.sec.tz);
		cmd_ctrconf_clear(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_burrow_conf_over),
	    cmocka_unit_test(test_pids_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
