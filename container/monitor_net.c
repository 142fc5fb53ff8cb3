/* The monitor's side of --network container:ID (container/monitor_io.h):
 * the container joins the network namespace of another one that runs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container/monitor_io.h"
#include "lib/proc.h"
#include "lib/quote.h"

int ctr_mon_net_join(struct mon *m, struct netns_cfg *out, struct burrow_err **err)
{
	const char *peer = m->ncfg.target;
	struct ctr_config pc = {0};
	struct ctr_run pr = {0};
	int ret = -1;
	if (ctr_config_load(m->s, peer, &pc, err) < 0 || ctr_run_load(m->s, peer, &pr, err) < 0) {
		burrow_error_wrap(err, "--network container:%.12s", peer);
		goto out;
	}
	bool runs = (pr.state == CTR_RUNNING || pr.state == CTR_PAUSED) && pr.pid > 0 &&
	            proc_start_time(pr.pid) == pr.pid_start;
	if (!runs) {
		burrow_error_status(err, EINVAL, "cannot join the network of container '%s': it is not running",
		                    str_quote(pc.name));
		burrow_error_hint(err, "start it first: burrow start %s", pc.name);
		goto out;
	}
	if (netns_parse_ext(pc.network, NETNS_PARSE_JOIN, out, err) < 0)
		goto out;
	if (out->mode != NETNS_SLIRP)
		out->dns[0] = '\0'; /* its resolver is 10.0.2.3 only with slirp */
	out->mode = NETNS_CONTAINER;
	snprintf(out->target, sizeof(out->target), "/proc/%d/ns/net", (int)pr.pid);
	ret = 0;
out:
	ctr_config_clear(&pc);
	ctr_run_clear(&pr);
	return ret;
}
