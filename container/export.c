/* burrow export and diff (container/tools.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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
#include "overlay/merge.h"

/* The directories of img's layers opened, lowest first, into *fds (room
 * for one more) and *n: the caller closes the *n open, even on -1. */
static int open_layers(const struct img_info *img, int **fds, size_t *n, struct burrow_err **err)
{
	size_t all = 0;
	while (img->layers && img->layers[all])
		all++;
	*fds = xmalloc((all + 1) * sizeof(int));
	for (*n = 0; *n < all; (*n)++) {
		(*fds)[*n] = open(img->layers[*n], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if ((*fds)[*n] < 0)
			return burrow_error(err, errno, "cannot open layer '%s'", str_quote(img->layers[*n]));
	}
	return 0;
}

/* A tar of c's image layers and upper dir merged (overlay/merge.h), read
 * straight from the store: no fuse-overlayfs mount, no FUSE request per
 * read; to fd, or (fd < 0) to output as ctr_tar_to_output writes it. */
static int layers_tar(struct state_store *s, const struct ctr_config *c, int fd, const char *output,
                      struct burrow_err **err)
{
	cleanup_free char *dir = ctr_dir(s, c->id);
	cleanup_free char *upper = path_join(dir, "upper");
	struct img_info *img = NULL;
	if (img_lookup(s, c->image_id, &img, err) < 0)
		return -1;
	int *fds = NULL;
	size_t nfds = 0;
	int rc = -1;
	if (open_layers(img, &fds, &nfds, err) < 0)
		goto out;
	fds[nfds] = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool upper_open = fds[nfds] >= 0;
	if (upper_open)
		nfds++;
	else if (errno != ENOENT) { /* a container that never ran may have none */
		burrow_error(err, errno, "cannot open the changes of container '%s'", str_quote(c->name));
		goto out;
	}
	burrow_debug("tar of container '%s': its %zu layer directories read directly, nothing mounted",
	             str_quote(c->name), nfds);
	/* an export: the owners as a mount of them shows them
	 * (ctr_rootfs_mount); a squashed commit's layer keeps them as stored,
	 * as the image's own layers are */
	bool mapped = fd < 0 && ctr_userns_fs_mapped(c);
	struct ctr_tar_opts o = {.uid = -1,
	                         .gid = -1,
	                         .uid_map = mapped ? c->uid_map : NULL,
	                         .gid_map = mapped ? c->gid_map : NULL,
	                         .layers = fds,
	                         .nlayers = nfds,
	                         .no_stubs = fd >= 0 && upper_open};
	rc = fd >= 0 ? ctr_tar_write(-1, &o, fd, err) : ctr_tar_to_output(-1, &o, output, "--output FILE", err);
out:
	while (nfds > 0)
		close(fds[--nfds]);
	free(fds);
	img_info_free(img);
	return rc;
}

int ctr_layers_tar(struct state_store *s, const struct ctr_config *c, int fd, struct burrow_err **err)
{
	return layers_tar(s, c, fd, NULL, err);
}

int ctr_export(struct state_store *s, const struct ctr_engine_opts *eng, const char *ref, const char *output,
               struct burrow_err **err)
{
	if (!output && isatty(STDOUT_FILENO)) {
		burrow_error_status(err, ENOTTY, "cannot write the archive to a terminal");
		return burrow_error_hint(err, "redirect standard output to a file or a pipe, or give --output FILE");
	}
	/* a running container's (or a kept) mount is read as it is; a stopped
	 * one's layers are read directly */
	struct ctr_rootfs rf;
	if (ctr_rootfs_open_mounted(s, eng, ref, &rf, err) < 0)
		return -1;
	struct ctr_tar_opts o = {.uid = -1, .gid = -1};
	int rc = rf.fd >= 0 ? ctr_tar_to_output(rf.fd, &o, output, "--output FILE", err)
	                    : layers_tar(s, &rf.c, -1, output, err);
	if (rc < 0)
		burrow_error_wrap(err, "cannot export container '%s'", str_quote(rf.c.name));
	struct burrow_err *e2 = NULL;
	if (ctr_rootfs_close(&rf, rc < 0 ? &e2 : err) < 0)
		rc = -1;
	burrow_err_free(e2);
	return rc;
}

/* --- diff -------------------------------------------------------------------- */

struct differ {
	int *layers; /* the image's layer directories, lowest first */
	size_t nlayers;
	struct ctr_change *ch;
	size_t n, cap;
};

static void add_change(struct differ *d, char kind, const char *path)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->ch = xrealloc(d->ch, d->cap * sizeof(*d->ch));
	}
	d->ch[d->n++] = (struct ctr_change){.kind = kind, .path = xstrdup(path)};
}

