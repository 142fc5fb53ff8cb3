/* The unit text of `burrow generate systemd` (cmd/systemd.h), laid out as
 * podman's generate systemd lays it out. */
#include "cmd/systemd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/runflags.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

/* systemd kills what is left this long after the stop timeout */
#define UNIT_STOP_SLACK 60

bool cmd_unit_restart_valid(const char *policy)
{
	static const char *const ok[] = {"no",          "on-success", "on-failure", "on-abnormal",
	                                 "on-watchdog", "on-abort",   "always"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(policy, ok[i]) == 0)
			return true;
	return false;
}

/* A control character other than a tab: a newline would end the unit's
 * line, and what follows it would be a directive of its own. */
static bool is_control(unsigned char ch)
{
	return (ch < 0x20 && ch != '\t') || ch == 0x7f;
}

/* The length of the UTF-8 character at s that systemd takes in a unit
 * (its utf8_is_valid: not a noncharacter either), 0 for a byte that it
 * does not: it ignores a whole line that holds one. */
static size_t unit_utf8(const char *s)
{
	uint32_t cp;
	size_t n = str_utf8_seq((const unsigned char *)s, &cp);
	return n && !(cp >= 0xfdd0 && cp <= 0xfdef) && (cp & 0xfffe) != 0xfffe ? n : 0;
}

/* Whether byte p (of a string) goes as C's escape: a control character, or
 * a byte past ASCII of no character systemd takes (n: that character's
 * length, else 1). */
static bool unit_escaped(const char *p, size_t *n)
{
	unsigned char ch = (unsigned char)*p;
	*n = ch < 0x80 ? 1 : unit_utf8(p);
	if (*n == 0) {
		*n = 1;
		return true;
	}
	return ch < 0x80 && is_control(ch);
}

char *cmd_unit_escape(const char *arg)
{
	/* systemd reads a ' anywhere in a word as a quote: inside "" it is one;
	 * an empty argument is "" (written as nothing it would be gone, and
	 * the next one taken for its flag's value); a lone ; too (unquoted it
	 * ends the command and starts another) */
	bool quote = !*arg || strcmp(arg, ";") == 0 || strpbrk(arg, " \t\"'") != NULL;
	size_t len;
	for (const char *p = arg; *p && !quote; p += len)
		quote = unit_escaped(p, &len);
	char *out = xmalloc(strlen(arg) * 4 + 3);
	size_t n = 0;
	if (quote)
		out[n++] = '"';
	for (const char *p = arg; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (unit_escaped(p, &len)) { /* systemd takes C's escapes back */
			n += (size_t)sprintf(out + n, ch == '\n' ? "\\n" : ch == '\r' ? "\\r" : "\\x%02x", ch);
			continue;
		}
		if (len > 1) { /* a character systemd takes */
			memcpy(out + n, p, len);
			n += len;
			p += len - 1;
			continue;
		}
		if (*p == '$' || *p == '%')
			out[n++] = *p;
		else if (*p == '\\' || (quote && *p == '"'))
			out[n++] = '\\';
		out[n++] = *p;
	}
	if (quote)
		out[n++] = '"';
	out[n] = '\0';
	return out;
}

/* podman's formatOptions: each flag on a line of its own. */
static void put_command(FILE *f, char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		if (i && argv[i][0] == '-')
			fputs(" \\\n\t", f);
		else if (i)
			fputc(' ', f);
		fputs(argv[i], f);
	}
	fputc('\n', f);
}

static void put_escaped(struct strv_builder *b, const char *arg)
{
	strv_builder_take(b, cmd_unit_escape(arg));
}

