/* Output of listing verbs: JSON, templates, tables (see report.h). */
#include "cmd/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "cmd/tabwriter.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\f' || *s == '\v')
		s++;
	return s;
}

bool fmt_report_is_json(const char *f)
{
	/* ^\s*(json|{{\s*json\s*\.?\s*}})\s*$: podman 4.3 prints the whole list
	 * as JSON for {{json .}} and {{ json . }} too */
	f = skip_space(f);
	if (strncmp(f, "json", 4) == 0) {
		f += 4;
	} else if (strncmp(f, "{{", 2) == 0) {
		f = skip_space(f + 2);
		if (strncmp(f, "json", 4) != 0)
			return false;
		f = skip_space(f + 4);
		if (*f == '.')
			f++;
		f = skip_space(f);
		if (strncmp(f, "}}", 2) != 0)
			return false;
		f += 2;
	} else {
		return false;
	}
	return *skip_space(f) == '\0';
}

/* podman's EnforceRange test: {{\s*range\s*\.\s*}} followed somewhere by
 * {{\s*end\s*-?\s*}}. */
static bool ranges_over_list(const char *f)
{
	for (const char *p = strstr(f, "{{"); p; p = strstr(p + 2, "{{")) {
		const char *q = skip_space(p + 2);
		if (strncmp(q, "range", 5) != 0)
			continue;
		q = skip_space(q + 5);
		if (*q != '.')
			continue;
		q = skip_space(q + 1);
		if (strncmp(q, "}}", 2) != 0)
			continue;
		for (const char *e = strstr(q, "{{"); e; e = strstr(e + 2, "{{")) {
			const char *r = skip_space(e + 2);
			if (strncmp(r, "end", 3) != 0)
				continue;
			r = skip_space(r + 3);
			if (*r == '-')
				r = skip_space(r + 1);
			if (strncmp(r, "}}", 2) == 0)
				return true;
		}
		return false;
	}
	return false;
}

int fmt_report_parse(struct fmt_report *r, struct burrow_err **err)
{
	const char *text = r->default_format;
	unsigned flags = FMT_TMPL_NEWLINE;
	r->out = FMT_OUT_TABLE;
	if (r->format) {
		if (fmt_report_is_json(r->format) || (!r->format[0] && r->empty_json)) {
			r->out = FMT_OUT_JSON;
			return 0;
		}
		text = r->format;
		if (strncmp(text, "table ", 6) == 0) {
			flags |= FMT_TMPL_TABLE;
		} else {
			r->out = FMT_OUT_TEMPLATE;
			r->whole_list = !r->single && ranges_over_list(text);
		}
	}
	if (!text) {
		r->out = FMT_OUT_JSON;
		return 0;
	}
	r->tmpl = fmt_template_parse(text, flags, err);
	if (!r->tmpl)
		return burrow_error_wrap(err, "%s: --format", r->verb);
	return 0;
}

/* A JSON string as Go's encoder writes it (bytes that are not UTF-8 as
 * U+FFFD, json_utf8_fixed); html: <, > and & as \u003c, \u003e, \u0026,
 * as json.Marshal does (SetEscapeHTML(false) for inspect's). */
static void json_string(struct fmt_buf *b, const char *raw, bool html)
{
	size_t n;
	cleanup_free char *fixed = json_utf8_fixed(raw, strlen(raw), &n);
	const char *s = fixed ? fixed : raw;
	fmt_buf_add(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fmt_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			fmt_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			fmt_buf_add(b, "\\n", 2);
			break;
		case '\r':
			fmt_buf_add(b, "\\r", 2);
			break;
		case '\t':
			fmt_buf_add(b, "\\t", 2);
			break;
		case '<':
		case '>':
		case '&':
			if (html) {
				fmt_buf_printf(b, "\\u00%x", *p);
				break;
			}
			fmt_buf_add(b, (const char *)p, 1);
			break;
		default:
			if (*p < 0x20)
				fmt_buf_printf(b, "\\u%04x", *p);
			else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
				/* U+2028, U+2029: Go's encoders escape them always */
				fmt_buf_printf(b, "\\u202%c", p[2] == 0xa8 ? '8' : '9');
				p += 2;
			} else
				fmt_buf_add(b, (const char *)p, 1);
		}
	}
	fmt_buf_add(b, "\"", 1);
}

