/* A seccomp profile from a JSON file in podman's form (containers/common
 * pkg/seccomp's Seccomp), checked whole, into a struct ctr_sc_profile
 * that ctr_seccomp_gen turns into a container's linux.seccomp. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "container/seccomp.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static const struct {
	const char *name;
	enum ctr_sc_action action;
} actions[] = {
    {"SCMP_ACT_ALLOW", CTR_SC_ALLOW},
    {"SCMP_ACT_ERRNO", CTR_SC_ERRNO},
    {"SCMP_ACT_KILL", CTR_SC_KILL},
    {"SCMP_ACT_KILL_THREAD", CTR_SC_KILL_THREAD},
    {"SCMP_ACT_KILL_PROCESS", CTR_SC_KILL_PROCESS},
    {"SCMP_ACT_TRAP", CTR_SC_TRAP},
    {"SCMP_ACT_TRACE", CTR_SC_TRACE},
    {"SCMP_ACT_LOG", CTR_SC_LOG},
};

static const struct {
	const char *name;
	enum ctr_sc_op op;
} ops[] = {
    {"SCMP_CMP_EQ", CTR_SC_EQ}, {"SCMP_CMP_NE", CTR_SC_NE}, {"SCMP_CMP_MASKED_EQ", CTR_SC_MASKED_EQ},
    {"SCMP_CMP_LT", CTR_SC_LT}, {"SCMP_CMP_LE", CTR_SC_LE}, {"SCMP_CMP_GE", CTR_SC_GE},
    {"SCMP_CMP_GT", CTR_SC_GT},
};

/* The action at key (and its errno at errno_key; EPERM when absent, as
 * runc and crun take it). */
static int parse_action(yajl_val obj, const char *key, const char *errno_key, const char *what, enum ctr_sc_action *a,
                        int *e, struct burrow_err **err)
{
	yajl_val v = json_get(obj, key);
	if (!v)
		return burrow_error(err, 0, "%s: no %s", what, key);
	const char *name = YAJL_GET_STRING(v);
	if (!name)
		return burrow_error(err, 0, "%s: %s is not a string", what, key);
	size_t i = 0;
	while (i < sizeof(actions) / sizeof(actions[0]) && strcmp(actions[i].name, name) != 0)
		i++;
	if (i == sizeof(actions) / sizeof(actions[0])) {
		if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
			return burrow_error(err, 0, "%s: SCMP_ACT_NOTIFY is not supported", what);
		return burrow_error(err, 0, "%s: unknown action '%s'", what, str_quote(name));
	}
	*a = actions[i].action;
	*e = EPERM;
	yajl_val ev = json_get(obj, errno_key);
	if (ev) {
		if (!YAJL_IS_INTEGER(ev) || YAJL_GET_INTEGER(ev) < 0 || YAJL_GET_INTEGER(ev) > 4095)
			return burrow_error(err, 0, "%s: %s is not an errno (0-4095)", what, errno_key);
		*e = (int)YAJL_GET_INTEGER(ev);
	}
	return 0;
}

/* An array of strings at key (absent: NULL); anything else refused. */
static int get_strv(yajl_val obj, const char *key, const char *what, char ***out, struct burrow_err **err)
{
	*out = NULL;
	yajl_val v = json_get(obj, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return burrow_error(err, 0, "%s: %s is not an array", what, key);
	char **r = xcalloc(v->u.array.len + 1, sizeof(char *));
	for (size_t i = 0; i < v->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(v->u.array.values[i]);
		if (!s) {
			strv_free(r);
			return burrow_error(err, 0, "%s: %s holds something that is not a string", what, key);
		}
		r[i] = xstrdup(s);
	}
	*out = r;
	return 0;
}

static int check_arch(const char *a, const char *what, struct burrow_err **err)
{
	if (strncmp(a, "SCMP_ARCH_", 10) == 0 && a[10]) {
		cleanup_free char *lower = xstrdup(a + 10);
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (seccomp_arch_resolve_name(lower))
			return 0;
	}
	return burrow_error(err, 0, "%s: unknown architecture '%s'", what, str_quote(a));
}

/* "5.8" against the running kernel: 1 when it is at least that old. */
static int kernel_at_least(const char *min, const char *what, struct burrow_err **err)
{
	unsigned want_major, want_minor;
	char end;
	if (sscanf(min, "%u.%u%c", &want_major, &want_minor, &end) != 2)
		return burrow_error(err, 0, "%s: minKernel '%s' is not MAJOR.MINOR", what, str_quote(min));
	struct utsname u;
	unsigned major = 0, minor = 0;
	if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) >= 1)
		return major > want_major || (major == want_major && minor >= want_minor);
	return 1;
}

/* includes or excludes: caps, arches (podman's names: amd64...),
 * minKernel (includes only). *skip: the rule cannot hold on this kernel. */
