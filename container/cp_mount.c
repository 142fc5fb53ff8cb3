/* Which of a container's own mounts a cp path falls on (container/internal.h).
 *
 * The destinations are matched by name first: the path is made lexical
 * ("." and "//" dropped, ".." taken back a component, never above "/") and
 * the longest destination that is a whole-component prefix of it wins.
 * A path with ".." is walked first as the kernel walks it (walked): a
 * symlink of the rootfs on its way is replaced by its target, so that
 * the ".." after it goes up from where it leads.
 * Failing that, by where the path leads in the rootfs: its leading parts
 * resolved there (RESOLVE_IN_ROOT) and compared, by device and inode, with
 * the mount points resolved the same way, so that a symlink of the image
 * into a mount (/var/run -> /run) finds it. A container that changes its
 * links meanwhile only changes which of its own trees the copy uses.
 *
 * A running container's tmpfs (--tmpfs, --mount type=tmpfs, a tmpfs
 * volume) exists only in its mount namespace. A short child of ours
 * joins that namespace (setns: we are in the user namespace that owns
 * it) and opens the mount's root there; the fd comes back over a
 * socketpair (SCM_RIGHTS) and cp resolves everything below it with
 * RESOLVE_IN_ROOT, as a root of its own. This rather than
 * /proc/PID/root of the container's init: that is the init's root,
 * which the init may have moved with chroot, while setns puts the child
 * at the root of the namespace whatever its processes did. The namespace
 * is the one of the init the record names: its ns file is opened, then
 * the init is checked to still be the process that started then (pid and
 * start time), so a pid reused meanwhile is never joined. In the
 * namespace the destination is resolved from its root as the runtime
 * resolved it (RESOLVE_IN_ROOT, no magic links), and what it leads to
 * must be a tmpfs's root (statfs TMPFS_MAGIC, its parent on another
 * device): a container that replaced it with a link to / or to another
 * mount (it must unmount its tmpfs first: a mount point cannot be moved
 * or removed) gets the copy refused, never led to its rootfs or a bind
 * of the host's. It could lead it to another tmpfs of its own (/dev),
 * which it can write anyway. Unmounting the tmpfs while the copy runs
 * leaves cp writing into the detached tmpfs: nowhere.
 *
 * A :O mount's overlay is mounted in burrow's own namespace (where cp
 * runs), in the container's runtime directory, and bound into the
 * container: cp takes that mount, so a copy into it lands in the overlay's
 * upper directory, as the container's own writes do, and never in the
 * host directory under it. Stopped, the overlay is gone: the host
 * directory is read, never written.
 *
 * A running container's bind's host path (a type=bind volume's device
 * too) is checked to lead to the device and inode it led to at the start
 * (bind_check): what the container shows at the mount point is never
 * looked at, so a container can neither forge it nor hang cp there with
 * a FUSE mount of its own.
 *
 * A running container has burrow's own mounts too (add_defaults): its
 * /dev/shm goes the tmpfs way above, whoever mounted it; the generated
 * /etc files (keep-id's /etc/passwd and /etc/group too), /run/.containerenv,
 * the secrets' copies and --init's binary are file binds of burrow's
 * files, read (the last three read-only) and never written through; the
 * sd-notify directory is a bind of burrow's, read and written. Stopped,
 * none is mounted: the rootfs under them is what cp sees. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "container/bundle.h"
#include "container/container.h"
#include "container/internal.h"
#include "container/mount.h"
#include "container/nsmode.h"
#include "container/sdnotify.h"
#include "container/secret.h"
#include "container/volume.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/sock.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "userns/userns.h"

/* path's components, lexically: "." and empty ones dropped, ".." takes
 * the one before it back (none above the root). The strings are split's. */
static char **components(char **split)
{
	size_t n = 0;
	for (size_t i = 0; split[i]; i++) {
		if (!*split[i] || strcmp(split[i], ".") == 0)
			free(split[i]);
		else if (strcmp(split[i], "..") != 0)
			split[n++] = split[i];
		else {
			free(split[i]);
			if (n > 0)
				free(split[--n]);
		}
	}
	split[n] = NULL;
	return split;
}

/* parts without its empty ones (what a run of slashes leaves); "." and
 * ".." stay, for openat2 to take as the kernel does. */
