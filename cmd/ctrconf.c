/* containers.conf: which of podman's settings burrow honours and how each
 * is read (cmd/ctrconf.h). The file syntax is lib/toml.h's, the reader
 * registries.conf uses too. */
#include "cmd/ctrconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "container/secopts.h"
#include "lib/cleanup.h"
#include "lib/conf.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/toml.h"
#include "lib/xalloc.h"

#define SHARE_CONF "/usr/share/containers/containers.conf"
#define ETC_CONF "/etc/containers/containers.conf"
#define ETC_CONF_D "/etc/containers/containers.conf.d"

void cmd_ctrconf_init(struct cmd_ctrconf *c)
{
	memset(c, 0, sizeof(*c));
	c->init = -1;
	c->http_proxy = -1;
	c->files = xcalloc(1, sizeof(char *));
}

void cmd_ctrconf_clear(struct cmd_ctrconf *c)
{
	strv_free(c->files);
	strv_free(c->env);
	strv_free(c->volumes);
	free(c->log_driver);
	strv_free(c->default_ulimits);
	strv_free(c->dns_servers);
	strv_free(c->dns_searches);
	strv_free(c->dns_options);
	free(c->tz);
	free(c->umask);
	strv_free(c->default_capabilities);
	free(c->events_logger);
	free(c->image_volume_mode);
	strv_free(c->run_volumes);
	memset(c, 0, sizeof(*c));
	c->init = -1;
	c->http_proxy = -1;
}

static void cleanup_tomlp(struct toml_val **v)
{
	toml_free(*v);
}

/* "FILE:LINE: containers.KEY must be ..." */
static int wrong(struct burrow_err **err, const char *path, const struct toml_val *v, const char *table,
                 const char *key, const char *what)
{
	return burrow_error_status(err, EINVAL, "%s:%u: %s.%s must be %s", path, v->line, table, key, what);
}

static int take_strings(const char *path, const char *table, const char *key, const struct toml_val *v, char ***out,
                        struct burrow_err **err)
{
	if (v->type != TOML_ARRAY)
		return wrong(err, path, v, table, key, "an array of strings");
	char **list = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < v->u.arr.n; i++) {
		if (v->u.arr.items[i]->type != TOML_STRING) {
			strv_free(list);
			return wrong(err, path, v, table, key, "an array of strings");
		}
		strv_append(&list, v->u.arr.items[i]->u.s);
	}
	strv_free(*out);
	*out = list;
	return 0;
}

static int take_string(const char *path, const char *table, const char *key, const struct toml_val *v, char **out,
                       struct burrow_err **err)
{
	if (v->type != TOML_STRING)
		return wrong(err, path, v, table, key, "a string");
	free(*out);
	*out = xstrdup(v->u.s);
	return 0;
}

