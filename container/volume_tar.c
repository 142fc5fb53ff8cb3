/* volume export and import: the tar is written by container/tar_write.c
 * (never following a symlink inside the volume); import hands the archive
 * to the image extractor (img_extract), which refuses what would land
 * outside the volume. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/tar.h"
#include "container/volume.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
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
	if (root >= 0 && ctr_tar_to_output(root, &o, output, "--output FILE", err) == 0)
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
		if (root >= 0 && img_extract(source, root, err) == 0)
			rc = 0;
		else
			burrow_error_wrap(err, "cannot import '%s' into volume '%s'", str_quote(display),
			                  str_quote(v.name));
	}
	state_unlock(lock);
	ctr_vol_clear(&v);
	return rc;
}
