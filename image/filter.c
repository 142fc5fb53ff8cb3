/* podman's image filters (images --filter, image prune --filter) and the
 * orders of images --sort: pure logic over what the caller knows of each
 * image (see image/image.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/image.h"
#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static const char *const key_names[] = {
    [IMG_FILTER_REFERENCE] = "reference",
    [IMG_FILTER_DANGLING] = "dangling",
    [IMG_FILTER_LABEL] = "label",
    [IMG_FILTER_BEFORE] = "before",
    [IMG_FILTER_SINCE] = "since",
    [IMG_FILTER_ID] = "id",
    [IMG_FILTER_UNTIL] = "until",
    [IMG_FILTER_CONTAINERS] = "containers",
    [IMG_FILTER_READONLY] = "readonly",
    [IMG_FILTER_MANIFEST] = "manifest",
    [IMG_FILTER_INTERMEDIATE] = "intermediate",
};

void img_filters_clear(struct img_filters *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->f[i].value);
	free(f->f);
	memset(f, 0, sizeof(*f));
}

static int parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* until=: a Unix time (seconds, maybe with a fraction), an RFC 3339 time
 * or date, or a duration before now ("10m", "1h30m", "24h"). */
static int parse_until(const char *v, long long now, long long *out)
{
	char *end = NULL;
	errno = 0;
	double secs = strtod(v, &end);
	if (*v && end && !*end && errno == 0 && secs >= 0) {
		*out = (long long)secs;
		return 0;
	}
	struct tm tm = {0};
	const char *rest = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest) {
		memset(&tm, 0, sizeof(tm));
		rest = strptime(v, "%Y-%m-%d", &tm);
	}
	if (rest && (!*rest || strcmp(rest, "Z") == 0)) {
		*out = (long long)timegm(&tm);
		return 0;
	}
	/* Go's durations: NUMBER UNIT, repeated */
	long long total = 0;
	const char *p = v;
	if (!*p)
		return -1;
	while (*p) {
		errno = 0;
		double n = strtod(p, &end);
		if (end == p || errno || n < 0)
			return -1;
		p = end;
		double unit = 0;
		if (strncmp(p, "h", 1) == 0)
			unit = 3600, p += 1;
		else if (strncmp(p, "ms", 2) == 0)
			unit = 0.001, p += 2;
		else if (strncmp(p, "m", 1) == 0)
			unit = 60, p += 1;
		else if (strncmp(p, "s", 1) == 0)
			unit = 1, p += 1;
		else
			return -1;
		total += (long long)(n * unit);
	}
	*out = now - total;
	return 0;
}

int img_filters_parse(char *const *specs, long long now, struct img_filters *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; specs && specs[i]; i++) {
		const char *spec = specs[i];
		const char *eq = strchr(spec, '=');
		if (!eq || eq == spec) {
			img_filters_clear(out);
			burrow_error_status(err, EINVAL, "invalid filter '%s': not KEY=VALUE", str_quote(spec));
			return -1;
		}
		bool negate = eq[-1] == '!';
		size_t klen = (size_t)(eq - spec) - (negate ? 1 : 0);
		struct img_filter f = {.negate = negate};
		bool known = false;
		for (size_t k = 0; k < sizeof(key_names) / sizeof(key_names[0]); k++) {
			if (key_names[k] && strlen(key_names[k]) == klen && strncmp(spec, key_names[k], klen) == 0) {
				f.key = (enum img_filter_key)k;
				known = true;
			}
		}
		if (!known && klen == 5 && strncmp(spec, "after", 5) == 0) {
			f.key = IMG_FILTER_SINCE;
			known = true;
		}
		const char *v = eq + 1;
		const char *bad = NULL;
		if (!known)
			bad = "unknown filter";
		else if ((f.key == IMG_FILTER_DANGLING || f.key == IMG_FILTER_CONTAINERS ||
		          f.key == IMG_FILTER_READONLY || f.key == IMG_FILTER_MANIFEST ||
		          f.key == IMG_FILTER_INTERMEDIATE) &&
		         parse_bool(v, &f.flag) < 0)
			bad = "want true or false";
		else if (f.key == IMG_FILTER_UNTIL && parse_until(v, now, &f.time) < 0)
			bad = "want a time, a date or a duration";
		else if (!*v)
			bad = "empty value";
		if (bad) {
			img_filters_clear(out);
			burrow_error_status(err, EINVAL, "invalid filter '%s': %s", str_quote(spec), bad);
			return -1;
		}
		f.value = xstrdup(v);
		out->f = xrealloc(out->f, (out->n + 1) * sizeof(*out->f));
		out->f[out->n++] = f;
	}
	return 0;
}

