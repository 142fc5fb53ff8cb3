/* The image store's records in burrow.tdb (see image/image.h for their
 * shape): images, layers, tags, config blobs and manifests, and the one
 * transaction that stores a whole image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

/* The field lists of internal.h, expanded into clear, parse and generate. */
#define CLEAR_STR(name, key) free(r->name);
#define CLEAR_STRV(name, key) strv_free(r->name);
#define CLEAR_INT(name, key)
#define PARSE_STR(name, key) r->name = dup_or_null(json_get_str(v, key));
#define PARSE_STRV(name, key) r->name = strv_or_empty(json_get_strv(v, key));
#define PARSE_INT(name, key) r->name = json_get_int(v, key, 0);
#define GEN_STR(name, key) \
	if (r->name)       \
		jg_key_str(g, key, r->name);
#define GEN_STRV(name, key) jg_key_strv(g, key, r->name);
#define GEN_INT(name, key) jg_key_int(g, key, r->name);

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static char **strv_or_empty(char **v)
{
	return v ? v : xcalloc(1, sizeof(char *));
}

/* 0 found (*v parsed, with an "id" that is id), 1 not found, -1 error. */
static int load_json(struct state_store *s, const char *key, const char *id, yajl_val *v, struct burrow_err **err)
{
	cleanup_free char *json = NULL;
	int rc = state_get(s, STATE_DB, key, &json, err);
	if (rc != 0)
		return rc;
	cleanup_err struct burrow_err *e = NULL;
	*v = json_parse(json, &e);
	const char *rid = *v ? json_get_str(*v, "id") : NULL;
	if (!rid || (id ? strcmp(rid, id) != 0 : !img_is_hex(rid))) {
		if (*v)
			yajl_tree_free(*v);
		*v = NULL;
		return burrow_error(err, EIO, "%s record '%s' is corrupt",
		                    str_has_prefix(key, "img/") ? "image" : "layer", key);
	}
	return 0;
}

static int save_json(struct state_store *s, const char *key, yajl_gen g, struct burrow_err **err)
{
	cleanup_free char *json = json_gen_finish(g);
	return state_put(s, STATE_DB, key, json, err);
}

void img_record_clear(struct img_record *r)
{
	IMG_RECORD_FIELDS(CLEAR_STR, CLEAR_STRV, CLEAR_INT)
	img_config_clear(&r->config);
	memset(r, 0, sizeof(*r));
}

static void record_from_json(yajl_val v, struct img_record *r)
{
	IMG_RECORD_FIELDS(PARSE_STR, PARSE_STRV, PARSE_INT)
	img_config_from_json(json_get(v, "config"), &r->config);
}

int img_record_parse(const char *key, const char *json, struct img_record *r, struct burrow_err **err)
{
	memset(r, 0, sizeof(*r));
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(json, &e);
	const char *id = v ? json_get_str(v, "id") : NULL;
	if (!id || !img_is_hex(id))
		return burrow_error(err, EIO, "image record '%s' is corrupt", key);
	record_from_json(v, r);
	return 0;
}

int img_record_load(struct state_store *s, const char *id, struct img_record *r, struct burrow_err **err)
{
	memset(r, 0, sizeof(*r));
	cleanup_free char *key = xasprintf("img/%s", id);
	cleanup_yajl yajl_val v = NULL;
	int rc = load_json(s, key, NULL, &v, err);
	if (rc == 0)
		record_from_json(v, r);
	return rc;
}

int img_record_save(struct state_store *s, const struct img_record *r, struct burrow_err **err)
{
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	IMG_RECORD_FIELDS(GEN_STR, GEN_STRV, GEN_INT)
	jg_key(g, "config");
	img_config_gen(g, &r->config);
	jg_map_close(g);
	cleanup_free char *key = xasprintf("img/%s", r->id);
	return save_json(s, key, g, err);
}

/* --- layers ---------------------------------------------------------------- */

