/* Verb families with subcommands (see family.h). */
#include "cmd/family.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"

int cmd_sub_opt_end(int c, const char *usage)
{
	if (c == CMD_OPT_HELP) {
		printf("Usage: burrow %s", usage);
		return 0;
	}
	return EXIT_BURROW;
}

int cmd_tar_out_opts(struct cmd_ctx *ctx, int argc, char **argv, const char *usage, const char *what,
                     const char **output, char ***args)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {0, 0, 0, 0},
	};
	*output = NULL;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "o:", longopts, args)) != -1) {
		if (c != 'o')
			return usage ? cmd_sub_opt_end(c, usage) : c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
		*output = optarg;
		if (!**output)
			return cmd_usage_error(ctx, "must provide valid path for file to write to");
	}
	if (strv_len(*args) != 1)
		return cmd_usage_error(ctx, "takes exactly one %s", what);
	return -1;
}

int cmd_sub_ls_opts(struct cmd_ctx *ctx, int argc, char **argv, const char *usage, const char *quiet_format,
                    struct fmt_report *rep, char ***filters)
{
	enum { OPT_FORMAT = 0x200 };
	static const struct option longopts[] = {
	    {"filter", required_argument, NULL, 'f'},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"noheading", no_argument, NULL, 'n'},
	    {"quiet", no_argument, NULL, 'q'},
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL;
	bool quiet = false;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "f:nq", longopts, &args)) != -1) {
		switch (c) {
		case 'f':
			strv_append(filters, optarg);
			break;
		case OPT_FORMAT:
			rep->format = optarg;
			break;
		case 'n':
			rep->noheading = ctx->flag_on;
			break;
		case 'q':
			quiet = ctx->flag_on;
			break;
		default:
			return cmd_sub_opt_end(c, usage);
		}
	}
	if (args)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(args[0]));
	if (quiet && rep->format)
		return cmd_usage_error(ctx, "quiet and format flags cannot be used together");
	if (quiet)
		rep->format = quiet_format;
	return -1;
}

static int rm_severity(int code)
{
	return code == EXIT_BURROW ? 256 : code;
}

int cmd_sub_rm_each(char *const *refs, cmd_sub_rm_fn rm, void *data)
{
	int rc = 0;
	for (char *const *p = refs; p && *p; p++) {
		cleanup_free char *out = NULL;
		struct burrow_err *err = NULL;
		int code = rm(*p, &out, &err, data);
		if (code == 0 && !err) {
			printf("%s\n", out);
			fflush(stdout);
			continue;
		}
		if (code)
			burrow_err_print(err);
		burrow_err_free(err);
		if (rm_severity(code) > rm_severity(rc))
			rc = code;
	}
	return rc;
}

int cmd_sub_missing(struct burrow_err **missing, size_t n, int rc)
{
	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		burrow_err_print(missing[i]);
		burrow_err_free(missing[i]);
		rc = EXIT_BURROW;
	}
	free(missing);
	return rc;
}