/* CHOWN, cap_chown -> CAP_CHOWN */
static char *cap_name(const char *s)
{
	char *n = strncasecmp(s, "CAP_", 4) == 0 ? xstrdup(s) : xasprintf("CAP_%s", s);
	for (char *p = n; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return n;
}

static int containers_table(struct cmd_ctrconf *c, const struct toml_val *t, const char *path, struct burrow_err **err)
{
	static const char tab[] = "containers";
	for (size_t i = 0; i < t->u.tab.n; i++) {
		const char *k = t->u.tab.keys[i];
		const struct toml_val *v = t->u.tab.vals[i];
		int r = 0;
		if (strcmp(k, "env") == 0)
			r = take_strings(path, tab, k, v, &c->env, err);
		else if (strcmp(k, "volumes") == 0)
			r = take_strings(path, tab, k, v, &c->volumes, err);
		else if (strcmp(k, "default_ulimits") == 0)
			r = take_strings(path, tab, k, v, &c->default_ulimits, err);
		else if (strcmp(k, "dns_servers") == 0)
			r = take_strings(path, tab, k, v, &c->dns_servers, err);
		else if (strcmp(k, "dns_searches") == 0)
			r = take_strings(path, tab, k, v, &c->dns_searches, err);
		else if (strcmp(k, "dns_options") == 0)
			r = take_strings(path, tab, k, v, &c->dns_options, err);
		else if (strcmp(k, "log_driver") == 0)
			r = take_string(path, tab, k, v, &c->log_driver, err);
		else if (strcmp(k, "tz") == 0)
			r = take_string(path, tab, k, v, &c->tz, err);
		else if (strcmp(k, "umask") == 0)
			r = take_string(path, tab, k, v, &c->umask, err);
		else if (strcmp(k, "default_capabilities") == 0) {
			cleanup_strv char **caps = NULL;
			r = take_strings(path, tab, k, v, &caps, err);
			if (r == 0) {
				strv_free(c->default_capabilities);
				c->default_capabilities = xcalloc(1, sizeof(char *));
				for (size_t j = 0; caps[j]; j++)
					strv_append_take(&c->default_capabilities, cap_name(caps[j]));
			}
		} else if (strcmp(k, "log_size_max") == 0 || strcmp(k, "pids_limit") == 0) {
			if (v->type != TOML_INT)
				return wrong(err, path, v, tab, k, "an integer");
			if (k[0] == 'l') {
				c->has_log_size_max = true;
				c->log_size_max = v->u.i < 0 ? -1 : v->u.i;
			} else {
				c->has_pids_limit = true;
				c->pids_limit = v->u.i;
			}
		} else if (strcmp(k, "init") == 0 || strcmp(k, "http_proxy") == 0) {
			if (v->type != TOML_BOOL)
				return wrong(err, path, v, tab, k, "true or false");
			*(k[0] == 'i' ? &c->init : &c->http_proxy) = v->u.b;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

static int check_events_logger(const char *v, struct burrow_err **err)
{
	if (strcmp(v, "file") == 0 || strcmp(v, "journald") == 0 || strcmp(v, "none") == 0)
		return 0;
	return burrow_error_status(err, EINVAL, "events_logger must be file, journald or none, not '%s'", str_quote(v));
}

int cmd_ctrconf_add_text(struct cmd_ctrconf *c, const char *text, const char *path, struct burrow_err **err)
{
	__attribute__((cleanup(cleanup_tomlp))) struct toml_val *root = NULL;
	if (toml_parse(text, &root, err) < 0) {
		/* "line N: why" -> "FILE:N: why", as the other errors here */
		unsigned line = 0;
		int used = 0;
		struct burrow_err *e = *err;
		if (sscanf(e->msg, "line %u: %n", &line, &used) == 1 && used > 0) {
			char *m = xasprintf("%s:%u: %s", path, line, e->msg + used);
			free(e->msg);
			e->msg = m;
			return -1;
		}
		return burrow_error_wrap(err, "%s", path);
	}
	const struct toml_val *t = toml_get(root, "containers");
	if (t && t->type != TOML_TABLE)
		return burrow_error_status(err, EINVAL, "%s:%u: containers must be a table", path, t->line);
	if (t && containers_table(c, t, path, err) < 0)
		return -1;
	const struct toml_val *e = toml_get(root, "engine");
	const struct toml_val *ev = e && e->type == TOML_TABLE ? toml_get(e, "events_logger") : NULL;
	if (ev) {
		if (take_string(path, "engine", "events_logger", ev, &c->events_logger, err) < 0)
			return -1;
		if (check_events_logger(c->events_logger, err) < 0)
			return burrow_error_wrap(err, "%s:%u", path, ev->line);
	}
	const struct toml_val *iv = e && e->type == TOML_TABLE ? toml_get(e, "image_volume_mode") : NULL;
	if (iv) {
		if (take_string(path, "engine", "image_volume_mode", iv, &c->image_volume_mode, err) < 0)
			return -1;
		const char *m = c->image_volume_mode;
		if (strcmp(m, "bind") != 0 && strcmp(m, "tmpfs") != 0 && strcmp(m, "ignore") != 0)
			return burrow_error_status(err, EINVAL,
			                           "%s:%u: image_volume_mode must be bind, tmpfs or ignore, not '%s'",
			                           path, iv->line, str_quote(m));
	}
	strv_append(&c->files, path);
	return 0;
}

/* 1 when path was read, 0 when it is not there, -1 */
static int add_file(struct cmd_ctrconf *c, const char *path, struct burrow_err **err)
{
	cleanup_free char *text = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0) {
		if (e->status == ENOENT || e->status == ENOTDIR)
			return 0;
		*err = steal_ptr(e);
		return -1;
	}
	return cmd_ctrconf_add_text(c, text, path, err) < 0 ? -1 : 1;
}

static int add_dir(struct cmd_ctrconf *c, const char *dir, struct burrow_err **err)
{
	cleanup_strv char **files = conf_dir_files(dir, ".conf");
	for (size_t i = 0; files[i]; i++)
		if (add_file(c, files[i], err) < 0)
			return -1;
	return 0;
}

int cmd_ctrconf_load(struct cmd_ctrconf *c, struct burrow_err **err)
{
	cmd_ctrconf_init(c);
	const char *env = getenv("CONTAINERS_CONF");
	if (env && *env)
		return add_file(c, env, err) < 0 ? -1 : 0;
	if (add_file(c, SHARE_CONF, err) < 0 || add_file(c, ETC_CONF, err) < 0 || add_dir(c, ETC_CONF_D, err) < 0)
		return -1;
	cleanup_free char *user = conf_user_path("containers/containers.conf");
	cleanup_free char *user_d = conf_user_path("containers/containers.conf.d");
	if ((user && add_file(c, user, err) < 0) || (user_d && add_dir(c, user_d, err) < 0))
		return -1;
	return 0;
}

int cmd_ctrconf_set(struct cmd_ctrconf *c, const char *section, const char *key, const char *value,
                    struct burrow_err **err)
{
	if (strcmp(section, "engine") == 0 && strcmp(key, "events_logger") == 0) {
		if (check_events_logger(value, err) < 0)
			return -1;
		free(c->events_logger);
		c->events_logger = xstrdup(value);
		return 0;
	}
	if (strcmp(section, "containers") != 0)
		return 1;
	char **slot = strcmp(key, "tz") == 0           ? &c->tz
	              : strcmp(key, "umask") == 0      ? &c->umask
	              : strcmp(key, "log_driver") == 0 ? &c->log_driver
	                                               : NULL;
	if (slot) {
		free(*slot);
		*slot = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "init") == 0) {
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
			return burrow_error_status(err, EINVAL, "containers.init must be true or false");
		c->init = value[0] == 't';
		return 0;
	}
	if (strcmp(key, "log_size_max") == 0 || strcmp(key, "pids_limit") == 0) {
		long long n;
		if (str_to_ll(value, -1, 1LL << 62, &n) < 0)
			return burrow_error_status(err, EINVAL, "containers.%s must be an integer", key);
		if (key[0] == 'l') {
			c->has_log_size_max = true;
			c->log_size_max = n;
		} else {
			c->has_pids_limit = true;
			c->pids_limit = n;
		}
		return 0;
	}
	return 1;
}

void cmd_ctrconf_merge(struct cmd_ctrconf *c, const struct cmd_ctrconf *over)
{
	struct {
		char **dst;
		const char *src;
	} strs[] = {
	    {&c->tz, over->tz},
	    {&c->umask, over->umask},
	    {&c->log_driver, over->log_driver},
	    {&c->events_logger, over->events_logger},
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (strs[i].src) {
			free(*strs[i].dst);
			*strs[i].dst = xstrdup(strs[i].src);
		}
	}
	if (over->has_log_size_max) {
		c->has_log_size_max = true;
		c->log_size_max = over->log_size_max;
	}
	if (over->has_pids_limit) {
		c->has_pids_limit = true;
		c->pids_limit = over->pids_limit;
	}
	if (over->init >= 0)
		c->init = over->init;
	if (over->http_proxy >= 0)
		c->http_proxy = over->http_proxy;
}

/* The destination of a -v (SRC:DST[:OPTS], or DST) or of a --mount
 * (dst=, destination=, target=). Caller frees. */
static char *volume_dest(const char *spec, bool mount)
{
	if (!mount) {
		const char *colon = strchr(spec, ':');
		if (!colon)
			return xstrdup(spec);
		const char *end = strchr(colon + 1, ':');
		return end ? xstrndup(colon + 1, (size_t)(end - colon - 1)) : xstrdup(colon + 1);
	}
	cleanup_free char *copy = xstrdup(spec);
	char *save = NULL;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(kv, "dst") == 0 || strcmp(kv, "destination") == 0 || strcmp(kv, "target") == 0)
			return xstrdup(eq + 1);
	}
	return xstrdup("");
}

