#!/usr/bin/env bats
# The user-namespace bootstrap: the keeper, joining it, the ID mappings,
# the runtime dir and its fallback, `burrow unshare`, `burrow system migrate`.

load helpers
bats_require_minimum_version 1.5.0

suite_setup() {
	UID_NOW=$(id -u)
	BG_PIDS=()
}

suite_teardown() {
	local p
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	# keepers of fallback runtime dirs this suite pointed at $T/tmp, and
	# of a --runroot in $T/wd
	for p in "$T"/tmp/burrow-run-*/keeper.pid "$T"/wd/rr/keeper.pid; do
		[ -f "$p" ] && kill_namespace_of "$(cut -d' ' -f1 "$p")"
	done
	return 0
}

# The map a user with ranges gets: 0 -> uid, then the ranges in file order.
expected_subid_map() { # FILE ID
	local file=$1 id=$2 name
	name=$(id -un)
	awk -F: -v u="$name" -v n="$UID_NOW" -v id="$id" '
		BEGIN { printf "0 %s 1", id; next_in = 1 }
		/^[ \t]*#/ || NF != 3 { next }
		($1 == u || $1 == n) && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ && $3 > 0 {
			printf ",%d %s %s", next_in, $2, $3; next_in += $3
		}
		END { print "" }' "$file"
}

# Waits (bounded) until process $1 is gone or is no longer the one with start time $2.
wait_gone() { # PID STARTTIME
	local i
	for i in $(seq 1 400); do
		[ "$(start_time "$1")" != "$2" ] && return 0
		sleep 0.05
	done
	echo "process $1 still there after 20 s" >&2
	return 1
}

start_time() {
	[ -r "/proc/$1/stat" ] && sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# The keeper holds nothing of the command that made it: its one fd is the
# inotify watch on its runtime dir. (The command may finish before the
# keeper has read its last message and closed that socket: a bounded wait.)
keeper_fds_only_its_watch() { # PID
	local i
	for i in $(seq 400); do
		run ls "/proc/$1/fd"
		[ "$output" = 0 ] && break
		sleep 0.05
	done
	is "$status" 0
	is "$output" "0" "the keeper holds one file descriptor"
	is "$(readlink "/proc/$1/fd/0")" "anon_inode:inotify" "the keeper's fd is its inotify watch"
}

userns_of() {
	readlink "/proc/$1/ns/user"
}

@test "the keeper is created once and reused by later commands" {
	run_burrow 0 unshare true
	local pid=$(keeper_pid)
	[ -n "$pid" ]
	local line
	line=$(cat "$XDG_RUNTIME_DIR/burrow/keeper.pid")
	is "$line" "$pid $(start_time "$pid")" "keeper.pid is 'PID STARTTIME'"
	is "$(cat "/proc/$pid/comm")" "burrow-keeper"
	run_burrow 0 unshare readlink /proc/self/ns/user
	is "$output" "$(userns_of "$pid")" "the command ran in the keeper's user namespace"
	run_burrow 0 unshare readlink /proc/self/ns/mnt
	is "$output" "$(readlink "/proc/$pid/ns/mnt")" "the command ran in the keeper's mount namespace"
	is "$(keeper_pid)" "$pid" "the keeper is unchanged"
	is "$(stat -c %a "$XDG_RUNTIME_DIR/burrow")" 700 "runtime dir mode"
}

@test "the keeper waits small: the code its set-up ran is let go (under 1.2 MB resident)" {
	run_burrow 0 unshare true
	run_burrow 0 unshare true
	local pid=$(keeper_pid)
	[ -n "$pid" ]
	# a sanitizer's build is big by design
	grep -q libasan "/proc/$pid/maps" && return 0
	# 1.5 MB with the pages of code its set-up ran, 0.6-0.8 MB once it
	# lets them go (mem_trim, as the monitor)
	wait_rss_below "$pid" 1200
}

@test "the keeper is a quiet daemon: own session, cwd /, no fds, ignores SIGHUP and SIGINT" {
	run_burrow 0 unshare true
	local pid=$(keeper_pid) st
	st=$(start_time "$pid")
	keeper_fds_only_its_watch "$pid"
	is "$(readlink "/proc/$pid/cwd")" "/" "the keeper's working directory"
	local sid
	sid=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f4)
	[ "$sid" != "$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f4)" ] || {
		echo "the keeper is in the test's session" >&2
		return 1
	}
	[ "$sid" != "$pid" ] || {
		echo "the keeper is a session leader (no double fork)" >&2
		return 1
	}
	kill -HUP "$pid"
	kill -INT "$pid"
	sleep 0.2
	is "$(start_time "$pid")" "$st" "the keeper survived SIGHUP and SIGINT"
}

