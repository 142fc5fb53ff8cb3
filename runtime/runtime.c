/* The parent side: clone the container init, follow its setup over the
 * sync socket, let it exec. */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/sock.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"

/* Bounds on the waits for the init (a stuck fuse mount must not hang us). */
#define RT_SETUP_TIMEOUT_MS 30000
#define RT_EXEC_TIMEOUT_MS 30000
/* The file system of /proc/PID/ns/ files (linux/magic.h). */
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

struct rt_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
};

pid_t rt_clone(int flags)
{
	struct rt_clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = (uint64_t)(unsigned)flags;
	args.exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD; /* CLONE_PARENT: the caller's own, as clone3 wants */
	long r = syscall(SYS_clone3, &args, sizeof(args));
	if (r < 0 && errno == ENOSYS)
		r = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
	return (pid_t)r;
}

/* The child's error record after an RT_MSG_ERROR tag. */
static int recv_child_error(const struct rt_container *c, const char *what, struct burrow_err **err)
{
	struct burrow_err *e = NULL;
	if (burrow_err_recv(c->sync_fd, &e) != 1)
		return burrow_error(err, EPROTO, "cannot read the error of %s while %s", c->who, what);
	burrow_err_free(*err);
	*err = e;
	return -1;
}

static int describe_exit(const struct rt_container *c, const char *what, struct burrow_err **err)
{
	int st = 0;
	if (waitpid_eintr(c->pid, &st, 0) != c->pid)
		return burrow_error(err, 0, "%s exited while %s", c->who, what);
	if (WIFSIGNALED(st))
		return burrow_error(err, 0, "%s was killed by signal %d while %s", c->who, WTERMSIG(st), what);
	return burrow_error(err, 0, "%s exited with %d while %s", c->who, WEXITSTATUS(st), what);
}

int rt_wait_ready(struct rt_container *c, const char *what, struct burrow_err **err)
{
	int64_t deadline = now_ms() + RT_SETUP_TIMEOUT_MS;
	for (;;) {
		int r = wait_fd(c->sync_fd, POLLIN, deadline);
		if (r == 0) {
			proc_kill_reap(c->pid, NULL);
			return burrow_error(err, ETIMEDOUT, "timed out after %d s waiting for %s to set up",
			                    RT_SETUP_TIMEOUT_MS / 1000, c->who);
		}
		struct sock_msg m = {0};
		int fd = -1;
		if (r > 0)
			r = sock_recv(c->sync_fd, &m, &fd);
		if (r < 0) {
			int e = errno;
			proc_kill_reap(c->pid, NULL);
			return burrow_error(err, e, "cannot read from %s", c->who);
		}
		if (r == 0)
			return describe_exit(c, what, err);
		if (fd >= 0 && m.tag != RT_MSG_FD)
			close(steal_fd(fd));
		switch (m.tag) {
		case RT_MSG_READY:
			return 0;
		case RT_MSG_FD:
			if (fd < 0) {
				proc_kill_reap(c->pid, NULL);
				return burrow_error(err, EBADMSG, "cannot receive the pty from %s", c->who);
			}
			if (c->pty_master >= 0)
				close(c->pty_master);
			c->pty_master = fd;
			break;
		case SOCK_MSG_LOG:
			if (sock_relay_log(c->sync_fd, &m) < 0) {
				proc_kill_reap(c->pid, NULL);
				return burrow_error(err, EBADMSG, "cannot read a warning from %s", c->who);
			}
			break;
		case SOCK_MSG_ERROR:
			recv_child_error(c, what, err);
			proc_kill_reap(c->pid, NULL);
			return -1;
		default:
			proc_kill_reap(c->pid, NULL);
			return burrow_error(err, EPROTO, "unexpected message %#x from %s", (unsigned)m.tag, c->who);
		}
	}
}

/* The pid namespace linux.namespaces names to join (its fd in ns_fds),
 * or -1. */
static int pidns_fd(const struct rt_init *ini)
{
	for (size_t i = 0; i < ini->spec->n_namespaces; i++)
		if (ini->spec->namespaces[i].flag == CLONE_NEWPID && ini->ns_fds[i] >= 0)
			return ini->ns_fds[i];
	return -1;
}

