/* What a container does with secrets: --secret parsed, its copies made at
 * create, mounted or put into the environment at each start (secret.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/secret.h"
#include "container/volume.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"
#include "userns/userns.h"

#define SECRETS_DIR "/run/secrets"
#define SECRET_MODE_DEFAULT 0444

void ctr_secret_use_clear(struct ctr_secret_use *u)
{
	free(u->name);
	free(u->id);
	free(u->target);
	memset(u, 0, sizeof(*u));
}

static bool env_name_ok(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* A mount target: absolute, or relative to /run/secrets; never with a ".."
 * component (a target is a path inside the container, and the runtime
 * resolves it inside the root anyway), nor a tab or newline. */
static int mount_target(const char *t, char **out, struct burrow_err **err)
{
	if (!*t || strpbrk(t, "\t\n"))
		return burrow_error_status(err, EINVAL, "invalid --secret target '%s'", str_quote(t));
	cleanup_strv char **parts = strv_split(t, '/');
	for (size_t i = 0; parts[i]; i++)
		if (strcmp(parts[i], "..") == 0)
			return burrow_error_status(err, EINVAL, "invalid --secret target '%s': '..' is not allowed",
			                           str_quote(t));
	char *p = t[0] == '/' ? xstrdup(t) : xasprintf(SECRETS_DIR "/%s", t);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	if (strcmp(p, "/") == 0 || strcmp(p, SECRETS_DIR) == 0) {
		free(p);
		return burrow_error_status(err, EINVAL, "invalid --secret target '%s': it names a directory",
		                           str_quote(t));
	}
	*out = p;
	return 0;
}

int ctr_secret_use_parse(const char *spec, struct ctr_secret_use *u, struct burrow_err **err)
{
	memset(u, 0, sizeof(*u));
	u->uid = u->gid = 0;
	u->mode = SECRET_MODE_DEFAULT;
	cleanup_strv char **items = strv_split(spec, ',');
	const char *target = NULL, *type = NULL;
	bool owner_set = false;
	const char *bad_item = NULL;
	for (size_t i = 0; items[i]; i++) {
		char *it = items[i];
		char *eq = strchr(it, '=');
		if (!eq) {
			if (i != 0) {
				bad_item = it;
				goto bad;
			}
			free(u->name);
			u->name = xstrdup(it);
			continue;
		}
		*eq = '\0';
		const char *v = eq + 1;
		long long n;
		if (strcmp(it, "source") == 0 || strcmp(it, "src") == 0) {
			free(u->name);
			u->name = xstrdup(v);
		} else if (strcmp(it, "type") == 0) {
			if (strcmp(v, "mount") != 0 && strcmp(v, "env") != 0) {
				ctr_secret_use_clear(u);
				return burrow_error_status(err, EINVAL, "invalid --secret type '%s': mount or env",
				                           str_quote(v));
			}
			type = v;
		} else if (strcmp(it, "target") == 0 || strcmp(it, "dst") == 0) {
			target = v;
		} else if (strcmp(it, "uid") == 0 || strcmp(it, "gid") == 0) {
			if (str_to_ll(v, 0, ID_MAX, &n) < 0) {
				ctr_secret_use_clear(u);
				return burrow_error_status(err, EINVAL,
				                           "invalid --secret %s '%s': a number from 0 to %lld", it,
				                           str_quote(v), ID_MAX);
			}
			*(it[0] == 'u' ? &u->uid : &u->gid) = n;
			owner_set = true;
		} else if (strcmp(it, "mode") == 0) {
			char *end = NULL;
			errno = 0;
			unsigned long m = *v ? strtoul(v, &end, 8) : 0;
			if (!*v || *end || errno || m > 07777) {
				ctr_secret_use_clear(u);
				return burrow_error_status(
				    err, EINVAL, "invalid --secret mode '%s': octal, at most 7777", str_quote(v));
			}
			u->mode = (unsigned)m;
			owner_set = true;
		} else {
			*eq = '=';
			bad_item = it;
			goto bad;
		}
	}
	if (!u->name || !state_valid_name(u->name)) {
		ctr_secret_use_clear(u);
		return burrow_error_status(err, EINVAL, "invalid --secret '%s': it needs a secret's name first",
		                           str_quote(spec));
	}
	u->env = type && strcmp(type, "env") == 0;
	if (u->env) {
		if (owner_set) {
			ctr_secret_use_clear(u);
			return burrow_error_status(err, EINVAL,
			                           "invalid --secret '%s': uid, gid and mode are for type=mount only",
			                           str_quote(spec));
		}
		const char *var = target ? target : u->name;
		if (!env_name_ok(var)) {
			ctr_secret_use_clear(u);
			return burrow_error_status(err, EINVAL,
			                           "invalid --secret target '%s': an environment variable's name",
			                           str_quote(var));
		}
		u->target = xstrdup(var);
		u->mode = 0; /* no file inside: inspect shows no mode */
		return 0;
	}
	if (mount_target(target ? target : u->name, &u->target, err) < 0) {
		ctr_secret_use_clear(u);
		return -1;
	}
	return 0;
bad:
	burrow_error_status(err, EINVAL, "invalid --secret option '%s' (type, target, uid, gid or mode)",
	                    str_quote(bad_item));
	ctr_secret_use_clear(u);
	return -1;
}

