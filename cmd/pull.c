/* burrow pull [OPTIONS] IMAGE...; the pull flags run shares; the progress
 * display (one line per layer, redrawn in place on a terminal; plain lines
 * otherwise). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/prompt.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "state/events.h"

/* --- progress ------------------------------------------------------------------ */

struct cmd_pull_view {
	bool tty;
	size_t drawn;       /* lines of the layer block on the screen */
	size_t n;           /* layers known */
	bool *said;         /* plain output: the layer's final line is printed */
	long long *last;    /* bytes at the last report, for the rate */
	double *rate;       /* bytes/s, smoothed */
	struct timespec at; /* time of the last report */
};

static void view_reset(struct cmd_pull_view *v, size_t n)
{
	free(v->said);
	free(v->last);
	free(v->rate);
	v->n = n;
	v->drawn = 0;
	v->said = xcalloc(n ? n : 1, sizeof(bool));
	v->last = xcalloc(n ? n : 1, sizeof(long long));
	v->rate = xcalloc(n ? n : 1, sizeof(double));
	clock_gettime(CLOCK_MONOTONIC, &v->at);
}

static void view_free(struct cmd_pull_view *v)
{
	if (!v)
		return;
	free(v->said);
	free(v->last);
	free(v->rate);
	free(v);
}

/* "12.3MB / 45.6MB" */
static void layer_line(const struct img_progress_layer *l, double rate, bool tty, char *buf, size_t len)
{
	char d[32], t[32], r[32];
	const char *hex = l->digest + 7;
	switch (l->state) {
	case IMG_LAYER_EXISTS:
		snprintf(buf, len, "Copying blob %.12s skipped: already exists", hex);
		return;
	case IMG_LAYER_DONE:
		snprintf(buf, len, "Copying blob %.12s done", hex);
		return;
	case IMG_LAYER_QUEUED:
		snprintf(buf, len, "Copying blob %.12s waiting", hex);
		return;
	case IMG_LAYER_WAITING:
		snprintf(buf, len, "Copying blob %.12s waiting for another burrow", hex);
		return;
	case IMG_LAYER_FETCHING:
		break;
	}
	fmt_size(l->done, d, sizeof(d));
	fmt_size(l->total, t, sizeof(t));
	fmt_size((long long)rate, r, sizeof(r));
	if (!tty) {
		snprintf(buf, len, "Copying blob %.12s %s / %s", hex, d, t);
		return;
	}
	char bar[31];
	int fill = l->total > 0 ? (int)(30.0 * (double)l->done / (double)l->total) : 0;
	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
	bar[30] = '\0';
	snprintf(buf, len, "Copying blob %.12s [%s] %s / %s %s/s", hex, bar, d, t, r);
}

static void show_layers(struct cmd_pull_view *v, const struct img_progress *p, bool end)
{
	bool first = v->n != p->nlayers || !v->said;
	if (first)
		view_reset(v, p->nlayers);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double dt = (double)(now.tv_sec - v->at.tv_sec) + (double)(now.tv_nsec - v->at.tv_nsec) / 1e9;
	if (first || dt < 0.05)
		dt = 0; /* too soon to tell a rate */
	else
		v->at = now;
	if (v->tty && v->drawn)
		fprintf(stderr, "\033[%zuA", v->drawn);
	for (size_t i = 0; i < p->nlayers; i++) {
		const struct img_progress_layer *l = &p->layers[i];
		if (dt > 0) {
			double inst = (double)(l->done - v->last[i]) / dt;
			v->rate[i] = v->rate[i] ? 0.7 * v->rate[i] + 0.3 * inst : inst;
			v->last[i] = l->done;
		} else if (first) {
			v->last[i] = l->done;
		}
		char line[160];
		layer_line(l, v->rate[i], v->tty, line, sizeof(line));
		if (v->tty) {
			fprintf(stderr, "\r\033[K%s\n", line);
		} else if (!v->said[i] && (l->state == IMG_LAYER_DONE || l->state == IMG_LAYER_EXISTS || end)) {
			fprintf(stderr, "%s\n", line);
			v->said[i] = true;
		}
	}
	if (v->tty)
		v->drawn = p->nlayers;
	fflush(stderr);
}

