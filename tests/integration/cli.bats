#!/usr/bin/env bats
# The CLI itself: help, version, bad input, info, state across a reboot.

load helpers

@test "cli: --version and --help" {
	run_burrow 0 --version
	assert_match "$output" "^burrow version [0-9]+\.[0-9]+\.[0-9]+"
	run_burrow 0 --help
	assert_match "$output" "Usage: burrow"
	assert_match "$output" "unshare"
	run_burrow 0 run --help
	assert_match "$output" "Usage: burrow run"
	run_burrow 0 help ps
	assert_match "$output" "Usage: burrow ps"
}

@test "cli: unknown verb, flag or bad value is one line and 125, nothing written" {
	run_burrow 125 frobnicate
	is "$output" "burrow: unknown command 'frobnicate' (see 'burrow --help')"
	run_burrow 125 --frob info
	assert_match "$output" "unknown flag '--frob'"
	run_burrow 125 ps --frob
	is "$output" "burrow: ps: unknown flag '--frob'"
	run_burrow 125 ps -z
	is "$output" "burrow: ps: unknown flag '-z'"
	run_burrow 125 --log-level loud info
	assert_match "$output" "invalid --log-level 'loud'"
	run_burrow 125 info --format '{{.Host'
	is "$output" "burrow: info: --format: 1:1: unclosed action"
	run_burrow 125 run --name
	assert_match "$output" "needs a value"
	# a boolean takes a value after '=' (boolflags.bats), --help too
	run_burrow 125 run -e=A=b -it= busybox true
	is "$output" "burrow: run: invalid -t '' (true or false)"
	run_burrow 125 ps --help=yes
	is "$output" "burrow: ps: invalid --help 'yes' (true or false)"
	# a global option whole only, before the verb or after it (podman's
	# take no abbreviation); the verb's own keep getopt's
	run_burrow 125 ps --ro "$T/x"
	is "$output" "burrow: ps: unknown flag '--ro'"
	run_burrow 125 ps -a --log=debug
	is "$output" "burrow: ps: unknown flag '--log=debug'"
	run_burrow 125 volume ls --runr "$T/x"
	is "$output" "burrow: volume ls: unknown flag '--runr'"
	run_burrow 125 --ro "$T/x" ps
	is "$output" "burrow: unknown flag '--ro'"
	run_burrow 125 --vers
	is "$output" "burrow: unknown flag '--vers'"
	run_burrow 0 ps --no-tr --help
	assert_match "$output" "^Usage: burrow ps"
	run_burrow 125
	# nothing was created by any of that
	run ls -A "$XDG_DATA_HOME"
	is "$output" ""
	run ls -A "$XDG_RUNTIME_DIR"
	is "$output" ""
}

@test "cli: a name with a newline or an escape sequence is shown escaped on one line" {
	bad=$'a\nb\e[2J\'q'
	# the namespace first (its single-ID warning is not what is checked)
	timeout "$BURROW_TIMEOUT" "$BURROW" unshare true >/dev/null 2>&1
	shown="a\\\\nb\\\\x1b\[2J\\\\'q"
	one_line() {
		is "$(printf '%s\n' "$output" | grep -vc '^hint: ')" 1 "not one line: $output"
		[[ $output != *$'\e'* ]] || { echo "an escape character reached the terminal" >&2; return 1; }
	}
	run_burrow 125 run --name "$bad" busybox true
	assert_match "$output" "^burrow: invalid container name '$shown': "
	one_line
	run_burrow 125 "$bad"
	assert_match "$output" "^burrow: unknown command '$shown' "
	one_line
	run_burrow 125 ps "--$bad"
	assert_match "$output" "^burrow: ps: unknown flag '--$shown'"
	one_line
	run_burrow rm "$bad"
	assert_match "$output" "no such container '$shown'"
	one_line
	run_burrow 125 run --rm "nosuch$bad" true
	assert_match "$output" "invalid image name 'nosuch$shown'"
	one_line
	run_burrow 125 import "$T/$bad.tar"
	assert_match "$output" "^burrow: cannot import: cannot open '$T/$shown.tar': No such file"
	one_line
}

