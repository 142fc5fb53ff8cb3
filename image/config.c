/* An image's run configuration: --change instructions, its JSON form, and
 * the small formatting helpers the CLI uses. */
#include "image/image.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "image/libs.h"

void img_config_clear(struct img_config *c)
{
	if (!c)
		return;
	strv_free(c->env);
	strv_free(c->cmd);
	strv_free(c->entrypoint);
	free(c->workdir);
	free(c->user);
	free(c->stop_signal);
	strv_free(c->volumes);
	strv_free(c->exposed_ports);
	strv_free(c->labels);
	strv_free(c->hc_test);
	memset(c, 0, sizeof(*c));
}

void img_config_copy(struct img_config *dst, const struct img_config *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src)
		return;
	dst->env = src->env ? strv_dup(src->env) : NULL;
	dst->cmd = src->cmd ? strv_dup(src->cmd) : NULL;
	dst->entrypoint = src->entrypoint ? strv_dup(src->entrypoint) : NULL;
	dst->workdir = src->workdir ? xstrdup(src->workdir) : NULL;
	dst->user = src->user ? xstrdup(src->user) : NULL;
	dst->stop_signal = src->stop_signal ? xstrdup(src->stop_signal) : NULL;
	dst->volumes = src->volumes ? strv_dup(src->volumes) : NULL;
	dst->exposed_ports = src->exposed_ports ? strv_dup(src->exposed_ports) : NULL;
	dst->labels = src->labels ? strv_dup(src->labels) : NULL;
	dst->hc_test = src->hc_test ? strv_dup(src->hc_test) : NULL;
	dst->hc_interval = src->hc_interval;
	dst->hc_timeout = src->hc_timeout;
	dst->hc_start_period = src->hc_start_period;
	dst->hc_retries = src->hc_retries;
}

void img_config_gen(yajl_gen g, const struct img_config *c)
{
	jg_map_open(g);
	if (c->env)
		jg_key_strv(g, "Env", c->env);
	if (c->cmd)
		jg_key_strv(g, "Cmd", c->cmd);
	if (c->entrypoint)
		jg_key_strv(g, "Entrypoint", c->entrypoint);
	if (c->workdir)
		jg_key_str(g, "WorkingDir", c->workdir);
	if (c->user)
		jg_key_str(g, "User", c->user);
	if (c->stop_signal)
		jg_key_str(g, "StopSignal", c->stop_signal);
	if (c->volumes) {
		jg_key(g, "Volumes");
		jg_map_open(g);
		for (size_t i = 0; c->volumes[i]; i++) {
			jg_key(g, c->volumes[i]);
			jg_map_open(g);
			jg_map_close(g);
		}
		jg_map_close(g);
	}
	if (c->exposed_ports) {
		jg_key(g, "ExposedPorts");
		jg_map_open(g);
		for (size_t i = 0; c->exposed_ports[i]; i++) {
			jg_key(g, c->exposed_ports[i]);
			jg_map_open(g);
			jg_map_close(g);
		}
		jg_map_close(g);
	}
	if (c->labels) {
		jg_key(g, "Labels");
		jg_map_open(g);
		for (size_t i = 0; c->labels[i]; i++) {
			const char *eq = strchr(c->labels[i], '=');
			cleanup_free char *key =
			    xstrndup(c->labels[i], eq ? (size_t)(eq - c->labels[i]) : strlen(c->labels[i]));
			jg_key_str(g, key, eq ? eq + 1 : "");
		}
		jg_map_close(g);
	}
	if (c->hc_test) {
		jg_key(g, "Healthcheck");
		jg_map_open(g);
		jg_key_strv(g, "Test", c->hc_test);
		if (c->hc_interval)
			jg_key_int(g, "Interval", c->hc_interval);
		if (c->hc_timeout)
			jg_key_int(g, "Timeout", c->hc_timeout);
		if (c->hc_start_period)
			jg_key_int(g, "StartPeriod", c->hc_start_period);
		if (c->hc_retries)
			jg_key_int(g, "Retries", c->hc_retries);
		jg_map_close(g);
	}
	jg_map_close(g);
}

