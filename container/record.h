/* A container's records: its configuration (ctr/<id> in burrow.tdb, kept
 * until removal, with the last run's outcome beside it) and its running
 * state (run/<id> in state.tdb). Each record's fields are listed once
 * below; the lists drive the structs, JSON in and out, clearing and the
 * copy of a run into the persistent record. The TDB keys are made here and
 * nowhere else. */
#ifndef BURROW_CONTAINER_RECORD_H
#define BURROW_CONTAINER_RECORD_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"

struct state_store;

/* The states of DESIGN.md, in the order a container goes through them:
 *   configured  stored, never prepared (or reset so by a reboot)
 *   created     rootfs mounted, bundle written, monitor running; the
 *               container init exists but has not exec'd the command
 *               (a start under way, or burrow init's: podman's
 *               initialized)
 *   running     the command runs
 *   paused      frozen
 *   stopping    someone is ending it (stop, kill, rm -f): when it exits,
 *               it is not restarted
 *   stopped     it exited, its exit code is known; not cleaned up yet
 *   exited      cleaned up: unmounted, network gone, runtime files gone
 *   removing    its records and files are going
 *   unknown     the state record cannot be read */
enum ctr_state {
	CTR_CONFIGURED = 0,
	CTR_CREATED,
	CTR_RUNNING,
	CTR_PAUSED,
	CTR_STOPPING,
	CTR_STOPPED,
	CTR_EXITED,
	CTR_REMOVING,
	CTR_UNKNOWN,
};
const char *ctr_state_name(enum ctr_state s);
/* The state as podman names it to users (State.Status, ps --filter
 * status=, what a refusal says): configured is "created", created
 * (prepared, its command not started yet: burrow init's) "initialized",
 * stopped (ended, not cleaned up yet) "exited". */
const char *ctr_state_word(enum ctr_state s);
enum ctr_state ctr_state_parse(const char *s);

/* The transitions that make sense (staying in a state always does):
 *   configured -> created, removing
 *   created    -> running, stopping, stopped, exited, removing
 *   running    -> paused, stopping, stopped
 *   paused     -> running, stopping, stopped
 *   stopping   -> stopped, running, paused (a stop that gave up)
 *   stopped    -> exited, removing
 *   exited     -> created, removing
 *   removing   -> exited (a removal that failed half-way)
 *   unknown    -> stopped, exited, removing
 * ctr_state_check refuses any other with status EINVAL and a message that
 * names the container and both states. */
int ctr_state_check(const char *name, enum ctr_state from, enum ctr_state to, struct burrow_err **err);

struct ctr_config;
struct ctr_run;
/* Checks the transition, sets r->state and saves the run record: the
 * new state is stored before the caller's next side effect, so that a
 * crash after it can be recovered from. */
int ctr_set_state(struct state_store *s, const struct ctr_config *c, struct ctr_run *r, enum ctr_state to,
                  struct burrow_err **err);

/* The C type behind each field kind of the lists below. */
#define CTR_TYPE_STR char *             /* JSON string or null */
#define CTR_TYPE_STRV char **           /* JSON array of strings (NULL: absent) */
#define CTR_TYPE_INT long long          /* JSON integer (times: seconds since the epoch) */
#define CTR_TYPE_I32 int                /* JSON integer */
#define CTR_TYPE_UINT unsigned          /* JSON integer */
#define CTR_TYPE_PID pid_t              /* JSON integer */
#define CTR_TYPE_U64 unsigned long long /* JSON integer (start times in clock ticks) */
#define CTR_TYPE_BOOL bool              /* JSON boolean */
#define CTR_TYPE_STATE enum ctr_state   /* JSON string: ctr_state_name */
#define CTR_FIELD_DECL(kind, name) CTR_TYPE_##kind name;

/* What the user asked for: fixed at create. X(kind, name); the JSON key is
 * the name. */
