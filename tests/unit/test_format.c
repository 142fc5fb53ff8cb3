/* Unit tests: the --format engine (Go-template subset over JSON trees), the
 * table writer, and the report glue that picks JSON, template or table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmd/report.h"
#include "cmd/tabwriter.h"
#include "cmd/template.h"
#include "lib/json.h"
#include "lib/xalloc.h"

static const char *const doc = "{\"Name\":\"web\",\"Id\":\"0123456789abcdef\",\"N\":42,\"F\":96.84,\"Big\":1e6,"
                               "\"Neg\":-7,\"On\":true,\"Off\":false,\"Nil\":null,\"Empty\":\"\","
                               "\"Names\":[\"a\",\"b\",\"c\"],\"None\":[],"
                               "\"Labels\":{\"k\":\"v\",\"app\":\"db\"},"
                               "\"State\":{\"Status\":\"running\",\"Pid\":7,\"Running\":true},"
                               "\"Config\":{\"Cmd\":[\"sh\",\"-c\",\"echo <hi> & \\\"bye\\\"\"],\"Env\":null},"
                               "\"Mounts\":[{\"Source\":\"/a\",\"Destination\":\"/x\"},{\"Source\":\"/b\","
                               "\"Destination\":\"/y\"}]}";

/* Runs tmpl over one item (doc, with an optional overlay) as as says
 * (fold_case, the name and types for errors; NULL: none of them); returns
 * the output, or NULL with *msg set to the error. */
static char *run_full(const char *tmpl, const char *base, const char *overlay, unsigned flags,
                      const struct fmt_data *as, char **msg)
{
	struct burrow_err *err = NULL;
	yajl_val b = json_parse(base, NULL), o = overlay ? json_parse(overlay, NULL) : NULL;
	assert_non_null(b);
	/* the Go maps of these documents, marked as the verbs' builders mark
	 * theirs; every other object is a struct */
	static const char *const maps[] = {"Labels", "Tags", "Config.Labels", "Config.Annotations", NULL};
	json_mark_maps(b, maps);
	struct fmt_template *t = fmt_template_parse(tmpl, flags, &err);
	char *out = NULL;
	if (t) {
		struct fmt_item item = {b, o};
		struct fmt_data d = as ? *as : (struct fmt_data){0};
		d.kind = FMT_DATA_ITEM;
		d.items = &item;
		d.n = 1;
		struct fmt_buf buf = {0};
		if (fmt_template_exec(t, &d, &buf, &err) == 0)
			out = xstrdup(buf.s);
		fmt_buf_free(&buf);
	}
	if (!out) {
		assert_non_null(err);
		if (msg)
			*msg = xstrdup(err->msg);
		burrow_err_free(err);
	}
	fmt_template_free(t);
	yajl_tree_free(b);
	if (o)
		yajl_tree_free(o);
	return out;
}

/* tmpl over base (fold: fold_case) prints want. */
static void check_on(const char *base, bool fold, const char *tmpl, const char *want)
{
	char *msg = NULL;
	char *got = run_full(tmpl, base, NULL, 0, &(struct fmt_data){.fold_case = fold}, &msg);
	if (!got)
		fail_msg("%s: error: %s", tmpl, msg);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", tmpl, got, want);
	free(got);
}

static void check(const char *tmpl, const char *want)
{
	check_on(doc, false, tmpl, want);
}

/* The template fails over base with a message that contains want. */
static void check_error_on(const char *base, const char *tmpl, const char *want)
{
	char *msg = NULL;
	char *got = run_full(tmpl, base, NULL, 0, NULL, &msg);
	if (got)
		fail_msg("%s: no error, output '%s'", tmpl, got);
	if (!strstr(msg, want))
		fail_msg("%s: error '%s' lacks '%s'", tmpl, msg, want);
	assert_null(strchr(msg, '\n')); /* one line */
	free(msg);
}

static void check_error(const char *tmpl, const char *want)
{
	check_error_on(doc, tmpl, want);
}

/* Go's nil map and slice (podman's null Labels, VolumesFrom): null in
 * JSON, "map[]" and "[]" in templates, len 0, a key of the map no value;
 * a plain null stays <nil>. An empty string Go writes with omitempty
 * (State.CgroupPath): "" in templates, left out of the JSON. */
static void test_nil_values(void **state)
{
	(void)state;
	yajl_val b = json_new_object();
	json_obj_add(b, "Labels", json_new_nil_map());
	json_obj_add(b, "From", json_new_nil_list());
	json_obj_add(b, "Nil", json_new_null());
	json_obj_add(b, "Gone", json_new_omitempty_str(NULL));
	json_obj_add(b, "Empty", json_new_omitempty_str(""));
	json_obj_add(b, "Set", json_new_omitempty_str("/a"));
	const char *tmpls[][2] = {
	    {"{{.Labels}} {{.From}} {{.Nil}}", "map[] [] <nil>"},
	    {"{{len .Labels}} {{len .From}}", "0 0"},
	    {"{{.Labels.app}}|{{index .Labels \"app\"}}|{{if .Labels}}y{{else}}n{{end}}", "<no value>||n"},
	    {"{{json .Labels}} {{json .From}}", "null null"},
	    {"[{{.Gone}}|{{.Empty}}|{{.Set}}] {{json .Gone}} {{len .Empty}} {{if .Gone}}y{{else}}n{{end}}",
	     "[||/a] \"\" 0 n"},
	    {"{{json .}}", "{\"Labels\":null,\"From\":null,\"Nil\":null,\"Set\":\"/a\"}"},
	};
	for (size_t i = 0; i < sizeof(tmpls) / sizeof(tmpls[0]); i++) {
		struct burrow_err *err = NULL;
		struct fmt_template *t = fmt_template_parse(tmpls[i][0], 0, &err);
		assert_non_null(t);
		struct fmt_item item = {b, NULL};
		struct fmt_data d = {.kind = FMT_DATA_ITEM, .items = &item, .n = 1};
		struct fmt_buf buf = {0};
		if (fmt_template_exec(t, &d, &buf, &err) < 0)
			fail_msg("%s: error: %s", tmpls[i][0], err->msg);
		if (strcmp(buf.s, tmpls[i][1]) != 0)
			fail_msg("%s: got '%s', want '%s'", tmpls[i][0], buf.s, tmpls[i][1]);
		fmt_buf_free(&buf);
		fmt_template_free(t);
	}
	yajl_tree_free(b);
}

