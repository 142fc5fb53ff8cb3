#!/usr/bin/env bats
# burrow init: a container prepared (rootfs mounted, network, its init
# created) whose command waits for a start; ps and inspect say
# Initialized; start runs it, stop and rm end it and leave nothing.

load helpers

suite_setup() {
	import_busybox
	bgpids=
	stopped=
}

suite_teardown() {
	local p
	[ -z "$stopped" ] || kill -CONT "$stopped" 2>/dev/null || true
	for p in $bgpids; do kill "$p" 2>/dev/null || true; done
}

# The full ID of container $1 (its name).
container_id() {
	"$BURROW" ps -a --no-trunc --format '{{.ID}} {{.Names}}' | awk -v n="$1" '$2 == n { print $1 }'
}

# monitor_of NAME: its monitor's "PID STARTTIME" (monitor.pid).
monitor_of() {
	cat "$XDG_RUNTIME_DIR/burrow/containers/$(container_id "$1")/monitor.pid"
}

# mounted ID: how many mounts of container ID the keeper's namespace has.
mounted() {
	grep -c "burrow/containers/$1/" "/proc/$(keeper_pid)/mountinfo" || true
}

# its upper directory: what its command writes lands there
upper_of() {
	echo "$XDG_DATA_HOME/burrow/containers/$(container_id "$1")/upper"
}

@test "init: prepares the container (rootfs mounted, its monitor up) without running its command; start runs it" {
	run_burrow 0 create --name iv1 busybox sh -c 'touch /ran; echo hello; exec sleep 600'
	local id
	id=$(container_id iv1)
	run_burrow 0 init iv1
	is "$output" "iv1"
	is "$(status_of iv1)" "Initialized"
	run_burrow 0 wait --condition initialized iv1
	is "$output" "-1"
	run_burrow 0 ps -a --format '{{.Names}} {{.State}}'
	is "$output" "iv1 initialized"
	grep -q " [^ ]*/burrow/containers/$id/merged " "/proc/$(keeper_pid)/mountinfo"
	local mon
	mon=$(monitor_of iv1)
	proc_running $mon
	# its init and monitor, as podman's inspect shows them
	run_burrow 0 inspect --format '{{.State.Status}} {{.State.Running}} {{.State.ConmonPid}}' iv1
	is "$output" "initialized false ${mon%% *}"
	run_burrow 0 inspect --format '{{.State.Pid}}' iv1
	local pid=$output
	[ "$pid" -gt 0 ]
	[ -d "/proc/$pid" ]
	# ps shows the same init
	run_burrow 0 ps -a --format '{{.Names}} {{.Pid}}'
	assert_match "$output" "iv1 $pid"
	# set up, not run: the file its command writes is not there, nor its output
	[ ! -e "$(upper_of iv1)/ran" ]
	run_burrow 0 logs iv1
	is "$output" ""
	run_burrow 0 start iv1
	is "$output" "iv1"
	wait_logs iv1 hello
	[ -e "$(upper_of iv1)/ran" ]
	assert_match "$(status_of iv1)" "^Up "
	# the same monitor runs it
	is "$(monitor_of iv1)" "$mon"
	run_burrow 0 events --since 10m --until 0s --filter container=iv1 --format '{{.Status}}'
	is "$(tr '\n' ' ' <<<"$output")" "create init start "
}

@test "init: start -a of an initialized container relays its output and exit code" {
	run_burrow 0 create --name iv2 busybox sh -c 'echo out; echo err >&2; exit 3'
	run_burrow 0 init iv2
	run_burrow 3 start -a iv2
	assert_match "$output" "out"
	assert_match "$output" "err"
	wait_state iv2 '^Exited \(3\)'
	# one whose command cannot be run: start says so, it ends exited
	run_burrow 0 create --name iv3 busybox /no/such/cmd
	run_burrow 0 init iv3
	run_burrow 125 start iv3
	assert_match "$output" "no/such/cmd"
	wait_state iv3 '^Exited \(127\)'
}

