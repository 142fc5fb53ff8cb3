/* --- format templates: the functions (see template.h): Go's builtins that
 * --format users reach for and podman's additions. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/internal.h"
#include "lib/json.h"
#include "lib/xalloc.h"

/* and, or: evaluated where they are called (eval_cmd), since they stop at
 * the operand that decides, as Go's; this is what the table holds for
 * them, reached with no operands only, which the count refuses. */
static int f_short_circuit(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)x;
	*out = a[n - 1];
	return 0;
}

static int f_not(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	*out = tmpl_bool(x, !tmpl_truth(a[0]));
	return 0;
}

/* Go's basic kinds, which eq and lt compare: K_INVALID is Go's invalid
 * value (no value, a nil interface); K_OTHER a list, map or struct. */
enum kind { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING, K_OTHER };

static enum kind kind_of(struct tmpl_val v)
{
	if (v.kind != V_JSON)
		return K_OTHER;
	switch (v.j->type) {
	case yajl_t_string:
		return K_STRING;
	case yajl_t_number:
		return tmpl_is_integer(v.j) ? K_INT : K_FLOAT;
	case yajl_t_true:
	case yajl_t_false:
		return K_BOOL;
	case yajl_t_array:
	case yajl_t_object:
		return K_OTHER;
	default:
		return json_nil_text(v.j) ? K_OTHER : K_INVALID; /* a nil map or slice is one */
	}
}

/* Compares two values of the same basic kind k: *res <0, 0, >0. */
static int compare_same(struct tmpl_val a, struct tmpl_val b, enum kind k)
{
	switch (k) {
	case K_INT:
		return a.j->u.number.i < b.j->u.number.i ? -1 : a.j->u.number.i > b.j->u.number.i;
	case K_FLOAT:
		return tmpl_number(a.j) < tmpl_number(b.j) ? -1 : tmpl_number(a.j) > tmpl_number(b.j);
	case K_STRING:
		return strcmp(a.j->u.string, b.j->u.string);
	case K_BOOL:
		return a.j->type != b.j->type;
	default:
		return 0; /* two invalid values are equal */
	}
}

/* Go's eq: a equal to any of b[0..n); values of different kinds are an
 * error unless one is invalid (then unequal). */
static int eq(struct tmpl_exec *x, struct tmpl_val a, const struct tmpl_val *b, size_t n, bool *res)
{
	enum kind ka = kind_of(a);
	*res = false;
	for (size_t i = 0; i < n && !*res; i++) {
		enum kind kb = kind_of(b[i]);
		if (ka != kb) {
			if (ka != K_INVALID && kb != K_INVALID)
				return tmpl_error(x, "incompatible types for comparison");
		} else if (ka == K_OTHER) {
			return tmpl_error(x, "non-comparable type %s: %s", tmpl_text(x, b[i]), tmpl_go_type(x, b[i]));
		} else {
			*res = compare_same(a, b[i], ka) == 0;
		}
	}
	return 0;
}

/* Go's lt and friends: numbers and strings of one kind. */
static int order(struct tmpl_exec *x, struct tmpl_val a, struct tmpl_val b, int *res)
{
	enum kind ka = kind_of(a), kb = kind_of(b);
	if (ka == K_INVALID || ka == K_OTHER || kb == K_INVALID || kb == K_OTHER)
		return tmpl_error(x, "invalid type for comparison");
	if (ka != kb)
		return tmpl_error(x, "incompatible types for comparison");
	if (ka == K_BOOL)
		return tmpl_error(x, "invalid type for comparison");
	*res = compare_same(a, b, ka);
	return 0;
}

static int f_eq(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	bool r;
	if (eq(x, a[0], a + 1, n - 1, &r) < 0)
		return -1;
	*out = tmpl_bool(x, r);
	return 0;
}

static int f_ne(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	bool r;
	if (eq(x, a[0], a + 1, 1, &r) < 0)
		return -1;
	*out = tmpl_bool(x, !r);
	return 0;
}

