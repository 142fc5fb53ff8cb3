/* Unit tests for state/: records, transactions, walks, lookup, names,
 * refresh after a reboot, locks, filesystem checks, storage root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/fileutil.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/internal.h"
#include "state/paths.h"
#include "state/state.h"
#include "tests/unit/storefx.h"

static int setup(void **state)
{
	struct store_fx *f = store_fx_new("state", "11111111-1111-1111-1111-111111111111\n");
	cleanup_free char *machine = path_join(f->dir, "machine_id");
	struct burrow_err *merr = NULL;
	assert_int_equal(write_file(machine, "m1.x\n", 5, 0600, &merr), 0);
	setenv("BURROW_TEST_MACHINE_ID_FILE", machine, 1);
	setenv("BURROW_TEST_HOSTNAME", "h1.x", 1);
	unsetenv("BURROW_TEST_SHARED_ROOT");
	state_set_wait_ms(30000);
	f->s = store_fx_open(f);
	struct burrow_err *err = NULL;
	assert_int_equal(state_refresh_done(f->s, &err), 0);
	*state = f;
	return 0;
}

static char *get(struct state_store *s, enum state_db db, const char *key)
{
	struct burrow_err *err = NULL;
	char *json = NULL;
	int r = state_get(s, db, key, &json, &err);
	if (r < 0)
		fail_msg("state_get '%s': %s", key, err->msg);
	return r == 0 ? json : NULL;
}

static void put(struct state_store *s, enum state_db db, const char *key, const char *json)
{
	struct burrow_err *err = NULL;
	if (state_put(s, db, key, json, &err) < 0)
		fail_msg("state_put '%s': %s", key, err->msg);
}

static void test_records_round_trip(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	cleanup_free char *missing = NULL;
	assert_int_equal(state_get(f->s, STATE_DB, "ctr/nope", &missing, &err), 1);
	assert_null(err);
	/* state_has: no --rm file yet, then a record in one file only */
	assert_int_equal(state_has(f->s, STATE_DB, "ctr/a", &err), 0);
	assert_int_equal(state_has(f->s, STATE_RM, "ctr/a", &err), 0);
	assert_null(err);

	put(f->s, STATE_DB, "ctr/a", "{\"name\":\"web\"}");
	put(f->s, STATE_RUN, "run/a", "{\"pid\":42}");
	cleanup_free char *a = get(f->s, STATE_DB, "ctr/a");
	cleanup_free char *r = get(f->s, STATE_RUN, "run/a");
	assert_string_equal(a, "{\"name\":\"web\"}");
	assert_string_equal(r, "{\"pid\":42}");
	/* the two files are separate */
	assert_null(get(f->s, STATE_RUN, "ctr/a"));
	assert_int_equal(state_has(f->s, STATE_DB, "ctr/a", &err), 1);
	assert_int_equal(state_has(f->s, STATE_RUN, "ctr/a", &err), 0);
	assert_int_equal(state_has(f->s, STATE_RUN, "run/a", &err), 1);
	put(f->s, STATE_RM, "ctr/b", "{}");
	assert_int_equal(state_has(f->s, STATE_RM, "ctr/b", &err), 1);
	assert_int_equal(state_has(f->s, STATE_RM, "ctr/a", &err), 0);
	assert_int_equal(state_has(f->s, STATE_DB, "ctr/b", &err), 0);
	assert_null(err);

	/* overwrite with a longer and a shorter value */
	char big[9000];
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '"';
	big[sizeof(big) - 2] = '"';
	big[sizeof(big) - 1] = '\0';
	put(f->s, STATE_DB, "ctr/a", big);
	cleanup_free char *b = get(f->s, STATE_DB, "ctr/a");
	assert_string_equal(b, big);
	put(f->s, STATE_DB, "ctr/a", "{}");
	cleanup_free char *c = get(f->s, STATE_DB, "ctr/a");
	assert_string_equal(c, "{}");

	/* delete, and delete again */
	assert_int_equal(state_del(f->s, STATE_DB, "ctr/a", &err), 0);
	assert_null(get(f->s, STATE_DB, "ctr/a"));
	assert_int_equal(state_del(f->s, STATE_DB, "ctr/a", &err), 0);
	assert_null(err);

	/* insert refuses a taken key and keeps the old value */
	assert_int_equal(state_insert(f->s, STATE_DB, "name/web", "\"1\"", &err), 0);
	assert_int_equal(state_insert(f->s, STATE_DB, "name/web", "\"2\"", &err), -1);
	assert_int_equal(err->status, EEXIST);
	assert_string_equal(err->msg, "'name/web' already exists");
	burrow_err_free(steal_ptr(err));
	cleanup_free char *w = get(f->s, STATE_DB, "name/web");
	assert_string_equal(w, "\"1\"");
	/* ... also inside a transaction, which goes on */
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	assert_int_equal(state_insert(f->s, STATE_DB, "name/web", "\"3\"", &err), -1);
	burrow_err_free(steal_ptr(err));
	assert_int_equal(state_insert(f->s, STATE_DB, "name/db", "\"4\"", &err), 0);
	assert_int_equal(state_tx_commit(f->s, STATE_DB, &err), 0);
	cleanup_free char *dbn = get(f->s, STATE_DB, "name/db");
	assert_string_equal(dbn, "\"4\"");

	/* survives close and reopen */
	put(f->s, STATE_DB, "img/z", "[1,2]");
	state_close(f->s);
	f->s = store_fx_open(f);
	assert_false(state_needs_refresh(f->s));
	cleanup_free char *z = get(f->s, STATE_DB, "img/z");
	assert_string_equal(z, "[1,2]");

	/* bad arguments */
	assert_int_equal(state_put(f->s, STATE_DB, "", "{}", &err), -1);
	assert_int_equal(err->status, EINVAL);
	burrow_err_free(steal_ptr(err));
	assert_int_equal(state_put(f->s, (enum state_db)7, "k", "{}", &err), -1);
	burrow_err_free(steal_ptr(err));
}

struct seen {
	char **keys;
	char **vals;
	int stop_after;
	int fail_at;
};

static int record_cb(const char *key, const char *json, void *data, struct burrow_err **err)
{
	struct seen *sn = data;
	if (sn->fail_at >= 0 && (int)strv_len(sn->keys) == sn->fail_at)
		return burrow_error(err, EIO, "stop here");
	strv_append(&sn->keys, key);
	strv_append(&sn->vals, json);
	if (sn->stop_after > 0 && (int)strv_len(sn->keys) == sn->stop_after)
		return 1;
	return 0;
}

static void test_each_sorted_prefix(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	const char *keys[] = {"ctr/c", "name/x", "ctr/a", "ctr/b", "ctrl", "img/a", "ctr/aa"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cleanup_free char *v = xasprintf("\"%s\"", keys[i]);
		put(f->s, STATE_DB, keys[i], v);
	}
	struct seen sn = {NULL, NULL, 0, -1};
	assert_int_equal(state_each(f->s, STATE_DB, "ctr/", record_cb, &sn, &err), 0);
	assert_int_equal(strv_len(sn.keys), 4);
	assert_string_equal(sn.keys[0], "ctr/a");
	assert_string_equal(sn.keys[1], "ctr/aa");
	assert_string_equal(sn.keys[2], "ctr/b");
	assert_string_equal(sn.keys[3], "ctr/c");
	assert_string_equal(sn.vals[1], "\"ctr/aa\"");
	strv_free(sn.keys);
	strv_free(sn.vals);

	/* stop early */
	sn = (struct seen){NULL, NULL, 2, -1};
	assert_int_equal(state_each(f->s, STATE_DB, "ctr/", record_cb, &sn, &err), 0);
	assert_int_equal(strv_len(sn.keys), 2);
	strv_free(sn.keys);
	strv_free(sn.vals);

	/* a failing callback fails the walk with its error */
	sn = (struct seen){NULL, NULL, 0, 1};
	assert_int_equal(state_each(f->s, STATE_DB, "ctr/", record_cb, &sn, &err), -1);
	assert_string_equal(err->msg, "stop here: Input/output error");
	burrow_err_free(steal_ptr(err));
	strv_free(sn.keys);
	strv_free(sn.vals);

	/* everything, and nothing */
	sn = (struct seen){NULL, NULL, 0, -1};
	assert_int_equal(state_each(f->s, STATE_DB, "", record_cb, &sn, &err), 0);
	assert_int_equal(strv_len(sn.keys), 7);
	strv_free(sn.keys);
	strv_free(sn.vals);
	sn = (struct seen){NULL, NULL, 0, -1};
	assert_int_equal(state_each(f->s, STATE_DB, "vol/", record_cb, &sn, &err), 0);
	assert_int_equal(strv_len(sn.keys), 0);
	strv_free(sn.keys);
	strv_free(sn.vals);

	/* the runtime file's walk does not show its meta record under run/ */
	put(f->s, STATE_RUN, "run/b", "1");
	put(f->s, STATE_RUN, "run/a", "2");
	cleanup_strv char **rk = NULL;
	size_t n = 0;
	assert_int_equal(state_keys(f->s, STATE_RUN, "run/", &rk, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rk[0], "run/a");
	assert_string_equal(rk[1], "run/b");
	assert_null(rk[2]);
}

/* A callback that writes: the walk holds no tdb lock while it runs. */
static int writing_cb(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)json;
	struct state_store *s = data;
	cleanup_free char *k = xasprintf("copy/%s", key);
	return state_put(s, STATE_DB, k, "true", err);
}

