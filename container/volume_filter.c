/* podman's volume filters (ls --filter, prune --filter). */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "container/volume.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"

enum vf_key {
	VF_NAME,
	VF_DRIVER,
	VF_SCOPE,
	VF_LABEL,
	VF_NOT_LABEL,
	VF_OPT,
	VF_DANGLING,
	VF_ANONYMOUS,
	VF_UNTIL,
	VF_AFTER,
	VF_NKEYS,
};

static const char *const vf_keys[VF_NKEYS] = {
    [VF_NAME] = "name",        [VF_DRIVER] = "driver", [VF_SCOPE] = "scope",       [VF_LABEL] = "label",
    [VF_NOT_LABEL] = "label!", [VF_OPT] = "opt",       [VF_DANGLING] = "dangling", [VF_ANONYMOUS] = "anonymous",
    [VF_UNTIL] = "until",      [VF_AFTER] = "after",
};

struct ctr_vol_filters {
	char **values[VF_NKEYS]; /* the values given for each key */
	regex_t *names;          /* VF_NAME compiled */
	size_t nnames;
	long long until; /* ns; 0: no until filter */
	long long after; /* ns; -1: no after filter */
};

void ctr_vol_filters_free(struct ctr_vol_filters *f)
{
	if (!f)
		return;
	for (int k = 0; k < VF_NKEYS; k++)
		strv_free(f->values[k]);
	for (size_t i = 0; i < f->nnames; i++)
		regfree(&f->names[i]);
	free(f->names);
	free(f);
}

static void filters_freep(struct ctr_vol_filters **f)
{
	ctr_vol_filters_free(*f);
}

/* true/1/false/0, as podman's bool filters. */
static int parse_bool(const char *key, const char *v, bool *out, struct burrow_err **err)
{
	if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return burrow_error_status(err, EINVAL,
		                           "'%s' is not a valid value for the \"%s\" filter - must be true or false",
		                           str_quote(v), key);
	return 0;
}

