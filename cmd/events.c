/* burrow events [--since T] [--until T] [--filter K=V]... [--format F]
 * [--stream=BOOL] [--no-trunc=BOOL]: the event log (state/events.h) as
 * podman's events shows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/template.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"
#include "state/events.h"

const char cmd_events_usage[] =
    "events [OPTIONS]\n\n"
    "  -f, --filter K=V       only events that match: type=, event=, container=, image=, label=K[=V], "
    "volume=\n"
    "                         (the same key given again: either; different keys: all)\n"
    "      --format FORMAT    json (JSON Lines) or a Go template ('{{.Status}} {{.Name}}')\n"
    "      --no-trunc         full IDs (default true)\n"
    "      --since TIME       events from TIME on (10m, 2024-05-01T12:00:00Z, Unix seconds)\n"
    "      --stream           wait for new events (default true); false: print what is there and exit\n"
    "      --until TIME       events up to TIME (and stop waiting then)\n";

/* The filter keys, in the order --filter's values are grouped by. */
static const char *const filter_keys[] = {"type", "event", "container", "image", "label", "volume", NULL};
#define NKEYS 6

struct events_run {
	char **filters[NKEYS]; /* the values given for each key (NULL: none) */
	long long since_ns, until_ns;
	bool json, trunc;
	struct fmt_template *tmpl;
	struct fmt_buf out;
};

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* An image as the user named it against one as an event names it:
 * "busybox" is docker.io/library/busybox:latest and localhost/busybox. */
static bool image_matches(const char *want, const char *have)
{
	if (!have || !*have)
		return false;
	if (strcmp(want, have) == 0)
		return true;
	bool tagged = strchr(want + (strrchr(want, '/') ? strrchr(want, '/') - want : 0), ':') != NULL;
	cleanup_free char *full = tagged ? xstrdup(want) : xasprintf("%s:latest", want);
	cleanup_free char *tail = xasprintf("/%s", full);
	return strcmp(full, have) == 0 || ends_with(have, tail);
}

static bool one_matches(int key, const char *v, yajl_val ev)
{
	const char *type = json_get_str(ev, "Type");
	const char *id = json_get_str(ev, "ID");
	const char *name = json_get_str(ev, "Name");
	type = type ? type : "";
	switch (key) {
	case 0:
		return strcmp(type, v) == 0;
	case 1: {
		const char *st = json_get_str(ev, "Status");
		return st && strcasecmp(st, v) == 0;
	}
	case 2:
		return strcmp(type, "container") == 0 &&
		       ((id && *v && has_prefix(id, v)) || (name && strcmp(name, v) == 0));
	case 3:
		if (strcmp(type, "container") == 0)
			return image_matches(v, json_get_str(ev, "Image"));
		if (strcmp(type, "image") == 0)
			return (id && *v && has_prefix(id, v)) ||
			       (id && has_prefix(v, "sha256:") && has_prefix(id, v + 7)) || image_matches(v, name);
		return false;
	case 4: {
		const char *eq = strchr(v, '=');
		cleanup_free char *k = eq ? xstrndup(v, (size_t)(eq - v)) : xstrdup(v);
		yajl_val attrs = json_get(ev, "Attributes");
		const char *have = attrs ? json_get_str(attrs, k) : NULL;
		return have && (!eq || strcmp(have, eq + 1) == 0);
	}
	case 5:
		return strcmp(type, "volume") == 0 && name && strcmp(name, v) == 0;
	}
	return false;
}

static bool matches(const struct events_run *r, yajl_val ev)
{
	for (int k = 0; k < NKEYS; k++) {
		if (!r->filters[k])
			continue;
		bool any = false;
		for (size_t i = 0; r->filters[k][i] && !any; i++)
			any = one_matches(k, r->filters[k][i], ev);
		if (!any)
			return false;
	}
	return true;
}

/* Go's time.Time.String(): "2024-05-01 12:03:09.123456789 +0000 UTC",
 * the fraction without its trailing zeros. */
