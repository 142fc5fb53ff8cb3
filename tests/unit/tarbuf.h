/* In-memory tarballs for the unit tests (libarchive's writer): tb_open,
 * tb_add (or F, D, L, H), then tb_close gives a memfd and the sha256. */
#ifndef BURROW_TESTS_UNIT_TARBUF_H
#define BURROW_TESTS_UNIT_TARBUF_H

#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"

struct tarbuf {
	struct archive *a;
	char *buf;
	size_t cap, used;
};

static inline void tb_open_cap(struct tarbuf *t, size_t cap)
{
	t->cap = cap;
	t->buf = xmalloc(t->cap);
	t->used = 0;
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	assert_int_equal(archive_write_open_memory(t->a, t->buf, t->cap, &t->used), ARCHIVE_OK);
}

static inline void tb_open(struct tarbuf *t)
{
	tb_open_cap(t, 1 << 20);
}

static inline void tb_add(struct tarbuf *t, const char *name, mode_t type, mode_t perm, const char *data,
                          const char *link, int hard)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_mtime(e, 1600000000, 0);
	if (hard) {
		archive_entry_set_hardlink(e, link);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
	} else {
		archive_entry_set_filetype(e, type);
		archive_entry_set_perm(e, perm);
		if (link)
			archive_entry_set_symlink(e, link);
		if (data)
			archive_entry_set_size(e, (la_int64_t)strlen(data));
	}
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	if (data && !hard)
		assert_int_equal(archive_write_data(t->a, data, strlen(data)), (la_ssize_t)strlen(data));
	archive_entry_free(e);
}

#define F(t, n, d) tb_add(t, n, AE_IFREG, 0644, d, NULL, 0)
#define D(t, n) tb_add(t, n, AE_IFDIR, 0755, NULL, NULL, 0)
#define L(t, n, target) tb_add(t, n, AE_IFLNK, 0777, NULL, target, 0)
#define H(t, n, target) tb_add(t, n, AE_IFREG, 0644, NULL, target, 1)

/* Finishes the tar; returns a memfd holding it. */
static inline int tb_close(struct tarbuf *t, char digest[65])
{
	assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
	archive_write_free(t->a);
	assert_int_equal(img_sha256_hex(t->buf, t->used, digest, NULL), 0);
	int fd = memfd_create("tar", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, t->buf, t->used), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	free(t->buf);
	return fd;
}

#endif
