/* burrow run [OPTIONS] IMAGE [COMMAND [ARG...]]
 * burrow create [OPTIONS] IMAGE [COMMAND [ARG...]] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctrconf.h"
#include "cmd/env.h"
#include "cmd/format.h"
#include "cmd/runflags.h"
#include "cmd/runextra.h"
#include "cmd/runhealth.h"
#include "cmd/runns.h"
#include "cmd/runlife.h"
#include "cmd/runmore.h"
#include "cmd/runres.h"
#include "container/container.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "netns/ports.h"

/* The options of create, and of run (which has a few of its own); keep
 * the usage texts below in step with them. */
#define CREATE_PULL_USAGE                                                           \
	"An image that is not here is pulled first (see burrow pull; its flags\n"   \
	"--platform, --arch, --os, --variant, --tls-verify, --creds, --authfile,\n" \
	"--cert-dir, --retry and --retry-delay apply).\n\n"
#define CREATE_OPTIONS_USAGE                                                                          \
	"      --cap-add CAP        add a capability to podman's default set (net_raw, ALL)\n"        \
	"      --cap-drop CAP       drop a capability (or ALL)\n"                                     \
	"  -e, --env NAME=VALUE     set an environment variable (NAME alone: take it from here)\n"    \
	"      --entrypoint CMD     override the image's entrypoint\n"                                \
	"      --env-file FILE      read environment variables from FILE, one a line\n"               \
	"      --env-host           take burrow's whole environment (before -e)\n"                    \
	"  -h, --hostname NAME      container host name (default: short ID)\n"                        \
	"  -i, --interactive        keep standard input open\n"                                       \
	"      --log-driver DRIVER  k8s-file (default), none, passthrough\n"                          \
	"      --log-opt max-size=SIZE  start the log file over once it reaches SIZE\n"               \
	"      --name NAME          name the container\n"                                             \
	"      --network MODE       slirp (default), slirp:allow_host_loopback=true, none, host\n"    \
	"                           (--net: the same)\n"                                              \
	"      --expose PORT        a port -P publishes: PORT[-END][/PROTO]\n"                        \
	"  -p, --publish SPEC       publish a port: [[IP:][HOSTPORT]:]PORT[/PROTO]\n"                 \
	"  -P, --publish-all        publish the exposed ports (image's, --expose) on free ones\n"     \
	"      --add-host NAME:IP   add a line to /etc/hosts (IP host-gateway: the host)\n"           \
	"      --dns IP             name server for /etc/resolv.conf (default 10.0.2.3)\n"            \
	"      --dns-search DOMAIN  search domain for /etc/resolv.conf (. for none)\n"                \
	"      --dns-option OPT     option for /etc/resolv.conf (e.g. ndots:2)\n"                     \
	"                           (--dns-opt: the same)\n"                                          \
	"      --no-hosts           leave the image's /etc/hosts as it is\n"                          \
	"      --privileged         all capabilities, host devices; no masks, no seccomp\n"           \
	"      --pull POLICY        missing (default), always, never or newer\n"                      \
	"  -q, --quiet              no pull progress\n"                                               \
	"      --restart POLICY     no (default), on-failure[:N], always, unless-stopped\n"           \
	"      --rm                 remove the container when it exits\n"                             \
	"      --rootfs             IMAGE is a directory to use as the root filesystem\n"             \
	"      --security-opt OPT   seccomp=unconfined: no seccomp filter (podman's by default)\n"    \
	"                           mask=/P[:/P], unmask=ALL|/P[:/P], no-new-privileges[=BOOL],\n"    \
	"                           label=disable (accepted: no SELinux labels here)\n"               \
	"      --shm-size SIZE      size of /dev/shm (default 64m)\n"                                 \
	"      --stop-signal SIG    the signal stop sends first (default: the image's, else TERM)\n"  \
	"      --stop-timeout N     seconds stop waits before SIGKILL (default 10)\n"                 \
	"      --sysctl NAME=VALUE  set a namespaced sysctl (net.*, kernel.shm*, ...)\n"              \
	"  -t, --tty                allocate a pseudo-terminal\n"                                     \
	"      --tz ZONE            the container's time zone (local, Europe/Paris, UTC...)\n"        \
	"      --ulimit NAME=SOFT[:HARD]  a resource limit (nofile=1024:2048), or host\n"             \
	"      --umask MASK         the umask of the container's process (default 0022)\n"            \
	"  -u, --user UID[:GID]     run as this user\n"                                               \
	"      --userns MODE        host (default), keep-id[:uid=N,gid=N], nomap, auto[:size=N]\n"    \
	"      --uidmap CTR:HOST:N  map container IDs to IDs of burrow's namespace (0: you)\n"        \
	"      --gidmap CTR:HOST:N  the same for groups (default: as --uidmap)\n"                     \
	"      --group-add GROUP    an additional group (name, gid; keep-groups: yours)\n"            \
	"      --passwd-entry TMPL  the passwd entry keep-id adds ($USERNAME, $UID, $HOME...)\n"      \
	"  -w, --workdir DIR        working directory inside the container\n" CMD_RUNX_USAGE          \
	"  -v, --volume [SRC:]DST[:OPTS]  bind a host path (SRC starts with / or .), a named\n"       \
	"                           volume (SRC a name), or an anonymous one (no SRC); OPTS:\n"       \
	"                           ro, rw, nocopy, U, O, z, Z, rprivate, rshared ..., rbind, bind\n" \
	"      --mount type=TYPE,src=SRC,dst=DST[,OPT...]  bind, volume, tmpfs or devpts\n"           \
	"      --tmpfs DST[:OPTS]   mount a tmpfs (default rw,noexec,nosuid,nodev)\n"                 \
	"      --volumes-from CTR[:ro|rw]  the volumes and bind mounts of another container\n"        \
	"      --read-only          mount the root filesystem read-only\n"                            \
	"      --read-only-tmpfs=false  with --read-only: no writable /tmp, /var/tmp, /run\n"         \
	"      --secret NAME[,type=mount|env,target=T,uid=N,gid=N,mode=M]  a secret, read-only at\n"  \
	"                           /run/secrets/NAME (or T), or in the variable T (type=env)\n"

