/* A container's mounts in podman's inspect JSON. */
#ifndef BURROW_CMD_MOUNTJSON_H
#define BURROW_CMD_MOUNTJSON_H

#include <yajl/yajl_tree.h>

#include "container/record.h"

struct state_store;

/* Fills the container tree o (cmd_ctr_inspect_json's) with c's mounts:
 * Mounts (podman's Type, Name, Source, Destination, Driver, Mode, Options,
 * RW, Propagation; tmpfs mounts are in HostConfig.Tmpfs instead, as
 * podman's), HostConfig.Binds, Tmpfs, VolumesFrom-free ReadonlyRootfs. */
void cmd_ctr_mounts_json(struct state_store *s, const struct ctr_config *c, yajl_val o);

#endif
