/* run's and create's --rmi, --pidfile, --no-hostname, --env-merge,
 * --timeout, --oom-score-adj, --passwd, --hostuser, --personality,
 * --image-volume and --preserve-fds (cmd/runmore.c; container/runmore.h
 * does the work). --rmi, --passwd and --preserve-fds are run's alone (as
 * podman 4.3). */
#ifndef BURROW_CMD_RUNMORE_H
#define BURROW_CMD_RUNMORE_H

#include <stdbool.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "lib/strv.h"

enum {
	CMD_RUNM_RMI = 0xa40,
	CMD_RUNM_PIDFILE,
	CMD_RUNM_NO_HOSTNAME,
	CMD_RUNM_ENV_MERGE,
	CMD_RUNM_TIMEOUT,
	CMD_RUNM_OOM_SCORE_ADJ,
	CMD_RUNM_PASSWD,
	CMD_RUNM_HOSTUSER,
	CMD_RUNM_PERSONALITY,
	CMD_RUNM_IMAGE_VOLUME,
	CMD_RUNM_PRESERVE_FDS,
};
// clang-format off
#define CMD_RUNM_LONGOPTS \
	{"rmi", no_argument, NULL, CMD_RUNM_RMI}, \
	{"pidfile", required_argument, NULL, CMD_RUNM_PIDFILE}, \
	{"no-hostname", no_argument, NULL, CMD_RUNM_NO_HOSTNAME}, \
	{"env-merge", required_argument, NULL, CMD_RUNM_ENV_MERGE}, \
	{"timeout", required_argument, NULL, CMD_RUNM_TIMEOUT}, \
	{"oom-score-adj", required_argument, NULL, CMD_RUNM_OOM_SCORE_ADJ}, \
	{"passwd", no_argument, NULL, CMD_RUNM_PASSWD}, \
	{"hostuser", required_argument, NULL, CMD_RUNM_HOSTUSER}, \
	{"personality", required_argument, NULL, CMD_RUNM_PERSONALITY}, \
	{"image-volume", required_argument, NULL, CMD_RUNM_IMAGE_VOLUME}, \
	{"preserve-fds", required_argument, NULL, CMD_RUNM_PRESERVE_FDS}
// clang-format on
#define CMD_RUNM_USAGE                                                                                   \
	"      --env-merge NAME=WORD  set NAME to WORD, ${NAME} in it the image's value\n"               \
	"      --hostuser NAME      add a host user's entry to /etc/passwd (a name or a uid)\n"          \
	"      --image-volume MODE  the image's volumes: bind (default: anonymous volumes), tmpfs,\n"    \
	"                           ignore\n"                                                            \
	"      --no-hostname        no /etc/hostname made in the container (the image's stays)\n"        \
	"      --oom-score-adj N    the container's oom_score_adj, -1000..1000 (rootless: raise only)\n" \
	"      --personality DOMAIN  LINUX or LINUX32 (uname -m: i686 on x86_64)\n"                      \
	"      --pidfile FILE       write the container's pid (as the host sees it) to FILE\n"           \
	"      --timeout N          kill the container after it ran N seconds\n"
#define CMD_RUNM_RUN_USAGE                                                                            \
	"      --passwd             add -u's, --hostuser's, keep-id's entries to /etc/passwd and\n"   \
	"                           /etc/group (default true)\n"                                      \
	"      --preserve-fds N     pass file descriptors 3 to 3+N-1 on to the container's process\n" \
	"      --rmi                remove the image after the container (implies --rm)\n"

struct cmd_runm {
	struct ctr_more_opts o;
	char *pidfile; /* absolute */
	struct strv_builder env_merge;
	struct strv_builder hostusers;
	int preserve_fds; /* run --preserve-fds (not the record's: the start's) */
};

/* One of the flags above: 1 when it was one, 0 when c is another flag, -1
 * when its value is wrong (said). */
int cmd_runm_option(struct cmd_ctx *ctx, int c, const char *arg, struct cmd_runm *m);
/* Points o->more at m's options (m must outlive o's use); --rmi sets --rm. */
void cmd_runm_apply(struct cmd_runm *m, struct ctr_create_opts *o);
void cmd_runm_clear(struct cmd_runm *m);

#endif
