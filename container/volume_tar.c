/* volume export and import: the tar is written by container/tar_write.c
 * (never following a symlink inside the volume); import hands the archive
 * to the image extractor (img_extract), which refuses what would land
 * outside the volume. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/mount.h"
#include "container/tar.h"
#include "container/volume.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/state.h"
/* Loads the volume ref names, locked; returns the lock fd. */
static int lock_volume(struct state_store *s, const char *ref, struct ctr_vol *v, struct burrow_err **err)
{
	cleanup_free char *name = NULL;
	if (ctr_vol_lookup(s, ref, &name, err) < 0)
		return -1;
	int lock = state_lock_name(s, VOL_LOCK_KIND, name, err);
	if (lock < 0)
		return -1;
	if (ctr_vol_load(s, name, v, err) < 0) {
		state_unlock(lock);
		return -1;
	}
	return lock;
}

/* Whether running container id has the volume named name bound from
 * another device and inode than st's (its destination's record in the
 * run record's binds): then *who is its name, *dest where. */
static bool user_mismatch(struct state_store *s, const char *id, const char *name, const struct stat *st, char **who,
                          char **dest)
{
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	struct burrow_err *e = NULL;
	bool bad = false;
	if (ctr_config_load(s, id, &c, &e) == 0 && ctr_run_load(s, id, &r, &e) == 0 &&
	    (r.state == CTR_RUNNING || r.state == CTR_PAUSED)) {
		for (size_t k = 0; c.mounts && c.mounts[k] && !bad; k++) {
			struct ctr_mount m;
			unsigned long long dev, ino;
			if (!ctr_mount_try(c.mounts[k], &m))
				continue;
			bad = strcmp(m.type, "volume") == 0 && strcmp(m.source, name) == 0 &&
			      ctr_mount_bind_find(r.binds, m.destination, &dev, &ino) &&
			      (dev != (unsigned long long)st->st_dev || ino != (unsigned long long)st->st_ino);
			if (bad) {
				*who = xstrdup(c.name);
				*dest = xstrdup(m.destination);
			}
			ctr_mount_clear(&m);
		}
	}
	burrow_err_free(e);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return bad;
}

/* A type=bind volume's device, opened as fd, checked to be what each
 * running container that uses the volume had bound at its start, as cp
 * checks a bind's host path (cp_mount.c): such a container, with the
 * device's parent bound too, can put a symlink in its place, which would
 * take the import (or the export) to any directory of the user's. */
static int device_check(struct state_store *s, const struct ctr_vol *v, int fd, struct burrow_err **err)
{
	const char *device = ctr_vol_device(v);
	struct stat st;
	if (!device)
		return 0;
	if (fstat(fd, &st) < 0)
		return burrow_error(err, errno, "cannot examine '%s'", str_quote(device));
	for (size_t i = 0; v->users && v->users[i]; i++) {
		cleanup_free char *who = NULL, *dest = NULL;
		if (!user_mismatch(s, v->users[i], v->name, &st, &who, &dest))
			continue;
		burrow_error_status(err, EXDEV,
		                    "'%s' is not what container '%s' has mounted at '%s': it was replaced since the "
		                    "container started",
		                    str_quote(device), str_quote(who), str_quote(dest));
		return burrow_error_hint(err, "go through the container itself: burrow exec -i CONTAINER tar ...");
	}
	return 0;
}

int ctr_vol_export(struct state_store *s, const char *ref, const char *output, struct burrow_err **err)
{
	if (!output && isatty(STDOUT_FILENO)) {
		burrow_error_status(err, ENOTTY, "cannot write the archive to a terminal");
		return burrow_error_hint(err, "redirect standard output to a file or a pipe, or give --output FILE");
	}
	struct ctr_vol v = {0};
	int lock = lock_volume(s, ref, &v, err);
	if (lock < 0)
		return -1;
	int rc = -1;
	cleanup_close int root = ctr_vol_open_contents(s, &v, err);
	struct ctr_tar_opts o = {.uid = -1, .gid = -1};
	if (root >= 0 && device_check(s, &v, root, err) == 0 &&
	    ctr_tar_to_output(root, &o, output, "--output FILE", err) == 0)
		rc = 0;
	if (rc < 0)
		burrow_error_wrap(err, "cannot export volume '%s'", str_quote(v.name ? v.name : ref));
	state_unlock(lock);
	ctr_vol_clear(&v);
	return rc;
}

int ctr_vol_import(struct state_store *s, const char *ref, const char *source, struct burrow_err **err)
{
	const char *display = strcmp(source, "-") == 0 ? "standard input" : source;
	struct ctr_vol v = {0};
	int lock = lock_volume(s, ref, &v, err);
	if (lock < 0)
		return -1;
	int rc = -1;
	const char *type = ctr_vol_kv_get(v.options, "type");
	if (type && strcmp(type, "tmpfs") == 0) {
		burrow_error_status(err, EINVAL,
		                    "cannot import into volume '%s': it is a tmpfs, whose content lives only "
		                    "while a container mounts it",
		                    str_quote(v.name));
	} else {
		cleanup_close int root = ctr_vol_open_contents(s, &v, err);
		if (root >= 0 && device_check(s, &v, root, err) == 0 && img_extract(source, root, err) == 0)
			rc = 0;
		else
			burrow_error_wrap(err, "cannot import '%s' into volume '%s'", str_quote(display),
			                  str_quote(v.name));
	}
	state_unlock(lock);
	ctr_vol_clear(&v);
	return rc;
}
