/* run's and create's flags (cmd/runflags.h). */
#include "cmd/runflags.h"

#include <string.h>

#include "cmd/cmd.h"
#include "cmd/runextra.h"
#include "cmd/runhealth.h"
#include "cmd/runlife.h"
#include "cmd/runmore.h"
#include "cmd/runns.h"
#include "cmd/runres.h"

const struct option cmd_run_longopts[] = {
    {"env", required_argument, NULL, 'e'},
    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
    {"privileged", no_argument, NULL, OPT_PRIVILEGED},
    {"env-host", no_argument, NULL, OPT_ENV_HOST},
    {"env-file", required_argument, NULL, OPT_ENV_FILE},
    {"ulimit", required_argument, NULL, OPT_ULIMIT},
    {"sysctl", required_argument, NULL, OPT_SYSCTL},
    {"umask", required_argument, NULL, OPT_UMASK},
    {"tz", required_argument, NULL, OPT_TZ},
    {"expose", required_argument, NULL, OPT_EXPOSE},
    {"publish", required_argument, NULL, 'p'},
    {"publish-all", no_argument, NULL, 'P'},
    {"add-host", required_argument, NULL, OPT_ADD_HOST},
    {"dns", required_argument, NULL, OPT_DNS},
    {"dns-search", required_argument, NULL, OPT_DNS_SEARCH},
    {"dns-option", required_argument, NULL, OPT_DNS_OPTION},
    {"dns-opt", required_argument, NULL, OPT_DNS_OPTION},
    {"no-hosts", no_argument, NULL, OPT_NO_HOSTS},
    {"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
    {"hostname", required_argument, NULL, 'h'},
    {"interactive", no_argument, NULL, 'i'},
    {"log-driver", required_argument, NULL, OPT_LOG_DRIVER},
    {"log-opt", required_argument, NULL, OPT_LOG_OPT},
    {"name", required_argument, NULL, OPT_NAME},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"net", required_argument, NULL, OPT_NETWORK},
    {"restart", required_argument, NULL, OPT_RESTART},
    {"rm", no_argument, NULL, OPT_RM},
    {"rootfs", no_argument, NULL, OPT_ROOTFS},
    {"security-opt", required_argument, NULL, OPT_SECURITY},
    {"shm-size", required_argument, NULL, OPT_SHM},
    {"stop-signal", required_argument, NULL, OPT_STOP_SIGNAL},
    {"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
    {"tty", no_argument, NULL, 't'},
    {"user", required_argument, NULL, 'u'},
    {"workdir", required_argument, NULL, 'w'},
    {"volume", required_argument, NULL, 'v'},
    {"mount", required_argument, NULL, OPT_MOUNT},
    {"tmpfs", required_argument, NULL, OPT_TMPFS},
    {"volumes-from", required_argument, NULL, OPT_VOLUMES_FROM},
    {"secret", required_argument, NULL, OPT_SECRET},
    {"read-only", no_argument, NULL, OPT_READ_ONLY},
    {"read-only-tmpfs", no_argument, NULL, OPT_READ_ONLY_TMPFS},
    {"userns", required_argument, NULL, OPT_USERNS},
    {"uidmap", required_argument, NULL, OPT_UIDMAP},
    {"gidmap", required_argument, NULL, OPT_GIDMAP},
    {"subuidname", required_argument, NULL, OPT_SUBIDNAME},
    {"subgidname", required_argument, NULL, OPT_SUBIDNAME},
    {"passwd-entry", required_argument, NULL, OPT_PASSWD_ENTRY},
    {"group-add", required_argument, NULL, OPT_GROUP_ADD},
    /* run's own */
    {"attach", required_argument, NULL, 'a'},
    {"detach", no_argument, NULL, 'd'},
    {"detach-keys", required_argument, NULL, OPT_DETACH_KEYS},
    {"sig-proxy", no_argument, NULL, OPT_SIG_PROXY},
    {"pull", required_argument, NULL, OPT_PULL},
    {"quiet", no_argument, NULL, 'q'},
    CMD_PULL_LONGOPTS,
    CMD_RUNX_LONGOPTS,
    CMD_RUNL_LONGOPTS,
    CMD_RUNH_LONGOPTS,
    CMD_RUNR_LONGOPTS,
    CMD_RUNNS_LONGOPTS,
    CMD_RUNM_LONGOPTS,
    {0, 0, 0, 0},
};

bool cmd_run_short_valued(int c)
{
	const char *f = c && c != ':' ? strchr(&CMD_RUN_SHORTOPTS[1], c) : NULL;
	return f && f[1] == ':';
}

bool cmd_run_takes_value(const char *arg)
{
	if (arg[0] != '-' || !arg[1])
		return false;
	if (arg[1] != '-') { /* a cluster: its last flag takes the next when it takes one; -d=1's value is none */
		for (const char *p = arg + 1; *p && *p != '='; p++)
			if (cmd_run_short_valued((unsigned char)*p))
				return !p[1];
		return false;
	}
	if (strchr(arg, '='))
		return false;
	if (cmd_global_takes_value(arg)) /* taken after the verb too */
		return true;
	for (const struct option *o = cmd_run_longopts; o->name; o++)
		if (strcmp(arg + 2, o->name) == 0)
			return o->has_arg == required_argument;
	return false;
}
