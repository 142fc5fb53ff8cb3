#!/bin/sh
# Runs the cmocka unit test binaries given as arguments. Prints one
# "unit: N passed, N failed, N skipped" line; exits non-zero on failure.
passed=0 failed=0 skipped=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	s=$(printf '%s\n' "$out" | grep -c '^\[  SKIPPED \]')
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	[ "$f" -ne 0 ] && printf '%s\n' "$out"
	echo "  $(basename "$t"): $p passed, $f failed"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "unit: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
