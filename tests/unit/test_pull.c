/* Unit tests for the pull side of image/: chain IDs and the records of
 * pulled images, manifests and platform selection, WWW-Authenticate,
 * registries.conf, auth.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/state.h"

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEX_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* --- chain IDs ------------------------------------------------------------ */

static void test_chain_ids(void **state)
{
	(void)state;
	char *diff_ids[] = {"sha256:" HEX_A, "sha256:" HEX_B, "sha256:" HEX_C, NULL};
	char **ids = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(img_chain_ids(diff_ids, &ids, &err), 0);
	assert_int_equal(strv_len(ids), 3);
	assert_string_equal(ids[0], HEX_A);
	/* sha256("sha256:<a> sha256:<b>"), as containers/storage computes it */
	assert_string_equal(ids[1], "ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c");
	assert_string_equal(ids[2], "c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588");
	strv_free(ids);

	char *bad[] = {"sha256:" HEX_A, "md5:abc", NULL};
	assert_int_equal(img_chain_ids(bad, &ids, &err), -1);
	assert_non_null(strstr(err->msg, "invalid diff ID 'md5:abc'"));
	burrow_err_free(err);
}

/* --- the store: records of pulled images, lookups by digest ------------------ */

static void commit_image(struct state_store *s, const char *id, const char *repo_digest, const char *tag)
{
	char *digests[] = {(char *)repo_digest, NULL};
	char *layer_ids[] = {HEX_A, NULL};
	struct img_layer_record l = {.id = HEX_A,
	                             .diff_id = "sha256:" HEX_A,
	                             .compressed_digest = "sha256:" HEX_B,
	                             .media_type = "application/vnd.oci.image.layer.v1.tar+gzip",
	                             .size = 10,
	                             .compressed_size = 5};
	struct img_layer_record *layers[] = {&l};
	struct img_config cfg = {0};
	strv_append(&cfg.cmd, "sh");
	struct img_commit c = {.id = id,
	                       .config_blob = "{\"architecture\":\"amd64\"}",
	                       .manifest = "{\"schemaVersion\":2}",
	                       .manifest_type = "application/vnd.oci.image.manifest.v1+json",
	                       .digest = strchr(repo_digest, '@') + 1,
	                       .repo_digests = digests,
	                       .reference = tag,
	                       .layer_ids = layer_ids,
	                       .layers = layers,
	                       .nlayers = 1,
	                       .created = 1700000000,
	                       .size = 10,
	                       .config = &cfg,
	                       .arch = "amd64",
	                       .os = "linux"};
	struct burrow_err *err = NULL;
	if (img_store_image(s, &c, &err) < 0)
		fail_msg("store: %s", err->msg);
	img_config_clear(&cfg);
}

static void expect_lookup(struct state_store *s, const char *ref, const char *want_id, const char *want_msg)
{
	struct img_info *i = NULL;
	struct burrow_err *err = NULL;
	int r = img_lookup(s, ref, &i, &err);
	if (want_id) {
		if (r < 0)
			fail_msg("'%s': %s", ref, err->msg);
		assert_string_equal(i->id, want_id);
		img_info_free(i);
		return;
	}
	assert_int_equal(r, -1);
	if (!strstr(err->msg, want_msg))
		fail_msg("'%s': message '%s' lacks '%s'", ref, err->msg, want_msg);
	burrow_err_free(err);
}

