/* Unit tests: ps's --filter and --sort (cmd/psfilter.c), its PORTS
 * (cmd/ports.c) and the inspect JSON of a container (cmd/inspect.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/ctrjson.h"
#include "cmd/ports.h"
#include "cmd/psfilter.h"
#include "lib/json.h"
#include "lib/xalloc.h"

static char *args_sleep[] = {"sleep", "600", NULL};
static char *args_sh[] = {"sh", "-c", "exit 3", NULL};

static struct ctr_listing mk(const char *id, const char *name, const char *image, enum ctr_state st, int code,
                             long long created)
{
	struct ctr_listing l = {0};
	l.cfg.id = (char *)id;
	l.cfg.name = (char *)name;
	l.cfg.image_name = (char *)image;
	l.cfg.image_id = (char *)"5f1c0ffee0ddba11";
	l.cfg.created = created;
	l.cfg.args = args_sleep;
	l.run.state = st;
	l.run.exit_code = code;
	return l;
}

/* Whether the filters specs[] (NULL-ended) match l. */
static bool matches(const char *const *specs, const struct ctr_listing *l)
{
	struct burrow_err *err = NULL;
	struct cmd_ps_filter *f = cmd_ps_filter_new();
	for (size_t i = 0; specs[i]; i++)
		assert_int_equal(cmd_ps_filter_add(f, specs[i], &err), 0);
	bool m = cmd_ps_filter_match(f, &l->cfg, &l->run);
	cmd_ps_filter_free(f);
	return m;
}
#define M(l, ...) matches((const char *const[]){__VA_ARGS__, NULL}, &(l))

static void test_filter_match(void **state)
{
	(void)state;
	struct ctr_listing run = mk("abc123", "web", "busybox", CTR_RUNNING, 0, 1);
	struct ctr_listing ex = mk("def456", "db", "docker.io/library/alpine:latest", CTR_EXITED, 3, 2);
	struct ctr_listing cfg = mk("abd999", "job", "busybox", CTR_CONFIGURED, 0, 3);
	/* id: a hex prefix, not a substring; a regex when not hex */
	assert_true(M(run, "id=abc"));
	assert_true(M(run, "id=ABC"));
	assert_false(M(run, "id=c12"));
	assert_true(M(run, "id=^ab.1"));
	/* name: a regex, unanchored */
	assert_true(M(run, "name=e"));
	assert_false(M(ex, "name=^w"));
	/* status in podman's names: configured is created, stopped is exited */
	assert_true(M(cfg, "status=created"));
	assert_false(M(cfg, "status=initialized"));
	assert_true(M(ex, "status=stopped"));
	struct ctr_listing stopped = mk("aaa", "s", "busybox", CTR_STOPPED, 1, 4);
	assert_true(M(stopped, "status=exited"));
	/* exited: only containers that ended */
	assert_true(M(ex, "exited=3"));
	assert_false(M(run, "exited=0"));
	assert_false(M(cfg, "exited=0"));
	/* ancestor: the image's whole ID (not a part, not a prefix: podman
	 * 4.3), the name, NAME for NAME:latest */
	assert_true(M(run, "ancestor=5f1c0ffee0ddba11"));
	assert_false(M(run, "ancestor=c0ffee"));
	assert_false(M(run, "ancestor=5f1c0f"));
	assert_true(M(run, "ancestor=busybox"));
	assert_true(M(ex, "ancestor=docker.io/library/alpine"));
	assert_false(M(ex, "ancestor=nginx"));
	/* also by the name that found the image, and its NAME for NAME:latest */
	struct ctr_listing typed = mk("bbb", "t", "other:1", CTR_RUNNING, 0, 5);
	typed.cfg.image_resolved = (char *)"localhost/other:1";
	assert_true(M(typed, "ancestor=other:1"));
	assert_true(M(typed, "ancestor=localhost/other:1"));
	typed.cfg.image_resolved = (char *)"localhost/busybox:latest";
	assert_true(M(typed, "ancestor=localhost/busybox"));
	/* compared whole, as podman 4.3: not a regex, not a part */
	assert_false(M(typed, "ancestor=^localhost/busybox$"));
	assert_false(M(typed, "ancestor=localhost/bus.box"));
	assert_false(M(typed, "ancestor=localhost/busy"));
	assert_false(M(typed, "ancestor=other"));
	assert_false(M(ex, "ancestor=alpine"));
	assert_false(M(ex, "ancestor=docker.io/library/alpine:lat"));
	/* labels: KEY alone matches any value; label! negates; all must match */
	assert_false(M(run, "label=a"));
	assert_true(M(run, "label!=a"));
	assert_false(M(run, "label!=a", "label=b"));
	char *labels[] = {(char *)"a=1", (char *)"b=", NULL};
	ex.cfg.labels = labels;
	assert_true(M(ex, "label=a"));
	assert_true(M(ex, "label=a=1"));
	assert_false(M(ex, "label=a=2"));
	assert_true(M(ex, "label=b"));
	assert_false(M(ex, "label!=a"));
	assert_true(M(ex, "label!=a=2"));
	assert_false(M(ex, "label=a", "label=c"));
	ex.cfg.labels = NULL;
	/* one key: any; different keys: all */
	assert_true(M(run, "name=db", "name=web"));
	assert_false(M(run, "name=web", "status=exited"));
	assert_true(M(ex, "name=db", "status=exited", "exited=3"));
	assert_true(M(run, "status=exited", "status=running"));
}