static char **nonempty(char **split)
{
	size_t n = 0;
	for (size_t i = 0; split[i]; i++) {
		if (*split[i])
			split[n++] = split[i];
		else
			free(split[i]);
	}
	split[n] = NULL;
	return split;
}

/* Each mount's destination, lexically (NULL for one that does not
 * decode); NULL-terminated, n entries. */
struct dests {
	char ***v;
	size_t n;
};

static struct dests dests_of(char *const *mounts)
{
	struct dests d = {.n = strv_len(mounts)};
	d.v = xcalloc(d.n + 1, sizeof(*d.v));
	for (size_t i = 0; i < d.n; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(mounts[i], &m))
			continue;
		d.v[i] = components(strv_split(m.destination, '/'));
		ctr_mount_clear(&m);
	}
	return d;
}

static void dests_free(struct dests *d)
{
	for (size_t i = 0; i < d->n; i++)
		strv_free(d->v[i]);
	free(d->v);
}

/* The mount whose destination leads the lexical parts by name (the
 * longest one): its index, *depth the parts it takes; -1: none. */
static long by_name_in(const struct dests *d, char *const *parts, size_t *depth)
{
	long hit = -1;
	*depth = 0;
	for (size_t i = 0; i < d->n; i++) {
		char **dest = d->v[i];
		if (!dest)
			continue;
		size_t n = 0;
		while (dest[n] && parts[n] && strcmp(dest[n], parts[n]) == 0)
			n++;
		if (!dest[n] && n > *depth)
			hit = (long)i, *depth = n;
	}
	return hit;
}

/* by_name_in on mounts (ctr_mount_format's). */
static long by_name(char *const *mounts, char *const *parts, size_t *depth)
{
	struct dests d = dests_of(mounts);
	long hit = by_name_in(&d, parts, depth);
	dests_free(&d);
	return hit;
}

/* The mount (of mounts) whose mount point, resolved in rootfd, is what the
 * longest leading run of parts resolves to there (a symlink in the image
 * that leads to it: /var/run -> /run), unless a ".." after it leads out
 * of it again: its index, *depth; -1: none. */
