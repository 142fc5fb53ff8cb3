/* The container tools that work on a container's files: cp, export, diff
 * (container/rootfs.c, cp.c, export.c, diff.c). */
#ifndef BURROW_CONTAINER_TOOLS_H
#define BURROW_CONTAINER_TOOLS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct state_store;
struct ctr_engine_opts;

/* One side of a cp: a path in container ctr (name, ID or ID prefix), or,
 * with ctr NULL, on the host ("-": a tar stream on stdin or stdout). */
struct ctr_cp_end {
	const char *ctr;
	const char *path;
};

struct ctr_cp_opts {
	const struct ctr_engine_opts *eng;
	struct ctr_cp_end src, dst;
	bool archive;   /* -a (default): what lands in a container belongs to its user */
	bool overwrite; /* a directory may replace a non-directory and the other way round */
};

/* podman's cp: what src names is copied to dst by podman's rules (a file
 * onto a missing path makes that file, into a directory keeps its name; a
 * directory onto a missing path makes that directory; SRC/. copies the
 * content; a directory onto a file is refused). A stopped container's
 * rootfs is mounted for the copy and unmounted after it; a running one's is
 * used as it is. Every container path is resolved inside the container's
 * root (openat2 RESOLVE_IN_ROOT: a symlink or ".." can never leave it), and
 * what is archived or extracted below it is walked from directory fds
 * without following any symlink, so no swap of a link meanwhile makes it
 * read or write outside. The data flows as a tar: one end writes it (a
 * thread), the other extracts it (img_extract_fd). A path on one of the
 * container's own volumes or bind mounts is resolved in that mount's
 * source the same way, as its own root (a running container's tmpfs: its
 * root opened in the container's mount namespace; its :O mount: the
 * overlay); a read-only one refuses a copy into it (EROFS), a stopped
 * container's tmpfs has nothing to copy (ENOENT). Missing paths: ENOENT. */
int ctr_cp(struct state_store *s, const struct ctr_cp_opts *o, struct burrow_err **err);

/* The merged filesystem of container ref as a tar (ctr_tar_to_output:
 * the file output, or stdout when output is NULL, refused on a terminal):
 * through its mount when it has one (running, or kept by burrow mount),
 * else read from its layers and upper dir merged (overlay/merge.h), under
 * its lock, nothing mounted, its owners mapped as its mount would show
 * them (ctr_userns_fs_mapped). */
int ctr_export(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref, const char *output,
               struct burrow_err **err);

/* A change of a container against its image, as podman's diff names it. */
struct ctr_change {
	char kind; /* 'A' added, 'C' changed, 'D' deleted */
	char *path;
};
/* The container's changes (from its upper dir and its whiteouts), sorted
 * by path. A --rootfs container has none to tell: EINVAL. */
int ctr_diff(struct state_store *s, const char *ref, struct ctr_change **out, size_t *n, struct burrow_err **err);
void ctr_changes_free(struct ctr_change *c, size_t n);

/* burrow mount: the container's root filesystem, mounted (fuse-overlayfs,
 * at RUNROOT/containers/<id>/merged) when it is not (a running container's
 * is), with one more mount counted; *path is where it is. A --rootfs
 * container: its directory. Usable inside burrow's namespaces (burrow
 * unshare), where the mount is. */
int ctr_mount(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref, char **path,
              struct burrow_err **err);
/* burrow unmount: one mount fewer (force: none left); the rootfs is
 * unmounted when none is left, unless the container runs (its run holds
 * it). *id (may be NULL) is the container's ID. Not mounted: fine. */
int ctr_unmount(struct state_store *s, const char *ref, bool force, char **id, struct burrow_err **err);

/* burrow rename: the container's new name (podman's rules: letters, digits,
 * '_', '.', '-', not first), in one transaction with its name record.
 * Taken: EEXIST, naming it. Works on a running container too. */
int ctr_rename(struct state_store *s, const char *ref, const char *name, struct burrow_err **err);

/* burrow top: the processes of a running container, one line each after a
 * header line, cells separated by tabs. descriptors: podman's (pid ppid
 * user group args comm etime time pcpu vsz rss nice tty stat, or AIX
 * %p %P %U %G %a %c %t %x %C %z %n %y; "a,b" as two); NULL or none: user
 * pid ppid pcpu etime tty time args. An unknown one: EINVAL. */
int ctr_top(struct state_store *s, const char *ref, char *const *descriptors, char ***lines, struct burrow_err **err);
/* The descriptors' indices (for ctr_top and its tests). */
int ctr_top_descriptors(char *const *in, int **out, size_t *n, struct burrow_err **err);

#endif
