/* podman's default seccomp profile as a table, and the translation of a
 * profile in podman's form into a container's linux.seccomp. */
#include "container/seccomp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"

/* The profile is podman's default (containers/common pkg/seccomp,
 * default_linux.go as of 2025-08): every syscall it does not name fails
 * with ENOSYS (so that programs fall back, as they do on an older kernel);
 * a few it names fail with EPERM; some are allowed only with a capability
 * (and fail with EPERM without it); personality() only with the personas
 * programs use (READ_IMPLIES_EXEC, for one, fails); socket() refuses the
 * audit netlink socket without CAP_AUDIT_WRITE. clone, clone3, unshare,
 * setns, mount, keyctl and ptrace are allowed, as in podman: its
 * namespace-flag rules for clone were dropped in 2021 (they were dead:
 * clone was allowed outright), and rootless containers rely on nesting.
 * The container's own session keyring (runtime.h) and capability set keep
 * those in bounds. */

/* Failing with EPERM rather than ENOSYS: obsolete or dangerous calls a
 * program should not retry another way. */
static const char *const eperm_names[] = {
    "bdflush",
    "cachestat",
    "futex_requeue",
    "futex_wait",
    "futex_waitv",
    "futex_wake",
    "io_pgetevents",
    "io_pgetevents_time64",
    "kexec_file_load",
    "kexec_load",
    "map_shadow_stack",
    "migrate_pages",
    "move_pages",
    "nfsservctl",
    "nice",
    "oldfstat",
    "oldlstat",
    "oldolduname",
    "oldstat",
    "olduname",
    "pciconfig_iobase",
    "pciconfig_read",
    "pciconfig_write",
    "sgetmask",
    "ssetmask",
    "swapoff",
    "swapon",
    "syscall",
    "sysfs",
    "uselib",
    "userfaultfd",
    "ustat",
    "vm86",
    "vm86old",
    "vmsplice",
    NULL,
};

static const char *const allow_names[] = {
    "_llseek",
    "_newselect",
    "accept",
    "accept4",
    "access",
    "adjtimex",
    "alarm",
    "bind",
    "brk",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "clock_adjtime",
    "clock_adjtime64",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "clone",
    "clone3",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fanotify_init",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "fchown",
    "fchown32",
    "fchownat",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsconfig",
    "fsetxattr",
    "fsmount",
    "fsopen",
    "fspick",
    "fstat",
    "fstat64",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "futex",
    "futex_time64",
    "futimesat",
    "get_mempolicy",
    "get_robust_list",
    "get_thread_area",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "getxattr",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "io_destroy",
    "io_getevents",
    "io_setup",
    "io_submit",
    "ioctl",
    "ioprio_get",
    "ioprio_set",
    "ipc",
    "keyctl",
    "kill",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "lchown",
    "lchown32",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listxattr",
    "llistxattr",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "lstat64",
    "madvise",
    "mbind",
    "membarrier",
    "memfd_create",
    "memfd_secret",
    "mincore",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mmap2",
    "mount",
    "mount_setattr",
    "move_mount",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "mremap",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "name_to_handle_at",
    "nanosleep",
    "newfstatat",
    "open",
    "open_tree",
    "openat",
    "openat2",
    "pause",
    "pidfd_getfd",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "pivot_root",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "poll",
    "ppoll",
    "ppoll_time64",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "process_mrelease",
    "process_vm_readv",
    "process_vm_writev",
    "pselect6",
    "pselect6_time64",
    "ptrace",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "reboot",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "send",
    "sendfile",
    "sendfile64",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "set_mempolicy",
    "set_robust_list",
    "set_thread_area",
    "set_tid_address",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "setitimer",
    "setns",
    "setpgid",
    "setpriority",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setrlimit",
    "setsid",
    "setsockopt",
    "setuid",
    "setuid32",
    "setxattr",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signal",
    "signalfd",
    "signalfd4",
    "sigprocmask",
    "sigreturn",
    "socketcall",
    "socketpair",
    "splice",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "syslog",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    "times",
    "tkill",
    "truncate",
    "truncate64",
    "ugetrlimit",
    "umask",
    "umount",
    "umount2",
    "uname",
    "unlink",
    "unlinkat",
    "unshare",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
    "vfork",
    "wait4",
    "waitid",
    "waitpid",
    "write",
    "writev",
    NULL,
};

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define CAPS(...)                          \
	{                                  \
		.caps = NAMES(__VA_ARGS__) \
	}
