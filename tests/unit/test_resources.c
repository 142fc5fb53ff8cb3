/* --device and the resource limits: parsing, checks, and the cgroup v2
 * writer against a fake cgroup directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/record.h"
#include "container/resources.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static void test_parse_ram(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		long long want;
	} good[] = {
	    {"1024", 1024},      {"1b", 1},           {"512k", 512LL << 10}, {"512m", 512LL << 20}, {"2G", 2LL << 30},
	    {"2GiB", 2LL << 30}, {"1kb", 1024},       {"1.5g", 3LL << 29},   {"1t", 1LL << 40},     {"0", 0},
	    {"6m", 6LL << 20},   {"7 MB", 7LL << 20},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		long long v = -7;
		assert_int_equal(ctr_parse_ram(good[i].in, &v), 0);
		assert_int_equal(v, good[i].want);
	}
	static const char *const bad[] = {"", "1x", "-1", "m", "1mm", "1bi", "abc", "1e30g", " 1m", "1.m5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long long v = -7;
		assert_int_equal(ctr_parse_ram(bad[i], &v), -1);
		assert_int_equal(v, -7);
	}
}

/* parse arg for flag into a fresh r: its status */
static int parse_one(enum ctr_res_flag flag, const char *arg, struct ctr_res_opts *r)
{
	struct burrow_err *err = NULL;
	int rc = ctr_res_parse(flag, arg, r, &err);
	burrow_err_free(err);
	return rc;
}

static void test_parse_limits(void **state)
{
	(void)state;
	struct ctr_res_opts r = {0};
	assert_int_equal(parse_one(CTR_RES_MEMORY, "512m", &r), 0);
	assert_int_equal(r.memory, 512LL << 20);
	assert_true(r.limits);
	assert_int_equal(parse_one(CTR_RES_MEMORY, "1k", &r), -1); /* below podman's 6MB */
	assert_int_equal(parse_one(CTR_RES_MEMORY, "1x", &r), -1);
	assert_int_equal(r.memory, 512LL << 20);
	assert_int_equal(parse_one(CTR_RES_MEMORY_SWAP, "-1", &r), 0);
	assert_int_equal(r.memory_swap, -1);
	assert_int_equal(parse_one(CTR_RES_PIDS_LIMIT, "100", &r), 0);
	assert_int_equal(r.pids_limit, 100);
	assert_int_equal(parse_one(CTR_RES_PIDS_LIMIT, "0", &r), 0);
	assert_int_equal(r.pids_limit, -1);
	assert_int_equal(parse_one(CTR_RES_PIDS_LIMIT, "-2", &r), -1);
	assert_int_equal(parse_one(CTR_RES_PIDS_LIMIT, "ten", &r), -1);
	assert_int_equal(parse_one(CTR_RES_CPUS, "0.5", &r), 0);
	assert_int_equal(r.nano_cpus, 500000000);
	assert_int_equal(parse_one(CTR_RES_CPUS, "-1", &r), -1);
	assert_int_equal(parse_one(CTR_RES_CPUS, "1.5x", &r), -1);
	assert_int_equal(parse_one(CTR_RES_CPUS, "100000", &r), -1); /* more than there are */
	assert_int_equal(parse_one(CTR_RES_CPU_SHARES, "512", &r), 0);
	assert_int_equal(parse_one(CTR_RES_CPU_SHARES, "300000", &r), -1);
	assert_int_equal(parse_one(CTR_RES_CPU_QUOTA, "999", &r), -1);
	assert_int_equal(parse_one(CTR_RES_CPU_QUOTA, "-1", &r), 0);
	assert_int_equal(parse_one(CTR_RES_CPU_PERIOD, "999", &r), -1);
	assert_int_equal(parse_one(CTR_RES_CPU_PERIOD, "1000001", &r), -1);
	assert_int_equal(parse_one(CTR_RES_CPU_PERIOD, "50000", &r), 0);
	static const char *const cpusets[] = {"0", "0-3", "0-3,5", "1,2,3"};
	for (size_t i = 0; i < sizeof(cpusets) / sizeof(cpusets[0]); i++)
		assert_int_equal(parse_one(CTR_RES_CPUSET_CPUS, cpusets[i], &r), 0);
	static const char *const bad_cpusets[] = {"", "3-1", "a", "1,", "-1", "0-"};
	for (size_t i = 0; i < sizeof(bad_cpusets) / sizeof(bad_cpusets[0]); i++)
		assert_int_equal(parse_one(CTR_RES_CPUSET_CPUS, bad_cpusets[i], &r), -1);
	assert_string_equal(r.cpuset_cpus, "1,2,3");
	ctr_res_opts_clear(&r);

	static const char *const rules[] = {"c 1:3 rwm", "a *:* m", "b 8:* r"};
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		assert_int_equal(parse_one(CTR_RES_DEVICE_CGROUP_RULE, rules[i], &r), 0);
	static const char *const bad_rules[] = {"x 1:3 rwm", "c 1:3", "c 1:3 rwx", "c 1*:3 r", "c 1:3 r extra"};
	for (size_t i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++)
		assert_int_equal(parse_one(CTR_RES_DEVICE_CGROUP_RULE, bad_rules[i], &r), -1);
	assert_int_equal(strv_len(r.device_rules), 3);
	assert_false(r.limits);
	ctr_res_opts_clear(&r);
}

