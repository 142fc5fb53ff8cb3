/* A recursive-descent TOML reader for the subset lib/toml.h describes. */
#include "lib/toml.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

struct parser {
	const char *p;
	unsigned line;
	struct burrow_err **err;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *m = xvasprintf(fmt, ap);
	va_end(ap);
	return burrow_error(ps->err, 0, "line %u: %s", ps->line, m);
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE:
		return "table";
	case TOML_ARRAY:
		return "array";
	case TOML_STRING:
		return "string";
	case TOML_INT:
		return "integer";
	case TOML_BOOL:
		return "boolean";
	}
	return "value";
}

static struct toml_val *new_val(enum toml_type type, unsigned line)
{
	struct toml_val *v = xcalloc(1, sizeof(*v));
	v->type = type;
	v->line = line;
	return v;
}

void toml_free(struct toml_val *v)
{
	if (!v)
		return;
	switch (v->type) {
	case TOML_STRING:
		free(v->u.s);
		break;
	case TOML_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			toml_free(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case TOML_TABLE:
		for (size_t i = 0; i < v->u.tab.n; i++) {
			free(v->u.tab.keys[i]);
			toml_free(v->u.tab.vals[i]);
		}
		free(v->u.tab.keys);
		free(v->u.tab.vals);
		break;
	default:
		break;
	}
	free(v);
}

static void cleanup_tomlp(struct toml_val **v)
{
	toml_free(*v);
}
#define cleanup_toml __attribute__((cleanup(cleanup_tomlp)))

const struct toml_val *toml_get(const struct toml_val *t, const char *key)
{
	if (!t || t->type != TOML_TABLE)
		return NULL;
	for (size_t i = 0; i < t->u.tab.n; i++)
		if (strcmp(t->u.tab.keys[i], key) == 0)
			return t->u.tab.vals[i];
	return NULL;
}

static struct toml_val *table_find(struct toml_val *t, const char *key)
{
	return (struct toml_val *)toml_get(t, key);
}

/* Takes v. */
static void table_add(struct toml_val *t, const char *key, struct toml_val *v)
{
	t->u.tab.keys = xrealloc(t->u.tab.keys, (t->u.tab.n + 1) * sizeof(char *));
	t->u.tab.vals = xrealloc(t->u.tab.vals, (t->u.tab.n + 1) * sizeof(struct toml_val *));
	t->u.tab.keys[t->u.tab.n] = xstrdup(key);
	t->u.tab.vals[t->u.tab.n] = v;
	t->u.tab.n++;
}

/* Takes v. */
static void array_add(struct toml_val *a, struct toml_val *v)
{
	a->u.arr.items = xrealloc(a->u.arr.items, (a->u.arr.n + 1) * sizeof(struct toml_val *));
	a->u.arr.items[a->u.arr.n++] = v;
}

/* --- lexing -------------------------------------------------------------- */

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static bool at_newline(const struct parser *ps)
{
	return *ps->p == '\n' || (ps->p[0] == '\r' && ps->p[1] == '\n');
}

static void eat_newline(struct parser *ps)
{
	if (*ps->p == '\r')
		ps->p++;
	if (*ps->p == '\n')
		ps->p++;
	ps->line++;
}

static void skip_comment(struct parser *ps)
{
	if (*ps->p == '#')
		while (*ps->p && *ps->p != '\n')
			ps->p++;
}

/* Blanks, newlines and comments (inside arrays). */
static void skip_ws_nl(struct parser *ps)
{
	for (;;) {
		skip_ws(ps);
		skip_comment(ps);
		if (!at_newline(ps))
			return;
		eat_newline(ps);
	}
}

/* After a value or header: blanks, a comment, then a newline or the end. */
static int end_of_line(struct parser *ps)
{
	skip_ws(ps);
	skip_comment(ps);
	if (!*ps->p)
		return 0;
	if (!at_newline(ps))
		return fail(ps, "unexpected text '%.12s' after the value", ps->p);
	eat_newline(ps);
	return 0;
}

static bool is_bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void put_utf8(char **o, uint32_t cp)
{
	unsigned char *u = (unsigned char *)*o;
	if (cp < 0x80) {
		*u++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*u++ = (unsigned char)(0xc0 | (cp >> 6));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*u++ = (unsigned char)(0xe0 | (cp >> 12));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*u++ = (unsigned char)(0xf0 | (cp >> 18));
		*u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*o = (char *)u;
}

/* One escape after a backslash in a basic string (ps->p at the letter). */
static int escape(struct parser *ps, char **o)
{
	char c = *ps->p++;
	switch (c) {
	case 'b':
		*(*o)++ = '\b';
		return 0;
	case 't':
		*(*o)++ = '\t';
		return 0;
	case 'n':
		*(*o)++ = '\n';
		return 0;
	case 'f':
		*(*o)++ = '\f';
		return 0;
	case 'r':
		*(*o)++ = '\r';
		return 0;
	case 'e':
		*(*o)++ = '\x1b';
		return 0;
	case '"':
	case '\\':
		*(*o)++ = c;
		return 0;
	case 'u':
	case 'U': {
		int n = c == 'u' ? 4 : 8;
		uint32_t cp = 0;
		for (int i = 0; i < n; i++) {
			char h = *ps->p++;
			int d = h >= '0' && h <= '9'   ? h - '0'
			        : h >= 'a' && h <= 'f' ? h - 'a' + 10
			        : h >= 'A' && h <= 'F' ? h - 'A' + 10
			                               : -1;
			if (d < 0)
				return fail(ps, "'\\%c' needs %d hex digits", c, n);
			cp = cp * 16 + (uint32_t)d;
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return fail(ps, "'\\%c' is not a Unicode scalar value", c);
		put_utf8(o, cp);
		return 0;
	}
	default:
		return fail(ps, "unknown escape '\\%c' in a string", c ? c : ' ');
	}
}

/* A string of any of the four kinds; ps->p at the opening quote. */
static int parse_string(struct parser *ps, char **out)
{
	char q = *ps->p;
	bool multi = ps->p[1] == q && ps->p[2] == q;
	ps->p += multi ? 3 : 1;
	if (multi && at_newline(ps))
		eat_newline(ps); /* a newline right after the opening quotes is not content */
	size_t cap = 64;
	char *buf = xmalloc(cap), *o = buf;
	for (;;) {
		/* room for the longest thing one step writes (5 quotes, a UTF-8 sequence) */
		if ((size_t)(o - buf) + 8 > cap) {
			size_t used = (size_t)(o - buf);
			cap *= 2;
			buf = xrealloc(buf, cap);
			o = buf + used;
		}
		char c = *ps->p;
		if (!c) {
			free(buf);
			return fail(ps, "unterminated string");
		}
		if (c == q && (!multi || (ps->p[1] == q && ps->p[2] == q))) {
			if (!multi) {
				ps->p++;
				break;
			}
			/* up to two quotes before the closing three are content */
			size_t run = 0;
			while (ps->p[run] == q)
				run++;
			if (run > 5) {
				free(buf);
				return fail(ps, "too many quotes closing a string");
			}
			for (size_t i = 0; i < run - 3; i++)
				*o++ = q;
			ps->p += run;
			break;
		}
		if (at_newline(ps)) {
			if (!multi) {
				free(buf);
				return fail(ps, "unterminated string");
			}
			if (*ps->p == '\r')
				ps->p++;
			*o++ = '\n';
			ps->p++;
			ps->line++;
			continue;
		}
		if (c == '\\' && q == '"') {
			ps->p++;
			const char *save = ps->p;
			if (multi) {
				/* a backslash ending a line swallows the line break and
				 * the blanks that follow */
				skip_ws(ps);
				if (at_newline(ps)) {
					while (*ps->p == ' ' || *ps->p == '\t' || at_newline(ps)) {
						if (at_newline(ps))
							eat_newline(ps);
						else
							ps->p++;
					}
					continue;
				}
				ps->p = save;
			}
			if (escape(ps, &o) < 0) {
				free(buf);
				return -1;
			}
			continue;
		}
		if ((unsigned char)c < 0x20 && c != '\t') {
			free(buf);
			return fail(ps, "control character in a string");
		}
		*o++ = c;
		ps->p++;
	}
	*o = '\0';
	*out = buf;
	return 0;
}

/* key (a.b."c d".'e'): its parts. */
static int parse_key(struct parser *ps, char ***parts)
{
	cleanup_strv char **v = xcalloc(1, sizeof(char *));
	for (;;) {
		skip_ws(ps);
		if (*ps->p == '"' || *ps->p == '\'') {
			if (ps->p[1] == *ps->p && ps->p[2] == *ps->p)
				return fail(ps, "a key cannot be a multi-line string");
			char *s = NULL;
			if (parse_string(ps, &s) < 0)
				return -1;
			strv_append_take(&v, s);
		} else {
			const char *start = ps->p;
			while (is_bare(*ps->p))
				ps->p++;
			if (ps->p == start) {
				if (!*ps->p || at_newline(ps))
					return fail(ps, "expected a key");
				return fail(ps, "invalid character '%c' in a key", *ps->p);
			}
			strv_append_take(&v, xstrndup(start, (size_t)(ps->p - start)));
		}
		skip_ws(ps);
		if (*ps->p != '.')
			break;
		ps->p++;
	}
	*parts = steal_ptr(v);
	return 0;
}

static char *join_key(char **parts, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%s", s, i ? "." : "", parts[i]);
		free(s);
		s = t;
	}
	return s;
}

static int parse_value(struct parser *ps, struct toml_val **out);

static int parse_int(struct parser *ps, struct toml_val **out)
{
	const char *s = ps->p;
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (strncmp(s, "inf", 3) == 0 || strncmp(s, "nan", 3) == 0)
		return fail(ps, "floating-point values are not supported");
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		if (s != ps->p)
			return fail(ps, "a sign is not allowed before 0%c", s[1]);
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		s += 2;
	}
	unsigned long long v = 0, limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	size_t digits = 0;
	bool last_us = true; /* no leading '_' */
	const char *first = s;
	for (;; s++) {
		int d;
		char c = *s;
		if (c == '_') {
			if (last_us)
				return fail(ps, "misplaced '_' in a number");
			last_us = true;
			continue;
		}
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (d >= base)
			return fail(ps, "invalid digit '%c' in a number", c);
		if (v > (limit - (unsigned long long)d) / (unsigned long long)base)
			return fail(ps, "integer out of range");
		v = v * (unsigned long long)base + (unsigned long long)d;
		digits++;
		last_us = false;
	}
	if (!digits || last_us)
		return fail(ps, "invalid number");
	if (*s == '.' || *s == 'e' || *s == 'E')
		return fail(ps, "floating-point values are not supported");
	if (*s == ':' || (*s == '-' && base == 10 && digits == 4) || (*s == 'T'))
		return fail(ps, "dates and times are not supported");
	if (base == 10 && first[0] == '0' && digits > 1)
		return fail(ps, "leading zeros are not allowed in a number");
	if (is_bare(*s))
		return fail(ps, "invalid number");
	struct toml_val *r = new_val(TOML_INT, ps->line);
	r->u.i = neg ? (long long)(0 - v) : (long long)v;
	ps->p = s;
	*out = r;
	return 0;
}

static int parse_array(struct parser *ps, struct toml_val **out)
{
	cleanup_toml struct toml_val *a = new_val(TOML_ARRAY, ps->line);
	ps->p++; /* [ */
	for (;;) {
		skip_ws_nl(ps);
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		if (!*ps->p)
			return fail(ps, "unterminated array");
		struct toml_val *item = NULL;
		if (parse_value(ps, &item) < 0)
			return -1;
		array_add(a, item);
		skip_ws_nl(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		return fail(ps, *ps->p ? "expected ',' or ']' in an array" : "unterminated array");
	}
	*out = steal_ptr(a);
	return 0;
}

static int set_key(struct parser *ps, struct toml_val *table, char **parts, struct toml_val *v);

static int parse_inline_table(struct parser *ps, struct toml_val **out)
{
	cleanup_toml struct toml_val *t = new_val(TOML_TABLE, ps->line);
	t->u.tab.defined = true;
	ps->p++; /* { */
	skip_ws(ps);
	if (*ps->p == '}') {
		ps->p++;
		t->u.tab.inline_t = true;
		*out = steal_ptr(t);
		return 0;
	}
	for (;;) {
		cleanup_strv char **parts = NULL;
		if (parse_key(ps, &parts) < 0)
			return -1;
		if (*ps->p != '=')
			return fail(ps, "expected '=' after the key");
		ps->p++;
		skip_ws(ps);
		struct toml_val *v = NULL;
		if (parse_value(ps, &v) < 0)
			return -1;
		if (set_key(ps, t, parts, v) < 0)
			return -1;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == '}') {
			ps->p++;
			break;
		}
		return fail(ps, "expected ',' or '}' in an inline table");
	}
	t->u.tab.inline_t = true;
	*out = steal_ptr(t);
	return 0;
}

static int parse_value(struct parser *ps, struct toml_val **out)
{
	const char *p = ps->p;
	if (*p == '"' || *p == '\'') {
		unsigned line = ps->line;
		char *s = NULL;
		if (parse_string(ps, &s) < 0)
			return -1;
		*out = new_val(TOML_STRING, line);
		(*out)->u.s = s;
		return 0;
	}
	if (*p == '[')
		return parse_array(ps, out);
	if (*p == '{')
		return parse_inline_table(ps, out);
	if (strncmp(p, "true", 4) == 0 && !is_bare(p[4])) {
		ps->p += 4;
		*out = new_val(TOML_BOOL, ps->line);
		(*out)->u.b = true;
		return 0;
	}
	if (strncmp(p, "false", 5) == 0 && !is_bare(p[5])) {
		ps->p += 5;
		*out = new_val(TOML_BOOL, ps->line);
		return 0;
	}
	if ((*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || strncmp(p, "inf", 3) == 0 ||
	    strncmp(p, "nan", 3) == 0)
		return parse_int(ps, out);
	if (!*p || at_newline(ps))
		return fail(ps, "expected a value");
	return fail(ps, "invalid value '%.12s' (strings need quotes)", p);
}

/* The table that a header or dotted key walks into: creates implicit
 * tables, steps into the last table of an array of tables. */
static int step_into(struct parser *ps, struct toml_val *t, char **parts, size_t upto, struct toml_val **out,
                     bool from_key)
{
	for (size_t i = 0; i < upto; i++) {
		struct toml_val *next = table_find(t, parts[i]);
		if (!next) {
			next = new_val(TOML_TABLE, ps->line);
			table_add(t, parts[i], next);
		} else if (next->type == TOML_ARRAY && next->u.arr.of_tables && !from_key) {
			next = next->u.arr.items[next->u.arr.n - 1];
		} else if (next->type != TOML_TABLE || next->u.tab.inline_t) {
			cleanup_free char *k = join_key(parts, i + 1);
			return fail(ps, "'%s' is already defined as a %s", k,
			            next->type == TOML_TABLE ? "inline table" : toml_type_name(next->type));
		}
		t = next;
	}
	*out = t;
	return 0;
}

/* Takes v (frees it on failure). */
static int set_key(struct parser *ps, struct toml_val *table, char **parts, struct toml_val *v)
{
	size_t n = strv_len(parts);
	struct toml_val *t = NULL;
	if (step_into(ps, table, parts, n - 1, &t, true) < 0) {
		toml_free(v);
		return -1;
	}
	if (table_find(t, parts[n - 1])) {
		toml_free(v);
		cleanup_free char *k = join_key(parts, n);
		return fail(ps, "duplicate key '%s'", k);
	}
	table_add(t, parts[n - 1], v);
	return 0;
}

static int parse_header(struct parser *ps, struct toml_val *root, struct toml_val **cur)
{
	bool array = ps->p[1] == '[';
	ps->p += array ? 2 : 1;
	cleanup_strv char **parts = NULL;
	if (parse_key(ps, &parts) < 0)
		return -1;
	if (array ? strncmp(ps->p, "]]", 2) != 0 : *ps->p != ']')
		return fail(ps, array ? "expected ']]' after the table name" : "expected ']' after the table name");
	ps->p += array ? 2 : 1;
	size_t n = strv_len(parts);
	struct toml_val *parent = NULL;
	if (step_into(ps, root, parts, n - 1, &parent, false) < 0)
		return -1;
	struct toml_val *t = table_find(parent, parts[n - 1]);
	cleanup_free char *name = join_key(parts, n);
	if (array) {
		if (!t) {
			t = new_val(TOML_ARRAY, ps->line);
			t->u.arr.of_tables = true;
			table_add(parent, parts[n - 1], t);
		} else if (t->type != TOML_ARRAY || !t->u.arr.of_tables) {
			return fail(ps, "'%s' is already defined as a %s", name, toml_type_name(t->type));
		}
		struct toml_val *elem = new_val(TOML_TABLE, ps->line);
		elem->u.tab.defined = true;
		array_add(t, elem);
		*cur = elem;
		return 0;
	}
	if (!t) {
		t = new_val(TOML_TABLE, ps->line);
		table_add(parent, parts[n - 1], t);
	} else if (t->type != TOML_TABLE || t->u.tab.inline_t) {
		return fail(ps, "'%s' is already defined as a %s", name,
		            t->type == TOML_TABLE ? "inline table" : toml_type_name(t->type));
	} else if (t->u.tab.defined) {
		return fail(ps, "table '%s' is defined twice", name);
	}
	t->u.tab.defined = true;
	t->line = ps->line;
	*cur = t;
	return 0;
}

int toml_parse(const char *text, struct toml_val **root, struct burrow_err **err)
{
	struct parser ps = {.p = text, .line = 1, .err = err};
	cleanup_toml struct toml_val *r = new_val(TOML_TABLE, 1);
	r->u.tab.defined = true;
	struct toml_val *cur = r;
	/* a UTF-8 byte order mark */
	if (strncmp(ps.p, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3;
	for (;;) {
		skip_ws(&ps);
		skip_comment(&ps);
		if (!*ps.p)
			break;
		if (at_newline(&ps)) {
			eat_newline(&ps);
			continue;
		}
		if (*ps.p == '[') {
			if (parse_header(&ps, r, &cur) < 0)
				return -1;
		} else {
			cleanup_strv char **parts = NULL;
			if (parse_key(&ps, &parts) < 0)
				return -1;
			if (*ps.p != '=')
				return fail(&ps, "expected '=' after the key");
			ps.p++;
			skip_ws(&ps);
			struct toml_val *v = NULL;
			unsigned line = ps.line;
			if (parse_value(&ps, &v) < 0)
				return -1;
			v->line = line;
			if (set_key(&ps, cur, parts, v) < 0)
				return -1;
		}
		if (end_of_line(&ps) < 0)
			return -1;
	}
	*root = steal_ptr(r);
	return 0;
}
