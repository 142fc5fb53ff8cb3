/* burrow exec [OPTIONS] CONTAINER COMMAND [ARG...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "cmd/env.h"
#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "state/state.h"

extern char **environ;

int cmd_preserve_fds(struct cmd_ctx *ctx, const char *arg, int *n)
{
	long long v;
	if (str_to_ll(arg, 0, 1 << 20, &v) < 0)
		return cmd_usage_error(ctx, "invalid --preserve-fds '%s': give a number of file descriptors",
		                       str_quote(arg));
	for (int fd = 3; fd < 3 + (int)v; fd++)
		if (!fd_is_open(fd))
			return cmd_usage_error(ctx, "--preserve-fds %lld: file descriptor %d is not open", v, fd);
	*n = (int)v;
	return 0;
}

/* What 'burrow exec --help' prints after "Usage: burrow ": keep it in step
 * with the options below. */
const char cmd_exec_usage[] =
    "exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
    "  -d, --detach             run the command in the background; print an ID for it\n"
    "      --detach-keys KEYS   keys that detach from -it (default ctrl-p,ctrl-q; '' for none)\n"
    "  -e, --env NAME=VALUE     set an environment variable (NAME alone, NAME*: take it from here)\n"
    "      --env-file FILE      read environment variables from FILE, one a line\n"
    "  -i, --interactive        keep standard input open\n"
    "  -l, --latest             the last created container (no CONTAINER then)\n"
    "      --preserve-fds N     pass file descriptors 3 to 3+N-1 on to the command\n"
    "      --privileged         every capability the container's namespace gives, no seccomp filter\n"
    "  -t, --tty                allocate a pseudo-terminal\n"
    "  -u, --user USER[:GROUP]  run as this user (default: the container's)\n"
    "  -w, --workdir DIR        working directory inside the container (default: the container's)\n";

/* --env-file FILE's variables into env. */
static int env_file(char ***env, const char *path, struct burrow_err **err)
{
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0 || cmd_env_file_parse(env, text, environ, err) < 0)
		return burrow_error_wrap(err, "--env-file '%s'", str_quote(path));
	return 0;
}

int cmd_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"detach", no_argument, NULL, 'd'},
	    {"detach-keys", required_argument, NULL, 'K'},
	    {"env", required_argument, NULL, 'e'},
	    {"env-file", required_argument, NULL, 'F'},
	    {"interactive", no_argument, NULL, 'i'},
	    {"preserve-fds", required_argument, NULL, 'P'},
	    {"privileged", no_argument, NULL, 'p'},
	    {"tty", no_argument, NULL, 't'},
	    {"user", required_argument, NULL, 'u'},
	    {"workdir", required_argument, NULL, 'w'},
	    CMD_REFS_LATEST_LONGOPT,
	    {0, 0, 0, 0},
	};
	bool latest = false;
	struct ctr_exec_opts o = {0};
	cleanup_strv char **env = NULL;     /* -e */
	cleanup_strv char **fileenv = NULL; /* --env-file: -e wins over it, as in podman */
	struct burrow_err *err = NULL;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "+de:iltu:w:", longopts)) != -1) {
		switch (c) {
		case 'l':
			latest = ctx->flag_on;
			break;
		case 'd':
			o.detach = ctx->flag_on;
			break;
		case 'K':
			if (ctr_detach_keys_check(optarg, &err) < 0)
				return cmd_fail(err);
			o.detach_keys = optarg;
			break;
		case 'e':
			if (cmd_env_parse(&env, optarg, environ, &err) < 0)
				return cmd_fail(err);
			break;
		case 'F':
			if (env_file(&fileenv, optarg, &err) < 0)
				return cmd_fail(err);
			break;
		case 'i':
			o.interactive = ctx->flag_on;
			break;
		case 'P': {
			int rc = cmd_preserve_fds(ctx, optarg, &o.preserve_fds);
			if (rc)
				return rc;
			break;
		}
		case 'p':
			o.privileged = ctx->flag_on;
			break;
		case 't':
			o.tty = ctx->flag_on;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'w':
			if (optarg[0] != '/')
				return cmd_usage_error(ctx, "workdir '%s' is not an absolute path", str_quote(optarg));
			o.workdir = optarg;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	/* with -l the container is the latest, the arguments the command */
	int cmd_at = latest ? optind : optind + 1;
	if (!latest && optind >= argc)
		return cmd_usage_error(ctx, "missing container name or ID (see 'burrow exec --help')");
	if (cmd_at >= argc)
		return cmd_usage_error(ctx, "missing command to run in container '%s'",
		                       latest ? "the latest" : str_quote(argv[optind]));
	for (size_t i = 0; env && env[i]; i++)
		strv_append(&fileenv, env[i]);
	o.env = fileenv;
	o.cmd = argv + cmd_at;

	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	int code = EXIT_BURROW;
	cleanup_free char *latest_id = NULL;
	if (latest && cmd_latest(ctx, &latest_id, &err) < 0)
		return cmd_fail(err);
	if (ctr_exec(ctx->state, latest ? latest_id : argv[optind], &o, &code, &err) < 0) {
		burrow_err_print(err);
		burrow_err_free(err);
		return code;
	}
	if (o.detach) {
		/* as podman: an ID for the exec session (burrow keeps no record
		 * of it) */
		cleanup_free char *id = state_new_id();
		printf("%s\n", id);
	}
	return code;
}
