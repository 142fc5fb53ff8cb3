/* The event log (state/events.h): the writer, rotation, and a reader that
 * follows it. */
#include "state/events.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/proc.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"
#include "state/state.h"

static char *events_dir(const char *runroot)
{
	return path_join(runroot, "events");
}

char *state_events_path(const char *runroot)
{
	return xasprintf("%s/events/events.log", runroot);
}

static bool events_off;

void state_events_set(bool on)
{
	events_off = !on;
}

static long long max_size(void)
{
	const char *env = getenv("BURROW_EVENTS_LOG_MAX_SIZE");
	long long v = 0;
	if (env && *env && str_to_ll(env, 1, 1LL << 40, &v) == 0)
		return v;
	return STATE_EVENTS_MAX_SIZE;
}

static char *event_json(const struct state_event *ev)
{
	long long ns = time_wall_ns();
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	if (ev->has_exit_code)
		jg_key_int(g, "ContainerExitCode", ev->exit_code);
	if (ev->id && *ev->id)
		jg_key_str(g, "ID", ev->id);
	if (ev->image && *ev->image)
		jg_key_str(g, "Image", ev->image);
	if (ev->name && *ev->name)
		jg_key_str(g, "Name", ev->name);
	jg_key_str(g, "Status", ev->status);
	jg_key_int(g, "time", ns / 1000000000LL);
	jg_key_int(g, "timeNano", ns);
	jg_key_str(g, "Type", ev->type);
	if (ev->health_status)
		jg_key_str(g, "health_status", ev->health_status);
	if (ev->error)
		jg_key_str(g, "Error", ev->error);
	if (ev->labels && ev->labels[0]) {
		jg_key(g, "Attributes");
		jg_map_open(g);
		for (char *const *l = ev->labels; *l; l++) {
			const char *eq = strchr(*l, '=');
			cleanup_free char *key = eq ? xstrndup(*l, (size_t)(eq - *l)) : xstrdup(*l);
			jg_key_str(g, key, eq ? eq + 1 : "");
		}
		jg_map_close(g);
	}
	jg_map_close(g);
	return json_gen_finish(g);
}

/* The writer whose line crossed the cap renames the file, under a flock on
 * it so that two writers past the cap rotate once: the second finds the
 * path naming another file (or none) and leaves it. */
static void rotate(int fd, const char *path)
{
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return; /* another writer rotates it */
	struct stat a, b;
	if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		cleanup_free char *old = xasprintf("%s.1", path);
		if (rename(path, old) < 0)
			burrow_debug("cannot rotate the event log '%s': %s", path, strerror(errno));
	}
	flock(fd, LOCK_UN);
}

void state_event_write(const char *runroot, const struct state_event *ev)
{
	if (events_off || !runroot || !ev || !ev->type || !ev->status)
		return;
	cleanup_free char *json = event_json(ev);
	size_t len = strlen(json);
	json[len] = '\n'; /* the NUL goes: the line is written by length */
	cleanup_free char *path = state_events_path(runroot);
	int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
	cleanup_close int fd = open(path, flags, 0600);
	if (fd < 0 && errno == ENOENT) {
		cleanup_free char *dir = events_dir(runroot);
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			burrow_debug("cannot make the event log's directory '%s': %s", dir, strerror(errno));
			return;
		}
		fd = open(path, flags, 0600);
	}
	if (fd < 0) {
		burrow_debug("cannot open the event log '%s': %s", path, strerror(errno));
		return;
	}
	/* one write: O_APPEND places it at the end whole (a regular file's
	 * write is atomic against other appends) */
	ssize_t n;
	do
		n = write(fd, json, len + 1);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(len + 1)) {
		burrow_debug("cannot write the event log '%s': %s", path, n < 0 ? strerror(errno) : "short write");
		return;
	}
	off_t end = lseek(fd, 0, SEEK_CUR);
	if (end > (off_t)max_size())
		rotate(fd, path);
}

void state_event_emit(struct state_store *s, const struct state_event *ev)
{
	if (s)
		state_event_write(state_runroot(s), ev);
}

void state_event_obj(struct state_store *s, const char *type, const char *status, const char *id, const char *name)
{
	struct state_event ev = {.type = type, .status = status, .id = id, .name = name};
	state_event_emit(s, &ev);
}

/* ---- reading ---- */

struct reader {
	state_events_fn fn;
	void *data;
	char *buf; /* a line not ended yet */
	size_t len, cap;
	bool stop;
};

