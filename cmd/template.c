/* --format templates: the lexer and parser (see template.h). The shapes
 * follow Go's text/template/parse so that what parses there parses here,
 * and the error messages say the same things, with line:column. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/internal.h"
#include "lib/json.h"
#include "lib/xalloc.h"

/* --- lexer ------------------------------------------------------------------ */

enum tok_kind {
	T_EOF,
	T_TEXT,
	T_LEFT,  /* {{ */
	T_RIGHT, /* }} */
	T_IDENT,
	T_FIELD, /* .Name (s: "Name") */
	T_VAR,   /* $name (s: "$name") */
	T_DOT,
	T_STRING, /* s: the decoded string */
	T_NUMBER, /* s: the text */
	T_CHAR,   /* s: the decoded character (UTF-8) */
	T_PIPE,
	T_LPAREN,
	T_RPAREN,
	T_DECLARE, /* := */
	T_ASSIGN,  /* = */
	T_COMMA,
};

struct tok {
	enum tok_kind kind;
	unsigned pos, end;          /* [pos, end) in the source */
	bool trim_left, trim_right; /* T_TEXT: a -}} before it, a {{- after it */
	char *s;
	size_t len;
};

struct lexer {
	const struct fmt_template *t;
	const char *src;
	size_t n, p;
	unsigned flags;
	struct tok *toks;
	size_t ntoks, cap;
	bool trim_next; /* the last action ended with -}} */
	struct burrow_err **err;
};

