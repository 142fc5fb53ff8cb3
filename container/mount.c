/* -v, --mount, --tmpfs, --volumes-from: parsed, stored, resolved at create
 * and prepared at each start (see mount.h). */
#include "container/mount.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/bundle.h"
#include "container/internal.h"
#include "container/record.h"
#include "container/volume.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/walk.h"
#include "lib/xalloc.h"
#include "overlay/overlay.h"
#include "state/state.h"

/* burrow's own options: kept in the record, never given to the runtime
 * (imagevol: a tmpfs of --image-volume tmpfs, which inspect does not show) */
static const char *const own_options[] = {"anon", "nocopy", "copy", "U", "O", "z", "Z", "made", "imagevol", NULL};

/* Options of one kind exclude each other (and a second of the same kind). */
static const char *const opt_classes[][9] = {
    {"ro", "rw", NULL},
    {"private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable", NULL},
    {"bind", "rbind", NULL},
    {"z", "Z", NULL},
    {"copy", "nocopy", NULL},
    {"nosuid", "suid", NULL},
    {"nodev", "dev", NULL},
    {"noexec", "exec", NULL},
    {"U", NULL},
    {"O", NULL},
};
#define N_CLASSES (sizeof(opt_classes) / sizeof(opt_classes[0]))

static int opt_class(const char *o)
{
	for (size_t i = 0; i < N_CLASSES; i++)
		if (strv_contains((char *const *)opt_classes[i], o))
			return (int)i;
	return -1;
}

void ctr_mount_clear(struct ctr_mount *m)
{
	free(m->type);
	free(m->source);
	free(m->destination);
	strv_free(m->options);
	memset(m, 0, sizeof(*m));
}

bool ctr_mount_has(const struct ctr_mount *m, const char *opt)
{
	return m->options && strv_contains(m->options, opt);
}

static int check_path(const char *what, const char *p, struct burrow_err **err)
{
	if (strpbrk(p, "\t\n"))
		return burrow_error_status(err, EINVAL, "%s '%s': a tab or newline in a path is not supported", what,
		                           str_quote(p));
	return 0;
}

static int check_dest(const char *spec, const char *d, struct burrow_err **err)
{
	if (!*d || d[0] != '/')
		return burrow_error_status(err, EINVAL,
		                           "invalid mount '%s': the destination '%s' is not an absolute path",
		                           str_quote(spec), str_quote(d));
	if (d[strspn(d, "/")] == '\0')
		return burrow_error_status(err, EINVAL, "invalid mount '%s': cannot mount over the container's '/'",
		                           str_quote(spec));
	return check_path("destination", d, err);
}

/* Adds o to m's options, refusing a second option of its kind. */
static int add_option(const char *spec, struct ctr_mount *m, const char *o, struct burrow_err **err)
{
	int k = opt_class(o);
	for (size_t i = 0; k >= 0 && m->options[i]; i++)
		if (opt_class(m->options[i]) == k)
			return burrow_error_status(err, EINVAL,
			                           "invalid mount '%s': '%s' and '%s' cannot both be given",
			                           str_quote(spec), m->options[i], o);
	strv_append(&m->options, o);
	return 0;
}

/* The value of option KEY=VALUE in m (key: its first n bytes of key), or
 * NULL. */
static const char *opt_value(const struct ctr_mount *m, size_t n, const char *key)
{
	for (size_t i = 0; m->options[i]; i++)
		if (strncmp(m->options[i], key, n) == 0 && m->options[i][n] == '=')
			return m->options[i] + n + 1;
	return NULL;
}
#define OPT_VALUE(m, key) opt_value(m, strlen(key), key)

/* A -v source: a path (absolute, or starting with '.') or a volume name. */
static bool is_path(const char *src)
{
	return src[0] == '/' || src[0] == '.';
}

/* -v's options */
static int volume_options(const char *spec, struct ctr_mount *m, const char *opts, struct burrow_err **err)
{
	cleanup_strv char **v = strv_split(opts, ',');
	for (size_t i = 0; v[i]; i++) {
		const char *o = v[i];
		if (strcmp(o, "idmap") == 0 || str_has_prefix(o, "idmap="))
			return burrow_error_status(err, EINVAL, "mount '%s': option '%s' is not supported yet",
			                           str_quote(spec), str_quote(o));
		if (str_has_prefix(o, "upperdir=") || str_has_prefix(o, "workdir=")) {
			const char *eq = strchr(o, '=');
			if (eq[1] != '/' || opt_value(m, (size_t)(eq - o), o))
				return burrow_error_status(err, EINVAL,
				                           "invalid mount '%s': '%s' takes one absolute path",
				                           str_quote(spec), str_quote(o));
			strv_append(&m->options, o);
			continue;
		}
		if (opt_class(o) < 0)
			return burrow_error_status(err, EINVAL, "invalid mount '%s': unknown option '%s'",
			                           str_quote(spec), str_quote(o));
		if (add_option(spec, m, o, err) < 0)
			return -1;
	}
	return 0;
}

/* Whether every one of opts is a -v option (podman's "DST:OPTS" form). */
static bool all_options(const char *opts)
{
	if (!*opts)
		return false;
	cleanup_strv char **v = strv_split(opts, ',');
	for (size_t i = 0; v[i]; i++)
		if (opt_class(v[i]) < 0)
			return false;
	return true;
}

/* A tmpfs option KEY=VALUE whose value is what tmpfs(5) takes: size= a
 * number with k, m, g, t, p or e, or a percentage; nr_blocks=, nr_inodes=
 * a number with such a suffix; mode= octal; uid=, gid= an ID. Nothing
 * else: a tab or a newline would break the stored record, anything more
 * would reach the kernel's option string. 1 when o is one of those and
 * valid, 0 when its key is not one of those, -1 when its value is bad. */
