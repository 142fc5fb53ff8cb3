/* --format templates: the subset of Go's text/template that podman users
 * write, evaluated over JSON trees (yajl_val). Pure: no I/O.
 *
 * Syntax: literal text and {{actions}} with Go's trim markers ({{- and -}})
 * and comments (a C-style comment right inside the braces). An action is a
 * pipeline of commands joined by '|' (the value of one is the last argument
 * of the next), optionally declaring or assigning a variable ({{$x := .A}},
 * {{$x = .B}}). Operands: . (dot), fields and chains (.State.Status,
 * $x.Name, (index .L 0).Name), variables ($ is the data the template
 * started with), "strings" and `raw strings`, numbers, 'c' characters,
 * true, false, nil, (pipelines).
 * Control: {{if P}}…{{else if P}}…{{else}}…{{end}}, {{with P}}…{{else}}…{{end}},
 * {{range P}}…{{else}}…{{end}} with {{range $i, $e := P}}.
 * Functions: and or not eq ne lt le gt ge len index print printf println,
 * and podman's json lower upper title join split truncate pad.
 * In literal text the two-character escapes \t and \n stand for a tab and a
 * newline, as podman's --format accepts them.
 *
 * Objects are structs or maps, as the builders made them (json_is_map). A
 * field a struct lacks is an error, as Go's, and so are index and range
 * of a struct; a key missing from a map (or a nil map) is Go's invalid
 * value, and so is any field of it: an action prints it "<no value>", if
 * and with take it as false, eq as equal to nothing else; functions take
 * it as Go hands it to theirs (podman's string functions refuse it, printf
 * sees nil). Map keys are matched exactly (fold_case is for struct
 * fields). Functions check their arguments' types as Go does (upper takes
 * a string, eq two values of one kind). Differences from Go, on purpose:
 * join takes its list and separator in either order (so {{.Names | join
 * ","}} works) and a single string as its list, truncate its string and
 * length in either order. Values print as Go prints the types podman
 * uses: strings bare, numbers as Go's %v, true/false, null as <nil>, lists
 * as [a b c], maps as map[k:v ...] with sorted keys, structs as {v v ...}
 * (their values in order). Errors are Go's
 * (tmpl_error in internal.h). */
#ifndef BURROW_CMD_TEMPLATE_H
#define BURROW_CMD_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "cmd/format.h"
#include "lib/err.h"

struct fmt_template;

enum {
	/* podman's "table" formats: text starts with "table " (skipped), and
	 * spaces in its literal text separate columns (they become tabs for
	 * the table writer) */
	FMT_TMPL_TABLE = 1 << 0,
	/* end with a newline unless the text already does (podman's
	 * NormalizeFormat; a trailing -}} still trims it) */
	FMT_TMPL_NEWLINE = 1 << 1,
};

/* Parses text; NULL and *err ("1:7: unclosed action") on a syntax error,
 * an undefined function or variable. Positions are line:column (bytes) of
 * text. */
struct fmt_template *fmt_template_parse(const char *text, unsigned flags, struct burrow_err **err);
void fmt_template_free(struct fmt_template *t);

/* One object as the template sees it: fields are looked up in overlay
 * first (values the verb computes for templates, e.g. ps's short .ID and
 * .Names as one string, as podman's templates show them), then in base
 * (the object as --format json prints it). {{json .}} and {{.}} show base.
 * overlay may be NULL. */
struct fmt_item {
	yajl_val base;
	yajl_val overlay;
};

/* A column header for a field, e.g. {"ID", "CONTAINER ID"}. A field path
 * not listed ("State.Status" or "Status") gets its last name split at case
 * changes and upper-cased: .CreatedAt -> CREATED AT. */
struct fmt_header {
	const char *field;
	const char *header;
};

enum fmt_data_kind {
	FMT_DATA_ITEM,   /* dot is items[0] */
	FMT_DATA_ITEMS,  /* dot is the list items[0..n) ({{range .}} over it) */
	FMT_DATA_HEADER, /* the header row: every field evaluates to its header */
};

struct fmt_data {
	enum fmt_data_kind kind;
	const struct fmt_item *items;
	size_t n;
	const struct fmt_header *headers; /* FMT_DATA_HEADER; ends with field NULL */
	/* a field also matches a key that differs only in case and underscores
	 * (info: podman's templates use Go's names, .Host.Kernel and
	 * .HostID, its JSON host.kernel and host_id) */
	bool fold_case;
	/* for errors, as podman's: the template's name (the verb, "ps"), how
	 * many bytes podman puts before the text on its first line (11 for
	 * the "{{range .}}" it wraps a list's template in), the Go type of an
	 * item and of the structs in its fields (types: {"State",
	 * "*define.InspectContainerState"}, ends with field NULL); NULL:
	 * "template", "struct" */
	const char *name;
	unsigned offset;
	const char *type;
	const struct fmt_header *types;
	/* fields of an item whose overlay value is for printing and fields
	 * only: json writes the base's (ps's .Namespaces: Go's field names
	 * MNT, PIDNS to a template, podman's JSON keys Mnt, Pidns to json);
	 * ends with NULL */
	const char *const *json_base;
};

/* Runs t over d, appending to out. On an error (unknown field, a function
 * given the wrong values, range over a scalar ...) returns -1 with *err in
 * Go's words ('template: ps:1:13: executing "ps" at <.Foo>: can't
 * evaluate field Foo in type containers.psReporter'); out may then hold
 * partial output. */
int fmt_template_exec(const struct fmt_template *t, const struct fmt_data *d, struct fmt_buf *out,
                      struct burrow_err **err);

/* The header for a field path ("State.Status"), from hdrs or derived. */
char *fmt_header_for(const struct fmt_header *hdrs, const char *path);

#endif
