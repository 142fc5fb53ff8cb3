/* What `burrow inspect` shows of a container: its records, checked
 * against a dead monitor as ps checks them, and the paths burrow keeps for
 * it. cmd/inspect.c turns it into podman's inspect JSON. */
#ifndef BURROW_CONTAINER_INSPECT_H
#define BURROW_CONTAINER_INSPECT_H

#include "container/container.h"

struct ctr_inspect {
	struct ctr_config cfg;
	struct ctr_run run;
	char *log_path; /* its k8s-file log (NULL: its log driver keeps none) */
	/* the files a start writes for /etc (NULL: not there: never started,
	 * --no-hosts, --no-hostname) */
	char *hosts_path, *resolv_path, *hostname_path;
	char *static_dir; /* its directory in the storage root (made at its first start) */
	/* the file its monitor writes its pid into at each start (podman's
	 * ConmonPidFile: what a systemd unit's PIDFile= names), whether or
	 * not a start wrote it yet */
	char *monitor_pidfile;
	/* its init's cgroup while it runs or is paused, as podman's
	 * State.CgroupPath (ctr_inspect_cgroup_find); NULL otherwise */
	char *cgroup_path;
	/* the manifest digest its image was pulled by (podman's ImageDigest;
	 * NULL: an imported image, a --rootfs one, or its image is gone) */
	char *image_digest;
	char *oci_config; /* the config.json a start writes there (NULL: none yet) */
	/* its overlay (all NULL with --rootfs): the image's layer directories,
	 * highest first, joined by ':' (NULL: its image is gone), the writable
	 * layer and fuse-overlayfs' work directory, the mounted tree (NULL:
	 * not mounted) */
	char *lower_dirs, *upper_dir, *work_dir, *merged_dir;
	/* set by ctr_inspect_sizes */
	bool sized;
	long long size_rw;     /* its writable layer (ctr_size_rw) */
	long long size_rootfs; /* that and its image's layers */
};

/* The pure part of cgroup_path, for tests: of a /proc/PID/cgroup text,
 * the longest path of a hierarchy that is not a named one (name=systemd),
 * as podman picks it (on cgroup v1 or hybrid the controllers' paths, the
 * cgroup2 "0::" path on v2). NULL when there is none. Caller frees. */
char *ctr_inspect_cgroup_find(const char *proc_cgroup);

/* Loads the container ref names (name, ID or unique ID prefix). No such
 * container: -1 with status ENOENT ("no such container 'x'"). */
int ctr_inspect_load(struct state_store *s, const char *ref, struct ctr_inspect *out, struct burrow_err **err);
void ctr_inspect_clear(struct ctr_inspect *i);

/* The bytes in the container's writable layer (its upper directory: what
 * it changed), as podman's SizeRw: the sizes of its files and symbolic
 * links, not following links, not leaving its file system. 0 when there
 * is none yet (never started, or --rootfs). */
int ctr_size_rw(struct state_store *s, const struct ctr_config *c, long long *out, struct burrow_err **err);

/* A container's sizes as podman's SizeRw (ctr_size_rw) and SizeRootFs
 * (that and its image's layers; an image that is gone counts 0). */
int ctr_sizes(struct state_store *s, const struct ctr_config *c, long long *rw, long long *rootfs,
              struct burrow_err **err);
/* Fills i's sizes. */
int ctr_inspect_sizes(struct state_store *s, struct ctr_inspect *i, struct burrow_err **err);

/* 1 when ref names a container, 0 when not, -1 on another failure. */
int ctr_exists(struct state_store *s, const char *ref, struct burrow_err **err);

#endif
