/* Unit tests: runtime/'s config.json parser, mount option parsing, exit
 * codes, and path resolution inside a rootfs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"

#define NS_MIN "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}"

static const char full_spec[] =
    "{\n"
    "  \"ociVersion\": \"1.0.2\",\n"
    "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
    "  \"hostname\": \"web1\",\n"
    "  \"process\": {\n"
    "    \"terminal\": true,\n"
    "    \"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [10, 20]},\n"
    "    \"args\": [\"sh\", \"-c\", \"echo hi\"],\n"
    "    \"env\": [\"PATH=/bin\", \"A=b\"],\n"
    "    \"cwd\": \"/srv\",\n"
    "    \"capabilities\": {\n"
    "      \"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\", \"CAP_NET_RAW\"],\n"
    "      \"effective\": [\"CAP_KILL\"],\n"
    "      \"permitted\": [\"CAP_KILL\", \"cap_net_raw\"],\n"
    "      \"inheritable\": [],\n"
    "      \"ambient\": [\"CAP_KILL\"]\n"
    "    },\n"
    "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": 4096},\n"
    "                {\"type\": \"RLIMIT_CORE\", \"soft\": 18446744073709551615,\n"
    "                 \"hard\": 18446744073709551615}],\n"
    "    \"noNewPrivileges\": true,\n"
    "    \"oomScoreAdj\": -500\n"
    "  },\n"
    "  \"mounts\": [\n"
    "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
    "    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
    "     \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"]},\n"
    "    {\"destination\": \"/etc/hosts\", \"type\": \"bind\", \"source\": \"hosts\",\n"
    "     \"options\": [\"rbind\", \"rprivate\", \"nosuid\", \"nodev\", \"ro\", \"z\"]},\n"
    "    {\"destination\": \"/data\", \"source\": \"/srv/data\", \"options\": [\"bind\", \"rw\"]},\n"
    "    {\"destination\": \"/vol\", \"type\": \"none\", \"source\": \"/v\", \"options\": []}\n"
    "  ],\n"
    "  \"linux\": {\n"
    "    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"},\n"
    "                     {\"type\": \"network\", \"path\": \"/proc/42/ns/net\"}, {\"type\": \"ipc\"}],\n"
    "    \"maskedPaths\": [\"/proc/kcore\", \"/sys/firmware\"],\n"
    "    \"readonlyPaths\": [\"/proc/sys\"],\n"
    "    \"rootfsPropagation\": \"rslave\",\n"
    "    \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},\n"
    "    \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229}]\n"
    "  }\n"
    "}\n";

static struct rt_spec *parse_ok(const char *json)
{
	struct rt_spec *s = NULL;
	struct burrow_err *err = NULL;
	int r = rt_spec_parse(json, "/b", &s, &err);
	if (r < 0)
		fail_msg("unexpected error: %s", err->msg);
	assert_non_null(s);
	return s;
}

/* Parses json, expects a failure whose message contains want. */
static void parse_fails(const char *json, const char *want)
{
	struct rt_spec *s = NULL;
	cleanup_err struct burrow_err *err = NULL;
	assert_int_equal(rt_spec_parse(json, "/b", &s, &err), -1);
	assert_null(s);
	assert_non_null(err);
	if (!strstr(err->msg, want))
		fail_msg("error '%s' does not contain '%s'", err->msg, want);
}

