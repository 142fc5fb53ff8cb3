/* The monitor's stdio side (container/monitor_io.h): the container's
 * output to the log and to the attach clients, one client's input to the
 * container, window sizes and proxied signals; the protocol is
 * container/attach.h's. */
#include "container/monitor_io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container/attach.h"
#include "container/internal.h"
#include "container/monitor_health.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"

/* One message waiting for a client: type byte first. */
struct qmsg {
	struct qmsg *next;
	size_t len;
	uint8_t data[];
};

struct ctr_mon_client {
	struct ctr_mon_client *next;
	struct mon *m;
	int fd;
	struct loop_watch *w;
	bool hello;   /* it said HELLO (or is the starter): it gets output */
	bool closing; /* EXIT is queued: closed once the queue is sent */
	struct qmsg *head, *tail;
	size_t queued;
	/* input it sent that the container's stdin did not take yet */
	uint8_t *pending;
	size_t npending;
	bool pending_eof;
};

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void ctr_mon_io_init(struct mon *m)
{
	m->out_fd[0] = m->out_fd[1] = m->in_fd = -1;
	m->child_fds[0] = m->child_fds[1] = m->child_fds[2] = -1;
}

int ctr_mon_log_open(struct mon *m, struct burrow_err **err)
{
	if (m->log.fd >= 0 || m->passthrough || (m->c->log_driver && strcmp(m->c->log_driver, "none") == 0))
		return 0;
	cleanup_free char *path = ctr_log_path(m->s, m->c->id);
	return ctr_log_open(&m->log, path, m->c->log_max_size, err);
}

/* ---- clients ---- */

static void client_events(struct ctr_mon_client *cl)
{
	short ev = 0;
	if (!cl->closing && !cl->pending)
		ev |= POLLIN;
	if (cl->head)
		ev |= POLLOUT;
	loop_watch_set_events(cl->w, ev);
}

static bool any_full(struct mon *m)
{
	for (struct ctr_mon_client *cl = m->clients; cl; cl = cl->next)
		if (cl->queued > CTR_ATTACH_QUEUE_MAX)
			return true;
	return false;
}

/* Output is read while no client is behind. */
static void output_flow(struct mon *m)
{
	bool hold = any_full(m);
	if (hold == m->output_held)
		return;
	m->output_held = hold;
	for (int i = 0; i < 2; i++)
		if (m->out_w[i])
			loop_watch_set_events(m->out_w[i], hold ? 0 : POLLIN);
}

static void client_free(struct mon *m, struct ctr_mon_client *cl, bool keep_fd)
{
	for (struct ctr_mon_client **p = &m->clients; *p; p = &(*p)->next) {
		if (*p == cl) {
			*p = cl->next;
			break;
		}
	}
	if (m->stdin_owner == cl) {
		m->stdin_owner = NULL;
		if (m->in_w)
			loop_watch_set_events(m->in_w, 0);
	}
	loop_watch_remove(m->loop, cl->w);
	if (!keep_fd)
		close(cl->fd);
	for (struct qmsg *q = cl->head, *next; q; q = next) {
		next = q->next;
		free(q);
	}
	free(cl->pending);
	free(cl);
}

/* A client goes: when it was the last one waiting for its EXIT, the
 * monitor's end goes on. */
static void client_drop(struct mon *m, struct ctr_mon_client *cl)
{
	client_free(m, cl, false);
	output_flow(m);
	if (m->awaiting_clients && !m->clients) {
		m->awaiting_clients = false;
		ctr_mon_clients_done(m);
	}
}

/* Sends what is queued; false when the client is gone (dropped). */
static bool client_flush(struct mon *m, struct ctr_mon_client *cl)
{
	while (cl->head) {
		struct qmsg *q = cl->head;
		ssize_t w = TEMP_FAILURE_RETRY(send(cl->fd, q->data, q->len, MSG_NOSIGNAL | MSG_DONTWAIT));
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w < 0) {
			client_drop(m, cl);
			return false;
		}
		cl->head = q->next;
		if (!cl->head)
			cl->tail = NULL;
		cl->queued -= q->len;
		free(q);
	}
	if (!cl->head && cl->closing) {
		client_drop(m, cl);
		return false;
	}
	client_events(cl);
	/* what it took may let the container's output be read again */
	output_flow(m);
	return true;
}

