/* Managing images: tags, removal (rmi), prune, and freeing the layers no
 * image names any more (see image/image.h for the reference counts). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/image.h"
#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/events.h"
#include "state/state.h"

#define cleanup_record __attribute__((cleanup(img_record_clear)))
#define cleanup_info __attribute__((cleanup(img_info_freep)))

static void img_info_freep(struct img_info **i)
{
	img_info_free(*i);
}

struct tx {
	struct state_store *s;
	bool open;
};

static void tx_cancel(struct tx *t)
{
	if (t->open)
		state_tx_cancel(t->s, STATE_DB);
}

static int tx_begin(struct tx *t, struct burrow_err **err)
{
	if (state_tx_begin(t->s, STATE_DB, err) < 0)
		return -1;
	t->open = true;
	return 0;
}

static int tx_commit(struct tx *t, struct burrow_err **err)
{
	t->open = false;
	return state_tx_commit(t->s, STATE_DB, err);
}

/* --- tags ------------------------------------------------------------------------ */

/* The stored form of a name given to tag or untag; a digest is no tag. */
static char *tag_name(const char *name, struct burrow_err **err)
{
	struct img_ref r;
	if (img_ref_parse(name, &r, err) < 0)
		return NULL;
	if (r.digest) {
		img_ref_clear(&r);
		burrow_error_status(err, EINVAL, "'%s' is a digest reference, not a tag", str_quote(name));
		burrow_error_hint(err, "give NAME[:TAG]");
		return NULL;
	}
	char *n = img_ref_normalize(&r);
	img_ref_clear(&r);
	return n;
}

/* The names normalised (*norm), then, in a transaction begun on tx, the
 * record of the image ref names (*r). */
static int begin_names(struct state_store *s, const char *ref, char *const *names, char ***norm, struct tx *tx,
                       struct img_record *r, struct burrow_err **err)
{
	*norm = xcalloc(1, sizeof(char *));
	for (size_t i = 0; names && names[i]; i++) {
		char *n = tag_name(names[i], err);
		if (!n)
			return -1;
		strv_append_take(norm, n);
	}
	cleanup_info struct img_info *img = NULL;
	if (img_lookup(s, ref, &img, err) < 0 || tx_begin(tx, err) < 0)
		return -1;
	int rc = img_record_load(s, img->id, r, err);
	if (rc == 1)
		return burrow_error_status(err, ENOENT, "image '%s' was removed meanwhile", str_quote(ref));
	return rc;
}

/* Saves r and commits. */
static int end_names(struct state_store *s, struct tx *tx, const struct img_record *r, char **id,
                     struct burrow_err **err)
{
	if (img_record_save(s, r, err) < 0 || tx_commit(tx, err) < 0)
		return -1;
	*id = xstrdup(r->id);
	return 0;
}

int img_tag(struct state_store *s, const char *ref, char *const *names, char **id, struct burrow_err **err)
{
	cleanup_strv char **norm = NULL;
	__attribute__((cleanup(tx_cancel))) struct tx tx = {s, false};
	cleanup_record struct img_record r = {0};
	if (begin_names(s, ref, names, &norm, &tx, &r, err) < 0)
		return -1;
	for (size_t i = 0; norm[i]; i++) {
		if (img_tag_move(s, norm[i], r.id, err) < 0)
			return -1;
		if (!strv_contains(r.names, norm[i]))
			strv_append(&r.names, norm[i]);
		img_names_history_add(&r.names_history, norm[i]);
	}
	return end_names(s, &tx, &r, id, err);
}

/* Takes name away from image r (a stored record) in the open transaction. */
static int drop_name(struct state_store *s, struct img_record *r, const char *name, struct burrow_err **err)
{
	cleanup_free char *owner = NULL;
	int g = img_tag_get(s, name, &owner, err);
	if (g < 0)
		return -1;
	if (g == 0 && strcmp(owner, r->id) == 0) {
		cleanup_free char *key = xasprintf("tag/%s", name);
		if (state_del(s, STATE_DB, key, err) < 0)
			return -1;
	}
	img_strv_remove(r->names, name);
	return 0;
}