@test "the keeper holds no file descriptors on a kernel without close_range either" {
	[ -x "$HELPERS_BIN/rt-run" ] || need_or_fail "helper rt-run not built"
	# rt-run -K: close_range fails with ENOSYS (Linux before 5.9); output to
	# files, so that a keeper holding them cannot hang the test
	timeout 30 "$HELPERS_BIN/rt-run" -K -- "$BURROW" unshare true </dev/null >"$T/out" 2>&1 7>"$T/fd7" || {
		cat "$T/out" >&2
		return 1
	}
	local pid=$(keeper_pid)
	[ -n "$pid" ]
	keeper_fds_only_its_watch "$pid"
	# the lock was not kept either: a new keeper can be made at once
	run_burrow 0 system migrate
	BURROW_TIMEOUT=5 run_burrow 0 unshare true
}

@test "a killed keeper is replaced by the next command" {
	run_burrow 0 unshare true
	local pid=$(keeper_pid) st
	st=$(start_time "$pid")
	kill -9 "$pid"
	wait_gone "$pid" "$st"
	run_burrow 0 unshare readlink /proc/self/ns/user
	local new=$(keeper_pid)
	[ -n "$new" ] && [ "$new" != "$pid" ] || {
		echo "no new keeper (old $pid, new '$new')" >&2
		return 1
	}
	# (namespace inode numbers are reused once freed: compare with the new keeper only)
	is "${lines[-1]}" "$(userns_of "$new")" "the command ran in the new keeper's namespace"
}

@test "a command killed while it creates the keeper leaves no keeper behind" {
	has_subuid || skip "only users with subordinate ranges run newuidmap (the step this test holds up)"
	mkdir -p "$T/bin"
	local real
	real=$(command -v newuidmap)
	# holds creation up for 3s, and goes away with the burrow that ran it
	cat >"$T/bin/newuidmap" <<-EOF
		#!/bin/sh
		echo "\$1" >"$T/keeper-pid"
		i=0
		while [ \$i -lt 60 ]; do
			kill -0 \$PPID 2>/dev/null || exit 1
			sleep 0.05
			i=\$((i + 1))
		done
		exec "$real" "\$@"
	EOF
	chmod 0755 "$T/bin/newuidmap"
	PATH=$T/bin:$PATH "$BURROW" unshare true >"$T/out" 2>&1 &
	local pid=$! i
	BG_PIDS+=($pid)
	for i in $(seq 1 400); do
		[ -s "$T/keeper-pid" ] && break
		sleep 0.05
	done
	local kpid
	kpid=$(cat "$T/keeper-pid")
	[ -n "$kpid" ]
	local st
	st=$(start_time "$kpid")
	kill -9 "$pid"
	wait_gone "$kpid" "$st"
	[ ! -e "$XDG_RUNTIME_DIR/burrow/keeper.pid" ]
	# and the next command is not bothered
	run_burrow 0 unshare id -u
	is "${lines[-1]}" 0
}

@test "a pid file naming another live process is not trusted" {
	mkdir -m 0700 -p "$XDG_RUNTIME_DIR/burrow"
	# our own shell: alive, but its start time is not the one recorded
	echo "$$ 1" >"$XDG_RUNTIME_DIR/burrow/keeper.pid"
	run_burrow 0 unshare id -u
	local pid=$(keeper_pid)
	[ "$pid" != "$$" ]
	is "$(cat "/proc/$pid/comm")" "burrow-keeper"
}