static int parse_filter(yajl_val r, const char *key, const char *what, struct ctr_sc_filter *f, bool *skip,
                        struct burrow_err **err)
{
	yajl_val v = json_get(r, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return burrow_error(err, 0, "%s: %s is not an object", what, key);
	char **caps = NULL, **arches = NULL;
	if (get_strv(v, "caps", what, &caps, err) < 0 || get_strv(v, "arches", what, &arches, err) < 0)
		return -1;
	f->caps = (const char *const *)caps;
	f->arches = (const char *const *)arches;
	for (size_t i = 0; caps && caps[i]; i++) {
		if (strncmp(caps[i], "CAP_", 4) != 0)
			return burrow_error(err, 0, "%s: %s.caps: '%s' is not a capability", what, key,
			                    str_quote(caps[i]));
	}
	const char *min = json_get_str(v, "minKernel");
	if (min && *min) {
		if (strcmp(key, "includes") != 0)
			return burrow_error(err, 0, "%s: minKernel belongs in includes", what);
		int r2 = kernel_at_least(min, what, err);
		if (r2 < 0)
			return -1;
		*skip = r2 == 0;
	}
	return 0;
}

static int parse_args(yajl_val v, const char *what, struct ctr_sc_rule *rule, struct burrow_err **err)
{
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return burrow_error(err, 0, "%s: args is not an array", what);
	if (v->u.array.len > 6)
		return burrow_error(err, 0, "%s: more than 6 argument rules", what);
	struct ctr_sc_arg *args = xcalloc(v->u.array.len + 1, sizeof(*args));
	rule->args = args;
	for (size_t k = 0; k < v->u.array.len; k++) {
		yajl_val a = v->u.array.values[k];
		if (!YAJL_IS_OBJECT(a))
			return burrow_error(err, 0, "%s: args[%zu] is not an object", what, k);
		yajl_val idx = json_get(a, "index");
		if (!idx || !YAJL_IS_INTEGER(idx) || YAJL_GET_INTEGER(idx) < 0 || YAJL_GET_INTEGER(idx) > 5)
			return burrow_error(err, 0, "%s: args[%zu].index is not 0-5", what, k);
		args[k].index = (unsigned)YAJL_GET_INTEGER(idx);
		static const char *const keys[] = {"value", "valueTwo"};
		unsigned long long *dst[] = {&args[k].value, &args[k].value_two};
		for (size_t j = 0; j < 2; j++) {
			yajl_val n = json_get(a, keys[j]);
			if (!n)
				continue;
			/* yajl keeps numbers past LLONG_MAX as text only */
			const char *txt = YAJL_IS_NUMBER(n) ? n->u.number.r : NULL;
			char *end = NULL;
			errno = 0;
			unsigned long long u = txt && *txt != '-' ? strtoull(txt, &end, 10) : 0;
			if (!txt || *txt == '-' || errno || !end || *end)
				return burrow_error(err, 0, "%s: args[%zu].%s is not an unsigned 64-bit number", what,
				                    k, keys[j]);
			*dst[j] = u;
		}
		const char *op = json_get_str(a, "op");
		size_t o = 0;
		while (op && o < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[o].name, op) != 0)
			o++;
		if (!op || o == sizeof(ops) / sizeof(ops[0]))
			return burrow_error(err, 0, "%s: args[%zu]: unknown operator '%s'", what, k,
			                    str_quote(op ? op : ""));
		args[k].op = ops[o].op;
		rule->n_args++;
	}
	return 0;
}

static void rule_clear(struct ctr_sc_rule *r)
{
	strv_free((char **)r->names);
	free((void *)r->args);
	strv_free((char **)r->includes.caps);
	strv_free((char **)r->includes.arches);
	strv_free((char **)r->excludes.caps);
	strv_free((char **)r->excludes.arches);
}

/* One syscalls[] entry into *rule; *skip when it cannot hold here. */
static int parse_rule(yajl_val r, size_t i, struct ctr_sc_rule *rule, bool *skip, struct burrow_err **err)
{
	char what[64];
	snprintf(what, sizeof(what), "syscalls[%zu]", i);
	if (!YAJL_IS_OBJECT(r))
		return burrow_error(err, 0, "%s is not an object", what);
	char **names = NULL;
	if (get_strv(r, "names", what, &names, err) < 0)
		return -1;
	const char *one = json_get_str(r, "name");
	if (one && *one)
		strv_append(&names, one);
	rule->names = (const char *const *)names;
	if (!names || !names[0])
		return burrow_error(err, 0, "%s: no names", what);
	for (size_t k = 0; names[k]; k++)
		if (!names[k][0])
			return burrow_error(err, 0, "%s: an empty syscall name", what);
	if (parse_action(r, "action", "errnoRet", what, &rule->action, &rule->errno_ret, err) < 0 ||
	    parse_args(json_get(r, "args"), what, rule, err) < 0 ||
	    parse_filter(r, "includes", what, &rule->includes, skip, err) < 0 ||
	    parse_filter(r, "excludes", what, &rule->excludes, skip, err) < 0)
		return -1;
	return 0;
}

