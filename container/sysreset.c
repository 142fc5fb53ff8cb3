/* What system df and system reset need below cmd/ (see container.h):
 * sizes of directory trees, and taking burrow's mounts away before its
 * directories are removed. */
#include "container/container.h"
#include "container/internal.h"
#include "container/volume.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static long long tree_sum; /* nftw has no context argument */

static int tree_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_F || type == FTW_SL)
		tree_sum += st->st_size;
	return 0;
}

int ctr_tree_size(const char *path, long long *out, struct burrow_err **err)
{
	*out = 0;
	tree_sum = 0;
	/* not following links, not leaving its file system (a bind or a tmpfs
	 * on a volume is not the volume's storage) */
	if (nftw(path, tree_one, 16, FTW_PHYS | FTW_MOUNT) < 0) {
		if (errno == ENOENT)
			return 0;
		return burrow_error(err, errno, "cannot measure '%s'", str_quote(path));
	}
	*out = tree_sum;
	return 0;
}

int ctr_vol_size(struct state_store *s, const char *name, long long *out, struct burrow_err **err)
{
	cleanup_free char *data = ctr_vol_data_path(s, name);
	return ctr_tree_size(data, out, err);
}

/* mountinfo's field 5 (the mount point), with its octal escapes (\040)
 * decoded. */
static char *mount_point(const char *line)
{
	const char *p = line;
	for (int f = 0; f < 4 && p; f++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	size_t n = strcspn(p, " ");
	char *out = xmalloc(n + 1), *w = out;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 3 < n + 1 && p[i + 1] >= '0' && p[i + 1] <= '3') {
			*w++ = (char)((p[i + 1] - '0') * 64 + (p[i + 2] - '0') * 8 + (p[i + 3] - '0'));
			i += 3;
		} else {
			*w++ = p[i];
		}
	}
	*w = '\0';
	return out;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int ctr_mounts_under(const char *dir, char ***out, struct burrow_err **err)
{
	cleanup_free char *text = NULL;
	if (read_file("/proc/self/mountinfo", &text, NULL, err) < 0)
		return -1;
	cleanup_strv char **lines = strv_split(text, '\n');
	*out = xcalloc(1, sizeof(char *));
	for (size_t i = 0; lines[i]; i++) {
		char *mp = mount_point(lines[i]);
		if (mp && under(mp, dir))
			strv_append_take(out, mp);
		else
			free(mp);
	}
	return 0;
}

int ctr_unmount_under(const char *dir, struct burrow_err **err)
{
	/* the latest mounted first (mountinfo lists them in mount order):
	 * what is stacked on a mount point goes before it */
	for (int pass = 0; pass < 8; pass++) {
		cleanup_strv char **mps = NULL;
		if (ctr_mounts_under(dir, &mps, err) < 0)
			return -1;
		size_t n = strv_len(mps);
		if (n == 0)
			return 0;
		for (size_t i = n; i > 0; i--)
			if (umount2(mps[i - 1], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
				return burrow_error(err, errno, "cannot unmount '%s'", str_quote(mps[i - 1]));
	}
	return burrow_error(err, EBUSY, "mounts under '%s' keep coming back", str_quote(dir));
}

int ctr_remove_tree(const char *dir, struct burrow_err **err)
{
	/* nothing mounted below may be walked into: a volume's bind mount
	 * holds the user's own files */
	cleanup_strv char **left = NULL;
	if (ctr_unmount_under(dir, err) < 0 || ctr_mounts_under(dir, &left, err) < 0)
		return -1;
	if (left[0])
		return burrow_error(err, EBUSY, "'%s' is still mounted: '%s' is not removed", str_quote(left[0]),
		                    str_quote(dir));
	return rm_rf(dir, err);
}
