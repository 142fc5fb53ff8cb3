/* The walk of layer directories merged as overlayfs shows them
 * (overlay/merge.h).
 *
 * A directory of the merged tree is the same directory in a chain of
 * layers, topmost first: the topmost layer that has the path as a
 * directory, then each lower one down to the first that is opaque, that
 * whites the name out or that has something else there. Its entries are
 * the union of the chain's names; for each name the topmost layer that
 * says anything decides: a whiteout hides it, a directory starts the
 * entry's own chain, anything else is the entry. The chain's directories
 * are opened from their layer's directory with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS), so no symlink is ever followed, and a tree deeper
 * than the open-file limit walks: past MERGE_OPEN descriptors a directory's
 * chain is closed while the walk is below it, and opened again after. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "overlay/merge.h"

#define MERGE_BUF (32 * 1024)
#define MERGE_OPEN 32 /* directory descriptors held before chains are closed */

/* A name in one layer's directory. */
struct name {
	char *name;  /* the merged name (a whiteout's: the name it hides) */
	size_t rank; /* the layer, 0 the lowest */
	bool whiteout;
	unsigned char type;
};

struct merge {
	const int *layers; /* lowest first */
	size_t n;
	char *path;
	size_t pcap;
	char *buf;
	size_t held; /* directory descriptors open */
	walk_fn fn;
	void *data;
};

/* A directory of the merged tree: its chain (ranks, topmost first) and,
 * while open, each one's descriptor. */
struct level {
	size_t *rank;
	int *fd;
	size_t n;
	size_t plen; /* its path is m->path[0, plen) */
};

static const char *shown(const char *path)
{
	return str_quote(path[0] ? path : ".");
}

bool ovl_opaque_marker(const char *name)
{
	return strcmp(name, OVL_OPAQUE) == 0 || strcmp(name, OVL_OPAQUE_DEV) == 0;
}

bool ovl_dir_opaque(int fd)
{
	struct stat st;
	if (fstatat(fd, OVL_OPAQUE, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    (fstatat(fd, OVL_OPAQUE_DEV, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0))
		return true;
	static const char *const names[] = {"user.fuseoverlayfs.opaque", "trusted.overlay.opaque",
	                                    "user.overlay.opaque"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char v[4] = {0};
		if (fgetxattr(fd, names[i], v, sizeof(v)) > 0 && v[0] == 'y')
			return true;
	}
	return false;
}

static void set_path(struct merge *m, size_t plen, const char *name)
{
	walk_path_set(&m->path, &m->pcap, plen, name);
}

static void close_level(struct merge *m, struct level *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->fd[i] >= 0) {
			close(l->fd[i]);
			l->fd[i] = -1;
			m->held--;
		}
}

/* Opens l's chain at m->path[0, l->plen), dropping the layers below the
 * first opaque one when first (the chain is being made). */
static int open_level(struct merge *m, struct level *l, bool first, struct burrow_err **err)
{
	char c = m->path[l->plen];
	m->path[l->plen] = '\0';
	const char *rel = l->plen ? m->path : ".";
	int rc = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		                       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
		int fd = (int)syscall(SYS_openat2, m->layers[l->rank[i]], rel, &how, sizeof(how));
		if (fd < 0) {
			rc = burrow_error(err, errno, "cannot open '%s' of layer %zu", shown(m->path), l->rank[i]);
			break;
		}
		l->fd[i] = fd;
		m->held++;
		if (first && ovl_dir_opaque(fd)) {
			l->n = i + 1;
			break;
		}
	}
	m->path[l->plen] = c;
	return rc;
}

/* An entry nm of directory fd of layer rank (d_type: what getdents said,
 * or DT_UNKNOWN) as the merge takes it: the name it stands for, whether
 * it whites that out (".wh.NAME", or a 0/0 character device as the kernel
 * and fuse-overlayfs make it), its type; appended to *v. -1 with errno:
 * it cannot be examined. */
