/* The monitor, inside container/: one process per running container, a
 * daemon of its own (double fork, setsid, stdio on /dev/null, none of the
 * caller's fds, its warnings in the container's monitor.log). It is the
 * container init's parent, and the only process that reaps it.
 *
 * Its life:
 *   1. the starting command (ctr_start) takes the container's lock, checks
 *      that it may start, and forks it; the monitor inherits the lock (the
 *      same open file) and a socketpair end, the starter's channel
 *      (container/attach.h);
 *   2. it prepares the container (created: rootfs mounted, bundle, /etc
 *      files, the attach socket listening), clones the init (rt_create:
 *      the init dies with the monitor, PR_SET_PDEATHSIG), opens the
 *      network (tap + libslirp on its loop), lets the init exec
 *      (rt_start), records it running (persistent record first, one
 *      burrow.tdb transaction, then the run record), releases the lock
 *      and sends STARTED; or, when any of it fails, records and cleans up
 *      what it did and sends ERROR (with 125, 126 or 127); burrow init
 *      (init_only): it stops before the exec, the init waiting, the run
 *      record created, releases the lock and sends STARTED; a start's GO
 *      on the attach socket (that connection its starter's channel from
 *      then on) takes the lock again and goes on from the exec;
 *   3. it runs its loop: the container's output (pipes, or the pty) to the
 *      log file and the attached clients; one client's input to the
 *      container's stdin; window sizes; signals clients proxy; SIGCHLD;
 *   4. when the init exits: the rest of its output, the exit file
 *      (RUNROOT/exits/<id>), then under the lock: exit code and finish
 *      time in one burrow.tdb transaction (none with --rm: the record
 *      goes), stopped; the network down; unmounted and the runtime files
 *      gone (exited); removed with --rm; EXIT to every client;
 *   5. the restart policy, only when the container ended on its own: not
 *      when the run record says stopping (someone ends it: stop, kill,
 *      rm -f set stopping, under the lock, before they signal). A restart
 *      waits (100 ms, doubling up to 10 s; the run record says
 *      restarting), then takes the lock, checks that the container is
 *      still exited, restarting and its own, and goes to 2; otherwise the
 *      monitor exits.
 * A monitor killed (kill -9) takes its container along (PDEATHSIG); the
 * next command that looks finds it dead by its pid and start time and
 * records the container stopped with -1 (container/lifecycle.c). */
#ifndef BURROW_CONTAINER_MONITOR_H
#define BURROW_CONTAINER_MONITOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/container.h"
#include "lib/err.h"

struct state_store;

/* What ctr_start hands the monitor it forks. */
struct ctr_monitor_args {
	struct state_store *s;
	struct ctr_config *c; /* the monitor's own copy from here on */
	struct ctr_engine_opts eng;
	int sock;    /* the starter's channel */
	int lockfd;  /* the container's lock, taken by the starter */
	bool attach; /* the starter attaches: its channel becomes a client */
	bool want_stdin;
	bool fresh;     /* made for this start: removed when burrow fails before it runs */
	bool init_only; /* burrow init: the init waits before its exec for a start (CTR_ATTACH_GO) */
	/* run --preserve-fds: the starter's fds 3 .. 3+n-1 (open; the above
	 * are all higher), kept by the monitor until the container's first
	 * end, as podman's conmon keeps them: restarts run without them */
	int preserve_fds;
};

/* The monitor's body, in the daemon process: never returns. */
__attribute__((noreturn)) void ctr_monitor_main(struct ctr_monitor_args *a);

/* RUNROOT/exits/<id>: the exit code the monitor wrote when the container
 * ended ("CODE\n"; its mtime is the end). Caller frees. */
char *ctr_exit_file(struct state_store *s, const char *id);
/* RUNROOT/containers/<id>/conmon.pid: the running monitor's pid alone,
 * a line (systemd's PIDFile=; monitor.pid beside it adds the start
 * time). Caller frees. */
char *ctr_monitor_pidfile(struct state_store *s, const char *id);
/* Reads it: 1 with *code and *when, 0 when there is none. */
int ctr_exit_file_read(struct state_store *s, const char *id, int *code, long long *when);

#endif
