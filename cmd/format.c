#include "cmd/format.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/json.h"
#include "lib/xalloc.h"

const char *fmt_duration(long long s, char *buf, unsigned len)
{
	if (s < 1)
		snprintf(buf, len, "Less than a second");
	else if (s == 1)
		snprintf(buf, len, "1 second");
	else if (s < 60)
		snprintf(buf, len, "%lld seconds", s);
	else if (s < 120)
		snprintf(buf, len, "About a minute");
	else if (s < 3600)
		snprintf(buf, len, "%lld minutes", s / 60);
	else if (s < 7200)
		snprintf(buf, len, "About an hour");
	else if (s < 2 * 86400)
		snprintf(buf, len, "%lld hours", s / 3600);
	else if (s < 14 * 86400)
		snprintf(buf, len, "%lld days", s / 86400);
	else if (s < 60 * 86400)
		snprintf(buf, len, "%lld weeks", s / (7 * 86400));
	else if (s < 2 * 365 * 86400)
		snprintf(buf, len, "%lld months", s / (30 * 86400));
	else
		snprintf(buf, len, "%lld years", s / (365 * 86400));
	return buf;
}

const char *fmt_time_ago(long long then, long long now, char *buf, unsigned len)
{
	char d[64];
	fmt_duration(now - then, d, sizeof(d));
	snprintf(buf, len, "%s ago", d);
	return buf;
}

const char *fmt_go_time(long long t, bool utc, char *buf, unsigned len)
{
	return fmt_go_time_ns(t, 0, utc, buf, len);
}

const char *fmt_go_frac(int ns, char *buf, unsigned len)
{
	buf[0] = '\0';
	if (ns > 0 && ns < 1000000000) {
		snprintf(buf, len, ".%09d", ns);
		for (size_t n = strlen(buf); n > 1 && buf[n - 1] == '0'; n--)
			buf[n - 1] = '\0';
	}
	return buf;
}

const char *fmt_go_time_ns(long long t, int ns, bool utc, char *buf, unsigned len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char secs[40], zone[64], frac[16] = "";
	if (utc)
		gmtime_r(&tt, &tm);
	else
		localtime_r(&tt, &tm);
	fmt_go_frac(ns, frac, sizeof(frac));
	if (strftime(secs, sizeof(secs), "%Y-%m-%d %H:%M:%S", &tm) == 0 ||
	    strftime(zone, sizeof(zone), utc ? "+0000 UTC" : "%z %Z", &tm) == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%s%s %s", secs, frac, zone);
	return buf;
}

const char *fmt_rfc3339(long long t, char *buf, unsigned len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
	return buf;
}

const char *fmt_size(long long bytes, char *buf, unsigned len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)bytes;
	unsigned u = 0;
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lld B", bytes);
	else
		snprintf(buf, len, "%.3g %s", v, units[u]);
	return buf;
}

const char *fmt_size_tight(long long bytes, char *buf, unsigned len)
{
	char spaced[32];
	fmt_size(bytes, spaced, sizeof(spaced));
	unsigned j = 0;
	for (unsigned i = 0; spaced[i] && j + 1 < len; i++)
		if (spaced[i] != ' ')
			buf[j++] = spaced[i];
	if (len)
		buf[j] = '\0';
	return buf;
}

int fmt_parse_size(const char *s, long long *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	long long mult = 1;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'b':
		break;
	case 'k':
		mult = 1024;
		break;
	case 'm':
		mult = 1024 * 1024;
		break;
	case 'g':
		mult = 1024LL * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (*end) {
		end++;
		if (tolower((unsigned char)*end) == 'b')
			end++;
		if (*end)
			return -1;
	}
	if (v * (double)mult > 9e18)
		return -1;
	*out = (long long)(v * (double)mult);
	return 0;
}

void fmt_print_json(yajl_gen g)
{
	char *s = json_gen_finish(g);
	size_t l = strlen(s);
	printf("%s%s", s, l && s[l - 1] == '\n' ? "" : "\n");
	free(s);
}

void fmt_buf_add(struct fmt_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void fmt_buf_puts(struct fmt_buf *b, const char *s)
{
	fmt_buf_add(b, s, strlen(s));
}

void fmt_buf_printf(struct fmt_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	fmt_buf_puts(b, s);
	free(s);
}

void fmt_buf_free(struct fmt_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