#define CTR_CONFIG_FIELDS(X)                                                                                \
	X(STR, id)         /* 64 lowercase hex */                                                           \
	X(STR, name)       /* unique; name/<name> holds the ID */                                           \
	X(STR, image_id)   /* NULL with --rootfs */                                                         \
	X(STR, image_name) /* what the user typed */                                                        \
	X(STR, rootfs)     /* --rootfs DIR (absolute), else NULL */                                         \
	X(INT, created)                                                                                     \
	X(STR, image_resolved)  /* the name that found the image (podman's RootfsImageName) */              \
	X(I32, created_ns)      /* the nanoseconds of that second (inspect) */                              \
	X(STRV, args)           /* final process args (entrypoint + command) */                             \
	X(UINT, entrypoint_len) /* how many of args are the entrypoint (inspect's Config.Entrypoint) */     \
	X(STRV, env)            /* final environment */                                                     \
	X(STR, workdir)                                                                                     \
	X(UINT, uid)                                                                                        \
	X(UINT, gid)                                                                                        \
	X(STR, userns)  /* --userns canonical (NULL: host, burrow's own namespace) */                       \
	X(STR, uid_map) /* its own user namespace: CTR:HOST:SIZE,... (NULL: burrow's) */                    \
	X(STR, gid_map)                                                                                     \
	X(STR, passwd_entry) /* added to a generated /etc/passwd when its uid has no entry */               \
	X(STR, group_entry)  /* added to a generated /etc/group when its gid has none */                    \
	X(STRV, groups)      /* --group-add as gids, or "keep-groups" alone */                              \
	X(STRV, user_groups) /* -u's (or the image User's) groups: its gid and memberships (podman's) */    \
	X(BOOL, groups_live) /* user_groups holds the gid alone: memberships looked up at each start */     \
	X(STR, user_spec)    /* -u's (or the image User's) USER[:GROUP], which exec's lookup takes */       \
	X(BOOL, user_live)   /* user_spec looked up at each start and exec (uid, gid: create's lookup) */   \
	X(STR, hostname)                                                                                    \
	X(STR, network)      /* --network in its canonical form (netns_format) */                           \
	X(STR, pid_mode)     /* --pid: host, container:ID, ns:PATH (NULL: private; container/nsmode.h) */   \
	X(STR, ipc_mode)     /* --ipc: host, none, container:ID, ns:PATH (NULL: private, shareable) */      \
	X(STR, uts_mode)     /* --uts: host, container:ID, ns:PATH (NULL: private) */                       \
	X(STRV, ports)       /* -p and -P, canonical (netns_port_format); host port left out: a free one */ \
	X(STRV, add_hosts)   /* --add-host NAME:IP */                                                       \
	X(STRV, dns)         /* --dns servers (NULL: the network's) */                                      \
	X(STRV, dns_search)  /* --dns-search */                                                             \
	X(STRV, dns_options) /* --dns-option */                                                             \
	X(BOOL, no_hosts)    /* --no-hosts */                                                               \
	X(INT, shm_size)                                                                                    \
	X(STR, seccomp) /* --security-opt seccomp=: NULL for podman's default profile, "unconfined" */      \
	X(BOOL, rm)                                                                                         \
	X(BOOL, tty)                                                                                        \
	X(BOOL, interactive)                                                                                \
	X(STR, log_driver)     /* k8s-file (NULL: the same), none, passthrough */                           \
	X(INT, log_max_size)   /* --log-opt max-size in bytes (0: no limit) */                              \
	X(STR, restart_policy) /* no (NULL: the same), on-failure, always, unless-stopped */                \
	X(I32, restart_max)    /* on-failure:N (0: no limit) */                                             \
	X(I32, stop_signal)    /* --stop-signal, else the image's StopSignal (0: SIGTERM) */                \
	X(I32, stop_timeout)   /* --stop-timeout: seconds stop waits before SIGKILL */                      \
	X(BOOL, started)       /* has run at least once (for refresh after reboot) */                       \
	X(STR, init_path)      /* --init: the host file bound at /run/podman-init (NULL: none) */           \
	X(STRV, labels)        /* KEY=VALUE: the image's, then --label-file and --label */                  \
	X(STRV, annotations)   /* --annotation KEY=VALUE */                                                 \
	X(STRV, requires)      /* IDs of the containers started before it (--requires) */                   \
	X(STRV, mounts)        /* -v, --mount, --tmpfs, --volumes-from (container/mount.h) */               \
	X(BOOL, read_only)     /* --read-only: the rootfs is mounted read-only */                           \
	X(BOOL, ro_no_tmpfs)   /* --read-only-tmpfs=false: no writable /tmp, /var/tmp, /run */              \
	X(BOOL, privileged)                                                                                 \
	X(STRV, cap_add)        /* --cap-add, as CAP_CHOWN or ALL */                                        \
	X(STRV, cap_drop)       /* --cap-drop, the same */                                                  \
	X(STRV, mask)           /* --security-opt mask= paths */                                            \
	X(STRV, unmask)         /* unmask= paths (or ALL) */                                                \
	X(BOOL, new_privileges) /* no_new_privs off */                                                      \
	X(STR, seccomp_profile) /* seccomp=FILE's JSON (seccomp holds FILE) */                              \
	X(STRV, ulimits)        /* --ulimit NAME=SOFT:HARD (-1: unlimited) */                               \
	X(STRV, sysctls)        /* --sysctl NAME=VALUE */                                                   \
	X(STR, umask)           /* --umask, octal (NULL: 0022) */                                           \
	X(STR, tz)              /* --tz: the host's zoneinfo file */                                        \
	X(STR, sdnotify)        /* --sdnotify: conmon, healthy, ignore (NULL: container) */                 \
	X(STRV, create_command) /* the command line that made it (podman's CreateCommand) */                \
	X(I32, create_image_at) /* create_command's index of the image (its options end there) */           \
	X(STRV, secrets)        /* --secret, stored as container/secret.h says (never the content) */       \
	X(STRV, devices)        /* --device HOST:CTR:PERM (container/resources.h) */                        \
	X(STRV, device_rules)   /* --device-cgroup-rule, kept (no device cgroup rootless) */                \
	X(INT, memory)          /* --memory in bytes (0: none) */                                           \
	X(INT, memory_swap)     /* --memory-swap in bytes (-1: unlimited, 0: none) */                       \
	X(INT, mem_reserve)     /* --memory-reservation in bytes */                                         \
	X(INT, pids_limit)      /* --pids-limit (-1: unlimited, 0: none) */                                 \
	X(INT, nano_cpus)       /* --cpus times 1e9 */                                                      \
	X(INT, cpu_shares)      /* --cpu-shares */                                                          \
	X(INT, cpu_quota)       /* --cpu-quota in microseconds (-1: unlimited) */                           \
	X(INT, cpu_period)      /* --cpu-period in microseconds */                                          \
	X(STR, cpuset_cpus)     /* --cpuset-cpus */                                                         \
	X(STRV, hooks_dirs)     /* --hooks-dir (NULL: the default ones, container/hooks.h) */               \
	X(STRV, volumes_from)   /* --volumes-from as typed */                                               \
	CTR_HEALTH_FIELDS(X)                                                                                \
	CTR_MORE_FIELDS(X)

