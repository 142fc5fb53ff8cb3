#!/usr/bin/env bats
# run's security flags: --cap-add, --cap-drop, --privileged, and
# --security-opt mask=, unmask=, no-new-privileges, label=.

load helpers

suite_setup() {
	import_busybox
}

# podman's default set: chown dac_override fowner fsetid kill setgid setuid
# setpcap net_bind_service sys_chroot setfcap
DEFAULT_CAPS=00000000800405fb

# caps_of OUTPUT FIELD: the hex value of CapEff/CapBnd/CapPrm in OUTPUT
caps_of() {
	sed -n "s/^$2:[[:space:]]*//p" <<<"$1"
}

@test "caps: podman's default set; a dropped capability really fails; --cap-add shows in CapEff" {
	# root reads a file no one may read through CAP_DAC_OVERRIDE
	local dac='echo secret >/f; chmod 000 /f; cat /f'
	run_burrow 0 run --rm busybox sh -c "grep ^Cap /proc/self/status; $dac"
	is "$(caps_of "$output" CapEff)" "$DEFAULT_CAPS"
	is "$(caps_of "$output" CapBnd)" "$DEFAULT_CAPS"
	is "$(caps_of "$output" CapPrm)" "$DEFAULT_CAPS"
	is "${lines[-1]}" secret
	run_burrow 1 run --rm --cap-drop dac_override busybox sh -c "$dac"
	assert_match "$output" "Permission denied"
	# chown to another ID needs CAP_CHOWN (and IDs other than 0 to give)
	if many_ids; then
		run_burrow 0 run --rm busybox sh -c 'touch /f; chown 1:1 /f && echo chowned'
		is "$output" chowned
	fi
	local d
	for d in chown CAP_CHOWN Cap_Chown; do
		run_burrow 1 run --rm --cap-drop "$d" busybox sh -c 'grep ^CapEff /proc/self/status; touch /f; chown 1:1 /f'
		is "$(caps_of "$output" CapEff)" 00000000800405fa "--cap-drop $d"
		many_ids || continue
		assert_match "$output" "Operation not permitted"
	done
	# net_raw (13) and sys_admin (21), comma-separated, added to the set
	run_burrow 0 run --rm --cap-add net_raw,CAP_SYS_ADMIN busybox grep ^Cap /proc/self/status
	is "$(caps_of "$output" CapEff)" 00000000802425fb
	is "$(caps_of "$output" CapBnd)" 00000000802425fb
}

@test "caps: --cap-drop ALL leaves nothing (but what --cap-add gives); --cap-add ALL all there is" {
	run_burrow 0 run --rm --cap-drop ALL busybox grep ^Cap /proc/self/status
	is "$(caps_of "$output" CapEff)" 0000000000000000
	is "$(caps_of "$output" CapBnd)" 0000000000000000
	run_burrow 0 run --rm --cap-drop all --cap-add kill busybox grep ^Cap /proc/self/status
	is "$(caps_of "$output" CapEff)" 0000000000000020
	all=$("$BURROW" unshare grep ^CapBnd /proc/self/status)
	all=$(caps_of "$all" CapBnd)
	run_burrow 0 run --rm --cap-add ALL --cap-drop chown busybox grep ^Cap /proc/self/status
	is "$(caps_of "$output" CapBnd)" "$(printf '%016x' $((0x$all & ~1)))"
}

@test "caps: another user has none but what --cap-add gives it" {
	many_ids || skip "single-ID mapping: there is no user but root"
	run_burrow 0 run --rm -u 1000 busybox grep ^Cap /proc/self/status
	is "$(caps_of "$output" CapEff)" 0000000000000000
	is "$(caps_of "$output" CapBnd)" "$DEFAULT_CAPS"
	run_burrow 0 run --rm -u 1000 --cap-add net_raw busybox grep ^Cap /proc/self/status
	is "$(caps_of "$output" CapEff)" 0000000000002000
	is "$(caps_of "$output" CapAmb)" 0000000000002000
	run_burrow 0 create --name u -u 1000 --cap-add net_raw busybox true
	run_burrow 0 inspect --format '{{.EffectiveCaps}} {{len .BoundingCaps}}' u
	is "$output" "[CAP_NET_RAW] 12"
}