const char cmd_create_usage[] = "create [OPTIONS] IMAGE [COMMAND [ARG...]]\n\n" CREATE_PULL_USAGE CREATE_OPTIONS_USAGE
    CMD_RUNH_USAGE CMD_RUNR_USAGE CMD_RUNNS_USAGE CMD_RUNL_USAGE CMD_RUNM_USAGE;
const char cmd_run_usage[] = "run [OPTIONS] IMAGE [COMMAND [ARG...]]\n\n" CREATE_PULL_USAGE
                             "  -a, --attach STREAM      show only these of stdin, stdout, stderr (repeatable)\n"
                             "  -d, --detach             run in the background and print the container's ID\n"
                             "      --detach-keys KEYS   keys that detach from the container (default ctrl-p,ctrl-q)\n"
                             "      --sig-proxy          pass the signals burrow gets to the container (default true)\n"
                             "" CREATE_OPTIONS_USAGE CMD_RUNH_USAGE CMD_RUNR_USAGE CMD_RUNNS_USAGE CMD_RUNL_USAGE
                                 CMD_RUNM_USAGE CMD_RUNM_RUN_USAGE;

enum pull_policy {
	PULL_MISSING,
	PULL_ALWAYS,
	PULL_NEVER,
	PULL_NEWER,
};

static int parse_policy(const char *s, enum pull_policy *out)
{
	static const char *const names[] = {"missing", "always", "never", "newer"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum pull_policy)i;
			return 0;
		}
	}
	/* docker's spellings */
	if (strcmp(s, "ifmissing") == 0 || strcmp(s, "ifnewer") == 0) {
		*out = s[2] == 'm' ? PULL_MISSING : PULL_NEWER;
		return 0;
	}
	return -1;
}

