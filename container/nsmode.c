/* --pid, --ipc, --uts (container/nsmode.h). */
#include "container/nsmode.h"

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "container/shm.h"
#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

static const struct {
	const char *flag;    /* --pid */
	const char *proc;    /* /proc/PID/ns/pid */
	const char *what;    /* messages: "PID namespace" */
	const char *normal;  /* inspect's word for the default */
	const char *article; /* "a PID namespace" */
} kinds[CTR_NS_COUNT] = {
    [CTR_NS_PID] = {"pid", "pid", "PID namespace", "private", "a PID namespace"},
    [CTR_NS_IPC] = {"ipc", "ipc", "IPC namespace", "shareable", "an IPC namespace"},
    [CTR_NS_UTS] = {"uts", "uts", "UTS namespace", "private", "a UTS namespace"},
};

const char *ctr_ns_flag(enum ctr_ns ns)
{
	return kinds[ns].flag;
}

const char *ctr_ns_what(enum ctr_ns ns)
{
	return kinds[ns].article;
}

int ctr_nsmode_check(enum ctr_ns ns, const char *v, struct burrow_err **err)
{
	if (!*v || strcmp(v, "private") == 0 || strcmp(v, "host") == 0)
		return 0;
	if (ns == CTR_NS_IPC && (strcmp(v, "none") == 0 || strcmp(v, "shareable") == 0))
		return 0;
	const char *rest = NULL;
	if (str_has_prefix(v, "container:"))
		rest = v + strlen("container:");
	else if (str_has_prefix(v, "ns:"))
		rest = v + strlen("ns:");
	if (!rest) {
		burrow_error(err, 0, "--%s: unrecognized namespace mode '%s'", kinds[ns].flag, str_quote(v));
		return burrow_error_hint(err, "%s",
		                         ns == CTR_NS_IPC ? "private, shareable, none, host, container:NAME or ns:PATH"
		                                          : "private, host, container:NAME or ns:PATH");
	}
	if (!*rest)
		return burrow_error(err, 0, "--%s %s: namespace mode %s requires a value", kinds[ns].flag, str_quote(v),
		                    v[0] == 'c' ? "container" : "ns");
	if (v[0] == 'n' && rest[0] != '/')
		return burrow_error(err, 0, "--%s %s: the namespace path must be absolute", kinds[ns].flag,
		                    str_quote(v));
	return 0;
}

static char **field(struct ctr_config *c, enum ctr_ns ns)
{
	return ns == CTR_NS_PID ? &c->pid_mode : ns == CTR_NS_IPC ? &c->ipc_mode : &c->uts_mode;
}

const char *ctr_nsmode_of(const struct ctr_config *c, enum ctr_ns ns)
{
	return *field((struct ctr_config *)c, ns);
}

int ctr_nsmode_config(struct state_store *s, enum ctr_ns ns, const char *v, struct ctr_config *c,
                      struct burrow_err **err)
{
	char **f = field(c, ns);
	if (ctr_nsmode_check(ns, v, err) < 0)
		return -1;
	if (ns == CTR_NS_IPC && strcmp(v, "private") == 0) {
		*f = xstrdup(v); /* podman shows it; a new namespace all the same */
		return 0;
	}
	if (!*v || strcmp(v, "private") == 0 || strcmp(v, "shareable") == 0)
		return 0;
	if (str_has_prefix(v, "ns:")) {
		struct stat st;
		if (stat(v + 3, &st) < 0)
			return burrow_error(err, errno, "cannot find the %s '%s' (--%s)", kinds[ns].what,
			                    str_quote(v + 3), kinds[ns].flag);
	}
	if (!str_has_prefix(v, "container:")) {
		*f = xstrdup(v);
		return 0;
	}
	/* the other container by its ID: a later rename does not change
	 * whose namespace this is */
	cleanup_free char *peer = NULL;
	if (ctr_lookup(s, v + strlen("container:"), &peer, err) < 0)
		return burrow_error_wrap(err, "--%s %s", kinds[ns].flag, v);
	if (ns == CTR_NS_IPC && ctr_shm_check_peer(s, peer, v, err) < 0)
		return -1;
	*f = xasprintf("container:%s", peer);
	ctr_config_require(c, peer); /* started first, not removed before it */
	return 0;
}