@test "caps: a wrong capability, or one both added and dropped, is refused before anything is stored" {
	run_burrow 125 run --rm --cap-add CAP_NOPE busybox true
	assert_match "$output" "--cap-add: unknown capability 'CAP_NOPE'"
	run_burrow 125 create --cap-drop 'chown;x' busybox true
	run_burrow 125 create --cap-add chown --cap-drop CAP_CHOWN busybox true
	assert_match "$output" "capability 'CAP_CHOWN' cannot be both added and dropped"
	run_burrow 125 create --cap-add all --cap-drop ALL busybox true
	run_burrow 0 ps -aq
	is "$output" "" "a container was stored"
}

@test "caps: --privileged has every capability, no masks, no seccomp, no no_new_privs, the user's devices" {
	all=$("$BURROW" unshare grep ^CapBnd /proc/self/status)
	all=$(caps_of "$all" CapBnd)
	[ "$all" != "$DEFAULT_CAPS" ]
	[ -r /dev/fuse ] || need_or_fail "a /dev/fuse this user can open"
	local script='grep -E "^(Cap|Seccomp:|NoNewPrivs)" /proc/self/status
		echo "keys: $(grep -c " /proc/keys " /proc/self/mountinfo)"
		echo "sys: $(grep -c " /proc/sys " /proc/self/mountinfo)"
		[ -c /dev/fuse ] && echo "fuse: yes"'
	run_burrow 0 run --rm --privileged busybox sh -c "$script"
	is "$(caps_of "$output" CapEff)" "$all"
	is "$(caps_of "$output" CapBnd)" "$all"
	is "$(caps_of "$output" Seccomp)" 0
	is "$(caps_of "$output" NoNewPrivs)" 0
	is "$(caps_of "$output" keys)" 0 "/proc/keys is masked"
	is "$(caps_of "$output" sys)" 0 "/proc/sys is read-only"
	is "$(caps_of "$output" fuse)" yes "/dev/fuse is not there"
	# and without it, all of that holds
	run_burrow 1 run --rm busybox sh -c "$script"
	is "$(caps_of "$output" Seccomp)" 2
	is "$(caps_of "$output" NoNewPrivs)" 1
	is "$(caps_of "$output" keys)" 1
	is "$(caps_of "$output" sys)" 1
	is "$(caps_of "$output" fuse)" ""
}

@test "caps: --privileged --cap-drop X: every capability but X (podman: the drop applies after privileged's all)" {
	all=$("$BURROW" unshare grep ^CapBnd /proc/self/status)
	all=$(caps_of "$all" CapBnd)
	run_burrow 0 run --rm --privileged --cap-drop CHOWN busybox sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status; chown 1 /tmp 2>&1 || echo refused'
	# CAP_CHOWN is bit 0
	is "$(caps_of "$output" CapEff)" "$(printf '%016x' $((0x$all & ~1)))"
	is "$(caps_of "$output" CapBnd)" "$(printf '%016x' $((0x$all & ~1)))"
	assert_match "${lines[-1]}" "refused"
	run_burrow 0 create --name p --privileged --cap-drop chown busybox true
	run_burrow 0 inspect --format '{{.HostConfig.Privileged}} {{.HostConfig.CapDrop}}' p
	is "$output" "true [CAP_CHOWN]"
	run_burrow 0 inspect --format '{{json .EffectiveCaps}}' p
	assert_no_match "$output" "CAP_CHOWN"
	assert_match "$output" "CAP_SYS_ADMIN"
}

@test "caps: exec gets the container's set; inspect shows it" {
	"$BURROW" run -d --name c --cap-drop chown --cap-add NET_RAW busybox sleep 60 >/dev/null
	run_burrow 0 exec c grep ^CapEff /proc/self/status
	is "$(caps_of "$output" CapEff)" 00000000800425fa
	run_burrow 0 inspect --format '{{.EffectiveCaps}} {{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.HostConfig.Privileged}}' c
	is "$output" "[CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT] [CAP_NET_RAW] [CAP_CHOWN] false"
	run_burrow 0 inspect --format '{{len .BoundingCaps}}' c
	is "$output" 11
	run_burrow 0 rm -f -t 0 c
	run_burrow 0 create --name p --privileged busybox true
	run_burrow 0 inspect --format '{{.HostConfig.Privileged}} {{len .BoundingCaps}}' p
	assert_match "$output" "^true [0-9]+$"
	[ "${output#true }" -gt 11 ]
}

