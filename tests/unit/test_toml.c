/* Unit tests for lib/toml: the reader behind registries.conf (and later
 * containers.conf), and lib/base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base64.h"
#include "lib/toml.h"
#include "lib/xalloc.h"

static struct toml_val *parse_ok(const char *text)
{
	struct burrow_err *err = NULL;
	struct toml_val *root = NULL;
	if (toml_parse(text, &root, &err) < 0)
		fail_msg("refused: %s\n%s", err->msg, text);
	assert_non_null(root);
	return root;
}

static const struct toml_val *get_path(const struct toml_val *t, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	for (char *k = strtok_r(copy, ".", &save); k && t; k = strtok_r(NULL, ".", &save))
		t = toml_get(t, k);
	free(copy);
	return t;
}

static const char *str_at(const struct toml_val *t, const char *path)
{
	const struct toml_val *v = get_path(t, path);
	if (!v || v->type != TOML_STRING)
		fail_msg("'%s' is not a string", path);
	return v->u.s;
}

static void test_toml_registries_conf(void **state)
{
	(void)state;
	struct toml_val *r = parse_ok("# registries.conf\n"
	                              "unqualified-search-registries = [\"registry.fedoraproject.org\", "
	                              "'quay.io',\n"
	                              "   \"docker.io\", # a comment inside\n"
	                              "]\n"
	                              "short-name-mode=\"enforcing\"\n"
	                              "\n"
	                              "[[registry]]\n"
	                              "prefix = \"example.com/foo\"\n"
	                              "insecure = false\n"
	                              "blocked = true\n"
	                              "location = \"internal.example.net/bar\"\n"
	                              "\n"
	                              "[[registry.mirror]]\n"
	                              "location = \"mirror-0.local/foo\"\n"
	                              "[[registry.mirror]]\n"
	                              "location = \"mirror-1.local/foo\"\n"
	                              "insecure = true\n"
	                              "\n"
	                              "[[registry]]\n"
	                              "location = \"localhost:5000\"\n"
	                              "insecure = true\n"
	                              "\n"
	                              "[aliases]\n"
	                              "  \"fedora\" = \"registry.fedoraproject.org/fedora\"\n"
	                              "  \"opensuse/leap\" = \"registry.opensuse.org/opensuse/leap\"\n");
	const struct toml_val *search = toml_get(r, "unqualified-search-registries");
	assert_non_null(search);
	assert_int_equal(search->type, TOML_ARRAY);
	assert_int_equal(search->u.arr.n, 3);
	assert_string_equal(search->u.arr.items[1]->u.s, "quay.io");
	assert_string_equal(search->u.arr.items[2]->u.s, "docker.io");
	assert_string_equal(str_at(r, "short-name-mode"), "enforcing");

	const struct toml_val *regs = toml_get(r, "registry");
	assert_int_equal(regs->type, TOML_ARRAY);
	assert_int_equal(regs->u.arr.n, 2);
	const struct toml_val *r0 = regs->u.arr.items[0];
	assert_int_equal(r0->line, 7);
	assert_string_equal(str_at(r0, "prefix"), "example.com/foo");
	assert_int_equal(toml_get(r0, "insecure")->type, TOML_BOOL);
	assert_false(toml_get(r0, "insecure")->u.b);
	assert_true(toml_get(r0, "blocked")->u.b);
	assert_int_equal(toml_get(r0, "blocked")->line, 10);
	const struct toml_val *mirrors = toml_get(r0, "mirror");
	assert_int_equal(mirrors->u.arr.n, 2);
	assert_string_equal(str_at(mirrors->u.arr.items[1], "location"), "mirror-1.local/foo");
	assert_true(toml_get(mirrors->u.arr.items[1], "insecure")->u.b);
	/* the second [[registry]] has no mirrors of the first */
	assert_null(toml_get(regs->u.arr.items[1], "mirror"));
	assert_string_equal(str_at(regs->u.arr.items[1], "location"), "localhost:5000");
	const struct toml_val *aliases = toml_get(r, "aliases");
	assert_int_equal(aliases->u.tab.n, 2);
	assert_string_equal(toml_get(aliases, "opensuse/leap")->u.s, "registry.opensuse.org/opensuse/leap");
	toml_free(r);

	/* version 1 */
	r = parse_ok("[registries.search]\nregistries = ['a.io', 'b.io']\n[registries.insecure]\nregistries = []\n");
	assert_int_equal(get_path(r, "registries.search.registries")->u.arr.n, 2);
	assert_int_equal(get_path(r, "registries.insecure.registries")->u.arr.n, 0);
	toml_free(r);
}

