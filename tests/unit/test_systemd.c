/* Unit tests for the systemd pieces: the notify messages the monitor
 * relays (container/sdnotify.c), the units generate systemd writes
 * (cmd/systemd.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/systemd.h"
#include "container/sdnotify.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

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

static void test_unit_escape(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"plain", "plain"},
	    {"a b", "\"a b\""},
	    {"$HOME", "$$HOME"},
	    {"50%", "50%%"},
	    {"say \"hi\"", "\"say \\\"hi\\\"\""},
	    {"a\\b", "a\\\\b"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cleanup_free char *e = cmd_unit_escape(cases[i][0]);
		assert_string_equal(e, cases[i][1]);
	}
}

static struct cmd_unit_opts unit_opts(void)
{
	struct cmd_unit_opts o = {.restart_sec = -1,
	                          .stop_timeout = -1,
	                          .exe = "/opt/bin/burrow",
	                          .root = "/home/u/store",
	                          .runroot = "/run/user/1000/burrow",
	                          .pidfile = "/run/user/1000/burrow/containers/abc/conmon.pid",
	                          .version = "1.0",
	                          .no_header = true};
	return o;
}

static void test_unit_existing(void **state)
{
	(void)state;
	char *cmd[] = {"burrow", "run", "-d", "--name", "web", "busybox", "httpd", "-f", NULL};
	struct ctr_config c = {
	    .id = "abc", .name = "web", .stop_timeout = 10, .create_command = cmd, .create_image_at = 5};
	struct cmd_unit_opts o = unit_opts();
	o.use_name = true;
	o.restart_policy = "always";
	o.stop_timeout = 3;
	cleanup_free char *svc = NULL;
	struct burrow_err *err = NULL;
	cleanup_free char *u = cmd_unit_generate(&c, &o, &svc, &err);
	assert_non_null(u);
	assert_string_equal(svc, "container-web");
	assert_string_equal(u, "# container-web.service\n"
	                       "\n[Unit]\n"
	                       "Description=burrow container-web.service\n"
	                       "Documentation=man:burrow-generate(1)\n"
	                       "Wants=network-online.target\n"
	                       "After=network-online.target\n"
	                       "RequiresMountsFor=/run/user/1000/burrow\n"
	                       "\n[Service]\n"
	                       "Environment=PODMAN_SYSTEMD_UNIT=%n\n"
	                       "Restart=always\n"
	                       "TimeoutStopSec=63\n"
	                       "ExecStart=/opt/bin/burrow start web\n"
	                       "ExecStop=/opt/bin/burrow stop \\\n\t-t 3 web\n"
	                       "ExecStopPost=/opt/bin/burrow stop \\\n\t-t 3 web\n"
	                       "PIDFile=/run/user/1000/burrow/containers/abc/conmon.pid\n"
	                       "Type=forking\n"
	                       "\n[Install]\nWantedBy=default.target\n");
}

static void test_unit_new(void **state)
{
	(void)state;
	/* --rm, --restart and -d go (-d comes back in front), --sdnotify=ignore
	 * becomes conmon; the command after the image is kept as it is, its
	 * flags too */
	char *cmd[] = {"burrow", "--root", "/s", "run",     "--rm", "--restart", "on-failure:4", "--sdnotify=ignore",
	               "-e",     "A=b c",  "-d", "busybox", "sh",   "-c",        "echo $X --rm", NULL};
	struct ctr_config c = {.id = "abc",
	                       .name = "x",
	                       .stop_timeout = 10,
	                       .restart_policy = "on-failure",
	                       .restart_max = 4,
	                       .create_command = cmd,
	                       .create_image_at = 11};
	struct cmd_unit_opts o = unit_opts();
	o.new_unit = true;
	o.prefix = "svc";
	o.separator = "_";
	char *wants[] = {"a.service", "b.service", NULL};
	o.wants = wants;
	cleanup_free char *svc = NULL;
	struct burrow_err *err = NULL;
	cleanup_free char *u = cmd_unit_generate(&c, &o, &svc, &err);
	assert_non_null(u);
	assert_string_equal(svc, "svc_abc");
	assert_string_equal(u,
	                    "# svc_abc.service\n"
	                    "\n[Unit]\n"
	                    "Description=burrow svc_abc.service\n"
	                    "Documentation=man:burrow-generate(1)\n"
	                    "Wants=network-online.target\n"
	                    "After=network-online.target\n"
	                    "RequiresMountsFor=%t/burrow\n"
	                    "\n# User-defined dependencies\n"
	                    "Wants=a.service b.service\n"
	                    "\n[Service]\n"
	                    "Environment=PODMAN_SYSTEMD_UNIT=%n\n"
	                    "Restart=on-failure\n"
	                    "StartLimitBurst=4\n"
	                    "TimeoutStopSec=70\n"
	                    "ExecStartPre=-/opt/bin/burrow \\\n\t--root /s rm \\\n\t-f \\\n\t--ignore %N\n"
	                    "ExecStart=/opt/bin/burrow \\\n\t--root /s run \\\n\t--rm \\\n\t--sdnotify=conmon "
	                    "\\\n\t--name %N \\\n\t-e \"A=b c\" \\\n\t-d busybox sh \\\n\t-c \"echo $$X --rm\"\n"
	                    "ExecStop=/opt/bin/burrow \\\n\t--root /s stop \\\n\t--ignore \\\n\t-t 10 %N\n"
	                    "ExecStopPost=/opt/bin/burrow \\\n\t--root /s rm \\\n\t-f \\\n\t--ignore \\\n\t-t 10 %N\n"
	                    "Type=notify\n"
	                    "NotifyAccess=all\n"
	                    "\n[Install]\nWantedBy=default.target\n");
}