static int tmpfs_value(const char *o)
{
	if (str_has_prefix(o, "size="))
		return ctr_tmpfs_amount(o + 5, true) ? 1 : -1;
	if (str_has_prefix(o, "nr_blocks=") || str_has_prefix(o, "nr_inodes="))
		return ctr_tmpfs_amount(o + 10, false) ? 1 : -1;
	static const struct {
		const char *key;
		bool octal;
		size_t digits;
		unsigned long long max;
	} keys[] = {
	    {"mode=", true, 6, 07777},
	    {"uid=", false, 10, ID_MAX},
	    {"gid=", false, 10, ID_MAX},
	};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (!str_has_prefix(o, keys[k].key))
			continue;
		const char *v = o + strlen(keys[k].key);
		size_t n = strspn(v, keys[k].octal ? "01234567" : "0123456789");
		if (n == 0 || n > keys[k].digits || v[n] != '\0')
			return -1;
		return strtoull(v, NULL, keys[k].octal ? 8 : 10) <= keys[k].max ? 1 : -1;
	}
	return 0;
}

bool ctr_tmpfs_amount(const char *v, bool percent)
{
	if (!isdigit((unsigned char)*v))
		return false; /* strtoull would take a sign or blanks */
	char *end = NULL;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno == ERANGE)
		return false;
	static const char units[] = "kmgtpe"; /* the kernel's memparse(): powers of 1024 */
	unsigned shift = 0;
	if (*end && strchr(units, tolower((unsigned char)*end)))
		shift = 10 * (unsigned)(strchr(units, tolower((unsigned char)*end)) - units + 1);
	else if (*end && !(percent && *end == '%'))
		return false;
	if (*end == '%' && end[1] == '\0') {
		/* the kernel multiplies a % by the memory's bytes without a
		 * check either: 4503599627370496% (2^52) of any is 0, no limit */
		long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
		unsigned long long ram =
		    pages > 0 && page > 0 ? (unsigned long long)pages * (unsigned long long)page : 1;
		return n <= ULLONG_MAX / ram;
	}
	if (*end)
		end++;
	/* memparse() shifts without a check: 20000000e wraps round to a small size */
	return *end == '\0' && n <= (ULLONG_MAX >> shift);
}

static void init_mount(struct ctr_mount *m, const char *type)
{
	memset(m, 0, sizeof(*m));
	m->type = xstrdup(type);
	m->options = xcalloc(1, sizeof(char *));
}

/* Fills in what a mount of its type always has: binds and volumes are
 * nosuid, nodev and rbind unless told otherwise (podman's defaults). */
static int finish_mount(const char *spec, struct ctr_mount *m, struct burrow_err **err)
{
	if (check_dest(spec, m->destination, err) < 0)
		return -1;
	if (m->source && check_path("source", m->source, err) < 0)
		return -1;
	/* the stored record splits at tabs, the kernel's option string at
	 * commas: an option holds neither, nor any other control */
	for (size_t i = 0; m->options[i]; i++)
		for (const char *c = m->options[i]; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == ',')
				return burrow_error_status(
				    err, EINVAL, "invalid mount '%s': option '%s' holds a comma or a control character",
				    str_quote(spec), str_quote(m->options[i]));
	bool bind = strcmp(m->type, "bind") == 0, vol = strcmp(m->type, "volume") == 0;
	if (!bind && ctr_mount_has(m, "O"))
		return burrow_error_status(err, EINVAL, "invalid mount '%s': 'O' (an overlay) is for host directories",
		                           str_quote(spec));
	bool upper = OPT_VALUE(m, "upperdir") != NULL, work = OPT_VALUE(m, "workdir") != NULL;
	if ((upper || work) && (!ctr_mount_has(m, "O") || upper != work))
		return burrow_error_status(
		    err, EINVAL, "invalid mount '%s': upperdir= and workdir= go together, with O", str_quote(spec));
	static const char *const defaults[] = {"nosuid", "nodev", "rbind", NULL};
	for (size_t d = 0; (bind || vol) && defaults[d]; d++) {
		bool have = false;
		for (size_t i = 0; m->options[i] && !have; i++)
			have = opt_class(m->options[i]) == opt_class(defaults[d]);
		if (!have)
			strv_append(&m->options, defaults[d]);
	}
	if (vol && !m->source)
		strv_append(&m->options, "anon");
	if (vol && m->source && !state_valid_name(m->source))
		return burrow_error_status(
		    err, EINVAL, "invalid mount '%s': '%s' is neither an absolute path nor a valid volume name",
		    str_quote(spec), str_quote(m->source));
	return 0;
}

int ctr_mount_parse_volume(const char *spec, struct ctr_mount *m, struct burrow_err **err)
{
	cleanup_strv char **p = strv_split(spec, ':');
	size_t n = strv_len(p);
	const char *src = NULL, *dst = NULL, *opts = NULL;
	if (n == 1) {
		dst = p[0];
	} else if (n == 2 && !is_path(p[0]) && p[0][0] && all_options(p[1])) {
		/* NAME:OPTS is no form: a named volume needs a destination */
		src = p[0];
		dst = p[1];
	} else if (n == 2 && all_options(p[1])) {
		dst = p[0];
		opts = p[1];
	} else if (n == 2) {
		src = p[0];
		dst = p[1];
	} else if (n == 3) {
		src = p[0];
		dst = p[1];
		opts = p[2];
	} else {
		return burrow_error_status(err, EINVAL, "invalid volume '%s': use [SOURCE:]DESTINATION[:OPTIONS]",
		                           str_quote(spec));
	}
	if (src && !*src)
		return burrow_error_status(err, EINVAL, "invalid volume '%s': empty source", str_quote(spec));
	init_mount(m, src && is_path(src) ? "bind" : "volume");
	m->source = src ? xstrdup(src) : NULL;
	m->destination = xstrdup(dst);
	if ((opts && volume_options(spec, m, opts, err) < 0) || finish_mount(spec, m, err) < 0) {
		ctr_mount_clear(m);
		return -1;
	}
	return 0;
}

