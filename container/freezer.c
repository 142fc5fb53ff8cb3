/* A container's cgroup v2 and its freezer (see freezer.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/freezer.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/mountinfo.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

#define PROBE_MS 2000 /* how long the probe's child may take */

char *ctr_cg2_mount_find(const char *mountinfo)
{
	cleanup_mountinfo struct mountinfo_entry m = {0};
	for (const char *cur = mountinfo; mountinfo_next(&cur, &m);)
		if (strcmp(m.fstype, "cgroup2") == 0 && strcmp(m.root, "/") == 0)
			return xstrdup(m.point);
	return NULL;
}

char *ctr_cg2_mount(void)
{
	cleanup_free char *text = NULL;
	if (read_file("/proc/self/mountinfo", &text, NULL, NULL) < 0)
		return NULL;
	return ctr_cg2_mount_find(text);
}

char *ctr_cg2_path_find(const char *proc_cgroup)
{
	const char *line = strstr(proc_cgroup, "0::/");
	while (line && line != proc_cgroup && line[-1] != '\n')
		line = strstr(line + 1, "0::/");
	if (!line)
		return NULL;
	line += 3;
	cleanup_free char *path = xstrndup(line, strcspn(line, "\n"));
	if (strstr(path, "/..") || strstr(path, " (deleted)"))
		return NULL;
	return steal_ptr(path);
}

char *ctr_cg2_dir_of(pid_t pid)
{
	cleanup_free char *mnt = ctr_cg2_mount();
	if (!mnt)
		return NULL;
	cleanup_free char *file = pid ? xasprintf("/proc/%d/cgroup", (int)pid) : xstrdup("/proc/self/cgroup");
	cleanup_free char *text = NULL;
	if (read_file(file, &text, NULL, NULL) < 0)
		return NULL;
	cleanup_free char *path = ctr_cg2_path_find(text);
	if (!path)
		return NULL;
	return strcmp(path, "/") == 0 ? steal_ptr(mnt) : xasprintf("%s%s", mnt, path);
}

bool ctr_cg2_has(const char *dir, pid_t pid)
{
	cleanup_free char *own = ctr_cg2_dir_of(pid);
	return own && strcmp(own, dir) == 0;
}

char *ctr_cg2_parent_find(const char *mnt, const char *own)
{
	size_t n = strlen(mnt);
	while (n > 1 && mnt[n - 1] == '/')
		n--;
	if (strncmp(own, mnt, n) != 0 || own[n] != '/')
		return NULL; /* not below the hierarchy's root */
	const char *last = strrchr(own, '/');
	if (last <= own + n || !last[1])
		return NULL; /* own is the root or one level below it */
	return xstrndup(own, (size_t)(last - own));
}

/* Whether the user may make cgroups in dir and move processes there. */
static bool writable_cgroup(const char *dir)
{
	cleanup_free char *procs = path_join(dir, "cgroup.procs");
	return access(dir, W_OK) == 0 && access(procs, W_OK) == 0;
}

char *ctr_cg2_freezer_base(const char **why)
{
	cleanup_free char *mnt = ctr_cg2_mount();
	if (!mnt) {
		*why = "no cgroup2 hierarchy is mounted";
		return NULL;
	}
	cleanup_free char *own = ctr_cg2_dir_of(0);
	*why = "no cgroup2 of yours is delegated to you";
	if (!own || strcmp(own, mnt) == 0)
		return NULL; /* the root cgroup: not the user's */
	cleanup_free char *parent = ctr_cg2_parent_find(mnt, own);
	if (parent && writable_cgroup(parent)) {
		*why = NULL;
		return steal_ptr(parent);
	}
	if (!writable_cgroup(own))
		return NULL;
	*why = NULL;
	return steal_ptr(own);
}

/* Writes value into dirfd's file. */
static int put(int dirfd, const char *file, const char *value)
{
	cleanup_close int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write_all(fd, value, strlen(value)) < 0)
		return -1;
	return 0;
}

static int put_pid(int dirfd, pid_t pid)
{
	char text[24];
	snprintf(text, sizeof(text), "%d", (int)pid);
	return put(dirfd, "cgroup.procs", text);
}

