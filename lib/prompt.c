#include "lib/prompt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"

#define SECRET_MAX (64 * 1024)

char *prompt_line(const char *prompt, bool secret, struct burrow_err **err)
{
	cleanup_close int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		burrow_error_status(err, ENOTTY, "cannot ask for the %s: there is no terminal",
		                    secret ? "password" : "user name");
		return NULL;
	}
	struct termios old, quiet;
	bool restore = false;
	if (secret && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	if (write_all(fd, prompt, strlen(prompt)) < 0) {
		if (restore)
			tcsetattr(fd, TCSAFLUSH, &old);
		burrow_error(err, errno, "cannot write to the terminal");
		return NULL;
	}
	char *line = xmalloc(1024);
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n + 1 < 1024)
			line[n++] = c;
	}
	line[n] = '\0';
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (n && line[n - 1] == '\r')
		line[n - 1] = '\0';
	return line;
}

char *read_secret_fd(int fd, struct burrow_err **err)
{
	char *buf = xmalloc(SECRET_MAX + 1);
	ssize_t n = read_all(fd, buf, SECRET_MAX + 1);
	if (n < 0) {
		burrow_error(err, errno, "cannot read the password from standard input");
		free(buf);
		return NULL;
	}
	if (n > SECRET_MAX) {
		explicit_bzero(buf, SECRET_MAX + 1);
		free(buf);
		burrow_error(err, 0, "the password on standard input is longer than %d bytes", SECRET_MAX);
		return NULL;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return buf;
}