static void test_full_spec(void **state)
{
	(void)state;
	struct rt_spec *s = parse_ok(full_spec);
	assert_string_equal(s->bundle, "/b");
	assert_string_equal(s->root_path, "/b/rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "web1");
	assert_true(s->terminal);
	assert_int_equal(s->uid, 1000);
	assert_int_equal(s->gid, 100);
	assert_true(s->has_umask);
	assert_int_equal(s->umask, 022);
	assert_int_equal(s->n_additional_gids, 2);
	assert_int_equal(s->additional_gids[0], 10);
	assert_int_equal(s->additional_gids[1], 20);
	assert_int_equal(strv_len(s->args), 3);
	assert_string_equal(s->args[2], "echo hi");
	assert_int_equal(strv_len(s->env), 2);
	assert_string_equal(s->env[1], "A=b");
	assert_string_equal(s->cwd, "/srv");

	assert_true(s->has_caps);
	/* CAP_CHOWN 0, CAP_KILL 5, CAP_NET_RAW 13 */
	assert_int_equal(s->cap_bounding, (1ULL << 0) | (1ULL << 5) | (1ULL << 13));
	assert_int_equal(s->cap_effective, 1ULL << 5);
	assert_int_equal(s->cap_permitted, (1ULL << 5) | (1ULL << 13));
	assert_int_equal(s->cap_inheritable, 0);
	assert_int_equal(s->cap_ambient, 1ULL << 5);

	assert_int_equal(s->n_rlimits, 2);
	assert_int_equal(s->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s->rlimits[0].soft, 1024);
	assert_int_equal(s->rlimits[0].hard, 4096);
	assert_int_equal(s->rlimits[1].resource, RLIMIT_CORE);
	assert_true(s->rlimits[1].soft == ULLONG_MAX);
	assert_true(s->rlimits[1].hard == ULLONG_MAX);
	assert_true(s->no_new_privileges);
	assert_true(s->has_oom_score_adj);
	assert_int_equal(s->oom_score_adj, -500);

	assert_int_equal(s->n_mounts, 5);
	assert_string_equal(s->mounts[0].destination, "/proc");
	assert_string_equal(s->mounts[0].type, "proc");
	assert_string_equal(s->mounts[0].source, "proc");
	assert_int_equal(s->mounts[0].flags, 0);
	assert_null(s->mounts[0].data);
	assert_string_equal(s->mounts[1].type, "devpts");
	assert_int_equal(s->mounts[1].flags, MS_NOSUID | MS_NOEXEC);
	assert_string_equal(s->mounts[1].data, "newinstance,ptmxmode=0666,mode=0620");
	/* a bind: no type, source anchored at the bundle, z ignored */
	assert_null(s->mounts[2].type);
	assert_string_equal(s->mounts[2].source, "/b/hosts");
	assert_int_equal(s->mounts[2].flags, MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_RDONLY);
	assert_int_equal(s->mounts[2].propagation, MS_PRIVATE | MS_REC);
	assert_null(s->mounts[2].data);
	/* no type, "bind" option: not recursive */
	assert_null(s->mounts[3].type);
	assert_string_equal(s->mounts[3].source, "/srv/data");
	assert_int_equal(s->mounts[3].flags, MS_BIND);
	/* type "none" without options is a recursive bind */
	assert_int_equal(s->mounts[4].flags, MS_BIND | MS_REC);

	assert_int_equal(s->n_namespaces, 5);
	assert_int_equal(s->clone_flags, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC);
	assert_int_equal(s->namespaces[3].flag, CLONE_NEWNET);
	assert_string_equal(s->namespaces[3].path, "/proc/42/ns/net");
	assert_null(s->namespaces[0].path);
	assert_int_equal(strv_len(s->masked_paths), 2);
	assert_string_equal(s->masked_paths[1], "/sys/firmware");
	assert_int_equal(strv_len(s->readonly_paths), 1);
	assert_int_equal(s->rootfs_propagation, MS_SLAVE | MS_REC);
	assert_int_equal(strv_len(s->sysctl), 2);
	assert_string_equal(s->sysctl[0], "net.ipv4.ip_forward");
	assert_string_equal(s->sysctl[1], "1");
	assert_int_equal(strv_len(s->devices), 1);
	assert_string_equal(s->devices[0], "/dev/fuse");
	rt_spec_free(s);
}

static void test_minimal_spec_defaults(void **state)
{
	(void)state;
	struct rt_spec *s =
	    parse_ok("{\"root\": {\"path\": \"/abs/root\"}, \"process\": {\"args\": [\"true\"]}, " NS_MIN "}");
	assert_string_equal(s->root_path, "/abs/root");
	assert_false(s->root_readonly);
	assert_null(s->hostname);
	assert_false(s->terminal);
	assert_non_null(s->env);
	assert_null(s->env[0]);
	assert_string_equal(s->cwd, "/");
	assert_int_equal(s->uid, 0);
	assert_int_equal(s->gid, 0);
	assert_false(s->has_umask);
	assert_false(s->has_caps);
	assert_false(s->no_new_privileges);
	assert_int_equal(s->n_mounts, 0);
	assert_int_equal(s->n_rlimits, 0);
	assert_int_equal(s->clone_flags, CLONE_NEWNS);
	assert_int_equal(s->rootfs_propagation, MS_PRIVATE | MS_REC);
	assert_non_null(s->masked_paths);
	assert_null(s->masked_paths[0]);
	assert_non_null(s->readonly_paths);
	assert_non_null(s->sysctl);
	assert_non_null(s->devices);
	rt_spec_free(s);
}

#define WITH_PROCESS(p) "{\"root\": {\"path\": \"r\"}, \"process\": " p ", " NS_MIN "}"

static void test_bad_specs(void **state)
{
	(void)state;
	parse_fails("{\"root\": ", "invalid JSON");
	parse_fails("[1, 2]", "not a JSON object");
	parse_fails("{\"process\": {\"args\": [\"x\"]}, " NS_MIN "}", "root.path: missing");
	parse_fails("{\"root\": {\"path\": \"r\"}, " NS_MIN "}", "process: missing");
	parse_fails(WITH_PROCESS("{\"args\": []}"), "process.args: missing or empty");
	parse_fails(WITH_PROCESS("{\"args\": [\"\"]}"), "process.args: empty command");
	parse_fails(WITH_PROCESS("{\"args\": [1]}"), "process.args: not a string");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"cwd\": \"rel\"}"),
	            "process.cwd: 'rel' is not an absolute path");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"user\": {\"uid\": -1}}"), "process.user.uid");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"user\": {\"uid\": 0, \"username\": \"bob\"}}"),
	            "only numeric IDs");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"user\": {\"additionalGids\": [\"wheel\"]}}"),
	            "additionalGids: not a group ID");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"capabilities\": {\"bounding\": [\"CAP_NOPE\"]}}"),
	            "process.capabilities.bounding: unknown capability 'CAP_NOPE'");
	/* libcap would read these as CAP_CHOWN (0): they must not slip in */
	parse_fails(
	    WITH_PROCESS("{\"args\": [\"x\"], \"capabilities\": {\"effective\": [\"CAP_KILL,CAP_SYS_ADMIN\"]}}"),
	    "unknown capability 'CAP_KILL,CAP_SYS_ADMIN'");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"capabilities\": {\"effective\": [\"21\"]}}"),
	            "unknown capability '21'");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"capabilities\": {\"effective\": \"CAP_KILL\"}}"),
	            "process.capabilities.effective: not an array");
	parse_fails(
	    WITH_PROCESS("{\"args\": [\"x\"], \"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, \"hard\": 1}]}"),
	    "process.rlimits: unknown type 'RLIMIT_BOGUS'");
	parse_fails(
	    WITH_PROCESS("{\"args\": [\"x\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 9, \"hard\": 1}]}"),
	    "soft limit is above the hard limit");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}]}"),
	            "process.rlimits.hard: missing");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": -1, "
	                         "\"hard\": 1}]}"),
	            "process.rlimits.soft: not an integer in range");
	parse_fails(WITH_PROCESS("{\"args\": [\"x\"], \"oomScoreAdj\": 2000}"), "process.oomScoreAdj");

	const char *proc = "\"process\": {\"args\": [\"x\"]}";
	char buf[1024];
