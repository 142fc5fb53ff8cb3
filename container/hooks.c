/* OCI hooks (see hooks.h). */
#include "container/hooks.h"
#include "container/bundle.h"
#include "container/mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

const char *const ctr_hooks_default_dirs[] = {"/usr/share/containers/oci/hooks.d", "/etc/containers/oci/hooks.d", NULL};

static const char *const stages[] = {"prestart",  "createRuntime", "createContainer", "startContainer",
                                     "poststart", "poststop",      "precreate"};

#define HOOK_FILE_MAX (1 << 20)

static bool known_stage(const char *s)
{
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (strcmp(stages[i], s) == 0)
			return true;
	return false;
}

static bool valid_regex(const char *re)
{
	regex_t r;
	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	regfree(&r);
	return true;
}

static bool regex_match(const char *re, const char *s)
{
	regex_t r;
	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	bool m = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return m;
}

static bool all_strings(yajl_val arr)
{
	if (!YAJL_IS_ARRAY(arr))
		return false;
	for (size_t i = 0; i < arr->u.array.len; i++)
		if (!YAJL_IS_STRING(arr->u.array.values[i]))
			return false;
	return true;
}

static int check_doc(yajl_val doc, struct burrow_err **err)
{
	if (!YAJL_IS_OBJECT(doc))
		return burrow_error(err, 0, "not a JSON object");
	const char *version = json_get_str(doc, "version");
	if (!version || strcmp(version, "1.0.0") != 0)
		return burrow_error(err, 0, "unknown version '%s' (1.0.0 is known)", str_quote(version ? version : ""));
	yajl_val hook = json_get(doc, "hook");
	const char *path = hook ? json_get_str(hook, "path") : NULL;
	if (!path || path[0] != '/')
		return burrow_error(err, 0, "hook.path: an absolute path is required");
	yajl_val v;
	if ((v = json_get(hook, "args")) && !all_strings(v))
		return burrow_error(err, 0, "hook.args: not an array of strings");
	if ((v = json_get(hook, "env")) && !all_strings(v))
		return burrow_error(err, 0, "hook.env: not an array of strings");
	if ((v = json_get(hook, "timeout")) && (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) <= 0))
		return burrow_error(err, 0, "hook.timeout: must be a number of seconds above 0");
	yajl_val when = json_get(doc, "when");
	if (!YAJL_IS_OBJECT(when) || when->u.object.len == 0)
		return burrow_error(err, 0, "when: at least one condition is required");
	if ((v = json_get(when, "always")) && !YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return burrow_error(err, 0, "when.always: not a boolean");
	if ((v = json_get(when, "hasBindMounts")) && !YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return burrow_error(err, 0, "when.hasBindMounts: not a boolean");
	if ((v = json_get(when, "commands"))) {
		if (!all_strings(v))
			return burrow_error(err, 0, "when.commands: not an array of strings");
		for (size_t i = 0; i < v->u.array.len; i++)
			if (!valid_regex(YAJL_GET_STRING(v->u.array.values[i])))
				return burrow_error(err, 0, "when.commands: invalid regular expression '%s'",
				                    str_quote(YAJL_GET_STRING(v->u.array.values[i])));
	}
	if ((v = json_get(when, "annotations"))) {
		if (!YAJL_IS_OBJECT(v))
			return burrow_error(err, 0, "when.annotations: not an object");
		for (size_t i = 0; i < v->u.object.len; i++) {
			yajl_val val = v->u.object.values[i];
			if (!YAJL_IS_STRING(val) || !valid_regex(v->u.object.keys[i]) ||
			    !valid_regex(YAJL_GET_STRING(val)))
				return burrow_error(err, 0, "when.annotations: invalid regular expression for '%s'",
				                    str_quote(v->u.object.keys[i]));
		}
	}
	yajl_val st = json_get(doc, "stages");
	if (!st || !all_strings(st) || st->u.array.len == 0)
		return burrow_error(err, 0, "stages: a non-empty array of stages is required");
	for (size_t i = 0; i < st->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(st->u.array.values[i]);
		if (!known_stage(s))
			return burrow_error(err, 0, "stages: unknown or unsupported stage '%s'", str_quote(s));
	}
	return 0;
}

int ctr_hook_check(const char *json, struct burrow_err **err)
{
	cleanup_yajl yajl_val doc = json_parse(json, err);
	return doc ? check_doc(doc, err) : -1;
}

/* The hook files of dirs, masked by name (a later directory wins),
 * sorted by name: "NAME\tPATH" entries. */
static char **hook_files(char *const *dirs)
{
	char **names = xcalloc(1, sizeof(char *));
	for (size_t d = 0; dirs[d]; d++) {
		cleanup_dir DIR *dir = opendir(dirs[d]);
		struct dirent *e;
		while (dir && (e = readdir(dir))) {
			if (e->d_name[0] == '.' || !str_has_suffix(e->d_name, ".json"))
				continue;
			cleanup_free char *prefix = xasprintf("%s\t", e->d_name);
			char *entry = xasprintf("%s%s/%s", prefix, dirs[d], e->d_name);
			size_t i = 0;
			while (names[i] && !str_has_prefix(names[i], prefix))
				i++;
			if (names[i]) {
				free(names[i]);
				names[i] = entry;
			} else {
				strv_append_take(&names, entry);
			}
		}
	}
	qsort(names, strv_len(names), sizeof(char *), strv_cmp);
	return names;
}

static char *const *dirs_of(char *const *dirs)
{
	return dirs && dirs[0] ? dirs : (char *const *)ctr_hooks_default_dirs;
}

/* path's hook document, checked; NULL and err otherwise. */
static yajl_val load_hook(const char *path, struct burrow_err **err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct stat st;
	if (stat(path, &st) == 0 && st.st_size > HOOK_FILE_MAX)
		return burrow_error(err, 0, "larger than 1 MiB"), NULL;
	if (read_file(path, &text, &len, err) < 0)
		return NULL;
	yajl_val doc = json_parse(text, err);
	if (doc && check_doc(doc, err) < 0) {
		yajl_tree_free(doc);
		return NULL;
	}
	return doc;
}

void ctr_hooks_warn_invalid(char *const *dirs)
{
	cleanup_strv char **files = hook_files(dirs_of(dirs));
	for (size_t i = 0; files[i]; i++) {
		const char *path = strchr(files[i], '\t') + 1;
		struct burrow_err *e = NULL;
		yajl_val doc = load_hook(path, &e);
		if (doc) {
			yajl_tree_free(doc);
			continue;
		}
		burrow_warn("skipping the hook file '%s': %s", str_quote(path), e->msg);
		burrow_err_free(e);
	}
}

/* Whether every condition of when holds for c. */
static bool applies(yajl_val when, const struct ctr_config *c)
{
	yajl_val v;
	if ((v = json_get(when, "always")) && !YAJL_IS_TRUE(v))
		return false;
	if ((v = json_get(when, "hasBindMounts"))) {
		bool has = false;
		for (size_t i = 0; c->mounts && c->mounts[i]; i++)
			has = has || str_has_prefix(c->mounts[i], "bind\t");
		if (has != (bool)YAJL_IS_TRUE(v))
			return false;
	}
	if ((v = json_get(when, "commands"))) {
		const char *cmd = c->args && c->args[0] ? c->args[0] : "";
		bool any = false;
		for (size_t i = 0; i < v->u.array.len && !any; i++)
			any = regex_match(YAJL_GET_STRING(v->u.array.values[i]), cmd);
		if (!any)
			return false;
	}
	if ((v = json_get(when, "annotations"))) {
		/* each pair must match one of the container's annotations */
		for (size_t i = 0; i < v->u.object.len; i++) {
			bool any = false;
			for (size_t k = 0; c->annotations && c->annotations[k] && !any; k++) {
				const char *eq = strchr(c->annotations[k], '=');
				cleanup_free char *key =
				    xstrndup(c->annotations[k],
				             eq ? (size_t)(eq - c->annotations[k]) : strlen(c->annotations[k]));
				any = regex_match(v->u.object.keys[i], key) &&
				      regex_match(YAJL_GET_STRING(v->u.object.values[i]), eq ? eq + 1 : "");
			}
			if (!any)
				return false;
		}
	}
	return true;
}

static bool has_stage(yajl_val doc, const char *stage)
{
	yajl_val st = json_get(doc, "stages");
	for (size_t i = 0; st && i < st->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(st->u.array.values[i]);
		if (s && strcmp(s, stage) == 0)
			return true;
	}
	return false;
}

static char *state_json(const struct ctr_config *c, const char *status, pid_t pid, const char *bundle)
{
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "ociVersion", "1.0.2");
	jg_key_str(g, "id", c->id);
	jg_key_str(g, "status", status);
	if (pid > 0)
		jg_key_int(g, "pid", pid);
	jg_key_str(g, "bundle", bundle);
	jg_key(g, "annotations");
	ctr_spec_annotations(g, c->annotations);
	jg_map_close(g);
	return json_gen_finish(g);
}

