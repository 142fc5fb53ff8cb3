#include "container/record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

static const char *const state_names[] = {
    [CTR_CONFIGURED] = "configured", [CTR_CREATED] = "created",   [CTR_RUNNING] = "running",
    [CTR_PAUSED] = "paused",         [CTR_STOPPING] = "stopping", [CTR_STOPPED] = "stopped",
    [CTR_EXITED] = "exited",         [CTR_REMOVING] = "removing", [CTR_UNKNOWN] = "unknown",
};

const char *ctr_state_name(enum ctr_state s)
{
	return (unsigned)s <= CTR_UNKNOWN ? state_names[s] : "unknown";
}

enum ctr_state ctr_state_parse(const char *s)
{
	for (unsigned i = 0; s && i <= CTR_UNKNOWN; i++)
		if (strcmp(state_names[i], s) == 0)
			return (enum ctr_state)i;
	return CTR_UNKNOWN;
}

char *ctr_config_to_json(const struct ctr_config *c)
{
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "id", c->id);
	jg_key_str(g, "name", c->name);
	jg_key_str(g, "image_id", c->image_id);
	jg_key_str(g, "image_name", c->image_name);
	jg_key_str(g, "rootfs", c->rootfs);
	jg_key_int(g, "created", c->created);
	jg_key_strv(g, "args", c->args);
	jg_key_strv(g, "env", c->env);
	jg_key_str(g, "workdir", c->workdir);
	jg_key_int(g, "uid", c->uid);
	jg_key_int(g, "gid", c->gid);
	jg_key_str(g, "hostname", c->hostname);
	jg_key_str(g, "network", c->network);
	jg_key_int(g, "shm_size", c->shm_size);
	if (c->seccomp)
		jg_key_str(g, "seccomp", c->seccomp);
	jg_key_bool(g, "rm", c->rm);
	jg_key_bool(g, "tty", c->tty);
	jg_key_bool(g, "interactive", c->interactive);
	jg_key_bool(g, "started", c->started);
	jg_key_str(g, "boot_id", c->boot_id);
	jg_key_int(g, "monitor_pid", c->monitor_pid);
	jg_key_int(g, "monitor_start", (long long)c->monitor_start);
	jg_key_int(g, "pid", c->pid);
	jg_key_int(g, "pid_start", (long long)c->pid_start);
	jg_key_int(g, "started_at", c->started_at);
	jg_key_int(g, "finished_at", c->finished_at);
	jg_key_int(g, "exit_code", c->exit_code);
	jg_map_close(g);
	return json_gen_finish(g);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int ctr_config_from_json(const char *json, struct ctr_config *c, struct burrow_err **err)
{
	cleanup_yajl yajl_val v = json_parse(json, err);
	if (!v)
		return burrow_error_wrap(err, "container record");
	memset(c, 0, sizeof(*c));
	c->id = dup_or_null(json_get_str(v, "id"));
	c->name = dup_or_null(json_get_str(v, "name"));
	c->image_id = dup_or_null(json_get_str(v, "image_id"));
	c->image_name = dup_or_null(json_get_str(v, "image_name"));
	c->rootfs = dup_or_null(json_get_str(v, "rootfs"));
	c->created = json_get_int(v, "created", 0);
	c->args = json_get_strv(v, "args");
	c->env = json_get_strv(v, "env");
	c->workdir = dup_or_null(json_get_str(v, "workdir"));
	c->uid = (unsigned)json_get_int(v, "uid", 0);
	c->gid = (unsigned)json_get_int(v, "gid", 0);
	c->hostname = dup_or_null(json_get_str(v, "hostname"));
	c->network = dup_or_null(json_get_str(v, "network"));
	c->shm_size = json_get_int(v, "shm_size", 0);
	c->seccomp = dup_or_null(json_get_str(v, "seccomp"));
	c->rm = json_get_bool(v, "rm", false);
	c->tty = json_get_bool(v, "tty", false);
	c->interactive = json_get_bool(v, "interactive", false);
	c->started = json_get_bool(v, "started", false);
	c->boot_id = dup_or_null(json_get_str(v, "boot_id"));
	c->monitor_pid = (pid_t)json_get_int(v, "monitor_pid", 0);
	c->monitor_start = (unsigned long long)json_get_int(v, "monitor_start", 0);
	c->pid = (pid_t)json_get_int(v, "pid", 0);
	c->pid_start = (unsigned long long)json_get_int(v, "pid_start", 0);
	c->started_at = json_get_int(v, "started_at", 0);
	c->finished_at = json_get_int(v, "finished_at", 0);
	c->exit_code = (int)json_get_int(v, "exit_code", 0);
	if (!c->id || !c->name) {
		ctr_config_clear(c);
		return burrow_error(err, 0, "container record has no id or name");
	}
	return 0;
}

