/* linux.seccomp: compiled to classic BPF by the parent before clone (its
 * errors surface from rt_create directly; the init only hands the program
 * to the kernel), and cached on disk, since compiling a profile the size
 * of podman's default with libseccomp takes longer than starting the
 * whole container.
 *
 * The cache: one file per filter in a directory of its own (0700, ours),
 * named by a hash of the filter's canonical text, which records everything
 * the program depends on (the filter itself, the libseccomp version, the
 * native architecture, the kernel release, and how this file builds
 * filters). A file is used only when it is a regular file of ours that
 * nobody else may write, its length adds up, its canonical text equals
 * ours byte for byte (a hash collision cannot hand us another filter) and
 * its checksum matches (a damaged file is compiled afresh and replaced).
 * Files are written to a temporary name (0600) and renamed into place, so
 * a reader never sees half of one. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"

/* Bump when rt_seccomp_build changes what it makes of a filter (rule order,
 * skipped names, attributes): older cache files then no longer match. */
#define RT_SECCOMP_BUILD_VERSION 2

#define CACHE_MAGIC "BRWSCMP1"
#define CACHE_HEADER 24 /* magic, canonical text length, instructions, checksum */
#define BPF_INSN_SIZE 8 /* struct sock_filter */
#define BPF_MAX_INSNS 4096

void *rt_seccomp_build(const struct rt_seccomp *f, struct burrow_err **err)
{
	scmp_filter_ctx ctx = seccomp_init(f->default_action);
	if (!ctx) {
		burrow_error(err, 0, "cannot set up the seccomp filter: invalid default action %#x", f->default_action);
		return NULL;
	}
	/* no_new_privs is process.noNewPrivileges' business, set by the init */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0) {
		burrow_error(err, -r, "cannot set up the seccomp filter");
		goto fail;
	}
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 5)
	/* A binary tree of syscall numbers rather than a list: the same
	 * decisions, found in log(n) steps. podman's profile (1164
	 * instructions as a list, 1451 as a tree) took the kernel 920 us to
	 * load as a list (most of it running the filter for every syscall
	 * number to build its cache of always-allowed ones) and 327 us as a
	 * tree, on a loaded 2-core machine; each syscall in the container
	 * runs fewer instructions too. Older libseccomp: a list. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
#endif
	for (size_t i = 0; i < f->n_arches; i++) {
		r = seccomp_arch_add(ctx, f->arches[i]);
		if (r < 0 && r != -EEXIST) {
			burrow_error(err, -r, "cannot add architecture %#x to the seccomp filter", f->arches[i]);
			goto fail;
		}
	}
	for (size_t i = 0; i < f->n_rules; i++) {
		const struct rt_seccomp_rule *rule = &f->rules[i];
		if (rule->action == f->default_action)
			continue; /* libseccomp refuses rules that change nothing */
		struct scmp_arg_cmp cmp[6];
		bool same_index = false;
		for (size_t k = 0; k < rule->n_args && k < 6; k++) {
			cmp[k] = (struct scmp_arg_cmp){.arg = rule->args[k].index,
			                               .op = (enum scmp_compare)rule->args[k].op,
			                               .datum_a = rule->args[k].value,
			                               .datum_b = rule->args[k].value_two};
			for (size_t j = 0; j < k; j++)
				if (rule->args[j].index == rule->args[k].index)
					same_index = true;
		}
		for (char **name = rule->names; *name; name++) {
			int nr = seccomp_syscall_resolve_name(*name);
			if (nr == __NR_SCMP_ERROR)
				continue; /* unknown to this libseccomp/arch: as podman, skip it */
			if (rule->n_args == 0) {
				r = seccomp_rule_add(ctx, rule->action, nr, 0);
			} else if (!same_index) {
				r = seccomp_rule_add_array(ctx, rule->action, nr, (unsigned)rule->n_args, cmp);
			} else {
				/* several conditions on one argument are alternatives:
				 * one rule each (libseccomp wants one per argument) */
				r = 0;
				for (size_t k = 0; k < rule->n_args && r >= 0; k++)
					r = seccomp_rule_add_array(ctx, rule->action, nr, 1, &cmp[k]);
			}
			if (r < 0) {
				burrow_error(err, -r, "cannot add the seccomp rule for '%s'", *name);
				goto fail;
			}
		}
	}
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

void rt_seccomp_release(void *ctx)
{
	if (ctx)
		seccomp_release(ctx);
}

/* A 64-bit hash, a word at a time: names cache files and checks them for
 * damage (not an authenticator: the directory's permissions keep others
 * out). Byte-at-a-time FNV-1a took about 40 us over a cache file of
 * podman's profile. */
