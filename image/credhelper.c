/* Credential helpers, as docker and podman run them: the credHelpers
 * (per registry) and credsStore (for every registry) entries of
 * ~/.docker/config.json and auth.json name a program
 * docker-credential-NAME on $PATH; `docker-credential-NAME get` reads the
 * server on standard input and answers with
 * {"ServerURL": ..., "Username": ..., "Secret": ...} on standard output, or
 * with "credentials not found in native keychain" and a failure status.
 *
 * The helper runs with the environment and no other fd of ours; its
 * answer is read and it is reaped within HELPER_TIMEOUT_MS (a helper may
 * ask for a passphrase: pass, secretservice), else it is killed. The
 * tests shorten that bound with BURROW_TEST_CRED_HELPER_TIMEOUT_MS (for
 * tests only: not a setting). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/internal.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/proc.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

extern char **environ;

#define HELPER_TIMEOUT_MS 60000
#define HELPER_OUT_MAX (64 * 1024)
#define NOT_FOUND "credentials not found"

bool img_cred_helper_name_ok(const char *name)
{
	if (!name || !*name || name[0] == '.' || strlen(name) > 64)
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
		      *c == '_' || *c == '.'))
			return false;
	return true;
}

char *img_cred_helper_server(const char *host)
{
	/* docker login keeps Docker Hub's under the v1 URL */
	if (strcmp(host, "docker.io") == 0)
		return xstrdup("https://index.docker.io/v1/");
	return xstrdup(host);
}

/* The first non-empty line of text, trimmed (at most 200 bytes). */
static char *first_line(const char *text)
{
	const char *s = text + strspn(text, " \t\r\n");
	size_t n = strcspn(s, "\r\n");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n > 200 ? 200 : n);
}

int img_cred_helper_answer(const char *prog, const char *server, int status, const char *out, const char *errout,
                           struct img_creds *creds, struct burrow_err **err)
{
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (strstr(out, NOT_FOUND))
			return 1;
		cleanup_free char *why = proc_status_text(status);
		cleanup_free char *line = first_line(*out ? out : errout);
		return burrow_error(err, 0, "credential helper '%s' %s for %s%s%s", prog, why, server,
		                    *line ? ": " : "", line);
	}
	cleanup_err struct burrow_err *pe = NULL;
	cleanup_yajl yajl_val v = json_parse(out, &pe);
	const char *user = v ? json_get_str(v, "Username") : NULL;
	const char *secret = v ? json_get_str(v, "Secret") : NULL;
	if (!v || !YAJL_IS_OBJECT(v) || !user || !secret)
		return burrow_error(err, 0,
		                    "credential helper '%s' answered for %s with something other than "
		                    "{\"Username\": ..., \"Secret\": ...}",
		                    prog, server);
	if (strcmp(user, "<token>") == 0) {
		burrow_error(err, ENOTSUP,
		             "credential helper '%s' holds an identity token for %s, which burrow cannot use", prog,
		             server);
		return burrow_error_hint(err, "log in with a user and password: burrow login %s", server);
	}
	creds->user = xstrdup(user);
	creds->pass = xstrdup(secret);
	return 0;
}

/* The bound on a helper's answer, in ms. */
static int helper_timeout_ms(void)
{
	const char *s = getenv("BURROW_TEST_CRED_HELPER_TIMEOUT_MS");
	char *end;
	long v = s && *s ? strtol(s, &end, 10) : 0;
	return v > 0 && v <= HELPER_TIMEOUT_MS && !*end ? (int)v : HELPER_TIMEOUT_MS;
}

/* Runs prog VERB (get, store, erase) with input on its stdin: its status,
 * stdout and stderr. server names the registry in messages. */
