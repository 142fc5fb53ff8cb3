/* The runtime dir: --runroot, $XDG_RUNTIME_DIR/burrow, or a private
 * fallback directory under $TMPDIR (default /tmp). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "userns/internal.h"

enum mode_policy {
	MODE_FIX,    /* our own subdirectory: make it 0700 */
	MODE_REFUSE, /* a fallback in a shared place: refuse anything but private */
	MODE_ACCEPT, /* chosen by the user (--runroot): may be a symlink, any mode */
};

/* Creates dir (one level) 0700 if missing; then checks that it is a
 * directory of ours, and what the policy says about its mode. */
static int private_dir(const char *dir, enum mode_policy policy, struct burrow_err **err)
{
	uid_t uid = geteuid();
	if (mkdir(dir, 0700) == 0) {
		/* the umask may have taken bits away, never added: make it exact */
		if (chmod(dir, 0700) < 0)
			return burrow_error(err, errno, "cannot set the mode of runtime dir '%s'", str_quote(dir));
		return 0;
	}
	if (errno != EEXIST)
		return burrow_error(err, errno, "cannot create runtime dir '%s'", str_quote(dir));
	struct stat st;
	if ((policy == MODE_ACCEPT ? stat(dir, &st) : lstat(dir, &st)) < 0)
		return burrow_error(err, errno, "cannot stat runtime dir '%s'", str_quote(dir));
	if (S_ISLNK(st.st_mode)) {
		burrow_error(err, 0, "runtime dir '%s' is a symlink: refusing to use it", str_quote(dir));
		return burrow_error_hint(err,
		                         "remove it if you made it ('rm %s'), or set XDG_RUNTIME_DIR to a private "
		                         "directory of yours, or pass --runroot DIR",
		                         dir);
	}
	if (!S_ISDIR(st.st_mode)) {
		burrow_error(err, 0, "runtime dir '%s' is not a directory", str_quote(dir));
		return burrow_error_hint(err, "remove it, or set XDG_RUNTIME_DIR or --runroot to a directory of yours");
	}
	if (st.st_uid != uid) {
		burrow_error(err, 0, "runtime dir '%s' is owned by uid %u, not by you (uid %u): refusing to use it",
		             str_quote(dir), (unsigned)st.st_uid, (unsigned)uid);
		return burrow_error_hint(err,
		                         "set XDG_RUNTIME_DIR to a private directory of yours or pass --runroot DIR; "
		                         "someone may be trying to trick you into using their directory");
	}
	if (policy == MODE_ACCEPT)
		return 0;
	if ((st.st_mode & 077) != 0) {
		if (policy == MODE_FIX) {
			if (chmod(dir, 0700) < 0)
				return burrow_error(err, errno, "cannot set the mode of runtime dir '%s'",
				                    str_quote(dir));
			return 0;
		}
		burrow_error(err, 0, "runtime dir '%s' is accessible by other users (mode %04o): refusing to use it",
		             str_quote(dir), (unsigned)(st.st_mode & 07777));
		return burrow_error_hint(err, "make it private ('chmod 0700 %s') or remove it, if it is yours", dir);
	}
	return 0;
}

/* Why $XDG_RUNTIME_DIR cannot be used (NULL: it can). */
static char *xdg_unusable(const char *xdg)
{
	if (!xdg || !*xdg)
		return xstrdup("XDG_RUNTIME_DIR is not set");
	if (xdg[0] != '/')
		return xasprintf("XDG_RUNTIME_DIR '%s' is not an absolute path", str_quote(xdg));
	struct stat st;
	if (stat(xdg, &st) < 0)
		return xasprintf("XDG_RUNTIME_DIR '%s' does not exist", str_quote(xdg));
	if (!S_ISDIR(st.st_mode))
		return xasprintf("XDG_RUNTIME_DIR '%s' is not a directory", str_quote(xdg));
	if (st.st_uid != geteuid())
		return xasprintf("XDG_RUNTIME_DIR '%s' is owned by uid %u, not by you", str_quote(xdg),
		                 (unsigned)st.st_uid);
	return NULL;
}