static uint64_t hash64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 31;
	}
	for (; len; p++, len--)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}
#define HASH_INIT 0xcbf29ce484222325ULL

struct canon {
	char *s;
	size_t len, cap;
};

static void canon_reserve(struct canon *c, size_t n)
{
	if (c->cap - c->len > n)
		return;
	c->cap = c->cap * 2 + n + 4096;
	c->s = xrealloc(c->s, c->cap);
}

static void canon_add(struct canon *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void canon_add(struct canon *c, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(c->s ? c->s + c->len : NULL, c->s ? c->cap - c->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if (c->s && (size_t)n < c->cap - c->len) {
			c->len += (size_t)n;
			return;
		}
		canon_reserve(c, (size_t)n + 1);
	}
}

/* " LEN:STRING" without printf (a profile names some 400 syscalls) */
static void canon_str(struct canon *c, const char *str)
{
	size_t n = strlen(str);
	char digits[24];
	size_t d = sizeof(digits);
	size_t v = n;
	do
		digits[--d] = (char)('0' + v % 10);
	while (v /= 10);
	canon_reserve(c, 2 + (sizeof(digits) - d) + n);
	c->s[c->len++] = ' ';
	memcpy(c->s + c->len, digits + d, sizeof(digits) - d);
	c->len += sizeof(digits) - d;
	c->s[c->len++] = ':';
	memcpy(c->s + c->len, str, n);
	c->len += n;
	c->s[c->len] = '\0';
}

char *rt_seccomp_canonical(const struct rt_seccomp *f, size_t *len)
{
	struct canon c = {0};
	const struct scmp_version *v = seccomp_version();
	struct utsname u;
	if (uname(&u) < 0)
		strcpy(u.release, "?");
	/* strings as length:bytes, so that no two filters read the same */
	canon_add(&c, "burrow-seccomp %d %s\nlibseccomp %u.%u.%u native %#x kernel %zu:%s\n", RT_SECCOMP_BUILD_VERSION,
	          BURROW_VERSION, v->major, v->minor, v->micro, seccomp_arch_native(), strlen(u.release), u.release);
	canon_add(&c, "default %#x arches", f->default_action);
	for (size_t i = 0; i < f->n_arches; i++)
		canon_add(&c, " %#x", f->arches[i]);
	canon_add(&c, "\n");
	for (size_t i = 0; i < f->n_rules; i++) {
		const struct rt_seccomp_rule *r = &f->rules[i];
		canon_add(&c, "rule %#x", r->action);
		for (char **n = r->names; *n; n++)
			canon_str(&c, *n);
		canon_add(&c, " args");
		for (size_t k = 0; k < r->n_args; k++)
			canon_add(&c, " %u,%d,%#llx,%#llx", r->args[k].index, r->args[k].op,
			          (unsigned long long)r->args[k].value, (unsigned long long)r->args[k].value_two);
		canon_add(&c, "\n");
	}
	*len = c.len;
	return c.s;
}

/* The program libseccomp generates for f. */
static int compile(const struct rt_seccomp *f, struct rt_bpf *out, struct burrow_err **err)
{
	void *ctx = rt_seccomp_build(f, err);
	if (!ctx)
		return -1;
	int rc = -1;
	cleanup_close int fd = memfd_create("burrow-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		burrow_error(err, errno, "cannot export the seccomp filter");
		goto out;
	}
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0) {
		burrow_error(err, -r, "cannot export the seccomp filter");
		goto out;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		burrow_error(err, errno, "cannot export the seccomp filter");
		goto out;
	}
	size_t size = (size_t)st.st_size;
	if (size == 0 || size % BPF_INSN_SIZE || size / BPF_INSN_SIZE > BPF_MAX_INSNS) {
		burrow_error(err, 0, "the seccomp filter has %zu bytes, not 1 to %d instructions", size, BPF_MAX_INSNS);
		goto out;
	}
	out->insns = xmalloc(size);
	if (pread(fd, out->insns, size, 0) != (ssize_t)size) {
		burrow_error(err, errno, "cannot export the seccomp filter");
		free(out->insns);
		out->insns = NULL;
		goto out;
	}
	out->len = size / BPF_INSN_SIZE;
	rc = 0;
out:
	seccomp_release(ctx);
	return rc;
}

uint64_t rt_seccomp_checksum(const void *canon, size_t canon_len, const void *insns, size_t n)
{
	return hash64(hash64(HASH_INIT, canon, canon_len), insns, n * BPF_INSN_SIZE);
}

/* Opens the cache directory (made 0700 when missing); -1 when it cannot be
 * used: not a directory of ours, or others may write into it. */
