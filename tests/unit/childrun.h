/* Running part of a unit test in a child process: one that becomes
 * nobody (root opens any directory), makes namespaces of its own or
 * loads a seccomp filter, without touching the test process. Include
 * after cmocka.h. */
#ifndef BURROW_TESTS_UNIT_CHILDRUN_H
#define BURROW_TESTS_UNIT_CHILDRUN_H

#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fileutil.h"
#include "lib/xalloc.h"

/* As root: becomes nobody (uid and gid 65534, no groups); as anyone
 * else: nothing. 0 or -1. */
static inline int child_drop_root(void)
{
	if (geteuid() != 0)
		return 0;
	return setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0 ? -1 : 0;
}

/* Runs fn(arg, out) in a child, which exits with what fn returns (or
 * calls _exit itself); what it writes to the fd out lands in msg (NUL
 * terminated, cut at n - 1 bytes). Its wait status. */
static inline int child_spawn(int (*fn)(const void *arg, int out), const void *arg, char *msg, size_t n)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(fn(arg, p[1]));
	}
	close(p[1]);
	ssize_t got = read_all(p[0], msg, n - 1);
	close(p[0]);
	msg[got > 0 ? got : 0] = '\0';
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

struct child_buf_call {
	int (*fn)(const void *arg, char *out, size_t n);
	const void *arg;
};

static inline int child_buf_call(const void *call, int out)
{
	const struct child_buf_call *c = call;
	char buf[4096] = "";
	int rc = c->fn(c->arg, buf, sizeof(buf));
	return rc < 0 ? 2 : write_all(out, buf, strlen(buf)) < 0 ? 3 : 0;
}

/* Runs fn(arg, out, n) in a child (no cmocka assertion may run there: it
 * reports in out) and returns what it put in out; asserts that fn
 * returned 0. Caller frees. */
static inline char *child_run(int (*fn)(const void *arg, char *out, size_t n), const void *arg)
{
	struct child_buf_call call = {fn, arg};
	char buf[4096];
	int st = child_spawn(child_buf_call, &call, buf, sizeof(buf));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	return xstrdup(buf);
}

#endif
