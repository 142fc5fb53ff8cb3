/* Points in time as podman's filters take them (until=, and the like). */
#ifndef BURROW_LIB_TIMEPARSE_H
#define BURROW_LIB_TIMEPARSE_H

#include "lib/err.h"

/* Parses s as docker's and podman's timetype.GetTimestamp do: a Go
 * duration before now ("10m", "1h30m", "1.5h", "90s", "0"), an RFC 3339
 * time ("2024-05-01T12:00:00Z", with a fraction, or an offset "+02:00"), a
 * time or date without a zone, in local time ("2024-05-01T12:00:00",
 * "2024-05-01 12:00:00", "2024-05-01"), or a Unix time in seconds
 * ("1700000000", "1700000000.5"). *out_ns: ns since the epoch. -1 (EINVAL,
 * the message names s) when it is none of them. */
int time_parse_point(const char *s, long long now_ns, long long *out_ns, struct burrow_err **err);

/* Nanoseconds since the epoch (CLOCK_REALTIME): when something was made,
 * as shown and compared with times users give; never for deadlines (those
 * are on lib/proc.h's monotonic clock). */
long long time_wall_ns(void);

/* A Go duration ("1h30m", "-2.5s", "0") in ns; 0 or -1. */
int time_parse_duration(const char *s, long long *out_ns);

#endif
