/* rt-run [-t] [-K] [-P] BUNDLE: runs an OCI bundle with runtime/ alone
 * (rt_create, rt_start, waitpid) so the runtime can be tested without the
 * rest of burrow. Must run as (namespace) root, e.g. under `unshare -Urm`
 * or `burrow unshare`. stdio is inherited; -t allocates a pty in the
 * container and relays it to our own stdio. Exit code: the container's,
 * 125 when the runtime failed, 126/127 when the command cannot be run /
 * was not found.
 *
 * -K plays a kernel older than 5.9 (no close_range: it fails with ENOSYS),
 * -P one older than 5.3 (no pidfds: pidfd_open fails with ENOSYS), for this
 * process and everything it starts, container included.
 * rt-run -K|-P -- COMMAND [ARG...] only does that and execs COMMAND (with
 * no_new_privs when we lack CAP_SYS_ADMIN). */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "runtime/runtime.h"

/* Copies what is readable on from to to; 0 on EOF/EIO (pty closed). */
static int relay(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0)
		return 0;
	return write_all(to, buf, (size_t)n) == 0 ? 1 : 0;
}

/* Relays stdin -> pty master -> stdout until the container closes its
 * side of the pty (or exits). */
static void relay_pty(int master)
{
	bool in_open = true;
	for (;;) {
		struct pollfd p[2] = {{.fd = master, .events = POLLIN}, {.fd = in_open ? 0 : -1, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!relay(master, 1))
				return;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!relay(0, master))
				in_open = false;
		}
	}
}

/* The system call name fails with ENOSYS from now on, as on a kernel
 * older than it. Without CAP_SYS_ADMIN loading the filter needs
 * no_new_privs (nnp). */
static int no_syscall(const char *name, bool nnp)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -1;
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, nnp);
	int nr = seccomp_syscall_resolve_name(name);
	if (r == 0 && nr != __NR_SCMP_ERROR)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r == 0 && nr != __NR_SCMP_ERROR ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct rt_opts opts = {.stdio = {0, 1, 2}, .terminal = false};
	int argi = 1;
	const char *missing = NULL; /* the system call an old kernel lacks */
	for (; argi < argc && argv[argi][0] == '-'; argi++) {
		if (strcmp(argv[argi], "-t") == 0) {
			opts.terminal = true;
		} else if (strcmp(argv[argi], "-K") == 0) {
			missing = "close_range";
		} else if (strcmp(argv[argi], "-P") == 0) {
			missing = "pidfd_open";
		} else if (strcmp(argv[argi], "--") == 0) {
			argi++;
			break;
		} else {
			argi = argc;
			break;
		}
	}
	bool exec_cmd = argi > 1 && strcmp(argv[argi - 1], "--") == 0;
	if (argi >= argc || (!exec_cmd && argi + 1 != argc) || (exec_cmd && !missing)) {
		fprintf(stderr, "usage: rt-run [-t] [-K|-P] BUNDLE\n       rt-run -K|-P -- COMMAND [ARG...]\n");
		return 125;
	}
	/* a container must not get no_new_privs from us; a command may (then
	 * setuid newuidmap does not work for it) */
	if (missing && no_syscall(missing, false) < 0 && (!exec_cmd || no_syscall(missing, true) < 0)) {
		fprintf(stderr, "rt-run: cannot install the seccomp filter that removes %s\n", missing);
		return 125;
	}
	if (exec_cmd) {
		execvp(argv[argi], argv + argi);
		fprintf(stderr, "rt-run: cannot run '%s': %s\n", argv[argi], strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	signal(SIGPIPE, SIG_IGN);
	struct burrow_err *err = NULL;
	struct rt_container *c = NULL;
	if (rt_create(argv[argi], &opts, &c, &err) < 0) {
		burrow_err_print(err);
		burrow_err_free(err);
		return 125;
	}
	if (rt_start(c, &err) < 0) {
		int code = rt_exec_exit_code(err);
		burrow_err_print(err);
		burrow_err_free(err);
		int st;
		waitpid_eintr(c->pid, &st, 0);
		rt_container_free(c);
		return code;
	}
	if (c->pty_master >= 0)
		relay_pty(c->pty_master);
	int st = 0;
	if (waitpid_eintr(c->pid, &st, 0) != c->pid) {
		perror("rt-run: waitpid");
		rt_container_free(c);
		return 125;
	}
	rt_container_free(c);
	return rt_exit_code(st);
}
