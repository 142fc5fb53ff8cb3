/* burrow secret SUBCOMMAND ...: podman's secret family (create, ls,
 * inspect, rm, exists) over container/secret.h. A secret's content is
 * read by create and never shown: inspect and ls describe it only.
 *
 * inspect gives podman's objects: ID, CreatedAt, UpdatedAt and Spec (Name,
 * Driver {Name, Options {path}}, Labels); ls's objects are ID, Name,
 * Driver, CreatedAt and UpdatedAt ("3 minutes ago"), and Labels. */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/family.h"
#include "cmd/ctrjson.h"
#include "cmd/format.h"
#include "cmd/report.h"
#include "container/secret.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

const char cmd_secret_usage[] = "secret SUBCOMMAND [OPTIONS] [ARG...]\n\n"
                                "Manages secrets: data a container gets at run time (--secret), kept\n"
                                "out of images, logs and inspect.\n\n"
                                "  create NAME FILE|-       create a secret from a file or standard input\n"
                                "  ls                       list secrets\n"
                                "  inspect SECRET...        show secrets in detail (JSON; never the content)\n"
                                "  rm SECRET...             remove secrets\n"
                                "  exists SECRET            exit 0 when the secret exists, 1 when not\n\n"
                                "Run 'burrow secret SUBCOMMAND --help' for its options.\n";

/* --- create -------------------------------------------------------------------- */

/* The content: all of fd, refused past the size limit (read one byte more
 * than allowed, to tell). */
static int read_content(int fd, const char *what, char **out, size_t *len, struct burrow_err **err)
{
	size_t cap = CTR_SECRET_MAX_SIZE + 1;
	char *buf = xmalloc(cap);
	ssize_t n = read_all(fd, buf, cap);
	if (n < 0) {
		int e = errno;
		free(buf);
		return burrow_error(err, e, "cannot read %s", what);
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
}

static const char create_usage[] =
    "secret create [OPTIONS] NAME FILE|-\n\n"
    "Stores the content of FILE (- for standard input) as a secret and prints its ID.\n\n"
    "  -d, --driver DRIVER      file (the only driver)\n"
    "      --driver-opts K=V    driver options (the file driver takes none)\n"
    "      --env                FILE names an environment variable that holds the content\n"
    "  -l, --label KEY=VALUE    set a label (repeatable)\n"
    "      --replace            a secret of that name gets the new content (containers that\n"
    "                           use it keep their copies)\n";

static int secret_create_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_DRIVER_OPTS = 0x200, OPT_ENV, OPT_REPLACE };
	static const struct option longopts[] = {
	    {"driver", required_argument, NULL, 'd'},    {"driver-opts", required_argument, NULL, OPT_DRIVER_OPTS},
	    {"env", no_argument, NULL, OPT_ENV},         {"label", required_argument, NULL, 'l'},
	    {"replace", no_argument, NULL, OPT_REPLACE}, {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL, **labels = NULL, **dopts = NULL;
	struct ctr_secret_create_opts o = {0};
	bool env = false;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "d:l:", longopts, &args)) != -1) {
		switch (c) {
		case 'd':
			o.driver = optarg;
			break;
		case OPT_DRIVER_OPTS: {
			cleanup_strv char **items = strv_split(optarg, ',');
			for (size_t i = 0; items[i]; i++)
				if (*items[i])
					strv_append(&dopts, items[i]);
			break;
		}
		case OPT_ENV:
			env = ctx->flag_on;
			break;
		case 'l':
			strv_append(&labels, optarg);
			break;
		case OPT_REPLACE:
			o.replace = ctx->flag_on;
			break;
		default:
			return cmd_sub_opt_end(c, create_usage);
		}
	}
	if (strv_len(args) != 2)
		return cmd_usage_error(ctx, "give a secret's name and a file (or - for standard input)");
	o.name = args[0];
	o.labels = labels;
	o.driver_opts = dopts;
	struct burrow_err *err = NULL;
	/* the options first (size aside), then the content, then the store */
	if (ctr_secret_create_check(&o, 1, &err) < 0)
		return cmd_fail(err);
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (env) {
		const char *v = getenv(args[1]);
		if (!v)
			return cmd_usage_error(ctx, "environment variable '%s' is not set", str_quote(args[1]));
		len = strlen(v);
		data = xstrdup(v);
	} else if (strcmp(args[1], "-") == 0) {
		if (read_content(STDIN_FILENO, "standard input", &data, &len, &err) < 0)
			return cmd_fail(err);
	} else {
		cleanup_close int fd = open(args[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			burrow_error(&err, errno, "cannot open '%s'", str_quote(args[1]));
			return cmd_fail(err);
		}
		if (read_content(fd, args[1], &data, &len, &err) < 0)
			return cmd_fail(err);
	}
	cleanup_free char *id = NULL;
	if (ctr_secret_create_check(&o, len, &err) < 0 || cmd_ready(ctx, &err) < 0 ||
	    ctr_secret_create(ctx->state, &o, data, len, &id, &err) < 0) {
		explicit_bzero(data, len);
		return cmd_fail(err);
	}
	explicit_bzero(data, len);
	printf("%s\n", id);
	return 0;
}