/* Pulls the image as the policy says; *name: the full name pulled (for
 * the container record, as podman shows it), NULL when nothing was pulled. */
static int pull_if_needed(struct cmd_ctx *ctx, struct cmd_pull *p, enum pull_policy policy, const char *image,
                          char **name, struct burrow_err **err)
{
	if (policy == PULL_NEVER)
		return 0;
	struct img_info *local = NULL;
	struct burrow_err *lerr = NULL;
	bool have = img_lookup(ctx->state, image, &local, &lerr) == 0;
	img_info_free(local);
	if (!have && lerr->status != ENOENT) {
		*err = lerr; /* ambiguous, or the store is broken */
		return -1;
	}
	burrow_err_free(lerr);
	if (have && policy == PULL_MISSING)
		return 0;
	cleanup_free char *id = NULL;
	if (cmd_pull_ready(ctx, p, err) < 0)
		return -1;
	if (cmd_pull_image(p, ctx->state, image, &id, name, err) == 0)
		return 0;
	if (have && policy == PULL_NEWER) {
		/* as podman: a failed check for a newer image is not fatal */
		burrow_warn("%s; using the image that is here", (*err)->msg);
		burrow_err_free(*err);
		*err = NULL;
		return 0;
	}
	return -1;
}

/* -a's streams, one or several comma separated (case aside), added to *out */
static int parse_attach(const char *s, unsigned *out)
{
	static const char *const names[] = {"stdin", "stdout", "stderr"};
	cleanup_strv char **words = strv_split(s, ',');
	for (size_t i = 0; words[i]; i++) {
		size_t k = 0;
		while (k < 3 && strcasecmp(words[i], names[k]) != 0)
			k++;
		if (k == 3)
			return -1;
		*out |= 1U << k; /* CMD_ATTACH_STDIN, _STDOUT, _STDERR */
	}
	return 0;
}

struct run_args {
	struct ctr_create_opts o;
	const char *network;
	struct strv_builder env;
	struct strv_builder volumes, mounts, tmpfs, volumes_from;
	bool env_host;   /* --env-host */
	char **file_env; /* --env-file's, before -e's */
	bool detach;
	unsigned attach; /* -a: CMD_ATTACH_* (0: all) */
	const char *detach_keys;
	bool sig_proxy;
	struct cmd_pull pull;
	enum pull_policy policy;
	char *pulled_name;
	char *idmap[2]; /* --uidmap, --gidmap joined with ',' */
	struct strv_builder group_add;
	struct netns_ports publish, expose;
	struct strv_builder add_hosts, dns, dns_search, dns_options;
	struct cmd_runx x;    /* --init, --label, --annotation, --requires */
	struct cmd_runl life; /* --replace, --cidfile */
	struct cmd_runm more; /* --rmi, --pidfile, --no-hostname, --env-merge, --timeout, --oom-score-adj */
	/* --secret */
	struct strv_builder secrets;
	struct ctr_health_opts health; /* --health-*, --no-healthcheck */
	struct cmd_ctrconf conf;       /* containers.conf's defaults (o points into it) */
};

static void run_args_init(struct run_args *a)
{
	memset(a, 0, sizeof(*a));
	a->sig_proxy = true;
	a->o.http_proxy = -1;
	a->policy = PULL_MISSING;
	cmd_pull_init(&a->pull);
	cmd_ctrconf_init(&a->conf);
}

