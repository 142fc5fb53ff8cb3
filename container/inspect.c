/* Loading a container for inspect and exists (see inspect.h). */
#include "container/inspect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/logfile.h"
#include "container/monitor.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
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

char *ctr_inspect_cgroup_find(const char *proc_cgroup)
{
	const char *best = NULL;
	size_t best_len = 0;
	for (const char *line = proc_cgroup; line && *line;) {
		size_t len = strcspn(line, "\n");
		/* ID:CONTROLLERS:PATH; the path may hold ':' */
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		if (c2 && !memchr(c1 + 1, '=', (size_t)(c2 - c1 - 1))) {
			size_t plen = len - (size_t)(c2 + 1 - line);
			if (plen > best_len) {
				best = c2 + 1;
				best_len = plen;
			}
		}
		line += len;
		line += *line == '\n';
	}
	return best ? xstrndup(best, best_len) : NULL;
}

/* Its init's cgroup while it runs or is paused (podman shows none
 * otherwise); NULL when its init is gone. */
static char *cgroup_path(const struct ctr_run *r)
{
	if ((r->state != CTR_RUNNING && r->state != CTR_PAUSED) || r->pid <= 0)
		return NULL;
	cleanup_free char *file = xasprintf("/proc/%d/cgroup", (int)r->pid);
	cleanup_free char *text = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (read_file(file, &text, NULL, &e) < 0)
		return NULL;
	/* read from the same process the record names (not a reused pid) */
	if (!proc_is(r->pid, r->pid_start))
		return NULL;
	return ctr_inspect_cgroup_find(text);
}

/* The paths of i's /etc files and overlay directories. */
static void inspect_paths(struct state_store *s, struct ctr_inspect *i)
{
	cleanup_free char *rundir = ctr_rundir(s, i->cfg.id);
	i->hosts_path = path_if_there(rundir, "hosts");
	i->resolv_path = path_if_there(rundir, "resolv.conf");
	i->hostname_path = path_if_there(rundir, "hostname");
	i->monitor_pidfile = ctr_monitor_pidfile(s, i->cfg.id);
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
	i->image_digest = img->digest ? xstrdup(img->digest) : NULL;
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
	out->cgroup_path = cgroup_path(&out->run);
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
	free(i->monitor_pidfile);
	free(i->cgroup_path);
	free(i->image_digest);
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
