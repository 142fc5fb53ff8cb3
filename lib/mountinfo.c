/* Lines of /proc/PID/mountinfo (see mountinfo.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mountinfo.h"
#include "lib/xalloc.h"

/* The kernel's mangle() escapes " \t\n\\" as a backslash and three octal
 * digits; anything else after a backslash is kept as it stands. Decoding
 * only shrinks the string, so it works in place. */
static void unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			char c = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			if (c != '\0') {
				*w++ = c;
				r += 3;
				continue;
			}
		}
		*w++ = *r;
	}
	*w = '\0';
}

/* A whole base-10 number without sign: 0, or -1. */
static int number(const char *s, char stop, const char **end, unsigned long *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	char *e = NULL;
	errno = 0;
	unsigned long v = strtoul(s, &e, 10);
	if (errno || *e != stop)
		return -1;
	*out = v;
	if (end)
		*end = e;
	return 0;
}

void mountinfo_entry_clear(struct mountinfo_entry *e)
{
	free(e->optional);
	free(e->buf_);
	memset(e, 0, sizeof(*e));
}

int mountinfo_parse(const char *line, size_t len, struct mountinfo_entry *e)
{
	memset(e, 0, sizeof(*e));
	char *buf = xstrndup(line, len);
	if (strlen(buf) != len)
		goto bad; /* a NUL inside */
	/* the fields, split at every single space: an empty source ("") is
	 * two spaces in a row */
	size_t n = 1;
	for (const char *p = buf; *p; p++)
		n += *p == ' ';
	char **f = xcalloc(n + 1, sizeof(char *));
	size_t nf = 0;
	for (char *p = buf;;) {
		f[nf++] = p;
		char *sp = strchr(p, ' ');
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	/* the separator: the first lone "-" after the six fixed fields */
	size_t sep = 0;
	for (size_t i = 6; i < nf && !sep; i++)
		if (strcmp(f[i], "-") == 0)
			sep = i;
	unsigned long major = 0, minor = 0;
	const char *colon = NULL;
	if (nf < 10 || !sep || nf < sep + 4 || number(f[0], '\0', NULL, &e->id) < 0 ||
	    number(f[1], '\0', NULL, &e->parent) < 0 || number(f[2], ':', &colon, &major) < 0 ||
	    number(colon + 1, '\0', NULL, &minor) < 0 || major > 0xfffffffful || minor > 0xfffffffful || !*f[3] ||
	    !*f[4] || !*f[5] || !*f[sep + 1]) {
		free(f);
		goto bad;
	}
	/* super options with a space the filesystem left unescaped: all of
	 * the rest of the line */
	for (size_t i = sep + 4; i < nf; i++)
		f[i][-1] = ' ';
	e->major = (unsigned int)major;
	e->minor = (unsigned int)minor;
	e->root = f[3];
	e->point = f[4];
	e->options = f[5];
	e->fstype = f[sep + 1];
	e->source = f[sep + 2];
	e->super = f[sep + 3];
	/* the optional fields move to the front of the vector f */
	size_t k = 0;
	for (size_t i = 6; i < sep; i++)
		f[k++] = f[i];
	f[k] = NULL;
	e->optional = f;
	e->buf_ = buf;
	for (size_t i = 0; i < k; i++)
		unescape(f[i]);
	unescape(e->root);
	unescape(e->point);
	unescape(e->options);
	unescape(e->fstype);
	unescape(e->source);
	unescape(e->super);
	return 0;
bad:
	free(buf);
	memset(e, 0, sizeof(*e));
	errno = EINVAL;
	return -1;
}

int mountinfo_next(const char **cursor, struct mountinfo_entry *e)
{
	mountinfo_entry_clear(e);
	while (*cursor && **cursor) {
		const char *line = *cursor;
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		*cursor = nl ? nl + 1 : line + len;
		if (mountinfo_parse(line, len, e) == 0)
			return 1;
	}
	return 0;
}
