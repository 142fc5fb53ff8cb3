/* LD_PRELOAD for tools/doccheck.sh: prints the long options a verb accepts.
 * A verb parses its flags with cmd_getopt, which hands getopt_long the
 * verb's table with "help" added: on the first such call with options of
 * its own this prints "opt NAME HAS_ARG" for each and "short C HAS_ARG" for
 * each short option, and exits 0 before the verb does
 * anything. Other calls go through: main's global options (no such "help"),
 * and a family's own (burrow system's, only "help") before its subcommand's.
 * The global options cmd_getopt adds to each table are not the verb's:
 * neither counted nor printed for it.
 * With DOCCHECK_GLOBAL set, the first call's table is printed: main's. */
#include <dlfcn.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD_HELP_VAL 0x100 /* cmd_getopt's "help" (cmd/main.c): doccheck.sh fails without it */
/* the global options cmd_getopt adds to every table (CMD_OPT_GLOBAL in
 * cmd/cmd.h): burrow(1)'s, not the verb's */
#define CMD_GLOBAL_VAL 0x2000
#define CMD_GLOBAL_END 0x2100

static bool global(const struct option *o)
{
	return o->val >= CMD_GLOBAL_VAL && o->val < CMD_GLOBAL_END;
}

typedef int (*getopt_long_fn)(int, char *const *, const char *, const struct option *, int *);

int getopt_long(int argc, char *const *argv, const char *shortopts, const struct option *longopts, int *idx)
{
	size_t n = 0;
	bool cmd = false;
	for (const struct option *o = longopts; o && o->name; o++) {
		if (strcmp(o->name, "help") == 0 && o->val == CMD_HELP_VAL)
			cmd = true;
		n += !global(o);
	}
	if ((cmd && n > 1) || getenv("DOCCHECK_GLOBAL")) {
		for (const struct option *o = longopts; o->name; o++)
			if (o->val != CMD_HELP_VAL && (!cmd || !global(o)))
				printf("opt %s %d\n", o->name, o->has_arg);
		for (const char *p = shortopts; p && *p; p++)
			if (*p != '+' && *p != ':' && *p != '-')
				printf("short %c %d\n", *p, p[1] == ':');
		fflush(stdout);
		_exit(0);
	}
	getopt_long_fn next = (getopt_long_fn)dlsym(RTLD_NEXT, "getopt_long");
	return next ? next(argc, argv, shortopts, longopts, idx) : -1;
}