static void test_toml_values(void **state)
{
	(void)state;
	struct toml_val *r = parse_ok("a.b.c = 1\n"
	                              "a.b.d = -0\n"
	                              "\"quoted key\" = 'lit\\eral'\n"
	                              "n = +1_000\n"
	                              "h = 0xdead_BEEF\n"
	                              "o = 0o755\n"
	                              "bin = 0b101\n"
	                              "neg = -9223372036854775808\n"
	                              "esc = \"tab\\there \\\"q\\\" \\u00e9 \\U0001F600 back\\\\\"\n"
	                              "ml = \"\"\"\nline1\n  line2 \\\n     joined\"\"\"\n"
	                              "mll = '''\nraw \\n ''quotes'''''\n"
	                              "inl = { x = 1, y.z = \"s\", e = {} }\n"
	                              "nested = [[1, 2], ['x'], []]\n"
	                              "t = true\n"
	                              "f = false\n"
	                              "[tbl]   # comment\n"
	                              "k = \"v\"\r\n"
	                              "[tbl.sub]\n");
	assert_int_equal(get_path(r, "a.b.c")->u.i, 1);
	assert_int_equal(get_path(r, "a.b.d")->u.i, 0);
	assert_string_equal(toml_get(r, "quoted key")->u.s, "lit\\eral");
	assert_int_equal(toml_get(r, "n")->u.i, 1000);
	assert_int_equal(toml_get(r, "h")->u.i, 0xdeadbeefLL);
	assert_int_equal(toml_get(r, "o")->u.i, 0755);
	assert_int_equal(toml_get(r, "bin")->u.i, 5);
	assert_true(toml_get(r, "neg")->u.i == (-9223372036854775807LL - 1));
	assert_string_equal(toml_get(r, "esc")->u.s, "tab\there \"q\" \xc3\xa9 \xf0\x9f\x98\x80 back\\");
	assert_string_equal(toml_get(r, "ml")->u.s, "line1\n  line2 joined");
	assert_string_equal(toml_get(r, "mll")->u.s, "raw \\n ''quotes''");
	assert_int_equal(get_path(r, "inl.x")->u.i, 1);
	assert_string_equal(str_at(r, "inl.y.z"), "s");
	assert_int_equal(get_path(r, "inl.e")->u.tab.n, 0);
	const struct toml_val *nested = toml_get(r, "nested");
	assert_int_equal(nested->u.arr.n, 3);
	assert_int_equal(nested->u.arr.items[0]->u.arr.items[1]->u.i, 2);
	assert_int_equal(nested->u.arr.items[2]->u.arr.n, 0);
	assert_true(toml_get(r, "t")->u.b);
	assert_false(toml_get(r, "f")->u.b);
	assert_string_equal(str_at(r, "tbl.k"), "v");
	assert_int_equal(get_path(r, "tbl.sub")->type, TOML_TABLE);
	assert_null(toml_get(r, "missing"));
	assert_null(toml_get(toml_get(r, "t"), "x"));
	toml_free(r);

	r = parse_ok("");
	assert_int_equal(r->u.tab.n, 0);
	toml_free(r);
	r = parse_ok("\xef\xbb\xbf# only a comment");
	toml_free(r);
}

