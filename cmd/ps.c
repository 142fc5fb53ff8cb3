/* burrow ps [-a] [-q] [-l | -n N] [--filter K=V]... [--sort KEY] [--no-trunc]
 *           [--noheading] [--format FORMAT]
 *
 * Each container is one JSON object in podman's names (its ps --format
 * json), plus an overlay of what podman's ps templates show instead: .ID
 * short, .Names one string, .Command one (truncated) string, .Created and
 * .CreatedAt as times, .CreatedHuman, .RunningFor, .Ports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "cmd/ctrjson.h"
#include "cmd/ports.h"
#include "cmd/psfilter.h"
#include "container/health.h"
#include "cmd/report.h"
#include "container/container.h"
#include "container/inspect.h"
#include "container/mount.h"
#include "container/nsmode.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

/* podman's default ps table and its headers for fields whose name does
 * not say it (the rest: .CreatedAt -> CREATED AT ...) */
static const char ps_default_format[] =
    "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\n";
/* ... and with -s */
static const char ps_size_format[] =
    "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
    "\t{{.Size}}\n";
/* ... and with --ns (podman's: the init's pid and namespace inodes) */
static const char ps_ns_format[] = "{{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Namespaces.Cgroup}}\t{{.Namespaces.IPC}}"
                                   "\t{{.Namespaces.MNT}}\t{{.Namespaces.NET}}\t{{.Namespaces.PIDNS}}"
                                   "\t{{.Namespaces.User}}\t{{.Namespaces.UTS}}\n";
static const struct fmt_header ps_headers[] = {
    {"ID", "CONTAINER ID"}, {"CreatedHuman", "CREATED"},       {"Pod", "POD ID"},
    {"PodName", "PODNAME"}, {"Namespaces.Cgroup", "CGROUPNS"}, {"Namespaces.User", "USERNS"},
    {NULL, NULL},
};

/* .Namespaces: Go's names in the overlay, the JSON keys in the base */
static const char *const ps_json_base[] = {"Namespaces", NULL};

/* Go's zero time in Unix seconds: podman's ExitedAt and StartedAt for a
 * container that never exited or never started. */
#define GO_ZERO_TIME (-62135596800LL)

static void status_text(const struct ctr_listing *l, long long now, char *buf, size_t len)
{
	char d[64];
	switch (l->run.state) {
	case CTR_RUNNING:
		snprintf(buf, len, "Up %s", fmt_duration(now - l->run.started_at, d, sizeof(d)));
		if (l->health != CTR_HEALTH_NONE) /* podman's "Up 3 minutes (healthy)" */
			snprintf(buf + strlen(buf), len - strlen(buf), " (%s)",
			         ctr_health_status_name((enum ctr_health_status)l->health));
		break;
	case CTR_PAUSED:
		snprintf(buf, len, "Paused");
		break;
	case CTR_STOPPED:
	case CTR_EXITED:
		if (l->run.finished_at > 0)
			snprintf(buf, len, "Exited (%d) %s ago", l->run.exit_code,
			         fmt_duration(now - l->run.finished_at, d, sizeof(d)));
		else /* no end was recorded (it ran when the machine restarted) */
			snprintf(buf, len, "Exited (%d)", l->run.exit_code);
		break;
	case CTR_CONFIGURED:
		snprintf(buf, len, "Created");
		break;
	case CTR_CREATED: /* burrow init's, or a start under way */
		snprintf(buf, len, "Initialized");
		break;
	default:
		snprintf(buf, len, "%s", ctr_state_name(l->run.state));
	}
}

/* The command as one string; podman cuts it after 17 bytes (here: at the
 * character boundary at or before them) and adds "...". */
static char *command_text(char *const *args, bool trunc)
{
	struct fmt_buf b = {0};
	fmt_buf_add(&b, "", 0);
	for (size_t i = 0; args && args[i]; i++) {
		if (i)
			fmt_buf_add(&b, " ", 1);
		fmt_buf_puts(&b, args[i]);
	}
	if (trunc && b.len > 17) {
		size_t cut = 17;
		while (cut > 0 && ((unsigned char)b.s[cut] & 0xc0) == 0x80)
			cut--;
		b.len = cut;
		fmt_buf_add(&b, "...", 3);
	}
	return b.s;
}

/* The container as podman's ps --format json shows it; burrow has no
 * pods and no infra containers: Pod and PodName are "", IsInfra false.
 * Namespaces: empty, or with --ns the inode numbers (as strings) of a
 * live container's; ns NULL without --ns. */
