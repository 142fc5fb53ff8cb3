/* Capabilities, masked paths and the security options of run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "container/seccomp.h"
#include "lib/json.h"
#include "container/secopts.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static char *joined(char *const *v)
{
	char *r = xstrdup("");
	for (size_t i = 0; v && v[i]; i++) {
		char *n = xasprintf("%s%s%s", r, i ? " " : "", v[i]);
		free(r);
		r = n;
	}
	return r;
}

static void assert_list(char **v, const char *want)
{
	char *got = joined(v);
	assert_string_equal(got, want);
	free(got);
	strv_free(v);
}

static void test_cap_names(void **state)
{
	(void)state;
	char **l = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_cap_list_add(&l, "net_raw,CAP_sys_admin", "--cap-add", &err), 0);
	assert_int_equal(ctr_cap_list_add(&l, "Net_Raw", "--cap-add", &err), 0);
	assert_int_equal(ctr_cap_list_add(&l, "all", "--cap-add", &err), 0);
	assert_list(l, "CAP_NET_RAW CAP_SYS_ADMIN ALL");
	l = NULL;
	static const char *const bad[] = {"CAP_NOPE", "13", "chown;x", "", "CAP_", "cap_chown cap_kill"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ctr_cap_list_add(&l, bad[i], "--cap-drop", &err), -1);
		assert_non_null(strstr(err->msg, "--cap-drop: unknown capability"));
		burrow_err_free(err);
		err = NULL;
	}
	strv_free(l);
}

/* podman's MergeCapabilities */
static void test_caps_merge(void **state)
{
	(void)state;
	struct ctr_config c = {0};
	static const char dflt[] = "CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_NET_BIND_SERVICE "
	                           "CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT";
	assert_list(ctr_caps_bounding(&c), dflt);
	strv_append(&c.cap_add, "CAP_NET_RAW");
	strv_append(&c.cap_drop, "CAP_CHOWN");
	strv_append(&c.cap_drop, "CAP_SETFCAP");
	assert_list(ctr_caps_bounding(&c), "CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_NET_BIND_SERVICE "
	                                   "CAP_NET_RAW CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT");
	/* root: all of it; another user: what --cap-add gave */
	char **b = ctr_caps_bounding(&c);
	assert_list(ctr_caps_effective(&c, b), "CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_NET_BIND_SERVICE "
	                                       "CAP_NET_RAW CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT");
	c.uid = 1000;
	assert_list(ctr_caps_effective(&c, b), "CAP_NET_RAW");
	strv_free(b);
	strv_append(&c.cap_drop, "ALL");
	assert_list(ctr_caps_bounding(&c), "CAP_NET_RAW");
	strv_free(c.cap_add);
	c.cap_add = NULL;
	assert_list(ctr_caps_bounding(&c), "");
	strv_free(c.cap_drop);
	c.cap_drop = NULL;
	/* ALL: every capability this kernel knows, less what is dropped */
	strv_append(&c.cap_add, "ALL");
	strv_append(&c.cap_drop, "CAP_CHOWN");
	b = ctr_caps_bounding(&c);
	assert_false(strv_contains(b, "CAP_CHOWN"));
	assert_true(strv_contains(b, "CAP_SYS_ADMIN"));
	assert_true(strv_contains(b, "CAP_SETUID"));
	strv_free(b);
	strv_free(c.cap_add);
	c.cap_add = NULL;
	c.privileged = true;
	b = ctr_caps_bounding(&c);
	assert_true(strv_contains(b, "CAP_SYS_ADMIN"));
	assert_false(strv_contains(b, "CAP_CHOWN"));
	strv_free(b);
	ctr_config_clear(&c);
}

static void test_sec_check(void **state)
{
	(void)state;
	struct ctr_sec_opts o = {0};
	struct burrow_err *err = NULL;
	strv_append(&o.cap_add, "CAP_CHOWN");
	strv_append(&o.cap_drop, "CAP_KILL");
	assert_int_equal(ctr_sec_check(&o, &err), 0);
	strv_append(&o.cap_drop, "CAP_CHOWN");
	assert_int_equal(ctr_sec_check(&o, &err), -1);
	assert_string_equal(err->msg, "capability 'CAP_CHOWN' cannot be both added and dropped");
	burrow_err_free(err);
	err = NULL;
	/* with ALL dropped, what is added is what there is */
	strv_append(&o.cap_drop, "ALL");
	assert_int_equal(ctr_sec_check(&o, &err), 0);
	strv_append(&o.cap_add, "ALL");
	assert_int_equal(ctr_sec_check(&o, &err), -1);
	burrow_err_free(err);
	ctr_sec_opts_clear(&o);
}

