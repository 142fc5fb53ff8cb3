/* Processes and time: one monotonic clock, bounded waits, children that
 * cannot outlive the scope that made them (cleanup_pid in lib/cleanup.h),
 * and pids read back from state named safely across pid reuse (a pidfd,
 * then the start time). Every call retries EINTR. */
#ifndef BURROW_LIB_PROC_H
#define BURROW_LIB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Milliseconds (nanoseconds) on CLOCK_MONOTONIC: every deadline and timer
 * in burrow is on this clock, never on wall time. */
int64_t now_ms(void);
int64_t now_ns(void);

/* For tests: sleeps the milliseconds (1 to PROC_TEST_DELAY_MAX_MS) that
 * the environment variable var names, widening a window a test must hit
 * (a kill, a pause between two steps); nothing when it is unset or empty;
 * any other value (not a number, out of range) is a warning on stderr,
 * so that a test cannot lose its window unnoticed. */
#define PROC_TEST_DELAY_MAX_MS 60000
void proc_test_delay(const char *var);

/* Waits until fd reports one of events (POLLIN, POLLOUT; an error or a
 * hang-up counts as ready) or now_ms() reaches deadline. Returns 1 ready,
 * 0 timed out, -1 on a poll error (errno set). */
int wait_fd(int fd, short events, int64_t deadline);

/* waitpid(2), retrying EINTR. */
pid_t waitpid_eintr(pid_t pid, int *status, int flags);

/* The bounded wait for a child of ours: returns 1 once it exited before
 * the deadline (reaped, *status set when status is not NULL); 0 when the
 * deadline passed first: it was then killed (SIGKILL) and reaped; -1 when
 * it cannot be waited for (errno, e.g. ECHILD). Watches a pidfd where the
 * kernel has them, else polls every millisecond. */
int proc_wait_child(pid_t pid, int64_t deadline, int *status);

/* The bounded wait for a child of ours whose output comes through rd
 * (O_NONBLOCK, the child's end closed here): what arrives meanwhile goes
 * into buf (at most max bytes, *len of them used; the rest is dropped,
 * so a chatty child cannot block on a full pipe). Returns 1 once it
 * exited (reaped, *status set, what was left in the pipe read); 0 when
 * deadline passed first (it is not killed: the caller's cleanup_pid
 * does); -1 on an error (errno). */
int proc_wait_output(pid_t pid, int rd, char *buf, size_t max, size_t *len, int64_t deadline, int *status);

/* "exited with N", "was killed by signal N" for a waitpid status.
 * Caller frees. */
char *proc_status_text(int status);

/* SIGKILL and reap a child of ours; status may be NULL. What cleanup_pid
 * does at the end of a scope. */
void proc_kill_reap(pid_t pid, int *status);

/* The start time (field 22 of /proc/PID/stat, clock ticks since boot); 0
 * when the process is gone or a zombie (a leader thread that ended while
 * other threads of it live on is not: that process is alive). With the pid, it names a process
 * across pid reuse. */
unsigned long long proc_start_time(pid_t pid);
/* Field 22 of one /proc/PID/stat text; 0 when it is malformed or the
 * process a zombie (state X, or Z with one thread left). The command name may hold anything,
 * ')' and spaces included. */
unsigned long long proc_stat_start_time(const char *stat);
/* Whether pid still is the process that started at start (start != 0). */
bool proc_is(pid_t pid, unsigned long long start);

/* Stats pid's namespace link NAME ("mnt", "pid", ...): /proc/PID/ns/NAME,
 * or, when its leader thread ended with pthread_exit() while others live
 * on (its own links then read ENOENT), a live thread's
 * /proc/PID/task/TID/ns/NAME. The path that answered goes into path
 * (len bytes; 64 are enough). 0, or -1 with errno (ENOENT: no live
 * thread of it). */
struct stat;
int proc_ns_stat(pid_t pid, const char *name, struct stat *st, char *path, size_t len);

/* pidfd_open(2); -1 with errno ENOSYS on kernels before 5.3 (RHEL 8). */
int proc_pidfd_open(pid_t pid);

/* A process named safely: a pidfd where the kernel has them (it stays
 * bound to that process even once its pid is reused), and its start time,
 * which stands in for the pidfd on older kernels (rechecked before every
 * signal; a window of a few instructions remains there). */
struct proc_ref {
	pid_t pid;
	int pidfd; /* -1 without pidfd support */
	unsigned long long start;
};
#define PROC_REF_INIT                             \
	{                                         \
		.pid = 0, .pidfd = -1, .start = 0 \
	}

/* Opens a reference to pid: the pidfd first, then the start time is read
 * (and, when start is not 0, must equal it: a pid from a state file names
 * that process or none). Returns 1 when the process is alive (ref set), 0
 * when it is gone or the pid names another process now, -1 on another
 * error (errno). */
int proc_ref_open(struct proc_ref *ref, pid_t pid, unsigned long long start);
/* Sends sig: pidfd_send_signal, or kill after checking the start time
 * again. 0, or -1 with errno (ESRCH: it is gone). */
int proc_ref_signal(const struct proc_ref *ref, int sig);
/* Whether it has exited (a zombie counts as exited). */
bool proc_ref_gone(const struct proc_ref *ref);
/* Waits until it has exited or deadline passes; true when it has exited. */
bool proc_ref_wait_gone(const struct proc_ref *ref, int64_t deadline);
/* Closes the pidfd; the reference is empty afterwards. */
void proc_ref_close(struct proc_ref *ref);

/* The children of parent, of all its threads (/proc/PID/task/TID/children,
 * which Debian's kernels have), each opened while it still is parent's
 * (its pidfd, then its parent and start time read again): *out holds
 * them (close each, free the array); returns how many; 0 when it has
 * none or they cannot be read. */
size_t proc_children(const struct proc_ref *parent, struct proc_ref **out);

/* Signals a stored process (pid with its start time, as read back from
 * state): pidfd opened, start time checked, pidfd_send_signal. 0 when it
 * was sent, or when there is nothing to signal: the process is gone, pid
 * names another one now, or start is 0 (a pid never signalled unchecked);
 * -1 when it is refused (errno, e.g. EPERM). */
int proc_signal(pid_t pid, unsigned long long start, int sig);
/* Waits until that process has exited or deadline passes; true when it
 * has (or is no longer there to wait for: gone, another, start 0). */
bool proc_wait_gone(pid_t pid, unsigned long long start, int64_t deadline);

/* Closes every fd but keep (-1: all), in a child about to live on its own:
 * close_range where the kernel has it (5.9), else each fd listed in
 * /proc/self/fd. */
void close_fds_except(int keep);
/* The same for several fds to keep (n of them, in any order; -1s are
 * skipped). */
void close_fds_keep(const int *keep, size_t n);
/* The same from fd low up: the fds below it stay open. */
void close_fds_keep_from(int low, const int *keep, size_t n);

#endif
