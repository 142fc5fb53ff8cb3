/* NULL-terminated string vectors. */
#ifndef BURROW_LIB_STRV_H
#define BURROW_LIB_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t strv_len(char *const *v);
/* Appends a copy of s; *v may be NULL. Walks *v to find its end: a loop
 * that builds a long vector uses a strv_builder instead. */
void strv_append(char ***v, const char *s);
/* Appends s, taking ownership. */
void strv_append_take(char ***v, char *s);

/* A vector being built, one string at a time in amortised constant time
 * (100,000 arguments to `run` took 4.6 s with strv_append). b.v is
 * NULL-terminated whenever it is not NULL; a zeroed builder is empty. */
struct strv_builder {
	char **v;
	size_t n, cap;
};
/* Appends a copy of s. */
void strv_builder_add(struct strv_builder *b, const char *s);
/* Appends s, taking ownership. */
void strv_builder_take(struct strv_builder *b, char *s);
/* Appends a copy of every string of v (may be NULL). */
void strv_builder_extend(struct strv_builder *b, char *const *v);
/* Hands the vector on (an empty one, not NULL, when nothing was added) and
 * leaves b empty. */
char **strv_builder_steal(struct strv_builder *b);

/* NAME=VALUE entries: keeps one per NAME, at the place where NAME first
 * appears, with the value it was given last -- what setting each entry in
 * turn does, in O(n log n) instead of a search per entry. An entry without
 * '=' is all NAME. */
void strv_env_dedup(char **env);
/* Sets NAME=VALUE in an environment vector: an entry for NAME is
 * replaced in place, else kv is appended (a copy). kv without '=' is all
 * NAME. */
void strv_env_set(char ***env, const char *kv);
/* Whether env has an entry for NAME. */
bool strv_env_has(char *const *env, const char *name);
char **strv_dup(char *const *v);
void strv_free(char **v);
/* Splits s at every sep; empty fields are kept. */
char **strv_split(const char *s, char sep);
int strv_contains(char *const *v, const char *s);
/* qsort's and bsearch's comparator for an array of char *: the strings' strcmp. */
int strv_cmp(const void *a, const void *b);

/* String helpers. */
int str_has_prefix(const char *s, const char *prefix);
int str_has_suffix(const char *s, const char *suffix);
/* Parses a whole base-10 number in [min,max]; 0 or -1. */
int str_to_ll(const char *s, long long min, long long max, long long *out);

/* The largest uid or gid, a bound for str_to_ll ((uid_t)-1 means
 * "unchanged" to chown and is no ID to the kernel); ID_MAX_TEXT is the
 * same number in a message. */
#define ID_MAX_DIGITS 4294967294
#define ID_MAX ((long long)ID_MAX_DIGITS)
#define ID_MAX_TEXT STR_OF_(ID_MAX_DIGITS)
#define STR_OF_(x) STR_OF__(x)
#define STR_OF__(x) #x

#endif