#define LINUX(l) (snprintf(buf, sizeof(buf), "{\"root\": {\"path\": \"r\"}, %s, \"linux\": %s}", proc, l), buf)
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"pid\"}]}"), "a new mount namespace is required");
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}]}"),
	            "a user namespace needs uidMappings and gidMappings");
	parse_fails(
	    LINUX("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}]}"),
	    "joining a user namespace is not supported");
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\"}], \"uidMappings\": [{\"containerID\": 0, "
	                  "\"hostID\": 1, \"size\": 1}]}"),
	            "needs a new user namespace");
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}], \"uidMappings\": "
	                  "[{\"containerID\": 0, \"hostID\": 1, \"size\": 0}], \"gidMappings\": []}"),
	            "linux.uidMappings: mapping 0 is empty or out of range");
	{
		struct rt_spec *us = NULL;
		cleanup_err struct burrow_err *uerr = NULL;
		assert_int_equal(
		    rt_spec_parse(LINUX("{\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"mount\"}], "
		                        "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1000}, "
		                        "{\"containerID\": 1000, \"hostID\": 0, \"size\": 1}], \"gidMappings\": "
		                        "[{\"containerID\": 0, \"hostID\": 0, \"size\": 1}]}"),
		                  "/b", &us, &uerr),
		    0);
		assert_true(us->clone_flags & CLONE_NEWUSER);
		assert_string_equal(us->uid_map, "0 1 1000\n1000 0 1\n");
		assert_string_equal(us->gid_map, "0 0 1\n");
		rt_spec_free(us);
	}
	{
		/* a pid namespace to join: rt_create joins it for the clone */
		struct rt_spec *ps = parse_ok(LINUX(
		    "{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}]}"));
		assert_false(ps->clone_flags & CLONE_NEWPID);
		assert_int_equal(ps->n_namespaces, 2);
		assert_int_equal(ps->namespaces[1].flag, CLONE_NEWPID);
		assert_string_equal(ps->namespaces[1].path, "/proc/1/ns/pid");
		rt_spec_free(ps);
	}
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\", \"path\": \"/proc/1/ns/mnt\"}]}"),
	            "joining a mount namespace is not supported");
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"mount\"}]}"),
	            "'mount' is listed twice");
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"net\"}]}"), "unknown type 'net'");
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"network\", \"path\": \"ns/net\"}]}"),
	            "path 'ns/net' is not absolute");
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\"}], \"rootfsPropagation\": \"sideways\"}"),
	            "linux.rootfsPropagation: unknown value 'sideways'");
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\"}], \"sysctl\": {\"../../etc\": \"1\"}}"),
	            "linux.sysctl: invalid key");
	parse_fails(LINUX("{\"namespaces\": [{\"type\": \"mount\"}], \"devices\": [{\"path\": \"/etc/passwd\"}]}"),
	            "linux.devices: path '/etc/passwd' is not under /dev");
	parse_fails("{\"root\": {\"path\": \"r\"}, \"hostname\": \"h\", \"process\": {\"args\": [\"x\"]}, " NS_MIN "}",
	            "hostname: needs a new uts namespace");

