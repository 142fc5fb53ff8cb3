/* The attach protocol's messages (container/attach.h) and its client side:
 * the caller's stdio relayed to a container's monitor, for run in the
 * foreground, start -a and attach. */
#include "container/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "container/container.h"
#include "container/events.h"
#include "container/internal.h"
#include "container/terminal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/sock.h"
#include "lib/xalloc.h"
#include "state/state.h"

int ctr_attach_send(int fd, uint8_t type, const void *data, size_t len, int flags)
{
	struct iovec iov[2] = {{&type, 1}, {(void *)data, len}};
	return sock_sendv(fd, iov, len ? 2 : 1, -1, flags) < 0 ? -1 : 0;
}

int ctr_attach_send_fd(int fd, uint8_t type, const void *data, size_t len, int passed)
{
	struct iovec iov[2] = {{&type, 1}, {(void *)data, len}};
	return sock_sendv(fd, iov, len ? 2 : 1, passed, 0) < 0 ? -1 : 0;
}

ssize_t ctr_attach_recv(int fd, void *buf, size_t size)
{
	ssize_t n = TEMP_FAILURE_RETRY(recv(fd, buf, size, 0));
	if (n < 0 && errno == ECONNRESET) {
		/* the error is reported once: what was queued before it follows */
		n = TEMP_FAILURE_RETRY(recv(fd, buf, size, MSG_DONTWAIT));
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			n = 0;
	}
	return n;
}

int ctr_attach_send_error(int fd, int exit_code, const struct burrow_err *e)
{
	const char *msg = e && e->msg ? e->msg : "unknown error";
	const char *hint = e && e->hint ? e->hint : "";
	size_t lm = strnlen(msg, CTR_ATTACH_DATA_MAX / 2), lh = strnlen(hint, CTR_ATTACH_DATA_MAX / 4);
	uint8_t buf[CTR_ATTACH_DATA_MAX];
	int32_t code = exit_code, status = e ? e->status : 0;
	uint32_t n = (uint32_t)lm;
	memcpy(buf, &code, 4);
	memcpy(buf + 4, &status, 4);
	memcpy(buf + 8, &n, 4);
	memcpy(buf + 12, msg, lm);
	memcpy(buf + 12 + lm, hint, lh);
	return ctr_attach_send(fd, CTR_ATTACH_ERROR, buf, 12 + lm + lh, 0);
}

struct burrow_err *ctr_attach_parse_error(const uint8_t *p, size_t n, int *exit_code)
{
	if (n < 12)
		return NULL;
	int32_t code, status;
	uint32_t lm;
	memcpy(&code, p, 4);
	memcpy(&status, p + 4, 4);
	memcpy(&lm, p + 8, 4);
	p += 4;
	n -= 4;
	if (exit_code)
		*exit_code = code;
	if (lm > n - 8)
		return NULL;
	struct burrow_err *e = xcalloc(1, sizeof(*e));
	e->status = status;
	e->msg = xstrndup((const char *)p + 8, lm);
	if (n - 8 - lm > 0)
		e->hint = xstrndup((const char *)p + 8 + lm, n - 8 - lm);
	return e;
}

/* The socket's address through an fd of its directory: the runtime dir's
 * path may be longer than sun_path. */
static socklen_t dir_addr(int dirfd, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", dirfd, CTR_ATTACH_SOCKET);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
}

