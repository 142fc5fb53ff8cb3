/* Crash test for state/: a writer that keeps an invariant in the TDB files
 * through multi-record transactions, and a checker that reopens the files
 * after the writer was killed (tdb recovery runs at open) and verifies it.
 *
 *   state-crash run ROOT RUNROOT [READY_FILE]  writes until killed
 *   state-crash run-notx ROOT RUNROOT [READY]  the same without transactions
 *   state-crash check ROOT RUNROOT             verifies; exit 0 when sound
 *   state-crash watch ROOT RUNROOT SECONDS     checks live, next to writers
 *   state-crash break ROOT RUNROOT             breaks the invariant on purpose
 *
 * The invariant, in each file: every pair record p/<id> = {"id","name"} has
 * exactly one pn/<name> = "<id>" and vice versa; crash/count equals the
 * number of pairs; crash/blob = {"n":N,"fill":"x" * N*37} (rewritten by
 * single puts outside any transaction). crash/txs counts committed
 * transactions, so the caller can see progress between kills. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

#define MAX_PAIRS 120
#define BLOB_UNIT 37

/* run-notx: the same changes without transactions, as a control that
 * shows the kills land in the middle of multi-record changes. */
static bool use_tx = true;

static const char *const dbname[STATE_NDB] = {"burrow.tdb", "state.tdb", "rm.tdb"};

static uint32_t rnd(uint32_t n)
{
	uint32_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		abort();
	return n ? r % n : r;
}

static int die(struct burrow_err *err, const char *what)
{
	fprintf(stderr, "state-crash: %s: %s\n", what, err ? err->msg : "failed");
	if (err && err->hint)
		fprintf(stderr, "hint: %s\n", err->hint);
	return 1;
}

/* An integer record; 0 when missing. */
static int get_int(struct state_store *s, enum state_db db, const char *key, long long *out, struct burrow_err **err)
{
	cleanup_free char *json = NULL;
	int r = state_get(s, db, key, &json, err);
	if (r < 0)
		return -1;
	*out = 0;
	if (r == 1)
		return 0;
	if (str_to_ll(json, 0, 1LL << 60, out) < 0)
		return burrow_error(err, 0, "record '%s' in %s is not a count: '%s'", key, dbname[db], json);
	return 0;
}

static int put_int(struct state_store *s, enum state_db db, const char *key, long long v, struct burrow_err **err)
{
	cleanup_free char *json = xasprintf("%lld", v);
	return state_put(s, db, key, json, err);
}

static char *new_name(struct state_store *s, enum state_db db, struct burrow_err **err)
{
	if (db == STATE_DB)
		return state_gen_name(s, "pn/", err);
	/* state_gen_name looks in burrow.tdb: for state.tdb make our own */
	for (;;) {
		char *name = xasprintf("n%08x", rnd(0));
		cleanup_free char *key = xasprintf("pn/%s", name);
		cleanup_free char *json = NULL;
		int r = state_get(s, db, key, &json, err);
		if (r == 1)
			return name;
		free(name);
		if (r < 0)
			return NULL;
	}
}

static int pair_name(struct state_store *s, enum state_db db, const char *key, char **name, struct burrow_err **err)
{
	cleanup_free char *json = NULL;
	if (state_get(s, db, key, &json, err) != 0)
		return burrow_error(err, 0, "'%s' vanished in %s", key, dbname[db]);
	cleanup_yajl yajl_val v = json_parse(json, err);
	if (!v || !json_get_str(v, "name"))
		return burrow_error(err, 0, "'%s' in %s has no name", key, dbname[db]);
	*name = xstrdup(json_get_str(v, "name"));
	return 0;
}

static int put_pair(struct state_store *s, enum state_db db, const char *id, const char *name, long long seq,
                    struct burrow_err **err)
{
	cleanup_free char *k = xasprintf("p/%s", id);
	cleanup_free char *v = xasprintf("{\"id\":\"%s\",\"name\":\"%s\",\"seq\":%lld}", id, name, seq);
	cleanup_free char *nk = xasprintf("pn/%s", name);
	cleanup_free char *nv = xasprintf("\"%s\"", id);
	if (state_put(s, db, k, v, err) < 0 || state_put(s, db, nk, nv, err) < 0)
		return -1;
	return 0;
}

