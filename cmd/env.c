#include "cmd/env.h"

#include <errno.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static const char blanks[] = " \t";

int cmd_env_parse(char ***env, const char *arg, char *const *host, struct burrow_err **err)
{
	const char *name = arg + strspn(arg, blanks);
	const char *eq = strchr(name, '=');
	if (eq == arg || !*name || name == eq)
		return burrow_error_status(err, EINVAL, "invalid environment variable '%s'", str_quote(arg));
	if (eq) {
		strv_append(env, name);
		return 0;
	}
	size_t n = strlen(name);
	bool prefix = name[n - 1] == '*';
	if (prefix)
		n--;
	for (size_t i = 0; host && host[i]; i++) {
		const char *h = host[i], *heq = strchr(h, '=');
		if (!heq || strncmp(h, name, n) != 0 || (!prefix && heq != h + n))
			continue;
		strv_append(env, h);
		if (!prefix)
			break;
	}
	return 0;
}

int cmd_env_file_parse(char ***env, const char *text, char *const *host, struct burrow_err **err)
{
	cleanup_strv char **lines = strv_split(text, '\n');
	for (size_t i = 0; lines[i]; i++) {
		char *l = lines[i] + strspn(lines[i], blanks);
		size_t n = strlen(l);
		if (n && l[n - 1] == '\r')
			l[--n] = '\0';
		if (!*l || *l == '#')
			continue;
		if (cmd_env_parse(env, l, host, err) < 0)
			return burrow_error_wrap(err, "line %zu", i + 1);
	}
	return 0;
}
