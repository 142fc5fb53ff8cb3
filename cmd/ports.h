/* Published ports as the CLI shows them: ps's PORTS, inspect's
 * NetworkSettings.Ports and HostConfig.PortBindings, burrow port. Pure:
 * unit tests link it without the verbs. */
#ifndef BURROW_CMD_PORTS_H
#define BURROW_CMD_PORTS_H

#include <yajl/yajl_tree.h>

#include "container/record.h"
#include "netns/ports.h"

/* A container's ports: as bound (every host port chosen) while it runs,
 * else as configured (a free host port left as 0). Specs that do not parse
 * are left out. */
void cmd_ctr_ports(const struct ctr_config *c, const struct ctr_run *r, struct netns_ports *out);

/* podman ps's PORTS: "0.0.0.0:8080->80/tcp, [::1]:9000-9001->90-91/udp";
 * "" for none. Caller frees. */
char *cmd_ports_text(const struct netns_ports *ps);

/* {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], ...}: each port of a
 * range on its own, as podman's inspect. */
yajl_val cmd_ports_map_json(const struct netns_ports *ps);

/* podman ps --format json's Ports: [{host_ip, container_port, host_port,
 * range, protocol}]. */
yajl_val cmd_ports_list_json(const struct netns_ports *ps);

#endif
