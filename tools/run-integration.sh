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
# run --init's burrow-init, found beside the binary
cp "$(dirname "${BURROW_BIN:-$top/burrow}")/burrow-init" "$stage/burrow-init"
cp -r "$top/tests/integration" "$stage/tests/"
[ -d "$top/build/tests/helpers" ] && cp -r "$top/build/tests/helpers" "$stage/build/tests/"
cp "$top"/tools/*.sh "$stage/tools/"
chmod -R a+rX "$stage"

passed=0 failed=0 skipped=0
# cgroup2.bats runs in a pass of its own (below), in a cgroup handed over
# to the test user: the others never run it.
run_as() { # user [cgroup2-dir]
	local user=$1 cg=${2:-} out files=()
	if [ -n "$cg" ]; then
		files=("$stage/tests/integration/cgroup2.bats")
	elif [ -n "$suites" ]; then
		for s in $suites; do [ "$s" = cgroup2 ] || files+=("$stage/tests/integration/$s.bats"); done
	else
		for s in "$stage"/tests/integration/*.bats; do
			[ "${s##*/}" = cgroup2.bats ] || files+=("$s")
		done
	fi
	[ ${#files[@]} -gt 0 ] || return 0
	echo "== integration as $user${cg:+ in the cgroup $cg}"
	# the pass's processes and all they fork live in that cgroup
	local into=()
	[ -z "$cg" ] || into=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg")
	local cmd=(env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
		"BURROW_MUST_WORK=${BURROW_MUST_WORK:-0}" "TERM=${TERM:-dumb}" bats --tap "${files[@]}")
	local rc=0
	for f in "${files[@]}"; do
		[ -f "$f" ] || { echo "run-integration: no suite $(basename "$f" .bats)" >&2; failed=$((failed + 1)); }
	done
	if [ "$user" = "$(id -un)" ]; then
		out=$(cd "$stage" && "${into[@]}" "${cmd[@]}" 2>&1) || rc=$?
	else
		out=$(cd "$stage" && "${into[@]}" runuser -u "$user" -- env -i "HOME=$(getent passwd "$user" | cut -d: -f6)" \
			"USER=$user" "LOGNAME=$user" "SHELL=/bin/bash" "${cmd[@]}" 2>&1) || rc=$?
	fi
	# failures with their diagnostics, and what was skipped (and why)
	printf '%s\n' "$out" | awk '(!/^ok [0-9]+ / || / # skip/) && !/^1\.\./'
	local p f s
	p=$(printf '%s\n' "$out" | grep -E '^ok ' | grep -vc '# skip')
	s=$(printf '%s\n' "$out" | grep -E '^ok .*# skip' -c)
	f=$(printf '%s\n' "$out" | grep -cE '^not ok ')
	# bats that stopped short (a suite that does not parse, an abort) ran
	# fewer tests than its plan said, or none: that fails too
	local plan
	plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -1)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] || [ "${plan:-0}" -ne $((p + f + s)) ]; then
		echo "   bats as $user ended with $rc after $((p + f + s)) of ${plan:-?} tests"
		f=$((f + 1))
	fi
	echo "   as $user: $p passed, $f failed, $s skipped"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

# Two more passes of cgroup2.bats: as burrow-t1 in a cgroup2 subtree
# delegated to it as cgroups(7) says (the directory and its cgroup.procs,
# cgroup.subtree_control and cgroup.threads chowned), and as root in a
# cgroup of its own: pause then freezes through cgroup.freeze. Skipped,
# with the reason, where the host has no cgroup2 hierarchy. The cgroup is
# removed at the end, whatever is left in it killed first.
cgroup2_pass() { # user
	local mnt user=$1 cg
	mnt=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break }
		$(i + 1) == "cgroup2" && $4 == "/" { print $5; exit }' /proc/self/mountinfo)
	if [ -z "$mnt" ] || [ ! -e "$mnt/cgroup.procs" ]; then
		echo "ok 1 cgroup2 pass # skip no cgroup2 hierarchy is mounted"
		skipped=$((skipped + 1))
		return
	fi
	cg=$mnt/burrow-test-$user-$$
	# a hierarchy mounted read-only (a container's) cannot be delegated from
	if ! mkdir "$cg" 2>/dev/null; then
		echo "ok 1 cgroup2 pass # skip cannot make a cgroup under $mnt (read-only here?)"
		skipped=$((skipped + 1))
		return
	fi
	chown "$user:" "$cg" "$cg/cgroup.procs" "$cg/cgroup.subtree_control" "$cg/cgroup.threads"
	run_as "$user" "$cg"
	local d
	[ ! -e "$cg/cgroup.kill" ] || echo 1 >"$cg/cgroup.kill"
	for d in $(find "$cg" -mindepth 1 -depth -type d) "$cg"; do
		[ ! -e "$d/cgroup.freeze" ] || echo 0 >"$d/cgroup.freeze"
		timeout 10 sh -c 'until rmdir "$0" 2>/dev/null; do sleep 0.1; done' "$d" ||
			echo "run-integration: cannot remove the cgroup $d" >&2
	done
}

if [ "$(id -u)" = 0 ]; then
	"$top/tools/test-users.sh"
	for u in ${BURROW_TEST_USERS:-burrow-t1 burrow-t2 root}; do run_as "$u"; done
	if [ -z "$suites" ] || [[ " $suites " == *" cgroup2 "* ]]; then
		cgroup2_pass burrow-t1
		cgroup2_pass root
	fi
else
	run_as "$(id -un)"
fi
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
