/* Unit tests for container/volume*.c and lib/timeparse.c: the volume
 * record, what create accepts, filters, points in time, and the store
 * (create, lookup, users, removal, prune, crash leftovers) on a real
 * burrow.tdb in a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "container/secret.h"
#include "container/volume.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/strv.h"
#include "lib/timeparse.h"
#include "lib/xalloc.h"
#include "state/state.h"
#include "tests/unit/storefx.h"

/* --- the record -------------------------------------------------------------- */

static void test_record_round_trip(void **state)
{
	(void)state;
	struct ctr_vol v = {0}, w = {0};
	v.name = xstrdup("data");
	v.driver = xstrdup("local");
	v.created = 1700000000123456789LL;
	strv_append(&v.labels, "a=1");
	strv_append(&v.labels, "b=two words");
	strv_append(&v.options, "device=/srv/x");
	strv_append(&v.options, "type=bind");
	v.anonymous = true;
	v.owner = xstrdup("abc");
	strv_append(&v.users, "abc");
	strv_append(&v.users, "def");
	v.uid = 1000;
	v.gid = -1;
	v.needs_copy_up = true;
	char *json = ctr_vol_to_json(&v);
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_vol_from_json(json, &w, &err), 0);
	assert_string_equal(w.name, "data");
	assert_string_equal(w.driver, "local");
	assert_true(w.created == 1700000000123456789LL);
	assert_int_equal(strv_len(w.labels), 2);
	assert_string_equal(w.labels[1], "b=two words");
	assert_string_equal(ctr_vol_kv_get(w.options, "device"), "/srv/x");
	assert_string_equal(ctr_vol_kv_get(w.options, "type"), "bind");
	assert_null(ctr_vol_kv_get(w.options, "o"));
	assert_true(w.anonymous);
	assert_string_equal(w.owner, "abc");
	assert_int_equal(strv_len(w.users), 2);
	assert_true(w.uid == 1000 && w.gid == -1);
	assert_true(w.needs_copy_up);
	assert_false(w.needs_chown);
	free(json);
	ctr_vol_clear(&v);
	ctr_vol_clear(&w);

	/* a record without a valid name is damage, not a volume */
	assert_int_equal(ctr_vol_from_json("{\"name\":\"../x\"}", &w, &err), -1);
	assert_int_equal(err->status, EIO);
	burrow_err_free(steal_ptr(err));
	assert_int_equal(ctr_vol_from_json("[1]", &w, &err), -1);
	burrow_err_free(steal_ptr(err));
}

/* --- what create accepts ---------------------------------------------------- */

static int check(const char *name, const char *driver, const char *opts, const char *labels, char **msg)
{
	cleanup_strv char **o = opts ? strv_split(opts, ' ') : NULL;
	cleanup_strv char **l = labels ? strv_split(labels, ' ') : NULL;
	struct ctr_vol_create_opts c = {
	    .name = name, .driver = driver, .options = o, .labels = l, .uid = -1, .gid = -1};
	struct burrow_err *err = NULL;
	int r = ctr_vol_create_check(&c, &err);
	if (msg)
		*msg = err ? xstrdup(err->msg) : NULL;
	if (r < 0)
		assert_int_equal(err->status, EINVAL);
	burrow_err_free(err);
	return r;
}

static void refused(const char *opts, const char *want)
{
	cleanup_free char *msg = NULL;
	if (check("v", NULL, opts, NULL, &msg) == 0)
		fail_msg("options '%s' were accepted", opts);
	if (!strstr(msg, want))
		fail_msg("options '%s': message '%s' lacks '%s'", opts, msg, want);
}