void tmpl_position(const struct fmt_template *t, unsigned pos, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (unsigned i = 0; i < pos && t->src[i]; i++) {
		if (t->src[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int syntax_error(const struct fmt_template *t, struct burrow_err **err, unsigned pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int syntax_error(const struct fmt_template *t, struct burrow_err **err, unsigned pos, const char *fmt, ...)
{
	unsigned line, col;
	tmpl_position(t, pos, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	burrow_error(err, 0, "%u:%u: %s", line, col, msg);
	free(msg);
	return -1;
}

static struct tok *emit(struct lexer *l, enum tok_kind kind, size_t pos, size_t end)
{
	if (l->ntoks == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->toks = xrealloc(l->toks, l->cap * sizeof(*l->toks));
	}
	struct tok *k = &l->toks[l->ntoks++];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->pos = (unsigned)pos;
	k->end = (unsigned)end;
	return k;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Literal text: \t and \n stand for a tab and a newline (podman's
 * NormalizeFormat); in a table, spaces separate columns. */
static void lex_text(struct lexer *l, size_t from, size_t to)
{
	struct tok *k = emit(l, T_TEXT, from, to);
	k->s = xmalloc(to - from + 1);
	size_t o = 0;
	for (size_t i = from; i < to; i++) {
		char c = l->src[i];
		if (c == '\\' && i + 1 < to && (l->src[i + 1] == 't' || l->src[i + 1] == 'n')) {
			c = l->src[++i] == 't' ? '\t' : '\n';
		} else if (c == ' ' && (l->flags & FMT_TMPL_TABLE)) {
			c = '\t';
		}
		k->s[o++] = c;
	}
	k->s[o] = '\0';
	k->len = o;
	k->trim_left = l->trim_next;
	l->trim_next = false;
}

/* At a closing delimiter: "}}" or " -}}" (trims what follows). Returns its
 * length, 0 if not there. */
static size_t right_delim(const struct lexer *l, size_t p, bool *trim)
{
	const char *s = l->src + p;
	size_t left = l->n - p;
	if (left >= 4 && is_space(s[0]) && s[1] == '-' && s[2] == '}' && s[3] == '}') {
		*trim = true;
		return 4;
	}
	if (left >= 2 && s[0] == '}' && s[1] == '}') {
		*trim = false;
		return 2;
	}
	return 0;
}

static void put_utf8(char *out, size_t *o, unsigned long c)
{
	if (c < 0x80) {
		out[(*o)++] = (char)c;
	} else if (c < 0x800) {
		out[(*o)++] = (char)(0xc0 | (c >> 6));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		out[(*o)++] = (char)(0xe0 | (c >> 12));
		out[(*o)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else {
		out[(*o)++] = (char)(0xf0 | (c >> 18));
		out[(*o)++] = (char)(0x80 | ((c >> 12) & 0x3f));
		out[(*o)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (c & 0x3f));
	}
}

/* One backslash escape of a Go string or character literal at src[*i]
 * (just after the backslash). */
static int lex_escape(struct lexer *l, size_t *i, char quote, char *out, size_t *o)
{
	size_t start = *i - 1;
	char c = l->src[*i];
	const char *simple = "abfnrtv\\";
	const char *means = "\a\b\f\n\r\t\v\\";
	const char *at = c ? strchr(simple, c) : NULL;
	if (at) {
		out[(*o)++] = means[at - simple];
		(*i)++;
		return 0;
	}
	if (c == quote) {
		out[(*o)++] = c;
		(*i)++;
		return 0;
	}
	int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : (c >= '0' && c <= '7') ? 3 : 0;
	int base = (c >= '0' && c <= '7') ? 8 : 16;
	if (!digits)
		return syntax_error(l->t, l->err, (unsigned)start, "unknown escape sequence '\\%c'", c);
	if (base == 16)
		(*i)++;
	unsigned long v = 0;
	for (int d = 0; d < digits; d++, (*i)++) {
		char h = *i < l->n ? l->src[*i] : '\0';
		int x = isdigit((unsigned char)h) ? h - '0'
		        : (h >= 'a' && h <= 'f')  ? h - 'a' + 10
		        : (h >= 'A' && h <= 'F')  ? h - 'A' + 10
		                                  : 99;
		if (x >= base)
			return syntax_error(l->t, l->err, (unsigned)start, "invalid escape sequence");
		v = v * (unsigned long)base + (unsigned long)x;
	}
	if (c == 'x' || base == 8) {
		if (v > 255)
			return syntax_error(l->t, l->err, (unsigned)start, "invalid escape sequence");
		out[(*o)++] = (char)v; /* a byte, as Go's \x and \ooo */
	} else {
		if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
			return syntax_error(l->t, l->err, (unsigned)start, "invalid escape sequence");
		put_utf8(out, o, v);
	}
	return 0;
}

/* "...", `...` or '.' starting at l->p. */
static int lex_quote(struct lexer *l)
{
	size_t start = l->p;
	char q = l->src[start];
	/* the decoded text is never longer than the source */
	char *out = xmalloc(l->n - start + 4);
	size_t o = 0, i = start + 1;
	for (;;) {
		if (i >= l->n || (q != '`' && l->src[i] == '\n')) {
			free(out);
			return syntax_error(l->t, l->err, (unsigned)start,
			                    q == '`'   ? "unterminated raw quoted string"
			                    : q == '"' ? "unterminated quoted string"
			                               : "unterminated character constant");
		}
		char c = l->src[i];
		if (c == q) {
			i++;
			break;
		}
		if (c == '\\' && q != '`') {
			i++;
			if (lex_escape(l, &i, q, out, &o) < 0) {
				free(out);
				return -1;
			}
			continue;
		}
		out[o++] = c;
		i++;
	}
	out[o] = '\0';
	if (q == '\'') {
		/* one character: a single byte or one UTF-8 sequence */
		size_t want = o == 0                            ? 0
		              : ((unsigned char)out[0] < 0x80)  ? 1
		              : ((unsigned char)out[0] >= 0xf0) ? 4
		              : ((unsigned char)out[0] >= 0xe0) ? 3
		                                                : 2;
		if (o == 0 || o != want) {
			free(out);
			return syntax_error(l->t, l->err, (unsigned)start, "malformed character constant");
		}
	}
	struct tok *k = emit(l, q == '\'' ? T_CHAR : T_STRING, start, i);
	k->s = out;
	k->len = o;
	l->p = i;
	return 0;
}

static int lex_number(struct lexer *l)
{
	size_t start = l->p, q = l->p;
	if (l->src[q] == '+' || l->src[q] == '-')
		q++;
	size_t digits = q;
	if (l->src[q] == '0' && (l->src[q + 1] == 'x' || l->src[q + 1] == 'X')) {
		q += 2;
		while (isxdigit((unsigned char)l->src[q]))
			q++;
	} else {
		while (isdigit((unsigned char)l->src[q]))
			q++;
		if (l->src[q] == '.') {
			q++;
			while (isdigit((unsigned char)l->src[q]))
				q++;
		}
		if (q > digits && (l->src[q] == 'e' || l->src[q] == 'E')) {
			q++;
			if (l->src[q] == '+' || l->src[q] == '-')
				q++;
			while (isdigit((unsigned char)l->src[q]))
				q++;
		}
	}
	bool bad = q == digits || (q == digits + 1 && l->src[digits] == '.');
	while (is_alnum(l->src[q]) || l->src[q] == '.') {
		bad = true;
		q++;
	}
	if (bad)
		return syntax_error(l->t, l->err, (unsigned)start, "bad number syntax: '%.*s'", (int)(q - start),
		                    l->src + start);
	struct tok *k = emit(l, T_NUMBER, start, q);
	k->s = xstrndup(l->src + start, q - start);
	l->p = q;
	return 0;
}

/* Inside {{ }}: tokens up to and including the closing delimiter. */
static int lex_action(struct lexer *l, size_t open)
{
	int parens = 0;
	for (;;) {
		bool trim = false;
		size_t d = right_delim(l, l->p, &trim);
		if (d) {
			if (parens > 0)
				return syntax_error(l->t, l->err, (unsigned)l->p, "unclosed left paren");
			emit(l, T_RIGHT, l->p, l->p + d);
			l->p += d;
			l->trim_next = trim;
			return 0;
		}
		if (l->p >= l->n)
			return syntax_error(l->t, l->err, (unsigned)open, "unclosed action");
		size_t s = l->p;
		char c = l->src[s];
		if (is_space(c)) {
			l->p++;
			continue;
		}
		switch (c) {
		case '|':
			emit(l, T_PIPE, s, s + 1);
			l->p++;
			continue;
		case '(':
			emit(l, T_LPAREN, s, s + 1);
			parens++;
			l->p++;
			continue;
		case ')':
			if (--parens < 0)
				return syntax_error(l->t, l->err, (unsigned)s, "unexpected right paren");
			emit(l, T_RPAREN, s, s + 1);
			l->p++;
			continue;
		case ',':
			emit(l, T_COMMA, s, s + 1);
			l->p++;
			continue;
		case '=':
			emit(l, T_ASSIGN, s, s + 1);
			l->p++;
			continue;
		case ':':
			if (l->src[s + 1] != '=')
				return syntax_error(l->t, l->err, (unsigned)s, "expected :=");
			emit(l, T_DECLARE, s, s + 2);
			l->p += 2;
			continue;
		case '"':
		case '`':
		case '\'':
			if (lex_quote(l) < 0)
				return -1;
			continue;
		case '$': {
			size_t q = s + 1;
			while (is_alnum(l->src[q]))
				q++;
			struct tok *k = emit(l, T_VAR, s, q);
			k->s = xstrndup(l->src + s, q - s);
			l->p = q;
			continue;
		}
		case '.':
			if (isdigit((unsigned char)l->src[s + 1])) {
				if (lex_number(l) < 0)
					return -1;
			} else if (is_alnum(l->src[s + 1])) {
				size_t q = s + 1;
				while (is_alnum(l->src[q]))
					q++;
				struct tok *k = emit(l, T_FIELD, s, q);
				k->s = xstrndup(l->src + s + 1, q - s - 1);
				l->p = q;
			} else {
				emit(l, T_DOT, s, s + 1);
				l->p++;
			}
			continue;
		default:
			break;
		}
		if (c == '+' || c == '-' || isdigit((unsigned char)c)) {
			if (lex_number(l) < 0)
				return -1;
			continue;
		}
		if (isalpha((unsigned char)c) || c == '_') {
			size_t q = s;
			while (is_alnum(l->src[q]))
				q++;
			struct tok *k = emit(l, T_IDENT, s, q);
			k->s = xstrndup(l->src + s, q - s);
			l->p = q;
			continue;
		}
		if (c == '}' && !strstr(l->src + s, "}}"))
			return syntax_error(l->t, l->err, (unsigned)open, "unclosed action");
		if (c == '}')
			return syntax_error(l->t, l->err, (unsigned)s, "unexpected '}'");
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
			return syntax_error(l->t, l->err, (unsigned)s, "bad character 0x%02x", (unsigned char)c);
		return syntax_error(l->t, l->err, (unsigned)s, "bad character '%c'", c);
	}
}

static int lex(struct lexer *l)
{
	while (l->p < l->n) {
		const char *open = strstr(l->src + l->p, "{{");
		size_t q = open ? (size_t)(open - l->src) : l->n;
		if (q > l->p)
			lex_text(l, l->p, q);
		if (q >= l->n)
			break;
		size_t p = q + 2;
		bool trim = l->src[p] == '-' && is_space(l->src[p + 1]);
		if (trim) {
			p += 2;
			if (l->ntoks && l->toks[l->ntoks - 1].kind == T_TEXT)
				l->toks[l->ntoks - 1].trim_right = true;
		}
		l->trim_next = false;
		if (strncmp(l->src + p, "/*", 2) == 0) {
			const char *close = strstr(l->src + p + 2, "*/");
			if (!close)
				return syntax_error(l->t, l->err, (unsigned)q, "unclosed comment");
			size_t d = right_delim(l, (size_t)(close - l->src) + 2, &trim);
			if (!d)
				return syntax_error(l->t, l->err, (unsigned)q, "comment ends before closing delimiter");
			l->p = (size_t)(close - l->src) + 2 + d;
			l->trim_next = trim;
			continue;
		}
		emit(l, T_LEFT, q, p);
		l->p = p;
		if (lex_action(l, q) < 0)
			return -1;
	}
	if (l->flags & FMT_TMPL_NEWLINE) {
		struct tok *last = l->ntoks ? &l->toks[l->ntoks - 1] : NULL;
		if (last && last->kind == T_TEXT) {
			if (last->len == 0 || last->s[last->len - 1] != '\n') {
				last->s = xrealloc(last->s, last->len + 2);
				last->s[last->len++] = '\n';
				last->s[last->len] = '\0';
			}
		} else {
			struct tok *k = emit(l, T_TEXT, l->n, l->n);
			k->s = xstrdup("\n");
			k->len = 1;
			k->trim_left = l->trim_next;
		}
	}
	emit(l, T_EOF, l->n, l->n);
	/* trim markers, now that every text knows its neighbours */
	for (size_t i = 0; i < l->ntoks; i++) {
		struct tok *k = &l->toks[i];
		if (k->kind != T_TEXT)
			continue;
		size_t a = 0, b = k->len;
		if (k->trim_left)
			while (a < b && is_space(k->s[a]))
				a++;
		if (k->trim_right)
			while (b > a && is_space(k->s[b - 1]))
				b--;
		memmove(k->s, k->s + a, b - a);
		k->len = b - a;
		k->s[k->len] = '\0';
	}
	return 0;
}

/* --- parser ----------------------------------------------------------------- */

struct parser {
	struct fmt_template *t;
	struct tok *toks;
	size_t i;
	char **vars; /* variables in scope, innermost last */
	size_t nvars, capvars;
	int depth; /* nesting of controls and parentheses */
	struct burrow_err **err;
};

/* Deeper nesting than any real --format is refused (the parser and the
 * evaluator recurse). */
#define MAX_DEPTH 100

enum stop { STOP_EOF, STOP_END, STOP_ELSE };

static struct tok *peek(struct parser *ps)
{
	return &ps->toks[ps->i];
}

static struct tok *next(struct parser *ps)
{
	struct tok *k = &ps->toks[ps->i];
	if (k->kind != T_EOF)
		ps->i++;
	return k;
}

static const char *tok_name(const struct tok *k)
{
	switch (k->kind) {
	case T_EOF:
		return "end of input";
	case T_TEXT:
		return "text";
	case T_LEFT:
		return "'{{'";
	case T_RIGHT:
		return "'}}'";
	case T_PIPE:
		return "'|'";
	case T_LPAREN:
		return "'('";
	case T_RPAREN:
		return "')'";
	case T_DECLARE:
		return "':='";
	case T_ASSIGN:
		return "'='";
	case T_COMMA:
		return "','";
	case T_DOT:
		return "'.'";
	default:
		return NULL;
	}
}

static int unexpected(struct parser *ps, const struct tok *k, const char *where)
{
	const char *name = tok_name(k);
	if (name)
		return syntax_error(ps->t, ps->err, k->pos, "unexpected %s in %s", name, where);
	return syntax_error(ps->t, ps->err, k->pos, "unexpected '%.*s' in %s", (int)(k->end - k->pos),
	                    ps->t->src + k->pos, where);
}

static void push_var(struct parser *ps, const char *name)
{
	if (ps->nvars == ps->capvars) {
		ps->capvars = ps->capvars ? ps->capvars * 2 : 8;
		ps->vars = xrealloc(ps->vars, ps->capvars * sizeof(char *));
	}
	ps->vars[ps->nvars++] = (char *)name;
}

static bool var_known(const struct parser *ps, const char *name)
{
	for (size_t i = ps->nvars; i-- > 0;)
		if (strcmp(ps->vars[i], name) == 0)
			return true;
	return false;
}

static void *push(void *arr, size_t *n, size_t size)
{
	/* small arrays: grow one at a time */
	arr = xrealloc(arr, (*n + 1) * size);
	(*n)++;
	return arr;
}

static void free_pipe(struct tmpl_pipe *p);

static void free_arg(struct tmpl_arg *a)
{
	if (!a)
		return;
	free(a->name);
	if (a->value)
		yajl_tree_free(a->value);
	free_pipe(a->pipe);
	for (size_t i = 0; i < a->nfields; i++)
		free(a->fields[i]);
	free(a->fields);
	free(a);
}

static void free_pipe(struct tmpl_pipe *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nvars; i++)
		free(p->vars[i]);
	for (size_t i = 0; i < p->ncmds; i++) {
		for (size_t k = 0; k < p->cmds[i]->nargs; k++)
			free_arg(p->cmds[i]->args[k]);
		free(p->cmds[i]->args);
		free(p->cmds[i]);
	}
	free(p->cmds);
	free(p);
}

static void free_list(struct tmpl_list *l);

static void free_node(struct tmpl_node *n)
{
	free(n->text);
	free_pipe(n->pipe);
	free_list(&n->list);
	free_list(&n->elselist);
	free(n);
}

static void free_list(struct tmpl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free_node(l->nodes[i]);
	free(l->nodes);
	l->nodes = NULL;
	l->n = 0;
}

static void add_node(struct tmpl_list *l, struct tmpl_node *n)
{
	l->nodes = push(l->nodes, &l->n, sizeof(*l->nodes));
	l->nodes[l->n - 1] = n;
}

static struct tmpl_pipe *parse_pipeline(struct parser *ps, const char *context, int maxvars, enum tok_kind end);

/* A constant from a literal token. */
static yajl_val const_value(struct parser *ps, const struct tok *k)
{
	if (k->kind == T_STRING)
		return json_new_str(k->s);
	if (k->kind == T_CHAR) {
		/* a character constant is its code point, as in Go */
		const unsigned char *u = (const unsigned char *)k->s;
		unsigned long c = u[0];
		if (k->len == 2)
			c = ((u[0] & 0x1fUL) << 6) | (u[1] & 0x3f);
		else if (k->len == 3)
			c = ((u[0] & 0x0fUL) << 12) | ((u[1] & 0x3fUL) << 6) | (u[2] & 0x3f);
		else if (k->len == 4)
			c = ((u[0] & 0x07UL) << 18) | ((u[1] & 0x3fUL) << 12) | ((u[2] & 0x3fUL) << 6) | (u[3] & 0x3f);
		return json_new_int((long long)c);
	}
	/* T_NUMBER: an integer if it is one, else a float */
	char *end = NULL;
	long long i = strtoll(k->s, &end, 0);
	if (*end == '\0' && !strchr(k->s, '.'))
		return json_new_int(i);
	double d = strtod(k->s, &end);
	if (*end != '\0') {
		syntax_error(ps->t, ps->err, k->pos, "bad number syntax: '%s'", k->s);
		return NULL;
	}
	yajl_val v = json_new_int(0);
	free(v->u.number.r);
	v->u.number.r = xstrdup(k->s);
	v->u.number.d = d;
	v->u.number.flags = YAJL_NUMBER_DOUBLE_VALID;
	return v;
}

/* Fields directly after a term (no space between): $x.A.B, (pipe).A */
static void parse_chain(struct parser *ps, struct tmpl_arg *a)
{
	while (peek(ps)->kind == T_FIELD && peek(ps)->pos == ps->toks[ps->i - 1].end) {
		struct tok *k = next(ps);
		a->fields = push(a->fields, &a->nfields, sizeof(char *));
		a->fields[a->nfields - 1] = xstrdup(k->s);
	}
}

/* One operand; NULL without an error when the next token is none. */
static struct tmpl_arg *parse_operand(struct parser *ps, bool *failed)
{
	struct tok *k = peek(ps);
	struct tmpl_arg *a = xcalloc(1, sizeof(*a));
	a->pos = k->pos;
	switch (k->kind) {
	case T_IDENT:
		next(ps);
		if (strcmp(k->s, "true") == 0 || strcmp(k->s, "false") == 0) {
			a->kind = TA_CONST;
			a->value = json_new_bool(k->s[0] == 't');
		} else if (strcmp(k->s, "nil") == 0) {
			a->kind = TA_CONST;
			a->value = json_new_null();
		} else {
			a->kind = TA_FUNC;
			a->fn = tmpl_func_find(k->s);
			if (!a->fn) {
				syntax_error(ps->t, ps->err, k->pos, "function '%s' not defined", k->s);
				goto fail;
			}
			a->name = xstrdup(k->s);
		}
		break;
	case T_DOT:
		next(ps);
		a->kind = TA_DOT;
		break;
	case T_FIELD:
		a->kind = TA_FIELD;
		next(ps);
		a->fields = xmalloc(sizeof(char *));
		a->fields[0] = xstrdup(k->s);
		a->nfields = 1;
		parse_chain(ps, a);
		break;
	case T_VAR:
		next(ps);
		if (!var_known(ps, k->s)) {
			syntax_error(ps->t, ps->err, k->pos, "undefined variable '%s'", k->s);
			goto fail;
		}
		a->kind = TA_VAR;
		a->name = xstrdup(k->s);
		parse_chain(ps, a);
		break;
	case T_STRING:
	case T_CHAR:
	case T_NUMBER:
		next(ps);
		a->kind = TA_CONST;
		a->value = const_value(ps, k);
		if (!a->value)
			goto fail;
		break;
	case T_LPAREN:
		next(ps);
		a->kind = TA_PIPE;
		if (ps->depth >= MAX_DEPTH) {
			syntax_error(ps->t, ps->err, k->pos, "template nested too deeply");
			goto fail;
		}
		ps->depth++;
		a->pipe = parse_pipeline(ps, "parenthesized pipeline", 0, T_RPAREN);
		ps->depth--;
		if (!a->pipe)
			goto fail;
		parse_chain(ps, a);
		break;
	default:
		free(a);
		return NULL;
	}
	if (peek(ps)->kind == T_FIELD && peek(ps)->pos == ps->toks[ps->i - 1].end) {
		syntax_error(ps->t, ps->err, peek(ps)->pos, "unexpected . after term '%.*s'", (int)(k->end - k->pos),
		             ps->t->src + k->pos);
		goto fail;
	}
	a->end = ps->toks[ps->i - 1].end;
	return a;
fail:
	free_arg(a);
	*failed = true;
	return NULL;
}

/* Operands up to '|' or the end of the pipeline. */
static struct tmpl_cmd *parse_command(struct parser *ps, enum tok_kind end)
{
	struct tmpl_cmd *c = xcalloc(1, sizeof(*c));
	c->pos = peek(ps)->pos;
	for (;;) {
		bool failed = false;
		struct tmpl_arg *a = parse_operand(ps, &failed);
		if (failed)
			goto fail;
		if (!a)
			break;
		c->args = push(c->args, &c->nargs, sizeof(*c->args));
		c->args[c->nargs - 1] = a;
		struct tok *k = peek(ps);
		if (k->kind != end && k->kind != T_PIPE && k->pos == ps->toks[ps->i - 1].end) {
			unexpected(ps, k, "operand");
			goto fail;
		}
	}
	struct tok *k = peek(ps);
	if (k->kind != end && k->kind != T_PIPE) {
		unexpected(ps, k, "command");
		goto fail;
	}
	if (c->nargs == 0) {
		syntax_error(ps->t, ps->err, k->pos, "empty command");
		goto fail;
	}
	c->end = c->args[c->nargs - 1]->end;
	return c;
fail:
	for (size_t i = 0; i < c->nargs; i++)
		free_arg(c->args[i]);
	free(c->args);
	free(c);
	return NULL;
}

/* [$x := | $x = | $i, $e :=] command ['|' command]... then the end token
 * (consumed). maxvars: how many variables it may declare (0: none). */
static struct tmpl_pipe *parse_pipeline(struct parser *ps, const char *context, int maxvars, enum tok_kind end)
{
	struct tmpl_pipe *p = xcalloc(1, sizeof(*p));
	p->pos = peek(ps)->pos;
	/* declarations */
	if (peek(ps)->kind == T_VAR) {
		size_t save = ps->i;
		struct tok *v1 = next(ps), *v2 = NULL;
		if (peek(ps)->kind == T_COMMA && maxvars == 2) {
			next(ps);
			if (peek(ps)->kind != T_VAR) {
				unexpected(ps, peek(ps), "range declaration");
				goto fail;
			}
			v2 = next(ps);
			if (peek(ps)->kind != T_DECLARE && peek(ps)->kind != T_ASSIGN) {
				unexpected(ps, peek(ps), "range declaration");
				goto fail;
			}
		}
		if (peek(ps)->kind == T_DECLARE || peek(ps)->kind == T_ASSIGN) {
			p->assign = next(ps)->kind == T_ASSIGN;
			if (maxvars == 0) {
				syntax_error(ps->t, ps->err, v1->pos, "cannot declare a variable in a %s", context);
				goto fail;
			}
			p->vars[p->nvars++] = xstrdup(v1->s);
			if (v2)
				p->vars[p->nvars++] = xstrdup(v2->s);
			for (size_t i = 0; i < p->nvars; i++) {
				if (p->assign && !var_known(ps, p->vars[i])) {
					syntax_error(ps->t, ps->err, v1->pos, "undefined variable '%s'", p->vars[i]);
					goto fail;
				}
			}
		} else {
			ps->i = save; /* a variable used as an operand */
		}
	}
	for (;;) {
		struct tmpl_cmd *c = parse_command(ps, end);
		if (!c)
			goto fail;
		p->cmds = push(p->cmds, &p->ncmds, sizeof(*p->cmds));
		p->cmds[p->ncmds - 1] = c;
		if (next(ps)->kind != T_PIPE)
			break; /* the end token */
	}
	/* a later stage gets the value before it as its last argument: it
	 * has to be something that can take one */
	for (size_t i = 1; i < p->ncmds; i++) {
		struct tmpl_arg *a = p->cmds[i]->args[0];
		if (a->kind == TA_CONST || a->kind == TA_DOT) {
			syntax_error(ps->t, ps->err, a->pos, "non executable command in pipeline stage %zu", i + 1);
			goto fail;
		}
	}
	if (p->ncmds == 1 && p->cmds[0]->nargs == 1 && p->cmds[0]->args[0]->kind == TA_CONST &&
	    YAJL_IS_NULL(p->cmds[0]->args[0]->value)) {
		syntax_error(ps->t, ps->err, p->cmds[0]->pos, "nil is not a command");
		goto fail;
	}
	p->end = p->cmds[p->ncmds - 1]->end;
	/* declared variables are visible from here on */
	if (!p->assign)
		for (size_t i = 0; i < p->nvars; i++)
			push_var(ps, p->vars[i]);
	return p;
fail:
	free_pipe(p);
	return NULL;
}

static int parse_list(struct parser *ps, struct tmpl_list *out, enum stop *stop);

/* {{if|range|with pipeline}} list [{{else}} list | {{else if ...}}] {{end}};
 * the keyword is already consumed. */
static struct tmpl_node *parse_control(struct parser *ps, enum tmpl_node_kind kind, const char *keyword, unsigned pos)
{
	if (ps->depth >= MAX_DEPTH) {
		syntax_error(ps->t, ps->err, pos, "template nested too deeply");
		return NULL;
	}
	struct tmpl_node *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->pos = pos;
	size_t scope = ps->nvars;
	ps->depth++;
	if (peek(ps)->kind == T_RIGHT) {
		syntax_error(ps->t, ps->err, pos, "missing value for %s", keyword);
		goto fail;
	}
	n->pipe = parse_pipeline(ps, keyword, kind == TN_RANGE ? 2 : 1, T_RIGHT);
	if (!n->pipe)
		goto fail;
	enum stop stop;
	if (parse_list(ps, &n->list, &stop) < 0)
		goto fail;
	if (stop == STOP_EOF) {
		syntax_error(ps->t, ps->err, pos, "unclosed {{%s}}: no {{end}}", keyword);
		goto fail;
	}
	if (stop == STOP_ELSE) {
		struct tok *k = peek(ps);
		if (k->kind == T_IDENT &&
		    ((kind == TN_IF && strcmp(k->s, "if") == 0) || (kind == TN_WITH && strcmp(k->s, "with") == 0))) {
			/* {{else if}}: an if in the else branch that shares our {{end}} */
			next(ps);
			struct tmpl_node *inner = parse_control(ps, kind, keyword, k->pos);
			if (!inner)
				goto fail;
			add_node(&n->elselist, inner);
		} else {
			if (next(ps)->kind != T_RIGHT) {
				unexpected(ps, k, "{{else}}");
				goto fail;
			}
			if (parse_list(ps, &n->elselist, &stop) < 0)
				goto fail;
			if (stop != STOP_END) {
				syntax_error(ps->t, ps->err, pos,
				             stop == STOP_ELSE ? "{{%s}} has a second {{else}}"
				                               : "unclosed {{%s}}: no {{end}}",
				             keyword);
				goto fail;
			}
		}
	}
	ps->nvars = scope;
	ps->depth--;
	return n;
fail:
	ps->nvars = scope;
	ps->depth--;
	free_node(n);
	return NULL;
}

/* Nodes until {{end}}, {{else}} (consumed up to the keyword) or the end. */
static int parse_list(struct parser *ps, struct tmpl_list *out, enum stop *stop)
{
	for (;;) {
		struct tok *k = next(ps);
		if (k->kind == T_EOF) {
			*stop = STOP_EOF;
			return 0;
		}
		if (k->kind == T_TEXT) {
			if (k->len) {
				struct tmpl_node *n = xcalloc(1, sizeof(*n));
				n->kind = TN_TEXT;
				n->pos = k->pos;
				n->text = xstrndup(k->s, k->len);
				n->len = k->len;
				add_node(out, n);
			}
			continue;
		}
		/* T_LEFT */
		unsigned pos = k->pos;
		k = peek(ps);
		if (k->kind == T_IDENT) {
			const char *w = k->s;
			if (strcmp(w, "end") == 0) {
				next(ps);
				if (next(ps)->kind != T_RIGHT)
					return unexpected(ps, &ps->toks[ps->i - 1], "{{end}}");
				*stop = STOP_END;
				return 0;
			}
			if (strcmp(w, "else") == 0) {
				next(ps);
				*stop = STOP_ELSE;
				return 0;
			}
			enum tmpl_node_kind kind = TN_ACTION;
			if (strcmp(w, "if") == 0)
				kind = TN_IF;
			else if (strcmp(w, "range") == 0)
				kind = TN_RANGE;
			else if (strcmp(w, "with") == 0)
				kind = TN_WITH;
			else if (!strcmp(w, "define") || !strcmp(w, "template") || !strcmp(w, "block") ||
			         !strcmp(w, "break") || !strcmp(w, "continue"))
				return syntax_error(ps->t, ps->err, k->pos, "{{%s}} is not supported", w);
			if (kind != TN_ACTION) {
				next(ps);
				struct tmpl_node *n = parse_control(ps, kind, w, pos);
				if (!n)
					return -1;
				add_node(out, n);
				continue;
			}
		}
		if (k->kind == T_RIGHT)
			return syntax_error(ps->t, ps->err, pos, "missing value for command");
		struct tmpl_node *n = xcalloc(1, sizeof(*n));
		n->kind = TN_ACTION;
		n->pos = pos;
		n->pipe = parse_pipeline(ps, "command", 1, T_RIGHT);
		if (!n->pipe) {
			free(n);
			return -1;
		}
		add_node(out, n);
	}
}

struct fmt_template *fmt_template_parse(const char *text, unsigned flags, struct burrow_err **err)
{
	struct fmt_template *t = xcalloc(1, sizeof(*t));
	t->src = xstrdup(text);
	struct lexer l = {.t = t, .src = t->src, .n = strlen(t->src), .flags = flags, .err = err};
	if ((flags & FMT_TMPL_TABLE) && strncmp(t->src, "table ", 6) == 0)
		l.p = t->skipped = 6; /* positions still count from the start of what the user typed */
	struct parser ps = {.t = t, .err = err};
	int r = lex(&l);
	if (r == 0) {
		ps.toks = l.toks;
		push_var(&ps, "$");
		enum stop stop;
		r = parse_list(&ps, &t->root, &stop);
		if (r == 0 && stop != STOP_EOF) {
			const struct tok *k = &ps.toks[ps.i - 1];
			r = syntax_error(t, err, k->pos, "unexpected {{%s}}", stop == STOP_END ? "end" : "else");
		}
	}
	for (size_t i = 0; i < l.ntoks; i++)
		free(l.toks[i].s);
	free(l.toks);
	free(ps.vars);
	if (r < 0) {
		fmt_template_free(t);
		return NULL;
	}
	return t;
}

void fmt_template_free(struct fmt_template *t)
{
	if (!t)
		return;
	free_list(&t->root);
	free(t->src);
	free(t);
}
