/* --format templates: evaluation over JSON trees, printing values as Go
 * prints them, and the functions (see template.h). */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/internal.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* A node's text as Go's String() gives it, near enough: the source with
 * each run of blanks outside quotes made one space. */
static char *node_text(const char *src, unsigned start, unsigned end)
{
	struct fmt_buf b = {0};
	char quote = 0;
	for (unsigned i = start; i < end; i++) {
		char c = src[i];
		if (quote && c == '\\' && quote != '`' && i + 1 < end) {
			fmt_buf_add(&b, &src[i++], 2);
			continue;
		}
		if (quote) {
			quote = c == quote ? 0 : quote;
		} else if (c == '"' || c == '`' || c == '\'') {
			quote = c;
		} else if (isspace((unsigned char)c)) {
			while (i + 1 < end && isspace((unsigned char)src[i + 1]))
				i++;
			c = ' ';
		}
		fmt_buf_add(&b, &c, 1);
	}
	return b.s ? b.s : xstrdup("");
}

int tmpl_error(struct tmpl_exec *x, const char *fmt, ...)
{
	const char *src = x->t->src;
	unsigned line = 1, bol = 0;
	for (unsigned i = 0; i < x->at.pos && src[i]; i++) {
		if (src[i] == '\n') {
			line++;
			bol = i + 1;
		}
	}
	/* Go counts the column from 0 on the text it parsed: podman's, which
	 * lacks "table " and may start with its own "{{range .}}" */
	unsigned skipped = x->at.pos >= x->t->skipped ? x->t->skipped : x->at.pos;
	unsigned col = line == 1 ? x->at.pos - skipped + x->d->offset : x->at.pos - bol;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *ctx = node_text(src, x->at.start, x->at.end);
	const char *name = x->d->name ? x->d->name : "template";
	burrow_error(x->err, 0, "template: %s:%u:%u: executing \"%s\" at <%s>: %s%s%s%s", name, line, col, name, ctx,
	             x->calling ? "error calling " : "", x->calling ? x->calling : "", x->calling ? ": " : "", msg);
	free(ctx);
	free(msg);
	return -1;
}

yajl_val tmpl_keep(struct tmpl_exec *x, yajl_val v)
{
	if (x->narena == x->caparena) {
		x->caparena = x->caparena ? x->caparena * 2 : 16;
		x->arena = xrealloc(x->arena, x->caparena * sizeof(yajl_val));
	}
	x->arena[x->narena++] = v;
	return v;
}

struct tmpl_val tmpl_str(struct tmpl_exec *x, const char *s)
{
	return tmpl_json(tmpl_keep(x, json_new_str(s)));
}

struct tmpl_val tmpl_take_str(struct tmpl_exec *x, char *s)
{
	struct tmpl_val v = tmpl_str(x, s);
	free(s);
	return v;
}

struct tmpl_val tmpl_bool(struct tmpl_exec *x, bool b)
{
	return tmpl_json(tmpl_keep(x, json_new_bool(b)));
}

static bool all_strings(yajl_val *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!YAJL_IS_STRING(v[i]))
			return false;
	return true;
}

const char *tmpl_go_type(struct tmpl_exec *x, struct tmpl_val v)
{
	const char *item = x->d->type ? x->d->type : "struct";
	switch (v.kind) {
	case V_ITEM:
		return item;
	case V_ITEMS:
		return tmpl_take_str(x, xasprintf("[]%s", item)).j->u.string;
	case V_HDR:
		return "string";
	case V_JSON:
		break;
	}
	if (v.go_type)
		return v.go_type;
	const char *nil = json_nil_text(v.j);
	switch (v.j->type) {
	case yajl_t_string:
		return "string";
	case yajl_t_number:
		return tmpl_is_integer(v.j) ? "int" : "float64";
	case yajl_t_true:
	case yajl_t_false:
		return "bool";
	case yajl_t_array:
		return all_strings(v.j->u.array.values, v.j->u.array.len) ? "[]string" : "[]interface {}";
	case yajl_t_object:
		if (!json_is_map(v.j))
			return "struct";
		return all_strings(v.j->u.object.values, v.j->u.object.len) ? "map[string]string"
		                                                            : "map[string]interface {}";
	default:
		return !nil ? "interface {}" : nil[0] == 'm' ? "map[string]string" : "[]string";
	}
}

