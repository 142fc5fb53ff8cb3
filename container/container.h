/* Container lifecycle: create, run, list, remove, refresh. */
#ifndef BURROW_CONTAINER_H
#define BURROW_CONTAINER_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "container/record.h"
#include "container/resources.h"
#include "container/runmore.h"
#include "container/secopts.h"
#include "lib/err.h"
#include "lib/proc.h"
#include "overlay/overlay.h"

struct netns_cfg;
struct netns_ports;
struct ctr_health_opts;
struct state_store;

/* The user's settings that reach below cmd/ (burrow.conf; cmd/ fills it).
 * Zero is the defaults. */
struct ctr_engine_opts {
	struct ovl_opts ovl; /* how root filesystems are mounted */
	/* the monitor's: a directory bound at /run/notify, NOTIFY_SOCKET set
	 * to its socket (--sdnotify=container; NULL: none) */
	const char *notify_dir;
};

struct ctr_create_opts {
	const char *image;      /* image reference, or a directory with rootfs */
	bool rootfs;            /* --rootfs: image is a directory */
	char **cmd;             /* command after the image (may be NULL) */
	const char *entrypoint; /* --entrypoint (NULL: the image's) */
	char **env;             /* -e NAME=VALUE, resolved */
	char **conf_env;        /* containers.conf env: under the image's (NULL: none) */
	const char *workdir;
	const char *user;
	const char *hostname;
	const char *name;
	const struct netns_cfg *network;         /* --network, parsed (NULL: the default, slirp) */
	const char *ns_mode[3];                  /* --pid, --ipc, --uts as typed (NULL: private; nsmode.h) */
	char **unsetenv;                         /* --unsetenv NAME (container/envunset.h; NULL: none) */
	bool unsetenv_all;                       /* --unsetenv-all */
	char **proxy_env;                        /* --http-proxy: the host's proxy variables (NULL: none) */
	int http_proxy;                          /* --http-proxy: -1 not given (containers.conf's, else 1), 0, 1 */
	const struct netns_ports *publish;       /* -p (NULL: none) */
	const struct netns_ports *expose;        /* --expose (NULL: none) */
	bool publish_all;                        /* -P: the exposed ports and the image's, on free host ports */
	char **add_hosts;                        /* --add-host NAME:IP, checked */
	char **dns, **dns_search, **dns_options; /* --dns (checked), --dns-search, --dns-option */
	bool no_hosts;                           /* --no-hosts: the image's /etc/hosts is left alone */
	long long shm_size;                      /* bytes, 0: default 64 MiB */
	const char *seccomp;                     /* NULL: podman's default profile; "unconfined" */
	bool rm, tty, interactive;
	const char *log_driver;     /* k8s-file, none, passthrough (NULL: k8s-file) */
	long long log_max_size;     /* --log-opt max-size (0: no limit) */
	const char *restart_policy; /* no, on-failure, always, unless-stopped (NULL: no) */
	int restart_max;            /* on-failure:N (0: no limit) */
	int stop_signal;            /* --stop-signal (0: the image's, else SIGTERM) */
	int stop_timeout;           /* --stop-timeout in seconds, when stop_timeout_set */
	bool stop_timeout_set;
	bool started; /* it is about to be started (run): saves a write later */
	/* -v, --mount, --tmpfs, --volumes-from as typed (container/mount.h) */
	char **volumes, **mounts, **tmpfs, **volumes_from;
	bool read_only, ro_no_tmpfs; /* --read-only, --read-only-tmpfs=false */
	char **secrets;              /* --secret as typed (container/secret.h) */
	/* --cap-add, --cap-drop, --privileged, mask/unmask... */
	struct ctr_sec_opts sec;
	/* users and ID mapping (container/userns.c) */
	const char *userns;       /* --userns (NULL: host) */
	const char *uidmap;       /* --uidmap, several joined with ',' (NULL: none) */
	const char *gidmap;       /* --gidmap, likewise (NULL: the uidmap) */
	const char *passwd_entry; /* --passwd-entry template (NULL: podman's) */
	char **group_add;         /* --group-add: names, gids, keep-groups (NULL: none) */
	bool init;                /* --init: burrow-init as pid 1 */
	const char *init_path;    /* --init-path (NULL: burrow-init beside the burrow binary) */
	char **labels;            /* --label-file's then --label's KEY=VALUE, in order (NULL: none) */
	char **annotations;       /* --annotation KEY=VALUE (NULL: none) */
	char **requires;          /* --requires: names or IDs (NULL: none) */
	long long pids_default;   /* containers.conf pids_limit: the default where it applies (0: podman's, -1: none) */
	const char *sdnotify;     /* --sdnotify: container (NULL: the same), conmon, healthy, ignore */
	char **create_command;    /* burrow's whole command line, kept for generate systemd --new */
	int create_image_at;      /* its index of the image */
	/* --health-*, --no-healthcheck (container/health.h; NULL: none) */
	const struct ctr_health_opts *health;
	struct ctr_res_opts res;   /* --device, --memory, --cpus ... (container/resources.h) */
	char **hooks_dirs;         /* burrow --hooks-dir (NULL: the default ones) */
	struct ctr_more_opts more; /* --rmi, --pidfile, --no-hostname, --env-merge, --timeout, --oom-score-adj */
};

