/* The TDB store: opening both files, refresh after reboot, single records,
 * sorted prefix walks and transactions. */
#include "state/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/strv.h"
#include "lib/fileutil.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "state/internal.h"
#include "state/paths.h"

/* Hash chains per file: fixed at creation. Enough that a few thousand
 * records (1000 containers with their names and runtime records) keep
 * short chains; a walk skips empty chains cheaply. */
#define STATE_HASH_SIZE 4099

static unsigned wait_ms = STATE_WAIT_MS_DEFAULT;

void state_set_wait_ms(unsigned ms)
{
	wait_ms = ms;
}

unsigned state_wait_ms(void)
{
	return wait_ms;
}

void state_backoff(unsigned *step)
{
	trace_mark("state: backoff");
	long us = 100L << (*step < 8 ? *step : 8);
	if (us > 20000)
		us = 20000;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = us * 1000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	(*step)++;
}

const char *state_db_name(enum state_db db)
{
	return db == STATE_RUN ? "state.tdb" : db == STATE_RM ? "rm.tdb" : "burrow.tdb";
}

int state_damage_hint(enum state_db db, const char *path, struct burrow_err **err)
{
	if (db == STATE_RUN)
		return burrow_error_hint(err,
		                         "it holds only runtime state: removing it (rm %s) resets the containers as a "
		                         "reboot does; running ones stay known",
		                         path);
	if (db == STATE_RM)
		return burrow_error_hint(
		    err, "it holds only this boot's --rm containers: moving it away forgets them (their "
		         "files stay under the storage root)");
	return burrow_error_hint(err,
	                         "check it with `tdbtool %s check`; moving it away starts afresh but forgets every "
	                         "container, image and volume it recorded",
	                         path);
}

int state_tdb_error(struct state_store *s, enum state_db db, struct burrow_err **err, const char *fmt, ...)
{
	enum TDB_ERROR ec = s->tdb[db] ? tdb_error(s->tdb[db]) : TDB_ERR_IO;
	const struct state_tdb_log *log = &s->log[db];
	const char *why;
	int status;
	bool damaged = false;
	switch (ec) {
	case TDB_ERR_CORRUPT:
		damaged = true;
		break;
	case TDB_ERR_IO:
		/* an I/O error the system did not report is tdb's own bounds
		 * check: a pointer past the end of the file (truncated, or
		 * overwritten hash chains) */
		damaged = log->damaged || !log->os_errno;
		break;
	case TDB_ERR_OOM:
		/* growing the file (ENOSPC, EFBIG) is reported as OOM too */
		break;
	default:
		break;
	}
	if (damaged) {
		why = "the file is damaged";
		status = EIO;
	} else if ((ec == TDB_ERR_IO || ec == TDB_ERR_OOM) && log->os_errno) {
		why = strerror(log->os_errno);
		status = log->os_errno;
	} else {
		switch (ec) {
		case TDB_ERR_LOCK:
		case TDB_ERR_NOLOCK:
		case TDB_ERR_LOCK_TIMEOUT:
			why = "cannot lock the database";
			status = ENOLCK;
			break;
		case TDB_ERR_OOM:
			why = "out of memory";
			status = ENOMEM;
			break;
		case TDB_ERR_EXISTS:
			why = "record exists";
			status = EEXIST;
			break;
		case TDB_ERR_NOEXIST:
			why = "record does not exist";
			status = ENOENT;
			break;
		case TDB_ERR_RDONLY:
			why = "database is read-only";
			status = EROFS;
			break;
		case TDB_ERR_NESTING:
			why = "a transaction is already open";
			status = EBUSY;
			break;
		case TDB_ERR_EINVAL:
		default:
			why = "invalid request";
			status = EINVAL;
			break;
		}
	}
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *what = xvasprintf(fmt, ap);
	va_end(ap);
	burrow_error_status(err, status, "%s in '%s': %s", what, s->path[db], why);
	if (damaged)
		state_damage_hint(db, s->path[db], err);
	return -1;
}

char *state_read_trimmed(const char *path, struct burrow_err **err)
{
	char *buf = NULL;
	if (read_file(path, &buf, NULL, err) < 0)
		return NULL;
	size_t n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if (n == 0) {
		free(buf);
		burrow_error(err, 0, "'%s' is empty", path);
		return NULL;
	}
	return buf;
}

char *state_read_boot_id(struct burrow_err **err)
{
	const char *path = getenv("BURROW_TEST_BOOT_ID_FILE");
	if (!path || !*path)
		path = STATE_BOOT_ID_FILE;
	char *id = state_read_trimmed(path, err);
	if (!id)
		burrow_error_wrap(err, "cannot read the boot ID");
	return id;
}

