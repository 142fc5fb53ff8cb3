/* File, fd and path helpers. Every fd these open is O_CLOEXEC; every
 * read/write retries EINTR. */
#ifndef BURROW_LIB_FILEUTIL_H
#define BURROW_LIB_FILEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* Loops until len bytes are read or EOF; returns bytes read or -1. */
ssize_t read_all(int fd, void *buf, size_t len);
/* Loops until len bytes are written; returns 0 or -1 (errno set). */
int write_all(int fd, const void *buf, size_t len);

/* Copies what one read from `from` gives to `to` (all of it): returns the
 * bytes copied, 0 at EOF, -1 on an error (errno set; a pty whose other
 * side is all closed reads EIO). */
ssize_t fd_copy(int from, int to);

/* Calls fn with each extended attribute of fd that reads (name, value,
 * its length); fn's nonzero return ends the walk and is returned. */
int fd_xattrs_each(int fd, int (*fn)(const char *name, const void *val, size_t len, void *data), void *data);

/* Whether fd is open. */
bool fd_is_open(int fd);

/* fds a process that serves many clients (the monitor) leaves to its own
 * needs (its exit file, hooks, attach clients, healthchecks, a restart):
 * a flood of connections, which any local user may send, must not take
 * them. fd_ceiling(): the number at and above which no client's fd is
 * kept, RLIMIT_NOFILE less FD_RESERVE (less half the limit when it is
 * small; INT_MAX without a limit). fds are given lowest first, so the
 * numbers above it stay free for the rest. */
#define FD_RESERVE 128
int fd_ceiling(void);
/* Whether the next fd made (the lowest free number) would be at or above
 * ceiling. */
bool fd_next_at_or_above(int ceiling);

/* Reads a whole file into a NUL-terminated buffer. */
int read_file(const char *path, char **out, size_t *len, struct burrow_err **err);
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct burrow_err **err);
/* Writes a file atomically (a fresh temp file, never opened through a
 * symlink, then rename in the same directory). */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct burrow_err **err);
/* Writes (truncating) a file. */
int write_file(const char *path, const void *data, size_t len, mode_t mode, struct burrow_err **err);

/* openat2(2) with these flags (O_CLOEXEC added) and resolve flags
 * (RESOLVE_IN_ROOT ...), tried again on EINTR: the fd, or -1 with errno
 * set. A scoped walk (RESOLVE_IN_ROOT, RESOLVE_BENEATH) fails with
 * EAGAIN when a rename or mount anywhere on the system raced one of its
 * ".." (a busy machine, or a container renaming in a loop, fails every
 * try of a long path through FUSE): after a few tries the path is walked
 * by openat2_stepwise, which cannot meet that. */
int openat2_retry(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve);
/* The same answer as openat2(dirfd, path, flags, resolve) for resolve
 * RESOLVE_IN_ROOT or RESOLVE_BENEATH (with RESOLVE_NO_MAGICLINKS,
 * RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV), the walk ours: one name at a
 * time from the directory above it, never "..", the kernel asked only
 * with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS; ".." is the directory the
 * walk came from (at dirfd: dirfd, or EXDEV beneath it), a link's
 * target read and walked in its place (an absolute one from dirfd, or
 * EXDEV beneath it), at most 40 (ELOOP), procfs's magic links refused
 * (ELOOP) under RESOLVE_NO_MAGICLINKS as the kernel tells them. A
 * directory moved away meanwhile fails it, as one removed. O_CREAT
 * creates by name, not through a dangling link (ELOOP). */
int openat2_stepwise(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve);

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct burrow_err **err);
/* rm -rf of dirfd/name without following symlinks; a missing name is fine. */
int rm_rf_at(int dirfd, const char *name, struct burrow_err **err);
int rm_rf(const char *path, struct burrow_err **err);

/* The user's home directory: $HOME when absolute, else the password
 * database's; NULL when neither says. */
char *home_dir(void);

/* Joins two path parts with one '/'. */
char *path_join(const char *a, const char *b);

#endif