/* --- output ------------------------------------------------------------------------- */

static yajl_val secret_json(struct state_store *s, const struct ctr_secret *v)
{
	char created[64], updated[64];
	cleanup_free char *path = path_join(state_root(s), "secrets");
	yajl_val o = json_new_object();
	json_obj_add(o, "ID", json_new_str(v->id));
	json_obj_add(o, "CreatedAt", json_new_str(fmt_rfc3339(v->created / 1000000000LL, created, sizeof(created))));
	json_obj_add(o, "UpdatedAt", json_new_str(fmt_rfc3339(v->updated / 1000000000LL, updated, sizeof(updated))));
	yajl_val spec = json_obj_add(o, "Spec", json_new_object());
	json_obj_add(spec, "Name", json_new_str(v->name));
	yajl_val drv = json_obj_add(spec, "Driver", json_new_object());
	json_obj_add(drv, "Name", json_new_str(v->driver));
	yajl_val dopts = json_obj_add(drv, "Options", json_new_map());
	json_obj_add(dopts, "path", json_new_str(path));
	json_obj_add(spec, "Labels", cmd_kv_object(v->labels));
	return o;
}

/* ls's object: flat, times as podman's ls shows them */
static yajl_val secret_ls_json(const struct ctr_secret *v)
{
	char created[64], updated[64];
	long long now = (long long)time(NULL);
	yajl_val o = json_new_object();
	json_obj_add(o, "ID", json_new_str(v->id));
	json_obj_add(o, "Name", json_new_str(v->name));
	json_obj_add(o, "Driver", json_new_str(v->driver));
	json_obj_add(o, "CreatedAt",
	             json_new_str(fmt_time_ago(v->created / 1000000000LL, now, created, sizeof(created))));
	json_obj_add(o, "UpdatedAt",
	             json_new_str(fmt_time_ago(v->updated / 1000000000LL, now, updated, sizeof(updated))));
	json_obj_add(o, "Labels", cmd_kv_object(v->labels));
	return o;
}

struct secret_items {
	struct state_store *s;
	const struct ctr_secret *v;
	bool ls;
};

static void secret_make(void *ctx, size_t i, bool overlay, struct fmt_item *out)
{
	(void)overlay;
	const struct secret_items *p = ctx;
	out->base = p->ls ? secret_ls_json(&p->v[i]) : secret_json(p->s, &p->v[i]);
	out->overlay = NULL;
}

static void secret_drop(void *ctx, size_t i, struct fmt_item *item)
{
	(void)ctx;
	(void)i;
	yajl_tree_free(item->base);
}

