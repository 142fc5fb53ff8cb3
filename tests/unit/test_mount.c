/* Unit tests for container/mount.c's parsers: -v, --mount, --tmpfs,
 * --volumes-from, the stored form, and the checks run/create make before
 * anything is written; copy-up (container/copyup.c): a tree deeper than
 * the fds a process may hold, hard links and xattrs kept, racing a link
 * put in its way, and a target directory moved while the copy is below
 * it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "container/mount.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/strv.h"
#include "lib/walk.h"
#include "lib/xalloc.h"
#include "tests/unit/dirchain.h"

/* The stored form of the -v/--mount/--tmpfs spec (parser p), or "ERR:"
 * and the message. */
static char *parsed(int (*p)(const char *, struct ctr_mount *, struct burrow_err **), const char *spec)
{
	struct ctr_mount m;
	struct burrow_err *err = NULL;
	if (p(spec, &m, &err) < 0) {
		assert_int_equal(err->status, EINVAL);
		char *r = xasprintf("ERR:%s", err->msg);
		burrow_err_free(err);
		return r;
	}
	char *r = ctr_mount_format(&m);
	struct ctr_mount back;
	assert_int_equal(ctr_mount_decode(r, &back, &err), 0);
	cleanup_free char *again = ctr_mount_format(&back);
	assert_string_equal(r, again);
	ctr_mount_clear(&back);
	ctr_mount_clear(&m);
	return r;
}

#define V(spec, want)                                                          \
	do {                                                                   \
		cleanup_free char *got = parsed(ctr_mount_parse_volume, spec); \
		assert_string_equal(got, want);                                \
	} while (0)
#define M(spec, want)                                                         \
	do {                                                                  \
		cleanup_free char *got = parsed(ctr_mount_parse_mount, spec); \
		assert_string_equal(got, want);                               \
	} while (0)
#define TMP(spec, want)                                                       \
	do {                                                                  \
		cleanup_free char *got = parsed(ctr_mount_parse_tmpfs, spec); \
		assert_string_equal(got, want);                               \
	} while (0)
#define BAD(p, spec, msg)                                      \
	do {                                                   \
		cleanup_free char *got = parsed(p, spec);      \
		assert_non_null(strstr(got, "ERR:"));          \
		if (!strstr(got, msg))                         \
			fail_msg("'%s': got '%s'", spec, got); \
	} while (0)

static void test_volume_forms(void **state)
{
	(void)state;
	V("/host:/ctr", "bind\t/host\t/ctr\tnosuid,nodev,rbind");
	V("/host:/ctr:ro,Z", "bind\t/host\t/ctr\tro,Z,nosuid,nodev,rbind");
	V("./rel:/ctr:rshared,suid", "bind\t./rel\t/ctr\trshared,suid,nodev,rbind");
	V("name:/ctr", "volume\tname\t/ctr\tnosuid,nodev,rbind");
	V("name:/ctr:nocopy,U", "volume\tname\t/ctr\tnocopy,U,nosuid,nodev,rbind");
	V("/anon", "volume\t\t/anon\tnosuid,nodev,rbind,anon");
	V("/anon:ro", "volume\t\t/anon\tro,nosuid,nodev,rbind,anon");
	V("/h:/c:bind,dev", "bind\t/h\t/c\tbind,dev,nosuid");
	V("/h:/c:O", "bind\t/h\t/c\tO,nosuid,nodev,rbind");
	V("/h:/c:O,upperdir=/u,workdir=/w", "bind\t/h\t/c\tO,upperdir=/u,workdir=/w,nosuid,nodev,rbind");
}