int img_filters_resolve(struct img_filters *f, struct state_store *s, struct burrow_err **err)
{
	for (size_t i = 0; i < f->n; i++) {
		struct img_filter *x = &f->f[i];
		if (x->key != IMG_FILTER_BEFORE && x->key != IMG_FILTER_SINCE)
			continue;
		struct img_info *img = NULL;
		if (img_lookup(s, x->value, &img, err) < 0)
			return burrow_error_wrap(err, "filter '%s=%s'", key_names[x->key], str_quote(x->value));
		x->time = img->created;
		img_info_free(img);
	}
	return 0;
}

/* The forms of a stored name a reference filter is matched against: the
 * name, its repository, and each without the registry, and the last
 * component with and without the tag. */
bool img_name_matches_reference(const char *name, const char *pattern)
{
	const char *at = strchr(name, '@');
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(name, ':');
	size_t repo_len = at                                   ? (size_t)(at - name)
	                  : colon && (!slash || colon > slash) ? (size_t)(colon - name)
	                                                       : strlen(name);
	char *repo = xstrndup(name, repo_len);
	const char *first = strchr(name, '/');
	const char *last = slash ? slash + 1 : name;
	const char *forms[6] = {name, repo, first ? first + 1 : NULL, NULL, last, NULL};
	char *short_repo = first ? xstrndup(first + 1, repo_len - (size_t)(first + 1 - name)) : NULL;
	char *last_repo = xstrndup(last, repo_len - (size_t)(last - name));
	forms[3] = short_repo;
	forms[5] = last_repo;
	bool hit = false;
	for (size_t i = 0; i < 6 && !hit; i++)
		hit = forms[i] && fnmatch(pattern, forms[i], 0) == 0;
	free(repo);
	free(short_repo);
	free(last_repo);
	return hit;
}

bool img_labels_match(char *const *labels, const char *value)
{
	const char *eq = strchr(value, '=');
	size_t klen = eq ? (size_t)(eq - value) : strlen(value);
	char *key = xstrndup(value, klen);
	bool hit = false;
	for (size_t i = 0; labels && labels[i] && !hit; i++) {
		const char *leq = strchr(labels[i], '=');
		char *lkey = xstrndup(labels[i], leq ? (size_t)(leq - labels[i]) : strlen(labels[i]));
		if (fnmatch(key, lkey, 0) == 0)
			hit = !eq || strcmp(eq + 1, leq ? leq + 1 : "") == 0;
		free(lkey);
	}
	free(key);
	return hit;
}

static bool one_matches(const struct img_filter *f, const struct img_filter_subject *s)
{
	switch (f->key) {
	case IMG_FILTER_REFERENCE:
		for (size_t i = 0; s->names && s->names[i]; i++)
			if (img_name_matches_reference(s->names[i], f->value))
				return true;
		return false;
	case IMG_FILTER_DANGLING:
		return s->dangling == f->flag;
	case IMG_FILTER_LABEL:
		return img_labels_match(s->labels, f->value);
	case IMG_FILTER_BEFORE:
		return s->created < f->time;
	case IMG_FILTER_SINCE:
		return s->created > f->time;
	case IMG_FILTER_UNTIL:
		return s->created < f->time;
	case IMG_FILTER_ID: {
		const char *v = str_has_prefix(f->value, "sha256:") ? f->value + 7 : f->value;
		return str_has_prefix(s->id, v);
	}
	case IMG_FILTER_CONTAINERS:
		return (s->containers > 0) == f->flag;
	case IMG_FILTER_INTERMEDIATE:
		return s->intermediate == f->flag;
	case IMG_FILTER_READONLY:
	case IMG_FILTER_MANIFEST:
		return !f->flag;
	}
	return false;
}

