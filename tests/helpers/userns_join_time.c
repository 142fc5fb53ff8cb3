/* userns_join_time: resolves the runtime dir and joins (or creates) the
 * keeper's namespaces like every burrow command does, then prints how long
 * userns_enter() took in microseconds, and the uid it left us with:
 * "JOIN_US UID". With arguments, execs them afterwards (inside). */
#include <stdio.h>
#include <unistd.h>

#include "lib/proc.h"
#include "userns/userns.h"

int main(int argc, char **argv)
{
	struct burrow_err *err = NULL;
	char *runroot = NULL;
	char *source = NULL;
	if (userns_runroot(NULL, &runroot, &source, &err) < 0) {
		burrow_err_print(err);
		return 125;
	}
	long long t0 = now_ns();
	int r = userns_enter(runroot, &err);
	long long t1 = now_ns();
	if (r < 0) {
		burrow_err_print(err);
		return 125;
	}
	printf("%lld %d\n", (t1 - t0) / 1000, (int)getuid());
	fflush(stdout);
	if (argc > 1) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		return 127;
	}
	return 0;
}
