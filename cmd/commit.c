/* burrow commit [OPTIONS] CONTAINER [IMAGE] */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "container/events.h"

const char cmd_commit_usage[] =
    "commit [OPTIONS] CONTAINER [IMAGE]\n\n"
    "Makes a new image of a container's image and its changes. Prints the\n"
    "new image's ID.\n\n"
    "  -c, --change INSTR   CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR (repeatable)\n"
    "  -m, --message TEXT   the commit message (the history entry's comment)\n"
    "  -a, --author NAME    the author\n"
    "  -f, --format FORMAT  the new image's manifest and configuration media types: oci (default) or docker\n"
    "      --iidfile FILE   write the new image's ID to FILE\n"
    "      --include-volumes  the container's -v, --mount and --tmpfs destinations become the image's volumes\n"
    "  -p, --pause          accepted (burrow reads the changes as they are)\n"
    "  -q, --quiet          accepted (only the ID is printed anyway)\n"
    "  -s, --squash         the new image is one layer: the image's layers and the changes merged\n";

enum { OPT_IIDFILE = 0x500, OPT_INCLUDE_VOLUMES };

int cmd_commit(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"change", required_argument, NULL, 'c'},
	    {"message", required_argument, NULL, 'm'},
	    {"author", required_argument, NULL, 'a'},
	    {"pause", no_argument, NULL, 'p'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"format", required_argument, NULL, 'f'},
	    {"iidfile", required_argument, NULL, OPT_IIDFILE},
	    {"include-volumes", no_argument, NULL, OPT_INCLUDE_VOLUMES},
	    {"squash", no_argument, NULL, 's'},
	    {0, 0, 0, 0},
	};
	const char *iidfile = NULL;
	cleanup_strv char **changes = NULL;
	cleanup_strv char **args = NULL;
	struct ctr_commit_opts o = {0};
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "c:m:a:pqf:s", longopts, &args)) != -1) {
		switch (c) {
		case 'c':
			strv_append(&changes, optarg);
			break;
		case 'm':
			o.message = optarg;
			break;
		case 'a':
			o.author = optarg;
			break;
		case 'f':
			o.format = optarg;
			break;
		case OPT_IIDFILE:
			iidfile = optarg;
			break;
		case OPT_INCLUDE_VOLUMES:
			o.include_volumes = ctx->flag_on;
			break;
		case 's':
			o.squash = ctx->flag_on;
			break;
		case 'p':
		case 'q':
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (o.format && strcmp(o.format, "oci") != 0 && strcmp(o.format, "docker") != 0)
		return cmd_usage_error(ctx, "unrecognized image format '%s': oci or docker", str_quote(o.format));
	size_t n = strv_len(args);
	if (n == 0)
		return cmd_usage_error(ctx, "a container is required");
	if (n > 2)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(args[2]));
	struct burrow_err *err = NULL;
	cleanup_free char *ref = NULL;
	if (n == 2) {
		if (!(ref = img_ref_normalize_str(args[1], &err)))
			return cmd_fail(err);
		if (strchr(ref, '@'))
			return cmd_usage_error(ctx, "'%s': a committed image is named NAME[:TAG], not by a digest",
			                       str_quote(args[1]));
	}
	/* the instructions are checked before anything is read */
	struct img_config check = {0};
	for (size_t i = 0; changes && changes[i]; i++) {
		if (img_config_apply_change(&check, changes[i], &err) < 0) {
			img_config_clear(&check);
			return cmd_fail(err);
		}
	}
	img_config_clear(&check);
	o.container = args[0];
	o.reference = ref;
	o.changes = changes;
	cleanup_free char *id = NULL;
	if (cmd_ready(ctx, &err) < 0 || ctr_commit(ctx->state, &o, &id, &err) < 0)
		return cmd_fail(err);
	ctr_event_ref(ctx->state, args[0], "commit");
	if (iidfile && write_file(iidfile, id, strlen(id), 0644, &err) < 0)
		return cmd_fail(err);
	printf("%s\n", id);
	return 0;
}
