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

	cleanup_free char *buf = xmalloc(OUTPUT_MAX + 1);
	size_t len = 0;
	int r = proc_wait_output(pid, rd, buf, OUTPUT_MAX, &len, now_ms() + timeout_ms, status);
	if (r < 0)
		return burrow_error(err, errno, "cannot wait for '%s'", argv[0]);
	if (r == 0) /* cleanup_pid kills and reaps it */
		return burrow_error(err, ETIMEDOUT, "'%s' did not finish %s within %d ms", argv[0], what, timeout_ms);
	steal_pid(pid);
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
