/* A chain of directories "d", each in the one before, for the tests of
 * deep trees (walk, copy-up). Include after cmocka.h. */
#ifndef BURROW_TESTS_UNIT_DIRCHAIN_H
#define BURROW_TESTS_UNIT_DIRCHAIN_H

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

#endif
