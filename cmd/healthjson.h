/* A container's healthcheck in podman's inspect layout (cmd/healthjson.c). */
#ifndef BURROW_CMD_HEALTHJSON_H
#define BURROW_CMD_HEALTHJSON_H

#include <yajl/yajl_tree.h>

#include "container/record.h"

struct state_store;

/* Adds Config.Healthcheck {Test, StartPeriod, Interval, Timeout, Retries}
 * (with HealthcheckOnFailureAction and StartupHealthCheck beside it), and
 * State.Health {Status, FailingStreak, Log} (also as State.Healthcheck,
 * podman 4's name) as the checks left it, to an inspect object made by
 * cmd_ctr_inspect_json. Without a healthcheck, State.Health alone, as
 * podman 4.3's: {"Status": "", "FailingStreak": 0, "Log": null}. */
void cmd_ctr_health_json(struct state_store *s, const struct ctr_config *c, yajl_val inspect);

#endif