@test "cli: info reports paths, their sources, the mapping and the tools" {
	run_burrow 0 info
	assert_match "$output" "storage root: +$XDG_DATA_HOME/burrow \(\\\$XDG_DATA_HOME\)"
	assert_match "$output" "runtime dir: +$XDG_RUNTIME_DIR/burrow"
	assert_match "$output" "storage filesystem: +[a-z0-9]+"
	assert_match "$output" "libslirp: +[0-9]+\.[0-9]+"
	assert_match "$output" "fuse-overlayfs: +/"
	if [ "$(id -u)" = 0 ]; then
		assert_match "$output" "id mapping: +identity"
	elif has_subuid; then
		assert_match "$output" "id mapping: +subuid"
	else
		assert_match "$output" "id mapping: +single"
	fi
	run_burrow 0 info --format json
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["store"]["graphRoot"].endswith("/burrow"); assert d["host"]["idMappings"]["kind"] in ("subuid","single","identity"); assert d["host"]["libslirp"]' "$output"
	# a local disk that holds a store: no problem said, none in the JSON
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["store"]["graphRootProblem"] is None and d["store"]["graphRootHint"] is None' "$output"
	run_burrow 0 --root "$T/elsewhere" info
	assert_match "$output" "storage root: +$T/elsewhere \(--root\)"
	run_burrow 0 --runroot "$T/rr" info
	assert_match "$output" "runtime dir: +$T/rr \(--runroot\)"
	run_burrow 0 --runroot "$T/rr" system migrate
}

@test "cli: burrow.conf sets the storage root and the default network; a bad line is refused" {
	mkdir -p "$XDG_CONFIG_HOME/burrow"
	cat >"$XDG_CONFIG_HOME/burrow/burrow.conf" <<CONF
# settings for the test
[storage]
root = "$T/confroot"   # a comment after a value
[network]
default = none
CONF
	run_burrow 0 info
	assert_match "$output" "storage root: +$T/confroot \(burrow.conf storage.root\)"
	run_burrow 0 --root "$T/flagroot" info
	assert_match "$output" "storage root: +$T/flagroot \(--root\)"
	import_busybox
	run_burrow 0 run --rm busybox ls /sys/class/net
	is "$output" "lo"
	run_burrow 0 run --rm --network slirp busybox ls /sys/class/net
	assert_match "$output" "tap0"
	printf '[engine]\nfuse_overlayfs = "/nonexistent/fuse-overlayfs"\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 125 --root "$T/confroot" run --rm busybox true
	assert_match "$output" "fuse-overlayfs '/nonexistent/fuse-overlayfs' is not an executable file"
	printf '[storage]\nrot = "/x"\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 125 info
	is "${lines[0]}" "burrow: $XDG_CONFIG_HOME/burrow/burrow.conf: line 2: unknown setting 'storage.rot'"
	printf '[network]\ndefault = "bogus"\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 125 info
	assert_match "$output" "line 2: network.default"
	printf '[storage]\nroot = "unterminated\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 125 info
	assert_match "$output" "line 2: unterminated string"
}

@test "cli: --network and burrow.conf's network.default are parsed once and stored in their canonical form" {
	command -v tdbdump >/dev/null || need_or_fail "tdbdump is not installed (Debian package tdb-tools)"
	import_busybox
	# a synonym and a default value spelled out: stored as netns_format says
	run_burrow 0 run --name canon --network slirp4netns:mtu=1500,enable_ipv6=true busybox cat /sys/class/net/tap0/mtu
	is "$output" "1500"
	run tdbdump "$XDG_DATA_HOME/burrow/burrow.tdb"
	assert_match "$output" 'network\\22:\\22slirp:mtu=1500\\22'
	run_burrow 0 rm canon
	mkdir -p "$XDG_CONFIG_HOME/burrow"
	printf '[network]\ndefault = "slirp4netns:enable_ipv6=false"\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 0 run --name canon2 busybox true
	run tdbdump "$XDG_DATA_HOME/burrow/burrow.tdb"
	assert_match "$output" 'network\\22:\\22slirp:enable_ipv6=false\\22'
	run_burrow 0 rm canon2
	# a bad --network is refused before anything is set up or stored
	rm -f "$XDG_CONFIG_HOME/burrow/burrow.conf"
	rm -rf "$XDG_DATA_HOME/burrow"
	run_burrow 125 run --name bad --network slirp:mtu=abc busybox true
	assert_match "$output" "invalid network 'slirp:mtu=abc': bad mtu 'abc'"
	[ ! -e "$XDG_DATA_HOME/burrow" ] || { echo "a bad --network created the storage root" >&2; return 1; }
}

# A recent end, as ps words it.
RECENT='(Less than a second|[0-9]+ seconds?|About a minute) ago'

