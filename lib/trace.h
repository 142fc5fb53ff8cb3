/* Phase timestamps for finding where a command's time goes: with
 * BURROW_TRACE_TIMES=FILE in the environment, each trace_mark() appends
 * "MICROSECONDS PID WHAT" (CLOCK_MONOTONIC, one clock for every process
 * of a run: client, monitor, container init) to FILE; without it a mark
 * costs one cached getenv. tools/trace-times.sh turns the file into a
 * table of phases. A debugging aid: only imgmanage.bats reads it, to see
 * a command wait for a transaction ("state: backoff"). */
#ifndef BURROW_LIB_TRACE_H
#define BURROW_LIB_TRACE_H

void trace_mark(const char *what);

#endif
