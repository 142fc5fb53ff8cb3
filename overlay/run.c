/* Running fuse-overlayfs and friends: posix_spawn with only stdin, stdout
 * and stderr open, output captured through a pipe, exit watched through a
 * pidfd, every wait bounded. */
#include "overlay/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

extern char **environ;

#define OUTPUT_MAX 8192

/* Reads what is available without blocking; returns 0 at EOF, 1 otherwise. */
static int drain(int fd, char *buf, size_t *len)
{
	for (;;) {
		char tmp[1024];
		ssize_t r = TEMP_FAILURE_RETRY(read(fd, tmp, sizeof(tmp)));
		if (r < 0)
			return 1; /* EAGAIN or an error: nothing more now */
		if (r == 0)
			return 0;
		size_t room = OUTPUT_MAX - *len;
		size_t n = (size_t)r < room ? (size_t)r : room;
		memcpy(buf + *len, tmp, n);
		*len += n;
	}
}

int ovl_run(char *const *argv, const char *what, int timeout_ms, int *status, char **output, struct burrow_err **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return burrow_error(err, errno, "cannot create a pipe");
	cleanup_close int rd = p[0];
	cleanup_close int wr = p[1];
	if (fcntl(rd, F_SETFL, O_NONBLOCK) < 0)
		return burrow_error(err, errno, "cannot set up a pipe");

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, wr, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, wr, STDERR_FILENO);
	/* fuse-overlayfs lives on as the mount's server: it must not keep
	 * what our caller inherited without O_CLOEXEC (a terminal, a pipe
	 * someone waits on for EOF, a lock) */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	/* the child must not inherit a blocked signal mask or ignored SIGCHLD handling */
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	sigset_t deflt;
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGCHLD);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	cleanup_pid pid_t pid = 0;
	int rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		pid = 0;
		return burrow_error(err, rc, "cannot run '%s'", argv[0]);
	}
	close(steal_fd(wr));

	cleanup_close int pidfd = proc_pidfd_open(pid);
	cleanup_free char *buf = xmalloc(OUTPUT_MAX + 1);
	size_t len = 0;
	bool open_pipe = true;
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		int wst;
		pid_t w = waitpid_eintr(pid, &wst, WNOHANG);
		if (w == pid) {
			steal_pid(pid);
			*status = wst;
			break;
		}
		if (w < 0)
			return burrow_error(err, errno, "cannot wait for '%s'", argv[0]);
		int64_t left = deadline - now_ms();
		if (left <= 0) /* cleanup_pid kills and reaps it */
			return burrow_error(err, ETIMEDOUT, "'%s' did not finish %s within %d ms", argv[0], what,
			                    timeout_ms);
		struct pollfd pf[2];
		nfds_t n = 0;
		if (pidfd >= 0)
			pf[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		if (open_pipe)
			pf[n++] = (struct pollfd){.fd = rd, .events = POLLIN};
		/* without a pidfd (old kernel) poll the pipe in short steps */
		int step = pidfd >= 0 ? (int)left : (left < 5 ? (int)left : 5);
		if (n == 0) {
			struct timespec ts = {0, 1000000};
			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(pf, n, step) < 0 && errno != EINTR)
			return burrow_error(err, errno, "cannot wait for '%s'", argv[0]);
		if (open_pipe && drain(rd, buf, &len) == 0)
			open_pipe = false;
	}
	drain(rd, buf, &len);
	buf[len] = '\0';
	if (output)
		*output = steal_ptr(buf);
	return 0;
}

char *ovl_one_line(const char *output)
{
	char *r = xcalloc(1, strlen(output) * 2 + 1);
	size_t n = 0;
	const char *line = output;
	while (*line) {
		const char *end = strchrnul(line, '\n');
		const char *s = line, *e = end;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		bool chatter = (size_t)(e - s) >= 25 && strncmp(s, "unknown argument ignored:", 25) == 0;
		if (e > s && !chatter) {
			if (n) {
				memcpy(r + n, "; ", 2);
				n += 2;
			}
			memcpy(r + n, s, (size_t)(e - s));
			n += (size_t)(e - s);
		}
		line = *end ? end + 1 : end;
	}
	r[n] = '\0';
	return r;
}
