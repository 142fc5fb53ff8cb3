/* run's and create's healthcheck flags (cmd/runhealth.c): --health-*,
 * --no-healthcheck, checked after parsing (before anything is pulled or
 * written), handed to ctr_create_opts. */
#ifndef BURROW_CMD_RUNHEALTH_H
#define BURROW_CMD_RUNHEALTH_H

#include "cmd/cmd.h"
#include "container/container.h"
#include "container/health.h"

enum {
	CMD_RUNH_CMD = 0x580,
	CMD_RUNH_INTERVAL,
	CMD_RUNH_RETRIES,
	CMD_RUNH_START_PERIOD,
	CMD_RUNH_TIMEOUT,
	CMD_RUNH_ON_FAILURE,
	CMD_RUNH_STARTUP_CMD,
	CMD_RUNH_STARTUP_INTERVAL,
	CMD_RUNH_STARTUP_RETRIES,
	CMD_RUNH_STARTUP_SUCCESS,
	CMD_RUNH_STARTUP_TIMEOUT,
	CMD_RUNH_NONE,
};
// clang-format off
#define CMD_RUNH_LONGOPTS \
	{"health-cmd", required_argument, NULL, CMD_RUNH_CMD}, \
	{"health-interval", required_argument, NULL, CMD_RUNH_INTERVAL}, \
	{"health-retries", required_argument, NULL, CMD_RUNH_RETRIES}, \
	{"health-start-period", required_argument, NULL, CMD_RUNH_START_PERIOD}, \
	{"health-timeout", required_argument, NULL, CMD_RUNH_TIMEOUT}, \
	{"health-on-failure", required_argument, NULL, CMD_RUNH_ON_FAILURE}, \
	{"health-startup-cmd", required_argument, NULL, CMD_RUNH_STARTUP_CMD}, \
	{"health-startup-interval", required_argument, NULL, CMD_RUNH_STARTUP_INTERVAL}, \
	{"health-startup-retries", required_argument, NULL, CMD_RUNH_STARTUP_RETRIES}, \
	{"health-startup-success", required_argument, NULL, CMD_RUNH_STARTUP_SUCCESS}, \
	{"health-startup-timeout", required_argument, NULL, CMD_RUNH_STARTUP_TIMEOUT}, \
	{"no-healthcheck", no_argument, NULL, CMD_RUNH_NONE}
// clang-format on
#define CMD_RUNH_USAGE                                                                                      \
	"      --health-cmd CMD     a healthcheck: a shell command, a JSON array [\"CMD\", ...], or none\n" \
	"      --health-interval D  time between checks (default 30s; disable: none but healthcheck run)\n" \
	"      --health-retries N   failures in a row that make it unhealthy (default 3)\n"                 \
	"      --health-start-period D  time after the start in which failures do not count (default 0s)\n" \
	"      --health-timeout D   a check running longer is killed and fails (default 30s)\n"             \
	"      --health-on-failure ACTION  when unhealthy: none (default), kill, restart or stop\n"         \
	"      --health-startup-cmd CMD  a check run until it passes, before the regular one\n"             \
	"      --health-startup-interval D  time between startup checks (default 30s)\n"                    \
	"      --health-startup-retries N  startup failures before a restart (default 0: no limit)\n"       \
	"      --health-startup-success N  startup passes it takes (default 0: one)\n"                      \
	"      --health-startup-timeout D  as --health-timeout, for the startup check (default 30s)\n"      \
	"      --no-healthcheck     no healthcheck, not even the image's\n"

/* One of the flags above (a boolean's value ctx's flag_on): 1 when it
 * was one, 0 when c is another flag. */
int cmd_runh_option(const struct cmd_ctx *ctx, int c, const char *arg, struct ctr_health_opts *h);
/* Checks them (said, EXIT_BURROW) and points o at h: 0 or the exit code. */
int cmd_runh_apply(struct ctr_health_opts *h, struct ctr_create_opts *o);

#endif
