/* burrow volume SUBCOMMAND ...: podman's volume family (create, ls,
 * inspect, rm, prune, exists, export, import) over container/volume.h.
 *
 * Each volume is one JSON object in podman's names (volume inspect, and
 * volume ls --format json): Name, Driver, Mountpoint, CreatedAt, Labels,
 * Scope, Options, MountCount, and UID, GID, Anonymous, NeedsCopyUp,
 * NeedsChown when they are set (podman leaves them out when zero); templates
 * see those at zero too, and CreatedAt as Go prints a time (.Labels is the
 * map, "map[k:v k2:v2]", as podman 4.3's ls and inspect print it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctrjson.h"
#include "cmd/family.h"
#include "cmd/format.h"
#include "cmd/report.h"
#include "container/volume.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* --- usage (each subcommand's beside its options) ------------------------ */

const char cmd_volume_usage[] = "volume SUBCOMMAND [OPTIONS] [ARG...]\n\n"
                                "Manages named volumes (ROOT/volumes/NAME/_data).\n\n"
                                "  create [NAME]            create a volume (a generated name without NAME)\n"
                                "  ls                       list volumes\n"
                                "  inspect VOLUME...        show volumes in detail (JSON)\n"
                                "  rm VOLUME...             remove volumes\n"
                                "  prune                    remove every volume no container uses\n"
                                "  exists VOLUME            exit 0 when the volume exists, 1 when not\n"
                                "  export VOLUME            write a volume's content as a tar\n"
                                "  import VOLUME FILE|-     extract a tar into a volume\n\n"
                                "Run 'burrow volume SUBCOMMAND --help' for its options.\n";

/* --- output ------------------------------------------------------------------ */

/* The volume as podman's volume inspect shows it. */
static yajl_val vol_json(struct state_store *s, const struct ctr_vol *v)
{
	char when[64];
	cleanup_free char *mp = ctr_vol_data_path(s, v->name);
	yajl_val o = json_new_object();
	json_obj_add(o, "Name", json_new_str(v->name));
	json_obj_add(o, "Driver", json_new_str(v->driver));
	json_obj_add(o, "Mountpoint", json_new_str(mp));
	json_obj_add(o, "CreatedAt", json_new_str(fmt_rfc3339(v->created / 1000000000LL, when, sizeof(when))));
	json_obj_add(o, "Labels", cmd_kv_object(v->labels));
	json_obj_add(o, "Scope", json_new_str("local"));
	json_obj_add(o, "Options", cmd_kv_object(v->options));
	if (v->uid > 0)
		json_obj_add(o, "UID", json_new_int(v->uid));
	if (v->gid > 0)
		json_obj_add(o, "GID", json_new_int(v->gid));
	if (v->anonymous)
		json_obj_add(o, "Anonymous", json_new_bool(true));
	/* mounts are counted by the containers that mount it (not yet) */
	json_obj_add(o, "MountCount", json_new_int(0));
	if (v->needs_copy_up)
		json_obj_add(o, "NeedsCopyUp", json_new_bool(true));
	if (v->needs_chown)
		json_obj_add(o, "NeedsChown", json_new_bool(true));
	return o;
}

/* What templates see besides: the fields JSON leaves out at zero, and
 * CreatedAt as a Go time. */
static yajl_val vol_overlay(const struct ctr_vol *v)
{
	char when[80];
	yajl_val o = json_new_object();
	fmt_go_time(v->created / 1000000000LL, false, when, sizeof(when));
	json_obj_add(o, "CreatedAt", json_new_str(when));
	json_obj_add(o, "UID", json_new_int(v->uid > 0 ? v->uid : 0));
	json_obj_add(o, "GID", json_new_int(v->gid > 0 ? v->gid : 0));
	json_obj_add(o, "Anonymous", json_new_bool(v->anonymous));
	json_obj_add(o, "NeedsCopyUp", json_new_bool(v->needs_copy_up));
	json_obj_add(o, "NeedsChown", json_new_bool(v->needs_chown));
	json_obj_add(o, "Timeout", json_new_int(0));
	json_obj_add(o, "StorageID", json_new_str(""));
	json_obj_add(o, "Status", json_new_map());
	return o;
}

struct vol_items {
	struct state_store *s;
	const struct ctr_vol *v;
};

static void vol_make(void *ctx, size_t i, bool overlay, struct fmt_item *out)
{
	const struct vol_items *p = ctx;
	out->base = vol_json(p->s, &p->v[i]);
	out->overlay = overlay ? vol_overlay(&p->v[i]) : NULL;
}

