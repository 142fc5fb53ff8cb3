#!/usr/bin/env bats
# burrow volume: the named-volume store and its verbs (create, ls, inspect,
# rm, prune, exists, export, import), hostile archives, a volume in use,
# and what a command that fails half-way leaves. Mounting volumes into
# containers is run's (a later suite); what containers do to volumes is
# marked here through the volume API with the vol-api helper.

load helpers

suite_setup() {
	VOLS=$XDG_DATA_HOME/burrow/volumes
	make_sentinel
	VOLAPI=$HELPERS_BIN/vol-api
	make_userns
}

suite_teardown() {
	rm_store
}

# vol_api ARGS...: the volume API, on this test's store.
vol_api() {
	[ -x "$VOLAPI" ] || need_or_fail "vol-api test helper not built"
	run timeout 30 "$VOLAPI" "$XDG_DATA_HOME/burrow" "$XDG_RUNTIME_DIR/burrow" "$@"
	[ "$status" -eq 0 ] || { echo "vol-api $*: $output" >&2; return 1; }
}

# The full ID of container $1.
ctr_id() {
	timeout 30 "$BURROW" ps -a --format '{{.Id}} {{.Names}}' | awk -v n="$1" '$2 == n { print $1 }'
}

@test "volume create, ls, inspect: podman's fields, private directories, generated names" {
	run_burrow 0 volume create --driver local myvol
	is "$output" "myvol"
	run_burrow 0 volume create -d local
	anon=$output
	assert_match "$anon" '^[0-9a-f]{64}$'
	run_burrow 0 volume ls
	assert_match "${lines[0]}" '^DRIVER +VOLUME NAME$'
	assert_match "${lines[1]}" "^local +$anon$"
	assert_match "${lines[2]}" '^local +myvol$'
	is "${#lines[@]}" 3
	run_burrow 0 volume inspect myvol
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert len(d) == 1, d
v = d[0]
keys = ["Name", "Driver", "Mountpoint", "CreatedAt", "Labels", "Scope", "Options", "MountCount", "NeedsCopyUp", "NeedsChown"]
assert list(v) == keys, list(v)
assert v["Name"] == "myvol" and v["Driver"] == "local" and v["Scope"] == "local", v
assert v["Mountpoint"] == sys.argv[2], v
assert v["Labels"] == {} and v["Options"] == {} and v["MountCount"] == 0, v
assert v["NeedsCopyUp"] is True and v["NeedsChown"] is True, v
import re
assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", v["CreatedAt"]), v
' "$output" "$VOLS/myvol/_data"
	# 0700 above the data, as everything burrow makes; _data is the
	# container's directory (0755, as podman makes it), the user's
	is "$(stat -c %a "$VOLS")" 700
	is "$(stat -c %a "$VOLS/myvol")" 700
	is "$(stat -c '%a %u' "$VOLS/myvol/_data")" "755 $(id -u)"
	# templates see podman's fields, the omitted ones too
	run_burrow 0 volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Anonymous}} {{.UID}} {{.MountCount}}' myvol
	is "$output" "myvol local local false 0 0"
	run_burrow 0 volume inspect -f '{{.Name}}' --all
	is "$output" "$anon
myvol"
	# a unique prefix of a name will do; an ambiguous one will not
	run_burrow 0 volume inspect -f '{{.Name}}' myv
	is "$output" "myvol"
	run_burrow 0 volume create myvol2
	run_burrow 125 volume inspect myv
	is "$output" "[]
burrow: 'myv' is ambiguous: it starts the names of volumes 'myvol', 'myvol2'"
	# what is found is shown; what is not is an error line, and 125
	run_burrow 125 volume inspect -f '{{.Name}}' myvol nosuch
	is "$output" "myvol
burrow: no such volume 'nosuch'"
	# none found: JSON's empty list still, as podman's (scripts count it)
	run_burrow 125 volume inspect nosuch
	is "$output" "[]
burrow: no such volume 'nosuch'"
	run_burrow 125 volume inspect -f '{{.Name}}' nosuch
	is "$output" "burrow: no such volume 'nosuch'"
	run_burrow 125 volume inspect
	assert_match "$output" "provide one or more volume names or use --all"
	run_burrow 125 volume inspect --all myvol
	run_burrow 125 volume inspect --format '{{.Nope}}' myvol
	assert_match "$output" "at <.Nope>: can't evaluate field Nope in type"
}