static void tdb_log_hook(struct tdb_context *tdb, enum tdb_debug_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* tdb's own log lines go to --log-level=debug only: failures reach the
 * user as error records, worded from what the log says here (log_private
 * points at the file's struct state_tdb_log): that tdb has just rolled back
 * a transaction a killed process left half-committed; that the file is
 * damaged (a pointer past its end, a bad record magic); or that the system
 * refused a read, write or growth (the message then carries strerror of
 * the errno it failed with, which tells it from a stale errno; a growth
 * posix_fallocate refused says nothing but that it failed: ENOSPC). */
static void tdb_log_hook(struct tdb_context *tdb, enum tdb_debug_level level, const char *fmt, ...)
{
	int saved = errno;
	struct state_tdb_log *log = tdb ? tdb_get_logging_private(tdb) : NULL;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *m = xvasprintf(fmt, ap);
	va_end(ap);
	size_t n = strlen(m);
	while (n > 0 && m[n - 1] == '\n')
		m[--n] = '\0';
	if (log && strstr(m, "tdb_transaction_recover: recovered"))
		log->recovered = true;
	if (log && level == TDB_DEBUG_FATAL) {
		if (strstr(m, "beyond eof") || strstr(m, "bad magic") || strstr(m, " wrap") ||
		    strstr(m, "transaction_read: failed"))
			log->damaged = true;
		else if (saved && strstr(m, strerror(saved)))
			log->os_errno = saved;
		else if (!log->os_errno && (strstr(m, "expansion failed") || strstr(m, "create recovery area")))
			/* tdb grows the file with posix_fallocate first and gives
			 * up on its ENOSPC without a line of its own (and without
			 * errno: it is the return value); every other way growing
			 * fails has said why before this line */
			log->os_errno = ENOSPC;
	}
	if (burrow_log_level >= BURROW_LOG_DEBUG && level <= TDB_DEBUG_WARNING)
		burrow_debug("tdb %s: %s", tdb ? tdb_name(tdb) : "?", m);
	errno = saved;
}

/* After tdb rolled back a half-committed transaction (its writer was
 * killed), the file can hold records that no hash chain reaches when that
 * transaction had grown it (libtdb 1.4 restores the old contents but not the
 * old length), and tdb_check calls the file damaged. The records every
 * reader sees are the committed ones, so a repack (a transaction that copies
 * them out, wipes the file and copies them back) cleans it. */
static int repair_after_recovery(struct tdb_context *t, enum state_db db, const char *path, struct burrow_err **err)
{
	if (tdb_check(t, NULL, NULL) == 0)
		return 0;
	burrow_debug("tdb %s: unreachable records after a rolled-back transaction: repacking", path);
	if (tdb_repack(t) != 0 || tdb_check(t, NULL, NULL) != 0) {
		burrow_error_status(err, EIO, "'%s' is damaged and could not be repaired after a crash", path);
		return state_damage_hint(db, path, err);
	}
	return 0;
}

/* The flags the files are opened with. The persistent file keeps tdb's
 * synchronous transactions (recovery data reaches the disk before the
 * records change). The runtime file skips the fsyncs wherever it lives: a
 * killed process still leaves the recovery area for the next opener (the
 * page cache is shared), and only a power cut loses what was not synced --
 * after which the boot ID differs and the runtime state is rebuilt anyway.
 * The fsyncs would cost several ms on every `burrow run` with the runtime
 * dir on disk (the /tmp fallback). The --rm file skips them for the same
 * reason (STATE_RM in state.h): they were most of a `run --rm`. */
static int tdb_flags(enum state_db db)
{
	return TDB_INCOMPATIBLE_HASH | TDB_DISALLOW_NESTING | (db != STATE_DB ? TDB_NOSYNC : 0);
}

/* Creates an empty database at path unless a file is already there. It is
 * written under a temporary name and linked into place, so that path never
 * names a file without a header: an empty file is damage, never "new". */
static int create_tdb(const char *path, enum state_db db, struct burrow_err **err)
{
	cleanup_free char *tmp = xasprintf("%s.new-%d", path, (int)getpid());
	/* left by a killed creator that had our pid */
	(void)unlink(tmp);
	const struct tdb_logging_context log_ctx = {.log_fn = tdb_log_hook, .log_private = NULL};
	errno = 0;
	struct tdb_context *t = tdb_open_ex(tmp, STATE_HASH_SIZE, tdb_flags(db), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	                                    0600, &log_ctx, NULL);
	if (!t)
		return burrow_error(err, errno ? errno : EIO, "cannot create '%s'", tmp);
	/* the header on the disk before the name: a power cut must not leave
	 * an empty burrow.tdb behind */
	int r = db == STATE_DB ? fsync(tdb_fd(t)) : 0;
	int e = errno;
	if (tdb_close(t) != 0 && r == 0) {
		r = -1;
		e = errno ? errno : EIO;
	}
	if (r == 0) {
		r = link(tmp, path);
		e = errno;
		/* filesystems without hard links */
		if (r < 0 && (e == EPERM || e == EOPNOTSUPP || e == ENOSYS)) {
			r = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
			e = errno;
		}
	}
	(void)unlink(tmp);
	if (r < 0 && e != EEXIST) /* EEXIST: another command made it first */
		return burrow_error(err, e, "cannot create '%s'", path);
	return 0;
}

static struct tdb_context *open_tdb(const char *path, enum state_db db, struct state_tdb_log *log,
                                    struct burrow_err **err)
{
	const struct tdb_logging_context log_ctx = {.log_fn = tdb_log_hook, .log_private = log};
	/* Never O_CREAT on the file itself: tdb rewrites a file whose header it
	 * does not recognise (an empty one included) as a new, empty database,
	 * and a damaged file would be wiped without a word. */
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT) {
			burrow_error(err, errno, "cannot open '%s'", path);
			return NULL;
		}
		if (create_tdb(path, db, err) < 0)
			return NULL;
	} else if (st.st_size == 0) {
		burrow_error_status(err, EIO, "cannot open '%s': not a database, or a damaged one (the file is empty)",
		                    path);
		state_damage_hint(db, path, err);
		return NULL;
	}
	errno = 0;
	struct tdb_context *t =
	    tdb_open_ex(path, STATE_HASH_SIZE, tdb_flags(db), O_RDWR | O_CLOEXEC, 0600, &log_ctx, NULL);
	if (!t) {
		int e = errno ? errno : EIO;
		if (e == EIO || e == EINVAL) {
			burrow_error_status(err, EIO, "cannot open '%s': not a database, or a damaged one", path);
			state_damage_hint(db, path, err);
			return NULL;
		}
		burrow_error(err, e, "cannot open '%s'", path);
		if (e == EBUSY)
			burrow_error_hint(err, "it is already open in this process: pass the open store along");
		else
			state_fs_explain(db != STATE_RUN ? "storage root" : "runtime dir", path, -1,
			                 db != STATE_RUN ? "--root" : "--runroot", err);
		return NULL;
	}
	if (log->recovered) {
		log->recovered = false;
		if (repair_after_recovery(t, db, path, err) < 0) {
			tdb_close(t);
			return NULL;
		}
	}
	return t;
}