/* architectures (SCMP_ARCH_* all used) or archMap (the native one and its
 * companions), not both, as podman. */
static int parse_arches(yajl_val root, struct ctr_sc_profile *p, struct burrow_err **err)
{
	char **arches = NULL;
	if (get_strv(root, "architectures", "the profile", &arches, err) < 0)
		return -1;
	p->arches = (const char *const *)arches;
	for (size_t i = 0; arches && arches[i]; i++)
		if (check_arch(arches[i], "architectures", err) < 0)
			return -1;
	yajl_val map = json_get(root, "archMap");
	if (!map || YAJL_IS_NULL(map))
		return 0;
	if (arches && arches[0])
		return burrow_error(err, 0, "the profile gives both architectures and archMap: use one");
	if (!YAJL_IS_ARRAY(map))
		return burrow_error(err, 0, "archMap is not an array");
	struct ctr_sc_arch *m = xcalloc(map->u.array.len + 1, sizeof(*m));
	p->arch_map = m;
	for (size_t i = 0; i < map->u.array.len; i++) {
		yajl_val e = map->u.array.values[i];
		const char *a = json_get_str(e, "architecture");
		if (!a)
			return burrow_error(err, 0, "archMap[%zu]: no architecture", i);
		if (check_arch(a, "archMap", err) < 0)
			return -1;
		m[i].arch = xstrdup(a);
		p->n_arch_map++;
		char **subs = NULL;
		if (get_strv(e, "subArchitectures", "archMap", &subs, err) < 0)
			return -1;
		m[i].subs = (const char *const *)subs;
		for (size_t k = 0; subs && subs[k]; k++)
			if (check_arch(subs[k], "archMap", err) < 0)
				return -1;
	}
	if (arches && !arches[0]) {
		strv_free(arches);
		p->arches = NULL;
	}
	return 0;
}

void ctr_seccomp_profile_free(struct ctr_sc_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_rules; i++)
		rule_clear((struct ctr_sc_rule *)&p->rules[i]);
	free((void *)p->rules);
	for (size_t i = 0; i < p->n_arch_map; i++) {
		free((void *)p->arch_map[i].arch);
		strv_free((char **)p->arch_map[i].subs);
	}
	free((void *)p->arch_map);
	strv_free((char **)p->arches);
	free(p);
}

void ctr_seccomp_gen_for(yajl_gen g, const char *profile, const char *const *caps)
{
	struct ctr_sc_profile *p = NULL;
	if (!profile) {
		ctr_seccomp_gen(g, &ctr_seccomp_default, ctr_seccomp_native_arch(), caps);
		return;
	}
	/* checked at create: this fails only when memory does; then nothing
	 * may run rather than run unconfined */
	if (ctr_seccomp_parse(profile, "stored", &p, NULL) < 0) {
		static const struct ctr_sc_profile deny = {.default_action = CTR_SC_KILL_PROCESS};
		ctr_seccomp_gen(g, &deny, ctr_seccomp_native_arch(), caps);
		return;
	}
	ctr_seccomp_gen(g, p, ctr_seccomp_native_arch(), caps);
	ctr_seccomp_profile_free(p);
}

int ctr_seccomp_parse(const char *json, const char *what, struct ctr_sc_profile **out, struct burrow_err **err)
{
	*out = NULL;
	cleanup_yajl yajl_val root = json_parse(json, err);
	if (!root)
		return burrow_error_wrap(err, "seccomp profile '%s'", str_quote(what));
	struct ctr_sc_profile *p = xcalloc(1, sizeof(*p));
	int ret = -1;
	if (!YAJL_IS_OBJECT(root)) {
		burrow_error(err, 0, "not a JSON object");
		goto out;
	}
	if (parse_action(root, "defaultAction", "defaultErrnoRet", "the profile", &p->default_action, &p->default_errno,
	                 err) < 0 ||
	    parse_arches(root, p, err) < 0)
		goto out;
	yajl_val rules = json_get(root, "syscalls");
	if (rules && !YAJL_IS_NULL(rules)) {
		if (!YAJL_IS_ARRAY(rules)) {
			burrow_error(err, 0, "syscalls is not an array");
			goto out;
		}
		struct ctr_sc_rule *r = xcalloc(rules->u.array.len + 1, sizeof(*r));
		p->rules = r;
		for (size_t i = 0; i < rules->u.array.len; i++) {
			bool skip = false;
			struct ctr_sc_rule *rule = &r[p->n_rules];
			int rc = parse_rule(rules->u.array.values[i], i, rule, &skip, err);
			if (rc == 0 && !skip) {
				p->n_rules++;
				continue;
			}
			rule_clear(rule);
			memset(rule, 0, sizeof(*rule));
			if (rc < 0)
				goto out;
		}
	}
	*out = p;
	p = NULL;
	ret = 0;
out:
	ctr_seccomp_profile_free(p);
	if (ret < 0)
		burrow_error_wrap(err, "seccomp profile '%s'", str_quote(what));
	return ret;
}