#define MOUNTS(m) "{\"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"x\"]}, \"mounts\": " m ", " NS_MIN "}"
	parse_fails(MOUNTS("[{\"destination\": \"rel\", \"type\": \"tmpfs\"}]"),
	            "mounts[0].destination: missing or not an absolute path");
	parse_fails(MOUNTS("[{\"destination\": \"/x\", \"source\": \"/y\"}]"),
	            "mount '/x': no type and not a bind mount");
	parse_fails(MOUNTS("[{\"destination\": \"/x\", \"type\": \"bind\"}]"),
	            "mount '/x': bind mount without a source");
	parse_fails(MOUNTS("{}"), "mounts: not an array");
}

static void test_mount_options(void **state)
{
	(void)state;
	unsigned long flags, prop;
	char *data = NULL;
	char *o1[] = {"ro",        "nosuid",   "nodev",     "noexec",      "rw", "x-burrow.foo",
	              "tmpcopyup", "size=64k", "mode=1777", "runbindable", NULL};
	rt_parse_mount_options(o1, &flags, &prop, &data);
	assert_int_equal(flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	assert_int_equal(prop, MS_UNBINDABLE | MS_REC);
	assert_string_equal(data, "size=64k,mode=1777");
	free(data);

	char *o2[] = {"rbind", "suid", "nosuid", "exec", "noatime", "strictatime", "nostrictatime", "sync", NULL};
	rt_parse_mount_options(o2, &flags, &prop, &data);
	assert_int_equal(flags, MS_BIND | MS_REC | MS_NOSUID | MS_NOATIME | MS_SYNCHRONOUS);
	assert_int_equal(prop, 0);
	assert_null(data);

	rt_parse_mount_options(NULL, &flags, &prop, &data);
	assert_int_equal(flags, 0);
	assert_int_equal(prop, 0);
	assert_null(data);

	assert_int_equal(rt_parse_propagation("rshared", &prop), 0);
	assert_int_equal(prop, MS_SHARED | MS_REC);
	assert_int_equal(rt_parse_propagation("slave", &prop), 0);
	assert_int_equal(prop, MS_SLAVE);
	assert_int_equal(rt_parse_propagation("bogus", &prop), -1);
}

static void test_cap_names(void **state)
{
	(void)state;
	int v = -1;
	assert_int_equal(rt_cap_from_name("CAP_SYS_ADMIN", &v), 0);
	assert_int_equal(v, 21);
	assert_int_equal(rt_cap_from_name("cap_chown", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rt_cap_from_name("CAP_", &v), -1);
	assert_int_equal(rt_cap_from_name("SYS_ADMIN", &v), -1);
	assert_int_equal(rt_cap_from_name("CAP_SYS_ADMIN ", &v), -1);
	assert_int_equal(rt_cap_from_name("CAP_CHOWN+ep", &v), -1);
	assert_int_equal(rt_cap_from_name("", &v), -1);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(rt_exit_code(0), 0);
	assert_int_equal(rt_exit_code(42 << 8), 42);
	assert_int_equal(rt_exit_code(255 << 8), 255);
	assert_int_equal(rt_exit_code(SIGKILL), 128 + 9);
	assert_int_equal(rt_exit_code(SIGTERM | 0x80), 128 + 15); /* core dumped */

	struct burrow_err *err = NULL;
	burrow_error(&err, ENOENT, "cannot execute 'x'");
	assert_int_equal(rt_exec_exit_code(err), 127);
	err->status = EACCES;
	assert_int_equal(rt_exec_exit_code(err), 126);
	err->status = ENOEXEC;
	assert_int_equal(rt_exec_exit_code(err), 126);
	burrow_err_free(err);
}

static void test_spec_load(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test_runtime.XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	cleanup_free char *cfg = path_join(dir, "config.json");
	struct burrow_err *err = NULL;
	struct rt_spec *s = NULL;
	/* missing file: the path is named */
	assert_int_equal(rt_spec_load(dir, &s, &err), -1);
	assert_non_null(strstr(err->msg, "config.json"));
	burrow_err_free(err);
	err = NULL;

	assert_int_equal(write_file(cfg, full_spec, strlen(full_spec), 0644, &err), 0);
	assert_int_equal(rt_spec_load(dir, &s, &err), 0);
	assert_string_equal(s->bundle, dir);
	cleanup_free char *root = path_join(dir, "rootfs");
	assert_string_equal(s->root_path, root);
	rt_spec_free(s);

	/* a relative bundle is made absolute */
	cleanup_free char *cwd = getcwd(NULL, 0);
	assert_int_equal(chdir("/tmp"), 0);
	assert_int_equal(rt_spec_load(dir + strlen("/tmp/"), &s, &err), 0);
	assert_string_equal(s->root_path, root);
	rt_spec_free(s);

	/* a syntax error names the file */
	assert_int_equal(write_file(cfg, "{", 1, 0644, &err), 0);
	assert_int_equal(rt_spec_load(dir, &s, &err), -1);
	assert_non_null(strstr(err->msg, cfg));
	assert_non_null(strstr(err->msg, "invalid JSON"));
	burrow_err_free(err);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rm_rf(dir, NULL), 0);
}

/* rt_mkpath_in_root: creating mount targets never leaves the rootfs,
 * whatever symlinks the image holds. */
static void test_mkpath_in_root(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test_runtime.XXXXXX";
	char *top = mkdtemp(tmpl);
	assert_non_null(top);
	cleanup_free char *root = path_join(top, "root");
	cleanup_free char *outside = path_join(top, "outside");
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(outside, 0755), 0);
	cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(rootfd >= 0);
	cleanup_free char *etc = path_join(root, "etc");
	cleanup_free char *mnt = path_join(root, "mnt");
	cleanup_free char *loop = path_join(root, "loop");
	assert_int_equal(symlink(outside, etc), 0);               /* absolute, to the host */
	assert_int_equal(symlink("../../../../outside", mnt), 0); /* relative, climbing out */
	assert_int_equal(symlink("loop", loop), 0);

	struct burrow_err *err = NULL;
	int fd = rt_mkpath_in_root(rootfd, "/etc/hosts", false, &err);
	assert_true(fd >= 0);
	close(fd);
	fd = rt_mkpath_in_root(rootfd, "/mnt/a/b", true, &err);
	assert_true(fd >= 0);
	close(fd);
	fd = rt_mkpath_in_root(rootfd, "/plain/dir/", true, &err);
	assert_true(fd >= 0);
	close(fd);

	/* nothing outside; the files are where the links lead from the root */
	struct stat st;
	cleanup_free char *host_hosts = path_join(outside, "hosts");
	assert_int_equal(stat(host_hosts, &st), -1);
	cleanup_free char *in_hosts = xasprintf("%s%s/hosts", root, outside);
	assert_int_equal(stat(in_hosts, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	cleanup_free char *in_b = xasprintf("%s/outside/a/b", root);
	assert_int_equal(stat(in_b, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	cleanup_free char *top_outside = xasprintf("%s/a", outside);
	assert_int_equal(stat(top_outside, &st), -1);
	cleanup_free char *plain = xasprintf("%s/plain/dir", root);
	assert_int_equal(stat(plain, &st), 0);

	/* existing targets are opened, not recreated */
	fd = rt_mkpath_in_root(rootfd, "/etc/hosts", false, &err);
	assert_true(fd >= 0);
	close(fd);
	fd = rt_open_in_root(rootfd, "/../../etc/hosts", O_PATH);
	assert_true(fd >= 0);
	close(fd);

	/* a symlink loop is an error, not a hang */
	assert_int_equal(rt_mkpath_in_root(rootfd, "/loop/x", true, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "cannot resolve '/loop"));
	burrow_err_free(err);
	assert_int_equal(rm_rf(top, NULL), 0);
}

#define SECCOMP_SPEC(sc)                                                                               \
	"{\"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"x\"]}, \"linux\": {\"namespaces\": " \
	"[{\"type\": \"mount\"}], \"seccomp\": " sc "}}"

static const char seccomp_filter[] =
    SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", "
                 "\"SCMP_ARCH_AARCH64\"], \"syscalls\": ["
                 "{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
                 "{\"names\": [\"getpriority\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
                 "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
                 "{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]},"
                 "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
                 "{\"index\": 0, \"value\": 4294967295, \"valueTwo\": 8, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
                 "{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                 "{\"names\": [\"not_a_syscall\"], \"action\": \"SCMP_ACT_KILL\"}]}");

static void test_seccomp_parse(void **state)
{
	(void)state;
	struct rt_spec *s = parse_ok(seccomp_filter);
	assert_non_null(s->seccomp);
	assert_int_equal(s->seccomp->default_action, SCMP_ACT_ALLOW);
	assert_int_equal(s->seccomp->n_arches, 2);
	assert_int_equal(s->seccomp->arches[0], SCMP_ARCH_X86_64);
	assert_int_equal(s->seccomp->arches[1], SCMP_ARCH_AARCH64);
	assert_int_equal(s->seccomp->n_rules, 5);
	assert_int_equal(s->seccomp->rules[0].action, SCMP_ACT_ERRNO(13));
	assert_int_equal(strv_len(s->seccomp->rules[0].names), 2);
	assert_int_equal(s->seccomp->rules[1].action, SCMP_ACT_ERRNO(EPERM));
	assert_int_equal(s->seccomp->rules[1].n_args, 2);
	assert_int_equal(s->seccomp->rules[1].args[1].value, 2);
	assert_int_equal(s->seccomp->rules[1].args[1].op, SCMP_CMP_EQ);
	assert_true(s->seccomp->rules[2].args[0].value == 4294967295ULL);
	assert_int_equal(s->seccomp->rules[2].args[0].value_two, 8);
	assert_int_equal(s->seccomp->rules[2].args[0].op, SCMP_CMP_MASKED_EQ);
	assert_int_equal(s->seccomp->rules[4].action, SCMP_ACT_KILL_THREAD);
	rt_spec_free(s);

	s = parse_ok(SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38}"));
	assert_int_equal(s->seccomp->default_action, SCMP_ACT_ERRNO(38));
	assert_int_equal(s->seccomp->n_rules, 0);
	rt_spec_free(s);

	parse_fails(SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}"), "unsupported action 'SCMP_ACT_NOTIFY'");
	parse_fails(SECCOMP_SPEC("{}"), "unsupported action ''");
	parse_fails(SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"]}"),
	            "unknown architecture 'SCMP_ARCH_VAX'");
	parse_fails(SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
	                         "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1, "
	                         "\"op\": \"SCMP_CMP_EQ\"}]}]}"),
	            "linux.seccomp.args.index: not an integer in range");
	parse_fails(SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
	                         "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, "
	                         "\"op\": \"SCMP_CMP_SORTA\"}]}]}"),
	            "unknown operator 'SCMP_CMP_SORTA'");
	parse_fails(SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": "
	                         "\"SCMP_ACT_ERRNO\"}]}"),
	            "linux.seccomp.syscalls[0]: no names");
	parse_fails(SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 70000}"),
	            "defaultErrnoRet out of range");
}

