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
	    /* a newline never reaches the unit raw: no directive of its own */
	    {"A=b\nExecStartPre=/bin/evil", "\"A=b\\nExecStartPre=/bin/evil\""},
	    {"x\r\001\177y", "\"x\\r\\x01\\x7fy\""},
	    {"a\tb", "\"a\tb\""},
	    /* a lone ' would open a quote systemd never sees closed */
	    {"A=it's", "\"A=it's\""},
	    /* an empty argument stays one (find . -name "") */
	    {"", "\"\""},
	    /* a lone ; ends systemd's command (find -exec CMD {} ;) */
	    {";", "\";\""},
	    {"a;", "a;"},
	    /* systemd ignores a line that is not UTF-8: the whole ExecStart= */
	    {"caf\xe9", "\"caf\\xe9\""},
	    {"caf\xc3\xa9", "caf\xc3\xa9"},
	    {"\xed\xa0\x80", "\"\\xed\\xa0\\x80\""},
	    {"\xef\xbf\xbf", "\"\\xef\\xbf\\xbf\""}, /* U+FFFF: systemd's rule too */
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

/* The --new unit of container w, made by cmd (its image at cmd[image]). */
static char *new_unit(char **cmd, int image)
{
	struct ctr_config c = {
	    .id = "abc", .name = "w", .stop_timeout = 10, .create_command = cmd, .create_image_at = image};
	struct cmd_unit_opts o = unit_opts();
	o.new_unit = true;
	cleanup_free char *svc = NULL;
	struct burrow_err *err = NULL;
	char *u = cmd_unit_generate(&c, &o, &svc, &err);
	assert_non_null(u);
	return u;
}

/* The verb is found by parsing the global options (--root's value may be
 * "run"); the store options, before the verb or among its flags, go into
 * every command of the unit, --new or not, naming the store generate
 * found the container in (absolute), not the create command's value. */
static void test_unit_store(void **state)
{
	(void)state;
	char *cmd[] = {"burrow", "--log-level",    "debug",  "--root", "run",     "container",
	               "run",    "--runroot=/r r", "--name", "w",      "busybox", NULL};
	cleanup_free char *u = new_unit(cmd, 10);
	const char *store = "/opt/bin/burrow \\\n\t--root run \\\n\t--runroot /run/user/1000/burrow";
	cleanup_free char *pre = xasprintf("ExecStartPre=-%s rm \\\n\t-f \\\n\t--ignore w\n", store);
	cleanup_free char *stop = xasprintf("ExecStop=%s stop \\\n\t--ignore \\\n\t-t 10 w\n", store);
	cleanup_free char *post = xasprintf("ExecStopPost=%s rm \\\n\t-f \\\n\t--ignore \\\n\t-t 10 w\n", store);
	assert_non_null(strstr(u, pre));
	assert_non_null(strstr(u, stop));
	assert_non_null(strstr(u, post));
	assert_non_null(strstr(u, "ExecStart=/opt/bin/burrow \\\n\t--log-level debug \\\n\t--root run container run "
	                          "\\\n\t--rm \\\n\t--sdnotify=conmon \\\n\t-d \\\n\t--runroot /run/user/1000/burrow "
	                          "\\\n\t--name w busybox\n"));
	free(u);
	struct ctr_config c = {
	    .id = "abc", .name = "w", .stop_timeout = 10, .create_command = cmd, .create_image_at = 10};
	struct cmd_unit_opts o = unit_opts();
	cleanup_free char *svc = NULL;
	struct burrow_err *err = NULL;
	o.use_name = true;
	u = cmd_unit_generate(&c, &o, &svc, &err);
	assert_non_null(u);
	assert_non_null(
	    strstr(u, "ExecStart=/opt/bin/burrow \\\n\t--root run \\\n\t--runroot /run/user/1000/burrow start w\n"));
	assert_non_null(
	    strstr(u, "ExecStop=/opt/bin/burrow \\\n\t--root run \\\n\t--runroot /run/user/1000/burrow stop"));

	/* the store as generate found it (absolute): a relative --root of the
	 * create command meant the directory create ran in */
	free(u);
	free(svc);
	o.root = "/home/u/rel root";
	o.runroot = "/run/user/1000/rr";
	u = cmd_unit_generate(&c, &o, &svc, &err);
	assert_non_null(u);
	assert_non_null(strstr(u, "ExecStart=/opt/bin/burrow \\\n\t--root \"/home/u/rel root\" \\\n\t--runroot "
	                          "/run/user/1000/rr start w\n"));
	assert_null(strstr(u, "--root run"));
	free(u);
	free(svc);
	o.new_unit = true;
	u = cmd_unit_generate(&c, &o, &svc, &err);
	assert_non_null(u);
	assert_non_null(strstr(u, "ExecStart=/opt/bin/burrow \\\n\t--log-level debug \\\n\t--root \"/home/u/rel root\" "
	                          "container run \\\n\t--rm \\\n\t--sdnotify=conmon \\\n\t-d \\\n\t--runroot "
	                          "/run/user/1000/rr \\\n\t--name w busybox\n"));
	assert_non_null(strstr(u, "ExecStop=/opt/bin/burrow \\\n\t--root \"/home/u/rel root\" \\\n\t--runroot "
	                          "/run/user/1000/rr stop"));
	assert_null(strstr(u, "--root run"));
	assert_null(strstr(u, "/r r"));
}

