/* A container's preparation: its root filesystem mounted, the generated
 * /etc files and the OCI bundle (config.json) written. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <unistd.h>

#include "container/bundle.h"
#include "container/container.h"
#include "container/internal.h"
#include "container/mount.h"
#include "container/nsmode.h"
#include "container/rootfs.h"
#include "container/secret.h"
#include "container/sdnotify.h"
#include "container/shm.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "overlay/overlay.h"
#include "state/state.h"
#include "userns/userns.h"

static int write_etc_files(const struct ctr_config *c, const struct netns_cfg *ncfg, const char *rundir,
                           struct burrow_err **err)
{
	cleanup_free char *host_resolv = NULL;
	struct burrow_err *ignored = NULL;
	if (read_file("/etc/resolv.conf", &host_resolv, NULL, &ignored) < 0)
		burrow_err_free(ignored);
	/* container:ID: the peer's network (ctr_mon_net_join left dns empty
	 * unless that is slirp) */
	const char *dns = ncfg->mode == NETNS_CONTAINER ? (ncfg->dns[0] ? ncfg->dns : NULL) : netns_dns_server(ncfg);
	bool slirp = ncfg->mode == NETNS_SLIRP || (dns && ncfg->mode == NETNS_CONTAINER);
	cleanup_free char *base_hosts =
	    ctr_gen_hosts(c->hostname, c->name, slirp ? ncfg->addr : NULL, slirp ? ncfg->gateway : NULL);
	cleanup_free char *added = ctr_hosts_added(c->add_hosts, slirp ? ncfg->gateway : "127.0.0.1");
	cleanup_free char *hosts = xasprintf("%s%s", base_hosts, added);
	cleanup_free char *base_resolv = ctr_gen_resolv_conf(dns, host_resolv);
	cleanup_free char *resolv = ctr_resolv_conf_user(base_resolv, c->dns, c->dns_search, c->dns_options);
	cleanup_free char *hostname = xasprintf("%s\n", c->hostname);
	/* root's namespace maps every ID to itself: not rootless */
	unsigned long avail = 0, host_uid = 1;
	cleanup_err struct burrow_err *idse = NULL;
	if (userns_ids(false, &avail, &host_uid, &idse) < 0)
		host_uid = 1;
	cleanup_free char *cenv = ctr_gen_containerenv(c, host_uid != 0);
	const struct {
		const char *name, *text;
	} files[] = {{"hosts", hosts}, {"resolv.conf", resolv}, {"hostname", hostname}, {".containerenv", cenv}};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cleanup_free char *p = path_join(rundir, files[i].name);
		if (write_file(p, files[i].text, strlen(files[i].text), 0644, err) < 0)
			return -1;
	}
	return 0;
}

/* /etc/mtab -> /proc/mounts when the image has none (as the seeds do);
 * resolved inside the rootfs, so a hostile /etc symlink cannot point it
 * elsewhere. Nothing to do without an /etc. */
static int make_mtab(const char *root, struct burrow_err **err)
{
	cleanup_close int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return burrow_error(err, errno, "cannot open rootfs '%s'", str_quote(root));
	cleanup_close int etc =
	    openat2_retry(rfd, "etc", O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (etc < 0)
		return 0;
	if (symlinkat("/proc/mounts", etc, "mtab") < 0 && errno != EEXIST)
		return burrow_error(err, errno, "cannot create /etc/mtab in the rootfs");
	return 0;
}

/* HOME for a container whose environment has none, as podman sets it at
 * each start: the home of the process user's entry in the container's
 * /etc/passwd (the copy ctr_userns_etc made, else the rootfs's), "/"
 * without one. NULL (nothing to add) when the environment has HOME or
 * --unsetenv dropped it. */
static int start_home(const struct ctr_config *c, const char *root, const char *passwd_copy, char **home,
                      struct burrow_err **err)
{
	*home = NULL;
	if (c->no_home || strv_env_has(c->env, "HOME"))
		return 0;
	cleanup_free char *text = NULL;
	char *roots[] = {(char *)root, NULL};
	if (passwd_copy ? read_file(passwd_copy, &text, NULL, err) < 0
	                : ctr_read_in_roots(roots, "/etc/passwd", &text, err) < 0)
		return burrow_error_wrap(err, "cannot find the home of user %u in the container", c->uid);
	*home = text ? ctr_passwd_home(text, c->uid) : NULL;
	if (!*home || !**home) {
		free(*home);
		*home = xstrdup("/");
	}
	return 0;
}

/* The host paths that bp and c's prepared mounts bind, with the device
 * and inode each leads to now (ctr_mount_bind_id): the user's binds (not
 * :O's, whose overlay is burrow's), secrets, and burrow's own files. The
 * container runs nothing yet, so none of it can be its doing; cp compares
 * with these rather than with what the container shows later. */
static char **bind_ids(const struct ctr_config *c, const struct ctr_bundle_paths *bp)
{
	struct strv_builder b = {0};
	for (size_t i = 0; bp->mounts && bp->mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(bp->mounts[i], &m))
			continue;
		char *id = strcmp(m.type, "bind") == 0 && !ctr_mount_has(&m, "O")
		               ? ctr_mount_bind_id(m.source, m.destination)
		               : NULL;
		if (id)
			strv_builder_take(&b, id);
		ctr_mount_clear(&m);
	}
	const struct {
		const char *dest, *source;
	} own[] = {{"/etc/hosts", bp->hosts},          {"/etc/resolv.conf", bp->resolv_conf},
	           {"/etc/hostname", bp->hostname},    {"/run/.containerenv", bp->containerenv},
	           {CTR_INIT_TARGET, c->init_path},    {"/etc/localtime", c->tz},
	           {CTR_SDNOTIFY_DIR, bp->notify_dir}, {"/etc/passwd", bp->passwd},
	           {"/etc/group", bp->group}};
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		char *id = ctr_mount_bind_id(own[i].source, own[i].dest);
		if (id)
			strv_builder_take(&b, id);
	}
	return strv_builder_steal(&b);
}

