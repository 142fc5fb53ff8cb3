#!/usr/bin/env bats
# burrow run's security defaults: a session keyring of the container's own,
# podman's default seccomp profile (compiled once and cached), its masked
# and read-only paths. The probe program (tests/helpers/sysprobe.c, static)
# is copied into an image made from the host's busybox.

load helpers

suite_setup() {
	import_probe
}

@test "security: a container cannot read the caller's session keyring; it has one named after it" {
	command -v keyctl >/dev/null || need_or_fail "keyctl (Debian package keyutils)"
	# a new session for this test, with a secret the caller can read
	run --separate-stderr timeout 60 keyctl session - sh -c '
		keyctl add user burrow-secret TOPSECRET @s >/dev/null || exit 9
		keyctl print %user:burrow-secret
		"$0" run --name kr probe sh -c "sysprobe find-key burrow-secret; sysprobe keyring" &&
		"$0" inspect --format "id={{.Id}}" kr && "$0" rm kr >/dev/null
	' "$BURROW"
	[ "$status" -eq 0 ] || { echo "$output$stderr" >&2; return 1; }
	is "${lines[0]}" "TOPSECRET" "the caller reads its own key"
	is "${lines[1]}" "find-key: ENOKEY" "the container found the caller's key"
	id=${lines[3]#id=}
	[ "${#id}" -eq 64 ]
	assert_match "${lines[2]}" "^[0-9]+ $id\$" "the session keyring is not named after the container"
}

@test "security: an exec can join a running container's session keyring by its name" {
	command -v keyctl >/dev/null || need_or_fail "keyctl (Debian package keyutils)"
	timeout 60 "$BURROW" run --name kr probe sh -c 'sysprobe keyring; exec sleep 60' >"$T/out" &
	mon=$!
	for _ in $(seq 600); do [ -s "$T/out" ] && break; sleep 0.05; done
	read -r serial name <"$T/out"
	[ -n "$serial" ] || { echo "the container did not start" >&2; kill "$mon"; return 1; }
	# what exec will do: join by name from burrow's user namespace
	run --separate-stderr timeout 60 "$BURROW" unshare keyctl session "$name" "$SYSPROBE" keyring
	is "$output" "$serial $name" "joined another keyring than the container's"
	run_burrow 0 rm -f kr
	wait "$mon" || true
}

# podman's errno for each call its default profile denies (as podman 4.3
# with runc gives on this kind of machine: ENOSYS for what the profile does
# not name, EPERM for what a missing capability gates, EINVAL for the audit
# socket)
DENIED="add_key=ENOSYS request_key=ENOSYS io_uring_setup=ENOSYS personality-rie=ENOSYS
perf_event_open=EPERM bpf=EPERM kcmp=EPERM userfaultfd=EPERM vmsplice=EPERM move_pages=EPERM
sethostname=EPERM clock_settime=EPERM socket-audit=EINVAL"
# and calls it allows (clone/unshare with CLONE_NEWUSER, ptrace, keyctl...)
ALLOWED="keyctl personality-linux unshare-user clone-newuser clone3-newuser ptrace setns chroot socket-inet"

@test "security: podman's default seccomp profile, and --security-opt seccomp=unconfined" {
	run_burrow 0 run --rm probe sh -c 'grep "^Seccomp:" /proc/self/status; sysprobe all'
	is "${lines[0]}" "Seccomp:	2"
	confined=$output
	run_burrow 0 run --rm --security-opt seccomp=unconfined probe sh -c 'grep "^Seccomp:" /proc/self/status; sysprobe all'
	is "${lines[0]}" "Seccomp:	0"
	unconfined=$output
	# what the kernel says to a process without our filter and, like a
	# container, without capabilities in the initial user namespace
	host=$(unshare -Ur "$SYSPROBE" all)
	local kv name want
	for kv in $DENIED; do
		name=${kv%=*} want=${kv#*=}
		is "$(probe_result "$confined" "$name")" "$want" "$name under the default profile"
		# unconfined, only the kernel can still say the same (as it
		# does to the probe outside burrow)
		if [ "$(probe_result "$unconfined" "$name")" = "$want" ]; then
			is "$(probe_result "$host" "$name")" "$want" "$name still fails with $want under unconfined"
		fi
	done
	# these nothing but the kernel decides, whatever the profile
	for name in add_key personality-rie vmsplice move_pages kcmp; do
		is "$(probe_result "$unconfined" "$name")" "$(probe_result "$host" "$name")" "$name under unconfined"
	done
	for name in $ALLOWED; do
		is "$(probe_result "$confined" "$name")" "$(probe_result "$unconfined" "$name")" "$name is allowed by podman"
	done
}

@test "security: the compiled profile is cached privately in the runtime dir, used, and rebuilt when damaged" {
	cache=$XDG_RUNTIME_DIR/burrow/seccomp
	run_burrow 0 run --rm probe true
	files=("$cache"/*.bpf)
	is "${#files[@]}" 1 "cache files"
	f=${files[0]}
	is "$(stat -c %a "$cache") $(stat -c %a "$f")" "700 600"
	# the cache is what runs: a planted program (allow everything, with
	# a checksum that matches) lets add_key through
	python3 - "$f" <<'PY'
import struct, sys
f = sys.argv[1]
b = open(f, "rb").read()
clen = struct.unpack_from("<I", b, 8)[0]
prog = bytes([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f])  # ret SECCOMP_RET_ALLOW
M = 0xffffffffffffffff
def hash64(h, data):  # runtime/seccomp.c's checksum
    n = len(data) // 8 * 8
    for (w,) in struct.iter_unpack("<Q", data[:n]):
        h = ((h ^ w) * 0x9e3779b97f4a7c15) & M
        h ^= h >> 31
    for c in data[n:]:
        h = ((h ^ c) * 0x100000001b3) & M
    return h
body = b[24:24 + clen] + prog
h = hash64(hash64(0xcbf29ce484222325, b[24:24 + clen]), prog)
open(f, "wb").write(b[:8] + struct.pack("<IIQ", clen, 1, h) + body)
PY
	run_burrow 0 run --rm probe sysprobe add_key
	is "$output" "add_key: ok" "the cached program was not used"
	# damaged: compiled afresh, and the file replaced
	printf 'XXXX' | dd of="$f" bs=1 seek=40 conv=notrunc status=none
	cp "$f" "$T/damaged"
	run_burrow 0 run --rm probe sysprobe add_key
	is "$output" "add_key: ENOSYS"
	! cmp -s "$f" "$T/damaged"
	run_burrow 0 run --rm probe sysprobe add_key
	is "$output" "add_key: ENOSYS"
	# a file others may write is not trusted
	chmod 0666 "$f"
	run_burrow 0 run --rm probe sysprobe add_key
	is "$output" "add_key: ENOSYS"
	is "$(stat -c %a "$f")" "600"
}

# podman's masked and read-only paths (containers/common; the per-CPU
# thermal_throttle directories it globs are not masked by burrow)
MASKED="/proc/acpi /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats /proc/sched_debug /proc/scsi
/proc/timer_list /proc/timer_stats /sys/devices/virtual/powercap /sys/firmware /sys/fs/selinux /sys/dev/block"
READONLY="/proc/asound /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger"

@test "security: every masked path reads empty, every read-only path is mounted read-only" {
	# inside: each path that exists, on one line. A masked directory as
	# "PATH dir ENTRIES OPTIONS FSTYPE" (of the mount at PATH, the last one),
	# a masked file as "PATH TYPE MAJOR:MINOR BYTES AFTER OPTIONS": BYTES
	# what it reads (at most 64), AFTER what it reads after a write to it;
	# a read-only path as "PATH BYTES-OR-ENTRIES OPTIONS", never written to
	local script='mnt() { awk -v p="$1" '\''$5 == p { i = 7; while ($i != "-") i++; print substr($6, 1, 2), $(i + 1) }'\'' /proc/self/mountinfo | tail -1; }
	for p in $0; do
		[ -e "$p" ] || { echo "$p absent"; continue; }
		m=$(mnt "$p")
		if [ -d "$p" ]; then
			echo "$p dir $(ls -A "$p" | wc -l) $m"
		else
			n=$(head -c 64 "$p" | wc -c)
			{ echo burrow-test >"$p"; } 2>/dev/null
			echo "$p $(stat -c "%F %t:%T" "$p" | tr " " _) $n $(head -c 64 "$p" | wc -c) ${m% *}"
		fi
	done
	for p in $1; do
		[ -e "$p" ] || { echo "$p absent"; continue; }
		if [ -d "$p" ]; then n=$(ls -A "$p" | wc -l); else n=$(head -c 64 "$p" | wc -c); fi
		m=$(mnt "$p")
		echo "$p $n ${m% *}"
	done'
	run_burrow 0 run --rm busybox sh -c "$script" "$MASKED" "$READONLY"
	local p line checked=0
	for p in $MASKED; do
		line=$(grep "^$p " <<<"$output")
		[ -e "$p" ] || continue # not on this kernel
		# a directory: a read-only tmpfs of its own, empty; a file: /dev/null
		# bound on it (reads nothing, and nothing written stays to be read)
		if [ -d "$p" ]; then
			assert_match "$line" "^$p dir 0 ro tmpfs\$" "$p is not masked"
		else
			assert_match "$line" "^$p character_special_file_1:3 0 0 rw\$" "$p is not masked"
		fi
		checked=$((checked + 1))
	done
	[ "$checked" -ge 4 ] # /proc/keys, kcore, interrupts, timer_list at least
	checked=0
	for p in $READONLY; do
		line=$(grep "^$p " <<<"$output")
		[ -e "$p" ] || continue
		assert_match "$line" "^$p [0-9]+ ro$" "$p is not read-only"
		checked=$((checked + 1))
	done
	[ "$checked" -ge 3 ]
	# and a write there is refused by the mount, not only by permissions
	run_burrow run --rm busybox sh -c 'echo burrow-test >/proc/sys/kernel/hostname'
	assert_match "$output" "Read-only file system"
}

@test "security: a masked directory is a read-only tmpfs: root in the container cannot put files there" {
	run_burrow 0 run --rm busybox sh -c 'for p in $0; do
		[ -d "$p" ] || continue
		if mkdir "$p/burrow-test" 2>/dev/null; then echo "$p writable"; else echo "$p refused"; fi
	done' "$MASKED"
	assert_no_match "$output" "writable"
	assert_match "$output" "/sys/dev/block refused"
}