/* --- printing values as Go's fmt %v does -------------------------------------- */

bool tmpl_is_integer(yajl_val j)
{
	return YAJL_IS_INTEGER(j) && !strpbrk(j->u.number.r, ".eE");
}

double tmpl_number(yajl_val j)
{
	return tmpl_is_integer(j)  ? (double)j->u.number.i
	       : YAJL_IS_DOUBLE(j) ? j->u.number.d
	                           : strtod(j->u.number.r, NULL);
}

/* Go's %v of a float64 (strconv 'g' with the shortest precision): the
 * fewest digits that read back as f; exponent form when the exponent is
 * below -4 or at least 6 (1e+06, 1.5e-05), else plain (123456, 0.0001). */
void tmpl_go_float(struct fmt_buf *b, double f)
{
	if (isnan(f)) {
		fmt_buf_puts(b, "NaN");
		return;
	}
	if (isinf(f)) {
		fmt_buf_puts(b, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	char e[64];
	int digits = 1;
	for (; digits <= 17; digits++) {
		snprintf(e, sizeof(e), "%.*e", digits - 1, f);
		if (strtod(e, NULL) == f)
			break;
	}
	int exp = atoi(strchr(e, 'e') + 1);
	if (exp < -4 || exp >= 6) {
		/* Go writes at least two exponent digits, as C does */
		fmt_buf_puts(b, e);
		return;
	}
	int decimals = digits - 1 - exp;
	fmt_buf_printf(b, "%.*f", decimals > 0 ? decimals : 0, f);
}

/* An object's keys, sorted (Go prints and ranges over a map in key order). */
static const char **sorted_keys(yajl_val obj)
{
	size_t n = obj->u.object.len;
	const char **keys = xmalloc((n ? n : 1) * sizeof(char *));
	memcpy(keys, obj->u.object.keys, n * sizeof(char *));
	qsort(keys, n, sizeof(char *), strv_cmp);
	return keys;
}

static void print_json(struct fmt_buf *b, yajl_val j);

/* open, the values apart by spaces, close: a list or a struct */
static void print_values(struct fmt_buf *b, const char *open, yajl_val *v, size_t n, const char *close)
{
	fmt_buf_puts(b, open);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fmt_buf_puts(b, " ");
		print_json(b, v[i]);
	}
	fmt_buf_puts(b, close);
}

static void print_json(struct fmt_buf *b, yajl_val j)
{
	switch (j->type) {
	case yajl_t_string:
		fmt_buf_puts(b, j->u.string);
		break;
	case yajl_t_number:
		if (tmpl_is_integer(j))
			fmt_buf_printf(b, "%lld", j->u.number.i);
		else
			tmpl_go_float(b, tmpl_number(j));
		break;
	case yajl_t_true:
		fmt_buf_puts(b, "true");
		break;
	case yajl_t_false:
		fmt_buf_puts(b, "false");
		break;
	case yajl_t_array:
		print_values(b, "[", j->u.array.values, j->u.array.len, "]");
		break;
	case yajl_t_object: {
		if (!json_is_map(j)) {
			/* a struct: its fields' values in their order, as Go's %v */
			print_values(b, "{", j->u.object.values, j->u.object.len, "}");
			break;
		}
		const char **keys = sorted_keys(j);
		fmt_buf_puts(b, "map[");
		for (size_t i = 0; i < j->u.object.len; i++) {
			fmt_buf_printf(b, "%s%s:", i ? " " : "", keys[i]);
			print_json(b, tmpl_obj_get(j, keys[i], false));
		}
		fmt_buf_puts(b, "]");
		free(keys);
		break;
	}
	default: {
		const char *nil = json_nil_text(j); /* a Go nil map or slice */
		fmt_buf_puts(b, nil ? nil : "<nil>");
	}
	}
}

void tmpl_print_value(struct tmpl_exec *x, struct fmt_buf *b, struct tmpl_val v)
{
	switch (v.kind) {
	case V_JSON:
		print_json(b, v.j);
		break;
	case V_ITEM:
		print_json(b, v.items[0].base);
		break;
	case V_ITEMS:
		fmt_buf_puts(b, "[");
		for (size_t i = 0; i < v.n; i++) {
			if (i)
				fmt_buf_puts(b, " ");
			print_json(b, v.items[i].base);
		}
		fmt_buf_puts(b, "]");
		break;
	case V_HDR: {
		char *h = fmt_header_for(x->d->headers, v.path);
		fmt_buf_puts(b, h);
		free(h);
		break;
	}
	}
}

/* The value as text (what {{.}} prints), in the arena. */
const char *tmpl_text(struct tmpl_exec *x, struct tmpl_val v)
{
	if (v.kind == V_JSON && YAJL_IS_STRING(v.j))
		return v.j->u.string;
	struct fmt_buf b = {0};
	tmpl_print_value(x, &b, v);
	const char *s = tmpl_str(x, b.s ? b.s : "").j->u.string;
	fmt_buf_free(&b);
	return s;
}

bool tmpl_truth(struct tmpl_val v)
{
	switch (v.kind) {
	case V_ITEM:
	case V_HDR:
		return true;
	case V_ITEMS:
		return v.n > 0;
	case V_JSON:
		break;
	}
	switch (v.j->type) {
	case yajl_t_string:
		return v.j->u.string[0] != '\0';
	case yajl_t_number:
		return tmpl_number(v.j) != 0;
	case yajl_t_true:
		return true;
	case yajl_t_array:
		return v.j->u.array.len > 0;
	case yajl_t_object:
		return v.j->u.object.len > 0;
	default:
		return false;
	}
}

/* --- headers -------------------------------------------------------------------- */

/* "CreatedAt" -> "CREATED AT", "ImageID" -> "IMAGE ID", "IDMappings" ->
 * "ID MAPPINGS": split where lower case meets upper case or digits begin,
 * and before the last capital of a run that lower case follows (podman's
 * camelcase split), then upper-case. */
static char *header_from_name(const char *name)
{
	size_t n = strlen(name);
	char *out = xmalloc(2 * n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i], p = i ? (unsigned char)name[i - 1] : 0;
		unsigned char nx = i + 1 < n ? (unsigned char)name[i + 1] : 0;
		bool brk = false;
		if (i > 0) {
			if (isupper(c) && (islower(p) || isdigit(p)))
				brk = true;
			else if (isdigit(c) && !isdigit(p))
				brk = true;
			else if (isupper(c) && isupper(p) && islower(nx))
				brk = true;
			else if (isalpha(c) && isdigit(p))
				brk = true;
		}
		if (brk && o && out[o - 1] != ' ')
			out[o++] = ' ';
		out[o++] = c == '_' ? ' ' : (char)toupper(c);
	}
	out[o] = '\0';
	return out;
}

