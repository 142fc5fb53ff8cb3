/* burrow: the verb table and global options (git style). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "netns/ports.h"
#include "state/events.h"
#include "state/paths.h"
#include "state/state.h"
#include "userns/userns.h"

static const struct cmd_verb verbs[] = {
    {"info", cmd_info, NEED_USERNS, "show how burrow is set up here", cmd_info_usage},
    {"version", cmd_version, 0, "show burrow's version", cmd_version_usage},
    {"unshare", cmd_unshare, NEED_USERNS, "run a command inside burrow's user namespace", cmd_unshare_usage},
    {"system", cmd_system, 0, "manage burrow itself", cmd_system_usage},
    {"import", cmd_import, NEED_STATE, "import a root filesystem tarball as an image", cmd_import_usage},
    {"load", cmd_load, NEED_STATE, "load images from a docker-archive or oci-archive", cmd_load_usage},
    {"save", cmd_save, NEED_STATE, "save images to an archive", cmd_save_usage},
    {"commit", cmd_commit, NEED_STATE, "create a new image from a container's changes", cmd_commit_usage},
    {"push", cmd_push, NEED_STATE, "push an image to a registry or an archive", cmd_push_usage},
    {"pull", cmd_pull, NEED_STATE, "pull images from a registry", cmd_pull_usage},
    {"image", cmd_image, NEED_STATE, "manage images (pull, push, save, load, ls, rm, tag...)", cmd_image_usage},
    {"login", cmd_login, 0, "log in to a registry", cmd_login_usage},
    {"logout", cmd_logout, 0, "remove the credentials of a registry", cmd_logout_usage},
    {"images", cmd_images, NEED_STATE, "list images", cmd_images_usage},
    {"rmi", cmd_rmi, NEED_STATE, "remove images", cmd_rmi_usage},
    {"tag", cmd_tag, NEED_STATE, "add names to an image", cmd_tag_usage},
    {"untag", cmd_untag, NEED_STATE, "remove names from an image", cmd_untag_usage},
    {"history", cmd_history, NEED_STATE, "show the history of an image", cmd_history_usage},
    {"run", cmd_run, NEED_STATE | NEED_HOST_PORTS, "run a command in a new container", cmd_run_usage},
    {"create", cmd_create, NEED_STATE, "create a container without starting it", cmd_create_usage},
    {"start", cmd_start, NEED_STATE | NEED_HOST_PORTS, "start containers", cmd_start_usage},
    {"init", cmd_init, NEED_STATE | NEED_HOST_PORTS, "prepare containers to start, their commands waiting",
     cmd_init_usage},
    {"attach", cmd_attach, NEED_STATE, "attach to a running container", cmd_attach_usage},
    {"logs", cmd_logs, NEED_STATE, "show a container's output", cmd_logs_usage},
    {"exec", cmd_exec, NEED_STATE, "run a command in a running container", cmd_exec_usage},
    {"ps", cmd_ps, NEED_STATE, "list containers", cmd_ps_usage},
    {"port", cmd_port, NEED_STATE, "list a container's published ports", cmd_port_usage},
    {"stop", cmd_stop, NEED_STATE, "stop running containers", cmd_stop_usage},
    {"kill", cmd_kill, NEED_STATE, "send a signal to running containers", cmd_kill_usage},
    {"restart", cmd_restart, NEED_STATE | NEED_HOST_PORTS, "restart containers", cmd_restart_usage},
    {"pause", cmd_pause, NEED_STATE, "pause running containers", cmd_pause_usage},
    {"unpause", cmd_unpause, NEED_STATE, "unpause paused containers", cmd_unpause_usage},
    {"healthcheck", cmd_healthcheck, NEED_STATE, "run a container's healthcheck", cmd_healthcheck_usage},
    {"wait", cmd_wait, NEED_STATE, "wait for containers to stop and print their exit codes", cmd_wait_usage},
    {"rm", cmd_rm, NEED_STATE, "remove containers", cmd_rm_usage},
    {"volume", cmd_volume, NEED_STATE, "manage volumes", cmd_volume_usage},
    {"secret", cmd_secret, NEED_STATE, "manage secrets", cmd_secret_usage},
    {"inspect", cmd_inspect, NEED_STATE, "show details of containers and images", cmd_inspect_usage},
    {"cp", cmd_cp, NEED_STATE, "copy files between a container and the host", cmd_cp_usage},
    {"export", cmd_export, NEED_STATE, "write a container's filesystem as a tar", cmd_export_usage},
    {"diff", cmd_diff, NEED_STATE, "list the changes of a container's filesystem", cmd_diff_usage},
    {"mount", cmd_mount, NEED_STATE, "mount containers' root filesystems", cmd_mount_usage},
    {"unmount", cmd_unmount, NEED_STATE, "unmount containers' root filesystems", cmd_unmount_usage},
    {"umount", cmd_unmount, NEED_STATE, "as unmount", cmd_unmount_usage},
    {"rename", cmd_rename, NEED_STATE, "rename a container", cmd_rename_usage},
    {"top", cmd_top, NEED_STATE, "show the processes of a running container", cmd_top_usage},
    {"generate", cmd_generate, NEED_STATE, "generate systemd units", cmd_generate_usage},
    {"update", cmd_update, NEED_STATE, "change a container's settings", cmd_update_usage},
    {"events", cmd_events, 0, "show events of containers, images and volumes", cmd_events_usage},
    {"stats", cmd_stats, NEED_STATE, "show what containers use (CPU, memory, I/O, pids)", cmd_stats_usage},
    {"container", cmd_container, NEED_STATE, "manage containers (container ls, inspect, exists ...)",
     cmd_container_usage},
};

static const struct cmd_verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

unsigned cmd_verb_needs(const char *name)
{
	const struct cmd_verb *v = find_verb(name);
	return v ? v->needs : 0;
}

static void print_main_usage(FILE *f)
{
	fprintf(f, "Usage: burrow [GLOBAL OPTIONS] COMMAND [ARG...]\n\n"
	           "A rootless, daemonless container tool for one user.\n\n"
	           "Global options (before COMMAND, or after it among its options):\n"
	           "      --log-level LEVEL   error, warn (default), info or debug\n"
	           "      --root DIR          storage root (default $XDG_DATA_HOME/burrow)\n"
	           "      --runroot DIR       runtime dir (default $XDG_RUNTIME_DIR/burrow)\n"
	           "      --hooks-dir DIR     OCI hooks for the containers created (repeatable)\n"
	           "      --storage-driver D  overlay (the only one)\n"
	           "      --noout             no output on stdout\n"
	           "      --out FILE          standard output to FILE\n"
	           "      --cgroup-manager M, --events-backend B  accepted for podman's scripts\n"
	           "      --version           print the version (before COMMAND only)\n"
	           "      --help              print this help\n\n"
	           "Commands:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\nRun 'burrow COMMAND --help' for a command's options.\n");
}

void cmd_print_usage(const char *verb)
{
	const struct cmd_verb *v = find_verb(verb);
	const char *usage = v ? v->usage : cmd_image_sub_usage(verb);
	if (usage)
		printf("Usage: burrow %s", usage);
}

int cmd_usage_error(const struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (ctx && ctx->verb)
		fprintf(stderr, "burrow: %s: ", ctx->verb);
	else
		fprintf(stderr, "burrow: ");
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	char *line = str_escape_controls(m); /* one line, whatever an argument holds */
	fprintf(stderr, "%s\n", line);
	free(line);
	free(m);
	return EXIT_BURROW;
}

