/* burrow stats [-a] [--no-stream] [--no-reset] [-i SECONDS] [--format F] [CTR...]
 *
 * podman's table, JSON and template fields over container/stats.h's
 * samples. CPU % is the CPU time used between two samples over the time
 * between them (the first sample: since the container started, as
 * podman's first); AVG CPU % since the container started. Streaming redraws
 * the screen on a terminal (not with --no-reset) and appends otherwise;
 * it ends on SIGINT (or SIGTERM) with 0. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "cmd/format.h"
#include "cmd/report.h"
#include "container/container.h"
#include "container/stats.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static const char stats_default_format[] = "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}"
                                           "\t{{.BlockIO}}\t{{.PIDS}}\t{{.UpTime}}\t{{.AVGCPU}}\n";
static const struct fmt_header stats_headers[] = {
    {"ID", "ID"},
    {"UpTime", "CPU TIME"},
    {"CPUPerc", "CPU %"},
    {"AVGCPU", "AVG CPU %"},
    {"MemUsage", "MEM USAGE / LIMIT"},
    {"MemUsageBytes", "MEM USAGE / LIMIT"},
    {"MemPerc", "MEM %"},
    {"NetIO", "NET IO"},
    {"BlockIO", "BLOCK IO"},
    {"PIDS", "PIDS"},
    {NULL, NULL},
};

/* go-units' HumanSize: decimal units, four significant digits, no space */
static void human_size(char *buf, size_t len, double v, bool iec)
{
	static const char *const dec[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double base = iec ? 1024 : 1000;
	unsigned u = 0;
	while (v >= base && u < 5) {
		v /= base;
		u++;
	}
	snprintf(buf, len, "%.4g%s", v, iec ? bin[u] : dec[u]);
}

/* podman's combineHumanValues: "A / B", or "-- / --" when neither is known */
static char *pair(long long a, long long b, bool iec)
{
	if (a <= 0 && b <= 0)
		return xstrdup("-- / --");
	char x[32], y[32];
	human_size(x, sizeof(x), a > 0 ? (double)a : 0, iec);
	human_size(y, sizeof(y), b > 0 ? (double)b : 0, iec);
	return xasprintf("%s / %s", x, y);
}

/* "12.34%", or "--" for nothing (podman's floatToPercentString) */
static char *percent(double f)
{
	return f > 0 ? xasprintf("%.2f%%", f) : xstrdup("--");
}

/* Go's time.Duration.String() */
static char *go_duration(long long ns)
{
	if (ns <= 0)
		return xstrdup("0s");
	char num[48];
	const char *unit = "s";
	if (ns < 1000) {
		return xasprintf("%lldns", ns);
	} else if (ns < 1000000) {
		snprintf(num, sizeof(num), "%lld.%03lld", ns / 1000, ns % 1000);
		unit = "µs";
	} else if (ns < 1000000000LL) {
		snprintf(num, sizeof(num), "%lld.%06lld", ns / 1000000, ns % 1000000);
		unit = "ms";
	} else {
		long long s = ns / 1000000000LL, frac = ns % 1000000000LL;
		long long h = s / 3600, m = s / 60 % 60;
		char pre[32] = "";
		if (h)
			snprintf(pre, sizeof(pre), "%lldh%lldm", h, m);
		else if (m)
			snprintf(pre, sizeof(pre), "%lldm", m);
		snprintf(num, sizeof(num), "%s%lld.%09lld", pre, s % 60, frac);
	}
	char *e = num + strlen(num);
	while (e[-1] == '0')
		*--e = '\0';
	if (e[-1] == '.')
		*--e = '\0';
	return xasprintf("%s%s", num, unit);
}

static yajl_val json_float(double d)
{
	yajl_val v = json_new_int((long long)d);
	free(v->u.number.r);
	v->u.number.r = xasprintf("%.17g", d);
	v->u.number.d = d;
	v->u.number.flags = YAJL_NUMBER_DOUBLE_VALID;
	return v;
}

/* One row: podman's JSON (base) and its template fields (overlay); the
 * ID's 12 first digits in both, all of it with no_trunc (podman's ID()). */
static void stats_item(const struct ctr_stats *st, const struct ctr_stats *prev, bool no_trunc, struct fmt_item *out)
{
	double cpu = 0, avg = 0, mem = 0;
	long long up = st->sample_ns - st->start_ns;
	if (st->running) {
		bool same = prev && prev->running && prev->start_ns == st->start_ns;
		long long dcpu = st->cpu_ns - (same ? prev->cpu_ns : 0);
		long long dt = st->sample_ns - (same ? prev->sample_ns : st->start_ns);
		if (dt > 0 && dcpu > 0)
			cpu = 100.0 * (double)dcpu / (double)dt;
		if (up > 0)
			avg = 100.0 * (double)st->cpu_ns / (double)up;
		if (st->mem_limit > 0)
			mem = 100.0 * (double)st->mem_usage / (double)st->mem_limit;
	}
	long long limit = st->running ? st->mem_limit : 0;
	cleanup_free char *id = xstrndup(st->id, no_trunc ? strlen(st->id) : 12);
	cleanup_free char *cpu_s = percent(cpu);
	cleanup_free char *avg_s = percent(avg);
	cleanup_free char *mem_s = percent(mem);
	cleanup_free char *usage = pair(st->mem_usage, limit, false);
	cleanup_free char *usage_iec = pair(st->mem_usage, limit, true);
	cleanup_free char *net = pair(st->net_input, st->net_output, false);
	cleanup_free char *blk = pair(st->block_input, st->block_output, false);
	cleanup_free char *pids = st->pids > 0 ? xasprintf("%lld", st->pids) : xstrdup("--");
	cleanup_free char *time_s = go_duration(st->cpu_ns);

	yajl_val j = json_new_object();
	json_obj_add(j, "id", json_new_str(id));
	json_obj_add(j, "name", json_new_str(st->name));
	json_obj_add(j, "cpu_time", json_new_str(time_s));
	json_obj_add(j, "cpu_percent", json_new_str(cpu_s));
	json_obj_add(j, "avg_cpu", json_new_str(avg_s));
	json_obj_add(j, "mem_usage", json_new_str(usage));
	json_obj_add(j, "mem_percent", json_new_str(mem_s));
	json_obj_add(j, "net_io", json_new_str(net));
	json_obj_add(j, "block_io", json_new_str(blk));
	json_obj_add(j, "pids", json_new_str(pids));
	out->base = j;

	yajl_val o = json_new_object();
	json_obj_add(o, "ID", json_new_str(id));
	json_obj_add(o, "ContainerID", json_new_str(st->id));
	json_obj_add(o, "Name", json_new_str(st->name));
	json_obj_add(o, "CPUPerc", json_new_str(cpu_s));
	json_obj_add(o, "CPU", json_float(cpu));
	json_obj_add(o, "AVGCPU", json_new_str(avg_s));
	json_obj_add(o, "AvgCPU", json_float(avg));
	json_obj_add(o, "CPUNano", json_new_int(st->cpu_ns));
	json_obj_add(o, "CPUSystemNano", json_new_int(st->cpu_sys_ns));
	json_obj_add(o, "Duration", json_new_int(st->cpu_ns));
	json_obj_add(o, "SystemNano", json_new_int(st->sample_ns));
	json_obj_add(o, "UpTime", json_new_str(time_s));
	json_obj_add(o, "MemUsage", json_new_str(usage));
	json_obj_add(o, "MemUsageBytes", json_new_str(usage_iec));
	json_obj_add(o, "MemLimit", json_new_int(limit));
	json_obj_add(o, "MemPerc", json_new_str(mem_s));
	json_obj_add(o, "NetIO", json_new_str(net));
	json_obj_add(o, "NetInput", json_new_int(st->net_input > 0 ? st->net_input : 0));
	json_obj_add(o, "NetOutput", json_new_int(st->net_output > 0 ? st->net_output : 0));
	json_obj_add(o, "BlockIO", json_new_str(blk));
	json_obj_add(o, "BlockInput", json_new_int(st->block_input > 0 ? st->block_input : 0));
	json_obj_add(o, "BlockOutput", json_new_int(st->block_output > 0 ? st->block_output : 0));
	json_obj_add(o, "PIDS", json_new_str(pids));
	json_obj_add(o, "PIDs", json_new_int(st->pids));
	out->overlay = o;
}

static volatile sig_atomic_t stats_stop;

static void on_stop(int sig)
{
	(void)sig;
	stats_stop = 1;
}

/* Sleeps ms, or less when SIGINT or SIGTERM came. */
static void pause_ms(long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (!stats_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Without -a: the containers that run (or are paused). */
static bool pick_up(const struct ctr_listing *l)
{
	return l->run.state == CTR_RUNNING || l->run.state == CTR_PAUSED;
}

/* The containers of this round: the named ones, or the running ones (all
 * with -a). */
static int stats_targets(struct cmd_ctx *ctx, char *const *names, bool all, char ***out, struct burrow_err **err)
{
	if (names && names[0]) {
		*out = strv_dup(names);
		return 0;
	}
	size_t n = 0;
	return cmd_refs_all(ctx, all ? NULL : pick_up, out, &n, err);
}

const char cmd_stats_usage[] = "stats [OPTIONS] [CONTAINER...]\n\n"
                               "Shows what containers use: CPU, memory, network and block I/O, processes.\n"
                               "Without a container: every running one (all with -a). What cannot be read\n"
                               "without privileges shows as --.\n\n"
                               "  -a, --all                 all containers, not only running ones\n"
                               "  -l, --latest              the last created container\n"
                               "      --no-trunc            full container IDs\n"
                               "      --no-stream           one sample, then exit\n"
                               "      --no-reset            do not clear the screen between samples\n"
                               "  -i, --interval SECONDS    time between samples (default 5)\n"
                               "  -f, --format FORMAT       json, or a Go template ('table {{.Name}} {{.CPUPerc}}')\n";

int cmd_stats(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_NO_STREAM = 0x200, OPT_NO_RESET, OPT_NO_TRUNC };
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    CMD_REFS_LATEST_LONGOPT,
	    {"no-trunc", no_argument, NULL, OPT_NO_TRUNC},
	    {"no-stream", no_argument, NULL, OPT_NO_STREAM},
	    {"no-reset", no_argument, NULL, OPT_NO_RESET},
	    {"interval", required_argument, NULL, 'i'},
	    {"format", required_argument, NULL, 'f'},
	    {0, 0, 0, 0},
	};
	struct fmt_report rep = {
	    .verb = "stats", .default_format = stats_default_format, .headers = stats_headers, .json_indent = "  "};
	bool all = false, stream = true, reset = true, latest = false, no_trunc = false;
	long long interval = 5;
	cleanup_strv char **names = NULL;
	int c;
	while ((c = cmd_getopt_mixed(ctx, argc, argv, "alf:i:", longopts, &names)) != -1) {
		switch (c) {
		case 'a':
			all = ctx->flag_on;
			break;
		case 'l':
			latest = ctx->flag_on;
			break;
		case OPT_NO_TRUNC:
			no_trunc = ctx->flag_on;
			break;
		case OPT_NO_STREAM:
			stream = !ctx->flag_on;
			break;
		case OPT_NO_RESET:
			reset = !ctx->flag_on;
			break;
		case 'i': {
			char *end = NULL;
			errno = 0;
			interval = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || interval < 1 || interval > 86400)
				return cmd_usage_error(ctx,
				                       "--interval: '%s' is not a number of seconds from 1 to 86400",
				                       str_quote(optarg));
			break;
		}
		case 'f':
			rep.format = optarg;
			break;
		default:
			return c == CMD_OPT_HELP ? 0 : EXIT_BURROW;
		}
	}
	if (all && names && names[0])
		return cmd_usage_error(ctx, "--all and containers cannot be given together");
	if (latest && (all || (names && names[0])))
		return cmd_usage_error(ctx, "--latest and containers cannot be used together");
	struct burrow_err *err = NULL;
	if (fmt_report_parse(&rep, &err) < 0)
		return cmd_fail(err);
	int rc = 0;
	char *last = NULL;
	if (cmd_ready(ctx, &err) < 0 || (latest && cmd_latest(ctx, &last, &err) < 0)) {
		fmt_report_clear(&rep);
		return cmd_fail(err);
	}
	if (last)
		strv_append_take(&names, last);
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	bool redraw = stream && reset && isatty(STDOUT_FILENO);
	struct ctr_stats *prev = NULL;
	size_t nprev = 0;
	while (!stats_stop) {
		cleanup_strv char **targets = NULL;
		if (stats_targets(ctx, names, all, &targets, &err) < 0) {
			rc = cmd_fail(err);
			break;
		}
		size_t n = strv_len(targets);
		struct ctr_stats *cur = xcalloc(n ? n : 1, sizeof(*cur));
		struct fmt_item *items = xcalloc(n ? n : 1, sizeof(*items));
		size_t got = 0;
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (ctr_stats_sample(ctx->state, targets[i], &cur[got], &err) < 0) {
				/* a container listed, then removed meanwhile, just goes */
				if (!(names && names[0]) && err->status == ENOENT) {
					burrow_err_free(err);
					err = NULL;
					continue;
				}
				rc = cmd_fail(err);
				break;
			}
			const struct ctr_stats *p = NULL;
			for (size_t k = 0; k < nprev; k++)
				if (strcmp(prev[k].id, cur[got].id) == 0)
					p = &prev[k];
			stats_item(&cur[got], p, no_trunc, &items[got]);
			got++;
		}
		if (rc == 0) {
			if (redraw)
				fputs("\033[2J\033[H", stdout);
			if (fmt_report_print(&rep, items, got, &err) < 0)
				rc = cmd_fail(err);
			fflush(stdout);
		}
		for (size_t i = 0; i < got; i++) {
			yajl_tree_free(items[i].base);
			yajl_tree_free(items[i].overlay);
		}
		free(items);
		for (size_t k = 0; k < nprev; k++)
			ctr_stats_clear(&prev[k]);
		free(prev);
		prev = cur;
		nprev = got;
		if (rc != 0 || !stream)
			break;
		pause_ms(interval * 1000);
	}
	for (size_t k = 0; k < nprev; k++)
		ctr_stats_clear(&prev[k]);
	free(prev);
	fmt_report_clear(&rep);
	return rc;
}
