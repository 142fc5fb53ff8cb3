/* --sdnotify (container/sdnotify.h): the monitor's messages to systemd and
 * its relay of the container's. */
#include "container/sdnotify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/monitor_io.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

/* systemd reads at most this much of one message (NOTIFY_BUFFER_MAX is
 * larger, but no READY/STATUS message comes near it); a longer one is
 * dropped rather than cut. */
#define NOTIFY_MSG_MAX 4096
/* Messages taken from the container in one loop round at most: a
 * container that floods the socket does not starve the rest. */
#define NOTIFY_BATCH 32

bool ctr_sdnotify_mode_valid(const char *mode)
{
	static const char *const modes[] = {"container", "conmon", "healthy", "ignore"};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(mode, modes[i]) == 0)
			return true;
	return false;
}

static const char *mode_of(const struct mon *m)
{
	return m->c->sdnotify ? m->c->sdnotify : "container";
}

char *ctr_sdnotify_rewrite(const char *msg, size_t len, int mainpid)
{
	char *out = xmalloc(len + 32);
	size_t n = 0;
	if (mainpid > 0)
		n = (size_t)sprintf(out, "MAINPID=%d\n", mainpid);
	const char *p = msg, *end = msg + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* the container's own MAINPID: a pid of its namespace */
		if (l && !(l >= 8 && memcmp(p, "MAINPID=", 8) == 0)) {
			memcpy(out + n, p, l);
			n += l;
			out[n++] = '\n';
		}
		p += l + 1;
	}
	/* no trailing newline, as sd_notify sends them */
	if (n && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	return out;
}

/* Sends msg to the socket NOTIFY_SOCKET names: a path, or @NAME (an
 * abstract one). A path longer than sun_path goes through its directory's
 * fd. Never blocks: a full queue drops the message. */
static int notify_send(const char *sock, const char *msg, struct burrow_err **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len;
	cleanup_close int dfd = -1;
	size_t sl = strlen(sock);
	if (sock[0] == '@' && sl - 1 < sizeof(sa.sun_path) - 1) {
		memcpy(sa.sun_path + 1, sock + 1, sl - 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sl);
	} else if (sock[0] == '/' && sl < sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, sock, sl + 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sl + 1);
	} else if (sock[0] == '/') {
		const char *slash = strrchr(sock, '/');
		cleanup_free char *dir = xstrndup(sock, (size_t)(slash - sock) + 1);
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return burrow_error(err, errno, "NOTIFY_SOCKET '%s'", str_quote(sock));
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, slash + 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1);
	} else {
		return burrow_error(err, EAFNOSUPPORT, "NOTIFY_SOCKET '%s': not a path nor @NAME", str_quote(sock));
	}
	cleanup_close int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create a socket");
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
	if (TEMP_FAILURE_RETRY(sendto(fd, msg, strlen(msg), flags, (struct sockaddr *)&sa, len)) < 0)
		return burrow_error(err, errno, "cannot send to NOTIFY_SOCKET '%s'", str_quote(sock));
	return 0;
}

static void send_or_warn(struct mon *m, const char *msg)
{
	struct burrow_err *e = NULL;
	if (notify_send(m->sd.host, msg, &e) < 0) {
		burrow_warn("container '%s': %s", str_quote(m->c->name), e->msg);
		burrow_err_free(e);
	}
}

void ctr_mon_sdnotify_init(struct mon *m)
{
	m->sd.fd = -1;
	const char *v = getenv("NOTIFY_SOCKET");
	if (v && *v && strcmp(mode_of(m), "ignore") != 0)
		m->sd.host = xstrdup(v);
	unsetenv("NOTIFY_SOCKET");
}

/* The container's messages, relayed. */
static void on_message(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)l;
	(void)w;
	(void)revents;
	struct mon *m = data;
	char buf[NOTIFY_MSG_MAX];
	for (int i = 0; i < NOTIFY_BATCH; i++) {
		ssize_t n = TEMP_FAILURE_RETRY(recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC));
		if (n < 0)
			return; /* EAGAIN: all taken */
		if ((size_t)n > sizeof(buf)) {
			burrow_debug("container '%s': a notify message of %zd bytes dropped", str_quote(m->c->name), n);
			continue;
		}
		cleanup_free char *msg =
		    ctr_sdnotify_rewrite(buf, (size_t)n, m->sd.mainpid_sent ? 0 : (int)m->run.monitor_pid);
		if (!*msg)
			continue;
		m->sd.mainpid_sent = true;
		send_or_warn(m, msg);
	}
}

int ctr_mon_sdnotify_open(struct mon *m, struct burrow_err **err)
{
	ctr_mon_sdnotify_close(m);
	if (!m->sd.host || strcmp(mode_of(m), "container") != 0)
		return 0;
	cleanup_free char *rundir = ctr_rundir(m->s, m->c->id);
	free(m->sd.dir);
	m->sd.dir = path_join(rundir, "notify");
	/* 0755 and a socket anyone may write to: the container's user may be
	 * any of its IDs; nothing but the container sees the directory (its
	 * parents are 0700) */
	if (mkdir_p(m->sd.dir, 0700, err) < 0 || chmod(m->sd.dir, 0755) < 0)
		return burrow_error(err, errno, "cannot make '%s'", str_quote(m->sd.dir));
	cleanup_close int dfd = open(m->sd.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return burrow_error(err, errno, "cannot open '%s'", str_quote(m->sd.dir));
	cleanup_close int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create a socket");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/notify.sock", dfd);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1);
	unlinkat(dfd, "notify.sock", 0);
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || fchmodat(dfd, "notify.sock", 0777, 0) < 0)
		return burrow_error(err, errno, "cannot make the container's notify socket in '%s'",
		                    str_quote(m->sd.dir));
	m->sd.fd = steal_fd(fd);
	m->sd.w = loop_watch_add(m->loop, m->sd.fd, POLLIN, on_message, m);
	m->eng.notify_dir = m->sd.dir;
	return 0;
}

void ctr_mon_sdnotify_close(struct mon *m)
{
	if (m->sd.w)
		loop_watch_remove(m->loop, m->sd.w);
	m->sd.w = NULL;
	if (m->sd.fd >= 0)
		close(m->sd.fd);
	m->sd.fd = -1;
	m->eng.notify_dir = NULL;
}

void ctr_mon_sdnotify_started(struct mon *m)
{
	if (!m->sd.host || m->sd.mainpid_sent)
		return;
	bool conmon = strcmp(mode_of(m), "conmon") == 0;
	cleanup_free char *msg = xasprintf("MAINPID=%d%s", (int)m->run.monitor_pid, conmon ? "\nREADY=1" : "");
	m->sd.mainpid_sent = true;
	m->sd.ready_sent = conmon;
	send_or_warn(m, msg);
}

void ctr_mon_sdnotify_ready(struct mon *m)
{
	if (!m->sd.host || m->sd.ready_sent || strcmp(mode_of(m), "healthy") != 0)
		return;
	m->sd.ready_sent = true;
	send_or_warn(m, "READY=1");
}

void ctr_mon_sdnotify_free(struct mon *m)
{
	ctr_mon_sdnotify_close(m);
	free(m->sd.host);
	free(m->sd.dir);
	m->sd.host = m->sd.dir = NULL;
}
