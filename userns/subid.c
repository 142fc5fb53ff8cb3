/* Which ID mapping a new keeper gets: /etc/subuid and /etc/subgid, the
 * setuid helpers, the single-ID fallback, and root's identity mapping. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "userns/internal.h"

/* The highest inside ID plus one a map may reach (4294967295 is invalid). */
#define ID_LIMIT 4294967295UL
/* The kernel takes at most 340 lines in a map; newuidmap as many. */
#define MAX_MAP_LINES 340

const char *userns_kind_name(enum userns_kind kind)
{
	switch (kind) {
	case USERNS_KIND_SUBUID:
		return "subuid";
	case USERNS_KIND_SINGLE:
		return "single";
	case USERNS_KIND_IDENTITY:
		return "identity";
	}
	return "unknown";
}

/* Parses a whole decimal number (no sign, no spaces) up to max. */
static bool parse_ulong(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	if (len == 0 || len > 20)
		return false;
	unsigned long long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long long)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = (unsigned long)v;
	return true;
}

/* Does the first field (name or number) of a line name us? */
static bool owner_matches(const char *field, size_t len, const char *user, uid_t uid)
{
	if (user && strlen(user) == len && memcmp(field, user, len) == 0)
		return true;
	unsigned long n;
	return parse_ulong(field, len, UINT32_MAX, &n) && n == (unsigned long)uid;
}

int userns_parse_subid(const char *content, const char *user, uid_t uid, struct userns_subid_range **ranges)
{
	struct userns_subid_range *out = NULL;
	int n = 0;
	*ranges = NULL;
	if (!content)
		return 0;
	const char *line = content;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *next = end ? end + 1 : line + len;
		/* trim blanks (and a stray \r) at both ends */
		while (len > 0 && (*line == ' ' || *line == '\t')) {
			line++;
			len--;
		}
		while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
			len--;
		if (len == 0 || line[0] == '#') {
			line = next;
			continue;
		}
		/* exactly three fields: owner:start:count */
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		const char *c3 = c2 ? memchr(c2 + 1, ':', len - (size_t)(c2 + 1 - line)) : NULL;
		unsigned long start, count;
		if (c1 && c2 && !c3 && c1 > line && owner_matches(line, (size_t)(c1 - line), user, uid) &&
		    parse_ulong(c1 + 1, (size_t)(c2 - c1 - 1), UINT32_MAX, &start) &&
		    parse_ulong(c2 + 1, len - (size_t)(c2 + 1 - line), UINT32_MAX, &count) && count > 0 &&
		    start + count <= ID_LIMIT && n < MAX_MAP_LINES) {
			out = xrealloc(out, (size_t)(n + 1) * sizeof(*out));
			out[n].start = start;
			out[n].count = count;
			n++;
		}
		line = next;
	}
	*ranges = out;
	return n;
}

char *userns_map_from_ranges(unsigned long self, const struct userns_subid_range *ranges, int n)
{
	char *map = xasprintf("0 %lu 1\n", self);
	unsigned long inside = 1;
	for (int i = 0; i < n && i < MAX_MAP_LINES - 1; i++) {
		unsigned long count = ranges[i].count;
		if (inside >= ID_LIMIT)
			break;
		if (count > ID_LIMIT - inside)
			count = ID_LIMIT - inside;
		char *m = xasprintf("%s%lu %lu %lu\n", map, inside, ranges[i].start, count);
		free(map);
		map = m;
		inside += count;
	}
	return map;
}

char *userns_identity_map(const char *self_map)
{
	char *map = xstrdup("");
	int lines = 0;
	const char *p = self_map;
	while (p && *p && lines < MAX_MAP_LINES) {
		unsigned long inside, outside, count;
		int used = 0;
		if (sscanf(p, " %lu %lu %lu%n", &inside, &outside, &count, &used) == 3 && count > 0 &&
		    inside + count <= ID_LIMIT + 1) {
			char *m = xasprintf("%s%lu %lu %lu\n", map, inside, inside, count);
			free(map);
			map = m;
			lines++;
		}
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : NULL;
	}
	if (lines == 0) {
		free(map);
		return NULL;
	}
	return map;
}

char *userns_map_oneline(const char *text)
{
	/* the line can be longer than the text: the kernel pads to 10 digits,
	 * the separator ", " takes two more */
	char *out = xstrdup("");
	for (const char *line = text; *line;) {
		unsigned long a, b, c;
		if (sscanf(line, " %lu %lu %lu", &a, &b, &c) == 3) {
			char *m = xasprintf("%s%s%lu %lu %lu", out, *out ? ", " : "", a, b, c);
			free(out);
			out = m;
		}
		const char *nl = strchr(line, '\n');
		if (!nl)
			break;
		line = nl + 1;
	}
	return out;
}

char **userns_map_to_args(const char *map)
{
	char **args = xcalloc(1, sizeof(char *));
	const char *p = map;
	while (*p) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, " \n\t");
		strv_append_take(&args, xstrndup(p, len));
		p += len;
	}
	return args;
}

