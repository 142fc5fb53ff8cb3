/* Unit tests for image/filter.c: parsing podman's image filters, matching
 * them (reference globs, labels, negation, or'ed and and'ed keys, times),
 * and the orders of images --sort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>

#include "image/image.h"
#include "lib/err.h"

static int parse(const char *a, const char *b, struct img_filters *f)
{
	char *specs[] = {(char *)a, (char *)b, NULL};
	struct burrow_err *err = NULL;
	int r = img_filters_parse(specs, 100000, f, &err);
	if (r < 0) {
		assert_non_null(err);
		assert_int_equal(err->status, EINVAL);
		burrow_err_free(err);
	}
	return r;
}

static void test_filter_parse(void **state)
{
	(void)state;
	struct img_filters f;
	assert_int_equal(parse("reference=busybox", "dangling=true", &f), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.f[0].key, IMG_FILTER_REFERENCE);
	assert_string_equal(f.f[0].value, "busybox");
	assert_false(f.f[0].negate);
	assert_int_equal(f.f[1].key, IMG_FILTER_DANGLING);
	assert_true(f.f[1].flag);
	img_filters_clear(&f);

	assert_int_equal(parse("label!=a=b", "after=x", &f), 0);
	assert_true(f.f[0].negate);
	assert_int_equal(f.f[0].key, IMG_FILTER_LABEL);
	assert_string_equal(f.f[0].value, "a=b");
	assert_int_equal(f.f[1].key, IMG_FILTER_SINCE);
	img_filters_clear(&f);

	/* until: a duration before now, a Unix time, a date */
	assert_int_equal(parse("until=1h30m", "until=5000", &f), 0);
	assert_int_equal(f.f[0].time, 100000 - 5400);
	assert_int_equal(f.f[1].time, 5000);
	img_filters_clear(&f);
	assert_int_equal(parse("until=1970-01-02", "until=1970-01-01T00:01:00Z", &f), 0);
	assert_int_equal(f.f[0].time, 86400);
	assert_int_equal(f.f[1].time, 60);
	img_filters_clear(&f);

	assert_int_equal(parse("nope=1", NULL, &f), -1);
	assert_int_equal(parse("reference", NULL, &f), -1);
	assert_int_equal(parse("=x", NULL, &f), -1);
	assert_int_equal(parse("dangling=maybe", NULL, &f), -1);
	assert_int_equal(parse("intermediate=maybe", NULL, &f), -1);
	assert_int_equal(parse("until=yesterday", NULL, &f), -1);
	assert_int_equal(parse("until=5q", NULL, &f), -1);
	assert_int_equal(parse("id=", NULL, &f), -1);
	assert_int_equal(f.n, 0);
}

static void test_reference_match(void **state)
{
	(void)state;
	const char *n = "example.com/team/app:v1";
	assert_true(img_name_matches_reference(n, "example.com/team/app:v1"));
	assert_true(img_name_matches_reference(n, "example.com/team/app"));
	assert_true(img_name_matches_reference(n, "team/app"));
	assert_true(img_name_matches_reference(n, "team/app:v1"));
	assert_true(img_name_matches_reference(n, "app"));
	assert_true(img_name_matches_reference(n, "app:v1"));
	assert_true(img_name_matches_reference(n, "*/team/*"));
	assert_true(img_name_matches_reference(n, "app:v*"));
	assert_false(img_name_matches_reference(n, "app:v2"));
	assert_false(img_name_matches_reference(n, "ap"));
	assert_false(img_name_matches_reference(n, "other/app"));
	assert_true(img_name_matches_reference("localhost:5000/x:1", "x"));
	assert_true(img_name_matches_reference("localhost:5000/x:1", "localhost:5000/x"));
	assert_true(img_name_matches_reference("localhost/busybox:latest", "busybox"));
}

static void test_labels_match(void **state)
{
	(void)state;
	char *labels[] = {"maintainer=me", "org.x.version=1.2", "empty=", NULL};
	assert_true(img_labels_match(labels, "maintainer"));
	assert_true(img_labels_match(labels, "maintainer=me"));
	assert_false(img_labels_match(labels, "maintainer=you"));
	assert_true(img_labels_match(labels, "org.x.*=1.2"));
	assert_true(img_labels_match(labels, "empty="));
	assert_true(img_labels_match(labels, "empty"));
	assert_false(img_labels_match(labels, "nope"));
	assert_false(img_labels_match(NULL, "nope"));
}

