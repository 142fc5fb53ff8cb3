/* Which containers use which image (for rmi, image prune). */
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

struct users {
	const char *image_id;
	struct ctr_image_user *list;
	size_t n;
};

static int add_user(struct ctr_config *c, void *data, struct burrow_err **err)
{
	(void)err;
	struct users *u = data;
	if (c->image_id && (!u->image_id || strcmp(c->image_id, u->image_id) == 0)) {
		u->list = xrealloc(u->list, (u->n + 1) * sizeof(*u->list));
		u->list[u->n++] = (struct ctr_image_user){
		    .id = steal_ptr(c->id), .name = steal_ptr(c->name), .image_id = steal_ptr(c->image_id)};
	}
	return 0;
}

int ctr_image_users(struct state_store *s, const char *image_id, struct ctr_image_user **out, size_t *n,
                    struct burrow_err **err)
{
	struct users u = {.image_id = image_id};
	if ((image_id ? ctr_config_each_strict : ctr_config_each)(s, add_user, &u, err) < 0) {
		ctr_image_users_free(u.list, u.n);
		return -1;
	}
	*out = u.list;
	*n = u.n;
	return 0;
}

void ctr_image_users_free(struct ctr_image_user *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(u[i].id);
		free(u[i].name);
		free(u[i].image_id);
	}
	free(u);
}

/* The containers made from an image, "ID (NAME)" each. */
int ctr_image_users_names(struct state_store *s, const char *image_id, char ***names, void *data,
                          struct burrow_err **err)
{
	(void)data;
	struct ctr_image_user *u = NULL;
	size_t n = 0;
	if (ctr_image_users(s, image_id, &u, &n, err) < 0)
		return -1;
	*names = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		strv_append_take(names, xasprintf("%.12s (%s)", u[i].id, u[i].name ? u[i].name : ""));
	ctr_image_users_free(u, n);
	return 0;
}
