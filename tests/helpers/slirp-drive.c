/* slirp-drive: runs a command in a new network namespace whose only way
 * out is tap0 + libslirp, driven the way burrow's monitor drives it.
 * With -n none the namespace has lo only (brought up by the command's side,
 * as a container init does); -n host runs the command here.
 *
 *   slirp-drive [-n SPEC] [--allow-host-loopback] [--mtu N] [--no-ipv6]
 *               [-p PUBLISH]... [--ports-file FILE] [--udp-idle MS]
 *               [--no-keep-addresses]
 *               [-t SECONDS] -- COMMAND [ARG...]
 *
 * -p publishes ports as `burrow run -p` does (netns/ports.h), with the
 * handler the spec's port_handler names; they are bound before the
 * command's namespace exists, and --ports-file gets them as bound, one a
 * line in podman's ps form ("0.0.0.0:41234->80/tcp"), before the command
 * starts. --udp-idle shortens the idle time of UDP flows;
 * --no-keep-addresses has the splice handler's connections come from the
 * container's loopback (netns_fwd_set_keep_addresses).
 *
 * Must run with CAP_SYS_ADMIN over its user namespace (e.g. under
 * `unshare -Urnm`). The command starts once tap0 is set up; its exit status
 * is passed through (128+N for a signal, 124 on timeout, 125 when the
 * network could not be set up, 126 when a port could not be published, as
 * podman). When it ends, what it left running in its process group is
 * killed; so is all of it when slirp-drive gets SIGTERM, SIGINT or SIGHUP
 * (it then exits 128+N). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/proc.h"
#include "lib/strv.h"
#include "netns/netns.h"
#include "netns/ports.h"

static void usage(void)
{
	fprintf(stderr, "usage: slirp-drive [-n SPEC] [--allow-host-loopback] [--mtu N] [--no-ipv6] [-p PUBLISH]... "
	                "[--ports-file FILE] [--udp-idle MS] [--no-keep-addresses] [-t SECONDS] -- COMMAND [ARG...]\n");
	exit(125);
}

static int fail(struct burrow_err *err)
{
	burrow_err_print(err);
	burrow_err_free(err);
	return 125;
}

/* The ports as bound, one a line, written whole before the command runs. */
static int write_ports(const char *path, const struct netns_ports *ps)
{
	char *text = strdup("");
	for (size_t i = 0; i < ps->n; i++) {
		char *d = netns_port_display(&ps->v[i]);
		char *t = NULL;
		if (asprintf(&t, "%s%s\n", text, d) < 0)
			abort();
		free(d);
		free(text);
		text = t;
	}
	struct burrow_err *err = NULL;
	int r = write_file_atomic(path, text, strlen(text), 0644, &err);
	free(text);
	if (r < 0)
		return fail(err);
	return 0;
}

/* The container side: a new network namespace, then wait for "go". */
static void __attribute__((noreturn)) child_main(int ready_w, int go_r, const struct netns_cfg *cfg, char **argv)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Its own process group, so a timeout ends whatever it started too. */
	setpgid(0, 0);
	if (cfg->mode != NETNS_HOST && unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "slirp-drive: cannot create a network namespace: %s\n", strerror(errno));
		_exit(125);
	}
	struct burrow_err *err = NULL;
	if (cfg->mode == NETNS_NONE && netns_lo_up(&err) < 0) {
		burrow_err_print(err);
		_exit(125);
	}
	char c = 'r';
	if (write_all(ready_w, &c, 1) < 0)
		_exit(125);
	if (read_all(go_r, &c, 1) != 1 || c != 'g')
		_exit(125);
	execvp(argv[0], argv);
	fprintf(stderr, "slirp-drive: cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

struct drive {
	pid_t child; /* -1 once reaped */
	int status;
	bool timed_out;
	int signo; /* a SIGTERM, SIGINT or SIGHUP ended us */
};

static void on_signal(struct loop *l, const struct signalfd_siginfo *si, void *data)
{
	struct drive *d = data;
	d->signo = (int)si->ssi_signo;
	loop_stop(l);
}

static void on_child_exit(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)w;
	(void)fd;
	(void)revents;
	struct drive *d = data;
	waitpid_eintr(d->child, &d->status, 0);
	d->child = -1;
	loop_stop(l);
}