static bool dest_taken(const struct ctr_create_opts *o, const char *dest)
{
	for (size_t i = 0; o->volumes && o->volumes[i]; i++) {
		cleanup_free char *d = volume_dest(o->volumes[i], false);
		if (strcmp(d, dest) == 0)
			return true;
	}
	for (size_t i = 0; o->mounts && o->mounts[i]; i++) {
		cleanup_free char *d = volume_dest(o->mounts[i], true);
		if (strcmp(d, dest) == 0)
			return true;
	}
	return false;
}

static int apply_volumes(struct cmd_ctrconf *c, struct ctr_create_opts *o)
{
	if (!c->volumes || !c->volumes[0])
		return 0;
	struct strv_builder b = {0};
	for (size_t i = 0; c->volumes[i]; i++) {
		cleanup_free char *d = volume_dest(c->volumes[i], false);
		if (!dest_taken(o, d))
			strv_builder_add(&b, c->volumes[i]);
	}
	strv_builder_extend(&b, o->volumes);
	strv_free(c->run_volumes);
	c->run_volumes = strv_builder_steal(&b);
	o->volumes = c->run_volumes;
	return 0;
}

static int apply_ulimits(const struct cmd_ctrconf *c, struct ctr_create_opts *o, struct burrow_err **err)
{
	if (!c->default_ulimits || !c->default_ulimits[0])
		return 0;
	/* the file's first, the flags' over them (one per name) */
	char **list = NULL;
	for (size_t i = 0; c->default_ulimits[i]; i++) {
		if (ctr_ulimit_add(&list, c->default_ulimits[i], err) < 0) {
			strv_free(list);
			return burrow_error_wrap(err, "containers.conf default_ulimits");
		}
	}
	for (size_t i = 0; o->sec.ulimits && o->sec.ulimits[i]; i++) {
		if (ctr_ulimit_add(&list, o->sec.ulimits[i], err) < 0) {
			strv_free(list);
			return -1;
		}
	}
	strv_free(o->sec.ulimits);
	o->sec.ulimits = list;
	return 0;
}

