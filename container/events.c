/* A container's events (container/events.h) in the event log. */
#include "container/events.h"

#include "lib/cleanup.h"
#include "state/events.h"
#include "state/state.h"

static void emit(struct state_store *s, const struct ctr_config *c, const char *status, const char *health,
                 const int *code)
{
	if (!c)
		return;
	struct state_event ev = {
	    .type = "container",
	    .status = status,
	    .id = c->id,
	    .name = c->name,
	    .image = c->image_resolved || c->image_name ? ctr_config_image(c) : c->rootfs,
	    .labels = c->labels,
	    .health_status = health,
	    .exit_code = code ? *code : 0,
	    .has_exit_code = code != NULL,
	};
	state_event_emit(s, &ev);
}

void ctr_event(struct state_store *s, const struct ctr_config *c, const char *status)
{
	emit(s, c, status, NULL, NULL);
}

void ctr_event_code(struct state_store *s, const struct ctr_config *c, const char *status, int code)
{
	emit(s, c, status, NULL, &code);
}

void ctr_event_died(struct state_store *s, const struct ctr_config *c, int code, bool stopped)
{
	emit(s, c, "died", NULL, &code);
	if (stopped)
		emit(s, c, "stop", NULL, NULL);
}

void ctr_event_health(struct state_store *s, const struct ctr_config *c, const char *health)
{
	emit(s, c, "health_status", health, NULL);
}

static void emit_ref(struct state_store *s, const char *ref, const char *status, const int *code)
{
	cleanup_free char *id = NULL;
	struct burrow_err *e = NULL;
	if (ctr_lookup(s, ref, &id, &e) < 0) {
		burrow_err_free(e);
		return;
	}
	struct ctr_config c = {0};
	if (ctr_config_load(s, id, &c, &e) == 0)
		emit(s, &c, status, NULL, code);
	burrow_err_free(e);
	ctr_config_clear(&c);
}

void ctr_event_ref(struct state_store *s, const char *ref, const char *status)
{
	emit_ref(s, ref, status, NULL);
}

void ctr_event_ref_code(struct state_store *s, const char *ref, const char *status, int code)
{
	emit_ref(s, ref, status, &code);
}
