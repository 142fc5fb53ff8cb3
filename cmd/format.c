#include "cmd/format.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

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
