/* Users and ID mapping: --userns, --uidmap/--gidmap, --passwd-entry.
 *
 * A container that needs IDs of its own (keep-id, nomap, auto, a map) gets
 * a user namespace nested in burrow's, whose maps the runtime writes from
 * burrow's namespace: nothing of the image is copied or chowned, and the
 * maps cost one write each. The entries keep-id needs in /etc/passwd and
 * /etc/group go into copies in the container's runtime dir, bound over the
 * originals: the image's layers stay as they are. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "container/internal.h"
#include "container/mount.h"
#include "container/nsmode.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "overlay/overlay.h"
#include "userns/userns.h"

#define CTR_USERNS_AUTO_SIZE 1024UL

#define PODMAN_PASSWD_ENTRY "$USERNAME:*:$UID:$GID:$NAME:$HOME:/bin/sh"

enum mode { MODE_HOST, MODE_KEEP_ID, MODE_NOMAP, MODE_AUTO, MODE_MAP };

struct parsed {
	enum mode mode;
	long long uid, gid, size; /* -1: not given */
};

/* key=N out of "key=N,key=N" options. */
static int parse_opts(const char *opts, const char *const *keys, long long *vals, const char *spec,
                      struct burrow_err **err)
{
	cleanup_strv char **parts = strv_split(opts, ',');
	for (size_t i = 0; parts[i]; i++) {
		char *eq = strchr(parts[i], '=');
		size_t k = 0;
		for (; eq && keys[k]; k++)
			if (strlen(keys[k]) == (size_t)(eq - parts[i]) &&
			    strncmp(parts[i], keys[k], eq - parts[i]) == 0)
				break;
		if (!eq || !keys[k])
			return burrow_error_status(err, EINVAL, "invalid --userns '%s': unknown option '%s'",
			                           str_quote(spec), str_quote(parts[i]));
		if (str_to_ll(eq + 1, k == 2 ? 1 : 0, ID_MAX, &vals[k]) < 0)
			return burrow_error_status(err, EINVAL, "invalid --userns '%s': '%s' is not a number",
			                           str_quote(spec), str_quote(parts[i]));
	}
	return 0;
}

static int parse_mode(const struct ctr_create_opts *o, struct parsed *p, struct burrow_err **err)
{
	long long v[3] = {-1, -1, -1};
	const char *m = o->userns ? o->userns : "";
	*p = (struct parsed){.mode = MODE_HOST, .uid = -1, .gid = -1, .size = -1};
	if (o->uidmap || o->gidmap) {
		if (*m && strcmp(m, "host") != 0)
			return burrow_error_status(err, EINVAL, "--userns=%s cannot go with --uidmap or --gidmap", m);
		p->mode = MODE_MAP;
		return 0;
	}
	if (!*m || strcmp(m, "host") == 0)
		return 0;
	if (strcmp(m, "nomap") == 0) {
		p->mode = MODE_NOMAP;
		return 0;
	}
	if (strncmp(m, "keep-id", 7) == 0 && (!m[7] || m[7] == ':')) {
		static const char *const kkeys[] = {"uid", "gid", NULL};
		if (m[7] && parse_opts(m + 8, kkeys, v, m, err) < 0)
			return -1;
		*p = (struct parsed){.mode = MODE_KEEP_ID, .uid = v[0], .gid = v[1], .size = -1};
		return 0;
	}
	if (strncmp(m, "auto", 4) == 0 && (!m[4] || m[4] == ':')) {
		static const char *const akeys[] = {"", "", "size", NULL};
		if (m[4] && parse_opts(m + 5, akeys, v, m, err) < 0)
			return -1;
		*p = (struct parsed){.mode = MODE_AUTO, .uid = -1, .gid = -1, .size = v[2]};
		return 0;
	}
	return burrow_error_status(err, EINVAL,
	                           "unsupported --userns '%s': burrow knows host, keep-id[:uid=N,gid=N], nomap and "
	                           "auto[:size=N]",
	                           str_quote(m));
}

