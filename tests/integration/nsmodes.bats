#!/usr/bin/env bats
# run's and create's --pid, --ipc and --uts: a namespace of its own
# (private), the host's, another container's (container:NAME) or one a
# file names (ns:PATH); inspect's PidMode, IpcMode, UTSMode.

load helpers

suite_setup() {
	import_busybox
	import_probe
}

suite_teardown() {
	"$BURROW" rm -f -t 0 b a >/dev/null 2>&1 || true
}

# ns_of KIND: this process's namespace of KIND as its /proc link reads
ns_of() {
	readlink "/proc/self/ns/$1"
}

# start_owner: container a (sleep 60) running, its init's pid in $apid
start_owner() {
	run_burrow 0 run -d --name a busybox sleep 60
	run_burrow 0 inspect --format '{{.State.Pid}}' a
	apid=$output
}

@test "nsmodes: the defaults are namespaces of its own, as inspect says" {
	run_burrow 0 run --name d busybox sh -c 'for n in pid ipc uts; do readlink /proc/self/ns/$n; done; echo $$'
	[ "${lines[0]}" != "$(ns_of pid)" ]
	[ "${lines[1]}" != "$(ns_of ipc)" ]
	[ "${lines[2]}" != "$(ns_of uts)" ]
	is "${lines[3]}" 1
	run_burrow 0 inspect --format '{{.HostConfig.PidMode}}|{{.HostConfig.IpcMode}}|{{.HostConfig.UTSMode}}' d
	is "$output" "private|shareable|private"
	run_burrow 0 create --pid private --ipc private --uts private busybox true
	run_burrow 0 inspect --format '{{.HostConfig.PidMode}}|{{.HostConfig.IpcMode}}|{{.HostConfig.UTSMode}}' "$output"
	is "$output" "private|private|private"
}

@test "ps --ns: the init's PID and the inode of each of its namespaces, as /proc/PID/ns shows them; --sync and --external change nothing" {
	start_owner
	aid=$(timeout 30 "$BURROW" inspect --format '{{.Id}}' a)
	want=$aid
	for k in cgroup ipc mnt net pid user uts; do
		want+=" $(ns stat -L -c %i "/proc/$apid/ns/$k")"
	done
	run_burrow 0 ps --ns --no-trunc
	assert_match "${lines[0]}" "^CONTAINER ID +NAMES +PID +CGROUPNS +IPC +MNT +NET +PIDNS +USERNS +UTS$"
	is "$(awk 'NR == 2 {print $1, $4, $5, $6, $7, $8, $9, $10}' <<<"$output")" "$want"
	is "$(awk 'NR == 2 {print $2, $3}' <<<"$output")" "a $apid"
	# JSON: podman's keys, strings; a container that does not run has none
	run_burrow 0 create --name b busybox true
	run_burrow 0 ps -a --ns --format json
	run python3 -c '
import json, sys
d = {c["Names"][0]: c for c in json.load(sys.stdin)}
n = d["a"]["Namespaces"]
print(d["a"]["Id"], *[n[k] for k in ("Cgroup", "Ipc", "Mnt", "Net", "Pidns", "User", "Uts")])
print(json.dumps(d["b"]["Namespaces"]))' <<<"$output"
	is "${lines[0]}" "$want"
	is "${lines[1]}" "{}"
	# a template: Go's field names (.Namespaces.MNT), but json writes
	# podman's JSON keys in its order, leaving out what is not known
	declare -A ino
	for k in cgroup ipc mnt net pid user uts; do
		ino[$k]=$(ns stat -L -c %i "/proc/$apid/ns/$k")
	done
	run_burrow 0 ps --ns --filter name=a --format '{{.Namespaces.MNT}} {{json .Namespaces}}'
	is "$output" "${ino[mnt]} {\"Mnt\":\"${ino[mnt]}\",\"Cgroup\":\"${ino[cgroup]}\",\"Ipc\":\"${ino[ipc]}\",\"Net\":\"${ino[net]}\",\"Pidns\":\"${ino[pid]}\",\"Uts\":\"${ino[uts]}\",\"User\":\"${ino[user]}\"}"
	run_burrow 0 ps -a --ns --filter name=b --format '{{json .Namespaces}}|{{.Namespaces}}|{{.Namespaces.PIDNS}}|'
	is "$output" "{}|{      }||"
	# without --ns (or with --ns=false): empty, as podman's
	run_burrow 0 ps --format '{{json .Namespaces}}|{{.Namespaces}}' --filter name=a
	is "$output" "{}|{      }"
	run_burrow 0 ps --ns=false --format '{{json .Namespaces}}|{{.Namespaces}}' --filter name=a
	is "$output" "{}|{      }" "--ns=false"
	# --sync and --external: accepted, the same list
	run_burrow 0 ps -a --format '{{.Names}} {{.Status}}'
	plain=$output
	run_burrow 0 ps -a --sync --external --format '{{.Names}} {{.Status}}'
	is "$output" "$plain"
}

