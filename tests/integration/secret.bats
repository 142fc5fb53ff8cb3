#!/usr/bin/env bats
# burrow secret (create, ls, inspect, rm, exists) and run's --secret: the
# content inside the container with the owner and mode asked, read-only, or
# in a variable; never in inspect, logs, the store's records or files others
# can read; each container keeps its own copy; hostile targets stay inside.

load helpers

SECRET_TEXT=hunter2-s3cr3t

suite_setup() {
	import_busybox
	SECRETS=$XDG_DATA_HOME/burrow/secrets
	make_sentinel
	printf '%s' "$SECRET_TEXT" >"$T/s.txt"
}

# Copies may belong to subordinate IDs: remove the store from inside the
# namespace.
suite_teardown() {
	# lets go a lock a test holds until told (bounded too: 60 s)
	touch "$T/release"
	# a create a test held part-way (bounded: timeout 60)
	[ -n "${held:-}" ] && { kill "$held" 2>/dev/null; wait "$held" 2>/dev/null; }
	rm_store
}

# The IDs 'secret ls -q' prints, on one line.
secret_ids() {
	run_burrow 0 secret ls -q
	echo $output
}

@test "secret: create from a file and from stdin; ls, inspect, exists; private files" {
	run_burrow 0 secret create -l team=ops mysec "$T/s.txt"
	id=$output
	assert_match "$id" '^[0-9a-f]{25}$'
	run timeout 30 "$BURROW" secret create other - <<<"from stdin"
	is "$status" 0
	other=$output
	run_burrow 0 secret ls
	assert_match "${lines[0]}" '^ID +NAME +DRIVER +CREATED +UPDATED$'
	is "${#lines[@]}" 3
	assert_match "$output" "$id +mysec +file "
	run_burrow 0 secret ls --noheading --format '{{.Name}}'
	is "$(sort <<<"$output" | tr "\n" " ")" "mysec other "
	run_burrow 0 secret ls --filter name=^my --format '{{.ID}}'
	is "$output" "$id"
	run_burrow 0 secret ls --filter "id=${other:0:6}" -q
	is "$output" "$other"
	run_burrow 0 secret inspect mysec
	is "$(jq -r '.[0].ID, .[0].Spec.Name, .[0].Spec.Driver.Name, .[0].Spec.Labels.team' <<<"$output" | tr '\n' ' ')" \
		"$id mysec file ops "
	assert_no_match "$output" "$SECRET_TEXT"
	run_burrow 0 secret inspect --format '{{.Spec.Name}}' "${id:0:8}"
	is "$output" "mysec"
	run_burrow 0 secret inspect --pretty mysec
	assert_match "$output" "Name: +mysec"
	assert_no_match "$output" "$SECRET_TEXT"
	run_burrow 125 secret inspect mysec nosuch
	is "$(jq -r '.[0].Spec.Name' <<<"${lines[*]:0:${#lines[@]}-1}")" mysec
	assert_match "${lines[-1]}" "no such secret 'nosuch'"
	# none found: JSON's empty list still, as podman's
	run_burrow 125 secret inspect nosuch
	is "$output" "[]
burrow: no such secret 'nosuch'"
	run_burrow 0 secret exists mysec
	run_burrow 0 secret exists "$id"
	run_burrow 1 secret exists nosuch
	# the store: a private directory, one 0600 file per secret, the
	# content in no record
	is "$(stat -c %a "$SECRETS")" 700
	is "$(stat -c %a "$SECRETS/$id")" 600
	is "$(cat "$SECRETS/$id")" "$SECRET_TEXT"
	run grep -c "$SECRET_TEXT" "$XDG_DATA_HOME/burrow/burrow.tdb"
	is "$output" 0 "the content is in burrow.tdb"
	# --env: the content of a variable
	SECRET_VAR=fromvar run_burrow 0 secret create --env envsec SECRET_VAR
	is "$(cat "$SECRETS/$output")" fromvar
	run_burrow 125 secret create --env envsec2 NO_SUCH_VAR_HERE
	assert_match "$output" "NO_SUCH_VAR_HERE.*not set"
}

@test "secret: rm, rm -a, rm -i; --replace keeps the ID; bad input writes nothing" {
	run_burrow 0 secret create sa "$T/s.txt"
	a=$output
	run_burrow 125 secret create sa "$T/s.txt"
	assert_match "$output" "secret name 'sa' is already in use"
	printf 'new' | timeout 30 "$BURROW" secret create --replace sa -
	is "$(cat "$SECRETS/$a")" new
	run_burrow 0 secret inspect --format '{{.ID}}' sa
	is "$output" "$a"
	run_burrow 0 secret rm sa
	is "$output" "$a"
	[ ! -e "$SECRETS/$a" ]
	# a missing secret is 125 (podman's secret rm, unlike its volume rm's
	# 1), the others still go; the names are not hex, so a missing one
	# cannot fall through to a prefix of the other's ID
	run_burrow 0 secret create sa2 "$T/s.txt"
	a2=$output
	run_burrow 125 secret rm sa sa2
	is "$output" "burrow: no such secret 'sa'
$a2"
	run_burrow 1 secret exists sa2
	run_burrow 0 secret rm -i sa
	run_burrow 0 secret create b "$T/s.txt"
	run_burrow 0 secret create c "$T/s.txt"
	run_burrow 0 secret rm --all
	is "$(secret_ids)" ""
	is "$(ls -A "$SECRETS")" "" "files left in the store"
	# refused, each with one line, and nothing written
	: >"$T/empty"
	head -c 512000 /dev/zero >"$T/big"
	run_burrow 125 secret create 'bad/name' "$T/s.txt"
	assert_match "$output" "invalid secret name"
	run_burrow 125 secret create e "$T/empty"
	assert_match "$output" "larger than 0 and less than 512000 bytes"
	run_burrow 125 secret create big "$T/big"
	assert_match "$output" "less than 512000 bytes"
	run_burrow 125 secret create -d pass p "$T/s.txt"
	assert_match "$output" "driver 'pass' is not supported"
	run_burrow 125 secret create --driver-opts path=/tmp p "$T/s.txt"
	assert_match "$output" "takes no options"
	run_burrow 125 secret create m "$T/missing"
	assert_match "$output" "cannot open"
	run_burrow 125 secret create onlyname
	is "$(secret_ids)" ""
	is "$(ls -A "$SECRETS")" "" "a refused create left files"
	run_burrow 125 run --rm --secret nosuch busybox true
	assert_match "$output" "no such secret 'nosuch'"
	run_burrow 0 ps -a -q
	is "$output" "" "a container was made for a missing secret"
	is "$(ls -A "$XDG_DATA_HOME/burrow/containers" 2>/dev/null)" "" "a refused create left a container directory"
}

@test "secret: --secret mounts the content read-only, with the owner and mode asked; type=env sets a variable" {
	run_burrow 0 secret create mysec "$T/s.txt"
	run_burrow 0 run --rm --secret mysec busybox sh -c 'stat -c "%a %u %g" /run/secrets/mysec; cat /run/secrets/mysec; echo; { echo x >/run/secrets/mysec; } 2>/dev/null || echo ro'
	is "$output" "444 0 0
$SECRET_TEXT
ro"
	run_burrow 0 run --rm --secret mysec,target=sub/t,mode=0400 --secret mysec,target=/etc/abs busybox \
		sh -c 'stat -c "%a" /run/secrets/sub/t; cat /etc/abs'
	is "$output" "400
$SECRET_TEXT"
	if many_ids; then
		run_burrow 0 run --rm --secret mysec,uid=12,gid=34,mode=0440 busybox stat -c '%a %u %g' /run/secrets/mysec
		is "$output" "440 12 34"
	else
		run_burrow 125 run --rm --secret mysec,uid=12 busybox true
		assert_match "$output" "does not map it"
	fi
	# --userns keep-id: the IDs are still the container's (its root, or
	# uid=/gid=), as podman, whatever ID the user has inside
	if many_ids; then
		run_burrow 0 run --rm --userns keep-id --secret mysec --secret mysec,target=o,uid=12,gid=34 busybox \
			stat -c '%u %g' /run/secrets/mysec /run/secrets/o
		is "$output" "0 0
12 34"
		if [ "$(id -u)" != 0 ]; then # past the subordinate range (root's has every ID)
			run_burrow 125 run --rm --userns keep-id --secret mysec,uid=70000 busybox true
			assert_match "$output" "secret 'mysec' to 70000:0: the container's user namespace does not map it"
		fi
	else
		# the one ID there is: the user's
		run_burrow 0 run --rm --userns keep-id --secret mysec busybox stat -c '%u %g' /run/secrets/mysec
		is "$output" "$(id -u) $(id -g)"
	fi
	run_burrow 0 run --rm --secret mysec,type=env --secret mysec,type=env,target=OTHER busybox sh -c 'echo "$mysec/$OTHER"'
	is "$output" "$SECRET_TEXT/$SECRET_TEXT"
	# bad --secret options: one line, 125, no container
	for bad in 'mysec,type=file' 'mysec,mode=999' 'mysec,uid=x' 'mysec,type=env,mode=0400' 'mysec,type=env,target=A-B' \
		'mysec,bogus=1' 'type=env' 'mysec,target=../../etc/x' 'mysec,target=/run/secrets/../../x'; do
		run_burrow 125 run --rm --secret "$bad" busybox true
		is "${#lines[@]}" 1 "--secret $bad: $output"
	done
	run_burrow 0 ps -a -q
	is "$output" "" "a refused --secret made a container"
}

@test "secret: the content is in no inspect, no log, no record; the copy is private" {
	run_burrow 0 secret create mysec "$T/s.txt"
	sid=$output
	run_burrow 0 run --name c1 --secret mysec --secret mysec,type=env,target=TOKEN busybox sh -c 'echo started; test "${#TOKEN}" = 14 && echo env-ok'
	is "$output" "started
env-ok"
	run_burrow 0 inspect c1
	assert_no_match "$output" "$SECRET_TEXT"
	is "$(jq -r '.[0].Config.Secrets | map(.Name + ":" + .ID + ":" + (.Mode|tostring)) | join(" ")' <<<"$output")" \
		"mysec:$sid:292 mysec:$sid:0"
	is "$(jq -r '.[0].Config.Env | map(select(startswith("TOKEN"))) | length' <<<"$output")" 0
	run_burrow 0 logs c1
	assert_no_match "$output" "$SECRET_TEXT"
	run grep -rlF "$SECRET_TEXT" "$XDG_DATA_HOME/burrow/burrow.tdb" "$XDG_RUNTIME_DIR/burrow/state.tdb"
	is "$output" "" "the content is in a record"
	id=$(timeout 30 "$BURROW" inspect --format '{{.Id}}' c1)
	is "$(stat -c %a "$XDG_DATA_HOME/burrow/containers/$id/secrets")" 700
	is "$(stat -c %a "$XDG_DATA_HOME/burrow/containers/$id/secrets/1")" 600
}

@test "secret: rm of a secret in use is refused without -f; the container keeps its copy after rm and --replace" {
	run_burrow 0 secret create mysec "$T/s.txt"
	run_burrow 0 create --name c1 --secret mysec --secret mysec,type=env,target=V busybox sh -c 'cat /run/secrets/mysec; echo " $V"'
	run_burrow 125 secret rm mysec
	assert_match "${lines[0]}" "secret 'mysec' is in use by container 'c1'"
	run_burrow 0 secret exists mysec
	# a new content for new containers only
	printf 'second' | timeout 30 "$BURROW" secret create --replace mysec -
	run_burrow 0 start -a c1
	is "$output" "$SECRET_TEXT $SECRET_TEXT"
	run_burrow 0 run --rm --secret mysec busybox cat /run/secrets/mysec
	is "$output" "second"
	run_burrow 0 secret rm -f mysec
	run_burrow 1 secret exists mysec
	run_burrow 0 start -a c1
	is "$output" "$SECRET_TEXT $SECRET_TEXT" "the copy went with the secret"
	# once the container is gone, nothing refuses
	run_burrow 0 secret create s2 "$T/s.txt"
	run_burrow 0 create --name c2 --secret s2 busybox true
	run_burrow 0 rm c2
	run_burrow 0 secret rm s2
}

@test "secret: a FIFO, a symlink or a directory in place of a secret's file is refused at once; no container" {
	run_burrow 0 secret create mysec "$T/s.txt"
	sid=$output
	rm "$SECRETS/$sid"
	# a FIFO would hold the create's open until someone writes to it
	mkfifo -m 600 "$SECRETS/$sid"
	BURROW_TIMEOUT=20 run_burrow 125 create --name c1 --secret mysec busybox true
	is "$output" "burrow: secret ${sid:0:12} is damaged: not a file of at most 512000 bytes"
	rm "$SECRETS/$sid"
	ln -s "$OUTSIDE/victim" "$SECRETS/$sid"
	run_burrow 125 create --name c1 --secret mysec busybox true
	assert_match "$output" "cannot read secret ${sid:0:12}: Too many levels of symbolic links"
	rm "$SECRETS/$sid"
	mkdir "$SECRETS/$sid"
	run_burrow 125 run --rm --secret mysec busybox true
	assert_match "$output" "secret ${sid:0:12} is damaged"
	rmdir "$SECRETS/$sid"
	run_burrow 0 ps -aq
	is "$output" "" "a container was made"
	is "$(ls -A "$XDG_DATA_HOME/burrow/containers" 2>/dev/null)" "" "a refused create left a container directory"
	is "$(cat "$OUTSIDE/victim")" "orig"
	run_burrow 0 secret rm mysec
}

@test "secret: hostile image: /run/secrets a symlink to a host path; the mount stays inside the container" {
	mktar "$T/extra.tar" "d('run'); l('run/secrets', '$OUTSIDE'); l('esc', '../../../../../../$OUTSIDE')"
	cp "$BATS_RUN_TMPDIR/busybox.tar" "$T/img.tar"
	python3 - "$T/img.tar" "$T/extra.tar" <<'PY'
import sys, tarfile
a = tarfile.open(sys.argv[1], "a")
b = tarfile.open(sys.argv[2])
for m in b.getmembers():
    a.addfile(m, b.extractfile(m) if m.isfile() else None)
a.close()
PY
	run_burrow 0 import --change 'CMD ["sh"]' "$T/img.tar" img
	run_burrow 0 secret create mysec "$T/s.txt"
	run_burrow run --rm --secret mysec --secret mysec,target=/esc/x img cat /run/secrets/mysec
	# the sentinel first: whatever the run said, nothing may have reached it
	is "$(ls -A "$OUTSIDE")" "victim" "files appeared in the sentinel directory"
	is "$(cat "$OUTSIDE/victim")" "orig"
	is "$(awk -v d="$OUTSIDE" '$5 == d' /proc/self/mountinfo)" "" "something is mounted on the sentinel directory"
	is "$status" 0 "$output"
	is "$output" "$SECRET_TEXT"
}

# Runs a create that is killed (SIGKILL) once it made the copy of its first
# secret ('a'), held before the second ('b') by the test's delay after each
# copy: what a create killed half-way leaves. $1: ROOT/containers.
killed_create() {
	local pid i before
	before=$(ls "$1"/*/secrets/0 2>/dev/null | wc -l)
	BURROW_TEST_SECRET_COPY_DELAY_MS=5000 "$BURROW" create --name half --secret a --secret b busybox true &
	pid=$!
	for i in $(seq 600); do
		[ "$(ls "$1"/*/secrets/0 2>/dev/null | wc -l)" -gt "$before" ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
}

# A create killed between the secrets' copies and its record leaves the
# copies of no container: the next rm (or the refresh after a reboot)
# removes them when that container's lock is free (a create holds it
# until its record is stored; rm does not wait for it).
@test "secret: the copies of a create killed half-way are removed by the next rm, which neither waits for nor takes their held lock" {
	run_burrow 0 secret create a "$T/s.txt"
	run_burrow 0 secret create b "$T/s.txt"
	local copies="$XDG_DATA_HOME/burrow/containers" pid id
	# a create that finishes leaves no mark; rm leaves its copies alone
	run_burrow 0 create --name whole --secret a busybox cat /run/secrets/a
	whole=$output
	run ls "$SECRETS/pending"
	is "$output" "" "no mark of a create that finished"
	killed_create "$copies"
	run_burrow 0 ps -aq --filter name=half
	is "$output" "" "no container stored"
	id=$(ls "$copies" | grep -v "$whole")
	[ -f "$copies/$id/secrets/0" ]
	# while its lock is held (as by a create under way) the copies stay:
	# held until released, seen held before rm starts (bounded: 30 s)
	local lock="$XDG_RUNTIME_DIR/burrow/locks/$id.lock" i
	flock "$lock" sh -c 'i=0; while [ ! -e "$0" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done' "$T/release" &
	pid=$!
	for i in $(seq 600); do
		flock -n "$lock" true || break
		sleep 0.05
	done
	! flock -n "$lock" true
	# rm does not wait for it (a create under way may take long): done
	# well before the 30 s a wait for the lock would take
	run timeout 20 "$BURROW" rm -i nosuch
	is "$status" 0 "$output"
	[ -f "$copies/$id/secrets/0" ] || { echo "removed while its lock was held"; false; }
	touch "$T/release"
	wait "$pid"
	# the next rm, with the lock free, removes them
	run_burrow 0 rm -i nosuch
	run ls "$copies"
	is "$output" "$whole" "the copies of the killed create are gone"
	run ls "$SECRETS/pending"
	is "$output" "" "and its mark"
	run_burrow 0 start -a whole
	is "$output" "$SECRET_TEXT"
	run_burrow 0 rm whole
	run_burrow 0 secret rm -f b
}

# A create part-way (held 10 s after each secret's copy by the test's delay,
# its container's lock held): rm of it, or of anything, answers at once
# instead of waiting up to 30 s for that lock, and leaves the create's
# copies alone.
@test "secret: rm while a create is part-way does not wait for the create's lock" {
	run_burrow 0 secret create a "$T/s.txt"
	run_burrow 0 secret create b "$T/s.txt"
	local copies="$XDG_DATA_HOME/burrow/containers" pid i
	BURROW_TEST_SECRET_COPY_DELAY_MS=10000 timeout 60 "$BURROW" create --name half --secret a --secret b busybox true >"$T/create.out" &
	pid=$!
	for i in $(seq 600); do
		ls "$copies"/*/secrets/0 >/dev/null 2>&1 && break
		sleep 0.05
	done
	ls "$copies"/*/secrets/0
	run timeout 20 "$BURROW" rm half
	is "$status" 1 "$output"
	assert_match "$output" "no such container 'half'"
	run timeout 20 "$BURROW" rm -i nosuch
	is "$status" 0 "$output"
	# both answered while the create still held its lock (it prints its
	# ID once its record is stored): a wait for the lock would have ended
	# only after it
	[ ! -s "$T/create.out" ] || { echo "rm waited for the create: $(cat "$T/create.out")"; false; }
	# the create goes on: its copies were left alone, and it ends whole
	ls "$copies"/*/secrets/0
	wait "$pid"
	run_burrow 0 ps -aq --filter name=half
	is "$output" "$(cut -c1-12 "$T/create.out")"
	run ls -A "$SECRETS/pending"
	is "$output" ""
	run_burrow 0 rm half
	run_burrow 0 secret rm a b
}

# A create killed (SIGKILL) after it made an anonymous volume and a named
# one and marked another used (held after its secret's copy by the test's
# delay): the
# next rm drops the use and removes the volumes it made, as a create that
# fails does.
@test "secret: the volumes a create killed half-way made or marked are released by the next rm" {
	command -v tdbdump >/dev/null || need_or_fail "tdbdump (Debian package tdb-tools)"
	run_burrow 0 secret create b "$T/s.txt"
	run_burrow 0 volume create keep
	local copies="$XDG_DATA_HOME/burrow/containers" pid i id
	BURROW_TEST_SECRET_COPY_DELAY_MS=5000 "$BURROW" create --name half -v /anon -v keep:/k -v made:/m --secret b busybox true &
	pid=$!
	for i in $(seq 600); do
		ls -d "$copies"/*/secrets >/dev/null 2>&1 && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	id=$(ls "$SECRETS/pending")
	[ ${#id} -eq 64 ]
	run_burrow 0 volume ls -q
	is "$(echo "$output" | grep -c .)" 3 "keep, made and the anonymous one"
	run tdbdump "$XDG_DATA_HOME/burrow/burrow.tdb"
	assert_match "$output" "$id"
	run_burrow 0 rm -i nosuch
	run_burrow 0 volume ls -q
	is "$output" "keep"
	run ls "$XDG_DATA_HOME/burrow/volumes"
	is "$output" "keep"
	run tdbdump "$XDG_DATA_HOME/burrow/burrow.tdb"
	assert_no_match "$output" "$id"
	run ls -A "$SECRETS/pending"
	is "$output" ""
	run_burrow 0 secret rm -f b
	run_burrow 0 volume rm keep
}

# wait_copies N: until N containers have their first secret's copy
# (bounded: 30 s: a loaded machine starts the create late).
wait_copies() {
	local i
	for i in $(seq 600); do
		[ "$(ls "$XDG_DATA_HOME"/burrow/containers/*/secrets/0 2>/dev/null | wc -l)" -ge "$1" ] && return 0
		sleep 0.05
	done
	false
}

# A create uses a volume before it stores its record (held there after
# its secret's copy by the test's delay): volume rm must not take it for
# unused.
@test "secret: volume rm of a volume a create under way uses, its record not stored yet, is refused (-f too); the create ends whole" {
	run_burrow 0 secret create b "$T/s.txt"
	run_burrow 0 secret create c "$T/s.txt"
	run_burrow 0 volume create vol
	# (10 s after each copy: 20 s, room for three commands on a loaded machine)
	BURROW_TEST_SECRET_COPY_DELAY_MS=10000 timeout 60 "$BURROW" create --name mid -v vol:/v --secret b --secret c busybox ls /v >"$T/create.out" &
	held=$!
	wait_copies 1
	run timeout 20 "$BURROW" volume rm vol
	[ "$status" -ne 0 ]
	assert_match "$output" "volume 'vol' is in use by container '[0-9a-f]{12} \(being created\)'"
	run timeout 20 "$BURROW" volume rm -f vol
	[ "$status" -ne 0 ]
	assert_match "$output" "in use by container '[0-9a-f]{12} \(being created\)'"
	run timeout 20 "$BURROW" volume prune -f
	is "$status" 0 "$output"
	# all that while the create was under way (it prints its ID at the end)
	[ ! -s "$T/create.out" ]
	wait "$held"
	held=
	run_burrow 0 volume ls -q
	is "$output" "vol"
	run_burrow 0 start -a mid
	run_burrow 0 rm mid
	run_burrow 0 volume rm vol
	run_burrow 0 secret rm b c
}

# The sweep of a killed create removes the volumes it made: not one that a
# newer create, under way, uses too.
@test "secret: the sweep of a create killed half-way keeps a volume it made that a create under way uses" {
	run_burrow 0 secret create b "$T/s.txt"
	local pid
	BURROW_TEST_SECRET_COPY_DELAY_MS=5000 "$BURROW" create --name half -v shared:/s --secret b busybox true &
	pid=$!
	wait_copies 1
	kill -9 "$pid"
	wait "$pid" || true
	local killed
	killed=$(ls "$SECRETS/pending")
	[ ${#killed} -eq 64 ]
	run_burrow 0 secret create c "$T/s.txt"
	BURROW_TEST_SECRET_COPY_DELAY_MS=10000 timeout 60 "$BURROW" create --name mid -v shared:/s --secret b --secret c busybox ls /s >"$T/create.out" &
	held=$!
	wait_copies 2
	# the sweep: the killed create's use and mark go, the volume stays
	run_burrow 0 rm -i nosuch
	[ ! -s "$T/create.out" ]
	run ls "$SECRETS/pending"
	assert_no_match "$output" "$killed"
	run_burrow 0 volume ls -q
	is "$output" "shared"
	wait "$held"
	held=
	run_burrow 0 start -a mid
	run_burrow 0 volume inspect --format '{{.Name}}' shared
	is "$output" "shared"
	run_burrow 0 rm mid
	run_burrow 0 volume rm shared
	run_burrow 0 secret rm b c
}

@test "secret: the copies of a create killed half-way are removed by the refresh after a reboot" {
	echo "boot-one" >"$T/boot_id"
	export BURROW_TEST_BOOT_ID_FILE=$T/boot_id
	run_burrow 0 secret create a "$T/s.txt"
	run_burrow 0 secret create b "$T/s.txt"
	local copies="$XDG_DATA_HOME/burrow/containers"
	killed_create "$copies"
	ls "$copies"/*/secrets/0
	# the reboot
	kill_namespace_of "$(keeper_pid)"
	rm -rf "$XDG_RUNTIME_DIR/burrow"
	echo "boot-two" >"$T/boot_id"
	run_burrow 0 ps -a # the first command after the reboot refreshes
	run ls "$copies"
	is "$output" "" "the copies of the killed create are gone"
	run_burrow 0 secret rm -f b
}

# Secrets' names are in the store's records only: their files are named by
# their 25-digit IDs, a create's marks by the container's 64-digit ID in
# secrets/pending. A secret named "pending", or like a container's ID, is
# neither a mark nor in the way of one.
@test "secret: a secret named pending, or like a container ID, is no create's mark: the sweep of a killed create leaves it whole" {
	local hexname i pid copies="$XDG_DATA_HOME/burrow/containers"
	hexname=$(printf '%064d' 0 | tr 0 a)
	run_burrow 0 secret create pending "$T/s.txt"
	run_burrow 0 secret create "$hexname" "$T/s.txt"
	# a create killed after its first copy (held 5 s there by the delay)
	BURROW_TEST_SECRET_COPY_DELAY_MS=5000 "$BURROW" create --name half --secret pending --secret "$hexname" \
		busybox true &
	pid=$!
	for i in $(seq 600); do
		[ -n "$(ls "$copies"/*/secrets/0 2>/dev/null)" ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	run ls "$SECRETS/pending"
	assert_match "$output" "^[0-9a-f]{64}$"
	[ "$output" != "$hexname" ]
	# the next rm sweeps the mark and the copies, and nothing else
	run_burrow 0 rm -i nosuch
	run ls "$SECRETS/pending"
	is "$output" "" "the mark is gone"
	run ls "$copies"
	is "$output" "" "and the copies"
	run_burrow 0 secret ls --format '{{.Name}}'
	is "$(echo $(printf '%s\n' "$output" | sort))" "$hexname pending"
	run_burrow 0 run --rm --secret pending --secret "$hexname" busybox cat /run/secrets/pending "/run/secrets/$hexname"
	is "$output" "$SECRET_TEXT$SECRET_TEXT"
	run_burrow 0 secret rm pending
	run_burrow 0 secret ls --format '{{.Name}}'
	is "$output" "$hexname"
}

# proc_test_delay: a window a test asks for is there, or said not to be.
@test "secret: a test delay that is not a number of milliseconds from 1 to 60000 is a warning, not a silent no-op" {
	run_burrow 0 secret create a "$T/s.txt"
	local v
	for v in 99999 0 5s; do
		BURROW_TEST_SECRET_COPY_DELAY_MS=$v run_burrow 0 run --rm --secret a busybox true
		is "$output" "burrow: warning: ignoring BURROW_TEST_SECRET_COPY_DELAY_MS='$v': not a number of milliseconds from 1 to 60000"
	done
	BURROW_TEST_SECRET_COPY_DELAY_MS= run_burrow 0 run --rm --secret a busybox true
	is "$output" "" "empty: no delay, nothing said"
}

@test "secret: =false is as if not given: create --env, inspect --all and --pretty, rm --all and --force, ls -q" {
	# --env=false: the argument is a file, as without it
	SECRET_VAR=from-env run_burrow 125 secret create --env=false se SECRET_VAR
	SECRET_VAR=from-env run_burrow 0 secret create --env se SECRET_VAR
	run_burrow 0 secret create sa "$T/s.txt"
	run_burrow 125 secret inspect --all sa
	run_burrow 0 secret inspect --all=false --format '{{.Spec.Name}}' sa
	is "$output" "sa" "secret inspect --all=false: the one named"
	run_burrow 0 secret inspect --pretty=false sa
	is "${lines[0]}" "[" "secret inspect --pretty=false: JSON"
	run_burrow 0 secret inspect --pretty sa
	assert_match "${lines[0]}" "^ID: " "secret inspect --pretty: the text"
	run_burrow 0 secret ls -q=false
	assert_match "${lines[0]}" "^ID +NAME" "secret ls -q=false: the table"
	# --force=false: a secret a container uses stays, as without it
	run_burrow 0 create --name user --secret sa busybox true
	run_burrow 125 secret rm --force=false sa
	assert_match "$output" "in use" "secret rm --force=false: refused"
	run_burrow 125 secret rm --all se
	run_burrow 0 secret rm --all=false se
	run_burrow 0 secret ls --format '{{.Name}}'
	is "$output" "sa" "secret rm --all=false: the one named"
	run_burrow 0 secret rm --force sa
}