/* The unit generate writes for c with o. */
static char *unit_text(const struct ctr_config *c, const struct cmd_unit_opts *o)
{
	cleanup_free char *svc = NULL;
	struct burrow_err *err = NULL;
	char *u = cmd_unit_generate(c, o, &svc, &err);
	assert_non_null(u);
	return u;
}

/* A store that systemd's environment would not give (chosen through
 * XDG_DATA_HOME, XDG_RUNTIME_DIR, burrow.conf) is named in every
 * command, after burrow's path; one the create command names keeps its
 * place; the service's own store is not named. */
static void test_unit_service_store(void **state)
{
	(void)state;
	char *cmd[] = {"burrow", "run", "--name", "w", "busybox", NULL};
	struct ctr_config c = {
	    .id = "abc", .name = "w", .stop_timeout = 10, .create_command = cmd, .create_image_at = 4};
	struct cmd_unit_opts o = unit_opts();
	o.use_name = true;
	o.root = "/home/u/.local/share/burrow";
	o.service_root = "/home/u/.local/share/burrow";
	o.runroot = "/tmp/xdg/burrow";
	o.service_runroot = "/run/user/1000/burrow";
	char *u = unit_text(&c, &o);
	assert_non_null(strstr(u, "ExecStart=/opt/bin/burrow \\\n\t--runroot /tmp/xdg/burrow start w\n"));
	assert_non_null(strstr(u, "ExecStop=/opt/bin/burrow \\\n\t--runroot /tmp/xdg/burrow stop \\\n\t-t 10 w\n"));
	assert_non_null(strstr(u, "ExecStopPost=/opt/bin/burrow \\\n\t--runroot /tmp/xdg/burrow stop"));
	assert_null(strstr(u, "--root"));
	free(u);
	o.new_unit = true;
	o.root = "/data/my store";
	u = unit_text(&c, &o);
	assert_non_null(
	    strstr(u, "ExecStart=/opt/bin/burrow \\\n\t--root \"/data/my store\" \\\n\t--runroot "
	              "/tmp/xdg/burrow run \\\n\t--rm \\\n\t--sdnotify=conmon \\\n\t-d \\\n\t--name w busybox\n"));
	assert_non_null(strstr(u, "ExecStartPre=-/opt/bin/burrow \\\n\t--root \"/data/my store\" \\\n\t--runroot "
	                          "/tmp/xdg/burrow rm"));
	free(u);
	/* named by the create command: in its place, once */
	char *named[] = {"burrow", "--runroot", "/old", "run", "--name", "w", "busybox", NULL};
	c.create_command = named;
	c.create_image_at = 6;
	u = unit_text(&c, &o);
	assert_non_null(strstr(u, "ExecStart=/opt/bin/burrow \\\n\t--root \"/data/my store\" \\\n\t--runroot "
	                          "/tmp/xdg/burrow run \\\n\t--rm"));
	assert_non_null(strstr(u, "ExecStop=/opt/bin/burrow \\\n\t--runroot /tmp/xdg/burrow \\\n\t--root \"/data/my "
	                          "store\" stop"));
	assert_null(strstr(u, "/old"));
	free(u);
	/* the service's own store: nothing named */
	c.create_command = cmd;
	c.create_image_at = 4;
	o.root = o.service_root;
	o.runroot = o.service_runroot;
	u = unit_text(&c, &o);
	assert_non_null(strstr(u, "ExecStart=/opt/bin/burrow run \\\n\t--rm"));
	assert_null(strstr(u, "--root"));
	assert_null(strstr(u, "--runroot"));
	free(u);
}