static void test_store_pulled(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-pull-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *root = path_join(dir, "root"), *runroot = path_join(dir, "run");
	assert_int_equal(mkdir(root, 0700), 0);
	assert_int_equal(mkdir(runroot, 0700), 0);
	struct state_store *s = NULL;
	struct burrow_err *err = NULL;
	if (state_open(root, runroot, &s, &err) < 0)
		fail_msg("state_open: %s", err->msg);

	commit_image(s, HEX_B, "docker.io/library/alpine@sha256:" HEX_C, "docker.io/library/alpine:latest");
	expect_lookup(s, "docker.io/library/alpine@sha256:" HEX_C, HEX_B, NULL);
	expect_lookup(s, "docker.io/alpine@sha256:" HEX_C, HEX_B, NULL);
	expect_lookup(s, "alpine@sha256:" HEX_C, HEX_B, NULL);
	expect_lookup(s, "alpine", HEX_B, NULL);
	expect_lookup(s, "quay.io/alpine@sha256:" HEX_C, NULL, "image 'quay.io/alpine@sha256:" HEX_C "' not known");
	expect_lookup(s, "alpine@sha256:" HEX_A, NULL, "not known");

	/* the same digest under another repository: a short name is ambiguous */
	commit_image(s, HEX_C, "quay.io/x/alpine@sha256:" HEX_C, "docker.io/library/alpine:latest");
	expect_lookup(s, "alpine@sha256:" HEX_C, NULL, "ambiguous");
	expect_lookup(s, "quay.io/x/alpine@sha256:" HEX_C, HEX_C, NULL);
	/* the tag moved to the second image; the first keeps its digest */
	expect_lookup(s, "docker.io/library/alpine:latest", HEX_C, NULL);
	struct img_info *i = NULL;
	assert_int_equal(img_lookup(s, HEX_B, &i, &err), 0);
	assert_int_equal(strv_len(i->names), 0);
	assert_int_equal(strv_len(i->digests), 1);
	assert_string_equal(i->digest, "sha256:" HEX_C);
	img_info_free(i);

	/* a short name that registries.conf aliases is found under its full name */
	char *conf = path_join(dir, "registries.conf");
	const char *aliases = "[aliases]\n\"al\" = \"docker.io/library/alpine\"\n";
	assert_int_equal(write_file(conf, aliases, strlen(aliases), 0600, &err), 0);
	setenv("CONTAINERS_REGISTRIES_CONF", conf, 1);
	expect_lookup(s, "al@sha256:" HEX_C, HEX_B, NULL);
	expect_lookup(s, "al", HEX_C, NULL);
	expect_lookup(s, "al:nosuch", NULL, "image 'al:nosuch' not known");
	unsetenv("CONTAINERS_REGISTRIES_CONF");
	free(conf);

	/* a second pull of the same image adds names and digests once */
	commit_image(s, HEX_B, "docker.io/library/alpine@sha256:" HEX_C, "docker.io/library/alpine:3");
	commit_image(s, HEX_B, "docker.io/library/alpine@sha256:" HEX_C, "docker.io/library/alpine:3");
	assert_int_equal(img_lookup(s, HEX_B, &i, &err), 0);
	assert_int_equal(strv_len(i->names), 1);
	assert_string_equal(i->names[0], "docker.io/library/alpine:3");
	assert_int_equal(strv_len(i->digests), 1);
	img_info_free(i);

	/* the raw documents and the layer record */
	char *blob = NULL;
	assert_int_equal(img_blob_get(s, "img-config", HEX_B, &blob, &err), 0);
	assert_string_equal(blob, "{\"architecture\":\"amd64\"}");
	free(blob);
	assert_int_equal(img_blob_get(s, "img-manifest", HEX_B, &blob, &err), 0);
	free(blob);
	assert_int_equal(img_blob_get(s, "img-manifest", HEX_A, &blob, &err), 1);
	struct img_layer_record l;
	assert_int_equal(img_layer_get(s, HEX_A, &l, &err), 0);
	assert_string_equal(l.diff_id, "sha256:" HEX_A);
	assert_string_equal(l.compressed_digest, "sha256:" HEX_B);
	assert_int_equal(l.compressed_size, 5);
	assert_null(l.parent);
	img_layer_record_clear(&l);

	state_close(s);
	assert_int_equal(rm_rf(dir, &err), 0);
	free(root);
	free(runroot);
}

/* --- manifests and platforms ---------------------------------------------------- */

#define DESC(mt, hex, size) "{\"mediaType\":\"" mt "\",\"digest\":\"sha256:" hex "\",\"size\":" #size "}"
#define OCI_LAYER "application/vnd.oci.image.layer.v1.tar+gzip"

static void parse_ok(const char *body, const char *ctype, struct img_manifest *m)
{
	struct burrow_err *err = NULL;
	if (img_manifest_parse(body, strlen(body), ctype, m, &err) < 0)
		fail_msg("refused: %s\n%s", err->msg, body);
}

static void parse_bad(const char *body, const char *ctype, const char *want, int status)
{
	struct img_manifest m;
	struct burrow_err *err = NULL;
	if (img_manifest_parse(body, strlen(body), ctype, &m, &err) == 0) {
		img_manifest_clear(&m);
		fail_msg("accepted: %s", body);
	}
	if (!strstr(err->msg, want))
		fail_msg("message '%s' lacks '%s'", err->msg, want);
	if (status)
		assert_int_equal(err->status, status);
	burrow_err_free(err);
}

