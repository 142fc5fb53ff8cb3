/* Helpers private to overlay/. */
#ifndef BURROW_OVERLAY_INTERNAL_H
#define BURROW_OVERLAY_INTERNAL_H

#include <sys/types.h>

#include "lib/err.h"

/* Milliseconds on CLOCK_MONOTONIC. */
long long ovl_now_ms(void);

/* pidfd_open(2); -1 (errno ENOSYS) on kernels without it (before 5.3). */
int ovl_pidfd_open(pid_t pid);

/* Runs argv[0] (a path) with stdin on /dev/null, stdout+stderr captured
 * (up to 8 KiB, the rest is dropped) and no other descriptor open, and
 * waits at most timeout_ms for it to exit. *status is the waitpid status. On timeout the program is killed and
 * the error (ETIMEDOUT) names it and what it was doing (what). */
int ovl_run(char *const *argv, const char *what, int timeout_ms, int *status, char **output, struct burrow_err **err);

/* "exited with N" / "was killed by signal N" for a waitpid status. */
char *ovl_describe_status(int status);

/* Turns captured program output into one line: trims it, joins lines with
 * "; " and drops fuse-overlayfs' "unknown argument ignored" chatter. */
char *ovl_one_line(const char *output);

#endif
