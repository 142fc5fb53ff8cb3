#include "container/record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

/* The keys: ctr/<id> and name/<name> in burrow.tdb (a --rm container's in
 * this boot's --rm file: config_db), run/<id> in state.tdb. */
#define KEY_CONFIG "ctr/"
#define KEY_NAME "name/"
#define KEY_RUN "run/"

static char *config_key(const char *id)
{
	return xasprintf(KEY_CONFIG "%s", id);
}

static char *name_key(const char *name)
{
	return xasprintf(KEY_NAME "%s", name);
}

static char *run_key(const char *id)
{
	return xasprintf(KEY_RUN "%s", id);
}

/* Where c's ctr/ and name/ records are (*db). A --rm container's go to
 * this boot's --rm file, whose transactions skip the fsyncs (state.h): it
 * is removed at its end and must not outlive the boot, and the fsyncs of
 * two transactions on burrow.tdb were most of a `run --rm` on a loaded
 * disk (ARCHITECTURE.md, Records). The file is in the storage root: the
 * container outlives its runtime dir as any other does. One that an older
 * burrow stored in burrow.tdb stays there: a second copy in the --rm file
 * would be listed twice, make its ID prefix ambiguous, and be shadowed by
 * the first when loaded. 0 or -1. */
static int config_db(struct state_store *s, const struct ctr_config *c, enum state_db *db, struct burrow_err **err)
{
	*db = STATE_DB;
	if (!c->rm)
		return 0;
	cleanup_free char *key = config_key(c->id);
	int r = state_has(s, STATE_DB, key, err);
	if (r < 0)
		return -1;
	if (r == 0)
		*db = STATE_RM;
	return 0;
}

static const char *const state_names[] = {
    [CTR_CONFIGURED] = "configured", [CTR_CREATED] = "created",   [CTR_RUNNING] = "running",
    [CTR_PAUSED] = "paused",         [CTR_STOPPING] = "stopping", [CTR_STOPPED] = "stopped",
    [CTR_EXITED] = "exited",         [CTR_REMOVING] = "removing", [CTR_UNKNOWN] = "unknown",
};

const char *ctr_state_name(enum ctr_state s)
{
	return (unsigned)s <= CTR_UNKNOWN ? state_names[s] : "unknown";
}

const char *ctr_config_image(const struct ctr_config *c)
{
	return c->image_resolved ? c->image_resolved : c->image_name ? c->image_name : "";
}

const char *ctr_state_word(enum ctr_state s)
{
	switch (s) {
	case CTR_CONFIGURED:
		return "created";
	case CTR_CREATED:
		return "initialized";
	case CTR_STOPPED:
		return "exited";
	default:
		return ctr_state_name(s);
	}
}

enum ctr_state ctr_state_parse(const char *s)
{
	for (unsigned i = 0; s && i <= CTR_UNKNOWN; i++)
		if (strcmp(state_names[i], s) == 0)
			return (enum ctr_state)i;
	return CTR_UNKNOWN;
}

#define B(st) (1u << CTR_##st)
static const unsigned transitions[] = {
    [CTR_CONFIGURED] = B(CREATED) | B(REMOVING),
    [CTR_CREATED] = B(RUNNING) | B(STOPPING) | B(STOPPED) | B(EXITED) | B(REMOVING),
    [CTR_RUNNING] = B(PAUSED) | B(STOPPING) | B(STOPPED),
    [CTR_PAUSED] = B(RUNNING) | B(STOPPING) | B(STOPPED),
    [CTR_STOPPING] = B(STOPPED) | B(RUNNING) | B(PAUSED),
    [CTR_STOPPED] = B(EXITED) | B(REMOVING),
    [CTR_EXITED] = B(CREATED) | B(REMOVING),
    [CTR_REMOVING] = B(EXITED),
    [CTR_UNKNOWN] = B(STOPPED) | B(EXITED) | B(REMOVING),
};
#undef B