@test "commands racing to create the keeper end up in one namespace" {
	local i
	for i in 1 2 3 4 5 6; do
		timeout 30 "$BURROW" unshare readlink /proc/self/ns/user >"$T/race.$i" 2>"$T/race.$i.err" &
		BG_PIDS+=($!)
	done
	for i in 1 2 3 4 5 6; do
		wait "${BG_PIDS[$((i - 1))]}" || {
			cat "$T/race.$i.err" >&2
			return 1
		}
	done
	local want
	want=$(userns_of "$(keeper_pid)")
	for i in 1 2 3 4 5 6; do
		is "$(cat "$T/race.$i")" "$want" "command $i ran in the keeper's namespace"
	done
	# the losers said nothing about a second namespace (a warning comes at most once)
	local warnings
	warnings=$(cat "$T"/race.*.err | grep -c 'warning' || true)
	[ "$warnings" -le 1 ]
}

@test "unshare: the ID mapping for this user" {
	run_burrow 0 unshare cat /proc/self/uid_map
	local first="$output"
	run_burrow 0 unshare cat /proc/self/uid_map
	local uidmap gidmap
	uidmap=$(norm_map <<<"$output")
	run_burrow 0 unshare cat /proc/self/gid_map
	gidmap=$(norm_map <<<"$output")
	if [ "$UID_NOW" = 0 ]; then
		# root: every ID this process has, mapped to itself
		is "$uidmap" "$(awk '{ print $1, $1, $3 }' /proc/self/uid_map | norm_map)" "identity uid map"
		is "$gidmap" "$(awk '{ print $1, $1, $3 }' /proc/self/gid_map | norm_map)" "identity gid map"
		assert_no_match "$first" "warning"
	elif has_subuid; then
		is "$uidmap" "$(expected_subid_map /etc/subuid "$UID_NOW")" "subuid map"
		is "$gidmap" "$(expected_subid_map /etc/subgid "$(id -g)")" "subgid map"
		assert_no_match "$first" "warning"
	else
		is "$uidmap" "0 $UID_NOW 1" "single-ID uid map"
		is "$gidmap" "0 $(id -g) 1" "single-ID gid map"
		assert_match "$first" "burrow: warning: no subordinate IDs for '$(id -un)' in /etc/subuid: using a single-ID mapping"
		assert_match "$first" "burrow system migrate"
		is "$(grep -c warning <<<"$first")" 1 "one warning line"
		# said once, when the keeper was created
		assert_no_match "$output" "warning"
		run_burrow 0 unshare cat /proc/self/setgroups
		is "$output" "deny"
	fi
}

@test "a newuidmap that refuses the ranges: single-ID mapping (only users with ranges call it)" {
	mkdir -p "$T/bin"
	printf '#!/bin/sh\necho called >>"%s"\necho "newuidmap: range not allowed" >&2\nexit 1\n' \
		"$T/called" >"$T/bin/newuidmap"
	cp "$T/bin/newuidmap" "$T/bin/newgidmap"
	chmod 0755 "$T/bin/newuidmap" "$T/bin/newgidmap"
	PATH=$T/bin:$PATH run_burrow 0 unshare cat /proc/self/uid_map
	local first=$output
	run_burrow 0 unshare cat /proc/self/uid_map
	if [ "$UID_NOW" = 0 ]; then
		[ ! -e "$T/called" ] || {
			echo "root ran newuidmap" >&2
			return 1
		}
		assert_no_match "$first" "warning"
	elif has_subuid; then
		[ -e "$T/called" ]
		is "$(norm_map <<<"$output")" "0 $UID_NOW 1" "single-ID map after newuidmap failed"
		assert_match "$first" "burrow: warning: cannot set the ID mapping \(subuid\) of the new user namespace: '$T/bin/newuidmap' exited with 1: newuidmap: range not allowed: using a single-ID mapping"
	else
		[ ! -e "$T/called" ] || {
			echo "newuidmap was run for a user without ranges" >&2
			return 1
		}
		is "$(norm_map <<<"$output")" "0 $UID_NOW 1"
	fi
}