int ctr_attach_connect_dir(const char *rundir, struct burrow_err **err)
{
	cleanup_close int dfd = open(rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return burrow_error(err, errno, "cannot open '%s'", str_quote(rundir));
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create a socket");
	struct sockaddr_un sa;
	socklen_t len = dir_addr(dfd, &sa);
	if (TEMP_FAILURE_RETRY(connect(fd, (struct sockaddr *)&sa, len)) < 0)
		return burrow_error(err, errno, "cannot connect to the container's monitor");
	return steal_fd(fd);
}

int ctr_attach_listen_dir(const char *rundir, struct burrow_err **err)
{
	cleanup_close int dfd = open(rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return burrow_error(err, errno, "cannot open '%s'", str_quote(rundir));
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create a socket");
	struct sockaddr_un sa;
	socklen_t len = dir_addr(dfd, &sa);
	unlinkat(dfd, CTR_ATTACH_SOCKET, 0);
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0)
		return burrow_error(err, errno, "cannot listen on '%s/%s'", str_quote(rundir), CTR_ATTACH_SOCKET);
	return steal_fd(fd);
}

/* ---- the client ---- */

static const int proxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct relay {
	int sock;
	const struct ctr_attach_opts *o;
	bool stdin; /* the channel holds the container's stdin */
	struct loop *loop;
	struct loop_watch *sock_w, *in_w;
	struct ctr_term term;
	struct ctr_detach detach;
	bool tty;
	bool out_gone; /* our stdout or stderr is closed (EPIPE): drop what follows */
	int result;    /* 0 exited, 1 detached, -1 failed */
	int exit_code;
	bool restarting; /* the monitor starts it again: it does not end now */
	struct burrow_err *err;
};

static void finish(struct relay *r, int result)
{
	r->result = result;
	loop_stop(r->loop);
}

static void send_size(struct relay *r)
{
	unsigned short sz[2];
	if (!r->tty || (!ctr_term_size(r->o->in_fd, &sz[0], &sz[1]) && !ctr_term_size(r->o->out_fd, &sz[0], &sz[1])))
		return;
	uint16_t p[2] = {sz[0], sz[1]};
	ctr_attach_send(r->sock, CTR_ATTACH_RESIZE, p, sizeof(p), 0);
}

static void on_signal(struct loop *l, const struct signalfd_siginfo *si, void *data)
{
	(void)l;
	struct relay *r = data;
	if (si->ssi_signo == SIGWINCH) {
		send_size(r);
		return;
	}
	int32_t sig = (int32_t)si->ssi_signo;
	ctr_attach_send(r->sock, CTR_ATTACH_SIGNAL, &sig, sizeof(sig), 0);
}

static void out(struct relay *r, int fd, const uint8_t *p, size_t n)
{
	if (fd < 0 || r->out_gone || n == 0)
		return;
	if (write_all(fd, p, n) < 0 && errno == EPIPE)
		r->out_gone = true;
}

static void on_sock(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)l;
	(void)w;
	(void)revents;
	struct relay *r = data;
	static uint8_t buf[1 + CTR_ATTACH_DATA_MAX];
	ssize_t n = ctr_attach_recv(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		burrow_error(&r->err, n < 0 ? errno : 0,
		             "the container's monitor went away before the container ended");
		finish(r, -1);
		return;
	}
	const uint8_t *p = buf + 1;
	size_t len = (size_t)n - 1;
	switch (buf[0]) {
	case CTR_ATTACH_STDOUT:
		out(r, r->o->out_fd, p, len);
		break;
	case CTR_ATTACH_STDERR:
		out(r, r->tty ? r->o->out_fd : r->o->err_fd, p, len);
		break;
	case CTR_ATTACH_WELCOME:
		if (len >= 1)
			r->tty = p[0] & CTR_ATTACH_TTY;
		break;
	case CTR_ATTACH_EXIT:
		if (len >= 4) {
			int32_t code;
			memcpy(&code, p, 4);
			r->exit_code = code;
		}
		r->restarting = len >= 5 && (p[4] & CTR_ATTACH_RESTARTING);
		finish(r, 0);
		break;
	case CTR_ATTACH_ERROR: {
		struct burrow_err *e = ctr_attach_parse_error(p, len, &r->exit_code);
		if (!e)
			burrow_error(&r->err, EPROTO, "a malformed error from the container's monitor");
		else
			r->err = e;
		finish(r, -1);
		break;
	}
	case CTR_ATTACH_WARN:
		burrow_warn("%.*s", (int)len, (const char *)p);
		break;
	default:
		break; /* STARTED and what a later monitor may add */
	}
}

static void on_stdin(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)revents;
	struct relay *r = data;
	unsigned char in[CTR_ATTACH_DATA_MAX - CTR_DETACH_KEYS_MAX], outb[CTR_ATTACH_DATA_MAX];
	ssize_t n = TEMP_FAILURE_RETRY(read(fd, in, sizeof(in)));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		/* its end: the container's stdin ends too */
		ctr_attach_send(r->sock, CTR_ATTACH_EOF, NULL, 0, 0);
		loop_watch_remove(l, w);
		r->in_w = NULL;
		return;
	}
	size_t o = 0;
	bool detached = ctr_detach_feed(&r->detach, in, (size_t)n, outb, &o);
	if (o > 0 && ctr_attach_send(r->sock, CTR_ATTACH_STDIN, outb, o, 0) < 0 && errno != EPIPE) {
		burrow_error(&r->err, errno, "cannot send input to the container's monitor");
		finish(r, -1);
		return;
	}
	if (detached)
		finish(r, 1);
}