int img_untag(struct state_store *s, const char *ref, char *const *names, char **id, struct burrow_err **err)
{
	cleanup_strv char **norm = NULL;
	__attribute__((cleanup(tx_cancel))) struct tx tx = {s, false};
	cleanup_record struct img_record r = {0};
	if (begin_names(s, ref, names, &norm, &tx, &r, err) < 0)
		return -1;
	if (!norm[0]) {
		strv_free(norm);
		norm = strv_dup(r.names);
	}
	for (size_t i = 0; norm[i]; i++)
		if (!strv_contains(r.names, norm[i]))
			return burrow_error_status(err, ENOENT, "%s: tag not known", str_quote(norm[i]));
	for (size_t i = 0; norm[i]; i++)
		if (drop_name(s, &r, norm[i], err) < 0)
			return -1;
	return end_names(s, &tx, &r, id, err);
}

/* --- layers ----------------------------------------------------------------------- */

/* An image record that cannot be read may name any layer whose ID its
 * text holds: those layers stay while it does (the ones it named past a
 * cut in a torn record cannot be known, nor used: a record that lost
 * them names nothing). Says so once for each such record. */
static bool damaged_names(const char *key, const char *json, const char *layer)
{
	if (!strstr(json, layer))
		return false;
	burrow_warn("image %.12s: its record cannot be read: the layers it may name are kept until it is removed",
	            str_quote(key + strlen("img/")));
	return true;
}

struct used {
	char **ids;     /* the layers the readable records name */
	char **damaged; /* "KEY\0JSON" of each record that cannot be read */
};

static int collect_used(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)err;
	struct used *u = data;
	cleanup_record struct img_record r = {0};
	cleanup_err struct burrow_err *bad = NULL;
	if (img_record_parse(key, json, &r, &bad) < 0) {
		size_t k = strlen(key) + 1, j = strlen(json) + 1;
		char *both = xmalloc(k + j);
		memcpy(both, key, k);
		memcpy(both + k, json, j);
		strv_append_take(&u->damaged, both);
		return 0;
	}
	for (size_t i = 0; r.layer_ids[i]; i++)
		if (!strv_contains(u->ids, r.layer_ids[i]))
			strv_append(&u->ids, r.layer_ids[i]);
	return 0;
}

static void used_clear(struct used *u)
{
	strv_free(u->ids);
	strv_free(u->damaged);
}

/* Whether u names layer id. */
static bool used_names(const struct used *u, const char *id)
{
	if (strv_contains(u->ids, id))
		return true;
	for (size_t i = 0; u->damaged && u->damaged[i]; i++)
		if (damaged_names(u->damaged[i], u->damaged[i] + strlen(u->damaged[i]) + 1, id))
			return true;
	return false;
}

struct named {
	const char *layer;
	bool found;
};

static int collect_named(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)err;
	struct named *n = data;
	cleanup_record struct img_record r = {0};
	cleanup_err struct burrow_err *bad = NULL;
	if (img_record_parse(key, json, &r, &bad) < 0)
		n->found = damaged_names(key, json, n->layer);
	else
		n->found = strv_contains(r.layer_ids, n->layer);
	return n->found ? 1 : 0;
}

/* Whether some image names layer id: 1 yes, 0 no, -1. Only the records
 * that hold the ID are read. */
static int layer_named(struct state_store *s, const char *id, struct burrow_err **err)
{
	struct named n = {id, false};
	if (state_each_with(s, STATE_DB, "img/", id, collect_named, &n, err) < 0)
		return -1;
	return n.found;
}

/* The chain IDs some image names, or may name. */
static int used_layers(struct state_store *s, struct used *used, struct burrow_err **err)
{
	*used = (struct used){.ids = xcalloc(1, sizeof(char *))};
	if (state_each(s, STATE_DB, "img/", collect_used, used, err) < 0) {
		used_clear(used);
		*used = (struct used){0};
		return -1;
	}
	return 0;
}