/* Our uid as the parent user namespace sees it (one level up), so that a
 * burrow inside burrow's namespace (uid 0 there) picks the same fallback
 * dir as outside, and never squats root's name. */
static unsigned long outer_uid(uid_t uid)
{
	cleanup_free char *map = NULL;
	struct burrow_err *e = NULL;
	if (read_file("/proc/self/uid_map", &map, NULL, &e) < 0) {
		burrow_err_free(e);
		return uid;
	}
	for (const char *line = map; line && *line;) {
		unsigned long inside, outside, count;
		if (sscanf(line, " %lu %lu %lu", &inside, &outside, &count) == 3 && uid >= inside &&
		    uid - inside < count)
			return outside + (uid - inside);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return uid;
}

unsigned long userns_outer_uid(void)
{
	return outer_uid(geteuid());
}

char *userns_runroot_service(void)
{
	return xasprintf("/run/user/%lu/burrow", userns_outer_uid());
}

int userns_runroot(const char *override, char **out, char **source, struct burrow_err **err)
{
	if (override && *override) {
		/* relative to where we start: what is recorded under it (mount
		 * points, the keeper) must not depend on a later command's cwd */
		cleanup_free char *dir = NULL;
		if (override[0] == '/') {
			dir = xstrdup(override);
		} else {
			cleanup_free char *cwd = getcwd(NULL, 0);
			if (!cwd)
				return burrow_error(err, errno, "cannot resolve --runroot '%s'", str_quote(override));
			dir = path_join(cwd, override);
		}
		size_t n = strlen(dir);
		while (n > 1 && dir[n - 1] == '/')
			dir[--n] = '\0';
		/* the parents are the user's business; the dir itself must be ours */
		cleanup_free char *parent = xstrdup(dir);
		char *slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			if (mkdir_p(parent, 0700, err) < 0)
				return burrow_error_wrap(err, "--runroot");
		}
		if (private_dir(dir, MODE_ACCEPT, err) < 0)
			return -1;
		*out = steal_ptr(dir);
		if (source)
			*source = xstrdup("--runroot");
		return 0;
	}

	const char *xdg = getenv("XDG_RUNTIME_DIR");
	cleanup_free char *why = xdg_unusable(xdg);
	if (!why) {
		cleanup_free char *dir = path_join(xdg, "burrow");
		if (private_dir(dir, MODE_FIX, err) < 0)
			return -1;
		*out = steal_ptr(dir);
		if (source)
			*source = xstrdup("$XDG_RUNTIME_DIR");
		return 0;
	}

	const char *base = getenv("TMPDIR");
	if (!base || base[0] != '/')
		base = "/tmp";
	cleanup_free char *name = xasprintf("burrow-run-%lu", userns_outer_uid());
	cleanup_free char *dir = path_join(base, name);
	/* a fallback dir in a shared place is never repaired, only refused */
	if (private_dir(dir, MODE_REFUSE, err) < 0)
		return -1;
	*out = steal_ptr(dir);
	if (source)
		*source = xasprintf("fallback: %s", why);
	return 0;
}

void userns_path_note(struct userns_path *p, const char *what, const char *path)
{
	struct stat st;
	*p = (struct userns_path){.what = what, .path = path};
	if (path && stat(path, &st) == 0) {
		p->seen = true;
		p->dev = st.st_dev;
		p->ino = st.st_ino;
	}
}

int userns_path_check(const struct userns_path *p, struct burrow_err **err)
{
	struct stat st;
	if (!p->seen)
		return 0;
	int r = stat(p->path, &st);
	if (r == 0 && st.st_dev == p->dev && st.st_ino == p->ino)
		return 0;
	burrow_error_status(err, r < 0 ? errno : ESTALE,
	                    "%s '%s' is %s in burrow's mount namespace: its filesystem was mounted after the "
	                    "namespace keeper started, and '/' is not a shared mount here",
	                    p->what, str_quote(p->path), r < 0 ? "missing" : "another directory");
	return burrow_error_hint(err, "run 'burrow system migrate': the next command then starts a namespace keeper "
	                              "that sees it");
}
