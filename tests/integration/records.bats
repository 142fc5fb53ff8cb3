#!/usr/bin/env bats
# Records that cannot be read: a container, image or volume record that a
# bug, a torn write or another burrow version left (truncated JSON, a
# field of another type, a missing field), stored through the
# store-record helper, never by editing the file's bytes. The others
# stay listed, the broken one is named, and rm removes it.

load helpers

suite_setup() {
	import_busybox
	RECORD=$HELPERS_BIN/store-record
}

# record FILE get|put KEY [VALUE]: one record of this test's store.
record() {
	[ -x "$RECORD" ] || need_or_fail "store-record test helper not built"
	run timeout 30 "$RECORD" "$XDG_DATA_HOME/burrow" "$XDG_RUNTIME_DIR/burrow" "$@"
	[ "$status" -eq 0 ] || { echo "store-record $*: $output" >&2; return 1; }
}

# The full ID of container $1.
ctr_id() {
	timeout 30 "$BURROW" ps -a --no-trunc --format '{{.ID}} {{.Names}}' | awk -v n="$1" '$2 == n { print $1 }'
}

# warnings COUNT TEXT: $output has COUNT lines holding TEXT.
warnings() {
	is "$(grep -cF -- "$2" <<<"$output")" "$1" "lines with '$2' in: $output"
}

@test "an unreadable container record: ps -a lists the others and warns once, inspect and start name it, rm removes it and its files" {
	run_burrow 0 create --name good busybox true
	local why
	for why in truncated wrongtype noname otherid; do
		run_burrow 0 run --name bad busybox true
		id=$(ctr_id bad)
		record db get "ctr/$id"
		local rec=$output
		case $why in
		truncated) rec=${rec:0:100} ;;
		wrongtype) rec=${rec/'"cap_drop":[]'/'"cap_drop":"ALL"'} ;;
		noname) rec=${rec/'"name":"bad",'/} ;;
		otherid) rec=${rec/"\"id\":\"$id\""/'"id":"another"'} ;;
		esac
		record db put "ctr/$id" "$rec"
		[ -d "$XDG_DATA_HOME/burrow/containers/$id" ]

		run_burrow 0 ps -a --format '{{.Names}}'
		is "${lines[-1]}" "good" "$why: ps lists the readable one"
		warnings 1 "warning: container ${id:0:12}: its record cannot be read"
		is "${#lines[@]}" 2 "$why: one warning and one container: $output"
		run_burrow 125 inspect bad
		assert_match "${lines[0]}" "^burrow: container ${id:0:12}: .*"
		is "${lines[1]}" "hint: 'burrow rm ${id:0:12}' removes it (and its files)"
		run_burrow 125 start bad
		assert_match "$output" "^burrow: container ${id:0:12}: "

		run_burrow 0 rm bad
		is "$output" "bad" "$why: rm says what it removed"
		run ! timeout 30 "$RECORD" "$XDG_DATA_HOME/burrow" "$XDG_RUNTIME_DIR/burrow" db get "ctr/$id"
		is "$output" "store-record: not found" "$why: its record is gone"
		run ! timeout 30 "$RECORD" "$XDG_DATA_HOME/burrow" "$XDG_RUNTIME_DIR/burrow" db get "name/bad"
		[ ! -e "$XDG_DATA_HOME/burrow/containers/$id" ] || false "$why: its directory stays"
		run_burrow 0 ps -a --format '{{.Names}}'
		is "$output" "good" "$why: nothing else changed, no warning"
	done
	# the one left runs
	run_burrow 0 start -a good
}

@test "an unreadable container record: container prune removes the others with a warning, rm -f removes it" {
	run_burrow 0 run --name other busybox true
	other=$(ctr_id other)
	run_burrow 0 create --name bad busybox true
	id=$(ctr_id bad)
	record db put "ctr/$id" '{"id":'
	run_burrow 0 container prune -f
	warnings 1 "warning: container ${id:0:12}: its record cannot be read"
	is "${lines[-1]}" "$other" "prune removed the exited one"
	run_burrow 0 rm -f bad
	run_burrow 0 ps -a -q
	is "$output" ""
}