void img_layer_record_clear(struct img_layer_record *r)
{
	IMG_LAYER_FIELDS(CLEAR_STR, CLEAR_STRV, CLEAR_INT)
	memset(r, 0, sizeof(*r));
}

int img_layer_get(struct state_store *s, const char *id, struct img_layer_record *r, struct burrow_err **err)
{
	memset(r, 0, sizeof(*r));
	cleanup_free char *key = xasprintf("layer/%s", id);
	cleanup_yajl yajl_val v = NULL;
	int rc = load_json(s, key, id, &v, err);
	if (rc == 0) {
		IMG_LAYER_FIELDS(PARSE_STR, PARSE_STRV, PARSE_INT)
	}
	return rc;
}

int img_layer_put(struct state_store *s, const struct img_layer_record *l, struct burrow_err **err)
{
	struct img_layer_record copy = *l;
	const struct img_layer_record *r = &copy;
	if (!copy.created)
		copy.created = (long long)time(NULL);
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	IMG_LAYER_FIELDS(GEN_STR, GEN_STRV, GEN_INT)
	jg_map_close(g);
	cleanup_free char *key = xasprintf("layer/%s", l->id);
	return save_json(s, key, g, err);
}

int img_chain_ids(char *const *diff_ids, char ***out, struct burrow_err **err)
{
	cleanup_strv char **ids = xcalloc(1, sizeof(char *));
	char prev[65] = "";
	for (size_t i = 0; diff_ids[i]; i++) {
		const char *d = diff_ids[i];
		if (!str_has_prefix(d, "sha256:") || strlen(d) != 71 || !img_is_hex(d + 7))
			return burrow_error(err, 0, "invalid diff ID '%s' (expected sha256:<64 hex digits>)",
			                    str_quote(d));
		char id[65];
		if (i == 0) {
			memcpy(id, d + 7, sizeof(id));
		} else {
			/* ChainID(n) = sha256(ChainID(n-1) + " " + DiffID(n)), both "sha256:..." */
			cleanup_free char *in = xasprintf("sha256:%s %s", prev, d);
			if (img_sha256_hex(in, strlen(in), id, err) < 0)
				return -1;
		}
		memcpy(prev, id, sizeof(prev));
		strv_append(&ids, id);
	}
	*out = steal_ptr(ids);
	return 0;
}

/* --- tags ------------------------------------------------------------------ */

static char *json_string(const char *s)
{
	yajl_gen g = json_gen_new();
	jg_str(g, s);
	return json_gen_finish(g);
}

int img_tag_get(struct state_store *s, const char *ref, char **id, struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("tag/%s", ref);
	cleanup_free char *json = NULL;
	int r = state_get(s, STATE_DB, key, &json, err);
	if (r != 0)
		return r;
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = json_parse(json, &e);
	if (!v || !YAJL_IS_STRING(v) || !img_is_hex(YAJL_GET_STRING(v)))
		return burrow_error(err, EIO, "tag record '%s' is corrupt", key);
	*id = xstrdup(YAJL_GET_STRING(v));
	return 0;
}

