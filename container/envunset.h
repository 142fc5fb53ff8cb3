/* --unsetenv and --unsetenv-all: the default environment (containers.conf's,
 * the image's, burrow's own PATH, TERM, container, HOSTNAME) without the
 * variables named, or without any; what the user sets (-e, --env-file,
 * --env-host, --http-proxy's) comes after and stays. */
#ifndef BURROW_CONTAINER_ENVUNSET_H
#define BURROW_CONTAINER_ENVUNSET_H

#include <stdbool.h>

#include "lib/strv.h"

/* Drops from env (NAME=VALUE entries) every NAME of names, or all of them. */
void ctr_env_unset(struct strv_builder *env, char *const *names, bool all);

#endif
