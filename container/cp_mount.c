/* Which of a container's own mounts a cp path falls on (container/internal.h).
 *
 * The destinations are matched by name first: the path is made lexical
 * ("." and "//" dropped, ".." taken back a component, never above "/") and
 * the longest destination that is a whole-component prefix of it wins.
 * Failing that, by where the path leads in the rootfs: its leading parts
 * resolved there (RESOLVE_IN_ROOT) and compared, by device and inode, with
 * the mount points resolved the same way, so that a symlink of the image
 * into a mount (/var/run -> /run) finds it. A container that changes its
 * links meanwhile only changes which of its own trees the copy uses. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/mount.h"
#include "container/volume.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

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

/* The mount of c whose destination leads the lexical parts by name
 * (the longest one): its index, *depth the parts it takes; -1: none. */
static long by_name(const struct ctr_config *c, char *const *parts, size_t *depth)
{
	long hit = -1;
	*depth = 0;
	for (size_t i = 0; c->mounts && c->mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(c->mounts[i], &m))
			continue;
		cleanup_strv char **dest = components(strv_split(m.destination, '/'));
		ctr_mount_clear(&m);
		size_t n = 0;
		while (dest[n] && parts[n] && strcmp(dest[n], parts[n]) == 0)
			n++;
		if (!dest[n] && n > *depth)
			hit = (long)i, *depth = n;
	}
	return hit;
}

/* The mount of c whose mount point, resolved in rootfd, is what the
 * longest leading run of parts resolves to there (a symlink in the image
 * that leads to it: /var/run -> /run), unless a ".." after it leads out
 * of it again: its index, *depth; -1: none. */
static long by_inode(const struct ctr_config *c, int rootfd, char *const *parts, size_t *depth)
{
	size_t n = c->mounts ? strv_len(c->mounts) : 0;
	struct stat root;
	if (n == 0 || fstat(rootfd, &root) < 0)
		return -1;
	cleanup_free struct stat *points = xcalloc(n, sizeof(*points));
	cleanup_free bool *usable = xcalloc(n, sizeof(*usable));
	for (size_t i = 0; i < n; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(c->mounts[i], &m))
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

void ctr_cp_mnt_clear(struct ctr_cp_mnt *m)
{
	if (m->fd >= 0)
		close(m->fd);
	free(m->name);
	free(m->dest);
	free(m->rest);
	*m = (struct ctr_cp_mnt){.fd = -1};
}

static int unreachable(const struct ctr_config *c, bool running, const struct ctr_mount *m, const char *kind,
                       const char *path, struct burrow_err **err)
{
	if (!running)
		return burrow_error_status(err, ENOENT,
		                           "'%s' is on the %s mount '%s' of container '%s', which is not running: "
		                           "there is nothing to copy",
		                           str_quote(path), kind, str_quote(m->destination), str_quote(c->name));
	burrow_error_status(err, ENOTSUP, "cp cannot reach '%s': it is on the %s mount '%s' of container '%s'",
	                    str_quote(path), kind, str_quote(m->destination), str_quote(c->name));
	return burrow_error_hint(err, "copy through the container itself: burrow exec -i CONTAINER tar ...");
}

/* A running container's bind mount: what fd (name in it, for a file)
 * opened from the host path is what the container has mounted at the
 * destination, seen through its init's root. The host path may lead
 * elsewhere by now: a container that also has a directory above it bound
 * can put a symlink in its place, which would take the copy to any host
 * directory of the user. */
static int bind_check(struct state_store *s, const struct ctr_config *c, const struct ctr_mount *m, int fd,
                      const char *name, struct burrow_err **err)
{
	struct ctr_run r = {0};
	if (ctr_run_load(s, c->id, &r, err) < 0)
		return -1;
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)r.pid);
	cleanup_close int rootfd = r.pid > 0 ? open(root, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	/* the init that root names is the container's (not a pid reused) */
	bool ours = rootfd >= 0 && proc_start_time(r.pid) == r.pid_start;
	ctr_run_clear(&r);
	cleanup_close int mfd =
	    ours ? openat2_retry(rootfd, m->destination, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) : -1;
	struct stat in, host;
	if (!ours)
		errno = ESRCH;
	if (mfd < 0 || fstat(mfd, &in) < 0)
		return burrow_error(err, errno, "cannot see the mount '%s' of container '%s'",
		                    str_quote(m->destination), str_quote(c->name));
	if ((name ? fstatat(fd, name, &host, AT_SYMLINK_NOFOLLOW) : fstat(fd, &host)) < 0)
		return burrow_error(err, errno, "cannot examine '%s', mounted at '%s'", str_quote(m->source),
		                    str_quote(m->destination));
	if (in.st_dev == host.st_dev && in.st_ino == host.st_ino)
		return 0;
	burrow_error_status(err, EXDEV,
	                    "'%s' is not what container '%s' has mounted at '%s': it was replaced since the container "
	                    "started",
	                    str_quote(m->source), str_quote(c->name), str_quote(m->destination));
	return burrow_error_hint(err, "copy through the container itself: burrow exec -i CONTAINER tar ...");
}

/* The directory that m's content is in, opened (a file bind: the file's
 * parent, its name in *name). */
static int open_source(struct state_store *s, const struct ctr_config *c, bool running, const struct ctr_mount *m,
                       const char *path, char **name, struct burrow_err **err)
{
	if (strcmp(m->type, "volume") == 0) {
		struct ctr_vol v = {0};
		if (ctr_vol_load(s, m->source, &v, err) < 0)
			return burrow_error_wrap(err, "the volume at '%s'", str_quote(m->destination));
		const char *type = ctr_vol_kv_get(v.options, "type");
		int fd = type && strcmp(type, "tmpfs") == 0 ? unreachable(c, running, m, "tmpfs volume", path, err)
		                                            : ctr_vol_open_contents(s, &v, err);
		ctr_vol_clear(&v);
		return fd;
	}
	if (strcmp(m->type, "bind") != 0)
		return unreachable(c, running, m, m->type, path, err);
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

int ctr_cp_mount_find(struct state_store *s, const struct ctr_config *c, bool running, int rootfd, const char *path,
                      struct ctr_cp_mnt *out, struct burrow_err **err)
{
	*out = (struct ctr_cp_mnt){.fd = -1};
	cleanup_strv char **lexical = components(strv_split(path, '/'));
	cleanup_strv char **raw = nonempty(strv_split(path, '/'));
	size_t depth = 0;
	char **parts = lexical;
	long i = by_name(c, lexical, &depth);
	if (i < 0 && rootfd >= 0)
		i = by_inode(c, rootfd, parts = raw, &depth);
	if (i < 0)
		return 0;
	struct ctr_mount hit;
	if (ctr_mount_decode(c->mounts[i], &hit, err) < 0)
		return -1;
	int rc = -1;
	out->fd = open_source(s, c, running, &hit, path, &out->name, err);
	if (out->fd < 0 ||
	    (running && strcmp(hit.type, "bind") == 0 && bind_check(s, c, &hit, out->fd, out->name, err) < 0))
		goto done;
	out->dest = xstrdup(hit.destination);
	/* :O's host directory is the lower layer of an overlay: never written */
	out->ro = ctr_mount_has(&hit, "ro") || ctr_mount_has(&hit, "O");
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