static void json_newline(struct fmt_buf *b, const char *indent, int depth)
{
	fmt_buf_add(b, "\n", 1);
	for (int i = 0; i < depth; i++)
		fmt_buf_puts(b, indent);
}

/* v as Go's json.MarshalIndent(v, "", indent) writes it: empty lists and
 * objects as [] and {}, "key": value, one element a line. */
static void json_indented(struct fmt_buf *b, yajl_val v, const char *indent, int depth, bool html)
{
	if (!v) {
		fmt_buf_puts(b, "null");
		return;
	}
	switch (v->type) {
	case yajl_t_string:
		json_string(b, v->u.string, html);
		break;
	case yajl_t_number:
		fmt_buf_puts(b, v->u.number.r);
		break;
	case yajl_t_true:
		fmt_buf_puts(b, "true");
		break;
	case yajl_t_false:
		fmt_buf_puts(b, "false");
		break;
	case yajl_t_array:
		if (v->u.array.len == 0) {
			fmt_buf_puts(b, "[]");
			break;
		}
		fmt_buf_puts(b, "[");
		for (size_t i = 0; i < v->u.array.len; i++) {
			json_newline(b, indent, depth + 1);
			json_indented(b, v->u.array.values[i], indent, depth + 1, html);
			if (i + 1 < v->u.array.len)
				fmt_buf_puts(b, ",");
		}
		json_newline(b, indent, depth);
		fmt_buf_puts(b, "]");
		break;
	case yajl_t_object: {
		size_t shown = 0;
		for (size_t i = 0; i < v->u.object.len; i++) {
			if (json_omitted(v->u.object.values[i]))
				continue; /* Go's omitempty */
			fmt_buf_puts(b, shown++ ? "," : "{");
			json_newline(b, indent, depth + 1);
			json_string(b, v->u.object.keys[i], html);
			fmt_buf_puts(b, ": ");
			json_indented(b, v->u.object.values[i], indent, depth + 1, html);
		}
		if (shown)
			json_newline(b, indent, depth);
		fmt_buf_puts(b, shown ? "}" : "{}");
		break;
	}
	default:
		fmt_buf_puts(b, "null");
	}
}

static void print_json(const struct fmt_report *r, const struct fmt_item *items, size_t n, struct fmt_buf *out)
{
	const char *indent = r->json_indent ? r->json_indent : "    ";
	bool html = !r->no_html_escape;
	if (r->single) {
		json_indented(out, n ? items[0].base : NULL, indent, 0, html);
	} else if (n == 0) {
		fmt_buf_puts(out, "[]");
	} else {
		fmt_buf_puts(out, "[");
		for (size_t i = 0; i < n; i++) {
			json_newline(out, indent, 1);
			json_indented(out, items[i].base, indent, 1, html);
			if (i + 1 < n)
				fmt_buf_puts(out, ",");
		}
		fmt_buf_puts(out, "\n]");
	}
	fmt_buf_puts(out, "\n");
}

/* What a run of the template is told besides its data: as podman runs it,
 * named after the verb ("volume ls": "ls") and, for a list, inside the
 * "{{range .}}" podman wraps it in unless it ranges itself. */
static void exec_data(const struct fmt_report *r, struct fmt_data *d)
{
	const char *name = strrchr(r->verb, ' ');
	d->fold_case = r->fold_case;
	d->name = name ? name + 1 : r->verb;
	d->offset = r->single || r->whole_list ? 0 : (unsigned)strlen("{{range .}}");
	d->type = r->go_type;
	d->types = r->go_types;
	d->json_base = r->json_base;
}

/* The items from src one by one (or all at once when the output needs
 * them together). */