static void client_queue(struct ctr_mon_client *cl, uint8_t type, const void *data, size_t len)
{
	struct qmsg *q = xmalloc(sizeof(*q) + 1 + len);
	q->next = NULL;
	q->len = 1 + len;
	q->data[0] = type;
	if (len)
		memcpy(q->data + 1, data, len);
	if (cl->tail)
		cl->tail->next = q;
	else
		cl->head = q;
	cl->tail = q;
	cl->queued += q->len;
}

static void broadcast(struct mon *m, uint8_t type, const void *data, size_t len)
{
	for (struct ctr_mon_client *cl = m->clients, *next; cl; cl = next) {
		next = cl->next;
		if (!cl->hello || cl->closing)
			continue;
		client_queue(cl, type, data, len);
		client_flush(m, cl);
	}
	output_flow(m);
}

/* Writes what the stdin owner sent; what the container does not take now
 * waits, and the client is not read until it is taken. */
static void stdin_push(struct mon *m, struct ctr_mon_client *cl)
{
	while (cl->npending > 0 && m->in_fd >= 0) {
		ssize_t w = TEMP_FAILURE_RETRY(write(m->in_fd, cl->pending, cl->npending));
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (m->in_w)
				loop_watch_set_events(m->in_w, POLLOUT);
			client_events(cl);
			return;
		}
		if (w <= 0) {
			cl->npending = 0; /* the container closed its stdin */
			break;
		}
		memmove(cl->pending, cl->pending + w, cl->npending - (size_t)w);
		cl->npending -= (size_t)w;
	}
	free(cl->pending);
	cl->pending = NULL;
	cl->npending = 0;
	if (m->in_w)
		loop_watch_set_events(m->in_w, 0);
	if (cl->pending_eof && m->in_fd >= 0) {
		cl->pending_eof = false;
		if (m->in_pipe) {
			/* the end of its input: no one writes to it any more */
			loop_watch_remove(m->loop, m->in_w);
			m->in_w = NULL;
			close(m->in_fd);
			m->in_fd = -1;
		} else {
			/* what ^D does at a terminal */
			cl->pending = xmalloc(1);
			cl->pending[0] = 4;
			cl->npending = 1;
			stdin_push(m, cl);
			return;
		}
	}
	client_events(cl);
}

static void on_stdin_room(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)l;
	(void)w;
	(void)fd;
	(void)revents;
	struct mon *m = data;
	if (m->stdin_owner)
		stdin_push(m, m->stdin_owner);
	else
		loop_watch_set_events(m->in_w, 0);
}

static void welcome(struct mon *m, struct ctr_mon_client *cl, bool want_stdin)
{
	cl->hello = true;
	if (want_stdin && m->c->interactive && m->in_fd >= 0 && !m->stdin_owner && !m->exited)
		m->stdin_owner = cl;
	uint8_t flags = (m->c->tty ? CTR_ATTACH_TTY : 0) | (m->stdin_owner == cl ? CTR_ATTACH_HAS_STDIN : 0);
	client_queue(cl, CTR_ATTACH_WELCOME, &flags, 1);
	client_flush(m, cl);
}

/* passed: an fd that came with the message (-1: none), which only GO
 * takes (*passed -1 then) */
