#!/usr/bin/env bats
# Container tools of issue 11: --init, labels and annotations, container
# prune, dependencies (--requires, rm --depend).

load helpers

suite_setup() {
	import_busybox
}

suite_teardown() {
	held_cleanup
}

# zombies_of PID: the host pids of the zombie children of PID.
zombies_of() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '$4 == p && $3 == "Z" { print $1 }'
}

# children_of PID: how many children PID has (any state).
children_of() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '$4 == p' | wc -l
}

# A shell that leaves an orphan behind (a background sleep of a subshell
# that exits), which pid 1 inherits, says so, then becomes a sleep that
# never reaps.
ORPHAN='(sleep 0.3 &); echo orphaned; exec sleep 1000'

# until_children NAME N: until the container's pid 1 has N children (a
# zombie counts: it is still its child), at most 20 s.
until_children() {
	local pid i
	pid=$("$BURROW" inspect --format '{{.State.Pid}}' "$1")
	for i in $(seq 400); do
		[ "$(children_of "$pid")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1: pid 1 ($pid) has $(children_of "$pid") children, not $2, after 20 s" >&2
	return 1
}

@test "run --init: burrow-init is pid 1 at /run/podman-init, the command its child; inspect says HostConfig.Init" {
	run_burrow 0 run --rm --init busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo "me $$"'
	assert_match "$output" '^/run/podman-init -- sh -c '
	assert_match "$output" $'\nme 2'
	run_burrow 0 create --name i --init busybox true
	run_burrow 0 inspect --format '{{.HostConfig.Init}}' i
	is "$output" true
	run_burrow 0 create --name noi busybox true
	run_burrow 0 inspect --format '{{.HostConfig.Init}}' noi
	is "$output" false
	# its exit code is the command's, 128+N for a signal
	run_burrow 7 run --rm --init busybox sh -c 'exit 7'
	run_burrow 137 run --rm --init busybox sh -c 'kill -9 $$'
}

@test "run --init: reaps a zombie that pid 1 inherits (without it, the zombie stays)" {
	# without: pid 1 is the sleep 1000, which never reaps its orphan
	run_burrow 0 run -d --name plain busybox sh -c "$ORPHAN"
	local pid
	pid=$("$BURROW" inspect --format '{{.State.Pid}}' plain)
	for i in $(seq 400); do
		[ -n "$(zombies_of "$pid")" ] && break
		sleep 0.05
	done
	[ -n "$(zombies_of "$pid")" ] || { echo "no zombie without --init: the test sees nothing" >&2; false; }
	# with: burrow-init is pid 1, the sleep 1000 its only child once the
	# orphan ended and was reaped
	run_burrow 0 run -d --name inited --init busybox sh -c "$ORPHAN"
	wait_logs inited orphaned
	until_children inited 1
	pid=$("$BURROW" inspect --format '{{.State.Pid}}' inited)
	is "$(zombies_of "$pid")" "" "zombies under burrow-init"
	run_burrow 0 rm -f plain inited
}

@test "run --init: stop of sleep 1000 ends on SIGTERM (143), not on SIGKILL (137)" {
	run_burrow 0 run -d --name sl --init busybox sleep 1000
	run_burrow 0 stop -t 60 sl
	is "$output" sl
	run_burrow 0 inspect --format '{{.State.ExitCode}}' sl
	is "$output" 143
	# without it, sleep as pid 1 ignores SIGTERM: SIGKILL after the timeout
	run_burrow 0 run -d --name raw busybox sleep 1000
	run_burrow 0 stop -t 1 raw
	run_burrow 0 inspect --format '{{.State.ExitCode}}' raw
	is "$output" 137
}

@test "run --init-path: another init; a missing one is refused before anything is stored" {
	run_burrow 125 create --init --init-path /nonexistent/init busybox true
	assert_match "$output" "--init: cannot use '/nonexistent/init'"
	run_burrow 0 ps -a -q
	is "$output" ""
	# busybox's own (a static binary) as the init: the command still runs
	cp "$(dirname "$BURROW")/burrow-init" "$T/myinit"
	run_burrow 0 run --rm --init --init-path "$T/myinit" busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	assert_match "$output" '^/run/podman-init -- sh'
}

@test "labels and annotations: stored, in inspect, filtered by ps --filter label=" {
	printf '# a comment\nfrom=file\n\nover=file\n' >"$T/labels"
	run_burrow 0 run -d --name lab -l a=b --label c --label-file "$T/labels" --label over=flag \
		--annotation note=x busybox sleep 600
	run_burrow 0 inspect lab
	is "$(json_get "$output" 'd[0]["Config"]["Labels"]')" '{"from": "file", "over": "flag", "a": "b", "c": ""}'
	run_burrow 0 inspect lab
	is "$(json_get "$output" 'd[0]["Config"]["Annotations"]')" '{"note": "x"}'
	run_burrow 0 create --name plain busybox true
	run_burrow 0 ps -a --filter label=a=b --format '{{.Names}}'
	is "$output" lab
	run_burrow 0 ps -a --filter label=a=b --format '{{.Labels}}'
	is "$output" 'map[a:b c: from:file over:flag]'
	run_burrow 0 ps -a --filter label=a=b --format '{{index .Labels "a"}}'
	is "$output" b
	run_burrow 0 ps -a --filter label=c --format '{{.Names}}'
	is "$output" lab
	run_burrow 0 ps -a --filter label=a=c --format '{{.Names}}'
	is "$output" ""
	run_burrow 0 ps -a --filter label!=a --format '{{.Names}}'
	is "$output" plain
	run_burrow 125 create -l =x busybox true
	assert_match "$output" "invalid label '=x'"
	run_burrow 125 create --annotation nokey busybox true
	run_burrow 125 create --label-file "$T/nosuch" busybox true
	assert_match "$output" "label-file"
	run_burrow 0 rm -f lab
}

@test "container prune: removes only what does not run, prints their IDs; filters; asks without -f" {
	run_burrow 0 run -d --name up busybox sleep 600
	run_burrow 0 run --name done1 busybox true
	run_burrow 0 create --name made -l keep=yes busybox true
	local done_id made_id
	done_id=$("$BURROW" inspect --format '{{.Id}}' done1)
	made_id=$("$BURROW" inspect --format '{{.Id}}' made)
	# without -f it asks; no answer is no
	run_burrow 0 container prune </dev/null
	assert_match "$output" "WARNING! This will remove all non running containers."
	assert_match "$output" 'Are you sure you want to continue\? \[y/N\]'
	run_burrow 0 ps -a -q
	is "$(wc -l <<<"$output")" 3
	# label!=keep: only done1
	run_burrow 0 container prune -f --filter label!=keep
	is "$output" "$done_id"
	# until a time before they were made: nothing
	run_burrow 0 container prune -f --filter until=2000-01-01T00:00:00Z
	is "$output" ""
	run_burrow 0 container prune -f --filter label=keep=yes
	is "$output" "$made_id"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" up
	run_burrow 125 container prune -f --filter bogus=1
	assert_match "$output" "unknown filter"
	# an answer y removes
	run_burrow 0 run --name done2 busybox true
	local done2_id
	done2_id=$("$BURROW" inspect --format '{{.Id}}' done2)
	run bash -c "echo y | timeout 20 '$BURROW' container prune"
	is "$status" 0
	assert_match "$output" "$done2_id"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" up
	run_burrow 0 rm -f up
}

# backoffs_of PID: how many waits for a transaction burrow PID has traced
backoffs_of() {
	grep -cE "^[0-9]+ $1 state: backoff\$" "$T/trace" || true
}

# until_backoffs PID N: until burrow PID has traced more than N waits
until_backoffs() {
	local i
	for i in $(seq 400); do
		[ "$(backoffs_of "$1")" -gt "$2" ] && return 0
		sleep 0.05
	done
	echo "burrow $1 did not wait for a transaction again" >&2
	return 1
}

@test "container prune: the files of a container whose rm was killed between its records and its files go, and nothing else" {
	run_burrow 0 run --name gone busybox true
	local id keep n
	id=$("$BURROW" inspect --format '{{.Id}}' gone)
	run_burrow 0 run --name kept busybox true
	keep=$("$BURROW" inspect --format '{{.Id}}' kept)
	[ -d "$XDG_DATA_HOME/burrow/containers/$id" ]
	# rm killed after its records went, before its files did: held at
	# its state record (REMOVING), then at its records (burrow.tdb), then
	# at its runtime record (state.tdb again), which it deletes after them
	local state=$XDG_RUNTIME_DIR/burrow/state.tdb
	HOLD_DB=$state hold_at_tx rm gone
	hold_tx
	n=$(backoffs_of "$RUNPID")
	kill -CONT "$RUNPID"
	until_backoffs "$RUNPID" "$n"
	kill -STOP "$RUNPID"
	hold_tx "$state"
	release_tx
	n=$(backoffs_of "$RUNPID")
	kill -CONT "$RUNPID"
	until_backoffs "$RUNPID" "$n"
	kill -KILL "$RUNPID"
	wait "$RUNPID" || true
	RUNPID=
	release_tx "$state"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "kept"
	[ -d "$XDG_DATA_HOME/burrow/containers/$id" ] || { echo "rm got further than its records" >&2; return 1; }
	run_burrow 0 container prune -f --filter label=none=none
	is "$output" ""
	[ ! -e "$XDG_DATA_HOME/burrow/containers/$id" ] || { echo "the killed rm's files stay" >&2; return 1; }
	[ ! -e "$XDG_RUNTIME_DIR/burrow/containers/$id" ]
	[ -d "$XDG_DATA_HOME/burrow/containers/$keep" ]
	run_burrow 0 start -a kept
}

@test "--requires: starts its dependencies first; rm refuses while dependents exist; rm --depend removes the tree" {
	run_burrow 0 create --name db busybox sleep 600
	run_burrow 0 create --name cache busybox sleep 600
	run_burrow 0 create --name app --requires db,cache busybox sleep 600
	run_burrow 0 create --name front --requires app busybox sleep 600
	local db_id
	db_id=$("$BURROW" inspect --format '{{.Id}}' db)
	run_burrow 0 inspect app
	assert_match "$(json_get "$output" 'd[0]["Dependencies"]')" "$db_id"
	run_burrow 0 start front
	run_burrow 0 ps --format '{{.Names}}' --sort names
	is "$output" $'app\ncache\ndb\nfront'
	# a dependency that cannot start fails the start, naming it
	run_burrow 0 stop -t 0 front app db
	run_burrow 0 create --name bad busybox /nonexistent
	run_burrow 0 create --name needsbad --requires bad busybox sleep 600
	run_burrow 125 start needsbad
	assert_match "$output" "cannot start container 'needsbad': its dependency 'bad'"
	assert_match "$output" "/nonexistent"
	# refusals
	run_burrow 125 create --requires nosuch busybox true
	assert_match "$output" "no such container 'nosuch'"
	run_burrow 125 rm db
	assert_match "$output" "cannot remove container 'db': container depends on it: app"
	run_burrow 125 rm -f app
	assert_match "$output" "depends on it: front"
	# --depend: the dependents first
	run_burrow 0 rm -f --depend db
	local lines
	lines=$(printf '%s\n' "$output" | tail -1)
	is "$lines" db
	run_burrow 0 ps -a --format '{{.Names}}' --sort names
	is "$output" $'bad\ncache\nneedsbad'
}

@test "--requires X racing rm X: a create that looked X up before rm removed it is refused, nothing requires a removed container" {
	run_burrow 0 create --name dep busybox true
	# create held at the transaction that stores it (it has looked dep up)
	hold_at_tx create --name needs --requires dep busybox true
	run_burrow 0 rm dep
	resume_held
	is "$RC" 125 "create refused"
	assert_match "$(cat "$T/run.out")" "its dependency [0-9a-f]{12} was removed meanwhile"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "" "no container requires a removed one"
}

@test "rm X racing create --requires X: an rm that looked for dependents before the create stored one refuses, X stays as it was" {
	run_burrow 0 create --name dep busybox true
	# rm held at its first write of state.tdb, after its first look for
	# dependents
	HOLD_DB=$XDG_RUNTIME_DIR/burrow/state.tdb hold_at_tx rm dep
	run_burrow 0 create --name needs --requires dep busybox true
	resume_held
	is "$RC" 125 "rm refused"
	assert_match "$(cat "$T/run.out")" "cannot remove container 'dep': container depends on it: needs"
	run_burrow 0 ps -a --format '{{.Names}} {{.State}}' --sort names
	is "$output" $'dep created\nneeds created' "both stay, dep as it was"
	run_burrow 0 start needs
	run_burrow 0 rm -f --depend dep
}

@test "run --rm X that another requires: its end removes it not, as podman's; it stays exited with the refusal in its log, a start of the dependent starts it" {
	run_burrow 0 run -d --rm --name rx busybox sleep 600
	run_burrow 0 create --name needsrx --requires rx busybox true
	local id
	id=$("$BURROW" inspect --format '{{.Id}}' rx)
	run_burrow 0 stop -t 0 rx
	wait_state rx '^Exited'
	run_burrow 0 ps -a --format '{{.Names}} {{.State}}' --sort names
	is "$output" $'needsrx created\nrx exited' "rx stays, stopped"
	run cat "$XDG_DATA_HOME/burrow/containers/$id/monitor.log"
	assert_match "$output" "cannot remove container 'rx': container depends on it: needsrx: it stays \\(--rm\\)"
	# the dependent starts it again; rm refuses it while the dependent is there
	run_burrow 0 start -a needsrx
	wait_state rx '^Up'
	run_burrow 125 rm -f rx
	assert_match "$output" "depends on it: needsrx"
	run_burrow 0 rm -f --depend rx
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "" "both gone"
}

@test "--volumes-from X and --network container:X make X a dependency: started first, not removed before" {
	run_burrow 0 create --name vsrc -v /data busybox sleep 600
	run_burrow 0 create --name vuser --volumes-from vsrc busybox sleep 600
	local src_id
	src_id=$("$BURROW" inspect --format '{{.Id}}' vsrc)
	run_burrow 125 rm vsrc
	assert_match "$output" "depends on it: vuser"
	run_burrow 0 start vuser
	run_burrow 0 ps --format '{{.Names}}' --sort names
	is "$output" $'vsrc\nvuser'
	run_burrow 0 create --name nuser --network container:vsrc busybox sleep 600
	run_burrow 0 inspect nuser
	assert_match "$(json_get "$output" 'd[0]["Dependencies"]')" "$src_id"
	run_burrow 0 rm -f --depend vsrc
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" ""
}

# labeled_image NAME: the busybox tarball loaded as a docker-archive whose
# configuration has Labels (from=image, over=image).
labeled_image() {
	local tar=$BATS_RUN_TMPDIR/busybox.tar
	python3 - "$tar" "$T/labeled.tar" "$1" <<'PY'
import hashlib, io, json, sys, tarfile
layer = open(sys.argv[1], 'rb').read()
diff = 'sha256:' + hashlib.sha256(layer).hexdigest()
cfg = json.dumps({'architecture': 'amd64', 'os': 'linux',
                  'config': {'Cmd': ['sh'], 'Labels': {'from': 'image', 'over': 'image'}},
                  'rootfs': {'type': 'layers', 'diff_ids': [diff]}}).encode()
cfgname = hashlib.sha256(cfg).hexdigest() + '.json'
man = json.dumps([{'Config': cfgname, 'RepoTags': [sys.argv[3] + ':latest'], 'Layers': ['layer.tar']}]).encode()
with tarfile.open(sys.argv[2], 'w') as t:
    for name, data in (('layer.tar', layer), (cfgname, cfg), ('manifest.json', man)):
        i = tarfile.TarInfo(name)
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
PY
	run_burrow 0 load -i "$T/labeled.tar"
}

@test "labels: the image's first, the container's over them (podman's merge)" {
	labeled_image labeled
	run_burrow 0 create --name fromimg -l over=mine -l own=x labeled
	run_burrow 0 inspect fromimg
	is "$(json_get "$output" 'd[0]["Config"]["Labels"]')" '{"from": "image", "over": "mine", "own": "x"}'
	run_burrow 0 ps -a --filter label=from=image --format '{{.Names}}'
	is "$output" fromimg
}

@test "top: podman's other descriptors (real and host IDs, pgid, capabilities, seccomp, state, stime); anything else runs ps(1) in the container" {
	run_burrow 0 run -d --name tp --cap-drop all --cap-add chown,kill busybox sleep 1000
	run_burrow 0 top tp ruser %g pgid capeff capbnd capinh capamb seccomp state
	is "${lines[0]}" "RUSER       RGROUP      PGID        EFFECTIVE CAPS  BOUNDING CAPS  INHERITED CAPS  AMBIENT CAPS  SECCOMP     STATE"
	assert_match "${lines[1]}" '^root +root +1 +CHOWN,KILL +CHOWN,KILL +none +none +filter +S$'
	# hpid, huser, hgroup: as the host sees them
	run_burrow 0 top tp hpid,huser,hgroup
	is "${lines[0]}" "HPID        HUSER       HGROUP"
	assert_match "${lines[1]}" "^$("$BURROW" inspect --format '{{.State.Pid}}' tp) +$(id -u) +$(id -g)\$"
	# stime: when it started, as Go prints a local time
	run_burrow 0 top tp stime label
	assert_match "${lines[1]}" '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4} [A-Z0-9+-]+ +[^ ]+$'
	# ps(1)'s own options and words: busybox's ps prints its own table
	run_burrow 0 top tp -o pid,comm
	is "${lines[0]}" "PID   COMMAND"
	assert_match "${lines[1]}" '^ +1 sleep$'
	run_burrow 0 rm -f tp
}