@test "volume create: labels, options, --ignore, owners; bad input is refused and writes nothing" {
	run_burrow 0 volume create --label env=prod -l flag -l env=dev labelled
	run_burrow 0 volume inspect -f '{{json .Labels}}' labelled
	is "$output" '{"env":"dev","flag":""}'
	run_burrow 0 volume ls --format '{{.Name}} {{.Labels}}' --filter name=labelled
	is "$output" "labelled map[env:dev flag:]" # as podman 4.3's (its page: a map)
	run_burrow 0 volume create -o type=tmpfs -o device=tmpfs -o o=size=2m,nodev,mode=1777 tmp
	run_burrow 0 volume inspect -f '{{json .Options}}' tmp
	is "$output" '{"device":"tmpfs","o":"size=2m,nodev,mode=1777","type":"tmpfs"}'
	# a bind volume's device is shown as given, as podman's (mounts.bats
	# mounts it from elsewhere)
	mkdir "$T/src"
	(cd "$T" && timeout 30 "$BURROW" volume create -o type=bind -o device=src -o o=bind,ro bound) >/dev/null
	run_burrow 0 volume inspect -f '{{index .Options "device"}} {{index .Options "o"}}' bound
	is "$output" "src bind,ro"
	run_burrow 0 volume create -o nocopy nocopy
	run_burrow 0 volume inspect -f '{{.NeedsCopyUp}}' nocopy
	is "$output" "false"
	# options after the name, as podman takes them
	run_burrow 0 volume create late --label where=after
	run_burrow 0 volume inspect -f '{{.Labels}}' late
	is "$output" "map[where:after]"

	# a name that is taken: 125, unless --ignore (which changes nothing)
	run_burrow 125 volume create labelled
	is "$output" "burrow: volume 'labelled' already exists"
	run_burrow 0 volume create --ignore --label other=x labelled
	is "$output" "labelled"
	run_burrow 0 volume inspect -f '{{json .Labels}}' labelled
	is "$output" '{"env":"dev","flag":""}'

	# owners: --uid/--gid or o=uid=,gid= chown _data inside the namespace
	run_burrow 0 volume create --uid 0 --gid 0 owned0
	run_burrow 0 volume inspect -f '{{.NeedsChown}} {{.UID}}' owned0
	is "$output" "false 0"
	if many_ids; then
		run_burrow 0 volume create --uid 1000 --gid 1000 owned
		is "$(ns stat -c %u:%g "$VOLS/owned/_data")" "1000:1000"
		run_burrow 0 volume create -o o=uid=1001,gid=1002 owned2
		is "$(ns stat -c %u:%g "$VOLS/owned2/_data")" "1001:1002"
		run_burrow 0 volume inspect -f '{{.UID}} {{.GID}} {{.NeedsChown}}' owned2
		is "$output" "1001 1002 false"
	else
		# the single-ID mapping has no uid 1000: said, with the fix, and
		# nothing is left
		run_burrow 125 volume create --uid 1000 owned
		is "${lines[0]}" "burrow: cannot give volume 'owned' to uid 1000: burrow's user namespace does not map it"
		assert_match "${lines[1]}" "^hint: .*/etc/subuid"
		[ ! -e "$VOLS/owned" ]
	fi

	before=$(vol_names)
	dirs=$(ls "$VOLS")
	refuse() { # PATTERN ARGS...
		local pat=$1
		shift
		run_burrow 125 volume create "$@"
		assert_match "$output" "$pat"
		is "$(printf '%s\n' "$output" | grep -c '^burrow:')" 1 "one error line"
		is "$(vol_names)" "$before" "a refused create stored a volume"
		is "$(ls "$VOLS")" "$dirs" "a refused create left a directory"
	}
	refuse "invalid volume name 'bad/name': names must match" bad/name
	refuse "invalid volume name '-x'" -- -x
	refuse "invalid volume name '.hidden'" .hidden
	refuse "volume driver 'image' is not supported" -d image x
	refuse "unsupported volume type 'ext4'" -o type=ext4 -o device=/dev/sda1 x
	refuse "a volume of type=bind needs device=DIR" -o type=bind x
	refuse "invalid volume option device=$T/nosuch: No such file or directory" -o type=bind -o device="$T/nosuch" x
	refuse "invalid volume option device=$OUTSIDE/victim: not a directory" -o type=bind -o device="$OUTSIDE/victim" x
	refuse "volume option device=/srv needs type=bind" -o device=/srv x
	refuse "invalid volume option o=noexec: a volume without type=tmpfs or type=bind takes only uid= and gid=" -o o=noexec x
	refuse "invalid volume option 'foo' for driver 'local'" -o foo=bar x
	refuse "copy and nocopy exclude each other" -o copy -o nocopy x
	refuse "invalid label '=x'" --label =x x
	refuse "invalid --uid 'me'" --uid me x
	refuse "too many arguments" a b
	refuse "unknown flag '--nope'" --nope x
	run_burrow 125 volume create -o type=ext4 x
	assert_match "${lines[1]}" "^hint: other filesystems need mount\(8\) as root"
}

