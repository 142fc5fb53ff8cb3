/* Seccomp profiles in podman's form (containers/common pkg/seccomp): rules
 * that hold only with or without some capabilities, or on some
 * architectures, and an architecture map; podman's default profile; and
 * their translation into the OCI linux.seccomp object of one container,
 * which runtime/ compiles (and caches) with libseccomp.
 *
 * A profile read from a JSON file (--security-opt seccomp=FILE) fills the
 * same structures (container/seccomp_json.c). */
#ifndef BURROW_CONTAINER_SECCOMP_H
#define BURROW_CONTAINER_SECCOMP_H

#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "lib/err.h"

enum ctr_sc_action {
	CTR_SC_ALLOW,
	CTR_SC_ERRNO,
	/* a profile file's others */
	CTR_SC_KILL, /* SCMP_ACT_KILL: the thread */
	CTR_SC_KILL_THREAD,
	CTR_SC_KILL_PROCESS,
	CTR_SC_TRAP,
	CTR_SC_TRACE, /* with errno_ret: the tracer's message */
	CTR_SC_LOG,
};

enum ctr_sc_op {
	CTR_SC_EQ,
	CTR_SC_NE,
	CTR_SC_MASKED_EQ,
	CTR_SC_LT,
	CTR_SC_LE,
	CTR_SC_GE,
	CTR_SC_GT,
};

struct ctr_sc_arg {
	unsigned index;
	unsigned long long value, value_two;
	enum ctr_sc_op op;
};

/* NULL-terminated lists of names. */
struct ctr_sc_filter {
	const char *const *caps;   /* capability names (CAP_SYS_ADMIN) */
	const char *const *arches; /* podman's architecture names: amd64, arm64, x86, x32, s390x... */
};

struct ctr_sc_rule {
	const char *const *names; /* syscalls */
	enum ctr_sc_action action;
	int errno_ret; /* with CTR_SC_ERRNO */
	const struct ctr_sc_arg *args;
	size_t n_args;
	/* the rule holds when the container has every capability of
	 * includes.caps and none of excludes.caps (in its bounding set), and
	 * the native architecture is in includes.arches (when given) and not in
	 * excludes.arches */
	struct ctr_sc_filter includes, excludes;
};

struct ctr_sc_arch {
	const char *arch;        /* SCMP_ARCH_X86_64 */
	const char *const *subs; /* SCMP_ARCH_X86, SCMP_ARCH_X32 */
};

struct ctr_sc_profile {
	enum ctr_sc_action default_action;
	int default_errno; /* with CTR_SC_ERRNO */
	const struct ctr_sc_arch *arch_map;
	size_t n_arch_map;
	const struct ctr_sc_rule *rules;
	size_t n_rules;
	/* a profile file's "architectures" (SCMP_ARCH_*), given instead of
	 * arch_map: all of them go into the filter */
	const char *const *arches;
};

/* podman's default profile. */
extern const struct ctr_sc_profile ctr_seccomp_default;

/* This build's architecture in podman's words ("amd64", "arm64"...). */
const char *ctr_seccomp_native_arch(void);

/* Emits the linux.seccomp object (the value; the caller emitted the key)
 * of profile p for a container whose bounding set is caps (NULL-terminated)
 * on architecture arch, as podman does: the rules that do not hold are
 * left out, the architecture map gives the native architecture and its
 * companions. */
void ctr_seccomp_gen(yajl_gen g, const struct ctr_sc_profile *p, const char *arch, const char *const *caps);

/* Reads a profile in podman's JSON form (what seccomp=FILE gives):
 * defaultAction, defaultErrnoRet, architectures or archMap, syscalls[]
 * with names (or name), action, errnoRet, args, includes and excludes
 * (caps, arches, minKernel). Checks everything (actions, operators,
 * architectures, argument indexes); syscall names the kernel does not know
 * are kept, as podman keeps them (the runtime skips them). what names the
 * file in messages. 0, or -1 (EINVAL). */
int ctr_seccomp_parse(const char *json, const char *what, struct ctr_sc_profile **out, struct burrow_err **err);
void ctr_seccomp_profile_free(struct ctr_sc_profile *p);
/* A container's linux.seccomp: the profile file's JSON as
 * ctr_seccomp_parse checked it, or podman's default (profile NULL). */
void ctr_seccomp_gen_for(yajl_gen g, const char *profile, const char *const *caps);

#endif