/* A key missing from a non-empty map (Labels, Config.Labels) is Go's
 * "<no value>", as is any field of it; a field missing from a struct (any
 * other object) stays an error, as podman's. */
static void test_map_keys(void **state)
{
	(void)state;
	const char *base = "{\"Labels\":{\"a\":\"1\"},\"Config\":{\"Labels\":{\"b\":\"2\"},"
	                   "\"Annotations\":{\"c\":\"3\"}}}";
	check_on(base, false, "{{.Labels.a}}|{{.Labels.x}}|{{.Labels.x.y}}", "1|<no value>|<no value>");
	check_on(base, false, "{{.Config.Labels.b}}|{{.Config.Labels.x}}|{{.Config.Annotations.x}}",
	         "2|<no value>|<no value>");
	/* no value is false, as Go's invalid value */
	check_on(base, false, "{{if .Labels.x}}y{{else}}n{{end}}{{with .Config.Labels.x}}y{{else}}n{{end}}", "nn");
	check_error_on(base, "{{.Nosuch}}", "can't evaluate field Nosuch in type struct");
	check_error_on(base, "{{.Config.Nosuch}}", "can't evaluate field Nosuch in type struct");
}

/* Maps by type, not by name: a marked object of any name is a Go map, an
 * object named as podman's maps are but not marked is a struct. A missing
 * key is Go's invalid value, as podman 4.3 shows it: "<no value>" from an
 * action, false to if, with and not, unequal to "" (no error), <nil> to
 * printf, null to json, kept by and; any field of it is no value too. */
static void test_map_by_type(void **state)
{
	(void)state;
	const char *base = "{\"Tags\":{\"k\":\"v\"},\"Options\":{\"a\":\"1\"},\"State\":{\"Status\":\"up\"}}";
	check_on(base, false, "{{.Tags.k}}|{{.Tags.x}}|{{.Tags.x.y}}", "v|<no value>|<no value>");
	check_on(base, false, "{{if .Tags.x}}y{{else}}n{{end}} {{with .Tags.x}}y{{else}}n{{end}} {{not .Tags.x}}",
	         "n n true");
	check_on(base, false, "{{if .Tags.k}}y{{else}}n{{end}} {{with .Tags.k}}{{.}}{{end}}", "y v");
	check_on(base, false, "{{eq .Tags.x \"\"}} {{ne .Tags.x \"\"}} {{eq .Tags.x .Tags.y}}", "false true true");
	check_on(base, false, "{{printf \"%v\" .Tags.x}} {{json .Tags.x}} {{index .Tags \"x\"}}|", "<nil> null |");
	check_on(base, false, "{{and .Tags.x 1}} {{or .Tags.x 1}} {{$v := .Tags.x}}{{$v}} {{(.Tags.x).y}}",
	         "<no value> 1 <no value> <no value>");
	check_on(base, false, "{{range .Tags.x}}x{{else}}none{{end}}", "none");
	/* a struct's field names fold (info), a map's keys never */
	check_on(base, true, "{{.state.status}} {{.Tags.K}}", "up <no value>");
	/* a struct, though named as a map is elsewhere */
	check_error_on(base, "{{.Options.x}}",
	               "template: template:1:10: executing \"template\" at <.Options.x>: can't evaluate field x in "
	               "type struct");
	check_error_on(base, "{{.State.x}}", "can't evaluate field x in type struct");
	check_error_on(base, "{{lt .Tags.x 1}}", "invalid type for comparison");
}

static void test_fields(void **state)
{
	(void)state;
	check("{{.Name}}", "web");
	check("name: {{.Name}}!", "name: web!");
	check("{{.State.Status}} {{.State.Pid}}", "running 7");
	check("{{ .Name }}", "web");
	/* a struct prints as Go's %v prints one: its values in field order;
	 * a map with its keys sorted */
	check("{{.}}", "{web 0123456789abcdef 42 96.84 1e+06 -7 true false <nil>  [a b c] [] map[app:db k:v] "
	               "{running 7 true} {[sh -c echo <hi> & \"bye\"] <nil>} [{/a /x} {/b /y}]}");
	/* scalars print as Go prints them */
	check("{{.N}} {{.Neg}} {{.F}} {{.Big}} {{.On}} {{.Off}} {{.Nil}} [{{.Empty}}]",
	      "42 -7 96.84 1e+06 true false <nil> []");
	check("{{.Names}} {{.None}} {{.Labels}} {{.Mounts}}", "[a b c] [] map[app:db k:v] [{/a /x} {/b /y}]");
	check("{{0.5}} {{1.5e-7}} {{123456.0}} {{100}} {{-3}} {{0x1f}} {{'a'}}", "0.5 1.5e-07 123456 100 -3 31 97");
	check("{{true}} {{false}} {{\"s\"}} {{`raw\\n`}}", "true false s raw\\n");
	/* text: the escapes podman accepts, Go's trim markers, comments */
	check("a\\tb\\nc", "a\tb\nc");
	check("a  {{- .Name -}}  b", "awebb");
	check("a {{- /* gone */ -}} b", "ab");
	check("{{/* a comment */}}x", "x");
	check("{{\"{{\"}}.Name}}", "{{.Name}}");
	check("{{(index .Mounts 1).Source}}", "/b");
}