@test "security-opt: mask= hides more paths, unmask= shows podman's masked ones again" {
	local script='echo "version: $(wc -c </proc/version)"
		echo "keys: $(grep -c " /proc/keys " /proc/self/mountinfo)"
		echo "timer: $(grep -c " /proc/timer_list " /proc/self/mountinfo)"
		echo "sys: $(grep -c " /proc/sys " /proc/self/mountinfo)"
		echo "dir: $(ls /etc/mdir | wc -l)"'
	run_burrow 0 run --rm --security-opt mask=/proc/version:/etc/mdir busybox sh -c "mkdir -p /etc/mdir; $script"
	is "$(caps_of "$output" version)" 0 "/proc/version is not masked"
	is "$(caps_of "$output" keys)" 1
	run_burrow 0 run --rm --security-opt unmask=/proc/keys busybox sh -c "$script"
	[ "$(caps_of "$output" version)" -gt 0 ]
	is "$(caps_of "$output" keys)" 0 "/proc/keys is still masked"
	is "$(caps_of "$output" timer)" 1 "/proc/timer_list is unmasked too"
	is "$(caps_of "$output" sys)" 1
	run_burrow 0 run --rm --security-opt unmask=ALL busybox sh -c "$script"
	is "$(caps_of "$output" keys)" 0
	is "$(caps_of "$output" timer)" 0
	is "$(caps_of "$output" sys)" 0 "/proc/sys is still read-only"
	run_burrow 0 create --name m --security-opt mask=/a:/b --security-opt unmask=/proc/keys busybox true
	run_burrow 0 inspect --format '{{.HostConfig.SecurityOpt}}' m
	is "$output" "[mask=/a mask=/b unmask=/proc/keys no-new-privileges]"
	run_burrow 125 create --security-opt mask=relative busybox true
	assert_match "$output" "'relative' is not an absolute path"
	run_burrow 125 create --security-opt unmask= busybox true
}

@test "security-opt: no-new-privileges (the default) and =false; label= accepted" {
	run_burrow 0 run --rm --security-opt no-new-privileges busybox grep ^NoNewPrivs /proc/self/status
	assert_match "$output" "NoNewPrivs:.1"
	run_burrow 0 run --rm --security-opt no-new-privileges=false busybox grep ^NoNewPrivs /proc/self/status
	assert_match "$output" "NoNewPrivs:.0"
	run_burrow 0 run --rm --security-opt label=disable --security-opt label=type:spc_t busybox true
	run_burrow 125 create --security-opt no-new-privileges=maybe busybox true
	assert_match "$output" "no-new-privileges takes true or false"
	run_burrow 125 create --security-opt label=bogus busybox true
	run_burrow 0 ps -aq
	is "$output" ""
}

@test "security-opt: seccomp=FILE denies what it lists (errnoRet, defaultErrnoRet); inspect names it" {
	cat >"$T/deny-mkdir.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [
  {"names": ["mkdir", "mkdirat", "no_such_call_anywhere"], "action": "SCMP_ACT_ERRNO"},
  {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
  {"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_BOOT"]}}
 ]}
JSON
	run_burrow 1 run --rm --name sc --security-opt seccomp="$T/deny-mkdir.json" busybox sh -c 'grep ^Seccomp: /proc/self/status; chmod 700 /tmp && echo chmod ok; rmdir /tmp; mkdir /d'
	assert_match "$output" "Seccomp:.2"
	assert_match "$output" "chmod ok" "a rule for CAP_SYS_BOOT holds without it"
	assert_match "$output" "rmdir: '/tmp': Permission denied"
	assert_match "$output" "mkdir: can't create directory '/d': Operation not permitted"
	run_burrow 0 create --name named --security-opt seccomp="$T/deny-mkdir.json" busybox true
	run_burrow 0 inspect --format '{{.HostConfig.SecurityOpt}}' named
	is "$output" "[seccomp=$T/deny-mkdir.json no-new-privileges]"
	# the profile was read at create: changing the file changes nothing
	echo '{"defaultAction": "SCMP_ACT_ALLOW"}' >"$T/deny-mkdir.json"
	run_burrow 0 start -a named
	run_burrow 0 rm named

	# defaultErrnoRet: podman's default profile (as burrow wrote it for a
	# container) with EACCES for what it does not name
	"$BURROW" run -d --name ref busybox sleep 60 >/dev/null
	id=$("$BURROW" inspect --format '{{.Id}}' ref)
	python3 - "$XDG_DATA_HOME/burrow/containers/$id/config.json" "$T/eacces.json" <<'PY'