@test "volume ls: filters, -q, --format, --noheading" {
	run_burrow 0 volume create --label env=prod --label tier=db alpha
	run_burrow 0 volume create --label env=dev beta
	run_burrow 0 volume create -o type=tmpfs gamma
	is "$(vol_names)" "alpha beta gamma"
	ls_is() { # EXPECTED FILTER...
		local want=$1 args=()
		shift
		for f in "$@"; do args+=(--filter "$f"); done
		run_burrow 0 volume ls -q "${args[@]}"
		is "$(echo $output)" "$want" "volume ls --filter $*"
	}
	ls_is "alpha" name=alpha
	ls_is "alpha gamma" name=^a name=mm
	ls_is "beta" name=et
	ls_is "alpha beta" label=env
	ls_is "beta" label=env=dev
	ls_is "alpha" label=env label=tier=db
	ls_is "gamma" label!=env
	ls_is "beta gamma" label!=env=prod
	ls_is "alpha beta gamma" driver=local
	ls_is "" driver=nfs
	ls_is "gamma" opt=type=tmpfs
	ls_is "alpha beta gamma" dangling=true
	ls_is "" dangling=false
	ls_is "alpha beta gamma" anonymous=false
	ls_is "" anonymous=true
	ls_is "" until=1h
	ls_is "alpha beta gamma" until=-1m
	ls_is "beta gamma" after=alpha
	ls_is "alpha beta gamma" scope=local
	# -f is --filter, as podman's
	run_burrow 0 volume ls -q -f name=beta
	is "$output" "beta"
	run_burrow 0 volume ls --noheading
	is "${#lines[@]}" 3
	run_burrow 0 volume ls -n
	is "${#lines[@]}" 3
	assert_match "${lines[0]}" '^local +alpha$'
	run_burrow 0 volume ls --format 'table {{.Name}} {{.Driver}}'
	assert_match "${lines[0]}" '^VOLUME NAME +DRIVER$'
	run_burrow 0 volume ls --format json --filter name=beta
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert [v["Name"] for v in d] == ["beta"], d
assert d[0]["Labels"] == {"env": "dev"}, d
' "$output"
	run_burrow 0 volume ls --format '{{range .}}{{.Name}},{{end}}'
	is "$output" "alpha,beta,gamma,"

	run_burrow 125 volume ls -q --format '{{.Name}}'
	assert_match "$output" "quiet and format flags cannot be used together"
	run_burrow 125 volume ls --filter colour=red
	is "$output" "burrow: 'colour' is an invalid volume filter"
	run_burrow 125 volume ls --filter dangling=maybe
	assert_match "$output" "not a valid value for the \"dangling\" filter"
	run_burrow 125 volume ls --filter until=soon
	assert_match "$output" "'soon' is not a time"
	run_burrow 125 volume ls --filter after=nosuch
	assert_match "$output" "after filter: no such volume 'nosuch'"
	run_burrow 125 volume ls --format '{{.Nope}}'
	run_burrow 125 volume ls extra
	assert_match "$output" "unexpected argument 'extra'"
}

@test "volume rm: exit codes as podman's (1 missing, 0 with -f), -a, prefixes; the files go" {
	run_burrow 0 volume create one
	run_burrow 0 volume create two
	echo data >"$VOLS/one/_data/file"
	run_burrow 0 volume rm on
	is "$output" "one"
	[ ! -e "$VOLS/one" ]
	[ ! -e "$XDG_RUNTIME_DIR/burrow/locks/volume-one.lock" ]
	run_burrow 1 volume rm nosuch
	is "$output" "burrow: no such volume 'nosuch'"
	run_burrow 0 volume rm -f nosuch
	is "$output" ""
	run_burrow 1 volume rm two nosuch
	is "$output" "two
burrow: no such volume 'nosuch'"
	run_burrow 0 volume create three
	run_burrow 0 volume create four
	run_burrow 125 volume rm -a three
	assert_match "$output" "choose either one or more volumes or all"
	run_burrow 125 volume rm
	run_burrow 125 volume rm -t 5 three
	assert_match "$output" "--force option must be specified to use the --time option"
	run_burrow 125 volume rm -f -t soon three
	run_burrow 0 volume rm -a
	is "$output" "four
three"
	is "$(vol_names)" ""
	is "$(ls -A "$VOLS")" ""
	run_burrow 0 volume rm -a
	is "$output" ""
	# 'remove' is rm, as in podman
	run_burrow 0 volume create five
	run_burrow 0 volume remove five
}

