/* burrow logs: a container's k8s-file log (container/logfile.h) read back
 * as podman's logs prints it, and followed until the container ends. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
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
/* What is read at a time of a log, and held at most of the output
 * before it is written. */
#define LOGS_CHUNK 65536

struct logsrc {
	char *id, *name;
	char *path;
	int fd;      /* -1: no log (yet) */
	off_t off;   /* how far it was read */
	off_t limit; /* how far to read it: -1 to its end */
	bool more;   /* it may hold more than was read (up to limit) */
	/* what was read and not printed yet: rest[pos..end) whole lines
	 * (each with its newline), rest[end..nrest) one not complete yet */
	char *rest;
	size_t nrest, pos, end;
	size_t head_len; /* the line at pos (head()) */
	long long head_ns;
	bool head_cut;
	bool following; /* the container runs: read on until it ends */
	bool ending;    /* it had ended before the last read, which read it all */
	struct proc_ref monitor;
	int wd;     /* inotify watch of the log file */
	size_t nth; /* its place among the containers asked for (--color's) */
};

struct logs_run {
	const struct ctr_logs_opts *o;
	bool multi;
	size_t cut; /* the container whose last line printed was cut, or n */
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

/* Whether the line of src's log at [start, end) (its newline at end - 1)
 * was cut (P), from its head: in buf (what was read from lo on) when it
 * holds it. */
static bool line_cut(struct logsrc *src, const char *buf, off_t lo, size_t len, off_t start, off_t end)
{
	char h[128];
	size_t want = (size_t)(end - 1 - start) < sizeof(h) ? (size_t)(end - 1 - start) : sizeof(h);
	const char *p = h;
	ssize_t got = (ssize_t)want;
	if (start + (off_t)want <= lo + (off_t)len)
		p = buf + (start - lo);
	else
		got = TEMP_FAILURE_RETRY(pread(src->fd, h, want, start));
	struct ctr_log_line l;
	return got > 0 && ctr_log_parse_line(p, (size_t)got, &l) == 0 && l.partial;
}

/* Where the last n lines of the log's first size bytes start, of its
 * whole lines: a line is a full one (F) with the cut ones (P) before it;
 * the very last counts even when cut. Read backwards a chunk at a time. */
static int tail_offset(struct logsrc *src, off_t size, long long n, off_t *start, struct burrow_err **err)
{
	*start = 0;
	if (n < 0)
		return 0;
	cleanup_free char *buf = xmalloc(LOGS_CHUNK);
	long long count = 0;
	off_t end = -1; /* just past the line looked at (-1: before the last newline) */
	size_t len = 0; /* what buf holds, from lo on */
	for (off_t lo = size; lo > 0;) {
		len = lo > LOGS_CHUNK ? LOGS_CHUNK : (size_t)lo;
		lo -= (off_t)len;
		ssize_t got = TEMP_FAILURE_RETRY(pread(src->fd, buf, len, lo));
		if (got < 0)
			return burrow_error(err, errno, "cannot read the log of container '%s'", str_quote(src->name));
		if ((size_t)got < len)
			return 0; /* it started over meanwhile: from its start */
		for (size_t i = len; i-- > 0;) {
			if (buf[i] != '\n')
				continue;
			off_t line = lo + (off_t)i + 1;
			if (end >= 0 && (count == 0 || !line_cut(src, buf, lo, len, line, end)) && ++count > n) {
				*start = end;
				return 0;
			}
			end = line;
		}
	}
	if (end > 0 && (count == 0 || !line_cut(src, buf, 0, len, 0, end)) && ++count > n)
		*start = end;
	return 0;
}

/* The line at src->pos read: its length (without its newline), time
 * and whether it was cut (a line that is no log line: time 0, printed
 * first, as nothing). */
static void head(struct logsrc *src)
{
	const char *p = src->rest + src->pos;
	const char *nl = memchr(p, '\n', src->end - src->pos); /* end is just past one */
	struct ctr_log_line l;
	src->head_len = (size_t)(nl - p);
	bool ok = ctr_log_parse_line(p, src->head_len, &l) == 0;
	src->head_ns = ok ? l.ns : 0;
	src->head_cut = ok && l.partial;
}

/* Prints the lines read in, merged by time as podman 4.3 prints several
 * containers' lines (its readers race; in time order is what they race
 * for): the earliest first, of two at the same time the one of the
 * container given first; after a line that was cut (P), its container's
 * next (the rest) before any other's. Returns 1 when it stopped at a
 * container whose lines read in ran out while its log holds more (its
 * next may be the earliest: read_more it and merge on), 0 when all is
 * printed. */
static int merge(struct logs_run *r, struct logsrc *srcs, size_t n, struct burrow_err **err)
{
	for (;;) {
		bool rest = r->cut < n && srcs[r->cut].pos < srcs[r->cut].end;
		size_t best = rest ? r->cut : n;
		for (size_t i = 0; i < n && !rest; i++) {
			if (srcs[i].pos == srcs[i].end) {
				if (srcs[i].more)
					return 1;
			} else if (best == n || srcs[i].head_ns < srcs[best].head_ns)
				best = i;
		}
		if (best == n)
			return flush(r, err);
		struct logsrc *src = &srcs[best];
		if (emit(r, src, src->rest + src->pos, src->head_len, err) < 0)
			return -1;
		r->cut = src->head_cut ? best : n;
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

/* A chunk more of src's log (up to its limit), after the line not
 * complete yet that rest kept; called when its lines read in were all
 * printed. */
static int read_more(struct logsrc *src, struct burrow_err **err)
{
	src->more = false;
	if (src->pos) {
		memmove(src->rest, src->rest + src->pos, src->nrest - src->pos);
		src->nrest -= src->pos;
	}
	src->pos = src->end = 0;
	off_t size;
	if (log_size(src, &size, err) < 0)
		return -1;
	if (size < src->off) {
		/* it started over (max-size) */
		src->off = 0;
		src->nrest = 0;
	}
	if (src->limit >= 0 && size > src->limit)
		size = src->limit;
	if (size <= src->off)
		return 0;
	size_t want = size - src->off < LOGS_CHUNK ? (size_t)(size - src->off) : LOGS_CHUNK;
	src->rest = xrealloc(src->rest, src->nrest + want);
	ssize_t got = TEMP_FAILURE_RETRY(pread(src->fd, src->rest + src->nrest, want, src->off));
	if (got < 0)
		return burrow_error(err, errno, "cannot read the log of container '%s'", str_quote(src->name));
	src->off += got;
	src->nrest += (size_t)got;
	src->more = got > 0 && size > src->off;
	src->end = src->nrest;
	while (src->end > 0 && src->rest[src->end - 1] != '\n')
		src->end--;
	if (src->end > 0)
		head(src);
	return 0;
}

/* Prints, merged, what the logs hold (up to their limits), a chunk of
 * each at a time. */
static int drain(struct logs_run *r, struct logsrc *srcs, size_t n, struct burrow_err **err)
{
	int again;
	do {
		for (size_t i = 0; i < n; i++)
			if (srcs[i].pos == srcs[i].end && srcs[i].more && read_more(&srcs[i], err) < 0)
				return -1;
		again = merge(r, srcs, n, err);
	} while (again > 0);
	return again;
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
	for (size_t i = 0; i < n; i++)
		srcs[i].limit = -1;
	for (;;) {
		for (size_t i = 0; i < n; i++) {
			struct logsrc *src = &srcs[i];
			if (!src->following)
				continue;
			/* the file may appear later (the first output) */
			if (src->wd < 0)
				src->wd = inotify_add_watch(ino, src->path, IN_MODIFY);
			/* before the read: its end comes after its last output */
			src->ending = ended(s, src);
			src->more = true;
		}
		if (drain(r, srcs, n, err) < 0)
			return -1;
		size_t live = 0;
		for (size_t i = 0; i < n; i++) {
			if (srcs[i].following && srcs[i].ending)
				srcs[i].following = false;
			live += srcs[i].following;
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
	struct logs_run r = {.o = o, .multi = n > 1, .cut = n};
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
	/* the past: each container's from its --tail lines on, what it held
	 * then */
	for (size_t i = 0; i < n; i++) {
		off_t size;
		if (log_size(&srcs[i], &size, err) < 0 ||
		    (size > 0 && tail_offset(&srcs[i], size, o->tail, &srcs[i].off, err) < 0))
			goto out;
		srcs[i].limit = size;
		srcs[i].more = size > srcs[i].off;
	}
	if (drain(&r, srcs, n, err) < 0)
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
	free(r.buf);
	return ret;
}
