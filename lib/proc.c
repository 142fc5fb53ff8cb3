#include "lib/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* How often the waits without a pidfd look again. */
#define POLL_STEP_MS 1

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

void proc_test_delay(const char *var)
{
	const char *v = getenv(var);
	if (!v || !*v)
		return;
	char *end;
	errno = 0;
	long ms = strtol(v, &end, 10);
	/* said, not skipped: a test that set it relies on the window */
	if (errno || *end || ms < 1 || ms > PROC_TEST_DELAY_MAX_MS) {
		burrow_warn("ignoring %s='%s': not a number of milliseconds from 1 to %d", var, str_quote(v),
		            PROC_TEST_DELAY_MAX_MS);
		return;
	}
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* What is left until deadline, as a poll() timeout. */
static int ms_left(int64_t deadline)
{
	int64_t left = deadline - now_ms();
	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, ms_left(deadline));
		if (r > 0)
			return 1;
		if (r == 0 && now_ms() >= deadline)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

pid_t waitpid_eintr(pid_t pid, int *status, int flags)
{
	return (pid_t)TEMP_FAILURE_RETRY(waitpid(pid, status, flags));
}

int proc_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_send(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int proc_wait_child(pid_t pid, int64_t deadline, int *status)
{
	int pidfd = proc_pidfd_open(pid);
	int st = 0, ret = -1;
	for (;;) {
		pid_t w = waitpid_eintr(pid, &st, WNOHANG);
		if (w == pid) {
			ret = 1;
			break;
		}
		if (w < 0)
			break;
		if (now_ms() >= deadline) {
			proc_kill_reap(pid, &st);
			ret = 0;
			break;
		}
		if (pidfd >= 0) {
			if (wait_fd(pidfd, POLLIN, deadline) < 0)
				break;
		} else {
			sleep_ms(POLL_STEP_MS);
		}
	}
	int e = errno;
	if (pidfd >= 0)
		close(pidfd);
	if (ret >= 0 && status)
		*status = st;
	errno = e;
	return ret;
}

char *proc_status_text(int status)
{
	if (WIFEXITED(status))
		return xasprintf("exited with %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return xasprintf("was killed by signal %d", WTERMSIG(status));
	return xasprintf("ended with status %d", status);
}

void proc_kill_reap(pid_t pid, int *status)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	int st = 0;
	waitpid_eintr(pid, &st, 0);
	if (status)
		*status = st;
}

unsigned long long proc_stat_start_time(const char *stat)
{
	/* "PID (COMM) S ..." : COMM may hold ") ", so look for the last ')' */
	const char *p = strrchr(stat, ')');
	if (!p || p[1] != ' ' || p[2] == '\0' || p[2] == 'X')
		return 0;
	p += 2; /* field 3, the state */
	/* Z: a zombie, or a leader that called pthread_exit() while its
	 * other threads run on (its num_threads, field 20, still counts
	 * them): that process is alive */
	bool leader_gone = *p == 'Z';
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
		if (field + 1 == 20 && leader_gone && strtol(p, NULL, 10) <= 1)
			return 0;
	}
	if (*p < '0' || *p > '9')
		return 0;
	return strtoull(p, NULL, 10);
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[1024];
	ssize_t n = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return proc_stat_start_time(buf);
}

int proc_ns_stat(pid_t pid, const char *name, struct stat *st, char *path, size_t len)
{
	snprintf(path, len, "/proc/%d/ns/%s", (int)pid, name);
	if (stat(path, st) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	DIR *d = opendir(dir);
	if (!d) {
		errno = ENOENT;
		return -1;
	}
	int ret = -1;
	struct dirent *de;
	while (ret < 0 && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || atoi(de->d_name) == (int)pid)
			continue; /* ".", "..", the leader itself */
		snprintf(path, len, "/proc/%d/task/%s/ns/%s", (int)pid, de->d_name, name);
		ret = stat(path, st);
	}
	closedir(d);
	if (ret < 0)
		errno = ENOENT;
	return ret;
}

bool proc_is(pid_t pid, unsigned long long start)
{
	return pid > 0 && start != 0 && proc_start_time(pid) == start;
}

int proc_ref_open(struct proc_ref *ref, pid_t pid, unsigned long long start)
{
	*ref = (struct proc_ref)PROC_REF_INIT;
	if (pid <= 0) {
		errno = ESRCH;
		return 0;
	}
	/* the pidfd first, then the start time: the pidfd then surely is
	 * the process that started then */
	int fd = proc_pidfd_open(pid);
	if (fd < 0 && errno != ENOSYS)
		return errno == ESRCH ? 0 : -1;
	unsigned long long st = proc_start_time(pid);
	if (st == 0 || (start != 0 && st != start)) {
		if (fd >= 0)
			close(fd);
		errno = ESRCH;
		return 0;
	}
	ref->pid = pid;
	ref->pidfd = fd;
	ref->start = st;
	return 1;
}

int proc_ref_signal(const struct proc_ref *ref, int sig)
{
	if (ref->pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	if (ref->pidfd >= 0)
		return pidfd_send(ref->pidfd, sig);
	if (!proc_is(ref->pid, ref->start)) {
		errno = ESRCH;
		return -1;
	}
	return kill(ref->pid, sig);
}

bool proc_ref_gone(const struct proc_ref *ref)
{
	if (ref->pid <= 0)
		return true;
	if (ref->pidfd >= 0) {
		struct pollfd p = {.fd = ref->pidfd, .events = POLLIN};
		return TEMP_FAILURE_RETRY(poll(&p, 1, 0)) > 0;
	}
	/* a zombie's start time reads as 0 too */
	return !proc_is(ref->pid, ref->start);
}

bool proc_ref_wait_gone(const struct proc_ref *ref, int64_t deadline)
{
	for (;;) {
		if (proc_ref_gone(ref))
			return true;
		if (now_ms() >= deadline)
			return false;
		if (ref->pidfd >= 0) {
			if (wait_fd(ref->pidfd, POLLIN, deadline) < 0)
				return false;
		} else {
			sleep_ms(2 * POLL_STEP_MS);
		}
	}
}

void proc_ref_close(struct proc_ref *ref)
{
	if (ref->pidfd >= 0)
		close(ref->pidfd);
	*ref = (struct proc_ref)PROC_REF_INIT;
}

int proc_signal(pid_t pid, unsigned long long start, int sig)
{
	struct proc_ref ref;
	if (start == 0 || proc_ref_open(&ref, pid, start) <= 0)
		return 0;
	int r = proc_ref_signal(&ref, sig);
	int e = errno;
	proc_ref_close(&ref);
	errno = e;
	return r < 0 && e != ESRCH ? -1 : 0;
}

bool proc_wait_gone(pid_t pid, unsigned long long start, int64_t deadline)
{
	struct proc_ref ref;
	if (start == 0 || proc_ref_open(&ref, pid, start) <= 0)
		return true;
	bool gone = proc_ref_wait_gone(&ref, deadline);
	proc_ref_close(&ref);
	return gone;
}

/* pid's parent (field 4 of its stat) and start time, read at once; -1
 * when it is gone. */
static pid_t stat_parent(pid_t pid, unsigned long long *start)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[1024];
	ssize_t n = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	if (!p || strlen(p) < 5 || !(*start = proc_stat_start_time(buf)))
		return -1;
	return (pid_t)strtol(p + 4, NULL, 10); /* ") S PPID" */
}

/* One child listed in a children file: opened, then kept only while it
 * still is parent's (the same start time read with its parent). */
static void add_child(const struct proc_ref *parent, pid_t pid, struct proc_ref **out, size_t *n)
{
	struct proc_ref ref;
	unsigned long long start = 0;
	if (proc_ref_open(&ref, pid, 0) <= 0)
		return;
	if (stat_parent(pid, &start) != parent->pid || start != ref.start || proc_ref_gone(parent)) {
		proc_ref_close(&ref);
		return;
	}
	*out = xrealloc(*out, (*n + 1) * sizeof(**out));
	(*out)[(*n)++] = ref;
}

size_t proc_children(const struct proc_ref *parent, struct proc_ref **out)
{
	*out = NULL;
	size_t n = 0;
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)parent->pid);
	DIR *d = proc_ref_gone(parent) ? NULL : opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char path[96];
		snprintf(path, sizeof(path), "%s/%d/children", dir, atoi(de->d_name));
		char *text = NULL;
		struct burrow_err *e = NULL;
		if (read_file(path, &text, NULL, &e) < 0) {
			burrow_err_free(e);
			continue;
		}
		for (char *p = text, *end; *p; p = end) {
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0)
				add_child(parent, (pid_t)pid, out, &n);
		}
		free(text);
	}
	closedir(d);
	return n;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