#define ORDER_FUNC(name, test)                                                                   \
	static int name(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out) \
	{                                                                                        \
		(void)n;                                                                         \
		int r;                                                                           \
		if (order(x, a[0], a[1], &r) < 0)                                                \
			return -1;                                                               \
		*out = tmpl_bool(x, test);                                                       \
		return 0;                                                                        \
	}
ORDER_FUNC(f_lt, r < 0)
ORDER_FUNC(f_le, r <= 0)
ORDER_FUNC(f_gt, r > 0)
ORDER_FUNC(f_ge, r >= 0)

/* Go's len: of a string (bytes), list or map; a nil map or slice is 0. */
static int f_len(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	struct tmpl_val v = a[0];
	long long len = -1;
	if (v.kind == V_ITEMS)
		len = (long long)v.n;
	else if (v.kind == V_JSON && YAJL_IS_STRING(v.j))
		len = (long long)strlen(v.j->u.string);
	else if (v.kind == V_JSON && YAJL_IS_ARRAY(v.j))
		len = (long long)v.j->u.array.len;
	else if (v.kind == V_JSON && json_is_map(v.j))
		len = YAJL_IS_OBJECT(v.j) ? (long long)v.j->u.object.len : 0;
	else if (v.kind == V_JSON && json_nil_text(v.j))
		len = 0;
	if (tmpl_no_value(v)) /* what Go's reflect says of it */
		return tmpl_error(x, "reflect: call of reflect.Value.Type on zero Value");
	if (kind_of(v) == K_INVALID)
		return tmpl_error(x, "len of nil pointer");
	if (len < 0)
		return tmpl_error(x, "len of type %s", tmpl_go_type(x, v));
	*out = tmpl_json(tmpl_keep(x, json_new_int(len)));
	return 0;
}

/* Go's indexArg: an integer index k into *at, 0 <= *at <= max. */
static int index_arg(struct tmpl_exec *x, struct tmpl_val k, long long max, long long *at)
{
	if (kind_of(k) == K_INVALID)
		return tmpl_error(x, "cannot index slice/array with nil");
	if (kind_of(k) != K_INT)
		return tmpl_error(x, "cannot index slice/array with type %s", tmpl_go_type(x, k));
	*at = k.j->u.number.i;
	if (*at < 0 || *at > max)
		return tmpl_error(x, "index out of range: %lld", *at);
	return 0;
}

/* Go's index: lists and strings (a byte) by an integer, maps by a string
 * (a missing key: the empty string, as a Go map of strings gives). */
/* A list (a Go slice): items, a JSON array, a nil list. */
static bool is_slice(struct tmpl_val v)
{
	return v.kind == V_ITEMS ||
	       (v.kind == V_JSON && (YAJL_IS_ARRAY(v.j) || (json_nil_text(v.j) && !json_is_map(v.j))));
}

/* The length of a list or a string. */
static long long list_len(struct tmpl_val v)
{
	return v.kind == V_ITEMS     ? (long long)v.n
	       : YAJL_IS_ARRAY(v.j)  ? (long long)v.j->u.array.len
	       : YAJL_IS_STRING(v.j) ? (long long)strlen(v.j->u.string)
	                             : 0;
}

static int f_index(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	struct tmpl_val v = a[0];
	if (kind_of(v) == K_INVALID)
		return tmpl_error(x, tmpl_no_value(v) ? "index of untyped nil" : "index of nil pointer");
	for (size_t i = 1; i < n; i++) {
		struct tmpl_val k = a[i];
		if (is_slice(v) || (v.kind == V_JSON && YAJL_IS_STRING(v.j))) {
			long long at;
			if (index_arg(x, k, list_len(v) - 1, &at) < 0)
				return -1;
			if (v.kind == V_ITEMS)
				v = (struct tmpl_val){.kind = V_ITEM, .items = &v.items[at], .n = 1};
			else if (YAJL_IS_STRING(v.j))
				v = tmpl_json(tmpl_keep(x, json_new_int((unsigned char)v.j->u.string[at])));
			else
				v = tmpl_json(v.j->u.array.values[at]);
			continue;
		}
		if (!(v.kind == V_JSON && json_is_map(v.j))) {
			const char *type = tmpl_go_type(x, v);
			/* Go's index looks through a pointer first */
			return tmpl_error(x, "can't index item of type %s", type + (type[0] == '*'));
		}
		if (kind_of(k) == K_INVALID)
			return tmpl_error(x, "value is nil; should be of type string");
		if (kind_of(k) != K_STRING)
			return tmpl_error(x, "value has type %s; should be string", tmpl_go_type(x, k));
		yajl_val got = tmpl_obj_get(v.j, k.j->u.string, false);
		v = got ? tmpl_json(got) : tmpl_str(x, "");
	}
	*out = v;
	return 0;
}

