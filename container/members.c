/* A container's processes by its mount namespace (container/members.h). */
#include "container/members.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/freezer.h"
#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

/* How many walks of /proc a SIGSTOP or SIGKILL takes at most. */
#define MAX_WALKS 100

int ctr_members_open(struct ctr_members *m, pid_t pid, unsigned long long start, struct burrow_err **err)
{
	*m = (struct ctr_members)CTR_MEMBERS_INIT;
	struct proc_ref ref;
	int r = proc_ref_open(&ref, pid, start);
	if (r <= 0)
		return r < 0 ? burrow_error(err, errno, "cannot open process %d", (int)pid) : 0;
	char path[96];
	struct stat st;
	int fd = -1;
	if (proc_ns_stat(pid, "mnt", &st, path, sizeof(path)) == 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	int e = errno;
	/* still alive after the open: the pid was that process's all along */
	bool gone = proc_ref_gone(&ref);
	proc_ref_close(&ref);
	if (fd < 0 || gone) {
		if (fd >= 0)
			close(fd);
		if (gone || e == ENOENT || e == ESRCH)
			return 0;
		return burrow_error(err, e, "cannot open '%s'", path);
	}
	struct stat own;
	if (fstat(fd, &st) < 0 || stat("/proc/self/ns/mnt", &own) < 0) {
		e = errno;
		close(fd);
		return burrow_error(err, e, "cannot read the mount namespace of process %d", (int)pid);
	}
	if (st.st_dev == own.st_dev && st.st_ino == own.st_ino) {
		close(fd);
		return burrow_error(err, EINVAL, "process %d shares burrow's own mount namespace", (int)pid);
	}
	m->nsfd = fd;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	return 1;
}

/* Whether pid's mount namespace is the one m holds: its leader's,
 * or a live thread's once the leader ended (proc_ns_stat), so a process
 * cannot leave the walk by ending its main thread. */
static bool in_ns(const struct ctr_members *m, pid_t pid)
{
	char path[96];
	struct stat st;
	return proc_ns_stat(pid, "mnt", &st, path, sizeof(path)) == 0 && st.st_dev == m->dev && st.st_ino == m->ino;
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
	if (m->nsfd < 0)
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
			if (!pid || !in_ns(m, pid))
				continue;
			/* the pidfd first, then the namespace again, then
			 * alive: the pidfd is the process that was read */
			struct proc_ref ref;
			if (proc_ref_open(&ref, pid, 0) <= 0)
				continue;
			bool ours = in_ns(m, pid) && !proc_ref_gone(&ref);
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
		left = pid && in_ns(m, pid);
	}
	closedir(d);
	return left;
}

bool ctr_members_wait_gone(const struct ctr_members *m, int64_t deadline)
{
	if (m->nsfd < 0)
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

void ctr_members_close(struct ctr_members *m)
{
	if (m->nsfd >= 0)
		close(m->nsfd);
	*m = (struct ctr_members)CTR_MEMBERS_INIT;
}