static int run_helper(const char *prog, const char *verb, const char *input, const char *server, int *status,
                      char **out, char **errout, struct burrow_err **err)
{
	int in[2], op[2];
	/* stdin is a socket: a helper that exits without reading it must not
	 * kill us with SIGPIPE (send's MSG_NOSIGNAL) */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return burrow_error(err, errno, "cannot create a socket pair");
	cleanup_close int in_rd = in[0], in_wr = in[1];
	if (pipe2(op, O_CLOEXEC) < 0)
		return burrow_error(err, errno, "cannot create a pipe");
	cleanup_close int out_rd = op[0], out_wr = op[1];
	cleanup_close int errfd = memfd_create("credential-helper-stderr", MFD_CLOEXEC);
	if (errfd < 0)
		return burrow_error(err, errno, "cannot create a file for the helper's errors");
	if (fcntl(out_rd, F_SETFL, O_NONBLOCK) < 0)
		return burrow_error(err, errno, "cannot set up a pipe");

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_rd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_wr, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, errfd, STDERR_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t none, deflt;
	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGCHLD);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char *argv[] = {(char *)prog, (char *)verb, NULL};
	cleanup_pid pid_t pid = 0;
	int rc = posix_spawnp(&pid, prog, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		pid = 0;
		if (rc == ENOENT) {
			burrow_error_status(err, ENOENT, "credential helper '%s' not found in $PATH", prog);
			return burrow_error_hint(err, "install it, or remove the entry that names it");
		}
		return burrow_error(err, rc, "cannot run credential helper '%s'", prog);
	}
	close(steal_fd(in_rd));
	close(steal_fd(out_wr));
	/* a host name, or the JSON of one login, fits the socket's buffer:
	 * written before anything is read */
	ssize_t sent = TEMP_FAILURE_RETRY(send(in_wr, input, strlen(input), MSG_NOSIGNAL));
	if (sent < 0 && errno != EPIPE && errno != ECONNRESET)
		return burrow_error(err, errno, "cannot write to credential helper '%s'", prog);
	close(steal_fd(in_wr));

	cleanup_free char *buf = xmalloc(HELPER_OUT_MAX + 1);
	size_t len = 0;
	int timeout = helper_timeout_ms();
	int r = proc_wait_output(pid, out_rd, buf, HELPER_OUT_MAX, &len, now_ms() + timeout, status);
	if (r < 0)
		return burrow_error(err, errno, "cannot wait for credential helper '%s'", prog);
	if (r == 0) /* cleanup_pid kills and reaps it */
		return burrow_error(err, ETIMEDOUT, "credential helper '%s' did not answer for %s within %.3g s", prog,
		                    server, timeout / 1000.0);
	steal_pid(pid);
	buf[len] = '\0';
	char ebuf[1024];
	ssize_t en = pread(errfd, ebuf, sizeof(ebuf) - 1, 0);
	ebuf[en > 0 ? en : 0] = '\0';
	*out = steal_ptr(buf);
	*errout = xstrdup(ebuf);
	return 0;
}

int img_cred_helper_get(const char *helper, const char *host, const char *where, struct img_creds *out,
                        struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	if (!img_cred_helper_name_ok(helper))
		return burrow_error(err, EINVAL, "%s names a credential helper '%s' that is not a program name", where,
		                    str_quote(helper));
	cleanup_free char *prog = xasprintf("docker-credential-%s", helper);
	cleanup_free char *server = img_cred_helper_server(host);
	cleanup_free char *text = NULL, *errtext = NULL;
	int status = 0;
	burrow_debug("registry %s: asking credential helper %s (%s)", host, prog, where);
	if (run_helper(prog, "get", server, server, &status, &text, &errtext, err) < 0)
		return burrow_error_wrap(err, "%s", where);
	int r = img_cred_helper_answer(prog, server, status, text, errtext, out, err);
	explicit_bzero(text, strlen(text));
	if (r < 0)
		return burrow_error_wrap(err, "%s", where);
	if (r == 0)
		out->source = xasprintf("%s (%s)", prog, where);
	return r;
}

char *img_cred_helper_for(const char *text, const char *key, char **where)
{
	*where = NULL;
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = text && *text ? json_parse(text, &e) : NULL;
	if (!v || !YAJL_IS_OBJECT(v))
		return NULL;
	cleanup_free char *host = xstrndup(key, strcspn(key, "/"));
	yajl_val helpers = json_get(v, "credHelpers");
	for (size_t i = 0; helpers && YAJL_IS_OBJECT(helpers) && i < helpers->u.object.len; i++) {
		cleanup_free char *k = img_auth_normalize_key(helpers->u.object.keys[i]);
		const char *helper = YAJL_GET_STRING(helpers->u.object.values[i]);
		if (helper && *helper && strcmp(k, host) == 0) {
			*where = xstrdup("credHelpers");
			return xstrdup(helper);
		}
	}
	const char *store = json_get_str(v, "credsStore");
	if (!store || !*store)
		return NULL;
	*where = xstrdup("credsStore");
	return xstrdup(store);
}

/* Runs docker-credential-HELPER verb with input; 0 done, 1 the helper had
 * nothing for server (erase), -1 missing, failed or hung. */
