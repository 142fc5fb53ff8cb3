#!/usr/bin/env bats
# burrow run: the first end-to-end path (image, fuse-overlayfs rootfs,
# runtime, slirp network, exit codes).

load helpers

suite_setup() {
	import_busybox
	mon= SHARED=
}

suite_teardown() {
	# a container left in a namespace other than the keeper's (the runtime
	# dir was removed under it): its monitor joined that namespace
	[ -n "${mon:-}" ] && proc_running "$mon" "${mon_start:-}" && kill_namespace_of "$mon"
	[ -n "${SHARED:-}" ] && rm -rf "$SHARED"
	return 0
}

@test "run: exit codes 0, 1, 42 pass through" {
	run_burrow 0 run --rm busybox true
	run_burrow 1 run --rm busybox false
	run_burrow 42 run --rm busybox sh -c 'exit 42'
}

@test "run: --detach=false stays in the foreground, --detach=true detaches (podman's boolean); another value is 125" {
	run_burrow 0 run --rm --detach=false busybox echo in front
	is "$output" "in front"
	run_burrow 0 run --detach=true --name detached-true busybox true
	assert_match "$output" '^[0-9a-f]{64}$'
	run_burrow 0 wait detached-true
	run_burrow 0 rm detached-true
	run_burrow 125 run --rm --detach=maybe busybox true
	is "$output" "burrow: run: invalid --detach 'maybe' (true or false)"
}

@test "run: an argument or variable that is not UTF-8 has U+FFFD for each such byte, as podman's (its records are JSON); the container stays readable" {
	local latin1=$'caf\xe9' fffd=$'\xef\xbf\xbd'
	run_burrow 0 create --name notutf8 -e "V=$latin1" busybox sh -c 'echo "$V" "$1"' sh "$latin1"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "notutf8" "ps reads the container's record"
	run_burrow 0 start -a notutf8
	is "$output" "caf$fffd caf$fffd"
	run_burrow 0 rm notutf8
	run_burrow 0 run --rm busybox echo "$latin1"
	is "$output" "caf$fffd"
}

@test "run: command not found is 127 with a clear message" {
	run_burrow 127 run --rm busybox nosuchcommand
	assert_match "$output" "executable file 'nosuchcommand' not found"
	run_burrow 127 run --rm busybox /no/such/file
}

@test "run: a command that cannot be executed is 126" {
	run_burrow 126 run --rm busybox /etc/passwd
	assert_match "$output" "cannot execute '/etc/passwd': Permission denied"
	run_burrow 126 run --rm busybox /tmp
	# any other reason it cannot run (here: no format the kernel knows)
	printf '\001\002\003\004garbage' >"$T/noformat"
	chmod 755 "$T/noformat"
	run_burrow 126 run --rm -v "$T/noformat:/noformat" busybox /noformat
	assert_match "$output" "cannot execute '/noformat': Exec format error"
}

@test "run: burrow's own failures are 125" {
	run_burrow 125 run --rm no-such-image true
	assert_match "$output" "no-such-image"
	run_burrow 125 run --rm --bogus-flag busybox true
	run_burrow 125 run --rm --network bogus busybox true
	run_burrow 125 run --rm --shm-size nonsense busybox true
	run_burrow 125 run
	# nothing was stored by the failures
	run_burrow 0 ps -a -q
	is "$output" "" "failed runs left containers behind"
}

# podman 4.3 (checked live) looks -u up at each start, not at create: its
# create takes a user the image lacks, its start fails with 125, its run
# with 126; a user added since counts at the next start
@test "run: a user or group the image lacks is 126 (as podman's run); create takes -u's, its start fails with 125 until the user is there" {
	local spec
	for spec in "-u nosuchuser" "-u 0:nosuchgroup" "--group-add nosuchgroup" "-d -u nosuchuser"; do
		# shellcheck disable=SC2086 # the flag and its value
		run_burrow 126 run --rm $spec busybox true
		assert_match "$output" "^burrow: (user|group) 'nosuch(user|group)' not found in the image's /etc/(passwd|group)\$"
	done
	run_burrow 0 ps -a -q
	is "$output" "" "failed runs left containers behind"
	run_burrow 0 create --name later -u nosuchuser:nosuchgroup busybox id
	run_burrow 125 start later
	is "$output" "burrow: user 'nosuchuser' not found in the image's /etc/passwd"
	# the user and group put in its root filesystem count at the next start
	printf 'nosuchuser:x:4321:4322::/home/n:/bin/sh\n' >"$T/passwd"
	printf 'nosuchgroup:x:4323:\n' >"$T/group"
	run_burrow 0 cp "$T/passwd" later:/etc/passwd
	run_burrow 0 cp "$T/group" later:/etc/group
	if many_ids; then
		run_burrow 0 start -a later
		is "$output" "uid=4321(nosuchuser) gid=4323(nosuchgroup) groups=4323(nosuchgroup)"
	fi
	run_burrow 0 rm later
}

@test "run: -u NAME is looked up at each start and exec, as podman's: a uid changed since counts" {
	many_ids || skip "needs subordinate IDs"
	run_burrow 0 run -d --name chg -u root busybox sleep 1000
	run_burrow 0 exec chg sh -c 'sed "s/^root:x:0:0:/root:x:7:8:/" /etc/passwd >/tmp/p && cat /tmp/p >/etc/passwd'
	run_burrow 0 exec chg sh -c 'id -u; id -g'
	is "$(echo $output)" "7 8" "exec looks the user up again"
	run_burrow 0 stop -t 0 chg
	run_burrow 0 start chg
	run_burrow 0 exec chg cat /proc/1/status
	assert_match "$output" "Uid:[[:space:]]+7[[:space:]]"
	assert_match "$output" "Gid:[[:space:]]+8[[:space:]]"
	run_burrow 0 rm -f -t 0 chg
}

@test "run: --shm-size sets the size of /dev/shm; 0 (podman: no limit) is refused and stores nothing" {
	run_burrow 125 run --rm --shm-size 0 busybox true
	is "$output" "burrow: run: --shm-size '0': a /dev/shm without a size limit is not supported; give a size (e.g. 64m, 1g)"
	run_burrow 125 run --name shm0 --shm-size 0b busybox true
	run_burrow 0 ps -a -q
	is "$output" "" "a refused run left a container behind"
	# df's 1K-blocks: the size asked for, rounded up to whole pages, never
	# "no limit"
	run_burrow 0 run --rm --shm-size 2m busybox df -k /dev/shm
	assert_match "${lines[1]}" "^shm +2048 "
	run_burrow 0 run --rm --shm-size 100 busybox df -k /dev/shm
	assert_match "${lines[1]}" "^shm +4 "
	run_burrow 0 run --rm busybox df -k /dev/shm
	assert_match "${lines[1]}" "^shm +65536 "
}

# -u as podman: a uid with an entry in the image's /etc/passwd runs with its
# group, one without runs with group 0, UID:GID as given. Without
# subordinate IDs only 0 is mapped, and the error names the ID that is not.
@test "run: -u UID takes the group of the image's passwd entry, as podman" {
	if has_subuid || [ "$(id -u)" = 0 ]; then
		run_burrow 0 run --rm -u 65534 busybox sh -c 'id -u; id -g'
		is "$output" "$(printf '65534\n65534')" "uid with a passwd entry"
		run_burrow 0 run --rm -u 4242 busybox sh -c 'id -u; id -g'
		is "$output" "$(printf '4242\n0')" "uid without a passwd entry"
		run_burrow 0 run --rm -u 65534:42 busybox sh -c 'id -u; id -g'
		is "$output" "$(printf '65534\n42')" "uid:gid"
		run_burrow 0 run --rm -u nobody:root busybox sh -c 'id -u; id -g'
		is "$output" "$(printf '65534\n0')" "name:group name"
	else
		run_burrow 125 run --rm -u 65534 busybox true
		assert_match "$output" "cannot switch to group 65534"
		run_burrow 125 run --rm -u 4242 busybox true
		assert_match "$output" "cannot switch to user 4242"
		run_burrow 125 run --rm -u 0:42 busybox true
		assert_match "$output" "cannot switch to group 42"
	fi
}

