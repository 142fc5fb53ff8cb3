/* What every process the runtime starts in a container goes through on
 * its way to exec, the container init (init.c) and a process joining a
 * running container (exec.c) alike: its stdio and inherited fds, the
 * session keyring, rlimits, user, groups and capabilities, the working
 * directory, and the exec itself with no_new_privs and the seccomp filter.
 * Child side: every failure is an error record for the parent. */
#include "runtime/internal.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/sock.h"
#include "lib/strv.h"
#include "lib/trace.h"
#include "lib/xalloc.h"

#define RT_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void rt_fail(struct rt_init *ini, struct burrow_err *err, int code)
{
	sock_send_error(ini->sync_fd, err);
	_exit(code);
}

void rt_fail_exec(struct rt_init *ini, struct burrow_err *err)
{
	rt_fail(ini, err, rt_exec_exit_code(err));
}

void rt_child_ready(struct rt_init *ini, int (*setup)(struct rt_init *ini, struct burrow_err **err))
{
	struct burrow_err *err = NULL;
	/* the container's stderr is not ours to write on: warnings go to the
	 * parent, which says them */
	burrow_log_set_sink(sock_log_sink, &ini->sync_fd);
	if (setup(ini, &err) < 0)
		rt_fail(ini, err, 1);
	if (sock_send(ini->sync_fd, RT_MSG_READY, 0, -1) < 0)
		_exit(1);
	struct sock_msg start;
	if (sock_recv(ini->sync_fd, &start, NULL) != 1 || start.tag != RT_MSG_START)
		_exit(1); /* the parent gave up on us */
}

int rt_take_stdio(struct rt_init *ini, struct burrow_err **err)
{
	int low = 3 + ini->preserve_fds;
	if (ini->sync_fd < low) {
		int fd = fcntl(ini->sync_fd, F_DUPFD_CLOEXEC, low);
		if (fd < 0)
			return burrow_error(err, errno, "cannot move the sync socket above the stdio fds");
		ini->sync_fd = fd;
	}
	if (ini->terminal)
		return 0;
	for (int i = 0; i < 3; i++) {
		int src = ini->stdio[i];
		int own = -1;
		if (src < 0) {
			own = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (own < 0)
				return burrow_error(err, errno, "cannot open '/dev/null'");
			src = own;
			ini->null_stdio |= 1U << i;
		}
		int fd = fcntl(src, F_DUPFD_CLOEXEC, low);
		if (fd < 0)
			return burrow_error(err, errno, "cannot take over the container's stdio fd %d", ini->stdio[i]);
		if (own >= 0)
			close(own);
		ini->stdio[i] = fd;
	}
	return 0;
}

/* fn on every fd from `from` up that /proc/self/fd lists (the host's
 * /proc still): for kernels without close_range or its flags. */
static int each_fd(int from, int (*fn)(int fd, void *data), void *data, struct burrow_err **err)
{
	cleanup_dir DIR *d = opendir("/proc/self/fd");
	if (!d)
		return burrow_error(err, errno, "cannot list the inherited file descriptors in '/proc/self/fd'");
	struct dirent *de;
	while ((de = readdir(d))) {
		long long fd;
		if (str_to_ll(de->d_name, from, INT_MAX, &fd) < 0 || fd == dirfd(d))
			continue;
		if (fn((int)fd, data) < 0)
			return burrow_error(err, errno, "cannot mark file descriptor %lld close-on-exec", fd);
	}
	return 0;
}

static int set_cloexec(int fd, void *data)
{
	(void)data;
	int fl = fcntl(fd, F_GETFD);
	return fl >= 0 && !(fl & FD_CLOEXEC) ? fcntl(fd, F_SETFD, fl | FD_CLOEXEC) : 0;
}