/* Reads fd to its end, handing over each complete line. */
static int drain(struct reader *r, int fd, struct burrow_err **err)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return burrow_error(err, errno, "cannot read the event log");
		if (n == 0)
			return 0;
		size_t start = 0;
		for (size_t i = 0; i < (size_t)n; i++) {
			if (chunk[i] != '\n')
				continue;
			const char *line = chunk + start;
			size_t ll = i - start;
			if (r->len) {
				if (r->len + ll + 1 > r->cap) {
					r->cap = r->len + ll + 1;
					r->buf = xrealloc(r->buf, r->cap);
				}
				memcpy(r->buf + r->len, line, ll);
				r->len += ll;
				line = r->buf;
				ll = r->len;
				r->len = 0;
			}
			start = i + 1;
			if (ll == 0)
				continue;
			int rc = r->fn(line, ll, r->data, err);
			if (rc < 0)
				return -1;
			if (rc > 0) {
				r->stop = true;
				return 0;
			}
		}
		size_t rest = (size_t)n - start;
		if (rest) {
			if (r->len + rest > r->cap) {
				r->cap = r->len + rest + 256;
				r->buf = xrealloc(r->buf, r->cap);
			}
			memcpy(r->buf + r->len, chunk + start, rest);
			r->len += rest;
		}
	}
}

static bool same_file(int fd, const struct stat *b)
{
	struct stat a;
	return fstat(fd, &a) == 0 && a.st_dev == b->st_dev && a.st_ino == b->st_ino;
}

/* Waits until the directory changes, a signal comes (1) or stop_ns passes (1). */
static int wait_change(int ino, int sig, long long stop_ns, struct burrow_err **err)
{
	struct pollfd p[2] = {{.fd = ino, .events = POLLIN}, {.fd = sig, .events = POLLIN}};
	int timeout = -1;
	if (stop_ns) {
		long long left = stop_ns - time_wall_ns();
		if (left <= 0)
			return 1;
		timeout = left / 1000000 + 1 > INT_MAX ? INT_MAX : (int)(left / 1000000 + 1);
	}
	int n = poll(p, 2, timeout);
	if (n < 0 && errno != EINTR)
		return burrow_error(err, errno, "cannot wait for events");
	if (p[1].revents) {
		struct signalfd_siginfo si;
		while (read(sig, &si, sizeof(si)) > 0) {
		}
		return 1;
	}
	if (p[0].revents) {
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		while (read(ino, buf, sizeof(buf)) > 0) {
		}
	}
	return 0;
}

int state_events_read(const char *runroot, const struct state_events_read_opts *o, state_events_fn fn, void *data,
                      struct burrow_err **err)
{
	cleanup_free char *dir = events_dir(runroot);
	cleanup_free char *path = state_events_path(runroot);
	cleanup_free char *old = xasprintf("%s.1", path);
	struct reader r = {.fn = fn, .data = data};
	cleanup_close int ino = -1, sig = -1, cur = -1;
	sigset_t mask, prev;
	bool blocked = false;
	int rc = -1;
	if (o->follow) {
		/* watched before anything is read: nothing written after the
		 * last read goes unnoticed */
		if (mkdir_p(dir, 0700, err) < 0)
			return -1;
		if ((ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) < 0)
			return burrow_error(err, errno, "cannot watch the event log");
		if (inotify_add_watch(ino, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM) < 0)
			return burrow_error(err, errno, "cannot watch '%s'", dir);
		sigemptyset(&mask);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGTERM);
		sigprocmask(SIG_BLOCK, &mask, &prev);
		blocked = true;
		if ((sig = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
			burrow_error(err, errno, "cannot create a signalfd");
			goto out;
		}
	}
	cur = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	{
		int oldfd = open(old, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		/* the same file: events.log was rotated between the two opens */
		if (oldfd >= 0 && !(cur >= 0 && fstat(oldfd, &st) == 0 && same_file(cur, &st))) {
			int d = drain(&r, oldfd, err);
			close(oldfd);
			oldfd = -1;
			if (d < 0)
				goto out;
			r.len = 0;
		}
		if (oldfd >= 0)
			close(oldfd);
	}
	while (!r.stop) {
		if (cur >= 0 && drain(&r, cur, err) < 0)
			goto out;
		if (r.stop)
			break;
		struct stat st;
		if (stat(path, &st) == 0 && (cur < 0 || !same_file(cur, &st))) {
			/* rotated (or made): what the old one got since, then the new */
			if (cur >= 0 && drain(&r, cur, err) < 0)
				goto out;
			if (r.stop)
				break;
			r.len = 0;
			if (cur >= 0)
				close(cur);
			cur = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			continue;
		}
		if (!o->follow)
			break;
		int w = wait_change(ino, sig, o->stop_ns, err);
		if (w < 0)
			goto out;
		if (w > 0)
			break;
	}
	rc = 0;
out:
	free(r.buf);
	if (blocked)
		sigprocmask(SIG_SETMASK, &prev, NULL);
	return rc;
}