/* Reads meta/boot-id from state.tdb (NULL when missing). */
static int stored_boot_id(struct state_store *s, char **out, struct burrow_err **err)
{
	cleanup_free char *json = NULL;
	int r = state_get(s, STATE_RUN, STATE_META_BOOT_ID, &json, err);
	if (r < 0)
		return -1;
	*out = r == 0 ? steal_ptr(json) : NULL;
	return 0;
}

static int quoted_equals(const char *json, const char *s)
{
	size_t n = strlen(s);
	return json && json[0] == '"' && strncmp(json + 1, s, n) == 0 && json[n + 1] == '"' && json[n + 2] == '\0';
}

/* Decides whether the runtime state predates this boot. Under the refresh
 * lock, so that of two commands racing after a reboot one refreshes and the
 * other waits and then finds the new boot ID. */
static int check_boot(struct state_store *s, struct burrow_err **err)
{
	cleanup_free char *stored = NULL;
	if (stored_boot_id(s, &stored, err) < 0)
		return -1;
	if (quoted_equals(stored, s->boot_id))
		return 0;
	cleanup_free char *lockpath = path_join(s->runroot, "locks/refresh.lock");
	int fd = state_flock_path(lockpath, "the refresh after a reboot", err);
	if (fd < 0)
		return -1;
	free(steal_ptr(stored));
	if (stored_boot_id(s, &stored, err) < 0) {
		close(fd);
		return -1;
	}
	if (quoted_equals(stored, s->boot_id)) {
		close(fd);
		return 0;
	}
	s->stale_boot = steal_ptr(stored);
	s->needs_refresh = true;
	s->refresh_lockfd = fd;
	return 0;
}

