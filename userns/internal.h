/* Helpers shared by the files of userns/ (not part of its contract). */
#ifndef BURROW_USERNS_INTERNAL_H
#define BURROW_USERNS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/proc.h"
#include "userns/userns.h"

/* Files the keeper leaves in the runtime dir. */
#define USERNS_PID_FILE "keeper.pid"   /* "PID STARTTIME\n" */
#define USERNS_LOCK_FILE "keeper.lock" /* flock()ed around creation and migrate */
#define USERNS_INFO_FILE "keeper.json" /* kind, reason, pid, created */

#define USERNS_SUBUID_FILE "/etc/subuid"
#define USERNS_SUBGID_FILE "/etc/subgid"

/* How long creation may wait for each step (the keeper's answers, newuidmap). */
#define USERNS_STEP_TIMEOUT_MS 10000
/* How long a command waits for another one creating the keeper. */
#define USERNS_LOCK_TIMEOUT_MS 30000

/* The mapping a new keeper gets. */
enum userns_kind {
	USERNS_KIND_SUBUID,   /* newuidmap/newgidmap with /etc/subuid and /etc/subgid ranges */
	USERNS_KIND_SINGLE,   /* our uid/gid -> 0, written directly */
	USERNS_KIND_IDENTITY, /* root: every ID we have, mapped to itself */
};

struct userns_plan {
	enum userns_kind kind;
	char *reason;  /* why this kind, for `burrow info` */
	char *warning; /* said once, when the keeper is created (NULL: nothing to say) */
	/* Map text in uid_map format ("INSIDE OUTSIDE COUNT\n" lines). For
	 * the subuid kind it becomes newuidmap's arguments, else it is
	 * written to /proc/PID/{uid,gid}_map. */
	char *uid_map;
	char *gid_map;
	char *newuidmap; /* subuid kind: the helpers' paths */
	char *newgidmap;
};

const char *userns_kind_name(enum userns_kind kind);

/* Decides the mapping for this user from the environment: root, the
 * subordinate ID files, and whether the setuid helpers exist. */
int userns_plan_mapping(struct userns_plan *plan, struct burrow_err **err);
/* The single-ID fallback, with the given reason for the warning;
 * helper_failed: newuidmap/newgidmap refused the ranges. */
void userns_plan_single(struct userns_plan *plan, const char *reason, bool helper_failed);
void userns_plan_clear(struct userns_plan *plan);

/* Pure helpers (unit-tested). */
/* "0 SELF 1\n" followed by the ranges, mapped to 1, 2, ... in order. Ranges
 * that would push the inside IDs past 2^32-2 are cut off. */
char *userns_map_from_ranges(unsigned long self, const struct userns_subid_range *ranges, int n);
/* From the content of /proc/self/uid_map: every range we have, mapped to
 * itself. NULL when the content holds no valid line. */
char *userns_identity_map(const char *self_map);
/* The content of /proc/PID/uid_map as one line, ranges comma-separated:
 * "0 1000 1, 1 100000 65536". */
char *userns_map_oneline(const char *text);
/* Turns map text into argv words for newuidmap (after the pid). */
char **userns_map_to_args(const char *map);

/* Searches PATH (or a default path when PATH is unset) for an executable. */
char *userns_find_program(const char *name);

/* Opens (creating) the runtime dir's lock file and takes an exclusive
 * flock on it, waiting at most USERNS_LOCK_TIMEOUT_MS. Returns the fd. */
int userns_lock(const char *runroot, struct burrow_err **err);

/* Reads RUNROOT/keeper.pid and checks that the keeper is alive (start
 * time matches). Returns 1 and opens *ref on it (close it with
 * proc_ref_close) when it is, 0 when there is none. */
int userns_keeper_alive(const char *runroot, struct proc_ref *ref);

#endif
