/* Per-container locks: flock on RUNROOT/locks/<id>.lock; locks on named
 * objects (volumes): RUNROOT/locks/<kind>-<name>.lock. The files live in
 * the runtime dir, so a reboot clears them with everything else. */
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/internal.h"
#include "state/paths.h"

int state_flock_path(const char *path, const char *what, struct burrow_err **err)
{
	int64_t deadline = now_ms() + state_wait_ms();
	for (unsigned step = 0;;) {
		cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return burrow_error(err, errno, "cannot open lock file '%s'", path);
		for (;;) {
			if (flock(fd, LOCK_EX | LOCK_NB) == 0)
				break;
			if (errno != EWOULDBLOCK && errno != EINTR) {
				burrow_error(err, errno, "cannot lock '%s'", path);
				return state_fs_explain("lock file", path, fd, "--runroot", err);
			}
			if (now_ms() >= deadline) {
				burrow_error_status(err, ETIMEDOUT, "timed out after %u ms waiting for the lock on %s",
				                    state_wait_ms(), what);
				return burrow_error_hint(err,
				                         "another burrow command is working on it: wait for it to "
				                         "finish, or find it with `fuser %s`",
				                         path);
			}
			state_backoff(&step);
		}
		/* The holder may have removed the file (state_unlock_remove)
		 * while we waited: then this lock guards nothing; take it anew. */
		struct stat a, b;
		if (fstat(fd, &a) < 0)
			return burrow_error(err, errno, "cannot stat '%s'", path);
		if (stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return steal_fd(fd);
		if (now_ms() >= deadline)
			return burrow_error_status(err, ETIMEDOUT, "timed out after %u ms waiting for the lock on %s",
			                           state_wait_ms(), what);
	}
}

/* IDs are hex; anything else would let a caller escape locks/. */
static bool valid_lock_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

static char *lock_path(struct state_store *s, const char *id)
{
	return xasprintf("%s/locks/%s.lock", state_runroot(s), id);
}

int state_lock(struct state_store *s, const char *id, struct burrow_err **err)
{
	if (!id || !valid_lock_id(id))
		return burrow_error_status(err, EINVAL, "cannot lock '%s': not an ID", id ? id : "");
	cleanup_free char *path = lock_path(s, id);
	cleanup_free char *what = xasprintf("container %.12s", id);
	return state_flock_path(path, what, err);
}

int state_lock_try(struct state_store *s, const char *id, struct burrow_err **err)
{
	if (!id || !valid_lock_id(id))
		return burrow_error_status(err, EINVAL, "cannot lock '%s': not an ID", id ? id : "");
	cleanup_free char *path = lock_path(s, id);
	/* a file its holder removed guards nothing: taken anew, a few times */
	for (int tries = 0; tries < 8; tries++) {
		cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return burrow_error(err, errno, "cannot open lock file '%s'", path);
		while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == EWOULDBLOCK)
				return burrow_error_status(err, EWOULDBLOCK,
				                           "container %.12s is locked by another "
				                           "burrow command",
				                           id);
			if (errno != EINTR)
				return burrow_error(err, errno, "cannot lock '%s'", path);
		}
		struct stat a, b;
		if (fstat(fd, &a) < 0)
			return burrow_error(err, errno, "cannot stat '%s'", path);
		if (stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return steal_fd(fd);
	}
	return burrow_error_status(err, EWOULDBLOCK, "container %.12s is locked by another burrow command", id);
}

void state_unlock(int lockfd)
{
	if (lockfd >= 0)
		close(lockfd); /* closing the only fd drops the flock */
}

void state_unlock_remove(struct state_store *s, const char *id, int lockfd)
{
	if (lockfd < 0)
		return;
	if (id && valid_lock_id(id)) {
		cleanup_free char *path = lock_path(s, id);
		unlink(path);
	}
	close(lockfd);
}

/* Longest name kept whole in a lock file's name: "<kind>-<name>.lock" must
 * fit NAME_MAX (255) with a short kind; longer names keep this much and a
 * hash of the whole. */
#define LOCK_NAME_KEEP 200

static char *name_lock_path(struct state_store *s, const char *kind, const char *name)
{
	size_t n = strlen(name);
	if (n <= LOCK_NAME_KEEP)
		return xasprintf("%s/locks/%s-%s.lock", state_runroot(s), kind, name);
	/* FNV-1a: two long names that share the lock only wait for each other */
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211ULL;
	}
	return xasprintf("%s/locks/%s-%.*s-%016llx.lock", state_runroot(s), kind, LOCK_NAME_KEEP, name,
	                 (unsigned long long)h);
}

static bool valid_kind(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;
	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (kind[i] < 'a' || kind[i] > 'z')
			return false;
	return true;
}

int state_lock_name(struct state_store *s, const char *kind, const char *name, struct burrow_err **err)
{
	/* a valid name has no '/' and does not start with '.': it stays in locks/ */
	if (!valid_kind(kind) || !state_valid_name(name))
		return burrow_error_status(err, EINVAL, "cannot lock '%s': not a valid name",
		                           str_quote(name ? name : ""));
	cleanup_free char *path = name_lock_path(s, kind, name);
	cleanup_free char *what = xasprintf("%s '%s'", kind, str_quote(name));
	return state_flock_path(path, what, err);
}

void state_unlock_name_remove(struct state_store *s, const char *kind, const char *name, int lockfd)
{
	if (lockfd < 0)
		return;
	if (valid_kind(kind) && state_valid_name(name)) {
		cleanup_free char *path = name_lock_path(s, kind, name);
		unlink(path);
	}
	close(lockfd);
}
