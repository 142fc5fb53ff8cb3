#!/usr/bin/env bats
# Hostile inputs end to end, beyond the cases the other suites hold (cp,
# mounts, volume, import, load, pull, runtime, secret): an image or a
# container that makes the paths burrow writes or reads at create, start,
# restart, export and commit into links out of its tree (absolute and
# with ".."), FIFOs or hard links, and arguments that climb with "..".
# Every test ends with the sentinel directory outside everything as it was.

load helpers

suite_setup() {
	import_busybox
	OUTSIDE=$T/outside
	mkdir -p "$OUTSIDE"
	echo orig >"$OUTSIDE/victim"
	echo 'hostonly:x:4242:4242:host only:/:/bin/sh' >"$OUTSIDE/passwd"
	echo 'hostgrp:x:4243:' >"$OUTSIDE/group"
	# from anywhere in a rootfs, up and out to the sentinel
	UP=../../../../../../../../../..$OUTSIDE
}

suite_teardown() {
	[ -d "$XDG_DATA_HOME/burrow" ] && timeout 30 "$BURROW" unshare rm -rf "$XDG_DATA_HOME/burrow" 2>/dev/null
	return 0
}

# The sentinel holds what suite_setup put there, unchanged, and nothing is
# mounted on or under it in burrow's namespace.
sentinel_intact() {
	is "$(cd "$OUTSIDE" && find . | sort | tr '\n' ' ')" ". ./group ./passwd ./victim " "the sentinel's entries"
	is "$(cat "$OUTSIDE/victim")" orig "the sentinel file"
	is "$(ns cat /proc/self/mountinfo | awk -v d="$OUTSIDE" 'index($5, d) == 1')" "" "a mount on the sentinel"
}

@test "hostile image: a working directory behind a link out is made inside the container" {
	image_plus img "l('wd', '$OUTSIDE'); l('wu', '$UP')" 'WORKDIR /wd/new'
	# where the link leads inside the container (pwd shows the real path)
	run_burrow 0 run --rm img sh -c 'pwd; touch made; ls -A /wd'
	is "$output" "$OUTSIDE/new
new"
	run_burrow 0 run --rm -w /wu/deep/er img sh -c 'pwd; ls -d /wu/deep/er'
	is "$output" "$OUTSIDE/deep/er
/wu/deep/er"
	# a magic link is not followed (it would lead to what an fd of the
	# container's init holds)
	run_burrow 125 run --rm -w /proc/self/cwd/x img true
	assert_match "$output" "working directory: cannot resolve '/proc/self/cwd/x' in the rootfs"
	sentinel_intact
}
