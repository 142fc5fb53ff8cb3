/* libslirp driven from the caller's poll() loop: the tap fd and slirp's
 * sockets go into the caller's pollfd array, slirp's timers into its
 * timeout. Frames from the container are read off the tap and fed to
 * slirp_input; frames slirp sends are written to the tap. */
#include "netns/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <libslirp.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/dl.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

/* libslirp (and glib under it) is opened on first use, not linked: see
 * lib/dl.h. The calls below go through these pointers. */
static struct {
	__typeof__(slirp_new) *new_;
	__typeof__(slirp_cleanup) *cleanup;
	__typeof__(slirp_input) *input;
	__typeof__(slirp_pollfds_fill) *pollfds_fill;
	__typeof__(slirp_pollfds_poll) *pollfds_poll;
	__typeof__(slirp_handle_timer) *handle_timer;
	__typeof__(slirp_version_string) *version_string;
	__typeof__(g_log_set_handler) *log_set_handler; /* glib's, found through libslirp */
} sl;
static bool sl_loaded;

/* libslirp logs through glib, whose default handler prints to stderr, and
 * some of it at a container's command (a critical "external icmpv6 not
 * supported yet" for every ping6 to an outside address): debug output
 * here, as nothing below cmd/ prints. */
static void log_to_debug(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)data;
	burrow_debug("libslirp: %s", msg);
}

static int slirp_load(struct burrow_err **err)
{
	const struct dl_sym syms[] = {
	    {"slirp_new", (void **)&sl.new_},
	    {"slirp_cleanup", (void **)&sl.cleanup},
	    {"slirp_input", (void **)&sl.input},
	    {"slirp_pollfds_fill", (void **)&sl.pollfds_fill},
	    {"slirp_pollfds_poll", (void **)&sl.pollfds_poll},
	    {"slirp_handle_timer", (void **)&sl.handle_timer},
	    {"slirp_version_string", (void **)&sl.version_string},
	    {"g_log_set_handler", (void **)&sl.log_set_handler},
	};
	if (sl_loaded)
		return 0;
	if (dl_load("libslirp.so.0", "libslirp0", syms, sizeof(syms) / sizeof(syms[0]), &sl_loaded, err) < 0)
		return -1;
	sl.log_set_handler("Slirp", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION, log_to_debug, NULL);
	return 0;
}

#define slirp_new (*sl.new_)
#define slirp_cleanup (*sl.cleanup)
#define slirp_input (*sl.input)
#define slirp_pollfds_fill (*sl.pollfds_fill)
#define slirp_pollfds_poll (*sl.pollfds_poll)
#define slirp_handle_timer (*sl.handle_timer)
#define slirp_version_string (*sl.version_string)

const char *netns_slirp_version(struct burrow_err **err)
{
	if (slirp_load(err) < 0)
		return NULL;
	return slirp_version_string();
}

/* Ethernet header plus one VLAN tag, on top of the MTU. */
#define FRAME_OVERHEAD 18
/* Frames read from the tap per wakeup before slirp's sockets get a turn. */
#define TAP_BURST 256

struct netns_timer {
	struct netns_timer *next;
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms; /* -1: not armed */
	unsigned fired_round;
};

struct netns_slirp {
	Slirp *slirp;
	int tapfd;
	uint8_t *buf;
	size_t bufsz;
	struct netns_timer *timers;
	unsigned round;
	bool tap_gone; /* the tap hung up or failed: no longer polled */
	/* Valid between netns_slirp_fill and netns_slirp_dispatch. */
	struct netns_pollset *ps;
	size_t tap_idx;
	bool filled;
};

size_t netns_pollset_add(struct netns_pollset *ps, int fd, short events)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->fds = xrealloc(ps->fds, ps->cap * sizeof(*ps->fds));
	}
	ps->fds[ps->n] = (struct pollfd){.fd = fd, .events = events, .revents = 0};
	return ps->n++;
}

void netns_pollset_clear(struct netns_pollset *ps)
{
	ps->n = 0;
}

void netns_pollset_free(struct netns_pollset *ps)
{
	free(ps->fds);
	ps->fds = NULL;
	ps->n = ps->cap = 0;
}

