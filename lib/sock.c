#include "lib/sock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/fileutil.h"
#include "lib/xalloc.h"

/* Longest message or hint an error record may carry. */
#define ERR_TEXT_MAX 65536
/* The fds one recvmsg takes in (a record carries one at most). */
#define SOCK_RECV_FDS 8

ssize_t sock_sendv(int sock, struct iovec *iov, size_t niov, int fd, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = niov};
	if (fd >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return TEMP_FAILURE_RETRY(sendmsg(sock, &msg, MSG_NOSIGNAL | flags));
}

int sock_send(int sock, int tag, int value, int fd)
{
	struct sock_msg m = {.tag = tag, .value = value};
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
	ssize_t w = sock_sendv(sock, &iov, 1, fd, 0);
	if (w < 0)
		return -1;
	/* a stream socket may take part of it (it never does for 8 bytes on
	 * an empty socketpair, but be exact); the fd went with the first byte */
	if ((size_t)w < sizeof(m) && write_all(sock, (char *)&m + w, sizeof(m) - (size_t)w) < 0)
		return -1;
	return 0;
}

int sock_recv(int sock, struct sock_msg *m, int *fd)
{
	if (fd)
		*fd = -1;
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	/* room for more fds than a record carries: a sender that puts in
	 * more is seen (and every one of them closed), not left holding fds
	 * in this process */
	union {
		char buf[CMSG_SPACE(SOCK_RECV_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	ssize_t r = TEMP_FAILURE_RETRY(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC));
	if (r <= 0)
		return (int)r;
	int got = -1, extra = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd1;
			memcpy(&fd1, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < 0)
				got = fd1;
			else {
				close(fd1);
				extra++;
			}
		}
	}
	if (extra || (msg.msg_flags & MSG_CTRUNC)) {
		/* one fd per record, never more: the record is not ours */
		if (got >= 0)
			close(got);
		errno = EBADMSG;
		return -1;
	}
	if ((size_t)r < sizeof(*m) &&
	    read_all(sock, (char *)m + r, sizeof(*m) - (size_t)r) != (ssize_t)(sizeof(*m) - (size_t)r)) {
		if (got >= 0)
			close(got);
		errno = EBADMSG;
		return -1;
	}
	if (fd)
		*fd = got;
	else if (got >= 0)
		close(got);
	return 1;
}

int sock_send_error(int sock, const struct burrow_err *err)
{
	if (sock_send(sock, SOCK_MSG_ERROR, 0, -1) < 0)
		return -1;
	return burrow_err_send(sock, err);
}

void sock_log_sink(enum burrow_log_level level, const char *file, int line, const char *msg, void *data)
{
	int sock = *(const int *)data;
	struct burrow_err rec = {.status = line, .msg = (char *)msg, .hint = (char *)file};
	if (sock_send(sock, SOCK_MSG_LOG, level, -1) == 0)
		burrow_err_send(sock, &rec);
}

int sock_relay_log(int sock, const struct sock_msg *m)
{
	struct burrow_err *rec = NULL;
	if (burrow_err_recv(sock, &rec) != 1)
		return -1;
	const char *file = rec->hint ? rec->hint : "?";
	if (m->value >= BURROW_LOG_DEBUG)
		burrow_debug_at(file, rec->status, "%s", rec->msg);
	else
		burrow_warn_at(file, rec->status, "%s", rec->msg);
	burrow_err_free(rec);
	return 0;
}

int burrow_err_send(int fd, const struct burrow_err *err)
{
	const char *msg = err && err->msg ? err->msg : "unknown error";
	const char *hint = err && err->hint ? err->hint : "";
	size_t lm = strnlen(msg, ERR_TEXT_MAX), lh = strnlen(hint, ERR_TEXT_MAX);
	uint32_t hdr[3] = {(uint32_t)(err ? err->status : 0), (uint32_t)lm, (uint32_t)lh};
	if (write_all(fd, hdr, sizeof(hdr)) < 0 || write_all(fd, msg, lm) < 0 || write_all(fd, hint, lh) < 0)
		return -1;
	return 0;
}

int burrow_err_recv(int fd, struct burrow_err **err)
{
	uint32_t hdr[3];
	ssize_t r = read_all(fd, hdr, sizeof(hdr));
	if (r == 0)
		return 0;
	if (r != (ssize_t)sizeof(hdr) || hdr[1] > ERR_TEXT_MAX || hdr[2] > ERR_TEXT_MAX)
		return -1;
	char *msg = xcalloc(1, hdr[1] + 1);
	char *hint = xcalloc(1, hdr[2] + 1);
	if (read_all(fd, msg, hdr[1]) != (ssize_t)hdr[1] || read_all(fd, hint, hdr[2]) != (ssize_t)hdr[2]) {
		free(msg);
		free(hint);
		return -1;
	}
	struct burrow_err *e = xcalloc(1, sizeof(*e));
	e->status = (int)hdr[0];
	e->msg = msg;
	if (hdr[2])
		e->hint = hint;
	else
		free(hint);
	burrow_err_free(*err);
	*err = e;
	return 1;
}