# The walks whose answer would be unsafe without every container fail on
# an unreadable record, naming it, where listings pass over it: the
# images rmi and prune may remove (its layers are under that container's),
# the ID ranges --userns=auto hands out (its processes may hold one).
@test "an unreadable container record: rmi of its image and a --userns=auto create fail naming it, until rm removes it" {
	image_plus recimg 'f("recimg", "x\n")'
	run_burrow 0 create --name bad recimg true
	id=$(ctr_id bad)
	run_burrow 0 create --name good busybox true
	record db put "ctr/$id" '{"id":'
	run_burrow 125 rmi recimg
	assert_match "${lines[0]}" "^burrow: .*container ${id:0:12}: "
	is "${lines[-1]}" "hint: 'burrow rm ${id:0:12}' removes it (and its files)"
	run_burrow 0 images --format '{{.Repository}}'
	assert_match "$output" "localhost/recimg" "the image stays"
	if many_ids; then
		run_burrow 125 create --name auto --userns=auto busybox true
		assert_match "${lines[0]}" "^burrow: .*container ${id:0:12}: "
	fi
	run_burrow 0 rm bad
	run_burrow 0 rmi recimg
	if many_ids; then
		run_burrow 0 create --name auto --userns=auto busybox true
	fi
	run_burrow 0 ps -a --format '{{.Names}}'
	assert_no_match "$output" "warning" "no warning once it is gone"
}

# A running container whose configuration record is damaged ("config"),
# its run record ("run": the configuration's persistent fields say who
# runs it), or both ("both": nothing says who runs it but monitor.pid,
# "PID START" in its runtime directory): rm refuses it, rm -f kills its
# monitor and init, unmounts its root and removes it.
rm_running_unreadable() {
	run_burrow 0 run -d --name up busybox sleep 600
	wait_state up '^Up ' 60
	id=$(ctr_id up)
	record run get "run/$id"
	local monitor init pid
	monitor=$(json_get "$output" 'd["monitor_pid"]')
	init=$(json_get "$output" 'd["pid"]')
	[ "$monitor" -gt 0 ] && [ "$init" -gt 0 ]
	[ "$1" = run ] || record db put "ctr/$id" '{"id":'
	[ "$1" = config ] || record run put "run/$id" '{"state":'
	run_burrow 2 rm up
	if [ "$1" = run ]; then
		warnings 1 "burrow: cannot remove container 'up': it is running"
	else
		warnings 1 "burrow: cannot remove container ${id:0:12}: its monitor still runs"
	fi
	[ -e "/proc/$init" ] || false "rm without -f ended it"
	run_burrow 0 rm -f up
	for pid in "$monitor" "$init"; do
		[ ! -e "/proc/$pid" ] || [ "$(cut -d' ' -f3 "/proc/$pid/stat")" = Z ] || false "pid $pid still runs"
	done
	[ ! -e "$XDG_RUNTIME_DIR/burrow/containers/$id" ]
	[ ! -e "$XDG_DATA_HOME/burrow/containers/$id" ]
	run_burrow 0 unshare cat /proc/self/mountinfo
	assert_no_match "$output" "$id" "its root is still mounted"
	run_burrow 0 ps -a -q
	is "$output" ""
}

@test "an unreadable container record of a running container: rm refuses it, rm -f kills it, unmounts its root and removes it" {
	rm_running_unreadable config
}

@test "both records of a running container unreadable: rm refuses it, rm -f kills its monitor and init, unmounts its root and removes it" {
	rm_running_unreadable both
}

@test "an unreadable state record of a running container: rm refuses it, rm -f kills it, unmounts its root and removes it" {
	rm_running_unreadable run
}

