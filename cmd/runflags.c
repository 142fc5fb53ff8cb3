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
#include "lib/xalloc.h"

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

/* The long flag of run's or create's that arg (--NAME, --NAME=VALUE)
 * names, as getopt_long found it when the create was parsed: a global
 * one's whole name is none of them (--root is not --rootfs); a name that
 * is the start of one or more (--na for --name: getopt_long takes an
 * abbreviation when its flags agree) is the first. NULL: none. */
static const struct option *run_long_flag(const char *arg)
{
	if (strncmp(arg, "--", 2) != 0 || !arg[2])
		return NULL;
	size_t n = strcspn(arg + 2, "=");
	if (n == 4 && strncmp(arg + 2, "help", 4) == 0)
		return NULL;
	for (size_t i = 0; i < cmd_n_globals; i++)
		if (strlen(cmd_globals[i].name) == n && strncmp(arg + 2, cmd_globals[i].name, n) == 0)
			return NULL;
	const struct option *first = NULL;
	for (const struct option *o = cmd_run_longopts; o->name; o++) {
		if (strncmp(o->name, arg + 2, n) != 0)
			continue;
		if (!o->name[n])
			return o;
		first = first ? first : o;
	}
	return first;
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
	const struct option *o = run_long_flag(arg);
	return o && o->has_arg == required_argument;
}

char *cmd_run_flag_whole(const char *arg)
{
	const struct option *o = run_long_flag(arg);
	size_t n = strcspn(arg, "=");
	if (!o || strlen(o->name) + 2 == n)
		return NULL;
	return xasprintf("--%s%s", o->name, arg + n);
}
