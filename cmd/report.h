/* Output of the verbs that list or describe things (ps, images, info; later
 * inspect, volume ls, events ...): one JSON tree per object drives the
 * JSON, the templates and the tables, as podman's --format does it
 * (containers/common pkg/report):
 *   --format json (or {{json}})   the objects as a JSON array (one object
 *                                 for a single-object verb); --format ''
 *                                 too where the verb says so (empty_json)
 *   --format 'table TEMPLATE'     a header row, then TEMPLATE for each
 *                                 object, aligned in columns (spaces and
 *                                 \t in the literal text separate columns)
 *   --format TEMPLATE             TEMPLATE for each object, no header, a
 *                                 newline after each unless it ends in one;
 *                                 one containing {{range .}}...{{end}} runs
 *                                 once over the list instead
 *   no --format                   the verb's own table (its default_format)
 * The verbs know their fields; this knows none. */
#ifndef BURROW_CMD_REPORT_H
#define BURROW_CMD_REPORT_H

#include <stdbool.h>

#include "cmd/template.h"
#include "lib/err.h"

enum fmt_report_out {
	FMT_OUT_JSON,
	FMT_OUT_TABLE,
	FMT_OUT_TEMPLATE,
};

struct fmt_report {
	/* from the verb */
	const char *verb;                 /* for messages */
	const char *format;               /* --format, NULL when not given */
	const char *default_format;       /* the default table's row (NULL: no default table) */
	const struct fmt_header *headers; /* column headers for its fields */
	bool noheading;                   /* --noheading */
	bool single;                      /* one object (info): no implicit range */
	bool empty_json;                  /* --format '' is json (podman's inspect, volume and image inspect) */
	bool fold_case;                   /* see fmt_data */
	const char *json_indent;          /* --format json indentation (podman: "  " or "    ") */
	bool no_html_escape;              /* --format json keeps <, > and & (podman's inspect); else
	                                   * \u003c, \u003e, \u0026, as Go's json.Marshal */
	/* podman's Go types, for template errors ("can't evaluate field Foo
	 * in type containers.psReporter"): of an object, and of the structs
	 * in its fields ({"State", "*define.InspectContainerState"}) */
	const char *go_type;
	const struct fmt_header *go_types;
	const char *const *json_base; /* see fmt_data */
	/* set by fmt_report_parse */
	enum fmt_report_out out;
	bool whole_list; /* the template ranges over the list itself */
	struct fmt_template *tmpl;
};

/* podman's report.IsJSON: "json", "{{json}}", "{{ json. }}", "{{json .}}"
 * (podman 4.3 prints the list as JSON for all of them). */
bool fmt_report_is_json(const char *format);

/* Decides the output and parses the template: call it before anything is
 * done, so that a bad --format writes nothing. *err: "ps: --format: 1:7:
 * unclosed action". */
int fmt_report_parse(struct fmt_report *r, struct burrow_err **err);

/* Prints the objects to stdout: all of the output, or nothing and *err
 * ('template: ps:1:13: executing "ps" at <.Foo>: can't evaluate field Foo
 * in type containers.psReporter', Go's words as podman prints them). */
int fmt_report_print(const struct fmt_report *r, const struct fmt_item *items, size_t n, struct burrow_err **err);

/* Objects made on demand: make fills item i, drop frees it. For JSON and
 * for a template over the whole list all are made first; otherwise each is
 * made, rendered and dropped before the next, so a listing of thousands
 * holds one tree at a time. */
struct fmt_items {
	size_t n;
	void (*make)(void *ctx, size_t i, bool overlay, struct fmt_item *out);
	void (*drop)(void *ctx, size_t i, struct fmt_item *item);
	void *ctx;
};
int fmt_report_print_items(const struct fmt_report *r, const struct fmt_items *src, struct burrow_err **err);

/* Renders into out instead of printing (for tests and callers that embed
 * the output). */
int fmt_report_render(const struct fmt_report *r, const struct fmt_item *items, size_t n, struct fmt_buf *out,
                      struct burrow_err **err);

void fmt_report_clear(struct fmt_report *r);

/* The inspect verbs: the object each of names[0..n) names, made by get (0
 * and its tree, or -1 and *err), all printed as r says (the JSON array
 * even when none was found); each failure said on a line of its own, one
 * that is not there (status ENOENT) as podman's "no such WHAT: 'NAME'"
 * when what is set. 0, or -1 when any failed or the printing did. */
typedef int (*fmt_get_fn)(void *ctx, const char *name, yajl_val *out, struct burrow_err **err);
int fmt_report_named(const struct fmt_report *r, char *const *names, size_t n, const char *what, fmt_get_fn get,
                     void *ctx);

#endif
