/* The container's filesystem view (child side, in its new mount
 * namespace): rootfs bind, config.json's mounts, devices, the pty,
 * pivot_root, masked and read-only paths. Every destination is resolved
 * inside the rootfs with openat2(RESOLVE_IN_ROOT) and mounted through its
 * /proc/self/fd path, so a symlink in the image cannot lead a mount out of
 * the rootfs. */
#include "runtime/internal.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/sock.h"
#include "lib/trace.h"
#include "lib/xalloc.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

struct fd_path {
	char s[32];
};

static struct fd_path fd_path(int fd)
{
	struct fd_path p;
	snprintf(p.s, sizeof(p.s), "/proc/self/fd/%d", fd);
	return p;
}

int rt_open_in_root(int rootfd, const char *path, int flags)
{
	return openat2_retry(rootfd, path, (unsigned long long)flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

static int mkpath_in_root(int rootfd, const char *path, bool dir, int *links, struct burrow_err **err)
{
	int fd = rt_open_in_root(rootfd, path, O_PATH);
	if (fd >= 0)
		return fd;
	if (errno == ENOSYS) {
		burrow_error(err, errno, "cannot resolve '%s' in the rootfs", str_quote(path));
		return burrow_error_hint(err, "openat2 needs Linux 5.6 or later");
	}
	if (errno != ENOENT)
		return burrow_error(err, errno, "cannot resolve '%s' in the rootfs", str_quote(path));

	cleanup_free char *p = xstrdup(path);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	char *slash = strrchr(p, '/');
	const char *base = slash ? slash + 1 : p;
	const char *parent = "/";
	if (slash && slash != p) {
		*slash = '\0';
		parent = p;
	}
	cleanup_close int pfd = mkpath_in_root(rootfd, parent, true, links, err);
	if (pfd < 0)
		return -1;
	if (*base && strcmp(base, ".") != 0 && strcmp(base, "..") != 0) {
		int f;
		if (dir)
			f = mkdirat(pfd, base, 0755);
		else
			f = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f < 0 && errno != EEXIST)
			return burrow_error(err, errno, "cannot create '%s' in the rootfs", str_quote(path));
		if (f >= 0 && !dir)
			close(f);
	}
	fd = rt_open_in_root(rootfd, path, O_PATH);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return burrow_error(err, errno, "cannot resolve '%s' in the rootfs", str_quote(path));
	/* a dangling symlink: create what it points to, seen from the rootfs
	 * (the kernel keeps "..", and absolute targets, inside it) */
	char target[4096];
	ssize_t len = readlinkat(pfd, base, target, sizeof(target) - 1);
	if (len <= 0)
		return burrow_error(err, ENOENT, "cannot resolve '%s' in the rootfs", str_quote(path));
	target[len] = '\0';
	if (++*links > 40)
		return burrow_error(err, ELOOP, "cannot resolve '%s' in the rootfs", str_quote(path));
	cleanup_free char *next = target[0] == '/' ? xstrdup(target) : xasprintf("%s/%s", parent, target);
	return mkpath_in_root(rootfd, next, dir, links, err);
}

int rt_mkpath_in_root(int rootfd, const char *path, bool dir, struct burrow_err **err)
{
	int links = 0;
	return mkpath_in_root(rootfd, path, dir, &links, err);
}

/* The flags a mount in a user namespace cannot drop (the kernel locks them
 * when the mount came from a more privileged namespace): a remount must
 * repeat them or fail with EPERM. */
static unsigned long locked_flags(int fd, bool want_atime)
{
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return 0;
	unsigned long f = 0;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (!want_atime) {
		if (sv.f_flag & ST_NOATIME)
			f |= MS_NOATIME;
		if (sv.f_flag & ST_NODIRATIME)
			f |= MS_NODIRATIME;
		if (sv.f_flag & ST_RELATIME)
			f |= MS_RELATIME;
	}
	return f;
}

#define RT_BIND_ATTR_FLAGS                                                                                          \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | \
	 MS_SYNCHRONOUS | MS_DIRSYNC)
#define RT_ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