static void test_filter_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {"status=sleeping", "nope=1", "exited=x", "exited=", "name=(", "id", NULL};
	struct cmd_ps_filter *f = cmd_ps_filter_new();
	for (size_t i = 0; bad[i]; i++) {
		struct burrow_err *err = NULL;
		assert_int_equal(cmd_ps_filter_add(f, bad[i], &err), -1);
		assert_non_null(err);
		burrow_err_free(err);
	}
	assert_false(cmd_ps_filter_has(f, "status"));
	struct burrow_err *err = NULL;
	assert_int_equal(cmd_ps_filter_add(f, "status=running", &err), 0);
	assert_true(cmd_ps_filter_has(f, "status"));
	cmd_ps_filter_free(f);
	enum cmd_ps_sort s;
	assert_int_equal(cmd_ps_sort_parse("bogus", &s, &err), -1);
	burrow_err_free(err);
	assert_int_equal(cmd_ps_sort_parse("runningfor", &s, &err), 0);
	assert_int_equal(s, CMD_PS_SORT_RUNNINGFOR);
}

/* before= and since= against the listing they name a container of (by
 * name, full ID or unique prefix, to the nanosecond); volume= by a named
 * volume's name or a destination */
static void test_filter_refs(void **state)
{
	(void)state;
	struct ctr_listing l[] = {
	    mk("aa11", "old", "busybox", CTR_EXITED, 0, 100),
	    mk("aa22", "mid", "busybox", CTR_RUNNING, 0, 100),
	    mk("bb33", "new", "busybox", CTR_CONFIGURED, 0, 101),
	};
	l[0].cfg.created_ns = 5;
	l[1].cfg.created_ns = 6; /* the same second as old */
	struct {
		const char *spec;
		const char *want; /* the names that match, in l's order */
	} cases[] = {
	    {"before=mid", "old"},     {"since=mid", "new"},      {"since=old", "mid new"}, {"before=bb", "old mid"},
	    {"since=aa11", "mid new"}, {"before=new", "old mid"}, {"since=new", ""},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct burrow_err *err = NULL;
		struct cmd_ps_filter *f = cmd_ps_filter_new();
		assert_int_equal(cmd_ps_filter_add(f, cases[c].spec, &err), 0);
		assert_true(cmd_ps_filter_has(f, strncmp(cases[c].spec, "since", 5) == 0 ? "since" : "before"));
		assert_int_equal(cmd_ps_filter_resolve(f, l, 3, &err), 0);
		char got[64] = "";
		for (size_t i = 0; i < 3; i++)
			if (cmd_ps_filter_match(f, &l[i].cfg, &l[i].run)) {
				strcat(got, *got ? " " : "");
				strcat(got, l[i].cfg.name);
			}
		assert_string_equal(got, cases[c].want);
		cmd_ps_filter_free(f);
	}
	/* not found, and a prefix two IDs share */
	static const char *const unknown[] = {"since=nope", "before=aa", NULL};
	for (size_t i = 0; unknown[i]; i++) {
		struct burrow_err *err = NULL;
		struct cmd_ps_filter *f = cmd_ps_filter_new();
		assert_int_equal(cmd_ps_filter_add(f, unknown[i], &err), 0);
		assert_int_equal(cmd_ps_filter_resolve(f, l, 3, &err), -1);
		assert_non_null(err);
		burrow_err_free(err);
		cmd_ps_filter_free(f);
	}
	/* as stored: TYPE\tSOURCE\tDESTINATION\tOPTIONS (container/mount.h) */
	char *mounts[] = {(char *)"volume\tdata\t/d\t", (char *)"tmpfs\t\t/t\tsize=1m", NULL};
	l[0].cfg.mounts = mounts;
	assert_true(M(l[0], "volume=data"));
	assert_true(M(l[0], "volume=/t"));
	assert_true(M(l[0], "volume=/d/"));
	assert_false(M(l[0], "volume=/data"));
	assert_false(M(l[1], "volume=data"));
	assert_true(M(l[0], "volume=nope", "volume=/t"));
}

