/* Cleanup, removal, listing and refresh. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container/cidfile.h"
#include "container/container.h"
#include "container/events.h"
#include "container/health.h"
#include "container/internal.h"
#include "container/monitor.h"
#include "container/mount.h"
#include "container/secret.h"
#include "container/shm.h"
#include "container/volume.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/trace.h"
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

char *ctr_seccomp_cache(struct state_store *s)
{
	return path_join(state_runroot(s), "seccomp");
}

bool ctr_monitor_alive(const struct ctr_run *r)
{
	if (r->monitor_pid <= 0)
		return false;
	return proc_is(r->monitor_pid, r->monitor_start);
}

/* Whether the run recorded in c's persistent fields still goes on: no end
 * recorded, and its monitor alive (this boot, pid + start time). What
 * decides liveness when the runtime record is gone (the runtime dir was
 * removed) or was rebuilt from c. */
static bool config_running(struct state_store *s, const struct ctr_config *c)
{
	if (c->finished_at != 0 || c->monitor_pid <= 0 || !c->boot_id || strcmp(c->boot_id, state_boot_id(s)) != 0)
		return false;
	return proc_is(c->monitor_pid, c->monitor_start);
}

int ctr_cleanup(struct state_store *s, const struct ctr_config *c, struct ctr_run *r, struct burrow_err **err)
{
	ctr_mounts_cleanup(s, c);
	trace_mark("cleanup: mounts cleaned");
	if (r->mountpoint && !c->rootfs) {
		if (ovl_umount(r->mountpoint, r->fuse_pid, err) < 0)
			return burrow_error_wrap(err, "container '%s'", str_quote(c->name));
	}
	trace_mark("cleanup: unmounted");
	cleanup_free char *rundir = ctr_rundir(s, c->id);
	ctr_shm_release(rundir);
	if (rm_rf(rundir, err) < 0)
		return burrow_error_wrap(err, "container '%s'", str_quote(c->name));
	trace_mark("cleanup: rundir removed");
	free(r->mountpoint);
	r->mountpoint = NULL;
	r->fuse_pid = 0;
	r->pid = 0;
	r->mount_count = 0;
	/* a container that never ran, mounted by burrow mount, stays configured */
	ctr_event(s, c, "cleanup");
	trace_mark("cleanup: event");
	return ctr_set_state(s, c, r, r->state == CTR_CONFIGURED ? CTR_CONFIGURED : CTR_EXITED, err);
}

/* A removed container's exit file, /dev/shm and directories. */
static int remove_dirs(struct state_store *s, const char *id, struct burrow_err **err)
{
	cleanup_free char *dir = ctr_dir(s, id);
	cleanup_free char *rundir = ctr_rundir(s, id);
	cleanup_free char *exit_file = ctr_exit_file(s, id);
	unlink(exit_file);
	ctr_shm_release(rundir);
	if (rm_rf(dir, err) < 0 || (trace_mark("delete: dir removed"), rm_rf(rundir, err) < 0))
		return -1;
	return 0;
}

/* What a removed container leaves besides its records: its volumes (in
 * use by it no more; anonymous ones go with volumes), the exit file, its
 * directories; a "remove" event. */
static int delete_files(struct state_store *s, const struct ctr_config *c, bool volumes, struct burrow_err **err)
{
	trace_mark("delete: records");
	ctr_event(s, c, "remove");
	trace_mark("delete: event");
	ctr_mounts_release(s, c->mounts, c->id, volumes);
	trace_mark("delete: released");
	if (remove_dirs(s, c->id, err) < 0)
		return burrow_error_wrap(err, "container '%s' removed, but its files are not", str_quote(c->name));
	return 0;
}

int ctr_delete(struct state_store *s, const struct ctr_config *c, bool volumes, bool dependents,
               struct burrow_err **err)
{
	if (ctr_records_delete(s, c, dependents, err) < 0)
		return -1;
	ctr_cidfile_remove(c->annotations, c->id); /* as podman: the --cidfile goes with it */
	ctr_pidfile_remove(c);
	return delete_files(s, c, volumes, err);
}

