/* Unit tests for lib/loop: watches added and removed while the loop
 * dispatches (the current one included), timer order and re-arming,
 * signals, hooks, the stop flag and paused watches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/proc.h"

/* What the callbacks saw, in order: one letter each. */
static char trace[64];
static size_t ntrace;

static void note(char c)
{
	if (ntrace + 1 < sizeof(trace))
		trace[ntrace++] = c;
	trace[ntrace] = '\0';
}

static void reset(void)
{
	ntrace = 0;
	trace[0] = '\0';
}

struct pipe {
	int r, w;
};

static struct pipe readable_pipe(void)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(write_all(p[1], "x", 1), 0);
	return (struct pipe){p[0], p[1]};
}

static void close_pipe(struct pipe p)
{
	close(p.r);
	close(p.w);
}

/* ---- watches ---- */

struct ctx {
	struct loop_watch *other; /* removed by cb_remove_other */
	struct loop_watch *self;  /* removed by cb_remove_self */
	struct loop_watch *added; /* added by cb_add */
	int add_fd;
	char letter;
};

static void cb_note(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)l, (void)w, (void)fd;
	assert_true(revents & POLLIN);
	note(((struct ctx *)data)->letter);
}

static void cb_remove_other(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)w, (void)fd, (void)revents;
	struct ctx *c = data;
	note(c->letter);
	loop_watch_remove(l, c->other);
	c->other = NULL;
}

static void cb_add(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)w, (void)fd, (void)revents;
	struct ctx *c = data;
	note(c->letter);
	if (!c->added) {
		static struct ctx added_ctx = {.letter = 'N'};
		c->added = loop_watch_add(l, c->add_fd, POLLIN, cb_note, &added_ctx);
	}
}

static void test_watch_changes_during_dispatch(void **state)
{
	(void)state;
	reset();
	struct loop *l = loop_new();
	struct pipe a = readable_pipe(), b = readable_pipe(), c = readable_pipe(), d = readable_pipe();
	struct ctx ca = {.letter = 'A'}, cb = {.letter = 'B'}, cc = {.letter = 'C', .add_fd = d.r};
	loop_watch_add(l, a.r, POLLIN, cb_remove_other, &ca);
	ca.other = loop_watch_add(l, b.r, POLLIN, cb_note, &cb);
	loop_watch_add(l, c.r, POLLIN, cb_add, &cc);
	/* A removes B before B's turn: B gets no callback though it is
	 * ready; C adds N, which is first polled in the next round */
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "AC");
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "ACACN");
	/* set_events 0: kept, not polled */
	loop_watch_set_events(cc.added, 0);
	assert_int_equal(loop_watch_events(cc.added), 0);
	assert_int_equal(loop_watch_fd(cc.added), d.r);
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "ACACNAC");
	loop_free(l);
	close_pipe(a), close_pipe(b), close_pipe(c), close_pipe(d);
}

static void cb_remove_self(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)fd, (void)revents;
	struct ctx *c = data;
	note(c->letter);
	assert_ptr_equal(w, c->self);
	loop_watch_remove(l, w);
	/* removing twice is harmless */
	loop_watch_remove(l, w);
	c->self = NULL;
}

static void test_remove_current_watch(void **state)
{
	(void)state;
	reset();
	struct loop *l = loop_new();
	struct pipe a = readable_pipe(), b = readable_pipe();
	struct ctx ca = {.letter = 'S'}, cb = {.letter = 'B'};
	ca.self = loop_watch_add(l, a.r, POLLIN, cb_remove_self, &ca);
	loop_watch_add(l, b.r, POLLIN, cb_note, &cb);
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "SB");
	/* the pipe is still readable, the watch gone */
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "SBB");
	loop_free(l);
	close_pipe(a), close_pipe(b);
}

/* ---- timers ---- */

struct tctx {
	char letter;
	struct loop_timer *victim; /* removed when this one fires */
	struct loop_timer *calm;   /* disarmed when this one fires */
	int rearm;                 /* times to re-arm itself in the past */
	bool stop;
};

