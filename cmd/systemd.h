/* The systemd unit `burrow generate systemd` writes for a container, as
 * podman's generate systemd writes one (cmd/systemd.c): pure text from the
 * container's record and the options. */
#ifndef BURROW_CMD_SYSTEMD_H
#define BURROW_CMD_SYSTEMD_H

#include <stdbool.h>

#include "container/record.h"
#include "lib/err.h"

struct cmd_unit_opts {
	bool new_unit;              /* --new: the unit runs a new container, as it was created */
	bool use_name;              /* --name: the container's name, not its ID */
	bool no_header;             /* --no-header */
	const char *restart_policy; /* --restart-policy (NULL: the container's with --new, else on-failure) */
	int restart_sec;            /* --restart-sec (-1: none) */
	int stop_timeout;           /* --time (-1: the container's) */
	int start_timeout;          /* --start-timeout (0: systemd's) */
	const char *prefix;         /* --container-prefix (NULL: container) */
	const char *separator;      /* --separator (NULL: -) */
	char **wants, **after, **requires;
	const char *exe;     /* burrow's absolute path */
	const char *root;    /* the storage root the container is in (absolute; NULL: as the create command says) */
	const char *runroot; /* burrow's runtime dir (RequiresMountsFor; the value of a --runroot, as root) */
	/* the store a burrow that systemd --user runs takes (its environment:
	 * no XDG_DATA_HOME, XDG_RUNTIME_DIR=/run/user/UID; NULL: unknown):
	 * every command names root and runroot where they differ from it */
	const char *service_root, *service_runroot;
	const char *pidfile; /* the monitor's pid file (PIDFile= without --new) */
	const char *version;
	long long now; /* the header's time (0: none) */
};

/* One of systemd's Restart= values. */
bool cmd_unit_restart_valid(const char *policy);
/* An argument as a unit's command line takes it: $ and % doubled, quoted
 * when empty, a lone ; or when it holds a blank or a quote (podman's escapeSystemdArg), or a
 * control character, which goes as C's escape (\n, \x01: systemd takes
 * them back), never raw: a newline would start a directive of its own.
 * Caller frees. */
char *cmd_unit_escape(const char *arg);
/* The unit's text; *service its name without ".service". -1 when --new
 * cannot work (the container has no create command). */
char *cmd_unit_generate(const struct ctr_config *c, const struct cmd_unit_opts *o, char **service,
                        struct burrow_err **err);

#endif