bool ctr_state_active(enum ctr_state st)
{
	return st == CTR_RUNNING || st == CTR_CREATED || st == CTR_STOPPING || st == CTR_PAUSED;
}

/* An active container whose monitor is gone. When the monitor recorded the
 * end in burrow.tdb (its runtime record went elsewhere: the runtime dir was
 * removed while it ran), that end is taken; otherwise the container is
 * killed and marked exited with -1, in both records, and a warning says
 * why. Then it is cleaned up. c is reloaded on the way (the monitor may
 * have changed it). Returns 1 when the container is gone altogether (its
 * monitor removed it: --rm). */
int ctr_check_monitor(struct state_store *s, struct ctr_config *c, struct ctr_run *r, struct burrow_err **err)
{
	if (!ctr_state_active(r->state) || ctr_monitor_alive(r))
		return 0;
	struct ctr_config now = {0};
	if (ctr_config_load(s, c->id, &now, err) < 0) {
		if ((*err)->status != ENOENT)
			return -1;
		burrow_err_free(steal_ptr(*err));
		return 1;
	}
	ctr_config_clear(c);
	*c = now;
	bool same_run = c->monitor_pid == r->monitor_pid && c->monitor_start == r->monitor_start;
	free(r->reason);
	r->reason = NULL;
	int code;
	long long when;
	if (same_run && c->finished_at != 0) {
		r->exit_code = c->exit_code;
		r->finished_at = c->finished_at;
		r->finished_ns = c->finished_ns;
	} else if (ctr_exit_file_read(s, c->id, &code, &when) == 1 && when >= r->started_at) {
		/* it died after the container ended and wrote the exit file, before
		 * it recorded the end: the exit file says how (as the seeds take
		 * conmon's) */
		r->exit_code = code;
		r->finished_at = when;
		r->finished_ns = 0;
		burrow_warn("container '%s': its monitor (pid %d) died after the container exited with %d",
		            str_quote(c->name), (int)r->monitor_pid, code);
		if (same_run) {
			c->exit_code = code;
			c->finished_at = when;
			c->finished_ns = 0;
			if (ctr_config_save(s, c, err) < 0)
				return -1;
		}
	} else {
		if (r->pid > 0) {
			(void)proc_signal(r->pid, r->pid_start, SIGKILL);
			(void)proc_wait_gone(r->pid, r->pid_start, now_ms() + 2000);
		}
		r->exit_code = -1;
		long long end = time_wall_ns();
		r->finished_at = end / 1000000000LL;
		r->finished_ns = (int)(end % 1000000000LL);
		r->reason = xstrdup("its monitor process died");
		burrow_warn("container '%s': its monitor (pid %d) died; marked exited with code -1", str_quote(c->name),
		            (int)r->monitor_pid);
		if (same_run) {
			c->exit_code = r->exit_code;
			c->finished_at = r->finished_at;
			c->finished_ns = r->finished_ns;
			if (ctr_config_save(s, c, err) < 0)
				return -1;
		}
	}
	if (ctr_set_state(s, c, r, CTR_STOPPED, err) < 0)
		return -1;
	return ctr_cleanup(s, c, r, err);
}

struct list_ctx {
	struct state_store *s;
	bool all;
	struct ctr_listing *items;
	size_t n;
};

static int list_one(struct ctr_config *c, void *data, struct burrow_err **err)
{
	struct list_ctx *l = data;
	struct ctr_listing it = {.cfg = *c};
	memset(c, 0, sizeof(*c));
	int dead = ctr_run_load(l->s, it.cfg.id, &it.run, err);
	if (dead == 0)
		dead = ctr_check_monitor(l->s, &it.cfg, &it.run, err);
	if (dead != 0) {
		ctr_config_clear(&it.cfg);
		ctr_run_clear(&it.run);
		return dead < 0 ? -1 : 0; /* 1: removed meanwhile (--rm) */
	}
	if (!l->all && it.run.state != CTR_RUNNING && it.run.state != CTR_PAUSED) {
		ctr_config_clear(&it.cfg);
		ctr_run_clear(&it.run);
		return 0;
	}
	it.health = (int)ctr_health_status_get(l->s, &it.cfg);
	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n++] = it;
	return 0;
}