int ctr_userns_check(const struct ctr_create_opts *o, struct burrow_err **err)
{
	struct parsed p;
	if (parse_mode(o, &p, err) < 0)
		return -1;
	/* a user namespace of its own has no say over a network namespace
	 * burrow's (or another container's) owns: setns would fail at start */
	const struct netns_cfg *n = o->network;
	if (p.mode != MODE_HOST && n && (n->mode == NETNS_CONTAINER || n->mode == NETNS_NS)) {
		burrow_error_status(
		    err, EINVAL,
		    "--network %s:%s cannot go with %s%s: the container's own user namespace cannot "
		    "join a network namespace it does not own",
		    n->mode == NETNS_CONTAINER ? "container" : "ns", n->target,
		    p.mode == MODE_MAP ? "--uidmap/--gidmap" : "--userns=", p.mode == MODE_MAP ? "" : o->userns);
		return burrow_error_hint(err, "leave --userns out here (the container whose network it joins may "
		                              "have --userns=keep-id)");
	}
	/* the same for --pid, --ipc, --uts: setns needs CAP_SYS_ADMIN in the
	 * user namespace that owns the one joined, which the container's
	 * own has not (the start would fail with EPERM) */
	for (int i = 0; i < CTR_NS_COUNT && p.mode != MODE_HOST; i++) {
		const char *v = o->ns_mode[i];
		if (v && (str_has_prefix(v, "container:") || str_has_prefix(v, "ns:"))) {
			burrow_error_status(err, EINVAL,
			                    "--%s %s cannot go with %s%s: the container's own user namespace cannot "
			                    "join %s it does not own",
			                    ctr_ns_flag((enum ctr_ns)i), str_quote(v),
			                    p.mode == MODE_MAP ? "--uidmap/--gidmap" : "--userns=",
			                    p.mode == MODE_MAP ? "" : o->userns, ctr_ns_what((enum ctr_ns)i));
			return burrow_error_hint(err, "leave --userns out here (the container whose namespace it joins "
			                              "may have --userns=keep-id)");
		}
	}
	return 0;
}

/* A mode that needs subordinate IDs, without them. */
static int need_subids(const char *what, bool gid, struct burrow_err **err)
{
	burrow_error(err, 0,
	             "%s needs subordinate IDs: burrow's user namespace has only your own %s (no range for you "
	             "in /etc/sub%s)",
	             what, gid ? "gid" : "uid", gid ? "gid" : "uid");
	return burrow_error_hint(err, "add one (as root: usermod --add-subuids 100000-165535 --add-subgids "
	                              "100000-165535 $USER), then run 'burrow system migrate'; --userns=keep-id "
	                              "works without one");
}

/* $USERNAME, $UID, $GID, $NAME, $HOME (also as ${...}) in template. */
static char *expand_entry(const char *tmpl, const char *const vals[5])
{
	static const char *const names[] = {"USERNAME", "UID", "GID", "NAME", "HOME"};
	char *out = xstrdup("");
	for (const char *s = tmpl; *s;) {
		size_t k = 5, len = 0;
		if (*s == '$') {
			bool brace = s[1] == '{';
			for (k = 0; k < 5; k++) {
				len = strlen(names[k]);
				if (strncmp(s + 1 + brace, names[k], len) == 0 && (!brace || s[2 + len] == '}') &&
				    (brace || !(s[1 + len] == '_' || (s[1 + len] >= 'A' && s[1 + len] <= 'Z'))))
					break;
			}
			len += 1 + 2 * brace;
		}
		char *n = k < 5 ? xasprintf("%s%s", out, vals[k]) : xasprintf("%s%c", out, *s);
		s += k < 5 ? len : 1;
		free(out);
		out = n;
	}
	return out;
}

char *ctr_gecos_name(const char *gecos)
{
	return gecos ? xstrndup(gecos, strcspn(gecos, ",")) : xstrdup("");
}

