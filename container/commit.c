/* burrow commit: a container's changes as a new image. The container side
 * of it: which container, and where its changes are (its upper dir); the
 * layer and the image are image/'s (img_commit_container). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/mount.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* --include-volumes: where the container's volumes, binds and tmpfs are
 * mounted (podman's UserVolumes: what -v, --mount and --tmpfs gave). */
static char **mount_destinations(const struct ctr_config *c)
{
	char **out = xcalloc(1, sizeof(char *));
	for (size_t i = 0; c->mounts && c->mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(c->mounts[i], &m))
			continue;
		if (strcmp(m.type, "devpts") != 0 && !strv_contains(out, m.destination))
			strv_append(&out, m.destination);
		ctr_mount_clear(&m);
	}
	return out;
}

struct squash {
	struct state_store *s;
	const struct ctr_config *c;
};

/* --squash: the image's layers and the changes merged, one tar */
static int squash_tar(void *data, int fd, struct burrow_err **err)
{
	struct squash *q = data;
	return ctr_layers_tar(q->s, q->c, fd, err);
}

static int commit(struct state_store *s, const struct ctr_commit_opts *o, const struct ctr_config *c, char **image_id,
                  struct burrow_err **err)
{
	if (!c->image_id)
		return burrow_error(err, EINVAL,
		                    "container '%s' runs a directory (--rootfs), not an image: nothing to commit to",
		                    str_quote(c->name));
	cleanup_free char *dir = ctr_dir(s, c->id);
	cleanup_free char *upper = path_join(dir, "upper");
	/* a container that never ran has no changes: an empty directory */
	if (access(upper, F_OK) < 0 && errno == ENOENT && mkdir_p(upper, 0755, err) < 0)
		return -1;
	cleanup_close int fd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open the changes of container '%s'", str_quote(c->name));
	struct squash sq = {.s = s, .c = c};
	cleanup_strv char **volumes = o->include_volumes ? mount_destinations(c) : NULL;
	struct img_commit_opts io = {.base = c->image_id,
	                             .upperfd = fd,
	                             .container = c->name,
	                             .reference = o->reference,
	                             .changes = o->changes,
	                             .message = o->message,
	                             .author = o->author,
	                             .format = o->format,
	                             .volumes = volumes,
	                             .squash = o->squash ? squash_tar : NULL,
	                             .squash_data = &sq};
	return img_commit_container(s, &io, image_id, err);
}

int ctr_commit(struct state_store *s, const struct ctr_commit_opts *o, char **image_id, struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	if (ctr_lookup(s, o->container, &id, err) < 0)
		return -1;
	struct ctr_config c = {0};
	if (ctr_config_load(s, id, &c, err) < 0)
		return -1;
	int r = commit(s, o, &c, image_id, err);
	ctr_config_clear(&c);
	return r;
}