@test "nsmodes: --pid host sees the host's processes through the host's /proc" {
	run_burrow 0 run --rm --pid host busybox sh -c "readlink /proc/self/ns/pid; test -d /proc/$$ && echo sees-bats; echo \$\$"
	is "${lines[0]}" "$(ns_of pid)"
	is "${lines[1]}" sees-bats
	[ "${lines[2]}" != 1 ]
	run_burrow 0 create --pid host busybox true
	run_burrow 0 inspect --format '{{.HostConfig.PidMode}}' "$output"
	is "$output" host
}

@test "nsmodes: top and stats of a --pid host container show its processes and exec's, not the user's others" {
	run_burrow 0 run -d --name a --pid host busybox sleep 61
	run_burrow 0 exec -d a sleep 62
	# the keeper, the monitor, fuse-overlayfs and top itself share its pid namespace
	run_burrow 0 top a pid args
	is "${#lines[@]}" 3 "the header and two processes: $output"
	assert_match "$output" "sleep 61"
	assert_match "$output" "sleep 62"
	run_burrow 0 stats --no-stream --format '{{.PIDs}}' a
	is "$output" 2
}

@test "nsmodes: --pid container:NAME joins its pid namespace; exec and stop of either behave" {
	start_owner
	run_burrow 0 run --rm --pid container:a busybox sh -c 'ps -o pid,args; echo self=$$'
	assert_match "$output" "1 +sleep 60"
	assert_no_match "$output" "self=1$"
	run_burrow 0 run -d --name b --pid container:a busybox sleep 100
	run_burrow 0 inspect --format '{{.Id}}' a
	local aid=$output
	run_burrow 0 inspect --format '{{.HostConfig.PidMode}}' b
	is "$output" "container:$aid"
	run_burrow 0 exec b ps -o args
	assert_match "$output" "sleep 60"
	assert_match "$output" "sleep 100"
	# a is a dependency: kept while b exists
	run_burrow 125 rm a
	assert_match "$output" "depend"
	# pause of b (without a cgroup: by signals) must never stop a's processes
	run_burrow 0 pause b
	grep -q '^State:.*[RS]' "/proc/$apid/status"
	run_burrow 0 unpause b
	# stopping b leaves a running
	run_burrow 0 stop -t 1 b
	run_burrow 0 inspect --format '{{.State.Status}}' a
	is "$output" running
	# stopping a ends its namespace, and b with it (SIGKILL, as in podman)
	run_burrow 0 start b
	run_burrow 0 stop -t 1 a
	run_burrow 0 wait b
	is "$output" 137
}

@test "nsmodes: --pid container:NAME starts the other container first; an unknown one is refused" {
	run_burrow 0 create --name a busybox sleep 60
	run_burrow 0 run --rm --pid container:a busybox ps -o pid,args
	assert_match "$output" "1 +sleep 60"
	run_burrow 0 inspect --format '{{.State.Status}}' a
	is "$output" running
	run_burrow 125 create --pid container:nosuch busybox true
	assert_match "$output" "nosuch"
	run_burrow 125 create --pid container: busybox true
	assert_match "$output" "requires a value"
}