static void order(struct ctr_listing *l, size_t n, enum cmd_ps_sort by, const char *want)
{
	cmd_ps_sort(l, n, by);
	char got[64] = "";
	for (size_t i = 0; i < n; i++) {
		strcat(got, l[i].cfg.name);
		strcat(got, i + 1 < n ? " " : "");
	}
	assert_string_equal(got, want);
}

static void test_sort(void **state)
{
	(void)state;
	/* newest first, as ps lists them */
	struct ctr_listing l[] = {
	    mk("c3", "b", "zz", CTR_RUNNING, 0, 3),
	    mk("a1", "c", "aa", CTR_EXITED, 0, 2),
	    mk("b2", "a", "aa", CTR_CONFIGURED, 0, 1),
	};
	l[0].run.started_at = 30;
	l[1].run.started_at = 20;
	l[1].cfg.args = args_sh;
	order(l, 3, CMD_PS_SORT_NONE, "b c a");
	order(l, 3, CMD_PS_SORT_CREATED, "a c b");
	order(l, 3, CMD_PS_SORT_ID, "c a b");
	order(l, 3, CMD_PS_SORT_NAMES, "a b c");
	order(l, 3, CMD_PS_SORT_STATUS, "a c b"); /* created, exited, running */
	/* by podman's names: stopped is "exited", before "paused" */
	struct ctr_listing p[] = {mk("1", "x", "i", CTR_PAUSED, 0, 2), mk("2", "y", "i", CTR_STOPPED, 0, 1)};
	order(p, 2, CMD_PS_SORT_STATUS, "y x");
	order(l, 3, CMD_PS_SORT_RUNNINGFOR, "a c b");
	order(l, 3, CMD_PS_SORT_COMMAND, "c a b"); /* "sh -c exit 3" < "sleep 600"; stable */
	order(l, 3, CMD_PS_SORT_IMAGE, "c a b");   /* aa, aa (stable), zz */
	order(l, 3, CMD_PS_SORT_SIZE, "c a b");    /* ps sorts by the sizes it measured */
	enum cmd_ps_sort by = CMD_PS_SORT_NONE;
	struct burrow_err *err = NULL;
	assert_int_equal(cmd_ps_sort_parse("size", &by, &err), 0);
	assert_int_equal(by, CMD_PS_SORT_SIZE);
	/* one second: the nanoseconds decide, created and started alike */
	struct ctr_listing ns[] = {mk("1", "late", "i", CTR_RUNNING, 0, 7), mk("2", "early", "i", CTR_RUNNING, 0, 7)};
	ns[0].cfg.created_ns = 900;
	ns[1].cfg.created_ns = 100;
	ns[0].run.started_at = ns[1].run.started_at = 8;
	ns[0].run.started_ns = 10;
	ns[1].run.started_ns = 20;
	order(ns, 2, CMD_PS_SORT_CREATED, "early late");
	order(ns, 2, CMD_PS_SORT_RUNNINGFOR, "late early");
}