static void vol_drop(void *ctx, size_t i, struct fmt_item *item)
{
	(void)ctx;
	(void)i;
	yajl_tree_free(item->base);
	if (item->overlay)
		yajl_tree_free(item->overlay);
}

static int print_volumes(struct cmd_ctx *ctx, const struct fmt_report *rep, const struct ctr_vol *v, size_t n)
{
	struct vol_items p = {.s = ctx->state, .v = v};
	struct fmt_items src = {.n = n, .make = vol_make, .drop = vol_drop, .ctx = &p};
	struct burrow_err *err = NULL;
	if (fmt_report_print_items(rep, &src, &err) < 0)
		return cmd_fail(err);
	return 0;
}

/* --- create ------------------------------------------------------------------ */

static int parse_id(struct cmd_ctx *ctx, const char *flag, const char *arg, long long *out)
{
	if (str_to_ll(arg, 0, ID_MAX, out) < 0)
		return cmd_usage_error(ctx, "invalid %s '%s': a number from 0 to " ID_MAX_TEXT, flag, str_quote(arg));
	return 0;
}

/* 'burrow volume create --help': keep it in step with the options below. */
static const char create_usage[] =
    "volume create [OPTIONS] [NAME]\n\n"
    "Creates an empty volume and prints its name.\n\n"
    "  -d, --driver DRIVER      local (the only driver)\n"
    "      --gid GID            owner group of the volume's directory\n"
    "      --ignore             a volume of that name already there is no error (it stays as it is)\n"
    "  -l, --label KEY=VALUE    set a label (repeatable)\n"
    "  -o, --opt KEY=VALUE      driver option (repeatable): type=tmpfs|bind, device=DIR, o=OPTIONS,\n"
    "                           copy, nocopy\n"
    "      --uid UID            owner of the volume's directory\n";

static int vol_create_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_IGNORE = 0x200, OPT_UID, OPT_GID };
	static const struct option longopts[] = {
	    {"driver", required_argument, NULL, 'd'},
	    {"label", required_argument, NULL, 'l'},
	    {"opt", required_argument, NULL, 'o'},
	    {"ignore", no_argument, NULL, OPT_IGNORE},
	    {"uid", required_argument, NULL, OPT_UID},
	    {"gid", required_argument, NULL, OPT_GID},
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL, **labels = NULL, **options = NULL;
	struct ctr_vol_create_opts o = {.uid = -1, .gid = -1};
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "d:l:o:", longopts, &args)) != -1) {
		switch (c) {
		case 'd':
			o.driver = optarg;
			break;
		case 'l':
			strv_append(&labels, optarg);
			break;
		case 'o':
			strv_append(&options, optarg);
			break;
		case OPT_IGNORE:
			o.ignore = ctx->flag_on;
			break;
		case OPT_UID:
		case OPT_GID:
			if (parse_id(ctx, c == OPT_UID ? "--uid" : "--gid", optarg, c == OPT_UID ? &o.uid : &o.gid))
				return EXIT_BURROW;
			break;
		default:
			return cmd_sub_opt_end(c, create_usage);
		}
	}
	if (strv_len(args) > 1)
		return cmd_usage_error(ctx, "too many arguments: give at most one volume name");
	o.name = args ? args[0] : NULL;
	o.labels = labels;
	o.options = options;
	struct burrow_err *err = NULL;
	/* everything is checked before anything is touched */
	if (ctr_vol_create_check(&o, &err) < 0)
		return cmd_fail(err);
	struct ctr_vol v;
	if (cmd_ready(ctx, &err) < 0 || ctr_vol_create(ctx->state, &o, &v, NULL, &err) < 0)
		return cmd_fail(err);
	printf("%s\n", v.name);
	ctr_vol_clear(&v);
	return 0;
}

/* --- ls ------------------------------------------------------------------------- */

static const char ls_default_format[] = "{{.Driver}}\t{{.Name}}\n";
static const struct fmt_header vol_headers[] = {
    {"Name", "VOLUME NAME"},
    {NULL, NULL},
};

/* Whether each volume is in use (it has users that still exist). */
static int in_use_flags(struct state_store *s, const struct ctr_vol *v, size_t n, bool **out, struct burrow_err **err)
{
	bool *used = xcalloc(n ? n : 1, sizeof(*used));
	for (size_t i = 0; i < n; i++) {
		cleanup_strv char **ids = NULL;
		if (ctr_vol_users(s, &v[i], &ids, NULL, err) < 0) {
			free(used);
			return -1;
		}
		used[i] = ids[0] != NULL;
	}
	*out = used;
	return 0;
}