int state_open(const char *root, const char *runroot, struct state_store **out, struct burrow_err **err)
{
	struct state_store *s = xcalloc(1, sizeof(*s));
	s->refresh_lockfd = -1;
	s->root = xstrdup(root);
	s->runroot = xstrdup(runroot);
	s->path[STATE_DB] = path_join(root, "burrow.tdb");
	s->path[STATE_RUN] = path_join(runroot, "state.tdb");
	cleanup_free char *locks = path_join(runroot, "locks");

	if (state_fs_check("storage root", root, "--root", err) < 0 ||
	    state_fs_check("runtime dir", runroot, "--runroot", err) < 0)
		goto fail;
	if (mkdir(locks, 0700) < 0 && errno != EEXIST) {
		burrow_error(err, errno, "cannot create directory '%s'", locks);
		goto fail;
	}
	s->boot_id = state_read_boot_id(err);
	if (!s->boot_id)
		goto fail;
	state_rm_prefixes(&s->rm_prefix, &s->rm_old_prefix);
	s->path[STATE_RM] = state_rm_file_path(root, s->rm_prefix, s->rm_old_prefix, s->boot_id);
	s->tdb[STATE_DB] = open_tdb(s->path[STATE_DB], STATE_DB, &s->log[STATE_DB], err);
	if (!s->tdb[STATE_DB])
		goto fail;
	s->tdb[STATE_RUN] = open_tdb(s->path[STATE_RUN], STATE_RUN, &s->log[STATE_RUN], err);
	if (!s->tdb[STATE_RUN])
		goto fail;
	if (check_boot(s, err) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	state_close(s);
	return -1;
}

void state_close(struct state_store *s)
{
	if (!s)
		return;
	for (int db = 0; db < STATE_NDB; db++) {
		state_tx_cancel(s, (enum state_db)db);
		if (s->tdb[db])
			tdb_close(s->tdb[db]);
		free(s->path[db]);
	}
	if (s->refresh_lockfd >= 0)
		close(s->refresh_lockfd);
	for (size_t i = 0; i < s->nfresh; i++)
		free(s->fresh[i]);
	free(s->fresh);
	free(s->root);
	free(s->runroot);
	free(s->boot_id);
	free(s->stale_boot);
	free(s->rm_prefix);
	free(s->rm_old_prefix);
	free(s);
}

int state_reopen(struct state_store *s, struct burrow_err **err)
{
	/* The refresh lock belongs to the parent: our copy of its fd would
	 * keep it held after the parent is done. */
	if (s->refresh_lockfd >= 0) {
		close(s->refresh_lockfd);
		s->refresh_lockfd = -1;
		s->needs_refresh = false;
	}
	for (int db = 0; db < STATE_NDB; db++) {
		if (s->in_tx[db])
			return burrow_error_status(err, EBUSY, "cannot reopen '%s' inside a transaction", s->path[db]);
		if (!s->tdb[db]) /* the --rm file, not open yet */
			continue;
		if (tdb_reopen(s->tdb[db]) != 0) {
			/* tdb_reopen frees the context when it fails */
			s->tdb[db] = NULL;
			return burrow_error(err, errno ? errno : EIO, "cannot reopen '%s'", s->path[db]);
		}
	}
	return 0;
}

void state_fds(const struct state_store *s, int fds[STATE_NDB])
{
	for (int db = 0; db < STATE_NDB; db++)
		fds[db] = s->tdb[db] ? tdb_fd(s->tdb[db]) : -1;
}

bool state_needs_refresh(const struct state_store *s)
{
	return s->needs_refresh;
}

struct key_list {
	char **keys;
	size_t n, cap;
};

static int collect_stale(struct tdb_context *tdb, TDB_DATA key, TDB_DATA val, void *data)
{
	(void)tdb;
	(void)val;
	struct key_list *l = data;
	if (key.dsize == strlen(STATE_META_BOOT_ID) && memcmp(key.dptr, STATE_META_BOOT_ID, key.dsize) == 0)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->keys = xrealloc(l->keys, l->cap * sizeof(char *));
	}
	l->keys[l->n++] = xstrndup((const char *)key.dptr, key.dsize);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remembers a key of state.tdb the caller wrote while a refresh is due. */
static void note_fresh(struct state_store *s, const char *key)
{
	if (s->nfresh == s->capfresh) {
		s->capfresh = s->capfresh ? s->capfresh * 2 : 64;
		s->fresh = xrealloc(s->fresh, s->capfresh * sizeof(char *));
	}
	s->fresh[s->nfresh++] = xstrdup(key);
}

int state_refresh_done(struct state_store *s, struct burrow_err **err)
{
	if (!s->needs_refresh)
		return 0;
	struct key_list l = {0};
	cleanup_free char *json = xasprintf("\"%s\"", s->boot_id);
	int rc = -1;
	if (state_tx_begin(s, STATE_RUN, err) < 0)
		return -1;
	/* Everything in state.tdb belongs to the old boot: pids, mount points
	 * and sockets that no longer exist. */
	if (tdb_traverse(s->tdb[STATE_RUN], collect_stale, &l) < 0) {
		state_tdb_error(s, STATE_RUN, err, "cannot walk the runtime records");
		goto out;
	}
	/* ... except what the caller wrote during the refresh (containers
	 * reset to configured or exited) */
	if (s->nfresh > 1)
		qsort(s->fresh, s->nfresh, sizeof(char *), cmp_str);
	size_t dropped = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (s->nfresh && bsearch(&l.keys[i], s->fresh, s->nfresh, sizeof(char *), cmp_str))
			continue;
		if (state_del(s, STATE_RUN, l.keys[i], err) < 0)
			goto out;
		dropped++;
	}
	if (state_put(s, STATE_RUN, STATE_META_BOOT_ID, json, err) < 0)
		goto out;
	if (state_tx_commit(s, STATE_RUN, err) < 0)
		goto out;
	if (s->stale_boot)
		burrow_debug("runtime state in '%s' was from boot %s, this is boot %s: refreshed (%zu stale records "
		             "dropped)",
		             s->path[STATE_RUN], s->stale_boot, s->boot_id, dropped);
	else
		burrow_debug("runtime state in '%s' is new: refreshed for boot %s", s->path[STATE_RUN], s->boot_id);
	s->needs_refresh = false;
	close(s->refresh_lockfd);
	s->refresh_lockfd = -1;
	rc = 0;
out:
	if (rc < 0)
		state_tx_cancel(s, STATE_RUN);
	for (size_t i = 0; i < l.n; i++)
		free(l.keys[i]);
	free(l.keys);
	return rc;
}

