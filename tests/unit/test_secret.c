/* Unit tests for container/secret*.c: what --secret accepts and how it is
 * stored, what secret create accepts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/secret.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static void parse_ok(const char *spec, const char *stored)
{
	struct ctr_secret_use u;
	cleanup_err struct burrow_err *err = NULL;
	if (ctr_secret_use_parse(spec, &u, &err) < 0)
		fail_msg("'%s' refused: %s", spec, err->msg);
	cleanup_free char *s = ctr_secret_use_format(&u);
	assert_string_equal(s, stored);
	struct ctr_secret_use back;
	assert_int_equal(ctr_secret_use_decode(s, &back, &err), 0);
	cleanup_free char *again = ctr_secret_use_format(&back);
	assert_string_equal(again, stored);
	ctr_secret_use_clear(&u);
	ctr_secret_use_clear(&back);
}

static void parse_bad(const char *spec, const char *words)
{
	struct ctr_secret_use u;
	cleanup_err struct burrow_err *err = NULL;
	if (ctr_secret_use_parse(spec, &u, &err) == 0)
		fail_msg("'%s' accepted", spec);
	assert_int_equal(err->status, EINVAL);
	if (!strstr(err->msg, words))
		fail_msg("'%s': '%s' does not say '%s'", spec, err->msg, words);
}

static void test_use_parse(void **state)
{
	(void)state;
	parse_ok("db", "db\t\tmount\t/run/secrets/db\t0\t0\t444");
	parse_ok("source=db,type=mount", "db\t\tmount\t/run/secrets/db\t0\t0\t444");
	parse_ok("db,target=sub/x/,uid=12,gid=34,mode=0400", "db\t\tmount\t/run/secrets/sub/x\t12\t34\t400");
	parse_ok("db,target=/etc/pw", "db\t\tmount\t/etc/pw\t0\t0\t444");
	parse_ok("db,mode=7777", "db\t\tmount\t/run/secrets/db\t0\t0\t7777");
	parse_ok("db,type=env", "db\t\tenv\tdb\t0\t0\t0");
	parse_ok("db,type=env,target=DB_PASS", "db\t\tenv\tDB_PASS\t0\t0\t0");
	parse_bad("", "needs a secret's name");
	parse_bad("type=env", "needs a secret's name");
	parse_bad("bad/name", "needs a secret's name");
	parse_bad("db,type=file", "invalid --secret type");
	parse_bad("db,x=1", "invalid --secret option");
	parse_bad("db,other", "invalid --secret option");
	parse_bad("db,uid=-1", "invalid --secret uid");
	parse_bad("db,gid=x", "invalid --secret gid");
	parse_bad("db,mode=9", "invalid --secret mode");
	parse_bad("db,mode=10000", "at most 7777");
	parse_bad("db,mode=", "invalid --secret mode");
	parse_bad("db,type=env,uid=0", "type=mount only");
	parse_bad("db,type=env,target=A-B", "environment variable");
	parse_bad("db,type=env,target=1A", "environment variable");
	parse_bad("db,target=../../etc/x", "'..' is not allowed");
	parse_bad("db,target=/run/secrets/../x", "'..' is not allowed");
	parse_bad("db,target=/etc/x/..", "'..' is not allowed");
	parse_bad("db,target=/", "names a directory");
	parse_bad("db,target=a\tb", "invalid --secret target");
}

static void test_uses_check(void **state)
{
	(void)state;
	cleanup_err struct burrow_err *err = NULL;
	char *specs[] = {"a", "b,type=env,target=X", "a,target=two", NULL};
	cleanup_strv char **out = NULL;
	assert_int_equal(ctr_secret_uses_check(specs, &out, &err), 0);
	assert_int_equal(strv_len(out), 3);
	char *twice[] = {"a", "b,target=a", NULL};
	assert_int_equal(ctr_secret_uses_check(twice, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "given twice"));
	burrow_err_free(steal_ptr(err));
	/* damaged records are refused, not guessed at */
	struct ctr_secret_use u;
	assert_int_equal(ctr_secret_use_decode("a\t\tmount\t/x\t0\t0", &u, &err), -1);
	burrow_err_free(steal_ptr(err));
	assert_int_equal(ctr_secret_use_decode("a\t\tfile\t/x\t0\t0\t444", &u, &err), -1);
	burrow_err_free(steal_ptr(err));
	assert_int_equal(ctr_secret_use_decode("a\t\tmount\t/x\t0\t0\t99999", &u, &err), -1);
}

static void test_create_check(void **state)
{
	(void)state;
	cleanup_err struct burrow_err *err = NULL;
	struct ctr_secret_create_opts o = {.name = "ok.name_1"};
	assert_int_equal(ctr_secret_create_check(&o, 1, &err), 0);
	assert_int_equal(ctr_secret_create_check(&o, CTR_SECRET_MAX_SIZE - 1, &err), 0);
	assert_int_equal(ctr_secret_create_check(&o, CTR_SECRET_MAX_SIZE, &err), -1);
	burrow_err_free(steal_ptr(err));
	assert_int_equal(ctr_secret_create_check(&o, 0, &err), -1);
	burrow_err_free(steal_ptr(err));
	o.driver = "pass";
	assert_int_equal(ctr_secret_create_check(&o, 1, &err), -1);
	assert_non_null(strstr(err->msg, "'pass' is not supported"));
	burrow_err_free(steal_ptr(err));
	o.driver = "file";
	char *dopts[] = {"path=/tmp", NULL};
	o.driver_opts = dopts;
	assert_int_equal(ctr_secret_create_check(&o, 1, &err), -1);
	burrow_err_free(steal_ptr(err));
	o.driver_opts = NULL;
	char *labels[] = {"=v", NULL};
	o.labels = labels;
	assert_int_equal(ctr_secret_create_check(&o, 1, &err), -1);
	burrow_err_free(steal_ptr(err));
	o.labels = NULL;
	const char *bad[] = {"", "-a", "a/b", "a,b", ".x", NULL};
	for (size_t i = 0; bad[i]; i++) {
		o.name = bad[i];
		assert_int_equal(ctr_secret_create_check(&o, 1, &err), -1);
		burrow_err_free(steal_ptr(err));
	}
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	o.name = longname;
	assert_int_equal(ctr_secret_create_check(&o, 1, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_use_parse),
	    cmocka_unit_test(test_uses_check),
	    cmocka_unit_test(test_create_check),
	};
	return cmocka_run_group_tests_name("secret", tests, NULL, NULL);
}