/* The filter built from the parsed spec does what it says once loaded
 * (in a child, with no_new_privs so no privilege is needed). */
static void test_seccomp_build_and_load(void **state)
{
	(void)state;
	struct rt_spec *s = parse_ok(seccomp_filter);
	struct burrow_err *err = NULL;
	struct rt_bpf bpf;
	if (rt_seccomp_compile(s->seccomp, NULL, &bpf, &err) < 0)
		fail_msg("build failed: %s", err->msg);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || rt_seccomp_load(&bpf, NULL) < 0)
			_exit(10);
		errno = 0;
		if (mkdir("/nonexistent-dir/x", 0755) == 0 || errno != EACCES)
			_exit(11);
		errno = 0;
		if (getpriority(1, 0) != -1 || errno != EPERM) /* which 1: PRIO_PGRP */
			_exit(12);
		errno = 0;
		if (getpriority(2, 0) != -1 || errno != EPERM) /* which 2: PRIO_USER */
			_exit(13);
		errno = 0;
		if (getpriority(0, 0) == -1 && errno != 0) /* PRIO_PROCESS is allowed */
			_exit(14);
		_exit(0);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	rt_bpf_clear(&bpf);
	rt_spec_free(s);

	/* a default action libseccomp refuses */
	struct rt_seccomp bad = {.default_action = 0x12345678};
	assert_null(rt_seccomp_build(&bad, &err));
	assert_non_null(strstr(err->msg, "cannot set up the seccomp filter"));
	burrow_err_free(err);
}