char *userns_find_program(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	cleanup_strv char **dirs = strv_split(path, ':');
	for (size_t i = 0; dirs[i]; i++) {
		if (dirs[i][0] != '/')
			continue; /* relative PATH entries are not trusted for setuid helpers */
		char *p = path_join(dirs[i], name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* Reads a subordinate ID file; a missing one is an empty one. */
static int read_subid_file(const char *path, const char *user, uid_t uid, struct userns_subid_range **ranges,
                           struct burrow_err **err)
{
	cleanup_free char *content = NULL;
	struct burrow_err *e = NULL;
	if (read_file(path, &content, NULL, &e) < 0) {
		int status = e->status;
		burrow_err_free(e);
		*ranges = NULL;
		if (status == ENOENT)
			return 0;
		return burrow_error(err, status, "cannot read '%s'", path);
	}
	return userns_parse_subid(content, user, uid, ranges);
}

static char *warning_for(const char *reason, const char *who, bool helper_failed)
{
	cleanup_free char *how = helper_failed
	                             ? xstrdup("fix the ranges in /etc/subuid and /etc/subgid or the setuid helpers")
	                             : xasprintf("as root add a range to /etc/subuid and /etc/subgid, e.g. 'usermod "
	                                         "--add-subuids 100000-165535 --add-subgids 100000-165535 %s'",
	                                         who);
	return xasprintf("%s: using a single-ID mapping; files of images that belong to other users are "
	                 "squashed to you (for the full mapping, %s, then run 'burrow system migrate')",
	                 reason, how);
}

void userns_plan_single(struct userns_plan *plan, const char *reason, bool helper_failed)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	struct passwd *pw = getpwuid(uid);
	cleanup_free char *who = pw ? xstrdup(pw->pw_name) : xasprintf("%u", (unsigned)uid);
	userns_plan_clear(plan);
	plan->kind = USERNS_KIND_SINGLE;
	plan->reason = xstrdup(reason);
	plan->warning = warning_for(reason, who, helper_failed);
	plan->uid_map = xasprintf("0 %u 1\n", (unsigned)uid);
	plan->gid_map = xasprintf("0 %u 1\n", (unsigned)gid);
}

static int plan_identity(struct userns_plan *plan, struct burrow_err **err)
{
	cleanup_free char *uids = NULL;
	cleanup_free char *gids = NULL;
	if (read_file("/proc/self/uid_map", &uids, NULL, err) < 0 ||
	    read_file("/proc/self/gid_map", &gids, NULL, err) < 0)
		return -1;
	plan->kind = USERNS_KIND_IDENTITY;
	plan->uid_map = userns_identity_map(uids);
	plan->gid_map = userns_identity_map(gids);
	if (!plan->uid_map || !plan->gid_map)
		return burrow_error(err, 0, "cannot read the ID mapping of the current user namespace");
	bool initial = strcmp(plan->uid_map, "0 0 4294967295\n") == 0;
	plan->reason = xstrdup(initial ? "running as root: every ID maps to itself"
	                               : "running as root in a user namespace: its IDs map to themselves");
	return 0;
}

int userns_plan_mapping(struct userns_plan *plan, struct burrow_err **err)
{
	memset(plan, 0, sizeof(*plan));
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (uid == 0)
		return plan_identity(plan, err);

	struct passwd *pw = getpwuid(uid);
	cleanup_free char *name = pw ? xstrdup(pw->pw_name) : NULL;
	cleanup_free char *who = name ? xasprintf("'%s'", name) : xasprintf("uid %u", (unsigned)uid);
	cleanup_free struct userns_subid_range *uranges = NULL;
	cleanup_free struct userns_subid_range *granges = NULL;
	int nu = read_subid_file(USERNS_SUBUID_FILE, name, uid, &uranges, err);
	if (nu < 0)
		return -1;
	/* subgid is looked up by the user's name or uid too, as shadow does */
	int ng = read_subid_file(USERNS_SUBGID_FILE, name, uid, &granges, err);
	if (ng < 0)
		return -1;
	cleanup_free char *newuidmap = userns_find_program("newuidmap");
	cleanup_free char *newgidmap = userns_find_program("newgidmap");

	cleanup_free char *reason = NULL;
	if (nu == 0)
		reason = xasprintf("no subordinate IDs for %s in %s", who, USERNS_SUBUID_FILE);
	else if (ng == 0)
		reason = xasprintf("no subordinate IDs for %s in %s", who, USERNS_SUBGID_FILE);
	else if (!newuidmap || !newgidmap)
		reason = xasprintf("%s not found (Debian package uidmap)", !newuidmap ? "newuidmap" : "newgidmap");
	if (reason) {
		userns_plan_single(plan, reason, false);
		return 0;
	}
	unsigned long nuids = 0, ngids = 0;
	for (int i = 0; i < nu; i++)
		nuids += uranges[i].count;
	for (int i = 0; i < ng; i++)
		ngids += granges[i].count;
	plan->kind = USERNS_KIND_SUBUID;
	plan->reason = xasprintf("%lu subordinate UIDs and %lu GIDs for %s from %s and %s", nuids, ngids, who,
	                         USERNS_SUBUID_FILE, USERNS_SUBGID_FILE);
	plan->uid_map = userns_map_from_ranges(uid, uranges, nu);
	plan->gid_map = userns_map_from_ranges(gid, granges, ng);
	plan->newuidmap = steal_ptr(newuidmap);
	plan->newgidmap = steal_ptr(newgidmap);
	return 0;
}

void userns_plan_clear(struct userns_plan *plan)
{
	free(plan->reason);
	free(plan->warning);
	free(plan->uid_map);
	free(plan->gid_map);
	free(plan->newuidmap);
	free(plan->newgidmap);
	memset(plan, 0, sizeof(*plan));
}
