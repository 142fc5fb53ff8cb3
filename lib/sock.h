/* Hand-offs between a process and a child it made (the container init, the
 * keeper, the tap helper) over a unix socketpair: small tagged records, an
 * fd riding along with one (SCM_RIGHTS), and error records, so that a child
 * that fails says why before it _exits. Every call retries EINTR; sends
 * never raise SIGPIPE. */
#ifndef BURROW_LIB_SOCK_H
#define BURROW_LIB_SOCK_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "lib/err.h"

/* One record: a tag (each protocol has its own) and a value. */
struct sock_msg {
	int32_t tag;
	int32_t value;
};

/* The tag of a record followed by an error record (burrow_err_send). */
#define SOCK_MSG_ERROR 'E'

/* Sends one record; fd (-1: none) rides along with it. 0 or -1 (errno). */
int sock_send(int sock, int tag, int value, int fd);
/* sendmsg(2) of niov buffers with fd (-1: none) riding along (SCM_RIGHTS),
 * never raising SIGPIPE; flags: more of sendmsg's (MSG_DONTWAIT). What
 * sendmsg returns. */
ssize_t sock_sendv(int sock, struct iovec *iov, size_t niov, int fd, int flags);
/* Reads one record. Returns 1 (*m set; *fd the fd that came with it, else
 * -1; with fd NULL one that came is closed), 0 at EOF, -1 on an error
 * (errno; EBADMSG for a record cut short, or one that came with more
 * than one fd: all of them closed). Blocks: bound it with wait_fd
 * (lib/proc.h). */
int sock_recv(int sock, struct sock_msg *m, int *fd);

/* A failing child's last words: a SOCK_MSG_ERROR record, then err. */
int sock_send_error(int sock, const struct burrow_err *err);

/* The tag of a child's warning or debug line: value is its level, and
 * the line follows in the error-record format (status: the line number,
 * message, hint: the file). */
#define SOCK_MSG_LOG 'L'
/* A burrow_log_fn (lib/err.h) for a child: its warnings and debug lines
 * go to its parent over the socket *(int *)data. */
void sock_log_sink(enum burrow_log_level level, const char *file, int line, const char *msg, void *data);
/* After a SOCK_MSG_LOG record m: reads the line and says it here (with
 * this process's sink and its once-only rule). 0, or -1 when it is cut
 * short. */
int sock_relay_log(int sock, const struct sock_msg *m);

/* An error record over a socket or pipe. Wire format: int32 status,
 * uint32 message length, uint32 hint length, message, hint. */
int burrow_err_send(int fd, const struct burrow_err *err);
/* Reads one record: 1 when one was read (replaces *err), 0 at EOF, -1 when
 * it is cut short or malformed. */
int burrow_err_recv(int fd, struct burrow_err **err);

#endif
