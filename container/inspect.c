/* Loading a container for inspect and exists (see inspect.h). */
#include "container/inspect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/logfile.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* dir/name when that file is there, else NULL */
static char *path_if_there(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/* The paths of i's /etc files and overlay directories. */
static void inspect_paths(struct state_store *s, struct ctr_inspect *i)
{
	cleanup_free char *rundir = ctr_rundir(s, i->cfg.id);
	i->hosts_path = path_if_there(rundir, "hosts");
	i->resolv_path = path_if_there(rundir, "resolv.conf");
	i->hostname_path = path_if_there(rundir, "hostname");
	cleanup_free char *dir = ctr_dir(s, i->cfg.id);
	i->static_dir = xstrdup(dir);
	i->oci_config = path_if_there(dir, "config.json");
	if (i->cfg.rootfs)
		return;
	i->upper_dir = path_join(dir, "upper");
	i->work_dir = path_join(dir, "work");
	i->merged_dir = i->run.mountpoint ? xstrdup(i->run.mountpoint) : NULL;
	struct img_info *img = NULL;
	struct burrow_err *e = NULL;
	if (!i->cfg.image_id || img_lookup(s, i->cfg.image_id, &img, &e) < 0) {
		burrow_err_free(e); /* gone: no lower directories to show */
		return;
	}
	i->lower_dirs = img_lowerdir_text(img->layers, strv_len(img->layers));
	img_info_free(img);
}

int ctr_inspect_load(struct state_store *s, const char *ref, struct ctr_inspect *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_free char *id = NULL;
	if (ctr_lookup(s, ref, &id, err) < 0)
		return -1;
	int gone = ctr_load_checked(s, id, &out->cfg, &out->run, err);
	if (gone != 0) {
		ctr_inspect_clear(out);
		if (gone < 0)
			return -1;
		/* removed between the lookup and the load (--rm) */
		return burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
	}
	const char *drv = out->cfg.log_driver;
	if (!drv || strcmp(drv, "k8s-file") == 0)
		out->log_path = ctr_log_path(s, id);
	inspect_paths(s, out);
	return 0;
}

void ctr_inspect_clear(struct ctr_inspect *i)
{
	ctr_config_clear(&i->cfg);
	ctr_run_clear(&i->run);
	free(i->log_path);
	free(i->hosts_path);
	free(i->resolv_path);
	free(i->hostname_path);
	free(i->static_dir);
	free(i->oci_config);
	free(i->lower_dirs);
	free(i->upper_dir);
	free(i->work_dir);
	free(i->merged_dir);
	memset(i, 0, sizeof(*i));
}

int ctr_exists(struct state_store *s, const char *ref, struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	if (ctr_lookup(s, ref, &id, err) == 0)
		return 1;
	if ((*err)->status != ENOENT)
		return -1;
	burrow_err_free(*err);
	*err = NULL;
	return 0;
}

int ctr_size_rw(struct state_store *s, const struct ctr_config *c, long long *out, struct burrow_err **err)
{
	*out = 0;
	if (c->rootfs)
		return 0;
	cleanup_free char *dir = ctr_dir(s, c->id);
	cleanup_free char *upper = path_join(dir, "upper");
	if (ctr_tree_size(upper, out, err) < 0)
		return burrow_error_wrap(err, "the writable layer of container '%s'", str_quote(c->name));
	return 0;
}

int ctr_sizes(struct state_store *s, const struct ctr_config *c, long long *rw, long long *rootfs,
              struct burrow_err **err)
{
	if (ctr_size_rw(s, c, rw, err) < 0)
		return -1;
	*rootfs = *rw;
	struct img_info *img = NULL;
	if (!c->image_id)
		return 0;
	if (img_lookup(s, c->image_id, &img, err) == 0) {
		*rootfs += img->size;
		img_info_free(img);
		return 0;
	}
	if ((*err)->status != ENOENT)
		return -1;
	burrow_err_free(*err);
	*err = NULL;
	return 0;
}

int ctr_inspect_sizes(struct state_store *s, struct ctr_inspect *i, struct burrow_err **err)
{
	if (ctr_sizes(s, &i->cfg, &i->size_rw, &i->size_rootfs, err) < 0)
		return -1;
	i->sized = true;
	return 0;
}