/* default_capabilities as drops and adds against podman's defaults, which
 * burrow starts from; never against what the flags add or drop */
static void apply_caps(const struct cmd_ctrconf *c, struct ctr_create_opts *o)
{
	if (!c->default_capabilities)
		return;
	const char *const *def = ctr_default_caps();
	bool add_all = strv_contains(o->sec.cap_add, "ALL"), drop_all = strv_contains(o->sec.cap_drop, "ALL");
	for (size_t i = 0; def[i]; i++)
		if (!add_all && !strv_contains(c->default_capabilities, def[i]) &&
		    !strv_contains(o->sec.cap_add, def[i]) && !strv_contains(o->sec.cap_drop, def[i]))
			strv_append(&o->sec.cap_drop, def[i]);
	for (size_t i = 0; c->default_capabilities[i]; i++) {
		const char *cap = c->default_capabilities[i];
		bool is_def = false;
		for (size_t k = 0; def[k]; k++)
			is_def = is_def || strcmp(def[k], cap) == 0;
		if (!is_def && !drop_all && !strv_contains(o->sec.cap_drop, cap) && !strv_contains(o->sec.cap_add, cap))
			strv_append(&o->sec.cap_add, cap);
	}
}

int cmd_ctrconf_apply(struct cmd_ctrconf *c, struct ctr_create_opts *o, struct burrow_err **err)
{
	o->conf_env = c->env;
	if (!o->dns)
		o->dns = c->dns_servers;
	if (!o->dns_search)
		o->dns_search = c->dns_searches;
	if (!o->dns_options)
		o->dns_options = c->dns_options;
	for (size_t i = 0; o->dns == c->dns_servers && o->dns && o->dns[i]; i++)
		if (ctr_check_dns(o->dns[i], err) < 0)
			return burrow_error_wrap(err, "containers.conf dns_servers");
	for (size_t i = 0; o->dns_search == c->dns_searches && o->dns_search && o->dns_search[i]; i++)
		if (ctr_check_line_value("dns_searches", o->dns_search[i], err) < 0)
			return burrow_error_wrap(err, "containers.conf");
	for (size_t i = 0; o->dns_options == c->dns_options && o->dns_options && o->dns_options[i]; i++)
		if (ctr_check_line_value("dns_options", o->dns_options[i], err) < 0)
			return burrow_error_wrap(err, "containers.conf");
	if (!o->sec.tz && c->tz && ctr_tz_parse(c->tz, &o->sec.tz, err) < 0)
		return burrow_error_wrap(err, "containers.conf tz");
	if (!o->sec.umask && c->umask && ctr_umask_parse(c->umask, &o->sec.umask, err) < 0)
		return burrow_error_wrap(err, "containers.conf umask");
	if (!o->more.image_volume) /* --image-volume wins */
		o->more.image_volume = c->image_volume_mode;
	if (!o->log_driver && c->log_driver) {
		struct burrow_err *e = NULL;
		if (ctr_parse_log_driver(c->log_driver, &o->log_driver, &e) < 0) {
			burrow_err_free(e);
			burrow_warn("containers.conf log_driver '%s' is not one burrow has: k8s-file is used",
			            c->log_driver);
		}
	}
	if (!o->log_max_size && c->has_log_size_max && c->log_size_max > 0)
		o->log_max_size = c->log_size_max;
	if (!o->init && c->init == 1)
		o->init = true;
	if (o->http_proxy < 0 && c->http_proxy >= 0)
		o->http_proxy = c->http_proxy;
	/* podman's 0: no limit */
	if (c->has_pids_limit)
		o->pids_default = c->pids_limit > 0 ? c->pids_limit : -1;
	if (apply_volumes(c, o) < 0 || apply_ulimits(c, o, err) < 0)
		return -1;
	apply_caps(c, o);
	return 0;
}

int cmd_ctrconf_for_run(struct cmd_ctx *ctx, struct cmd_ctrconf *c, struct ctr_create_opts *o, struct burrow_err **err)
{
	/* burrow.conf now (cmd_prepare would read it later): it wins */
	if (!ctx->settings_loaded) {
		if (cmd_settings_load(&ctx->settings, err) < 0)
			return -1;
		ctx->settings_loaded = true;
	}
	cmd_ctrconf_clear(c);
	if (cmd_ctrconf_load(c, err) < 0)
		return -1;
	cmd_ctrconf_merge(c, &ctx->settings.ctr);
	return cmd_ctrconf_apply(c, o, err);
}
