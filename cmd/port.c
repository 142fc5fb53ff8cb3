/* burrow port [-a | -l | CONTAINER] [PORT[/PROTO]]: a running container's
 * published ports, as podman's port lists them. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctrrefs.h"
#include "cmd/ports.h"
#include "container/container.h"
#include "container/inspect.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

static const char *proto_text(enum netns_proto p)
{
	return p == NETNS_UDP ? "udp" : "tcp";
}

const char cmd_port_usage[] = "port [-a | -l | CONTAINER] [PORT[/PROTO]]\n\n"
                              "List a running container's published ports (\"80/tcp -> 0.0.0.0:8080\"), or\n"
                              "the host address and port that PORT (tcp unless /udp) is published on.\n\n"
                              "  -a, --all      every running container's, each after its ID\n"
                              "  -l, --latest   the last created container\n";

/* "80", "80/tcp", "80/udp" */
static int parse_filter(const char *s, unsigned *port, enum netns_proto *proto)
{
	const char *slash = strchr(s, '/');
	*proto = NETNS_TCP;
	if (slash) {
		if (strcmp(slash + 1, "udp") == 0)
			*proto = NETNS_UDP;
		else if (strcmp(slash + 1, "tcp") != 0)
			return -1;
	}
	cleanup_free char *num = xstrndup(s, slash ? (size_t)(slash - s) : strlen(s));
	long long v;
	if (str_to_ll(num, 1, 65535, &v) < 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* Each port of ps (a range one by one), or only the one filter names. */
static size_t print_ports(const struct netns_ports *ps, bool filtered, unsigned fport, enum netns_proto fproto)
{
	size_t n = 0;
	for (size_t i = 0; i < ps->n; i++) {
		const struct netns_port *p = &ps->v[i];
		const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
		bool v6 = strchr(ip, ':') != NULL;
		for (unsigned k = 0; k < p->range && p->host_port; k++) {
			unsigned cp = p->ctr_port + k;
			if (filtered && (cp != fport || p->proto != fproto))
				continue;
			if (!filtered)
				printf("%u/%s -> ", cp, proto_text(p->proto));
			printf("%s%s%s:%u\n", v6 ? "[" : "", ip, v6 ? "]" : "", p->host_port + k);
			n++;
		}
	}
	return n;
}

static bool runs(const struct ctr_run *r)
{
	return r->state == CTR_RUNNING || r->state == CTR_PAUSED || r->state == CTR_STOPPING;
}

int cmd_port(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"latest", no_argument, NULL, 'l'},
	    {0, 0, 0, 0},
	};
	bool all = false, latest = false;
	int c;
	while ((c = cmd_getopt(ctx, argc, argv, "al", longopts)) != -1) {
		switch (c) {
		case 'a':
			all = ctx->flag_on;
			break;
		case 'l':
			latest = ctx->flag_on;
			break;
		case CMD_OPT_HELP:
			return 0;
		default:
			return EXIT_BURROW;
		}
	}
	int nargs = argc - optind;
	if (all && (latest || nargs > 0))
		return cmd_usage_error(ctx, "--all cannot be used with a container, a port or --latest");
	if (!all && !latest && nargs < 1)
		return cmd_usage_error(ctx, "missing container (see 'burrow port --help')");
	if (nargs > (all ? 0 : latest ? 1 : 2))
		return cmd_usage_error(ctx, "too many arguments (see 'burrow port --help')");
	cleanup_free char *latest_id = NULL;
	const char *ref = all || latest ? NULL : argv[optind];
	const char *fspec = all ? NULL : latest ? (nargs ? argv[optind] : NULL) : (nargs > 1 ? argv[optind + 1] : NULL);
	unsigned fport = 0;
	enum netns_proto fproto = NETNS_TCP;
	if (fspec && parse_filter(fspec, &fport, &fproto) < 0)
		return cmd_usage_error(ctx, "invalid port '%s' (PORT, PORT/tcp or PORT/udp)", str_quote(fspec));
	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0)
		return cmd_fail(err);

	struct ctr_listing *l = NULL;
	size_t n = 0;
	if (all && ctr_list(ctx->state, false, &l, &n, &err) < 0)
		return cmd_fail(err);
	if (latest) {
		if (cmd_latest(ctx, &latest_id, &err) < 0)
			return cmd_fail(err);
		ref = latest_id;
	}
	int rc = 0;
	if (all) {
		for (size_t i = 0; i < n; i++) {
			struct netns_ports ps;
			cmd_ctr_ports(&l[i].cfg, &l[i].run, &ps);
			if (ps.n && runs(&l[i].run)) {
				printf("%s\n", l[i].cfg.id);
				print_ports(&ps, false, 0, NETNS_TCP);
			}
			netns_ports_clear(&ps);
		}
		ctr_listing_free(l, n);
		return 0;
	}
	struct ctr_inspect in = {0};
	if (ctr_inspect_load(ctx->state, ref, &in, &err) < 0)
		return cmd_fail(err);
	const struct ctr_config *cfg = &in.cfg;
	const struct ctr_run *run = &in.run;
	/* one that does not run (created, initialized, exited): nothing, and
	 * 0, as podman 4.3's port (also with PORT) */
	if (runs(run)) {
		struct netns_ports ps;
		cmd_ctr_ports(cfg, run, &ps);
		if (print_ports(&ps, fspec != NULL, fport, fproto) == 0 && fspec) {
			/* the port as typed, as podman says it */
			burrow_error(&err, 0, "failed to find published port \"%s\"", fspec);
			rc = cmd_fail(err);
		}
		netns_ports_clear(&ps);
	}
	ctr_inspect_clear(&in);
	return rc;
}
