/* ctr_create: validate everything, then write the records in one
 * transaction. Nothing is stored when anything is wrong. */
#include "container/container.h"
#include "container/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "state/state.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* --entrypoint: a JSON array, or one string (the command, not split). */
static char **parse_entrypoint(const char *s)
{
	if (!*s)
		return xcalloc(1, sizeof(char *));
	if (s[0] == '[') {
		yajl_val v = yajl_tree_parse(s, NULL, 0);
		if (v && YAJL_IS_ARRAY(v)) {
			struct strv_builder r = {0};
			for (size_t i = 0; i < v->u.array.len; i++)
				if (YAJL_IS_STRING(v->u.array.values[i]))
					strv_builder_add(&r, YAJL_GET_STRING(v->u.array.values[i]));
			yajl_tree_free(v);
			return strv_builder_steal(&r);
		}
		if (v)
			yajl_tree_free(v);
	}
	char **r = xcalloc(1, sizeof(char *));
	strv_append(&r, s);
	return r;
}

/* Opens path inside root without leaving it (symlinks resolved in root);
 * O_NONBLOCK, so that a FIFO an image put there cannot hold the open. */
static int open_in_root(const char *root, const char *path)
{
	cleanup_close int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	struct open_how how = {.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC,
	                       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	return (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}

int ctr_read_in_roots(char *const *roots, const char *file, char **out, struct burrow_err **err)
{
	*out = NULL;
	for (size_t i = 0; roots && roots[i]; i++) {
		cleanup_close int fd = open_in_root(roots[i], file);
		if (fd < 0)
			continue;
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (16 << 20))
			return burrow_error(err, 0, "the image's %s is not a file burrow can read", file);
		cleanup_free char *text = xmalloc((size_t)st.st_size + 1);
		ssize_t n = read_all(fd, text, (size_t)st.st_size);
		if (n < 0)
			return burrow_error(err, errno, "cannot read the image's %s", file);
		text[n] = '\0';
		*out = steal_ptr(text);
		return 0;
	}
	return 0;
}

/* In passwd or group text, the first entry named key or, when key is a
 * number, with that ID (as runc's lookup, which podman uses): its ID in
 * *id and, with gid (passwd), its group in *gid. 1 if found, else 0. */
static int find_entry(const char *text, const char *key, unsigned *id, unsigned *gid)
{
	long long num = -1, v;
	if (str_to_ll(key, 0, 0xfffffffeLL, &v) == 0)
		num = v;
	cleanup_strv char **lines = strv_split(text, '\n');
	for (size_t i = 0; lines[i]; i++) {
		/* name:password:id:gid... (empty fields count) */
		char *f[4] = {lines[i], NULL, NULL, NULL};
		size_t nf = 1;
		for (char *p = lines[i]; *p && nf < 4; p++) {
			if (*p == ':') {
				*p = '\0';
				f[nf++] = p + 1;
			}
		}
		if (nf < (gid ? 4u : 3u))
			continue;
		char *colon = strchr(f[2], ':');
		if (colon)
			*colon = '\0';
		long long eid, egid = 0;
		if (str_to_ll(f[2], 0, 0xfffffffeLL, &eid) < 0 || (strcmp(f[0], key) != 0 && eid != num))
			continue;
		if (gid) {
			if ((colon = strchr(f[3], ':')))
				*colon = '\0';
			if (str_to_ll(f[3], 0, 0xfffffffeLL, &egid) < 0)
				egid = 0;
			*gid = (unsigned)egid;
		}
		*id = (unsigned)eid;
		return 1;
	}
	return 0;
}

char *ctr_passwd_home(const char *passwd, unsigned uid)
{
	cleanup_strv char **lines = strv_split(passwd, '\n');
	for (size_t i = 0; lines[i]; i++) {
		/* name:password:uid:gid:gecos:home:shell */
		cleanup_strv char **f = strv_split(lines[i], ':');
		long long id;
		if (strv_len(f) >= 6 && str_to_ll(f[2], 0, 0xfffffffeLL, &id) == 0 && id == (long long)uid)
			return xstrdup(f[5]);
	}
	return NULL;
}

int ctr_resolve_user(const char *spec, const char *passwd, const char *group, unsigned *uid, unsigned *gid,
                     struct burrow_err **err)
{
	cleanup_free char *u = xstrdup(spec);
	char *g = strchr(u, ':');
	if (g)
		*g++ = '\0';
	if (!*u || (g && !*g))
		return burrow_error(err, 0, "invalid user '%s'", str_quote(spec));
	long long v;
	if (!passwd || !find_entry(passwd, u, uid, gid)) {
		/* a number without an entry: that uid and group 0, as podman */
		if (str_to_ll(u, 0, 0xfffffffeLL, &v) < 0)
			return burrow_error(err, 0, "user '%s' not found in the image's /etc/passwd", str_quote(u));
		*uid = (unsigned)v;
		*gid = 0;
	}
	if (g && (!group || !find_entry(group, g, gid, NULL))) {
		if (str_to_ll(g, 0, 0xfffffffeLL, &v) < 0)
			return burrow_error(err, 0, "group '%s' not found in the image's /etc/group", str_quote(g));
		*gid = (unsigned)v;
	}
	return 0;
}

/* -u USER[:GROUP] against the image's /etc/passwd and /etc/group. */
static int parse_user(const char *spec, char *const *roots, unsigned *uid, unsigned *gid, struct burrow_err **err)
{
	cleanup_free char *passwd = NULL;
	cleanup_free char *group = NULL;
	if (ctr_read_in_roots(roots, "/etc/passwd", &passwd, err) < 0 ||
	    ctr_read_in_roots(roots, "/etc/group", &group, err) < 0)
		return -1;
	return ctr_resolve_user(spec, passwd, group, uid, gid, err);
}

int ctr_create_check(const struct ctr_create_opts *o, struct burrow_err **err)
{
	if (o->name && !state_valid_name(o->name))
		return burrow_error(err, 0, "invalid container name '%s': use letters, digits, '_', '.' and '-'",
		                    str_quote(o->name));
	return ctr_labels_check(o->labels, "label", err) < 0 || ctr_labels_check(o->annotations, "annotation", err) < 0
	           ? -1
	           : 0;
}

int ctr_parse_restart(const char *spec, const char **policy, int *max, struct burrow_err **err)
{
	static const char *const names[] = {"no", "always", "unless-stopped", "on-failure"};
	*max = 0;
	if (strcmp(spec, "never") == 0) {
		*policy = "no";
		return 0;
	}
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(spec, names[i]) == 0) {
			*policy = names[i];
			return 0;
		}
	}
	if (strncmp(spec, "on-failure", 10) == 0 && (spec[10] == '\0' || spec[10] == ':')) {
		long long n = 0;
		if (spec[10] == ':' && str_to_ll(spec + 11, 0, 1000000, &n) < 0)
			return burrow_error_status(
			    err, EINVAL,
			    "invalid restart policy '%s': the retry count after on-failure: is a "
			    "number",
			    str_quote(spec));
		*policy = names[3];
		*max = (int)n;
		return 0;
	}
	return burrow_error_status(err, EINVAL,
	                           "invalid restart policy '%s': use no, on-failure[:N], always or unless-stopped",
	                           str_quote(spec));
}