void img_config_from_json(yajl_val v, struct img_config *c)
{
	memset(c, 0, sizeof(*c));
	if (!v)
		return;
	c->env = json_get_strv(v, "Env");
	c->cmd = json_get_strv(v, "Cmd");
	c->entrypoint = json_get_strv(v, "Entrypoint");
	const char *s = json_get_str(v, "WorkingDir");
	c->workdir = s && *s ? xstrdup(s) : NULL;
	s = json_get_str(v, "User");
	c->user = s && *s ? xstrdup(s) : NULL;
	s = json_get_str(v, "StopSignal");
	c->stop_signal = s && *s ? xstrdup(s) : NULL;
	yajl_val vols = json_get(v, "Volumes");
	for (size_t i = 0; vols && YAJL_IS_OBJECT(vols) && i < vols->u.object.len; i++)
		strv_append(&c->volumes, vols->u.object.keys[i]);
	yajl_val ports = json_get(v, "ExposedPorts");
	if (ports && YAJL_IS_OBJECT(ports)) {
		for (size_t i = 0; i < ports->u.object.len; i++)
			strv_append(&c->exposed_ports, ports->u.object.keys[i]);
	}
	yajl_val labels = json_get(v, "Labels");
	for (size_t i = 0; labels && YAJL_IS_OBJECT(labels) && i < labels->u.object.len; i++) {
		const char *val =
		    YAJL_IS_STRING(labels->u.object.values[i]) ? YAJL_GET_STRING(labels->u.object.values[i]) : "";
		strv_append_take(&c->labels, xasprintf("%s=%s", labels->u.object.keys[i], val));
	}
	yajl_val hc = json_get(v, "Healthcheck");
	if (hc && YAJL_IS_OBJECT(hc)) {
		c->hc_test = json_get_strv(hc, "Test");
		c->hc_interval = json_get_int(hc, "Interval", 0);
		c->hc_timeout = json_get_int(hc, "Timeout", 0);
		c->hc_start_period = json_get_int(hc, "StartPeriod", 0);
		c->hc_retries = (int)json_get_int(hc, "Retries", 0);
	}
}

int img_split_words(const char *s, char ***out, struct burrow_err **err)
{
	cleanup_strv char **words = xcalloc(1, sizeof(char *));
	size_t cap = strlen(s) + 1;
	const char *p = s;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		cleanup_free char *w = xmalloc(cap);
		size_t n = 0;
		char quote = 0;
		while (*p && (quote || (*p != ' ' && *p != '\t'))) {
			if (quote) {
				if (*p == quote) {
					quote = 0;
				} else if (quote == '"' && *p == '\\' && p[1]) {
					p++;
					w[n++] = *p;
				} else {
					w[n++] = *p;
				}
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if (*p == '\\' && p[1]) {
				p++;
				w[n++] = *p;
			} else {
				w[n++] = *p;
			}
			p++;
		}
		if (quote)
			return burrow_error_status(err, EINVAL, "unterminated %c quote", quote);
		w[n] = '\0';
		strv_append_take(&words, steal_ptr(w));
	}
	*out = steal_ptr(words);
	return 0;
}

/* A JSON array of strings -> exec form; anything else -> NULL. */
static char **parse_exec_form(const char *arg)
{
	if (arg[0] != '[')
		return NULL;
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(arg, &e);
	if (!v || !YAJL_IS_ARRAY(v))
		return NULL;
	char **r = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val x = v->u.array.values[i];
		if (!YAJL_IS_STRING(x)) {
			strv_free(r);
			return NULL;
		}
		strv_append(&r, YAJL_GET_STRING(x));
	}
	return r;
}

/* CMD / ENTRYPOINT: exec form (a JSON array of strings), else shell form. */
static char **command_form(const char *arg)
{
	char **v = parse_exec_form(arg);
	if (v)
		return v;
	v = NULL;
	strv_append(&v, "/bin/sh");
	strv_append(&v, "-c");
	strv_append(&v, arg);
	return v;
}

static void env_set(char ***env, const char *key, const char *value)
{
	size_t kl = strlen(key);
	char *kv = xasprintf("%s=%s", key, value);
	for (size_t i = 0; *env && (*env)[i]; i++) {
		if (strncmp((*env)[i], key, kl) == 0 && (*env)[i][kl] == '=') {
			free((*env)[i]);
			(*env)[i] = kv;
			return;
		}
	}
	strv_append_take(env, kv);
}

static int bad_change(struct burrow_err **err, const char *change, const char *why)
{
	return burrow_error_status(err, EINVAL, "invalid change '%s': %s", str_quote(change), why);
}

/* ENV and LABEL: NAME=VALUE... (quotes as a shell's), or the legacy
 * NAME VALUE... where the rest of the line is the value; a name given
 * again replaces the value. */
static int apply_pairs(char ***dst, const char *what, const char *change, const char *arg, struct burrow_err **err)
{
	cleanup_strv char **words = NULL;
	cleanup_err struct burrow_err *e = NULL;
	cleanup_free char *need = xasprintf("%s needs NAME=VALUE", what);
	if (img_split_words(arg, &words, &e) < 0)
		return bad_change(err, change, e->msg);
	if (!words[0])
		return bad_change(err, change, need);
	if (!strchr(words[0], '=')) {
		const char *p = arg;
		while (*p == ' ' || *p == '\t')
			p++;
		p += strcspn(p, " \t");
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return bad_change(err, change, need);
		env_set(dst, words[0], p);
		return 0;
	}
	for (size_t i = 0; words[i]; i++) {
		char *eq = strchr(words[i], '=');
		if (!eq || eq == words[i]) {
			cleanup_free char *every = xasprintf("%s for every one", need);
			return bad_change(err, change, every);
		}
		*eq = '\0';
		env_set(dst, words[i], eq + 1);
	}
	return 0;
}

/* EXPOSE PORT[/PROTO]...: stored as "80/tcp", as the image's ExposedPorts
 * keys are. */