/* CLOSE_RANGE_CLOEXEC needs Linux 5.11. */
int rt_cloexec_inherited(int from, struct burrow_err **err)
{
	if (close_range((unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return burrow_error(err, errno, "cannot mark the inherited file descriptors close-on-exec");
	return each_fd(from, set_cloexec, NULL, err);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

struct keep {
	const int *fds;
	size_t n;
};

static int close_unkept(int fd, void *data)
{
	const struct keep *k = data;
	if (!bsearch(&fd, k->fds, k->n, sizeof(int), cmp_int))
		close(fd);
	return 0;
}

/* close_range (Linux 5.9) between the fds kept. */
int rt_close_fds(int from, int *keep, size_t n, struct burrow_err **err)
{
	qsort(keep, n, sizeof(*keep), cmp_int);
	unsigned lo = (unsigned)from;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && keep[i] < from)
			continue;
		unsigned hi = i < n ? (unsigned)keep[i] : ~0U;
		if (hi > lo && close_range(lo, hi - 1, 0) < 0) {
			if (errno != EINVAL && errno != ENOSYS)
				return burrow_error(err, errno, "cannot close the caller's file descriptors");
			struct keep k = {keep, n};
			return each_fd(from, close_unkept, &k, err);
		}
		if (i < n)
			lo = (unsigned)keep[i] + 1;
	}
	return 0;
}

static int set_rlimits(const struct rt_spec *s, struct burrow_err **err)
{
	for (size_t i = 0; i < s->n_rlimits; i++) {
		const struct rt_rlimit *r = &s->rlimits[i];
		struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};
		if (setrlimit(r->resource, &rl) == 0)
			continue;
		/* raising a hard limit needs CAP_SYS_RESOURCE in the initial
		 * user namespace: stay at the current hard limit instead */
		struct rlimit cur;
		if (errno == EPERM && getrlimit(r->resource, &cur) == 0 && rl.rlim_max > cur.rlim_max) {
			rl.rlim_max = cur.rlim_max;
			if (rl.rlim_cur > rl.rlim_max)
				rl.rlim_cur = rl.rlim_max;
			if (setrlimit(r->resource, &rl) == 0)
				continue;
		}
		return burrow_error(err, errno, "cannot set %s to %llu/%llu", rt_rlimit_name(r->resource), r->soft,
		                    r->hard);
	}
	return 0;
}

/* process.oomScoreAdj (--oom-score-adj). Without CAP_SYS_RESOURCE in the
 * initial user namespace (rootless) the kernel refuses a value below the
 * lowest one a privileged process set (EACCES): said, with the value we
 * inherited, rather than run with another than asked. */
static int set_oom_score_adj(const struct rt_spec *s, struct burrow_err **err)
{
	if (!s->has_oom_score_adj)
		return 0;
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", s->oom_score_adj);
	cleanup_close int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open /proc/self/oom_score_adj");
	char cur[16] = "";
	ssize_t r = pread(fd, cur, sizeof(cur) - 1, 0);
	cur[r > 0 ? r : 0] = '\0';
	cur[strcspn(cur, "\n")] = '\0';
	if (write_all(fd, buf, (size_t)n) < 0) {
		int e = errno;
		burrow_error(err, e, "cannot set oom_score_adj to %d", s->oom_score_adj);
		if (e == EACCES)
			burrow_error_hint(err,
			                  "without privileges it can only be raised, or lowered back down to the value "
			                  "burrow runs with (%s here): give --oom-score-adj %s or more (podman quietly "
			                  "uses that value instead)",
			                  cur, cur);
		return -1;
	}
	return 0;
}

int rt_last_cap(void)
{
	int c = 0;
	while (c < 64 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0)
		c++;
	return c - 1;
}

static int drop_bounding(const struct rt_spec *s, int last, struct burrow_err **err)
{
	for (int c = 0; c <= last; c++) {
		if (s->cap_bounding & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			char *name = cap_to_name(c);
			burrow_error(err, errno, "cannot drop '%s' from the bounding set", name ? name : "?");
			cap_free(name);
			return -1;
		}
	}
	return 0;
}

static int set_caps(const struct rt_spec *s, int last, struct burrow_err **err)
{
	cap_t caps = cap_init();
	if (!caps)
		return burrow_error(err, errno, "cannot allocate capabilities");
	for (int c = 0; c <= last; c++) {
		cap_value_t v = c;
		if (s->cap_effective & (1ULL << c))
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
		if (s->cap_permitted & (1ULL << c))
			cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
		if (s->cap_inheritable & (1ULL << c))
			cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
	}
	int r = cap_set_proc(caps);
	int e = errno;
	cap_free(caps);
	if (r < 0)
		return burrow_error(err, e, "cannot set the process capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return burrow_error(err, errno, "cannot clear the ambient capabilities");
	for (int c = 0; c <= last; c++) {
		if (!(s->cap_ambient & (1ULL << c)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) {
			char *name = cap_to_name(c);
			burrow_error(err, errno, "cannot raise ambient capability '%s'", name ? name : "?");
			cap_free(name);
			return burrow_error_hint(err, "an ambient capability must be permitted and inheritable too");
		}
	}
	return 0;
}

static int set_user(const struct rt_spec *s, struct burrow_err **err)
{
	int last = rt_last_cap();
	const char *ns = (s->clone_flags & CLONE_NEWUSER) ? "the container's" : "burrow's";
	/* setgroups is denied in a single-ID user namespace: then the
	 * container keeps none beyond its gid */
	if (!s->keep_groups && setgroups(s->n_additional_gids, s->additional_gids) < 0 && errno != EPERM)
		return burrow_error(err, errno, "cannot set the supplementary groups");
	if (s->has_caps && drop_bounding(s, last, err) < 0)
		return -1;
	if (s->uid != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return burrow_error(err, errno, "cannot keep capabilities across the user switch");
	if (setresgid(s->gid, s->gid, s->gid) < 0) {
		burrow_error(err, errno, "cannot switch to group %u", (unsigned)s->gid);
		if ((*err)->status == EINVAL)
			burrow_error_hint(err, "group %u is not mapped in %s user namespace", (unsigned)s->gid, ns);
		return -1;
	}
	if (setresuid(s->uid, s->uid, s->uid) < 0) {
		burrow_error(err, errno, "cannot switch to user %u", (unsigned)s->uid);
		if ((*err)->status == EINVAL)
			burrow_error_hint(err, "user %u is not mapped in %s user namespace", (unsigned)s->uid, ns);
		return -1;
	}
	if (s->has_caps && set_caps(s, last, err) < 0)
		return -1;
	return 0;
}

int rt_process_setup(struct rt_init *ini, struct burrow_err **err)
{
	const struct rt_spec *s = ini->spec;
	if (set_oom_score_adj(s, err) < 0 || set_rlimits(s, err) < 0)
		return -1;
	/* linux.personality: kept across the exec (and by the seccomp
	 * profile, which lets personality() ask only for these) */
	if (s->has_personality && personality(s->personality) < 0)
		return burrow_error(err, errno, "cannot set the personality to %s",
		                    s->personality == PER_LINUX ? "LINUX" : "LINUX32");
	umask(s->has_umask ? s->umask : 022);
	if (ini->terminal) {
		if (ioctl(ini->pty_slave, TIOCSCTTY, 0) < 0)
			return burrow_error(err, errno, "cannot make the pty the controlling terminal");
		/* the process owns its terminal, as on a login */
		if (fchown(ini->pty_slave, s->uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM)
			return burrow_error(err, errno, "cannot hand the pty to user %u", (unsigned)s->uid);
	}
	/* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load
	 * it before the user switch drops that (as crun does) */
	if (ini->seccomp && !s->no_new_privileges && rt_seccomp_load(ini->seccomp, err) < 0)
		return -1;
	return set_user(s, err);
}

/* Key permissions (keyutils.h's names; the kernel headers lack them). */
#define KEY_POS_ALL 0x3f000000
#define KEY_USR_VIEW 0x00010000
#define KEY_USR_READ 0x00020000
#define KEY_USR_SEARCH 0x00080000

int rt_session_keyring(const char *name, bool exec, struct burrow_err **err)
{
	long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
	if (id < 0 && errno == ENOSYS)
		return 0; /* a kernel without keys: nothing to keep from the container */
	if (id < 0) {
		burrow_error(err, errno,
		             exec ? "cannot join the container's session keyring"
		                  : "cannot give the container a session keyring of its own");
		if ((*err)->status == EDQUOT)
			burrow_error_hint(err, "each running container holds a key: the user's key quota is used up; "
			                       "raise /proc/sys/kernel/keys/maxkeys and maxbytes, or run fewer "
			                       "containers at once");
		return -1;
	}
	/* searchable by its owner, so that an exec can join it by name */
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH, 0, 0) <
	    0)
		return burrow_error(err, errno, "cannot set the permissions of the container's session keyring");
	return 0;
}

int rt_enter_cwd(const char *cwd, struct burrow_err **err)
{
	/* resolved inside the root without magic links: a working directory
	 * of /proc/self/fd/N (an image's WorkingDir, say) must not lead to a
	 * directory an fd of ours still holds, outside the container */
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int fd = root < 0 ? -1 : rt_open_in_root(root, cwd, O_DIRECTORY);
	if (fd < 0 || fchdir(fd) < 0)
		return burrow_error(err, errno, "cannot change to the working directory '%s'", str_quote(cwd));
	return 0;
}

static const char *env_path(char *const *env)
{
	for (char *const *e = env; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			return *e + 5;
	return RT_DEFAULT_PATH;
}

/* args[0] through the container's PATH (as execvp, but with the
 * container's environment). */
static char *find_exec(const char *cmd, char *const *env, struct burrow_err **err)
{
	if (strchr(cmd, '/'))
		return xstrdup(cmd);
	cleanup_strv char **dirs = strv_split(env_path(env), ':');
	cleanup_free char *denied = NULL;
	for (char **d = dirs; *d; d++) {
		cleanup_free char *cand = path_join(**d ? *d : ".", cmd);
		struct stat st;
		if (stat(cand, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (access(cand, X_OK) == 0)
			return steal_ptr(cand);
		if (!denied)
			denied = steal_ptr(cand);
	}
	if (denied) {
		burrow_error(err, EACCES, "cannot execute '%s'", str_quote(denied));
		return NULL;
	}
	burrow_error_status(err, ENOENT, "executable file '%s' not found in $PATH", str_quote(cmd));
	return NULL;
}

static void reset_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The container's own /dev/null opened with flags, above the fds passed
 * on (as rt_take_stdio's copies: not one of 0-2, whose dup2 onto itself
 * would keep close-on-exec); -1 when the container has none. */
static int own_null(const struct rt_init *ini, int flags)
{
	cleanup_close int own = open("/dev/null", flags | O_CLOEXEC);
	int fd = own < 0 ? -1 : fcntl(own, F_DUPFD_CLOEXEC, 3 + ini->preserve_fds);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The /dev/null rt_take_stdio opened came from the mounts outside the
 * container, whose devtmpfs the container's root does not reach: its
 * /proc/self/fd/0 read "/null". As runc's reOpenDevNull, the stdio that
 * was /dev/null is the container's own /dev/null now (a bind of the same
 * device: "/dev/null", as podman's), or stays as it was when the
 * container has none. An exec's stdin is read-only ("lr-x" in podman
 * 4.3's, checked live: conmon opens it so and runc's exec reopens
 * nothing), the init's read-write ("lrwx", reOpenDevNull's). */
static void reopen_null(const struct rt_init *ini, int fds[3])
{
	if (ini->terminal || !ini->null_stdio)
		return;
	int fd = own_null(ini, O_RDWR);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (ini->null_stdio & (1U << i))
			fds[i] = fd;
	if (ini->init && (ini->null_stdio & 1U)) {
		int ro = own_null(ini, O_RDONLY);
		if (ro >= 0)
			fds[0] = ro;
	}
}

void rt_exec_process(struct rt_init *ini)
{
	const struct rt_spec *s = ini->spec;
	struct burrow_err *err = NULL;
	cleanup_free char *path = find_exec(s->args[0], s->env, &err);
	if (!path)
		rt_fail_exec(ini, err);
	if (s->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		burrow_error(&err, errno, "cannot set no_new_privs");
		rt_fail_exec(ini, err);
	}
	int fds[3];
	for (int i = 0; i < 3; i++)
		fds[i] = ini->terminal ? ini->pty_slave : ini->stdio[i];
	reopen_null(ini, fds);
	for (int i = 0; i < 3; i++) {
		if (dup2(fds[i], i) < 0) {
			burrow_error(&err, errno, "cannot set up the container's stdio");
			rt_fail_exec(ini, err);
		}
	}
	/* every fd from 3 up is close-on-exec (inherited ones since
	 * rt_cloexec_inherited, ours since they were opened) but the ones
	 * passed on: nothing of ours leaks into the container, and the sync
	 * socket closes on exec, which tells the parent it worked */
	for (int fd = 3; fd < 3 + ini->preserve_fds; fd++) {
		if (fcntl(fd, F_SETFD, 0) < 0) {
			burrow_error(&err, errno, "cannot pass file descriptor %d on", fd);
			rt_fail_exec(ini, err);
		}
	}
	/* with no_new_privs the filter comes last: our own setup is not
	 * subject to it */
	trace_mark("init: pre-seccomp");
	if (ini->seccomp && s->no_new_privileges && rt_seccomp_load(ini->seccomp, &err) < 0)
		rt_fail_exec(ini, err);
	trace_mark("init: exec");
	reset_signals();
	execve(path, s->args, s->env);
	int e = errno;
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	burrow_error(&err, e, "cannot execute '%s'", str_quote(path));
	rt_fail_exec(ini, err);
}