/* The one file in dir (the cache holds one filter here). */
static char *only_file(const char *dir)
{
	cleanup_dir DIR *d = opendir(dir);
	assert_non_null(d);
	char *name = NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		assert_null(name);
		name = path_join(dir, de->d_name);
	}
	assert_non_null(name);
	return name;
}

static bool same_bpf(const struct rt_bpf *a, const struct rt_bpf *b)
{
	return a->len == b->len && memcmp(a->insns, b->insns, a->len * 8) == 0;
}

/* Rewrites a cache file's program as prog (len instructions) with a
 * checksum that matches, i.e. a file that passes every check. */
static void plant_program(const char *file, const void *prog, size_t len)
{
	cleanup_free char *text = NULL;
	size_t size = 0;
	assert_int_equal(read_file(file, &text, &size, NULL), 0);
	uint32_t clen;
	memcpy(&clen, text + 8, 4);
	size_t nsize = 24 + clen + len * 8;
	cleanup_free unsigned char *buf = xmalloc(nsize);
	memcpy(buf, text, 24 + clen);
	uint32_t n = (uint32_t)len;
	memcpy(buf + 12, &n, 4);
	memcpy(buf + 24 + clen, prog, len * 8);
	uint64_t h = rt_seccomp_checksum(buf + 24, clen, buf + 24 + clen, len);
	memcpy(buf + 16, &h, 8);
	assert_int_equal(write_file(file, buf, nsize, 0600, NULL), 0);
}

/* A compiled filter is cached (0700 directory, 0600 file), used when it
 * holds this filter intact, and compiled afresh (and replaced) when it is
 * damaged, another's, or open to others. */