struct ps_size {
	long long rw, rootfs;
};

/* podman's .Mounts: each of the container's own mounts (-v, --mount,
 * --tmpfs, --volumes-from) by its destination, in their order */
static yajl_val mounts_json(char *const *mounts)
{
	yajl_val a = json_new_array();
	for (size_t i = 0; mounts && mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(mounts[i], &m))
			continue;
		json_arr_add(a, json_new_str(m.destination));
		ctr_mount_clear(&m);
	}
	return a;
}

/* podman's ListContainerNamespaces: for JSON its keys, what is not known
 * left out (omitempty); for templates (go) its Go field names, "" for
 * what is not known */
static yajl_val ns_json(const struct ctr_ns_inodes *ns, bool go)
{
	const struct {
		const char *key, *field;
		unsigned long long ino;
	} k[] = {{"Mnt", "MNT", ns->mnt},   {"Cgroup", "Cgroup", ns->cgroup}, {"Ipc", "IPC", ns->ipc},
	         {"Net", "NET", ns->net},   {"Pidns", "PIDNS", ns->pid},      {"Uts", "UTS", ns->uts},
	         {"User", "User", ns->user}};
	yajl_val o = json_new_object();
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		char num[24] = "";
		if (k[i].ino)
			snprintf(num, sizeof(num), "%llu", k[i].ino);
		if (k[i].ino || go)
			json_obj_add(o, go ? k[i].field : k[i].key, json_new_str(num));
	}
	return o;
}

/* Its init is there (its pid and namespaces shown): live, or initialized
 * (burrow init: the init waits), as podman's */
static bool has_init(enum ctr_state st)
{
	return st == CTR_RUNNING || st == CTR_PAUSED || st == CTR_STOPPING || st == CTR_CREATED;
}

static yajl_val ps_json(const struct ctr_listing *l, const struct ps_size *size, const struct ctr_ns_inodes *ns,
                        const char *ago, long long now)
{
	char status[96];
	status_text(l, now, status, sizeof(status));
	enum ctr_state st = l->run.state;
	bool live = has_init(st);
	char *const names[] = {l->cfg.name, NULL};
	yajl_val o = json_new_object();
	json_obj_add(o, "AutoRemove", json_new_bool(l->cfg.rm));
	json_obj_add(o, "Command", json_new_strv(l->cfg.args));
	json_obj_add(o, "CreatedAt", json_new_str(ago));
	json_obj_add(o, "Exited", json_new_bool(st == CTR_STOPPED || st == CTR_EXITED));
	json_obj_add(o, "ExitedAt", json_new_int(l->run.finished_at > 0 ? l->run.finished_at : GO_ZERO_TIME));
	json_obj_add(o, "ExitCode", json_new_int(l->run.exit_code));
	json_obj_add(o, "Id", json_new_str(l->cfg.id));
	json_obj_add(o, "Image", json_new_str(ctr_config_image(&l->cfg)));
	json_obj_add(o, "ImageID", json_new_str(l->cfg.image_id ? l->cfg.image_id : ""));
	json_obj_add(o, "IsInfra", json_new_bool(false));
	json_obj_add(o, "Labels", cmd_kv_object_or_nil(l->cfg.labels));
	json_obj_add(o, "Mounts", mounts_json(l->cfg.mounts));
	json_obj_add(o, "Names", json_new_strv(names));
	json_obj_add(o, "Namespaces", ns ? ns_json(ns, false) : json_new_object());
	json_obj_add(o, "Pid", json_new_int(live ? l->run.pid : 0));
	json_obj_add(o, "Pod", json_new_str(""));
	json_obj_add(o, "PodName", json_new_str(""));
	json_obj_add(o, "StartedAt", json_new_int(l->run.started_at > 0 ? l->run.started_at : GO_ZERO_TIME));
	json_obj_add(o, "State", json_new_str(ctr_state_word(st)));
	json_obj_add(o, "Status", json_new_str(status));
	json_obj_add(o, "Created", json_new_int(l->cfg.created));
	struct netns_ports ps;
	cmd_ctr_ports(&l->cfg, &l->run, &ps);
	/* podman: null without ports, [] without networks (burrow has no
	 * named networks: slirp, host and none are none) */
	json_obj_add(o, "Ports", ps.n ? cmd_ports_list_json(&ps) : json_new_null());
	netns_ports_clear(&ps);
	json_obj_add(o, "Networks", json_new_array());
	if (size) {
		yajl_val sz = json_obj_add(o, "Size", json_new_object());
		json_obj_add(sz, "rwSize", json_new_int(size->rw));
		json_obj_add(sz, "rootFsSize", json_new_int(size->rootfs));
	} else {
		json_obj_add(o, "Size", json_new_null()); /* podman's without -s */
	}
	return o;
}

