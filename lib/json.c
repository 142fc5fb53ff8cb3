#include "lib/json.h"

#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* The length of the character at u, 0 for a byte that is not UTF-8. */
static size_t char_len(const unsigned char *u)
{
	uint32_t cp;
	return *u < 0x80 ? 1 : str_utf8_seq(u, &cp);
}

/* yajl takes only UTF-8: a record written raw could never be read again */
char *json_utf8_fixed(const char *s, size_t len, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, c;
	while (i < len && (c = char_len(u + i)) > 0)
		i += c;
	if (i == len)
		return NULL;
	char *fixed = xmalloc(len * 3 + 1);
	*n = 0;
	for (i = 0; i < len; i += c ? c : 1) {
		c = char_len(u + i);
		memcpy(fixed + *n, c ? s + i : "\xef\xbf\xbd", c ? c : 3);
		*n += c ? c : 3;
	}
	fixed[*n] = '\0';
	return fixed;
}

char *json_go_line_seps(char *s)
{
	if (!strstr(s, "\xe2\x80\xa8") && !strstr(s, "\xe2\x80\xa9"))
		return s;
	char *out = xmalloc(strlen(s) * 2 + 1), *q = out; /* 3 bytes become 6 */
	for (const char *p = s; *p; p++) {
		if (p[0] == '\xe2' && p[1] == '\x80' && (p[2] == '\xa8' || p[2] == '\xa9')) {
			q += sprintf(q, "\\u202%c", p[2] == '\xa8' ? '8' : '9');
			p += 2;
		} else
			*q++ = *p;
	}
	*q = '\0';
	free(s);
	return out;
}

yajl_val json_parse(const char *text, struct burrow_err **err)
{
	char ebuf[256];
	ebuf[0] = '\0';
	size_t n;
	cleanup_free char *fixed = json_utf8_fixed(text, strlen(text), &n);
	yajl_val v = yajl_tree_parse(fixed ? fixed : text, ebuf, sizeof(ebuf));
	if (!v) {
		char *nl = strchr(ebuf, '\n');
		if (nl)
			*nl = '\0';
		burrow_error(err, 0, "invalid JSON: %s", ebuf[0] ? ebuf : "parse error");
		return NULL;
	}
	return v;
}

yajl_val json_get(yajl_val obj, const char *key)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

const char *json_get_str(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);
	return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

long long json_get_int(yajl_val obj, const char *key, long long def)
{
	yajl_val v = json_get(obj, key);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : def;
}

bool json_get_bool(yajl_val obj, const char *key, bool def)
{
	yajl_val v = json_get(obj, key);
	if (v && YAJL_IS_TRUE(v))
		return true;
	if (v && YAJL_IS_FALSE(v))
		return false;
	return def;
}

yajl_val json_get_next(yajl_val obj, const char *key, size_t *at)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	if (*at < obj->u.object.len && strcmp(obj->u.object.keys[*at], key) == 0)
		return obj->u.object.values[(*at)++];
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0) {
			*at = i + 1;
			return obj->u.object.values[i];
		}
	return NULL;
}

char **json_get_strv(yajl_val obj, const char *key)
{
	return json_strv(json_get(obj, key));
}

char **json_strv(yajl_val v)
{
	if (!v || !YAJL_IS_ARRAY(v))
		return NULL;
	char **r = xcalloc(v->u.array.len + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];
		if (YAJL_IS_STRING(e))
			r[n++] = xstrdup(YAJL_GET_STRING(e));
	}
	return r;
}

yajl_gen json_gen_new(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		abort();
	yajl_gen_config(g, yajl_gen_validate_utf8, 0);
	return g;
}

char *json_gen_finish(yajl_gen g)
{
	const unsigned char *buf = NULL;
	size_t len = 0;
	yajl_gen_get_buf(g, &buf, &len);
	char *r = xstrndup((const char *)buf, len);
	yajl_gen_free(g);
	return r;
}