int ctr_parse_log_driver(const char *spec, const char **driver, struct burrow_err **err)
{
	static const char *const names[] = {"k8s-file", "none", "passthrough"};
	if (strcmp(spec, "json-file") == 0) {
		*driver = names[0]; /* as podman: an alias */
		return 0;
	}
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(spec, names[i]) == 0) {
			*driver = names[i];
			return 0;
		}
	}
	return burrow_error_status(err, EINVAL, "invalid log driver '%s': use k8s-file, none or passthrough",
	                           str_quote(spec));
}

int ctr_create(struct state_store *s, const struct ctr_create_opts *o, struct ctr_config *out, struct burrow_err **err)
{
	struct ctr_config c = {0};
	struct img_info *img = NULL;
	cleanup_strv char **roots = NULL; /* topmost first, for user lookups */
	cleanup_strv char **entry = NULL;
	int ret = -1;

	if (ctr_create_check(o, err) < 0)
		goto out;

	if (o->rootfs) {
		struct stat st;
		if (stat(o->image, &st) < 0) {
			burrow_error(err, errno, "rootfs '%s'", str_quote(o->image));
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			burrow_error(err, ENOTDIR, "rootfs '%s'", str_quote(o->image));
			goto out;
		}
		char *abs = realpath(o->image, NULL);
		if (!abs) {
			burrow_error(err, errno, "rootfs '%s'", str_quote(o->image));
			goto out;
		}
		c.rootfs = abs;
		strv_append(&roots, abs);
	} else {
		if (img_lookup(s, o->image, &img, err) < 0)
			goto out;
		c.image_id = xstrdup(img->id);
		for (size_t n = strv_len(img->layers); n > 0; n--)
			strv_append(&roots, img->layers[n - 1]);
	}
	c.image_name = xstrdup(o->image);

	/* command: entrypoint + (user's command, or the image's Cmd unless
	 * the entrypoint was overridden) */
	if (o->entrypoint)
		entry = parse_entrypoint(o->entrypoint);
	else if (img && img->config.entrypoint)
		entry = strv_dup(img->config.entrypoint);
	struct strv_builder args = {0};
	strv_builder_extend(&args, entry);
	if (o->cmd && o->cmd[0])
		strv_builder_extend(&args, o->cmd);
	else if (!o->entrypoint && img)
		strv_builder_extend(&args, img->config.cmd);
	c.args = strv_builder_steal(&args);
	if (!c.args[0]) {
		burrow_error(err, 0, "no command specified: the image has no Cmd or Entrypoint");
		burrow_error_hint(err, "give one after the image name: burrow run %s sh", o->image);
		goto out;
	}

	c.id = state_new_id();
	if (o->hostname && *o->hostname)
		c.hostname = xstrdup(o->hostname);
	else
		c.hostname = xstrndup(c.id, 12);

	/* environment: image, defaults, then -e; a later NAME= replaces an
	 * earlier one in its place */
	struct strv_builder env = {0};
	char *const *img_env = img ? img->config.env : NULL;
	strv_builder_extend(&env, img_env);
	if (!strv_env_has(img_env, "PATH"))
		strv_builder_add(&env, DEFAULT_PATH);
	if (o->tty && !strv_env_has(img_env, "TERM"))
		strv_builder_add(&env, "TERM=xterm");
	strv_builder_add(&env, "container=burrow");
	strv_builder_take(&env, xasprintf("HOSTNAME=%s", c.hostname));
	strv_builder_extend(&env, o->env);
	c.env = strv_builder_steal(&env);
	strv_env_dedup(c.env);

	const char *user = o->user ? o->user : (img ? img->config.user : NULL);
	if (user && *user && parse_user(user, roots, &c.uid, &c.gid, err) < 0)
		goto out;
	c.workdir = xstrdup(
	    o->workdir ? o->workdir : (img && img->config.workdir && *img->config.workdir ? img->config.workdir : "/"));
	if (c.workdir[0] != '/') {
		burrow_error(err, 0, "workdir '%s' is not an absolute path", str_quote(c.workdir));
		goto out;
	}
	struct netns_cfg slirp;
	netns_cfg_init(&slirp);
	c.network = netns_format(o->network ? o->network : &slirp);
	c.shm_size = o->shm_size;
	c.seccomp = o->seccomp ? xstrdup(o->seccomp) : NULL;
	c.rm = o->rm;
	c.tty = o->tty;
	c.interactive = o->interactive;
	c.log_driver = o->log_driver && strcmp(o->log_driver, "k8s-file") != 0 ? xstrdup(o->log_driver) : NULL;
	c.log_max_size = o->log_max_size;
	c.restart_policy =
	    o->restart_policy && strcmp(o->restart_policy, "no") != 0 ? xstrdup(o->restart_policy) : NULL;
	c.restart_max = o->restart_max;
	c.stop_signal = o->stop_signal;
	if (!c.stop_signal && img && img->config.stop_signal &&
	    ctr_parse_signal(img->config.stop_signal, &c.stop_signal, err) < 0) {
		burrow_error_wrap(err, "the image's StopSignal");
		goto out;
	}
	c.stop_timeout = o->stop_timeout_set ? o->stop_timeout : CTR_STOP_TIMEOUT_DEFAULT;
	c.started = o->started;
	c.created = (long long)time(NULL);
	if (ctr_create_extras(s, o, img, &c, err) < 0)
		goto out;

	c.name = o->name ? xstrdup(o->name) : NULL;
	if (ctr_config_insert(s, &c, err) < 0)
		goto out;
	*out = c;
	memset(&c, 0, sizeof(c));
	ret = 0;
out:
	if (img)
		img_info_free(img);
	ctr_config_clear(&c);
	return ret;
}
