/* ps's --filter and --sort (see psfilter.h). */
#include "cmd/psfilter.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/ctrjson.h"
#include "container/health.h"
#include "container/mount.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

enum pf_key {
	PF_ID,
	PF_NAME,
	PF_STATUS,
	PF_EXITED,
	PF_ANCESTOR,
	PF_LABEL,
	PF_NOT_LABEL,
	PF_HEALTH,
	PF_BEFORE,
	PF_SINCE,
	PF_VOLUME,
	PF_NKEYS
};
static const char *const pf_names[PF_NKEYS] = {"id",     "name",   "status", "exited", "ancestor", "label",
                                               "label!", "health", "before", "since",  "volume"};

struct pf_value {
	char *text;
	bool is_regex;
	regex_t re;
	int code;      /* exited */
	long long sec; /* before, since: when that container was created */
	int nsec;      /* (cmd_ps_filter_resolve) */
};

struct cmd_ps_filter {
	struct pf_value *v[PF_NKEYS];
	size_t n[PF_NKEYS];
};

struct cmd_ps_filter *cmd_ps_filter_new(void)
{
	return xcalloc(1, sizeof(struct cmd_ps_filter));
}

void cmd_ps_filter_free(struct cmd_ps_filter *f)
{
	if (!f)
		return;
	for (int k = 0; k < PF_NKEYS; k++) {
		for (size_t i = 0; i < f->n[k]; i++) {
			if (f->v[k][i].is_regex)
				regfree(&f->v[k][i].re);
			free(f->v[k][i].text);
		}
		free(f->v[k]);
	}
	free(f);
}

/* podman's states as ps --filter status= takes them */
static const char *const statuses[] = {"created", "initialized", "running",  "paused", "stopping",
                                       "stopped", "exited",      "removing", "unknown"};

static int pf_regex(struct pf_value *v, const char *key, struct burrow_err **err)
{
	int rc = regcomp(&v->re, v->text, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char msg[128];
		regerror(rc, &v->re, msg, sizeof(msg));
		return burrow_error_status(err, EINVAL, "--filter %s='%s': %s", key, str_quote(v->text), msg);
	}
	v->is_regex = true;
	return 0;
}