int cmd_fail(struct burrow_err *err)
{
	burrow_err_print(err);
	burrow_err_free(err);
	return EXIT_BURROW;
}

static int parse_log_level(const char *s)
{
	static const char *names[] = {"error", "warn", "info", "debug"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return BURROW_LOG_WARN;
	return -1;
}

/* A table for getopt_long: own (NULL: none), the global options, then
 * last. Freed by the caller. Own first: getopt_long takes the first entry
 * of a name, so a verb's own option of a global one's name would keep its
 * meaning (none has one: save's --output is not --out). */
static struct option *with_globals(const struct option *own, const struct option *last)
{
	size_t n = 0;
	while (own && own[n].name)
		n++;
	struct option *lo = xcalloc(n + cmd_n_globals + 2, sizeof(*lo));
	if (n) /* own may be NULL, which memcpy may not take even for 0 bytes */
		memcpy(lo, own, n * sizeof(*lo));
	memcpy(lo + n, cmd_globals, cmd_n_globals * sizeof(*lo));
	lo[n + cmd_n_globals] = *last;
	return lo;
}

/* The long option getopt_long took last (name, arg its value) as written
 * when it was an abbreviation (--ro for --root), else NULL: getopt_long
 * takes a unique one, podman's options never do. */
static const char *abbreviated(char **argv, const char *name, const char *arg)
{
	const char *a = argv[optind - 1];
	if (arg && arg == a && optind >= 2) /* --root DIR: the flag before it */
		a = argv[optind - 2];
	if (strncmp(a, "--", 2) != 0)
		return NULL;
	size_t n = strcspn(a + 2, "=");
	return strlen(name) == n && strncmp(a + 2, name, n) == 0 ? NULL : a;
}

/* Takes the global option c (name as given, arg its value, NULL when it
 * has none: --noout, a bare --remote) into ctx: 0, else the exit code
 * (the error said). */
static int global_opt(struct cmd_ctx *ctx, int c, const char *name, const char *arg)
{
	/* "" for none: no value is NULL below (the sanitizer build's gcc
	 * would see one reach printf's %s and stop) */
	arg = arg ? arg : "";
	switch (c) {
	case G_LOG_LEVEL: {
		int lvl = parse_log_level(arg);
		if (lvl < 0)
			return cmd_usage_error(ctx, "invalid --log-level '%s' (error, warn, info or debug)",
			                       str_quote(arg));
		burrow_log_level = lvl;
		return 0;
	}
	case G_ROOT:
		if (!*arg)
			return cmd_usage_error(ctx, "--root needs a directory");
		ctx->root_opt = arg;
		return 0;
	case G_RUNROOT:
		if (!*arg)
			return cmd_usage_error(ctx, "--runroot needs a directory");
		ctx->runroot_opt = arg;
		return 0;
	case G_HOOKS_DIR: {
		if (!*arg)
			return cmd_usage_error(ctx, "--hooks-dir needs a directory");
		char cwd[PATH_MAX];
		strv_append_take(&ctx->hooks_dirs, arg[0] == '/' || !getcwd(cwd, sizeof(cwd))
		                                       ? xstrdup(arg)
		                                       : xasprintf("%s/%s", cwd, arg));
		return 0;
	}
	case G_STORAGE_DRIVER:
		if (strcmp(arg, "overlay") != 0)
			return cmd_usage_error(ctx, "--storage-driver '%s': burrow's storage driver is overlay",
			                       str_quote(arg));
		return 0;
	case G_CGROUP_MANAGER:
		if (strcmp(arg, "systemd") != 0 && strcmp(arg, "cgroupfs") != 0)
			return cmd_usage_error(ctx, "invalid --cgroup-manager '%s' (systemd or cgroupfs)",
			                       str_quote(arg));
		burrow_debug("--cgroup-manager %s: accepted; burrow manages no cgroups", arg);
		return 0;
	case G_EVENTS_BACKEND:
		if (strcmp(arg, "file") != 0 && strcmp(arg, "journald") != 0 && strcmp(arg, "none") != 0)
			return cmd_usage_error(ctx, "invalid --events-backend '%s' (file, journald or none)",
			                       str_quote(arg));
		burrow_debug("--events-backend %s: accepted", arg);
		state_events_set(strcmp(arg, "none") != 0);
		return 0;
	case G_NOOUT:
	case G_OUT: {
		static const char devnull[] = "/dev/null";
		if (c == G_NOOUT && !ctx->flag_on) { /* --noout=false: --noout's own undone */
			ctx->out_path = ctx->out_path == devnull ? NULL : ctx->out_path;
			return 0;
		}
		const char *path = c == G_NOOUT ? devnull : arg;
		if (!*path)
			return cmd_usage_error(ctx, "--out needs a file");
		ctx->out_path = path; /* opened by out_open once the options are read */
		return 0;
	}
	default: {
		if (!ctx->flag_on) /* --remote=false: this machine's, as burrow is */
			return 0;
		struct burrow_err *err = NULL;
		burrow_error_status(&err, EINVAL,
		                    "--%s: burrow has no remote mode: it runs containers on this machine only", name);
		burrow_error_hint(&err, "run burrow on the machine itself (over ssh, for instance)");
		return cmd_fail(err);
	}
	}
}

/* Opens --out's file (the last one given) as stdout, once. */
static int out_open(struct cmd_ctx *ctx, struct burrow_err **err)
{
	const char *path = ctx->out_path;
	if (!path || ctx->out_later)
		return 0;
	ctx->out_path = NULL;
	/* O_CLOEXEC: no container or helper inherits it */
	if (!freopen(path, "we", stdout))
		return burrow_error(err, errno, "--out: cannot open '%s'", str_quote(path));
	return 0;
}

/* out_open for main's own answers (--version, --help, help): an exit
 * status, 0 when it went well. */
static int out_now(struct cmd_ctx *ctx)
{
	struct burrow_err *err = NULL;
	return out_open(ctx, &err) < 0 ? cmd_fail(err) : 0;
}

int cmd_getopt_mixed(struct cmd_ctx *ctx, int argc, char **argv, const char *shortopts, const struct option *longopts,
                     char ***args)
{
	int c = cmd_getopt(ctx, argc, argv, shortopts, longopts);
	if (c != -1)
		return c;
	while (optind < argc) /* getopt_long moved them after the options, in order */
		strv_append(args, argv[optind++]);
	return -1;
}

/* Go's strconv.ParseBool, which pflag reads a boolean's value with: 0 or -1. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0 || strcmp(s, no[i]) == 0) {
			*out = strcmp(s, yes[i]) == 0;
			return 0;
		}
	}
	return -1;
}

/* Whether c is a short flag of shortopts that takes no value: a boolean. */
static bool short_bool(const char *shortopts, int c)
{
	const char *p = c > 0 && c != ':' && c != '+' ? strchr(shortopts, c) : NULL;
	return p && p[1] != ':';
}

/* pflag's -X=VALUE for a boolean short flag X (-d=false; -it=false is -i,
 * then -t=false), which getopt_long cannot read (X takes no value): before
 * the parse, each such element is swapped for a stand-in, "--" and the
 * name of a long option of cmd_getopt's own (SHORT_EQ), and put back
 * when getopt_long reaches it, or at the end (argv is also the create
 * command that run stores); cmd_getopt then takes the element's flags
 * one at each call from pending. */
#define SHORT_EQ "\x01short"
static struct short_eq {
	struct {
		char *stand_in, *element;
	} * swapped;
	size_t n;
	const char *pending; /* the flags of the element reached, not yet taken */
} short_eq;

static void short_eq_swap(int argc, char **argv, const char *shortopts)
{
	/* past a "--" too: it may be a flag's value (-e --, pflag's), after
	 * which the options go on; after one that ends them, getopt_long
	 * reads none, and the restore puts each element back */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		if (a[0] != '-' || a[1] == '-' || !eq || eq == a + 1)
			continue;
		const char *p = a + 1;
		while (p < eq && short_bool(shortopts, (unsigned char)*p))
			p++;
		if (p < eq) /* a flag that takes a value (-e=A=b): getopt_long's */
			continue;
		short_eq.swapped = xrealloc(short_eq.swapped, (short_eq.n + 1) * sizeof(*short_eq.swapped));
		short_eq.swapped[short_eq.n].stand_in = xstrdup("--" SHORT_EQ);
		short_eq.swapped[short_eq.n++].element = argv[i];
		argv[i] = short_eq.swapped[short_eq.n - 1].stand_in;
	}
}

