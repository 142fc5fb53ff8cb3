/* A container's security settings as run and create take them: its
 * capabilities (podman's default set, --cap-add, --cap-drop,
 * --privileged), masked and read-only paths (podman's defaults,
 * --security-opt mask= and unmask=) and no_new_privs; and what they come
 * to in its OCI spec and in inspect. */
#ifndef BURROW_CONTAINER_SECOPTS_H
#define BURROW_CONTAINER_SECOPTS_H

#include <stdbool.h>

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
};
void ctr_sec_opts_clear(struct ctr_sec_opts *o);

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