/* 'burrow volume ls --help': keep it in step with the options below. */
static const char ls_usage[] = "volume ls [OPTIONS]\n\n"
                               "  -f, --filter KEY=VALUE   name, label, label!, driver, dangling, anonymous,\n"
                               "                           opt, scope, until, after (repeatable)\n"
                               "      --format FORMAT      json, 'table TEMPLATE' or a Go template ('{{.Name}}')\n"
                               "  -n, --noheading          no header row\n"
                               "  -q, --quiet              print volume names only\n";

static int vol_ls_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	cleanup_strv char **filters = NULL;
	struct fmt_report rep = {
	    .verb = "volume ls", .default_format = ls_default_format, .headers = vol_headers, .json_indent = "  "};
	int r = cmd_sub_ls_opts(ctx, argc, argv, ls_usage, "{{.Name}}", &rep, &filters);
	if (r >= 0)
		return r;
	struct burrow_err *err = NULL;
	struct ctr_vol_filters *f = NULL;
	if (ctr_vol_filters_parse(NULL, filters, &f, &err) < 0 || fmt_report_parse(&rep, &err) < 0) {
		ctr_vol_filters_free(f);
		return cmd_fail(err);
	}
	ctr_vol_filters_free(steal_ptr(f));
	struct ctr_vol *list = NULL;
	size_t n = 0;
	bool *used = NULL;
	int rc = 0;
	if (cmd_ready(ctx, &err) < 0 || ctr_vol_filters_parse(ctx->state, filters, &f, &err) < 0 ||
	    ctr_vol_list(ctx->state, &list, &n, &err) < 0 || in_use_flags(ctx->state, list, n, &used, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ctr_vol_filters_match(f, &list[i], used[i])) {
			ctr_vol_clear(&list[i]);
			continue;
		}
		list[kept++] = list[i];
	}
	rc = print_volumes(ctx, &rep, list, kept);
	n = kept;
out:
	free(used);
	ctr_vol_list_free(list, n);
	ctr_vol_filters_free(f);
	fmt_report_clear(&rep);
	return rc;
}

/* --- inspect ------------------------------------------------------------------- */

/* 'burrow volume inspect --help': keep it in step with the options below. */
static const char inspect_usage[] = "volume inspect [OPTIONS] VOLUME...\n\n"
                                    "  -a, --all             inspect every volume\n"
                                    "  -f, --format FORMAT   json (default) or a Go template ('{{.Mountpoint}}')\n";

static int vol_inspect_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL;
	bool all = false;
	struct fmt_report rep = {.verb = "volume inspect",
	                         .headers = vol_headers,
	                         .json_indent = "    ",
	                         .empty_json = true,
	                         .no_html_escape = true};
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "af:", longopts, &args)) != -1) {
		if (c == 'a')
			all = ctx->flag_on;
		else if (c == 'f')
			rep.format = optarg;
		else
			return cmd_sub_opt_end(c, inspect_usage);
	}
	if (all == (args != NULL))
		return cmd_usage_error(ctx, "provide one or more volume names or use --all");
	struct burrow_err *err = NULL;
	if (fmt_report_parse(&rep, &err) < 0)
		return cmd_fail(err);
	struct ctr_vol *list = NULL;
	size_t n = 0;
	int rc = 0;
	if (cmd_ready(ctx, &err) < 0 || (all && ctr_vol_list(ctx->state, &list, &n, &err) < 0)) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	struct burrow_err **missing = NULL;
	size_t nmissing = 0;
	for (size_t i = 0; args && args[i]; i++) {
		cleanup_free char *name = NULL;
		struct ctr_vol v;
		if (ctr_vol_lookup(ctx->state, args[i], &name, &err) < 0 ||
		    ctr_vol_load(ctx->state, name, &v, &err) < 0) {
			missing = xrealloc(missing, (nmissing + 1) * sizeof(*missing));
			missing[nmissing++] = steal_ptr(err);
			continue;
		}
		list = xrealloc(list, (n + 1) * sizeof(*list));
		list[n++] = v;
	}
	/* what was found is shown (JSON's [] when nothing was), then what was
	 * not, as podman does */
	int r = print_volumes(ctx, &rep, list, n);
	if (r)
		rc = r;
	rc = cmd_sub_missing(missing, nmissing, rc);
	ctr_vol_list_free(list, n);
	fmt_report_clear(&rep);
	return rc;
}

/* --- rm ------------------------------------------------------------------------- */

/* podman's exit codes for volume rm (cmd_sub_rm_each: 125, then 2, then 1) */
enum {
	VRM_NO_SUCH = 1, /* a volume did not exist (and nothing worse) */
	VRM_IN_USE = 2,  /* a volume is in use (without -f) */
};

