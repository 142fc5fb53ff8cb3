/* The per-user user + mount namespace: bootstrap, keeper, join. */
#ifndef BURROW_USERNS_H
#define BURROW_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* Resolves and creates (0700) the runtime dir. override (--runroot, made
 * absolute against the cwd) wins; else $XDG_RUNTIME_DIR/burrow when
 * XDG_RUNTIME_DIR is set, is a directory and is owned by us; else
 * ${TMPDIR:-/tmp}/burrow-run-$UID, $UID as the parent user namespace sees
 * it (refused when it is a symlink, owned by someone else or not private).
 * *source says which and why. */
int userns_runroot(const char *override, char **out, char **source, struct burrow_err **err);

/* Our uid as the parent user namespace sees it (one level up): the
 * user's own, inside burrow's namespace too. */
unsigned long userns_outer_uid(void);
/* The runtime dir of a burrow that a systemd user unit runs: systemd
 * --user sets XDG_RUNTIME_DIR=/run/user/UID (the user's uid). */
char *userns_runroot_service(void);

/* Joins the keeper's user and mount namespace, creating the keeper first
 * when none is alive (pid + start time checked). Afterwards the process is
 * uid 0 / gid 0 inside. Call while single-threaded. */
int userns_enter(const char *runroot, struct burrow_err **err);

/* A directory as seen before userns_enter, to check afterwards that the
 * namespace sees the same one. Where '/' is not a shared mount (some
 * hosts, and any namespace made with unshare's default), a filesystem
 * mounted after the keeper started is missing in the keeper's mount
 * namespace, or shows the directory it covers. */
struct userns_path {
	const char *what; /* "storage root", "runtime dir" */
	const char *path;
	bool seen; /* it existed before the join */
	dev_t dev;
	ino_t ino;
};
void userns_path_note(struct userns_path *p, const char *what, const char *path);
/* After userns_enter: fails (with the hint that `burrow system migrate`
 * fixes it) when p's directory is missing or another one inside. */
int userns_path_check(const struct userns_path *p, struct burrow_err **err);

struct userns_info {
	char *kind;    /* "subuid", "single" or "identity" */
	char *reason;  /* why that kind (e.g. "no entry for 'bob' in /etc/subuid") */
	char *uid_map; /* one line, ranges comma-separated: "0 1000 1, 1 100000 65536" */
	char *gid_map;
	pid_t keeper_pid;
};
/* Describes the mapping in use (after userns_enter). */
int userns_get_info(const char *runroot, struct userns_info *out, struct burrow_err **err);
void userns_info_clear(struct userns_info *info);

/* Stops the keeper (not joining it first); the next command rebuilds the
 * namespace. A keeper that is not running is fine. */
int userns_migrate(const char *runroot, struct burrow_err **err);

/* Waits until no process but the caller and the keeper is left in the
 * keeper's user namespace (after their containers were removed, the last
 * monitors and fuse-overlayfs daemons end on their own), at most for
 * timeout_ms; what is left then is killed (SIGKILL) and waited for a
 * moment more. Returns how many were killed, or -1 with *err. */
int userns_drain(const char *runroot, int timeout_ms, struct burrow_err **err);

/* Runs argv (default: $SHELL, else /bin/sh) inside the namespace (after
 * userns_enter) and waits; *exit_status is its exit code (128+N for a
 * signal). Fails with 127/126-style errno (ENOENT/EACCES) when it cannot
 * be run. */
int userns_unshare_run(char *const *argv, int *exit_status, struct burrow_err **err);

/* Subordinate ID files (pure, for tests). Collects every range that
 * belongs to user (by name) or uid (by number), in file order. Returns the
 * number of ranges (0: none); *ranges is malloc'd. */
struct userns_subid_range {
	unsigned long start;
	unsigned long count;
};
int userns_parse_subid(const char *content, const char *user, uid_t uid, struct userns_subid_range **ranges);

/* ---- ID maps for a container's own user namespace (nested in burrow's) ----
 * A map is text "CTR:HOST:SIZE[,CTR:HOST:SIZE...]", HOST an ID of burrow's
 * namespace (0 is the user, 1.. the subordinate range), as podman's
 * rootless --uidmap. */

/* What burrow's namespace holds, from its uid_map or gid_map text (as
 * /proc/self/uid_map reads inside it): *avail IDs, 0..avail-1 (the
 * contiguous run from 0), and *host_id, the ID 0 is outside (the user).
 * -1 when the text maps no ID 0. */
int userns_ids_parse(const char *map_text, unsigned long *avail, unsigned long *host_id);
/* The same for our namespace now (gid: the gid_map). */
int userns_ids(bool gid, unsigned long *avail, unsigned long *host_id, struct burrow_err **err);
/* podman's keep-id map: ctr_id is burrow's 0 (the user), the IDs below it
 * are 1.., those above it themselves, as far as avail reaches. */
char *userns_map_keep_id(unsigned long ctr_id, unsigned long avail);
/* Checks a map (one or more comma-separated CTR:HOST:SIZE, several given
 * joined first) against avail: sizes > 0, in range, no overlap on either
 * side. what names the option in messages ("--uidmap"). */
int userns_map_check(const char *map, unsigned long avail, const char *what, struct burrow_err **err);
/* A checked map as /proc/PID/uid_map lines, for config.json: calls f for
 * each entry. */
void userns_map_each(const char *map, void (*f)(unsigned long ctr, unsigned long host, unsigned long size, void *data),
                     void *data);
/* The ID of burrow's namespace that a checked map (NULL: none, the
 * identity) gives the container's ctr_id: 0 with *host set, -1 when the
 * map does not hold ctr_id. */
int userns_map_to_host(const char *map, unsigned long ctr_id, unsigned long *host);

/* A checked map parsed once for many lookups (an export's every file):
 * userns_map_to_host is userns_map_parse and then userns_map_lookup. A
 * malformed map holds no ID. */
#define USERNS_MAP_MAX 340 /* the kernel's limit of lines in uid_map */
struct userns_map {
	bool identity; /* the map was NULL */
	size_t n;
	struct userns_map_entry {
		unsigned long ctr, host, size;
	} e[USERNS_MAP_MAX];
};
void userns_map_parse(const char *map, struct userns_map *m);
int userns_map_lookup(const struct userns_map *m, unsigned long ctr_id, unsigned long *host);

#endif
