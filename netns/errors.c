/* The one place where netns/ turns an errno that misleads into words and
 * a hint (STYLE: translate a misleading errno in one place). Each entry
 * here has a TROUBLESHOOTING entry in burrow(1). */
#include "netns/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/fileutil.h"
#include "lib/strv.h"

int net_err_tun(struct burrow_err **err, int e)
{
	burrow_error(err, e, "cannot open '/dev/net/tun'");
	if (e == ENOENT || e == ENODEV)
		return burrow_error_hint(err, "load the tun kernel module (modprobe tun), or use --network none");
	if (e == EACCES || e == EPERM)
		return burrow_error_hint(err, "let users open it (chmod 0666 /dev/net/tun, as distributions ship it), "
		                              "or use --network none");
	return -1;
}

long long net_unprivileged_port_start(void)
{
	char *text = NULL;
	size_t len = 0;
	struct burrow_err *e = NULL;
	long long v = -1;
	if (read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", &text, &len, &e) == 0) {
		while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
			text[--len] = '\0';
		if (str_to_ll(text, 0, 65536, &v) < 0)
			v = -1;
	}
	burrow_err_free(e);
	free(text);
	return v;
}

int net_err_bind(struct burrow_err **err, int e, const char *where, unsigned port)
{
	switch (e) {
	case EADDRINUSE:
		burrow_error_status(err, e, "cannot listen on %s: address already in use", where);
		return burrow_error_hint(err,
		                         "another program or container has that port ('ss -ltnup sport = :%u' shows "
		                         "which); publish another host port, or leave the host port out for a free one",
		                         port);
	case EACCES: {
		long long start = net_unprivileged_port_start();
		if (start < 0 || port >= start)
			return burrow_error(err, e, "cannot listen on %s", where);
		burrow_error_status(err, e,
		                    "cannot listen on %s: port %u is below net.ipv4.ip_unprivileged_port_start (%lld), "
		                    "which burrow cannot bind from its user namespace",
		                    where, port, start);
		/* root's binder (binder.c) binds them for the default handler */
		return burrow_error_hint(
		    err,
		    "publish a host port of %lld or more (e.g. -p %u:...), run burrow as root (with the default "
		    "port handler), or lower that limit for every user namespace (as root: sysctl -w "
		    "net.ipv4.ip_unprivileged_port_start=%u)",
		    start, port + 8000 <= 65535 ? port + 8000 : (unsigned)start, port);
	}
	case EADDRNOTAVAIL:
		burrow_error_status(err, e, "cannot listen on %s: this host has no such address", where);
		return burrow_error_hint(err, "give one of the host's addresses ('ip addr' lists them), or none for "
		                              "every address");
	case EAFNOSUPPORT:
		burrow_error_status(err, e, "cannot listen on %s: IPv6 is turned off on this host", where);
		return burrow_error_hint(err, "publish on an IPv4 address");
	case EMFILE:
	case ENFILE:
		burrow_error_status(err, e, "cannot listen on %s: too many open files", where);
		return burrow_error_hint(err, "raise the limit of open files (ulimit -n), or publish fewer ports");
	default:
		return burrow_error(err, e, "cannot listen on %s", where);
	}
}

int net_err_setns(struct burrow_err **err, int e)
{
	burrow_error(err, e, "cannot join the container's network namespace");
	if (e == EPERM)
		return burrow_error_hint(err, "run it from burrow's user namespace (burrow unshare), which owns the "
		                              "container's");
	return -1;
}
