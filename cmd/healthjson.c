/* A container's healthcheck in podman's inspect layout (see healthjson.h). */
#include "cmd/healthjson.h"

#include <stdlib.h>

#include "container/health.h"
#include "lib/cleanup.h"
#include "lib/json.h"

static yajl_val test_json(char *const *test, long long interval, long long timeout, long long start_period, int retries)
{
	yajl_val o = json_new_object();
	json_obj_add(o, "Test", json_new_strv(test));
	json_obj_add(o, "StartPeriod", json_new_int(start_period));
	json_obj_add(o, "Interval", json_new_int(interval));
	json_obj_add(o, "Timeout", json_new_int(timeout));
	json_obj_add(o, "Retries", json_new_int(retries));
	return o;
}

static yajl_val state_health(struct state_store *s, const struct ctr_config *c)
{
	cleanup_free char *text = ctr_health_state_read(s, c->id);
	struct burrow_err *e = NULL;
	yajl_val v = text ? json_parse(text, &e) : NULL;
	burrow_err_free(e);
	if (v && YAJL_IS_OBJECT(v))
		return v;
	if (v)
		yajl_tree_free(v);
	/* not run yet */
	v = json_new_object();
	json_obj_add(v, "Status", json_new_str("starting"));
	json_obj_add(v, "FailingStreak", json_new_int(0));
	json_obj_add(v, "Log", json_new_array());
	return v;
}

void cmd_ctr_health_json(struct state_store *s, const struct ctr_config *c, yajl_val inspect)
{
	yajl_val state = json_get(inspect, "State");
	yajl_val cfg = json_get(inspect, "Config");
	/* podman 4.3's: "none" without --health-on-failure, healthcheck or not */
	if (cfg && YAJL_IS_OBJECT(cfg))
		json_obj_add(cfg, "HealthcheckOnFailureAction",
		             json_new_str(c->health_on_failure ? c->health_on_failure : "none"));
	if (!ctr_health_enabled(c)) {
		/* podman 4.3's without a healthcheck (so {{with .State.Health}} works) */
		if (state && YAJL_IS_OBJECT(state)) {
			yajl_val h = json_obj_add(state, "Health", json_new_object());
			json_obj_add(h, "Status", json_new_str(""));
			json_obj_add(h, "FailingStreak", json_new_int(0));
			json_obj_add(h, "Log", json_new_null());
		}
		return;
	}
	if (cfg && YAJL_IS_OBJECT(cfg)) {
		json_obj_add(cfg, "Healthcheck",
		             test_json(c->health_test, c->health_interval, c->health_timeout, c->health_start_period,
		                       c->health_retries));
		if (c->health_startup_test && c->health_startup_test[0]) {
			yajl_val st = test_json(c->health_startup_test, c->health_startup_interval,
			                        c->health_startup_timeout, 0, c->health_startup_retries);
			json_obj_add(st, "Successes", json_new_int(c->health_startup_success));
			json_obj_add(cfg, "StartupHealthCheck", st);
		}
	}
	if (state && YAJL_IS_OBJECT(state)) {
		json_obj_add(state, "Health", state_health(s, c));
		json_obj_add(state, "Healthcheck", state_health(s, c));
	}
}
