/* A state store of a unit test's own: a temporary directory holding
 * root/, run/ and boot_id, the boot ID the store reads
 * (BURROW_TEST_BOOT_ID_FILE). store_fx_new makes it, store_fx_open opens a
 * store on it (as often as a test needs), store_fx_teardown closes f->s and
 * removes it all. Include after cmocka.h. */
#ifndef BURROW_TESTS_UNIT_STOREFX_H
#define BURROW_TESTS_UNIT_STOREFX_H

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "state/state.h"

struct store_fx {
	char *dir, *root, *runroot, *bootfile;
	struct state_store *s;
};

static inline void store_fx_boot_id(struct store_fx *f, const char *id)
{
	struct burrow_err *err = NULL;
	assert_int_equal(write_file(f->bootfile, id, strlen(id), 0600, &err), 0);
}

static inline struct state_store *store_fx_open(struct store_fx *f)
{
	struct burrow_err *err = NULL;
	struct state_store *s = NULL;
	if (state_open(f->root, f->runroot, &s, &err) < 0)
		fail_msg("state_open: %s", err->msg);
	return s;
}

/* /tmp/burrow-test-NAME-XXXXXX, its boot ID boot_id (a line); no store
 * opened yet */
static inline struct store_fx *store_fx_new(const char *name, const char *boot_id)
{
	struct store_fx *f = xcalloc(1, sizeof(*f));
	char *tmpl = xasprintf("/tmp/burrow-test-%s-XXXXXX", name);
	assert_non_null(mkdtemp(tmpl));
	f->dir = tmpl;
	f->root = path_join(f->dir, "root");
	f->runroot = path_join(f->dir, "run");
	f->bootfile = path_join(f->dir, "boot_id");
	assert_int_equal(mkdir(f->root, 0700), 0);
	assert_int_equal(mkdir(f->runroot, 0700), 0);
	store_fx_boot_id(f, boot_id);
	setenv("BURROW_TEST_BOOT_ID_FILE", f->bootfile, 1);
	return f;
}

static inline int store_fx_teardown(void **state)
{
	struct store_fx *f = *state;
	state_close(f->s);
	rm_rf(f->dir, NULL);
	free(f->dir);
	free(f->root);
	free(f->runroot);
	free(f->bootfile);
	free(f);
	return 0;
}

#endif
