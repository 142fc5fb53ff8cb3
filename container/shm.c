/* A container's shareable /dev/shm (container/shm.h). */
#include "container/shm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "container/internal.h"
#include "container/nsmode.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"
#include "userns/userns.h"

long long ctr_shm_size(const struct ctr_config *c)
{
	return c->shm_size > 0 ? c->shm_size : 64LL << 20;
}

bool ctr_shm_shareable(const struct ctr_config *c)
{
	const char *m = ctr_nsmode_of(c, CTR_NS_IPC);
	return !m || str_has_prefix(m, "ns:");
}

int ctr_shm_check_peer(struct state_store *s, const char *peer_id, const char *value, struct burrow_err **err)
{
	struct ctr_config pc = {0};
	if (ctr_config_load(s, peer_id, &pc, err) < 0)
		return -1;
	const char *m = ctr_nsmode_of(&pc, CTR_NS_IPC);
	const char *why = !m                          ? NULL
	                  : strcmp(m, "private") == 0 ? "its IPC namespace is private (--ipc private)"
	                  : strcmp(m, "none") == 0    ? "it has no /dev/shm (--ipc none)"
	                                              : NULL;
	if (why) {
		burrow_error_status(err, EINVAL, "--ipc %s: container '%s' cannot be joined: %s", str_quote(value),
		                    str_quote(pc.name), why);
		burrow_error_hint(err, "create '%s' with --ipc shareable (the default)", str_quote(pc.name));
	}
	ctr_config_clear(&pc);
	return why ? -1 : 0;
}

/* tmpfs options: the container's root owns the tmpfs's root, as when the
 * runtime mounts it in the container's own user namespace */
static char *tmpfs_options(const struct ctr_config *c)
{
	unsigned long u = 0, g = 0;
	if (userns_map_to_host(c->uid_map, 0, &u) < 0)
		u = 0;
	if (userns_map_to_host(c->gid_map, 0, &g) < 0)
		g = 0;
	return xasprintf("mode=1777,size=%lld,uid=%lu,gid=%lu", ctr_shm_size(c), u, g);
}

/* The /dev/shm of container id, whose IPC namespace another joins: its
 * own tmpfs, or, when it joined one too, that one's (a chain, followed a
 * few steps), or the host's. */
static int peer_shm(struct state_store *s, const char *id, char **dir, struct burrow_err **err)
{
	cleanup_free char *cur = xstrdup(id);
	for (int hops = 0; hops < 8; hops++) {
		struct ctr_config pc = {0};
		if (ctr_config_load(s, cur, &pc, err) < 0)
			return -1;
		const char *m = ctr_nsmode_of(&pc, CTR_NS_IPC);
		if (m && strcmp(m, "host") == 0) {
			ctr_config_clear(&pc);
			*dir = xstrdup("/dev/shm");
			return 0;
		}
		if (m && str_has_prefix(m, "container:")) {
			free(cur);
			cur = xstrdup(m + strlen("container:"));
			ctr_config_clear(&pc);
			continue;
		}
		bool shareable = ctr_shm_shareable(&pc);
		ctr_config_clear(&pc);
		if (!shareable)
			break;
		cleanup_free char *peer_run = ctr_rundir(s, cur);
		cleanup_free char *peer = path_join(peer_run, "shm");
		struct stat st, parent;
		/* a mount point: its device is not that of the directory it is in */
		if (stat(peer, &st) == 0 && stat(peer_run, &parent) == 0 && st.st_dev != parent.st_dev) {
			*dir = steal_ptr(peer);
			return 0;
		}
		break;
	}
	burrow_warn("container %.12s has no /dev/shm to share (started by an older burrow?): this container "
	            "gets one of its own",
	            cur);
	return 0;
}

struct joiners {
	struct state_store *s;
	const char *mode; /* "container:ID" */
	char *names;      /* "'a', 'b'" */
	size_t n;
};

static int joiner_one(struct ctr_config *c, void *data, struct burrow_err **err)
{
	(void)err;
	struct joiners *j = data;
	const char *m = ctr_nsmode_of(c, CTR_NS_IPC);
	if (!m || strcmp(m, j->mode) != 0)
		return 0;
	struct ctr_run r = {0};
	cleanup_err struct burrow_err *e = NULL;
	bool runs = ctr_run_load(j->s, c->id, &r, &e) == 0 && (r.state == CTR_RUNNING || r.state == CTR_PAUSED) &&
	            r.pid > 0 && proc_start_time(r.pid) == r.pid_start;
	ctr_run_clear(&r);
	if (!runs)
		return 0;
	char *names = xasprintf("%s%s'%s'", j->names ? j->names : "", j->names ? ", " : "", str_quote(c->name));
	free(j->names);
	j->names = names;
	j->n++;
	return 0;
}

char *ctr_shm_stale_joiners(struct state_store *s, const struct ctr_config *c)
{
	/* only a container that ran before in this boot can have been
	 * joined (a joiner needs it running): a first start pays no walk
	 * over every container */
	if (!ctr_shm_shareable(c) || !c->boot_id || strcmp(c->boot_id, state_boot_id(s)) != 0)
		return NULL;
	cleanup_free char *mode = xasprintf("container:%s", c->id);
	struct joiners j = {.s = s, .mode = mode};
	cleanup_err struct burrow_err *e = NULL;
	if (ctr_config_each(s, joiner_one, &j, &e) < 0 || !j.n) {
		free(j.names);
		return NULL;
	}
	char *msg =
	    xasprintf("container%s %s, which joined the IPC namespace of an earlier run of container '%s', "
	              "keep%s that run's IPC namespace and /dev/shm: restart %s to share this run's",
	              j.n > 1 ? "s" : "", j.names, str_quote(c->name), j.n > 1 ? "" : "s", j.n > 1 ? "them" : "it");
	free(j.names);
	return msg;
}

void ctr_shm_release(const char *rundir)
{
	cleanup_free char *dir = path_join(rundir, "shm");
	while (umount2(dir, MNT_DETACH) == 0)
		; /* one left from a run whose cleanup did not come, and the next */
}

int ctr_shm_prepare(struct state_store *s, const struct ctr_config *c, const char *rundir, char **dir,
                    struct burrow_err **err)
{
	*dir = NULL;
	const char *mode = ctr_nsmode_of(c, CTR_NS_IPC);
	if (mode && str_has_prefix(mode, "container:"))
		return peer_shm(s, mode + strlen("container:"), dir, err);
	if (!ctr_shm_shareable(c))
		return 0;
	cleanup_free char *path = path_join(rundir, "shm");
	ctr_shm_release(rundir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return burrow_error(err, errno, "cannot create '%s'", str_quote(path));
	cleanup_free char *opts = tmpfs_options(c);
	if (mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return burrow_error(err, errno, "cannot mount the /dev/shm tmpfs at '%s'", str_quote(path));
	*dir = steal_ptr(path);
	return 0;
}
