#!/usr/bin/env bats
# Users and ID mapping: --userns (keep-id, nomap, auto, host), --uidmap and
# --gidmap, --passwd-entry: a user namespace nested in burrow's, never a
# chown or copy of the image.

load helpers
bats_require_minimum_version 1.5.0

suite_setup() {
	import_busybox
	ME=$(id -un) MY_UID=$(id -u) MY_GID=$(id -g)
	MY_HOME=$(getent passwd "$ME" | cut -d: -f6)
}

@test "keep-id: the user's own name, uid, gid and HOME inside" {
	run_burrow 0 run --rm --userns=keep-id busybox sh -c 'id -un; id -u; id -g; echo "$HOME"'
	is "$output" "$ME
$MY_UID
$MY_GID
$MY_HOME"
}

@test "keep-id: the entries are added to generated copies, the image's /etc/passwd stays" {
	run_burrow 0 run --rm --userns=keep-id busybox sh -c 'grep -c "^root:" /etc/passwd; grep "^[^:]*:[^:]*:'"$MY_UID"':" /etc/passwd; grep ":'"$MY_GID"':" /etc/group'
	is "${lines[0]}" 1 "the image's entries are kept"
	if [ "$MY_UID" = 0 ]; then
		is "${lines[1]}" "root:x:0:0:root:/root:/bin/sh" "the image's own entry for uid 0"
	else
		is "${lines[1]}" "$ME:*:$MY_UID:$MY_GID:$(getent passwd "$ME" | cut -d: -f5):$MY_HOME:/bin/sh"
	fi
	assert_match "${lines[2]}" ":x:$MY_GID:"
	# a container without keep-id sees the image's own file
	if [ "$MY_UID" != 0 ]; then
		run_burrow 1 run --rm busybox grep -c ":$MY_UID:" /etc/passwd
		is "$output" 0
	fi
}