/* The element a stand-in replaced, or s itself. */
static char *short_eq_element(char *s)
{
	for (size_t i = 0; i < short_eq.n; i++)
		if (short_eq.swapped[i].stand_in == s)
			return short_eq.swapped[i].element;
	return s;
}

/* Every element put back (the parse ended). */
static void short_eq_restore(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		argv[i] = short_eq_element(argv[i]);
	for (size_t i = 0; i < short_eq.n; i++)
		free(short_eq.swapped[i].stand_in);
	free(short_eq.swapped);
	short_eq = (struct short_eq){0};
}

/* The next flag of the element reached (short_eq.pending), with its
 * value into ctx->flag_on; -1 after an error (said). */
static int short_eq_next(struct cmd_ctx *ctx)
{
	const char *p = short_eq.pending;
	int c = (unsigned char)*p;
	ctx->flag_on = true;
	short_eq.pending = p[1] && p[1] != '=' ? p + 1 : NULL;
	if (p[1] == '=' && parse_bool(p + 2, &ctx->flag_on) < 0) {
		cmd_usage_error(ctx, "invalid -%c '%s' (true or false)", c, str_quote(p + 2));
		return -1;
	}
	return c;
}

/* with_globals' table for next_flag: a flag that takes no value is a
 * boolean, which takes one after '=' (pflag's --rm=false; --help=false
 * too, which is no --help); then, when shortopts has a boolean, the
 * stand-in of SHORT_EQ. (*is_bool)[i]: whether the table's entry i is a
 * boolean. Both freed by the caller. */