@test "newuidmap missing: single-ID mapping that says which package" {
	# a PATH with only what run_burrow needs
	mkdir -p "$T/emptybin"
	ln -s "$(command -v timeout)" "$T/emptybin/timeout"
	PATH=$T/emptybin run_burrow 0 unshare /bin/cat /proc/self/uid_map
	if [ "$UID_NOW" = 0 ]; then
		assert_no_match "$output" "warning"
	elif has_subuid; then
		assert_match "$output" "burrow: warning: newuidmap not found \(Debian package uidmap\): using a single-ID mapping"
		is "$(norm_map <<<"${lines[-1]}")" "0 $UID_NOW 1"
	else
		assert_match "$output" "burrow: warning: no subordinate IDs for '$(id -un)' in /etc/subuid"
	fi
}

@test "unshare: uid 0 and gid 0 with full capabilities inside" {
	run_burrow 0 unshare true
	run_burrow 0 unshare id -u
	is "$output" 0
	run_burrow 0 unshare id -g
	is "$output" 0
	run_burrow 0 unshare grep -E '^Cap(Eff|Bnd):' /proc/self/status
	local eff bnd
	eff=$(awk '/^CapEff/ { print $2 }' <<<"$output")
	bnd=$(awk '/^CapBnd/ { print $2 }' <<<"$output")
	is "$eff" "$bnd" "effective capabilities are the whole bounding set"
	[ "$eff" != 0000000000000000 ]
}

@test "unshare: keeps the working directory" {
	mkdir -p "$T/work dir"
	cd "$T/work dir"
	run_burrow 0 unshare pwd
	is "${lines[-1]}" "$T/work dir"
}

@test "unshare: exit status passes through" {
	run_burrow 7 unshare sh -c 'exit 7'
	run_burrow 0 unshare true
	run_burrow 1 unshare false
	run_burrow 143 unshare sh -c 'kill -TERM $$'
}

@test "unshare: a command that is not found exits 127, one that cannot run 126" {
	run -127 timeout "$BURROW_TIMEOUT" "$BURROW" unshare no-such-command-xyz
	assert_match "$output" "burrow: executable file 'no-such-command-xyz' not found in \\\$PATH"
	run -127 timeout "$BURROW_TIMEOUT" "$BURROW" unshare "$T/no/such/file"
	assert_match "$output" "burrow: cannot run '$T/no/such/file'"
	printf '#!/bin/sh\necho hi\n' >"$T/noexec"
	chmod 0644 "$T/noexec"
	run_burrow 126 unshare "$T/noexec"
	assert_match "$output" "burrow: cannot execute '$T/noexec': Permission denied"
}

@test "unshare: a PATH entry that cannot be searched still means not found; scripts without #! run with sh" {
	# /root is closed to other users (and unmapped inside for them)
	PATH=/root:$PATH run -127 timeout "$BURROW_TIMEOUT" "$BURROW" unshare no-such-command-xyz
	assert_match "$output" "not found in \\\$PATH"
	mkdir -p "$T/bin"
	printf 'echo script-ran-as-$(id -u)\n' >"$T/bin/plain-script"
	chmod 0755 "$T/bin/plain-script"
	PATH=$T/bin:$PATH run_burrow 0 unshare plain-script
	is "${lines[-1]}" "script-ran-as-0"
}

@test "unshare: without a command it runs \$SHELL" {
	run_burrow 0 unshare true
	run bash -c "echo 'echo shell-ran-as-\$(id -u)' | SHELL=/bin/sh timeout 30 '$BURROW' unshare"
	is "$status" 0
	is "$output" "shell-ran-as-0"
}

@test "unshare: SIGTERM to burrow is forwarded to the command" {
	run_burrow 0 unshare true
	"$BURROW" unshare sh -c 'trap "echo got-term; exit 3" TERM; echo ready; sleep 30 & wait' >"$T/fwd.out" 2>&1 &
	local pid=$! i
	BG_PIDS+=($pid)
	for i in $(seq 1 400); do
		grep -q ready "$T/fwd.out" && break
		sleep 0.05
	done
	grep -q ready "$T/fwd.out"
	kill -TERM "$pid"
	local rc=0
	for i in $(seq 1 400); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	wait "$pid" || rc=$?
	is "$rc" 3 "burrow's exit status is the command's"
	assert_match "$(cat "$T/fwd.out")" "got-term"
}

