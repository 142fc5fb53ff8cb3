#!/usr/bin/env bats
# Container sizes (inspect -s SizeRw/SizeRootFs, ps -s): the bytes of the
# writable layer, measured without the container's lock.

load helpers

suite_setup() {
	import_busybox
}

suite_teardown() {
	rm_containers
}

rw_size() {
	run_burrow 0 inspect --size --format '{{.SizeRw}} {{.SizeRootFs}}' "$1"
	echo "$output"
}

@test "sizes: a running container's SizeRw grows by what it writes: a hard link once, a symlink by its own size, a whiteout 0" {
	run_burrow 0 run -d --name s busybox sleep 600
	local before after rootfs0 rootfs1 del
	read -r before rootfs0 <<<"$(rw_size s)"
	run_burrow 0 exec s sh -c 'head -c 100000 /dev/zero >/a && ln /a /b && ln -s /a /c'
	read -r after rootfs1 <<<"$(rw_size s)"
	is "$((after - before))" 100002 "100000 bytes once (/a, /b), 2 for the link /c"
	is "$((rootfs1 - rootfs0))" 100002 "SizeRootFs grows as much"
	run_burrow 0 ps --size --format json
	is "$(json_get "$output" 'd[0]["Size"]["rwSize"]')" "$after" "ps -s: the same size"
	# a file of the image removed: a whiteout, which holds nothing
	run_burrow 0 exec s rm /bin/true
	read -r del _ <<<"$(rw_size s)"
	is "$del" "$after" "a whiteout counts 0"
}
