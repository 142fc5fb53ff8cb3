/* Scope-bound cleanup of local variables (gcc/clang cleanup attribute).
 * Initialise every such variable where it is declared. */
#ifndef BURROW_LIB_CLEANUP_H
#define BURROW_LIB_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/proc.h"

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void cleanup_dirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
static inline void cleanup_strvp(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
}
static inline void cleanup_errp(struct burrow_err **e)
{
	burrow_err_free(*e);
}
/* A child of ours that must not outlive the scope: killed and reaped
 * unless handed on with steal_pid (crun's cleanup_pid). */
static inline void cleanup_pidp(pid_t *pid)
{
	if (*pid > 0)
		proc_kill_reap(*pid, NULL);
}

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclosep)))
#define cleanup_dir __attribute__((cleanup(cleanup_dirp)))
#define cleanup_strv __attribute__((cleanup(cleanup_strvp)))
#define cleanup_err __attribute__((cleanup(cleanup_errp)))
#define cleanup_pid __attribute__((cleanup(cleanup_pidp)))
#define cleanup_proc_ref __attribute__((cleanup(proc_ref_close)))

/* Hand ownership on: returns the value and clears the variable. */
#define steal_ptr(p)                       \
	({                                 \
		__typeof__(p) _tmp_ = (p); \
		(p) = NULL;                \
		_tmp_;                     \
	})
#define steal_fd(fd)                 \
	({                           \
		int _tmp_fd_ = (fd); \
		(fd) = -1;           \
		_tmp_fd_;            \
	})
/* The child is reaped elsewhere now (or was): cleanup_pid lets it be. */
#define steal_pid(pid)                   \
	({                               \
		pid_t _tmp_pid_ = (pid); \
		(pid) = 0;               \
		_tmp_pid_;               \
	})

#endif
