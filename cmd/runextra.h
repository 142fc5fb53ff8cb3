/* run's and create's flags for --init, labels, annotations and
 * dependencies (cmd/runextra.c): parsed into their own struct, handed to
 * ctr_create_opts. */
#ifndef BURROW_CMD_RUNEXTRA_H
#define BURROW_CMD_RUNEXTRA_H

#include <stdbool.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "lib/strv.h"

enum {
	CMD_RUNX_INIT = 0x500,
	CMD_RUNX_INIT_PATH,
	CMD_RUNX_LABEL, /* also -l */
	CMD_RUNX_LABEL_FILE,
	CMD_RUNX_ANNOTATION,
	CMD_RUNX_REQUIRES,
	CMD_RUNX_SDNOTIFY,
};
// clang-format off
#define CMD_RUNX_LONGOPTS \
	{"init", no_argument, NULL, CMD_RUNX_INIT}, \
	{"init-path", required_argument, NULL, CMD_RUNX_INIT_PATH}, \
	{"label", required_argument, NULL, CMD_RUNX_LABEL}, \
	{"label-file", required_argument, NULL, CMD_RUNX_LABEL_FILE}, \
	{"annotation", required_argument, NULL, CMD_RUNX_ANNOTATION}, \
	{"requires", required_argument, NULL, CMD_RUNX_REQUIRES}, \
	{"sdnotify", required_argument, NULL, CMD_RUNX_SDNOTIFY}
// clang-format on
#define CMD_RUNX_USAGE                                                                                 \
	"      --annotation KEY=VALUE  add an annotation to the container\n"                           \
	"      --init               run burrow-init as pid 1: it reaps zombies and forwards signals\n" \
	"      --init-path PATH     the init --init runs (default: burrow-init beside burrow)\n"       \
	"  -l, --label KEY[=VALUE]  add a label to the container\n"                                    \
	"      --label-file FILE    read labels from FILE, KEY=VALUE a line\n"                         \
	"      --requires CTR[,CTR] containers started before this one, kept while it exists\n"        \
	"      --sdnotify MODE      NOTIFY_SOCKET: container (default), conmon, healthy, ignore\n"

struct cmd_runx {
	bool init, init_set; /* init_set: --init given (its value wins over containers.conf's init) */
	const char *init_path;
	const char *sdnotify;
	struct strv_builder labels, file_labels, annotations, requires;
};

/* One of the flags above (c is its code; -l is CMD_RUNX_LABEL): 1 when it
 * was one, 0 when c is another flag, -1 when it is wrong (said). */
int cmd_runx_option(struct cmd_ctx *ctx, int c, const char *arg, struct cmd_runx *x);
/* Points o's fields at x's (x must outlive o's use); after
 * containers.conf's defaults, which --init=false overrides. */
void cmd_runx_apply(struct cmd_runx *x, struct ctr_create_opts *o);
void cmd_runx_clear(struct cmd_runx *x);

/* A --label-file's text: KEY=VALUE a line; blank lines and lines that
 * begin with '#' are skipped. */
void cmd_label_file_parse(struct strv_builder *out, const char *text);

#endif