@test "nsmodes: --pid ns:PATH joins the namespace the file names; a relative or missing one is refused" {
	start_owner
	run_burrow 0 run --rm --pid "ns:/proc/$apid/ns/pid" busybox ps -o pid,args
	assert_match "$output" "1 +sleep 60"
	run_burrow 125 create --pid ns:rel busybox true
	assert_match "$output" "absolute"
	run_burrow 125 create --pid ns:/nonexistent busybox true
	assert_match "$output" "cannot find the PID namespace '/nonexistent'"
	run_burrow 125 run --rm --pid bogus busybox true
	assert_match "$output" "unrecognized namespace mode 'bogus'"
	run_burrow 125 run --rm --uts none busybox true
	assert_match "$output" "--uts: unrecognized namespace mode 'none'"
}

@test "nsmodes: ns:PATH of a FIFO, a plain file or a device is refused at the start, never waited on or opened (--network, --pid)" {
	mkfifo "$T/fifo"
	: >"$T/plain"
	run_burrow 125 run --rm --network "ns:$T/fifo" busybox true
	is "$output" "burrow: cannot join '$T/fifo': it is not a namespace
hint: give a namespace file: /proc/PID/ns/NAME, or a bind mount of one"
	run_burrow 125 run --rm --pid "ns:$T/plain" busybox true
	assert_match "$output" "cannot join '$T/plain': it is not a namespace"
	run_burrow 125 run --rm --network ns:/dev/null busybox true
	assert_match "$output" "cannot join '/dev/null': it is not a namespace"
}

@test "nsmodes: --ipc none has no /dev/shm; container:NAME shares the IPC namespace; host the host's" {
	run_burrow 1 run --rm --ipc none busybox ls -d /dev/shm
	run_burrow 0 run --rm --ipc shareable busybox ls -d /dev/shm
	run_burrow 0 create --ipc none busybox true
	run_burrow 0 inspect --format '{{.HostConfig.IpcMode}}' "$output"
	is "$output" none
	start_owner
	run_burrow 0 exec a readlink /proc/self/ns/ipc
	local ans=$output
	run_burrow 0 run --rm --ipc container:a busybox readlink /proc/self/ns/ipc
	is "$output" "$ans"
	[ "$ans" != "$(ns_of ipc)" ]
	if [ -d /dev/mqueue ]; then
		run_burrow 0 run --rm --ipc host busybox readlink /proc/self/ns/ipc
		is "$output" "$(ns_of ipc)"
	else
		# as podman: the host's /dev/mqueue is bound, and there is none
		run_burrow 125 run --rm --ipc host busybox true
		assert_match "$output" "/dev/mqueue"
	fi
}

@test "nsmodes: --ipc container:NAME shares NAME's /dev/shm (through a chain too); a private or none one cannot be joined" {
	run_burrow 0 run -d --name a busybox sh -c 'echo from-a >/dev/shm/f; exec sleep 60'
	run_burrow 0 exec a sh -c 'for i in $(seq 100); do [ -s /dev/shm/f ] && exit 0; sleep 0.1; done; exit 1'
	run_burrow 0 run --rm --ipc container:a busybox sh -c 'cat /dev/shm/f; echo from-joiner >/dev/shm/g'
	is "$output" from-a
	run_burrow 0 exec a cat /dev/shm/g
	is "$output" from-joiner
	run_burrow 0 run -d --name b --ipc container:a busybox sleep 60
	run_burrow 0 run --rm --ipc container:b busybox cat /dev/shm/f
	is "$output" from-a "b's /dev/shm is a's"
	# the tmpfs behind a's /dev/shm goes with a
	run_burrow 0 unshare cat /proc/self/mountinfo
	assert_match "$output" "$XDG_RUNTIME_DIR/burrow/containers/[0-9a-f]+/shm "
	run_burrow 0 rm -f -t 0 b a
	run_burrow 0 unshare cat /proc/self/mountinfo
	assert_no_match "$output" "$XDG_RUNTIME_DIR/burrow/containers/[0-9a-f]+/shm "
	# as podman: a private IPC namespace, or none, is no one else's
	run_burrow 0 create --name p --ipc private busybox true
	run_burrow 125 create --ipc container:p busybox true
	is "$output" "burrow: --ipc container:p: container 'p' cannot be joined: its IPC namespace is private (--ipc private)
hint: create 'p' with --ipc shareable (the default)"
	run_burrow 0 create --name n --ipc none busybox true
	run_burrow 125 create --ipc container:n busybox true
	assert_match "$output" "container 'n' cannot be joined: it has no /dev/shm"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$(echo $output)" "p n" "nothing made (oldest first)"
}

