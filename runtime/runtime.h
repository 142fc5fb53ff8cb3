/* Runs an OCI bundle (config.json + rootfs), like crun does: namespaces,
 * mounts, pivot_root, devices, capabilities, no_new_privs, seccomp, a
 * session keyring, rlimits, user/groups, exec. Knows nothing of images,
 * names or state.
 *
 * The caller already runs inside burrow's user namespace as uid 0 with full
 * capabilities there. A container whose config.json lists a user namespace
 * gets one nested in burrow's, with the mappings the parent writes (no
 * newuidmap needed: the parent is root in the namespace it maps from). */
#ifndef BURROW_RUNTIME_H
#define BURROW_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

/* ---- config.json, parsed ---- */

struct rt_mount {
	char *destination;         /* absolute, inside the rootfs */
	char *type;                /* NULL for a bind mount without a type */
	char *source;              /* bind sources made absolute (relative: to the bundle) */
	unsigned long flags;       /* MS_* to set (MS_BIND, MS_REC, MS_RDONLY, MS_NOSUID...) */
	unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (|MS_REC), 0 if none */
	char *data;                /* the options that are not flags, joined with ',' (NULL if none) */
};

struct rt_rlimit {
	int resource; /* RLIMIT_* */
	unsigned long long soft, hard;
};

struct rt_namespace {
	int flag;   /* CLONE_NEW* */
	char *path; /* join this namespace instead of creating one (NULL: new) */
	/* burrowPidStart: path is /proc/PID/ns/..., and PID must still be
	 * the process that started then once the path is open (0: none) */
	unsigned long long pid_start;
};

/* linux.seccomp, parsed (actions and operators as libseccomp's values). */
struct rt_seccomp_arg {
	unsigned index;
	uint64_t value, value_two;
	int op; /* enum scmp_compare */
};

struct rt_seccomp_rule {
	char **names; /* strv */
	uint32_t action;
	struct rt_seccomp_arg *args;
	size_t n_args;
};

struct rt_seccomp {
	uint32_t default_action;
	uint32_t *arches; /* SCMP_ARCH_* tokens */
	size_t n_arches;
	struct rt_seccomp_rule *rules;
	size_t n_rules;
};

struct rt_spec {
	char *bundle;    /* absolute bundle directory */
	char *root_path; /* absolute rootfs path */
	bool root_readonly;
	char *hostname; /* NULL: leave it */

	/* process */
	bool terminal;
	char **args; /* strv, at least one element */
	char **env;  /* strv, never NULL */
	char *cwd;   /* absolute, default "/" */
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	bool keep_groups; /* annotation run.oci.keep_original_groups=1 (crun's): no setgroups */
	bool has_umask;
	mode_t umask;
	bool no_new_privileges;
	bool has_caps; /* process.capabilities present (else all are kept) */
	uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
	struct rt_rlimit *rlimits;
	size_t n_rlimits;
	bool has_oom_score_adj;
	int oom_score_adj;

	/* linux */
	struct rt_namespace *namespaces; /* as listed */
	size_t n_namespaces;
	int clone_flags; /* CLONE_NEW* of the namespaces to create */
	struct rt_mount *mounts;
	size_t n_mounts;
	char **masked_paths;              /* strv, never NULL */
	char **readonly_paths;            /* strv, never NULL */
	unsigned long rootfs_propagation; /* MS_* for "/", default MS_REC|MS_PRIVATE */
	char **sysctl;                    /* strv of alternating key, value (never NULL) */
	char **devices;                   /* strv of device paths to bind from the host (never NULL) */
	struct rt_seccomp *seccomp;       /* NULL: no filter */
	bool has_personality;             /* linux.personality: domain LINUX or LINUX32 */
	unsigned long personality;        /* PER_LINUX or PER_LINUX32, set before the exec */
	/* with a new user namespace (CLONE_NEWUSER in clone_flags):
	 * linux.uidMappings/gidMappings as /proc/PID/uid_map takes them
	 * ("CTR HOST SIZE\n" lines, HOST in our own namespace), written by
	 * the parent before the child sets anything up */
	char *uid_map;
	char *gid_map;
};

