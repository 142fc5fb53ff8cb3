/* A container's host devices (--device, --device-cgroup-rule) and its
 * resource limits (--memory, --pids-limit, --cpus ...): parsed and checked
 * as podman does, kept in its configuration, shown by inspect, and applied
 * through a delegated cgroup v2 where the user has one (else one warning
 * says why they are ignored). */
#ifndef BURROW_CONTAINER_RESOURCES_H
#define BURROW_CONTAINER_RESOURCES_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>

#include "container/record.h"
#include "lib/err.h"

/* What the user asked for; 0 (NULL) is "not given" for each. */
struct ctr_res_opts {
	char **devices;        /* HOST:CTR:PERM, a directory already expanded */
	char **device_rules;   /* "c 1:3 rwm", checked */
	long long memory;      /* bytes */
	long long memory_swap; /* bytes, -1: unlimited */
	long long mem_reserve;
	long long pids_limit; /* -1: unlimited */
	long long nano_cpus;  /* --cpus times 1e9 */
	long long cpu_shares;
	long long cpu_quota; /* microseconds, -1: unlimited */
	long long cpu_period;
	char *cpuset_cpus;
	bool limits; /* any of the limits was given (even as 0) */
};
void ctr_res_opts_clear(struct ctr_res_opts *r);

/* The flags (cmd/ maps its options onto these). */
enum ctr_res_flag {
	CTR_RES_DEVICE,
	CTR_RES_DEVICE_CGROUP_RULE,
	CTR_RES_MEMORY,
	CTR_RES_MEMORY_SWAP,
	CTR_RES_MEMORY_RESERVATION,
	CTR_RES_PIDS_LIMIT,
	CTR_RES_CPUS,
	CTR_RES_CPU_SHARES,
	CTR_RES_CPU_QUOTA,
	CTR_RES_CPU_PERIOD,
	CTR_RES_CPUSET_CPUS,
};
/* One flag's value into r: 0, or -1 (status 0, a message naming the
 * value; --device of a missing path: its errno). */
int ctr_res_parse(enum ctr_res_flag flag, const char *arg, struct ctr_res_opts *r, struct burrow_err **err);
/* The checks between flags (--memory-swap below --memory ...). */
int ctr_res_check(const struct ctr_res_opts *r, struct burrow_err **err);
/* Copies r into the container's configuration. */
void ctr_res_to_config(const struct ctr_res_opts *r, struct ctr_config *c);

/* A size as podman's --memory takes it: 1024, 512k, 1.5g, 2GiB
 * (powers of 1024). 0, or -1 for anything else. */
int ctr_parse_ram(const char *s, long long *out);

/* --device HOST[:CTR][:PERM] into *list as HOST:CTR:PERM entries (PERM
 * of r, w, m; default rwm): a directory gives each device under it. The
 * host path must be a character or block device the user can open with
 * PERM's r and w. */
int ctr_device_add(char ***list, const char *spec, struct burrow_err **err);
/* config.json's bind mounts of a container's devices (rootless: mknod is
 * not allowed, as podman binds them). */
void ctr_devices_gen(yajl_gen g, char *const *devices);
/* Whether the host node at path is a device the caller may pass on: a
 * character or block device it can open for reading or writing. */
bool ctr_device_usable(const char *path);

/* podman's default --pids-limit, where a delegated cgroup v2 with the
 * pids controller can apply it (none elsewhere). */
#define CTR_PIDS_LIMIT_DEFAULT 2048
/* Sets c's pids_limit to def (containers.conf's pids_limit; 0: the
 * default above, negative: none) when none was given and it can apply. */
void ctr_res_default_pids(struct ctr_config *c, long long def);

/* Whether c asks for a resource limit at all. */
bool ctr_res_any(const struct ctr_config *c);

/* The delegated cgroup v2 directory the user may create a container's
 * cgroup in, with the controllers c's limits need. NULL and *why set (a
 * sentence, static) where there is none. Caller frees. */
char *ctr_cgroup_base(const struct ctr_config *c, const char **why);
/* The same for a cgroup2 hierarchy mounted at mnt (NULL: none, cgroups
 * v1 only) and the caller's cgroup own (a directory below mnt): the
 * parent of own, when the user may write it and its
 * cgroup.subtree_control has the controllers c needs (those that mnt's
 * cgroup.controllers lacks are v1's: podman's cgroups V1 sentence). */
char *ctr_cgroup_base_in(const char *mnt, const char *own, const struct ctr_config *c, const char **why);
/* Writes c's limits into the cgroup directory dirfd (memory.max,
 * memory.swap.max, memory.low, pids.max, cpu.max, cpu.weight,
 * cpuset.cpus): only the files of the limits c has. */
int ctr_cgroup_write(int dirfd, const struct ctr_config *c, struct burrow_err **err);
/* Puts pid into a new cgroup base/burrow-ID with c's limits. */
int ctr_cgroup_apply(const char *base, const struct ctr_config *c, pid_t pid, struct burrow_err **err);
/* The container's cgroup (base/burrow-ID, as ctr_cgroup_setup chooses
 * it), made before its init: the caller clones the init from inside it,
 * so that the init's cgroup namespace is rooted there ("0::/" inside, as
 * podman's) and nothing inside sees the cgroups above. NULL where none
 * can be made (ctr_cgroup_setup then tries after). Caller frees. */
char *ctr_cgroup_premake(const struct ctr_config *c);
/* Puts the container's init pid into a cgroup of its own (made: the one
 * ctr_cgroup_premake made, the init already in it; or NULL): with c's
 * limits where they apply (an error fails the start), else only for the
 * freezer where a cgroup2 subtree is delegated (none: nothing, pause then
 * uses SIGSTOP). */
int ctr_cgroup_setup(const struct ctr_config *c, const char *made, pid_t pid, struct burrow_err **err);
/* Removes c's cgroup once its processes are gone (none: nothing to do). */
void ctr_cgroup_remove(const struct ctr_config *c);

/* For update (the verb is seeds-sys's): the limits r gives (those not 0)
 * replace c's, checked together as at create; with pid (the running
 * container's init, 0: none) they are written into its cgroup when it has
 * one of burrow's (else one warning says why they wait for the next
 * start). The caller saves c. */
int ctr_res_update(struct ctr_config *c, const struct ctr_res_opts *r, pid_t pid, struct burrow_err **err);

#endif
