/* The TDB store: burrow.tdb (persistent, under the storage root),
 * state.tdb (volatile, under the runtime dir) and rm-<host>.<machine>.<boot ID>.tdb (this
 * boot's --rm containers, under the storage root, without fsyncs). Values
 * are JSON documents; keys are typed prefixes: ctr/<id>, name/<name>,
 * img/<id>, tag/<ref>, layer/<id>, vol/<name> in burrow.tdb; run/<id> in
 * state.tdb; ctr/<id>, name/<name> in rm-<host>.<machine>.<boot ID>.tdb. */
#ifndef BURROW_STATE_H
#define BURROW_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct state_store;

enum state_db {
	STATE_DB = 0,  /* persistent: burrow.tdb */
	STATE_RUN = 1, /* runtime: state.tdb */
	/* this boot's --rm containers: rm-<host>.<machine>.<boot ID>.tdb beside burrow.tdb.
	 * Its transactions skip the fsyncs: a kill -9 leaves tdb's recovery
	 * area in the page cache for the next opener, and what only a crash of
	 * the machine can tear belongs to a boot that is over, whose file is
	 * never opened as this boot's (state_rm_stale) */
	STATE_RM = 2,
};
#define STATE_NDB 3

/* Opens (creating) both files. When state.tdb was missing or holds a
 * different boot ID, state_needs_refresh() is true afterwards and the
 * caller resets the containers (ctr_refresh) and calls state_refresh_done,
 * which drops every record of state.tdb the caller did not write since
 * state_open and stores the new boot ID. Until then this process holds the
 * refresh lock: another command's state_open waits for it (bounded) and
 * then finds the new boot ID, so only one refreshes. A store on a network
 * filesystem (nfs, lustre, cifs ...) is refused with a hint. */
int state_open(const char *root, const char *runroot, struct state_store **out, struct burrow_err **err);
void state_close(struct state_store *s);
bool state_needs_refresh(const struct state_store *s);
int state_refresh_done(struct state_store *s, struct burrow_err **err);
const char *state_root(const struct state_store *s);
const char *state_runroot(const struct state_store *s);
/* This boot's ID (from /proc/sys/kernel/random/boot_id): a pid and its
 * start time name a process only within one boot. */
const char *state_boot_id(const struct state_store *s);

/* Single records. state_get returns 0 (found, *json set), 1 (not found) or
 * -1. state_put overwrites; state_del of a missing key is fine. A put or
 * delete outside a transaction is a transaction of its own (whole or not at
 * all across kill -9; on burrow.tdb that costs the fsyncs, ~1 ms). */
int state_get(struct state_store *s, enum state_db db, const char *key, char **json, struct burrow_err **err);
/* A record of burrow.tdb or, failing that, of the --rm file (a container's
 * ctr/ and name/ records are in one or the other): state_get's result. */
int state_get_any(struct state_store *s, const char *key, char **json, struct burrow_err **err);
/* Whether key has a record in db, without reading it: 1 yes, 0 no, -1. */
int state_has(struct state_store *s, enum state_db db, const char *key, struct burrow_err **err);
int state_put(struct state_store *s, enum state_db db, const char *key, const char *json, struct burrow_err **err);
int state_del(struct state_store *s, enum state_db db, const char *key, struct burrow_err **err);
/* Like state_put, but fails (status EEXIST, "'<key>' already exists") when
 * the key is taken: reserves a name against a concurrent command. */
int state_insert(struct state_store *s, enum state_db db, const char *key, const char *json, struct burrow_err **err);

/* Every record whose key starts with prefix, sorted by key, from one
 * consistent snapshot. The callback returns 0 to go on, 1 to stop, -1 to
 * fail; it runs with no tdb lock held and may read, write or open
 * transactions. */
typedef int (*state_each_fn)(const char *key, const char *json, void *data, struct burrow_err **err);
int state_each(struct state_store *s, enum state_db db, const char *prefix, state_each_fn fn, void *data,
               struct burrow_err **err);
/* The same for the records that hold needle (their JSON, byte for byte):
 * the others are passed over in the walk, never copied. */
int state_each_with(struct state_store *s, enum state_db db, const char *prefix, const char *needle, state_each_fn fn,
                    void *data, struct burrow_err **err);
/* The keys that start with prefix, sorted, as a NULL-terminated strv
 * (*n: how many; n may be NULL). */
