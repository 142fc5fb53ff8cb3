/* Column alignment for tables: Go's text/tabwriter algorithm (elastic
 * tabstops), which podman's tables go through. Pure. */
#ifndef BURROW_CMD_TABWRITER_H
#define BURROW_CMD_TABWRITER_H

#include <stddef.h>

#include "cmd/format.h"

/* podman's settings (containers/common pkg/report): a column is at least 12
 * characters wide, and 2 wider than its widest cell; padding is spaces. */
#define FMT_TABLE_MINWIDTH 12
#define FMT_TABLE_PADDING 2

/* Aligns in[0..len) into out. A cell ends at a tab (or \v); the text after
 * the last tab of a line is not part of a column. Tab-terminated cells of
 * adjacent lines form a column: each gets padded to the column's width
 * (runes of its widest cell + padding, at least minwidth). A line with
 * fewer cells ends the columns it lacks; \f ends every column (and is
 * written as a newline). Text between two 0xff bytes is taken as it is
 * (tabs and newlines in it do not count), the 0xff bytes are dropped.
 * Widths count runes (an invalid UTF-8 byte is one), as Go does: East
 * Asian wide characters are one each. */
void fmt_table_align(const char *in, size_t len, int minwidth, int padding, struct fmt_buf *out);

/* Runes in s[0..n), as Go's utf8.RuneCount. */
size_t fmt_utf8_runes(const char *s, size_t n);

#endif