char *ctr_secret_use_format(const struct ctr_secret_use *u)
{
	return xasprintf("%s\t%s\t%s\t%s\t%lld\t%lld\t%o", u->name, u->id ? u->id : "", u->env ? "env" : "mount",
	                 u->target, u->uid, u->gid, u->mode);
}

int ctr_secret_use_decode(const char *s, struct ctr_secret_use *u, struct burrow_err **err)
{
	memset(u, 0, sizeof(*u));
	cleanup_strv char **f = strv_split(s, '\t');
	long long uid, gid;
	char *end = NULL;
	unsigned long mode = 0;
	if (strv_len(f) == 7) {
		errno = 0;
		mode = strtoul(f[6], &end, 8);
	}
	if (strv_len(f) != 7 || !*f[0] || !*f[3] || (strcmp(f[2], "env") != 0 && strcmp(f[2], "mount") != 0) ||
	    str_to_ll(f[4], 0, ID_MAX, &uid) < 0 || str_to_ll(f[5], 0, ID_MAX, &gid) < 0 || !*f[6] || *end ||
	    mode > 07777)
		return burrow_error_status(err, EIO, "damaged --secret record '%s'", str_quote(s));
	u->name = xstrdup(f[0]);
	u->id = *f[1] ? xstrdup(f[1]) : NULL;
	u->env = strcmp(f[2], "env") == 0;
	u->target = xstrdup(f[3]);
	u->uid = uid;
	u->gid = gid;
	u->mode = (unsigned)mode;
	return 0;
}

int ctr_secret_uses_check(char *const *specs, char ***out, struct burrow_err **err)
{
	cleanup_strv char **v = NULL;
	for (size_t i = 0; specs && specs[i]; i++) {
		struct ctr_secret_use u;
		if (ctr_secret_use_parse(specs[i], &u, err) < 0)
			return -1;
		for (size_t k = 0; v && v[k]; k++) {
			struct ctr_secret_use o;
			if (ctr_secret_use_decode(v[k], &o, err) < 0) {
				ctr_secret_use_clear(&u);
				return -1;
			}
			bool same = o.env == u.env && strcmp(o.target, u.target) == 0;
			ctr_secret_use_clear(&o);
			if (same) {
				burrow_error_status(err, EINVAL, "--secret: target '%s' is given twice",
				                    str_quote(u.target));
				ctr_secret_use_clear(&u);
				return -1;
			}
		}
		strv_append_take(&v, ctr_secret_use_format(&u));
		ctr_secret_use_clear(&u);
	}
	if (out)
		*out = steal_ptr(v);
	return 0;
}

/* ROOT/secrets/pending/<ctr_id>: an empty file while a create's copies
 * have no record yet (ctr_secret_uses_resolve to ctr_secret_copies_done),
 * so that the copies a killed create left are found without a walk over
 * every container's directory. */
static char *pending_path(struct state_store *s, const char *ctr_id)
{
	return ctr_id ? xasprintf("%s/secrets/pending/%s", state_root(s), ctr_id)
	              : xasprintf("%s/secrets/pending", state_root(s));
}

