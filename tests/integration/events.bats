#!/usr/bin/env bats
# burrow events: the event log the seeds write (state/events.c) and the
# verb that reads and follows it (cmd/events.c).

load helpers

suite_setup() {
	import_busybox
	EVLOG=$XDG_RUNTIME_DIR/burrow/events/events.log
}

suite_teardown() {
	if [ -n "${FOLLOW_PID:-}" ]; then
		kill -KILL "$FOLLOW_PID" 2>/dev/null || true
	fi
	if [ -n "${ATTACH_PID:-}" ]; then
		kill -KILL "$ATTACH_PID" 2>/dev/null || true
	fi
	return 0
}

# now: a point in time for --since/--until (Unix seconds with ns)
now() {
	date +%s.%N
}

# follow_start FILE ARGS...: `burrow events ARGS` in the background into
# FILE (FOLLOW_PID, without bats' fd 3, which would keep bats waiting);
# it is killed in teardown whatever happens.
follow_start() {
	local out=$1
	shift
	"$BURROW" events "$@" >"$out" 2>&1 3>&- &
	FOLLOW_PID=$!
}

@test "events: run -d, stop, rm give create init start died stop cleanup remove, in order" {
	local since=$(now)
	run_burrow 0 run -d --name seq --label tier=web busybox sleep 100
	local id=$output
	run_burrow 0 stop -t 0 seq
	run_burrow 0 rm seq
	run_burrow 0 events --stream=false --since "$since" --format '{{.Type}} {{.Status}} {{.Name}} {{.ID}} {{.ContainerExitCode}}'
	is "$output" "container create seq $id 0
container init seq $id 0
container start seq $id 0
container died seq $id 137
container stop seq $id 0
container cleanup seq $id 0
container remove seq $id 0"
	# podman's line: time, type, status, full ID, image, name, labels
	run_burrow 0 events --stream=false --since "$since" --filter event=start
	assert_match "$output" "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}(\.[0-9]+)? [-+][0-9]{4} [A-Z]+ container start $id \(image=localhost/busybox:latest, name=seq, tier=web\)$"
	run_burrow 0 events --stream=false --since "$since" --filter event=start --no-trunc=false
	assert_match "$output" " container start ${id:0:12} \(image=localhost/busybox:latest,"
}

@test "events: exec, exec_died, pause, unpause, kill, restart, rename, mount, unmount" {
	local since=$(now)
	run_burrow 0 run -d --name busy busybox sleep 100
	run_burrow 3 exec busy sh -c 'exit 3'
	run_burrow 0 pause busy
	run_burrow 0 unpause busy
	run_burrow 0 restart -t 0 busy
	run_burrow 0 kill busy
	run_burrow 0 rename busy calm
	run_burrow 0 mount calm
	run_burrow 0 unmount calm
	run_burrow 0 events --stream=false --since "$since" --format '{{.Status}} {{.Name}} {{.ContainerExitCode}}'
	is "$output" "create busy 0
init busy 0
start busy 0
exec busy 0
exec_died busy 3
pause busy 0
unpause busy 0
restart busy 0
died busy 137
stop busy 0
cleanup busy 0
init busy 0
start busy 0
kill busy 0
died busy 137
cleanup busy 0
rename calm 0
mount calm 0
unmount calm 0"
}

@test "events: wait on a running container is no attach" {
	local since=$(now)
	run_burrow 0 run -d --name w busybox sleep 1
	run_burrow 0 wait w
	is "$output" 0
	run_burrow 0 events --stream=false --since "$since" --filter container=w --format '{{.Status}}'
	is "$(echo $output)" "create init start died cleanup"
}

@test "events: attach for run without -d, start -a and attach; none for run -d, start" {
	local since=$(now) f='{{.Status}} {{.Name}}'
	run_burrow 0 run --name fg busybox true
	run_burrow 0 run -d --name bg busybox sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo went'
	run_burrow 0 create --name sa busybox echo hi
	run_burrow 0 start -a sa
	is "$output" hi
	run_burrow 0 start sa
	run_burrow 0 wait sa
	# attach to bg, then let it end: attach returns with its output
	local out=$BATS_TEST_TMPDIR/attach.out
	"$BURROW" attach --no-stdin bg >"$out" 2>&1 3>&- &
	ATTACH_PID=$!
	local i
	for i in $(seq 200); do
		"$BURROW" events --stream=false --since "$since" --filter container=bg --filter event=attach | grep -q . && break
		sleep 0.1
	done
	run_burrow 0 exec bg touch /tmp/go
	local rc=0
	timeout 20 tail --pid="$ATTACH_PID" -f /dev/null || rc=$?
	wait "$ATTACH_PID" || rc=$?
	ATTACH_PID=
	is "$rc" 0 "attach's exit code"
	is "$(cat "$out")" went
	run_burrow 0 events --stream=false --since "$since" --filter event=attach --format "$f"
	is "$output" "attach fg
attach sa
attach bg"
	# after start, before died, as podman
	run_burrow 0 events --stream=false --since "$since" --filter container=fg --format '{{.Status}}'
	is "$(echo $output)" "create init start attach died cleanup"
}