/* The healthcheck (container/health.h): podman's Test (["CMD", ...],
 * ["CMD-SHELL", "..."]; NULL: none), durations in ns as inspect shows
 * them (interval 0: no timer, burrow healthcheck run only). */
#define CTR_HEALTH_FIELDS(X)                                                           \
	X(STRV, health_test)                                                           \
	X(INT, health_interval)                                                        \
	X(INT, health_timeout)                                                         \
	X(INT, health_start_period)                                                    \
	X(I32, health_retries)                                                         \
	X(STR, health_on_failure)    /* none (NULL: the same), kill, restart, stop */  \
	X(STRV, health_startup_test) /* run until it passes, then the regular check */ \
	X(INT, health_startup_interval)                                                \
	X(INT, health_startup_timeout)                                                 \
	X(I32, health_startup_retries) /* failures before a restart (0: no limit) */   \
	X(I32, health_startup_success) /* passes it takes (0: one) */

/* container/runmore.h's flags */
#define CTR_MORE_FIELDS(X)                                                                     \
	X(BOOL, rmi)               /* --rmi: its image goes when it is removed */              \
	X(STR, pidfile)            /* --pidfile PATH (NULL: none) */                           \
	X(BOOL, no_hostname)       /* --no-hostname: no /etc/hostname bound in */              \
	X(I32, timeout)            /* --timeout: seconds before it is killed (0: no limit) */  \
	X(BOOL, oom_score_adj_set) /* --oom-score-adj given */                                 \
	X(I32, oom_score_adj)                                                                  \
	X(BOOL, no_home)     /* --unsetenv HOME or --unsetenv-all: no HOME at start */         \
	X(BOOL, no_passwd)   /* --passwd=false: nothing added to /etc/passwd and /etc/group */ \
	X(STRV, passwd_more) /* --hostuser's and -u UID's entries (ctr_passwd_more) */         \
	X(STRV, group_more)  /* -u's group entry */                                            \
	X(STR, personality)  /* --personality: LINUX, LINUX32 (NULL: none set) */