static void client_message(struct mon *m, struct ctr_mon_client *cl, const uint8_t *buf, size_t n, int *passed)
{
	const uint8_t *p = buf + 1;
	size_t len = n - 1;
	switch (buf[0]) {
	case CTR_ATTACH_HELLO:
		if (!cl->hello)
			welcome(m, cl, len >= 1 && (p[0] & CTR_ATTACH_WANT_STDIN));
		break;
	case CTR_ATTACH_STDIN:
		if (m->stdin_owner != cl || m->in_fd < 0 || len == 0)
			break;
		cl->pending = xrealloc(cl->pending, cl->npending + len);
		memcpy(cl->pending + cl->npending, p, len);
		cl->npending += len;
		stdin_push(m, cl);
		break;
	case CTR_ATTACH_EOF:
		if (m->stdin_owner != cl || m->in_fd < 0)
			break;
		cl->pending_eof = true;
		stdin_push(m, cl);
		break;
	case CTR_ATTACH_RESIZE:
		if (len >= 4 && m->c->tty && m->rt && m->rt->pty_master >= 0) {
			uint16_t sz[2];
			memcpy(sz, p, 4);
			struct winsize ws = {.ws_row = sz[0], .ws_col = sz[1]};
			ioctl(m->rt->pty_master, TIOCSWINSZ, &ws);
		}
		break;
	case CTR_ATTACH_SIGNAL:
		if (len >= 4 && m->rt && !m->exited) {
			int32_t sig;
			memcpy(&sig, p, 4);
			if (sig > 0 && sig < NSIG && sig != SIGKILL && sig != SIGSTOP)
				rt_kill(m->rt, sig);
		}
		break;
	case CTR_ATTACH_HEALTH:
		ctr_mon_health_told(m);
		break;
	case CTR_ATTACH_GO:
		if (len >= 1 && !cl->hello && m->starter < 0) {
			/* the channel is a start's now, no client's */
			int fd = cl->fd;
			uint8_t flags = p[0];
			client_free(m, cl, true);
			int fl = fcntl(fd, F_GETFL);
			if (fl >= 0)
				(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
			ctr_mon_go(m, fd, flags, steal_fd(*passed));
		}
		break;
	default:
		break;
	}
}

static void on_client(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)l;
	(void)w;
	struct ctr_mon_client *cl = data;
	struct mon *m = cl->m;
	if ((revents & POLLOUT) && !client_flush(m, cl))
		return;
	if (!(revents & (POLLIN | POLLHUP | POLLERR)) || cl->closing)
		return;
	static uint8_t buf[1 + CTR_ATTACH_DATA_MAX];
	struct iovec iov = {buf, sizeof(buf)};
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	ssize_t n = TEMP_FAILURE_RETRY(recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	/* the one fd a GO carries (the container's lock); more are cut off
	 * (MSG_CTRUNC: the kernel closes them) */
	cleanup_close int passed = -1;
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&passed, CMSG_DATA(c), sizeof(int));
	if (n <= 0) {
		/* it left (detached, or its process ended) */
		client_drop(m, cl);
		return;
	}
	client_message(m, cl, buf, (size_t)n, &passed);
}

static struct ctr_mon_client *client_new(struct mon *m, int fd)
{
	set_nonblock(fd);
	struct ctr_mon_client *cl = xcalloc(1, sizeof(*cl));
	cl->m = m;
	cl->fd = fd;
	cl->w = loop_watch_add(m->loop, fd, POLLIN, on_client, cl);
	cl->next = m->clients;
	m->clients = cl;
	return cl;
}

void ctr_mon_client_add(struct mon *m, int fd, bool want_stdin)
{
	welcome(m, client_new(m, fd), want_stdin);
}

/* accept() paused this long when out of fds or memory. */
#define ACCEPT_PAUSE_MS 100

static void listen_pause(struct loop_watch *w, const char *why)
{
	burrow_debug("attach socket: accepting paused for %d ms: %s", ACCEPT_PAUSE_MS, why);
	loop_watch_pause(w, ACCEPT_PAUSE_MS);
}

/* A client at a time. At the monitor's reserve of fds (lib/fileutil.h's
 * fd_ceiling), or out of fds or memory, a pause: the connection waits in
 * the backlog, and the listener does not fire every round meanwhile. */
static void on_listen(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)l;
	(void)revents;
	struct mon *m = data;
	if (fd_next_at_or_above(fd_ceiling())) {
		listen_pause(w, "the rest of the fds are the monitor's own");
		return;
	}
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c >= 0)
		client_new(m, c);
	else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
		listen_pause(w, strerror(errno));
}

int ctr_mon_listen(struct mon *m, const char *rundir, struct burrow_err **err)
{
	ctr_mon_listen_close(m);
	m->listen_fd = ctr_attach_listen_dir(rundir, err);
	if (m->listen_fd < 0)
		return -1;
	m->listen_w = loop_watch_add(m->loop, m->listen_fd, POLLIN, on_listen, m);
	return 0;
}

void ctr_mon_listen_close(struct mon *m)
{
	loop_watch_remove(m->loop, m->listen_w);
	m->listen_w = NULL;
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	m->listen_fd = -1;
}

bool ctr_mon_clients_end(struct mon *m, int code)
{
	uint8_t c[5];
	int32_t v = code;
	memcpy(c, &v, 4);
	c[4] = m->restart ? CTR_ATTACH_RESTARTING : 0;
	for (struct ctr_mon_client *cl = m->clients, *next; cl; cl = next) {
		next = cl->next;
		if (!cl->hello) {
			client_free(m, cl, false);
			continue;
		}
		client_queue(cl, CTR_ATTACH_EXIT, c, sizeof(c));
		cl->closing = true;
		client_flush(m, cl);
	}
	m->stdin_owner = NULL;
	return m->clients == NULL;
}

void ctr_mon_warn_user(struct mon *m, const char *msg)
{
	size_t len = strnlen(msg, CTR_ATTACH_DATA_MAX);
	if (m->starter >= 0)
		(void)ctr_attach_send(m->starter, CTR_ATTACH_WARN, msg, len, 0);
	else
		broadcast(m, CTR_ATTACH_WARN, msg, len);
}