/* A namespace path /proc/PID/ns/... with burrowPidStart, just opened:
 * PID must still be the process that started then, else the open may
 * have reached another that got its pid meanwhile. */
static int check_ns_owner(const struct rt_namespace *n, struct burrow_err **err)
{
	int pid = 0, end = 0;
	if (!n->pid_start)
		return 0;
	if (sscanf(n->path, "/proc/%d/ns/%*[a-z_]%n", &pid, &end) != 1 || end == 0 || n->path[end] || pid <= 0)
		return burrow_error(err, EINVAL,
		                    "linux.namespaces: burrowPidStart needs a path /proc/PID/ns/NAME, not '%s'",
		                    str_quote(n->path));
	if (!proc_is((pid_t)pid, n->pid_start))
		return burrow_error(err, ESRCH, "cannot join the namespace '%s': its process ended",
		                    str_quote(n->path));
	return 0;
}

/* A namespace to join by path, opened for setns: refused unless it is a
 * namespace file (of /proc/PID/ns, or a bind mount of one), looked at
 * through O_PATH first, so that a FIFO there hangs nothing and a device
 * there is never opened. */
static int open_ns(const char *path, struct burrow_err **err)
{
	cleanup_close int p = open(path, O_PATH | O_CLOEXEC);
	struct statfs sf;
	if (p < 0 || fstatfs(p, &sf) < 0)
		return burrow_error(err, errno, "cannot open namespace '%s'", str_quote(path));
	if (sf.f_type != NSFS_MAGIC) {
		burrow_error_status(err, EINVAL, "cannot join '%s': it is not a namespace", str_quote(path));
		return burrow_error_hint(err, "give a namespace file: /proc/PID/ns/NAME, or a bind mount of one");
	}
	char self[48];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", p);
	int fd = open(self, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open namespace '%s'", str_quote(path));
	return fd;
}

int rt_create(const char *bundle, const struct rt_opts *opts, struct rt_container **out, struct burrow_err **err)
{
	struct rt_spec *spec = NULL;
	if (rt_spec_load(bundle, &spec, err) < 0)
		return -1;
	struct rt_container *c = rt_container_new(spec, "the container init");
	trace_mark("rt: spec loaded");

	struct rt_init ini;
	int rc = -1;
	if (rt_init_prepare(&ini, spec, opts->terminal || spec->terminal, opts->stdio, opts->keyring,
	                    opts->seccomp_cache, err) < 0)
		goto out;
	ini.unlock_fd[0] = opts->unlock_fd[0];
	ini.unlock_fd[1] = opts->unlock_fd[1];
	ini.preserve_fds = opts->preserve_fds;
	ini.new_net = spec->clone_flags & CLONE_NEWNET;
	ini.new_ipc = spec->clone_flags & CLONE_NEWIPC;
	for (size_t i = 0; i < spec->n_namespaces; i++) {
		if (!spec->namespaces[i].path)
			continue;
		ini.ns_fds[i] = open_ns(spec->namespaces[i].path, err);
		if (ini.ns_fds[i] < 0)
			goto out;
		if (check_ns_owner(&spec->namespaces[i], err) < 0)
			goto out;
	}
	trace_mark("rt: init prepared");
	if (rt_spawn_in(c, &ini, spec->clone_flags, pidns_fd(&ini), rt_init_main) < 0) {
		int e = errno;
		burrow_error(err, e, "cannot create the container init");
		if (e == EPERM || e == ENOSPC)
			burrow_error_hint(err, "creating namespaces needs burrow's user namespace (run it inside "
			                       "'burrow unshare')");
		goto out;
	}
	if ((spec->clone_flags & CLONE_NEWUSER) && rt_userns_map(c, spec, err) < 0)
		goto out;
	trace_mark("rt: cloned");
	if (rt_wait_ready(c, "setting up the container", err) < 0)
		goto out;
	trace_mark("rt: ready");
	*out = steal_ptr(c);
	rc = 0;
out:
	rt_init_clear(&ini);
	rt_container_free(c);
	return rc;
}

int rt_init_prepare(struct rt_init *ini, struct rt_spec *spec, bool terminal, const int stdio[3], const char *keyring,
                    const char *seccomp_cache, struct burrow_err **err)
{
	memset(ini, 0, sizeof(*ini));
	ini->spec = spec;
	ini->terminal = terminal;
	ini->rootfd = ini->pty_slave = ini->pidfd = -1;
	ini->keyring = keyring;
	for (int i = 0; i < 3; i++)
		ini->stdio[i] = stdio[i];
	ini->ns_fds = xcalloc(spec->n_namespaces + 1, sizeof(int));
	for (size_t i = 0; i < spec->n_namespaces; i++)
		ini->ns_fds[i] = -1;
	if (!spec->seccomp)
		return 0;
	if (rt_seccomp_compile(spec->seccomp, seccomp_cache, &ini->bpf, err) < 0)
		return burrow_error_wrap(err, "linux.seccomp");
	ini->seccomp = &ini->bpf;
	return 0;
}

void rt_init_clear(struct rt_init *ini)
{
	rt_bpf_clear(&ini->bpf);
	for (size_t i = 0; ini->ns_fds && i < ini->spec->n_namespaces; i++)
		if (ini->ns_fds[i] >= 0)
			close(ini->ns_fds[i]);
	free(ini->ns_fds);
	ini->ns_fds = NULL;
}

/* How long the helper of clone_in_pidns may take to report
 * (BURROW_TEST_PIDNS_HELPER_MS shortens it for tests). */
#define SPAWN_HELPER_MS 10000

static int helper_ms(void)
{
	const char *s = getenv("BURROW_TEST_PIDNS_HELPER_MS");
	char *end;
	long v = s && *s ? strtol(s, &end, 10) : 0;
	return v > 0 && v <= SPAWN_HELPER_MS && !*end ? (int)v : SPAWN_HELPER_MS;
}

/* Only a process's children enter a pid namespace it joins (setns sets
 * pid_for_children), and nothing brings us back to our own after (it
 * belongs to the host's user namespace): a short-lived helper joins it
 * and clones the child as our child (CLONE_PARENT), reports its pid (in
 * our namespace) and exits. The child waits at a gate until we have its
 * pid: when the helper timed out (killed before it reported), its child
 * exits at the gate's end of file, having run nothing (a zombie of ours
 * until we exit), never a process of ours running that nobody knows of.
 * Then the child runs child(ini); sync is the socket end it keeps. */
static pid_t clone_in_pidns(struct rt_init *ini, int flags, int pidns, int other, void (*child)(struct rt_init *))
{
	int pfd[2], gate[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	/* a socket: a child already gone is EPIPE there, never SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gate) < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		errno = e;
		return -1;
	}
	pid_t h = rt_clone(0);
	if (h == 0) {
		close(other);
		close(pfd[0]);
		close(gate[1]);
		int rep[2] = {-1, 0};
		/* The child is in that namespace from its birth, where the
		 * other container's processes see it while it still works in
		 * our mount namespace: born non-dumpable (the flag is the mm's,
		 * copied by the clone), its /proc/PID (root, fds, memory) is
		 * out of their reach until the init makes itself dumpable again
		 * after pivot_root and the user switch. */
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || setns(pidns, CLONE_NEWPID) < 0) {
			rep[1] = errno;
		} else {
			pid_t pid = rt_clone(flags | CLONE_PARENT);
			if (pid == 0) {
				char go;
				close(pfd[1]);
				if (read_all(gate[0], &go, 1) != 1)
					_exit(1); /* the caller gave up on it */
				close(gate[0]);
				child(ini);
				_exit(1); /* not reached */
			}
			rep[0] = (int)pid;
			rep[1] = errno;
			proc_test_delay("BURROW_TEST_PIDNS_HELPER_DELAY_MS");
		}
		_exit(write_all(pfd[1], rep, sizeof(rep)) < 0 ? 1 : 0);
	}
	int e = errno;
	close(pfd[1]);
	close(gate[0]);
	if (h < 0) {
		close(pfd[0]);
		close(gate[1]);
		errno = e;
		return -1;
	}
	int rep[2] = {-1, EPROTO};
	int w = wait_fd(pfd[0], POLLIN, now_ms() + helper_ms());
	if (w <= 0 || read_all(pfd[0], rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		rep[1] = w == 0 ? ETIMEDOUT : EPROTO;
	close(pfd[0]);
	proc_kill_reap(h, NULL);
	bool sent = rep[0] > 0 && TEMP_FAILURE_RETRY(send(gate[1], "g", 1, MSG_NOSIGNAL)) == 1;
	if (!sent && rep[0] > 0)
		rep[1] = errno;
	close(gate[1]);
	if (!sent && rep[0] > 0) {
		/* it exits at the gate's end: reaped here */
		(void)proc_wait_child((pid_t)rep[0], now_ms() + SPAWN_HELPER_MS, NULL);
		rep[0] = -1;
	}
	errno = rep[1];
	return rep[0] > 0 ? (pid_t)rep[0] : -1;
}

int rt_spawn(struct rt_container *c, struct rt_init *ini, int flags, void (*child)(struct rt_init *))
{
	return rt_spawn_in(c, ini, flags, -1, child);
}

int rt_spawn_in(struct rt_container *c, struct rt_init *ini, int flags, int pidns, void (*child)(struct rt_init *))
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	ini->sync_fd = sv[1];
	/* the child starts with every signal blocked: none of our handlers
	 * may run in it */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t pid = pidns >= 0 ? clone_in_pidns(ini, flags, pidns, sv[0], child) : rt_clone(flags);
	if (pid == 0) {
		close(sv[0]);
		child(ini);
		_exit(1); /* not reached */
	}
	int e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		errno = e;
		return -1;
	}
	c->pid = pid;
	c->sync_fd = sv[0];
	return 0;
}