/* A --mount boolean value ("ro", "ro=true", "ro=false"). */
static int mount_bool(const char *spec, const char *key, const char *val, bool *out, struct burrow_err **err)
{
	if (!val || strcmp(val, "true") == 0 || strcmp(val, "1") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0) {
		*out = false;
		return 0;
	}
	return burrow_error_status(err, EINVAL, "invalid mount '%s': %s takes true or false", str_quote(spec), key);
}

static int mount_kv(const char *spec, struct ctr_mount *m, const char *key, const char *val, struct burrow_err **err)
{
	bool b, bind = strcmp(m->type, "bind") == 0, vol = strcmp(m->type, "volume") == 0;
	bool tmpfs = strcmp(m->type, "tmpfs") == 0, devpts = strcmp(m->type, "devpts") == 0;
	if (strcmp(key, "src") == 0 || strcmp(key, "source") == 0) {
		if (tmpfs || devpts)
			return burrow_error_status(err, EINVAL, "invalid mount '%s': a %s mount takes no source",
			                           str_quote(spec), m->type);
		if (!val || !*val)
			return burrow_error_status(err, EINVAL, "invalid mount '%s': empty source", str_quote(spec));
		free(m->source);
		m->source = xstrdup(val);
		return 0;
	}
	if (strcmp(key, "dst") == 0 || strcmp(key, "destination") == 0 || strcmp(key, "target") == 0) {
		free(m->destination);
		m->destination = xstrdup(val ? val : "");
		return 0;
	}
	if (strcmp(key, "ro") == 0 || strcmp(key, "readonly") == 0 || strcmp(key, "rw") == 0) {
		if (mount_bool(spec, key, val, &b, err) < 0)
			return -1;
		return add_option(spec, m, (strcmp(key, "rw") == 0) == b ? "rw" : "ro", err);
	}
	if ((bind || vol) && strcmp(key, "bind-propagation") == 0) {
		if (!val || opt_class(val) != 1)
			return burrow_error_status(err, EINVAL, "invalid mount '%s': bind-propagation takes %s",
			                           str_quote(spec),
			                           "private, rprivate, shared, rshared, slave or rslave");
		return add_option(spec, m, val, err);
	}
	if (bind && strcmp(key, "bind-nonrecursive") == 0) {
		if (mount_bool(spec, key, val, &b, err) < 0)
			return -1;
		return add_option(spec, m, b ? "bind" : "rbind", err);
	}
	if ((bind || vol) && (strcmp(key, "U") == 0 || strcmp(key, "chown") == 0)) {
		if (mount_bool(spec, key, val, &b, err) < 0)
			return -1;
		return b ? add_option(spec, m, "U", err) : 0;
	}
	if (vol && (strcmp(key, "nocopy") == 0 || strcmp(key, "volume-nocopy") == 0)) {
		if (mount_bool(spec, key, val, &b, err) < 0)
			return -1;
		return add_option(spec, m, b ? "nocopy" : "copy", err);
	}
	if (strcmp(key, "relabel") == 0 || strcmp(key, "consistency") == 0 || strcmp(key, "tmpcopyup") == 0 ||
	    strcmp(key, "notmpcopyup") == 0 || strcmp(key, "z") == 0 || strcmp(key, "Z") == 0)
		return 0; /* SELinux, docker for Mac, crun's copy-up: nothing here */
	if (tmpfs && (strcmp(key, "tmpfs-size") == 0 || strcmp(key, "tmpfs-mode") == 0)) {
		if (!val || !*val)
			return burrow_error_status(err, EINVAL, "invalid mount '%s': %s needs a value", str_quote(spec),
			                           key);
		cleanup_free char *o = xasprintf("%s=%s", key[6] == 's' ? "size" : "mode", val);
		if (tmpfs_value(o) < 0)
			return burrow_error_status(err, EINVAL, "invalid mount '%s': %s '%s' is not %s",
			                           str_quote(spec), key, str_quote(val),
			                           key[6] == 's' ? "a size (64m, 1g, 50%)" : "an octal mode (1777)");
		strv_append_take(&m->options, steal_ptr(o));
		return 0;
	}
	if (devpts && (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0 || strcmp(key, "mode") == 0 ||
	               strcmp(key, "max") == 0)) {
		if (!val || !*val)
			return burrow_error_status(err, EINVAL, "invalid mount '%s': %s needs a value", str_quote(spec),
			                           key);
		strv_append_take(&m->options, xasprintf("%s=%s", key, val));
		return 0;
	}
	if (!val && opt_class(key) >= 5 && opt_class(key) <= 7)
		return add_option(spec, m, key, err); /* nosuid, noexec ... */
	return burrow_error_status(err, EINVAL, "invalid mount '%s': unknown or unsupported option '%s' for type %s",
	                           str_quote(spec), str_quote(key), m->type);
}

int ctr_mount_parse_mount(const char *spec, struct ctr_mount *m, struct burrow_err **err)
{
	cleanup_strv char **kv = strv_split(spec, ',');
	const char *type = "volume"; /* docker's default */
	for (size_t i = 0; kv[i]; i++)
		if (str_has_prefix(kv[i], "type="))
			type = kv[i] + 5;
	static const char *const types[] = {"bind", "volume", "tmpfs", "devpts", NULL};
	if (!strv_contains((char *const *)types, type))
		return burrow_error_status(err, EINVAL,
		                           "invalid mount '%s': type '%s' is not bind, volume, tmpfs or devpts",
		                           str_quote(spec), str_quote(type));
	init_mount(m, type);
	for (size_t i = 0; kv[i]; i++) {
		if (str_has_prefix(kv[i], "type=") || !*kv[i])
			continue;
		char *eq = strchr(kv[i], '=');
		if (eq)
			*eq = '\0';
		if (mount_kv(spec, m, kv[i], eq ? eq + 1 : NULL, err) < 0) {
			ctr_mount_clear(m);
			return -1;
		}
	}
	int r = 0;
	if (!m->destination)
		r = burrow_error_status(err, EINVAL, "invalid mount '%s': no destination (dst=, target=)",
		                        str_quote(spec));
	else if (strcmp(type, "bind") == 0 && !m->source)
		r = burrow_error_status(err, EINVAL, "invalid mount '%s': a bind mount needs src=", str_quote(spec));
	else if (strcmp(type, "bind") == 0 && m->source[0] != '/')
		r = burrow_error_status(err, EINVAL, "invalid mount '%s': the source '%s' is not an absolute path",
		                        str_quote(spec), str_quote(m->source));
	else if (strcmp(type, "volume") == 0 && m->source && is_path(m->source))
		r = burrow_error_status(err, EINVAL, "invalid mount '%s': '%s' is a path; use type=bind",
		                        str_quote(spec), str_quote(m->source));
	if (strcmp(type, "tmpfs") == 0 && r == 0) {
		for (const char *const *d = (const char *const[]){"nosuid", "nodev", NULL}; *d; d++)
			if (!ctr_mount_has(m, *d) && add_option(spec, m, *d, err) < 0)
				r = -1;
	}
	if (r < 0 || finish_mount(spec, m, err) < 0) {
		ctr_mount_clear(m);
		return -1;
	}
	return 0;
}