@test "cli: containers survive a simulated reboot with their exit codes and times (runtime dir gone, keeper killed, new boot ID)" {
	import_busybox
	echo "boot-one" >"$T/boot_id"
	export BURROW_TEST_BOOT_ID_FILE=$T/boot_id
	run_burrow 7 run --name survivor busybox sh -c 'exit 7'
	run_burrow 0 run --name fine busybox true
	# one that still runs when the machine goes down
	"$BURROW" run --name caught busybox sleep 60 &
	local mon=$! i
	wait_state caught '^Up '
	run_burrow 0 ps -a
	assert_match "$output" "Exited \(7\) $RECENT +survivor"
	# the reboot
	kill_namespace_of "$(keeper_pid)"
	wait "$mon" || true
	rm -rf "$XDG_RUNTIME_DIR/burrow"
	echo "boot-two" >"$T/boot_id"
	run_burrow 0 ps -a
	assert_match "$output" "Exited \(7\) $RECENT +survivor"
	assert_match "$output" "Exited \(0\) $RECENT +fine"
	# no end was recorded for it: -1, and no made-up time
	assert_match "$output" "Exited \(-1\) +caught"
	assert_no_match "$output" "years ago"
	run_burrow 0 images
	assert_match "$output" "localhost/busybox"
	run_burrow 0 run --rm busybox echo after-reboot
	is "$output" "after-reboot"
	run_burrow 0 rm survivor fine caught
}

# Points every hash chain of a tdb file past its end (after tdb's 168-byte
# header and the free-list head).
break_chains() {
	python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(172); f.write(b"\xff\xff\xff\x7f" * 4099)' "$1"
}

@test "cli: an empty or damaged burrow.tdb or state.tdb is refused, naming the file and the fix" {
	import_busybox
	run_burrow 0 run --name keep busybox true
	local db=$XDG_DATA_HOME/burrow/burrow.tdb sdb=$XDG_RUNTIME_DIR/burrow/state.tdb
	cp "$db" "$T/good.tdb"
	# empty: never a silent new database that forgets every image and container
	: >"$db"
	run_burrow 125 ps -a
	is "${lines[0]}" "burrow: cannot open '$db': not a database, or a damaged one (the file is empty)"
	is "${lines[1]}" "hint: check it with \`tdbtool $db check\`; moving it away starts afresh but forgets every container, image and volume it recorded"
	is "$(stat -c %s "$db")" 0 "the empty file was written to"
	# hash chains pointing past the end of the file: not a bare "i/o error"
	cp "$T/good.tdb" "$db"
	break_chains "$db"
	run_burrow 125 ps -a
	assert_match "${lines[0]}" "^burrow: .* in '$db': the file is damaged$"
	assert_match "${lines[1]}" "^hint: check it with \`tdbtool $db check\`"
	cp "$T/good.tdb" "$db"
	# state.tdb: removing it resets the containers, as a reboot does
	cp "$sdb" "$T/good-state.tdb"
	: >"$sdb"
	run_burrow 125 ps -a
	is "${lines[0]}" "burrow: cannot open '$sdb': not a database, or a damaged one (the file is empty)"
	is "${lines[1]}" "hint: it holds only runtime state: removing it (rm $sdb) resets the containers as a reboot does; running ones stay known"
	cp "$T/good-state.tdb" "$sdb"
	break_chains "$sdb"
	run_burrow 125 ps -a
	assert_match "${lines[0]}" "^burrow: .* in '$sdb': the file is damaged$"
	assert_match "${lines[1]}" "^hint: it holds only runtime state: removing it \(rm $sdb\)"
	rm "$sdb"
	run_burrow 0 ps -a
	assert_match "$output" "Exited \(0\) .* keep"
}

@test "cli: ps sizes its columns to their widest cell, as podman's (a long image name, 'Less than a second ago')" {
	import_busybox localhost/a-rather-long-image-name-for-the-table
	run_burrow 0 run --name tbl1 --network none localhost/a-rather-long-image-name-for-the-table true
	run_burrow 0 ps -a
	local header=${lines[0]} row=${lines[1]}
	# where each title starts in the header, its cell starts in the row
	at() { local p=${header%%"$1"*}; echo "${#p}"; }
	assert_match "${row:$(at IMAGE)}" "^localhost/a-rather-long-image-name-for-the-table:latest  +true  "
	assert_match "${row:$(at COMMAND)}" "^true  "
	assert_match "${row:$(at CREATED)}" "^(Less than a second|[0-9]+ seconds?|About a minute) ago  +Exited"
	assert_match "${row:$(at STATUS)}" "^Exited \(0\) "
	assert_match "${row:$(at NAMES)}" "^tbl1$"
	assert_match "$header" "^CONTAINER ID  IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$"
}

