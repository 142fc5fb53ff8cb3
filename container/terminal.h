/* The terminal side of a container's stdio: the caller's terminal in raw
 * mode while it talks to a container's pty, and its window size. Used by
 * whoever relays a terminal to a container (run -it, attach); the monitor
 * itself never touches a terminal. */
#ifndef BURROW_CONTAINER_TERMINAL_H
#define BURROW_CONTAINER_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "lib/err.h"

struct ctr_term {
	int fd;   /* the terminal (-1: none) */
	bool raw; /* in raw mode: restore it */
	struct termios saved;
};
#define CTR_TERM_INIT                  \
	{                              \
		.fd = -1, .raw = false \
	}

/* Puts fd in raw mode (output processing kept as it was) when it is a
 * terminal; nothing otherwise. */
void ctr_term_raw(struct ctr_term *t, int fd);
/* Puts it back as it was. Idempotent. */
void ctr_term_restore(struct ctr_term *t);

/* The window size of terminal fd; false when fd is not a terminal. */
bool ctr_term_size(int fd, unsigned short *rows, unsigned short *cols);
/* Sets a pty's window size (the container's side sees SIGWINCH). */
void ctr_term_set_size(int pty, unsigned short rows, unsigned short cols);

/* Detach keys, as podman spells them: keys separated by ',', each a single
 * character or ctrl-<c> with <c> one of a-z, @, [, \\, ], ^, _ ("ctrl-p,ctrl-q",
 * the default). "" is no detach keys. The bytes go to keys (at most
 * CTR_DETACH_KEYS_MAX), their number to *n; -1 (EINVAL, naming the
 * spec) when it is not such a list. */
#define CTR_DETACH_KEYS_MAX 16
int ctr_detach_keys_parse(const char *spec, unsigned char *keys, size_t *n, struct burrow_err **err);

/* Matching the detach keys in what the user types. */
struct ctr_detach {
	unsigned char keys[CTR_DETACH_KEYS_MAX];
	size_t n;       /* 0: none */
	size_t matched; /* how many of keys the input ended with so far */
};
/* Goes through in[0..len): the bytes to pass on are copied to out (room for
 * len + CTR_DETACH_KEYS_MAX; a prefix held back earlier comes out when the
 * input turns out not to be the keys after all), their number to *out_len.
 * Returns true when the keys were typed (what followed them is dropped). */
bool ctr_detach_feed(struct ctr_detach *d, const unsigned char *in, size_t len, unsigned char *out, size_t *out_len);

#endif
