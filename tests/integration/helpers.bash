# Shared helpers for the bats suites. Every test gets its own XDG_* dirs
# (so its own keeper, state and storage); teardown kills everything the
# test started inside its namespace.

bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BURROW=${BURROW:-$TOP/burrow}
HELPERS_BIN=${HELPERS_BIN:-$TOP/build/tests/helpers}
BURROW_TIMEOUT=${BURROW_TIMEOUT:-60}
export BURROW

setup() {
	T=$BATS_TEST_TMPDIR
	export XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/config XDG_RUNTIME_DIR=$T/run
	mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME/containers"
	mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
	# never the internet: a short name of an image that is not here fails
	# at once instead of being pulled from docker.io (this file replaces
	# the system's registries.conf and its aliases)
	printf 'unqualified-search-registries = []\n' >"$XDG_CONFIG_HOME/containers/registries.conf"
	if declare -F suite_setup >/dev/null; then suite_setup; fi
}

teardown() {
	if declare -F suite_teardown >/dev/null; then suite_teardown; fi
	kill_namespace_of "$(keeper_pid)"
	# a fallback runtime dir the test made
	if [ -n "${BURROW_FALLBACK_USED:-}" ]; then
		kill_namespace_of "$(cat "/tmp/burrow-run-$(id -u)/keeper.pid" 2>/dev/null | cut -d' ' -f1)"
	fi
	return 0
}

# The keeper's pid (first field of keeper.pid in the runtime dir).
keeper_pid() {
	local f=${1:-$XDG_RUNTIME_DIR/burrow/keeper.pid}
	[ -f "$f" ] && cut -d' ' -f1 "$f"
}

# Kills every process that lives in the user namespace of pid $1.
kill_namespace_of() {
	local pid=$1 ns p
	[ -n "$pid" ] && [ -e "/proc/$pid/ns/user" ] || return 0
	ns=$(readlink "/proc/$pid/ns/user" 2>/dev/null) || return 0
	# a stale pid now naming a process of ours: never our own namespace
	[ "$ns" != "$(readlink /proc/self/ns/user)" ] || return 0
	# all stopped first, then all killed, as a machine that goes down: a
	# monitor killed after its container would have seen it end and
	# recorded an exit code (one at a time in /proc order, it sometimes did)
	local sig
	for sig in STOP KILL; do
		for p in /proc/[0-9]*; do
			# a process may exit between the readlink and the kill: not an error
			[ "$(readlink "$p/ns/user" 2>/dev/null)" = "$ns" ] && { kill -"$sig" "${p#/proc/}" 2>/dev/null || true; }
		done
	done
	return 0
}

# The start time of process $1 (field 22 of its stat), empty when gone.
proc_start() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# Whether process $1 still runs as the one that started at $2. A zombie
# does not count: it is dead, waiting for its parent to reap it.
proc_running() { # PID STARTTIME
	local f
	f=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$f" ] && [ "${f%% *}" != Z ] && [ "$(cut -d' ' -f20 <<<"$f")" = "$2" ]
}

# wait_dead PID STARTTIME [SECONDS]: until that process has ended (at
# most SECONDS, default 10).
wait_dead() {
	local i
	for i in $(seq 1 $((${3:-10} * 20))); do
		proc_running "$1" "$2" || return 0
		sleep 0.05
	done
	echo "process $1 still runs after ${3:-10} s" >&2
	return 1
}

# wait_line FILE REGEX: until a line of FILE matches (at most 20 s).
wait_line() {
	local i
	for i in $(seq 400); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "no line matching '$2' in $1 within 20 s; it holds:" >&2
	cat "$1" >&2
	return 1
}

# status_of NAME: ps -a's status of container NAME ("Up 2 seconds").
status_of() {
	"$BURROW" ps -a --format '{{.Names}} {{.Status}}' | awk -v n="$1" '$1 == n { $1 = ""; print substr($0, 2) }'
}