@test "an unreadable container record that another requires: rm and rm -f refuse it, naming the dependent, and touch nothing; rm --depend removes both" {
	run_burrow 0 run -d --name base busybox sleep 600
	wait_state base '^Up ' 60
	run_burrow 0 create --name needsbase --requires base busybox true
	id=$(ctr_id base)
	record run get "run/$id"
	local init f
	init=$(json_get "$output" 'd["pid"]')
	[ "$init" -gt 0 ]
	record db put "ctr/$id" '{"id":'
	for f in "" -f; do
		run_burrow 125 rm $f base
		assert_match "$output" "cannot remove container 'base': container depends on it: needsbase"
		record db get "ctr/$id"
		is "$output" '{"id":' "rm $f: its record stays"
		record db get "name/base"
		[ -d "$XDG_DATA_HOME/burrow/containers/$id" ] || false "rm $f: its directory is gone"
		# untouched: it still runs (rm -f would kill it before it removes)
		[ -e "/proc/$init" ] && [ "$(cut -d' ' -f3 "/proc/$init/stat")" != Z ] || false "rm $f: its init ended"
	done
	run_burrow 0 rm -f --depend base
	run_burrow 0 ps -a -q
	is "$output" ""
	[ ! -e "$XDG_DATA_HOME/burrow/containers/$id" ]
}

@test "an unreadable container record: rm removes the --cidfile and --pidfile a readable part names and writes a remove event with its ID and name" {
	local why
	for why in wrongtype truncated; do
		run_burrow 0 run -d --name bad --cidfile "$BATS_TEST_TMPDIR/cid" --pidfile "$BATS_TEST_TMPDIR/pid" busybox true
		id=$output
		wait_state bad '^Exited ' 60
		[ -s "$BATS_TEST_TMPDIR/pid" ] && [ -s "$BATS_TEST_TMPDIR/cid" ]
		record db get "ctr/$id"
		local rec=$output
		case $why in
		wrongtype) rec=${rec/'"cap_drop":[]'/'"cap_drop":"ALL"'} ;;
		truncated) rec=${rec:0:100} ;;
		esac
		record db put "ctr/$id" "$rec"
		run_burrow 0 rm bad
		run_burrow 0 events --stream=false --filter event=remove --format '{{.ID}} {{.Name}}'
		is "${lines[-1]}" "$id bad" "$why: its remove event"
		if [ "$why" = wrongtype ]; then
			[ ! -e "$BATS_TEST_TMPDIR/cid" ] || false "$why: the --cidfile stays"
			[ ! -e "$BATS_TEST_TMPDIR/pid" ] || false "$why: the --pidfile stays"
		else
			# nothing says where they are: they stay
			rm "$BATS_TEST_TMPDIR/cid" "$BATS_TEST_TMPDIR/pid"
		fi
	done
}

@test "an unreadable state record: the container is listed as unknown with a warning, and rm removes it" {
	run_burrow 0 run --name ran busybox true
	id=$(ctr_id ran)
	record run get "run/$id"
	record run put "run/$id" "${output:0:20}"
	run_burrow 0 ps -a --format '{{.Names}} {{.State}}'
	is "${lines[-1]}" "ran unknown"
	warnings 1 "warning: container ${id:0:12}: its state record cannot be read"
	run_burrow 0 rm ran
	run_burrow 0 ps -a -q
	is "$output" ""
	[ ! -e "$XDG_DATA_HOME/burrow/containers/$id" ]
}

