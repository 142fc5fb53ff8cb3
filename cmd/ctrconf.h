/* Podman users' containers.conf (containers.conf(5)), read where it applies
 * to burrow: the [containers] defaults of run and create, [engine]
 * events_logger and image_volume_mode. Unknown keys are podman's: ignored. burrow.conf's
 * [containers] settings (burrow.conf(5)) win over it. */
#ifndef BURROW_CMD_CTRCONF_H
#define BURROW_CMD_CTRCONF_H

#include <stdbool.h>

#include "lib/err.h"

struct ctr_create_opts;

struct cmd_ctrconf {
	char **files; /* read, in order */
	/* [containers]; NULL (or has_ false) where no file set it */
	char **env;
	char **volumes;
	char *log_driver; /* as written: a warning at use when burrow has no such driver */
	bool has_log_size_max;
	long long log_size_max; /* bytes, -1: no limit */
	char **default_ulimits;
	char **dns_servers, **dns_searches, **dns_options;
	char *tz;    /* as written (local, a zone) */
	char *umask; /* as written (octal) */
	bool has_pids_limit;
	long long pids_limit;
	int init;                    /* -1: not set, else 0 or 1 */
	int http_proxy;              /* -1: not set, else 0 or 1 */
	char **default_capabilities; /* CAP_ names */
	/* [engine] */
	char *events_logger;     /* file, journald, none */
	char *image_volume_mode; /* bind, tmpfs, ignore: --image-volume's default */
	char **run_volumes;      /* cmd_ctrconf_apply's list of -v (owned here) */
};

/* The files podman 4 reads, later ones over earlier ones: only
 * $CONTAINERS_CONF when it is set; else /usr/share/containers/containers.conf,
 * /etc/containers/containers.conf, /etc/containers/containers.conf.d/ *.conf,
 * then $XDG_CONFIG_HOME/containers/containers.conf (~/.config/...) and its
 * containers.conf.d/ *.conf. Missing files are fine ($CONTAINERS_CONF's
 * too, as podman); a malformed one or a value of the wrong kind is an error
 * naming FILE:LINE. */
int cmd_ctrconf_load(struct cmd_ctrconf *c, struct burrow_err **err);
/* One file's text over c (path for messages): for load and its tests. */
int cmd_ctrconf_add_text(struct cmd_ctrconf *c, const char *text, const char *path, struct burrow_err **err);
/* A burrow.conf [containers] (or [engine] events_logger) setting over c:
 * tz, umask, log_driver, log_size_max, init, pids_limit; value as
 * burrow.conf writes it. 0, 1 when key is not one of them, -1 (bad value). */
int cmd_ctrconf_set(struct cmd_ctrconf *c, const char *section, const char *key, const char *value,
                    struct burrow_err **err);
/* c's defaults into o, a run's or create's options as the flags left
 * them, where the flags did not set the same thing (a -v on the same
 * destination, a --ulimit of the same name, --dns ...): env under the
 * image's (as podman), volumes, log driver and size, ulimits, DNS, tz,
 * umask, init, capabilities. o may point into c afterwards: c must outlive
 * o's use. A log_driver burrow lacks is a warning (k8s-file is used); a
 * bad tz, umask or ulimit an error naming containers.conf. */
int cmd_ctrconf_apply(struct cmd_ctrconf *c, struct ctr_create_opts *o, struct burrow_err **err);

struct cmd_ctx;
/* run's and create's: containers.conf read (cmd_ctrconf_load), burrow.conf's
 * [containers] over it, applied to o (cmd_ctrconf_apply). 0 or -1. */
int cmd_ctrconf_for_run(struct cmd_ctx *ctx, struct cmd_ctrconf *c, struct ctr_create_opts *o, struct burrow_err **err);

/* over's settings replace c's (burrow.conf over containers.conf). */
void cmd_ctrconf_merge(struct cmd_ctrconf *c, const struct cmd_ctrconf *over);
void cmd_ctrconf_init(struct cmd_ctrconf *c);
void cmd_ctrconf_clear(struct cmd_ctrconf *c);

#endif
