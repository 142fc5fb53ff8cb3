/* burrow mount, unmount (umount), rename, top (container/tools.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "cmd/tabwriter.h"
#include "container/container.h"
#include "container/tools.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"

const char cmd_mount_usage[] = "mount [OPTIONS] [CONTAINER...]\n\n"
                               "Mounts containers' root filesystems and prints where; without a\n"
                               "container, lists the mounted ones. The mounts are in burrow's\n"
                               "namespaces: use them inside 'burrow unshare'.\n\n"
                               "  -a, --all           mount every container\n"
                               "      --format json   list as JSON\n"
                               "  -l, --latest        mount the last created container\n"
                               "      --no-trunc      list full IDs\n";

static int list_mounts(struct cmd_ctx *ctx, bool json, bool notrunc)
{
	struct burrow_err *err = NULL;
	struct ctr_listing *l = NULL;
	size_t n = 0;
	if (ctr_list(ctx->state, true, &l, &n, &err) < 0)
		return cmd_fail(err);
	yajl_gen g = json ? json_gen_new() : NULL;
	if (g)
		jg_array_open(g);
	for (size_t i = 0; i < n; i++) {
		if (!l[i].run.mountpoint)
			continue;
		if (g) {
			jg_map_open(g);
			jg_key_str(g, "ID", l[i].cfg.id);
			char *names[] = {l[i].cfg.name, NULL};
			jg_key_strv(g, "Names", names);
			jg_key_str(g, "Mountpoint", l[i].run.mountpoint);
			jg_map_close(g);
		} else {
			printf("%.*s %s\n", notrunc ? 64 : 12, l[i].cfg.id, l[i].run.mountpoint);
		}
	}
	if (g) {
		jg_array_close(g);
		cleanup_free char *text = json_gen_finish(g);
		printf("%s\n", text);
	}
	ctr_listing_free(l, n);
	return 0;
}

/* The names of every container (-a). */
static int all_names(struct cmd_ctx *ctx, bool mounted_only, char ***out, struct burrow_err **err)
{
	struct ctr_listing *l = NULL;
	size_t n = 0;
	if (ctr_list(ctx->state, true, &l, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!mounted_only || (l[i].run.mountpoint && l[i].run.mount_count > 0))
			strv_append(out, l[i].cfg.id);
	ctr_listing_free(l, n);
	return 0;
}

int cmd_mount(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_FORMAT = 0x200, OPT_NOTRUNC };
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"no-trunc", no_argument, NULL, OPT_NOTRUNC},
	    CMD_REFS_LATEST_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL;
	bool all = false, json = false, notrunc = false, latest = false;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "al", longopts, &args)) != -1) {
		switch (c) {
		case 'l':
			latest = ctx->flag_on;
			break;
		case 'a':
			all = ctx->flag_on;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") != 0)
				return cmd_usage_error(ctx, "invalid --format '%s': the only valid format is json",
				                       str_quote(optarg));
			json = true;
			break;
		case OPT_NOTRUNC:
			notrunc = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (all && strv_len(args))
		return cmd_usage_error(ctx, "--all and containers cannot be given together");
	if (latest && (all || strv_len(args)))
		return cmd_usage_error(ctx, "--latest and containers cannot be used together");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	if (latest) {
		char *id = NULL;
		if (cmd_latest(ctx, &id, &err) < 0)
			return cmd_fail(err);
		strv_append_take(&args, id);
	}
	if (!all && !strv_len(args))
		return list_mounts(ctx, json, notrunc);
	if (all && all_names(ctx, false, &args, &err) < 0)
		return cmd_fail(err);
	int rc = 0;
	for (size_t i = 0; args && args[i]; i++) {
		cleanup_free char *path = NULL;
		if (ctr_mount(ctx->state, &ctx->settings.engine, args[i], &path, &err) < 0) {
			rc = cmd_fail(steal_ptr(err));
			continue;
		}
		printf("%s\n", path);
	}
	return rc;
}

const char cmd_unmount_usage[] = "unmount [OPTIONS] CONTAINER...\n\n"
                                 "Unmounts containers' root filesystems once no 'burrow mount' holds them\n"
                                 "(a running container's stays mounted while it runs). Prints each ID.\n\n"
                                 "  -a, --all     unmount every mounted container\n"
                                 "  -f, --force   unmount even if mounted more than once\n"
                                 "  -l, --latest  the last created container\n";

int cmd_unmount(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"force", no_argument, NULL, 'f'},
	    CMD_REFS_LATEST_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL;
	bool all = false, force = false, latest = false;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "afl", longopts, &args)) != -1) {
		switch (c) {
		case 'a':
			all = ctx->flag_on;
			break;
		case 'l':
			latest = ctx->flag_on;
			break;
		case 'f':
			force = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (all && strv_len(args))
		return cmd_usage_error(ctx, "--all and containers cannot be given together");
	if (latest && (all || strv_len(args)))
		return cmd_usage_error(ctx, "--latest and containers cannot be used together");
	if (!all && !latest && !strv_len(args))
		return cmd_usage_error(ctx, "give at least one container, or --all");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	if (all && all_names(ctx, true, &args, &err) < 0)
		return cmd_fail(err);
	if (latest) {
		char *id = NULL;
		if (cmd_latest(ctx, &id, &err) < 0)
			return cmd_fail(err);
		strv_append_take(&args, id);
	}
	int rc = 0;
	for (size_t i = 0; args && args[i]; i++) {
		cleanup_free char *id = NULL;
		if (ctr_unmount(ctx->state, args[i], force, &id, &err) < 0) {
			rc = cmd_fail(steal_ptr(err));
			continue;
		}
		printf("%s\n", id);
	}
	return rc;
}

const char cmd_rename_usage[] = "rename CONTAINER NEWNAME\n\n"
                                "Gives a container a new name (letters, digits, '_', '.' and '-').\n";

int cmd_rename(struct cmd_ctx *ctx, int argc, char **argv)
{
	cleanup_strv char **args = NULL;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "", NULL, &args)) != -1)
		return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	if (strv_len(args) != 2)
		return cmd_usage_error(ctx, "takes a container and its new name");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0 || ctr_rename(ctx->state, args[0], args[1], &err) < 0)
		return cmd_fail(err);
	return 0;
}