static void test_functions(void **state)
{
	(void)state;
	check("{{json .State}}", "{\"Status\":\"running\",\"Pid\":7,\"Running\":true}");
	check("{{json .Config.Cmd}}", "[\"sh\",\"-c\",\"echo <hi> & \\\"bye\\\"\"]");
	check("{{json .Name}} {{json .Nil}} {{json .N}}", "\"web\" null 42");
	check("{{index .Labels \"k\"}}|{{index .Labels \"missing\"}}|{{index .Names 2}}|{{(index .Mounts 0).Source}}",
	      "v||c|/a");
	check("{{index .Name 0}}", "119"); /* a byte, as Go's */
	check("{{lower \"AbC\"}} {{upper .Name}} {{.Name | upper}} {{title \"hello big world\"}}",
	      "abc WEB WEB Hello Big World");
	check("{{join .Names \",\"}} {{.Names | join \", \"}} {{join .None \",\"}}.", "a,b,c a, b, c .");
	check("{{join .Name \",\"}} {{.Name | join \",\"}}", "web web");
	check("{{len .Names}} {{len .Name}} {{len .Labels}} {{len .None}}", "3 3 2 0");
	check("{{printf \"%s-%d\" .Name .N}}", "web-42");
	check("{{printf \"%5s|%-5s|%05d|%x|%X|%o|%+d|%q|%t|%c|%%\" .Name .Name .N .N .N .N .N .Name .On 65}}",
	      "  web|web  |00042|2a|2A|52|+42|\"web\"|true|A|%");
	check("{{printf \"%.2f|%6.1f|%e|%g|%v|%v\" .F .F .F .F .Names .Labels}}",
	      "96.84|  96.8|9.684000e+01|96.84|[a b c]|map[app:db k:v]");
	check("{{printf \"%d\" .Name}}|{{printf \"%s %s\" .Name}}|{{printf \"%s\" .Name .N}}",
	      "%!d(string=web)|web %!s(MISSING)|web%!(EXTRA int=42)");
	check("{{print .Name .N .N \"x\"}}|{{println .Name .N}}", "web42 42x|web 42\n");
	check("{{printf \"%T %T %T %T %T %T\" .Name .N .F .Names .Labels .Nil}}",
	      "string int float64 []string map[string]string <nil>");
	check("{{split \"a:b:c\" \":\"}} {{len (split \"a:b\" \":\")}}", "[a b c] 2");
	check("{{truncate .Id 4}} {{.Id | truncate 6}} {{pad .Name 1 2}}|", "0123 012345  web  |");
	check("{{if eq .State.Status \"running\"}}up{{end}} {{if ne .N 42}}x{{else}}y{{end}}", "up y");
	check("{{if eq .N 1 2 42}}in{{end}} {{if lt .N 50}}lt{{end}} {{if ge .Neg 0}}x{{else}}neg{{end}}", "in lt neg");
	/* strings are ordered bytewise, as Go's */
	check("{{lt \"a\" \"b\"}} {{gt \"a\" \"b\"}} {{le .Name \"web\"}} {{ge .Name \"wfa\"}} {{lt \"B\" \"a\"}}",
	      "true false true false true");
	check("{{and .On .Name}} {{and .Off .Name}} {{or .Empty .Name}} {{not .On}}", "web false web false");
	check("{{.Name | printf \"<%s>\" | upper}}", "<WEB>");
}

/* printf's widths and precisions within Go's bound (a million): past it
 * Go prints BADWIDTH/BADPREC (from an argument) or NOVERB (digits), where
 * a user's template once had burrow write gigabytes of padding. */
static void test_printf_bounds(void **state)
{
	(void)state;
	check("{{printf \"%*d|%.*d|\" 1000000 1 -1000000 2}}", "%!(BADWIDTH)1|%!(BADPREC)2|");
	check("{{printf \"%*d|%*d|%.*s|\" 4 1 -4 2 -1 .Name}}", "   1|2   |web|");
	check("{{printf \"%99999999d\" 1}}", "%!(NOVERB)%!(EXTRA int=1)");
	check("{{printf \"%.99999999d|\" 1}}|{{printf \"%4294967297d\" 1}}",
	      "%!(NOVERB)%!(EXTRA int=1)|%!(NOVERB)%!(EXTRA int=1)");
	/* any precision below the bound, whatever the digits' room */
	char *want = xasprintf("%070d|0x%070x|", 1, 1);
	check("{{printf \"%.70d|%#.70x|\" 1 1}}", want);
	free(want);
	check("{{printf \"%#.5x %#.5o %#o %08.3d|%-05d|\" 1 1 8 5 3}}", "0x00001 00001 010      005|3    |");
	/* a string's precision: runes for %q, bytes for %x */
	check("{{printf \"%.2q|%.1q|%.3x|%.0X|\" \"abc\" \"\xc3\xa9t\xc3\xa9\" \"hello\" \"x\"}}",
	      "\"ab\"|\"\xc3\xa9\"|68656c||");
}

static void test_control(void **state)
{
	(void)state;
	check("{{range .Names}}[{{.}}]{{end}}", "[a][b][c]");
	check("{{range $i, $e := .Names}}{{$i}}={{$e}} {{end}}", "0=a 1=b 2=c ");
	check("{{range $e := .Names}}{{$e}}{{end}}", "abc");
	check("{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}", "app:db;k:v;");
	check("{{range .Mounts}}{{.Source}}->{{.Destination}} {{end}}", "/a->/x /b->/y ");
	check("{{range .Mounts}}{{$.Name}}{{end}}", "webweb");
	check("{{range .None}}x{{else}}none{{end}} {{range .Nil}}x{{else}}nil{{end}}", "none nil");
	check("{{if .On}}yes{{end}}{{if .Off}}no{{end}}", "yes");
	check("{{if .Empty}}a{{else if .Nil}}b{{else if .N}}c{{else}}d{{end}}", "c");
	check("{{if .None}}a{{else}}b{{end}} {{if .Names}}a{{else}}b{{end}}", "b a");
	check("{{with .State}}{{.Status}}{{end}} {{with .Empty}}x{{else}}empty{{end}}", "running empty");
	check("{{$x := .Name}}{{$x}}{{$x = \"new\"}} {{$x}}", "web new");
	check("{{if $s := .State.Status}}{{$s}}{{end}}", "running");
	check("{{range .Names}}{{if eq . \"b\"}}B{{else}}{{.}}{{end}}{{end}}", "aBc");
}

