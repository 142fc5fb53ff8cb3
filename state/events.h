/* The event log: what happened to containers, images and volumes, as
 * podman's file events logger keeps it. One JSON object per line in
 * RUNROOT/events/events.log (the runtime dir, as podman's events.log: gone
 * after a reboot), each line appended with one write() on an O_APPEND fd
 * (a line is well under PIPE_BUF, so concurrent writers never interleave),
 * readable while it is written. Past a size cap (1 MiB; the environment's
 * BURROW_EVENTS_LOG_MAX_SIZE in bytes, for tests) the writer that crossed
 * it renames the file to events.log.1 (one old file kept) and the next
 * write starts a new one. A line:
 *   {"ContainerExitCode":0,"ID":"…","Image":"…","Name":"…","Status":"died",
 *    "time":1700000000,"timeNano":1700000000123456789,"Type":"container",
 *    "health_status":"healthy","Error":"…","Attributes":{"KEY":"VALUE"}}
 * with the keys podman's `events --format json` prints, absent ones left
 * out. */
#ifndef BURROW_STATE_EVENTS_H
#define BURROW_STATE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct state_store;

/* Default size cap of events.log in bytes. */
#define STATE_EVENTS_MAX_SIZE (1024 * 1024)

struct state_event {
	const char *type;          /* "container", "image", "volume" */
	const char *status;        /* "create", "start", "died", "pull" ... */
	const char *id;            /* full ID (NULL: none, e.g. a volume) */
	const char *name;          /* container or volume name, image reference */
	const char *image;         /* a container's image, its full name (localhost/busybox:latest) */
	char *const *labels;       /* KEY=VALUE, the Attributes (NULL: none) */
	const char *health_status; /* health_status events (NULL: none) */
	const char *error;         /* what failed, as podman 5's pull-error's Error (NULL: none) */
	int exit_code;             /* ContainerExitCode, when has_exit_code */
	bool has_exit_code;
};

/* Appends ev to the log under runroot. Never fails the caller: what goes
 * wrong (a read-only or full disk) is a debug line and the event is lost.
 * Costs one open, one write and one close (15-30 us on a loaded
 * machine: 1000 took 14-29 ms). */
void state_event_write(const char *runroot, const struct state_event *ev);
/* state_event_write to the store's runtime dir. */
void state_event_emit(struct state_store *s, const struct state_event *ev);

/* An event of an image or a volume: type "image" (id: its ID, name: the
 * reference the user gave or the tag) or "volume" (id NULL, name its name). */
void state_event_obj(struct state_store *s, const char *type, const char *status, const char *id, const char *name);

/* --events-backend: with none (off) this process (and the monitors it
 * forks) writes no events; another (the later flag wins) writes them. */
void state_events_set(bool on);

/* The log's path under runroot (caller frees); the old one is it + ".1". */
char *state_events_path(const char *runroot);

/* One line of the log (without its newline), for a reader. Returns 0 to go
 * on, 1 to stop reading (0 is then returned), -1 to fail. */
typedef int (*state_events_fn)(const char *line, size_t len, void *data, struct burrow_err **err);

struct state_events_read_opts {
	bool follow;       /* after the end, wait (inotify) for more */
	long long stop_ns; /* with follow: stop once the wall clock passes this (0: never) */
};
/* Feeds every line of events.log.1, then events.log, in order, to fn;
 * copes with a rotation while it reads (the rotated file is read to its
 * end, then the new one from its start). With follow it then waits for
 * more without polling (inotify on the log's directory) and returns 0
 * on SIGINT or SIGTERM (blocked meanwhile, taken through a signalfd) or
 * at stop_ns. A missing log is an empty one. */
int state_events_read(const char *runroot, const struct state_events_read_opts *o, state_events_fn fn, void *data,
                      struct burrow_err **err);

#endif