/* What podman's ps templates show in place of (or beside) the JSON fields. */
static yajl_val ps_overlay(const struct ctr_listing *l, const struct ps_size *size, const struct ctr_ns_inodes *ns,
                           const char *ago, bool notrunc)
{
	char when[80];
	fmt_go_time_ns(l->cfg.created, l->cfg.created_ns, false, when, sizeof(when));
	yajl_val o = json_new_object();
	size_t idlen = notrunc ? SIZE_MAX : 12;
	json_obj_add(o, "ID", json_new_strn(l->cfg.id, idlen));
	json_obj_add(o, "ImageID", json_new_strn(l->cfg.image_id ? l->cfg.image_id : "", idlen));
	char *cmd = command_text(l->cfg.args, !notrunc);
	json_obj_add(o, "Command", json_new_str(cmd));
	free(cmd);
	json_obj_add(o, "Created", json_new_str(when));
	json_obj_add(o, "CreatedAt", json_new_str(when));
	json_obj_add(o, "CreatedHuman", json_new_str(ago));
	json_obj_add(o, "RunningFor", json_new_str(ago));
	json_obj_add(o, "Names", json_new_str(l->cfg.name));
	struct netns_ports ps;
	cmd_ctr_ports(&l->cfg, &l->run, &ps);
	char *ports = cmd_ports_text(&ps);
	json_obj_add(o, "Ports", json_new_str(ports));
	free(ports);
	netns_ports_clear(&ps);
	json_obj_add(o, "Networks", json_new_str("")); /* podman's: the names joined */
	static const struct ctr_ns_inodes none;
	json_obj_add(o, "Namespaces", ns_json(ns ? ns : &none, true));
	if (size) {
		char rw[32], virt[32], text[96];
		snprintf(text, sizeof(text), "%s (virtual %s)", fmt_size_tight(size->rw, rw, sizeof(rw)),
		         fmt_size_tight(size->rootfs, virt, sizeof(virt)));
		json_obj_add(o, "Size", json_new_str(text));
	} else {
		json_obj_add(o, "Size", json_new_str("")); /* podman: empty without -s */
	}
	return o;
}

/* --sort size: l and sizes by the size with the image, smallest first;
 * equal ones keep their order. */
struct ps_sized {
	struct ctr_listing l;
	struct ps_size size;
	size_t pos;
};