/* --userns's value checked alone (before anything is pulled): host, "",
 * keep-id[:uid=N,gid=N], nomap, auto[:size=N]; with --uidmap/--gidmap
 * none of them but host. 0 or -1 (EINVAL). */
int ctr_userns_check(const struct ctr_create_opts *o, struct burrow_err **err);

/* One --security-opt KEY[=VALUE] into o (a later one for the same key
 * wins; mask and unmask add up): seccomp=unconfined, mask=, unmask=,
 * no-new-privileges[=BOOL], label= (accepted, nothing to label); podman's
 * other keys (apparmor, proc-opts) are refused as not supported yet,
 * anything else as invalid. */
int ctr_parse_security_opt(const char *opt, struct ctr_create_opts *o, struct burrow_err **err);
/* Checks a restart policy and log options as run/create take them:
 * "on-failure:3" -> on-failure, 3. 0 or -1 (EINVAL, naming the value). */
int ctr_parse_restart(const char *spec, const char **policy, int *max, struct burrow_err **err);
int ctr_parse_log_driver(const char *spec, const char **driver, struct burrow_err **err);

/* A signal as podman takes one: a number (1-64), or a name in any case,
 * with or without SIG (TERM, sigterm, SIGRTMIN+3). 0, or -1 (EINVAL,
 * naming it). */
int ctr_parse_signal(const char *spec, int *sig, struct burrow_err **err);
/* The signal's name as podman prints it (SIGTERM); "signal N" else. */
const char *ctr_signal_name(int sig, char *buf, size_t len);

/* --add-host NAME:IP (IP may be host-gateway: the host as the container
 * reaches it) and --dns IP: 0, or -1 (EINVAL, naming the value). */
int ctr_check_add_host(const char *spec, struct burrow_err **err);
int ctr_check_dns(const char *server, struct burrow_err **err);
/* A value that becomes (part of) a line of /etc/hosts, /etc/resolv.conf or
 * /etc/hostname (--dns-search, --dns-option, --hostname): 0, or -1 (EINVAL,
 * naming flag) when it holds a control character, which would add lines
 * of its own ("ndots:1\nnameserver 203.0.113.9"). */
int ctr_check_line_value(const char *flag, const char *value, struct burrow_err **err);
/* The /etc/hosts lines of add_hosts ("IP\tNAME\n"; host-gateway is
 * gateway). Caller frees. */
char *ctr_hosts_added(char *const *add_hosts, const char *gateway);
/* resolv.conf text base with the user's servers, search domains ("."
 * alone: none) and options in place of base's own, where given. Caller
 * frees. */
char *ctr_resolv_conf_user(const char *base, char *const *servers, char *const *search, char *const *options);

/* stop's wait before SIGKILL when neither -t nor --stop-timeout says */
#define CTR_STOP_TIMEOUT_DEFAULT 10

/* The checks of the options that need nothing but the options (the
 * name): run makes them before it pulls an image. */
int ctr_create_check(const struct ctr_create_opts *o, struct burrow_err **err);

/* The status of ctr_create's error when -u/--user (or the image's User)
 * or --group-add names a user or group the image's /etc/passwd or
 * /etc/group lacks: the command cannot be invoked as asked (podman's run
 * exits 126 on it, as on a command it cannot execute). */
#define CTR_ENOUSER ENOEXEC

/* Validates everything, then stores the container (configured). */
int ctr_create(struct state_store *s, const struct ctr_create_opts *o, struct ctr_config *out, struct burrow_err **err);

/* A channel to a container's monitor (container/attach.h), and who that
 * monitor is. */