char *fmt_header_for(const struct fmt_header *hdrs, const char *path)
{
	const char *last = strrchr(path, '.');
	last = last ? last + 1 : path;
	for (int pass = 0; pass < 2; pass++)
		for (const struct fmt_header *h = hdrs; h && h->field; h++)
			if (strcmp(h->field, pass == 0 ? path : last) == 0)
				return xstrdup(h->header);
	return header_from_name(last);
}

/* --- fields ------------------------------------------------------------------------ */

/* A Go field name against a JSON key, letters alike in any case and
 * underscores not counted: HostID is host_id (info's UIDMap). */
static bool same_folded(const char *key, const char *name)
{
	for (;;) {
		while (*key == '_')
			key++;
		if (tolower((unsigned char)*key) != tolower((unsigned char)*name))
			return false;
		if (!*key)
			return true;
		key++;
		name++;
	}
}

yajl_val tmpl_obj_get(yajl_val obj, const char *key, bool fold)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	if (fold)
		for (size_t i = 0; i < obj->u.object.len; i++)
			if (same_folded(obj->u.object.keys[i], key))
				return obj->u.object.values[i];
	return NULL;
}

yajl_val tmpl_item_get(const struct fmt_item *it, const char *key, bool fold)
{
	yajl_val v = tmpl_obj_get(it->overlay, key, false);
	if (!v)
		v = tmpl_obj_get(it->base, key, false);
	if (!v && fold) {
		v = tmpl_obj_get(it->overlay, key, true);
		if (!v)
			v = tmpl_obj_get(it->base, key, true);
	}
	return v;
}

