/* --rmi, --pidfile, --no-hostname, --env-merge, --timeout, --oom-score-adj,
 * --passwd, --hostuser, --personality, --image-volume, --preserve-fds
 * (see runmore.h). */
#include "cmd/runmore.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

static int parse_int(const char *s, long min, long max, int *out)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int cmd_runm_option(struct cmd_ctx *ctx, int c, const char *arg, struct cmd_runm *m)
{
	switch (c) {
	case CMD_RUNM_RMI:
		m->o.rmi = ctx->flag_on;
		return 1;
	case CMD_RUNM_PIDFILE: {
		char cwd[4096];
		free(m->pidfile);
		m->pidfile = arg[0] == '/' || !*arg || !getcwd(cwd, sizeof(cwd)) ? xstrdup(arg) : path_join(cwd, arg);
		return 1;
	}
	case CMD_RUNM_NO_HOSTNAME:
		m->o.no_hostname = ctx->flag_on;
		return 1;
	case CMD_RUNM_ENV_MERGE:
		strv_builder_add(&m->env_merge, arg);
		return 1;
	case CMD_RUNM_TIMEOUT:
		if (parse_int(arg, 0, INT_MAX, &m->o.timeout) < 0) {
			cmd_usage_error(ctx, "invalid --timeout '%s' (seconds, 0: no limit)", str_quote(arg));
			return -1;
		}
		return 1;
	case CMD_RUNM_OOM_SCORE_ADJ:
		if (parse_int(arg, -1000, 1000, &m->o.oom_score_adj) < 0) {
			cmd_usage_error(ctx, "invalid --oom-score-adj '%s' (a number from -1000 to 1000)",
			                str_quote(arg));
			return -1;
		}
		m->o.oom_set = true;
		return 1;
	case CMD_RUNM_PASSWD:
		m->o.no_passwd = !ctx->flag_on;
		return 1;
	case CMD_RUNM_HOSTUSER: { /* repeatable, or NAME,NAME as podman's */
		cleanup_strv char **names = strv_split(arg, ',');
		strv_builder_extend(&m->hostusers, names);
		if (!names[0])
			strv_builder_add(&m->hostusers, "");
		return 1;
	}
	case CMD_RUNM_PERSONALITY:
		m->o.personality = arg;
		return 1;
	case CMD_RUNM_IMAGE_VOLUME:
		m->o.image_volume = arg;
		return 1;
	case CMD_RUNM_PRESERVE_FDS:
		return cmd_preserve_fds(ctx, arg, &m->preserve_fds) ? -1 : 1;
	default:
		return 0;
	}
}

void cmd_runm_apply(struct cmd_runm *m, struct ctr_create_opts *o)
{
	m->o.pidfile = m->pidfile;
	m->o.env_merge = m->env_merge.v;
	m->o.hostusers = m->hostusers.v;
	o->more = m->o;
	if (m->o.rmi) /* as podman: --rmi implies --rm */
		o->rm = true;
}

void cmd_runm_clear(struct cmd_runm *m)
{
	free(m->pidfile);
	m->pidfile = NULL;
	strv_free(m->env_merge.v);
	m->env_merge = (struct strv_builder){0};
	strv_free(m->hostusers.v);
	m->hostusers = (struct strv_builder){0};
}
