/* Unit tests for lib/proc (start times, bounded waits, children owned by
 * a scope, pids named safely) and lib/sock (records, fds, error records). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/sock.h"

static void test_stat_start_time(void **state)
{
	(void)state;
	/* fields 3..21 then 22 = 4242 */
	const char *rest = " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 4242 99 100\n";
	char buf[512];
	snprintf(buf, sizeof(buf), "123 (sh)%s", rest);
	assert_int_equal(proc_stat_start_time(buf), 4242);
	/* a command name may hold ") " and digits: the last ')' counts */
	snprintf(buf, sizeof(buf), "123 (a) 1 2 (b)%s", rest);
	assert_int_equal(proc_stat_start_time(buf), 4242);
	/* a zombie (one thread left: field 20) or a dead task has no start
	 * time worth naming */
	assert_int_equal(proc_stat_start_time("123 (sh) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 1 18 4242 9"), 0);
	/* a leader that called pthread_exit() while 3 threads run on is alive */
	assert_int_equal(proc_stat_start_time("123 (sh) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 3 18 4242 9"), 4242);
	assert_int_equal(proc_stat_start_time("123 (sh) X 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 4242 9"), 0);
	/* cut short, or no ')' at all */
	assert_int_equal(proc_stat_start_time("123 (sh) S 1 2 3"), 0);
	assert_int_equal(proc_stat_start_time("123 sh S 1 2"), 0);
	assert_int_equal(proc_stat_start_time(""), 0);
	/* our own, read from /proc */
	assert_true(proc_start_time(getpid()) > 0);
	assert_true(proc_is(getpid(), proc_start_time(getpid())));
	assert_false(proc_is(getpid(), proc_start_time(getpid()) + 1));
	assert_false(proc_is(getpid(), 0));
}

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static void test_sock_records(void **state)
{
	(void)state;
	int sv[2], p[2];
	pair(sv);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	/* a record alone, then one carrying the pipe's write end */
	assert_int_equal(sock_send(sv[0], 'A', -7, -1), 0);
	assert_int_equal(sock_send(sv[0], 'F', 42, p[1]), 0);
	close(p[1]);
	struct sock_msg m;
	int fd = 99;
	assert_int_equal(sock_recv(sv[1], &m, &fd), 1);
	assert_int_equal(m.tag, 'A');
	assert_int_equal(m.value, -7);
	assert_int_equal(fd, -1);
	assert_int_equal(sock_recv(sv[1], &m, &fd), 1);
	assert_int_equal(m.tag, 'F');
	assert_int_equal(m.value, 42);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* the fd that came is the pipe */
	assert_int_equal(write_all(fd, "x", 1), 0);
	close(fd);
	char c = 0;
	assert_int_equal(read_all(p[0], &c, 1), 1);
	assert_int_equal(c, 'x');
	close(p[0]);
	/* a record cut short, then EOF */
	assert_int_equal(write_all(sv[0], "abc", 3), 0);
	close(sv[0]);
	errno = 0;
	assert_int_equal(sock_recv(sv[1], &m, NULL), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(sock_recv(sv[1], &m, NULL), 0);
	close(sv[1]);
}

static void test_sock_error_record(void **state)
{
	(void)state;
	int sv[2];
	pair(sv);
	struct burrow_err *e = NULL;
	burrow_error_status(&e, ENOENT, "executable file '%s' not found in $PATH", "nope");
	burrow_error_hint(&e, "check the image");
	assert_int_equal(sock_send_error(sv[0], e), 0);
	burrow_err_free(e);
	/* without a hint */
	e = NULL;
	burrow_error(&e, 0, "second");
	assert_int_equal(sock_send_error(sv[0], e), 0);
	burrow_err_free(e);

	struct sock_msg m;
	cleanup_err struct burrow_err *got = NULL;
	assert_int_equal(sock_recv(sv[1], &m, NULL), 1);
	assert_int_equal(m.tag, SOCK_MSG_ERROR);
	assert_int_equal(burrow_err_recv(sv[1], &got), 1);
	assert_int_equal(got->status, ENOENT);
	assert_string_equal(got->msg, "executable file 'nope' not found in $PATH");
	assert_string_equal(got->hint, "check the image");
	assert_int_equal(sock_recv(sv[1], &m, NULL), 1);
	assert_int_equal(m.tag, SOCK_MSG_ERROR);
	assert_int_equal(burrow_err_recv(sv[1], &got), 1);
	assert_string_equal(got->msg, "second");
	assert_null(got->hint);

	/* a header announcing more than a record may hold is refused before
	 * anything past it is read */
	struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	uint32_t hdr[3] = {0, 1u << 20, 0};
	assert_int_equal(write_all(sv[0], hdr, sizeof(hdr)), 0);
	assert_int_equal(write_all(sv[0], "hello", 5), 0);
	assert_int_equal(burrow_err_recv(sv[1], &got), -1);
	assert_string_equal(got->msg, "second"); /* untouched */
	char rest[5];
	assert_int_equal(read_all(sv[1], rest, 5), 5);
	assert_memory_equal(rest, "hello", 5);
	/* one cut short */
	uint32_t hdr2[3] = {0, 10, 0};
	assert_int_equal(write_all(sv[0], hdr2, sizeof(hdr2)), 0);
	assert_int_equal(write_all(sv[0], "abc", 3), 0);
	close(sv[0]);
	assert_int_equal(burrow_err_recv(sv[1], &got), -1);
	assert_int_equal(burrow_err_recv(sv[1], &got), 0);
	close(sv[1]);
}

static void test_wait_fd(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	int64_t t0 = now_ms();
	assert_int_equal(wait_fd(p[0], POLLIN, t0 + 30), 0);
	assert_true(now_ms() - t0 >= 30);
	/* a deadline already past still sees what is ready */
	assert_int_equal(write_all(p[1], "x", 1), 0);
	assert_int_equal(wait_fd(p[0], POLLIN, t0), 1);
	close(p[1]);
	close(p[0]);
}

static pid_t sleeper(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* never outlives the test, even one that fails half-way */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

static void test_wait_child(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(3);
	int st = 0;
	assert_int_equal(proc_wait_child(pid, now_ms() + 5000, &st), 1);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 3);

	/* past the deadline: killed and reaped */
	pid = sleeper();
	int64_t t0 = now_ms();
	assert_int_equal(proc_wait_child(pid, t0 + 50, &st), 0);
	assert_true(now_ms() - t0 >= 50);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	cleanup_free char *text = proc_status_text(st);
	assert_string_equal(text, "was killed by signal 9");
}

static pid_t scoped(bool keep)
{
	cleanup_pid pid_t pid = sleeper();
	if (keep)
		return steal_pid(pid);
	return pid; /* the value is returned, the child dies with the scope */
}

static void test_cleanup_pid(void **state)
{
	(void)state;
	pid_t gone = scoped(false);
	assert_int_equal(waitpid(gone, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	pid_t kept = scoped(true);
	assert_int_equal(waitpid(kept, NULL, WNOHANG), 0);
	proc_kill_reap(kept, NULL);
}

/* close_fds_keep closes every fd but the ones listed (unsorted, with
 * duplicates and -1s), in a child so that the runner's fds stay. */
static void test_close_fds_keep(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fds[6];
		for (int i = 0; i < 6; i++)
			fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		int keep[] = {fds[4], -1, fds[1], fds[4], 2};
		close_fds_keep(keep, sizeof(keep) / sizeof(keep[0]));
		int bad = 0;
		for (int i = 0; i < 6; i++) {
			bool open_now = fcntl(fds[i], F_GETFD) >= 0;
			bad += open_now != (i == 1 || i == 4);
		}
		bad += fcntl(2, F_GETFD) < 0;
		bad += fcntl(0, F_GETFD) >= 0;
		_exit(bad);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_proc_ref(void **state)
{
	(void)state;
	pid_t pid = sleeper();
	unsigned long long start = 0;
	for (int i = 0; i < 1000 && (start = proc_start_time(pid)) == 0; i++)
		usleep(1000);
	assert_true(start > 0);

	/* another start time: another process, never signalled (nothing to
	 * signal: 0); nor is a pid without a start time */
	struct proc_ref ref;
	assert_int_equal(proc_ref_open(&ref, pid, start + 1), 0);
	assert_int_equal(ref.pid, 0);
	assert_int_equal(proc_signal(pid, start + 1, SIGKILL), 0);
	assert_int_equal(proc_signal(pid, 0, SIGKILL), 0);
	assert_true(proc_wait_gone(pid, start + 1, now_ms() + 5000));
	assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);
	assert_false(proc_wait_gone(pid, start, now_ms() + 20));

	assert_int_equal(proc_ref_open(&ref, pid, start), 1);
	assert_false(proc_ref_gone(&ref));
	assert_false(proc_ref_wait_gone(&ref, now_ms() + 20));
	assert_int_equal(proc_ref_signal(&ref, SIGTERM), 0);
	assert_true(proc_ref_wait_gone(&ref, now_ms() + 5000));
	assert_true(proc_wait_gone(pid, start, now_ms() + 5000)); /* a zombie counts */
	int st = 0;
	assert_int_equal(waitpid_eintr(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	proc_ref_close(&ref);
	assert_int_equal(ref.pidfd, -1);
	/* reaped: nothing to open */
	assert_int_equal(proc_ref_open(&ref, pid, start), 0);

	/* one that ends by itself a little later is waited for */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(50000);
		_exit(0);
	}
	for (int i = 0; i < 1000 && (start = proc_start_time(pid)) == 0; i++)
		usleep(1000);
	assert_true(proc_wait_gone(pid, start, now_ms() + 5000));
	assert_int_equal(waitpid_eintr(pid, NULL, 0), pid);
}

/* The fds open in this process. */
static int open_fds(void)
{
	int n = 0;
	cleanup_dir DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	while (readdir(d))
		n++;
	return n;
}

/* A record that comes with more fds than the one it may carry is refused,
 * and none of them stays open here (two fit in the room for one, three do
 * not: MSG_CTRUNC); one fd comes through. */
static void test_sock_recv_fds(void **state)
{
	(void)state;
	int sv[2], a = open("/dev/null", O_RDONLY | O_CLOEXEC), b = dup(a);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	for (size_t nfds = 2; nfds <= 3; nfds++) {
		struct sock_msg out = {.tag = 'X', .value = 1};
		struct iovec iov = {.iov_base = &out, .iov_len = sizeof(out)};
		union {
			char buf[CMSG_SPACE(3 * sizeof(int))];
			struct cmsghdr align;
		} u;
		memset(&u, 0, sizeof(u));
		struct msghdr msg = {.msg_iov = &iov,
		                     .msg_iovlen = 1,
		                     .msg_control = u.buf,
		                     .msg_controllen = CMSG_SPACE(nfds * sizeof(int))};
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		int fds[3] = {a, b, a};
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
		assert_int_equal(sendmsg(sv[1], &msg, 0), (ssize_t)sizeof(out));
		int before = open_fds();
		struct sock_msg m;
		int got = 7;
		errno = 0;
		assert_int_equal(sock_recv(sv[0], &m, &got), -1);
		assert_int_equal(errno, EBADMSG);
		assert_int_equal(got, -1);
		assert_int_equal(open_fds(), before);
	}
	/* one: it comes */
	assert_int_equal(sock_send(sv[1], 'Y', 2, a), 0);
	struct sock_msg m;
	int got = -1;
	assert_int_equal(sock_recv(sv[0], &m, &got), 1);
	assert_int_equal(m.tag, 'Y');
	assert_true(got >= 0);
	close(got);
	close(a);
	close(b);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stat_start_time),   cmocka_unit_test(test_sock_records),
	    cmocka_unit_test(test_sock_error_record), cmocka_unit_test(test_wait_fd),
	    cmocka_unit_test(test_wait_child),        cmocka_unit_test(test_cleanup_pid),
	    cmocka_unit_test(test_proc_ref),          cmocka_unit_test(test_close_fds_keep),
	    cmocka_unit_test(test_sock_recv_fds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