#define ARCHES(...)                          \
	{                                    \
		.arches = NAMES(__VA_ARGS__) \
	}
/* two rules: allowed with the capability, EPERM without it */
/* clang-format off */
#define GATED(cap, ...) \
	{NAMES(__VA_ARGS__), CTR_SC_ALLOW, 0, NULL, 0, CAPS(cap), {0}}, \
	{NAMES(__VA_ARGS__), CTR_SC_ERRNO, EPERM, NULL, 0, {0}, CAPS(cap)}
/* clang-format on */
#define AF_NETLINK_ 16
#define NETLINK_AUDIT_ 9

/* personality(): the personas programs ask for (PER_LINUX, UNAME26,
 * PER_LINUX32, both), and the query 0xffffffff */
static const struct ctr_sc_arg persona[][1] = {
    {{0, 0x0, 0, CTR_SC_EQ}},     {{0, 0x0008, 0, CTR_SC_EQ}},     {{0, 0x20000, 0, CTR_SC_EQ}},
    {{0, 0x20008, 0, CTR_SC_EQ}}, {{0, 0xffffffff, 0, CTR_SC_EQ}},
};
static const struct ctr_sc_arg audit_socket[] = {{0, AF_NETLINK_, 0, CTR_SC_EQ}, {2, NETLINK_AUDIT_, 0, CTR_SC_EQ}};
static const struct ctr_sc_arg not_audit[] = {{2, NETLINK_AUDIT_, 0, CTR_SC_NE}};
static const struct ctr_sc_arg not_netlink[] = {{0, AF_NETLINK_, 0, CTR_SC_NE}};

