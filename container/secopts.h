/* A container's security settings as run and create take them: its
 * capabilities (podman's default set, --cap-add, --cap-drop,
 * --privileged), masked and read-only paths (podman's defaults,
 * --security-opt mask= and unmask=) and no_new_privs; and what they come
 * to in its OCI spec and in inspect. */
#ifndef BURROW_CONTAINER_SECOPTS_H
#define BURROW_CONTAINER_SECOPTS_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>

#include "container/record.h"
#include "lib/err.h"

/* What the user asked for (owned strvs, ctr_sec_opts_clear frees them). */
struct ctr_sec_opts {
	char **cap_add, **cap_drop; /* CAP_NAME or ALL, normalised */
	bool privileged;
	char **mask, **unmask; /* absolute paths; unmask may be ALL */
	bool new_privileges;   /* --security-opt no-new-privileges=false */
	char *seccomp_path;    /* seccomp=FILE: absolute */
	char *seccomp_json;    /* ... and what it held, checked */
	/* run's small process flags (container/runopts.c) */
	char **ulimits;  /* NAME=SOFT:HARD (-1: unlimited), one per NAME */
	char **sysctls;  /* NAME=VALUE, namespaced ones */
	bool sysctl_net; /* ... a net.* among them */
	char *umask;     /* 0022 */
	char *tz;        /* the host's zoneinfo file for /etc/localtime */
};
void ctr_sec_opts_clear(struct ctr_sec_opts *o);
/* podman's default capabilities (NULL-terminated; burrow info shows them). */
const char *const *ctr_default_caps(void);

/* One --cap-add/--cap-drop value (comma-separated names, any case, with
 * or without CAP_, or ALL) appended to *list, normalised (CAP_CHOWN).
 * 0, or -1 (EINVAL, naming the unknown one). */
int ctr_cap_list_add(char ***list, const char *spec, const char *flag, struct burrow_err **err);
/* --security-opt mask=/a:/b and unmask=ALL|/a:/b into o. */
int ctr_sec_parse_mask(const char *opt, const char *value, bool unmask, struct ctr_sec_opts *o,
                       struct burrow_err **err);
/* Checks o as a whole (a capability both added and dropped). */
int ctr_sec_check(const struct ctr_sec_opts *o, struct burrow_err **err);
/* Copies o into the container's configuration. */
void ctr_sec_to_config(const struct ctr_sec_opts *o, struct ctr_config *c);

/* --ulimit NAME=SOFT[:HARD] (podman's names: nofile, nproc...; -1 or
 * unlimited for none) or host (every limit burrow has) into *list. */
int ctr_ulimit_add(char ***list, const char *spec, struct burrow_err **err);
/* --sysctl NAME=VALUE into *list: only the namespaced ones (net.*,
 * kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*); *net set for net.*. */
int ctr_sysctl_add(char ***list, const char *spec, bool *net, struct burrow_err **err);
/* --umask: octal, at most 0777, into *out as "0022". */
int ctr_umask_parse(const char *spec, char **out, struct burrow_err **err);
/* --tz: local (the host's /etc/localtime) or a zone of the host's
 * /usr/share/zoneinfo, into *out as the file's real path. */
int ctr_tz_parse(const char *spec, char **out, struct burrow_err **err);
/* Emits the process flags into a container's spec: process.rlimits and
 * process.user.umask (inside process, after the user's IDs), or
 * linux.sysctl. */
void ctr_runopts_gen_process(yajl_gen g, const struct ctr_config *c);
/* ping_range: net.ipv4.ping_group_range unless --sysctl sets it (NULL:
 * none, a network not its own). */
void ctr_runopts_gen_linux(yajl_gen g, const struct ctr_config *c, const char *ping_range);

/* The container's capabilities: its bounding set (podman's default set,
 * plus cap_add, less cap_drop; every capability this kernel knows when
 * privileged), and the effective one of its process (all of the bounding
 * set for uid 0; for another user only what --cap-add gave, as podman). */
char **ctr_caps_bounding(const struct ctr_config *c);
char **ctr_caps_effective(const struct ctr_config *c, char *const *bounding);
/* Its masked and read-only paths (none when privileged). */
char **ctr_masked_paths(const struct ctr_config *c);
char **ctr_readonly_paths(const struct ctr_config *c);
/* --privileged: the host's device nodes (/dev and a few of its folders)
 * the user can open, terminals aside. */
char **ctr_privileged_devices(void);

#endif
