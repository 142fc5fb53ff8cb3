/* A stand-in for systemd's notify socket and for systemd-notify, static so
 * that a test can copy it into an image:
 *   sdnotify listen PATH OUT [SECONDS]  binds a datagram socket at PATH
 *       and appends every message it gets to OUT, followed by a line
 *       "--"; exits after SECONDS (default 120) or at SIGTERM
 *   sdnotify send MESSAGE               sends MESSAGE ("\n" in it: a new
 *       line) to the socket $NOTIFY_SOCKET names (a path) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		fprintf(stderr, "sdnotify: path too long: %s\n", path);
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

static int do_listen(const char *path, const char *out, int seconds)
{
	struct sockaddr_un sa;
	if (addr(path, &sa) < 0)
		return 1;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "sdnotify: bind %s: %s\n", path, strerror(errno));
		return 1;
	}
	int o = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (o < 0) {
		fprintf(stderr, "sdnotify: %s: %s\n", out, strerror(errno));
		return 1;
	}
	time_t end = time(NULL) + seconds;
	char buf[8192];
	while (time(NULL) < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 500) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf) - 4, 0);
		if (n < 0)
			continue;
		memcpy(buf + n, "\n--\n", 4);
		if (write(o, buf, (size_t)n + 4) < 0)
			return 1;
	}
	return 0;
}

static int do_send(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	if (!path) {
		fprintf(stderr, "sdnotify: NOTIFY_SOCKET is not set\n");
		return 1;
	}
	if (addr(path, &sa) < 0)
		return 1;
	char buf[4096];
	size_t n = 0;
	for (const char *p = msg; *p && n < sizeof(buf) - 1; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			buf[n++] = '\n';
			p++;
		} else {
			buf[n++] = *p;
		}
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, buf, n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "sdnotify: send to %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "listen") == 0)
		return do_listen(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 120);
	if (argc == 3 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2]);
	fprintf(stderr, "usage: sdnotify listen PATH OUT [SECONDS] | sdnotify send MESSAGE\n");
	return 2;
}
