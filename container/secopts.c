/* Capabilities, masked and read-only paths, no_new_privs: what run's
 * flags ask for, and what that comes to (see secopts.h). */
#include "container/secopts.h"

#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/resources.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"

/* podman's default capability set (containers.conf default_capabilities) */
static const char *const default_caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FOWNER",  "CAP_FSETID", "CAP_KILL",       "CAP_NET_BIND_SERVICE",
    "CAP_SETFCAP", "CAP_SETGID",       "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
};

/* podman's masked paths (containers/common DefaultMaskedPaths, less the
 * per-CPU thermal_throttle directories it globs), plus /sys/dev/block */
static const char *const masked_paths[] = {
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/sys/dev/block",
    "/sys/devices/virtual/powercap",
    "/sys/firmware",
    "/sys/fs/selinux",
    NULL,
};

static const char *const readonly_paths[] = {
    "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

void ctr_sec_opts_clear(struct ctr_sec_opts *o)
{
	strv_free(o->cap_add);
	strv_free(o->cap_drop);
	strv_free(o->mask);
	strv_free(o->unmask);
	free(o->seccomp_path);
	free(o->seccomp_json);
	strv_free(o->ulimits);
	strv_free(o->sysctls);
	free(o->umask);
	free(o->tz);
	memset(o, 0, sizeof(*o));
}

int ctr_cap_list_add(char ***list, const char *spec, const char *flag, struct burrow_err **err)
{
	cleanup_strv char **names = strv_split(spec, ',');
	for (size_t i = 0; names[i]; i++) {
		char *n = names[i];
		for (char *p = n; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (strcmp(n, "ALL") == 0) {
			if (!strv_contains(*list, n))
				strv_append(list, n);
			continue;
		}
		cleanup_free char *full = str_has_prefix(n, "CAP_") ? xstrdup(n) : xasprintf("CAP_%s", n);
		int v;
		if (rt_cap_from_name(full, &v) < 0) {
			burrow_error(err, 0, "%s: unknown capability '%s'", flag, str_quote(names[i]));
			return burrow_error_hint(err, "see capabilities(7) for the names; ALL means every one");
		}
		if (!strv_contains(*list, full))
			strv_append(list, full);
	}
	return 0;
}

int ctr_sec_parse_mask(const char *opt, const char *value, bool unmask, struct ctr_sec_opts *o, struct burrow_err **err)
{
	cleanup_strv char **paths = strv_split(value, ':');
	if (!paths[0])
		return burrow_error(err, 0, "invalid --security-opt '%s': give %s=/PATH[:/PATH...]", str_quote(opt),
		                    unmask ? "unmask" : "mask");
	for (size_t i = 0; paths[i]; i++) {
		bool all = unmask && strcmp(paths[i], "ALL") == 0;
		if (!all && (paths[i][0] != '/' || strstr(paths[i], "/../") || str_has_suffix(paths[i], "/..")))
			return burrow_error(err, 0, "invalid --security-opt '%s': '%s' is not an absolute path",
			                    str_quote(opt), str_quote(paths[i]));
		char ***l = unmask ? &o->unmask : &o->mask;
		if (!strv_contains(*l, paths[i]))
			strv_append(l, paths[i]);
	}
	return 0;
}

int ctr_sec_check(const struct ctr_sec_opts *o, struct burrow_err **err)
{
	bool add_all = strv_contains(o->cap_add, "ALL"), drop_all = strv_contains(o->cap_drop, "ALL");
	if (add_all && drop_all)
		return burrow_error(err, 0, "--cap-add ALL and --cap-drop ALL cannot go together");
	if (drop_all || add_all)
		return 0;
	for (size_t i = 0; o->cap_add && o->cap_add[i]; i++)
		if (strv_contains(o->cap_drop, o->cap_add[i]))
			return burrow_error(err, 0, "capability '%s' cannot be both added and dropped", o->cap_add[i]);
	return 0;
}

void ctr_sec_to_config(const struct ctr_sec_opts *o, struct ctr_config *c)
{
	c->cap_add = o->cap_add ? strv_dup(o->cap_add) : NULL;
	c->cap_drop = o->cap_drop ? strv_dup(o->cap_drop) : NULL;
	c->privileged = o->privileged;
	c->mask = o->mask ? strv_dup(o->mask) : NULL;
	c->unmask = o->unmask ? strv_dup(o->unmask) : NULL;
	c->new_privileges = o->new_privileges || o->privileged;
	c->seccomp_profile = o->seccomp_json ? xstrdup(o->seccomp_json) : NULL;
	c->ulimits = o->ulimits ? strv_dup(o->ulimits) : NULL;
	c->sysctls = o->sysctls ? strv_dup(o->sysctls) : NULL;
	c->umask = o->umask ? xstrdup(o->umask) : NULL;
	c->tz = o->tz ? xstrdup(o->tz) : NULL;
}

/* Every capability this kernel knows (and libcap can name). */
static char **all_caps(void)
{
	char **r = xcalloc(1, sizeof(char *));
	int last = rt_last_cap();
	for (int v = 0; v <= last; v++) {
		cleanup_free char *raw = NULL;
		char *n = cap_to_name((cap_value_t)v);
		if (!n)
			continue;
		raw = xstrdup(n);
		cap_free(n);
		for (char *p = raw; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		int check;
		if (rt_cap_from_name(raw, &check) == 0 && check == v)
			strv_append(&r, raw);
	}
	return r;
}

/* podman's MergeCapabilities: ALL dropped leaves what is added; ALL added
 * is every one, less what is dropped; else base + add - drop. */
char **ctr_caps_bounding(const struct ctr_config *c)
{
	char **r = NULL;
	if (strv_contains(c->cap_drop, "ALL")) {
		if (strv_contains(c->cap_add, "ALL"))
			r = all_caps();
		else
			r = strv_dup(c->cap_add);
	} else {
		cleanup_strv char **base = c->privileged || strv_contains(c->cap_add, "ALL")
		                               ? all_caps()
		                               : strv_dup((char *const *)default_caps);
		r = xcalloc(1, sizeof(char *));
		for (size_t i = 0; base[i]; i++)
			if (!strv_contains(c->cap_drop, base[i]))
				strv_append(&r, base[i]);
		for (size_t i = 0; c->cap_add && c->cap_add[i]; i++)
			if (strcmp(c->cap_add[i], "ALL") != 0 && !strv_contains(r, c->cap_add[i]))
				strv_append(&r, c->cap_add[i]);
	}
	if (!r)
		r = xcalloc(1, sizeof(char *));
	qsort(r, strv_len(r), sizeof(char *), strv_cmp);
	return r;
}

char **ctr_caps_effective(const struct ctr_config *c, char *const *bounding)
{
	if (c->uid == 0)
		return strv_dup(bounding);
	char **r = xcalloc(1, sizeof(char *));
	bool all = strv_contains(c->cap_add, "ALL");
	for (size_t i = 0; bounding && bounding[i]; i++)
		if (all || strv_contains(c->cap_add, bounding[i]))
			strv_append(&r, bounding[i]);
	return r;
}

/* p is unmasked by the list (an exact path, or a glob as podman takes). */
static bool unmasked(char *const *unmask, const char *p)
{
	for (size_t i = 0; unmask && unmask[i]; i++)
		if (strcmp(unmask[i], "ALL") == 0 || strcmp(unmask[i], p) == 0 ||
		    fnmatch(unmask[i], p, FNM_PATHNAME) == 0)
			return true;
	return false;
}

static char **filtered(const char *const *defaults, char *const *unmask, char *const *extra)
{
	char **r = xcalloc(1, sizeof(char *));
	for (size_t i = 0; defaults[i]; i++)
		if (!unmasked(unmask, defaults[i]))
			strv_append(&r, defaults[i]);
	for (size_t i = 0; extra && extra[i]; i++)
		if (!strv_contains(r, extra[i]))
			strv_append(&r, extra[i]);
	return r;
}

char **ctr_masked_paths(const struct ctr_config *c)
{
	/* --privileged unmasks podman's defaults; a mask= asked for still holds */
	static const char *const none[] = {NULL};
	return filtered(c->privileged ? none : masked_paths, c->unmask, c->mask);
}

char **ctr_readonly_paths(const struct ctr_config *c)
{
	static const char *const none[] = {NULL};
	return filtered(c->privileged ? none : readonly_paths, c->unmask, NULL);
}

/* A host device the user can open (a character or block node; not a
 * terminal: those stay the caller's). */
static bool usable_device(const char *path, const char *name)
{
	struct stat st;
	if (strcmp(name, "console") == 0 || strcmp(name, "ptmx") == 0 || str_has_prefix(name, "tty") ||
	    lstat(path, &st) < 0 || S_ISLNK(st.st_mode))
		return false;
	return ctr_device_usable(path);
}

char **ctr_privileged_devices(void)
{
	char **r = xcalloc(1, sizeof(char *));
	static const char *const dirs[] = {"/dev", "/dev/dri", "/dev/net", "/dev/snd", "/dev/input", "/dev/bus/usb"};
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		DIR *dir = opendir(dirs[d]);
		if (!dir)
			continue;
		struct dirent *e;
		while ((e = readdir(dir))) {
			cleanup_free char *p = xasprintf("%s/%s", dirs[d], e->d_name);
			if (e->d_name[0] != '.' && usable_device(p, e->d_name))
				strv_append(&r, p);
		}
		closedir(dir);
	}
	qsort(r, strv_len(r), sizeof(char *), strv_cmp);
	return r;
}

const char *const *ctr_default_caps(void)
{
	return default_caps;
}