# -u as podman 4.3 sets the supplementary groups of a user given (-u or
# the image's User): the user's group and, when it names no group, the
# groups of the image's /etc/group that list it as a member; --group-add's
# after them. Without -u root's memberships (none in this image; the
# next tests).
@test "run: -u sets the supplementary groups as podman: the user's group, its memberships without :GROUP" {
	import_busybox
	image_plus grp 'f("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nalice:x:1234:55:alice:/home/alice:/bin/sh\n")
f("etc/group", "root:x:0:\nstaff:x:55:\nwheel:x:10:alice\naudio:x:29:bob,alice\nother:x:30:bob\naudio2:x:29:alice\nstaff2:x:55:alice\n")'
	if has_subuid || [ "$(id -u)" = 0 ]; then
		# as podman 4.3 shows each (busybox's id lists getgroups()); a gid
		# named twice (audio2, staff2) is set once
		run_burrow 0 run --rm -u 1234:55 grp id
		is "$output" "uid=1234(alice) gid=55(staff) groups=55(staff)"
		run_burrow 0 run --rm -u alice grp id
		is "$output" "uid=1234(alice) gid=55(staff) groups=10(wheel),29(audio),55(staff)"
		run_burrow 0 run --rm -u 1234 --group-add 77 grp id
		is "$output" "uid=1234(alice) gid=55(staff) groups=10(wheel),29(audio),55(staff),77"
		run_burrow 0 run --rm -u alice:wheel grp id
		is "$output" "uid=1234(alice) gid=10(wheel) groups=10(wheel)"
		run_burrow 0 run --rm -u 0 grp id
		is "$output" "uid=0(root) gid=0(root) groups=0(root)"
		run_burrow 0 run --rm grp id
		is "$output" "uid=0(root) gid=0(root)"
		run_burrow 0 run --rm --group-add 77 grp id
		is "$output" "uid=0(root) gid=0(root) groups=77"
	else
		# a single ID: setgroups is denied there, which is no failure
		run_burrow 0 run --rm -u 0:0 grp true
	fi
	# a membership past the IDs burrow's namespace has is left out
	# (setgroups would refuse it); the last ID it has is kept
	if [ "$(id -u)" != 0 ] && has_subuid; then
		local n
		n=$(timeout 30 "$BURROW" unshare cat /proc/self/gid_map | sort -n | awk 'BEGIN { e = 0 } $1 == e { e += $3 } END { print e }')
		image_plus grpedge "f('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\\nalice:x:1234:55:alice:/home/alice:/bin/sh\\n')
f('etc/group', 'root:x:0:\\nlast:x:$((n - 1)):alice\\npast:x:$n:alice\\n')"
		run_burrow 0 run --rm -u alice grpedge grep '^Groups:' /proc/self/status
		assert_match "$output" "^Groups:[[:space:]]+55 $((n - 1))[[:space:]]*\$"
	fi
}

# Without a user (no -u, no image User) podman 4.3's first process gets
# the groups that list the name of uid 0's entry, runc's default user (not
# its group), and an exec none; --userns=keep-id's (podman's User UID:GID)
# its own group alone (checked live).
@test "run: without -u the groups that list uid 0's name (podman's default user), none for exec; keep-id: its group alone" {
	import_busybox
	image_plus rootgrp 'f("etc/passwd", "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n")
f("etc/group", "root:x:0:\nwheel:x:10:root\nstaff:x:20:bob\nmore:x:30:toor\n")'
	if has_subuid || [ "$(id -u)" = 0 ]; then
		run_burrow 0 run --rm rootgrp grep '^Groups:' /proc/self/status
		is "$(echo $output)" "Groups: 10"
		run_burrow 0 run --rm --group-add 77 rootgrp grep '^Groups:' /proc/self/status
		is "$(echo $output)" "Groups: 10 77"
		run_burrow 0 run -d --name nouser rootgrp sleep 600
		run_burrow 0 exec nouser grep '^Groups:' /proc/self/status
		is "$(echo $output)" "Groups:"
		run_burrow 0 run --rm --userns keep-id rootgrp grep '^Groups:' /proc/self/status
		is "$(echo $output)" "Groups: $(id -g)"
	else
		# a single ID: setgroups is denied there, which is no failure
		run_burrow 0 run --rm rootgrp true
	fi
}

# Without a user (no -u, no image User) podman 4.3 gives root the groups
# of the image's /etc/group that list it as a member, not its own group
# as -u 0 does, --group-add's after them (checked live, with an Alpine-
# style "wheel:x:10:root"); an /etc/group it cannot read fails the run as
# with -u (a link to a name the image lacks is no /etc/group), at the
# start: create takes it, as podman's (checked live: its run 126, its
# start 125); an exec without -u gets none of the memberships (podman's
# neither).
@test "run: without -u root gets the groups that list it as a member, as podman; a directory or a looping link as /etc/group fails the start" {
	import_busybox
	image_plus grp 'f("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
f("etc/group", "root:x:0:\nwheel:x:10:root\nadm:x:4:daemon,root\nother:x:30:bob\n")'
	image_plus grpdir 'd("etc/group")'
	image_plus grploop 'l("etc/group", "../../../etc/group")'
	image_plus grpgone 'l("etc/group", "../../../no/such/group")'
	# a link to a directory is one too: "." its own, ".." above the top
	image_plus grpdot 'l("etc/group", ".")'
	image_plus grpup 'l("etc/group", "../../..")'
	run_burrow 126 run --rm grpdir true
	is "$output" "burrow: cannot find the groups of user 0 in the container: /etc/group is a directory, not a file"
	run_burrow 126 run --rm grpdot true
	is "$output" "burrow: cannot find the groups of user 0 in the container: /etc/group is a directory, not a file"
	run_burrow 126 run --rm grpup true
	is "$output" "burrow: cannot find the groups of user 0 in the container: /etc/group is a directory, not a file"
	run_burrow 126 run --rm grploop true
	is "$output" "burrow: cannot find the groups of user 0 in the container: /etc/group is a symbolic link that loops"
	run_burrow 0 create --name gdir grpdir true
	run_burrow 0 create --name gdiru -u root grpdir true
	run_burrow 125 start gdir
	is "$output" "burrow: cannot find the groups of user 0 in the container: /etc/group is a directory, not a file"
	run_burrow 125 start gdiru
	is "$output" "burrow: cannot find the groups of user 'root' in the container: /etc/group is a directory, not a file"
	run_burrow 0 run --rm grpgone true
	if ! many_ids; then
		# a single ID: setgroups is denied there, which is no failure
		run_burrow 0 run --rm grp true
		return
	fi
	# as podman 4.3 shows each (busybox's id lists getgroups())
	run_burrow 0 run --rm grp id
	is "$output" "uid=0(root) gid=0(root) groups=4(adm),10(wheel)"
	run_burrow 0 run --rm --group-add 77 --group-add 10 grp id
	is "$output" "uid=0(root) gid=0(root) groups=4(adm),10(wheel),77"
	run_burrow 0 run --rm -u 0:0 grp id
	is "$output" "uid=0(root) gid=0(root) groups=0(root)"
	run_burrow 0 run -d --name c1 --group-add 77 grp sleep 300
	run_burrow 0 exec c1 id
	is "$output" "uid=0(root) gid=0(root) groups=77"
}

# A layer that deletes /etc/group (a whiteout) hides the lower layers'
# /etc/group from the lookup as from the container: no memberships, as
# podman 4.3 gives (checked live; an opaque /etc: test_container's
# read_in_roots).
@test "run: an /etc/group a later layer deleted gives no groups" {
	import_busybox
	image_plus grp 'f("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
f("etc/group", "root:x:0:\nwheel:x:10:root\n")'
	run_burrow 0 run --name gd grp rm /etc/group
	run_burrow 0 commit -q gd grpdel
	if ! many_ids; then
		run_burrow 0 run --rm grpdel true
		return
	fi
	run_burrow 0 run --rm grp id -G
	is "$output" "0 10" "the lower layer's memberships"
	run_burrow 0 run --rm grpdel sh -c 'id -G; test -e /etc/group || echo no /etc/group'
	is "$output" "0
no /etc/group"
	run_burrow 0 rm gd
}

# podman 4.3 looks the first process's groups up at each start, in the
# container's /etc/group as it is then (checked live: a group added with
# exec after create is in the next start's Groups; an /etc/group made a
# directory fails that start), for root without -u and for -u USER alike.
@test "run: the groups are looked up at each start: a membership added after create is there, an /etc/group broken after it fails the start" {
	import_busybox
	image_plus grp 'f("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
f("etc/group", "root:x:0:\nwheel:x:10:root\n")'
	run_burrow 0 create --name g0 grp sleep 600
	run_burrow 0 create --name gu -u root grp sleep 600
	local c own
	for c in g0 gu; do
		many_ids || break # a single ID: setgroups is denied there, no groups to see
		own=
		[ "$c" = g0 ] || own="0 " # -u root: its own group first
		run_burrow 0 start "$c"
		run_burrow 0 exec "$c" sh -c 'echo extra:x:77:bob,root >>/etc/group; grep Groups: /proc/1/status'
		is "$(echo $output)" "Groups: ${own}10" "$c: the image's memberships"
		run_burrow 0 stop -t 0 "$c"
		run_burrow 0 start "$c"
		run_burrow 0 exec "$c" grep Groups: /proc/1/status
		is "$(echo $output)" "Groups: ${own}10 77" "$c: the added one at the next start"
	done
	many_ids || run_burrow 0 start g0
	run_burrow 0 exec g0 sh -c 'rm /etc/group && mkdir /etc/group'
	run_burrow 0 stop -t 0 g0
	run_burrow 125 start g0
	is "$output" "burrow: cannot find the groups of user 0 in the container: /etc/group is a directory, not a file"
	run_burrow 0 rm -f -t 0 g0 gu
}