/* Applies ro/nosuid/nodev/noexec/atime flags to the bind mount whose root
 * is mfd; recursive: to every mount below it too. */
static int remount_bind(int mfd, unsigned long want, bool recursive, const char *dest, struct burrow_err **err)
{
	want &= RT_BIND_ATTR_FLAGS;
	if (!want)
		return 0;
	if (recursive && !(want & (MS_SYNCHRONOUS | MS_DIRSYNC))) {
		struct mount_attr attr = {0};
		if (want & MS_RDONLY)
			attr.attr_set |= MOUNT_ATTR_RDONLY;
		if (want & MS_NOSUID)
			attr.attr_set |= MOUNT_ATTR_NOSUID;
		if (want & MS_NODEV)
			attr.attr_set |= MOUNT_ATTR_NODEV;
		if (want & MS_NOEXEC)
			attr.attr_set |= MOUNT_ATTR_NOEXEC;
		if (want & MS_NODIRATIME)
			attr.attr_set |= MOUNT_ATTR_NODIRATIME;
		if (want & RT_ATIME_FLAGS) {
			attr.attr_clr |= MOUNT_ATTR__ATIME;
			attr.attr_set |= (want & MS_NOATIME)       ? MOUNT_ATTR_NOATIME
			                 : (want & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
			                                           : MOUNT_ATTR_RELATIME;
		}
		if (syscall(SYS_mount_setattr, mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) == 0)
			return 0;
		if (errno != ENOSYS)
			return burrow_error(err, errno, "cannot remount '%s' with its options", str_quote(dest));
	}
	unsigned long flags = MS_REMOUNT | MS_BIND | want | locked_flags(mfd, want & RT_ATIME_FLAGS);
	if (mount(NULL, fd_path(mfd).s, NULL, flags, NULL) < 0)
		return burrow_error(err, errno, "cannot remount '%s' with its options", str_quote(dest));
	return 0;
}

static int set_propagation(int rootfd, const char *dest, unsigned long prop, struct burrow_err **err)
{
	if (!prop)
		return 0;
	cleanup_close int mfd = rt_open_in_root(rootfd, dest, O_PATH);
	if (mfd < 0)
		return burrow_error(err, errno, "cannot resolve '%s' in the rootfs", str_quote(dest));
	if (mount(NULL, fd_path(mfd).s, NULL, prop, NULL) < 0)
		return burrow_error(err, errno, "cannot set the propagation of '%s'", str_quote(dest));
	return 0;
}

/* Binds host path src onto dest inside the rootfs. */
static int bind_mount(struct rt_init *ini, const char *src, const char *dest, unsigned long flags, unsigned long prop,
                      struct burrow_err **err)
{
	struct stat st;
	if (stat(src, &st) < 0)
		return burrow_error(err, errno, "cannot bind '%s' on '%s'", str_quote(src), str_quote(dest));
	cleanup_close int tfd = rt_mkpath_in_root(ini->rootfd, dest, S_ISDIR(st.st_mode), err);
	if (tfd < 0)
		return -1;
	if (mount(src, fd_path(tfd).s, NULL, MS_BIND | (flags & MS_REC), NULL) < 0)
		return burrow_error(err, errno, "cannot bind '%s' on '%s'", str_quote(src), str_quote(dest));
	if (!(flags & RT_BIND_ATTR_FLAGS) && !prop)
		return 0;
	/* tfd is the covered file; the new mount's root is found anew. The
	 * mount may have changed where dest leads (a symlink in the image
	 * through the covered directory, one in the source): the options must
	 * not land on another mount */
	cleanup_close int mfd = rt_open_in_root(ini->rootfd, dest, O_PATH);
	if (mfd < 0)
		return burrow_error(err, errno, "cannot resolve '%s' in the rootfs", str_quote(dest));
	struct stat mst;
	if (fstat(mfd, &mst) < 0)
		return burrow_error(err, errno, "cannot bind '%s' on '%s'", str_quote(src), str_quote(dest));
	if (mst.st_dev != st.st_dev || mst.st_ino != st.st_ino)
		return burrow_error(err, 0, "cannot bind '%s' on '%s': the path leads elsewhere once mounted",
		                    str_quote(src), str_quote(dest));
	if (remount_bind(mfd, flags, flags & MS_REC, dest, err) < 0)
		return -1;
	if (prop && mount(NULL, fd_path(mfd).s, NULL, prop, NULL) < 0)
		return burrow_error(err, errno, "cannot set the propagation of '%s'", str_quote(dest));
	return 0;
}

/* data without its "gid=..." option (devpts when gid 5 is not mapped). */
static char *drop_option(const char *data, const char *prefix)
{
	cleanup_free char *copy = xstrdup(data);
	cleanup_free char *out = xstrdup("");
	char *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strncmp(o, prefix, strlen(prefix)) == 0)
			continue;
		char *n = xasprintf("%s%s%s", out, *out ? "," : "", o);
		free(out);
		out = n;
	}
	return steal_ptr(out);
}

