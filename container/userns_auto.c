/* --userns=auto: each such container gets a range of burrow's
 * subordinate IDs of its own, disjoint from every other auto container's
 * (as podman's auto mode). The ranges live in the records (uid_map,
 * gid_map: "0:START:SIZE", the same for both): a removed container's
 * range is free again. The choice and the record's insert happen under
 * one lock, so that two creates at once never pick the same range. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container/internal.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/state.h"
#include "userns/userns.h"

struct range {
	unsigned long start, end; /* [start, end) in burrow's namespace */
};

struct taken {
	struct range *v;
	size_t n;
	const char *self; /* the container being made (a recreate under its ID is not in the way) */
};

static bool is_auto(const char *userns)
{
	return userns && strncmp(userns, "auto", 4) == 0 && (!userns[4] || userns[4] == ':');
}

static void add_range(unsigned long ctr, unsigned long host, unsigned long size, void *data)
{
	(void)ctr;
	struct taken *t = data;
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	t->v[t->n++] = (struct range){host, host + size};
}

static int collect(struct ctr_config *c, void *data, struct burrow_err **err)
{
	(void)err;
	struct taken *t = data;
	if (is_auto(c->userns) && strcmp(c->id, t->self) != 0) {
		if (c->uid_map)
			userns_map_each(c->uid_map, add_range, t);
		if (c->gid_map && (!c->uid_map || strcmp(c->gid_map, c->uid_map) != 0))
			userns_map_each(c->gid_map, add_range, t);
	}
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The first start at or above 1 where size IDs below avail are free of
 * the taken ranges; 0 when there is none. */
static unsigned long first_fit(struct taken *t, unsigned long size, unsigned long avail)
{
	qsort(t->v, t->n, sizeof(*t->v), cmp_range);
	unsigned long at = 1;
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].start >= at + size)
			break;
		if (t->v[i].end > at)
			at = t->v[i].end;
	}
	return at + size <= avail ? at : 0;
}

int ctr_userns_auto_alloc(struct state_store *s, struct ctr_config *c, int *lock, struct burrow_err **err)
{
	*lock = -1;
	if (!is_auto(c->userns) || !c->uid_map)
		return 0;
	/* ctr_userns_apply left "0:0:SIZE": the size asked for, checked
	 * against the whole range */
	unsigned long size = strtoul(strrchr(c->uid_map, ':') + 1, NULL, 10);
	unsigned long avail_u, host_u, avail_g, host_g;
	if (userns_ids(false, &avail_u, &host_u, err) < 0 || userns_ids(true, &avail_g, &host_g, err) < 0)
		return -1;
	unsigned long avail = avail_u < avail_g ? avail_u : avail_g;
	int fd = state_lock_name(s, "userns", "auto", err);
	if (fd < 0)
		return -1;
	struct taken t = {.self = c->id};
	if (ctr_config_each_strict(s, collect, &t, err) < 0) {
		free(t.v);
		state_unlock(fd);
		return -1;
	}
	unsigned long start = first_fit(&t, size, avail);
	size_t n = t.n;
	free(t.v);
	if (!start) {
		state_unlock(fd);
		burrow_error_status(err, ERANGE,
		                    "--userns=%s: no free range of %lu IDs is left among your %lu subordinate IDs (%zu "
		                    "ranges are given to other auto containers)",
		                    c->userns, size, avail - 1, n);
		return burrow_error_hint(err, "remove auto containers you no longer need, or ask for fewer IDs "
		                              "(--userns=auto:size=N)");
	}
	free(c->uid_map);
	free(c->gid_map);
	c->uid_map = xasprintf("0:%lu:%lu", start, size);
	c->gid_map = xstrdup(c->uid_map);
	*lock = fd;
	return 0;
}