/* Go's invalid value, what a key missing from a map gives: a null to
 * everything (false, <nil> to print and printf, null to json), but an
 * action prints it as "<no value>", any field of it is no value too, and
 * eq finds it equal to nothing else. One node, never freed. */
static struct yajl_val_s no_value = {.type = yajl_t_null};

bool tmpl_no_value(struct tmpl_val v)
{
	return v.kind == V_JSON && v.j == &no_value;
}

/* The Go type the verb gives the struct in field f of its object. */
static const char *field_type(const struct tmpl_exec *x, const char *f)
{
	for (const struct fmt_header *t = x->d->types; t && t->field; t++)
		if (strcmp(t->field, f) == 0)
			return t->header;
	return NULL;
}

/* What json writes for field f of an item the verb lists in json_base:
 * the base's value, not the overlay's; NULL: j's own. */
static yajl_val json_form(const struct tmpl_exec *x, const struct fmt_item *it, const char *f)
{
	for (const char *const *b = x->d->json_base; b && *b; b++)
		if (strcmp(*b, f) == 0)
			return tmpl_obj_get(it->base, f, false);
	return NULL;
}

/* A Go map (json_is_map) answers a missing key with no value; any other
 * object is a struct, where an unknown field is an error, as podman's.
 * Map keys are data: matched exactly, never folded. Errors are Go's. */
static int field_chain(struct tmpl_exec *x, struct tmpl_val v, char **fields, size_t n, struct tmpl_val *out)
{
	for (size_t i = 0; i < n && !tmpl_no_value(v); i++) {
		const char *f = fields[i];
		if (v.kind == V_HDR) {
			char *p = v.path[0] ? xasprintf("%s.%s", v.path, f) : xstrdup(f);
			v.path = tmpl_take_str(x, p).j->u.string;
			continue;
		}
		yajl_val next = NULL;
		bool map = v.kind == V_JSON && json_is_map(v.j);
		if (v.kind == V_ITEM)
			next = tmpl_item_get(&v.items[0], f, x->d->fold_case);
		else if (v.kind == V_JSON && YAJL_IS_OBJECT(v.j))
			next = tmpl_obj_get(v.j, f, x->d->fold_case && !map);
		else if (v.kind == V_JSON && YAJL_IS_NULL(v.j) && !json_nil_text(v.j))
			return tmpl_error(x, "nil pointer evaluating %s.%s", tmpl_go_type(x, v), f);
		if (!next && !map)
			return tmpl_error(x, "can't evaluate field %s in type %s", f, tmpl_go_type(x, v));
		struct tmpl_val nv = tmpl_json(next ? next : &no_value);
		if (v.kind == V_ITEM) {
			nv.go_type = field_type(x, f);
			nv.json = json_form(x, &v.items[0], f);
		}
		v = nv;
	}
	*out = v;
	return 0;
}

/* --- evaluation -------------------------------------------------------------------- */

static int eval_pipe(struct tmpl_exec *x, const struct tmpl_pipe *p, struct tmpl_val dot, bool declare,
                     struct tmpl_val *out);

static void push_var(struct tmpl_exec *x, const char *name, struct tmpl_val v)
{
	if (x->nvars == x->capvars) {
		x->capvars = x->capvars ? x->capvars * 2 : 8;
		x->vars = xrealloc(x->vars, x->capvars * sizeof(*x->vars));
	}
	x->vars[x->nvars++] = (struct tmpl_var){.name = name, .v = v};
}

static struct tmpl_var *find_var(struct tmpl_exec *x, const char *name)
{
	for (size_t i = x->nvars; i-- > 0;)
		if (strcmp(x->vars[i].name, name) == 0)
			return &x->vars[i];
	return NULL;
}

/* Where Go's parser puts an operand: a chain .A.B (or $x.A, (p).A) at its
 * second part; its text is all of it. */
static struct tmpl_at arg_at(const struct tmpl_arg *a)
{
	struct tmpl_at at = {a->pos, a->pos, a->end};
	if (a->kind == TA_FIELD && a->nfields > 1) {
		at.pos += 1 + (unsigned)strlen(a->fields[0]);
	} else if (a->kind == TA_VAR && a->nfields) {
		at.pos += (unsigned)strlen(a->name);
	} else if (a->kind == TA_PIPE && a->nfields) {
		at.pos = a->end;
		for (size_t i = 0; i < a->nfields; i++)
			at.pos -= 1 + (unsigned)strlen(a->fields[i]);
	}
	return at;
}