static void test_overlay(void **state)
{
	(void)state;
	char *got = run_full("{{.Names}} {{.Name}} {{json .Names}} {{.ID}}", doc, "{\"Names\":\"a\",\"ID\":\"0123\"}",
	                     0, NULL, NULL);
	assert_string_equal(got, "a web \"a\" 0123");
	free(got);
	/* {{json .}} and {{.}} show the object itself, not the overlay */
	got = run_full("{{json .}}", "{\"A\":1}", "{\"B\":2}", 0, NULL, NULL);
	assert_string_equal(got, "{\"A\":1}");
	free(got);
	/* fold_case: .Host.Kernel finds host.kernel */
	got = run_full("{{.Host.Kernel}} {{.host.kernel}}", "{\"host\":{\"kernel\":\"6.1\"}}", NULL, 0,
	               &(struct fmt_data){.fold_case = true}, NULL);
	assert_string_equal(got, "6.1 6.1");
	free(got);
	/* and Go's HostID is the JSON's host_id */
	got = run_full("{{range .Host.IDMappings.UIDMap}}{{.HostID}} {{end}}",
	               "{\"host\":{\"idMappings\":{\"uidmap\":[{\"host_id\":1001},{\"host_id\":100000}]}}}", NULL, 0,
	               &(struct fmt_data){.fold_case = true}, NULL);
	assert_string_equal(got, "1001 100000 ");
	free(got);
	char *msg = NULL;
	assert_null(run_full("{{.Host.Kernel}}", "{\"host\":{\"kernel\":\"6.1\"}}", NULL, 0, NULL, &msg));
	assert_non_null(strstr(msg, "can't evaluate field Host in type struct"));
	free(msg);
}

static void test_errors(void **state)
{
	(void)state;
	/* unknown fields are errors naming them, never empty output */
	check_error("{{.Foo}}",
	            "template:1:2: executing \"template\" at <.Foo>: can't evaluate field Foo in type struct");
	check_error("x {{.State.Foo}}",
	            "template:1:10: executing \"template\" at <.State.Foo>: can't evaluate field Foo");
	check_error("{{range .Mounts}}{{.Nope}}{{end}}", "can't evaluate field Nope in type struct");
	check_error("{{.Name.Sub}}", "at <.Name.Sub>: can't evaluate field Sub in type string");
	check_error("{{.Names.Sub}}", "can't evaluate field Sub in type []string");
	check_error("{{.Nil.Sub}}", "at <.Nil.Sub>: nil pointer evaluating interface {}.Sub");
	/* syntax errors name the position */
	check_error("ab {{.Name", "1:4: unclosed action");
	check_error("a\nb {{.Name", "2:3: unclosed action");
	check_error("{{.Name}", "1:1: unclosed action");
	check_error("{{.Name} x}}", "1:8: unexpected '}'");
	check_error("{{foo .Name}}", "1:3: function 'foo' not defined");
	check_error("{{.Name | nosuch}}", "function 'nosuch' not defined");
	check_error("{{if .On}}x", "unclosed {{if}}");
	check_error("{{end}}", "unexpected {{end}}");
	check_error("{{else}}", "unexpected {{else}}");
	check_error("{{\"abc}}", "unterminated quoted string");
	check_error("{{$x}}", "undefined variable '$x'");
	check_error("{{}}", "missing value for command");
	check_error("{{(.Name}}", "unclosed left paren");
	check_error("{{.Name)}}", "unexpected right paren");
	check_error("{{.Name | }}", "empty command");
	check_error("{{.Name | \"x\"}}", "non executable command in pipeline stage 2");
	check_error("{{1x}}", "bad number syntax");
	check_error("{{.Name\"x\"}}", "unexpected '\"x\"' in operand");
	check_error("{{template \"x\"}}", "{{template}} is not supported");
	check_error("{{#}}", "bad character '#'");
	/* nesting beyond any real use is refused, not a stack overflow */
	char deep[2000] = "{{";
	for (int i = 0; i < 150; i++)
		strcat(deep, "(");
	strcat(deep, ".N");
	for (int i = 0; i < 150; i++)
		strcat(deep, ")");
	strcat(deep, "}}");
	check_error(deep, "template nested too deeply");
	char ifs[4000] = "";
	for (int i = 0; i < 150; i++)
		strcat(ifs, "{{if .On}}");
	check_error(ifs, "template nested too deeply");
	/* evaluation errors, in Go's words */
	check_error("{{range .Name}}x{{end}}", "at <.Name>: range can't iterate over web");
	check_error("{{range .N}}x{{end}}", "range can't iterate over 42");
	check_error("{{range 3}}x{{end}}", "template:1:8: executing \"template\" at <3>: range can't iterate over 3");
	check_error("{{index .N 1}}", "at <index .N 1>: error calling index: can't index item of type int");
	check_error("{{index .Names 5}}", "error calling index: index out of range: 5");
	check_error("{{index .Names \"x\"}}", "error calling index: cannot index slice/array with type string");
	check_error("{{index .Labels 1}}", "error calling index: value has type int; should be string");
	check_error("{{len .N}}", "at <len .N>: error calling len: len of type int");
	/* slice, as Go's: x[i:j] of a list or a string, up to 3 indexes */
	check("{{slice .Name 1}} {{slice .Name 0 2}} {{slice .Name}} [{{slice .Name 3}}] {{slice .Name 1 1 | len}}",
	      "eb we web [] 0");
	check("{{slice .Names 1}} {{slice .Names 0 1}} {{slice .Names 1 2 3}} {{len (slice .Names 3)}} {{slice .None}}",
	      "[b c] [a] [b] 0 []");
	check("{{(index (slice .Mounts 1) 0).Source}} {{json (slice .Config.Cmd 0 2)}}", "/b [\"sh\",\"-c\"]");
	check_error("{{slice .Names 4}}", "at <slice .Names 4>: error calling slice: index out of range: 4");
	check_error("{{slice .Name 0 4}}", "error calling slice: index out of range: 4");
	check_error("{{slice .Names -1}}", "error calling slice: index out of range: -1");
	check_error("{{slice .Names 2 1}}", "error calling slice: invalid slice index: 2 > 1");
	check_error("{{slice .Names 0 2 1}}", "error calling slice: invalid slice index: 2 > 1");
	check_error("{{slice .Names 0 1 2 3}}", "error calling slice: too many slice indexes: 4");
	check_error("{{slice .Name 0 1 2}}", "error calling slice: cannot 3-index slice a string");
	check_error("{{slice .N 0}}", "error calling slice: can't slice item of type int");
	check_error("{{slice .Labels 0}}", "error calling slice: can't slice item of type map[string]string");
	check_error("{{slice .Names \"x\"}}", "error calling slice: cannot index slice/array with type string");
	check_error("{{slice .Names .Nil}}", "error calling slice: cannot index slice/array with nil");
	check_error("{{slice .Nil 0}}", "error calling slice: slice of untyped nil");
	check_error("{{len .Nil}}", "error calling len: len of nil pointer");
	check_error("{{.Name .N}}", "at <.Name>: Name has arguments but cannot be invoked as function");
	check_error("{{.Name | .N}}", "at <.N>: N has arguments but cannot be invoked as function");
	check_error("{{.Name | \"x\" | .N}}", "non executable command in pipeline stage 2");
	check_error("{{lower}}", "at <lower>: wrong number of args for lower: want 1 got 0");
	check_error("{{lower .Name .N}}", "wrong number of args for lower: want 1 got 2");
	check_error("{{truncate .Name .Name}}", "at <.Name>: wrong type for value; expected int; got string");
	check_error("{{truncate .Name \"x\"}}", "at <\"x\">: expected integer; found \"x\"");
	check_error("{{$x := 1}}{{$x = $}}{{$x.Foo}}", "at <$x.Foo>: can't evaluate field Foo in type struct");
}

