/* Helpers private to runtime/. */
#ifndef BURROW_RUNTIME_INTERNAL_H
#define BURROW_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "runtime/runtime.h"

/* Sync socket records (lib/sock.h), child -> parent unless noted; a
 * failing child sends SOCK_MSG_ERROR and its error record. */
enum {
	RT_MSG_READY = 'R',  /* set up, waiting for RT_MSG_START */
	RT_MSG_FD = 'P',     /* the pty master rides along */
	RT_MSG_START = 'S',  /* parent -> child: exec now */
	RT_MSG_MAPPED = 'M', /* parent -> child: its user namespace's maps are written */
};

struct proc_ref;
struct rt_init;

/* runtime.c */
/* Clones a child with namespace flags (as fork(), but no fork handlers
 * run: call while single-threaded) that runs child(ini), which never
 * returns, with every signal blocked and its end of a new sync socket in
 * ini->sync_fd; c->pid and c->sync_fd are ours. -1 (errno) when the socket
 * or the child cannot be made. */
int rt_spawn(struct rt_container *c, struct rt_init *ini, int flags, void (*child)(struct rt_init *));
/* rt_spawn, the child born in the pid namespace pidns (an fd; -1: ours,
 * or a new one in flags), still our child. */
int rt_spawn_in(struct rt_container *c, struct rt_init *ini, int flags, int pidns, void (*child)(struct rt_init *));
/* fork() with namespace flags: the child continues here on a copy of our
 * memory (no fork handlers run, hence "call while single-threaded"). */
pid_t rt_clone(int flags);
/* A new handle for the child that runs spec (taken over); who names it in
 * messages. */
struct rt_container *rt_container_new(struct rt_spec *spec, const char *who);
/* Follows the child over the sync socket until it is ready (what: what
 * it is doing, for messages), taking the pty master when one comes. On
 * failure the child is dead and reaped. */
int rt_wait_ready(struct rt_container *c, const char *what, struct burrow_err **err);

/* spec.c */
/* A namespace's name (CLONE_NEWNET: "network"), or with proc its name
 * under /proc/PID/ns/ ("net"). */
const char *rt_ns_name(int flag, bool proc);
int rt_parse_propagation(const char *s, unsigned long *out);
/* Splits OCI mount options into MS_* flags, propagation and fs data. */
int rt_parse_mount_options(char *const *options, unsigned long *flags, unsigned long *propagation, char **data);
void rt_seccomp_free(struct rt_seccomp *f);
/* RLIMIT_NOFILE -> "RLIMIT_NOFILE" */
const char *rt_rlimit_name(int resource);

/* seccomp.c */
/* A seccomp filter as the kernel takes it: classic BPF. */
struct rt_bpf {
	void *insns; /* struct sock_filter[len] */
	size_t len;
};
/* Builds the libseccomp filter (a scmp_filter_ctx) in the parent. */
void *rt_seccomp_build(const struct rt_seccomp *f, struct burrow_err **err);
void rt_seccomp_release(void *ctx);
/* What a compiled filter depends on, as text: the filter (strings as
 * length:bytes), the libseccomp version, the native architecture, the
 * kernel release, burrow's build of filters. Names and checks cache files. */
char *rt_seccomp_canonical(const struct rt_seccomp *f, size_t *len);
/* A cache file's checksum: over its canonical text, then its n
 * instructions. */
uint64_t rt_seccomp_checksum(const void *canon, size_t canon_len, const void *insns, size_t n);
/* f compiled to BPF, from cache_dir when it holds it intact (see
 * seccomp.c), else with libseccomp (then stored there); cache_dir NULL:
 * always compiled. Cache trouble only costs time, never fails. */
int rt_seccomp_compile(const struct rt_seccomp *f, const char *cache_dir, struct rt_bpf *out, struct burrow_err **err);
/* In the init: installs the filter (needs no_new_privs or CAP_SYS_ADMIN). */
int rt_seccomp_load(const struct rt_bpf *b, struct burrow_err **err);
void rt_bpf_clear(struct rt_bpf *b);

/* What a process on its way into a container works with (in the child,
 * after clone or fork): the container init, or a process an exec starts. */
struct rt_init {
	const struct rt_spec *spec; /* process.* as this process runs it */
	int sync_fd;
	int *ns_fds;         /* init: per spec->namespaces, fd of the path to join, else -1;
	                      * exec: per spec->namespaces, the init's (without pidfds), else -1 */
	int stdio[3];        /* private copies (>= 3 + preserve_fds, close-on-exec) when !terminal */
	unsigned null_stdio; /* bit i: stdio[i] is the /dev/null rt_take_stdio opened, reopened at exec */
	int preserve_fds;    /* fds 3 .. 3 + preserve_fds - 1 are passed on as they are */
	/* exec */
	const struct proc_ref *init; /* the container's init */
	int pidfd;                   /* its pidfd to join by (-1: ns_fds) */
	int join;                    /* CLONE_NEW* of the namespaces to join */
	int report_fd;               /* the helper writes the process's pid here */
	bool terminal;
	int rootfd;             /* O_PATH of the rootfs, after binding it onto itself */
	int pty_slave;          /* with terminal */
	bool new_net;           /* a new network namespace */
	bool new_ipc;           /* a new ipc namespace */
	const char *keyring;    /* name of the new session keyring, NULL: anonymous */
	int unlock_fd[2];       /* init: rt_opts' unlock_fd, closed first */
	struct rt_bpf *seccomp; /* the filter to load, NULL if none */
	struct rt_bpf bpf;      /* where seccomp points */
};