void img_strv_remove(char **v, const char *s)
{
	size_t k = 0;
	for (size_t i = 0; v[i]; i++) {
		if (strcmp(v[i], s) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	v[k] = NULL;
}

void img_names_history_add(char ***hist, const char *name)
{
	if (!*hist)
		*hist = xcalloc(1, sizeof(char *));
	img_strv_remove(*hist, name);
	size_t n = strv_len(*hist);
	*hist = xrealloc(*hist, (n + 2) * sizeof(char *));
	memmove(*hist + 1, *hist, (n + 1) * sizeof(char *));
	(*hist)[0] = xstrdup(name);
}

int img_tag_move(struct state_store *s, const char *ref, const char *image_id, struct burrow_err **err)
{
	cleanup_free char *old = NULL;
	int r = img_tag_get(s, ref, &old, err);
	if (r < 0)
		return -1;
	if (r == 0 && strcmp(old, image_id) != 0) {
		__attribute__((cleanup(img_record_clear))) struct img_record prev = {0};
		r = img_record_load(s, old, &prev, err);
		if (r < 0)
			return -1;
		if (r == 0) {
			img_strv_remove(prev.names, ref);
			if (img_record_save(s, &prev, err) < 0)
				return -1;
		}
	}
	cleanup_free char *key = xasprintf("tag/%s", ref);
	cleanup_free char *json = json_string(image_id);
	return state_put(s, STATE_DB, key, json, err);
}

/* --- a whole image ------------------------------------------------------------ */

struct tx_guard {
	struct state_store *s;
	bool open;
};

static void tx_guard_cancel(struct tx_guard *g)
{
	if (g->open)
		state_tx_cancel(g->s, STATE_DB);
}

int img_blob_get(struct state_store *s, const char *kind, const char *id, char **out, struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("%s/%s", kind, id);
	return state_get(s, STATE_DB, key, out, err);
}

int img_store_image(struct state_store *s, const struct img_commit *c, struct burrow_err **err)
{
	__attribute__((cleanup(tx_guard_cancel))) struct tx_guard tx = {s, false};
	if (state_tx_begin(s, STATE_DB, err) < 0)
		return -1;
	tx.open = true;
	for (size_t i = 0; c->layers && i < c->nlayers; i++)
		if (c->layers[i] && img_layer_put(s, c->layers[i], err) < 0)
			return -1;
	__attribute__((cleanup(img_record_clear))) struct img_record img = {0};
	int r = img_record_load(s, c->id, &img, err);
	if (r < 0)
		return -1;
	if (r == 1) {
		img.id = xstrdup(c->id);
		img.names = xcalloc(1, sizeof(char *));
		img.digests = xcalloc(1, sizeof(char *));
		img.created = c->created;
	}
	/* what this copy says wins: the layers, the run configuration, sizes */
	strv_free(img.layer_ids);
	img.layer_ids = strv_dup(c->layer_ids);
	img.size = c->size;
	img_config_clear(&img.config);
	img_config_copy(&img.config, c->config);
	if (c->digest) {
		free(img.digest);
		img.digest = xstrdup(c->digest);
	}
	if (c->manifest_type) {
		free(img.manifest_type);
		img.manifest_type = xstrdup(c->manifest_type);
	}
	const char *const plat[3] = {c->arch, c->os, c->variant};
	char **const slots[3] = {&img.arch, &img.os, &img.variant};
	for (size_t i = 0; i < 3; i++) {
		if (!plat[i])
			continue;
		free(*slots[i]);
		*slots[i] = dup_or_null(plat[i]);
	}
	for (size_t i = 0; c->repo_digests && c->repo_digests[i]; i++)
		if (!strv_contains(img.digests, c->repo_digests[i]))
			strv_append(&img.digests, c->repo_digests[i]);
	char *one[] = {(char *)c->reference, NULL};
	char *const *lists[] = {one, c->references};
	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; lists[l] && lists[l][i]; i++) {
			if (img_tag_move(s, lists[l][i], c->id, err) < 0)
				return -1;
			if (!strv_contains(img.names, lists[l][i]))
				strv_append(&img.names, lists[l][i]);
			img_names_history_add(&img.names_history, lists[l][i]);
		}
	}
	if (img_record_save(s, &img, err) < 0)
		return -1;
	if (c->config_blob) {
		cleanup_free char *key = xasprintf("img-config/%s", c->id);
		if (state_put(s, STATE_DB, key, c->config_blob, err) < 0)
			return -1;
	}
	if (c->manifest) {
		cleanup_free char *key = xasprintf("img-manifest/%s", c->id);
		if (state_put(s, STATE_DB, key, c->manifest, err) < 0)
			return -1;
	}
	tx.open = false;
	return state_tx_commit(s, STATE_DB, err);
}