/* What the runtime makes in every container (mount points, the files of
 * its bind mounts, /etc/mtab) is not the container's change: podman's diff
 * leaves these paths out too. */
static bool runtime_made(const char *path)
{
	static const char *const paths[] = {"/dev",         "/etc/hostname", "/etc/hosts",  "/etc/resolv.conf",
	                                    "/proc",        "/run",          "/run/notify", "/run/.containerenv",
	                                    "/run/secrets", "/sys",          "/etc/mtab"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(path, paths[i]) == 0)
			return true;
	return false;
}

/* The changes below dirfd, the upper dir's directory at path ("" for /). */
static int diff_dir(struct differ *d, int dirfd, const char *path, bool added, struct burrow_err **err)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return burrow_error(err, errno, "cannot read '%s' of the container's changes", path[0] ? path : "/");
	}
	struct dirent *de;
	while ((de = readdir(dir))) {
		const char *name = de->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || ovl_opaque_marker(name))
			continue;
		if (strncmp(name, OVL_WHITEOUT, strlen(OVL_WHITEOUT)) == 0) {
			cleanup_free char *gone = xasprintf("%s/%s", path, name + strlen(OVL_WHITEOUT));
			add_change(d, 'D', gone);
			continue;
		}
		cleanup_free char *p = xasprintf("%s/%s", path, name);
		struct stat st;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* changed meanwhile */
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
			add_change(d, 'D', p); /* a whiteout as the kernel makes it */
			continue;
		}
		/* in the image as its layers merged show it (a middle layer's
		 * whiteout or opaque directory hides what is below) */
		int has = added ? 0 : ovl_merge_has(d->layers, d->nlayers, p, err);
		if (has < 0)
			return -1;
		bool new = !has;
		if (!runtime_made(p))
			add_change(d, new ? 'A' : 'C', p);
		if (!S_ISDIR(st.st_mode))
			continue;
		cleanup_close int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0 && diff_dir(d, sub, p, new, err) < 0)
			return -1;
	}
	return 0;
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct ctr_change *)a)->path, ((const struct ctr_change *)b)->path);
}

void ctr_changes_free(struct ctr_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].path);
	free(c);
}

int ctr_diff(struct state_store *s, const char *ref, struct ctr_change **out, size_t *n, struct burrow_err **err)
{
	*out = NULL;
	*n = 0;
	cleanup_free char *id = NULL;
	if (ctr_lookup(s, ref, &id, err) < 0)
		return -1;
	struct ctr_config c = {0};
	if (ctr_config_load(s, id, &c, err) < 0)
		return -1;
	struct differ d = {0};
	struct img_info *img = NULL;
	int rc = -1;
	cleanup_free char *dir = ctr_dir(s, c.id);
	cleanup_free char *upper = path_join(dir, "upper");
	cleanup_close int ufd = -1;
	if (!c.image_id) {
		burrow_error_status(err, EINVAL,
		                    "container '%s' runs a directory (--rootfs): it has no image to compare with",
		                    str_quote(c.name));
		goto out;
	}
	if (img_lookup(s, c.image_id, &img, err) < 0)
		goto out;
	if (open_layers(img, &d.layers, &d.nlayers, err) < 0)
		goto out;
	ufd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd < 0 && errno != ENOENT) {
		burrow_error(err, errno, "cannot open the changes of container '%s'", str_quote(c.name));
		goto out;
	}
	if (ufd >= 0 && diff_dir(&d, ufd, "", false, err) < 0) {
		ctr_changes_free(d.ch, d.n);
		goto out;
	}
	if (d.n > 1)
		qsort(d.ch, d.n, sizeof(*d.ch), cmp_change);
	*out = d.ch;
	*n = d.n;
	rc = 0;
out:
	for (size_t i = 0; i < d.nlayers; i++)
		close(d.layers[i]);
	free(d.layers);
	img_info_free(img);
	ctr_config_clear(&c);
	return rc;
}