/* Compiles one key's values once all are known. */
static int prepare(struct state_store *s, struct ctr_vol_filters *f, enum vf_key k, struct burrow_err **err)
{
	char **vals = f->values[k];
	for (size_t i = 0; vals && vals[i]; i++) {
		const char *v = vals[i];
		bool b;
		switch (k) {
		case VF_NAME: {
			f->names = xrealloc(f->names, (f->nnames + 1) * sizeof(*f->names));
			int rc = regcomp(&f->names[f->nnames], v, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char msg[128];
				regerror(rc, &f->names[f->nnames], msg, sizeof(msg));
				return burrow_error_status(err, EINVAL, "invalid name filter '%s': %s", str_quote(v),
				                           msg);
			}
			f->nnames++;
			break;
		}
		case VF_DANGLING:
		case VF_ANONYMOUS:
			if (parse_bool(vf_keys[k], v, &b, err) < 0)
				return -1;
			break;
		case VF_UNTIL: {
			long long t;
			if (time_parse_point(v, time_wall_ns(), &t, err) < 0)
				return burrow_error_wrap(err, "until filter");
			/* the latest of several */
			if (t > f->until)
				f->until = t;
			break;
		}
		case VF_AFTER: {
			cleanup_free char *name = NULL;
			struct ctr_vol other;
			if (!s)
				break; /* a check of the syntax only */
			if (ctr_vol_lookup(s, v, &name, err) < 0 || ctr_vol_load(s, name, &other, err) < 0)
				return burrow_error_wrap(err, "after filter");
			/* after the earliest of several, as podman */
			if (f->after < 0 || other.created < f->after)
				f->after = other.created;
			ctr_vol_clear(&other);
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

int ctr_vol_filters_parse(struct state_store *s, char *const *specs, struct ctr_vol_filters **out,
                          struct burrow_err **err)
{
	__attribute__((cleanup(filters_freep))) struct ctr_vol_filters *f = xcalloc(1, sizeof(*f));
	f->after = -1;
	for (size_t i = 0; specs && specs[i]; i++) {
		const char *eq = strchr(specs[i], '=');
		if (!eq)
			return burrow_error_status(err, EINVAL, "invalid filter '%s': it needs KEY=VALUE",
			                           str_quote(specs[i]));
		size_t kl = (size_t)(eq - specs[i]);
		cleanup_free char *key = xstrndup(specs[i], kl);
		/* label!=x comes through as key "label!" */
		int k;
		for (k = 0; k < VF_NKEYS; k++)
			if (strcmp(key, vf_keys[k]) == 0 || (k == VF_AFTER && strcmp(key, "since") == 0))
				break;
		if (k == VF_NKEYS)
			return burrow_error_status(err, EINVAL, "'%s' is an invalid volume filter", str_quote(key));
		strv_append(&f->values[k], eq + 1);
	}
	for (int k = 0; k < VF_NKEYS; k++)
		if (prepare(s, f, (enum vf_key)k, err) < 0)
			return -1;
	*out = steal_ptr(f);
	return 0;
}

/* One label filter value ("key" or "key=value") against the labels. */
static bool label_matches(char *const *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	cleanup_free char *key = eq ? xstrndup(want, (size_t)(eq - want)) : xstrdup(want);
	const char *have = ctr_vol_kv_get(labels, key);
	return have && (!eq || strcmp(have, eq + 1) == 0);
}

static bool any_of(char *const *vals, const char *s)
{
	return strv_contains(vals, s);
}

static bool bool_matches(char *const *vals, bool actual)
{
	for (size_t i = 0; vals[i]; i++) {
		bool want = strcasecmp(vals[i], "true") == 0 || strcmp(vals[i], "1") == 0;
		if (want == actual)
			return true;
	}
	return false;
}

static bool opt_matches(char *const *vals, char *const *options)
{
	for (size_t i = 0; vals[i]; i++) {
		const char *eq = strchr(vals[i], '=');
		cleanup_free char *key = eq ? xstrndup(vals[i], (size_t)(eq - vals[i])) : xstrdup(vals[i]);
		const char *have = ctr_vol_kv_get(options, key);
		if (have && (!eq || !eq[1] || strcmp(have, eq + 1) == 0))
			return true;
	}
	return false;
}

bool ctr_vol_filters_match(const struct ctr_vol_filters *f, const struct ctr_vol *v, bool in_use)
{
	if (!f)
		return true;
	char **const *vals = f->values;
	if (f->nnames) {
		bool hit = any_of(vals[VF_NAME], v->name);
		for (size_t i = 0; !hit && i < f->nnames; i++)
			hit = regexec(&f->names[i], v->name, 0, NULL, 0) == 0;
		if (!hit)
			return false;
	}
	if (vals[VF_DRIVER] && !any_of(vals[VF_DRIVER], v->driver))
		return false;
	if (vals[VF_SCOPE] && !any_of(vals[VF_SCOPE], "local"))
		return false;
	for (size_t i = 0; vals[VF_LABEL] && vals[VF_LABEL][i]; i++)
		if (!label_matches(v->labels, vals[VF_LABEL][i]))
			return false;
	for (size_t i = 0; vals[VF_NOT_LABEL] && vals[VF_NOT_LABEL][i]; i++)
		if (label_matches(v->labels, vals[VF_NOT_LABEL][i]))
			return false;
	if (vals[VF_OPT] && !opt_matches(vals[VF_OPT], v->options))
		return false;
	if (vals[VF_DANGLING] && !bool_matches(vals[VF_DANGLING], !in_use))
		return false;
	if (vals[VF_ANONYMOUS] && !bool_matches(vals[VF_ANONYMOUS], v->anonymous))
		return false;
	if (vals[VF_UNTIL] && !(v->created < f->until))
		return false;
	if (vals[VF_AFTER] && !(v->created > f->after))
		return false;
	return true;
}
