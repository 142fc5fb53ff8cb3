/* Copy-up: what the image has at a volume's mount point copied into the
 * (empty) volume on its first use, as podman's mountNamedVolume does. Both
 * sides are walked from directory fds with O_NOFOLLOW: the source is
 * reached inside the rootfs (openat2 RESOLVE_IN_ROOT), so an image's
 * symlink never leads the copy out of the container's root, and a symlink
 * in the image is copied as a symlink, never followed; the target entries
 * are made fresh (O_EXCL, mkdirat, symlinkat) under the volume's fd, so
 * nothing is written through a link either. */
#include "container/mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"

#define COPY_MAX_DEPTH 256

/* Owner, then mode (a chown drops setuid bits), then times. */
static int set_meta(int fd, const struct stat *st, const char *name, struct burrow_err **err)
{
	if (fchown(fd, st->st_uid, st->st_gid) < 0 && errno != EINVAL)
		return burrow_error(err, errno, "cannot set the owner of '%s'", str_quote(name));
	if (fchmod(fd, st->st_mode & 07777) < 0)
		return burrow_error(err, errno, "cannot set the mode of '%s'", str_quote(name));
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	(void)futimens(fd, ts);
	return 0;
}

static int copy_file(int sfd, int dfd, const char *name, const struct stat *st, struct burrow_err **err)
{
	cleanup_close int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return burrow_error(err, errno, "cannot open '%s'", str_quote(name));
	cleanup_close int out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return burrow_error(err, errno, "cannot create '%s'", str_quote(name));
	for (;;) {
		ssize_t n = fd_copy(in, out);
		if (n < 0)
			return burrow_error(err, errno, "cannot copy '%s'", str_quote(name));
		if (n == 0)
			break;
	}
	return set_meta(out, st, name, err);
}

static int copy_dir(int sfd, int dfd, int depth, struct burrow_err **err);

static int copy_entry(int sfd, int dfd, const char *name, int depth, struct burrow_err **err)
{
	struct stat st;
	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return burrow_error(err, errno, "cannot stat '%s'", str_quote(name));
	if (S_ISREG(st.st_mode))
		return copy_file(sfd, dfd, name, &st, err);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return burrow_error(err, errno, "cannot read the link '%s'", str_quote(name));
		target[n] = '\0';
		if (symlinkat(target, dfd, name) < 0)
			return burrow_error(err, errno, "cannot create the link '%s'", str_quote(name));
		(void)fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	if (S_ISFIFO(st.st_mode)) {
		if (mkfifoat(dfd, name, 0600) < 0)
			return burrow_error(err, errno, "cannot create the FIFO '%s'", str_quote(name));
		(void)fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
		/* not followed: a link put in its place meanwhile (a container
		 * sharing the volume) must not lead the mode to a host file */
		(void)fchmodat(dfd, name, st.st_mode & 07777, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0; /* devices (mknod is not allowed here) and sockets */
	if (depth >= COPY_MAX_DEPTH)
		return burrow_error(err, ELOOP, "'%s': directories nested too deep to copy", str_quote(name));
	if (mkdirat(dfd, name, 0700) < 0)
		return burrow_error(err, errno, "cannot create the directory '%s'", str_quote(name));
	cleanup_close int s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int d2 = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s2 < 0 || d2 < 0)
		return burrow_error(err, errno, "cannot open the directory '%s'", str_quote(name));
	if (copy_dir(s2, d2, depth + 1, err) < 0)
		return burrow_error_wrap(err, "%s", name);
	return set_meta(d2, &st, name, err);
}

static int copy_dir(int sfd, int dfd, int depth, struct burrow_err **err)
{
	int fd = dup(sfd);
	if (fd < 0)
		return burrow_error(err, errno, "cannot read a directory");
	cleanup_dir DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return burrow_error(err, errno, "cannot read a directory");
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(sfd, dfd, de->d_name, depth, err) < 0)
			return -1;
		errno = 0;
	}
	if (errno)
		return burrow_error(err, errno, "cannot read a directory");
	return 0;
}

int ctr_copy_up(int rootfd, const char *dest, int dfd, struct burrow_err **err)
{
	cleanup_close int sfd =
	    openat2_retry(rootfd, dest, O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (sfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return burrow_error(err, errno, "cannot open '%s' in the image", str_quote(dest));
	}
	struct stat st, rst;
	if (fstat(sfd, &st) < 0 || fstat(rootfd, &rst) < 0)
		return burrow_error(err, errno, "cannot stat '%s' in the image", str_quote(dest));
	if (st.st_dev == rst.st_dev && st.st_ino == rst.st_ino)
		return burrow_error(err, EINVAL, "'%s' leads to the container's '/' (a symlink in the image)",
		                    str_quote(dest));
	if (copy_dir(sfd, dfd, 0, err) < 0)
		return -1;
	return set_meta(dfd, &st, dest, err);
}