/* Every layer the store has: directories named by a chain ID, records. */
static int all_layers(struct state_store *s, int layersfd, char ***out, struct burrow_err **err)
{
	cleanup_strv char **ids = xcalloc(1, sizeof(char *));
	int fd = openat(layersfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return burrow_error(err, errno, "cannot read the layer store");
	cleanup_dir DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return burrow_error(err, e, "cannot read the layer store");
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (strlen(de->d_name) == 64 && img_is_hex(de->d_name))
			strv_append(&ids, de->d_name);
	cleanup_strv char **keys = NULL;
	if (state_keys(s, STATE_DB, "layer/", &keys, NULL, err) < 0)
		return -1;
	for (size_t i = 0; keys[i]; i++) {
		const char *id = keys[i] + strlen("layer/");
		if (!strv_contains(ids, id))
			strv_append(&ids, id);
	}
	*out = steal_ptr(ids);
	return 0;
}

void img_removal_events(struct state_store *s, const char *ref, const struct img_removal *r)
{
	const char *id = r->id ? r->id : r->deleted && r->deleted[0] ? r->deleted[0] : NULL;
	for (size_t i = 0; r->untagged && r->untagged[i]; i++)
		state_event_obj(s, "image", "untag", id, r->untagged[i]);
	for (size_t i = 0; r->deleted && r->deleted[i]; i++)
		state_event_obj(s, "image", "remove", r->deleted[i], i ? NULL : ref);
}

/* Adds s to the list *v (made on first use). */
static void note(char ***v, const char *s)
{
	if (!*v)
		*v = xcalloc(1, sizeof(char *));
	strv_append(v, s);
}

/* Frees one layer no image named when looked at: 1 freed, 0 kept (in use
 * now, or named again), -1 error. */
static int free_layer(struct state_store *s, int layersfd, const char *id, char ***warnings, struct burrow_err **err)
{
	cleanup_close int fd = img_layer_lock_open(layersfd, id, err);
	if (fd < 0)
		return -1;
	/* whoever fetches, places or names it holds one of them: it stays */
	if (img_layer_lock(fd, IMG_LOCK_FETCH, F_WRLCK, 0, NULL) < 0)
		return 0;
	if (img_layer_lock(fd, IMG_LOCK_USE, F_WRLCK, 0, NULL) < 0)
		return 0;
	/* an image stored since the caller looked names it: it stays */
	int named = layer_named(s, id, err);
	if (named != 0)
		return named < 0 ? -1 : 0;
	cleanup_free char *tmp = img_tmp_name();
	bool moved = renameat(layersfd, id, layersfd, tmp) == 0;
	if (!moved && errno != ENOENT)
		return burrow_error(err, errno, "cannot remove layer %s", id);
	cleanup_free char *key = xasprintf("layer/%s", id);
	if (state_del(s, STATE_DB, key, err) < 0)
		return -1;
	if (moved) {
		cleanup_err struct burrow_err *e = NULL;
		if (rm_rf_at(layersfd, tmp, &e) < 0) {
			cleanup_free char *w = xasprintf("cannot remove '%s' (layer %s) in the layer store: %s; "
			                                 "'burrow image prune' tries again",
			                                 tmp, id, e->msg);
			if (warnings)
				note(warnings, w);
			else
				burrow_warn("%s", w);
		}
	}
	burrow_debug("layer %s freed", id);
	return 1;
}

int img_layers_free(struct state_store *s, char *const *ids, size_t *freed, char ***warnings, struct burrow_err **err)
{
	cleanup_close int layersfd = -1;
	if (img_layers_open(s, &layersfd, err) < 0)
		return burrow_error_wrap(err, "cannot free layers");
	cleanup_strv char **all = NULL;
	if (!ids) {
		if (all_layers(s, layersfd, &all, err) < 0)
			return -1;
		ids = all;
	}
	/* every layer: what the images name, read once; a few: each looked
	 * for on its own, without reading every image */
	__attribute__((cleanup(used_clear))) struct used used = {0};
	if (all && used_layers(s, &used, err) < 0)
		return -1;
	size_t n = 0;
	for (size_t i = 0; ids[i]; i++) {
		int named = used.ids ? used_names(&used, ids[i]) : layer_named(s, ids[i], err);
		if (named < 0)
			return -1;
		if (named)
			continue;
		int r = free_layer(s, layersfd, ids[i], warnings, err);
		if (r < 0)
			return burrow_error_wrap(err, "cannot free layer %s", ids[i]);
		n += (size_t)r;
	}
	if (freed)
		*freed = n;
	return 0;
}

/* --- removal ----------------------------------------------------------------------- */

void img_removal_clear(struct img_removal *r)
{
	free(r->id);
	strv_free(r->untagged);
	strv_free(r->deleted);
	strv_free(r->warnings);
	memset(r, 0, sizeof(*r));
}

/* "image used by ID (NAME), ...": EBUSY. */
static int in_use(const char *id, char *const *users, struct burrow_err **err)
{
	cleanup_free char *list = xstrdup(users[0]);
	for (size_t i = 1; users[i]; i++) {
		char *t = xasprintf("%s, %s", list, users[i]);
		free(list);
		list = t;
	}
	burrow_error_status(err, EBUSY, "image %.12s is in use by %s %s", id, users[1] ? "containers" : "container",
	                    list);
	return burrow_error_hint(err, "remove the containers first (burrow rm), or force it with 'burrow rmi -f', "
	                              "which removes them too");
}

/* In the open transaction: image id's parent among every image (img_parents;
 * "" none) and whether it is itself another image's parent. */
static int family(struct state_store *s, const char *id, char **parent, bool *has_child, struct burrow_err **err)
{
	struct img_info **list = NULL;
	size_t n = 0;
	cleanup_strv char **parents = NULL;
	if (img_list(s, &list, &n, err) < 0)
		return -1;
	int rc = img_parents(s, list, n, &parents, err);
	*has_child = false;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (strcmp(list[i]->id, id) == 0)
			*parent = xstrdup(parents[i]);
		else if (strcmp(parents[i], id) == 0)
			*has_child = true;
	}
	img_info_list_free(list, n);
	if (rc == 0 && !*parent)
		*parent = xstrdup("");
	return rc;
}