int ctr_mount_parse_tmpfs(const char *spec, struct ctr_mount *m, struct burrow_err **err)
{
	const char *colon = strchr(spec, ':');
	init_mount(m, "tmpfs");
	m->destination = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	cleanup_strv char **v = strv_split(colon ? colon + 1 : "", ',');
	for (size_t i = 0; v[i]; i++) {
		const char *o = v[i];
		int value = tmpfs_value(o);
		bool ok = value > 0;
		if (!*o || strcmp(o, "tmpcopyup") == 0 || strcmp(o, "notmpcopyup") == 0)
			continue;
		if (value < 0) {
			ctr_mount_clear(m);
			return burrow_error_status(
			    err, EINVAL, "invalid --tmpfs '%s': bad value in '%s' (%s)", str_quote(spec), str_quote(o),
			    "size=64m|1g|50%, nr_inodes=, nr_blocks=, mode=1777, uid=N, gid=N up to " ID_MAX_TEXT);
		}
		if (!ok && opt_class(o) != 0 && (opt_class(o) < 5 || opt_class(o) > 7) &&
		    !strv_contains((char *const *)(const char *const[]){"noatime", "relatime", "strictatime", NULL},
		                   o)) {
			ctr_mount_clear(m);
			return burrow_error_status(err, EINVAL, "invalid --tmpfs '%s': unknown option '%s'",
			                           str_quote(spec), str_quote(o));
		}
		if (ok)
			strv_append(&m->options, o);
		else if (add_option(spec, m, o, err) < 0) {
			ctr_mount_clear(m);
			return -1;
		}
	}
	/* podman's defaults for what was not said */
	for (const char *const *d = (const char *const[]){"rw", "noexec", "nosuid", "nodev", NULL}; *d; d++)
		if (opt_class(*d) >= 0) {
			bool have = false;
			for (size_t i = 0; m->options[i] && !have; i++)
				have = opt_class(m->options[i]) == opt_class(*d);
			if (!have)
				strv_append(&m->options, *d);
		}
	if (finish_mount(spec, m, err) < 0) {
		ctr_mount_clear(m);
		return -1;
	}
	return 0;
}

int ctr_mount_parse_from(const char *spec, char **ref, char **mode, struct burrow_err **err)
{
	const char *colon = strchr(spec, ':');
	const char *md = colon ? colon + 1 : "";
	if (!*spec || colon == spec ||
	    (*md && strcmp(md, "ro") != 0 && strcmp(md, "rw") != 0 && strcmp(md, "z") != 0 && strcmp(md, "Z") != 0))
		return burrow_error_status(err, EINVAL, "invalid --volumes-from '%s': use CONTAINER[:ro|rw]",
		                           str_quote(spec));
	*ref = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	*mode = xstrdup(*md == 'z' || *md == 'Z' ? "" : md);
	return 0;
}

char *ctr_mount_format(const struct ctr_mount *m)
{
	cleanup_free char *opts = xstrdup("");
	for (size_t i = 0; m->options && m->options[i]; i++) {
		char *n = xasprintf("%s%s%s", opts, i ? "," : "", m->options[i]);
		free(opts);
		opts = n;
	}
	return xasprintf("%s\t%s\t%s\t%s", m->type, m->source ? m->source : "", m->destination, opts);
}

bool ctr_mount_try(const char *s, struct ctr_mount *m)
{
	struct burrow_err *e = NULL;
	if (ctr_mount_decode(s, m, &e) == 0)
		return true;
	burrow_err_free(e);
	return false;
}

int ctr_mount_decode(const char *s, struct ctr_mount *m, struct burrow_err **err)
{
	cleanup_strv char **f = strv_split(s, '\t');
	if (strv_len(f) != 4 || f[2][0] != '/')
		return burrow_error(err, EINVAL, "damaged mount record '%s'", str_quote(s));
	memset(m, 0, sizeof(*m));
	m->type = xstrdup(f[0]);
	m->source = *f[1] ? xstrdup(f[1]) : NULL;
	m->destination = xstrdup(f[2]);
	m->options = *f[3] ? strv_split(f[3], ',') : xcalloc(1, sizeof(char *));
	return 0;
}

