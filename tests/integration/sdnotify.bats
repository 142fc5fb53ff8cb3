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
	for i in $(seq 1 400); do
		[ -S "$SD/notify.sock" ] && break
		sleep 0.05
	done
	[ -S "$SD/notify.sock" ]
}

suite_teardown() {
	[ -n "${sdpid:-}" ] && kill "$sdpid" 2>/dev/null
	rm_containers
	[ -n "${SD:-}" ] && rm -rf "$SD"
	return 0
}

# wait_log REGEX: until the listener's log matches (at most 30 s: a READY
# may wait for a health check, every 1 s, on a loaded machine)
wait_log() {
	local i
	for i in $(seq 1 600); do
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
	run_burrow 0 inspect --format '{{.Config.sdNotifyMode}}' c
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
	run_burrow 0 inspect --format '{{.Config.sdNotifyMode}}' k
	is "$output" container
}

@test "sdnotify: cp reaches the container's /run/notify, not the rootfs under it" {
	NOTIFY_SOCKET=$SD/notify.sock run_burrow 0 run -d --name kc sdn sleep 600
	wait_state kc "^Up"
	echo in >"$T/in"
	run_burrow 0 cp "$T/in" kc:/run/notify/
	run_burrow 0 exec kc ls /run/notify
	is "$output" "in
notify.sock" "what the container sees at /run/notify"
	run_burrow 0 cp kc:/run/notify/in "$T/back"
	is "$(cat "$T/back")" in
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

@test "sdnotify: healthy mode sends MAINPID once it runs, READY=1 at its first healthy check" {
	NOTIFY_SOCKET=$SD/notify.sock run_burrow 0 run -d --name h --sdnotify=healthy \
		--health-cmd 'test -e /tmp/ok' --health-interval 1s sdn sleep 600
	local mpid
	mpid=$(monitor_pid h)
	wait_log "MAINPID=$mpid"
	# unhealthy (no /tmp/ok yet): no READY
	sleep 2
	is "$(cat "$SD/log")" "MAINPID=$mpid
--" "MAINPID alone while it is not healthy"
	run_burrow 0 exec h touch /tmp/ok
	wait_log "READY=1"
	is "$(cat "$SD/log")" "MAINPID=$mpid
--
READY=1
--"
}

@test "sdnotify: healthy mode: a healthy burrow healthcheck run sends READY=1 too" {
	# no timer: the only check is the one healthcheck run makes
	NOTIFY_SOCKET=$SD/notify.sock run_burrow 0 run -d --name hh --sdnotify=healthy \
		--health-cmd true --health-interval disable sdn sleep 600
	local mpid
	mpid=$(monitor_pid hh)
	wait_log "MAINPID=$mpid"
	run_burrow 0 healthcheck run hh
	wait_log "READY=1"
	is "$(cat "$SD/log")" "MAINPID=$mpid
--
READY=1
--"
}

@test "sdnotify: healthy without a healthcheck is refused (125, one line), nothing made" {
	for args in "run --rm" "run -d" "create" "run --rm --no-healthcheck" "run --rm --health-cmd none"; do
		NOTIFY_SOCKET=$SD/notify.sock run_burrow 125 $args --sdnotify=healthy sdn true
		is "$output" "burrow: --sdnotify=healthy requires a healthcheck to be set (--health-cmd, or the image's)" "$args"
	done
	run_burrow 0 ps -aq
	is "$output" "" "nothing created"
	is "$(cat "$SD/log")" "" "nothing sent"
	# with one it is taken
	run_burrow 0 create --sdnotify=healthy --health-cmd true sdn true
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

# unit_cmd UNIT KEY: the command line of KEY= in the unit's text, its
# continuation lines joined
unit_cmd() {
	awk -v k="$2=" '
		index($0, k) == 1 { on = 1; $0 = substr($0, length(k) + 1) }
		on {
			l = $0; sub(/^\t/, "", l)
			c = substr(l, length(l)) == "\\"
			if (c) l = substr(l, 1, length(l) - 1)
			printf "%s", l
			if (!c) { print ""; on = 0 }
		}' <<<"$1"
}

# run_unit_cmd UNIT KEY [NAME]: runs that command as systemd would (%N:
# NAME; a leading - only says that a failure does not count)
run_unit_cmd() {
	local cmd
	cmd=$(unit_cmd "$1" "$2")
	cmd=${cmd#-}
	cmd=${cmd//%N/${3:-}}
	eval "set -- $cmd"
	run timeout "$BURROW_TIMEOUT" "$@"
}

@test "generate systemd --new: the unit runs a new container as this one was made, and systemd hears READY=1" {
	run_burrow 0 create --name web --restart always -e GREETING=hi sdn sh -c 'env | grep GREETING; sleep 600'
	run_burrow 0 generate systemd --new --name --no-header web
	local unit=$output start
	is "$(head -1 <<<"$unit")" "# container-web.service"
	assert_match "$unit" $'\nType=notify\nNotifyAccess=all\n'
	assert_match "$unit" $'\nRestart=always\n' "the container's policy, for systemd"
	assert_match "$unit" $'\nTimeoutStopSec=70\n'
	start=$(unit_cmd "$unit" ExecStart)
	# the test's store, chosen by XDG_DATA_HOME and XDG_RUNTIME_DIR, named
	is "$start" "$(realpath "$BURROW") --root $XDG_DATA_HOME/burrow --runroot $XDG_RUNTIME_DIR/burrow run --rm --sdnotify=conmon -d --name web -e GREETING=hi sdn sh -c \"env | grep GREETING; sleep 600\""
	# ExecStartPre: the container of that name goes (here: the original)
	run_unit_cmd "$unit" ExecStartPre
	is "$status" 0 "ExecStartPre: $output"
	NOTIFY_SOCKET=$SD/notify.sock run_unit_cmd "$unit" ExecStart
	is "$status" 0 "ExecStart: $output"
	wait_log "READY=1"
	is "$(cat "$SD/log")" "MAINPID=$(monitor_pid web)
READY=1
--"
	run_burrow 0 inspect --format '{{.HostConfig.AutoRemove}} {{.HostConfig.RestartPolicy.Name}} {{.State.Status}}' web
	is "$output" "true  running" "--rm, no policy of its own"
	run_burrow 0 logs web
	is "$output" "GREETING=hi"
	run_unit_cmd "$unit" ExecStop
	is "$status" 0 "ExecStop: $output"
	run_unit_cmd "$unit" ExecStopPost
	is "$status" 0 "ExecStopPost: $output"
	run_burrow 0 ps -aq
	is "$output" "" "stopped and removed"
}

@test "generate systemd: without --new the unit starts and stops the container (Type=forking, the monitor's PIDFile); --files" {
	run_burrow 0 create --name old sdn sleep 600
	local id=$output unit
	run_burrow 0 generate systemd --no-header -t 2 --restart-policy=on-abnormal --restart-sec 5 old
	unit=$output
	is "$(head -1 <<<"$unit")" "# container-$id.service"
	assert_match "$unit" $'\nRestart=on-abnormal\nRestartSec=5\nTimeoutStopSec=62\n'
	assert_match "$unit" $'\nType=forking\n'
	local store="--root $XDG_DATA_HOME/burrow --runroot $XDG_RUNTIME_DIR/burrow"
	is "$(unit_cmd "$unit" ExecStart)" "$(realpath "$BURROW") $store start $id"
	is "$(unit_cmd "$unit" ExecStop)" "$(realpath "$BURROW") $store stop -t 2 $id"
	run_unit_cmd "$unit" ExecStart
	is "$status" 0 "ExecStart: $output"
	local pidfile
	pidfile=$(sed -n 's/^PIDFile=//p' <<<"$unit")
	is "$(cat "$pidfile")" "$(monitor_pid old)" "PIDFile holds the monitor's pid"
	run_unit_cmd "$unit" ExecStop
	is "$status" 0 "ExecStop: $output"
	run_burrow 0 inspect --format '{{.State.Status}}' old
	is "$output" exited
	# --files: container-NAME.service here, its path printed
	mkdir "$T/units"
	cd "$T/units"
	run_burrow 0 generate systemd --files --name --no-header old
	is "$output" "$T/units/container-old.service"
	run_burrow 0 generate systemd --name --no-header old
	is "$(cat "$T/units/container-old.service")" "$output" "the file holds the unit"
	# the header: burrow's version and the time
	run_burrow 0 generate systemd --container-prefix svc --separator _ old
	assert_match "$output" $'^# svc_'"$id"$'.service\n# autogenerated by burrow '
	run_burrow 125 generate systemd --restart-policy=sometimes old
	assert_match "$output" "invalid --restart-policy 'sometimes'"
	run_burrow 125 generate systemd nosuch
	assert_match "$output" "no such container 'nosuch'"
	run_burrow 125 generate kube old
	assert_match "$output" "unknown subcommand 'generate kube'"
}

@test "generate systemd: a user systemd instance runs the --new unit" {
	systemctl --user show-environment >/dev/null 2>&1 ||
		skip "no systemd user instance for $(id -un) here (the unit's text and commands are checked above; cgroup2.bats starts one of its own where a cgroup is delegated)"
	# the unit runs with the manager's environment: the test's storage by
	# the global flags, which the create command keeps
	run_burrow 0 --root "$XDG_DATA_HOME/burrow" --runroot "$XDG_RUNTIME_DIR/burrow" create --name sysd sdn sleep 600
	local dir=$HOME/.config/systemd/user unit=burrow-test-$$-sysd
	mkdir -p "$dir"
	run_burrow 0 generate systemd --new --name --no-header --container-prefix "burrow-test-$$" sysd
	printf '%s\n' "$output" >"$dir/$unit.service"
	systemctl --user daemon-reload
	run timeout 60 systemctl --user start "$unit.service"
	local st=$status
	systemctl --user is-active "$unit.service" || st=1
	timeout 60 systemctl --user stop "$unit.service" || true
	rm -f "$dir/$unit.service"
	systemctl --user daemon-reload
	is "$st" 0 "systemctl --user start $unit"
}

@test "generate systemd: a store chosen by XDG_DATA_HOME and XDG_RUNTIME_DIR is named in every command: the unit's commands find the container in systemd's environment" {
	run_burrow 0 create --name envstore sdn sleep 600
	run_burrow 0 generate systemd --no-header --name envstore
	local unit=$output new
	run_burrow 0 generate systemd --no-header --new --name envstore
	new=$output
	local store="--root $XDG_DATA_HOME/burrow --runroot $XDG_RUNTIME_DIR/burrow"
	is "$(unit_cmd "$unit" ExecStop)" "$(realpath "$BURROW") $store stop -t 10 envstore"
	is "$(unit_cmd "$new" ExecStopPost)" "$(realpath "$BURROW") $store rm -f --ignore -t 10 envstore"
	assert_match "$(unit_cmd "$new" ExecStart)" "^$(realpath "$BURROW") $store run --rm "
	# systemd --user's environment: neither variable, another HOME (what
	# a unit without the options would reach is the test's own too)
	mkdir -p "$T/sdhome" "$T/sdtmp"
	local sdenv=(env -u XDG_DATA_HOME -u XDG_RUNTIME_DIR -u XDG_CONFIG_HOME HOME="$T/sdhome" TMPDIR="$T/sdtmp")
	local cmd
	cmd=$(unit_cmd "$unit" ExecStart)
	eval "set -- $cmd"
	run timeout "$BURROW_TIMEOUT" "${sdenv[@]}" "$@"
	is "$status" 0 "ExecStart in systemd's environment: $output"
	run_burrow 0 inspect --format '{{.State.Status}}' envstore
	is "$output" running "started by the unit's ExecStart in systemd's environment"
	run_burrow 0 rm -f -t 0 envstore
}

@test "generate systemd: a relative --root or --runroot is written as the store's absolute path; the unit's commands work from another directory" {
	cd "$T"
	run_burrow 0 --root data/burrow create --runroot=run/burrow --name rel sdn sleep 600
	run_burrow 0 generate systemd --no-header --name rel
	local unit=$output
	is "$(unit_cmd "$unit" ExecStart)" "$(realpath "$BURROW") --root $T/data/burrow --runroot $T/run/burrow start rel"
	run_burrow 0 generate systemd --no-header --new --name rel
	assert_match "$(unit_cmd "$output" ExecStart)" " --root $T/data/burrow run .* --runroot $T/run/burrow "
	# systemd runs it from /: the same store
	cd /
	run_unit_cmd "$unit" ExecStart
	is "$status" 0 "ExecStart: $output"
	run_burrow 0 inspect --format '{{.State.Status}}' rel
	is "$output" running
	run_burrow 0 rm -f rel
}

@test "generate systemd: --no-header=false, --name=false, --new=false and --files=false are as without them" {
	run_burrow 0 create --name plain sdn sleep 600
	local id=$output
	mkdir "$T/units"
	cd "$T/units"
	# the header's second line, the unit's description, how it starts the
	# container, and where the unit goes
	local f
	for f in "" --no-header=false --name=false --new=false --files=false; do
		run_burrow 0 generate systemd $f plain
		assert_match "${lines[1]}" "^# autogenerated by burrow " "generate systemd $f: the header"
		assert_match "$output" $'\nDescription=burrow container-'"$id"$'.service\n' "generate systemd $f: the ID"
		assert_match "$output" $'\nExecStart=.* start '"$id"$'\n' "generate systemd $f: the container started"
	done
	is "$(ls "$T/units")" "" "no unit file written"
	run_burrow 0 generate systemd --no-header plain
	assert_no_match "$output" "autogenerated by" "generate systemd --no-header: no header"
	run_burrow 0 generate systemd --name plain
	assert_match "$output" $'\nDescription=burrow container-plain.service\n' "generate systemd --name: the name"
	run_burrow 0 generate systemd --new plain
	assert_match "$output" $'\nExecStart=.* run ' "generate systemd --new: a new container"
	run_burrow 0 generate systemd --files plain
	is "$output" "$T/units/container-$id.service" "generate systemd --files: the file"
}
