#include "lib/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/proc.h"
#include "lib/xalloc.h"

struct loop_watch {
	int fd;
	short events;
	bool dead;
	bool owned;        /* the loop closes fd (a signalfd it made) */
	int64_t paused_to; /* not polled before this now_ms() (0: not paused) */
	loop_fd_fn fn;
	loop_signal_fn sig_fn;
	void *data;
};

struct loop_timer {
	int64_t deadline; /* -1: not armed */
	int64_t period;   /* 0: one-shot */
	uint64_t gen;     /* counts arm/disarm calls: tells a re-armed timer from the one seen due */
	uint64_t seq;     /* order of creation, for equal deadlines */
	bool dead;
	loop_timer_fn fn;
	void *data;
};

struct loop_hook {
	loop_hook_fn prepare, after;
	void *data;
	bool dead;
};

/* A timer seen due at the start of the timer pass. */
struct due {
	struct loop_timer *t;
	uint64_t gen;
};

struct loop {
	struct loop_watch **w;
	size_t nw, capw;
	struct loop_timer **t;
	size_t nt, capt;
	struct loop_hook **h;
	size_t nh, caph;
	/* this round's poll set and the watch behind each entry */
	struct pollfd *pfd;
	struct loop_watch **pw;
	size_t capp;
	struct due *due;
	size_t capdue;
	uint64_t seq;
	int depth;    /* > 0 while a round runs: removals are deferred */
	bool garbage; /* something was removed during the round */
	bool stop;
};

/* Makes room for one more element in *arr (of *cap). */
#define GROW(arr, n, cap)                                                \
	do {                                                             \
		if ((n) == (cap)) {                                      \
			(cap) = (cap) ? (cap)*2 : 8;                     \
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr))); \
		}                                                        \
	} while (0)

struct loop *loop_new(void)
{
	return xcalloc(1, sizeof(struct loop));
}

static void watch_free(struct loop_watch *w)
{
	if (w->owned && w->fd >= 0)
		close(w->fd);
	free(w);
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nw; i++)
		watch_free(l->w[i]);
	for (size_t i = 0; i < l->nt; i++)
		free(l->t[i]);
	for (size_t i = 0; i < l->nh; i++)
		free(l->h[i]);
	free(l->w);
	free(l->t);
	free(l->h);
	free(l->pfd);
	free(l->pw);
	free(l->due);
	free(l);
}

/* Drops the dead elements of arr (n of them), keeping the order of the rest. */
#define SWEEP(arr, n, release)                           \
	do {                                             \
		size_t k_ = 0;                           \
		for (size_t i_ = 0; i_ < (n); i_++) {    \
			if ((arr)[i_]->dead)             \
				release((arr)[i_]);      \
			else                             \
				(arr)[k_++] = (arr)[i_]; \
		}                                        \
		(n) = k_;                                \
	} while (0)

static void sweep(struct loop *l)
{
	SWEEP(l->w, l->nw, watch_free);
	SWEEP(l->t, l->nt, free);
	SWEEP(l->h, l->nh, free);
	l->garbage = false;
}

/* Something was marked dead: freed now, or after the round that runs. */
static void removed(struct loop *l)
{
	if (l->depth > 0)
		l->garbage = true;
	else
		sweep(l);
}

/* ---- watches ---- */

static struct loop_watch *watch_new(struct loop *l, int fd, short events, void *data)
{
	struct loop_watch *w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->events = events;
	w->data = data;
	GROW(l->w, l->nw, l->capw);
	l->w[l->nw++] = w;
	return w;
}

struct loop_watch *loop_watch_add(struct loop *l, int fd, short events, loop_fd_fn fn, void *data)
{
	struct loop_watch *w = watch_new(l, fd, events, data);
	w->fn = fn;
	return w;
}

void loop_watch_set_events(struct loop_watch *w, short events)
{
	w->events = events;
}

void loop_watch_pause(struct loop_watch *w, int ms)
{
	w->paused_to = now_ms() + ms;
}

bool loop_watch_paused(const struct loop_watch *w)
{
	return w->paused_to != 0;
}

short loop_watch_events(const struct loop_watch *w)
{
	return w->events;
}

int loop_watch_fd(const struct loop_watch *w)
{
	return w->fd;
}

void loop_watch_remove(struct loop *l, struct loop_watch *w)
{
	if (!w || w->dead)
		return;
	w->dead = true;
	/* closed now: the round's poll set skips dead watches */
	if (w->owned && w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
	removed(l);
}

/* ---- signals ---- */

static void on_signalfd(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)revents;
	struct signalfd_siginfo si;
	while (!w->dead && TEMP_FAILURE_RETRY(read(fd, &si, sizeof(si))) == (ssize_t)sizeof(si))
		w->sig_fn(l, &si, data);
}

struct loop_watch *loop_signals_add(struct loop *l, const sigset_t *set, loop_signal_fn fn, void *data,
                                    struct burrow_err **err)
{
	int fd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0) {
		burrow_error(err, errno, "cannot create a signalfd");
		return NULL;
	}
	struct loop_watch *w = watch_new(l, fd, POLLIN, data);
	w->fn = on_signalfd;
	w->sig_fn = fn;
	w->owned = true;
	return w;
}

/* ---- timers ---- */

struct loop_timer *loop_timer_add(struct loop *l, loop_timer_fn fn, void *data)
{
	struct loop_timer *t = xcalloc(1, sizeof(*t));
	t->deadline = -1;
	t->fn = fn;
	t->data = data;
	t->seq = l->seq++;
	GROW(l->t, l->nt, l->capt);
	l->t[l->nt++] = t;
	return t;
}

