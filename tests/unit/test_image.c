/* Unit tests for image/ and overlay/: references, --change, tar member
 * path checks, the extractor on in-memory tarballs (also hostile ones), and
 * a fuse-overlayfs mount in a user namespace of the test's own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/xattr.h>
#include <time.h>
#include <seccomp.h>
#include <unistd.h>
#include <zlib.h>

#include "image/image.h"
#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "overlay/internal.h"
#include "overlay/overlay.h"
#include "state/state.h"
#include "tests/unit/childrun.h"
#include "tests/unit/tarbuf.h"

/* --- references ------------------------------------------------------------ */

static void expect_norm(const char *in, const char *want)
{
	struct burrow_err *err = NULL;
	char *n = img_ref_normalize_str(in, &err);
	if (!n)
		fail_msg("'%s' refused: %s", in, err->msg);
	assert_string_equal(n, want);
	free(n);
}

static void expect_bad_ref(const char *in, const char *why)
{
	struct burrow_err *err = NULL;
	char *n = img_ref_normalize_str(in, &err);
	if (n)
		fail_msg("'%s' accepted as '%s'", in, n);
	assert_int_equal(err->status, EINVAL);
	assert_true(str_has_prefix(err->msg, "invalid image name"));
	if (!strstr(err->msg, why))
		fail_msg("'%s': message '%s' lacks '%s'", in, err->msg, why);
	burrow_err_free(err);
}

static void test_ref_normalize(void **state)
{
	(void)state;
	expect_norm("busybox", "localhost/busybox:latest");
	expect_norm("busybox:1.36", "localhost/busybox:1.36");
	expect_norm("localhost/busybox", "localhost/busybox:latest");
	expect_norm("team/app:v2", "localhost/team/app:v2");
	expect_norm("docker.io/alpine", "docker.io/library/alpine:latest");
	expect_norm("index.docker.io/alpine:3", "docker.io/library/alpine:3");
	expect_norm("docker.io/bitnami/redis", "docker.io/bitnami/redis:latest");
	expect_norm("quay.io/podman/stable:v4.9", "quay.io/podman/stable:v4.9");
	expect_norm("localhost:5000/x", "localhost:5000/x:latest");
	expect_norm("Registry.Example.COM/a_b/c__d/e--f.g:Tag_1.x-y", "Registry.Example.COM/a_b/c__d/e--f.g:Tag_1.x-y");
	expect_norm("a-b.c_d", "localhost/a-b.c_d:latest");
	expect_norm("x:_", "localhost/x:_");

	struct img_ref r;
	struct burrow_err *err = NULL;
	assert_int_equal(img_ref_parse("example.com:443/ns/app:1", &r, &err), 0);
	assert_string_equal(r.domain, "example.com:443");
	assert_string_equal(r.path, "ns/app");
	assert_string_equal(r.tag, "1");
	img_ref_clear(&r);
	assert_int_equal(img_ref_parse("app", &r, &err), 0);
	assert_null(r.domain);
	assert_null(r.tag);
	img_ref_clear(&r);
}

