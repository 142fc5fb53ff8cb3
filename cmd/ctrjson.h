/* A container as podman's inspect shows it, shared by inspect and ps. */
#ifndef BURROW_CMD_CTRJSON_H
#define BURROW_CMD_CTRJSON_H

#include <yajl/yajl_tree.h>

#include "container/inspect.h"
#include "container/record.h"

/* One container in podman's inspect JSON (field names and types; times
 * RFC 3339), from what ctr_inspect_load found. */
yajl_val cmd_ctr_inspect_json(const struct ctr_inspect *i);

/* KEY=VALUE entries (labels, annotations) as a JSON object. */
yajl_val cmd_kv_object(char *const *kv);
/* The same, but podman's null (a Go nil map) when kv is empty. */
yajl_val cmd_kv_object_or_nil(char *const *kv);

#endif
