/* What `image inspect` and `history` show of an image: podman's fields,
 * from the image record, its OCI configuration and manifest as stored, and
 * its layers' records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/image.h"
#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "overlay/overlay.h"
#include "state/state.h"

/* The stored configuration and manifest, parsed (NULL when the store has
 * none: an image of an old burrow). */
struct docs {
	yajl_val config, manifest;
};

static void docs_clear(struct docs *d)
{
	if (d->config)
		yajl_tree_free(d->config);
	if (d->manifest)
		yajl_tree_free(d->manifest);
}

/* One stored document of image id ("img-config", "img-manifest"),
 * parsed; *out NULL when there is none or it is no object. */
static int load_doc(struct state_store *s, const char *kind, const char *id, yajl_val *out, struct burrow_err **err)
{
	*out = NULL;
	cleanup_free char *text = NULL;
	int r = img_blob_get(s, kind, id, &text, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		cleanup_err struct burrow_err *e = NULL;
		*out = json_parse(text, &e);
		if (*out && !YAJL_IS_OBJECT(*out)) {
			yajl_tree_free(*out);
			*out = NULL;
		}
	}
	return 0;
}

static int load_docs(struct state_store *s, const char *id, struct docs *d, struct burrow_err **err)
{
	return load_doc(s, "img-config", id, &d->config, err) < 0 ||
	               load_doc(s, "img-manifest", id, &d->manifest, err) < 0
	           ? -1
	           : 0;
}

/* The configurations of list[0..n), each read once (NULL where none). */
static int load_configs(struct state_store *s, struct img_info *const *list, size_t n, yajl_val **out,
                        struct burrow_err **err)
{
	yajl_val *c = xcalloc(n ? n : 1, sizeof(*c));
	for (size_t k = 0; k < n; k++) {
		if (load_doc(s, "img-config", list[k]->id, &c[k], err) < 0) {
			for (size_t j = 0; j < k; j++)
				if (c[j])
					yajl_tree_free(c[j]);
			free(c);
			return -1;
		}
	}
	*out = c;
	return 0;
}

static void configs_free(yajl_val *c, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (c[k])
			yajl_tree_free(c[k]);
	free(c);
}

/* key: v; when v is missing (or, for an object, not one): {} or null. */
static void key_value(yajl_gen g, const char *key, yajl_val v, bool object)
{
	jg_key(g, key);
	if (v && (!object || YAJL_IS_OBJECT(v))) {
		jg_value(g, v);
	} else if (object) {
		jg_map_open(g);
		jg_map_close(g);
	} else {
		jg_null(g);
	}
}