/* cmd_ctr_inspect_json of a listing's records, as ctr_inspect_load would
 * give them (no /etc files, no overlay directories) */
static yajl_val inspect_json(const struct ctr_listing *l, const char *log_path)
{
	struct ctr_inspect i = {.cfg = l->cfg, .run = l->run, .log_path = (char *)log_path};
	return cmd_ctr_inspect_json(&i);
}

static void test_inspect_json(void **state)
{
	(void)state;
	struct ctr_listing l = mk("abc123", "web", "busybox", CTR_RUNNING, 0, 1700000000);
	l.cfg.restart_policy = (char *)"on-failure";
	l.cfg.restart_max = 3;
	l.cfg.started = true;
	l.run.pid = 4242;
	l.run.monitor_pid = 4241;
	l.run.started_at = 1700000001;
	yajl_val j = inspect_json(&l, "/x/ctr.log");
	yajl_val st = json_get(j, "State");
	assert_string_equal(json_get_str(j, "Id"), "abc123");
	assert_string_equal(json_get_str(j, "Path"), "sleep");
	assert_string_equal(json_get_str(j, "Created"), "2023-11-14T22:13:20Z");
	assert_string_equal(json_get_str(json_get(j, "Config"), "sdNotifyMode"), "container");
	assert_null(json_get(json_get(j, "Config"), "SdNotifyMode"));
	assert_string_equal(json_get_str(j, "Pod"), "");
	assert_string_equal(json_get_str(j, "HostsPath"), "");
	assert_string_equal(json_get_str(json_get(j, "NetworkSettings"), "IPAddress"), "");
	assert_true(YAJL_IS_ARRAY(json_get(j, "ExecIDs")));
	assert_true(YAJL_IS_TRUE(json_get(st, "Running")));
	assert_int_equal(json_get_int(st, "Pid", -1), 4242);
	assert_int_equal(json_get_int(st, "ConmonPid", -1), 4241);
	assert_string_equal(json_get_str(st, "StartedAt"), "2023-11-14T22:13:21Z");
	assert_string_equal(json_get_str(st, "FinishedAt"), "0001-01-01T00:00:00Z");
	yajl_val rp = json_get(json_get(j, "HostConfig"), "RestartPolicy");
	assert_string_equal(json_get_str(rp, "Name"), "on-failure");
	assert_int_equal(json_get_int(rp, "MaximumRetryCount", -1), 3);
	yajl_tree_free(j);
	/* ended: no pid; its exit code and end */
	l.run.state = CTR_STOPPED;
	l.run.exit_code = 42;
	l.run.finished_at = 1700000002;
	l.cfg.restart_policy = NULL;
	j = inspect_json(&l, NULL);
	st = json_get(j, "State");
	assert_string_equal(json_get_str(st, "Status"), "exited");
	assert_true(YAJL_IS_FALSE(json_get(st, "Running")));
	assert_int_equal(json_get_int(st, "Pid", -1), 0);
	assert_int_equal(json_get_int(st, "ExitCode", -1), 42);
	assert_string_equal(json_get_str(st, "FinishedAt"), "2023-11-14T22:13:22Z");
	assert_string_equal(json_get_str(json_get(json_get(j, "HostConfig"), "RestartPolicy"), "Name"), "");
	assert_string_equal(json_get_str(j, "LogPath"), "");
	/* a record made before burrow kept the found name: the typed one */
	assert_string_equal(json_get_str(j, "ImageName"), "busybox");
	assert_string_equal(json_get_str(json_get(j, "Config"), "Image"), "busybox");
	yajl_tree_free(j);
	/* else, as podman, the name that found the image */
	l.cfg.image_resolved = (char *)"localhost/busybox:latest";
	j = inspect_json(&l, NULL);
	assert_string_equal(json_get_str(j, "ImageName"), "localhost/busybox:latest");
	assert_string_equal(json_get_str(json_get(j, "Config"), "Image"), "localhost/busybox:latest");
	yajl_tree_free(j);
}

/* The Go maps of podman's inspect types are built as maps (templates
 * answer a missing key of one with no value); the structs around them
 * are not. */
