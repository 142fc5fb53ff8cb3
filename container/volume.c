/* Named volumes: records, creation, lookup, users, removal, prune (see
 * volume.h). Export and import are in volume_tar.c, filters in
 * volume_filter.c. */
#include "container/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/mount.h"
#include "container/secret.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"
#include "state/events.h"
#include "state/state.h"

#define VOL_KEY_PREFIX "vol/"

static char *vol_key(const char *name)
{
	return xasprintf(VOL_KEY_PREFIX "%s", name);
}

/* --- "key=value" lists --------------------------------------------------- */

static size_t kv_keylen(const char *item)
{
	return strcspn(item, "=");
}

const char *ctr_vol_kv_get(char *const *kv, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; kv && kv[i]; i++)
		if (kv_keylen(kv[i]) == n && strncmp(kv[i], key, n) == 0)
			return kv[i][n] ? kv[i] + n + 1 : kv[i] + n;
	return NULL;
}

static int kv_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t nx = kv_keylen(x), ny = kv_keylen(y);
	int c = strncmp(x, y, nx < ny ? nx : ny);
	return c ? c : (nx > ny) - (nx < ny);
}

/* Sets key=value in *kv, replacing the key's earlier value. */
static void kv_set(char ***kv, const char *key, size_t keylen, const char *value)
{
	char *item = xasprintf("%.*s=%s", (int)keylen, key, value);
	for (size_t i = 0; *kv && (*kv)[i]; i++) {
		if (kv_keylen((*kv)[i]) == keylen && strncmp((*kv)[i], key, keylen) == 0) {
			free((*kv)[i]);
			(*kv)[i] = item;
			return;
		}
	}
	strv_append_take(kv, item);
}

static void kv_sort(char **kv)
{
	size_t n = strv_len(kv);
	if (n > 1)
		qsort(kv, n, sizeof(*kv), kv_cmp);
}

/* "key=value" or "key" specs as typed into a sorted list, the last value of
 * a key winning. what: "label" or "option", for messages. */
static int kv_parse(char *const *specs, const char *what, char ***out, struct burrow_err **err)
{
	cleanup_strv char **kv = NULL;
	for (size_t i = 0; specs && specs[i]; i++) {
		size_t kl = kv_keylen(specs[i]);
		if (kl == 0)
			return burrow_error_status(err, EINVAL, "invalid %s '%s': it needs a key (KEY=VALUE)", what,
			                           str_quote(specs[i]));
		kv_set(&kv, specs[i], kl, specs[i][kl] ? specs[i] + kl + 1 : "");
	}
	kv_sort(kv);
	*out = steal_ptr(kv);
	return 0;
}

/* --- the record ----------------------------------------------------------- */

static void gen_kv(yajl_gen g, const char *key, char *const *kv)
{
	jg_key(g, key);
	jg_map_open(g);
	for (size_t i = 0; kv && kv[i]; i++) {
		size_t kl = kv_keylen(kv[i]);
		char *k = xstrndup(kv[i], kl);
		jg_key_str(g, k, kv[i][kl] ? kv[i] + kl + 1 : "");
		free(k);
	}
	jg_map_close(g);
}

char *ctr_vol_to_json(const struct ctr_vol *v)
{
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "name", v->name);
	jg_key_str(g, "driver", v->driver);
	jg_key_int(g, "created", v->created);
	gen_kv(g, "labels", v->labels);
	gen_kv(g, "options", v->options);
	jg_key_bool(g, "anonymous", v->anonymous);
	jg_key_str(g, "owner", v->owner);
	jg_key_strv(g, "users", v->users);
	jg_key_int(g, "uid", v->uid);
	jg_key_int(g, "gid", v->gid);
	jg_key_bool(g, "needs_copy_up", v->needs_copy_up);
	jg_key_bool(g, "needs_chown", v->needs_chown);
	jg_key_str(g, "device", v->device);
	jg_map_close(g);
	return json_gen_finish(g);
}

static char **kv_from_json(yajl_val obj)
{
	char **kv = NULL;
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++) {
		yajl_val val = obj->u.object.values[i];
		const char *k = obj->u.object.keys[i];
		if (*k && strchr(k, '=') == NULL && YAJL_IS_STRING(val))
			kv_set(&kv, k, strlen(k), YAJL_GET_STRING(val));
	}
	kv_sort(kv);
	return kv;
}

int ctr_vol_from_json(const char *json, struct ctr_vol *v, struct burrow_err **err)
{
	cleanup_yajl yajl_val t = json_parse(json, err);
	if (!t)
		return burrow_error_wrap(err, "volume record");
	memset(v, 0, sizeof(*v));
	const char *name = json_get_str(t, "name");
	if (!name || !state_valid_name(name))
		return burrow_error_status(err, EIO, "volume record is damaged: it has no valid name");
	const char *driver = json_get_str(t, "driver");
	const char *owner = json_get_str(t, "owner");
	v->name = xstrdup(name);
	v->driver = xstrdup(driver ? driver : CTR_VOL_DRIVER_LOCAL);
	v->created = json_get_int(t, "created", 0);
	v->labels = kv_from_json(json_get(t, "labels"));
	v->options = kv_from_json(json_get(t, "options"));
	v->anonymous = json_get_bool(t, "anonymous", false);
	v->owner = owner ? xstrdup(owner) : NULL;
	v->users = json_get_strv(t, "users");
	v->uid = json_get_int(t, "uid", -1);
	v->gid = json_get_int(t, "gid", -1);
	v->needs_copy_up = json_get_bool(t, "needs_copy_up", false);
	v->needs_chown = json_get_bool(t, "needs_chown", false);
	const char *device = json_get_str(t, "device");
	v->device = device ? xstrdup(device) : NULL;
	return 0;
}

