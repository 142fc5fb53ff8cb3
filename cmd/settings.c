/* burrow.conf: which settings exist, what each may hold, where it goes
 * (burrow.conf(5)). The file syntax is lib/conf.h's. */
#include "cmd/settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/conf.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "netns/netns.h"

/* [registries]: insecure = "HOST[:PORT] ..." (blanks or commas between),
 * timeout = SECONDS. */
static int set_registries(struct cmd_settings *s, const char *key, const char *value, unsigned line,
                          struct burrow_err **err)
{
	if (strcmp(key, "timeout") == 0) {
		long long t;
		if (str_to_ll(value, 1, 3600, &t) < 0)
			return burrow_error(err, 0, "line %u: registries.timeout must be 1 to 3600 seconds", line);
		s->registry_timeout = (long)t;
		return 0;
	}
	if (strcmp(key, "insecure") != 0)
		return burrow_error(err, 0, "line %u: unknown setting 'registries.%s'", line, str_quote(key));
	strv_free(s->insecure);
	s->insecure = xcalloc(1, sizeof(char *));
	cleanup_free char *copy = xstrdup(value);
	char *save = NULL;
	for (char *h = strtok_r(copy, " \t,", &save); h; h = strtok_r(NULL, " \t,", &save)) {
		if (strpbrk(h, "/@") || !*h)
			return burrow_error(err, 0, "line %u: registries.insecure lists HOST[:PORT] names, not '%s'",
			                    line, str_quote(h));
		strv_append(&s->insecure, h);
	}
	return 0;
}

static int set_one(const char *section, const char *key, const char *value, unsigned line, void *data,
                   struct burrow_err **err)
{
	struct cmd_settings *s = data;
	if (strcmp(section, "registries") == 0)
		return set_registries(s, key, value, line, err);
	int r = cmd_ctrconf_set(&s->ctr, section, key, value, err);
	if (r < 0)
		return burrow_error_wrap(err, "line %u", line);
	if (r == 0)
		return 0;
	if (strcmp(section, "network") == 0 && strcmp(key, "default") == 0) {
		/* parsed once, here; what goes down is the parsed form */
		if (netns_parse(value, &s->network, err) < 0)
			return burrow_error_wrap(err, "line %u: network.default", line);
		s->has_network = true;
		return 0;
	}
	char **slot = NULL;
	if (strcmp(section, "storage") == 0 && strcmp(key, "root") == 0)
		slot = &s->root;
	else if (strcmp(section, "storage") == 0 && strcmp(key, "runroot") == 0)
		slot = &s->runroot;
	else if (strcmp(section, "engine") == 0 && strcmp(key, "fuse_overlayfs") == 0)
		slot = &s->fuse_overlayfs;
	if (!slot)
		return burrow_error(err, 0, "line %u: unknown setting '%s%s%s'", line, section, *section ? "." : "",
		                    key);
	if (value[0] != '/')
		return burrow_error(err, 0, "line %u: %s.%s must be an absolute path", line, section, key);
	free(*slot);
	*slot = xstrdup(value);
	return 0;
}

int cmd_settings_load(struct cmd_settings *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	cmd_ctrconf_init(&out->ctr);
	cleanup_free char *path = conf_user_path("burrow/burrow.conf");
	if (!path)
		return 0;
	cleanup_free char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0) {
		if (e->status == ENOENT) {
			burrow_err_free(e);
			return 0;
		}
		*err = e;
		return -1;
	}
	if (conf_parse(text, set_one, out, err) < 0) {
		cmd_settings_clear(out);
		burrow_error_wrap(err, "%s", path);
		return burrow_error_hint(err, "see burrow.conf(5) for the settings");
	}
	out->path = steal_ptr(path);
	out->engine.ovl.fuse_program = out->fuse_overlayfs;
	return 0;
}

void cmd_settings_clear(struct cmd_settings *s)
{
	free(s->path);
	free(s->root);
	free(s->runroot);
	free(s->fuse_overlayfs);
	strv_free(s->insecure);
	cmd_ctrconf_clear(&s->ctr);
	memset(s, 0, sizeof(*s));
}