/* Runs one hook with input on its standard input, bounded by its
 * timeout. With out, what it prints (at most HOOK_FILE_MAX bytes) is
 * returned there; else its output goes to /dev/null. */
static int run_hook(yajl_val hook, const char *file, const char *input, char **out, struct burrow_err **err)
{
	const char *path = json_get_str(hook, "path");
	cleanup_strv char **args = json_get_strv(hook, "args");
	cleanup_strv char **env = json_get_strv(hook, "env");
	long long timeout = json_get_int(hook, "timeout", CTR_HOOKS_TIMEOUT_DEFAULT);
	if (!args || !args[0]) {
		strv_free(args);
		args = xcalloc(2, sizeof(char *));
		args[0] = xstrdup(path);
	}
	if (!env)
		env = xcalloc(1, sizeof(char *));
	/* the input from a file: a hook that does not read it blocks nobody */
	cleanup_close int in = memfd_create("burrow-hook-input", MFD_CLOEXEC);
	if (in < 0 || write_all(in, input, strlen(input)) < 0 || lseek(in, 0, SEEK_SET) < 0)
		return burrow_error(err, errno, "hook '%s' (%s): cannot pass it its input", str_quote(path), file);
	cleanup_close int rd = -1;
	cleanup_close int wr = -1;
	if (out) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0)
			return burrow_error(err, errno, "hook '%s' (%s): cannot make a pipe", str_quote(path), file);
		rd = p[0];
		wr = p[1];
	}
	cleanup_pid pid_t pid = fork();
	if (pid < 0)
		return burrow_error(err, errno, "hook '%s' (%s): cannot fork", str_quote(path), file);
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		int to = wr >= 0 ? wr : open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (dup2(in, 0) < 0 || (to >= 0 && dup2(to, 1) < 0))
			_exit(127);
		/* every fd of the monitor's is close-on-exec; a second line of
		 * defence all the same: the hook gets stdio and nothing else */
		close_fds_keep_from(STDERR_FILENO + 1, NULL, 0);
		execve(path, args, env);
		_exit(errno == ENOENT ? 127 : 126);
	}
	int status = 0, r;
	int64_t deadline = now_ms() + timeout * 1000;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (out) {
		close(steal_fd(wr));
		buf = xmalloc(HOOK_FILE_MAX + 2);
		r = proc_wait_output(pid, rd, buf, HOOK_FILE_MAX + 1, &len, deadline, &status);
		if (r == 1) /* reaped; else cleanup_pid kills and reaps it */
			steal_pid(pid);
	} else {
		r = proc_wait_child(pid, deadline, &status); /* kills it past the deadline */
		steal_pid(pid);
	}
	if (r == 0)
		return burrow_error(err, 0, "hook '%s' (%s) timed out after %lld s", str_quote(path), file, timeout);
	if (r < 0)
		return burrow_error(err, errno, "hook '%s' (%s): cannot wait for it", str_quote(path), file);
	if (status != 0) {
		cleanup_free char *how = proc_status_text(status);
		return burrow_error(err, 0, "hook '%s' (%s) failed: it %s", str_quote(path), file, how);
	}
	if (out) {
		if (len > HOOK_FILE_MAX)
			return burrow_error(err, 0, "hook '%s' (%s) printed more than 1 MiB", str_quote(path), file);
		buf[len] = '\0';
		*out = steal_ptr(buf);
	}
	return 0;
}

