/* Named volumes: the store (records and directories) and what the `volume`
 * verbs do with it. Mounting a volume into a container (-v, --mount,
 * copy-up, :U, :O) is the container's business; this is the API it calls:
 * ctr_vol_create with ignore (create-if-missing by name) or anonymous (a
 * generated name, owned by a container), ctr_vol_use/ctr_vol_unuse for the
 * references of the containers that use one, ctr_vol_data_path for the mount
 * point, ctr_vol_is_empty for the copy-up rule.
 *
 * On disk: ROOT/volumes/<name>/_data is the volume's mount point (what a
 * container sees). volumes/ and volumes/<name> are 0700, as everything
 * burrow creates, so no other user reaches the data; _data itself is 0755
 * (podman's mode) because it becomes a directory inside the container, where
 * users other than root must be able to enter it.
 *
 * The record vol/<name> in burrow.tdb (JSON):
 *   {"name", "driver": "local", "created": ns since the epoch,
 *    "labels": {key: value}, "options": {key: value},
 *    "anonymous": bool, "owner": container ID | null,
 *    "users": [container ID ...], "uid": N | -1, "gid": N | -1,
 *    "needs_copy_up": bool, "needs_chown": bool}
 * The record is the truth: a volume exists when its record does. Its
 * directory is made before the record is stored and removed after the
 * record is deleted, each under the volume's lock (state_lock_name
 * "volume"), so a command killed half-way leaves at most a directory
 * without a record, which the next create of that name, or a prune,
 * removes. Never a record without its directory.
 *
 * Options (-o KEY=VALUE) of the local driver, checked when the volume is
 * created and stored as given (as podman's inspect shows them; a bind
 * device's absolute path, its links resolved, is kept beside: device); what they mean
 * when a container mounts the volume:
 *   (no type)          _data is the volume: a directory on the storage root.
 *   type=tmpfs         a tmpfs is mounted on _data while containers use it;
 *                      o= takes tmpfs's options (size=, nr_inodes=, mode=,
 *                      uid=, gid=, noexec, nosuid, nodev, ro ...); device is
 *                      ignored. Its content does not outlive the mount.
 *   type=bind          device=DIR (an existing directory; relative to the
 *                      directory of create) is bind-mounted on _data; o= takes bind,
 *                      rbind, ro, rw, nosuid, nodev, noexec (and their
 *                      opposites). The content lives in DIR.
 *   copy, nocopy       whether the first mount copies what the image has at
 *                      the mount point into an empty volume (default copy).
 *   o=uid=N,gid=N      on a volume without type: the owner of _data (as
 *                      --uid/--gid); on a tmpfs, options of the tmpfs.
 * Other types (ext4, nfs, fuse ...) need mount(8) as root: refused. */
#ifndef BURROW_CONTAINER_VOLUME_H
#define BURROW_CONTAINER_VOLUME_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct state_store;

#define CTR_VOL_DRIVER_LOCAL "local"

struct ctr_vol {
	char *name;
	char *driver;      /* "local" */
	long long created; /* ns since the epoch */
	char **labels;     /* "key=value", sorted by key, keys unique */
	char **options;    /* "key=value", sorted by key, keys unique */
	bool anonymous;
	char *owner;        /* the container it was made for (may be NULL): anonymous, or named by its -v */
	char **users;       /* IDs of the containers that use it (may name removed ones) */
	long long uid, gid; /* owner given to _data at creation; -1: not set */
	bool needs_copy_up; /* the next mount copies the image's content in (unless nocopy) */
	bool needs_chown;   /* the next mount chowns _data to the container's user */
	char *device;       /* type=bind: the device as mounted, absolute, its links resolved at create
	                     * (its options keep it as given; NULL: an older record's option is that) */
};

/* A bind volume's device as mounted (see device), NULL for other types. */
const char *ctr_vol_device(const struct ctr_vol *v);

struct ctr_vol_create_opts {
	const char *name;   /* NULL: a generated name of 64 hex digits */
	const char *driver; /* NULL: "local"; any other is refused */
	char **labels;      /* "key=value" or "key" (empty value), as typed; the last of a key wins */
	char **options;     /* "key=value" or "key" (copy, nocopy), as typed */
	long long uid, gid; /* --uid/--gid; -1: not given */
	bool anonymous;     /* made for a container (-v /path): prune removes it */
	const char *user;   /* a container that uses it from the start (its owner, when made here) */
	bool ignore;        /* a volume of that name already there is no error: it is returned, unchanged */
};

/* Checks o (name, driver, labels, options) without the store: EINVAL with
 * a message naming what is wrong. ctr_vol_create calls it first; the CLI calls
 * it before it touches anything. */
int ctr_vol_create_check(const struct ctr_vol_create_opts *o, struct burrow_err **err);

/* Makes a volume: its directory, then its record (see above). A name that
 * is taken fails with status EEXIST, unless o->ignore: then *existed is
 * set and out is the existing volume (with o->user added to its users).
 * uid/gid (or o=uid=/gid= without a type) chown _data inside the user
 * namespace: an ID it does not map fails with a hint. Must run inside
 * burrow's user namespace, and outside any transaction on STATE_DB (it
 * waits for the volume's lock). out may be NULL. */
int ctr_vol_create(struct state_store *s, const struct ctr_vol_create_opts *o, struct ctr_vol *out, bool *existed,
                   struct burrow_err **err);

/* What the user typed: an exact name, or a unique prefix of one. *name is
 * the volume's name. Not found: status ENOENT ("no such volume 'x'");
 * ambiguous: EINVAL, listing the candidates. */