static int add_name(int fd, size_t rank, const char *nm, unsigned char d_type, struct name **v, size_t *n, size_t *cap)
{
	struct name e = {.rank = rank, .type = d_type};
	if (strncmp(nm, OVL_WHITEOUT, strlen(OVL_WHITEOUT)) == 0) {
		e.whiteout = true;
		nm += strlen(OVL_WHITEOUT);
	} else if (d_type == DT_CHR || d_type == DT_UNKNOWN) {
		struct stat st;
		if (fstatat(fd, nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		e.type = IFTODT(st.st_mode);
		e.whiteout = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	e.name = xstrdup(nm);
	(*v)[(*n)++] = e;
	return 0;
}

/* Appends the names of directory fd (layer rank) to *v. */
static int read_names(struct merge *m, int fd, size_t rank, struct name **v, size_t *n, size_t *cap)
{
	for (;;) {
		ssize_t got = getdents64(fd, m->buf, MERGE_BUF);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return (int)got;
		for (ssize_t pos = 0; pos < got;) {
			const struct dirent64 *de = (const struct dirent64 *)(m->buf + pos);
			pos += de->d_reclen;
			const char *nm = de->d_name;
			if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || strcmp(nm, OVL_OPAQUE) == 0)
				continue;
			if (add_name(fd, rank, nm, de->d_type, v, n, cap) < 0)
				return -1;
		}
	}
}

/* By name, then the topmost layer first, a whiteout before an entry in
 * one layer: fuse-overlayfs hides a name that its layer whites out too
 * (a layer unpacked from a tar that holds both), and so does the walk. */
static int cmp_names(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return (int)y->whiteout - (int)x->whiteout;
}

static void free_names(struct name *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static int walk_level(struct merge *m, struct level *l, size_t depth, struct burrow_err **err);

/* The chain of the directory v[0, n) names (one name, topmost first, not
 * a whiteout), at m->path: it and each directory below it, down to a
 * whiteout or a non-directory (opacity is seen as it is opened); not open
 * yet. */
static struct level chain_of(const struct merge *m, const struct name *v, size_t n)
{
	struct level sub = {
	    .rank = xmalloc(n * sizeof(size_t)), .fd = xmalloc(n * sizeof(int)), .plen = strlen(m->path)};
	for (size_t i = 0; i < n && !v[i].whiteout && v[i].type == DT_DIR; i++) {
		sub.rank[sub.n] = v[i].rank;
		sub.fd[sub.n++] = -1;
	}
	return sub;
}

/* The chain of the merged root: every layer, the topmost first. */
static struct level chain_top(size_t n)
{
	struct level top = {.rank = xmalloc(n * sizeof(size_t)), .fd = xmalloc(n * sizeof(int))};
	for (size_t i = n; i-- > 0;) {
		top.rank[top.n] = i;
		top.fd[top.n++] = -1;
	}
	return top;
}

/* The entry of l named by v[0, n) (one name, topmost first), at m->path. */
static int visit(struct merge *m, struct level *l, const struct name *v, size_t n, size_t depth,
                 struct burrow_err **err)
{
	if (v[0].whiteout)
		return 0;
	size_t top = 0;
	while (l->rank[top] != v[0].rank)
		top++;
	if (v[0].type != DT_DIR) {
		struct walk_at at = {.dirfd = l->fd[top],
		                     .name = v[0].name,
		                     .path = m->path,
		                     .depth = depth,
		                     .type = v[0].type,
		                     .fd = -1};
		return m->fn(&at, WALK_FILE, m->data, err);
	}
	struct level sub = chain_of(m, v, n);
	int rc = walk_level(m, &sub, depth, err);
	free(sub.rank);
	free(sub.fd);
	return rc;
}

/* Enters l (its chain not open yet), visits what it holds, leaves it. */
static int walk_level(struct merge *m, struct level *l, size_t depth, struct burrow_err **err)
{
	struct name *v = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;
	if (open_level(m, l, true, err) < 0)
		goto out;
	struct walk_at at = {.dirfd = l->fd[0],
	                     .name = ".",
	                     .path = m->path,
	                     .depth = depth,
	                     .type = DT_DIR,
	                     .fd = l->fd[0],
	                     .stat_ok = 1};
	if (fstat(l->fd[0], &at.st) < 0) {
		burrow_error(err, errno, "cannot examine '%s'", shown(m->path));
		goto out;
	}
	int r = m->fn(&at, WALK_ENTER, m->data, err);
	if (r != 0) {
		rc = r == WALK_SKIP ? 0 : -1;
		goto out;
	}
	for (size_t i = 0; i < l->n; i++)
		if (read_names(m, l->fd[i], l->rank[i], &v, &n, &cap) < 0) {
			burrow_error(err, errno, "cannot read directory '%s'", shown(m->path));
			goto out;
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_names);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(v[j].name, v[i].name) == 0;)
			j++;
		set_path(m, l->plen, v[i].name);
		bool below = v[i].type == DT_DIR && !v[i].whiteout;
		if (below && m->held > MERGE_OPEN)
			close_level(m, l);
		if (l->fd[0] < 0 && !below && open_level(m, l, false, err) < 0)
			goto out;
		if (visit(m, l, v + i, j - i, depth + 1, err) < 0)
			goto out;
	}
	m->path[l->plen] = '\0';
	if (l->fd[0] < 0 && open_level(m, l, false, err) < 0)
		goto out;
	at.dirfd = at.fd = l->fd[0];
	at.path = m->path;
	rc = m->fn(&at, WALK_LEAVE, m->data, err) < 0 ? -1 : 0;
out:
	if (l->plen < m->pcap)
		m->path[l->plen] = '\0';
	free_names(v, n);
	close_level(m, l);
	return rc;
}

int ovl_merge_walk(const int *layers, size_t n, walk_fn fn, void *data, struct burrow_err **err)
{
	if (n == 0)
		return burrow_error(err, EINVAL, "no layers to walk");
	struct merge m = {.layers = layers, .n = n, .buf = xmalloc(MERGE_BUF), .fn = fn, .data = data};
	set_path(&m, 0, "");
	struct level top = chain_top(n);
	int rc = walk_level(&m, &top, 0, err);
	free(top.rank);
	free(top.fd);
	free(m.path);
	free(m.buf);
	return rc;
}

/* The entries of l's chain (open) for name, topmost first: the name
 * itself and its ".wh." whiteout, taken as read_names takes them. */
static int lookup_names(const struct level *l, const char *name, struct name **v, size_t *n)
{
	size_t cap = 0;
	cleanup_free char *wh = xasprintf(OVL_WHITEOUT "%s", name);
	for (size_t i = 0; i < l->n; i++) {
		const char *const nms[] = {wh, name};
		for (size_t k = 0; k < 2; k++) {
			struct stat st;
			if (fstatat(l->fd[i], nms[k], &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno == ENOENT)
					continue;
				return -1;
			}
			if (add_name(l->fd[i], l->rank[i], nms[k], IFTODT(st.st_mode), v, n, &cap) < 0)
				return -1;
		}
	}
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), cmp_names);
	return 0;
}

