/* libslirp run by the caller's event loop (lib/loop.h): the tap fd is a
 * watch, slirp's sockets are watches that a prepare hook brings up to date
 * each round from slirp_pollfds_fill, slirp's timers are loop timers.
 * Frames from the container are read off the tap and fed to slirp_input;
 * frames slirp sends are written to the tap.
 *
 * Host -> container through port_handler=slirp (hostfwd), what bounds it
 * and what was tried (libslirp 4.7; tests/helpers/slirp-drive, iperf3
 * 2 s runs interleaved with podman's slirp4netns port_handler=slirp4netns
 * in the same rounds, 10-20 rounds, on a 2-CPU VM shared with other
 * builds and tests; CPU from /proc/PID/stat around each run, per GB
 * moved: the monitor's, and with the client's and the server's):
 *   - libslirp offers no window scaling: the container's window is at
 *     most 64 KiB. It reads the host socket into a 128 KiB buffer rounded
 *     up to whole segments (recv of 143640 = 9 x 15960 at mtu 16000) and
 *     sends segments of at most 32768 bytes whatever the MSS offered
 *     (TCP_MAXSEG_MAX). At mtu 16000 four 15960-byte segments fill the
 *     window; the container ACKs every second one while the monitor's
 *     write() runs, so one wakeup moves ~4 frames (strace: 8803 writes,
 *     2045 polls, 1970 recvs in a second). The monitor seldom sleeps (2.5
 *     voluntary switches a MB, slirp4netns 10) but is preempted (~50 a
 *     MB), and is busy ~60% of the time at 6 Gbit/s: 64 KiB a round trip
 *     of ~80 us, ~50 us of it the monitor's CPU.
 *                              Gbit/s    ratio      CPU ms/GB:
 *                                                    monitor / all
 *     quiet (load ~6)
 *       mtu 16000 (now)        5.9-6.4   1.09-1.19  778-809 / 1178-1218
 *       MSS 32768 (*)          5.79      1.07       810 / 1198
 *       slirp4netns            5.2-5.9   1          782-828 / 1132-1228
 *     loaded (load 12-16)
 *       mtu 16000 (now)        3.35      2.78       746 / 1145
 *       MSS 32768 (*)          3.42      3.36       720 / 1006
 *       slirp4netns            1.17      1          1034 / 1562
 *     (ratio: the median of the rounds' ratios, which spread 0.7-1.9
 *     when quiet and 0.2-14 loaded.) When the machine is quiet
 *     slirp4netns costs as much CPU a GB as the monitor; loaded, it costs
 *     more and loses more, so the ratio grows with the load. 1.3 when
 *     quiet needs each window's round trip ~30% shorter, and the
 *     monitor's part of it is libslirp's own work (copying in,
 *     checksumming, copying out, a write a frame, the container's TCP
 *     receive run in that write), not its caller's. tools/bench-net.sh,
 *     whose cases run one after another (medians of 3 x 3 s, the load
 *     falling from 6 to 4 meanwhile), had this handler at 4.39 (the
 *     engine alone) and 5.28 (run -p) Gbit/s, 862 and 799 ms/GB, and
 *     slirp4netns, measured last, at 6.13 and 744: a load that drifts
 *     between cases moves such a ratio more than any of the above.
 *   - (*) segments wider than the link toward the container (libslirp's
 *     side at mtu 65520, the container's net.ipv4.route.min_adv_mss
 *     raised): 12% less CPU a GB under load, nothing when quiet, and
 *     libslirp takes the MSS the container advertises as its own for the
 *     container's uploads too, sending a window update only once the
 *     window opens by two of them (tcp_output: adv >= 2 * t_maxseg),
 *     never within 64 KiB: an upload to a host path shaped to 400 Mbit/s
 *     fell from 45 to 20 MB/s (the collapse netns.h describes for wide
 *     MTUs; readers in the container at 20, 100 and 300 MB/s were not
 *     slowed). Not kept; mtu=65520 gains and loses the same way.
 *   - a larger net.ipv4.tcp_rmem in the container's namespace (4 MiB): no
 *     change beyond the noise (its window is capped at 64 KiB, and
 *     autotuning grows its buffer during a transfer anyway). Not kept.
 *   - the monitor's own scheduler slice (sched_setattr sched_runtime, 100
 *     us or 20 ms, so the woken reader would not preempt it): no change
 *     (ratios 1.00 and 0.98 against the default in the same rounds). */
