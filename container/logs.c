/* burrow logs: a container's k8s-file log (container/logfile.h) read back
 * as podman's logs prints it, and followed until the container ends. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/logfile.h"
#include "container/monitor.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/state.h"

/* How often a follow looks again when nothing woke it (a bound, not the
 * way it learns of new output: inotify does that). */
#define FOLLOW_TICK_MS 1000

struct logsrc {
	char *id, *name;
	char *path;
	int fd;     /* -1: no log (yet) */
	off_t off;  /* how far it was read */
	char *rest; /* a line read in part (no newline yet) */
	size_t nrest;
	bool following; /* the container runs: read on until it ends */
	struct proc_ref monitor;
	int wd;     /* inotify watch of the log file */
	size_t nth; /* its place among the containers asked for (--color's) */
};

struct logs_run {
	const struct ctr_logs_opts *o;
	bool multi;
	struct fmt_out {
		char *buf;
		size_t len, cap;
	} out[2];
};

static void put(struct fmt_out *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

static int flush(struct logs_run *r, struct burrow_err **err)
{
	int fds[2] = {r->o->out_fd, r->o->err_fd};
	for (int i = 0; i < 2; i++) {
		if (r->out[i].len && write_all(fds[i], r->out[i].buf, r->out[i].len) < 0)
			return burrow_error(err, errno, "cannot write the logs");
		r->out[i].len = 0;
	}
	return 0;
}

/* --color: podman's colours (libpod/logs), the nth container's the nth,
 * round and round */
static const char *const colors[] = {"\033[37m", "\033[31m", "\033[33m", "\033[34m",
                                     "\033[35m", "\033[36m", "\033[32m"};
#define COLOR_OFF "\033[0m"

/* One line of the file, as podman prints it: [colour] [ID or name] [time]
 * text [colour off], and a newline unless the line was cut (P). */
static void emit(struct logs_run *r, const struct logsrc *src, const char *line, size_t len)
{
	struct ctr_log_line l;
	if (ctr_log_parse_line(line, len, &l) < 0)
		return; /* not a log line (a torn write after a crash) */
	if ((r->o->since_ns && l.ns <= r->o->since_ns) || (r->o->until_ns && l.ns >= r->o->until_ns))
		return;
	struct fmt_out *b = &r->out[l.is_stderr];
	const char *color = r->o->color ? colors[src->nth % (sizeof(colors) / sizeof(colors[0]))] : NULL;
	if (color)
		put(b, color, strlen(color));
	if (r->multi) {
		if (r->o->names)
			put(b, src->name, strlen(src->name));
		else
			put(b, src->id, 12);
		put(b, " ", 1);
	}
	if (r->o->timestamps) {
		put(b, l.ts, l.ts_len);
		put(b, " ", 1);
	}
	put(b, l.text, l.len);
	if (color)
		put(b, COLOR_OFF, strlen(COLOR_OFF));
	if (!l.partial)
		put(b, "\n", 1);
}

/* Where the last n lines of data start: a line is a full one (F) with the
 * cut ones (P) before it; the very last counts even when cut. */
static size_t tail_start(const char *data, size_t len, long long n)
{
	if (n < 0)
		return 0;
	long long count = 0;
	size_t end = len;
	bool first = true;
	while (end > 0) {
		size_t start = end - 1; /* end is just past a newline (or the data's end) */
		while (start > 0 && data[start - 1] != '\n')
			start--;
		struct ctr_log_line l;
		size_t ll = end - start - (data[end - 1] == '\n' ? 1 : 0);
		bool partial = ctr_log_parse_line(data + start, ll, &l) == 0 && l.partial;
		if (!partial || first) {
			count++;
			first = false;
		}
		if (count > n)
			return end;
		end = start;
	}
	return 0;
}

/* Emits the complete lines of data[0..len); returns how much it used. */
static size_t emit_lines(struct logs_run *r, const struct logsrc *src, const char *data, size_t len)
{
	size_t used = 0;
	while (used < len) {
		const char *nl = memchr(data + used, '\n', len - used);
		if (!nl)
			break;
		emit(r, src, data + used, (size_t)(nl - (data + used)));
		used = (size_t)(nl - data) + 1;
	}
	return used;
}

/* What the file holds from src->off on (from the tail the first time). */
static int read_more(struct logs_run *r, struct logsrc *src, bool first, struct burrow_err **err)
{
	if (src->fd < 0) {
		src->fd = open(src->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (src->fd < 0) {
			if (errno == ENOENT)
				return 0; /* nothing logged yet */
			return burrow_error(err, errno, "cannot open the log of container '%s'", str_quote(src->name));
		}
	}
	struct stat st;
	if (fstat(src->fd, &st) < 0)
		return burrow_error(err, errno, "cannot read the log of container '%s'", str_quote(src->name));
	if (st.st_size < src->off) {
		/* it started over (max-size) */
		src->off = 0;
		src->nrest = 0;
	}
	if (st.st_size == src->off)
		return 0;
	size_t len = (size_t)(st.st_size - src->off);
	if (first && src->off == 0 && len > 0) {
		void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, src->fd, 0);
		if (map == MAP_FAILED)
			return burrow_error(err, errno, "cannot read the log of container '%s'", str_quote(src->name));
		/* only whole lines: one being written may not be complete */
		size_t whole = len;
		while (whole > 0 && ((char *)map)[whole - 1] != '\n')
			whole--;
		size_t start = tail_start(map, whole, r->o->tail);
		emit_lines(r, src, (char *)map + start, whole - start);
		munmap(map, len);
		src->off = (off_t)whole;
		return 0;
	}
	char buf[65536];
	for (;;) {
		ssize_t n = TEMP_FAILURE_RETRY(pread(src->fd, buf, sizeof(buf), src->off));
		if (n < 0)
			return burrow_error(err, errno, "cannot read the log of container '%s'", str_quote(src->name));
		if (n == 0)
			break;
		src->off += n;
		src->rest = xrealloc(src->rest, src->nrest + (size_t)n);
		memcpy(src->rest + src->nrest, buf, (size_t)n);
		src->nrest += (size_t)n;
		size_t used = emit_lines(r, src, src->rest, src->nrest);
		memmove(src->rest, src->rest + used, src->nrest - used);
		src->nrest -= used;
	}
	return 0;
}

/* Whether a followed container has ended: its monitor wrote the exit file
 * (after the last of its output), or its monitor is gone. */
static bool ended(struct state_store *s, struct logsrc *src)
{
	int code;
	long long when;
	if (ctr_exit_file_read(s, src->id, &code, &when) == 1)
		return true;
	return src->monitor.pid <= 0 || proc_ref_gone(&src->monitor);
}

static int follow(struct state_store *s, struct logs_run *r, struct logsrc *srcs, size_t n, struct burrow_err **err)
{
	cleanup_close int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino < 0)
		return burrow_error(err, errno, "cannot watch the logs");
	cleanup_free char *exits = xasprintf("%s/exits", state_runroot(s));
	struct burrow_err *ignored = NULL;
	if (mkdir_p(exits, 0700, &ignored) < 0)
		burrow_err_free(ignored);
	inotify_add_watch(ino, exits, IN_CLOSE_WRITE | IN_MOVED_TO);
	for (;;) {
		size_t live = 0;
		for (size_t i = 0; i < n; i++) {
			struct logsrc *src = &srcs[i];
			if (!src->following)
				continue;
			/* the file may appear later (the first output) */
			if (src->wd < 0)
				src->wd = inotify_add_watch(ino, src->path, IN_MODIFY);
			bool end = ended(s, src);
			if (read_more(r, src, false, err) < 0 || flush(r, err) < 0)
				return -1;
			if (end)
				src->following = false;
			else
				live++;
		}
		if (live == 0)
			return 0;
		struct pollfd p[1 + 16];
		size_t np = 0;
		p[np++] = (struct pollfd){.fd = ino, .events = POLLIN};
		for (size_t i = 0; i < n && np < sizeof(p) / sizeof(p[0]); i++)
			if (srcs[i].following && srcs[i].monitor.pidfd >= 0)
				p[np++] = (struct pollfd){.fd = srcs[i].monitor.pidfd, .events = POLLIN};
		if (TEMP_FAILURE_RETRY(poll(p, np, FOLLOW_TICK_MS)) < 0)
			return burrow_error(err, errno, "cannot wait for the logs");
		char ev[4096];
		while (read(ino, ev, sizeof(ev)) > 0)
			;
	}
}

