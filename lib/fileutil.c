#include "lib/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/walk.h"
#include "lib/xalloc.h"

ssize_t read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = TEMP_FAILURE_RETRY(read(fd, (char *)buf + done, len - done));
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = TEMP_FAILURE_RETRY(write(fd, (const char *)buf + done, len - done));
		if (r < 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct burrow_err **err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open '%s'", str_quote(path));
	size_t cap = 4096, n = 0;
	cleanup_free char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = TEMP_FAILURE_RETRY(read(fd, buf + n, cap - n - 1));
		if (r < 0)
			return burrow_error(err, errno, "cannot read '%s'", str_quote(path));
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = steal_ptr(buf);
	return 0;
}

ssize_t fd_copy(int from, int to)
{
	char buf[65536];
	ssize_t n = TEMP_FAILURE_RETRY(read(from, buf, sizeof(buf)));
	if (n <= 0)
		return n;
	if (write_all(to, buf, (size_t)n) < 0)
		return -1;
	return n;
}

int fd_xattrs_each(int fd, int (*fn)(const char *name, const void *val, size_t len, void *data), void *data)
{
	ssize_t len = flistxattr(fd, NULL, 0);
	if (len <= 0)
		return 0;
	cleanup_free char *list = xmalloc((size_t)len);
	len = flistxattr(fd, list, (size_t)len);
	for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t)strlen(list + off) + 1) {
		const char *name = list + off;
		ssize_t vl = fgetxattr(fd, name, NULL, 0);
		if (vl < 0)
			continue;
		cleanup_free char *val = xmalloc(vl ? (size_t)vl : 1);
		vl = fgetxattr(fd, name, val, (size_t)vl);
		int r = vl >= 0 ? fn(name, val, (size_t)vl, data) : 0;
		if (r)
			return r;
	}
	return 0;
}

bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

int read_file(const char *path, char **out, size_t *len, struct burrow_err **err)
{
	return read_file_at(AT_FDCWD, path, out, len, err);
}

int write_file(const char *path, const void *data, size_t len, mode_t mode, struct burrow_err **err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create '%s'", str_quote(path));
	if (write_all(fd, data, len) < 0)
		return burrow_error(err, errno, "cannot write '%s'", str_quote(path));
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct burrow_err **err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	/* a fresh file only: never through a symlink or into a file planted
	 * under the temporary name; a stale one of ours (same pid) goes first */
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	cleanup_close int fd = open(tmp, flags, mode);
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, flags, mode);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create '%s'", str_quote(tmp));
	if (write_all(fd, data, len) < 0) {
		int e = errno;
		unlink(tmp);
		return burrow_error(err, e, "cannot write '%s'", str_quote(tmp));
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return burrow_error(err, e, "cannot rename '%s' to '%s'", str_quote(tmp), str_quote(path));
	}
	return 0;
}

int openat2_retry(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve)
{
	struct open_how how = {.flags = flags | O_CLOEXEC, .resolve = resolve};
	for (int tries = 0; tries < 1000; tries++) {
		int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			return fd;
	}
	return -1;
}

int mkdir_p(const char *path, mode_t mode, struct burrow_err **err)
{
	cleanup_free char *p = xstrdup(path);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST)
				return burrow_error(err, errno, "cannot create directory '%s'", str_quote(p));
			*s = c;
			if (c == '\0')
				break;
		}
	}
	struct stat st;
	if (stat(p, &st) < 0)
		return burrow_error(err, errno, "cannot stat '%s'", str_quote(p));
	if (!S_ISDIR(st.st_mode))
		return burrow_error(err, ENOTDIR, "cannot create directory '%s'", str_quote(p));
	return 0;
}

/* rm -rf on lib/walk.h's walk: each directory made ours to empty on the
 * way down (a 0500 one too), removed on the way up, a file as it comes. A
 * directory moved away meanwhile fails it (what was moved is not followed
 * to where it went). */
static int rm_visit(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	(void)data;
	switch (step) {
	case WALK_ENTER:
		fchmod(at->fd, 0700);
		return 0;
	case WALK_LEAVE:
		if (unlinkat(at->dirfd, at->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return burrow_error(err, errno, "cannot remove '%s'", str_quote(at->path));
		return 0;
	case WALK_FILE:
		if (unlinkat(at->dirfd, at->name, 0) < 0 && errno != ENOENT)
			return burrow_error(err, errno, "cannot remove '%s'", str_quote(at->path));
		return 0;
	}
	return 0;
}

int rm_rf_at(int at, const char *name, struct burrow_err **err)
{
	if (unlinkat(at, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return burrow_error(err, errno, "cannot remove '%s'", str_quote(name));
	struct burrow_err *e = NULL;
	if (walk_tree(at, name, name, WALK_MOVES_FAIL, rm_visit, NULL, &e) == 0)
		return 0;
	if (e->status == ENOENT) { /* gone meanwhile */
		burrow_err_free(e);
		return 0;
	}
	*err = e;
	if (e->status == ESTALE)
		return burrow_error_wrap(err, "cannot remove '%s'", str_quote(name));
	return -1;
}

int rm_rf(const char *path, struct burrow_err **err)
{
	return rm_rf_at(AT_FDCWD, path, err);
}

char *home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && h[0] == '/')
		return xstrdup(h);
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_dir && res->pw_dir[0] == '/')
		return xstrdup(res->pw_dir);
	return NULL;
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	return xasprintf("%.*s/%s", (int)la, a, b);
}
