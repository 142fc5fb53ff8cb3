/* burrow-init: the container's pid 1 with `burrow run --init`.
 *
 * Usage: burrow-init [--] COMMAND [ARG...]
 *
 * A process that is pid 1 of a pid namespace gets no signal it has no
 * handler for (the kernel drops SIGTERM to a `sleep`), and inherits every
 * orphan of the namespace: a shell or a daemon as pid 1 leaves them
 * zombies. This one runs COMMAND as its child, forwards to it every signal
 * it gets, reaps every child that ends, and exits when COMMAND does, with
 * its code (128+N when signal N ended it), as tini and catatonit do.
 *
 * Built static (Makefile) so that it runs in any image: no libc, no loader
 * of the image's is needed. Bind-mounted read-only at /run/podman-init. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* "burrow-init: WHAT: the errno's text", and exit with code. */
static void die(const char *what, int code)
{
	fprintf(stderr, "burrow-init: %s: %s\n", what, strerror(errno));
	_exit(code);
}

/* The signals a fault raises in this process itself: left unblocked. */
static int synchronous(int sig)
{
	return sig == SIGFPE || sig == SIGILL || sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGTRAP ||
	       sig == SIGSYS;
}

/* The child: its own process group, the terminal's foreground one when
 * it has one (so that ^C and job control reach it), the signal mask as
 * the container started with, then the command. */
static void child(sigset_t *orig, char **argv)
{
	setpgid(0, 0);
	if (isatty(STDIN_FILENO)) {
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(STDIN_FILENO, getpgrp());
		signal(SIGTTOU, SIG_DFL);
	}
	sigprocmask(SIG_SETMASK, orig, NULL);
	execvp(argv[0], argv);
	int e = errno;
	char what[256];
	snprintf(what, sizeof(what), "cannot run '%s'", argv[0]);
	errno = e;
	die(what, e == ENOENT ? 127 : 126);
}

int main(int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (first >= argc) {
		fprintf(stderr, "usage: burrow-init [--] COMMAND [ARG...]\n");
		return 125;
	}
	/* every signal waits for sigwaitinfo below, but the faults */
	sigset_t all, orig;
	sigfillset(&all);
	for (int s = 1; s < NSIG; s++)
		if (synchronous(s))
			sigdelset(&all, s);
	if (sigprocmask(SIG_BLOCK, &all, &orig) < 0)
		die("cannot block signals", 125);
	/* not pid 1 (run by hand, or in a shared pid namespace): orphans
	 * still come here */
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	pid_t pid = fork();
	if (pid < 0)
		die("cannot fork", 125);
	if (pid == 0)
		child(&orig, argv + first);

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue; /* EINTR */
		if (sig != SIGCHLD) {
			/* a stop from the terminal is for the command, not for us */
			kill(pid, sig);
			continue;
		}
		/* reap everything that ended: the command, and the orphans the
		 * namespace gave us */
		int status;
		pid_t w;
		while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
			if (w != pid)
				continue;
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			return 128 + WTERMSIG(status);
		}
	}
}