/* Whether flag (an argument before the image) is name or name=VALUE. */
static bool is_flag(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* A short flag cluster (-dit) that holds -d before any flag taking a
 * value. */
static bool cluster_detaches(const char *arg)
{
	if (arg[0] != '-' || arg[1] == '-')
		return false;
	for (const char *p = arg + 1; *p; p++) {
		if (*p == 'd')
			return true;
		if (cmd_run_short_valued((unsigned char)*p)) /* the rest of the cluster is its value */
			return false;
	}
	return false;
}

/* A short flag cluster that ends in -d given a value (-d=false, -id=1,
 * podman's booleans): the cluster without it ("-i"; "-" when it was
 * -d's alone), else NULL. */
static char *cluster_without_detach_value(const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (arg[0] != '-' || arg[1] == '-' || !eq || eq - arg < 2 || eq[-1] != 'd')
		return NULL;
	for (const char *p = arg + 1; p < eq - 1; p++)
		if (cmd_run_short_valued((unsigned char)*p)) /* the rest of the cluster is its value */
			return NULL;
	return xstrndup(arg, (size_t)(eq - 1 - arg));
}

/* those that choose the store: every command of the unit carries them */
static const char *const global_store[] = {"--root", "--runroot"};

static bool in_list(const char *arg, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arg, list[i]) == 0)
			return true;
	return false;
}
#define IN_LIST(arg, list) in_list(arg, list, sizeof(list) / sizeof(list[0]))

/* A store option at argv[i] (--root DIR, --root=DIR) goes into store,
 * with the directory the store is in now (o's root or runroot: absolute,
 * where a create command's relative one meant the directory it was run
 * in, which a unit's command does not run in); how many arguments it
 * took (0: not one). */
static size_t store_flag(char *const *argv, size_t i, size_t end, const struct cmd_unit_opts *o,
                         struct strv_builder *store)
{
	const char *a = argv[i], *eq = strchr(a, '=');
	cleanup_free char *flag = eq ? xstrndup(a, (size_t)(eq - a)) : xstrdup(a);
	if (!IN_LIST(flag, global_store) || (!eq && i + 1 >= end))
		return 0;
	const char *now = strcmp(flag, "--root") == 0 ? o->root : o->runroot;
	strv_builder_add(store, flag);
	put_escaped(store, now ? now : eq ? eq + 1 : argv[i + 1]);
	return eq ? 1 : 2;
}

/* The index of the verb (run, create) of a create command, found by
 * parsing the global options before it (a value named "run" is not it),
 * and its store options, before the verb or among its flags, into store;
 * 0: none. */
static size_t command_verb(char *const *argv, size_t image, const struct cmd_unit_opts *o, struct strv_builder *store)
{
	size_t verb = 0;
	for (size_t i = 1; i < image && !verb; i++) {
		const char *a = argv[i];
		if (strcmp(a, "run") == 0 || strcmp(a, "create") == 0)
			verb = i;
		else if (strcmp(a, "container") == 0)
			continue;
		else if (a[0] != '-')
			return 0;
		else if (store_flag(argv, i, image, o, store) == 2 || cmd_global_takes_value(a))
			i++;
	}
	for (size_t i = verb + 1; verb && i < image; i++) { /* where run's flags are; -e's "--root" is no store's */
		size_t took = store_flag(argv, i, image, o, store);
		i += took ? took - 1 : cmd_run_takes_value(argv[i]);
	}
	return verb;
}

/* Whether the store options have flag (--root, --runroot). */
static bool store_has(char *const *store, const char *flag)
{
	for (size_t i = 0; store && store[i] && store[i + 1]; i += 2)
		if (strcmp(store[i], flag) == 0)
			return true;
	return false;
}

/* The store options the create command lacks (have: its own, as
 * command_verb found them) for a store systemd's environment would not
 * give: --root, --runroot chosen through XDG_DATA_HOME, XDG_RUNTIME_DIR
 * or burrow.conf, which a unit's burrow does not see. */
static void store_missing(const struct cmd_unit_opts *o, char *const *have, struct strv_builder *b)
{
	const char *const flag[] = {"--root", "--runroot"};
	const char *const now[] = {o->root, o->runroot};
	const char *const service[] = {o->service_root, o->service_runroot};
	for (size_t i = 0; i < 2; i++) {
		if (!now[i] || !service[i] || strcmp(now[i], service[i]) == 0 || store_has(have, flag[i]))
			continue;
		strv_builder_add(b, flag[i]);
		put_escaped(b, now[i]);
	}
}