int ctr_nsmode_create_check(const struct ctr_create_opts *o, struct burrow_err **err)
{
	for (int i = 0; i < CTR_NS_COUNT; i++)
		if (o->ns_mode[i] && ctr_nsmode_check((enum ctr_ns)i, o->ns_mode[i], err) < 0)
			return -1;
	const char *uts = o->ns_mode[CTR_NS_UTS];
	if (uts && *uts && strcmp(uts, "private") != 0 && o->hostname && *o->hostname)
		return burrow_error(err, 0, "cannot set the hostname when %s",
		                    strcmp(uts, "host") == 0 ? "running in the host UTS namespace"
		                                             : "joining another UTS namespace");
	return 0;
}

int ctr_nsmode_apply(struct state_store *s, const struct ctr_create_opts *o, struct ctr_config *c,
                     struct burrow_err **err)
{
	for (int i = 0; i < CTR_NS_COUNT; i++)
		if (o->ns_mode[i] && ctr_nsmode_config(s, (enum ctr_ns)i, o->ns_mode[i], c, err) < 0)
			return -1;
	if (!c->uts_mode || (o->hostname && *o->hostname))
		return 0;
	char name[HOST_NAME_MAX + 1] = "";
	if (strcmp(c->uts_mode, "host") == 0) {
		if (gethostname(name, sizeof(name) - 1) < 0)
			return burrow_error(err, errno, "cannot read the hostname");
	} else if (str_has_prefix(c->uts_mode, "container:")) {
		struct ctr_config pc = {0};
		if (ctr_config_load(s, c->uts_mode + strlen("container:"), &pc, err) < 0)
			return -1;
		snprintf(name, sizeof(name), "%s", pc.hostname ? pc.hostname : "");
		ctr_config_clear(&pc);
	}
	if (*name) {
		free(c->hostname);
		c->hostname = xstrdup(name);
	}
	return 0;
}

bool ctr_nsmode_host(const struct ctr_config *c, enum ctr_ns ns)
{
	const char *m = ctr_nsmode_of(c, ns);
	return m && strcmp(m, "host") == 0;
}

bool ctr_nsmode_own_pid(const struct ctr_config *c)
{
	return !c->pid_mode;
}

const char *ctr_nsmode_inspect(const struct ctr_config *c, enum ctr_ns ns)
{
	const char *m = ctr_nsmode_of(c, ns);
	return m ? m : kinds[ns].normal;
}

int ctr_peer_pid(struct state_store *s, const char *id, const char *what, struct ctr_config *out, pid_t *pid,
                 unsigned long long *start, struct burrow_err **err)
{
	struct ctr_config pc = {0};
	struct ctr_run pr = {0};
	int ret = -1;
	if (ctr_config_load(s, id, &pc, err) < 0 || ctr_run_load(s, id, &pr, err) < 0) {
		burrow_error_wrap(err, "the %s of container %.12s", what, id);
		goto out;
	}
	bool runs = (pr.state == CTR_RUNNING || pr.state == CTR_PAUSED) && pr.pid > 0 &&
	            proc_start_time(pr.pid) == pr.pid_start;
	if (!runs) {
		burrow_error_status(err, EINVAL, "cannot join the %s of container '%s': it is not running", what,
		                    str_quote(pc.name));
		burrow_error_hint(err, "start it first: burrow start %s", pc.name);
		goto out;
	}
	*pid = pr.pid;
	*start = pr.pid_start;
	if (out) {
		*out = pc;
		memset(&pc, 0, sizeof(pc));
	}
	ret = 0;
out:
	ctr_config_clear(&pc);
	ctr_run_clear(&pr);
	return ret;
}