/* RFC 3339 in UTC. */
static const char *rfc3339(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static const char *str_or(yajl_val obj, const char *key, const char *def)
{
	const char *s = obj ? json_get_str(obj, key) : NULL;
	return s ? s : def;
}

/* Whether the history entries a and b are alike, as podman compares them. */
static bool history_entry_equal(yajl_val a, yajl_val b)
{
	static const char *const keys[] = {"created", "created_by", "comment", "author", NULL};
	for (size_t k = 0; keys[k]; k++)
		if (strcmp(str_or(a, keys[k], ""), str_or(b, keys[k], "")) != 0)
			return false;
	return json_get_bool(a, "empty_layer", false) == json_get_bool(b, "empty_layer", false);
}

/* Whether p may be c's parent: its layers are c's (same_top), or c's less
 * the top one; its history is c's less the newest entry. */
static bool parent_of(const struct img_info *p, yajl_val ph, const struct img_info *c, yajl_val ch, bool same_top)
{
	size_t pl = strv_len(p->layer_ids), cl = strv_len(c->layer_ids);
	if (strcmp(p->id, c->id) == 0 || (same_top ? pl != cl : pl == 0 || pl + 1 != cl))
		return false;
	for (size_t k = 0; k < pl; k++)
		if (strcmp(p->layer_ids[k], c->layer_ids[k]) != 0)
			return false;
	size_t phn = ph && YAJL_IS_ARRAY(ph) ? YAJL_GET_ARRAY(ph)->len : 0;
	size_t chn = ch && YAJL_IS_ARRAY(ch) ? YAJL_GET_ARRAY(ch)->len : 0;
	if (phn + 1 != chn)
		return false;
	for (size_t k = 0; k < phn; k++)
		if (!history_entry_equal(YAJL_GET_ARRAY(ph)->values[k], YAJL_GET_ARRAY(ch)->values[k]))
			return false;
	return true;
}

/* The parents of list[0..n) from their configurations (img_parents). */
static char **parents_of(struct img_info *const *list, const yajl_val *config, size_t n)
{
	char **out = xcalloc(n + 1, sizeof(char *));
	for (size_t c = 0; c < n; c++) {
		yajl_val ch = config[c] ? json_get(config[c], "history") : NULL;
		const char *found = "";
		/* as podman's layer tree: images with the same top layer first */
		for (int pass = 0; pass < 2 && !*found; pass++)
			for (size_t p = 0; p < n && !*found; p++)
				if (parent_of(list[p], config[p] ? json_get(config[p], "history") : NULL, list[c], ch,
				              pass == 0))
					found = list[p]->id;
		out[c] = xstrdup(found);
	}
	return out;
}

int img_parents(struct state_store *s, struct img_info *const *list, size_t n, char ***out, struct burrow_err **err)
{
	yajl_val *config = NULL;
	if (load_configs(s, list, n, &config, err) < 0)
		return -1;
	*out = parents_of(list, config, n);
	configs_free(config, n);
	return 0;
}

/* The parent's ID of image i among every image of the store ("" none). */
static char *parent_id(struct state_store *s, const struct img_info *i, struct burrow_err **err)
{
	struct img_info **all = NULL;
	size_t n = 0;
	if (img_list(s, &all, &n, err) < 0)
		return NULL;
	/* i first: its parent is the first answer */
	struct img_info **list = xcalloc(n + 1, sizeof(*list));
	list[0] = (struct img_info *)i;
	size_t m = 1;
	for (size_t k = 0; k < n; k++)
		if (strcmp(all[k]->id, i->id) != 0)
			list[m++] = all[k];
	char **parents = NULL;
	char *r = NULL;
	if (img_parents(s, list, m, &parents, err) == 0)
		r = xstrdup(parents[0]);
	strv_free(parents);
	free(list);
	img_info_list_free(all, n);
	return r;
}

char *img_lowerdir_text(char *const *layers, size_t n)
{
	size_t len = 1;
	for (size_t k = 0; k < n; k++)
		len += strlen(layers[k]) + 1;
	char *s = xcalloc(len, 1), *p = s;
	for (size_t k = n; k > 0; k--)
		p = stpcpy(stpcpy(p, k < n ? ":" : ""), layers[k - 1]);
	return s;
}

int img_inspect(struct state_store *s, const struct img_info *i, char **json, struct burrow_err **err)
{
	__attribute__((cleanup(docs_clear))) struct docs d = {0};
	if (load_docs(s, i->id, &d, err) < 0)
		return -1;
	cleanup_free char *parent = parent_id(s, i, err);
	if (!parent)
		return -1;
	yajl_val cfg = d.config ? json_get(d.config, "config") : NULL;
	char created[64];
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "Id", i->id);
	jg_key_str(g, "Digest", i->digest ? i->digest : "");
	jg_key_strv(g, "RepoTags", i->names);
	jg_key_strv(g, "RepoDigests", i->digests);
	jg_key_str(g, "Parent", parent);
	jg_key_str(g, "Comment", str_or(d.config, "comment", ""));
	jg_key_str(g, "Created", str_or(d.config, "created", rfc3339(i->created, created, sizeof(created))));
	key_value(g, "Config", cfg, true);
	jg_key_str(g, "Version", str_or(d.config, "docker_version", ""));
	jg_key_str(g, "Author", str_or(d.config, "author", ""));
	jg_key_str(g, "Architecture", i->arch ? i->arch : str_or(d.config, "architecture", ""));
	jg_key_str(g, "Os", i->os ? i->os : str_or(d.config, "os", ""));
	if (i->variant)
		jg_key_str(g, "Variant", i->variant);
	jg_key_int(g, "Size", i->size);
	jg_key_int(g, "VirtualSize", i->size);
	/* the overlay the containers get: the top layer as podman's UpperDir */
	jg_key(g, "GraphDriver");
	jg_map_open(g);
	jg_key_str(g, "Name", "overlay");
	jg_key(g, "Data");
	jg_map_open(g);
	size_t n = strv_len(i->layers);
	if (n > 1) {
		cleanup_free char *lower = img_lowerdir_text(i->layers, n - 1);
		jg_key_str(g, "LowerDir", lower);
	}
	if (n > 0)
		jg_key_str(g, "UpperDir", i->layers[n - 1]);
	jg_map_close(g);
	jg_map_close(g);
	jg_key(g, "RootFS");
	jg_map_open(g);
	jg_key_str(g, "Type", "layers");
	yajl_val rootfs = d.config ? json_get(d.config, "rootfs") : NULL;
	key_value(g, "Layers", rootfs ? json_get(rootfs, "diff_ids") : NULL, false);
	jg_map_close(g);
	/* podman: null without labels (a Go nil map) */
	yajl_val labels = cfg ? json_get(cfg, "Labels") : NULL;
	key_value(g, "Labels", labels && YAJL_IS_OBJECT(labels) ? labels : NULL, false);
	key_value(g, "Annotations", d.manifest ? json_get(d.manifest, "annotations") : NULL, true);
	jg_key_str(g, "ManifestType", i->manifest_type ? i->manifest_type : IMG_MT_OCI_MANIFEST);
	jg_key_str(g, "User", i->config.user ? i->config.user : "");
	key_value(g, "History", d.config ? json_get(d.config, "history") : NULL, false);
	jg_key_strv(g, "NamesHistory", i->names_history);
	jg_map_close(g);
	*json = json_gen_finish(g);
	return 0;
}

