/* ctr_create: validate everything, then write the records in one
 * transaction. Nothing is stored when anything is wrong. */
#include "container/container.h"
#include "container/envunset.h"
#include "container/events.h"
#include "container/health.h"
#include "container/hooks.h"
#include "container/internal.h"
#include "container/mount.h"
#include "container/nsmode.h"
#include "container/secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "netns/ports.h"
#include "state/state.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* --entrypoint: a JSON array, or one string (the command, not split). */
static char **parse_entrypoint(const char *s)
{
	if (!*s)
		return xcalloc(1, sizeof(char *));
	if (s[0] == '[') {
		yajl_val v = yajl_tree_parse(s, NULL, 0);
		if (v && YAJL_IS_ARRAY(v)) {
			struct strv_builder r = {0};
			for (size_t i = 0; i < v->u.array.len; i++)
				if (YAJL_IS_STRING(v->u.array.values[i]))
					strv_builder_add(&r, YAJL_GET_STRING(v->u.array.values[i]));
			yajl_tree_free(v);
			return strv_builder_steal(&r);
		}
		if (v)
			yajl_tree_free(v);
	}
	char **r = xcalloc(1, sizeof(char *));
	strv_append(&r, s);
	return r;
}

/* Whether layer root hides the lower layers' file (an absolute path): a
 * whiteout (".wh.NAME") of it or of a directory on its way, or one of
 * those directories made opaque (".wh..wh..opq"), as image/unpack.c keeps
 * them and fuse-overlayfs reads them. */
