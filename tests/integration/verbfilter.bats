#!/usr/bin/env bats
# --filter on the verbs that act on containers (stop, rm, pause, unpause,
# restart, start), as podman 4.3's: ps's filters choose the containers,
# the full ID of each one acted on is printed, names are refused (start:
# the filter picks among them), --all and --latest give way to it.

load helpers

suite_setup() {
	import_busybox
}

# id_of NAME: its full ID.
id_of() {
	"$BURROW" inspect --format '{{.Id}}' "$1"
}

# sorted LINES...: the lines, sorted, one per line.
sorted() {
	printf '%s\n' "$@" | sort
}

# said: the full IDs $output holds (not the warnings of a stop -t 0), sorted.
said() {
	grep -E '^[0-9a-f]{64}$' <<<"$output" | sort
}

# Three containers: a1 (label app=x) and b1 running, c1 (app=x) created.
three() {
	run_burrow 0 run -d --name a1 --label app=x busybox sleep 600
	run_burrow 0 run -d --name b1 busybox sleep 600
	run_burrow 0 create --name c1 --label app=x busybox true
	A=$(id_of a1) B=$(id_of b1) C=$(id_of c1)
}

@test "stop --filter: only the containers that match, each said by its full ID; label!= the others" {
	three
	run_burrow 0 stop -t 0 --filter label=app=x
	is "$(said)" "$(sorted "$A" "$C")" "the matching ones (the created one too, as podman)"
	assert_match "$(status_of a1)" '^Exited'
	assert_match "$(status_of b1)" '^Up '
	run_burrow 0 start a1
	run_burrow 0 stop -t 0 -f label!=app=x -f status=running
	is "$(said)" "$B"
	assert_match "$(status_of b1)" '^Exited'
	assert_match "$(status_of a1)" '^Up '
	# nothing matches: nothing done, no error
	run_burrow 0 stop -t 0 --filter name=nosuch
	is "$output" ""
	assert_match "$(status_of a1)" '^Up '
}

@test "stop --filter: names are refused, --all and --latest give way to it, a bad filter stops nothing" {
	three
	run_burrow 125 stop --filter name=a1 b1
	is "$output" "burrow: stop: --filter takes no arguments"
	run_burrow 125 stop --filter nosuch=1
	assert_match "$output" "unknown filter"
	run_burrow 125 stop --filter name
	assert_match "$output" "not KEY=VALUE"
	assert_match "$(status_of a1)" '^Up '
	assert_match "$(status_of b1)" '^Up '
	run_burrow 0 stop -t 0 --all --filter name=^a1\$
	is "$(said)" "$A"
	assert_match "$(status_of b1)" '^Up '
	run_burrow 0 stop -t 0 --latest --filter name=^b1\$
	is "$(said)" "$B"
}

@test "pause, unpause --filter: only the matching ones; one that does not run is an error (as podman)" {
	three
	run_burrow 0 pause --filter name=^a1\$
	is "$output" "$A"
	is "$(status_of a1)" "Paused"
	assert_match "$(status_of b1)" '^Up '
	run_burrow 0 unpause -f label=app=x -f status=paused
	is "$output" "$A"
	assert_match "$(status_of a1)" '^Up '
	run_burrow 125 pause --filter label=app=x
	is "$(said)" "$A" "a1 paused, c1 said"
	assert_match "$output" "cannot pause container 'c1'"
	is "$(status_of a1)" "Paused"
	assert_match "$(status_of b1)" '^Up '
	run_burrow 0 unpause --filter status=paused
	is "$output" "$A"
}

@test "restart --filter: the matching ones start again; --running keeps to the running ones" {
	three
	local a_pid b_pid
	a_pid=$("$BURROW" inspect --format '{{.State.Pid}}' a1)
	b_pid=$("$BURROW" inspect --format '{{.State.Pid}}' b1)
	run_burrow 0 restart -t 0 --running --filter label=app=x
	is "$(said)" "$A" "not the created c1"
	is "$(status_of c1)" "Created"
	assert_match "$(status_of a1)" '^Up '
	assert_no_match "$("$BURROW" inspect --format '{{.State.Pid}}' a1)" "^$a_pid\$" "a1 ran again"
	is "$("$BURROW" inspect --format '{{.State.Pid}}' b1)" "$b_pid" "b1 untouched"
	run_burrow 0 restart -t 0 -f name=c1
	is "$output" "$C"
	run_burrow 125 restart --running c1
	is "$output" "burrow: restart: --running needs --all or --filter"
}

@test "rm --filter: removes only what matches; a running one needs -f (exit 2, as podman)" {
	three
	run_burrow 0 rm --filter status=created
	is "$output" "$C"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$(sort <<<"$output")" "$(sorted a1 b1)"
	run_burrow 2 rm --filter name=^a1\$
	assert_match "$output" "running"
	assert_match "$(status_of a1)" '^Up '
	run_burrow 125 rm --filter name=a1 b1
	is "$output" "burrow: rm: --filter takes no arguments"
	# with --cidfile, only what the files name: a file that is missing
	# (ignored by -f) names nothing, so nothing goes
	run_burrow 0 rm -f -t 0 --cidfile "$BATS_TEST_TMPDIR/no-such-cid" --filter name=a1
	is "$output" ""
	assert_match "$(status_of a1)" '^Up '
	run_burrow 0 stop -i -t 0 --cidfile "$BATS_TEST_TMPDIR/no-such-cid" --filter name=a1
	is "$output" ""
	assert_match "$(status_of a1)" '^Up '
	run_burrow 0 rm -f -t 0 --filter label=app=x
	is "$(said)" "$A"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "b1"
}

@test "start --filter: the matching ones that do not run; with names, those of them that match" {
	three
	run_burrow 0 stop -t 1 a1 b1
	run_burrow 0 create --name d1 --label app=x busybox sleep 600
	local D
	D=$(id_of d1)
	run_burrow 0 start --filter label=app=x b1 a1
	is "$output" "$A" "b1 is named but does not match"
	assert_match "$(status_of a1)" '^Up '
	assert_match "$(status_of b1)" '^Exited'
	is "$(status_of d1)" "Created"
	run_burrow 0 start --all --filter label=app=x
	is "$(sort <<<"$output")" "$(sorted "$C" "$D")" "not a1, which runs"
	assert_match "$(status_of d1)" '^Up '
	assert_match "$(status_of b1)" '^Exited'
	run_burrow 125 start --filter name=nosuch nosuch
	assert_match "$output" "no such container"
	run_burrow 125 start --attach --filter name=b1
	is "$output" "burrow: start: --attach works with one container only"
}

@test "stop, pause --filter health=: only the containers in that health (not all that the other filters pass)" {
	run_burrow 0 run -d --name sick --health-cmd false --health-interval 1s --health-retries 1 busybox sleep 600
	run_burrow 0 run -d --name plain busybox sleep 600
	wait_inspect sick '{{.State.Health.Status}}' unhealthy
	run_burrow 0 pause --filter health=none
	is "$output" "$(id_of plain)"
	is "$(status_of sick | cut -d' ' -f1)" "Up"
	run_burrow 0 unpause --filter health=none
	run_burrow 0 stop -t 0 --filter health=unhealthy
	is "$(said)" "$(id_of sick)"
	assert_match "$(status_of plain)" '^Up '
}

@test "kill takes no --filter, as podman 4.3" {
	run_burrow 125 kill --filter name=x
	assert_match "$output" "filter"
}