static const struct ctr_sc_rule default_rules[] = {
    {eperm_names, CTR_SC_ERRNO, EPERM, NULL, 0, {0}, {0}},
    {allow_names, CTR_SC_ALLOW, 0, NULL, 0, {0}, {0}},
    {NAMES("personality"), CTR_SC_ALLOW, 0, persona[0], 1, {0}, {0}},
    {NAMES("personality"), CTR_SC_ALLOW, 0, persona[1], 1, {0}, {0}},
    {NAMES("personality"), CTR_SC_ALLOW, 0, persona[2], 1, {0}, {0}},
    {NAMES("personality"), CTR_SC_ALLOW, 0, persona[3], 1, {0}, {0}},
    {NAMES("personality"), CTR_SC_ALLOW, 0, persona[4], 1, {0}, {0}},
    {NAMES("sync_file_range2", "swapcontext"), CTR_SC_ALLOW, 0, NULL, 0, ARCHES("ppc64le"), {0}},
    {NAMES("arm_fadvise64_64", "arm_sync_file_range", "breakpoint", "cacheflush", "set_tls", "sync_file_range2"),
     CTR_SC_ALLOW,
     0,
     NULL,
     0,
     ARCHES("arm", "arm64"),
     {0}},
    {NAMES("arch_prctl"), CTR_SC_ALLOW, 0, NULL, 0, ARCHES("amd64", "x32"), {0}},
    {NAMES("modify_ldt"), CTR_SC_ALLOW, 0, NULL, 0, ARCHES("amd64", "x32", "x86"), {0}},
    {NAMES("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"),
     CTR_SC_ALLOW,
     0,
     NULL,
     0,
     ARCHES("s390", "s390x"),
     {0}},
    {NAMES("riscv_flush_icache"), CTR_SC_ALLOW, 0, NULL, 0, ARCHES("riscv64"), {0}},
    /* the calls a capability gates: allowed with it, EPERM without */
    GATED("CAP_DAC_READ_SEARCH", "open_by_handle_at"),
    {NAMES("bpf", "lookup_dcookie", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns"),
     CTR_SC_ALLOW,
     0,
     NULL,
     0,
     CAPS("CAP_SYS_ADMIN"),
     {0}},
    /* setns stays allowed, as with podman: libseccomp keeps the allow
     * rule the list above added first */
    {NAMES("lookup_dcookie", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns"),
     CTR_SC_ERRNO,
     EPERM,
     NULL,
     0,
     {0},
     CAPS("CAP_SYS_ADMIN")},
    GATED("CAP_SYS_CHROOT", "chroot"),
    GATED("CAP_SYS_MODULE", "delete_module", "finit_module", "init_module", "query_module"),
    GATED("CAP_SYS_PACCT", "acct"),
    GATED("CAP_SYS_PTRACE", "kcmp", "process_madvise"),
    GATED("CAP_SYS_RAWIO", "ioperm", "iopl"),
    GATED("CAP_SYS_TIME", "clock_settime", "clock_settime64", "settimeofday", "stime"),
    GATED("CAP_SYS_TTY_CONFIG", "vhangup"),
    /* socket(AF_NETLINK, *, NETLINK_AUDIT) without CAP_AUDIT_WRITE: EINVAL
     * (podman lists the NETLINK_AUDIT rule twice; once is enough) */
    {NAMES("socket"), CTR_SC_ERRNO, EINVAL, audit_socket, 2, {0}, CAPS("CAP_AUDIT_WRITE")},
    {NAMES("socket"), CTR_SC_ALLOW, 0, not_audit, 1, {0}, CAPS("CAP_AUDIT_WRITE")},
    {NAMES("socket"), CTR_SC_ALLOW, 0, not_netlink, 1, {0}, CAPS("CAP_AUDIT_WRITE")},
    {NAMES("socket"), CTR_SC_ALLOW, 0, NULL, 0, CAPS("CAP_AUDIT_WRITE"), {0}},
    {NAMES("bpf"), CTR_SC_ERRNO, EPERM, NULL, 0, {0}, CAPS("CAP_SYS_ADMIN", "CAP_BPF")},
    {NAMES("bpf"), CTR_SC_ALLOW, 0, NULL, 0, CAPS("CAP_BPF"), {0}},
    {NAMES("perf_event_open"), CTR_SC_ERRNO, EPERM, NULL, 0, {0}, CAPS("CAP_SYS_ADMIN", "CAP_BPF")},
    {NAMES("perf_event_open"), CTR_SC_ALLOW, 0, NULL, 0, CAPS("CAP_PERFMON"), {0}},
};

static const struct ctr_sc_arch default_arches[] = {
    {"SCMP_ARCH_X86_64", NAMES("SCMP_ARCH_X86", "SCMP_ARCH_X32")},
    {"SCMP_ARCH_AARCH64", NAMES("SCMP_ARCH_ARM")},
    {"SCMP_ARCH_MIPS64", NAMES("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32")},
    {"SCMP_ARCH_MIPS64N32", NAMES("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64")},
    {"SCMP_ARCH_MIPSEL64", NAMES("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32")},
    {"SCMP_ARCH_MIPSEL64N32", NAMES("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64")},
    {"SCMP_ARCH_S390X", NAMES("SCMP_ARCH_S390")},
};

const struct ctr_sc_profile ctr_seccomp_default = {
    .default_action = CTR_SC_ERRNO,
    .default_errno = ENOSYS,
    .arch_map = default_arches,
    .n_arch_map = sizeof(default_arches) / sizeof(default_arches[0]),
    .rules = default_rules,
    .n_rules = sizeof(default_rules) / sizeof(default_rules[0]),
};

const char *ctr_seccomp_native_arch(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return "x32";
#elif defined(__x86_64__)
	return "amd64";
#elif defined(__i386__)
	return "x86";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__)
	return "arm";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__s390__)
	return "s390";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__powerpc64__)
	return "ppc64";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#elif defined(__mips64) && defined(_ABIN32) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "mipsel64n32";
#elif defined(__mips64) && defined(_ABIN32)
	return "mips64n32";
#elif defined(__mips64) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "mipsel64";
#elif defined(__mips64)
	return "mips64";
#else
	return "unknown";
#endif
}

