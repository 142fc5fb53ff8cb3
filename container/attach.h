/* The attach protocol: how a container's monitor and its clients (a
 * foreground run, start -a, attach) talk.
 *
 * The channel is an AF_UNIX SOCK_SEQPACKET socket: either the socketpair
 * the starting command made when it spawned the monitor (the starter's
 * channel), or a connection to the socket the monitor listens on,
 * RUNDIR/attach (RUNROOT/containers/<id>/attach; connect and bind go
 * through /proc/self/fd/<dirfd>/attach, because the path may be longer
 * than sun_path allows). Each message is one packet: a type byte, then
 * the payload (at most CTR_ATTACH_DATA_MAX bytes); integers in host byte
 * order (both ends are on one machine).
 *
 * client -> monitor
 *   HELLO   u8 flags: CTR_ATTACH_WANT_STDIN (a client of the socket sends
 *           it first; the starter's channel has its flags from the start)
 *   STDIN   bytes for the container's stdin: honoured from the one client
 *           that holds stdin (the first that wanted it while nobody held
 *           it, and the container was made with -i); ignored otherwise
 *   EOF     the client's input ended: the container's stdin pipe is
 *           closed (with a pty, ^D is written, what a terminal does)
 *   RESIZE  u16 rows, u16 cols: the pty's window size (ignored without -t)
 *   SIGNAL  i32 signal number: sent to the container init (sig-proxy)
 *   GO      u8 flags: CTR_ATTACH_GO_ATTACH, CTR_ATTACH_WANT_STDIN: start
 *           of an initialized container (burrow init): its command runs,
 *           and from here on the connection is the starter's channel
 *           (STARTED or ERROR, then as a run's); a client's first message.
 *           The container's lock rides along (SCM_RIGHTS), taken by the
 *           starter when it found the container initialized: the monitor
 *           holds it for the start, so no other start finds it
 *           initialized meanwhile (and sends a GO that comes after the
 *           command ended); a later one finds it running or exited, as
 *           podman's start under the container's lock.
 *           To a monitor whose container already runs: STARTED at once
 *   HEALTH  (no payload) burrow healthcheck run stored a result: the
 *           monitor reads the stored status and does what its own checks'
 *           results do (health_status event, --sdnotify=healthy,
 *           --health-on-failure); such a client sends no HELLO
 * A client that leaves (detach keys, or its process ended) just closes its
 * end: the container runs on; stdin is free for the next one.
 *
 * monitor -> client
 *   STARTED i32 container init pid, i32 monitor pid: the container runs
 *           (starter's channel only, and always its first message)
 *   WELCOME u8 flags: CTR_ATTACH_TTY (the output is a pty's: everything
 *           is STDOUT), CTR_ATTACH_HAS_STDIN (this client holds stdin)
 *           (the answer to HELLO; on the starter's channel it follows
 *           STARTED when the starter attaches)
 *   STDOUT  bytes the container wrote to its stdout (or its pty)
 *   STDERR  bytes it wrote to its stderr
 *   EXIT    i32 exit code (0-255; 126/127 when its command could not be
 *           run), u8 flags (CTR_ATTACH_RESTARTING: the restart policy
 *           starts it again, the monitor stays): the container ended, its
 *           end was recorded and it was cleaned up (removed, with --rm).
 *           The last message.
 *   ERROR   i32 exit code (125: burrow failed; 126, 127: the container's
 *           command cannot be run, is not there), then an error record
 *           (i32 status, u32 message length, message, hint): burrow could
 *           not start the container, or refuses the client. The last
 *           message.
 * Output is never dropped: while any client has more than
 * CTR_ATTACH_QUEUE_MAX bytes waiting, the monitor stops reading the
 * container's output (the container blocks on a full pipe), so a client
 * that does not read holds the container's output back. */
#ifndef BURROW_CONTAINER_ATTACH_H
#define BURROW_CONTAINER_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

enum ctr_attach_type {
	CTR_ATTACH_HELLO = 'H',
	CTR_ATTACH_STDIN = '0',
	CTR_ATTACH_EOF = 'e',
	CTR_ATTACH_RESIZE = 'r',
	CTR_ATTACH_SIGNAL = 's',
	CTR_ATTACH_HEALTH = 'h',
	CTR_ATTACH_GO = 'g',
	CTR_ATTACH_STARTED = 'S',
	CTR_ATTACH_WELCOME = 'W',
	CTR_ATTACH_STDOUT = '1',
	CTR_ATTACH_STDERR = '2',
	CTR_ATTACH_EXIT = 'X',
	CTR_ATTACH_ERROR = 'E',
	CTR_ATTACH_WARN = 'w', /* a warning for the user (text), e.g. a poststop hook's */
};

/* HELLO flags */
#define CTR_ATTACH_WANT_STDIN 0x01
/* GO flags (with CTR_ATTACH_WANT_STDIN) */
#define CTR_ATTACH_GO_ATTACH 0x02
/* WELCOME flags */
#define CTR_ATTACH_TTY 0x01
#define CTR_ATTACH_HAS_STDIN 0x02
/* EXIT flags */
#define CTR_ATTACH_RESTARTING 0x01

/* Largest payload of one message, and the most output waiting for one
 * client before the monitor stops reading the container's. */
#define CTR_ATTACH_DATA_MAX 32768
#define CTR_ATTACH_QUEUE_MAX (1024 * 1024)
/* The socket's name in the container's runtime dir. */
#define CTR_ATTACH_SOCKET "attach"

/* Sends one message (type, then len bytes of data). flags: MSG_DONTWAIT
 * for a non-blocking send. 0, or -1 with errno (EAGAIN: try later). */
int ctr_attach_send(int fd, uint8_t type, const void *data, size_t len, int flags);
/* The same (blocking), with passed (an fd) riding along (SCM_RIGHTS). */
int ctr_attach_send_fd(int fd, uint8_t type, const void *data, size_t len, int passed);
/* recv(2) of one message, for the clients' side. A peer that closes its
 * end while messages of ours wait unread in its queue (a client's EOF that
 * came after the monitor's last read) leaves ECONNRESET pending, and Linux
 * reports it before the messages the peer sent earlier: those are read
 * here all the same (the EXIT after the container's last output), and the
 * end is 0, as for a peer that closed cleanly. */
ssize_t ctr_attach_recv(int fd, void *buf, size_t size);
/* An exit code and an error record as one ERROR message. */
int ctr_attach_send_error(int fd, int exit_code, const struct burrow_err *e);
/* Reads an ERROR message's payload back; NULL when it is malformed. */
struct burrow_err *ctr_attach_parse_error(const uint8_t *p, size_t n, int *exit_code);

/* Connects to the attach socket in rundir. -1 (errno) when nothing
 * listens there. */
int ctr_attach_connect_dir(const char *rundir, struct burrow_err **err);
/* Binds and listens on it (non-blocking, close-on-exec); a stale socket
 * file is replaced. */
int ctr_attach_listen_dir(const char *rundir, struct burrow_err **err);

#endif
