/* The parts of ctr_create for --init, labels, annotations and
 * --requires (see container.h's ctr_create_opts). */
#include "container/container.h"
#include "container/internal.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

char *ctr_burrow_exe(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	return xstrdup(exe);
}

char *ctr_init_default_path(void)
{
	cleanup_free char *exe = ctr_burrow_exe();
	return exe ? path_join(dirname(exe), "burrow-init") : NULL;
}

/* --init's binary: given (--init-path), or burrow-init beside burrow;
 * a regular file we may execute, by its absolute path. */
static int init_path(const char *given, char **out, struct burrow_err **err)
{
	cleanup_free char *def = given ? NULL : ctr_init_default_path();
	const char *p = given ? given : def;
	if (!p)
		return burrow_error(err, errno, "cannot find burrow-init: /proc/self/exe is not readable");
	cleanup_free char *abs = realpath(p, NULL);
	struct stat st;
	if (!abs || stat(abs, &st) < 0) {
		burrow_error(err, errno, "--init: cannot use '%s'", str_quote(p));
		return given ? -1 : burrow_error_hint(err, "install burrow-init beside burrow, or give --init-path");
	}
	if (!S_ISREG(st.st_mode) || access(abs, X_OK) < 0)
		return burrow_error(err, S_ISREG(st.st_mode) ? errno : EACCES, "--init: cannot use '%s' as the init",
		                    str_quote(p));
	*out = steal_ptr(abs);
	return 0;
}

int ctr_labels_check(char *const *kv, const char *what, struct burrow_err **err)
{
	for (size_t i = 0; kv && kv[i]; i++)
		if (!kv[i][0] || kv[i][0] == '=')
			return burrow_error_status(err, EINVAL, "invalid %s '%s': the key is empty", what,
			                           str_quote(kv[i]));
	return 0;
}

/* KEY=VALUE vectors: a later KEY replaces an earlier one in its place
 * (KEY alone is KEY with an empty value). */
static char **kv_merge(char *const *a, char *const *b)
{
	struct strv_builder out = {0};
	for (int pass = 0; pass < 2; pass++) {
		char *const *v = pass ? b : a;
		for (size_t i = 0; v && v[i]; i++)
			strv_builder_take(&out, strchr(v[i], '=') ? xstrdup(v[i]) : xasprintf("%s=", v[i]));
	}
	char **r = strv_builder_steal(&out);
	strv_env_dedup(r);
	return r;
}

int ctr_create_extras(struct state_store *s, const struct ctr_create_opts *o, const struct img_info *img,
                      struct ctr_config *c, struct burrow_err **err)
{
	if (o->init && init_path(o->init_path, &c->init_path, err) < 0)
		return -1;
	/* podman: the image's labels, then the user's over them */
	cleanup_strv char **from_img = NULL;
	if (img && img_labels(s, img->id, &from_img, err) < 0)
		return -1;
	if ((from_img && from_img[0]) || (o->labels && o->labels[0]))
		c->labels = kv_merge(from_img, o->labels);
	if (o->annotations && o->annotations[0])
		c->annotations = kv_merge(NULL, o->annotations);
	return ctr_requires_resolve(s, o->requires, c, err);
}