/* The parent's side of an rt_init: every field set (no fds of its own
 * yet: rootfd, pty_slave and pidfd -1, ns_fds all -1), the seccomp filter
 * compiled (or taken from seccomp_cache). */
int rt_init_prepare(struct rt_init *ini, struct rt_spec *spec, bool terminal, const int stdio[3], const char *keyring,
                    const char *seccomp_cache, struct burrow_err **err);
/* Closes its ns_fds and frees the filter. */
void rt_init_clear(struct rt_init *ini);

/* mount.c (child side) */
/* Opens path (inside the rootfs at rootfd; absolute symlinks and ".." stay
 * inside it) as O_PATH|O_CLOEXEC plus extra flags. -1 with errno set. */
int rt_open_in_root(int rootfd, const char *path, int extra_flags);
/* Like rt_open_in_root, creating what is missing: parent directories, and
 * the last component as a directory (dir) or an empty file. */
int rt_mkpath_in_root(int rootfd, const char *path, bool dir, struct burrow_err **err);
/* Everything up to and including pivot_root: propagation, the rootfs
 * bind, config.json's mounts, devices, the pty, then pivot_root. */
int rt_setup_mounts(struct rt_init *ini, struct burrow_err **err);
/* After pivot_root: sysctls, masked and read-only paths, read-only root. */
int rt_finish_mounts(struct rt_init *ini, struct burrow_err **err);

/* Opens a pty in the devpts at /dev/pts of the rootfs at rootfd: its master
 * (the caller hands it to the parent) and, in *slave, its slave. */
int rt_open_pty(int rootfd, int *slave, struct burrow_err **err);

/* process.c (child side): the way to exec of the init and an exec alike */
/* Sends err to the parent over the sync socket, then _exits with code. */
__attribute__((noreturn)) void rt_fail(struct rt_init *ini, struct burrow_err *err, int code);
/* rt_fail for the command that cannot be run: exits with the code
 * rt_exec_exit_code gives err, the one the parent reports from it. */
__attribute__((noreturn)) void rt_fail_exec(struct rt_init *ini, struct burrow_err *err);
/* Runs setup (its warnings go to the parent; its failure too, then the
 * child exits), reports ready and waits for the parent's start (exits when
 * the parent gives up instead). */
void rt_child_ready(struct rt_init *ini, int (*setup)(struct rt_init *ini, struct burrow_err **err));
/* Marks every fd from `from` up close-on-exec, so that nothing the parent
 * had open (without O_CLOEXEC) reaches the container. */
int rt_cloexec_inherited(int from, struct burrow_err **err);
/* Closes every fd from `from` up but the n in keep (sorted on the way;
 * -1s and fds below from are ignored). */
int rt_close_fds(int from, int *keep, size_t n, struct burrow_err **err);
/* Moves the caller's stdio fds (and the sync socket) to private
 * close-on-exec fds above 2 and the fds passed on, so that the final dup2
 * onto 0-2 clobbers nothing. */
int rt_take_stdio(struct rt_init *ini, struct burrow_err **err);
/* Joins the session keyring called name (made when there is none; see
 * runtime.h), searchable by its owner. exec: the message for an exec. */
int rt_session_keyring(const char *name, bool exec, struct burrow_err **err);
/* oom_score_adj, rlimits, umask, the pty as controlling terminal, then
 * groups, user and capabilities (the seccomp filter before them unless
 * no_new_privs, which needs no privilege to load it). */
int rt_process_setup(struct rt_init *ini, struct burrow_err **err);
/* chdir to the working directory, resolved inside "/" without magic links. */
int rt_enter_cwd(const char *cwd, struct burrow_err **err);
/* Finds process.args[0] in the container's PATH, sets no_new_privs, stdio,
 * the seccomp filter (last, with no_new_privs) and execs. Never returns:
 * an error goes to the parent, then it exits (rt_fail_exec). */
__attribute__((noreturn)) void rt_exec_process(struct rt_init *ini);

/* exec.c */
/* process.* of a container's config.json as an exec asks to run it, in
 * place (see rt_exec_opts): command, environment, working directory,
 * user, capabilities, no_new_privs and seccomp filter. */
void rt_exec_spec(struct rt_spec *s, const struct rt_exec_opts *o);

/* userns.c */
/* Parent side: writes the child's uid_map and gid_map (from spec) and
 * tells it so; the child is killed and reaped on failure. */
int rt_userns_map(struct rt_container *c, const struct rt_spec *spec, struct burrow_err **err);
/* Child side: waits (bounded) until the parent has written the maps. The
 * child keeps its own IDs (the user's, in burrow's namespace: possibly
 * unmapped in the new one), with every capability in the new namespace:
 * it reaches the bind sources under the user's private (0700) dirs as
 * their owner, and its session keyring is the user's. */
int rt_userns_wait(struct rt_init *ini, struct burrow_err **err);
/* Child side, once the mounts are set up: becomes the namespace's root
 * where uid/gid 0 are mapped (else stays as it is). */
int rt_userns_root(struct burrow_err **err);

/* init.c (child side): never returns. */
__attribute__((noreturn)) void rt_init_main(struct rt_init *ini);

#endif