#include "netns/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <ifaddrs.h>
#include <libslirp.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/dl.h"
#include "lib/fileutil.h"
#include "lib/loop.h"
#include "lib/memtrim.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "netns/hostlo.h"
#include "netns/internal.h"

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
	__typeof__(slirp_add_hostxfwd) *add_hostxfwd;
	__typeof__(slirp_remove_hostxfwd) *remove_hostxfwd;
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
	    {"slirp_add_hostxfwd", (void **)&sl.add_hostxfwd},
	    {"slirp_remove_hostxfwd", (void **)&sl.remove_hostxfwd},
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
#define slirp_add_hostxfwd (*sl.add_hostxfwd)
#define slirp_remove_hostxfwd (*sl.remove_hostxfwd)

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
/* The heap is trimmed this long after slirp last closed a socket: a burst
 * of connections (each holding its buffers through its TIME_WAIT) grows
 * it to tens of MiB, which malloc keeps unless asked. */
#define TRIM_AFTER_MS 2000

struct netns_timer {
	struct netns_slirp *n;
	struct loop_timer *lt;
	SlirpTimerId id;
	void *cb_opaque;
};

/* One of slirp's sockets, by fd. */
struct sock_slot {
	struct loop_watch *w; /* NULL: never asked for */
	short revents;        /* this round's, for slirp_pollfds_poll */
	unsigned round;       /* the last round slirp asked for it */
	bool listening;       /* a port_handler=slirp listener (SO_ACCEPTCONN) */
};

/* A listener hidden at the monitor's reserve of fds is looked at again
 * this often (a connection that ends frees one without waking the loop). */
#define LISTEN_RETRY_MS 100

struct netns_slirp {
	Slirp *slirp;
	struct loop *loop;
	int tapfd;
	struct loop_watch *tapw; /* NULL once the tap is gone */
	struct loop_hook *hook;
	struct loop_timer *trim; /* armed while sockets close */
	uint8_t *buf;
	size_t bufsz;
	struct sockaddr_in out4; /* outbound_addr, when set (slirp keeps the pointer) */
	struct sockaddr_in6 out6;
	struct sock_slot *slots; /* indexed by fd */
	size_t nslots;
	unsigned round;
	/* libslirp accepts a port_handler=slirp connection whenever its
	 * listener is readable, with no reserve of fds: at fd_ceiling
	 * (lib/fileutil.h) its listeners are not polled for input, or a
	 * flood of clients would take the monitor's last fds (its exit file,
	 * hooks...) and, at the limit, make it spin on a listener libslirp
	 * cannot accept on (400 clients against ulimit -n 200: ~1.7 s of CPU
	 * in 5 s) */
	unsigned full_round;         /* the round `full` was learnt in */
	bool full;                   /* the next fd would be at or above fd_ceiling */
	bool hid;                    /* a listener was hidden this round */
	bool tap_gone;               /* the tap hung up or failed: no longer watched */
	struct netns_hostlo *hostlo; /* allow_host_loopback=false (hostlo.h) */
};

/* --- callbacks --- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct netns_slirp *n = opaque;
	if (n->hostlo)
		netns_hostlo_from_slirp(n->hostlo, buf, len, now_ms());
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

static void on_timer(struct loop *l, struct loop_timer *lt, void *data)
{
	(void)l;
	(void)lt;
	struct netns_timer *t = data;
	slirp_handle_timer(t->n->slirp, t->id, t->cb_opaque);
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct netns_slirp *n = opaque;
	struct netns_timer *t = xcalloc(1, sizeof(*t));
	t->n = n;
	t->id = id;
	t->cb_opaque = cb_opaque;
	t->lt = loop_timer_add(n->loop, on_timer, t);
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct netns_slirp *n = opaque;
	struct netns_timer *t = timer;
	loop_timer_remove(n->loop, t->lt);
	free(t);
}

/* expire_ms is on slirp's clock, ours: cb_clock_get_ns */
static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	struct netns_timer *t = timer;
	loop_timer_arm(t->lt, expire_ms, 0);
}