static const struct fmt_header secret_headers[] = {
    {"ID", "ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"}, {"CreatedAt", "CREATED"}, {"UpdatedAt", "UPDATED"},
    {NULL, NULL},
};

static int print_secrets(struct cmd_ctx *ctx, const struct fmt_report *rep, const struct ctr_secret *v, size_t n,
                         bool ls)
{
	struct secret_items p = {.s = ctx->state, .v = v, .ls = ls};
	struct fmt_items src = {.n = n, .make = secret_make, .drop = secret_drop, .ctx = &p};
	struct burrow_err *err = NULL;
	if (fmt_report_print_items(rep, &src, &err) < 0)
		return cmd_fail(err);
	return 0;
}

/* --- ls --------------------------------------------------------------------------- */

/* --filter name=REGEX, id=REGEX (podman's): values of one key match when
 * any does; keys combine with AND. */
struct secret_filter {
	regex_t *re;
	bool *on_id;
	size_t n;
	bool has_name, has_id;
};

static void filter_clear(struct secret_filter *f)
{
	for (size_t i = 0; i < f->n; i++)
		regfree(&f->re[i]);
	free(f->re);
	free(f->on_id);
	memset(f, 0, sizeof(*f));
}

static int filter_parse(char *const *specs, struct secret_filter *f, struct burrow_err **err)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; specs && specs[i]; i++) {
		const char *eq = strchr(specs[i], '=');
		bool id = eq && (size_t)(eq - specs[i]) == 2 && strncmp(specs[i], "id", 2) == 0;
		bool name = eq && (size_t)(eq - specs[i]) == 4 && strncmp(specs[i], "name", 4) == 0;
		if (!id && !name) {
			filter_clear(f);
			return burrow_error_status(
			    err, EINVAL, "invalid filter '%s': secret ls takes name= and id=", str_quote(specs[i]));
		}
		f->re = xrealloc(f->re, (f->n + 1) * sizeof(*f->re));
		f->on_id = xrealloc(f->on_id, (f->n + 1) * sizeof(*f->on_id));
		int rc = regcomp(&f->re[f->n], eq + 1, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[128];
			regerror(rc, &f->re[f->n], msg, sizeof(msg));
			filter_clear(f);
			return burrow_error_status(err, EINVAL, "invalid filter '%s': %s", str_quote(specs[i]), msg);
		}
		f->on_id[f->n++] = id;
		f->has_id = f->has_id || id;
		f->has_name = f->has_name || name;
	}
	return 0;
}

static bool filter_match(const struct secret_filter *f, const struct ctr_secret *v)
{
	bool name_hit = !f->has_name, id_hit = !f->has_id;
	for (size_t i = 0; i < f->n; i++) {
		bool hit = regexec(&f->re[i], f->on_id[i] ? v->id : v->name, 0, NULL, 0) == 0;
		if (f->on_id[i])
			id_hit = id_hit || hit;
		else
			name_hit = name_hit || hit;
	}
	return name_hit && id_hit;
}

static const char ls_default_format[] = "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}\n";

static const char ls_usage[] = "secret ls [OPTIONS]\n\n"
                               "  -f, --filter KEY=VALUE   name=REGEX, id=REGEX (repeatable)\n"
                               "      --format FORMAT      json, 'table TEMPLATE' or a Go template ('{{.Name}}')\n"
                               "  -n, --noheading          no header row\n"
                               "  -q, --quiet              print secret IDs only\n";