static void test_volume_bad(void **state)
{
	(void)state;
	BAD(ctr_mount_parse_volume, "a:b:c:d", "use [SOURCE:]DESTINATION[:OPTIONS]");
	BAD(ctr_mount_parse_volume, "rel", "not an absolute path");
	BAD(ctr_mount_parse_volume, "/h:rel", "not an absolute path");
	BAD(ctr_mount_parse_volume, "/h:/c:ro,rw", "'ro' and 'rw' cannot both be given");
	BAD(ctr_mount_parse_volume, "/h:/c:shared,rprivate", "cannot both be given");
	BAD(ctr_mount_parse_volume, "/h:/c:bogus", "unknown option 'bogus'");
	BAD(ctr_mount_parse_volume, "/h:/c:O,upperdir=/u", "upperdir= and workdir= go together, with O");
	BAD(ctr_mount_parse_volume, "/h:/c:upperdir=/u,workdir=/w", "go together, with O");
	BAD(ctr_mount_parse_volume, "/h:/c:O,upperdir=u,workdir=/w", "takes one absolute path");
	BAD(ctr_mount_parse_volume, "/h:/c:idmap", "not supported yet");
	BAD(ctr_mount_parse_volume, "name:/c:O", "'O' (an overlay) is for host directories");
	BAD(ctr_mount_parse_volume, "bad name:/c", "neither an absolute path nor a valid volume name");
	BAD(ctr_mount_parse_volume, "/h:/", "cannot mount over the container's '/'");
	BAD(ctr_mount_parse_volume, ":/c", "empty source");
	BAD(ctr_mount_parse_volume, "/h\tx:/c", "a tab or newline");
}

static void test_mount_forms(void **state)
{
	(void)state;
	M("type=bind,src=/h,dst=/c", "bind\t/h\t/c\tnosuid,nodev,rbind");
	M("type=bind,source=/h,target=/c,readonly,bind-propagation=rslave",
	  "bind\t/h\t/c\tro,rslave,nosuid,nodev,rbind");
	M("type=bind,src=/h,destination=/c,ro=false,bind-nonrecursive", "bind\t/h\t/c\trw,bind,nosuid,nodev");
	M("type=volume,src=v,dst=/c,volume-nocopy", "volume\tv\t/c\tnocopy,nosuid,nodev,rbind");
	M("type=volume,dst=/c", "volume\t\t/c\tnosuid,nodev,rbind,anon");
	M("dst=/c", "volume\t\t/c\tnosuid,nodev,rbind,anon");
	M("type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=700", "tmpfs\t\t/t\tsize=1m,mode=700,nosuid,nodev");
	M("type=devpts,dst=/dev/pts2,mode=600", "devpts\t\t/dev/pts2\tmode=600");
	BAD(ctr_mount_parse_mount, "type=nfs,dst=/c", "type 'nfs' is not bind, volume, tmpfs or devpts");
	BAD(ctr_mount_parse_mount, "type=bind,dst=/c", "needs src=");
	BAD(ctr_mount_parse_mount, "type=bind,src=rel,dst=/c", "not an absolute path");
	BAD(ctr_mount_parse_mount, "type=volume,src=/h,dst=/c", "use type=bind");
	BAD(ctr_mount_parse_mount, "type=tmpfs,src=x,dst=/c", "takes no source");
	BAD(ctr_mount_parse_mount, "type=bind,src=/h", "no destination");
	BAD(ctr_mount_parse_mount, "type=bind,src=/h,dst=/c,ro=maybe", "takes true or false");
	BAD(ctr_mount_parse_mount, "type=bind,src=/h,dst=/c,tmpfs-size=1m", "unknown or unsupported option");
}