/* What a prune round read once: every image's ID and every image's
 * parent's, each sorted, to look IDs up in. */
struct prune_index {
	char **ids, **parents;
	size_t nids, nparents;
};

static bool index_has(char *const *v, size_t n, const char *id)
{
	return n && bsearch(&id, v, n, sizeof(char *), strv_cmp);
}

static void prune_index_clear(struct prune_index *x)
{
	strv_free(x->ids);
	strv_free(x->parents);
	memset(x, 0, sizeof(*x));
}

static void prune_index_build(struct prune_index *x, struct img_info *const *list, size_t n, char **parents)
{
	x->ids = xcalloc(n + 1, sizeof(char *));
	x->parents = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		x->ids[x->nids++] = xstrdup(list[i]->id);
		if (parents && *parents[i])
			x->parents[x->nparents++] = xstrdup(parents[i]);
	}
	qsort(x->ids, x->nids, sizeof(char *), strv_cmp);
	qsort(x->parents, x->nparents, sizeof(char *), strv_cmp);
}

struct unseen {
	const struct prune_index *x;
	bool found;
};

static int find_unseen(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)json, (void)err;
	struct unseen *u = data;
	u->found = !index_has(u->x->ids, u->x->nids, key + strlen("img/"));
	return u->found ? 1 : 0;
}

/* In the open transaction, whether the index still tells if image r is a
 * parent (*has_child): 1 yes, 0 no (an image stored since holds r's top
 * layer, as a child would; or r has no layer), -1. A child holds its
 * parent's layers, so only the images that name r's top one are read. */