/* RequiresMountsFor= names the run root the unit's commands use: the
 * service's own as %t/burrow in a --new unit, any other --runroot (the
 * create's, or generate's own that systemd's environment would not give)
 * by its path, with the storage root the commands name */
static void test_unit_mounts(void **state)
{
	(void)state;
	char *cmd[] = {"burrow", "run", "--name", "w", "busybox", NULL};
	struct ctr_config c = {
	    .id = "abc", .name = "w", .stop_timeout = 10, .create_command = cmd, .create_image_at = 4};
	struct cmd_unit_opts o = unit_opts();
	o.new_unit = true;
	o.root = o.service_root = "/home/u/.local/share/burrow";
	o.service_runroot = "/run/user/1000/burrow";
	char *u = unit_text(&c, &o);
	assert_non_null(strstr(u, "\nRequiresMountsFor=%t/burrow\n"));
	free(u);
	/* a run root systemd's environment would not give */
	o.runroot = "/tmp/xdg/burrow";
	u = unit_text(&c, &o);
	assert_non_null(strstr(u, "\nRequiresMountsFor=/tmp/xdg/burrow\n"));
	free(u);
	/* the create command's --runroot and --root: generate's store, both
	 * required, written as systemd reads them back */
	char *named[] = {"burrow", "--root", "/old", "--runroot", "/old run", "run", "busybox", NULL};
	c.create_command = named;
	c.create_image_at = 6;
	o.root = "/data/my store";
	o.runroot = "/run/other 50%";
	u = unit_text(&c, &o);
	assert_non_null(strstr(u, "\nRequiresMountsFor=\"/run/other 50%%\" \"/data/my store\"\n"));
	assert_null(strstr(u, "%t/burrow"));
	free(u);
	/* a unit that starts the container: its run root, as podman's */
	o.new_unit = false;
	c.create_command = cmd;
	c.create_image_at = 4;
	o.root = o.service_root;
	o.runroot = "/run/user/1000/burrow";
	u = unit_text(&c, &o);
	assert_non_null(strstr(u, "\nRequiresMountsFor=/run/user/1000/burrow\n"));
	free(u);
	/* PIDFile= is one path, taken whole: % doubled, a blank as it is
	 * (quotes would be part of the path) */
	o.pidfile = "/run/my run/50%/conmon.pid";
	u = unit_text(&c, &o);
	assert_non_null(strstr(u, "\nPIDFile=/run/my run/50%%/conmon.pid\n"));
	free(u);
}

/* A path written as it is (PIDFile=, RequiresMountsFor=) with a control
 * character is refused: systemd takes no escape there, and a newline
 * would end the line and start another of the unit's */
