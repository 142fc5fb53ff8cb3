/* Error records: what failed, why (errno), context added on the way up,
 * and an optional hint telling the user how to fix it. */
#ifndef BURROW_LIB_ERR_H
#define BURROW_LIB_ERR_H

#include <stdarg.h>

struct burrow_err {
	int status; /* errno captured where it happened, 0 if none */
	char *msg;  /* "what failed: why" */
	char *hint; /* optional: how to fix it */
	const char *file;
	int line;
};

enum burrow_log_level {
	BURROW_LOG_ERROR = 0,
	BURROW_LOG_WARN = 1,
	BURROW_LOG_INFO = 2,
	BURROW_LOG_DEBUG = 3,
};

extern int burrow_log_level;

/* Sets *err (if err is not NULL) and returns -1. A non-zero errno_ is
 * appended to the message as ": strerror(errno_)". */
#define burrow_error(err, errno_, ...) burrow_error_at(__FILE__, __LINE__, (err), (errno_), __VA_ARGS__)
int burrow_error_at(const char *file, int line, struct burrow_err **err, int errno_, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Like burrow_error, but status is only recorded (for callers that branch
 * on it, e.g. ENOENT -> exit 127), not appended to the message. */
#define burrow_error_status(err, status_, ...) burrow_error_at(__FILE__, __LINE__, (err), -(status_), __VA_ARGS__)

/* Prefixes the message with context: "context: old message". Returns -1. */
int burrow_error_wrap(struct burrow_err **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets (replaces) the hint. Returns -1. */
int burrow_error_hint(struct burrow_err **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void burrow_err_free(struct burrow_err *err);

/* Prints "burrow: msg" (+ "hint: ..." line) to stderr. Only cmd/ calls it. */
void burrow_err_print(const struct burrow_err *err);

/* One-line warning; each distinct message is said once per process. */
#define burrow_warn(...) burrow_warn_at(__FILE__, __LINE__, __VA_ARGS__)
void burrow_warn_at(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Debug line, said only with --log-level=debug. */
#define burrow_debug(...) burrow_debug_at(__FILE__, __LINE__, __VA_ARGS__)
void burrow_debug_at(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Where warnings and debug lines go (the level and once-only checks come
 * first): a process's sink, set per process as crun's output handler is.
 * By default they are written to stderr as "burrow: warning: MSG" and
 * "burrow: debug: MSG (FILE:LINE)". A process with no terminal to speak
 * to sets its own: a daemon monitor writes them to the container's log, a
 * child with a sync socket sends them to its parent (sock_log_sink in
 * lib/sock.h). level is BURROW_LOG_WARN or BURROW_LOG_DEBUG; msg is the
 * message alone; file and line say where it was said. errno is kept for
 * the caller whatever the sink does. */
typedef void (*burrow_log_fn)(enum burrow_log_level level, const char *file, int line, const char *msg, void *data);
/* fn NULL: back to stderr. */
void burrow_log_set_sink(burrow_log_fn fn, void *data);
/* The default's lines, written to fd instead of stderr (a log file). */
void burrow_log_to_fd(int fd);
/* The line the default sink writes, with its newline. Caller frees. */
char *burrow_log_format(enum burrow_log_level level, const char *file, int line, const char *msg);

#endif
