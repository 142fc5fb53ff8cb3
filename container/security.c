/* --security-opt: one table of the options podman knows; the ones burrow
 * honours have a parser, the others are refused as not supported yet
 * rather than silently ignored. */
#include <string.h>

#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

static int opt_seccomp(const char *opt, const char *value, struct ctr_create_opts *o, struct burrow_err **err)
{
	if (strcmp(value, "unconfined") == 0) {
		o->seccomp = "unconfined";
		return 0;
	}
	if (!*value)
		return burrow_error(err, 0, "invalid --security-opt '%s': give seccomp=unconfined", str_quote(opt));
	burrow_error(err, 0, "--security-opt '%s': seccomp profiles from a file are not supported yet", str_quote(opt));
	return burrow_error_hint(err, "only seccomp=unconfined is; without it burrow applies podman's default profile");
}

static const struct {
	const char *key;
	/* NULL: podman's, not burrow's yet */
	int (*parse)(const char *opt, const char *value, struct ctr_create_opts *o, struct burrow_err **err);
} security_opts[] = {
    {"seccomp", opt_seccomp},    {"apparmor", NULL},  {"label", NULL},  {"mask", NULL},
    {"no-new-privileges", NULL}, {"proc-opts", NULL}, {"unmask", NULL},
};

int ctr_parse_security_opt(const char *opt, struct ctr_create_opts *o, struct burrow_err **err)
{
	const char *eq = strchr(opt, '=');
	cleanup_free char *key = eq ? xstrndup(opt, (size_t)(eq - opt)) : xstrdup(opt);
	for (size_t i = 0; i < sizeof(security_opts) / sizeof(security_opts[0]); i++) {
		if (strcmp(security_opts[i].key, key) != 0)
			continue;
		if (!security_opts[i].parse)
			return burrow_error(err, 0, "--security-opt '%s' is not supported yet", str_quote(opt));
		return security_opts[i].parse(opt, eq ? eq + 1 : "", o, err);
	}
	burrow_error(err, 0, "invalid --security-opt '%s'", str_quote(opt));
	if (strchr(opt, ':') && !eq)
		return burrow_error_hint(err, "write KEY=VALUE, e.g. seccomp=unconfined");
	return burrow_error_hint(err, "burrow knows seccomp=unconfined");
}
