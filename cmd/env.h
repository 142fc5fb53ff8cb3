/* -e and --env-file as podman reads them (its pkg/env): what the user
 * gives for a container's or an exec's environment. */
#ifndef BURROW_CMD_ENV_H
#define BURROW_CMD_ENV_H

#include "lib/err.h"

/* One -e value into env (appended; a later one for the same NAME wins
 * when the vector is applied in order): NAME=VALUE as it is; NAME alone
 * takes NAME's value in host (environ-style, NULL: none) if it is set there,
 * and is dropped otherwise; NAME* takes every variable of host whose name
 * begins with NAME. Leading blanks of NAME are dropped. An empty NAME
 * ("=x", "") is refused (EINVAL, quoting it). */
int cmd_env_parse(char ***env, const char *arg, char *const *host, struct burrow_err **err);

/* An --env-file's text: a -e value a line; blank lines and lines that
 * begin with '#' (after leading blanks) are skipped. */
int cmd_env_file_parse(char ***env, const char *text, char *const *host, struct burrow_err **err);

#endif
