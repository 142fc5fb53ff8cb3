/* Dependencies between containers, as the seeds' startDependencies and
 * checkDependenciesAndHandleError: a container records the IDs of the
 * containers it needs (--requires; --network container:X and
 * --volumes-from X add theirs through ctr_config_require); they are
 * started before it, and none of them is removed while it is there. */
#include "container/container.h"
#include "container/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* deeper than any chain a user builds; a loop (not possible through
 * create, which names existing containers only) ends here */
#define DEPEND_MAX_DEPTH 32

void ctr_config_require(struct ctr_config *c, const char *id)
{
	if (strcmp(c->id ? c->id : "", id) != 0 && !strv_contains(c->requires, id))
		strv_append(&c->requires, id);
}

int ctr_requires_resolve(struct state_store *s, char *const *refs, struct ctr_config *c, struct burrow_err **err)
{
	for (size_t i = 0; refs && refs[i]; i++) {
		cleanup_strv char **parts = strv_split(refs[i], ',');
		for (size_t j = 0; parts[j]; j++) {
			cleanup_free char *id = NULL;
			if (!*parts[j])
				continue;
			if (ctr_lookup(s, parts[j], &id, err) < 0)
				return burrow_error_wrap(err, "--requires");
			ctr_config_require(c, id);
		}
	}
	return 0;
}

struct dependents {
	const char *id;
	char **ids, **names;
};

static int dependent_one(struct ctr_config *c, void *data, struct burrow_err **err)
{
	(void)err;
	struct dependents *d = data;
	if (strv_contains(c->requires, d->id)) {
		strv_append(&d->ids, c->id);
		strv_append(&d->names, c->name);
	}
	return 0;
}

int ctr_dependents(struct state_store *s, const char *id, char ***ids, char ***names, struct burrow_err **err)
{
	struct dependents d = {.id = id};
	if (ctr_config_each_set(s, "requires", dependent_one, &d, err) < 0) {
		strv_free(d.ids);
		strv_free(d.names);
		return -1;
	}
	*ids = d.ids ? d.ids : xcalloc(1, sizeof(char *));
	if (names)
		*names = d.names ? d.names : xcalloc(1, sizeof(char *));
	else
		strv_free(d.names);
	return 0;
}

int ctr_dependents_refuse(struct state_store *s, const struct ctr_config *c, struct burrow_err **err)
{
	cleanup_strv char **ids = NULL;
	cleanup_strv char **names = NULL;
	if (ctr_dependents(s, c->id, &ids, &names, err) < 0)
		return -1;
	if (!names[0])
		return 0;
	cleanup_free char *list = xstrdup(names[0]);
	for (size_t i = 1; names[i]; i++) {
		char *l = xasprintf("%s, %s", list, names[i]);
		free(list);
		list = l;
	}
	burrow_error_status(err, EEXIST, "cannot remove container '%s': %s depend%s on it: %s", str_quote(c->name),
	                    names[1] ? "containers" : "container", names[1] ? "" : "s", list);
	return burrow_error_hint(err, "remove %s first, or all of them with 'burrow rm --depend %s'",
	                         names[1] ? "them" : "it", c->name);
}

struct pid_modes {
	char **ids, **peers; /* each --pid container:PEER container and its PEER */
	char **paths;        /* each --pid ns:PATH container */
};

static int pid_mode_one(struct ctr_config *c, void *data, struct burrow_err **err)
{
	(void)err;
	struct pid_modes *p = data;
	if (c->pid_mode && str_has_prefix(c->pid_mode, "container:")) {
		strv_append(&p->ids, c->id);
		strv_append(&p->peers, c->pid_mode + strlen("container:"));
	} else if (c->pid_mode && str_has_prefix(c->pid_mode, "ns:")) {
		strv_append(&p->paths, c->id);
	}
	return 0;
}