@test "keep-id: no chown or copy of the image: the layer store is unchanged" {
	local f=$(ls -d "$XDG_DATA_HOME"/burrow/layers/*/diff/bin/busybox)
	[ -f "$f" ]
	local before=$(stat -c '%u:%g %a %i' "$f")
	run_burrow 0 run --name k1 --userns=keep-id busybox sh -c 'ls -ln /bin/busybox >/dev/null; touch /tmp/made'
	is "$(stat -c '%u:%g %a %i' "$f")" "$before" "the layer's file as it was"
	local id=$("$BURROW" inspect --format '{{.Id}}' k1)
	run find "$XDG_DATA_HOME/burrow/containers/$id/upper" -name busybox
	is "$output" "" "nothing of the image copied up"
}

@test "keep-id: the image's root files are root's inside (with subordinate IDs)" {
	has_subuid || [ "$MY_UID" = 0 ] || skip "a single-ID namespace has no other ID than the user's"
	run_burrow 0 run --rm --userns=keep-id busybox sh -c 'stat -c %u:%g /bin/busybox; touch /tmp/x; stat -c %u:%g /tmp/x'
	is "$output" "0:0
$MY_UID:$MY_GID"
}

@test "keep-id: files made in a host directory belong to the user on the host" {
	local root=$T/rootfs
	mkdir -p "$root"
	tar -C "$root" -xf "$BATS_RUN_TMPDIR/busybox.tar"
	run_burrow 0 run --rm --rootfs --userns=keep-id "$root" sh -c 'touch /made; mkdir /madedir; id -un'
	is "$output" "$ME"
	is "$(stat -c %u:%g "$root/made")" "$MY_UID:$MY_GID" "the file's owner on the host"
	is "$(stat -c %u "$root/madedir")" "$MY_UID"
}

@test "keep-id: exec joins the container's user namespace" {
	run_burrow 0 run -d --name k --userns=keep-id busybox sleep 100
	local pid=$("$BURROW" inspect --format '{{.State.Pid}}' k)
	run_burrow 0 exec k sh -c 'id -un; readlink /proc/self/ns/user'
	is "${lines[0]}" "$ME"
	is "${lines[1]}" "$(readlink "/proc/$pid/ns/user")" "the init's user namespace"
	[ "${lines[1]}" != "$(readlink "/proc/$(keeper_pid)/ns/user")" ]
	if has_subuid || [ "$MY_UID" = 0 ]; then
		run_burrow 0 exec -u 0 k id -u
		is "$output" 0
	else
		run_burrow 125 exec -u 0 k id -u
		assert_match "$output" "not mapped in the container's user namespace"
	fi
	run_burrow 0 rm -f -t 0 k
}

@test "keep-id:uid=N,gid=N and --passwd-entry" {
	run_burrow 0 run --rm --userns=keep-id:uid=4000,gid=4001 --passwd-entry '$USERNAME:x:$UID:$GID:gecos:/home/$USERNAME:/bin/false' busybox sh -c 'id -u; id -g; id -un; grep ":4000:" /etc/passwd; echo $HOME'
	is "$output" "4000
4001
$ME
$ME:x:4000:4001:gecos:/home/$ME:/bin/false
$MY_HOME"
	run_burrow 0 run --rm busybox true
	run_burrow 125 run --rm --userns=keep-id:uid=x busybox true
	assert_match "$output" "invalid --userns 'keep-id:uid=x'"
	run_burrow 125 run --rm --userns=keep-id:size=3 busybox true
	assert_match "$output" "unknown option 'size=3'"
}

@test "--uidmap and --gidmap are seen in /proc/self/uid_map and gid_map; its root owns its /dev/shm" {
	if has_subuid; then
		run_burrow 0 run --rm --uidmap 0:1:100 --uidmap 100:0:1 --gidmap 0:1:200 busybox sh -c 'cat /proc/self/uid_map; echo; cat /proc/self/gid_map; id -u; stat -c %u /bin/busybox'
		is "$(sed -n '1,/^$/p' <<<"$output" | norm_map)" "0 1 100,100 0 1"
		is "$(sed -n '/^$/,$p' <<<"$output" | sed 1d | head -1 | norm_map)" "0 1 200"
		is "${lines[-2]}" 0
		is "${lines[-1]}" 0 "the image's root files are root's"
		# its /dev/shm (a tmpfs burrow mounts, to share) is its root's too
		run_burrow 0 run --rm --uidmap 0:1:100 --gidmap 0:1:200 busybox stat -c %u:%g:%a /dev/shm
		is "$output" "0:0:1777"
		# --uidmap alone serves for the groups too
		run_burrow 0 run --rm --uidmap 0:1:50 busybox cat /proc/self/gid_map
		is "$(norm_map <<<"$output")" "0 1 50"
	else
		run_burrow 0 run --rm --uidmap 0:0:1 busybox cat /proc/self/uid_map
		is "$(norm_map <<<"$output")" "0 0 1"
	fi
}

@test "unusable maps are refused with 125 and nothing is created" {
	run_burrow 125 create --name bad --uidmap 0:4294967290:100 busybox true
	assert_match "$output" "burrow's user namespace has IDs 0 to"
	run_burrow 125 create --name bad --uidmap 0:1 busybox true
	assert_match "$output" "invalid --uidmap '0:1'"
	run_burrow 125 create --name bad --uidmap 0:0:1 --uidmap 0:0:1 busybox true
	assert_match "$output" "overlap"
	run_burrow 125 create --name bad --userns=keep-id --uidmap 0:0:1 busybox true
	assert_match "$output" "cannot go with --uidmap"
	run_burrow 125 create --name bad --userns=ns:/proc/1/ns/user busybox true
	assert_match "$output" "unsupported --userns"
	run_burrow 125 create --name bad --subuidname "$ME" busybox true
	assert_match "$output" "one user namespace per user"
	run_burrow 125 create --name bad --subgidname "$ME" busybox true
	run_burrow 0 ps -a -q
	is "$output" "" "no container stored"
}

@test "nomap and auto: root inside, the user's own ID not mapped; without subordinate IDs a clear error" {
	if has_subuid; then
		run_burrow 0 run --rm --userns=nomap busybox sh -c 'id -u; cat /proc/self/uid_map; stat -c %u /bin/busybox'
		is "${lines[0]}" 0
		is "$(norm_map <<<"${lines[1]}")" "0 1 $(awk -F: -v u="$ME" -v n="$MY_UID" '($1==u||$1==n){s+=$3} END{print s}' /etc/subuid)"
		is "${lines[2]}" 0 "the image's root files are root's"
		run_burrow 0 run --rm --userns=auto:size=500 busybox cat /proc/self/uid_map
		is "$(norm_map <<<"$output")" "0 1 500"
		run_burrow 125 run --rm --userns=auto:size=99999999 busybox true
		assert_match "$output" "auto:size=99999999"
	else
		[ "$MY_UID" = 0 ] && skip "root's namespace maps every ID"
		run_burrow 125 run --name nm --userns=nomap busybox true
		assert_match "$output" "--userns=nomap needs subordinate IDs"
		assert_match "$output" "/etc/subuid"
		run_burrow 125 run --rm --userns=auto busybox true
		assert_match "$output" "--userns=auto needs subordinate IDs"
		run_burrow 0 ps -a -q
		is "$output" ""
	fi
}

@test "auto: each container its own range of 1024 IDs, disjoint from the others', freed at rm, refused once none is left" {
	if ! has_subuid; then
		[ "$MY_UID" = 0 ] || skip "the single-ID case is the test above"
	fi
	# two at once: the ranges are chosen under one lock, held until the
	# record is stored (a precreate hook that waits widens the window)
	mkdir "$T/hooks"
	printf '#!/bin/sh\n/bin/sleep 1\nexec /bin/cat\n' >"$T/slow.sh"
	chmod +x "$T/slow.sh"
	echo "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"$T/slow.sh\"}, \"when\": {\"always\": true}, \"stages\": [\"precreate\"]}" >"$T/hooks/slow.json"
	"$BURROW" --hooks-dir "$T/hooks" create --name a1 --userns=auto busybox cat /proc/self/uid_map /proc/self/gid_map >"$T/a1.out" 2>&1 &
	local p1=$!
	"$BURROW" --hooks-dir "$T/hooks" create --name a2 --userns=auto busybox cat /proc/self/uid_map /proc/self/gid_map >"$T/a2.out" 2>&1 &
	local p2=$!
	timeout 60 tail --pid=$p1 --pid=$p2 -f /dev/null
	wait $p1 && wait $p2 || {
		cat "$T/a1.out" "$T/a2.out" >&2
		false
	}
	run_burrow 0 start -a a1
	local m1 m2
	m1=$(norm_map <<<"$output")
	run_burrow 0 start -a a2
	m2=$(norm_map <<<"$output")
	assert_match "$m1" '^0 [0-9]+ 1024,0 [0-9]+ 1024$'
	assert_match "$m2" '^0 [0-9]+ 1024,0 [0-9]+ 1024$'
	local s1=${m1#0 } s2=${m2#0 }
	s1=${s1%% *} s2=${s2%% *}
	# [s, s+1024) of each, in burrow's namespace: no ID in both
	if ((s1 < s2 ? s1 + 1024 > s2 : s2 + 1024 > s1)); then
		echo "ranges overlap: $m1 / $m2" >&2
		false
	fi
	is "$((s1 < s2 ? s1 : s2))" 1 "the first starts at the first subordinate ID"
	run_burrow 0 inspect --format '{{.HostConfig.UsernsMode}} {{.HostConfig.IDMappings.UidMap}} {{.HostConfig.IDMappings.GidMap}}' a1
	is "$output" "auto [0:$s1:1024] [0:$s1:1024]"
	# a removed container's range is free again
	run_burrow 0 rm a1
	run_burrow 0 run --rm --userns=auto busybox cat /proc/self/uid_map
	is "$(norm_map <<<"$output")" "0 $s1 1024"
	# a size that no longer fits beside a2
	if [ "$MY_UID" != 0 ]; then
		local total
		total=$(awk -F: -v u="$ME" -v n="$MY_UID" '($1==u||$1==n){s+=$3} END{print s}' /etc/subuid)
		run_burrow 125 create --name a3 --userns=auto:size=$((total - 1023)) busybox true
		assert_match "$output" "--userns=auto:size=$((total - 1023)): no free range of $((total - 1023)) IDs is left among your $total subordinate IDs"
		assert_match "$output" "remove auto containers you no longer need"
		run_burrow 0 ps -a --format '{{.Names}}'
		is "$output" a2
	fi
}

@test "--userns=host is today's default: burrow's namespace" {
	run_burrow 0 run --rm --userns=host busybox cat /proc/self/uid_map
	local host=$output
	run_burrow 0 run --rm busybox cat /proc/self/uid_map
	is "$output" "$host"
	run_burrow 0 unshare cat /proc/self/uid_map
	is "$output" "$host"
}

@test "inspect shows Config.User, HostConfig.UsernsMode and IDMappings" {
	run_burrow 0 create --name i1 --userns=keep-id busybox true
	run_burrow 0 inspect --format '{{.Config.User}}|{{.HostConfig.UsernsMode}}|{{json .HostConfig.IDMappings.UidMap}}' i1
	local user="$MY_UID:$MY_GID"
	[ "$MY_UID" = 0 ] && user=
	assert_match "$output" "^$user\|keep-id\|\[.*\"$MY_UID:0:1\""
	run_burrow 0 create --name i2 busybox true
	run_burrow 0 inspect --format '{{.HostConfig.UsernsMode}}' i2
	is "$output" ""
}

@test "--group-add: names and gids from the image's /etc/group, in id -G" {
	if ! has_subuid && [ "$MY_UID" != 0 ]; then
		run_burrow 125 create --name g0 --group-add 10 busybox true
		assert_match "$output" "--group-add needs subordinate IDs"
		run_burrow 0 ps -a -q
		is "$output" ""
		return
	fi
	run_burrow 0 run --rm --group-add 10 --group-add nogroup busybox id -G
	is "$output" "0 10 65534"
	run_burrow 0 run --rm busybox id -G
	is "$output" "0"
	run_burrow 125 create --name g1 --group-add nosuch busybox true
	assert_match "$output" "group 'nosuch' not found in the image's /etc/group"
	run_burrow 125 create --name g1 --group-add keep-groups --group-add 10 busybox true
	assert_match "$output" "keep-groups cannot go with other groups"
	run_burrow 0 ps -a -q
	is "$output" ""
}

@test "--group-add keep-groups: the caller's own supplementary groups stay" {
	run_burrow 0 unshare grep '^Groups:' /proc/self/status
	local mine=$output
	run_burrow 0 run --rm --group-add keep-groups busybox grep '^Groups:' /proc/self/status
	is "$output" "$mine"
	has_subuid || [ "$MY_UID" = 0 ] || return 0 # single-ID: setgroups is denied, the groups stay
	run_burrow 0 run --rm busybox grep '^Groups:' /proc/self/status
	is "$(echo $output)" "Groups:" "without it: none"
}

@test "keep-id over an image's User: the user's own uid and gid at each start, nothing looked up" {
	run_burrow 0 import --change 'USER nobody' "$BATS_RUN_TMPDIR/busybox.tar" nobodyimg
	run_burrow 0 create --name kn --userns=keep-id nobodyimg sh -c 'id -u; id -g'
	run_burrow 0 start -a kn
	is "$(echo $output)" "$MY_UID $MY_GID"
	run_burrow 0 start -a kn
	is "$(echo $output)" "$MY_UID $MY_GID" "the second start too"
	run_burrow 0 rm kn
	run_burrow 0 rmi nobodyimg
}