static void run_args_clear(struct run_args *a)
{
	strv_free(a->env.v);
	strv_free(a->volumes.v);
	strv_free(a->mounts.v);
	strv_free(a->tmpfs.v);
	strv_free(a->volumes_from.v);
	strv_free(a->secrets.v);
	ctr_sec_opts_clear(&a->o.sec);
	ctr_res_opts_clear(&a->o.res);
	strv_free(a->file_env);
	cmd_pull_clear(&a->pull);
	free(a->pulled_name);
	free(a->idmap[0]);
	free(a->idmap[1]);
	strv_free(a->group_add.v);
	strv_free(a->add_hosts.v);
	strv_free(a->dns.v);
	strv_free(a->dns_search.v);
	strv_free(a->dns_options.v);
	netns_ports_clear(&a->publish);
	netns_ports_clear(&a->expose);
	cmd_runx_clear(&a->x);
	cmd_runns_clear(&a->o);
	cmd_runl_clear(&a->life);
	cmd_runm_clear(&a->more);
	cmd_ctrconf_clear(&a->conf);
}

/* --env-file, --ulimit, --sysctl, --umask, --tz into a. */
static int run_flag(int c, const char *arg, struct run_args *a, struct burrow_err **err)
{
	struct ctr_sec_opts *s = &a->o.sec;
	switch (c) {
	case OPT_ENV_FILE: {
		cleanup_free char *text = NULL;
		if (read_file(arg, &text, NULL, err) < 0 || cmd_env_file_parse(&a->file_env, text, environ, err) < 0)
			return burrow_error_wrap(err, "--env-file '%s'", str_quote(arg));
		return 0;
	}
	case OPT_ULIMIT:
		return ctr_ulimit_add(&s->ulimits, arg, err);
	case OPT_SYSCTL:
		return ctr_sysctl_add(&s->sysctls, arg, &s->sysctl_net, err);
	case OPT_UMASK:
		return ctr_umask_parse(arg, &s->umask, err);
	default:
		return ctr_tz_parse(arg, &s->tz, err);
	}
}

/* Parses create's options (and run's, with run); 0, or the exit code of a
 * usage error, or -1 for --help. */