static void test_tmpfs_forms(void **state)
{
	(void)state;
	TMP("/t", "tmpfs\t\t/t\trw,noexec,nosuid,nodev");
	TMP("/t:size=1m,exec,ro", "tmpfs\t\t/t\tsize=1m,exec,ro,nosuid,nodev");
	TMP("/t:tmpcopyup,mode=1777", "tmpfs\t\t/t\tmode=1777,rw,noexec,nosuid,nodev");
	BAD(ctr_mount_parse_tmpfs, "/t:bogus", "unknown option 'bogus'");
	/* values that tmpfs takes, and nothing that could carry more: a tab
	 * or newline would split the stored record, anything else would
	 * reach the kernel's option string */
	TMP("/t:size=50%,nr_inodes=1k,nr_blocks=2M,uid=1000,gid=0,mode=0700",
	    "tmpfs\t\t/t\tsize=50%,nr_inodes=1k,nr_blocks=2M,uid=1000,gid=0,mode=0700,rw,noexec,nosuid,nodev");
	TMP("/t:mode=01777", "tmpfs\t\t/t\tmode=01777,rw,noexec,nosuid,nodev");
	TMP("/t:size=400%", "tmpfs\t\t/t\tsize=400%,rw,noexec,nosuid,nodev");
	/* the largest amounts that fit in 64 bits; one more would wrap round in the kernel's memparse() */
	TMP("/t:size=18446744073709551615,nr_blocks=15E,nr_inodes=16777215t",
	    "tmpfs\t\t/t\tsize=18446744073709551615,nr_blocks=15E,nr_inodes=16777215t,rw,noexec,nosuid,nodev");
	TMP("/t:uid=4294967294,gid=4294967294", "tmpfs\t\t/t\tuid=4294967294,gid=4294967294,rw,noexec,nosuid,nodev");
	static const char *const bad_values[] = {
	    "/t:size=1m\tx",
	    "/t:size=1m\nexec",
	    "/t:mode=1777\nsuid",
	    "/t:size=",
	    "/t:size=1mb",
	    "/t:size=%",
	    "/t:mode=8",
	    "/t:mode=17777",
	    "/t:mode=017777",
	    "/t:uid=-1",
	    "/t:gid=0x1",
	    "/t:nr_inodes=1%",
	    "/t:uid=1 ",
	    "/t:size=1m\x7f",
	    "/t:mode=1777=",
	    "/t:size=1\x1bm",
	    "/t:uid=4294967295",
	    "/t:gid=4294967296",
	    "/t:uid=9999999999",
	    "/t:size=18446744073709551616",
	    "/t:size=99999999999999999999%",
	    "/t:size=4503599627370496%", /* 2^52 % of any memory's bytes: 0 in 64 bits */
	    "/t:size=1k%",
	    "/t:nr_blocks=16e",
	    "/t:nr_inodes=16777216T",
	    "/t:size=17179869184g",
	    "/t:size=+1",
	    "/t:size= 1",
	};
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++)
		BAD(ctr_mount_parse_tmpfs, bad_values[i], "bad value in");
	M("type=tmpfs,dst=/t,tmpfs-size=10%,tmpfs-mode=1777", "tmpfs\t\t/t\tsize=10%,mode=1777,nosuid,nodev");
	BAD(ctr_mount_parse_mount, "type=tmpfs,dst=/t,tmpfs-size=99999999999999999999",
	    "tmpfs-size '99999999999999999999' is not a size");
	BAD(ctr_mount_parse_mount, "type=tmpfs,dst=/t,tmpfs-size=1m\tsuid", "tmpfs-size '1m\\tsuid' is not a size");
	BAD(ctr_mount_parse_mount, "type=tmpfs,dst=/t,tmpfs-mode=1777\nx", "is not an octal mode");
	/* no option of any mount holds a control character */
	BAD(ctr_mount_parse_volume, "/h:/c:O,upperdir=/u\tx,workdir=/w", "holds a comma or a control character");
	BAD(ctr_mount_parse_tmpfs, "t", "not an absolute path");
}

static void test_volumes_from(void **state)
{
	(void)state;
	char *ref = NULL, *mode = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_mount_parse_from("web:ro", &ref, &mode, &err), 0);
	assert_string_equal(ref, "web");
	assert_string_equal(mode, "ro");
	free(ref);
	free(mode);
	assert_int_equal(ctr_mount_parse_from("web", &ref, &mode, &err), 0);
	assert_string_equal(mode, "");
	free(ref);
	free(mode);
	assert_int_equal(ctr_mount_parse_from("web:bogus", &ref, &mode, &err), -1);
	burrow_err_free(err);
}

static void test_check_duplicates(void **state)
{
	(void)state;
	char *v[] = {"/h:/d", NULL};
	char *t[] = {"/d/", NULL};
	char *t2[] = {"/e", NULL};
	struct ctr_mount_specs sp = {.volumes = v, .tmpfs = t};
	struct burrow_err *err = NULL;
	char **out = NULL;
	assert_int_equal(ctr_mounts_check(&sp, &out, &err), -1);
	assert_non_null(strstr(err->msg, "duplicate mount destination"));
	burrow_err_free(err);
	sp.tmpfs = t2;
	assert_int_equal(ctr_mounts_check(&sp, &out, &err), 0);
	assert_int_equal(strv_len(out), 2);
	strv_free(out);
}

/* When set, mkfifoat (this binary's, which copyup.c calls) makes the FIFO
 * and at once puts a symlink to swap_target in its place: what a
 * container sharing the volume could do between copy-up's calls. */
static const char *swap_target;

