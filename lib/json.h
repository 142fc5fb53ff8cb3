/* Thin JSON helpers over yajl: yajl_tree for reading, yajl_gen for writing. */
#ifndef BURROW_LIB_JSON_H
#define BURROW_LIB_JSON_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "lib/err.h"

/* Parses a document; NULL and *err on a syntax error. Free with yajl_tree_free. */
yajl_val json_parse(const char *text, struct burrow_err **err);

/* Lookups in an object; NULL / default when missing or of another type. */
yajl_val json_get(yajl_val obj, const char *key);
const char *json_get_str(yajl_val obj, const char *key);
long long json_get_int(yajl_val obj, const char *key, long long def);
bool json_get_bool(yajl_val obj, const char *key, bool def);
/* A newly allocated strv from an array of strings (NULL if missing). */
char **json_get_strv(yajl_val obj, const char *key);
char **json_strv(yajl_val arr); /* the same from the array itself */
/* json_get for reading back, key by key in the order it wrote them, an
 * object this program wrote itself: *at is where the next key is expected,
 * and a miss falls back to the search. Linear where json_get is quadratic
 * in the keys; not for documents from elsewhere (of a duplicated key it may
 * answer either copy). Start with *at = 0. */
yajl_val json_get_next(yajl_val obj, const char *key, size_t *at);

/* s[0, len) with U+FFFD for each byte that is not UTF-8, as Go's
 * encoding/json reads and writes it (and so podman's records and its
 * --format json), in a new string (*n its length); NULL when s is UTF-8
 * already. Every JSON writer (jg_str, cmd/report.c's) goes through it. */
char *json_utf8_fixed(const char *s, size_t len, size_t *n);
/* JSON text s with U+2028 and U+2029 as \u2028 and \u2029, as Go's
 * encoders write them always (HTML escaping or not; raw, they can only be
 * in a string): takes s, returns the new text. */
char *json_go_line_seps(char *s);

/* Writing. json_gen_new never fails; json_gen_finish returns a new string
 * and frees the generator. */
yajl_gen json_gen_new(void);
char *json_gen_finish(yajl_gen g);
void jg_str(yajl_gen g, const char *s);
void jg_int(yajl_gen g, long long v);
void jg_bool(yajl_gen g, bool v);
void jg_null(yajl_gen g);
void jg_map_open(yajl_gen g);
void jg_map_close(yajl_gen g);
void jg_array_open(yajl_gen g);
void jg_array_close(yajl_gen g);
void jg_key_str(yajl_gen g, const char *key, const char *v); /* NULL v -> null */
void jg_key_int(yajl_gen g, const char *key, long long v);
void jg_key_bool(yajl_gen g, const char *key, bool v);
void jg_key_strv(yajl_gen g, const char *key, char *const *v);
/* Emits a key, the caller emits the value. */
void jg_key(yajl_gen g, const char *key);
/* Copies a parsed value into the generator. */
void jg_value(yajl_gen g, yajl_val v);

/* Building trees in memory (for output): the nodes are allocated as
 * yajl_tree_parse allocates them, so yajl_tree_free frees a built tree. */
yajl_val json_new_object(void);
yajl_val json_new_array(void);
yajl_val json_new_str(const char *s);              /* NULL s -> null */
yajl_val json_new_strn(const char *s, size_t max); /* at most max bytes of s */
yajl_val json_new_int(long long v);
yajl_val json_new_bool(bool v);
yajl_val json_new_null(void);
/* null, as podman's JSON prints a Go nil map or slice (Labels without
 * labels); templates print it as Go does ("map[]", "[]") and take its len
 * as 0 (json_nil_text). Built here only: a null parsed from text is plain. */
yajl_val json_new_nil_map(void);
yajl_val json_new_nil_list(void);
/* A nil map in a field Go writes with omitempty (an image's Config.Labels):
 * the JSON writers (jg_value, cmd's) leave its key out; templates see a
 * nil map. */
yajl_val json_new_omitted_map(void);
/* A string in a field Go writes with omitempty (inspect's State.CgroupPath):
 * left out by the JSON writers when s is NULL or empty; templates see the
 * string (""), as Go's struct field. */
yajl_val json_new_omitempty_str(const char *s);
bool json_omitted(yajl_val v);
/* "map[]" or "[]" for those; NULL for any other value. */
const char *json_nil_text(yajl_val v);
/* Go maps. Templates tell a Go map (map[string]T in podman's types: keys
 * are data, Labels, Annotations, Volumes, PortBindings ...), where a
 * missing key is Go's no value, from a struct (every other object), where
 * an unknown field is an error, by this mark: objects are structs unless
 * made or marked as maps (a nil map is one too). The mark lives in the
 * node, so it survives json_obj_add and yajl_tree_free frees it as any. */
yajl_val json_new_map(void);
yajl_val json_mark_map(yajl_val v); /* an object, built or parsed; returns v */
bool json_is_map(yajl_val v);
/* Marks the objects at paths in obj ("Config.Labels": a key of a key),
 * those there; the list ends with NULL. For trees parsed from text. */
void json_mark_maps(yajl_val obj, const char *const *paths);
yajl_val json_new_strv(char *const *v); /* NULL v -> [] */
/* Adds key (copied) -> v (taken) to an object, built or parsed; returns v. */
yajl_val json_obj_add(yajl_val obj, const char *key, yajl_val v);
/* Appends v (taken) to an array; returns v. */
yajl_val json_arr_add(yajl_val arr, yajl_val v);
/* A deep copy of v, its marks (Go maps, nils, omitempty) too. */
yajl_val json_copy(yajl_val v);

static inline void cleanup_yajl_valp(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}
#define cleanup_yajl __attribute__((cleanup(cleanup_yajl_valp)))

#endif
