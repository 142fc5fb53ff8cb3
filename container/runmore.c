/* --rmi, --pidfile, --no-hostname, --env-merge, --timeout, --oom-score-adj,
 * --passwd, --hostuser, --personality, --image-volume (see runmore.h). */
#include "container/runmore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/events.h"

static bool name_char(char ch, bool first)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (!first && ch >= '0' && ch <= '9');
}

int ctr_more_check(const struct ctr_more_opts *o, struct burrow_err **err)
{
	for (size_t i = 0; o->env_merge && o->env_merge[i]; i++) {
		const char *e = o->env_merge[i];
		const char *eq = strchr(e, '=');
		if (!eq || eq == e)
			return burrow_error(err, EINVAL,
			                    "invalid --env-merge '%s': missing NAME= (e.g. PATH=${PATH}:/opt)",
			                    str_quote(e));
	}
	if (o->pidfile) {
		if (!*o->pidfile)
			return burrow_error(err, EINVAL, "--pidfile needs a file");
		cleanup_free char *dir = xstrdup(o->pidfile);
		char *slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir] = '\0';
		struct stat st;
		int e = 0;
		if (slash && stat(dir, &st) < 0)
			e = errno;
		else if (slash && !S_ISDIR(st.st_mode))
			e = ENOTDIR;
		if (e)
			return burrow_error(err, e, "--pidfile '%s': no directory '%s'", str_quote(o->pidfile),
			                    str_quote(dir));
	}
	if (o->timeout < 0)
		return burrow_error(err, EINVAL, "--timeout must be 0 or more seconds");
	if (o->oom_set && (o->oom_score_adj < -1000 || o->oom_score_adj > 1000))
		return burrow_error(err, EINVAL, "--oom-score-adj %d: not in -1000..1000", o->oom_score_adj);
	/* the OCI spec's two domains (crun refuses others as well) */
	if (o->personality && strcmp(o->personality, "LINUX") != 0 && strcmp(o->personality, "LINUX32") != 0)
		return burrow_error_status(err, EINVAL, "invalid --personality '%s' (LINUX or LINUX32)",
		                           str_quote(o->personality));
	if (o->image_volume && strcmp(o->image_volume, "bind") != 0 && strcmp(o->image_volume, "tmpfs") != 0 &&
	    strcmp(o->image_volume, "ignore") != 0)
		return burrow_error_status(err, EINVAL, "invalid --image-volume '%s' (bind, tmpfs or ignore)",
		                           str_quote(o->image_volume));
	for (size_t i = 0; o->hostusers && o->hostusers[i]; i++)
		if (!*o->hostusers[i])
			return burrow_error_status(err, EINVAL, "--hostuser needs a user name or ID");
	return 0;
}

void ctr_more_to_config(const struct ctr_more_opts *o, struct ctr_config *c)
{
	c->rmi = o->rmi;
	c->pidfile = o->pidfile ? xstrdup(o->pidfile) : NULL;
	c->no_hostname = o->no_hostname;
	c->timeout = o->timeout;
	c->oom_score_adj_set = o->oom_set;
	c->oom_score_adj = o->oom_score_adj;
	c->no_passwd = o->no_passwd;
	c->personality = o->personality ? xstrdup(o->personality) : NULL;
}

/* The value of the variable name[0..len) in env[0..n): the last entry. */
static const char *env_value(char *const *env, size_t n, const char *name, size_t len)
{
	for (size_t i = n; i > 0; i--) {
		const char *kv = env[i - 1];
		if (strncmp(kv, name, len) == 0 && kv[len] == '=')
			return kv + len + 1;
	}
	return NULL;
}