int mkfifoat(int dfd, const char *name, mode_t mode)
{
	if (mknodat(dfd, name, S_IFIFO | mode, 0) < 0)
		return -1;
	if (swap_target && (unlinkat(dfd, name, 0) < 0 || symlinkat(swap_target, dfd, name) < 0))
		return -1;
	return 0;
}

/* A FIFO of the image copied into a volume where a link to a host file
 * takes its place meanwhile: the FIFO's mode is not given to that file. */
static void test_copy_up_fifo_swapped(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-copyup-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *root = xasprintf("%s/root", dir), *data = xasprintf("%s/root/data", dir),
	                  *fifo = xasprintf("%s/root/data/fifo", dir), *vol = xasprintf("%s/vol", dir),
	                  *victim = xasprintf("%s/victim", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(data, 0755), 0);
	assert_int_equal(mknod(fifo, S_IFIFO | 0600, 0), 0);
	assert_int_equal(chmod(fifo, 0777), 0);
	assert_int_equal(mkdir(vol, 0755), 0);
	struct burrow_err *err = NULL;
	assert_int_equal(write_file(victim, "host", 4, 0600, &err), 0);
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC),
	    volfd = open(vol, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(rootfd >= 0 && volfd >= 0);
	swap_target = victim;
	int r = ctr_copy_up(rootfd, "/data", volfd, &err);
	swap_target = NULL;
	if (r < 0)
		fail_msg("%s", err->msg);
	struct stat st;
	assert_int_equal(lstat(victim, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* without the race the FIFO is copied with its mode */
	close(volfd);
	assert_int_equal(rm_rf(vol, &err), 0);
	assert_int_equal(mkdir(vol, 0755), 0);
	volfd = open(vol, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(volfd >= 0);
	if (ctr_copy_up(rootfd, "/data", volfd, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(fstatat(volfd, "fifo", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0777);
	close(rootfd);
	close(volfd);
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* An image's tree 300 directories deep (more than the old copy's 256
 * levels), copied with fewer fds than levels: every level made, the file
 * at the bottom with its xattr and its hard link to a file at the top kept
 * as one file, and a link out copied as a link. */
static void test_copy_up_deep_links_xattrs(void **state)
{
	(void)state;
	enum { DEPTH = 300 };
	char dir[] = "/tmp/burrow-test-copyup-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *vol = xasprintf("%s/vol", dir), *root = xasprintf("%s/root", dir),
	                  *data = xasprintf("%s/root/data", dir), *file = xasprintf("%s/root/data/top", dir);
	assert_int_equal(mkdir_p(data, 0755, &(struct burrow_err *){NULL}), 0);
	assert_int_equal(mkdir(vol, 0755), 0);
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC),
	    volfd = open(vol, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(rootfd >= 0 && volfd >= 0);
	int fd = open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write_file(file, "hl", 2, 0640, &(struct burrow_err *){NULL}), 0);
	assert_int_equal(symlinkat("/etc/passwd", fd, "out"), 0);
	fd = dir_chain(fd, DEPTH, 0750);
	int top = openat(rootfd, "data", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(linkat(top, "top", fd, "bottom", 0), 0);
	close(top);
	int bottom = openat(fd, "bottom", O_RDONLY | O_CLOEXEC);
	assert_true(bottom >= 0);
	/* where /tmp takes them */
	bool xattrs = fsetxattr(bottom, "user.burrow", "f", 1, 0) == 0 && fsetxattr(fd, "user.burrow", "d", 1, 0) == 0;
	close(bottom);
	close(fd);
	struct rlimit lim, low = {.rlim_cur = 128, .rlim_max = 0};
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &lim), 0);
	low.rlim_max = lim.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	struct burrow_err *err = NULL;
	int r = ctr_copy_up(rootfd, "/data", volfd, &err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	if (r < 0)
		fail_msg("%s", err->msg);
	fd = dup(volfd);
	for (int i = 0; i < DEPTH; i++) {
		struct stat st;
		assert_int_equal(fstatat(fd, "d", &st, AT_SYMLINK_NOFOLLOW), 0);
		assert_int_equal(st.st_mode, S_IFDIR | 0750);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	struct stat a, b;
	assert_int_equal(fstatat(volfd, "top", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(fd, "bottom", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(b.st_nlink, 2);
	assert_int_equal(b.st_mode, S_IFREG | 0640);
	if (xattrs) {
		char val[8];
		assert_int_equal(fgetxattr(fd, "user.burrow", val, sizeof(val)), 1);
		assert_memory_equal(val, "d", 1);
		bottom = openat(fd, "bottom", O_RDONLY | O_CLOEXEC);
		assert_int_equal(fgetxattr(bottom, "user.burrow", val, sizeof(val)), 1);
		assert_memory_equal(val, "f", 1);
		close(bottom);
	} else {
		print_message("/tmp takes no user.* xattrs: their copy not checked\n");
	}
	close(fd);
	char target[64];
	ssize_t n = readlinkat(volfd, "out", target, sizeof(target));
	assert_int_equal(n, strlen("/etc/passwd"));
	assert_memory_equal(target, "/etc/passwd", n);
	close(rootfd);
	close(volfd);
	assert_int_equal(rm_rf(dir, &err), 0);
}

/* When vol_path is set, openat (this binary's, which copyup.c calls)
 * moves the first directory below vol_path that a ".." is opened from to
 * move_to first: the first time copy-up goes back up to a target
 * directory it had closed, the level it leaves is somewhere else (a
 * container sharing the volume moved it). A ".." of vol_path itself or of
 * anything outside it and the source (src_path: the walk's own) is
 * refused and noted (escaped): copy-up that went on regardless would
 * reach it, and give the host's directories the image's modes and owners
 * on its way up. */
static const char *vol_path, *src_path, *move_to;
static bool moved, escaped;

static bool below(const char *path, const char *dir)
{
	size_t k = strlen(dir);
	return strncmp(path, dir, k) == 0 && path[k] == '/';
}

int openat(int fd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	if (vol_path && strcmp(path, "..") == 0) {
		char link[64], from[PATH_MAX];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, from, sizeof(from) - 1);
		from[n < 0 ? 0 : n] = '\0';
		if (below(from, src_path))
			return (int)syscall(SYS_openat, fd, path, flags, mode);
		if (!below(from, vol_path)) {
			escaped = true;
			errno = EACCES;
			return -1;
		}
		if (!moved) {
			moved = true;
			if (rename(from, move_to) < 0)
				return -1;
		}
	}
	return (int)syscall(SYS_openat, fd, path, flags, mode);
}

/* A tree deeper than the target directories copy-up keeps open: the one
 * it goes back up from to a closed one was moved elsewhere in the volume;
 * its ".." is not the directory made there, and the copy fails (ESTALE)
 * rather than go on into whatever that is. */
static void test_copy_up_target_moved(void **state)
{
	(void)state;
	enum { DEPTH = WALK_OPEN + 8 };
	char dir[] = "/tmp/burrow-test-copyup-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *vol = xasprintf("%s/vol", dir), *root = xasprintf("%s/root", dir),
	                  *data = xasprintf("%s/root/data", dir), *aside = xasprintf("%s/vol/aside", dir);
	assert_int_equal(mkdir_p(data, 0755, &(struct burrow_err *){NULL}), 0);
	assert_int_equal(mkdir(vol, 0755), 0);
	close(dir_chain(open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC), DEPTH, 0755));
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC),
	    volfd = open(vol, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(rootfd >= 0 && volfd >= 0);
	struct burrow_err *err = NULL;
	vol_path = vol, src_path = data, move_to = aside, moved = escaped = false;
	int r = ctr_copy_up(rootfd, "/data", volfd, &err);
	vol_path = NULL;
	assert_true(moved);
	assert_false(escaped);
	assert_int_equal(r, -1);
	assert_int_equal(err->status, ESTALE);
	assert_non_null(strstr(err->msg, "' was moved in the volume meanwhile"));
	burrow_err_free(err);
	err = NULL;
	close(rootfd);
	close(volfd);
	assert_int_equal(rm_rf(dir, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_volume_forms),         cmocka_unit_test(test_volume_bad),
	    cmocka_unit_test(test_mount_forms),          cmocka_unit_test(test_tmpfs_forms),
	    cmocka_unit_test(test_volumes_from),         cmocka_unit_test(test_check_duplicates),
	    cmocka_unit_test(test_copy_up_fifo_swapped), cmocka_unit_test(test_copy_up_deep_links_xattrs),
	    cmocka_unit_test(test_copy_up_target_moved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
