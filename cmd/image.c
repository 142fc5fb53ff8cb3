/* burrow image SUBCOMMAND ...: podman's "image" family; each subcommand is
 * the verb of the same meaning (image pull is pull). */
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/subcmd.h"

/* What 'burrow image --help' prints after "Usage: burrow ": keep it in step
 * with the subcommands below. */
const char cmd_image_usage[] = "image SUBCOMMAND [ARG...]\n\n"
                               "  load        load images from an archive (as burrow load)\n"
                               "  pull        pull images from a registry (as burrow pull)\n"
                               "  push        push an image (as burrow push)\n"
                               "  save        save images to an archive (as burrow save)\n"
                               "  ls, list    list images (as burrow images)\n"
                               "  rm          remove images (as burrow rmi)\n"
                               "  tag         add names to an image (as burrow tag)\n"
                               "  untag       remove names from an image (as burrow untag)\n"
                               "  inspect     show details of images\n"
                               "  exists      exit 0 when an image is here, 1 when not\n"
                               "  history     show the history of an image (as burrow history)\n"
                               "  prune       remove dangling images (-a: unused ones) and orphaned layers\n";

static const struct cmd_sub subs[] = {
    {"load", NULL, "load", cmd_load, NULL},
    {"pull", NULL, "pull", cmd_pull, NULL},
    {"push", NULL, "push", cmd_push, NULL},
    {"save", NULL, "save", cmd_save, NULL},
    {"ls", NULL, "images", cmd_images, NULL},
    {"list", NULL, "images", cmd_images, NULL},
    {"rm", NULL, "rmi", cmd_rmi, NULL},
    {"tag", NULL, "tag", cmd_tag, NULL},
    {"untag", NULL, "untag", cmd_untag, NULL},
    {"inspect", NULL, "image inspect", cmd_image_inspect, cmd_image_inspect_usage},
    {"exists", NULL, "image exists", cmd_image_exists, cmd_image_exists_usage},
    {"history", NULL, "history", cmd_history, NULL},
    {"prune", NULL, "image prune", cmd_image_prune, cmd_image_prune_usage},
};

const char *cmd_image_sub_usage(const char *verb)
{
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (subs[i].usage && strcmp(subs[i].verb, verb) == 0)
			return subs[i].usage;
	return NULL;
}

int cmd_image(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_sub_run(ctx, "image", NULL, subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