/* An absolute path as systemd reads it back: % doubled (a specifier);
 * in a list (RequiresMountsFor=, split at blanks, quotes taken off) in
 * quotes when it holds a blank or a quote ($ is no variable there), else
 * (PIDFile=, one path taken whole) as it is. NULL: the path is not
 * absolute (a unit runs in no directory of the create's). Caller frees. */
static char *unit_path(const char *path, bool list)
{
	if (!path || path[0] != '/')
		return NULL;
	bool quote = list && strpbrk(path, " \t\"'") != NULL;
	char *out = xmalloc(strlen(path) * 2 + 3), *q = out;
	if (quote)
		*q++ = '"';
	for (const char *p = path; *p; p++) {
		if (*p == '%' || (quote && (*p == '"' || *p == '\\')))
			*q++ = *p == '%' ? '%' : '\\';
		*q++ = *p;
	}
	if (quote)
		*q++ = '"';
	*q = '\0';
	return out;
}

/* RequiresMountsFor=: the run root the unit's commands use (store: their
 * store options) and the storage root when they name one. A --new unit
 * without --runroot runs on the service's own, %t/burrow (podman's
 * %t/containers: the unit works for any user); one that names another
 * needs that one mounted, as a unit that starts the container (podman's
 * runroot there). The storage root of a store the commands name is a
 * fixed path already: it goes too (podman gave up the graph root only
 * because its default differs between users). */
static void put_mounts(FILE *f, const struct cmd_unit_opts *o, char *const *store)
{
	cleanup_free char *run =
	    o->new_unit && !store_has(store, "--runroot") ? xstrdup("%t/burrow") : unit_path(o->runroot, true);
	cleanup_free char *root = store_has(store, "--root") ? unit_path(o->root, true) : NULL;
	if (!run && !root)
		return;
	fprintf(f, "RequiresMountsFor=%s%s%s\n", run ? run : "", run && root ? " " : "", root ? root : "");
}

/* podman's formatOptions for a command's start: " \\\n\t--root DIR". */
static char *store_text(char *const *store)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	for (size_t i = 0; store && store[i]; i++)
		fprintf(f, "%s%s", store[i][0] == '-' ? " \\\n\t" : " ", store[i]);
	fclose(f);
	return text;
}

/* The --new unit's command: the container's create command as run
 * --rm -d (a --detach=false dropped), with --sdnotify=conmon unless it chose another mode (ignore
 * becomes conmon: a Type=notify unit waits for READY), without --restart
 * (systemd restarts it) and --preserve-fds, named (--name %N when it had no name: stop and rm
 * find it by it). *name: how ExecStop names it. */