static void test_masks(void **state)
{
	(void)state;
	struct ctr_create_opts o = {0};
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_parse_security_opt("mask=/a:/b/c", &o, &err), 0);
	assert_int_equal(ctr_parse_security_opt("mask=/a", &o, &err), 0);
	assert_int_equal(ctr_parse_security_opt("unmask=/proc/k*:/proc/sys", &o, &err), 0);
	struct ctr_config c = {0};
	ctr_sec_to_config(&o.sec, &c);
	char **m = ctr_masked_paths(&c);
	assert_true(strv_contains(m, "/a"));
	assert_true(strv_contains(m, "/b/c"));
	assert_false(strv_contains(m, "/proc/keys"));
	assert_false(strv_contains(m, "/proc/kcore"));
	assert_true(strv_contains(m, "/proc/timer_list"));
	strv_free(m);
	char **r = ctr_readonly_paths(&c);
	assert_false(strv_contains(r, "/proc/sys"));
	assert_true(strv_contains(r, "/proc/sysrq-trigger"));
	strv_free(r);
	ctr_config_clear(&c);
	assert_int_equal(ctr_parse_security_opt("unmask=ALL", &o, &err), 0);
	ctr_sec_to_config(&o.sec, &c);
	assert_list(ctr_masked_paths(&c), "/a /b/c");
	assert_list(ctr_readonly_paths(&c), "");
	ctr_config_clear(&c);
	/* --privileged: none of podman's, what mask= asks for still */
	struct ctr_config p = {0};
	p.privileged = true;
	strv_append(&p.mask, "/x");
	assert_list(ctr_masked_paths(&p), "/x");
	assert_list(ctr_readonly_paths(&p), "");
	ctr_config_clear(&p);
	static const char *const bad[] = {"mask=", "mask=rel", "mask=/a/../etc", "unmask=", "mask=ALL"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ctr_parse_security_opt(bad[i], &o, &err), -1);
		burrow_err_free(err);
		err = NULL;
	}
	ctr_sec_opts_clear(&o.sec);
}

static void test_nnp_label(void **state)
{
	(void)state;
	struct ctr_create_opts o = {0};
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_parse_security_opt("no-new-privileges=false", &o, &err), 0);
	assert_true(o.sec.new_privileges);
	assert_int_equal(ctr_parse_security_opt("no-new-privileges", &o, &err), 0);
	assert_false(o.sec.new_privileges);
	assert_int_equal(ctr_parse_security_opt("no-new-privileges=0", &o, &err), 0);
	assert_true(o.sec.new_privileges);
	assert_int_equal(ctr_parse_security_opt("no-new-privileges=true", &o, &err), 0);
	assert_false(o.sec.new_privileges);
	static const char *const good[] = {"label=disable", "label=nested", "label=type:spc_t", "label=level:s0:c1"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(ctr_parse_security_opt(good[i], &o, &err), 0);
	static const char *const bad[] = {"no-new-privileges=", "no-new-privileges=yes", "label=", "label=disabled",
	                                  "label=bogus"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ctr_parse_security_opt(bad[i], &o, &err), -1);
		burrow_err_free(err);
		err = NULL;
	}
}

/* the linux.seccomp a profile file gives a container with caps */
static yajl_val gen(const char *profile, const char *const *caps)
{
	yajl_gen g = json_gen_new();
	ctr_seccomp_gen_for(g, profile, caps);
	char *text = json_gen_finish(g);
	yajl_val v = json_parse(text, NULL);
	free(text);
	assert_non_null(v);
	return v;
}