static int child_from_index(struct state_store *s, const struct img_record *r, const struct prune_index *x,
                            bool *has_child, struct burrow_err **err)
{
	size_t nl = strv_len(r->layer_ids);
	if (!nl)
		return 0;
	struct unseen u = {x, false};
	if (state_each_with(s, STATE_DB, "img/", r->layer_ids[nl - 1], find_unseen, &u, err) < 0)
		return -1;
	if (u.found)
		return 0;
	*has_child = index_has(x->parents, x->nparents, r->id);
	return 1;
}

/* In the open transaction: image id's records. */
static int del_records(struct state_store *s, const char *id, struct burrow_err **err)
{
	static const char *const kinds[] = {"img", "img-config", "img-manifest"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		cleanup_free char *key = xasprintf("%s/%s", kinds[i], id);
		if (state_del(s, STATE_DB, key, err) < 0)
			return -1;
	}
	return 0;
}

/* Removes image id and frees its layers: 1 removed, 0 kept (RM_DANGLING
 * only), -1 error (EBUSY: a container uses it). The decision is made in the
 * transaction that removes it, so that a container or child image stored
 * meanwhile keeps it. RM_DANGLING: only when it is dangling, as podman's
 * rmi takes a parent with it: no name, no child image, no container.
 * *parent: its parent's ID (img_parents; "" none), found in that
 * transaction before it went. x (image prune's, may be NULL): whether it
 * is a parent, unless an image stored since may be its child. */
enum { RM_DANGLING = 1 << 0 };
static int remove_image(struct state_store *s, const char *id, unsigned how, const struct prune_index *x,
                        const struct img_users *users, char **parent, struct img_removal *rep, struct burrow_err **err)
{
	__attribute__((cleanup(tx_cancel))) struct tx tx = {s, false};
	if (tx_begin(&tx, err) < 0)
		return -1;
	cleanup_record struct img_record r = {0};
	int rc = img_record_load(s, id, &r, err);
	if (rc == 1)
		return burrow_error_status(err, ENOENT, "image %.12s was removed meanwhile", id);
	if (rc < 0)
		return -1;
	bool dangling = how & RM_DANGLING, has_child = false;
	if (dangling && r.names[0])
		return 0;
	cleanup_free char *up = NULL;
	int known = dangling && x && !parent ? child_from_index(s, &r, x, &has_child, err) : 0;
	if (known < 0 || (!known && (dangling || parent) && family(s, id, &up, &has_child, err) < 0))
		return -1;
	if (dangling && has_child)
		return 0;
	if (users && users->users) {
		cleanup_strv char **who = NULL;
		if (users->users(s, id, &who, users->data, err) < 0)
			return -1;
		if (who && who[0])
			return dangling ? 0 : in_use(id, who, err);
	}
	cleanup_strv char **names = strv_dup(r.names);
	for (size_t i = 0; names[i]; i++)
		if (drop_name(s, &r, names[i], err) < 0)
			return -1;
	if (del_records(s, id, err) < 0 || tx_commit(&tx, err) < 0)
		return -1;
	for (size_t i = 0; names[i]; i++)
		note(&rep->untagged, names[i]);
	if (!rep->deleted)
		rep->had_child = has_child;
	note(&rep->deleted, id);
	if (parent)
		*parent = steal_ptr(up);
	return img_layers_free(s, r.layer_ids, NULL, &rep->warnings, err) < 0 ? -1 : 1;
}

struct tags_of {
	const char *id;
	char **names;
};

static int collect_tags_of(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)err;
	struct tags_of *t = data;
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(json, &e);
	const char *owner = v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
	if (owner && strcmp(owner, t->id) == 0)
		note(&t->names, key + strlen("tag/"));
	return 0;
}

/* Removes image id whose record cannot be read (rmi by its ID or a name
 * of it): its records and the names that point at it, unless a container
 * uses it (IMG_RM_FORCE: they go first). Its layers stay: which it names
 * cannot be read; image prune frees those that no image names then. */