static void on_deadline(struct loop *l, struct loop_timer *t, void *data)
{
	(void)t;
	struct drive *d = data;
	d->timed_out = true;
	loop_stop(l);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"network", required_argument, NULL, 'n'},
	    {"allow-host-loopback", no_argument, NULL, 'L'},
	    {"mtu", required_argument, NULL, 'm'},
	    {"no-ipv6", no_argument, NULL, '6'},
	    {"timeout", required_argument, NULL, 't'},
	    {"debug", no_argument, NULL, 'd'},
	    {"publish", required_argument, NULL, 'p'},
	    {"ports-file", required_argument, NULL, 'F'},
	    {"udp-idle", required_argument, NULL, 'U'},
	    {"no-keep-addresses", no_argument, NULL, 'K'},
	    {NULL, 0, NULL, 0},
	};
	const char *spec = NULL;
	bool allow_loopback = false, no_ipv6 = false, no_keep = false;
	long long mtu = 0, timeout_s = 60, udp_idle = 0;
	const char *ports_file = NULL;
	struct netns_ports ports = {0};
	struct burrow_err *err = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+n:t:dp:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			spec = optarg;
			break;
		case 'L':
			allow_loopback = true;
			break;
		case 'm':
			if (str_to_ll(optarg, NETNS_MTU_MIN, NETNS_MTU_MAX, &mtu) < 0)
				usage();
			break;
		case '6':
			no_ipv6 = true;
			break;
		case 't':
			if (str_to_ll(optarg, 1, 86400, &timeout_s) < 0)
				usage();
			break;
		case 'd':
			burrow_log_level = BURROW_LOG_DEBUG;
			break;
		case 'p':
			if (netns_ports_add(&ports, optarg, &err) < 0)
				return fail(err);
			break;
		case 'F':
			ports_file = optarg;
			break;
		case 'U':
			if (str_to_ll(optarg, 1, 86400000, &udp_idle) < 0)
				usage();
			break;
		case 'K':
			no_keep = true;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();

	struct netns_cfg cfg;
	if (netns_parse(spec, &cfg, &err) < 0)
		return fail(err);
	if (allow_loopback)
		cfg.allow_host_loopback = true;
	if (mtu)
		cfg.mtu = (unsigned)mtu;
	if (no_ipv6)
		cfg.ipv6 = false;

	/* the ports first: a port in use fails before there is a container */
	struct netns_fwd *fwd = NULL;
	if (ports.n) {
		if (cfg.mode != NETNS_SLIRP) {
			fprintf(stderr, "slirp-drive: -p needs the slirp network\n");
			return 125;
		}
		fwd = netns_fwd_new(&ports, &cfg, &err);
		if (!fwd) {
			int st = err->status;
			fail(err);
			return st == EADDRINUSE || st == EACCES ? 126 : 125;
		}
		if (udp_idle)
			netns_fwd_set_udp_idle(fwd, (unsigned)udp_idle);
		if (no_keep)
			netns_fwd_set_keep_addresses(fwd, false);
	}
	netns_ports_clear(&ports);

	int ready[2], go[2];
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		perror("slirp-drive: pipe");
		return 125;
	}
	pid_t child = fork();
	if (child < 0) {
		perror("slirp-drive: fork");
		return 125;
	}
	if (child == 0) {
		close(ready[0]);
		close(go[1]);
		child_main(ready[1], go[0], &cfg, argv + optind);
	}
	close(ready[1]);
	close(go[0]);
	pid_t pgid = child; /* the child makes it its own group */

	/* Bounded wait for the child's namespace. */
	struct pollfd rp = {.fd = ready[0], .events = POLLIN};
	char r = 0;
	if (poll(&rp, 1, 10000) != 1 || read_all(ready[0], &r, 1) != 1 || r != 'r') {
		fprintf(stderr, "slirp-drive: the child did not create its network namespace\n");
		proc_kill_reap(child, NULL);
		return 125;
	}

	struct loop *l = loop_new();
	struct netns_slirp *slirp = NULL;
	if (cfg.mode == NETNS_SLIRP) {
		int tapfd = -1;
		if (netns_tap_open(child, &cfg, &tapfd, &err) < 0) {
			proc_kill_reap(child, NULL);
			return fail(err);
		}
		slirp = netns_slirp_new(l, tapfd, &cfg, &err);
		if (!slirp) {
			proc_kill_reap(child, NULL);
			return fail(err);
		}
	}
	/* the namespace while it surely exists (the command may end at once) */
	int nsfd = -1;
	if (fwd && (nsfd = netns_ns_open(child, &err)) < 0) {
		proc_kill_reap(child, NULL);
		return fail(err);
	}
	int pidfd = proc_pidfd_open(child);
	if (pidfd < 0) {
		perror("slirp-drive: pidfd_open");
		proc_kill_reap(child, NULL);
		return 125;
	}
	char g = 'g';
	if (write_all(go[1], &g, 1) < 0) {
		perror("slirp-drive: cannot start the command");
		return 125;
	}
	close(go[1]);
	/* Forwarding starts once the command runs, as the monitor's does: the
	 * child held copies of the bound ports until its exec closed them
	 * (O_CLOEXEC), which the end of ready[] tells. */
	if (fwd) {
		int fl = fcntl(ready[0], F_GETFL);
		fcntl(ready[0], F_SETFL, fl | O_NONBLOCK);
		for (int64_t end = now_ms() + 10000;;) {
			if (wait_fd(ready[0], POLLIN, end) != 1) {
				fprintf(stderr, "slirp-drive: timed out waiting for the command to start\n");
				proc_kill_reap(child, NULL);
				return 125;
			}
			ssize_t got = read(ready[0], &r, 1);
			if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
				break;
		}
		if (netns_fwd_start(fwd, l, nsfd, slirp, &err) < 0) {
			proc_kill_reap(child, NULL);
			int st = err->status;
			fail(err);
			return st == EADDRINUSE || st == EACCES ? 126 : 125;
		}
		close(nsfd);
		if (ports_file && write_ports(ports_file, netns_fwd_ports(fwd)) != 0) {
			proc_kill_reap(child, NULL);
			return 125;
		}
	}
	close(ready[0]);

	/* The monitor's loop in miniature: the command's end, a deadline, slirp. */
	struct drive d = {.child = child};
	loop_watch_add(l, pidfd, POLLIN, on_child_exit, &d);
	struct loop_timer *deadline = loop_timer_add(l, on_deadline, &d);
	loop_timer_arm(deadline, now_ms() + timeout_s * 1000, 0);
	/* killed, it takes the command along as when the command ends */
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGHUP);
	sigprocmask(SIG_BLOCK, &term, NULL);
	bool broken = false;
	if (!loop_signals_add(l, &term, on_signal, &d, &err)) {
		burrow_err_print(err);
		burrow_err_free(err);
		broken = true;
	}
	if (!broken && loop_run(l, &err) < 0) {
		burrow_err_print(err);
		burrow_err_free(err);
		broken = true;
	}
	child = d.child;
	int status = d.status;
	bool timed_out = d.timed_out;
	/* what the command left running goes with it, as in a container's pid
	 * namespace (it could hold our caller's pipes open) */
	kill(-pgid, SIGKILL);
	if (child > 0)
		proc_kill_reap(child, &status);
	netns_fwd_free(fwd); /* before the slirp stack it may use */
	netns_slirp_free(slirp);
	loop_free(l);
	close(pidfd);
	if (timed_out) {
		fprintf(stderr, "slirp-drive: timed out after %lld s waiting for '%s'\n", timeout_s, argv[optind]);
		return 124;
	}
	if (broken)
		return 125;
	if (d.signo)
		return 128 + d.signo;
	return exit_code(status);
}
