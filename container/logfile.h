/* A container's log in podman's k8s-file format: one line per piece of
 * output,
 *     2024-05-01T12:00:00.123456789+02:00 stdout F text
 * a local RFC 3339 time with nanoseconds, the stream (stdout, stderr),
 * F when the text ends a line (its newline is the line's end) or P when
 * the output stopped mid-line (the next line of that stream goes on
 * with it), and the text. The monitor writes it (ROOT/containers/<id>/
 * ctr.log); `burrow logs` reads it. */
#ifndef BURROW_CONTAINER_LOGFILE_H
#define BURROW_CONTAINER_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct state_store;

/* ROOT/containers/<id>/ctr.log. Caller frees. */
char *ctr_log_path(struct state_store *s, const char *id);

/* ---- writing (the monitor) ---- */

struct ctr_log {
	int fd;        /* -1: no log (log driver none or passthrough) */
	long long max; /* max-size in bytes (0: none): reached, the file starts over */
	long long size;
};
#define CTR_LOG_INIT                          \
	{                                     \
		.fd = -1, .max = 0, .size = 0 \
	}

/* Opens (appending, creating it 0600) the log at path. */
int ctr_log_open(struct ctr_log *l, const char *path, long long max, struct burrow_err **err);
/* Writes len bytes of output of stream ("stdout", "stderr"): a line per
 * newline, a P line for what is left. Write errors are said once
 * (burrow_warn), never fatal. */
void ctr_log_write(struct ctr_log *l, const char *stream, const char *buf, size_t len);
void ctr_log_close(struct ctr_log *l);

/* The time stamp of a line for ns since the epoch, in local time
 * ("2024-05-01T12:00:00.123456789+02:00", "Z" in UTC); buf holds at
 * least 40 bytes. */
void ctr_log_timestamp(long long ns, char *buf, size_t len);

/* ---- reading (burrow logs) ---- */

struct ctr_log_line {
	long long ns;   /* its time, ns since the epoch */
	const char *ts; /* the time as written */
	size_t ts_len;
	bool is_stderr;
	bool partial;     /* P: the line goes on in the next of its stream */
	const char *text; /* without the newline */
	size_t len;
};
/* Parses one line (without its newline). -1 when it is not a log line. */
int ctr_log_parse_line(const char *line, size_t len, struct ctr_log_line *out);

/* Parses an RFC 3339 time with an optional fraction and a zone ("Z" or
 * +hh:mm) into ns since the epoch; -1 when it is not one. */
int ctr_log_parse_time(const char *s, size_t len, long long *ns);

#endif