# A later layer's /etc/group that is a link to a file of a lower layer
# (/etc/group -> ../usr/share/group): the lookup follows it across the
# layers as the container's mount does, not to the lower layers' own
# /etc/group.
@test "run: an /etc/group a later layer made a link to a lower layer's file gives that file's groups" {
	import_busybox
	image_plus grp 'f("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
f("etc/group", "root:x:0:\n")
f("usr/share/group", "root:x:0:\nwheel:x:10:root\n")'
	run_burrow 0 run --name gl grp sh -c 'rm /etc/group && ln -s ../usr/share/group /etc/group'
	run_burrow 0 commit -q gl grplink
	run_burrow 0 rm gl
	if ! many_ids; then
		run_burrow 0 run --rm grplink true
		return
	fi
	run_burrow 0 run --rm grplink sh -c 'id -G; grep wheel /etc/group'
	is "$output" "0 10
wheel:x:10:root"
}

# A uid or gid as podman 4.3 reads it (checked live): a sign taken (runc's
# lookup is Go's Atoi), a leading space not; -u UID:GROUP for a uid the
# image's /etc/passwd lacks takes GROUP as a gid only in digits (podman
# writes that entry with Go's ParseUint), else from /etc/group.
@test "run: -u and --group-add take a sign (+5, -0) as podman, not a space; -u UID:+N needs /etc/group for a uid without an entry" {
	import_busybox
	run_burrow 126 run --rm -u 1000:+5 busybox true
	is "$output" "burrow: group '+5' not found in the image's /etc/group"
	run_burrow 126 run --rm -u " 5" busybox true
	is "$output" "burrow: user ' 5' not found in the image's /etc/passwd"
	run_burrow 126 run --rm -u "0: 5" busybox true
	is "$output" "burrow: group ' 5' not found in the image's /etc/group"
	run_burrow 126 run --rm --group-add " 5" busybox true
	is "$output" "burrow: group ' 5' not found in the image's /etc/group"
	if many_ids; then
		run_burrow 0 run --rm -u +5:-0 busybox sh -c 'id -u; id -g'
		is "$(echo $output)" "5 0"
		run_burrow 0 run --rm -u 1000:+0 busybox sh -c 'id -u; id -g'
		is "$(echo $output)" "1000 0" "+0 is root's gid in /etc/group"
		run_burrow 0 run --rm -u root:+4242 busybox sh -c 'id -u; id -g'
		is "$(echo $output)" "0 4242" "a user with an entry: runc's lookup takes the number"
		run_burrow 0 run --rm --group-add +4242 busybox id -G
		is "$output" "0 4242"
		# a signed uid is no number to podman's entries (ParseUint): none
		# added, and its GROUP is not looked up for one
		run_burrow 0 run --rm -u +1234:+5 busybox sh -c 'id -u; id -g; cat /etc/passwd /etc/group'
		is "$output" "$(printf '1234\n5\nroot:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nroot:x:0:\nnogroup:x:65534:')"
		run_burrow 0 run --rm -u +1234 busybox sh -c 'cat /etc/passwd /etc/group'
		is "$output" "$(printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nroot:x:0:\nnogroup:x:65534:')"
	fi
}

@test "run: an image whose /etc/passwd is a FIFO does not hang -u" {
	mkdir -p "$T/fifo/etc"
	mkfifo "$T/fifo/etc/passwd"
	tar --numeric-owner --owner=0 --group=0 -C "$T/fifo" -cf "$T/fifo.tar" .
	run_burrow 0 import "$T/fifo.tar" fifo
	BURROW_TIMEOUT=20 run_burrow 126 run --rm -u nobody fifo true
	is "$output" "burrow: cannot find user 'nobody' in the image: /etc/passwd is not a regular file"
}

@test "run: stdout and stderr arrive separately" {
	out=$(timeout 60 "$BURROW" run --rm busybox sh -c 'echo to-out; echo to-err >&2' 2>"$T/err")
	is "$out" "to-out"
	is "$(cat "$T/err")" "to-err"
}

@test "run: 10 MiB of output arrives intact" {
	timeout 60 "$BURROW" run --rm busybox sh -c 'yes 0123456789abcdef | head -c 10485760' >"$T/big"
	is "$(stat -c %s "$T/big")" 10485760
	is "$(sha256sum <"$T/big" | cut -d' ' -f1)" "$(yes 0123456789abcdef | head -c 10485760 | sha256sum | cut -d' ' -f1)"
}

@test "run: a client that fell behind gets the rest of the output once it reads again (the monitor reads again when its queue drains)" {
	# the container writes 8 MiB once told to, as its init (State.Pid)
	"$BURROW" run --name flow busybox sh -c 'echo ready; while [ ! -e /tmp/go ]; do sleep 0.1; done; exec head -c 8388608 /dev/zero' </dev/null >"$T/out" 2>"$T/err" &
	local client=$! start pid i
	wait_line "$T/out" '^ready$'
	start=$(proc_start "$client")
	# the client stops reading: more than the monitor's queue and the
	# socket hold waits, so the monitor stops reading the container's
	# output, and the container blocks writing to its full pipe
	kill -STOP "$client"
	run_burrow 0 exec flow touch /tmp/go
	run_burrow 0 inspect --format '{{.State.Pid}}' flow
	pid=$output
	for i in $(seq 1200); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = head ] && grep -q pipe_write "/proc/$pid/wchan" 2>/dev/null && break
		sleep 0.05
	done
	grep -q pipe_write "/proc/$pid/wchan" || { kill -CONT "$client"; false; }
	kill -CONT "$client"
	# it reads the queue, and the monitor the container's output again (it
	# hung here: output stayed held after the queue drained)
	wait_dead "$client" "$start" 120 || { cat "$T/err" >&2; false; }
	wait "$client"
	is "$(stat -c %s "$T/out")" $((6 + 8388608))
}

@test "run: -i passes piped stdin; without -i stdin is empty" {
	out=$(printf 'line1\nline2\n' | timeout 60 "$BURROW" run --rm -i busybox sh -c 'cat; echo done')
	is "$out" "$(printf 'line1\nline2\ndone')"
	out=$(echo nope | timeout 60 "$BURROW" run --rm busybox cat)
	is "$out" ""
}

@test "run: -t gives the container a terminal" {
	run_burrow 0 run --rm -t busybox sh -c 'tty; [ -t 1 ] && echo is-a-tty'
	assert_match "$output" "/dev/pts/0"
	assert_match "$output" "is-a-tty"
	run_burrow 0 run --rm busybox sh -c '[ -t 1 ] || echo not-a-tty'
	is "$output" "not-a-tty"
}

@test "run: signals sent to burrow reach the container" {
	timeout 30 "$BURROW" run --rm busybox sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done' >"$T/out" &
	pid=$!
	for _ in $(seq 600); do grep -q ready "$T/out" 2>/dev/null && break; sleep 0.05; done
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	is "$rc" 3
	is "$(cat "$T/out")" "$(printf 'ready\ngot-term')"
}

@test "run: uid 0 inside, the namespace's uid_map, pid 1, hostname" {
	run_burrow 0 run --rm busybox id -u
	is "$output" "0"
	run_burrow 0 run --rm busybox cat /proc/self/uid_map
	if [ "$(id -u)" = 0 ]; then
		assert_match "$output" "^ +0 +0 +4294967295"
	elif has_subuid; then
		assert_match "$output" "^ +0 +$(id -u) +1"
		assert_match "$output" $'\n +1 +[0-9]+ +[0-9]+'
	else
		assert_match "$output" "^ +0 +$(id -u) +1$"
	fi
	run_burrow 0 run --rm busybox sh -c 'echo $$'
	is "$output" "1"
	run_burrow 0 run --rm --hostname box1 busybox hostname
	is "$output" "box1"
	run_burrow 0 run --rm busybox sh -c 'hostname; echo $HOSTNAME'
	[ "${#lines[0]}" -eq 12 ]
	is "${lines[1]}" "${lines[0]}"
}

@test "run: /run/.containerenv is empty, and for --privileged names engine, container, image (the name that found it) and rootless, as podman's" {
	run_burrow 0 run --rm busybox sh -c 'wc -c </run/.containerenv'
	is "$output" "0"
	local id rootless=1
	[ "$(id -u)" != 0 ] || rootless=0
	id=$("$BURROW" image inspect --format '{{.Id}}' busybox)
	run_burrow 0 run --name cenv --privileged busybox cat /run/.containerenv
	is "$output" "engine=\"burrow-$("$BURROW" version --format '{{.Client.Version}}')\"
name=\"cenv\"
id=\"$("$BURROW" inspect --format '{{.Id}}' cenv)\"
image=\"localhost/busybox:latest\"
imageid=\"$id\"
rootless=$rootless"
	run_burrow 0 rm cenv
}