# wait_state NAME REGEX [SECONDS]: until ps -a's status of NAME matches
# (at most SECONDS, default 10).
wait_state() {
	local i st
	for i in $(seq 1 $((${3:-10} * 20))); do
		st=$(status_of "$1")
		[[ $st =~ $2 ]] && return 0
		sleep 0.05
	done
	echo "container $1: status '$st' did not match '$2' within ${3:-10} s" >&2
	return 1
}

# pid_of NAME: the pid of container NAME's init.
pid_of() {
	"$BURROW" ps -a --format '{{.Names}} {{.Pid}}' | awk -v n="$1" '$1 == n { print $2 }'
}

# log_lines NAME: how many lines container NAME's log has.
log_lines() {
	"$BURROW" logs "$1" | wc -l
}

# vol_names: the names 'volume ls -q' prints, on one line.
vol_names() {
	run_burrow 0 volume ls -q
	echo $output
}

# json_get JSON PYEXPR: evaluates PYEXPR over the parsed JSON (as d) and
# prints the result as JSON (types show: true, 42, "x").
json_get() {
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps(eval(sys.argv[2])))' "$1" "$2"
}

# norm_map: a uid_map or gid_map on stdin in one normalised line, ranges
# joined by commas: "0 1001 1,1 100000 65536".
norm_map() {
	awk 'NF == 3 { printf "%s%s %s %s", (n++ ? "," : ""), $1, $2, $3 } END { print "" }'
}

# proc_state PID: its state letter (R, S, T ...) from /proc/PID/stat.
proc_state() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1
}

# wait_proc_state PID T|running: until process PID is stopped (T), or is
# not (a signal takes effect after kill returns), at most 20 s.
wait_proc_state() {
	local st end=$((SECONDS + 20))
	while :; do
		st=$(proc_state "$1")
		if [ "$2" = T ]; then [ "$st" = T ]; else [ "$st" != T ]; fi && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.05
	done
	echo "process $1 is in state $st, not $2" >&2
	return 1
}

# wait_listening PORT [tcp|udp]: until a socket listens on PORT in this
# network namespace (TCP; with udp, a bound UDP socket), at most 20 s.
wait_listening() {
	local i proto=-t
	[ "${2:-tcp}" = udp ] && proto=-u
	for i in $(seq 400); do
		[ -n "$(ss -Hln $proto "sport = :$1")" ] && return 0
		sleep 0.05
	done
	echo "nothing listens on $1/${2:-tcp} after 20 s" >&2
	return 1
}

# wait_rss_below PID KB: until process PID's resident set is under KB kB
# (at most 10 s: the monitor and the keeper let go of their set-up's pages
# (mem_trim) a moment after it, which a loaded machine may run late).
wait_rss_below() {
	local i rss
	for i in $(seq 100); do
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status")
		[ "$rss" -lt "$2" ] && return 0
		sleep 0.1
	done
	echo "the RSS of process $1 is $rss kB, not under $2 kB" >&2
	return 1
}

# The processes (not zombies) in user namespace $1 (a readlink of
# /proc/PID/ns/user), one pid a line.
procs_in_userns() {
	local p st
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/user" 2>/dev/null)" = "$1" ] || continue
		st=$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f1)
		# gone meanwhile, or a zombie
		[ -n "$st" ] && [ "$st" != Z ] || continue
		echo "${p#/proc/}"
	done
}

# run_burrow [EXPECTED_RC] ARGS...: runs the binary under timeout, keeps
# $output (stdout+stderr) and $status, and checks the exit code if given.
run_burrow() {
	local expect=
	case "${1:-}" in [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) expect=$1; shift ;; esac
	if [ "$expect" = 127 ]; then
		run -127 timeout "$BURROW_TIMEOUT" "$BURROW" "$@"
	else
		run timeout "$BURROW_TIMEOUT" "$BURROW" "$@"
	fi
	if [ -n "$expect" ] && [ "$status" -ne "$expect" ]; then
		echo "command: burrow $*" >&2
		echo "expected exit $expect, got $status" >&2
		echo "output: $output" >&2
		return 1
	fi
	return 0
}

