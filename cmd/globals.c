/* The global options' table (cmd/cmd.h). */
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "cmd/cmd.h"

const struct option cmd_globals[] = {
    {"log-level", required_argument, NULL, G_LOG_LEVEL},
    {"root", required_argument, NULL, G_ROOT},
    {"runroot", required_argument, NULL, G_RUNROOT},
    {"hooks-dir", required_argument, NULL, G_HOOKS_DIR},
    {"storage-driver", required_argument, NULL, G_STORAGE_DRIVER},
    {"cgroup-manager", required_argument, NULL, G_CGROUP_MANAGER},
    {"events-backend", required_argument, NULL, G_EVENTS_BACKEND},
    {"noout", no_argument, NULL, G_NOOUT},
    {"out", required_argument, NULL, G_OUT},
    {"url", required_argument, NULL, G_REMOTE},
    {"connection", required_argument, NULL, G_REMOTE},
    {"remote", no_argument, NULL, G_REMOTE},
    {"identity", required_argument, NULL, G_REMOTE},
};
const size_t cmd_n_globals = sizeof(cmd_globals) / sizeof(cmd_globals[0]);

bool cmd_global_takes_value(const char *arg)
{
	if (strncmp(arg, "--", 2) != 0)
		return false;
	for (size_t i = 0; i < cmd_n_globals; i++)
		if (cmd_globals[i].has_arg == required_argument && strcmp(arg + 2, cmd_globals[i].name) == 0)
			return true;
	return false;
}
