/* Secrets: the store (see secret.h). What a container does with them is in
 * secret_use.c. */
#include "container/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/record.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"
#include "state/state.h"

#define SECRET_KEY_PREFIX "secret/"
#define SECRET_NAME_PREFIX "secretname/"
#define SECRET_LOCK_KIND "secret"
#define SECRET_NAME_MAX 253

static char *secret_key(const char *id)
{
	return xasprintf(SECRET_KEY_PREFIX "%s", id);
}

static char *name_key(const char *name)
{
	return xasprintf(SECRET_NAME_PREFIX "%s", name);
}

/* --- labels ("key=value" lists) ---------------------------------------------- */

static int label_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t nx = strcspn(x, "="), ny = strcspn(y, "=");
	int c = strncmp(x, y, nx < ny ? nx : ny);
	return c ? c : (nx > ny) - (nx < ny);
}

/* specs as typed into a sorted list, the last value of a key winning */
static int labels_parse(char *const *specs, char ***out, struct burrow_err **err)
{
	cleanup_strv char **kv = NULL;
	for (size_t i = 0; specs && specs[i]; i++) {
		if (specs[i][0] == '=' || specs[i][0] == '\0')
			return burrow_error_status(err, EINVAL, "invalid label '%s': it needs a key (KEY=VALUE)",
			                           str_quote(specs[i]));
		cleanup_free char *item = strchr(specs[i], '=') ? xstrdup(specs[i]) : xasprintf("%s=", specs[i]);
		strv_env_set(&kv, item);
	}
	size_t n = strv_len(kv);
	if (n > 1)
		qsort(kv, n, sizeof(*kv), label_cmp);
	*out = steal_ptr(kv);
	return 0;
}

/* --- the record ------------------------------------------------------------------- */

static char *secret_to_json(const struct ctr_secret *v)
{
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "id", v->id);
	jg_key_str(g, "name", v->name);
	jg_key_str(g, "driver", v->driver);
	jg_key_int(g, "created", v->created);
	jg_key_int(g, "updated", v->updated);
	jg_key(g, "labels");
	jg_map_open(g);
	for (size_t i = 0; v->labels && v->labels[i]; i++) {
		size_t kl = strcspn(v->labels[i], "=");
		cleanup_free char *k = xstrndup(v->labels[i], kl);
		jg_key_str(g, k, v->labels[i][kl] ? v->labels[i] + kl + 1 : "");
	}
	jg_map_close(g);
	jg_map_close(g);
	return json_gen_finish(g);
}

