/* Unit tests: container records, spec and /etc file generation, and the
 * CLI's formatters and size parser. */
#include <errno.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cmd/format.h"
#include "container/attach.h"
#include "container/bundle.h"
#include "container/logfile.h"
#include "container/mount.h"
#include "container/terminal.h"
#include "container/container.h"
#include "container/internal.h"
#include "container/record.h"
#include "container/seccomp.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

static struct ctr_config sample(void)
{
	struct ctr_config c = {0};
	c.id = xstrdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	c.name = xstrdup("web");
	c.image_id = xstrdup("feed");
	c.image_name = xstrdup("localhost/busybox:latest");
	c.created = 1700000000;
	strv_append(&c.args, "sh");
	strv_append(&c.args, "-c");
	strv_append(&c.args, "echo \"hi\"");
	strv_append(&c.env, "PATH=/bin");
	c.workdir = xstrdup("/tmp");
	c.uid = 1000;
	c.gid = 100;
	c.hostname = xstrdup("0123456789ab");
	c.network = xstrdup("none");
	c.tty = true;
	c.boot_id = xstrdup("0d1e2f30-0000-4000-8000-000000000001");
	c.monitor_pid = 4242;
	c.monitor_start = 123456789012ULL;
	c.pid = 4343;
	c.pid_start = 123456789099ULL;
	c.started_at = 1700000100;
	c.finished_at = 1700000200;
	c.exit_code = -1;
	return c;
}

static void test_config_roundtrip(void **state)
{
	(void)state;
	struct ctr_config c = sample(), d = {0};
	c.seccomp = xstrdup("unconfined");
	char *json = ctr_config_to_json(&c);
	assert_int_equal(ctr_config_from_json(json, &d, NULL), 0);
	assert_string_equal(d.seccomp, "unconfined");
	assert_string_equal(d.id, c.id);
	assert_string_equal(d.name, "web");
	assert_int_equal(strv_len(d.args), 3);
	assert_string_equal(d.args[2], "echo \"hi\"");
	assert_int_equal(d.uid, 1000);
	assert_int_equal(d.gid, 100);
	assert_true(d.tty);
	assert_false(d.rm);
	assert_null(d.rootfs);
	/* the last run, kept with the configuration */
	assert_string_equal(d.boot_id, c.boot_id);
	assert_int_equal(d.monitor_pid, 4242);
	assert_int_equal(d.monitor_start, 123456789012ULL);
	assert_int_equal(d.pid, 4343);
	assert_int_equal(d.pid_start, 123456789099ULL);
	assert_int_equal(d.started_at, 1700000100);
	assert_int_equal(d.finished_at, 1700000200);
	assert_int_equal(d.exit_code, -1);
	free(json);
	ctr_config_clear(&c);
	ctr_config_clear(&d);
}

/* Whether key is in db. */
static bool stored(struct state_store *s, enum state_db db, const char *key)
{
	struct burrow_err *err = NULL;
	cleanup_free char *json = NULL;
	int r = state_get(s, db, key, &json, &err);
	if (r < 0)
		fail_msg("state_get '%s': %s", key, err->msg);
	return r == 0;
}

/* A --rm container an older burrow stored in burrow.tdb keeps its records
 * there (saved, renamed, removed), not a second copy in the --rm file; a
 * new --rm container's go to the --rm file. */
/* A record store in tmpl (a mkdtemp template), refreshed, with image
 * feed (sample()'s) stored. */
static struct state_store *store_new(char *tmpl)
{
	struct burrow_err *err = NULL;
	assert_non_null(mkdtemp(tmpl));
	cleanup_free char *root = path_join(tmpl, "root"), *run = path_join(tmpl, "run");
	cleanup_free char *boot = path_join(tmpl, "boot_id");
	assert_int_equal(write_file(boot, "b1\n", 3, 0600, &err), 0);
	setenv("BURROW_TEST_BOOT_ID_FILE", boot, 1);
	assert_int_equal(mkdir(root, 0700), 0);
	assert_int_equal(mkdir(run, 0700), 0);
	struct state_store *s = NULL;
	if (state_open(root, run, &s, &err) < 0 || state_refresh_done(s, &err) < 0)
		fail_msg("state: %s", err->msg);
	assert_int_equal(state_put(s, STATE_DB, "img/feed", "{}", &err), 0);
	return s;
}

static int names_of(struct ctr_config *c, void *data, struct burrow_err **err)
{
	(void)err;
	strv_append((char ***)data, c->name);
	return 0;
}

/* ctr_config_each_set passes on exactly the containers whose field is
 * set (a list: not empty), in either file: not one whose field is null,
 * nor one whose other strings hold the key's text. */