/* --- callbacks --- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct netns_slirp *n = opaque;
	ssize_t w = TEMP_FAILURE_RETRY(write(n->tapfd, buf, len));
	if (w >= 0)
		return w;
	/* The tap is full (EAGAIN), or the container took tap0 down (EIO):
	 * the frame is dropped, as a link drops it, and TCP retransmits it.
	 * A negative return would make libslirp print a critical warning on
	 * our stderr for every frame. */
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		burrow_debug("slirp: cannot write a %zu-byte frame to the tap: %s", len, strerror(errno));
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	burrow_debug("slirp: container network error: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct netns_slirp *n = opaque;
	struct netns_timer *t = xcalloc(1, sizeof(*t));
	t->id = id;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = n->timers;
	n->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct netns_slirp *n = opaque;
	for (struct netns_timer **p = &n->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
	}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	struct netns_timer *t = timer;
	t->expire_ms = expire_ms < 0 ? 0 : expire_ms;
}

/* These exist for event loops that keep a registry of fds (and for a loop
 * in another thread); ours rebuilds its poll set on every round from
 * slirp_pollfds_fill and runs in the caller's thread, so there is nothing
 * to record and nobody to wake. */
static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void cb_notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* --- life cycle --- */

struct netns_slirp *netns_slirp_new(int tapfd, const struct netns_cfg *cfg, struct burrow_err **err)
{
	cleanup_close int fd = tapfd;
	if (slirp_load(err) < 0)
		return NULL;
	if (cfg->mode != NETNS_SLIRP) {
		burrow_error(err, EINVAL, "cannot start slirp for a network that is not slirp");
		return NULL;
	}
	if (cfg->mtu < NETNS_MTU_MIN || cfg->mtu > NETNS_MTU_MAX) {
		burrow_error(err, EINVAL, "cannot start slirp with mtu %u", cfg->mtu);
		burrow_error_hint(err, "mtu is a number from %d to %d", NETNS_MTU_MIN, NETNS_MTU_MAX);
		return NULL;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		burrow_error(err, errno, "cannot make the tap fd non-blocking");
		return NULL;
	}

	SlirpConfig sc;
	memset(&sc, 0, sizeof(sc));
	sc.version = 4;
	sc.restricted = 0;
	sc.in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &sc.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &sc.vnetmask);
	inet_pton(AF_INET, NETNS_GATEWAY, &sc.vhost);
	inet_pton(AF_INET, "10.0.2.15", &sc.vdhcp_start);
	inet_pton(AF_INET, NETNS_DNS, &sc.vnameserver);
	sc.in6_enabled = cfg->ipv6;
	inet_pton(AF_INET6, "fd00::", &sc.vprefix_addr6);
	sc.vprefix_len = NETNS_PREFIXLEN6;
	inet_pton(AF_INET6, NETNS_GATEWAY6, &sc.vhost6);
	inet_pton(AF_INET6, NETNS_DNS6, &sc.vnameserver6);
	sc.if_mtu = cfg->mtu;
	sc.if_mru = cfg->mtu;
	sc.disable_host_loopback = !cfg->allow_host_loopback;
	sc.enable_emu = false;

	struct netns_slirp *n = xcalloc(1, sizeof(*n));
	n->tapfd = -1;
	n->bufsz = cfg->mtu + FRAME_OVERHEAD;
	n->buf = xmalloc(n->bufsz);
	n->slirp = slirp_new(&sc, &callbacks, n);
	if (!n->slirp) {
		netns_slirp_free(n);
		burrow_error(err, 0, "cannot start libslirp (version %s)", slirp_version_string());
		return NULL;
	}
	n->tapfd = steal_fd(fd);
	return n;
}

/* Closing the last fd of a tap whose namespace is gone unregisters the
 * device, which waits for RCU grace periods: about 25 ms here, longer than
 * the whole rest of `burrow run --rm`. A short-lived child holds the last
 * reference and pays for it instead; nobody waits for it (init reaps it).
 * If the fork fails, close it here. */
static void close_tap_detached(int fd)
{
	pid_t pid = fork();
	if (pid == 0) {
		/* hold nothing else: not the container's lock, and not our
		 * stdout, or `$(burrow run ...)` would wait for this close too */
		close_fds_except(fd);
		close(fd);
		_exit(0);
	}
	close(fd);
}