/* Go's text/template, as podman 4.3 runs it: index and range take lists
 * and maps, never a struct (an object the verb did not mark as a map),
 * where Go errors; a map still indexes and ranges. */
static void test_struct_not_map(void **state)
{
	(void)state;
	check_error("{{index . \"Name\"}}",
	            "at <index . \"Name\">: error calling index: can't index item of type struct");
	check_error("{{index .State \"Status\"}}", "error calling index: can't index item of type struct");
	check_error("{{index .Mounts 0 \"Source\"}}", "can't index item of type struct");
	check_error("{{range .State}}x{{end}}", "at <.State>: range can't iterate over ");
	check_error("{{range .}}x{{end}}", "range can't iterate over ");
	check("{{index .Labels \"app\"}} {{range .Labels}}{{.}};{{end}} {{range $k, $v := .Labels}}{{$k}}{{end}}",
	      "db db;v; appk");
	check("{{range .Mounts}}{{.Source}}{{end}} {{index .Mounts 1}}", "/a/b {/b /y}");
}

/* A key missing from a map is Go's invalid value; handed to a function it
 * does what Go does with it: podman's string functions refuse it
 * ("invalid value; expected string"), join sees a nil list, printf,
 * print and json a nil, len and index error as Go's builtins do. Values
 * of the wrong type are refused as Go refuses them. */
static void test_no_value_in_functions(void **state)
{
	(void)state;
	const char *funcs[] = {"upper", "lower", "title"};
	for (size_t i = 0; i < 3; i++) {
		char t[64], want[128];
		snprintf(t, sizeof(t), "{{%s .Labels.x}}", funcs[i]);
		snprintf(want, sizeof(want), "at <.Labels.x>: invalid value; expected string");
		check_error(t, want);
	}
	check_error("{{split .Labels.x \",\"}}", "at <.Labels.x>: invalid value; expected string");
	check_error("{{truncate .Labels.x 3}}", "invalid value; expected string");
	check_error("{{pad .Labels.x 1 1}}", "invalid value; expected string");
	check_error("{{pad .Name .Labels.x 1}}", "invalid value; expected int");
	/* piped in, Go points at the function */
	check_error("{{.Labels.x | upper}}",
	            "template:1:14: executing \"template\" at <upper>: invalid value; expected "
	            "string");
	check("{{join .Labels.x \",\"}}|{{printf \"%s|%v|%d\" .Labels.x .Labels.x .Labels.x}}|{{print .Labels.x}}",
	      "|%!s(<nil>)|<nil>|%!d(<nil>)|<nil>");
	check("{{json .Labels.x}} {{println .Labels.x}}", "null <nil>\n");
	check_error("{{len .Labels.x}}", "error calling len: reflect: call of reflect.Value.Type on zero Value");
	check_error("{{index .Labels.x \"y\"}}", "error calling index: index of untyped nil");
	check_error("{{index .Nil \"k\"}}", "error calling index: index of nil pointer");
	/* wrong types */
	check_error("{{upper 1}}", "at <1>: expected string; found 1");
	check_error("{{upper nil}}", "at <nil>: cannot assign nil to string");
	check_error("{{upper .N}}", "at <.N>: wrong type for value; expected string; got int");
	check_error("{{split .Names \",\"}}", "wrong type for value; expected string; got []string");
	check_error("{{.Labels | lower}}", "wrong type for value; expected string; got map[string]string");
	check_error("{{printf 1}}", "expected string; found 1");
}

/* Go's eq, ne, lt ...: an integer and a float, a string and a number, a
 * map and a string are "incompatible types for comparison"; lists and
 * maps are not comparable; and/or give back an operand. */
