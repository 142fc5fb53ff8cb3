/* Giving back what a long-lived process inherited and no longer needs. */
#ifndef BURROW_LIB_MEMTRIM_H
#define BURROW_LIB_MEMTRIM_H

#include <stdbool.h>
#include <stdint.h>

/* For a process that has done its set-up and now mostly waits (the
 * monitor): returns the heap's free pages (malloc_trim), and unmaps the
 * clean file pages it has mapped (the code and read-only data of burrow
 * and its libraries that the set-up touched: MADV_DONTNEED on each
 * read-only file mapping with no private copy in it). They stay in the
 * page cache; what is used again faults back in from there. Only lowers
 * the RSS: best effort, nothing to report. */
void mem_trim(void);

/* One line of /proc/PID/smaps that starts a mapping ("START-END PERMS
 * OFFSET DEV INODE [PATH]"): whether it is a file mapping that is not
 * writable, its range then in *start and *end. */
bool mem_smaps_droppable(const char *line, uintptr_t *start, uintptr_t *end);

#endif