/* Go's slice: "slice x 1 2" is x[1:2], of a list or a string (not with 3
 * indexes: x[1:2:3] only sets a list's capacity, which a template does
 * not see). */
static int f_slice(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	struct tmpl_val v = a[0];
	if (kind_of(v) == K_INVALID)
		return tmpl_error(x, "slice of untyped nil");
	if (n - 1 > 3)
		return tmpl_error(x, "too many slice indexes: %zu", n - 1);
	bool str = v.kind == V_JSON && YAJL_IS_STRING(v.j);
	if (!str && !is_slice(v))
		return tmpl_error(x, "can't slice item of type %s", tmpl_go_type(x, v));
	if (str && n - 1 == 3)
		return tmpl_error(x, "cannot 3-index slice a string");
	long long len = list_len(v), idx[3] = {0, len, len};
	for (size_t i = 1; i < n; i++)
		if (index_arg(x, a[i], len, &idx[i - 1]) < 0)
			return -1;
	if (idx[0] > idx[1])
		return tmpl_error(x, "invalid slice index: %lld > %lld", idx[0], idx[1]);
	if (n - 1 == 3 && idx[1] > idx[2])
		return tmpl_error(x, "invalid slice index: %lld > %lld", idx[1], idx[2]);
	size_t from = (size_t)idx[0], count = (size_t)(idx[1] - idx[0]);
	if (str) {
		*out = tmpl_json(tmpl_keep(x, json_new_strn(v.j->u.string + from, count)));
	} else if (v.kind == V_ITEMS) {
		*out = (struct tmpl_val){.kind = V_ITEMS, .items = v.items + from, .n = count};
	} else if (YAJL_IS_ARRAY(v.j)) {
		yajl_val arr = tmpl_keep(x, json_new_array());
		for (size_t i = 0; i < count; i++)
			json_arr_add(arr, json_copy(v.j->u.array.values[from + i]));
		*out = tmpl_json(arr);
	} else {
		*out = v; /* a nil list: nil[0:0] */
	}
	return 0;
}

/* Go's fmt.Sprint (spaces between operands when neither is a string) and
 * Sprintln (spaces between all, a newline at the end). */
static bool is_string(struct tmpl_val v)
{
	return v.kind == V_JSON && YAJL_IS_STRING(v.j);
}

static int sprint(struct tmpl_exec *x, struct tmpl_val *a, size_t n, bool ln, struct tmpl_val *out)
{
	struct fmt_buf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (i && (ln || (!is_string(a[i - 1]) && !is_string(a[i]))))
			fmt_buf_puts(&b, " ");
		tmpl_print_value(x, &b, a[i]);
	}
	if (ln)
		fmt_buf_puts(&b, "\n");
	*out = tmpl_str(x, b.s ? b.s : "");
	fmt_buf_free(&b);
	return 0;
}

static int f_print(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	return sprint(x, a, n, false, out);
}

static int f_println(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	return sprint(x, a, n, true, out);
}

/* Go's names of the types behind the values, for printf's complaints;
 * NULL for Go's nil. */
static const char *go_type(struct tmpl_exec *x, struct tmpl_val v)
{
	return kind_of(v) == K_INVALID ? NULL : tmpl_go_type(x, v);
}

