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
/* What is held at most: a container's lines read in by a follow before
 * they are printed, and the output before it is written. */
#define LOGS_CHUNK 65536

struct logsrc {
	char *id, *name;
	char *path;
	int fd;     /* -1: no log (yet) */
	off_t off;  /* how far it was read */
	char *rest; /* what a follow read in and did not print yet */
	size_t nrest;
	/* the lines to print (each with its newline): data[pos..end), the
	 * mapped past or rest */
	const char *data;
	size_t pos, end;
	size_t head_len; /* the line at pos (head()) */
	long long head_ns;
	bool head_cut;
	char *map; /* the log as it was first (its past), mapped */
	size_t maplen;
	bool following; /* the container runs: read on until it ends */
	bool ending;    /* it had ended before the last read, which read it all */
	struct proc_ref monitor;
	int wd;     /* inotify watch of the log file */
	size_t nth; /* its place among the containers asked for (--color's) */
};

struct logs_run {
	const struct ctr_logs_opts *o;
	bool multi;
	/* the output not yet written, all of one stream: lines go out in
	 * the order they are printed, across stdout and stderr too */
	char *buf;
	size_t len, cap;
	int stream; /* the stream of buf (0 stdout, 1 stderr) */
};

static int flush(struct logs_run *r, struct burrow_err **err)
{
	int fd = r->stream ? r->o->err_fd : r->o->out_fd;
	if (r->len && write_all(fd, r->buf, r->len) < 0)
		return burrow_error(err, errno, "cannot write the logs");
	r->len = 0;
	return 0;
}