struct vol_rm {
	struct state_store *s;
	bool force;
	int stop_timeout;
};

static int vol_rm_one(const char *ref, char **name, struct burrow_err **err, void *data)
{
	const struct vol_rm *how = data;
	if (ctr_vol_remove(how->s, ref, how->force, how->stop_timeout, name, err) == 0)
		return 0;
	int code = (*err)->status == ENOENT ? VRM_NO_SUCH : (*err)->status == EBUSY ? VRM_IN_USE : EXIT_BURROW;
	/* as podman: -f makes a missing volume fine */
	return code == VRM_NO_SUCH && how->force ? 0 : code;
}

/* 'burrow volume rm --help': keep it in step with the options below. */
static const char rm_usage[] = "volume rm [OPTIONS] VOLUME...\n\n"
                               "  -a, --all            remove every volume\n"
                               "  -f, --force          remove volumes in use too, with the containers that\n"
                               "                       use them; a missing volume is no error\n"
                               "  -t, --time SECONDS   with -f: how long running containers get to stop\n"
                               "                       (burrow kills them at once for now)\n";

static int vol_rm_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"force", no_argument, NULL, 'f'},
	    {"time", required_argument, NULL, 't'},
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL;
	bool all = false, force = false, timed = false;
	long long timeout = -1;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "aft:", longopts, &args)) != -1) {
		switch (c) {
		case 'a':
			all = ctx->flag_on;
			break;
		case 'f':
			force = ctx->flag_on;
			break;
		case 't':
			if (str_to_ll(optarg, -1, 2147483647LL, &timeout) < 0)
				return cmd_usage_error(ctx, "invalid --time '%s': seconds, or -1 to wait for ever",
				                       str_quote(optarg));
			timed = true;
			break;
		default:
			return cmd_sub_opt_end(c, rm_usage);
		}
	}
	if (all == (args != NULL))
		return cmd_usage_error(ctx, "choose either one or more volumes or all");
	if (timed && !force)
		return cmd_usage_error(ctx, "--force option must be specified to use the --time option");
	/* -1 (podman: wait for ever): burrow's longest stop, a day */
	int stop_timeout = !timed ? -1 : timeout < 0 || timeout > 86400 ? 86400 : (int)timeout;
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	cleanup_strv char **names = NULL;
	if (all) {
		struct ctr_vol *list = NULL;
		size_t n = 0;
		if (ctr_vol_list(ctx->state, &list, &n, &err) < 0)
			return cmd_fail(err);
		for (size_t i = 0; i < n; i++)
			strv_append(&names, list[i].name);
		ctr_vol_list_free(list, n);
	}
	struct vol_rm how = {.s = ctx->state, .force = force, .stop_timeout = stop_timeout};
	return cmd_sub_rm_each(all ? names : args, vol_rm_one, &how);
}

/* --- prune ----------------------------------------------------------------------- */

struct prune_out {
	char **names;
	bool failed;
};

static void prune_collect(const char *name, const struct burrow_err *err, void *data)
{
	struct prune_out *p = data;
	if (err) {
		burrow_err_print(err);
		p->failed = true;
		return;
	}
	strv_append(&p->names, name);
}

static void prune_print(const char *name, const struct burrow_err *err, void *data)
{
	struct prune_out *p = data;
	if (err) {
		burrow_err_print(err);
		p->failed = true;
		return;
	}
	printf("%s\n", name);
}