static int sized_cmp(const void *pa, const void *pb)
{
	const struct ps_sized *a = pa, *b = pb;
	if (a->size.rootfs != b->size.rootfs)
		return a->size.rootfs < b->size.rootfs ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static void sort_by_size(struct ctr_listing *l, struct ps_size *sizes, size_t n)
{
	struct ps_sized *s = xcalloc(n ? n : 1, sizeof(*s));
	for (size_t i = 0; i < n; i++)
		s[i] = (struct ps_sized){.l = l[i], .size = sizes[i], .pos = i};
	qsort(s, n, sizeof(*s), sized_cmp);
	for (size_t i = 0; i < n; i++) {
		l[i] = s[i].l;
		sizes[i] = s[i].size;
	}
	free(s);
}

struct ps_items {
	const struct ctr_listing *l;
	const struct ps_size *sizes; /* -s, else NULL */
	long long now;
	bool notrunc;
	bool ns; /* --ns */
};

static void ps_make(void *ctx, size_t i, bool overlay, struct fmt_item *out)
{
	const struct ps_items *p = ctx;
	char ago[64];
	fmt_time_ago(p->l[i].cfg.created, p->now, ago, sizeof(ago));
	const struct ps_size *size = p->sizes ? &p->sizes[i] : NULL;
	struct ctr_ns_inodes ns = {0};
	if (p->ns && has_init(p->l[i].run.state))
		ctr_ns_inodes(&p->l[i].run, &ns);
	out->base = ps_json(&p->l[i], size, p->ns ? &ns : NULL, ago, p->now);
	out->overlay = overlay ? ps_overlay(&p->l[i], size, p->ns ? &ns : NULL, ago, p->notrunc) : NULL;
}

static void ps_drop(void *ctx, size_t i, struct fmt_item *item)
{
	(void)ctx;
	(void)i;
	yajl_tree_free(item->base);
	if (item->overlay)
		yajl_tree_free(item->overlay);
}

/* What 'burrow ps --help' prints after "Usage: burrow ": keep it in step with
 * the options below. */
const char cmd_ps_usage[] = "ps [-a] [-q] [-s] [-l | -n N] [--filter KEY=VALUE]... [--sort KEY] [--no-trunc]\n"
                            "   [--ns] [--noheading] [--format FORMAT]\n\n"
                            "  -a, --all             show all containers (default: running only)\n"
                            "  -f, --filter K=V      only containers that match: id, name, status, exited,\n"
                            "                        ancestor, label, label!, health, before, since, volume\n"
                            "                        (one key: any; keys: all)\n"
                            "  -l, --latest          only the last created container (any state)\n"
                            "  -n, --last N          only the N last created containers (any state)\n"
                            "      --ns, --namespace  the init's PID and namespaces (CGROUPNS IPC MNT NET PIDNS\n"
                            "                        USERNS UTS: their inode numbers)\n"
                            "  -q, --quiet           print container IDs only\n"
                            "  -s, --size            add the SIZE column: what each container wrote (and\n"
                            "                        with its image)\n"
                            "      --sort KEY        command, created, id, image, names, runningfor, size or\n"
                            "                        status (size: with -s)\n"
                            "      --no-trunc        print full IDs and commands\n"
                            "      --noheading       no header row\n"
                            "      --sync, --external  accepted: burrow's state is always the runtime's, and\n"
                            "                        its storage has no containers but its own\n"
                            "      --format FORMAT   json, 'table TEMPLATE' or a Go template ('{{.ID}} {{.Names}}')\n";

/* What ps lists: the filters, -l/-n, --sort. */
struct ps_opts {
	bool all;
	long last; /* -n (-1: no limit) */
	bool latest;
	struct cmd_ps_filter *filter;
	enum cmd_ps_sort sort;
};

static int ps_select(struct state_store *s, const struct ps_opts *o, struct ctr_listing **out, size_t *n,
                     struct burrow_err **err)
{
	long last = o->latest ? 1 : o->last;
	/* as podman: -n and a status filter look at every container */
	bool all = o->all || last > 0 || cmd_ps_filter_has(o->filter, "status");
	/* before= and since= may name one that is not listed */
	bool refs = cmd_ps_filter_has(o->filter, "before") || cmd_ps_filter_has(o->filter, "since");
	struct ctr_listing *l = NULL;
	size_t m = 0, k = 0;
	if (ctr_list(s, all || refs, &l, &m, err) < 0)
		return -1;
	if (refs && cmd_ps_filter_resolve(o->filter, l, m, err) < 0) {
		ctr_listing_free(l, m);
		return -1;
	}
	for (size_t i = 0; i < m; i++) {
		bool listed = all || l[i].run.state == CTR_RUNNING || l[i].run.state == CTR_PAUSED;
		/* newest first: the ones past -n go too */
		if (listed && cmd_ps_filter_match(o->filter, &l[i].cfg, &l[i].run) &&
		    cmd_ps_filter_match_health(o->filter, l[i].health) && (last <= 0 || (long)k < last)) {
			l[k++] = l[i];
			continue;
		}
		ctr_config_clear(&l[i].cfg);
		ctr_run_clear(&l[i].run);
	}
	/* podman's default --sort is created: oldest first (of the last -n);
	 * size sorts that order later, by the sizes */
	cmd_ps_sort(l, k, o->sort && o->sort != CMD_PS_SORT_SIZE ? o->sort : CMD_PS_SORT_CREATED);
	*out = l;
	*n = k;
	return 0;
}

int cmd_ps(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_NS = 0x300, OPT_SYNC, OPT_EXTERNAL };
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'},
	    {"noheading", no_argument, NULL, 'H'},
	    {"format", required_argument, NULL, 'F'},
	    {"filter", required_argument, NULL, 'f'},
	    {"latest", no_argument, NULL, 'l'},
	    {"last", required_argument, NULL, 'n'},
	    {"sort", required_argument, NULL, 'S'},
	    {"size", no_argument, NULL, 's'},
	    {"ns", no_argument, NULL, OPT_NS},
	    {"namespace", no_argument, NULL, OPT_NS}, /* podman's hidden alias */
	    {"sync", no_argument, NULL, OPT_SYNC},
	    {"external", no_argument, NULL, OPT_EXTERNAL},
	    {0, 0, 0, 0},
	};
	bool quiet = false, notrunc = false, size = false, ns = false;
	struct ps_opts o = {.last = -1, .filter = cmd_ps_filter_new()};
	struct fmt_report rep = {.verb = "ps",
	                         .default_format = ps_default_format,
	                         .headers = ps_headers,
	                         .json_indent = "  ",
	                         .go_type = "containers.psReporter",
	                         .json_base = ps_json_base};
	struct burrow_err *err = NULL;
	int c, rc = 0;
	while (rc == 0 && (c = cmd_getopt(ctx, argc, argv, "aqf:ln:s", longopts)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'a':
			o.all = ctx->flag_on;
			break;
		case 'q':
			quiet = ctx->flag_on;
			break;
		case 'T':
			notrunc = ctx->flag_on;
			break;
		case 'H':
			rep.noheading = ctx->flag_on;
			break;
		case 'F':
			rep.format = optarg;
			break;
		case 'f':
			if (cmd_ps_filter_add(o.filter, optarg, &err) < 0)
				rc = cmd_fail(err);
			break;
		case 'l':
			o.latest = ctx->flag_on;
			break;
		case 's':
			size = ctx->flag_on;
			break;
		case OPT_NS:
			ns = ctx->flag_on;
			break;
		case OPT_SYNC:     /* burrow's state is the runtime's: nothing to sync */
		case OPT_EXTERNAL: /* no containers but burrow's in its storage */
			break;
		case 'n':
			o.last = strtol(optarg, &end, 10);
			if (end == optarg || *end || o.last < -1)
				rc = cmd_usage_error(ctx, "--last '%s': not a number of containers", str_quote(optarg));
			break;
		case 'S':
			if (cmd_ps_sort_parse(optarg, &o.sort, &err) < 0)
				rc = cmd_fail(err);
			break;
		case CMD_OPT_HELP:
			rc = -1;
			break;
		default:
			rc = EXIT_BURROW;
		}
	}
	if (rc == 0 && optind < argc)
		rc = cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));
	if (rc == 0 && o.latest && o.last >= 0)
		rc = cmd_usage_error(ctx, "--last and --latest cannot be used together");
	if (rc == 0 && quiet && size)
		rc = cmd_usage_error(ctx, "--quiet and --size cannot be used together");
	if (rc != 0) {
		cmd_ps_filter_free(o.filter);
		return rc < 0 ? 0 : rc;
	}
	if (size)
		rep.default_format = ps_size_format;
	if (ns)
		rep.default_format = ps_ns_format;
	/* a --format wins over -q, as in podman */
	if (rep.format)
		quiet = false;
	if (!quiet && fmt_report_parse(&rep, &err) < 0) {
		cmd_ps_filter_free(o.filter);
		return cmd_fail(err);
	}
	struct ctr_listing *l = NULL;
	size_t n = 0;
	if (cmd_ready(ctx, &err) < 0 || ps_select(ctx->state, &o, &l, &n, &err) < 0) {
		fmt_report_clear(&rep);
		cmd_ps_filter_free(o.filter);
		return cmd_fail(err);
	}
	struct ps_size *sizes = size ? xcalloc(n ? n : 1, sizeof(*sizes)) : NULL;
	for (size_t i = 0; sizes && i < n && rc == 0; i++)
		if (ctr_sizes(ctx->state, &l[i].cfg, &sizes[i].rw, &sizes[i].rootfs, &err) < 0)
			rc = cmd_fail(err);
	if (rc == 0 && sizes && o.sort == CMD_PS_SORT_SIZE)
		sort_by_size(l, sizes, n);
	if (rc != 0) {
		/* nothing printed */
	} else if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%.*s\n", notrunc ? 64 : 12, l[i].cfg.id);
	} else {
		struct ps_items p = {
		    .l = l, .sizes = sizes, .now = (long long)time(NULL), .notrunc = notrunc, .ns = ns};
		struct fmt_items src = {.n = n, .make = ps_make, .drop = ps_drop, .ctx = &p};
		if (fmt_report_print_items(&rep, &src, &err) < 0)
			rc = cmd_fail(err);
	}
	free(sizes);
	fmt_report_clear(&rep);
	cmd_ps_filter_free(o.filter);
	ctr_listing_free(l, n);
	return rc;
}