@test "volume rm: a volume in use is refused (2) naming its containers; -f removes them with it" {
	import_busybox
	run_burrow 0 run --name web busybox true
	run_burrow 0 run --name db busybox true
	web=$(ctr_id web) db=$(ctr_id db)
	assert_match "$web" '^[0-9a-f]{64}$'
	run_burrow 0 volume create data
	run_burrow 0 volume create spare
	vol_api use data "$web"
	vol_api use data "$db"
	run_burrow 2 volume rm data
	is "${lines[0]}" "burrow: volume 'data' is in use by containers 'web', 'db'"
	assert_match "${lines[1]}" "^hint: remove the containers first, or use 'burrow volume rm -f'"
	[ -d "$VOLS/data/_data" ]
	# the worst of several is the exit code: in use (2) over missing (1)
	run_burrow 2 volume rm nosuch data spare
	is "${lines[0]}" "burrow: no such volume 'nosuch'"
	is "${lines[1]}" "burrow: volume 'data' is in use by containers 'web', 'db'"
	is "${lines[3]}" "spare"
	# dangling: used by no container
	run_burrow 0 volume ls -q --filter dangling=false
	is "$output" "data"
	# a container that is gone uses nothing
	vol_api unuse data "$db"
	run_burrow 0 rm db
	vol_api use data "$db"
	run_burrow 2 volume rm data
	is "${lines[0]}" "burrow: volume 'data' is in use by container 'web'"
	# prune leaves it alone
	run_burrow 0 volume prune -f
	is "$output" ""
	run_burrow 0 volume rm -f data
	is "$output" "data"
	run_burrow 0 ps -a -q
	is "$output" "" "volume rm -f should remove the container that used the volume"
	[ ! -e "$VOLS/data" ]
}

@test "volume rm -f: a running container that uses the volume is killed and removed" {
	import_busybox
	start_sleeper busy
	run_burrow 0 volume create inuse
	vol_api use inuse "$(ctr_id busy)"
	run_burrow 2 volume rm inuse
	is "${lines[0]}" "burrow: volume 'inuse' is in use by container 'busy'"
	run_burrow 0 volume rm -f inuse
	is "$output" "inuse"
	sleeper_killed
}

@test "volume rm -f -t: a running container that uses the volume is stopped (stop signal, then SIGKILL)" {
	import_busybox
	start_sleeper busy
	run_burrow 0 volume create inuse
	vol_api use inuse "$(ctr_id busy)"
	# sleep as pid 1 ignores SIGTERM: stop says so and kills it
	run_burrow 0 volume rm -f -t 0 inuse
	is "${lines[0]}" "burrow: warning: StopSignal SIGTERM failed to stop container busy in 0 seconds, resorting to SIGKILL"
	is "${lines[1]}" "inuse"
	sleeper_killed
}