@test "nsmodes: --uts host has the host's name and refuses --hostname; container:NAME the other's" {
	run_burrow 0 run --rm --uts host busybox sh -c 'readlink /proc/self/ns/uts; hostname; echo $HOSTNAME'
	is "${lines[0]}" "$(ns_of uts)"
	is "${lines[1]}" "$(hostname)"
	is "${lines[2]}" "$(hostname)"
	run_burrow 125 run --rm --uts host --hostname x busybox true
	is "$output" "burrow: cannot set the hostname when running in the host UTS namespace"
	run_burrow 0 run -d --name a --hostname owner busybox sleep 60
	run_burrow 0 run --rm --uts container:a busybox sh -c 'hostname; cat /etc/hostname'
	is "${lines[0]}" owner
	is "${lines[1]}" owner
	run_burrow 125 run --rm --uts container:a -h x busybox true
	assert_match "$output" "joining another UTS namespace"
	run_burrow 0 create --name b --uts container:a busybox true
	run_burrow 0 inspect --format '{{.HostConfig.UTSMode}}' b
	assert_match "$output" "^container:[0-9a-f]{64}$"
}

# probe_joins OWNER-OPTIONS -- JOINER-OPTIONS: container a (the probe image,
# OWNER-OPTIONS) watches its pid namespace for a process whose
# /proc/PID/root shows a host file (sysprobe proc-root); 15 containers with
# JOINER-OPTIONS join that namespace one after another, each visible there
# from its birth, while it still sets up in burrow's mount namespace.
# $output: a's log.
probe_joins() {
	local owner=() i
	while [ "$1" != -- ]; do owner+=("$1"); shift; done
	shift
	echo "host-only" >"$BATS_TEST_TMPDIR/host-marker"
	run_burrow 0 run -d --name a "${owner[@]}" probe sysprobe proc-root "$BATS_TEST_TMPDIR/host-marker" 60
	wait_logs a 'proc-root: ready'
	for i in $(seq 15); do
		"$BURROW" run --rm --pid container:a "$@" busybox true >/dev/null 2>&1 || true
	done
	run_burrow 0 logs a
	"$BURROW" rm -f -t 0 a >/dev/null 2>&1 || true
	assert_match "$output" "proc-root: ready"
}

@test "nsmodes: a container joining another's pid namespace is out of its reach while it sets up (joiner with a user namespace of its own)" {
	probe_joins -- --userns=keep-id
	assert_no_match "$output" "reached"
}

@test "nsmodes: a container joining another's pid namespace is out of its reach while it sets up (the other's root with CAP_SYS_PTRACE)" {
	probe_joins --cap-add SYS_PTRACE --
	assert_no_match "$output" "reached"
}