static int secret_ls_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	cleanup_strv char **filters = NULL;
	struct fmt_report rep = {
	    .verb = "secret ls", .default_format = ls_default_format, .headers = secret_headers, .json_indent = "    "};
	int r = cmd_sub_ls_opts(ctx, argc, argv, ls_usage, "{{.ID}}", &rep, &filters);
	if (r >= 0)
		return r;
	struct burrow_err *err = NULL;
	struct secret_filter f;
	if (filter_parse(filters, &f, &err) < 0)
		return cmd_fail(err);
	struct ctr_secret *list = NULL;
	size_t n = 0;
	int rc = 0;
	if (fmt_report_parse(&rep, &err) < 0 || cmd_ready(ctx, &err) < 0 ||
	    ctr_secret_list(ctx->state, &list, &n, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (!filter_match(&f, &list[i])) {
			ctr_secret_clear(&list[i]);
			continue;
		}
		list[kept++] = list[i];
	}
	n = kept;
	rc = print_secrets(ctx, &rep, list, n, true);
out:
	ctr_secret_list_free(list, n);
	filter_clear(&f);
	fmt_report_clear(&rep);
	return rc;
}

/* --- inspect ----------------------------------------------------------------------- */

static void print_pretty(struct state_store *s, const struct ctr_secret *v, size_t n)
{
	cleanup_free char *path = path_join(state_root(s), "secrets");
	for (size_t i = 0; i < n; i++) {
		char created[80], updated[80];
		if (i)
			printf("\n");
		printf("ID:              %s\n", v[i].id);
		printf("Name:            %s\n", v[i].name);
		if (v[i].labels && v[i].labels[0]) {
			printf("Labels:\n");
			for (size_t k = 0; v[i].labels[k]; k++) {
				size_t kl = strcspn(v[i].labels[k], "=");
				printf(" - %.*s=%s\n", (int)kl, v[i].labels[k],
				       v[i].labels[k][kl] ? v[i].labels[k] + kl + 1 : "");
			}
		}
		printf("Driver:          %s\n", v[i].driver);
		printf("Driver Options:  path=%s\n", path);
		printf("Created at:      %s\n",
		       fmt_go_time(v[i].created / 1000000000LL, false, created, sizeof(created)));
		printf("Updated at:      %s\n",
		       fmt_go_time(v[i].updated / 1000000000LL, false, updated, sizeof(updated)));
	}
}

static const char inspect_usage[] = "secret inspect [OPTIONS] SECRET...\n\n"
                                    "Shows secrets (never their content).\n\n"
                                    "  -a, --all             inspect every secret\n"
                                    "  -f, --format FORMAT   json (default) or a Go template ('{{.Spec.Name}}')\n"
                                    "      --pretty          a readable description instead of JSON\n";

static int secret_inspect_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_PRETTY = 0x200 };
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"format", required_argument, NULL, 'f'},
	    {"pretty", no_argument, NULL, OPT_PRETTY},
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL;
	bool all = false, pretty = false;
	struct fmt_report rep = {.verb = "secret inspect", .headers = secret_headers, .json_indent = "    "};
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "af:", longopts, &args)) != -1) {
		if (c == 'a')
			all = ctx->flag_on;
		else if (c == 'f')
			rep.format = optarg;
		else if (c == OPT_PRETTY)
			pretty = ctx->flag_on;
		else
			return cmd_sub_opt_end(c, inspect_usage);
	}
	if (all == (args != NULL))
		return cmd_usage_error(ctx, "provide one or more secret names or IDs, or use --all");
	if (pretty && rep.format)
		return cmd_usage_error(ctx, "--format and --pretty cannot be used together");
	struct burrow_err *err = NULL;
	if (fmt_report_parse(&rep, &err) < 0)
		return cmd_fail(err);
	struct ctr_secret *list = NULL;
	size_t n = 0;
	int rc = 0;
	if (cmd_ready(ctx, &err) < 0 || (all && ctr_secret_list(ctx->state, &list, &n, &err) < 0)) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	struct burrow_err **missing = NULL;
	size_t nmissing = 0;
	for (size_t i = 0; args && args[i]; i++) {
		struct ctr_secret v;
		if (ctr_secret_load(ctx->state, args[i], &v, &err) < 0) {
			missing = xrealloc(missing, (nmissing + 1) * sizeof(*missing));
			missing[nmissing++] = steal_ptr(err);
			continue;
		}
		list = xrealloc(list, (n + 1) * sizeof(*list));
		list[n++] = v;
	}
	/* what was found is shown (JSON's [] when nothing was), then what was
	 * not, as podman does */
	if (pretty)
		print_pretty(ctx->state, list, n);
	else
		rc = print_secrets(ctx, &rep, list, n, false);
	rc = cmd_sub_missing(missing, nmissing, rc);
	ctr_secret_list_free(list, n);
	fmt_report_clear(&rep);
	return rc;
}