/* s as UTF-8 (json_utf8_fixed) */
void jg_str(yajl_gen g, const char *s)
{
	size_t len = strlen(s), n;
	cleanup_free char *fixed = json_utf8_fixed(s, len, &n);
	yajl_gen_string(g, (const unsigned char *)(fixed ? fixed : s), fixed ? n : len);
}
void jg_int(yajl_gen g, long long v)
{
	yajl_gen_integer(g, v);
}
void jg_bool(yajl_gen g, bool v)
{
	yajl_gen_bool(g, v);
}
void jg_null(yajl_gen g)
{
	yajl_gen_null(g);
}
void jg_map_open(yajl_gen g)
{
	yajl_gen_map_open(g);
}
void jg_map_close(yajl_gen g)
{
	yajl_gen_map_close(g);
}
void jg_array_open(yajl_gen g)
{
	yajl_gen_array_open(g);
}
void jg_array_close(yajl_gen g)
{
	yajl_gen_array_close(g);
}
void jg_key(yajl_gen g, const char *key)
{
	jg_str(g, key);
}
void jg_key_str(yajl_gen g, const char *key, const char *v)
{
	jg_str(g, key);
	if (v)
		jg_str(g, v);
	else
		jg_null(g);
}
void jg_key_int(yajl_gen g, const char *key, long long v)
{
	jg_str(g, key);
	jg_int(g, v);
}
void jg_key_bool(yajl_gen g, const char *key, bool v)
{
	jg_str(g, key);
	jg_bool(g, v);
}
void jg_key_strv(yajl_gen g, const char *key, char *const *v)
{
	jg_str(g, key);
	jg_array_open(g);
	for (size_t i = 0; v && v[i]; i++)
		jg_str(g, v[i]);
	jg_array_close(g);
}

void jg_value(yajl_gen g, yajl_val v)
{
	if (!v) {
		jg_null(g);
	} else if (YAJL_IS_STRING(v)) {
		jg_str(g, YAJL_GET_STRING(v));
	} else if (YAJL_IS_NUMBER(v)) {
		yajl_gen_number(g, YAJL_GET_NUMBER(v), strlen(YAJL_GET_NUMBER(v)));
	} else if (YAJL_IS_TRUE(v)) {
		jg_bool(g, true);
	} else if (YAJL_IS_FALSE(v)) {
		jg_bool(g, false);
	} else if (YAJL_IS_OBJECT(v)) {
		jg_map_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			if (json_omitted(v->u.object.values[i]))
				continue;
			jg_str(g, v->u.object.keys[i]);
			jg_value(g, v->u.object.values[i]);
		}
		jg_map_close(g);
	} else if (YAJL_IS_ARRAY(v)) {
		jg_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			jg_value(g, v->u.array.values[i]);
		jg_array_close(g);
	} else {
		jg_null(g);
	}
}

static yajl_val new_node(yajl_type type)
{
	yajl_val v = xcalloc(1, sizeof(*v));
	v->type = type;
	return v;
}

yajl_val json_copy(yajl_val v)
{
	if (!v)
		return NULL;
	yajl_val c = new_node(v->type);
	*c = *v; /* the marks live in the node */
	if (YAJL_IS_STRING(v)) {
		c->u.string = xstrdup(v->u.string);
	} else if (YAJL_IS_NUMBER(v)) {
		c->u.number.r = v->u.number.r ? xstrdup(v->u.number.r) : NULL;
	} else if (YAJL_IS_OBJECT(v)) {
		c->u.object.keys = xcalloc(v->u.object.len + 1, sizeof(char *));
		c->u.object.values = xcalloc(v->u.object.len + 1, sizeof(yajl_val));
		for (size_t i = 0; i < v->u.object.len; i++) {
			c->u.object.keys[i] = xstrdup(v->u.object.keys[i]);
			c->u.object.values[i] = json_copy(v->u.object.values[i]);
		}
	} else if (YAJL_IS_ARRAY(v)) {
		c->u.array.values = xcalloc(v->u.array.len + 1, sizeof(yajl_val));
		for (size_t i = 0; i < v->u.array.len; i++)
			c->u.array.values[i] = json_copy(v->u.array.values[i]);
	}
	return c;
}

yajl_val json_new_object(void)
{
	return new_node(yajl_t_object);
}

yajl_val json_new_array(void)
{
	return new_node(yajl_t_array);
}

yajl_val json_new_str(const char *s)
{
	if (!s)
		return json_new_null();
	yajl_val v = new_node(yajl_t_string);
	v->u.string = xstrdup(s);
	return v;
}

yajl_val json_new_strn(const char *s, size_t max)
{
	if (!s)
		return json_new_null();
	yajl_val v = new_node(yajl_t_string);
	v->u.string = xstrndup(s, max);
	return v;
}