/* keep-id: the user as the host knows them, then the maps and entries. */
static int keep_id(const struct ctr_create_opts *o, const struct parsed *p, const char *passwd, struct ctr_config *c,
                   unsigned long avail_u, unsigned long host_u, unsigned long avail_g, unsigned long host_g)
{
	unsigned long uid = p->uid >= 0 ? (unsigned long)p->uid : host_u;
	unsigned long gid = p->gid >= 0 ? (unsigned long)p->gid : host_g;
	c->uid_map = userns_map_keep_id(uid, avail_u);
	c->gid_map = userns_map_keep_id(gid, avail_g);
	struct passwd *pw = getpwuid((uid_t)host_u);
	struct group *gr = getgrgid((gid_t)host_g);
	const char *user = getenv("USER");
	cleanup_free char *name = xstrdup(pw ? pw->pw_name : user && *user ? user : "user");
	cleanup_free char *gecos = ctr_gecos_name(pw ? pw->pw_gecos : NULL);
	const char *env_home = getenv("HOME");
	cleanup_free char *home = xstrdup(pw && pw->pw_dir ? pw->pw_dir : env_home && *env_home ? env_home : "/");
	cleanup_free char *uid_s = xasprintf("%lu", uid);
	cleanup_free char *gid_s = xasprintf("%lu", gid);
	const char *vals[5] = {name, uid_s, gid_s, gecos, home};
	c->passwd_entry = expand_entry(o->passwd_entry ? o->passwd_entry : PODMAN_PASSWD_ENTRY, vals);
	c->group_entry = xasprintf("%s:x:%lu:%s", gr ? gr->gr_name : name, gid, name);
	if (!o->user) {
		/* keep-id's UID:GID over the image's User: nothing a start
		 * looks up */
		c->uid = (unsigned)uid;
		c->gid = (unsigned)gid;
		c->user_live = false;
	}
	/* HOME: the image's entry for the process user, else ours */
	if (!strv_env_has(c->env, "HOME")) {
		cleanup_free char *img_home = passwd ? ctr_passwd_home(passwd, c->uid) : NULL;
		strv_append_take(&c->env, xasprintf("HOME=%s", img_home ? img_home : c->uid == uid ? home : "/"));
	}
	return 0;
}

int ctr_userns_apply(const struct ctr_create_opts *o, const char *passwd, struct ctr_config *c, struct burrow_err **err)
{
	struct parsed p;
	if (parse_mode(o, &p, err) < 0)
		return -1;
	if (p.mode == MODE_HOST)
		return 0;
	unsigned long avail_u, host_u, avail_g, host_g;
	if (userns_ids(false, &avail_u, &host_u, err) < 0 || userns_ids(true, &avail_g, &host_g, err) < 0)
		return -1;
	switch (p.mode) {
	case MODE_KEEP_ID:
		keep_id(o, &p, passwd, c, avail_u, host_u, avail_g, host_g);
		c->userns = xstrdup(o->userns);
		return 0;
	case MODE_NOMAP:
	case MODE_AUTO: {
		const char *what = p.mode == MODE_NOMAP ? "--userns=nomap" : "--userns=auto";
		if (avail_u < 2 || avail_g < 2)
			return need_subids(what, avail_u >= 2, err);
		unsigned long avail = avail_u < avail_g ? avail_u : avail_g;
		unsigned long size = avail - 1;
		if (p.size > 0) {
			if ((unsigned long)p.size > size)
				return burrow_error_status(
				    err, ERANGE, "--userns=auto:size=%lld: your subordinate range has %lu IDs", p.size,
				    size);
			size = (unsigned long)p.size;
		} else if (p.mode == MODE_AUTO) { /* podman's default size */
			size = size < CTR_USERNS_AUTO_SIZE ? size : CTR_USERNS_AUTO_SIZE;
		}
		/* auto's range is placed by ctr_userns_auto_alloc */
		c->uid_map = xasprintf("0:%d:%lu", p.mode == MODE_AUTO ? 0 : 1, size);
		c->gid_map = xstrdup(c->uid_map);
		c->userns = xstrdup(o->userns);
		return 0;
	}
	case MODE_MAP:
		if (o->uidmap && userns_map_check(o->uidmap, avail_u, "--uidmap", err) < 0)
			return -1;
		if (o->gidmap && userns_map_check(o->gidmap, avail_g, "--gidmap", err) < 0)
			return -1;
		/* as podman: one of them alone serves for both */
		if (!o->gidmap && userns_map_check(o->uidmap, avail_g, "--uidmap (as the gid map)", err) < 0)
			return -1;
		if (!o->uidmap && userns_map_check(o->gidmap, avail_u, "--gidmap (as the uid map)", err) < 0)
			return -1;
		c->uid_map = xstrdup(o->uidmap ? o->uidmap : o->gidmap);
		c->gid_map = xstrdup(o->gidmap ? o->gidmap : o->uidmap);
		c->userns = xstrdup("private");
		return 0;
	case MODE_HOST:
		break;
	}
	return 0;
}