/* One multi-record transaction: add, remove or rename a pair. */
static int one_tx(struct state_store *s, enum state_db db, struct burrow_err **err)
{
	long long count = 0, txs = 0;
	if (use_tx && state_tx_begin(s, db, err) < 0)
		return -1;
	if (get_int(s, db, "crash/count", &count, err) < 0 || get_int(s, db, "crash/txs", &txs, err) < 0)
		goto fail;
	uint32_t op = rnd(10);
	if (count == 0 || (count < MAX_PAIRS && op < 5)) {
		cleanup_free char *id = state_new_id();
		cleanup_free char *name = new_name(s, db, err);
		if (!name || put_pair(s, db, id, name, txs, err) < 0)
			goto fail;
		count++;
	} else {
		cleanup_strv char **keys = NULL;
		size_t n = 0;
		if (state_keys(s, db, "p/", &keys, &n, err) < 0)
			goto fail;
		if ((long long)n != count) {
			burrow_error(err, 0, "count %lld but %zu pairs in %s", count, n, dbname[db]);
			goto fail;
		}
		const char *key = keys[rnd((uint32_t)n)];
		cleanup_free char *name = NULL;
		if (pair_name(s, db, key, &name, err) < 0)
			goto fail;
		cleanup_free char *nk = xasprintf("pn/%s", name);
		if (state_del(s, db, nk, err) < 0)
			goto fail;
		if (op < 8) {
			if (state_del(s, db, key, err) < 0)
				goto fail;
			count--;
		} else {
			cleanup_free char *newname = new_name(s, db, err);
			if (!newname || put_pair(s, db, key + 2, newname, txs, err) < 0)
				goto fail;
		}
	}
	if (put_int(s, db, "crash/count", count, err) < 0 || put_int(s, db, "crash/txs", txs + 1, err) < 0)
		goto fail;
	return use_tx ? state_tx_commit(s, db, err) : 0;
fail:
	state_tx_cancel(s, db);
	return -1;
}

/* A single put outside a transaction: must land whole, too. */
static int put_blob(struct state_store *s, enum state_db db, struct burrow_err **err)
{
	uint32_t n = rnd(300);
	size_t len = (size_t)n * BLOB_UNIT;
	cleanup_free char *fill = xmalloc(len + 1);
	memset(fill, 'x', len);
	fill[len] = '\0';
	cleanup_free char *json = xasprintf("{\"n\":%u,\"fill\":\"%s\"}", n, fill);
	return state_put(s, db, "crash/blob", json, err);
}

static int open_store(const char *root, const char *runroot, struct state_store **s, struct burrow_err **err)
{
	if (mkdir_p(root, 0700, err) < 0 || mkdir_p(runroot, 0700, err) < 0)
		return -1;
	if (state_open(root, runroot, s, err) < 0)
		return -1;
	if (state_needs_refresh(*s) && state_refresh_done(*s, err) < 0) {
		state_close(*s);
		return -1;
	}
	return 0;
}

static int do_run(const char *root, const char *runroot, const char *ready)
{
	cleanup_err struct burrow_err *err = NULL;
	struct state_store *s = NULL;
	if (open_store(root, runroot, &s, &err) < 0)
		return die(err, "open");
	for (unsigned long i = 0;; i++) {
		for (int db = 0; db < STATE_NDB; db++) {
			if (one_tx(s, (enum state_db)db, &err) < 0) {
				state_close(s);
				return die(err, "transaction");
			}
			if (i % 3 == 0 && put_blob(s, (enum state_db)db, &err) < 0) {
				state_close(s);
				return die(err, "single put");
			}
		}
		if (i == 0 && ready && write_file(ready, "1\n", 2, 0600, &err) < 0) {
			state_close(s);
			return die(err, "ready file");
		}
		/* fcntl locks are not fair: a writer that takes the lock again
		 * at once can starve the other one for seconds on a loaded
		 * machine (its first commit, the ready file, never came) */
		nanosleep(&(struct timespec){.tv_nsec = 200 * 1000}, NULL);
	}
}

