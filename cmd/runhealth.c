/* run's and create's healthcheck flags (see runhealth.h). */
#include "cmd/runhealth.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

int cmd_runh_option(const struct cmd_ctx *ctx, int c, const char *arg, struct ctr_health_opts *h)
{
	const char **slot = NULL;
	switch (c) {
	case CMD_RUNH_CMD:
		slot = &h->cmd;
		break;
	case CMD_RUNH_INTERVAL:
		slot = &h->interval;
		break;
	case CMD_RUNH_RETRIES:
		slot = &h->retries;
		break;
	case CMD_RUNH_START_PERIOD:
		slot = &h->start_period;
		break;
	case CMD_RUNH_TIMEOUT:
		slot = &h->timeout;
		break;
	case CMD_RUNH_ON_FAILURE:
		slot = &h->on_failure;
		break;
	case CMD_RUNH_STARTUP_CMD:
		slot = &h->startup_cmd;
		break;
	case CMD_RUNH_STARTUP_INTERVAL:
		slot = &h->startup_interval;
		break;
	case CMD_RUNH_STARTUP_RETRIES:
		slot = &h->startup_retries;
		break;
	case CMD_RUNH_STARTUP_SUCCESS:
		slot = &h->startup_success;
		break;
	case CMD_RUNH_STARTUP_TIMEOUT:
		slot = &h->startup_timeout;
		break;
	case CMD_RUNH_NONE:
		h->none = ctx->flag_on;
		return 1;
	default:
		return 0;
	}
	*slot = arg;
	return 1;
}

int cmd_runh_apply(struct ctr_health_opts *h, struct ctr_create_opts *o)
{
	/* every value checked now, on a scratch record: the image's
	 * Healthcheck comes in at create */
	struct ctr_config scratch = {0};
	struct burrow_err *err = NULL;
	int r = ctr_health_config(h, NULL, &scratch, &err);
	ctr_config_clear(&scratch);
	if (r < 0)
		return cmd_fail(err);
	/* as podman: the monitor's restart would fight the policy's */
	if (h->on_failure && strcmp(h->on_failure, "restart") == 0 && o->restart_policy &&
	    strcmp(o->restart_policy, "no") != 0) {
		burrow_error_status(&err, EINVAL, "--health-on-failure=restart cannot be used with --restart %s",
		                    o->restart_policy);
		return cmd_fail(err);
	}
	o->health = h;
	return 0;
}
