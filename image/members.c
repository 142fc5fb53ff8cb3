/* The files of an image archive or layout, by name: the members of a tar
 * file (indexed once: where each member's data lies in the file), or the
 * files beneath a directory (an OCI layout, a docker "dir").
 *
 * The tar is read with a parser of its own, not libarchive: what is wanted
 * is each member's offset in the file, so that many blobs can be read at
 * once with pread. It knows ustar, pax ('x' path records; 'g' ignored) and
 * GNU long names ('L'). A member name that is absolute or has a ".."
 * component refuses the whole archive (an archive burrow or podman writes
 * never has one); so do a bad header checksum and a member that runs past
 * the end of the file. Only regular members can be opened: a symlink or
 * hard link named by a manifest is refused, and so is a directory's FIFO
 * or device (opened without waiting for a writer). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

#define BLOCK 512
#define MAX_MEMBERS 200000
#define MAX_NAME 4096

struct member {
	char *name; /* cleaned (img_tar_clean_path) */
	char type;  /* '0' regular, '5' directory, '2' symlink, '1' hard link, ... */
	long long off, size;
};

struct img_members {
	int fd;     /* the tar file (pread), or the directory */
	bool dir;   /* a directory, not a tar */
	char *what; /* for messages */
	struct member *m;
	size_t n, cap;
};

static long long parse_num(const unsigned char *p, size_t len, bool *ok)
{
	*ok = true;
	if (p[0] & 0x80) { /* base-256 */
		if (len > 9 && (p[0] & 0x7f))
			*ok = false;
		unsigned long long v = p[0] & 0x7f;
		for (size_t i = 1; i < len; i++) {
			if (v >> 55)
				*ok = false;
			v = (v << 8) | p[i];
		}
		return *ok && v <= (unsigned long long)1 << 62 ? (long long)v : (*ok = false, 0);
	}
	unsigned long long v = 0;
	size_t i = 0;
	while (i < len && p[i] == ' ')
		i++;
	for (; i < len && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v >> 60)
			*ok = false;
		v = v * 8 + (p[i] - '0');
	}
	for (; i < len; i++)
		if (p[i] != ' ' && p[i] != '\0')
			*ok = false;
	return (long long)v;
}

static bool zero_block(const unsigned char *b)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (b[i])
			return false;
	return true;
}

static bool checksum_ok(const unsigned char *b)
{
	bool ok;
	long long want = parse_num(b + 148, 8, &ok);
	if (!ok)
		return false;
	long long sum = 0, ssum = 0;
	for (size_t i = 0; i < BLOCK; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : b[i];
		sum += c;
		ssum += (signed char)c;
	}
	return sum == want || ssum == want;
}

static int bad(struct img_members *a, long long off, const char *why, struct burrow_err **err)
{
	return burrow_error(err, EINVAL, "%s is not a tar archive burrow can read: %s (at byte %lld)", a->what, why,
	                    off);
}

/* The value of the pax record key in data (NULL: none). */
static char *pax_value(const char *data, size_t len, const char *key)
{
	size_t klen = strlen(key);
	for (size_t i = 0; i < len;) {
		char *end = NULL;
		unsigned long rl = strtoul(data + i, &end, 10);
		if (!end || end == data + i || *end != ' ' || rl == 0 || rl > len - i)
			return NULL;
		const char *kv = end + 1, *stop = data + i + rl - 1; /* the '\n' */
		if ((size_t)(stop - kv) > klen && memcmp(kv, key, klen) == 0 && kv[klen] == '=')
			return xstrndup(kv + klen + 1, (size_t)(stop - kv - klen - 1));
		i += rl;
	}
	return NULL;
}

static int read_at(struct img_members *a, void *buf, size_t len, long long off, struct burrow_err **err)
{
	ssize_t n = TEMP_FAILURE_RETRY(pread(a->fd, buf, len, (off_t)off));
	if (n < 0)
		return burrow_error(err, errno, "cannot read %s", a->what);
	if ((size_t)n != len)
		return bad(a, off, "it ends in the middle of a member", err);
	return 0;
}

static int add(struct img_members *a, const char *raw, char type, long long off, long long size,
               struct burrow_err **err)
{
	char *clean = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (img_tar_clean_path(raw, &clean, &e) < 0) {
		burrow_error(err, EINVAL, "%s has a member named '%s': %s", a->what, str_quote(raw), e->msg);
		return burrow_error_hint(err,
		                         "it is not an archive burrow, podman or docker wrote; nothing was loaded");
	}
	if (a->n == MAX_MEMBERS) {
		free(clean);
		return bad(a, off, "too many members", err);
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->m = xrealloc(a->m, a->cap * sizeof(*a->m));
	}
	a->m[a->n++] = (struct member){.name = clean, .type = type, .off = off, .size = size};
	return 0;
}

