#include "lib/json.h"

#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

yajl_val json_parse(const char *text, struct burrow_err **err)
{
	char ebuf[256];
	ebuf[0] = '\0';
	yajl_val v = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!v) {
		char *nl = strchr(ebuf, '\n');
		if (nl)
			*nl = '\0';
		burrow_error(err, 0, "invalid JSON: %s", ebuf[0] ? ebuf : "parse error");
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

char **json_get_strv(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);
	if (!v || !YAJL_IS_ARRAY(v))
		return NULL;
	char **r = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];
		if (YAJL_IS_STRING(e))
			strv_append(&r, YAJL_GET_STRING(e));
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

void jg_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
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
