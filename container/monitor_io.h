/* Inside the monitor (container/monitor.h): its state, shared by
 * monitor.c (start, end, restart) and monitor_io.c (the container's
 * stdio, the log, attach clients). Not for anyone else. */
#ifndef BURROW_CONTAINER_MONITOR_IO_H
#define BURROW_CONTAINER_MONITOR_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "container/container.h"
#include "container/logfile.h"
#include "container/members.h"
#include "container/sdnotify.h"
#include "netns/netns.h"

struct loop;
struct loop_watch;
struct loop_timer;
struct rt_container;
struct rt_opts;
struct netns_slirp;
struct netns_fwd;
struct ctr_mon_client;

struct mon {
	struct state_store *s;
	struct ctr_config *c;
	struct ctr_engine_opts eng;
	struct netns_cfg ncfg;
	struct netns_cfg joined; /* container:ID: the peer's network and namespace path (monitor_net.c) */
	struct ctr_run run;
	struct loop *loop;
	struct rt_container *rt; /* the current run's init (NULL between runs) */
	struct netns_slirp *slirp;
	struct netns_fwd *fwd; /* the published ports (NULL: none, or released) */
	struct ctr_log log;
	bool passthrough; /* the container's stdio are the caller's, kept by the monitor */
	int preserve_fds; /* run --preserve-fds: the caller's fds 3 .. 3+n-1, kept by the monitor until the
	                   * container's first end (0 then) */

	/* the container's stdio, the monitor's ends: stdout and stderr (with a
	 * pty: the master, in out[0]), stdin (a pipe, or the master); -1 when
	 * closed or absent */
	int out_fd[2];
	struct loop_watch *out_w[2];
	int in_fd;
	struct loop_watch *in_w; /* watched for room while a client's input waits */
	bool in_pipe;            /* in_fd is a pipe (EOF closes it) rather than the pty */
	bool output_held;        /* a client's queue is full: output is not read */
	int child_fds[3];        /* the container's ends, closed once it has them */

	/* attach */
	int listen_fd;
	struct loop_watch *listen_w;
	struct ctr_mon_client *clients;
	struct ctr_mon_client *stdin_owner;
	int starter;         /* the starter's channel until STARTED or ERROR (-1 after) */
	bool starter_attach; /* it becomes a client */
	bool starter_stdin;
	bool init_only; /* burrow init: prepared and created, the exec waits for a start */
	bool waiting;   /* ... and it waits now (the run record says created) */

	/* the end */
	struct ctr_members members; /* without a PID namespace of its own: the init's mount namespace */
	bool exited;
	int wstatus;
	int lockfd;
	bool fresh;
	bool removed;          /* gone (--rm, or fresh and never ran) */
	bool stopped_by_user;  /* its end was someone's stop or kill: no restart */
	bool restart;          /* the policy restarts it */
	bool awaiting_clients; /* EXIT is out: the end waits for the clients to take it */
	unsigned backoff_ms;
	struct loop_timer *end_timer, *restart_timer;
	struct ctr_mon_sdnotify sd; /* --sdnotify (container/sdnotify.c) */

	struct ctr_mon_health *health;    /* monitor_health.c (NULL: no healthcheck) */
	bool health_restart;              /* --health-on-failure=restart: restarted at its end */
	struct loop_timer *timeout_timer; /* --timeout (monitor_timeout.c) */
	bool timed_out;                   /* it fired: the run's exit code is -1 */
};

/* monitor_io.c */
void ctr_mon_io_init(struct mon *m);
/* Opens the log file (k8s-file driver), once. */
int ctr_mon_log_open(struct mon *m, struct burrow_err **err);
/* Before rt_create: the container's stdio (pipes; with passthrough, the
 * monitor's own 0-2; with a pty, none: the runtime makes it) into ro. */
int ctr_mon_io_prepare(struct mon *m, struct rt_opts *ro, struct burrow_err **err);
/* After rt_create: the container's ends closed, the monitor's watched. */
int ctr_mon_io_start(struct mon *m, struct burrow_err **err);
/* After the init exited: what is left of its output, to the log and the
 * clients. */
void ctr_mon_io_drain(struct mon *m);
/* Closes the container's stdio (watches, fds). */
void ctr_mon_io_close(struct mon *m);
/* The attach socket in rundir, watched; ctr_mon_listen_close undoes it. */
int ctr_mon_listen(struct mon *m, const char *rundir, struct burrow_err **err);
void ctr_mon_listen_close(struct mon *m);
/* A client on fd (taken): HELLO already said (the starter's channel):
 * WELCOME is sent. */
void ctr_mon_client_add(struct mon *m, int fd, bool want_stdin);
/* EXIT (code) to every client; each is closed once its queue is sent.
 * true when none is left to wait for. */
bool ctr_mon_clients_end(struct mon *m, int code);
void ctr_mon_clients_free(struct mon *m);
/* A warning (already in the monitor's log) for the user: to the starting
 * command while it waits for the start, else to every attached client. */
void ctr_mon_warn_user(struct mon *m, const char *msg);

/* monitor_ports.c: the published ports (netns/ports.h) */
/* Before the container exists: binds its ports (once; a restart keeps
 * them) into m->fwd and lists them as bound in m->run.ports. The error of
 * a port in use or below ip_unprivileged_port_start gives *code 126. */
int ctr_mon_ports_bind(struct mon *m, int *code, struct burrow_err **err);
/* Once the init has exec'd: forwarding on the loop into its namespace
 * (nsfd, opened before rt_start). */
int ctr_mon_ports_start(struct mon *m, int nsfd, struct burrow_err **err);
/* The container ended: forwarding stops; the host ports stay bound for a
 * restart, else (release) are free at once. */
void ctr_mon_ports_stop(struct mon *m, bool release);

/* monitor_net.c: --network container:ID. The peer's network as *out
 * (its DNS and addresses when it has slirp) with target its namespace's
 * path (/proc/PID/ns/net of its init); refused (EINVAL) when it does not
 * run; refused with *code 126 (as podman's OCI runtime) when it has the
 * host's network, which burrow's user namespace cannot enter. */
int ctr_mon_net_join(struct mon *m, struct netns_cfg *out, int *code, struct burrow_err **err);

/* monitor.c, called from monitor_io.c */
/* The last client has taken its EXIT. */
void ctr_mon_clients_done(struct mon *m);
/* A start's GO (attach.h) on fd, a client's connection taken out of the
 * clients (blocking again): the initialized container's command runs, and
 * fd is its starter's channel (STARTED or ERROR); lockfd (-1: none came)
 * is the container's lock the starter took, the monitor's now (it is
 * closed, the lock let go, once the start is recorded); monitor.c. */
void ctr_mon_go(struct mon *m, int fd, uint8_t flags, int lockfd);

#endif