int ctr_pid_joiners(struct state_store *s, const char *id, char ***ids, struct burrow_err **err)
{
	struct pid_modes p = {0};
	int ret = ctr_config_each_set(s, "pid_mode", pid_mode_one, &p, err);
	char **out = xcalloc(1, sizeof(char *));
	/* a path may name it (/proc/PID/ns/pid of any of its processes):
	 * which namespace it named is not kept, so each of those is taken
	 * (leaving out another's mount namespace takes nothing of id's) */
	for (size_t i = 0; p.paths && p.paths[i]; i++)
		strv_append(&out, p.paths[i]);
	/* a joiner's joiner shares the namespace too (the joined
	 * container's namespace link names id's): until none is new */
	for (bool more = ret == 0; more;) {
		more = false;
		for (size_t i = 0; p.ids && p.ids[i]; i++) {
			if (strv_contains(out, p.ids[i]) ||
			    (strcmp(p.peers[i], id) != 0 && !strv_contains(out, p.peers[i])))
				continue;
			strv_append(&out, p.ids[i]);
			more = true;
		}
	}
	strv_free(p.ids);
	strv_free(p.peers);
	strv_free(p.paths);
	if (ret < 0) {
		strv_free(out);
		out = NULL;
	}
	*ids = out;
	return ret;
}

/* Appends id's dependents, theirs before them, then id itself. */
static int removal_order(struct state_store *s, const char *id, int depth, char ***out, struct burrow_err **err)
{
	if (strv_contains(*out, id))
		return 0;
	if (depth > DEPEND_MAX_DEPTH)
		return burrow_error_status(err, ELOOP, "the dependencies of container '%s' are nested too deep", id);
	cleanup_strv char **ids = NULL;
	if (ctr_dependents(s, id, &ids, NULL, err) < 0)
		return -1;
	for (size_t i = 0; ids[i]; i++)
		if (removal_order(s, ids[i], depth + 1, out, err) < 0)
			return -1;
	strv_append(out, id);
	return 0;
}

int ctr_removal_order(struct state_store *s, const char *ref, char ***ids, struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	*ids = xcalloc(1, sizeof(char *));
	if (ctr_lookup(s, ref, &id, err) < 0 || removal_order(s, id, 0, ids, err) < 0) {
		strv_free(*ids);
		*ids = NULL;
		return -1;
	}
	return 0;
}

static int start_dependencies(struct state_store *s, const char *id, const struct ctr_start_opts *o, int depth,
                              struct burrow_err **err)
{
	struct ctr_config c = {0};
	if (ctr_config_load(s, id, &c, err) < 0)
		return -1;
	int ret = 0;
	for (size_t i = 0; c.requires && c.requires[i] && ret == 0; i++) {
		struct ctr_config dep = {0};
		if (depth > DEPEND_MAX_DEPTH) {
			ret = burrow_error_status(err, ELOOP, "the dependencies of container '%s' are nested too deep",
			                          str_quote(c.name));
			break;
		}
		if (ctr_config_load(s, c.requires[i], &dep, err) < 0) {
			ret = burrow_error_wrap(err, "cannot start container '%s': its dependency %.12s",
			                        str_quote(c.name), c.requires[i]);
			break;
		}
		struct ctr_start_opts so = {.eng = o->eng};
		struct ctr_attached ch;
		bool already;
		int code;
		if (start_dependencies(s, dep.id, o, depth + 1, err) < 0 ||
		    ctr_start(s, dep.id, &so, &ch, &already, &code, err) < 0) {
			ret = burrow_error_wrap(err, "cannot start container '%s': its dependency '%s'",
			                        str_quote(c.name), str_quote(dep.name));
		} else {
			ctr_attached_close(&ch);
		}
		ctr_config_clear(&dep);
	}
	ctr_config_clear(&c);
	return ret;
}

int ctr_start_dependencies(struct state_store *s, const char *ref, const struct ctr_start_opts *o,
                           struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	struct ctr_run r = {0};
	if (ctr_lookup(s, ref, &id, err) < 0 || ctr_run_load(s, id, &r, err) < 0)
		return -1;
	/* one that runs has what it needs (or was given it) */
	bool runs = r.state == CTR_RUNNING || r.state == CTR_PAUSED;
	ctr_run_clear(&r);
	return runs ? 0 : start_dependencies(s, id, o, 0, err);
}
