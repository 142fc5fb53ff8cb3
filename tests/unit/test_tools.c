/* The container tools' pure pieces: top's descriptors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "container/tools.h"

static void test_top_descriptors(void **state)
{
	(void)state;
	int *d = NULL;
	size_t n = 0;
	struct burrow_err *err = NULL;
	/* none: podman's default columns */
	assert_int_equal(ctr_top_descriptors(NULL, &d, &n, &err), 0);
	assert_int_equal(n, 8);
	free(d);
	/* names, AIX forms and comma lists name the same columns */
	char *a[] = {"pid,user", "args", NULL};
	char *b[] = {"%p", "%U", "%a", NULL};
	int *da = NULL, *db = NULL;
	size_t na = 0, nb = 0;
	assert_int_equal(ctr_top_descriptors(a, &da, &na, &err), 0);
	assert_int_equal(ctr_top_descriptors(b, &db, &nb, &err), 0);
	assert_int_equal(na, 3);
	assert_int_equal(nb, 3);
	for (size_t i = 0; i < na; i++)
		assert_int_equal(da[i], db[i]);
	free(da);
	free(db);
	char *bad[] = {"pid", "bogus", NULL};
	assert_int_equal(ctr_top_descriptors(bad, &d, &n, &err), -1);
	assert_int_equal(err->status, EINVAL);
	assert_string_equal(err->msg, "unknown descriptor: bogus");
	burrow_err_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_top_descriptors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
