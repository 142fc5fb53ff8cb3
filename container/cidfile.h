/* --cidfile FILE: the file run and create write a container's full ID to
 * (as podman's), the file rm, stop, kill, pause and unpause read one from.
 * The path goes into the container's annotations under CTR_CIDFILE_KEY, and
 * the file goes with the container (ctr_delete), as podman's does. */
#ifndef BURROW_CONTAINER_CIDFILE_H
#define BURROW_CONTAINER_CIDFILE_H

#include "lib/err.h"

#define CTR_CIDFILE_KEY "io.podman.annotations.cid-file"

/* Writes id and a newline to a new file at path (O_EXCL: an existing one,
 * even a dangling symlink, is an error, status EEXIST, as podman's "container
 * id file exists"). */
int ctr_cidfile_write(const char *path, const char *id, struct burrow_err **err);
/* Fails (status EEXIST) when path exists (a check before anything is
 * written; ctr_cidfile_write checks again). */
int ctr_cidfile_check(const char *path, struct burrow_err **err);
/* The ID a cid file holds: its first line (*id allocated). */
int ctr_cidfile_read(const char *path, char **id, struct burrow_err **err);
/* Removes the cid file of a container (the value of its CTR_CIDFILE_KEY
 * annotation in annotations, KEY=VALUE strings) when it still holds that
 * container's id; quiet when it is gone. */
void ctr_cidfile_remove(char *const *annotations, const char *id);

#endif
