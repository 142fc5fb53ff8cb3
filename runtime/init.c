/* The container init: the child rt_create clones. It sets up the
 * container, reports "ready" (or its error) over the sync socket, waits for
 * "start" and execs process.args. Every failure goes to the parent as an
 * error record before _exit. */
#include "runtime/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/sock.h"
#include "lib/trace.h"

static int join_namespaces(struct rt_init *ini, struct burrow_err **err)
{
	const struct rt_spec *s = ini->spec;
	for (size_t i = 0; i < s->n_namespaces; i++) {
		if (ini->ns_fds[i] < 0 || s->namespaces[i].flag == CLONE_NEWPID) /* rt_create joined it for us */
			continue;
		if (setns(ini->ns_fds[i], s->namespaces[i].flag) < 0)
			return burrow_error(err, errno, "cannot join the %s namespace '%s'",
			                    rt_ns_name(s->namespaces[i].flag, false), str_quote(s->namespaces[i].path));
		close(ini->ns_fds[i]);
		ini->ns_fds[i] = -1;
	}
	return 0;
}

static int loopback_up(struct burrow_err **err)
{
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return burrow_error(err, errno, "cannot bring up the loopback interface");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return burrow_error(err, errno, "cannot bring up the loopback interface");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return burrow_error(err, errno, "cannot bring up the loopback interface");
	return 0;
}

/* The container dies with the process that started it (the monitor): one
 * nobody watches would run on while burrow says it exited. Set after the
 * user switch, which clears it; a parent that died before is seen on the
 * sync socket (it sends nothing after "start": readable means closed). */
static int die_with_parent(struct rt_init *ini, struct burrow_err **err)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return burrow_error(err, errno, "cannot tie the container to its monitor");
	struct pollfd p = {.fd = ini->sync_fd, .events = POLLIN};
	if (TEMP_FAILURE_RETRY(poll(&p, 1, 0)) != 0)
		_exit(1);
	return 0;
}

static int setup(struct rt_init *ini, struct burrow_err **err)
{
	const struct rt_spec *s = ini->spec;
	/* the caller's locks: held by the caller alone from here on */
	for (int i = 0; i < 2; i++)
		if (ini->unlock_fd[i] >= 3)
			close(ini->unlock_fd[i]);
	if ((s->clone_flags & CLONE_NEWUSER) && rt_userns_wait(ini, err) < 0)
		return -1;
	trace_mark("init: begin");
	if (rt_cloexec_inherited(3, err) < 0 || rt_take_stdio(ini, err) < 0 || join_namespaces(ini, err) < 0)
		return -1;
	if (setsid() < 0)
		return burrow_error(err, errno, "cannot start a new session");
	if (rt_session_keyring(ini->keyring, false, err) < 0)
		return -1;
	trace_mark("init: session+keyring");
	if (rt_setup_mounts(ini, err) < 0)
		return -1;
	/* as podman: a missing working directory is created (as root), before
	 * a read-only root (--read-only) refuses it; resolved inside the root
	 * without magic links, a dangling symlink's target made there too */
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return burrow_error(err, errno, "cannot open the container's '/'");
	cleanup_close int cwd = rt_mkpath_in_root(root, s->cwd, true, err);
	if (cwd < 0)
		return burrow_error_wrap(err, "working directory");
	trace_mark("init: mounts");
	if (rt_finish_mounts(ini, err) < 0)
		return -1;
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return burrow_error(err, errno, "cannot set the hostname to '%s'", str_quote(s->hostname));
	if (ini->new_net && loopback_up(err) < 0)
		return -1;
	trace_mark("init: finished mounts+net");
	if (rt_process_setup(ini, err) < 0)
		return -1;
	/* Changing IDs made us non-dumpable, and our mm belongs to the initial
	 * user namespace (the monitor joined burrow's with setns after exec),
	 * so the monitor could no longer open /proc/PID/ns/net to set up the
	 * tap. Until exec (which sets dumpable again itself) nothing secret is
	 * in this process. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return burrow_error(err, errno, "cannot make the init dumpable after the user switch");
	trace_mark("init: process setup");
	return rt_enter_cwd(s->cwd, err);
}

void rt_init_main(struct rt_init *ini)
{
	struct burrow_err *err = NULL;
	rt_child_ready(ini, setup);
	if (die_with_parent(ini, &err) < 0)
		rt_fail_exec(ini, err);
	rt_exec_process(ini);
}
