/* burrow login [OPTIONS] [REGISTRY]; burrow logout [-a] [--authfile FILE] [REGISTRY] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/prompt.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static void free_secret(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
	}
}

/* What 'burrow login --help' and 'burrow logout --help' print after
 * "Usage: burrow ": keep them in step with the options below. */
const char cmd_login_usage[] = "login [OPTIONS] [REGISTRY]\n\n"
                               "Checks the credentials with the registry and stores them in auth.json\n"
                               "($XDG_RUNTIME_DIR/containers/auth.json unless --authfile or\n"
                               "$REGISTRY_AUTH_FILE says otherwise).\n\n"
                               "  -u, --username USER     user name (asked for when missing)\n"
                               "  -p, --password PASS     password (asked for when missing)\n"
                               "      --password-stdin    read the password from standard input\n"
                               "      --authfile FILE     the auth.json to write\n"
                               "      --cert-dir DIR      certificates (*.crt, *.cert, *.key) to use\n"
                               "      --tls-verify          require HTTPS and a trusted certificate\n"
                               "      --get-login         print the user name stored for REGISTRY\n"
                               "  -v, --verbose           say which file was written\n";

const char cmd_logout_usage[] = "logout [--authfile FILE] REGISTRY | --all\n\n"
                                "  -a, --all           remove the credentials of every registry\n"
                                "      --authfile FILE the auth.json to edit\n";

int cmd_login(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"username", required_argument, NULL, 'u'},
	    {"password", required_argument, NULL, 'p'},
	    {"password-stdin", no_argument, NULL, 'S'},
	    {"authfile", required_argument, NULL, 'A'},
	    {"cert-dir", required_argument, NULL, 'C'},
	    {"tls-verify", no_argument, NULL, 'T'},
	    {"get-login", no_argument, NULL, 'G'},
	    {"verbose", no_argument, NULL, 'v'},
	    {0, 0, 0, 0},
	};
	struct img_login_opts o = {.tls_verify = -1};
	bool from_stdin = false, get_login = false, verbose = false;
	cleanup_free char *user = NULL;
	__attribute__((cleanup(free_secret))) char *pass = NULL;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "u:p:v", longopts)) != -1) {
		switch (c) {
		case 'u':
			free(user);
			user = xstrdup(optarg);
			break;
		case 'p':
			free_secret(&pass);
			pass = xstrdup(optarg);
			break;
		case 'S':
			from_stdin = ctx->flag_on;
			break;
		case 'A':
			o.authfile = optarg;
			break;
		case 'C':
			o.cert_dir = optarg;
			break;
		case 'T':
			o.tls_verify = ctx->flag_on;
			break;
		case 'G':
			get_login = ctx->flag_on;
			break;
		case 'v':
			verbose = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind + 1]));
	o.registry = optind < argc ? argv[optind] : NULL;
	if (pass && from_stdin)
		return cmd_usage_error(ctx, "--password and --password-stdin cannot be used together");
	if (from_stdin && !user)
		return cmd_usage_error(ctx, "--password-stdin needs --username");
	if (user && !*user)
		return cmd_usage_error(ctx, "empty --username");
	struct burrow_err *err = NULL;
	if (o.registry) {
		cleanup_free char *key = img_registry_key(o.registry, &err);
		if (!key)
			return cmd_fail(err);
	}
	if (get_login) {
		if (!o.registry)
			return cmd_usage_error(ctx, "--get-login needs a registry");
		cleanup_free char *who = NULL;
		if (cmd_ready(ctx, &err) < 0 || img_login_user(o.authfile, o.registry, &who, &err) < 0)
			return cmd_fail(err);
		printf("%s\n", who);
		return 0;
	}
	if (!user && !(user = prompt_line("Username: ", false, &err))) {
		burrow_error_hint(&err, "give it with -u USER");
		return cmd_fail(err);
	}
	if (from_stdin && !(pass = read_secret_fd(STDIN_FILENO, &err)))
		return cmd_fail(err);
	if (!pass && !(pass = prompt_line("Password: ", true, &err))) {
		burrow_error_hint(&err, "give it with --password-stdin (or -p PASSWORD)");
		return cmd_fail(err);
	}
	o.user = user;
	o.pass = pass;
	cleanup_free char *path = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	o.insecure = ctx->settings.insecure;
	o.timeout_s = ctx->settings.registry_timeout;
	if (img_login(&o, &path, &err) < 0)
		return cmd_fail(err);
	if (verbose)
		printf("Used: %s\n", path);
	printf("Login Succeeded!\n");
	return 0;
}

int cmd_logout(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"authfile", required_argument, NULL, 'A'},
	    {0, 0, 0, 0},
	};
	bool all = false;
	const char *authfile = NULL;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "a", longopts)) != -1) {
		switch (c) {
		case 'a':
			all = ctx->flag_on;
			break;
		case 'A':
			authfile = optarg;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind + 1]));
	const char *registry = optind < argc ? argv[optind] : NULL;
	if (all && registry)
		return cmd_usage_error(ctx, "--all and a registry cannot be used together");
	if (!all && !registry)
		return cmd_usage_error(ctx, "which registry? (or --all)");
	struct burrow_err *err = NULL;
	cleanup_free char *key = NULL;
	if (registry && !(key = img_registry_key(registry, &err)))
		return cmd_fail(err);
	cleanup_free char *path = NULL;
	if (cmd_ready(ctx, &err) < 0 || img_logout(authfile, all ? NULL : registry, &path, &err) < 0)
		return cmd_fail(err);
	if (all)
		printf("Removed login credentials for all registries\n");
	else
		printf("Removed login credentials for %s\n", key);
	return 0;
}