static struct option *flag_table(const struct option *own, const struct option *last, const char *shortopts,
                                 bool **is_bool)
{
	struct option *lo = with_globals(own, last);
	size_t n = 0;
	while (lo[n].name)
		n++;
	*is_bool = xcalloc(n + 2, sizeof(**is_bool));
	for (size_t i = 0; i < n; i++)
		if (lo[i].has_arg == no_argument) {
			lo[i].has_arg = optional_argument;
			(*is_bool)[i] = true;
		}
	bool shorts = false;
	for (const char *p = shortopts; *p && !shorts; p++)
		shorts = short_bool(shortopts, (unsigned char)*p);
	if (shorts) {
		lo = xrealloc(lo, (n + 2) * sizeof(*lo));
		lo[n] = (struct option){SHORT_EQ, no_argument, NULL, CMD_OPT_SHORT_EQ};
		lo[n + 1] = (struct option){0, 0, 0, 0};
	}
	return lo;
}

/* getopt_long's next flag, a boolean's value (--rm=false, -d=0: pflag's)
 * read into ctx->flag_on; CMD_OPT_GLOBAL_ERR after an error (said). */
static int next_flag(struct cmd_ctx *ctx, int argc, char **argv, const char *so, const struct option *lo,
                     const bool *is_bool, int *idx)
{
	*idx = -1;
	if (short_eq.pending) {
		optarg = NULL;
		int c = short_eq_next(ctx);
		return c < 0 ? CMD_OPT_GLOBAL_ERR : c;
	}
	int c = getopt_long(argc, argv, so, lo, idx);
	if (c == -1)
		return c;
	if (optarg)
		optarg = short_eq_element(optarg); /* the value of the flag before: -e -d=1 */
	argv[optind - 1] = short_eq_element(argv[optind - 1]);
	if (c == CMD_OPT_SHORT_EQ) {
		short_eq.pending = argv[optind - 1] + 1;
		return next_flag(ctx, argc, argv, so, lo, is_bool, idx);
	}
	ctx->flag_on = true;
	if (*idx >= 0 && is_bool[*idx] && optarg && parse_bool(optarg, &ctx->flag_on) < 0) {
		cmd_usage_error(ctx, "invalid --%s '%s' (true or false)", lo[*idx].name, str_quote(optarg));
		return CMD_OPT_GLOBAL_ERR;
	}
	return c;
}