/* The prepare hook learns slirp's sockets from slirp_pollfds_fill each
 * round and runs in the caller's thread: there is nothing to record when a
 * socket is made, and nobody to wake. Only close-on-exec to set: libslirp
 * accepts a port_handler=slirp connection without it, and a hook the
 * monitor runs would hold it open. */
static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)opaque;
	int fl = fcntl(fd, F_GETFD);
	if (fl >= 0 && !(fl & FD_CLOEXEC))
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

/* slirp closes fd: its watch goes too. Kept (polled for nothing), the
 * watches of a burst of short connections, each held through its TIME_WAIT,
 * would stay scattered over the heap and pin it: 7,000 connections left
 * 5 MiB that no trim could give back. */
static void cb_unregister_poll_fd(int fd, void *opaque)
{
	struct netns_slirp *n = opaque;
	if (fd < 0 || (size_t)fd >= n->nslots)
		return;
	loop_watch_remove(n->loop, n->slots[fd].w);
	n->slots[fd].w = NULL;
	if (n->trim)
		loop_timer_arm(n->trim, now_ms() + TRIM_AFTER_MS, 0);
}

static void on_trim(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	(void)data;
	mem_trim();
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

/* outbound_addr(6)=: an address of family, or the first such address of
 * the interface of that name. */
static int resolve_outbound(int family, const char *what, void *out, size_t outlen, struct burrow_err **err)
{
	memset(out, 0, outlen);
	if (family == AF_INET) {
		struct sockaddr_in *sin = out;
		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, what, &sin->sin_addr) == 1)
			return 0;
	} else {
		struct sockaddr_in6 *sin6 = out;
		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, what, &sin6->sin6_addr) == 1)
			return 0;
	}
	struct ifaddrs *ifs = NULL;
	if (getifaddrs(&ifs) < 0)
		return burrow_error(err, errno, "cannot list the host's interfaces");
	bool named = false, found = false;
	for (struct ifaddrs *i = ifs; i && !found; i = i->ifa_next) {
		if (strcmp(i->ifa_name, what) != 0)
			continue;
		named = true;
		if (!i->ifa_addr || i->ifa_addr->sa_family != family)
			continue;
		if (family == AF_INET6 &&
		    IN6_IS_ADDR_LINKLOCAL(&((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr))
			continue; /* needs a scope; a global address is what is meant */
		memcpy(out, i->ifa_addr, outlen);
		found = true;
	}
	freeifaddrs(ifs);
	if (found)
		return 0;
	if (!named) {
		burrow_error(err, 0, "outbound_addr%s: there is no interface '%s' here", family == AF_INET ? "" : "6",
		             str_quote(what));
		return burrow_error_hint(err, "name an interface that 'ip addr' lists, or give an address");
	}
	burrow_error(err, 0, "outbound_addr%s: interface '%s' has no IPv%c address", family == AF_INET ? "" : "6",
	             str_quote(what), family == AF_INET ? '4' : '6');
	return burrow_error_hint(err, "name an interface that has one, or give an address");
}

static void on_tap(struct loop *l, struct loop_watch *w, int fd, short revents, void *data);
static int slirp_prepare(struct loop *l, void *data);
static int slirp_after(struct loop *l, void *data);

struct netns_slirp *netns_slirp_new(struct loop *l, int tapfd, const struct netns_cfg *cfg, struct burrow_err **err)
{
	cleanup_close int fd = tapfd;
	if (slirp_load(err) < 0)
		return NULL;
	if (cfg->mode != NETNS_SLIRP) {
		burrow_error(err, EINVAL, "cannot start slirp for a network that is not slirp");
		return NULL;
	}
	net_ignore_sigpipe();
	if (cfg->mtu < NETNS_MTU_MIN || cfg->mtu > NETNS_MTU_MAX) {
		burrow_error(err, EINVAL, "cannot start slirp with mtu %u", cfg->mtu);
		burrow_error_hint(err, "mtu is a number from %d to %d", NETNS_MTU_MIN, NETNS_MTU_MAX);
		return NULL;
	}
	if (cfg->prefix4 < 1 || cfg->prefix4 > 30) {
		burrow_error(err, EINVAL, "cannot start slirp with a /%u network", cfg->prefix4);
		return NULL;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		burrow_error(err, errno, "cannot make the tap fd non-blocking");
		return NULL;
	}

	struct netns_slirp *n = xcalloc(1, sizeof(*n));
	n->loop = l; /* before slirp_new, which makes timers */
	n->tapfd = -1;
	if (cfg->outbound4[0] && resolve_outbound(AF_INET, cfg->outbound4, &n->out4, sizeof(n->out4), err) < 0) {
		free(n);
		return NULL;
	}
	if (cfg->outbound6[0] && resolve_outbound(AF_INET6, cfg->outbound6, &n->out6, sizeof(n->out6), err) < 0) {
		free(n);
		return NULL;
	}

	SlirpConfig sc;
	memset(&sc, 0, sizeof(sc));
	sc.version = 4;
	sc.restricted = 0;
	sc.in_enabled = true;
	uint32_t mask = 0xffffffffu << (32 - cfg->prefix4);
	sc.vnetwork.s_addr = htonl(cfg->net4);
	sc.vnetmask.s_addr = htonl(mask);
	inet_pton(AF_INET, cfg->gateway, &sc.vhost);
	sc.vdhcp_start.s_addr = htonl(cfg->net4 + 15);
	inet_pton(AF_INET, cfg->dns, &sc.vnameserver);
	sc.in6_enabled = cfg->ipv6;
	inet_pton(AF_INET6, "fd00::", &sc.vprefix_addr6);
	sc.vprefix_len = NETNS_PREFIXLEN6;
	inet_pton(AF_INET6, NETNS_GATEWAY6, &sc.vhost6);
	inet_pton(AF_INET6, NETNS_DNS6, &sc.vnameserver6);
	sc.outbound_addr = cfg->outbound4[0] ? &n->out4 : NULL;
	sc.outbound_addr6 = cfg->outbound6[0] ? &n->out6 : NULL;
	sc.if_mtu = cfg->mtu;
	sc.if_mru = cfg->mtu;
	sc.disable_host_loopback = false; /* hostlo.c keeps the container off it */
	if (!cfg->allow_host_loopback) {
		struct netns_hostlo_net hn = {.net4 = cfg->net4, .mask4 = mask};
		hn.gw4 = ntohl(sc.vhost.s_addr);
		hn.dns4 = ntohl(sc.vnameserver.s_addr);
		hn.prefix6 = sc.vprefix_addr6;
		hn.gw6 = sc.vhost6;
		hn.dns6 = sc.vnameserver6;
		n->hostlo = netns_hostlo_new(&hn);
	}
	sc.enable_emu = false;

	n->bufsz = cfg->mtu + FRAME_OVERHEAD;
	n->buf = xmalloc(n->bufsz);
	n->slirp = slirp_new(&sc, &callbacks, n);
	if (!n->slirp) {
		netns_slirp_free(n);
		burrow_error(err, 0, "cannot start libslirp (version %s)", slirp_version_string());
		return NULL;
	}
	n->tapfd = steal_fd(fd);
	n->tapw = loop_watch_add(l, n->tapfd, POLLIN, on_tap, n);
	n->hook = loop_hook_add(l, slirp_prepare, slirp_after, n);
	n->trim = loop_timer_add(l, on_trim, n);
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
	/* its timers go with it (cb_timer_free) */
	if (n->slirp)
		slirp_cleanup(n->slirp);
	loop_timer_remove(n->loop, n->trim);
	loop_hook_remove(n->loop, n->hook);
	loop_watch_remove(n->loop, n->tapw);
	for (size_t fd = 0; fd < n->nslots; fd++)
		loop_watch_remove(n->loop, n->slots[fd].w);
	free(n->slots);
	if (n->tapfd >= 0)
		close_tap_detached(n->tapfd);
	free(n->buf);
	netns_hostlo_free(n->hostlo);
	free(n);
}

/* --- the loop --- */

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

static void on_sock(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)l;
	(void)w;
	struct netns_slirp *n = data;
	n->slots[fd].revents = revents;
}

