/* Points in time and Go durations. */
#include "lib/timeparse.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "lib/quote.h"

#define NS_PER_S 1000000000LL

long long time_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

int time_parse_duration(const char *s, long long *out_ns)
{
	static const struct {
		const char *name;
		long long ns;
	} units[] = {
	    /* longer names first: "ms" before "m" */
	    {"ns", 1LL},       {"us", 1000LL},  {"\xc2\xb5s", 1000LL}, {"\xce\xbcs", 1000LL},
	    {"ms", 1000000LL}, {"s", NS_PER_S}, {"m", 60 * NS_PER_S},  {"h", 3600 * NS_PER_S},
	};
	const char *p = s;
	bool neg = false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*out_ns = 0;
		return 0;
	}
	if (!*p)
		return -1;
	long double total = 0;
	while (*p) {
		long double v = 0, scale = 1;
		bool digits = false;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (*p++ - '0');
			digits = true;
		}
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p)) {
				scale /= 10;
				v += (*p++ - '0') * scale;
				digits = true;
			}
		}
		if (!digits)
			return -1;
		size_t i, n = sizeof(units) / sizeof(units[0]);
		for (i = 0; i < n; i++)
			if (strncmp(p, units[i].name, strlen(units[i].name)) == 0)
				break;
		if (i == n)
			return -1; /* a number without a unit */
		p += strlen(units[i].name);
		total += v * (long double)units[i].ns;
		if (total > 9.2e18L)
			return -1;
	}
	*out_ns = (long long)(neg ? -total : total);
	return 0;
}

/* Digits of a fraction ("5", "123456789") as ns. */
static const char *fraction_ns(const char *p, long long *ns)
{
	long long v = 0, scale = 100000000LL;
	const char *start = p;
	while (isdigit((unsigned char)*p)) {
		if (scale) {
			v += (*p - '0') * scale;
			scale /= 10;
		}
		p++;
	}
	*ns = v;
	return p == start ? NULL : p;
}

/* "YYYY-MM-DD" then optionally "THH:MM:SS" / " HH:MM:SS", a fraction and a
 * zone (Z or +hh:mm); the rest must be empty. */
static int parse_datetime(const char *s, long long *out_ns)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%d", &tm);
	if (!p)
		return -1;
	long long frac = 0;
	bool has_zone = false;
	long offset = 0;
	if (*p == 'T' || *p == ' ') {
		p = strptime(p + 1, "%H:%M:%S", &tm);
		if (!p)
			return -1;
		if (*p == '.' && !(p = fraction_ns(p + 1, &frac)))
			return -1;
		if (*p == 'Z' || *p == 'z') {
			has_zone = true;
			p++;
		} else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		           p[3] == ':' && isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5])) {
			has_zone = true;
			offset = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600L + ((p[4] - '0') * 10 + (p[5] - '0')) * 60L;
			if (*p == '-')
				offset = -offset;
			p += 6;
		}
	}
	if (*p)
		return -1;
	time_t t;
	if (has_zone) {
		t = timegm(&tm) - offset;
	} else {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	*out_ns = (long long)t * NS_PER_S + frac;
	return 0;
}

/* "1700000000" or "1700000000.5" */
static int parse_unix(const char *s, long long *out_ns)
{
	const char *p = s;
	long long sec = 0;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		if (sec > 9000000000LL)
			return -1;
		sec = sec * 10 + (*p++ - '0');
	}
	long long frac = 0;
	if (*p == '.' && !(p = fraction_ns(p + 1, &frac)))
		return -1;
	if (*p)
		return -1;
	*out_ns = sec * NS_PER_S + frac;
	return 0;
}

int time_parse_point(const char *s, long long now_ns, long long *out_ns, struct burrow_err **err)
{
	long long d;
	if (s && time_parse_duration(s, &d) == 0) {
		*out_ns = now_ns - d;
		return 0;
	}
	if (s && (parse_datetime(s, out_ns) == 0 || parse_unix(s, out_ns) == 0))
		return 0;
	return burrow_error_status(err, EINVAL,
	                           "'%s' is not a time: give a duration (10m, 1h30m), a date (2024-05-01), an RFC 3339 "
	                           "time (2024-05-01T12:00:00Z) or Unix seconds",
	                           str_quote(s ? s : ""));
}