static int pending_mark(struct state_store *s, const char *ctr_id, struct burrow_err **err)
{
	cleanup_free char *dir = pending_path(s, NULL);
	cleanup_free char *mark = pending_path(s, ctr_id);
	if (mkdir_p(dir, 0700, err) < 0)
		return -1;
	cleanup_close int fd = open(mark, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create '%s'", str_quote(mark));
	return 0;
}

bool ctr_create_pending_marked(struct state_store *s, const char *ctr_id)
{
	cleanup_free char *mark = pending_path(s, ctr_id);
	struct stat st;
	return lstat(mark, &st) == 0;
}

int ctr_create_pending_begin(struct state_store *s, const char *ctr_id, int *lock, struct burrow_err **err)
{
	if (*lock >= 0)
		return 0;
	if ((*lock = state_lock(s, ctr_id, err)) < 0)
		return -1;
	if (pending_mark(s, ctr_id, err) < 0) {
		state_unlock_remove(s, ctr_id, *lock);
		*lock = -1;
		return -1;
	}
	return 0;
}

/* ROOT/containers/<id>/secrets, opened (made 0700 when make). */
static int open_copies(struct state_store *s, const char *ctr_id, bool make, struct burrow_err **err)
{
	cleanup_free char *dir = ctr_dir(s, ctr_id);
	cleanup_free char *p = path_join(dir, "secrets");
	if (make && mkdir_p(p, 0700, err) < 0)
		return -1;
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open '%s'", str_quote(p));
	return fd;
}

/* The copy of the i-th secret: mount ones owned and moded as asked (the
 * IDs are the container's: through its own user namespace's maps, as
 * podman, so keep-id leaves the owner its root or uid=/gid=), env ones
 * private to the user. */
static int make_copy(struct state_store *s, int dfd, size_t i, const struct ctr_secret_use *u,
                     const struct ctr_config *c, struct burrow_err **err)
{
	unsigned long uid = 0, gid = 0;
	/* a map without the container's root (keep-id with burrow's single
	 * ID): its root's copy stays the user's, the one ID there is */
	if (!u->env && ((userns_map_to_host(c->uid_map, (unsigned long)u->uid, &uid) < 0 && u->uid != 0) ||
	                (userns_map_to_host(c->gid_map, (unsigned long)u->gid, &gid) < 0 && u->gid != 0)))
		return burrow_error_status(err, EINVAL,
		                           "cannot give secret '%s' to %lld:%lld: the container's user namespace "
		                           "does not map it",
		                           str_quote(u->name), u->uid, u->gid);
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (ctr_secret_read(s, u->id, &data, &len, err) < 0)
		return -1;
	char name[32];
	snprintf(name, sizeof(name), "%zu", i);
	unlinkat(dfd, name, 0);
	cleanup_close int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, data, len) < 0)
		return burrow_error(err, errno, "cannot copy secret '%s' for the container", str_quote(u->name));
	if (u->env)
		return 0;
	if (fchown(fd, (uid_t)uid, (gid_t)gid) < 0) {
		int e = errno;
		if (e != EINVAL)
			return burrow_error(err, e, "cannot give secret '%s' to %lld:%lld", str_quote(u->name), u->uid,
			                    u->gid);
		burrow_error_status(err, EINVAL,
		                    "cannot give secret '%s' to %lld:%lld: burrow's user namespace does not map it",
		                    str_quote(u->name), u->uid, u->gid);
		return burrow_error_hint(err, "only the IDs in /etc/subuid and /etc/subgid (and 0) exist in the "
		                              "namespace: add a range for your user, then run 'burrow system migrate'");
	}
	if (fchmod(fd, (mode_t)u->mode) < 0)
		return burrow_error(err, errno, "cannot set the mode of secret '%s'", str_quote(u->name));
	return 0;
}