static int newest_first(const void *a, const void *b)
{
	const struct ctr_listing *x = a, *y = b;
	if (x->cfg.created != y->cfg.created)
		return x->cfg.created < y->cfg.created ? 1 : -1;
	if (x->cfg.created_ns != y->cfg.created_ns) /* two in one second: --latest */
		return x->cfg.created_ns < y->cfg.created_ns ? 1 : -1;
	return strcmp(x->cfg.id, y->cfg.id);
}

int ctr_list(struct state_store *s, bool all, struct ctr_listing **out, size_t *n, struct burrow_err **err)
{
	struct list_ctx l = {.s = s, .all = all};
	if (ctr_config_each(s, list_one, &l, err) < 0) {
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

int ctr_kill_init(const struct ctr_config *c, const struct ctr_run *r, struct burrow_err **err)
{
	if (r->pid <= 0 || proc_signal(r->pid, r->pid_start, SIGKILL) == 0)
		return 0;
	int e = errno;
	if (proc_signal(r->monitor_pid, r->monitor_start, SIGKILL) == 0)
		return 0;
	return burrow_error(err, e, "cannot kill container '%s' (pid %d)", str_quote(c->name), (int)r->pid);
}

int ctr_load_checked(struct state_store *s, const char *id, struct ctr_config *c, struct ctr_run *r,
                     struct burrow_err **err)
{
	ctr_config_clear(c);
	ctr_run_clear(r);
	if (ctr_config_load(s, id, c, err) < 0) {
		if ((*err)->status != ENOENT)
			return -1;
		burrow_err_free(steal_ptr(*err));
		return 1;
	}
	if (ctr_run_load(s, id, r, err) < 0)
		return -1;
	return ctr_check_monitor(s, c, r, err);
}

int ctr_lock_load(struct state_store *s, const char *ref, char **id, int *lock, struct ctr_config *c, struct ctr_run *r,
                  struct burrow_err **err)
{
	*lock = -1;
	if (ctr_lookup(s, ref, id, err) < 0 || (*lock = state_lock(s, *id, err)) < 0)
		return -1;
	return ctr_load_checked(s, *id, c, r, err);
}

/* The monitor of a container whose records cannot say who runs it (its
 * run record is unreadable too): the one its runtime directory's
 * monitor.pid names ("PID START"), by pid and start time; a pid without
 * its start time is never taken (it may name another process by now).
 * 1 found (ref open), 0 none. */
static int monitor_from_file(struct state_store *s, const char *id, struct proc_ref *ref)
{
	cleanup_free char *rundir = ctr_rundir(s, id);
	cleanup_free char *path = path_join(rundir, "monitor.pid");
	cleanup_free char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0) {
		burrow_err_free(e);
		return 0;
	}
	int pid = 0;
	unsigned long long start = 0;
	if (sscanf(text, "%d %llu", &pid, &start) != 2 || pid <= 0 || start == 0)
		return 0;
	return proc_ref_open(ref, pid, start) == 1;
}

/* Kills a monitor and what it runs: its children (the container init,
 * a tap or exec helper) are opened while they still are its own, the
 * monitor goes first (so that it records nothing of their end), then
 * they, and both are waited for. */
static void kill_monitor(const struct proc_ref *mon)
{
	struct proc_ref *kids = NULL;
	size_t n = proc_children(mon, &kids);
	(void)proc_ref_signal(mon, SIGKILL);
	for (size_t i = 0; i < n; i++)
		(void)proc_ref_signal(&kids[i], SIGKILL);
	int64_t deadline = now_ms() + 5000;
	(void)proc_ref_wait_gone(mon, deadline);
	for (size_t i = 0; i < n; i++) {
		(void)proc_ref_wait_gone(&kids[i], deadline);
		proc_ref_close(&kids[i]);
	}
	free(kids);
}

/* What can still be read of an unreadable container record for its
 * removal: the fields of the right type when the record is JSON that
 * names this container (ctr_config_salvage), and the name its name
 * record held. Its --cidfile and --pidfile go only when they still hold
 * its ID and its pid, as any container's. */
static void remove_unreadable_files(struct state_store *s, const char *id, const char *json, char *name)
{
	struct ctr_config c = {0};
	if (json && ctr_config_salvage(json, id, &c) == 0) {
		ctr_cidfile_remove(c.annotations, id);
		ctr_pidfile_remove(&c);
	}
	free(c.id);
	c.id = xstrdup(id);
	if (name) {
		free(c.name);
		c.name = name;
	}
	ctr_event(s, &c, "remove");
	ctr_config_clear(&c);
}

/* A container whose record cannot be read (EBADMSG from ctr_config_load):
 * its records, runtime state and directories go, and the volumes it used
 * are released (its record, which named them, cannot say more; nothing of
 * another container is touched). One whose monitor still runs (found by
 * its run record, or by monitor.pid when that is unreadable too) is
 * refused without force, else killed first with its init and unmounted. */
static int remove_unreadable(struct state_store *s, const char *id, bool force, struct burrow_err **err)
{
	struct ctr_run r = {0};
	struct ctr_vol *vols = NULL;
	size_t nvol = 0;
	cleanup_proc_ref struct proc_ref mon = PROC_REF_INIT;
	cleanup_free char *json = NULL;
	cleanup_free char *merged = NULL;
	char *name = NULL;
	int ret = -1;
	/* one that others require stays, untouched (as rm refuses a
	 * readable one); looked at again where its records go */
	if (ctr_run_load(s, id, &r, err) < 0 || ctr_config_text(s, id, &json, err) < 0 ||
	    ctr_dependents_refuse_id(s, id, err) < 0)
		goto out;
	bool alive = r.state == CTR_UNKNOWN
	                 ? monitor_from_file(s, id, &mon) == 1
	                 : r.monitor_start && proc_ref_open(&mon, r.monitor_pid, r.monitor_start) == 1;
	if (alive) {
		if (!force) {
			burrow_error_status(err, EBUSY, "cannot remove container %.12s: its monitor still runs", id);
			burrow_error_hint(err, "use 'burrow rm -f'");
			goto out;
		}
		if (r.pid > 0)
			(void)proc_signal(r.pid, r.pid_start, SIGKILL);
		kill_monitor(&mon);
	}
	/* an unknown state cannot say whether its root is mounted: the
	 * place where a start mounts it is unmounted (nothing there: fine) */
	if (!r.mountpoint && r.state == CTR_UNKNOWN) {
		cleanup_free char *rundir = ctr_rundir(s, id);
		merged = path_join(rundir, "merged");
	}
	if ((r.mountpoint || merged) && ovl_umount(r.mountpoint ? r.mountpoint : merged, r.fuse_pid, err) < 0)
		goto out;
	if (ctr_vol_list(s, &vols, &nvol, err) < 0)
		goto out;
	for (size_t i = 0; i < nvol; i++)
		if (strv_contains(vols[i].users, id) && ctr_vol_unuse(s, vols[i].name, id, err) < 0)
			goto out;
	if (ctr_records_delete_id(s, id, &name, err) < 0)
		goto out;
	remove_unreadable_files(s, id, json, steal_ptr(name));
	if (remove_dirs(s, id, err) < 0) {
		burrow_error_wrap(err, "container %.12s removed, but its files are not", id);
		goto out;
	}
	ret = 0;
out:
	free(name);
	ctr_vol_list_free(vols, nvol);
	ctr_run_clear(&r);
	return ret;
}

static void run_from_config(struct state_store *s, const struct ctr_config *c, struct ctr_run *r);

int ctr_remove(struct state_store *s, const char *ref, bool force, int timeout, struct burrow_err **err)
{
	return ctr_remove_volumes(s, ref, force, timeout, false, err);
}

int ctr_remove_volumes(struct state_store *s, const char *ref, bool force, int timeout, bool volumes,
                       struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	enum ctr_state was;
	int lock = -1, ret = -1;
	int dead = ctr_lock_load(s, ref, &id, &lock, &c, &r, err);
	if (dead < 0 && lock >= 0 && (*err)->status == EBADMSG) {
		burrow_err_free(steal_ptr(*err));
		ret = remove_unreadable(s, id, force, err);
		goto out;
	}
	if (dead < 0)
		goto out;
	if (dead == 1)
		goto gone;
	if (r.state == CTR_UNKNOWN) {
		/* its run record cannot be read: its persistent record says
		 * whether it still runs (its monitor by pid and start time) */
		ctr_run_clear(&r);
		run_from_config(s, &c, &r);
	}
	if (ctr_dependents_refuse(s, &c, err) < 0)
		goto out;
	if (r.restarting && ctr_monitor_alive(&r)) {
		/* its monitor waits to restart it: it holds nothing now (the
		 * container ended and was cleaned up), and goes */
		(void)proc_signal(r.monitor_pid, r.monitor_start, SIGKILL);
		(void)proc_wait_gone(r.monitor_pid, r.monitor_start, now_ms() + 5000);
	}
	if (ctr_state_active(r.state)) {
		/* initialized (burrow init): its command never ran; it goes
		 * without -f, as podman's */
		bool initialized = r.state == CTR_CREATED;
		if (!force && !initialized) {
			burrow_error_status(err, EBUSY, "cannot remove container '%s': it is %s", str_quote(c.name),
			                    ctr_state_word(r.state));
			burrow_error_hint(err, "stop it first, or use 'burrow rm -f'");
			goto out;
		}
		/* its monitor does the cleanup when the container dies: wait for
		 * it (without the lock). stopping first: it is not to be
		 * restarted */
		bool paused = r.state == CTR_PAUSED;
		r.user_ended = true;
		if (ctr_set_state(s, &c, &r, CTR_STOPPING, err) < 0)
			goto out;
		state_unlock(lock);
		lock = -1;
		int sig = timeout >= 0 && !initialized ? (c.stop_signal > 0 ? c.stop_signal : SIGTERM) : SIGKILL;
		if (ctr_end(s, &c, &r, paused, sig, timeout, err) < 0)
			goto out;
		if ((lock = state_lock(s, id, err)) < 0 || (dead = ctr_load_checked(s, id, &c, &r, err)) < 0)
			goto out;
		if (dead == 1)
			goto gone;
	}
	if (r.mountpoint && ctr_cleanup(s, &c, &r, err) < 0)
		goto out;
	was = r.state;
	if (ctr_set_state(s, &c, &r, CTR_REMOVING, err) < 0)
		goto out;
	/* the dependents looked at again where the records go: a create may
	 * have stored one since */
	ret = ctr_delete(s, &c, volumes, true, err);
	if (ret < 0 && (*err)->status == EEXIST) {
		/* refused, nothing deleted: it stays as it was */
		r.state = was;
		cleanup_err struct burrow_err *e = NULL;
		if (ctr_run_save(s, id, &r, &e) < 0)
			burrow_warn("%s", e->msg);
	}
	goto out;
gone : {
	/* its monitor removed it (--rm); a runtime record it could not reach
	 * (the runtime dir was replaced meanwhile) goes too */
	ret = ctr_run_delete(s, id, err);
}
out:
	if (lock >= 0 && ret == 0)
		state_unlock_remove(s, id, lock); /* it is gone: its lock file too */
	else if (lock >= 0)
		state_unlock(lock);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return ret;
}

/* Whether a container has the ID id, readable or not: 1, 0, -1. */
static int has_record(struct state_store *s, const char *id)
{
	cleanup_free char *key = xasprintf("ctr/%s", id);
	cleanup_err struct burrow_err *e = NULL;
	int r = state_has(s, STATE_DB, key, &e);
	return r == 0 ? state_has(s, STATE_RM, key, &e) : r;
}

/* The IDs of containers/ under top, added to *ids. */
static void dir_ids(const char *top, char ***ids)
{
	cleanup_free char *dir = path_join(top, "containers");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (ctr_is_id(de->d_name) && !strv_contains(*ids, de->d_name))
			strv_append(ids, de->d_name);
}

void ctr_orphans_remove(struct state_store *s)
{
	cleanup_strv char **ids = xcalloc(1, sizeof(char *));
	dir_ids(state_root(s), &ids);
	dir_ids(state_runroot(s), &ids);
	for (size_t i = 0; ids[i]; i++) {
		if (has_record(s, ids[i]) != 0)
			continue;
		/* not waited for: a create holds it until its record is stored
		 * (and marks what it made: ctr_secret_orphans_remove's), an rm
		 * until its files are gone */
		cleanup_err struct burrow_err *e = NULL;
		int lock = state_lock_try(s, ids[i], &e);
		if (lock < 0)
			continue;
		if (has_record(s, ids[i]) != 0 || ctr_create_pending_marked(s, ids[i])) {
			state_unlock(lock);
			continue;
		}
		burrow_debug("container %.12s: removing its files: it has no record (its removal was killed)", ids[i]);
		if (remove_dirs(s, ids[i], &e) < 0 || ctr_run_delete(s, ids[i], &e) < 0) {
			burrow_debug("%s", e->msg);
			state_unlock(lock);
			continue;
		}
		state_unlock_remove(s, ids[i], lock);
	}
}

/* The runtime record of c rebuilt from its persistent fields, when the
 * runtime state is new (after a reboot, or the runtime dir was removed):
 * running when its monitor still is (it runs in an older namespace, whose
 * mounts this one cannot see: no mount point), else exited with the
 * recorded code, or -1 when no end was recorded. */
static void run_from_config(struct state_store *s, const struct ctr_config *c, struct ctr_run *r)
{
	memset(r, 0, sizeof(*r));
	if (config_running(s, c)) {
		r->state = CTR_RUNNING;
		r->pid = c->pid;
		r->pid_start = c->pid_start;
		r->monitor_pid = c->monitor_pid;
		r->monitor_start = c->monitor_start;
		r->started_at = c->started_at;
		r->started_ns = c->started_ns;
		return;
	}
	if (!c->started && !c->started_at && !c->finished_at) {
		r->state = CTR_CONFIGURED;
		return;
	}
	r->state = CTR_EXITED;
	r->exit_code = c->exit_code;
	r->started_at = c->started_at;
	r->started_ns = c->started_ns;
	r->finished_at = c->finished_at;
	r->finished_ns = c->finished_ns;
	if (c->started_at && !c->finished_at) {
		bool this_boot = c->boot_id && strcmp(c->boot_id, state_boot_id(s)) == 0;
		r->exit_code = -1;
		r->reason =
		    xstrdup(this_boot ? "its monitor process died" : "it was running when the machine restarted");
	}
}

static int refresh_one(struct ctr_config *c, void *data, struct burrow_err **err)
{
	struct state_store *s = data;
	struct ctr_run r;
	run_from_config(s, c, &r);
	int ret = ctr_run_save(s, c->id, &r, err);
	ctr_run_clear(&r);
	return ret;
}

/* A --rm container of a boot that is over (its records went with that
 * boot's --rm file): removed as its monitor would have at its end. */
static int refresh_stale_rm(struct ctr_config *c, void *data, struct burrow_err **err)
{
	(void)err;
	struct burrow_err *e = NULL;
	if (delete_files(data, c, true, &e) < 0) {
		burrow_warn("%s", e->msg);
		burrow_err_free(e);
	}
	return 0;
}

int ctr_refresh(struct state_store *s, struct burrow_err **err)
{
	burrow_debug("runtime state is new (first run or after a reboot): refreshing containers");
	/* state_refresh_done keeps the run/ records written since state_open
	 * (these) and drops the stale ones */
	if (ctr_config_each_stale_rm(s, refresh_stale_rm, s, err) < 0 || ctr_config_each(s, refresh_one, s, err) < 0 ||
	    state_refresh_done(s, err) < 0)
		return burrow_error_wrap(err, "cannot refresh containers after a reboot");
	ctr_secret_orphans_remove(s);
	return 0;
}