void ctr_config_clear(struct ctr_config *c)
{
	free(c->id);
	free(c->name);
	free(c->image_id);
	free(c->image_name);
	free(c->rootfs);
	strv_free(c->args);
	strv_free(c->env);
	free(c->workdir);
	free(c->hostname);
	free(c->network);
	free(c->boot_id);
	free(c->seccomp);
	memset(c, 0, sizeof(*c));
}

char *ctr_run_to_json(const struct ctr_run *r)
{
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "state", ctr_state_name(r->state));
	jg_key_int(g, "pid", r->pid);
	jg_key_int(g, "pid_start", (long long)r->pid_start);
	jg_key_int(g, "monitor_pid", r->monitor_pid);
	jg_key_int(g, "monitor_start", (long long)r->monitor_start);
	jg_key_int(g, "exit_code", r->exit_code);
	jg_key_int(g, "started_at", r->started_at);
	jg_key_int(g, "finished_at", r->finished_at);
	jg_key_str(g, "mountpoint", r->mountpoint);
	jg_key_int(g, "fuse_pid", r->fuse_pid);
	jg_key_str(g, "reason", r->reason);
	jg_map_close(g);
	return json_gen_finish(g);
}

int ctr_run_from_json(const char *json, struct ctr_run *r, struct burrow_err **err)
{
	cleanup_yajl yajl_val v = json_parse(json, err);
	if (!v)
		return burrow_error_wrap(err, "container state record");
	memset(r, 0, sizeof(*r));
	r->state = ctr_state_parse(json_get_str(v, "state"));
	r->pid = (pid_t)json_get_int(v, "pid", 0);
	r->pid_start = (unsigned long long)json_get_int(v, "pid_start", 0);
	r->monitor_pid = (pid_t)json_get_int(v, "monitor_pid", 0);
	r->monitor_start = (unsigned long long)json_get_int(v, "monitor_start", 0);
	r->exit_code = (int)json_get_int(v, "exit_code", 0);
	r->started_at = json_get_int(v, "started_at", 0);
	r->finished_at = json_get_int(v, "finished_at", 0);
	r->mountpoint = dup_or_null(json_get_str(v, "mountpoint"));
	r->fuse_pid = (pid_t)json_get_int(v, "fuse_pid", 0);
	r->reason = dup_or_null(json_get_str(v, "reason"));
	return 0;
}

void ctr_run_clear(struct ctr_run *r)
{
	free(r->mountpoint);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

int ctr_config_load(struct state_store *s, const char *id, struct ctr_config *c, struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("ctr/%s", id);
	cleanup_free char *json = NULL;
	int r = state_get(s, STATE_DB, key, &json, err);
	if (r < 0)
		return -1;
	if (r == 1)
		return burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(id));
	return ctr_config_from_json(json, c, err);
}

int ctr_config_save(struct state_store *s, const struct ctr_config *c, struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("ctr/%s", c->id);
	cleanup_free char *json = ctr_config_to_json(c);
	return state_put(s, STATE_DB, key, json, err);
}

int ctr_run_load(struct state_store *s, const char *id, struct ctr_run *r, struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("run/%s", id);
	cleanup_free char *json = NULL;
	int rc = state_get(s, STATE_RUN, key, &json, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		memset(r, 0, sizeof(*r));
		r->state = CTR_CONFIGURED;
		return 0;
	}
	return ctr_run_from_json(json, r, err);
}

int ctr_run_save(struct state_store *s, const char *id, const struct ctr_run *r, struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("run/%s", id);
	cleanup_free char *json = ctr_run_to_json(r);
	return state_put(s, STATE_RUN, key, json, err);
}

int ctr_lookup(struct state_store *s, const char *ref, char **id, struct burrow_err **err)
{
	if (state_lookup(s, ref, "name/", "ctr/", id, err) < 0) {
		if ((*err)->status == ENOENT)
			return burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
		return burrow_error_wrap(err, "container '%s'", str_quote(ref));
	}
	return 0;
}
