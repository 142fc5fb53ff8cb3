/* run's and create's --replace and --cidfile (see runlife.h). */
#include "cmd/runlife.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/cidfile.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

int cmd_runl_option(const struct cmd_ctx *ctx, int c, const char *arg, struct cmd_runl *l)
{
	switch (c) {
	case CMD_RUNL_REPLACE:
		l->replace = ctx->flag_on;
		return 1;
	case CMD_RUNL_CIDFILE: {
		char cwd[4096];
		free(l->cidfile);
		l->cidfile = arg[0] == '/' || !*arg || !getcwd(cwd, sizeof(cwd)) ? xstrdup(arg) : path_join(cwd, arg);
		return 1;
	}
	default:
		return 0;
	}
}

int cmd_runl_check(struct cmd_ctx *ctx, struct cmd_runl *l, const char *name, struct strv_builder *annotations)
{
	if (l->replace && (!name || !*name))
		return cmd_usage_error(ctx, "cannot replace container without --name being set");
	if (!l->cidfile)
		return 0;
	if (!*l->cidfile)
		return cmd_usage_error(ctx, "--cidfile needs a file");
	struct burrow_err *err = NULL;
	if (ctr_cidfile_check(l->cidfile, &err) < 0)
		return cmd_fail(err);
	strv_builder_take(annotations, xasprintf("%s=%s", CTR_CIDFILE_KEY, l->cidfile));
	return 0;
}

int cmd_runl_before(struct cmd_ctx *ctx, const struct cmd_runl *l, const char *name, const char *image,
                    struct burrow_err **err)
{
	if (!l->replace)
		return 0;
	if (image) {
		/* an image that is not here fails the create: it keeps the old one */
		struct img_info *info = NULL;
		struct burrow_err *e = NULL;
		int r = img_lookup(ctx->state, image, &info, &e);
		img_info_free(info);
		burrow_err_free(e);
		if (r < 0)
			return 0;
	}
	/* the container called name: not one whose ID is or starts so */
	cleanup_free char *id = NULL;
	if (ctr_lookup_name(ctx->state, name, &id, err) < 0) {
		if ((*err)->status != ENOENT)
			return -1;
		burrow_err_free(steal_ptr(*err));
		return 0;
	}
	if (ctr_remove(ctx->state, id, true, -1, err) < 0) {
		if ((*err)->status != ENOENT)
			return burrow_error_wrap(err, "--replace");
		burrow_err_free(steal_ptr(*err));
	}
	return 0;
}

int cmd_runl_after(struct cmd_ctx *ctx, const struct cmd_runl *l, const char *id, struct burrow_err **err)
{
	if (!l->cidfile || ctr_cidfile_write(l->cidfile, id, err) == 0)
		return 0;
	/* as podman: no container without its file */
	struct burrow_err *e = NULL;
	if (ctr_remove(ctx->state, id, true, -1, &e) < 0) {
		burrow_warn("%s", e->msg);
		burrow_err_free(e);
	}
	return -1;
}

void cmd_runl_clear(struct cmd_runl *l)
{
	free(l->cidfile);
	l->cidfile = NULL;
}