/* Whether a passwd or group text has an entry named name (NULL: any) or
 * with ID id (field 3); read a line at a time, never split whole (an
 * image's file of 16 MB of newlines or colons would be 16 million
 * strings). */
static bool has_entry(const char *text, const char *name, unsigned long id)
{
	for (const char *at = text ? text : ""; *at;) {
		const char *end = strchrnul(at, '\n');
		cleanup_free char *line = xstrndup(at, (size_t)(end - at));
		at = *end ? end + 1 : end;
		/* name:password:ID:... */
		char *f1 = strchr(line, ':'), *f2 = f1 ? strchr(f1 + 1, ':') : NULL;
		if (f1)
			*f1 = '\0';
		if (name && strcmp(line, name) == 0)
			return true;
		if (!f2)
			continue;
		char *f3 = strchr(f2 + 1, ':');
		if (f3)
			*f3 = '\0';
		long long v;
		if (str_to_ll(f2 + 1, 0, ID_MAX, &v) == 0 && (unsigned long)v == id)
			return true;
	}
	return false;
}

/* entry added to *text (growing) unless it has one with the entry's ID,
 * or (by_name) its name; -1 when entry's third field is no ID. */
static int add_entry(char **text, const char *file, const char *entry, bool by_name, bool *added,
                     struct burrow_err **err)
{
	cleanup_strv char **f = strv_split(entry, ':');
	long long id;
	if (strv_len(f) < 3 || str_to_ll(f[2], 0, ID_MAX, &id) < 0)
		return burrow_error(err, 0, "invalid %s entry '%s': its third field is not an ID", file,
		                    str_quote(entry));
	if (has_entry(*text, by_name ? f[0] : NULL, (unsigned long)id))
		return 0;
	size_t len = *text ? strlen(*text) : 0;
	char *n = xasprintf("%s%s%s\n", *text ? *text : "", len && (*text)[len - 1] != '\n' ? "\n" : "", entry);
	free(*text);
	*text = n;
	*added = true;
	return 0;
}

/* rundir/name: the container's file with the entries it lacks added:
 * keep-id's (entry) when none has its ID, each of more (--hostuser's,
 * -u's) when none has its name or its ID, as podman checks them (and
 * only to a file the container has); *out NULL when nothing is added. */
static int etc_copy(const char *root, const char *rundir, const char *name, const char *entry, char *const *more,
                    char **out, struct burrow_err **err)
{
	*out = NULL;
	if (!entry && !(more && more[0]))
		return 0;
	char *roots[] = {(char *)root, NULL};
	cleanup_free char *file = xasprintf("/etc/%s", name);
	cleanup_free char *text = NULL;
	if (ctr_read_in_roots(roots, file, &text, err) < 0)
		return burrow_error_wrap(err, "cannot add the %s entry to the container's %s", name, file);
	if (!text && !entry) /* as podman: a container without the file gets none */
		return 0;
	bool added = false;
	if (entry && add_entry(&text, name, entry, false, &added, err) < 0)
		return -1;
	for (size_t i = 0; more && more[i]; i++)
		if (add_entry(&text, name, more[i], true, &added, err) < 0)
			return -1;
	if (!added)
		return 0;
	cleanup_free char *path = path_join(rundir, name);
	if (write_file(path, text, strlen(text), 0644, err) < 0)
		return -1;
	*out = steal_ptr(path);
	return 0;
}