static void test_comparisons(void **state)
{
	(void)state;
	check_error("{{eq 1 1.0}}", "at <eq 1 1.0>: error calling eq: incompatible types for comparison");
	check_error("{{lt 1 2.5}}", "error calling lt: incompatible types for comparison");
	check_error("{{eq .N \"42\"}}", "error calling eq: incompatible types for comparison");
	check_error("{{ne \"a\" 1}}", "error calling ne: incompatible types for comparison");
	check_error("{{eq .On 1}}", "incompatible types for comparison");
	check_error("{{eq .Labels \"a\"}}", "incompatible types for comparison");
	check_error("{{eq .Names .Names}}", "error calling eq: non-comparable type [a b c]: []string");
	check_error("{{lt .On .Off}}", "error calling lt: invalid type for comparison");
	check_error("{{lt .Labels.x 1}}", "error calling lt: invalid type for comparison");
	check_error("{{lt .Nil 1}}", "invalid type for comparison");
	check("{{eq .N 42}} {{eq .F 96.84}} {{lt \"a\" \"b\"}} {{eq .Nil .Labels.x}} {{eq .Nil \"\"}} {{le 1 1}}",
	      "true true true true false true");
	check("{{and 0 \"x\"}} {{or 0 \"x\"}} {{and 1 \"x\"}} {{or \"\" 0}} {{and .Labels.x 1}}", "0 x x 0 <no value>");
	/* they stop at the operand that decides, as Go's (1.18 on) */
	check("{{and false (len 3)}} {{or .Name (index .Names 9)}} {{.N | and 1}} {{.Empty | or 0}}|",
	      "false web 42 |");
	check_error("{{and true (len 3)}}", "error calling len: len of type int");
}

/* Errors are Go's as podman prints them: "template: NAME:LINE:COL:
 * executing "NAME" at <NODE>: ...", COL counted from 0 on the text Go
 * parsed: podman's, without "table " and after the "{{range .}}" it wraps
 * a list's template in; the types are podman's where the verb names them. */
