/* run's and create's flags: their table, for run's parse and for
 * generate systemd --new, which reads a stored create command. */
#ifndef BURROW_CMD_RUNFLAGS_H
#define BURROW_CMD_RUNFLAGS_H

#include <getopt.h>
#include <stdbool.h>

/* run's short flags ("+" first: they end at the image); create's are
 * these less -a, -d and -q */
#define CMD_RUN_SHORTOPTS "+a:c:de:h:il:m:p:Pqtu:v:w:"

enum {
	OPT_ENTRYPOINT = 0x200,
	OPT_NAME,
	OPT_NETWORK,
	OPT_RM,
	OPT_ROOTFS,
	OPT_SECURITY,
	OPT_SHM,
	OPT_LOG_DRIVER,
	OPT_LOG_OPT,
	OPT_RESTART,
	OPT_DETACH_KEYS,
	OPT_SIG_PROXY,
	OPT_PULL,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_MOUNT,
	OPT_TMPFS,
	OPT_VOLUMES_FROM,
	OPT_READ_ONLY,
	OPT_READ_ONLY_TMPFS,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_ENV_HOST,
	OPT_ENV_FILE,
	OPT_ULIMIT,
	OPT_SYSCTL,
	OPT_UMASK,
	OPT_TZ,
	OPT_USERNS,
	OPT_UIDMAP,
	OPT_GIDMAP,
	OPT_SUBIDNAME,
	OPT_PASSWD_ENTRY,
	OPT_GROUP_ADD,
	OPT_EXPOSE,
	OPT_ADD_HOST,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPTION,
	OPT_NO_HOSTS,
	OPT_SECRET,
};

/* run's and create's long flags, the other run*.h's included */
extern const struct option cmd_run_longopts[];

/* Whether arg, a flag of run's or create's (or a global one), takes its
 * value as the next argument: --env, -e, -ie (a cluster ending in one),
 * not -eFOO, --env=FOO or --rm. */
bool cmd_run_takes_value(const char *arg);
/* The whole spelling of arg when it is an abbreviated long flag of run's
 * or create's (--na for --name, --rest=no for --restart=no: getopt_long
 * takes them, and a create command stores them as given), else NULL.
 * Caller frees. */
char *cmd_run_flag_whole(const char *arg);
/* Whether c is a short flag of run's or create's that takes a value (-e,
 * -a, ...): then the rest of its cluster, or the next argument, is it. */
bool cmd_run_short_valued(int c);

#endif
