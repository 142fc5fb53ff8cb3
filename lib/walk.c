/* The tree walk of lib/walk.h. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/quote.h"
#include "lib/walk.h"
#include "lib/xalloc.h"

#define WALK_BUF (32 * 1024)

/* A directory entered: its names (read on entry), and who it is. */
struct walk_level {
	char *names; /* one after another: the d_type byte, the name, its NUL */
	size_t *off; /* where each starts in names */
	size_t n, next, len;
	const char *name; /* in its parent (the parent's names, or the caller's) */
	struct stat st;
	int fd;      /* -1: closed (neither the top nor among the WALK_OPEN deepest) */
	size_t plen; /* its path is path[0, plen) */
};

struct walk {
	struct walk_level *lv; /* lv[depth - 1]: the directory whose entries are being visited */
	size_t depth, cap, lo; /* open: lv[0] and lv[lo, depth) */
	int topfd;             /* the caller's, holding the top */
	char *path;
	size_t pcap;
	char *buf; /* getdents64's */
	int flags;
	walk_fn fn;
	void *data;
};

static void walk_clear(struct walk *w)
{
	for (size_t i = 0; i < w->depth; i++) {
		free(w->lv[i].names);
		free(w->lv[i].off);
		if (w->lv[i].fd >= 0)
			close(w->lv[i].fd);
	}
	free(w->lv);
	free(w->path);
	free(w->buf);
}

static const char *shown(const char *path)
{
	return str_quote(path[0] ? path : ".");
}

void walk_path_set(char **path, size_t *cap, size_t plen, const char *name)
{
	size_t nl = strlen(name);
	if (plen + nl + 2 > *cap) {
		*cap = (plen + nl + 2) * 2;
		*path = xrealloc(*path, *cap);
	}
	if (plen)
		(*path)[plen++] = '/';
	memcpy(*path + plen, name, nl + 1);
}

static void set_path(struct walk *w, size_t plen, const char *name)
{
	walk_path_set(&w->path, &w->pcap, plen, name);
}

static int cmp_names(const void *a, const void *b, void *names)
{
	return strcmp((const char *)names + *(const size_t *)a + 1, (const char *)names + *(const size_t *)b + 1);
}

/* The names in l->fd (without . and ..): -1 with errno set. */
static int read_names(struct walk *w, struct walk_level *l)
{
	size_t ncap = 0, offcap = 0;
	for (;;) {
		ssize_t got = getdents64(l->fd, w->buf, WALK_BUF);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		for (ssize_t pos = 0; pos < got;) {
			const struct dirent64 *de = (const struct dirent64 *)(w->buf + pos);
			pos += de->d_reclen;
			const char *nm = de->d_name;
			if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0')))
				continue;
			size_t nl = strlen(nm);
			if (l->len + nl + 2 > ncap) {
				ncap = (l->len + nl + 2) * 2;
				l->names = xrealloc(l->names, ncap);
			}
			if (l->n == offcap) {
				offcap = offcap ? offcap * 2 : 16;
				l->off = xrealloc(l->off, offcap * sizeof(*l->off));
			}
			l->off[l->n++] = l->len;
			l->names[l->len] = (char)de->d_type;
			memcpy(l->names + l->len + 1, nm, nl + 1);
			l->len += nl + 2;
		}
	}
	if ((w->flags & WALK_SORTED) && l->n > 1)
		qsort_r(l->off, l->n, sizeof(*l->off), cmp_names, l->names);
	return 0;
}

static void pop(struct walk *w)
{
	struct walk_level *l = &w->lv[--w->depth];
	free(l->names);
	free(l->off);
	if (l->fd >= 0)
		close(l->fd);
	if (w->lo > w->depth)
		w->lo = w->depth ? w->depth : 1;
}

/* Makes directory fd (taken) the deepest level, its names read. */
static int push(struct walk *w, int fd, const struct stat *st, const char *name, struct burrow_err **err)
{
	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->lv = xrealloc(w->lv, w->cap * sizeof(*w->lv));
	}
	struct walk_level *l = &w->lv[w->depth++];
	*l = (struct walk_level){.name = name, .st = *st, .fd = fd, .plen = strlen(w->path)};
	if (read_names(w, l) < 0) {
		if (!(w->flags & WALK_LENIENT))
			return burrow_error(err, errno, "cannot read directory '%s'", shown(w->path));
		l->n = 0;
	}
	if (w->depth - w->lo > WALK_OPEN) {
		close(w->lv[w->lo].fd);
		w->lv[w->lo++].fd = -1;
	}
	return 0;
}

/* An entry gone before the walk got to it: left out, unless it is the top. */
static int gone(struct walk *w, struct burrow_err **err)
{
	if (w->depth == 0)
		return burrow_error(err, ENOENT, "cannot open '%s'", shown(w->path));
	burrow_debug("'%s' went away while it was walked: left out", shown(w->path));
	return 0;
}