import json, sys
sc = json.load(open(sys.argv[1]))["linux"]["seccomp"]
sc["defaultErrnoRet"] = 13
json.dump(sc, open(sys.argv[2], "w"))
PY
	run_burrow 0 rm -f -t 0 ref
	import_probe
	run_burrow 0 run --rm probe sysprobe add_key
	is "$output" "add_key: ENOSYS"
	run_burrow 0 run --rm --security-opt seccomp="$T/eacces.json" probe sysprobe add_key
	is "$output" "add_key: EACCES"
}

@test "security-opt: a bad seccomp profile is refused (125) before anything is stored" {
	local bad=(
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_SOMETIMES"}]}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]}'
		'{"syscalls": []}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_PDP11"]}'
		'{"defaultAction": '
	)
	local want=("unknown action 'SCMP_ACT_SOMETIMES'" "args\[0\].index is not 0-5" "no defaultAction"
		"unknown architecture 'SCMP_ARCH_PDP11'" "invalid JSON")
	for i in "${!bad[@]}"; do
		printf '%s\n' "${bad[$i]}" >"$T/bad.json"
		run_burrow 125 run --rm --security-opt seccomp="$T/bad.json" busybox true
		assert_match "$output" "seccomp profile '$T/bad.json': .*${want[$i]}"
	done
	run_burrow 125 create --security-opt seccomp="$T/missing.json" busybox true
	assert_match "$output" "No such file or directory"
	run_burrow 0 ps -aq
	is "$output" "" "a container was stored"
	is "$(ls -A "$XDG_DATA_HOME/burrow/containers" 2>/dev/null)" "" "a container directory was made"
}

@test "run: --env-file, --env-host (podman's order: host, file, -e)" {
	printf '# a comment\n\nFROM_FILE=file value\nBOTH=from file\n  FROM_HOST_VIA_FILE\nUNSET_HERE\n' >"$T/env"
	FROM_HOST_VIA_FILE=hosty run_burrow 0 run --rm --env-file "$T/env" -e BOTH=from-e busybox env
	grep -qx "FROM_FILE=file value" <<<"$output"
	assert_match "$output" "BOTH=from-e"
	assert_match "$output" "FROM_HOST_VIA_FILE=hosty"
	assert_no_match "$output" "UNSET_HERE"
	assert_no_match "$output" "a comment"
	BURROW_ONLY_HERE=yes run_burrow 0 run --rm --env-host -e BURROW_E=1 busybox env
	assert_match "$output" "BURROW_ONLY_HERE=yes"
	assert_match "$output" "BURROW_E=1"
	BURROW_ONLY_HERE=yes run_burrow 0 run --rm busybox env
	assert_no_match "$output" "BURROW_ONLY_HERE"
	# the host's HOSTNAME never replaces the container's; -e still does
	HOSTNAME=the-host run_burrow 0 run --rm --env-host --hostname ctr busybox sh -c 'echo $HOSTNAME'
	is "$output" ctr
	HOSTNAME=the-host run_burrow 0 run --rm --env-host -e HOSTNAME=mine busybox sh -c 'echo $HOSTNAME'
	is "$output" mine
	run_burrow 125 run --rm --env-file "$T/missing" busybox true
	assert_match "$output" "--env-file '$T/missing'"
	printf '=novalue\n' >"$T/badenv"
	run_burrow 125 create --env-file "$T/badenv" busybox true
	run_burrow 0 ps -aq
	is "$output" ""
}