const char *ctr_vol_device(const struct ctr_vol *v)
{
	const char *type = ctr_vol_kv_get(v->options, "type");
	if (!type || strcmp(type, "bind") != 0)
		return NULL;
	return v->device ? v->device : ctr_vol_kv_get(v->options, "device");
}

void ctr_vol_clear(struct ctr_vol *v)
{
	free(v->name);
	free(v->driver);
	strv_free(v->labels);
	strv_free(v->options);
	free(v->owner);
	strv_free(v->users);
	free(v->device);
	memset(v, 0, sizeof(*v));
}

void ctr_vol_list_free(struct ctr_vol *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ctr_vol_clear(&v[i]);
	free(v);
}

/* --- checking what create is given --------------------------------------- */

/* o= items each type takes: a bare word, or "name=" with a value */
static const char *const tmpfs_opts[] = {
    "size=",      "nr_inodes=",  "nr_blocks=", "mode=",    "uid=",  "gid=",  "huge=",   "ro",     "rw",
    "noexec",     "exec",        "nosuid",     "suid",     "nodev", "dev",   "noatime", "atime",  "relatime",
    "norelatime", "strictatime", "nodiratime", "diratime", "sync",  "async", "mand",    "nomand", NULL,
};
static const char *const bind_opts[] = {
    "bind", "rbind", "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", NULL,
};

static bool opt_known(const char *const *known, const char *item)
{
	size_t kl = kv_keylen(item);
	for (size_t i = 0; known[i]; i++) {
		size_t n = strlen(known[i]);
		bool takes_value = known[i][n - 1] == '=';
		if (takes_value ? (kl == n - 1 && item[kl] == '=' && strncmp(item, known[i], kl) == 0)
		                : strcmp(item, known[i]) == 0)
			return true;
	}
	return false;
}

static bool all_digits(const char *s, bool octal)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > (octal ? '7' : '9'))
			return false;
	return true;
}

static int bad_o(const char *item, const char *type, struct burrow_err **err)
{
	if (!*type)
		return burrow_error_status(err, EINVAL,
		                           "invalid volume option o=%s: a volume without type=tmpfs or type=bind takes "
		                           "only uid= and gid=",
		                           str_quote(item));
	return burrow_error_status(err, EINVAL, "invalid volume option o=%s for type=%s", str_quote(item), type);
}

/* Checks one item of o= for the volume's type ("" none, tmpfs, bind). */
static int check_o_item(const char *item, const char *type, struct burrow_err **err)
{
	const char *val = item + kv_keylen(item) + (item[kv_keylen(item)] ? 1 : 0);
	bool is_uid = str_has_prefix(item, "uid=") || str_has_prefix(item, "gid=");
	if (is_uid) {
		long long id;
		if (str_to_ll(val, 0, ID_MAX, &id) < 0)
			return burrow_error_status(err, EINVAL, "invalid volume option o=%s: not a numeric ID",
			                           str_quote(item));
		if (!*type || strcmp(type, "tmpfs") == 0)
			return 0;
		return bad_o(item, type, err);
	}
	if (!*type)
		return bad_o(item, type, err);
	const char *const *known = strcmp(type, "tmpfs") == 0 ? tmpfs_opts : bind_opts;
	if (!opt_known(known, item))
		return bad_o(item, type, err);
	bool ok = true;
	if (str_has_prefix(item, "size="))
		ok = ctr_tmpfs_amount(val, true);
	else if (str_has_prefix(item, "nr_inodes=") || str_has_prefix(item, "nr_blocks="))
		ok = ctr_tmpfs_amount(val, false);
	else if (str_has_prefix(item, "mode="))
		ok = all_digits(val, true) && strlen(val) <= 4;
	if (!ok)
		return burrow_error_status(err, EINVAL, "invalid volume option o=%s: bad value", str_quote(item));
	return 0;
}

/* The options of the local driver (see volume.h). */
static int check_options(char *const *kv, struct burrow_err **err)
{
	static const char *const keys[] = {"type", "device", "o", "copy", "nocopy", NULL};
	for (size_t i = 0; kv && kv[i]; i++) {
		size_t kl = kv_keylen(kv[i]);
		bool known = false;
		for (size_t k = 0; keys[k]; k++)
			known = known || (strlen(keys[k]) == kl && strncmp(kv[i], keys[k], kl) == 0);
		if (!known) {
			cleanup_free char *k = xstrndup(kv[i], kl);
			return burrow_error_status(
			    err, EINVAL,
			    "invalid volume option '%s' for driver 'local' (type, device, o, copy "
			    "or nocopy)",
			    str_quote(k));
		}
	}
	const char *type = ctr_vol_kv_get(kv, "type");
	const char *device = ctr_vol_kv_get(kv, "device");
	const char *o = ctr_vol_kv_get(kv, "o");
	if (!type || !*type)
		type = "";
	if (*type && strcmp(type, "tmpfs") != 0 && strcmp(type, "bind") != 0) {
		burrow_error_status(err, EINVAL,
		                    "unsupported volume type '%s': burrow can mount only type=tmpfs and "
		                    "type=bind volumes",
		                    str_quote(type));
		return burrow_error_hint(err, "other filesystems need mount(8) as root; mount it yourself and use "
		                              "-o type=bind -o device=DIR");
	}
	if (device && !*type)
		return burrow_error_status(err, EINVAL, "volume option device=%s needs type=bind (or type=tmpfs)",
		                           str_quote(device));
	if (strcmp(type, "bind") == 0 && (!device || !*device))
		return burrow_error_status(err, EINVAL, "a volume of type=bind needs device=DIR");
	if (ctr_vol_kv_get(kv, "copy") && ctr_vol_kv_get(kv, "nocopy"))
		return burrow_error_status(err, EINVAL, "volume options copy and nocopy exclude each other");
	const char *flags[] = {"copy", "nocopy"};
	for (size_t i = 0; i < 2; i++) {
		const char *v = ctr_vol_kv_get(kv, flags[i]);
		if (v && *v && strcmp(v, "true") != 0)
			return burrow_error_status(err, EINVAL, "volume option %s takes no value", flags[i]);
	}
	if (o) {
		cleanup_strv char **items = strv_split(o, ',');
		for (size_t i = 0; items[i]; i++) {
			if (!*items[i])
				continue;
			if (check_o_item(items[i], type, err) < 0)
				return -1;
		}
	}
	return 0;
}