@test "run: generated /etc files, environment, workdir, user" {
	run_burrow 0 run --rm --name envbox busybox sh -c 'cat /etc/hosts /etc/resolv.conf /etc/hostname; test -f /run/.containerenv && echo containerenv; readlink /etc/mtab'
	assert_match "$output" "127.0.0.1"
	assert_match "$output" "nameserver 10.0.2.3"
	assert_match "$output" "containerenv"
	assert_match "$output" "/proc/mounts"
	run_burrow 0 run --rm -e FOO=bar -w /tmp busybox sh -c 'echo $FOO $container $PWD; echo $PATH'
	is "${lines[0]}" "bar burrow /tmp"
	assert_match "${lines[1]}" "/usr/bin"
	if has_subuid || [ "$(id -u)" = 0 ]; then
		run_burrow 0 run --rm -u 1000:1000 busybox id
		# named: the entries podman adds for a uid and gid the image lacks
		assert_match "$output" "uid=1000\(1000\) gid=1000\(1000\)"
		run_burrow 0 run --rm -u nobody busybox id -un
		is "$output" "nobody"
	else
		# the single-ID mapping has no user 1000: a clear error
		run_burrow 125 run --rm -u 1000:1000 busybox id
		assert_match "$output" "1000 is not mapped in burrow's user namespace"
	fi
	run_burrow 0 run --rm --entrypoint echo busybox hello
	is "$output" "hello"
}

@test "run: HOME from the user's passwd entry at each start, TERM=xterm by default, as podman's" {
	run_burrow 0 run --rm busybox sh -c 'echo "$HOME $TERM"'
	is "$output" "/root xterm"
	run_burrow 0 run --rm -e HOME=/mine -e TERM=dumb busybox sh -c 'echo "$HOME $TERM"'
	is "$output" "/mine dumb"
	# a default variable: --unsetenv drops it (as podman's page says)
	run_burrow 0 run --rm --unsetenv HOME --unsetenv TERM busybox sh -c 'echo "${HOME-none} ${TERM-none}"'
	is "$output" "none none"
	# looked up when it starts: the container's own /etc/passwd as it is then
	run_burrow 0 create --name homes busybox sh -c 'echo "$HOME"; sed -i "s#:/root:#:/srv:#" /etc/passwd'
	run_burrow 0 start -a homes
	is "$output" "/root"
	run_burrow 0 start -a homes
	is "$output" "/srv"
	# not kept in the container's environment: exec's user gets its own
	run_burrow 0 run -d --name homeexec busybox sleep 60
	run_burrow 0 exec homeexec sh -c 'echo "$HOME $TERM"'
	is "$output" "/root xterm"
	if has_subuid || [ "$(id -u)" = 0 ]; then
		run_burrow 0 exec -u nobody homeexec sh -c 'echo "$HOME"'
		is "$output" "/nonexistent"
		run_burrow 0 run --rm -u nobody busybox sh -c 'echo "$HOME"'
		is "$output" "/nonexistent"
		run_burrow 0 run --rm -u 1234 busybox sh -c 'echo "$HOME"'
		is "$output" "/"
	fi
	run_burrow 0 rm -f homeexec homes
}

@test "run -a: only the streams named are shown; stdin goes with -i; a bad stream is 125" {
	# streams A...: "STATUS|STDOUT|STDERR" of a run -a A... (bats's run mixes them)
	streams() {
		local out rc=0
		out=$("$BURROW" run --rm "$@" busybox sh -c 'echo out; echo err >&2; exit 3' 2>"$T/err") || rc=$?
		echo "$rc|$out|$(cat "$T/err")"
	}
	is "$(streams -a stdout)" "3|out|"
	is "$(streams -a STDERR)" "3||err"
	is "$(streams -a stdout,stderr)" "3|out|err"
	is "$(streams -a stderr -a stdout)" "3|out|err"
	is "$(streams)" "3|out|err"
	# the stream not shown is still logged
	run_burrow 0 run --name alog -a stderr busybox echo logged
	is "$output" ""
	run_burrow 0 logs alog
	is "$output" "logged"
	run_burrow 0 rm alog
	# -i passes stdin whatever -a names, as podman
	run timeout 60 "$BURROW" run --rm -i -a stdout busybox cat <<<"fed"
	is "$output" "fed"
	run_burrow 125 run --rm -a stdio busybox true
	is "$output" "burrow: run: invalid stream 'stdio' for --attach: stdin, stdout or stderr"
	run_burrow 125 create -a stdout busybox true
}

@test "run: capabilities and no_new_privs as podman's defaults" {
	run_burrow 0 run --rm busybox grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status
	assert_match "$output" "CapEff:[[:space:]]+00000000800405fb"
	assert_match "$output" "CapBnd:[[:space:]]+00000000800405fb"
	assert_match "$output" "NoNewPrivs:[[:space:]]+1"
	if has_subuid || [ "$(id -u)" = 0 ]; then
		run_burrow 0 run --rm -u 1000 busybox grep CapEff /proc/self/status
		assert_match "$output" "CapEff:[[:space:]]+0000000000000000"
	fi
}

@test "run: /dev, /proc and /sys inside" {
	run_burrow 0 run --rm busybox sh -c 'echo x >/dev/null && echo null-ok; head -c 4 /dev/zero | wc -c; ls /dev/pts/ptmx /dev/shm /dev/mqueue >/dev/null && echo dirs-ok; touch /sys/x 2>/dev/null || echo sys-ro'
	is "${lines[0]}" "null-ok"
	is "${lines[1]}" "4"
	is "${lines[2]}" "dirs-ok"
	is "${lines[3]}" "sys-ro"
}

@test "run: stdin without -i is the container's /dev/null by its path there, as podman's; exec's too, read-only" {
	# the one the runtime opened outside read "/null" (a devtmpfs the
	# container's root does not reach); podman 4.3's init gets it
	# read-write, its exec read-only (lrwx, lr-x)
	run_burrow 0 run --rm busybox sh -c 'ls -l /proc/self/fd/0'
	assert_match "$output" "^lrwx.* -> /dev/null$"
	run_burrow 0 run -d --name fd0 busybox sleep 1000
	run_burrow 0 exec fd0 sh -c 'ls -l /proc/self/fd/0'
	assert_match "$output" "^lr-x.* -> /dev/null$"
	run_burrow 0 exec fd0 sh -c 'echo x >&0 || echo ro'
	assert_match "$output" "ro$"
	# with -i a pipe still
	run_burrow 0 run --rm -i busybox sh -c 'ls -l /proc/self/fd/0' </dev/null
	assert_match "$output" " -> pipe:"
	run_burrow 0 rm -f -t 0 fd0
}

@test "run: writes go to the container's upper dir; the image and other containers do not see them" {
	run_burrow 0 run --name writer busybox sh -c 'echo data >/etc/written; rm /etc/group'
	run_burrow 0 run --rm busybox sh -c 'cat /etc/written 2>/dev/null || echo absent; test -f /etc/group && echo group-present'
	is "${lines[0]}" "absent"
	is "${lines[1]}" "group-present"
	id=$("$BURROW" ps -a -q --no-trunc | head -1)
	[ -n "$id" ]
	up=$XDG_DATA_HOME/burrow/containers/$id/upper
	run_burrow 0 unshare cat "$up/etc/written"
	is "$output" "data"
	# the image layer is untouched
	run_burrow 0 unshare sh -c "ls $XDG_DATA_HOME/burrow/layers/*/diff/etc/written 2>/dev/null | wc -l"
	is "$output" "0"
	run_burrow 0 rm writer
}

@test "run: without --rm the container stays exited; ps -a lists it; rm removes it" {
	run_burrow 3 run --name stays busybox sh -c 'exit 3'
	run_burrow 0 ps -a
	assert_match "$output" "stays"
	assert_match "$output" "Exited \(3\)"
	run_burrow 0 ps
	assert_no_match "$output" "stays"
	run_burrow 125 run --name stays busybox true
	assert_match "$output" "already in use"
	run_burrow 0 rm stays
	run_burrow 0 ps -a -q
	is "$output" ""
	run_burrow 1 rm stays
	assert_match "$output" "no such container"
}

@test "run: after --rm no mount and no process of the container remains" {
	run_burrow 0 run --rm busybox true
	kp=$(keeper_pid)
	[ -n "$kp" ]
	run grep -c "burrow/containers" "/proc/$kp/mountinfo"
	is "$output" "0" "a container mount is left in the keeper's namespace"
	# only the keeper lives in the namespace (zombies waiting for init to
	# reap them do not count: they are dead)
	ns=$(readlink "/proc/$kp/ns/user")
	n=0
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/user" 2>/dev/null)" = "$ns" ] || continue
		[ "$(cut -d' ' -f3 "$p/stat" 2>/dev/null)" = Z ] && continue
		n=$((n + 1))
	done
	is "$n" "1" "processes left in the namespace"
}

@test "run: --rootfs runs an exploded directory" {
	mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
	cp /bin/busybox "$T/rootfs/bin/busybox"
	ln -s busybox "$T/rootfs/bin/sh"
	ln -s busybox "$T/rootfs/bin/cat"
	echo rootfs-file >"$T/rootfs/etc/marker"
	run_burrow 0 run --rm --rootfs "$T/rootfs" /bin/sh -c 'cat /etc/marker'
	is "$output" "rootfs-file"
	run_burrow 125 run --rm --rootfs "$T/nonexistent" /bin/sh
}