static void test_seccomp_cache(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-unit-sc.XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *cache = path_join(dir, "seccomp");
	struct rt_spec *s = parse_ok(seccomp_filter);
	struct rt_bpf fresh, a, b;
	assert_int_equal(rt_seccomp_compile(s->seccomp, NULL, &fresh, NULL), 0);
	assert_int_equal(rt_seccomp_compile(s->seccomp, cache, &a, NULL), 0);
	assert_true(same_bpf(&a, &fresh));
	struct stat st;
	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	cleanup_free char *file = only_file(cache);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* an intact file is what gets loaded: plant another program */
	static const unsigned char allow_all[8] = {0x06, 0, 0, 0, 0, 0, 0xff, 0x7f}; /* ret ALLOW */
	plant_program(file, allow_all, 1);
	assert_int_equal(rt_seccomp_compile(s->seccomp, cache, &b, NULL), 0);
	assert_int_equal(b.len, 1);
	rt_bpf_clear(&b);

	/* one byte damaged: compiled afresh, the file replaced */
	cleanup_free char *text = NULL;
	size_t size = 0;
	assert_int_equal(read_file(file, &text, &size, NULL), 0);
	text[size - 3] ^= 0x40;
	assert_int_equal(write_file(file, text, size, 0600, NULL), 0);
	assert_int_equal(rt_seccomp_compile(s->seccomp, cache, &b, NULL), 0);
	assert_true(same_bpf(&b, &fresh));
	rt_bpf_clear(&b);
	plant_program(file, allow_all, 1);
	assert_int_equal(truncate(file, 30), 0); /* cut short */
	assert_int_equal(rt_seccomp_compile(s->seccomp, cache, &b, NULL), 0);
	assert_true(same_bpf(&b, &fresh));
	rt_bpf_clear(&b);

	/* a file others may write, or a cache directory they may write, is
	 * not trusted */
	plant_program(file, allow_all, 1);
	assert_int_equal(chmod(file, 0620), 0);
	assert_int_equal(rt_seccomp_compile(s->seccomp, cache, &b, NULL), 0);
	assert_true(same_bpf(&b, &fresh));
	rt_bpf_clear(&b);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600); /* replaced */
	plant_program(file, allow_all, 1);
	assert_int_equal(chmod(cache, 0777), 0);
	assert_int_equal(rt_seccomp_compile(s->seccomp, cache, &b, NULL), 0);
	assert_true(same_bpf(&b, &fresh));
	rt_bpf_clear(&b);
	assert_int_equal(chmod(cache, 0700), 0);

	/* the same file name with another filter's text in it is not ours */
	plant_program(file, allow_all, 1);
	cleanup_free char *t2 = NULL;
	assert_int_equal(read_file(file, &t2, &size, NULL), 0);
	t2[30] ^= 1; /* inside the canonical text; then a matching checksum */
	uint32_t clen;
	memcpy(&clen, t2 + 8, 4);
	uint64_t h = rt_seccomp_checksum(t2 + 24, clen, t2 + 24 + clen, (size - 24 - clen) / 8);
	memcpy(t2 + 16, &h, 8);
	assert_int_equal(write_file(file, t2, size, 0600, NULL), 0);
	assert_int_equal(rt_seccomp_compile(s->seccomp, cache, &b, NULL), 0);
	assert_true(same_bpf(&b, &fresh));
	rt_bpf_clear(&b);

	rt_bpf_clear(&a);
	rt_bpf_clear(&fresh);
	rt_spec_free(s);
	assert_int_equal(rm_rf(dir, NULL), 0);
}

/* The canonical text tells apart filters that differ in anything,
 * including where one name ends and the next begins. */
static void test_seccomp_canonical(void **state)
{
	(void)state;
	static const char *const variants[] = {
	    SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ab\", \"c\"], "
	                 "\"action\": \"SCMP_ACT_ALLOW\"}]}"),
	    SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"a\", \"bc\"], "
	                 "\"action\": \"SCMP_ACT_ALLOW\"}]}"),
	    SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": "
	                 "[{\"names\": [\"ab\", \"c\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"),
	    SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ab\", \"c\"], "
	                 "\"action\": \"SCMP_ACT_ERRNO\"}]}"),
	    SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ab\", \"c\"], "
	                 "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": "
	                 "\"SCMP_CMP_EQ\"}]}]}"),
	    SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ab\", \"c\"], "
	                 "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 2, \"op\": "
	                 "\"SCMP_CMP_EQ\"}]}]}"),
	    SECCOMP_SPEC("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"], "
	                 "\"syscalls\": [{\"names\": [\"ab\", \"c\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"),
	};
	size_t n = sizeof(variants) / sizeof(variants[0]);
	char *texts[sizeof(variants) / sizeof(variants[0])];
	size_t lens[sizeof(variants) / sizeof(variants[0])];
	for (size_t i = 0; i < n; i++) {
		struct rt_spec *s = parse_ok(variants[i]);
		texts[i] = rt_seccomp_canonical(s->seccomp, &lens[i]);
		/* the same filter gives the same text */
		size_t len2;
		cleanup_free char *again = rt_seccomp_canonical(s->seccomp, &len2);
		assert_int_equal(len2, lens[i]);
		assert_memory_equal(again, texts[i], lens[i]);
		rt_spec_free(s);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_false(lens[i] == lens[j] && memcmp(texts[i], texts[j], lens[i]) == 0);
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
}