/* Whether libslirp's listeners rest this round: the fd an accept would
 * make is at or above the monitor's reserve. Learnt once a round, and
 * only in a round where a listener wants input (three syscalls; ~2,000
 * rounds a second at full speed). The limit is read each time: the
 * published ports raise it (fwd.c) after libslirp starts. */
static bool listeners_full(struct netns_slirp *n)
{
	if (n->full_round != n->round) {
		n->full_round = n->round;
		n->full = fd_next_at_or_above(fd_ceiling());
	}
	return n->full;
}

/* slirp_pollfds_fill asks for one socket: its watch, made or updated. The
 * index slirp gets back (for cb_get_revents) is the fd. A listener is not
 * polled for input while listeners_full. */
static int cb_add_poll(int fd, int events, void *opaque)
{
	struct netns_slirp *n = opaque;
	if (fd < 0)
		return -1;
	if ((size_t)fd >= n->nslots) {
		size_t cap = n->nslots ? n->nslots : 16;
		while (cap <= (size_t)fd)
			cap *= 2;
		n->slots = xrealloc(n->slots, cap * sizeof(*n->slots));
		memset(n->slots + n->nslots, 0, (cap - n->nslots) * sizeof(*n->slots));
		n->nslots = cap;
	}
	struct sock_slot *s = &n->slots[fd];
	short ev = (short)slirp_to_poll(events);
	if (s->round == n->round && s->w)
		ev |= loop_watch_events(s->w); /* asked twice in one round */
	if (!s->w) {
		int on = 0;
		socklen_t len = sizeof(on);
		s->listening = getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
	}
	if (s->listening && (ev & POLLIN) && listeners_full(n)) {
		ev &= (short)~POLLIN;
		n->hid = true;
	}
	if (!s->w)
		s->w = loop_watch_add(n->loop, fd, ev, on_sock, n);
	else
		loop_watch_set_events(s->w, ev);
	s->round = n->round;
	s->revents = 0;
	return fd;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct netns_slirp *n = opaque;
	if (idx < 0 || (size_t)idx >= n->nslots || n->slots[idx].round != n->round)
		return 0;
	return poll_to_slirp(n->slots[idx].revents);
}

