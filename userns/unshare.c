/* burrow unshare: run a command inside the namespace and pass its exit
 * status through. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "userns/internal.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP};
#define N_FORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* a terminal's ^C already reaches the child (same process group):
	 * forward only what was sent to us alone */
	if (child_pid > 0 && si->si_code != SI_KERNEL)
		kill((pid_t)child_pid, sig);
}

/* Runs a file that is not a binary and has no #! line the way execvp does: with /bin/sh. */
static void exec_script(const char *file, char *const *argv)
{
	size_t n = strv_len(argv);
	char **sh = xcalloc(n + 2, sizeof(char *));
	sh[0] = (char *)"/bin/sh";
	sh[1] = (char *)file;
	for (size_t i = 1; i < n; i++)
		sh[i + 1] = argv[i];
	execv(sh[0], sh);
	free(sh);
}

/* execvp, except that a PATH entry we may not search does not turn "not
 * found" into "permission denied": EACCES only for a file that is there.
 * Runs in the child; returns the errno to report. */
static int exec_command(char *const *argv)
{
	const char *name = argv[0];
	if (strchr(name, '/')) {
		execvp(name, argv);
		return errno;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	cleanup_strv char **dirs = strv_split(path, ':');
	int result = ENOENT;
	for (size_t i = 0; dirs[i]; i++) {
		cleanup_free char *file = path_join(*dirs[i] ? dirs[i] : ".", name);
		execv(file, argv);
		int e = errno;
		if (e == ENOEXEC) {
			exec_script(file, argv);
			return e;
		}
		struct stat st;
		if (e == EACCES && stat(file, &st) == 0 && S_ISREG(st.st_mode))
			result = EACCES;
		else if (e != ENOENT && e != ENOTDIR && e != EACCES && e != ELOOP && e != ENAMETOOLONG)
			return e; /* it is there but broken: say so, as execvp does */
	}
	return result;
}

int userns_unshare_run(char *const *argv, int *exit_status, struct burrow_err **err)
{
	const char *shell_argv[2] = {NULL, NULL};
	if (!argv || !argv[0]) {
		const char *shell = getenv("SHELL");
		shell_argv[0] = shell && *shell ? shell : "/bin/sh";
		argv = (char *const *)shell_argv;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return burrow_error(err, errno, "cannot create a pipe");
	cleanup_close int rd = pipefd[0];
	cleanup_close int wr = pipefd[1];

	/* handlers in place before the child exists, signals held until its pid is known */
	sigset_t block, oldmask;
	sigemptyset(&block);
	for (size_t i = 0; i < N_FORWARDED; i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	struct sigaction old[N_FORWARDED];
	struct sigaction fwd = {.sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigemptyset(&fwd.sa_mask);
	for (size_t i = 0; i < N_FORWARDED; i++)
		sigaction(forwarded[i], &fwd, &old[i]);
	child_pid = 0;
	/* SIGCHLD may have been ignored by whoever started us: then we could not wait */
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old_chld;
	sigaction(SIGCHLD, &dfl, &old_chld);

	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* the command gets the dispositions and mask we were started with */
		for (size_t i = 0; i < N_FORWARDED; i++)
			sigaction(forwarded[i], &old[i], NULL);
		sigaction(SIGCHLD, &old_chld, NULL);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		close(rd);
		/* our standard streams are the command's, whatever we hold them
		 * with (--out's file is close-on-exec, for burrow's helpers: the
		 * command would start with no stdout, and the first file it
		 * opened would take its place) */
		for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
			int fl = fcntl(fd, F_GETFD);
			if (fl >= 0 && (fl & FD_CLOEXEC))
				(void)fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
		}
		int e = exec_command(argv);
		(void)write_all(wr, &e, sizeof(e));
		_exit(127);
	}
	int fork_errno = errno;
	if (pid > 0)
		child_pid = pid;
	sigprocmask(SIG_SETMASK, &oldmask, NULL);

	int r = 0;
	if (pid < 0) {
		r = burrow_error(err, fork_errno, "cannot fork");
		goto out;
	}
	close(steal_fd(wr));
	int exec_errno = 0;
	ssize_t n = read_all(rd, &exec_errno, sizeof(exec_errno));
	int status = 0;
	if (waitpid_eintr(pid, &status, 0) < 0) {
		r = burrow_error(err, errno, "cannot wait for '%s'", str_quote(argv[0]));
		goto out;
	}
	if (n == (ssize_t)sizeof(exec_errno)) {
		if (exec_errno == ENOENT && !strchr(argv[0], '/')) {
			r = burrow_error_status(err, ENOENT, "executable file '%s' not found in $PATH",
			                        str_quote(argv[0]));
		} else if (exec_errno == ENOENT) {
			r = burrow_error(err, ENOENT, "cannot run '%s'", str_quote(argv[0]));
		} else {
			r = burrow_error(err, exec_errno, "cannot execute '%s'", str_quote(argv[0]));
		}
		goto out;
	}
	if (WIFEXITED(status))
		*exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		*exit_status = 128 + WTERMSIG(status);
	else
		*exit_status = 125;
out:
	child_pid = 0;
	for (size_t i = 0; i < N_FORWARDED; i++)
		sigaction(forwarded[i], &old[i], NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	return r;
}