static bool valid_id(const char *id)
{
	if (!id || strlen(id) != CTR_SECRET_ID_LEN)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static int secret_from_json(const char *json, struct ctr_secret *v, struct burrow_err **err)
{
	cleanup_yajl yajl_val t = json_parse(json, err);
	if (!t)
		return burrow_error_wrap(err, "secret record");
	memset(v, 0, sizeof(*v));
	const char *id = json_get_str(t, "id"), *name = json_get_str(t, "name");
	const char *driver = json_get_str(t, "driver");
	if (!valid_id(id) || !name || !state_valid_name(name))
		return burrow_error_status(err, EIO, "secret record is damaged: it has no valid ID or name");
	v->id = xstrdup(id);
	v->name = xstrdup(name);
	v->driver = xstrdup(driver ? driver : CTR_SECRET_DRIVER);
	v->created = json_get_int(t, "created", 0);
	v->updated = json_get_int(t, "updated", v->created);
	yajl_val labels = json_get(t, "labels");
	for (size_t i = 0; labels && YAJL_IS_OBJECT(labels) && i < labels->u.object.len; i++) {
		yajl_val val = labels->u.object.values[i];
		if (YAJL_IS_STRING(val))
			strv_append_take(&v->labels,
			                 xasprintf("%s=%s", labels->u.object.keys[i], YAJL_GET_STRING(val)));
	}
	return 0;
}

void ctr_secret_clear(struct ctr_secret *v)
{
	free(v->id);
	free(v->name);
	free(v->driver);
	strv_free(v->labels);
	memset(v, 0, sizeof(*v));
}

void ctr_secret_list_free(struct ctr_secret *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ctr_secret_clear(&v[i]);
	free(v);
}

/* --- checks ------------------------------------------------------------------------ */

int ctr_secret_create_check(const struct ctr_secret_create_opts *o, size_t len, struct burrow_err **err)
{
	if (!o->name || !state_valid_name(o->name) || strlen(o->name) > SECRET_NAME_MAX)
		return burrow_error_status(err, EINVAL,
		                           "invalid secret name '%s': names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at "
		                           "most 253 characters)",
		                           str_quote(o->name ? o->name : ""));
	if (o->driver && strcmp(o->driver, CTR_SECRET_DRIVER) != 0)
		return burrow_error_status(err, EINVAL,
		                           "secret driver '%s' is not supported: burrow has the 'file' driver only",
		                           str_quote(o->driver));
	if (o->driver_opts && o->driver_opts[0])
		return burrow_error_status(err, EINVAL,
		                           "invalid driver option '%s': burrow's file driver takes no options (it "
		                           "keeps secrets under the storage root)",
		                           str_quote(o->driver_opts[0]));
	cleanup_strv char **labels = NULL;
	if (labels_parse(o->labels, &labels, err) < 0)
		return -1;
	if (len == 0 || len >= CTR_SECRET_MAX_SIZE)
		return burrow_error_status(err, EINVAL, "secret data must be larger than 0 and less than %d bytes",
		                           CTR_SECRET_MAX_SIZE);
	return 0;
}

/* --- the content ---------------------------------------------------------------- */

/* ROOT/secrets, opened without following a symlink (made 0700 when
 * missing, its mode fixed when others could enter it). */
static int open_secrets_dir(struct state_store *s, bool make, struct burrow_err **err)
{
	cleanup_close int rootfd = open(state_root(s), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return burrow_error(err, errno, "cannot open storage root '%s'", str_quote(state_root(s)));
	if (make && mkdirat(rootfd, "secrets", 0700) < 0 && errno != EEXIST)
		return burrow_error(err, errno, "cannot create directory '%s/secrets'", str_quote(state_root(s)));
	int fd = openat(rootfd, "secrets", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot open '%s/secrets'", str_quote(state_root(s)));
	struct stat st;
	if (make && fstat(fd, &st) == 0 && (st.st_mode & 077) && fchmod(fd, 0700) < 0) {
		int e = errno;
		close(fd);
		return burrow_error(err, e, "cannot make '%s/secrets' private", str_quote(state_root(s)));
	}
	return fd;
}

/* The content into secrets/<id>: a temporary file, complete and synced,
 * renamed over the name; nothing of it stays on failure. */
static int write_content(int dirfd, const char *id, const void *data, size_t len, struct burrow_err **err)
{
	cleanup_free char *tmp = xasprintf(".%s.tmp.%d", id, (int)getpid());
	unlinkat(dirfd, tmp, 0);
	cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return burrow_error(err, errno, "cannot create the secret's file");
	if (fchmod(fd, 0600) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0 ||
	    renameat(dirfd, tmp, dirfd, id) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return burrow_error(err, e, "cannot write the secret's file");
	}
	return 0;
}

int ctr_secret_read(struct state_store *s, const char *id, char **data, size_t *len, struct burrow_err **err)
{
	if (!valid_id(id))
		return burrow_error_status(err, ENOENT, "no such secret '%s'", str_quote(id));
	cleanup_close int dfd = open_secrets_dir(s, false, err);
	if (dfd < 0)
		return -1;
	/* not blocking: a FIFO planted in the store would hold the open
	 * (and the create that reads it) until someone writes to it */
	cleanup_close int fd = openat(dfd, id, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return burrow_error(err, errno, "cannot read secret %.12s", id);
	if (!S_ISREG(st.st_mode) || st.st_size >= CTR_SECRET_MAX_SIZE)
		return burrow_error_status(err, EIO, "secret %.12s is damaged: not a file of at most %d bytes", id,
		                           CTR_SECRET_MAX_SIZE);
	char *buf = xmalloc((size_t)st.st_size + 1);
	ssize_t n = read_all(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		int e = errno;
		free(buf);
		return burrow_error(err, e, "cannot read secret %.12s", id);
	}
	buf[n] = '\0';
	*data = buf;
	*len = (size_t)n;
	return 0;
}

/* --- create ---------------------------------------------------------------------- */

static char *new_id(void)
{
	char *id = state_new_id();
	id[CTR_SECRET_ID_LEN] = '\0';
	return id;
}

static int load_by_id(struct state_store *s, const char *id, struct ctr_secret *v, struct burrow_err **err)
{
	cleanup_free char *key = secret_key(id);
	cleanup_free char *json = NULL;
	int r = state_get(s, STATE_DB, key, &json, err);
	if (r < 0)
		return -1;
	if (r == 1)
		return burrow_error_status(err, ENOENT, "no such secret '%s'", str_quote(id));
	return secret_from_json(json, v, err);
}

/* The records of v, in one transaction; the name's record only when new. */
static int store_records(struct state_store *s, const struct ctr_secret *v, bool is_new, struct burrow_err **err)
{
	cleanup_free char *key = secret_key(v->id);
	cleanup_free char *nkey = name_key(v->name);
	cleanup_free char *json = secret_to_json(v);
	yajl_gen g = json_gen_new();
	jg_str(g, v->id);
	cleanup_free char *idjson = json_gen_finish(g);
	if (state_tx_begin(s, STATE_DB, err) < 0)
		return -1;
	if ((is_new && state_insert(s, STATE_DB, nkey, idjson, err) < 0) ||
	    state_put(s, STATE_DB, key, json, err) < 0 || state_tx_commit(s, STATE_DB, err) < 0) {
		state_tx_cancel(s, STATE_DB);
		return -1;
	}
	return 0;
}

int ctr_secret_create(struct state_store *s, const struct ctr_secret_create_opts *o, const void *data, size_t len,
                      char **id_out, struct burrow_err **err)
{
	if (ctr_secret_create_check(o, len, err) < 0)
		return -1;
	struct ctr_secret v = {0};
	if (labels_parse(o->labels, &v.labels, err) < 0)
		return -1;
	int lock = state_lock_name(s, SECRET_LOCK_KIND, o->name, err);
	if (lock < 0) {
		ctr_secret_clear(&v);
		return -1;
	}
	int rc = -1;
	bool is_new = true;
	cleanup_close int dfd = -1;
	cleanup_free char *nkey = name_key(o->name);
	cleanup_free char *idjson = NULL;
	int r = state_get(s, STATE_DB, nkey, &idjson, err);
	if (r < 0)
		goto out;
	if (r == 0) {
		if (!o->replace) {
			burrow_error_status(err, EEXIST, "secret name '%s' is already in use", str_quote(o->name));
			burrow_error_hint(err, "use 'burrow secret create --replace' to give it new content");
			goto out;
		}
		/* the same secret (ID, creation time), new content and labels */
		cleanup_yajl yajl_val t = json_parse(idjson, err);
		struct ctr_secret old = {0};
		if (!t || !YAJL_IS_STRING(t) || load_by_id(s, YAJL_GET_STRING(t), &old, err) < 0) {
			if (t && !*err)
				burrow_error_status(err, EIO, "secret '%s': its name record is damaged",
				                    str_quote(o->name));
			goto out;
		}
		v.id = steal_ptr(old.id);
		v.created = old.created;
		ctr_secret_clear(&old);
		is_new = false;
	} else {
		v.id = new_id();
		v.created = time_wall_ns();
	}
	v.name = xstrdup(o->name);
	v.driver = xstrdup(CTR_SECRET_DRIVER);
	v.updated = time_wall_ns();
	if ((dfd = open_secrets_dir(s, true, err)) < 0 || write_content(dfd, v.id, data, len, err) < 0)
		goto out;
	if (store_records(s, &v, is_new, err) < 0) {
		/* a new secret's content goes; a replaced one's is already the new one */
		if (is_new)
			unlinkat(dfd, v.id, 0);
		burrow_error_wrap(err, "cannot create secret '%s'", str_quote(o->name));
		goto out;
	}
	rc = 0;
	if (id_out)
		*id_out = steal_ptr(v.id);
out:
	if (rc < 0 && r == 1)
		state_unlock_name_remove(s, SECRET_LOCK_KIND, o->name, lock);
	else
		state_unlock(lock);
	ctr_secret_clear(&v);
	return rc;
}

/* --- lookup and listing ------------------------------------------------------------ */

int ctr_secret_load(struct state_store *s, const char *ref, struct ctr_secret *out, struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	if (!ref || !*ref || state_lookup(s, ref, SECRET_NAME_PREFIX, SECRET_KEY_PREFIX, &id, err) < 0) {
		if (ref && *ref && (*err)->status != ENOENT)
			return -1;
		burrow_err_free(steal_ptr(*err));
		return burrow_error_status(err, ENOENT, "no such secret '%s'", str_quote(ref ? ref : ""));
	}
	return load_by_id(s, id, out, err);
}

struct list_ctx {
	struct ctr_secret *items;
	size_t n;
};

static int list_one(const char *key, const char *json, void *data, struct burrow_err **err)
{
	struct list_ctx *l = data;
	struct ctr_secret v;
	if (secret_from_json(json, &v, err) < 0)
		return burrow_error_wrap(err, "record '%s'", str_quote(key));
	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n++] = v;
	return 0;
}

int ctr_secret_list(struct state_store *s, struct ctr_secret **out, size_t *n, struct burrow_err **err)
{
	struct list_ctx l = {0};
	if (state_each(s, STATE_DB, SECRET_KEY_PREFIX, list_one, &l, err) < 0) {
		ctr_secret_list_free(l.items, l.n);
		return -1;
	}
	*out = l.items;
	*n = l.n;
	return 0;
}

/* --- users and removal --------------------------------------------------------------- */

struct users_ctx {
	const char *id;
	char **names;
};

static int user_one(struct ctr_config *c, void *data, struct burrow_err **err)
{
	(void)err;
	struct users_ctx *u = data;
	for (size_t i = 0; c->secrets && c->secrets[i]; i++) {
		struct ctr_secret_use use;
		cleanup_err struct burrow_err *e = NULL;
		if (ctr_secret_use_decode(c->secrets[i], &use, &e) < 0)
			continue;
		bool hit = use.id && strcmp(use.id, u->id) == 0;
		ctr_secret_use_clear(&use);
		if (hit) {
			strv_append(&u->names, c->name);
			break;
		}
	}
	return 0;
}

int ctr_secret_users(struct state_store *s, const char *id, char ***names, struct burrow_err **err)
{
	struct users_ctx u = {.id = id, .names = xcalloc(1, sizeof(char *))};
	if (ctr_config_each(s, user_one, &u, err) < 0) {
		strv_free(u.names);
		return -1;
	}
	*names = u.names;
	return 0;
}

/* "'web', 'db'" */
static char *quoted_names(char *const *v)
{
	char *out = xstrdup("");
	for (size_t i = 0; v && v[i]; i++) {
		char *next = xasprintf("%s%s'%s'", out, i ? ", " : "", str_quote(v[i]));
		free(out);
		out = next;
	}
	return out;
}

int ctr_secret_remove(struct state_store *s, const char *ref, bool force, char **id_out, struct burrow_err **err)
{
	struct ctr_secret v;
	if (ctr_secret_load(s, ref, &v, err) < 0)
		return -1;
	int lock = state_lock_name(s, SECRET_LOCK_KIND, v.name, err);
	if (lock < 0) {
		ctr_secret_clear(&v);
		return -1;
	}
	int rc = -1;
	cleanup_strv char **users = NULL;
	cleanup_free char *key = secret_key(v.id);
	cleanup_free char *nkey = name_key(v.name);
	cleanup_close int dfd = -1;
	if (!force) {
		if (ctr_secret_users(s, v.id, &users, err) < 0)
			goto out;
		if (users[0]) {
			cleanup_free char *list = quoted_names(users);
			burrow_error_status(err, EBUSY, "secret '%s' is in use by container%s %s", str_quote(v.name),
			                    users[1] ? "s" : "", list);
			burrow_error_hint(err,
			                  "use 'burrow secret rm -f' to remove it anyway: the containers keep their "
			                  "copies");
			goto out;
		}
	}
	if (state_tx_begin(s, STATE_DB, err) < 0)
		goto out;
	if (state_del(s, STATE_DB, key, err) < 0 || state_del(s, STATE_DB, nkey, err) < 0 ||
	    state_tx_commit(s, STATE_DB, err) < 0) {
		state_tx_cancel(s, STATE_DB);
		goto out;
	}
	rc = 0;
	dfd = open_secrets_dir(s, false, err);
	if (dfd < 0 || (unlinkat(dfd, v.id, 0) < 0 && errno != ENOENT)) {
		if (dfd >= 0)
			burrow_error(err, errno, "cannot remove the file of secret '%s'", str_quote(v.name));
		burrow_error_wrap(err, "secret '%s' is removed, but not its file", str_quote(v.name));
		rc = -1;
	}
	if (id_out)
		*id_out = xstrdup(v.id);
out:
	if (rc == 0)
		state_unlock_name_remove(s, SECRET_LOCK_KIND, v.name, lock);
	else
		state_unlock(lock);
	ctr_secret_clear(&v);
	return rc;
}
