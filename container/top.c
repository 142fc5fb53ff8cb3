/* burrow top: the container's processes, read from /proc. They are the
 * processes in the pid namespace of the container's init (compared by
 * /proc/PID/ns/pid; with --pid host, in its mount namespace: procscan.h); pids are shown as the container sees them
 * (the last NSpid of /proc/PID/status), users and groups by the names of the container's own /etc/passwd and
 * /etc/group. Columns as podman's (psgo). */
#include <ctype.h>
#include <strings.h>
#include <sys/capability.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/members.h"
#include "container/nsmode.h"
#include "container/procscan.h"
#include "container/rootfs.h"
#include "container/tools.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"
#include "state/state.h"

enum desc {
	D_PID,
	D_PPID,
	D_USER,
	D_GROUP,
	D_ARGS,
	D_COMM,
	D_ETIME,
	D_TIME,
	D_PCPU,
	D_VSZ,
	D_RSS,
	D_NICE,
	D_TTY,
	D_STAT,
	D_RUSER,
	D_RGROUP,
	D_PGID,
	D_CAPAMB,
	D_CAPBND,
	D_CAPEFF,
	D_CAPINH,
	D_CAPPRM,
	D_HPID,
	D_HUSER,
	D_HGROUP,
	D_LABEL,
	D_SECCOMP,
	D_STATE,
	D_STIME
};

static const struct {
	const char *name, *aix, *header;
} descs[] = {
    [D_PID] = {"pid", "%p", "PID"},
    [D_PPID] = {"ppid", "%P", "PPID"},
    [D_USER] = {"user", "%U", "USER"},
    [D_GROUP] = {"group", "%G", "GROUP"},
    [D_ARGS] = {"args", "%a", "COMMAND"},
    [D_COMM] = {"comm", "%c", "COMMAND"},
    [D_ETIME] = {"etime", "%t", "ELAPSED"},
    [D_TIME] = {"time", "%x", "TIME"},
    [D_PCPU] = {"pcpu", "%C", "%CPU"},
    [D_VSZ] = {"vsz", "%z", "VSZ"},
    [D_RSS] = {"rss", NULL, "RSS"},
    [D_NICE] = {"nice", "%n", "NI"},
    [D_TTY] = {"tty", "%y", "TTY"},
    [D_STAT] = {"stat", NULL, "STAT"},
    [D_RUSER] = {"ruser", "%u", "RUSER"},
    [D_RGROUP] = {"rgroup", "%g", "RGROUP"},
    [D_PGID] = {"pgid", "%r", "PGID"},
    [D_CAPAMB] = {"capamb", NULL, "AMBIENT CAPS"},
    [D_CAPBND] = {"capbnd", NULL, "BOUNDING CAPS"},
    [D_CAPEFF] = {"capeff", NULL, "EFFECTIVE CAPS"},
    [D_CAPINH] = {"capinh", NULL, "INHERITED CAPS"},
    [D_CAPPRM] = {"capprm", NULL, "PERMITTED CAPS"},
    [D_HPID] = {"hpid", NULL, "HPID"},
    [D_HUSER] = {"huser", NULL, "HUSER"},
    [D_HGROUP] = {"hgroup", NULL, "HGROUP"},
    [D_LABEL] = {"label", NULL, "LABEL"},
    [D_SECCOMP] = {"seccomp", NULL, "SECCOMP"},
    [D_STATE] = {"state", NULL, "STATE"},
    [D_STIME] = {"stime", NULL, "STIME"},
};
#define NDESCS (sizeof(descs) / sizeof(descs[0]))

int ctr_top_descriptors(char *const *in, int **out, size_t *n, struct burrow_err **err)
{
	static const char *const defaults[] = {"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args", NULL};
	char *const *list = in && in[0] ? in : (char *const *)defaults;
	/* podman takes "pid,user" as one argument too */
	cleanup_strv char **words = NULL;
	for (size_t i = 0; list[i]; i++) {
		cleanup_free char *copy = xstrdup(list[i]);
		for (char *save = NULL, *w = strtok_r(copy, ", ", &save); w; w = strtok_r(NULL, ", ", &save))
			strv_append(&words, w);
	}
	size_t count = strv_len(words);
	int *d = xcalloc(count ? count : 1, sizeof(*d));
	for (size_t i = 0; i < count; i++) {
		size_t k = 0;
		while (k < NDESCS && strcmp(words[i], descs[k].name) != 0 &&
		       !(descs[k].aix && strcmp(words[i], descs[k].aix) == 0))
			k++;
		if (k == NDESCS) {
			free(d);
			return burrow_error_status(err, EINVAL, "unknown descriptor: %s", words[i]);
		}
		d[i] = (int)k;
	}
	*out = d;
	*n = count;
	return 0;
}