static int eval_arg(struct tmpl_exec *x, const struct tmpl_arg *a, struct tmpl_val dot, struct tmpl_val *out)
{
	struct tmpl_val v;
	x->at = arg_at(a);
	switch (a->kind) {
	case TA_DOT:
		*out = dot;
		return 0;
	case TA_CONST:
		*out = tmpl_json(a->value);
		return 0;
	case TA_FIELD:
		v = dot;
		break;
	case TA_VAR: {
		struct tmpl_var *var = find_var(x, a->name);
		if (!var)
			return tmpl_error(x, "undefined variable: %s", a->name);
		v = var->v;
		break;
	}
	case TA_PIPE:
		if (eval_pipe(x, a->pipe, dot, false, &v) < 0)
			return -1;
		x->at = arg_at(a);
		break;
	case TA_FUNC: {
		/* a function as an argument: called with no arguments */
		if (a->fn->min > 0)
			return tmpl_error(x, "wrong number of args for %s: want %d got 0", a->name, a->fn->min);
		return a->fn->call(x, NULL, 0, out);
	}
	}
	return field_chain(x, v, a->fields, a->nfields, out);
}

/* Go's check of a value handed to a parameter of type string ('s') or int
 * ('i'), the types podman's functions take; node: the operand it came
 * from (NULL: the value piped in). */
static int check_param(struct tmpl_exec *x, char want, struct tmpl_val v, const struct tmpl_arg *node)
{
	bool ok = v.kind == V_JSON && (want == 's' ? YAJL_IS_STRING(v.j) : YAJL_IS_NUMBER(v.j) && tmpl_is_integer(v.j));
	if (want == 'a' || ok)
		return 0;
	const char *type = want == 's' ? "string" : "int";
	if (tmpl_no_value(v))
		return tmpl_error(x, "invalid value; expected %s", type);
	if (node && node->kind == TA_CONST && YAJL_IS_NULL(v.j))
		return tmpl_error(x, "cannot assign nil to %s", type);
	if (node && node->kind == TA_CONST) {
		return tmpl_error(x, "expected %s; found %.*s", want == 's' ? "string" : "integer",
		                  (int)(node->end - node->pos), x->t->src + node->pos);
	}
	return tmpl_error(x, "wrong type for value; expected %s; got %s", type, tmpl_go_type(x, v));
}

/* c: the command (its first operand names the function); args[n - 1] is
 * the value piped in when x->piped. */
static int call_func(struct tmpl_exec *x, const struct tmpl_cmd *c, struct tmpl_val *args, size_t n,
                     struct tmpl_val *out)
{
	const struct tmpl_arg *fa = c->args[0];
	const struct tmpl_func *f = fa->fn;
	x->at = arg_at(fa);
	if ((int)n < f->min || (f->max >= 0 && (int)n > f->max)) {
		if (f->min == f->max)
			return tmpl_error(x, "wrong number of args for %s: want %d got %zu", f->name, f->min, n);
		return tmpl_error(x, "wrong number of args for %s: want at least %d got %zu", f->name, f->min, n);
	}
	if (x->d->kind == FMT_DATA_HEADER) {
		for (size_t i = 0; i < n; i++) {
			if (args[i].kind != V_HDR)
				continue;
			if (!f->text) {
				*out = args[i];
				return 0;
			}
			args[i] = tmpl_str(x, tmpl_text(x, args[i]));
		}
	}
	/* {{.ID | truncate 5}}: the string came last */
	if (f->swap && n == 2 && args[0].kind == V_JSON && YAJL_IS_NUMBER(args[0].j) && args[1].kind == V_JSON &&
	    YAJL_IS_STRING(args[1].j)) {
		struct tmpl_val t = args[0];
		args[0] = args[1];
		args[1] = t;
	}
	size_t np = f->params ? strlen(f->params) : 0;
	for (size_t i = 0; i < n && np; i++) {
		/* Go points at the operand, or at the last one for the value
		 * piped in */
		const struct tmpl_arg *node = i + 1 < c->nargs ? c->args[i + 1] : NULL;
		x->at = arg_at(c->args[i + 1 < c->nargs ? i + 1 : c->nargs - 1]);
		if (check_param(x, f->params[i < np ? i : np - 1], args[i], node) < 0)
			return -1;
	}
	x->at = (struct tmpl_at){c->pos, c->pos, c->end};
	x->calling = f->name;
	int r = f->call(x, args, n, out);
	x->calling = NULL;
	return r;
}