@test "nsmodes: --pid, --ipc, --uts container: or ns: with a user namespace of the container's own are refused before anything is made; the one joined may have one" {
	run_burrow 0 run -d --name kw --userns=keep-id busybox sleep 60
	run_burrow 0 exec kw readlink /proc/self/ns/ipc
	local kipc=$output
	run_burrow 0 run --rm --ipc container:kw busybox readlink /proc/self/ns/ipc
	is "$output" "$kipc" "a container without a user namespace of its own joins one that has one"
	run_burrow 125 run --rm --userns=keep-id --ipc container:kw busybox true
	is "$output" "burrow: --ipc container:kw cannot go with --userns=keep-id: the container's own user namespace cannot join an IPC namespace it does not own
hint: leave --userns out here (the container whose namespace it joins may have --userns=keep-id)"
	run_burrow 125 create --userns=keep-id --pid container:kw busybox true
	assert_match "$output" "^burrow: --pid container:kw cannot go with --userns=keep-id: .* cannot join a PID namespace it does not own"
	run_burrow 125 create --uidmap 0:0:1 --uts container:kw busybox true
	assert_match "$output" "^burrow: --uts container:kw cannot go with --uidmap/--gidmap: .* cannot join a UTS namespace it does not own"
	run_burrow 0 inspect --format '{{.State.Pid}}' kw
	run_burrow 125 create --userns=keep-id --ipc "ns:/proc/$output/ns/ipc" busybox true
	assert_match "$output" "cannot join an IPC namespace it does not own"
	if has_subuid; then
		run_burrow 125 create --userns=auto --ipc container:kw busybox true
		assert_match "$output" "^burrow: --ipc container:kw cannot go with --userns=auto: "
	fi
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "kw" "nothing made"
	run_burrow 0 rm -f -t 0 kw
}

@test "nsmodes: --ipc container:NAME keeps the IPC namespace and /dev/shm of the run of NAME it joined; a start of NAME while it runs says so" {
	run_burrow 0 run -d --name a busybox sleep 60
	run_burrow 0 exec a sh -c 'echo one >/dev/shm/f'
	run_burrow 0 run -d --name j --ipc container:a busybox sleep 60
	run_burrow 0 exec j readlink /proc/self/ns/ipc
	local old=$output
	# a's restart: new ones for a (as podman), said once, naming j
	run_burrow 0 restart -t 0 a
	assert_match "$output" "burrow: warning: container 'j', which joined the IPC namespace of an earlier run of container 'a', keeps that run's IPC namespace and /dev/shm: restart it to share this run's"
	run_burrow 0 exec a ls /dev/shm
	is "$output" "" "a's /dev/shm is new: empty"
	run_burrow 0 exec a readlink /proc/self/ns/ipc
	[ "$output" != "$old" ]
	run_burrow 0 exec j sh -c 'readlink /proc/self/ns/ipc; cat /dev/shm/f'
	is "$output" "$old
one" "j keeps the run's it joined"
	# j restarted joins a's present run
	run_burrow 0 exec a sh -c 'echo two >/dev/shm/f; readlink /proc/self/ns/ipc'
	local new=$output
	run_burrow 0 restart -t 0 j
	run_burrow 0 exec j sh -c 'readlink /proc/self/ns/ipc; cat /dev/shm/f'
	is "$output" "$new
two"
	# with no joiner running, a start says nothing
	run_burrow 0 stop -t 0 j
	run_burrow 0 restart -t 0 a
	assert_no_match "$output" "joined the IPC namespace"
	run_burrow 0 rm -f -t 0 j a
}

@test "nsmodes: --ipc container:NAME of a --ipc host container: create takes it, the start fails with 126 saying why (as --network, --pid and --uts container: of a host one)" {
	# NAME's IPC namespace is the host's, which belongs to the host's user
	# namespace: burrow's cannot enter it (setns: EPERM); its /dev/shm
	# would be the host's
	# a host without /dev/mqueue runs no --ipc host container (as podman:
	# the test above); that is the host's set-up, not a missing tool
	[ -d /dev/mqueue ] || skip "no /dev/mqueue here: --ipc host is refused (125)"
	run_burrow 0 run -d --name h --ipc host busybox sleep 300
	run_burrow 126 run --rm --ipc container:h busybox true
	is "$output" "burrow: cannot join the IPC namespace of container 'h': it is the host's (--ipc host), which burrow's user namespace cannot enter
hint: --ipc host gives this container the same IPC namespace"
	run_burrow 0 create --name z --ipc container:h busybox true
	run_burrow 126 start -a z
	assert_match "$output" "cannot join the IPC namespace of container 'h': it is the host's \(--ipc host\)"
	run_burrow 0 ps -a --format '{{.Names}} {{.Status}}' --filter name=z
	is "$output" "z Created"
	# what it asks for, said the way the hint says
	run_burrow 0 run --rm --ipc host busybox readlink /proc/self/ns/ipc
	is "$output" "$(ns_of ipc)"
}