/* Parses a config.json document; bundle (absolute) anchors relative paths.
 * Refuses what this runtime cannot honour (a user or mount namespace to
 * join, a user namespace without mappings, unknown capabilities or
 * rlimits) with a message naming the field. A pid namespace to join is
 * joined by rt_create before it clones the init (the init is born in
 * it). */
int rt_spec_parse(const char *json, const char *bundle, struct rt_spec **out, struct burrow_err **err);
/* Reads and parses BUNDLE/config.json. */
int rt_spec_load(const char *bundle, struct rt_spec **out, struct burrow_err **err);
void rt_spec_free(struct rt_spec *spec);

/* "CAP_NET_RAW" -> 13; -1 for anything that is not one capability name. */
int rt_cap_from_name(const char *name, int *out);
/* The highest capability this kernel knows. */
int rt_last_cap(void);

/* ---- running a container ---- */

struct rt_opts {
	int stdio[3];              /* the container's stdin/stdout/stderr when !terminal (-1: /dev/null) */
	bool terminal;             /* allocate a pty from the container's own devpts; master in c->pty_master
	                            * (also when config.json's process.terminal is true) */
	const char *keyring;       /* name of the container's session keyring (its ID); NULL: anonymous */
	const char *seccomp_cache; /* directory for compiled seccomp filters; NULL: compile each time */
	/* 3 or above: fds of the caller's that the init closes first, before
	 * it reports ready (the clone gave it copies): locks (flock) the
	 * caller must be able to let go of while the init waits for rt_start;
	 * below 3 (0, as a zeroed struct): none */
	int unlock_fd[2];
	/* the caller's fds 3 .. 3+n-1 (open, none of them one of the above)
	 * are the container process's too (podman's run --preserve-fds) */
	int preserve_fds;
};

/* The session keyring. The init never keeps its parent's session keyring
 * (the caller's Kerberos tickets, AFS tokens and fscrypt keys live there):
 * before anything of the container runs it joins a new one,
 * keyctl(KEYCTL_JOIN_SESSION_KEYRING, opts->keyring), as runc and crun do,
 * and makes it searchable by its owner (the user: possessor all, user
 * view/read/search). A kernel without keys (ENOSYS) is fine: there is
 * nothing to leak; any other failure (e.g. EDQUOT: the user's key quota,
 * /proc/sys/kernel/keys/maxkeys, is used up) fails the container.
 *
 * An exec into the container (rt_exec) joins the same keyring by name: the
 * kernel finds a keyring of that name in burrow's user namespace that the
 * caller may search (hence the user-search bit) and joins it rather than
 * make a new one, so keyctl(KEYCTL_JOIN_SESSION_KEYRING, id) in the exec's
 * process, before it enters the container's namespaces and while it is
 * still root, is all it takes. The keyring lives while a process of the
 * container holds it (when none does, the exec's process gets a new one of
 * that name: never the caller's). */

/* A process the runtime made in a container (the init, or one an exec
 * started), set up and waiting to exec its command (rt_start). */
struct rt_container {
	pid_t pid;      /* our child: the container init (pid 1 in its pid namespace), or the exec'd process */
	int pty_master; /* -1 unless terminal; owned by the container (closed by rt_container_free) */
	/* private */
	int sync_fd; /* socket to the child; -1 once it has exec'd */
	struct rt_spec *spec;
	const char *who; /* for messages: "the container init" */
};

/* Reads BUNDLE/config.json, compiles its seccomp filter (or takes it from
 * opts->seccomp_cache), clones the container init in the namespaces
 * listed in linux.namespaces, sets everything up, and returns once the init
 * is ready and waiting to exec (or with the error it reported; the init is
 * then killed and reaped). The caller may now act on c->pid (e.g. open a tap
 * device in its network namespace). The caller reaps c->pid itself.
 * Call while single-threaded (the init is cloned without fork handlers),
 * from the process that stays with the container: once started, the
 * container is killed (SIGKILL) when its parent exits. */