/* Whether gid is mapped in our user namespace. */
static bool gid_mapped(unsigned long gid)
{
	cleanup_free char *map = NULL;
	if (read_file("/proc/self/gid_map", &map, NULL, NULL) < 0)
		return true; /* let the mount say */
	char *save = NULL;
	for (char *l = strtok_r(map, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long inside, outside, count;
		if (sscanf(l, "%lu %lu %lu", &inside, &outside, &count) == 3 && gid >= inside && gid - inside < count)
			return true;
	}
	return false;
}

static int fs_mount(struct rt_init *ini, const struct rt_mount *m, struct burrow_err **err)
{
	const char *type = m->type;
	unsigned long flags = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	unsigned long bind_flags = MS_BIND | MS_REC | (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
	bool is_sysfs = strcmp(type, "sysfs") == 0;
	bool is_cgroup = strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0;

	/* sysfs belongs to the network namespace: without a new one, the
	 * host's is bound read-only (as crun does) */
	if (is_sysfs && !ini->new_net)
		return bind_mount(ini, "/sys", m->destination, bind_flags | MS_RDONLY, m->propagation, err);

	cleanup_close int tfd = rt_mkpath_in_root(ini->rootfd, m->destination, true, err);
	if (tfd < 0)
		return -1;
	const char *src = m->source ? m->source : type;
	const char *data = m->data;
	cleanup_free char *nogid = NULL;
	const char *gid = data ? strstr(data, "gid=") : NULL;
	if (strcmp(type, "devpts") == 0 && gid && (gid == data || gid[-1] == ',')) {
		/* the group (tty, 5) is not mapped in a single-ID namespace;
		 * finding out first is cheaper than a failed devpts mount */
		nogid = drop_option(data, "gid=");
		if (!gid_mapped(strtoul(gid + 4, NULL, 10)))
			data = nogid;
	}
	int r = mount(src, fd_path(tfd).s, type, flags, data);
	if (r < 0 && errno == EINVAL && nogid && data != nogid)
		r = mount(src, fd_path(tfd).s, type, flags, nogid);
	if (r < 0 && errno == EPERM && strcmp(type, "mqueue") == 0 && !ini->new_ipc)
		return bind_mount(ini, "/dev/mqueue", m->destination, bind_flags, m->propagation, err);
	if (r < 0 && (errno == EPERM || errno == EBUSY || errno == EINVAL || errno == ENODEV) && is_cgroup)
		return bind_mount(ini, "/sys/fs/cgroup", m->destination, bind_flags, m->propagation, err);
	if (r < 0 && errno == EPERM && is_sysfs)
		return bind_mount(ini, "/sys", m->destination, bind_flags | MS_RDONLY, m->propagation, err);
	if (r < 0)
		return burrow_error(err, errno, "cannot mount %s on '%s'", type, str_quote(m->destination));
	return set_propagation(ini->rootfd, m->destination, m->propagation, err);
}

static const char *const default_devices[] = {"/dev/null",   "/dev/zero",    "/dev/full",
                                              "/dev/random", "/dev/urandom", "/dev/tty"};

static const struct {
	const char *name;
	const char *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},
};

/* mknod is not allowed in a user namespace: the host's nodes are bound
 * onto files in the new /dev, as crun does rootless. */
static int setup_devices(struct rt_init *ini, struct burrow_err **err)
{
	for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
		if (access(default_devices[i], F_OK) < 0)
			continue;
		if (bind_mount(ini, default_devices[i], default_devices[i], MS_BIND, 0, err) < 0)
			return -1;
	}
	for (char **d = ini->spec->devices; *d; d++)
		if (bind_mount(ini, *d, *d, MS_BIND, 0, err) < 0)
			return burrow_error_wrap(err, "device '%s'", *d);

	cleanup_close int devfd = rt_mkpath_in_root(ini->rootfd, "/dev", true, err);
	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) == 0)
			continue;
		if (errno != EEXIST)
			return burrow_error(err, errno, "cannot create '/dev/%s'", dev_links[i].name);
		if (strcmp(dev_links[i].name, "ptmx") == 0) {
			/* an image's own ptmx node would be the host's: replace it */
			if (unlinkat(devfd, "ptmx", 0) < 0 || symlinkat("pts/ptmx", devfd, "ptmx") < 0)
				return burrow_error(err, errno, "cannot create '/dev/ptmx'");
		}
	}
	return 0;
}