@test "init: a second start while the first one's is under way waits for it: both print the name, exit 0 (the command ran to its end)" {
	run_burrow 0 create --name ivgo busybox sh -c 'echo ran'
	run_burrow 0 init ivgo
	local mon
	mon=$(monitor_of ivgo)
	# the monitor stopped: the first start's GO waits in its socket
	stopped=${mon%% *}
	kill -STOP "$stopped"
	BURROW_TRACE_TIMES=$T/a.trace "$BURROW" start ivgo >"$T/a.out" 2>&1 &
	local a=$!
	bgpids="$bgpids $a"
	wait_line "$T/a.trace" 'start: go sent'
	# the second finds the container's lock held (the GO carries it):
	# it waits, instead of finding it initialized and sending a GO of its
	# own that the monitor reads after the command ended
	BURROW_TRACE_TIMES=$T/b.trace "$BURROW" start ivgo >"$T/b.out" 2>&1 &
	local b=$!
	bgpids="$bgpids $b"
	wait_line "$T/b.trace" 'state: backoff'
	kill -CONT "$stopped"
	stopped=
	local rc=0
	wait $a || rc=$?
	is "$rc $(cat "$T/a.out")" "0 ivgo"
	rc=0
	wait $b || rc=$?
	# it found it running (already started) or exited (it starts it
	# again), as podman's start under the container's lock
	is "$rc $(cat "$T/b.out")" "0 ivgo"
	bgpids=
	wait_state ivgo '^Exited \(0\)'
	assert_match "$("$BURROW" logs ivgo)" "^ran"
}

@test "init: rm and rm -f of an initialized container leave no mount, monitor or record; stop makes it exited" {
	local n id mon
	for n in iv4 iv5 iv6; do
		run_burrow 0 create --name $n busybox sh -c 'echo ran; exec sleep 600'
		run_burrow 0 init $n
	done
	for n in iv4 iv5; do
		id=$(container_id $n)
		mon=$(monitor_of $n)
		if [ $n = iv4 ]; then run_burrow 0 rm -f $n; else run_burrow 0 rm $n; fi
		is "$output" "$n"
		wait_dead $mon
		is "$(mounted "$id")" 0 "$n: mounts left"
		[ ! -e "$XDG_RUNTIME_DIR/burrow/containers/$id" ]
		[ ! -e "$XDG_DATA_HOME/burrow/containers/$id" ]
		run_burrow 1 container exists $n
	done
	id=$(container_id iv6)
	mon=$(monitor_of iv6)
	run_burrow 0 stop iv6
	wait_dead $mon
	assert_match "$(status_of iv6)" "^Exited "
	is "$(mounted "$id")" 0 "iv6: mounts left"
	run_burrow 0 logs iv6
	is "$output" "" "its command ran"
	# and it can be initialized again
	run_burrow 0 init iv6
	is "$(status_of iv6)" "Initialized"
}

@test "init: of a running or initialized container fails (125), as of a missing one; kill and exec refuse it" {
	run_burrow 0 run -d --name iv7 busybox sleep 600
	run_burrow 125 init iv7
	assert_match "$output" "running"
	run_burrow 0 create --name iv8 busybox sleep 600
	run_burrow 0 init iv8
	run_burrow 125 init iv8
	assert_match "$output" "initialized"
	# in podman's words: initialized
	run_burrow 125 kill iv8
	assert_match "$output" "cannot kill container 'iv8': it is initialized, not running"
	run_burrow 125 exec iv8 true
	assert_match "$output" "cannot exec in container 'iv8': it is initialized, not running"
	run_burrow 125 pause iv8
	assert_match "$output" "container 'iv8' is initialized: it cannot become paused"
	is "$(status_of iv8)" "Initialized"
	run_burrow 125 init no-such-ctr
	assert_match "$output" "no such container"
	# container init is the same verb
	run_burrow 0 create --name iv9 busybox true
	run_burrow 0 container init iv9
	is "$(status_of iv9)" "Initialized"
}

@test "init --all initializes every container neither running nor initialized, printing every container as podman's; -l the last created" {
	run_burrow 0 run -d --name ivr busybox sleep 600
	run_burrow 0 create --name iva busybox true
	run_burrow 0 create --name ivb busybox true
	run_burrow 0 run --name ive busybox true
	run_burrow 0 create --name ivi busybox true
	run_burrow 0 init ivi
	run_burrow 0 init --all
	# the running and initialized ones too, as podman's
	is "$(sort <<<"$output" | tr '\n' ' ')" \
		"$("$BURROW" ps -a -q --no-trunc | sort | tr '\n' ' ')"
	assert_match "$output" "$(container_id ivr)"
	assert_match "$output" "$(container_id ivi)"
	run_burrow 0 ps -a --format '{{.Names}} {{.Status}}'
	assert_match "$output" "iva Initialized"
	assert_match "$output" "ivb Initialized"
	assert_match "$output" "ive Initialized"
	assert_match "$output" "ivi Initialized"
	assert_match "$output" "ivr Up "
	run_burrow 0 create --name ivl busybox true
	run_burrow 0 init -l
	is "$output" "$(container_id ivl)"
	is "$(status_of ivl)" "Initialized"
	run_burrow 125 init --all ivl
}

