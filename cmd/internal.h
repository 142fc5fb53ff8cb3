/* cmd/ internals: the parsed form of a --format template, shared by its
 * parser (template.c), its evaluator (template_exec.c) and its functions
 * (template_funcs.c). */
#ifndef BURROW_CMD_INTERNAL_H
#define BURROW_CMD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "cmd/template.h"

enum tmpl_node_kind {
	TN_TEXT,
	TN_ACTION, /* {{pipeline}} */
	TN_IF,
	TN_RANGE,
	TN_WITH,
};

enum tmpl_arg_kind {
	TA_DOT,   /* . */
	TA_FIELD, /* .A.B: fields from dot */
	TA_VAR,   /* $x, then fields */
	TA_FUNC,  /* a function name */
	TA_CONST, /* a string, number, character, true, false or nil */
	TA_PIPE,  /* (pipeline), then fields */
};

struct tmpl_pipe;
struct tmpl_func;

struct tmpl_arg {
	enum tmpl_arg_kind kind;
	unsigned pos, end;          /* [pos, end) in the source */
	char *name;                 /* TA_VAR ("$x", "$"), TA_FUNC */
	const struct tmpl_func *fn; /* TA_FUNC */
	yajl_val value;             /* TA_CONST */
	struct tmpl_pipe *pipe;     /* TA_PIPE */
	char **fields;              /* the chain that follows (all of it for TA_FIELD) */
	size_t nfields;
};

struct tmpl_cmd {
	unsigned pos, end;
	struct tmpl_arg **args;
	size_t nargs;
};

struct tmpl_pipe {
	unsigned pos, end;
	char *vars[2]; /* {{$x := ...}}, {{range $i, $e := ...}} */
	size_t nvars;
	bool assign; /* '=' rather than ':=' */
	struct tmpl_cmd **cmds;
	size_t ncmds;
};

struct tmpl_node;
struct tmpl_list {
	struct tmpl_node **nodes;
	size_t n;
};

struct tmpl_node {
	enum tmpl_node_kind kind;
	unsigned pos;
	char *text; /* TN_TEXT, after escapes and trimming */
	size_t len;
	struct tmpl_pipe *pipe; /* every other kind */
	struct tmpl_list list;  /* TN_IF, TN_RANGE, TN_WITH */
	struct tmpl_list elselist;
};

struct fmt_template {
	char *src;
	unsigned skipped; /* "table " at the start, which podman cuts off before Go parses */
	struct tmpl_list root;
};

/* "line:col" of a byte offset, for messages. */
void tmpl_position(const struct fmt_template *t, unsigned pos, unsigned *line, unsigned *col);

/* --- evaluation (template_exec.c) and functions (template_funcs.c) --- */

/* A value during evaluation. */
enum tmpl_val_kind {
	V_JSON,  /* a JSON value (never a NULL pointer: null is a node) */
	V_ITEM,  /* one object of the verb: overlay + base */
	V_ITEMS, /* the verb's list of objects */
	V_HDR,   /* header mode: the field path that led here */
};

struct tmpl_val {
	enum tmpl_val_kind kind;
	yajl_val j;
	const struct fmt_item *items; /* V_ITEM: items[0] */
	size_t n;
	const char *path;
	const char *go_type; /* podman's type of a struct the verb names (fmt_data.types), or NULL */
	yajl_val json;       /* what json writes in place of j (fmt_data.json_base), or NULL */
};

struct tmpl_var {
	const char *name;
	struct tmpl_val v;
};

struct tmpl_exec {
	const struct fmt_template *t;
	const struct fmt_data *d;
	struct fmt_buf *out;
	yajl_val *arena; /* values made while running, freed at the end */
	size_t narena, caparena;
	struct tmpl_var *vars;
	size_t nvars, capvars;
	bool piped; /* the last argument of the call under way came through '|' */
	/* where evaluation is, for errors (Go's state.at): the node's position
	 * (as Go's parser gives it) and its text [start, end) in the source */
	struct tmpl_at {
		unsigned pos, start, end;
	} at;
	const char *calling; /* the function a call is running: errors say "error calling NAME: " */
	struct burrow_err **err;
};

typedef int (*tmpl_fn)(struct tmpl_exec *x, struct tmpl_val *args, size_t n, struct tmpl_val *out);

struct tmpl_func {
	const char *name;
	int min, max; /* max -1: any number */
	tmpl_fn call;
	bool text; /* header mode: runs on the header text (lower, printf ...);
	            * the others give back the header they were handed */
	/* the Go types of the parameters, checked as Go checks them: s
	 * string, i int, a anything (the last letter stands for the rest);
	 * NULL: the function checks */
	const char *params;
	bool swap; /* and the two may come in either order (truncate N S) */
};

/* Functions (template_funcs.c); the parser resolves names with this. */
const struct tmpl_func *tmpl_func_find(const char *name);

/* Go's execution error at x->at: 'template: NAME:L:C: executing "NAME" at
 * <NODE>: message' (C is Go's: bytes from the line's start, counted from
 * 0); returns -1. */
int tmpl_error(struct tmpl_exec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The Go type podman's value would have, as far as the JSON tells
 * ("string", "int", "[]string", "map[string]string", the verb's type for
 * its objects): for messages. */
const char *tmpl_go_type(struct tmpl_exec *x, struct tmpl_val v);
/* Values made while running live in an arena freed when the run ends. */
yajl_val tmpl_keep(struct tmpl_exec *x, yajl_val v);
static inline struct tmpl_val tmpl_json(yajl_val j)
{
	return (struct tmpl_val){.kind = V_JSON, .j = j};
}
struct tmpl_val tmpl_str(struct tmpl_exec *x, const char *s);
struct tmpl_val tmpl_take_str(struct tmpl_exec *x, char *s); /* frees s */
struct tmpl_val tmpl_bool(struct tmpl_exec *x, bool b);
bool tmpl_is_integer(yajl_val number);
double tmpl_number(yajl_val number);
/* Go's %v of a float64 */
void tmpl_go_float(struct fmt_buf *b, double f);
/* Appends v as Go's %v prints it. */
void tmpl_print_value(struct tmpl_exec *x, struct fmt_buf *b, struct tmpl_val v);
/* v as text (a string as it is), in the arena. */
const char *tmpl_text(struct tmpl_exec *x, struct tmpl_val v);
/* Go's truth: false, 0, null, "", [] and {} are false. */
bool tmpl_truth(struct tmpl_val v);
/* Go's no value: a key missing from a map (see field_chain). */
bool tmpl_no_value(struct tmpl_val v);
/* A key of an object (fold: or one that differs only in case). */
yajl_val tmpl_obj_get(yajl_val obj, const char *key, bool fold);
/* A field of an item: overlay first, then base. */
yajl_val tmpl_item_get(const struct fmt_item *it, const char *key, bool fold);

#endif