static void test_create_check(void **state)
{
	(void)state;
	/* names: podman's rule */
	const char *good[] = {"a", "data", "my-vol_1.2", "0abc", "A.B"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(check(good[i], NULL, NULL, NULL, NULL), 0);
	const char *bad[] = {"", "-a", ".a", "_a", "a/b", "..", "a b", "a:b", "ä"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_free char *msg = NULL;
		assert_int_equal(check(bad[i], NULL, NULL, NULL, &msg), -1);
		assert_non_null(strstr(msg, "invalid volume name"));
	}
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[253] = '\0';
	assert_int_equal(check(longname, NULL, NULL, NULL, NULL), 0);
	longname[253] = 'a';
	longname[254] = '\0';
	assert_int_equal(check(longname, NULL, NULL, NULL, NULL), -1);
	/* no name: a generated one */
	assert_int_equal(check(NULL, NULL, NULL, NULL, NULL), 0);

	/* drivers */
	assert_int_equal(check("v", "local", NULL, NULL, NULL), 0);
	cleanup_free char *dmsg = NULL;
	assert_int_equal(check("v", "image", NULL, NULL, &dmsg), -1);
	assert_non_null(strstr(dmsg, "volume driver 'image' is not supported"));

	/* labels: KEY or KEY=VALUE, never an empty key */
	assert_int_equal(check("v", NULL, NULL, "a=1 b a=2 c=x=y", NULL), 0);
	cleanup_free char *lmsg = NULL;
	assert_int_equal(check("v", NULL, NULL, "=x", &lmsg), -1);
	assert_non_null(strstr(lmsg, "invalid label '=x'"));

	/* options of the local driver */
	const char *ok[] = {
	    "type=tmpfs",
	    "type=tmpfs device=tmpfs o=size=2M,nodev,noexec",
	    "type=tmpfs o=size=50%,nr_inodes=1k,mode=1777,uid=1000,gid=1000",
	    "type=bind device=/srv o=bind,ro",
	    "type=bind device=relative/dir o=rbind,nosuid",
	    "o=uid=1000,gid=100",
	    "nocopy",
	    "copy",
	    "type=tmpfs nocopy=true",
	    "type=tmpfs o=size=18446744073709551615,nr_inodes=16777215T,nr_blocks=15e",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (check("v", NULL, ok[i], NULL, NULL) != 0)
			fail_msg("options '%s' were refused", ok[i]);
	refused("type=ext4 device=/dev/sda1", "unsupported volume type 'ext4'");
	refused("type=nfs", "unsupported volume type 'nfs'");
	refused("type=bind", "type=bind needs device=DIR");
	refused("device=/srv", "device=/srv needs type=bind");
	refused("o=noexec", "takes only uid= and gid=");
	refused("o=size=2m", "takes only uid= and gid=");
	refused("o=uid=x", "not a numeric ID");
	refused("o=uid=-1", "not a numeric ID");
	refused("type=tmpfs o=size=lots", "o=size=lots: bad value");
	refused("type=tmpfs o=mode=999", "o=mode=999: bad value");
	/* the kernel's memparse() would wrap these round to small sizes */
	refused("type=tmpfs o=size=18446744073709551616", "o=size=18446744073709551616: bad value");
	refused("type=tmpfs o=nr_inodes=16777216t", "o=nr_inodes=16777216t: bad value");
	refused("type=tmpfs o=nr_blocks=16E", "o=nr_blocks=16E: bad value");
	refused("type=tmpfs o=bind", "o=bind for type=tmpfs");
	refused("type=bind device=/srv o=size=1m", "o=size=1m for type=bind");
	refused("type=bind device=/srv o=uid=0", "o=uid=0 for type=bind");
	refused("foo=bar", "invalid volume option 'foo'");
	refused("Type=tmpfs", "invalid volume option 'Type'");
	refused("copy nocopy", "copy and nocopy exclude each other");
	refused("nocopy=maybe", "nocopy takes no value");
}

/* --- points in time ------------------------------------------------------------ */

static void test_time_parse(void **state)
{
	(void)state;
	const long long s = 1000000000LL, now = 1700000000LL * s;
	long long t = 0;
	struct burrow_err *err = NULL;
	assert_int_equal(time_parse_point("10m", now, &t, &err), 0);
	assert_true(t == now - 600 * s);
	assert_int_equal(time_parse_point("1h30m", now, &t, &err), 0);
	assert_true(t == now - 5400 * s);
	assert_int_equal(time_parse_point("1.5h", now, &t, &err), 0);
	assert_true(t == now - 5400 * s);
	assert_int_equal(time_parse_point("250ms", now, &t, &err), 0);
	assert_true(t == now - 250000000LL);
	assert_int_equal(time_parse_point("-1m", now, &t, &err), 0);
	assert_true(t == now + 60 * s);
	assert_int_equal(time_parse_point("0", now, &t, &err), 0);
	assert_true(t == now);
	assert_int_equal(time_parse_point("1600000000", now, &t, &err), 0);
	assert_true(t == 1600000000LL * s);
	assert_int_equal(time_parse_point("1600000000.5", now, &t, &err), 0);
	assert_true(t == 1600000000LL * s + 500000000LL);
	assert_int_equal(time_parse_point("2020-09-13T12:26:40Z", now, &t, &err), 0);
	assert_true(t == 1600000000LL * s);
	assert_int_equal(time_parse_point("2020-09-13T14:26:40.25+02:00", now, &t, &err), 0);
	assert_true(t == 1600000000LL * s + 250000000LL);
	/* without a zone: local time */
	setenv("TZ", "UTC", 1);
	assert_int_equal(time_parse_point("2020-09-13", now, &t, &err), 0);
	assert_true(t == (1600000000LL - 12 * 3600 - 26 * 60 - 40) * s);
	assert_int_equal(time_parse_point("2020-09-13 12:26:40", now, &t, &err), 0);
	assert_true(t == 1600000000LL * s);
	const char *bad[] = {"", "soon", "10", "10x", "1h3", "2020-13-45", "2020-09-13T12:26:40Q", "1.2.3", "m"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* "10": a duration without a unit is refused, but it is a Unix time */
		if (strcmp(bad[i], "10") == 0) {
			assert_int_equal(time_parse_point(bad[i], now, &t, &err), 0);
			assert_true(t == 10 * s);
			continue;
		}
		if (time_parse_point(bad[i], now, &t, &err) == 0)
			fail_msg("'%s' was taken as a time", bad[i]);
		assert_int_equal(err->status, EINVAL);
		assert_non_null(strstr(err->msg, "is not a time"));
		burrow_err_free(steal_ptr(err));
	}
	long long d;
	assert_int_equal(time_parse_duration("10", &d), -1);
	assert_int_equal(time_parse_duration("2h45m3s", &d), 0);
	assert_true(d == (2 * 3600 + 45 * 60 + 3) * s);
}

/* --- filters ------------------------------------------------------------------------- */

static struct ctr_vol_filters *filters(const char *specs)
{
	cleanup_strv char **v = specs ? strv_split(specs, ' ') : NULL;
	struct ctr_vol_filters *f = NULL;
	struct burrow_err *err = NULL;
	if (ctr_vol_filters_parse(NULL, v, &f, &err) < 0)
		fail_msg("filters '%s': %s", specs, err->msg);
	return f;
}

static void filter_refused(const char *specs, const char *want)
{
	cleanup_strv char **v = strv_split(specs, ' ');
	struct ctr_vol_filters *f = NULL;
	struct burrow_err *err = NULL;
	if (ctr_vol_filters_parse(NULL, v, &f, &err) == 0)
		fail_msg("filters '%s' were accepted", specs);
	if (!strstr(err->msg, want))
		fail_msg("filters '%s': message '%s' lacks '%s'", specs, err->msg, want);
	assert_int_equal(err->status, EINVAL);
	burrow_err_free(err);
}

static struct ctr_vol sample(const char *name, const char *labels, bool anon, long long created)
{
	struct ctr_vol v = {.name = xstrdup(name), .driver = xstrdup("local"), .anonymous = anon, .created = created};
	if (labels)
		v.labels = strv_split(labels, ' ');
	strv_append(&v.options, "type=tmpfs");
	return v;
}

static void test_filters(void **state)
{
	(void)state;
	struct ctr_vol a = sample("alpha", "env=prod tier=db", false, 1000), b = sample("beta", "env=dev", true, 2000),
	               c = sample("gamma", NULL, false, 3000);
	struct ctr_vol_filters *f;
#define MATCHES(spec, va, ua, vb, ub, vc, uc)                           \
	do {                                                            \
		f = filters(spec);                                      \
		assert_int_equal(ctr_vol_filters_match(f, &a, ua), va); \
		assert_int_equal(ctr_vol_filters_match(f, &b, ub), vb); \
		assert_int_equal(ctr_vol_filters_match(f, &c, uc), vc); \
		ctr_vol_filters_free(f);                                \
	} while (0)
	MATCHES(NULL, 1, 0, 1, 0, 1, 0);
	/* name: exact or a regular expression anywhere in it, any of several */
	MATCHES("name=alpha", 1, 0, 0, 0, 0, 0);
	MATCHES("name=^a", 1, 0, 0, 0, 0, 0);
	MATCHES("name=ta", 0, 0, 1, 0, 0, 0);
	MATCHES("name=alpha name=gam", 1, 0, 0, 0, 1, 0);
	/* label: every one given must be there; label!: none of them */
	MATCHES("label=env", 1, 0, 1, 0, 0, 0);
	MATCHES("label=env=prod", 1, 0, 0, 0, 0, 0);
	MATCHES("label=env label=tier=db", 1, 0, 0, 0, 0, 0);
	MATCHES("label=env=dev label=tier", 0, 0, 0, 0, 0, 0);
	MATCHES("label!=env", 0, 0, 0, 0, 1, 0);
	MATCHES("label!=env=prod", 0, 0, 1, 0, 1, 0);
	/* dangling: not used by any container */
	MATCHES("dangling=true", 1, 0, 0, 1, 1, 0);
	MATCHES("dangling=0", 0, 0, 1, 1, 0, 0);
	MATCHES("anonymous=true", 0, 0, 1, 0, 0, 0);
	MATCHES("anonymous=false", 1, 0, 0, 0, 1, 0);
	MATCHES("driver=local", 1, 0, 1, 0, 1, 0);
	MATCHES("driver=other", 0, 0, 0, 0, 0, 0);
	MATCHES("scope=local", 1, 0, 1, 0, 1, 0);
	MATCHES("opt=type=tmpfs", 1, 0, 1, 0, 1, 0);
	MATCHES("opt=type=bind", 0, 0, 0, 0, 0, 0);
	MATCHES("opt=type", 1, 0, 1, 0, 1, 0);
	/* until: created before it; two keys: both must match */
	MATCHES("until=1970-01-01T00:00:00.0000025Z", 1, 0, 1, 0, 0, 0);
	MATCHES("until=1970-01-01T00:00:00.0000025Z label=env=dev", 0, 0, 1, 0, 0, 0);
#undef MATCHES
	filter_refused("colour=red", "'colour' is an invalid volume filter");
	filter_refused("all=true", "'all' is an invalid volume filter");
	filter_refused("dangling=maybe", "not a valid value for the \"dangling\" filter");
	filter_refused("anonymous=2", "not a valid value for the \"anonymous\" filter");
	filter_refused("name=(", "invalid name filter '('");
	filter_refused("until=later", "'later' is not a time");
	filter_refused("label", "it needs KEY=VALUE");
	ctr_vol_clear(&a);
	ctr_vol_clear(&b);
	ctr_vol_clear(&c);
}

/* --- the store ---------------------------------------------------------------------- */

static int setup(void **state)
{
	struct store_fx *f = store_fx_new("volume", "22222222-2222-2222-2222-222222222222\n");
	f->s = store_fx_open(f);
	struct burrow_err *err = NULL;
	assert_int_equal(state_refresh_done(f->s, &err), 0);
	*state = f;
	return 0;
}

static char *create(struct store_fx *f, const char *name, bool anonymous, const char *user)
{
	struct ctr_vol_create_opts o = {.name = name, .anonymous = anonymous, .user = user, .uid = -1, .gid = -1};
	struct ctr_vol v;
	struct burrow_err *err = NULL;
	if (ctr_vol_create(f->s, &o, &v, NULL, &err) < 0)
		fail_msg("ctr_vol_create '%s': %s", name ? name : "(anonymous)", err->msg);
	char *n = xstrdup(v.name);
	ctr_vol_clear(&v);
	return n;
}

static bool exists(struct store_fx *f, const char *name)
{
	bool e = false;
	struct burrow_err *err = NULL;
	assert_int_equal(ctr_vol_exists(f->s, name, &e, &err), 0);
	return e;
}

static bool dir_exists(struct store_fx *f, const char *name)
{
	cleanup_free char *p = xasprintf("%s/volumes/%s", f->root, name);
	struct stat st;
	return lstat(p, &st) == 0;
}

/* A container record, enough for ctr_vol_users to find it. */
static void fake_container(struct store_fx *f, const char *id, const char *name)
{
	cleanup_free char *key = xasprintf("ctr/%s", id);
	cleanup_free char *json = xasprintf("{\"id\":\"%s\",\"name\":\"%s\"}", id, name);
	struct burrow_err *err = NULL;
	assert_int_equal(state_put(f->s, STATE_DB, key, json, &err), 0);
}

static void test_store_create_lookup(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	cleanup_free char *a = create(f, "data", false, NULL);
	cleanup_free char *b = create(f, "database", false, NULL);
	cleanup_free char *anon = create(f, NULL, true, NULL);
	assert_string_equal(a, "data");
	assert_int_equal(strlen(anon), 64);
	assert_int_equal(strspn(anon, "0123456789abcdef"), 64);

	/* on disk: volumes/ and volumes/NAME private, _data 0755 whatever the umask */
	struct stat st;
	cleanup_free char *vols = path_join(f->root, "volumes");
	cleanup_free char *data = xasprintf("%s/data/_data", vols);
	cleanup_free char *top = xasprintf("%s/data", vols);
	assert_int_equal(stat(vols, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(top, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(data, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	cleanup_free char *dp = ctr_vol_data_path(f->s, "data");
	assert_string_equal(dp, data);

	/* a taken name: EEXIST, or the volume as it is with ignore */
	struct ctr_vol_create_opts o = {.name = "data", .uid = -1, .gid = -1};
	struct ctr_vol v;
	assert_int_equal(ctr_vol_create(f->s, &o, &v, NULL, &err), -1);
	assert_int_equal(err->status, EEXIST);
	assert_string_equal(err->msg, "volume 'data' already exists");
	burrow_err_free(steal_ptr(err));
	bool existed = false;
	strv_append(&o.labels, "new=label");
	o.ignore = true;
	o.user = "0123456789abcdef";
	assert_int_equal(ctr_vol_create(f->s, &o, &v, &existed, &err), 0);
	assert_true(existed);
	assert_null(v.labels); /* unchanged */
	assert_int_equal(strv_len(v.users), 1);
	ctr_vol_clear(&v);
	strv_free(o.labels);

	/* lookup: the exact name wins, else a unique prefix */
	char *name = NULL;
	assert_int_equal(ctr_vol_lookup(f->s, "data", &name, &err), 0);
	assert_string_equal(name, "data");
	free(name);
	assert_int_equal(ctr_vol_lookup(f->s, "datab", &name, &err), 0);
	assert_string_equal(name, "database");
	free(name);
	assert_int_equal(ctr_vol_lookup(f->s, "dat", &name, &err), -1);
	assert_int_equal(err->status, EINVAL);
	assert_non_null(strstr(err->msg, "'dat' is ambiguous"));
	burrow_err_free(steal_ptr(err));
	assert_int_equal(ctr_vol_lookup(f->s, "nosuch", &name, &err), -1);
	assert_int_equal(err->status, ENOENT);
	assert_string_equal(err->msg, "no such volume 'nosuch'");
	burrow_err_free(steal_ptr(err));
	assert_int_equal(ctr_vol_lookup(f->s, "../x", &name, &err), -1);
	assert_int_equal(err->status, ENOENT);
	burrow_err_free(steal_ptr(err));
	/* exists takes exact names only */
	assert_true(exists(f, "data"));
	assert_false(exists(f, "datab"));
	assert_false(exists(f, "a/b"));

	struct ctr_vol *list = NULL;
	size_t n = 0;
	assert_int_equal(ctr_vol_list(f->s, &list, &n, &err), 0);
	assert_int_equal(n, 3);
	/* sorted by name (the generated one may sort anywhere) */
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(list[i - 1].name, list[i].name) < 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(list[i].anonymous, strcmp(list[i].name, anon) == 0);
		assert_true(list[i].needs_copy_up && list[i].needs_chown);
	}
	ctr_vol_list_free(list, n);
}

/* A user without a record: a create under way (its lock held, its mark
 * there) is one, named by its ID; a create killed half-way (the mark, the
 * lock free) or a lock held without a mark (not a create) is none. */
static void test_store_users_being_created(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	const char *mid = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
	const char *other = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
	cleanup_free char *a = create(f, "vol", false, NULL);
	int lock = -1;
	assert_int_equal(ctr_create_pending_begin(f->s, mid, &lock, &err), 0);
	assert_int_equal(ctr_vol_use(f->s, "vol", mid, &err), 0);
	int held = state_lock(f->s, other, &err);
	assert_true(held >= 0);
	assert_int_equal(ctr_vol_use(f->s, "vol", other, &err), 0);
	struct ctr_vol v;
	assert_int_equal(ctr_vol_load(f->s, "vol", &v, &err), 0);
	cleanup_strv char **ids = NULL, **names = NULL;
	assert_int_equal(ctr_vol_users(f->s, &v, &ids, &names, &err), 0);
	assert_int_equal(strv_len(ids), 1);
	assert_string_equal(ids[0], mid);
	assert_string_equal(names[0], "dddddddddddd (being created)");
	ctr_vol_clear(&v);
	char *name = NULL;
	assert_int_equal(ctr_vol_remove(f->s, "vol", false, -1, &name, &err), -1);
	assert_int_equal(err->status, EBUSY);
	assert_string_equal(err->msg, "volume 'vol' is in use by container 'dddddddddddd (being created)'");
	burrow_err_free(steal_ptr(err));
	assert_int_equal(ctr_vol_remove(f->s, "vol", true, -1, &name, &err), -1);
	assert_int_equal(err->status, EBUSY);
	burrow_err_free(steal_ptr(err));
	assert_true(exists(f, "vol"));
	state_unlock(held);
	/* killed: its lock free, its mark left */
	state_unlock(lock);
	assert_true(ctr_create_pending_marked(f->s, mid));
	assert_int_equal(ctr_vol_remove(f->s, "vol", false, -1, &name, &err), 0);
	free(name);
	assert_false(exists(f, "vol"));
}

static void test_store_users_and_remove(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	const char *web = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *db = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	const char *gone = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
	fake_container(f, web, "web");
	fake_container(f, db, "db");
	cleanup_free char *a = create(f, "shared", false, NULL);
	assert_int_equal(ctr_vol_use(f->s, "shared", web, &err), 0);
	assert_int_equal(ctr_vol_use(f->s, "shared", web, &err), 0); /* idempotent */
	assert_int_equal(ctr_vol_use(f->s, "shared", db, &err), 0);
	assert_int_equal(ctr_vol_use(f->s, "shared", gone, &err), 0);
	assert_int_equal(ctr_vol_use(f->s, "nosuch", web, &err), -1);
	assert_int_equal(err->status, ENOENT);
	burrow_err_free(steal_ptr(err));

	/* users are the containers that still exist */
	struct ctr_vol v;
	assert_int_equal(ctr_vol_load(f->s, "shared", &v, &err), 0);
	assert_int_equal(strv_len(v.users), 3);
	cleanup_strv char **ids = NULL, **names = NULL;
	assert_int_equal(ctr_vol_users(f->s, &v, &ids, &names, &err), 0);
	assert_int_equal(strv_len(ids), 2);
	assert_string_equal(names[0], "web");
	assert_string_equal(names[1], "db");
	ctr_vol_clear(&v);

	/* in use: refused, naming them, and nothing is removed */
	char *name = NULL;
	assert_int_equal(ctr_vol_remove(f->s, "shared", false, -1, &name, &err), -1);
	assert_int_equal(err->status, EBUSY);
	assert_string_equal(err->msg, "volume 'shared' is in use by containers 'web', 'db'");
	assert_non_null(err->hint);
	burrow_err_free(steal_ptr(err));
	assert_true(exists(f, "shared"));
	assert_true(dir_exists(f, "shared"));

	/* the users go inside a caller's transaction too, and land with it */
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	assert_int_equal(ctr_vol_unuse(f->s, "shared", db, &err), 0);
	state_tx_cancel(f->s, STATE_DB);
	assert_int_equal(ctr_vol_remove(f->s, "shared", false, -1, &name, &err), -1);
	burrow_err_free(steal_ptr(err));
	assert_int_equal(state_tx_begin(f->s, STATE_DB, &err), 0);
	assert_int_equal(ctr_vol_unuse(f->s, "shared", db, &err), 0);
	assert_int_equal(state_tx_commit(f->s, STATE_DB, &err), 0);
	assert_int_equal(ctr_vol_remove(f->s, "shared", false, -1, &name, &err), -1);
	assert_string_equal(err->msg, "volume 'shared' is in use by container 'web'");
	burrow_err_free(steal_ptr(err));

	/* the last user gone (a removed container counts for nothing) */
	assert_int_equal(ctr_vol_unuse(f->s, "shared", web, &err), 0);
	assert_int_equal(ctr_vol_remove(f->s, "shar", false, -1, &name, &err), 0);
	assert_string_equal(name, "shared");
	free(name);
	assert_false(exists(f, "shared"));
	assert_false(dir_exists(f, "shared"));
	assert_int_equal(ctr_vol_unuse(f->s, "shared", web, &err), 0); /* a gone volume: nothing to drop */
	assert_int_equal(ctr_vol_remove(f->s, "shared", false, -1, NULL, &err), -1);
	assert_int_equal(err->status, ENOENT);
	burrow_err_free(steal_ptr(err));
}

struct pruned {
	char **names;
};

static void note_pruned(const char *name, const struct burrow_err *err, void *data)
{
	assert_null(err);
	strv_append(&((struct pruned *)data)->names, name);
}

static void test_store_prune_and_leftovers(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	const char *web = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
	fake_container(f, web, "web");
	cleanup_free char *named = create(f, "named", false, NULL);
	cleanup_free char *anon_free = create(f, NULL, true, NULL);
	cleanup_free char *anon_used = create(f, NULL, true, web);
	/* the leftover of a create or removal killed half-way: a directory
	 * without a record */
	cleanup_free char *ghost = xasprintf("%s/volumes/ghost/_data", f->root);
	assert_int_equal(mkdir_p(ghost, 0700, &err), 0);
	cleanup_free char *ghost_file = xasprintf("%s/old", ghost);
	assert_int_equal(write_file(ghost_file, "x", 1, 0600, &err), 0);
	assert_false(exists(f, "ghost"));

	struct pruned p = {0};
	assert_int_equal(ctr_vol_prune(f->s, NULL, false, true, note_pruned, &p, &err), 0);
	assert_int_equal(strv_len(p.names), 1); /* dry run: the unused anonymous one */
	assert_string_equal(p.names[0], anon_free);
	assert_true(exists(f, anon_free));
	assert_true(dir_exists(f, "ghost"));
	strv_free(p.names);
	p.names = NULL;

	assert_int_equal(ctr_vol_prune(f->s, NULL, false, false, note_pruned, &p, &err), 0);
	assert_int_equal(strv_len(p.names), 1);
	assert_false(exists(f, anon_free));
	assert_false(dir_exists(f, anon_free));
	assert_true(exists(f, anon_used)); /* in use */
	assert_true(exists(f, "named"));   /* named: only with all */
	assert_false(dir_exists(f, "ghost"));
	strv_free(p.names);
	p.names = NULL;

	/* all, with a filter: the named one matches no label */
	cleanup_strv char **specs = strv_split("label=x", ' ');
	struct ctr_vol_filters *vf = NULL;
	assert_int_equal(ctr_vol_filters_parse(f->s, specs, &vf, &err), 0);
	assert_int_equal(ctr_vol_prune(f->s, vf, true, false, note_pruned, &p, &err), 0);
	assert_null(p.names);
	ctr_vol_filters_free(vf);
	assert_int_equal(ctr_vol_prune(f->s, NULL, true, false, note_pruned, &p, &err), 0);
	assert_int_equal(strv_len(p.names), 1);
	assert_string_equal(p.names[0], "named");
	assert_true(exists(f, anon_used));
	strv_free(p.names);

	/* a leftover under the name of a new volume is replaced, not reused */
	cleanup_free char *stale = xasprintf("%s/volumes/fresh/_data/stale", f->root);
	cleanup_free char *stale_dir = xasprintf("%s/volumes/fresh/_data", f->root);
	assert_int_equal(mkdir_p(stale_dir, 0700, &err), 0);
	assert_int_equal(write_file(stale, "x", 1, 0600, &err), 0);
	cleanup_free char *fresh = create(f, "fresh", false, NULL);
	struct ctr_vol v;
	bool empty = false;
	assert_int_equal(ctr_vol_load(f->s, "fresh", &v, &err), 0);
	assert_int_equal(ctr_vol_is_empty(f->s, &v, &empty, &err), 0);
	assert_true(empty);
	assert_int_equal(write_file(stale, "y", 1, 0600, &err), 0);
	assert_int_equal(ctr_vol_is_empty(f->s, &v, &empty, &err), 0);
	assert_false(empty);
	ctr_vol_clear(&v);
}

/* A create whose record cannot be stored leaves no directory either (the
 * directory that cannot be made: volume.bats, with a read-only mount). */
static void test_store_failed_create(void **state)
{
	struct store_fx *f = *state;
	struct burrow_err *err = NULL;
	/* the record cannot be stored: burrow.tdb may not grow */
	cleanup_free char *db = path_join(f->root, "burrow.tdb");
	struct stat st;
	assert_int_equal(stat(db, &st), 0);
	size_t n = 512 * 1024;
	char *big = xmalloc(n);
	memset(big, 'b', n - 1);
	big[n - 1] = '\0';
	memcpy(big, "big=", 4);
	char *labels[] = {big, NULL};
	struct ctr_vol_create_opts o = {.name = "full", .labels = labels, .uid = -1, .gid = -1};
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_sa;
	assert_int_equal(sigaction(SIGXFSZ, &ign, &old_sa), 0);
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int r = ctr_vol_create(f->s, &o, NULL, NULL, &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(sigaction(SIGXFSZ, &old_sa, NULL), 0);
	free(big);
	assert_int_equal(r, -1);
	assert_int_equal(err->status, EFBIG);
	assert_non_null(strstr(err->msg, "cannot create volume 'full'"));
	burrow_err_free(steal_ptr(err));
	assert_false(exists(f, "full"));
	assert_false(dir_exists(f, "full"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_record_round_trip),
	    cmocka_unit_test(test_create_check),
	    cmocka_unit_test(test_time_parse),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test_setup_teardown(test_store_create_lookup, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_store_users_and_remove, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_store_users_being_created, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_store_prune_and_leftovers, setup, store_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_store_failed_create, setup, store_fx_teardown),
	};
	return cmocka_run_group_tests_name("volume", tests, NULL, NULL);
}
