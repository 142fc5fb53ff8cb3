/* burrow run [OPTIONS] IMAGE [COMMAND [ARG...]] */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "container/container.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* What 'burrow run --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_run_usage[] = "run [OPTIONS] IMAGE [COMMAND [ARG...]]\n\n"
                             "An image that is not here is pulled first (see burrow pull; its flags\n"
                             "--platform, --arch, --os, --variant, --tls-verify, --creds, --authfile,\n"
                             "--cert-dir, --retry and --retry-delay apply).\n\n"
                             "  -e, --env NAME=VALUE     set an environment variable (NAME alone: take it from here)\n"
                             "      --entrypoint CMD     override the image's entrypoint\n"
                             "  -h, --hostname NAME      container host name (default: short ID)\n"
                             "  -i, --interactive        keep standard input open\n"
                             "      --name NAME          name the container\n"
                             "      --network MODE       slirp (default), slirp:allow_host_loopback=true, none, host\n"
                             "      --pull POLICY        missing (default), always, never or newer\n"
                             "  -q, --quiet              no pull progress\n"
                             "      --rm                 remove the container when it exits\n"
                             "      --rootfs             IMAGE is a directory to use as the root filesystem\n"
                             "      --security-opt OPT   seccomp=unconfined: no seccomp filter (podman's by default)\n"
                             "      --shm-size SIZE      size of /dev/shm (default 64m)\n"
                             "  -t, --tty                allocate a pseudo-terminal\n"
                             "  -u, --user UID[:GID]     run as this user\n"
                             "  -w, --workdir DIR        working directory inside the container\n";

enum pull_policy {
	PULL_MISSING,
	PULL_ALWAYS,
	PULL_NEVER,
	PULL_NEWER,
};

static int parse_policy(const char *s, enum pull_policy *out)
{
	static const char *const names[] = {"missing", "always", "never", "newer"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum pull_policy)i;
			return 0;
		}
	}
	/* docker's spellings */
	if (strcmp(s, "ifmissing") == 0 || strcmp(s, "ifnewer") == 0) {
		*out = s[2] == 'm' ? PULL_MISSING : PULL_NEWER;
		return 0;
	}
	return -1;
}

/* Pulls the image as the policy says; *name: the full name pulled (for
 * the container record, as podman shows it), NULL when nothing was pulled. */
static int pull_if_needed(struct cmd_ctx *ctx, struct cmd_pull *p, enum pull_policy policy, const char *image,
                          char **name, struct burrow_err **err)
{
	if (policy == PULL_NEVER)
		return 0;
	struct img_info *local = NULL;
	struct burrow_err *lerr = NULL;
	bool have = img_lookup(ctx->state, image, &local, &lerr) == 0;
	img_info_free(local);
	if (!have && lerr->status != ENOENT) {
		*err = lerr; /* ambiguous, or the store is broken */
		return -1;
	}
	burrow_err_free(lerr);
	if (have && policy == PULL_MISSING)
		return 0;
	cleanup_free char *id = NULL;
	if (cmd_pull_ready(ctx, p, err) < 0)
		return -1;
	if (cmd_pull_image(p, ctx->state, image, &id, name, err) == 0)
		return 0;
	if (have && policy == PULL_NEWER) {
		/* as podman: a failed check for a newer image is not fatal */
		burrow_warn("%s; using the image that is here", (*err)->msg);
		burrow_err_free(*err);
		*err = NULL;
		return 0;
	}
	return -1;
}