static void test_unit_control_path(void **state)
{
	(void)state;
	char *cmd[] = {"burrow", "run", "--name", "w", "busybox", NULL};
	struct ctr_config c = {
	    .id = "abc", .name = "w", .stop_timeout = 10, .create_command = cmd, .create_image_at = 4};
	struct cmd_unit_opts o = unit_opts();
	o.root = o.service_root = "/home/u/.local/share/burrow";
	o.runroot = "/run/user/1000/burrow";
	static const char *const bad[] = {"/run/x\nExecStartPre=/bin/false", "/run/x\ty", "/run/x\x7f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int which = 0; which < 2; which++) {
			o.pidfile = which ? bad[i] : "/run/user/1000/burrow/conmon.pid";
			o.runroot = which ? "/run/user/1000/burrow" : bad[i];
			cleanup_free char *svc = NULL;
			struct burrow_err *err = NULL;
			assert_null(cmd_unit_generate(&c, &o, &svc, &err));
			assert_non_null(err);
			assert_non_null(strstr(err->msg, "systemd reads no control character there"));
			burrow_err_free(err);
		}
	}
	/* a --new unit writes no PIDFile= */
	o.new_unit = true;
	o.runroot = o.service_runroot = "/run/user/1000/burrow";
	o.pidfile = bad[0];
	free(unit_text(&c, &o));
}

/* -d in a cluster of short flags detaches; a 'd' in the value of one
 * that takes a value (-astdout, -mdx, -cd) does not: -d goes in front */
static void test_unit_new_detach(void **state)
{
	(void)state;
	static const struct {
		const char *flag;
		bool detached;
	} cases[] = {{"-dit", true}, {"-itd", true}, {"-astdout", false}, {"-iastdout", false},
	             {"-cd", false}, {"-md", false}, {"-edx=1", false},   {"-id", true}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *cmd[] = {"burrow", "run", "--name", "w", (char *)cases[i].flag, "busybox", NULL};
		cleanup_free char *u = new_unit(cmd, 5);
		bool added = strstr(u, "--sdnotify=conmon \\\n\t-d \\\n") != NULL;
		if (added == cases[i].detached)
			fail_msg("%s: -d %s", cases[i].flag, added ? "added" : "not added");
	}
	/* a detach flag with a value goes, whatever its value: the -d in front
	 * wins (after it, --detach=false would keep the unit's run in the
	 * foreground) */
	static const char *const valued[] = {"--detach=false", "-d=false", "--detach=true", "--detach=0"};
	for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++) {
		char *cmd[] = {"burrow", "run", "--name", "w", (char *)valued[i], "busybox", NULL};
		cleanup_free char *u = new_unit(cmd, 5);
		if (!strstr(u, "--sdnotify=conmon \\\n\t-d \\\n\t--name w busybox\n"))
			fail_msg("%s: %s", valued[i], u);
	} /* ... also at the end of a cluster (-id=false: -i stays, -dit=false
	   * detaches and keeps its -t=false for run to read) */
	static const struct {
		const char *flag, *kept;
	} clusters[] = {{"-id=false", "-d \\\n\t--name w \\\n\t-i busybox\n"},
	                {"-itd=1", "-d \\\n\t--name w \\\n\t-it busybox\n"},
	                {"-dit=false", "--name w \\\n\t-dit=false busybox\n"}};
	for (size_t i = 0; i < sizeof(clusters) / sizeof(clusters[0]); i++) {
		char *cmd[] = {"burrow", "run", "--name", "w", (char *)clusters[i].flag, "busybox", NULL};
		cleanup_free char *u = new_unit(cmd, 5);
		if (!strstr(u, clusters[i].kept))
			fail_msg("%s: %s", clusters[i].flag, u);
	}
}

/* The value of a flag that takes one is the create's as it was, however
 * it looks: -e's "-d=1" is no -d=BOOL to drop (else -e took the next
 * argument, the image, for its value), --env's "-dit" detaches nothing,
 * "--rm" and "--restart" as values stay */
