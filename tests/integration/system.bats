#!/usr/bin/env bats
# version, the global options podman's scripts pass, system df, system
# prune and system reset.

load helpers

@test "version: podman's layout; --format {{.Client.Version}}, {{.Server.Version}} and json" {
	run_burrow 0 --version
	local v=${output##* }
	run_burrow 0 version
	assert_match "$output" "^Version: +$v"$'\n'"API Version: +$v"$'\n'"C Compiler: +(gcc|clang) "
	assert_match "$output" $'\nBuilt: +[A-Z][a-z]{2} [A-Z][a-z]{2} '
	assert_match "$output" $'\nOS/Arch: +linux/[a-z0-9]+$'
	run_burrow 0 version --format '{{.Client.Version}}'
	is "$output" "$v"
	run_burrow 0 version --format json
	is "$(json_get "$output" 'd["Client"]["Version"]')" "\"$v\""
	is "$(json_get "$output" 'd["Client"]["Os"]')" '"linux"'
	json_get "$output" '"Server" not in d or sys.exit(1)' # podman's JSON has no Server when local
	# docker's way to ask, as a local podman answers it: the client's
	run_burrow 0 version --format '{{.Server.Version}} {{.Server.OsArch}}'
	assert_match "$output" "^$v linux/[a-z0-9]+$"
	run_burrow 125 version --format '{{.Client.Nope}}'
	run_burrow 125 version extra
}

@test "global options: --storage-driver overlay only, --cgroup-manager and --events-backend taken, --url/--remote refused, --noout, --out" {
	run_burrow 0 --storage-driver overlay --cgroup-manager cgroupfs --events-backend file --log-level error version --format '{{.Client.Os}}'
	is "$output" linux
	run_burrow 125 --storage-driver vfs version
	is "$output" "burrow: --storage-driver 'vfs': burrow's storage driver is overlay"
	run_burrow 125 --cgroup-manager nope version
	run_burrow 125 --url unix:///run/podman.sock ps
	assert_match "$output" "^burrow: --url: burrow has no remote mode"
	run_burrow 125 --remote ps
	assert_match "$output" "^burrow: --remote: burrow has no remote mode"
	run_burrow 125 --connection x ps
	run_burrow 0 --noout version
	is "$output" ""
	run_burrow 0 --out "$T/out" version --format '{{.Client.Os}}'
	is "$output" ""
	is "$(cat "$T/out")" linux
	run_burrow 125 --out "$T/no/such/dir/out" version
	assert_match "$output" "cannot open"
	# given twice (before and after the verb, or around a subcommand): the
	# last one only, the first is neither created nor truncated
	echo kept >"$T/first"
	run_burrow 0 --out "$T/first" version --format '{{.Client.Os}}' --out "$T/second"
	is "$(cat "$T/first")" kept
	is "$(cat "$T/second")" linux
	run_burrow 0 volume --out "$T/first" ls -q --out "$T/third"
	is "$(cat "$T/first")" kept
	test -f "$T/third"
	run_burrow 0 --out "$T/never" --noout version
	test ! -e "$T/never"
	# main's own answers go there too
	run_burrow 0 --out "$T/ver" --version
	is "$output" ""
	assert_match "$(cat "$T/ver")" "^burrow version "
	run_burrow 0 --out "$T/help" help ps
	is "$output" ""
	assert_match "$(cat "$T/help")" "burrow ps"
	# unshare's command writes there too (it had no stdout at all)
	run_burrow 0 --out "$T/un" unshare sh -c 'echo from-unshare'
	is "$output" ""
	is "$(cat "$T/un")" from-unshare
	# and a verb's --help after --out, a family's, a subcommand's
	run_burrow 0 ps --out "$T/vhelp" --help
	is "$output" ""
	assert_match "$(cat "$T/vhelp")" "^Usage: burrow ps"
	run_burrow 0 volume --out "$T/fhelp" --help
	is "$output" ""
	assert_match "$(cat "$T/fhelp")" "^Usage: burrow volume"
	run_burrow 0 volume --out "$T/shelp" ls --help
	is "$output" ""
	assert_match "$(cat "$T/shelp")" "^Usage: burrow volume ls"
}

@test "system df: totals, active and sizes as the store has them; -v lists each" {
	import_busybox
	run_burrow 0 run --name w busybox sh -c 'head -c 100000 /dev/zero >/big'
	run_burrow 0 run -d --name r busybox sleep 600
	run_burrow 0 volume create v1
	run_burrow 0 system df --format '{{.Type}}:{{.Total}}:{{.Active}}'
	is "$output" $'Images:1:1\nContainers:2:1\nLocal Volumes:1:0'
	# sizes: the containers' writable layers and the image's, as inspect says
	local rw_w rw_r img
	rw_w=$("$BURROW" inspect -s --format '{{.SizeRw}}' w)
	rw_r=$("$BURROW" inspect -s --format '{{.SizeRw}}' r)
	img=$("$BURROW" image inspect --format '{{.Size}}' busybox)
	[ "$rw_w" -ge 100000 ]
	run_burrow 0 system df --format '{{.Type}}:{{.RawSize}}:{{.RawReclaimable}}'
	is "$output" "Images:$img:0"$'\n'"Containers:$((rw_w + rw_r)):$rw_w"$'\n'"Local Volumes:0:0"
	run_burrow 0 system df
	assert_match "$output" '^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE'
	assert_match "$output" $'\nContainers +2 +1 +[0-9.]+kB +[0-9.]+kB \\([0-9]+%\\)'
	# -v's STATUS in podman's words (not burrow's record's: configured)
	run_burrow 0 create --name c busybox true
	run_burrow 0 system df -v
	local n
	for n in running:r exited:w created:c; do
		assert_match "$(grep -E " ${n#*:}\$" <<<"$output")" "^[0-9a-f]{12} .* ${n%:*} +${n#*:}\$"
	done
	assert_match "$output" 'Images space usage:'
	assert_match "$output" $'\nlocalhost/busybox +latest +[0-9a-f]{12} '
	assert_match "$output" 'Containers space usage:'
	assert_match "$output" ' w'$'\n'
	assert_match "$output" $'\nv1 +0 +0B'
	run_burrow 125 system df --format '{{.Nope}}'
	run_burrow 0 rm -f r c
}

@test "system df: a link in a volume to a big host directory counts as the link; hard links once, subdirectories in, deep ones too" {
	import_busybox
	# on the store's file system, outside burrow's tree
	local big=$XDG_DATA_HOME/hostbig
	mkdir -p "$big"
	head -c 1000000 /dev/zero >"$big/blob"
	run_burrow 0 volume create vl
	run_burrow 0 run --rm -v vl:/data busybox sh -c "head -c 1000 /dev/zero >/data/f && ln /data/f /data/f2 &&
		mkdir /data/d && head -c 500 /dev/zero >/data/d/g && ln -s '$big' /data/link && ln -s '$big' /data/d/link2"
	# deeper than the directories the walk keeps open (40 levels), and
	# more after coming back up from there
	local deep=/data/deep$(printf '/x%.0s' $(seq 40))
	run_burrow 0 run --rm -v vl:/data busybox sh -c "mkdir -p $deep && head -c 300 /dev/zero >$deep/h &&
		mkdir /data/deep/x/y /data/e && head -c 70 /dev/zero >/data/deep/x/y/i && head -c 9 /dev/zero >/data/e/j"
	run_burrow 0 system df --format '{{.Type}}:{{.RawSize}}'
	assert_match "$output" $'\nLocal Volumes:'"$((1000 + 500 + 2 * ${#big} + 300 + 70 + 9))"'$'
	rm -rf "$big"
}

@test "system prune: stopped containers and, with --volumes, unused volumes go; -a takes unused images; asks without -f" {
	import_busybox
	import_busybox other
	run_burrow 0 run --name done busybox true
	run_burrow 0 run -d --name up busybox sleep 600
	run_burrow 0 volume create v1
	local done_id
	done_id=$("$BURROW" inspect --format '{{.Id}}' done)
	run_burrow 0 system prune </dev/null
	assert_match "$output" "WARNING! This command removes:"
	run_burrow 0 ps -a -q
	is "$(wc -l <<<"$output")" 2
	run_burrow 0 system prune -f
	assert_match "$output" "^Deleted Containers"$'\n'"$done_id"$'\n'"Total reclaimed space: "
	run_burrow 0 volume ls -q
	is "$output" v1
	run_burrow 0 system prune -f -a --volumes
	assert_match "$output" $'Deleted Volumes\nv1\n'
	assert_match "$output" $'Deleted Images\n'
	run_burrow 0 images --format '{{.Repository}}'
	is "$output" localhost/busybox "the image the running container uses stays"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" up
	run_burrow 125 system prune -f --filter bogus=1
	run_burrow 0 rm -f up
}

@test "system reset -f: no process, no mount, no file of burrow is left" {
	import_busybox
	run_burrow 0 run -d --name r busybox sleep 600
	run_burrow 0 run -d --name ri --init busybox sleep 600
	run_burrow 0 volume create v1
	local kpid kstart ns
	kpid=$(keeper_pid)
	[ -n "$kpid" ]
	kstart=$(proc_start "$kpid")
	ns=$(readlink "/proc/$kpid/ns/user")
	[ -n "$(procs_in_userns "$ns")" ]
	run_burrow 0 system reset -f
	# no process: not the keeper (so neither its mounts), nor any other
	# in its namespace (monitors, fuse-overlayfs, containers)
	# (a zombie holds no namespace and no mount: its parent may reap it later)
	! proc_running "$kpid" "$kstart" || { echo "the keeper $kpid is still there" >&2; false; }
	[ -z "$(cat "/proc/$kpid/mountinfo" 2>/dev/null)" ] || { echo "the keeper's mounts are still there" >&2; false; }
	is "$(procs_in_userns "$ns")" "" "processes left in burrow's user namespace"
	# no file
	[ ! -e "$XDG_DATA_HOME/burrow" ]
	[ ! -e "$XDG_RUNTIME_DIR/burrow" ]
	assert_match "$output" "^Removed 2 containers, 1 image, 1 volume"
	assert_match "$output" $'\nRemoved the storage root '"$XDG_DATA_HOME/burrow"
	assert_match "$output" $'\nStopped the namespace keeper'
	assert_match "$output" $'\nRemoved the runtime dir '"$XDG_RUNTIME_DIR/burrow"
	# and burrow starts afresh (burrow-t2 hears of its single-ID mapping
	# again, on stderr)
	is "$("$BURROW" ps -a -q 2>/dev/null)" ""
	is "$("$BURROW" images -q 2>/dev/null)" ""
}

@test "system reset: asks without -f; no answer removes nothing" {
	import_busybox
	run_burrow 0 system reset </dev/null
	assert_match "$output" "WARNING! This will remove:"
	assert_match "$output" "the storage root: \"$XDG_DATA_HOME/burrow\""
	run_burrow 0 images -q
	[ -n "$output" ]
}

@test "system reset -f: never walks into a mount under the storage root or the runtime dir (a directory of yours stays whole)" {
	import_busybox
	mkdir -p "$T/mine"
	echo precious >"$T/mine/keep"
	# bound inside burrow's mount namespace, as a volume bound to a
	# directory of yours is while a container uses it
	mkdir -p "$XDG_DATA_HOME/burrow/bound" "$XDG_RUNTIME_DIR/burrow/bound"
	run_burrow 0 unshare sh -c "mount --bind '$T/mine' '$XDG_DATA_HOME/burrow/bound' &&
		mount --bind '$T/mine' '$XDG_RUNTIME_DIR/burrow/bound' && ls '$XDG_DATA_HOME/burrow/bound'"
	is "$output" keep
	run_burrow system reset -f
	is "$(cat "$T/mine/keep")" precious "the bound directory's file"
	is "$status" 0 "system reset's exit status"
	[ ! -e "$XDG_DATA_HOME/burrow" ]
	[ ! -e "$XDG_RUNTIME_DIR/burrow" ]
}

@test "system: =false is as if not given: df -v, prune -a, --volumes and -f, reset -f; container prune -f" {
	import_busybox
	run_burrow 0 run --name done busybox true
	run_burrow 0 volume create v1
	run_burrow 0 system df -v=false
	assert_match "${lines[0]}" "^TYPE +TOTAL" "system df -v=false: the summary"
	run_burrow 0 system df -v
	is "${lines[0]}" "Images space usage:" "system df -v: each"
	# without -f each asks (no answer: no, nothing removed); what the
	# question lists says what -a and --volumes would take
	local base
	run_burrow 0 system prune </dev/null
	base=$output
	assert_match "$base" "Are you sure you want to continue" "system prune: the question"
	local f
	for f in -f -a --volumes; do
		run bash -c "timeout $BURROW_TIMEOUT '$BURROW' system prune $f=false </dev/null"
		is "$output" "$base" "system prune $f=false: as without it"
		run bash -c "timeout $BURROW_TIMEOUT '$BURROW' system prune $f </dev/null"
		if [ "$output" = "$base" ]; then
			echo "system prune $f: as without it (it would not see $f=false taken as $f)"
			return 1
		fi
	done
	run_burrow 0 run --name done2 busybox true
	run bash -c "timeout $BURROW_TIMEOUT '$BURROW' container prune -f=false </dev/null"
	assert_match "$output" "Are you sure you want to continue" "container prune -f=false: the question"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "done2" "container prune -f=false: nothing removed"
	run_burrow 0 container prune -f
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "" "container prune -f: removed"
	run bash -c "timeout $BURROW_TIMEOUT '$BURROW' system reset -f=false </dev/null"
	assert_match "$output" "Are you sure you want to continue" "system reset -f=false: the question"
	run_burrow 0 volume ls -q
	is "$output" "v1" "system reset -f=false: nothing removed"
}
