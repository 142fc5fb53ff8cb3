/* --pid, --ipc and --uts: which pid, IPC and UTS namespace a container
 * has (podman's namespace modes). private: a new one (the default; for
 * --ipc also shareable, and none: a new one without /dev/shm); host:
 * burrow's own, that of the user's processes (no new one);
 * container:NAME: that of another container while it runs (a dependency:
 * it is started first and kept while this one exists); ns:PATH: the
 * namespace a file names (/proc/PID/ns/pid, a bind mount of one). */
#ifndef BURROW_CONTAINER_NSMODE_H
#define BURROW_CONTAINER_NSMODE_H

#include <stdbool.h>

#include "container/record.h"
#include "lib/err.h"

struct state_store;
struct ctr_create_opts;

enum ctr_ns { CTR_NS_PID, CTR_NS_IPC, CTR_NS_UTS, CTR_NS_COUNT };

/* The flag's name without dashes: "pid", "ipc", "uts". */
const char *ctr_ns_flag(enum ctr_ns ns);
/* Its name in messages, with its article: "a PID namespace". */
const char *ctr_ns_what(enum ctr_ns ns);
/* Checks a value as --pid/--ipc/--uts take it ("" is private). 0, or -1
 * (EINVAL, naming it). */
int ctr_nsmode_check(enum ctr_ns ns, const char *value, struct burrow_err **err);
/* The mode as the container record keeps it (NULL: private, and
 * shareable for IPC, whose private is kept as typed: a new namespace as
 * well): container:NAME becomes container:ID, a dependency
 * of c; ns:PATH must exist. Sets c's field. */
int ctr_nsmode_config(struct state_store *s, enum ctr_ns ns, const char *value, struct ctr_config *c,
                      struct burrow_err **err);
/* create's checks of o->ns_mode (before anything is pulled): each
 * mode, and --hostname not with --uts host. */
int ctr_nsmode_create_check(const struct ctr_create_opts *o, struct burrow_err **err);
/* Sets c's modes from o->ns_mode (ctr_nsmode_config) and, with the UTS
 * namespace of the host or of another container, c->hostname to theirs. */
int ctr_nsmode_apply(struct state_store *s, const struct ctr_create_opts *o, struct ctr_config *c,
                     struct burrow_err **err);
/* The record's mode of ns (NULL: private). */
const char *ctr_nsmode_of(const struct ctr_config *c, enum ctr_ns ns);
/* Whether the container shares ns with the host (mode host). */
bool ctr_nsmode_host(const struct ctr_config *c, enum ctr_ns ns);
/* Whether the container has a pid namespace of its own: its init is pid 1
 * and takes every process of the namespace with it. */
bool ctr_nsmode_own_pid(const struct ctr_config *c);
/* HostConfig.PidMode, IpcMode, UTSMode as podman shows them. */
const char *ctr_nsmode_inspect(const struct ctr_config *c, enum ctr_ns ns);

/* The namespaces a starting container joins: paths[ns] is the file to
 * join (a container's /proc/PID/ns/X, or ns:PATH), NULL for a new one
 * or the host's. A container: one must run now. */
struct ctr_ns_join {
	char *paths[CTR_NS_COUNT];
	/* container:X: the start time of the process paths[i] names (0: a
	 * file of ns:PATH): the runtime checks after it opened the path that
	 * it still runs, so a pid reused meanwhile never joins another's */
	unsigned long long starts[CTR_NS_COUNT];
};
int ctr_nsmode_join(struct state_store *s, const struct ctr_config *c, struct ctr_ns_join *out,
                    struct burrow_err **err);
void ctr_ns_join_clear(struct ctr_ns_join *j);
/* The error of joining container PEER's WHAT ("network namespace"),
 * which is the host's (--FLAG host): the host's namespaces belong to the
 * host's user namespace, which burrow's cannot enter (setns: EPERM).
 * Returns -1. */
int ctr_nsmode_host_peer_error(struct burrow_err **err, const char *what, const char *flag, const char *peer);
/* A container:X mode whose X shares that namespace with the host (its
 * own mode host) cannot be joined: the host's namespaces belong to the
 * host's user namespace, where burrow's has no CAP_SYS_ADMIN (setns
 * fails with EPERM). -1 (naming X, with a hint to use host) for
 * the first such; 0 otherwise (an X not found is left to the join). */
int ctr_nsmode_peers_check(struct state_store *s, const struct ctr_config *c, struct burrow_err **err);

/* The lock between a start that joins another's PID namespace (--pid
 * container:NAME or ns:PATH), from before its init is cloned into it
 * until its run record names that init (the init closes its copy of
 * the fd first: rt_opts' unlock_fd; the prestart hooks run after, so a
 * slow one holds up no walk), and a signal walk of a container that owns a
 * PID namespace (pause, unpause): the walk leaves a joiner out by
 * the pid in its record, so a joiner's init set up meanwhile would be
 * stopped with the owner's processes, and its start wait for the
 * owner's unpause. One lock for all: which namespace an ns:PATH names is
 * not kept. The fd to pass to state_unlock, or -1 with err. */
int ctr_pidns_join_lock(struct state_store *s, struct burrow_err **err);
/* Whether c's start joins a PID namespace (container: or ns:). */
bool ctr_nsmode_joins_pid(const struct ctr_config *c);

/* The pid of container id's init when it runs (its record's, with its
 * start time checked; that start time in *start), and its config in *pc when pc is not NULL (the
 * caller clears it); else -1 (EINVAL, "cannot join the WHAT of container
 * 'NAME': it is not running", with a hint to start it). */
int ctr_peer_pid(struct state_store *s, const char *id, const char *what, struct ctr_config *pc, pid_t *pid,
                 unsigned long long *start, struct burrow_err **err);

/* ps --ns: the inode numbers of the namespaces of a container's init (its
 * /proc/PID/ns links, podman's numbers), each 0 where not known: r has no
 * pid, or its pid no longer is the init that started at r->pid_start. */
struct ctr_ns_inodes {
	unsigned long long cgroup, ipc, mnt, net, pid, user, uts;
};
void ctr_ns_inodes(const struct ctr_run *r, struct ctr_ns_inodes *out);

#endif
