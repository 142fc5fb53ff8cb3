/* An event loop for a process that watches many things at once (the
 * monitor: libslirp's sockets and the tap, the pty or log pipes, attach
 * clients, port listeners, health timers, signals). Plain poll(): the set
 * is rebuilt every round, which suits libslirp, which says anew each round
 * what it wants of each socket (slirp_pollfds_fill walks all of them every
 * round whatever the loop does).
 *
 * Measured (2-CPU VM under load, one ready pipe among N watched, a write
 * and a round each): poll 4-5 us at N=1, 6-12 us at 10, 26-35 us at 100,
 * 160-300 us at 1000; epoll 3-6 us whatever N. A monitor watches tens of
 * fds; epoll pays once N reaches the hundreds (many attach clients or port
 * listeners), and then slirp's fill would turn into epoll_ctl calls.
 *
 * One round: the prepare hooks run (they may add, change or remove
 * watches and timers), poll() waits until an fd is ready or the next timer
 * is due, then the ready watches' callbacks run in the order the watches
 * were added, then the after hooks, then the due timers in deadline order.
 *
 * Callbacks may add, change and remove any watch or timer, the one running
 * included: a watch removed during a round gets no callback after that,
 * one added during a round is first polled in the next round; a timer
 * re-armed from its own callback to a time already past fires in the next
 * round, never twice in one. Everything runs in the caller's thread; no
 * callback runs outside loop_run/loop_run_once, and none may call them
 * (the loop is not re-entrant). */
#ifndef BURROW_LIB_LOOP_H
#define BURROW_LIB_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/signalfd.h>

#include "lib/err.h"

struct loop;
struct loop_watch;
struct loop_timer;
struct loop_hook;

/* revents as poll() reports them (POLLIN, POLLOUT, POLLERR, POLLHUP...). */
typedef void (*loop_fd_fn)(struct loop *l, struct loop_watch *w, int fd, short revents, void *data);
typedef void (*loop_timer_fn)(struct loop *l, struct loop_timer *t, void *data);
typedef void (*loop_signal_fn)(struct loop *l, const struct signalfd_siginfo *si, void *data);
/* A prepare hook returns how long poll() may wait at most, in ms (-1: no
 * limit of its own); an after hook's return value is ignored. */
typedef int (*loop_hook_fn)(struct loop *l, void *data);

struct loop *loop_new(void);
/* Frees the loop and whatever is still registered (closing the fds the
 * loop owns, see loop_signals_add; never the callers'). Not from inside a
 * callback: stop the loop, then free it. */
void loop_free(struct loop *l);

/* Watches fd for events (POLLIN, POLLOUT...; 0 keeps the watch but does
 * not poll the fd). The caller keeps the fd and closes it only after
 * removing the watch. */
struct loop_watch *loop_watch_add(struct loop *l, int fd, short events, loop_fd_fn fn, void *data);
/* From the next round on. */
void loop_watch_set_events(struct loop_watch *w, short events);
/* Not polled for ms from now (its events are kept): a listener that
 * cannot accept now (out of fds) rests instead of firing every round.
 * Paused until the first round that starts ms or more later. */
void loop_watch_pause(struct loop_watch *w, int ms);
bool loop_watch_paused(const struct loop_watch *w);
short loop_watch_events(const struct loop_watch *w);
int loop_watch_fd(const struct loop_watch *w);
/* w is invalid afterwards. NULL is fine. */
void loop_watch_remove(struct loop *l, struct loop_watch *w);

/* A timer, not armed yet. */
struct loop_timer *loop_timer_add(struct loop *l, loop_timer_fn fn, void *data);
/* Fires once when now_ms() (lib/proc.h) reaches deadline, then every
 * period_ms when period_ms > 0 (a late loop skips the missed periods, it
 * does not fire them in a burst). Re-arming replaces what was set. */
void loop_timer_arm(struct loop_timer *t, int64_t deadline, int64_t period_ms);
void loop_timer_disarm(struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);
/* t is invalid afterwards. NULL is fine. */
void loop_timer_remove(struct loop *l, struct loop_timer *t);

/* Signals through a signalfd the loop owns: fn runs once per signal
 * received. The caller blocks the signals in set (sigprocmask) before, or
 * they are delivered the usual way instead. Remove with loop_watch_remove
 * (which closes the signalfd). */
struct loop_watch *loop_signals_add(struct loop *l, const sigset_t *set, loop_signal_fn fn, void *data,
                                    struct burrow_err **err);

/* Hooks for a library that rebuilds its fd set each round (libslirp):
 * prepare runs before every poll(), after once the round's fd callbacks
 * have run. Either may be NULL. */
struct loop_hook *loop_hook_add(struct loop *l, loop_hook_fn prepare, loop_hook_fn after, void *data);
void loop_hook_remove(struct loop *l, struct loop_hook *h);

/* Makes loop_run return once the current round is over. */
void loop_stop(struct loop *l);
bool loop_stopped(const struct loop *l);

/* Runs rounds until loop_stop. 0 once stopped (the stop flag is then
 * cleared), -1 when poll() fails with anything but EINTR. */
int loop_run(struct loop *l, struct burrow_err **err);
/* One round, poll() waiting at most timeout_ms (-1: until an fd is ready
 * or a timer due). 0 or -1 as loop_run. */
int loop_run_once(struct loop *l, int timeout_ms, struct burrow_err **err);

#endif