static void test_error_form(void **state)
{
	(void)state;
	static const struct fmt_header types[] = {{"State", "*define.InspectContainerState"}, {NULL, NULL}};
	struct fmt_data ps = {.name = "ps", .offset = 11, .type = "containers.psReporter", .types = types};
	const char *cases[][3] = {
	    {"{{.Foo}}", "",
	     "template: ps:1:13: executing \"ps\" at <.Foo>: can't evaluate field Foo in type "
	     "containers.psReporter"},
	    {"x\n {{.State.Foo}}", "",
	     "template: ps:2:9: executing \"ps\" at <.State.Foo>: can't evaluate field Foo in type "
	     "*define.InspectContainerState"},
	    {"table {{.Name}} {{.Foo}}", "t", "template: ps:1:23: executing \"ps\""},
	    {"{{index  .  \"Name  x\"}}", "",
	     "template: ps:1:13: executing \"ps\" at <index . \"Name  x\">: error calling index: can't index item of "
	     "type containers.psReporter"},
	    {"{{(.State).Foo}}", "", "template: ps:1:21: executing \"ps\" at <(.State).Foo>: can't evaluate field Foo"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *msg = NULL;
		char *got = run_full(cases[i][0], doc, NULL, cases[i][1][0] ? FMT_TMPL_TABLE : 0, &ps, &msg);
		if (got)
			fail_msg("%s: no error, output '%s'", cases[i][0], got);
		if (strncmp(msg, cases[i][2], strlen(cases[i][2])) != 0)
			fail_msg("%s: error '%s', want '%s'", cases[i][0], msg, cases[i][2]);
		free(msg);
	}
}

static void test_header_mode(void **state)
{
	(void)state;
	static const struct fmt_header hdrs[] = {{"ID", "CONTAINER ID"}, {"CreatedHuman", "CREATED"}, {NULL, NULL}};
	struct fmt_template *t = fmt_template_parse(
	    "table {{.ID}} {{.Names | upper}} {{.CreatedHuman}}\\t{{.CreatedAt}} {{.State.Status}} {{lower .Image}} "
	    "{{if .Repository}}{{.Repository}}{{else}}<none>{{end}} {{range .Names}}{{.}}{{end}} {{json .Labels}} "
	    "{{printf \"%s!\" .Size}} {{.ImageID}}",
	    FMT_TMPL_TABLE | FMT_TMPL_NEWLINE, NULL);
	assert_non_null(t);
	struct fmt_data d = {.kind = FMT_DATA_HEADER, .headers = hdrs};
	struct fmt_buf b = {0};
	assert_int_equal(fmt_template_exec(t, &d, &b, NULL), 0);
	assert_string_equal(
	    b.s, "CONTAINER ID\tNAMES\tCREATED\tCREATED AT\tSTATUS\timage\tREPOSITORY\tNAMES\tLABELS\tSIZE!\t"
	         "IMAGE ID\n");
	fmt_buf_free(&b);
	fmt_template_free(t);
	char *h = fmt_header_for(NULL, "Host.IDMappings");
	assert_string_equal(h, "ID MAPPINGS");
	free(h);
}

static void test_table_text(void **state)
{
	(void)state;
	/* table: the "table " prefix goes, spaces and \t separate columns, a
	 * newline ends the row; positions count from the user's text */
	struct burrow_err *err = NULL;
	struct fmt_template *t =
	    fmt_template_parse("table {{.Name}} x\\t{{.N}}", FMT_TMPL_TABLE | FMT_TMPL_NEWLINE, &err);
	assert_non_null(t);
	yajl_val b = json_parse(doc, NULL);
	struct fmt_item item = {b, NULL};
	struct fmt_data d = {.kind = FMT_DATA_ITEM, .items = &item, .n = 1};
	struct fmt_buf out = {0};
	assert_int_equal(fmt_template_exec(t, &d, &out, NULL), 0);
	assert_string_equal(out.s, "web\tx\t42\n");
	fmt_buf_free(&out);
	fmt_template_free(t);
	/* a template that ends with a newline gets none added; -}} trims the added one */
	t = fmt_template_parse("{{.Name}}\\n", FMT_TMPL_NEWLINE, NULL);
	assert_int_equal(fmt_template_exec(t, &d, &out, NULL), 0);
	assert_string_equal(out.s, "web\n");
	fmt_buf_free(&out);
	fmt_template_free(t);
	t = fmt_template_parse("{{.Name -}}", FMT_TMPL_NEWLINE, NULL);
	assert_int_equal(fmt_template_exec(t, &d, &out, NULL), 0);
	assert_string_equal(out.s, "web");
	fmt_buf_free(&out);
	fmt_template_free(t);
	assert_null(fmt_template_parse("table {{.Name", FMT_TMPL_TABLE, &err));
	assert_string_equal(err->msg, "1:7: unclosed action");
	burrow_err_free(err);
	yajl_tree_free(b);
}

static void align(const char *in, const char *want)
{
	struct fmt_buf out = {0};
	fmt_table_align(in, strlen(in), FMT_TABLE_MINWIDTH, FMT_TABLE_PADDING, &out);
	if (strcmp(out.s, want) != 0)
		fail_msg("aligning '%s': got\n'%s'\nwant\n'%s'", in, out.s, want);
	fmt_buf_free(&out);
}

static void test_tabwriter(void **state)
{
	(void)state;
	/* columns are at least 12 wide, 2 more than the widest cell; the text
	 * after the last tab is not padded */
	align("ID\tNAME\tSTATUS\n1\tweb\tUp\n", "ID          NAME        STATUS\n1           web         Up\n");
	align("A\tB\nlonger-than-twelve\tx\n", "A                   B\nlonger-than-twelve  x\n");
	/* widths count runes: multi-byte UTF-8 aligns like ASCII (wide
	 * characters count one, as in Go) */
	align("müde\tx\nmude\ty\n日本語\tz\n", "müde        x\nmude        y\n日本語         z\n");
	align("ααααααααααααααα\tx\nb\ty\n", "ααααααααααααααα  x\nb                y\n");
	/* an invalid byte is one rune */
	align("\xfe\xfd\tx\nab\ty\n", "\xfe\xfd          x\nab          y\n");
	/* text between 0xff bytes is taken as it is, the 0xff bytes dropped */
	align("a\xff\tb\xff\tc\nd\te\n", "a\tb         c\nd           e\n");
	/* empty cells are padded; a line without the column ends the block */
	align("a\t\tc\nbb\tx\ty\nno tabs here\nlong-cell-here\tz\n",
	      "a                       c\nbb          x           y\nno tabs here\nlong-cell-here  z\n");
	/* Go's documentation example: b and c are distinct columns */
	align("aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n",
	      "aaaa        bbb         d\naa          b           dd\na           \naa          cccc        eee\n");
	/* no newline at the end: the last line is written as it is */
	align("a\tb", "a           b");
	align("", "");
	/* \f ends the columns and is written as a newline */
	align("a\tb\f"
	      "long-long-long\tc\n",
	      "a           b\nlong-long-long  c\n");
	assert_int_equal(fmt_utf8_runes("aü日\xf0\x9f\x98\x80\xc3", 11), 5);
	assert_int_equal(fmt_utf8_runes("\xf0\x9f\x98", 3), 3); /* cut short: 3 bytes, 3 runes */
}

static void render(const struct fmt_report *r, const char *const *objs, size_t n, const char *want)
{
	struct fmt_item items[8];
	for (size_t i = 0; i < n; i++)
		items[i] = (struct fmt_item){json_parse(objs[i], NULL), NULL};
	struct fmt_buf out = {0};
	struct burrow_err *err = NULL;
	if (fmt_report_render(r, items, n, &out, &err) < 0)
		fail_msg("render: %s", err->msg);
	if (strcmp(out.s ? out.s : "", want) != 0)
		fail_msg("got\n'%s'\nwant\n'%s'", out.s, want);
	fmt_buf_free(&out);
	for (size_t i = 0; i < n; i++)
		yajl_tree_free(items[i].base);
}

static void test_report(void **state)
{
	(void)state;
	assert_true(fmt_report_is_json("json"));
	assert_true(fmt_report_is_json(" {{json}} "));
	assert_true(fmt_report_is_json("{{ json. }}"));
	assert_true(fmt_report_is_json("{{json .}}")); /* podman 4.3: the list */
	assert_true(fmt_report_is_json(" {{ json . }}"));
	assert_false(fmt_report_is_json("{{json .}} x"));
	assert_false(fmt_report_is_json("{{json .Names}}"));
	assert_false(fmt_report_is_json("jsonx"));
	static const struct fmt_header hdrs[] = {{"ID", "CONTAINER ID"}, {NULL, NULL}};
	static const char *const objs[] = {"{\"ID\":\"1\",\"Name\":\"web\"}", "{\"ID\":\"22\",\"Name\":\"database\"}"};
	struct burrow_err *err = NULL;
	/* the default table, headers included */
	struct fmt_report r = {.verb = "ps", .default_format = "{{.ID}}\t{{.Name}}\n", .headers = hdrs};
	assert_int_equal(fmt_report_parse(&r, &err), 0);
	assert_int_equal(r.out, FMT_OUT_TABLE);
	render(&r, objs, 2, "CONTAINER ID  NAME\n1             web\n22            database\n");
	r.noheading = true;
	render(&r, objs, 2, "1           web\n22          database\n");
	fmt_report_clear(&r);
	/* a user's table */
	r = (struct fmt_report){.verb = "ps", .format = "table {{.Name}} {{.ID}}", .headers = hdrs};
	assert_int_equal(fmt_report_parse(&r, &err), 0);
	render(&r, objs, 2, "NAME        CONTAINER ID\nweb         1\ndatabase    22\n");
	fmt_report_clear(&r);
	/* a template: each object, a newline after each, no header, no alignment */
	r = (struct fmt_report){.verb = "ps", .format = "{{.Name}}\\t{{.ID}}", .headers = hdrs};
	assert_int_equal(fmt_report_parse(&r, &err), 0);
	assert_int_equal(r.out, FMT_OUT_TEMPLATE);
	render(&r, objs, 2, "web\t1\ndatabase\t22\n");
	render(&r, objs, 0, "");
	fmt_report_clear(&r);
	/* one with {{range .}} runs over the whole list */
	r = (struct fmt_report){.verb = "ps", .format = "{{range .}}{{.Name}},{{end}}"};
	assert_int_equal(fmt_report_parse(&r, &err), 0);
	assert_true(r.whole_list);
	render(&r, objs, 2, "web,database,\n");
	fmt_report_clear(&r);
	/* JSON: the objects as a list; none is [] */
	r = (struct fmt_report){.verb = "ps", .format = "json", .json_indent = "  "};
	assert_int_equal(fmt_report_parse(&r, &err), 0);
	assert_int_equal(r.out, FMT_OUT_JSON);
	render(&r, objs, 1, "[\n  {\n    \"ID\": \"1\",\n    \"Name\": \"web\"\n  }\n]\n");
	render(&r, objs, 0, "[]\n");
	/* a single object (info) */
	r.single = true;
	render(&r, objs, 1, "{\n  \"ID\": \"1\",\n  \"Name\": \"web\"\n}\n");
	r = (struct fmt_report){.verb = "info", .format = "{{.Name}}", .single = true};
	assert_int_equal(fmt_report_parse(&r, &err), 0);
	render(&r, objs, 1, "web\n");
	fmt_report_clear(&r);
	/* errors name the verb, --format and the position; nothing is printed */
	r = (struct fmt_report){.verb = "ps", .format = "{{.Nope}}"};
	assert_int_equal(fmt_report_parse(&r, &err), 0);
	struct fmt_item it = {json_parse(objs[0], NULL), NULL};
	struct fmt_buf out = {0};
	assert_int_equal(fmt_report_render(&r, &it, 1, &out, &err), -1);
	assert_string_equal(err->msg,
	                    "template: ps:1:13: executing \"ps\" at <.Nope>: can't evaluate field Nope in type "
	                    "struct");
	burrow_err_free(err);
	err = NULL;
	fmt_buf_free(&out);
	yajl_tree_free(it.base);
	fmt_report_clear(&r);
	r = (struct fmt_report){.verb = "images", .format = "table {{.ID"};
	assert_int_equal(fmt_report_parse(&r, &err), -1);
	assert_string_equal(err->msg, "images: --format: 1:7: unclosed action");
	burrow_err_free(err);
}

/* it's Name through --format json and through {{json .Name}}: want_json
 * and want_func */
static void render_name_json(struct fmt_item *it, const char *want_json, const char *want_func)
{
	struct burrow_err *err = NULL;
	struct fmt_report r = {.verb = "ps", .format = "json", .json_indent = "  ", .single = true};
	assert_int_equal(fmt_report_parse(&r, &err), 0);
	struct fmt_buf out = {0};
	assert_int_equal(fmt_report_render(&r, it, 1, &out, &err), 0);
	assert_string_equal(out.s, want_json);
	fmt_buf_free(&out);
	fmt_report_clear(&r);
	r = (struct fmt_report){.verb = "ps", .format = "{{json .Name}}", .single = true};
	assert_int_equal(fmt_report_parse(&r, &err), 0);
	out = (struct fmt_buf){0};
	assert_int_equal(fmt_report_render(&r, it, 1, &out, &err), 0);
	assert_string_equal(out.s, want_func);
	fmt_buf_free(&out);
	fmt_report_clear(&r);
}

/* A string that is not UTF-8 (a file name, an argument in Latin-1) is
 * written with U+FFFD for each bad byte by --format json and by the json
 * function alike (lib/json.c's rule; podman's diff --format json and its
 * {{json .}} write the same bytes) */
static void test_report_utf8(void **state)
{
	(void)state;
	struct fmt_item it = {json_new_object(), NULL};
	json_obj_add(it.base, "Name", json_new_str("caf\xe9!\xff"));
	render_name_json(&it, "{\n  \"Name\": \"caf\xef\xbf\xbd!\xef\xbf\xbd\"\n}\n",
	                 "\"caf\xef\xbf\xbd!\xef\xbf\xbd\"\n");
	yajl_tree_free(it.base);
}

/* U+2028 and U+2029 are written escaped by --format json and by the json
 * function, as Go's encoders always write them (podman 4.3's ps --format
 * json and {{json .Labels}}, seen live) */
static void test_report_line_seps(void **state)
{
	(void)state;
	struct fmt_item it = {json_new_object(), NULL};
	json_obj_add(it.base, "Name",
	             json_new_str("a\xe2\x80\xa8"
	                          "b\xe2\x80\xa9"
	                          "c\xe2\x80\xaa"));
	render_name_json(&it, "{\n  \"Name\": \"a\\u2028b\\u2029c\xe2\x80\xaa\"\n}\n",
	                 "\"a\\u2028b\\u2029c\xe2\x80\xaa\"\n");
	yajl_tree_free(it.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields),           cmocka_unit_test(test_nil_values),
	    cmocka_unit_test(test_map_keys),         cmocka_unit_test(test_map_by_type),
	    cmocka_unit_test(test_functions),        cmocka_unit_test(test_control),
	    cmocka_unit_test(test_overlay),          cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_header_mode),      cmocka_unit_test(test_table_text),
	    cmocka_unit_test(test_tabwriter),        cmocka_unit_test(test_report),
	    cmocka_unit_test(test_struct_not_map),   cmocka_unit_test(test_no_value_in_functions),
	    cmocka_unit_test(test_comparisons),      cmocka_unit_test(test_error_form),
	    cmocka_unit_test(test_printf_bounds),    cmocka_unit_test(test_report_utf8),
	    cmocka_unit_test(test_report_line_seps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
