/* The CLI: one verb table (cmd/main.c), one file per verb family. A verb
 * parses argv into an options struct, validates it, calls one function
 * below cmd/ and formats the answer. Only cmd/ prints and exits. */
#ifndef BURROW_CMD_H
#define BURROW_CMD_H

#include <getopt.h>
#include <stdbool.h>

#include <yajl/yajl_tree.h>

#include "cmd/settings.h"
#include "image/image.h"
#include "lib/err.h"

/* Exit codes as podman/docker. */
enum {
	EXIT_BURROW = 125, /* burrow itself failed */
	EXIT_CANNOT_INVOKE = 126,
	EXIT_NOT_FOUND = 127,
};

enum cmd_needs {
	NEED_USERNS = 1 << 0, /* join (or create) the keeper's namespaces first */
	NEED_STATE = 1 << 1,  /* open the state store (implies NEED_USERNS) */
	/* may start containers: as root, the binder of low host ports is
	 * forked before the join (netns/binder.c) */
	NEED_HOST_PORTS = 1 << 2,
};

struct state_store;

struct cmd_ctx {
	const char *verb;
	const char *family; /* "container" under 'burrow container VERB', else NULL */
	unsigned needs;     /* the verb's needs (enum cmd_needs) */
	/* global options */
	const char *root_opt;    /* --root */
	const char *runroot_opt; /* --runroot */
	char **argv;             /* burrow's whole command line */
	char **hooks_dirs;       /* --hooks-dir, absolute (NULL: none) */
	/* --out/--noout's file, opened once every option is read (the last
	 * one given wins, and no earlier one is created or truncated) */
	const char *out_path;
	bool out_later; /* a subcommand's parse follows (cmd_sub_run): it opens out_path */
	bool sub_help;  /* a --help before cmd_sub_run's subcommand: that one's parse ends in its usage */
	/* resolved before the verb runs */
	char *root;                   /* storage root */
	char *root_source;            /* where it came from */
	char *runroot;                /* runtime dir */
	char *runroot_source;         /* where it came from */
	struct state_store *state;    /* with NEED_STATE */
	struct cmd_settings settings; /* burrow.conf */
	bool settings_loaded;
	/* the value of the boolean flag cmd_getopt returned last: true, or
	 * what it was given (pflag's --rm=false, -d=0, -it=false); every
	 * flag that takes no value is a boolean, and its verb reads this */
	bool flag_on;
};

struct cmd_verb {
	const char *name;
	int (*fn)(struct cmd_ctx *ctx, int argc, char **argv);
	unsigned needs;
	const char *summary;
	const char *usage; /* full help text after "Usage: burrow " */
};

/* The needs of the verb table's entry name (0: none there). */
unsigned cmd_verb_needs(const char *name);