struct check_ctx {
	struct state_store *s;
	enum state_db db;
	size_t n;
};

static int check_pair(const char *key, const char *json, void *data, struct burrow_err **err)
{
	struct check_ctx *c = data;
	cleanup_yajl yajl_val v = json_parse(json, err);
	if (!v)
		return burrow_error_wrap(err, "'%s' in %s", key, dbname[c->db]);
	const char *id = json_get_str(v, "id");
	const char *name = json_get_str(v, "name");
	if (!id || !name || strcmp(id, key + 2) != 0)
		return burrow_error(err, 0, "'%s' in %s has a wrong id or no name: %s", key, dbname[c->db], json);
	cleanup_free char *nk = xasprintf("pn/%s", name);
	cleanup_free char *nv = NULL;
	if (state_get(c->s, c->db, nk, &nv, err) != 0)
		return burrow_error(err, 0, "'%s' in %s names '%s', but '%s' is missing", key, dbname[c->db], name, nk);
	cleanup_free char *want = xasprintf("\"%s\"", id);
	if (strcmp(nv, want) != 0)
		return burrow_error(err, 0, "'%s' in %s holds %s, not %s", nk, dbname[c->db], nv, want);
	c->n++;
	return 0;
}

static int check_name(const char *key, const char *json, void *data, struct burrow_err **err)
{
	struct check_ctx *c = data;
	cleanup_yajl yajl_val v = json_parse(json, err);
	if (!v || !YAJL_IS_STRING(v))
		return burrow_error(err, 0, "'%s' in %s does not hold an ID: %s", key, dbname[c->db], json);
	cleanup_free char *pk = xasprintf("p/%s", YAJL_GET_STRING(v));
	cleanup_free char *pair = NULL;
	if (state_get(c->s, c->db, pk, &pair, err) != 0)
		return burrow_error(err, 0, "'%s' in %s points at '%s', which is missing", key, dbname[c->db], pk);
	cleanup_yajl yajl_val pv = json_parse(pair, err);
	const char *name = pv ? json_get_str(pv, "name") : NULL;
	if (!name || strcmp(name, key + 3) != 0)
		return burrow_error(err, 0, "'%s' in %s points at '%s', which has another name", key, dbname[c->db],
		                    pk);
	c->n++;
	return 0;
}

static int check_db(struct state_store *s, enum state_db db, long long *pairs, long long *txs, struct burrow_err **err)
{
	struct check_ctx pc = {s, db, 0}, nc = {s, db, 0};
	if (state_each(s, db, "p/", check_pair, &pc, err) < 0 || state_each(s, db, "pn/", check_name, &nc, err) < 0)
		return -1;
	long long count = 0;
	if (get_int(s, db, "crash/count", &count, err) < 0 || get_int(s, db, "crash/txs", txs, err) < 0)
		return -1;
	if (pc.n != nc.n || (long long)pc.n != count)
		return burrow_error(err, 0, "%s: %zu pairs, %zu names, count %lld", dbname[db], pc.n, nc.n, count);
	cleanup_free char *blob = NULL;
	int r = state_get(s, db, "crash/blob", &blob, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		cleanup_yajl yajl_val v = json_parse(blob, err);
		if (!v)
			return burrow_error_wrap(err, "crash/blob in %s", dbname[db]);
		const char *fill = json_get_str(v, "fill");
		long long n = json_get_int(v, "n", -1);
		if (!fill || n < 0 || strlen(fill) != (size_t)n * BLOB_UNIT || strspn(fill, "x") != strlen(fill))
			return burrow_error(err, 0, "crash/blob in %s is torn (n=%lld, %zu bytes)", dbname[db], n,
			                    fill ? strlen(fill) : 0);
	}
	*pairs = count;
	return 0;
}

