/* run's and create's --replace and --cidfile (cmd/runlife.c): podman's
 * flags for a container that takes another's place and for a file that
 * names it. */
#ifndef BURROW_CMD_RUNLIFE_H
#define BURROW_CMD_RUNLIFE_H

#include <stdbool.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "lib/strv.h"

enum {
	CMD_RUNL_REPLACE = 0x7a0,
	CMD_RUNL_CIDFILE,
};
// clang-format off
#define CMD_RUNL_LONGOPTS \
	{"replace", no_argument, NULL, CMD_RUNL_REPLACE}, \
	{"cidfile", required_argument, NULL, CMD_RUNL_CIDFILE}
// clang-format on
#define CMD_RUNL_USAGE                                                                       \
	"      --cidfile FILE       write the container's ID to FILE (a new file; it goes\n" \
	"                           when the container is removed)\n"                        \
	"      --replace            remove the container of that --name first (as rm -f)\n"

struct cmd_runl {
	bool replace;
	char *cidfile; /* absolute */
};

/* One of the flags above (a boolean's value ctx's flag_on): 1 when it
 * was one, 0 when c is another flag. */
int cmd_runl_option(const struct cmd_ctx *ctx, int c, const char *arg, struct cmd_runl *l);
/* Checks them against the container's name (said; EXIT_BURROW) and adds
 * the --cidfile annotation to annotations: 0 or the exit code. Writes
 * nothing. */
int cmd_runl_check(struct cmd_ctx *ctx, struct cmd_runl *l, const char *name, struct strv_builder *annotations);
/* Just before the container is stored from image (NULL: --rootfs):
 * --replace's removal, unless that image is not here (the create fails). */
int cmd_runl_before(struct cmd_ctx *ctx, const struct cmd_runl *l, const char *name, const char *image,
                    struct burrow_err **err);
/* Just after it was stored as id: --cidfile's file (when that fails, the
 * new container is removed again). */
int cmd_runl_after(struct cmd_ctx *ctx, const struct cmd_runl *l, const char *id, struct burrow_err **err);
void cmd_runl_clear(struct cmd_runl *l);

#endif
