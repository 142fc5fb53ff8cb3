/* fuse-overlayfs mounts of container root filesystems. */
#include "overlay/overlay.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "overlay/internal.h"

/* How long fuse-overlayfs may take to mount, and to go away after umount. */
#define MOUNT_TIMEOUT_MS 10000
#define EXIT_TIMEOUT_MS 2000

/* Measured on Debian 12 (fuse-overlayfs 1.10, kernel 6.x, 100 mounts of a
 * one-layer busybox-sized lower, ovl_mount + ovl_umount in a user
 * namespace): no extra options 2.9 ms to mount; fast_ino=1 (no stat of every
 * layer to pick inode numbers) 1.6 ms; noacl (no POSIX ACL lookups on every
 * access) about the same at mount time, less per file later; threaded=0 is
 * the default; static_nlink and writeback=0 within noise. Unmount about
 * 1 ms including the wait for the fuse-overlayfs process to exit.
 * fuse-overlayfs adds default_permissions,allow_other,suid,noatime itself
 * when it runs as uid 0, which it does in our namespace: allow_other is what
 * lets a container process with another uid (-u 1000) use the mount. */
static const char fast_opts[] = "noacl,fast_ino=1";

char *ovl_layers_dir(const char *root)
{
	return path_join(root, "layers");
}

char *ovl_layer_dir(const char *root, const char *id)
{
	return xasprintf("%s/layers/%s/diff", root, id);
}

static bool is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int ovl_find_fuse(const struct ovl_opts *o, char **path, struct burrow_err **err)
{
	const char *fuse_program = o ? o->fuse_program : NULL;
	if (fuse_program) {
		if (!is_executable_file(fuse_program)) {
			burrow_error_status(err, ENOENT, "fuse-overlayfs '%s' is not an executable file",
			                    str_quote(fuse_program));
			return burrow_error_hint(err, "fix the fuse-overlayfs path in burrow.conf, or install the "
			                              "Debian package fuse-overlayfs");
		}
		*path = xstrdup(fuse_program);
		return 0;
	}
	const char *env = getenv("PATH");
	if (!env || !*env)
		env = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	cleanup_strv char **dirs = strv_split(env, ':');
	for (size_t i = 0; dirs[i]; i++) {
		if (dirs[i][0] != '/')
			continue;
		cleanup_free char *p = path_join(dirs[i], "fuse-overlayfs");
		if (is_executable_file(p)) {
			*path = steal_ptr(p);
			return 0;
		}
	}
	burrow_error_status(err, ENOENT, "cannot find 'fuse-overlayfs' in $PATH");
	return burrow_error_hint(err, "install the Debian package fuse-overlayfs (apt install fuse-overlayfs)");
}

/* fuse-overlayfs splits its -o value at ',' and lowerdir at ':'. */
static int check_path(const char *what, const char *path, bool colon_too, struct burrow_err **err)
{
	if (!path || !*path)
		return burrow_error(err, EINVAL, "no %s directory given", what);
	const char *bad = strchr(path, ',');
	if (!bad && colon_too)
		bad = strchr(path, ':');
	if (bad) {
		burrow_error_status(err, EINVAL, "%s directory '%s' contains '%c', which fuse-overlayfs cannot take",
		                    what, path, *bad);
		return burrow_error_hint(err, "use a storage root (--root) and runtime dir (--runroot) whose paths "
		                              "have no ',' or ':'");
	}
	return 0;
}

/* ",uidmapping=0:1:10:..." for a map "0:1:10,..." (NULL: ""). */
static char *mapping_option(const char *name, const char *map)
{
	if (!map)
		return xstrdup("");
	char *o = xasprintf(",%s=%s", name, map);
	for (char *p = o + 1; *p; p++)
		if (*p == ',')
			*p = ':';
	return o;
}

static char *build_options(const struct ovl_opts *oo, char *const *lowerdirs, const char *upper, const char *work)
{
	size_t n = strv_len(lowerdirs);
	cleanup_free char *umap = mapping_option("uidmapping", oo ? oo->uidmapping : NULL);
	cleanup_free char *gmap = mapping_option("gidmapping", oo ? oo->gidmapping : NULL);
	size_t cap = strlen(upper) + strlen(work) + sizeof(fast_opts) + strlen(umap) + strlen(gmap) + 64;
	for (size_t i = 0; i < n; i++)
		cap += strlen(lowerdirs[i]) + 1;
	char *o = xmalloc(cap);
	char *p = stpcpy(o, "lowerdir=");
	/* fuse-overlayfs wants the topmost layer first */
	for (size_t i = n; i > 0; i--) {
		p = stpcpy(p, lowerdirs[i - 1]);
		if (i > 1)
			*p++ = ':';
	}
	p = stpcpy(p, ",upperdir=");
	p = stpcpy(p, upper);
	p = stpcpy(p, ",workdir=");
	p = stpcpy(p, work);
	*p++ = ',';
	p = stpcpy(p, fast_opts);
	p = stpcpy(p, umap);
	stpcpy(p, gmap);
	return o;
}

/* Whether process pid (a name under dirfd, /proc or /proc/self/task/T/..)
 * is the fuse-overlayfs serving target: its command line ends with the
 * mount point we gave it. */