@test "started with SIGCHLD ignored: the keeper is still created and the status passed through" {
	command -v perl >/dev/null || need_or_fail "perl not installed"
	run timeout "$BURROW_TIMEOUT" perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or exit 99' "$BURROW" unshare sh -c 'exit 5'
	is "$status" 5
	[ -n "$(keeper_pid)" ]
}

@test "mounts made inside stay inside and persist across commands" {
	mkdir -p "$T/mnt"
	run_burrow 0 unshare mount -t tmpfs tmpfs "$T/mnt"
	run_burrow 0 unshare sh -c "grep -c ' $T/mnt ' /proc/self/mountinfo"
	is "${lines[-1]}" 1 "the mount is there for the next command"
	run grep -c " $T/mnt " /proc/self/mountinfo
	is "$output" 0 "the mount did not leak out"
}

@test "burrow inside burrow unshare joins the same namespace" {
	run_burrow 0 unshare true
	run_burrow 0 unshare "$BURROW" unshare readlink /proc/self/ns/user
	is "$output" "$(userns_of "$(keeper_pid)")"
}

@test "the join costs well under a millisecond" {
	[ -x "$HELPERS_BIN/userns_join_time" ] || need_or_fail "helper userns_join_time not built"
	run_burrow 0 unshare true
	local i best=999999 us
	for i in 1 2 3 4 5 6 7; do
		run "$HELPERS_BIN/userns_join_time"
		is "$status" 0
		read -r us uid <<<"$output"
		is "$uid" 0 "uid after joining"
		[ "$us" -lt "$best" ] && best=$us
	done
	echo "# fastest join: $best us" >&3
	[ "$best" -lt 1000 ]
}

@test "XDG_RUNTIME_DIR unset: falls back to a private dir under TMPDIR" {
	unset XDG_RUNTIME_DIR
	export TMPDIR=$T/tmp
	mkdir -p "$TMPDIR"
	run_burrow 0 unshare id -u
	is "${lines[-1]}" 0
	local dir=$T/tmp/burrow-run-$UID_NOW
	is "$(stat -c %a "$dir")" 700 "fallback dir mode"
	is "$(stat -c %u "$dir")" "$UID_NOW" "fallback dir owner"
	local pid
	pid=$(keeper_pid "$dir/keeper.pid")
	is "$(cat "/proc/$pid/comm")" "burrow-keeper"
	# and it is reused
	run_burrow 0 unshare true
	is "$(keeper_pid "$dir/keeper.pid")" "$pid"
}

@test "XDG_RUNTIME_DIR unset: burrow inside burrow unshare uses the same fallback dir" {
	unset XDG_RUNTIME_DIR
	export TMPDIR=$T/tmp
	mkdir -p "$TMPDIR"
	run_burrow 0 unshare "$BURROW" unshare readlink /proc/self/ns/user
	local pid
	pid=$(keeper_pid "$T/tmp/burrow-run-$UID_NOW/keeper.pid")
	is "${lines[-1]}" "$(userns_of "$pid")" "the inner burrow joined the outer keeper"
	is "$(ls "$T/tmp")" "burrow-run-$UID_NOW" "no second fallback dir (uid 0 inside is still $UID_NOW)"
}

@test "XDG_RUNTIME_DIR that is not ours: falls back" {
	export TMPDIR=$T/tmp
	mkdir -p "$TMPDIR"
	if [ "$UID_NOW" = 0 ]; then
		mkdir -p "$T/theirs"
		chown nobody "$T/theirs"
		export XDG_RUNTIME_DIR=$T/theirs
	else
		export XDG_RUNTIME_DIR=/
	fi
	run_burrow 0 unshare true
	[ -f "$T/tmp/burrow-run-$UID_NOW/keeper.pid" ]
	XDG_RUNTIME_DIR=$T/does-not-exist run_burrow 0 unshare true
}