int cmd_ps_filter_add(struct cmd_ps_filter *f, const char *spec, struct burrow_err **err)
{
	const char *eq = strchr(spec, '=');
	if (!eq)
		return burrow_error_status(err, EINVAL, "--filter '%s': not KEY=VALUE", str_quote(spec));
	size_t klen = (size_t)(eq - spec);
	int k = 0;
	while (k < PF_NKEYS && !(strlen(pf_names[k]) == klen && strncmp(pf_names[k], spec, klen) == 0))
		k++;
	if (k == PF_NKEYS)
		return burrow_error_status(
		    err, EINVAL,
		    "--filter '%s': unknown filter (id, name, status, exited, ancestor, label, label!, health, before, "
		    "since, volume)",
		    str_quote(spec));
	struct pf_value v = {.text = xstrdup(eq + 1)};
	int rc = 0;
	switch ((enum pf_key)k) {
	case PF_ID:
		/* an ID prefix; a regular expression when not hex (podman's FilterID) */
		for (const char *p = v.text; *p; p++)
			if (!strchr("0123456789abcdefABCDEF", *p)) {
				rc = pf_regex(&v, "id", err);
				break;
			}
		if (!v.is_regex)
			for (char *p = v.text; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
		break;
	case PF_NAME: {
		/* podman drops '/' (docker's names begin with one) */
		char *w = v.text;
		for (const char *p = v.text; *p; p++)
			if (*p != '/')
				*w++ = *p;
		*w = '\0';
		rc = pf_regex(&v, "name", err);
		break;
	}
	case PF_ANCESTOR: /* compared whole, not a regex: podman 4.3's */
		break;
	case PF_STATUS: {
		bool ok = false;
		for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
			ok = ok || strcmp(v.text, statuses[i]) == 0;
		if (!ok)
			rc = burrow_error_status(err, EINVAL,
			                         "--filter status='%s': unknown container state (created, initialized, "
			                         "running, paused, stopping, stopped, exited, removing, unknown)",
			                         str_quote(v.text));
		break;
	}
	case PF_HEALTH: {
		enum ctr_health_status hs;
		if (ctr_health_status_parse(v.text, &hs, err) < 0) {
			burrow_error_wrap(err, "--filter health");
			rc = -1;
		}
		v.code = (int)hs;
		break;
	}
	case PF_EXITED: {
		char *end = NULL;
		errno = 0;
		long code = strtol(v.text, &end, 10);
		if (errno || end == v.text || *end || code < INT_MIN || code > INT_MAX)
			rc = burrow_error_status(err, EINVAL, "--filter exited='%s': not an exit code",
			                         str_quote(v.text));
		v.code = (int)code;
		break;
	}
	default:
		break;
	}
	if (rc < 0) {
		free(v.text);
		return -1;
	}
	f->v[k] = xrealloc(f->v[k], (f->n[k] + 1) * sizeof(*f->v[k]));
	f->v[k][f->n[k]++] = v;
	return 0;
}

bool cmd_ps_filter_has(const struct cmd_ps_filter *f, const char *key)
{
	for (int k = 0; f && k < PF_NKEYS; k++)
		if (strcmp(pf_names[k], key) == 0)
			return f->n[k] > 0;
	return false;
}

/* The container ref names among l: by name or full ID, else by an ID
 * prefix that only one has (NULL: none) */
static const struct ctr_listing *find_ref(const struct ctr_listing *l, size_t n, const char *ref)
{
	const struct ctr_listing *prefixed = NULL;
	size_t nprefixed = 0, len = strlen(ref);
	for (size_t j = 0; j < n; j++) {
		if (strcmp(l[j].cfg.name, ref) == 0 || strcmp(l[j].cfg.id, ref) == 0)
			return &l[j];
		if (len && strncmp(l[j].cfg.id, ref, len) == 0) {
			prefixed = &l[j];
			nprefixed++;
		}
	}
	return nprefixed == 1 ? prefixed : NULL;
}

int cmd_ps_filter_resolve(struct cmd_ps_filter *f, const struct ctr_listing *l, size_t n, struct burrow_err **err)
{
	for (int k = PF_BEFORE; f && k <= PF_SINCE; k++)
		for (size_t i = 0; i < f->n[k]; i++) {
			struct pf_value *v = &f->v[k][i];
			const struct ctr_listing *found = find_ref(l, n, v->text);
			if (!found)
				return burrow_error_status(err, ENOENT, "--filter %s='%s': no such container",
				                           pf_names[k], str_quote(v->text));
			v->sec = found->cfg.created;
			v->nsec = found->cfg.created_ns;
		}
	return 0;
}

/* -1, 0 or 1 as c was created before, with or after v's container */
static int created_cmp(const struct ctr_config *c, const struct pf_value *v)
{
	if (c->created != v->sec)
		return c->created < v->sec ? -1 : 1;
	return c->created_ns < v->nsec ? -1 : c->created_ns > v->nsec;
}

/* volume=: a named volume by its name, or any mount by its destination */
static bool volume_match(char *const *mounts, const char *want)
{
	for (size_t i = 0; mounts && mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(mounts[i], &m))
			continue;
		bool hit = ctr_mount_same_dest(m.destination, want) ||
		           (strcmp(m.type, "volume") == 0 && m.source && strcmp(m.source, want) == 0);
		ctr_mount_clear(&m);
		if (hit)
			return true;
	}
	return false;
}

static bool pf_re_match(const struct pf_value *v, const char *s)
{
	return regexec(&v->re, s ? s : "", 0, NULL, 0) == 0;
}

static bool value_match(enum pf_key k, const struct pf_value *v, const struct ctr_config *c, const struct ctr_run *r)
{
	switch (k) {
	case PF_ID:
		return v->is_regex ? pf_re_match(v, c->id) : strncmp(c->id, v->text, strlen(v->text)) == 0;
	case PF_NAME:
		return pf_re_match(v, c->name);
	case PF_STATUS: {
		const char *want = strcmp(v->text, "stopped") == 0 ? "exited" : v->text;
		return strcmp(ctr_state_word(r->state), want) == 0;
	}
	case PF_EXITED:
		return (r->state == CTR_STOPPED || r->state == CTR_EXITED) && r->exit_code == v->code;
	case PF_ANCESTOR: {
		/* the image's whole ID (podman 4.3 takes neither a prefix nor a
		 * part of one), or the image name as typed or as found
		 * (NAME:latest also as NAME), whole: podman 4.3 compares them,
		 * a.c is not abc */
		if (c->image_id && strcmp(c->image_id, v->text) == 0)
			return true;
		const char *const names[] = {c->image_name, c->image_resolved};
		for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
			if (!names[i])
				continue;
			if (strcmp(v->text, names[i]) == 0)
				return true;
			const char *colon = strrchr(names[i], ':');
			if (colon && !strchr(colon, '/') && strcmp(colon + 1, "latest") == 0 &&
			    strlen(v->text) == (size_t)(colon - names[i]) &&
			    strncmp(v->text, names[i], (size_t)(colon - names[i])) == 0)
				return true;
		}
		return false;
	}
	case PF_LABEL:
		return img_labels_match(c->labels, v->text);
	case PF_NOT_LABEL:
		return !img_labels_match(c->labels, v->text);
	case PF_BEFORE:
		return created_cmp(c, v) < 0;
	case PF_SINCE:
		return created_cmp(c, v) > 0;
	case PF_VOLUME:
		return volume_match(c->mounts, v->text);
	default:
		return false;
	}
}

