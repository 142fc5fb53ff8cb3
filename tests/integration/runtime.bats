#!/usr/bin/env bats
# runtime/: runs OCI bundles built here from busybox with the rt-run driver,
# inside a user namespace (burrow's own when `burrow unshare` works, else
# one made by `unshare -Urm`).

load helpers
bats_require_minimum_version 1.5.0

RT_RUN=$HELPERS_BIN/rt-run

suite_setup() {
	[ -x "$RT_RUN" ] || {
		echo "missing $RT_RUN (make build/tests/helpers/rt-run)" >&2
		return 1
	}
	[ -x /bin/busybox ] || need_or_fail "busybox-static (/bin/busybox)"
	local su sg
	su=$(subid_range /etc/subuid)
	sg=$(subid_range /etc/subgid)
	if timeout 20 "$BURROW" unshare true >/dev/null 2>&1; then
		NS_CMD=("$BURROW" unshare)
	elif has_subuid && [ -n "$su" ] && [ -n "$sg" ] && unshare --help | grep -q -- --map-users; then
		# the same mapping burrow makes: 0 = us, 1..N = the subordinate range
		NS_CMD=(unshare --map-root-user --map-users="${su%,*},1,${su#*,}" --map-groups="${sg%,*},1,${sg#*,}" -m)
	elif command -v unshare >/dev/null; then
		NS_CMD=(unshare -Urm)
	else
		need_or_fail "a user namespace (burrow unshare or util-linux unshare)"
	fi
	B=$T/bundle
	mkdir -p "$B/rootfs/usr/bin" "$B/rootfs/etc" "$B/rootfs/tmp"
	ln -s usr/bin "$B/rootfs/bin"
	cp /bin/busybox "$B/rootfs/usr/bin/busybox"
	# links to /usr/bin/busybox, which is the rootfs's own once inside
	/bin/busybox --install -s "$B/rootfs/usr/bin"
}

# subid_range FILE: "start,count" of this user's first range (by name or uid)
subid_range() {
	awk -F: -v u="$(id -un)" -v n="$(id -u)" '($1 == u || $1 == n) && NF == 3 { print $2 "," $3; exit }' "$1" 2>/dev/null
}

