#include "container/terminal.h"

#include "container/container.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

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

int ctr_detach_keys_parse(const char *spec, unsigned char *keys, size_t *n, struct burrow_err **err)
{
	*n = 0;
	if (!*spec)
		return 0;
	cleanup_free char *copy = xstrdup(spec);
	char *save = NULL;
	for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		int b = -1;
		if (strlen(k) == 1) {
			b = (unsigned char)k[0];
		} else if (strncmp(k, "ctrl-", 5) == 0 && strlen(k) == 6) {
			char c = k[5];
			static const char specials[] = "@[\\]^_";
			static const unsigned char codes[] = {0, 27, 28, 29, 30, 31};
			const char *sp = strchr(specials, c);
			if (c >= 'a' && c <= 'z')
				b = c - 'a' + 1;
			else if (c >= 'A' && c <= 'Z')
				b = c - 'A' + 1;
			else if (c && sp)
				b = codes[sp - specials];
		}
		if (b < 0 || *n >= CTR_DETACH_KEYS_MAX)
			return burrow_error_status(
			    err, EINVAL, "invalid detach keys '%s': use keys like 'ctrl-p,ctrl-q', or '' for none",
			    str_quote(spec));
		keys[(*n)++] = (unsigned char)b;
	}
	if (*n == 0)
		return burrow_error_status(err, EINVAL, "invalid detach keys '%s'", str_quote(spec));
	return 0;
}

bool ctr_detach_feed(struct ctr_detach *d, const unsigned char *in, size_t len, unsigned char *out, size_t *out_len)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (d->n == 0) {
			out[o++] = in[i];
			continue;
		}
		if (in[i] == d->keys[d->matched]) {
			if (++d->matched == d->n) {
				d->matched = 0;
				*out_len = o;
				return true;
			}
			continue;
		}
		/* not the keys after all: what was held back goes on, and this
		 * byte may start them anew */
		memcpy(out + o, d->keys, d->matched);
		o += d->matched;
		d->matched = 0;
		if (in[i] == d->keys[0])
			d->matched = 1;
		else
			out[o++] = in[i];
	}
	*out_len = o;
	return false;
}

int ctr_detach_keys_check(const char *spec, struct burrow_err **err)
{
	unsigned char keys[CTR_DETACH_KEYS_MAX];
	size_t n;
	return ctr_detach_keys_parse(spec, keys, &n, err);
}