void loop_timer_arm(struct loop_timer *t, int64_t deadline, int64_t period_ms)
{
	t->deadline = deadline < 0 ? 0 : deadline;
	t->period = period_ms > 0 ? period_ms : 0;
	t->gen++;
}

void loop_timer_disarm(struct loop_timer *t)
{
	t->deadline = -1;
	t->period = 0;
	t->gen++;
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->deadline >= 0;
}

void loop_timer_remove(struct loop *l, struct loop_timer *t)
{
	if (!t || t->dead)
		return;
	t->dead = true;
	t->deadline = -1;
	removed(l);
}

static bool due_before(const struct due *a, const struct due *b)
{
	if (a->t->deadline != b->t->deadline)
		return a->t->deadline < b->t->deadline;
	return a->t->seq < b->t->seq;
}

/* Fires the timers due now, each at most once. */
static void run_timers(struct loop *l)
{
	int64_t now = now_ms();
	size_t n = 0;
	for (size_t i = 0; i < l->nt; i++) {
		struct loop_timer *t = l->t[i];
		if (t->dead || t->deadline < 0 || t->deadline > now)
			continue;
		GROW(l->due, n, l->capdue);
		/* insertion sort: a handful of timers are due at once */
		struct due d = {.t = t, .gen = t->gen};
		size_t j = n++;
		while (j > 0 && due_before(&d, &l->due[j - 1])) {
			l->due[j] = l->due[j - 1];
			j--;
		}
		l->due[j] = d;
	}
	for (size_t i = 0; i < n; i++) {
		struct loop_timer *t = l->due[i].t;
		/* removed, disarmed or re-armed by an earlier callback */
		if (t->dead || t->gen != l->due[i].gen)
			continue;
		if (t->period > 0) {
			t->deadline += t->period;
			if (t->deadline <= now)
				t->deadline = now + t->period;
		} else {
			t->deadline = -1;
		}
		t->fn(l, t, t->data);
	}
}

/* ---- hooks ---- */

struct loop_hook *loop_hook_add(struct loop *l, loop_hook_fn prepare, loop_hook_fn after, void *data)
{
	struct loop_hook *h = xcalloc(1, sizeof(*h));
	h->prepare = prepare;
	h->after = after;
	h->data = data;
	GROW(l->h, l->nh, l->caph);
	l->h[l->nh++] = h;
	return h;
}

void loop_hook_remove(struct loop *l, struct loop_hook *h)
{
	if (!h || h->dead)
		return;
	h->dead = true;
	removed(l);
}

/* ---- running ---- */

void loop_stop(struct loop *l)
{
	l->stop = true;
}

bool loop_stopped(const struct loop *l)
{
	return l->stop;
}

/* The lower of two poll() timeouts (-1: none). */
static int lower(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int round_(struct loop *l, int timeout, struct burrow_err **err)
{
	/* hooks added during the pass wait for the next round */
	size_t nh = l->nh;
	for (size_t i = 0; i < nh; i++)
		if (!l->h[i]->dead && l->h[i]->prepare)
			timeout = lower(timeout, l->h[i]->prepare(l, l->h[i]->data));
	int64_t now = now_ms();
	for (size_t i = 0; i < l->nt; i++) {
		const struct loop_timer *t = l->t[i];
		if (t->dead || t->deadline < 0)
			continue;
		int64_t left = t->deadline - now;
		timeout = lower(timeout, left <= 0 ? 0 : (left > INT_MAX ? INT_MAX : (int)left));
	}
	size_t n = 0;
	for (size_t i = 0; i < l->nw; i++) {
		struct loop_watch *w = l->w[i];
		if (w->dead || !w->events)
			continue;
		if (w->paused_to != 0) {
			int64_t left = w->paused_to - now;
			if (left > 0) {
				timeout = lower(timeout, left > INT_MAX ? INT_MAX : (int)left);
				continue;
			}
			w->paused_to = 0;
		}
		if (n == l->capp) {
			l->capp = l->capp ? l->capp * 2 : 16;
			l->pfd = xrealloc(l->pfd, l->capp * sizeof(*l->pfd));
			l->pw = xrealloc(l->pw, l->capp * sizeof(*l->pw));
		}
		l->pfd[n] = (struct pollfd){.fd = w->fd, .events = w->events};
		l->pw[n++] = w;
	}
	int r = poll(l->pfd, n, timeout);
	if (r < 0 && errno != EINTR)
		return burrow_error(err, errno, "cannot poll");
	for (size_t i = 0; r > 0 && i < n; i++) {
		struct loop_watch *w = l->pw[i];
		if (l->pfd[i].revents && !w->dead)
			w->fn(l, w, w->fd, l->pfd[i].revents, w->data);
	}
	for (size_t i = 0; i < nh; i++)
		if (!l->h[i]->dead && l->h[i]->after)
			l->h[i]->after(l, l->h[i]->data);
	run_timers(l);
	return 0;
}

int loop_run_once(struct loop *l, int timeout_ms, struct burrow_err **err)
{
	l->depth++;
	int r = round_(l, timeout_ms, err);
	if (--l->depth == 0 && l->garbage)
		sweep(l);
	return r;
}

int loop_run(struct loop *l, struct burrow_err **err)
{
	while (!l->stop)
		if (loop_run_once(l, -1, err) < 0)
			return -1;
	l->stop = false;
	return 0;
}