int rt_open_pty(int rootfd, int *slave, struct burrow_err **err)
{
	cleanup_close int master = rt_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
	if (master < 0) {
		burrow_error(err, errno, "cannot open '/dev/pts/ptmx' in the container");
		return burrow_error_hint(err,
		                         "a terminal needs a devpts mount at /dev/pts with newinstance,ptmxmode=0666");
	}
	if (unlockpt(master) < 0)
		return burrow_error(err, errno, "cannot unlock the container's pty");
	*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		return burrow_error(err, errno, "cannot open the container's pty");
	return steal_fd(master);
}

/* Opens a pty in the container's own devpts, binds its slave on
 * /dev/console and hands the master to the parent. */
static int setup_pty(struct rt_init *ini, struct burrow_err **err)
{
	cleanup_close int master = rt_open_pty(ini->rootfd, &ini->pty_slave, err);
	if (master < 0)
		return -1;
	cleanup_close int cfd = rt_mkpath_in_root(ini->rootfd, "/dev/console", false, err);
	if (cfd < 0)
		return -1;
	if (mount(fd_path(ini->pty_slave).s, fd_path(cfd).s, NULL, MS_BIND, NULL) < 0)
		return burrow_error(err, errno, "cannot bind the pty on '/dev/console'");
	if (sock_send(ini->sync_fd, RT_MSG_FD, 0, master) < 0)
		return burrow_error(err, errno, "cannot send the pty to the parent");
	return 0;
}