static int remove_damaged(struct state_store *s, const char *id, unsigned flags, const struct img_users *users,
                          struct img_removal *rep, struct burrow_err **err)
{
	if ((flags & IMG_RM_FORCE) && users && users->remove_users && users->remove_users(s, id, users->data, err) < 0)
		return -1;
	__attribute__((cleanup(tx_cancel))) struct tx tx = {s, false};
	if (tx_begin(&tx, err) < 0)
		return -1;
	cleanup_free char *key = xasprintf("img/%s", id);
	cleanup_free char *json = NULL;
	int rc = state_get(s, STATE_DB, key, &json, err);
	if (rc == 1)
		return burrow_error_status(err, ENOENT, "image %.12s was removed meanwhile", id);
	if (rc < 0)
		return -1;
	cleanup_record struct img_record r = {0};
	cleanup_err struct burrow_err *bad = NULL;
	if (img_record_parse(key, json, &r, &bad) == 0)
		return burrow_error_status(err, EAGAIN, "image %.12s was stored again meanwhile: try again", id);
	if (users && users->users) {
		cleanup_strv char **who = NULL;
		if (users->users(s, id, &who, users->data, err) < 0)
			return -1;
		if (who && who[0])
			return in_use(id, who, err);
	}
	struct tags_of t = {id, NULL};
	cleanup_strv char **names = NULL;
	rc = state_each(s, STATE_DB, "tag/", collect_tags_of, &t, err);
	names = t.names;
	if (rc < 0)
		return -1;
	for (size_t i = 0; names && names[i]; i++) {
		cleanup_free char *tag = xasprintf("tag/%s", names[i]);
		if (state_del(s, STATE_DB, tag, err) < 0)
			return -1;
	}
	if (del_records(s, id, err) < 0 || tx_commit(&tx, err) < 0)
		return -1;
	for (size_t i = 0; names && names[i]; i++)
		note(&rep->untagged, names[i]);
	note(&rep->deleted, id);
	cleanup_free char *w = xasprintf("image %.12s: its record could not be read: the layers it named are kept; "
	                                 "'burrow image prune' frees those no image names",
	                                 id);
	note(&rep->warnings, w);
	return 0;
}

/* After image child went: its parent, then theirs, while each is dangling
 * now (podman's rmi without --no-prune). A parent removed meanwhile ends
 * the walk. */
static int remove_parents(struct state_store *s, const char *child_parent, const struct img_users *users,
                          struct img_removal *rep, struct burrow_err **err)
{
	cleanup_free char *id = xstrdup(child_parent);
	while (*id) {
		char *next = NULL;
		int r = remove_image(s, id, RM_DANGLING, NULL, users, &next, rep, err);
		if (r < 0 && (*err)->status == ENOENT) {
			burrow_err_free(*err);
			*err = NULL;
			return 0;
		}
		if (r <= 0)
			return r;
		free(id);
		id = next;
	}
	return 0;
}

int img_remove(struct state_store *s, const char *ref, unsigned flags, const struct img_users *users,
               struct img_removal *rep, struct burrow_err **err)
{
	cleanup_info struct img_info *img = NULL;
	cleanup_free char *name = NULL;
	cleanup_free char *damaged = NULL;
	if (img_lookup_removable(s, ref, &img, &name, &damaged, err) < 0)
		return -1;
	if (damaged)
		return remove_damaged(s, damaged, flags, users, rep, err);
	size_t nnames = strv_len(img->names);
	if (name && nnames > 1 && strv_contains(img->names, name)) {
		/* one name of several: only that name goes */
		cleanup_free char *id = NULL;
		char *const one[] = {name, NULL};
		if (img_untag(s, img->id, one, &id, err) < 0)
			return -1;
		note(&rep->untagged, name);
		free(rep->id);
		rep->id = xstrdup(img->id);
		return 0;
	}
	if (!name && nnames > 1 && !(flags & (IMG_RM_FORCE | IMG_RM_NAMES))) {
		burrow_error_status(err, EINVAL, "image %.12s has %zu names: removing it by ID needs -f", img->id,
		                    nnames);
		return burrow_error_hint(err, "remove the names one by one (burrow rmi NAME), or use 'burrow rmi -f'");
	}
	if ((flags & IMG_RM_FORCE) && users && users->remove_users &&
	    users->remove_users(s, img->id, users->data, err) < 0)
		return -1;
	cleanup_free char *parent = NULL;
	if (remove_image(s, img->id, 0, NULL, users, &parent, rep, err) < 0)
		return -1;
	return flags & IMG_RM_NO_PRUNE ? 0 : remove_parents(s, parent, users, rep, err);
}