static void on_progress(const struct img_progress *p, void *data)
{
	struct cmd_pull_view *v = data;
	switch (p->kind) {
	case IMG_PROGRESS_NOTE:
		fprintf(stderr, "%s\n", p->note);
		v->drawn = 0; /* the block above is left as it is */
		break;
	case IMG_PROGRESS_LAYERS:
	case IMG_PROGRESS_LAYERS_END:
		show_layers(v, p, p->kind == IMG_PROGRESS_LAYERS_END);
		if (p->kind == IMG_PROGRESS_LAYERS_END) {
			/* the block is finished: a next one (push sends blob
			 * after blob) starts anew below it */
			v->drawn = 0;
			free(v->said);
			v->said = NULL;
		}
		break;
	}
}

/* --- the flags pull and run share ----------------------------------------------------- */

/* Go-style durations as podman takes them: 500ms, 2s, 1.5m, 1h. */
static int parse_duration_ms(const char *s, unsigned *ms)
{
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	double mult = strcmp(end, "ms") == 0           ? 1
	              : strcmp(end, "s") == 0 || !*end ? 1000
	              : strcmp(end, "m") == 0          ? 60000
	              : strcmp(end, "h") == 0          ? 3600000
	                                               : -1;
	if (mult < 0 || v * mult > 3600000)
		return -1;
	*ms = (unsigned)(v * mult);
	if (*ms == 0 && v > 0)
		*ms = 1;
	return 0;
}

void cmd_pull_init(struct cmd_pull *p)
{
	memset(p, 0, sizeof(*p));
	p->o.tls_verify = -1;
	p->o.retries = -1;
}

int cmd_pull_option(struct cmd_ctx *ctx, int c, const char *arg, struct cmd_pull *p)
{
	switch (c) {
	case CMD_PULL_PLATFORM:
		p->o.platform = arg;
		return 1;
	case CMD_PULL_OS:
		p->o.os = arg;
		return 1;
	case CMD_PULL_ARCH:
		p->o.arch = arg;
		return 1;
	case CMD_PULL_VARIANT:
		p->o.variant = arg;
		return 1;
	case CMD_PULL_AUTHFILE:
		p->o.authfile = arg;
		return 1;
	case CMD_PULL_CERT_DIR:
		p->o.cert_dir = arg;
		return 1;
	case CMD_PULL_CREDS: {
		if (!*arg || *arg == ':') {
			cmd_usage_error(ctx, "--creds needs USER[:PASSWORD]");
			return -1;
		}
		free(p->user);
		free(p->pass);
		const char *colon = strchr(arg, ':');
		p->user = colon ? xstrndup(arg, (size_t)(colon - arg)) : xstrdup(arg);
		p->pass = colon ? xstrdup(colon + 1) : NULL;
		return 1;
	}
	case CMD_PULL_TLS_VERIFY:
		p->o.tls_verify = ctx->flag_on ? 1 : 0;
		return 1;
	case CMD_PULL_RETRY: {
		long long n;
		if (str_to_ll(arg, 0, 100, &n) < 0) {
			cmd_usage_error(ctx, "invalid --retry '%s' (0 to 100)", str_quote(arg));
			return -1;
		}
		p->o.retries = (int)n;
		return 1;
	}
	case CMD_PULL_RETRY_DELAY:
		if (parse_duration_ms(arg, &p->o.retry_delay_ms) < 0) {
			cmd_usage_error(ctx, "invalid --retry-delay '%s' (e.g. 500ms, 2s; at most 1h)", str_quote(arg));
			return -1;
		}
		return 1;
	}
	return 0;
}

int cmd_pull_check(struct cmd_ctx *ctx, struct cmd_pull *p, const char *ref)
{
	(void)ctx;
	if (p->o.platform && (p->o.os || p->o.arch || p->o.variant))
		return cmd_usage_error(ctx, "--platform cannot be combined with --os, --arch or --variant");
	p->o.reference = ref;
	struct burrow_err *err = NULL;
	if (img_pull_check(&p->o, &err) < 0)
		return cmd_fail(err);
	return 0;
}