int ctr_hooks_run(const struct ctr_config *c, const char *stage, const char *status, pid_t pid, const char *bundle,
                  struct burrow_err **err)
{
	cleanup_strv char **files = hook_files(dirs_of(c->hooks_dirs));
	cleanup_free char *state = NULL;
	for (size_t i = 0; files[i]; i++) {
		const char *path = strchr(files[i], '\t') + 1;
		struct burrow_err *e = NULL;
		cleanup_yajl yajl_val doc = load_hook(path, &e);
		burrow_err_free(e); /* create warned of it */
		if (!doc || !has_stage(doc, stage) || !applies(json_get(doc, "when"), c))
			continue;
		if (!state)
			state = state_json(c, status, pid, bundle);
		if (run_hook(json_get(doc, "hook"), path, state, NULL, err) < 0)
			return burrow_error_wrap(err, "%s", stage);
	}
	return 0;
}

char *ctr_hooks_run_warn(const struct ctr_config *c, const char *stage, const char *status, pid_t pid,
                         const char *bundle)
{
	cleanup_err struct burrow_err *e = NULL;
	if (ctr_hooks_run(c, stage, status, pid, bundle, &e) == 0)
		return NULL;
	char *w = xasprintf("container '%s': %s", str_quote(c->name), e->msg);
	burrow_warn("%s", w);
	return w;
}