static void cb_timer(struct loop *l, struct loop_timer *t, void *data)
{
	struct tctx *c = data;
	note(c->letter);
	if (c->victim) {
		loop_timer_remove(l, c->victim);
		c->victim = NULL;
	}
	if (c->calm) {
		loop_timer_disarm(c->calm);
		c->calm = NULL;
	}
	if (c->rearm > 0) {
		c->rearm--;
		loop_timer_arm(t, now_ms() - 100, 0);
	}
	if (c->stop)
		loop_stop(l);
}

static void test_timer_order(void **state)
{
	(void)state;
	reset();
	struct loop *l = loop_new();
	int64_t now = now_ms();
	struct tctx c1 = {.letter = '1'}, c2 = {.letter = '2'}, c3 = {.letter = '3'}, c4 = {.letter = '4'};
	struct loop_timer *t3 = loop_timer_add(l, cb_timer, &c3);
	struct loop_timer *t1 = loop_timer_add(l, cb_timer, &c1);
	struct loop_timer *t2 = loop_timer_add(l, cb_timer, &c2);
	struct loop_timer *t4 = loop_timer_add(l, cb_timer, &c4);
	assert_false(loop_timer_armed(t1));
	/* due ones fire by deadline, equal deadlines in creation order; a
	 * timer not due waits */
	loop_timer_arm(t3, now - 10, 0);
	loop_timer_arm(t1, now - 30, 0);
	loop_timer_arm(t2, now - 10, 0);
	loop_timer_arm(t4, now + 60000, 0);
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "132");
	assert_false(loop_timer_armed(t1));
	assert_true(loop_timer_armed(t4));
	/* one-shot: nothing more */
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "132");
	/* poll() waits for the next deadline */
	loop_timer_arm(t4, now_ms() + 30, 0);
	int64_t t0 = now_ms();
	assert_int_equal(loop_run_once(l, -1, NULL), 0);
	assert_true(now_ms() - t0 >= 29);
	assert_string_equal(trace, "1324");
	loop_free(l);
}

static void test_timer_rearm_and_remove(void **state)
{
	(void)state;
	reset();
	struct loop *l = loop_new();
	int64_t now = now_ms();
	/* A re-arms itself in the past twice: once per round, never twice in one */
	struct tctx ca = {.letter = 'A', .rearm = 2}, cb = {.letter = 'B'}, cv = {.letter = 'V'}, cw = {.letter = 'W'};
	struct loop_timer *ta = loop_timer_add(l, cb_timer, &ca);
	struct loop_timer *tb = loop_timer_add(l, cb_timer, &cb);
	struct loop_timer *tv = loop_timer_add(l, cb_timer, &cv);
	struct loop_timer *tw = loop_timer_add(l, cb_timer, &cw);
	/* B, due before V and W, removes V and disarms W: neither fires */
	cb.victim = tv;
	cb.calm = tw;
	loop_timer_arm(ta, now - 5, 0);
	loop_timer_arm(tb, now - 5, 0);
	loop_timer_arm(tv, now - 1, 0);
	loop_timer_arm(tw, now - 1, 0);
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "AB");
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "ABA");
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "ABAA");
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "ABAA");
	/* disarmed: does not fire */
	loop_timer_arm(tb, now - 5, 0);
	loop_timer_disarm(tb);
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "ABAA");
	loop_timer_remove(l, tb);
	loop_timer_remove(l, NULL);
	loop_free(l);
}

static void test_timer_periodic_and_stop(void **state)
{
	(void)state;
	reset();
	struct loop *l = loop_new();
	struct tctx cp = {.letter = 'P'}, cs = {.letter = 'S', .stop = true};
	struct loop_timer *tp = loop_timer_add(l, cb_timer, &cp);
	struct loop_timer *ts = loop_timer_add(l, cb_timer, &cs);
	int64_t t0 = now_ms();
	loop_timer_arm(tp, t0 + 10, 10);
	loop_timer_arm(ts, t0 + 55, 0);
	assert_int_equal(loop_run(l, NULL), 0);
	/* P at 10, 20, 30, 40, 50, then S stops the loop; a descheduled
	 * process sees fewer P (a late periodic timer fires once, not once
	 * per missed period), never more. One P may follow S: when the
	 * process wakes after 60, P's next deadline is due in S's pass too,
	 * and a pass fires every timer due in it (loop_stop ends the loop
	 * after the pass). */
	assert_true(now_ms() - t0 >= 55);
	const char *s = strchr(trace, 'S');
	assert_non_null(s);
	size_t before = (size_t)(s - trace), after = ntrace - before - 1;
	assert_true(before >= 1 && before <= 5);
	assert_true(after <= 1);
	for (size_t i = 0; i < ntrace; i++)
		assert_int_equal(trace[i], i == before ? 'S' : 'P');
	assert_true(loop_timer_armed(tp));
	/* the stop flag was cleared on the way out */
	assert_false(loop_stopped(l));
	loop_free(l);
}