static void test_seccomp_file(void **state)
{
	(void)state;
	static const char profile[] =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1,"
	    " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],"
	    " \"syscalls\": ["
	    "  {\"names\": [\"mkdir\", \"mkdirat\", \"no_such_call\"], \"action\": \"SCMP_ACT_ERRNO\"},"
	    "  {\"name\": \"chmod\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13,"
	    "   \"args\": [{\"index\": 1, \"value\": 18446744073709551615, \"op\": \"SCMP_CMP_GT\"}]},"
	    "  {\"names\": [\"reboot\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"includes\": {\"caps\": "
	    "[\"CAP_SYS_BOOT\"]}},"
	    "  {\"names\": [\"acct\"], \"action\": \"SCMP_ACT_LOG\", \"excludes\": {\"caps\": "
	    "[\"CAP_SYS_PACCT\"]}},"
	    "  {\"names\": [\"future\"], \"action\": \"SCMP_ACT_TRAP\", \"includes\": {\"minKernel\": \"999.0\"}}"
	    " ]}";
	struct ctr_sc_profile *p = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_seccomp_parse(profile, "p.json", &p, &err), 0);
	assert_int_equal(p->default_action, CTR_SC_ALLOW);
	assert_int_equal(p->n_rules, 4); /* minKernel 999.0 does not hold */
	assert_int_equal(p->rules[0].errno_ret, 1 /* EPERM */);
	assert_int_equal(p->rules[1].args[0].value, 18446744073709551615ULL);
	ctr_seccomp_profile_free(p);

	static const char *const caps[] = {"CAP_CHOWN", NULL};
	yajl_val v = gen(profile, caps);
	assert_string_equal(json_get_str(v, "defaultAction"), "SCMP_ACT_ALLOW");
	char **arches = json_get_strv(v, "architectures");
	assert_list(arches, "SCMP_ARCH_X86_64 SCMP_ARCH_X86");
	yajl_val sc = json_get(v, "syscalls");
	/* reboot's rule needs CAP_SYS_BOOT: left out; acct's holds */
	assert_int_equal(sc->u.array.len, 3);
	assert_string_equal(json_get_str(sc->u.array.values[1], "action"), "SCMP_ACT_ERRNO");
	assert_int_equal(json_get_int(sc->u.array.values[1], "errnoRet", 0), 13);
	yajl_val arg = json_get(sc->u.array.values[1], "args")->u.array.values[0];
	assert_string_equal(json_get_str(arg, "op"), "SCMP_CMP_GT");
	assert_string_equal(json_get(arg, "value")->u.number.r, "18446744073709551615");
	assert_string_equal(json_get_str(sc->u.array.values[2], "action"), "SCMP_ACT_LOG");
	yajl_tree_free(v);

	/* archMap: the native architecture and its companions */
	v = gen("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", "
	        "\"subArchitectures\": [\"SCMP_ARCH_X32\"]}, {\"architecture\": \"SCMP_ARCH_AARCH64\"}]}",
	        caps);
	assert_int_equal(json_get_int(v, "defaultErrnoRet", 0), 1);
#if defined(__x86_64__) && !defined(__ILP32__)
	assert_list(json_get_strv(v, "architectures"), "SCMP_ARCH_X86_64 SCMP_ARCH_X32");
#endif
	yajl_tree_free(v);

	static const struct {
		const char *json, *msg;
	} bad[] = {
	    {"{", "seccomp profile 'p.json': invalid JSON"},
	    {"[]", "seccomp profile 'p.json': not a JSON object"},
	    {"{}", "seccomp profile 'p.json': the profile: no defaultAction"},
	    {"{\"defaultAction\": \"SCMP_ACT_MAYBE\"}", "the profile: unknown action 'SCMP_ACT_MAYBE'"},
	    {"{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY is not supported"},
	    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}", "defaultErrnoRet is not an errno"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"]}",
	     "unknown architecture 'SCMP_ARCH_Z80'"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\"], \"archMap\": []}",
	     "both architectures and archMap"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}", "syscalls is not an array"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_ERRNO\"}]}",
	     "syscalls[0]: no names"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"]}]}",
	     "syscalls[0]: no action"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", 3], \"action\": "
	     "\"SCMP_ACT_ERRNO\"}]}",
	     "names holds something that is not a string"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	     "args[0].index is not 0-5"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	     "args[0].value is not an unsigned 64-bit number"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ABOUT\"}]}]}",
	     "unknown operator 'SCMP_CMP_ABOUT'"},
	    {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\", \"includes\": {\"minKernel\": \"new\"}}]}",
	     "minKernel 'new' is not MAJOR.MINOR"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ctr_seccomp_parse(bad[i].json, "p.json", &p, &err), -1);
		assert_null(p);
		if (!strstr(err->msg, bad[i].msg))
			fail_msg("'%s': got '%s'", bad[i].json, err->msg);
		assert_true(strncmp(err->msg, "seccomp profile 'p.json': ", 26) == 0);
		burrow_err_free(err);
		err = NULL;
	}
}