bool ctr_mount_same_dest(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

char *ctr_mount_bind_id(const char *source, const char *dest)
{
	struct stat st;
	if (!source || stat(source, &st) < 0)
		return NULL;
	return xasprintf("%llu:%llu:%s", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, dest);
}

bool ctr_mount_bind_find(char *const *ids, const char *dest, unsigned long long *dev, unsigned long long *ino)
{
	for (size_t i = 0; ids && ids[i]; i++) {
		int at = 0;
		if (sscanf(ids[i], "%llu:%llu:%n", dev, ino, &at) == 2 && at > 0 &&
		    ctr_mount_same_dest(ids[i] + at, dest))
			return true;
	}
	return false;
}

struct mount_list {
	struct ctr_mount *v;
	size_t n;
};

static void list_clear(struct mount_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		ctr_mount_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool list_has_dest(const struct mount_list *l, const char *dest)
{
	for (size_t i = 0; i < l->n; i++)
		if (ctr_mount_same_dest(l->v[i].destination, dest))
			return true;
	return false;
}

static struct ctr_mount *list_add(struct mount_list *l)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	return memset(&l->v[l->n++], 0, sizeof(*l->v));
}

static int collect(const struct ctr_mount_specs *sp, struct mount_list *l, struct burrow_err **err)
{
	char *const *lists[] = {sp->volumes, sp->mounts, sp->tmpfs};
	int (*parsers[])(const char *, struct ctr_mount *,
	                 struct burrow_err **) = {ctr_mount_parse_volume, ctr_mount_parse_mount, ctr_mount_parse_tmpfs};
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; lists[k] && lists[k][i]; i++) {
			struct ctr_mount m;
			if (parsers[k](lists[k][i], &m, err) < 0)
				return -1;
			if (list_has_dest(l, m.destination)) {
				burrow_error_status(err, EINVAL, "duplicate mount destination '%s'",
				                    str_quote(m.destination));
				ctr_mount_clear(&m);
				return -1;
			}
			*list_add(l) = m;
		}
	}
	for (size_t i = 0; sp->volumes_from && sp->volumes_from[i]; i++) {
		cleanup_free char *ref = NULL;
		cleanup_free char *mode = NULL;
		if (ctr_mount_parse_from(sp->volumes_from[i], &ref, &mode, err) < 0)
			return -1;
	}
	return 0;
}

/* The image's Volumes, after --volumes-from (the user's mounts win):
 * anonymous volumes, or with tmpfs tmpfs mounts as podman's
 * --image-volume tmpfs makes them (exec, unlike --tmpfs's default). */
static int add_image_volumes(char *const *vols, bool tmpfs, struct mount_list *l, struct burrow_err **err)
{
	for (size_t i = 0; vols && vols[i]; i++) {
		struct ctr_mount m;
		cleanup_free char *spec = tmpfs ? xasprintf("%s:rw,exec,nosuid,nodev", vols[i]) : NULL;
		if (strchr(vols[i], ':') ||
		    (tmpfs ? ctr_mount_parse_tmpfs(spec, &m, err) : ctr_mount_parse_volume(vols[i], &m, err)) < 0)
			return burrow_error_status(err, EINVAL, "the image's volume '%s' is not an absolute path",
			                           str_quote(vols[i]));
		if (tmpfs)
			strv_append(&m.options, "imagevol");
		if (list_has_dest(l, m.destination))
			ctr_mount_clear(&m);
		else
			*list_add(l) = m;
	}
	return 0;
}

static char **list_format(const struct mount_list *l)
{
	struct strv_builder b = {0};
	for (size_t i = 0; i < l->n; i++)
		strv_builder_take(&b, ctr_mount_format(&l->v[i]));
	return strv_builder_steal(&b);
}

int ctr_mounts_check(const struct ctr_mount_specs *sp, char ***out, struct burrow_err **err)
{
	struct mount_list l = {0};
	int r = collect(sp, &l, err);
	if (r == 0 && out)
		*out = list_format(&l);
	list_clear(&l);
	return r;
}

/* --volumes-from: the other containers' mounts (not their tmpfs), the
 * user's own winning on a destination; anonymous volumes are shared, not
 * owned. */
static int add_volumes_from(struct state_store *s, char *const *from, struct mount_list *l, size_t *first_from,
                            struct burrow_err **err)
{
	*first_from = l->n;
	for (size_t i = 0; from && from[i]; i++) {
		cleanup_free char *ref = NULL;
		cleanup_free char *mode = NULL;
		cleanup_free char *id = NULL;
		if (ctr_mount_parse_from(from[i], &ref, &mode, err) < 0 || ctr_lookup(s, ref, &id, err) < 0)
			return burrow_error_wrap(err, "--volumes-from");
		struct ctr_config c = {0};
		if (ctr_config_load(s, id, &c, err) < 0)
			return -1;
		for (size_t k = 0; c.mounts && c.mounts[k]; k++) {
			struct ctr_mount m;
			if (ctr_mount_decode(c.mounts[k], &m, err) < 0) {
				ctr_config_clear(&c);
				return -1;
			}
			if (strcmp(m.type, "tmpfs") == 0 || strcmp(m.type, "devpts") == 0 ||
			    list_has_dest(l, m.destination)) {
				ctr_mount_clear(&m);
				continue;
			}
			struct strv_builder o = {0};
			for (size_t j = 0; m.options[j]; j++) {
				const char *x = m.options[j];
				if (strcmp(x, "anon") == 0 || (*mode && (strcmp(x, "ro") == 0 || strcmp(x, "rw") == 0)))
					continue;
				strv_builder_add(&o, x);
			}
			if (*mode)
				strv_builder_add(&o, mode);
			strv_free(m.options);
			m.options = strv_builder_steal(&o);
			*list_add(l) = m;
		}
		ctr_config_clear(&c);
	}
	return 0;
}

/* The absolute form of a bind source typed relative ("./dir"). */
static char *absolute(const char *p)
{
	if (p[0] == '/')
		return xstrdup(p);
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(p);
	return path_join(cwd, p);
}

void ctr_config_volumes_from(struct ctr_config *c, char *const *volumes_from)
{
	c->volumes_from = volumes_from && volumes_from[0] ? strv_dup(volumes_from) : NULL;
}

