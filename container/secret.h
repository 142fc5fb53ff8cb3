/* Secrets: the store (podman's secret create, ls, inspect, rm, exists with
 * its "file" driver) and what --secret on run/create does with it.
 *
 * On disk: ROOT/secrets/ (0700) holds one file per secret, named by its
 * ID, mode 0600: its content, nothing else. The record secret/<id> in
 * burrow.tdb (JSON) describes it:
 *   {"id": 25 hex digits, "name", "driver": "file",
 *    "created": ns since the epoch, "updated": ns, "labels": {key: value}}
 * and secretname/<name> holds its ID (a JSON string), so that names stay
 * unique. The content is written (to a temporary file, renamed when
 * complete) before the records are stored, and removed after they are
 * deleted, each under the name's lock (state_lock_name "secret"): a command
 * killed half-way leaves at most a file without a record, never a record
 * without its content, never half a content. Content never goes into a
 * record, a log, inspect output or an image.
 *
 * A container that uses a secret gets its own copy at create (as podman's
 * extractSecretToCtrStorage): ROOT/containers/<id>/secrets/<n>, owned and
 * moded as asked, bind-mounted read-only at its target at each start (type
 * mount), or read into the process's environment at each start (type env,
 * never stored in the container's record). Removing or replacing the
 * secret afterwards does not change that copy. */
#ifndef BURROW_CONTAINER_SECRET_H
#define BURROW_CONTAINER_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct state_store;
struct ctr_config;

#define CTR_SECRET_DRIVER "file"
#define CTR_SECRET_MAX_SIZE 512000 /* bytes, as podman: the content must be shorter */
#define CTR_SECRET_ID_LEN 25       /* hex digits, as podman's */

struct ctr_secret {
	char *id;
	char *name;
	char *driver;      /* "file" */
	long long created; /* ns since the epoch */
	long long updated; /* ns; create --replace changes it */
	char **labels;     /* "key=value", sorted by key, keys unique */
};

struct ctr_secret_create_opts {
	const char *name;
	const char *driver; /* NULL: "file"; any other is refused */
	char **driver_opts; /* --driver-opts KEY=VALUE: the file driver takes none */
	char **labels;      /* "key=value" or "key", as typed; the last of a key wins */
	bool replace;       /* a secret of that name gets the new content (same ID) */
};

/* Checks o and the content's size without the store: EINVAL naming what
 * is wrong. ctr_secret_create calls it first. */
int ctr_secret_create_check(const struct ctr_secret_create_opts *o, size_t len, struct burrow_err **err);

/* Stores a secret (see above); *id (may be NULL) is its ID. A name taken:
 * EEXIST, unless o->replace. */
int ctr_secret_create(struct state_store *s, const struct ctr_secret_create_opts *o, const void *data, size_t len,
                      char **id, struct burrow_err **err);

/* What the user typed: a name, an ID, or a unique prefix of an ID. Not
 * found: ENOENT ("no such secret 'x'"); ambiguous: EINVAL. */
int ctr_secret_load(struct state_store *s, const char *ref, struct ctr_secret *out, struct burrow_err **err);
/* Every secret, sorted by ID. */
int ctr_secret_list(struct state_store *s, struct ctr_secret **out, size_t *n, struct burrow_err **err);
void ctr_secret_clear(struct ctr_secret *v);
void ctr_secret_list_free(struct ctr_secret *v, size_t n);

/* The names of the containers whose --secret took the secret id, as a
 * NULL-terminated list. */
int ctr_secret_users(struct state_store *s, const char *id, char ***names, struct burrow_err **err);

/* Removes the secret ref: its records, then its content. Used by
 * containers: EBUSY naming them, unless force (the containers keep their
 * copies). *id (may be NULL): its ID. */
int ctr_secret_remove(struct state_store *s, const char *ref, bool force, char **id, struct burrow_err **err);

/* The content of secret id (for a container's copy). */
int ctr_secret_read(struct state_store *s, const char *id, char **data, size_t *len, struct burrow_err **err);

/* --- a container's --secret ----------------------------------------------- */