static void test_each_callback_may_write(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	put(f->s, STATE_DB, "ctr/1", "1");
	put(f->s, STATE_DB, "ctr/2", "2");
	assert_int_equal(state_each(f->s, STATE_DB, "ctr/", writing_cb, f->s, &err), 0);
	cleanup_free char *c = get(f->s, STATE_DB, "copy/ctr/2");
	assert_non_null(c);
}

static void test_transactions(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	put(f->s, STATE_DB, "ctr/keep", "\"old\"");

	/* commit: both records land */
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	put(f->s, STATE_DB, "ctr/x", "{\"name\":\"x\"}");
	put(f->s, STATE_DB, "name/x", "\"x\"");
	assert_int_equal(state_del(f->s, STATE_DB, "ctr/keep", &err), 0);
	/* visible inside the transaction, also to a walk */
	cleanup_free char *inside = get(f->s, STATE_DB, "name/x");
	assert_non_null(inside);
	cleanup_strv char **k = NULL;
	assert_int_equal(state_keys(f->s, STATE_DB, "ctr/", &k, NULL, &err), 0);
	assert_int_equal(strv_len(k), 1);
	assert_int_equal(state_tx_commit(f->s, STATE_DB, &err), 0);
	cleanup_free char *x = get(f->s, STATE_DB, "ctr/x");
	cleanup_free char *nx = get(f->s, STATE_DB, "name/x");
	assert_non_null(x);
	assert_non_null(nx);
	assert_null(get(f->s, STATE_DB, "ctr/keep"));

	/* cancel: nothing lands, the old value stays */
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	put(f->s, STATE_DB, "ctr/y", "{}");
	put(f->s, STATE_DB, "ctr/x", "\"changed\"");
	assert_int_equal(state_del(f->s, STATE_DB, "name/x", &err), 0);
	state_tx_cancel(f->s, STATE_DB);
	assert_null(get(f->s, STATE_DB, "ctr/y"));
	cleanup_free char *x2 = get(f->s, STATE_DB, "ctr/x");
	assert_string_equal(x2, "{\"name\":\"x\"}");
	cleanup_free char *nx2 = get(f->s, STATE_DB, "name/x");
	assert_non_null(nx2);

	/* closing with a transaction open cancels it */
	assert_int_equal(state_tx_begin(f->s, STATE_RUN, &err), 0);
	put(f->s, STATE_RUN, "run/z", "{}");
	state_close(f->s);
	f->s = store_fx_open(f);
	assert_null(get(f->s, STATE_RUN, "run/z"));

	/* nesting is refused; the open one goes on */
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), -1);
	assert_int_equal(err->status, EBUSY);
	burrow_err_free(steal_ptr(err));
	/* one per db: the other file has its own */
	assert_int_equal(state_tx_begin(f->s, STATE_RUN, &err), 0);
	put(f->s, STATE_DB, "ctr/n", "1");
	put(f->s, STATE_RUN, "run/n", "1");
	assert_int_equal(state_tx_commit(f->s, STATE_RUN, &err), 0);
	assert_int_equal(state_tx_commit(f->s, STATE_DB, &err), 0);
	cleanup_free char *n1 = get(f->s, STATE_DB, "ctr/n");
	cleanup_free char *n2 = get(f->s, STATE_RUN, "run/n");
	assert_non_null(n1);
	assert_non_null(n2);

	/* commit without begin is an error; cancel without begin is fine */
	assert_int_equal(state_tx_commit(f->s, STATE_DB, &err), -1);
	burrow_err_free(steal_ptr(err));
	state_tx_cancel(f->s, STATE_DB);
	state_tx_cancel(f->s, STATE_RUN);

	/* an empty transaction commits */
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	assert_int_equal(state_tx_commit(f->s, STATE_DB, &err), 0);

	assert_int_equal(state_verify(f->s, &err), 0);
}

/* A second process's transaction holds the file: ours waits, boundedly. */
static void test_transaction_wait_bounded(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct state_store *c = NULL;
		state_close(f->s);
		if (state_open(f->root, f->runroot, &c, NULL) < 0 || state_tx_begin(c, STATE_DB, NULL) < 0)
			_exit(1);
		char ch = 'x';
		if (write(p[1], &ch, 1) != 1)
			_exit(1);
		/* held until killed below (bounded if the test fails first):
		 * 3 s was not always past the two waits on a loaded machine */
		sleep(60);
		_exit(0);
	}
	close(p[1]);
	char ch;
	assert_int_equal(read(p[0], &ch, 1), 1);
	close(p[0]);
	state_set_wait_ms(300);
	int64_t t0 = now_ms();
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), -1);
	int64_t took = now_ms() - t0;
	assert_int_equal(err->status, ETIMEDOUT);
	assert_non_null(strstr(err->msg, "burrow.tdb"));
	/* 300 ms, not the default 30 s (a loaded machine may add seconds) */
	assert_true(took >= 300 && took < 15000);
	burrow_err_free(steal_ptr(err));
	/* a single put waits the same way */
	assert_int_equal(state_put(f->s, STATE_DB, "ctr/q", "1", &err), -1);
	burrow_err_free(steal_ptr(err));
	/* the other file is free */
	put(f->s, STATE_RUN, "run/q", "1");
	kill(pid, SIGKILL);
	int st;
	waitpid_eintr(pid, &st, 0);
	/* the killed holder's transaction is gone: ours goes through */
	state_set_wait_ms(5000);
	put(f->s, STATE_DB, "ctr/q", "1");
	state_set_wait_ms(30000);
}

static const char *ID_A = "4f3a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
static const char *ID_B = "4f3a9999aaaabbbbccccddddeeeeffff00001111222233334444555566667777";
static const char *ID_C = "abc0000000000000000000000000000000000000000000000000000000000000";

static void add_ctr(struct state_store *s, const char *id, const char *name)
{
	cleanup_free char *k = xasprintf("ctr/%s", id);
	cleanup_free char *v = xasprintf("{\"id\":\"%s\",\"name\":\"%s\"}", id, name);
	cleanup_free char *nk = xasprintf("name/%s", name);
	cleanup_free char *nv = xasprintf("\"%s\"", id);
	put(s, STATE_DB, k, v);
	put(s, STATE_DB, nk, nv);
}

static void expect_lookup(struct state_store *s, const char *ref, const char *want)
{
	struct burrow_err *err = NULL;
	char *id = NULL;
	if (state_lookup(s, ref, "name/", "ctr/", &id, &err) < 0)
		fail_msg("lookup '%s': %s", ref, err->msg);
	assert_string_equal(id, want);
	free(id);
}

static struct burrow_err *expect_lookup_fail(struct state_store *s, const char *ref, int status)
{
	struct burrow_err *err = NULL;
	char *id = NULL;
	assert_int_equal(state_lookup(s, ref, "name/", "ctr/", &id, &err), -1);
	assert_null(id);
	assert_non_null(err);
	assert_int_equal(err->status, status);
	return err;
}