int ctr_secret_uses_resolve(struct state_store *s, char *const *uses, const struct ctr_config *c, char ***out,
                            int *lock, struct burrow_err **err)
{
	const char *ctr_id = c->id;
	*out = NULL;
	if (!uses || !uses[0])
		return 0;
	/* every secret looked up before anything is written */
	cleanup_strv char **v = NULL;
	for (size_t i = 0; uses[i]; i++) {
		struct ctr_secret_use u;
		struct ctr_secret sec;
		if (ctr_secret_use_decode(uses[i], &u, err) < 0)
			return -1;
		if (ctr_secret_load(s, u.name, &sec, err) < 0) {
			ctr_secret_use_clear(&u);
			return -1;
		}
		free(u.id);
		u.id = steal_ptr(sec.id);
		/* the name as its record has it (the user may have given an ID) */
		free(u.name);
		u.name = steal_ptr(sec.name);
		ctr_secret_clear(&sec);
		strv_append_take(&v, ctr_secret_use_format(&u));
		ctr_secret_use_clear(&u);
	}
	/* held from before the copies until the record is stored: a sweep
	 * for orphans (ctr_secret_orphans_remove) waits for it; the mark
	 * names what a create killed half-way leaves */
	cleanup_close int dfd = -1;
	bool held = *lock >= 0; /* by the caller, who ends it */
	if (ctr_create_pending_begin(s, ctr_id, lock, err) < 0)
		return -1;
	if ((dfd = open_copies(s, ctr_id, true, err)) < 0)
		goto fail;
	for (size_t i = 0; v[i]; i++) {
		struct ctr_secret_use u;
		if (ctr_secret_use_decode(v[i], &u, err) < 0)
			goto fail;
		int r = make_copy(s, dfd, i, &u, c, err);
		ctr_secret_use_clear(&u);
		if (r < 0)
			goto fail;
		/* for tests: a window after each copy, to kill a create half-way */
		proc_test_delay("BURROW_TEST_SECRET_COPY_DELAY_MS");
	}
	*out = steal_ptr(v);
	return 0;
fail:
	if (held) {
		ctr_secret_copies_remove(s, ctr_id);
		return -1;
	}
	ctr_secret_copies_done(s, ctr_id, *lock, false);
	*lock = -1;
	return -1;
}

void ctr_secret_copies_done(struct state_store *s, const char *ctr_id, int lock, bool kept)
{
	if (lock < 0)
		return;
	if (!kept)
		ctr_secret_copies_remove(s, ctr_id);
	cleanup_free char *mark = pending_path(s, ctr_id);
	if (unlink(mark) < 0 && errno != ENOENT)
		burrow_debug("cannot remove '%s': %s", str_quote(mark), strerror(errno));
	if (kept)
		state_unlock(lock);
	else
		state_unlock_remove(s, ctr_id, lock);
}

void ctr_secret_copies_remove(struct state_store *s, const char *ctr_id)
{
	cleanup_free char *dir = ctr_dir(s, ctr_id);
	cleanup_err struct burrow_err *e2 = NULL;
	cleanup_close int cfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cfd >= 0 && rm_rf_at(cfd, "secrets", &e2) < 0)
		burrow_debug("cannot remove the secrets' copies of a failed create: %s", e2->msg);
	/* the container's directory too, when nothing else made it */
	if (cfd >= 0)
		rmdir(dir);
}

/* Whether no container has the ID id: 1, 0, or -1 when that cannot be
 * told. */
static int no_container(struct state_store *s, const char *id)
{
	struct ctr_config c = {0};
	cleanup_err struct burrow_err *e = NULL;
	if (ctr_config_load(s, id, &c, &e) == 0) {
		ctr_config_clear(&c);
		return 0;
	}
	return e->status == ENOENT ? 1 : -1;
}

/* The volumes a killed create made or marked: no longer used by ctr_id,
 * the ones it made (anonymous, or named by its -v) removed, as
 * ctr_mounts_release does when a create fails. 0, or -1 when the volumes cannot be read (the mark stays). */
static int release_volumes(struct state_store *s, const char *ctr_id)
{
	struct ctr_vol *v = NULL;
	size_t n = 0;
	cleanup_err struct burrow_err *e = NULL;
	if (ctr_vol_list(s, &v, &n, &e) < 0) {
		burrow_debug("container %.12s: its volumes stay: %s", ctr_id, e->msg);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		bool used = strv_contains(v[i].users, ctr_id);
		bool mine = v[i].owner && strcmp(v[i].owner, ctr_id) == 0;
		struct burrow_err *e2 = NULL;
		if (used && ctr_vol_unuse(s, v[i].name, ctr_id, &e2) < 0 && e2->status != ENOENT)
			burrow_debug("volume %s: %s", str_quote(v[i].name), e2->msg);
		burrow_err_free(steal_ptr(e2));
		/* one that another container uses stays, as podman's */
		if (mine && ctr_vol_remove(s, v[i].name, false, 0, NULL, &e2) < 0)
			burrow_debug("volume %s: %s", str_quote(v[i].name), e2->msg);
		burrow_err_free(e2);
	}
	ctr_vol_list_free(v, n);
	return 0;
}

