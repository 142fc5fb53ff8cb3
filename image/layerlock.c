/* The layer locks (see image/image.h): layers/.locks/<chain id>.lock, two
 * bytes of open file description locks, so that every fd (every thread)
 * holds locks of its own. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

int img_layer_lock_open(int layersfd, const char *id, struct burrow_err **err)
{
	if (mkdirat(layersfd, ".locks", 0700) < 0 && errno != EEXIST)
		return burrow_error(err, errno, "cannot create the layer locks' directory");
	cleanup_free char *name = xasprintf(".locks/%s.lock", id);
	int fd = openat(layersfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open the lock of layer %s", id);
	return fd;
}

int img_layer_lock(int fd, int byte, short type, long wait_ms, const atomic_bool *cancel)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1};
	for (long waited = 0;; waited += 50) {
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return -1;
		if (waited >= wait_ms || (cancel && atomic_load(cancel))) {
			errno = EWOULDBLOCK;
			return -1;
		}
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

void img_layer_unlock(int fd, int byte)
{
	struct flock fl = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1};
	fcntl(fd, F_OFD_SETLK, &fl);
}