static int helper_do(const char *helper, const char *verb, const char *input, const char *server, const char *where,
                     struct burrow_err **err)
{
	if (!img_cred_helper_name_ok(helper))
		return burrow_error(err, EINVAL, "%s names a credential helper '%s' that is not a program name", where,
		                    str_quote(helper));
	cleanup_free char *prog = xasprintf("docker-credential-%s", helper);
	cleanup_free char *text = NULL, *errtext = NULL;
	int status = 0;
	burrow_debug("registry %s: credential helper %s %s (%s)", server, prog, verb, where);
	if (run_helper(prog, verb, input, server, &status, &text, &errtext, err) < 0)
		return burrow_error_wrap(err, "%s", where);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (strstr(text, NOT_FOUND) || strstr(errtext, NOT_FOUND))
		return 1;
	cleanup_free char *why = proc_status_text(status);
	cleanup_free char *line = first_line(*text ? text : errtext);
	burrow_error(err, 0, "credential helper '%s' %s for %s%s%s", prog, why, server, *line ? ": " : "", line);
	return burrow_error_wrap(err, "%s", where);
}

int img_cred_helper_store(const char *helper, const char *host, const char *user, const char *pass, const char *where,
                          struct burrow_err **err)
{
	cleanup_free char *server = img_cred_helper_server(host);
	yajl_gen g = json_gen_new();
	jg_map_open(g);
	jg_key_str(g, "ServerURL", server);
	jg_key_str(g, "Username", user);
	jg_key_str(g, "Secret", pass ? pass : "");
	jg_map_close(g);
	cleanup_free char *input = json_gen_finish(g);
	int r = helper_do(helper, "store", input, server, where, err);
	explicit_bzero(input, strlen(input));
	return r == 1 ? burrow_error(err, 0, "%s: credential helper 'docker-credential-%s' did not store them", where,
	                             helper)
	              : r;
}

int img_cred_helper_erase(const char *helper, const char *host, const char *where, struct burrow_err **err)
{
	cleanup_free char *server = img_cred_helper_server(host);
	return helper_do(helper, "erase", server, server, where, err);
}

/* The servers docker-credential-HELPER list names (the keys of its JSON
 * object); NULL and *err on failure. */
static char **helper_list(const char *helper, const char *where, struct burrow_err **err)
{
	if (!img_cred_helper_name_ok(helper)) {
		burrow_error(err, EINVAL, "%s names a credential helper '%s' that is not a program name", where,
		             str_quote(helper));
		return NULL;
	}
	cleanup_free char *prog = xasprintf("docker-credential-%s", helper);
	cleanup_free char *text = NULL, *errtext = NULL;
	int status = 0;
	burrow_debug("credential helper %s list (%s)", prog, where);
	if (run_helper(prog, "list", "", "every registry", &status, &text, &errtext, err) < 0) {
		burrow_error_wrap(err, "%s", where);
		return NULL;
	}
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? json_parse(text, &e) : NULL;
	if (!v || !YAJL_IS_OBJECT(v)) {
		cleanup_free char *why =
		    WIFEXITED(status) && WEXITSTATUS(status) == 0 ? xstrdup("answered") : proc_status_text(status);
		cleanup_free char *line = first_line(*errtext ? errtext : text);
		burrow_error(err, 0, "credential helper '%s' %s when asked to list%s%s", prog, why, *line ? ": " : "",
		             line);
		burrow_error_wrap(err, "%s", where);
		return NULL;
	}
	char **servers = xcalloc(v->u.object.len + 1, sizeof(char *));
	for (size_t i = 0; i < v->u.object.len; i++)
		servers[i] = xstrdup(v->u.object.keys[i]);
	return servers;
}

int img_cred_helper_erase_every(const char *text, const char *file, struct burrow_err **err)
{
	cleanup_err struct burrow_err *e = NULL;
	cleanup_yajl yajl_val v = text && *text ? json_parse(text, &e) : NULL;
	if (!v || !YAJL_IS_OBJECT(v))
		return 0; /* the edit of the file says what is wrong with it */
	int erased = 0;
	cleanup_free char *where = xasprintf("credHelpers of %s", file);
	yajl_val helpers = json_get(v, "credHelpers");
	for (size_t i = 0; helpers && YAJL_IS_OBJECT(helpers) && i < helpers->u.object.len; i++) {
		const char *helper = YAJL_GET_STRING(helpers->u.object.values[i]);
		if (!helper || !*helper)
			continue;
		cleanup_free char *host = img_auth_normalize_key(helpers->u.object.keys[i]);
		int r = img_cred_helper_erase(helper, host, where, err);
		if (r < 0)
			return -1;
		erased += r == 0;
	}
	const char *store = json_get_str(v, "credsStore");
	if (!store || !*store)
		return erased;
	free(where);
	where = xasprintf("credsStore of %s", file);
	cleanup_strv char **servers = helper_list(store, where, err);
	if (!servers)
		return -1;
	for (size_t i = 0; servers[i]; i++) {
		/* the server as the helper keeps it: no host-to-URL mapping */
		int r = helper_do(store, "erase", servers[i], servers[i], where, err);
		if (r < 0)
			return -1;
		erased += r == 0;
	}
	return erased;
}