static void test_run_flags(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	char **l = NULL;
	assert_int_equal(ctr_ulimit_add(&l, "nofile=512:1024", &err), 0);
	assert_int_equal(ctr_ulimit_add(&l, "core=unlimited", &err), 0);
	assert_int_equal(ctr_ulimit_add(&l, "nofile=300", &err), 0); /* a later one for the same name wins */
	assert_list(l, "nofile=300:300 core=-1:-1");
	l = NULL;
	static const char *const bad_ulimits[] = {"nofile", "nofiles=1", "nofile=x", "nofile=2:1", "=1", "nofile=1:"};
	for (size_t i = 0; i < sizeof(bad_ulimits) / sizeof(bad_ulimits[0]); i++) {
		assert_int_equal(ctr_ulimit_add(&l, bad_ulimits[i], &err), -1);
		burrow_err_free(err);
		err = NULL;
	}
	assert_null(l);
	assert_int_equal(ctr_ulimit_add(&l, "host", &err), 0);
	assert_true(strv_len(l) >= 10);
	strv_free(l);
	l = NULL;

	bool net = false;
	assert_int_equal(ctr_sysctl_add(&l, "kernel.shmmax=1", &net, &err), 0);
	assert_false(net);
	assert_int_equal(ctr_sysctl_add(&l, "fs.mqueue.msg_max=20", &net, &err), 0);
	assert_int_equal(ctr_sysctl_add(&l, "net.ipv4.ping_group_range=0 0", &net, &err), 0);
	assert_true(net);
	assert_list(l, "kernel.shmmax=1 fs.mqueue.msg_max=20 net.ipv4.ping_group_range=0 0");
	l = NULL;
	static const char *const bad_sysctls[] = {"kernel.hostname=x", "vm.swappiness=1", "net.a/b=1",
	                                          "net..x=1",          "kernel.shmmax",   "=1"};
	for (size_t i = 0; i < sizeof(bad_sysctls) / sizeof(bad_sysctls[0]); i++) {
		assert_int_equal(ctr_sysctl_add(&l, bad_sysctls[i], &net, &err), -1);
		burrow_err_free(err);
		err = NULL;
	}
	assert_null(l);

	char *m = NULL;
	assert_int_equal(ctr_umask_parse("077", &m, &err), 0);
	assert_string_equal(m, "0077");
	assert_int_equal(ctr_umask_parse("0", &m, &err), 0);
	assert_string_equal(m, "0000");
	static const char *const bad_umasks[] = {"", "8", "01000", "0x22", "-1"};
	for (size_t i = 0; i < sizeof(bad_umasks) / sizeof(bad_umasks[0]); i++) {
		assert_int_equal(ctr_umask_parse(bad_umasks[i], &m, &err), -1);
		burrow_err_free(err);
		err = NULL;
	}
	free(m);
	char *tz = NULL;
	static const char *const bad_tz[] = {"", "/etc/passwd", "../../../etc/passwd", "Mars/Olympus"};
	for (size_t i = 0; i < sizeof(bad_tz) / sizeof(bad_tz[0]); i++) {
		assert_int_equal(ctr_tz_parse(bad_tz[i], &tz, &err), -1);
		burrow_err_free(err);
		err = NULL;
	}
	assert_null(tz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cap_names), cmocka_unit_test(test_caps_merge), cmocka_unit_test(test_sec_check),
	    cmocka_unit_test(test_masks),     cmocka_unit_test(test_nnp_label),  cmocka_unit_test(test_seccomp_file),
	    cmocka_unit_test(test_run_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