struct procinfo {
	pid_t pid;
	char *stat;    /* /proc/PID/stat */
	char *status;  /* /proc/PID/status */
	char *cmdline; /* NUL-separated, as read */
	size_t cmdlen;
};

char *ctr_proc_read(pid_t pid, const char *file, size_t *len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &text, len, &e) < 0) {
		errno = e->status;
		burrow_err_free(e);
		return NULL;
	}
	return text;
}

/* Field n (1-based, after the command's ")") of a stat line. */
static const char *stat_field(const char *stat, int n)
{
	const char *p = strrchr(stat, ')');
	if (!p)
		return "0";
	p++;
	for (int i = 3; i <= n; i++) {
		while (*p == ' ')
			p++;
		if (i == n)
			return p;
		while (*p && *p != ' ')
			p++;
	}
	return "0";
}

long long ctr_proc_stat_ll(const char *stat, int n)
{
	return strtoll(stat_field(stat, n), NULL, 10);
}

/* The last value of a "Key:\tv1\tv2" line of status. */
static long long status_last(const char *status, const char *key)
{
	const char *p = status;
	size_t kl = strlen(key);
	while (p && *p) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			const char *end = strchr(p, '\n');
			if (!end)
				end = p + strlen(p);
			const char *q = end;
			while (q > p && isspace((unsigned char)q[-1]))
				q--;
			while (q > p && !isspace((unsigned char)q[-1]))
				q--;
			return strtoll(q, NULL, 10);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* The text after "Key:" of a line of status (NULL: none). */
static const char *status_value(const char *status, const char *key)
{
	cleanup_free char *k = xasprintf("\n%s:", key);
	const char *p = strstr(status, k);
	if (!p)
		return NULL;
	p += strlen(k);
	while (*p == '\t' || *p == ' ')
		p++;
	return p;
}

/* The nth value (from 0) of a "Key:\tv1\tv2..." line: Uid and Gid have the
 * real one first, then the effective one. */
static long long status_nth(const char *status, const char *key, int nth)
{
	const char *p = status_value(status, key);
	if (!p)
		return -1;
	char *end = NULL;
	long long v = strtoll(p, &end, 10);
	for (int i = 0; i < nth && end && end != p; i++) {
		p = end;
		v = strtoll(p, &end, 10);
	}
	return end && end != p ? v : -1;
}

static long long status_first(const char *status, const char *key)
{
	return status_nth(status, key, 0);
}

/* podman's (psgo's) capability sets: the names without CAP_, sorted,
 * joined by commas; "none" for an empty set (psgo says "unknown" for the
 * ones it does not know, libcap names them) */
static char *cap_names(const char *hex)
{
	unsigned long long mask = hex ? strtoull(hex, NULL, 16) : 0;
	int last = rt_last_cap();
	cleanup_strv char **names = NULL;
	for (int i = 0; i <= last && i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		char *n = cap_to_name((cap_value_t)i);
		if (n && strncasecmp(n, "cap_", 4) == 0) {
			char *up = xstrdup(n + 4);
			for (char *c = up; *c; c++)
				*c = (char)toupper((unsigned char)*c);
			strv_append_take(&names, up);
		}
		cap_free(n);
	}
	if (!names)
		return xstrdup("none");
	qsort(names, strv_len(names), sizeof(*names), strv_cmp);
	char *out = xstrdup(names[0]);
	for (size_t i = 1; names[i]; i++) {
		char *n = xasprintf("%s,%s", out, names[i]);
		free(out);
		out = n;
	}
	return out;
}

/* an ID of burrow's user namespace as the host sees it (/proc/self/uid_map
 * or gid_map: inside, outside, count); itself outside any */
static long long host_id(const char *map_file, long long id)
{
	cleanup_free char *map = NULL;
	struct burrow_err *e = NULL;
	if (id < 0 || read_file(map_file, &map, NULL, &e) < 0) {
		burrow_err_free(e);
		return id;
	}
	for (const char *line = map; line && *line;) {
		long long in, out, count;
		if (sscanf(line, "%lld %lld %lld", &in, &out, &count) == 3 && id >= in && id - in < count)
			return out + (id - in);
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return id;
}

/* psgo's stime: when the process started, as Go prints a local time */
static char *start_time(const struct procinfo *p, long tck)
{
	cleanup_free char *stat = NULL;
	struct burrow_err *e = NULL;
	long long btime = 0;
	if (read_file("/proc/stat", &stat, NULL, &e) == 0) {
		const char *b = strstr(stat, "\nbtime ");
		btime = b ? strtoll(b + 7, NULL, 10) : 0;
	}
	burrow_err_free(e);
	time_t t = (time_t)(btime + ctr_proc_stat_ll(p->stat, 22) / tck);
	struct tm tm;
	char buf[64];
	if (!localtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z %Z", &tm))
		return xstrdup("?");
	return xstrdup(buf);
}

/* the process's security label (/proc/PID/attr/current), "?" without one */
static char *label_of(pid_t pid)
{
	size_t len = 0;
	cleanup_free char *l = ctr_proc_read(pid, "attr/current", &len);
	while (l && len && (l[len - 1] == '\n' || l[len - 1] == '\0'))
		l[--len] = '\0';
	return xstrdup(l && *l ? l : "?");
}

/* Go's time.Duration string, as psgo prints ELAPSED and TIME. */
static char *go_duration(double secs)
{
	if (secs < 0)
		secs = 0;
	long long h = (long long)(secs / 3600);
	secs -= (double)h * 3600;
	long long m = (long long)(secs / 60);
	secs -= (double)m * 60;
	char s[32];
	snprintf(s, sizeof(s), "%.9f", secs);
	/* trailing zeros (and a bare '.') go, as Go's */
	char *e = s + strlen(s);
	while (e > s && e[-1] == '0')
		*--e = '\0';
	if (e > s && e[-1] == '.')
		*--e = '\0';
	if (h)
		return xasprintf("%lldh%lldm%ss", h, m, s);
	if (m)
		return xasprintf("%lldm%ss", m, s);
	return xasprintf("%ss", s);
}

/* The name of id in an /etc/passwd or /etc/group text, else the number. */
static char *id_name(const char *text, long long id)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		cleanup_free char *l = xstrndup(line, len);
		char *f1 = strchr(l, ':');
		char *f2 = f1 ? strchr(f1 + 1, ':') : NULL;
		if (f2 && strtoll(f2 + 1, NULL, 10) == id && isdigit((unsigned char)f2[1])) {
			*f1 = '\0';
			return xstrdup(l);
		}
		line = end ? end + 1 : NULL;
	}
	return xasprintf("%lld", id);
}

static char *tty_name(long long nr)
{
	if (nr == 0)
		return xstrdup("?");
	unsigned maj = (unsigned)((nr >> 8) & 0xfff), min = (unsigned)((nr & 0xff) | ((nr >> 12) & 0xfff00));
	if (maj >= 136 && maj <= 143)
		return xasprintf("pts/%u", min + (maj - 136) * 256);
	if (maj == 4)
		return xasprintf("tty%u", min);
	return xasprintf("%u:%u", maj, min);
}

static char *cell(int d, const struct procinfo *p, const char *passwd, const char *group, long long ppid_ns)
{
	long tck = sysconf(_SC_CLK_TCK);
	long page = sysconf(_SC_PAGESIZE);
	switch (d) {
	case D_PID:
		return xasprintf("%lld", status_last(p->status, "NSpid"));
	case D_PPID:
		return xasprintf("%lld", ppid_ns);
	case D_USER: /* effective, as ps(1)'s user; ruser the real one */
		return id_name(passwd, status_nth(p->status, "Uid", 1));
	case D_GROUP:
		return id_name(group, status_nth(p->status, "Gid", 1));
	case D_RUSER:
		return id_name(passwd, status_first(p->status, "Uid"));
	case D_RGROUP:
		return id_name(group, status_first(p->status, "Gid"));
	case D_HUSER:
		return xasprintf("%lld", host_id("/proc/self/uid_map", status_nth(p->status, "Uid", 1)));
	case D_HGROUP:
		return xasprintf("%lld", host_id("/proc/self/gid_map", status_nth(p->status, "Gid", 1)));
	case D_HPID: /* burrow never enters a container's pid namespace */
		return xasprintf("%d", (int)p->pid);
	case D_PGID: /* as the container sees it: its init's group is 1 */
		return xasprintf("%lld", status_last(p->status, "NSpgid"));
	case D_CAPAMB:
		return cap_names(status_value(p->status, "CapAmb"));
	case D_CAPBND:
		return cap_names(status_value(p->status, "CapBnd"));
	case D_CAPEFF:
		return cap_names(status_value(p->status, "CapEff"));
	case D_CAPINH:
		return cap_names(status_value(p->status, "CapInh"));
	case D_CAPPRM:
		return cap_names(status_value(p->status, "CapPrm"));
	case D_SECCOMP: {
		static const char *const modes[] = {"disabled", "strict", "filter"};
		long long m = status_first(p->status, "Seccomp");
		return xstrdup(m >= 0 && m <= 2 ? modes[m] : "?");
	}
	case D_LABEL:
		return label_of(p->pid);
	case D_STIME:
		return start_time(p, tck);
	case D_ARGS:
		if (p->cmdlen) {
			char *a = xmalloc(p->cmdlen + 1);
			memcpy(a, p->cmdline, p->cmdlen);
			a[p->cmdlen] = '\0';
			for (size_t i = 0; i + 1 < p->cmdlen; i++)
				if (a[i] == '\0')
					a[i] = ' ';
			return a;
		}
		__attribute__((fallthrough)); /* a zombie has no arguments: its name */
	case D_COMM: {
		const char *open = strchr(p->stat, '('), *close = strrchr(p->stat, ')');
		if (!open || !close || close < open)
			return xstrdup("?");
		return xstrndup(open + 1, (size_t)(close - open - 1));
	}
	case D_ETIME:
	case D_PCPU: {
		double up = 0;
		cleanup_free char *uptime = NULL;
		struct burrow_err *e = NULL;
		if (read_file("/proc/uptime", &uptime, NULL, &e) == 0)
			up = strtod(uptime, NULL);
		burrow_err_free(e);
		double elapsed = up - (double)ctr_proc_stat_ll(p->stat, 22) / (double)tck;
		if (d == D_ETIME)
			return go_duration(elapsed);
		double cpu = (double)(ctr_proc_stat_ll(p->stat, 14) + ctr_proc_stat_ll(p->stat, 15)) / (double)tck;
		return xasprintf("%.3f", elapsed > 0 ? 100.0 * cpu / elapsed : 0.0);
	}
	case D_TIME:
		return go_duration((double)(ctr_proc_stat_ll(p->stat, 14) + ctr_proc_stat_ll(p->stat, 15)) /
		                   (double)tck);
	case D_VSZ:
		return xasprintf("%lld", ctr_proc_stat_ll(p->stat, 23) / 1024);
	case D_RSS:
		return xasprintf("%lld", ctr_proc_stat_ll(p->stat, 24) * page / 1024);
	case D_NICE:
		return xasprintf("%lld", ctr_proc_stat_ll(p->stat, 19));
	case D_TTY:
		return tty_name(ctr_proc_stat_ll(p->stat, 7));
	case D_STAT:
	case D_STATE:
		return xstrndup(stat_field(p->stat, 3), 1);
	}
	return xstrdup("?");
}

static int procinfo_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct procinfo *)a)->pid, y = ((const struct procinfo *)b)->pid;
	return (x > y) - (x < y);
}

