#!/bin/bash
# make check: format check, include directions, booleans, clang build, unit tests,
# integration suites.
# Ends with one line "N passed, N failed, N skipped" summing every suite.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
passed=0 failed=0 skipped=0
tally() { # file whose "PREFIX: N passed, N failed, N skipped" line sums a suite
	local line
	line=$(grep -E "^$2: [0-9]+ passed, [0-9]+ failed" "$1" | tail -1)
	if [ -z "$line" ]; then
		echo "$2: no summary line (the runner died)"
		failed=$((failed + 1))
		return
	fi
	local p f s
	p=$(sed -n 's/.* \([0-9]*\) passed.*/\1/p' <<<"$line")
	f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
	s=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$line")
	passed=$((passed + ${p:-0})) failed=$((failed + ${f:-1})) skipped=$((skipped + ${s:-0}))
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== format"
if make --no-print-directory fmt-check >"$log" 2>&1; then
	passed=$((passed + 1))
else
	head -20 "$log"
	failed=$((failed + 1))
fi

echo "== includes"
if tools/check-includes.sh >"$log" 2>&1; then
	passed=$((passed + 1))
else
	head -20 "$log"
	failed=$((failed + 1))
fi

echo "== booleans"
# every boolean flag's case reads ctx->flag_on: --X=false is no --X
# (tools/check-bools.py; --self-test plants `= true` cases and sees them named)
if tools/check-bools.py --self-test >"$log" 2>&1; then
	passed=$((passed + 1))
else
	head -40 "$log"
	failed=$((failed + 1))
fi

echo "== docs"
# .ci/run runs the README's test command as the README gives it, and the
# README points nowhere outside the repository
ci=$(sed -n 's/^exec //p' .ci/run)
if [ -n "$ci" ] && grep -qF "    $ci " README.md && ! grep -qE '\]\(\.\./|\.\./shared' README.md; then
	passed=$((passed + 1))
else
	echo "README.md and .ci/run disagree on the test command ('$ci'), or README.md links outside the repository"
	failed=$((failed + 1))
fi

# the man pages against the binary: every verb's options, subcommands, page
# references (tools/doccheck.sh; --self-test plants gaps and sees them named)
if tools/doccheck.sh >"$log" 2>&1; then
	passed=$((passed + 1))
else
	head -40 "$log"
	failed=$((failed + 1))
fi

echo "== clang build"
if make --no-print-directory CC=clang BUILD=build/clang BIN=build/clang/burrow build/clang/burrow >"$log" 2>&1; then
	passed=$((passed + 1))
else
	grep -E 'error|warning' "$log" | head -20
	failed=$((failed + 1))
fi

echo "== unit"
tools/run-unit.sh "$@" | tee "$log"
tally "$log" unit

echo "== integration"
tools/run-integration.sh | tee "$log"
tally "$log" integration

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
