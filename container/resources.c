/* --device and the resource limits (see resources.h): parsing as podman,
 * the devices' bind mounts, and the cgroup v2 writer. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/freezer.h"
#include "container/resources.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#define CPU_PERIOD_DEFAULT 100000LL /* microseconds, as the kernel's and podman's */
#define MEMORY_MIN (6LL << 20)      /* podman's minimum --memory */
#define DEVICE_DEPTH 8              /* how deep a --device directory is walked */

void ctr_res_opts_clear(struct ctr_res_opts *r)
{
	strv_free(r->devices);
	strv_free(r->device_rules);
	free(r->cpuset_cpus);
	memset(r, 0, sizeof(*r));
}

int ctr_parse_ram(const char *s, long long *out)
{
	static const char units[] = "bkmgtp";
	char *end;
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	if (*end == ' ')
		end++;
	double mult = 1;
	if (*end) {
		const char *u = strchr(units, tolower((unsigned char)*end));
		if (!u)
			return -1;
		for (const char *k = units; k < u; k++)
			mult *= 1024;
		end++;
		/* 1k, 1kb, 1kib, 1KiB (and 1b) */
		if (*end == 'i' || *end == 'I') {
			if (u == units)
				return -1;
			end++;
		}
		if ((*end == 'b' || *end == 'B') && u != units)
			end++;
	}
	if (*end || v * mult >= 9.2e18)
		return -1;
	*out = (long long)(v * mult);
	return 0;
}

static bool valid_perms(const char *p)
{
	if (!*p || strlen(p) > 3)
		return false;
	for (const char *c = p; *c; c++)
		if (!strchr("rwm", *c) || strchr(c + 1, *c))
			return false;
	return true;
}

bool ctr_device_usable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
		return false;
	return access(path, R_OK) == 0 || access(path, W_OK) == 0;
}

/* Each usable device under dir (depth levels at most), bound at the same
 * place under ctr. */
static void devices_under(char ***list, const char *dir, const char *ctr, const char *perms, int depth)
{
	cleanup_dir DIR *d = opendir(dir);
	if (!d || depth <= 0)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		cleanup_free char *p = path_join(dir, e->d_name);
		cleanup_free char *q = path_join(ctr, e->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			devices_under(list, p, q, perms, depth - 1);
		else if (ctr_device_usable(p) && !S_ISLNK(st.st_mode))
			strv_append_take(list, xasprintf("%s:%s:%s", p, q, perms));
	}
}