const char *state_root(const struct state_store *s)
{
	return s->root;
}

const char *state_runroot(const struct state_store *s)
{
	return s->runroot;
}

const char *state_boot_id(const struct state_store *s)
{
	return s->boot_id;
}

static TDB_DATA key_of(const char *key)
{
	return (TDB_DATA){.dptr = (unsigned char *)(uintptr_t)key, .dsize = strlen(key)};
}

/* Opens the --rm file unless it is open: when it exists, or (make) to
 * write into it. It is made on the first write, not by state_open: a
 * command that stores no --rm container never writes it, so that one still
 * runs (rm, volume rm) on a disk that is full after a reboot. 1: open, 0:
 * there is none, -1. */
static int rm_file_open(struct state_store *s, bool make, struct burrow_err **err)
{
	if (s->tdb[STATE_RM])
		return 1;
	if (!make && access(s->path[STATE_RM], F_OK) < 0 && errno == ENOENT)
		return 0;
	s->tdb[STATE_RM] = open_tdb(s->path[STATE_RM], STATE_RM, &s->log[STATE_RM], err);
	return s->tdb[STATE_RM] ? 1 : -1;
}

/* Checks db and key before an operation: 1 to go on, 0 when db is the
 * --rm file and there is none yet (make: it is made), -1. */
static int check_db(struct state_store *s, enum state_db db, const char *key, bool make, struct burrow_err **err)
{
	if ((unsigned)db >= STATE_NDB)
		return burrow_error_status(err, EINVAL, "no such state database %d", (int)db);
	if (db == STATE_RM) {
		int r = rm_file_open(s, make, err);
		if (r <= 0)
			return r;
	}
	if (!s->tdb[db])
		return burrow_error_status(err, EINVAL, "no such state database %d", (int)db);
	if (key && !*key)
		return burrow_error_status(err, EINVAL, "empty key in '%s'", s->path[db]);
	/* what the log says from here on is about this operation */
	s->log[db].damaged = false;
	s->log[db].os_errno = 0;
	return 1;
}

static int copy_record(TDB_DATA key, TDB_DATA val, void *data)
{
	(void)key;
	char *v = xmalloc(val.dsize + 1);
	memcpy(v, val.dptr, val.dsize);
	v[val.dsize] = '\0';
	*(char **)data = v;
	return 0;
}

int state_get(struct state_store *s, enum state_db db, const char *key, char **json, struct burrow_err **err)
{
	int ok = check_db(s, db, key, false, err);
	if (ok <= 0)
		return ok < 0 ? -1 : 1;
	char *v = NULL;
	if (tdb_parse_record(s->tdb[db], key_of(key), copy_record, &v) != 0) {
		free(v);
		if (tdb_error(s->tdb[db]) == TDB_ERR_NOEXIST)
			return 1;
		return state_tdb_error(s, db, err, "cannot read '%s'", key);
	}
	*json = v;
	return 0;
}

int state_get_any(struct state_store *s, const char *key, char **json, struct burrow_err **err)
{
	int r = state_get(s, STATE_DB, key, json, err);
	return r == 1 ? state_get(s, STATE_RM, key, json, err) : r;
}