static void bad_verb(struct tmpl_exec *x, struct fmt_buf *b, char verb, struct tmpl_val v)
{
	const char *type = go_type(x, v);
	if (!type)
		fmt_buf_printf(b, "%%!%c(<nil>)", verb);
	else
		fmt_buf_printf(b, "%%!%c(%s=%s)", verb, type, tmpl_text(x, v));
}

static size_t runes(const char *s, size_t n)
{
	size_t r = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			r++;
	return r;
}

/* The bytes of s's first prec runes (all of s when prec < 0). */
static size_t rune_prefix(const char *s, int prec)
{
	size_t n = strlen(s);
	if (prec < 0)
		return n;
	size_t r = 0, i = 0;
	for (; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && r++ == (size_t)prec)
			break;
	}
	return i;
}

/* s padded to width runes (precision: at most that many runes first). */
static void put_padded(struct fmt_buf *b, const char *s, int width, int prec, bool minus, bool zero)
{
	size_t n = rune_prefix(s, prec);
	size_t w = runes(s, n);
	size_t pad = width > 0 && (size_t)width > w ? (size_t)width - w : 0;
	if (!minus)
		for (size_t i = 0; i < pad; i++)
			fmt_buf_add(b, zero ? "0" : " ", 1);
	fmt_buf_add(b, s, n);
	if (minus)
		for (size_t i = 0; i < pad; i++)
			fmt_buf_add(b, " ", 1);
}

/* strconv.Quote, near enough: "..." with Go's escapes for control bytes. */
static char *go_quote(const char *s)
{
	struct fmt_buf b = {0};
	fmt_buf_puts(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *esc = NULL;
		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\a':
			esc = "\\a";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\v':
			esc = "\\v";
			break;
		default:
			break;
		}
		if (esc)
			fmt_buf_puts(&b, esc);
		else if (*p < 0x20 || *p == 0x7f)
			fmt_buf_printf(&b, "\\x%02x", *p);
		else
			fmt_buf_add(&b, (const char *)p, 1);
	}
	fmt_buf_puts(&b, "\"");
	return b.s;
}

/* A sign (from '+' or ' ') and digits, padded to width as Go pads: zeros
 * go after the sign, '-' pads on the right. */
static void put_number(struct fmt_buf *b, bool neg, const char *digits, const char *flags, int width)
{
	bool minus = strchr(flags, '-') != NULL, zero = strchr(flags, '0') != NULL && !minus;
	const char *sign = neg ? "-" : strchr(flags, '+') ? "+" : strchr(flags, ' ') ? " " : "";
	size_t len = strlen(sign) + strlen(digits);
	size_t pad = width > 0 && (size_t)width > len ? (size_t)width - len : 0;
	if (!minus && !zero)
		for (size_t i = 0; i < pad; i++)
			fmt_buf_add(b, " ", 1);
	fmt_buf_puts(b, sign);
	if (zero)
		for (size_t i = 0; i < pad; i++)
			fmt_buf_add(b, "0", 1);
	fmt_buf_puts(b, digits);
	if (minus)
		for (size_t i = 0; i < pad; i++)
			fmt_buf_add(b, " ", 1);
}

/* %d %o %x %X of an integer: precision is the least number of digits, '#'
 * adds 0 or 0x; negative numbers keep their sign (Go prints -ff). */
static void put_int(struct fmt_buf *b, long long v, char verb, const char *flags, int width, int prec)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	unsigned base = verb == 'd' ? 10 : verb == 'o' ? 8 : 16;
	const char *dig = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[72];
	size_t o = sizeof(tmp) - 1;
	tmp[o] = '\0';
	do {
		tmp[--o] = dig[u % base];
		u /= base;
	} while (u);
	if (prec == 0 && v == 0)
		o = sizeof(tmp) - 1; /* Go: %.0d of 0 is empty */
	/* the prefix, then zeros up to the precision (any, below Go's bound) */
	size_t nd = sizeof(tmp) - 1 - o, zeros = prec > 0 && (size_t)prec > nd ? (size_t)prec - nd : 0;
	struct fmt_buf d = {0};
	if (strchr(flags, '#')) {
		if (base == 16)
			fmt_buf_printf(&d, "0%c", verb);
		else if (base == 8 && !zeros && tmp[o] != '0')
			fmt_buf_puts(&d, "0");
	}
	for (size_t i = 0; i < zeros; i++)
		fmt_buf_add(&d, "0", 1);
	fmt_buf_puts(&d, tmp + o);
	/* with a precision, Go pads with spaces, not zeros */
	char f[8];
	snprintf(f, sizeof(f), "%s", flags);
	if (prec >= 0)
		for (char *c = f; *c; c++)
			if (*c == '0')
				*c = ' ';
	put_number(b, v < 0, d.s, f, width);
	fmt_buf_free(&d);
}