@test "an unreadable image record: images lists the others and warns once" {
	import_busybox other
	iid=$output
	iid=${iid#sha256:}
	run_burrow 0 images --no-trunc --format '{{.ID}}'
	record db get "img/$iid"
	record db put "img/$iid" "${output:0:30}"
	run_burrow 0 images --format '{{.Repository}}'
	warnings 1 "warning: image ${iid:0:12}: its record cannot be read"
	is "${#lines[@]}" 2 "one warning and one image: $output"
	is "${lines[1]}" "localhost/busybox"
}

@test "an unreadable volume record: volume ls lists the others and warns once" {
	run_burrow 0 volume create v1
	run_burrow 0 volume create v2
	record db put vol/v1 '{"name":'
	run_burrow 0 volume ls -q
	warnings 1 "warning: volume 'v1': its record cannot be read"
	is "${lines[1]}" "v2"
	is "${#lines[@]}" 2 "one warning and one volume: $output"
}

# The chain ID of the layer that holds file /$1 (image_plus's).
layer_of() {
	ns sh -c "ls -d \"\$XDG_DATA_HOME\"/burrow/layers/*/diff/$1" | awk -F/ '{ print $(NF-2) }'
}

@test "an unreadable image record: image prune keeps the layers it names and the others work; rmi by ID or name removes it, then prune frees its layer" {
	image_plus recimg 'f("recimg", "x\n")'
	iid=${output#sha256:}
	image_plus recname 'f("recname", "x\n")'
	nid=${output#sha256:}
	layer=$(layer_of recimg)
	[ -n "$layer" ]
	# another version's record: an "id" of another type, the layers named
	record db get "img/$iid"
	assert_match "$output" "$layer"
	record db put "img/$iid" "${output/\"id\":\"$iid\"/\"id\":1}"
	record db get "img/$nid"
	record db put "img/$nid" "${output:0:40}"
	run_burrow 0 image prune -f
	warnings 1 "warning: image ${iid:0:12}: its record cannot be read: the layers it may name are kept until it is removed"
	is "$(layer_of recimg)" "$layer" "the layer stays"
	run_burrow 0 image inspect --format '{{.Id}}' busybox
	run_burrow 0 run --rm busybox true
	run_burrow 0 rmi "${iid:0:12}"
	assert_match "$output" "Untagged: localhost/recimg:latest"
	assert_match "$output" "Deleted: $iid"
	warnings 1 "warning: image ${iid:0:12}: its record could not be read: the layers it named are kept"
	run_burrow 0 rmi recname
	assert_match "$output" "Deleted: $nid"
	run_burrow 0 images --format '{{.Repository}}'
	is "$output" "localhost/busybox" "the others, without a warning"
	run_burrow 0 image prune -f
	is "$(layer_of recimg)" "" "prune frees the layer no image names now"
	run_burrow 0 run --rm busybox true
}

@test "an unreadable image record: image prune -a removes it unless a container uses it and frees its layer; prune without -a or with a filter keeps it" {
	image_plus recimg 'f("recimg", "x\n")'
	iid=${output#sha256:}
	image_plus recused 'f("recused", "x\n")'
	uid=${output#sha256:}
	run_burrow 0 create --name user recused true
	layer=$(layer_of recimg)
	[ -n "$layer" ]
	local one
	for one in "$iid" "$uid"; do
		record db get "img/$one"
		record db put "img/$one" "${output:0:40}"
	done
	run_burrow 0 image prune -f
	assert_no_match "$output" "$iid" "prune without -a: which was dangling cannot be read"
	run_burrow 0 image prune -a -f --filter label=nosuch
	assert_no_match "$output" "$iid" "a filter cannot be matched against it"
	run_burrow 0 image prune -a -f
	assert_match "$output" "$iid"
	assert_no_match "$output" "$uid" "the one a container uses stays"
	run ! timeout 30 "$RECORD" "$XDG_DATA_HOME/burrow" "$XDG_RUNTIME_DIR/burrow" db get "img/$iid"
	is "$output" "store-record: not found" "its record is gone"
	is "$(layer_of recimg)" "" "its layer is freed"
	run_burrow 125 image inspect recimg
	assert_match "$output" "no such image" "its name is gone"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "user"
	run_burrow 0 images -a --format '{{.ID}}'
	warnings 1 "warning: image ${uid:0:12}: its record cannot be read"
}

@test "an unreadable volume record: volume rm removes it unless a container's mounts name it; rm -f removes that container too" {
	run_burrow 0 volume create v1
	run_burrow 0 volume create v2
	run_burrow 0 volume create v3
	run_burrow 0 create --name c1 -v v1:/d busybox true
	run_burrow 0 create --name c2 --mount type=volume,source=v2,target=/d busybox true
	record db put vol/v1 '{"name":'
	record db put vol/v2 '{"name":1}'
	run_burrow 2 volume rm v1
	assert_match "$output" "volume 'v1' is in use by container 'c1'"
	run_burrow 0 rm c1
	is "$output" "c1" "no warning: its users are not read from its record"
	run_burrow 0 volume rm v1
	is "$output" "v1"
	run_burrow 0 volume rm -f v2
	is "$output" "v2" "as without -f: no warning from the removal of the container that used it"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "" "c2 went with it"
	run_burrow 0 volume ls -q
	is "$output" "v3" "the others, without a warning"
	[ ! -e "$XDG_DATA_HOME/burrow/volumes/v1" ]
	[ ! -e "$XDG_DATA_HOME/burrow/volumes/v2" ]
}

# A container an older burrow created holds its first process's groups,
# memberships looked up at create, in its record (user_groups, without
# groups_live): its start sets those, looking nothing up.
@test "a container record an older burrow wrote: its stored groups are the ones its start sets" {
	many_ids || skip "needs subordinate IDs: with the user's ID alone setgroups is denied"
	image_plus grp 'f("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
f("etc/group", "root:x:0:\nwheel:x:10:root\n")'
	run_burrow 0 create --name old grp grep Groups: /proc/self/status
	id=$(ctr_id old)
	record db get "ctr/$id"
	local rec=$output
	assert_match "$rec" '"groups_live":true'
	rec=${rec/'"groups_live":true'/'"groups_live":false'}
	rec=${rec/'"user_groups":[]'/'"user_groups":["55"]'}
	assert_match "$rec" '"user_groups":\["55"\]'
	record db put "ctr/$id" "$rec"
	run_burrow 0 start -a old
	is "$(echo $output)" "Groups: 55" "the stored groups, not the image's memberships (10)"
	# and without the field at all, as that burrow wrote it
	rec=${rec/'"groups_live":false,'/}
	rec=${rec/',"groups_live":false'/}
	assert_no_match "$rec" 'groups_live'
	record db put "ctr/$id" "$rec"
	run_burrow 0 start -a old
	is "$(echo $output)" "Groups: 55"
}

# A container an older burrow created holds -u's uid and gid, looked up at
# create, in its record (without user_live): its start runs as those,
# looking nothing up; a record that says user_live looks them up again.
@test "a container record an older burrow wrote: its stored user is the one its start runs as" {
	many_ids || skip "needs subordinate IDs: uid 5 needs more than the user's ID"
	run_burrow 0 create --name olduser -u root busybox sh -c 'id -u; id -g'
	id=$(ctr_id olduser)
	record db get "ctr/$id"
	local rec=$output
	assert_match "$rec" '"user_live":true'
	assert_match "$rec" '"uid":0,"gid":0'
	rec=${rec/'"uid":0,"gid":0'/'"uid":5,"gid":6'}
	record db put "ctr/$id" "$rec"
	run_burrow 0 start -a olduser
	is "$(echo $output)" "0 0" "user_live: root looked up again at the start"
	record db get "ctr/$id"
	rec=${output/'"uid":0,"gid":0'/'"uid":5,"gid":6'}
	rec=${rec/'"user_live":true,'/}
	rec=${rec/',"user_live":true'/}
	assert_no_match "$rec" 'user_live'
	assert_match "$rec" '"uid":5,"gid":6'
	record db put "ctr/$id" "$rec"
	run_burrow 0 start -a olduser
	is "$(echo $output)" "5 6" "the stored uid and gid, as that burrow wrote them"
	run_burrow 0 rm olduser
}
