/* A container's own user namespace, nested in burrow's: the parent (root
 * in burrow's namespace, with CAP_SETUID and CAP_SETGID there) writes its
 * maps directly, so no newuidmap is involved and any ID of burrow's
 * namespace may be mapped. */
#include "runtime/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/sock.h"

/* How long the child waits for its maps. */
#define RT_USERNS_TIMEOUT_MS 30000

static int write_map(pid_t pid, const char *file, const char *map, struct burrow_err **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open '%s'", path);
	/* the kernel takes a map in one write only */
	ssize_t n = write(fd, map, strlen(map));
	if (n < 0 || (size_t)n != strlen(map))
		return burrow_error(err, n < 0 ? errno : EIO, "cannot write the container's %s", file);
	return 0;
}

int rt_userns_map(struct rt_container *c, const struct rt_spec *spec, struct burrow_err **err)
{
	if (write_map(c->pid, "uid_map", spec->uid_map, err) < 0 ||
	    write_map(c->pid, "gid_map", spec->gid_map, err) < 0) {
		burrow_error_hint(err, "every ID in the mappings must exist in burrow's user namespace "
		                       "(burrow info shows its ranges)");
		proc_kill_reap(c->pid, NULL);
		return -1;
	}
	if (sock_send(c->sync_fd, RT_MSG_MAPPED, 0, -1) < 0) {
		int e = errno;
		proc_kill_reap(c->pid, NULL);
		return burrow_error(err, e, "cannot tell %s its user namespace is ready", c->who);
	}
	return 0;
}

int rt_userns_wait(struct rt_init *ini, struct burrow_err **err)
{
	int r = wait_fd(ini->sync_fd, POLLIN, now_ms() + RT_USERNS_TIMEOUT_MS);
	struct sock_msg m = {0};
	if (r > 0)
		r = sock_recv(ini->sync_fd, &m, NULL);
	if (r <= 0 || m.tag != RT_MSG_MAPPED)
		_exit(1); /* the parent gave up: nobody is listening */
	(void)err;
	return 0;
}

int rt_userns_root(struct burrow_err **err)
{
	/* root of the new namespace where 0 is mapped: set up as root, as
	 * without one; EINVAL: 0 is not mapped (a single-ID keep-id map) */
	if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
		return burrow_error(err, errno, "cannot become group 0 in the container's user namespace");
	if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
		return burrow_error(err, errno, "cannot become root in the container's user namespace");
	return 0;
}