/* What an exec changes of the container's process settings. */
static void test_exec_spec(void **state)
{
	(void)state;
	char *args[] = {"ps", "-o", "args", NULL};
	char *env[] = {"A=c", "B=d", NULL};
	/* the container's own user: what the container has, its groups */
	struct rt_spec *s = parse_ok(full_spec);
	rt_exec_spec(s, &(struct rt_exec_opts){.args = args, .env = env});
	assert_string_equal(s->args[0], "ps");
	assert_string_equal(s->args[2], "args");
	assert_null(s->args[3]);
	assert_string_equal(s->env[0], "PATH=/bin");
	assert_string_equal(s->env[1], "A=c");
	assert_string_equal(s->env[2], "B=d");
	assert_null(s->env[3]);
	assert_string_equal(s->cwd, "/srv");
	assert_int_equal(s->uid, 1000);
	assert_int_equal(s->n_additional_gids, 2);
	assert_int_equal(s->cap_bounding, (1ULL << 0) | (1ULL << 5) | (1ULL << 13));
	assert_int_equal(s->cap_effective, 1ULL << 5);
	assert_int_equal(s->cap_permitted, 1ULL << 5);
	assert_int_equal(s->cap_inheritable, 1ULL << 5);
	assert_int_equal(s->cap_ambient, 1ULL << 5);
	assert_true(s->no_new_privileges);
	rt_spec_free(s);
	/* root: the whole bounding set; the groups given (none) */
	s = parse_ok(full_spec);
	rt_exec_spec(s, &(struct rt_exec_opts){.args = args, .cwd = "/tmp", .has_user = true, .has_groups = true});
	assert_string_equal(s->cwd, "/tmp");
	assert_int_equal(s->uid, 0);
	assert_int_equal(s->gid, 0);
	assert_int_equal(s->n_additional_gids, 0);
	assert_int_equal(s->cap_effective, s->cap_bounding);
	assert_int_equal(s->cap_permitted, s->cap_bounding);
	assert_int_equal(s->cap_inheritable | s->cap_ambient, 0);
	rt_spec_free(s);
	/* the groups given instead of the container's, with or without a user */
	static const gid_t given[] = {10, 29};
	s = parse_ok(full_spec);
	rt_exec_spec(s, &(struct rt_exec_opts){.args = args, .has_groups = true, .groups = given, .n_groups = 2});
	assert_int_equal(s->uid, 1000);
	assert_int_equal(s->n_additional_gids, 2);
	assert_int_equal(s->additional_gids[0], 10);
	assert_int_equal(s->additional_gids[1], 29);
	rt_spec_free(s);
	/* another user: none */
	s = parse_ok(full_spec);
	rt_exec_spec(s, &(struct rt_exec_opts){.args = args, .has_user = true, .uid = 1234, .gid = 100});
	assert_int_equal(s->cap_effective | s->cap_permitted | s->cap_inheritable | s->cap_ambient, 0);
	assert_int_equal(s->cap_bounding, (1ULL << 0) | (1ULL << 5) | (1ULL << 13));
	rt_spec_free(s);
	/* --privileged: every capability there is, no filter, no no_new_privs */
	s = parse_ok(seccomp_filter);
	assert_non_null(s->seccomp);
	rt_exec_spec(s, &(struct rt_exec_opts){.args = args, .privileged = true});
	uint64_t all = rt_last_cap() >= 63 ? ~0ULL : (1ULL << (rt_last_cap() + 1)) - 1;
	assert_true(s->has_caps);
	assert_int_equal(s->cap_bounding, all);
	assert_int_equal(s->cap_effective, all);
	assert_null(s->seccomp);
	assert_false(s->no_new_privileges);
	rt_spec_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_spec),     cmocka_unit_test(test_minimal_spec_defaults),
	    cmocka_unit_test(test_bad_specs),     cmocka_unit_test(test_mount_options),
	    cmocka_unit_test(test_cap_names),     cmocka_unit_test(test_exit_codes),
	    cmocka_unit_test(test_spec_load),     cmocka_unit_test(test_mkpath_in_root),
	    cmocka_unit_test(test_seccomp_parse), cmocka_unit_test(test_seccomp_build_and_load),
	    cmocka_unit_test(test_seccomp_cache), cmocka_unit_test(test_seccomp_canonical),
	    cmocka_unit_test(test_exec_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
