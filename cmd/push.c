/* burrow push [OPTIONS] IMAGE [DESTINATION] */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "state/events.h"

const char cmd_push_usage[] = "push [OPTIONS] IMAGE [DESTINATION]\n\n"
                              "Pushes an image to a registry (the one its name names, or DESTINATION), or\n"
                              "to oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF] or dir:DIR.\n\n"
                              "  -q, --quiet                 no progress\n"
                              "  -f, --format FORMAT         manifest format: oci or v2s2 (default: the image's)\n"
                              "      --digestfile FILE       write the manifest digest to FILE\n"
                              "      --compress              gzip the layers written to dir:DIR\n"
                              "      --compression-format F  gzip (the one burrow writes to registries)\n"
                              "      --tls-verify            require HTTPS and a trusted certificate\n"
                              "      --creds USER[:PASS]     credentials for the registry\n"
                              "      --authfile FILE         auth.json to use\n"
                              "      --cert-dir DIR          certificates (certs.d layout) for the registry\n"
                              "      --retry N, --retry-delay D   as for pull\n";

enum { OPT_DIGESTFILE = 0x500, OPT_COMPRESS, OPT_COMPRESSION_FORMAT };

int cmd_push(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"format", required_argument, NULL, 'f'},
	    {"digestfile", required_argument, NULL, OPT_DIGESTFILE},
	    {"compress", no_argument, NULL, OPT_COMPRESS},
	    {"compression-format", required_argument, NULL, OPT_COMPRESSION_FORMAT},
	    CMD_PULL_LONGOPTS,
	    {0, 0, 0, 0},
	};
	struct cmd_pull p;
	cmd_pull_init(&p);
	struct img_push_opts o = {0};
	const char *digestfile = NULL, *compression = NULL;
	cleanup_strv char **args = NULL;
	cleanup_free char *digest = NULL;
	int c, rc = EXIT_BURROW;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "qf:", longopts, &args)) != -1) {
		if (c == 'q') {
			p.quiet = ctx->flag_on;
		} else if (c == 'f') {
			o.format = optarg;
		} else if (c == OPT_DIGESTFILE) {
			digestfile = optarg;
		} else if (c == OPT_COMPRESS) {
			o.compress = ctx->flag_on;
		} else if (c == OPT_COMPRESSION_FORMAT) {
			compression = optarg;
		} else if (c == CMD_OPT_HELP) {
			rc = 0;
			goto out;
		} else if (c == CMD_PULL_PLATFORM || c == CMD_PULL_OS || c == CMD_PULL_ARCH || c == CMD_PULL_VARIANT) {
			cmd_getopt_refuse(ctx, longopts, c); /* pull's, not push's */
			goto out;
		} else if (cmd_pull_option(ctx, c, optarg, &p) <= 0) {
			goto out;
		}
	}
	size_t n = strv_len(args);
	if (n == 0 || n > 2) {
		cmd_usage_error(ctx, n ? "unexpected argument '%s'" : "missing image (see 'burrow push --help')",
		                n ? str_quote(args[2]) : "");
		goto out;
	}
	if (o.format && strcmp(o.format, "oci") != 0 && strcmp(o.format, "v2s2") != 0 &&
	    strcmp(o.format, "docker") != 0) {
		cmd_usage_error(ctx, "unknown --format '%s': oci, v2s2 or docker", str_quote(o.format));
		goto out;
	}
	/* podman's zstd and zstd:chunked need a zstd writer burrow does not have */
	if (compression && strcmp(compression, "gzip") != 0) {
		cmd_usage_error(ctx,
		                strcmp(compression, "zstd") == 0 || strcmp(compression, "zstd:chunked") == 0
		                    ? "--compression-format '%s': burrow compresses layers with gzip only"
		                    : "unknown --compression-format '%s': gzip",
		                str_quote(compression));
		goto out;
	}
	struct burrow_err *err = NULL;
	if (n == 2) {
		struct img_transport t;
		if (img_transport_parse(args[1], &t, &err) < 0) {
			rc = cmd_fail(err);
			goto out;
		}
		img_transport_clear(&t);
	}
	if (cmd_ready(ctx, &err) < 0 || cmd_pull_ready(ctx, &p, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	o.image = args[0];
	o.dest = n == 2 ? args[1] : NULL;
	o.tls_verify = p.o.tls_verify;
	o.user = p.o.user;
	o.pass = p.o.pass;
	o.authfile = p.o.authfile;
	o.cert_dir = p.o.cert_dir;
	o.insecure = p.o.insecure;
	o.timeout_s = p.o.timeout_s;
	o.retries = p.o.retries;
	o.retry_delay_ms = p.o.retry_delay_ms;
	o.progress = p.o.progress;
	o.progress_data = p.o.progress_data;
	if (img_push(ctx->state, &o, &digest, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	state_event_obj(ctx->state, "image", "push", NULL, o.dest ? o.dest : o.image);
	if (digestfile && digest && write_file(digestfile, digest, strlen(digest), 0644, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	rc = 0;
out:
	cmd_pull_clear(&p);
	return rc;
}