struct ctr_attached {
	int sock; /* -1: none */
	struct proc_ref monitor;
	bool tty;       /* the container has a pty */
	bool has_stdin; /* this channel holds its stdin */
};
void ctr_attached_close(struct ctr_attached *a);
/* After the container ended (EXIT came): closes the channel and waits
 * (bounded) until the monitor has exited, so that what it cleaned up is
 * gone once the caller returns (not when the monitor restarts it: then
 * ctr_attach_relay let go of it). */
void ctr_attached_wait_monitor(struct ctr_attached *a);

struct ctr_start_opts {
	const struct ctr_engine_opts *eng;
	bool attach;      /* the caller attaches: out->sock is its channel */
	bool want_stdin;  /* ... and holds the container's stdin (when made with -i) */
	bool fresh;       /* made for this start (run): removed again when burrow fails before it runs */
	int preserve_fds; /* run --preserve-fds: the caller's fds 3 .. 3+n-1 (checked open) passed on */
	bool init_only;   /* burrow init: prepared and its init created, its command waits for a start */
};
/* Starts a configured or exited container: takes its lock, checks the
 * transition, and forks its monitor, a daemon (container/monitor.h) that
 * prepares, starts and watches it; an initialized one (burrow init): its
 * monitor is told to go. With init_only, the monitor stops short of the
 * exec (a running or initialized container is refused, EINVAL, with
 * *already). Returns 0 once the container runs (or
 * was running already: *already; with attach, out is then a channel got
 * as ctr_attach_open gets one), or -1 when it could not be started: then
 * *exit_code is 127 when its command was not found, 126 when it cannot
 * be run, else 125 (burrow's own failure), and what was made for it is
 * cleaned up (the container itself too when fresh, or --rm). */
int ctr_start(struct state_store *s, const char *ref, const struct ctr_start_opts *o, struct ctr_attached *out,
              bool *already, int *exit_code, struct burrow_err **err);

/* Connects to a running container's monitor (its attach socket), asking
 * for its stdin when want_stdin, and emits the attach event. Refused
 * (EINVAL, naming the state) when the container does not run. */
int ctr_attach_open(struct state_store *s, const char *ref, bool want_stdin, struct ctr_attached *out,
                    struct burrow_err **err);

/* Detach keys as podman spells them ("ctrl-p,ctrl-q", "" for none): 0, or
 * -1 (EINVAL) naming what is wrong. */
#define CTR_DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
int ctr_detach_keys_check(const char *spec, struct burrow_err **err);

struct ctr_attach_opts {
	int in_fd, out_fd, err_fd; /* the caller's stdio (in_fd relayed when the channel has stdin;
	                            * out_fd or err_fd -1: that stream is not shown) */
	bool sig_proxy;            /* SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2 go to the container */
	const char *detach_keys;   /* ctr_detach_keys_parse's form; NULL or "": none */
};
/* Relays the caller's stdio over an attach channel: output to out_fd and
 * err_fd, in_fd to the container's stdin (raw mode when both ends are
 * terminals), window size changes, proxied signals. Returns 0 when the
 * container ended (*exit_code its code), 1 when the user typed the detach
 * keys (the container runs on), -1 when the channel failed. */
int ctr_attach_relay(struct ctr_attached *ch, const struct ctr_attach_opts *o, int *exit_code, struct burrow_err **err);

struct ctr_logs_opts {
	bool follow;        /* go on until each container that runs has ended */
	bool timestamps;    /* each line with its time */
	bool names;         /* with several containers: lines begin with the name, not the short ID */
	bool color;         /* each line in the colour of its container's place among refs (podman's) */
	long long since_ns; /* only lines after this (ns since the epoch; 0: all) */
	long long until_ns; /* only lines before this (0: all) */
	long long tail;     /* only the last N lines (-1: all) */
	int out_fd, err_fd; /* where the container's stdout and stderr lines go */
};
/* Writes the logs of containers refs[0..n) as podman's logs does (with
 * several, each line begins with the container's short ID or name, and
 * their lines are merged in time order, read a piece at a time; a line
 * the container did not end is written without a newline). Refused for a
 * container whose log driver keeps no log. */
int ctr_logs(struct state_store *s, char *const *refs, size_t n, const struct ctr_logs_opts *o,
             struct burrow_err **err);