void img_history_free(struct img_history_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].id);
		free(e[i].created);
		free(e[i].created_by);
		free(e[i].comment);
	}
	free(e);
}

/* The size of layer id (0 when its record says nothing). */
static long long layer_size(struct state_store *s, const char *id)
{
	__attribute__((cleanup(img_layer_record_clear))) struct img_layer_record l = {0};
	cleanup_err struct burrow_err *e = NULL;
	return img_layer_get(s, id, &l, &e) == 0 ? l.size : 0;
}

int img_history(struct state_store *s, const struct img_info *i, struct img_history_entry **out, size_t *n,
                struct burrow_err **err)
{
	__attribute__((cleanup(docs_clear))) struct docs d = {0};
	if (load_docs(s, i->id, &d, err) < 0)
		return -1;
	yajl_val h = d.config ? json_get(d.config, "history") : NULL;
	size_t nh = h && YAJL_IS_ARRAY(h) ? YAJL_GET_ARRAY(h)->len : 0;
	char created[64];
	if (nh == 0) {
		/* no history: one entry for the whole image */
		*out = xcalloc(1, sizeof(**out));
		(*out)[0] = (struct img_history_entry){
		    .id = xstrdup(i->id),
		    .created = xstrdup(rfc3339(i->created, created, sizeof(created))),
		    .created_by = xstrdup(""),
		    .comment = xstrdup(""),
		    .size = i->size,
		};
		*n = 1;
		return 0;
	}
	struct img_history_entry *e = xcalloc(nh, sizeof(*e));
	size_t layer = strv_len(i->layer_ids);
	/* newest first; the layers are matched from the top */
	for (size_t k = 0; k < nh; k++) {
		yajl_val it = YAJL_GET_ARRAY(h)->values[nh - 1 - k];
		e[k].id = k == 0 ? xstrdup(i->id) : NULL;
		e[k].created = xstrdup(str_or(it, "created", ""));
		e[k].created_by = xstrdup(str_or(it, "created_by", ""));
		e[k].comment = xstrdup(str_or(it, "comment", ""));
		if (!json_get_bool(it, "empty_layer", false) && layer > 0)
			e[k].size = layer_size(s, i->layer_ids[--layer]);
	}
	*out = e;
	*n = nh;
	return 0;
}

/* The labels of a configuration (NULL: none), as img_labels gives them. */
static char **labels_of(yajl_val config)
{
	yajl_val cfg = config ? json_get(config, "config") : NULL;
	yajl_val l = cfg ? json_get(cfg, "Labels") : NULL;
	char **out = xcalloc(1, sizeof(char *));
	for (size_t i = 0; l && YAJL_IS_OBJECT(l) && i < l->u.object.len; i++) {
		yajl_val v = l->u.object.values[i];
		strv_append_take(&out,
		                 xasprintf("%s=%s", l->u.object.keys[i], YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : ""));
	}
	size_t n = strv_len(out);
	if (n > 1)
		qsort(out, n, sizeof(char *), strv_cmp);
	return out;
}

int img_labels(struct state_store *s, const char *id, char ***out, struct burrow_err **err)
{
	yajl_val config = NULL;
	if (load_doc(s, "img-config", id, &config, err) < 0)
		return -1;
	*out = labels_of(config);
	if (config)
		yajl_tree_free(config);
	return 0;
}

int img_extras_load(struct state_store *s, struct img_info *const *list, size_t n, struct img_extras *out,
                    struct burrow_err **err)
{
	yajl_val *config = NULL;
	if (load_configs(s, list, n, &config, err) < 0)
		return -1;
	out->n = n;
	out->parents = parents_of(list, config, n);
	out->labels = xcalloc(n ? n : 1, sizeof(*out->labels));
	for (size_t k = 0; k < n; k++)
		out->labels[k] = labels_of(config[k]);
	configs_free(config, n);
	return 0;
}

void img_extras_clear(struct img_extras *x)
{
	strv_free(x->parents);
	for (size_t k = 0; x->labels && k < x->n; k++)
		strv_free(x->labels[k]);
	free(x->labels);
	memset(x, 0, sizeof(*x));
}