/* Prints "burrow: VERB: msg" and returns EXIT_BURROW (bad usage). */
int cmd_usage_error(const struct cmd_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the error (and hint) and returns EXIT_BURROW. */
int cmd_fail(struct burrow_err *err);

/* getopt_long over a verb's options; handles --help (when the options
 * end and the last --help given was true, as pflag's: prints the usage,
 * returns CMD_OPT_HELP after which the verb returns 0) and reports unknown
 * flags and missing arguments as usage errors (returns CMD_OPT_ERR; the
 * verb returns 125). Options may follow the arguments, as podman's: at -1
 * argv[optind..] are the arguments in order (those after "--" too),
 * unless shortopts begins with '+' (run, exec...: the first argument ends
 * the options, what follows is the command's). The global options may be
 * among them, as podman's persistent flags: cmd_getopt takes them into
 * ctx as main does before the verb. A flag that takes no value is a
 * boolean, as podman's: its value (true alone, else what follows '=':
 * --rm=false, -d=0, -it=false) is in ctx->flag_on when it is returned;
 * a value that is not a boolean is a usage error. A verb's parse starts
 * at optind 0 (main and the families set it). */
#define CMD_OPT_HELP 0x1000
/* The values of the global options (--root, --log-level ...), which
 * cmd_getopt takes itself, as before the verb: no verb's option has one
 * from here on (tools/doccheck-optdump.c knows it). */
#define CMD_OPT_GLOBAL 0x2000
#define CMD_OPT_ERR '?'
/* The global options: before the verb (main's), or after it among a
 * verb's or a subcommand's own (cmd_getopt's), where podman's persistent
 * flags may be too: the same effect, the later one wins. Their values are
 * a range of their own, that no verb's option has (CMD_OPT_GLOBAL). */
enum {
	G_LOG_LEVEL = CMD_OPT_GLOBAL,
	G_ROOT,
	G_RUNROOT,
	G_HOOKS_DIR,
	/* podman's, that scripts pass */
	G_STORAGE_DRIVER,
	G_CGROUP_MANAGER,
	G_EVENTS_BACKEND,
	G_NOOUT,
	G_OUT,
	G_REMOTE, /* and the other options of podman's remote mode */
	G_LAST = G_REMOTE,
	CMD_OPT_GLOBAL_ERR, /* cmd_getopt's: one was refused (and said) */
	CMD_OPT_SHORT_EQ,   /* cmd_getopt's: a short boolean's -X=VALUE reached */
};
/* Their table (cmd/globals.c), for main's and cmd_getopt's getopt_long
 * and for generate systemd, which reads a stored command line. */
extern const struct option cmd_globals[];
extern const size_t cmd_n_globals;
/* Whether arg is a global option ("--NAME") that takes its value as the
 * next argument. */
bool cmd_global_takes_value(const char *arg);
int cmd_getopt(struct cmd_ctx *ctx, int argc, char **argv, const char *shortopts, const struct option *longopts);
/* cmd_getopt that appends the arguments to *args at the end (-1). */
int cmd_getopt_mixed(struct cmd_ctx *ctx, int argc, char **argv, const char *shortopts, const struct option *longopts,
                     char ***args);
/* The usage error of an option of longopts that cmd_getopt returned as c
 * but this verb does not take (a table shared with another verb): "unknown
 * flag '--NAME'", as for one not in the table; the exit code. */
int cmd_getopt_refuse(struct cmd_ctx *ctx, const struct option *longopts, int c);
/* Prints the verb's usage to stdout. */
void cmd_print_usage(const char *verb);
/* Resolves the directories, enters the namespace and opens the state as
 * needs says. */
int cmd_prepare(struct cmd_ctx *ctx, unsigned needs, struct burrow_err **err);
/* cmd_prepare with the verb's needs from the table: a verb calls it once
 * its arguments are parsed and valid, so bad input writes nothing. */
int cmd_ready(struct cmd_ctx *ctx, struct burrow_err **err);

/* The flags pull and run share (cmd/pull.c): --platform, --os, --arch,
 * --variant, --tls-verify, --creds, --authfile, --cert-dir, --retry,
 * --retry-delay. */
enum {
	CMD_PULL_PLATFORM = 0x300,
	CMD_PULL_OS,
	CMD_PULL_ARCH,
	CMD_PULL_VARIANT,
	CMD_PULL_TLS_VERIFY,
	CMD_PULL_CREDS,
	CMD_PULL_AUTHFILE,
	CMD_PULL_CERT_DIR,
	CMD_PULL_RETRY,
	CMD_PULL_RETRY_DELAY,
};
// clang-format off
#define CMD_PULL_LONGOPTS \
	{"platform", required_argument, NULL, CMD_PULL_PLATFORM}, \
	{"os", required_argument, NULL, CMD_PULL_OS}, \
	{"arch", required_argument, NULL, CMD_PULL_ARCH}, \
	{"variant", required_argument, NULL, CMD_PULL_VARIANT}, \
	{"tls-verify", no_argument, NULL, CMD_PULL_TLS_VERIFY}, \
	{"creds", required_argument, NULL, CMD_PULL_CREDS}, \
	{"authfile", required_argument, NULL, CMD_PULL_AUTHFILE}, \
	{"cert-dir", required_argument, NULL, CMD_PULL_CERT_DIR}, \
	{"retry", required_argument, NULL, CMD_PULL_RETRY}, \
	{"retry-delay", required_argument, NULL, CMD_PULL_RETRY_DELAY}
// clang-format on
struct cmd_pull_view;
struct cmd_pull {
	struct img_pull_opts o;
	char *user, *pass; /* --creds */
	bool quiet;
	struct cmd_pull_view *view;
};
void cmd_pull_init(struct cmd_pull *p);
/* One of the flags above: 1 taken, 0 not one of them, -1 bad (said). */
int cmd_pull_option(struct cmd_ctx *ctx, int c, const char *arg, struct cmd_pull *p);
/* Checks the flags and ref before anything is touched; 0 or 125 (said). */
int cmd_pull_check(struct cmd_ctx *ctx, struct cmd_pull *p, const char *ref);
/* After cmd_ready: asks for a --creds password that was left out, takes
 * burrow.conf's [registries] settings, sets up the progress display. */
int cmd_pull_ready(struct cmd_ctx *ctx, struct cmd_pull *p, struct burrow_err **err);
int cmd_pull_image(struct cmd_pull *p, struct state_store *s, const char *ref, char **id, char **name,
                   struct burrow_err **err);
void cmd_pull_clear(struct cmd_pull *p);

/* verbs, and their usage after "Usage: burrow " (each beside its options) */
int cmd_info(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_info_usage[];
int cmd_version(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_version_usage[];
int cmd_unshare(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_unshare_usage[];
int cmd_system(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_system_usage[];
int cmd_update(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_update_usage[];
int cmd_generate(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_generate_usage[];
int cmd_import(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_import_usage[];
int cmd_load(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_load_usage[];
int cmd_save(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_push(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_commit(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_commit_usage[];
extern const char cmd_push_usage[];
extern const char cmd_save_usage[];
int cmd_images(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_images_usage[];
int cmd_run(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_run_usage[];
int cmd_exec(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_exec_usage[];
int cmd_ps(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_ps_usage[];
int cmd_rm(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_rm_usage[];
int cmd_pull(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_pull_usage[];
int cmd_login(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_login_usage[];
int cmd_logout(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_logout_usage[];
int cmd_image(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_image_usage[];
int cmd_create(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_create_usage[];
int cmd_start(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_start_usage[];
int cmd_init(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_init_usage[];
int cmd_attach(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_attach_usage[];
int cmd_port(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_port_usage[];
int cmd_stop(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_stop_usage[];
int cmd_kill(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_kill_usage[];
int cmd_healthcheck(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_healthcheck_usage[];
int cmd_wait(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_wait_usage[];
int cmd_restart(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_restart_usage[];
int cmd_pause(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_pause_usage[];
int cmd_unpause(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_unpause_usage[];
/* Seconds as stop -t and --stop-timeout take them (0 to 1 day): 0 or -1. */
int cmd_parse_seconds(const char *s, int *out);
int cmd_logs(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_logs_usage[];
int cmd_volume(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_volume_usage[];
int cmd_secret(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_secret_usage[];
int cmd_inspect(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_inspect_usage[];
int cmd_container(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_container_usage[];
int cmd_cp(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_cp_usage[];
int cmd_export(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_export_usage[];
int cmd_diff(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_diff_usage[];
int cmd_mount(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_mount_usage[];
int cmd_unmount(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_unmount_usage[];
int cmd_rename(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_rename_usage[];
/* version's Client object (podman's names), and Go's GOARCH name of this
 * machine (info shares them). */
yajl_val cmd_version_json(void);
const char *cmd_go_arch(void);
struct fmt_report;
/* The whole option loop of a verb whose only option is -f/--format and
 * which takes no argument (info, version; cmd/version.c): r->format set
 * (NULL when not given) and parsed (fmt_report_parse) and 0; or -1 with
 * *rc the verb's exit code (0 after --help, EXIT_BURROW after a usage
 * error or a bad --format, said). */
int cmd_format_only_options(struct cmd_ctx *ctx, int argc, char **argv, struct fmt_report *r, int *rc);
int cmd_top(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_top_usage[];
int cmd_events(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_events_usage[];
int cmd_stats(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_stats_usage[];

/* --preserve-fds N (exec's and run's): 0, or the exit code of a usage
 * error (said): not a number, or an fd of 3 .. 3+N-1 not open (checked
 * before burrow opens anything of its own: these are the caller's). */
int cmd_preserve_fds(struct cmd_ctx *ctx, const char *arg, int *n);

/* How run, start and attach attach to a container. */
struct cmd_attach {
	bool attach;             /* relay its stdio (else: start it and return) */
	bool want_stdin;         /* ... its stdin too (made with -i) */
	bool sig_proxy;          /* pass signals on */
	const char *detach_keys; /* NULL: the default */
	bool fresh;              /* run: the container was made for this start */
	unsigned streams;        /* run -a: the CMD_ATTACH_* shown (0: all) */
	int preserve_fds;        /* run --preserve-fds: the caller's fds 3 .. 3+n-1 passed on */
};
enum { CMD_ATTACH_STDIN = 1, CMD_ATTACH_STDOUT = 2, CMD_ATTACH_STDERR = 4 };
struct ctr_attached;
/* Starts (and attaches to) one container; returns the exit code: its own
 * when attached to its end, 0 once started or detached, 125/126/127 when
 * it could not be started (the error printed). */
int cmd_start_one(struct cmd_ctx *ctx, const char *ref, const struct cmd_attach *att);
/* Relays an attach channel (closed on return); the exit code as above. */
int cmd_relay(struct ctr_attached *ch, const struct cmd_attach *att);
/* The usage of an image subcommand with no verb of its own ("image
 * exists"), or NULL. */
const char *cmd_image_sub_usage(const char *verb);
int cmd_rmi(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_rmi_usage[];
int cmd_tag(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_tag_usage[];
int cmd_untag(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_untag_usage[];
int cmd_image_inspect(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_image_inspect_usage[];
int cmd_image_exists(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_image_exists_usage[];
int cmd_image_prune(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_image_prune_usage[];
int cmd_history(struct cmd_ctx *ctx, int argc, char **argv);
extern const char cmd_history_usage[];

/* The image ref names as `image inspect` shows it (a new tree); for the
 * inspect of containers to call when no container matches. Not found:
 * ENOENT. */
int cmd_inspect_image(struct cmd_ctx *ctx, const char *ref, yajl_val *out, struct burrow_err **err);
/* Marks the Go maps (json_is_map) of an image's Config parsed from its
 * JSON: Labels, Volumes, ExposedPorts (v1.ImageConfig's). */
void cmd_img_config_maps(yajl_val cfg);

/* Which containers use an image, for image/'s removals (cmd/rmi.c). */
extern const struct img_users cmd_image_users;

#endif
