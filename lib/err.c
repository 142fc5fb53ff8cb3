#include "lib/err.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

int burrow_log_level = BURROW_LOG_WARN;

int burrow_error_at(const char *file, int line, struct burrow_err **err, int errno_, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	struct burrow_err *e = xcalloc(1, sizeof(*e));
	/* a negative errno_ comes from burrow_error_status: record, do not print */
	e->status = errno_ < 0 ? -errno_ : errno_;
	if (errno_ > 0) {
		e->msg = xasprintf("%s: %s", m, strerror(errno_));
		free(m);
	} else {
		e->msg = m;
	}
	e->file = file;
	e->line = line;
	burrow_err_free(*err);
	*err = e;
	return -1;
}

int burrow_error_wrap(struct burrow_err **err, const char *fmt, ...)
{
	if (!err || !*err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *ctx = xvasprintf(fmt, ap);
	va_end(ap);
	char *m = xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = m;
	return -1;
}

int burrow_error_hint(struct burrow_err **err, const char *fmt, ...)
{
	if (!err || !*err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	free((*err)->hint);
	(*err)->hint = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

void burrow_err_free(struct burrow_err *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err->hint);
	free(err);
}

void burrow_err_print(const struct burrow_err *err)
{
	if (!err)
		return;
	/* one line each, whatever a string that was not quoted holds */
	char *msg = str_escape_controls(err->msg);
	if (burrow_log_level >= BURROW_LOG_DEBUG && err->file)
		fprintf(stderr, "burrow: %s (%s:%d)\n", msg, err->file, err->line);
	else
		fprintf(stderr, "burrow: %s\n", msg);
	free(msg);
	if (err->hint) {
		char *hint = str_escape_controls(err->hint);
		fprintf(stderr, "hint: %s\n", hint);
		free(hint);
	}
}

static burrow_log_fn log_sink;
static void *log_sink_data;

void burrow_log_set_sink(burrow_log_fn fn, void *data)
{
	log_sink = fn;
	log_sink_data = fn ? data : NULL;
}

char *burrow_log_format(enum burrow_log_level level, const char *file, int line, const char *msg)
{
	if (level >= BURROW_LOG_DEBUG)
		return xasprintf("burrow: debug: %s (%s:%d)\n", msg, file, line);
	if (burrow_log_level >= BURROW_LOG_DEBUG)
		return xasprintf("burrow: warning: %s (%s:%d)\n", msg, file, line);
	return xasprintf("burrow: warning: %s\n", msg);
}

static void fd_sink(enum burrow_log_level level, const char *file, int line, const char *msg, void *data)
{
	char *l = burrow_log_format(level, file, line, msg);
	(void)write_all((int)(intptr_t)data, l, strlen(l)); /* nowhere else to say it */
	free(l);
}

void burrow_log_to_fd(int fd)
{
	burrow_log_set_sink(fd_sink, (void *)(intptr_t)fd);
}

/* Hands a line to the sink (the callers keep errno). */
static void say(enum burrow_log_level level, const char *file, int line, const char *msg)
{
	if (log_sink)
		log_sink(level, file, line, msg, log_sink_data);
	else
		fd_sink(level, file, line, msg, (void *)(intptr_t)STDERR_FILENO);
}

/* A warning's or debug line's text: one line, whatever a string that was
 * not quoted holds. */
__attribute__((format(printf, 1, 0))) static char *log_text(const char *fmt, va_list ap)
{
	char *raw = xvasprintf(fmt, ap);
	char *m = str_escape_controls(raw);
	free(raw);
	return m;
}

#define WARN_SEEN_MAX 32
static char *warn_seen[WARN_SEEN_MAX];
/* pull's download threads may warn (an extended attribute they cannot keep) */
static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;

void burrow_warn_at(const char *file, int line, const char *fmt, ...)
{
	if (burrow_log_level < BURROW_LOG_WARN)
		return;
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	char *m = log_text(fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&warn_lock);
	size_t i;
	for (i = 0; i < WARN_SEEN_MAX && warn_seen[i]; i++) {
		if (strcmp(warn_seen[i], m) == 0) {
			pthread_mutex_unlock(&warn_lock);
			free(m);
			errno = saved;
			return;
		}
	}
	say(BURROW_LOG_WARN, file, line, m);
	if (i < WARN_SEEN_MAX)
		warn_seen[i] = m;
	else
		free(m);
	pthread_mutex_unlock(&warn_lock);
	errno = saved;
}

void burrow_debug_at(const char *file, int line, const char *fmt, ...)
{
	if (burrow_log_level < BURROW_LOG_DEBUG)
		return;
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	char *m = log_text(fmt, ap);
	va_end(ap);
	say(BURROW_LOG_DEBUG, file, line, m);
	free(m);
	errno = saved;
}
