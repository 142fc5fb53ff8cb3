/* NULL-terminated string vectors. */
#ifndef BURROW_LIB_STRV_H
#define BURROW_LIB_STRV_H

#include <stddef.h>

size_t strv_len(char *const *v);
/* Appends a copy of s; *v may be NULL. */
void strv_append(char ***v, const char *s);
/* Appends s, taking ownership. */
void strv_append_take(char ***v, char *s);
char **strv_dup(char *const *v);
void strv_free(char **v);
/* Splits s at every sep; empty fields are kept. */
char **strv_split(const char *s, char sep);
int strv_contains(char *const *v, const char *s);

/* String helpers. */
int str_has_prefix(const char *s, const char *prefix);
int str_has_suffix(const char *s, const char *suffix);
/* Parses a whole base-10 number in [min,max]; 0 or -1. */
int str_to_ll(const char *s, long long min, long long max, long long *out);

#endif