@test "run: --network none has only lo" {
	run_burrow 0 run --rm --network none busybox sh -c 'ls /sys/class/net'
	is "$output" "lo"
	run_burrow 0 run --rm --network none busybox ip -o link show lo
	assert_match "$output" "LOOPBACK,UP"
}

@test "run: slirp gives tap0 10.0.2.100/24 via 10.0.2.2" {
	run_burrow 0 run --rm busybox sh -c 'ip -4 -o addr show tap0; ip route'
	assert_match "$output" "10.0.2.100/24"
	assert_match "$output" "default via 10.0.2.2"
}

@test "run: outbound TCP reaches a host server via 10.0.2.2 when host loopback is allowed" {
	port=$(free_port)
	timeout 20 socat -T 10 "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" SYSTEM:'echo hello-from-host' &
	srv=$!
	wait_listening "$port"
	run_burrow 0 run --rm --network slirp:allow_host_loopback=true busybox nc -w 5 10.0.2.2 "$port"
	kill "$srv" 2>/dev/null || true
	is "$output" "hello-from-host"
	# the first server gone before the second listens (else wait_listening
	# sees the first, which then ends: the refusal below would prove nothing)
	wait "$srv" 2>/dev/null || true
	# not allowed by default
	timeout 20 socat -T 10 "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" SYSTEM:'echo hello-from-host' &
	srv=$!
	wait_listening "$port"
	run_burrow run --rm busybox nc -w 3 10.0.2.2 "$port"
	kill "$srv" 2>/dev/null || true
	assert_no_match "$output" "hello-from-host"
}

# The "host" here is a network namespace the test makes (it stands in for
# the machine's network): a non-loopback address 192.0.2.1 (on its lo: an
# unprivileged user cannot load the dummy module) and a DNS resolver on
# port 53 that resolv.conf points at.
@test "run: TCP to a host address and DNS through 10.0.2.3 in a namespace the test made" {
	command -v unshare >/dev/null || need_or_fail "unshare (util-linux)"
	[ -x "$HELPERS_BIN/dnsd" ] || need_or_fail "dnsd test helper"
	mkdir -p "$T/data2"
	echo "nameserver 127.0.0.1" >"$T/resolv.conf"
	cat >"$T/inner.sh" <<INNER
set -e
ip link set lo up
ip addr add 192.0.2.1/32 dev lo
mount --bind "$T/resolv.conf" /etc/resolv.conf
# (both ready before the container asks, and alive through a slow start
# on a loaded machine; ended with the script, which run waits for)
"$HELPERS_BIN/dnsd" -l 127.0.0.1:53 -a 192.0.2.77 -t 55 -r "$T/dnsd.ready" &
dnsd=\$!
timeout 55 socat -T 10 TCP-LISTEN:8080,bind=192.0.2.1,reuseaddr SYSTEM:'echo hello-over-tcp' &
srv=\$!
trap 'rc=\$?; kill \$dnsd \$srv 2>/dev/null || true; wait 2>/dev/null || true; exit \$rc' EXIT
for i in \$(seq 400); do [ -e "$T/dnsd.ready" ] && [ -n "\$(ss -Hltn 'sport = :8080')" ] && break; sleep 0.05; done
export XDG_DATA_HOME=$T/data2 XDG_RUNTIME_DIR=$T/run2
mkdir -p -m 0700 \$XDG_RUNTIME_DIR
"$BURROW" import "$BATS_RUN_TMPDIR/busybox.tar" busybox >/dev/null
"$BURROW" run --rm busybox sh -c 'nc -w 5 192.0.2.1 8080; nslookup example.test 10.0.2.3'
"$BURROW" system migrate
INNER
	run timeout 60 unshare -Urnm sh "$T/inner.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_match "$output" "hello-over-tcp"
	assert_match "$output" "192.0.2.77"
}

@test "run: a container whose monitor was killed comes out exited (-1), unmounted, and nothing of it runs" {
	# the container dies with its monitor (the runtime's parent-death signal)
	run_burrow 0 run -d --name victim busybox sleep 60
	local id=$output
	read -r mon mon_start <"$XDG_RUNTIME_DIR/burrow/containers/$id/monitor.pid"
	proc_running "$mon" "$mon_start"
	local ns
	ns=$(readlink "/proc/$(keeper_pid)/ns/user")
	kill -9 "$mon"
	wait_dead "$mon" "$mon_start"
	run_burrow 0 ps -a
	assert_match "$output" "Exited \(-1\)"
	assert_match "$output" "monitor \(pid $mon\) died"
	# said once
	run_burrow 0 ps -a
	assert_no_match "$output" "died"
	run grep -c "burrow/containers" "/proc/$(keeper_pid)/mountinfo"
	is "$output" "0" "the dead container's rootfs is still mounted"
	# only the keeper is left in the namespace: no init, no fuse-overlayfs
	run procs_in_userns "$ns"
	is "$output" "$(keeper_pid)" "processes left in the namespace"
	# it starts again, with a new monitor
	run_burrow 0 start victim
	run_burrow 0 ps
	assert_match "$output" "Up .* victim"
	local mon2
	read -r mon2 _ <"$XDG_RUNTIME_DIR/burrow/containers/$id/monitor.pid"
	[ "$mon2" != "$mon" ]
	run_burrow 0 rm -f victim
	run grep -c "burrow/containers" "/proc/$(keeper_pid)/mountinfo"
	is "$output" "0" "the restarted container's rootfs is still mounted after rm -f"
	run_burrow 0 ps -a -q
	is "$output" ""
}

@test "rm: a running container is refused without -f (2, as podman) and killed with it" {
	start_sleeper busy
	run_burrow 2 rm busy
	assert_match "$output" "cannot remove container 'busy': it is running"
	run_burrow 0 rm -f busy
	sleeper_killed
	run grep -c "burrow/containers" "/proc/$(keeper_pid)/mountinfo"
	is "$output" "0"
}

@test "rm: exit codes as podman's: 1 for a missing container, 0 with -f or -i, 2 for a running one" {
	run_burrow 1 rm nosuch
	is "$output" "burrow: no such container 'nosuch'"
	run_burrow 0 rm -f nosuch
	is "$output" ""
	run_burrow 0 rm --ignore nosuch
	is "$output" ""
	run_burrow 0 run --name done busybox true
	run_burrow 0 rm -f nosuch done
	is "$output" "done"
	start_sleeper busy2
	# the worse of the two
	run_burrow 2 rm nosuch busy2
	assert_match "$output" "no such container 'nosuch'"
	assert_match "$output" "cannot remove container 'busy2': it is running"
	run_burrow 0 rm -f busy2
	wait "$mon" || true
}

# outlives_runtime_dir [--rm]: a container runs on when its runtime dir
# is removed, is listed as running, its storage is kept until rm -f ends it
outlives_runtime_dir() {
	"$BURROW" run "$@" --name orphan busybox sleep 60 &
	mon=$!
	mon_start=$(proc_start "$mon")
	wait_state orphan '^Up '
	local kp kst ns id
	kp=$(keeper_pid)
	kst=$(proc_start "$kp")
	ns=$(readlink "/proc/$kp/ns/user")
	id=$("$BURROW" ps -q --no-trunc)
	[ -n "$id" ]
	# a --rm one's records (its start too) are in this boot's --rm file
	# beside burrow.tdb, not in burrow.tdb
	if [ "${1:-}" = --rm ]; then
		command -v tdbtool >/dev/null || need_or_fail "tdbtool (Debian package tdb-tools)"
		run tdbtool "$XDG_DATA_HOME"/burrow/rm-*.tdb keys
		assert_match "$output" "ctr/$id"
		run tdbtool "$XDG_DATA_HOME/burrow/burrow.tdb" keys
		assert_no_match "$output" "ctr/|name/"
	fi
	# state.tdb alone: a running container stays known
	rm "$XDG_RUNTIME_DIR/burrow/state.tdb"
	run_burrow 0 ps
	assert_match "$output" "Up .* orphan$"
	# the whole runtime dir: the old keeper ends (nothing can find it any
	# more), the next command makes another; the container runs on in the
	# old namespace, which its monitor holds
	rm -rf "$XDG_RUNTIME_DIR/burrow"
	wait_dead "$kp" "$kst"
	run_burrow 0 ps
	assert_match "$output" "Up .* orphan$"
	[ "$(keeper_pid)" != "$kp" ]
	# its storage is not removed while it runs
	run_burrow 2 rm orphan
	[ -d "$XDG_DATA_HOME/burrow/containers/$id/upper" ]
	run_burrow 0 rm -f orphan
	is "$output" "orphan"
	sleeper_killed
	run ls -A "$XDG_DATA_HOME/burrow/containers"
	is "$output" "" "the container's storage is left"
	# its monitor cleaned up in the old namespace: no fuse-overlayfs, nothing
	run procs_in_userns "$ns"
	is "$output" "" "processes left in the old namespace"
}