static int index_tar(struct img_members *a, struct burrow_err **err)
{
	struct stat sb;
	if (fstat(a->fd, &sb) < 0)
		return burrow_error(err, errno, "cannot stat %s", a->what);
	long long end = sb.st_size, off = 0;
	cleanup_free char *next_name = NULL; /* from a pax or GNU long-name header */
	unsigned char b[BLOCK];
	for (;;) {
		if (off + BLOCK > end)
			return off == end && off > 0 ? 0 : bad(a, off, "it ends without its end blocks", err);
		if (read_at(a, b, BLOCK, off, err) < 0)
			return -1;
		if (zero_block(b))
			return 0;
		if (!checksum_ok(b))
			return bad(a, off, "a header's checksum is wrong", err);
		bool ok;
		long long size = parse_num(b + 124, 12, &ok);
		if (!ok || size < 0)
			return bad(a, off, "a member's size is not a number", err);
		long long data = off + BLOCK;
		if (size > end - data)
			return bad(a, off, "a member runs past its end", err);
		char type = (char)b[156];
		off = data + (size + BLOCK - 1) / BLOCK * BLOCK;
		if (type == 'x' || type == 'L') {
			if (size > 64 * 1024)
				return bad(a, data, "a pax or long-name header is too large", err);
			cleanup_free char *buf = xmalloc((size_t)size + 1);
			if (read_at(a, buf, (size_t)size, data, err) < 0)
				return -1;
			buf[size] = '\0';
			free(next_name);
			next_name = type == 'L' ? xstrndup(buf, (size_t)size) : pax_value(buf, (size_t)size, "path");
			if (next_name && (strlen(next_name) > MAX_NAME || !*next_name))
				return bad(a, data, "a member's name is too long", err);
			continue;
		}
		if (type == 'g' || type == 'K')
			continue;
		char name[256 + 2];
		if (next_name) {
			if (add(a, next_name, type ? type : '0', data, size, err) < 0)
				return -1;
			free(steal_ptr(next_name));
			continue;
		}
		if (memcmp(b + 257, "ustar", 5) == 0 && b[345]) {
			snprintf(name, sizeof(name), "%.155s/%.100s", (const char *)b + 345, (const char *)b);
		} else {
			snprintf(name, sizeof(name), "%.100s", (const char *)b);
		}
		if (add(a, name, type ? type : '0', data, size, err) < 0)
			return -1;
	}
}

static void members_clear(struct img_members *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->m[i].name);
	free(a->m);
	free(a->what);
}

int img_members_open_tar(int fd, const char *what, struct img_members **out, struct burrow_err **err)
{
	struct img_members *a = xcalloc(1, sizeof(*a));
	a->fd = fd;
	a->what = xstrdup(what);
	if (index_tar(a, err) < 0) {
		members_clear(a);
		free(a);
		return -1;
	}
	*out = a;
	return 0;
}

int img_members_open_dir(int dirfd, const char *what, struct img_members **out, struct burrow_err **err)
{
	(void)err;
	struct img_members *a = xcalloc(1, sizeof(*a));
	a->fd = dirfd;
	a->dir = true;
	a->what = xstrdup(what);
	*out = a;
	return 0;
}

void img_members_free(struct img_members *a)
{
	if (!a)
		return;
	members_clear(a);
	free(a);
}

const char *img_members_what(const struct img_members *a)
{
	return a->what;
}

/* The last member of that name (a later one replaces an earlier one, as tar does). */
static const struct member *find(const struct img_members *a, const char *name)
{
	for (size_t i = a->n; i-- > 0;)
		if (strcmp(a->m[i].name, name) == 0)
			return &a->m[i];
	return NULL;
}

int img_members_exists(const struct img_members *a, const char *name)
{
	if (!a->dir)
		return find(a, name) != NULL;
	struct stat sb;
	return fstatat(a->fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

int img_members_open(const struct img_members *a, const char *name, struct img_member *out, struct burrow_err **err)
{
	cleanup_free char *clean = NULL;
	cleanup_err struct burrow_err *e = NULL;
	if (img_tar_clean_path(name, &clean, &e) < 0 || !*clean)
		return burrow_error(err, EINVAL, "%s names '%s': %s", a->what, str_quote(name), e ? e->msg : "empty");
	if (a->dir) {
		/* O_NONBLOCK: a FIFO there is refused below, not waited on (a
		 * regular file reads the same) */
		struct open_how how = {.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		                       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
		int fd = (int)syscall(SYS_openat2, a->fd, clean, &how, sizeof(how));
		if (fd < 0) {
			int en = errno;
			if (en == ELOOP || en == EXDEV)
				return burrow_error(err, en, "'%s' in %s is a symlink: refused", str_quote(clean),
				                    a->what);
			return burrow_error(err, en, "%s has no '%s'", a->what, str_quote(clean));
		}
		struct stat sb;
		if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			close(fd);
			return burrow_error(err, EINVAL, "'%s' in %s is not a regular file", str_quote(clean), a->what);
		}
		*out = (struct img_member){.fd = fd, .own = true, .off = 0, .size = sb.st_size};
		return 0;
	}
	const struct member *m = find(a, clean);
	if (!m)
		return burrow_error(err, ENOENT, "%s has no member '%s'", a->what, str_quote(clean));
	if (m->type == '2' || m->type == '1')
		return burrow_error(err, EINVAL, "member '%s' of %s is a %s: refused", str_quote(clean), a->what,
		                    m->type == '2' ? "symlink" : "hard link");
	if (m->type != '0' && m->type != '7')
		return burrow_error(err, EINVAL, "member '%s' of %s is not a regular file", str_quote(clean), a->what);
	*out = (struct img_member){.fd = a->fd, .own = false, .off = m->off, .size = m->size};
	return 0;
}

void img_member_close(struct img_member *m)
{
	if (m->own && m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int img_members_slurp(const struct img_members *a, const char *name, size_t max, const char *digest, char **out,
                      size_t *len, struct burrow_err **err)
{
	struct img_member m;
	if (img_members_open(a, name, &m, err) < 0)
		return -1;
	cleanup_free char *what = xasprintf("'%s' in %s", name, a->what);
	int r = img_range_slurp(m.fd, m.off, m.size, max, digest, what, out, err);
	img_member_close(&m);
	if (r == 0 && len)
		*len = (size_t)m.size;
	return r;
}
