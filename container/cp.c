/* burrow cp (container/tools.h).
 *
 * Both ends are a directory fd and a name in it. A container path is
 * resolved with openat2(RESOLVE_IN_ROOT) from the container's root: ".."
 * and symlinks, absolute ones too, are taken as the container would take
 * them and can never lead out of its root. A host path is resolved the
 * same way from "/" (the user's own files: symlinks followed). From there
 * on nothing is resolved by name again: the source is archived from its
 * parent's fd without following a symlink (container/tar_write.c) and the
 * archive is extracted into the destination's fd without following one
 * (img_extract_fd), so a container that swaps a directory for a symlink
 * while the copy runs (CVE-2018-15664, CVE-2019-14271) only changes what
 * is copied inside its own root.
 *
 * A container path on one of the container's own mounts (-v, --mount,
 * --volumes-from, the image's volumes) is resolved in that mount's source
 * instead, as a root of its own: a volume's _data (or its device), a bind's
 * host directory (container/cp_mount.c finds which). Links inside it
 * resolve within it, never into the rootfs or out. This, rather than
 * /proc/PID/root of a running container's init, because it works as well
 * for a stopped container (podman copies into its volumes too) and needs
 * no process to trust. A running container's tmpfs is only in its mount
 * namespace: its root is opened there (cp_mount.c says how) and is the
 * root below which the rest resolves; a running container's :O mount is
 * its overlay. Refused: a stopped container's tmpfs (nothing in it),
 * writes to a read-only mount, to a stopped container's :O one (its host
 * directory is the overlay's lower layer) and onto a bound file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/rootfs.h"
#include "container/tar.h"
#include "container/tools.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

/* path resolved in rootfd as the root ("" and "/" are the root itself) */
static int in_root(int rootfd, const char *path, unsigned long long flags)
{
	while (*path == '/')
		path++;
	return openat2_retry(rootfd, *path ? path : ".", flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* The last component of path (trailing slashes ignored); "" for the root. */
static char *last_name(const char *path)
{
	size_t len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && path[start - 1] != '/')
		start--;
	return xstrndup(path + start, len - start);
}

/* path without its last component ("" for the root or a single name). */
static char *parent_of(const char *path)
{
	size_t len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	while (len > 0 && path[len - 1] != '/')
		len--;
	return xstrndup(path, len);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* One end, opened. */
struct end {
	struct ctr_rootfs rf; /* a container's (rf.fd -1: the host) */
	bool in_ctr;
	int rootfd;  /* the container's root, or the host's "/" */
	char *where; /* for messages: "container 'x'" or "the host" */
	char *path;  /* the path resolved in rootfd (a host path made absolute) */
	int dirfd;   /* source: the parent of name (content: the directory); destination: where to extract */
	char *name;  /* source: the entry in dirfd (NULL: dirfd's content) */
	char *as;    /* the name in the archive (destination: what the entry is called there; NULL: as is) */
	bool is_dir; /* the source is a directory */
	long long uid, gid;
	struct ctr_cp_mnt mnt; /* the container's own mount that path is on (mnt.fd -1: none, the rootfs) */
};

/* The path to resolve in e->rootfd: below the mount, or e->path. */
static const char *rel(const struct end *e)
{
	return e->mnt.fd >= 0 ? e->mnt.rest : e->path;
}

static void end_clear(struct end *e)
{
	if (e->dirfd >= 0)
		close(e->dirfd);
	if (!e->in_ctr && e->rootfd >= 0)
		close(e->rootfd);
	free(e->where);
	free(e->path);
	free(e->name);
	free(e->as);
	ctr_cp_mnt_clear(&e->mnt);
}

static int not_found(const struct end *e, const char *path, int errnum, struct burrow_err **err)
{
	return burrow_error(err, errnum, "'%s' could not be found on %s", str_quote(path), e->where);
}

/* Where the object fd is, as a path below e's root: found through
 * /proc/self/fd, then opened again from the root and checked to be the
 * same object (dev, inode) by its parent's fd. *parent and *name. */
static int locate(struct end *e, int fd, const struct stat *st, int *parent, char **name, struct burrow_err **err)
{
	char fdpath[64], rootpath[64];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	snprintf(rootpath, sizeof(rootpath), "/proc/self/fd/%d", e->rootfd);
	char at[4096], root[4096];
	ssize_t n1 = readlink(fdpath, at, sizeof(at) - 1), n2 = readlink(rootpath, root, sizeof(root) - 1);
	if (n1 < 0 || n2 < 0)
		return burrow_error(err, errno, "cannot tell where '%s' is on %s", str_quote(e->path), e->where);
	at[n1] = root[n2] = '\0';
	size_t rl = strcmp(root, "/") == 0 ? 0 : (size_t)n2;
	if (strncmp(at, root, rl) != 0 || (at[rl] != '/' && at[rl] != '\0'))
		return burrow_error_status(err, EAGAIN, "'%s' moved out of the root of %s while it was copied",
		                           str_quote(e->path), e->where);
	cleanup_free char *par = parent_of(at + rl);
	cleanup_free char *base = last_name(at + rl);
	cleanup_close int pfd = in_root(e->rootfd, par, O_RDONLY | O_DIRECTORY);
	struct stat again;
	if (pfd < 0 || fstatat(pfd, base, &again, AT_SYMLINK_NOFOLLOW) < 0 || again.st_dev != st->st_dev ||
	    again.st_ino != st->st_ino)
		return burrow_error_status(err, EAGAIN, "'%s' on %s changed while it was copied", str_quote(e->path),
		                           e->where);
	*parent = steal_fd(pfd);
	*name = steal_ptr(base);
	return 0;
}

/* A source that is one of the container's mount points: the directory
 * (or the bound file) as a whole, under the mount point's name. */
static int mount_point(struct end *e, struct burrow_err **err)
{
	e->as = last_name(e->mnt.dest);
	e->name = xstrdup(e->mnt.name ? e->mnt.name : ".");
	e->is_dir = !e->mnt.name;
	e->dirfd = fcntl(e->rootfd, F_DUPFD_CLOEXEC, 0);
	if (e->dirfd < 0)
		return burrow_error(err, errno, "cannot open '%s' on %s", str_quote(e->path), e->where);
	return 0;
}

/* The source: e->dirfd and e->name (NULL: the content of e->dirfd, for
 * PATH/. and the root), e->as its last name, e->is_dir. A symlink is
 * followed (inside a container's root), as podman does. */
static int open_source(struct end *e, struct burrow_err **err)
{
	bool content = ends_with(rel(e), "/.") || strcmp(rel(e), ".") == 0;
	if (e->mnt.fd >= 0 && !content && (strcmp(e->mnt.rest, "") == 0 || strcmp(e->mnt.rest, "/") == 0))
		return mount_point(e, err);
	cleanup_close int fd = in_root(e->rootfd, rel(e), O_PATH);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return not_found(e, e->path, errno, err);
	e->is_dir = S_ISDIR(st.st_mode);
	e->as = last_name(rel(e));
	if (content && !e->is_dir)
		return burrow_error_status(err, ENOTDIR, "'%s' on %s is not a directory", str_quote(e->path), e->where);
	if (content || strcmp(e->as, "") == 0 || strcmp(e->as, "..") == 0) {
		/* the directory's content (the root has no name to keep) */
		if (!e->is_dir)
			return burrow_error_status(err, ENOTDIR, "'%s' on %s is not a directory", str_quote(e->path),
			                           e->where);
		e->dirfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (e->dirfd < 0)
			return burrow_error(err, errno, "cannot open '%s' on %s", str_quote(e->path), e->where);
		free(e->as);
		e->as = NULL;
		return 0;
	}
	return locate(e, fd, &st, &e->dirfd, &e->name, err);
}

/* The destination for src: e->dirfd to extract into, e->as the name the
 * source takes there (NULL: src's content goes into e->dirfd). */
static int open_dest(struct end *e, const struct end *src, bool overwrite, struct burrow_err **err)
{
	bool slash = ends_with(e->path, "/") || ends_with(e->path, "/.");
	cleanup_close int fd = in_root(e->rootfd, rel(e), O_PATH);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) < 0)
		return burrow_error(err, errno, "cannot examine '%s' on %s", str_quote(e->path), e->where);
	if (fd >= 0 && S_ISDIR(st.st_mode)) {
		e->dirfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (e->dirfd < 0)
			return burrow_error(err, errno, "cannot open '%s' on %s", str_quote(e->path), e->where);
		if (!src->as)
			return 0;
		e->as = xstrdup(src->as);
		struct stat old;
		if (!overwrite && fstatat(e->dirfd, e->as, &old, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(old.st_mode) != src->is_dir)
			return burrow_error_status(err, EEXIST, "cannot overwrite %s '%s' on %s with a %s",
			                           src->is_dir ? "non-directory" : "directory", str_quote(e->as),
			                           e->where, src->is_dir ? "directory" : "non-directory");
		return 0;
	}
	if (fd < 0 && errno != ENOENT)
		return not_found(e, e->path, errno, err);
	if (fd < 0 && slash && !src->is_dir)
		return burrow_error_status(err, ENOENT, "destination directory '%s' on %s must exist",
		                           str_quote(e->path), e->where);
	if (fd >= 0 && src->is_dir && !overwrite)
		return burrow_error_status(err, ENOTDIR, "cannot copy a directory to '%s' on %s: it is not a directory",
		                           str_quote(e->path), e->where);
	cleanup_free char *par = parent_of(rel(e)), *shown = parent_of(e->path);
	e->dirfd = in_root(e->rootfd, par, O_RDONLY | O_DIRECTORY);
	if (e->dirfd < 0)
		return not_found(e, *shown ? shown : "/", errno, err);
	e->as = last_name(rel(e));
	if (!src->as && src->is_dir) {
		/* PATH/. onto a new directory: made, then filled */
		if (mkdirat(e->dirfd, e->as, 0755) < 0 && errno != EEXIST)
			return burrow_error(err, errno, "cannot create '%s' on %s", str_quote(e->path), e->where);
		int sub = openat(e->dirfd, e->as, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return burrow_error(err, errno, "cannot open '%s' on %s", str_quote(e->path), e->where);
		close(e->dirfd);
		e->dirfd = sub;
		free(e->as);
		e->as = NULL;
	}
	return 0;
}

static int open_end(struct state_store *s, const struct ctr_cp_opts *o, const struct ctr_cp_end *ce, struct end *e,
                    struct burrow_err **err)
{
	e->dirfd = e->rootfd = e->mnt.fd = -1;
	e->rf.fd = e->rf.lock = -1;
	e->uid = e->gid = -1;
	if (ce->ctr) {
		/* as the kernel takes no longer path (and walking one with '..'
		 * part by part, as cp_mount.c does, takes time by its square) */
		size_t len = strlen(ce->path);
		if (len >= PATH_MAX)
			return burrow_error_status(
			    err, ENAMETOOLONG, "the path on container '%s' is %zu bytes long: a path has at most %d",
			    str_quote(ce->ctr), len, PATH_MAX - 1);
		if (ctr_rootfs_open(s, o->eng, ce->ctr, &e->rf, err) < 0)
			return -1;
		e->in_ctr = true;
		e->rootfd = e->rf.fd;
		e->where = xasprintf("container '%s'", str_quote(e->rf.c.name));
		e->path = xstrdup(ce->path);
		/* its user as burrow's namespace sees them (podman's host IDs):
		 * what lands in its root filesystem, mapped or not, is that
		 * user's inside */
		e->uid = (long long)ctr_userns_id_seen(e->rf.c.uid_map, e->rf.c.uid, false);
		e->gid = (long long)ctr_userns_id_seen(e->rf.c.gid_map, e->rf.c.gid, true);
		bool running = e->rf.r.state == CTR_RUNNING || e->rf.r.state == CTR_PAUSED;
		if (ctr_cp_mount_find(s, &e->rf.c, running ? &e->rf.r : NULL, e->rf.fd, ce->path, &e->mnt, err) < 0)
			return -1;
		if (e->mnt.fd >= 0)
			e->rootfd = e->mnt.fd;
		return 0;
	}
	e->where = xstrdup("the host");
	e->rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->rootfd < 0)
		return burrow_error(err, errno, "cannot open '/'");
	if (ce->path[0] == '/') {
		e->path = xstrdup(ce->path);
	} else {
		cleanup_free char *cwd = getcwd(NULL, 0);
		if (!cwd)
			return burrow_error(err, errno, "cannot tell the current directory");
		e->path = xasprintf("%s/%s", cwd, ce->path);
	}
	return 0;
}

struct writer {
	int dirfd, fd;
	struct ctr_tar_opts o;
	struct burrow_err *err;
	int rc;
};

static void *write_thread(void *arg)
{
	struct writer *w = arg;
	sigset_t pipe;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE); /* a reader that gave up: EPIPE, not death */
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	w->rc = ctr_tar_write(w->dirfd, &w->o, w->fd, &w->err);
	close(w->fd);
	return NULL;
}