@test "run: a container outlives the removal of its runtime dir (logout, tmp cleaners) and rm -f ends it" {
	outlives_runtime_dir
}

@test "run: a --rm container outlives the removal of its runtime dir too (its records are in the storage root's --rm file)" {
	outlives_runtime_dir --rm
}

@test "run: the exit code comes through when the runtime dir, and the lock in it, are gone by the end" {
	# the container ends on its own after the runtime dir was removed: the
	# lock cannot be taken again, the end is recorded without it, and the
	# run still ends with the container's code (it once said 125)
	mkfifo "$T/in"
	timeout 60 "$BURROW" run -i --name late busybox sh -c 'read x; exit 42' <"$T/in" &
	mon=$!
	exec 5>"$T/in"
	# (its status: "late" is in every line's busybox:latest)
	wait_state late '^Up '
	run_burrow 0 ps
	assert_match "$output" "late"
	mon_start=$(proc_start "$mon")
	rm -rf "$XDG_RUNTIME_DIR/burrow"
	echo go >&5
	exec 5>&-
	rc=0
	wait "$mon" || rc=$?
	is "$rc" 42 "the run's exit code"
	run_burrow 0 ps -a
	assert_match "$output" "Exited \(42\).* late$"
	run_burrow 0 rm late
}

# small_root_script: starts $T/inner.sh, a script for unshare -Urm that
# mounts a small tmpfs as the storage root (in the namespace the test
# makes; the runtime dir stays elsewhere) and imports busybox into it.
small_root_script() {
	mkdir -p "$T/small"
	cat >"$T/inner.sh" <<INNER
set -e
mount -t tmpfs -o size=16m tmpfs "$T/small"
export XDG_DATA_HOME=$T/small XDG_RUNTIME_DIR=$T/run2
mkdir -p -m 0700 \$XDG_RUNTIME_DIR
"$BURROW" import "$BATS_RUN_TMPDIR/busybox.tar" busybox >/dev/null
INNER
}

@test "run: a run that fails half-way (disk full writing config.json) leaves nothing, and the name is free again" {
	command -v unshare >/dev/null || need_or_fail "unshare (util-linux)"
	command -v tdbtool >/dev/null || need_or_fail "tdbtool (Debian package tdb-tools)"
	small_root_script
	cat >>"$T/inner.sh" <<INNER
# room in burrow.tdb for the next records (the file grows in steps)
"$BURROW" run --name warm --network none busybox true
"$BURROW" rm warm >/dev/null
head -c 64m /dev/zero >"$T/small/filler" 2>/dev/null || true
rc=0
"$BURROW" run --name half --network none busybox true || rc=\$?
echo "rc=\$rc"
echo "ps: \$("$BURROW" ps -a -q)"
echo "containers: \$(ls -A "$T/small/burrow/containers")"
echo "rundirs: \$(ls -A "\$XDG_RUNTIME_DIR/burrow/containers")"
echo "keys: \$(tdbtool "$T/small/burrow/burrow.tdb" keys | grep -E 'ctr/|name/' || true)"
echo "runkeys: \$(tdbtool "\$XDG_RUNTIME_DIR/burrow/state.tdb" keys | grep -E 'run/' || true)"
rm "$T/small/filler"
"$BURROW" run --rm --name half --network none busybox echo name-free
"$BURROW" system migrate
INNER
	run timeout 60 unshare -Urm sh "$T/inner.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_match "$output" "cannot write '$T/small/burrow/containers/[0-9a-f]{64}/config.json[^']*': No space left on device"
	assert_match "$output" $'\nrc=125\n'
	assert_match "$output" $'\nps: \n'
	assert_match "$output" $'\ncontainers: \n'
	assert_match "$output" $'\nrundirs: \n'
	assert_match "$output" $'\nkeys: \n'
	assert_match "$output" $'\nrunkeys: \n'
	assert_match "$output" $'\nname-free'
}

@test "create: a full disk that burrow.tdb cannot grow on fails with 'No space left on device' (not a damaged file), stores nothing, and the name is free again" {
	command -v unshare >/dev/null || need_or_fail "unshare (util-linux)"
	# a record of a megabyte: the file has to grow for it
	{ printf 'BIG='; head -c 1048576 /dev/zero | tr '\0' a; echo; } >"$T/big.env"
	small_root_script
	cat >>"$T/inner.sh" <<INNER
head -c 64m /dev/zero >"$T/small/filler" 2>/dev/null || true
rc=0
"$BURROW" create --name big --env-file "$T/big.env" busybox true 2>&1 || rc=\$?
echo "rc=\$rc"
echo "ps: \$("$BURROW" ps -a -q)"
rm "$T/small/filler"
"$BURROW" create --name big --env-file "$T/big.env" busybox true >/dev/null
echo "after: \$("$BURROW" ps -a --format '{{.Names}}')"
"$BURROW" system migrate
INNER
	run timeout 60 unshare -Urm sh "$T/inner.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_match "$output" "burrow: cannot commit a transaction in '$T/small/burrow/burrow.tdb': No space left on device"$'\n'
	assert_no_match "$output" "damaged|hint:"
	assert_match "$output" $'\nrc=125\n'
	assert_match "$output" $'\nps: \n'
	assert_match "$output" $'\nafter: big'
}

# no_records_left: no container as ps says it, and no record, name, run
# record, directory or lock in the stores read directly
no_records_left() {
	run_burrow 0 ps -a -q
	is "$output" ""
	run tdbtool "$XDG_DATA_HOME/burrow/burrow.tdb" keys
	is "$status" 0
	assert_no_match "$output" "ctr/|name/"
	run tdbtool "$XDG_RUNTIME_DIR/burrow/state.tdb" keys
	is "$status" 0
	assert_no_match "$output" "run/"
	# where a --rm container's records are while it runs
	local rmfile
	rmfile=$(echo "$XDG_DATA_HOME"/burrow/rm-*.tdb)
	[ -f "$rmfile" ]
	run tdbtool "$rmfile" keys
	is "$status" 0
	assert_no_match "$output" "ctr/|name/"
	run ls -A "$XDG_DATA_HOME/burrow/containers" "$XDG_RUNTIME_DIR/burrow/containers"
	assert_no_match "$output" "[0-9a-f]{64}"
	run ls -A "$XDG_RUNTIME_DIR/burrow/locks"
	assert_no_match "$output" "[0-9a-f]{64}"
}

@test "run: --rm leaves no record, no name and no directory behind" {
	command -v tdbtool >/dev/null || need_or_fail "tdbtool (Debian package tdb-tools)"
	run_burrow 0 run --rm --name gone busybox true
	no_records_left
	run_burrow 42 run --rm --name gone busybox sh -c 'exit 42'
	run_burrow 127 run --rm --name gone busybox nosuchcommand
	no_records_left
}

@test "run: a foreground run --rm whose burrow is killed leaves the container to its monitor, which removes it at its end" {
	command -v tdbtool >/dev/null || need_or_fail "tdbtool (Debian package tdb-tools)"
	"$BURROW" run --rm --name fg busybox sleep 60 &
	local client=$! i
	wait_state fg '^Up '
	kill -9 "$client"
	wait "$client" || true
	run_burrow 0 ps
	assert_match "$output" "Up .* fg"
	run_burrow 0 stop -t 0 fg
	no_records_left
}

@test "run: a running --rm container is listed, inspected, logged, stopped and killed like any; its name is taken" {
	command -v tdbtool >/dev/null || need_or_fail "tdbtool (Debian package tdb-tools)"
	run_burrow 0 run -d --rm --name live busybox sh -c 'echo hello; sleep 60'
	local id=$output i
	run_burrow 0 ps -a --no-trunc
	assert_match "$output" "$id .*Up .* live"
	run_burrow 0 inspect --format '{{.State.Status}} {{.HostConfig.AutoRemove}}' live
	is "$output" "running true"
	wait_logs live hello
	run_burrow 0 logs live
	is "$output" "hello"
	# a name taken by a --rm container, whichever kind the second one is
	run_burrow 125 run --rm --name live busybox true
	assert_match "$output" "the container name 'live' is already in use"
	run_burrow 125 create --name live busybox true
	assert_match "$output" "the container name 'live' is already in use"
	# its records: in this boot's --rm file, none in burrow.tdb
	run tdbtool "$XDG_DATA_HOME"/burrow/rm-*.tdb keys
	assert_match "$output" "ctr/$id"
	assert_match "$output" "name/live"
	run tdbtool "$XDG_DATA_HOME/burrow/burrow.tdb" keys
	assert_no_match "$output" "ctr/|name/"
	# stop waits for its end, which removes it (wait: stop.bats)
	run_burrow 0 stop -t 0 live
	run_burrow 0 ps -a -q
	is "$output" ""
	# a kill: gone once its monitor is done
	run_burrow 0 run -d --rm --name killed busybox sleep 60
	run_burrow 0 kill killed
	for i in $(seq 600); do
		[ -z "$("$BURROW" ps -a -q)" ] && break
		sleep 0.05
	done
	run_burrow 0 ps -a -q
	is "$output" ""
	run tdbtool "$XDG_DATA_HOME"/burrow/rm-*.tdb keys
	assert_no_match "$output" "ctr/|name/"
	run_burrow 0 run --rm --name live busybox echo free
	is "$output" "free"
}

