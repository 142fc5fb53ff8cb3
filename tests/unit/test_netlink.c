/* Unit tests for netns/netlink.c's exchange: one deadline for a request
 * and its whole answer, against a peer on a socketpair that trickles
 * messages which decide nothing; answers that are large, unaligned or
 * malformed; and what udpkeep.c makes of a netlink step that failed. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/proc.h"
#include "netns/internal.h"

/* decides on an NLMSG_ERROR (its error), not on anything else */
static bool ack(const struct nlmsghdr *h, int *rc)
{
	if (h->nlmsg_type != NLMSG_ERROR)
		return false;
	*rc = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
	return true;
}

static void send_msg(int fd, uint16_t type, uint32_t seq, int error)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} m;
	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = type;
	m.h.nlmsg_seq = seq;
	m.e.error = error;
	(void)send(fd, &m, sizeof(m), MSG_NOSIGNAL);
}

/* The peer: reads the request, then sends `noise` messages that decide
 * nothing (another sequence number, or ours but no ack), one every
 * 50 ms, then the ack (error) unless error is 1, then closes (killed at
 * the exchange's end if it is still at it). */
static pid_t peer(int fd, int noise, int error)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	alarm(60);
	struct nlmsghdr req;
	if (recv(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		_exit(1);
	for (int i = 0; i < noise; i++) {
		send_msg(fd, i % 2 ? NLMSG_NOOP : NLMSG_ERROR, i % 2 ? req.nlmsg_seq : req.nlmsg_seq + 1, -EPERM);
		usleep(50 * 1000);
	}
	if (error != 1)
		send_msg(fd, NLMSG_ERROR, req.nlmsg_seq, error);
	_exit(0);
}

static int exchange(int noise, int error, int64_t wait_ms, int64_t *took)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	cleanup_pid pid_t pid = peer(sv[1], noise, error);
	close(sv[1]);
	struct nlmsghdr req = {.nlmsg_len = sizeof(req), .nlmsg_type = NLMSG_NOOP, .nlmsg_seq = 42};
	int64_t t0 = now_ms();
	int rc = nl_exchange(sv[0], &req, t0 + wait_ms, ack);
	*took = now_ms() - t0;
	close(sv[0]);
	return rc;
}

/* a peer that trickles messages for 30 s cannot hold a 300 ms exchange
 * past its deadline (a wait per message would last until it stops); the
 * bound, 10 s, leaves room for a loaded machine */
static void test_trickle_deadline(void **state)
{
	(void)state;
	int64_t took = 0;
	assert_int_equal(exchange(600, 1, 300, &took), -ETIMEDOUT);
	if (took >= 10000)
		fail_msg("the exchange lasted %lld ms past its 300 ms deadline", (long long)(took - 300));
}

/* the answer among messages that decide nothing; a peer that closes */
static void test_answer(void **state)
{
	(void)state;
	int64_t took = 0;
	assert_int_equal(exchange(3, 0, 5000, &took), 0);
	assert_int_equal(exchange(2, -EEXIST, 5000, &took), -EEXIST);
	assert_int_equal(exchange(0, 1, 5000, &took), -ECONNRESET);
}

/* Writes a message header at b: type, seq and a length of len. */
static void put_msg(char *b, uint16_t type, uint32_t seq, uint32_t len)
{
	struct nlmsghdr h = {.nlmsg_len = len, .nlmsg_type = type, .nlmsg_seq = seq};
	memcpy(b, &h, sizeof(h));
}

/* Writes an ack (NLMSG_ERROR with error) at b; returns its length. */
static size_t put_ack(char *b, uint32_t seq, int error)
{
	struct nlmsgerr e = {.error = error};
	put_msg(b, NLMSG_ERROR, seq, (uint32_t)NLMSG_LENGTH(sizeof(e)));
	memcpy(b + NLMSG_HDRLEN, &e, sizeof(e));
	return NLMSG_LENGTH(sizeof(e));
}

static void send_raw(int fd, const void *b, size_t len)
{
	if (send(fd, b, len, MSG_NOSIGNAL) != (ssize_t)len)
		_exit(2);
}

/* Runs an exchange (10 s: the peer answers at once, but a loaded machine
 * may run it late) against a peer that reads the request, then runs
 * script with its sequence number, then closes. */