void close_fds_keep(const int *keep, size_t n)
{
	close_fds_keep_from(0, keep, n);
}

void close_fds_keep_from(int low, const int *keep, size_t n)
{
	int sorted[16];
	size_t m = 0;
	for (size_t i = 0; i < n && m < sizeof(sorted) / sizeof(sorted[0]); i++)
		if (keep[i] >= low)
			sorted[m++] = keep[i];
	qsort(sorted, m, sizeof(int), int_cmp);
	unsigned from = (unsigned)low;
	bool ok = true;
	for (size_t i = 0; i <= m && ok; i++) {
		unsigned to = i < m ? (unsigned)sorted[i] : ~0U;
		if (i < m && to == from) {
			from = to + 1;
			continue;
		}
		if (i < m && to < from)
			continue; /* a duplicate */
		ok = syscall(SYS_close_range, from, i < m ? to - 1 : to, 0U) == 0;
		if (i < m)
			from = to + 1;
	}
	if (ok)
		return;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		long long fd;
		if (str_to_ll(de->d_name, low, INT_MAX, &fd) < 0 || fd == dirfd(d) ||
		    bsearch(&(int){(int)fd}, sorted, m, sizeof(int), int_cmp))
			continue;
		close((int)fd);
	}
	closedir(d);
}

