#include "container/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "container/internal.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

#define NS_PER_S 1000000000LL

char *ctr_log_path(struct state_store *s, const char *id)
{
	char *dir = ctr_dir(s, id);
	char *p = path_join(dir, "ctr.log");
	free(dir);
	return p;
}

void ctr_log_timestamp(long long ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / NS_PER_S);
	struct tm tm;
	localtime_r(&sec, &tm);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	long off = tm.tm_gmtoff;
	if (off == 0) {
		snprintf(buf, len, "%s.%09lldZ", date, ns % NS_PER_S);
		return;
	}
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	snprintf(buf, len, "%s.%09lld%c%02ld:%02ld", date, ns % NS_PER_S, sign, off / 3600, off / 60 % 60);
}

int ctr_log_open(struct ctr_log *l, const char *path, long long max, struct burrow_err **err)
{
	l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0)
		return burrow_error(err, errno, "cannot open the log file '%s'", str_quote(path));
	struct stat st;
	l->size = fstat(l->fd, &st) == 0 ? st.st_size : 0;
	l->max = max;
	return 0;
}

void ctr_log_close(struct ctr_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* One log line: time, stream, flag, text and a newline in one write (an
 * O_APPEND write of a line is whole, whoever reads at the same time). */
static void write_line(struct ctr_log *l, const char *ts, const char *stream, char flag, const char *text, size_t len)
{
	char head[96];
	int hn = snprintf(head, sizeof(head), "%s %s %c ", ts, stream, flag);
	size_t total = (size_t)hn + len + 1;
	if (l->max > 0 && l->size > 0 && l->size + (long long)total > l->max) {
		/* max-size reached: the file starts over (as conmon does) */
		if (ftruncate(l->fd, 0) == 0)
			l->size = 0;
	}
	struct iovec iov[3] = {{head, (size_t)hn}, {(void *)text, len}, {"\n", 1}};
	size_t done = 0;
	while (done < total) {
		ssize_t w = writev(l->fd, iov, 3);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			burrow_warn("cannot write the container's log: %s", strerror(w < 0 ? errno : EIO));
			return;
		}
		done += (size_t)w;
		l->size += w;
		/* a short write (a full disk): skip what went */
		for (int i = 0; i < 3 && w > 0; i++) {
			size_t take = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
			iov[i].iov_base = (char *)iov[i].iov_base + take;
			iov[i].iov_len -= take;
			w -= (ssize_t)take;
		}
	}
}

void ctr_log_write(struct ctr_log *l, const char *stream, const char *buf, size_t len)
{
	if (l->fd < 0 || len == 0)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char ts[48];
	ctr_log_timestamp((long long)now.tv_sec * NS_PER_S + now.tv_nsec, ts, sizeof(ts));
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;
		write_line(l, ts, stream, nl ? 'F' : 'P', buf, n);
		if (!nl)
			break;
		buf += n + 1;
		len -= n + 1;
	}
}

/* Digits at s[0..n) as a number; -1 when one is not a digit. */
static long long digits(const char *s, size_t n)
{
	long long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int ctr_log_parse_time(const char *s, size_t len, long long *ns)
{
	/* 2006-01-02T15:04:05 */
	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	long long y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2),
	          mi = digits(s + 14, 2), se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return -1;
	size_t i = 19;
	long long frac = 0;
	if (i < len && s[i] == '.') {
		size_t start = ++i;
		long long scale = NS_PER_S;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			scale /= 10;
			frac += (s[i] - '0') * scale;
			i++;
		}
		if (i == start)
			return -1;
	}
	long long off = 0;
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		off = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		long long oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
		if (oh < 0 || om < 0)
			return -1;
		off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
	} else {
		return -1;
	}
	struct tm tm = {.tm_year = (int)y - 1900,
	                .tm_mon = (int)mo - 1,
	                .tm_mday = (int)d,
	                .tm_hour = (int)h,
	                .tm_min = (int)mi,
	                .tm_sec = (int)se};
	time_t t = timegm(&tm);
	*ns = ((long long)t - off) * NS_PER_S + frac;
	return 0;
}

int ctr_log_parse_line(const char *line, size_t len, struct ctr_log_line *out)
{
	const char *sp1 = memchr(line, ' ', len);
	if (!sp1)
		return -1;
	size_t tl = (size_t)(sp1 - line);
	if (ctr_log_parse_time(line, tl, &out->ns) < 0)
		return -1;
	const char *p = sp1 + 1, *end = line + len;
	if ((size_t)(end - p) >= 7 && memcmp(p, "stdout ", 7) == 0)
		out->is_stderr = false;
	else if ((size_t)(end - p) >= 7 && memcmp(p, "stderr ", 7) == 0)
		out->is_stderr = true;
	else
		return -1;
	p += 7;
	if (end - p < 1 || (*p != 'F' && *p != 'P') || (end - p > 1 && p[1] != ' '))
		return -1;
	out->partial = *p == 'P';
	p += end - p > 1 ? 2 : 1;
	out->ts = line;
	out->ts_len = tl;
	out->text = p;
	out->len = (size_t)(end - p);
	return 0;
}
