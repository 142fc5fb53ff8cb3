/* One parser of /proc/PID/mountinfo lines (proc(5)):
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)      (6)      (7...)  (8) (9)   (10)       (11)
 *
 * ID, parent ID, major:minor, root, mount point, mount options, zero or
 * more optional fields ("shared:N", "master:N", "unbindable"), a lone "-",
 * filesystem type, source, super options. The kernel writes a space, tab,
 * newline or backslash inside a field as a 3-digit octal escape ("\040");
 * the strings here are decoded. */
#ifndef BURROW_LIB_MOUNTINFO_H
#define BURROW_LIB_MOUNTINFO_H

#include <stddef.h>

struct mountinfo_entry {
	unsigned long id, parent;
	unsigned int major, minor;
	char *root;      /* within its filesystem: "/" for the whole of it */
	char *point;     /* the mount point, in this mount namespace */
	char *options;   /* per-mount: "rw,nosuid,relatime" */
	char **optional; /* NULL-terminated, maybe empty: "shared:1", "master:2" */
	char *fstype;    /* "ext4", "fuse.fuse-overlayfs" */
	char *source;    /* "/dev/sda1", "tmpfs"; may be "" */
	char *super;     /* per-superblock: "rw,size=65536k" */
	char *buf_;      /* owns the strings above */
};

/* Parses the line of len bytes (no '\n') into *e, which the caller clears
 * with mountinfo_entry_clear. Returns 0, or -1 (errno EINVAL, *e left
 * empty) for a line that is not one of mountinfo's: fewer fields, no "-"
 * separator, an ID or a device that is not a number. */
int mountinfo_parse(const char *line, size_t len, struct mountinfo_entry *e);

/* The next well-formed line of mountinfo's text from *cursor (a pointer
 * into that text, NULL or at its end once all are read), moving *cursor
 * past it: 1 with *e filled (its previous contents cleared first), 0 at
 * the end. Malformed lines are skipped. */
int mountinfo_next(const char **cursor, struct mountinfo_entry *e);

/* Frees what *e holds and empties it; safe on an empty entry. */
void mountinfo_entry_clear(struct mountinfo_entry *e);

#define cleanup_mountinfo __attribute__((cleanup(mountinfo_entry_clear)))

#endif