bool img_filters_match(const struct img_filters *f, const struct img_filter_subject *s)
{
	/* as podman: the values of one key are or'ed (label's and'ed), the
	 * keys and'ed; a negated value (KEY!=VALUE) must not match */
	for (size_t k = 0; k < sizeof(key_names) / sizeof(key_names[0]); k++) {
		bool any = false, hit = false;
		for (size_t i = 0; i < f->n; i++) {
			const struct img_filter *x = &f->f[i];
			if ((size_t)x->key != k)
				continue;
			bool m = one_matches(x, s) != x->negate;
			if (k == IMG_FILTER_LABEL || x->negate) {
				if (!m)
					return false;
				continue;
			}
			any = true;
			hit = hit || m;
		}
		if (any && !hit)
			return false;
	}
	return true;
}

static bool img_filters_has(const struct img_filters *f, enum img_filter_key key)
{
	for (size_t k = 0; k < f->n; k++)
		if (f->f[k].key == key)
			return true;
	return false;
}

int img_filters_match_image(struct state_store *s, const struct img_filters *f, const struct img_info *i,
                            char *const *given, bool *pass, struct burrow_err **err)
{
	if (img_filters_has(f, IMG_FILTER_INTERMEDIATE) && !f->parents)
		return burrow_error_status(err, EINVAL, "the intermediate filter is not known here");
	cleanup_strv char **labels = NULL; /* read here when not given */
	if (!given && img_filters_has(f, IMG_FILTER_LABEL) && img_labels(s, i->id, &labels, err) < 0)
		return -1;
	long long containers = 0;
	for (size_t k = 0; k < f->n; k++) {
		if (f->f[k].key != IMG_FILTER_CONTAINERS)
			continue;
		cleanup_strv char **users = NULL;
		if (!f->users || !f->users->users)
			return burrow_error_status(err, EINVAL, "the containers filter is not known here");
		if (f->users->users(s, i->id, &users, f->users->data, err) < 0)
			return -1;
		containers = (long long)strv_len(users);
		break;
	}
	/* as podman 4.3: an untagged image another is made from is
	 * intermediate, not dangling (known when the caller gave parents) */
	bool parent = f->parents && strv_contains(f->parents, i->id);
	struct img_filter_subject subj = {.id = i->id,
	                                  .names = i->names,
	                                  .labels = given ? given : labels,
	                                  .created = i->created,
	                                  .dangling = !i->names[0] && !parent,
	                                  .intermediate = !i->names[0] && parent,
	                                  .containers = containers};
	*pass = img_filters_match(f, &subj);
	return 0;
}

/* --- sort ----------------------------------------------------------------------------- */

int img_sort_parse(const char *s, enum img_sort *out, struct burrow_err **err)
{
	static const char *const names[] = {
	    [IMG_SORT_CREATED] = "created", [IMG_SORT_ID] = "id",   [IMG_SORT_REPOSITORY] = "repository",
	    [IMG_SORT_SIZE] = "size",       [IMG_SORT_TAG] = "tag",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum img_sort)i;
			return 0;
		}
	}
	burrow_error_status(err, EINVAL, "invalid --sort '%s' (created, id, repository, size or tag)", str_quote(s));
	return -1;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

int img_row_cmp(const struct img_row *a, const struct img_row *b, enum img_sort key)
{
	int c = 0;
	switch (key) {
	case IMG_SORT_CREATED: /* newest first */
		c = a->created == b->created ? 0 : a->created > b->created ? -1 : 1;
		break;
	case IMG_SORT_ID:
		c = cmp_str(a->id, b->id);
		break;
	case IMG_SORT_REPOSITORY:
		c = cmp_str(a->repository, b->repository);
		break;
	case IMG_SORT_SIZE: /* smallest first */
		c = a->size == b->size ? 0 : a->size < b->size ? -1 : 1;
		break;
	case IMG_SORT_TAG:
		c = cmp_str(a->tag, b->tag);
		break;
	}
	if (c == 0)
		c = cmp_str(a->repository, b->repository);
	if (c == 0)
		c = cmp_str(a->tag, b->tag);
	if (c == 0)
		c = cmp_str(a->id, b->id);
	return c;
}

static int row_cmp_q(const void *a, const void *b, void *key)
{
	return img_row_cmp(a, b, *(enum img_sort *)key);
}

void img_rows_sort(struct img_row *rows, size_t n, enum img_sort key)
{
	if (n > 1)
		qsort_r(rows, n, sizeof(*rows), row_cmp_q, &key);
}
