/* burrow load [-i FILE] [-q] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "state/events.h"

const char cmd_load_usage[] = "load [-i|--input FILE] [-q|--quiet]\n\n"
                              "Loads the images of a docker-archive or oci-archive (plain, gzip, zstd,\n"
                              "xz or bzip2), or of an OCI layout directory, with their tags; reads\n"
                              "standard input without -i. Prints 'Loaded image: NAME' for each.\n\n"
                              "  -i, --input FILE   the archive (default: standard input)\n"
                              "  -q, --quiet        no progress (there is none to show)\n";

int cmd_load(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"input", required_argument, NULL, 'i'},
	    {"quiet", no_argument, NULL, 'q'},
	    {0, 0, 0, 0},
	};
	const char *input = NULL;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "i:q", longopts)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'q':
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s': the archive is given with -i",
		                       str_quote(argv[optind]));
	if (input && !*input)
		return cmd_usage_error(ctx, "empty file name for --input");
	if (!input || strcmp(input, "-") == 0) {
		if (isatty(STDIN_FILENO))
			return cmd_usage_error(ctx, "cannot read from terminal, use command-line redirection or the "
			                            "--input flag");
		input = "-";
	}
	struct burrow_err *err = NULL;
	struct img_load_opts o = {.input = input};
	cleanup_strv char **loaded = NULL;
	if (cmd_ready(ctx, &err) < 0 || img_load(ctx->state, &o, &loaded, NULL, &err) < 0)
		return cmd_fail(err);
	for (size_t i = 0; loaded[i]; i++)
		printf("Loaded image: %s\n", loaded[i]);
	for (size_t i = 0; loaded[i]; i++)
		state_event_obj(ctx->state, "image", "loadfromarchive", NULL, loaded[i]);
	return 0;
}
