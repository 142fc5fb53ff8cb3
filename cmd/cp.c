/* burrow cp, export, diff: a container's files (container/tools.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "cmd/family.h"
#include "container/tools.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"

const char cmd_cp_usage[] = "cp [OPTIONS] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH\n\n"
                            "Copies files and directories between a container and the host (- for a\n"
                            "tar stream on standard input or output), or between two containers.\n"
                            "A host path with a ':' starts with / or ./.\n\n"
                            "  -a, --archive         files copied into a container belong to its user (default true)\n"
                            "      --overwrite       let a directory replace a non-directory and the other way round\n";

/* "CTR:PATH" is a container's path unless what is before the ':' looks
 * like a host path (podman's rule: it starts with / or .). */
static void split_end(char *arg, struct ctr_cp_end *e)
{
	char *colon = strchr(arg, ':');
	if (!colon || arg[0] == '/' || arg[0] == '.' || colon == arg) {
		*e = (struct ctr_cp_end){.path = arg};
		return;
	}
	*colon = '\0';
	*e = (struct ctr_cp_end){.ctr = arg, .path = colon + 1};
}

int cmd_cp(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_OVERWRITE = 0x200 };
	static const struct option longopts[] = {
	    {"archive", no_argument, NULL, 'a'},
	    {"overwrite", no_argument, NULL, OPT_OVERWRITE},
	    {0, 0, 0, 0},
	};
	struct ctr_cp_opts o = {.eng = &ctx->settings.engine, .archive = true};
	cleanup_strv char **args = NULL;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "a", longopts, &args)) != -1) {
		switch (c) {
		case 'a':
			o.archive = ctx->flag_on;
			break;
		case OPT_OVERWRITE:
			o.overwrite = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (strv_len(args) != 2)
		return cmd_usage_error(ctx, "takes a source and a destination (see 'burrow cp --help')");
	split_end(args[0], &o.src);
	split_end(args[1], &o.dst);
	if (!*o.src.path || !*o.dst.path)
		return cmd_usage_error(ctx, "a path may not be empty");
	if (!o.src.ctr && !o.dst.ctr)
		return cmd_usage_error(ctx, "copying from the host to the host is not supported: one path must be "
		                            "CONTAINER:PATH");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0 || ctr_cp(ctx->state, &o, &err) < 0)
		return cmd_fail(err);
	return 0;
}

const char cmd_export_usage[] = "export [OPTIONS] CONTAINER\n\n"
                                "Writes a container's filesystem as a tar (to standard output unless -o).\n\n"
                                "  -o, --output FILE   write to FILE\n";

int cmd_export(struct cmd_ctx *ctx, int argc, char **argv)
{
	cleanup_strv char **args = NULL;
	const char *output = NULL;
	int rc = cmd_tar_out_opts(ctx, argc, argv, NULL, "container", &output, &args);
	if (rc >= 0)
		return rc;
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0 || ctr_export(ctx->state, &ctx->settings.engine, args[0], output, &err) < 0)
		return cmd_fail(err);
	return 0;
}

const char cmd_diff_usage[] = "diff [OPTIONS] CONTAINER\n\n"
                              "Lists what changed in a container's filesystem against its image:\n"
                              "A added, C changed, D deleted.\n\n"
                              "      --format json   as a JSON object of changed, added and deleted paths\n"
                              "  -l, --latest        the last created container\n";

static void json_kind(yajl_gen g, const char *key, char kind, const struct ctr_change *ch, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += ch[i].kind == kind;
	if (!count)
		return;
	jg_str(g, key);
	jg_array_open(g);
	for (size_t i = 0; i < n; i++)
		if (ch[i].kind == kind)
			jg_str(g, ch[i].path);
	jg_array_close(g);
}

int cmd_diff(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_FORMAT = 0x200 };
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, OPT_FORMAT},
	    CMD_REFS_LATEST_LONGOPT,
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL;
	bool json = false, latest = false;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "l", longopts, &args)) != -1) {
		if (c == CMD_OPT_HELP)
			return 0;
		if (c == 'l') {
			latest = ctx->flag_on;
			continue;
		}
		if (c != OPT_FORMAT)
			return EXIT_BURROW;
		if (strcmp(optarg, "json") != 0)
			return cmd_usage_error(ctx, "invalid --format '%s': the only valid format is json",
			                       str_quote(optarg));
		json = true;
	}
	if (strv_len(args) != (latest ? 0 : 1))
		return cmd_usage_error(ctx, latest ? "--latest and containers cannot be used together"
		                                   : "takes exactly one container");
	struct burrow_err *err = NULL;
	struct ctr_change *ch = NULL;
	size_t n = 0;
	cleanup_free char *id = NULL;
	if (cmd_ready(ctx, &err) < 0 || (latest && cmd_latest(ctx, &id, &err) < 0) ||
	    ctr_diff(ctx->state, latest ? id : args[0], &ch, &n, &err) < 0)
		return cmd_fail(err);
	if (json) {
		yajl_gen g = json_gen_new();
		jg_map_open(g);
		json_kind(g, "changed", 'C', ch, n);
		json_kind(g, "added", 'A', ch, n);
		json_kind(g, "deleted", 'D', ch, n);
		jg_map_close(g);
		cleanup_free char *text = json_gen_finish(g);
		printf("%s\n", text);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%c %s\n", ch[i].kind, ch[i].path);
	}
	ctr_changes_free(ch, n);
	return 0;
}
