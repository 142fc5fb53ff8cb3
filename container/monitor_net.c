/* The monitor's side of --network container:ID (container/monitor_io.h):
 * the container joins the network namespace of another one that runs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container/monitor_io.h"
#include "container/nsmode.h"

int ctr_mon_net_join(struct mon *m, struct netns_cfg *out, int *code, struct burrow_err **err)
{
	struct ctr_config pc = {0};
	pid_t pid = 0;
	unsigned long long start = 0;
	int ret = -1;
	if (ctr_peer_pid(m->s, m->ncfg.target, "network", &pc, &pid, &start, err) < 0)
		return -1;
	if (netns_parse_ext(pc.network, NETNS_PARSE_JOIN, out, err) < 0)
		goto out;
	if (out->mode == NETNS_HOST) {
		*code = 126;
		ctr_nsmode_host_peer_error(err, "network namespace", "network", pc.name);
		goto out;
	}
	if (out->mode != NETNS_SLIRP)
		out->dns[0] = '\0'; /* its resolver is 10.0.2.3 only with slirp */
	out->mode = NETNS_CONTAINER;
	snprintf(out->target, sizeof(out->target), "/proc/%d/ns/net", (int)pid);
	out->target_start = start;
	ret = 0;
out:
	ctr_config_clear(&pc);
	return ret;
}
