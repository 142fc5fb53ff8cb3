/* What a container's bundle is made of: the OCI config.json and the
 * generated /etc files. Pure generation, no side effects beyond writing
 * the files asked for. */
#ifndef BURROW_CONTAINER_BUNDLE_H
#define BURROW_CONTAINER_BUNDLE_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>

#include "container/record.h"
#include "lib/err.h"

struct ctr_bundle_paths {
	const char *rootfs; /* mounted root filesystem */
	const char *hosts;  /* generated files bind-mounted into the container */
	const char *resolv_conf;
	const char *hostname;
	const char *containerenv;
	bool host_network;          /* --network host: no network namespace */
	const char *netns_path;     /* ns:PATH, container:ID: the network namespace joined (NULL: a new one) */
	const char *const *ns_join; /* --pid, --ipc, --uts: the namespaces joined (container/nsmode.h; NULL: none) */
	/* the start times of the processes whose /proc/PID/ns/ files
	 * netns_path and ns_join name (0, or NULL: none), written as
	 * burrowPidStart beside the path for the runtime to check */
	unsigned long long netns_start;
	const unsigned long long *ns_join_start;
	/* the container's own mounts, prepared (ctr_mounts_prepare) */
	char *const *mounts;
	const char *passwd; /* generated /etc/passwd and /etc/group (NULL: the image's) */
	const char *group;
	const char *notify_dir;  /* bound at /run/notify, NOTIFY_SOCKET set (NULL: none) */
	char *const *secret_env; /* --secret type=env: "NAME=value", after the container's env */
	const char *shm;         /* bound at /dev/shm (container/shm.h; NULL: a tmpfs of its own, or as --ipc says) */
	const char *home;        /* HOME added to an env without one (NULL: none added) */
	char *const *user_gids;  /* the user's groups at this start (ctr_start_groups; NULL: none) */
};

/* --init: where the init is bound in the container (podman's path, so
 * that what looks for podman's finds ours), and the process's args with
 * it in front (NULL without --init). */
#define CTR_INIT_TARGET "/run/podman-init"
char **ctr_init_args(const struct ctr_config *c);

/* The OCI runtime spec of c: the one builder of it. With p, config.json
 * for a start. Without (NULL), the spec as the record holds it before a
 * start prepares anything, what precreate hooks read (container/hooks.h):
 * process (terminal, user's uid and gid, args, env, cwd), root "rootfs",
 * hostname, the container's own mounts as stored, annotations. */
char *ctr_spec_generate(const struct ctr_config *c, const struct ctr_bundle_paths *p);

/* One entry of the spec's mounts, and its annotations (KEY=VALUE strings,
 * as the record keeps them) as a JSON object: the OCI state's too. */
void ctr_spec_mount(yajl_gen g, const char *dst, const char *type, const char *src, const char *const *opts);
void ctr_spec_annotations(yajl_gen g, char *const *annotations);

/* /etc/hosts, /etc/resolv.conf, /etc/hostname and /run/.containerenv
 * contents. dns is the resolver the container uses ("10.0.2.3"), NULL to
 * copy the host's name servers (host network); host_resolv is the host's
 * resolv.conf text (search and options lines are kept). In /etc/hosts
 * the hostname and name are the container's address addr (slirp's .100,
 * host.containers.internal its gateway), or 127.0.1.1 when addr is NULL. */
/* net.ipv4.ping_group_range for a container with its own network: your
 * own group as the container sees it (burrow's group 0: "0 0", its root
 * group, as podman's default; with a user namespace of its own, gid_map
 * CTR:HOST:SIZE,..., the group keep-id maps to you). One group: the
 * kernel compares the ends as host groups, and maps need not keep order.
 * Caller frees. */
char *ctr_ping_group_range(const char *gid_map);
char *ctr_gen_hosts(const char *hostname, const char *name, const char *addr, const char *gateway);
char *ctr_gen_resolv_conf(const char *dns, const char *host_resolv);
/* /run/.containerenv as podman writes it: empty, or for a --privileged
 * container engine, name, id, image (the name that found it, podman's
 * RootfsImageName), imageid and rootless (0 when burrow runs as root). */
char *ctr_gen_containerenv(const struct ctr_config *c, bool rootless);

#endif
