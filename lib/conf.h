/* A small parser for burrow.conf: a TOML subset of "[section]" headers and
 * "key = value" lines, value a "double-quoted string" (\" and \\ escape)
 * or a bare word; '#' starts a comment. Policy (which keys exist) is the
 * caller's. */
#ifndef BURROW_LIB_CONF_H
#define BURROW_LIB_CONF_H

#include "lib/err.h"

/* Called for each setting; returns 0 or -1 (with *err). line is 1-based. */
typedef int (*conf_fn)(const char *section, const char *key, const char *value, unsigned line, void *data,
                       struct burrow_err **err);

/* $XDG_CONFIG_HOME/NAME, else ~/.config/NAME; NULL without a home
 * directory. */
char *conf_user_path(const char *name);

/* The regular files of dir whose names end in suffix (".conf"), not
 * hidden, as full paths in alphanumerical order: a drop-in directory
 * (registries.conf.d, containers.conf.d). A missing dir: none. Never NULL. */
char **conf_dir_files(const char *dir, const char *suffix);

/* Parses text; a syntax error names the line. */
int conf_parse(const char *text, conf_fn fn, void *data, struct burrow_err **err);

#endif
