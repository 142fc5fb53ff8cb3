/* Helpers shared by the files of state/ (not for callers outside it; the
 * unit tests include it to reach the pure parts). */
#ifndef BURROW_STATE_INTERNAL_H
#define BURROW_STATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <tdb.h>

#include "lib/err.h"
#include "state/state.h"

/* Key in state.tdb that holds the boot ID the runtime state belongs to. */
#define STATE_META_BOOT_ID "meta/boot-id"
/* Where the boot ID is read from; BURROW_TEST_BOOT_ID_FILE overrides it. */
#define STATE_BOOT_ID_FILE "/proc/sys/kernel/random/boot_id"
/* Default bound on every wait for another burrow process (ms). */
#define STATE_WAIT_MS_DEFAULT 30000

/* What tdb's log said about one file since the current operation began
 * (see tdb_log_hook in state.c). */
struct state_tdb_log {
	bool recovered; /* it rolled back a transaction a killed writer left half-committed */
	bool damaged;   /* it met a pointer past the end of the file, or a record with a bad magic */
	int os_errno;   /* a read, write or growth the system refused, with this errno (0: none) */
};

struct state_store {
	char *root;
	char *runroot;
	char *path[STATE_NDB]; /* burrow.tdb, state.tdb, rm-<boot ID>.tdb */
	struct tdb_context *tdb[STATE_NDB];
	bool in_tx[STATE_NDB];
	struct state_tdb_log log[STATE_NDB];
	bool needs_refresh;
	int refresh_lockfd;  /* held from state_open until state_refresh_done */
	char *boot_id;       /* this boot's ID */
	char *rm_prefix;     /* "rm-<host>.<machine>.": this machine's --rm files */
	char *rm_old_prefix; /* "rm-<machine>.": an older burrow's (state_rm_prefixes) */
	char *stale_boot;    /* the boot ID state.tdb held, as JSON (NULL: none) */
	/* keys of state.tdb written since state_open while a refresh is due:
	 * the caller's new records, which state_refresh_done keeps */
	char **fresh;
	size_t nfresh, capfresh;
};

/* Name of the file behind db ("burrow.tdb" / "state.tdb" / "rm.tdb"), for
 * messages. */
const char *state_db_name(enum state_db db);

/* Fills *err from the tdb's error code and what its log said: "<what> in
 * '<file>': <reason>" with an errno that fits (EIO for a damaged file,
 * ENOSPC when the disk is full, ENOLCK for locks ...); a damaged file gets
 * the hint of state_damage_hint. Returns -1. */
int state_tdb_error(struct state_store *s, enum state_db db, struct burrow_err **err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sets the hint for a damaged file path (the database db): how to check
 * it, and what removing it costs. Returns -1. */
int state_damage_hint(enum state_db db, const char *path, struct burrow_err **err);

/* The bound on waits for locks held by other processes, in ms. */
unsigned state_wait_ms(void);

/* Sleeps a little longer on every call (starting at 100 us, at most 20 ms):
 * the back-off for polling a lock. *step counts the calls. */
void state_backoff(unsigned *step);

/* Takes an exclusive flock on path (created 0600), polling until
 * state_wait_ms() has passed; what names the lock in the timeout message.
 * Returns the fd or -1. */
int state_flock_path(const char *path, const char *what, struct burrow_err **err);

/* Filesystem name for a statfs f_type ("ext4", "nfs" ...; NULL when
 * unknown) and whether it is a network filesystem. */
const char *state_fs_name(unsigned long magic, int *is_network);
/* The type of the mount whose device is major:minor in mountinfo's text
 * (/proc/self/mountinfo), as mount(8) shows it ("fuse.fuse-overlayfs",
 * "ext4"); NULL when no line has it. Caller frees. */
char *state_fs_mountinfo_type(const char *mountinfo, unsigned int major, unsigned int minor);
/* That type for the filesystem under fd (or path when fd is -1). */
char *state_fs_mount_type(int fd, const char *path);
/* What the filesystem of the directory dirfd lacks of what a store needs,
 * found by trying there (an unnamed file; a named one, removed again, to
 * lock): "unnamed temporary files (O_TMPFILE), file locks"; NULL when it
 * lacks none. Caller frees. */
char *state_fs_lacking(int dirfd);

/* The check state_open does on the storage root / runtime dir: fails with a
 * hint when magic is a network filesystem. what is "storage root" or
 * "runtime dir"; flag the option that moves it ("--root"). */
int state_fs_check_magic(const char *what, const char *path, unsigned long magic, const char *flag,
                         struct burrow_err **err);
int state_fs_check(const char *what, const char *path, const char *flag, struct burrow_err **err);

/* The file's content without trailing blanks; an empty one is an error. */
char *state_read_trimmed(const char *path, struct burrow_err **err);

/* The current boot ID (trimmed), from STATE_BOOT_ID_FILE or the test
 * override. */
char *state_read_boot_id(struct burrow_err **err);

/* This machine's --rm files, rm-<host>.<machine>.<boot ID>.tdb (state/
 * rmfile.c): *prefix is "rm-<host>.<machine>.", the host as
 * state_rm_host_part makes it (BURROW_TEST_HOSTNAME overrides it, for the
 * tests), the machine from /etc/machine-id (BURROW_TEST_MACHINE_ID_FILE
 * overrides it), else /var/lib/dbus/machine-id, else "none"; *old_prefix
 * is "rm-<machine>.", the previous burrow's (its machine without an ID was
 * "host-<host name>"). Characters of the IDs other than letters, digits
 * and '-' are '_'. */
void state_rm_prefixes(char **prefix, char **old_prefix);
/* The host name as a part of a file name: letters, digits and '-' as they
 * are, every other byte as "_xx" (hex), so that no '.' or '/' is left and
 * two names stay two; "_" for an empty one; "_h" and a 64-bit hash when
 * that is longer than 96 characters. */
char *state_rm_host_part(const char *host);
/* This boot's --rm file under root: prefix<boot ID>.tdb; when it is not
 * there but another name of this boot's file is (state_rm_same_boot: an
 * older burrow's, or one made before the host was renamed), that one is
 * linked to it (the claim), or returned where links fail. */
char *state_rm_file_path(const char *root, const char *prefix, const char *old_prefix, const char *boot_id);
/* The older burrows' names of the boot of the file name (this burrow's):
 * old_prefix<boot>.tdb, rm-<boot>.tdb. The caller frees both. */
void state_rm_old_names(const char *name, const char *old_prefix, char *names[2]);
/* Whether other (a file name) may be another name of the --rm file name
 * (this burrow's): an older burrow's name of its boot, or its name under
 * another host name (rm-<other host>.<machine>.<boot>.tdb). */
bool state_rm_same_boot(const char *name, const char *old_prefix, const char *other);
/* What the refresh after a reboot does with the file name in the storage
 * root, mine being this boot's. */
enum state_rm_kind {
	STATE_RM_OTHER, /* keep it: no --rm file, mine, or another machine's */
	STATE_RM_STALE, /* this machine's of an earlier boot: remove it */
	/* an older burrow's name that may be this machine's (rm-<boot>.tdb,
	 * old_prefix<boot>.tdb): remove it only when no machine claimed it
	 * and no other machine can share the storage root */
	STATE_RM_OLD,
};
enum state_rm_kind state_rm_file_kind(const char *name, const char *prefix, const char *old_prefix, const char *mine);
/* Whether the storage root is on a filesystem no other machine can share
 * (a local disk's or memory's); BURROW_TEST_SHARED_ROOT says no, for the
 * tests. */
bool state_rm_root_local(const char *root);

#endif
