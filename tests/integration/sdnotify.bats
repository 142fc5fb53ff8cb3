#!/usr/bin/env bats
# --sdnotify (container/sdnotify.h): what the monitor tells the socket
# NOTIFY_SOCKET names. The test stands in for systemd: tests/helpers/
# sdnotify listens on a datagram socket and logs each message (a line "--"
# after each); the same helper, copied into the image, is the container's
# systemd-notify.

load helpers

SDNOTIFY=$HELPERS_BIN/sdnotify

suite_setup() {
	unset NOTIFY_SOCKET
	import_with_helper "$SDNOTIFY" sdn
	# a short path: sun_path holds 108 bytes, the test's dir may be longer
	SD=$(mktemp -d /tmp/burrow-sdn.XXXXXX)
	"$SDNOTIFY" listen "$SD/notify.sock" "$SD/log" 60 3>&- &
	sdpid=$!
	local i
	for i in $(seq 1 100); do
		[ -S "$SD/notify.sock" ] && break
		sleep 0.05
	done
	[ -S "$SD/notify.sock" ]
}

suite_teardown() {
	[ -n "${sdpid:-}" ] && kill "$sdpid" 2>/dev/null
	"$BURROW" rm -f -t 0 $("$BURROW" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
	[ -n "${SD:-}" ] && rm -rf "$SD"
	return 0
}

# wait_log REGEX: until the listener's log matches (at most 10 s)
wait_log() {
	local i
	for i in $(seq 1 200); do
		[[ "$(cat "$SD/log" 2>/dev/null)" =~ $1 ]] && return 0
		sleep 0.05
	done
	printf 'no message matching %s; the log:\n%s\n' "$1" "$(cat "$SD/log" 2>/dev/null)" >&2
	return 1
}

monitor_pid() {
	run_burrow 0 inspect --format '{{.State.ConmonPid}}' "$1"
	echo "$output"
}

@test "sdnotify: conmon mode sends MAINPID (the monitor) and READY=1 once the container runs" {
	NOTIFY_SOCKET=$SD/notify.sock run_burrow 0 run -d --name c --sdnotify=conmon sdn sleep 600
	local mpid
	mpid=$(monitor_pid c)
	[ "$mpid" -gt 0 ]
	wait_log "READY=1"
	is "$(cat "$SD/log")" "MAINPID=$mpid
READY=1
--" "one message: MAINPID of the monitor, then READY=1"
	# the monitor runs the container's init
	run_burrow 0 inspect --format '{{.State.Pid}}' c
	is "$(awk '/^PPid:/ {print $2}' "/proc/$output/status")" "$mpid" "the container's init is the monitor's child"
	run_burrow 0 inspect --format '{{.Config.SdNotifyMode}}' c
	is "$output" conmon
	# the container does not see the socket
	run_burrow 0 exec c sh -c 'echo "[$NOTIFY_SOCKET]"; ls /run/notify 2>&1 || true'
	assert_match "$output" '^\[\]'
	assert_match "$output" 'No such file'
}

@test "sdnotify: container mode relays the container's messages, with the monitor as MAINPID" {
	NOTIFY_SOCKET=$SD/notify.sock run_burrow 0 run -d --name k sdn \
		sh -c 'echo "sock=$NOTIFY_SOCKET"; sleep 0.5; sdnotify send "MAINPID=1\nREADY=1\nSTATUS=serving"; sleep 600'
	local mpid
	mpid=$(monitor_pid k)
	wait_log "STATUS=serving"
	is "$(cat "$SD/log")" "MAINPID=$mpid
--
READY=1
STATUS=serving
--" "MAINPID first, then the container's message without its own MAINPID"
	run_burrow 0 logs k
	is "$output" "sock=/run/notify/notify.sock"
	run_burrow 0 inspect --format '{{.Config.SdNotifyMode}}' k
	is "$output" container
}

@test "sdnotify: ignore sends nothing and gives the container nothing" {
	NOTIFY_SOCKET=$SD/notify.sock run_burrow 0 run -d --name i --sdnotify ignore sdn \
		sh -c 'echo "[$NOTIFY_SOCKET]"; sleep 600'
	run_burrow 0 logs i
	is "$output" "[]"
	# a conmon one after it: its message is the first and only one
	NOTIFY_SOCKET=$SD/notify.sock run_burrow 0 run -d --name c2 --sdnotify=conmon sdn sleep 600
	wait_log "READY=1"
	is "$(cat "$SD/log")" "MAINPID=$(monitor_pid c2)
READY=1
--" "nothing from the ignored container"
}

@test "sdnotify: without NOTIFY_SOCKET nothing changes; a bad mode is refused" {
	run_burrow 0 run --rm sdn sh -c 'echo "[$NOTIFY_SOCKET]"; ls /run/notify 2>&1 || true'
	assert_match "$output" '^\[\]'
	assert_match "$output" 'No such file'
	run_burrow 125 run --rm --sdnotify=sometimes sdn true
	assert_match "$output" "invalid --sdnotify 'sometimes'"
	run_burrow 0 ps -aq
	is "$output" "" "nothing created"
	is "$(cat "$SD/log")" "" "nothing sent"
}

@test "sdnotify: burrow start sends it again for a new run" {
	run_burrow 0 create --name s --sdnotify=conmon sdn sleep 600
	NOTIFY_SOCKET=$SD/notify.sock run_burrow 0 start s
	wait_log "READY=1"
	is "$(cat "$SD/log")" "MAINPID=$(monitor_pid s)
READY=1
--"
	run_burrow 0 inspect --format '{{json .Config.CreateCommand}}' s
	is "$output" "[\"$BURROW\",\"create\",\"--name\",\"s\",\"--sdnotify=conmon\",\"sdn\",\"sleep\",\"600\"]"
}