static void test_filters_match(void **state)
{
	(void)state;
	char *names_a[] = {"localhost/a:latest", NULL};
	char *none[] = {NULL};
	char *labels[] = {"k=v", "x=y", NULL};
	struct img_filter_subject a = {.id = "aaaa1111", .names = names_a, .labels = labels, .created = 100};
	struct img_filter_subject d = {
	    .id = "dddd2222", .names = none, .labels = none, .created = 200, .dangling = true};
	struct img_filters f;

	/* no filter: everything */
	assert_int_equal(parse(NULL, NULL, &f), 0);
	assert_true(img_filters_match(&f, &a));
	img_filters_clear(&f);

	/* one key's values are or'ed */
	assert_int_equal(parse("reference=a", "reference=b", &f), 0);
	assert_true(img_filters_match(&f, &a));
	assert_false(img_filters_match(&f, &d));
	img_filters_clear(&f);
	/* keys are and'ed */
	assert_int_equal(parse("reference=a", "dangling=true", &f), 0);
	assert_false(img_filters_match(&f, &a));
	img_filters_clear(&f);
	/* labels are and'ed */
	assert_int_equal(parse("label=k=v", "label=x", &f), 0);
	assert_true(img_filters_match(&f, &a));
	img_filters_clear(&f);
	assert_int_equal(parse("label=k=v", "label=z", &f), 0);
	assert_false(img_filters_match(&f, &a));
	img_filters_clear(&f);
	/* containers: used by one or more; readonly and manifest: never true here */
	a.containers = 2;
	assert_int_equal(parse("containers=true", NULL, &f), 0);
	assert_true(img_filters_match(&f, &a));
	assert_false(img_filters_match(&f, &d));
	img_filters_clear(&f);
	assert_int_equal(parse("containers=false", "readonly=false", &f), 0);
	assert_false(img_filters_match(&f, &a));
	assert_true(img_filters_match(&f, &d));
	img_filters_clear(&f);
	assert_int_equal(parse("readonly=true", NULL, &f), 0);
	assert_false(img_filters_match(&f, &d));
	img_filters_clear(&f);
	assert_int_equal(parse("manifest=true", NULL, &f), 0);
	assert_false(img_filters_match(&f, &a));
	img_filters_clear(&f);
	assert_int_equal(parse("manifest=false", NULL, &f), 0);
	assert_true(img_filters_match(&f, &a));
	img_filters_clear(&f);
	/* negation */
	assert_int_equal(parse("reference!=a", NULL, &f), 0);
	assert_false(img_filters_match(&f, &a));
	assert_true(img_filters_match(&f, &d));
	img_filters_clear(&f);
	assert_int_equal(parse("dangling=false", NULL, &f), 0);
	assert_true(img_filters_match(&f, &a));
	assert_false(img_filters_match(&f, &d));
	img_filters_clear(&f);
	/* intermediate: an untagged parent; !=true keeps the rest */
	struct img_filter_subject p = {.id = "pppp3333", .names = none, .labels = none, .intermediate = true};
	assert_int_equal(parse("intermediate=true", NULL, &f), 0);
	assert_true(img_filters_match(&f, &p));
	assert_false(img_filters_match(&f, &d));
	img_filters_clear(&f);
	assert_int_equal(parse("intermediate!=true", NULL, &f), 0);
	assert_false(img_filters_match(&f, &p));
	assert_true(img_filters_match(&f, &a));
	img_filters_clear(&f);
	/* id: a prefix, with or without sha256: */
	assert_int_equal(parse("id=sha256:dddd", NULL, &f), 0);
	assert_true(img_filters_match(&f, &d));
	assert_false(img_filters_match(&f, &a));
	img_filters_clear(&f);
	/* before/since once resolved; until */
	assert_int_equal(parse("before=x", "since=y", &f), 0);
	f.f[0].time = 300;
	f.f[1].time = 150;
	assert_true(img_filters_match(&f, &d));
	assert_false(img_filters_match(&f, &a));
	img_filters_clear(&f);
	assert_int_equal(parse("until=150", NULL, &f), 0);
	assert_true(img_filters_match(&f, &a));
	assert_false(img_filters_match(&f, &d));
	img_filters_clear(&f);
}

static void test_sort(void **state)
{
	(void)state;
	struct img_row rows[] = {
	    {.id = "b", .repository = "localhost/x", .tag = "2", .created = 10, .size = 5},
	    {.id = "a", .repository = "localhost/y", .tag = "1", .created = 30, .size = 50},
	    {.id = "c", .repository = "<none>", .tag = "<none>", .created = 20, .size = 1},
	};
	enum img_sort key;
	struct burrow_err *err = NULL;
	assert_int_equal(img_sort_parse("created", &key, &err), 0);
	img_rows_sort(rows, 3, key);
	assert_string_equal(rows[0].id, "a"); /* newest first */
	assert_string_equal(rows[2].id, "b");
	assert_int_equal(img_sort_parse("id", &key, &err), 0);
	img_rows_sort(rows, 3, key);
	assert_string_equal(rows[0].id, "a");
	assert_string_equal(rows[2].id, "c");
	assert_int_equal(img_sort_parse("repository", &key, &err), 0);
	img_rows_sort(rows, 3, key);
	assert_string_equal(rows[0].repository, "<none>");
	assert_string_equal(rows[1].repository, "localhost/x");
	assert_int_equal(img_sort_parse("size", &key, &err), 0);
	img_rows_sort(rows, 3, key);
	assert_int_equal(rows[0].size, 1); /* smallest first */
	assert_int_equal(rows[2].size, 50);
	assert_int_equal(img_sort_parse("tag", &key, &err), 0);
	img_rows_sort(rows, 3, key);
	assert_string_equal(rows[0].tag, "1");
	assert_string_equal(rows[2].tag, "<none>");
	/* ties: repository, then tag, then ID */
	struct img_row tie[] = {
	    {.id = "2", .repository = "r", .tag = "t", .created = 1},
	    {.id = "1", .repository = "r", .tag = "t", .created = 1},
	};
	img_rows_sort(tie, 2, IMG_SORT_CREATED);
	assert_string_equal(tie[0].id, "1");
	assert_int_equal(img_sort_parse("bogus", &key, &err), -1);
	assert_int_equal(err->status, EINVAL);
	burrow_err_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_filter_parse), cmocka_unit_test(test_reference_match),
	    cmocka_unit_test(test_labels_match), cmocka_unit_test(test_filters_match),
	    cmocka_unit_test(test_sort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