int ctr_vol_create_check(const struct ctr_vol_create_opts *o, struct burrow_err **err)
{
	if (o->name && !state_valid_name(o->name))
		return burrow_error_status(err, EINVAL,
		                           "invalid volume name '%s': names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at "
		                           "most 253 characters)",
		                           str_quote(o->name));
	if (o->driver && strcmp(o->driver, CTR_VOL_DRIVER_LOCAL) != 0)
		return burrow_error_status(err, EINVAL,
		                           "volume driver '%s' is not supported: burrow has the 'local' "
		                           "driver only",
		                           str_quote(o->driver));
	if ((o->uid < -1 || o->uid > ID_MAX) || (o->gid < -1 || o->gid > ID_MAX))
		return burrow_error_status(err, EINVAL, "invalid volume owner: IDs go from 0 to %lld", ID_MAX);
	cleanup_strv char **labels = NULL, **options = NULL;
	if (kv_parse(o->labels, "label", &labels, err) < 0 || kv_parse(o->options, "option", &options, err) < 0)
		return -1;
	return check_options(options, err);
}

/* --- directories ----------------------------------------------------------- */

char *ctr_vol_data_path(struct state_store *s, const char *name)
{
	return xasprintf("%s/volumes/%s/_data", state_root(s), name);
}

/* ROOT/volumes, opened without following a symlink (made when missing,
 * 0700). */
static int open_volumes_dir(struct state_store *s, bool make, struct burrow_err **err)
{
	cleanup_close int rootfd = open(state_root(s), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return burrow_error(err, errno, "cannot open storage root '%s'", str_quote(state_root(s)));
	if (make && mkdirat(rootfd, "volumes", 0700) < 0 && errno != EEXIST)
		return burrow_error(err, errno, "cannot create directory '%s/volumes'", str_quote(state_root(s)));
	int fd = openat(rootfd, "volumes", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open '%s/volumes'", str_quote(state_root(s)));
	return fd;
}

/* A bind volume's device, by the path volume create stored (absolute,
 * its links resolved there): the parents are the user's directories, but
 * the device's own place may now hold a link that a container with the
 * parent mounted put there, leading to any directory of the user's. That
 * link is refused, never followed. */
static int open_device(const struct ctr_vol *v, const char *device, struct burrow_err **err)
{
	cleanup_free char *parent = xstrdup(device);
	char *slash = strrchr(parent, '/');
	const char *base = slash && slash[1] ? slash + 1 : ".";
	if (slash)
		slash[slash == parent] = '\0'; /* "/x": the parent is "/" */
	cleanup_close int pfd = open(slash ? parent : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = pfd < 0 ? -1 : openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	int e = errno;
	struct stat st;
	if (pfd >= 0 && (e == ELOOP || e == ENOTDIR) && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode)) {
		burrow_error_status(err, ELOOP,
		                    "volume '%s': its device '%s' is now a symbolic link: refusing to follow it",
		                    str_quote(v->name), str_quote(device));
		return burrow_error_hint(err, "a container with its parent mounted may have put it there; put the "
		                              "directory back, or make the volume again with device=DIR");
	}
	return burrow_error(err, e, "volume '%s': cannot open its device '%s'", str_quote(v->name), str_quote(device));
}

int ctr_vol_open_for_copy_up(struct state_store *s, const struct ctr_vol *v, struct burrow_err **err)
{
	const char *device = ctr_vol_device(v);
	if (device)
		return open_device(v, device, err);
	return ctr_vol_open_contents(s, v, err);
}

int ctr_vol_open_contents(struct state_store *s, const struct ctr_vol *v, struct burrow_err **err)
{
	const char *device = ctr_vol_device(v);
	if (device) {
		/* the user's own host directory: a symlink there is theirs (a
		 * running user's swap is caught by the caller, against what it
		 * has mounted) */
		int fd = open(device, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return burrow_error(err, errno, "volume '%s': cannot open its device '%s'", str_quote(v->name),
			                    str_quote(device));
		return fd;
	}
	cleanup_close int volfd = open_volumes_dir(s, false, err);
	if (volfd < 0)
		return burrow_error_wrap(err, "volume '%s'", str_quote(v->name));
	cleanup_close int nfd = openat(volfd, v->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = nfd < 0 ? -1 : openat(nfd, "_data", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		cleanup_free char *path = ctr_vol_data_path(s, v->name);
		burrow_error(err, errno, "volume '%s': cannot open '%s'", str_quote(v->name), str_quote(path));
		return burrow_error_hint(err,
		                         "its directory is missing or damaged: remove the volume (burrow volume rm) "
		                         "and create it again");
	}
	return fd;
}

int ctr_vol_is_empty(struct state_store *s, const struct ctr_vol *v, bool *empty, struct burrow_err **err)
{
	const char *type = ctr_vol_kv_get(v->options, "type");
	if (type && strcmp(type, "tmpfs") == 0) {
		*empty = true;
		return 0;
	}
	cleanup_close int fd = ctr_vol_open_contents(s, v, err);
	if (fd < 0)
		return -1;
	return ctr_vol_dir_is_empty(fd, v, empty, err);
}

int ctr_vol_dir_is_empty(int dirfd, const struct ctr_vol *v, bool *empty, struct burrow_err **err)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return burrow_error(err, errno, "volume '%s': cannot read its directory", str_quote(v->name));
	cleanup_dir DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return burrow_error(err, e, "volume '%s': cannot read its directory", str_quote(v->name));
	}
	*empty = true;
	errno = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			*empty = false;
			return 0;
		}
	}
	if (errno)
		return burrow_error(err, errno, "volume '%s': cannot read its directory", str_quote(v->name));
	return 0;
}