static void test_check(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	struct ctr_res_opts r = {.memory_swap = 1 << 30};
	assert_int_equal(ctr_res_check(&r, &err), -1); /* swap without memory */
	burrow_err_free(err);
	err = NULL;
	r.memory = 2LL << 30;
	assert_int_equal(ctr_res_check(&r, &err), -1); /* swap below memory */
	burrow_err_free(err);
	err = NULL;
	r.memory_swap = -1;
	assert_int_equal(ctr_res_check(&r, &err), 0);
	r.mem_reserve = 3LL << 30;
	assert_int_equal(ctr_res_check(&r, &err), -1);
	burrow_err_free(err);
	err = NULL;
	r = (struct ctr_res_opts){.nano_cpus = 1000000000, .cpu_period = 50000};
	assert_int_equal(ctr_res_check(&r, &err), -1);
	burrow_err_free(err);
}

static void test_devices(void **state)
{
	(void)state;
	char **l = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_device_add(&l, "/dev/null", &err), 0);
	assert_int_equal(ctr_device_add(&l, "/dev/null:/dev/mynull", &err), 0);
	assert_int_equal(ctr_device_add(&l, "/dev/null:r", &err), 0);
	assert_int_equal(ctr_device_add(&l, "/dev/zero:/dev/z:rw", &err), 0);
	assert_int_equal(strv_len(l), 4);
	assert_string_equal(l[0], "/dev/null:/dev/null:rwm");
	assert_string_equal(l[1], "/dev/null:/dev/mynull:rwm");
	assert_string_equal(l[2], "/dev/null:/dev/null:r");
	assert_string_equal(l[3], "/dev/zero:/dev/z:rw");
	static const char *const bad[] = {
	    "",     "/dev/null:rel", "/dev/null:/dev/x:rwx", "/dev/null:/a:/b:rw", "null", "/dev/null:/dev/../x",
	    "/etc", "/etc/hostname", "/nonexistent",         "/dev/null:rr",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ctr_device_add(&l, bad[i], &err), -1);
		burrow_err_free(err);
		err = NULL;
	}
	assert_int_equal(strv_len(l), 4);
	strv_free(l);
}

/* A fake cgroup directory: the files the kernel would have, empty. */
static char *fake_cgroup(void)
{
	char *dir = xstrdup("/tmp/burrow-cgXXXXXX");
	assert_non_null(mkdtemp(dir));
	static const char *const files[] = {"memory.max", "memory.swap.max", "memory.low", "pids.max",
	                                    "cpu.max",    "cpu.weight",      "cpuset.cpus"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = path_join(dir, files[i]);
		int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		close(fd);
		free(p);
	}
	return dir;
}

static void assert_file(const char *dir, const char *name, const char *want)
{
	char *p = path_join(dir, name);
	char *text = NULL;
	assert_int_equal(read_file(p, &text, NULL, NULL), 0);
	assert_string_equal(text, want);
	free(text);
	free(p);
}

static void drop_fake(char *dir)
{
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(dir, &err), 0);
	free(dir);
}

