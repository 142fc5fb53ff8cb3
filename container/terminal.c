#include "container/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

void ctr_term_raw(struct ctr_term *t, int fd)
{
	if (t->raw || !isatty(fd) || tcgetattr(fd, &t->saved) < 0)
		return;
	struct termios raw = t->saved;
	cfmakeraw(&raw);
	raw.c_oflag = t->saved.c_oflag; /* keep output processing as it was */
	if (tcsetattr(fd, TCSANOW, &raw) == 0) {
		t->fd = fd;
		t->raw = true;
	}
}

void ctr_term_restore(struct ctr_term *t)
{
	if (t->raw)
		tcsetattr(t->fd, TCSANOW, &t->saved);
	t->raw = false;
}

bool ctr_term_size(int fd, unsigned short *rows, unsigned short *cols)
{
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}

void ctr_term_set_size(int pty, unsigned short rows, unsigned short cols)
{
	struct winsize ws = {.ws_row = rows, .ws_col = cols};
	if (pty >= 0)
		ioctl(pty, TIOCSWINSZ, &ws);
}