static void test_manifest_parse(void **state)
{
	(void)state;
	struct img_manifest m;
	/* OCI manifest, media type in the document */
	parse_ok("{\"schemaVersion\":2,\"mediaType\":\"" IMG_MT_OCI_MANIFEST
	         "\",\"config\":" DESC("application/vnd.oci.image.config.v1+json", HEX_A, 12) ",\"layers\":[" DESC(
	             OCI_LAYER, HEX_B, 100) "," DESC("application/vnd.oci.image.layer.v1.tar+zstd", HEX_C, 7) "]}",
	         NULL, &m);
	assert_int_equal(m.kind, IMG_MANIFEST_IMAGE);
	assert_string_equal(m.config.digest, "sha256:" HEX_A);
	assert_int_equal(m.nlayers, 2);
	assert_int_equal(m.layers[0].size, 100);
	assert_string_equal(m.layers[1].digest, "sha256:" HEX_C);
	img_manifest_clear(&m);

	/* Docker schema 2, media type from the response header only */
	parse_ok("{\"schemaVersion\":2,\"config\":" DESC(
	             "application/vnd.docker.container.image.v1+json", HEX_A,
	             1) ",\"layers\":[" DESC("application/vnd.docker.image.rootfs.diff.tar.gzip", HEX_B, 2) "]}",
	         IMG_MT_DOCKER_MANIFEST "; charset=utf-8", &m);
	assert_string_equal(m.media_type, IMG_MT_DOCKER_MANIFEST);
	img_manifest_clear(&m);

	/* an index told by its contents (no media type anywhere) */
	parse_ok("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" IMG_MT_OCI_MANIFEST
	         "\",\"digest\":\"sha256:" HEX_A
	         "\",\"size\":5,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}",
	         "application/json", &m);
	assert_int_equal(m.kind, IMG_MANIFEST_INDEX);
	assert_int_equal(m.nmanifests, 1);
	assert_string_equal(m.manifests[0].arch, "arm64");
	assert_string_equal(m.manifests[0].variant, "v8");
	img_manifest_clear(&m);

	parse_bad("not json at all", NULL, "it is not JSON", 0);
	parse_bad("[1, 2]", NULL, "not a JSON object", 0);
	parse_bad("{\"schemaVersion\":1,\"fsLayers\":[]}", NULL, "schema 1", ENOTSUP);
	parse_bad("{\"schemaVersion\":2}", "application/vnd.docker.distribution.manifest.v1+prettyjws", "schema 1",
	          ENOTSUP);
	parse_bad("{\"mediaType\":\"application/vnd.example+json\"}", NULL,
	          "unknown manifest media type 'application/vnd.example+json'", ENOTSUP);
	parse_bad("{\"config\":" DESC("application/vnd.oci.image.config.v1+json", HEX_A,
	                              1) ",\"layers\":[" DESC("application/x-mystery", HEX_B, 2) "]}",
	          NULL, "layer 1 has an unknown media type 'application/x-mystery'", ENOTSUP);
	parse_bad("{\"config\":" DESC("application/vnd.oci.image.config.v1+json", HEX_A, 1) ",\"layers\":[" DESC(
	              "application/vnd.oci.image.layer.v1.tar+gzip+encrypted", HEX_B, 2) "]}",
	          NULL, "encrypted", ENOTSUP);
	parse_bad("{\"config\":" DESC("application/vnd.cncf.helm.config.v1+json", HEX_A, 1) ",\"layers\":[]}", NULL,
	          "not a container image", ENOTSUP);
	parse_bad("{\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha512:ab\","
	          "\"size\":1},\"layers\":[]}",
	          NULL, "only sha256", 0);
	parse_bad("{\"config\":{\"digest\":\"sha256:" HEX_A "\"},\"layers\":[]}", NULL, "no valid size", 0);
	parse_bad("{\"config\":" DESC("application/vnd.oci.image.config.v1+json", HEX_A, 1) "}", NULL,
	          "no \"layers\" list", 0);
	char nul[] = "{\"schemaVersion\":2}\0{}";
	struct burrow_err *err = NULL;
	assert_int_equal(img_manifest_parse(nul, sizeof(nul) - 1, NULL, &m, &err), -1);
	assert_non_null(strstr(err->msg, "NUL"));
	burrow_err_free(err);
}

#define ENTRY(hex, plat) "{\"mediaType\":\"" IMG_MT_OCI_MANIFEST "\",\"digest\":\"sha256:" hex "\",\"size\":1," plat "}"
#define PLAT(os, arch) "\"platform\":{\"os\":\"" os "\",\"architecture\":\"" arch "\"}"
#define PLATV(os, arch, v) "\"platform\":{\"os\":\"" os "\",\"architecture\":\"" arch "\",\"variant\":\"" v "\"}"

static void expect_select(const struct img_manifest *idx, const char *platform, const char *arch, const char *variant,
                          long want, const char *msg)
{
	struct img_platform p;
	struct burrow_err *err = NULL;
	assert_int_equal(img_platform_init(platform, NULL, arch, variant, &p, &err), 0);
	size_t which = 99;
	int r = img_manifest_select(idx, &p, &which, &err);
	img_platform_clear(&p);
	if (want >= 0) {
		if (r < 0)
			fail_msg("%s/%s: %s", platform ? platform : "-", arch ? arch : "-", err->msg);
		assert_int_equal(which, (size_t)want);
		return;
	}
	assert_int_equal(r, -1);
	if (!strstr(err->msg, msg))
		fail_msg("message '%s' lacks '%s'", err->msg, msg);
	assert_int_equal(err->status, ENOENT);
	burrow_err_free(err);
}