void close_fds_except(int keep)
{
	close_fds_keep(&keep, 1);
}

/* Reads what rd has without blocking into buf (at most max; the rest is
 * read and dropped); 0 at EOF, 1 otherwise. */
static int drain_output(int rd, char *buf, size_t max, size_t *len)
{
	for (;;) {
		char tmp[4096];
		ssize_t r = TEMP_FAILURE_RETRY(read(rd, tmp, sizeof(tmp)));
		if (r <= 0)
			return r == 0 ? 0 : 1; /* EAGAIN or an error: nothing more now */
		size_t room = max - *len;
		size_t n = (size_t)r < room ? (size_t)r : room;
		memcpy(buf + *len, tmp, n);
		*len += n;
	}
}

int proc_wait_output(pid_t pid, int rd, char *buf, size_t max, size_t *len, int64_t deadline, int *status)
{
	int pidfd = proc_pidfd_open(pid);
	bool open_pipe = true;
	int rc;
	for (;;) {
		int wst;
		pid_t w = waitpid_eintr(pid, &wst, WNOHANG);
		if (w == pid) {
			*status = wst;
			rc = 1;
			break;
		}
		int64_t left = deadline - now_ms();
		if (w < 0 || left <= 0) {
			rc = w < 0 ? -1 : 0;
			break;
		}
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
		if (poll(pf, n, step) < 0 && errno != EINTR) {
			rc = -1;
			break;
		}
		if (open_pipe && drain_output(rd, buf, max, len) == 0)
			open_pipe = false;
	}
	int e = errno;
	if (rc == 1)
		drain_output(rd, buf, max, len);
	if (pidfd >= 0)
		close(pidfd);
	errno = e;
	return rc;
}