static void test_lookup(void **state)
{
	struct store_fx *f = *state;
	add_ctr(f->s, ID_A, "web");
	add_ctr(f->s, ID_B, "db");
	add_ctr(f->s, ID_C, "4f3a9"); /* a name that is also a prefix of B */

	/* by name, full ID and unique prefix */
	expect_lookup(f->s, "web", ID_A);
	expect_lookup(f->s, "db", ID_B);
	expect_lookup(f->s, ID_A, ID_A);
	expect_lookup(f->s, "4f3a1", ID_A);
	expect_lookup(f->s, "4f3a99", ID_B);
	expect_lookup(f->s, "a", ID_C);
	/* a name wins over an ID prefix */
	expect_lookup(f->s, "4f3a9", ID_C);

	/* ambiguous: both candidates named by their short IDs */
	cleanup_err struct burrow_err *amb = expect_lookup_fail(f->s, "4f3a", EINVAL);
	assert_string_equal(amb->msg, "'4f3a' is ambiguous: it matches 4f3a1b2c3d4e, 4f3a9999aaaa");

	/* not found */
	cleanup_err struct burrow_err *nf = expect_lookup_fail(f->s, "nosuch", ENOENT);
	assert_string_equal(nf->msg, "no such object 'nosuch'");
	burrow_err_free(expect_lookup_fail(f->s, "ffff", ENOENT));
	burrow_err_free(
	    expect_lookup_fail(f->s, "0000000000000000000000000000000000000000000000000000000000000000", ENOENT));
	burrow_err_free(expect_lookup_fail(f->s, "", ENOENT));
	/* an ID prefix does not match a name record's key, nor the other way */
	burrow_err_free(expect_lookup_fail(f->s, "we", ENOENT));

	/* a damaged name record is reported, not taken for an ID */
	put(f->s, STATE_DB, "name/broken", "{\"id\":1}");
	cleanup_err struct burrow_err *dmg = expect_lookup_fail(f->s, "broken", EIO);
	assert_non_null(strstr(dmg->msg, "name/broken"));

	/* many candidates are cut short */
	for (int i = 0; i < 12; i++) {
		cleanup_free char *id = xasprintf("eeee%02d%058d", i, 0);
		cleanup_free char *name = xasprintf("n%d", i);
		add_ctr(f->s, id, name);
	}
	cleanup_err struct burrow_err *many = expect_lookup_fail(f->s, "eeee", EINVAL);
	assert_non_null(strstr(many->msg, "and 4 more"));

	/* other kinds: images under img/ with tags under tag/ */
	put(f->s, STATE_DB,
	    "img/"
	    "abcdef0000000000000000000000000000000000000000000000000000000000",
	    "{}");
	struct burrow_err *err = NULL;
	char *id = NULL;
	assert_int_equal(state_lookup(f->s, "abcd", "tag/", "img/", &id, &err), 0);
	assert_string_equal(id, "abcdef0000000000000000000000000000000000000000000000000000000000");
	free(id);
}

/* A --rm container's records in this boot's --rm file: found by name, ID
 * and prefix as burrow.tdb's are, a prefix ambiguous across both files. */
static void test_lookup_rm_file(void **state)
{
	struct store_fx *f = *state;
	add_ctr(f->s, ID_A, "web");
	cleanup_free char *k = xasprintf("ctr/%s", ID_B);
	cleanup_free char *nv = xasprintf("\"%s\"", ID_B);
	put(f->s, STATE_RM, k, "{}");
	put(f->s, STATE_RM, "name/tmp", nv);
	expect_lookup(f->s, "web", ID_A);
	expect_lookup(f->s, "tmp", ID_B);
	expect_lookup(f->s, ID_B, ID_B);
	expect_lookup(f->s, "4f3a99", ID_B);
	cleanup_err struct burrow_err *amb = expect_lookup_fail(f->s, "4f3a", EINVAL);
	assert_string_equal(amb->msg, "'4f3a' is ambiguous: it matches 4f3a1b2c3d4e, 4f3a9999aaaa");
	/* not in burrow.tdb */
	assert_null(get(f->s, STATE_DB, k));
}

static int count_stale(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)json;
	(void)err;
	assert_string_equal(key, "ctr/old");
	(*(int *)data)++;
	return 0;
}

static bool exists_in(const char *dir, const char *name)
{
	cleanup_free char *p = path_join(dir, name);
	return access(p, F_OK) == 0;
}

#define BOOT1 "11111111-1111-1111-1111-111111111111"

/* The --rm file is this boot's, made by its first write: another boot's
 * is walked once and removed (a torn one too), this boot's kept; a boot ID
 * that is no file name is made one. */