int ctr_state_check(const char *name, enum ctr_state from, enum ctr_state to, struct burrow_err **err)
{
	if (from == to ||
	    ((unsigned)from <= CTR_UNKNOWN && (unsigned)to < CTR_UNKNOWN && (transitions[from] & (1u << to))))
		return 0;
	return burrow_error_status(err, EINVAL, "container '%s' is %s: it cannot become %s", str_quote(name),
	                           ctr_state_word(from), ctr_state_word(to));
}

/* ---- one field of each kind: out to JSON, in from JSON, cleared ---- */

static void put_STR(yajl_gen g, const char *k, const char *v)
{
	jg_key_str(g, k, v);
}
static void put_STRV(yajl_gen g, const char *k, char *const *v)
{
	jg_key_strv(g, k, v);
}
static void put_INT(yajl_gen g, const char *k, long long v)
{
	jg_key_int(g, k, v);
}
static void put_BOOL(yajl_gen g, const char *k, bool v)
{
	jg_key_bool(g, k, v);
}
static void put_STATE(yajl_gen g, const char *k, enum ctr_state v)
{
	jg_key_str(g, k, ctr_state_name(v));
}
#define put_I32 put_INT
#define put_UINT put_INT
#define put_PID put_INT
#define put_U64(g, k, v) put_INT(g, k, (long long)(v))

static char *get_STR(yajl_val v)
{
	return v && YAJL_IS_STRING(v) ? xstrdup(YAJL_GET_STRING(v)) : NULL;
}
static char **get_STRV(yajl_val v)
{
	return json_strv(v);
}
static long long get_INT(yajl_val v)
{
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}
static bool get_BOOL(yajl_val v)
{
	return v && YAJL_IS_TRUE(v);
}
static enum ctr_state get_STATE(yajl_val v)
{
	return ctr_state_parse(v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL);
}
/* NULL when v (absent or null: a field an older burrow did not write) can
 * be that kind, else what it should have been: a field of another type is
 * a record that cannot be read, never a default taken in silence (a lost
 * cap_drop or read_only would run the container with more than asked). */
static const char *bad_STR(yajl_val v)
{
	return !v || YAJL_IS_NULL(v) || YAJL_IS_STRING(v) ? NULL : "a string";
}
static const char *bad_STRV(yajl_val v)
{
	if (!v || YAJL_IS_NULL(v))
		return NULL;
	for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++)
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			return "a list of strings";
	return YAJL_IS_ARRAY(v) ? NULL : "a list of strings";
}
static const char *bad_INT(yajl_val v)
{
	return !v || YAJL_IS_NULL(v) || YAJL_IS_INTEGER(v) ? NULL : "an integer";
}
static const char *bad_BOOL(yajl_val v)
{
	return !v || YAJL_IS_NULL(v) || YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v) ? NULL : "true or false";
}
#define bad_STATE bad_STR
#define bad_I32 bad_INT
#define bad_UINT bad_INT
#define bad_PID bad_INT
#define bad_U64 bad_INT
#define get_I32(v) ((int)get_INT(v))
#define get_UINT(v) ((unsigned)get_INT(v))
#define get_PID(v) ((pid_t)get_INT(v))
#define get_U64(v) ((unsigned long long)get_INT(v))

#define clear_STR(p) free(*(p))
#define clear_STRV(p) strv_free(*(p))
#define clear_INT(p) (void)(p)
#define clear_I32(p) (void)(p)
#define clear_UINT(p) (void)(p)
#define clear_PID(p) (void)(p)
#define clear_U64(p) (void)(p)
#define clear_BOOL(p) (void)(p)
#define clear_STATE(p) (void)(p)

#define FIELD_PUT(kind, name) put_##kind(g, #name, rec->name);
/* the fields come back in the order FIELD_PUT wrote them (json_get_next);
 * the first of another type is kept in bad (field, what it should be) */
