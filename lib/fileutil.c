#include "lib/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
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

/* rm_rf_at walks down with one directory stream per level, but keeps only
 * the deepest RM_RF_OPEN open: going back up to a level whose stream was
 * closed reopens it as ".." of its child, checked against the device and
 * inode seen on the way down (a directory moved meanwhile is an error, not
 * a walk into somewhere else), and reads it again from its start (what was
 * removed is gone). A 10,000-level tree then needs a handful of fds, not
 * 10,000 (with ulimit -n 1024, a failed import of a deep tarball left its
 * directory behind). */
#define RM_RF_OPEN 16

struct rm_level {
	char *name; /* in its parent */
	dev_t dev;
	ino_t ino;
	DIR *d; /* NULL above the open window */
};

struct rm_walk {
	struct rm_level *lv;
	size_t depth, lo, cap; /* streams open: lv[lo, depth) */
	const char *top;
};

static void rm_walk_clear(struct rm_walk *w)
{
	for (size_t i = 0; i < w->depth; i++) {
		if (w->lv[i].d)
			closedir(w->lv[i].d);
		free(w->lv[i].name);
	}
	free(w->lv);
}

/* Opens dfd/name (a directory, not followed) as the new deepest level.
 * 1 done, 0 it is gone, -1 error. */
static int rm_push(struct rm_walk *w, int dfd, const char *name, struct burrow_err **err)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return burrow_error(err, errno, "cannot open '%s' in '%s'", str_quote(name), str_quote(w->top));
	}
	/* so that we can list and delete inside (e.g. a 0500 directory) */
	fchmod(fd, 0700);
	struct stat st;
	DIR *d = fstat(fd, &st) == 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int e = errno;
		close(fd);
		return burrow_error(err, e, "cannot read '%s' in '%s'", str_quote(name), str_quote(w->top));
	}
	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->lv = xrealloc(w->lv, w->cap * sizeof(*w->lv));
	}
	w->lv[w->depth++] = (struct rm_level){xstrdup(name), st.st_dev, st.st_ino, d};
	if (w->depth - w->lo > RM_RF_OPEN) {
		closedir(w->lv[w->lo].d);
		w->lv[w->lo++].d = NULL;
	}
	return 1;
}

/* The stream of the parent of the deepest level, reopened if needed. */
static DIR *rm_parent(struct rm_walk *w, struct burrow_err **err)
{
	struct rm_level *l = &w->lv[w->depth - 1], *p = &w->lv[w->depth - 2];
	if (p->d)
		return p->d;
	int fd = openat(dirfd(l->d), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		burrow_error(err, e, "cannot go back up to '%s' in '%s'", str_quote(p->name), str_quote(w->top));
		return NULL;
	}
	if (st.st_dev != p->dev || st.st_ino != p->ino) {
		close(fd);
		burrow_error_status(err, ESTALE, "cannot remove '%s': '%s' in it was moved meanwhile",
		                    str_quote(w->top), str_quote(l->name));
		return NULL;
	}
	p->d = fdopendir(fd);
	if (!p->d) {
		int e = errno;
		close(fd);
		burrow_error(err, e, "cannot read '%s' in '%s'", str_quote(p->name), str_quote(w->top));
		return NULL;
	}
	w->lo = w->depth - 2;
	return p->d;
}

int rm_rf_at(int at, const char *name, struct burrow_err **err)
{
	if (unlinkat(at, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return burrow_error(err, errno, "cannot remove '%s'", str_quote(name));
	__attribute__((cleanup(rm_walk_clear))) struct rm_walk w = {.top = name};
	int r = rm_push(&w, at, name, err);
	if (r <= 0)
		return r;
	while (w.depth) {
		struct rm_level *l = &w.lv[w.depth - 1];
		errno = 0;
		struct dirent *de = readdir(l->d);
		if (de) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (unlinkat(dirfd(l->d), de->d_name, 0) == 0 || errno == ENOENT)
				continue;
			if (errno != EISDIR && errno != EPERM)
				return burrow_error(err, errno, "cannot remove '%s' in '%s'", str_quote(de->d_name),
				                    str_quote(name));
			if (rm_push(&w, dirfd(l->d), de->d_name, err) < 0)
				return -1;
			continue;
		}
		if (errno)
			return burrow_error(err, errno, "cannot read '%s' in '%s'", str_quote(l->name),
			                    str_quote(name));
		/* empty: remove it from its parent */
		DIR *p = w.depth > 1 ? rm_parent(&w, err) : NULL;
		if (w.depth > 1 && !p)
			return -1;
		int pfd = p ? dirfd(p) : at;
		closedir(l->d);
		l->d = NULL;
		if (unlinkat(pfd, l->name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			if (!p)
				return burrow_error(err, errno, "cannot remove '%s'", str_quote(name));
			return burrow_error(err, errno, "cannot remove '%s' in '%s'", str_quote(l->name),
			                    str_quote(name));
		}
		free(l->name);
		w.depth--;
		if (w.lo > w.depth)
			w.lo = w.depth;
	}
	return 0;
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
