/* Per-container locks: flock on RUNROOT/locks/<id>.lock. The files live in
 * the runtime dir, so a reboot clears them with everything else. */
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "state/internal.h"

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
			if (errno != EWOULDBLOCK && errno != EINTR)
				return burrow_error(err, errno, "cannot lock '%s'", path);
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
