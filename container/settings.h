/* burrow.conf: the user's settings (burrow.conf(5)). */
#ifndef BURROW_CONTAINER_SETTINGS_H
#define BURROW_CONTAINER_SETTINGS_H

#include "lib/err.h"

struct ctr_settings {
	char *path;           /* the file read, NULL when there is none */
	char *root;           /* [storage] root */
	char *runroot;        /* [storage] runroot */
	char *fuse_overlayfs; /* [engine] fuse_overlayfs */
	char *network;        /* [network] default */
};

/* Reads $XDG_CONFIG_HOME/burrow/burrow.conf (else ~/.config/burrow/...);
 * a missing file is fine; an unknown setting or bad syntax is an error
 * naming the file and line. Applies fuse_overlayfs. */
int ctr_settings_load(struct ctr_settings *out, struct burrow_err **err);
void ctr_settings_clear(struct ctr_settings *s);

#endif