int cmd_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"env", required_argument, NULL, 'e'},
	    {"entrypoint", required_argument, NULL, 'E'},
	    {"hostname", required_argument, NULL, 'h'},
	    {"interactive", no_argument, NULL, 'i'},
	    {"name", required_argument, NULL, 'n'},
	    {"network", required_argument, NULL, 'N'},
	    {"net", required_argument, NULL, 'N'},
	    {"rm", no_argument, NULL, 'r'},
	    {"rootfs", no_argument, NULL, 'R'},
	    {"security-opt", required_argument, NULL, 'O'},
	    {"shm-size", required_argument, NULL, 'S'},
	    {"tty", no_argument, NULL, 't'},
	    {"user", required_argument, NULL, 'u'},
	    {"workdir", required_argument, NULL, 'w'},
	    {"pull", required_argument, NULL, 'P'},
	    {"quiet", no_argument, NULL, 'q'},
	    CMD_PULL_LONGOPTS,
	    {0, 0, 0, 0},
	};
	struct ctr_create_opts o = {0};
	const char *network = NULL;
	struct strv_builder env = {0};
	struct cmd_pull pull;
	cmd_pull_init(&pull);
	enum pull_policy policy = PULL_MISSING;
	char *pulled_name = NULL;
	int c, rc = EXIT_BURROW;
	while ((c = cmd_getopt(ctx, argc, argv, "e:h:iqtu:w:", longopts)) != -1) {
		switch (c) {
		case 'e':
			if (!*optarg || *optarg == '=') {
				cmd_usage_error(ctx, "invalid environment variable '%s'", str_quote(optarg));
				goto out;
			}
			if (strchr(optarg, '=')) {
				strv_builder_add(&env, optarg);
			} else {
				const char *v = getenv(optarg);
				if (v)
					strv_builder_take(&env, xasprintf("%s=%s", optarg, v));
			}
			break;
		case 'E':
			o.entrypoint = optarg;
			break;
		case 'h':
			o.hostname = optarg;
			break;
		case 'i':
			o.interactive = true;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'N':
			network = optarg;
			break;
		case 'r':
			o.rm = true;
			break;
		case 'R':
			o.rootfs = true;
			break;
		case 'O': {
			struct burrow_err *err = NULL;
			if (ctr_parse_security_opt(optarg, &o, &err) < 0) {
				cmd_fail(err);
				goto out;
			}
			break;
		}
		case 'S':
			if (fmt_parse_size(optarg, &o.shm_size) < 0) {
				cmd_usage_error(ctx, "invalid --shm-size '%s' (e.g. 64m, 1g)", str_quote(optarg));
				goto out;
			}
			/* podman's 0 means no limit: refused rather than
			 * quietly given the default */
			if (o.shm_size <= 0) {
				cmd_usage_error(ctx,
				                "--shm-size '%s': a /dev/shm without a size limit is not supported; "
				                "give a size (e.g. 64m, 1g)",
				                str_quote(optarg));
				goto out;
			}
			break;
		case 't':
			o.tty = true;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'w':
			o.workdir = optarg;
			break;
		case 'P':
			if (parse_policy(optarg, &policy) < 0) {
				cmd_usage_error(ctx, "invalid --pull '%s' (missing, always, never or newer)",
				                str_quote(optarg));
				goto out;
			}
			break;
		case 'q':
			pull.quiet = true;
			break;
		case CMD_OPT_HELP:
			rc = 0;
			goto out;
		default:
			if (cmd_pull_option(ctx, c, optarg, &pull) <= 0)
				goto out;
		}
	}
	if (optind >= argc) {
		cmd_usage_error(ctx, "missing image (see 'burrow run --help')");
		goto out;
	}
	/* as podman: a terminal for the container, but none to type into it
	 * (a shell would sit at its prompt for good) */
	if (o.tty && !isatty(STDIN_FILENO))
		burrow_warn("the input device is not a TTY: --tty%s might not work properly (to feed input, use -i "
		            "without -t)",
		            o.interactive ? " and --interactive" : "");
	o.image = argv[optind];
	o.cmd = argv + optind + 1;
	o.env = env.v;
	o.started = true;
	if (!o.rootfs && policy != PULL_NEVER && cmd_pull_check(ctx, &pull, o.image) != 0)
		goto out;

	struct burrow_err *err = NULL;
	struct ctr_config cfg = {0};
	/* parsed once; the container record keeps its canonical form */
	struct netns_cfg net;
	if (network && netns_parse(network, &net, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	if (cmd_ready(ctx, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	o.network = network ? &net : ctx->settings.has_network ? &ctx->settings.network : NULL;
	/* the container's own options are checked before an image is pulled */
	if (ctr_create_check(&o, &err) < 0 ||
	    (!o.rootfs && pull_if_needed(ctx, &pull, policy, o.image, &pulled_name, &err) < 0)) {
		rc = cmd_fail(err);
		goto out;
	}
	if (pulled_name)
		o.image = pulled_name;
	if (ctr_create(ctx->state, &o, &cfg, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	int code = EXIT_BURROW;
	if (ctr_run_foreground(ctx->state, &cfg, &ctx->settings.engine, true, &code, &err) < 0) {
		burrow_err_print(err);
		burrow_err_free(err);
		rc = code;
	} else {
		rc = code;
	}
	ctr_config_clear(&cfg);
out:
	strv_free(env.v);
	cmd_pull_clear(&pull);
	free(pulled_name);
	return rc;
}
