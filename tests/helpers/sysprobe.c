/* sysprobe: tries system calls and says how each went, for the seccomp and
 * keyring tests. Built static (no library of the container's needed), so a
 * test can copy it into any image or --rootfs tree.
 *
 *   sysprobe NAME...       each probe in a child of its own (one may leave
 *                          us in a new user namespace or traced): prints
 *                          "NAME: ok" or "NAME: ERRNONAME"; "all" for all
 *   sysprobe keyring       "SERIAL NAME" of the session keyring
 *   sysprobe find-key DESC searches the session keyring for the user key
 *                          DESC: "found: PAYLOAD", or "find-key: ERRNONAME"
 *   sysprobe proc-root PATH SECONDS
 *                          watches /proc for SECONDS and tries to open
 *                          /proc/PID/root/PATH of every other process (a
 *                          host path: seen through a process that is in
 *                          this pid namespace before it left the host's
 *                          mount namespace): prints "proc-root: ready",
 *                          then "proc-root: reached PATH through pid PID:
 *                          TEXT" (exit 0) or "proc-root: nothing" (exit 1)
 *   sysprobe leader-exit   starts a thread that sleeps for ever, then ends
 *                          its main thread (pthread_exit): the process
 *                          lives on with its leader a zombie
 *
 * Exit status 0 unless the command line is wrong (2). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/kcmp.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef NETLINK_AUDIT
#define NETLINK_AUDIT 9
#endif
#ifndef AF_NETLINK
#define AF_NETLINK 16
#endif
#define UFFD_USER_MODE_ONLY_ 1

static long p_add_key(void)
{
	return syscall(SYS_add_key, "user", "burrow-probe", "x", (size_t)1, KEY_SPEC_PROCESS_KEYRING);
}

static long p_request_key(void)
{
	return syscall(SYS_request_key, "user", "burrow-probe-none", NULL, 0);
}

static long p_keyctl(void)
{
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
}

static long p_perf_event_open(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long p_io_uring_setup(void)
{
	unsigned char params[256]; /* struct io_uring_params and then some */
	memset(params, 0, sizeof(params));
	return syscall(SYS_io_uring_setup, 1, params);
}

static long p_personality_rie(void)
{
	return personality(PER_LINUX | READ_IMPLIES_EXEC);
}

static long p_personality_linux(void)
{
	return personality(PER_LINUX);
}

static long p_unshare_user(void)
{
	return unshare(CLONE_NEWUSER);
}

/* raw clone/clone3 with CLONE_NEWUSER: the child exits at once */
static long reap(long pid)
{
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		int st;
		waitpid((pid_t)pid, &st, 0);
		return 0;
	}
	return pid;
}

static long p_clone_newuser(void)
{
	return reap(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
}

static long p_clone3_newuser(void)
{
	struct clone_args a;
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_NEWUSER;
	a.exit_signal = SIGCHLD;
	return reap(syscall(SYS_clone3, &a, sizeof(a)));
}

static long p_bpf(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	return syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

static long p_ptrace(void)
{
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static long p_kcmp(void)
{
	return syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0);
}

static long p_setns(void)
{
	return syscall(SYS_setns, -1, 0);
}

static long p_sethostname(void)
{
	return sethostname("probe", 5);
}

static long p_chroot(void)
{
	return chroot("/");
}

static long p_clock_settime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return clock_settime(CLOCK_REALTIME, &ts);
}

static long p_socket_audit(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
}

static long p_socket_inet(void)
{
	return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static long p_userfaultfd(void)
{
	return syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY_);
}

static long p_vmsplice(void)
{
	return syscall(SYS_vmsplice, -1, NULL, 0, 0);
}

static long p_move_pages(void)
{
	return syscall(SYS_move_pages, 0, 0, NULL, NULL, NULL, 0);
}

static const struct {
	const char *name;
	long (*fn)(void);
} probes[] = {
    {"add_key", p_add_key},
    {"request_key", p_request_key},
    {"keyctl", p_keyctl},
    {"perf_event_open", p_perf_event_open},
    {"io_uring_setup", p_io_uring_setup},
    {"personality-rie", p_personality_rie},
    {"personality-linux", p_personality_linux},
    {"unshare-user", p_unshare_user},
    {"clone-newuser", p_clone_newuser},
    {"clone3-newuser", p_clone3_newuser},
    {"bpf", p_bpf},
    {"ptrace", p_ptrace},
    {"kcmp", p_kcmp},
    {"setns", p_setns},
    {"sethostname", p_sethostname},
    {"chroot", p_chroot},
    {"clock_settime", p_clock_settime},
    {"socket-audit", p_socket_audit},
    {"socket-inet", p_socket_inet},
    {"userfaultfd", p_userfaultfd},
    {"vmsplice", p_vmsplice},
    {"move_pages", p_move_pages},
};

static const char *errno_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
	    {EPERM, "EPERM"},
	    {ENOENT, "ENOENT"},
	    {ESRCH, "ESRCH"},
	    {EBADF, "EBADF"},
	    {EAGAIN, "EAGAIN"},
	    {ENOMEM, "ENOMEM"},
	    {EACCES, "EACCES"},
	    {EFAULT, "EFAULT"},
	    {EBUSY, "EBUSY"},
	    {EEXIST, "EEXIST"},
	    {EINVAL, "EINVAL"},
	    {ENOSYS, "ENOSYS"},
	    {ENOKEY, "ENOKEY"},
	    {EDQUOT, "EDQUOT"},
	    {E2BIG, "E2BIG"},
	    {EOPNOTSUPP, "EOPNOTSUPP"},
	    {EUSERS, "EUSERS"},
	    {ENOSPC, "ENOSPC"},
	    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
	    {EAFNOSUPPORT, "EAFNOSUPPORT"},
	};
	static char buf[16];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/* Runs one probe in a child; its exit status carries the errno. */