static void put(struct logs_run *r, const char *s, size_t n)
{
	if (r->len + n > r->cap) {
		r->cap = (r->len + n) * 2 + 4096;
		r->buf = xrealloc(r->buf, r->cap);
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
}

/* --color: podman's colours (libpod/logs), the nth container's the nth,
 * round and round */
static const char *const colors[] = {"\033[37m", "\033[31m", "\033[33m", "\033[34m",
                                     "\033[35m", "\033[36m", "\033[32m"};
#define COLOR_OFF "\033[0m"

/* One line of the file, as podman prints it: [colour] [ID or name] [time]
 * text [colour off], and a newline unless the line was cut (P). */
static int emit(struct logs_run *r, const struct logsrc *src, const char *line, size_t len, struct burrow_err **err)
{
	struct ctr_log_line l;
	if (ctr_log_parse_line(line, len, &l) < 0)
		return 0; /* not a log line (a torn write after a crash) */
	if ((r->o->since_ns && l.ns <= r->o->since_ns) || (r->o->until_ns && l.ns >= r->o->until_ns))
		return 0;
	if ((r->len && r->stream != l.is_stderr) || r->len >= LOGS_CHUNK) {
		if (flush(r, err) < 0)
			return -1;
	}
	r->stream = l.is_stderr;
	const char *color = r->o->color ? colors[src->nth % (sizeof(colors) / sizeof(colors[0]))] : NULL;
	if (color)
		put(r, color, strlen(color));
	if (r->multi) {
		if (r->o->names)
			put(r, src->name, strlen(src->name));
		else
			put(r, src->id, 12);
		put(r, " ", 1);
	}
	if (r->o->timestamps) {
		put(r, l.ts, l.ts_len);
		put(r, " ", 1);
	}
	put(r, l.text, l.len);
	if (color)
		put(r, COLOR_OFF, strlen(COLOR_OFF));
	if (!l.partial)
		put(r, "\n", 1);
	return 0;
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

/* The line at src->pos read: its length (without its newline), time
 * and whether it was cut (a line that is no log line: time 0, printed
 * first, as nothing). */
static void head(struct logsrc *src)
{
	const char *p = src->data + src->pos;
	const char *nl = memchr(p, '\n', src->end - src->pos); /* end is just past one */
	struct ctr_log_line l;
	src->head_len = (size_t)(nl - p);
	bool ok = ctr_log_parse_line(p, src->head_len, &l) == 0;
	src->head_ns = ok ? l.ns : 0;
	src->head_cut = ok && l.partial;
}

/* Prints the lines that srcs[i].data[pos..end) hold, merged by time as
 * podman 4.3 prints several containers' lines (its readers race; in time
 * order is what they race for): the earliest first, of two at the same
 * time the one of the container given first; after a line that was cut
 * (P), its container's next (the rest) before any other's. */
static int merge(struct logs_run *r, struct logsrc *srcs, size_t n, struct burrow_err **err)
{
	for (size_t i = 0; i < n; i++)
		if (srcs[i].pos < srcs[i].end)
			head(&srcs[i]);
	size_t cut = n; /* the container whose line was cut, or n */
	for (;;) {
		bool rest = cut < n && srcs[cut].pos < srcs[cut].end;
		size_t best = rest ? cut : n;
		for (size_t i = 0; i < n && !rest; i++)
			if (srcs[i].pos < srcs[i].end && (best == n || srcs[i].head_ns < srcs[best].head_ns))
				best = i;
		if (best == n)
			return flush(r, err);
		struct logsrc *src = &srcs[best];
		if (emit(r, src, src->data + src->pos, src->head_len, err) < 0)
			return -1;
		cut = src->head_cut ? best : n;
		src->pos += src->head_len + 1;
		if (src->pos < src->end)
			head(src);
	}
}

/* The size of src's log (opened the first time), -1 when there is none
 * (yet). */
static int log_size(struct logsrc *src, off_t *size, struct burrow_err **err)
{
	*size = -1;
	if (src->fd < 0) {
		src->fd = open(src->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (src->fd < 0)
			return errno == ENOENT ? 0
			                       : burrow_error(err, errno, "cannot open the log of container '%s'",
			                                      str_quote(src->name));
	}
	struct stat st;
	if (fstat(src->fd, &st) < 0)
		return burrow_error(err, errno, "cannot read the log of container '%s'", str_quote(src->name));
	*size = st.st_size;
	return 0;
}

/* What the log holds now, from its last --tail lines on, mapped into
 * src->data (src->map, unmapped by the caller). */
static int map_past(struct logs_run *r, struct logsrc *src, struct burrow_err **err)
{
	off_t size;
	if (log_size(src, &size, err) < 0)
		return -1;
	if (size <= 0)
		return 0;
	void *map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, src->fd, 0);
	if (map == MAP_FAILED)
		return burrow_error(err, errno, "cannot read the log of container '%s'", str_quote(src->name));
	src->map = map;
	src->maplen = (size_t)size;
	/* only whole lines: one being written may not be complete (a follow
	 * reads it from off) */
	size_t whole = src->maplen;
	while (whole > 0 && src->map[whole - 1] != '\n')
		whole--;
	src->data = src->map;
	src->pos = tail_start(src->map, whole, r->o->tail);
	src->end = whole;
	src->off = (off_t)whole;
	return 0;
}

/* A chunk of what the log holds from src->off on, after what src->rest
 * kept: its whole lines become src->data. *more: the log holds more. */
static int read_more(struct logsrc *src, bool *more, struct burrow_err **err)
{
	*more = false;
	off_t size;
	if (log_size(src, &size, err) < 0)
		return -1;
	if (size < src->off) {
		/* it started over (max-size) */
		src->off = 0;
		src->nrest = 0;
	}
	if (size > src->off) {
		src->rest = xrealloc(src->rest, src->nrest + LOGS_CHUNK);
		ssize_t n = TEMP_FAILURE_RETRY(pread(src->fd, src->rest + src->nrest, LOGS_CHUNK, src->off));
		if (n < 0)
			return burrow_error(err, errno, "cannot read the log of container '%s'", str_quote(src->name));
		src->off += n;
		src->nrest += (size_t)n;
		*more = n > 0 && size > src->off;
	}
	src->data = src->rest;
	src->pos = 0;
	src->end = src->nrest;
	while (src->end > 0 && src->rest[src->end - 1] != '\n')
		src->end--;
	return 0;
}

/* After a merge: what rest holds past its printed lines kept for the next. */
static void rest_used(struct logsrc *src)
{
	if (src->pos) {
		memmove(src->rest, src->rest + src->pos, src->nrest - src->pos);
		src->nrest -= src->pos;
	}
	src->data = NULL;
	src->pos = src->end = 0;
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
		bool more = false;
		for (size_t i = 0; i < n; i++) {
			struct logsrc *src = &srcs[i];
			if (!src->following)
				continue;
			/* the file may appear later (the first output) */
			if (src->wd < 0)
				src->wd = inotify_add_watch(ino, src->path, IN_MODIFY);
			/* before the read: its end comes after its last output */
			src->ending = ended(s, src);
			bool full;
			if (read_more(src, &full, err) < 0)
				return -1;
			more |= full;
			src->ending &= !full;
		}
		if (merge(r, srcs, n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (!srcs[i].following)
				continue;
			rest_used(&srcs[i]);
			if (srcs[i].ending)
				srcs[i].following = false;
			else
				live++;
		}
		if (live == 0)
			return 0;
		if (more)
			continue; /* read on before waiting */
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
	/* the past: each container's from its --tail lines on, mapped */
	for (size_t i = 0; i < n; i++)
		if (map_past(&r, &srcs[i], err) < 0)
			goto out;
	if (merge(&r, srcs, n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (srcs[i].map)
			munmap(srcs[i].map, srcs[i].maplen);
		srcs[i].map = NULL;
		srcs[i].data = NULL;
		srcs[i].pos = srcs[i].end = 0;
	}
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
		if (srcs[i].map)
			munmap(srcs[i].map, srcs[i].maplen);
	}
	free(srcs);
	free(r.buf);
	return ret;
}