int ctr_device_add(char ***list, const char *spec, struct burrow_err **err)
{
	cleanup_strv char **parts = strv_split(spec, ':');
	size_t n = strv_len(parts);
	const char *src = parts[0], *dst = NULL, *perms = "rwm";
	if (n > 3 || !*src)
		return burrow_error(err, 0, "invalid device specification '%s' (HOST[:CTR][:PERMS])", str_quote(spec));
	if (n == 3) {
		if (!valid_perms(parts[2]))
			return burrow_error(err, 0, "invalid device mode '%s' in '%s' (r, w, m)", str_quote(parts[2]),
			                    str_quote(spec));
		perms = parts[2];
	}
	if (n >= 2) {
		if (n == 2 && valid_perms(parts[1]))
			perms = parts[1];
		else if (parts[1][0] != '/')
			return burrow_error(err, 0, "invalid device mode '%s' in '%s' (r, w, m)", str_quote(parts[1]),
			                    str_quote(spec));
		else
			dst = parts[1];
	}
	if (!dst)
		dst = src;
	if (src[0] != '/' || strstr(dst, "/../") || str_has_suffix(dst, "/.."))
		return burrow_error(err, 0, "invalid device specification '%s': paths must be absolute",
		                    str_quote(spec));
	struct stat st;
	if (stat(src, &st) < 0)
		return burrow_error(err, errno, "--device '%s'", str_quote(src));
	if (S_ISDIR(st.st_mode)) {
		size_t before = strv_len(*list);
		devices_under(list, src, dst, perms, DEVICE_DEPTH);
		if (strv_len(*list) == before)
			return burrow_error(err, 0, "--device '%s': no device you can open under it", str_quote(src));
		return 0;
	}
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return burrow_error(err, 0, "--device '%s': not a character or block device", str_quote(src));
	/* open it as the user would: a node the user cannot open is refused
	 * here, not as a failed mount later */
	bool r = strchr(perms, 'r'), w = strchr(perms, 'w');
	int fd = open(src, (r && w ? O_RDWR : w ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, 0, "--device '%s': you cannot open it (%s)", str_quote(src), strerror(errno));
	close(fd);
	strv_append_take(list, xasprintf("%s:%s:%s", src, dst, perms));
	return 0;
}

void ctr_devices_gen(yajl_gen g, char *const *devices)
{
	for (size_t i = 0; devices && devices[i]; i++) {
		cleanup_strv char **p = strv_split(devices[i], ':');
		if (strv_len(p) != 3)
			continue;
		/* nodev would make the node useless; noexec, nosuid as podman */
		char *opts[] = {"bind", "rprivate", "nosuid", "noexec", strchr(p[2], 'w') ? NULL : "ro", NULL};
		jg_map_open(g);
		jg_key_str(g, "destination", p[1]);
		jg_key_str(g, "type", "bind");
		jg_key_str(g, "source", p[0]);
		jg_key_strv(g, "options", opts);
		jg_map_close(g);
	}
}

/* "c 1:3 rwm", "a *:* m", "b 8:* r" */
static int check_cgroup_rule(const char *rule, struct burrow_err **err)
{
	char type, perms[8];
	char major[16], minor[16];
	int used = 0;
	if (sscanf(rule, "%c %15[0-9*]:%15[0-9*] %7s%n", &type, major, minor, perms, &used) != 4 || rule[used] ||
	    !strchr("abc", type) || !valid_perms(perms) || (strchr(major, '*') && strcmp(major, "*") != 0) ||
	    (strchr(minor, '*') && strcmp(minor, "*") != 0))
		return burrow_error(err, 0, "invalid --device-cgroup-rule '%s' (e.g. 'c 1:3 rwm')", str_quote(rule));
	return 0;
}

/* "0-3,5" */
static bool valid_cpuset(const char *s)
{
	if (!*s)
		return false;
	cleanup_strv char **parts = strv_split(s, ',');
	for (size_t i = 0; parts[i]; i++) {
		long long a, b;
		char *dash = strchr(parts[i], '-');
		if (dash)
			*dash = '\0';
		if (str_to_ll(parts[i], 0, 4095, &a) < 0 || (dash && (str_to_ll(dash + 1, 0, 4095, &b) < 0 || b < a)))
			return false;
	}
	return true;
}

static int bad_value(const char *flag, const char *arg, const char *what, struct burrow_err **err)
{
	return burrow_error(err, 0, "invalid value for --%s '%s'%s%s", flag, str_quote(arg), what ? ": " : "",
	                    what ? what : "");
}

int ctr_res_parse(enum ctr_res_flag flag, const char *arg, struct ctr_res_opts *r, struct burrow_err **err)
{
	long long v;
	switch (flag) {
	case CTR_RES_DEVICE:
		return ctr_device_add(&r->devices, arg, err);
	case CTR_RES_DEVICE_CGROUP_RULE:
		if (check_cgroup_rule(arg, err) < 0)
			return -1;
		strv_append(&r->device_rules, arg);
		return 0;
	default:
		break;
	}
	r->limits = true;
	switch (flag) {
	case CTR_RES_MEMORY:
	case CTR_RES_MEMORY_RESERVATION:
		if (ctr_parse_ram(arg, &v) < 0)
			return bad_value(flag == CTR_RES_MEMORY ? "memory" : "memory-reservation", arg,
			                 "a size such as 512m or 2g", err);
		if (flag == CTR_RES_MEMORY && v > 0 && v < MEMORY_MIN)
			return burrow_error(err, 0, "minimum memory limit allowed is 6MB");
		*(flag == CTR_RES_MEMORY ? &r->memory : &r->mem_reserve) = v;
		return 0;
	case CTR_RES_MEMORY_SWAP:
		if (strcmp(arg, "-1") == 0)
			v = -1;
		else if (ctr_parse_ram(arg, &v) < 0)
			return bad_value("memory-swap", arg, "a size, or -1 for unlimited", err);
		r->memory_swap = v;
		return 0;
	case CTR_RES_PIDS_LIMIT:
		if (str_to_ll(arg, -1, LLONG_MAX, &v) < 0)
			return bad_value("pids-limit", arg, "a number, or -1 for unlimited", err);
		r->pids_limit = v <= 0 ? -1 : v;
		return 0;
	case CTR_RES_CPUS: {
		char *end;
		errno = 0;
		double d = strtod(arg, &end);
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		if (errno || end == arg || *end || !isfinite(d) || d < 0)
			return bad_value("cpus", arg, "a number of CPUs such as 1.5", err);
		if (ncpu > 0 && d > (double)ncpu)
			return burrow_error(
			    err, 0, "range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available", ncpu,
			    ncpu);
		r->nano_cpus = (long long)(d * 1e9 + 0.5);
		return 0;
	}
	case CTR_RES_CPU_SHARES:
		if (str_to_ll(arg, 0, 262144, &v) < 0)
			return bad_value("cpu-shares", arg, "a weight from 2 to 262144", err);
		r->cpu_shares = v;
		return 0;
	case CTR_RES_CPU_QUOTA:
		if (str_to_ll(arg, -1, LLONG_MAX, &v) < 0 || (v >= 0 && v < 1000))
			return bad_value("cpu-quota", arg, "microseconds, at least 1000 (or -1: unlimited)", err);
		r->cpu_quota = v;
		return 0;
	case CTR_RES_CPU_PERIOD:
		if (str_to_ll(arg, 1000, 1000000, &v) < 0)
			return bad_value("cpu-period", arg, "microseconds from 1000 to 1000000", err);
		r->cpu_period = v;
		return 0;
	case CTR_RES_CPUSET_CPUS:
		if (!valid_cpuset(arg))
			return bad_value("cpuset-cpus", arg, "CPUs such as 0-3,5", err);
		free(r->cpuset_cpus);
		r->cpuset_cpus = xstrdup(arg);
		return 0;
	default:
		return burrow_error(err, 0, "unknown resource flag");
	}
}

int ctr_res_check(const struct ctr_res_opts *r, struct burrow_err **err)
{
	if (r->memory_swap && !r->memory)
		return burrow_error(
		    err, 0, "you should always set the memory limit when using the memoryswap limit, see usage");
	if (r->memory_swap > 0 && r->memory_swap < r->memory)
		return burrow_error(err, 0, "minimum memoryswap limit should be larger than memory limit, see usage");
	if (r->memory && r->mem_reserve > r->memory)
		return burrow_error(err, 0,
		                    "minimum memory limit can not be less than memory reservation limit, see usage");
	if (r->nano_cpus && (r->cpu_quota || r->cpu_period))
		return burrow_error(err, 0, "--cpus cannot be used with --cpu-quota or --cpu-period");
	return 0;
}

void ctr_res_to_config(const struct ctr_res_opts *r, struct ctr_config *c)
{
	c->devices = r->devices && r->devices[0] ? strv_dup(r->devices) : NULL;
	c->device_rules = r->device_rules ? strv_dup(r->device_rules) : NULL;
	c->memory = r->memory;
	c->memory_swap = r->memory_swap;
	c->mem_reserve = r->mem_reserve;
	c->pids_limit = r->pids_limit;
	c->nano_cpus = r->nano_cpus;
	c->cpu_shares = r->cpu_shares;
	c->cpu_quota = r->cpu_quota;
	c->cpu_period = r->cpu_period;
	c->cpuset_cpus = r->cpuset_cpus ? xstrdup(r->cpuset_cpus) : NULL;
}

void ctr_res_default_pids(struct ctr_config *c, long long def)
{
	if (c->pids_limit || def < 0)
		return;
	if (def == 0)
		def = CTR_PIDS_LIMIT_DEFAULT;
	const char *why = NULL;
	struct ctr_config want = {.pids_limit = def};
	cleanup_free char *base = ctr_cgroup_base(&want, &why);
	if (base)
		c->pids_limit = def;
}

bool ctr_res_any(const struct ctr_config *c)
{
	return c->memory || c->memory_swap || c->mem_reserve || c->pids_limit > 0 || c->nano_cpus || c->cpu_shares ||
	       c->cpu_quota || c->cpu_period || c->cpuset_cpus;
}

/* The controllers c's limits need, space-separated in want. */
static void controllers_needed(const struct ctr_config *c, const char *want[5])
{
	size_t n = 0;
	if (c->memory || c->memory_swap || c->mem_reserve)
		want[n++] = "memory";
	if (c->pids_limit > 0)
		want[n++] = "pids";
	if (c->nano_cpus || c->cpu_shares || c->cpu_quota || c->cpu_period)
		want[n++] = "cpu";
	if (c->cpuset_cpus)
		want[n++] = "cpuset";
	want[n] = NULL;
}

static bool word_in(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
		if ((p == text || isspace((unsigned char)p[-1])) && (!p[n] || isspace((unsigned char)p[n])))
			return true;
	return false;
}

char *ctr_cgroup_base(const struct ctr_config *c, const char **why)
{
	/* wherever the hierarchy is mounted (/sys/fs/cgroup/unified on a
	 * hybrid host, elsewhere in a container) */
	cleanup_free char *mnt = ctr_cg2_mount();
	cleanup_free char *own = mnt ? ctr_cg2_dir_of(0) : NULL;
	return ctr_cgroup_base_in(mnt, own, c, why);
}

#define CGROUP_V1_WHY "Resource limits are not supported and ignored on cgroups V1 rootless systems"

char *ctr_cgroup_base_in(const char *mnt, const char *own, const struct ctr_config *c, const char **why)
{
	if (!mnt) {
		*why = CGROUP_V1_WHY;
		return NULL;
	}
	const char *want[5];
	controllers_needed(c, want);
	/* a controller the hierarchy itself lacks is cgroup v1's (a hybrid
	 * host): no delegation gives it */
	cleanup_free char *root_path = path_join(mnt, "cgroup.controllers");
	cleanup_free char *root_ctl = NULL;
	if (read_file(root_path, &root_ctl, NULL, NULL) < 0)
		root_ctl = xstrdup("");
	for (size_t i = 0; want[i]; i++) {
		if (!word_in(root_ctl, want[i])) {
			*why = CGROUP_V1_WHY;
			return NULL;
		}
	}
	*why = "Resource limits are ignored: no cgroup v2 of yours is delegated to you (see systemd's Delegate=)";
	/* the parent of the caller's cgroup, never the hierarchy's root */
	cleanup_free char *base = own ? ctr_cg2_parent_find(mnt, own) : NULL;
	if (!base)
		return NULL;
	cleanup_free char *ctl_path = path_join(base, "cgroup.subtree_control");
	cleanup_free char *ctl = NULL;
	if (access(base, W_OK) < 0 || read_file(ctl_path, &ctl, NULL, NULL) < 0)
		return NULL;
	for (size_t i = 0; want[i]; i++) {
		if (!word_in(ctl, want[i])) {
			*why = "Resource limits are ignored: the cgroup v2 controllers they need are not delegated to "
			       "you (see systemd's Delegate=)";
			return NULL;
		}
	}
	*why = NULL;
	return steal_ptr(base);
}

static int put(int dirfd, const char *file, const char *value, struct burrow_err **err)
{
	cleanup_close int fd = openat(dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write_all(fd, value, strlen(value)) < 0)
		return burrow_error(err, errno, "cannot write '%s' into '%s'", str_quote(value), file);
	return 0;
}

static void limit_text(char *buf, size_t len, long long v)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%lld", v);
}

