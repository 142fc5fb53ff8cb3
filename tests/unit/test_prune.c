/* Unit tests for image/manage.c's img_prune: a round reads the image list
 * once, and each removal re-checks its own image in its transaction: an
 * image stored meanwhile that is its child keeps it; one that only shares
 * its top layer does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"
#include "tests/unit/storefx.h"

/* Image IDs and chain IDs: 64 hex digits of one letter each. */
static char *hex(char c)
{
	char *s = xmalloc(65);
	memset(s, c, 64);
	s[64] = '\0';
	return s;
}

/* Stores image id (name: "" none) over layers (hex letters, lowest first)
 * with history entries made of the letters of history. */
static void put_image(struct state_store *s, char id, const char *name, const char *layers, const char *history)
{
	char *i = hex(id), *l = xstrdup(""), *h = xstrdup("");
	for (const char *p = layers; *p; p++) {
		char *x = hex(*p), *t = xasprintf("%s%s\"%s\"", l, *l ? "," : "", x);
		free(x), free(l);
		l = t;
	}
	for (const char *p = history; *p; p++) {
		char *t = xasprintf("%s%s{\"created_by\":\"step %c\"}", h, *h ? "," : "", *p);
		free(h);
		h = t;
	}
	char *key = xasprintf("img/%s", i), *json = xasprintf("{\"id\":\"%s\",\"names\":[%s%s%s],\"layers\":[%s]}", i,
	                                                      *name ? "\"" : "", name, *name ? "\"" : "", l);
	char *ckey = xasprintf("img-config/%s", i), *cjson = xasprintf("{\"history\":[%s]}", h);
	struct burrow_err *err = NULL;
	assert_int_equal(state_put(s, STATE_DB, key, json, &err), 0);
	assert_int_equal(state_put(s, STATE_DB, ckey, cjson, &err), 0);
	free(i), free(l), free(h), free(key), free(json), free(ckey), free(cjson);
}

static bool exists(struct state_store *s, char id)
{
	char *i = hex(id), *key = xasprintf("img/%s", i);
	struct burrow_err *err = NULL;
	int r = state_has(s, STATE_DB, key, &err);
	assert_true(r >= 0);
	free(i), free(key);
	return r == 1;
}

/* What img_prune's keep callback does before an image's removal: as
 * another command could, stores image 'c' (image 'a''s child when asked),
 * once. */
struct meanwhile {
	struct state_store *s;
	bool child, done;
};

static bool store_meanwhile(const struct img_info *i, void *data)
{
	struct meanwhile *m = data;
	char *a = hex('a');
	if (!m->done && strcmp(i->id, a) == 0) {
		/* a child: a's layer and one more, a's history and one more
		 * entry; else a's layer under another history */
		if (m->child)
			put_image(m->s, 'c', "localhost/kid:latest", "17", "12");
		else
			put_image(m->s, 'c', "localhost/other:latest", "1", "9");
		m->done = true;
	}
	free(a);
	return true;
}

static char **prune(struct state_store *s, struct meanwhile *m)
{
	char **removed = NULL;
	struct burrow_err *err = NULL;
	if (img_prune(s, false, m ? store_meanwhile : NULL, m, NULL, &removed, &err) < 0)
		fail_msg("img_prune: %s", err->msg);
	return removed;
}

static void test_prune_dangling(void **state)
{
	struct store_fx *f = *state;
	/* b <- a, both without names; e named */
	put_image(f->s, 'b', "", "2", "1");
	put_image(f->s, 'a', "", "23", "12");
	put_image(f->s, 'e', "localhost/e:latest", "4", "5");
	char **removed = prune(f->s, NULL);
	char *a = hex('a'), *b = hex('b');
	/* the child, then (the next round) its parent */
	assert_int_equal(strv_len(removed), 2);
	assert_string_equal(removed[0], a);
	assert_string_equal(removed[1], b);
	assert_true(exists(f->s, 'e'));
	free(a), free(b);
	strv_free(removed);
}

static void test_prune_child_stored_meanwhile(void **state)
{
	struct store_fx *f = *state;
	put_image(f->s, 'a', "", "1", "1");
	struct meanwhile m = {f->s, true, false};
	char **removed = prune(f->s, &m);
	assert_true(m.done);
	assert_int_equal(strv_len(removed), 0);
	assert_true(exists(f->s, 'a'));
	strv_free(removed);
}

static void test_prune_layer_shared_meanwhile(void **state)
{
	struct store_fx *f = *state;
	put_image(f->s, 'a', "", "1", "1");
	struct meanwhile m = {f->s, false, false};
	char **removed = prune(f->s, &m);
	assert_true(m.done);
	assert_int_equal(strv_len(removed), 1);
	assert_false(exists(f->s, 'a'));
	assert_true(exists(f->s, 'c'));
	strv_free(removed);
}

static int setup(void **state)
{
	struct store_fx *f = store_fx_new("prune", "33333333-3333-3333-3333-333333333333\n");
	f->s = store_fx_open(f);
	struct burrow_err *err = NULL;
	assert_int_equal(state_refresh_done(f->s, &err), 0);
	*state = f;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_prune_dangling, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_prune_child_stored_meanwhile, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_prune_layer_shared_meanwhile, setup, store_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