@test "cli: info says when /dev/fuse cannot be opened, with the hint run gives" {
	run_burrow 0 info
	assert_match "$output" $'\nfuse device: +/dev/fuse \\(usable\\)\n'
	# /dev/fuse unusable in burrow's mount namespace: a nodev bind mount over it
	run_burrow 0 unshare sh -c 'mount --bind /dev/fuse /dev/fuse && mount -o remount,bind,nodev /dev/fuse'
	run_burrow 0 info
	assert_match "$output" $'\nfuse device: +cannot open /dev/fuse: Permission denied\n  hint: +'
	local hint
	hint=$(sed -n 's/^  hint: *//p' <<<"$output")
	is "$hint" "/dev/fuse must exist and be readable and writable by you (modprobe fuse; chmod 0666 /dev/fuse)"
	run_burrow 0 info --format json
	python3 -c 'import json,sys; d=json.loads(sys.argv[1])["store"]["fuseDevice"]; assert d["usable"] is False, d; assert d["error"] == "cannot open /dev/fuse: Permission denied", d; assert d["hint"] == sys.argv[2], d' "$output" "$hint"
	run_burrow 0 info --format '{{.Store.FuseDevice.Usable}}'
	is "$output" "false"
	# what run says about it: the same hint
	import_busybox
	run_burrow 125 run --rm busybox true
	assert_match "$output" "/dev/fuse"
	is "${lines[-1]}" "hint: $hint"
}

@test "cli: info's storage line does not nest parentheses (the default root)" {
	XDG_DATA_HOME= HOME=$T/home run_burrow 0 info
	assert_match "$output" "storage root: +$T/home/.local/share/burrow \(default: \\\$HOME/.local/share/burrow\)"$'\n'
	assert_no_match "$output" "\([^)]*\("
}

@test "cli: kill_namespace_of (the teardown helper) does not fail when a process exits before its kill" {
	run_burrow 0 unshare true
	local kp
	kp=$(keeper_pid)
	[ -n "$kp" ]
	# as if each process had exited between the readlink and the kill:
	# kill kills, then reports failure (once this ended the test under errexit)
	kill() { builtin kill "$@"; return 1; }
	kill_namespace_of "$kp"
	unset -f kill
	for _ in $(seq 400); do [ -e "/proc/$kp" ] || break; sleep 0.05; done
	[ ! -e "/proc/$kp" ]
}

@test "cli: make demo says in one line when it makes /dev/fuse and /dev/net/tun 0666, and only then" {
	[ "$(id -u)" = 0 ] || skip "needs root to change device modes (runs in the root pass)"
	# tools/dev-modes.sh (what demo runs) on copies of the two devices bound
	# over them in a private mount namespace: the host's stay as they are
	mkdir "$T/devs"
	run timeout 30 unshare -m --propagation private sh -ec '
		mount -t tmpfs tmpfs "$1"
		mknod -m 0600 "$1/fuse" c 10 229
		mknod -m 0666 "$1/tun" c 10 200
		mount --bind "$1/fuse" /dev/fuse
		mount --bind "$1/tun" /dev/net/tun
		"$2"; echo --; "$2"; echo --
		chmod 0600 /dev/fuse /dev/net/tun
		"$2"; stat -c %a /dev/fuse /dev/net/tun' sh "$T/devs" "$TOP/tools/dev-modes.sh"
	is "$status" 0
	local said="mode 0666 (as on a desktop), so that unprivileged users can run containers"
	is "$output" "made /dev/fuse $said"$'\n--\n--\n'"made /dev/fuse and /dev/net/tun $said"$'\n666\n666'
}

@test "cli: create refuses run's own flags, push pull's platform flags: unknown, named as given, nothing written" {
	# create shares run's option table, push pull's: what only the other
	# takes is an unknown flag here, as in podman (attach with start -a)
	run_burrow 125 create --detach busybox true
	is "$output" "burrow: create: unknown flag '--detach'"
	run_burrow 125 create --detach-keys ctrl-a busybox true
	is "$output" "burrow: create: unknown flag '--detach-keys'"
	run_burrow 125 create --sig-proxy=false busybox true
	is "$output" "burrow: create: unknown flag '--sig-proxy'"
	run_burrow 125 push --platform linux/amd64 busybox
	is "$output" "burrow: push: unknown flag '--platform'"
	run_burrow 125 push --arch arm64 busybox
	is "$output" "burrow: push: unknown flag '--arch'"
	run ls -A "$XDG_DATA_HOME"
	is "$output" ""
}