@test "a hostile fallback dir is refused: symlink" {
	unset XDG_RUNTIME_DIR
	export TMPDIR=$T/tmp
	mkdir -p "$TMPDIR" "$T/elsewhere"
	ln -s "$T/elsewhere" "$T/tmp/burrow-run-$UID_NOW"
	run_burrow 125 unshare true
	is "${lines[0]}" "burrow: runtime dir '$T/tmp/burrow-run-$UID_NOW' is a symlink: refusing to use it"
	assert_match "${lines[1]}" "^hint: "
	is "${#lines[@]}" 2 "one error line and one hint"
	is "$(ls -A "$T/elsewhere")" "" "nothing was written through the symlink"
}

@test "a hostile fallback dir is refused: accessible by others" {
	unset XDG_RUNTIME_DIR
	export TMPDIR=$T/tmp
	mkdir -p "$TMPDIR"
	mkdir -m 0755 "$T/tmp/burrow-run-$UID_NOW"
	run_burrow 125 unshare true
	is "${lines[0]}" "burrow: runtime dir '$T/tmp/burrow-run-$UID_NOW' is accessible by other users (mode 0755): refusing to use it"
	assert_match "${lines[1]}" "^hint: make it private"
	is "$(ls -A "$T/tmp/burrow-run-$UID_NOW")" "" "nothing was written into it"
}

@test "a hostile fallback dir is refused: owned by someone else" {
	[ "$UID_NOW" = 0 ] || skip "needs root to give a directory away (runs in the root pass)"
	unset XDG_RUNTIME_DIR
	export TMPDIR=$T/tmp
	mkdir -p "$TMPDIR"
	mkdir -m 0700 "$T/tmp/burrow-run-0"
	chown nobody "$T/tmp/burrow-run-0"
	run_burrow 125 unshare true
	is "${lines[0]}" "burrow: runtime dir '$T/tmp/burrow-run-0' is owned by uid 65534, not by you (uid 0): refusing to use it"
	assert_match "${lines[1]}" "^hint: "
	is "$(ls -A "$T/tmp/burrow-run-0")" "" "nothing was written into it"
}

@test "--runroot: a relative directory is made absolute where burrow starts" {
	# what is recorded under it (mount points, the keeper) must not depend
	# on the directory a later command runs in
	mkdir -p "$T/wd"
	cd "$T/wd"
	run_burrow 0 --runroot rr info
	assert_match "$output" "runtime dir: +$T/wd/rr \(--runroot\)"
	run_burrow 0 --runroot "$T/wd/rr" unshare true
	[ -f "$T/wd/rr/keeper.pid" ]
}

@test "system migrate stops the keeper; the next command starts a new one" {
	run_burrow 0 unshare true
	local pid=$(keeper_pid) st
	st=$(start_time "$pid")
	run_burrow 0 system migrate
	wait_gone "$pid" "$st"
	[ ! -e "$XDG_RUNTIME_DIR/burrow/keeper.pid" ]
	run_burrow 0 unshare true
	local new=$(keeper_pid)
	[ -n "$new" ] && [ "$new" != "$pid" ]
	is "$(cat "/proc/$new/comm")" "burrow-keeper"
}

@test "system migrate without a keeper is fine" {
	run_burrow 0 system migrate
	run_burrow 0 system migrate
}

@test "root inside an existing user namespace maps exactly the IDs that exist" {
	command -v unshare >/dev/null || need_or_fail "unshare (util-linux) not installed"
	unshare -Ur true 2>/dev/null || need_or_fail "unshare -Ur does not work here"
	# one outer namespace for both commands: a keeper made from one
	# `unshare -Ur` cannot be joined from a sibling namespace
	run timeout "$BURROW_TIMEOUT" unshare -Ur sh -c \
		'"$BURROW" unshare cat /proc/self/uid_map && echo --- && "$BURROW" unshare cat /proc/self/gid_map'
	is "$status" 0
	assert_no_match "$output" "warning"
	is "$(sed '/^---$/,$d' <<<"$output" | norm_map)" "0 0 1" "identity of the one mapped uid"
	is "$(sed '1,/^---$/d' <<<"$output" | norm_map)" "0 0 1" "identity of the one mapped gid"
}

