/* --security-opt: one table of the options podman knows; the ones burrow
 * honours have a parser, the others are refused as not supported yet
 * rather than silently ignored. */
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "container/seccomp.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

static int opt_seccomp(const char *opt, const char *value, struct ctr_create_opts *o, struct burrow_err **err)
{
	free(o->sec.seccomp_json);
	free(o->sec.seccomp_path);
	o->sec.seccomp_json = o->sec.seccomp_path = NULL;
	o->seccomp = NULL;
	if (strcmp(value, "unconfined") == 0) {
		o->seccomp = "unconfined";
		return 0;
	}
	if (!*value)
		return burrow_error(err, 0, "invalid --security-opt '%s': give seccomp=unconfined or seccomp=FILE",
		                    str_quote(opt));
	/* read and checked whole now: a bad profile stores nothing */
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (read_file(value, &text, &len, err) < 0)
		return burrow_error_wrap(err, "--security-opt '%s'", str_quote(opt));
	struct ctr_sc_profile *p = NULL;
	if (strlen(text) != len || ctr_seccomp_parse(text, value, &p, err) < 0) {
		if (!*err)
			burrow_error(err, 0, "seccomp profile '%s' is not text", str_quote(value));
		return burrow_error_hint(err, "the format is podman's (containers.conf seccomp_profile; see "
		                              "burrow-run(1))");
	}
	ctr_seccomp_profile_free(p);
	o->sec.seccomp_path = realpath(value, NULL);
	if (!o->sec.seccomp_path)
		o->sec.seccomp_path = xstrdup(value);
	o->sec.seccomp_json = steal_ptr(text);
	o->seccomp = o->sec.seccomp_path;
	return 0;
}

static int opt_mask(const char *opt, const char *value, struct ctr_create_opts *o, struct burrow_err **err)
{
	return ctr_sec_parse_mask(opt, value, false, &o->sec, err);
}

static int opt_unmask(const char *opt, const char *value, struct ctr_create_opts *o, struct burrow_err **err)
{
	return ctr_sec_parse_mask(opt, value, true, &o->sec, err);
}

/* no-new-privileges, no-new-privileges=true|false: burrow sets
 * no_new_privs by default already; =false lets setuid programs work */
static int opt_nnp(const char *opt, const char *value, struct ctr_create_opts *o, struct burrow_err **err)
{
	if (!*value && !strchr(opt, '='))
		value = "true";
	if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0) {
		o->sec.new_privileges = false;
		return 0;
	}
	if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0) {
		o->sec.new_privileges = true;
		return 0;
	}
	return burrow_error(err, 0, "invalid --security-opt '%s': no-new-privileges takes true or false",
	                    str_quote(opt));
}

/* label=...: accepted; there is no SELinux labelling in burrow (see
 * burrow-run(1)) */
static int opt_label(const char *opt, const char *value, struct ctr_create_opts *o, struct burrow_err **err)
{
	(void)o;
	static const char *const keys[] = {"disable", "nested", "user:", "role:", "type:", "level:", "filetype:"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strncmp(value, keys[i], strlen(keys[i])) == 0 &&
		    (keys[i][strlen(keys[i]) - 1] == ':' || !value[strlen(keys[i])]))
			return 0;
	return burrow_error(err, 0,
	                    "invalid --security-opt '%s': label takes disable, nested, user:, role:, type:, level: "
	                    "or filetype:",
	                    str_quote(opt));
}

static const struct {
	const char *key;
	/* NULL: podman's, not burrow's yet */
	int (*parse)(const char *opt, const char *value, struct ctr_create_opts *o, struct burrow_err **err);
} security_opts[] = {
    {"seccomp", opt_seccomp},       {"apparmor", NULL},  {"label", opt_label},   {"mask", opt_mask},
    {"no-new-privileges", opt_nnp}, {"proc-opts", NULL}, {"unmask", opt_unmask},
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
	return burrow_error_hint(err, "burrow knows seccomp=, mask=, unmask=, no-new-privileges and label=");
}