static int parse(struct cmd_ctx *ctx, int argc, char **argv, bool run, struct run_args *a)
{
	int c;
	while ((c = cmd_getopt(ctx, argc, argv,
	                       run ? CMD_RUN_SHORTOPTS : "+c:e:h:il:m:p:Pqtu:v:w:", cmd_run_longopts)) != -1) {
		if (!run && (c == 'a' || c == 'd' || c == OPT_DETACH_KEYS || c == OPT_SIG_PROXY || c == CMD_RUNM_RMI ||
		             c == CMD_RUNM_PASSWD || c == CMD_RUNM_PRESERVE_FDS))
			return cmd_getopt_refuse(ctx, cmd_run_longopts, c); /* start's, as in podman */
		switch (c) {
		case 'e':
			if (!*optarg || *optarg == '=')
				return cmd_usage_error(ctx, "invalid environment variable '%s'", str_quote(optarg));
			if (strchr(optarg, '=')) {
				strv_builder_add(&a->env, optarg);
			} else {
				const char *v = getenv(optarg);
				if (v)
					strv_builder_take(&a->env, xasprintf("%s=%s", optarg, v));
			}
			break;
		case OPT_ENTRYPOINT:
			a->o.entrypoint = optarg;
			break;
		case 'p':
		case OPT_EXPOSE: {
			struct burrow_err *err = NULL;
			if ((c == 'p' ? netns_ports_add(&a->publish, optarg, &err)
			              : netns_ports_add_exposed(&a->expose, optarg, &err)) < 0)
				return cmd_fail(err);
			break;
		}
		case 'P':
			a->o.publish_all = ctx->flag_on;
			break;
		case OPT_ADD_HOST:
		case OPT_DNS: {
			struct burrow_err *err = NULL;
			if ((c == OPT_DNS ? ctr_check_dns(optarg, &err) : ctr_check_add_host(optarg, &err)) < 0)
				return cmd_fail(err);
			strv_builder_add(c == OPT_DNS ? &a->dns : &a->add_hosts, optarg);
			break;
		}
		case OPT_DNS_SEARCH:
		case OPT_DNS_OPTION:
		case 'h': {
			struct burrow_err *err = NULL;
			const char *flag = c == 'h'              ? "--hostname"
			                   : c == OPT_DNS_SEARCH ? "--dns-search"
			                                         : "--dns-option";
			if (ctr_check_line_value(flag, optarg, &err) < 0)
				return cmd_fail(err);
			if (c == 'h')
				a->o.hostname = optarg;
			else
				strv_builder_add(c == OPT_DNS_SEARCH ? &a->dns_search : &a->dns_options, optarg);
			break;
		}
		case OPT_NO_HOSTS:
			a->o.no_hosts = ctx->flag_on;
			break;
		case 'i':
			a->o.interactive = ctx->flag_on;
			break;
		case OPT_LOG_DRIVER: {
			struct burrow_err *err = NULL;
			if (ctr_parse_log_driver(optarg, &a->o.log_driver, &err) < 0)
				return cmd_fail(err);
			break;
		}
		case OPT_LOG_OPT:
			if (strncmp(optarg, "max-size=", 9) != 0)
				return cmd_usage_error(ctx, "unsupported --log-opt '%s' (burrow knows max-size=SIZE)",
				                       str_quote(optarg));
			if (strcmp(optarg + 9, "-1") == 0) {
				a->o.log_max_size = 0;
			} else if (fmt_parse_size(optarg + 9, &a->o.log_max_size) < 0 || a->o.log_max_size <= 0) {
				return cmd_usage_error(ctx, "invalid --log-opt '%s' (e.g. max-size=10m)",
				                       str_quote(optarg));
			}
			break;
		case OPT_NAME:
			a->o.name = optarg;
			break;
		case OPT_NETWORK:
			a->network = optarg;
			break;
		case OPT_RESTART: {
			struct burrow_err *err = NULL;
			if (ctr_parse_restart(optarg, &a->o.restart_policy, &a->o.restart_max, &err) < 0)
				return cmd_fail(err);
			break;
		}
		case OPT_RM:
			a->o.rm = ctx->flag_on;
			break;
		case OPT_ROOTFS:
			a->o.rootfs = ctx->flag_on;
			break;
		case OPT_CAP_ADD:
		case OPT_CAP_DROP: {
			struct burrow_err *err = NULL;
			bool add = c == OPT_CAP_ADD;
			if (ctr_cap_list_add(add ? &a->o.sec.cap_add : &a->o.sec.cap_drop, optarg,
			                     add ? "--cap-add" : "--cap-drop", &err) < 0)
				return cmd_fail(err);
			break;
		}
		case OPT_PRIVILEGED:
			a->o.sec.privileged = ctx->flag_on;
			break;
		case OPT_ENV_HOST:
			a->env_host = ctx->flag_on;
			break;
		case OPT_ENV_FILE:
		case OPT_ULIMIT:
		case OPT_SYSCTL:
		case OPT_UMASK:
		case OPT_TZ: {
			struct burrow_err *err = NULL;
			if (run_flag(c, optarg, a, &err) < 0)
				return cmd_fail(err);
			break;
		}
		case OPT_SECURITY: {
			struct burrow_err *err = NULL;
			if (ctr_parse_security_opt(optarg, &a->o, &err) < 0)
				return cmd_fail(err);
			break;
		}
		case OPT_STOP_SIGNAL: {
			struct burrow_err *err = NULL;
			if (ctr_parse_signal(optarg, &a->o.stop_signal, &err) < 0)
				return cmd_fail(err);
			break;
		}
		case OPT_STOP_TIMEOUT:
			if (cmd_parse_seconds(optarg, &a->o.stop_timeout) < 0)
				return cmd_usage_error(ctx, "invalid --stop-timeout '%s' (seconds)", str_quote(optarg));
			a->o.stop_timeout_set = true;
			break;
		case OPT_SHM:
			if (fmt_parse_size(optarg, &a->o.shm_size) < 0)
				return cmd_usage_error(ctx, "invalid --shm-size '%s' (e.g. 64m, 1g)",
				                       str_quote(optarg));
			/* podman's 0 means no limit: refused rather than quietly
			 * given the default */
			if (a->o.shm_size <= 0)
				return cmd_usage_error(ctx,
				                       "--shm-size '%s': a /dev/shm without a size limit is not "
				                       "supported; give a size (e.g. 64m, 1g)",
				                       str_quote(optarg));
			break;
		case 't':
			a->o.tty = ctx->flag_on;
			break;
		case 'u':
			a->o.user = optarg;
			break;
		case 'w':
			a->o.workdir = optarg;
			break;
		case OPT_USERNS:
			a->o.userns = optarg;
			break;
		case OPT_UIDMAP:
		case OPT_GIDMAP: {
			char **m = &a->idmap[c == OPT_GIDMAP];
			char *n = *m ? xasprintf("%s,%s", *m, optarg) : xstrdup(optarg);
			free(*m);
			*m = n;
			break;
		}
		case OPT_SUBIDNAME:
			return cmd_usage_error(ctx,
			                       "--subuidname and --subgidname are not supported: burrow has one user "
			                       "namespace per user, made from your own /etc/subuid and /etc/subgid "
			                       "ranges; map part of them with --uidmap/--gidmap CTR:HOST:N, or use "
			                       "--userns=auto");
		case OPT_PASSWD_ENTRY:
			a->o.passwd_entry = optarg;
			break;
		case OPT_GROUP_ADD:
			strv_builder_add(&a->group_add, optarg);
			break;
		case 'd':
			a->detach = ctx->flag_on;
			break;
		case 'v':
			strv_builder_add(&a->volumes, optarg);
			break;
		case OPT_MOUNT:
			strv_builder_add(&a->mounts, optarg);
			break;
		case OPT_TMPFS:
			strv_builder_add(&a->tmpfs, optarg);
			break;
		case OPT_VOLUMES_FROM:
			strv_builder_add(&a->volumes_from, optarg);
			break;
		case OPT_SECRET:
			strv_builder_add(&a->secrets, optarg);
			break;
		case OPT_READ_ONLY:
			a->o.read_only = ctx->flag_on;
			break;
		case OPT_READ_ONLY_TMPFS:
			a->o.ro_no_tmpfs = !ctx->flag_on;
			break;
		case 'a':
			if (parse_attach(optarg, &a->attach) < 0)
				return cmd_usage_error(ctx, "invalid stream '%s' for --attach: stdin, stdout or stderr",
				                       str_quote(optarg));
			break;
		case OPT_DETACH_KEYS:
			a->detach_keys = optarg;
			break;
		case OPT_SIG_PROXY:
			a->sig_proxy = ctx->flag_on;
			break;
		case OPT_PULL:
			if (parse_policy(optarg, &a->policy) < 0)
				return cmd_usage_error(ctx, "invalid --pull '%s' (missing, always, never or newer)",
				                       str_quote(optarg));
			break;
		case 'q':
			a->pull.quiet = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return -1;
		case 'l':
			c = CMD_RUNX_LABEL;
			/* fall through */
		default: {
			if (c == 'm' || c == 'c')
				c = c == 'm' ? CMD_RUNR_MEMORY : CMD_RUNR_CPU_SHARES;
			int x = cmd_runx_option(ctx, c, optarg, &a->x);
			if (x == 0)
				x = cmd_runh_option(ctx, c, optarg, &a->health);
			if (x == 0)
				x = cmd_runl_option(ctx, c, optarg, &a->life);
			if (x == 0)
				x = cmd_runr_option(c, optarg, &a->o.res);
			if (x == 0)
				x = cmd_runns_option(ctx, c, optarg, &a->o);
			if (x == 0)
				x = cmd_pull_option(ctx, c, optarg, &a->pull);
			if (x == 0)
				x = cmd_runm_option(ctx, c, optarg, &a->more);
			if (x <= 0)
				return EXIT_BURROW;
		}
		}
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, "missing image (see 'burrow %s --help')", run ? "run" : "create");
	cmd_runm_apply(&a->more, &a->o);
	if (a->o.rm && a->o.restart_policy && strcmp(a->o.restart_policy, "no") != 0)
		return cmd_usage_error(ctx,
		                       "--rm and --restart %s cannot go together (the container would be removed "
		                       "when it exits)",
		                       a->o.restart_policy);
	if (a->o.tty && a->o.log_driver && strcmp(a->o.log_driver, "passthrough") == 0)
		return cmd_usage_error(ctx, "--log-driver passthrough cannot be used with -t (a container could type "
		                            "into your terminal)");
	{
		struct burrow_err *err = NULL;
		if (netns_ports_check(&a->publish, &err) < 0)
			return cmd_fail(err);
	}
	if (a->o.no_hosts && a->add_hosts.v)
		return cmd_usage_error(ctx, "--no-hosts and --add-host cannot be used together");
	a->o.add_hosts = a->add_hosts.v;
	a->o.dns = a->dns.v;
	a->o.dns_search = a->dns_search.v;
	a->o.dns_options = a->dns_options.v;
	a->o.publish = &a->publish;
	a->o.expose = &a->expose;
	a->o.image = argv[optind];
	a->o.cmd = argv + optind + 1;
	a->o.env = a->env.v;
	a->o.volumes = a->volumes.v;
	a->o.mounts = a->mounts.v;
	a->o.tmpfs = a->tmpfs.v;
	a->o.volumes_from = a->volumes_from.v;
	a->o.secrets = a->secrets.v;
	if (a->env_host || a->file_env) {
		/* podman's order: the host's, --env-file's, then -e's */
		struct strv_builder all = {0};
		for (char **e = a->env_host ? environ : NULL; e && *e; e++)
			if (!str_has_prefix(*e, "HOSTNAME=")) /* the container's own stays (-e may set it) */
				strv_builder_add(&all, *e);
		strv_builder_extend(&all, a->file_env);
		strv_builder_extend(&all, a->env.v);
		strv_free(a->env.v);
		a->env.v = NULL;
		a->env = all;
		a->o.env = a->env.v;
	}
	a->o.uidmap = a->idmap[0];
	a->o.gidmap = a->idmap[1];
	a->o.group_add = a->group_add.v;
	if (cmd_runl_check(ctx, &a->life, a->o.name, &a->x.annotations) != 0)
		return EXIT_BURROW;
	a->o.create_command = ctx->argv;
	a->o.create_image_at = ctx->argv ? (int)(argv + optind - ctx->argv) : 0;
	if (cmd_runh_apply(&a->health, &a->o) != 0)
		return EXIT_BURROW;
	{
		struct burrow_err *err = NULL;
		if (cmd_ctrconf_for_run(ctx, &a->conf, &a->o, &err) < 0)
			return cmd_fail(err);
	}
	cmd_runx_apply(&a->x, &a->o);
	cmd_runns_finish(&a->o);
	a->o.hooks_dirs = ctx->hooks_dirs;
	if (!a->o.rootfs && a->policy != PULL_NEVER && cmd_pull_check(ctx, &a->pull, a->o.image) != 0)
		return EXIT_BURROW;
	return 0;
}