/* --- rm, exists -------------------------------------------------------------------- */

static const char rm_usage[] = "secret rm [OPTIONS] SECRET...\n\n"
                               "  -a, --all       remove every secret\n"
                               "  -f, --force     remove secrets containers use too (they keep their copies)\n"
                               "  -i, --ignore    a missing secret is no error\n";

struct secret_rm {
	struct state_store *s;
	bool force, ignore;
};

static int secret_rm_one(const char *ref, char **id, struct burrow_err **err, void *data)
{
	const struct secret_rm *how = data;
	if (ctr_secret_remove(how->s, ref, how->force, id, err) == 0)
		return 0;
	return how->ignore && (*err)->status == ENOENT ? 0 : EXIT_BURROW;
}

static int secret_rm_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"force", no_argument, NULL, 'f'},
	    {"ignore", no_argument, NULL, 'i'},
	    {0, 0, 0, 0},
	};
	cleanup_strv char **args = NULL;
	bool all = false, force = false, ignore = false;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "afi", longopts, &args)) != -1) {
		if (c == 'a')
			all = ctx->flag_on;
		else if (c == 'f')
			force = ctx->flag_on;
		else if (c == 'i')
			ignore = ctx->flag_on;
		else
			return cmd_sub_opt_end(c, rm_usage);
	}
	if (all == (args != NULL))
		return cmd_usage_error(ctx, "choose either one or more secrets or --all");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	cleanup_strv char **ids = NULL;
	if (all) {
		struct ctr_secret *list = NULL;
		size_t n = 0;
		if (ctr_secret_list(ctx->state, &list, &n, &err) < 0)
			return cmd_fail(err);
		for (size_t i = 0; i < n; i++)
			strv_append(&ids, list[i].id);
		ctr_secret_list_free(list, n);
	}
	struct secret_rm how = {.s = ctx->state, .force = force, .ignore = ignore};
	return cmd_sub_rm_each(all ? ids : args, secret_rm_one, &how);
}

static const char exists_usage[] = "secret exists SECRET\n\n"
                                   "Exits 0 when the secret (a name or an ID) exists, 1 when not.\n";

static int secret_exists_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	cleanup_strv char **args = NULL;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "", NULL, &args)) != -1)
		return cmd_sub_opt_end(c, exists_usage);
	if (strv_len(args) != 1)
		return cmd_usage_error(ctx, "give exactly one secret name or ID");
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	struct ctr_secret v;
	if (ctr_secret_load(ctx->state, args[0], &v, &err) < 0) {
		if (err->status != ENOENT)
			return cmd_fail(err);
		burrow_err_free(err);
		return 1;
	}
	ctr_secret_clear(&v);
	return 0;
}

/* --- dispatch ------------------------------------------------------------------------ */

static const struct cmd_sub subs[] = {
    {"create", NULL, "secret create", secret_create_cmd, NULL},    {"ls", "list", "secret ls", secret_ls_cmd, NULL},
    {"inspect", NULL, "secret inspect", secret_inspect_cmd, NULL}, {"rm", "remove", "secret rm", secret_rm_cmd, NULL},
    {"exists", NULL, "secret exists", secret_exists_cmd, NULL},
};

int cmd_secret(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_sub_run(ctx, "secret", NULL, subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}
