/* Unit tests for container/runmore.c: --env-merge's expansion and the
 * checks of --env-merge, --pidfile, --timeout, --oom-score-adj. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/runmore.h"
#include "lib/err.h"
#include "lib/strv.h"

static char *env[] = {"A=1", "PATH=/bin", "E=", "A=2", NULL};

static void expands(const char *word, const char *want)
{
	char *got = ctr_env_expand(word, env, 4);
	assert_string_equal(got, want);
	free(got);
}

static void test_expand(void **state)
{
	(void)state;
	expands("X=plain", "X=plain");
	expands("PATH=$PATH:/opt", "PATH=/bin:/opt");
	expands("PATH=${PATH}/x", "PATH=/bin/x");
	expands("A=$A", "A=2"); /* the last entry counts */
	expands("N=a${NOPE}b$NOPE", "N=ab");
	expands("N=${NOPE:-d}|${A:-d}|${E:-d}", "N=d|2|d");
	expands("N=${A:+alt}|${NOPE:+alt}", "N=alt|");
	expands("N=${NOPE:-$PATH}", "N=/bin");
	expands("N=\\$A", "N=$A");
	expands("N=$ $1 ${ $", "N=$ $1 ${ $");
	expands("N=${A", "N=${A");
	expands("N=\\x", "N=\\x");
	expands("N=${A:-x", "N=${A:-x");
	/* a DEFAULT or ALT that holds ${...} ends at its own '}' */
	expands("N=${NOPE:-${PATH}}|${A:+<${PATH}>}|${NOPE:-${NOPE:-${A}}}", "N=/bin|</bin>|2");
	expands("N=${NOPE:-\\$x}", "N=$x");
	expands("N=${NOPE:-${A}", "N=${NOPE:-2");
}

/* "N=" and k times "${NOPE:-", then "x" and k times '}' */
static char *nested(int k)
{
	char *w = calloc(1, (size_t)k * 9 + 4);
	strcpy(w, "N=");
	for (int i = 0; i < k; i++)
		strcat(w, "${NOPE:-");
	strcat(w, "x");
	for (int i = 0; i < k; i++)
		strcat(w, "}");
	return w;
}

/* Defaults nested 32 deep are expanded, deeper ones kept as typed: a word
 * nested thousands deep would hold a copy of itself at each level. */
static void test_expand_deep(void **state)
{
	(void)state;
	char *w = nested(33);
	expands(w, "N=x");
	free(w);
	w = nested(40);
	char *want = nested(7);
	expands(w, want);
	free(w);
	free(want);
	w = nested(10000);
	char *got = ctr_env_expand(w, env, 4);
	assert_int_equal(strncmp(got, "N=${NOPE:-${NOPE:-", 18), 0);
	free(w);
	free(got);
}

static void test_merge(void **state)
{
	(void)state;
	struct strv_builder b = {0};
	strv_builder_add(&b, "V=img");
	char *m[] = {"V=${V}-1", "V=${V}-2", "W=$V", NULL};
	ctr_env_merge(&b, m);
	assert_int_equal(b.n, 4);
	assert_string_equal(b.v[2], "V=img-1-2");
	assert_string_equal(b.v[3], "W=img-1-2");
	strv_free(strv_builder_steal(&b));
}

static void check_bad(const struct ctr_more_opts *o, const char *want)
{
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_more_check(o, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, want));
	burrow_err_free(err);
}

static void test_check(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	char *ok[] = {"A=", "B=$B:x", NULL};
	struct ctr_more_opts o = {
	    .env_merge = ok, .pidfile = "/tmp/x.pid", .timeout = 5, .oom_set = true, .oom_score_adj = 1000};
	assert_int_equal(ctr_more_check(&o, &err), 0);
	char *noeq[] = {"A=1", "B", NULL};
	check_bad(&(struct ctr_more_opts){.env_merge = noeq}, "invalid --env-merge 'B'");
	char *noname[] = {"=x", NULL};
	check_bad(&(struct ctr_more_opts){.env_merge = noname}, "invalid --env-merge '=x'");
	check_bad(&(struct ctr_more_opts){.pidfile = "/nonexistent-dir/x.pid"}, "no directory '/nonexistent-dir'");
	check_bad(&(struct ctr_more_opts){.pidfile = ""}, "--pidfile needs a file");
	/* the reason is the directory's own, not an errno left from before */
	struct burrow_err *e2 = NULL;
	errno = EBADF;
	assert_int_equal(ctr_more_check(&(struct ctr_more_opts){.pidfile = "/dev/null/x.pid"}, &e2), -1);
	assert_int_equal(e2->status, ENOTDIR);
	burrow_err_free(e2);
	e2 = NULL;
	errno = EBADF;
	assert_int_equal(ctr_more_check(&(struct ctr_more_opts){.pidfile = "/nonexistent-dir/x.pid"}, &e2), -1);
	assert_int_equal(e2->status, ENOENT);
	burrow_err_free(e2);
	check_bad(&(struct ctr_more_opts){.timeout = -1}, "--timeout");
	check_bad(&(struct ctr_more_opts){.oom_set = true, .oom_score_adj = -1001}, "not in -1000..1000");
	/* the OCI spec's two domains, spelled as it spells them */
	for (const char *const *p = (const char *const[]){"LINUX", "LINUX32", NULL}; *p; p++)
		assert_int_equal(ctr_more_check(&(struct ctr_more_opts){.personality = *p}, &err), 0);
	check_bad(&(struct ctr_more_opts){.personality = "linux32"},
	          "invalid --personality 'linux32' (LINUX or LINUX32)");
	check_bad(&(struct ctr_more_opts){.personality = ""}, "invalid --personality ''");
	for (const char *const *m = (const char *const[]){"bind", "tmpfs", "ignore", NULL}; *m; m++)
		assert_int_equal(ctr_more_check(&(struct ctr_more_opts){.image_volume = *m}, &err), 0);
	check_bad(&(struct ctr_more_opts){.image_volume = "anonymous"},
	          "invalid --image-volume 'anonymous' (bind, tmpfs or ignore)");
	char *empty[] = {"daemon", "", NULL};
	check_bad(&(struct ctr_more_opts){.hostusers = empty}, "--hostuser needs a user name or ID");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_expand_deep),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