/* Stores the container as the options say. */
static int create(struct cmd_ctx *ctx, struct run_args *a, struct ctr_config *cfg)
{
	struct burrow_err *err = NULL;
	/* parsed once; the container record keeps its canonical form */
	struct netns_cfg net;
	if (a->network && netns_parse_ext(a->network, NETNS_PARSE_JOIN, &net, &err) < 0)
		return cmd_fail(err);
	if (a->network && (net.mode == NETNS_NS || net.mode == NETNS_CONTAINER) && a->publish.n)
		return cmd_usage_error(ctx,
		                       "-p cannot be used with --network %s: its network is another's (publish "
		                       "the ports there)",
		                       str_quote(a->network));
	if (a->network && net.mode != NETNS_SLIRP && (a->publish.n || a->o.publish_all)) {
		/* as podman: the ports of a network burrow does not make go */
		burrow_warn("Port mappings have been discarded as one of the Host, Container, Pod, and None network "
		            "modes are in use");
		netns_ports_clear(&a->publish);
		a->o.publish_all = false;
	}
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);
	a->o.network = a->network ? &net : ctx->settings.has_network ? &ctx->settings.network : NULL;
	/* the container's own options are checked before an image is pulled */
	trace_mark("create check");
	if (ctr_create_check(&a->o, &err) < 0 ||
	    (!a->o.rootfs && pull_if_needed(ctx, &a->pull, a->policy, a->o.image, &a->pulled_name, &err) < 0))
		return cmd_fail(err);
	if (a->pulled_name)
		a->o.image = a->pulled_name;
	if (cmd_runl_before(ctx, &a->life, a->o.name, a->o.rootfs ? NULL : a->o.image, &err) < 0)
		return cmd_fail(err);
	trace_mark("ctr_create");
	if (ctr_create(ctx->state, &a->o, cfg, &err) < 0 || cmd_runl_after(ctx, &a->life, cfg->id, &err) < 0) {
		/* as podman's run: a user or group the image lacks is 126 */
		bool no_user = a->o.started && err->status == CTR_ENOUSER;
		cmd_fail(err);
		return no_user ? EXIT_CANNOT_INVOKE : EXIT_BURROW;
	}
	trace_mark("created");
	return 0;
}

