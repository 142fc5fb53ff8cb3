/* burrow rmi [-a] [-f] [-i] [--no-prune] IMAGE...; burrow tag IMAGE NAME...;
 * burrow untag IMAGE [NAME...] */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/events.h"

/* rmi -f: the containers go first, running ones killed (podman's rmi -f). */
static int remove_image_users(struct state_store *s, const char *image_id, void *data, struct burrow_err **err)
{
	(void)data;
	struct ctr_image_user *u = NULL;
	size_t n = 0;
	if (ctr_image_users(s, image_id, &u, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (ctr_remove(s, u[i].id, true, -1, err) < 0) {
			if ((*err)->status == ENOENT) { /* gone meanwhile */
				burrow_err_free(*err);
				*err = NULL;
				continue;
			}
			rc = burrow_error_wrap(err, "cannot remove container %.12s, which uses image %.12s", u[i].id,
			                       image_id);
		}
	}
	ctr_image_users_free(u, n);
	return rc;
}

const struct img_users cmd_image_users = {ctr_image_users_names, remove_image_users, NULL};

/* podman's exit codes for rmi, most severe first */
enum {
	RMI_NO_SUCH = 1, /* an image did not exist (and nothing worse) */
	RMI_IN_USE = 2,  /* a container uses it (without -f) */
};

static int severity(int code)
{
	return code == EXIT_BURROW ? 3 : code == RMI_IN_USE ? 2 : code == RMI_NO_SUCH ? 1 : 0;
}

static void print_removal(const struct img_removal *r)
{
	for (size_t i = 0; r->untagged && r->untagged[i]; i++)
		printf("Untagged: %s\n", r->untagged[i]);
	for (size_t i = r->had_child ? 1 : 0; r->deleted && r->deleted[i]; i++)
		printf("Deleted: %s\n", r->deleted[i]);
	for (size_t i = 0; r->warnings && r->warnings[i]; i++)
		burrow_warn("%s", r->warnings[i]);
}

/* Whether this rmi removed ref already: by ID (or an ID's prefix,
 * "sha256:" or not) an image it deleted, a dangling parent that went with
 * its child; or a name given before (rmi kid kid). podman finds every
 * argument's image before it removes any, so naming it again is no error
 * there (exit 0). */
static bool removed_here(char *const *deleted, char *const *named, const char *ref)
{
	cleanup_free char *norm = img_ref_normalize_str(ref, NULL);
	if (norm && strv_contains(named, norm))
		return true;
	if (strncmp(ref, "sha256:", strlen("sha256:")) == 0)
		ref += strlen("sha256:");
	size_t n = strlen(ref);
	if (n == 0 || strspn(ref, "0123456789abcdef") != n)
		return false;
	for (size_t i = 0; deleted && deleted[i]; i++)
		if (strncmp(deleted[i], ref, n) == 0)
			return true;
	return false;
}

/* tag's and untag's events: one for each name (untag without names: one). */
static void tag_events(struct state_store *s, const char *status, const char *id, char *const *names)
{
	for (size_t i = 0; names[i]; i++) {
		cleanup_free char *n = img_ref_normalize_str(names[i], NULL);
		state_event_obj(s, "image", status, id, n ? n : names[i]);
	}
	if (!names[0])
		state_event_obj(s, "image", status, id, NULL);
}

/* What 'burrow rmi --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_rmi_usage[] = "rmi [-a] [-f] [-i] [--no-prune] IMAGE...\n\n"
                             "  -a, --all       remove every image\n"
                             "  -f, --force     remove the containers that use them too, and images by ID "
                             "whatever names they have; implies -i\n"
                             "  -i, --ignore    an image that does not exist is not an error\n"
                             "      --no-prune  keep the parents that are left dangling (else they go too)\n";

int cmd_rmi(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"force", no_argument, NULL, 'f'},
	    {"ignore", no_argument, NULL, 'i'},
	    {"no-prune", no_argument, NULL, 'P'},
	    {0, 0, 0, 0},
	};
	bool all = false, force = false, ignore = false, no_prune = false;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "afi", longopts)) != -1) {
		if (c == 'a')
			all = ctx->flag_on;
		else if (c == 'f')
			force = ctx->flag_on;
		else if (c == 'i')
			ignore = ctx->flag_on;
		else if (c == 'P')
			no_prune = ctx->flag_on;
		else
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	if (all && optind < argc)
		return cmd_usage_error(ctx, "when using the --all flag, no images can be given");
	if (!all && optind >= argc)
		return cmd_usage_error(ctx, "missing image name or ID");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	cleanup_strv char **refs = xcalloc(1, sizeof(char *));
	if (all) {
		struct img_info **list = NULL;
		size_t n = 0;
		if (img_list(ctx->state, &list, &n, &err) < 0)
			return cmd_fail(err);
		for (size_t i = 0; i < n; i++)
			strv_append(&refs, list[i]->id);
		img_info_list_free(list, n);
	} else {
		for (int i = optind; i < argc; i++)
			strv_append(&refs, argv[i]);
	}
	int rc = 0;
	cleanup_strv char **deleted = NULL, **named = NULL; /* removed_here */
	for (size_t i = 0; refs[i]; i++) {
		struct img_removal rep = {0};
		unsigned flags =
		    (force ? IMG_RM_FORCE : 0) | (all ? IMG_RM_NAMES : 0) | (no_prune ? IMG_RM_NO_PRUNE : 0);
		int r = img_remove(ctx->state, refs[i], flags, &cmd_image_users, &rep, &err);
		print_removal(&rep);
		img_removal_events(ctx->state, refs[i], &rep);
		for (size_t j = 0; rep.deleted && rep.deleted[j]; j++)
			strv_append(&deleted, rep.deleted[j]);
		img_removal_clear(&rep);
		if (r == 0) {
			char *norm = img_ref_normalize_str(refs[i], NULL);
			if (norm)
				strv_append_take(&named, norm);
			continue;
		}
		int code = err->status == ENOENT ? RMI_NO_SUCH : err->status == EBUSY ? RMI_IN_USE : EXIT_BURROW;
		/* an image another one took with it (rmi -a, or a parent named
		 * after its child) is no error; -f, as podman 4.3 (its docs say
		 * -i only): a missing image is not one */
		if (code == RMI_NO_SUCH && (ignore || all || force || removed_here(deleted, named, refs[i])))
			code = 0;
		else
			burrow_err_print(err);
		burrow_err_free(err);
		err = NULL;
		if (severity(code) > severity(rc))
			rc = code;
	}
	return rc;
}