/* Who runs a container and how its run went: in the run record, and
 * copied into the persistent one so that it outlives the runtime dir (a
 * reboot, a logout, a tmp cleaner). Each process is named by its pid and
 * start time (lib/proc.h): never signalled by pid alone. */
#define CTR_RUN_PROC_FIELDS(X)                                                            \
	X(PID, monitor_pid)                                                               \
	X(U64, monitor_start)                                                             \
	X(PID, pid) /* the container init, pid 1 inside */                                \
	X(U64, pid_start)                                                                 \
	X(INT, started_at)                                                                \
	X(I32, started_ns)  /* the nanoseconds of that second (inspect) */                \
	X(INT, finished_at) /* 0: no end recorded (still running, or its monitor died) */ \
	X(I32, finished_ns)                                                               \
	X(I32, exit_code)

/* The persistent record's copy of the current or last run, in the boot
 * boot_id (a pid and its start time name a process within one boot). */
#define CTR_LAST_FIELDS(X)                                                                    \
	X(STR, boot_id)                                                                       \
	X(UINT, restart_count) /* restarts by the policy since the user last started it */    \
	X(BOOL, user_stopped)  /* the user stopped it (unless-stopped: not after a reboot) */ \
	CTR_RUN_PROC_FIELDS(X)

/* The run record, in state.tdb (gone with the runtime dir). */
#define CTR_RUN_FIELDS(X)                                                                       \
	X(STATE, state)                                                                         \
	CTR_RUN_PROC_FIELDS(X)                                                                  \
	X(STR, mountpoint)  /* the mounted rootfs (NULL: none) */                               \
	X(STRV, ports)      /* the published ports as bound, every host port chosen */          \
	X(PID, fuse_pid)    /* fuse-overlayfs serving mountpoint (0: unknown) */                \
	X(STR, reason)      /* why it stopped when not by itself (e.g. "monitor died") */       \
	X(BOOL, restarting) /* ended, and its monitor restarts it (the policy) after a pause */ \
	X(BOOL, user_ended) /* stop or kill by the user: its end is not restarted */            \
	X(I32, mount_count) /* burrow mount's mounts not yet unmounted */                       \
	X(STRV, binds)      /* its bind mounts at start (ctr_mount_bind_id; NULL: older run) */

struct ctr_config {
	CTR_CONFIG_FIELDS(CTR_FIELD_DECL)
	CTR_LAST_FIELDS(CTR_FIELD_DECL)
};

struct ctr_run {
	CTR_RUN_FIELDS(CTR_FIELD_DECL)
};

char *ctr_config_to_json(const struct ctr_config *c);
int ctr_config_from_json(const char *json, struct ctr_config *c, struct burrow_err **err);
void ctr_config_clear(struct ctr_config *c);
/* What can still be read of a record that ctr_config_from_json refuses
 * (a field of another type, no name): each field of the right type, the
 * others empty. 0 when json is JSON whose "id" is id (c set; clear it),
 * -1 otherwise (nothing of it is this container's for sure; c empty). */
int ctr_config_salvage(const char *json, const char *id, struct ctr_config *c);

/* The image name ps, inspect and events show, as podman's RootfsImageName:
 * the name that found the image (localhost/busybox:latest), else, for a
 * record made before burrow kept it, what the user typed; "" with --rootfs. */
const char *ctr_config_image(const struct ctr_config *c);

char *ctr_run_to_json(const struct ctr_run *r);
int ctr_run_from_json(const char *json, struct ctr_run *r, struct burrow_err **err);
void ctr_run_clear(struct ctr_run *r);

/* Copies what a run is (who runs it, when it started and ended, how) into
 * the persistent fields of c, in this boot (boot_id). */
void ctr_config_set_last(struct ctr_config *c, const struct ctr_run *r, const char *boot_id);

/* Loads/saves records. A --rm container's configuration is in this boot's
 * --rm file (STATE_RM; one an older burrow stored in burrow.tdb stays
 * there), every other's in burrow.tdb; ctr_config_load looks in both.
 * ctr_run_load of a missing run record gives configured (never started)
 * or exited. */