static int visit(struct walk *w, int dfd, const char *name, unsigned char type, struct burrow_err **err)
{
	struct walk_at at = {.dirfd = dfd, .name = name, .path = w->path, .depth = w->depth, .type = type, .fd = -1};
	if (type != DT_DIR && (type == DT_UNKNOWN || (w->flags & WALK_STAT))) {
		if (fstatat(dfd, name, &at.st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? gone(w, err)
			                       : burrow_error(err, errno, "cannot examine '%s'", shown(w->path));
		at.stat_ok = 1;
		at.type = IFTODT(at.st.st_mode);
	}
	if (at.type != DT_DIR)
		return w->fn(&at, WALK_FILE, w->data, err) < 0 ? -1 : 0;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP)) {
		/* not a directory any more: what it is now */
		if (fstatat(dfd, name, &at.st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? gone(w, err)
			                       : burrow_error(err, errno, "cannot examine '%s'", shown(w->path));
		if (S_ISDIR(at.st.st_mode))
			return gone(w, err); /* and back again */
		at.stat_ok = 1;
		at.type = IFTODT(at.st.st_mode);
		return w->fn(&at, WALK_FILE, w->data, err) < 0 ? -1 : 0;
	}
	if (fd < 0) {
		if (errno == ENOENT)
			return gone(w, err);
		if ((w->flags & WALK_LENIENT) && w->depth)
			return 0;
		return burrow_error(err, errno, "cannot open directory '%s'", shown(w->path));
	}
	if (fstat(fd, &at.st) < 0) {
		int e = errno;
		close(fd);
		return burrow_error(err, e, "cannot examine '%s'", shown(w->path));
	}
	at.stat_ok = 1;
	at.type = DT_DIR;
	at.fd = fd;
	int r = w->fn(&at, WALK_ENTER, w->data, err);
	if (r != 0) {
		close(fd);
		return r < 0 ? -1 : 0;
	}
	return push(w, fd, &at.st, name, err);
}

static bool same_dir(int fd, const struct stat *want)
{
	struct stat st;
	return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

/* Opens the parent of the deepest level again (it was closed, above the
 * open ones): 0 done, 1 when the deepest level, or directories between the
 * top and it, were moved away meanwhile and dropped (the walk goes on
 * above them), -1 error. */
static int reopen_parent(struct walk *w, struct burrow_err **err)
{
	size_t d = w->depth - 1, p = d - 1;
	int fd = openat(w->lv[d].fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (same_dir(fd, &w->lv[p].st)) {
		w->lv[p].fd = fd;
		w->lo = p;
		return 0;
	}
	if (fd >= 0)
		close(fd);
	if (w->flags & WALK_MOVES_FAIL) {
		w->path[w->lv[d].plen] = '\0';
		return burrow_error_status(err, ESTALE, "'%s' was moved meanwhile", shown(w->path));
	}
	/* down again from the top by the names the walk took, to the first
	 * directory that is not where it was */
	int cur = w->lv[0].fd;
	size_t i = 1;
	for (; i <= p; i++) {
		int next = openat(cur, w->lv[i].name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (!same_dir(next, &w->lv[i].st)) {
			if (next >= 0)
				close(next);
			break;
		}
		if (cur != w->lv[0].fd)
			close(cur);
		cur = next;
	}
	if (i > p) {
		w->lv[p].fd = cur;
		w->lo = p;
		return 0;
	}
	w->path[w->lv[i].plen] = '\0';
	burrow_debug("'%s' was moved away while it was walked: the rest of it left out", shown(w->path));
	while (w->depth > i)
		pop(w);
	if (i - 1 > 0) {
		w->lv[i - 1].fd = cur;
		w->lo = i - 1;
	}
	return 1;
}

/* Done with the deepest level: its WALK_LEAVE, then back to its parent. */
static int leave(struct walk *w, struct burrow_err **err)
{
	if (w->depth > 1 && w->lv[w->depth - 2].fd < 0) {
		int r = reopen_parent(w, err);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	struct walk_level *l = &w->lv[w->depth - 1];
	w->path[l->plen] = '\0';
	struct walk_at at = {.dirfd = w->depth > 1 ? w->lv[w->depth - 2].fd : w->topfd,
	                     .name = l->name,
	                     .path = w->path,
	                     .depth = w->depth - 1,
	                     .type = DT_DIR,
	                     .st = l->st,
	                     .stat_ok = 1,
	                     .fd = l->fd};
	if (w->fn(&at, WALK_LEAVE, w->data, err) < 0)
		return -1;
	pop(w);
	return 0;
}

int walk_tree(int dirfd, const char *name, const char *top, int flags, walk_fn fn, void *data, struct burrow_err **err)
{
	__attribute__((cleanup(walk_clear))) struct walk w = {
	    .lo = 1, .topfd = dirfd, .flags = flags, .fn = fn, .data = data, .buf = xmalloc(WALK_BUF)};
	w.pcap = strlen(top) + 64;
	w.path = xmalloc(w.pcap);
	strcpy(w.path, top);
	if (visit(&w, dirfd, name, DT_UNKNOWN, err) < 0)
		return -1;
	while (w.depth) {
		struct walk_level *l = &w.lv[w.depth - 1];
		if (l->next < l->n) {
			const char *e = l->names + l->off[l->next++];
			set_path(&w, l->plen, e + 1);
			if (visit(&w, l->fd, e + 1, (unsigned char)e[0], err) < 0)
				return -1;
			continue;
		}
		if (leave(&w, err) < 0)
			return -1;
	}
	return 0;
}
