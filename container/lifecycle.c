/* Cleanup, removal, listing and refresh. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "container/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "overlay/overlay.h"
#include "state/state.h"

char *ctr_dir(struct state_store *s, const char *id)
{
	return xasprintf("%s/containers/%s", state_root(s), id);
}

char *ctr_rundir(struct state_store *s, const char *id)
{
	return xasprintf("%s/containers/%s", state_runroot(s), id);
}

bool ctr_monitor_alive(const struct ctr_run *r)
{
	if (r->monitor_pid <= 0)
		return false;
	unsigned long long st = proc_start_time(r->monitor_pid);
	return st != 0 && st == r->monitor_start;
}

int ctr_cleanup(struct state_store *s, const struct ctr_config *c, struct ctr_run *r, struct burrow_err **err)
{
	if (r->mountpoint && !c->rootfs) {
		if (ovl_umount(r->mountpoint, r->fuse_pid, err) < 0)
			return burrow_error_wrap(err, "container '%s'", str_quote(c->name));
	}
	cleanup_free char *rundir = ctr_rundir(s, c->id);
	if (rm_rf(rundir, err) < 0)
		return burrow_error_wrap(err, "container '%s'", str_quote(c->name));
	free(r->mountpoint);
	r->mountpoint = NULL;
	r->fuse_pid = 0;
	r->state = CTR_EXITED;
	r->pid = 0;
	return ctr_run_save(s, c->id, r, err);
}

int ctr_delete(struct state_store *s, const struct ctr_config *c, struct burrow_err **err)
{
	cleanup_free char *ckey = xasprintf("ctr/%s", c->id);
	cleanup_free char *nkey = xasprintf("name/%s", c->name);
	cleanup_free char *rkey = xasprintf("run/%s", c->id);
	if (state_tx_begin(s, STATE_DB, err) < 0)
		return -1;
	if (state_del(s, STATE_DB, ckey, err) < 0 || state_del(s, STATE_DB, nkey, err) < 0 ||
	    state_tx_commit(s, STATE_DB, err) < 0) {
		state_tx_cancel(s, STATE_DB);
		return -1;
	}
	if (state_del(s, STATE_RUN, rkey, err) < 0)
		return -1;
	cleanup_free char *dir = ctr_dir(s, c->id);
	cleanup_free char *rundir = ctr_rundir(s, c->id);
	if (rm_rf(dir, err) < 0 || rm_rf(rundir, err) < 0)
		return burrow_error_wrap(err, "container '%s' removed, but its files are not", str_quote(c->name));
	return 0;
}

/* A running container whose monitor died: mark it stopped (-1) and clean. */
static int check_dead_monitor(struct state_store *s, const struct ctr_config *c, struct ctr_run *r,
                              struct burrow_err **err)
{
	if (r->state != CTR_RUNNING && r->state != CTR_CREATED && r->state != CTR_STOPPING && r->state != CTR_PAUSED)
		return 0;
	if (ctr_monitor_alive(r))
		return 0;
	if (r->pid > 0)
		kill(r->pid, SIGKILL);
	r->exit_code = -1;
	r->finished_at = (long long)time(NULL);
	free(r->reason);
	r->reason = xstrdup("its monitor process died");
	burrow_warn("container '%s': its monitor (pid %d) died; marked exited with code -1", str_quote(c->name),
	            (int)r->monitor_pid);
	return ctr_cleanup(s, c, r, err);
}

struct list_ctx {
	struct state_store *s;
	bool all;
	struct ctr_listing *items;
	size_t n;
};

static int list_one(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)key;
	struct list_ctx *l = data;
	struct ctr_listing it = {0};
	if (ctr_config_from_json(json, &it.cfg, err) < 0)
		return -1;
	if (ctr_run_load(l->s, it.cfg.id, &it.run, err) < 0 || check_dead_monitor(l->s, &it.cfg, &it.run, err) < 0) {
		ctr_config_clear(&it.cfg);
		ctr_run_clear(&it.run);
		return -1;
	}
	if (!l->all && it.run.state != CTR_RUNNING && it.run.state != CTR_PAUSED) {
		ctr_config_clear(&it.cfg);
		ctr_run_clear(&it.run);
		return 0;
	}
	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n++] = it;
	return 0;
}

