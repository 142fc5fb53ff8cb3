/* config.json (OCI runtime-spec 1.x) into struct rt_spec. */
#include "runtime/runtime.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <seccomp.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"

/* Namespaces: config.json's names, and /proc/PID/ns/'s. */
static const struct {
	const char *name;
	int flag;
	const char *proc;
} ns_types[] = {
    {"pid", CLONE_NEWPID, "pid"},          {"network", CLONE_NEWNET, "net"}, {"mount", CLONE_NEWNS, "mnt"},
    {"ipc", CLONE_NEWIPC, "ipc"},          {"uts", CLONE_NEWUTS, "uts"},     {"user", CLONE_NEWUSER, "user"},
    {"cgroup", CLONE_NEWCGROUP, "cgroup"},
#ifdef CLONE_NEWTIME
    {"time", CLONE_NEWTIME, "time"},
#endif
};

const char *rt_ns_name(int flag, bool proc)
{
	for (size_t k = 0; k < sizeof(ns_types) / sizeof(ns_types[0]); k++)
		if (ns_types[k].flag == flag)
			return proc ? ns_types[k].proc : ns_types[k].name;
	return "other";
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},       {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

const char *rt_rlimit_name(int resource)
{
	for (size_t k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
		if (rlimit_names[k].resource == resource)
			return rlimit_names[k].name;
	return "?";
}

/* Mount options that are flags. clear: the option removes the flag. */
static const struct {
	const char *name;
	unsigned long flag;
	bool clear;
} mount_flags[] = {
    {"ro", MS_RDONLY, false},
    {"rw", MS_RDONLY, true},
    {"nosuid", MS_NOSUID, false},
    {"suid", MS_NOSUID, true},
    {"nodev", MS_NODEV, false},
    {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},
    {"exec", MS_NOEXEC, true},
    {"sync", MS_SYNCHRONOUS, false},
    {"async", MS_SYNCHRONOUS, true},
    {"dirsync", MS_DIRSYNC, false},
    {"remount", MS_REMOUNT, false},
    {"noatime", MS_NOATIME, false},
    {"atime", MS_NOATIME, true},
    {"nodiratime", MS_NODIRATIME, false},
    {"diratime", MS_NODIRATIME, true},
    {"relatime", MS_RELATIME, false},
    {"norelatime", MS_RELATIME, true},
    {"strictatime", MS_STRICTATIME, false},
    {"nostrictatime", MS_STRICTATIME, true},
    {"bind", MS_BIND, false},
    {"rbind", MS_BIND | MS_REC, false},
};

static const struct {
	const char *name;
	unsigned long flag;
} propagation_flags[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Options other runtimes understand that mean nothing to the kernel and
 * nothing to us (SELinux relabelling, crun's copy-up knobs). */
static const char *const ignored_options[] = {"z", "Z", "tmpcopyup", "notmpcopyup", "copy-symlink", NULL};

int rt_parse_propagation(const char *s, unsigned long *out)
{
	for (size_t i = 0; i < sizeof(propagation_flags) / sizeof(propagation_flags[0]); i++) {
		if (strcmp(s, propagation_flags[i].name) == 0) {
			*out = propagation_flags[i].flag;
			return 0;
		}
	}
	return -1;
}

int rt_parse_mount_options(char *const *options, unsigned long *flags, unsigned long *propagation, char **data)
{
	unsigned long f = 0, p = 0;
	cleanup_free char *d = NULL;
	for (size_t i = 0; options && options[i]; i++) {
		const char *o = options[i];
		bool done = false;
		for (size_t k = 0; k < sizeof(mount_flags) / sizeof(mount_flags[0]) && !done; k++) {
			if (strcmp(o, mount_flags[k].name) != 0)
				continue;
			if (mount_flags[k].clear)
				f &= ~mount_flags[k].flag;
			else
				f |= mount_flags[k].flag;
			done = true;
		}
		if (!done && rt_parse_propagation(o, &p) == 0)
			done = true;
		if (!done && (strv_contains((char *const *)ignored_options, o) || str_has_prefix(o, "x-")))
			done = true;
		if (done || !*o)
			continue;
		if (d) {
			char *n = xasprintf("%s,%s", d, o);
			free(d);
			d = n;
		} else {
			d = xstrdup(o);
		}
	}
	*flags = f;
	*propagation = p;
	*data = steal_ptr(d);
	return 0;
}

/* A capability name: CAP_ followed by letters, digits and '_' (libcap's
 * cap_from_name also takes numbers and lists, which must not slip in). */
int rt_cap_from_name(const char *name, int *out)
{
	if (strncasecmp(name, "CAP_", 4) != 0 || !name[4])
		return -1;
	for (const char *p = name + 4; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return -1;
	cap_value_t v;
	if (cap_from_name(name, &v) < 0 || v < 0 || v > 63)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_caps(yajl_val caps, const char *key, uint64_t *out, struct burrow_err **err)
{
	*out = 0;
	yajl_val a = json_get(caps, key);
	if (!a)
		return 0;
	if (!YAJL_IS_ARRAY(a))
		return burrow_error(err, 0, "process.capabilities.%s: not an array", key);
	for (size_t i = 0; i < a->u.array.len; i++) {
		yajl_val e = a->u.array.values[i];
		int v;
		if (!YAJL_IS_STRING(e))
			return burrow_error(err, 0, "process.capabilities.%s: not a string", key);
		if (rt_cap_from_name(YAJL_GET_STRING(e), &v) < 0)
			return burrow_error(err, 0, "process.capabilities.%s: unknown capability '%s'", key,
			                    str_quote(YAJL_GET_STRING(e)));
		*out |= 1ULL << v;
	}
	return 0;
}

/* A JSON number that must be a non-negative integer within max. */
static int get_uint(yajl_val obj, const char *key, const char *what, unsigned long long max, bool required,
                    unsigned long long *out, struct burrow_err **err)
{
	yajl_val v = json_get(obj, key);
	if (!v) {
		if (required)
			return burrow_error(err, 0, "%s.%s: missing", what, key);
		return 1;
	}
	if (YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 && (unsigned long long)YAJL_GET_INTEGER(v) <= max) {
		*out = (unsigned long long)YAJL_GET_INTEGER(v);
		return 0;
	}
	/* yajl keeps numbers past LLONG_MAX as strings in u.number.r */
	if (YAJL_IS_NUMBER(v) && v->u.number.r && max == ULLONG_MAX) {
		const char *s = v->u.number.r;
		char *end = NULL;
		errno = 0;
		unsigned long long n = strtoull(s, &end, 10);
		if (*s != '-' && errno == 0 && end != s && !*end) {
			*out = n;
			return 0;
		}
	}
	return burrow_error(err, 0, "%s.%s: not an integer in range", what, key);
}

static char *abs_in_bundle(const char *bundle, const char *p)
{
	if (p[0] == '/')
		return xstrdup(p);
	return path_join(bundle, p);
}

/* process.user: numeric IDs, umask, additional groups. */
static int parse_user(struct rt_spec *s, yajl_val user, struct burrow_err **err)
{
	if (!user)
		return 0;
	unsigned long long v = 0;
	if (get_uint(user, "uid", "process.user", UINT32_MAX - 1, false, &v, err) < 0)
		return -1;
	s->uid = json_get(user, "uid") ? (uid_t)v : 0;
	if (get_uint(user, "gid", "process.user", UINT32_MAX - 1, false, &v, err) < 0)
		return -1;
	s->gid = json_get(user, "gid") ? (gid_t)v : 0;
	if (get_uint(user, "umask", "process.user", 0777, false, &v, err) < 0)
		return -1;
	if (json_get(user, "umask")) {
		s->has_umask = true;
		s->umask = (mode_t)v;
	}
	yajl_val g = json_get(user, "additionalGids");
	if (g && YAJL_IS_ARRAY(g)) {
		s->additional_gids = xcalloc(g->u.array.len + 1, sizeof(gid_t));
		for (size_t i = 0; i < g->u.array.len; i++) {
			yajl_val e = g->u.array.values[i];
			if (!YAJL_IS_INTEGER(e) || YAJL_GET_INTEGER(e) < 0 || YAJL_GET_INTEGER(e) >= UINT32_MAX)
				return burrow_error(err, 0, "process.user.additionalGids: not a group ID");
			s->additional_gids[s->n_additional_gids++] = (gid_t)YAJL_GET_INTEGER(e);
		}
	}
	if (json_get(user, "username"))
		return burrow_error(err, 0, "process.user.username: only numeric IDs are supported");
	return 0;
}

static int parse_rlimits(struct rt_spec *s, yajl_val rl, struct burrow_err **err)
{
	if (!rl || !YAJL_IS_ARRAY(rl))
		return 0;
	s->rlimits = xcalloc(rl->u.array.len + 1, sizeof(*s->rlimits));
	for (size_t i = 0; i < rl->u.array.len; i++) {
		yajl_val e = rl->u.array.values[i];
		const char *type = json_get_str(e, "type");
		int res = -1;
		for (size_t k = 0; type && k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
			if (strcmp(type, rlimit_names[k].name) == 0)
				res = rlimit_names[k].resource;
		if (res < 0)
			return burrow_error(err, 0, "process.rlimits: unknown type '%s'", str_quote(type ? type : ""));
		struct rt_rlimit *r = &s->rlimits[s->n_rlimits++];
		r->resource = res;
		if (get_uint(e, "soft", "process.rlimits", ULLONG_MAX, true, &r->soft, err) < 0 ||
		    get_uint(e, "hard", "process.rlimits", ULLONG_MAX, true, &r->hard, err) < 0)
			return burrow_error_wrap(err, "rlimit '%s'", str_quote(type));
		if (r->soft > r->hard)
			return burrow_error(err, 0, "process.rlimits: '%s' soft limit is above the hard limit",
			                    str_quote(type));
	}
	return 0;
}

static int parse_process(struct rt_spec *s, yajl_val proc, struct burrow_err **err)
{
	if (!proc || !YAJL_IS_OBJECT(proc))
		return burrow_error(err, 0, "process: missing");
	s->terminal = json_get_bool(proc, "terminal", false);
	yajl_val args = json_get(proc, "args");
	if (!args || !YAJL_IS_ARRAY(args) || args->u.array.len == 0)
		return burrow_error(err, 0, "process.args: missing or empty");
	for (size_t i = 0; i < args->u.array.len; i++)
		if (!YAJL_IS_STRING(args->u.array.values[i]))
			return burrow_error(err, 0, "process.args: not a string");
	s->args = json_get_strv(proc, "args");
	if (!s->args[0][0])
		return burrow_error(err, 0, "process.args: empty command");
	s->env = json_get_strv(proc, "env");
	if (!s->env)
		s->env = xcalloc(1, sizeof(char *));
	const char *cwd = json_get_str(proc, "cwd");
	if (cwd && cwd[0] != '/')
		return burrow_error(err, 0, "process.cwd: '%s' is not an absolute path", str_quote(cwd));
	s->cwd = xstrdup(cwd ? cwd : "/");

	if (parse_user(s, json_get(proc, "user"), err) < 0)
		return -1;

	s->no_new_privileges = json_get_bool(proc, "noNewPrivileges", false);

	yajl_val caps = json_get(proc, "capabilities");
	if (caps && YAJL_IS_OBJECT(caps)) {
		s->has_caps = true;
		if (parse_caps(caps, "bounding", &s->cap_bounding, err) < 0 ||
		    parse_caps(caps, "effective", &s->cap_effective, err) < 0 ||
		    parse_caps(caps, "permitted", &s->cap_permitted, err) < 0 ||
		    parse_caps(caps, "inheritable", &s->cap_inheritable, err) < 0 ||
		    parse_caps(caps, "ambient", &s->cap_ambient, err) < 0)
			return -1;
	}

	if (parse_rlimits(s, json_get(proc, "rlimits"), err) < 0)
		return -1;

	yajl_val oom = json_get(proc, "oomScoreAdj");
	if (oom) {
		if (!YAJL_IS_INTEGER(oom) || YAJL_GET_INTEGER(oom) < -1000 || YAJL_GET_INTEGER(oom) > 1000)
			return burrow_error(err, 0, "process.oomScoreAdj: not in -1000..1000");
		s->has_oom_score_adj = true;
		s->oom_score_adj = (int)YAJL_GET_INTEGER(oom);
	}
	return 0;
}

static int parse_mounts(struct rt_spec *s, yajl_val mounts, struct burrow_err **err)
{
	if (!mounts)
		return 0;
	if (!YAJL_IS_ARRAY(mounts))
		return burrow_error(err, 0, "mounts: not an array");
	s->mounts = xcalloc(mounts->u.array.len + 1, sizeof(*s->mounts));
	for (size_t i = 0; i < mounts->u.array.len; i++) {
		yajl_val m = mounts->u.array.values[i];
		const char *dest = json_get_str(m, "destination");
		if (!dest || dest[0] != '/')
			return burrow_error(err, 0, "mounts[%zu].destination: missing or not an absolute path", i);
		struct rt_mount *mt = &s->mounts[s->n_mounts++];
		mt->destination = xstrdup(dest);
		const char *type = json_get_str(m, "type");
		const char *src = json_get_str(m, "source");
		cleanup_strv char **opts = json_get_strv(m, "options");
		rt_parse_mount_options(opts, &mt->flags, &mt->propagation, &mt->data);
		if (type && (strcmp(type, "bind") == 0 || strcmp(type, "none") == 0) && !(mt->flags & MS_BIND))
			mt->flags |= MS_BIND | MS_REC;
		if (type && strcmp(type, "bind") != 0 && strcmp(type, "none") != 0)
			mt->type = xstrdup(type);
		if (!mt->type && !(mt->flags & MS_BIND))
			return burrow_error(err, 0, "mount '%s': no type and not a bind mount", str_quote(dest));
		if (!src && (mt->flags & MS_BIND))
			return burrow_error(err, 0, "mount '%s': bind mount without a source", str_quote(dest));
		if (src)
			mt->source = (mt->flags & MS_BIND) ? abs_in_bundle(s->bundle, src) : xstrdup(src);
	}
	return 0;
}

static const struct {
	const char *name;
	uint32_t action;
	bool takes_errno;
} seccomp_actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
};

static const struct {
	const char *name;
	int op;
} seccomp_ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

/* An action name plus its errno (errnoRet, default EPERM) for ERRNO/TRACE. */
static int seccomp_action(const char *name, yajl_val obj, const char *errno_key, uint32_t *out, struct burrow_err **err)
{
	for (size_t i = 0; name && i < sizeof(seccomp_actions) / sizeof(seccomp_actions[0]); i++) {
		if (strcmp(name, seccomp_actions[i].name) != 0)
			continue;
		*out = seccomp_actions[i].action;
		if (seccomp_actions[i].takes_errno) {
			long long e = json_get_int(obj, errno_key, EPERM);
			if (e < 0 || e > 0xffff)
				return burrow_error(err, 0, "linux.seccomp: %s out of range", errno_key);
			*out |= (uint32_t)e;
		}
		return 0;
	}
	return burrow_error(err, 0, "linux.seccomp: unsupported action '%s'", str_quote(name ? name : ""));
}

static int parse_seccomp(struct rt_spec *s, yajl_val sc, struct burrow_err **err)
{
	if (!sc)
		return 0;
	if (!YAJL_IS_OBJECT(sc))
		return burrow_error(err, 0, "linux.seccomp: not an object");
	struct rt_seccomp *f = xcalloc(1, sizeof(*f));
	s->seccomp = f;
	if (seccomp_action(json_get_str(sc, "defaultAction"), sc, "defaultErrnoRet", &f->default_action, err) < 0)
		return burrow_error_wrap(err, "defaultAction");
	yajl_val arches = json_get(sc, "architectures");
	if (arches && YAJL_IS_ARRAY(arches)) {
		f->arches = xcalloc(arches->u.array.len + 1, sizeof(uint32_t));
		for (size_t i = 0; i < arches->u.array.len; i++) {
			const char *a = YAJL_GET_STRING(arches->u.array.values[i]);
			if (!a || strncmp(a, "SCMP_ARCH_", 10) != 0)
				return burrow_error(err, 0, "linux.seccomp: unknown architecture '%s'",
				                    str_quote(a ? a : ""));
			cleanup_free char *lower = xstrdup(a + 10);
			for (char *p = lower; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			uint32_t tok = seccomp_arch_resolve_name(lower);
			if (!tok)
				return burrow_error(err, 0, "linux.seccomp: unknown architecture '%s'", str_quote(a));
			f->arches[f->n_arches++] = tok;
		}
	}
	yajl_val rules = json_get(sc, "syscalls");
	if (rules && !YAJL_IS_ARRAY(rules))
		return burrow_error(err, 0, "linux.seccomp.syscalls: not an array");
	if (!rules)
		return 0;
	f->rules = xcalloc(rules->u.array.len + 1, sizeof(*f->rules));
	for (size_t i = 0; i < rules->u.array.len; i++) {
		yajl_val r = rules->u.array.values[i];
		struct rt_seccomp_rule *rule = &f->rules[f->n_rules++];
		rule->names = json_get_strv(r, "names");
		if (!rule->names || !rule->names[0])
			return burrow_error(err, 0, "linux.seccomp.syscalls[%zu]: no names", i);
		if (seccomp_action(json_get_str(r, "action"), r, "errnoRet", &rule->action, err) < 0)
			return burrow_error_wrap(err, "syscall '%s'", str_quote(rule->names[0]));
		yajl_val args = json_get(r, "args");
		if (!args || !YAJL_IS_ARRAY(args))
			continue;
		if (args->u.array.len > 6)
			return burrow_error(err, 0, "linux.seccomp: syscall '%s' has more than 6 argument rules",
			                    str_quote(rule->names[0]));
		rule->args = xcalloc(args->u.array.len + 1, sizeof(*rule->args));
		for (size_t k = 0; k < args->u.array.len; k++) {
			yajl_val a = args->u.array.values[k];
			struct rt_seccomp_arg *arg = &rule->args[rule->n_args++];
			unsigned long long v = 0;
			if (get_uint(a, "index", "linux.seccomp.args", 5, true, &v, err) < 0)
				return -1;
			arg->index = (unsigned)v;
			if (get_uint(a, "value", "linux.seccomp.args", ULLONG_MAX, true, &v, err) < 0)
				return -1;
			arg->value = v;
			v = 0;
			if (get_uint(a, "valueTwo", "linux.seccomp.args", ULLONG_MAX, false, &v, err) < 0)
				return -1;
			arg->value_two = v;
			const char *op = json_get_str(a, "op");
			arg->op = 0;
			for (size_t o = 0; op && o < sizeof(seccomp_ops) / sizeof(seccomp_ops[0]); o++)
				if (strcmp(op, seccomp_ops[o].name) == 0)
					arg->op = seccomp_ops[o].op;
			if (!arg->op)
				return burrow_error(err, 0, "linux.seccomp: unknown operator '%s'",
				                    str_quote(op ? op : ""));
		}
	}
	return 0;
}

void rt_seccomp_free(struct rt_seccomp *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_rules; i++) {
		strv_free(f->rules[i].names);
		free(f->rules[i].args);
	}
	free(f->rules);
	free(f->arches);
	free(f);
}

/* linux.uidMappings or gidMappings: [{containerID, hostID, size}...] as
 * /proc/PID/uid_map takes them; *out stays NULL when absent. */
static int parse_id_mappings(yajl_val a, const char *what, char **out, struct burrow_err **err)
{
	if (!a)
		return 0;
	if (!YAJL_IS_ARRAY(a) || a->u.array.len == 0 || a->u.array.len > 340)
		return burrow_error(err, 0, "%s: not an array of 1 to 340 mappings", what);
	char *text = xstrdup("");
	for (size_t i = 0; i < a->u.array.len; i++) {
		unsigned long long v[3];
		static const char *const keys[] = {"containerID", "hostID", "size"};
		for (size_t k = 0; k < 3; k++) {
			if (get_uint(a->u.array.values[i], keys[k], what, UINT32_MAX, true, &v[k], err) < 0) {
				free(text);
				return -1;
			}
		}
		if (v[2] == 0 || v[0] + v[2] > UINT32_MAX || v[1] + v[2] > UINT32_MAX) {
			free(text);
			return burrow_error(err, 0, "%s: mapping %zu is empty or out of range", what, i);
		}
		char *n = xasprintf("%s%llu %llu %llu\n", text, v[0], v[1], v[2]);
		free(text);
		text = n;
	}
	*out = text;
	return 0;
}

/* linux.namespaces: CLONE_NEW* flags to create, paths to join. */
static int parse_namespaces(struct rt_spec *s, yajl_val ns, struct burrow_err **err)
{
	if (!ns || !YAJL_IS_ARRAY(ns))
		return 0;
	s->namespaces = xcalloc(ns->u.array.len + 1, sizeof(*s->namespaces));
	for (size_t i = 0; i < ns->u.array.len; i++) {
		yajl_val e = ns->u.array.values[i];
		const char *type = json_get_str(e, "type");
		const char *path = json_get_str(e, "path");
		int flag = 0;
		for (size_t k = 0; type && k < sizeof(ns_types) / sizeof(ns_types[0]); k++)
			if (strcmp(type, ns_types[k].name) == 0)
				flag = ns_types[k].flag;
		if (!flag)
			return burrow_error(err, 0, "linux.namespaces: unknown type '%s'", str_quote(type ? type : ""));
		if (flag == CLONE_NEWUSER && path && *path)
			return burrow_error(err, 0, "linux.namespaces: joining a user namespace is not supported");
#ifdef CLONE_NEWTIME
		if (flag == CLONE_NEWTIME)
			return burrow_error(err, 0, "linux.namespaces: a time namespace is not supported");
#endif
		if (flag == CLONE_NEWNS && path && *path)
			return burrow_error(err, 0, "linux.namespaces: joining a %s namespace is not supported", type);
		for (size_t k = 0; k < s->n_namespaces; k++)
			if (s->namespaces[k].flag == flag)
				return burrow_error(err, 0, "linux.namespaces: '%s' is listed twice", str_quote(type));
		struct rt_namespace *n = &s->namespaces[s->n_namespaces++];
		n->flag = flag;
		if (path && *path) {
			if (path[0] != '/')
				return burrow_error(err, 0, "linux.namespaces: path '%s' is not absolute",
				                    str_quote(path));
			n->path = xstrdup(path);
			long long st = json_get_int(e, "burrowPidStart", 0);
			n->pid_start = st > 0 ? (unsigned long long)st : 0;
		} else {
			s->clone_flags |= flag;
		}
	}
	return 0;
}

/* linux.personality: the execution domain the process runs in; the OCI
 * spec names two, LINUX and LINUX32 (uname -m says i686 on x86_64), and
 * crun refuses any other, as here. Its flags are not supported. */
static int parse_personality(struct rt_spec *s, yajl_val p, struct burrow_err **err)
{
	if (!p)
		return 0;
	const char *domain = json_get_str(p, "domain");
	if (!domain || (strcmp(domain, "LINUX") != 0 && strcmp(domain, "LINUX32") != 0))
		return burrow_error(err, 0, "linux.personality: unknown domain '%s' (LINUX or LINUX32)",
		                    str_quote(domain ? domain : ""));
	yajl_val flags = json_get(p, "flags");
	if (flags && (!YAJL_IS_ARRAY(flags) || flags->u.array.len))
		return burrow_error(err, 0, "linux.personality: flags are not supported");
	s->has_personality = true;
	s->personality = strcmp(domain, "LINUX") == 0 ? PER_LINUX : PER_LINUX32;
	return 0;
}

static int parse_linux(struct rt_spec *s, yajl_val lx, struct burrow_err **err)
{
	s->rootfs_propagation = MS_REC | MS_PRIVATE;
	if (lx) {
		if (parse_namespaces(s, json_get(lx, "namespaces"), err) < 0 ||
		    parse_id_mappings(json_get(lx, "uidMappings"), "linux.uidMappings", &s->uid_map, err) < 0 ||
		    parse_id_mappings(json_get(lx, "gidMappings"), "linux.gidMappings", &s->gid_map, err) < 0)
			return -1;
		if ((s->uid_map || s->gid_map) && !(s->clone_flags & CLONE_NEWUSER))
			return burrow_error(err, 0, "linux.uidMappings: needs a new user namespace");
		if ((s->clone_flags & CLONE_NEWUSER) && (!s->uid_map || !s->gid_map))
			return burrow_error(err, 0,
			                    "linux.namespaces: a user namespace needs uidMappings and gidMappings");
		s->masked_paths = json_get_strv(lx, "maskedPaths");
		s->readonly_paths = json_get_strv(lx, "readonlyPaths");
		const char *prop = json_get_str(lx, "rootfsPropagation");
		if (prop && rt_parse_propagation(prop, &s->rootfs_propagation) < 0)
			return burrow_error(err, 0, "linux.rootfsPropagation: unknown value '%s'", str_quote(prop));
		yajl_val sc = json_get(lx, "sysctl");
		if (sc && YAJL_IS_OBJECT(sc)) {
			for (size_t i = 0; i < sc->u.object.len; i++) {
				const char *k = sc->u.object.keys[i];
				yajl_val v = sc->u.object.values[i];
				if (!YAJL_IS_STRING(v))
					return burrow_error(err, 0, "linux.sysctl: '%s' is not a string", str_quote(k));
				if (!*k || strstr(k, "..") || strchr(k, '/'))
					return burrow_error(err, 0, "linux.sysctl: invalid key '%s'", str_quote(k));
				strv_append(&s->sysctl, k);
				strv_append(&s->sysctl, YAJL_GET_STRING(v));
			}
		}
		if (parse_seccomp(s, json_get(lx, "seccomp"), err) < 0 ||
		    parse_personality(s, json_get(lx, "personality"), err) < 0)
			return -1;
		yajl_val dev = json_get(lx, "devices");
		if (dev && YAJL_IS_ARRAY(dev)) {
			for (size_t i = 0; i < dev->u.array.len; i++) {
				const char *p = json_get_str(dev->u.array.values[i], "path");
				if (!p || strncmp(p, "/dev/", 5) != 0 || strstr(p, ".."))
					return burrow_error(err, 0, "linux.devices: path '%s' is not under /dev",
					                    str_quote(p ? p : ""));
				strv_append(&s->devices, p);
			}
		}
	}
	if (!s->masked_paths)
		s->masked_paths = xcalloc(1, sizeof(char *));
	if (!s->readonly_paths)
		s->readonly_paths = xcalloc(1, sizeof(char *));
	if (!s->sysctl)
		s->sysctl = xcalloc(1, sizeof(char *));
	if (!s->devices)
		s->devices = xcalloc(1, sizeof(char *));
	return 0;
}

int rt_spec_parse(const char *json, const char *bundle, struct rt_spec **out, struct burrow_err **err)
{
	cleanup_yajl yajl_val doc = json_parse(json, err);
	if (!doc)
		return -1;
	if (!YAJL_IS_OBJECT(doc))
		return burrow_error(err, 0, "not a JSON object");
	struct rt_spec *s = xcalloc(1, sizeof(*s));
	s->bundle = xstrdup(bundle);

	yajl_val root = json_get(doc, "root");
	const char *rp = json_get_str(root, "path");
	if (!rp || !*rp) {
		rt_spec_free(s);
		return burrow_error(err, 0, "root.path: missing");
	}
	s->root_path = abs_in_bundle(bundle, rp);
	s->root_readonly = json_get_bool(root, "readonly", false);
	const char *hn = json_get_str(doc, "hostname");
	if (hn && *hn)
		s->hostname = xstrdup(hn);

	const char *kg = json_get_str(json_get(doc, "annotations"), "run.oci.keep_original_groups");
	s->keep_groups = kg && strcmp(kg, "1") == 0;
	if (parse_process(s, json_get(doc, "process"), err) < 0 || parse_mounts(s, json_get(doc, "mounts"), err) < 0 ||
	    parse_linux(s, json_get(doc, "linux"), err) < 0) {
		rt_spec_free(s);
		return -1;
	}
	if (!(s->clone_flags & CLONE_NEWNS)) {
		rt_spec_free(s);
		return burrow_error(err, 0, "linux.namespaces: a new mount namespace is required");
	}
	if (s->hostname && !(s->clone_flags & CLONE_NEWUTS)) {
		rt_spec_free(s);
		return burrow_error(err, 0, "hostname: needs a new uts namespace");
	}
	*out = s;
	return 0;
}

int rt_spec_load(const char *bundle, struct rt_spec **out, struct burrow_err **err)
{
	cleanup_free char *abs = NULL;
	if (bundle[0] == '/') {
		abs = xstrdup(bundle);
	} else {
		cleanup_free char *cwd = getcwd(NULL, 0);
		if (!cwd)
			return burrow_error(err, errno, "cannot get the current directory");
		abs = path_join(cwd, bundle);
	}
	cleanup_free char *path = path_join(abs, "config.json");
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return -1;
	if (rt_spec_parse(text, abs, out, err) < 0)
		return burrow_error_wrap(err, "'%s'", str_quote(path));
	return 0;
}

void rt_spec_free(struct rt_spec *s)
{
	if (!s)
		return;
	free(s->bundle);
	free(s->root_path);
	free(s->hostname);
	strv_free(s->args);
	strv_free(s->env);
	free(s->cwd);
	free(s->additional_gids);
	free(s->rlimits);
	for (size_t i = 0; i < s->n_namespaces; i++)
		free(s->namespaces[i].path);
	free(s->namespaces);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		free(s->mounts[i].data);
	}
	free(s->mounts);
	strv_free(s->masked_paths);
	strv_free(s->readonly_paths);
	strv_free(s->sysctl);
	strv_free(s->devices);
	rt_seccomp_free(s->seccomp);
	free(s->uid_map);
	free(s->gid_map);
	free(s);
}