static long by_inode(char *const *mounts, int rootfd, char *const *parts, size_t *depth)
{
	size_t n = strv_len(mounts);
	struct stat root;
	if (n == 0 || fstat(rootfd, &root) < 0)
		return -1;
	cleanup_free struct stat *points = xcalloc(n, sizeof(*points));
	cleanup_free bool *usable = xcalloc(n, sizeof(*usable));
	for (size_t i = 0; i < n; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(mounts[i], &m))
			continue;
		int fd = openat2_retry(rootfd, m.destination, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		ctr_mount_clear(&m);
		/* missing, or the root itself (never a mount point): matches nothing */
		usable[i] = fd >= 0 && fstat(fd, &points[i]) == 0 &&
		            (points[i].st_dev != root.st_dev || points[i].st_ino != root.st_ino);
		if (fd >= 0)
			close(fd);
	}
	long hit = -1;
	size_t below = 0; /* how deep below the hit's mount point the prefix is */
	cleanup_free char *prefix = xstrdup("");
	for (size_t k = 0; parts[k]; k++) {
		/* a ".." out of the mount point leads back to the rootfs, as the
		 * kernel takes it: /data/../etc is the rootfs's /etc, not the
		 * volume's */
		if (strcmp(parts[k], "..") == 0 && hit >= 0 && below-- == 0)
			hit = -1, *depth = 0;
		else if (hit >= 0 && strcmp(parts[k], ".") != 0 && strcmp(parts[k], "..") != 0)
			below++;
		char *longer = xasprintf("%s/%s", prefix, parts[k]);
		free(prefix);
		prefix = longer;
		struct stat st;
		int fd = openat2_retry(rootfd, prefix, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		int ok = fd >= 0 && fstat(fd, &st) == 0;
		if (fd >= 0)
			close(fd);
		if (!ok)
			break;
		for (size_t i = 0; i < n; i++)
			if (usable[i] && points[i].st_dev == st.st_dev && points[i].st_ino == st.st_ino)
				hit = (long)i, *depth = k + 1, below = 0;
	}
	return hit;
}

/* The kernel's limit on the symlinks one path lookup follows (ELOOP). */
#define CP_MAX_LINKS 40

/* walked()'s way through the rootfs, one part at a time. A part is
 * looked up from the directory of the nearest level above it that is a
 * multiple of CP_WALK_SPAN, kept open (marks), never from the root: the
 * cost of a part does not grow with the depth (from the root, each part
 * cost the depth so far, and a container's links made cp walk thousands of
 * levels again and again: seconds). At most PATH_MAX / 2 levels can be
 * looked up at all (below, the path to the parent is longer than the
 * kernel takes, as it was from the root): few marks are open. */
#define CP_WALK_SPAN 32

struct walk {
	int rootfd;
	struct strv_builder out; /* the parts so far */
	size_t *len;             /* len[i]: strlen of "./" and out's first i parts joined by '/' */
	int *marks;              /* marks[j]: the directory of out's first j * CP_WALK_SPAN parts; -1: none */
	size_t cap;
	unsigned long lookups; /* path components looked up (burrow_debug) */
};

/* The directory of out's first level parts, looked up from mark m's
 * (level - m * CP_WALK_SPAN parts at most); -1: not there, or not a
 * directory. */
static int walk_below(struct walk *w, size_t m, size_t level)
{
	int base = m == 0 ? w->rootfd : w->marks[m];
	if (base < 0)
		return -1;
	cleanup_free char *rel = xstrdup(".");
	for (size_t k = m * CP_WALK_SPAN; k < level; k++) {
		char *longer = xasprintf("%s/%s", rel, w->out.v[k]);
		free(rel);
		rel = longer;
	}
	w->lookups += level - m * CP_WALK_SPAN;
	return openat2_retry(base, rel, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* The directory of out's first level parts (level <= out.n), from the
 * mark at or above it (*own: the fd is the caller's to close); -1: not
 * there, not a directory, or deeper than a path takes (as from the root:
 * the path to it would be too long). */
static int walk_dir(struct walk *w, size_t level, bool *own)
{
	*own = false;
	if (w->len[level] >= PATH_MAX)
		return -1;
	size_t m = level / CP_WALK_SPAN;
	if (level == m * CP_WALK_SPAN)
		return m == 0 ? w->rootfd : w->marks[m];
	*own = true;
	return walk_below(w, m, level);
}

/* part appended to out (a mark opened when its level is one); on_mount: it
 * is below a mount by name, never looked up in the rootfs. */
static void walk_push(struct walk *w, char *part, bool on_mount)
{
	size_t n = w->out.n;
	if (n + 2 > w->cap) {
		w->cap = (n + 2) * 2;
		w->len = xrealloc(w->len, w->cap * sizeof(*w->len));
		w->marks = xrealloc(w->marks, (w->cap / CP_WALK_SPAN + 1) * sizeof(*w->marks));
	}
	w->len[n + 1] = w->len[n] + 1 + strlen(part);
	strv_builder_take(&w->out, part);
	size_t m = (n + 1) / CP_WALK_SPAN;
	if ((n + 1) % CP_WALK_SPAN == 0)
		w->marks[m] = on_mount || w->len[n + 1] >= PATH_MAX ? -1 : walk_below(w, m - 1, n + 1);
}

static void walk_pop(struct walk *w)
{
	size_t n = w->out.n;
	if (n == 0)
		return;
	if (n % CP_WALK_SPAN == 0 && w->marks[n / CP_WALK_SPAN] >= 0)
		close(w->marks[n / CP_WALK_SPAN]);
	free(w->out.v[--w->out.n]);
	w->out.v[w->out.n] = NULL;
}

/* The target of name in dirfd when it is a symlink; NULL: it is none, or
 * not there. */
static char *link_at(int dirfd, const char *name)
{
	struct stat st;
	if (dirfd < 0 || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
		return NULL;
	char buf[PATH_MAX];
	ssize_t len = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
	if (len <= 0)
		return NULL;
	return xstrndup(buf, (size_t)len);
}

/* The target of out's last part when it is a symlink of the rootfs (the
 * parts before it have no link and no ".."); NULL: it is none, or not
 * there. */
static char *walk_link(struct walk *w)
{
	bool own;
	int pfd = walk_dir(w, w->out.n - 1, &own);
	w->lookups++;
	char *target = link_at(pfd, w->out.v[w->out.n - 1]);
	if (own && pfd >= 0)
		close(pfd);
	return target;
}

/* parts (path's, "." and ".." as written) walked as the kernel walks
 * them: a symlink of the rootfs is replaced by its target, so that a
 * ".." after it takes back a component of where it led, not the link's
 * name (/l/../../data with /l -> /a/b/c is the rootfs's /a/data, not the
 * mount at /data). Below a mount (by name) the parts are taken lexically,
 * as components() does: cp resolves what is left in the mount's source,
 * as a root of its own. A part missing in the rootfs is taken as a
 * directory (the lookup of the result then fails). NULL: a loop of links
 * (ELOOP, in *err). */
static char **walked(char *const *mounts, int rootfd, char *const *parts, const char *path, struct burrow_err **err)
{
	struct strv_builder todo = {0}; /* what is left, last part first */
	for (size_t k = strv_len(parts); k-- > 0;)
		strv_builder_add(&todo, parts[k]);
	struct dests d = dests_of(mounts);
	struct walk w = {.rootfd = rootfd, .cap = 1};
	w.len = xcalloc(1, sizeof(*w.len));
	w.marks = xcalloc(1, sizeof(*w.marks));
	w.len[0] = 1; /* "." */
	char *none[] = {NULL};
	int links = 0;
	unsigned long steps = 0;
	bool loop = false;
	while (todo.n > 0 && !loop) {
		char *p = todo.v[--todo.n];
		todo.v[todo.n] = NULL;
		steps++;
		if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			if (p[1])
				walk_pop(&w);
			free(p);
			continue;
		}
		size_t depth;
		bool on_mount = by_name_in(&d, w.out.v ? w.out.v : none, &depth) >= 0;
		walk_push(&w, p, on_mount);
		cleanup_free char *target = on_mount ? NULL : walk_link(&w);
		if (!target)
			continue;
		if (++links > CP_MAX_LINKS) {
			loop = true;
			continue;
		}
		walk_pop(&w);
		while (target[0] == '/' && w.out.n > 0)
			walk_pop(&w);
		cleanup_strv char **more = nonempty(strv_split(target, '/'));
		for (size_t k = strv_len(more); k-- > 0;)
			strv_builder_add(&todo, more[k]);
	}
	burrow_debug("cp: walked '%s': %lu parts, %lu lookups", str_quote(path), steps, w.lookups);
	strv_free(strv_builder_steal(&todo));
	dests_free(&d);
	for (size_t j = 1; j <= w.out.n / CP_WALK_SPAN; j++)
		if (w.marks[j] >= 0)
			close(w.marks[j]);
	free(w.len);
	free(w.marks);
	char **out = strv_builder_steal(&w.out);
	if (loop) {
		strv_free(out);
		burrow_error_status(err, ELOOP, "too many levels of symbolic links in '%s'", str_quote(path));
		return NULL;
	}
	return out;
}

void ctr_cp_mnt_clear(struct ctr_cp_mnt *m)
{
	if (m->fd >= 0)
		close(m->fd);
	free(m->name);
	free(m->dest);
	free(m->rest);
	*m = (struct ctr_cp_mnt){.fd = -1};
}

static int unreachable(const struct ctr_config *c, const struct ctr_mount *m, const char *kind, const char *path,
                       struct burrow_err **err)
{
	return burrow_error_status(err, ENOENT,
	                           "'%s' is on the %s mount '%s' of container '%s', which is not running: "
	                           "there is nothing to copy",
	                           str_quote(path), kind, str_quote(m->destination), str_quote(c->name));
}

/* The tmpfs child's record: the mount's root rides along with it. */
#define TMPFS_MSG_FD 'T'
#define TMPFS_CHILD_TIMEOUT_MS 10000

/* In the container's mount namespace: dest resolved from the namespace's
 * root as the runtime resolved it, and checked to be a tmpfs's root. */
static int tmpfs_root(const char *dest, struct burrow_err **err)
{
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return burrow_error(err, errno, "cannot open the root of the container's mount namespace");
	cleanup_close int fd =
	    openat2_retry(root, dest, O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open its mount point");
	/* its root: a tmpfs whose parent is on another device */
	struct statfs sf;
	struct stat st, up;
	if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0 || fstatat(fd, "..", &up, 0) < 0)
		return burrow_error(err, errno, "cannot examine its mount point");
	if (sf.f_type != TMPFS_MAGIC || st.st_dev == up.st_dev)
		return burrow_error_status(err, EXDEV, "its mount point is no longer a tmpfs");
	return steal_fd(fd);
}

static void __attribute__((noreturn)) tmpfs_child(int nsfd, int sock, const char *dest)
{
	cleanup_err struct burrow_err *err = NULL;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	int fd = -1;
	if (setns(nsfd, CLONE_NEWNS) < 0)
		burrow_error(&err, errno, "cannot enter the container's mount namespace");
	else if ((fd = tmpfs_root(dest, &err)) >= 0) {
		if (sock_send(sock, TMPFS_MSG_FD, 0, fd) == 0)
			_exit(0);
		burrow_error(&err, errno, "cannot pass the tmpfs on");
	}
	sock_send_error(sock, err);
	_exit(1);
}

/* The root of running container c's tmpfs m, opened in its mount
 * namespace by a child (see the top of the file). */
static int open_tmpfs(const struct ctr_config *c, const struct ctr_run *run, const struct ctr_mount *m,
                      struct burrow_err **err)
{
	char ns[64];
	snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)run->pid);
	cleanup_close int nsfd = run->pid > 0 ? open(ns, O_RDONLY | O_CLOEXEC) : -1;
	/* opened while the init that the record names was still there */
	if (nsfd < 0 || !proc_is(run->pid, run->pid_start))
		return burrow_error_status(err, ESRCH,
		                           "cannot reach the tmpfs mount '%s' of container '%s': it is exiting",
		                           str_quote(m->destination), str_quote(c->name));
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return burrow_error(err, errno, "cannot create a socketpair");
	cleanup_close int sock = sv[0];
	cleanup_close int child_sock = sv[1];
	cleanup_pid pid_t child = fork();
	if (child < 0)
		return burrow_error(err, errno, "cannot fork a process to enter container '%s'", str_quote(c->name));
	if (child == 0)
		tmpfs_child(nsfd, child_sock, m->destination);
	close(steal_fd(child_sock));
	struct sock_msg msg = {0};
	int fd = -1, ready = wait_fd(sock, POLLIN, now_ms() + TMPFS_CHILD_TIMEOUT_MS);
	int r = ready > 0 ? sock_recv(sock, &msg, &fd) : -1;
	if (r > 0 && msg.tag == TMPFS_MSG_FD && fd >= 0) {
		proc_wait_child(steal_pid(child), now_ms() + TMPFS_CHILD_TIMEOUT_MS, NULL);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	if (r > 0 && msg.tag == SOCK_MSG_ERROR && burrow_err_recv(sock, err) == 1)
		return burrow_error_wrap(err, "cannot reach the tmpfs mount '%s' of container '%s'",
		                         str_quote(m->destination), str_quote(c->name));
	return burrow_error_status(err, ready == 0 ? ETIMEDOUT : EIO,
	                           "cannot reach the tmpfs mount '%s' of container '%s': the process that enters it "
	                           "%s",
	                           str_quote(m->destination), str_quote(c->name),
	                           ready == 0 ? "did not answer within 10 s" : "ended without a word");
}

static void has_root(unsigned long ctr, unsigned long host, unsigned long size, void *data)
{
	(void)ctr;
	if (host == 0 && size > 0)
		*(bool *)data = true;
}

/* Whether burrow's root, as whom cp creates files, has an ID in c's own
 * user namespace (where a tmpfs it mounted takes only IDs it maps) for
 * its user and group. */
static bool root_mapped(const struct ctr_config *c)
{
	bool u = !c->uid_map, g = !c->gid_map;
	if (c->uid_map)
		userns_map_each(c->uid_map, has_root, &u);
	if (c->gid_map)
		userns_map_each(c->gid_map, has_root, &g);
	return u && g;
}

/* The overlay of running container c's :O mount number i, where burrow
 * mounted it (see the top of the file). */
static int open_overlay(struct state_store *s, const struct ctr_config *c, size_t i, const struct ctr_mount *m,
                        struct burrow_err **err)
{
	cleanup_free char *point = ctr_mounts_overlay_point(s, c, i);
	cleanup_close int fd = open(point, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st, up;
	if (fd < 0 || fstat(fd, &st) < 0 || fstatat(fd, "..", &up, 0) < 0)
		return burrow_error(err, errno, "cannot open the overlay of '%s'", str_quote(m->destination));
	if (st.st_dev == up.st_dev)
		return burrow_error_status(err, ENOENT, "the overlay of '%s' of container '%s' is not mounted",
		                           str_quote(m->destination), str_quote(c->name));
	return steal_fd(fd);
}

/* Refuses a bind whose host path leads elsewhere than at the start. */
static int replaced(const struct ctr_config *c, const struct ctr_mount *m, struct burrow_err **err)
{
	burrow_error_status(err, EXDEV,
	                    "'%s' is not what container '%s' has mounted at '%s': it was replaced since the container "
	                    "started",
	                    str_quote(m->source), str_quote(c->name), str_quote(m->destination));
	return burrow_error_hint(err, "copy through the container itself: burrow exec -i CONTAINER tar ...");
}

/* bind_check for the run of an older burrow, which recorded no binds:
 * what the container has mounted at the destination, seen through its
 * init's root, is compared instead; *ro is set when that mount is
 * read-only. The container controls what it shows there (and a FUSE
 * mount of its own there blocks the lookup): only until it restarts. */
static int bind_check_seen(const struct ctr_config *c, const struct ctr_run *run, const struct ctr_mount *m,
                           const struct stat *host, bool *ro, struct burrow_err **err)
{
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)run->pid);
	cleanup_close int rootfd = run->pid > 0 ? open(root, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	/* the init that root names is the container's (not a pid reused) */
	bool ours = rootfd >= 0 && proc_is(run->pid, run->pid_start);
	cleanup_close int mfd =
	    ours ? openat2_retry(rootfd, m->destination, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) : -1;
	struct stat in;
	if (!ours)
		errno = ESRCH;
	if (mfd < 0 || fstat(mfd, &in) < 0)
		return burrow_error(err, errno, "cannot see the mount '%s' of container '%s'",
		                    str_quote(m->destination), str_quote(c->name));
	struct statfs sf;
	if (in.st_dev != host->st_dev || in.st_ino != host->st_ino)
		return replaced(c, m, err);
	*ro = fstatfs(mfd, &sf) < 0 || (sf.f_flags & ST_RDONLY);
	return 0;
}

/* A running container's bind mount: what fd (name in it, for a file)
 * opened from the host path is what the start bound at the destination
 * (the run record's binds, ctr_mount_bind_id). The host path may lead
 * elsewhere by now: a container that also has a directory above it bound
 * can put a symlink in its place, which would take the copy to any host
 * directory of the user. What the container shows at the destination is
 * never asked: in a mount namespace of its own (nesting is allowed) it
 * can mount there anything it sees, or a FUSE file system that never
 * answers. */
static int bind_check(const struct ctr_config *c, const struct ctr_run *run, const struct ctr_mount *m, int fd,
                      const char *name, bool *ro, struct burrow_err **err)
{
	struct stat host;
	if ((name ? fstatat(fd, name, &host, AT_SYMLINK_NOFOLLOW) : fstat(fd, &host)) < 0)
		return burrow_error(err, errno, "cannot examine '%s', mounted at '%s'", str_quote(m->source),
		                    str_quote(m->destination));
	if (!run->binds)
		return bind_check_seen(c, run, m, &host, ro, err);
	/* a :O mount's overlay is burrow's, in its own runtime directory */
	if (ctr_mount_has(m, "O"))
		return 0;
	unsigned long long dev, ino;
	if (ctr_mount_bind_find(run->binds, m->destination, &dev, &ino) && dev == (unsigned long long)host.st_dev &&
	    ino == (unsigned long long)host.st_ino)
		return 0;
	return replaced(c, m, err);
}

/* The directory that m (c's mount number i) has its content in, opened (a
 * file bind: the file's parent, its name in *name; a tmpfs: *tmpfs set; a
 * type=bind volume: its host directory in *device, to be checked as a
 * bind's); run: c's run record while it runs, else NULL. */
static int open_source(struct state_store *s, const struct ctr_config *c, const struct ctr_run *run, size_t i,
                       const struct ctr_mount *m, const char *path, char **name, bool *tmpfs, char **device,
                       struct burrow_err **err)
{
	if (strcmp(m->type, "volume") == 0) {
		struct ctr_vol v = {0};
		if (ctr_vol_load(s, m->source, &v, err) < 0)
			return burrow_error_wrap(err, "the volume at '%s'", str_quote(m->destination));
		const char *type = ctr_vol_kv_get(v.options, "type");
		const char *dev = ctr_vol_device(&v);
		*tmpfs = type && strcmp(type, "tmpfs") == 0;
		if (dev)
			*device = xstrdup(dev);
		int fd = !*tmpfs ? ctr_vol_open_contents(s, &v, err)
		         : run   ? open_tmpfs(c, run, m, err)
		                 : unreachable(c, m, "tmpfs volume", path, err);
		ctr_vol_clear(&v);
		return fd;
	}
	*tmpfs = strcmp(m->type, "tmpfs") == 0;
	if (*tmpfs)
		return run ? open_tmpfs(c, run, m, err) : unreachable(c, m, "tmpfs", path, err);
	if (strcmp(m->type, "bind") != 0) {
		if (!run)
			return unreachable(c, m, m->type, path, err);
		burrow_error_status(err, ENOTSUP, "cp cannot reach '%s': it is on the %s mount '%s' of container '%s'",
		                    str_quote(path), m->type, str_quote(m->destination), str_quote(c->name));
		return burrow_error_hint(err, "copy through the container itself: burrow exec -i CONTAINER tar ...");
	}
	if (run && ctr_mount_has(m, "O"))
		return open_overlay(s, c, i, m, err);
	/* the user's own host path (made absolute at create): a symlink in
	 * it is theirs; below it, nothing is followed out */
	int fd = open(m->source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOTDIR)
		return fd >= 0 ? fd
		               : burrow_error(err, errno, "cannot open '%s', mounted at '%s'", str_quote(m->source),
		                              str_quote(m->destination));
	/* a file: its parent, and the name the file has there (a symlink to
	 * it taken as the runtime takes it) */
	cleanup_free char *dir = realpath(m->source, NULL);
	cleanup_free char *base = dir ? xstrdup(dir) : NULL;
	fd = dir ? open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd < 0)
		return burrow_error(err, errno, "cannot open the directory of '%s', mounted at '%s'",
		                    str_quote(m->source), str_quote(m->destination));
	*name = xstrdup(basename(base));
	return fd;
}

/* The mounts burrow gives a running container besides its own (stored
 * format, after them: one of the user's at the same place is mounted
 * over these, as container/bundle.c orders them). /dev/shm is reached in
 * the container's namespace as a tmpfs, whether the runtime mounted it
 * there (--ipc private: in the container's user namespace) or burrow
 * bound one in ("rbind": its own, a joined container's, the host's); the
 * generated /etc files and /run/.containerenv are file binds of the
 * runtime directory's; --tz's zone file, a read-only bind at
 * /etc/localtime; the secrets of type mount, read-only binds of the
 * container's copies; --init's binary, read-only at /run/podman-init.
 * Those a start makes or not by what it finds (the /etc/passwd and
 * /etc/group that --passwd-entry and --group-entry add to, the sd-notify
 * directory) are taken when the run record's binds name them. */
static void add_defaults(struct state_store *s, const struct ctr_config *c, const struct ctr_run *run,
                         struct strv_builder *b)
{
	const char *ipc = ctr_nsmode_of(c, CTR_NS_IPC);
	if (!ipc || strcmp(ipc, "none") != 0) {
		bool runtime = ipc && strcmp(ipc, "private") == 0;
		char *opts[] = {runtime ? "rw" : "rbind", NULL};
		struct ctr_mount m = {.type = "tmpfs", .destination = "/dev/shm", .options = opts};
		strv_builder_take(b, ctr_mount_format(&m));
	}
	cleanup_free char *rundir = ctr_rundir(s, c->id);
	static const struct {
		const char *dest, *name;
		bool ro, if_recorded;
	} files[] = {{"/etc/hosts", "hosts", false, false},       {"/etc/resolv.conf", "resolv.conf", false, false},
	             {"/etc/hostname", "hostname", false, false}, {"/run/.containerenv", ".containerenv", true, false},
	             {"/etc/passwd", "passwd", false, true},      {"/etc/group", "group", false, true},
	             {CTR_SDNOTIFY_DIR, "notify", false, true}};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		unsigned long long dev, ino;
		if ((c->no_hosts && i == 0) || (c->no_hostname && i == 2) ||
		    (files[i].if_recorded && !ctr_mount_bind_find(run->binds, files[i].dest, &dev, &ino)))
			continue;
		cleanup_free char *src = path_join(rundir, files[i].name);
		char *opts[] = {"bind", files[i].ro ? "ro" : "rw", NULL};
		struct ctr_mount m = {
		    .type = "bind", .source = src, .destination = (char *)files[i].dest, .options = opts};
		strv_builder_take(b, ctr_mount_format(&m));
	}
	char *ro[] = {"bind", "ro", NULL};
	if (c->tz) {
		struct ctr_mount m = {.type = "bind", .source = c->tz, .destination = "/etc/localtime", .options = ro};
		strv_builder_take(b, ctr_mount_format(&m));
	}
	if (c->init_path) {
		struct ctr_mount m = {
		    .type = "bind", .source = c->init_path, .destination = CTR_INIT_TARGET, .options = ro};
		strv_builder_take(b, ctr_mount_format(&m));
	}
	cleanup_strv char **secrets = ctr_secret_uses_mounts(s, c->id, c->secrets);
	strv_builder_extend(b, secrets);
}

int ctr_cp_mount_find(struct state_store *s, const struct ctr_config *c, const struct ctr_run *run, int rootfd,
                      const char *path, struct ctr_cp_mnt *out, struct burrow_err **err)
{
	*out = (struct ctr_cp_mnt){.fd = -1};
	cleanup_strv char **lexical = components(strv_split(path, '/'));
	cleanup_strv char **raw = nonempty(strv_split(path, '/'));
	size_t depth = 0;
	/* --read-only's tmpfs too: the container's own mounts keep their
	 * indices (a :O overlay's name), those come after them */
	cleanup_strv char **mounts = NULL;
	{
		struct strv_builder b = {0};
		cleanup_strv char **own = ctr_mounts_with_implied(c);
		strv_builder_extend(&b, own);
		if (run)
			add_defaults(s, c, run, &b);
		mounts = strv_builder_steal(&b);
	}
	/* a ".." after a symlink is not lexical */
	cleanup_strv char **walk = NULL;
	if (rootfd >= 0 && strv_contains(raw, "..") && !(walk = walked(mounts, rootfd, raw, path, err)))
		return -1;
	char **parts = walk ? walk : lexical;
	long i = by_name(mounts, parts, &depth);
	if (i < 0 && rootfd >= 0)
		i = by_inode(mounts, rootfd, parts = walk ? walk : raw, &depth);
	if (i < 0)
		return 0;
	struct ctr_mount hit;
	if (ctr_mount_decode(mounts[i], &hit, err) < 0)
		return -1;
	int rc = -1;
	bool tmpfs = false, ro_seen = false;
	cleanup_free char *device = NULL;
	out->fd = open_source(s, c, run, (size_t)i, &hit, path, &out->name, &tmpfs, &device, err);
	if (out->fd < 0)
		goto done;
	/* a type=bind volume's device is a host path as a bind's is: a
	 * container with its parent bound too can put a symlink in its place */
	bool host = strcmp(hit.type, "bind") == 0 || device;
	if (device) {
		free(hit.source);
		hit.source = steal_ptr(device);
	}
	if (run && host && bind_check(c, run, &hit, out->fd, out->name, &ro_seen, err) < 0)
		goto done;
	out->dest = xstrdup(hit.destination);
	/* a tmpfs mounted in the container's own user namespace */
	out->unmapped = tmpfs && !root_mapped(c) && !ctr_mount_has(&hit, "rbind");
	/* :O's host directory (a stopped container's) is the lower layer of
	 * an overlay: never written; nor is a bind the container sees
	 * read-only (bind_check) */
	out->ro = ctr_mount_has(&hit, "ro") || (ctr_mount_has(&hit, "O") && !run) || ro_seen;
	/* what lies below the destination, with path's "/." or "/" kept */
	size_t len = 3, pl = strlen(path);
	for (size_t k = depth; parts[k]; k++)
		len += strlen(parts[k]) + 1;
	out->rest = xmalloc(len);
	char *at = out->rest;
	*at = '\0';
	for (size_t k = depth; parts[k]; k++)
		at += sprintf(at, "/%s", parts[k]);
	strcpy(at, pl >= 2 && strcmp(path + pl - 2, "/.") == 0 ? "/." : pl && path[pl - 1] == '/' ? "/" : "");
	if (out->name && *out->rest) {
		burrow_error_status(err, ENOTDIR,
		                    "'%s' on container '%s' is not a directory: a file is mounted at '%s'",
		                    str_quote(path), str_quote(c->name), str_quote(out->dest));
		goto done;
	}
	rc = 0;
done:
	ctr_mount_clear(&hit);
	if (rc < 0)
		ctr_cp_mnt_clear(out);
	return rc;
}