static int apply_expose(struct img_config *c, const char *change, const char *arg, struct burrow_err **err)
{
	cleanup_strv char **words = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (img_split_words(arg, &words, &e) < 0)
		return bad_change(err, change, e->msg);
	if (!words[0])
		return bad_change(err, change, "EXPOSE needs a port");
	for (size_t i = 0; words[i]; i++) {
		char *slash = strchr(words[i], '/');
		const char *proto = slash ? slash + 1 : "tcp";
		if (slash)
			*slash = '\0';
		long long port = 0;
		if (str_to_ll(words[i], 1, 65535, &port) < 0)
			return bad_change(err, change, "EXPOSE needs ports from 1 to 65535");
		if (strcasecmp(proto, "tcp") != 0 && strcasecmp(proto, "udp") != 0 && strcasecmp(proto, "sctp") != 0)
			return bad_change(err, change, "EXPOSE takes PORT, PORT/tcp, PORT/udp or PORT/sctp");
		cleanup_free char *key = xasprintf("%lld/%s", port, proto);
		for (char *q = key; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		if (!c->exposed_ports || !strv_contains(c->exposed_ports, key))
			strv_append(&c->exposed_ports, key);
	}
	return 0;
}

int img_config_apply_change(struct img_config *c, const char *change, struct burrow_err **err)
{
	const char *p = change;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t kl = strcspn(p, " \t=");
	cleanup_free char *kw = xstrndup(p, kl);
	const char *arg = p + kl;
	if (*arg == '=')
		arg++;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	/* trailing blanks are not part of the value */
	cleanup_free char *val = xstrdup(arg);
	size_t vl = strlen(val);
	while (vl > 0 && isspace((unsigned char)val[vl - 1]))
		val[--vl] = '\0';

	if (!*kw)
		return bad_change(err, change, "no instruction");
	if (strcasecmp(kw, "CMD") == 0 || strcasecmp(kw, "ENTRYPOINT") == 0) {
		bool is_cmd = strcasecmp(kw, "CMD") == 0;
		if (!*val)
			return bad_change(err, change, is_cmd ? "CMD needs a command" : "ENTRYPOINT needs a command");
		char ***dst = is_cmd ? &c->cmd : &c->entrypoint;
		strv_free(*dst);
		*dst = command_form(val);
		return 0;
	}
	if (strcasecmp(kw, "ENV") == 0)
		return apply_pairs(&c->env, "ENV", change, val, err);
	if (strcasecmp(kw, "LABEL") == 0)
		return apply_pairs(&c->labels, "LABEL", change, val, err);
	if (strcasecmp(kw, "EXPOSE") == 0)
		return apply_expose(c, change, val, err);
	if (strcasecmp(kw, "WORKDIR") == 0) {
		if (!*val)
			return bad_change(err, change, "WORKDIR needs a directory");
		char *w;
		if (val[0] == '/')
			w = xstrdup(val);
		else if (c->workdir)
			w = xasprintf("%s%s%s", c->workdir, str_has_suffix(c->workdir, "/") ? "" : "/", val);
		else
			w = xasprintf("/%s", val);
		free(c->workdir);
		c->workdir = w;
		return 0;
	}
	if (strcasecmp(kw, "USER") == 0) {
		if (!*val || strpbrk(val, " \t"))
			return bad_change(err, change, "USER needs one USER[:GROUP]");
		free(c->user);
		c->user = xstrdup(val);
		return 0;
	}
	if (strcasecmp(kw, "VOLUME") == 0) {
		cleanup_strv char **words = NULL;
		if (val[0] == '[') {
			yajl_val j = yajl_tree_parse(val, NULL, 0);
			for (size_t i = 0; j && YAJL_IS_ARRAY(j) && i < j->u.array.len; i++)
				if (YAJL_IS_STRING(j->u.array.values[i]))
					strv_append(&words, YAJL_GET_STRING(j->u.array.values[i]));
			if (j)
				yajl_tree_free(j);
		} else if (img_split_words(val, &words, err) < 0) {
			return -1;
		}
		if (!words || !words[0])
			return bad_change(err, change, "VOLUME needs a path");
		for (size_t i = 0; words[i]; i++) {
			if (words[i][0] != '/')
				return bad_change(err, change, "VOLUME needs absolute paths");
			if (!c->volumes || !strv_contains(c->volumes, words[i]))
				strv_append(&c->volumes, words[i]);
		}
		return 0;
	}
	if (strcasecmp(kw, "STOPSIGNAL") == 0) {
		if (!*val || strpbrk(val, " \t"))
			return bad_change(err, change, "STOPSIGNAL needs one signal");
		free(c->stop_signal);
		c->stop_signal = xstrdup(val);
		return 0;
	}
	cleanup_free char *why =
	    xasprintf("unknown instruction '%s' (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and "
	              "WORKDIR are supported)",
	              str_quote(kw));
	return bad_change(err, change, why);
}

int img_sha256_hex(const void *data, size_t len, char out[65], struct burrow_err **err)
{
	if (img_libs_load(err) < 0)
		return -1;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		abort();
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
	return 0;
}