static void test_platform_select(void **state)
{
	(void)state;
	struct img_manifest idx;
	parse_ok(
	    "{\"mediaType\":\"" IMG_MT_OCI_INDEX
	    "\",\"manifests\":[" ENTRY(HEX_A, PLAT("unknown", "unknown")) "," ENTRY(HEX_A, PLAT("linux", "amd64")) "," ENTRY(
	        HEX_B,
	        PLATV(
	            "linux", "arm",
	            "v6")) "," ENTRY(HEX_B,
	                             PLATV(
	                                 "linux", "arm",
	                                 "v7")) "," ENTRY(HEX_C,
	                                                  PLAT(
	                                                      "linux",
	                                                      "arm64")) "," ENTRY(HEX_C,
	                                                                          PLATV(
	                                                                              "linux", "amd64",
	                                                                              "v3")) "," ENTRY(HEX_C,
	                                                                                               PLAT(
	                                                                                                   "windows",
	                                                                                                   "amd64")) "]"
	                                                                                                             "}",
	    NULL, &idx);
	expect_select(&idx, "linux/amd64", NULL, NULL, 1, NULL);
	expect_select(&idx, NULL, "x86_64", NULL, 1, NULL);
	expect_select(&idx, "linux/amd64/v3", NULL, NULL, 5, NULL);
	expect_select(&idx, "linux/arm/v6", NULL, NULL, 2, NULL);
	expect_select(&idx, NULL, "arm", NULL, 3, NULL);    /* arm's default variant is v7 */
	expect_select(&idx, NULL, "armv7l", NULL, 3, NULL); /* uname's name */
	expect_select(&idx, NULL, "arm64", NULL, 4, NULL);  /* no variant: v8 */
	expect_select(&idx, "linux/arm64/v8", NULL, NULL, 4, NULL);
	expect_select(&idx, NULL, "aarch64", "v8", 4, NULL);
	expect_select(&idx, "windows/amd64", NULL, NULL, 6, NULL);
	expect_select(&idx, "linux/arm/v5", NULL, NULL, -1, "no image for linux/arm/v5");
	expect_select(&idx, "linux/s390x", NULL, NULL, -1,
	              "it has linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64, linux/amd64/v3, windows/amd64");
	img_manifest_clear(&idx);

	struct img_platform p;
	struct burrow_err *err = NULL;
	assert_int_equal(img_platform_init("linux", NULL, NULL, NULL, &p, &err), -1);
	assert_non_null(strstr(err->msg, "expected OS/ARCH[/VARIANT]"));
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(img_platform_init("linux/arm//", NULL, NULL, NULL, &p, &err), -1);
	burrow_err_free(err);
	assert_int_equal(img_platform_init(NULL, NULL, NULL, NULL, &p, &err), 0);
	assert_string_equal(p.os, "linux");
	assert_string_equal(p.arch, img_host_arch());
	assert_false(p.variant_given);
	img_platform_clear(&p);
}

/* --- WWW-Authenticate ---------------------------------------------------------------- */

static void test_challenge(void **state)
{
	(void)state;
	struct img_challenge c;
	assert_int_equal(
	    img_challenge_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	                        "scope=\"repository:library/debian:pull\"",
	                        &c),
	    0);
	assert_string_equal(c.scheme, "Bearer");
	assert_string_equal(c.realm, "https://auth.docker.io/token");
	assert_string_equal(c.service, "registry.docker.io");
	assert_string_equal(c.scope, "repository:library/debian:pull");
	assert_null(c.error);
	img_challenge_clear(&c);

	/* blanks, a token value, an escape, unknown parameters, an error */
	assert_int_equal(img_challenge_parse("  Bearer realm = \"https://r.example/t?x=1\" , service=reg.example, "
	                                     "scope=\"repository:a/b:pull,push\", error=\"insufficient_scope\", "
	                                     "foo=\"q\\\"uote\"",
	                                     &c),
	                 0);
	assert_string_equal(c.realm, "https://r.example/t?x=1");
	assert_string_equal(c.service, "reg.example");
	assert_string_equal(c.scope, "repository:a/b:pull,push");
	assert_string_equal(c.error, "insufficient_scope");
	img_challenge_clear(&c);

	assert_int_equal(img_challenge_parse("Basic realm=\"burrow-test\"", &c), 0);
	assert_string_equal(c.scheme, "Basic");
	assert_string_equal(c.realm, "burrow-test");
	img_challenge_clear(&c);
	assert_int_equal(img_challenge_parse("Basic", &c), 0);
	assert_null(c.realm);
	img_challenge_clear(&c);

	assert_int_equal(img_challenge_parse("", &c), -1);
	assert_int_equal(img_challenge_parse("Bearer realm=\"open", &c), -1);
	assert_int_equal(img_challenge_parse("Bearer =x", &c), -1);
	assert_int_equal(img_challenge_parse("Bearer realm", &c), -1);
}

/* --- registries.conf ------------------------------------------------------------------ */

static void add_ok(struct img_registries *r, const char *text, const char *path)
{
	struct burrow_err *err = NULL;
	if (img_registries_add_text(r, text, path, &err) < 0)
		fail_msg("%s refused: %s", path, err->msg);
}

static void add_bad(const char *text, const char *want)
{
	struct img_registries r = {0};
	struct burrow_err *err = NULL;
	if (img_registries_add_text(&r, text, "bad.conf", &err) == 0)
		fail_msg("accepted: %s", text);
	if (!strstr(err->msg, want))
		fail_msg("message '%s' lacks '%s'", err->msg, want);
	assert_true(str_has_prefix(err->msg, "bad.conf: "));
	burrow_err_free(err);
	img_registries_clear(&r);
}

static char *resolve(const struct img_registries *r, const char *ref, char **note)
{
	char **names = NULL;
	struct burrow_err *err = NULL;
	if (img_resolve_name(r, ref, &names, note, &err) < 0)
		fail_msg("'%s': %s", ref, err->msg);
	char *joined = xstrdup("");
	for (size_t i = 0; names[i]; i++) {
		char *t = xasprintf("%s%s%s", joined, i ? " " : "", names[i]);
		free(joined);
		joined = t;
	}
	strv_free(names);
	return joined;
}