bool cmd_ps_filter_match(const struct cmd_ps_filter *f, const struct ctr_config *c, const struct ctr_run *r)
{
	for (int k = 0; f && k < PF_NKEYS; k++) {
		if (f->n[k] == 0 || k == PF_HEALTH) /* cmd_ps_filter_match_health */
			continue;
		/* label and label!: every one must match; the others: any */
		bool all = k == PF_LABEL || k == PF_NOT_LABEL;
		bool ok = all;
		for (size_t i = 0; i < f->n[k]; i++) {
			bool m = value_match((enum pf_key)k, &f->v[k][i], c, r);
			if (all && !m) {
				ok = false;
				break;
			}
			if (!all && m) {
				ok = true;
				break;
			}
		}
		if (!ok)
			return false;
	}
	return true;
}

bool cmd_ps_filter_match_health(const struct cmd_ps_filter *f, int health)
{
	for (size_t i = 0; f && i < f->n[PF_HEALTH]; i++)
		if (f->v[PF_HEALTH][i].code == health)
			return true;
	return !f || f->n[PF_HEALTH] == 0;
}

static const char *const sort_names[] = {
    [CMD_PS_SORT_COMMAND] = "command", [CMD_PS_SORT_CREATED] = "created", [CMD_PS_SORT_ID] = "id",
    [CMD_PS_SORT_IMAGE] = "image",     [CMD_PS_SORT_NAMES] = "names",     [CMD_PS_SORT_RUNNINGFOR] = "runningfor",
    [CMD_PS_SORT_STATUS] = "status",   [CMD_PS_SORT_SIZE] = "size",
};

int cmd_ps_sort_parse(const char *s, enum cmd_ps_sort *out, struct burrow_err **err)
{
	for (size_t i = 1; i < sizeof(sort_names) / sizeof(sort_names[0]); i++)
		if (strcmp(s, sort_names[i]) == 0) {
			*out = (enum cmd_ps_sort)i;
			return 0;
		}
	return burrow_error_status(
	    err, EINVAL, "--sort '%s': not one of command, created, id, image, names, runningfor, size, status",
	    str_quote(s));
}

static int strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_ll(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

/* the command joined by spaces, as podman compares it */
static char *joined(char *const *args)
{
	size_t len = 1;
	for (size_t i = 0; args && args[i]; i++)
		len += strlen(args[i]) + 1;
	char *s = xcalloc(1, len), *p = s;
	for (size_t i = 0; args && args[i]; i++)
		p = stpcpy(stpcpy(p, i ? " " : ""), args[i]);
	return s;
}

struct sort_item {
	struct ctr_listing l;
	size_t pos;
	char *cmd; /* CMD_PS_SORT_COMMAND */
};
static enum cmd_ps_sort sort_by;

static int sort_cmp(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	int d = 0;
	switch (sort_by) {
	case CMD_PS_SORT_COMMAND:
		d = strcmp(a->cmd, b->cmd);
		break;
	case CMD_PS_SORT_CREATED: /* to the nanosecond, as podman's */
		d = cmp_ll(a->l.cfg.created, b->l.cfg.created);
		d = d ? d : cmp_ll(a->l.cfg.created_ns, b->l.cfg.created_ns);
		break;
	case CMD_PS_SORT_ID:
		d = strcmp0(a->l.cfg.id, b->l.cfg.id);
		break;
	case CMD_PS_SORT_IMAGE:
		d = strcmp(ctr_config_image(&a->l.cfg), ctr_config_image(&b->l.cfg));
		break;
	case CMD_PS_SORT_NAMES:
		d = strcmp0(a->l.cfg.name, b->l.cfg.name);
		break;
	case CMD_PS_SORT_RUNNINGFOR:
		d = cmp_ll(a->l.run.started_at, b->l.run.started_at);
		d = d ? d : cmp_ll(a->l.run.started_ns, b->l.run.started_ns);
		break;
	case CMD_PS_SORT_STATUS:
		d = strcmp(ctr_state_word(a->l.run.state), ctr_state_word(b->l.run.state));
		break;
	default:
		break;
	}
	return d ? d : cmp_ll((long long)a->pos, (long long)b->pos);
}

void cmd_ps_sort(struct ctr_listing *l, size_t n, enum cmd_ps_sort by)
{
	if (by == CMD_PS_SORT_NONE || n < 2)
		return;
	struct sort_item *s = xcalloc(n, sizeof(*s));
	for (size_t i = 0; i < n; i++)
		s[i] = (struct sort_item){
		    .l = l[i], .pos = i, .cmd = by == CMD_PS_SORT_COMMAND ? joined(l[i].cfg.args) : NULL};
	sort_by = by;
	qsort(s, n, sizeof(*s), sort_cmp);
	for (size_t i = 0; i < n; i++) {
		l[i] = s[i].l;
		free(s[i].cmd);
	}
	free(s);
}