@test "run: the --rm containers of an earlier boot are removed with their file at the next boot; a torn one is dropped with a warning" {
	echo "boot-one" >"$T/boot_id"
	export BURROW_TEST_BOOT_ID_FILE=$T/boot_id
	echo "m1" >"$T/machine_id"
	export BURROW_TEST_MACHINE_ID_FILE=$T/machine_id BURROW_TEST_HOSTNAME=h1
	run_burrow 0 run -d --rm --name old busybox sleep 60
	local id=$output
	[ -f "$XDG_DATA_HOME/burrow/rm-h1.m1.boot-one.tdb" ]
	[ -d "$XDG_DATA_HOME/burrow/containers/$id/upper" ]
	# one that a crash tore (its file is not a database), named as an
	# older burrow named them (without the machine): removed once
	printf 'torn' >"$XDG_DATA_HOME/burrow/rm-boot-zero.tdb"
	# the reboot
	kill_namespace_of "$(keeper_pid)"
	rm -rf "$XDG_RUNTIME_DIR/burrow"
	echo "boot-two" >"$T/boot_id"
	run_burrow 0 ps -a -q
	assert_match "$output" "rm-boot-zero.tdb.*: removed, its --rm containers are forgotten"
	assert_no_match "$output" "$id"
	[ ! -e "$XDG_DATA_HOME/burrow/rm-h1.m1.boot-one.tdb" ]
	[ ! -e "$XDG_DATA_HOME/burrow/rm-boot-zero.tdb" ]
	[ ! -e "$XDG_DATA_HOME/burrow/containers/$id" ]
	run_burrow 0 ps -a -q
	is "$output" ""
	# this boot's file is made by its first --rm container
	[ ! -e "$XDG_DATA_HOME/burrow/rm-h1.m1.boot-two.tdb" ]
	run_burrow 0 run --rm --name old busybox echo reused
	is "$output" "reused"
	[ -f "$XDG_DATA_HOME/burrow/rm-h1.m1.boot-two.tdb" ]
}

@test "run: an earlier boot's --rm file that a crash left sound but with a torn record: that one is forgotten with a warning, the next boot goes on" {
	command -v tdbtool >/dev/null || need_or_fail "tdbtool (Debian package tdb-tools)"
	echo "boot-one" >"$T/boot_id"
	export BURROW_TEST_BOOT_ID_FILE=$T/boot_id
	run_burrow 0 run -d --name keep busybox true
	local keep=$output
	[ -d "$XDG_DATA_HOME/burrow/containers/$keep" ]
	echo "m1" >"$T/machine_id"
	export BURROW_TEST_MACHINE_ID_FILE=$T/machine_id BURROW_TEST_HOSTNAME=h1
	run_burrow 0 create --rm --name torn busybox true
	local id=$output
	run_burrow 0 create --rm --name other busybox true
	local other=$output
	local f=$XDG_DATA_HOME/burrow/rm-h1.m1.boot-one.tdb
	# the file's structure is sound, a record's page is not (no fsyncs)
	run tdbtool "$f" store "ctr/$id" 'garbage'
	[ "$status" -eq 0 ]
	# one torn into another container's ID: that one's files stay
	run tdbtool "$f" store "ctr/$other" "{\"id\":\"$keep\",\"name\":\"keep\",\"rm\":true}"
	[ "$status" -eq 0 ]
	# the reboot
	kill_namespace_of "$(keeper_pid)"
	rm -rf "$XDG_RUNTIME_DIR/burrow"
	echo "boot-two" >"$T/boot_id"
	run_burrow 0 ps -a -q
	assert_match "$output" "--rm container ${id:0:12} of an earlier boot: its record cannot be read .*: forgotten"
	[ -d "$XDG_DATA_HOME/burrow/containers/$keep" ]
	assert_match "$output" "--rm container ${other:0:12} of an earlier boot: its record cannot be read \(not that container's\)"
	[ ! -e "$f" ]
	run_burrow 0 ps -a -q --no-trunc
	is "$output" "$keep"
	run_burrow 0 start -a keep
	run_burrow 0 rm keep
}

# as_machine HOST BOOT: the next commands run as another machine (or a
# later boot) on the same storage root, with its own runtime dir.
# BURROW_TEST_HOSTNAME and BURROW_TEST_BOOT_ID_FILE (test-only) stand for
# the host name and the boot ID.
as_machine() {
	kill_namespace_of "$(keeper_pid)"
	rm -rf "$XDG_RUNTIME_DIR/burrow"
	export BURROW_TEST_HOSTNAME=$1 BURROW_TEST_BOOT_ID_FILE=$T/boot_id
	echo "$2" >"$T/boot_id"
}

