/* The names of the --rm files: rm-<host>.<machine>.<boot ID>.tdb, so that
 * machines that share one storage root each remove only the files of
 * their own earlier boots. The machine ID alone is not enough: the nodes
 * of an HPC cluster are often clones that share /etc/machine-id (and the
 * home directory). The host comes first so that a burrow of the version
 * before (rm-<machine>.<boot ID>.tdb, whose sweep removed every name that
 * began with "rm-<its machine>.") leaves these files alone.
 *
 * The older names, rm-<machine>.<boot ID>.tdb and rm-<boot ID>.tdb, say
 * nothing of the host, so this machine cannot tell its own earlier boot's
 * file from the current one of a clone running an older burrow. It takes
 * one over only when it is this boot's: as a hard link under the new name
 * (its claim; the same inode, so an older burrow's monitor still running
 * keeps using the same database), and removes it with that name at its
 * next boot. An old name nobody claimed is removed only where no other
 * machine can share the storage root (a local filesystem); elsewhere it
 * is kept with a warning.
 *
 * A host renamed during a boot (DHCP, hostnamectl) claims this boot's
 * file made under its former name the same way (the boot ID is this
 * machine's alone): its running --rm containers stay its own. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "state/internal.h"
#include "state/paths.h"

#define RM_FILE_PREFIX "rm-"
#define RM_FILE_SUFFIX ".tdb"
/* an escaped host name longer than this is named by its hash: the whole
 * file name must stay under NAME_MAX (255) with a 32-character machine ID
 * and a 36-character boot ID */
#define RM_HOST_MAX 96

/* s's characters other than letters, digits and '-' as '_' (it is part
 * of a file name, and '.' separates the machine from the boot). */
static bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static void name_safe(char *s)
{
	for (; *s; s++)
		if (!name_char((unsigned char)*s))
			*s = '_';
}

char *state_rm_host_part(const char *host)
{
	if (!*host)
		return xstrdup("_");
	size_t n = strlen(host);
	char *out = xmalloc(3 * n + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)host; *p; p++) {
		if (name_char(*p))
			*o++ = (char)*p;
		else
			o += sprintf(o, "_%02x", *p);
	}
	*o = '\0';
	if (o - out <= RM_HOST_MAX)
		return out;
	free(out);
	/* FNV-1a: "_h" cannot start an escape, whose digits are hex */
	unsigned long long h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)host; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return xasprintf("_h%016llx", h);
}

/* The machine ID (trimmed), or NULL when the file is missing or empty. */
static char *read_id(const char *path)
{
	struct burrow_err *e = NULL;
	char *id = state_read_trimmed(path, &e);
	burrow_err_free(e);
	return id;
}

/* /etc/machine-id (BURROW_TEST_MACHINE_ID_FILE overrides it, for the
 * tests), else D-Bus's copy; NULL when there is none. */
static char *machine_id(void)
{
	const char *test = getenv("BURROW_TEST_MACHINE_ID_FILE");
	char *id = test && *test ? read_id(test) : read_id("/etc/machine-id");
	if (!id && !(test && *test))
		id = read_id("/var/lib/dbus/machine-id");
	if (id)
		name_safe(id);
	return id;
}

/* The host name (BURROW_TEST_HOSTNAME overrides it, for the tests). */
static char *host_name(void)
{
	const char *test = getenv("BURROW_TEST_HOSTNAME");
	if (test)
		return xstrdup(test);
	struct utsname u;
	return xstrdup(uname(&u) == 0 ? u.nodename : "");
}

void state_rm_prefixes(char **prefix, char **old_prefix)
{
	cleanup_free char *m = machine_id();
	cleanup_free char *host = host_name();
	cleanup_free char *h = state_rm_host_part(host);
	*prefix = xasprintf(RM_FILE_PREFIX "%s.%s.", h, m ? m : "none");
	if (m) {
		*old_prefix = xasprintf(RM_FILE_PREFIX "%s.", m);
	} else {
		/* the version before named a machine without an ID by its host */
		cleanup_free char *old = xasprintf("host-%s", host);
		name_safe(old);
		*old_prefix = xasprintf(RM_FILE_PREFIX "%s.", old);
	}
}

/* The dots between the name's prefix and suffix: 2 in this burrow's
 * names, 1 in rm-<machine>.<boot ID>.tdb, none in rm-<boot ID>.tdb. */
static size_t dots(const char *name, size_t n)
{
	size_t d = 0;
	for (size_t i = strlen(RM_FILE_PREFIX); i < n - strlen(RM_FILE_SUFFIX); i++)
		d += name[i] == '.';
	return d;
}

/* The names an older burrow gave the --rm file of the boot whose ID (as
 * file names spell it) is b: rm-<machine>.<b>.tdb, rm-<b>.tdb. */
