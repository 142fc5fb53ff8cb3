/* The monitor's published ports (container/monitor_io.h): the forwarding
 * engine of netns/ports.h bound before the container exists, started on
 * the monitor's loop once it runs, stopped when it ends and kept for a
 * restart, released otherwise. Ports below
 * net.ipv4.ip_unprivileged_port_start, when root runs burrow: bound by the
 * binder the starting command left outside the user namespace
 * (netns/binder.c), whose socket the monitor inherits and closes here, at
 * its first start, before anything of the container exists; the restart
 * policy's restarts keep the sockets, so they never need it again. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "container/monitor_io.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "netns/ports.h"

static int ports_bind(struct mon *m, int *code, struct burrow_err **err)
{
	strv_free(m->run.ports);
	m->run.ports = NULL;
	if (!m->c->ports || !m->c->ports[0] || m->ncfg.mode != NETNS_SLIRP)
		return 0;
	if (!m->fwd) {
		struct netns_ports ps = {0};
		for (size_t i = 0; m->c->ports[i]; i++) {
			if (netns_ports_add(&ps, m->c->ports[i], err) < 0) {
				netns_ports_clear(&ps);
				return -1;
			}
		}
		m->fwd = netns_fwd_new(&ps, &m->ncfg, err);
		netns_ports_clear(&ps);
		if (!m->fwd) {
			int st = (*err)->status;
			/* as podman: the container cannot be started as asked */
			if (st == EADDRINUSE || st == EACCES || st == EADDRNOTAVAIL)
				*code = 126;
			return -1;
		}
	}
	const struct netns_ports *bound = netns_fwd_ports(m->fwd);
	struct strv_builder b = {0};
	for (size_t i = 0; i < bound->n; i++)
		strv_builder_take(&b, netns_port_format(&bound->v[i]));
	m->run.ports = strv_builder_steal(&b);
	return 0;
}

int ctr_mon_ports_bind(struct mon *m, int *code, struct burrow_err **err)
{
	int r = ports_bind(m, code, err);
	/* done with root's binder: no process of the container gets it */
	netns_binder_close();
	return r;
}

int ctr_mon_ports_start(struct mon *m, int nsfd, struct burrow_err **err)
{
	if (!m->fwd)
		return 0;
	return netns_fwd_start(m->fwd, m->loop, nsfd, m->slirp, err);
}

void ctr_mon_ports_stop(struct mon *m, bool release)
{
	if (!m->fwd)
		return;
	if (release) {
		netns_fwd_free(m->fwd);
		m->fwd = NULL;
	} else {
		netns_fwd_stop(m->fwd);
	}
}