int ctr_cgroup_write(int dirfd, const struct ctr_config *c, struct burrow_err **err)
{
	char buf[64];
	if (c->cpuset_cpus && put(dirfd, "cpuset.cpus", c->cpuset_cpus, err) < 0)
		return -1;
	if (c->memory) {
		limit_text(buf, sizeof(buf), c->memory);
		if (put(dirfd, "memory.max", buf, err) < 0)
			return -1;
	}
	if (c->mem_reserve) {
		limit_text(buf, sizeof(buf), c->mem_reserve);
		if (put(dirfd, "memory.low", buf, err) < 0)
			return -1;
	}
	if (c->memory_swap) {
		/* podman's --memory-swap counts memory and swap together;
		 * cgroup v2's swap.max is the swap alone */
		limit_text(buf, sizeof(buf), c->memory_swap < 0 ? -1 : c->memory_swap - c->memory);
		if (put(dirfd, "memory.swap.max", buf, err) < 0)
			return -1;
	}
	if (c->pids_limit) {
		limit_text(buf, sizeof(buf), c->pids_limit);
		if (put(dirfd, "pids.max", buf, err) < 0)
			return -1;
	}
	if (c->nano_cpus || c->cpu_quota || c->cpu_period) {
		long long period = c->cpu_period ? c->cpu_period : CPU_PERIOD_DEFAULT;
		long long quota = c->nano_cpus   ? c->nano_cpus * period / 1000000000LL
		                  : c->cpu_quota ? c->cpu_quota
		                                 : -1;
		if (quota >= 0 && quota < 1000)
			quota = 1000; /* the kernel's least */
		char q[32];
		limit_text(q, sizeof(q), quota);
		snprintf(buf, sizeof(buf), "%s %lld", q, period);
		if (put(dirfd, "cpu.max", buf, err) < 0)
			return -1;
	}
	if (c->cpu_shares) {
		/* cgroup v1's shares [2, 262144] onto v2's weight [1, 10000], as
		 * crun and runc map them */
		long long s = c->cpu_shares < 2 ? 2 : c->cpu_shares;
		snprintf(buf, sizeof(buf), "%lld", 1 + ((s - 2) * 9999) / 262142);
		if (put(dirfd, "cpu.weight", buf, err) < 0)
			return -1;
	}
	return 0;
}