/* The architecture map entry of a native architecture (podman's table). */
static const char *native_scmp_arch(const char *arch)
{
	static const struct {
		const char *native, *scmp;
	} map[] = {
	    {"amd64", "SCMP_ARCH_X86_64"},      {"arm64", "SCMP_ARCH_AARCH64"},
	    {"mips64", "SCMP_ARCH_MIPS64"},     {"mips64n32", "SCMP_ARCH_MIPS64N32"},
	    {"mipsel64", "SCMP_ARCH_MIPSEL64"}, {"mipsel64n32", "SCMP_ARCH_MIPSEL64N32"},
	    {"s390x", "SCMP_ARCH_S390X"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].native, arch) == 0)
			return map[i].scmp;
	return NULL;
}

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static bool holds(const struct ctr_sc_rule *r, const char *arch, const char *const *caps)
{
	if (in_list(r->excludes.arches, arch))
		return false;
	for (const char *const *c = r->excludes.caps; c && *c; c++)
		if (in_list(caps, *c))
			return false;
	if (r->includes.arches && r->includes.arches[0] && !in_list(r->includes.arches, arch))
		return false;
	for (const char *const *c = r->includes.caps; c && *c; c++)
		if (!in_list(caps, *c))
			return false;
	return true;
}

static void gen_action(yajl_gen g, const char *key, const char *errno_key, enum ctr_sc_action a, int e)
{
	static const char *const names[] = {
	    [CTR_SC_ALLOW] = "SCMP_ACT_ALLOW",
	    [CTR_SC_ERRNO] = "SCMP_ACT_ERRNO",
	    [CTR_SC_KILL] = "SCMP_ACT_KILL",
	    [CTR_SC_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	    [CTR_SC_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	    [CTR_SC_TRAP] = "SCMP_ACT_TRAP",
	    [CTR_SC_TRACE] = "SCMP_ACT_TRACE",
	    [CTR_SC_LOG] = "SCMP_ACT_LOG",
	};
	jg_key_str(g, key, names[a]);
	if (a == CTR_SC_ERRNO || a == CTR_SC_TRACE)
		jg_key_int(g, errno_key, e);
}

/* an unsigned 64-bit number (past LLONG_MAX too) */
static void jg_key_u64(yajl_gen g, const char *key, unsigned long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu", v);
	jg_key(g, key);
	yajl_gen_number(g, buf, (size_t)n);
}

void ctr_seccomp_gen(yajl_gen g, const struct ctr_sc_profile *p, const char *arch, const char *const *caps)
{
	static const char *const ops[] = {
	    [CTR_SC_EQ] = "SCMP_CMP_EQ", [CTR_SC_NE] = "SCMP_CMP_NE", [CTR_SC_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
	    [CTR_SC_LT] = "SCMP_CMP_LT", [CTR_SC_LE] = "SCMP_CMP_LE", [CTR_SC_GE] = "SCMP_CMP_GE",
	    [CTR_SC_GT] = "SCMP_CMP_GT"};
	jg_map_open(g);
	gen_action(g, "defaultAction", "defaultErrnoRet", p->default_action, p->default_errno);
	const char *scmp = native_scmp_arch(arch);
	jg_key(g, "architectures");
	jg_array_open(g);
	for (const char *const *a = p->arches; a && *a; a++)
		jg_str(g, *a);
	for (size_t i = 0; scmp && !p->arches && i < p->n_arch_map; i++) {
		if (strcmp(p->arch_map[i].arch, scmp) != 0)
			continue;
		jg_str(g, p->arch_map[i].arch);
		for (const char *const *s = p->arch_map[i].subs; s && *s; s++)
			jg_str(g, *s);
		break;
	}
	jg_array_close(g);
	jg_key(g, "syscalls");
	jg_array_open(g);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct ctr_sc_rule *r = &p->rules[i];
		if (!holds(r, arch, caps))
			continue;
		jg_map_open(g);
		jg_key_strv(g, "names", (char *const *)r->names);
		gen_action(g, "action", "errnoRet", r->action, r->errno_ret);
		if (r->n_args) {
			jg_key(g, "args");
			jg_array_open(g);
			for (size_t k = 0; k < r->n_args; k++) {
				jg_map_open(g);
				jg_key_int(g, "index", r->args[k].index);
				jg_key_u64(g, "value", r->args[k].value);
				jg_key_u64(g, "valueTwo", r->args[k].value_two);
				jg_key_str(g, "op", ops[r->args[k].op]);
				jg_map_close(g);
			}
			jg_array_close(g);
		}
		jg_map_close(g);
	}
	jg_array_close(g);
	jg_map_close(g);
}