int state_has(struct state_store *s, enum state_db db, const char *key, struct burrow_err **err)
{
	int ok = check_db(s, db, key, false, err);
	if (ok <= 0)
		return ok;
	if (tdb_exists(s->tdb[db], key_of(key)))
		return 1;
	/* 0 is also what a failed lock or read returns: tdb says which */
	if (tdb_error(s->tdb[db]) == TDB_ERR_NOEXIST)
		return 0;
	return state_tdb_error(s, db, err, "cannot look up '%s'", key);
}

/* A change outside a transaction still lands whole: tdb_store and
 * tdb_delete rewrite records and free lists in several steps, so a kill in
 * between would leave the file damaged. Each is wrapped in its own
 * transaction unless the caller has one open. */
static int change(struct state_store *s, enum state_db db, const char *key, const char *json, int flag,
                  struct burrow_err **err)
{
	if (check_db(s, db, key, true, err) < 0)
		return -1;
	bool own = !s->in_tx[db];
	if (own && state_tx_begin(s, db, err) < 0)
		return -1;
	if (db == STATE_RUN && json && s->needs_refresh && strcmp(key, STATE_META_BOOT_ID) != 0)
		note_fresh(s, key);
	int r;
	if (json)
		r = tdb_store(s->tdb[db], key_of(key), key_of(json), flag);
	else
		r = tdb_delete(s->tdb[db], key_of(key));
	if (r != 0 && !(json == NULL && tdb_error(s->tdb[db]) == TDB_ERR_NOEXIST)) {
		if (tdb_error(s->tdb[db]) == TDB_ERR_EXISTS)
			burrow_error_status(err, EEXIST, "'%s' already exists", key);
		else
			state_tdb_error(s, db, err, "cannot %s '%s'", json ? "store" : "delete", key);
		if (own)
			state_tx_cancel(s, db);
		return -1;
	}
	if (own)
		return state_tx_commit(s, db, err);
	return 0;
}

int state_put(struct state_store *s, enum state_db db, const char *key, const char *json, struct burrow_err **err)
{
	if (!json)
		return burrow_error_status(err, EINVAL, "no value to store for '%s'", key ? key : "");
	return change(s, db, key, json, TDB_REPLACE, err);
}

int state_insert(struct state_store *s, enum state_db db, const char *key, const char *json, struct burrow_err **err)
{
	if (!json)
		return burrow_error_status(err, EINVAL, "no value to store for '%s'", key ? key : "");
	return change(s, db, key, json, TDB_INSERT, err);
}

int state_del(struct state_store *s, enum state_db db, const char *key, struct burrow_err **err)
{
	return change(s, db, key, NULL, TDB_REPLACE, err);
}

struct each_rec {
	char *key;
	char *json;
};

struct each_ctx {
	const char *prefix;
	size_t plen;
	const char *needle; /* only records that hold it (NULL: all) */
	bool keys_only;
	struct each_rec *recs;
	size_t n, cap;
};

static int collect(struct tdb_context *tdb, TDB_DATA key, TDB_DATA val, void *data)
{
	(void)tdb;
	struct each_ctx *c = data;
	if (key.dsize < c->plen || memcmp(key.dptr, c->prefix, c->plen) != 0)
		return 0;
	if (c->needle && !memmem(val.dptr, val.dsize, c->needle, strlen(c->needle)))
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->recs = xrealloc(c->recs, c->cap * sizeof(*c->recs));
	}
	struct each_rec *r = &c->recs[c->n++];
	r->key = xstrndup((const char *)key.dptr, key.dsize);
	r->json = c->keys_only ? NULL : xstrndup((const char *)val.dptr, val.dsize);
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	return strcmp(((const struct each_rec *)a)->key, ((const struct each_rec *)b)->key);
}

static void free_recs(struct each_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->recs[i].key);
		free(c->recs[i].json);
	}
	free(c->recs);
}