int ctr_userns_etc(const struct ctr_config *c, const char *root, const char *rundir, char **passwd, char **group,
                   struct burrow_err **err)
{
	*passwd = *group = NULL;
	if (c->no_passwd) /* --passwd=false */
		return 0;
	if (etc_copy(root, rundir, "passwd", c->passwd_entry, c->passwd_more, passwd, err) < 0)
		return -1;
	if (etc_copy(root, rundir, "group", c->group_entry, c->group_more, group, err) < 0) {
		free(*passwd);
		*passwd = NULL;
		return -1;
	}
	return 0;
}

/* Whether dir or a directory above it (not "/") is a mount destination
 * of c's. */
static bool under_mount(const struct ctr_config *c, const char *dir)
{
	for (size_t i = 0; c->mounts && c->mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(c->mounts[i], &m))
			continue;
		size_t n = strlen(m.destination);
		bool under = n > 1 && strncmp(dir, m.destination, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
		ctr_mount_clear(&m);
		if (under)
			return true;
	}
	return false;
}

/* --hostuser's entry, as podman writes it: the host's name, IDs and
 * GECOS; its home when that (or a directory above it) is mounted into
 * the container, else the working directory. Nothing, not HOME either,
 * for a user the image's passwd has by name or by uid (podman 4.3). */
static int host_user(const char *who, const char *passwd, struct ctr_config *c, struct burrow_err **err)
{
	struct passwd *pw = getpwnam(who);
	long long id;
	if (!pw && str_to_ll(who, 0, ID_MAX, &id) == 0)
		pw = getpwuid((uid_t)id);
	if (!pw)
		return burrow_error_status(err, CTR_ENOUSER, "--hostuser '%s': no such user on the host",
		                           str_quote(who));
	if (has_entry(passwd, pw->pw_name, (unsigned long)pw->pw_uid))
		return 0;
	const char *home = pw->pw_dir && *pw->pw_dir && under_mount(c, pw->pw_dir) ? pw->pw_dir : c->workdir;
	cleanup_free char *gecos = ctr_gecos_name(pw->pw_gecos);
	strv_append_take(&c->passwd_more, xasprintf("%s:*:%u:%u:%s:%s:/bin/sh", pw->pw_name, (unsigned)pw->pw_uid,
	                                            (unsigned)pw->pw_gid, gecos, home));
	/* as podman: the process's HOME, when nothing set one */
	if (!c->no_home && !strv_env_has(c->env, "HOME"))
		strv_append_take(&c->env, xasprintf("HOME=%s", home));
	return 0;
}

int ctr_passwd_more(const struct ctr_create_opts *o, const char *user, const char *passwd, struct ctr_config *c,
                    struct burrow_err **err)
{
	if (o->more.no_passwd)
		return 0;
	for (size_t i = 0; o->more.hostusers && o->more.hostusers[i]; i++)
		if (host_user(o->more.hostusers[i], passwd, c, err) < 0)
			return -1;
	if (!user || !*user)
		return 0;
	/* -u UID[:GROUP] (or the image's User): a numeric user gets an entry,
	 * a numeric group (the user's number without one) a group entry */
	cleanup_free char *u = xstrdup(user);
	char *g = strchr(u, ':');
	if (g)
		*g++ = '\0';
	long long id;
	if (ctr_entry_number(u, &id)) /* named by its number, as podman: 007 is 7 */
		strv_append_take(&c->passwd_more,
		                 xasprintf("%lld:*:%lld:%u:container user:%s:/bin/sh", id, id, c->gid, c->workdir));
	if (ctr_entry_number(g ? g : u, &id))
		strv_append_take(&c->group_more, xasprintf("%lld:x:%lld:%s", id, id, u));
	return 0;
}

bool ctr_entry_number(const char *s, long long *v)
{
	return *s && !s[strspn(s, "0123456789")] && str_to_ll(s, 0, ID_MAX, v) == 0;
}

int ctr_userns_ovl_mount(const struct ctr_config *c, const struct ovl_opts *o, char *const *lowerdirs,
                         const char *upper, const char *work, const char *target, pid_t *server,
                         struct burrow_err **err)
{
	struct ovl_opts oo = {0};
	if (o)
		oo = *o;
	if (ctr_userns_fs_mapped(c)) {
		oo.uidmapping = c->uid_map;
		oo.gidmapping = c->gid_map;
	}
	return ovl_mount(&oo, lowerdirs, upper, work, target, server, err);
}

