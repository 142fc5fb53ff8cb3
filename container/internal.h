/* Helpers shared inside container/. */
#ifndef BURROW_CONTAINER_INTERNAL_H
#define BURROW_CONTAINER_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/record.h"
#include "lib/err.h"
#include "userns/userns.h"

/* A tmpfs size= (percent: a % of memory allowed), nr_blocks= or
 * nr_inodes= value as tmpfs(5) takes it: digits with an optional k, m, g,
 * t, p or e (any case), whose bytes fit in 64 bits (a %: that % of this
 * machine's memory). */
bool ctr_tmpfs_amount(const char *v, bool percent);

struct state_store;
struct ctr_engine_opts;
struct netns_cfg;
struct ctr_create_opts;

/* ROOT/containers/<id> (upper, work, config.json) */
char *ctr_dir(struct state_store *s, const char *id);
/* RUNROOT/containers/<id> (merged, generated /etc files) */
char *ctr_rundir(struct state_store *s, const char *id);
/* RUNROOT/seccomp: the compiled seccomp filters, cached (runtime.h's
 * seccomp_cache) */
char *ctr_seccomp_cache(struct state_store *s);

/* Prepares c to run: the runtime dir with the generated /etc files, the
 * root filesystem mounted (fuse-overlayfs; --rootfs: the directory
 * itself), c's user looked up in it (ctr_start_user: c's uid and gid
 * change) and the bundle's config.json. Returns the root filesystem's
 * path (caller frees), the fuse-overlayfs server in *fuse_pid (0: none)
 * and the binds the bundle makes, as the run record keeps them, in
 * *binds (ctr_mount_bind_id; caller frees); NULL on failure, with nothing
 * left mounted. */
char *ctr_prepare(struct state_store *s, struct ctr_config *c, const struct ctr_engine_opts *eng,
                  const struct netns_cfg *ncfg, pid_t *fuse_pid, char ***binds, struct burrow_err **err);

struct ctr_attached;
/* ctr_attach_open without its attach event: a client that only listens
 * for the container's end (wait). */
int ctr_attach_listen(struct state_store *s, const char *ref, struct ctr_attached *out, struct burrow_err **err);

/* Unmounts the rootfs and removes the runtime files of a container that is
 * no longer running; records it as exited. Idempotent. */
int ctr_cleanup(struct state_store *s, const struct ctr_config *c, struct ctr_run *r, struct burrow_err **err);
/* Deletes the records and directories of a stopped container; its volumes
 * are no longer in use by it, and with volumes its anonymous ones go.
 * dependents: refused (EEXIST, nothing deleted) when a container requires
 * it (ctr_records_delete). */
int ctr_delete(struct state_store *s, const struct ctr_config *c, bool volumes, bool dependents,
               struct burrow_err **err);
/* A tar of c's image layers and upper dir merged (as its root filesystem
 * shows them, its mounts aside), read from the store, written to fd
 * (container/export.c): export of a stopped container, commit --squash. */
int ctr_layers_tar(struct state_store *s, const struct ctr_config *c, int fd, struct burrow_err **err);
/* Whether the monitor recorded in r is still alive (pid + start time). */
bool ctr_monitor_alive(const struct ctr_run *r);
/* An active container (created, running, paused, stopping) whose monitor
 * is gone: the end its monitor recorded (persistent record, or exit file)
 * is taken, or it is killed and marked stopped with -1 and a warning says
 * why; then it is cleaned up. c is reloaded on the way. Returns 1 when the
 * container is gone altogether (its monitor removed it: --rm), else 0. */
int ctr_check_monitor(struct state_store *s, struct ctr_config *c, struct ctr_run *r, struct burrow_err **err);
/* Loads container id's records (under the caller's lock) and deals with
 * a dead monitor (ctr_check_monitor): 0, 1 when the container is gone
 * (removed meanwhile, or by its monitor: --rm), or -1. */
int ctr_load_checked(struct state_store *s, const char *id, struct ctr_config *c, struct ctr_run *r,
                     struct burrow_err **err);
/* What the user typed, resolved (*id), locked (*lock, -1 when it could not
 * be taken) and loaded as ctr_load_checked does. */
int ctr_lock_load(struct state_store *s, const char *ref, char **id, int *lock, struct ctr_config *c, struct ctr_run *r,
                  struct burrow_err **err);