static int collect_sorted(struct state_store *s, enum state_db db, const char *prefix, const char *needle,
                          bool keys_only, struct each_ctx *c, struct burrow_err **err)
{
	memset(c, 0, sizeof(*c));
	c->prefix = prefix ? prefix : "";
	c->plen = strlen(c->prefix);
	c->needle = needle;
	c->keys_only = keys_only;
	int ok = check_db(s, db, NULL, false, err);
	if (ok <= 0)
		return ok; /* none: no records */
	/* The walk runs inside a transaction (ours, or one opened just for
	 * it and cancelled after): it sees one consistent picture, waits for
	 * writers boundedly, takes tdb's locks in tdb's own order (a whole-file
	 * read lock taken first would deadlock against a committing writer) and
	 * pays a few fcntl calls instead of several per record. */
	bool own = !s->in_tx[db];
	if (own && state_tx_begin(s, db, err) < 0)
		return -1;
	int r = tdb_traverse_read(s->tdb[db], collect, c);
	if (own)
		state_tx_cancel(s, db);
	if (r < 0) {
		free_recs(c);
		memset(c, 0, sizeof(*c));
		return state_tdb_error(s, db, err, "cannot walk the records");
	}
	if (c->n > 1)
		qsort(c->recs, c->n, sizeof(*c->recs), cmp_rec);
	return 0;
}

int state_each(struct state_store *s, enum state_db db, const char *prefix, state_each_fn fn, void *data,
               struct burrow_err **err)
{
	return state_each_with(s, db, prefix, NULL, fn, data, err);
}

int state_each_with(struct state_store *s, enum state_db db, const char *prefix, const char *needle, state_each_fn fn,
                    void *data, struct burrow_err **err)
{
	struct each_ctx c;
	if (collect_sorted(s, db, prefix, needle, false, &c, err) < 0)
		return -1;
	/* The callbacks run after the walk, without tdb locks held: they may
	 * read, write or open transactions. */
	int rc = 0;
	for (size_t i = 0; i < c.n; i++) {
		int r = fn(c.recs[i].key, c.recs[i].json, data, err);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r > 0)
			break;
	}
	free_recs(&c);
	return rc;
}

/* One stale --rm file: its records under prefix, sorted, to fn; then the
 * file goes. */
static int rm_stale_one(const char *path, const char *prefix, state_each_fn fn, void *data, struct burrow_err **err)
{
	struct state_tdb_log log = {0};
	struct burrow_err *e = NULL;
	struct tdb_context *t = open_tdb(path, STATE_RM, &log, &e);
	struct each_ctx c = {.prefix = prefix ? prefix : "", .plen = prefix ? strlen(prefix) : 0};
	if (t && tdb_traverse_read(t, collect, &c) < 0)
		burrow_error_status(&e, EIO, "cannot walk the records of '%s': the file is damaged", path);
	if (t)
		tdb_close(t);
	if (e) {
		/* torn by the crash that ended its boot: what it held is lost,
		 * the containers' files stay under the storage root */
		burrow_warn("%s: removed, its --rm containers are forgotten", e->msg);
		burrow_err_free(e);
		free_recs(&c);
		(void)unlink(path);
		return 0;
	}
	if (c.n > 1)
		qsort(c.recs, c.n, sizeof(*c.recs), cmp_rec);
	int rc = 0;
	for (size_t i = 0; i < c.n && rc == 0; i++)
		rc = fn(c.recs[i].key, c.recs[i].json, data, err) < 0 ? -1 : 0;
	free_recs(&c);
	if (rc == 0 && unlink(path) < 0 && errno != ENOENT)
		return burrow_error(err, errno, "cannot remove '%s'", path);
	return rc;
}

/* The other names of the stale file st (this burrow's name) that are
 * that file, as a claim made them (state_rm_file_path): an older
 * burrow's, or this burrow's under the host's name before a rename.
 * Removed before the file is, so that a crash between the two leaves
 * this name, which the next refresh takes again, not another that looks
 * like a clone's. */
static void rm_stale_aliases(struct state_store *s, const char *name, const struct stat *st)
{
	cleanup_dir DIR *d = opendir(s->root);
	if (!d)
		return;
	cleanup_strv char **same = NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat o;
		if (state_rm_same_boot(name, s->rm_old_prefix, de->d_name) &&
		    fstatat(dirfd(d), de->d_name, &o, AT_SYMLINK_NOFOLLOW) == 0 && o.st_dev == st->st_dev &&
		    o.st_ino == st->st_ino)
			strv_append(&same, de->d_name);
	}
	for (size_t i = 0; same && same[i]; i++)
		(void)unlinkat(dirfd(d), same[i], 0);
}