yajl_val json_new_int(long long i)
{
	/* the digits by hand: printf is most of the cost of a listing's numbers */
	char buf[24];
	size_t o = sizeof(buf) - 1;
	unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
	buf[o] = '\0';
	do {
		buf[--o] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (i < 0)
		buf[--o] = '-';
	yajl_val v = new_node(yajl_t_number);
	v->u.number.i = i;
	v->u.number.d = (double)i;
	v->u.number.r = xstrdup(buf + o);
	v->u.number.flags = YAJL_NUMBER_INT_VALID | YAJL_NUMBER_DOUBLE_VALID;
	return v;
}

yajl_val json_new_bool(bool b)
{
	return new_node(b ? yajl_t_true : yajl_t_false);
}

yajl_val json_new_null(void)
{
	return new_node(yajl_t_null);
}

/* The Go type a null stands for, in a field yajl leaves unused for nulls
 * (yajl_tree_free frees a null node alone). */
#define NIL_MAP 0x1000u
#define NIL_LIST 0x2000u
#define NIL_OMIT 0x4000u

yajl_val json_new_nil_map(void)
{
	yajl_val v = new_node(yajl_t_null);
	v->u.number.flags = NIL_MAP;
	return v;
}

yajl_val json_new_omitted_map(void)
{
	yajl_val v = new_node(yajl_t_null);
	v->u.number.flags = NIL_MAP | NIL_OMIT;
	return v;
}

/* A string node's mark, in the same field (its string pointer ends
 * before it; yajl_tree_parse zeroes its nodes). */
_Static_assert(offsetof(struct yajl_val_s, u.number.flags) >= offsetof(struct yajl_val_s, u.string) + sizeof(char *),
               "a string node has no room for the omit mark");

yajl_val json_new_omitempty_str(const char *s)
{
	yajl_val v = json_new_str(s ? s : "");
	if (!*YAJL_GET_STRING(v))
		v->u.number.flags = NIL_OMIT;
	return v;
}

bool json_omitted(yajl_val v)
{
	return v && (YAJL_IS_NULL(v) || YAJL_IS_STRING(v)) && (v->u.number.flags & NIL_OMIT);
}

yajl_val json_new_nil_list(void)
{
	yajl_val v = new_node(yajl_t_null);
	v->u.number.flags = NIL_LIST;
	return v;
}

const char *json_nil_text(yajl_val v)
{
	if (!v || !YAJL_IS_NULL(v))
		return NULL;
	unsigned t = v->u.number.flags & (NIL_MAP | NIL_LIST);
	return t == NIL_MAP ? "map[]" : t == NIL_LIST ? "[]" : NULL;
}

/* An object's mark, in the same field: an object node uses keys, values
 * and len, which end before it (yajl_tree_parse zeroes its nodes). */
#define GO_MAP NIL_MAP
_Static_assert(offsetof(struct yajl_val_s, u.number.flags) >=
                   offsetof(struct yajl_val_s, u.object.len) + sizeof(size_t),
               "an object node has no room for the map mark");

yajl_val json_new_map(void)
{
	return json_mark_map(json_new_object());
}

yajl_val json_mark_map(yajl_val v)
{
	if (v && YAJL_IS_OBJECT(v))
		v->u.number.flags |= GO_MAP;
	return v;
}

bool json_is_map(yajl_val v)
{
	return v && (YAJL_IS_OBJECT(v) || YAJL_IS_NULL(v)) && (v->u.number.flags & GO_MAP);
}

void json_mark_maps(yajl_val obj, const char *const *paths)
{
	for (size_t i = 0; paths[i]; i++) {
		yajl_val v = obj;
		for (const char *p = paths[i]; v && *p;) {
			size_t n = strcspn(p, ".");
			char key[128];
			if (n >= sizeof(key))
				break;
			memcpy(key, p, n);
			key[n] = '\0';
			v = json_get(v, key);
			p += n + (p[n] == '.');
			if (!*p)
				json_mark_map(v);
		}
	}
}

yajl_val json_new_strv(char *const *sv)
{
	yajl_val v = json_new_array();
	for (size_t i = 0; sv && sv[i]; i++)
		json_arr_add(v, json_new_str(sv[i]));
	return v;
}

/* Room for one more of len elements: capacities 16, 32, 64 ... for the
 * arrays built here; a parsed node's (yajl sizes them exactly) or any
 * other is grown when what it holds is full. */
static void *grow(void *p, size_t len, size_t size)
{
	if (p && malloc_usable_size(p) >= (len + 1) * size)
		return p;
	size_t cap = 16;
	while (cap < len + 1)
		cap *= 2;
	return xrealloc(p, cap * size);
}

yajl_val json_obj_add(yajl_val obj, const char *key, yajl_val v)
{
	size_t n = obj->u.object.len;
	obj->u.object.keys = grow(obj->u.object.keys, n, sizeof(char *));
	obj->u.object.values = grow(obj->u.object.values, n, sizeof(yajl_val));
	obj->u.object.keys[n] = xstrdup(key);
	obj->u.object.values[n] = v;
	obj->u.object.len = n + 1;
	return v;
}

yajl_val json_arr_add(yajl_val arr, yajl_val v)
{
	size_t n = arr->u.array.len;
	arr->u.array.values = grow(arr->u.array.values, n, sizeof(yajl_val));
	arr->u.array.values[n] = v;
	arr->u.array.len = n + 1;
	return v;
}
