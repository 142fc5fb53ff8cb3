/* --cidfile (see cidfile.h). */
#include "container/cidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

static int exists_error(const char *path, struct burrow_err **err)
{
	/* podman's words */
	return burrow_error_status(
	    err, EEXIST, "container id file exists. Ensure another container is not using it or delete %s", path);
}

int ctr_cidfile_check(const char *path, struct burrow_err **err)
{
	struct stat st;
	if (lstat(path, &st) == 0)
		return exists_error(path, err);
	/* where it goes: there, and writable (as far as one can tell before) */
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	const char *d = slash ? dir : ".";
	int e = stat(d, &st) < 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : access(d, W_OK | X_OK) < 0 ? errno : 0;
	if (e)
		return burrow_error(err, e, "cannot create the container id file '%s'", str_quote(path));
	return 0;
}

int ctr_cidfile_write(const char *path, const char *id, struct burrow_err **err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return exists_error(path, err);
		return burrow_error(err, errno, "cannot create the container id file '%s'", str_quote(path));
	}
	cleanup_free char *line = xasprintf("%s\n", id);
	if (write_all(fd, line, strlen(line)) < 0) {
		int e = errno;
		(void)unlink(path);
		return burrow_error(err, e, "cannot write the container id file '%s'", str_quote(path));
	}
	return 0;
}

int ctr_cidfile_read(const char *path, char **id, struct burrow_err **err)
{
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return burrow_error_wrap(err, "reading CIDFile");
	text[strcspn(text, "\r\n")] = '\0';
	if (!*text)
		return burrow_error_status(err, ENOENT, "the container id file '%s' is empty", str_quote(path));
	*id = steal_ptr(text);
	return 0;
}

void ctr_cidfile_remove(char *const *annotations, const char *id)
{
	const char *path = NULL;
	size_t klen = strlen(CTR_CIDFILE_KEY);
	for (char *const *a = annotations; a && *a; a++)
		if (strncmp(*a, CTR_CIDFILE_KEY, klen) == 0 && (*a)[klen] == '=')
			path = *a + klen + 1;
	if (!path || !*path)
		return;
	/* only the file this container wrote: not one a later container (or
	 * the user) put at that path meanwhile */
	cleanup_free char *text = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &text, NULL, &e) < 0) {
		burrow_err_free(e);
		return;
	}
	text[strcspn(text, "\r\n")] = '\0';
	if (strcmp(text, id) == 0 && unlink(path) < 0 && errno != ENOENT)
		burrow_warn("cannot remove the container id file '%s': %s", str_quote(path), strerror(errno));
}
