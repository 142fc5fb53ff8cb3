#include "lib/quote.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

size_t str_utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the NUL */
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Code points that move the cursor or reorder text on a terminal: C1
 * controls, U+2028/2029, the bidirectional marks, embeddings, overrides and
 * isolates ("trojan source"). */
static bool unsafe_cp(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->buf = xrealloc(o->buf, o->cap);
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void escape_into(struct out *o, const char *str, bool quotes)
{
	const unsigned char *s = (const unsigned char *)str;
	put(o, "", 0);
	while (*s) {
		char esc[16];
		const unsigned char *run = s;
		/* printable ASCII that needs nothing: copied in one go */
		while (*s >= 0x20 && *s < 0x7f && !(quotes && (*s == '\'' || *s == '"' || *s == '\\')))
			s++;
		if (s > run)
			put(o, (const char *)run, (size_t)(s - run));
		if (!*s)
			break;
		uint32_t cp;
		size_t n;
		if (*s == '\n' || *s == '\t' || *s == '\r') {
			snprintf(esc, sizeof(esc), "\\%c", *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r');
			n = 1;
		} else if (*s == '\'' || *s == '"' || *s == '\\') {
			snprintf(esc, sizeof(esc), "\\%c", *s);
			n = 1;
		} else if (*s < 0x80) {
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			n = 1;
		} else if ((n = str_utf8_seq(s, &cp)) == 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			n = 1;
		} else if (unsafe_cp(cp)) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
		} else {
			put(o, (const char *)s, n);
			s += n;
			continue;
		}
		put(o, esc, strlen(esc));
		s += n;
	}
}

/* A thread's ring of str_quote answers, freed when the thread ends (a
 * tar writer's, cp's: LeakSanitizer found its ring lost). */
static pthread_key_t ring_key;
static pthread_once_t ring_once = PTHREAD_ONCE_INIT;

static void ring_free(void *p)
{
	struct out *slots = p;
	for (size_t i = 0; i < 8; i++) {
		free(slots[i].buf);
		slots[i] = (struct out){0};
	}
}

static void ring_key_make(void)
{
	if (pthread_key_create(&ring_key, ring_free) != 0)
		abort();
}

const char *str_quote(const char *s)
{
	static __thread struct out slots[8];
	static __thread unsigned next;
	static __thread bool keyed;
	if (!keyed) {
		pthread_once(&ring_once, ring_key_make);
		pthread_setspecific(ring_key, slots);
		keyed = true;
	}
	struct out *o = &slots[next++ % 8];
	o->len = 0;
	escape_into(o, s ? s : "(null)", true);
	return o->buf;
}

char *str_escape_controls(const char *s)
{
	struct out o = {0};
	escape_into(&o, s ? s : "(null)", false);
	return o.buf;
}
