/* Where the persistent store lives, and what kind of filesystem holds it. */
#include "state/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/internal.h"

struct fs_magic {
	unsigned long magic;
	const char *name;
	int network;
};

/* statfs f_type values (linux/magic.h and the filesystems' own headers for
 * those out of tree). */
static const struct fs_magic fs_magics[] = {
    {0xEF53UL, "ext4", 0}, /* ext2, ext3 and ext4 share it */
    {0x58465342UL, "xfs", 0},      {0x9123683EUL, "btrfs", 0},   {0x01021994UL, "tmpfs", 0},
    {0x858458f6UL, "ramfs", 0},    {0x794c7630UL, "overlay", 0}, {0x65735546UL, "fuse", 0},
    {0x2fc12fc1UL, "zfs", 0},      {0xF2F52010UL, "f2fs", 0},    {0xca451a4eUL, "bcachefs", 0},
    {0x52654973UL, "reiserfs", 0}, {0x3153464aUL, "jfs", 0},     {0x3434UL, "nilfs", 0},
    {0x73717368UL, "squashfs", 0}, {0x4d44UL, "vfat", 0},        {0x5346544eUL, "ntfs", 0},
    {0x7366746eUL, "ntfs3", 0},    {0x2011BAB0UL, "exfat", 0},   {0xf15fUL, "ecryptfs", 0},
    {0x786f4256UL, "vboxsf", 0},   {0x6969UL, "nfs", 1},         {0x517BUL, "smb", 1},
    {0xFF534D42UL, "cifs", 1},     {0xFE534D42UL, "smb2", 1},    {0x0BD00BD0UL, "lustre", 1},
    {0x47504653UL, "gpfs", 1},     {0x19830326UL, "beegfs", 1},  {0x00c36400UL, "ceph", 1},
    {0x5346414FUL, "afs", 1},      {0x6B414653UL, "afs", 1},     {0xAAD7AAEAUL, "panfs", 1},
    {0x20030528UL, "orangefs", 1}, {0x01021997UL, "9p", 1},
};

const char *state_fs_name(unsigned long magic, int *is_network)
{
	/* f_type is a signed word on some ABIs: compare the low 32 bits */
	magic &= 0xffffffffUL;
	for (size_t i = 0; i < sizeof(fs_magics) / sizeof(fs_magics[0]); i++) {
		if (fs_magics[i].magic == magic) {
			if (is_network)
				*is_network = fs_magics[i].network;
			return fs_magics[i].name;
		}
	}
	if (is_network)
		*is_network = 0;
	return NULL;
}

const char *state_fs_type(const char *path, int *is_network)
{
	if (is_network)
		*is_network = 0;
	struct statfs st;
	if (statfs(path, &st) < 0)
		return "unknown";
	const char *name = state_fs_name((unsigned long)st.f_type, is_network);
	static __thread char buf[64];
	if (name && strcmp(name, "fuse") == 0) {
		/* which FUSE filesystem: "fuse.fuse-overlayfs", "fuse.sshfs" */
		cleanup_free char *mt = state_fs_mount_type(-1, path);
		if (mt && strncmp(mt, "fuse", 4) == 0) {
			snprintf(buf, sizeof(buf), "%s", mt);
			return buf;
		}
	}
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "0x%lx", (unsigned long)st.f_type & 0xffffffffUL);
	return buf;
}

const char *state_fs_move_hint(const char *flag)
{
	if (strcmp(flag, "--root") == 0)
		return "put the storage root on a local disk: --root DIR, or storage.root in "
		       "~/.config/burrow/burrow.conf (e.g. /var/tmp/$USER/burrow or /tmp/$USER/burrow)";
	return "put the runtime dir on a local disk or tmpfs: --runroot DIR, or set XDG_RUNTIME_DIR";
}

/* How to move a store off a filesystem that cannot hold it. */
static int move_hint(const char *flag, struct burrow_err **err)
{
	return burrow_error_hint(err, "%s", state_fs_move_hint(flag));
}

char *state_fs_probe(const char *path)
{
	int net = 0;
	const char *name = state_fs_type(path, &net);
	if (net)
		return xasprintf("a network filesystem (%s): file locks and fuse-overlayfs are unreliable there", name);
	/* what the store needs of its filesystem: unnamed files (load, push,
	 * commit) and file locks (every record, every layer) */
	cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *lack = fd >= 0 ? state_fs_lacking(fd) : NULL;
	return lack ? xasprintf("%s does not support %s", name, lack) : NULL;
}

int state_fs_check_magic(const char *what, const char *path, unsigned long magic, const char *flag,
                         struct burrow_err **err)
{
	int net = 0;
	const char *name = state_fs_name(magic, &net);
	if (!net)
		return 0;
	burrow_error_status(
	    err, EREMOTE, "%s '%s' is on a network filesystem (%s), where file locks and fuse-overlayfs are unreliable",
	    what, path, name);
	return move_hint(flag, err);
}