static int new_command(const struct ctr_config *c, const struct cmd_unit_opts *o, struct strv_builder *b, char **name,
                       struct burrow_err **err)
{
	char **argv = c->create_command;
	size_t n = strv_len(argv);
	size_t image = (size_t)c->create_image_at;
	struct strv_builder store = {0};
	size_t verb = image < n ? command_verb(argv, image, o, &store) : 0;
	if (!verb || image <= verb || image >= n) {
		strv_free(store.v);
		return burrow_error(err, EINVAL,
		                    "cannot use --new on container '%s': no create command stored (made by an "
		                    "older burrow)",
		                    str_quote(c->name));
	}
	put_escaped(b, o->exe);
	store_missing(o, store.v, b);
	strv_free(store.v);
	for (size_t i = 1; i < verb; i++) { /* global flags (--root: the store's now), 'container' */
		size_t took = store_flag(argv, i, verb, o, b);
		if (took)
			i += took - 1;
		else
			put_escaped(b, argv[i]);
	}
	strv_builder_add(b, "run");
	strv_builder_add(b, "--rm");
	struct strv_builder rest = {0};
	bool detach = false, sdnotify = false;
	const char *named = NULL;
	for (size_t i = verb + 1; i < image; i++) {
		/* a flag as getopt_long took it (--rest=no is --restart=no) */
		cleanup_free char *whole = cmd_run_flag_whole(argv[i]);
		const char *a = whole ? whole : argv[i];
		bool joined = strchr(a, '=') != NULL;
		if (is_flag(a, "--rm"))
			continue;
		size_t took = store_flag(argv, i, image, o, &rest);
		if (took) {
			i += took - 1;
			continue;
		}
		/* --detach=BOOL, -d=BOOL, -id=BOOL (podman's): the -d in front wins */
		if (strncmp(a, "--detach=", 9) == 0)
			continue;
		cleanup_free char *cluster = cluster_without_detach_value(a);
		if (cluster) {
			if (cluster[1])
				put_escaped(&rest, cluster);
			continue;
		}
		/* --preserve-fds N: systemd hands the unit no fd past stderr,
		 * so the run would fail on fd 3 at every start (podman 4.3 keeps
		 * it) */
		if (is_flag(a, "--restart") || is_flag(a, "--preserve-fds")) {
			i += !joined;
			continue;
		}
		if (is_flag(a, "--sdnotify")) {
			const char *v = joined ? strchr(a, '=') + 1 : i + 1 < image ? argv[i + 1] : "";
			i += !joined;
			if (strcmp(v, "ignore") == 0)
				continue;
			sdnotify = true;
			strv_builder_take(&rest, xasprintf("--sdnotify=%s", v));
			continue;
		}
		if (strcmp(a, "-d") == 0 || strcmp(a, "--detach") == 0 || cluster_detaches(a))
			detach = true;
		if (is_flag(a, "--name"))
			named = joined ? strchr(a, '=') + 1 : i + 1 < image ? argv[i + 1] : NULL;
		put_escaped(&rest, a);
		/* its value, whatever it looks like (-e -d=1), as it was */
		if (cmd_run_takes_value(a) && i + 1 < image)
			put_escaped(&rest, argv[++i]);
	}
	if (!sdnotify)
		strv_builder_add(b, "--sdnotify=conmon");
	if (!detach)
		strv_builder_add(b, "-d");
	if (!named) {
		strv_builder_add(b, "--name");
		strv_builder_add(b, "%N");
	}
	strv_builder_extend(b, rest.v);
	strv_free(rest.v);
	for (size_t i = image; i < n; i++)
		put_escaped(b, argv[i]);
	*name = named ? cmd_unit_escape(named) : xstrdup("%N");
	return 0;
}

