/* OCI hooks as podman configures them (oci-hooks(5), version 1.0.0): the
 * *.json files of the hook directories (--hooks-dir, else
 * /usr/share/containers/oci/hooks.d then /etc/containers/oci/hooks.d; a
 * later directory's file masks an earlier one of the same name), each a
 * hook {path, args, env, timeout}, the conditions it applies under
 * (when: always, annotations, commands, hasBindMounts; all those given
 * must hold) and its stages.
 *
 * Who runs which stage: the monitor, which is the OCI runtime's caller
 * and its process side at once (DESIGN.md: runtime/ knows nothing of
 * configuration files). prestart, createRuntime and createContainer run
 * once the container's namespaces exist (its init created, waiting),
 * startContainer just before its command is started, all in the
 * monitor's namespaces (burrow's user namespace); poststart once the
 * command runs; poststop once it has ended, before its end is recorded.
 * Each gets the container's state (the OCI runtime spec's state JSON) on
 * its standard input and is killed past its timeout (60 s when it names
 * none: every wait is bounded). A failing hook of the stages before the
 * start fails the start; a failing poststart or poststop is a warning.
 *
 * precreate runs once, at create (podman runs it at each start): each
 * such hook gets the container's configuration as an OCI runtime spec
 * (process.args, env, cwd, user, terminal; hostname; mounts; annotations)
 * on its standard input and prints it, changed or not, on its standard
 * output; the next one gets that. burrow takes process.args, process.env,
 * process.cwd and annotations (each replaces the container's when given),
 * and mounts at a destination the container has no mount at (bind with
 * an absolute source, tmpfs), checked and resolved as -v and --tmpfs of
 * the user's; the rest is ignored (a mount already there stays as it
 * is). A failing hook or a configuration refused fails the create. */
#ifndef BURROW_CONTAINER_HOOKS_H
#define BURROW_CONTAINER_HOOKS_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/record.h"
#include "lib/err.h"

#define CTR_HOOKS_TIMEOUT_DEFAULT 60 /* seconds */

/* The default directories, lowest precedence first. */
extern const char *const ctr_hooks_default_dirs[];

/* One hook file's JSON checked: 0, or -1 with why (status 0). */
int ctr_hook_check(const char *json, struct burrow_err **err);

/* Warns of each hook file of dirs (NULL: the default ones) that cannot
 * be read or is invalid, naming it (create calls it; the monitor skips
 * such files quietly). */
void ctr_hooks_warn_invalid(char *const *dirs);

/* Runs c's hooks of stage (prestart ...) that apply to it, in the order of
 * their file names, with the state JSON of the container (status, its
 * init's pid, its bundle directory) on their standard input. -1 at the
 * first that fails or times out (err names it and its file). */
int ctr_hooks_run(const struct ctr_config *c, const char *stage, const char *status, pid_t pid, const char *bundle,
                  struct burrow_err **err);

/* The same for the stages after the start (poststart, poststop): a
 * failure is a warning (the monitor's log), also returned (NULL: none)
 * for the caller to pass on to the user's terminal. */
char *ctr_hooks_run_warn(const struct ctr_config *c, const char *stage, const char *status, pid_t pid,
                         const char *bundle);

/* The stages before the start, in their order (prestart, createRuntime,
 * createContainer, startContainer): -1 at the first hook that fails. */
int ctr_hooks_run_prestart(const struct ctr_config *c, pid_t pid, const char *bundle, struct burrow_err **err);

/* Runs the precreate hooks that apply to c (its mounts resolved, not yet
 * stored) and takes their configuration into c, as said above. -1 at
 * the first that fails, times out or prints what is refused (its new
 * mounts resolved before are in c->mounts: the caller releases them). */
struct state_store;
int ctr_hooks_precreate(struct state_store *s, struct ctr_config *c, struct burrow_err **err);

#endif