static bool hides_below(const char *root, const char *file)
{
	cleanup_close int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	const char *path = file + strspn(file, "/");
	for (const char *name = path;;) {
		const char *slash = strchrnul(name, '/');
		cleanup_free char *wh = xasprintf("%.*s.wh.%.*s", (int)(name - path), path, (int)(slash - name), name);
		cleanup_free char *opq = *slash ? xasprintf("%.*s/.wh..wh..opq", (int)(slash - path), path) : NULL;
		cleanup_close int w = openat2_retry(dfd, wh, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
		cleanup_close int o = opq ? openat2_retry(dfd, opq, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS) : -1;
		if (w >= 0 || o >= 0)
			return true;
		if (!*slash)
			return false;
		name = slash + 1;
	}
}

/* The topmost of roots (the topmost first) that has rel (relative, its
 * directories already resolved in the merged tree) as overlayfs shows
 * them: its index and an O_PATH fd of rel there (a symlink itself), or -1
 * when none has it or a layer above hides it: a whiteout, an opaque
 * directory, a non-directory on its way. */
static int top_layer_of(char *const *roots, const char *rel, int *fd)
{
	for (size_t i = 0; roots[i]; i++) {
		cleanup_close int dfd = open(roots[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		*fd = openat2_retry(dfd, rel, O_PATH | O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		if (*fd >= 0)
			return (int)i;
		if (errno == ENOTDIR || errno == ELOOP || hides_below(roots[i], rel))
			return -1;
	}
	return -1;
}

/* The kernel's limit on the links one lookup follows (ELOOP past it). */
#define LINK_HOPS 40

/* file (absolute) looked up in the merged tree of roots as the kernel
 * would in a mount of them, inside it (".." stops at its top, an absolute
 * link starts there again), each name found in the topmost layer that
 * has it: a link in one layer may lead to a file of another
 * (/etc/group -> ../usr/share/group). fd opened for reading
 * (O_NONBLOCK: a FIFO cannot hold the open; O_PATH when the path ends
 * in a directory), or -1 with errno: ENOENT when the tree has no such
 * file, ELOOP past LINK_HOPS links. */
static int open_merged(char *const *roots, const char *file)
{
	cleanup_free char *todo = xstrdup(file);
	cleanup_free char *cur = xstrdup("");
	int hops = 0;
	for (char *at = todo; *at;) {
		size_t len = strcspn(at, "/");
		char *next = at + len + strspn(at + len, "/");
		if (len == 0 || (len == 1 && at[0] == '.')) {
			at = next;
			continue;
		}
		if (len == 2 && at[0] == '.' && at[1] == '.') {
			char *slash = strrchr(cur, '/');
			*(slash ? slash : cur) = '\0';
			at = next;
			continue;
		}
		cleanup_free char *cand = xasprintf("%s%s%.*s", cur, *cur ? "/" : "", (int)len, at);
		cleanup_close int fd = -1;
		int layer = top_layer_of(roots, cand, &fd);
		struct stat st;
		if (layer < 0 || fstat(fd, &st) < 0) {
			errno = ENOENT;
			return -1;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			if (++hops > LINK_HOPS || n <= 0) {
				errno = n <= 0 ? ENOENT : ELOOP;
				return -1;
			}
			target[n] = '\0';
			if (target[0] == '/')
				cur[0] = '\0';
			char *rest = xasprintf("%s/%s", target, next);
			free(todo);
			todo = rest;
			at = todo;
			continue;
		}
		if (*next && !S_ISDIR(st.st_mode)) {
			errno = ENOENT;
			return -1;
		}
		free(cur);
		cur = steal_ptr(cand);
		if (!*next) {
			cleanup_close int dfd = open(roots[layer], O_PATH | O_DIRECTORY | O_CLOEXEC);
			return dfd < 0 ? -1
			               : openat2_retry(dfd, cur, O_RDONLY | O_NONBLOCK,
			                               RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		}
		at = next;
	}
	/* it ends in a directory (".", "..", a link to one, as the kernel's
	 * lookup would find it): an O_PATH fd of it, which the caller finds
	 * is no file */
	if (!*cur)
		return open(roots[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = -1;
	if (top_layer_of(roots, cur, &fd) < 0) {
		errno = ENOENT;
		return -1;
	}
	return fd;
}

int ctr_read_in_roots(char *const *roots, const char *file, char **out, struct burrow_err **err)
{
	*out = NULL;
	if (!roots || !roots[0])
		return 0;
	cleanup_close int fd = open_merged(roots, file);
	/* a symlink loop fails podman 4.3's lookup too (checked live);
	 * a link to a name the image lacks is no file */
	if (fd < 0 && errno == ELOOP)
		return burrow_error_status(err, CTR_ENOUSER, "%s is a symbolic link that loops", file);
	if (fd < 0)
		return 0;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return burrow_error(err, errno, "cannot read %s", file);
	/* podman 4.3 cannot find a user in a directory either: it
	 * starts nothing, with any -u */
	if (!S_ISREG(st.st_mode))
		return burrow_error_status(err, CTR_ENOUSER, "%s is %s", file,
		                           S_ISDIR(st.st_mode) ? "a directory, not a file" : "not a regular file");
	if (st.st_size > CTR_ETC_MAX)
		return burrow_error_status(err, CTR_ENOUSER, "%s is larger than %d MB: burrow does not read it", file,
		                           CTR_ETC_MAX >> 20);
	cleanup_free char *text = xmalloc((size_t)st.st_size + 1);
	ssize_t n = read_all(fd, text, (size_t)st.st_size);
	if (n < 0)
		return burrow_error(err, errno, "cannot read %s", file);
	text[n] = '\0';
	*out = steal_ptr(text);
	return 0;
}

/* The next line of text from *at, a copy (NULL at the end): an image's
 * file is taken a line at a time, never split whole (16 MB of newlines
 * would be 16 million strings). */
static char *next_line(const char **at)
{
	if (!**at)
		return NULL;
	const char *end = strchrnul(*at, '\n');
	char *line = xstrndup(*at, (size_t)(end - *at));
	*at = *end ? end + 1 : end;
	return line;
}

/* line's first n ':'-separated fields, cut in place (the rest of the line
 * left out): how many it has, at most n. */
static size_t cut_fields(char *line, char **f, size_t n)
{
	size_t nf = 0;
	for (char *p = line; p && nf < n;) {
		f[nf++] = p;
		if ((p = strchr(p, ':')))
			*p++ = '\0';
	}
	return nf;
}

/* A uid or gid of -u as runc's lookup reads one (Go's Atoi): a sign
 * ("+5", "-0") is taken, a leading space is not. */
static int id_number(const char *s, long long *v)
{
	return isspace((unsigned char)*s) ? -1 : str_to_ll(s, 0, 0xfffffffeLL, v);
}

/* In passwd or group text, the first entry named key or, when key is a
 * number, with that ID (as runc's lookup, which podman uses): its ID in
 * *id and, with gid (passwd), its group in *gid. 1 if found, else 0. */
static int find_entry(const char *text, const char *key, unsigned *id, unsigned *gid)
{
	long long num = -1, v;
	if (id_number(key, &v) == 0)
		num = v;
	char *line;
	for (const char *at = text; (line = next_line(&at)); free(line)) {
		/* name:password:id:gid... (empty fields count) */
		char *f[4];
		long long eid, egid = 0;
		if (cut_fields(line, f, 4) < (gid ? 4u : 3u) || str_to_ll(f[2], 0, 0xfffffffeLL, &eid) < 0 ||
		    (strcmp(f[0], key) != 0 && eid != num))
			continue;
		if (gid) {
			if (str_to_ll(f[3], 0, 0xfffffffeLL, &egid) < 0)
				egid = 0;
			*gid = (unsigned)egid;
		}
		*id = (unsigned)eid;
		free(line);
		return 1;
	}
	return 0;
}

/* Field n (0: the name, 5: the home) of passwd's first entry with uid
 * (NULL: none). */
static char *passwd_field(const char *passwd, unsigned uid, size_t n)
{
	char *line;
	for (const char *at = passwd; (line = next_line(&at)); free(line)) {
		/* name:password:uid:gid:gecos:home:shell */
		char *f[6];
		long long id;
		size_t nf = cut_fields(line, f, 6);
		if (nf > n && nf >= 3 && str_to_ll(f[2], 0, 0xfffffffeLL, &id) == 0 && id == (long long)uid) {
			char *v = xstrdup(f[n]);
			free(line);
			return v;
		}
	}
	return NULL;
}

char *ctr_passwd_home(const char *passwd, unsigned uid)
{
	return passwd_field(passwd, uid, 5);
}

int ctr_resolve_user(const char *spec, const char *passwd, const char *group, unsigned *uid, unsigned *gid,
                     struct burrow_err **err)
{
	cleanup_free char *u = xstrdup(spec);
	char *g = strchr(u, ':');
	if (g)
		*g++ = '\0';
	if (!*u || (g && !*g))
		return burrow_error(err, 0, "invalid user '%s'", str_quote(spec));
	long long v;
	if (!passwd || !find_entry(passwd, u, uid, gid)) {
		/* a number without an entry: that uid and group 0, as podman */
		if (id_number(u, &v) < 0)
			return burrow_error_status(err, CTR_ENOUSER, "user '%s' not found in the image's /etc/passwd",
			                           str_quote(u));
		*uid = (unsigned)v;
		*gid = 0;
	}
	if (g && (!group || !find_entry(group, g, gid, NULL))) {
		if (id_number(g, &v) < 0)
			return burrow_error_status(err, CTR_ENOUSER, "group '%s' not found in the image's /etc/group",
			                           str_quote(g));
		*gid = (unsigned)v;
	}
	return 0;
}

/* A gid and its place in a list, for ctr_user_memberships' repeats. */
struct gid_at {
	long long gid;
	size_t at; /* its place in the list */
};

static int gid_at_cmp(const void *a, const void *b)
{
	const struct gid_at *x = a, *y = b;
	if (x->gid != y->gid)
		return x->gid < y->gid ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int at_cmp(const void *a, const void *b)
{
	const struct gid_at *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* When spec (-u's) names no group, the gids of the groups of group text
 * whose member list (its fourth field, names separated by commas) holds
 * the user's name, as runc's lookup that podman uses finds them: the name
 * spec gives (an entry above with its uid does not count: -u toor is not
 * root), or for a number the name passwd gives uid; after those *b holds,
 * each once, in the file's order; sorted to find repeats (an image's
 * /etc/group may be 16 MB: no quadratic pass). */
void ctr_user_memberships(const char *spec, unsigned uid, const char *passwd, const char *group, struct strv_builder *b)
{
	long long v0;
	cleanup_free char *name = !passwd || strchr(spec, ':') ? NULL
	                          : id_number(spec, &v0) == 0  ? passwd_field(passwd, uid, 0)
	                                                       : xstrdup(spec);
	if (!name || !group)
		return;
	size_t n = 0, cap = 8;
	struct gid_at *v = xmalloc(cap * sizeof(*v));
	for (size_t i = 0; b->v && b->v[i]; i++) {
		if (n == cap)
			v = xrealloc(v, (cap *= 2) * sizeof(*v));
		v[n] = (struct gid_at){strtoll(b->v[i], NULL, 10), n};
		n++;
	}
	char *line;
	for (const char *at = group; (line = next_line(&at)); free(line)) {
		char *f[4], *save = NULL;
		long long gid;
		if (cut_fields(line, f, 4) < 4 || str_to_ll(f[2], 0, 0xfffffffeLL, &gid) < 0)
			continue;
		for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
			if (strcmp(m, name) == 0) {
				if (n == cap)
					v = xrealloc(v, (cap *= 2) * sizeof(*v));
				v[n] = (struct gid_at){gid, n};
				n++;
				break;
			}
	}
	qsort(v, n, sizeof(*v), gid_at_cmp);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || v[i].gid != v[i - 1].gid)
			v[kept++] = v[i];
	qsort(v, kept, sizeof(*v), at_cmp);
	strv_free(strv_builder_steal(b));
	for (size_t i = 0; i < kept; i++)
		strv_builder_take(b, xasprintf("%lld", v[i].gid));
	free(v);
}

int ctr_user_lookup(const char *spec, char *const *roots, unsigned *uid, unsigned *gid, struct burrow_err **err)
{
	cleanup_free char *passwd = NULL;
	cleanup_free char *group = NULL;
	if (ctr_read_in_roots(roots, "/etc/passwd", &passwd, err) < 0 ||
	    (strchr(spec, ':') && ctr_read_in_roots(roots, "/etc/group", &group, err) < 0))
		return burrow_error_wrap(err, "cannot find user '%s' in the image", str_quote(spec));
	if (ctr_resolve_user(spec, passwd, group, uid, gid, err) < 0)
		return -1;
	/* podman 4.3 writes an /etc/passwd entry for a uid (in digits: Go's
	 * ParseUint) without one, and takes its GROUP as a gid only in
	 * digits, else from /etc/group: -u 1000:+5 fails there, which exec's
	 * lookup takes; -u +1000:+5 gets no entry, and runs */
	const char *g = strchr(spec, ':');
	unsigned id, ignored;
	long long n;
	cleanup_free char *u = xstrndup(spec, g ? (size_t)(g - spec) : strlen(spec));
	if (g && ctr_entry_number(u, &n) && g[1 + strspn(g + 1, "0123456789")] &&
	    !(passwd && find_entry(passwd, u, &id, &ignored)) && !(group && find_entry(group, g + 1, &id, NULL)))
		return burrow_error_status(err, CTR_ENOUSER, "group '%s' not found in the image's /etc/group",
		                           str_quote(g + 1));
	return 0;
}

/* -u USER[:GROUP] (or the image's User) at create: kept in c->user_spec
 * for each start to look up (ctr_start_user; user_live), as podman 4.3
 * does (checked live: its create takes a user the image lacks, or an
 * /etc/passwd that is a directory; its start fails with 125, its run
 * with 126). Looked up now as well, against the image's /etc/passwd and
 * /etc/group, for what create derives from it (a numeric user's entry,
 * keep-id's HOME); a user not found there is uid 0 (its number when it
 * is one), group 0, until a start finds it. When spec names no group, the
 * groups that list the user as a member follow at each start
 * (ctr_start_groups). */
static int parse_user(const char *spec, char *const *roots, struct ctr_config *c, struct burrow_err **err)
{
	struct burrow_err *e = NULL;
	if (ctr_user_lookup(spec, roots, &c->uid, &c->gid, &e) < 0) {
		if (e->status != CTR_ENOUSER) {
			*err = e;
			return -1;
		}
		burrow_err_free(e);
		const char *g = strchr(spec, ':');
		cleanup_free char *u = xstrndup(spec, g ? (size_t)(g - spec) : strlen(spec));
		long long n;
		c->uid = ctr_entry_number(u, &n) ? (unsigned)n : 0;
		c->gid = 0;
	}
	/* what an older burrow, which knows no user_live, starts it with */
	strv_append_take(&c->user_groups, xasprintf("%u", c->gid));
	c->user_live = true;
	c->user_spec = xstrdup(spec);
	return 0;
}

/* Without a user (-u, the image's User), the supplementary groups of
 * podman 4.3's first process (checked live): keep-id's (podman's User is
 * UID:GID then) its own group alone; else root's memberships, which
 * ctr_start_groups looks up at each start. No user_spec is kept: podman's
 * exec without -u gives these none. */
static void default_user_groups(struct ctr_config *c)
{
	if (c->passwd_entry)
		strv_append_take(&c->user_groups, xasprintf("%u", c->gid));
}

int ctr_start_user(struct ctr_config *c, const char *root, struct burrow_err **err)
{
	if (!c->user_live || !c->user_spec)
		return 0;
	char *roots[] = {(char *)root, NULL};
	unsigned uid, gid; /* c keeps its own when the lookup fails */
	if (ctr_user_lookup(c->user_spec, roots, &uid, &gid, err) < 0)
		return -1;
	c->uid = uid;
	c->gid = gid;
	return 0;
}

int ctr_start_groups(const struct ctr_config *c, const char *root, char ***out, struct burrow_err **err)
{
	*out = NULL;
	struct strv_builder b = {0};
	/* -u looked up at this start (ctr_start_user): its group first, as
	 * create stores it for an older record */
	if (c->user_live)
		strv_builder_take(&b, xasprintf("%u", c->gid));
	else
		strv_builder_extend(&b, c->user_groups);
	/* podman 4.3 gives root without a user the groups that list the
	 * name passwd gives uid 0 as a member, not its own group as for -u 0
	 * ("wheel:x:10:root" gives Groups: 10) */
	const char *spec = c->user_spec ? c->user_spec : c->passwd_entry ? NULL : "0";
	if (c->groups_live && spec && !strchr(spec, ':')) {
		cleanup_free char *passwd = NULL;
		cleanup_free char *group = NULL;
		char *roots[] = {(char *)root, NULL};
		if (ctr_read_in_roots(roots, "/etc/passwd", &passwd, err) < 0 ||
		    ctr_read_in_roots(roots, "/etc/group", &group, err) < 0) {
			strv_free(strv_builder_steal(&b));
			return c->user_spec
			           ? burrow_error_wrap(err, "cannot find the groups of user '%s' in the container",
			                               str_quote(c->user_spec))
			           : burrow_error_wrap(err, "cannot find the groups of user %u in the container",
			                               c->uid);
		}
		ctr_user_memberships(spec, c->uid, passwd, group, &b);
	}
	cleanup_strv char **gids = strv_builder_steal(&b);
	if (c->groups_live && ctr_gids_mapped(c, gids, err) < 0)
		return -1;
	*out = steal_ptr(gids);
	return 0;
}

static struct ctr_mount_specs mount_specs(const struct ctr_create_opts *o)
{
	return (struct ctr_mount_specs){o->volumes, o->mounts, o->tmpfs, o->volumes_from, NULL, false};
}

int ctr_create_check(const struct ctr_create_opts *o, struct burrow_err **err)
{
	if (o->name && !state_valid_name(o->name))
		return burrow_error(err, 0, "invalid container name '%s': use letters, digits, '_', '.' and '-'",
		                    str_quote(o->name));
	struct ctr_mount_specs sp = mount_specs(o);
	if (ctr_mounts_check(&sp, NULL, err) < 0)
		return -1;
	if (ctr_sec_check(&o->sec, err) < 0 || ctr_secret_uses_check(o->secrets, NULL, err) < 0 ||
	    ctr_res_check(&o->res, err) < 0)
		return -1;
	if (ctr_userns_check(o, err) < 0 || ctr_nsmode_create_check(o, err) < 0 || ctr_more_check(&o->more, err) < 0)
		return -1;
	return ctr_labels_check(o->labels, "label", err) < 0 || ctr_labels_check(o->annotations, "annotation", err) < 0
	           ? -1
	           : 0;
}

/* -p, and with -P the exposed ports (--expose, then the image's
 * ExposedPorts keys), checked together, in their canonical spelling. */
static int ctr_ports_config(const struct ctr_create_opts *o, char *const *image_exposed, char ***out,
                            struct burrow_err **err)
{
	struct netns_ports ps = {0}, exposed = {0};
	int ret = -1;
	for (size_t i = 0; o->publish && i < o->publish->n; i++) {
		cleanup_free char *spec = netns_port_format(&o->publish->v[i]);
		if (netns_ports_add(&ps, spec, err) < 0)
			goto out;
	}
	if (o->publish_all) {
		for (size_t i = 0; o->expose && i < o->expose->n; i++) {
			cleanup_free char *spec = netns_port_format(&o->expose->v[i]);
			if (netns_ports_add_exposed(&exposed, spec, err) < 0)
				goto out;
		}
		for (size_t i = 0; image_exposed && image_exposed[i]; i++) {
			if (netns_ports_add_exposed(&exposed, image_exposed[i], err) < 0) {
				burrow_error_wrap(err, "the image's ExposedPorts");
				goto out;
			}
		}
		netns_ports_publish_exposed(&ps, &exposed);
	}
	if (netns_ports_check(&ps, err) < 0)
		goto out;
	if (ps.n && o->network && o->network->mode != NETNS_SLIRP) {
		burrow_error_status(err, EINVAL,
		                    "published ports need the slirp network (--network %s has none of its own)",
		                    o->network->mode == NETNS_HOST ? "host" : "none");
		goto out;
	}
	struct strv_builder b = {0};
	for (size_t i = 0; i < ps.n; i++)
		strv_builder_take(&b, netns_port_format(&ps.v[i]));
	*out = ps.n ? strv_builder_steal(&b) : NULL;
	ret = 0;
out:
	netns_ports_clear(&ps);
	netns_ports_clear(&exposed);
	return ret;
}

int ctr_parse_restart(const char *spec, const char **policy, int *max, struct burrow_err **err)
{
	static const char *const names[] = {"no", "always", "unless-stopped", "on-failure"};
	*max = 0;
	if (strcmp(spec, "never") == 0) {
		*policy = "no";
		return 0;
	}
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(spec, names[i]) == 0) {
			*policy = names[i];
			return 0;
		}
	}
	if (strncmp(spec, "on-failure", 10) == 0 && (spec[10] == '\0' || spec[10] == ':')) {
		long long n = 0;
		if (spec[10] == ':' && str_to_ll(spec + 11, 0, 1000000, &n) < 0)
			return burrow_error_status(
			    err, EINVAL,
			    "invalid restart policy '%s': the retry count after on-failure: is a "
			    "number",
			    str_quote(spec));
		*policy = names[3];
		*max = (int)n;
		return 0;
	}
	return burrow_error_status(err, EINVAL,
	                           "invalid restart policy '%s': use no, on-failure[:N], always or unless-stopped",
	                           str_quote(spec));
}

int ctr_parse_log_driver(const char *spec, const char **driver, struct burrow_err **err)
{
	static const char *const names[] = {"k8s-file", "none", "passthrough"};
	if (strcmp(spec, "json-file") == 0) {
		*driver = names[0]; /* as podman: an alias */
		return 0;
	}
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(spec, names[i]) == 0) {
			*driver = names[i];
			return 0;
		}
	}
	return burrow_error_status(err, EINVAL, "invalid log driver '%s': use k8s-file, none or passthrough",
	                           str_quote(spec));
}

/* Whether a container is called name (err set then, as ctr_config_insert
 * says it). */
static bool name_taken(struct state_store *s, const char *name, struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	struct burrow_err *e = NULL;
	struct ctr_config other = {0};
	bool taken = ctr_lookup(s, name, &id, &e) == 0 && ctr_config_load(s, id, &other, &e) == 0 &&
	             strcmp(other.name, name) == 0;
	burrow_err_free(e);
	ctr_config_clear(&other);
	if (taken) {
		burrow_error(err, 0, "the container name '%s' is already in use", str_quote(name));
		burrow_error_hint(err, "remove that container (burrow rm %s) or choose another name", name);
	}
	return taken;
}

int ctr_create(struct state_store *s, const struct ctr_create_opts *o, struct ctr_config *out, struct burrow_err **err)
{
	struct ctr_config c = {0};
	struct img_info *img = NULL;
	cleanup_strv char **roots = NULL; /* topmost first, for user lookups */
	cleanup_strv char **entry = NULL;
	cleanup_free char *passwd = NULL;    /* the image's, for --userns, --hostuser */
	cleanup_strv char **resolved = NULL; /* c.mounts with the volumes made marked */
	int auto_lock = -1;                  /* --userns=auto: held until c is stored */
	int secrets_lock = -1;               /* volumes, --secret: ctr_create_pending_begin's */
	int ret = -1;

	if (ctr_create_check(o, err) < 0)
		goto out;

	if (o->rootfs) {
		struct stat st;
		if (stat(o->image, &st) < 0) {
			burrow_error(err, errno, "rootfs '%s'", str_quote(o->image));
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			burrow_error(err, ENOTDIR, "rootfs '%s'", str_quote(o->image));
			goto out;
		}
		char *abs = realpath(o->image, NULL);
		if (!abs) {
			burrow_error(err, errno, "rootfs '%s'", str_quote(o->image));
			goto out;
		}
		c.rootfs = abs;
		strv_append(&roots, abs);
	} else {
		if (img_lookup_name(s, o->image, &img, &c.image_resolved, err) < 0)
			goto out;
		c.image_id = xstrdup(img->id);
		for (size_t n = strv_len(img->layers); n > 0; n--)
			strv_append(&roots, img->layers[n - 1]);
	}
	c.image_name = xstrdup(o->image);

	/* command: entrypoint + (user's command, or the image's Cmd unless
	 * the entrypoint was overridden) */
	if (o->entrypoint)
		entry = parse_entrypoint(o->entrypoint);
	else if (img && img->config.entrypoint)
		entry = strv_dup(img->config.entrypoint);
	struct strv_builder args = {0};
	strv_builder_extend(&args, entry);
	c.entrypoint_len = (unsigned)strv_len(entry);
	if (o->cmd && o->cmd[0])
		strv_builder_extend(&args, o->cmd);
	else if (!o->entrypoint && img)
		strv_builder_extend(&args, img->config.cmd);
	c.args = strv_builder_steal(&args);
	if (!c.args[0]) {
		burrow_error(err, 0, "no command specified: the image has no Cmd or Entrypoint");
		burrow_error_hint(err, "give one after the image name: burrow run %s sh", o->image);
		goto out;
	}

	c.id = state_new_id();
	if (o->hostname && *o->hostname)
		c.hostname = xstrdup(o->hostname);
	else
		c.hostname = xstrndup(c.id, 12);
	if (ctr_nsmode_apply(s, o, &c, err) < 0)
		goto out;

	/* environment: image, defaults, then -e; a later NAME= replaces an
	 * earlier one in its place */
	struct strv_builder env = {0};
	char *const *img_env = img ? img->config.env : NULL;
	strv_builder_extend(&env, o->proxy_env); /* under the image's, as podman */
	strv_builder_extend(&env, o->conf_env);
	strv_builder_extend(&env, img_env);
	if (!strv_env_has(img_env, "PATH") && !strv_env_has(o->conf_env, "PATH"))
		strv_builder_add(&env, DEFAULT_PATH);
	/* TERM=xterm: podman's default environment (containers.conf's env
	 * when that sets none), and with -t whatever it sets */
	if ((o->tty || !o->conf_env) && !strv_env_has(img_env, "TERM") && !strv_env_has(o->conf_env, "TERM"))
		strv_builder_add(&env, "TERM=xterm");
	strv_builder_add(&env, "container=burrow");
	strv_builder_take(&env, xasprintf("HOSTNAME=%s", c.hostname));
	ctr_env_merge(&env, o->more.env_merge);
	ctr_env_unset(&env, o->unsetenv, o->unsetenv_all);
	c.no_home = o->unsetenv_all || strv_contains(o->unsetenv, "HOME"); /* the HOME a start adds */
	strv_builder_extend(&env, o->env);
	c.env = strv_builder_steal(&env);
	strv_env_dedup(c.env);

	const char *user = o->user ? o->user : (img ? img->config.user : NULL);
	if (user && *user && parse_user(user, roots, &c, err) < 0)
		goto out;
	if ((o->userns || o->uidmap || o->gidmap) && ctr_read_in_roots(roots, "/etc/passwd", &passwd, err) < 0) {
		burrow_error_wrap(err, "cannot read the users of the image");
		goto out;
	}
	if (ctr_userns_apply(o, passwd, &c, err) < 0 || ctr_userns_auto_alloc(s, &c, &auto_lock, err) < 0)
		goto out;
	if (!(user && *user))
		default_user_groups(&c);
	c.groups_live = true;
	if (ctr_user_groups_mapped(&c, err) < 0)
		goto out;
	if (o->group_add) {
		cleanup_free char *group = NULL;
		if (ctr_read_in_roots(roots, "/etc/group", &group, err) < 0) {
			burrow_error_wrap(err, "cannot read the groups of the image");
			goto out;
		}
		if (ctr_groups_apply(o->group_add, group, &c, err) < 0)
			goto out;
	}
	c.workdir = xstrdup(
	    o->workdir ? o->workdir : (img && img->config.workdir && *img->config.workdir ? img->config.workdir : "/"));
	if (c.workdir[0] != '/') {
		burrow_error(err, 0, "workdir '%s' is not an absolute path", str_quote(c.workdir));
		goto out;
	}
	struct netns_cfg slirp;
	netns_cfg_init(&slirp);
	if (o->network && o->network->mode == NETNS_CONTAINER) {
		/* the other container by its ID: a later rename or reuse of the
		 * name does not change whose network this is */
		cleanup_free char *peer = NULL;
		if (ctr_lookup(s, o->network->target, &peer, err) < 0) {
			burrow_error_wrap(err, "--network container:%s", o->network->target);
			goto out;
		}
		struct netns_cfg *join = xmalloc(sizeof(*join));
		*join = *o->network;
		snprintf(join->target, sizeof(join->target), "%s", peer);
		c.network = netns_format(join);
		free(join);
		ctr_config_require(&c, peer); /* started first, not removed before it */
	} else {
		c.network = netns_format(o->network ? o->network : &slirp);
	}
	if (ctr_ports_config(o, img ? img->config.exposed_ports : NULL, &c.ports, err) < 0)
		goto out;
	c.add_hosts = o->add_hosts && o->add_hosts[0] ? strv_dup(o->add_hosts) : NULL;
	c.dns = o->dns && o->dns[0] ? strv_dup(o->dns) : NULL;
	c.dns_search = o->dns_search && o->dns_search[0] ? strv_dup(o->dns_search) : NULL;
	c.dns_options = o->dns_options && o->dns_options[0] ? strv_dup(o->dns_options) : NULL;
	c.no_hosts = o->no_hosts;
	c.shm_size = o->shm_size;
	c.seccomp = o->seccomp ? xstrdup(o->seccomp) : NULL;
	if (o->sec.sysctl_net && o->network && o->network->mode == NETNS_HOST) {
		burrow_error(err, 0, "--sysctl net.*: not with --network host (it would change the host's network)");
		goto out;
	}
	ctr_sec_to_config(&o->sec, &c);
	ctr_res_to_config(&o->res, &c);
	c.hooks_dirs = o->hooks_dirs && o->hooks_dirs[0] ? strv_dup(o->hooks_dirs) : NULL;
	ctr_hooks_warn_invalid(o->hooks_dirs);
	ctr_res_default_pids(&c, o->pids_default);
	if (o->res.limits) { /* as podman: even for --memory 0 */
		const char *why = NULL;
		cleanup_free char *cg = ctr_cgroup_base(&c, &why);
		if (!cg)
			burrow_warn("%s", why);
	}
	if (c.device_rules)
		burrow_warn("--device-cgroup-rule is ignored: no device cgroup applies to a rootless container (its "
		            "--device nodes are bind mounts)");
	c.rm = o->rm;
	c.tty = o->tty;
	c.interactive = o->interactive;
	c.log_driver = o->log_driver && strcmp(o->log_driver, "k8s-file") != 0 ? xstrdup(o->log_driver) : NULL;
	c.log_max_size = o->log_max_size;
	c.restart_policy =
	    o->restart_policy && strcmp(o->restart_policy, "no") != 0 ? xstrdup(o->restart_policy) : NULL;
	c.restart_max = o->restart_max;
	c.stop_signal = o->stop_signal;
	if (!c.stop_signal && img && img->config.stop_signal &&
	    ctr_parse_signal(img->config.stop_signal, &c.stop_signal, err) < 0) {
		burrow_error_wrap(err, "the image's StopSignal");
		goto out;
	}
	c.stop_timeout = o->stop_timeout_set ? o->stop_timeout : CTR_STOP_TIMEOUT_DEFAULT;
	c.started = o->started;
	long long created = time_wall_ns();
	c.created = created / 1000000000LL;
	c.created_ns = (int)(created % 1000000000LL);
	c.sdnotify = o->sdnotify && strcmp(o->sdnotify, "container") != 0 ? xstrdup(o->sdnotify) : NULL;
	c.create_command = o->create_command ? strv_dup(o->create_command) : NULL;
	c.create_image_at = o->create_image_at;
	if (ctr_create_extras(s, o, img, &c, err) < 0)
		goto out;
	ctr_more_to_config(&o->more, &c);
	if (ctr_health_config(o->health, img ? &img->config : NULL, &c, err) < 0)
		goto out;

	c.read_only = o->read_only;
	c.ro_no_tmpfs = o->ro_no_tmpfs;

	c.name = o->name ? xstrdup(o->name) : NULL;
	/* the last step before the records: it writes (host directories,
	 * volumes); a name in use is said before (insert says it again, when
	 * another command took it meanwhile) */
	if (c.name && name_taken(s, c.name, err))
		goto out;
	struct ctr_mount_specs sp = mount_specs(o);
	sp.image_volumes = img ? img->config.volumes : NULL;
	/* --image-volume: anonymous volumes (bind, the default), tmpfs, or
	 * nothing at all */
	if (o->more.image_volume && strcmp(o->more.image_volume, "ignore") == 0)
		sp.image_volumes = NULL;
	sp.image_tmpfs = o->more.image_volume && strcmp(o->more.image_volume, "tmpfs") == 0;
	/* volumes may be made or marked used from here on: marked, for a kill */
	if ((sp.volumes || sp.mounts || sp.volumes_from || sp.image_volumes) &&
	    ctr_create_pending_begin(s, c.id, &secrets_lock, err) < 0)
		goto out;
	if (ctr_mounts_resolve(s, &sp, c.id, &c.mounts, err) < 0)
		goto out;
	/* --hostuser's home counts as mounted once the mounts are known; a
	 * user the image has gets nothing */
	if (o->more.hostusers && !passwd && ctr_read_in_roots(roots, "/etc/passwd", &passwd, err) < 0) {
		burrow_error_wrap(err, "cannot read the users of the image");
		ctr_mounts_release(s, c.mounts, c.id, true);
		goto out;
	}
	if (ctr_passwd_more(o, user, passwd, &c, err) < 0) {
		ctr_mounts_release(s, c.mounts, c.id, true);
		goto out;
	}
	if (ctr_hooks_precreate(s, &c, err) < 0) {
		ctr_mounts_release(s, c.mounts, c.id, true);
		goto out;
	}
	char **secret_uses = NULL;
	int sr = ctr_secret_uses_check(o->secrets, &secret_uses, err);
	if (sr == 0)
		sr = ctr_secret_uses_resolve(s, secret_uses, &c, &c.secrets, &secrets_lock, err);
	strv_free(secret_uses);
	if (sr < 0) {
		ctr_mounts_release(s, c.mounts, c.id, true);
		goto out;
	}
	ctr_config_volumes_from(&c, o->volumes_from);
	/* --volumes-from X: X is a dependency, as --network container:X */
	for (size_t i = 0; o->volumes_from && o->volumes_from[i]; i++) {
		cleanup_free char *ref = NULL, *mode = NULL, *from = NULL;
		if (ctr_mount_parse_from(o->volumes_from[i], &ref, &mode, err) < 0 ||
		    ctr_lookup(s, ref, &from, err) < 0) {
			ctr_mounts_release(s, c.mounts, c.id, true);
			goto out;
		}
		ctr_config_require(&c, from);
	}
	resolved = c.mounts;
	c.mounts = ctr_mounts_stored(resolved);
	if (ctr_config_insert(s, &c, err) < 0) {
		ctr_mounts_release(s, resolved, c.id, true);
		ctr_secret_copies_remove(s, c.id);
		goto out;
	}
	ctr_secret_copies_done(s, c.id, steal_fd(secrets_lock), true);
	ctr_event(s, &c, "create");
	*out = c;
	memset(&c, 0, sizeof(c));
	ret = 0;
out:
	state_unlock(auto_lock);
	ctr_secret_copies_done(s, c.id, secrets_lock, false); /* a failure after the copies */
	if (img)
		img_info_free(img);
	ctr_config_clear(&c);
	return ret;
}
