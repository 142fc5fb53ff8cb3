#include "lib/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/magic.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
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

int fd_ceiling(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_cur == RLIM_INFINITY || r.rlim_cur > INT_MAX)
		return INT_MAX;
	int lim = (int)r.rlim_cur;
	return lim > 2 * FD_RESERVE ? lim - FD_RESERVE : lim / 2;
}

bool fd_next_at_or_above(int ceiling)
{
	if (ceiling == INT_MAX)
		return false;
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return errno == EMFILE;
	close(fd);
	return fd >= ceiling;
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

static int openat2_once(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve)
{
	struct open_how how = {.flags = flags | O_CLOEXEC, .resolve = resolve};
	int fd;
	do
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EINTR);
	return fd;
}

/* The kernel's limit on the symlinks one lookup follows (ELOOP). */
#define SCOPED_MAX_LINKS 40
/* openat2_retry's tries of the kernel's walk before its own: a rename
 * now and then fails one try; more than a few in a row is a machine (or
 * a container) renaming all the time, which a long walk through ".."
 * never gets past, however long it waits between tries. */
#define OPENAT2_TRIES 8
/* openat2_stepwise keeps the directory of every SCOPED_SPAN-th level
 * open (marks) and reaches a level above the current one from the mark
 * at or above it: few fds however deep the walk (a RLIMIT_NOFILE of
 * 1024 is smaller than the levels a path can have), and a ".." costs at
 * most SCOPED_SPAN steps. */
#define SCOPED_SPAN 32

struct scoped {
	unsigned long long step;   /* the resolve flags of one step: one name, beneath its directory */
	struct strv_builder names; /* the names from dirfd to the current directory */
	int *marks;                /* marks[j]: the directory of names' first j * SCOPED_SPAN; marks[0]: dirfd */
	size_t nmarks;
	int cur; /* the current directory (a mark, or ours to close) */
};

static bool scoped_cur_owned(const struct scoped *w)
{
	return w->names.n % SCOPED_SPAN != 0;
}

/* One name (never "." or ".."; no '/') looked up in the current
 * directory, not followed: the fd (O_PATH), or -1. */
static int scoped_step(const struct scoped *w, const char *name)
{
	return openat2_once(w->cur, name, O_PATH | O_NOFOLLOW, w->step);
}

/* Goes down into directory fd (its name); the fd is taken. */
static void scoped_push(struct scoped *w, const char *name, int fd)
{
	if (scoped_cur_owned(w))
		close(w->cur);
	strv_builder_add(&w->names, name);
	w->cur = fd;
	if (!scoped_cur_owned(w)) {
		size_t j = w->names.n / SCOPED_SPAN;
		w->marks = xrealloc(w->marks, (j + 1) * sizeof(*w->marks));
		w->marks[j] = fd;
		w->nmarks = j + 1;
	}
}

/* Goes up one level (".."), from the mark at or above it, a name at a
 * time; 0, or -1 with errno (a directory on the way moved away meanwhile). */
static int scoped_pop(struct scoped *w)
{
	if (scoped_cur_owned(w))
		close(w->cur);
	else if (w->names.n) /* the mark of the level left */
		close(w->marks[--w->nmarks]);
	free(w->names.v[--w->names.n]);
	w->names.v[w->names.n] = NULL;
	size_t level = w->names.n, j = level / SCOPED_SPAN;
	w->cur = w->marks[j];
	for (size_t k = j * SCOPED_SPAN; k < level; k++) {
		int fd = openat2_once(w->cur, w->names.v[k], O_PATH | O_DIRECTORY, w->step);
		if (k > j * SCOPED_SPAN)
			close(w->cur);
		if (fd < 0)
			return -1;
		w->cur = fd;
	}
	return 0;
}

/* Back to dirfd (an absolute symlink in RESOLVE_IN_ROOT). */
static void scoped_reset(struct scoped *w)
{
	if (scoped_cur_owned(w))
		close(w->cur);
	for (size_t j = 1; j < w->nmarks; j++)
		close(w->marks[j]);
	w->nmarks = 1;
	w->cur = w->marks[0];
	strv_free(w->names.v);
	w->names = (struct strv_builder){0};
}

/* Whether the symlink fd (O_PATH) in the current directory is one of
 * procfs's magic links, which RESOLVE_NO_MAGICLINKS refuses: the kernel
 * asked to follow it alone, beneath its directory (a plain procfs link,
 * "self", resolves; a magic one fails with ELOOP). */