void ctr_mounts_release(struct state_store *s, char *const *mounts, const char *ctr_id, bool remove_anon)
{
	for (size_t i = 0; mounts && mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(mounts[i], &m))
			continue;
		struct burrow_err *e = NULL;
		if (strcmp(m.type, "volume") == 0 && m.source) {
			if (ctr_vol_unuse(s, m.source, ctr_id, &e) < 0 && e->status != ENOENT)
				burrow_warn("%s", e->msg);
			burrow_err_free(steal_ptr(e));
			/* one that another container still uses stays, as podman */
			if (remove_anon && (ctr_mount_has(&m, "anon") || ctr_mount_has(&m, "made")) &&
			    ctr_vol_remove(s, m.source, false, 0, NULL, &e) < 0 && e->status != ENOENT &&
			    e->status != EBUSY)
				burrow_warn("%s", e->msg);
			burrow_err_free(e);
		}
		ctr_mount_clear(&m);
	}
}

char **ctr_mounts_stored(char *const *mounts)
{
	struct strv_builder b = {0};
	for (size_t i = 0; mounts && mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(mounts[i], &m)) {
			strv_builder_add(&b, mounts[i]);
			continue;
		}
		size_t k = 0;
		for (size_t j = 0; m.options[j]; j++) {
			if (strcmp(m.options[j], "made") == 0)
				free(m.options[j]);
			else
				m.options[k++] = m.options[j];
		}
		m.options[k] = NULL;
		strv_builder_take(&b, ctr_mount_format(&m));
		ctr_mount_clear(&m);
	}
	return strv_builder_steal(&b);
}

int ctr_mounts_resolve(struct state_store *s, const struct ctr_mount_specs *sp, const char *ctr_id, char ***out,
                       struct burrow_err **err)
{
	struct mount_list l = {0};
	size_t first_from = 0;
	int ret = -1;
	*out = NULL;
	size_t first_image = 0;
	if (collect(sp, &l, err) < 0 || add_volumes_from(s, sp->volumes_from, &l, &first_from, err) < 0)
		goto out;
	first_image = l.n;
	if (add_image_volumes(sp->image_volumes, sp->image_tmpfs, &l, err) < 0)
		goto out;
	/* checks first: nothing is written while something is wrong */
	for (size_t i = 0; i < l.n; i++) {
		struct ctr_mount *m = &l.v[i];
		if (strcmp(m->type, "bind") != 0)
			continue;
		for (const char *const *k = (const char *const[]){"upperdir", "workdir", NULL}; *k; k++) {
			const char *d = OPT_VALUE(m, *k);
			struct stat dst;
			if (d && stat(d, &dst) < 0) {
				burrow_error(err, errno, "%s '%s' of '%s'", *k, str_quote(d),
				             str_quote(m->destination));
				goto out;
			}
		}
		char *abs = absolute(m->source);
		free(m->source);
		m->source = abs;
		struct stat st;
		/* as podman: a missing source is an error, not made (a typo
		 * must not become an empty directory) */
		if (stat(m->source, &st) < 0) {
			burrow_error(err, errno, "bind source '%s' of '%s'", str_quote(m->source),
			             str_quote(m->destination));
			goto out;
		}
	}
	for (size_t i = 0; i < l.n; i++) {
		struct ctr_mount *m = &l.v[i];
		if (strcmp(m->type, "volume") != 0)
			continue;
		if (i >= first_from && i < first_image) {
			if (ctr_vol_use(s, m->source, ctr_id, err) < 0)
				goto undo;
			continue;
		}
		struct ctr_vol_create_opts vo = {
		    .name = m->source, .uid = -1, .gid = -1, .anonymous = !m->source, .user = ctr_id, .ignore = true};
		struct ctr_vol v = {0};
		bool existed = false;
		if (ctr_vol_create(s, &vo, &v, &existed, err) < 0) {
			burrow_error_wrap(err, "mount '%s'", str_quote(m->destination));
			goto undo;
		}
		if (!m->source)
			m->source = xstrdup(v.name);
		else if (!existed) /* removed again when the create fails */
			strv_append(&m->options, "made");
		ctr_vol_clear(&v);
	}
	*out = list_format(&l);
	ret = 0;
	goto out;
undo : {
	/* the volumes made or marked so far go again */
	cleanup_strv char **made = list_format(&l);
	ctr_mounts_release(s, made, ctr_id, true);
}
out:
	list_clear(&l);
	return ret;
}

/* Opens dest inside the rootfs (O_PATH), refusing one that resolves to
 * the root itself (an image's symlink to "/"): -1 with errno ENOENT when
 * it does not exist. */