void netns_slirp_free(struct netns_slirp *n)
{
	if (!n)
		return;
	if (n->slirp)
		slirp_cleanup(n->slirp);
	while (n->timers) {
		struct netns_timer *t = n->timers;
		n->timers = t->next;
		free(t);
	}
	if (n->tapfd >= 0)
		close_tap_detached(n->tapfd);
	free(n->buf);
	free(n);
}

/* --- the poll loop --- */

static int slirp_to_poll(int ev)
{
	int p = 0;
	if (ev & SLIRP_POLL_IN)
		p |= POLLIN;
	if (ev & SLIRP_POLL_OUT)
		p |= POLLOUT;
	if (ev & SLIRP_POLL_PRI)
		p |= POLLPRI;
	if (ev & SLIRP_POLL_ERR)
		p |= POLLERR;
	if (ev & SLIRP_POLL_HUP)
		p |= POLLHUP;
	return p;
}

static int poll_to_slirp(int p)
{
	int ev = 0;
	if (p & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (p & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (p & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (p & (POLLERR | POLLNVAL))
		ev |= SLIRP_POLL_ERR;
	if (p & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
	struct netns_slirp *n = opaque;
	size_t idx = netns_pollset_add(n->ps, fd, (short)slirp_to_poll(events));
	return idx > INT_MAX ? -1 : (int)idx;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct netns_slirp *n = opaque;
	if (idx < 0 || (size_t)idx >= n->ps->n)
		return 0;
	return poll_to_slirp(n->ps->fds[idx].revents);
}

void netns_slirp_fill(struct netns_slirp *n, struct netns_pollset *ps, int *timeout_ms)
{
	n->ps = ps;
	n->tap_idx = n->tap_gone ? SIZE_MAX : netns_pollset_add(ps, n->tapfd, POLLIN);
	uint32_t t = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
	slirp_pollfds_fill(n->slirp, &t, cb_add_poll, n);

	int64_t now = now_ms();
	for (struct netns_timer *tm = n->timers; tm; tm = tm->next) {
		if (tm->expire_ms < 0)
			continue;
		int64_t left = tm->expire_ms - now;
		if (left < 0)
			left = 0;
		if ((uint64_t)left < t)
			t = (uint32_t)left;
	}
	*timeout_ms = t == UINT32_MAX ? -1 : (t > INT_MAX ? INT_MAX : (int)t);
	n->filled = true;
}

static void tap_read(struct netns_slirp *n)
{
	for (int i = 0; i < TAP_BURST; i++) {
		ssize_t r = TEMP_FAILURE_RETRY(read(n->tapfd, n->buf, n->bufsz));
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* e.g. EBADFD once the container's namespace is gone: stop
			 * polling it, or poll() would report it forever */
			burrow_debug("slirp: cannot read from the tap: %s", strerror(errno));
			n->tap_gone = true;
			return;
		}
		if (r == 0) {
			n->tap_gone = true;
			return;
		}
		slirp_input(n->slirp, n->buf, (int)r);
	}
}

static void run_timers(struct netns_slirp *n)
{
	/* Each timer fires at most once per round, even if its handler re-arms it
	 * in the past; a handler may free or create timers, so rescan after each. */
	unsigned round = ++n->round;
	for (;;) {
		int64_t now = now_ms();
		struct netns_timer *due = NULL;
		for (struct netns_timer *t = n->timers; t; t = t->next) {
			if (t->expire_ms >= 0 && t->expire_ms <= now && t->fired_round != round) {
				due = t;
				break;
			}
		}
		if (!due)
			return;
		due->expire_ms = -1;
		due->fired_round = round;
		slirp_handle_timer(n->slirp, due->id, due->cb_opaque);
	}
}

void netns_slirp_dispatch(struct netns_slirp *n, struct netns_pollset *ps, bool poll_failed)
{
	if (n->filled && n->ps == ps) {
		if (!poll_failed && n->tap_idx < ps->n &&
		    (ps->fds[n->tap_idx].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)))
			tap_read(n);
		slirp_pollfds_poll(n->slirp, poll_failed, cb_get_revents, n);
	}
	n->filled = false;
	run_timers(n);
}

bool netns_slirp_tap_gone(const struct netns_slirp *n)
{
	return n->tap_gone;
}