/* --help's last value in the parse (pflag's: the last one wins, --help
 * --help=false runs the command): the usage is printed when the options
 * end, after every flag was read (an unknown one is an error first, as
 * podman's) */
static bool help_asked;

int cmd_getopt(struct cmd_ctx *ctx, int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	/* ':' to see missing args; a leading '+' stops at the first argument
	 * (IMAGE, COMMAND), else getopt_long moves the arguments after the
	 * options (and after "--"), so options may follow names as in podman */
	bool ordered = shortopts[0] == '+';
	cleanup_free char *so = NULL;
	if (asprintf(&so, "%s:%s", ordered ? "+" : "", shortopts + ordered) < 0)
		abort();
	if (optind == 0) { /* a parse begins */
		short_eq_swap(argc, argv, shortopts + ordered);
		help_asked = ctx->sub_help; /* the family's (container --help ls) */
		ctx->sub_help = false;
	}
	/* the verb's, the global ones (taken here, as before the verb), --help,
	 * the stand-in of a short boolean's -X=VALUE */
	static const struct option help = {"help", no_argument, NULL, 0x100}; /* tools/doccheck-optdump.c knows it */
	cleanup_free bool *is_bool = NULL;
	struct option *lo = flag_table(longopts, &help, shortopts + ordered, &is_bool);
	opterr = 0;
	/* POSIXLY_CORRECT would make getopt_long stop at the first argument:
	 * podman's options mix with names whatever the environment says */
	cleanup_free char *posix = ordered || !getenv("POSIXLY_CORRECT") ? NULL : xstrdup(getenv("POSIXLY_CORRECT"));
	if (posix)
		unsetenv("POSIXLY_CORRECT");
	int c, idx = -1;
	while ((c = next_flag(ctx, argc, argv, so, lo, is_bool, &idx)) == 0x100 ||
	       (c >= CMD_OPT_GLOBAL && c <= G_LAST)) {
		if (c == 0x100) {
			help_asked = ctx->flag_on;
			continue;
		}
		/* a global option whole only; the verb's own keep getopt's ways */
		const char *ab = abbreviated(argv, lo[idx].name, optarg);
		if (ab)
			cmd_usage_error(ctx, "unknown flag '%s'", str_quote(ab));
		if (ab || global_opt(ctx, c, lo[idx].name, is_bool[idx] ? NULL : optarg) != 0) {
			c = CMD_OPT_GLOBAL_ERR;
			break;
		}
	}
	if (posix)
		setenv("POSIXLY_CORRECT", posix, 1);
	free(lo);
	/* before a subcommand (cmd_sub_run's parse, which stops at it), the
	 * help is the subcommand's, once its own options are read too, as
	 * podman's container --help ls */
	if (c == -1 && help_asked && ctx->out_later && optind < argc)
		ctx->sub_help = true;
	else if (c == -1 && help_asked)
		c = 0x100;
	struct burrow_err *err = NULL;
	if (c == 0x100) /* --help: no subcommand's parse follows */
		ctx->out_later = false;
	/* every option read, or --help: --out's last file, for the usage too */
	if ((c == -1 || c == 0x100) && out_open(ctx, &err) < 0) {
		cmd_fail(err);
		c = CMD_OPT_GLOBAL_ERR;
	}
	if (c == -1 || c == 0x100 || c == CMD_OPT_GLOBAL_ERR || c == '?' || c == ':')
		short_eq_restore(argc, argv);
	if (c == CMD_OPT_GLOBAL_ERR) /* said */
		return CMD_OPT_ERR;
	if (c == 0x100) {
		cmd_print_usage(ctx->verb);
		return CMD_OPT_HELP;
	}
	if (c == '?') {
		const char *bad = argv[optind - 1];
		if (optopt)
			cmd_usage_error(ctx, "unknown flag '-%c'", optopt);
		else
			cmd_usage_error(ctx, "unknown flag '%s'", str_quote(bad));
		return CMD_OPT_ERR;
	}
	if (c == ':') {
		const char *bad = argv[optind - 1];
		if (optopt && strncmp(bad, "--", 2) != 0)
			cmd_usage_error(ctx, "flag '-%c' needs a value", optopt);
		else
			cmd_usage_error(ctx, "flag '%s' needs a value", str_quote(bad));
		return CMD_OPT_ERR;
	}
	/* a short flag's value written on to it after '=' (-e=A=b, -p=80:80):
	 * the value is what follows the '=', as podman's */
	if (optarg && optarg[0] == '=' && optind >= 1) {
		const char *el = argv[optind - 1];
		if (el[0] == '-' && el[1] != '-' && optarg > el && optarg < el + strlen(el))
			optarg++;
	}
	return c;
}