@test "volume prune: every unused volume, as podman's; filters, confirmation, --dry-run" {
	run_burrow 0 volume create named
	run_burrow 0 volume create --label keep=yes named2
	vol_api anon
	anon1=$output
	vol_api anon
	anon2=$output
	import_busybox
	run_burrow 0 run --name user busybox true
	vol_api anon "$(ctr_id user)"
	anon_used=$output
	run_burrow 0 volume inspect -f '{{.Anonymous}}' "$anon1"
	is "$output" "true"
	run_burrow 0 volume inspect "$anon1"
	assert_match "$output" '"Anonymous": true'
	sorted() { printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
	run_burrow 0 volume ls -q --filter anonymous=true
	is "$(echo $output)" "$(sorted "$anon1" "$anon2" "$anon_used")"
	unused=$(sorted "$anon1" "$anon2" named named2)

	# without -f it asks, listing what would go; anything but y keeps them
	run bash -c 'echo n | timeout 30 "$1" volume prune' _ "$BURROW"
	is "$status" 0
	is "${lines[0]}" "WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:"
	is "$(echo ${lines[@]:1:4})" "$unused"
	assert_no_match "$output" "$anon_used"
	assert_match "${lines[5]}" "^Are you sure you want to continue\? \[y/N\]"
	run bash -c 'timeout 30 "$1" volume prune </dev/null' _ "$BURROW"
	is "$status" 0
	run_burrow 0 volume exists "$anon1"
	run_burrow 0 volume exists named
	run_burrow 0 volume prune --dry-run
	is "${lines[0]}" "Volumes that would be pruned:"
	is "$(echo ${lines[@]:1})" "$unused"
	run_burrow 0 volume exists named
	run_burrow 125 volume prune --dry-run -f
	assert_match "$output" "--force and --dry-run cannot be used together"

	# filters narrow it (ls's filters); a volume in use never goes
	run_burrow 0 volume prune -f --filter label!=keep
	is "$(echo $output)" "$(sorted "$anon1" "$anon2" named)"
	run_burrow 1 volume exists "$anon1"
	run_burrow 1 volume exists named
	[ ! -e "$VOLS/$anon1" ]
	[ ! -e "$VOLS/named" ]
	run_burrow 0 volume prune -f --filter until=1h
	is "$output" ""
	run_burrow 0 volume prune -f --filter name=nosuch --filter dangling=true
	is "$output" ""
	run bash -c 'echo y | timeout 30 "$1" volume prune' _ "$BURROW"
	is "$status" 0
	is "${lines[-1]}" "Are you sure you want to continue? [y/N] named2"
	run_burrow 1 volume exists named2
	run_burrow 0 volume exists "$anon_used"
	run bash -c 'timeout 30 "$1" volume prune </dev/null' _ "$BURROW"
	is "$output" "No dangling volumes found"
	is "$(vol_names)" "$anon_used"

	# docker's -a and all= are not podman's
	run_burrow 125 volume prune -a -f
	run_burrow 125 volume prune -f --filter all=true
	is "$output" "burrow: 'all' is an invalid volume filter"
	run_burrow 125 volume prune -f --filter colour=red
	is "$(vol_names)" "$anon_used"
}

@test "volume exists: 0 or 1, exact names only; 125 for bad usage" {
	run_burrow 0 volume create present
	run_burrow 0 volume exists present
	is "$output" ""
	run_burrow 1 volume exists pres
	run_burrow 1 volume exists absent
	run_burrow 1 volume exists ../etc
	run_burrow 125 volume exists
	run_burrow 125 volume exists a b
}

@test "volume export and import: a round trip keeps content, modes, owners, links; -o whole or nothing" {
	run_burrow 0 volume create src
	D=$VOLS/src/_data
	mkdir -p "$D/dir/sub"
	printf 'hello\n' >"$D/file"
	chmod 640 "$D/file"
	printf 'deep\n' >"$D/dir/sub/f"
	ln "$D/file" "$D/dir/hard"
	ln -s ../file "$D/dir/rel"
	ln -s "$OUTSIDE" "$D/out"
	mkfifo "$D/fifo"
	: >"$D/empty"
	if many_ids; then ns chown 1000:1000 "$D/dir/sub/f"; fi

	# -o: options after the name too, as podman's example has them
	run_burrow 0 volume export src --output "$T/src.tar"
	is "$output" ""
	run tar -tvf "$T/src.tar"
	# the first name met (sorted, depth first) has the data, the others link to it
	assert_match "$output" "hrw-r----- [0-9]+/[0-9]+ +0 .* file link to dir/hard"
	assert_match "$output" "lrwxrwxrwx .* dir/rel -> ../file"
	assert_match "$output" "prw-r--r-- .* fifo"
	# a symlink out of the volume is archived as a symlink, never followed
	assert_match "$output" "lrwxrwxrwx .* out -> $OUTSIDE"
	assert_no_match "$output" "victim"
	if many_ids; then assert_match "$output" "1000/1000 +5 .* dir/sub/f"; fi
	is "$(tar -tf "$T/src.tar" | head -1)" "dir/" "the entries are sorted, without the top directory"
	[ -z "$(ls -A "$T" | grep '\.burrow-')" ]

	# into another volume, from standard input, compressed
	run_burrow 0 volume create dst
	gzip -c "$T/src.tar" | timeout 30 "$BURROW" volume import dst -
	E=$VOLS/dst/_data
	is "$(cat "$E/file")" "hello"
	is "$(stat -c %a "$E/file")" 640
	is "$(stat -c %i "$E/file")" "$(stat -c %i "$E/dir/hard")" "the hard link"
	is "$(readlink "$E/dir/rel")" "../file"
	is "$(readlink "$E/out")" "$OUTSIDE"
	[ -p "$E/fifo" ]
	if many_ids; then is "$(ns stat -c %u:%g "$E/dir/sub/f")" "1000:1000"; fi
	# over what is there: the archive wins, the rest stays
	echo mine >"$E/file"
	echo other >"$E/other"
	run_burrow 0 volume import dst "$T/src.tar"
	is "$(cat "$E/file")" "hello"
	is "$(cat "$E/other")" "other"
	assert_outside_untouched

	# to standard output (a pipe here)
	is "$(timeout 30 "$BURROW" volume export src | tar -tf - | wc -l)" "$(tar -tf "$T/src.tar" | wc -l)"
	# failures leave no file, not even a partial one
	run_burrow 125 volume export nosuch -o "$T/none.tar"
	is "$output" "burrow: no such volume 'nosuch'"
	[ ! -e "$T/none.tar" ]
	run_burrow 125 volume export src -o "$T/nodir/x.tar"
	assert_match "$output" "cannot export volume 'src': cannot create '$T/nodir/x.tar': No such file or directory"
	# a write that fails half-way (here: a file size limit) leaves nothing
	run bash -c 'trap "" XFSZ; ulimit -f 1 && exec timeout 30 "$1" volume export src -o "$2"' _ "$BURROW" "$T/partial.tar"
	is "$status" 125 "$output"
	assert_match "$output" "cannot export volume 'src': .*File too large"
	[ ! -e "$T/partial.tar" ]
	[ -z "$(ls -A "$T" | grep '\.burrow-')" ]
	run_burrow 125 volume export src -o ""
	run_burrow 125 volume export
	run_burrow 125 volume import src
	run_burrow 125 volume import nosuch "$T/src.tar"
	is "$output" "burrow: no such volume 'nosuch'"
	run_burrow 125 volume import src "$T/missing.tar"
	assert_match "$output" "cannot import '$T/missing.tar' into volume 'src': cannot open '$T/missing.tar': No such file or directory"
	run_burrow 125 volume import src "$T"
	assert_match "$output" "is a directory, not a tarball"
	printf 'not a tar' >"$T/junk"
	run_burrow 125 volume import src "$T/junk"
	assert_match "$output" "not a tar archive"
	# a tmpfs volume's content lives only while it is mounted
	run_burrow 0 volume create -o type=tmpfs tmp
	run_burrow 125 volume import tmp "$T/src.tar"
	assert_match "$output" "it is a tmpfs, whose content lives only while a container mounts it"
	# a bind volume's content is its device's
	mkdir "$T/bound"
	echo on-host >"$T/bound/h"
	run_burrow 0 volume create -o type=bind -o device="$T/bound" bound
	is "$(timeout 30 "$BURROW" volume export bound | tar -tf -)" "h"
	run_burrow 0 volume import bound "$T/src.tar"
	is "$(cat "$T/bound/dir/sub/f")" "deep"
	assert_outside_untouched
}

@test "volume import and export: a type=bind volume's device that a running user of it swapped for a link is not followed" {
	import_busybox
	# the device lies in /shared's host directory: the container moves it
	# away and puts a link to a directory it has not got in its place
	swapping_container swapper swapdev
	mkdir "$T/in"
	echo pwned >"$T/in/payload"
	tar -C "$T/in" -cf "$T/in.tar" payload
	run_burrow 125 volume import swapdev "$T/in.tar"
	assert_match "$output" "'$T/shared/dev' is not what container 'swapper' has mounted at '/v': it was replaced since the container started"
	is "$(ls -A "$T/other")" victim "what import wrote where the link leads"
	run_burrow 125 volume export swapdev --output "$T/out.tar"
	assert_match "$output" "is not what container 'swapper' has mounted at '/v'"
	[ ! -s "$T/out.tar" ]
	# what it has mounted is still reached: the directory moved away
	run_burrow 0 exec swapper sh -c 'echo mine >/v/f'
	is "$(cat "$T/shared/old/f")" mine
	run_burrow 0 rm -f -t 0 swapper
}

@test "volume export: refuses a terminal; a deep tree needs no descriptor per level" {
	command -v script >/dev/null || need_or_fail "script(1) (bsdutils)"
	run_burrow 0 volume create v
	run script -qec "timeout 30 $BURROW volume export v" /dev/null
	assert_match "$output" "cannot write the archive to a terminal"
	assert_match "$output" "hint: redirect standard output to a file or a pipe, or give --output FILE"

	# 3,000 levels (paths far beyond PATH_MAX), exported under ulimit -n 64
	mktar "$T/deep.tar" '
p = ""
for i in range(3000):
    p += "d/"
    d(p)
f(p + "leaf", "bottom")
'
	run_burrow 0 volume import v "$T/deep.tar"
	run bash -c 'ulimit -n 64 && exec timeout 120 "$1" volume export v -o "$2"' _ "$BURROW" "$T/out.tar"
	is "$status" 0 "$output"
	is "$(tar -tf "$T/out.tar" | wc -l)" 3001
	tar -tf "$T/out.tar" | tail -1 | grep -q '/leaf$'
	run_burrow 0 volume rm v
}

@test "volume: :U gives away a tree deeper than 256 levels, every level of it" {
	# 300 levels, each a directory "d", a file at the bottom
	mktar "$T/deep.tar" '
p = ""
for i in range(300):
    p += "d/"
    d(p)
f(p + "leaf", "bottom")
'
	import_busybox
	run_burrow 0 volume create v
	run_burrow 0 volume import v "$T/deep.tar"
	# with the user's ID alone, only its own 0:0 can be given
	local u=0
	if many_ids; then u=1000; fi
	run_burrow 0 run --rm -u "$u:$u" -v v:/data:U busybox sh -c \
		'find /data | wc -l; find /data ! -user '"$u"' -o ! -group '"$u"' | wc -l; find /data -name leaf | wc -l'
	is "$output" "302
0
1"
}

@test "volume import: hostile archives write nothing outside the volume" {
	run_burrow 0 volume create v
	D=$VOLS/v/_data
	refused() { # TAR PATTERN
		run_burrow 125 volume import v "$1"
		assert_match "$output" "^burrow: cannot import '$1' into volume 'v': "
		assert_match "$output" "$2"
		is "$(printf '%s\n' "$output" | grep -c '^burrow:')" 1 "one error line"
		assert_outside_untouched
		is "$(find "$T" -name 'evil*' -not -name '*.tar' | head -5)" "" "an evil file was written"
	}
	mktar "$T/dotdot.tar" 'f("ok", "fine"); f("../../../../outside/evil", "x")'
	refused "$T/dotdot.tar" "the path has a '\.\.' component"
	mktar "$T/abs.tar" "f('$OUTSIDE/evil', 'x')"
	refused "$T/abs.tar" "absolute path"
	mktar "$T/symlink-out.tar" "l('lnk', '$OUTSIDE'); f('lnk/evil', 'x')"
	refused "$T/symlink-out.tar" "'lnk' is a symbolic link"
	mktar "$T/hardlink-out.tar" "h('evil-hl', '$OUTSIDE/victim')"
	refused "$T/hardlink-out.tar" "absolute path"
	mktar "$T/hardlink-up.tar" 'h("evil-hl", "../../../outside/victim")'
	refused "$T/hardlink-up.tar" "the path has a '\.\.' component"
	# a symlink that is already in the volume (a container made it) is
	# never written through: neither as a parent nor as the entry itself
	ln -s "$OUTSIDE" "$D/planted"
	ln -s "$OUTSIDE/victim" "$D/planted-file"
	mktar "$T/through.tar" 'f("planted/evil", "x")'
	refused "$T/through.tar" "'planted' is a symbolic link"
	mktar "$T/hardlink-via.tar" 'h("evil-via", "planted/victim")'
	refused "$T/hardlink-via.tar" "'planted' is a symbolic link"
	mktar "$T/replace.tar" 'f("planted-file", "replaced")'
	run_burrow 0 volume import v "$T/replace.tar"
	[ ! -L "$D/planted-file" ]
	is "$(cat "$D/planted-file")" "replaced"
	assert_outside_untouched
	# a hard link to a file in the volume is fine
	mktar "$T/inside.tar" 'f("a", "x"); h("b", "a")'
	run_burrow 0 volume import v "$T/inside.tar"
	is "$(stat -c %h "$D/b")" 2
	# the entries before a refused one stay (as with tar); nothing outside
	is "$(cat "$D/ok")" "fine"
}

@test "volume: a create that fails half-way leaves neither a record nor a directory; leftovers go" {
	run_burrow 0 volume create first
	# the directory cannot be made: volumes/ is read-only (a mount in
	# burrow's own mount namespace)
	ns mount --bind "$VOLS" "$VOLS"
	ns mount -o remount,bind,ro "$VOLS"
	run_burrow 125 volume create second
	is "$output" "burrow: cannot create directory '$VOLS/second': Read-only file system"
	ns umount "$VOLS"
	is "$(vol_names)" "first"
	[ ! -e "$VOLS/second" ]
	run_burrow 0 volume create second

	# the record cannot be stored (burrow.tdb may not grow): the directory
	# made for it goes again
	# (labels of 100 kB each, 2 MB in all: more than the file has free)
	big=$(head -c 100000 /dev/zero | tr '\0' x)
	labels=()
	for i in $(seq 20); do labels+=(--label "big$i=$big"); done
	blocks=$(($(stat -c %s "$XDG_DATA_HOME/burrow/burrow.tdb") / 512))
	run bash -c 'b=$1 n=$2; shift 2; trap "" XFSZ; ulimit -f "$n" && exec timeout 30 "$b" volume create "$@" third' \
		_ "$BURROW" "$blocks" "${labels[@]}"
	is "$status" 125 "$output"
	assert_match "$output" "cannot create volume 'third': .*File too large"
	is "$(vol_names)" "first second"
	[ ! -e "$VOLS/third" ]
	run_burrow 0 volume create third

	# what a kill -9 between the steps leaves: a directory without a
	# record, from a create before its record or a removal after it. It
	# is no volume; a create of that name starts empty; prune removes it.
	mkdir -p "$VOLS/ghost/_data" "$VOLS/orphan/_data"
	echo stale >"$VOLS/ghost/_data/old"
	echo stale >"$VOLS/orphan/_data/old"
	is "$(vol_names)" "first second third"
	run_burrow 125 volume inspect ghost
	run_burrow 0 volume create ghost
	is "$(ls -A "$VOLS/ghost/_data")" ""
	# (whatever the filter: the leftovers are no volumes)
	run_burrow 0 volume prune -f --filter name=nosuch
	is "$output" ""
	[ ! -e "$VOLS/orphan" ]
	[ -d "$VOLS/ghost/_data" ]
	is "$(vol_names)" "first ghost second third"
}

@test "volume: usage, help, unknown subcommands" {
	run_burrow 125 volume
	is "$output" "burrow: volume: missing subcommand (see 'burrow volume --help')"
	run_burrow 125 volume frobnicate
	is "$output" "burrow: volume: unknown subcommand 'frobnicate' (see 'burrow volume --help')"
	run_burrow 0 volume --help
	assert_match "$output" "^Usage: burrow volume SUBCOMMAND"
	run_burrow 0 help volume
	assert_match "$output" "import VOLUME FILE\|-"
	for sub in create ls inspect rm prune exists export import; do
		run_burrow 0 volume "$sub" --help
		assert_match "${lines[0]}" "^Usage: burrow volume $sub"
	done
	run_burrow 0 --help
	assert_match "$output" "volume +manage volumes"
	run_burrow 125 volume ls --nope
	is "$output" "burrow: volume ls: unknown flag '--nope'"
}

@test "volume: =false is as if not given: inspect --all, rm --all, create --ignore, ls -q and --noheading, prune --force and --dry-run" {
	run_burrow 0 volume create va
	run_burrow 0 volume create vb
	run_burrow 125 volume inspect --all va
	run_burrow 0 volume inspect --all=false --format '{{.Name}}' va
	is "$output" "va" "volume inspect --all=false: the one named"
	run_burrow 125 volume create --ignore=false va
	assert_match "$output" "already exists" "volume create --ignore=false: refused"
	run_burrow 0 volume create --ignore va
	run_burrow 0 volume ls -q=false
	assert_match "${lines[0]}" "^DRIVER +VOLUME NAME$" "volume ls -q=false: the table"
	run_burrow 0 volume ls -q
	is "$output" "va
vb" "volume ls -q: the names"
	run_burrow 0 volume ls --noheading=false
	assert_match "${lines[0]}" "^DRIVER +VOLUME NAME$" "volume ls --noheading=false: the header"
	run_burrow 0 volume ls --noheading
	assert_match "${lines[0]}" "^local +va$" "volume ls --noheading: no header"
	run_burrow 125 volume rm --all va
	run_burrow 0 volume rm --all=false va
	run_burrow 0 volume ls -q
	is "$output" "vb" "volume rm --all=false: the one named"
	# prune --force=false asks (no answer: no), --dry-run=false removes
	run bash -c "timeout $BURROW_TIMEOUT '$BURROW' volume prune --force=false </dev/null"
	is "$status" 0
	assert_match "$output" "Are you sure you want to continue" "volume prune --force=false: the question"
	run_burrow 0 volume prune --dry-run
	assert_match "$output" "would be pruned" "volume prune --dry-run: what it would do"
	run_burrow 0 volume ls -q
	is "$output" "vb" "the question unanswered and --dry-run: vb kept"
	run_burrow 0 volume prune -f --dry-run=false
	is "$output" "vb" "volume prune --dry-run=false: vb removed"
	run_burrow 0 volume ls -q
	is "$output" ""
}