/* SIGKILL to the container of an active record; when that is refused (a
 * container of an older user namespace, after the runtime dir was
 * removed, running as a user the current one does not own), SIGKILL to
 * its monitor, which the container does not outlive (the runtime's
 * parent-death signal). */
int ctr_kill_init(const struct ctr_config *c, const struct ctr_run *r, struct burrow_err **err);
/* Ends the container of r (container/stop.c), which the caller set
 * stopping and unlocked: sig (thawing it when paused: the containers
 * that joined its PID namespace, found in s, stay paused), SIGKILL when it
 * still runs timeout_s seconds later (at once for sig SIGKILL), then waits
 * (bounded) until its monitor recorded the end and is gone. */
int ctr_end(struct state_store *s, const struct ctr_config *c, const struct ctr_run *r, bool paused, int sig,
            int timeout_s, struct burrow_err **err);
/* Dependencies (container/depend.c). Starts, before a container (ref)
 * that does not run, the containers it requires, theirs first; one that
 * cannot start fails it, naming it. Called before ctr_start takes the
 * container's lock (a dependency's monitor must not inherit it). */
struct ctr_start_opts;
int ctr_start_dependencies(struct state_store *s, const char *ref, const struct ctr_start_opts *o,
                           struct burrow_err **err);
/* The IDs of the containers that joined container id's PID namespace
 * (--pid container:ID, or container:X of such an X) or may have (every
 * --pid ns:PATH one, and container:X of such an X), in *ids (empty when
 * none). */
int ctr_pid_joiners(struct state_store *s, const char *id, char ***ids, struct burrow_err **err);
/* Whether n is a full container ID (64 lowercase hex digits). */
bool ctr_is_id(const char *n);
/* -1 (EEXIST) naming the containers that require c, when there are any. */
int ctr_dependents_refuse(struct state_store *s, const struct ctr_config *c, struct burrow_err **err);
/* --requires REF[,REF]... into c->requires (IDs), refused when one does
 * not exist. */
int ctr_requires_resolve(struct state_store *s, char *const *refs, struct ctr_config *c, struct burrow_err **err);

/* ctr_create's part for --init (c->init_path), labels (the image's,
 * then o's), annotations and --requires (container/create_extra.c). */
struct img_info;
struct ctr_create_opts;
int ctr_create_extras(struct state_store *s, const struct ctr_create_opts *o, const struct img_info *img,
                      struct ctr_config *c, struct burrow_err **err);
/* -1 (EINVAL) when a KEY=VALUE of kv has an empty key; what: "label". */
int ctr_labels_check(char *const *kv, const char *what, struct burrow_err **err);

/* Whether st is one a monitor watches over. */
bool ctr_state_active(enum ctr_state st);

/* The most of an image's or a container's /etc/passwd or /etc/group
 * burrow reads: a hostile one may be any size. */
#define CTR_ETC_MAX (16 << 20)
/* The text of file (an absolute path) in the tree of roots (topmost
 * first) merged as overlayfs shows them (whiteouts, opaque directories),
 * each name of it, and of each link on its way, found in the topmost root
 * that has it, inside the tree; *out NULL when the tree has none. One that is not a regular file, a symlink loop, or
 * larger than CTR_ETC_MAX, is an error of status CTR_ENOUSER (its users cannot be found), which the caller says whose
 * it is. */
int ctr_read_in_roots(char *const *roots, const char *file, char **out, struct burrow_err **err);
/* The home directory of uid in the text of a passwd file (NULL: the
 * file has no entry for it). */
char *ctr_passwd_home(const char *passwd, unsigned uid);

/* -u USER[:GROUP] as podman resolves it, against the text of the image's
 * /etc/passwd and /etc/group (NULL: the image has none): a name or a uid
 * with a passwd entry takes the entry's uid and group; a uid without one
 * runs with group 0; GROUP (a name or a gid) overrides the group. */
int ctr_resolve_user(const char *spec, const char *passwd, const char *group, unsigned *uid, unsigned *gid,
                     struct burrow_err **err);
/* -u USER[:GROUP] against /etc/passwd and /etc/group (read for a GROUP
 * only) in the tree of roots (ctr_read_in_roots), as ctr_resolve_user,
 * and a numeric user's GROUP as podman 4.3 takes it (digits, else a name
 * /etc/group has). Status CTR_ENOUSER when the user or group is not there
 * or a file cannot be read. */