@test "cli: run, exec, unshare and logs stop at their first argument, as podman's: what follows is the command's (or a container)" {
	import_busybox
	run_burrow 0 run --name o1 busybox echo hi -f --tail 1
	is "$output" "hi -f --tail 1"
	run_burrow 125 logs o1 --tail 1
	assert_match "$output" "no such container '--tail'"
	run_burrow 0 unshare echo un -x --help
	is "$output" "un -x --help"
	run_burrow 0 run -d --name o2 busybox sleep 1000
	run_burrow 0 exec o2 echo ex -i --help
	is "$output" "ex -i --help"
	run_burrow 0 rm -f -t 0 o2
}

@test "cli: options follow the names with POSIXLY_CORRECT set too (as podman's); run's command still stops at its first argument" {
	import_busybox
	run_burrow 0 create --name px busybox true
	POSIXLY_CORRECT=1 run_burrow 0 inspect px --format '{{.Name}}'
	is "$output" "px"
	POSIXLY_CORRECT=1 run_burrow 0 rm px -f
	POSIXLY_CORRECT=1 run_burrow 0 run --rm busybox echo po -f --tail 1
	is "$output" "po -f --tail 1"
	run_burrow 0 ps -a -q
	is "$output" "" "rm px -f removed it"
}

@test "cli: the global options are taken after the verb and a subcommand too, as podman's persistent flags; before run's IMAGE only" {
	# the first command starts the namespace keeper: debug says so
	run_burrow 0 ps --log-level debug
	assert_match "$output" "debug: started namespace keeper"
	run_burrow 0 ps --log-level debug --cgroup-manager cgroupfs
	assert_match "$output" "debug: --cgroup-manager cgroupfs: accepted"
	run_burrow 125 ps --log-level loud
	is "$output" "burrow: ps: invalid --log-level 'loud' (error, warn, info or debug)"
	run_burrow 125 ps --remote
	assert_match "$output" "burrow has no remote mode"
	import_busybox
	# an image imported into another store: images there lists it, here not
	run_burrow 0 import "$BATS_RUN_TMPDIR/busybox.tar" other --root "$T/other"
	run_burrow 0 images --root "$T/other" --format '{{.Repository}}'
	is "$output" "localhost/other"
	run_burrow 0 images --format '{{.Repository}}'
	is "$output" "localhost/busybox"
	# given before and after the verb, the later wins (cobra's)
	run_burrow 0 --root "$T/nowhere" images --root "$T/other" --format '{{.Repository}}'
	is "$output" "localhost/other"
	run_burrow 0 --root "$T/other" image ls --root "$XDG_DATA_HOME/burrow" --format '{{.Repository}}'
	is "$output" "localhost/busybox"
	run_burrow 0 info --root "$T/other" --runroot "$T/rr"
	assert_match "$output" "storage root: +$T/other \(--root\)"
	assert_match "$output" "runtime dir: +$T/rr \(--runroot\)"
	run_burrow 0 system migrate --runroot "$T/rr"
	# run's and create's before the IMAGE; after it they are the command's
	run_burrow 0 run --root "$T/other" --rm other echo in-other
	is "$output" "in-other"
	run_burrow 0 run --rm busybox echo --root "$T/other" --log-level debug
	is "$output" "--root $T/other --log-level debug"
	run_burrow 0 create --root "$T/other" --name c-other other true
	run_burrow 0 ps -a --root "$T/other" --format '{{.Names}}'
	is "$output" "c-other"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" ""
	# a subcommand's, and between a family and its subcommand
	run_burrow 0 volume create --root "$T/other" v-other
	run_burrow 0 volume ls -q --root "$T/other"
	is "$output" "v-other"
	run_burrow 0 volume --root "$T/other" ls -q
	is "$output" "v-other"
	run_burrow 0 volume ls -q
	is "$output" ""
	# --out after the verb: the verb's output goes to the file
	run_burrow 0 ps -a --root "$T/other" --format '{{.Names}}' --out "$T/ps.out"
	is "$output" ""
	is "$(cat "$T/ps.out")" "c-other"
	run_burrow 0 rm --root "$T/other" c-other
}