/* burrow exec's request. */
struct ctr_exec_opts {
	char **cmd;              /* the command and its arguments */
	char **env;              /* NAME=VALUE set over the container's (-e, --env-file), in order */
	const char *user;        /* -u USER[:GROUP], against the container's /etc/passwd (NULL: its user) */
	const char *workdir;     /* -w, absolute (NULL: the container's) */
	const char *detach_keys; /* podman's spelling (NULL: ctrl-p,ctrl-q; "": none) */
	bool interactive, tty, detach, privileged;
	int preserve_fds; /* the caller's fds 3 .. 3+n-1 (checked open) are passed on */
};

/* Runs a command in a running container (see container/exec.c and
 * rt_exec) and waits for it: its pty relayed to this process's stdio
 * (raw mode, window size, detach keys with -i), signals this process gets
 * forwarded to it. detach: returns once it has started, leaving it
 * running. Returns 0 with *exit_code the process's own (0 when it was
 * left running); -1 with *exit_code 125 (burrow failed, or the container
 * is not running: err names its state), 126 (the command cannot be
 * executed) or 127 (not found). */
int ctr_exec(struct state_store *s, const char *ref, const struct ctr_exec_opts *o, int *exit_code,
             struct burrow_err **err);

/* Removes a container. A running one is refused (status EBUSY) unless
 * force: then it is killed (or stopped, with timeout >= 0: ctr_stop's
 * way, waiting that many seconds before SIGKILL), and removed once its
 * monitor has cleaned up. */
int ctr_remove(struct state_store *s, const char *ref, bool force, int timeout, struct burrow_err **err);
/* ctr_remove, and with volumes (rm -v) the container's anonymous volumes
 * too (those no other container uses). */
int ctr_remove_volumes(struct state_store *s, const char *ref, bool force, int timeout, bool volumes,
                       struct burrow_err **err);
/* What a removal killed (or failed) between its records and its files
 * left: the directories, runtime record and lock file of a container
 * that has no record any more, removed (container prune). */
void ctr_orphans_remove(struct state_store *s);

/* Stops a container (container/stop.c): its stop signal, then SIGKILL
 * after timeout seconds (-1: its --stop-timeout); returns once its
 * monitor recorded the end. The state is stopping first (saved), so the
 * restart policy does not bring it back, and the lock is not held while it
 * waits. A container that is not running is fine (0). ENOENT when there
 * is no such container. */
int ctr_stop(struct state_store *s, const char *ref, int timeout, struct burrow_err **err);
/* Sends sig to a running (or paused) container's init; refused (EINVAL,
 * naming its state) when it does not run. Its end is not restarted.
 * With SIGKILL it returns once the monitor recorded the end. */
int ctr_kill(struct state_store *s, const char *ref, int sig, struct burrow_err **err);
/* Freezes (pause) or thaws a container: SIGSTOP, or SIGCONT, to every
 * process in its pid namespace. Refused (EINVAL, naming both states) when
 * it is not running (pause) or not paused (unpause). */
int ctr_pause(struct state_store *s, const char *ref, bool pause, struct burrow_err **err);

/* What wait waits for (podman's --condition), a mask of these. */
enum {
	CTR_WAIT_STOPPED = 1 << 0, /* stopped or exited (the default) */
	CTR_WAIT_RUNNING = 1 << 1,
	CTR_WAIT_PAUSED = 1 << 2,
	CTR_WAIT_CREATED = 1 << 3,
	CTR_WAIT_CONFIGURED = 1 << 4,
	CTR_WAIT_STOPPING = 1 << 5,
	CTR_WAIT_HEALTHY = 1 << 6, /* its healthcheck's status (container/health.h) */
	CTR_WAIT_UNHEALTHY = 1 << 7,
};
/* One --condition value into a mask bit: 0, or -1 (EINVAL, naming it). */
int ctr_wait_condition(const char *name, unsigned *mask, struct burrow_err **err);
/* Waits (rechecking every interval_ms, and at once when its monitor says
 * the container ended) until the container is in a state of mask: *code
 * is then its exit code for stopped/exited, else -1. No deadline: the
 * caller waits as long as the container runs. */
int ctr_wait(struct state_store *s, const char *ref, unsigned mask, int interval_ms, int *code,
             struct burrow_err **err);

struct ctr_listing {
	struct ctr_config cfg;
	struct ctr_run run;
	int health; /* enum ctr_health_status (container/health.h) */
};
/* Containers, newest first; running ones only unless all. */
int ctr_list(struct state_store *s, bool all, struct ctr_listing **out, size_t *n, struct burrow_err **err);
void ctr_listing_free(struct ctr_listing *l, size_t n);