int ctr_hooks_run_prestart(const struct ctr_config *c, pid_t pid, const char *bundle, struct burrow_err **err)
{
	for (size_t i = 0; i < 4; i++)
		if (ctr_hooks_run(c, stages[i], "created", pid, bundle, err) < 0)
			return -1;
	return 0;
}

static bool has_mount_at(char *const *mounts, const char *dest)
{
	bool has = false;
	for (size_t i = 0; mounts && mounts[i] && !has; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(mounts[i], &m))
			continue;
		has = ctr_mount_same_dest(m.destination, dest);
		ctr_mount_clear(&m);
	}
	return has;
}

/* One entry of a precreate hook's mounts that c has none at, as the -v
 * (bind) or --tmpfs spec a user would type for it. */
static int precreate_mount(yajl_val e, const struct ctr_config *c, struct strv_builder *volumes,
                           struct strv_builder *tmpfs, struct burrow_err **err)
{
	static const char *const own[] = {"U", "O", "anon", "copy", "nocopy", NULL};
	const char *dst = json_get_str(e, "destination");
	const char *type = json_get_str(e, "type");
	const char *src = json_get_str(e, "source");
	yajl_val opts = json_get(e, "options");
	if (!YAJL_IS_OBJECT(e) || !dst || (json_get(e, "type") && !type) || (json_get(e, "source") && !src) ||
	    (opts && !all_strings(opts)))
		return burrow_error(err, 0, "mounts: an entry is not {destination, type, source, options}");
	if (has_mount_at(c->mounts, dst))
		return 0; /* the container's own: kept as it is */
	cleanup_strv char **o = json_strv(opts);
	bool bind = type ? strcmp(type, "bind") == 0 : o && (strv_contains(o, "bind") || strv_contains(o, "rbind"));
	if (!bind && (!type || strcmp(type, "tmpfs") != 0))
		return burrow_error(err, 0, "mounts: '%s': only bind and tmpfs mounts are taken from a precreate hook",
		                    str_quote(dst));
	for (size_t i = 0; o && o[i]; i++)
		if (strv_contains((char *const *)own, o[i]) || strchr(o[i], ':'))
			return burrow_error(err, 0, "mounts: '%s': option '%s' is not taken from a precreate hook",
			                    str_quote(dst), str_quote(o[i]));
	if (strchr(dst, ':') || (bind && (!src || src[0] != '/' || strchr(src, ':'))))
		return burrow_error(err, 0,
		                    "mounts: '%s': a bind mount needs an absolute source, and neither path may hold "
		                    "a ':'",
		                    str_quote(dst));
	cleanup_free char *joined = NULL;
	for (size_t i = 0; o && o[i]; i++) {
		char *j = xasprintf("%s%s%s", joined ? joined : "", joined ? "," : "", o[i]);
		free(joined);
		joined = j;
	}
	if (bind)
		strv_builder_take(volumes, xasprintf("%s:%s%s%s", src, dst, joined ? ":" : "", joined ? joined : ""));
	else
		strv_builder_take(tmpfs, xasprintf("%s%s%s", dst, joined ? ":" : "", joined ? joined : ""));
	return 0;
}

/* The new mounts of a precreate hook, checked and resolved as -v and
 * --tmpfs of the user's are, added to c's. */
static int precreate_mounts(struct state_store *s, yajl_val mounts, struct ctr_config *c, struct burrow_err **err)
{
	if (!YAJL_IS_ARRAY(mounts))
		return burrow_error(err, 0, "mounts: not an array");
	struct strv_builder vb = {0}, tb = {0};
	int r = 0;
	for (size_t i = 0; i < mounts->u.array.len && r == 0; i++)
		r = precreate_mount(mounts->u.array.values[i], c, &vb, &tb, err);
	cleanup_strv char **volumes = strv_builder_steal(&vb);
	cleanup_strv char **tmpfs = strv_builder_steal(&tb);
	if (r < 0 || (!volumes[0] && !tmpfs[0]))
		return r;
	struct ctr_mount_specs sp = {.volumes = volumes, .tmpfs = tmpfs};
	cleanup_strv char **added = NULL;
	if (ctr_mounts_check(&sp, NULL, err) < 0 || ctr_mounts_resolve(s, &sp, c->id, &added, err) < 0)
		return burrow_error_wrap(err, "mounts");
	for (size_t i = 0; added && added[i]; i++)
		strv_append(&c->mounts, added[i]);
	return 0;
}