/* Asks on standard input; true for an answer that starts with y. */
static bool confirm(char *const *names)
{
	printf("WARNING! This will remove all volumes not used by at least one container. The following volumes will "
	       "be removed:\n");
	for (size_t i = 0; names && names[i]; i++)
		printf("%s\n", names[i]);
	printf("Are you sure you want to continue? [y/N] ");
	fflush(stdout);
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

/* 'burrow volume prune --help': keep it in step with the options below. */
static const char prune_usage[] = "volume prune [OPTIONS]\n\n"
                                  "Removes every volume no container uses (after asking).\n\n"
                                  "      --dry-run          print what would be removed\n"
                                  "      --filter KEY=VALUE as volume ls's (repeatable)\n"
                                  "  -f, --force            do not ask for confirmation\n";

static int vol_prune_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_FILTER = 0x200, OPT_DRY_RUN };
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"filter", required_argument, NULL, OPT_FILTER},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL, **filters = NULL;
	bool force = false, dry_run = false;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "f", longopts, &args)) != -1) {
		switch (c) {
		case 'f':
			force = ctx->flag_on;
			break;
		case OPT_FILTER:
			strv_append(&filters, optarg);
			break;
		case OPT_DRY_RUN:
			dry_run = ctx->flag_on;
			break;
		default:
			return cmd_sub_opt_end(c, prune_usage);
		}
	}
	if (args)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(args[0]));
	if (force && dry_run)
		return cmd_usage_error(ctx, "--force and --dry-run cannot be used together");
	struct burrow_err *err = NULL;
	struct ctr_vol_filters *f = NULL;
	if (ctr_vol_filters_parse(NULL, filters, &f, &err) < 0)
		return cmd_fail(err);
	ctr_vol_filters_free(steal_ptr(f));
	if (cmd_ready(ctx, &err) < 0 || ctr_vol_filters_parse(ctx->state, filters, &f, &err) < 0)
		return cmd_fail(err);
	struct prune_out out = {0};
	int rc = 0;
	if (!force && !dry_run) {
		if (ctr_vol_prune(ctx->state, f, true, true, prune_collect, &out, &err) < 0) {
			rc = cmd_fail(err);
			goto done;
		}
		if (!out.names) {
			printf("No dangling volumes found\n");
			goto done;
		}
		if (!confirm(out.names))
			goto done;
	}
	if (dry_run)
		printf("Volumes that would be pruned:\n");
	if (ctr_vol_prune(ctx->state, f, true, dry_run, prune_print, &out, &err) < 0)
		rc = cmd_fail(err);
	else if (out.failed)
		rc = EXIT_BURROW;
done:
	strv_free(out.names);
	ctr_vol_filters_free(f);
	return rc;
}

/* --- exists, export, import ------------------------------------------------ */

/* 'burrow volume exists --help': keep it in step with the options below. */
static const char exists_usage[] = "volume exists VOLUME\n\n"
                                   "Exits 0 when a volume of exactly that name exists, 1 when not.\n";

static int vol_exists_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	cleanup_strv char **args = NULL;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "", NULL, &args)) != -1)
		return cmd_sub_opt_end(c, exists_usage);
	if (strv_len(args) != 1)
		return cmd_usage_error(ctx, "give exactly one volume name");
	struct burrow_err *err = NULL;
	bool exists = false;
	if (cmd_ready(ctx, &err) < 0 || ctr_vol_exists(ctx->state, args[0], &exists, &err) < 0)
		return cmd_fail(err);
	return exists ? 0 : 1;
}

/* 'burrow volume export --help': keep it in step with the options below. */
static const char export_usage[] = "volume export [OPTIONS] VOLUME\n\n"
                                   "Writes the volume's content as a tar to standard output.\n\n"
                                   "  -o, --output FILE   write to FILE instead\n";

static int vol_export_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	cleanup_strv char **args = NULL;
	const char *output = NULL;
	int rc = cmd_tar_out_opts(ctx, argc, argv, export_usage, "volume", &output, &args);
	if (rc >= 0)
		return rc;
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0 || ctr_vol_export(ctx->state, args[0], output, &err) < 0)
		return cmd_fail(err);
	return 0;
}

/* 'burrow volume import --help': keep it in step with the options below. */
static const char import_usage[] = "volume import VOLUME FILE|-\n\n"
                                   "Extracts a tar (plain, gzip, zstd, xz or bzip2; - for standard input)\n"
                                   "into an existing volume, over its content.\n";

static int vol_import_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	cleanup_strv char **args = NULL;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "", NULL, &args)) != -1)
		return cmd_sub_opt_end(c, import_usage);
	if (strv_len(args) != 2)
		return cmd_usage_error(ctx, "give a volume and a tarball (or - for standard input)");
	if (!*args[1])
		return cmd_usage_error(ctx, "empty tarball path");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0 || ctr_vol_import(ctx->state, args[0], args[1], &err) < 0)
		return cmd_fail(err);
	return 0;
}

/* --- dispatch ------------------------------------------------------------------ */

static const struct cmd_sub subs[] = {
    {"create", NULL, "volume create", vol_create_cmd, NULL},    {"ls", "list", "volume ls", vol_ls_cmd, NULL},
    {"inspect", NULL, "volume inspect", vol_inspect_cmd, NULL}, {"rm", "remove", "volume rm", vol_rm_cmd, NULL},
    {"prune", NULL, "volume prune", vol_prune_cmd, NULL},       {"exists", NULL, "volume exists", vol_exists_cmd, NULL},
    {"export", NULL, "volume export", vol_export_cmd, NULL},    {"import", NULL, "volume import", vol_import_cmd, NULL},
};

int cmd_volume(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_sub_run(ctx, "volume", NULL, subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