static void put_deps(FILE *f, const char *key, char *const *v)
{
	if (!v || !v[0])
		return;
	fprintf(f, "%s=", key);
	for (size_t i = 0; v[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", v[i]);
	fputc('\n', f);
}

char *cmd_unit_generate(const struct ctr_config *c, const struct cmd_unit_opts *o, char **service,
                        struct burrow_err **err)
{
	const char *ref = o->use_name ? c->name : c->id;
	int timeout = o->stop_timeout >= 0 ? o->stop_timeout : c->stop_timeout;
	cleanup_free char *svc =
	    xasprintf("%s%s%s", o->prefix ? o->prefix : "container", o->separator ? o->separator : "-", ref);
	struct strv_builder start = {0};
	cleanup_free char *name = NULL;
	if (o->new_unit && new_command(c, o, &start, &name, err) < 0) {
		strv_free(start.v);
		return NULL;
	}
	cleanup_free char *exe = cmd_unit_escape(o->exe);
	/* the store the container is in, for each command (the create
	 * command's --root, --runroot, and those systemd's environment would
	 * not give) */
	struct strv_builder store = {0};
	size_t image = (size_t)c->create_image_at;
	if (image < strv_len(c->create_command))
		command_verb(c->create_command, image, o, &store);
	struct strv_builder missing = {0};
	store_missing(o, store.v, &missing);
	strv_builder_extend(&store, missing.v);
	strv_free(missing.v);
	/* the paths written as they are (PIDFile=, RequiresMountsFor=):
	 * systemd takes no escape there, and a newline would end the line */
	const char *const paths[] = {o->new_unit ? NULL : o->pidfile,
	                             o->new_unit && !store_has(store.v, "--runroot") ? NULL : o->runroot,
	                             store_has(store.v, "--root") ? o->root : NULL};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		for (const char *p = paths[i]; p && *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				burrow_error(err, EINVAL,
				             "cannot write '%s' in a unit: systemd reads no control character there",
				             str_quote(paths[i]));
				strv_free(store.v);
				strv_free(start.v);
				return NULL;
			}
	cleanup_free char *in_store = store_text(store.v);
	if (!o->new_unit) {
		name = xstrdup(ref);
		strv_builder_add(&start, exe);
		strv_builder_extend(&start, store.v);
		strv_builder_add(&start, "start");
		strv_builder_add(&start, ref);
	}
	/* the restart policy: asked, else the container's own with --new
	 * (systemd restarts it: the command lost its --restart) */
	const char *restart = o->restart_policy ? o->restart_policy : "on-failure";
	int burst = 0;
	if (!o->restart_policy && o->new_unit && c->restart_policy) {
		restart = strcmp(c->restart_policy, "unless-stopped") == 0 ? "always" : c->restart_policy;
		if (strcmp(restart, "on-failure") == 0)
			burst = c->restart_max;
	}

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	fprintf(f, "# %s.service\n", svc);
	if (!o->no_header) {
		fprintf(f, "# autogenerated by burrow %s\n", o->version);
		if (o->now) {
			char when[64];
			time_t t = (time_t)o->now;
			struct tm tm;
			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Z %Y", &tm);
			fprintf(f, "# %s\n", when);
		}
	}
	fprintf(f, "\n[Unit]\nDescription=burrow %s.service\nDocumentation=man:burrow-generate(1)\n", svc);
	fputs("Wants=network-online.target\nAfter=network-online.target\n", f);
	put_mounts(f, o, store.v);
	strv_free(store.v);
	if ((o->wants && o->wants[0]) || (o->after && o->after[0]) || (o->requires && o->requires[0]))
		fputs("\n# User-defined dependencies\n", f);
	put_deps(f, "Wants", o->wants);
	put_deps(f, "After", o->after);
	put_deps(f, "Requires", o->requires);

	fprintf(f, "\n[Service]\nEnvironment=PODMAN_SYSTEMD_UNIT=%%n\nRestart=%s\n", restart);
	if (o->restart_sec > 0)
		fprintf(f, "RestartSec=%d\n", o->restart_sec);
	if (burst > 0)
		fprintf(f, "StartLimitBurst=%d\n", burst);
	if (o->start_timeout > 0)
		fprintf(f, "TimeoutStartSec=%d\n", o->start_timeout);
	fprintf(f, "TimeoutStopSec=%d\n", UNIT_STOP_SLACK + timeout);
	if (o->new_unit) {
		/* a container of that name left by a crash goes first (podman's
		 * --replace) */
		fprintf(f, "ExecStartPre=-%s%s rm \\\n\t-f \\\n\t--ignore %s\n", exe, in_store, name);
	}
	fputs("ExecStart=", f);
	put_command(f, start.v);
	strv_free(start.v);
	fprintf(f, "ExecStop=%s%s stop \\\n\t%s-t %d %s\n", exe, in_store, o->new_unit ? "--ignore \\\n\t" : "",
	        timeout, name);
	if (o->new_unit)
		fprintf(f, "ExecStopPost=%s%s rm \\\n\t-f \\\n\t--ignore \\\n\t-t %d %s\n", exe, in_store, timeout,
		        name);
	else
		fprintf(f, "ExecStopPost=%s%s stop \\\n\t-t %d %s\n", exe, in_store, timeout, name);
	if (o->new_unit)
		fputs("Type=notify\nNotifyAccess=all\n", f);
	else {
		cleanup_free char *pidfile = unit_path(o->pidfile, false);
		fprintf(f, "PIDFile=%s\nType=forking\n", pidfile ? pidfile : o->pidfile);
	}
	fputs("\n[Install]\nWantedBy=default.target\n", f);
	fclose(f);
	*service = steal_ptr(svc);
	return text;
}
