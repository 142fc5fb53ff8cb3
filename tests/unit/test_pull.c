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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_ids),
	    cmocka_unit_test(test_store_pulled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