int cmd_create(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct run_args a;
	run_args_init(&a);
	int rc = parse(ctx, argc, argv, false, &a);
	if (rc == 0) {
		struct ctr_config cfg = {0};
		rc = create(ctx, &a, &cfg);
		if (rc == 0)
			printf("%s\n", cfg.id);
		ctr_config_clear(&cfg);
	}
	run_args_clear(&a);
	return rc < 0 ? 0 : rc;
}

int cmd_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct run_args a;
	run_args_init(&a);
	int rc = parse(ctx, argc, argv, true, &a);
	trace_mark("parsed");
	if (rc != 0) {
		run_args_clear(&a);
		return rc < 0 ? 0 : rc;
	}
	/* as podman: a terminal for the container, but none to type into it
	 * (a shell would sit at its prompt for good); a detached one reads
	 * nothing from here */
	if (a.o.tty && !a.detach && !isatty(STDIN_FILENO))
		burrow_warn("the input device is not a TTY: --tty%s might not work properly (to feed input, use -i "
		            "without -t)",
		            a.o.interactive ? " and --interactive" : "");
	a.o.started = true;
	struct ctr_config cfg = {0};
	rc = create(ctx, &a, &cfg);
	if (rc == 0) {
		/* stdin goes with -i, whatever -a says (as podman 4.3: -a stdin
		 * alone passes nothing, the container has no stdin) */
		struct cmd_attach att = {
		    .attach = !a.detach,
		    .want_stdin = a.o.interactive,
		    .streams = a.attach,
		    .sig_proxy = a.sig_proxy,
		    .detach_keys = a.detach_keys,
		    .fresh = true,
		    .preserve_fds = a.more.preserve_fds,
		};
		rc = cmd_start_one(ctx, cfg.id, &att);
		if (rc == 0 && a.detach)
			printf("%s\n", cfg.id);
	}
	ctr_config_clear(&cfg);
	run_args_clear(&a);
	return rc;
}