static void go_time(struct fmt_buf *b, long long ns)
{
	time_t s = (time_t)(ns / 1000000000LL);
	long long frac = ns % 1000000000LL;
	struct tm tm;
	localtime_r(&s, &tm);
	char date[32], zone[64];
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z %Z", &tm);
	fmt_buf_puts(b, date);
	if (frac) {
		char f[16];
		snprintf(f, sizeof(f), ".%09lld", frac);
		size_t n = strlen(f);
		while (f[n - 1] == '0')
			f[--n] = '\0';
		fmt_buf_puts(b, f);
	}
	fmt_buf_printf(b, " %s", zone);
}

static void human(struct events_run *r, yajl_val ev)
{
	const char *type = json_get_str(ev, "Type");
	const char *status = json_get_str(ev, "Status");
	const char *id = json_get_str(ev, "ID");
	const char *name = json_get_str(ev, "Name");
	const char *image = json_get_str(ev, "Image");
	type = type ? type : "";
	char sid[13];
	if (id && r->trunc) {
		snprintf(sid, sizeof(sid), "%s", id);
		id = sid;
	}
	go_time(&r->out, json_get_int(ev, "timeNano", 0));
	fmt_buf_printf(&r->out, " %s %s", type, status ? status : "");
	if (strcmp(type, "container") == 0) {
		fmt_buf_printf(&r->out, " %s (image=%s, name=%s", id ? id : "", image ? image : "", name ? name : "");
		const char *health = json_get_str(ev, "health_status");
		if (health)
			fmt_buf_printf(&r->out, ", health_status=%s", health);
		yajl_val attrs = json_get(ev, "Attributes");
		if (attrs && YAJL_IS_OBJECT(attrs))
			for (size_t i = 0; i < attrs->u.object.len; i++)
				if (YAJL_IS_STRING(attrs->u.object.values[i]))
					fmt_buf_printf(&r->out, ", %s=%s", attrs->u.object.keys[i],
					               YAJL_GET_STRING(attrs->u.object.values[i]));
		fmt_buf_puts(&r->out, ")");
	} else if (strcmp(type, "image") == 0) {
		fmt_buf_printf(&r->out, " %s %s", id ? id : "", name ? name : "");
		const char *error = json_get_str(ev, "Error");
		if (error)
			fmt_buf_printf(&r->out, " %s", error);
	} else {
		fmt_buf_printf(&r->out, " %s", name ? name : "");
	}
	fmt_buf_puts(&r->out, "\n");
}

static int on_line(const char *line, size_t len, void *data, struct burrow_err **err)
{
	struct events_run *r = data;
	cleanup_free char *text = xstrndup(line, len);
	struct burrow_err *e = NULL;
	cleanup_yajl yajl_val ev = json_parse(text, &e);
	if (!ev || !YAJL_IS_OBJECT(ev)) {
		/* a line cut short (a full disk): not an event */
		burrow_debug("event log: skipping a line that is not an event: %s", e ? e->msg : "not an object");
		burrow_err_free(e);
		return 0;
	}
	long long t = json_get_int(ev, "timeNano", 0);
	if (r->until_ns && t > r->until_ns)
		return 0;
	if (t < r->since_ns || !matches(r, ev))
		return 0;
	r->out.len = 0;
	if (r->json) {
		/* as podman's json.Marshal: <, > and & as \u003c, \u003e,
		 * \u0026 (in a JSON text they can only be inside strings) */
		for (const char *p = text; *p;) {
			size_t run = strcspn(p, "<>&");
			fmt_buf_add(&r->out, p, run);
			p += run;
			if (*p)
				fmt_buf_printf(&r->out, "\\u00%x", (unsigned char)*p++);
		}
		fmt_buf_puts(&r->out, "\n");
	} else if (r->tmpl) {
		/* the fields an event may lack, for templates: as podman's
		 * struct has them all */
		cleanup_yajl yajl_val extra = json_new_object();
		static const char *const strs[] = {"ID", "Image", "Name", "health_status", "Error", NULL};
		for (size_t i = 0; strs[i]; i++)
			if (!json_get(ev, strs[i]))
				json_obj_add(extra, strs[i], json_new_str(""));
		/* podman's template name of health_status */
		const char *hs = json_get_str(ev, "health_status");
		json_obj_add(extra, "HealthStatus", json_new_str(hs ? hs : ""));
		if (!json_get(ev, "ContainerExitCode"))
			json_obj_add(extra, "ContainerExitCode", json_new_int(0));
		if (!json_get(ev, "Attributes"))
			json_obj_add(extra, "Attributes", json_new_map());
		json_mark_map(json_get(ev, "Attributes"));
		struct fmt_item it = {.base = ev, .overlay = extra};
		static const struct fmt_header types[] = {{"Time", "time.Time"}, {NULL, NULL}};
		struct fmt_data d = {.kind = FMT_DATA_ITEM,
		                     .items = &it,
		                     .n = 1,
		                     .fold_case = true,
		                     .name = "events",
		                     .type = "*events.Event",
		                     .types = types};
		if (fmt_template_exec(r->tmpl, &d, &r->out, err) < 0)
			return -1;
	} else {
		human(r, ev);
	}
	if (r->out.len && (fwrite(r->out.s, 1, r->out.len, stdout) != r->out.len || fflush(stdout) != 0))
		return 1; /* the reader went away */
	return 0;
}