static void test_unit_new_flag_values(void **state)
{
	(void)state;
	static const struct {
		const char *flag, *value, *kept;
	} cases[] = {{"-e", "-d=1", "-d \\\n\t--name w \\\n\t-e \\\n\t-d=1 busybox\n"},
	             {"--env", "-dit", "-d \\\n\t--name w \\\n\t--env \\\n\t-dit busybox\n"},
	             {"-e", "--rm", "-d \\\n\t--name w \\\n\t-e \\\n\t--rm busybox\n"},
	             {"-ie", "--restart", "-d \\\n\t--name w \\\n\t-ie \\\n\t--restart busybox\n"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *cmd[] = {"burrow",  "run", "--name", "w", (char *)cases[i].flag, (char *)cases[i].value,
		               "busybox", NULL};
		cleanup_free char *u = new_unit(cmd, 6);
		if (!strstr(u, cases[i].kept))
			fail_msg("%s %s: %s", cases[i].flag, cases[i].value, u);
	}
	/* -e's "--runroot" names no store: the unit's commands name none */
	char *cmd[] = {"burrow", "run", "--name", "w", "-e", "--runroot", "-e", "X", "busybox", NULL};
	cleanup_free char *u = new_unit(cmd, 8);
	assert_non_null(strstr(u, "ExecStop=/opt/bin/burrow stop"));
	assert_non_null(strstr(u, "--name w \\\n\t-e \\\n\t--runroot \\\n\t-e X busybox\n"));
}

/* --preserve-fds N goes (as N or =N): systemd passes a unit no fd past
 * stderr, so the unit's run would fail on fd 3 at every start */
static void test_unit_new_preserve_fds(void **state)
{
	(void)state;
	char *apart[] = {"burrow", "run", "--preserve-fds", "2", "--name", "w", "busybox", NULL};
	cleanup_free char *u = new_unit(apart, 6);
	assert_non_null(strstr(u, "-d \\\n\t--name w busybox\n"));
	assert_null(strstr(u, "preserve"));
	char *joined[] = {"burrow", "run", "--preserve-fds=1", "-i", "busybox", "top", NULL};
	cleanup_free char *v = new_unit(joined, 4);
	assert_non_null(strstr(v, "--name %N \\\n\t-i busybox top\n"));
	assert_null(strstr(v, "preserve"));
}

/* A long flag abbreviated (getopt_long takes --na for --name, and the
 * create command keeps it so) is the flag it names: --rest and --pres go,
 * --na names the container ExecStop stops, --en takes "-d=1" for its
 * value, --det=false goes as --detach=false does; the rest are written
 * whole. --root is the global flag, not run's --rootfs. */
static void test_unit_new_abbreviated(void **state)
{
	(void)state;
	char *cmd[] = {"burrow", "run",         "--rest=always", "--na",   "web", "--pres",  "2", "--en",
	               "-d=1",   "--det=false", "--sig",         "--root", "/r",  "busybox", NULL};
	cleanup_free char *u = new_unit(cmd, 13);
	assert_null(strstr(u, "rest"));
	assert_null(strstr(u, "pres"));
	assert_null(strstr(u, "det"));
	assert_null(strstr(u, "%N"));
	assert_non_null(
	    strstr(u, "-d \\\n\t--name web \\\n\t--env \\\n\t-d=1 \\\n\t--sig-proxy \\\n\t--root /r busybox\n"));
	assert_non_null(strstr(u, "ExecStop=/opt/bin/burrow \\\n\t--root /r stop \\\n\t--ignore \\\n\t-t 10 web\n"));
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
	    cmocka_unit_test(test_sdnotify_rewrite),
	    cmocka_unit_test(test_sdnotify_modes),
	    cmocka_unit_test(test_unit_escape),
	    cmocka_unit_test(test_unit_existing),
	    cmocka_unit_test(test_unit_new),
	    cmocka_unit_test(test_unit_new_needs_command),
	    cmocka_unit_test(test_unit_store),
	    cmocka_unit_test(test_unit_new_detach),
	    cmocka_unit_test(test_unit_new_flag_values),
	    cmocka_unit_test(test_unit_service_store),
	    cmocka_unit_test(test_unit_mounts),
	    cmocka_unit_test(test_unit_control_path),
	    cmocka_unit_test(test_unit_new_preserve_fds),
	    cmocka_unit_test(test_unit_new_abbreviated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