bool ctr_is_id(const char *n)
{
	return strlen(n) == 64 && strspn(n, "0123456789abcdef") == 64;
}

void ctr_secret_orphans_remove(struct state_store *s)
{
	cleanup_free char *dir = pending_path(s, NULL);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_dir DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	/* the marks first: removing while reading the directory is not well
	 * defined */
	cleanup_strv char **ids = NULL;
	struct dirent *de;
	while ((de = readdir(d)))
		if (ctr_is_id(de->d_name))
			strv_append(&ids, de->d_name);
	for (size_t i = 0; ids && ids[i]; i++) {
		/* a create under way holds the lock until its record is stored:
		 * its copies are left to a later sweep, not waited for (the
		 * create may take long, the rm that sweeps should not) */
		cleanup_err struct burrow_err *e = NULL;
		int lock = state_lock_try(s, ids[i], &e);
		if (lock < 0) {
			burrow_debug("container %.12s: the secrets' copies stay: %s", ids[i], e->msg);
			continue;
		}
		int none = no_container(s, ids[i]);
		if (none < 0) {
			state_unlock(lock);
			continue;
		}
		/* killed after its record was stored: only the mark is left */
		if (none)
			burrow_debug("container %.12s: removing what a create that did not finish made", ids[i]);
		if (none && release_volumes(s, ids[i]) < 0) {
			state_unlock(lock);
			continue;
		}
		ctr_secret_copies_done(s, ids[i], lock, !none);
	}
}

/* The read-only bind of the copy number i (in the container's directory
 * dir) at target, as mount.h stores it. */
static char *secret_mount(const char *dir, size_t i, const char *target)
{
	return xasprintf("bind\t%s/secrets/%zu\t%s\tbind,rprivate,ro,nosuid,nodev", dir, i, target);
}

char **ctr_secret_uses_mounts(struct state_store *s, const char *ctr_id, char *const *uses)
{
	cleanup_free char *dir = ctr_dir(s, ctr_id);
	struct strv_builder b = {0};
	for (size_t i = 0; uses && uses[i]; i++) {
		struct ctr_secret_use u;
		cleanup_err struct burrow_err *e = NULL;
		if (ctr_secret_use_decode(uses[i], &u, &e) < 0)
			continue;
		if (!u.env)
			strv_builder_take(&b, secret_mount(dir, i, u.target));
		ctr_secret_use_clear(&u);
	}
	return strv_builder_steal(&b);
}

int ctr_secret_uses_prepare(struct state_store *s, const char *ctr_id, char *const *uses, char ***mounts, char ***env,
                            struct burrow_err **err)
{
	if (!uses || !uses[0])
		return 0;
	cleanup_close int dfd = open_copies(s, ctr_id, false, err);
	if (dfd < 0)
		return burrow_error_wrap(err, "the container's secrets");
	cleanup_free char *dir = ctr_dir(s, ctr_id);
	for (size_t i = 0; uses[i]; i++) {
		struct ctr_secret_use u;
		if (ctr_secret_use_decode(uses[i], &u, err) < 0)
			return -1;
		char name[32];
		snprintf(name, sizeof(name), "%zu", i);
		int r = 0;
		if (u.env) {
			cleanup_free char *data = NULL;
			size_t len = 0;
			r = read_file_at(dfd, name, &data, &len, err);
			if (r == 0)
				strv_append_take(env, xasprintf("%s=%.*s", u.target, (int)len, data));
		} else {
			strv_append_take(mounts, secret_mount(dir, i, u.target));
		}
		if (r < 0)
			burrow_error_wrap(err, "secret '%s'", str_quote(u.name));
		ctr_secret_use_clear(&u);
		if (r < 0)
			return -1;
	}
	return 0;
}