const char *state_fs_errno_lack(int errnum)
{
	switch (errnum) {
	case ENOLCK:
		return "file locks";
	case EOPNOTSUPP: /* ENOTSUP is the same number on Linux */
		return "one of unnamed temporary files, extended attributes and atomic renames";
	case ENOSYS:
		return "an operation burrow needs";
	case EREMOTE:
	case ESTALE:
		return "local file semantics";
	default:
		return NULL;
	}
}

/* state_fs_explain_magic, with the type (NULL: magic's) and what the
 * filesystem lacks (NULL: what err's status says) found by a probe. */
static int explain(const char *what, const char *path, unsigned long magic, const char *type, const char *lacking,
                   const char *flag, struct burrow_err **err)
{
	const char *lack = !*err ? NULL : lacking ? lacking : state_fs_errno_lack((*err)->status);
	int net = 0;
	const char *name = state_fs_name(magic, &net);
	if (type)
		name = type;
	if (!lack && !net)
		return -1;
	char hex[24];
	if (!name) {
		snprintf(hex, sizeof(hex), "0x%lx", magic & 0xffffffffUL);
		name = hex;
	}
	char *msg =
	    xasprintf("%s (%s '%s' is on %s%s%s%s)", (*err)->msg, what, path, net ? "a network filesystem, " : "", name,
	              lack ? ", which does not support " : "", lack ? lack : "");
	free((*err)->msg);
	(*err)->msg = msg;
	return move_hint(flag, err);
}

int state_fs_explain_magic(const char *what, const char *path, unsigned long magic, const char *flag,
                           struct burrow_err **err)
{
	return explain(what, path, magic, NULL, NULL, flag, err);
}

int state_fs_explain(const char *what, const char *path, int fd, const char *flag, struct burrow_err **err)
{
	struct statfs st;
	if (!*err || (fd >= 0 ? fstatfs(fd, &st) : statfs(path, &st)) < 0)
		return -1;
	cleanup_free char *type = NULL, *lacking = NULL;
	int st_errno = (*err)->status;
	/* errnos that say "something is not supported": which, found by
	 * trying it in the directory (only here, on the way out of a failure) */
	if (st_errno == EOPNOTSUPP || st_errno == ENOSYS) {
		struct stat sb;
		cleanup_close int dfd = -1;
		int probe = fd;
		if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			cleanup_free char *dir = xstrdup(path);
			char *slash = strrchr(dir, '/');
			if (slash)
				slash[slash == dir ? 1 : 0] = '\0';
			dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			probe = dfd;
		}
		if (probe >= 0)
			lacking = state_fs_lacking(probe);
	}
	const char *magic_name = state_fs_name((unsigned long)st.f_type, NULL);
	if (magic_name && strcmp(magic_name, "fuse") == 0)
		type = state_fs_mount_type(fd, path);
	return explain(what, path, (unsigned long)st.f_type, type, lacking, flag, err);
}

int state_fs_check(const char *what, const char *path, const char *flag, struct burrow_err **err)
{
	struct statfs st;
	if (statfs(path, &st) < 0)
		return burrow_error(err, errno, "cannot examine %s '%s'", what, str_quote(path));
	return state_fs_check_magic(what, path, (unsigned long)st.f_type, flag, err);
}

/* the root's place under HOME */
#define ROOT_IN_HOME ".local/share/burrow"

char *state_root_service(unsigned long uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) != 0 || !res || !res->pw_dir || res->pw_dir[0] != '/')
		return NULL;
	return path_join(res->pw_dir, ROOT_IN_HOME);
}

int state_root_resolve(const char *override, char **out, char **source, struct burrow_err **err)
{
	cleanup_free char *root = NULL;
	const char *src;
	const char *xdg = getenv("XDG_DATA_HOME");
	if (override && *override) {
		if (override[0] == '/') {
			root = xstrdup(override);
		} else {
			cleanup_free char *cwd = getcwd(NULL, 0);
			if (!cwd)
				return burrow_error(err, errno, "cannot resolve --root '%s'", str_quote(override));
			root = path_join(cwd, override);
		}
		src = "--root";
	} else if (xdg && xdg[0] == '/') {
		/* the XDG spec says to ignore a relative value */
		root = path_join(xdg, "burrow");
		src = "$XDG_DATA_HOME";
	} else {
		cleanup_free char *home = home_dir();
		if (!home) {
			burrow_error_status(err, ENOENT,
			                    "cannot find the storage root: neither XDG_DATA_HOME nor HOME is set");
			return burrow_error_hint(err, "set HOME, or give --root DIR");
		}
		root = path_join(home, ROOT_IN_HOME);
		src = "default ($HOME/.local/share/burrow)";
	}
	size_t n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		root[--n] = '\0';
	if (mkdir_p(root, 0700, err) < 0) {
		burrow_error_wrap(err, "storage root (%s)", src);
		if (strcmp(src, "--root") != 0)
			burrow_error_hint(err, "give a writable directory with --root DIR");
		return -1;
	}
	if (access(root, W_OK | X_OK) < 0) {
		burrow_error(err, errno, "storage root '%s' (%s) is not writable", str_quote(root), src);
		return burrow_error_hint(err, "give a writable directory with --root DIR");
	}
	*out = steal_ptr(root);
	if (source)
		*source = xstrdup(src);
	return 0;
}
