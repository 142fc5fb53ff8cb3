/* burrow.conf: the user's settings (burrow.conf(5)). */
#ifndef BURROW_CMD_SETTINGS_H
#define BURROW_CMD_SETTINGS_H

#include <stdbool.h>

#include "cmd/ctrconf.h"
#include "container/container.h"
#include "lib/err.h"
#include "netns/netns.h"

struct cmd_settings {
	char *path;                    /* the file read, NULL when there is none */
	char *root;                    /* [storage] root */
	char *runroot;                 /* [storage] runroot */
	char *fuse_overlayfs;          /* [engine] fuse_overlayfs */
	bool has_network;              /* [network] default was set: */
	struct netns_cfg network;      /* its value, parsed */
	struct ctr_engine_opts engine; /* what goes below cmd/ (points into the above) */
	char **insecure;               /* [registries] insecure: HOST[:PORT] list (NULL: none) */
	long registry_timeout;         /* [registries] timeout: seconds (0: the default) */
	struct cmd_ctrconf ctr;        /* [containers] tz ..., [engine] events_logger: over containers.conf */
};

/* Reads $XDG_CONFIG_HOME/burrow/burrow.conf (else ~/.config/burrow/...);
 * a missing file is fine; an unknown setting, a bad value or bad syntax
 * is an error naming the file and line. */
int cmd_settings_load(struct cmd_settings *out, struct burrow_err **err);
void cmd_settings_clear(struct cmd_settings *s);

#endif