static void expect_resolve(const struct img_registries *r, const char *ref, const char *want, const char *want_note)
{
	char *note = NULL;
	char *got = resolve(r, ref, &note);
	assert_string_equal(got, want);
	if (want_note) {
		assert_non_null(note);
		assert_non_null(strstr(note, want_note));
	} else {
		assert_null(note);
	}
	free(got);
	free(note);
}

static char *endpoints(const struct img_registries *r, const char *name)
{
	struct img_endpoint *e = NULL;
	size_t n = 0;
	struct burrow_err *err = NULL;
	if (img_endpoints(r, name, &e, &n, &err) < 0) {
		char *m = xasprintf("error: %s", err->msg);
		burrow_err_free(err);
		return m;
	}
	char *joined = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%s%s|%s|%s%s", joined, i ? " " : "", e[i].mirror ? "mirror:" : "", e[i].host,
		                    e[i].repo, e[i].reference, e[i].insecure ? "|insecure" : "");
		free(joined);
		joined = t;
	}
	img_endpoints_free(e, n);
	return joined;
}

static void expect_endpoints(const struct img_registries *r, const char *name, const char *want)
{
	char *got = endpoints(r, name);
	if (str_has_prefix(want, "error: ") ? !str_has_prefix(got, want) : strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", name, got, want);
	free(got);
}

static void test_registries_conf(void **state)
{
	(void)state;
	struct img_registries r = {0};
	/* nothing set: docker.io, as docker does */
	expect_resolve(&r, "debian", "docker.io/library/debian:latest", NULL);
	expect_resolve(&r, "team/app:1", "docker.io/team/app:1", NULL);
	expect_resolve(&r, "quay.io/x/y", "quay.io/x/y:latest", NULL);
	expect_resolve(&r, "debian@sha256:" HEX_A, "docker.io/library/debian@sha256:" HEX_A, NULL);
	expect_endpoints(&r, "docker.io/library/debian:latest", "docker.io|library/debian|latest");

	add_ok(&r,
	       "unqualified-search-registries = ['registry.example', 'docker.io']\n"
	       "[[registry]]\n"
	       "prefix = 'example.com/foo'\n"
	       "location = 'internal.example.net/bar'\n"
	       "[[registry.mirror]]\n"
	       "location = 'mirror-0.local/mirror-for-foo'\n"
	       "[[registry.mirror]]\n"
	       "location = 'mirror-1.local/mirrors/foo'\n"
	       "insecure = true\n"
	       "[[registry]]\n"
	       "location = 'localhost:5000'\n"
	       "insecure = true\n"
	       "[[registry]]\n"
	       "location = 'blocked.example'\n"
	       "blocked = true\n"
	       "[[registry]]\n"
	       "prefix = '*.wild.example'\n"
	       "insecure = true\n"
	       "[[registry]]\n"
	       "location = 'port.example'\n"
	       "insecure = true\n"
	       "[aliases]\n"
	       "'fedora' = 'registry.fedoraproject.org/fedora'\n",
	       "main.conf");
	expect_resolve(&r, "debian", "registry.example/debian:latest docker.io/library/debian:latest", NULL);
	expect_resolve(&r, "fedora:39", "registry.fedoraproject.org/fedora:39", "as an alias (main.conf:");
	expect_resolve(&r, "fedora@sha256:" HEX_B, "registry.fedoraproject.org/fedora@sha256:" HEX_B, "alias");
	/* mirrors first, then the rewritten location, as containers-registries.conf(5)'s example */
	expect_endpoints(
	    &r, "example.com/foo/image:latest",
	    "mirror:mirror-0.local|mirror-for-foo/image|latest mirror:mirror-1.local|mirrors/foo/image|latest|insecure "
	    "internal.example.net|bar/image|latest");
	expect_endpoints(&r, "localhost:5000/app@sha256:" HEX_A, "localhost:5000|app|sha256:" HEX_A "|insecure");
	/* a prefix that is a host does not take another port of it */
	expect_endpoints(&r, "localhost:50001/app:1", "localhost:50001|app|1");
	expect_endpoints(&r, "example.com/foobar/x:1", "example.com|foobar/x|1");
	expect_endpoints(&r, "a.wild.example/x:1", "a.wild.example|x|1|insecure");
	expect_endpoints(&r, "wild.example/x:1", "wild.example|x|1");
	expect_endpoints(&r, "port.example/x:1", "port.example|x|1|insecure");
	expect_endpoints(&r, "port.example:5000/x:1", "port.example:5000|x|1");
	expect_endpoints(&r, "blocked.example/x:1",
	                 "error: 'blocked.example/x:1' is blocked by registries.conf (main.conf:13)");

	/* a drop-in overrides: the search list, one registry by prefix, an alias */
	add_ok(&r,
	       "unqualified-search-registries = ['quay.io']\n"
	       "[[registry]]\n"
	       "location = 'localhost:5000'\n"
	       "insecure = false\n"
	       "[aliases]\n"
	       "'fedora' = ''\n",
	       "drop-in.conf");
	expect_resolve(&r, "fedora", "quay.io/fedora:latest", NULL);
	expect_endpoints(&r, "localhost:5000/app:1", "localhost:5000|app|1");
	assert_int_equal(strv_len(r.files), 2);
	img_registries_clear(&r);

	/* version 1 */
	add_ok(&r,
	       "[registries.search]\nregistries = ['a.example', 'b.example']\n"
	       "[registries.insecure]\nregistries = ['b.example']\n"
	       "[registries.block]\nregistries = ['c.example']\n",
	       "v1.conf");
	expect_resolve(&r, "x", "a.example/x:latest b.example/x:latest", NULL);
	expect_endpoints(&r, "b.example/x:latest", "b.example|x|latest|insecure");
	expect_endpoints(&r, "c.example/x:latest", "error: 'c.example/x:latest' is blocked");
	img_registries_clear(&r);

	/* an empty search list: short names do not resolve (no docker.io) */
	add_ok(&r, "unqualified-search-registries = []\n", "empty.conf");
	char **names = NULL, *note = NULL;
	struct burrow_err *err = NULL;
	assert_int_equal(img_resolve_name(&r, "debian", &names, &note, &err), -1);
	assert_int_equal(err->status, ENOENT);
	assert_non_null(strstr(err->msg, "short name 'debian' did not resolve"));
	assert_non_null(strstr(err->msg, "(empty.conf:1)"));
	burrow_err_free(err);
	expect_resolve(&r, "quay.io/x", "quay.io/x:latest", NULL);
	img_registries_clear(&r);

	add_bad("unqualified-search-registries = 'docker.io'\n", "line 1: 'unqualified-search-registries' must be an "
	                                                         "array of strings");
	add_bad("[[registry]]\ninsecure = 'yes'\nlocation = 'x.io'\n", "line 2: 'insecure' must be true or false");
	add_bad("[[registry]]\ninsecure = true\n", "needs a 'location' or a 'prefix'");
	add_bad("[[registry]]\nlocation = 'https://x.io'\n", "must not have a scheme");
	add_bad("[[registry]]\nprefix = '*.x.io'\nlocation = 'y.io'\n", "cannot have a 'location'");
	add_bad("[[registry]]\nlocation = 'x.io'\n[[registry.mirror]]\ninsecure = true\n", "needs a 'location'");
	add_bad("[aliases]\n'docker.io/x' = 'quay.io/x'\n", "is not a short name");
	add_bad("[aliases]\n'x' = 'x:1'\n", "must name REGISTRY/NAME without a tag");
	add_bad("unqualified-search-registries = ['b']\n[registries.search]\nregistries = ['a']\n", "mixes");
	add_bad("unqualified-search-registries = [\n", "unterminated array");
}

/* --- auth.json ------------------------------------------------------------------------ */

static void expect_creds(const char *text, const char *name, const char *user, const char *pass)
{
	struct img_creds c;
	struct burrow_err *err = NULL;
	int r = img_auth_lookup_text(text, "auth.json", name, &c, &err);
	if (!user) {
		assert_int_equal(r, 1);
		return;
	}
	if (r != 0)
		fail_msg("%s: %s", name, r < 0 ? err->msg : "not found");
	assert_string_equal(c.user, user);
	assert_string_equal(c.pass, pass);
	img_creds_clear(&c);
}

/* A credential helper on $PATH: it answers for helper.example, says
 * "not found" for none.example, fails for broken.example, answers
 * nonsense for junk.example, an identity token for token.example. */
static const char helper_script[] =
    "#!/bin/sh\n"
    "read -r server || true\n"
    "[ \"$1\" = get ] || exit 3\n"
    "case $server in\n"
    "helper.example) printf '{\"ServerURL\":\"%s\",\"Username\":\"hal\",\"Secret\":\"s:3\"}\\n' \"$server\" ;;\n"
    "https://index.docker.io/v1/) printf '{\"Username\":\"hub\",\"Secret\":\"h\"}' ;;\n"
    "broken.example) echo 'keyring locked' >&2; exit 2 ;;\n"
    "junk.example) echo 'hello' ;;\n"
    "token.example) echo '{\"Username\":\"<token>\",\"Secret\":\"t\"}' ;;\n"
    "*) echo 'credentials not found in native keychain'; exit 1 ;;\n"
    "esac\n";

static void test_cred_helpers(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-credhelper-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *prog = xasprintf("%s/docker-credential-unit", dir);
	struct burrow_err *err = NULL;
	assert_int_equal(write_file(prog, helper_script, strlen(helper_script), 0755, &err), 0);
	cleanup_free char *saved = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	cleanup_free char *path = xasprintf("%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);

	const char *text = "{\"auths\":{\"helper.example\":{},\"plain.example\":{\"auth\":\"YWxpY2U6b25l\"}},"
	                   "\"credHelpers\":{\"helper.example\":\"unit\",\"none.example\":\"unit\","
	                   "\"broken.example\":\"unit\",\"junk.example\":\"unit\",\"token.example\":\"unit\","
	                   "\"missing.example\":\"nosuch\",\"evil.example\":\"../../bin/sh\"}}";
	expect_creds(text, "helper.example/x", "hal", "s:3");
	expect_creds(text, "plain.example/x", "alice", "one");
	expect_creds(text, "none.example/x", NULL, NULL);
	struct img_creds c;
	assert_int_equal(img_auth_lookup_text(text, "auth.json", "helper.example/x", &c, &err), 0);
	assert_string_equal(c.source, "docker-credential-unit (credHelpers of auth.json)");
	img_creds_clear(&c);

	struct {
		const char *name, *msg;
	} bad[] = {
	    {"broken.example/x",
	     "credHelpers of auth.json: credential helper 'docker-credential-unit' exited with 2 for broken.example: "
	     "keyring locked"},
	    {"junk.example/x", "credential helper 'docker-credential-unit' answered for junk.example with something "
	                       "other than"},
	    {"token.example/x", "holds an identity token for token.example, which burrow cannot use"},
	    {"missing.example/x", "credHelpers of auth.json: credential helper 'docker-credential-nosuch' not found in "
	                          "$PATH"},
	    {"evil.example/x", "names a credential helper '../../bin/sh' that is not a program name"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(img_auth_lookup_text(text, "auth.json", bad[i].name, &c, &err), -1);
		if (!strstr(err->msg, bad[i].msg))
			fail_msg("%s: %s", bad[i].name, err->msg);
		burrow_err_free(steal_ptr(err));
	}

	/* credsStore answers for every registry an entry does not; Docker Hub
	 * is asked for by its v1 URL */
	const char *store = "{\"auths\":{\"plain.example\":{\"auth\":\"YWxpY2U6b25l\"}},\"credsStore\":\"unit\"}";
	expect_creds(store, "plain.example/x", "alice", "one");
	expect_creds(store, "helper.example/x", "hal", "s:3");
	expect_creds(store, "docker.io/library/debian", "hub", "h");
	expect_creds(store, "none.example/x", NULL, NULL);

	assert_true(img_cred_helper_name_ok("pass"));
	assert_true(img_cred_helper_name_ok("ecr-login"));
	assert_false(img_cred_helper_name_ok(""));
	assert_false(img_cred_helper_name_ok(".x"));
	assert_false(img_cred_helper_name_ok("a/b"));
	assert_false(img_cred_helper_name_ok("a b"));

	setenv("PATH", saved, 1);
	unlink(prog);
	rmdir(dir);
}

static void test_auth_json(void **state)
{
	(void)state;
	/* alice:one, bob:two:with:colons, carol:three, dave:four */
	const char *text = "{\"auths\":{"
	                   "\"reg.example\":{\"auth\":\"YWxpY2U6b25l\"},"
	                   "\"reg.example/team\":{\"auth\":\"Ym9iOnR3bzp3aXRoOmNvbG9ucw==\"},"
	                   "\"https://index.docker.io/v1/\":{\"auth\":\"Y2Fyb2w6dGhyZWU=\"},"
	                   "\"helper.example\":{},"
	                   "\"plain.example\":{\"username\":\"dave\",\"password\":\"four\"}},"
	                   "\"credHelpers\":{\"helper.example\":\"secretservice\"}}";
	expect_creds(text, "reg.example/team/app", "bob", "two:with:colons");
	expect_creds(text, "reg.example/team", "bob", "two:with:colons");
	expect_creds(text, "reg.example/other/app", "alice", "one");
	expect_creds(text, "reg.example", "alice", "one");
	expect_creds(text, "docker.io/library/debian", "carol", "three");
	expect_creds(text, "plain.example/x", "dave", "four");
	expect_creds(text, "other.example/x", NULL, NULL);
	expect_creds("{}", "reg.example", NULL, NULL);

	struct img_creds c;
	struct burrow_err *err = NULL;
	assert_int_equal(img_auth_lookup_text("{\"auths\":{\"r.io\":{\"auth\":\"!!\"}}}", "a.json", "r.io", &c, &err),
	                 -1);
	assert_non_null(strstr(err->msg, "a.json: the \"auth\" of 'r.io' is not base64 of USER:PASSWORD"));
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(img_auth_lookup_text("{\"auths\":", "a.json", "r.io", &c, &err), -1);
	burrow_err_free(err);
	err = NULL;

	/* writing keeps everything else; a second login replaces the entry */
	int removed = -1;
	char *out = img_auth_edit_text(text, "reg.example", "eve", "five", &removed, &err);
	assert_non_null(out);
	assert_int_equal(removed, 1);
	expect_creds(out, "reg.example/x", "eve", "five");
	expect_creds(out, "reg.example/team/x", "bob", "two:with:colons");
	expect_creds(out, "docker.io/x", "carol", "three");
	assert_non_null(strstr(out, "\"credHelpers\""));
	assert_non_null(strstr(out, "\"secretservice\""));
	char *out2 = img_auth_edit_text(out, "docker.io", NULL, NULL, &removed, &err);
	assert_int_equal(removed, 1);
	expect_creds(out2, "docker.io/x", NULL, NULL);
	expect_creds(out2, "reg.example/x", "eve", "five");
	free(out);
	out = img_auth_edit_text(out2, NULL, NULL, NULL, &removed, &err);
	assert_int_equal(removed, 4);
	expect_creds(out, "reg.example/x", NULL, NULL);
	assert_non_null(strstr(out, "\"credHelpers\""));
	free(out);
	free(out2);
	out = img_auth_edit_text(NULL, "new.example:5000", "u", "p:w", &removed, &err);
	assert_int_equal(removed, 0);
	expect_creds(out, "new.example:5000/a/b", "u", "p:w");
	free(out);
	assert_null(img_auth_edit_text("[]", "x", "u", "p", &removed, &err));
	burrow_err_free(err);

	char *k = img_auth_normalize_key("https://index.docker.io/v1/");
	assert_string_equal(k, "docker.io");
	free(k);
	k = img_auth_normalize_key("http://reg.example:5000/");
	assert_string_equal(k, "reg.example:5000");
	free(k);

	err = NULL;
	char *key = img_registry_key("https://reg.example:5000/ns/", &err);
	assert_string_equal(key, "reg.example:5000/ns");
	free(key);
	assert_null(img_registry_key("reg example", &err));
	burrow_err_free(err);
	err = NULL;
	assert_null(img_registry_key("reg.example/Upper", &err));
	burrow_err_free(err);
}

/* A tag list's next page (Link: <URL>; rel="next"): a path, a URL on the
 * registry or a reference relative to the page; another host or scheme
 * is refused; no rel="next": none */
static void test_next_page(void **state)
{
	(void)state;
	static const struct {
		const char *at, *link, *next;
	} cases[] = {
	    {"tags/list", "</v2/ns/img/tags/list?last=b&n=2>; rel=\"next\"", "/v2/ns/img/tags/list?last=b&n=2"},
	    {"tags/list", "<https://reg.example:5000/v2/ns/img/tags/list?last=b>; rel=next",
	     "/v2/ns/img/tags/list?last=b"},
	    {"/v2/ns/img/tags/list?last=b", "<?last=d>; rel=\"next\"", "/v2/ns/img/tags/list?last=d"},
	    {"tags/list", "<list?last=c>;rel=\"next\"", "/v2/ns/img/tags/list?last=c"},
	    {"tags/list", "</v2/a>; rel=\"prev\", </v2/b>; rel=\"next\"", "/v2/b"},
	    {"tags/list", "</v2/a>; rel=\"nextish\"", NULL},
	    {"tags/list", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *next = NULL;
		struct burrow_err *err = NULL;
		assert_int_equal(
		    img_link_next_page("https://reg.example:5000", "ns/img", cases[i].at, cases[i].link, &next, &err),
		    0);
		if (cases[i].next)
			assert_string_equal(next, cases[i].next);
		else
			assert_null(next);
		free(next);
	}
	static const char *const elsewhere[] = {
	    "<https://other.example/v2/ns/img/tags/list?last=b>; rel=\"next\"",
	    "<http://reg.example:5000/v2/ns/img/tags/list?last=b>; rel=\"next\"",
	    "<https://reg.example:50000/v2/x>; rel=\"next\"",
	    "<//other.example/v2/x>; rel=\"next\"",
	};
	for (size_t i = 0; i < sizeof(elsewhere) / sizeof(elsewhere[0]); i++) {
		char *next = NULL;
		struct burrow_err *err = NULL;
		assert_int_equal(
		    img_link_next_page("https://reg.example:5000", "ns/img", "tags/list", elsewhere[i], &next, &err),
		    -1);
		assert_null(next);
		assert_non_null(strstr(err->msg, "its next page is not on https://reg.example:5000"));
		burrow_err_free(err);
	}
}

/* pull -a's pages asked: each found again after the set has grown, and
 * no more than IMG_PAGES_MAX of them. */
static void test_pages_asked(void **state)
{
	(void)state;
	struct img_pages p = {0};
	struct burrow_err *err = NULL;
	char at[64];
	for (int i = 0; i < IMG_PAGES_MAX; i++) {
		snprintf(at, sizeof(at), "/v2/ns/img/tags/list?n=1&last=t%d", i);
		assert_int_equal(img_pages_add(&p, at, &err), 0);
	}
	for (int i = 0; i < IMG_PAGES_MAX; i++) {
		snprintf(at, sizeof(at), "/v2/ns/img/tags/list?n=1&last=t%d", i);
		assert_int_equal(img_pages_add(&p, at, &err), 1);
	}
	assert_int_equal(img_pages_add(&p, "/v2/ns/img/tags/list?n=1&last=one-more", &err), -1);
	assert_int_equal(err->status, EFBIG);
	assert_non_null(strstr(err->msg, "more than 10000 pages"));
	burrow_err_free(err);
	img_pages_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_next_page),       cmocka_unit_test(test_chain_ids),
	    cmocka_unit_test(test_store_pulled),    cmocka_unit_test(test_manifest_parse),
	    cmocka_unit_test(test_platform_select), cmocka_unit_test(test_challenge),
	    cmocka_unit_test(test_registries_conf), cmocka_unit_test(test_auth_json),
	    cmocka_unit_test(test_cred_helpers),    cmocka_unit_test(test_pages_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
