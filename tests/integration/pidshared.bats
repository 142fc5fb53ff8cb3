#!/usr/bin/env bats
# stop, kill and pause of a container that does not own its PID namespace
# (--pid host, --pid container:NAME) reach exactly its processes, found by
# its mount namespace: all of them (its exec'd ones too), never another
# container's or the user's own with the same command line.

load helpers

suite_setup() {
	[ -x /bin/busybox ] || need_or_fail "busybox-static (/bin/busybox)"
	import_busybox
	mark=pidshared-$$-$RANDOM
	user_pid=
}

suite_teardown() {
	"$BURROW" rm -f -t 0 b a h z >/dev/null 2>&1 || true
	if [ -n "$user_pid" ]; then kill "$user_pid" 2>/dev/null || true; fi
	# what a broken stop or kill left behind
	local w
	for w in child init a b z lz lh um; do
		pids_of "$mark-$w" | xargs -r kill -9 2>/dev/null
	done
	return 0
}

# A shell loop whose argv ends in its $0: the marker the tests look for
# (its last argument, so that a parent's script naming it does not count).
# In a container it runs from the host's busybox bound at /h/busybox
# (BB; so named, as busybox finds its applet by its name), not from the
# rootfs: once a container's monitor is gone, its fuse-overlayfs is too,
# and a process running from the rootfs dies of it (SIGBUS, or SIGPIPE on
# the closed log), which would hide a process that stop or kill left
# behind. Its errors go nowhere; it stops itself rather than spin when
# sleep cannot run.
loop='exec 2>/dev/null; while :; do /h/busybox sleep 1 || kill -STOP $$; done'
BB=(-v /bin/busybox:/h/busybox:ro)

