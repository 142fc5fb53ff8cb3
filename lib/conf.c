#include "lib/conf.h"

#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

char *conf_user_path(const char *name)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	/* the XDG spec says to ignore a relative value */
	if (xdg && xdg[0] == '/')
		return path_join(xdg, name);
	cleanup_free char *home = home_dir();
	if (!home)
		return NULL;
	cleanup_free char *rel = path_join(".config", name);
	return path_join(home, rel);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

/* A quoted value (unescaped into out) or a bare word; the rest of the line
 * may only hold a comment. */
static int parse_value(const char *v, char **out, unsigned line, struct burrow_err **err)
{
	if (*v == '"') {
		char *o = xmalloc(strlen(v) + 1), *p = o;
		const char *s = v + 1;
		for (; *s && *s != '"'; s++) {
			if (*s == '\\') {
				s++;
				if (*s != '"' && *s != '\\') {
					free(o);
					return burrow_error(err, 0, "line %u: unknown escape '\\%c' in a string", line,
					                    *s ? *s : ' ');
				}
			}
			*p++ = *s;
		}
		*p = '\0';
		if (*s != '"') {
			free(o);
			return burrow_error(err, 0, "line %u: unterminated string", line);
		}
		s++;
		while (isspace((unsigned char)*s))
			s++;
		if (*s && *s != '#') {
			free(o);
			return burrow_error(err, 0, "line %u: unexpected text after the string", line);
		}
		*out = o;
		return 0;
	}
	size_t n = strcspn(v, "#");
	cleanup_free char *w = xstrndup(v, n);
	char *t = trim(w);
	if (!*t || strpbrk(t, " \t\"'"))
		return burrow_error(err, 0, "line %u: a value is one word or a \"quoted string\"", line);
	*out = xstrdup(t);
	return 0;
}

int conf_parse(const char *text, conf_fn fn, void *data, struct burrow_err **err)
{
	cleanup_free char *copy = xstrdup(text);
	cleanup_free char *section = xstrdup("");
	unsigned line = 0;
	char *save = NULL;
	for (char *l = copy; l; l = save) {
		save = strchr(l, '\n');
		if (save)
			*save++ = '\0';
		line++;
		char *s = trim(l);
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e)
				return burrow_error(err, 0, "line %u: a section header needs ']'", line);
			*e = '\0';
			char *rest = trim(e + 1);
			char *name = trim(s + 1);
			if (!valid_name(name) || (*rest && *rest != '#'))
				return burrow_error(err, 0, "line %u: invalid section header", line);
			free(section);
			section = xstrdup(name);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq)
			return burrow_error(err, 0, "line %u: expected 'key = value'", line);
		*eq = '\0';
		char *key = trim(s);
		if (!valid_name(key))
			return burrow_error(err, 0, "line %u: invalid key '%s'", line, str_quote(key));
		cleanup_free char *value = NULL;
		if (parse_value(trim(eq + 1), &value, line, err) < 0)
			return -1;
		if (fn(section, key, value, line, data, err) < 0)
			return -1;
	}
	return 0;
}

char **conf_dir_files(const char *dir, const char *suffix)
{
	char **out = xcalloc(1, sizeof(char *));
	cleanup_dir DIR *d = opendir(dir);
	if (!d)
		return out;
	cleanup_strv char **names = xcalloc(1, sizeof(char *));
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.' && str_has_suffix(de->d_name, suffix))
			strv_append(&names, de->d_name);
	qsort(names, strv_len(names), sizeof(char *), strv_cmp);
	for (size_t i = 0; names[i]; i++) {
		cleanup_free char *p = path_join(dir, names[i]);
		struct stat sb;
		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
			strv_append(&out, p);
	}
	return out;
}