void ctr_cgroup_remove(const struct ctr_config *c)
{
	ctr_cg2_remove(c->id);
	if (!ctr_res_any(c))
		return;
	const char *why = NULL;
	cleanup_free char *base = ctr_cgroup_base(c, &why);
	if (!base)
		return;
	cleanup_free char *dir = xasprintf("%s/burrow-%.12s", base, c->id);
	(void)rmdir(dir); /* a process left in it (none should be): kept */
}

int ctr_cgroup_apply(const char *base, const struct ctr_config *c, pid_t pid, struct burrow_err **err)
{
	cleanup_close int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return burrow_error(err, errno, "cannot open the cgroup '%s'", str_quote(base));
	cleanup_free char *name = xasprintf("burrow-%.12s", c->id);
	/* a stale one of an earlier run (no process left in it) goes */
	if (unlinkat(bfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return burrow_error(err, errno, "cannot remove the old cgroup '%s/%s'", str_quote(base), name);
	if (mkdirat(bfd, name, 0755) < 0)
		return burrow_error(err, errno, "cannot create the cgroup '%s/%s'", str_quote(base), name);
	cleanup_close int fd = openat(bfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open the cgroup '%s/%s'", str_quote(base), name);
	char pidtext[24];
	snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	if (ctr_cgroup_write(fd, c, err) < 0 || put(fd, "cgroup.procs", pidtext, err) < 0)
		return burrow_error_wrap(err, "container '%s': its resource limits", str_quote(c->name));
	return 0;
}

char *ctr_cgroup_premake(const struct ctr_config *c)
{
	const char *why = NULL;
	cleanup_free char *base = ctr_res_any(c) ? ctr_cgroup_base(c, &why) : NULL;
	if (!base && !(base = ctr_cg2_freezer_base(&why)))
		return NULL;
	char *dir = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (ctr_cg2_make(base, c->id, &dir, &e) < 0)
		burrow_debug("container '%s': its cgroup is made after its init: %s", c->name, e->msg);
	return dir;
}

int ctr_cgroup_setup(const struct ctr_config *c, const char *made, pid_t pid, struct burrow_err **err)
{
	const char *why = NULL;
	cleanup_free char *cg = ctr_res_any(c) ? ctr_cgroup_base(c, &why) : NULL;
	if (cg && made) { /* the init is in it: its limits */
		cleanup_close int fd = open(made, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return burrow_error(err, errno, "cannot open the cgroup '%s'", str_quote(made));
		if (ctr_cgroup_write(fd, c, err) < 0)
			return burrow_error_wrap(err, "container '%s': its resource limits", str_quote(c->name));
		return 0;
	}
	if (cg) /* the limits, where a delegated cgroup v2 takes them (else create warned) */
		return ctr_cgroup_apply(cg, c, pid, err);
	if (made)
		return 0; /* the freezer's, the init in it */
	/* else a cgroup of its own only for the freezer, where one can be
	 * made: pause falls back to SIGSTOP without */
	cleanup_free char *base = ctr_cg2_freezer_base(&why);
	cleanup_err struct burrow_err *e = NULL;
	if (base && ctr_cg2_join(base, c->id, pid, &e) < 0)
		burrow_debug("container '%s': no cgroup for its freezer: %s", c->name, e->msg);
	return 0;
}

int ctr_res_update(struct ctr_config *c, const struct ctr_res_opts *r, pid_t pid, struct burrow_err **err)
{
#define TAKE(field)                          \
	do {                                 \
		if (r->field)                \
			c->field = r->field; \
	} while (0)
	TAKE(memory);
	TAKE(memory_swap);
	TAKE(mem_reserve);
	TAKE(pids_limit);
	TAKE(nano_cpus);
	TAKE(cpu_shares);
	TAKE(cpu_quota);
	TAKE(cpu_period);
#undef TAKE
	if (r->nano_cpus)
		c->cpu_quota = c->cpu_period = 0;
	else if (r->cpu_quota || r->cpu_period)
		c->nano_cpus = 0;
	if (r->cpuset_cpus) {
		free(c->cpuset_cpus);
		c->cpuset_cpus = xstrdup(r->cpuset_cpus);
	}
	struct ctr_res_opts all = {.memory = c->memory,
	                           .memory_swap = c->memory_swap,
	                           .mem_reserve = c->mem_reserve,
	                           .nano_cpus = c->nano_cpus,
	                           .cpu_quota = c->cpu_quota,
	                           .cpu_period = c->cpu_period};
	if (ctr_res_check(&all, err) < 0)
		return -1;
	if (pid <= 0)
		return 0;
	const char *why = NULL;
	cleanup_free char *base = ctr_cgroup_base(c, &why);
	/* a cgroup of the freezer's alone (hybrid cgroups) takes no limits */
	cleanup_free char *dir = base ? ctr_cg2_container_dir(c->id, pid) : NULL;
	if (!dir) {
		burrow_warn("%s", base ? "the container has no cgroup of burrow's: its limits apply from its next start"
		                       : why);
		return 0;
	}
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open the cgroup '%s'", str_quote(dir));
	return ctr_cgroup_write(fd, c, err);
}
