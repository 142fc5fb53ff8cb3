/* File, fd and path helpers. Every fd these open is O_CLOEXEC; every
 * read/write retries EINTR. */
#ifndef BURROW_LIB_FILEUTIL_H
#define BURROW_LIB_FILEUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* Loops until len bytes are read or EOF; returns bytes read or -1. */
ssize_t read_all(int fd, void *buf, size_t len);
/* Loops until len bytes are written; returns 0 or -1 (errno set). */
int write_all(int fd, const void *buf, size_t len);

/* Reads a whole file into a NUL-terminated buffer. */
int read_file(const char *path, char **out, size_t *len, struct burrow_err **err);
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct burrow_err **err);
/* Writes a file atomically (temp file + rename in the same directory). */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct burrow_err **err);
/* Writes (truncating) a file. */
int write_file(const char *path, const void *data, size_t len, mode_t mode, struct burrow_err **err);

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct burrow_err **err);
/* rm -rf of dirfd/name without following symlinks; a missing name is fine. */
int rm_rf_at(int dirfd, const char *name, struct burrow_err **err);
int rm_rf(const char *path, struct burrow_err **err);

/* Joins two path parts with one '/'. */
char *path_join(const char *a, const char *b);

/* SCM_RIGHTS: send/receive one fd over a unix socket. */
int send_fd(int sock, int fd);
int recv_fd(int sock);

/* Closes every fd but keep (-1: all), in a child about to live on its own:
 * close_range where the kernel has it (5.9), else each fd listed in
 * /proc/self/fd. */
void close_fds_except(int keep);

/* Waits for a child, retrying EINTR; returns waitpid's result. */
pid_t waitpid_eintr(pid_t pid, int *status, int flags);

/* Process start time (field 22 of /proc/PID/stat); 0 when the process is
 * gone or a zombie. With the pid, it names a process across pid reuse. */
unsigned long long proc_start_time(pid_t pid);

#endif