# pids_of WORD: the live processes (not zombies) whose last argument is
# WORD, one pid a line (a process whose main thread ended while others
# run on counts: sysprobe leader-exit); burrow's own (a monitor keeps the argv of its run)
# are not counted. Read with bash's builtins: no process of the scan's
# has WORD in its own argv, and none is forked per process.
pids_of() {
	local p args st
	for p in /proc/[0-9]*; do
		mapfile -d '' args 2>/dev/null <"$p/cmdline" || continue
		if [ "${#args[@]}" = 0 ] && [ -d "$p/task" ]; then
			# a leader that ended has no memory left: a thread's
			local t
			for t in "$p"/task/*; do
				mapfile -d '' args 2>/dev/null <"$t/cmdline" || continue
				[ "${#args[@]}" = 0 ] || break
			done
		fi
		[ "${#args[@]}" -gt 1 ] && [ "${args[-1]}" = "$1" ] || continue
		[[ ${args[0]} == *burrow ]] && continue
		read -r st 2>/dev/null <"$p/stat" || continue
		st=${st##*) }
		read -r -a st <<<"$st"
		# a zombie, unless its main thread ended while others run on
		# (field 20, num_threads: index 17 from the state's)
		[ "${st[0]}" != Z ] || [ "${st[17]}" -gt 1 ] || continue
		echo "${p#/proc/}"
	done
}

# wait_count WORD N: until N processes end in WORD (at most 20 s)
wait_count() {
	local n end=$((SECONDS + 20))
	while :; do
		n=$(pids_of "$1" | wc -l)
		[ "$n" = "$2" ] && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.05
	done
	echo "$n processes end in '$1', not $2" >&2
	pids_of "$1" | while read -r p; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done >&2
	return 1
}

# strangers_of PID: the live processes (not zombies) in the PID namespace
# of process PID but not in its mount namespace (another container's,
# or one a start set up), on one line. A container's init is out of
# sight (born non-dumpable) until its setup is done.
strangers_of() {
	local p st left=
	for p in /proc/[0-9]*; do
		[ "$p/ns/pid" -ef "/proc/$1/ns/pid" ] && ! [ "$p/ns/mnt" -ef "/proc/$1/ns/mnt" ] || continue
		read -r st 2>/dev/null <"$p/stat" || continue
		st=${st##*) }
		[ "${st%% *}" = Z ] || left="$left ${p#/proc/}"
	done
	echo $left
}

@test "pidshared: stop of a --pid host container ends all its processes, not the user's with the same argv" {
	sh -c "${loop//\/h\/busybox /}" "$mark-child" >/dev/null 2>&1 3>&- &
	user_pid=$!
	run_burrow 0 run -d --name h --pid host "${BB[@]}" busybox /h/busybox sh -c "/h/busybox sh -c '$loop' $mark-child & $loop" "$mark-init"
	wait_count "$mark-init" 1
	wait_count "$mark-child" 2
	run_burrow 0 stop -t 2 h
	# none left once stop returns
	run pids_of "$mark-init"
	is "$output" ""
	run pids_of "$mark-child"
	is "$output" "$user_pid"
	run_burrow 0 inspect --format '{{.State.Status}}' h
	is "$output" exited
}

# start_pair: container a (a shell and its child, ending in $mark-a),
# and b in a's PID namespace (its init and an exec'd shell, ending in
# $mark-b); their pids in $apids and $bpids
start_pair() {
	run_burrow 0 run -d --name a "${BB[@]}" busybox /h/busybox sh -c "/h/busybox sh -c '$loop' $mark-a & $loop" "$mark-a"
	wait_count "$mark-a" 2
	run_burrow 0 run -d --name b --pid container:a "${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-b"
	run_burrow 0 exec -d b /h/busybox sh -c "$loop" "$mark-b"
	wait_count "$mark-b" 2
	apids=$(pids_of "$mark-a")
	bpids=$(pids_of "$mark-b")
}

# joiner_stays_paused MECH PID: a joiner paused stays paused when the
# owner is paused and unpaused: pauses b, pauses and unpauses a (until a's
# process PID runs again), sees b's processes still stopped (MECH sigstop:
# a frozen cgroup shows in no process state), then unpauses b.
joiner_stays_paused() {
	local p
	run_burrow 0 pause b
	if [ "$1" = sigstop ]; then
		for p in $(pids_of "$mark-b"); do wait_proc_state "$p" T; done
	fi
	run_burrow 0 pause a
	run_burrow 0 unpause a
	wait_proc_state "$2" running
	if [ "$1" = sigstop ]; then
		for p in $(pids_of "$mark-b"); do is "$(proc_state "$p")" T "b's process $p stays paused"; done
	fi
	run_burrow 0 unpause b
	for p in $(pids_of "$mark-b"); do wait_proc_state "$p" running; done
}

@test "pidshared: --pid container:NAME: pause of the owner stops its processes, never the joiner's" {
	start_pair
	run_burrow 0 info --format '{{.Host.PauseMechanism}}'
	local mech=$output p
	run_burrow 0 pause a
	if [ "$mech" = sigstop ]; then
		for p in $apids; do wait_proc_state "$p" T; done
	fi
	for p in $bpids; do [ "$(proc_state "$p")" != T ]; done
	run_burrow 0 unpause a
	for p in $apids; do wait_proc_state "$p" running; done
	# and pause of the joiner stops its own, exec'd one too, not the owner's
	run_burrow 0 pause b
	if [ "$mech" = sigstop ]; then
		for p in $bpids; do wait_proc_state "$p" T; done
	fi
	for p in $apids; do wait_proc_state "$p" running; done
	run_burrow 0 unpause b
	for p in $bpids; do wait_proc_state "$p" running; done
}

@test "pidshared: --pid container:NAME: kill -s of the joiner ends its main process, its monitor then its exec'd one, never the owner's" {
	start_pair
	run_burrow 0 kill -s USR1 b
	wait_count "$mark-b" 0
	run_burrow 0 wait b
	is "$output" 138
	is "$(pids_of "$mark-a")" "$apids"
}

@test "pidshared: --pid container:NAME: stop of the joiner ends all its processes, the owner keeps all of its" {
	start_pair
	run_burrow 0 stop -t 2 b
	is "$(pids_of "$mark-b")" ""
	is "$(pids_of "$mark-a")" "$apids"
	run_burrow 0 inspect --format '{{.State.Status}}' a
	is "$output" running
}

@test "pidshared: --pid container:NAME: a start whose pid namespace helper timed out fails and leaves no process in that namespace" {
	run_burrow 0 run -d --name a "${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-a"
	wait_count "$mark-a" 1
	local apid
	apid=$(pids_of "$mark-a")
	BURROW_TEST_PIDNS_HELPER_DELAY_MS=1500 BURROW_TEST_PIDNS_HELPER_MS=200 \
		run_burrow 125 run --name b --pid container:a "${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-b"
	assert_match "$output" "timed out"
	# the child the helper made exits at its gate, having run nothing:
	# none but a's own (its mount namespace's) is left in a's namespace
	local left end=$((SECONDS + 20))
	while [ "$SECONDS" -lt "$end" ]; do
		left=$(strangers_of "$apid")
		[ -z "$left" ] && break
		sleep 0.05
	done
	is "$left" ""
	is "$(pids_of "$mark-b")" ""
}

@test "pidshared: a --pid host container whose main process ends takes its other processes with it" {
	run_burrow 0 run -d --name h --pid host "${BB[@]}" busybox /h/busybox sh -c "/h/busybox sh -c '$loop' $mark-child & sleep 3" "$mark-init"
	wait_count "$mark-child" 1
	run_burrow 0 wait h
	is "$output" 0
	wait_count "$mark-child" 0
}

@test "pidshared: a process whose main thread ended (pthread_exit) is still alive: kill reaches it; with --pid host, stop ends it" {
	# its own PID namespace: the record's process, its leader a zombie
	# while a thread sleeps on, is signalled (not taken for gone)
	run_burrow 0 run -d --name z -v "$SYSPROBE:/h/sysprobe:ro" busybox /h/sysprobe leader-exit "$mark-lz"
	wait_count "$mark-lz" 1
	run_burrow 0 kill z
	wait_count "$mark-lz" 0
	run_burrow 0 wait z
	is "$output" 137
	# --pid host: such a process is found by its live thread's namespace
	run_burrow 0 run -d --name h --pid host -v "$SYSPROBE:/h/sysprobe:ro" "${BB[@]}" busybox /h/busybox sh -c "/h/sysprobe leader-exit $mark-lh & $loop" "$mark-init"
	wait_count "$mark-lh" 1
	wait_count "$mark-init" 1
	run_burrow 0 stop -t 2 h
	is "$(pids_of "$mark-lh")" ""
	is "$(pids_of "$mark-init")" ""
}

@test "pidshared: top and stats list a process whose main thread ended (pthread_exit), its own PID namespace's init or a --pid host container's" {
	# its own PID namespace: the init itself, its leader a zombie
	run_burrow 0 run -d --name z -v "$SYSPROBE:/h/sysprobe:ro" busybox /h/sysprobe leader-exit "$mark-lz"
	wait_count "$mark-lz" 1
	run_burrow 0 top z pid
	is "${#lines[@]}" 2 "the header and the init"
	is "$(echo ${lines[1]})" 1
	run_burrow 0 stats --no-stream --format '{{.PIDs}}' z
	is "$output" 1
	run_burrow 0 rm -f -t 0 z
	# --pid host: the container's sleep and its child that ended its main thread
	run_burrow 0 run -d --name h --pid host -v "$SYSPROBE:/h/sysprobe:ro" "${BB[@]}" busybox /h/busybox sh -c "/h/sysprobe leader-exit $mark-lh & exec /h/busybox sleep 1000"
	wait_count "$mark-lh" 1
	local lh
	lh=$(pids_of "$mark-lh")
	run_burrow 0 top h pid
	is "${#lines[@]}" 3 "the header, sleep and the process whose main thread ended"
	printf '%s\n' "${lines[@]}" | grep -qx " *$lh *" || { echo "$lh is not listed" >&2; false; }
	run_burrow 0 stats --no-stream --format '{{.PIDs}}' h
	is "$output" 2
}

@test "pidshared: pause of a container with its own PID namespace stops a process of it that made a mount namespace of its own (unshare -m), never a joiner's" {
	# SYS_ADMIN in the container's user namespace: unshare -m may be made there
	run_burrow 0 run -d --name a --cap-add SYS_ADMIN "${BB[@]}" busybox /h/busybox sh -c "/h/busybox unshare -m /h/busybox sh -c '$loop' $mark-um & $loop" "$mark-a"
	wait_count "$mark-a" 1
	wait_count "$mark-um" 1
	run_burrow 0 run -d --name b --pid container:a "${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-b"
	run_burrow 0 exec -d b /h/busybox sh -c "$loop" "$mark-b"
	wait_count "$mark-b" 2
	local um apid p
	um=$(pids_of "$mark-um")
	apid=$(pids_of "$mark-a")
	# it is in a's PID namespace, not in a's mount namespace
	[ "/proc/$um/ns/pid" -ef "/proc/$apid/ns/pid" ]
	! [ "/proc/$um/ns/mnt" -ef "/proc/$apid/ns/mnt" ]
	run_burrow 0 info --format '{{.Host.PauseMechanism}}'
	local mech=$output
	run_burrow 0 pause a
	if [ "$mech" = sigstop ]; then
		wait_proc_state "$apid" T
		wait_proc_state "$um" T
	fi
	for p in $(pids_of "$mark-b"); do [ "$(proc_state "$p")" != T ]; done
	run_burrow 0 unpause a
	wait_proc_state "$um" running
	wait_proc_state "$apid" running
	# a joiner paused stays paused when the owner is unpaused
	joiner_stays_paused "$mech" "$um"
}

@test "pidshared: pause of a container with its own PID namespace never stops a container that joined it by path (--pid ns:/proc/PID/ns/pid)" {
	run_burrow 0 run -d --name a "${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-a"
	wait_count "$mark-a" 1
	local apid p
	apid=$(pids_of "$mark-a")
	run_burrow 0 run -d --name b --pid "ns:/proc/$apid/ns/pid" "${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-b"
	wait_count "$mark-b" 1
	[ "/proc/$(pids_of "$mark-b")/ns/pid" -ef "/proc/$apid/ns/pid" ]
	run_burrow 0 info --format '{{.Host.PauseMechanism}}'
	local mech=$output
	run_burrow 0 pause a
	[ "$mech" != sigstop ] || wait_proc_state "$apid" T
	# one walk would have sent both: b's would be stopped by now too
	for p in $(pids_of "$mark-b"); do
		[ "$(proc_state "$p")" != T ] || { echo "b's process $p is paused" >&2; false; }
	done
	# and a joiner paused stays paused when the owner is unpaused
	run_burrow 0 unpause a
	wait_proc_state "$apid" running
	joiner_stays_paused "$mech" "$apid"
}

@test "pidshared: pause of a container with its own PID namespace stops a process of it in a PID namespace nested in it (unshare -p -f)" {
	# SYS_ADMIN in the container's user namespace: unshare -p may be made there
	run_burrow 0 run -d --name a --cap-add SYS_ADMIN "${BB[@]}" busybox /h/busybox sh -c "/h/busybox unshare -p -f /h/busybox sh -c '$loop' $mark-np & $loop" "$mark-a"
	wait_count "$mark-a" 1
	# unshare -f, and its child
	wait_count "$mark-np" 2
	local np= apid p
	apid=$(pids_of "$mark-a")
	for p in $(pids_of "$mark-np"); do
		[ "/proc/$p/ns/pid" -ef "/proc/$apid/ns/pid" ] || np=$p
	done
	# one is in a PID namespace of its own, in a's mount namespace
	[ -n "$np" ]
	[ "/proc/$np/ns/mnt" -ef "/proc/$apid/ns/mnt" ]
	run_burrow 0 info --format '{{.Host.PauseMechanism}}'
	[ "$output" = sigstop ] || skip "pause goes through the cgroup freezer here ($output)"
	run_burrow 0 pause a
	wait_proc_state "$apid" T
	wait_proc_state "$np" T
	run_burrow 0 unpause a
	wait_proc_state "$np" running
	wait_proc_state "$apid" running
}

@test "pidshared: --pid container:NAME of a --pid host container: create takes it, the start fails with 126 saying why (as podman); --uts likewise, each by NAME's mode for it" {
	# X's PID namespace is the host's, which belongs to the host's user
	# namespace: burrow's cannot enter it (setns: EPERM)
	run_burrow 0 run -d --name h --pid host --uts host busybox sleep 300
	run_burrow 126 run --rm --pid container:h busybox true
	is "$output" "burrow: cannot join the PID namespace of container 'h': it is the host's (--pid host), which burrow's user namespace cannot enter
hint: --pid host gives this container the same PID namespace"
	run_burrow 0 create --name z --uts container:h busybox true
	run_burrow 126 start -a z
	assert_match "$output" "cannot join the UTS namespace of container 'h': it is the host's \(--uts host\)"
	run_burrow 0 run --rm --pid host busybox true
	# each namespace by X's mode for it: u's UTS is the host's, its PID
	# namespace its own; p's the other way round
	run_burrow 0 run -d --name u --uts host busybox sleep 300
	run_burrow 126 run --rm --uts container:u busybox true
	assert_match "$output" "cannot join the UTS namespace of container 'u': it is the host's \(--uts host\)"
	run_burrow 0 run --rm --pid container:u busybox true
	run_burrow 0 run -d --name p --pid host busybox sleep 300
	run_burrow 0 run --rm --uts container:p busybox true
}

@test "pidshared: --pid container:NAME: a joiner whose init is being set up when its owner is paused is not stopped with it: its run ends, the owner stays paused (as podman)" {
	run_burrow 0 run -d --name a "${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-a"
	wait_count "$mark-a" 1
	local apid
	apid=$(pids_of "$mark-a")
	# the test hook holds the start with b's init set up in a's PID
	# namespace, its pid not yet in b's record; a pause of a then walks
	# that namespace
	BURROW_TEST_INIT_CREATED_DELAY_MS=3000 timeout "$BURROW_TIMEOUT" "$BURROW" run --name b --pid container:a \
		"${BB[@]}" busybox /h/busybox echo joined >"$T/b.out" 2>&1 3>&- &
	local bpid=$! i
	for i in $(seq 400); do
		[ -n "$(strangers_of "$apid")" ] && break
		sleep 0.05
	done
	[ -n "$(strangers_of "$apid")" ]
	run_burrow 0 pause a
	# b's run ends while a is paused (bounded by the timeout above)
	local rc=0
	wait "$bpid" || rc=$?
	is "$rc $(cat "$T/b.out")" "0 joined"
	run_burrow 0 inspect --format '{{.State.Status}}' a
	is "$output" paused
	run_burrow 0 unpause a
	wait_proc_state "$apid" running
}

@test "pidshared: a --pid container:NAME joiner's prestart hook runs without the join lock: pause, unpause and stop of others go on while it waits; its init is left out of its owner's pause" {
	# the joiner's hook waits until the test writes to a fifo, which it
	# does once pause and stop of the others have returned (on a lock held
	# across the hook, the pause would wait for it: 30 s, then fail)
	mkfifo "$T/go"
	mkdir -p "$T/hooks"
	cat >"$T/hook.sh" <<-EOF
		#!/bin/sh
		echo waiting >"$T/hook.state"
		read -r line <"$T/go"
		echo released >"$T/hook.state"
	EOF
	chmod +x "$T/hook.sh"
	cat >"$T/hooks/wait.json" <<-EOF
		{"version": "1.0.0", "hook": {"path": "$T/hook.sh", "timeout": 600}, "when": {"always": true}, "stages": ["prestart"]}
	EOF
	run_burrow 0 run -d --name a "${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-a"
	run_burrow 0 run -d --name z "${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-z"
	wait_count "$mark-a" 1
	wait_count "$mark-z" 1
	local apid zpid
	apid=$(pids_of "$mark-a")
	zpid=$(pids_of "$mark-z")
	# its bound covers the commands below too
	timeout $((BURROW_TIMEOUT * 3)) "$BURROW" --hooks-dir "$T/hooks" run -d --name b --pid container:a \
		"${BB[@]}" busybox /h/busybox sh -c "$loop" "$mark-b" >"$T/b.out" 2>&1 3>&- &
	local bpid=$! i
	for i in $(seq 1200); do
		[ -s "$T/hook.state" ] && break
		sleep 0.05
	done
	is "$(cat "$T/hook.state" 2>/dev/null)" waiting "the joiner's prestart hook runs"
	run_burrow 0 info --format '{{.Host.PauseMechanism}}'
	local mech=$output
	run_burrow 0 pause z
	[ "$mech" != sigstop ] || wait_proc_state "$zpid" T
	run_burrow 0 unpause z
	wait_proc_state "$zpid" running
	run_burrow 0 pause z
	run_burrow 0 stop -t 0 z
	# the owner, while the joiner's init is in its namespace and named
	# by its record: left out, its start goes on
	run_burrow 0 pause a
	[ "$mech" != sigstop ] || wait_proc_state "$apid" T
	# bounded: a hook that is gone would leave the fifo without a reader
	timeout "$BURROW_TIMEOUT" sh -c 'echo go >"$1"' sh "$T/go"
	local rc=0
	wait "$bpid" || rc=$?
	is "$rc $(cat "$T/hook.state")" "0 released"
	wait_count "$mark-b" 1
	local bst
	bst=$(proc_state "$(pids_of "$mark-b")")
	[ "$bst" != T ] || { echo "the joiner is stopped with its owner" >&2; false; }
	run_burrow 0 inspect --format '{{.State.Status}}' b
	is "$output" running
	run_burrow 0 unpause a
	wait_proc_state "$apid" running
}
