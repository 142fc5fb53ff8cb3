#!/usr/bin/env bats
# podman's lifecycle flags: run/create --replace and --cidfile; rm --all;
# --cidfile and -l/--latest on the container verbs.

load helpers

suite_setup() {
	import_busybox
}

# names: every container's name, sorted, one line.
names() {
	"$BURROW" ps -a --format '{{.Names}}' | sort | tr '\n' ' '
}

# full_id NAME
full_id() {
	"$BURROW" inspect --format '{{.Id}}' "$1"
}

# state_of NAME: its inspect State.Status
state_of() {
	"$BURROW" inspect --format '{{.State.Status}}' "$1"
}

@test "run/create --replace: the container of that name goes first (running: killed); without --name refused" {
	run_burrow 125 create --replace busybox true
	assert_match "$output" "cannot replace container without --name being set"
	is "$(names)" "" "nothing created"

	run_burrow 0 run -d --name web busybox sleep 60
	old=$output
	run_burrow 0 run -d --replace --name web busybox sleep 60
	new=${lines[-1]}
	is "${#lines[@]}" 1 "only the new ID is printed"
	[ "$new" != "$old" ]
	is "$(full_id web)" "$new"
	is "$(state_of web)" running
	run_burrow 1 rm "$old"
	is "$(names)" "web "

	# none of that name: just created
	run_burrow 0 create --replace --name other busybox true
	is "$(names)" "other web "
}

@test "create --replace: a create that fails its checks keeps the old container; a name that is an ID prefix replaces nothing" {
	run_burrow 0 create --name keep busybox true
	id=$output
	run_burrow 125 create --replace --name keep --restart bogus busybox true
	run_burrow 125 create --replace --name keep --pull never nosuchimage true
	run_burrow 125 create --replace --name keep --cidfile "$BATS_TEST_TMPDIR/no/such/dir/cid" busybox true
	is "$(full_id keep)" "$id" "still the old one"

	# a name that is only a prefix of another container's ID
	prefix=${id:0:12}
	run_burrow 0 create --replace --name "$prefix" busybox true
	is "$(full_id keep)" "$id" "the container whose ID starts so stays"
	is "$(names)" "$prefix keep "
}

@test "run/create --cidfile: the full ID in a new file, an existing one refused with 125, the file goes with the container" {
	cid=$BATS_TEST_TMPDIR/cid
	run_burrow 0 create --name c1 --cidfile "$cid" busybox true
	id=$output
	is "$(cat "$cid")" "$id"
	is "$(wc -l <"$cid")" 1 "one line"
	run_burrow 0 inspect --format '{{index .Config.Annotations "io.podman.annotations.cid-file"}}' c1
	is "$output" "$cid"

	# an existing file: refused before anything is created
	run_burrow 125 create --name c2 --cidfile "$cid" busybox true
	assert_match "$output" "container id file exists. Ensure another container is not using it or delete $cid"
	run_burrow 125 run --name c2 --cidfile "$cid" busybox true
	is "$(names)" "c1 "
	is "$(cat "$cid")" "$id" "the file is untouched"
	ln -s "$BATS_TEST_TMPDIR/nowhere" "$BATS_TEST_TMPDIR/dangling"
	run_burrow 125 create --cidfile "$BATS_TEST_TMPDIR/dangling" busybox true
	[ ! -e "$BATS_TEST_TMPDIR/nowhere" ]
	# one that cannot be written: no container left
	run_burrow 125 create --name c3 --cidfile "$BATS_TEST_TMPDIR/no/such/dir/cid" busybox true
	is "$(names)" "c1 "

	# relative to where burrow runs
	cd "$BATS_TEST_TMPDIR"
	run_burrow 0 create --name c4 --cidfile rel.cid busybox true
	is "$(cat "$BATS_TEST_TMPDIR/rel.cid")" "$output"
	cd /

	# removed with the container
	run_burrow 0 rm c1 c4
	[ ! -e "$cid" ]
	[ ! -e "$BATS_TEST_TMPDIR/rel.cid" ]

	# a file that no longer holds the container's ID stays
	run_burrow 0 create --name c5 --cidfile "$cid" busybox true
	echo someone-else >"$cid"
	run_burrow 0 rm c5
	is "$(cat "$cid")" someone-else

	# run --rm: gone at the container's end
	rm -f "$cid"
	run_burrow 0 run --rm --cidfile "$cid" busybox true
	for _ in $(seq 300); do [ -e "$cid" ] || break; sleep 0.1; done
	[ ! -e "$cid" ]
}

@test "rm -a: every container, newest first; running ones refused (2) without -f, the others removed; -f removes them" {
	run_burrow 0 create --name base busybox true
	run_burrow 0 create --name dep --requires base busybox true
	run_burrow 0 run -d --name up busybox sleep 60
	up=$output
	run_burrow 0 create --name last busybox true
	last=$output
	run_burrow 2 rm -a
	assert_match "$output" "cannot remove container 'up': it is running"
	assert_match "$output" "$last"
	is "$(names)" "up " "the others are gone, dependents first"
	run_burrow 0 rm -a -f
	is "$output" "$up"
	is "$(names)" ""
	run_burrow 0 rm -a

	run_burrow 125 rm -a up
	assert_match "$output" "no arguments are needed with --all"
	run_burrow 125 rm -a -l
	assert_match "$output" "--all and --latest cannot be used together"
}

