#!/bin/bash
# Runs the bats suites against the real binary. As root: creates two
# unprivileged users (burrow-t1 with /etc/subuid and /etc/subgid ranges,
# burrow-t2 without), makes /dev/fuse and /dev/net/tun 0666 as on a normal
# desktop, and runs every suite as each of them and as root. As anyone
# else: runs them as that user. Prints one
# "integration: N passed, N failed, N skipped" line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
suites=${BURROW_SUITES:-}
[ -n "${CI:-}" ] && export BURROW_MUST_WORK=1

# A staging copy every test user can read, wherever the checkout lives.
stage=$(mktemp -d /tmp/burrow-stage.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/tests" "$stage/build/tests" "$stage/tools"
cp "${BURROW_BIN:-$top/burrow}" "$stage/burrow"
cp -r "$top/tests/integration" "$stage/tests/"
[ -d "$top/build/tests/helpers" ] && cp -r "$top/build/tests/helpers" "$stage/build/tests/"
cp "$top"/tools/*.sh "$stage/tools/"
chmod -R a+rX "$stage"

passed=0 failed=0 skipped=0
run_as() { # user
	local user=$1 out files=()
	if [ -n "$suites" ]; then
		for s in $suites; do files+=("$stage/tests/integration/$s.bats"); done
	else
		files=("$stage"/tests/integration/*.bats)
	fi
	echo "== integration as $user"
	local cmd=(env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
		"BURROW_MUST_WORK=${BURROW_MUST_WORK:-0}" "TERM=${TERM:-dumb}" bats --tap "${files[@]}")
	if [ "$user" = "$(id -un)" ]; then
		out=$(cd "$stage" && "${cmd[@]}" 2>&1)
	else
		out=$(cd "$stage" && runuser -u "$user" -- env -i "HOME=$(getent passwd "$user" | cut -d: -f6)" \
			"USER=$user" "LOGNAME=$user" "SHELL=/bin/bash" "${cmd[@]}" 2>&1)
	fi
	# failures with their diagnostics, and what was skipped (and why)
	printf '%s\n' "$out" | awk '(!/^ok [0-9]+ / || / # skip/) && !/^1\.\./'
	local p f s
	p=$(printf '%s\n' "$out" | grep -E '^ok ' | grep -vc '# skip')
	s=$(printf '%s\n' "$out" | grep -E '^ok .*# skip' -c)
	f=$(printf '%s\n' "$out" | grep -cE '^not ok ')
	echo "   as $user: $p passed, $f failed, $s skipped"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

if [ "$(id -u)" = 0 ]; then
	"$top/tools/test-users.sh"
	for u in ${BURROW_TEST_USERS:-burrow-t1 burrow-t2 root}; do run_as "$u"; done
else
	run_as "$(id -un)"
fi
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