static bool scoped_magic(const struct scoped *w, int fd, const char *name)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return false;
	int probe = openat2_once(w->cur, name, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
	if (probe >= 0)
		close(probe);
	return probe < 0 && errno == ELOOP;
}

int openat2_stepwise(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve)
{
	bool in_root = resolve & RESOLVE_IN_ROOT;
	struct scoped w = {.step = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | (resolve & RESOLVE_NO_XDEV)};
	w.marks = xmalloc(sizeof(*w.marks));
	w.marks[0] = w.cur = dirfd;
	w.nmarks = 1;
	cleanup_free char *rest = xstrdup(path); /* what is left to walk */
	int links = 0, fd = -1, e = 0;
	if (!*path) {
		e = ENOENT;
		goto out;
	}
	if (*rest == '/' && !in_root) {
		e = EXDEV;
		goto out;
	}
	for (;;) {
		char *p = rest;
		while (*p == '/')
			p++;
		if (!*p) { /* the directory walked to is the answer */
			fd = openat2_once(w.cur, ".", flags, w.step);
			e = errno;
			break;
		}
		size_t len = strcspn(p, "/");
		char *after = p + len;
		bool last = true;
		for (const char *q = after; *q; q++)
			last = last && *q == '/';
		bool slash = last && *after == '/'; /* "name/": a directory, followed */
		cleanup_free char *name = xstrndup(p, len);
		memmove(rest, after, strlen(after) + 1);
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			if (w.names.n == 0 && !in_root) {
				e = EXDEV;
				break;
			}
			if (w.names.n && scoped_pop(&w) < 0) {
				e = errno;
				w.cur = -1; /* nothing of ours open at the current level */
				break;
			}
			continue;
		}
		/* not followed: the link itself (O_PATH) or ELOOP, as the
		 * kernel's; created: by name, never through a link */
		if (last && !slash && (flags & (O_NOFOLLOW | O_CREAT))) {
			fd = openat2_once(w.cur, name, flags, w.step);
			e = errno;
			break;
		}
		cleanup_close int nfd = scoped_step(&w, name);
		struct stat st;
		if (nfd < 0 || fstat(nfd, &st) < 0) {
			e = errno;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			if ((resolve & RESOLVE_NO_SYMLINKS) || ++links > SCOPED_MAX_LINKS ||
			    ((resolve & RESOLVE_NO_MAGICLINKS) && scoped_magic(&w, nfd, name))) {
				e = ELOOP;
				break;
			}
			char target[PATH_MAX];
			ssize_t n = readlinkat(nfd, "", target, sizeof(target) - 1);
			if (n < 0) {
				e = errno;
				break;
			}
			target[n] = '\0';
			if (n == 0) { /* an empty link names nothing */
				e = ENOENT;
				break;
			}
			if (target[0] == '/') {
				if (!in_root) {
					e = EXDEV;
					break;
				}
				scoped_reset(&w);
			}
			/* a trailing link's target may be a file: no '/' after it */
			char *longer = *rest ? xasprintf("%s/%s", target, rest) : xstrdup(target);
			free(rest);
			rest = longer;
			continue;
		}
		if (last) {
			/* opened again as asked, by name: beneath the directory,
			 * and a link put there meanwhile is refused */
			cleanup_free char *asked = xasprintf("%s%s", name, slash ? "/" : "");
			fd = openat2_once(w.cur, asked, flags, w.step);
			e = errno;
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			e = ENOTDIR;
			break;
		}
		scoped_push(&w, name, steal_fd(nfd));
	}
out:
	if (w.cur >= 0)
		scoped_reset(&w);
	for (size_t j = 1; j < w.nmarks; j++)
		close(w.marks[j]);
	free(w.marks);
	strv_free(w.names.v);
	errno = e;
	return fd;
}

int openat2_retry(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve)
{
	for (int tries = 0; tries < OPENAT2_TRIES; tries++) {
		int fd = openat2_once(dirfd, path, flags, resolve);
		if (fd >= 0 || errno != EAGAIN)
			return fd;
		if (tries)
			sched_yield();
	}
	/* the kernel's walk keeps meeting a rename: ours never asks it to
	 * take a ".." */
	return openat2_stepwise(dirfd, path, flags, resolve);
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