int ctr_attach_relay(struct ctr_attached *ch, const struct ctr_attach_opts *o, int *exit_code, struct burrow_err **err)
{
	struct relay r = {.sock = ch->sock,
	                  .o = o,
	                  .stdin = ch->has_stdin,
	                  .term = CTR_TERM_INIT,
	                  .tty = ch->tty,
	                  .result = -1,
	                  .exit_code = -1};
	if (o->detach_keys && ctr_detach_keys_parse(o->detach_keys, r.detach.keys, &r.detach.n, err) < 0)
		return -1;
	/* detach keys are typed: they count only on a terminal */
	if (!r.stdin || !isatty(o->in_fd))
		r.detach.n = 0;
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	if (o->sig_proxy)
		for (size_t i = 0; i < sizeof(proxied) / sizeof(proxied[0]); i++)
			sigaddset(&mask, proxied[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	struct sigaction ign = {.sa_handler = SIG_IGN}, oldpipe;
	sigaction(SIGPIPE, &ign, &oldpipe);
	r.loop = loop_new();
	int ret = -1;
	if (!loop_signals_add(r.loop, &mask, on_signal, &r, err))
		goto out;
	r.sock_w = loop_watch_add(r.loop, r.sock, POLLIN, on_sock, &r);
	if (r.stdin)
		r.in_w = loop_watch_add(r.loop, o->in_fd, POLLIN, on_stdin, &r);
	if (r.tty && r.stdin)
		ctr_term_raw(&r.term, o->in_fd);
	send_size(&r);
	if (loop_run(r.loop, err) < 0)
		goto out;
	if (r.result < 0) {
		burrow_err_free(*err);
		*err = steal_ptr(r.err);
		goto out;
	}
	*exit_code = r.exit_code;
	if (r.restarting)
		proc_ref_close(&ch->monitor); /* it stays: not to be waited for */
	ret = r.result;
out:
	ctr_term_restore(&r.term);
	loop_free(r.loop);
	burrow_err_free(r.err);
	sigaction(SIGPIPE, &oldpipe, NULL);
	/* signals that came meanwhile were for the container: not for us */
	struct timespec zero = {0, 0};
	while (sigtimedwait(&mask, NULL, &zero) > 0)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* ---- attach to a running container ---- */

/* A client of the container's monitor; an attach event where the user
 * attaches (attach, start -a of a running one), none where burrow only
 * listens for the end (wait). */
static int attach_open(struct state_store *s, const char *ref, bool want_stdin, bool event, struct ctr_attached *out,
                       struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	out->sock = -1;
	out->monitor = (struct proc_ref)PROC_REF_INIT;
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	cleanup_free char *id = NULL;
	cleanup_free char *rundir = NULL;
	cleanup_close int sock = -1;
	int ret = -1;
	if (ctr_lookup(s, ref, &id, err) < 0 || ctr_config_load(s, id, &c, err) < 0 || ctr_run_load(s, id, &r, err) < 0)
		goto out;
	int dead = ctr_check_monitor(s, &c, &r, err);
	if (dead < 0)
		goto out;
	if (dead == 1 || (r.state != CTR_RUNNING && r.state != CTR_PAUSED)) {
		burrow_error_status(err, EINVAL, "cannot attach to container '%s': it is %s", str_quote(c.name),
		                    dead == 1 ? "gone" : ctr_state_word(r.state));
		burrow_error_hint(
		    err, "only a running container can be attached to: start it with 'burrow start -a %s'", c.name);
		goto out;
	}
	if (c.log_driver && strcmp(c.log_driver, "passthrough") == 0) {
		burrow_error_status(err, EINVAL,
		                    "cannot attach to container '%s': its log driver is passthrough (its output "
		                    "goes where it was started)",
		                    str_quote(c.name));
		goto out;
	}
	rundir = ctr_rundir(s, id);
	sock = ctr_attach_connect_dir(rundir, err);
	if (sock < 0) {
		burrow_error_wrap(err, "cannot attach to container '%s'", str_quote(c.name));
		goto out;
	}
	uint8_t flags = want_stdin ? CTR_ATTACH_WANT_STDIN : 0;
	uint8_t buf[64];
	ssize_t n = -1;
	if (ctr_attach_send(sock, CTR_ATTACH_HELLO, &flags, 1, 0) == 0 && wait_fd(sock, POLLIN, now_ms() + 10000) == 1)
		n = ctr_attach_recv(sock, buf, sizeof(buf));
	if (n < 2 || buf[0] != CTR_ATTACH_WELCOME) {
		if (n > 1 && buf[0] == CTR_ATTACH_ERROR)
			*err = ctr_attach_parse_error(buf + 1, (size_t)n - 1, NULL);
		else
			burrow_error(err, n < 0 ? errno : EPROTO, "container '%s': its monitor did not answer",
			             str_quote(c.name));
		goto out;
	}
	out->tty = buf[1] & CTR_ATTACH_TTY;
	out->has_stdin = buf[1] & CTR_ATTACH_HAS_STDIN;
	(void)proc_ref_open(&out->monitor, r.monitor_pid, r.monitor_start);
	out->sock = steal_fd(sock);
	if (event)
		ctr_event(s, &c, "attach");
	ret = 0;
out:
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return ret;
}

int ctr_attach_open(struct state_store *s, const char *ref, bool want_stdin, struct ctr_attached *out,
                    struct burrow_err **err)
{
	return attach_open(s, ref, want_stdin, true, out, err);
}

int ctr_attach_listen(struct state_store *s, const char *ref, struct ctr_attached *out, struct burrow_err **err)
{
	return attach_open(s, ref, false, false, out, err);
}

void ctr_attached_close(struct ctr_attached *a)
{
	if (a->sock >= 0)
		close(a->sock);
	a->sock = -1;
	proc_ref_close(&a->monitor);
}

void ctr_attached_wait_monitor(struct ctr_attached *a)
{
	if (a->sock >= 0)
		close(a->sock);
	a->sock = -1;
	/* it ends right after EXIT: bounded, it is only a nicety */
	if (a->monitor.pid > 0)
		(void)proc_ref_wait_gone(&a->monitor, now_ms() + 5000);
}
