/* burrow stats: one sample of a container (container/stats.h). */
#include "container/stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "container/nsmode.h"
#include "container/procscan.h"
#include "container/rootfs.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/state.h"

int ctr_stats_parse_netdev(const char *text, long long *rx, long long *tx)
{
	long long in = 0, out = 0;
	bool any = false;
	for (const char *line = text; line && *line;) {
		const char *colon = strchr(line, ':');
		const char *end = strchr(line, '\n');
		if (colon && (!end || colon < end)) {
			const char *name = line + strspn(line, " ");
			long long v[9];
			if (sscanf(colon + 1, "%lld %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2],
			           &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) == 9) {
				any = true;
				if (!(colon - name == 2 && strncmp(name, "lo", 2) == 0)) {
					in += v[0];
					out += v[8];
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	if (!any)
		return -1;
	*rx = in;
	*tx = out;
	return 0;
}

/* The value of "key: N" in a /proc/PID/io text. */
static int io_field(const char *text, const char *key, long long *v)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p;) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			char *end = NULL;
			*v = strtoll(p + kl + 1, &end, 10);
			return end == p + kl + 1 ? -1 : 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

int ctr_stats_parse_io(const char *text, long long *rd, long long *wr)
{
	long long r, w;
	if (!text || io_field(text, "read_bytes", &r) < 0 || io_field(text, "write_bytes", &w) < 0)
		return -1;
	*rd = r;
	*wr = w;
	return 0;
}

static long long host_mem_total(void)
{
	cleanup_free char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file("/proc/meminfo", &text, NULL, &e) < 0) {
		burrow_err_free(e);
		return -1;
	}
	const char *p = strstr(text, "MemTotal:");
	return p ? strtoll(p + strlen("MemTotal:"), NULL, 10) * 1024 : -1;
}

static long long boottime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sums what the processes of a running container use into st. */
static void sample_procs(const struct ctr_run *r, bool host_net, struct ctr_stats *st, const pid_t *pids, size_t n)
{
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	long long ticks = 0, sys_ticks = 0, rss = 0, count = 0, rd = 0, wr = 0;
	bool io_known = true;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *stat = ctr_proc_read(pids[i], "stat", NULL);
		if (!stat)
			continue; /* gone meanwhile */
		count++;
		ticks += ctr_proc_stat_ll(stat, 14) + ctr_proc_stat_ll(stat, 15) + ctr_proc_stat_ll(stat, 16) +
		         ctr_proc_stat_ll(stat, 17);
		sys_ticks += ctr_proc_stat_ll(stat, 15) + ctr_proc_stat_ll(stat, 17);
		rss += ctr_proc_stat_ll(stat, 24) * page;
		if (pids[i] == r->pid)
			st->start_ns = ctr_proc_stat_ll(stat, 22) * (1000000000LL / tck);
		cleanup_free char *io = io_known ? ctr_proc_read(pids[i], "io", NULL) : NULL;
		long long pr, pw;
		if (io_known && ctr_stats_parse_io(io, &pr, &pw) == 0) {
			rd += pr;
			wr += pw;
		} else {
			io_known = false;
		}
	}
	st->cpu_ns = ticks * (1000000000LL / tck);
	st->cpu_sys_ns = sys_ticks * (1000000000LL / tck);
	st->mem_usage = rss;
	st->pids = count;
	if (io_known && count) {
		st->block_input = rd;
		st->block_output = wr;
	}
	cleanup_free char *netdev = host_net ? NULL : ctr_proc_read(r->pid, "net/dev", NULL);
	long long rx, tx;
	if (netdev && ctr_stats_parse_netdev(netdev, &rx, &tx) == 0) {
		st->net_input = rx;
		st->net_output = tx;
	}
}

int ctr_stats_sample(struct state_store *s, const char *ref, struct ctr_stats *out, struct burrow_err **err)
{
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	int lock = -1, rc = -1;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	memset(out, 0, sizeof(*out));
	out->net_input = out->net_output = out->block_input = out->block_output = -1;
	/* the lock only while the records are read: a sample never holds up
	 * a stop or a start */
	if (ctr_tool_lock(s, ref, &lock, &c, &r, err) < 0)
		goto out;
	state_unlock(lock);
	lock = -1;
	out->id = xstrdup(c.id);
	out->name = xstrdup(c.name);
	out->mem_limit = host_mem_total();
	out->sample_ns = boottime_ns();
	bool live = (r.state == CTR_RUNNING || r.state == CTR_PAUSED || r.state == CTR_STOPPING) && r.pid > 0 &&
	            proc_is(r.pid, r.pid_start);
	if (live && ctr_ns_pids(r.pid, r.pid_start, ctr_nsmode_host(&c, CTR_NS_PID), &pids, &n, err) < 0) {
		if (proc_is(r.pid, r.pid_start)) {
			burrow_error_wrap(err, "cannot read the processes of container '%s'", str_quote(c.name));
			goto out;
		}
		burrow_err_free(*err); /* it ended meanwhile */
		*err = NULL;
		live = false;
	}
	if (live) {
		out->running = true;
		sample_procs(&r, c.network && strncmp(c.network, "host", 4) == 0, out, pids, n);
	}
	rc = 0;
out:
	if (lock >= 0)
		state_unlock(lock);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	if (rc < 0)
		ctr_stats_clear(out);
	return rc;
}

void ctr_stats_clear(struct ctr_stats *st)
{
	free(st->id);
	free(st->name);
	st->id = st->name = NULL;
}