static void test_ref_invalid(void **state)
{
	(void)state;
	expect_bad_ref("", "empty");
	expect_bad_ref("Busybox", "lowercase");
	expect_bad_ref("team/App", "lowercase");
	expect_bad_ref("a//b", "component");
	expect_bad_ref("a/", "component");
	expect_bad_ref("-a", "component");
	expect_bad_ref("a-", "component");
	expect_bad_ref("a..b", "component");
	expect_bad_ref("a___b", "component");
	expect_bad_ref("a:", "tag");
	expect_bad_ref("a:-x", "tag");
	expect_bad_ref("a:.x", "tag");
	expect_bad_ref("a:b/c", "registry host"); /* "a:b" is a host with a bad port */
	expect_bad_ref("name with space", "blanks");
	expect_bad_ref("a@sha256:0123", "digest");
	expect_bad_ref("-bad.domain/x", "registry host");
	expect_bad_ref("example.com:port/x", "registry host");
	expect_bad_ref("example..com/x", "registry host");
	expect_bad_ref(":tag", "empty repository");
	char tag[140];
	memset(tag, 'a', sizeof(tag) - 1);
	tag[sizeof(tag) - 1] = '\0';
	char *long_tag = xasprintf("x:%s", tag);
	expect_bad_ref(long_tag, "tag");
	free(long_tag);
	char name[300];
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	expect_bad_ref(name, "255");
}

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEX_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static void test_ref_digests(void **state)
{
	(void)state;
	expect_norm("alpine@sha256:" HEX_A, "localhost/alpine@sha256:" HEX_A);
	expect_norm("docker.io/alpine@sha256:" HEX_A, "docker.io/library/alpine@sha256:" HEX_A);
	expect_norm("docker.io/alpine:3.19@sha256:" HEX_A, "docker.io/library/alpine@sha256:" HEX_A);
	expect_norm("127.0.0.1:5000/ns/sub/app:v1@sha256:" HEX_B, "127.0.0.1:5000/ns/sub/app@sha256:" HEX_B);
	expect_norm("localhost:5000/app", "localhost:5000/app:latest");

	struct img_ref r;
	struct burrow_err *err = NULL;
	assert_int_equal(img_ref_parse("reg.example:5000/ns/app:1.0@sha256:" HEX_C, &r, &err), 0);
	assert_string_equal(r.domain, "reg.example:5000");
	assert_string_equal(r.path, "ns/app");
	assert_string_equal(r.tag, "1.0");
	assert_string_equal(r.digest, "sha256:" HEX_C);
	char *repo = img_ref_repo(&r);
	assert_string_equal(repo, "reg.example:5000/ns/app");
	free(repo);
	img_ref_clear(&r);
	assert_null(r.digest);

	assert_int_equal(img_ref_parse("debian", &r, &err), 0);
	assert_null(r.domain);
	assert_null(r.digest);
	repo = img_ref_repo(&r);
	assert_string_equal(repo, "localhost/debian");
	free(repo);
	img_ref_clear(&r);

	expect_bad_ref("alpine@sha256:0123", "64 lowercase hex");
	expect_bad_ref("alpine@sha256:" HEX_A "0", "64 lowercase hex");
	expect_bad_ref("alpine@sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	               "64 lowercase hex");
	expect_bad_ref("alpine@sha512:" HEX_A HEX_A, "only sha256");
	expect_bad_ref("alpine@" HEX_A, "ALGORITHM:HEX");
	expect_bad_ref("alpine@sha256:" HEX_A "@sha256:" HEX_B, "more than one '@'");
	expect_bad_ref("@sha256:" HEX_A, "empty repository name");
	expect_bad_ref("Alpine@sha256:" HEX_A, "lowercase");
	expect_bad_ref("docker.io/Library/alpine", "lowercase");
	expect_bad_ref("alpine:tag:more", "name component");
}

/* --- --change ------------------------------------------------------------- */

static void test_change(void **state)
{
	(void)state;
	struct img_config c = {0};
	struct burrow_err *err = NULL;
	assert_int_equal(img_config_apply_change(&c, "CMD [\"sh\", \"-c\", \"echo hi\"]", &err), 0);
	assert_int_equal(strv_len(c.cmd), 3);
	assert_string_equal(c.cmd[2], "echo hi");
	/* shell form */
	assert_int_equal(img_config_apply_change(&c, "cmd echo $HOME", &err), 0);
	assert_int_equal(strv_len(c.cmd), 3);
	assert_string_equal(c.cmd[0], "/bin/sh");
	assert_string_equal(c.cmd[1], "-c");
	assert_string_equal(c.cmd[2], "echo $HOME");
	/* not valid JSON: shell form, as docker does */
	assert_int_equal(img_config_apply_change(&c, "ENTRYPOINT [oops", &err), 0);
	assert_string_equal(c.entrypoint[2], "[oops");
	/* a JSON array of non-strings is not exec form either */
	assert_int_equal(img_config_apply_change(&c, "ENTRYPOINT=[1,2]", &err), 0);
	assert_string_equal(c.entrypoint[2], "[1,2]");
	assert_int_equal(img_config_apply_change(&c, "ENTRYPOINT=[\"/init\"]", &err), 0);
	assert_int_equal(strv_len(c.entrypoint), 1);
	assert_string_equal(c.entrypoint[0], "/init");

	assert_int_equal(img_config_apply_change(&c, "ENV A=1 B=\"x y\" C='q' D=a\\ b", &err), 0);
	assert_int_equal(img_config_apply_change(&c, "ENV PATH /usr/bin:/bin", &err), 0);
	assert_int_equal(img_config_apply_change(&c, "ENV A=2", &err), 0);
	assert_int_equal(strv_len(c.env), 5);
	assert_string_equal(c.env[0], "A=2");
	assert_string_equal(c.env[1], "B=x y");
	assert_string_equal(c.env[2], "C=q");
	assert_string_equal(c.env[3], "D=a b");
	assert_string_equal(c.env[4], "PATH=/usr/bin:/bin");

	assert_int_equal(img_config_apply_change(&c, "WORKDIR app", &err), 0);
	assert_string_equal(c.workdir, "/app");
	assert_int_equal(img_config_apply_change(&c, "WORKDIR sub", &err), 0);
	assert_string_equal(c.workdir, "/app/sub");
	assert_int_equal(img_config_apply_change(&c, "WORKDIR /srv", &err), 0);
	assert_string_equal(c.workdir, "/srv");
	assert_int_equal(img_config_apply_change(&c, "USER nobody:nogroup", &err), 0);
	assert_string_equal(c.user, "nobody:nogroup");

	/* LABEL as ENV (a name again replaces it); EXPOSE as ExposedPorts' keys */
	assert_int_equal(img_config_apply_change(&c, "LABEL a=b \"c d\"=\"e f\"", &err), 0);
	assert_int_equal(img_config_apply_change(&c, "LABEL=a=again", &err), 0);
	assert_int_equal(img_config_apply_change(&c, "LABEL legacy two words", &err), 0);
	assert_int_equal(strv_len(c.labels), 3);
	assert_string_equal(c.labels[0], "a=again");
	assert_string_equal(c.labels[1], "c d=e f");
	assert_string_equal(c.labels[2], "legacy=two words");
	assert_int_equal(img_config_apply_change(&c, "EXPOSE 80 53/UDP", &err), 0);
	assert_int_equal(img_config_apply_change(&c, "EXPOSE 80/tcp", &err), 0);
	assert_int_equal(strv_len(c.exposed_ports), 2);
	assert_string_equal(c.exposed_ports[0], "80/tcp");
	assert_string_equal(c.exposed_ports[1], "53/udp");

	static const char *bad[] = {"",        "FROM busybox", "EXPOSE",    "EXPOSE 0", "EXPOSE 80/icmp", "CMD",
	                            "ENV",     "ENV =1",       "ENV A=1 B", "ENV A",    "USER",           "USER a b",
	                            "WORKDIR", "ENV A=\"x",    "LABEL",     "LABEL =1", "LABEL a=1 b",    "EXPOSE x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (img_config_apply_change(&c, bad[i], &err) == 0)
			fail_msg("change '%s' accepted", bad[i]);
		assert_int_equal(err->status, EINVAL);
		assert_true(str_has_prefix(err->msg, "invalid change '"));
		burrow_err_free(err);
		err = NULL;
	}
	/* refusals left the config alone */
	assert_string_equal(c.user, "nobody:nogroup");
	img_config_clear(&c);
}

static void test_split_words(void **state)
{
	(void)state;
	char **w = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(img_split_words("  a 'b c'  \"d \\\" e\" f\\ g ''", &w, &err), 0);
	assert_int_equal(strv_len(w), 5);
	assert_string_equal(w[0], "a");
	assert_string_equal(w[1], "b c");
	assert_string_equal(w[2], "d \" e");
	assert_string_equal(w[3], "f g");
	assert_string_equal(w[4], "");
	strv_free(w);
	assert_int_equal(img_split_words("a 'b", &w, &err), -1);
	burrow_err_free(err);
}

/* --- tar member paths ---------------------------------------------------- */

static void expect_clean(const char *in, const char *want)
{
	char *out = NULL;
	struct burrow_err *err = NULL;
	if (img_tar_clean_path(in, &out, &err) < 0)
		fail_msg("'%s' refused: %s", in, err->msg);
	assert_string_equal(out, want);
	free(out);
}

static void expect_unclean(const char *in, const char *why)
{
	char *out = NULL;
	struct burrow_err *err = NULL;
	if (img_tar_clean_path(in, &out, &err) == 0)
		fail_msg("'%s' accepted as '%s'", in, out);
	assert_int_equal(err->status, EINVAL);
	if (!strstr(err->msg, why))
		fail_msg("'%s': '%s' lacks '%s'", in, err->msg, why);
	burrow_err_free(err);
}

static void test_tar_paths(void **state)
{
	(void)state;
	expect_clean("a", "a");
	expect_clean("./a/b/", "a/b");
	expect_clean("a//b/./c", "a/b/c");
	expect_clean(".", "");
	expect_clean("./", "");
	expect_clean("././", "");
	expect_clean("..a/b..", "..a/b..");
	expect_clean("a/...", "a/...");
	expect_clean(".wh..wh..opq", ".wh..wh..opq");
	expect_unclean("", "empty");
	expect_unclean("/etc/passwd", "absolute");
	expect_unclean("//x", "absolute");
	expect_unclean("..", "'..'");
	expect_unclean("../evil", "'..'");
	expect_unclean("a/../../evil", "'..'");
	expect_unclean("a/..", "'..'");
	expect_unclean("./../x", "'..'");
	expect_unclean("a/b/../c", "'..'");
}

/* --- the extractor ----------------------------------------------------------- */

/* In a child: a check that _exits 1, saying why on out, when it fails. */
#define CHILD_CHECK(cond, ...)                     \
	do {                                       \
		if (!(cond)) {                     \
			dprintf(out, __VA_ARGS__); \
			_exit(1);                  \
		}                                  \
	} while (0)

static bool must_work(void)
{
	return getenv("BURROW_MUST_WORK") && strcmp(getenv("BURROW_MUST_WORK"), "1") == 0;
}

static void enter_userns(int out);

/* An unpack whose checks need root's ownership (the entries are root's: a
 * file that cannot be given its owner loses setuid, as burrow means it
 * to) runs fn in a child: root's as it is, anyone else's in a user
 * namespace of its own that maps the user to 0 (the single-ID mapping
 * burrow unpacks in). fn _exits 0, or 1 saying why on out; 77 (no user
 * namespace here) skips, but fails with BURROW_MUST_WORK=1. */
struct as_root {
	void (*fn)(int out, const void *arg);
	const void *arg;
};

static int as_root_call(const void *call, int out)
{
	const struct as_root *c = call;
	if (geteuid() != 0)
		enter_userns(out);
	c->fn(out, c->arg);
	return 1;
}

static void run_as_root(void (*fn)(int out, const void *arg), const void *arg)
{
	struct as_root call = {fn, arg};
	char msg[1024];
	int status = child_spawn(as_root_call, &call, msg, sizeof(msg));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77 && !must_work()) {
		print_message("skipped: %s\n", msg);
		skip();
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s", msg[0] ? msg : "the child ended without a word");
}

struct sandbox {
	char dir[64];
	int layerfd;
};

/* dir/layer (the extraction root) and dir/outside/victim (a sentinel). */
static void sandbox_new(struct sandbox *s)
{
	strcpy(s->dir, "/tmp/burrow-test-image-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	char *p = path_join(s->dir, "layer");
	assert_int_equal(mkdir(p, 0755), 0);
	s->layerfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(p);
	p = path_join(s->dir, "outside");
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = path_join(s->dir, "outside/victim");
	struct burrow_err *err = NULL;
	assert_int_equal(write_file(p, "orig", 4, 0644, &err), 0);
	free(p);
	assert_true(s->layerfd >= 0);
}

/* The sandbox holds nothing but layer/ and outside/victim (unchanged). */
static void sandbox_check_outside(struct sandbox *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "layer") &&
		    strcmp(de->d_name, "outside"))
			fail_msg("'%s' appeared next to the layer", de->d_name);
	closedir(d);
	char *p = path_join(s->dir, "outside");
	d = opendir(p);
	free(p);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "victim"))
			fail_msg("'%s' appeared outside", de->d_name);
	closedir(d);
	p = path_join(s->dir, "outside/victim");
	char *content = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(read_file(p, &content, NULL, &err), 0);
	assert_string_equal(content, "orig");
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	free(content);
	free(p);
}