@test "init: the policy does not restart an initialized container whose init ended (stop, or killed from outside)" {
	local n mon pid ev
	for n in ivp1 ivp2; do
		run_burrow 0 create --name $n --restart=always busybox sh -c 'echo ran; exec sleep 600'
		run_burrow 0 init $n
		mon=$(monitor_of $n)
		if [ $n = ivp1 ]; then
			run_burrow 0 stop $n
		else
			run_burrow 0 inspect --format '{{.State.Pid}}' $n
			pid=$output
			[ "$pid" -gt 0 ]
			kill -KILL "$pid"
		fi
		# a restart would keep the monitor: it ends instead
		wait_dead $mon 120
		assert_match "$(status_of $n)" "^Exited "
		run_burrow 0 logs $n
		is "$output" "" "$n: its command ran"
		run_burrow 0 events --since 10m --until 0s --filter container=$n --format '{{.Status}}'
		# no start: neither the policy's nor anyone's
		ev=" $(tr '\n' ' ' <<<"$output")"
		assert_match "$ev" "^ create init "
		[[ $ev != *" start "* && $ev != *" restart "* ]] || { echo "$n: $ev" >&2; false; }
	done
}

@test "init: with --log-driver passthrough the command writes to what init had as its output, once started" {
	local out=$BATS_TEST_TMPDIR/pt.out
	run_burrow 0 create --name ivpt --log-driver passthrough busybox sh -c 'echo hi-from-ivpt'
	"$BURROW" init ivpt >"$out"
	is "$(cat "$out")" "ivpt"
	is "$(status_of ivpt)" "Initialized"
	run_burrow 0 start ivpt
	is "$output" "ivpt"
	wait_state ivpt '^Exited \(0\)'
	is "$(cat "$out")" "ivpt
hi-from-ivpt"
}

@test "init: stop --all and stop --filter stop initialized containers too (Exited (137)); rm -a removes them without -f (as podman's)" {
	local mon id2
	run_burrow 0 create --name ivs0 busybox sleep 600
	run_burrow 0 init ivs0
	mon=$(monitor_of ivs0)
	run_burrow 0 stop --filter name=ivs0
	is "$output" "$(container_id ivs0)"
	wait_dead $mon
	# killed at once, its command never ran (podman 4.3 with runc says 2:
	# its Go runc init, the container's PID 1, cannot die of SIGTERM)
	assert_match "$(status_of ivs0)" "^Exited \(137\)"
	# stop --all: each container, printed by its full ID, the running,
	# the initialized, the created and the exited (ivs0) ones, as podman
	# 4.3's; the created one stays created
	run_burrow 0 create --name ivs1 busybox sleep 600
	run_burrow 0 init ivs1
	mon=$(monitor_of ivs1)
	run_burrow 0 run -d --name ivsr busybox sleep 600
	run_burrow 0 create --name ivsc busybox true
	local n out want=""
	for n in ivs0 ivs1 ivsr ivsc; do want+="$(container_id $n)"$'\n'; done
	# (its stderr: the warning that ivsr's SIGTERM did not end it in 0 s)
	out=$("$BURROW" stop -t 0 --all)
	is "$(sort <<<"$out")" "$(sort <<<"${want%$'\n'}")"
	wait_dead $mon
	assert_match "$(status_of ivs1)" "^Exited \(137\)"
	assert_match "$(status_of ivsr)" "^Exited \(137\)"
	is "$(status_of ivsc)" "Created"
	run_burrow 0 rm ivsr ivsc
	run_burrow 0 create --name ivs2 busybox sleep 600
	run_burrow 0 init ivs2
	mon=$(monitor_of ivs2)
	id2=$(container_id ivs2)
	[ -n "$id2" ]
	# ivs0 and ivs1 exited, ivs2 initialized: rm -a needs no -f
	run_burrow 0 rm -a
	assert_match "$output" "$id2"
	wait_dead $mon
	run_burrow 0 ps -a -q
	is "$output" ""
}

@test "init: stop of an initialized --rm container removes it; restart of an initialized one runs it (as podman's)" {
	local mon
	run_burrow 0 create --rm --name ivrm busybox sleep 600
	run_burrow 0 init ivrm
	mon=$(monitor_of ivrm)
	run_burrow 0 stop ivrm
	wait_dead $mon
	run_burrow 1 container exists ivrm
	run_burrow 0 create --name ivre busybox sh -c 'echo ran; exec sleep 600'
	run_burrow 0 init ivre
	run_burrow 0 restart ivre
	is "$output" "ivre"
	wait_logs ivre ran
	assert_match "$(status_of ivre)" "^Up "
}