@test "run: --ulimit shows inside (ulimit -n), host, bad ones refused" {
	run_burrow 0 run --rm --ulimit nofile=512:1024 busybox sh -c 'ulimit -n; ulimit -Hn'
	is "$output" $'512\n1024'
	run_burrow 0 run --rm --ulimit nofile=300 --ulimit core=-1 busybox sh -c 'ulimit -n; ulimit -Hn; ulimit -c'
	is "$output" $'300\n300\nunlimited'
	want=$(ulimit -Sn)
	# host: burrow's own limits (over an earlier --ulimit)
	run_burrow 0 run --rm --ulimit nofile=100 --ulimit host busybox sh -c 'ulimit -n'
	is "$output" "$want"
	run_burrow 125 create --ulimit nofiles=10 busybox true
	assert_match "$output" "invalid --ulimit 'nofiles=10'"
	run_burrow 125 create --ulimit nofile=20:10 busybox true
	assert_match "$output" "soft limit is above the hard one"
	run_burrow 125 create --ulimit nofile=many busybox true
}

@test "run: --sysctl sets namespaced ones, refuses the others" {
	run_burrow 0 run --rm --sysctl kernel.shmmax=1234567 --sysctl net.ipv4.ip_unprivileged_port_start=80 busybox \
		cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_unprivileged_port_start
	is "$output" $'1234567\n80'
	run_burrow 125 create --sysctl kernel.hostname=x busybox true
	assert_match "$output" "--sysctl 'kernel.hostname=x' is not allowed: it is not namespaced"
	run_burrow 125 create --sysctl vm.swappiness=1 busybox true
	run_burrow 125 create --network host --sysctl net.ipv4.ip_forward=1 busybox true
	assert_match "$output" "not with --network host"
	run_burrow 0 ps -aq
	is "$output" ""
}

@test "run: --umask; --workdir is created when missing" {
	run_burrow 0 run --rm busybox sh -c umask
	is "$output" 0022
	run_burrow 0 run --rm --umask 077 busybox sh -c 'umask; touch /f; stat -c %a /f'
	is "$output" $'0077\n600'
	run_burrow 125 create --umask 0999 busybox true

	run_burrow 0 run --rm -w /does/not/exist busybox pwd
	is "$output" /does/not/exist
}

@test "run: --tz over an image whose /etc/localtime is a symlink: the zone shows, nothing is made outside its root" {
	[ -e /usr/share/zoneinfo/Asia/Tokyo ] || need_or_fail "tzdata (/usr/share/zoneinfo)"
	local escape=$T/escape-zone
	mkdir -p "$T/img/etc"
	# dangling inside the image, and naming a host path
	ln -s "$escape" "$T/img/etc/localtime"
	cp "$BATS_RUN_TMPDIR/busybox.tar" "$T/tz.tar"
	tar --numeric-owner --owner=0 --group=0 -C "$T/img" -rf "$T/tz.tar" ./etc/localtime
	run_burrow 0 import --change 'CMD ["sh"]' "$T/tz.tar" tzimg
	run_burrow 0 run --rm --tz Asia/Tokyo tzimg date +%Z
	is "$output" JST
	run_burrow 0 run --rm --tz local tzimg sh -c 'md5sum </etc/localtime'
	is "${output%% *}" "$(md5sum </etc/localtime | cut -d' ' -f1)"
	[ ! -e "$escape" ] && [ ! -L "$escape" ] || {
		echo "a file was made at the host path the image's link names" >&2
		false
	}
	# without --tz the image's link stays as it is
	run_burrow 0 run --rm tzimg readlink /etc/localtime
	is "$output" "$escape"
}

@test "run: --tz sets /etc/localtime (a zone, or local)" {
	[ -e /usr/share/zoneinfo/Asia/Tokyo ] || need_or_fail "tzdata (/usr/share/zoneinfo)"
	run_burrow 0 run --rm --tz Asia/Tokyo busybox date +%Z
	is "$output" JST
	run_burrow 0 run --rm busybox date +%Z
	is "$output" UTC
	run_burrow 0 run --rm --tz local busybox sh -c 'cat /etc/localtime | md5sum'
	is "${output%% *}" "$(md5sum </etc/localtime | cut -d' ' -f1)"
	run_burrow 125 create --tz Mars/Olympus busybox true
	assert_match "$output" "unknown time zone 'Mars/Olympus'"
	run_burrow 125 create --tz ../../../etc/passwd busybox true
}