struct rt_container *rt_container_new(struct rt_spec *spec, const char *who)
{
	struct rt_container *c = xcalloc(1, sizeof(*c));
	c->spec = spec;
	c->sync_fd = -1;
	c->pty_master = -1;
	c->who = who;
	return c;
}

int rt_start(struct rt_container *c, struct burrow_err **err)
{
	static const char what[] = "starting the command";
	if (c->sync_fd < 0)
		return burrow_error(err, EALREADY, "%s was already started", c->who);
	if (sock_send(c->sync_fd, RT_MSG_START, 0, -1) < 0) {
		int e = errno;
		kill(c->pid, SIGKILL);
		close(c->sync_fd);
		c->sync_fd = -1;
		return burrow_error(err, e, "cannot start %s", c->who);
	}
	int rc = 0;
	bool reported = false; /* the init said why, and exits by itself */
	int64_t deadline = now_ms() + RT_EXEC_TIMEOUT_MS;
	struct sock_msg m;
	int w, r = 0;
	for (;;) {
		w = wait_fd(c->sync_fd, POLLIN, deadline);
		if (w <= 0)
			break;
		r = sock_recv(c->sync_fd, &m, NULL);
		/* its warnings and debug lines come first, said here */
		if (r <= 0 || m.tag != SOCK_MSG_LOG || sock_relay_log(c->sync_fd, &m) < 0)
			break;
	}
	if (w == 0) {
		/* stuck (e.g. on a dead fuse mount) */
		rc = burrow_error(err, ETIMEDOUT, "timed out after %d s waiting for %s to exec",
		                  RT_EXEC_TIMEOUT_MS / 1000, c->who);
	} else if (w < 0) {
		rc = burrow_error(err, errno, "cannot wait for %s", c->who);
	} else if (r < 0) {
		rc = burrow_error(err, errno, "cannot read from %s", c->who);
	} else if (r > 0 && m.tag == SOCK_MSG_ERROR) {
		rc = recv_child_error(c, what, err);
		reported = true;
	} else if (r > 0) {
		rc = burrow_error(err, EPROTO, "unexpected message %#x from %s", (unsigned)m.tag, c->who);
	}
	/* in an unknown state it is killed, so that the caller's wait ends */
	if (rc < 0 && !reported)
		kill(c->pid, SIGKILL);
	/* EOF: the socket closed on exec */
	close(c->sync_fd);
	c->sync_fd = -1;
	return rc;
}

int rt_exec_exit_code(const struct burrow_err *err)
{
	return err && err->status == ENOENT ? 127 : 126;
}

int rt_kill(struct rt_container *c, int sig)
{
	if (!c || c->pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	return kill(c->pid, sig);
}

int rt_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

void rt_container_free(struct rt_container *c)
{
	if (!c)
		return;
	if (c->sync_fd >= 0)
		close(c->sync_fd);
	if (c->pty_master >= 0)
		close(c->pty_master);
	rt_spec_free(c->spec);
	free(c);
}