/* The pipe's size and the writes into it: tar's 10 KB records through a
 * 64 KB pipe were a write, a read and a wakeup for each 10 KB. */
#define CP_PIPE (1024 * 1024)
#define CP_BLOCK (256 * 1024)

/* Archives src's entry through a pipe into dst. */
static int transfer(struct end *src, struct end *dst, long long uid, long long gid, struct burrow_err **err)
{
	int p[2];
	if (ctr_tar_load(err) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return burrow_error(err, errno, "cannot make a pipe");
	if (fcntl(p[1], F_SETPIPE_SZ, CP_PIPE) < 0)
		burrow_debug("cp: the pipe keeps its size: %s", strerror(errno)); /* above the user's pipe quota */
	struct writer w = {.dirfd = src->dirfd,
	                   .fd = p[1],
	                   .o = {.name = src->name, .as = dst->as, .uid = uid, .gid = gid, .block = CP_BLOCK}};
	if (!dst->as)
		w.o.name = src->name, w.o.as = NULL;
	pthread_t t;
	int e = pthread_create(&t, NULL, write_thread, &w);
	if (e) {
		close(p[0]);
		close(p[1]);
		return burrow_error(err, e, "cannot start a thread");
	}
	struct burrow_err *rerr = NULL;
	int rrc = img_extract_fd(p[0], "the copy", dst->dirfd, &rerr);
	close(p[0]);
	pthread_join(t, NULL);
	/* a reader that gave up leaves the writer a broken pipe: the
	 * reader's error is the cause (a read-only or full destination) */
	if (w.rc < 0 && !(rrc < 0 && w.err->status == EPIPE)) {
		burrow_err_free(rerr);
		*err = w.err;
		return -1;
	}
	if (rrc < 0) {
		burrow_err_free(w.err);
		*err = rerr;
		return -1;
	}
	return 0;
}

static int copy(struct end *src, struct end *dst, const struct ctr_cp_opts *o, struct burrow_err **err)
{
	/* what lands in a container is its user's (-a); what comes out of one
	 * is the container user's, as podman chowns it */
	long long uid = src->in_ctr ? src->uid : -1, gid = src->in_ctr ? src->gid : -1;
	if (dst->in_ctr && o->archive)
		uid = dst->uid, gid = dst->gid;
	else if (dst->in_ctr)
		uid = gid = -1;
	if (strcmp(o->src.path, "-") == 0 && !o->src.ctr) {
		cleanup_close int fd = in_root(dst->rootfd, rel(dst), O_RDONLY | O_DIRECTORY);
		if (fd < 0 && errno == ENOTDIR)
			return burrow_error_status(err, ENOTDIR, "'%s' on %s is not a directory", str_quote(dst->path),
			                           dst->where);
		if (fd < 0)
			return not_found(dst, dst->path, errno, err);
		return img_extract_fd(STDIN_FILENO, "standard input", fd, err);
	}
	if (open_source(src, err) < 0)
		return -1;
	if (strcmp(o->dst.path, "-") == 0 && !o->dst.ctr) {
		if (isatty(STDOUT_FILENO)) {
			burrow_error_status(err, ENOTTY, "cannot write the archive to a terminal");
			return burrow_error_hint(err, "redirect standard output to a file or a pipe");
		}
		struct ctr_tar_opts to = {.name = src->name, .as = src->as, .uid = uid, .gid = gid};
		return ctr_tar_write(src->dirfd, &to, STDOUT_FILENO, err);
	}
	if (open_dest(dst, src, o->overwrite, err) < 0)
		return -1;
	return transfer(src, dst, uid, gid, err);
}

/* A destination on one of the container's mounts: a read-only one, a
 * bound file (replaced by a new file, the mount would keep the old one)
 * and a tmpfs that cannot hold files of burrow's root are refused. */
static int writable(const struct end *e, struct burrow_err **err)
{
	if (e->mnt.ro)
		return burrow_error_status(err, EROFS, "'%s' is on the read-only mount '%s' of %s", str_quote(e->path),
		                           str_quote(e->mnt.dest), e->where);
	if (e->mnt.name)
		return burrow_error_status(err, ENOTSUP, "cannot copy onto '%s' of %s: a file is bind-mounted there",
		                           str_quote(e->path), e->where);
	if (e->mnt.unmapped) {
		burrow_error_status(err, EOVERFLOW,
		                    "cannot copy into '%s' of %s: its tmpfs '%s' takes only the IDs of the container's "
		                    "own user namespace, where burrow's user has none",
		                    str_quote(e->path), e->where, str_quote(e->mnt.dest));
		return burrow_error_hint(err,
		                         "copy through the container itself: burrow exec -i CONTAINER tar -x -C DIR");
	}
	return 0;
}

int ctr_cp(struct state_store *s, const struct ctr_cp_opts *o, struct burrow_err **err)
{
	if (!o->src.ctr && !o->dst.ctr)
		return burrow_error_status(
		    err, EINVAL, "copying from the host to the host is not supported: one path must be CONTAINER:PATH");
	if (o->src.ctr && o->dst.ctr) {
		cleanup_free char *a = NULL, *b = NULL;
		if (ctr_lookup(s, o->src.ctr, &a, err) < 0 || ctr_lookup(s, o->dst.ctr, &b, err) < 0)
			return -1;
		if (strcmp(a, b) == 0)
			return burrow_error_status(err, EINVAL, "copying inside one container is not supported");
	}
	struct end src = {.dirfd = -1, .rootfd = -1, .mnt.fd = -1}, dst = {.dirfd = -1, .rootfd = -1, .mnt.fd = -1};
	src.rf.fd = src.rf.lock = dst.rf.fd = dst.rf.lock = -1;
	bool src_stream = !o->src.ctr && strcmp(o->src.path, "-") == 0;
	bool dst_stream = !o->dst.ctr && strcmp(o->dst.path, "-") == 0;
	int rc = -1;
	if ((src_stream || open_end(s, o, &o->src, &src, err) == 0) &&
	    (dst_stream || open_end(s, o, &o->dst, &dst, err) == 0)) {
		/* a running container's lock is not held for the copy */
		ctr_rootfs_unlock(&src.rf);
		ctr_rootfs_unlock(&dst.rf);
		rc = dst.mnt.fd >= 0 ? writable(&dst, err) : 0;
		if (rc == 0)
			rc = copy(&src, &dst, o, err);
	}
	struct burrow_err *e2 = NULL;
	if (src.in_ctr && ctr_rootfs_close(&src.rf, rc < 0 ? &e2 : err) < 0 && rc == 0)
		rc = -1;
	burrow_err_free(e2);
	e2 = NULL;
	if (dst.in_ctr && ctr_rootfs_close(&dst.rf, rc < 0 ? &e2 : err) < 0 && rc == 0)
		rc = -1;
	burrow_err_free(e2);
	end_clear(&src);
	end_clear(&dst);
	return rc;
}