static void expect_bad(const char *text, const char *want)
{
	struct burrow_err *err = NULL;
	struct toml_val *root = NULL;
	if (toml_parse(text, &root, &err) == 0) {
		toml_free(root);
		fail_msg("accepted: %s", text);
	}
	assert_null(root);
	if (!strstr(err->msg, want))
		fail_msg("'%s': message '%s' lacks '%s'", text, err->msg, want);
	burrow_err_free(err);
}

static void test_toml_errors(void **state)
{
	(void)state;
	expect_bad("a = 1\na = 2\n", "line 2: duplicate key 'a'");
	expect_bad("a.b = 1\na.b = 2\n", "duplicate key 'a.b'");
	expect_bad("[t]\n[t]\n", "line 2: table 't' is defined twice");
	expect_bad("a = 1\n[a]\n", "'a' is already defined as a integer");
	expect_bad("[[r]]\n[r]\n", "'r' is already defined as a array");
	expect_bad("r = []\n[[r]]\n", "'r' is already defined as a array");
	expect_bad("i = {x = 1}\ni.y = 2\n", "already defined as a inline table");
	expect_bad("a = \"open\n", "line 1: unterminated string");
	expect_bad("a = '''never closed\n", "unterminated string");
	expect_bad("a = bare\n", "strings need quotes");
	expect_bad("a = \n", "expected a value");
	expect_bad("a 1\n", "expected '=' after the key");
	expect_bad("= 1\n", "invalid character '=' in a key");
	expect_bad("a = 1 b = 2\n", "unexpected text");
	expect_bad("a = [1, 2\n", "unterminated array");
	expect_bad("a = [1 2]\n", "expected ',' or ']'");
	expect_bad("a = 1.5\n", "floating-point values are not supported");
	expect_bad("a = inf\n", "floating-point values are not supported");
	expect_bad("a = 1979-05-27\n", "dates and times are not supported");
	expect_bad("a = 07\n", "leading zeros");
	expect_bad("a = 1__0\n", "misplaced '_'");
	expect_bad("a = 9223372036854775808\n", "integer out of range");
	expect_bad("a = 0b102\n", "invalid digit '2'");
	expect_bad("a = -0x1\n", "a sign is not allowed before 0x");
	expect_bad("a = \"\\q\"\n", "unknown escape '\\q'");
	expect_bad("a = \"\\u12\"\n", "needs 4 hex digits");
	expect_bad("a = \"\\ud800\"\n", "not a Unicode scalar value");
	expect_bad("[a\n", "expected ']' after the table name");
	expect_bad("[[a]\n", "expected ']]' after the table name");
	expect_bad("x = 1\n\n\n[t\n", "line 4:");
	expect_bad("a = {x = 1\n", "expected ',' or '}'");
	expect_bad("'''k''' = 1\n", "a key cannot be a multi-line string");
}

static void expect_b64(const char *plain, const char *enc)
{
	char *e = base64_encode(plain, strlen(plain));
	assert_string_equal(e, enc);
	free(e);
	size_t n = 0;
	char *d = base64_decode(enc, &n);
	assert_non_null(d);
	assert_int_equal(n, strlen(plain));
	assert_memory_equal(d, plain, n);
	assert_int_equal(d[n], '\0');
	free(d);
}

static void test_base64(void **state)
{
	(void)state;
	expect_b64("", "");
	expect_b64("f", "Zg==");
	expect_b64("fo", "Zm8=");
	expect_b64("foo", "Zm9v");
	expect_b64("user:pa:ss", "dXNlcjpwYTpzcw==");
	char *e = base64_encode("\xff\xfe\x00x", 4);
	assert_string_equal(e, "//4AeA==");
	free(e);
	size_t n;
	/* no padding is fine (some tools write it so); junk is not */
	char *d = base64_decode("Zm8", &n);
	assert_non_null(d);
	assert_string_equal(d, "fo");
	free(d);
	assert_null(base64_decode("Zm9v!", &n));
	assert_null(base64_decode("Z", &n));
	assert_null(base64_decode("Zm=v", &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_toml_registries_conf),
	    cmocka_unit_test(test_toml_values),
	    cmocka_unit_test(test_toml_errors),
	    cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