/* The containers made from image_id (NULL: from any image), in ID order:
 * their ID, name and image ID. Reads the stored configurations only
 * (nothing is written, no state is checked), so it is safe inside a
 * transaction on STATE_DB: image removal asks it there. For one image
 * (what the removals ask) a record that cannot be read fails it, naming
 * the container: that container may use the image; for all (the images
 * listing) such a record is passed over with a warning. */
struct ctr_image_user {
	char *id, *name, *image_id;
};
int ctr_image_users(struct state_store *s, const char *image_id, struct ctr_image_user **out, size_t *n,
                    struct burrow_err **err);
void ctr_image_users_free(struct ctr_image_user *u, size_t n);
/* The same as "ID (NAME)" strings, as img_users' users callback (rmi, --rmi). */
int ctr_image_users_names(struct state_store *s, const char *image_id, char ***names, void *data,
                          struct burrow_err **err);

/* Makes the storage root's containers/ and layers/ (and volumes/, when
 * there is one) private, 0700, whatever the root's own mode: a root other
 * users can enter (--root on a shared scratch directory) must not let them
 * reach a container's upper dir. Made when missing; fixed (said once when
 * others can enter the root) when others could enter them. */
int ctr_storage_private(const char *root, struct burrow_err **err);

struct ctr_commit_opts {
	const char *container; /* name, ID or ID prefix */
	const char *reference; /* normalised tag for the new image, or NULL */
	char *const *changes;  /* --change instructions, or NULL */
	const char *message;   /* -m */
	const char *author;    /* --author (NULL: the image's) */
	const char *format;    /* --format: "oci" (NULL) or "docker": the media types of the new image */
	bool include_volumes;  /* --include-volumes: its mounts' destinations become the image's Volumes */
	bool squash;           /* --squash: the image is one layer, the whole root filesystem */
};
/* A new image from the container's image and, on top, its changes (its
 * upper dir) as one layer (squash: the image's layers and the changes
 * merged, one layer); *image_id its ID. A --rootfs container is
 * refused. The container may be running: what its upper dir holds when
 * it is read is stored. */
int ctr_commit(struct state_store *s, const struct ctr_commit_opts *o, char **image_id, struct burrow_err **err);

/* Dependencies (container/depend.c). Records that c needs container id
 * (a full ID): it is started before c and not removed while c exists.
 * --requires adds them; --network container:X and --volumes-from X call
 * this for X in ctr_create, before the record is stored. */
void ctr_config_require(struct ctr_config *c, const char *id);
/* The containers that require id (IDs, and names when names is not NULL;
 * empty vectors when none). */
int ctr_dependents(struct state_store *s, const char *id, char ***ids, char ***names, struct burrow_err **err);
/* ref and every container that depends on it, directly or not, in the
 * order they can be removed: dependents first, ref's ID last. */
int ctr_removal_order(struct state_store *s, const char *ref, char ***ids, struct burrow_err **err);

/* system df and system reset (container/sysreset.c). The bytes of the
 * files and links under path, not following links nor leaving its file
 * system (0 when it does not exist); a volume's (its _data). Walked on
 * lib/walk.h's walk, so a directory a container swaps for a symlink
 * meanwhile is never followed, and one it moves is measured where the
 * walk found it, or left out (never a failure). */
int ctr_tree_size(const char *path, long long *out, struct burrow_err **err);
int ctr_vol_size(struct state_store *s, const char *name, long long *out, struct burrow_err **err);
/* The mount points (this mount namespace's) at or under dir, in mount
 * order. */
int ctr_mounts_under(const char *dir, char ***out, struct burrow_err **err);
/* Unmounts (detached) every mount at or under dir, the latest first. */
int ctr_unmount_under(const char *dir, struct burrow_err **err);
/* Removes dir and all below it once nothing is mounted there (refused,
 * EBUSY, naming the mount, when something stays mounted): never walks
 * into a mount, such as a volume bound to the user's own directory. */
int ctr_remove_tree(const char *dir, struct burrow_err **err);

/* burrow-init beside the running burrow binary (NULL: unknown). */
char *ctr_init_default_path(void);
/* burrow's own binary, by its absolute path (NULL: /proc/self/exe is not
 * readable). Caller frees. */
char *ctr_burrow_exe(void);

/* After a reboot (state.tdb missing): every container becomes configured
 * or exited, as the seeds' resetState/refresh do. */
int ctr_refresh(struct state_store *s, struct burrow_err **err);

#endif