int ctr_nsmode_join(struct state_store *s, const struct ctr_config *c, struct ctr_ns_join *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < CTR_NS_COUNT; i++) {
		const char *m = ctr_nsmode_of(c, (enum ctr_ns)i);
		if (m && str_has_prefix(m, "ns:")) {
			out->paths[i] = xstrdup(m + 3);
		} else if (m && str_has_prefix(m, "container:")) {
			pid_t pid = 0;
			if (ctr_peer_pid(s, m + strlen("container:"), kinds[i].what, NULL, &pid, &out->starts[i], err) <
			    0) {
				ctr_ns_join_clear(out);
				return -1;
			}
			out->paths[i] = xasprintf("/proc/%d/ns/%s", (int)pid, kinds[i].proc);
		}
	}
	return 0;
}

int ctr_pidns_join_lock(struct state_store *s, struct burrow_err **err)
{
	return state_lock_name(s, "pidns", "join", err);
}

bool ctr_nsmode_joins_pid(const struct ctr_config *c)
{
	return c->pid_mode && (str_has_prefix(c->pid_mode, "container:") || str_has_prefix(c->pid_mode, "ns:"));
}

int ctr_nsmode_host_peer_error(struct burrow_err **err, const char *what, const char *flag, const char *peer)
{
	burrow_error(err, 0,
	             "cannot join the %s of container '%s': it is the host's (--%s host), which burrow's "
	             "user namespace cannot enter",
	             what, str_quote(peer), flag);
	burrow_error_hint(err, "--%s host gives this container the same %s", flag, what);
	return -1;
}

int ctr_nsmode_peers_check(struct state_store *s, const struct ctr_config *c, struct burrow_err **err)
{
	for (int i = 0; i < CTR_NS_COUNT; i++) {
		const char *m = ctr_nsmode_of(c, (enum ctr_ns)i);
		if (!m || !str_has_prefix(m, "container:"))
			continue;
		struct ctr_config pc = {0};
		cleanup_err struct burrow_err *e = NULL;
		bool host =
		    ctr_config_load(s, m + strlen("container:"), &pc, &e) == 0 && ctr_nsmode_host(&pc, (enum ctr_ns)i);
		if (host) {
			ctr_nsmode_host_peer_error(err, kinds[i].what, kinds[i].flag, pc.name);
		}
		ctr_config_clear(&pc);
		if (host)
			return -1;
	}
	return 0;
}

void ctr_ns_join_clear(struct ctr_ns_join *j)
{
	for (int i = 0; i < CTR_NS_COUNT; i++) {
		free(j->paths[i]);
		j->paths[i] = NULL;
	}
}

void ctr_ns_inodes(const struct ctr_run *r, struct ctr_ns_inodes *out)
{
	static const struct {
		const char *name;
		size_t off;
	} links[] = {
	    {"cgroup", offsetof(struct ctr_ns_inodes, cgroup)}, {"ipc", offsetof(struct ctr_ns_inodes, ipc)},
	    {"mnt", offsetof(struct ctr_ns_inodes, mnt)},       {"net", offsetof(struct ctr_ns_inodes, net)},
	    {"pid", offsetof(struct ctr_ns_inodes, pid)},       {"user", offsetof(struct ctr_ns_inodes, user)},
	    {"uts", offsetof(struct ctr_ns_inodes, uts)},
	};
	memset(out, 0, sizeof(*out));
	if (r->pid <= 0)
		return;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		struct stat st;
		char path[64];
		if (proc_ns_stat(r->pid, links[i].name, &st, path, sizeof(path)) == 0)
			*(unsigned long long *)((char *)out + links[i].off) = (unsigned long long)st.st_ino;
	}
	/* checked after the links were read: a pid reused meanwhile is not its init */
	if (!proc_is(r->pid, r->pid_start))
		memset(out, 0, sizeof(*out));
}