/* Before poll(): slirp says what it wants of each socket, and how soon it
 * needs to run again. A socket it did not ask for this round (closed,
 * or wanting nothing now) is not polled. */
static int slirp_prepare(struct loop *l, void *data)
{
	(void)l;
	struct netns_slirp *n = data;
	n->round++;
	n->hid = false;
	uint32_t t = UINT32_MAX;
	slirp_pollfds_fill(n->slirp, &t, cb_add_poll, n);
	for (size_t fd = 0; fd < n->nslots; fd++)
		if (n->slots[fd].w && n->slots[fd].round != n->round)
			loop_watch_set_events(n->slots[fd].w, 0);
	if (n->hid && t > LISTEN_RETRY_MS)
		t = LISTEN_RETRY_MS;
	return t == UINT32_MAX ? -1 : (t > INT_MAX ? INT_MAX : (int)t);
}

/* After the round's fd callbacks (the tap's, the sockets'): slirp acts on
 * what its sockets reported. */
static int slirp_after(struct loop *l, void *data)
{
	(void)l;
	struct netns_slirp *n = data;
	slirp_pollfds_poll(n->slirp, 0, cb_get_revents, n);
	return 0;
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
		if (n->hostlo && !netns_hostlo_to_slirp(n->hostlo, n->buf, (size_t)r, now_ms()))
			continue;
		slirp_input(n->slirp, n->buf, (int)r);
	}
}

static void on_tap(struct loop *l, struct loop_watch *w, int fd, short revents, void *data)
{
	(void)fd;
	(void)revents;
	struct netns_slirp *n = data;
	tap_read(n);
	if (n->tap_gone) {
		/* no longer watched, so poll() cannot spin on the hangup */
		loop_watch_remove(l, w);
		n->tapw = NULL;
	}
}

bool netns_slirp_tap_gone(const struct netns_slirp *n)
{
	return n->tap_gone;
}

int netns_slirp_hostfwd_add(struct netns_slirp *n, const struct sockaddr *host, socklen_t hostlen,
                            const struct sockaddr *guest, socklen_t guestlen, int flags)
{
	errno = 0;
	if (slirp_add_hostxfwd(n->slirp, host, hostlen, guest, guestlen, flags) < 0) {
		if (errno == 0)
			errno = EINVAL;
		return -1;
	}
	return 0;
}

int netns_slirp_hostfwd_remove(struct netns_slirp *n, const struct sockaddr *host, socklen_t hostlen, int flags)
{
	return slirp_remove_hostxfwd(n->slirp, host, hostlen, flags);
}
