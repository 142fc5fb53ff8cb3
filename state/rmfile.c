/* The names of the --rm files: rm-<machine>.<boot ID>.tdb, so that
 * machines that share one storage root (a home directory on several login
 * nodes) each remove only the files of their own earlier boots. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "state/internal.h"

#define RM_FILE_PREFIX "rm-"
#define RM_FILE_SUFFIX ".tdb"

/* s's characters other than letters, digits and '-' as '_' (it is part
 * of a file name, and '.' separates the machine from the boot). */
static void name_safe(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'))
			*s = '_';
}

/* The machine ID (trimmed), or NULL when the file is missing or empty. */
static char *read_id(const char *path)
{
	struct burrow_err *e = NULL;
	char *id = state_read_trimmed(path, &e);
	burrow_err_free(e);
	return id;
}

/* This machine: /etc/machine-id (BURROW_TEST_MACHINE_ID_FILE overrides it,
 * for the tests), else D-Bus's copy, else "host-" and the host name. */
static char *machine_name(void)
{
	const char *test = getenv("BURROW_TEST_MACHINE_ID_FILE");
	char *id = test && *test ? read_id(test) : read_id("/etc/machine-id");
	if (!id && !(test && *test))
		id = read_id("/var/lib/dbus/machine-id");
	if (!id) {
		struct utsname u;
		id = xasprintf("host-%s", uname(&u) == 0 ? u.nodename : "");
	}
	name_safe(id);
	return id;
}

char *state_rm_machine_prefix(void)
{
	cleanup_free char *m = machine_name();
	return xasprintf(RM_FILE_PREFIX "%s.", m);
}

/* rm-<boot ID>.tdb: an older burrow's name, without the machine. */
static char *old_path(const char *root, const char *boot_id)
{
	cleanup_free char *b = xstrdup(boot_id);
	name_safe(b);
	return xasprintf("%s/" RM_FILE_PREFIX "%s" RM_FILE_SUFFIX, root, b);
}

char *state_rm_file_path(const char *root, const char *machine_prefix, const char *boot_id)
{
	/* made by an older burrow earlier in this boot: its containers run */
	char *old = old_path(root, boot_id);
	if (access(old, F_OK) == 0)
		return old;
	free(old);
	cleanup_free char *b = xstrdup(boot_id);
	name_safe(b);
	return xasprintf("%s/%s%s" RM_FILE_SUFFIX, root, machine_prefix, b);
}

bool state_rm_file_stale(const char *name, const char *machine_prefix, const char *mine)
{
	size_t n = strlen(name), pl = strlen(RM_FILE_PREFIX), sl = strlen(RM_FILE_SUFFIX);
	if (n <= pl + sl || strncmp(name, RM_FILE_PREFIX, pl) != 0 || strcmp(name + n - sl, RM_FILE_SUFFIX) != 0 ||
	    strcmp(name, mine) == 0)
		return false;
	const char *dot = memchr(name + pl, '.', n - pl - sl);
	if (!dot)
		return true; /* an older burrow's rm-<boot ID>.tdb, of an earlier boot */
	/* another machine's boots are its own to remove */
	return strncmp(name, machine_prefix, strlen(machine_prefix)) == 0;
}