const char cmd_top_usage[] = "top CONTAINER [DESCRIPTOR...]\n"
                             "top -l|--latest [DESCRIPTOR...]   (the last created container)\n\n"
                             "Lists the processes of a running container. Descriptors (podman's):\n"
                             "pid ppid user group args comm etime time pcpu vsz rss nice tty stat,\n"
                             "ruser rgroup pgid capamb capbnd capeff capinh capprm hpid huser hgroup\n"
                             "label seccomp state stime, or AIX-style %p %P %U %G %a %c %t %x %C %z\n"
                             "%n %y %u %g %r. Default: user pid ppid pcpu etime tty time args.\n"
                             "Anything else is ps(1)'s: ps runs in the container with it.\n";

/* top with ps(1)'s options or descriptors burrow does not know: ps with
 * them, run in the container (its output as ps prints it); 125 when it
 * fails */
static int top_ps(struct cmd_ctx *ctx, const char *ref, char **args)
{
	cleanup_strv char **cmd = NULL;
	strv_append(&cmd, "ps");
	for (size_t i = 0; args[i]; i++)
		strv_append(&cmd, args[i]);
	struct ctr_exec_opts o = {.cmd = cmd};
	int code = EXIT_BURROW;
	struct burrow_err *err = NULL;
	if (ctr_exec(ctx->state, ref, &o, &code, &err) < 0)
		return cmd_fail(err);
	if (code != 0) {
		burrow_error(&err, 0, "executing ps(1) in the container: it exited with %d", code);
		return cmd_fail(err);
	}
	return 0;
}

int cmd_top(struct cmd_ctx *ctx, int argc, char **argv)
{
	/* descriptors look like options (%C is not, -o would be): only --help */
	if (ctx->sub_help || (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))) {
		ctx->sub_help = false; /* container --help top */
		cmd_print_usage("top");
		return 0;
	}
	if (argc < 2)
		return cmd_usage_error(ctx, "a container is required");
	/* -l, --latest in the container's place */
	bool latest = strcmp(argv[1], "-l") == 0 || strcmp(argv[1], "--latest") == 0;
	struct burrow_err *err = NULL;
	int *d = NULL;
	size_t nd = 0;
	/* what is not a descriptor is ps(1)'s: run in the container, as podman */
	bool ps = ctr_top_descriptors(argv + 2, &d, &nd, &err) < 0;
	burrow_err_free(steal_ptr(err));
	free(d);
	cleanup_strv char **lines = NULL;
	cleanup_free char *id = NULL;
	if (cmd_ready(ctx, &err) < 0 || (latest && cmd_latest(ctx, &id, &err) < 0))
		return cmd_fail(err);
	if (ps)
		return top_ps(ctx, latest ? id : argv[1], argv + 2);
	if (ctr_top(ctx->state, latest ? id : argv[1], argv + 2, &lines, &err) < 0)
		return cmd_fail(err);
	struct fmt_buf in = {0}, out = {0};
	for (size_t i = 0; lines && lines[i]; i++) {
		fmt_buf_puts(&in, lines[i]);
		fmt_buf_puts(&in, "\n");
	}
	fmt_table_align(in.s ? in.s : "", in.len, FMT_TABLE_MINWIDTH, FMT_TABLE_PADDING, &out);
	if (out.len)
		fwrite(out.s, 1, out.len, stdout);
	fmt_buf_free(&in);
	fmt_buf_free(&out);
	return 0;
}