/* A precreate hook's configuration: what burrow takes of it, checked,
 * into c. */
static int precreate_apply(struct state_store *s, yajl_val doc, struct ctr_config *c, struct burrow_err **err)
{
	if (!YAJL_IS_OBJECT(doc))
		return burrow_error(err, 0, "not a JSON object");
	yajl_val proc = json_get(doc, "process"), v;
	if (proc && !YAJL_IS_OBJECT(proc))
		return burrow_error(err, 0, "process: not an object");
	if ((v = json_get(proc, "args")) && (!all_strings(v) || v->u.array.len == 0))
		return burrow_error(err, 0, "process.args: not a non-empty array of strings");
	cleanup_strv char **args = json_strv(v);
	if ((v = json_get(proc, "env")) && !all_strings(v))
		return burrow_error(err, 0, "process.env: not an array of strings");
	cleanup_strv char **env = json_strv(v);
	for (size_t i = 0; env && env[i]; i++)
		if (env[i][0] == '=' || !strchr(env[i], '='))
			return burrow_error(err, 0, "process.env: '%s' is not NAME=VALUE", str_quote(env[i]));
	const char *cwd = NULL;
	if ((v = json_get(proc, "cwd")) && (!(cwd = YAJL_GET_STRING(v)) || cwd[0] != '/'))
		return burrow_error(err, 0, "process.cwd: not an absolute path");
	struct strv_builder ab = {0};
	yajl_val ann = json_get(doc, "annotations");
	if (ann && !YAJL_IS_OBJECT(ann))
		return burrow_error(err, 0, "annotations: not an object");
	for (size_t i = 0; ann && i < ann->u.object.len; i++) {
		const char *val = YAJL_GET_STRING(ann->u.object.values[i]);
		if (!val || !ann->u.object.keys[i][0] || strchr(ann->u.object.keys[i], '=')) {
			strv_free(strv_builder_steal(&ab));
			return burrow_error(err, 0, "annotations: '%s' is not a key with a string value",
			                    str_quote(ann->u.object.keys[i]));
		}
		strv_builder_take(&ab, xasprintf("%s=%s", ann->u.object.keys[i], val));
	}
	cleanup_strv char **annotations = strv_builder_steal(&ab);
	if ((v = json_get(doc, "mounts")) && precreate_mounts(s, v, c, err) < 0)
		return -1;
	if (args) {
		/* the entrypoint stays one while the hook kept it in front */
		for (size_t i = 0; i < c->entrypoint_len; i++)
			if (!args[i] || strcmp(args[i], c->args[i]) != 0)
				c->entrypoint_len = 0;
		strv_free(c->args);
		c->args = steal_ptr(args);
	}
	if (env) {
		strv_free(c->env);
		c->env = steal_ptr(env);
	}
	if (cwd) {
		free(c->workdir);
		c->workdir = xstrdup(cwd);
	}
	if (ann) {
		strv_free(c->annotations);
		c->annotations = annotations[0] ? steal_ptr(annotations) : NULL;
	}
	return 0;
}

int ctr_hooks_precreate(struct state_store *s, struct ctr_config *c, struct burrow_err **err)
{
	cleanup_strv char **files = hook_files(dirs_of(c->hooks_dirs));
	for (size_t i = 0; files[i]; i++) {
		const char *path = strchr(files[i], '\t') + 1;
		struct burrow_err *e = NULL;
		cleanup_yajl yajl_val doc = load_hook(path, &e);
		burrow_err_free(e); /* ctr_hooks_warn_invalid said it */
		if (!doc || !has_stage(doc, "precreate") || !applies(json_get(doc, "when"), c))
			continue;
		yajl_val hook = json_get(doc, "hook");
		cleanup_free char *input = ctr_spec_generate(c, NULL);
		cleanup_free char *output = NULL;
		if (run_hook(hook, path, input, &output, err) < 0)
			return burrow_error_wrap(err, "precreate");
		cleanup_yajl yajl_val spec = json_parse(output, err);
		if (!spec || precreate_apply(s, spec, c, err) < 0)
			return burrow_error_wrap(err,
			                         "precreate: hook '%s' (%s) printed a configuration burrow refuses",
			                         str_quote(json_get_str(hook, "path")), path);
	}
	return 0;
}