/* The verb is found by parsing the global options (--root's value may be
 * "run"); the store options, before the verb or among its flags, go into
 * every command of the unit, --new or not. */
static void test_unit_store(void **state)
{
	(void)state;
	char *cmd[] = {"burrow", "--log-level",    "debug",  "--root", "run",     "container",
	               "run",    "--runroot=/r r", "--name", "w",      "busybox", NULL};
	struct ctr_config c = {
	    .id = "abc", .name = "w", .stop_timeout = 10, .create_command = cmd, .create_image_at = 10};
	struct cmd_unit_opts o = unit_opts();
	o.new_unit = true;
	cleanup_free char *svc = NULL;
	struct burrow_err *err = NULL;
	cleanup_free char *u = cmd_unit_generate(&c, &o, &svc, &err);
	assert_non_null(u);
	const char *store = "/opt/bin/burrow \\\n\t--root /home/u/store \\\n\t--runroot \"/r r\"";
	cleanup_free char *pre = xasprintf("ExecStartPre=-%s rm \\\n\t-f \\\n\t--ignore w\n", store);
	cleanup_free char *stop = xasprintf("ExecStop=%s stop \\\n\t--ignore \\\n\t-t 10 w\n", store);
	cleanup_free char *post = xasprintf("ExecStopPost=%s rm \\\n\t-f \\\n\t--ignore \\\n\t-t 10 w\n", store);
	assert_non_null(strstr(u, pre));
	assert_non_null(strstr(u, stop));
	assert_non_null(strstr(u, post));
	assert_non_null(
	    strstr(u, "ExecStart=/opt/bin/burrow \\\n\t--log-level debug \\\n\t--root /home/u/store container run "
	              "\\\n\t--rm \\\n\t--sdnotify=conmon \\\n\t-d \"--runroot=/r r\" "
	              "\\\n\t--name w busybox\n"));
	free(u);
	free(svc);
	o.new_unit = false;
	o.use_name = true;
	u = cmd_unit_generate(&c, &o, &svc, &err);
	assert_non_null(u);
	assert_non_null(
	    strstr(u, "ExecStart=/opt/bin/burrow \\\n\t--root /home/u/store \\\n\t--runroot \"/r r\" start w\n"));
	assert_non_null(strstr(u, "ExecStop=/opt/bin/burrow \\\n\t--root /home/u/store \\\n\t--runroot \"/r r\" stop"));
}

/* The unit for a container "w" made by cmd (its image at image_at). */
static char *unit_of(char **cmd, int image_at, const struct cmd_unit_opts *o)
{
	struct ctr_config c = {
	    .id = "abc", .name = "w", .stop_timeout = 10, .create_command = cmd, .create_image_at = image_at};
	cleanup_free char *svc = NULL;
	struct burrow_err *err = NULL;
	char *u = cmd_unit_generate(&c, o, &svc, &err);
	assert_non_null(u);
	return u;
}

/* A relative --root or --runroot, wherever it stood, is the store's
 * absolute path in the unit: systemd runs it from another directory. */
static void test_unit_store_relative(void **state)
{
	(void)state;
	char *cmd[] = {"burrow", "--runroot", "rr", "run", "--root=st", "--name", "w", "busybox", NULL};
	struct cmd_unit_opts o = unit_opts();
	o.new_unit = true;
	char *u = unit_of(cmd, 7, &o);
	assert_non_null(strstr(u,
	                       "ExecStart=/opt/bin/burrow \\\n\t--runroot /run/user/1000/burrow run \\\n\t--rm "
	                       "\\\n\t--sdnotify=conmon \\\n\t-d \\\n\t--root=/home/u/store \\\n\t--name w busybox\n"));
	const char *store = "/opt/bin/burrow \\\n\t--runroot /run/user/1000/burrow \\\n\t--root /home/u/store";
	cleanup_free char *stop = xasprintf("ExecStop=%s stop \\\n\t--ignore \\\n\t-t 10 w\n", store);
	assert_non_null(strstr(u, stop));
	free(u);
	o.new_unit = false;
	o.use_name = true;
	u = unit_of(cmd, 7, &o);
	cleanup_free char *start = xasprintf("ExecStart=%s start w\n", store);
	assert_non_null(strstr(u, start));
	assert_null(strstr(u, " rr"));
	assert_null(strstr(u, "=st"));
	free(u);
}

static void test_unit_new_needs_command(void **state)
{
	(void)state;
	struct ctr_config c = {.id = "abc", .name = "old", .stop_timeout = 10};
	struct cmd_unit_opts o = unit_opts();
	o.new_unit = true;
	cleanup_free char *svc = NULL;
	struct burrow_err *err = NULL;
	assert_null(cmd_unit_generate(&c, &o, &svc, &err));
	assert_non_null(strstr(err->msg, "no create command"));
	burrow_err_free(err);
	assert_true(cmd_unit_restart_valid("on-abnormal"));
	assert_false(cmd_unit_restart_valid("unless-stopped"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sdnotify_rewrite), cmocka_unit_test(test_sdnotify_modes),
	    cmocka_unit_test(test_unit_escape),      cmocka_unit_test(test_unit_existing),
	    cmocka_unit_test(test_unit_new),         cmocka_unit_test(test_unit_new_needs_command),
	    cmocka_unit_test(test_unit_store),       cmocka_unit_test(test_unit_store_relative),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