/* DIR/config.json for the rootfs at root; *binds: bind_ids. */
static int write_bundle(struct state_store *s, const struct ctr_config *c, const struct ctr_engine_opts *eng,
                        const struct netns_cfg *ncfg, const char *dir, const char *rundir, const char *root,
                        char ***binds, struct burrow_err **err)
{
	cleanup_strv char **mounts = NULL;
	cleanup_strv char **secret_env = NULL;
	/* --pid, --ipc, --uts container:X: its namespaces, while it runs */
	struct ctr_ns_join join;
	if (ctr_nsmode_join(s, c, &join, err) < 0)
		return -1;
	if (ctr_mounts_prepare(s, c, root, &eng->ovl, &mounts, err) < 0 ||
	    ctr_secret_uses_prepare(s, c->id, c->secrets, &mounts, &secret_env, err) < 0) {
		ctr_ns_join_clear(&join);
		return -1;
	}
	trace_mark("bundle: mounts+secrets");
	cleanup_free char *hosts = path_join(rundir, "hosts");
	cleanup_free char *resolv = path_join(rundir, "resolv.conf");
	cleanup_free char *hostname = path_join(rundir, "hostname");
	cleanup_free char *cenv = path_join(rundir, ".containerenv");
	cleanup_free char *passwd = NULL;
	cleanup_free char *group = NULL;
	cleanup_free char *home = NULL;
	cleanup_strv char **user_groups = NULL;
	if (ctr_userns_etc(c, root, rundir, &passwd, &group, err) < 0 || start_home(c, root, passwd, &home, err) < 0 ||
	    ctr_start_groups(c, root, &user_groups, err) < 0) {
		ctr_ns_join_clear(&join);
		return -1;
	}
	struct ctr_bundle_paths bp = {
	    .rootfs = root,
	    .hosts = c->no_hosts ? NULL : hosts,
	    .resolv_conf = resolv,
	    .hostname = c->no_hostname ? NULL : hostname,
	    .containerenv = cenv,
	    .host_network = ncfg->mode == NETNS_HOST,
	    .mounts = mounts,
	    .passwd = passwd,
	    .group = group,
	    .notify_dir = eng->notify_dir,
	    .secret_env = secret_env,
	    .netns_path = ncfg->mode == NETNS_NS || ncfg->mode == NETNS_CONTAINER ? ncfg->target : NULL,
	    .netns_start = ncfg->mode == NETNS_CONTAINER ? ncfg->target_start : 0,
	    .ns_join = (const char *const *)join.paths,
	    .ns_join_start = join.starts,
	    .home = home,
	    .user_gids = user_groups,
	};
	trace_mark("bundle: userns etc");
	cleanup_free char *shm = NULL;
	if (ctr_shm_prepare(s, c, rundir, &shm, err) < 0) {
		ctr_ns_join_clear(&join);
		ctr_mounts_cleanup(s, c);
		return -1;
	}
	bp.shm = shm;
	cleanup_free char *spec = ctr_spec_generate(c, &bp);
	ctr_ns_join_clear(&join);
	cleanup_strv char **ids = bind_ids(c, &bp);
	trace_mark("bundle: spec generated");
	cleanup_free char *cfgpath = path_join(dir, "config.json");
	if (write_file_atomic(cfgpath, spec, strlen(spec), 0600, err) < 0) {
		ctr_shm_release(rundir);
		ctr_mounts_cleanup(s, c);
		return -1;
	}
	*binds = steal_ptr(ids);
	return 0;
}

char *ctr_prepare(struct state_store *s, struct ctr_config *c, const struct ctr_engine_opts *eng,
                  const struct netns_cfg *ncfg, pid_t *fuse_pid, char ***binds, struct burrow_err **err)
{
	cleanup_free char *dir = ctr_dir(s, c->id);
	cleanup_free char *rundir = ctr_rundir(s, c->id);
	*fuse_pid = 0;
	*binds = NULL;
	if (mkdir_p(rundir, 0700, err) < 0 || write_etc_files(c, ncfg, rundir, err) < 0)
		return NULL;
	trace_mark("prep: etc files");
	char *root = NULL;
	if (c->rootfs) {
		if (mkdir_p(dir, 0700, err) < 0)
			return NULL;
		root = xstrdup(c->rootfs);
	} else {
		bool made_rundir;
		if (ctr_rootfs_mount(s, eng, c, &root, fuse_pid, &made_rundir, err) < 0)
			return NULL;
		trace_mark("prep: overlay mounted");
	}
	trace_mark("prep: mtab+bundle");
	if (make_mtab(root, err) < 0 || ctr_start_user(c, root, err) < 0 ||
	    write_bundle(s, c, eng, ncfg, dir, rundir, root, binds, err) < 0) {
		if (!c->rootfs) {
			struct burrow_err *e2 = NULL;
			if (ovl_umount(root, *fuse_pid, &e2) < 0)
				burrow_err_free(e2);
		}
		free(root);
		return NULL;
	}
	return root;
}
