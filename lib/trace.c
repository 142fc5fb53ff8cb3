#include "lib/trace.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The file stays open across marks; a process that closed its fds since
 * (the monitor's daemonize) or sees another file under that number
 * opens it again by name (the container's init after pivot_root cannot:
 * its later marks are lost). */
static int trace_fd = -1;
static dev_t trace_dev;
static ino_t trace_ino;

static int trace_open(const char *path)
{
	struct stat st;
	if (trace_fd >= 0 && fstat(trace_fd, &st) == 0 && st.st_dev == trace_dev && st.st_ino == trace_ino)
		return trace_fd;
	trace_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (trace_fd >= 0 && fstat(trace_fd, &st) == 0) {
		trace_dev = st.st_dev;
		trace_ino = st.st_ino;
	}
	return trace_fd;
}

void trace_mark(const char *what)
{
	static const char *path;
	static int looked;
	if (!looked) {
		path = getenv("BURROW_TRACE_TIMES");
		looked = 1;
	}
	if (!path || !*path)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int fd = trace_open(path);
	if (fd < 0)
		return;
	char line[160];
	int n = snprintf(line, sizeof(line), "%lld %d %s\n", (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000,
	                 (int)getpid(), what);
	if (n > 0)
		(void)!write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