static int render_items(const struct fmt_report *r, const struct fmt_items *src, struct fmt_buf *out,
                        struct burrow_err **err)
{
	bool want_overlay = r->out != FMT_OUT_JSON;
	if (r->out == FMT_OUT_JSON || r->whole_list) {
		struct fmt_item *items = xcalloc(src->n ? src->n : 1, sizeof(*items));
		for (size_t i = 0; i < src->n; i++)
			src->make(src->ctx, i, want_overlay, &items[i]);
		int rc = 0;
		if (r->out == FMT_OUT_JSON) {
			print_json(r, items, src->n, out);
		} else {
			struct fmt_data d = {.kind = FMT_DATA_ITEMS, .items = items, .n = src->n};
			exec_data(r, &d);
			rc = fmt_template_exec(r->tmpl, &d, out, err);
		}
		for (size_t i = 0; i < src->n; i++)
			src->drop(src->ctx, i, &items[i]);
		free(items);
		return rc;
	}
	struct fmt_data d = {.headers = r->headers};
	exec_data(r, &d);
	if (r->out == FMT_OUT_TABLE && !r->noheading) {
		d.kind = FMT_DATA_HEADER;
		if (fmt_template_exec(r->tmpl, &d, out, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < src->n; i++) {
		struct fmt_item item = {0};
		src->make(src->ctx, i, want_overlay, &item);
		d.kind = FMT_DATA_ITEM;
		d.items = &item;
		d.n = 1;
		int rc = fmt_template_exec(r->tmpl, &d, out, err);
		src->drop(src->ctx, i, &item);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int render(const struct fmt_report *r, const struct fmt_items *src, struct fmt_buf *out, struct burrow_err **err)
{
	struct fmt_buf text = {0};
	if (render_items(r, src, &text, err) < 0) {
		fmt_buf_free(&text); /* the error is Go's, as podman prints it */
		return -1;
	}
	if (r->out == FMT_OUT_TABLE)
		fmt_table_align(text.s ? text.s : "", text.len, FMT_TABLE_MINWIDTH, FMT_TABLE_PADDING, out);
	else
		fmt_buf_add(out, text.s ? text.s : "", text.len);
	fmt_buf_free(&text);
	return 0;
}

static void array_make(void *ctx, size_t i, bool overlay, struct fmt_item *out)
{
	(void)overlay;
	*out = ((const struct fmt_item *)ctx)[i];
}

static void array_drop(void *ctx, size_t i, struct fmt_item *item)
{
	(void)ctx;
	(void)i;
	(void)item;
}

int fmt_report_render(const struct fmt_report *r, const struct fmt_item *items, size_t n, struct fmt_buf *out,
                      struct burrow_err **err)
{
	struct fmt_items src = {.n = n, .make = array_make, .drop = array_drop, .ctx = (void *)items};
	return render(r, &src, out, err);
}

int fmt_report_print_items(const struct fmt_report *r, const struct fmt_items *src, struct burrow_err **err)
{
	struct fmt_buf out = {0};
	if (render(r, src, &out, err) < 0)
		return -1;
	if (out.len)
		fwrite(out.s, 1, out.len, stdout);
	fmt_buf_free(&out);
	return 0;
}

int fmt_report_print(const struct fmt_report *r, const struct fmt_item *items, size_t n, struct burrow_err **err)
{
	struct fmt_items src = {.n = n, .make = array_make, .drop = array_drop, .ctx = (void *)items};
	return fmt_report_print_items(r, &src, err);
}

void fmt_report_clear(struct fmt_report *r)
{
	fmt_template_free(r->tmpl);
	r->tmpl = NULL;
}

int fmt_report_named(const struct fmt_report *r, char *const *names, size_t n, const char *what, fmt_get_fn get,
                     void *ctx)
{
	struct fmt_item *items = xcalloc(n ? n : 1, sizeof(*items));
	struct burrow_err *err = NULL;
	size_t found = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		yajl_val v = NULL;
		if (get(ctx, names[i], &v, &err) == 0) {
			items[found++].base = v;
			continue;
		}
		if (err->status == ENOENT && what) {
			burrow_err_free(err);
			err = NULL;
			burrow_error_status(&err, ENOENT, "no such %s: '%s'", what, str_quote(names[i]));
		}
		burrow_err_print(err);
		burrow_err_free(err);
		err = NULL;
		rc = -1;
	}
	if ((found || r->out == FMT_OUT_JSON) && fmt_report_print(r, items, found, &err) < 0) {
		burrow_err_print(err);
		burrow_err_free(err);
		rc = -1;
	}
	for (size_t i = 0; i < found; i++)
		yajl_tree_free(items[i].base);
	free(items);
	return rc;
}