static int add_filter(struct cmd_ctx *ctx, struct events_run *r, const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (eq)
		for (int k = 0; filter_keys[k]; k++)
			if (strlen(filter_keys[k]) == (size_t)(eq - spec) &&
			    strncmp(spec, filter_keys[k], (size_t)(eq - spec)) == 0) {
				if (!eq[1])
					break;
				strv_append(&r->filters[k], eq + 1);
				return 0;
			}
	return cmd_usage_error(ctx,
	                       "invalid --filter '%s' (type=, event=, container=, image=, label=KEY[=VALUE] or "
	                       "volume=, each with a value)",
	                       str_quote(spec));
}

static void run_clear(struct events_run *r)
{
	for (int k = 0; k < NKEYS; k++)
		strv_free(r->filters[k]);
	fmt_template_free(r->tmpl);
	fmt_buf_free(&r->out);
}

int cmd_events(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_FORMAT = 0x200, OPT_NO_TRUNC, OPT_SINCE, OPT_STREAM, OPT_UNTIL };
	static const struct option longopts[] = {
	    {"filter", required_argument, NULL, 'f'},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"no-trunc", no_argument, NULL, OPT_NO_TRUNC},
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"stream", no_argument, NULL, OPT_STREAM},
	    {"until", required_argument, NULL, OPT_UNTIL},
	    {0, 0, 0, 0},
	};
	__attribute__((cleanup(run_clear))) struct events_run r = {0};
	bool stream = true, no_trunc = true, since_set = false;
	const char *format = NULL;
	long long now = time_wall_ns();
	struct burrow_err *err = NULL;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "f:", longopts)) != -1) {
		switch (c) {
		case 'f':
			if (add_filter(ctx, &r, optarg))
				return EXIT_BURROW;
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_NO_TRUNC:
			no_trunc = ctx->flag_on;
			break;
		case OPT_STREAM:
			stream = ctx->flag_on;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (time_parse_point(optarg, now, c == OPT_SINCE ? &r.since_ns : &r.until_ns, &err) < 0) {
				burrow_error_wrap(&err, c == OPT_SINCE ? "--since" : "--until");
				return cmd_fail(err);
			}
			since_set |= c == OPT_SINCE;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'", str_quote(argv[optind]));
	r.trunc = !no_trunc;
	if (format && fmt_report_is_json(format)) {
		r.json = true;
	} else if (format && *format) {
		if (!(r.tmpl = fmt_template_parse(format, FMT_TMPL_NEWLINE, &err))) {
			burrow_error_wrap(&err, "events: --format");
			return cmd_fail(err);
		}
	}
	/* streaming without --since or --until: only what comes from now on */
	if (stream && !since_set && !r.until_ns)
		r.since_ns = now;
	struct state_events_read_opts o = {.follow = stream, .stop_ns = stream ? r.until_ns : 0};
	if (cmd_ready(ctx, &err) < 0 || state_events_read(ctx->runroot, &o, on_line, &r, &err) < 0)
		return cmd_fail(err);
	return 0;
}