# is ACTUAL EXPECTED [DESCRIPTION]: exact string comparison.
is() {
	if [ "$1" != "$2" ]; then
		printf '%s\n  expected: %s\n  actual:   %s\n' "${3:-mismatch}" "$2" "$1" >&2
		return 1
	fi
}

# assert_match ACTUAL REGEX [DESCRIPTION]: extended regex match.
assert_match() {
	if ! [[ $1 =~ $2 ]]; then
		printf '%s\n  expected to match: %s\n  actual: %s\n' "${3:-no match}" "$2" "$1" >&2
		return 1
	fi
}

# assert_no_match ACTUAL REGEX [DESCRIPTION]
assert_no_match() {
	if [[ $1 =~ $2 ]]; then
		printf '%s\n  expected not to match: %s\n  actual: %s\n' "${3:-unexpected match}" "$2" "$1" >&2
		return 1
	fi
}

# need_or_fail WHAT: a prerequisite is missing. Fails when
# BURROW_MUST_WORK=1 (CI), skips otherwise.
need_or_fail() {
	if [ "${BURROW_MUST_WORK:-0}" = 1 ]; then
		echo "prerequisite missing: $1" >&2
		return 1
	fi
	skip "$1"
}

# Whether this user has a subordinate id range (by name or by uid).
has_subuid() {
	local u=$(id -un) n=$(id -u)
	[ "$n" = 0 ] && return 1
	grep -qE "^($u|$n):" /etc/subuid 2>/dev/null && command -v newuidmap >/dev/null
}

# import_busybox [NAME]: imports the busybox image (built once per bats run
# from the host's busybox-static) into this test's store as NAME
# (default busybox), with CMD ["sh"].
import_busybox() {
	local name=${1:-busybox} tar=$BATS_RUN_TMPDIR/busybox.tar
	if [ ! -s "$tar" ]; then
		"$TOP/tools/mkimage.sh" "$tar.tmp.$$" >/dev/null && mv "$tar.tmp.$$" "$tar"
	fi
	run_burrow 0 import --change 'CMD ["sh"]' "$tar" "$name"
}

SYSPROBE=$HELPERS_BIN/sysprobe

# import_probe: the busybox image plus /bin/sysprobe (tests/helpers/
# sysprobe.c, static), as "probe" (the tarball is built once per bats run)
import_probe() {
	import_with_helper "$SYSPROBE" probe
}

# import_with_helper BIN NAME: the busybox image plus BIN (a static helper
# of tests/helpers) as /bin/$(basename BIN), imported as NAME
import_with_helper() {
	local bin=$1 name=$2 tar=$BATS_RUN_TMPDIR/$2.tar
	[ -x "$bin" ] || {
		echo "missing $bin (make build/tests/helpers/$(basename "$bin"))" >&2
		return 1
	}
	import_busybox
	if [ ! -s "$tar" ]; then
		local d=$BATS_RUN_TMPDIR/$name.d.$$
		mkdir -p "$d/bin"
		cp "$bin" "$d/bin/"
		cp "$BATS_RUN_TMPDIR/busybox.tar" "$tar.tmp.$$"
		tar --numeric-owner --owner=0 --group=0 -C "$d" -rf "$tar.tmp.$$" "./bin/$(basename "$bin")"
		mv "$tar.tmp.$$" "$tar"
		rm -rf "$d"
	fi
	run_burrow 0 import "$tar" "$name"
}