int state_keys(struct state_store *s, enum state_db db, const char *prefix, char ***keys, size_t *n,
               struct burrow_err **err);

/* Transactions: everything between begin and commit lands together or not
 * at all (also across kill -9). One transaction per db at a time; nesting
 * is an error. cancel is safe to call when none is open. */
int state_tx_begin(struct state_store *s, enum state_db db, struct burrow_err **err);
int state_tx_commit(struct state_store *s, enum state_db db, struct burrow_err **err);
void state_tx_cancel(struct state_store *s, enum state_db db);
/* Whether this process has a transaction open on db. */
bool state_in_tx(const struct state_store *s, enum state_db db);

/* IDs and names. */
char *state_new_id(void);                /* 64 lowercase hex from getrandom */
bool state_valid_name(const char *name); /* [a-zA-Z0-9][a-zA-Z0-9_.-]* */
/* A free adjective_noun name for kind (e.g. "name/" namespace), in
 * burrow.tdb and in the --rm file. Free when looked at: call it inside the
 * transaction on STATE_DB that stores the name (with state_insert; a name
 * stored in STATE_RM: with that transaction held too), so that no other
 * command takes it in between. */
char *state_gen_name(struct state_store *s, const char *name_prefix, struct burrow_err **err);

/* Looks up what the user typed: an exact name (key name_prefix+ref holds
 * the ID as a JSON string), a full ID, or a unique ID prefix among the keys
 * id_prefix+<id>, in burrow.tdb and in this boot's --rm file. Not found: -1, err->status ENOENT. Ambiguous: -1,
 * err->status EINVAL, message lists the candidates. */
int state_lookup(struct state_store *s, const char *ref, const char *name_prefix, const char *id_prefix, char **id,
                 struct burrow_err **err);
/* An exact name only (key name_prefix+name), never an ID or its prefix:
 * the ID, or ENOENT. */
int state_lookup_name(struct state_store *s, const char *name, const char *name_prefix, char **id,
                      struct burrow_err **err);

/* Per-container lock (flock on a file in the runtime dir): serialises
 * commands on one container. Returns an fd to pass to state_unlock. */
int state_lock(struct state_store *s, const char *id, struct burrow_err **err);
/* The same without waiting: -1 with err->status EWOULDBLOCK when another
 * process holds it. */
int state_lock_try(struct state_store *s, const char *id, struct burrow_err **err);
void state_unlock(int lockfd);
/* Removes the lock file and releases the lock (when removing a container);
 * a process waiting for it takes a fresh lock on a new file. */
void state_unlock_remove(struct state_store *s, const char *id, int lockfd);

/* A lock on a named object of kind (a fixed word, e.g. "vol") rather than
 * a container: locks/<kind>-<name>.lock, a name too long for a file name
 * shortened with a hash (two names then may share a lock, which only
 * serialises them). name must be a valid name (state_valid_name). */
int state_lock_name(struct state_store *s, const char *kind, const char *name, struct burrow_err **err);
/* Removes that lock file and releases the lock (the object is gone). */
void state_unlock_name_remove(struct state_store *s, const char *kind, const char *name, int lockfd);

/* Every wait for another burrow process (transactions, walks, state_lock,
 * the refresh lock) gives up after this long; default 30000 ms. */
void state_set_wait_ms(unsigned ms);

/* After fork(), in the child, before it touches the store: tdb's fcntl
 * locks are not inherited, so the files are opened anew. */
int state_reopen(struct state_store *s, struct burrow_err **err);

/* The fds the store holds (every file), for a child that closes every
 * other fd (close_fds_keep): fds[0..STATE_NDB-1]. */
void state_fds(const struct state_store *s, int fds[STATE_NDB]);

/* The --rm files of this machine's other boots (state_rm_file_kind; an
 * older burrow's name that no machine claimed only on a storage root no
 * other machine can share, else it is kept with a warning): for each, fn
 * is called with every record whose key starts with prefix, then the
 * file is removed. A file that cannot be read is removed with a warning
 * (it was torn by the crash that ended its boot). Call it while
 * refreshing (state_needs_refresh), under the refresh lock. */
int state_rm_stale(struct state_store *s, const char *prefix, state_each_fn fn, void *data, struct burrow_err **err);

/* Structural check of every file (tdb_check): 0 when they are sound. */
int state_verify(struct state_store *s, struct burrow_err **err);

#endif