static void test_rm_file_per_boot(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	put(f->s, STATE_RM, "ctr/old", "{}");
	put(f->s, STATE_RM, "run/other-kind", "{}");
	assert_true(exists_in(f->root, "rm-h1_2ex.m1_x." BOOT1 ".tdb"));
	/* an older burrow's name of another boot, on a local disk: this
	 * machine's, as no other can share the storage root */
	cleanup_free char *torn = path_join(f->root, "rm-torn.tdb");
	assert_int_equal(write_file(torn, "torn", 4, 0600, &err), 0);
	cleanup_free char *tmp = path_join(f->root, "rm-x.tdb.new-5");
	assert_int_equal(write_file(tmp, "", 0, 0600, &err), 0);
	/* another machine's, on a storage root they share: its own to remove;
	 * a clone with the same machine ID, another host */
	cleanup_free char *other = path_join(f->root, "rm-m2." BOOT1 ".tdb");
	assert_int_equal(write_file(other, "torn", 4, 0600, &err), 0);
	cleanup_free char *clone = path_join(f->root, "rm-h2.m1_x." BOOT1 ".tdb");
	assert_int_equal(write_file(clone, "torn", 4, 0600, &err), 0);

	store_fx_boot_id(f, "two/2\n");
	state_close(f->s);
	f->s = store_fx_open(f);
	/* made by the first write, not by state_open (a full disk) */
	assert_false(exists_in(f->root, "rm-h1_2ex.m1_x.two_2.tdb"));
	assert_null(get(f->s, STATE_RM, "ctr/old"));
	cleanup_strv char **none = NULL;
	assert_int_equal(state_keys(f->s, STATE_RM, "", &none, NULL, &err), 0);
	assert_null(none[0]);
	assert_false(exists_in(f->root, "rm-h1_2ex.m1_x.two_2.tdb"));
	int n = 0;
	assert_int_equal(state_rm_stale(f->s, "ctr/", count_stale, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_false(exists_in(f->root, "rm-h1_2ex.m1_x." BOOT1 ".tdb"));
	assert_false(exists_in(f->root, "rm-torn.tdb"));
	put(f->s, STATE_RM, "ctr/new", "{}");
	assert_true(exists_in(f->root, "rm-h1_2ex.m1_x.two_2.tdb"));
	assert_true(exists_in(f->root, "rm-x.tdb.new-5"));
	assert_true(exists_in(f->root, "rm-m2." BOOT1 ".tdb"));
	assert_true(exists_in(f->root, "rm-h2.m1_x." BOOT1 ".tdb"));
	/* once */
	n = 0;
	assert_int_equal(state_rm_stale(f->s, "ctr/", count_stale, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(state_refresh_done(f->s, &err), 0);
}

/* The host name in a file name: nothing of it can leave the storage root
 * or pass for a separator, and two names stay two. */
static void test_rm_host_part(void **state)
{
	(void)state;
	const struct {
		const char *host, *part;
	} cases[] = {
	    {"node01", "node01"},
	    {"node01.cluster.example", "node01_2ecluster_2eexample"},
	    {"a_b", "a_5fb"},
	    {"a.b", "a_2eb"},
	    {"../x/y", "_2e_2e_2fx_2fy"},
	    {"..", "_2e_2e"},
	    {"", "_"},
	    {"Ab-9\n\xff", "Ab-9_0a_ff"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cleanup_free char *p = state_rm_host_part(cases[i].host);
		assert_string_equal(p, cases[i].part);
	}
	/* 32 dots: 96 characters, kept; 33 and 64 (the longest host name):
	 * their hash, two hashes */
	char dots[65];
	memset(dots, '.', 64);
	dots[32] = '\0';
	cleanup_free char *p32 = state_rm_host_part(dots);
	assert_int_equal(strlen(p32), 96);
	dots[32] = '.';
	dots[33] = '\0';
	cleanup_free char *p33 = state_rm_host_part(dots);
	dots[33] = '.';
	dots[64] = '\0';
	cleanup_free char *p64 = state_rm_host_part(dots);
	assert_int_equal(strlen(p33), 18);
	assert_int_equal(strncmp(p33, "_h", 2), 0);
	assert_int_equal(strspn(p33 + 2, "0123456789abcdef"), 16);
	assert_string_not_equal(p33, p64);
	assert_null(strchr(p64, '.'));
}

/* What the refresh does with each name in the storage root. */
static void test_rm_file_kind(void **state)
{
	(void)state;
	const char *prefix = "rm-h1.m1.", *old = "rm-m1.", *mine = "rm-h1.m1.b2.tdb";
	const struct {
		const char *name;
		enum state_rm_kind kind;
	} cases[] = {
	    {"rm-h1.m1.b2.tdb", STATE_RM_OTHER},       /* mine */
	    {"rm-h1.m1.b1.tdb", STATE_RM_STALE},       /* my earlier boot */
	    {"rm-h2.m1.b1.tdb", STATE_RM_OTHER},       /* a clone: same machine ID */
	    {"rm-h1.m2.b1.tdb", STATE_RM_OTHER},       /* same host name, another machine */
	    {"rm-h1.m1x.b1.tdb", STATE_RM_OTHER},      /* a machine ID that begins as mine */
	    {"rm-h1x.m1.b1.tdb", STATE_RM_OTHER},      /* a host name that begins as mine */
	    {"rm-m1.b1.tdb", STATE_RM_OLD},            /* the version before: maybe mine */
	    {"rm-m2.b1.tdb", STATE_RM_OTHER},          /* the version before: another machine's */
	    {"rm-b1.tdb", STATE_RM_OLD},               /* the one before that */
	    {"rm-h1.m1.b1.tdb.new-5", STATE_RM_OTHER}, /* being made */
	    {"rm-a.b.c.d.tdb", STATE_RM_OTHER},
	    {"rm-h1.m1.b 1.tdb", STATE_RM_OTHER},
	    {"rm-.tdb", STATE_RM_OTHER},
	    {"rm-tdb", STATE_RM_OTHER},
	    {"burrow.tdb", STATE_RM_OTHER},
	    {"..", STATE_RM_OTHER},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (state_rm_file_kind(cases[i].name, prefix, old, mine) != cases[i].kind)
			fail_msg("'%s': kind %d, expected %d", cases[i].name,
			         (int)state_rm_file_kind(cases[i].name, prefix, old, mine), (int)cases[i].kind);
	char *names[2];
	state_rm_old_names("rm-h1.m1.b1.tdb", old, names);
	assert_string_equal(names[0], "rm-m1.b1.tdb");
	assert_string_equal(names[1], "rm-b1.tdb");
	free(names[0]);
	free(names[1]);
	/* the other names of one boot's file: an older burrow's, and this
	 * burrow's under another host name (renamed during the boot) */
	const char *n = "rm-h1.m1.b1.tdb";
	assert_true(state_rm_same_boot(n, old, "rm-h2.m1.b1.tdb"));
	assert_true(state_rm_same_boot(n, old, "rm-h1_2ex.m1.b1.tdb"));
	assert_true(state_rm_same_boot(n, old, "rm-m1.b1.tdb"));
	assert_true(state_rm_same_boot(n, old, "rm-b1.tdb"));
	assert_false(state_rm_same_boot(n, old, n));
	assert_false(state_rm_same_boot(n, old, "rm-h2.m1.b2.tdb"));
	assert_false(state_rm_same_boot(n, old, "rm-h2.m2.b1.tdb"));
	assert_false(state_rm_same_boot(n, old, "rm-h2.m1.b1.tdb.new-5"));
	assert_false(state_rm_same_boot(n, old, "rm-.m1.b1.tdb"));
	assert_false(state_rm_same_boot(n, old, "rm-m2.b1.tdb"));
	assert_false(state_rm_same_boot(n, old, "burrow.tdb"));
}

/* Stores ctr/old in this boot's --rm file and renames the file (closed)
 * to name: what an older burrow, or another host, left. */
static void leave_rm_file(struct store_fx *f, const char *name)
{
	put(f->s, STATE_RM, "ctr/old", "{}");
	cleanup_free char *from = xstrdup(f->s->path[STATE_RM]);
	state_close(f->s);
	f->s = NULL;
	cleanup_free char *to = path_join(f->root, name);
	assert_int_equal(rename(from, to), 0);
}

static nlink_t links(const char *dir, const char *name)
{
	cleanup_free char *p = path_join(dir, name);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	return st.st_nlink;
}

/* dir/to: a copy of dir/from (a file of its own). */
static void copy_file(const char *dir, const char *from, const char *to)
{
	struct burrow_err *err = NULL;
	cleanup_free char *src = path_join(dir, from);
	cleanup_free char *dst = path_join(dir, to);
	cleanup_free char *text = NULL;
	size_t len = 0;
	assert_int_equal(read_file(src, &text, &len, &err), 0);
	assert_int_equal(write_file(dst, text, len, 0600, &err), 0);
}

/* A machine without a machine ID names its files "none"; the file an
 * older burrow named, rm-<machine>.<boot ID>.tdb (its machine without an
 * ID "host-<host>") or rm-<boot ID>.tdb, made earlier in this boot stays
 * this boot's file (its containers run), claimed by a link under the new
 * name, and goes with it at the next boot. */
static void test_rm_file_machine(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	cleanup_free char *empty = path_join(f->dir, "empty");
	assert_int_equal(write_file(empty, "\n", 1, 0600, &err), 0);
	setenv("BURROW_TEST_MACHINE_ID_FILE", empty, 1);
	state_close(f->s);
	f->s = store_fx_open(f);
	put(f->s, STATE_RM, "ctr/old", "{}");
	assert_true(exists_in(f->root, "rm-h1_2ex.none." BOOT1 ".tdb"));

	/* the version before's file of this boot */
	store_fx_boot_id(f, "three\n");
	state_close(f->s);
	f->s = store_fx_open(f);
	int n = 0;
	assert_int_equal(state_rm_stale(f->s, "ctr/", count_stale, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_false(exists_in(f->root, "rm-h1_2ex.none." BOOT1 ".tdb"));
	assert_int_equal(state_refresh_done(f->s, &err), 0);
	leave_rm_file(f, "rm-host-h1_x.three.tdb");
	f->s = store_fx_open(f);
	assert_int_equal(links(f->root, "rm-host-h1_x.three.tdb"), 2);
	assert_int_equal(links(f->root, "rm-h1_2ex.none.three.tdb"), 2);
	cleanup_free char *json = get(f->s, STATE_RM, "ctr/old");
	assert_non_null(json);
	/* the claim is the file: a write under either name is in both */
	put(f->s, STATE_RM, "name/other", "{}");
	store_fx_boot_id(f, "four\n");
	state_close(f->s);
	f->s = store_fx_open(f);
	n = 0;
	assert_int_equal(state_rm_stale(f->s, "ctr/", count_stale, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_false(exists_in(f->root, "rm-h1_2ex.none.three.tdb"));
	assert_false(exists_in(f->root, "rm-host-h1_x.three.tdb"));
	assert_int_equal(state_refresh_done(f->s, &err), 0);

	/* the one before that's, rm-<boot ID>.tdb */
	leave_rm_file(f, "rm-four.tdb");
	f->s = store_fx_open(f);
	assert_int_equal(links(f->root, "rm-h1_2ex.none.four.tdb"), 2);
	store_fx_boot_id(f, "five\n");
	state_close(f->s);
	f->s = store_fx_open(f);
	n = 0;
	assert_int_equal(state_rm_stale(f->s, "ctr/", count_stale, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_false(exists_in(f->root, "rm-h1_2ex.none.four.tdb"));
	assert_false(exists_in(f->root, "rm-four.tdb"));
	assert_int_equal(state_refresh_done(f->s, &err), 0);
}

/* On a storage root other machines may share (an HPC cluster's home
 * directory, clones with one machine ID): an older burrow's file of
 * another boot may be a clone's, running: kept unless this machine
 * claimed it; one another host claimed stays for that host. */
static void test_rm_file_shared(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	setenv("BURROW_TEST_SHARED_ROOT", "1", 1);
	leave_rm_file(f, "rm-m1_x.b0.tdb");
	f->s = store_fx_open(f);
	leave_rm_file(f, "rm-b00.tdb");
	f->s = store_fx_open(f);
	/* the clone h2's claim of its rm-m1_x.c0.tdb */
	leave_rm_file(f, "rm-m1_x.c0.tdb");
	cleanup_free char *c0 = path_join(f->root, "rm-m1_x.c0.tdb");
	cleanup_free char *h2 = path_join(f->root, "rm-h2.m1_x.c0.tdb");
	assert_int_equal(link(c0, h2), 0);
	f->s = store_fx_open(f);
	/* this machine's own claim of rm-m1_x.b1.tdb, in its boot b1 */
	leave_rm_file(f, "rm-m1_x.b1.tdb");
	store_fx_boot_id(f, "b1\n");
	f->s = store_fx_open(f);
	assert_int_equal(state_refresh_done(f->s, &err), 0);
	assert_int_equal(links(f->root, "rm-h1_2ex.m1_x.b1.tdb"), 2);
	/* a file of its own under boot b1's oldest name (an even older
	 * burrow's, unclaimed): not the claim's alias, so not removed with it */
	copy_file(f->root, "rm-m1_x.b0.tdb", "rm-b1.tdb");

	store_fx_boot_id(f, "b2\n");
	state_close(f->s);
	f->s = store_fx_open(f);
	int n = 0;
	assert_int_equal(state_rm_stale(f->s, "ctr/", count_stale, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_false(exists_in(f->root, "rm-h1_2ex.m1_x.b1.tdb"));
	assert_false(exists_in(f->root, "rm-m1_x.b1.tdb"));
	assert_true(exists_in(f->root, "rm-m1_x.b0.tdb"));
	assert_true(exists_in(f->root, "rm-b00.tdb"));
	assert_true(exists_in(f->root, "rm-b1.tdb"));
	assert_true(exists_in(f->root, "rm-m1_x.c0.tdb"));
	assert_true(exists_in(f->root, "rm-h2.m1_x.c0.tdb"));
	assert_int_equal(state_refresh_done(f->s, &err), 0);

	/* on a local disk, nobody else's: the unclaimed ones go */
	unsetenv("BURROW_TEST_SHARED_ROOT");
	store_fx_boot_id(f, "b3\n");
	state_close(f->s);
	f->s = store_fx_open(f);
	n = 0;
	assert_int_equal(state_rm_stale(f->s, "ctr/", count_stale, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_false(exists_in(f->root, "rm-m1_x.b0.tdb"));
	assert_false(exists_in(f->root, "rm-b00.tdb"));
	assert_false(exists_in(f->root, "rm-b1.tdb"));
	assert_true(exists_in(f->root, "rm-m1_x.c0.tdb"));
	assert_true(exists_in(f->root, "rm-h2.m1_x.c0.tdb"));
	assert_int_equal(state_refresh_done(f->s, &err), 0);
}

static void test_ids(void **state)
{
	(void)state;
	char *ids[64];
	for (int i = 0; i < 64; i++) {
		ids[i] = state_new_id();
		assert_int_equal(strlen(ids[i]), 64);
		assert_int_equal(strspn(ids[i], "0123456789abcdef"), 64);
		assert_true(strspn(ids[i], "0123456789") < 12);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(ids[i], ids[j]);
	}
	for (int i = 0; i < 64; i++)
		free(ids[i]);
}

static void test_valid_name(void **state)
{
	(void)state;
	assert_true(state_valid_name("web"));
	assert_true(state_valid_name("a"));
	assert_true(state_valid_name("9lives"));
	assert_true(state_valid_name("my_app.v2-test"));
	assert_true(state_valid_name("UPPER"));
	assert_false(state_valid_name(""));
	assert_false(state_valid_name(NULL));
	assert_false(state_valid_name("_x"));
	assert_false(state_valid_name(".x"));
	assert_false(state_valid_name("-x"));
	assert_false(state_valid_name("a/b"));
	assert_false(state_valid_name("a b"));
	assert_false(state_valid_name("caf\xc3\xa9"));
	assert_false(state_valid_name("a:b"));
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(state_valid_name(longname));
}

static void test_gen_name_unique(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	/* more names than the first random draws can usually find free: the
	 * numbered fallback must still give unique, valid names */
	const int n = 600;
	char **names = xcalloc((size_t)n + 1, sizeof(char *));
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	for (int i = 0; i < n; i++) {
		char *name = state_gen_name(f->s, "name/", &err);
		if (!name)
			fail_msg("state_gen_name: %s", err->msg);
		assert_true(state_valid_name(name));
		assert_non_null(strchr(name, '_'));
		cleanup_free char *k = xasprintf("name/%s", name);
		cleanup_free char *existing = get(f->s, STATE_DB, k);
		assert_null(existing);
		put(f->s, STATE_DB, k, "\"00\"");
		names[i] = name;
	}
	assert_int_equal(state_tx_commit(f->s, STATE_DB, &err), 0);
	cleanup_strv char **keys = NULL;
	size_t count = 0;
	assert_int_equal(state_keys(f->s, STATE_DB, "name/", &keys, &count, &err), 0);
	assert_int_equal(count, (size_t)n);
	strv_free(names);
}

static void test_refresh(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	/* same boot: no refresh, runtime records kept */
	put(f->s, STATE_RUN, "run/a", "{\"pid\":1}");
	put(f->s, STATE_DB, "ctr/a", "{}");
	state_close(f->s);
	f->s = store_fx_open(f);
	assert_false(state_needs_refresh(f->s));
	cleanup_free char *r1 = get(f->s, STATE_RUN, "run/a");
	assert_non_null(r1);

	/* a new boot: refresh needed; records stay until the caller is done */
	store_fx_boot_id(f, "22222222-2222-2222-2222-222222222222\n");
	state_close(f->s);
	f->s = store_fx_open(f);
	assert_true(state_needs_refresh(f->s));
	cleanup_free char *r2 = get(f->s, STATE_RUN, "run/a");
	assert_non_null(r2);
	put(f->s, STATE_RUN, "run/old", "{\"pid\":2}");
	state_close(f->s);
	f->s = store_fx_open(f);
	assert_true(state_needs_refresh(f->s));
	/* the caller resets a container: its new record survives the wipe */
	put(f->s, STATE_RUN, "run/b", "{\"state\":\"exited\"}");
	assert_int_equal(state_refresh_done(f->s, &err), 0);
	assert_false(state_needs_refresh(f->s));
	assert_null(get(f->s, STATE_RUN, "run/a"));
	assert_null(get(f->s, STATE_RUN, "run/old"));
	cleanup_free char *kept = get(f->s, STATE_RUN, "run/b");
	assert_string_equal(kept, "{\"state\":\"exited\"}");
	/* done once: later puts are plain puts, a second call is a no-op */
	assert_int_equal(state_refresh_done(f->s, &err), 0);
	cleanup_strv char **left = NULL;
	assert_int_equal(state_keys(f->s, STATE_RUN, "", &left, NULL, &err), 0);
	assert_int_equal(strv_len(left), 2);
	assert_string_equal(left[0], STATE_META_BOOT_ID);
	assert_string_equal(left[1], "run/b");
	cleanup_free char *c = get(f->s, STATE_DB, "ctr/a");
	assert_non_null(c);
	cleanup_free char *meta = get(f->s, STATE_RUN, STATE_META_BOOT_ID);
	assert_string_equal(meta, "\"22222222-2222-2222-2222-222222222222\"");
	state_close(f->s);
	f->s = store_fx_open(f);
	assert_false(state_needs_refresh(f->s));

	/* state.tdb gone (the runtime dir was emptied): refresh */
	state_close(f->s);
	cleanup_free char *st = path_join(f->runroot, "state.tdb");
	assert_int_equal(unlink(st), 0);
	f->s = store_fx_open(f);
	assert_true(state_needs_refresh(f->s));

	/* while one command refreshes, another one (a process of its own)
	 * waits for it, boundedly */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct state_store *other = NULL;
		struct burrow_err *e = NULL;
		state_close(f->s);
		state_set_wait_ms(200);
		if (state_open(f->root, f->runroot, &other, &e) == 0)
			_exit(10);
		_exit(e->status == ETIMEDOUT && strstr(e->msg, "refresh") ? 0 : 11);
	}
	int ws = 0;
	waitpid_eintr(pid, &ws, 0);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
	assert_int_equal(state_refresh_done(f->s, &err), 0);
	/* ... and once it is done, opens without a second refresh */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct state_store *other = NULL;
		state_close(f->s);
		if (state_open(f->root, f->runroot, &other, NULL) < 0)
			_exit(10);
		_exit(state_needs_refresh(other) ? 11 : 0);
	}
	waitpid_eintr(pid, &ws, 0);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);

	/* a missing boot ID file is an error that says so */
	struct state_store *other = NULL;
	state_close(f->s);
	f->s = NULL;
	unlink(f->bootfile);
	assert_int_equal(state_open(f->root, f->runroot, &other, &err), -1);
	assert_non_null(strstr(err->msg, "boot ID"));
	burrow_err_free(steal_ptr(err));
	store_fx_boot_id(f, "22222222-2222-2222-2222-222222222222");
	f->s = store_fx_open(f);
	assert_false(state_needs_refresh(f->s));
}

static void test_locks(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	const char *id = ID_A;
	int fd = state_lock(f->s, id, &err);
	assert_true(fd >= 0);
	/* a second lock (another open file, as another process would) waits
	 * and gives up, naming the container */
	state_set_wait_ms(150);
	int64_t t0 = now_ms();
	assert_int_equal(state_lock(f->s, id, &err), -1);
	assert_true(now_ms() - t0 >= 150);
	assert_int_equal(err->status, ETIMEDOUT);
	assert_non_null(strstr(err->msg, "container 4f3a1b2c3d4e"));
	assert_non_null(err->hint);
	burrow_err_free(steal_ptr(err));
	/* other containers are not blocked */
	int fd2 = state_lock(f->s, ID_B, &err);
	assert_true(fd2 >= 0);
	state_unlock(fd2);
	state_unlock(fd);
	fd = state_lock(f->s, id, &err);
	assert_true(fd >= 0);
	/* removing the lock file while holding it; the next taker gets a new one */
	state_unlock_remove(f->s, id, fd);
	cleanup_free char *lp = xasprintf("%s/locks/%s.lock", f->runroot, id);
	assert_int_equal(access(lp, F_OK), -1);
	fd = state_lock(f->s, id, &err);
	assert_true(fd >= 0);
	state_unlock(fd);
	state_set_wait_ms(30000);
	/* not an ID: refused, nothing created outside locks/ */
	assert_int_equal(state_lock(f->s, "../../etc", &err), -1);
	assert_int_equal(err->status, EINVAL);
	burrow_err_free(steal_ptr(err));
	state_unlock(-1);
}

/* Whether process pid has path open on another fd than skip (bounded: 5 s). */
static bool waits_on(pid_t pid, const char *path, int skip)
{
	int64_t deadline = now_ms() + 5000;
	while (now_ms() < deadline) {
		for (int fd = 0; fd < 64; fd++) {
			char link[64], target[4096];
			if (fd == skip)
				continue;
			snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strcmp(target, path) == 0)
				return true;
		}
		usleep(10000);
	}
	return false;
}

/* A taker that waited on a lock file its holder removed, while another
 * took the new file at that path, must not count the old file's lock as
 * the container's: it waits on the new one (here: until it gives up). */
static void test_lock_removed_while_waiting(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	const char *id = ID_A;
	cleanup_free char *lp = xasprintf("%s/locks/%s.lock", f->runroot, id);
	int old = state_lock(f->s, id, &err);
	assert_true(old >= 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the parent's (a flock belongs to the open file, shared); its
		 * number taken by another file, so the lock's open gets another */
		close(old);
		if (open("/dev/null", O_RDONLY | O_CLOEXEC) != old)
			_exit(3);
		state_set_wait_ms(2000);
		struct burrow_err *e = NULL;
		int fd = state_lock(f->s, id, &e);
		_exit(fd >= 0 ? 0 : e && e->status == ETIMEDOUT ? 1 : 2);
	}
	/* the waiter has the old file open itself (not only the fd it
	 * inherited, which it closes) */
	assert_true(waits_on(pid, lp, old));
	/* removed (as rm does) and taken anew by another, then the old let go */
	assert_int_equal(unlink(lp), 0);
	int cur = state_lock(f->s, id, &err);
	assert_true(cur >= 0);
	state_unlock(old);
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	state_unlock(cur);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1); /* it waited, and gave up: it never held it */
}

static void test_fs_types(void **state)
{
	struct store_fx *f = *state;
	int net = -1;
	assert_string_equal(state_fs_name(0x6969, &net), "nfs");
	assert_int_equal(net, 1);
	assert_string_equal(state_fs_name(0x0BD00BD0, &net), "lustre");
	assert_int_equal(net, 1);
	assert_string_equal(state_fs_name(0xFF534D42UL, &net), "cifs");
	assert_int_equal(net, 1);
	assert_string_equal(state_fs_name(0x47504653, &net), "gpfs");
	assert_int_equal(net, 1);
	assert_string_equal(state_fs_name(0xEF53, &net), "ext4");
	assert_int_equal(net, 0);
	assert_string_equal(state_fs_name(0x01021994, &net), "tmpfs");
	assert_int_equal(net, 0);
	/* sign-extended f_type (32-bit ABIs) still matches */
	assert_string_equal(state_fs_name((unsigned long)(long)(int32_t)0xFF534D42UL, &net), "cifs");
	assert_null(state_fs_name(0x12345678, &net));
	assert_int_equal(net, 0);

	/* a real directory: some known local filesystem here */
	net = -1;
	const char *t = state_fs_type(f->root, &net);
	assert_non_null(t);
	assert_int_equal(net, 0);
	assert_string_equal(state_fs_type("/proc/self", &net), "0x9fa0");
	assert_string_equal(state_fs_type("/nonexistent/x", &net), "unknown");

	/* the check state_open makes on a network filesystem */
	struct burrow_err *err = NULL;
	assert_int_equal(state_fs_check_magic("storage root", "/home/u/.local/share/burrow", 0x6969, "--root", &err),
	                 -1);
	assert_string_equal(err->msg, "storage root '/home/u/.local/share/burrow' is on a network filesystem (nfs), "
	                              "where file locks and fuse-overlayfs are unreliable");
	assert_non_null(err->hint);
	assert_non_null(strstr(err->hint, "--root"));
	assert_non_null(strstr(err->hint, "storage.root"));
	burrow_err_free(steal_ptr(err));
	assert_int_equal(state_fs_check_magic("storage root", "/x", 0xEF53, "--root", &err), 0);
	assert_null(err);
	assert_int_equal(state_fs_check("storage root", f->root, "--root", &err), 0);
}

/* The one translation of a filesystem's errno (state_fs_explain). */
static void test_fs_explain(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	assert_string_equal(state_fs_errno_lack(ENOLCK), "file locks");
	assert_non_null(strstr(state_fs_errno_lack(EOPNOTSUPP), "unnamed temporary files"));
	assert_null(state_fs_errno_lack(ENOENT));
	assert_null(state_fs_errno_lack(ENOSPC));

	/* no locks on a local filesystem: the type, what it lacks, how to move */
	burrow_error(&err, ENOLCK, "cannot lock '%s'", "/r/locks/x.lock");
	assert_int_equal(state_fs_explain_magic("lock file", "/r/locks/x.lock", 0x01021994, "--runroot", &err), -1);
	assert_string_equal(err->msg, "cannot lock '/r/locks/x.lock': No locks available (lock file '/r/locks/x.lock' "
	                              "is on tmpfs, which does not support file locks)");
	assert_non_null(strstr(err->hint, "--runroot"));
	burrow_err_free(steal_ptr(err));

	/* an unknown filesystem by its magic; the storage root's hint */
	burrow_error(&err, EOPNOTSUPP, "cannot create a temporary file in the layer store");
	assert_int_equal(state_fs_explain_magic("layer store", "/s/layers", 0x12345678, "--root", &err), -1);
	assert_non_null(
	    strstr(err->msg, "(layer store '/s/layers' is on 0x12345678, which does not support one of unnamed"));
	assert_non_null(strstr(err->hint, "storage.root"));
	burrow_err_free(steal_ptr(err));

	/* any error on a network filesystem says so */
	burrow_error(&err, EIO, "cannot open '%s'", "/home/u/burrow.tdb");
	assert_int_equal(state_fs_explain_magic("storage root", "/home/u/burrow.tdb", 0x6969, "--root", &err), -1);
	assert_string_equal(err->msg, "cannot open '/home/u/burrow.tdb': Input/output error (storage root "
	                              "'/home/u/burrow.tdb' is on a network filesystem, nfs)");
	assert_non_null(err->hint);
	burrow_err_free(steal_ptr(err));

	/* an error the filesystem has no part in is left alone */
	burrow_error(&err, ENOENT, "cannot open '%s'", "/x");
	assert_int_equal(state_fs_explain_magic("storage root", "/x", 0xEF53, "--root", &err), -1);
	assert_string_equal(err->msg, "cannot open '/x': No such file or directory");
	assert_null(err->hint);
	burrow_err_free(steal_ptr(err));

	/* the store's own directory here can hold a store */
	assert_null(state_fs_probe(f->root));
}

/* The type a mount has in /proc/self/mountinfo, by its device. */
static void test_fs_mountinfo(void **state)
{
	(void)state;
	const char *mi =
	    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	    "218 27 0:59 / /tmp/x/mnt rw,nosuid,nodev - fuse.fuse-overlayfs fuse-overlayfs rw,user_id=1001\n"
	    "30 22 0:5 / /dev rw master:2 unbindable - devtmpfs udev rw\n"
	    "31 22 0:590 / /odd rw - tmpfs none rw";
	cleanup_free char *a = state_fs_mountinfo_type(mi, 0, 59);
	assert_string_equal(a, "fuse.fuse-overlayfs");
	cleanup_free char *b = state_fs_mountinfo_type(mi, 8, 1);
	assert_string_equal(b, "ext4");
	/* optional fields before the separator; the last line without '\n' */
	cleanup_free char *c = state_fs_mountinfo_type(mi, 0, 5);
	assert_string_equal(c, "devtmpfs");
	cleanup_free char *d = state_fs_mountinfo_type(mi, 0, 590);
	assert_string_equal(d, "tmpfs");
	/* 0:5 is not 0:59 nor 0:590; a device no line has */
	assert_null(state_fs_mountinfo_type(mi, 0, 6));
	assert_null(state_fs_mountinfo_type("", 0, 59));
}

static void test_root_resolve(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	cleanup_free char *saved_xdg = getenv("XDG_DATA_HOME") ? xstrdup(getenv("XDG_DATA_HOME")) : NULL;
	cleanup_free char *saved_home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	char *out = NULL, *src = NULL;

	/* --root wins, and is created */
	cleanup_free char *opt = path_join(f->dir, "opt/root");
	setenv("XDG_DATA_HOME", f->dir, 1);
	assert_int_equal(state_root_resolve(opt, &out, &src, &err), 0);
	assert_string_equal(out, opt);
	assert_string_equal(src, "--root");
	struct stat st;
	assert_int_equal(stat(out, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	free(out);
	free(src);

	/* $XDG_DATA_HOME/burrow */
	assert_int_equal(state_root_resolve(NULL, &out, &src, &err), 0);
	cleanup_free char *want = path_join(f->dir, "burrow");
	assert_string_equal(out, want);
	assert_string_equal(src, "$XDG_DATA_HOME");
	free(out);
	free(src);

	/* ~/.local/share/burrow; a relative XDG_DATA_HOME is ignored */
	setenv("XDG_DATA_HOME", "relative/dir", 1);
	cleanup_free char *home = path_join(f->dir, "home");
	setenv("HOME", home, 1);
	assert_int_equal(state_root_resolve(NULL, &out, &src, &err), 0);
	cleanup_free char *want2 = path_join(home, ".local/share/burrow");
	assert_string_equal(out, want2);
	assert_non_null(strstr(src, "default"));
	free(out);
	free(src);

	/* a root that cannot be created */
	cleanup_free char *file = path_join(f->dir, "afile");
	assert_int_equal(write_file(file, "x", 1, 0600, &err), 0);
	cleanup_free char *bad = path_join(file, "sub");
	assert_int_equal(state_root_resolve(bad, &out, &src, &err), -1);
	assert_non_null(strstr(err->msg, "storage root"));
	burrow_err_free(steal_ptr(err));

	if (saved_xdg)
		setenv("XDG_DATA_HOME", saved_xdg, 1);
	else
		unsetenv("XDG_DATA_HOME");
	if (saved_home)
		setenv("HOME", saved_home, 1);
	else
		unsetenv("HOME");
}

/* A file that is not a database is reported, never overwritten. */
static void test_damaged_file_kept(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	state_close(f->s);
	f->s = NULL;
	cleanup_free char *db = path_join(f->root, "burrow.tdb");
	const char junk[] = "this is not a tdb file, but it is somebody's data\n";
	assert_int_equal(write_file(db, junk, sizeof(junk) - 1, 0600, &err), 0);
	struct state_store *s = NULL;
	assert_int_equal(state_open(f->root, f->runroot, &s, &err), -1);
	assert_null(s);
	assert_int_equal(err->status, EIO);
	assert_non_null(strstr(err->msg, "burrow.tdb': not a database, or a damaged one"));
	assert_non_null(err->hint);
	assert_non_null(strstr(err->hint, "tdbtool"));
	burrow_err_free(steal_ptr(err));
	cleanup_free char *after = NULL;
	assert_int_equal(read_file(db, &after, NULL, &err), 0);
	assert_string_equal(after, junk);

	/* an empty file is damage too, never a new database that forgets
	 * every image and container */
	assert_int_equal(write_file(db, "", 0, 0600, &err), 0);
	assert_int_equal(state_open(f->root, f->runroot, &s, &err), -1);
	assert_int_equal(err->status, EIO);
	assert_non_null(strstr(err->msg, "burrow.tdb': not a database, or a damaged one (the file is empty)"));
	assert_non_null(strstr(err->hint, "tdbtool"));
	burrow_err_free(steal_ptr(err));
	struct stat st;
	assert_int_equal(stat(db, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(unlink(db), 0);
	f->s = store_fx_open(f);
	put(f->s, STATE_DB, "ctr/a", "{}");

	/* state.tdb damaged: the hint says what removing it costs */
	state_close(f->s);
	f->s = NULL;
	cleanup_free char *run = path_join(f->runroot, "state.tdb");
	assert_int_equal(write_file(run, junk, sizeof(junk) - 1, 0600, &err), 0);
	assert_int_equal(state_open(f->root, f->runroot, &s, &err), -1);
	assert_non_null(strstr(err->msg, "state.tdb"));
	assert_non_null(strstr(err->hint, "reboot"));
	burrow_err_free(steal_ptr(err));
	assert_int_equal(write_file(run, "", 0, 0600, &err), 0);
	assert_int_equal(state_open(f->root, f->runroot, &s, &err), -1);
	assert_non_null(strstr(err->msg, "state.tdb': not a database, or a damaged one (the file is empty)"));
	assert_non_null(strstr(err->hint, "reboot"));
	burrow_err_free(steal_ptr(err));
	assert_int_equal(unlink(run), 0);
	f->s = store_fx_open(f);
	assert_true(state_needs_refresh(f->s));
	cleanup_free char *a = get(f->s, STATE_DB, "ctr/a");
	assert_non_null(a);
}

/* Overwrites len bytes of path at off with b. */
static void scribble(const char *path, off_t off, size_t len, unsigned char b)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	unsigned char *buf = xmalloc(len);
	memset(buf, b, len);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	free(buf);
}

/* Every way a damaged file shows up names the file, says that it is
 * damaged and how to go on: an open that fails, or a read or walk that
 * fails later. */
static void assert_damaged(struct burrow_err *err, const char *file, const char *hint_word)
{
	assert_non_null(err);
	assert_int_equal(err->status, EIO);
	assert_non_null(strstr(err->msg, file));
	if (!strstr(err->msg, "the file is damaged") && !strstr(err->msg, "not a database, or a damaged one"))
		fail_msg("not reported as damage: %s", err->msg);
	assert_non_null(err->hint);
	assert_non_null(strstr(err->hint, hint_word));
}

/* Opens the store and reads a key and walks, expecting the damage to show
 * at one of those steps. */
static void expect_damage(struct store_fx *f, const char *file, const char *hint_word)
{
	struct burrow_err *err = NULL;
	struct state_store *s = NULL;
	if (state_open(f->root, f->runroot, &s, &err) < 0) {
		assert_damaged(err, file, hint_word);
		burrow_err_free(err);
		return;
	}
	enum state_db db = strcmp(file, "state.tdb") == 0 ? STATE_RUN : STATE_DB;
	cleanup_free char *json = NULL;
	int r = state_get(s, db, db == STATE_RUN ? "run/a" : "ctr/a", &json, &err);
	if (r >= 0) {
		cleanup_strv char **keys = NULL;
		r = state_keys(s, db, "", &keys, NULL, &err);
	}
	assert_int_equal(r, -1);
	assert_damaged(err, file, hint_word);
	burrow_err_free(err);
	state_close(s);
}

/* Hash chains that point past the end, and a file cut short: "the file is
 * damaged" (not a bare "i/o error"), with the fix. */
static void test_damaged_chains_and_truncation(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	char big[300000];
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(f->s, STATE_DB, "ctr/a", "{\"name\":\"web\"}");
	put(f->s, STATE_DB, "ctr/big", big);
	put(f->s, STATE_RUN, "run/a", "{\"pid\":1}");
	state_close(f->s);
	f->s = NULL;
	cleanup_free char *db = path_join(f->root, "burrow.tdb");
	cleanup_free char *run = path_join(f->runroot, "state.tdb");
	cleanup_free char *good = path_join(f->dir, "good.tdb");
	cleanup_free char *goodrun = path_join(f->dir, "goodrun.tdb");
	cleanup_free char *text = NULL;
	size_t len = 0;
	assert_int_equal(read_file(db, &text, &len, &err), 0);
	assert_int_equal(write_file(good, text, len, 0600, &err), 0);
	cleanup_free char *runtext = NULL;
	size_t runlen = 0;
	assert_int_equal(read_file(run, &runtext, &runlen, &err), 0);
	assert_int_equal(write_file(goodrun, runtext, runlen, 0600, &err), 0);

	/* every hash chain head (after tdb's 168-byte header and the free
	 * list head) points at 0x7fffffff */
	const off_t chains = 168 + 4;
	const size_t chains_len = 4 * 4099;
	scribble(db, chains, chains_len, 0x7f);
	expect_damage(f, "burrow.tdb", "tdbtool");

	/* cut short in the middle of the big record */
	assert_int_equal(write_file(db, text, len, 0600, &err), 0);
	assert_int_equal(truncate(db, (off_t)(len / 2)), 0);
	expect_damage(f, "burrow.tdb", "tdbtool");

	/* state.tdb: the hint says that removing it resets the containers */
	assert_int_equal(write_file(db, text, len, 0600, &err), 0);
	scribble(run, chains, chains_len, 0x7f);
	expect_damage(f, "state.tdb", "reboot");
	assert_int_equal(write_file(run, runtext, runlen, 0600, &err), 0);

	/* the undamaged copies still read fine */
	f->s = store_fx_open(f);
	cleanup_free char *a = get(f->s, STATE_DB, "ctr/a");
	assert_string_equal(a, "{\"name\":\"web\"}");
}

/* A commit the disk refuses (here: the file may not grow past its size,
 * RLIMIT_FSIZE, with SIGXFSZ ignored) fails with the reason, and nothing of
 * the transaction is stored; the file stays sound and takes the next one. */
/* The file size capped at size (writes past it fail with EFBIG, SIGXFSZ
 * ignored), and the old limit and handler put back. */
struct fsize_cap {
	struct rlimit old;
	struct sigaction old_sa;
};

static void fsize_cap(struct fsize_cap *c, off_t size)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	assert_int_equal(sigaction(SIGXFSZ, &ign, &c->old_sa), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &c->old), 0);
	struct rlimit lim = c->old;
	lim.rlim_cur = (rlim_t)size;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
}

static void fsize_uncap(struct fsize_cap *c)
{
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &c->old), 0);
	assert_int_equal(sigaction(SIGXFSZ, &c->old_sa, NULL), 0);
}

/* A 2 MiB value, more than the file can grow by under the cap. */
static char *big_value(void)
{
	size_t n = 2 * 1024 * 1024;
	char *big = xmalloc(n);
	memset(big, 'b', n - 1);
	big[n - 1] = '\0';
	return big;
}

/* ctr/a stored, then the file capped at its size now. */
static void cap_after_one(struct store_fx *f, struct fsize_cap *cap)
{
	put(f->s, STATE_DB, "ctr/a", "{\"name\":\"before\"}");
	cleanup_free char *db = path_join(f->root, "burrow.tdb");
	struct stat st;
	assert_int_equal(stat(db, &st), 0);
	fsize_cap(cap, st.st_size);
}

/* r and err say the commit failed (the file too large), and nothing of
 * it landed: ctr/a as before, no new keys, a sound file; the same after
 * a reopen (what another process sees). */
static void nothing_landed(struct store_fx *f, int r, struct burrow_err *err)
{
	assert_int_equal(r, -1);
	assert_non_null(err);
	assert_int_equal(err->status, EFBIG);
	assert_non_null(strstr(err->msg, "cannot commit a transaction in '"));
	assert_non_null(strstr(err->msg, "burrow.tdb': File too large"));
	burrow_err_free(steal_ptr(err));

	cleanup_free char *a = get(f->s, STATE_DB, "ctr/a");
	assert_string_equal(a, "{\"name\":\"before\"}");
	assert_null(get(f->s, STATE_DB, "ctr/big"));
	assert_null(get(f->s, STATE_DB, "name/x"));
	assert_int_equal(state_verify(f->s, &err), 0);
	state_close(f->s);
	f->s = store_fx_open(f);
	cleanup_free char *a2 = get(f->s, STATE_DB, "ctr/a");
	assert_string_equal(a2, "{\"name\":\"before\"}");
	assert_null(get(f->s, STATE_DB, "ctr/big"));
	assert_int_equal(state_verify(f->s, &err), 0);
}

static void test_failed_commit(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	struct fsize_cap cap;
	cap_after_one(f, &cap);
	char *big = big_value();
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	put(f->s, STATE_DB, "ctr/a", "{\"name\":\"changed\"}");
	put(f->s, STATE_DB, "ctr/big", big);
	put(f->s, STATE_DB, "name/x", "\"a\"");
	int r = state_tx_commit(f->s, STATE_DB, &err);
	fsize_uncap(&cap);
	free(big);
	nothing_landed(f, r, err);
	/* and the next transaction goes through */
	err = NULL;
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	put(f->s, STATE_DB, "name/x", "\"a\"");
	assert_int_equal(state_tx_commit(f->s, STATE_DB, &err), 0);
	cleanup_free char *x = get(f->s, STATE_DB, "name/x");
	assert_string_equal(x, "\"a\"");
}

/* A change outside a transaction is one of its own: when its commit fails,
 * the change fails too, and nothing of it landed. */
static void test_failed_commit_single(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	struct fsize_cap cap;
	cap_after_one(f, &cap);
	char *big = big_value();
	int r = state_put(f->s, STATE_DB, "ctr/big", big, &err);
	fsize_uncap(&cap);
	free(big);
	nothing_landed(f, r, err);
}

struct counter {
	size_t n;
	size_t bytes;
};

static int count_cb(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)key;
	(void)err;
	struct counter *c = data;
	c->n++;
	c->bytes += strlen(json);
	return 0;
}

/* ps -a with 1000 containers: the walk must stay linear and quick. */
static void test_each_1000_fast(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	char pad[1500];
	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	assert_int_equal(state_tx_begin(f->s, STATE_RUN, &err), 0);
	for (int i = 0; i < 1000; i++) {
		cleanup_free char *id = state_new_id();
		cleanup_free char *k = xasprintf("ctr/%s", id);
		cleanup_free char *v = xasprintf("{\"id\":\"%s\",\"pad\":\"%s\"}", id, pad);
		cleanup_free char *nk = xasprintf("name/n%d", i);
		cleanup_free char *nv = xasprintf("\"%s\"", id);
		cleanup_free char *rk = xasprintf("run/%s", id);
		put(f->s, STATE_DB, k, v);
		put(f->s, STATE_DB, nk, nv);
		put(f->s, STATE_RUN, rk, "{\"state\":\"exited\",\"exit_code\":0}");
	}
	assert_int_equal(state_tx_commit(f->s, STATE_RUN, &err), 0);
	assert_int_equal(state_tx_commit(f->s, STATE_DB, &err), 0);
	state_close(f->s);

	int64_t a = now_ns();
	f->s = store_fx_open(f);
	struct counter c = {0, 0}, r = {0, 0};
	assert_int_equal(state_each(f->s, STATE_DB, "ctr/", count_cb, &c, &err), 0);
	assert_int_equal(state_each(f->s, STATE_RUN, "run/", count_cb, &r, &err), 0);
	double ms = (double)(now_ns() - a) / 1e6;
	assert_int_equal(c.n, 1000);
	assert_int_equal(r.n, 1000);
	print_message("open + walk of 1000 containers and their runtime records: %.2f ms\n", ms);
	/* generous, for slow CI machines and sanitizers; typically ~2 ms */
	assert_true(ms < 250.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_records_round_trip, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_each_sorted_prefix, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_each_callback_may_write, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_transactions, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_transaction_wait_bounded, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_lookup, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_lookup_rm_file, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_rm_file_per_boot, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_rm_file_machine, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_rm_file_shared, setup, store_fx_teardown),
	    cmocka_unit_test(test_rm_host_part),
	    cmocka_unit_test(test_rm_file_kind),
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_valid_name),
	    cmocka_unit_test_setup_teardown(test_gen_name_unique, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_refresh, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_locks, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_lock_removed_while_waiting, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_fs_types, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_fs_explain, setup, store_fx_teardown),
	    cmocka_unit_test(test_fs_mountinfo),
	    cmocka_unit_test_setup_teardown(test_root_resolve, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_file_kept, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_chains_and_truncation, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_failed_commit, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_failed_commit_single, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_each_1000_fast, setup, store_fx_teardown),
	};
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
