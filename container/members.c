/* A container's processes by its mount or PID namespace (container/members.h). */
#include "container/members.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/freezer.h"
#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

/* How many walks of /proc a SIGSTOP or SIGKILL takes at most. */
#define MAX_WALKS 100

/* Opens the namespace link kind of the process pid that started at
 * start into h: the pidfd first, the link, then alive still (so the pid
 * was that process's all along). 1, 0 when it is gone, -1 (errno; the
 * link's path in path). */
static int ns_hold(struct ctr_ns_held *h, const char *kind, pid_t pid, unsigned long long start, char *path, size_t len)
{
	h->fd = -1;
	snprintf(path, len, "/proc/%d", (int)pid);
	struct proc_ref ref;
	int r = proc_ref_open(&ref, pid, start);
	if (r <= 0)
		return r;
	struct stat st;
	int fd = -1;
	if (proc_ns_stat(pid, kind, &st, path, len) == 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	int e = errno;
	bool gone = proc_ref_gone(&ref);
	proc_ref_close(&ref);
	if (fd < 0 || gone) {
		if (fd >= 0)
			close(fd);
		if (gone || e == ENOENT || e == ESRCH)
			return 0;
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*h = (struct ctr_ns_held){.fd = fd, .dev = st.st_dev, .ino = st.st_ino};
	return 1;
}

static bool is_ns(const struct ctr_ns_held *h, const struct stat *st)
{
	return st->st_dev == h->dev && st->st_ino == h->ino;
}

int ctr_members_open(struct ctr_members *m, const char *kind, pid_t pid, unsigned long long start,
                     struct burrow_err **err)
{
	*m = (struct ctr_members)CTR_MEMBERS_INIT;
	char path[96];
	struct stat own, mnt;
	char self[32];
	snprintf(self, sizeof(self), "/proc/self/ns/%s", kind);
	if (stat(self, &own) < 0 || stat("/proc/self/ns/mnt", &mnt) < 0)
		return burrow_error(err, errno, "cannot read burrow's own namespaces");
	int r = ns_hold(&m->ns, kind, pid, start, path, sizeof(path));
	if (r < 0)
		return burrow_error(err, errno, "cannot open '%s'", path);
	if (r == 0)
		return 0;
	if (is_ns(&m->ns, &own)) {
		ctr_members_close(m);
		return burrow_error(err, EINVAL, "process %d shares burrow's own %s namespace", (int)pid,
		                    strcmp(kind, CTR_MEMBERS_PID) == 0 ? "PID" : "mount");
	}
	m->kind = strcmp(kind, CTR_MEMBERS_PID) == 0 ? CTR_MEMBERS_PID : CTR_MEMBERS_MNT;
	m->own_mnt = (struct ctr_ns_held){.fd = -1, .dev = mnt.st_dev, .ino = mnt.st_ino};
	return 1;
}

int ctr_members_skip(struct ctr_members *m, pid_t pid, unsigned long long start, struct burrow_err **err)
{
	char path[96];
	struct ctr_ns_held h;
	int r = ns_hold(&h, CTR_MEMBERS_MNT, pid, start, path, sizeof(path));
	if (r < 0)
		return burrow_error(err, errno, "cannot open '%s'", path);
	if (r == 0)
		return 0;
	m->skip = xrealloc(m->skip, (m->nskip + 1) * sizeof(*m->skip));
	m->skip[m->nskip++] = h;
	return 1;
}

/* How deep PID namespaces nest at most (the kernel's MAX_PID_NS_LEVEL). */
#define MAX_PID_NS_DEPTH 32

/* Whether the PID namespace at path (a process's link) is nested in h's:
 * its parents (NS_GET_PARENT) are read up to h's, or until one is not
 * ours to read (the host's). */
static bool pid_ns_nested(const struct ctr_ns_held *h, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool found = false;
	for (int depth = 0; fd >= 0 && !found && depth < MAX_PID_NS_DEPTH; depth++) {
		int parent = ioctl(fd, NS_GET_PARENT);
		close(fd);
		fd = parent;
		struct stat st;
		found = fd >= 0 && fstat(fd, &st) == 0 && is_ns(h, &st);
	}
	if (fd >= 0)
		close(fd);
	return found;
}

/* Whether pid is one of m's: its link of m's kind is m's namespace (its
 * leader's, or a live thread's once the leader ended (proc_ns_stat), so
 * a process cannot leave the walk by ending its main thread), or with
 * nested for a PID namespace one nested in it (unshare -p), and its
 * mount namespace is neither burrow's own nor one left out. */
static bool in_ns(const struct ctr_members *m, pid_t pid, bool nested)
{
	char path[96];
	struct stat st;
	if (proc_ns_stat(pid, m->kind, &st, path, sizeof(path)) < 0)
		return false;
	if (!is_ns(&m->ns, &st) && (!nested || strcmp(m->kind, CTR_MEMBERS_PID) != 0 || !pid_ns_nested(&m->ns, path)))
		return false;
	if (strcmp(m->kind, CTR_MEMBERS_MNT) == 0 && !m->nskip)
		return true;
	if (proc_ns_stat(pid, "mnt", &st, path, sizeof(path)) < 0 || is_ns(&m->own_mnt, &st))
		return false;
	for (size_t i = 0; i < m->nskip; i++)
		if (is_ns(&m->skip[i], &st))
			return false;
	return true;
}

/* The pid a /proc entry names, or 0. */
static pid_t entry_pid(const struct dirent *de)
{
	char *end;
	errno = 0;
	long l = strtol(de->d_name, &end, 10);
	if (errno || *end || l <= 0 || l > INT_MAX)
		return 0;
	return (pid_t)l;
}

struct seen {
	pid_t pid;
	unsigned long long start;
};

int ctr_members_signal(const struct ctr_members *m, int sig, pid_t skip_pid, unsigned long long skip_start,
                       const char *skip_cg)
{
	if (m->ns.fd < 0)
		return 0;
	cleanup_free struct seen *seen = NULL;
	size_t nseen = 0;
	for (int walk = 0; walk < MAX_WALKS; walk++) {
		DIR *d = opendir("/proc");
		if (!d)
			return -1;
		size_t found = 0;
		struct dirent *de;
		while ((de = readdir(d))) {
			pid_t pid = entry_pid(de);
			if (!pid || !in_ns(m, pid, true))
				continue;
			/* the pidfd first, then the namespace again, then
			 * alive: the pidfd is the process that was read */
			struct proc_ref ref;
			if (proc_ref_open(&ref, pid, 0) <= 0)
				continue;
			bool ours = in_ns(m, pid, true) && !proc_ref_gone(&ref);
			bool known = !ours || (pid == skip_pid && ref.start == skip_start);
			for (size_t i = 0; i < nseen && !known; i++)
				known = seen[i].pid == pid && seen[i].start == ref.start;
			if (!known && !(skip_cg && ctr_cg2_has(skip_cg, pid))) {
				seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
				seen[nseen++] = (struct seen){pid, ref.start};
				(void)proc_ref_signal(&ref, sig);
				found++;
			}
			proc_ref_close(&ref);
		}
		closedir(d);
		if (!found || (sig != SIGSTOP && sig != SIGKILL))
			break;
	}
	return (int)nseen;
}

/* Whether a process is left in it. */
static bool any_left(const struct ctr_members *m)
{
	DIR *d = opendir("/proc");
	if (!d)
		return false;
	bool left = false;
	struct dirent *de;
	while (!left && (de = readdir(d))) {
		pid_t pid = entry_pid(de);
		left = pid && in_ns(m, pid, true);
	}
	closedir(d);
	return left;
}

bool ctr_members_wait_gone(const struct ctr_members *m, int64_t deadline)
{
	if (m->ns.fd < 0)
		return true;
	for (;;) {
		if (!any_left(m))
			return true;
		if (now_ms() >= deadline)
			return false;
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

int ctr_members_list(const struct ctr_members *m, pid_t **pids, size_t *n)
{
	*pids = NULL;
	*n = 0;
	if (m->ns.fd < 0)
		return 0;
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t pid = entry_pid(de);
		if (!pid || !in_ns(m, pid, false))
			continue;
		*pids = xrealloc(*pids, (*n + 1) * sizeof(**pids));
		(*pids)[(*n)++] = pid;
	}
	closedir(d);
	return 0;
}

void ctr_members_close(struct ctr_members *m)
{
	if (m->ns.fd >= 0)
		close(m->ns.fd);
	for (size_t i = 0; i < m->nskip; i++)
		close(m->skip[i].fd);
	free(m->skip);
	*m = (struct ctr_members)CTR_MEMBERS_INIT;
}
