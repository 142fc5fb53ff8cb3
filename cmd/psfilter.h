/* ps's --filter and --sort, as podman's (pkg/domain/filters, SortPsOutput):
 * pure, over container records. */
#ifndef BURROW_CMD_PSFILTER_H
#define BURROW_CMD_PSFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "container/container.h"
#include "lib/err.h"

/* The filters given, by key. Filters of one key match when any of them
 * does (label: when all do); filters of different keys all must match. */
struct cmd_ps_filter;
struct cmd_ps_filter *cmd_ps_filter_new(void);
void cmd_ps_filter_free(struct cmd_ps_filter *f);

/* Adds one --filter KEY=VALUE: id (an ID prefix, or a regular expression
 * when not hex), name (a regular expression), status (created,
 * initialized, running, paused, stopping, stopped, exited, removing,
 * unknown), exited (an exit code), ancestor (an image ID substring, or a
 * regular expression over the image name), label and label! (KEY or
 * KEY=VALUE, as images' img_labels_match), before and since (a container
 * created before or after the one named: cmd_ps_filter_resolve), volume
 * (a named volume's name, or a mount's destination). -1 (EINVAL) naming
 * what is wrong. */
int cmd_ps_filter_add(struct cmd_ps_filter *f, const char *spec, struct burrow_err **err);
/* before= and since=: the containers they name (a name, an ID or a unique
 * ID prefix) found among l, every container. -1 (ENOENT) naming the one
 * not found. Before cmd_ps_filter_match when either key was given. */
int cmd_ps_filter_resolve(struct cmd_ps_filter *f, const struct ctr_listing *l, size_t n, struct burrow_err **err);
/* Whether a filter of key was given (status: ps lists every container). */
bool cmd_ps_filter_has(const struct cmd_ps_filter *f, const char *key);
bool cmd_ps_filter_match(const struct cmd_ps_filter *f, const struct ctr_config *c, const struct ctr_run *r);
/* The health= filters (starting, healthy, unhealthy, none): health is a
 * listing's (enum ctr_health_status); cmd_ps_filter_match leaves them out. */
bool cmd_ps_filter_match_health(const struct cmd_ps_filter *f, int health);

enum cmd_ps_sort {
	CMD_PS_SORT_NONE = 0, /* as listed: newest first */
	CMD_PS_SORT_COMMAND,
	CMD_PS_SORT_CREATED, /* oldest first, as podman's --sort created */
	CMD_PS_SORT_ID,
	CMD_PS_SORT_IMAGE,
	CMD_PS_SORT_NAMES,
	CMD_PS_SORT_RUNNINGFOR, /* by start time, earliest first */
	CMD_PS_SORT_STATUS,     /* by state name */
	/* by the size with the image (-s's virtual), smallest first, as
	 * podman's; cmd_ps_sort leaves the order (ps sorts by the sizes it
	 * computed, none without -s) */
	CMD_PS_SORT_SIZE,
};
/* "created" -> CMD_PS_SORT_CREATED; -1 (EINVAL) listing the choices. */
int cmd_ps_sort_parse(const char *s, enum cmd_ps_sort *out, struct burrow_err **err);
/* Sorts l (stable: equal ones keep their order). */
void cmd_ps_sort(struct ctr_listing *l, size_t n, enum cmd_ps_sort by);

#endif