/* %e %E %f %F %g %G; %g without a precision is Go's shortest form. */
static void put_float(struct fmt_buf *b, double v, char verb, const char *flags, int width, int prec)
{
	struct fmt_buf d = {0};
	double a = fabs(v);
	if (prec > 64)
		prec = 64;
	switch (verb) {
	case 'e':
		fmt_buf_printf(&d, "%.*e", prec < 0 ? 6 : prec, a);
		break;
	case 'E':
		fmt_buf_printf(&d, "%.*E", prec < 0 ? 6 : prec, a);
		break;
	case 'f':
	case 'F':
		fmt_buf_printf(&d, "%.*f", prec < 0 ? 6 : prec, a);
		break;
	default:
		if (prec < 0)
			tmpl_go_float(&d, a);
		else
			fmt_buf_printf(&d, "%.*g", prec, a);
		if (verb == 'G')
			for (char *c = d.s; *c; c++)
				*c = (char)toupper((unsigned char)*c);
	}
	put_number(b, signbit(v) && !isnan(v), d.s, flags, width);
	fmt_buf_free(&d);
}

/* Go's bound on a width or precision (fmt's tooLarge): a million. */
#define GO_FMT_MAX 1000000

/* Go's parsenum: the digits at *p into *num (left as it was without
 * any); false once the number reaches Go's bound before its last digit. */
static bool go_num(const char **p, int *num)
{
	long v = -1;
	for (; isdigit((unsigned char)**p); (*p)++) {
		if (v >= GO_FMT_MAX)
			return false;
		v = (v < 0 ? 0 : v * 10) + (**p - '0');
	}
	if (v >= 0)
		*num = (int)v;
	return true;
}

/* A width or precision from the argument at *ai ('*'), taken whatever it
 * is: -1 when it is no integer or is past Go's bound (BADWIDTH, BADPREC). */
static int star_arg(struct tmpl_val *a, size_t n, size_t *ai, int *out)
{
	if (*ai >= n)
		return -1;
	struct tmpl_val v = a[(*ai)++];
	if (v.kind != V_JSON || !tmpl_is_integer(v.j) || v.j->u.number.i <= -GO_FMT_MAX ||
	    v.j->u.number.i >= GO_FMT_MAX)
		return -1;
	*out = (int)v.j->u.number.i;
	return 0;
}

/* Go's fmt verbs: %v %s %q %d %o %x %X %c %e %E %f %F %g %G %t %T %%, flags
 * - + # space 0, width and precision (or *). Misuse prints as Go does:
 * %!d(string=abc), %!s(MISSING), %!(EXTRA int=1). */
