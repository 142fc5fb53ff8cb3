#!/usr/bin/env bats
# Ending and freezing a running container: stop, kill, wait, restart,
# pause and unpause, rm -f -t.

load helpers

suite_setup() {
	import_busybox
}

# A loop that ignores SIGTERM, and one that ends with 3 on it.
DEAF='trap "" TERM; while :; do sleep 0.1; done'
POLITE='trap "exit 3" TERM; while :; do sleep 0.1; done'

# wait_caught NAME SIGNUM: until its init has installed a handler for the
# signal (SigCgt; bounded, 30 s): before that, a signal to a pid 1 without
# one is ignored, and a stop then ends in SIGKILL
wait_caught() {
	local i pid cgt
	pid=$(pid_of "$1")
	for i in $(seq 600); do
		cgt=$(awk '/^SigCgt:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
		[ -n "$cgt" ] && (((0x$cgt >> ($2 - 1)) & 1)) && return 0
		sleep 0.05
	done
	echo "container $1 (pid $pid) did not catch signal $2 within 30 s" >&2
	return 1
}

@test "stop -t 1: a process that ignores SIGTERM is killed after the timeout and ends with 137" {
	run_burrow 0 run -d --name deaf busybox sh -c "$DEAF"
	local pid
	pid=$(pid_of deaf)
	run_burrow 0 stop -t 1 deaf
	assert_match "$output" "StopSignal SIGTERM failed to stop container deaf in 1 seconds, resorting to SIGKILL"
	assert_match "$output" $'\ndeaf$'
	assert_match "$(status_of deaf)" '^Exited \(137\)'
	[ ! -e "/proc/$pid" ] || { echo "its init $pid is still there" >&2; false; }
}

@test "stop: a process that honours SIGTERM ends at once with its own code; stopping an exited one is fine" {
	run_burrow 0 run -d --name polite busybox sh -c "$POLITE"
	wait_caught polite 15
	run_burrow 0 stop polite
	is "$output" "polite"
	assert_match "$(status_of polite)" '^Exited \(3\)'
	run_burrow 0 stop polite
	is "$output" "polite"
	run_burrow 125 stop nosuch
	assert_match "$output" "no such container"
	run_burrow 0 stop -i nosuch polite
	is "$output" "polite"
}

@test "stop: --stop-signal and the image's StopSignal are sent instead of SIGTERM; a bad one is refused" {
	run_burrow 0 run -d --name usr1 --stop-signal USR1 busybox sh -c "trap 'exit 7' USR1; $DEAF"
	wait_caught usr1 10
	run_burrow 0 stop -t 5 usr1
	assert_no_match "$output" "resorting to SIGKILL"
	assert_match "$(status_of usr1)" '^Exited \(7\)'

	run_burrow 0 import --change 'CMD ["sh"]' --change 'STOPSIGNAL SIGUSR2' "$BATS_RUN_TMPDIR/busybox.tar" withstop
	run_burrow 0 run -d --name usr2 withstop sh -c "trap 'exit 9' USR2; $DEAF"
	wait_caught usr2 12
	run_burrow 0 stop -t 5 usr2
	assert_match "$(status_of usr2)" '^Exited \(9\)'

	run_burrow 125 create --name bad --stop-signal BOGUS busybox true
	is "$output" "burrow: invalid signal 'BOGUS': use a name (TERM, SIGKILL) or a number 1-64"
	run_burrow 0 ps -a --format '{{.Names}}'
	assert_no_match "$output" "bad"
	run_burrow 125 create --stop-timeout x busybox true
}

@test "stop: --stop-timeout is the default wait before SIGKILL" {
	run_burrow 0 run -d --name quick --stop-timeout 0 busybox sh -c "$DEAF"
	run_burrow 0 stop quick
	assert_match "$output" "in 0 seconds, resorting to SIGKILL"
	assert_match "$(status_of quick)" '^Exited \(137\)'
}

@test "stop: an always container stays stopped; a stop -a ends every running one" {
	run_burrow 0 run -d --name always --restart always busybox sh -c "$POLITE"
	run_burrow 0 run -d --name other busybox sh -c "$POLITE"
	wait_caught always 15
	wait_caught other 15
	run_burrow 0 stop always
	assert_match "$(status_of always)" '^Exited \(3\)'
	sleep 1 # the policy's first restart would come after 100 ms
	assert_match "$(status_of always)" '^Exited \(3\)'
	run_burrow 0 stop -a
	assert_match "$(status_of other)" '^Exited \(3\)'
	run_burrow 0 ps -q
	is "$output" ""
}

@test "stop: ps and logs of a container being stopped are not blocked" {
	run_burrow 0 run -d --name slow busybox sh -c "echo hello; $DEAF"
	wait_logged slow 1
	# a long stop timeout (the kill below ends it): ps and logs get 10 s
	# each on a loaded machine and still answer well before its end
	"$BURROW" stop -t 40 slow >"$BATS_TEST_TMPDIR/stop.out" 2>&1 &
	local stopper=$!
	wait_state slow '^stopping$'
	run timeout 10 "$BURROW" ps -a --format '{{.Names}} {{.Status}}'
	is "$status" 0 "ps while stopping"
	assert_match "$output" "slow stopping"
	run timeout 10 "$BURROW" logs slow
	is "$status" 0 "logs while stopping"
	is "$output" "hello"
	# a second stop waits for the first one's end
	"$BURROW" stop slow >"$BATS_TEST_TMPDIR/stop2.out" 2>&1 &
	local second=$!
	sleep 0.5
	kill -0 "$second" || { echo "the second stop returned while the container was stopping" >&2; false; }
	run_burrow 0 kill slow
	wait "$stopper"
	wait "$second"
	is "$(cat "$BATS_TEST_TMPDIR/stop2.out")" "slow"
	assert_match "$(status_of slow)" '^Exited \(137\)'
}

@test "kill: -s by name and number, SIGKILL by default; a bad signal and a container that does not run are refused" {
	run_burrow 0 run -d --name k busybox sh -c "trap 'exit 10' USR1; trap 'exit 12' USR2; $DEAF"
	wait_caught k 10
	wait_caught k 12
	run_burrow 0 kill -s usr1 k
	is "$output" "k"
	run_burrow 0 wait k
	is "$output" "10"
	run_burrow 0 start k
	run_burrow 0 kill --signal 12 k
	run_burrow 0 wait k
	is "$output" "12"
	run_burrow 0 start k
	run_burrow 0 kill k
	is "$output" "k"
	assert_match "$(status_of k)" '^Exited \(137\)'

	run_burrow 125 kill -s BOGUS k
	is "$output" "burrow: invalid signal 'BOGUS': use a name (TERM, SIGKILL) or a number 1-64"
	run_burrow 125 kill -s 99 k
	run_burrow 125 kill k
	is "$output" "burrow: cannot kill container 'k': it is exited, not running"
	run_burrow 125 kill nosuch
}

@test "kill: a container killed by the user is not restarted by its policy" {
	run_burrow 0 run -d --name ka --restart always busybox sh -c "$DEAF"
	run_burrow 0 kill ka
	sleep 1
	assert_match "$(status_of ka)" '^Exited \(137\)'
}

@test "wait: prints the exit code of a container that ends, waiting while it runs; --condition; --ignore" {
	run_burrow 0 run -d --name w busybox sh -c 'sleep 1; exit 42'
	run_burrow 0 wait --condition running w
	is "$output" "-1"
	run_burrow 0 wait w
	is "$output" "42"
	assert_match "$(status_of w)" '^Exited \(42\)'
	# an exited one: at once
	run_burrow 0 wait -i 10ms w w
	is "$output" $'42\n42'
	run_burrow 125 wait nosuch
	run_burrow 0 wait --ignore nosuch w
	is "$output" $'-1\n42'
	run_burrow 125 wait --condition bogus w
	assert_match "$output" "invalid condition 'bogus'"
}

@test "wait: the exit code of a --rm container, which is gone when wait looks again" {
	run_burrow 0 run -d --rm --name gone busybox sh -c 'sleep 1; exit 5'
	local id=$output
	run_burrow 0 wait gone
	is "$output" "5"
	[ ! -e "$XDG_RUNTIME_DIR/burrow/locks/$id.lock" ] || { echo "its lock file is left" >&2; false; }
}

@test "restart: stops and starts again (a new run); an exited container is started" {
	run_burrow 0 run -d --name r busybox sh -c "echo run; $POLITE"
	local first
	first=$(cat "$XDG_RUNTIME_DIR"/burrow/containers/*/monitor.pid)
	wait_caught r 15
	run_burrow 0 restart r
	is "$output" "r"
	assert_match "$(status_of r)" '^Up '
	assert_no_match "$(cat "$XDG_RUNTIME_DIR"/burrow/containers/*/monitor.pid)" "^$first\$" "a new monitor"
	run_burrow 0 stop r
	run_burrow 0 restart r
	assert_match "$(status_of r)" '^Up '
	run_burrow 0 logs r
	is "$output" $'run\nrun\nrun'
	run_burrow 0 restart -a --running
	run_burrow 0 stop -t 0 r
}

@test "pause: a paused container makes no progress and ps says Paused; unpause lets it go on; nonsense is refused" {
	run_burrow 0 run -d --name p busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done'
	sleep 0.3
	run_burrow 0 pause p
	is "$output" "p"
	assert_match "$(status_of p)" '^Paused$'
	local n
	n=$(log_still p)
	run_burrow 125 pause p
	is "$output" "burrow: cannot pause container 'p': container 'p' cannot go from paused to paused: it is paused already"
	run_burrow 0 unpause p
	assert_match "$(status_of p)" '^Up '
	# output again
	wait_logged p $((n + 1))
	run_burrow 125 unpause p
	assert_match "$output" "running to running"
	run_burrow 0 stop -t 0 p
	run_burrow 125 pause p
	assert_match "$output" "'p' is exited: it cannot become paused"
}

@test "pause: stop and rm -f of a paused container work and leave nothing running" {
	run_burrow 0 run -d --name ps1 busybox sh -c "$POLITE"
	wait_caught ps1 15
	run_burrow 0 pause ps1
	run_burrow 0 stop -t 5 ps1
	assert_no_match "$output" "resorting to SIGKILL"
	assert_match "$(status_of ps1)" '^Exited \(3\)'
	run_burrow 0 run -d --name ps2 busybox sh -c "$DEAF"
	local pid
	pid=$(pid_of ps2)
	run_burrow 0 pause -a
	is "$output" "$(container_id_of ps2)"
	run_burrow 0 rm -f ps2
	[ ! -e "/proc/$pid" ] || { echo "its init $pid is still there" >&2; false; }
}

@test "rm -f -t: a running container gets its stop signal first, SIGKILL after the timeout" {
	run_burrow 0 run -d --name rt busybox sh -c "$DEAF"
	run_burrow 0 rm -f -t 1 rt
	assert_match "$output" "resorting to SIGKILL"
	run_burrow 0 run -d --name rt2 busybox sh -c "$POLITE"
	wait_caught rt2 15
	run_burrow 0 rm -f -t 5 rt2
	is "$output" "rt2"
	run_burrow 0 ps -a -q
	is "$output" ""
}

container_id_of() {
	"$BURROW" ps -a --no-trunc --format '{{.ID}} {{.Names}}' | awk -v n="$1" '$2 == n { print $1 }'
}

@test "stop -t 0: no grace at all, not the container's --stop-timeout: SIGKILL right after SIGTERM" {
	run_burrow 0 run -d --name deaf0 --stop-timeout 30 busybox sh -c "$DEAF"
	# were 0 taken for "not given", the stop would wait 30 s
	BURROW_TIMEOUT=20 run_burrow 0 stop -t 0 deaf0
	assert_match "$output" "StopSignal SIGTERM failed to stop container deaf0 in 0 seconds, resorting to SIGKILL"
	assert_match "$(status_of deaf0)" '^Exited \(137\)'
}

@test "rm, stop, kill, wait, restart: options may follow the names, as podman's; -- keeps a name that starts with '-'" {
	run_burrow 0 run -d --name fa busybox sh -c "trap 'exit 10' USR1; $DEAF"
	wait_caught fa 10
	run_burrow 0 kill fa -s USR1
	is "$output" "fa"
	run_burrow 0 wait fa --condition exited
	is "$output" "10"
	run_burrow 0 restart fa -t 0
	is "$output" "fa"
	# DEAF ignores SIGTERM: with no grace it ends in SIGKILL
	run_burrow 0 stop fa -t 0
	is "${lines[-1]}" "fa"
	assert_match "$(status_of fa)" '^Exited \(137\)'
	run_burrow 0 start fa
	run_burrow 0 rm fa -f -t 0
	is "${lines[-1]}" "fa"
	run_burrow 1 container exists fa
	# after --, a name however it starts; before it, an option
	run_burrow 125 rm -zz
	is "$output" "burrow: rm: unknown flag '-z'"
	run_burrow 1 rm -- -zz -v
	is "$output" $'burrow: no such container \'-zz\'\nburrow: no such container \'-v\''
}
