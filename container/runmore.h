/* run's and create's --rmi, --pidfile, --no-hostname, --env-merge,
 * --timeout, --oom-score-adj, --passwd, --hostuser, --personality and
 * --image-volume (container/runmore.c): podman's flags, as
 * its man pages and podman 4.3 say them. Parsed into ctr_more_opts,
 * checked before anything is written, kept in the container record. */
#ifndef BURROW_CONTAINER_RUNMORE_H
#define BURROW_CONTAINER_RUNMORE_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/strv.h"

struct ctr_config;
struct state_store;

struct ctr_more_opts {
	bool rmi;            /* --rmi (run only; implies --rm): the image goes after the container */
	const char *pidfile; /* --pidfile PATH, absolute (NULL: none) */
	bool no_hostname;    /* --no-hostname: no /etc/hostname bound in (the image's stays) */
	char **env_merge;    /* --env-merge NAME=WORD with $NAME / ${NAME} of the default environment */
	int timeout;         /* --timeout: seconds it may run before it is killed (0: no limit) */
	bool oom_set;        /* --oom-score-adj given */
	int oom_score_adj;   /* -1000..1000 */
	/* --passwd=false (run only, as podman 4.3): no entry added to the
	 * container's /etc/passwd and /etc/group, keep-id's, --hostuser's
	 * and -u UID's alike */
	bool no_passwd;
	char **hostusers;         /* --hostuser NAME or UID: its host entry in /etc/passwd (NULL: none) */
	const char *personality;  /* --personality LINUX or LINUX32 (NULL: the caller's) */
	const char *image_volume; /* --image-volume bind (NULL: the same), tmpfs or ignore */
};

/* Checks the options alone (nothing written): an --env-merge without
 * NAME=, a --pidfile whose directory is missing, a --personality or
 * --image-volume burrow does not know. 0 or -1 (EINVAL, ENOENT). */
int ctr_more_check(const struct ctr_more_opts *o, struct burrow_err **err);
/* Copies them into the record being made. */
void ctr_more_to_config(const struct ctr_more_opts *o, struct ctr_config *c);

/* --env-merge: each NAME=WORD of merges, WORD expanded against env (the
 * default environment: containers.conf's, the image's, burrow's own), set
 * in env; a NAME env lacks expands to "" (as podman). */
void ctr_env_merge(struct strv_builder *env, char *const *merges);
/* WORD with $NAME, ${NAME}, ${NAME:-DEFAULT} and ${NAME:+ALT} replaced by
 * their values in env (NAME=VALUE entries; the last one counts), "\$" a
 * literal '$'; a '$' before nothing that names a variable stays; a
 * DEFAULT or ALT nested more than 32 deep stays as typed. Caller frees. */
char *ctr_env_expand(const char *word, char *const *env, size_t n);

/* --pidfile: writes the container's first process's pid (as the host sees
 * it, no newline) to the file (replaced atomically); quiet when the record
 * has none. */
int ctr_pidfile_write(const struct ctr_config *c, pid_t pid, struct burrow_err **err);
/* Removes it when it still holds pid text of this container's (when the
 * container is removed); quiet when it is gone. */
void ctr_pidfile_remove(const struct ctr_config *c);

/* --rmi: after the container was removed, its image goes too, unless
 * another container uses it (then it stays, silently, as podman); image
 * untag and remove events as rmi's. Returns the warning of another failure
 * (or of layer files that could not go), for the user (caller frees), or
 * NULL; that warning is an image remove-error event too, its Error. */
char *ctr_rmi_after(struct state_store *s, const struct ctr_config *c);

#endif
