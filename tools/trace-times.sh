#!/bin/bash
# trace-times.sh FILE: the phases of the runs traced into FILE with
# BURROW_TRACE_TIMES=FILE (lib/trace.h), as a table of medians over the
# runs: each mark's time since the previous mark of the same process
# ("step") and since the run's client started ("at"). A run begins at
# each "main" mark, so trace one command at a time:
#   for i in $(seq 20); do BURROW_TRACE_TIMES=/tmp/t burrow run --rm busybox true; done
#   tools/trace-times.sh /tmp/t
set -eu
if [ "$#" -ne 1 ] || [ ! -r "$1" ]; then
	echo "usage: $0 FILE (written with BURROW_TRACE_TIMES=FILE)" >&2
	exit 2
fi
python3 - "$1" <<'PY'
import sys
runs = []
for line in open(sys.argv[1]):
    parts = line.rstrip("\n").split(" ", 2)
    if len(parts) != 3:
        continue
    us, pid, what = int(parts[0]), int(parts[1]), parts[2]
    if what == "main":
        runs.append([])
    if runs:
        runs[-1].append((us, pid, what))
order, steps, ats = [], {}, {}
for run in runs:
    run.sort()
    t0, last = run[0][0], {}
    for us, pid, what in run:
        if what not in steps:
            order.append(what)
            steps[what], ats[what] = [], []
        steps[what].append(us - last.get(pid, t0))
        ats[what].append(us - t0)
        last[pid] = us
def med(v):
    v = sorted(v)
    return v[len(v) // 2] / 1000.0
order.sort(key=lambda w: med(ats[w]))
print("%-44s %9s %9s %5s" % ("mark (median of %d runs)" % len(runs), "step ms", "at ms", "n"))
for w in order:
    print("%-44s %9.2f %9.2f %5d" % (w, med(steps[w]), med(ats[w]), len(steps[w])))
PY
