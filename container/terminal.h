/* The terminal side of a container's stdio: the caller's terminal in raw
 * mode while it talks to a container's pty, and its window size. Used by
 * whoever relays a terminal to a container (run -it, attach); the monitor
 * itself never touches a terminal. */
#ifndef BURROW_CONTAINER_TERMINAL_H
#define BURROW_CONTAINER_TERMINAL_H

#include <stdbool.h>
#include <termios.h>

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

#endif