static int scripted(void (*script)(int fd, uint32_t seq))
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	int size = 1 << 20;
	(void)setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(30);
		close(sv[0]);
		struct nlmsghdr req;
		if (recv(sv[1], &req, sizeof(req), 0) != (ssize_t)sizeof(req))
			_exit(1);
		script(sv[1], req.nlmsg_seq);
		/* stays until the exchange is over: a close would end it */
		char c;
		(void)recv(sv[1], &c, 1, 0);
		_exit(0);
	}
	cleanup_pid pid_t child = pid;
	close(sv[1]);
	struct nlmsghdr req = {.nlmsg_len = sizeof(req), .nlmsg_type = NLMSG_NOOP, .nlmsg_seq = 42};
	int rc = nl_exchange(sv[0], &req, now_ms() + 10000, ack);
	close(sv[0]);
	return rc;
}

/* one datagram of 8000 bytes: a message that decides nothing, then the
 * ack past the first 4096 bytes */
static void big_answer(int fd, uint32_t seq)
{
	static char b[8000];
	size_t first = sizeof(b) - NLMSG_LENGTH(sizeof(struct nlmsgerr));
	put_msg(b, NLMSG_NOOP, seq, (uint32_t)first);
	put_ack(b + first, seq, -EEXIST);
	send_raw(fd, b, sizeof(b));
}

/* a datagram past NL_ANSWER_MAX, then a good ack that must not count */
static void huge_answer(int fd, uint32_t seq)
{
	size_t len = NL_ANSWER_MAX + 4096;
	char *b = calloc(1, len);
	if (!b)
		_exit(3);
	put_msg(b, NLMSG_NOOP, seq, (uint32_t)len);
	send_raw(fd, b, len);
	char a[64];
	send_raw(fd, a, put_ack(a, seq, 0));
}

/* a datagram whose last message has an unaligned length (21: its
 * padding missing), after one that left an ack for us where the next
 * message would start (24) if the padding were taken from the length
 * left; then the real ack */
static void unaligned_answer(int fd, uint32_t seq)
{
	char b[64] = {0};
	size_t fake = put_ack(b + 24, seq, -EILSEQ);
	put_msg(b, NLMSG_NOOP, seq, (uint32_t)(24 + fake));
	send_raw(fd, b, 24 + fake);
	memset(b, 0, sizeof(b));
	put_msg(b, NLMSG_NOOP, seq, 21);
	send_raw(fd, b, 21);
	send_raw(fd, b, put_ack(b, seq, -EEXIST));
}

/* a message longer than its datagram */
static void overlong_answer(int fd, uint32_t seq)
{
	char b[64] = {0};
	size_t len = put_ack(b, seq, 0);
	put_msg(b, NLMSG_ERROR, seq, (uint32_t)len + 8);
	send_raw(fd, b, len);
}

/* an answer is read whole, however long; one past NL_ANSWER_MAX, an
 * unaligned last message or one that does not fit fail at once, named */
static void test_answer_shapes(void **state)
{
	(void)state;
	assert_int_equal(scripted(big_answer), -EEXIST);
	assert_int_equal(scripted(huge_answer), -EMSGSIZE);
	assert_int_equal(scripted(unaligned_answer), -EEXIST);
	assert_int_equal(scripted(overlong_answer), -EBADMSG);
}

/* a transient error keeps UDP clients' addresses for the next flow; a
 * refusal or a route that no longer comes back turns it off, each named
 * for what it is */
static void test_udpkeep_after(void **state)
{
	(void)state;
	static const int transient[] = {-EAGAIN, -ENOBUFS, -ETIMEDOUT, -EINTR, -ENOMEM, -EBUSY};
	for (size_t i = 0; i < sizeof(transient) / sizeof(transient[0]); i++) {
		assert_int_equal(udpkeep_after_failure(false, transient[i]), UDPKEEP_RETRY);
		assert_int_equal(udpkeep_after_failure(true, transient[i]), UDPKEEP_RETRY);
	}
	assert_int_equal(udpkeep_after_failure(true, 0), UDPKEEP_ROUTING);
	assert_int_equal(udpkeep_after_failure(false, -EPERM), UDPKEEP_BROKEN);
	assert_int_equal(udpkeep_after_failure(false, -EINVAL), UDPKEEP_BROKEN);
	assert_int_equal(udpkeep_after_failure(true, -EPERM), UDPKEEP_BROKEN);
	assert_int_equal(udpkeep_after_failure(false, -ECONNRESET), UDPKEEP_BROKEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trickle_deadline),
	    cmocka_unit_test(test_answer),
	    cmocka_unit_test(test_answer_shapes),
	    cmocka_unit_test(test_udpkeep_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