int cmd_getopt_refuse(struct cmd_ctx *ctx, const struct option *longopts, int c)
{
	for (const struct option *o = longopts; o && o->name; o++)
		if (o->val == c && !o->flag)
			return cmd_usage_error(ctx, "unknown flag '--%s'", o->name);
	return cmd_usage_error(ctx, "unknown flag");
}

/* A directory from its flag, else burrow.conf, else the environment (what
 * resolver does without an override); *source says which. */
static int resolve_dir(int (*resolver)(const char *, char **, char **, struct burrow_err **), const char *flag,
                       const char *conf, const char *conf_label, char **out, char **source, struct burrow_err **err)
{
	const char *from_conf = flag ? NULL : conf;
	if (resolver(from_conf ? from_conf : flag, out, source, err) < 0)
		return -1;
	if (from_conf) {
		free(*source);
		*source = xstrdup(conf_label);
	}
	return 0;
}

int cmd_prepare(struct cmd_ctx *ctx, unsigned needs, struct burrow_err **err)
{
	if (needs & NEED_STATE)
		needs |= NEED_USERNS;
	if (out_open(ctx, err) < 0) /* a verb that read no options */
		return -1;
	if (!ctx->settings_loaded) {
		if (cmd_settings_load(&ctx->settings, err) < 0)
			return -1;
		ctx->settings_loaded = true;
	}
	trace_mark("settings");
	if (!ctx->runroot && resolve_dir(userns_runroot, ctx->runroot_opt, ctx->settings.runroot,
	                                 "burrow.conf storage.runroot", &ctx->runroot, &ctx->runroot_source, err) < 0)
		return -1;
	if (!ctx->root && resolve_dir(state_root_resolve, ctx->root_opt, ctx->settings.root, "burrow.conf storage.root",
	                              &ctx->root, &ctx->root_source, err) < 0)
		return -1;
	/* before the join, while root still has its privileges */
	if (needs & NEED_HOST_PORTS) {
		if (netns_binder_start(err) < 0)
			return -1;
		trace_mark("binder");
	}
	if (needs & NEED_USERNS) {
		/* what the namespace must see as we do */
		struct userns_path seen[2];
		userns_path_note(&seen[0], "storage root", ctx->root);
		userns_path_note(&seen[1], "runtime dir", ctx->runroot);
		if (userns_enter(ctx->runroot, err) < 0 || userns_path_check(&seen[0], err) < 0 ||
		    userns_path_check(&seen[1], err) < 0)
			return -1;
		trace_mark("userns joined");
	}
	if ((needs & NEED_STATE) && !ctx->state) {
		if (state_open(ctx->root, ctx->runroot, &ctx->state, err) < 0)
			return -1;
		trace_mark("state open");
		if (state_needs_refresh(ctx->state) && ctr_refresh(ctx->state, err) < 0)
			return -1;
		/* private whatever the root's own mode is */
		if (ctr_storage_private(ctx->root, err) < 0)
			return -1;
		trace_mark("storage private");
	}
	return 0;
}

