/* burrow save [-o FILE] [--format FMT] [-m] [--compress] IMAGE... */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "state/events.h"

const char cmd_save_usage[] =
    "save [-o|--output FILE] [--format FORMAT] [-m] [--compress | --uncompressed] IMAGE...\n\n"
    "Writes images to an archive (to standard output when it is not a terminal)\n"
    "that 'burrow load', 'podman load' and 'docker load' read.\n\n"
    "      --format FORMAT            docker-archive (default), oci-archive, oci-dir or docker-dir\n"
    "  -o, --output FILE              the archive, or the directory for oci-dir and docker-dir\n"
    "  -m, --multi-image-archive      every IMAGE an image of its own (docker-archive); without it\n"
    "                                 further names are more tags of the first image\n"
    "      --compress                 gzip the layers (oci-dir and docker-dir)\n"
    "      --uncompressed             accepted: layers are written uncompressed unless --compress\n"
    "  -q, --quiet                    no progress (there is none to show)\n";

enum { OPT_FORMAT = 0x400, OPT_COMPRESS, OPT_UNCOMPRESSED };

int cmd_save(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"multi-image-archive", no_argument, NULL, 'm'},
	    {"compress", no_argument, NULL, OPT_COMPRESS},
	    {"uncompressed", no_argument, NULL, OPT_UNCOMPRESSED},
	    {"quiet", no_argument, NULL, 'q'},
	    {0, 0, 0, 0},
	};
	struct img_save_opts o = {.format = IMG_SAVE_DOCKER_ARCHIVE, .fd = STDOUT_FILENO};
	const char *format = "docker-archive";
	cleanup_strv char **images = NULL;
	/* options may come before or after the images, as with podman */
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "o:mq", longopts, &images)) != -1) {
		switch (c) {
		case 'o':
			o.output = optarg;
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		case 'm':
			o.multi = ctx->flag_on;
			break;
		case OPT_COMPRESS:
			o.compress = ctx->flag_on;
			break;
		case OPT_UNCOMPRESSED: /* podman's: keep uncompressed layers so; burrow's are */
		case 'q':
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	static const char *const names[] = {"docker-archive", "oci-archive", "oci-dir", "docker-dir"};
	size_t f = 0;
	while (f < 4 && strcmp(format, names[f]) != 0)
		f++;
	if (f == 4)
		return cmd_usage_error(ctx, "unknown format '%s': docker-archive, oci-archive, oci-dir or docker-dir",
		                       str_quote(format));
	o.format = (enum img_save_format)f;
	bool dir = o.format == IMG_SAVE_OCI_DIR || o.format == IMG_SAVE_DOCKER_DIR;
	if (!images)
		return cmd_usage_error(ctx, "an image is required");
	if (o.compress && !dir)
		return cmd_usage_error(ctx, "--compress is for the oci-dir and docker-dir formats");
	if (o.multi && o.format != IMG_SAVE_DOCKER_ARCHIVE)
		return cmd_usage_error(ctx, "--multi-image-archive is for the docker-archive format");
	if (o.output && !*o.output)
		return cmd_usage_error(ctx, "empty file name for --output");
	if (o.output && strcmp(o.output, "-") == 0)
		o.output = NULL;
	if (!o.output && dir)
		return cmd_usage_error(ctx, "--format %s needs a directory: -o DIR", format);
	if (!o.output && isatty(STDOUT_FILENO))
		return cmd_usage_error(ctx, "refusing to save to terminal. Use -o flag or redirect");
	o.images = images;
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0 || img_save(ctx->state, &o, &err) < 0)
		return cmd_fail(err);
	for (size_t i = 0; images[i]; i++)
		state_event_obj(ctx->state, "image", "save", NULL, images[i]);
	return 0;
}