static void test_config_each_set(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	char tmpl[] = "/tmp/burrow-test-eachset-XXXXXX";
	struct state_store *s = store_new(tmpl);
	static const struct {
		const char *name, *pid_mode, *label, *requires;
		bool rm;
	} ctrs[] = {
	    {"joiner", "container:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL, NULL, false},
	    {"plain", NULL, NULL, NULL, false},
	    {"lookalike", NULL, "note=\"pid_mode\":\"container:x \"requires\":[\"x", NULL, false},
	    {"by-path", "ns:/proc/1/ns/pid", NULL, NULL, true},
	    {"plain-rm", NULL, NULL, NULL, true},
	    /* the first one's ID: a container is stored only while those it requires are */
	    {"needs", NULL, NULL, "0000000000000000000000000000000000000000000000000000000000000001", false},
	};
	for (size_t i = 0; i < sizeof(ctrs) / sizeof(ctrs[0]); i++) {
		struct ctr_config c = sample();
		free(c.id);
		c.id = xasprintf("%064zx", i + 1);
		free(c.name);
		c.name = xstrdup(ctrs[i].name);
		c.pid_mode = ctrs[i].pid_mode ? xstrdup(ctrs[i].pid_mode) : NULL;
		if (ctrs[i].label)
			strv_append(&c.labels, ctrs[i].label);
		if (ctrs[i].requires)
			strv_append(&c.requires, ctrs[i].requires);
		c.rm = ctrs[i].rm;
		assert_int_equal(ctr_config_insert(s, &c, &err), 0);
		ctr_config_clear(&c);
	}
	cleanup_strv char **names = xcalloc(1, sizeof(char *));
	if (ctr_config_each_set(s, "pid_mode", names_of, &names, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(strv_len(names), 2);
	assert_string_equal(names[0], "joiner");
	assert_string_equal(names[1], "by-path");
	cleanup_strv char **needs = xcalloc(1, sizeof(char *));
	assert_int_equal(ctr_config_each_set(s, "requires", names_of, &needs, &err), 0);
	assert_int_equal(strv_len(needs), 1);
	assert_string_equal(needs[0], "needs");
	cleanup_strv char **all = xcalloc(1, sizeof(char *));
	assert_int_equal(ctr_config_each(s, names_of, &all, &err), 0);
	assert_int_equal(strv_len(all), 6);
	cleanup_strv char **any = xcalloc(1, sizeof(char *));
	assert_int_equal(ctr_config_each_set(s, "tty", names_of, &any, &err), 0);
	assert_int_equal(strv_len(any), 6);
	state_close(s);
	rm_rf(tmpl, NULL);
}

static void test_rm_records_where(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	char tmpl[] = "/tmp/burrow-test-rmrec-XXXXXX";
	struct state_store *s = store_new(tmpl);

	struct ctr_config old = sample();
	old.rm = true;
	cleanup_free char *okey = xasprintf("ctr/%s", old.id);
	cleanup_free char *ojson = ctr_config_to_json(&old);
	cleanup_free char *oname = xasprintf("\"%s\"", old.id);
	assert_int_equal(state_put(s, STATE_DB, okey, ojson, &err), 0);
	assert_int_equal(state_put(s, STATE_DB, "name/web", oname, &err), 0);
	old.exit_code = 7;
	assert_int_equal(ctr_config_save(s, &old, &err), 0);
	assert_false(stored(s, STATE_RM, okey));
	struct ctr_config back = {0};
	assert_int_equal(ctr_config_load(s, old.id, &back, &err), 0);
	assert_int_equal(back.exit_code, 7);
	ctr_config_clear(&back);
	cleanup_free char *id = NULL;
	assert_int_equal(ctr_lookup(s, "0123", &id, &err), 0);
	assert_string_equal(id, old.id);
	assert_int_equal(ctr_config_rename(s, &old, "web2", &err), 0);
	assert_false(stored(s, STATE_DB, "name/web"));
	assert_true(stored(s, STATE_DB, "name/web2"));
	assert_false(stored(s, STATE_RM, "name/web2"));

	struct ctr_config c = sample();
	c.rm = true;
	free(c.id);
	c.id = xstrdup("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
	free(c.name);
	c.name = xstrdup("new");
	assert_int_equal(ctr_config_insert(s, &c, &err), 0);
	cleanup_free char *nkey = xasprintf("ctr/%s", c.id);
	assert_true(stored(s, STATE_RM, nkey));
	assert_true(stored(s, STATE_RM, "name/new"));
	assert_false(stored(s, STATE_DB, nkey));

	assert_int_equal(ctr_records_delete(s, &old, false, &err), 0);
	assert_int_equal(ctr_records_delete(s, &c, false, &err), 0);
	assert_false(stored(s, STATE_DB, okey));
	assert_false(stored(s, STATE_DB, "name/web2"));
	assert_false(stored(s, STATE_RM, nkey));
	assert_false(stored(s, STATE_RM, "name/new"));
	ctr_config_clear(&old);
	ctr_config_clear(&c);
	state_close(s);
	rm_rf(tmpl, NULL);
}

static void test_config_bad_json(void **state)
{
	(void)state;
	struct ctr_config d;
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_config_from_json("{\"id\":", &d, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "container record"));
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(ctr_config_from_json("{}", &d, &err), -1);
	burrow_err_free(err);
}

/* What rm of an unreadable record still uses: the fields of the right
 * type of a record that names this container, nothing of another's or of
 * one that is no JSON. */
static void test_config_salvage(void **state)
{
	(void)state;
	struct ctr_config c;
	const char *json = "{\"id\":\"abc\",\"name\":7,\"pidfile\":\"/tmp/p\",\"cap_drop\":\"ALL\","
	                   "\"annotations\":[\"k=v\"]}";
	assert_int_equal(ctr_config_salvage(json, "abc", &c), 0);
	assert_string_equal(c.id, "abc");
	assert_null(c.name);
	assert_string_equal(c.pidfile, "/tmp/p");
	assert_null(c.cap_drop);
	assert_string_equal(c.annotations[0], "k=v");
	ctr_config_clear(&c);
	assert_int_equal(ctr_config_salvage(json, "abd", &c), -1);
	assert_null(c.pidfile);
	assert_int_equal(ctr_config_salvage("{\"pidfile\":\"/tmp/p\"}", "abc", &c), -1);
	assert_int_equal(ctr_config_salvage("{\"id\":\"abc\",\"pidfile\":", "abc", &c), -1);
	assert_null(c.id);
}

static void test_run_roundtrip(void **state)
{
	(void)state;
	struct ctr_run r = {.state = CTR_EXITED,
	                    .pid = 42,
	                    .pid_start = 99,
	                    .exit_code = 137,
	                    .mountpoint = xstrdup("/x")},
	               s;
	char *json = ctr_run_to_json(&r);
	assert_int_equal(ctr_run_from_json(json, &s, NULL), 0);
	assert_int_equal(s.state, CTR_EXITED);
	assert_int_equal(s.exit_code, 137);
	assert_int_equal(s.pid_start, 99);
	assert_string_equal(s.mountpoint, "/x");
	assert_int_equal(ctr_state_parse("bogus"), CTR_UNKNOWN);
	assert_string_equal(ctr_state_name(CTR_RUNNING), "running");
	free(json);
	ctr_run_clear(&r);
	ctr_run_clear(&s);
}

/* Every field of every list survives JSON and back, and the copy of a run
 * into the persistent record takes every process field: the lists are
 * walked here too, so a field added to one is tested without more code. */
static void fill_STR(char **p, int i)
{
	*p = xasprintf("s%d", i);
}
static void fill_STRV(char ***p, int i)
{
	*p = NULL;
	strv_append_take(p, xasprintf("v%d", i));
	strv_append(p, "two");
}
#define FILL_NUM(T, K)                    \
	static void fill_##K(T *p, int i) \
	{                                 \
		*p = (T)(1000 + i);       \
	}
FILL_NUM(long long, INT)
FILL_NUM(int, I32)
FILL_NUM(unsigned, UINT)
FILL_NUM(pid_t, PID)
FILL_NUM(unsigned long long, U64)
static void fill_BOOL(bool *p, int i)
{
	(void)i;
	*p = true;
}
static void fill_STATE(enum ctr_state *p, int i)
{
	*p = (enum ctr_state)(1 + i % (CTR_UNKNOWN - 1));
}
#define CHECK_STR(a, b) assert_string_equal(a, b)
#define CHECK_STRV(a, b)                                    \
	do {                                                \
		assert_int_equal(strv_len(a), strv_len(b)); \
		assert_string_equal((a)[0], (b)[0]);        \
	} while (0)
#define CHECK_NUM(a, b) assert_true((a) == (b))
#define CHECK_INT CHECK_NUM
#define CHECK_I32 CHECK_NUM
#define CHECK_UINT CHECK_NUM
#define CHECK_PID CHECK_NUM
#define CHECK_U64 CHECK_NUM
#define CHECK_BOOL CHECK_NUM
#define CHECK_STATE CHECK_NUM
#define FILL(kind, name) fill_##kind(&a.name, i++);
#define CHECK(kind, name) CHECK_##kind(a.name, b.name);
#define CHECK_LAST(kind, name) CHECK_##kind(c.name, r.name);

static void test_every_field(void **state)
{
	(void)state;
	int i = 0;
	{
		struct ctr_config a = {0}, b = {0};
		CTR_CONFIG_FIELDS(FILL)
		CTR_LAST_FIELDS(FILL)
		char *json = ctr_config_to_json(&a);
		assert_int_equal(ctr_config_from_json(json, &b, NULL), 0);
		CTR_CONFIG_FIELDS(CHECK)
		CTR_LAST_FIELDS(CHECK)
		free(json);
		ctr_config_clear(&a);
		ctr_config_clear(&b);
	}
	{
		struct ctr_run a = {0}, b = {0};
		CTR_RUN_FIELDS(FILL)
		char *json = ctr_run_to_json(&a);
		assert_int_equal(ctr_run_from_json(json, &b, NULL), 0);
		CTR_RUN_FIELDS(CHECK)
		free(json);
		struct ctr_config c = {0};
		struct ctr_run r = a;
		ctr_config_set_last(&c, &r, "boot");
		CTR_RUN_PROC_FIELDS(CHECK_LAST)
		assert_string_equal(c.boot_id, "boot");
		assert_true(c.started);
		ctr_config_clear(&c);
		ctr_run_clear(&a);
		ctr_run_clear(&b);
	}
}

/* DESIGN.md's transitions are allowed, nonsense is refused naming both. */
static void test_transitions(void **state)
{
	(void)state;
	static const enum ctr_state ok[][2] = {
	    {CTR_CONFIGURED, CTR_CREATED}, {CTR_CREATED, CTR_RUNNING},  {CTR_RUNNING, CTR_PAUSED},
	    {CTR_PAUSED, CTR_RUNNING},     {CTR_RUNNING, CTR_STOPPING}, {CTR_STOPPING, CTR_STOPPED},
	    {CTR_RUNNING, CTR_STOPPED},    {CTR_STOPPED, CTR_EXITED},   {CTR_EXITED, CTR_CREATED},
	    {CTR_EXITED, CTR_REMOVING},    {CTR_CREATED, CTR_EXITED},   {CTR_EXITED, CTR_EXITED},
	};
	static const enum ctr_state bad[][2] = {
	    {CTR_CONFIGURED, CTR_RUNNING}, {CTR_EXITED, CTR_RUNNING},   {CTR_EXITED, CTR_PAUSED},
	    {CTR_RUNNING, CTR_CREATED},    {CTR_RUNNING, CTR_REMOVING}, {CTR_STOPPED, CTR_RUNNING},
	    {CTR_REMOVING, CTR_RUNNING},   {CTR_RUNNING, CTR_UNKNOWN},  {CTR_CONFIGURED, CTR_EXITED},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(ctr_state_check("web", ok[i][0], ok[i][1], NULL), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct burrow_err *err = NULL;
		assert_int_equal(ctr_state_check("web", bad[i][0], bad[i][1], &err), -1);
		assert_int_equal(err->status, EINVAL);
		burrow_err_free(err);
	}
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_state_check("web", CTR_EXITED, CTR_PAUSED, &err), -1);
	assert_string_equal(err->msg, "container 'web' is exited: it cannot become paused");
	burrow_err_free(err);
}

/* k8s-file lines: written, then read back; times in and out of zones. */
static void test_log_lines(void **state)
{
	(void)state;
	struct ctr_log_line l;
	const char *line = "2024-05-01T12:00:00.123456789+02:00 stderr P half";
	assert_int_equal(ctr_log_parse_line(line, strlen(line), &l), 0);
	assert_true(l.is_stderr);
	assert_true(l.partial);
	assert_int_equal(l.len, 4);
	assert_memory_equal(l.text, "half", 4);
	assert_int_equal(l.ts_len, 35);
	/* 10:00:00.123456789 UTC */
	assert_true(l.ns == 1714557600123456789LL);
	long long ns;
	assert_int_equal(ctr_log_parse_time("2024-05-01T10:00:00Z", 20, &ns), 0);
	assert_true(ns == 1714557600000000000LL);
	assert_int_equal(ctr_log_parse_time("2024-05-01T10:00:00.5-01:30", 27, &ns), 0);
	assert_true(ns == 1714557600000000000LL + 5400000000000LL + 500000000LL);
	/* an empty text: the line was just a newline */
	line = "2024-05-01T10:00:00.000000000Z stdout F ";
	assert_int_equal(ctr_log_parse_line(line, strlen(line), &l), 0);
	assert_int_equal(l.len, 0);
	assert_false(l.partial);
	static const char *const bad[] = {
	    "",
	    "hello",
	    "2024-05-01T10:00:00Z stdin F x",
	    "2024-05-01T10:00:00Z stdout X x",
	    "2024-13-01T10:00:00Z stdout F x",
	    "2024-05-01 stdout F x",
	    "2024-05-01T10:00:00+0200 stdout F x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ctr_log_parse_line(bad[i], strlen(bad[i]), &l), -1);
	/* the writer's stamp reads back */
	char ts[48];
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	ctr_log_timestamp(1714557600123456789LL, ts, sizeof(ts));
	assert_string_equal(ts, "2024-05-01T12:00:00.123456789+02:00");
	assert_int_equal(ctr_log_parse_time(ts, strlen(ts), &ns), 0);
	assert_true(ns == 1714557600123456789LL);
	setenv("TZ", "UTC", 1);
	tzset();
	ctr_log_timestamp(1714557600000000001LL, ts, sizeof(ts));
	assert_string_equal(ts, "2024-05-01T10:00:00.000000001Z");
}

/* Detach keys: parsed as podman spells them, found in what is typed,
 * and what only looked like them passed on. */
static void test_detach_keys(void **state)
{
	(void)state;
	struct ctr_detach d = {0};
	assert_int_equal(ctr_detach_keys_parse("ctrl-p,ctrl-q", d.keys, &d.n, NULL), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.keys[0], 16);
	assert_int_equal(d.keys[1], 17);
	unsigned char k[CTR_DETACH_KEYS_MAX];
	size_t n;
	assert_int_equal(ctr_detach_keys_parse("a,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,ctrl-Z", k, &n, NULL), 0);
	static const unsigned char want[] = {'a', 0, 27, 28, 29, 30, 31, 26};
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(k, want, sizeof(want));
	assert_int_equal(ctr_detach_keys_parse("", k, &n, NULL), 0);
	assert_int_equal(n, 0);
	static const char *const bad[] = {"ctrl-1", "ctrl-", "ab", ",", "ctrl-pp"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct burrow_err *err = NULL;
		assert_int_equal(ctr_detach_keys_parse(bad[i], k, &n, &err), -1);
		assert_int_equal(err->status, EINVAL);
		burrow_err_free(err);
	}
	unsigned char out[64];
	size_t o;
	/* plain input passes */
	assert_false(ctr_detach_feed(&d, (const unsigned char *)"ab", 2, out, &o));
	assert_int_equal(o, 2);
	/* ctrl-p held back, then given back with what broke the match */
	assert_false(ctr_detach_feed(&d, (const unsigned char *)"x\x10", 2, out, &o));
	assert_int_equal(o, 1);
	assert_false(ctr_detach_feed(&d, (const unsigned char *)"y", 1, out, &o));
	assert_int_equal(o, 2);
	assert_memory_equal(out, "\x10y", 2);
	/* ctrl-p ctrl-p ctrl-q: the first goes on, the other two detach */
	assert_true(ctr_detach_feed(&d, (const unsigned char *)"\x10\x10\x11z", 4, out, &o));
	assert_int_equal(o, 1);
	assert_int_equal(out[0], 16);
	/* across reads */
	assert_false(ctr_detach_feed(&d, (const unsigned char *)"\x10", 1, out, &o));
	assert_int_equal(o, 0);
	assert_true(ctr_detach_feed(&d, (const unsigned char *)"\x11", 1, out, &o));
	/* none: everything passes */
	struct ctr_detach none = {0};
	assert_false(ctr_detach_feed(&none, (const unsigned char *)"\x10\x11", 2, out, &o));
	assert_int_equal(o, 2);
}

/* Signals as podman takes them: names in any case, with or without SIG,
 * numbers, real-time ones; anything else refused naming it. */
static void test_signals(void **state)
{
	(void)state;
	const struct {
		const char *spec;
		int sig;
	} good[] = {
	    {"TERM", SIGTERM},
	    {"sigterm", SIGTERM},
	    {"SIGKILL", SIGKILL},
	    {"hup", SIGHUP},
	    {"9", SIGKILL},
	    {"64", 64},
	    {"USR1", SIGUSR1},
	    {"SigUsr2", SIGUSR2},
	    {"RTMIN", SIGRTMIN},
	    {"RTMIN+2", SIGRTMIN + 2},
	    {"SIGRTMAX-1", SIGRTMAX - 1},
	    {"cld", SIGCHLD},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int sig = 0;
		assert_int_equal(ctr_parse_signal(good[i].spec, &sig, NULL), 0);
		assert_int_equal(sig, good[i].sig);
	}
	static const char *const bad[] = {"",        "0",       "65",       "-1", "TERMS", "SIG",
	                                  "RTMIN-1", "RTMAX+1", "RTMIN+99", "1x", "9999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct burrow_err *err = NULL;
		int sig = 0;
		assert_int_equal(ctr_parse_signal(bad[i], &sig, &err), -1);
		assert_int_equal(err->status, EINVAL);
		assert_non_null(strstr(err->msg, "invalid signal"));
		burrow_err_free(err);
	}
	char buf[32];
	assert_string_equal(ctr_signal_name(SIGTERM, buf, sizeof(buf)), "SIGTERM");
	assert_string_equal(ctr_signal_name(40, buf, sizeof(buf)), "signal 40");
	unsigned mask = 0;
	assert_int_equal(ctr_wait_condition("exited", &mask, NULL), 0);
	assert_int_equal(ctr_wait_condition("running", &mask, NULL), 0);
	assert_int_equal(mask, CTR_WAIT_STOPPED | CTR_WAIT_RUNNING);
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_wait_condition("sleepy", &mask, &err), -1);
	burrow_err_free(err);
}

/* An ERROR message of the attach protocol carries the exit code and the
 * whole error record; a cut one is refused. */
static void test_attach_error(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	struct burrow_err e = {.status = ENOENT, .msg = "executable file 'x' not found in $PATH", .hint = "try y"};
	assert_int_equal(ctr_attach_send_error(sv[0], 127, &e), 0);
	uint8_t buf[1 + CTR_ATTACH_DATA_MAX];
	ssize_t n = recv(sv[1], buf, sizeof(buf), 0);
	assert_true(n > 13);
	assert_int_equal(buf[0], CTR_ATTACH_ERROR);
	int code = 0;
	struct burrow_err *got = ctr_attach_parse_error(buf + 1, (size_t)n - 1, &code);
	assert_non_null(got);
	assert_int_equal(code, 127);
	assert_int_equal(got->status, ENOENT);
	assert_string_equal(got->msg, e.msg);
	assert_string_equal(got->hint, "try y");
	burrow_err_free(got);
	assert_null(ctr_attach_parse_error(buf + 1, 10, &code));
	assert_null(ctr_attach_parse_error(buf + 1, 20, &code));
	close(sv[0]);
	close(sv[1]);
}

static void test_spec(void **state)
{
	(void)state;
	struct ctr_config c = sample();
	struct ctr_bundle_paths p = {
	    .rootfs = "/r", .hosts = "/h", .resolv_conf = "/rc", .hostname = "/hn", .containerenv = "/ce"};
	char *json = ctr_spec_generate(&c, &p);
	yajl_val v = json_parse(json, NULL);
	assert_non_null(v);
	yajl_val proc = json_get(v, "process");
	assert_true(json_get_bool(proc, "terminal", false));
	assert_true(json_get_bool(proc, "noNewPrivileges", false));
	assert_string_equal(json_get_str(proc, "cwd"), "/tmp");
	/* a non-root user gets no effective capabilities */
	char **eff = json_get_strv(json_get(proc, "capabilities"), "effective");
	assert_int_equal(strv_len(eff), 0);
	strv_free(eff);
	char **bnd = json_get_strv(json_get(proc, "capabilities"), "bounding");
	assert_true(strv_contains(bnd, "CAP_CHOWN"));
	assert_false(strv_contains(bnd, "CAP_SYS_ADMIN"));
	strv_free(bnd);
	assert_string_equal(json_get_str(json_get(v, "root"), "path"), "/r");
	/* network namespace when not host */
	yajl_val ns = json_get(json_get(v, "linux"), "namespaces");
	int has_net = 0;
	for (size_t i = 0; i < ns->u.array.len; i++)
		if (strcmp(json_get_str(ns->u.array.values[i], "type"), "network") == 0)
			has_net = 1;
	assert_true(has_net);
	yajl_tree_free(v);
	free(json);
	ctr_config_clear(&c);
}

/* The rules of a linux.seccomp object that name syscall, by action. */
static int rules_for(yajl_val sc, const char *syscall, const char *action)
{
	yajl_val rules = json_get(sc, "syscalls");
	int n = 0;
	for (size_t i = 0; rules && i < rules->u.array.len; i++) {
		yajl_val r = rules->u.array.values[i];
		char **names = json_get_strv(r, "names");
		if (strv_contains(names, syscall) && strcmp(json_get_str(r, "action"), action) == 0)
			n++;
		strv_free(names);
	}
	return n;
}

static yajl_val gen_profile(const char *arch, const char *const *caps)
{
	yajl_gen g = json_gen_new();
	ctr_seccomp_gen(g, &ctr_seccomp_default, arch, caps);
	char *json = json_gen_finish(g);
	yajl_val v = json_parse(json, NULL);
	free(json);
	assert_non_null(v);
	return v;
}

/* podman's default profile, as podman turns it into linux.seccomp: ENOSYS
 * by default, capability-gated calls allowed or EPERM by the bounding set,
 * architecture rules by the native architecture. */
static void test_seccomp_profile(void **state)
{
	(void)state;
	static const char *const podman_caps[] = {"CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
	                                          "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
	                                          "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT", NULL};
	yajl_val v = gen_profile("amd64", podman_caps);
	assert_string_equal(json_get_str(v, "defaultAction"), "SCMP_ACT_ERRNO");
	assert_int_equal(json_get_int(v, "defaultErrnoRet", 0), 38);
	char **arches = json_get_strv(v, "architectures");
	assert_int_equal(strv_len(arches), 3);
	assert_string_equal(arches[0], "SCMP_ARCH_X86_64");
	assert_string_equal(arches[1], "SCMP_ARCH_X86");
	assert_string_equal(arches[2], "SCMP_ARCH_X32");
	strv_free(arches);
	assert_int_equal(rules_for(v, "read", "SCMP_ACT_ALLOW"), 1);
	assert_int_equal(rules_for(v, "keyctl", "SCMP_ACT_ALLOW"), 1);
	assert_int_equal(rules_for(v, "add_key", "SCMP_ACT_ALLOW"), 0); /* ENOSYS by default */
	assert_int_equal(rules_for(v, "io_uring_setup", "SCMP_ACT_ALLOW"), 0);
	assert_int_equal(rules_for(v, "vmsplice", "SCMP_ACT_ERRNO"), 1);
	assert_int_equal(rules_for(v, "personality", "SCMP_ACT_ALLOW"), 5);
	assert_int_equal(rules_for(v, "arch_prctl", "SCMP_ACT_ALLOW"), 1);
	assert_int_equal(rules_for(v, "set_tls", "SCMP_ACT_ALLOW"), 0);
	/* with CAP_SYS_CHROOT, without CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON,
	 * CAP_SYS_PTRACE, CAP_AUDIT_WRITE */
	assert_int_equal(rules_for(v, "chroot", "SCMP_ACT_ALLOW"), 1);
	assert_int_equal(rules_for(v, "chroot", "SCMP_ACT_ERRNO"), 0);
	assert_int_equal(rules_for(v, "bpf", "SCMP_ACT_ALLOW"), 0);
	assert_int_equal(rules_for(v, "bpf", "SCMP_ACT_ERRNO"), 1);
	assert_int_equal(rules_for(v, "perf_event_open", "SCMP_ACT_ERRNO"), 2);
	assert_int_equal(rules_for(v, "kcmp", "SCMP_ACT_ERRNO"), 1);
	assert_int_equal(rules_for(v, "socket", "SCMP_ACT_ERRNO"), 1);
	assert_int_equal(rules_for(v, "socket", "SCMP_ACT_ALLOW"), 2);
	/* the personality rules: one argument, compared for equality */
	yajl_val rules = json_get(v, "syscalls");
	for (size_t i = 0; i < rules->u.array.len; i++) {
		yajl_val r = rules->u.array.values[i];
		char **names = json_get_strv(r, "names");
		if (strv_contains(names, "personality")) {
			yajl_val args = json_get(r, "args");
			assert_int_equal(args->u.array.len, 1);
			assert_string_equal(json_get_str(args->u.array.values[0], "op"), "SCMP_CMP_EQ");
			assert_true(json_get_int(args->u.array.values[0], "value", -1) != 0x400000);
		}
		if (strcmp(json_get_str(r, "action"), "SCMP_ACT_ERRNO") == 0)
			assert_true(json_get_int(r, "errnoRet", 0) == 1 || json_get_int(r, "errnoRet", 0) == 22);
		strv_free(names);
	}
	yajl_tree_free(v);

	static const char *const admin[] = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_AUDIT_WRITE", NULL};
	v = gen_profile("arm64", admin);
	arches = json_get_strv(v, "architectures");
	assert_int_equal(strv_len(arches), 2);
	assert_string_equal(arches[0], "SCMP_ARCH_AARCH64");
	strv_free(arches);
	assert_int_equal(rules_for(v, "bpf", "SCMP_ACT_ALLOW"), 1);
	assert_int_equal(rules_for(v, "bpf", "SCMP_ACT_ERRNO"), 0);
	assert_int_equal(rules_for(v, "kcmp", "SCMP_ACT_ALLOW"), 1);
	assert_int_equal(rules_for(v, "chroot", "SCMP_ACT_ERRNO"), 1);
	assert_int_equal(rules_for(v, "socket", "SCMP_ACT_ERRNO"), 0);
	assert_int_equal(rules_for(v, "set_tls", "SCMP_ACT_ALLOW"), 1);
	assert_int_equal(rules_for(v, "arch_prctl", "SCMP_ACT_ALLOW"), 0);
	yajl_tree_free(v);

	/* an architecture outside the map: no list (libseccomp's native) */
	v = gen_profile("ppc64le", podman_caps);
	assert_int_equal(json_get(v, "architectures")->u.array.len, 0);
	assert_int_equal(rules_for(v, "sync_file_range2", "SCMP_ACT_ALLOW"), 1);
	yajl_tree_free(v);
}

/* The spec without a start's paths: what precreate hooks read, the
 * record as it is (no --init in front, none of a start's settings, the
 * stored mounts with their own options), byte for byte */
static void test_spec_record(void **state)
{
	(void)state;
	struct ctr_config c = sample();
	c.init_path = xstrdup("/usr/libexec/podman/catatonit");
	c.umask = xstrdup("0027");
	c.oom_score_adj_set = true;
	strv_append(&c.groups, "10");
	strv_append(&c.annotations, "org.a=1");
	strv_append(&c.annotations, "flag");
	static const char *const specs[] = {"/src:/data:ro,U", "/scratch:size=1m", NULL};
	for (size_t i = 0; specs[i]; i++) {
		struct ctr_mount m;
		struct burrow_err *e = NULL;
		assert_int_equal(i ? ctr_mount_parse_tmpfs(specs[i], &m, &e) : ctr_mount_parse_volume(specs[i], &m, &e),
		                 0);
		strv_append_take(&c.mounts, ctr_mount_format(&m));
		ctr_mount_clear(&m);
	}
	char *json = ctr_spec_generate(&c, NULL);
	assert_string_equal(
	    json, "{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":true,\"user\":{\"uid\":1000,\"gid\":100},"
	          "\"args\":[\"sh\",\"-c\",\"echo \\\"hi\\\"\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/tmp\"},"
	          "\"root\":{\"path\":\"rootfs\"},\"hostname\":\"0123456789ab\",\"mounts\":["
	          "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/src\","
	          "\"options\":[\"ro\",\"U\",\"nosuid\",\"nodev\",\"rbind\"]},"
	          "{\"destination\":\"/scratch\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	          "\"options\":[\"size=1m\",\"rw\",\"noexec\",\"nosuid\",\"nodev\"]}],"
	          "\"annotations\":{\"org.a\":\"1\",\"flag\":\"\"}}");
	free(json);
	ctr_config_clear(&c);
}

/* config.json: the profile unless unconfined; podman's masked paths; a
 * /dev/shm size that is never "no limit" */
static void test_spec_security(void **state)
{
	(void)state;
	struct ctr_config c = sample();
	struct ctr_bundle_paths p = {
	    .rootfs = "/r", .hosts = "/h", .resolv_conf = "/rc", .hostname = "/hn", .containerenv = "/ce"};
	c.shm_size = 100;
	char *json = ctr_spec_generate(&c, &p);
	yajl_val v = json_parse(json, NULL);
	free(json);
	yajl_val lx = json_get(v, "linux");
	yajl_val sc = json_get(lx, "seccomp");
	assert_non_null(sc);
	assert_int_equal(json_get_int(sc, "defaultErrnoRet", 0), 38);
	assert_int_equal(rules_for(sc, "chroot", "SCMP_ACT_ALLOW"), 1); /* the container's caps */
	char **masked = json_get_strv(lx, "maskedPaths");
	static const char *const podman_masked[] = {"/proc/acpi",
	                                            "/proc/interrupts",
	                                            "/proc/kcore",
	                                            "/proc/keys",
	                                            "/proc/latency_stats",
	                                            "/proc/sched_debug",
	                                            "/proc/scsi",
	                                            "/proc/timer_list",
	                                            "/proc/timer_stats",
	                                            "/sys/devices/virtual/powercap",
	                                            "/sys/firmware",
	                                            "/sys/fs/selinux",
	                                            NULL};
	for (size_t i = 0; podman_masked[i]; i++)
		if (!strv_contains(masked, podman_masked[i]))
			fail_msg("'%s' is not masked", podman_masked[i]);
	strv_free(masked);
	yajl_val mounts = json_get(v, "mounts");
	bool shm = false;
	for (size_t i = 0; i < mounts->u.array.len; i++) {
		yajl_val m = mounts->u.array.values[i];
		if (strcmp(json_get_str(m, "destination"), "/dev/shm") != 0)
			continue;
		char **o = json_get_strv(m, "options");
		assert_true(strv_contains(o, "size=100"));
		strv_free(o);
		shm = true;
	}
	assert_true(shm);
	yajl_tree_free(v);

	c.seccomp = xstrdup("unconfined");
	json = ctr_spec_generate(&c, &p);
	v = json_parse(json, NULL);
	free(json);
	assert_null(json_get(json_get(v, "linux"), "seccomp"));
	yajl_tree_free(v);
	ctr_config_clear(&c);
}

/* the mount at /dev/shm of config.json (type and source), or false */
static bool shm_mount(const struct ctr_config *c, const struct ctr_bundle_paths *p, char *type, char *source)
{
	char *json = ctr_spec_generate(c, p);
	yajl_val v = json_parse(json, NULL);
	free(json);
	yajl_val mounts = json_get(v, "mounts");
	bool found = false;
	for (size_t i = 0; i < mounts->u.array.len && !found; i++) {
		yajl_val m = mounts->u.array.values[i];
		if (strcmp(json_get_str(m, "destination"), "/dev/shm") != 0)
			continue;
		snprintf(type, 32, "%s", json_get_str(m, "type"));
		snprintf(source, 64, "%s", json_get_str(m, "source"));
		found = true;
	}
	yajl_tree_free(v);
	return found;
}

/* /dev/shm: a shareable tmpfs prepared outside (its own, or the joined
 * container's) is bound; --ipc host binds the host's, none has none */
static void test_spec_shm(void **state)
{
	(void)state;
	struct ctr_config c = sample();
	struct ctr_bundle_paths p = {
	    .rootfs = "/r", .hosts = "/h", .resolv_conf = "/rc", .hostname = "/hn", .containerenv = "/ce"};
	char type[32], source[64];
	assert_true(shm_mount(&c, &p, type, source));
	assert_string_equal(type, "tmpfs");
	p.shm = "/run/u/containers/x/shm";
	assert_true(shm_mount(&c, &p, type, source));
	assert_string_equal(type, "bind");
	assert_string_equal(source, "/run/u/containers/x/shm");
	p.shm = NULL;
	c.ipc_mode = xstrdup("host");
	assert_true(shm_mount(&c, &p, type, source));
	assert_string_equal(type, "bind");
	assert_string_equal(source, "/dev/shm");
	free(c.ipc_mode);
	c.ipc_mode = xstrdup("none");
	assert_false(shm_mount(&c, &p, type, source));
	ctr_config_clear(&c);
}

static void test_security_opts(void **state)
{
	(void)state;
	struct ctr_create_opts o = {0};
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_parse_security_opt("seccomp=unconfined", &o, &err), 0);
	assert_string_equal(o.seccomp, "unconfined");
	static const struct {
		const char *opt, *msg;
	} bad[] = {
	    {"seccomp=/nonexistent/profile.json", "--security-opt 'seccomp=/nonexistent/profile.json': cannot open "
	                                          "'/nonexistent/profile.json': No such file or directory"},
	    {"seccomp=", "invalid --security-opt 'seccomp=': give seccomp=unconfined or seccomp=FILE"},
	    {"seccomp", "invalid --security-opt 'seccomp': give seccomp=unconfined or seccomp=FILE"},
	    {"apparmor=unconfined", "--security-opt 'apparmor=unconfined' is not supported yet"},
	    {"bogus=1", "invalid --security-opt 'bogus=1'"},
	    {"seccomp:unconfined", "invalid --security-opt 'seccomp:unconfined'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctr_create_opts o2 = {0};
		assert_int_equal(ctr_parse_security_opt(bad[i].opt, &o2, &err), -1);
		assert_string_equal(err->msg, bad[i].msg);
		assert_null(o2.seccomp);
		burrow_err_free(err);
		err = NULL;
	}
}

/* -u as podman resolves it */
static void test_resolve_user(void **state)
{
	(void)state;
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
	                             "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
	                             "nopw::1000:100::/home/nopw:/bin/sh\n"
	                             "short:x:7\n"
	                             "\n";
	static const char group[] = "root:x:0:\nnogroup:x:65534:\nstaff:x:50:nopw\n";
	static const struct {
		const char *spec;
		unsigned uid, gid;
	} ok[] = {
	    {"65534", 65534, 65534}, /* a uid with an entry: its group */
	    {"4242", 4242, 0},       /* without one: group 0 */
	    {"65534:42", 65534, 42},
	    {"nobody", 65534, 65534},
	    {"nobody:staff", 65534, 50},
	    {"nobody:0", 65534, 0},
	    {"1000", 1000, 100},
	    {"nopw", 1000, 100},
	    {"0", 0, 0},
	    {"4242:nogroup", 4242, 65534},
	    /* a sign, as Go's Atoi in runc's lookup takes it */
	    {"+5", 5, 0},
	    {"-0", 0, 0},
	    {"4242:+50", 4242, 50},
	    {"+0:+50", 0, 50},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		unsigned uid = 1, gid = 1;
		struct burrow_err *err = NULL;
		if (ctr_resolve_user(ok[i].spec, passwd, group, &uid, &gid, &err) < 0)
			fail_msg("'%s': %s", ok[i].spec, err->msg);
		if (uid != ok[i].uid || gid != ok[i].gid)
			fail_msg("'%s': %u:%u, expected %u:%u", ok[i].spec, uid, gid, ok[i].uid, ok[i].gid);
	}
	unsigned uid = 1, gid = 1;
	assert_int_equal(ctr_resolve_user("4242", NULL, NULL, &uid, &gid, NULL), 0);
	assert_int_equal(uid, 4242);
	assert_int_equal(gid, 0);
	static const struct {
		const char *spec, *msg;
	} bad[] = {
	    {"nosuch", "user 'nosuch' not found in the image's /etc/passwd"},
	    {"short", "user 'short' not found in the image's /etc/passwd"},
	    {"0:nosuch", "group 'nosuch' not found in the image's /etc/group"},
	    {"", "invalid user ''"},
	    {"0:", "invalid user '0:'"},
	    {":0", "invalid user ':0'"},
	    /* a leading space, which Atoi refuses */
	    {" 5", "user ' 5' not found in the image's /etc/passwd"},
	    {"0: 50", "group ' 50' not found in the image's /etc/group"},
	    {"-5", "user '-5' not found in the image's /etc/passwd"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct burrow_err *err = NULL;
		assert_int_equal(ctr_resolve_user(bad[i].spec, passwd, group, &uid, &gid, &err), -1);
		assert_string_equal(err->msg, bad[i].msg);
		burrow_err_free(err);
	}
}

/* -u's supplementary groups, as runc's lookup (podman's) finds them: the
 * groups listing the user's name, each once, in the file's order; for -u
 * NAME the name given, also when an entry above has its uid (podman 4.3,
 * checked live: -u toor after root, both uid 0, gets toor's groups). */
static void test_user_memberships(void **state)
{
	(void)state;
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
	                             "toor:x:0:0:toor:/toor:/bin/sh\n"
	                             "u:x:1000:1000::/home/u:/bin/sh\n";
	static const char group[] = "root:x:0:\n"
	                            "wheel:x:10:toor\n"
	                            "staff:x:20:root,u\n"
	                            "again:x:10:toor,u\n"
	                            "users:x:100:u\n";
	static const struct {
		const char *spec;
		unsigned uid;
		const char *want;
	} cases[] = {
	    {"toor", 0, "0 10"},        {"root", 0, "0 20"},           {"0", 0, "0 20"},
	    {"u", 1000, "0 20 10 100"}, {"1000", 1000, "0 20 10 100"}, {"toor:0", 0, "0"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strv_builder b = {0};
		strv_builder_add(&b, "0");
		ctr_user_memberships(cases[i].spec, cases[i].uid, passwd, group, &b);
		cleanup_strv char **v = strv_builder_steal(&b);
		char got[64] = "";
		for (size_t k = 0; v && v[k]; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "", v[k]);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("-u %s: groups '%s', expected '%s'", cases[i].spec, got, cases[i].want);
	}
}

/* The GECOS of keep-id's and --hostuser's entries: its first field, as
 * Go's os/user gives podman the user's name. */
static void test_gecos_name(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"PostgreSQL administrator,,,", "PostgreSQL administrator"},
	    {"Ann Lee,Room 4,555,", "Ann Lee"},
	    {"plain", "plain"},
	    {",x", ""},
	    {"", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cleanup_free char *got = ctr_gecos_name(cases[i][0]);
		assert_string_equal(got, cases[i][1]);
	}
	cleanup_free char *none = ctr_gecos_name(NULL);
	assert_string_equal(none, "");
}

/* A child whose address space may grow by extra bytes beyond what it
 * has (a hostile input's cost is then a failure, not a host's memory);
 * it _exits 2 or 3 when that cannot be set. The parent gets its pid. */
static pid_t fork_limited(unsigned long extra)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned long pages = 0;
		FILE *f = fopen("/proc/self/statm", "r");
		if (!f || fscanf(f, "%lu", &pages) != 1)
			_exit(2);
		fclose(f);
		struct rlimit lim = {.rlim_cur = pages * (unsigned long)sysconf(_SC_PAGESIZE) + extra};
		lim.rlim_max = lim.rlim_cur;
		if (setrlimit(RLIMIT_AS, &lim) < 0)
			_exit(3);
	}
	return pid;
}

/* HOME from the passwd entry; an image's passwd of 16 MB of colons or of
 * newlines read in no more memory than a few copies of it (split whole,
 * each was 16 million strings: over 600 MB). In a child whose address
 * space has 160 MB more than it holds. */
static void test_passwd_home(void **state)
{
	(void)state;
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
	                             "short:x:7:7:gecos\n"
	                             "nohome:x:8:8:::/bin/sh\n"
	                             "u:x:1000:1000::/home/u:/bin/sh";
	char *home = ctr_passwd_home(passwd, 0);
	assert_string_equal(home, "/root");
	free(home);
	home = ctr_passwd_home(passwd, 1000);
	assert_string_equal(home, "/home/u");
	free(home);
	home = ctr_passwd_home(passwd, 8);
	assert_string_equal(home, "");
	free(home);
	assert_null(ctr_passwd_home(passwd, 7));
	assert_null(ctr_passwd_home(passwd, 9));
	size_t big = 16 << 20;
	char *colons = xmalloc(big + 1), *newlines = xmalloc(big + 1);
	memset(colons, ':', big);
	memset(newlines, '\n', big);
	colons[big] = newlines[big] = '\0';
	pid_t pid = fork_limited(160UL << 20);
	if (pid == 0) {
		unsigned uid = 1, gid = 1;
		struct burrow_err *e1 = NULL, *e2 = NULL;
		if (ctr_passwd_home(colons, 0) || ctr_passwd_home(newlines, 0) ||
		    ctr_resolve_user("nobody", newlines, NULL, &uid, &gid, &e1) != -1 ||
		    ctr_resolve_user("0:staff", NULL, colons, &uid, &gid, &e2) != -1)
			_exit(4);
		burrow_err_free(e1);
		burrow_err_free(e2);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("the child ended with status %#x", status);
	free(colons);
	free(newlines);
}

/* -u's and --hostuser's entries added at prepare to an image's passwd and
 * group of 16 MB of newlines (both hostile): read a line at a time, in no
 * more memory than a few copies of the file (split whole, each was 16
 * million strings: over 600 MB). In a child whose address space has 160
 * MB more than it holds. */
/* ctr_read_in_roots over layers (topmost first): a layer that deleted the
 * file, or a directory on its way, or made one opaque, hides the lower
 * layers' file; a layer without it and without those does not; a link
 * leads to the file of whichever layer has its target (".." stops at the
 * top), and links that loop across layers are an error. */
static void test_read_in_roots(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-unit-roots-XXXXXX";
	assert_non_null(mkdtemp(dir));
	static const char *const files[][2] = {
	    {"lower/etc/group", "wheel:x:10:root\n"},
	    {"lower/etc/passwd", "lower\n"},
	    {"lower/usr/share/group", "shared\n"},
	    {"mid/etc/other", "x\n"},
	    {"opq/etc/.wh..wh..opq", ""},
	    {"opq/etc/passwd", "opq\n"},
	    {"whdir/.wh.etc", ""},
	    {"whfile/etc/.wh.group", ""},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cleanup_free char *p = path_join(dir, files[i][0]);
		cleanup_free char *d = xstrndup(p, (size_t)(strrchr(p, '/') - p));
		assert_int_equal(mkdir_p(d, 0755, NULL), 0);
		assert_int_equal(write_file(p, files[i][1], strlen(files[i][1]), 0644, NULL), 0);
	}
	static const char *const links[][2] = {
	    {"link/etc/group", "../usr/share/group"},
	    {"abs/etc/group", "/../../usr/share/../share/group"},
	    {"abs/etc/passwd", "passwd2"},
	    {"lower/etc/passwd2", "/etc/passwd"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		cleanup_free char *p = path_join(dir, links[i][0]);
		cleanup_free char *d = xstrndup(p, (size_t)(strrchr(p, '/') - p));
		assert_int_equal(mkdir_p(d, 0755, NULL), 0);
		assert_int_equal(symlink(links[i][1], p), 0);
	}
	static const struct {
		const char *top, *file, *want; /* want NULL: no file */
	} cases[] = {
	    {"mid", "/etc/group", "wheel:x:10:root\n"},
	    {"opq", "/etc/group", NULL},
	    {"opq", "/etc/passwd", "opq\n"},
	    {"whdir", "/etc/group", NULL},
	    {"whfile", "/etc/group", NULL},
	    {"whfile", "/etc/passwd", "lower\n"},
	    {"link", "/etc/group", "shared\n"},
	    {"abs", "/etc/group", "shared\n"},
	    {"mid", "/etc/passwd2", "lower\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cleanup_free char *top = path_join(dir, cases[i].top);
		cleanup_free char *lower = path_join(dir, "lower");
		char *roots[] = {top, lower, NULL};
		cleanup_free char *out = NULL;
		assert_int_equal(ctr_read_in_roots(roots, cases[i].file, &out, NULL), 0);
		if (cases[i].want)
			assert_string_equal(out, cases[i].want);
		else if (out)
			fail_msg("%s over lower: %s read as '%s'", cases[i].top, cases[i].file, out);
	}
	cleanup_free char *abs = path_join(dir, "abs");
	cleanup_free char *lower = path_join(dir, "lower");
	char *loop[] = {abs, lower, NULL};
	cleanup_free char *out = NULL;
	struct burrow_err *e = NULL;
	assert_int_equal(ctr_read_in_roots(loop, "/etc/passwd", &out, &e), -1);
	assert_non_null(strstr(e->msg, "loops"));
	burrow_err_free(e);
	/* a link to a directory (its own, or ".." past the top) is one, as
	 * the kernel's lookup finds it: no file, an error */
	static const char *const dirlinks[][2] = {{"dot/etc/group", "."}, {"up/etc/group", "../../.."}};
	for (size_t i = 0; i < sizeof(dirlinks) / sizeof(dirlinks[0]); i++) {
		cleanup_free char *p = path_join(dir, dirlinks[i][0]);
		cleanup_free char *d = xstrndup(p, (size_t)(strrchr(p, '/') - p));
		assert_int_equal(mkdir_p(d, 0755, NULL), 0);
		assert_int_equal(symlink(dirlinks[i][1], p), 0);
		cleanup_free char *top = xstrndup(p, strlen(dir) + 1 + strcspn(dirlinks[i][0], "/"));
		char *roots[] = {top, lower, NULL};
		cleanup_free char *got = NULL;
		e = NULL;
		assert_int_equal(ctr_read_in_roots(roots, "/etc/group", &got, &e), -1);
		assert_non_null(strstr(e->msg, "a directory, not a file"));
		burrow_err_free(e);
	}
	assert_int_equal(rm_rf(dir, NULL), 0);
}

static void test_userns_etc_big(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-unit-etc-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *etc = path_join(dir, "etc");
	cleanup_free char *run = path_join(dir, "run");
	assert_int_equal(mkdir(etc, 0755), 0);
	assert_int_equal(mkdir(run, 0700), 0);
	size_t big = 16 << 20;
	char *newlines = xmalloc(big);
	memset(newlines, '\n', big);
	static const char *const names[] = {"passwd", "group"};
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *path = path_join(etc, names[i]);
		assert_int_equal(write_file(path, newlines, big, 0644, NULL), 0);
	}
	free(newlines);
	pid_t pid = fork_limited(160UL << 20);
	if (pid == 0) {
		char *more_pw[] = {"4242:*:4242:0:container user:/:/bin/sh", NULL};
		char *more_gr[] = {"4242:x:4242:4242", NULL};
		struct ctr_config c = {.passwd_more = more_pw, .group_more = more_gr};
		char *pw = NULL, *gr = NULL;
		if (ctr_userns_etc(&c, dir, run, &pw, &gr, NULL) < 0 || !pw || !gr)
			_exit(4);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	cleanup_free char *text = NULL;
	cleanup_free char *copy = path_join(run, "passwd");
	int got = read_file(copy, &text, NULL, NULL);
	static const char *const made[] = {"etc/passwd", "etc/group", "run/passwd", "run/group", "etc", "run"};
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		cleanup_free char *p = path_join(dir, made[i]);
		(void)(strchr(made[i], '/') ? unlink(p) : rmdir(p));
	}
	assert_int_equal(rmdir(dir), 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("the child ended with status %#x", status);
	assert_int_equal(got, 0);
	assert_string_equal(text + big, "4242:*:4242:0:container user:/:/bin/sh\n");
}

static void test_resolv_conf(void **state)
{
	(void)state;
	char *r = ctr_gen_resolv_conf("10.0.2.3", "# c\nnameserver 1.1.1.1\nsearch example.org\noptions ndots:2\n");
	assert_string_equal(r, "search example.org\noptions ndots:2\nnameserver 10.0.2.3\n");
	free(r);
	r = ctr_gen_resolv_conf(NULL, "nameserver 192.0.2.53\nnameserver 192.0.2.54\n");
	assert_string_equal(r, "nameserver 192.0.2.53\nnameserver 192.0.2.54\n");
	free(r);
}

static void test_hosts(void **state)
{
	(void)state;
	char *h = ctr_gen_hosts("abc", "web", "10.0.2.100", "10.0.2.2");
	assert_non_null(strstr(h, "127.0.0.1\tlocalhost"));
	assert_non_null(strstr(h, "10.0.2.100\tabc web\n"));
	assert_non_null(strstr(h, "10.0.2.2\thost.containers.internal"));
	free(h);
	/* slirp:cidr= moves both */
	h = ctr_gen_hosts("abc", "web", "10.0.3.100", "10.0.3.2");
	assert_non_null(strstr(h, "10.0.3.100\tabc web\n"));
	assert_non_null(strstr(h, "10.0.3.2\thost.containers.internal"));
	assert_null(strstr(h, "10.0.2."));
	free(h);
	h = ctr_gen_hosts("abc", "web", NULL, NULL);
	assert_null(strstr(h, "10.0.2.100"));
	assert_non_null(strstr(h, "127.0.1.1\tabc web\n"));
	free(h);
}

static void test_ping_group_range(void **state)
{
	(void)state;
	struct {
		const char *map, *want;
	} cases[] = {
	    {NULL, "0 0"},
	    {"1002:0:1", "1002 1002"}, /* keep-id with no subordinate IDs */
	    {"0:1:1001,1001:0:1,1002:1002:64534", "1001 1001"},
	    {"0:0:65536", "0 0"},
	    {"5:7:10", "5 5"}, /* you are not in it: its first group */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *r = ctr_ping_group_range(cases[i].map);
		assert_string_equal(r, cases[i].want);
		free(r);
	}
}

static void test_user_names(void **state)
{
	(void)state;
	char *const added[] = {"db:192.0.2.5", "gw:host-gateway", "v6:2001:db8::1", NULL};
	char *h = ctr_hosts_added(added, "10.0.2.2");
	assert_string_equal(h, "192.0.2.5\tdb\n10.0.2.2\tgw\n2001:db8::1\tv6\n");
	free(h);
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_check_add_host("db:192.0.2.5", &err), 0);
	assert_int_equal(ctr_check_add_host("v6:::1", &err), 0);
	assert_int_equal(ctr_check_add_host(":192.0.2.5", &err), -1);
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(ctr_check_add_host("db:nope", &err), -1);
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(ctr_check_add_host("db\r:192.0.2.5", &err), -1);
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(ctr_check_line_value("--dns-option", "ndots:2 rotate", &err), 0);
	assert_int_equal(ctr_check_line_value("--hostname", "h\xc3\xa9", &err), 0);
	const char *bad[] = {"ndots:1\nnameserver 203.0.113.9", "a\rb", "a\tb", "a\x7f", "a\x1b[2J"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(ctr_check_line_value("--dns-option", bad[i], &err), -1);
		assert_non_null(strstr(err->msg, "invalid --dns-option '"));
		burrow_err_free(err);
		err = NULL;
	}
	assert_int_equal(ctr_check_dns("fd00::3", &err), 0);
	assert_int_equal(ctr_check_dns("dns.example", &err), -1);
	burrow_err_free(err);
	err = NULL;

	const char *base = "search a.example\noptions ndots:2\nnameserver 10.0.2.3\n";
	char *r = ctr_resolv_conf_user(base, NULL, NULL, NULL);
	assert_string_equal(r, base);
	free(r);
	char *const ns[] = {"192.0.2.53", "192.0.2.54", NULL}, *const search[] = {"b.example", "c.example", NULL},
	            *const opts[] = {"ndots:5", NULL}, *const none[] = {".", NULL};
	r = ctr_resolv_conf_user(base, ns, search, opts);
	assert_string_equal(
	    r, "search b.example c.example\noptions ndots:5\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n");
	free(r);
	r = ctr_resolv_conf_user(base, NULL, none, NULL);
	assert_string_equal(r, "options ndots:2\nnameserver 10.0.2.3\n");
	free(r);
}

static void test_sizes(void **state)
{
	(void)state;
	long long v;
	assert_int_equal(fmt_parse_size("64m", &v), 0);
	assert_int_equal(v, 64LL << 20);
	assert_int_equal(fmt_parse_size("1g", &v), 0);
	assert_int_equal(v, 1LL << 30);
	assert_int_equal(fmt_parse_size("512kb", &v), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(fmt_parse_size("100", &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(fmt_parse_size("", &v), -1);
	assert_int_equal(fmt_parse_size("m", &v), -1);
	assert_int_equal(fmt_parse_size("12x", &v), -1);
	assert_int_equal(fmt_parse_size("-1", &v), -1);
	char buf[64];
	assert_string_equal(fmt_size(1234567, buf, sizeof(buf)), "1.23 MB");
	assert_string_equal(fmt_size(999, buf, sizeof(buf)), "999 B");
	assert_string_equal(fmt_time_ago(100, 105, buf, sizeof(buf)), "5 seconds ago");
	/* Go's time.Time: the nanoseconds without trailing zeros, none for 0 */
	assert_string_equal(fmt_go_time_ns(1700000000, 986430000, true, buf, sizeof(buf)),
	                    "2023-11-14 22:13:20.98643 +0000 UTC");
	assert_string_equal(fmt_go_time_ns(1700000000, 7, true, buf, sizeof(buf)),
	                    "2023-11-14 22:13:20.000000007 +0000 UTC");
	assert_string_equal(fmt_go_time_ns(1700000000, 0, true, buf, sizeof(buf)), "2023-11-14 22:13:20 +0000 UTC");
	assert_string_equal(fmt_go_time(1700000000, true, buf, sizeof(buf)), "2023-11-14 22:13:20 +0000 UTC");
	assert_string_equal(fmt_duration(90, buf, sizeof(buf)), "About a minute");
	assert_string_equal(fmt_duration(7200, buf, sizeof(buf)), "2 hours");
}

/* A bind a start records (cp's check): what the host path leads to,
 * symlinks followed as mount(2) follows them; a path that leads nowhere
 * records nothing. */
static void test_bind_id(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-bindid.XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *link = path_join(dir, "l");
	assert_int_equal(symlink(dir, link), 0);
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	cleanup_free char *id = ctr_mount_bind_id(link, "/data");
	cleanup_free char *want =
	    xasprintf("%llu:%llu:/data", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	assert_string_equal(id, want);
	assert_null(ctr_mount_bind_id(NULL, "/x"));
	cleanup_free char *gone = path_join(dir, "gone");
	assert_null(ctr_mount_bind_id(gone, "/x"));
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* Found again by destination: trailing slashes aside, a ':' in it kept,
 * never a prefix of it. */
static void test_bind_find(void **state)
{
	(void)state;
	char *ids[] = {"5:7:/data", "12:345:/etc/a:b", "bogus", NULL};
	unsigned long long dev = 0, ino = 0;
	assert_true(ctr_mount_bind_find(ids, "/data/", &dev, &ino));
	assert_true(dev == 5 && ino == 7);
	assert_true(ctr_mount_bind_find(ids, "/etc/a:b", &dev, &ino));
	assert_true(dev == 12 && ino == 345);
	assert_false(ctr_mount_bind_find(ids, "/dat", &dev, &ino));
	assert_false(ctr_mount_bind_find(ids, "/etc/a", &dev, &ino));
	assert_false(ctr_mount_bind_find(NULL, "/data", &dev, &ino));
}

/* A stored owner as a mapped mount shows it (fuse-overlayfs's uidmapping
 * arithmetic): through the first range that holds it, else the kernel's
 * overflow ID; no map: as it is. */
static void test_id_seen(void **state)
{
	(void)state;
	assert_int_equal(ctr_userns_id_seen("0:1:2000", 0, false), 1);
	assert_int_equal(ctr_userns_id_seen("0:1:2000", 1999, false), 2000);
	assert_int_equal(ctr_userns_id_seen("0:1:100,100:0:1", 100, false), 0);
	assert_int_equal(ctr_userns_id_seen("0:1:100,100:0:1", 42, true), 43);
	assert_int_equal(ctr_userns_id_seen(NULL, 7, false), 7);
	cleanup_free char *u = NULL, *g = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(read_file("/proc/sys/kernel/overflowuid", &u, NULL, &err), 0);
	assert_int_equal(read_file("/proc/sys/kernel/overflowgid", &g, NULL, &err), 0);
	assert_int_equal(ctr_userns_id_seen("0:1:2000", 2000, false), strtoul(u, NULL, 10));
	assert_int_equal(ctr_userns_id_seen("0:1:2000", 5000, true), strtoul(g, NULL, 10));
	/* parsed once (an export's), for every owner: the same answers */
	struct ctr_id_seen seen;
	ctr_id_seen_init(&seen, "0:1:100,100:0:1,500:2000:10", true);
	for (unsigned long id = 0; id < 3000; id++) {
		unsigned long want = id < 100                ? id + 1
		                     : id == 100             ? 0
		                     : id >= 500 && id < 510 ? id - 500 + 2000
		                                             : strtoul(g, NULL, 10);
		if (ctr_id_seen(&seen, id) != want ||
		    ctr_userns_id_seen("0:1:100,100:0:1,500:2000:10", id, true) != want)
			fail_msg("id %lu: %lu, expected %lu", id, ctr_id_seen(&seen, id), want);
	}
	ctr_id_seen_init(&seen, NULL, false);
	assert_int_equal(ctr_id_seen(&seen, 4242), 4242);
	ctr_id_seen_init(&seen, "0:1", false); /* malformed: holds no ID */
	assert_int_equal(ctr_id_seen(&seen, 0), strtoul(u, NULL, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_roundtrip),
	    cmocka_unit_test(test_config_bad_json),
	    cmocka_unit_test(test_config_salvage),
	    cmocka_unit_test(test_rm_records_where),
	    cmocka_unit_test(test_config_each_set),
	    cmocka_unit_test(test_run_roundtrip),
	    cmocka_unit_test(test_every_field),
	    cmocka_unit_test(test_transitions),
	    cmocka_unit_test(test_log_lines),
	    cmocka_unit_test(test_detach_keys),
	    cmocka_unit_test(test_signals),
	    cmocka_unit_test(test_attach_error),
	    cmocka_unit_test(test_spec),
	    cmocka_unit_test(test_resolv_conf),
	    cmocka_unit_test(test_hosts),
	    cmocka_unit_test(test_ping_group_range),
	    cmocka_unit_test(test_user_names),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_seccomp_profile),
	    cmocka_unit_test(test_spec_security),
	    cmocka_unit_test(test_spec_record),
	    cmocka_unit_test(test_spec_shm),
	    cmocka_unit_test(test_security_opts),
	    cmocka_unit_test(test_resolve_user),
	    cmocka_unit_test(test_user_memberships),
	    cmocka_unit_test(test_gecos_name),
	    cmocka_unit_test(test_read_in_roots),
	    cmocka_unit_test(test_userns_etc_big),
	    cmocka_unit_test(test_passwd_home),
	    cmocka_unit_test(test_bind_id),
	    cmocka_unit_test(test_bind_find),
	    cmocka_unit_test(test_id_seen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