DEFAULT_NS='[{"type":"pid"},{"type":"mount"},{"type":"network"},{"type":"uts"},{"type":"ipc"}]'
PROC_MOUNT='{"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]}'
DEV_MOUNTS='
    {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
    {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
    {"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]},
    {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]}'
SYS_MOUNT='{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}'
MASKED='["/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware","/sys/fs/selinux","/sys/dev/block"]'
READONLY='["/proc/asound","/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]'

# write_config ARGS_JSON [name=value...]: writes $B/config.json. Names:
# mounts (the whole list), extra_mounts (appended to the default list),
# namespaces, readonly, hostname, process (extra process fields, with a
# leading comma), caps (the capabilities object), cwd, env, seccomp (the
# linux.seccomp object).
write_config() {
	local args=$1
	shift
	local mounts="$PROC_MOUNT,$DEV_MOUNTS,$SYS_MOUNT" extra_mounts= namespaces=$DEFAULT_NS readonly=false
	local hostname=rt-test process= caps= cwd=/ env='["PATH=/usr/bin:/bin","HOME=/root","FOO=bar baz"]' seccomp=
	local kv
	for kv in "$@"; do
		local "${kv%%=*}=${kv#*=}"
	done
	[ -n "$extra_mounts" ] && mounts="$mounts,$extra_mounts"
	[ -n "$caps" ] && process="$process, \"capabilities\": $caps"
	local hn=
	[ -n "$hostname" ] && hn="\"hostname\": \"$hostname\","
	cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "root": {"path": "rootfs", "readonly": $readonly},
  $hn
  "process": {"terminal": false, "args": $args, "env": $env, "cwd": "$cwd"$process},
  "mounts": [ $mounts ],
  "linux": {
    "namespaces": $namespaces,
    "maskedPaths": $MASKED,
    "readonlyPaths": $READONLY${seccomp:+,
    \"seccomp\": $seccomp}
  }
}
EOF
}

# run_rt [EXPECTED_RC] [rt-run flags]: runs the bundle, keeps $output/$status.
run_rt() {
	local expect=
	case "${1:-}" in [0-9] | [0-9][0-9] | [0-9][0-9][0-9]) expect=$1 && shift ;; esac
	# run -N: 126/127 are expected here, not "command not found" slips
	run ${expect:+-$expect} timeout 30 "${NS_CMD[@]}" "$RT_RUN" "$@" "$B"
	if [ -n "$expect" ] && [ "$status" -ne "$expect" ]; then
		echo "expected exit $expect, got $status" >&2
		echo "output: $output" >&2
		return 1
	fi
	return 0
}

@test "runtime: exit codes are passed through" {
	write_config '["true"]'
	run_rt 0
	is "$output" ""
	write_config '["false"]'
	run_rt 1
	write_config '["sh","-c","exit 42"]'
	run_rt 42
}

@test "runtime: a missing command exits 127 with a message" {
	write_config '["no-such-cmd"]'
	run_rt 127
	is "$output" "burrow: executable file 'no-such-cmd' not found in \$PATH"
	write_config '["/no/such/file"]'
	run_rt 127
	assert_match "$output" "cannot execute '/no/such/file': No such file or directory"
}

@test "runtime: a file that cannot be executed exits 126" {
	printf 'not a program\n' >"$B/rootfs/usr/bin/notexec"
	chmod 0644 "$B/rootfs/usr/bin/notexec"
	write_config '["/usr/bin/notexec"]'
	run_rt 126
	assert_match "$output" "cannot execute '/usr/bin/notexec': Permission denied"
	# found through $PATH, but not executable
	write_config '["notexec"]'
	run_rt 126
	assert_match "$output" "cannot execute '/usr/bin/notexec': Permission denied"
	# a directory
	write_config '["/etc"]'
	run_rt 126
	assert_match "$output" "cannot execute '/etc'"
}

@test "runtime: the command is pid 1, with hostname, env and cwd" {
	write_config '["sh","-c","echo pid=$$; hostname; echo \"$FOO\"; pwd"]' cwd=/work/dir
	run_rt 0
	is "${lines[0]}" "pid=1"
	is "${lines[1]}" "rt-test"
	is "${lines[2]}" "bar baz"
	is "${lines[3]}" "/work/dir" "a missing cwd is created"
	# the command itself is pid 1 (exec'd directly, no wrapper)
	write_config '["cat","/proc/self/stat"]'
	run_rt 0
	assert_match "$output" "^1 \\(cat\\) "
}

@test "runtime: stdin is passed to the container" {
	write_config '["cat"]'
	run bash -c 'echo hello-stdin | timeout 30 "$@"' _ "${NS_CMD[@]}" "$RT_RUN" "$B"
	is "$status" 0
	is "$output" "hello-stdin"
}

@test "runtime: /proc, /sys, /dev and devices" {
	write_config '["sh","-c","grep -E \"^proc /proc |^sysfs /sys \" /proc/mounts; echo x > /dev/null && echo null-ok; head -c 5 /dev/zero | wc -c; head -c 8 /dev/urandom | wc -c; readlink /dev/fd; readlink /dev/stdin; readlink /dev/ptmx; test -c /dev/tty && echo tty-ok; ls /dev/pts/ptmx"]'
	run_rt 0
	assert_match "$output" "proc /proc proc rw,nosuid,nodev,noexec"
	assert_match "$output" "sysfs /sys sysfs ro,"
	assert_match "$output" "null-ok"
	is "${lines[3]}" "5"
	is "${lines[4]}" "8"
	is "${lines[5]}" "/proc/self/fd"
	is "${lines[6]}" "/proc/self/fd/0"
	is "${lines[7]}" "pts/ptmx"
	is "${lines[8]}" "tty-ok"
	is "${lines[9]}" "/dev/pts/ptmx"
}

@test "runtime: masked and read-only paths" {
	write_config '["sh","-c","cat /proc/keys | wc -c; ls -A /sys/firmware | wc -l; grep \" /proc/sys \" /proc/mounts; echo 1 > /proc/sys/kernel/ns_last_pid && echo WRITABLE"]'
	run_rt
	assert_match "$output" "^0"$'\n'"0"$'\n'
	assert_match "$output" "proc /proc/sys proc ro,"
	assert_no_match "$output" "WRITABLE"
}

@test "runtime: loopback is up in a new network namespace" {
	write_config '["sh","-c","cat /sys/class/net/lo/flags; ls /sys/class/net"]'
	run_rt 0
	# IFF_UP (0x1) | IFF_LOOPBACK (0x8)
	assert_match "${lines[0]}" "^0x[0-9a-f]*9$"
	is "${lines[1]}" "lo" "only loopback"
}

@test "runtime: without a network namespace /sys is the host's, read-only" {
	write_config '["sh","-c","grep \" /sys \" /proc/self/mountinfo; ls /sys/class/net | grep -qv \"^lo$\" && echo host-net; touch /sys/x || echo ro-ok"]' \
		namespaces='[{"type":"pid"},{"type":"mount"},{"type":"uts"},{"type":"ipc"}]'
	run_rt 0
	assert_match "$output" " /sys ro,"
	assert_match "$output" "ro-ok"
}

@test "runtime: capabilities and no_new_privs" {
	local caps='["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"]'
	write_config '["sh","-c","grep -E \"^(CapEff|CapPrm|CapBnd|NoNewPrivs)\" /proc/self/status"]' \
		caps="{\"bounding\":$caps,\"effective\":$caps,\"permitted\":$caps,\"inheritable\":[],\"ambient\":[]}" \
		process=', "noNewPrivileges": true'
	run_rt 0
	# CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10
	is "${lines[0]}" "CapPrm:	0000000000000421"
	is "${lines[1]}" "CapEff:	0000000000000421"
	is "${lines[2]}" "CapBnd:	0000000000000421"
	is "${lines[3]}" "NoNewPrivs:	1"

	write_config '["sh","-c","grep -E \"^(CapEff|NoNewPrivs)\" /proc/self/status"]' \
		caps='{"bounding":[],"effective":[],"permitted":[]}' process=', "noNewPrivileges": false'
	run_rt 0
	is "${lines[0]}" "CapEff:	0000000000000000"
	is "${lines[1]}" "NoNewPrivs:	0"

	write_config '["true"]' caps='{"bounding":["CAP_NO_SUCH"]}'
	run_rt 125
	assert_match "$output" "unknown capability 'CAP_NO_SUCH'"
}

@test "runtime: rlimits" {
	write_config '["sh","-c","ulimit -n; ulimit -Hn"]' \
		process=', "rlimits": [{"type":"RLIMIT_NOFILE","soft":512,"hard":1000}]'
	run_rt 0
	is "${lines[0]}" "512"
	is "${lines[1]}" "1000"
	# above our hard limit (which needs CAP_SYS_RESOURCE on the host): clamped
	local hard
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || skip "no finite hard limit on open files here"
	write_config '["sh","-c","ulimit -n; ulimit -Hn"]' \
		process=", \"rlimits\": [{\"type\":\"RLIMIT_NOFILE\",\"soft\":$((hard * 2)),\"hard\":$((hard * 2))}]"
	run_rt 0
	is "${lines[0]}" "$hard"
	is "${lines[1]}" "$hard"
}

@test "runtime: bind mounts of a file and a directory, read-only" {
	printf '127.0.0.1 localhost\n10.1.2.3 rt-host\n' >"$T/hosts"
	mkdir -p "$T/vol"
	echo in-volume >"$T/vol/file"
	write_config '["sh","-c","cat /etc/hosts; cat /data/vol/file; echo x >> /etc/hosts || echo hosts-ro; echo new > /data/vol/new && echo vol-rw; grep containerenv /proc/self/mountinfo"]' \
		extra_mounts="{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"$T/hosts\",\"options\":[\"bind\",\"ro\",\"nosuid\",\"nodev\"]},
		{\"destination\":\"/data/vol\",\"type\":\"bind\",\"source\":\"$T/vol\",\"options\":[\"rbind\",\"rw\"]},
		{\"destination\":\"/run/.containerenv\",\"type\":\"bind\",\"source\":\"$T/hosts\",\"options\":[\"rbind\",\"rprivate\",\"nosuid\",\"nodev\",\"noexec\",\"ro\"]}"
	run_rt 0
	is "${lines[0]}" "127.0.0.1 localhost"
	is "${lines[1]}" "10.1.2.3 rt-host"
	is "${lines[2]}" "in-volume"
	assert_match "$output" "hosts-ro"
	assert_match "$output" "vol-rw"
	assert_match "$output" " /run/.containerenv ro,nosuid,nodev,noexec"
	is "$(cat "$T/vol/new")" "new"
	is "$(cat "$T/hosts")" $'127.0.0.1 localhost\n10.1.2.3 rt-host' "the ro source is unchanged"
}

@test "runtime: a read-only root" {
	write_config '["sh","-c","touch /newfile || echo root-ro; touch /dev/shm/x && echo shm-rw; touch /tmp/x || echo tmp-ro"]' readonly=true
	run_rt 0
	assert_match "$output" "root-ro"
	assert_match "$output" "shm-rw"
	assert_match "$output" "tmp-ro"
	[ ! -e "$B/rootfs/newfile" ]
}

@test "runtime: symlinks in the rootfs cannot lead mounts outside it" {
	mkdir -p "$T/outside" "$T/outside-dev"
	rm -rf "$B/rootfs/etc"
	ln -s "$T/outside" "$B/rootfs/etc"      # absolute, pointing at the host
	ln -s ../../../../../../../../outside2 "$B/rootfs/mnt" # relative, climbing out
	echo "from-host" >"$T/hosts"
	mkdir -p "$T/vol"
	# no /dev mount: the devices go into the image's /dev, a symlink out
	ln -s "$T/outside-dev" "$B/rootfs/dev"
	write_config '["sh","-c","cat /etc/hosts; ls /mnt/vol; ls /dev/null"]' \
		mounts="$PROC_MOUNT,
		{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"$T/hosts\",\"options\":[\"bind\",\"ro\"]},
		{\"destination\":\"/mnt/vol\",\"type\":\"bind\",\"source\":\"$T/vol\",\"options\":[\"rbind\"]}"
	run_rt 0
	is "${lines[0]}" "from-host"
	is "${lines[1]}" "/dev/null"
	# nothing was created or mounted on the host side
	is "$(ls -A "$T/outside")" "" "the host directory behind /etc stays empty"
	is "$(ls -A "$T/outside-dev")" "" "the host directory behind /dev stays empty"
	[ ! -e "$T/outside2" ]
	[ ! -e "$(dirname "$T")/outside2" ]
	# ...but inside the rootfs, where the symlinks lead when / is the rootfs
	[ -f "$B/rootfs$T/outside/hosts" ]
	[ -d "$B/rootfs/outside2/vol" ]
	[ -f "$B/rootfs$T/outside-dev/null" ]
}

@test "runtime: a symlink through /proc magic links is refused" {
	# once /proc is mounted in the rootfs, /proc/self/root is the host's
	# root until pivot_root: resolution must not follow it
	mkdir -p "$T/escape"
	echo "from-host" >"$T/hosts"
	ln -s "/proc/self/root$T/escape/hosts" "$B/rootfs/etc/hosts"
	write_config '["cat","/etc/hosts"]' \
		extra_mounts="{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"$T/hosts\",\"options\":[\"bind\"]}"
	run_rt 125
	assert_match "$output" "^burrow: cannot resolve '/etc/hosts' in the rootfs: "
	is "$(ls -A "$T/escape")" "" "nothing was created on the host"
}

@test "runtime: a bind mount's options go on it, not on where its path leads once mounted" {
	# /app/data leads to /app until the volume covers /app; then the same
	# path leads through the volume's own "data" symlink to /proc
	mkdir -p "$B/rootfs/app/x" "$T/vol"
	ln -s /app/x/.. "$B/rootfs/app/data"
	echo original >"$T/vol/f"
	ln -s /proc "$T/vol/data"
	write_config '["sh","-c","echo changed > /app/f && echo WRITABLE"]' \
		extra_mounts="{\"destination\":\"/app/data\",\"type\":\"bind\",\"source\":\"$T/vol\",\"options\":[\"rbind\",\"ro\"]}"
	run_rt
	assert_no_match "$output" "WRITABLE"
	is "$(cat "$T/vol/f")" "original" "the read-only volume was written"
	is "$status" 125
	assert_match "$output" "^burrow: cannot bind '$T/vol' on '/app/data': the path leads elsewhere once mounted"
}

@test "runtime: a terminal" {
	write_config '["sh","-c","tty; [ -t 0 ] && [ -t 1 ] && echo is-a-tty; test -e /dev/console && echo console; stat -c gid=%g $(tty)"]'
	run_rt 0 -t </dev/null
	assert_match "$output" "/dev/pts/0"
	assert_match "$output" "is-a-tty"
	assert_match "$output" "console"
	# devpts gets gid=5 (tty) when the namespace maps it, else it is left out
	local map want=gid=0
	map=$(timeout 20 "${NS_CMD[@]}" cat /proc/self/gid_map)
	if awk '$1 <= 5 && 5 < $1 + $3 { ok = 1 } END { exit !ok }' <<<"$map"; then want=gid=5; fi
	assert_match "$output" "$want"
}

@test "runtime: no file descriptor leaks into the container" {
	write_config '["ls","/proc/self/fd"]'
	run_rt 0 3</dev/null 4</dev/null 7</dev/null
	# 0-2 and the one ls opened to list the directory
	is "$(echo $output)" "0 1 2 3"
}

@test "runtime: no file descriptor leaks into the container on a kernel without close_range" {
	# Linux before 5.11 has no CLOSE_RANGE_CLOEXEC (before 5.9 no close_range)
	write_config '["ls","/proc/self/fd"]'
	run_rt 0 -K 3</dev/null 4</dev/null 7</dev/null
	is "$(echo $output)" "0 1 2 3"
}

@test "runtime: the container dies with the process that started it" {
	# a container nobody watches any more would run on while burrow says
	# it exited (and its rootfs is unmounted under it)
	write_config '["sh","-c","echo started; exec sleep 20"]'
	cat >"$T/kill-parent.sh" <<-'EOF'
		"$1" "$2" >"$3/ctr.out" 2>&1 &
		rt=$!
		i=0
		until grep -q started "$3/ctr.out" 2>/dev/null; do
			i=$((i + 1)); [ $i -lt 100 ] || { echo "the container did not start"; exit 1; }
			sleep 0.05
		done
		ctr=$(cat /proc/$rt/task/$rt/children)
		kill -9 $rt
		i=0
		while [ -d /proc/$ctr ] && [ "$(cut -d' ' -f3 /proc/$ctr/stat 2>/dev/null)" != Z ]; do
			i=$((i + 1)); [ $i -lt 100 ] || { echo "container init $ctr still runs after its parent died"; kill -9 $ctr; exit 1; }
			sleep 0.05
		done
		echo gone
	EOF
	run timeout 30 "${NS_CMD[@]}" sh "$T/kill-parent.sh" "$RT_RUN" "$B" "$T"
	is "$output" "gone"
	is "$status" 0
}

@test "runtime: a user and groups from config.json" {
	local map
	map=$(timeout 20 "${NS_CMD[@]}" cat /proc/self/uid_map)
	write_config '["id"]' process=', "user": {"uid": 1000, "gid": 1000, "additionalGids": [1001]}'
	if awk '$1 <= 1000 && 1000 < $1 + $3 { ok = 1 } END { exit !ok }' <<<"$map"; then
		run_rt 0
		is "$output" "uid=1000 gid=1000 groups=1001"
	else
		# a single-ID namespace maps 0 only
		run_rt 125
		assert_match "$output" "cannot switch to group 1000: Invalid argument"
		assert_match "$output" "hint: group 1000 is not mapped in burrow's user namespace"
	fi
}

@test "runtime: setup errors are reported by the init" {
	write_config '["true"]' extra_mounts='{"destination":"/mnt","type":"bind","source":"/no/such/dir","options":["rbind"]}'
	run_rt 125
	is "$output" "burrow: cannot bind '/no/such/dir' on '/mnt': No such file or directory"
	write_config '["true"]' namespaces='[{"type":"pid"},{"type":"uts"}]'
	run_rt 125
	assert_match "$output" "a new mount namespace is required"
}

@test "runtime: a namespace path /proc/PID/ns/NAME with burrowPidStart is refused once PID is not the process that started then" {
	# a process in a uts namespace of the user namespace the runtime runs
	# in, which the bundle names
	command -v unshare >/dev/null || need_or_fail "unshare (util-linux)"
	"${NS_CMD[@]}" unshare -u sh -c 'echo $$ >"$0"; exec sleep 60' "$T/holder.pid" >/dev/null 2>&1 3>&- &
	local pid= st
	for _ in $(seq 200); do
		pid=$(cat "$T/holder.pid" 2>/dev/null) && [ -n "$pid" ] && break
		sleep 0.05
	done
	st=$(proc_start "$pid")
	ns_list() { echo "[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\",\"path\":\"$1\",\"burrowPidStart\":$2}]"; }
	write_config '["true"]' hostname= namespaces="$(ns_list "/proc/$pid/ns/uts" $((st + 1)))"
	run_rt 125
	assert_match "$output" "cannot join the namespace '/proc/$pid/ns/uts': its process ended"
	# its own start time passes
	write_config '["true"]' hostname= namespaces="$(ns_list "/proc/$pid/ns/uts" "$st")"
	run_rt 0
	write_config '["true"]' hostname= namespaces="$(ns_list "/proc/self/ns/uts" "$st")"
	run_rt 125
	assert_match "$output" "burrowPidStart needs a path /proc/PID/ns/NAME"
	kill "$pid"
}

@test "runtime: a seccomp filter" {
	local filter='{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_AARCH64"],
	  "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
	    {"names":["chmod"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":511,"op":"SCMP_CMP_EQ"}]},
	    {"names":["fchmodat"],"action":"SCMP_ACT_ERRNO","args":[{"index":2,"value":511,"op":"SCMP_CMP_EQ"}]},
	    {"names":["no_such_syscall_anywhere"],"action":"SCMP_ACT_ERRNO"}]}'
	local script='mkdir /tmp/d 2>&1; touch /tmp/f; chmod 755 /tmp/f && echo chmod-755-ok; chmod 777 /tmp/f 2>&1; grep Seccomp: /proc/self/status'
	local nnp
	for nnp in true false; do
		write_config "[\"sh\",\"-c\",\"$script\"]" seccomp="$filter" process=", \"noNewPrivileges\": $nnp"
		run_rt 0
		assert_match "${lines[0]}" "Permission denied"
		is "${lines[1]}" "chmod-755-ok"
		assert_match "${lines[2]}" "Operation not permitted"
		is "${lines[3]}" "Seccomp:	2"
	done
	write_config '["true"]' seccomp='{"defaultAction":"SCMP_ACT_NOTIFY"}'
	run_rt 125
	assert_match "$output" "unsupported action 'SCMP_ACT_NOTIFY'"
}