int ctr_config_load(struct state_store *s, const char *id, struct ctr_config *c, struct burrow_err **err);
int ctr_config_save(struct state_store *s, const struct ctr_config *c, struct burrow_err **err);
/* The stored text of its configuration as it is, read or not (*json
 * NULL: there is none; caller frees). */
int ctr_config_text(struct state_store *s, const char *id, char **json, struct burrow_err **err);
int ctr_run_load(struct state_store *s, const char *id, struct ctr_run *r, struct burrow_err **err);
int ctr_run_save(struct state_store *s, const char *id, const struct ctr_run *r, struct burrow_err **err);
/* Deletes the run record (a missing one is fine). */
int ctr_run_delete(struct state_store *s, const char *id, struct burrow_err **err);

/* Stores a new container: its name reserved (refused, naming it, when it
 * is taken; c->name NULL: a free one is generated into it) and its
 * configuration, in one transaction, in which its image record and the
 * containers it requires (c->requires) must still be there (else ENOENT:
 * an rmi or rm removed them meanwhile). */
int ctr_config_insert(struct state_store *s, struct ctr_config *c, struct burrow_err **err);
/* Gives c the name (checked by the caller), in one transaction: the old
 * name's record goes, the new one is made (EEXIST, naming it, when it is
 * taken), the configuration saved. c->name is the new name on success. */
int ctr_config_rename(struct state_store *s, struct ctr_config *c, const char *name, struct burrow_err **err);
/* Deletes its configuration and name (one transaction), then its run
 * record. dependents: refused (EEXIST, nothing deleted) when a container
 * requires c, decided in that transaction. */
int ctr_records_delete(struct state_store *s, const struct ctr_config *c, bool dependents, struct burrow_err **err);

/* The same for a container whose configuration cannot be read: its
 * configuration, the names that point to it, then its run record; refused
 * (EEXIST, nothing deleted) when a container requires it, decided in that
 * transaction. *name: the name that pointed to it (NULL: none; caller
 * frees). */
int ctr_records_delete_id(struct state_store *s, const char *id, char **name, struct burrow_err **err);
/* Refused (EEXIST, naming its dependents, with rm --depend as the hint)
 * when a container requires the one of ID id, whose configuration need
 * not be readable: it is named by the name that points to it. */
int ctr_dependents_refuse_id(struct state_store *s, const char *id, struct burrow_err **err);

/* Every stored container's configuration, in ID order (those of
 * burrow.tdb, then the --rm ones): fn gets each (it may take what it wants
 * out of c: c is cleared after the call) and returns 0 to go on, 1 to
 * stop, -1 to fail. */
typedef int (*ctr_config_fn)(struct ctr_config *c, void *data, struct burrow_err **err);
int ctr_config_each(struct state_store *s, ctr_config_fn fn, void *data, struct burrow_err **err);
/* The same, but a record that cannot be read fails the walk (naming it,
 * with rm as the hint) where ctr_config_each warns and passes over it:
 * for the checks that must see every container, whose answer would be
 * unsafe without one (the ID ranges --userns=auto hands out, the images
 * rmi and prune may remove). */
int ctr_config_each_strict(struct state_store *s, ctr_config_fn fn, void *data, struct burrow_err **err);
/* The same for those whose field (a STR or STRV of CTR_CONFIG_FIELDS; of
 * another kind: all) is set, a list not empty: the others are passed over
 * before they are parsed (pause looks for --pid joiners among 1000
 * containers in a millisecond, not 25). */
int ctr_config_each_set(struct state_store *s, const char *field, ctr_config_fn fn, void *data,
                        struct burrow_err **err);
/* The --rm containers of boots that are over, from their --rm files, which
 * are removed after (state_rm_stale): for the refresh. */
int ctr_config_each_stale_rm(struct state_store *s, ctr_config_fn fn, void *data, struct burrow_err **err);

/* Resolves what the user typed (name, ID or unique ID prefix). */
int ctr_lookup(struct state_store *s, const char *ref, char **id, struct burrow_err **err);
/* The container of that exact name (never an ID or an ID's prefix). */
int ctr_lookup_name(struct state_store *s, const char *name, char **id, struct burrow_err **err);

#endif