int rt_setup_mounts(struct rt_init *ini, struct burrow_err **err)
{
	const struct rt_spec *s = ini->spec;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return burrow_error(err, errno, "cannot make '/' private");
	if (mount(s->root_path, s->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return burrow_error(err, errno, "cannot bind the rootfs '%s'", str_quote(s->root_path));
	ini->rootfd = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ini->rootfd < 0)
		return burrow_error(err, errno, "cannot open the rootfs '%s'", str_quote(s->root_path));
	/* with a user namespace of its own: the bind sources are opened while
	 * we still are the user (they may sit in the user's private dirs,
	 * which the namespace's root, another ID, cannot enter), then we
	 * become that root (what we mount and create is the container's) */
	bool own_userns = s->clone_flags & CLONE_NEWUSER;
	cleanup_free int *srcfd = xcalloc(s->n_mounts + 1, sizeof(int));
	for (size_t i = 0; i < s->n_mounts; i++) {
		srcfd[i] = -1;
		if (own_userns && (s->mounts[i].flags & MS_BIND) &&
		    (srcfd[i] = open(s->mounts[i].source, O_PATH | O_CLOEXEC)) < 0)
			return burrow_error(err, errno, "cannot bind '%s' on '%s'", str_quote(s->mounts[i].source),
			                    str_quote(s->mounts[i].destination));
	}
	int r = own_userns ? rt_userns_root(err) : 0;
	trace_mark("mounts: rootfs bound");
	for (size_t i = 0; r == 0 && i < s->n_mounts; i++) {
		const struct rt_mount *m = &s->mounts[i];
		if (m->flags & MS_BIND)
			r = bind_mount(ini, srcfd[i] >= 0 ? fd_path(srcfd[i]).s : m->source, m->destination, m->flags,
			               m->propagation, err);
		else
			r = fs_mount(ini, m, err);
	}
	for (size_t i = 0; i < s->n_mounts; i++)
		if (srcfd[i] >= 0)
			close(srcfd[i]);
	if (r < 0)
		return -1;
	trace_mark("mounts: spec mounts");
	if (setup_devices(ini, err) < 0)
		return -1;
	trace_mark("mounts: devices");
	if (ini->terminal && setup_pty(ini, err) < 0)
		return -1;

	if (fchdir(ini->rootfd) < 0)
		return burrow_error(err, errno, "cannot enter the rootfs '%s'", str_quote(s->root_path));
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return burrow_error(err, errno, "cannot pivot_root into '%s'", str_quote(s->root_path));
	/* the old root is now stacked under the new one: drop it */
	if (umount2(".", MNT_DETACH) < 0)
		return burrow_error(err, errno, "cannot detach the old root");
	if (chdir("/") < 0)
		return burrow_error(err, errno, "cannot change to '/'");
	trace_mark("mounts: pivoted");
	return 0;
}

static int write_sysctl(const char *key, const char *value, struct burrow_err **err)
{
	cleanup_free char *path = xasprintf("/proc/sys/%s", key);
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	cleanup_close int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || write_all(fd, value, strlen(value)) < 0)
		return burrow_error(err, errno, "cannot set sysctl '%s' to '%s'", str_quote(key), str_quote(value));
	return 0;
}

static int mask_path(const char *path, struct burrow_err **err)
{
	cleanup_close int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return burrow_error(err, errno, "cannot mask '%s'", path);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return burrow_error(err, errno, "cannot mask '%s'", path);
	int r;
	if (S_ISDIR(st.st_mode))
		r = mount("tmpfs", fd_path(fd).s, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          "size=0k,mode=755");
	else if (S_ISLNK(st.st_mode))
		return 0;
	else
		r = mount("/dev/null", fd_path(fd).s, NULL, MS_BIND, NULL);
	if (r < 0)
		return burrow_error(err, errno, "cannot mask '%s'", path);
	return 0;
}

static int readonly_path(const char *path, struct burrow_err **err)
{
	cleanup_close int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return burrow_error(err, errno, "cannot make '%s' read-only", path);
	}
	if (mount(fd_path(fd).s, fd_path(fd).s, NULL, MS_BIND | MS_REC, NULL) < 0)
		return burrow_error(err, errno, "cannot make '%s' read-only", path);
	cleanup_close int mfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (mfd < 0)
		return burrow_error(err, errno, "cannot make '%s' read-only", path);
	return remount_bind(mfd, MS_RDONLY, true, path, err);
}

int rt_finish_mounts(struct rt_init *ini, struct burrow_err **err)
{
	const struct rt_spec *s = ini->spec;
	if (s->rootfs_propagation != (MS_REC | MS_PRIVATE) && mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
		return burrow_error(err, errno, "cannot set the rootfs propagation");
	for (char **kv = s->sysctl; kv[0] && kv[1]; kv += 2)
		if (write_sysctl(kv[0], kv[1], err) < 0)
			return -1;
	for (char **p = s->masked_paths; *p; p++)
		if (mask_path(*p, err) < 0)
			return -1;
	for (char **p = s->readonly_paths; *p; p++)
		if (readonly_path(*p, err) < 0)
			return -1;
	if (s->root_readonly) {
		cleanup_close int fd = open("/", O_PATH | O_CLOEXEC);
		if (fd < 0)
			return burrow_error(err, errno, "cannot open '/'");
		if (remount_bind(fd, MS_RDONLY, false, "/", err) < 0)
			return -1;
	}
	return 0;
}