int rt_create(const char *bundle, const struct rt_opts *opts, struct rt_container **out, struct burrow_err **err);

/* Lets the init (or an exec's process) exec its command. Returns 0 once
 * exec succeeded, or -1 with the error the child reported (it then exits
 * with rt_exec_exit_code's code for it; after a timeout or any other
 * failure it is killed; the caller reaps it either way): status ENOENT for
 * "executable file 'x' not found in $PATH" or a missing file, EACCES,
 * ENOEXEC, EISDIR... when it cannot be executed. The caller's exit code is
 * rt_exec_exit_code's for the error, the one place that decides it. */
int rt_start(struct rt_container *c, struct burrow_err **err);

/* The 126/127 exit code for an error rt_start reported: ENOENT (the
 * command or the working directory is not there) 127, others 126. */
int rt_exec_exit_code(const struct burrow_err *err);

/* Sends sig to the container init; 0 or -1 (errno set). */
int rt_kill(struct rt_container *c, int sig);

/* ---- joining a running container (exec) ---- */

struct proc_ref;

/* What an exec changes of process.* in the container's config.json; the
 * rest (rlimits, umask, no_new_privs, the seccomp filter, capabilities as
 * below) is the container's. */
struct rt_exec_opts {
	char *const *args;  /* the command; args[0] is looked up in the process's PATH */
	char *const *env;   /* NAME=VALUE set over process.env (NULL: none) */
	char *const *unset; /* NAMEs taken out of process.env first (NULL: none) */
	const char *cwd;    /* absolute (NULL: process.cwd) */
	bool has_user;      /* uid/gid instead of process.user's */
	uid_t uid;
	gid_t gid;
	bool has_groups;     /* groups instead of process.user's additionalGids, set even with keep_groups */
	const gid_t *groups; /* n_groups of them */
	size_t n_groups;
	/* Every capability the namespace gives, no seccomp filter, no
	 * no_new_privs. Otherwise, as podman: the bounding set is the
	 * container's, root gets all of it, the container's own (non-root)
	 * user gets what the container has (effective, permitted, inheritable
	 * and ambient), another user none. */
	bool privileged;
	bool terminal;             /* a pty from the container's devpts; master in c->pty_master */
	int stdio[3];              /* the process's stdin/stdout/stderr when !terminal (-1: /dev/null) */
	int preserve_fds;          /* the caller's fds 3 .. 3+n-1 (open) are passed on as they are */
	const char *keyring;       /* the container's session keyring, joined by name (see above) */
	const char *seccomp_cache; /* as in rt_opts */
};

/* Starts a process in the running container whose config.json is in
 * BUNDLE and whose init is init (pidfd + start time, lib/proc.h): it joins
 * the init's namespaces (pid, mount, network, uts, ipc, cgroup: those
 * config.json lists), the container's session keyring and, with the
 * settings of config.json and opts, waits to exec opts->args, as
 * rt_create's init does; rt_start lets it exec (and reports 126/127 the
 * same way), rt_kill signals it, rt_container_free lets go of it.
 *
 * c->pid is our child, inside the container's pid namespace (born of a
 * short-lived helper, it is ours as the helper exits: the caller is a child
 * subreaper while rt_exec runs): the caller reaps it; a caller that exits
 * first leaves it to its own reaper (a subreaper above it, or the host's
 * init), never to the container's init. It does not die with the caller.
 * A container whose init has exited meanwhile gives status ESRCH.
 *
 * Call while single-threaded (as rt_create). Our own later children are
 * born in our pid namespace, as before. */
int rt_exec(const char *bundle, const struct proc_ref *init, const struct rt_exec_opts *opts, struct rt_container **out,
            struct burrow_err **err);

/* 0-255 exit code from a wait status (128+N for a signal). */
int rt_exit_code(int wstatus);

/* Closes the sync socket and the pty master; does not kill or reap. */
void rt_container_free(struct rt_container *c);

#endif