static int do_check(const char *root, const char *runroot)
{
	cleanup_err struct burrow_err *err = NULL;
	struct state_store *s = NULL;
	if (open_store(root, runroot, &s, &err) < 0)
		return die(err, "open");
	long long pairs[STATE_NDB], txs[STATE_NDB];
	int rc = 0;
	if (state_verify(s, &err) < 0)
		rc = die(err, "structure");
	for (int db = 0; rc == 0 && db < STATE_NDB; db++)
		if (check_db(s, (enum state_db)db, &pairs[db], &txs[db], &err) < 0)
			rc = die(err, "invariant");
	state_close(s);
	if (rc == 0)
		printf(
		    "ok: burrow.tdb %lld pairs after %lld transactions, state.tdb %lld pairs after %lld transactions, "
		    "rm.tdb %lld pairs after %lld transactions\n",
		    pairs[0], txs[0], pairs[1], txs[1], pairs[2], txs[2]);
	return rc;
}

static int count_cb(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)key;
	if (!json || json[0] != '{')
		return burrow_error(err, 0, "'%s' holds no object: %s", key, json ? json : "(null)");
	(*(size_t *)data)++;
	return 0;
}

/* Checks the invariant over and over while writers run: every check sees
 * one snapshot (a transaction of its own, cancelled), and plain walks
 * between them must neither block for good nor see torn records. */
static int do_watch(const char *root, const char *runroot, const char *secs)
{
	cleanup_err struct burrow_err *err = NULL;
	struct state_store *s = NULL;
	long long limit = 0;
	if (str_to_ll(secs, 1, 3600, &limit) < 0) {
		fprintf(stderr, "state-crash: bad seconds '%s'\n", secs);
		return 2;
	}
	if (open_store(root, runroot, &s, &err) < 0)
		return die(err, "open");
	time_t end = time(NULL) + limit;
	unsigned long checks = 0, walks = 0;
	int rc = 0;
	while (rc == 0 && time(NULL) < end) {
		for (int db = 0; rc == 0 && db < STATE_NDB; db++) {
			long long pairs = 0, txs = 0;
			if (state_tx_begin(s, (enum state_db)db, &err) < 0) {
				rc = die(err, "snapshot");
				break;
			}
			if (check_db(s, (enum state_db)db, &pairs, &txs, &err) < 0)
				rc = die(err, "invariant (live)");
			state_tx_cancel(s, (enum state_db)db);
			checks++;
			size_t n = 0;
			if (rc == 0 && state_each(s, (enum state_db)db, "p/", count_cb, &n, &err) < 0)
				rc = die(err, "walk");
			walks++;
		}
	}
	state_close(s);
	if (rc == 0)
		printf("ok: %lu snapshot checks, %lu walks\n", checks, walks);
	return rc;
}

static int do_break(const char *root, const char *runroot)
{
	cleanup_err struct burrow_err *err = NULL;
	struct state_store *s = NULL;
	if (open_store(root, runroot, &s, &err) < 0)
		return die(err, "open");
	int rc = state_put(s, STATE_DB, "pn/orphan", "\"00\"", &err) < 0 ? die(err, "put") : 0;
	state_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr,
		        "usage: state-crash run|run-notx|check|watch|break ROOT RUNROOT [READY_FILE|SECONDS]\n");
		return 2;
	}
	if (getenv("STATE_CRASH_DEBUG"))
		burrow_log_level = BURROW_LOG_DEBUG;
	if (strcmp(argv[1], "run-notx") == 0) {
		use_tx = false;
		return do_run(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
	}
	if (strcmp(argv[1], "run") == 0)
		return do_run(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
	if (strcmp(argv[1], "check") == 0)
		return do_check(argv[2], argv[3]);
	if (strcmp(argv[1], "watch") == 0 && argc > 4)
		return do_watch(argv[2], argv[3], argv[4]);
	if (strcmp(argv[1], "break") == 0)
		return do_break(argv[2], argv[3]);
	fprintf(stderr, "state-crash: unknown mode '%s'\n", argv[1]);
	return 2;
}
