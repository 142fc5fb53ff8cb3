#include "lib/strv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void strv_append_take(char ***v, char *s)
{
	size_t n = strv_len(*v);
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

void strv_append(char ***v, const char *s)
{
	strv_append_take(v, xstrdup(s));
}

void strv_builder_take(struct strv_builder *b, char *s)
{
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->v = xrealloc(b->v, b->cap * sizeof(char *));
	}
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

void strv_builder_add(struct strv_builder *b, const char *s)
{
	strv_builder_take(b, xstrdup(s));
}

void strv_builder_extend(struct strv_builder *b, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		strv_builder_add(b, v[i]);
}

char **strv_builder_steal(struct strv_builder *b)
{
	char **v = b->v ? b->v : xcalloc(1, sizeof(char *));
	*b = (struct strv_builder){0};
	return v;
}

struct env_entry {
	const char *s;
	size_t name_len;
	size_t pos;
};

static int env_entry_cmp(const void *a, const void *b)
{
	const struct env_entry *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void strv_env_dedup(char **env)
{
	size_t n = strv_len(env);
	if (n < 2)
		return;
	struct env_entry *e = xcalloc(n, sizeof(*e));
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');
		e[i] = (struct env_entry){env[i], eq ? (size_t)(eq - env[i]) : strlen(env[i]), i};
	}
	/* by name, then by place: each run of one name is first..last */
	qsort(e, n, sizeof(*e), env_entry_cmp);
	bool *gone = xcalloc(n, sizeof(bool));
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && e[j].name_len == e[i].name_len && memcmp(e[j].s, e[i].s, e[i].name_len) == 0;
		     j++)
			;
		if (j - i == 1)
			continue;
		size_t first = e[i].pos, last = e[j - 1].pos;
		for (size_t k = i; k < j - 1; k++) {
			free(env[e[k].pos]);
			gone[e[k].pos] = true;
		}
		env[first] = env[last];
		gone[first] = false;
		gone[last] = true;
	}
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (!gone[i])
			env[w++] = env[i];
	env[w] = NULL;
	free(gone);
	free(e);
}

void strv_env_set(char ***env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t n = eq ? (size_t)(eq - kv) : strlen(kv);
	for (size_t i = 0; *env && (*env)[i]; i++) {
		if (strncmp((*env)[i], kv, n) == 0 && (*env)[i][n] == '=') {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	}
	strv_append(env, kv);
}

bool strv_env_has(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return true;
	return false;
}

char **strv_dup(char *const *v)
{
	size_t n = strv_len(v);
	char **r = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

char **strv_split(const char *s, char sep)
{
	struct strv_builder b = {0};
	const char *start = s;
	for (;;) {
		const char *e = strchr(start, sep);
		if (!e) {
			strv_builder_add(&b, start);
			break;
		}
		strv_builder_take(&b, xstrndup(start, (size_t)(e - start)));
		start = e + 1;
	}
	return strv_builder_steal(&b);
}

int strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

int str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

int str_to_ll(const char *s, long long min, long long max, long long *out)
{
	if (!s || !*s)
		return -1;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