/* One command; final is the value of the command before it in the pipeline
 * (NULL for the first). */
static int eval_cmd(struct tmpl_exec *x, const struct tmpl_cmd *c, struct tmpl_val dot, const struct tmpl_val *final,
                    struct tmpl_val *out)
{
	const struct tmpl_arg *first = c->args[0];
	bool is_or = first->kind == TA_FUNC && strcmp(first->name, "or") == 0;
	if ((is_or || (first->kind == TA_FUNC && strcmp(first->name, "and") == 0)) && (c->nargs > 1 || final)) {
		/* Go's and and or stop at the first operand that decides,
		 * evaluating none after it: {{or .A (index .L 9)}} */
		struct tmpl_val v = {0};
		for (size_t i = 1; i < c->nargs; i++) {
			if (eval_arg(x, c->args[i], dot, &v) < 0)
				return -1;
			if (tmpl_truth(v) == is_or) {
				*out = v;
				return 0;
			}
		}
		*out = final ? *final : v;
		return 0;
	}
	if (first->kind == TA_FUNC) {
		size_t n = c->nargs - 1 + (final ? 1 : 0);
		struct tmpl_val *args = xcalloc(n ? n : 1, sizeof(*args));
		int r = 0;
		x->at = arg_at(first);
		for (size_t i = 1; i < c->nargs && r == 0; i++)
			r = eval_arg(x, c->args[i], dot, &args[i - 1]);
		if (r == 0 && final)
			args[n - 1] = *final;
		x->piped = final != NULL;
		if (r == 0)
			r = call_func(x, c, args, n, out);
		free(args);
		return r;
	}
	if (c->nargs > 1 || final) {
		x->at = arg_at(first);
		if ((first->kind == TA_FIELD || first->kind == TA_VAR || first->kind == TA_PIPE) && first->nfields)
			return tmpl_error(x, "%s has arguments but cannot be invoked as function",
			                  first->fields[first->nfields - 1]);
		char *what = xstrndup(x->t->src + first->pos, first->end - first->pos);
		tmpl_error(x, "can't give argument to non-function %s", what);
		free(what);
		return -1;
	}
	return eval_arg(x, first, dot, out);
}

/* declare: assign or declare the pipeline's variables (not for range,
 * which sets them for each element). */
static int eval_pipe(struct tmpl_exec *x, const struct tmpl_pipe *p, struct tmpl_val dot, bool declare,
                     struct tmpl_val *out)
{
	struct tmpl_val v = {0}, prev;
	x->at = (struct tmpl_at){p->pos, p->pos, p->end};
	for (size_t i = 0; i < p->ncmds; i++) {
		prev = v;
		if (eval_cmd(x, p->cmds[i], dot, i ? &prev : NULL, &v) < 0)
			return -1;
	}
	if (declare && p->nvars) {
		if (p->assign) {
			struct tmpl_var *var = find_var(x, p->vars[0]);
			if (!var)
				return tmpl_error(x, "undefined variable: %s", p->vars[0]);
			var->v = v;
		} else {
			push_var(x, p->vars[0], v);
		}
	}
	*out = v;
	return 0;
}

static int walk_list(struct tmpl_exec *x, const struct tmpl_list *l, struct tmpl_val dot);