static void procinfo_clear(struct procinfo *p)
{
	free(p->stat);
	free(p->status);
	free(p->cmdline);
}

int ctr_ns_pids(pid_t init, unsigned long long start, bool by_mount, pid_t **pids, size_t *n, struct burrow_err **err)
{
	struct ctr_members m;
	int r = ctr_members_open(&m, by_mount ? CTR_MEMBERS_MNT : CTR_MEMBERS_PID, init, start, err);
	if (r == 0)
		return burrow_error(err, ESRCH, "process %d is gone", (int)init);
	if (r < 0)
		return -1;
	int ret = ctr_members_list(&m, pids, n) < 0 ? burrow_error(err, errno, "cannot read /proc") : 0;
	ctr_members_close(&m);
	return ret;
}

int ctr_top(struct state_store *s, const char *ref, char *const *descriptors, char ***lines, struct burrow_err **err)
{
	cleanup_free int *d = NULL;
	size_t nd = 0;
	if (ctr_top_descriptors(descriptors, &d, &nd, err) < 0)
		return -1;
	struct ctr_config c = {0};
	struct ctr_run r = {0};
	int lock = -1, rc = -1;
	cleanup_free char *passwd = NULL;
	cleanup_free char *group = NULL;
	char **out = NULL;
	cleanup_free pid_t *pids = NULL;
	size_t npids = 0;
	if (ctr_tool_lock(s, ref, &lock, &c, &r, err) < 0)
		goto out;
	if (r.state != CTR_RUNNING && r.state != CTR_PAUSED) {
		burrow_error_status(err, EINVAL, "top can only be used on running containers: '%s' is %s",
		                    str_quote(c.name), ctr_state_word(r.state));
		goto out;
	}
	if (!proc_is(r.pid, r.pid_start)) {
		burrow_error(err, ESRCH, "cannot read the processes of container '%s'", str_quote(c.name));
		goto out;
	}
	if (ctr_ns_pids(r.pid, r.pid_start, ctr_nsmode_host(&c, CTR_NS_PID), &pids, &npids, err) < 0) {
		burrow_error_wrap(err, "cannot read the processes of container '%s'", str_quote(c.name));
		goto out;
	}
	{
		char *roots[] = {r.mountpoint ? r.mountpoint : c.rootfs, NULL};
		struct burrow_err *e = NULL;
		if (roots[0] && (ctr_read_in_roots(roots, "/etc/passwd", &passwd, &e) < 0 ||
		                 ctr_read_in_roots(roots, "/etc/group", &group, &e) < 0))
			burrow_err_free(e);
	}
	/* header */
	{
		cleanup_free char *h = NULL;
		for (size_t i = 0; i < nd; i++) {
			char *n = xasprintf("%s%s%s", h ? h : "", i ? "\t" : "", descs[d[i]].header);
			free(h);
			h = n;
		}
		strv_append(&out, h ? h : "");
	}
	struct procinfo *ps = NULL;
	size_t np = 0;
	for (size_t i = 0; i < npids; i++) {
		pid_t pid = pids[i];
		struct procinfo p = {.pid = pid};
		p.stat = ctr_proc_read(pid, "stat", NULL);
		p.status = ctr_proc_read(pid, "status", NULL);
		p.cmdline = ctr_proc_read(pid, "cmdline", &p.cmdlen);
		if (!p.stat || !p.status) {
			procinfo_clear(&p);
			continue; /* gone meanwhile */
		}
		ps = xrealloc(ps, (np + 1) * sizeof(*ps));
		ps[np++] = p;
	}
	/* sorted by host pid, each parent found by a binary search */
	qsort(ps, np, sizeof(*ps), procinfo_cmp);
	for (size_t i = 0; i < np; i++) {
		/* the parent as the container sees it: 0 for its init */
		struct procinfo key = {.pid = (pid_t)ctr_proc_stat_ll(ps[i].stat, 4)};
		const struct procinfo *parent = bsearch(&key, ps, np, sizeof(*ps), procinfo_cmp);
		long long ppid = parent ? status_last(parent->status, "NSpid") : 0;
		cleanup_free char *line = NULL;
		for (size_t k = 0; k < nd; k++) {
			/* the container names its processes and users: no
			 * control character of theirs reaches the terminal */
			cleanup_free char *raw = cell(d[k], &ps[i], passwd, group, ppid);
			cleanup_free char *v = str_escape_controls(raw);
			char *n = xasprintf("%s%s%s", line ? line : "", k ? "\t" : "", v);
			free(line);
			line = n;
		}
		strv_append(&out, line ? line : "");
	}
	for (size_t i = 0; i < np; i++)
		procinfo_clear(&ps[i]);
	free(ps);
	*lines = steal_ptr(out);
	rc = 0;
out:
	strv_free(out);
	if (lock >= 0)
		state_unlock(lock);
	ctr_config_clear(&c);
	ctr_run_clear(&r);
	return rc;
}