int cmd_pull_ready(struct cmd_ctx *ctx, struct cmd_pull *p, struct burrow_err **err)
{
	if (p->user && !p->pass) {
		cleanup_free char *prompt = xasprintf("Password for %s: ", p->user);
		if (!(p->pass = prompt_line(prompt, true, err)))
			return burrow_error_hint(err, "give it with --creds USER:PASSWORD");
	}
	p->o.user = p->user;
	p->o.pass = p->pass;
	p->o.insecure = ctx->settings.insecure;
	p->o.timeout_s = ctx->settings.registry_timeout;
	if (!p->quiet) {
		p->view = xcalloc(1, sizeof(*p->view));
		p->view->tty = isatty(STDERR_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
		p->o.progress = on_progress;
		p->o.progress_data = p->view;
	}
	return 0;
}

int cmd_pull_image(struct cmd_pull *p, struct state_store *s, const char *ref, char **id, char **name,
                   struct burrow_err **err)
{
	p->o.reference = ref;
	int rc = img_pull(s, &p->o, id, name, err);
	if (rc == 0)
		state_event_obj(s, "image", "pull", *id, name && *name ? *name : ref);
	return rc;
}

void cmd_pull_clear(struct cmd_pull *p)
{
	free(p->user);
	if (p->pass) {
		explicit_bzero(p->pass, strlen(p->pass));
		free(p->pass);
	}
	view_free(p->view);
	memset(p, 0, sizeof(*p));
}

/* --- burrow pull ------------------------------------------------------------------ */

/* What 'burrow pull --help' prints after "Usage: burrow ": keep it in step
 * with the options below and CMD_PULL_LONGOPTS. */
const char cmd_pull_usage[] = "pull [OPTIONS] IMAGE [IMAGE...]\n\n"
                              "Fetches images from a registry (OCI distribution / Docker registry v2).\n"
                              "A short name (debian) is resolved as registries.conf says (docker.io\n"
                              "when it says nothing). Prints each image's ID. IMAGE may also be\n"
                              "oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF] or dir:DIR.\n\n"
                              "  -a, --all-tags              pull every tag the registry lists for IMAGE's repository\n"
                              "                              (a tag or digest given is left aside)\n"
                              "  -q, --quiet                 print only the image ID\n"
                              "      --platform OS/ARCH[/V]  the platform to pick from a multi-platform image\n"
                              "      --os OS, --arch ARCH, --variant V   the same, one part at a time\n"
                              "      --tls-verify            require HTTPS and a trusted certificate (default: as\n"
                              "                              registries.conf and burrow.conf say)\n"
                              "      --creds USER[:PASS]     credentials for the registry\n"
                              "      --authfile FILE         auth.json to read (default: the usual ones)\n"
                              "      --cert-dir DIR          certificates (*.crt, *.cert, *.key) to use\n"
                              "      --retry N               attempts after a transient failure (default 3)\n"
                              "      --retry-delay DURATION  delay between them (default 2s, doubling)\n";

/* -a: the image ID of each tag pulled (those before a failure too) */
static int pull_all_tags(struct cmd_pull *p, struct state_store *s, const char *ref, struct burrow_err **err)
{
	p->o.reference = ref;
	cleanup_strv char **ids = NULL, **names = NULL;
	int rc = img_pull_all_tags(s, &p->o, &ids, &names, err);
	for (size_t i = 0; ids && ids[i]; i++) {
		state_event_obj(s, "image", "pull", ids[i], names[i]);
		printf("%s\n", ids[i]);
	}
	fflush(stdout);
	return rc;
}

int cmd_pull(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"all-tags", no_argument, NULL, 'a'},
	    CMD_PULL_LONGOPTS,
	    {0, 0, 0, 0},
	};
	struct cmd_pull p;
	cmd_pull_init(&p);
	int c, rc = EXIT_BURROW;
	bool all_tags = false;
	while ((c = cmd_getopt(ctx, argc, argv, "qa", longopts)) != -1) {
		if (c == 'q') {
			p.quiet = ctx->flag_on;
			continue;
		}
		if (c == 'a') {
			all_tags = ctx->flag_on;
			continue;
		}
		if (c == CMD_OPT_HELP) {
			rc = 0;
			goto out;
		}
		int h = cmd_pull_option(ctx, c, optarg, &p);
		if (h <= 0)
			goto out;
	}
	if (optind >= argc) {
		cmd_usage_error(ctx, "missing image (see 'burrow pull --help')");
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (cmd_pull_check(ctx, &p, argv[i]) != 0)
			goto out;

	struct burrow_err *err = NULL;
	if (cmd_ready(ctx, &err) < 0 || cmd_pull_ready(ctx, &p, &err) < 0) {
		rc = cmd_fail(err);
		goto out;
	}
	for (int i = optind; i < argc && all_tags; i++) {
		if (pull_all_tags(&p, ctx->state, argv[i], &err) < 0) {
			rc = cmd_fail(err);
			goto out;
		}
	}
	for (int i = optind; i < argc && !all_tags; i++) {
		cleanup_free char *id = NULL;
		if (cmd_pull_image(&p, ctx->state, argv[i], &id, NULL, &err) < 0) {
			rc = cmd_fail(err);
			goto out;
		}
		printf("%s\n", id);
		fflush(stdout);
	}
	rc = 0;
out:
	cmd_pull_clear(&p);
	return rc;
}
