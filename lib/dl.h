/* Libraries that only some commands need (libslirp with glib, libarchive
 * with its codecs, libcrypto) are opened with dlopen on first use instead
 * of being linked: loading and relocating them costs every command about
 * 2 ms, several times what joining the namespace costs.
 *
 * A module lists the functions it calls in a table of dl_sym and calls
 * them through the filled pointers; see netns/slirp.c. */
#ifndef BURROW_LIB_DL_H
#define BURROW_LIB_DL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct dl_sym {
	const char *name;
	void **slot;
};

/* Opens soname (once per process; later calls return at once) and fills
 * every slot. A missing library or symbol is an error naming the Debian
 * package that provides it. */
int dl_load(const char *soname, const char *debian_pkg, const struct dl_sym *syms, size_t n, bool *loaded,
            struct burrow_err **err);

#endif
