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
	assert_match "$output" "image 'nosuch$shown' not known"
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

@test "cli: containers survive a simulated reboot (runtime dir gone, keeper killed)" {
	import_busybox
	run_burrow 7 run --name survivor busybox sh -c 'exit 7'
	kill_namespace_of "$(keeper_pid)"
	rm -rf "$XDG_RUNTIME_DIR/burrow"
	run_burrow 0 ps -a
	assert_match "$output" "survivor"
	assert_match "$output" "Exited"
	run_burrow 0 images
	assert_match "$output" "localhost/busybox"
	run_burrow 0 run --rm busybox echo after-reboot
	is "$output" "after-reboot"
	run_burrow 0 rm survivor
}