static int f_printf(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	const char *f = tmpl_text(x, a[0]);
	struct fmt_buf b = {0};
	size_t ai = 1;
	for (const char *p = f; *p;) {
		if (*p != '%') {
			const char *q = strchr(p, '%');
			size_t len = q ? (size_t)(q - p) : strlen(p);
			fmt_buf_add(&b, p, len);
			p += len;
			continue;
		}
		p++;
		char flags[8] = "";
		size_t nf = 0;
		bool minus = false, zero = false;
		while (*p && strchr("-+# 0", *p)) {
			if (nf < sizeof(flags) - 2 && !strchr(flags, *p))
				flags[nf++] = *p;
			flags[nf] = '\0';
			minus |= *p == '-';
			zero |= *p == '0';
			p++;
		}
		int width = -1, prec = -1;
		bool huge = false;
		if (*p == '*') {
			p++;
			if (star_arg(a, n, &ai, &width) < 0) {
				fmt_buf_puts(&b, "%!(BADWIDTH)");
			} else if (width < 0) { /* Go: a negative width pads on the right */
				width = -width;
				if (!minus)
					flags[nf++] = '-', flags[nf] = '\0';
				minus = true;
			}
		} else {
			huge = !go_num(&p, &width);
		}
		if (!huge && *p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				p++;
				if (star_arg(a, n, &ai, &prec) < 0)
					fmt_buf_puts(&b, "%!(BADPREC)");
				else if (prec < 0)
					prec = -1; /* Go: as if none were given */
			} else {
				huge = !go_num(&p, &prec);
				prec = prec < 0 ? 0 : prec;
			}
		}
		char verb = huge ? '\0' : *p; /* Go's "crazy long number" ends the format */
		if (!verb) {
			fmt_buf_puts(&b, "%!(NOVERB)");
			break;
		}
		p++;
		if (verb == '%') {
			fmt_buf_puts(&b, "%");
			continue;
		}
		if (ai >= n) {
			fmt_buf_printf(&b, "%%!%c(MISSING)", verb);
			continue;
		}
		struct tmpl_val v = a[ai++];
		bool num = v.kind == V_JSON && YAJL_IS_NUMBER(v.j), integer = num && tmpl_is_integer(v.j);
		switch (verb) {
		case 'T': {
			const char *type = go_type(x, v);
			put_padded(&b, type ? type : "<nil>", width, prec, minus, false);
			break;
		}
		case 'v':
		case 's':
			if (verb == 's' && kind_of(v) == K_INVALID)
				bad_verb(x, &b, verb, v);
			else
				put_padded(&b, tmpl_text(x, v), width, prec, minus, zero);
			break;
		case 'q':
			if (is_string(v)) { /* the precision cuts the string, as Go's */
				char *cut = xstrndup(v.j->u.string, rune_prefix(v.j->u.string, prec));
				char *q = go_quote(cut);
				put_padded(&b, q, width, -1, minus, false);
				free(q);
				free(cut);
			} else {
				bad_verb(x, &b, verb, v);
			}
			break;
		case 't':
			if (v.kind == V_JSON && (YAJL_IS_TRUE(v.j) || YAJL_IS_FALSE(v.j)))
				put_padded(&b, YAJL_IS_TRUE(v.j) ? "true" : "false", width, -1, minus, false);
			else
				bad_verb(x, &b, verb, v);
			break;
		case 'c':
			if (integer && v.j->u.number.i >= 0 && v.j->u.number.i <= 0x10ffff) {
				char u[8];
				size_t o = 0;
				unsigned long c = (unsigned long)v.j->u.number.i;
				if (c < 0x80) {
					u[o++] = (char)c;
				} else if (c < 0x800) {
					u[o++] = (char)(0xc0 | (c >> 6));
					u[o++] = (char)(0x80 | (c & 0x3f));
				} else if (c < 0x10000) {
					u[o++] = (char)(0xe0 | (c >> 12));
					u[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
					u[o++] = (char)(0x80 | (c & 0x3f));
				} else {
					u[o++] = (char)(0xf0 | (c >> 18));
					u[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
					u[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
					u[o++] = (char)(0x80 | (c & 0x3f));
				}
				u[o] = '\0';
				put_padded(&b, u, width, -1, minus, false);
			} else {
				bad_verb(x, &b, verb, v);
			}
			break;
		case 'd':
		case 'o':
		case 'x':
		case 'X':
			if (integer) {
				put_int(&b, v.j->u.number.i, verb, flags, width, prec);
			} else if ((verb == 'x' || verb == 'X') && is_string(v)) {
				struct fmt_buf h = {0};
				/* the precision: that many bytes of it, as Go's */
				const unsigned char *s = (const unsigned char *)v.j->u.string;
				for (size_t i = 0; s[i] && (prec < 0 || i < (size_t)prec); i++)
					fmt_buf_printf(&h, verb == 'x' ? "%02x" : "%02X", s[i]);
				put_padded(&b, h.s ? h.s : "", width, -1, minus, zero);
				fmt_buf_free(&h);
			} else {
				bad_verb(x, &b, verb, v);
			}
			break;
		case 'e':
		case 'E':
		case 'f':
		case 'F':
		case 'g':
		case 'G':
			if (num)
				put_float(&b, tmpl_number(v.j), verb, flags, width, prec);
			else
				bad_verb(x, &b, verb, v);
			break;
		default:
			bad_verb(x, &b, verb, v);
		}
	}
	if (ai < n) {
		fmt_buf_puts(&b, "%!(EXTRA ");
		for (size_t i = ai; i < n; i++) {
			const char *type = go_type(x, a[i]);
			fmt_buf_printf(&b, "%s%s=%s", i > ai ? ", " : "", type ? type : "<nil>", tmpl_text(x, a[i]));
		}
		fmt_buf_puts(&b, ")");
	}
	*out = tmpl_str(x, b.s ? b.s : "");
	fmt_buf_free(&b);
	return 0;
}

static void gen_value(yajl_gen g, struct tmpl_val v)
{
	switch (v.kind) {
	case V_JSON:
		jg_value(g, v.json ? v.json : v.j);
		break;
	case V_ITEM:
		jg_value(g, v.items[0].base);
		break;
	case V_ITEMS:
		jg_array_open(g);
		for (size_t i = 0; i < v.n; i++)
			jg_value(g, v.items[i].base);
		jg_array_close(g);
		break;
	case V_HDR:
		jg_null(g);
		break;
	}
}

static int f_json(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	yajl_gen g = json_gen_new();
	gen_value(g, a[0]);
	*out = tmpl_take_str(x, json_go_line_seps(json_gen_finish(g)));
	return 0;
}

static int map_text(struct tmpl_exec *x, struct tmpl_val *a, struct tmpl_val *out, int (*fn)(int))
{
	char *s = xstrdup(tmpl_text(x, a[0]));
	for (char *c = s; *c; c++)
		*c = (char)fn((unsigned char)*c);
	*out = tmpl_take_str(x, s);
	return 0;
}

static int f_lower(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	return map_text(x, a, out, tolower);
}

static int f_upper(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	return map_text(x, a, out, toupper);
}

static int f_title(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	char *s = xstrdup(tmpl_text(x, a[0]));
	bool start = true;
	for (char *c = s; *c; c++) {
		if (start && isalpha((unsigned char)*c))
			*c = (char)toupper((unsigned char)*c);
		start = !isalnum((unsigned char)*c) && !((unsigned char)*c & 0x80) && *c != '_' && *c != '\'';
	}
	*out = tmpl_take_str(x, s);
	return 0;
}

/* A list to join: no value and a nil slice are Go's nil []string, empty. */
static bool is_list(struct tmpl_val v)
{
	return is_slice(v) || tmpl_no_value(v);
}

/* join LIST SEP, or SEP LIST (so that {{.Names | join ","}} works too). A
 * single value is its own text: {{join .Names ","}} when .Names is one
 * string (ps's template field). */
static int f_join(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	struct tmpl_val list = a[0], sep = a[1];
	if (!is_list(a[0]) && is_list(a[1])) {
		list = a[1];
		sep = a[0];
	} else if (!is_list(a[0]) && !is_list(a[1])) {
		*out = x->piped ? a[1] : a[0];
		return 0;
	}
	const char *s = tmpl_text(x, sep);
	struct fmt_buf b = {0};
	size_t len = list.kind == V_ITEMS ? list.n : YAJL_IS_ARRAY(list.j) ? list.j->u.array.len : 0;
	for (size_t i = 0; i < len; i++) {
		if (i)
			fmt_buf_puts(&b, s);
		struct tmpl_val e = list.kind == V_ITEMS
		                        ? (struct tmpl_val){.kind = V_ITEM, .items = &list.items[i], .n = 1}
		                        : tmpl_json(list.j->u.array.values[i]);
		tmpl_print_value(x, &b, e);
	}
	*out = tmpl_str(x, b.s ? b.s : "");
	fmt_buf_free(&b);
	return 0;
}

/* strings.Split(s, sep); an empty sep splits into characters. */
static int f_split(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	const char *s = tmpl_text(x, a[0]), *sep = tmpl_text(x, a[1]);
	yajl_val arr = tmpl_keep(x, json_new_array());
	size_t sl = strlen(sep);
	while (sl == 0 && *s) {
		size_t len = 1;
		while (((unsigned char)s[len] & 0xc0) == 0x80)
			len++;
		char *c = xstrndup(s, len);
		json_arr_add(arr, json_new_str(c));
		free(c);
		s += len;
	}
	if (sl) {
		for (;;) {
			const char *at = strstr(s, sep);
			char *part = xstrndup(s, at ? (size_t)(at - s) : strlen(s));
			json_arr_add(arr, json_new_str(part));
			free(part);
			if (!at)
				break;
			s = at + sl;
		}
	}
	*out = tmpl_json(arr);
	return 0;
}

/* truncate S N (or N S, for {{.ID | truncate 5}}): the first N bytes. */
static int f_truncate(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	long long l = a[1].j->u.number.i;
	const char *t = a[0].j->u.string;
	if (l < 0 || (size_t)l >= strlen(t)) {
		*out = a[0];
		return 0;
	}
	*out = tmpl_take_str(x, xstrndup(t, (size_t)l));
	return 0;
}

/* pad S PREFIX SUFFIX: spaces around a non-empty S. */
static int f_pad(struct tmpl_exec *x, struct tmpl_val *a, size_t n, struct tmpl_val *out)
{
	(void)n;
	long long pre = a[1].j->u.number.i, suf = a[2].j->u.number.i;
	const char *s = a[0].j->u.string;
	if (!*s || pre < 0 || suf < 0 || pre > 4096 || suf > 4096) {
		*out = a[0];
		return 0;
	}
	*out = tmpl_take_str(x, xasprintf("%*s%s%*s", (int)pre, "", s, (int)suf, ""));
	return 0;
}

/* podman's functions take strings and ints (lower: func(string) string,
 * truncate: func(string, int) string ...); Go's builtins anything. */
static const struct tmpl_func funcs[] = {
    {"and", 1, -1, f_short_circuit, false, NULL, false},
    {"eq", 2, -1, f_eq, false, NULL, false},
    {"ge", 2, 2, f_ge, false, NULL, false},
    {"gt", 2, 2, f_gt, false, NULL, false},
    {"index", 1, -1, f_index, false, NULL, false},
    {"join", 2, 2, f_join, false, NULL, false},
    {"json", 1, 1, f_json, false, NULL, false},
    {"le", 2, 2, f_le, false, NULL, false},
    {"len", 1, 1, f_len, false, NULL, false},
    {"lower", 1, 1, f_lower, true, "s", false},
    {"lt", 2, 2, f_lt, false, NULL, false},
    {"ne", 2, 2, f_ne, false, NULL, false},
    {"not", 1, 1, f_not, false, NULL, false},
    {"or", 1, -1, f_short_circuit, false, NULL, false},
    {"pad", 3, 3, f_pad, true, "sii", false},
    {"print", 0, -1, f_print, true, NULL, false},
    {"printf", 1, -1, f_printf, true, "sa", false},
    {"println", 0, -1, f_println, true, NULL, false},
    {"slice", 1, -1, f_slice, false, NULL, false},
    {"split", 2, 2, f_split, false, "ss", false},
    {"title", 1, 1, f_title, true, "s", false},
    {"truncate", 2, 2, f_truncate, true, "si", true},
    {"upper", 1, 1, f_upper, true, "s", false},
};

const struct tmpl_func *tmpl_func_find(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strcmp(funcs[i].name, name) == 0)
			return &funcs[i];
	return NULL;
}