static int open_cache_dir(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		burrow_debug("seccomp cache '%s': %s", dir, strerror(errno));
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		burrow_debug("seccomp cache '%s': %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		burrow_debug("seccomp cache '%s' is not ours alone: not used", dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* The cached program for canon, or 0 when there is no good one. */
static int cache_load(int dirfd, const char *name, const char *canon, size_t canon_len, struct rt_bpf *out)
{
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	size_t max = CACHE_HEADER + canon_len + (size_t)BPF_MAX_INSNS * BPF_INSN_SIZE;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
	    st.st_size < CACHE_HEADER || (size_t)st.st_size > max) {
		burrow_debug("seccomp cache file '%s' is not a private file of ours of a sane size: ignored", name);
		return 0;
	}
	size_t size = (size_t)st.st_size;
	cleanup_free unsigned char *buf = xmalloc(size);
	if (read_all(fd, buf, size) != (ssize_t)size)
		return 0;
	uint32_t clen, n;
	uint64_t sum;
	memcpy(&clen, buf + 8, 4);
	memcpy(&n, buf + 12, 4);
	memcpy(&sum, buf + 16, 8);
	const unsigned char *ctext = buf + CACHE_HEADER, *insns = ctext + canon_len;
	if (memcmp(buf, CACHE_MAGIC, 8) != 0 || clen != canon_len || n == 0 || n > BPF_MAX_INSNS ||
	    size != CACHE_HEADER + canon_len + (size_t)n * BPF_INSN_SIZE || memcmp(ctext, canon, canon_len) != 0 ||
	    sum != rt_seccomp_checksum(ctext, canon_len, insns, n)) {
		burrow_debug("seccomp cache file '%s' does not hold this filter intact: compiled afresh", name);
		return 0;
	}
	out->insns = xmalloc((size_t)n * BPF_INSN_SIZE);
	memcpy(out->insns, insns, (size_t)n * BPF_INSN_SIZE);
	out->len = n;
	return 1;
}

/* Best effort: a cache that cannot be written costs time, nothing else. */
static void cache_store(int dirfd, const char *name, const char *canon, size_t canon_len, const struct rt_bpf *b)
{
	size_t size = CACHE_HEADER + canon_len + b->len * BPF_INSN_SIZE;
	cleanup_free unsigned char *buf = xmalloc(size);
	uint32_t clen = (uint32_t)canon_len, n = (uint32_t)b->len;
	uint64_t sum = rt_seccomp_checksum(canon, canon_len, b->insns, b->len);
	memcpy(buf, CACHE_MAGIC, 8);
	memcpy(buf + 8, &clen, 4);
	memcpy(buf + 12, &n, 4);
	memcpy(buf + 16, &sum, 8);
	memcpy(buf + CACHE_HEADER, canon, canon_len);
	memcpy(buf + CACHE_HEADER + canon_len, b->insns, b->len * BPF_INSN_SIZE);
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", name, (int)getpid());
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST && unlinkat(dirfd, tmp, 0) == 0)
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		burrow_debug("cannot write the seccomp cache file '%s': %s", tmp, strerror(errno));
		return;
	}
	int r = write_all(fd, buf, size);
	int e = errno;
	close(fd);
	if (r < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
		if (r == 0)
			e = errno;
		burrow_debug("cannot write the seccomp cache file '%s': %s", name, strerror(e));
		unlinkat(dirfd, tmp, 0);
	}
}

int rt_seccomp_compile(const struct rt_seccomp *f, const char *cache_dir, struct rt_bpf *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	if (!cache_dir)
		return compile(f, out, err);
	size_t canon_len = 0;
	cleanup_free char *canon = rt_seccomp_canonical(f, &canon_len);
	char name[32];
	snprintf(name, sizeof(name), "%016llx.bpf", (unsigned long long)hash64(HASH_INIT, canon, canon_len));
	cleanup_close int dirfd = open_cache_dir(cache_dir);
	if (dirfd >= 0 && cache_load(dirfd, name, canon, canon_len, out))
		return 0;
	if (compile(f, out, err) < 0)
		return -1;
	if (dirfd >= 0)
		cache_store(dirfd, name, canon, canon_len, out);
	return 0;
}

int rt_seccomp_load(const struct rt_bpf *b, struct burrow_err **err)
{
	struct sock_fprog prog = {.len = (unsigned short)b->len, .filter = b->insns};
	/* what libseccomp's seccomp_load does with no attributes set: no
	 * flags; prctl on kernels before seccomp(2) (3.17) */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	if (errno == ENOSYS && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
		return 0;
	return burrow_error(err, errno, "cannot load the seccomp filter");
}

void rt_bpf_clear(struct rt_bpf *b)
{
	free(b->insns);
	b->insns = NULL;
	b->len = 0;
}