static void test_inspect_maps(void **state)
{
	(void)state;
	struct ctr_listing l = mk("abc123", "web", "busybox", CTR_CONFIGURED, 0, 1700000000);
	char *labels[] = {(char *)"a=1", NULL};
	char *ports[] = {(char *)"8080:80/tcp", NULL};
	l.cfg.labels = labels;
	l.cfg.ports = ports;
	yajl_val j = inspect_json(&l, NULL);
	yajl_val cfg = json_get(j, "Config"), hc = json_get(j, "HostConfig");
	assert_true(json_is_map(json_get(cfg, "Labels")));
	assert_true(json_is_map(json_get(cfg, "Annotations")));
	assert_true(json_is_map(json_get(cfg, "Volumes")));
	assert_true(json_is_map(json_get(hc, "PortBindings")));
	assert_true(json_is_map(json_get(json_get(j, "NetworkSettings"), "Ports")));
	assert_true(json_is_map(json_get(json_get(hc, "LogConfig"), "Config")));
	assert_non_null(json_get(json_get(hc, "PortBindings"), "80/tcp"));
	assert_false(json_is_map(j));
	assert_false(json_is_map(cfg));
	assert_false(json_is_map(hc));
	assert_false(json_is_map(json_get(j, "State")));
	assert_false(json_is_map(json_get(hc, "RestartPolicy")));
	assert_false(json_is_map(json_get(hc, "LogConfig")));
	yajl_tree_free(j);
	/* none: Go's nil maps, maps too */
	l.cfg.labels = NULL;
	j = inspect_json(&l, NULL);
	assert_true(json_is_map(json_get(json_get(j, "Config"), "Labels")));
	assert_true(json_is_map(json_get(json_get(j, "Config"), "Volumes")));
	yajl_tree_free(j);
}

/* ps's PORTS of -p specs as bound (every host port chosen) */
static char *ports_text(const char *const *specs)
{
	struct netns_ports ps = {0};
	struct burrow_err *err = NULL;
	for (size_t i = 0; specs[i]; i++)
		assert_int_equal(netns_ports_add(&ps, specs[i], &err), 0);
	char *t = cmd_ports_text(&ps);
	netns_ports_clear(&ps);
	return t;
}
#define PORTS(...) ports_text((const char *const[]){__VA_ARGS__, NULL})

static void test_ports_text(void **state)
{
	(void)state;
	struct {
		char *got;
		const char *want;
	} cases[] = {
	    {PORTS("8000:80", "8001:81", "8002:82"), "0.0.0.0:8000-8002->80-82/tcp"},
	    /* in any order; a range continued by a single port */
	    {PORTS("8002:82", "8000:80", "8001:81"), "0.0.0.0:8000-8002->80-82/tcp"},
	    {PORTS("8000-8001:80-81", "8002:82"), "0.0.0.0:8000-8002->80-82/tcp"},
	    /* not merged: another address, protocol, a gap on either side */
	    {PORTS("127.0.0.1:8000:80", "8001:81"), "127.0.0.1:8000->80/tcp, 0.0.0.0:8001->81/tcp"},
	    {PORTS("8000:80", "8001:81/udp"), "0.0.0.0:8000->80/tcp, 0.0.0.0:8001->81/udp"},
	    {PORTS("8000:80", "8002:81"), "0.0.0.0:8000->80/tcp, 0.0.0.0:8002->81/tcp"},
	    {PORTS("8000:80", "8001:82"), "0.0.0.0:8000->80/tcp, 0.0.0.0:8001->82/tcp"},
	    /* as configured, no host port chosen yet */
	    {PORTS("80", "81"), "80-81/tcp"},
	    {PORTS("[::1]:9000:90/udp", "[::1]:9001:91/udp"), "[::1]:9000-9001->90-91/udp"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(cases[i].got, cases[i].want);
		free(cases[i].got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_filter_match), cmocka_unit_test(test_filter_errors),
	    cmocka_unit_test(test_filter_refs),  cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_inspect_json), cmocka_unit_test(test_inspect_maps),
	    cmocka_unit_test(test_ports_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