@test "events: a container's Image is the image's full name; image= takes the short name, the full one, a tag" {
	run_burrow 0 tag busybox other:1
	local since=$(now) f='{{.Name}} {{.Image}}'
	run_burrow 0 create --name short busybox true
	run_burrow 0 create --name full localhost/busybox:latest true
	run_burrow 0 create --name tagged other:1 true
	run_burrow 0 events --stream=false --since "$since" --format "$f"
	is "$output" "short localhost/busybox:latest
full localhost/busybox:latest
tagged localhost/other:1"
	for want in busybox busybox:latest localhost/busybox localhost/busybox:latest; do
		run_burrow 0 events --stream=false --since "$since" --format '{{.Name}}' --filter "image=$want"
		is "$(echo $output)" "short full" "--filter image=$want"
	done
	run_burrow 0 events --stream=false --since "$since" --format '{{.Name}}' --filter image=other:1
	is "$output" tagged
	run_burrow 0 events --stream=false --since "$since" --format '{{.Name}}' --filter image=other
	is "$output" "" "other means other:latest"
}

@test "events: follows new events as they come, ends with 0 on SIGTERM" {
	local out=$BATS_TEST_TMPDIR/follow.out
	# --since: what is written before it watches counts too (no race)
	follow_start "$out" --since "$(now)" --format '{{.Status}} {{.Name}}'
	run_burrow 0 run --rm --name live busybox true
	wait_line "$out" '^remove live$'
	kill -TERM "$FOLLOW_PID"
	local rc=0
	wait "$FOLLOW_PID" || rc=$?
	FOLLOW_PID=
	is "$rc" 0 "events' exit code on SIGTERM"
	is "$(cat "$out")" "create live
init live
start live
attach live
died live
cleanup live
remove live"
}

@test "events: without --since, a stream shows only new events; --until ends it" {
	run_burrow 0 volume create old
	local out=$BATS_TEST_TMPDIR/new.out
	follow_start "$out" --filter type=volume --format '{{.Status}} {{.Name}}'
	# its start is not known from outside: volumes until one shows
	local i
	for i in $(seq 100); do
		run_burrow 0 volume create "new$i"
		grep -q '^create new' "$out" && break
		sleep 0.1
	done
	wait_line "$out" '^create new'
	run grep -c old "$out"
	is "$output" 0 "an event from before the stream began"
	kill -TERM "$FOLLOW_PID"
	wait "$FOLLOW_PID" || true
	FOLLOW_PID=
	# a stream with --until in the past prints and ends at once
	run_burrow 0 events --until "$(now)" --since 1m --filter volume=old --format '{{.Status}} {{.Name}}'
	is "$output" "create old"
}

@test "events: --since and --until bound what is shown" {
	run_burrow 0 volume create before
	local mid=$(now)
	run_burrow 0 volume create after
	run_burrow 0 events --stream=false --filter type=volume --until "$mid" --format '{{.Name}}'
	is "$output" "before"
	run_burrow 0 events --stream=false --filter type=volume --since "$mid" --format '{{.Name}}'
	is "$output" "after"
	# a Go duration, and RFC 3339
	run_burrow 0 events --stream=false --filter type=volume --since 5m --format '{{.Name}}'
	is "$output" "before
after"
	run_burrow 0 events --stream=false --filter type=volume --until "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"
	is "$output" ""
}

@test "events: each filter; one key given twice is either, two keys are both" {
	run_burrow 0 tag busybox other:1
	local since=$(now)
	# names that are no hex: container=NAME matches an ID prefix too, and
	# the other's random ID may begin with a name like "a1" (1 in 256)
	run_burrow 0 create --name one --label app=one busybox true
	local ida=$output
	run_burrow 0 create --name two --label app=two other:1 true
	run_burrow 0 volume create vol1
	local f='{{.Type}} {{.Status}} {{.Name}}'
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter type=volume
	is "$output" "volume create vol1"
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter volume=vol1
	is "$output" "volume create vol1"
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter container=one
	is "$output" "container create one"
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter "container=${ida:0:12}"
	is "$output" "container create one"
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter image=other:1
	is "$output" "container create two"
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter label=app=two
	is "$output" "container create two"
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter label=app
	is "$output" "container create one
container create two"
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter event=create --filter type=volume
	is "$output" "volume create vol1"
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter container=one --filter container=two
	is "$output" "container create one
container create two"
	run_burrow 0 events --stream=false --since "$since" --format "$f" --filter container=one --filter label=app=two
	is "$output" ""
	run_burrow 125 events --stream=false --filter color=red
	assert_match "$output" "invalid --filter 'color=red'"
	run_burrow 125 events --stream=false --since yesterday
	assert_match "$output" "--since"
}