bool ctr_cg2_probe(const char *base)
{
	cleanup_close int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return false;
	char name[48];
	snprintf(name, sizeof(name), "burrow-probe-%d", (int)getpid());
	if (mkdirat(bfd, name, 0755) < 0)
		return false;
	bool ok = false;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) == 0) {
		pid_t child = fork();
		if (child == 0) {
			/* waits for the parent's end of the pipe to close */
			char c;
			close(pfd[1]);
			(void)!read(pfd[0], &c, 1);
			_exit(0);
		}
		close(pfd[0]);
		if (child > 0) {
			cleanup_close int fd = openat(bfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			ok = fd >= 0 && put_pid(fd, child) == 0;
			close(pfd[1]);
			pfd[1] = -1;
			(void)proc_wait_child(child, now_ms() + PROBE_MS, NULL);
		}
		if (pfd[1] >= 0)
			close(pfd[1]);
	}
	/* the child is gone: its cgroup is empty again */
	(void)unlinkat(bfd, name, AT_REMOVEDIR);
	return ok;
}

int ctr_cg2_make(const char *base, const char *id, char **dir, struct burrow_err **err)
{
	*dir = NULL;
	cleanup_close int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return burrow_error(err, errno, "cannot open the cgroup '%s'", str_quote(base));
	char name[32];
	snprintf(name, sizeof(name), CTR_CG2_NAME_FMT, id);
	if (unlinkat(bfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return burrow_error(err, errno, "cannot remove the old cgroup '%s/%s'", str_quote(base), name);
	if (mkdirat(bfd, name, 0755) < 0)
		return burrow_error(err, errno, "cannot create the cgroup '%s/%s'", str_quote(base), name);
	*dir = xasprintf("%s/%s", base, name);
	return 0;
}

int ctr_cg2_move(const char *dir, pid_t pid, struct burrow_err **err)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || put_pid(fd, pid) < 0)
		return burrow_error(err, errno, "cannot move process %d into the cgroup '%s'", (int)pid,
		                    str_quote(dir));
	return 0;
}

int ctr_cg2_join(const char *base, const char *id, pid_t pid, struct burrow_err **err)
{
	cleanup_free char *dir = NULL;
	if (ctr_cg2_make(base, id, &dir, err) < 0)
		return -1;
	if (ctr_cg2_move(dir, pid, err) < 0) {
		(void)rmdir(dir);
		return -1;
	}
	return 0;
}

char *ctr_cg2_container_dir(const char *id, pid_t pid)
{
	if (pid <= 0)
		return NULL;
	cleanup_free char *dir = ctr_cg2_dir_of(pid);
	char name[32];
	snprintf(name, sizeof(name), CTR_CG2_NAME_FMT, id);
	const char *last = dir ? strrchr(dir, '/') : NULL;
	if (!last || strcmp(last + 1, name) != 0)
		return NULL;
	return steal_ptr(dir);
}

int ctr_cg2_follow(const char *id, pid_t init, pid_t pid, struct burrow_err **err)
{
	cleanup_free char *dir = ctr_cg2_container_dir(id, init);
	return dir ? ctr_cg2_move(dir, pid, err) : 0;
}

int ctr_cg2_frozen_find(const char *events)
{
	const char *f = strstr(events, "frozen ");
	while (f && f != events && f[-1] != '\n')
		f = strstr(f + 1, "frozen ");
	if (!f || (f[7] != '0' && f[7] != '1') || (f[8] && f[8] != '\n'))
		return -1;
	return f[7] == '1';
}

/* cgroup.events' "frozen" line: 0, 1, or -1 when it cannot be read. */
static int frozen_now(int dirfd)
{
	cleanup_free char *text = NULL;
	if (read_file_at(dirfd, "cgroup.events", &text, NULL, NULL) < 0)
		return -1;
	return ctr_cg2_frozen_find(text);
}

int ctr_cg2_freeze(const char *dir, bool freeze, int64_t deadline, struct burrow_err **err)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || put(fd, "cgroup.freeze", freeze ? "1" : "0") < 0)
		return burrow_error(err, errno, "cannot %s the cgroup '%s'", freeze ? "freeze" : "thaw",
		                    str_quote(dir));
	/* the kernel reports the change once every task got there */
	for (;;) {
		int now = frozen_now(fd);
		if (now < 0)
			return burrow_error(err, errno, "cannot read '%s/cgroup.events'", str_quote(dir));
		if (now == (int)freeze)
			return 0;
		if (now_ms() >= deadline)
			return burrow_error(err, ETIMEDOUT, "the cgroup '%s' is not %s yet", str_quote(dir),
			                    freeze ? "frozen" : "thawed");
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

void ctr_cg2_remove(const char *id)
{
	const char *why = NULL;
	cleanup_free char *base = ctr_cg2_freezer_base(&why);
	if (!base)
		return;
	cleanup_free char *dir = xasprintf("%s/" CTR_CG2_NAME_FMT, base, id);
	(void)rmdir(dir); /* none, or a process left in it: kept */
}