/* What 'burrow tag --help' prints after "Usage: burrow ". */
const char cmd_tag_usage[] = "tag IMAGE NAME[:TAG]...\n\n"
                             "  Adds names to an image; a name another image had moves to this one.\n";

/* tag and untag: IMAGE, then names (at least min of them). */
static int tag_verb(struct cmd_ctx *ctx, int argc, char **argv, int min,
                    int (*fn)(struct state_store *, const char *, char *const *, char **, struct burrow_err **))
{
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	if (argc - optind < 1 + min)
		return cmd_usage_error(ctx,
		                       min ? "needs an image and at least one name (see 'burrow %s --help')"
		                           : "missing image name or ID (see 'burrow %s --help')",
		                       ctx->verb);
	struct burrow_err *err = NULL;
	for (int i = optind + 1; i < argc; i++) {
		cleanup_free char *n = img_ref_normalize_str(argv[i], &err);
		if (!n)
			return cmd_fail(err);
	}
	cleanup_free char *id = NULL;
	if (cmd_ready(ctx, &err) < 0 || fn(ctx->state, argv[optind], argv + optind + 1, &id, &err) < 0)
		return cmd_fail(err);
	tag_events(ctx->state, min ? "tag" : "untag", id, argv + optind + 1);
	return 0;
}

int cmd_tag(struct cmd_ctx *ctx, int argc, char **argv)
{
	return tag_verb(ctx, argc, argv, 1, img_tag);
}

/* What 'burrow untag --help' prints after "Usage: burrow ". */
const char cmd_untag_usage[] = "untag IMAGE [NAME[:TAG]...]\n\n"
                               "  Removes names from an image (all of them when none is given); the image "
                               "stays.\n";

int cmd_untag(struct cmd_ctx *ctx, int argc, char **argv)
{
	return tag_verb(ctx, argc, argv, 0, img_untag);
}

/* image prune's --filter over the images */
struct prune_filter {
	struct cmd_ctx *ctx;
	const struct img_filters *f;
};

static bool prune_keep(const struct img_info *m, void *data)
{
	struct prune_filter *p = data;
	cleanup_err struct burrow_err *e = NULL;
	bool pass = false;
	if (img_filters_match_image(p->ctx->state, p->f, m, NULL, &pass, &e) < 0)
		burrow_warn("image prune keeps image %.12s: %s", m->id, e->msg);
	return pass;
}

/* What 'burrow image prune --help' prints after "Usage: burrow ". */
const char cmd_image_prune_usage[] =
    "image prune [-a] [-f] [--filter F]...\n\n"
    "  -a, --all        every image no container uses, not only dangling ones\n"
    "  -f, --force      do not ask (burrow never asks)\n"
    "      --filter F   as images --filter: label=, until=, reference=, id=, ...\n"
    "  Then frees the layers no image names (what a crash or a kill left behind too).\n";

int cmd_image_prune(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"force", no_argument, NULL, 'f'},
	    {"filter", required_argument, NULL, 'F'},
	    {0, 0, 0, 0},
	};
	bool all = false;
	cleanup_strv char **specs = xcalloc(1, sizeof(char *));
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "af", longopts)) != -1) {
		if (c == 'a')
			all = ctx->flag_on;
		else if (c == 'F')
			strv_append(&specs, optarg);
		else if (c != 'f')
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));
	struct burrow_err *err = NULL;
	__attribute__((cleanup(img_filters_clear))) struct img_filters f = {0};
	if (img_filters_parse(specs, (long long)time(NULL), &f, &err) < 0)
		return cmd_fail(err);
	f.users = &cmd_image_users;
	struct prune_filter pf = {ctx, &f};
	cleanup_strv char **removed = NULL;
	if (cmd_ready(ctx, &err) < 0 || img_filters_resolve(&f, ctx->state, &err) < 0 ||
	    img_prune(ctx->state, all, f.n ? prune_keep : NULL, &pf, &cmd_image_users, &removed, &err) < 0)
		return cmd_fail(err);
	for (size_t i = 0; removed[i]; i++)
		printf("%s\n", removed[i]);
	state_event_obj(ctx->state, "image", "prune", NULL, NULL);
	return 0;
}