static int walk_range(struct tmpl_exec *x, const struct tmpl_node *n, struct tmpl_val dot)
{
	struct tmpl_val v;
	if (eval_pipe(x, n->pipe, dot, false, &v) < 0)
		return -1;
	size_t count = 0;
	const char **keys = NULL;
	switch (v.kind) {
	case V_ITEMS:
		count = v.n;
		break;
	case V_HDR:
		count = 1;
		break;
	case V_ITEM:
		return tmpl_error(x, "range can't iterate over %s", tmpl_text(x, v));
	case V_JSON:
		if (YAJL_IS_ARRAY(v.j)) {
			count = v.j->u.array.len;
		} else if (json_is_map(v.j) && YAJL_IS_OBJECT(v.j)) {
			count = v.j->u.object.len;
			keys = sorted_keys(v.j);
		} else if (!YAJL_IS_NULL(v.j)) {
			/* a struct or a scalar; a null (a nil slice or map, no value)
			 * iterates zero times */
			return tmpl_error(x, "range can't iterate over %s", tmpl_text(x, v));
		}
		break;
	}
	if (count == 0) {
		free(keys);
		return walk_list(x, &n->elselist, dot);
	}
	size_t mark = x->nvars;
	int r = 0;
	for (size_t i = 0; i < count && r == 0; i++) {
		struct tmpl_val key, elem;
		if (v.kind == V_ITEMS) {
			key = tmpl_json(tmpl_keep(x, json_new_int((long long)i)));
			elem = (struct tmpl_val){.kind = V_ITEM, .items = &v.items[i], .n = 1};
		} else if (v.kind == V_HDR) {
			key = elem = v;
		} else if (keys) {
			key = tmpl_str(x, keys[i]);
			elem = tmpl_json(tmpl_obj_get(v.j, keys[i], false));
		} else {
			key = tmpl_json(tmpl_keep(x, json_new_int((long long)i)));
			elem = tmpl_json(v.j->u.array.values[i]);
		}
		x->nvars = mark;
		if (n->pipe->nvars == 1) {
			push_var(x, n->pipe->vars[0], elem);
		} else if (n->pipe->nvars == 2) {
			push_var(x, n->pipe->vars[0], key);
			push_var(x, n->pipe->vars[1], elem);
		}
		r = walk_list(x, &n->list, elem);
	}
	x->nvars = mark;
	free(keys);
	return r;
}

static int walk(struct tmpl_exec *x, const struct tmpl_node *n, struct tmpl_val dot)
{
	struct tmpl_val v;
	size_t mark = x->nvars;
	int r = 0;
	switch (n->kind) {
	case TN_TEXT:
		fmt_buf_add(x->out, n->text, n->len);
		return 0;
	case TN_ACTION:
		if (eval_pipe(x, n->pipe, dot, true, &v) < 0)
			return -1;
		if (n->pipe->nvars == 0 && tmpl_no_value(v))
			fmt_buf_puts(x->out, "<no value>");
		else if (n->pipe->nvars == 0)
			tmpl_print_value(x, x->out, v);
		return 0;
	case TN_IF:
	case TN_WITH:
		if (eval_pipe(x, n->pipe, dot, true, &v) < 0)
			return -1;
		if (tmpl_truth(v))
			r = walk_list(x, &n->list, n->kind == TN_WITH ? v : dot);
		else
			r = walk_list(x, &n->elselist, dot);
		x->nvars = mark;
		return r;
	case TN_RANGE:
		return walk_range(x, n, dot);
	}
	return 0;
}

static int walk_list(struct tmpl_exec *x, const struct tmpl_list *l, struct tmpl_val dot)
{
	for (size_t i = 0; i < l->n; i++)
		if (walk(x, l->nodes[i], dot) < 0)
			return -1;
	return 0;
}

int fmt_template_exec(const struct fmt_template *t, const struct fmt_data *d, struct fmt_buf *out,
                      struct burrow_err **err)
{
	struct tmpl_exec x = {.t = t, .d = d, .out = out, .err = err};
	struct tmpl_val dot;
	switch (d->kind) {
	case FMT_DATA_ITEM:
		dot = (struct tmpl_val){.kind = V_ITEM, .items = d->items, .n = 1};
		break;
	case FMT_DATA_ITEMS:
		dot = (struct tmpl_val){.kind = V_ITEMS, .items = d->items, .n = d->n};
		break;
	default:
		dot = (struct tmpl_val){.kind = V_HDR, .path = ""};
		break;
	}
	push_var(&x, "$", dot);
	int r = walk_list(&x, &t->root, dot);
	for (size_t i = 0; i < x.narena; i++)
		yajl_tree_free(x.arena[i]);
	free(x.arena);
	free(x.vars);
	/* make sure the buffer is a string even when nothing was printed */
	fmt_buf_add(out, "", 0);
	return r;
}
