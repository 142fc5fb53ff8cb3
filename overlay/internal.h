/* Helpers private to overlay/. */
#ifndef BURROW_OVERLAY_INTERNAL_H
#define BURROW_OVERLAY_INTERNAL_H

#include <sys/types.h>

#include "lib/err.h"

/* Runs argv[0] (a path) with stdin on /dev/null, stdout+stderr captured
 * (up to 8 KiB, the rest is dropped) and no other descriptor open, and
 * waits at most timeout_ms for it to exit. *status is the waitpid status. On timeout the program is killed and
 * the error (ETIMEDOUT) names it and what it was doing (what). */
int ovl_run(char *const *argv, const char *what, int timeout_ms, int *status, char **output, struct burrow_err **err);

/* Turns captured program output into one line: trims it, joins lines with
 * "; " and drops fuse-overlayfs' "unknown argument ignored" chatter. */
char *ovl_one_line(const char *output);

#endif