int ctr_logs(struct state_store *s, char *const *refs, size_t n, const struct ctr_logs_opts *o, struct burrow_err **err)
{
	struct logsrc *srcs = xcalloc(n, sizeof(*srcs));
	struct logs_run r = {.o = o, .multi = n > 1};
	int ret = -1;
	for (size_t i = 0; i < n; i++) {
		srcs[i].fd = -1;
		srcs[i].nth = i;
		srcs[i].wd = -1;
		srcs[i].monitor = (struct proc_ref)PROC_REF_INIT;
	}
	for (size_t i = 0; i < n; i++) {
		struct logsrc *src = &srcs[i];
		struct ctr_config c = {0};
		struct ctr_run run = {0};
		if (ctr_lookup(s, refs[i], &src->id, err) < 0 || ctr_config_load(s, src->id, &c, err) < 0 ||
		    ctr_run_load(s, src->id, &run, err) < 0) {
			ctr_config_clear(&c);
			goto out;
		}
		src->name = xstrdup(c.name);
		if (c.log_driver && strcmp(c.log_driver, "k8s-file") != 0) {
			burrow_error(err, 0, "container '%s' uses the '%s' log driver: there is no log to read",
			             str_quote(src->name), c.log_driver);
			ctr_config_clear(&c);
			ctr_run_clear(&run);
			goto out;
		}
		ctr_config_clear(&c);
		src->path = ctr_log_path(s, src->id);
		if (o->follow && (run.state == CTR_RUNNING || run.state == CTR_PAUSED || run.state == CTR_CREATED) &&
		    proc_ref_open(&src->monitor, run.monitor_pid, run.monitor_start) == 1)
			src->following = true;
		ctr_run_clear(&run);
	}
	for (size_t i = 0; i < n; i++)
		if (read_more(&r, &srcs[i], true, err) < 0 || flush(&r, err) < 0)
			goto out;
	if (o->follow && follow(s, &r, srcs, n, err) < 0)
		goto out;
	ret = 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(srcs[i].id);
		free(srcs[i].name);
		free(srcs[i].path);
		free(srcs[i].rest);
		if (srcs[i].fd >= 0)
			close(srcs[i].fd);
		proc_ref_close(&srcs[i].monitor);
	}
	free(srcs);
	free(r.out[0].buf);
	free(r.out[1].buf);
	return ret;
}
