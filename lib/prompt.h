/* Reading a line the user types (login's username and password). */
#ifndef BURROW_LIB_PROMPT_H
#define BURROW_LIB_PROMPT_H

#include <stdbool.h>

#include "lib/err.h"

/* Prints prompt on the terminal and reads one line from it (echo off when
 * secret). Without a terminal (no /dev/tty): ENOTTY. */
char *prompt_line(const char *prompt, bool secret, struct burrow_err **err);

/* Reads all of fd (a password given on standard input) without the final
 * newline; at most 64 KiB. */
char *read_secret_fd(int fd, struct burrow_err **err);

#endif