static int chown_error(int e, const struct ctr_vol *v, struct burrow_err **err)
{
	char owner[48];
	if (v->gid < 0)
		snprintf(owner, sizeof(owner), "uid %lld", v->uid);
	else if (v->uid < 0)
		snprintf(owner, sizeof(owner), "gid %lld", v->gid);
	else
		snprintf(owner, sizeof(owner), "%lld:%lld", v->uid, v->gid);
	if (e != EINVAL)
		return burrow_error(err, e, "cannot give volume '%s' to %s", str_quote(v->name), owner);
	burrow_error_status(err, EINVAL, "cannot give volume '%s' to %s: burrow's user namespace does not map it",
	                    str_quote(v->name), owner);
	return burrow_error_hint(err, "only the IDs in /etc/subuid and /etc/subgid (and 0) exist in the namespace: add "
	                              "a range for your user, then run 'burrow system migrate'");
}

/* Makes volumes/<name>/_data (a leftover of that name, whose record is
 * gone, is removed first); on failure nothing of it stays. */
static int make_dirs(struct state_store *s, int volfd, const struct ctr_vol *v, struct burrow_err **err)
{
	struct stat st;
	if (fstatat(volfd, v->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		burrow_debug("volume '%s': removing the directory a removal or creation killed half-way left",
		             str_quote(v->name));
		if (rm_rf_at(volfd, v->name, err) < 0)
			return burrow_error_wrap(err, "volume '%s': cannot remove a leftover directory",
			                         str_quote(v->name));
	}
	if (mkdirat(volfd, v->name, 0700) < 0)
		return burrow_error(err, errno, "cannot create directory '%s/volumes/%s'", str_quote(state_root(s)),
		                    str_quote(v->name));
	cleanup_close int nfd = openat(volfd, v->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int dfd = -1;
	int e = 0;
	const char *what = "cannot create directory";
	if (nfd < 0 || (mkdirat(nfd, "_data", 0755) < 0 && errno != EEXIST) ||
	    (dfd = openat(nfd, "_data", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fchmod(dfd, 0755) < 0) /* whatever the umask */
		e = errno;
	if (!e && (v->uid >= 0 || v->gid >= 0) &&
	    fchown(dfd, v->uid >= 0 ? (uid_t)v->uid : (uid_t)-1, v->gid >= 0 ? (gid_t)v->gid : (gid_t)-1) < 0) {
		e = errno;
		what = NULL;
	}
	if (!e)
		return 0;
	if (what) {
		cleanup_free char *path = ctr_vol_data_path(s, v->name);
		burrow_error(err, e, "%s '%s'", what, str_quote(path));
	} else {
		chown_error(e, v, err);
	}
	cleanup_err struct burrow_err *e2 = NULL;
	if (rm_rf_at(volfd, v->name, &e2) < 0)
		burrow_debug("cannot remove '%s' after a failed create: %s", str_quote(v->name), e2->msg);
	return -1;
}

/* --- create -------------------------------------------------------------- */

/* The volume o describes, before it is stored. */
static int build(const struct ctr_vol_create_opts *o, struct ctr_vol *v, struct burrow_err **err)
{
	memset(v, 0, sizeof(*v));
	v->uid = o->uid;
	v->gid = o->gid;
	if (kv_parse(o->labels, "label", &v->labels, err) < 0 || kv_parse(o->options, "option", &v->options, err) < 0)
		return -1;
	v->name = o->name ? xstrdup(o->name) : state_new_id();
	v->driver = xstrdup(CTR_VOL_DRIVER_LOCAL);
	v->created = time_wall_ns();
	v->anonymous = o->anonymous;
	/* the create that made it: a killed one's sweep removes it */
	v->owner = o->user ? xstrdup(o->user) : NULL;
	if (o->user)
		strv_append(&v->users, o->user);
	const char *type = ctr_vol_kv_get(v->options, "type");
	const char *device = ctr_vol_kv_get(v->options, "device");
	const char *oo = ctr_vol_kv_get(v->options, "o");
	/* o=uid=/gid= of a plain volume own its directory, as --uid/--gid */
	if ((!type || !*type) && oo) {
		cleanup_strv char **items = strv_split(oo, ',');
		for (size_t i = 0; items[i]; i++) {
			long long id;
			if (str_has_prefix(items[i], "uid=") && v->uid < 0 &&
			    str_to_ll(items[i] + 4, 0, ID_MAX, &id) == 0)
				v->uid = id;
			if (str_has_prefix(items[i], "gid=") && v->gid < 0 &&
			    str_to_ll(items[i] + 4, 0, ID_MAX, &id) == 0)
				v->gid = id;
		}
	}
	v->needs_copy_up = ctr_vol_kv_get(v->options, "nocopy") == NULL;
	v->needs_chown = v->uid < 0 && v->gid < 0;
	if (type && strcmp(type, "bind") == 0 && device) {
		/* kept absolute (the mount happens from another directory),
		 * its links resolved: a link in its place later is refused; the
		 * option stays as given, as podman's */
		cleanup_free char *abs = NULL;
		if (device[0] != '/') {
			cleanup_free char *cwd = getcwd(NULL, 0);
			if (!cwd)
				return burrow_error(err, errno, "cannot resolve device '%s'", str_quote(device));
			abs = path_join(cwd, device);
		} else {
			abs = xstrdup(device);
		}
		struct stat st;
		if (stat(abs, &st) < 0)
			return burrow_error(err, errno, "invalid volume option device=%s", str_quote(device));
		if (!S_ISDIR(st.st_mode))
			return burrow_error_status(err, ENOTDIR, "invalid volume option device=%s: not a directory",
			                           str_quote(device));
		cleanup_free char *real = realpath(abs, NULL);
		if (!real)
			return burrow_error(err, errno, "invalid volume option device=%s", str_quote(device));
		v->device = steal_ptr(real);
	}
	return 0;
}

/* The existing volume for create --ignore (o->user added to its users). */
static int take_existing(struct state_store *s, const char *name, const char *user, struct ctr_vol *out,
                         struct burrow_err **err)
{
	if (user && ctr_vol_use(s, name, user, err) < 0)
		return -1;
	struct ctr_vol v;
	if (ctr_vol_load(s, name, &v, err) < 0)
		return -1;
	if (out)
		*out = v;
	else
		ctr_vol_clear(&v);
	return 0;
}

int ctr_vol_create(struct state_store *s, const struct ctr_vol_create_opts *o, struct ctr_vol *out, bool *existed,
                   struct burrow_err **err)
{
	if (existed)
		*existed = false;
	if (ctr_vol_create_check(o, err) < 0)
		return -1;
	struct ctr_vol v;
	if (build(o, &v, err) < 0) {
		ctr_vol_clear(&v);
		return -1;
	}
	cleanup_free char *key = vol_key(v.name);
	int lock = state_lock_name(s, VOL_LOCK_KIND, v.name, err);
	if (lock < 0) {
		ctr_vol_clear(&v);
		return -1;
	}
	int rc = -1;
	cleanup_close int volfd = -1;
	cleanup_free char *json = NULL;
	int r = state_get(s, STATE_DB, key, &json, err);
	if (r < 0)
		goto out;
	if (r == 0) {
		if (!o->ignore) {
			burrow_error_status(err, EEXIST, "volume '%s' already exists", str_quote(v.name));
			goto out;
		}
		if (take_existing(s, v.name, o->user, out, err) == 0) {
			if (existed)
				*existed = true;
			rc = 0;
		}
		goto out;
	}
	if ((volfd = open_volumes_dir(s, true, err)) < 0 || make_dirs(s, volfd, &v, err) < 0)
		goto out;
	free(json);
	json = ctr_vol_to_json(&v);
	if (state_insert(s, STATE_DB, key, json, err) < 0) {
		cleanup_err struct burrow_err *e2 = NULL;
		if (rm_rf_at(volfd, v.name, &e2) < 0)
			burrow_debug("cannot remove '%s' after a failed create: %s", str_quote(v.name), e2->msg);
		burrow_error_wrap(err, "cannot create volume '%s'", str_quote(v.name));
		goto out;
	}
	state_event_obj(s, "volume", "create", NULL, v.name);
	rc = 0;
	if (out) {
		*out = v;
		memset(&v, 0, sizeof(v));
	}
out:
	/* a volume that is not there does not keep a lock file */
	if (rc < 0 && r == 1)
		state_unlock_name_remove(s, VOL_LOCK_KIND, v.name, lock);
	else
		state_unlock(lock);
	ctr_vol_clear(&v);
	return rc;
}

/* --- lookup and listing -------------------------------------------------- */

int ctr_vol_load(struct state_store *s, const char *name, struct ctr_vol *v, struct burrow_err **err)
{
	if (!state_valid_name(name))
		return burrow_error_status(err, ENOENT, "no such volume '%s'", str_quote(name));
	cleanup_free char *key = vol_key(name);
	cleanup_free char *json = NULL;
	int r = state_get(s, STATE_DB, key, &json, err);
	if (r < 0)
		return -1;
	if (r == 1)
		return burrow_error_status(err, ENOENT, "no such volume '%s'", str_quote(name));
	cleanup_err struct burrow_err *bad = NULL;
	if (ctr_vol_from_json(json, v, &bad) < 0)
		return burrow_error_status(err, EBADMSG, "volume '%s': its record cannot be read (%s)", str_quote(name),
		                           bad->msg);
	return 0;
}

int ctr_vol_exists(struct state_store *s, const char *name, bool *exists, struct burrow_err **err)
{
	*exists = false;
	if (!state_valid_name(name))
		return 0;
	cleanup_free char *key = vol_key(name);
	cleanup_free char *json = NULL;
	int r = state_get(s, STATE_DB, key, &json, err);
	if (r < 0)
		return -1;
	*exists = r == 0;
	return 0;
}

int ctr_vol_lookup(struct state_store *s, const char *ref, char **name, struct burrow_err **err)
{
	bool exact;
	if (ctr_vol_exists(s, ref, &exact, err) < 0)
		return -1;
	if (exact) {
		*name = xstrdup(ref);
		return 0;
	}
	if (!state_valid_name(ref))
		return burrow_error_status(err, ENOENT, "no such volume '%s'", str_quote(ref ? ref : ""));
	/* a unique prefix of a name, as podman takes it */
	cleanup_free char *prefix = vol_key(ref);
	cleanup_strv char **keys = NULL;
	size_t n = 0;
	if (state_keys(s, STATE_DB, prefix, &keys, &n, err) < 0)
		return -1;
	if (n == 0)
		return burrow_error_status(err, ENOENT, "no such volume '%s'", str_quote(ref));
	if (n > 1) {
		size_t plen = strlen(VOL_KEY_PREFIX);
		return burrow_error_status(
		    err, EINVAL, "'%s' is ambiguous: it starts the names of volumes '%s', '%s'%s", str_quote(ref),
		    str_quote(keys[0] + plen), str_quote(keys[1] + plen), n > 2 ? " and more" : "");
	}
	*name = xstrdup(keys[0] + strlen(VOL_KEY_PREFIX));
	return 0;
}

struct list_ctx {
	struct ctr_vol *items;
	size_t n;
};

static int list_one(const char *key, const char *json, void *data, struct burrow_err **err)
{
	struct list_ctx *l = data;
	(void)err;
	struct ctr_vol v;
	cleanup_err struct burrow_err *bad = NULL;
	if (ctr_vol_from_json(json, &v, &bad) < 0) {
		/* as ps's: one unreadable record must not hide the others */
		burrow_warn("volume '%s': its record cannot be read (%s): skipped",
		            str_quote(key + strlen(VOL_KEY_PREFIX)), bad->msg);
		return 0;
	}
	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n++] = v;
	return 0;
}

int ctr_vol_list(struct state_store *s, struct ctr_vol **out, size_t *n, struct burrow_err **err)
{
	/* state_each walks sorted by key: by name */
	struct list_ctx l = {0};
	if (state_each(s, STATE_DB, VOL_KEY_PREFIX, list_one, &l, err) < 0) {
		ctr_vol_list_free(l.items, l.n);
		return -1;
	}
	*out = l.items;
	*n = l.n;
	return 0;
}

/* --- users ---------------------------------------------------------------- */

int ctr_vol_save(struct state_store *s, const struct ctr_vol *v, struct burrow_err **err)
{
	cleanup_free char *key = vol_key(v->name);
	cleanup_free char *json = ctr_vol_to_json(v);
	return state_put(s, STATE_DB, key, json, err);
}

/* Adds (add) or drops ctr_id in the users of volume name, in one
 * transaction (the caller's when one is open). */
static int change_users(struct state_store *s, const char *name, const char *ctr_id, bool add, struct burrow_err **err)
{
	bool own = !state_in_tx(s, STATE_DB);
	if (own && state_tx_begin(s, STATE_DB, err) < 0)
		return -1;
	struct ctr_vol v = {0};
	int rc = ctr_vol_load(s, name, &v, err);
	if (rc < 0 && !add && ((*err)->status == ENOENT || (*err)->status == EBADMSG)) {
		/* dropping a user of a volume that is gone, or whose record
		 * cannot be read: its users are never read from that (volume rm
		 * finds them from the containers' mounts; volume ls warns of
		 * it), so nothing to do, and no warning (rm of a container that
		 * uses it, volume rm -f removing its users first) */
		burrow_debug("%s: container %.12s not dropped from it", (*err)->msg, ctr_id);
		burrow_err_free(steal_ptr(*err));
		rc = 1;
	}
	if (rc == 0) {
		bool has = strv_contains(v.users, ctr_id);
		if (add && !has) {
			strv_append(&v.users, ctr_id);
			rc = ctr_vol_save(s, &v, err);
		} else if (!add && has) {
			char **kept = NULL;
			for (size_t i = 0; v.users[i]; i++)
				if (strcmp(v.users[i], ctr_id) != 0)
					strv_append(&kept, v.users[i]);
			strv_free(v.users);
			v.users = kept;
			rc = ctr_vol_save(s, &v, err);
		}
	}
	ctr_vol_clear(&v);
	if (!own)
		return rc < 0 ? -1 : 0;
	if (rc < 0) {
		state_tx_cancel(s, STATE_DB);
		return -1;
	}
	return state_tx_commit(s, STATE_DB, err);
}

int ctr_vol_use(struct state_store *s, const char *name, const char *ctr_id, struct burrow_err **err)
{
	return change_users(s, name, ctr_id, true, err);
}

int ctr_vol_unuse(struct state_store *s, const char *name, const char *ctr_id, struct burrow_err **err)
{
	return change_users(s, name, ctr_id, false, err);
}

/* The record of id stored meanwhile: 1 (*name its name), else 0. */
static int user_stored(struct state_store *s, const char *id, char **name)
{
	cleanup_err struct burrow_err *e = NULL;
	struct ctr_config c = {0};
	int r = ctr_config_load(s, id, &c, &e) == 0;
	if (r)
		*name = steal_ptr(c.name);
	ctr_config_clear(&c);
	return r;
}

/* A user without a record: 1 when it is a create under way (it holds
 * its lock, and its mark is there: ctr_create_pending_begin), which
 * stores its record later, or when a create stored it meanwhile (looked
 * up again; *name is then its name); 0 when it is gone (removed, or a
 * create killed half-way, whose sweep drops it). A create stores its
 * record, then removes its mark, then unlocks: a held lock without the
 * mark is looked up again after the mark, so that window is not taken
 * for gone. */
static int user_being_created(struct state_store *s, const char *id, char **name)
{
	cleanup_err struct burrow_err *e = NULL;
	int lock = state_lock_try(s, id, &e);
	if (lock < 0) {
		if (e->status != EWOULDBLOCK)
			return 0;
		if (ctr_create_pending_marked(s, id))
			return 1;
		return user_stored(s, id, name);
	}
	int r = user_stored(s, id, name);
	if (r)
		state_unlock(lock);
	else
		state_unlock_remove(s, id, lock); /* taken only to look */
	return r;
}

int ctr_vol_users(struct state_store *s, const struct ctr_vol *v, char ***ids, char ***names, struct burrow_err **err)
{
	cleanup_strv char **i_out = xcalloc(1, sizeof(char *));
	cleanup_strv char **n_out = xcalloc(1, sizeof(char *));
	for (size_t i = 0; v->users && v->users[i]; i++) {
		struct ctr_config c = {0};
		if (ctr_config_load(s, v->users[i], &c, err) < 0) {
			if ((*err)->status != ENOENT)
				return -1;
			burrow_err_free(steal_ptr(*err));
			/* removed meanwhile: no longer a user; being created: one
			 * (a volume rm or a killed create's sweep must not remove
			 * what a create about to store its record uses) */
			char *name = NULL;
			if (user_being_created(s, v->users[i], &name)) {
				strv_append(&i_out, v->users[i]);
				strv_append_take(&n_out, name ? name : xasprintf("%.12s (being created)", v->users[i]));
			}
			continue;
		}
		strv_append(&i_out, v->users[i]);
		strv_append(&n_out, c.name);
		ctr_config_clear(&c);
	}
	*ids = steal_ptr(i_out);
	if (names)
		*names = steal_ptr(n_out);
	return 0;
}

/* --- removal -------------------------------------------------------------- */

/* "'web', 'db'" */
static char *quoted_list(char *const *v)
{
	size_t cap = 64, len = 0;
	char *out = xmalloc(cap);
	out[0] = '\0';
	for (size_t i = 0; v && v[i]; i++) {
		const char *q = str_quote(v[i]);
		size_t need = len + strlen(q) + 5;
		if (need > cap) {
			cap = need * 2;
			out = xrealloc(out, cap);
		}
		len += (size_t)sprintf(out + len, "%s'%s'", i ? ", " : "", q);
	}
	return out;
}

struct mounters {
	const char *name;
	char ***ids;
};

static int collect_mounters(struct ctr_config *c, void *data, struct burrow_err **err)
{
	(void)err;
	struct mounters *m = data;
	for (size_t i = 0; c->mounts && c->mounts[i]; i++) {
		struct ctr_mount mt;
		if (!ctr_mount_try(c->mounts[i], &mt))
			continue;
		if (strcmp(mt.type, "volume") == 0 && mt.source && strcmp(mt.source, m->name) == 0 &&
		    !strv_contains(*m->ids, c->id))
			strv_append(m->ids, c->id);
		ctr_mount_clear(&mt);
	}
	return 0;
}

/* Volume name's record, as ctr_vol_load reads it; or, when it cannot be
 * read (a torn write, another version's), a volume of that name whose
 * users are the containers whose mounts name it (every container record
 * read: one that cannot be read fails, naming it), for volume rm to
 * remove it: *damaged true. */
static int load_for_removal(struct state_store *s, const char *name, struct ctr_vol *v, bool *damaged,
                            struct burrow_err **err)
{
	*damaged = false;
	cleanup_err struct burrow_err *e = NULL;
	if (ctr_vol_load(s, name, v, &e) == 0)
		return 0;
	bool exists = false;
	if (ctr_vol_exists(s, name, &exists, err) < 0)
		return -1;
	if (!exists || e->status == ENOENT) {
		*err = steal_ptr(e);
		return -1;
	}
	*v = (struct ctr_vol){.name = xstrdup(name), .users = xcalloc(1, sizeof(char *))};
	struct mounters m = {name, &v->users};
	if (ctr_config_each_strict(s, collect_mounters, &m, err) < 0) {
		ctr_vol_clear(v);
		return -1;
	}
	burrow_debug("volume '%s': its record cannot be read (%s): removed as one that %zu containers use",
	             str_quote(name), e->msg, strv_len(v->users));
	*damaged = true;
	return 0;
}

/* The containers that use the volume, removed for rm -f (running ones
 * killed, or stopped with timeout >= 0), and their references dropped. */
static int remove_users(struct state_store *s, const char *name, int timeout, struct burrow_err **err)
{
	struct ctr_vol v;
	bool damaged = false;
	if (load_for_removal(s, name, &v, &damaged, err) < 0)
		return -1;
	cleanup_strv char **ids = NULL;
	int rc = ctr_vol_users(s, &v, &ids, NULL, err);
	for (size_t i = 0; rc == 0 && ids[i]; i++) {
		burrow_debug("removing container %.12s: it uses volume '%s'", ids[i], str_quote(name));
		if (ctr_remove(s, ids[i], true, timeout, err) < 0) {
			if ((*err)->status != ENOENT) {
				burrow_error_wrap(err, "cannot remove volume '%s'", str_quote(name));
				rc = -1;
				break;
			}
			/* no record: a create under way keeps its use (the removal
			 * says it is in use), one gone meanwhile counts no more */
			burrow_err_free(steal_ptr(*err));
			continue;
		}
		if (!damaged) /* a damaged record's users are not in it */
			rc = ctr_vol_unuse(s, name, ids[i], err);
	}
	ctr_vol_clear(&v);
	return rc;
}

/* Deletes the record of an unused volume, then its directory; under the
 * volume's lock. In use: EBUSY naming the containers. */
static int delete_unused(struct state_store *s, const char *name, struct burrow_err **err)
{
	int lock = state_lock_name(s, VOL_LOCK_KIND, name, err);
	if (lock < 0)
		return -1;
	cleanup_free char *key = vol_key(name);
	struct ctr_vol v = {0};
	int rc = -1;
	bool damaged = false;
	cleanup_strv char **ids = NULL, **names = NULL;
	cleanup_close int volfd = -1;
	if (state_tx_begin(s, STATE_DB, err) < 0)
		goto out;
	if (load_for_removal(s, name, &v, &damaged, err) < 0 || ctr_vol_users(s, &v, &ids, &names, err) < 0) {
		state_tx_cancel(s, STATE_DB);
		goto out;
	}
	if (ids[0]) {
		state_tx_cancel(s, STATE_DB);
		cleanup_free char *list = quoted_list(names);
		burrow_error_status(err, EBUSY, "volume '%s' is in use by container%s %s", str_quote(name),
		                    ids[1] ? "s" : "", list);
		burrow_error_hint(err,
		                  "remove the container%s first, or use 'burrow volume rm -f', which removes "
		                  "them too",
		                  ids[1] ? "s" : "");
		goto out;
	}
	if (state_del(s, STATE_DB, key, err) < 0 || state_tx_commit(s, STATE_DB, err) < 0) {
		state_tx_cancel(s, STATE_DB);
		goto out;
	}
	/* the record is gone: from here on the volume is, whatever happens to
	 * its files (a leftover directory is removed by the next create of
	 * that name, or by prune) */
	state_event_obj(s, "volume", "remove", NULL, name);
	rc = 0;
	volfd = open_volumes_dir(s, false, err);
	if (volfd < 0 || rm_rf_at(volfd, name, err) < 0) {
		burrow_error_wrap(err, "volume '%s' is removed, but not all of its files", str_quote(name));
		rc = -1;
	}
out:
	if (rc == 0 || (v.name == NULL && *err && (*err)->status == ENOENT))
		state_unlock_name_remove(s, VOL_LOCK_KIND, name, lock);
	else
		state_unlock(lock);
	ctr_vol_clear(&v);
	return rc;
}

int ctr_vol_remove(struct state_store *s, const char *ref, bool force, int timeout, char **name_out,
                   struct burrow_err **err)
{
	cleanup_free char *name = NULL;
	if (ctr_vol_lookup(s, ref, &name, err) < 0)
		return -1;
	/* the containers go first, without the volume's lock: removing a
	 * container may remove its anonymous volumes, this one among them */
	if (force && remove_users(s, name, timeout, err) < 0) {
		if ((*err)->status != ENOENT)
			return -1;
		burrow_err_free(steal_ptr(*err));
	}
	if (delete_unused(s, name, err) < 0) {
		if (!force || (*err)->status != ENOENT)
			return -1;
		/* it went with its containers */
		burrow_err_free(steal_ptr(*err));
	}
	if (name_out)
		*name_out = steal_ptr(name);
	return 0;
}

/* --- prune ----------------------------------------------------------------- */

/* Directories in volumes/ whose record is gone (a create or a removal
 * killed half-way): removed, each under its volume's lock. */
static void remove_orphans(struct state_store *s)
{
	cleanup_err struct burrow_err *e = NULL;
	cleanup_close int volfd = open_volumes_dir(s, false, &e);
	if (volfd < 0)
		return;
	int dfd = openat(volfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	cleanup_strv char **names = NULL;
	struct dirent *de;
	while ((de = readdir(d)))
		if (state_valid_name(de->d_name))
			strv_append(&names, de->d_name);
	for (size_t i = 0; names && names[i]; i++) {
		bool exists = true;
		if (ctr_vol_exists(s, names[i], &exists, &e) < 0 || exists)
			continue;
		int lock = state_lock_name(s, VOL_LOCK_KIND, names[i], &e);
		if (lock < 0)
			continue;
		if (ctr_vol_exists(s, names[i], &exists, &e) == 0 && !exists) {
			burrow_debug("removing '%s' in volumes/: no volume has it", str_quote(names[i]));
			if (rm_rf_at(volfd, names[i], &e) < 0)
				burrow_debug("cannot remove it: %s", e->msg);
		}
		burrow_err_free(steal_ptr(e));
		state_unlock_name_remove(s, VOL_LOCK_KIND, names[i], lock);
	}
}

int ctr_vol_prune(struct state_store *s, const struct ctr_vol_filters *f, bool all, bool dry_run, ctr_vol_prune_fn fn,
                  void *data, struct burrow_err **err)
{
	struct ctr_vol *list = NULL;
	size_t n = 0;
	if (ctr_vol_list(s, &list, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct ctr_vol *v = &list[i];
		if (!all && !v->anonymous)
			continue;
		cleanup_strv char **ids = NULL;
		if (ctr_vol_users(s, v, &ids, NULL, err) < 0) {
			rc = -1;
			break;
		}
		if (ids[0] || (f && !ctr_vol_filters_match(f, v, false)))
			continue;
		if (dry_run) {
			fn(v->name, NULL, data);
			continue;
		}
		cleanup_err struct burrow_err *e = NULL;
		if (delete_unused(s, v->name, &e) < 0) {
			/* taken into use, or removed, meanwhile: not pruned */
			if (e->status == EBUSY || e->status == ENOENT)
				continue;
			fn(v->name, e, data);
			continue;
		}
		fn(v->name, NULL, data);
	}
	ctr_vol_list_free(list, n);
	if (rc == 0 && !dry_run)
		remove_orphans(s);
	if (rc == 0 && !dry_run)
		state_event_obj(s, "volume", "prune", NULL, NULL);
	return rc;
}
