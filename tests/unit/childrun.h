/* Running part of a unit test in a child process: one that becomes
 * nobody (root opens any directory), or makes namespaces of its own,
 * without touching the test process. Include after cmocka.h. */
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

/* Runs fn(arg, out, n) in a child (no cmocka assertion may run there: it
 * reports in out) and returns what it put in out; asserts that fn
 * returned 0. Caller frees. */
static inline char *child_run(int (*fn)(const void *arg, char *out, size_t n), const void *arg)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		char out[4096] = "";
		int rc = fn(arg, out, sizeof(out));
		_exit(rc < 0 ? 2 : write_all(p[1], out, strlen(out)) < 0 ? 3 : 0);
	}
	close(p[1]);
	char buf[4096];
	ssize_t n = read_all(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(n >= 0);
	buf[n] = '\0';
	return xstrdup(buf);
}

#endif
