/* A container's mounts as podman's inspect shows them (see mountjson.h). */
#include "cmd/mountjson.h"

#include <string.h>

#include "container/mount.h"
#include "container/volume.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* burrow's own options and the ones inspect shows in fields of their own */
static bool shown_apart(const char *o)
{
	static const char *const apart[] = {"ro",      "rw",    "anon",   "private",    "rprivate",    "shared",
	                                    "rshared", "slave", "rslave", "unbindable", "runbindable", "copy",
	                                    "nocopy",  "z",     "Z",      "U",          NULL};
	return strv_contains((char *const *)apart, o);
}

static const char *propagation(const struct ctr_mount *m)
{
	for (size_t i = 0; m->options[i]; i++)
		if (strstr(m->options[i], "private") || strstr(m->options[i], "shared") ||
		    strstr(m->options[i], "slave") || strstr(m->options[i], "bindable"))
			return m->options[i];
	return "rprivate";
}

static char *join(char *const *v, const char *sep)
{
	char *out = xstrdup("");
	for (size_t i = 0; v && v[i]; i++) {
		char *n = xasprintf("%s%s%s", out, i ? sep : "", v[i]);
		free(out);
		out = n;
	}
	return out;
}

void cmd_ctr_mounts_json(struct state_store *s, const struct ctr_config *c, yajl_val o)
{
	yajl_val mounts = json_get(o, "Mounts");
	yajl_val hc = json_get(o, "HostConfig");
	if (!mounts || !hc)
		return;
	yajl_val binds = json_obj_add(hc, "Binds", json_new_array());
	yajl_val tmpfs = json_obj_add(hc, "Tmpfs", json_new_map());
	json_obj_add(hc, "ReadonlyRootfs", json_new_bool(c->read_only));
	json_obj_add(hc, "ReadonlyTmpfs", json_new_bool(c->read_only && !c->ro_no_tmpfs));
	json_obj_add(hc, "VolumesFrom",
	             c->volumes_from && c->volumes_from[0] ? json_new_strv(c->volumes_from) : json_new_nil_list());
	for (size_t i = 0; c->mounts && c->mounts[i]; i++) {
		struct ctr_mount m;
		if (!ctr_mount_try(c->mounts[i], &m))
			continue;
		bool rw = !ctr_mount_has(&m, "ro");
		cleanup_strv char **opts = NULL;
		for (size_t k = 0; m.options[k]; k++)
			if (!shown_apart(m.options[k]))
				strv_append(&opts, m.options[k]);
		if (!opts)
			opts = xcalloc(1, sizeof(char *));
		cleanup_free char *optstr = join(opts, ",");
		if (strcmp(m.type, "tmpfs") == 0 && ctr_mount_has(&m, "imagevol")) {
			/* --image-volume tmpfs: podman's inspect shows it nowhere */
			ctr_mount_clear(&m);
			continue;
		}
		if (strcmp(m.type, "tmpfs") == 0) {
			cleanup_strv char **all = NULL;
			strv_append(&all, rw ? "rw" : "ro");
			for (size_t k = 0; opts[k]; k++)
				strv_append(&all, opts[k]);
			cleanup_free char *t = join(all, ",");
			json_obj_add(tmpfs, m.destination, json_new_str(t));
			ctr_mount_clear(&m);
			continue;
		}
		bool vol = strcmp(m.type, "volume") == 0;
		cleanup_free char *source =
		    vol && m.source ? ctr_vol_data_path(s, m.source) : xstrdup(m.source ? m.source : "");
		yajl_val mj = json_arr_add(mounts, json_new_object());
		json_obj_add(mj, "Type", json_new_str(m.type));
		if (vol)
			json_obj_add(mj, "Name", json_new_str(m.source));
		json_obj_add(mj, "Source", json_new_str(source));
		json_obj_add(mj, "Destination", json_new_str(m.destination));
		json_obj_add(mj, "Driver", json_new_str(vol ? CTR_VOL_DRIVER_LOCAL : ""));
		json_obj_add(mj, "Mode",
		             json_new_str(ctr_mount_has(&m, "z")   ? "z"
		                          : ctr_mount_has(&m, "Z") ? "Z"
		                                                   : ""));
		json_obj_add(mj, "Options", json_new_strv(opts));
		json_obj_add(mj, "RW", json_new_bool(rw));
		json_obj_add(mj, "Propagation", json_new_str(propagation(&m)));
		cleanup_free char *bind = xasprintf("%s:%s:%s,%s%s%s", m.source ? m.source : "", m.destination,
		                                    rw ? "rw" : "ro", propagation(&m), *optstr ? "," : "", optstr);
		json_arr_add(binds, json_new_str(bind));
		ctr_mount_clear(&m);
	}
}