static void old_names(const char *b, size_t blen, const char *old_prefix, char *names[2])
{
	names[0] = xasprintf("%s%.*s" RM_FILE_SUFFIX, old_prefix, (int)blen, b);
	names[1] = xasprintf(RM_FILE_PREFIX "%.*s" RM_FILE_SUFFIX, (int)blen, b);
}

void state_rm_old_names(const char *name, const char *old_prefix, char *names[2])
{
	size_t n = strlen(name) - strlen(RM_FILE_SUFFIX);
	const char *b = name + n;
	while (b > name && b[-1] != '.')
		b--;
	old_names(b, (size_t)(name + n - b), old_prefix, names);
}

/* The tail ".<machine>.<boot>.tdb" of name, this burrow's name of an --rm
 * file (its host part holds no '.'); NULL when name is none. */
static const char *host_tail(const char *name)
{
	size_t pl = strlen(RM_FILE_PREFIX);
	if (strncmp(name, RM_FILE_PREFIX, pl) != 0)
		return NULL;
	const char *dot = strchr(name + pl, '.');
	return dot && dot > name + pl ? dot : NULL;
}

bool state_rm_same_boot(const char *name, const char *old_prefix, const char *other)
{
	if (strcmp(name, other) == 0)
		return false;
	const char *a = host_tail(name), *b = host_tail(other);
	/* another host name: the host renamed during that boot */
	if (a && b && strcmp(a, b) == 0)
		return true;
	char *old[2];
	state_rm_old_names(name, old_prefix, old);
	bool same = strcmp(other, old[0]) == 0 || strcmp(other, old[1]) == 0;
	free(old[0]);
	free(old[1]);
	return same;
}

/* This boot's file under another name in root: an older burrow's
 * (state_rm_old_names), or this burrow's under another host name (the
 * host was renamed since: DHCP, hostnamectl; the boot ID is this
 * machine's alone, whatever its name). NULL when there is none. */
static char *same_boot_file(const char *root, const char *name, const char *old_prefix)
{
	cleanup_dir DIR *d = opendir(root);
	if (!d)
		return NULL;
	struct dirent *de;
	while ((de = readdir(d)))
		if (state_rm_same_boot(name, old_prefix, de->d_name))
			return path_join(root, de->d_name);
	return NULL;
}

char *state_rm_file_path(const char *root, const char *prefix, const char *old_prefix, const char *boot_id)
{
	cleanup_free char *b = xstrdup(boot_id);
	name_safe(b);
	cleanup_free char *name = xasprintf("%s%s" RM_FILE_SUFFIX, prefix, b);
	char *path = path_join(root, name);
	if (access(path, F_OK) == 0)
		return path;
	/* made earlier in this boot by an older burrow, or under another
	 * host name: its containers run; claimed under this name where the
	 * filesystem has hard links */
	cleanup_free char *o = same_boot_file(root, name, old_prefix);
	if (!o)
		return path;
	if (link(o, path) == 0 || errno == EEXIST)
		return path;
	free(path);
	return steal_ptr(o);
}

bool state_rm_root_local(const char *root)
{
	if (getenv("BURROW_TEST_SHARED_ROOT"))
		return false;
	/* filesystems on a disk of this machine (or in its memory); a FUSE
	 * one (sshfs), a network or cluster one, or one burrow does not know
	 * may be another machine's too */
	static const char *const local[] = {"ext4", "xfs",  "btrfs",    "tmpfs",    "ramfs", "overlay",
	                                    "zfs",  "f2fs", "bcachefs", "reiserfs", "jfs",   "nilfs",
	                                    "vfat", "ntfs", "ntfs3",    "exfat"};
	int net = 0;
	const char *type = state_fs_type(root, &net);
	for (size_t i = 0; !net && i < sizeof(local) / sizeof(local[0]); i++)
		if (strcmp(type, local[i]) == 0)
			return true;
	return false;
}

enum state_rm_kind state_rm_file_kind(const char *name, const char *prefix, const char *old_prefix, const char *mine)
{
	size_t n = strlen(name), pl = strlen(RM_FILE_PREFIX), sl = strlen(RM_FILE_SUFFIX);
	if (n <= pl + sl || strncmp(name, RM_FILE_PREFIX, pl) != 0 || strcmp(name + n - sl, RM_FILE_SUFFIX) != 0 ||
	    strcmp(name, mine) == 0)
		return STATE_RM_OTHER;
	for (size_t i = pl; i < n - sl; i++)
		if (!name_char((unsigned char)name[i]) && name[i] != '_' && name[i] != '.')
			return STATE_RM_OTHER; /* no name burrow makes */
	switch (dots(name, n)) {
	case 2: /* another machine's boots are its own to remove */
		return strncmp(name, prefix, strlen(prefix)) == 0 ? STATE_RM_STALE : STATE_RM_OTHER;
	case 1:
		return strncmp(name, old_prefix, strlen(old_prefix)) == 0 ? STATE_RM_OLD : STATE_RM_OTHER;
	case 0:
		return STATE_RM_OLD;
	default:
		return STATE_RM_OTHER;
	}
}