@test "user namespaces disabled: one clear error with a hint, nothing left behind" {
	unshare -Ur true 2>/dev/null || need_or_fail "unshare -Ur does not work here"
	# the limit is per user namespace: set it to 0 in a throwaway one
	run timeout "$BURROW_TIMEOUT" unshare -Ur sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces || exit 99; exec "$BURROW" unshare true'
	[ "$status" != 99 ] || need_or_fail "cannot lower user.max_user_namespaces here"
	is "$status" 125
	is "${lines[0]}" "burrow: cannot set up the user namespace: cannot create a user namespace: No space left on device"
	assert_match "${lines[1]}" "^hint: unprivileged user namespaces may be disabled here: check the sysctls user.max_user_namespaces"
	is "${#lines[@]}" 2
	[ ! -e "$XDG_RUNTIME_DIR/burrow/keeper.pid" ]
}

@test "the keeper shows as burrow-keeper, not as the command that made it" {
	run_burrow 0 info --format json
	local pid=$(keeper_pid)
	[ -n "$pid" ]
	is "$(tr -d '\0' <"/proc/$pid/cmdline")" "burrow-keeper"
	if command -v ps >/dev/null; then
		is "$(ps -o args= -p "$pid")" "burrow-keeper"
	fi
}

@test "the keeper ends when nothing can find it any more: its runtime dir removed, its pid file gone or replaced" {
	local pid st
	run_burrow 0 unshare true
	pid=$(keeper_pid)
	st=$(proc_start "$pid")
	rm -rf "$XDG_RUNTIME_DIR/burrow"
	wait_dead "$pid" "$st" 20
	run_burrow 0 unshare true
	pid=$(keeper_pid)
	st=$(proc_start "$pid")
	# its pid file removed (a tmp cleaner)
	rm "$XDG_RUNTIME_DIR/burrow/keeper.pid"
	wait_dead "$pid" "$st" 20
	run_burrow 0 unshare true
	pid=$(keeper_pid)
	st=$(proc_start "$pid")
	# its pid file naming another keeper
	echo "1 1" >"$T/pid.new"
	mv "$T/pid.new" "$XDG_RUNTIME_DIR/burrow/keeper.pid"
	wait_dead "$pid" "$st" 20
	rm "$XDG_RUNTIME_DIR/burrow/keeper.pid"
	# other files coming and going leave it be
	run_burrow 0 unshare true
	pid=$(keeper_pid)
	st=$(proc_start "$pid")
	touch "$XDG_RUNTIME_DIR/burrow/other"
	mv "$XDG_RUNTIME_DIR/burrow/other" "$XDG_RUNTIME_DIR/burrow/other2"
	rm "$XDG_RUNTIME_DIR/burrow/other2"
	sleep 0.2
	proc_running "$pid" "$st"
	run_burrow 0 unshare true
	is "$(keeper_pid)" "$pid"
}

@test "a storage root on a filesystem mounted after the keeper started is reported; system migrate fixes it" {
	command -v unshare >/dev/null || need_or_fail "unshare (util-linux)"
	# in a namespace the test makes, where '/' is private (unshare's
	# default) as it is on some hosts
	mkdir -p "$T/late"
	cat >"$T/inner.sh" <<INNER
export XDG_DATA_HOME=$T/d2 XDG_RUNTIME_DIR=$T/r2
mkdir -p -m 0700 \$XDG_RUNTIME_DIR
"$BURROW" unshare true || exit 1
mount -t tmpfs tmpfs "$T/late" || exit 1
rc=0
"$BURROW" --root "$T/late/store" ps -a || rc=\$?
echo "rc=\$rc"
"$BURROW" system migrate
"$BURROW" --root "$T/late/store" ps -a -q && echo after-migrate-ok
"$BURROW" system migrate
INNER
	run timeout 60 unshare -Urm sh "$T/inner.sh"
	echo "$output"
	is "$status" 0
	[[ "$output" == *"burrow: storage root '$T/late/store' is missing in burrow's mount namespace: its filesystem was mounted after the namespace keeper started, and '/' is not a shared mount here"* ]]
	[[ "$output" == *"hint: run 'burrow system migrate': the next command then starts a namespace keeper that sees it"* ]]
	assert_match "$output" $'\nrc=125\n'
	assert_match "$output" "after-migrate-ok"
}
