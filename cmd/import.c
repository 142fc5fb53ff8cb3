/* burrow import [-c|--change INSTR]... [-m MESSAGE] [-q] [--arch A] [--os O] [--variant V]
 *               TARBALL|- [NAME[:TAG]] */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "state/events.h"

/* What 'burrow import --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_import_usage[] =
    "import [-c|--change INSTR]... [-m MESSAGE] [-q] [--arch A] [--os O] [--variant V] TARBALL|- [NAME[:TAG]]\n\n"
    "Makes a one-layer image from a rootfs tarball (plain, gzip or zstd);\n"
    "- reads it from standard input. Prints the new image's ID.\n\n"
    "  -c, --change INSTR    CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR (repeatable)\n"
    "  -m, --message MSG     the comment of the image and of its history entry\n"
    "  -q, --quiet           accepted for podman's sake (burrow prints no progress)\n"
    "      --arch ARCH       the architecture it is for (default: this machine's)\n"
    "      --os OS           the OS it is for (default: linux)\n"
    "      --variant V       the architecture's variant (arm: v7 ...)\n";

int cmd_import(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_ARCH = 0x200, OPT_OS, OPT_VARIANT };
	static const struct option longopts[] = {
	    {"change", required_argument, NULL, 'c'},
	    {"message", required_argument, NULL, 'm'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"arch", required_argument, NULL, OPT_ARCH},
	    {"os", required_argument, NULL, OPT_OS},
	    {"variant", required_argument, NULL, OPT_VARIANT},
	    {0, 0, 0, 0},
	};
	struct img_import_opts o = {0};
	cleanup_strv char **changes = NULL;
	cleanup_strv char **args = NULL;
	/* options may come before or after the arguments, as with podman */
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "c:m:q", longopts, &args)) != -1) {
		switch (c) {
		case 'c':
			strv_append(&changes, optarg);
			break;
		case 'm':
			o.message = optarg;
			break;
		case 'q':
			break;
		case OPT_ARCH:
		case OPT_OS:
		case OPT_VARIANT:
			if (!*optarg || strpbrk(optarg, "/ \t"))
				return cmd_usage_error(ctx, "invalid --%s '%s'",
				                       c == OPT_ARCH ? "arch"
				                       : c == OPT_OS ? "os"
				                                     : "variant",
				                       str_quote(optarg));
			*(c == OPT_ARCH ? &o.arch : c == OPT_OS ? &o.os : &o.variant) = optarg;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	size_t nargs = strv_len(args);
	if (nargs == 0)
		return cmd_usage_error(ctx, "a tarball (or - for standard input) is required");
	if (nargs > 2)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(args[2]));
	if (!*args[0])
		return cmd_usage_error(ctx, "empty tarball path");

	/* everything is validated before the tarball is read */
	struct burrow_err *err = NULL;
	cleanup_free char *ref = NULL;
	if (nargs == 2) {
		if (!(ref = img_ref_normalize_str(args[1], &err)))
			return cmd_fail(err);
		if (strchr(ref, '@'))
			return cmd_usage_error(ctx, "'%s': an imported image is named NAME[:TAG], not by a digest",
			                       str_quote(args[1]));
	}
	struct img_config config = {0};
	for (size_t i = 0; changes && changes[i]; i++) {
		if (img_config_apply_change(&config, changes[i], &err) < 0) {
			img_config_clear(&config);
			return cmd_fail(err);
		}
	}

	o.source = args[0];
	o.reference = ref;
	o.config = &config;
	cleanup_free char *id = NULL;
	int r = cmd_ready(ctx, &err) < 0 ? -1 : img_import(ctx->state, &o, &id, &err);
	img_config_clear(&config);
	if (r < 0)
		return cmd_fail(err);
	state_event_obj(ctx->state, "image", "import", id, ref ? ref : args[0]);
	printf("%s\n", id);
	return 0;
}
