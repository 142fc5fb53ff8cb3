/* Column alignment as Go's text/tabwriter does it (see tabwriter.h): the
 * same cells, column blocks and widths, so a table looks as podman's. */
#include "cmd/tabwriter.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

size_t fmt_utf8_runes(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t r = 0;
	for (size_t i = 0; i < n; r++) {
		unsigned char c = s[i];
		size_t len = c < 0x80                   ? 1
		             : (c >= 0xc2 && c <= 0xdf) ? 2
		             : (c >= 0xe0 && c <= 0xef) ? 3
		             : (c >= 0xf0 && c <= 0xf4) ? 4
		                                        : 0;
		if (len <= 1 || i + len > n) {
			i++; /* ASCII, or an invalid byte: one rune each */
			continue;
		}
		/* the second byte's range excludes overlong forms and surrogates */
		unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		bool ok = s[i + 1] >= lo && s[i + 1] <= hi;
		for (size_t k = 2; k < len && ok; k++)
			ok = s[i + k] >= 0x80 && s[i + k] <= 0xbf;
		i += ok ? len : 1;
	}
	return r;
}

struct cell {
	size_t size; /* bytes in text */
	int width;   /* runes */
	bool htab;   /* ended by a tab (not by the end of its line) */
};

struct line {
	struct cell *cells;
	size_t n, cap;
};

struct tw {
	int minwidth, padding;
	struct fmt_buf text; /* every cell's text, tabs and line ends removed */
	struct line *lines;
	size_t nlines, caplines;
	size_t cell_start; /* where the current cell's text begins */
	int *widths;       /* widths of the columns left of the one being formatted */
	size_t nwidths;
	struct fmt_buf *out;
};

static void add_line(struct tw *w)
{
	if (w->nlines == w->caplines) {
		w->caplines = w->caplines ? w->caplines * 2 : 64;
		w->lines = xrealloc(w->lines, w->caplines * sizeof(*w->lines));
	}
	w->lines[w->nlines++] = (struct line){0};
}

static size_t end_cell(struct tw *w, bool htab)
{
	struct line *l = &w->lines[w->nlines - 1];
	size_t size = w->text.len - w->cell_start;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->cells = xrealloc(l->cells, l->cap * sizeof(*l->cells));
	}
	l->cells[l->n++] =
	    (struct cell){.size = size, .width = (int)fmt_utf8_runes(w->text.s + w->cell_start, size), .htab = htab};
	w->cell_start = w->text.len;
	return l->n;
}

static void pad(struct tw *w, int textw, int cellw)
{
	static const char spaces[] = "                                ";
	int n = cellw - textw;
	while (n > 0) {
		int k = n < (int)sizeof(spaces) - 1 ? n : (int)sizeof(spaces) - 1;
		fmt_buf_add(w->out, spaces, (size_t)k);
		n -= k;
	}
}

static size_t write_lines(struct tw *w, size_t pos, size_t line0, size_t line1)
{
	for (size_t i = line0; i < line1; i++) {
		const struct line *l = &w->lines[i];
		for (size_t j = 0; j < l->n; j++) {
			const struct cell *c = &l->cells[j];
			fmt_buf_add(w->out, w->text.s + pos, c->size);
			pos += c->size;
			if (j < w->nwidths)
				pad(w, c->width, w->widths[j]);
		}
		/* the last line has no line end of its own */
		if (i + 1 < w->nlines)
			fmt_buf_add(w->out, "\n", 1);
	}
	return pos;
}

/* Go's Writer.format: finds each block of adjacent lines that have a cell
 * in the next column, sizes that column, and recurses for the columns to
 * its right. */
static size_t format(struct tw *w, size_t pos, size_t line0, size_t line1)
{
	size_t column = w->nwidths;
	for (size_t this = line0; this < line1; this ++) {
		if (column + 1 >= w->lines[this].n)
			continue;
		/* a cell in this column (the last cell of a line is no column's) */
		pos = write_lines(w, pos, line0, this);
		line0 = this;
		int width = w->minwidth;
		for (; this < line1; this ++) {
			const struct line *l = &w->lines[this];
			if (column + 1 >= l->n)
				break;
			if (l->cells[column].width + w->padding > width)
				width = l->cells[column].width + w->padding;
		}
		w->widths = xrealloc(w->widths, (w->nwidths + 1) * sizeof(int));
		w->widths[w->nwidths++] = width;
		pos = format(w, pos, line0, this);
		w->nwidths--;
		line0 = this;
	}
	return write_lines(w, pos, line0, line1);
}

static void flush(struct tw *w)
{
	if (w->text.len > w->cell_start)
		end_cell(w, false);
	format(w, 0, 0, w->nlines);
	for (size_t i = 0; i < w->nlines; i++)
		free(w->lines[i].cells);
	w->nlines = 0;
	w->text.len = 0;
	w->cell_start = 0;
	add_line(w);
}

void fmt_table_align(const char *in, size_t len, int minwidth, int padding, struct fmt_buf *out)
{
	struct tw w = {.minwidth = minwidth, .padding = padding, .out = out};
	fmt_buf_add(&w.text, "", 0);
	add_line(&w);
	bool escaped = false;
	size_t from = 0; /* start of the text not yet copied */
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (escaped) {
			if (ch == 0xff) {
				fmt_buf_add(&w.text, in + from, i - from);
				from = i + 1;
				escaped = false;
			}
			continue;
		}
		if (ch == 0xff) {
			fmt_buf_add(&w.text, in + from, i - from);
			from = i + 1;
			escaped = true;
			continue;
		}
		if (ch != '\t' && ch != '\v' && ch != '\n' && ch != '\f')
			continue;
		fmt_buf_add(&w.text, in + from, i - from);
		from = i + 1;
		end_cell(&w, ch == '\t');
		if (ch == '\n' || ch == '\f') {
			add_line(&w);
			if (ch == '\f')
				flush(&w);
		}
	}
	fmt_buf_add(&w.text, in + from, len - from);
	flush(&w);
	fmt_buf_add(out, "", 0);
	for (size_t i = 0; i < w.nlines; i++)
		free(w.lines[i].cells);
	free(w.lines);
	free(w.widths);
	fmt_buf_free(&w.text);
}