static bool server_matches(int dirfd, const char *pid, const char *target)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/cmdline", pid);
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[8192];
	ssize_t n = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || n == (ssize_t)sizeof(buf) - 1)
		return false;
	buf[n] = '\0';
	const char *slash = strrchr(buf, '/');
	const char *argv0 = slash ? slash + 1 : buf;
	if (strcmp(argv0, "fuse-overlayfs") != 0)
		return false;
	/* last argument */
	ssize_t end = n;
	while (end > 0 && buf[end - 1] == '\0')
		end--;
	ssize_t start = end;
	while (start > 0 && buf[start - 1] != '\0')
		start--;
	return strcmp(buf + start, target) == 0;
}

/* The fuse-overlayfs process serving target, among all processes (slow
 * with many of them); 0 when there is none. */
static pid_t find_server(const char *target)
{
	cleanup_dir DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (isdigit((unsigned char)de->d_name[0]) && server_matches(dirfd(d), de->d_name, target))
			return (pid_t)atoi(de->d_name);
	}
	return 0;
}

/* The server among our own children (see ovl_mount); 0 when not there. */
static pid_t find_child_server(const char *target)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)gettid());
	cleanup_free char *kids = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &kids, NULL, &e) < 0) {
		burrow_err_free(e);
		return 0;
	}
	cleanup_close int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char *save = NULL;
	for (char *tok = strtok_r(kids, " \n", &save); tok && proc >= 0; tok = strtok_r(NULL, " \n", &save))
		if (server_matches(proc, tok, target))
			return (pid_t)atoi(tok);
	return 0;
}

int ovl_mount(const struct ovl_opts *o, char *const *lowerdirs, const char *upper, const char *work, const char *target,
              pid_t *server, struct burrow_err **err)
{
	if (server)
		*server = 0;
	if (!lowerdirs || !lowerdirs[0])
		return burrow_error(err, EINVAL, "cannot mount overlay at '%s': no lower layers", target);
	for (size_t i = 0; lowerdirs[i]; i++)
		if (check_path("layer", lowerdirs[i], true, err) < 0)
			return burrow_error_wrap(err, "cannot mount overlay at '%s'", target);
	if (check_path("upper", upper, false, err) < 0 || check_path("work", work, false, err) < 0 ||
	    check_path("mount point", target, false, err) < 0)
		return burrow_error_wrap(err, "cannot mount overlay at '%s'", target);

	cleanup_free char *prog = NULL;
	if (ovl_find_fuse(o, &prog, err) < 0)
		return burrow_error_wrap(err, "cannot mount overlay at '%s'", target);
	cleanup_free char *opts = build_options(o, lowerdirs, upper, work);
	char *argv[] = {prog, (char *)"-o", opts, (char *)target, NULL};
	int status = 0;
	cleanup_free char *out = NULL;
	/* fuse-overlayfs daemonizes once the mount is ready: as a subreaper for
	 * that moment we inherit the daemon, so ovl_umount knows whom to wait
	 * for without searching every process (milliseconds on a busy host) */
	int was_subreaper = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper);
	if (server && !was_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	int r = ovl_run(argv, "mounting", MOUNT_TIMEOUT_MS, &status, &out, err);
	if (server && !was_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	if (r < 0)
		return burrow_error_wrap(err, "cannot mount overlay at '%s'", target);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cleanup_free char *how = proc_status_text(status);
		cleanup_free char *line = ovl_one_line(out ? out : "");
		burrow_error_status(err, EIO, "cannot mount overlay at '%s': fuse-overlayfs %s%s%s", target, how,
		                    *line ? ": " : "", line);
		if (strstr(line, "/dev/fuse"))
			burrow_error_hint(err, "/dev/fuse must exist and be readable and writable by you "
			                       "(modprobe fuse; chmod 0666 /dev/fuse)");
		return -1;
	}
	if (server)
		*server = find_child_server(target);
	burrow_debug("mounted fuse-overlayfs at '%s' (-o %s), served by pid %d", target, opts,
	             server ? (int)*server : 0);
	return 0;
}

int ovl_umount(const char *target, pid_t server, struct burrow_err **err)
{
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)server);
	cleanup_close int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (server <= 0 || proc < 0 || !server_matches(proc, pid, target))
		server = find_server(target);
	/* opened before the unmount, while the server surely is that process */
	cleanup_proc_ref struct proc_ref ref = PROC_REF_INIT;
	bool alive = server > 0 && proc_ref_open(&ref, server, 0) > 0;
	if (umount2(target, UMOUNT_NOFOLLOW) < 0) {
		int e = errno;
		if (e == EBUSY) {
			if (umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
				return burrow_error(err, errno, "cannot unmount '%s'", target);
		} else if (e != EINVAL && e != ENOENT) {
			return burrow_error(err, e, "cannot unmount '%s'", target);
		}
	}
	if (server <= 0)
		return 0;
	/* a zombie counts as gone: the server may be our own child (see
	 * ovl_mount), reaped only below */
	if (alive && !proc_ref_wait_gone(&ref, now_ms() + EXIT_TIMEOUT_MS)) {
		burrow_debug("fuse-overlayfs %d for '%s' still running after unmount, terminating it", (int)server,
		             target);
		proc_ref_signal(&ref, SIGTERM);
		if (!proc_ref_wait_gone(&ref, now_ms() + EXIT_TIMEOUT_MS / 2)) {
			proc_ref_signal(&ref, SIGKILL);
			if (!proc_ref_wait_gone(&ref, now_ms() + EXIT_TIMEOUT_MS / 2))
				return burrow_error(err, ETIMEDOUT,
				                    "fuse-overlayfs (pid %d) for '%s' did not exit after unmount",
				                    (int)server, target);
		}
	}
	/* our child when ovl_mount in this process started it */
	waitpid_eintr(server, NULL, WNOHANG);
	return 0;
}
