/* The storage root's own directories stay private. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "lib/cleanup.h"
#include "lib/quote.h"

/* The directories burrow keeps under the storage root: containers/ (each
 * container's upper dir holds files of ours, setuid ones too) and layers/
 * (the images); volumes/ when there is one. */
static const struct {
	const char *name;
	bool make;
} private_dirs[] = {{"containers", true}, {"layers", true}, {"volumes", false}};

int ctr_storage_private(const char *root, struct burrow_err **err)
{
	cleanup_close int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return burrow_error(err, errno, "cannot open storage root '%s'", str_quote(root));
	struct stat rst;
	if (fstat(rfd, &rst) < 0)
		return burrow_error(err, errno, "cannot examine storage root '%s'", str_quote(root));
	for (size_t i = 0; i < sizeof(private_dirs) / sizeof(private_dirs[0]); i++) {
		const char *name = private_dirs[i].name;
		struct stat st;
		if (fstatat(rfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				return burrow_error(err, errno, "cannot examine '%s/%s'", str_quote(root), name);
			if (!private_dirs[i].make)
				continue;
			/* made here, before anything below it: a mkdir -p further
			 * down must not make it with the mode meant for its leaf */
			if (mkdirat(rfd, name, 0700) < 0 && errno != EEXIST)
				return burrow_error(err, errno, "cannot create directory '%s/%s'", str_quote(root),
				                    name);
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			return burrow_error(err, ENOTDIR, "'%s/%s' in the storage root", str_quote(root), name);
		if ((st.st_mode & 077) == 0)
			continue;
		/* made by an older burrow, or by hand */
		cleanup_close int fd = openat(rfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fchmod(fd, 0700) < 0)
			return burrow_error(err, errno, "cannot make '%s/%s' private (mode 0700)", str_quote(root),
			                    name);
		if (rst.st_mode & 011)
			burrow_warn("storage root '%s' can be entered by other users: made '%s' private (0700)",
			            str_quote(root), name);
	}
	return 0;
}