int ctr_user_lookup(const char *spec, char *const *roots, unsigned *uid, unsigned *gid, struct burrow_err **err);
/* At a start, for a record whose user is looked up then (user_live): c's
 * uid and gid from its user_spec against the /etc/passwd and /etc/group
 * of its root filesystem root as they are now (a user added or changed
 * since create counts), as podman 4.3's start; status CTR_ENOUSER when it
 * is not there. Nothing to do for another record. */
int ctr_start_user(struct ctr_config *c, const char *root, struct burrow_err **err);
struct strv_builder;
/* When spec (-u's) names no group: the gids, as text, of the groups whose
 * member list in group text holds the user's name (spec's, or for a
 * number the name passwd gives uid), added to *b once each, as runc's
 * lookup that podman uses finds them. */
void ctr_user_memberships(const char *spec, unsigned uid, const char *passwd, const char *group,
                          struct strv_builder *b);

/* container/userns.c: at create, after the image's user was resolved into
 * c (passwd: the image's /etc/passwd text, NULL: none): c's user
 * namespace, maps, /etc entries, the process user (keep-id's unless -u)
 * and HOME. */
int ctr_userns_apply(const struct ctr_create_opts *o, const char *passwd, struct ctr_config *c,
                     struct burrow_err **err);
/* container/userns_auto.c: --userns=auto's range ("0:0:SIZE" from
 * ctr_userns_apply) placed where no other auto container's is: c's maps
 * set, and *lock held (state_unlock it once c is stored or given up);
 * -1 (ERANGE) when no such range is left. Nothing to do (0, *lock -1)
 * for another mode. */
int ctr_userns_auto_alloc(struct state_store *s, struct ctr_config *c, int *lock, struct burrow_err **err);
/* The supplementary groups of c's first process at a start: c->user_groups
 * and, for a record that says so (groups_live: not an older burrow's,
 * whose memberships are in user_groups already), the groups that list its
 * user (-u without a GROUP, else root without keep-id) as a member in the
 * /etc/passwd and /etc/group of its root filesystem root as they are now,
 * as podman 4.3 looks them up at each start; the gids its user namespace
 * lacks left out. One of those files that cannot be read (a directory, a
 * link that loops) is an error of status CTR_ENOUSER. */
int ctr_start_groups(const struct ctr_config *c, const char *root, char ***out, struct burrow_err **err);
/* Leaves out of c->user_groups the gids the container's user namespace
 * does not map (podman does too: setgroups would refuse them). */
int ctr_user_groups_mapped(struct ctr_config *c, struct burrow_err **err);
/* The same for gids (text), left out in place. */
int ctr_gids_mapped(const struct ctr_config *c, char **gids, struct burrow_err **err);
/* --group-add's names against the image's /etc/group text (NULL: none)
 * into c->groups (gids as text); keep-groups only alone. */
int ctr_groups_apply(char *const *specs, const char *group, struct ctr_config *c, struct burrow_err **err);
/* The name in a host user's GECOS (NULL: none) as podman's entries for
 * keep-id and --hostuser give it: Go's os/user takes the first of its
 * comma-separated fields ("Ann Lee,Room 4,," is "Ann Lee"). */
char *ctr_gecos_name(const char *gecos);

/* At create, once c's user, working directory and mounts are known: the
 * entries podman adds to /etc/passwd and /etc/group (unless --passwd=false)
 * into c->passwd_more and c->group_more: --hostuser's, looked up on the
 * host (status CTR_ENOUSER when there is no such user; HOME set to its
 * home when nothing set one; neither when passwd, the image's, has the
 * user by name or by uid), and for user (-u or the image's User) a
 * numeric uid's and a numeric group's. */
int ctr_passwd_more(const struct ctr_create_opts *o, const char *user, const char *passwd, struct ctr_config *c,
                    struct burrow_err **err);
/* Whether s is a uid or gid as podman's generated passwd and group
 * entries take one (Go's ParseUint): digits alone, no sign ("+5" is none,
 * though runc's lookup reads it), into *v. */
bool ctr_entry_number(const char *s, long long *v);
/* At prepare: c's passwd and group entries added to copies of the
 * container's /etc/passwd and /etc/group (under root) in rundir, when
 * they have none (ctr_userns_etc's rules), none with --passwd=false;
 * *passwd and *group: the copies' paths to bind over the originals (NULL:
 * nothing to add). */