static int run_probe(size_t i)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		printf("%s: fork failed: %s\n", probes[i].name, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		errno = 0;
		long r = probes[i].fn();
		_exit(r < 0 ? (errno & 0xff) : 0);
	}
	int st = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
		printf("%s: died (status %#x)\n", probes[i].name, st);
		return -1;
	}
	if (WEXITSTATUS(st) == 0)
		printf("%s: ok\n", probes[i].name);
	else
		printf("%s: %s\n", probes[i].name, errno_name(WEXITSTATUS(st)));
	return 0;
}

/* keyctl(op, id, buf) for KEYCTL_DESCRIBE or KEYCTL_READ: the text, or
 * NULL with errno set. */
static const char *key_text(long id, int op, char *buf, size_t size)
{
	long n = id < 0 ? -1 : syscall(SYS_keyctl, op, id, buf, size - 1);
	if (n < 0)
		return NULL;
	buf[n < (long)size ? n : (long)size - 1] = '\0';
	return buf;
}

static int keyring(void)
{
	char buf[512];
	long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	const char *name = key_text(id, KEYCTL_DESCRIBE, buf, sizeof(buf));
	if (!name) {
		printf("keyring: %s\n", errno_name(errno));
		return 0;
	}
	/* type;uid;gid;perm;description */
	for (int k = 0; k < 4 && name; k++) {
		name = strchr(name, ';');
		if (name)
			name++;
	}
	printf("%ld %s\n", id, name ? name : "?");
	return 0;
}

static int find_key(const char *desc)
{
	char buf[256];
	long id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", desc, 0);
	const char *text = key_text(id, KEYCTL_READ, buf, sizeof(buf));
	if (!text)
		printf("find-key: %s\n", errno_name(errno));
	else
		printf("found: %s\n", text);
	return 0;
}

static int proc_root(const char *path, int seconds)
{
	printf("proc-root: ready\n");
	fflush(stdout);
	time_t end = time(NULL) + seconds;
	while (time(NULL) < end) {
		DIR *d = opendir("/proc");
		if (!d)
			return 2;
		struct dirent *de;
		while ((de = readdir(d))) {
			int pid = atoi(de->d_name);
			if (pid <= 1 || pid == getpid())
				continue;
			char p[4096];
			snprintf(p, sizeof(p), "/proc/%d/root%s", pid, path);
			int fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			if (fd < 0)
				continue;
			char buf[64] = {0};
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0 && buf[n - 1] == '\n')
				buf[n - 1] = '\0';
			printf("proc-root: reached %s through pid %d: %s\n", path, pid, buf);
			closedir(d);
			return 0;
		}
		closedir(d);
	}
	printf("proc-root: nothing\n");
	return 1;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int leader_exit(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, sleeper, NULL) != 0) {
		fprintf(stderr, "leader-exit: cannot start a thread\n");
		return 1;
	}
	printf("leader-exit: ready\n");
	fflush(stdout);
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(
		    stderr,
		    "usage: sysprobe NAME... | all | keyring | find-key DESC | proc-root PATH SECONDS | leader-exit\n");
		return 2;
	}
	if (strcmp(argv[1], "keyring") == 0)
		return keyring();
	if (strcmp(argv[1], "find-key") == 0 && argc == 3)
		return find_key(argv[2]);
	if (strcmp(argv[1], "leader-exit") == 0)
		return leader_exit();
	if (strcmp(argv[1], "proc-root") == 0 && argc == 4)
		return proc_root(argv[2], atoi(argv[3]));
	for (int a = 1; a < argc; a++) {
		int found = 0;
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			if (strcmp(argv[a], "all") != 0 && strcmp(argv[a], probes[i].name) != 0)
				continue;
			found = 1;
			run_probe(i);
		}
		if (!found) {
			fprintf(stderr, "sysprobe: unknown probe '%s'\n", argv[a]);
			return 2;
		}
	}
	return 0;
}