static int open_dest(int rootfd, const char *dest, struct burrow_err **err)
{
	int fd = openat2_retry(rootfd, dest, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd < 0) {
		if (errno == ENOENT)
			return -1;
		return burrow_error(err, errno, "cannot resolve the mount point '%s' in the container",
		                    str_quote(dest));
	}
	struct stat a, b;
	if (fstat(fd, &a) == 0 && fstat(rootfd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		close(fd);
		errno = EINVAL;
		return burrow_error(err, 0,
		                    "the mount point '%s' leads to the container's '/' (a symlink in the image)",
		                    str_quote(dest));
	}
	return fd;
}

struct chown_to {
	uid_t uid;
	gid_t gid;
};

static int chown_visit(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	const struct chown_to *to = data;
	int r = 0;
	if (step == WALK_ENTER)
		r = fchown(at->fd, to->uid, to->gid);
	else if (step == WALK_FILE)
		r = fchownat(at->dirfd, at->name, to->uid, to->gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0 && errno != ENOENT) /* gone meanwhile: nothing to own */
		return burrow_error(err, errno, "cannot change the owner of '%s'", str_quote(at->path));
	return 0;
}

/* chown -R inside burrow's namespace, never following a symlink (the top
 * either), however deep the tree (lib/walk.h). */
static int chown_tree(const char *path, uid_t uid, gid_t gid, struct burrow_err **err)
{
	struct chown_to to = {uid, gid};
	return walk_tree(AT_FDCWD, path, path, 0, chown_visit, &to, err);
}

/* A volume mount turned into what the runtime mounts; copy-up on the way. */
static int prepare_volume(struct state_store *s, const struct ctr_config *c, int rootfd, struct ctr_mount *m,
                          struct burrow_err **err)
{
	struct ctr_vol v = {0};
	int ret = -1;
	int lock = state_lock_name(s, VOL_LOCK_KIND, m->source, err);
	if (lock < 0)
		return -1;
	if (ctr_vol_load(s, m->source, &v, err) < 0)
		goto out;
	const char *type = ctr_vol_kv_get(v.options, "type");
	const char *device = ctr_vol_device(&v);
	if (v.needs_copy_up && !ctr_mount_has(m, "nocopy") && (!type || strcmp(type, "tmpfs") != 0)) {
		/* only into an empty volume, never over what it holds: checked
		 * and filled through one open of it (a bind volume's device
		 * that became a link is refused there) */
		bool empty = false;
		cleanup_close int dfd = ctr_vol_open_for_copy_up(s, &v, err);
		if (dfd < 0 || ctr_vol_dir_is_empty(dfd, &v, &empty, err) < 0)
			goto out;
		if (empty && ctr_copy_up(rootfd, m->destination, dfd, err) < 0) {
			burrow_error_wrap(err, "cannot copy the image's '%s' into volume '%s'",
			                  str_quote(m->destination), str_quote(v.name));
			goto out;
		}
	}
	if (v.needs_copy_up) {
		v.needs_copy_up = false;
		if (ctr_vol_save(s, &v, err) < 0)
			goto out;
	}
	if (v.needs_chown) {
		/* as podman: a volume's first container gets its directory, unless
		 * the image has one there (its owner came with copy-up); never
		 * a bind volume's device (the user's own directory) */
		cleanup_close int img = open_dest(rootfd, m->destination, err);
		if (img < 0 && errno != ENOENT)
			goto out;
		if (img < 0 && !type) {
			cleanup_close int dfd = ctr_vol_open_contents(s, &v, err);
			if (dfd < 0)
				goto out;
			if (fchown(dfd, c->uid, c->gid) < 0)
				burrow_warn("volume '%s': cannot give it to %u:%u: %s", v.name, c->uid, c->gid,
				            strerror(errno));
		}
		v.needs_chown = false;
		if (ctr_vol_save(s, &v, err) < 0)
			goto out;
	}
	free(m->type);
	if (type && strcmp(type, "tmpfs") == 0) {
		m->type = xstrdup("tmpfs");
		free(m->source);
		m->source = xstrdup("tmpfs");
		const char *o = ctr_vol_kv_get(v.options, "o");
		cleanup_strv char **extra = strv_split(o ? o : "", ',');
		struct strv_builder opts = {0};
		for (size_t i = 0; m->options[i]; i++)
			if (strcmp(m->options[i], "rbind") != 0 && strcmp(m->options[i], "bind") != 0)
				strv_builder_add(&opts, m->options[i]);
		for (size_t i = 0; extra[i]; i++)
			if (*extra[i])
				strv_builder_add(&opts, extra[i]);
		strv_free(m->options);
		m->options = strv_builder_steal(&opts);
	} else {
		m->type = xstrdup("bind");
		free(m->source);
		m->source = device ? xstrdup(device) : ctr_vol_data_path(s, v.name);
		if (ctr_mount_has(m, "U") && chown_tree(m->source, c->uid, c->gid, err) < 0)
			goto out;
	}
	ret = 0;
out:
	state_unlock(lock);
	ctr_vol_clear(&v);
	return ret;
}

static size_t depth(const char *p)
{
	size_t d = 0;
	for (; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			d++;
	return d;
}

/* :O's directories: the upper and work dirs under the container's storage
 * (changes, discarded at cleanup), the mount point under its runtime dir. */
static char *overlay_dir(struct state_store *s, const struct ctr_config *c, size_t i, bool merged)
{
	cleanup_free char *dir = merged ? ctr_rundir(s, c->id) : ctr_dir(s, c->id);
	cleanup_free char *name = xasprintf("overlay-%zu", i);
	return path_join(dir, name);
}

/* An overlay (fuse-overlayfs) over the host directory of a :O mount; its
 * source becomes the overlay's mount point. */
static int prepare_overlay(struct state_store *s, const struct ctr_config *c, const struct ovl_opts *ovl, size_t i,
                           struct ctr_mount *m, struct burrow_err **err)
{
	cleanup_free char *base = overlay_dir(s, c, i, false);
	cleanup_free char *merged = overlay_dir(s, c, i, true);
	/* upperdir=/workdir=: the user's own, kept */
	const char *own_upper = OPT_VALUE(m, "upperdir"), *own_work = OPT_VALUE(m, "workdir");
	cleanup_free char *upper = own_upper ? xstrdup(own_upper) : path_join(base, "upper");
	cleanup_free char *work = own_work ? xstrdup(own_work) : path_join(base, "work");
	char *lower[] = {m->source, NULL};
	pid_t pid = 0;
	struct stat st;
	int e = stat(m->source, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e)
		return burrow_error(err, e, "overlay source '%s' of '%s'", str_quote(m->source),
		                    str_quote(m->destination));
	if ((!own_upper && (rm_rf(base, err) < 0 || mkdir_p(upper, 0755, err) < 0 || mkdir_p(work, 0700, err) < 0)) ||
	    mkdir_p(merged, 0700, err) < 0 || ovl_mount(ovl, lower, upper, work, merged, &pid, err) < 0)
		return burrow_error_wrap(err, "overlay on '%s'", str_quote(m->destination));
	free(m->source);
	m->source = steal_ptr(merged);
	return 0;
}

char *ctr_mounts_overlay_point(struct state_store *s, const struct ctr_config *c, size_t i)
{
	return overlay_dir(s, c, i, true);
}

void ctr_mounts_cleanup(struct state_store *s, const struct ctr_config *c)
{
	for (size_t i = 0; c->mounts && c->mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(c->mounts[i], &m))
			continue;
		bool overlay = ctr_mount_has(&m, "O");
		ctr_mount_clear(&m);
		if (!overlay)
			continue;
		cleanup_free char *base = overlay_dir(s, c, i, false);
		cleanup_free char *merged = overlay_dir(s, c, i, true);
		struct burrow_err *e = NULL;
		if (access(merged, F_OK) == 0 && ovl_umount(merged, 0, &e) < 0) {
			burrow_warn("%s", e->msg);
			burrow_err_free(steal_ptr(e));
			continue; /* still mounted: its changes stay */
		}
		if (rm_rf(base, &e) < 0 || rmdir(merged) < 0) {
			if (e)
				burrow_warn("%s", e->msg);
			burrow_err_free(e);
		}
	}
}

int ctr_mounts_prepare(struct state_store *s, const struct ctr_config *c, const char *root, const struct ovl_opts *ovl,
                       char ***out, struct burrow_err **err)
{
	*out = NULL;
	if (!c->mounts || !c->mounts[0])
		return 0;
	cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return burrow_error(err, errno, "cannot open rootfs '%s'", str_quote(root));
	struct strv_builder b = {0};
	for (size_t i = 0; c->mounts[i]; i++) {
		struct ctr_mount m;
		if (ctr_mount_decode(c->mounts[i], &m, err) < 0)
			goto fail;
		int dfd = open_dest(rootfd, m.destination, err);
		int r = dfd < 0 && errno != ENOENT ? -1 : 0;
		if (dfd >= 0)
			close(dfd);
		if (r == 0 && strcmp(m.type, "volume") == 0)
			r = prepare_volume(s, c, rootfd, &m, err);
		else if (r == 0 && strcmp(m.type, "bind") == 0 && ctr_mount_has(&m, "U"))
			r = chown_tree(m.source, c->uid, c->gid, err);
		if (r == 0 && strcmp(m.type, "bind") == 0 && ctr_mount_has(&m, "O"))
			r = prepare_overlay(s, c, ovl, i, &m, err);
		if (r == 0)
			strv_builder_take(&b, ctr_mount_format(&m));
		ctr_mount_clear(&m);
		if (r < 0)
			goto fail;
	}
	*out = strv_builder_steal(&b);
	/* parents before what is mounted below them (stable: the order given
	 * stays among equals) */
	for (size_t i = 1; (*out)[i]; i++) {
		char *x = (*out)[i];
		size_t dx = depth(strchr(strchr(x, '\t') + 1, '\t') + 1), j = i;
		while (j > 0 && depth(strchr(strchr((*out)[j - 1], '\t') + 1, '\t') + 1) > dx) {
			(*out)[j] = (*out)[j - 1];
			j--;
		}
		(*out)[j] = x;
	}
	return 0;
fail:
	strv_free(strv_builder_steal(&b));
	ctr_mounts_cleanup(s, c);
	return -1;
}

/* /tmp, /var/tmp and /run of a --read-only container (unless
 * --read-only-tmpfs=false): writable, as podman's */
static const char *const ro_tmpfs[] = {"/tmp", "/var/tmp", "/run", NULL};

/* Where burrow's default mounts go (container/bundle.c). */
static const char *const default_dests[] = {
    "/proc", "/dev",       "/dev/pts",         "/dev/shm",      "/dev/mqueue",
    "/sys",  "/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "/run/.containerenv",
    NULL};

/* Whether dest is a directory above one of the default mounts (which
 * must then come after it, or it would hide them). */
static bool above_defaults(const char *dest)
{
	size_t n = strlen(dest);
	while (n > 1 && dest[n - 1] == '/')
		n--;
	for (size_t i = 0; default_dests[i]; i++)
		if (strncmp(default_dests[i], dest, n) == 0 && default_dests[i][n] == '/')
			return true;
	return false;
}

/* Whether one of the mounts (stored format) goes to dest. */
static bool has_dest(char *const *mounts, const char *dest)
{
	bool mine = false;
	for (size_t k = 0; mounts && mounts[k] && !mine; k++) {
		cleanup_strv char **f = strv_split(mounts[k], '\t');
		mine = strv_len(f) > 2 && ctr_mount_same_dest(f[2], dest);
	}
	return mine;
}

/* The options of those tmpfs mounts. */
static const char *const ro_tmpfs_opts[] = {"rw", "nosuid", "nodev", "mode=1777", NULL};

void ctr_mounts_gen(yajl_gen g, char *const *prepared, bool readonly_tmpfs, bool early)
{
	for (size_t i = 0; readonly_tmpfs && ro_tmpfs[i]; i++)
		if (above_defaults(ro_tmpfs[i]) == early && !has_dest(prepared, ro_tmpfs[i]))
			ctr_spec_mount(g, ro_tmpfs[i], "tmpfs", "tmpfs", ro_tmpfs_opts);
	for (size_t i = 0; prepared && prepared[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(prepared[i], &m))
			continue;
		if (above_defaults(m.destination) != early) {
			ctr_mount_clear(&m);
			continue;
		}
		struct strv_builder o = {0};
		for (size_t k = 0; m.options[k]; k++)
			if (!strv_contains((char *const *)own_options, m.options[k]) &&
			    !str_has_prefix(m.options[k], "upperdir=") && !str_has_prefix(m.options[k], "workdir="))
				strv_builder_add(&o, m.options[k]);
		cleanup_strv char **opts = strv_builder_steal(&o);
		ctr_spec_mount(g, m.destination, m.type, m.source ? m.source : m.type, (const char *const *)opts);
		ctr_mount_clear(&m);
	}
}

char **ctr_mounts_with_implied(const struct ctr_config *c)
{
	struct strv_builder b = {0};
	for (size_t i = 0; c->mounts && c->mounts[i]; i++)
		strv_builder_add(&b, c->mounts[i]);
	for (size_t i = 0; c->read_only && !c->ro_no_tmpfs && ro_tmpfs[i]; i++) {
		struct ctr_mount m = {
		    .type = "tmpfs", .destination = (char *)ro_tmpfs[i], .options = (char **)ro_tmpfs_opts};
		if (!has_dest(c->mounts, ro_tmpfs[i]))
			strv_builder_take(&b, ctr_mount_format(&m));
	}
	return strv_builder_steal(&b);
}