@test "run: machines that share a storage root each remove only the --rm files of their own earlier boots, clones with one machine ID too" {
	# BURROW_TEST_MACHINE_ID_FILE stands for /etc/machine-id, test-only:
	# two clones of one image, as the nodes of a cluster often are
	echo "clone" >"$T/machine_id"
	export BURROW_TEST_MACHINE_ID_FILE=$T/machine_id
	local r=$XDG_DATA_HOME/burrow
	as_machine node-b.cluster boot-b
	run_burrow 0 create --rm --name fromb busybox true
	# (the last line: a user without subordinate IDs is warned first)
	local idb=${output##*$'\n'}
	# the host name's '.' escaped
	[ -f "$r/rm-node-b_2ecluster.clone.boot-b.tdb" ]
	as_machine node-a boot-a
	# (stdout only: a user without subordinate IDs is warned on stderr)
	is "$("$BURROW" ps -a -q 2>/dev/null)" ""
	[ -f "$r/rm-node-b_2ecluster.clone.boot-b.tdb" ]
	run_burrow 0 create --rm --name froma busybox true
	local ida=${output##*$'\n'}
	[ -f "$r/rm-node-a.clone.boot-a.tdb" ]
	# back on node-b, still in its boot: its container is there
	as_machine node-b.cluster boot-b
	is "$("$BURROW" ps -a -q --no-trunc 2>/dev/null)" "$idb"
	[ -f "$r/rm-node-a.clone.boot-a.tdb" ]
	run_burrow 0 start -a fromb
	is "$("$BURROW" ps -a -q 2>/dev/null)" ""
	# node-b's next boot removes node-b's earlier file, not node-a's
	as_machine node-b.cluster boot-b2
	is "$("$BURROW" ps -a -q 2>/dev/null)" ""
	[ ! -e "$r/rm-node-b_2ecluster.clone.boot-b.tdb" ]
	[ -f "$r/rm-node-a.clone.boot-a.tdb" ]
	# another machine (its own ID), same host name: not node-a's either
	echo "other" >"$T/machine_id"
	as_machine node-a boot-o
	run_burrow 0 create --rm --name fromo busybox true
	[ -f "$r/rm-node-a.clone.boot-a.tdb" ]
	echo "clone" >"$T/machine_id"
	as_machine node-a boot-a
	is "$("$BURROW" ps -a -q --no-trunc 2>/dev/null)" "$ida"
	as_machine node-a boot-a2
	is "$("$BURROW" ps -a -q 2>/dev/null)" ""
	[ ! -e "$r/rm-node-a.clone.boot-a.tdb" ]
	[ -f "$r/rm-node-a.other.boot-o.tdb" ]
	# a machine without a machine ID: "none"
	: >"$T/machine_id"
	is "$("$BURROW" run --rm --name nameless busybox echo ok 2>/dev/null)" "ok"
	run_burrow 0 create --rm --name nameless busybox true
	[ -f "$r/rm-node-a.none.boot-a2.tdb" ]
}

@test "run: a host name changed during a boot (DHCP, hostnamectl) keeps this boot's --rm file: its containers stay listed, their names taken, and the next boot removes them" {
	echo "m1" >"$T/machine_id"
	export BURROW_TEST_MACHINE_ID_FILE=$T/machine_id
	local r=$XDG_DATA_HOME/burrow
	as_machine h1 boot-one
	run_burrow 0 create --rm --name early busybox true
	# (the last line: a user without subordinate IDs is warned first)
	local id=${output##*$'\n'}
	[ -f "$r/rm-h1.m1.boot-one.tdb" ]
	# renamed in the same boot: its file is this boot's all the same
	export BURROW_TEST_HOSTNAME=h2
	is "$("$BURROW" ps -a -q --no-trunc 2>/dev/null)" "$id"
	run_burrow 125 create --rm --name early busybox true
	assert_match "$output" "the container name 'early' is already in use"
	# claimed under the new name (one file, two names)
	[ "$r/rm-h2.m1.boot-one.tdb" -ef "$r/rm-h1.m1.boot-one.tdb" ]
	# the next boot, as h2: both names go, and the container
	as_machine h2 boot-two
	is "$("$BURROW" ps -a -q 2>/dev/null)" ""
	[ ! -e "$r/rm-h2.m1.boot-one.tdb" ]
	[ ! -e "$r/rm-h1.m1.boot-one.tdb" ]
	[ ! -e "$r/containers/$id" ]
}

@test "run: an older burrow's --rm file without the host name is this boot's file when it is (claimed by a link) and goes at the next boot; a clone's it never claimed is kept on a shared storage root" {
	# BURROW_TEST_SHARED_ROOT (test-only): the storage root is on a
	# filesystem other machines may share (the test's is a local disk)
	echo "clone" >"$T/machine_id"
	export BURROW_TEST_MACHINE_ID_FILE=$T/machine_id BURROW_TEST_SHARED_ROOT=1
	local r=$XDG_DATA_HOME/burrow
	# node-b, in its boot, with a --rm container an older burrow stored
	# (the older names: rm-<machine>.<boot ID>.tdb, before that
	# rm-<boot ID>.tdb)
	as_machine node-b boot-b
	run_burrow 0 create --rm --name fromb busybox true
	local idb=${output##*$'\n'}
	mv "$r/rm-node-b.clone.boot-b.tdb" "$r/rm-clone.boot-b.tdb"
	# node-a, the same, earlier in its boot
	as_machine node-a boot-a
	run_burrow 0 create --rm --name froma busybox true
	# (the last line: warnings come first)
	local ida=${output##*$'\n'}
	mv "$r/rm-node-a.clone.boot-a.tdb" "$r/rm-boot-a.tdb"
	is "$("$BURROW" ps -a -q --no-trunc 2>/dev/null)" "$ida"
	# claimed: one file, two names
	is "$(stat -c %h "$r/rm-boot-a.tdb")" "2"
	[ "$r/rm-node-a.clone.boot-a.tdb" -ef "$r/rm-boot-a.tdb" ]
	# node-a's next boot: its own goes, node-b's (maybe running) stays
	as_machine node-a boot-a2
	run_burrow 0 ps -a -q
	assert_match "$output" "kept '$r/rm-clone.boot-b.tdb', an older burrow's --rm file: another machine that shares the storage root may run its containers"
	assert_no_match "$output" "rm-boot-a.tdb"
	[ ! -e "$r/rm-node-a.clone.boot-a.tdb" ]
	[ ! -e "$r/rm-boot-a.tdb" ]
	[ -f "$r/rm-clone.boot-b.tdb" ]
	# node-b, still in its boot, finds its container and claims the file
	as_machine node-b boot-b
	is "$("$BURROW" ps -a -q --no-trunc 2>/dev/null)" "$idb"
	is "$(stat -c %h "$r/rm-clone.boot-b.tdb")" "2"
	run_burrow 0 start -a fromb
	is "$("$BURROW" ps -a -q 2>/dev/null)" ""
	as_machine node-b boot-b2
	run_burrow 0 ps -a -q
	assert_no_match "$output" "kept"
	[ ! -e "$r/rm-clone.boot-b.tdb" ]
	[ ! -e "$r/rm-node-b.clone.boot-b.tdb" ]
}

@test "run: a file held open in the rootfs at cleanup does not keep the mount or its server (lazy unmount)" {
	timeout 60 "$BURROW" run --name held busybox sh -c 'while [ ! -e /tmp/go ]; do sleep 0.05; done; echo done' >"$T/out" &
	local mon=$!
	local id= i
	for i in $(seq 600); do
		id=$("$BURROW" ps -q --no-trunc)
		[ -n "$id" ] && break
		sleep 0.05
	done
	[ -n "$id" ]
	local merged=$XDG_RUNTIME_DIR/burrow/containers/$id/merged
	# a process in burrow's namespace keeps a file of the rootfs open
	# while the container ends and its monitor unmounts
	"$BURROW" unshare sh -c "exec 3<'$merged/etc/passwd'; touch '$merged/tmp/go'; exec sleep 60" &
	local rc=0
	wait "$mon" || rc=$?
	is "$rc" 0 "the run ended with $rc"
	is "$(cat "$T/out")" "done"
	run grep -c "$id" "/proc/$(keeper_pid)/mountinfo"
	is "$output" "0" "the rootfs is still mounted"
	run pgrep -f "fuse-overlayfs.*$id"
	is "$output" "" "its fuse-overlayfs still runs"
	run_burrow 0 rm held
}

@test "run: every directory burrow makes under the storage root and the runtime dir is private (0700)" {
	start_sleeper modes
	local id d
	id=$("$BURROW" ps -q --no-trunc)
	local root=$XDG_DATA_HOME/burrow run=$XDG_RUNTIME_DIR/burrow
	for d in "$root" "$root/containers" "$root/layers" "$root"/layers/* "$root/containers/$id" \
		"$root/containers/$id/work" "$run" "$run/containers" "$run/containers/$id" \
		"$run/containers/$id/merged" "$run/locks"; do
		is "$(stat -c %a "$d")" 700 "mode of $d"
	done
	# the upper dir is the container's "/": 0755 behind its private parents
	is "$(stat -c %a "$root/containers/$id/upper")" 755
	run_burrow 0 rm -f modes
	wait "$mon" || true
	mon=
}

@test "run: with --root on a directory others can enter, another user cannot reach a container's files" {
	[ "$(id -u)" = 0 ] || skip "needs root to act as a second local user (runs in the root pass)"
	id burrow-t2 >/dev/null 2>&1 || need_or_fail "the test user burrow-t2 (tools/test-users.sh)"
	SHARED=$(mktemp -d /tmp/burrow-shared.XXXXXX)
	chmod 0755 "$SHARED"
	# a store an older burrow made: containers/ open to everyone
	mkdir -m 0755 "$SHARED/containers"
	run_burrow 0 --root "$SHARED" import --change 'CMD ["sh"]' "$BATS_RUN_TMPDIR/busybox.tar" busybox
	assert_match "$output" "storage root '$SHARED' can be entered by other users: made 'containers' private \(0700\)"
	# a setuid file of ours (root's, here) in the container's upper dir
	run_burrow 0 --root "$SHARED" run --name suid busybox sh -c 'cp /bin/busybox /suid-sh && chmod 4755 /suid-sh'
	local id up
	id=$("$BURROW" --root "$SHARED" ps -a -q --no-trunc)
	up=$SHARED/containers/$id/upper
	[ -u "$up/suid-sh" ]
	is "$(stat -c %a "$SHARED/containers")" 700
	is "$(stat -c %a "$SHARED/layers")" 700
	# the root itself is open to burrow-t2, what burrow made under it is not
	runuser -u burrow-t2 -- ls "$SHARED" >/dev/null
	run runuser -u burrow-t2 -- ls "$up"
	[ "$status" -ne 0 ]
	assert_match "$output" "Permission denied"
	run runuser -u burrow-t2 -- "$up/suid-sh" id -u
	[ "$status" -ne 0 ]
	assert_no_match "$output" "^0$"
	# said once: nothing more to fix
	run_burrow 0 --root "$SHARED" ps -a
	assert_no_match "$output" "can be entered"
}

@test "run: -t with a stdin that is not a terminal warns in one line; with a terminal it does not" {
	run_burrow 0 run --rm -t busybox echo no-terminal </dev/null
	assert_match "$output" "no-terminal"
	is "$(grep -c 'not a TTY' <<<"$output")" 1
	assert_match "$output" "(^|"$'\n'")burrow: warning: the input device is not a TTY: --tty might not work properly \(to feed input, use -i without -t\)"
	run_burrow 0 run --rm -it busybox echo piped </dev/null
	assert_match "$output" "burrow: warning: the input device is not a TTY: --tty and --interactive might not work properly"
	run_burrow 0 run --rm -i busybox echo no-tty-asked </dev/null
	assert_no_match "$output" "not a TTY"
	# script(1) gives the command a terminal as its stdin
	command -v script >/dev/null || need_or_fail "script (Debian package bsdutils) not installed"
	run timeout 60 script -qec "$BURROW run --rm -t busybox echo on-a-terminal" /dev/null </dev/null
	assert_match "$output" "on-a-terminal"
	assert_no_match "$output" "not a TTY"
}

@test "run: 100,000 arguments and 20,000 -e flags reach the container" {
	run_burrow 0 run --rm --network none busybox sh -c 'echo $# $1 ${99999}' $(seq 100000)
	is "$output" "99999 2 100000"
	# 5,000 names set 4 times each: each once in what the command was
	# started with (pid 1's environ; a shell would hide duplicates), with
	# its last value
	local args=() i
	for i in $(seq 20000); do args+=(-e "V$((i % 5000))=$i"); done
	run_burrow 0 run --rm --network none "${args[@]}" -e V7=seven busybox sh -c 'tr "\0" "\n" </proc/1/environ | grep -c "^V"; echo $V0 $V1 $V4999 $V7'
	is "$output" "5000"$'\n'"20000 15001 19999 seven"
}
