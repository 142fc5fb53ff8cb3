/* burrow images [-q] [--no-trunc] [--format json] */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

struct row {
	char *repo;
	char *tag;
	const struct img_info *img;
	char ago[64];
};

/* "localhost/busybox:latest" -> "localhost/busybox" + "latest". */
static void split_name(const char *name, char **repo, char **tag)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(name, ':');
	if (colon && (!slash || colon > slash)) {
		*repo = xstrndup(name, (size_t)(colon - name));
		*tag = xstrdup(colon + 1);
	} else {
		*repo = xstrdup(name);
		*tag = xstrdup("<none>");
	}
}

static void print_json(struct img_info **list, size_t n)
{
	yajl_gen g = json_gen_new();
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	jg_array_open(g);
	for (size_t i = 0; i < n; i++) {
		const struct img_info *m = list[i];
		char when[64];
		time_t t = (time_t)m->created;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
		jg_map_open(g);
		jg_key_str(g, "Id", m->id);
		jg_key_strv(g, "Names", m->names);
		jg_key_int(g, "Created", m->created);
		jg_key_str(g, "CreatedAt", when);
		jg_key_int(g, "Size", m->size);
		jg_key_strv(g, "Layers", m->layers);
		/* not in podman's listing (it has 'image inspect'): what the image runs */
		jg_key(g, "Config");
		img_config_gen(g, &m->config);
		jg_map_close(g);
	}
	jg_array_close(g);
	fmt_print_json(g);
}

int cmd_images(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'},
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	bool quiet = false, notrunc = false, json = false;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "qf:", longopts)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'T':
			notrunc = true;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0)
				return cmd_usage_error(ctx, "unsupported --format '%s' (only json)", optarg);
			json = true;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", argv[optind]);

	struct burrow_err *err = NULL;
	struct img_info **list = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0 || img_list(ctx->state, &list, &n, &err) < 0)
		return cmd_fail(err);
	if (json) {
		print_json(list, n);
		img_info_list_free(list, n);
		return 0;
	}
	int idw = notrunc ? 64 : 12;
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%.*s\n", idw, list[i]->id);
		img_info_list_free(list, n);
		return 0;
	}

	/* one row per name; an untagged image is <none> <none> */
	size_t nrows = 0, cap = 0;
	struct row *rows = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t names = strv_len(list[i]->names);
		for (size_t k = 0; k < (names ? names : 1); k++) {
			if (nrows == cap) {
				cap = cap ? cap * 2 : 16;
				rows = xrealloc(rows, cap * sizeof(*rows));
			}
			struct row *r = &rows[nrows++];
			r->img = list[i];
			if (names) {
				split_name(list[i]->names[k], &r->repo, &r->tag);
			} else {
				r->repo = xstrdup("<none>");
				r->tag = xstrdup("<none>");
			}
		}
	}
	long long now = (long long)time(NULL);
	int rw = (int)strlen("REPOSITORY"), tw = (int)strlen("TAG"), cw = (int)strlen("CREATED");
	for (size_t i = 0; i < nrows; i++) {
		fmt_time_ago(rows[i].img->created, now, rows[i].ago, sizeof(rows[i].ago));
		if ((int)strlen(rows[i].repo) > rw)
			rw = (int)strlen(rows[i].repo);
		if ((int)strlen(rows[i].tag) > tw)
			tw = (int)strlen(rows[i].tag);
		if ((int)strlen(rows[i].ago) > cw)
			cw = (int)strlen(rows[i].ago);
	}
	printf("%-*s  %-*s  %-*s  %-*s  %s\n", rw, "REPOSITORY", tw, "TAG", idw, "IMAGE ID", cw, "CREATED", "SIZE");
	for (size_t i = 0; i < nrows; i++) {
		char size[32];
		fmt_size(rows[i].img->size, size, sizeof(size));
		printf("%-*s  %-*s  %-*.*s  %-*s  %s\n", rw, rows[i].repo, tw, rows[i].tag, idw, idw, rows[i].img->id,
		       cw, rows[i].ago, size);
		free(rows[i].repo);
		free(rows[i].tag);
	}
	free(rows);
	img_info_list_free(list, n);
	return 0;
}