void ctr_mon_clients_free(struct mon *m)
{
	while (m->clients)
		client_free(m, m->clients, false);
}

/* ---- the container's stdio ---- */

static const char *const stream_names[2] = {"stdout", "stderr"};

static void on_output(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)revents;
	struct mon *m = data;
	int i = w == m->out_w[1];
	static char buf[CTR_ATTACH_DATA_MAX];
	ssize_t n = TEMP_FAILURE_RETRY(read(fd, buf, sizeof(buf)));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		/* its end (a pty says EIO once every slave is closed) */
		loop_watch_remove(l, w);
		m->out_w[i] = NULL;
		return;
	}
	ctr_log_write(&m->log, stream_names[i], buf, (size_t)n);
	broadcast(m, i ? CTR_ATTACH_STDERR : CTR_ATTACH_STDOUT, buf, (size_t)n);
}

int ctr_mon_io_prepare(struct mon *m, struct rt_opts *ro, struct burrow_err **err)
{
	if (m->c->tty)
		return 0; /* the runtime makes the pty; its master comes back */
	if (m->passthrough) {
		ro->stdio[0] = m->c->interactive ? 0 : -1;
		ro->stdio[1] = 1;
		ro->stdio[2] = 2;
		return 0;
	}
	int p[2];
	for (int i = 0; i < 3; i++) {
		if (i == 0 && !m->c->interactive)
			continue;
		if (pipe2(p, O_CLOEXEC) < 0)
			return burrow_error(err, errno, "cannot create a pipe for the container's %s",
			                    i == 0 ? "stdin" : stream_names[i - 1]);
		if (i == 0) {
			m->child_fds[0] = p[0];
			m->in_fd = p[1];
			m->in_pipe = true;
		} else {
			m->child_fds[i] = p[1];
			m->out_fd[i - 1] = p[0];
		}
		ro->stdio[i] = m->child_fds[i];
	}
	return 0;
}

int ctr_mon_io_start(struct mon *m, struct burrow_err **err)
{
	(void)err;
	for (int i = 0; i < 3; i++) {
		if (m->child_fds[i] >= 0)
			close(m->child_fds[i]);
		m->child_fds[i] = -1;
	}
	if (m->c->tty && m->rt->pty_master >= 0) {
		/* the master is the runtime's: read and written, never closed here */
		set_nonblock(m->rt->pty_master);
		m->out_fd[0] = m->rt->pty_master;
		if (m->c->interactive) {
			m->in_fd = m->rt->pty_master;
			m->in_pipe = false;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (m->out_fd[i] < 0)
			continue;
		set_nonblock(m->out_fd[i]);
		m->out_w[i] = loop_watch_add(m->loop, m->out_fd[i], m->output_held ? 0 : POLLIN, on_output, m);
	}
	if (m->in_fd >= 0) {
		set_nonblock(m->in_fd);
		m->in_w = loop_watch_add(m->loop, m->in_fd, 0, on_stdin_room, m);
	}
	return 0;
}

void ctr_mon_io_drain(struct mon *m)
{
	static char buf[CTR_ATTACH_DATA_MAX];
	for (int i = 0; i < 2; i++) {
		if (!m->out_w[i])
			continue;
		ssize_t n;
		while ((n = TEMP_FAILURE_RETRY(read(m->out_fd[i], buf, sizeof(buf)))) > 0) {
			ctr_log_write(&m->log, stream_names[i], buf, (size_t)n);
			broadcast(m, i ? CTR_ATTACH_STDERR : CTR_ATTACH_STDOUT, buf, (size_t)n);
		}
	}
}

void ctr_mon_io_close(struct mon *m)
{
	bool pty = m->c->tty;
	for (int i = 0; i < 2; i++) {
		loop_watch_remove(m->loop, m->out_w[i]);
		m->out_w[i] = NULL;
		if (m->out_fd[i] >= 0 && !pty)
			close(m->out_fd[i]);
		m->out_fd[i] = -1;
	}
	loop_watch_remove(m->loop, m->in_w);
	m->in_w = NULL;
	if (m->in_fd >= 0 && m->in_pipe)
		close(m->in_fd);
	m->in_fd = -1;
	for (int i = 0; i < 3; i++) {
		if (m->child_fds[i] >= 0)
			close(m->child_fds[i]);
		m->child_fds[i] = -1;
	}
	m->output_held = false;
}