bool ctr_userns_fs_mapped(const struct ctr_config *c)
{
	unsigned long avail, host;
	struct burrow_err *ignored = NULL;
	/* a single-ID namespace: every file is burrow's 0 anyway */
	bool mapped = c->uid_map && userns_ids(false, &avail, &host, &ignored) == 0 && avail > 1;
	burrow_err_free(ignored);
	return mapped;
}

/* The kernel's overflow ID (fuse-overlayfs reads it too), 65534 unless
 * changed. */
static unsigned long overflow_id(bool gid)
{
	cleanup_free char *text = NULL;
	struct burrow_err *ignored = NULL;
	long long v = 65534;
	if (read_file(gid ? "/proc/sys/kernel/overflowgid" : "/proc/sys/kernel/overflowuid", &text, NULL, &ignored) ==
	    0) {
		text[strcspn(text, "\n")] = '\0';
		if (str_to_ll(text, 0, ID_MAX, &v) < 0)
			v = 65534;
	}
	burrow_err_free(ignored);
	return (unsigned long)v;
}

void ctr_id_seen_init(struct ctr_id_seen *s, const char *map, bool gid)
{
	userns_map_parse(map, &s->map);
	s->overflow = map ? overflow_id(gid) : 0;
}

unsigned long ctr_id_seen(const struct ctr_id_seen *s, unsigned long id)
{
	unsigned long host;
	return userns_map_lookup(&s->map, id, &host) == 0 ? host : s->overflow;
}

unsigned long ctr_userns_id_seen(const char *map, unsigned long id, bool gid)
{
	struct ctr_id_seen s;
	ctr_id_seen_init(&s, map, gid);
	return ctr_id_seen(&s, id);
}

int ctr_gids_mapped(const struct ctr_config *c, char **gids, struct burrow_err **err)
{
	unsigned long avail, host;
	if (!gids || userns_ids(true, &avail, &host, err) < 0)
		return gids ? -1 : 0;
	size_t n = 0;
	for (size_t i = 0; gids[i]; i++) {
		unsigned long gid = strtoul(gids[i], NULL, 10), in_ns = gid;
		if ((!c->gid_map || userns_map_to_host(c->gid_map, gid, &in_ns) == 0) && in_ns < avail)
			gids[n++] = gids[i];
		else
			free(gids[i]);
	}
	gids[n] = NULL;
	return 0;
}

int ctr_user_groups_mapped(struct ctr_config *c, struct burrow_err **err)
{
	return ctr_gids_mapped(c, c->user_groups, err);
}

int ctr_groups_apply(char *const *specs, const char *group, struct ctr_config *c, struct burrow_err **err)
{
	struct strv_builder b = {0};
	for (size_t i = 0; specs[i]; i++) {
		if (strcmp(specs[i], "keep-groups") == 0) {
			if (strv_len(specs) > 1) {
				strv_free(b.v);
				return burrow_error_status(err, EINVAL,
				                           "--group-add keep-groups cannot go with other groups");
			}
			strv_builder_add(&b, "keep-groups");
			continue;
		}
		/* a group alone, as -u 0:GROUP resolves it */
		cleanup_free char *spec = xasprintf("0:%s", specs[i]);
		unsigned uid, gid;
		if (!*specs[i] || strchr(specs[i], ':') || ctr_resolve_user(spec, NULL, group, &uid, &gid, err) < 0) {
			strv_free(b.v);
			if (!*err)
				burrow_error(err, 0, "invalid --group-add '%s'", str_quote(specs[i]));
			return -1;
		}
		strv_builder_take(&b, xasprintf("%u", gid));
	}
	unsigned long avail, host;
	if (b.v && strcmp(b.v[0], "keep-groups") != 0 && userns_ids(true, &avail, &host, err) == 0 && avail < 2) {
		strv_free(b.v);
		return need_subids("--group-add", true, err);
	}
	if (*err) {
		strv_free(b.v);
		return -1;
	}
	c->groups = strv_builder_steal(&b);
	return 0;
}
