/* A container's own mounts: -v, --mount, --tmpfs, --volumes-from and
 * --read-only as podman takes them, stored in its record (ctr_config's
 * mounts) and turned into config.json mounts at each start.
 *
 * One mount is stored as one string, "TYPE\tSOURCE\tDEST\tOPTIONS":
 *   TYPE     bind, volume, tmpfs or devpts
 *   SOURCE   bind: an absolute host path; volume: the volume's name (empty
 *            while an anonymous one has none yet); tmpfs, devpts: empty
 *   DEST     an absolute path inside the container (resolved inside its
 *            root when mounted: a symlink in the image never leads out)
 *   OPTIONS  comma-separated: what goes to the runtime (ro, rw, rbind,
 *            bind, rprivate ..., nosuid, nodev, noexec, size=, mode= ...)
 *            and burrow's own flags, which do not: anon (an anonymous
 *            volume, removed with rm -v and run --rm), nocopy (no copy-up),
 *            U (chown the source to the container's user), O (an overlay
 *            over the host directory, changes discarded), z and Z
 *            (accepted, meaningless here).
 * Paths with a tab or a newline are refused. */
#ifndef BURROW_CONTAINER_MOUNT_H
#define BURROW_CONTAINER_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_gen.h>

#include "lib/err.h"

struct state_store;
struct ctr_config;
struct ovl_opts;

struct ctr_mount {
	char *type;
	char *source;
	char *destination;
	char **options; /* NULL-terminated, never NULL */
};

/* -v [SRC:]DST[:OPTS], --mount KEY=VALUE,..., --tmpfs DST[:OPTS]: the
 * mount in m, or -1 (EINVAL, one line naming what is wrong). Pure: a
 * relative bind source ("./dir") stays as typed. */
int ctr_mount_parse_volume(const char *spec, struct ctr_mount *m, struct burrow_err **err);
int ctr_mount_parse_mount(const char *spec, struct ctr_mount *m, struct burrow_err **err);
int ctr_mount_parse_tmpfs(const char *spec, struct ctr_mount *m, struct burrow_err **err);
/* --volumes-from CTR[:ro|rw]: the container's reference in *ref and the
 * override in *mode ("" when none). */
int ctr_mount_parse_from(const char *spec, char **ref, char **mode, struct burrow_err **err);

/* The stored string, and back. */
char *ctr_mount_format(const struct ctr_mount *m);
int ctr_mount_decode(const char *s, struct ctr_mount *m, struct burrow_err **err);
/* ctr_mount_decode for a walk over stored mounts: false (nothing to clear)
 * on a damaged one, which the walk then skips. */
bool ctr_mount_try(const char *s, struct ctr_mount *m);
void ctr_mount_clear(struct ctr_mount *m);
bool ctr_mount_has(const struct ctr_mount *m, const char *opt);
/* Whether two destinations name the same place (trailing slashes aside). */
bool ctr_mount_same_dest(const char *a, const char *b);

/* What a start binds, as the run record keeps it (binds): "DEV:INO:DEST",
 * the device and inode that the host path source leads to (symlinks
 * followed, as mount(2) follows them) when the bundle is written, before
 * the container runs anything. cp trusts this, never what the container
 * shows at dest later (container/cp_mount.c). NULL: source leads nowhere
 * (the start fails on it). */
char *ctr_mount_bind_id(const char *source, const char *dest);
/* The device and inode that ids records for dest: false when none. */
bool ctr_mount_bind_find(char *const *ids, const char *dest, unsigned long long *dev, unsigned long long *ino);

/* What run/create gave, parsed and checked together (a destination given
 * twice is refused); the stored strings in *out. */
struct ctr_mount_specs {
	char **volumes;       /* -v */
	char **mounts;        /* --mount */
	char **tmpfs;         /* --tmpfs */
	char **volumes_from;  /* --volumes-from */
	char **image_volumes; /* the image's Volumes: anonymous volumes where nothing else is mounted */
	bool image_tmpfs;     /* --image-volume tmpfs: a tmpfs (rw, exec, nosuid, nodev) at each instead */
};
int ctr_mounts_check(const struct ctr_mount_specs *sp, char ***out, struct burrow_err **err);

/* At create, after every other check (this writes): bind sources made
 * absolute (a missing one is refused, as podman does), named
 * volumes created when missing, anonymous ones made, --volumes-from's
 * mounts added (the user's own win on a destination), every volume
 * marked in use by c->id. *out: the stored strings. On failure what was
 * made is undone. */
int ctr_mounts_resolve(struct state_store *s, const struct ctr_mount_specs *sp, const char *ctr_id, char ***out,
                       struct burrow_err **err);
/* A named volume that ctr_mounts_resolve made (it did not exist) carries
 * the option "made" until the container is stored: ctr_mounts_release
 * with remove_anon removes it as an anonymous one (a create that fails
 * leaves no volume it made; one that existed before stays). The mounts
 * without it, to be stored. */
char **ctr_mounts_stored(char *const *mounts);
/* c's --volumes-from as typed, for inspect (c->volumes_from, from
 * volumes_from). */
void ctr_config_volumes_from(struct ctr_config *c, char *const *volumes_from);
/* Undoes the volume side of c's mounts: no longer in use by c; with
 * remove_anon its anonymous volumes are removed (unless another
 * container uses them). Warnings only: never fails. */
void ctr_mounts_release(struct state_store *s, char *const *mounts, const char *ctr_id, bool remove_anon);

/* At each start, with the rootfs mounted at root: the mounts to give the
 * runtime (volumes turned into binds of their data, or tmpfs), in the
 * stored format; an empty volume that needs it receives the image's
 * content at its mount point first (copy-up), :U sources are chowned. */
int ctr_mounts_prepare(struct state_store *s, const struct ctr_config *c, const char *root, const struct ovl_opts *ovl,
                       char ***out, struct burrow_err **err);
/* After a run: the overlays of :O mounts unmounted and their changes
 * removed. Warnings only. */
void ctr_mounts_cleanup(struct state_store *s, const struct ctr_config *c);
/* Where the overlay of c's :O mount number i (in c->mounts) is mounted
 * while c runs (in burrow's mount namespace; the container has a bind of
 * it). Caller frees. */
char *ctr_mounts_overlay_point(struct state_store *s, const struct ctr_config *c, size_t i);

/* c's mounts as stored, then the tmpfs mounts that --read-only adds (at
 * /tmp, /var/tmp, /run where none of c's is, unless
 * --read-only-tmpfs=false), in the stored format; never NULL. */
char **ctr_mounts_with_implied(const struct ctr_config *c);

/* config.json's entries for the prepared mounts, with --read-only's
 * writable tmpfs first when readonly_tmpfs (a mount of the user's at one
 * of those places wins). Called twice: early, before burrow's default
 * mounts, for those above them (/etc, /run: else they would hide
 * /etc/hosts ...); then after them for the rest (which then win). */
void ctr_mounts_gen(yajl_gen g, char *const *prepared, bool readonly_tmpfs, bool early);

/* The image content at dest (resolved inside rootfd) copied into the
 * directory dfd: owners, modes, symlinks as they are (never followed),
 * FIFOs; devices and sockets left out. dfd's own owner and mode become
 * those of dest. Nothing to copy when dest is missing or not a
 * directory. container/copyup.c */
int ctr_copy_up(int rootfd, const char *dest, int dfd, struct burrow_err **err);

#endif
