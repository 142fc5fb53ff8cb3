/* Output helpers shared by the verbs. */
#ifndef BURROW_CMD_FORMAT_H
#define BURROW_CMD_FORMAT_H

#include <yajl/yajl_gen.h>

/* "5 seconds ago", "About a minute ago", "3 hours ago" ... like podman.
 * Writes into buf. */
const char *fmt_time_ago(long long then, long long now, char *buf, unsigned len);
/* "Up 3 seconds" / "Exited (0) 5 seconds ago" style durations: "3 seconds". */
const char *fmt_duration(long long seconds, char *buf, unsigned len);
/* "1.23 MB" (decimal units, like podman). */
const char *fmt_size(long long bytes, char *buf, unsigned len);
/* Finishes g (frees it) and prints the document with one trailing newline. */
void fmt_print_json(yajl_gen g);
/* Parses "64m", "1g", "512k", "1024" (bytes). 0 or -1. */
int fmt_parse_size(const char *s, long long *out);

#endif