int ovl_merge_has(const int *layers, size_t n, const char *path, struct burrow_err **err)
{
	if (n == 0)
		return 0;
	struct merge m = {.layers = layers, .n = n};
	set_path(&m, 0, "");
	struct level l = chain_top(n);
	int rc = -1;
	for (const char *p = path;;) {
		while (*p == '/')
			p++;
		if (!*p) {
			rc = 1;
			break;
		}
		size_t len = strcspn(p, "/");
		cleanup_free char *name = xstrndup(p, len);
		p += len;
		/* never a name of the merged tree */
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		    strncmp(name, OVL_WHITEOUT, strlen(OVL_WHITEOUT)) == 0) {
			rc = 0;
			break;
		}
		struct name *v = NULL;
		size_t nv = 0;
		if (open_level(&m, &l, true, err) < 0)
			break;
		if (lookup_names(&l, name, &v, &nv) < 0) {
			burrow_error(err, errno, "cannot examine '%s/%s' of the layers", shown(m.path), name);
			free_names(v, nv);
			close_level(&m, &l);
			break;
		}
		close_level(&m, &l);
		bool more = p[strspn(p, "/")] != '\0';
		if (nv == 0 || v[0].whiteout || (more && v[0].type != DT_DIR)) {
			free_names(v, nv);
			rc = 0;
			break;
		}
		if (!more) {
			free_names(v, nv);
			rc = 1;
			break;
		}
		set_path(&m, l.plen, name);
		free(l.rank);
		free(l.fd);
		l = chain_of(&m, v, nv);
		free_names(v, nv);
	}
	free(l.rank);
	free(l.fd);
	free(m.path);
	return rc;
}

bool ovl_private_xattr(const char *name)
{
	/* those fuse-overlayfs (1.10 and later) keeps to itself */
	static const char *const prefixes[] = {"user.fuseoverlayfs.", "trusted.overlay.", "user.overlay."};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}