static void sandbox_free(struct sandbox *s)
{
	close(s->layerfd);
	struct burrow_err *err = NULL;
	assert_int_equal(rm_rf(s->dir, &err), 0);
}

static void test_unpack_basic(void **state)
{
	(void)state;
	struct sandbox s;
	sandbox_new(&s);
	struct tarbuf t;
	tb_open(&t);
	D(&t, "./");
	F(&t, "./etc/passwd", "root:x:0:0::/root:/bin/sh\n"); /* parent made on the way */
	D(&t, "bin");
	F(&t, "bin/busybox", "ELF");
	L(&t, "bin/sh", "/bin/busybox");
	H(&t, "bin/hard", "bin/busybox");
	F(&t, "replaced", "one");
	F(&t, "replaced", "two");
	L(&t, "was-link", "/etc");
	D(&t, "was-link");
	F(&t, "was-link/inside", "x");
	tb_add(&t, "dev/null", AE_IFCHR, 0666, NULL, NULL, 0);
	tb_add(&t, "fifo", AE_IFIFO, 0600, NULL, NULL, 0);
	char digest[65];
	int fd = tb_close(&t, digest);
	struct img_unpack_stats st;
	struct burrow_err *err = NULL;
	if (img_unpack(fd, s.layerfd, "test.tar", &st, &err) < 0)
		fail_msg("%s", err->msg);
	close(fd);
	assert_string_equal(st.digest, digest);
	assert_int_equal(st.size, 26 + 3 + 3 + 3 + 1);

	char *c = NULL;
	assert_int_equal(read_file_at(s.layerfd, "etc/passwd", &c, NULL, &err), 0);
	assert_string_equal(c, "root:x:0:0::/root:/bin/sh\n");
	free(c);
	assert_int_equal(read_file_at(s.layerfd, "replaced", &c, NULL, &err), 0);
	assert_string_equal(c, "two");
	free(c);
	char target[64] = {0};
	assert_int_equal(readlinkat(s.layerfd, "bin/sh", target, sizeof(target) - 1), 12);
	assert_string_equal(target, "/bin/busybox");
	struct stat a, b;
	assert_int_equal(fstatat(s.layerfd, "bin/busybox", &a, 0), 0);
	assert_int_equal(fstatat(s.layerfd, "bin/hard", &b, 0), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_mtime, 1600000000);
	assert_int_equal(fstatat(s.layerfd, "was-link", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(a.st_mode));
	assert_int_equal(fstatat(s.layerfd, "dev/null", &a, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(fstatat(s.layerfd, "fifo", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISFIFO(a.st_mode));
	assert_int_equal(a.st_mode & 07777, 0600);
	/* directory times are set after their contents */
	assert_int_equal(fstatat(s.layerfd, "bin", &a, 0), 0);
	assert_int_equal(a.st_mtime, 1600000000);
	sandbox_check_outside(&s);
	sandbox_free(&s);
}

static bool at_exists(int dirfd, const char *path)
{
	struct stat sb;
	return fstatat(dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

static void whiteout_pairs(struct tarbuf *t)
{
	F(t, ".wh.f1", ""); /* whiteout first */
	F(t, "f1", "one");
	F(t, "f2", "two"); /* entry first */
	F(t, ".wh.f2", "");
	F(t, ".wh.d1", "");
	D(t, "d1");
	F(t, "d1/in", "x");
	D(t, "d2");
	F(t, "d2/in", "y");
	F(t, "d2/.wh.in", "");
	F(t, "d2/.wh.low", ""); /* a lower layer's name only: kept */
	F(t, ".wh.d2", "");
	F(t, ".wh.implied", ""); /* a directory made for its entries */
	F(t, "implied/f", "i");
	L(t, "s", "/"); /* a link: kept as it is, never made opaque through */
	F(t, ".wh.s", "");
	H(t, "h", "f1");
	F(t, ".wh.h", "");
	F(t, ".wh...", ""); /* hide nothing a layer can have: names */
	F(t, ".wh..", "");
	F(t, "d2/.wh..wh..opq", "");
	D(t, "gone"); /* its directory replaced by a link after the pair */
	F(t, "gone/x", "g");
	F(t, "gone/.wh.x", "");
	F(t, "gone", "now a file");
}

/* A new sandbox with whiteout_pairs unpacked by fn (a layer's is hashed). */
static void unpack_pairs(struct sandbox *s,
                         int (*fn)(int, int, const char *, struct img_unpack_stats *, struct burrow_err **))
{
	sandbox_new(s);
	struct tarbuf t;
	tb_open(&t);
	whiteout_pairs(&t);
	char digest[65];
	int fd = tb_close(&t, digest);
	struct img_unpack_stats st;
	struct burrow_err *err = NULL;
	if (fn(fd, s->layerfd, "pairs.tar", &st, &err) < 0)
		fail_msg("%s", err->msg);
	close(fd);
	assert_string_equal(st.digest, fn == img_unpack ? digest : "");
}

/* A whiteout and an entry of one name in one layer: the entry stays (the
 * OCI image spec: a whiteout applies to the lower layers), in either
 * order; the whiteout goes, a directory becomes opaque; whiteouts of
 * lower layers' names stay. */
static void test_unpack_wh_pairs(void **state)
{
	(void)state;
	struct sandbox s;
	unpack_pairs(&s, img_unpack);
	struct burrow_err *err = NULL;
	static const char *const there[] = {"f1",
	                                    "f2",
	                                    "d1/in",
	                                    "d1/.wh..wh..opq",
	                                    "d2/in",
	                                    "d2/.wh..wh..opq",
	                                    "d2/.wh.low",
	                                    "implied/f",
	                                    "implied/.wh..wh..opq",
	                                    "s",
	                                    "h",
	                                    ".wh...",
	                                    ".wh..",
	                                    "gone"};
	for (size_t i = 0; i < sizeof(there) / sizeof(there[0]); i++)
		if (!at_exists(s.layerfd, there[i]))
			fail_msg("'%s' is not in the layer", there[i]);
	static const char *const gone[] = {".wh.f1",      ".wh.f2", ".wh.d1", ".wh.d2",        "d2/.wh.in",
	                                   ".wh.implied", ".wh.s",  ".wh.h",  "s/.wh..wh..opq"};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (at_exists(s.layerfd, gone[i]))
			fail_msg("'%s' is still in the layer", gone[i]);
	char *c = NULL;
	assert_int_equal(read_file_at(s.layerfd, "f2", &c, NULL, &err), 0);
	assert_string_equal(c, "two");
	free(c);
	struct stat a;
	assert_int_equal(fstatat(s.layerfd, "s", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(a.st_mode));
	/* the directory's time is the entry's still */
	assert_int_equal(fstatat(s.layerfd, "d1", &a, 0), 0);
	assert_int_equal(a.st_mtime, 1600000000);
	sandbox_check_outside(&s);
	sandbox_free(&s);
}

/* A copy (cp) keeps ".wh." names as names: no layers under it. */
static void test_unpack_copy_wh(void **state)
{
	(void)state;
	struct sandbox s;
	unpack_pairs(&s, img_unpack_copy);
	assert_true(at_exists(s.layerfd, ".wh.f1"));
	assert_true(at_exists(s.layerfd, "f1"));
	assert_false(at_exists(s.layerfd, "d1/.wh..wh..opq"));
	sandbox_check_outside(&s);
	sandbox_free(&s);
}

/* Each hostile tar is refused with a message naming the entry and writes
 * nothing outside the layer. */
static void expect_refused(void (*build)(struct tarbuf *, const char *), const char *want)
{
	struct sandbox s;
	sandbox_new(&s);
	struct tarbuf t;
	tb_open(&t);
	build(&t, s.dir);
	char digest[65];
	int fd = tb_close(&t, digest);
	struct img_unpack_stats st;
	struct burrow_err *err = NULL;
	if (img_unpack(fd, s.layerfd, "evil.tar", &st, &err) == 0)
		fail_msg("hostile tar accepted (expected '%s')", want);
	close(fd);
	if (!strstr(err->msg, want))
		fail_msg("message '%s' lacks '%s'", err->msg, want);
	assert_null(strchr(err->msg, '\n'));
	burrow_err_free(err);
	sandbox_check_outside(&s);
	sandbox_free(&s);
}

static void evil_dotdot(struct tarbuf *t, const char *dir)
{
	(void)dir;
	F(t, "ok", "fine");
	F(t, "../evil", "x");
}
static void evil_dotdot_inner(struct tarbuf *t, const char *dir)
{
	(void)dir;
	D(t, "a");
	F(t, "a/../../evil", "x");
}
static void evil_absolute(struct tarbuf *t, const char *dir)
{
	char *p = xasprintf("%s/outside/evil", dir);
	F(t, p, "x");
	free(p);
}
static void evil_symlink_abs(struct tarbuf *t, const char *dir)
{
	char *p = xasprintf("%s/outside", dir);
	L(t, "link", p);
	F(t, "link/evil", "x");
	free(p);
}
static void evil_symlink_rel(struct tarbuf *t, const char *dir)
{
	(void)dir;
	L(t, "link", "../outside");
	F(t, "link/evil", "x");
}
static void evil_symlink_deep(struct tarbuf *t, const char *dir)
{
	(void)dir;
	D(t, "a");
	L(t, "a/b", "../../outside");
	D(t, "a/b/c");
	F(t, "a/b/c/evil", "x");
}
static void evil_symlink_dir_entry(struct tarbuf *t, const char *dir)
{
	(void)dir;
	L(t, "link", "../outside");
	D(t, "link/evil");
}
static void evil_hard_dotdot(struct tarbuf *t, const char *dir)
{
	(void)dir;
	H(t, "evil", "../outside/victim");
}
static void evil_hard_abs(struct tarbuf *t, const char *dir)
{
	char *p = xasprintf("%s/outside/victim", dir);
	H(t, "evil", p);
	free(p);
}
static void evil_hard_symlink(struct tarbuf *t, const char *dir)
{
	(void)dir;
	L(t, "out", "../outside");
	H(t, "evil", "out/victim");
}
static void evil_hard_missing(struct tarbuf *t, const char *dir)
{
	(void)dir;
	H(t, "evil", "nosuchfile");
}
static void evil_hard_symlink_itself(struct tarbuf *t, const char *dir)
{
	(void)dir;
	/* linking a symlink links the symlink; writing through the link then
	 * goes through a symlink parent and is refused */
	L(t, "s", "../outside");
	H(t, "evil", "s");
	F(t, "evil/victim", "x");
}

static void evil_hard_root(struct tarbuf *t, const char *dir)
{
	(void)dir;
	H(t, "evil", "./");
}
static void evil_root_symlink(struct tarbuf *t, const char *dir)
{
	(void)dir;
	L(t, "./", "../outside");
	F(t, "evil", "x");
}

static void test_unpack_hostile(void **state)
{
	(void)state;
	expect_refused(evil_dotdot, "tar entry '../evil': refused: the path has a '..' component");
	expect_refused(evil_dotdot_inner, "tar entry 'a/../../evil': refused");
	expect_refused(evil_absolute, "refused: absolute path");
	expect_refused(evil_symlink_abs, "tar entry 'link/evil': refused: 'link' is a symbolic link");
	expect_refused(evil_symlink_rel, "tar entry 'link/evil': refused: 'link' is a symbolic link");
	expect_refused(evil_symlink_deep, "refused: 'a/b' is a symbolic link");
	expect_refused(evil_symlink_dir_entry, "tar entry 'link/evil/': refused: 'link' is a symbolic link");
	expect_refused(evil_hard_dotdot, "tar entry 'evil': refused: hard link target '../outside/victim': the path");
	expect_refused(evil_hard_abs, "refused: hard link target '/tmp/");
	expect_refused(evil_hard_symlink,
	               "tar entry 'evil': refused: hard link target 'out/victim': 'out' is a symbolic");
	expect_refused(evil_hard_missing, "tar entry 'evil': refused: hard link target 'nosuchfile': not in the layer");
	expect_refused(evil_hard_symlink_itself, "tar entry 'evil/victim': refused: 'evil' is a symbolic link");
	expect_refused(evil_hard_root, "tar entry 'evil': refused: hard link target './': the layer root");
	expect_refused(evil_root_symlink, "tar entry './': the layer root can only be a directory");
}

struct unpack_case {
	int tar, layerfd;
	bool root; /* the test runs as root: IDs other than 0 can be given */
};

static void unpack_xattrs_child(int out, const void *arg)
{
	const struct unpack_case *u = arg;
	struct img_unpack_stats st;
	struct burrow_err *err = NULL;
	CHILD_CHECK(img_unpack(u->tar, u->layerfd, "x.tar", &st, &err) == 0, "%s", err->msg);
	int ffd = openat(u->layerfd, "f", O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(ffd >= 0, "cannot open 'f': %s", strerror(errno));
	char v[16] = {0};
	CHILD_CHECK(fgetxattr(ffd, "user.test", v, sizeof(v)) == 5 && strcmp(v, "hello") == 0, "user.test is '%s'", v);
	/* overlay bookkeeping from an image is dropped */
	CHILD_CHECK(fgetxattr(ffd, "user.fuseoverlayfs.override_stat", v, sizeof(v)) == -1 && errno == ENODATA,
	            "user.fuseoverlayfs.override_stat was kept");
	struct stat sb;
	CHILD_CHECK(fstat(ffd, &sb) == 0 && (sb.st_mode & 07777) == 04755, "'f' has mode %04o, not 4755",
	            (unsigned)(sb.st_mode & 07777));
	_exit(0);
}

static void test_unpack_xattrs(void **state)
{
	(void)state;
	struct sandbox s;
	sandbox_new(&s);
	struct tarbuf t;
	tb_open(&t);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "f");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 04755);
	archive_entry_set_size(e, 1);
	archive_entry_xattr_add_entry(e, "user.test", "hello", 5);
	archive_entry_xattr_add_entry(e, "user.fuseoverlayfs.override_stat", "0:0:4755", 8);
	archive_entry_xattr_add_entry(e, "trusted.overlay.opaque", "y", 1);
	assert_int_equal(archive_write_header(t.a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(t.a, "x", 1), 1);
	archive_entry_free(e);
	char digest[65];
	struct unpack_case u = {.tar = tb_close(&t, digest), .layerfd = s.layerfd};
	run_as_root(unpack_xattrs_child, &u);
	close(u.tar);
	sandbox_free(&s);
}

/* An entry with its owner (the tarbuf helpers' entries are root's). */
static void tb_owned(struct tarbuf *t, const char *name, mode_t type, mode_t perm, la_int64_t uid, la_int64_t gid)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, uid);
	archive_entry_set_gid(e, gid);
	if (type == AE_IFREG)
		archive_entry_set_size(e, 1);
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	if (type == AE_IFREG)
		assert_int_equal(archive_write_data(t->a, "x", 1), 1);
	archive_entry_free(e);
}

static void unpack_modes_owners_child(int out, const void *arg)
{
	const struct unpack_case *u = arg;
	struct img_unpack_stats st;
	struct burrow_err *err = NULL;
	umask(077);
	CHILD_CHECK(img_unpack_copy(u->tar, u->layerfd, "x.tar", &st, &err) == 0, "%s", err->msg);
	CHILD_CHECK(strcmp(st.digest, "") == 0, "a copy was hashed: '%s'", st.digest);
	static const struct {
		const char *name;
		mode_t mode;
		uid_t uid;
		gid_t gid;
	} want[] = {{"rw-r", 0640, 0, 0},        {"rwxr-xr-x", 0755, 0, 0},    {"none", 0, 0, 0},
	            {"suid", 04711, 0, 0},       {"sgid-dir", 02755, 0, 4321}, {"sgid-dir/roots", 0644, 0, 0},
	            {"theirs", 0644, 1234, 5678}};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && (u->root || i < 4); i++) {
		struct stat sb;
		CHILD_CHECK(fstatat(u->layerfd, want[i].name, &sb, AT_SYMLINK_NOFOLLOW) == 0, "no '%s': %s",
		            want[i].name, strerror(errno));
		CHILD_CHECK((sb.st_mode & 07777) == want[i].mode, "'%s' has mode %04o, not %04o", want[i].name,
		            (unsigned)(sb.st_mode & 07777), (unsigned)want[i].mode);
		CHILD_CHECK(sb.st_uid == want[i].uid && sb.st_gid == want[i].gid, "'%s' is %u:%u, not %u:%u",
		            want[i].name, (unsigned)sb.st_uid, (unsigned)sb.st_gid, (unsigned)want[i].uid,
		            (unsigned)want[i].gid);
	}
	_exit(0);
}

/* A file is made with its mode and left alone where the umask kept that
 * and it is its owner's already: the mode and owner end as the entry's
 * whatever the umask, or the group a setgid directory hands down. A copy
 * (img_unpack_copy) is not hashed. Owners other than 0 need root (a user
 * namespace of the test's maps only 0). */
static void test_unpack_modes_owners(void **state)
{
	(void)state;
	bool root = geteuid() == 0;
	struct sandbox s;
	sandbox_new(&s);
	struct tarbuf t;
	tb_open(&t);
	tb_owned(&t, "rw-r", AE_IFREG, 0640, 0, 0);
	tb_owned(&t, "rwxr-xr-x", AE_IFREG, 0755, 0, 0);
	tb_owned(&t, "none", AE_IFREG, 0, 0, 0);
	tb_owned(&t, "suid", AE_IFREG, 04711, 0, 0);
	if (root) {
		tb_owned(&t, "sgid-dir", AE_IFDIR, 02755, 0, 4321);
		tb_owned(&t, "sgid-dir/roots", AE_IFREG, 0644, 0, 0);
		tb_owned(&t, "theirs", AE_IFREG, 0644, 1234, 5678);
	} else {
		print_message("as root only: owners other than 0, a setgid directory's group\n");
	}
	char digest[65];
	struct unpack_case u = {.tar = tb_close(&t, digest), .layerfd = s.layerfd, .root = root};
	run_as_root(unpack_modes_owners_child, &u);
	close(u.tar);
	sandbox_free(&s);
}

static void test_unpack_not_tar(void **state)
{
	(void)state;
	struct sandbox s;
	sandbox_new(&s);
	int fd = memfd_create("x", MFD_CLOEXEC);
	assert_int_equal(write_all(fd, "hello, this is no tarball\n", 26), 0);
	lseek(fd, 0, SEEK_SET);
	struct img_unpack_stats st;
	struct burrow_err *err = NULL;
	assert_int_equal(img_unpack(fd, s.layerfd, "x", &st, &err), -1);
	if (!strstr(err->msg, "not a tar archive"))
		fail_msg("%s", err->msg);
	burrow_err_free(err);
	err = NULL;
	close(fd);
	fd = memfd_create("empty", MFD_CLOEXEC);
	assert_int_equal(img_unpack(fd, s.layerfd, "empty", &st, &err), -1);
	burrow_err_free(err);
	close(fd);
	sandbox_free(&s);
}

static void evil_dir_through_hard_link_to_symlink(struct tarbuf *t, const char *dir)
{
	char *p = xasprintf("%s/outside", dir);
	L(t, "s", p);
	H(t, "hl", "s");
	F(t, "hl/victim", "x");
	free(p);
}

/* A hard link to a symlink is a second name of the symlink, never of what
 * it points at (linkat without AT_SYMLINK_FOLLOW), and a later entry of the
 * same name replaces it rather than writing through it. */
static void test_unpack_hard_link_to_symlink(void **state)
{
	(void)state;
	struct sandbox s;
	sandbox_new(&s);
	struct tarbuf t;
	tb_open(&t);
	char *victim = xasprintf("%s/outside/victim", s.dir);
	L(&t, "s", victim);
	H(&t, "hl", "s");
	L(&t, "s2", "../outside/victim");
	H(&t, "hl2", "s2");
	F(&t, "hl2", "mine");
	char digest[65];
	int fd = tb_close(&t, digest);
	struct img_unpack_stats st;
	struct burrow_err *err = NULL;
	if (img_unpack(fd, s.layerfd, "t.tar", &st, &err) < 0)
		fail_msg("%s", err->msg);
	close(fd);
	struct stat a, b;
	assert_int_equal(fstatat(s.layerfd, "s", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(s.layerfd, "hl", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(b.st_mode));
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(b.st_nlink, 2);
	char target[256] = {0};
	assert_int_equal(readlinkat(s.layerfd, "hl", target, sizeof(target) - 1), (ssize_t)strlen(victim));
	assert_string_equal(target, victim);
	char *c = NULL;
	assert_int_equal(read_file_at(s.layerfd, "hl2", &c, NULL, &err), 0);
	assert_string_equal(c, "mine");
	free(c);
	assert_int_equal(fstatat(s.layerfd, "s2", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(a.st_mode));
	sandbox_check_outside(&s); /* victim: same content, one link */
	sandbox_free(&s);
	free(victim);
	expect_refused(evil_dir_through_hard_link_to_symlink,
	               "tar entry 'hl/victim': refused: 'hl' is a symbolic link");
}

/* --- deep trees -------------------------------------------------------------- */

/* Every level of a depth-deep chain "d/d/..." as a directory entry, a file
 * at the bottom, then back up and down again; evil adds a refused entry at
 * the end. Extracted with few fds (RLIMIT_NOFILE 64). */
static int unpack_deep(struct sandbox *s, int depth, bool evil, struct burrow_err **err)
{
	struct tarbuf t;
	tb_open_cap(&t, (size_t)depth * (size_t)depth * 2 + (8u << 20));
	char *p = xmalloc((size_t)depth * 2 + 8);
	p[0] = '\0';
	for (int i = 0; i < depth; i++) {
		strcat(p, i ? "/d" : "d");
		D(&t, p);
	}
	strcat(p, "/f");
	F(&t, p, "deep");
	p[depth] = '\0'; /* halfway up */
	strcat(p, "/g");
	F(&t, p, "half");
	F(&t, "x", "top");
	for (int i = 0; i < depth; i++)
		memcpy(p + 2 * i, "d/", 2);
	p[2 * depth - 1] = '\0';
	D(&t, p); /* the bottom again */
	if (evil)
		F(&t, "../evil", "x");
	free(p);
	char digest[65];
	int fd = tb_close(&t, digest);
	struct rlimit old, low = {.rlim_cur = 64};
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	struct img_unpack_stats st;
	int r = img_unpack(fd, s->layerfd, "deep.tar", &st, err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	close(fd);
	return r;
}

static void test_unpack_deep(void **state)
{
	(void)state;
	const int depth = 3000;
	struct sandbox s;
	sandbox_new(&s);
	struct burrow_err *err = NULL;
	if (unpack_deep(&s, depth, false, &err) < 0)
		fail_msg("%s", err->msg);
	int fd = fcntl(s.layerfd, F_DUPFD_CLOEXEC, 3);
	struct stat st;
	for (int i = 0; i < depth; i++) {
		if (i == depth / 2 - 1) {
			char *c = NULL;
			if (read_file_at(fd, "d/g", &c, NULL, &err) < 0)
				fail_msg("%s", err->msg);
			assert_string_equal(c, "half");
			free(c);
		}
		/* directory times are set after their contents, at every depth */
		assert_int_equal(fstatat(fd, "d", &st, AT_SYMLINK_NOFOLLOW), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mtime, 1600000000);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	char *c = NULL;
	assert_int_equal(read_file_at(fd, "f", &c, NULL, &err), 0);
	assert_string_equal(c, "deep");
	free(c);
	close(fd);
	sandbox_free(&s);

	sandbox_new(&s);
	assert_int_equal(unpack_deep(&s, depth, true, &err), -1);
	if (!strstr(err->msg, "tar entry '../evil': refused"))
		fail_msg("%s", err->msg);
	burrow_err_free(err);
	sandbox_check_outside(&s);
	sandbox_free(&s);
}

/* --- verified decompression ---------------------------------------------------- */

/* data gzipped as one member (or two, split in the middle). */
static size_t gz(const void *data, size_t len, bool two, unsigned char *out, size_t cap)
{
	size_t done = 0;
	for (int part = 0; part < (two ? 2 : 1); part++) {
		size_t from = two && part ? len / 2 : 0, to = two && !part ? len / 2 : len;
		z_stream z = {0};
		assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = (unsigned char *)data + from;
		z.avail_in = (uInt)(to - from);
		z.next_out = out + done;
		z.avail_out = (uInt)(cap - done);
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		done = cap - z.avail_out;
		deflateEnd(&z);
	}
	return done;
}

struct membuf {
	const unsigned char *p;
	size_t len, off;
};

static ssize_t mem_read(void *ctx, void *buf, size_t len, struct burrow_err **err)
{
	(void)err;
	struct membuf *m = ctx;
	/* small pieces: members and trailers straddle reads */
	size_t n = m->len - m->off < len ? m->len - m->off : len;
	if (n > 1000)
		n = 1000;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

/* Decompresses in; NULL and *err on failure, else the output (its length
 * in *outlen). */
static unsigned char *decomp_all(const unsigned char *in, size_t len, size_t *outlen, struct burrow_err **err)
{
	struct membuf m = {in, len, 0};
	struct img_decomp *d = img_decomp_open(mem_read, &m, err);
	if (!d)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	unsigned char *out = xmalloc(cap);
	for (;;) {
		if (n == cap)
			out = xrealloc(out, cap *= 2);
		ssize_t r = img_decomp_read(d, out + n, cap - n, err);
		if (r < 0) {
			/* the same error again */
			struct burrow_err *again = NULL;
			assert_int_equal(img_decomp_read(d, out, 1, &again), -1);
			assert_string_equal(again->msg, (*err)->msg);
			burrow_err_free(again);
			assert_true(img_decomp_failed(d));
			img_decomp_free(d);
			free(out);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	img_decomp_free(d);
	*outlen = n;
	return out;
}

static void expect_decomp(const unsigned char *in, size_t len, const unsigned char *want, size_t wantlen)
{
	struct burrow_err *err = NULL;
	size_t n = 0;
	unsigned char *out = decomp_all(in, len, &n, &err);
	if (!out)
		fail_msg("%s", err->msg);
	assert_int_equal(n, wantlen);
	assert_memory_equal(out, want, wantlen);
	free(out);
}

static void expect_corrupt(const unsigned char *in, size_t len, const char *why)
{
	struct burrow_err *err = NULL;
	size_t n = 0;
	unsigned char *out = decomp_all(in, len, &n, &err);
	if (out)
		fail_msg("corrupt data accepted (expected '%s')", why);
	assert_int_equal(err->status, EBADMSG);
	assert_true(str_has_prefix(err->msg, "the compressed data is corrupt: "));
	if (!strstr(err->msg, why))
		fail_msg("message '%s' lacks '%s'", err->msg, why);
	assert_non_null(err->hint);
	burrow_err_free(err);
}

static void test_decomp_gzip(void **state)
{
	(void)state;
	size_t len = 300000;
	unsigned char *data = xmalloc(len);
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)((i * 7919) % 251 ^ (i >> 9));
	size_t cap = len * 2 + 1000;
	unsigned char *z = xmalloc(cap), *bad = xmalloc(cap);
	size_t zl = gz(data, len, false, z, cap);
	expect_decomp(z, zl, data, len);
	/* several members (cat a.gz b.gz), zero padding after the last */
	size_t zl2 = gz(data, len, true, bad, cap);
	expect_decomp(bad, zl2, data, len);
	memset(bad + zl2, 0, 3000);
	expect_decomp(bad, zl2 + 3000, data, len);
	/* plain data passes through */
	expect_decomp(data + 1, len - 1, data + 1, len - 1);

	memcpy(bad, z, zl);
	bad[zl - 8] ^= 0x01; /* the CRC-32 */
	expect_corrupt(bad, zl, "the CRC-32 in the gzip trailer does not match the data");
	memcpy(bad, z, zl);
	bad[zl - 2] ^= 0x40; /* the length */
	expect_corrupt(bad, zl, "the length in the gzip trailer does not match the data");
	memcpy(bad, z, zl);
	bad[zl / 2] ^= 0x10; /* in the data: the CRC finds it, if inflate does not */
	expect_corrupt(bad, zl, "");
	expect_corrupt(z, zl - 3, "the gzip stream ends early (truncated)");
	expect_corrupt(z, zl / 2, "the gzip stream ends early (truncated)");
	memcpy(bad, z, zl);
	memcpy(bad + zl, "\0\0garbage", 9);
	expect_corrupt(bad, zl + 9, "data after the end of the gzip stream");
	/* a mid-stream deflate error: half the data, then a block of the
	 * reserved type 3 */
	z_stream zs = {0};
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = data;
	zs.avail_in = (uInt)(len / 2);
	zs.next_out = bad;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FULL_FLUSH), Z_OK);
	size_t at = cap - zs.avail_out;
	deflateEnd(&zs);
	bad[at] = 0x06;
	memset(bad + at + 1, 0xff, 64);
	expect_corrupt(bad, at + 65, "gzip: invalid block type");

	/* the magic of a format is not enough: a tar whose first name starts
	 * with bzip2's ("BZh9") or gzip's is a tar */
	const unsigned char looks_bz[] = "BZh91AY&Sy and more", looks_gz[] = "\x1f\x8b\x09 not gzip";
	expect_decomp(looks_bz, sizeof(looks_bz) - 1, looks_bz, sizeof(looks_bz) - 1);
	expect_decomp(looks_gz, sizeof(looks_gz) - 1, looks_gz, sizeof(looks_gz) - 1);
	/* gzip of nothing is nothing */
	zl = gz(data, 0, false, z, cap);
	expect_decomp(z, zl, data, 0);

	struct burrow_err *err = NULL;
	struct membuf m = {data, 0, 0};
	assert_null(img_decomp_open(mem_read, &m, &err));
	assert_int_equal(err->status, ENODATA);
	assert_string_equal(err->msg, "it is empty");
	burrow_err_free(err);
	free(data);
	free(z);
	free(bad);
}

/* A tar reader that chokes on the garbage a damaged gzip member yields
 * (a header checksum, an unreadable name) must report the damage, found
 * at the end of the stream, not the garbage. */
static void test_unpack_corrupt_gzip(void **state)
{
	(void)state;
	struct tarbuf t;
	tb_open(&t);
	for (int i = 0; i < 200; i++) {
		char name[32], data[600];
		snprintf(name, sizeof(name), "f%03d", i);
		memset(data, 'a' + i % 26, sizeof(data) - 1);
		data[(size_t)i * 3 % sizeof(data)] = '\0';
		F(&t, name, data);
	}
	assert_int_equal(archive_write_close(t.a), ARCHIVE_OK);
	archive_write_free(t.a);
	size_t cap = t.used * 2 + 1000;
	unsigned char *z = xmalloc(cap);
	size_t zl = gz(t.buf, t.used, false, z, cap);
	free(t.buf);
	int seen_corrupt = 0;
	for (size_t at = 40; at < zl - 8; at += zl / 23) {
		struct sandbox s;
		sandbox_new(&s);
		z[at] ^= 0x04;
		int fd = memfd_create("gz", MFD_CLOEXEC);
		assert_int_equal(write_all(fd, z, zl), 0);
		lseek(fd, 0, SEEK_SET);
		z[at] ^= 0x04;
		struct img_unpack_stats st;
		struct burrow_err *err = NULL;
		if (img_unpack(fd, s.layerfd, "t.tar.gz", &st, &err) < 0) {
			if (!str_has_prefix(err->msg, "the compressed data is corrupt: "))
				fail_msg("flipped bit at %zu: %s", at, err->msg);
			seen_corrupt++;
			burrow_err_free(err);
		}
		close(fd);
		sandbox_free(&s);
	}
	assert_true(seen_corrupt > 15);
	free(z);
}

/* --- import into a store ------------------------------------------------------ */

/* Imports dir/t.tar twice into a store under dir (the second finds its
 * layer in place); writes what went wrong to out. */
static int import_twice(int out, const char *dir)
{
	char *root = path_join(dir, "root"), *runroot = path_join(dir, "run"), *tar = path_join(dir, "t.tar");
	struct burrow_err *err = NULL;
	struct state_store *s = NULL;
	if (mkdir(root, 0700) < 0 || mkdir(runroot, 0700) < 0 || state_open(root, runroot, &s, &err) < 0) {
		dprintf(out, "store: %s", err ? err->msg : strerror(errno));
		return 1;
	}
	struct img_import_opts o = {.source = tar};
	for (int i = 0; i < 2; i++) {
		char *id = NULL;
		if (img_import(s, &o, &id, &err) < 0) {
			dprintf(out, "import %d: %s", i + 1, err->msg);
			return 1;
		}
		free(id);
	}
	state_close(s);
	return 0;
}

/* In a child: import_twice with renameat2's flags refused (EINVAL). */
static int import_without_noreplace(const void *dir, int out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(renameat2), 1, SCMP_A4(SCMP_CMP_NE, 0)) < 0 ||
	    seccomp_load(ctx) < 0) {
		dprintf(out, "cannot load a seccomp filter");
		return 1;
	}
	return import_twice(out, dir);
}

/* Filesystems without renameat2's RENAME_NOREPLACE (ZFS before 2.2, some
 * FUSE filesystems) answer EINVAL: import must not depend on it. */
static void test_import_without_rename_noreplace(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-import-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct tarbuf t;
	tb_open(&t);
	F(&t, "etc/hostname", "box\n");
	char digest[65];
	int fd = tb_close(&t, digest);
	char *tar = path_join(dir, "t.tar");
	struct burrow_err *err = NULL;
	char *data = NULL;
	size_t len = 0;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	assert_int_equal(read_file(proc, &data, &len, &err), 0);
	assert_int_equal(write_file(tar, data, len, 0644, &err), 0);
	free(data);
	free(tar);
	close(fd);

	char msg[1024];
	int status = child_spawn(import_without_noreplace, dir, msg, sizeof(msg));
	char *layer = xasprintf("%s/root/layers/%s/diff/etc/hostname", dir, digest);
	int there = access(layer, F_OK);
	free(layer);
	assert_int_equal(rm_rf(dir, &err), 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s", msg);
	assert_int_equal(there, 0);
}

/* --- fuse-overlayfs ------------------------------------------------------------ */

static int write_map(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = write_all(fd, text, strlen(text));
	close(fd);
	return r;
}

/* Is a fuse-overlayfs still serving dir? */
static int server_alive(const char *dir)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = 0;
	while ((de = readdir(d))) {
		char p[300], buf[4096];
		snprintf(p, sizeof(p), "/proc/%s/cmdline", de->d_name);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read_all(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (!strstr(buf, "fuse-overlayfs"))
			continue;
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
			if (strcmp(buf + i, dir) == 0)
				found = 1;
	}
	closedir(d);
	return found;
}

/* In a child: a user namespace (uid -> 0) and a private mount namespace. */
static void enter_userns(int out)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		dprintf(out, "cannot make a user namespace: %s", strerror(errno));
		_exit(77);
	}
	char map[64];
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	CHILD_CHECK(write_map("/proc/self/uid_map", map) == 0, "uid_map: %s", strerror(errno));
	write_map("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	CHILD_CHECK(write_map("/proc/self/gid_map", map) == 0, "gid_map: %s", strerror(errno));
	CHILD_CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "private /: %s", strerror(errno));
}

static void ovl_child(int out, const char *dir)
{
	enter_userns(out);
	char *l1 = path_join(dir, "l1"), *l2 = path_join(dir, "l2"), *u = path_join(dir, "u"), *w = path_join(dir, "w"),
	     *m = path_join(dir, "m");
	CHILD_CHECK(mkdir(l1, 0755) == 0 && mkdir(l2, 0755) == 0 && mkdir(u, 0755) == 0 && mkdir(w, 0700) == 0 &&
	                mkdir(m, 0755) == 0,
	            "mkdir: %s", strerror(errno));
	struct burrow_err *err = NULL;
	char *p = path_join(l1, "file");
	write_file(p, "low", 3, 0644, &err);
	free(p);
	p = path_join(l2, "file");
	write_file(p, "high", 4, 0644, &err); /* the upper layer wins */
	free(p);
	p = path_join(l1, "only-low");
	write_file(p, "1", 1, 0644, &err);
	free(p);

	char *lowers[] = {l1, l2, NULL};
	CHILD_CHECK(ovl_mount(NULL, lowers, u, w, m, NULL, &err) == 0, "ovl_mount: %s", err->msg);
	char *c = NULL;
	p = path_join(m, "file");
	CHILD_CHECK(read_file(p, &c, NULL, &err) == 0 && strcmp(c, "high") == 0, "merged file: %s", c ? c : "?");
	free(c);
	free(p);
	p = path_join(m, "only-low");
	CHILD_CHECK(access(p, F_OK) == 0, "only-low missing in the mount");
	free(p);
	p = path_join(m, "new");
	CHILD_CHECK(write_file(p, "new", 3, 0644, &err) == 0, "write in mount: %s", err ? err->msg : "");
	free(p);
	p = path_join(u, "new");
	CHILD_CHECK(access(p, F_OK) == 0, "the new file is not in upper");
	free(p);
	p = path_join(l1, "new");
	CHILD_CHECK(access(p, F_OK) < 0 && errno == ENOENT, "the lower layer changed");
	free(p);
	CHILD_CHECK(server_alive(m), "no fuse-overlayfs process found for the mount");

	CHILD_CHECK(ovl_umount(m, 0, &err) == 0, "ovl_umount: %s", err->msg);
	p = path_join(m, "file");
	CHILD_CHECK(access(p, F_OK) < 0, "still mounted after ovl_umount");
	free(p);
	CHILD_CHECK(!server_alive(m), "fuse-overlayfs still running after ovl_umount");
	/* unmounting what is not mounted is fine */
	CHILD_CHECK(ovl_umount(m, 0, &err) == 0, "second ovl_umount: %s", err->msg);

	/* fuse-overlayfs' own failure: its message in ours */
	char *missing = path_join(dir, "no-such-layer");
	char *bad[] = {missing, NULL};
	CHILD_CHECK(ovl_mount(NULL, bad, u, w, m, NULL, &err) < 0, "mount of a missing layer succeeded");
	CHILD_CHECK(strstr(err->msg, "fuse-overlayfs exited with") && !strchr(err->msg, '\n'), "bad message: %s",
	            err->msg);
	burrow_err_free(err);
	err = NULL;
	/* option syntax cannot carry ',' */
	char *comma = path_join(dir, "a,b");
	char *bad2[] = {comma, NULL};
	CHILD_CHECK(ovl_mount(NULL, bad2, u, w, m, NULL, &err) < 0 && strstr(err->msg, "contains ','") && err->hint,
	            "a ',' in a path was not refused");
	burrow_err_free(err);
	err = NULL;
	/* a missing program names the package */
	struct ovl_opts no_fuse = {.fuse_program = "/nonexistent/fuse-overlayfs"};
	CHILD_CHECK(ovl_mount(&no_fuse, lowers, u, w, m, NULL, &err) < 0 && err->status == ENOENT && err->hint &&
	                strstr(err->hint, "fuse-overlayfs"),
	            "missing program: %s", err ? err->msg : "accepted");
	burrow_err_free(err);
	err = NULL;

	struct ovl_probe pr;
	CHILD_CHECK(ovl_probe(NULL, dir, &pr, &err) == 0, "ovl_probe: %s", err->msg);
	CHILD_CHECK(pr.fuse_path && str_has_suffix(pr.fuse_path, "/fuse-overlayfs"), "probe: no fuse path");
	CHILD_CHECK(pr.fuse_version && *pr.fuse_version, "probe: no fuse-overlayfs version");
	dprintf(out, "ok fuse-overlayfs %s, kernel overlay %s", pr.fuse_version,
	        pr.kernel_overlay_works ? "works" : "does not work");
	ovl_probe_clear(&pr);
	_exit(0);
}

/* Runs child(out, dir) in a process of its own with a fresh temporary dir;
 * exit 77 skips (no user namespaces here), other failures print what the
 * child wrote. */
struct ovl_child {
	void (*fn)(int out, const char *dir); /* _exits: 0, 77 (cannot run here) or 1 */
	const char *dir;
};

static int ovl_child_call(const void *call, int out)
{
	const struct ovl_child *c = call;
	c->fn(out, c->dir);
	return 1;
}

static void run_ovl_child(void (*child)(int, const char *))
{
	char *prog = NULL;
	struct burrow_err *err = NULL;
	if (ovl_find_fuse(NULL, &prog, &err) < 0) {
		if (must_work())
			fail_msg("%s", err->msg);
		burrow_err_free(err);
		skip();
	}
	free(prog);
	char dir[] = "/tmp/burrow-test-ovl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct ovl_child call = {child, dir};
	char msg[1024];
	int status = child_spawn(ovl_child_call, &call, msg, sizeof(msg));
	assert_int_equal(rm_rf(dir, &err), 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77 && !must_work()) {
		print_message("skipped: %s\n", msg);
		skip();
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s", msg);
	print_message("%s\n", msg);
}

static void test_ovl_mount(void **state)
{
	(void)state;
	run_ovl_child(ovl_child);
}

/* Without pidfd_open (Linux before 5.3: RHEL 8 on many HPC login nodes),
 * ovl_umount still sees the server exit, also when the server is our own
 * child and stays a zombie until it is reaped. */
static void ovl_child_no_pidfd(int out, const char *dir)
{
	enter_userns(out);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	CHILD_CHECK(ctx && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0) == 0 &&
	                seccomp_load(ctx) == 0,
	            "cannot load a seccomp filter");
	char *l = path_join(dir, "l"), *u = path_join(dir, "u"), *w = path_join(dir, "w"), *m = path_join(dir, "m");
	CHILD_CHECK(mkdir(l, 0755) == 0 && mkdir(u, 0755) == 0 && mkdir(w, 0700) == 0 && mkdir(m, 0755) == 0,
	            "mkdir: %s", strerror(errno));
	char *lowers[] = {l, NULL};
	struct burrow_err *err = NULL;
	pid_t server = 0;
	CHILD_CHECK(ovl_mount(NULL, lowers, u, w, m, &server, &err) == 0, "ovl_mount: %s", err->msg);
	CHILD_CHECK(server > 0, "ovl_mount did not tell the server");
	int64_t a = now_ms();
	CHILD_CHECK(ovl_umount(m, server, &err) == 0, "ovl_umount: %s", err->msg);
	long ms = (long)(now_ms() - a);
	/* seen gone, not given up on: that waits 2 s (overlay/mount.c's
	 * EXIT_TIMEOUT_MS), then signals; all of the rest is room for a loaded
	 * machine (the bound was 1 s) */
	CHILD_CHECK(ms < 1900, "ovl_umount took %ld ms", ms);
	CHILD_CHECK(waitpid(server, NULL, WNOHANG) < 0 && errno == ECHILD, "the server was not reaped");
	dprintf(out, "ok without pidfd: unmounted in %ld ms", ms);
	_exit(0);
}

static void test_ovl_umount_without_pidfd(void **state)
{
	(void)state;
	run_ovl_child(ovl_child_no_pidfd);
}

/* ovl_run's program (fuse-overlayfs daemonizes and lives as long as the
 * mount) must not inherit the caller's descriptors, CLOEXEC or not. */
static void test_ovl_run_closes_fds(void **state)
{
	(void)state;
	int fd = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 100), 100);
	close(fd);
	char *argv[] = {(char *)"/bin/sh", (char *)"-c",
	                (char *)"if [ -e /proc/self/fd/100 ]; then echo leaked; else echo closed; fi", NULL};
	int status = -1;
	char *out = NULL;
	struct burrow_err *err = NULL;
	int r = ovl_run(argv, "checking its fds", 5000, &status, &out, &err);
	close(100);
	assert_int_equal(r, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(out, "closed\n");
	free(out);
}

static void test_ovl_paths(void **state)
{
	(void)state;
	char *d = ovl_layer_dir("/data/burrow", "abc");
	assert_string_equal(d, "/data/burrow/layers/abc/diff");
	free(d);
	d = ovl_layers_dir("/data/burrow/");
	assert_string_equal(d, "/data/burrow/layers");
	free(d);
	char *line = ovl_one_line("unknown argument ignored: lazytime\n  fuse: bad mount point `x': No such file\n\n"
	                          "second\n");
	assert_string_equal(line, "fuse: bad mount point `x': No such file; second");
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ref_normalize),       cmocka_unit_test(test_ref_invalid),
	    cmocka_unit_test(test_ref_digests),         cmocka_unit_test(test_change),
	    cmocka_unit_test(test_split_words),         cmocka_unit_test(test_tar_paths),
	    cmocka_unit_test(test_unpack_basic),        cmocka_unit_test(test_unpack_hostile),
	    cmocka_unit_test(test_unpack_not_tar),      cmocka_unit_test(test_unpack_xattrs),
	    cmocka_unit_test(test_unpack_modes_owners), cmocka_unit_test(test_unpack_hard_link_to_symlink),
	    cmocka_unit_test(test_unpack_deep),         cmocka_unit_test(test_decomp_gzip),
	    cmocka_unit_test(test_unpack_corrupt_gzip), cmocka_unit_test(test_ovl_paths),
	    cmocka_unit_test(test_ovl_mount),           cmocka_unit_test(test_ovl_umount_without_pidfd),
	    cmocka_unit_test(test_ovl_run_closes_fds),  cmocka_unit_test(test_import_without_rename_noreplace),
	    cmocka_unit_test(test_unpack_wh_pairs),     cmocka_unit_test(test_unpack_copy_wh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
