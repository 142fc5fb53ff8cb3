#!/usr/bin/env bats
# Users and ID mapping: --userns (keep-id, nomap, auto, host), --uidmap and
# --gidmap, --passwd-entry: a user namespace nested in burrow's, never a
# chown or copy of the image.

load helpers
bats_require_minimum_version 1.5.0

suite_setup() {
	import_busybox
	ME=$(id -un) MY_UID=$(id -u) MY_GID=$(id -g)
}

@test "keep-id: the user's own name, uid, gid and HOME inside" {
	run_burrow 0 run --rm --userns=keep-id busybox sh -c 'id -un; id -u; id -g; echo "$HOME"'
	local home=$(getent passwd "$ME" | cut -d: -f6)
	is "$output" "$ME
$MY_UID
$MY_GID
$home"
}