/* One --secret NAME[,type=mount|env][,target=T][,uid=N][,gid=N][,mode=M],
 * stored as "NAME\tID\tTYPE\tTARGET\tUID\tGID\tMODE" (ID empty until the
 * create resolves it; TARGET absolute for mount, a variable name for env;
 * MODE octal). */
struct ctr_secret_use {
	char *name;
	char *id;
	bool env;           /* type=env */
	char *target;       /* mount: an absolute path; env: the variable */
	long long uid, gid; /* mount: the owner of the copy inside the container */
	unsigned mode;      /* mount: its mode (default 0444) */
};

int ctr_secret_use_parse(const char *spec, struct ctr_secret_use *u, struct burrow_err **err);
char *ctr_secret_use_format(const struct ctr_secret_use *u);
int ctr_secret_use_decode(const char *s, struct ctr_secret_use *u, struct burrow_err **err);
void ctr_secret_use_clear(struct ctr_secret_use *u);

/* run/create's --secret specs, parsed and checked (pure: a target given
 * twice is refused): the stored strings, without IDs. */
int ctr_secret_uses_check(char *const *specs, char ***out, struct burrow_err **err);
/* At create, before it makes anything a kill would leave without a
 * record (volumes, secrets' copies): the container's lock (state_lock)
 * into *lock, and a mark that the create is under way
 * (ROOT/secrets/pending/<ctr_id>), which the sweep
 * (ctr_secret_orphans_remove) takes for a killed create once the lock is
 * free. Nothing when *lock is held already. The caller ends both with
 * ctr_secret_copies_done once the record is stored, or fails. */
int ctr_create_pending_begin(struct state_store *s, const char *ctr_id, int *lock, struct burrow_err **err);
/* Whether the mark of ctr_create_pending_begin is there (with the lock
 * held by another process: a create under way; with it free: one killed
 * half-way). */
bool ctr_create_pending_marked(struct state_store *s, const char *ctr_id);
/* At create (this writes): each secret looked up and its content copied
 * into ROOT/containers/<c's id>/secrets/ (made 0700), owned and moded as
 * asked (uid=/gid= are c's IDs, mapped through its uid_map and gid_map);
 * *out: the stored strings with IDs. On failure the copies are
 * removed (and *lock released, when it was not held on entry).
 * Otherwise *lock (-1 on entry, or held) holds the lock and mark of
 * ctr_create_pending_begin, taken before the copies when it was not held. */
int ctr_secret_uses_resolve(struct state_store *s, char *const *uses, const struct ctr_config *c, char ***out,
                            int *lock, struct burrow_err **err);
/* The end of a create's copies: kept (its record is stored) or removed;
 * the mark goes, the lock is released. Nothing to do for lock -1. */
void ctr_secret_copies_done(struct state_store *s, const char *ctr_id, int lock, bool kept);
/* Removes the copies, and the container's directory when that is empty
 * (a create that failed after resolve). */
void ctr_secret_copies_remove(struct state_store *s, const char *ctr_id);
/* What a create killed half-way left: for each mark whose container's
 * lock is free (a create under way holds it: its mark is left for a later
 * sweep, never waited for), when no container has the ID, the secrets'
 * copies and the volumes it made or marked (its uses dropped, its
 * anonymous ones removed); then the mark. Run by the refresh after a reboot
 * and by rm; one failed open when there is nothing to do. Never fails:
 * what it cannot remove a debug line names. */
void ctr_secret_orphans_remove(struct state_store *s);
/* The read-only bind mounts ctr_secret_uses_prepare makes for the type=mount
 * secrets of uses (a damaged one skipped), where cp finds them. */
char **ctr_secret_uses_mounts(struct state_store *s, const char *ctr_id, char *const *uses);
/* At each start: the bind mounts of the type=mount secrets (mount.h's
 * stored strings, appended to *mounts) and the variables of the type=env
 * ones ("NAME=value", appended to *env). */
int ctr_secret_uses_prepare(struct state_store *s, const char *ctr_id, char *const *uses, char ***mounts, char ***env,
                            struct burrow_err **err);

#endif
