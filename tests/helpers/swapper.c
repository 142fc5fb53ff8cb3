/* A hostile container's file swapper, static so that a test can copy it
 * into an image:
 *   swapper DIR N   makes DIR/f0 .. DIR/f<N-1> regular files ("data\n"),
 *                   then, until killed, puts a FIFO in each one's place
 *                   and a regular file back, each by one rename(2), as
 *                   fast as it can: whatever reads DIR meanwhile sees a
 *                   name that was a file when it looked turn into a FIFO
 *                   when it opens it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int file_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "data\n", 5) != 5) {
		perror(name);
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: swapper DIR N\n");
		return 2;
	}
	int n = atoi(argv[2]);
	int dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || n <= 0) {
		perror(argv[1]);
		return 1;
	}
	char name[32];
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		if (file_at(dfd, name) < 0)
			return 1;
	}
	for (;;) {
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "f%d", i);
			unlinkat(dfd, ".p", 0);
			if (mkfifoat(dfd, ".p", 0644) < 0 || renameat(dfd, ".p", dfd, name) < 0 ||
			    file_at(dfd, ".r") < 0 || renameat(dfd, ".r", dfd, name) < 0) {
				perror("swap");
				return 1;
			}
		}
	}
}
