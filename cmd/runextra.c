/* run's and create's --init, --label, --annotation and --requires (see
 * runextra.h). */
#include "cmd/runextra.h"

#include <stdlib.h>
#include <string.h>

#include "container/sdnotify.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

void cmd_label_file_parse(struct strv_builder *out, const char *text)
{
	cleanup_strv char **lines = strv_split(text, '\n');
	for (size_t i = 0; lines[i]; i++) {
		char *l = lines[i];
		size_t n = strlen(l);
		if (n && l[n - 1] == '\r')
			l[--n] = '\0';
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l && *l != '#')
			strv_builder_add(out, l);
	}
}

int cmd_runx_option(struct cmd_ctx *ctx, int c, const char *arg, struct cmd_runx *x)
{
	switch (c) {
	case CMD_RUNX_INIT:
		x->init = ctx->flag_on;
		x->init_set = true;
		return 1;
	case CMD_RUNX_INIT_PATH:
		if (!*arg) {
			cmd_usage_error(ctx, "--init-path needs a file");
			return -1;
		}
		x->init_path = arg;
		return 1;
	case CMD_RUNX_LABEL:
		strv_builder_add(&x->labels, arg);
		return 1;
	case CMD_RUNX_ANNOTATION:
		if (!strchr(arg, '=')) {
			cmd_usage_error(ctx, "invalid --annotation '%s' (KEY=VALUE)", str_quote(arg));
			return -1;
		}
		strv_builder_add(&x->annotations, arg);
		return 1;
	case CMD_RUNX_REQUIRES:
		strv_builder_add(&x->requires, arg);
		return 1;
	case CMD_RUNX_SDNOTIFY:
		if (!ctr_sdnotify_mode_valid(arg)) {
			cmd_usage_error(ctx, "invalid --sdnotify '%s' (container, conmon, healthy or ignore)",
			                str_quote(arg));
			return -1;
		}
		x->sdnotify = arg;
		return 1;
	case CMD_RUNX_LABEL_FILE: {
		struct burrow_err *err = NULL;
		cleanup_free char *text = NULL;
		if (read_file(arg, &text, NULL, &err) < 0) {
			burrow_error_wrap(&err, "--label-file");
			cmd_fail(err);
			return -1;
		}
		cmd_label_file_parse(&x->file_labels, text);
		return 1;
	}
	default:
		return 0;
	}
}

void cmd_runx_apply(struct cmd_runx *x, struct ctr_create_opts *o)
{
	if (x->init_set)
		o->init = x->init;
	o->init_path = x->init_path;
	/* as podman: --label over --label-file's */
	strv_builder_extend(&x->file_labels, x->labels.v);
	o->labels = x->file_labels.v;
	o->annotations = x->annotations.v;
	o->requires = x->requires.v;
	o->sdnotify = x->sdnotify;
}

void cmd_runx_clear(struct cmd_runx *x)
{
	strv_free(x->labels.v);
	strv_free(x->file_labels.v);
	strv_free(x->annotations.v);
	strv_free(x->requires.v);
}