static int collect_damaged(const char *key, const char *json, void *data, struct burrow_err **err)
{
	(void)err;
	cleanup_record struct img_record r = {0};
	cleanup_err struct burrow_err *bad = NULL;
	if (img_record_parse(key, json, &r, &bad) < 0)
		strv_append((char ***)data, key + strlen("img/"));
	return 0;
}

/* prune -a: the images whose record cannot be read go too, as rmi of
 * one takes it (its names; kept while a container uses it), and their
 * layers with the others' once no image names them. Which were dangling
 * cannot be read: prune without -a keeps them. */
static int prune_damaged(struct state_store *s, const struct img_users *users, char ***removed, struct burrow_err **err)
{
	cleanup_strv char **ids = NULL;
	if (state_each(s, STATE_DB, "img/", collect_damaged, &ids, err) < 0)
		return -1;
	for (size_t i = 0; ids && ids[i]; i++) {
		struct img_removal rep = {0};
		cleanup_err struct burrow_err *e = NULL;
		int r = remove_damaged(s, ids[i], 0, users, &rep, &e);
		img_removal_clear(&rep);
		if (r == 0)
			strv_append(removed, ids[i]);
		else if (e->status == EBUSY || e->status == ENOENT || e->status == EAGAIN)
			burrow_debug("prune keeps image %.12s: %s", ids[i], e->msg);
		else {
			*err = steal_ptr(e);
			return -1;
		}
	}
	return 0;
}

int img_prune(struct state_store *s, bool all, bool (*keep)(const struct img_info *i, void *data), void *keep_data,
              const struct img_users *users, char ***removed, struct burrow_err **err)
{
	*removed = xcalloc(1, sizeof(char *));
	int rc = 0;
	/* a filter cannot be matched against an unreadable record: with one,
	 * such records stay */
	if (all && !keep && prune_damaged(s, users, removed, err) < 0)
		return -1;
	/* as podman's: rounds until nothing more goes, for a parent is
	 * dangling once its last child has gone */
	for (size_t before = (size_t)-1; rc == 0 && strv_len(*removed) != before;) {
		before = strv_len(*removed);
		struct img_info **list = NULL;
		size_t n = 0;
		cleanup_strv char **parents = NULL;
		if (img_list(s, &list, &n, err) < 0)
			return -1;
		if (!all && img_parents(s, list, n, &parents, err) < 0) {
			img_info_list_free(list, n);
			return -1;
		}
		/* read once a round: each removal re-checks its own image only */
		__attribute__((cleanup(prune_index_clear))) struct prune_index x = {0};
		prune_index_build(&x, list, n, parents);
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (!all && (list[i]->names[0] || index_has(x.parents, x.nparents, list[i]->id)))
				continue;
			if (keep && !keep(list[i], keep_data))
				continue;
			struct img_removal rep = {0};
			cleanup_err struct burrow_err *e = NULL;
			int r = remove_image(s, list[i]->id, all ? 0 : RM_DANGLING, &x, users, NULL, &rep, &e);
			if (r > 0) {
				strv_append(removed, list[i]->id);
			} else if (r == 0 || e->status == EBUSY || e->status == ENOENT) {
				burrow_debug("prune keeps image %.12s: %s", list[i]->id,
				             e ? e->msg : "named, used or made a parent meanwhile");
			} else {
				*err = steal_ptr(e);
				rc = -1;
			}
			img_removal_clear(&rep);
		}
		img_info_list_free(list, n);
	}
	if (rc == 0 && img_layers_free(s, NULL, NULL, NULL, err) < 0)
		rc = -1;
	return rc;
}