static int newest_first(const void *a, const void *b)
{
	const struct ctr_listing *x = a, *y = b;
	if (x->cfg.created != y->cfg.created)
		return x->cfg.created < y->cfg.created ? 1 : -1;
	return strcmp(x->cfg.id, y->cfg.id);
}

int ctr_list(struct state_store *s, bool all, struct ctr_listing **out, size_t *n, struct burrow_err **err)
{
	struct list_ctx l = {.s = s, .all = all};
	if (state_each(s, STATE_DB, "ctr/", list_one, &l, err) < 0) {
		ctr_listing_free(l.items, l.n);
		return -1;
	}
	if (l.n)
		qsort(l.items, l.n, sizeof(*l.items), newest_first);
	*out = l.items;
	*n = l.n;
	return 0;
}

void ctr_listing_free(struct ctr_listing *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ctr_config_clear(&l[i].cfg);
		ctr_run_clear(&l[i].run);
	}
	free(l);
}

int ctr_remove(struct state_store *s, const char *ref, bool force, struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	if (ctr_lookup(s, ref, &id, err) < 0)
		return -1;
	int lock = state_lock(s, id, err);
	if (lock < 0)
		return -1;
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	int ret = -1;
	if (ctr_config_load(s, id, &c, err) < 0 || ctr_run_load(s, id, &r, err) < 0 ||
	    check_dead_monitor(s, &c, &r, err) < 0)
		goto out;
	if (r.state == CTR_RUNNING || r.state == CTR_PAUSED || r.state == CTR_CREATED || r.state == CTR_STOPPING) {
		if (!force) {
			burrow_error(err, 0, "cannot remove container '%s': it is %s", str_quote(c.name),
			             ctr_state_name(r.state));
			burrow_error_hint(err, "stop it first, or use 'burrow rm -f'");
			goto out;
		}
		/* its monitor does the cleanup when the container dies: wait for it */
		if (r.pid > 0)
			kill(r.pid, SIGKILL);
		state_unlock(lock);
		lock = -1;
		for (int i = 0; i < 1000 && ctr_monitor_alive(&r); i++)
			usleep(10000);
		if (ctr_monitor_alive(&r)) {
			burrow_error(err, 0, "container '%s': its monitor %d did not finish within 10 s",
			             str_quote(c.name), (int)r.monitor_pid);
			goto out;
		}
		if ((lock = state_lock(s, id, err)) < 0)
			goto out;
		ctr_run_clear(&r);
		ctr_config_clear(&c);
		if (ctr_config_load(s, id, &c, err) < 0) {
			if ((*err)->status == ENOENT) { /* --rm did it */
				burrow_err_free(*err);
				*err = NULL;
				ret = 0;
			}
			goto out;
		}
		if (ctr_run_load(s, id, &r, err) < 0 || check_dead_monitor(s, &c, &r, err) < 0)
			goto out;
	}
	if (r.mountpoint && ctr_cleanup(s, &c, &r, err) < 0)
		goto out;
	ret = ctr_delete(s, &c, err);
out:
	if (lock >= 0)
		state_unlock(lock);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return ret;
}

static int refresh_one(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)key;
	struct state_store *s = data;
	struct ctr_config c = {0};
	if (ctr_config_from_json(json, &c, err) < 0)
		return -1;
	struct ctr_run r = {.state = c.started ? CTR_EXITED : CTR_CONFIGURED};
	int ret = ctr_run_save(s, c.id, &r, err);
	ctr_config_clear(&c);
	return ret;
}

int ctr_refresh(struct state_store *s, struct burrow_err **err)
{
	burrow_debug("runtime state is new (first run or after a reboot): refreshing containers");
	/* state_refresh_done keeps the run/ records written since state_open
	 * (these) and drops the stale ones */
	if (state_each(s, STATE_DB, "ctr/", refresh_one, s, err) < 0 || state_refresh_done(s, err) < 0)
		return burrow_error_wrap(err, "cannot refresh containers after a reboot");
	return 0;
}
