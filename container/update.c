/* burrow update (container/update.h). */
#include "container/update.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "container/rootfs.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/state.h"

int ctr_update(struct state_store *s, const char *ref, const struct ctr_update_opts *o, char **id,
               struct burrow_err **err)
{
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	int lock = -1, rc = -1;
	if (ctr_tool_lock(s, ref, &lock, &c, &r, err) < 0)
		goto out;
	if (o->restart_policy) {
		bool none = strcmp(o->restart_policy, "no") == 0;
		if (c.rm && !none) {
			burrow_error_status(err, EINVAL,
			                    "container '%s' is removed when it exits (--rm): it cannot have restart "
			                    "policy %s",
			                    str_quote(c.name), o->restart_policy);
			goto out;
		}
		free(c.restart_policy);
		c.restart_policy = none ? NULL : xstrdup(o->restart_policy);
		c.restart_max = none ? 0 : o->restart_max;
	}
	if (o->res.limits &&
	    ctr_res_update(&c, &o->res, r.state == CTR_RUNNING || r.state == CTR_PAUSED ? r.pid : 0, err) < 0)
		goto out;
	if (ctr_config_save(s, &c, err) < 0)
		goto out;
	*id = steal_ptr(c.id);
	rc = 0;
out:
	if (lock >= 0)
		state_unlock(lock);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return rc;
}

void ctr_update_adopt(struct ctr_config *c, struct ctr_config *now)
{
	free(c->restart_policy);
	c->restart_policy = steal_ptr(now->restart_policy);
	c->restart_max = now->restart_max;
	c->memory = now->memory;
	c->memory_swap = now->memory_swap;
	c->mem_reserve = now->mem_reserve;
	c->pids_limit = now->pids_limit;
	c->nano_cpus = now->nano_cpus;
	c->cpu_shares = now->cpu_shares;
	c->cpu_quota = now->cpu_quota;
	c->cpu_period = now->cpu_period;
	free(c->cpuset_cpus);
	c->cpuset_cpus = steal_ptr(now->cpuset_cpus);
}
