/* Output helpers shared by the verbs. */
#ifndef BURROW_CMD_FORMAT_H
#define BURROW_CMD_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

/* A growing output buffer; s is NUL-terminated once anything was added.
 * Initialise with {0}. */
struct fmt_buf {
	char *s;
	size_t len, cap;
};
void fmt_buf_add(struct fmt_buf *b, const char *s, size_t n);
void fmt_buf_puts(struct fmt_buf *b, const char *s);
void fmt_buf_printf(struct fmt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fmt_buf_free(struct fmt_buf *b);

/* "5 seconds ago", "About a minute ago", "3 hours ago" ... like podman.
 * Writes into buf. */
const char *fmt_time_ago(long long then, long long now, char *buf, unsigned len);
/* "Up 3 seconds" / "Exited (0) 5 seconds ago" style durations: "3 seconds". */
const char *fmt_duration(long long seconds, char *buf, unsigned len);
/* "1.23 MB" (decimal units, like podman). */
const char *fmt_size(long long bytes, char *buf, unsigned len);
/* podman's units.HumanSize, as ps -s and system df show it: fmt_size
 * without its space ("5.9MB", "0B"). */
const char *fmt_size_tight(long long bytes, char *buf, unsigned len);
/* A time as Go's time.Time prints it in templates (podman's .CreatedAt):
 * "2024-05-01 14:03:09 +0200 CEST"; utc: "2024-05-01 12:03:09 +0000 UTC". */
const char *fmt_go_time(long long t, bool utc, char *buf, unsigned len);
/* The same with the nanoseconds ns (0 <= ns < 1e9) after the seconds, as
 * Go prints them: no trailing zeros, none at all for 0
 * ("2024-05-01 14:03:09.98643 +0200 CEST"). */
const char *fmt_go_time_ns(long long t, int ns, bool utc, char *buf, unsigned len);
/* Go's fraction of a second: ".98643" for 986430000 ns, "" for 0. */
const char *fmt_go_frac(int ns, char *buf, unsigned len);
/* RFC 3339 in UTC, as podman's JSON times: "2024-05-01T12:03:09Z". */
const char *fmt_rfc3339(long long t, char *buf, unsigned len);
/* Finishes g (frees it) and prints the document with one trailing newline. */
void fmt_print_json(yajl_gen g);
/* Parses "64m", "1g", "512k", "1024" (bytes). 0 or -1. */
int fmt_parse_size(const char *s, long long *out);

#endif
