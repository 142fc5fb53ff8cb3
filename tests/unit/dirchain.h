/* A chain of directories "d", each in the one before, for the tests of
 * deep trees (walk, copy-up), and the count of open fds that such a walk
 * must leave as it found it. Include after cmocka.h. */
#ifndef BURROW_TESTS_UNIT_DIRCHAIN_H
#define BURROW_TESTS_UNIT_DIRCHAIN_H

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* depth directories "d" made under the directory fd, each with mode; fd
 * is closed, the deepest one's returned open. */
static inline int dir_chain(int fd, int depth, mode_t mode)
{
	assert_true(fd >= 0);
	for (int i = 0; i < depth; i++) {
		assert_int_equal(mkdirat(fd, "d", mode), 0);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	return fd;
}

/* How many fds this process has open. */
static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#endif
