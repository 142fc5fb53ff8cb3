#include "lib/memtrim.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"

/* At most this many mappings are dropped (a monitor has about 60). */
#define MAX_RANGES 256

bool mem_smaps_droppable(const char *line, uintptr_t *start, uintptr_t *end)
{
	uintmax_t s, e;
	char perms[5];
	int path = 0;
	if (sscanf(line, "%jx-%jx %4s %*x %*x:%*x %*u %n", &s, &e, perms, &path) != 3 || !path || e <= s)
		return false;
	/* a file (not [heap], [stack], [vdso] or anonymous); never a
	 * writable one, whose pages may be the process's own data */
	if (line[path] != '/' || strlen(perms) != 4 || perms[1] != '-')
		return false;
	*start = (uintptr_t)s;
	*end = (uintptr_t)e;
	return true;
}

void mem_trim(void)
{
	malloc_trim(0);
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct burrow_err *err = NULL;
	if (read_file("/proc/self/smaps", &text, &len, &err) < 0) {
		burrow_err_free(err);
		return;
	}
	uintptr_t ranges[MAX_RANGES][2];
	size_t n = 0;
	bool open = false; /* the current mapping may be dropped so far */
	for (char *line = text, *next; line && *line && n < MAX_RANGES; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		size_t word = strcspn(line, " ");
		if (word && line[word - 1] != ':') {
			/* "START-END PERMS ...": a new mapping */
			open = mem_smaps_droppable(line, &ranges[n][0], &ranges[n][1]);
		} else if (open && strncmp(line, "Anonymous:", 10) == 0) {
			/* pages copied on write (relocated read-only data)
			 * would come back unrelocated: such a mapping stays */
			open = false;
			if (strtoull(line + 10, NULL, 10) == 0)
				n++;
		}
	}
	for (size_t i = 0; i < n; i++)
		madvise((void *)ranges[i][0], ranges[i][1] - ranges[i][0], MADV_DONTNEED);
}