static void buf_add(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* The '}' that ends the word w of a ${NAME:-w} or ${NAME:+w}: the first
 * one that no ${ in w opened ("\$" is no '$'); NULL when none does. */
static const char *word_end(const char *w)
{
	int depth = 0;
	for (const char *p = w; *p; p++) {
		if (p[0] == '\\' && p[1] == '$') {
			p++;
		} else if (p[0] == '$' && p[1] == '{') {
			depth++;
			p++;
		} else if (*p == '}' && depth-- == 0) {
			return p;
		}
	}
	return NULL;
}

/* How deep a DEFAULT or ALT inside another is expanded: one deeper is
 * kept as typed (a word nested thousands deep would hold a copy of
 * itself at each level). */
#define EXPAND_DEPTH 32

static char *expand(const char *word, char *const *env, size_t n, int depth)
{
	size_t len = 0, cap = strlen(word) + 1;
	char *out = xmalloc(cap);
	out[0] = '\0';
	for (const char *p = word; *p;) {
		if (p[0] == '\\' && p[1] == '$') {
			buf_add(&out, &len, &cap, "$", 1);
			p += 2;
			continue;
		}
		if (*p != '$') {
			size_t k = strcspn(p, "$\\");
			if (k == 0)
				k = 1;
			buf_add(&out, &len, &cap, p, k);
			p += k;
			continue;
		}
		bool braced = p[1] == '{';
		const char *name = p + 1 + braced;
		size_t nlen = 0;
		while (name_char(name[nlen], nlen == 0))
			nlen++;
		if (nlen == 0 || (braced && name[nlen] != '}' && strncmp(name + nlen, ":-", 2) != 0 &&
		                  strncmp(name + nlen, ":+", 2) != 0)) {
			buf_add(&out, &len, &cap, "$", 1); /* not a variable: as typed */
			p++;
			continue;
		}
		const char *val = env_value(env, n, name, nlen);
		const char *end = name + nlen;
		if (braced && *end == ':') {
			/* ${NAME:-DEFAULT}, ${NAME:+ALT}: the word up to its own '}' */
			char op = end[1];
			const char *w = end + 2;
			const char *close = word_end(w);
			if (!close) {
				buf_add(&out, &len, &cap, "$", 1);
				p++;
				continue;
			}
			cleanup_free char *inner = xstrndup(w, (size_t)(close - w));
			bool set = val && *val;
			if ((op == '-' && !set) || (op == '+' && set)) {
				cleanup_free char *x =
				    depth < EXPAND_DEPTH ? expand(inner, env, n, depth + 1) : xstrdup(inner);
				buf_add(&out, &len, &cap, x, strlen(x));
			} else if (op == '-') {
				buf_add(&out, &len, &cap, val, strlen(val));
			}
			p = close + 1;
			continue;
		}
		if (val)
			buf_add(&out, &len, &cap, val, strlen(val));
		p = end + braced;
	}
	return out;
}

char *ctr_env_expand(const char *word, char *const *env, size_t n)
{
	return expand(word, env, n, 0);
}

void ctr_env_merge(struct strv_builder *env, char *const *merges)
{
	for (size_t i = 0; merges && merges[i]; i++) {
		/* each against the environment as the ones before left it */
		char *x = ctr_env_expand(merges[i], env->v, env->n);
		strv_builder_take(env, x);
	}
}

int ctr_pidfile_write(const struct ctr_config *c, pid_t pid, struct burrow_err **err)
{
	if (!c->pidfile)
		return 0;
	/* no newline, as podman's (conmon's) */
	cleanup_free char *text = xasprintf("%d", (int)pid);
	if (write_file_atomic(c->pidfile, text, strlen(text), 0644, err) < 0)
		return burrow_error_wrap(err, "--pidfile");
	return 0;
}

void ctr_pidfile_remove(const struct ctr_config *c)
{
	if (!c->pidfile)
		return;
	cleanup_free char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file(c->pidfile, &text, NULL, &e) < 0) {
		burrow_err_free(e);
		return;
	}
	/* another's by now (a later container's, or the user's), or one it
	 * never wrote (it never ran: no pid): it stays */
	if (!c->pid || atoi(text) != (int)c->pid)
		return;
	unlink(c->pidfile);
}

char *ctr_rmi_after(struct state_store *s, const struct ctr_config *c)
{
	if (!c->rmi || !c->image_id)
		return NULL;
	const struct img_users users = {ctr_image_users_names, NULL, NULL};
	struct img_removal rep = {0};
	struct burrow_err *e = NULL;
	/* by the name that found it, as podman 4.3: one of several names is
	 * untagged, the last one takes the image with it */
	const char *ref = c->image_resolved ? c->image_resolved : c->image_id;
	/* a name that found another image since (a newer pull, a tag): that
	 * image is not this one's to remove; its own goes by its ID */
	struct img_info *now = NULL;
	bool moved = ref != c->image_id && (img_lookup(s, ref, &now, &e) < 0 || strcmp(now->id, c->image_id) != 0);
	if (moved)
		ref = c->image_id;
	if (now)
		img_info_free(now);
	burrow_err_free(steal_ptr(e));
	cleanup_free char *why = NULL;
	if (img_remove(s, ref, 0, &users, &rep, &e) < 0) {
		/* used by another container, or removed meanwhile, or (by ID)
		 * named otherwise too: it stays, silently */
		if (e->status != EBUSY && e->status != ENOENT && !(moved && e->status == EINVAL))
			why = xstrdup(e->msg);
		burrow_err_free(e);
	} else if (rep.warnings && rep.warnings[0]) {
		/* it went, but not all its files */
		why = xstrdup(rep.warnings[0]);
		for (size_t i = 1; rep.warnings[i]; i++) {
			char *t = xasprintf("%s; %s", why, rep.warnings[i]);
			free(why);
			why = t;
		}
	}
	img_removal_events(s, ref, &rep);
	img_removal_clear(&rep);
	if (!why)
		return NULL;
	/* in the event log too, where a -d run's user looks (the monitor's
	 * own log goes with the container) */
	struct state_event ev = {
	    .type = "image", .status = "remove-error", .id = c->image_id, .name = ref, .error = why};
	state_event_emit(s, &ev);
	return xasprintf("--rmi: %s", why);
}
