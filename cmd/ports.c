/* Published ports as the CLI shows them (cmd/ports.h). */
#include "cmd/ports.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

void cmd_ctr_ports(const struct ctr_config *c, const struct ctr_run *r, struct netns_ports *out)
{
	memset(out, 0, sizeof(*out));
	bool live = r && (r->state == CTR_RUNNING || r->state == CTR_PAUSED || r->state == CTR_STOPPING ||
	                  r->state == CTR_CREATED);
	char *const *specs = live && r->ports ? r->ports : c->ports;
	for (size_t i = 0; specs && specs[i]; i++) {
		struct burrow_err *e = NULL;
		if (netns_ports_add(out, specs[i], &e) < 0)
			burrow_err_free(e);
	}
}

static const char *proto_text(enum netns_proto p)
{
	return p == NETNS_UDP ? "udp" : "tcp";
}

/* Whether b continues a: the same address and protocol, the next host
 * port (both chosen, or both not yet) and the next container port. */
static bool continues(const struct netns_port *a, const struct netns_port *b)
{
	return a->proto == b->proto && strcmp(a->host_ip, b->host_ip) == 0 && !a->host_port == !b->host_port &&
	       (!a->host_port || a->host_port + a->range == b->host_port) && a->ctr_port + a->range == b->ctr_port &&
	       a->range + b->range <= UINT16_MAX;
}

char *cmd_ports_text(const struct netns_ports *ps)
{
	/* consecutive ports shown as one range, as podman's ps
	 * (-p 8000:80 -p 8001:81: 0.0.0.0:8000-8001->80-81/tcp) */
	size_t n = ps->n;
	cleanup_free struct netns_port *v = xcalloc(n + 1, sizeof(*v));
	if (n)
		memcpy(v, ps->v, n * sizeof(*v));
	for (bool merged = true; merged;) {
		merged = false;
		for (size_t i = 0; i < n && !merged; i++)
			for (size_t j = 0; j < n && !merged; j++) {
				if (i == j || !continues(&v[i], &v[j]))
					continue;
				v[i].range += v[j].range;
				memmove(&v[j], &v[j + 1], (n - j - 1) * sizeof(*v));
				n--;
				merged = true;
			}
	}
	char *out = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *one = netns_port_display(&v[i]);
		char *next = xasprintf("%s%s%s", out, i ? ", " : "", one);
		free(out);
		out = next;
	}
	return out;
}

yajl_val cmd_ports_map_json(const struct netns_ports *ps)
{
	yajl_val o = json_new_map();
	for (size_t i = 0; i < ps->n; i++) {
		const struct netns_port *p = &ps->v[i];
		for (unsigned k = 0; k < p->range; k++) {
			char key[32], hport[16] = "";
			snprintf(key, sizeof(key), "%u/%s", p->ctr_port + k, proto_text(p->proto));
			if (p->host_port)
				snprintf(hport, sizeof(hport), "%u", p->host_port + k);
			yajl_val arr = json_get(o, key);
			if (!arr)
				arr = json_obj_add(o, key, json_new_array());
			yajl_val b = json_arr_add(arr, json_new_object());
			json_obj_add(b, "HostIp", json_new_str(p->host_ip));
			json_obj_add(b, "HostPort", json_new_str(hport));
		}
	}
	return o;
}

yajl_val cmd_ports_list_json(const struct netns_ports *ps)
{
	yajl_val a = json_new_array();
	for (size_t i = 0; i < ps->n; i++) {
		const struct netns_port *p = &ps->v[i];
		yajl_val o = json_arr_add(a, json_new_object());
		json_obj_add(o, "host_ip", json_new_str(p->host_ip));
		json_obj_add(o, "container_port", json_new_int(p->ctr_port));
		json_obj_add(o, "host_port", json_new_int(p->host_port));
		json_obj_add(o, "range", json_new_int(p->range));
		json_obj_add(o, "protocol", json_new_str(proto_text(p->proto)));
	}
	return a;
}