#define FIELD_GET(kind, name)                               \
	{                                                   \
		yajl_val f_ = json_get_next(v, #name, &at); \
		if (!bad[1] && (bad[1] = bad_##kind(f_)))   \
			bad[0] = #name;                     \
		rec->name = get_##kind(f_);                 \
	}
#define FIELD_CLEAR(kind, name) clear_##kind(&rec->name);
#define FIELD_COPY(kind, name) c->name = r->name;

char *ctr_config_to_json(const struct ctr_config *rec)
{
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	CTR_CONFIG_FIELDS(FIELD_PUT)
	CTR_LAST_FIELDS(FIELD_PUT)
	jg_map_close(g);
	return json_gen_finish(g);
}

/* rec's fields from v, each of the right type; the first that is not is
 * named in bad ({field, what it should be}). */
static void config_fields(yajl_val v, struct ctr_config *rec, const char *bad[2])
{
	memset(rec, 0, sizeof(*rec));
	size_t at = 0;
	CTR_CONFIG_FIELDS(FIELD_GET)
	CTR_LAST_FIELDS(FIELD_GET)
}

int ctr_config_from_json(const char *json, struct ctr_config *rec, struct burrow_err **err)
{
	cleanup_yajl yajl_val v = json_parse(json, err);
	if (!v) {
		(*err)->status = EBADMSG;
		return burrow_error_wrap(err, "container record");
	}
	const char *bad[2] = {NULL, NULL};
	config_fields(v, rec, bad);
	if (bad[1] || !rec->id || !rec->name) {
		ctr_config_clear(rec);
		if (bad[1])
			return burrow_error_status(err, EBADMSG, "container record: '%s' is not %s", bad[0], bad[1]);
		return burrow_error_status(err, EBADMSG, "container record has no id or name");
	}
	return 0;
}

int ctr_config_salvage(const char *json, const char *id, struct ctr_config *rec)
{
	memset(rec, 0, sizeof(*rec));
	struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(json, &e);
	burrow_err_free(e);
	if (!v)
		return -1;
	const char *bad[2] = {NULL, NULL};
	config_fields(v, rec, bad);
	if (!rec->id || strcmp(rec->id, id) != 0) {
		ctr_config_clear(rec);
		return -1;
	}
	return 0;
}

void ctr_config_clear(struct ctr_config *rec)
{
	CTR_CONFIG_FIELDS(FIELD_CLEAR)
	CTR_LAST_FIELDS(FIELD_CLEAR)
	memset(rec, 0, sizeof(*rec));
}

char *ctr_run_to_json(const struct ctr_run *rec)
{
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	CTR_RUN_FIELDS(FIELD_PUT)
	jg_map_close(g);
	return json_gen_finish(g);
}

int ctr_run_from_json(const char *json, struct ctr_run *rec, struct burrow_err **err)
{
	cleanup_yajl yajl_val v = json_parse(json, err);
	if (!v) {
		(*err)->status = EBADMSG;
		return burrow_error_wrap(err, "container state record");
	}
	memset(rec, 0, sizeof(*rec));
	size_t at = 0;
	const char *bad[2] = {NULL, NULL};
	CTR_RUN_FIELDS(FIELD_GET)
	if (bad[1]) {
		ctr_run_clear(rec);
		return burrow_error_status(err, EBADMSG, "container state record: '%s' is not %s", bad[0], bad[1]);
	}
	return 0;
}

void ctr_run_clear(struct ctr_run *rec)
{
	CTR_RUN_FIELDS(FIELD_CLEAR)
	memset(rec, 0, sizeof(*rec));
}

void ctr_config_set_last(struct ctr_config *c, const struct ctr_run *r, const char *boot_id)
{
	c->started = true;
	free(c->boot_id);
	c->boot_id = xstrdup(boot_id);
	CTR_RUN_PROC_FIELDS(FIELD_COPY)
}

/* ---- the store ---- */

int ctr_set_state(struct state_store *s, const struct ctr_config *c, struct ctr_run *r, enum ctr_state to,
                  struct burrow_err **err)
{
	if (ctr_state_check(c->name, r->state, to, err) < 0)
		return -1;
	r->state = to;
	return ctr_run_save(s, c->id, r, err);
}

/* The record of container id, which must name that ID: one that cannot be
 * read is EBADMSG (listings pass over it, rm removes it). */
static int config_parse(const char *id, const char *json, struct ctr_config *c, struct burrow_err **err)
{
	if (ctr_config_from_json(json, c, err) < 0)
		return -1;
	if (strcmp(c->id, id) != 0) {
		ctr_config_clear(c);
		return burrow_error_status(err, EBADMSG, "its record names another container");
	}
	return 0;
}

int ctr_config_text(struct state_store *s, const char *id, char **json, struct burrow_err **err)
{
	cleanup_free char *key = config_key(id);
	*json = NULL;
	return state_get_any(s, key, json, err) < 0 ? -1 : 0;
}

int ctr_config_load(struct state_store *s, const char *id, struct ctr_config *c, struct burrow_err **err)
{
	cleanup_free char *key = config_key(id);
	cleanup_free char *json = NULL;
	int r = state_get_any(s, key, &json, err);
	if (r < 0)
		return -1;
	if (r == 1)
		return burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(id));
	if (config_parse(id, json, c, err) < 0) {
		burrow_error_wrap(err, "container %.12s", id);
		return burrow_error_hint(err, "'burrow rm %.12s' removes it (and its files)", id);
	}
	return 0;
}

int ctr_config_save(struct state_store *s, const struct ctr_config *c, struct burrow_err **err)
{
	cleanup_free char *key = config_key(c->id);
	enum state_db db;
	if (config_db(s, c, &db, err) < 0)
		return -1;
	cleanup_free char *json = ctr_config_to_json(c);
	return state_put(s, db, key, json, err);
}

int ctr_run_load(struct state_store *s, const char *id, struct ctr_run *r, struct burrow_err **err)
{
	cleanup_free char *key = run_key(id);
	cleanup_free char *json = NULL;
	int rc = state_get(s, STATE_RUN, key, &json, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		memset(r, 0, sizeof(*r));
		r->state = CTR_CONFIGURED;
		return 0;
	}
	cleanup_err struct burrow_err *bad = NULL;
	if (ctr_run_from_json(json, r, &bad) < 0) {
		/* its state is what cannot be read: unknown (DESIGN.md), which
		 * rm, stop and kill take; the next state saved replaces it */
		burrow_warn("container %.12s: its state record cannot be read (%s): its state is unknown", id,
		            bad->msg);
		memset(r, 0, sizeof(*r));
		r->state = CTR_UNKNOWN;
	}
	return 0;
}

int ctr_run_save(struct state_store *s, const char *id, const struct ctr_run *r, struct burrow_err **err)
{
	cleanup_free char *key = run_key(id);
	cleanup_free char *json = ctr_run_to_json(r);
	return state_put(s, STATE_RUN, key, json, err);
}

int ctr_run_delete(struct state_store *s, const char *id, struct burrow_err **err)
{
	cleanup_free char *key = run_key(id);
	return state_del(s, STATE_RUN, key, err);
}

/* Whether a container is called name, in either file: 0 no, 1 yes (err
 * set, as a name conflict says it), -1 failed. */
static int name_in_use(struct state_store *s, const char *name, struct burrow_err **err)
{
	cleanup_free char *key = name_key(name);
	cleanup_free char *old = NULL;
	int r = state_get_any(s, key, &old, err);
	if (r < 0)
		return -1;
	if (r == 1)
		return 0;
	burrow_error_status(err, EEXIST, "the container name '%s' is already in use", str_quote(name));
	burrow_error_hint(err, "remove that container (burrow rm %s) or choose another name", name);
	return 1;
}

/* The transactions that store c's records: on burrow.tdb always (for a --rm
 * container only its lock, so that a name is taken once whichever file
 * holds it, and the image is not removed meanwhile), then on the --rm file
 * when that holds them (*db: config_db). */
static int records_begin(struct state_store *s, const struct ctr_config *c, enum state_db *db, struct burrow_err **err)
{
	if (state_tx_begin(s, STATE_DB, err) < 0)
		return -1;
	if (config_db(s, c, db, err) < 0 || (*db == STATE_RM && state_tx_begin(s, STATE_RM, err) < 0)) {
		state_tx_cancel(s, STATE_DB);
		return -1;
	}
	return 0;
}

static int records_commit(struct state_store *s, enum state_db db, struct burrow_err **err)
{
	if (state_tx_commit(s, db, err) < 0)
		return -1;
	state_tx_cancel(s, STATE_DB); /* a --rm one's: nothing written */
	return 0;
}

static void records_cancel(struct state_store *s)
{
	state_tx_cancel(s, STATE_RM);
	state_tx_cancel(s, STATE_DB);
}

int ctr_config_insert(struct state_store *s, struct ctr_config *c, struct burrow_err **err)
{
	enum state_db db;
	if (records_begin(s, c, &db, err) < 0)
		return -1;
	if (c->image_id) {
		/* stored only while its image is: an rmi meanwhile either sees
		 * this container or has removed the image (image/image.h) */
		cleanup_free char *key = xasprintf("img/%s", c->image_id);
		cleanup_free char *rec = NULL;
		int r = state_get(s, STATE_DB, key, &rec, err);
		if (r < 0)
			goto cancel;
		if (r == 1) {
			burrow_error_status(err, ENOENT, "image '%s' was removed meanwhile",
			                    str_quote(c->image_name ? c->image_name : c->image_id));
			goto cancel;
		}
	}
	/* and only while the containers it requires are: an rm meanwhile
	 * either sees this one as their dependent or has removed them */
	for (size_t i = 0; c->requires && c->requires[i]; i++) {
		cleanup_free char *key = config_key(c->requires[i]);
		int r = state_has(s, STATE_DB, key, err);
		if (r == 0)
			r = state_has(s, STATE_RM, key, err);
		if (r < 0)
			goto cancel;
		if (r == 0) {
			burrow_error_status(err, ENOENT, "its dependency %.12s was removed meanwhile", c->requires[i]);
			goto cancel;
		}
	}
	if (c->name) {
		int r = name_in_use(s, c->name, err);
		if (r != 0) {
			if (r > 0)
				(*err)->status = 0;
			goto cancel;
		}
	} else if (!(c->name = state_gen_name(s, KEY_NAME, err))) {
		goto cancel;
	}
	{
		cleanup_free char *key = name_key(c->name);
		cleanup_free char *val = xasprintf("\"%s\"", c->id);
		if (state_insert(s, db, key, val, err) < 0 || ctr_config_save(s, c, err) < 0)
			goto cancel;
	}
	if (records_commit(s, db, err) < 0)
		goto cancel;
	return 0;
cancel:
	records_cancel(s);
	return -1;
}

int ctr_config_rename(struct state_store *s, struct ctr_config *c, const char *name, struct burrow_err **err)
{
	cleanup_free char *newkey = name_key(name);
	cleanup_free char *oldkey = name_key(c->name);
	cleanup_free char *val = xasprintf("\"%s\"", c->id);
	enum state_db db;
	if (records_begin(s, c, &db, err) < 0)
		return -1;
	if (name_in_use(s, name, err) != 0)
		goto cancel;
	char *old = c->name;
	c->name = xstrdup(name);
	if (state_del(s, db, oldkey, err) < 0 || state_insert(s, db, newkey, val, err) < 0 ||
	    ctr_config_save(s, c, err) < 0 || records_commit(s, db, err) < 0) {
		free(c->name);
		c->name = old;
		goto cancel;
	}
	free(old);
	return 0;
cancel:
	records_cancel(s);
	return -1;
}

int ctr_records_delete(struct state_store *s, const struct ctr_config *c, bool dependents, struct burrow_err **err)
{
	cleanup_free char *ckey = config_key(c->id);
	cleanup_free char *nkey = name_key(c->name);
	enum state_db db;
	/* with burrow.tdb's transaction, as ctr_config_insert: a container
	 * stored meanwhile that requires c is seen here, or is refused */
	if (records_begin(s, c, &db, err) < 0)
		return -1;
	if ((dependents && ctr_dependents_refuse(s, c, err) < 0) || state_del(s, db, ckey, err) < 0 ||
	    state_del(s, db, nkey, err) < 0 || records_commit(s, db, err) < 0) {
		records_cancel(s);
		return -1;
	}
	return ctr_run_delete(s, c->id, err);
}

static int collect_names_of(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)err;
	char ***names = data;
	const char *id = (*names)[0];
	size_t n = strlen(id);
	if (json[0] == '"' && strncmp(json + 1, id, n) == 0 && strcmp(json + 1 + n, "\"") == 0)
		strv_append(names, key);
	return 0;
}

/* The names in db whose record holds id, after it ((*names)[0] is id). */
static int names_of(struct state_store *s, enum state_db db, const char *id, char ***names, struct burrow_err **err)
{
	*names = NULL;
	strv_append(names, id);
	return state_each(s, db, KEY_NAME, collect_names_of, names, err);
}

int ctr_dependents_refuse_id(struct state_store *s, const char *id, struct burrow_err **err)
{
	cleanup_strv char **names = NULL;
	cleanup_strv char **rm_names = NULL;
	if (names_of(s, STATE_DB, id, &names, err) < 0 || names_of(s, STATE_RM, id, &rm_names, err) < 0)
		return -1;
	/* named as its name says, or by its short ID when none is left */
	cleanup_free char *name = names[1]      ? xstrdup(names[1] + strlen(KEY_NAME))
	                          : rm_names[1] ? xstrdup(rm_names[1] + strlen(KEY_NAME))
	                                        : xstrndup(id, 12);
	struct ctr_config c = {.id = (char *)id, .name = name};
	return ctr_dependents_refuse(s, &c, err);
}

int ctr_records_delete_id(struct state_store *s, const char *id, char **name, struct burrow_err **err)
{
	cleanup_free char *ckey = config_key(id);
	*name = NULL;
	const enum state_db dbs[] = {STATE_DB, STATE_RM};
	for (size_t d = 0; d < 2; d++) {
		int r = state_has(s, dbs[d], ckey, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		cleanup_strv char **names = NULL;
		if (names_of(s, dbs[d], id, &names, err) < 0 || state_tx_begin(s, STATE_DB, err) < 0)
			return -1;
		if (dbs[d] == STATE_RM && state_tx_begin(s, STATE_RM, err) < 0) {
			state_tx_cancel(s, STATE_DB);
			return -1;
		}
		/* in burrow.tdb's transaction, as ctr_records_delete: a
		 * container stored meanwhile that requires it is seen here */
		int bad = ctr_dependents_refuse_id(s, id, err);
		if (bad == 0)
			bad = state_del(s, dbs[d], ckey, err);
		for (size_t i = 1; names[i] && bad == 0; i++)
			bad = state_del(s, dbs[d], names[i], err);
		if (bad < 0 || records_commit(s, dbs[d], err) < 0) {
			records_cancel(s);
			return -1;
		}
		if (names[1] && !*name)
			*name = xstrdup(names[1] + strlen(KEY_NAME));
	}
	return ctr_run_delete(s, id, err);
}

struct each_ctx {
	struct state_store *s;
	ctr_config_fn fn;
	void *data;
	bool stopped; /* fn said stop */
	bool stale;   /* an earlier boot's --rm file (ctr_config_each_stale_rm) */
	bool strict;  /* an unreadable record fails the walk (ctr_config_each_strict) */
};

static int each_one(const char *key, const char *json, void *data, struct burrow_err **err)
{
	struct each_ctx *e = data;
	struct ctr_config c = {0};
	if (e->stale) {
		/* that file skipped the fsyncs: a crash of the machine may have
		 * left its structure sound but a record torn. Failing would fail
		 * every refresh, so every command, while the file is there; and
		 * the ID names the directory that goes with it. */
		const char *id = key + strlen(KEY_CONFIG);
		cleanup_err struct burrow_err *bad = NULL;
		if (ctr_config_from_json(json, &c, &bad) < 0 || !c.id || strcmp(c.id, id) != 0 || !ctr_is_id(id)) {
			burrow_warn("--rm container %.12s of an earlier boot: its record cannot be read (%s): "
			            "forgotten, its files stay under the storage root",
			            id, bad ? bad->msg : "not that container's");
			ctr_config_clear(&c);
			return 0;
		}
	} else {
		/* one unreadable record must not hide the others (podman's
		 * listings log and skip such a container too): ps, prune and
		 * the refresh pass over it; the strict walks (ID ranges, images
		 * in use), inspect, start or rm of it say what is wrong */
		const char *id = key + strlen(KEY_CONFIG);
		cleanup_err struct burrow_err *bad = NULL;
		if (config_parse(id, json, &c, e->strict ? err : &bad) < 0) {
			if (e->strict) {
				burrow_error_wrap(err, "container %.12s", id);
				return burrow_error_hint(err, "'burrow rm %.12s' removes it (and its files)", id);
			}
			burrow_warn("container %.12s: its record cannot be read (%s): skipped; 'burrow rm %.12s' "
			            "removes it",
			            id, bad->msg, id);
			return 0;
		}
	}
	int r = e->fn(&c, e->data, err);
	ctr_config_clear(&c);
	if (r > 0)
		e->stopped = true;
	return r;
}

/* set: only the records that hold it (NULL: all) */
static int each_config(struct state_store *s, const char *set, bool strict, ctr_config_fn fn, void *data,
                       struct burrow_err **err)
{
	struct each_ctx e = {.s = s, .fn = fn, .data = data, .strict = strict};
	if (state_each_with(s, STATE_DB, KEY_CONFIG, set, each_one, &e, err) < 0)
		return -1;
	if (e.stopped)
		return 0;
	return state_each_with(s, STATE_RM, KEY_CONFIG, set, each_one, &e, err);
}

int ctr_config_each(struct state_store *s, ctr_config_fn fn, void *data, struct burrow_err **err)
{
	return each_config(s, NULL, false, fn, data, err);
}

int ctr_config_each_strict(struct state_store *s, ctr_config_fn fn, void *data, struct burrow_err **err)
{
	return each_config(s, NULL, true, fn, data, err);
}

#define FIELD_KIND(kind, name) {#name, #kind},
static const struct {
	const char *name, *kind;
} config_kinds[] = {CTR_CONFIG_FIELDS(FIELD_KIND)};
#undef FIELD_KIND

int ctr_config_each_set(struct state_store *s, const char *field, ctr_config_fn fn, void *data, struct burrow_err **err)
{
	/* "FIELD":" or "FIELD":[" is only ever the key: a '"' inside a
	 * string is escaped, a string that is not set is null, an empty
	 * list [] */
	cleanup_free char *set = NULL;
	for (size_t i = 0; i < sizeof(config_kinds) / sizeof(config_kinds[0]) && !set; i++) {
		if (strcmp(config_kinds[i].name, field) != 0)
			continue;
		if (strcmp(config_kinds[i].kind, "STR") == 0)
			set = xasprintf("\"%s\":\"", field);
		else if (strcmp(config_kinds[i].kind, "STRV") == 0)
			set = xasprintf("\"%s\":[\"", field);
		break;
	}
	return each_config(s, set, false, fn, data, err);
}

int ctr_config_each_stale_rm(struct state_store *s, ctr_config_fn fn, void *data, struct burrow_err **err)
{
	struct each_ctx e = {.s = s, .fn = fn, .data = data, .stale = true};
	return state_rm_stale(s, KEY_CONFIG, each_one, &e, err);
}

int ctr_lookup_name(struct state_store *s, const char *name, char **id, struct burrow_err **err)
{
	if (state_lookup_name(s, name, KEY_NAME, id, err) < 0) {
		if ((*err)->status == ENOENT)
			return burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(name));
		return burrow_error_wrap(err, "container '%s'", str_quote(name));
	}
	return 0;
}

int ctr_lookup(struct state_store *s, const char *ref, char **id, struct burrow_err **err)
{
	if (state_lookup(s, ref, KEY_NAME, KEY_CONFIG, id, err) < 0) {
		if ((*err)->status == ENOENT)
			return burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
		return burrow_error_wrap(err, "container '%s'", str_quote(ref));
	}
	return 0;
}
