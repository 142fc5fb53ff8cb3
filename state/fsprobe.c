/* What a store's filesystem really does, found by trying: the probes that
 * name the property a failing command met (unnamed temporary files, file
 * locks) and the type as mount(8) shows it, a
 * FUSE filesystem's subtype included. Only `info` and the failure paths
 * call them: a command that works never pays for a probe. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/mountinfo.h"
#include "lib/xalloc.h"
#include "state/internal.h"

char *state_fs_mountinfo_type(const char *mountinfo, unsigned int major, unsigned int minor)
{
	cleanup_mountinfo struct mountinfo_entry m = {0};
	for (const char *cur = mountinfo; mountinfo_next(&cur, &m);)
		if (m.major == major && m.minor == minor)
			return xstrdup(m.fstype);
	return NULL;
}

char *state_fs_mount_type(int fd, const char *path)
{
	struct stat st;
	if ((fd >= 0 ? fstat(fd, &st) : stat(path, &st)) < 0)
		return NULL;
	cleanup_free char *buf = NULL;
	if (read_file("/proc/self/mountinfo", &buf, NULL, NULL) < 0)
		return NULL;
	return state_fs_mountinfo_type(buf, major(st.st_dev), minor(st.st_dev));
}

/* Appends what to the list in *out ("a, b"). */
static void lacks(char **out, const char *what)
{
	char *l = *out ? xasprintf("%s, %s", *out, what) : xstrdup(what);
	free(*out);
	*out = l;
}

char *state_fs_lacking(int dirfd)
{
	char *out = NULL;
	cleanup_close int t = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (t < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == ENOSYS))
		lacks(&out, "unnamed temporary files (O_TMPFILE)");
	/* locks on a named file of its own, gone again at once (user extended
	 * attributes are not asked for: tmpfs before Linux 6.6 has none, and
	 * a store works there) */
	char name[64];
	snprintf(name, sizeof(name), ".burrow-fsprobe-%ld", (long)getpid());
	cleanup_close int fd = openat(dirfd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return out;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 && (errno == ENOLCK || errno == EOPNOTSUPP || errno == ENOSYS))
		lacks(&out, "file locks");
	unlinkat(dirfd, name, 0);
	return out;
}