int state_rm_stale(struct state_store *s, const char *prefix, state_each_fn fn, void *data, struct burrow_err **err)
{
	cleanup_dir DIR *d = opendir(s->root);
	if (!d)
		return burrow_error(err, errno, "cannot read directory '%s'", s->root);
	const char *mine = strrchr(s->path[STATE_RM], '/') + 1;
	int local = -1; /* not asked yet */
	struct dirent *de;
	while ((de = readdir(d))) {
		enum state_rm_kind k = state_rm_file_kind(de->d_name, s->rm_prefix, s->rm_old_prefix, mine);
		if (k == STATE_RM_OTHER)
			continue;
		cleanup_free char *path = path_join(s->root, de->d_name);
		struct stat st;
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (k == STATE_RM_OLD) {
			/* claimed: its claimer removes it with its own name */
			if (st.st_nlink > 1)
				continue;
			if (local < 0)
				local = state_rm_root_local(s->root);
			if (!local) {
				burrow_warn("kept '%s', an older burrow's --rm file: another machine that shares the "
				            "storage root may run its containers (remove it once none does)",
				            path);
				continue;
			}
		}
		if (k == STATE_RM_STALE && st.st_nlink > 1)
			rm_stale_aliases(s, de->d_name, &st);
		if (rm_stale_one(path, prefix, fn, data, err) < 0)
			return -1;
	}
	return 0;
}

int state_keys(struct state_store *s, enum state_db db, const char *prefix, char ***keys, size_t *n,
               struct burrow_err **err)
{
	struct each_ctx c;
	if (collect_sorted(s, db, prefix, NULL, true, &c, err) < 0)
		return -1;
	char **v = xcalloc(c.n + 1, sizeof(char *));
	for (size_t i = 0; i < c.n; i++)
		v[i] = c.recs[i].key;
	free(c.recs);
	*keys = v;
	if (n)
		*n = c.n;
	return 0;
}

int state_tx_begin(struct state_store *s, enum state_db db, struct burrow_err **err)
{
	if (check_db(s, db, NULL, true, err) < 0)
		return -1;
	if (s->in_tx[db])
		return burrow_error_status(err, EBUSY, "a transaction on '%s' is already open", s->path[db]);
	int64_t deadline = now_ms() + state_wait_ms();
	for (unsigned step = 0;;) {
		if (tdb_transaction_start_nonblock(s->tdb[db]) == 0) {
			if (!s->log[db].recovered)
				break;
			/* starting it rolled back another writer's half-commit */
			s->log[db].recovered = false;
			tdb_transaction_cancel(s->tdb[db]);
			if (repair_after_recovery(s->tdb[db], db, s->path[db], err) < 0)
				return -1;
			continue;
		}
		enum TDB_ERROR ec = tdb_error(s->tdb[db]);
		if (ec != TDB_ERR_LOCK && ec != TDB_ERR_NOLOCK)
			return state_tdb_error(s, db, err, "cannot start a transaction");
		if (now_ms() >= deadline) {
			burrow_error_status(err, ETIMEDOUT, "timed out after %u ms waiting to write '%s'",
			                    state_wait_ms(), s->path[db]);
			return burrow_error_hint(err, "another burrow process holds it: wait for it to finish");
		}
		state_backoff(&step);
	}
	s->in_tx[db] = true;
	return 0;
}

int state_tx_commit(struct state_store *s, enum state_db db, struct burrow_err **err)
{
	if (check_db(s, db, NULL, false, err) < 0)
		return -1;
	if (!s->in_tx[db])
		return burrow_error_status(err, EINVAL, "no transaction on '%s' to commit", s->path[db]);
	s->in_tx[db] = false;
	if (tdb_transaction_commit(s->tdb[db]) != 0) {
		state_tdb_error(s, db, err, "cannot commit a transaction");
		/* most failures cancel it already; a failed final sync does not */
		if (tdb_transaction_active(s->tdb[db]))
			tdb_transaction_cancel(s->tdb[db]);
		return -1;
	}
	return 0;
}

void state_tx_cancel(struct state_store *s, enum state_db db)
{
	if ((unsigned)db >= STATE_NDB || !s->tdb[db] || !s->in_tx[db])
		return;
	s->in_tx[db] = false;
	tdb_transaction_cancel(s->tdb[db]);
}

bool state_in_tx(const struct state_store *s, enum state_db db)
{
	return (unsigned)db < STATE_NDB && s->in_tx[db];
}

static int check_one(TDB_DATA key, TDB_DATA val, void *data)
{
	(void)key;
	(void)val;
	(void)data;
	return 0;
}

int state_verify(struct state_store *s, struct burrow_err **err)
{
	for (int db = 0; db < STATE_NDB; db++) {
		int ok = check_db(s, (enum state_db)db, NULL, false, err);
		if (ok < 0)
			return -1;
		if (ok == 0)
			continue;
		if (s->in_tx[db])
			return burrow_error_status(err, EBUSY, "cannot check '%s' inside a transaction", s->path[db]);
		if (tdb_check(s->tdb[db], check_one, NULL) != 0) {
			burrow_error_status(err, EIO, "'%s' is damaged: its consistency check failed", s->path[db]);
			return state_damage_hint((enum state_db)db, s->path[db], err);
		}
	}
	return 0;
}
