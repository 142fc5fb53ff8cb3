/* --sdnotify: what the monitor tells systemd through NOTIFY_SOCKET, as
 * podman's SdNotifyMode (its conmon's part is the monitor's here). The
 * socket is the one in the environment of the command that starts the
 * container (run, start); without it nothing changes. The monitor takes it
 * out of its environment at once: nothing it runs inherits it.
 *   container  the container gets a socket of the monitor's, bound at
 *              /run/notify/notify.sock with NOTIFY_SOCKET set to it; the
 *              monitor relays what the container sends, its MAINPID lines
 *              replaced by the monitor's pid (a pid of the container's own
 *              namespace means nothing to systemd); MAINPID=<monitor> goes
 *              first, when the container has started
 *   conmon     MAINPID=<monitor> and READY=1 once the container runs
 *   healthy    MAINPID=<monitor> once it runs, READY=1 at its first
 *              healthy check (ctr_mon_sdnotify_ready)
 *   ignore     nothing
 * MAINPID is the monitor, as podman's is conmon: it outlives a restart of
 * the container by its policy, and stays until the container is cleaned
 * up (--rm included), so that systemd does not kill that work. */
#ifndef BURROW_CONTAINER_SDNOTIFY_H
#define BURROW_CONTAINER_SDNOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct mon;
struct loop_watch;

/* Whether mode is one of the four. */
bool ctr_sdnotify_mode_valid(const char *mode);

/* Inside the container: podman's paths. */
#define CTR_SDNOTIFY_DIR "/run/notify"
#define CTR_SDNOTIFY_SOCKET CTR_SDNOTIFY_DIR "/notify.sock"

/* The monitor's part (struct mon's sd). */
struct ctr_mon_sdnotify {
	char *host;           /* NOTIFY_SOCKET as the starter had it (NULL: none, or ignore) */
	char *dir;            /* container mode: RUNDIR/notify, bound at /run/notify */
	int fd;               /* ... its socket (-1: none) */
	struct loop_watch *w; /* ... watched */
	bool mainpid_sent;    /* MAINPID went to systemd */
	bool ready_sent;      /* READY=1 went (conmon, healthy) */
};

/* At the monitor's start: takes NOTIFY_SOCKET out of the environment
 * into m->sd (unless the mode is ignore). */
void ctr_mon_sdnotify_init(struct mon *m);
/* Before each start of the container (ctr_prepare): in container mode,
 * the socket the container gets, m->eng.notify_dir set to its
 * directory. */
int ctr_mon_sdnotify_open(struct mon *m, struct burrow_err **err);
/* After each run: that socket closed. */
void ctr_mon_sdnotify_close(struct mon *m);
/* The container runs: MAINPID (container, conmon, healthy), READY=1
 * (conmon). Once per monitor. */
void ctr_mon_sdnotify_started(struct mon *m);
/* The container turned healthy (its first healthy check): READY=1 in
 * healthy mode, once. The health code calls it. */
void ctr_mon_sdnotify_ready(struct mon *m);
void ctr_mon_sdnotify_free(struct mon *m);

/* A message as relayed to systemd: the container's lines with its own
 * MAINPID lines left out, and mainpid first when it is not 0. Caller
 * frees. */
char *ctr_sdnotify_rewrite(const char *msg, size_t len, int mainpid);

#endif