int ctr_userns_etc(const struct ctr_config *c, const char *root, const char *rundir, char **passwd, char **group,
                   struct burrow_err **err);

/* ovl_mount of c's root filesystem; with a user namespace of its own
 * (and more than one ID in burrow's), fuse-overlayfs maps the files' IDs
 * as the namespace does, so that the container sees them as on disk (the
 * image's root files as its root). */
struct ovl_opts;
int ctr_userns_ovl_mount(const struct ctr_config *c, const struct ovl_opts *o, char *const *lowerdirs,
                         const char *upper, const char *work, const char *target, pid_t *server,
                         struct burrow_err **err);
/* Whether that mount maps c's IDs: a user namespace of c's own in one of
 * burrow's with more than one ID. Its files are stored as c sees them,
 * and whatever shows them to burrow (the mount of a running or stopped
 * c, export from its layers) maps each stored owner through c's maps. */
bool ctr_userns_fs_mapped(const struct ctr_config *c);
/* The ID of burrow's namespace that the container's ID id is through map
 * (NULL: the identity), as the kernel and fuse-overlayfs's uidmapping show
 * it: an ID outside the map is the overflow ID (65534). */
unsigned long ctr_userns_id_seen(const char *map, unsigned long id, bool gid);
/* The same with the map parsed and the overflow ID read once, for the
 * owners of many files (an export's). */
struct ctr_id_seen {
	struct userns_map map;
	unsigned long overflow;
};
void ctr_id_seen_init(struct ctr_id_seen *s, const char *map, bool gid);
unsigned long ctr_id_seen(const struct ctr_id_seen *s, unsigned long id);

/* Volumes: the kind of their locks (state_lock_name), and the directory
 * that holds a volume's content, opened O_RDONLY: _data (reached from the
 * storage root without following a symlink), or a bind volume's device. */
#define VOL_LOCK_KIND "volume"
struct ctr_vol;
int ctr_vol_open_contents(struct state_store *s, const struct ctr_vol *v, struct burrow_err **err);
/* ctr_vol_open_contents for the first start's copy-up, which writes
 * there: a bind volume's device that is now a symlink (a container with
 * its parent mounted can put one in its place) is refused, never
 * followed. */
int ctr_vol_open_for_copy_up(struct state_store *s, const struct ctr_vol *v, struct burrow_err **err);
/* ctr_vol_is_empty on the directory dirfd (ctr_vol_open_contents's): the
 * copy-up checks and fills the one directory it opened. */
int ctr_vol_dir_is_empty(int dirfd, const struct ctr_vol *v, bool *empty, struct burrow_err **err);

/* cp through a container's own mounts (container/cp_mount.c): the mount
 * of c that path falls on, its content's directory opened as the root to
 * resolve the rest in (volume: its _data or device; bind: the host
 * directory, or a file's parent with the file's name in name; while c
 * runs (run: its run record, else NULL), a tmpfs's root opened in its
 * mount namespace (--read-only's at /tmp, /var/tmp, /run too) and a :O
 * mount's overlay). A mount is found by the path's name, else by where
 * it leads in rootfd (the container's root; -1: by name only). No mount
 * there: 0 with fd -1 (the rootfs). A tmpfs of a stopped container has
 * nothing to copy: ENOENT; a devpts mount cannot be reached: ENOTSUP
 * while it runs. */
struct ctr_cp_mnt {
	int fd;        /* the directory, O_RDONLY|O_DIRECTORY; -1: none */
	char *name;    /* a file bind's name in fd; NULL: a directory */
	char *dest;    /* the mount's destination */
	char *rest;    /* path below dest ("" or "/": the mount point; "/." kept) */
	bool ro;       /* ro, or a stopped container's :O (the host directory under its overlay) */
	bool unmapped; /* a tmpfs of the container's own user namespace, where burrow's root has no ID */
};
int ctr_cp_mount_find(struct state_store *s, const struct ctr_config *c, const struct ctr_run *run, int rootfd,
                      const char *path, struct ctr_cp_mnt *out, struct burrow_err **err);
void ctr_cp_mnt_clear(struct ctr_cp_mnt *m);

#endif
