/* Unit tests for image/'s archive pieces: a layer's tar written back byte
 * for byte from its record (tarsplit.c), and the blob readers (blobio.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "tests/unit/tarbuf.h"

struct membuf {
	char *buf;
	size_t len;
};

static int mem_write(void *ctx, const void *buf, size_t len, struct burrow_err **err)
{
	(void)err;
	struct membuf *m = ctx;
	m->buf = xrealloc(m->buf, m->len + len);
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

/* A tar of every kind the record must keep: long names (pax), a hard link,
 * an empty file, a symlink, a directory, a file larger than one read. */
static struct tarbuf *sample(char **big_out)
{
	static struct tarbuf t;
	tb_open_cap(&t, 4 << 20);
	D(&t, "etc");
	F(&t, "etc/hostname", "box\n");
	F(&t, "etc/empty", "");
	char longname[160];
	memset(longname, 'n', sizeof(longname) - 1);
	memcpy(longname, "etc/", 4);
	longname[sizeof(longname) - 1] = '\0';
	F(&t, longname, "long\n");
	L(&t, "etc/link", "hostname");
	H(&t, "etc/hard", "etc/hostname");
	char *big = xmalloc(300001);
	for (size_t i = 0; i < 300000; i++)
		big[i] = (char)('a' + i % 23);
	big[300000] = '\0';
	F(&t, "big", big);
	*big_out = big;
	return &t;
}

static void test_layer_tar_round_trip(void **state)
{
	(void)state;
	char dir[] = "/tmp/burrow-test-archive-XXXXXX";
	assert_non_null(mkdtemp(dir));
	int layersfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(layersfd >= 0);

	char *big = NULL;
	struct tarbuf *t = sample(&big);
	/* keep the exact bytes to compare with */
	assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
	size_t orig_len = t->used;
	char *orig = xmalloc(orig_len);
	memcpy(orig, t->buf, orig_len);
	archive_write_free(t->a);
	free(t->buf);
	char digest[65];
	assert_int_equal(img_sha256_hex(orig, orig_len, digest, NULL), 0);
	int fd = memfd_create("tar", MFD_CLOEXEC);
	assert_int_equal(write_all(fd, orig, orig_len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);

	struct burrow_err *err = NULL;
	struct img_decomp *dc = img_decomp_open(img_read_fd, &fd, &err);
	assert_non_null(dc);
	struct img_unpack_stats st;
	char *tmp = NULL;
	int rc = img_layer_extract(layersfd, dc, "test", &st, &tmp, &err);
	if (rc < 0)
		fail_msg("%s", err->msg);
	img_decomp_free(dc);
	close(fd);
	assert_string_equal(st.digest, digest);

	char diff_id[72];
	snprintf(diff_id, sizeof(diff_id), "sha256:%s", digest);
	long long size = 0;
	assert_int_equal(img_layer_tar_size(layersfd, tmp, &size, &err), 0);
	assert_int_equal(size, (long long)orig_len);
	struct membuf m = {0};
	assert_int_equal(img_layer_tar(layersfd, tmp, diff_id, mem_write, &m, &err), 0);
	assert_int_equal(m.len, orig_len);
	assert_memory_equal(m.buf, orig, orig_len);
	free(m.buf);

	/* a file changed in the store: refused, not written out wrong */
	char *p = xasprintf("%s/%s/diff/big", dir, tmp);
	big[0] = 'Z';
	assert_int_equal(write_file(p, big, 300000, 0644, &err), 0);
	free(p);
	m = (struct membuf){0};
	assert_int_equal(img_layer_tar(layersfd, tmp, diff_id, mem_write, &m, &err), -1);
	assert_non_null(strstr(err->msg, "cannot be reproduced"));
	burrow_err_free(err);
	err = NULL;
	free(m.buf);

	/* no record: ENOENT */
	p = xasprintf("%s/%s/tar-split", dir, tmp);
	assert_int_equal(unlink(p), 0);
	free(p);
	assert_int_equal(img_layer_tar(layersfd, tmp, diff_id, mem_write, &m, &err), -1);
	assert_int_equal(err->status, ENOENT);
	burrow_err_free(err);

	free(big);
	free(orig);
	free(tmp);
	close(layersfd);
	assert_int_equal(rm_rf(dir, &err), 0);
}

static void test_transport_parse(void **state)
{
	(void)state;
	struct img_transport t;
	struct burrow_err *err = NULL;
	assert_int_equal(img_transport_parse("localhost:5000/x:1", &t, &err), 0);
	assert_int_equal(t.kind, IMG_TRANSPORT_REGISTRY);
	assert_string_equal(t.ref, "localhost:5000/x:1");
	assert_null(t.path);
	img_transport_clear(&t);
	assert_int_equal(img_transport_parse("docker://quay.io/a/b@sha256:00", &t, &err), 0);
	assert_int_equal(t.kind, IMG_TRANSPORT_REGISTRY);
	assert_string_equal(t.ref, "quay.io/a/b@sha256:00");
	img_transport_clear(&t);
	assert_int_equal(img_transport_parse("oci:/tmp/lay:localhost/x:2", &t, &err), 0);
	assert_int_equal(t.kind, IMG_TRANSPORT_OCI);
	assert_string_equal(t.path, "/tmp/lay");
	assert_string_equal(t.ref, "localhost/x:2");
	img_transport_clear(&t);
	assert_int_equal(img_transport_parse("docker-archive:a.tar", &t, &err), 0);
	assert_int_equal(t.kind, IMG_TRANSPORT_DOCKER_ARCHIVE);
	assert_string_equal(t.path, "a.tar");
	assert_null(t.ref);
	img_transport_clear(&t);
	assert_int_equal(img_transport_parse("oci-archive:a.tar:@1", &t, &err), 0);
	assert_int_equal(t.kind, IMG_TRANSPORT_OCI_ARCHIVE);
	assert_string_equal(t.ref, "@1");
	img_transport_clear(&t);
	assert_int_equal(img_transport_parse("dir:/x:y", &t, &err), 0);
	assert_int_equal(t.kind, IMG_TRANSPORT_DIR);
	assert_string_equal(t.path, "/x:y");
	img_transport_clear(&t);
	assert_int_equal(img_transport_parse("oci:", &t, &err), -1);
	burrow_err_free(err);
	err = NULL;
	assert_int_equal(img_transport_parse("containers-storage:busybox", &t, &err), -1);
	assert_int_equal(err->status, ENOTSUP);
	assert_non_null(strstr(err->hint, "burrow load"));
	burrow_err_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layer_tar_round_trip),
	    cmocka_unit_test(test_transport_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
