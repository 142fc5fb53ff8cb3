/* Seccomp profiles in podman's form (containers/common pkg/seccomp): rules
 * that hold only with or without some capabilities, or on some
 * architectures, and an architecture map; podman's default profile; and
 * their translation into the OCI linux.seccomp object of one container,
 * which runtime/ compiles (and caches) with libseccomp.
 *
 * A profile read from a JSON file (--security-opt seccomp=FILE, later)
 * fills the same structures. */
#ifndef BURROW_CONTAINER_SECCOMP_H
#define BURROW_CONTAINER_SECCOMP_H

#include <stddef.h>
#include <yajl/yajl_gen.h>

enum ctr_sc_action {
	CTR_SC_ALLOW,
	CTR_SC_ERRNO,
};

enum ctr_sc_op {
	CTR_SC_EQ,
	CTR_SC_NE,
	CTR_SC_MASKED_EQ,
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

#endif
