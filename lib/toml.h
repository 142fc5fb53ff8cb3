/* A TOML reader for the subset podman's files use (registries.conf,
 * registries.conf.d, containers.conf): tables ([a.b]), arrays of tables
 * ([[a.b]]), dotted and quoted keys, basic and literal strings (also
 * multi-line), integers (decimal, 0x, 0o, 0b, '_' separators), booleans,
 * arrays (across lines, trailing comma), inline tables, comments. Floats
 * and dates are refused with a message that says so. Duplicate keys and
 * redefined tables are errors, as TOML says.
 *
 * The result is a tree; what the keys mean is the caller's. Every value
 * carries the line it was defined on, for the caller's messages. */
#ifndef BURROW_LIB_TOML_H
#define BURROW_LIB_TOML_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INT,
	TOML_BOOL,
};

struct toml_val {
	enum toml_type type;
	unsigned line; /* 1-based line of the key (or the table header) */
	union {
		char *s;
		long long i;
		bool b;
		struct {
			size_t n;
			struct toml_val **items;
			bool of_tables; /* made by [[name]]: more may be appended */
		} arr;
		struct {
			size_t n;
			char **keys;
			struct toml_val **vals;
			bool defined;  /* by a [header] or as a value: no second [header] */
			bool inline_t; /* { ... }: closed to later additions */
		} tab;
	} u;
};

/* Parses text into a table (*root, free with toml_free). A syntax error
 * says which line: "line 3: expected '=' after the key". */
int toml_parse(const char *text, struct toml_val **root, struct burrow_err **err);
void toml_free(struct toml_val *v);

/* The value under key in a table (NULL when missing or t is not a table). */
const struct toml_val *toml_get(const struct toml_val *t, const char *key);

/* "table", "array", "string", "integer", "boolean": for messages. */
const char *toml_type_name(enum toml_type t);

#endif