@test "events: --format json prints JSON Lines with podman's keys" {
	local since=$(now)
	run_burrow 4 run --rm --name js --label k=v busybox sh -c 'exit 4'
	run_burrow 0 events --stream=false --since "$since" --format json
	local lines=$output
	run python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin.read().splitlines()]
died = [e for e in evs if e["Status"] == "died"][0]
print(len(evs), died["Type"], died["Name"], died["ContainerExitCode"], died["Attributes"]["k"],
      died["Image"], len(died["ID"]), died["timeNano"] // 10**9 == died["time"])
' <<<"$lines"
	is "$status" 0 "python: $output"
	is "$output" "7 container js 4 v localhost/busybox:latest 64 True"
}

@test "events: image import, tag, untag, rmi" {
	local since=$(now)
	run_burrow 0 import "$BATS_RUN_TMPDIR/busybox.tar" imported
	local id=$output
	run_burrow 0 tag imported extra:2
	run_burrow 0 untag imported extra:2
	# rmi of one name of several: an untag of that image, the image stays
	run_burrow 0 tag imported extra:3
	run_burrow 0 rmi extra:3
	run_burrow 0 rmi imported
	run_burrow 0 events --stream=false --since "$since" --format '{{.Type}} {{.Status}} {{.ID}} {{.Name}}'
	is "$output" "image import $id localhost/imported:latest
image tag $id localhost/extra:2
image untag $id localhost/extra:2
image tag $id localhost/extra:3
image untag $id localhost/extra:3
image untag $id localhost/imported:latest
image remove $id imported"
	# image= by ID prefix or by name (short: localhost/ and :latest implied)
	run_burrow 0 events --stream=false --since "$since" --filter "image=${id:0:12}" --filter event=tag
	assert_match "$output" " image tag $id localhost/extra:2"$'\n'".* image tag $id localhost/extra:3$"
	run_burrow 0 events --stream=false --since "$since" --filter image=extra:2 --format '{{.Status}}'
	is "$output" "tag
untag"
}

@test "events: volume create, remove, prune" {
	local since=$(now)
	run_burrow 0 volume create keep
	run_burrow 0 volume create gone
	run_burrow 0 volume rm gone
	run_burrow 0 volume prune -f
	run_burrow 0 events --stream=false --since "$since" --format '{{.Type}} {{.Status}} {{.Name}}'
	is "$output" "volume create keep
volume create gone
volume remove gone
volume remove keep
volume prune "
}

@test "events: the log rotates at its cap and reading goes on across it" {
	export BURROW_EVENTS_LOG_MAX_SIZE=600
	local since=$(now) out=$BATS_TEST_TMPDIR/rot.out expect= i
	follow_start "$out" --since "$since" --filter type=volume --format '{{.Name}}'
	for i in $(seq 12); do
		run_burrow 0 volume create "rot$i"
		expect+="rot$i"$'\n'
	done
	[ -s "$EVLOG.1" ]
	# none until the next event after a rotation
	[ ! -e "$EVLOG" ] || [ "$(stat -c %s "$EVLOG")" -le 700 ]
	run_burrow 0 events --stream=false --since "$since" --filter type=volume --format '{{.Name}}'
	# one old file is kept: what is left of 12 is the newest, in order
	local shown=$output
	assert_match "$shown" "rot12$"
	is "$shown" "$(printf '%s' "$expect" | tail -n "$(printf '%s\n' "$shown" | wc -l)")"
	# the follower saw all of them, across each rotation
	wait_line "$out" '^rot12$'
	is "$(cat "$out")" "${expect%$'\n'}"
}

@test "events: a log that cannot be written does not fail the command" {
	rm -f "$EVLOG"
	mkdir "$EVLOG" # a directory where the file goes: even root cannot open it for writing
	run_burrow 0 volume create quiet
	run_burrow 0 run --rm busybox true
	run_burrow 0 --log-level=debug volume rm quiet
	assert_match "$output" "cannot open the event log"
}

@test "events: --events-backend none writes none" {
	local since=$(now)
	run_burrow 0 --events-backend none run --rm --name silent busybox true
	run_burrow 0 --events-backend file volume create loud
	# after the verb too, the later one winning
	run_burrow 0 volume create --events-backend none quiet
	run_burrow 0 --events-backend none volume create --events-backend file loud2
	run_burrow 0 --events-backend file volume create quiet2 --events-backend none
	run_burrow 0 events --stream=false --since "$since" --format '{{.Type}} {{.Status}} {{.Name}}'
	is "$output" "volume create loud
volume create loud2"
}
