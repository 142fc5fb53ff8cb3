/* Quoting for messages. A string that a user or an image controls (a tar
 * entry's name, an image reference, a container name, a path from the
 * command line) may hold a newline, which splits burrow's one-line
 * messages, or an escape sequence, which the terminal obeys ("\e[2J"
 * clears the screen). */
#ifndef BURROW_LIB_QUOTE_H
#define BURROW_LIB_QUOTE_H

#include <stddef.h>
#include <stdint.h>

/* s with C-style escapes for everything that must not reach a terminal as
 * it is: \n \t \r, other C0 controls and DEL as \xNN (ESC is \x1b), bytes
 * that are not UTF-8 as \xNN, C1 controls, the line and paragraph
 * separators and the bidirectional overrides as \uNNNN; and the quote
 * characters and the backslash themselves (\' \" \\), so that the quotes
 * of a message ("cannot open '%s'") enclose exactly the string. Printable
 * text, UTF-8 included, stays as it is; NULL gives "(null)".
 *
 * Meant for format arguments, one per call: the result lives in one of 8
 * slots per thread and is valid until the 8th next call. */
const char *str_quote(const char *s);

/* A new string: s with only the controls escaped as str_quote does (quotes
 * and backslashes kept). The error and warning printers apply it to whole
 * messages, so that a string nobody quoted still cannot split the line or
 * drive the terminal. */
char *str_escape_controls(const char *s);

/* The length of the valid UTF-8 sequence at s (2 to 4: not ASCII) and its
 * code point, or 0: overlong forms, surrogates and values past U+10FFFF
 * are not valid. */
size_t str_utf8_seq(const unsigned char *s, uint32_t *cp);

#endif