# probe_result OUTPUT NAME: what sysprobe said about NAME in OUTPUT
probe_result() {
	sed -n "s/^$2: //p" <<<"$1"
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# no_layer_dirs: no layer and no half layer in the store $LAYERS (the locks
# are fine)
no_layer_dirs() {
	local left
	left=$(ls -A "$LAYERS" 2>/dev/null | grep -Ev '^\.locks$' || true)
	is "$left" "" "no layer (or half layer) left in the store"
}

# nothing_stored: no image, no layer, no half layer
nothing_stored() {
	run_burrow 0 images -q
	is "$output" "" "no image stored"
	no_layer_dirs
}

# mktar OUT PYTHON: writes a tar (PAX) with python3's tarfile. PYTHON calls
#   f(name, data="", mode=0o644, uid=0, gid=0, mtime=.., xattrs={})  file
#   d(name, mode=0o755, uid=0, gid=0)                                  directory
#   l(name, target)  symlink          h(name, target)  hard link
#   c(name)          char device 1:3  p(name)          fifo
mktar() {
	python3 - "$1" "$2" <<'PY'
import io, sys, tarfile
out, code = sys.argv[1], sys.argv[2]
tf = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
def _add(name, type, mode, uid=0, gid=0, data=b"", linkname="", mtime=1600000000, xattrs=None):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = type, mode, uid, gid, mtime
    ti.linkname = linkname
    if type == tarfile.CHRTYPE:
        ti.devmajor, ti.devminor = 1, 3
    if xattrs:
        ti.pax_headers = {"SCHILY.xattr." + k: v for k, v in xattrs.items()}
    if isinstance(data, str):
        data = data.encode()
    ti.size = len(data)
    tf.addfile(ti, io.BytesIO(data) if data else None)
def f(name, data="", mode=0o644, uid=0, gid=0, mtime=1600000000, xattrs=None):
    _add(name, tarfile.REGTYPE, mode, uid, gid, data, mtime=mtime, xattrs=xattrs)
def d(name, mode=0o755, uid=0, gid=0):
    _add(name, tarfile.DIRTYPE, mode, uid, gid)
def l(name, target):
    _add(name, tarfile.SYMTYPE, 0o777, linkname=target)
def h(name, target):
    _add(name, tarfile.LNKTYPE, 0o644, linkname=target)
def c(name):
    _add(name, tarfile.CHRTYPE, 0o666)
def p(name):
    _add(name, tarfile.FIFOTYPE, 0o600)
exec(code)
tf.close()
PY
}

# image_plus NAME PYTHON [CHANGE...]: the busybox image (import_busybox
# first) plus the entries PYTHON makes (mktar's f, d, l ...), imported as
# NAME; a later entry replaces the image's one of the same name.
image_plus() {
	local name=$1 code=$2 extra=$T/extra.tar out=$T/plus.tar
	shift 2
	mktar "$extra" "$code"
	python3 - "$BATS_RUN_TMPDIR/busybox.tar" "$extra" "$out" <<'PY'
import shutil, sys, tarfile
shutil.copy(sys.argv[1], sys.argv[3])
a = tarfile.open(sys.argv[3], "a")
b = tarfile.open(sys.argv[2])
for m in b.getmembers():
    a.addfile(m, b.extractfile(m) if m.isfile() else None)
a.close()
PY
	local args=(import --change 'CMD ["sh"]')
	for c in "$@"; do args+=(--change "$c"); done
	run_burrow 0 "${args[@]}" "$out" "$name"
}

# Runs a command in burrow's namespace (where layer and volume files show
# their owners).
ns() {
	timeout "$BURROW_TIMEOUT" "$BURROW" unshare "$@"
}

# Whether IDs other than 0 exist in burrow's namespace here.
many_ids() {
	[ "$(id -u)" = 0 ] || has_subuid
}

# start_sleeper NAME: `burrow run --name NAME busybox sleep 60` in the
# background ($mon is its pid), once ps lists it as running (at most 10 s).
start_sleeper() {
	"$BURROW" run --name "$1" busybox sleep 60 &
	mon=$!
	mon_start=$(proc_start "$mon")
	for _ in $(seq 200); do
		"$BURROW" ps | grep -q "$1" && return 0
		sleep 0.05
	done
	echo "container '$1' did not start within 10 s" >&2
	return 1
}