static void test_cgroup_write(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	char *dir = fake_cgroup();
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct ctr_config c = {.memory = 512LL << 20,
	                       .memory_swap = 1LL << 30,
	                       .mem_reserve = 256LL << 20,
	                       .pids_limit = 100,
	                       .nano_cpus = 1500000000,
	                       .cpu_shares = 1024,
	                       .cpuset_cpus = "0-1"};
	assert_true(ctr_res_any(&c));
	assert_int_equal(ctr_cgroup_write(fd, &c, &err), 0);
	assert_file(dir, "memory.max", "536870912");
	assert_file(dir, "memory.swap.max", "536870912"); /* swap alone: 1g - 512m */
	assert_file(dir, "memory.low", "268435456");
	assert_file(dir, "pids.max", "100");
	assert_file(dir, "cpu.max", "150000 100000");
	assert_file(dir, "cpu.weight", "39"); /* 1024 shares, as crun maps them */
	assert_file(dir, "cpuset.cpus", "0-1");
	close(fd);
	drop_fake(dir);

	/* unlimited ones, a quota of its own; what is not asked is not written */
	dir = fake_cgroup();
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	c = (struct ctr_config){
	    .memory = 64LL << 20, .memory_swap = -1, .pids_limit = -1, .cpu_quota = 20000, .cpu_period = 50000};
	assert_int_equal(ctr_cgroup_write(fd, &c, &err), 0);
	assert_file(dir, "memory.max", "67108864");
	assert_file(dir, "memory.swap.max", "max");
	assert_file(dir, "pids.max", "max");
	assert_file(dir, "cpu.max", "20000 50000");
	assert_file(dir, "memory.low", "");
	assert_file(dir, "cpu.weight", "");
	assert_file(dir, "cpuset.cpus", "");
	/* a period alone: no quota */
	c = (struct ctr_config){.cpu_period = 20000};
	assert_int_equal(ctr_cgroup_write(fd, &c, &err), 0);
	assert_file(dir, "cpu.max", "max 20000");
	close(fd);
	drop_fake(dir);

	c = (struct ctr_config){.pids_limit = -1};
	assert_false(ctr_res_any(&c));
	/* a file the kernel lacks (no controller) fails, naming it */
	dir = xstrdup("/tmp/burrow-cgXXXXXX");
	assert_non_null(mkdtemp(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	c = (struct ctr_config){.pids_limit = 5};
	assert_int_equal(ctr_cgroup_write(fd, &c, &err), -1);
	assert_non_null(strstr(err->msg, "pids.max"));
	burrow_err_free(err);
	close(fd);
	drop_fake(dir);
}

/* The base is found in a hierarchy mounted anywhere, not only at
 * /sys/fs/cgroup: here a fake one in /tmp. */
static void test_cgroup_base_in(void **state)
{
	(void)state;
	char *mnt = xstrdup("/tmp/burrow-cgmntXXXXXX");
	assert_non_null(mkdtemp(mnt));
	char *user = path_join(mnt, "user.slice");
	char *own = path_join(user, "session.scope");
	struct burrow_err *err = NULL;
	assert_int_equal(mkdir_p(own, 0755, &err), 0);
	char *ctl = path_join(user, "cgroup.subtree_control");
	assert_int_equal(write_file_atomic(ctl, "cpu memory pids\n", 16, 0644, &err), 0);
	char *root_ctl = path_join(mnt, "cgroup.controllers");
	assert_int_equal(write_file_atomic(root_ctl, "cpuset cpu memory pids\n", 23, 0644, &err), 0);
	const char *why = "unset";
	struct ctr_config c = {.memory = 64LL << 20, .pids_limit = 10};
	char *base = ctr_cgroup_base_in(mnt, own, &c, &why);
	assert_non_null(base);
	assert_string_equal(base, user);
	assert_null(why);
	free(base);
	/* a controller that is not delegated */
	c = (struct ctr_config){.cpuset_cpus = "0"};
	assert_null(ctr_cgroup_base_in(mnt, own, &c, &why));
	assert_non_null(strstr(why, "controllers they need are not delegated"));
	/* the caller's cgroup just below the root: the root is not the user's */
	c = (struct ctr_config){.memory = 64LL << 20};
	assert_null(ctr_cgroup_base_in(mnt, user, &c, &why));
	assert_non_null(strstr(why, "no cgroup v2 of yours"));
	/* a cgroup outside the hierarchy */
	assert_null(ctr_cgroup_base_in("/sys/fs/cgroup", own, &c, &why));
	/* a hybrid host: the controllers are v1's, the hierarchy lacks them */
	assert_int_equal(write_file_atomic(root_ctl, "", 0, 0644, &err), 0);
	assert_null(ctr_cgroup_base_in(mnt, own, &c, &why));
	assert_non_null(strstr(why, "cgroups V1"));
	free(root_ctl);
	/* no cgroup2 mount at all */
	assert_null(ctr_cgroup_base_in(NULL, NULL, &c, &why));
	assert_non_null(strstr(why, "cgroups V1"));
	free(ctl);
	free(own);
	free(user);
	drop_fake(mnt);
}

static void test_update(void **state)
{
	(void)state;
	struct burrow_err *err = NULL;
	struct ctr_config c = {.memory = 64LL << 20, .nano_cpus = 1000000000, .pids_limit = 10};
	struct ctr_res_opts r = {.memory = 128LL << 20, .cpu_quota = 50000};
	assert_int_equal(ctr_res_update(&c, &r, 0, &err), 0);
	assert_int_equal(c.memory, 128LL << 20);
	assert_int_equal(c.pids_limit, 10); /* not given: kept */
	assert_int_equal(c.nano_cpus, 0);   /* a quota replaces --cpus */
	assert_int_equal(c.cpu_quota, 50000);
	r = (struct ctr_res_opts){.mem_reserve = 1LL << 30, .cpuset_cpus = "1"};
	assert_int_equal(ctr_res_update(&c, &r, 0, &err), -1); /* above the memory limit */
	burrow_err_free(err);
	free(c.cpuset_cpus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ram),      cmocka_unit_test(test_parse_limits), cmocka_unit_test(test_check),
	    cmocka_unit_test(test_devices),        cmocka_unit_test(test_cgroup_write), cmocka_unit_test(test_update),
	    cmocka_unit_test(test_cgroup_base_in),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
