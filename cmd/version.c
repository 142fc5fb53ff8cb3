/* burrow version [--format json|TEMPLATE]
 *
 * podman's layout: Version, API Version, Go Version (here: the C
 * compiler burrow was built with), Git Commit, Built, OS/Arch; --format
 * sees them under .Client as podman's do ({{.Client.Version}}), and
 * under .Server too, as podman's templates find them when local. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/report.h"
#include "lib/json.h"
#include "lib/quote.h"

#ifndef BURROW_GIT_COMMIT
#define BURROW_GIT_COMMIT ""
#endif
#ifndef BURROW_BUILT
#define BURROW_BUILT 0LL /* the time of the commit built (Makefile) */
#endif

#if defined(__clang__)
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "unknown"
#endif

/* Go's GOARCH names for the machine's, as podman prints them */
const char *cmd_go_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__arm__)
	return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	static struct utsname u;
	return uname(&u) == 0 ? u.machine : "unknown";
#endif
}

/* the Client object of podman's version --format json */
yajl_val cmd_version_json(void)
{
	char built[64] = "";
	time_t t = (time_t)BURROW_BUILT;
	struct tm tm;
	/* Go's time.ANSIC, in local time, as podman's Built */
	if (localtime_r(&t, &tm))
		strftime(built, sizeof(built), "%a %b %e %H:%M:%S %Y", &tm);
	char osarch[64];
	snprintf(osarch, sizeof(osarch), "linux/%s", cmd_go_arch());
	yajl_val c = json_new_object();
	json_obj_add(c, "APIVersion", json_new_str(BURROW_VERSION));
	json_obj_add(c, "Version", json_new_str(BURROW_VERSION));
	json_obj_add(c, "GoVersion", json_new_str(COMPILER));
	json_obj_add(c, "CompilerVersion", json_new_str(COMPILER));
	json_obj_add(c, "GitCommit", json_new_str(BURROW_GIT_COMMIT));
	json_obj_add(c, "BuiltTime", json_new_str(built));
	json_obj_add(c, "Built", json_new_int(BURROW_BUILT));
	json_obj_add(c, "OsArch", json_new_str(osarch));
	json_obj_add(c, "Os", json_new_str("linux"));
	return c;
}

int cmd_format_only_options(struct cmd_ctx *ctx, int argc, char **argv, struct fmt_report *r, int *rc)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f:", longopts)) != -1) {
		if (c != 'f') {
			*rc = c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
			return -1;
		}
		r->format = optarg;
	}
	if (optind < argc) {
		*rc = cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));
		return -1;
	}
	struct burrow_err *err = NULL;
	if (r->format && fmt_report_parse(r, &err) < 0) {
		*rc = cmd_fail(err);
		return -1;
	}
	return 0;
}

const char cmd_version_usage[] = "version [--format FORMAT]\n\n"
                                 "Shows burrow's version, the compiler it was built with, when, and for what.\n\n"
                                 "  -f, --format FORMAT   json, or a Go template ('{{.Client.Version}}')\n";

int cmd_version(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct fmt_report rep = {.verb = "version", .single = true, .json_indent = "  "};
	int rc = 0;
	if (cmd_format_only_options(ctx, argc, argv, &rep, &rc) < 0)
		return rc;
	struct burrow_err *err = NULL;
	yajl_val client = cmd_version_json();
	if (rep.format) {
		yajl_val top = json_new_object();
		json_obj_add(top, "Client", client);
		/* a template that reads .Server.X (docker's way to ask) gets the
		 * client's X: podman has no server when local, and on the error
		 * it reads .Server.X as .Client.X; its JSON has no Server */
		if (!fmt_report_is_json(rep.format))
			json_obj_add(top, "Server", cmd_version_json());
		struct fmt_item item = {top, NULL};
		if (fmt_report_print(&rep, &item, 1, &err) < 0)
			rc = cmd_fail(err);
		yajl_tree_free(top);
	} else {
		printf("Version:      %s\n", json_get_str(client, "Version"));
		printf("API Version:  %s\n", json_get_str(client, "APIVersion"));
		printf("C Compiler:   %s\n", json_get_str(client, "CompilerVersion"));
		if (*BURROW_GIT_COMMIT)
			printf("Git Commit:   %s\n", BURROW_GIT_COMMIT);
		printf("Built:        %s\n", json_get_str(client, "BuiltTime"));
		printf("OS/Arch:      %s\n", json_get_str(client, "OsArch"));
		yajl_tree_free(client);
	}
	fmt_report_clear(&rep);
	return rc;
}