/* ---- signals and hooks ---- */

static int got_signal;

static void cb_signal(struct loop *l, const struct signalfd_siginfo *si, void *data)
{
	(void)data;
	got_signal = (int)si->ssi_signo;
	loop_stop(l);
}

static void test_signals(void **state)
{
	(void)state;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
	struct loop *l = loop_new();
	struct loop_watch *w = loop_signals_add(l, &set, cb_signal, NULL, NULL);
	assert_non_null(w);
	int sfd = loop_watch_fd(w);
	assert_true(fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	raise(SIGUSR1);
	got_signal = 0;
	assert_int_equal(loop_run(l, NULL), 0);
	assert_int_equal(got_signal, SIGUSR1);
	/* removing the watch closes the signalfd the loop made */
	loop_watch_remove(l, w);
	assert_int_equal(fcntl(sfd, F_GETFD), -1);
	loop_free(l);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static int hook_prepare(struct loop *l, void *data)
{
	(void)l, (void)data;
	note('p');
	return 20;
}

static int hook_after(struct loop *l, void *data)
{
	(void)l, (void)data;
	note('a');
	return 0;
}

static void test_hooks(void **state)
{
	(void)state;
	reset();
	struct loop *l = loop_new();
	struct pipe a = readable_pipe();
	struct ctx ca = {.letter = 'A'};
	struct loop_hook *h = loop_hook_add(l, hook_prepare, hook_after, NULL);
	loop_watch_add(l, a.r, POLLIN, cb_note, &ca);
	/* prepare, the fd callbacks, after */
	assert_int_equal(loop_run_once(l, -1, NULL), 0);
	assert_string_equal(trace, "pAa");
	/* nothing ready: the prepare hook's 20 ms bounds the wait */
	reset();
	char ch;
	assert_int_equal(read(a.r, &ch, 1), 1);
	int64_t t0 = now_ms();
	assert_int_equal(loop_run_once(l, 5000, NULL), 0);
	int64_t took = now_ms() - t0;
	assert_true(took >= 19 && took < 4000);
	assert_string_equal(trace, "pa");
	loop_hook_remove(l, h);
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "pa");
	loop_free(l);
	close_pipe(a);
}

/* A paused watch is not polled (its fd stays ready), the round's wait
 * ends when the pause does, and the round after that polls it again. */
static void test_watch_pause(void **state)
{
	(void)state;
	reset();
	struct loop *l = loop_new();
	struct pipe a = readable_pipe();
	struct ctx ca = {.letter = 'A'};
	struct loop_watch *w = loop_watch_add(l, a.r, POLLIN, cb_note, &ca);
	loop_watch_pause(w, 600000);
	assert_true(loop_watch_paused(w));
	assert_int_equal(loop_run_once(l, 0, NULL), 0);
	assert_string_equal(trace, "");
	assert_true(loop_watch_paused(w));
	assert_int_equal(loop_watch_events(w), POLLIN);
	/* a short pause: no round waits past it (-1 would wait for ever on a
	 * watch not polled), and the fd is polled once it is over */
	loop_watch_pause(w, 1);
	for (int i = 0; i < 1000 && !ntrace; i++)
		assert_int_equal(loop_run_once(l, -1, NULL), 0);
	assert_string_equal(trace, "A");
	assert_false(loop_watch_paused(w));
	loop_free(l);
	close_pipe(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_watch_changes_during_dispatch),
	    cmocka_unit_test(test_remove_current_watch),
	    cmocka_unit_test(test_timer_order),
	    cmocka_unit_test(test_timer_rearm_and_remove),
	    cmocka_unit_test(test_timer_periodic_and_stop),
	    cmocka_unit_test(test_signals),
	    cmocka_unit_test(test_hooks),
	    cmocka_unit_test(test_watch_pause),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
