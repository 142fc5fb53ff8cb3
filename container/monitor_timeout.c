/* --timeout (see monitor_timeout.h). */
#include "container/monitor_timeout.h"

#include <signal.h>

#include "container/monitor_io.h"
#include "lib/loop.h"
#include "lib/proc.h"
#include "runtime/runtime.h"

static void on_timeout(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	struct mon *m = data;
	if (!m->rt || m->exited)
		return;
	m->timed_out = true;
	rt_kill(m->rt, SIGKILL);
}

void ctr_mon_timeout_start(struct mon *m)
{
	m->timed_out = false;
	if (m->c->timeout <= 0)
		return;
	if (!m->timeout_timer)
		m->timeout_timer = loop_timer_add(m->loop, on_timeout, m);
	loop_timer_arm(m->timeout_timer, now_ms() + (int64_t)m->c->timeout * 1000, 0);
}

bool ctr_mon_timeout_stop(struct mon *m)
{
	if (m->timeout_timer)
		loop_timer_disarm(m->timeout_timer);
	return m->timed_out;
}