int cmd_ready(struct cmd_ctx *ctx, struct burrow_err **err)
{
	return cmd_prepare(ctx, ctx->needs, err);
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx = {0};
	trace_mark("main");
	/* main's own and the global options (podman's --version is main's only) */
	static const struct option own[] = {
	    {"version", no_argument, NULL, 'v'},
	    {0, 0, 0, 0},
	};
	static const struct option help = {"help", no_argument, NULL, 'H'};
	cleanup_free bool *is_bool = NULL;
	cleanup_free struct option *opts = flag_table(own, &help, "", &is_bool);
	opterr = 0;
	int c, idx = 0, r;
	bool help_on = false;
	while ((c = next_flag(&ctx, argc, argv, "+:", opts, is_bool, &idx)) != -1) {
		const char *ab =
		    c != ':' && c != '?' && c != CMD_OPT_GLOBAL_ERR ? abbreviated(argv, opts[idx].name, optarg) : NULL;
		if (ab)
			return cmd_usage_error(NULL, "unknown flag '%s'", str_quote(ab));
		switch (c) {
		case 'v':
			if (!ctx.flag_on) /* --version=false */
				break;
			if ((r = out_now(&ctx)) != 0)
				return r;
			printf("burrow version %s\n", BURROW_VERSION);
			return 0;
		case 'H': /* the last one wins: --help --help=false runs the command */
			help_on = ctx.flag_on;
			break;
		case CMD_OPT_GLOBAL_ERR: /* said */
			return EXIT_BURROW;
		case ':':
			return cmd_usage_error(NULL, "flag '%s' needs a value", str_quote(argv[optind - 1]));
		case '?':
			return cmd_usage_error(NULL, "unknown flag '%s'", str_quote(argv[optind - 1]));
		default:
			if ((r = global_opt(&ctx, c, opts[idx].name, is_bool[idx] ? NULL : optarg)) != 0)
				return r;
		}
	}
	if (optind >= argc && !help_on) {
		print_main_usage(stderr);
		return EXIT_BURROW;
	}
	/* --help before a command is its help (podman's), as help COMMAND */
	const char *name = help_on ? "help" : argv[optind];
	int at = help_on ? optind - 1 : optind; /* where "help" is, in effect */
	if (strcmp(name, "help") == 0) {
		if ((r = out_now(&ctx)) != 0)
			return r;
		if (at + 1 < argc && find_verb(argv[at + 1])) {
			cmd_print_usage(argv[at + 1]);
			return 0;
		}
		print_main_usage(stdout);
		return 0;
	}
	const struct cmd_verb *v = find_verb(name);
	if (!v)
		return cmd_usage_error(NULL, "unknown command '%s' (see 'burrow --help')", str_quote(name));
	ctx.verb = v->name;
	ctx.needs = v->needs;
	ctx.argv = argv;
	int vargc = argc - optind;
	char **vargv = argv + optind;
	optind = 0; /* getopt_long starts afresh: the verb's own ordering (cmd_getopt) */
	int rc = v->fn(&ctx, vargc, vargv);
	trace_mark("verb done");
	netns_binder_close();
	if (ctx.state)
		state_close(ctx.state);
	free(ctx.root);
	free(ctx.root_source);
	free(ctx.runroot);
	strv_free(ctx.hooks_dirs);
	free(ctx.runroot_source);
	cmd_settings_clear(&ctx.settings);
	return rc;
}