int ctr_vol_lookup(struct state_store *s, const char *ref, char **name, struct burrow_err **err);
/* Whether a volume of exactly this name exists (podman's volume exists). */
int ctr_vol_exists(struct state_store *s, const char *name, bool *exists, struct burrow_err **err);
/* The record of the volume called name (exact): ENOENT when there is none. */
int ctr_vol_load(struct state_store *s, const char *name, struct ctr_vol *v, struct burrow_err **err);
/* Every volume, sorted by name. */
int ctr_vol_list(struct state_store *s, struct ctr_vol **out, size_t *n, struct burrow_err **err);
void ctr_vol_clear(struct ctr_vol *v);
void ctr_vol_list_free(struct ctr_vol *v, size_t n);

/* The record as stored, and back (for tests and the store itself). */
char *ctr_vol_to_json(const struct ctr_vol *v);
int ctr_vol_from_json(const char *json, struct ctr_vol *v, struct burrow_err **err);
/* The value of key in a "key=value" list (labels, options), NULL when absent. */
const char *ctr_vol_kv_get(char *const *kv, const char *key);

/* ROOT/volumes/<name>/_data: where a container mounts the volume. */
char *ctr_vol_data_path(struct state_store *s, const char *name);
/* Whether the volume's content is empty (the copy-up rule: an image's
 * content is copied only into an empty volume): _data, or the device of a
 * bind volume. A tmpfs volume's content is made at its mount: empty. */
int ctr_vol_is_empty(struct state_store *s, const struct ctr_vol *v, bool *empty, struct burrow_err **err);

/* Records that container ctr_id uses the volume (ctr_vol_unuse: no longer).
 * Inside the caller's transaction on STATE_DB when one is open (they land
 * with it), else in one of their own. ctr_vol_use of a volume that is gone
 * fails with ENOENT; both are idempotent. */
int ctr_vol_use(struct state_store *s, const char *name, const char *ctr_id, struct burrow_err **err);
int ctr_vol_unuse(struct state_store *s, const char *name, const char *ctr_id, struct burrow_err **err);
/* The users of v whose containers still exist (IDs; and their names when
 * names is not NULL), as NULL-terminated lists. */
int ctr_vol_users(struct state_store *s, const struct ctr_vol *v, char ***ids, char ***names, struct burrow_err **err);
/* Saves v's record (the flags a mount changes: needs_copy_up, needs_chown). */
int ctr_vol_save(struct state_store *s, const struct ctr_vol *v, struct burrow_err **err);

/* Removes the volume ref names (ctr_vol_lookup): its record, then its
 * directory. In use by containers: status EBUSY, naming them, unless force:
 * then the containers are removed first, as podman does: running ones
 * killed (timeout -1) or stopped, SIGKILL after timeout seconds (ctr_remove).
 * Not found: ENOENT. *name (may be NULL) is the volume's name. */
int ctr_vol_remove(struct state_store *s, const char *ref, bool force, int timeout, char **name,
                   struct burrow_err **err);

/* Tar of the volume's content (as podman: the entries below _data, or the
 * device of a bind volume, without the top directory; owners as burrow's
 * namespace sees them; hard links kept; sockets left out), written to the
 * file output (made under a temporary name and renamed when complete, so a
 * failed export leaves no partial file) or, when output is NULL, to
 * standard output (refused when it is a terminal). Never follows a symlink
 * inside the volume. Must run inside burrow's user namespace. */
int ctr_vol_export(struct state_store *s, const char *ref, const char *output, struct burrow_err **err);

/* Extracts a tar (plain or compressed; source is a path, or "-" for
 * standard input) into an existing volume, over its content, with the
 * layer extractor's rules (img_extract): nothing is written outside the
 * volume. A tmpfs volume is refused (its content lives only while mounted).
 * Must run inside burrow's user namespace. */
int ctr_vol_import(struct state_store *s, const char *ref, const char *source, struct burrow_err **err);

/* --- filters (ls --filter, prune --filter) ------------------------------ */

/* podman's volume filters (ls and prune take the same): name (regular
 * expression), driver, scope, label, label!, opt, dangling, until,
 * after/since, and anonymous. Values of one key match when any does (label
 * and label!: when all do); keys combine with AND. */
struct ctr_vol_filters;
/* Parses KEY=VALUE specs. EINVAL with a message on an unknown key or a bad
 * value. after/since name volumes, looked up in s; with s NULL only the
 * syntax is checked (and such a filter matches everything). */
int ctr_vol_filters_parse(struct state_store *s, char *const *specs, struct ctr_vol_filters **out,
                          struct burrow_err **err);
/* Whether v matches; in_use: it has users (dangling=). */
bool ctr_vol_filters_match(const struct ctr_vol_filters *f, const struct ctr_vol *v, bool in_use);
void ctr_vol_filters_free(struct ctr_vol_filters *f);

/* prune: the unused volumes that match f (all of them, as podman's volume
 * prune; anonymous ones only unless all),
 * removed one by one; fn hears of each (err set when it could not be
 * removed; the walk goes on). dry_run: fn hears of them, nothing is
 * removed. Directories of volumes whose record is gone (a command killed
 * half-way) are removed too, silently. */
typedef void (*ctr_vol_prune_fn)(const char *name, const struct burrow_err *err, void *data);
int ctr_vol_prune(struct state_store *s, const struct ctr_vol_filters *f, bool all, bool dry_run, ctr_vol_prune_fn fn,
                  void *data, struct burrow_err **err);

#endif