@test "-l, --latest: stop, restart, pause, unpause, kill, wait, rm act on the last created container" {
	run_burrow 1 rm -l
	assert_match "$output" "no such container"
	run_burrow 125 stop -l
	assert_match "$output" "no such container"

	run_burrow 0 run -d --name first busybox sleep 60
	run_burrow 0 run -d --name second busybox sleep 60
	second=$output
	run_burrow 0 stop -l -t 0
	is "${lines[-1]}" "$second"
	is "$(state_of second)" exited
	is "$(state_of first)" running
	run_burrow 0 restart -l
	is "${lines[-1]}" "$second"
	is "$(state_of second)" running
	run_burrow 0 pause -l
	is "${lines[-1]}" "$second"
	is "$(state_of second)" paused
	run_burrow 0 unpause -l
	is "$(state_of second)" running
	run_burrow 0 kill -l
	is "${lines[-1]}" "$second"
	run_burrow 0 rm -l
	is "${lines[-1]}" "$second"
	is "$(names)" "first "
	is "$(state_of first)" running

	run_burrow 125 stop -l first
	assert_match "$output" "--latest and containers cannot be used together"
	run_burrow 125 kill
	assert_match "$output" "you must provide at least one name or id"
}

@test "--cidfile on stop, restart, kill, pause, unpause, rm: the container whose ID the file holds" {
	cid=$BATS_TEST_TMPDIR/cid
	run_burrow 0 run -d --name w --cidfile "$cid" busybox sleep 60
	id=$output
	run_burrow 0 create --name other busybox true
	run_burrow 0 stop -t 0 --cidfile "$cid"
	is "${lines[-1]}" "$id"
	is "$(state_of w)" exited
	run_burrow 0 restart --cidfile "$cid"
	is "$(state_of w)" running
	run_burrow 0 pause --cidfile "$cid"
	is "$(state_of w)" paused
	run_burrow 0 unpause --cidfile "$cid"
	is "$(state_of w)" running
	run_burrow 0 kill --cidfile "$cid"
	is "${lines[-1]}" "$id"

	run_burrow 125 stop --cidfile "$BATS_TEST_TMPDIR/missing"
	assert_match "$output" "reading CIDFile"
	run_burrow 125 stop --cidfile "$cid" other
	assert_match "$output" "no arguments are needed with --latest or --cidfile"
	run_burrow 125 stop --cidfile "$cid" -l
	assert_match "$output" "--all, --latest, and --cidfile cannot be used together"
	run_burrow 125 rm --cidfile "$BATS_TEST_TMPDIR/missing"
	run_burrow 0 rm -i --cidfile "$BATS_TEST_TMPDIR/missing"

	run_burrow 0 rm --cidfile "$cid"
	is "${lines[-1]}" "$id"
	[ ! -e "$cid" ]
	is "$(names)" "other "
}

@test "-l, --latest: start, inspect, logs, exec, top, diff, mount, port, wait, attach take the last created container" {
	run_burrow 0 create --name old busybox true
	run_burrow 0 create --name new busybox sh -c 'echo out-new; echo x >/tmp/made; sleep 60'
	new=$output
	run_burrow 0 start -l
	is "$output" "$new"
	is "$(state_of new)" running
	is "$(state_of old)" created
	run_burrow 0 inspect -l --format '{{.Name}}'
	is "$output" new
	run_burrow 125 inspect -l old
	assert_match "$output" "--latest and containers cannot be used together"
	for _ in $(seq 300); do "$BURROW" exec new test -e /tmp/made && break; sleep 0.1; done
	run_burrow 0 logs -l
	is "$output" out-new
	run_burrow 0 exec -l cat /tmp/made
	is "$output" x
	run_burrow 0 top -l pid args
	assert_match "$output" "sleep 60"
	run_burrow 0 diff -l
	assert_match "$output" "A /tmp/made"
	run_burrow 0 mount -l
	assert_match "$output" "^/"
	run_burrow 0 unmount new
	run_burrow 0 port -l
	is "$output" ""
	run_burrow 0 kill -l
	run_burrow 0 wait -l
	is "$output" 137

	run_burrow 0 run -d --name att busybox sh -c 'sleep 3; echo attached'
	run_burrow 0 attach -l --no-stdin
	assert_match "$output" attached
}

@test "run --replace --name N looks for the name only: N that no container has, though a prefix of several IDs, makes the container" {
	local firsts=() i c=""
	# containers until two IDs share their first hex digit
	for i in $(seq 40); do
		run_burrow 0 create busybox true
		firsts+=("${output:0:1}")
		c=$(printf '%s\n' "${firsts[@]}" | sort | uniq -d | head -1)
		[ -n "$c" ] && break
	done
	[ -n "$c" ]
	run_burrow 0 run --rm --replace --name "$c" busybox echo made
	is "$output" made
	run_burrow 0 ps -aq
	is "$(echo "$output" | grep -c .)" "$i" "the containers whose IDs start so are all kept"
	run_burrow 0 rm -a
}
