#!/usr/bin/env bats
# Healthchecks: --health-* flags and the image's Healthcheck, the
# monitor's checks (status, streak, log), --health-on-failure actions,
# start period, startup checks, healthcheck run, ps, wait --condition.

load helpers

suite_setup() {
	import_busybox
}

# health NAME: its stored status (inspect's State.Health.Status).
health() {
	"$BURROW" inspect --format '{{.State.Health.Status}}' "$1"
}

# wait_health NAME STATUS [SECONDS]: until its status is STATUS (at most
# SECONDS, default 20).
wait_health() {
	wait_inspect "$1" '{{.State.Health.Status}}' "$2" "${3:-20}"
}

# log_entries NAME: how many results its health log holds.
log_entries() {
	"$BURROW" inspect --format '{{json .State.Health.Log}}' "$1" | grep -o '"ExitCode"' | wc -l
}

# wait_log NAME N [SECONDS]: until its health log holds at least N results.
wait_log() {
	local i
	for i in $(seq 1 $((${3:-20} * 10))); do
		[ "$(log_entries "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1: $(log_entries "$1") health results, not $2, within ${3:-20} s" >&2
	return 1
}

@test "health flags: bad values are refused before anything is made (125, one line)" {
	for bad in "--health-interval=soon" "--health-timeout=0s" "--health-retries=0" "--health-start-period=x" \
		"--health-on-failure=explode" "--health-startup-retries=-1" "--health-cmd=[\"CMD\""; do
		run_burrow 125 create --health-cmd true "$bad" busybox
		is "${#lines[@]}" 1 "one line for $bad: $output"
		assert_match "$output" "^burrow: invalid --health"
	done
	run_burrow 125 create --no-healthcheck --health-interval 1s busybox
	assert_match "$output" "cannot be used with --no-healthcheck"
	run_burrow 125 create --health-cmd true --health-on-failure restart --restart always busybox
	is "$output" "burrow: --health-on-failure=restart cannot be used with --restart always"
	run_burrow 0 ps -a -q
	is "$output" "" "no container was made"
}

@test "health: inspect shows Config.Healthcheck in podman's layout; the JSON forms" {
	run_burrow 0 create --name c1 --health-cmd 'test -e /tmp/ok' --health-interval 2m --health-retries 4 \
		--health-timeout 5s --health-start-period 1s --health-on-failure stop busybox sleep 60
	run_burrow 0 inspect --format '{{json .Config.Healthcheck}}' c1
	is "$output" '{"Test":["CMD-SHELL","test -e /tmp/ok"],"StartPeriod":1000000000,"Interval":120000000000,"Timeout":5000000000,"Retries":4}'
	run_burrow 0 inspect --format '{{.Config.HealthcheckOnFailureAction}}' c1
	is "$output" stop
	run_burrow 0 create --name c2 --health-cmd '["CMD","test","-e","/tmp/ok"]' busybox
	run_burrow 0 inspect --format '{{json .Config.Healthcheck}}' c2
	is "$output" '{"Test":["CMD","test","-e","/tmp/ok"],"StartPeriod":0,"Interval":30000000000,"Timeout":30000000000,"Retries":3}'
	run_burrow 0 create --name c3 --health-cmd none busybox
	run_burrow 0 inspect --format '{{json .Config}}' c3
	assert_no_match "$output" '"Healthcheck"'
	# podman 4.3's, healthcheck or not
	assert_match "$output" '"HealthcheckOnFailureAction":"none"'
}

@test "health: unhealthy, then healthy again; FailingStreak; the log keeps 5; ps shows it and filters by it" {
	run_burrow 0 run -d --name h --health-cmd 'echo checked; test -e /tmp/ok' --health-interval 1s \
		--health-retries 2 busybox sleep 120
	wait_health h unhealthy
	run_burrow 0 inspect --format '{{.State.Health.FailingStreak}} {{.State.Healthcheck.Status}}' h
	assert_match "$output" "^[2-9] unhealthy$"
	run_burrow 0 inspect --format '{{json .State.Health.Log}}' h
	assert_match "$output" '"ExitCode":1,"Output":"checked\\n"'
	run_burrow 0 ps --format '{{.Names}} {{.Status}}'
	assert_match "$output" "^h Up .* \(unhealthy\)$"
	run_burrow 0 ps -q --filter health=unhealthy
	is "${#lines[@]}" 1
	run_burrow 0 ps -q --filter health=healthy
	is "$output" ""

	run_burrow 0 exec h touch /tmp/ok
	wait_health h healthy
	run_burrow 0 inspect --format '{{.State.Health.FailingStreak}}' h
	is "$output" 0
	run_burrow 0 ps --format '{{.Names}} {{.Status}}'
	assert_match "$output" "^h Up .* \(healthy\)$"
	run_burrow 0 ps -q --filter health=healthy
	is "${#lines[@]}" 1
	run_burrow 0 ps -q --filter health=unhealthy
	is "$output" ""
	run_burrow 125 ps --filter health=fine
	assert_match "$output" "invalid health 'fine'"

	# more than 5 checks: the last 5 are kept
	wait_log h 5
	first=$("$BURROW" inspect --format '{{json .State.Health.Log}}' h | grep -o '"Start":"[^"]*"' | head -1)
	for i in $(seq 300); do
		now=$("$BURROW" inspect --format '{{json .State.Health.Log}}' h | grep -o '"Start":"[^"]*"' | head -1)
		[ "$now" != "$first" ] && break
		sleep 0.1
	done
	[ "$now" != "$first" ]
	is "$(log_entries h)" 5
}

@test "health: a container without a healthcheck has none (ps filter none, podman 4.3's empty Health)" {
	run_burrow 0 run -d --name plain busybox sleep 60
	run_burrow 0 ps -q --filter health=none
	is "${#lines[@]}" 1
	run_burrow 0 ps --format '{{.Status}}'
	assert_no_match "$output" "\("
	run_burrow 0 inspect --format '{{json .State.Health}}' plain
	is "$output" '{"Status":"","FailingStreak":0,"Log":null}'
	run_burrow 0 inspect --format '{{json .State}}' plain
	assert_no_match "$output" Healthcheck
	run_burrow 0 inspect --format '{{json .Config}}' plain
	assert_no_match "$output" '"Healthcheck"'
	run_burrow 125 healthcheck run plain
	assert_match "$output" "container 'plain' has no defined healthcheck"
	run_burrow 125 wait --condition healthy plain
	assert_match "$output" "has no healthcheck"
}

@test "healthcheck run: 0 healthy, 1 unhealthy, 125 not running or no such container; its result is stored" {
	run_burrow 0 run -d --name r --health-cmd 'test -e /tmp/ok' --health-interval disable busybox sleep 60
	run_burrow 1 healthcheck run r
	is "$output" unhealthy
	run_burrow 0 inspect --format '{{.State.Health.FailingStreak}}' r
	is "$output" 1
	run_burrow 0 exec r touch /tmp/ok
	run_burrow 0 healthcheck run r
	is "$output" ""
	is "$(health r)" healthy
	is "$(log_entries r)" 2
	run_burrow 125 healthcheck run nosuch
	assert_match "$output" "no such container 'nosuch'"
	run_burrow 0 create --name notrun --health-cmd true busybox
	run_burrow 125 healthcheck run notrun
	assert_match "$output" "container 'notrun' is not running"
}

@test "health: a check past its timeout is killed and fails" {
	run_burrow 0 run -d --name slow --health-cmd 'sleep 30' --health-timeout 1s --health-interval 1s \
		--health-retries 1 busybox sleep 120
	wait_health slow unhealthy
	run_burrow 0 inspect --format '{{json .State.Health.Log}}' slow
	assert_match "$output" "exceeded timeout of 1s"
	run_burrow 1 healthcheck run slow
}

@test "health: failures in the start period do not count" {
	run_burrow 0 run -d --name sp --health-cmd false --health-interval 1s --health-retries 1 \
		--health-start-period 1h busybox sleep 120
	wait_log sp 2
	run_burrow 0 inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' sp
	is "$output" "starting 0"
}

@test "health-on-failure=kill: the container is killed, a kill event, and not restarted (podman's kill)" {
	local since
	since=$(date +%s.%N)
	run_burrow 0 run -d --name k --health-cmd false --health-interval 1s --health-retries 1 \
		--health-on-failure kill --restart always busybox sleep 120
	run_burrow 0 wait k
	is "$output" 137
	is "$(health k)" unhealthy
	run_burrow 0 inspect --format '{{.State.Status}} {{.RestartCount}}' k
	is "$output" "exited 0" "killed as by the user: --restart always does not bring it back"
	run_burrow 0 events --stream=false --since "$since" --filter container=k --filter event=kill --format '{{.Status}}'
	is "$output" "kill"
}

@test "health-on-failure=stop: the container is stopped (its stop signal) and not restarted" {
	run_burrow 0 run -d --name s --health-cmd false --health-interval 1s --health-retries 1 \
		--health-on-failure stop --restart always busybox sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
	run_burrow 0 wait s
	is "$output" 7
	run_burrow 0 inspect --format '{{.State.Status}} {{.RestartCount}}' s
	is "$output" "exited 0"
}

@test "health-on-failure=restart: the monitor restarts it, and it runs again" {
	run_burrow 0 run -d --name rs --health-cmd 'test -e /tmp/ok' --health-interval 1s --health-retries 1 \
		--health-on-failure restart busybox sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	restarts_at_least rs 1 >/dev/null
	wait_state rs "^Up " 20
	# it runs anew: a file made in it now stays, and it turns healthy
	run_burrow 0 exec rs touch /tmp/ok
	wait_health rs healthy
	run_burrow 0 inspect --format '{{.State.Status}}' rs
	is "$output" running
}

@test "healthcheck run carries out --health-on-failure=kill once the result is unhealthy, and the event says so" {
	local since
	since=$(date +%s.%N)
	# no timer (interval disable): healthcheck run alone decides
	run_burrow 0 run -d --name hk --health-cmd false --health-interval disable --health-retries 2 \
		--health-on-failure kill busybox sleep 120
	run_burrow 1 healthcheck run hk
	is "$output" unhealthy
	run_burrow 0 inspect --format '{{.State.Status}} {{.State.Health.Status}}' hk
	is "$output" "running starting" "one failure of 2 retries: not unhealthy, not killed"
	run_burrow 1 healthcheck run hk
	is "$output" unhealthy
	run_burrow 0 wait hk
	is "$output" 137
	is "$(health hk)" unhealthy
	# one health_status event per run, as podman: the status after each
	run_burrow 0 events --stream=false --since "$since" --filter container=hk --filter event=health_status \
		--format '{{.HealthStatus}}'
	is "$(echo $output)" "starting unhealthy" "a health_status event per run"
}

@test "health: a health_status event at every check run, not only on a change (podman's), the startup check's too" {
	local since f='{{.Name}} {{.HealthStatus}}'
	since=$(date +%s.%N)
	run_burrow 0 run -d --name ev --health-cmd true --health-interval disable busybox sleep 120
	for i in 1 2 3; do
		run_burrow 0 healthcheck run ev
	done
	run_burrow 0 events --stream=false --since "$since" --filter container=ev --filter event=health_status --format "$f"
	is "$output" "ev healthy
ev healthy
ev healthy" "healthcheck run: one event each, the same status"
	# the monitor's own checks: one event each run (its log grows with them)
	since=$(date +%s.%N)
	run_burrow 0 run -d --name evt --health-cmd true --health-interval 1s busybox sleep 120
	wait_log evt 3
	local n
	n=$("$BURROW" events --stream=false --since "$since" --filter container=evt --filter event=health_status \
		--format "$f" | grep -c '^evt healthy$')
	[ "$n" -ge 3 ] || { echo "$n health_status events for 3 or more runs" >&2; false; }
	# the startup check's failed runs: events while it stays starting
	since=$(date +%s.%N)
	run_burrow 0 run -d --name evs --health-startup-cmd false --health-startup-interval 1s \
		--health-cmd true busybox sleep 120
	local i
	for i in $(seq 300); do
		n=$("$BURROW" events --stream=false --since "$since" --filter container=evs --filter event=health_status \
			--format "$f" | grep -c '^evs starting$') || true
		[ "$n" -ge 2 ] && break
		sleep 0.1
	done
	[ "$n" -ge 2 ] || { echo "$n health_status=starting events within 30 s" >&2; false; }
	is "$(health evs)" starting
}

@test "healthcheck run carries out --health-on-failure=stop: stopped (its stop signal) when it returns, not restarted" {
	run_burrow 0 run -d --name hs --health-cmd false --health-interval disable --health-retries 1 \
		--health-on-failure stop --restart always busybox sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
	run_burrow 1 healthcheck run hs
	is "$output" unhealthy
	run_burrow 0 inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' hs
	is "$output" "exited 7 0"
}

@test "healthcheck run carries out --health-on-failure=restart: the container runs again" {
	run_burrow 0 run -d --name hr --health-cmd 'test -e /tmp/ok' --health-interval disable --health-retries 1 \
		--health-on-failure restart busybox sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	run_burrow 0 exec hr touch /tmp/made
	run_burrow 1 healthcheck run hr
	is "$output" unhealthy
	restarts_at_least hr 1 >/dev/null
	wait_state hr "^Up " 20
	run_burrow 0 exec hr touch /tmp/ok
	run_burrow 0 healthcheck run hr
	is "$(health hr)" healthy
}

@test "health: the startup check runs until it passes, then the regular one" {
	run_burrow 0 run -d --name st --health-startup-cmd 'test -e /tmp/up' --health-startup-interval 1s \
		--health-cmd 'echo regular' --health-interval 1s busybox sleep 120
	run_burrow 0 inspect --format '{{json .Config.StartupHealthCheck}}' st
	assert_match "$output" '"Test":\["CMD-SHELL","test -e /tmp/up"\]'
	sleep 2.5 # startup checks fail meanwhile: not in the log, still starting
	is "$(health st)" starting
	is "$(log_entries st)" 0
	run_burrow 0 exec st touch /tmp/up
	wait_health st healthy
	run_burrow 0 inspect --format '{{json .State.Health.Log}}' st
	assert_match "$output" '"Output":"regular\\n"'
}

@test "wait --condition healthy and unhealthy" {
	run_burrow 0 run -d --name w --health-cmd 'test -e /tmp/ok' --health-interval 1s --health-retries 1 \
		busybox sleep 120
	# -1: podman prints an exit code only for stopped and exited
	run_burrow 0 wait --condition unhealthy w
	is "$output" "-1"
	is "$(health w)" unhealthy
	run_burrow 0 exec w touch /tmp/ok
	run_burrow 0 wait --condition healthy w
	is "$output" "-1"
	is "$(health w)" healthy
	run_burrow 0 wait --condition healthy --condition stopped w
	is "$output" "-1"
	run_burrow 125 wait --condition sleepy w
	assert_match "$output" "invalid condition 'sleepy'"
	# one that has ended cannot become healthy: an error, as podman's,
	# not a wait for ever (well within the bound below)
	run_burrow 0 stop -t 0 w
	run timeout 20 "$BURROW" wait --condition healthy -i 100ms w
	is "$status" 125 "$output"
	assert_match "$output" "container 'w' is not running: its healthcheck status cannot change"
	run_burrow 0 wait --condition healthy --condition stopped w
	is "$output" "137"
}

# busybox with a Healthcheck in its image config, as NAME: saved as an
# oci-dir, its config rewritten (and the digests that name it), pulled back.
image_with_healthcheck() {
	run_burrow 0 save --format oci-dir -o "$T/od" busybox
	python3 - "$T/od" <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
def blob(dg):
    return os.path.join(d, "blobs", "sha256", dg.split(":", 1)[1])
def put(data):
    dg = "sha256:" + hashlib.sha256(data).hexdigest()
    open(blob(dg), "wb").write(data)
    return dg, len(data)
idx = json.load(open(os.path.join(d, "index.json")))
man = json.load(open(blob(idx["manifests"][0]["digest"])))
cfg = json.load(open(blob(man["config"]["digest"])))
cfg["config"]["Healthcheck"] = {"Test": ["CMD-SHELL", "test -e /tmp/ok"], "Interval": 1000000000,
                                "Retries": 1}
man["config"]["digest"], man["config"]["size"] = put(json.dumps(cfg).encode())
idx["manifests"][0]["digest"], idx["manifests"][0]["size"] = put(json.dumps(man).encode())
json.dump(idx, open(os.path.join(d, "index.json"), "w"))
EOF
	cd "$T" # named after its path: one that makes a valid name
	run_burrow 0 pull -q oci:od
	run_burrow 0 tag "${lines[-1]}" localhost/hc:1
}

@test "health: the image's Healthcheck is used; flags override it; --no-healthcheck disables it" {
	image_with_healthcheck
	run_burrow 0 run -d --name img localhost/hc:1 sleep 120
	run_burrow 0 inspect --format '{{json .Config.Healthcheck}}' img
	is "$output" '{"Test":["CMD-SHELL","test -e /tmp/ok"],"StartPeriod":0,"Interval":1000000000,"Timeout":30000000000,"Retries":1}'
	wait_health img unhealthy
	run_burrow 0 exec img touch /tmp/ok
	wait_health img healthy

	run_burrow 0 create --name over --health-retries 5 localhost/hc:1
	run_burrow 0 inspect --format '{{.Config.Healthcheck.Retries}} {{.Config.Healthcheck.Interval}}' over
	is "$output" "5 1000000000"

	run_burrow 0 run -d --name off --no-healthcheck localhost/hc:1 sleep 120
	run_burrow 0 inspect --format '{{json .Config}}' off
	assert_no_match "$output" '"Healthcheck"'
	run_burrow 125 healthcheck run off
	run_burrow 0 ps -q --filter health=none
	is "${#lines[@]}" 1
}
