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
# most SECONDS, default 30: a loaded machine runs the end late).
wait_dead() {
	local i
	for i in $(seq 1 $((${3:-30} * 20))); do
		proc_running "$1" "$2" || return 0
		sleep 0.05
	done
	echo "process $1 still runs after ${3:-30} s" >&2
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
# (at most SECONDS, default 30: a loaded machine runs monitors late).
wait_state() {
	local i st
	for i in $(seq 1 $((${3:-30} * 20))); do
		st=$(status_of "$1")
		[[ $st =~ $2 ]] && return 0
		sleep 0.05
	done
	echo "container $1: status '$st' did not match '$2' within ${3:-30} s" >&2
	return 1
}

# wait_inspect NAME TEMPLATE VALUE [SECONDS]: until `inspect --format
# TEMPLATE NAME` prints VALUE (at most SECONDS, default 30: a loaded
# machine runs monitors late). An inspect that fails (the container not
# made yet) counts as another value; the last one is in the message.
wait_inspect() {
	local got end=$((SECONDS + ${4:-30}))
	while :; do
		got=$(timeout "$BURROW_TIMEOUT" "$BURROW" inspect --format "$2" "$1" 2>&1) || true
		[ "$got" = "$3" ] && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	printf "container %s: inspect --format '%s' did not print '%s' within %s s\n  last: '%s'\n" \
		"$1" "$2" "$3" "${4:-30}" "$got" >&2
	return 1
}

# restarts_at_least NAME N: until NAME's RestartCount is N or more (at most
# 30 s), and prints it. The restarts back off (0.1 s, doubling): the 6th
# end waits 3.2 s before the next start.
restarts_at_least() {
	local n end=$((SECONDS + 30))
	while :; do
		n=$(timeout "$BURROW_TIMEOUT" "$BURROW" inspect --format '{{.RestartCount}}' "$1" 2>&1) || true
		[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge "$2" ] && break
		[ "$SECONDS" -lt "$end" ] || {
			echo "container $1: restart count '$n', not $2 or more within 30 s" >&2
			return 1
		}
		sleep 0.1
	done
	echo "$n"
}

# pid_of NAME: the pid of container NAME's init.
pid_of() {
	"$BURROW" ps -a --format '{{.Names}} {{.Pid}}' | awk -v n="$1" '$1 == n { print $2 }'
}

# log_lines NAME: how many lines container NAME's log has.
log_lines() {
	"$BURROW" logs "$1" | wc -l
}

# wait_logged NAME N [SECONDS]: until container NAME's log has N lines at
# least (at most SECONDS, default 20).
wait_logged() {
	local n end=$((SECONDS + ${3:-20}))
	while :; do
		n=$(log_lines "$1")
		[ "$n" -ge "$2" ] && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	echo "container $1: $n log lines, not $2 or more, within ${3:-20} s" >&2
	return 1
}

# wait_logs NAME REGEX [SECONDS]: until a line of container NAME's log
# matches REGEX (grep's basic one; at most SECONDS, default 20).
wait_logs() {
	local end=$((SECONDS + ${3:-20}))
	while :; do
		"$BURROW" logs "$1" 2>/dev/null | grep -q -- "$2" && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	echo "container $1: no line matching '$2' in its log within ${3:-20} s; it holds:" >&2
	"$BURROW" logs "$1" >&2 2>&1
	return 1
}

# log_still NAME: container NAME (paused or frozen) adds no line to its
# log in half a second, and prints how many it holds. A line written just
# before the pause may still be on its way (the monitor that writes the
# log is not paused): counted once it is there.
log_still() {
	local n1 n2
	sleep 0.3
	n1=$(log_lines "$1")
	sleep 0.5
	n2=$(log_lines "$1")
	is "$n2" "$n1" "container $1 wrote to its log while it should not run" || return 1
	echo "$n2"
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
# (at most 30 s: the monitor and the keeper let go of their set-up's pages
# (mem_trim) a moment after it, which a loaded machine may run late).
wait_rss_below() {
	local i rss
	for i in $(seq 300); do
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

# make_userns: makes burrow's namespace now (the first command does, and
# may warn about a single-ID mapping), out of the way of what a test checks.
make_userns() {
	timeout "$BURROW_TIMEOUT" "$BURROW" unshare true >/dev/null 2>&1 || true
}

# rm_store: removes this test's store from inside burrow's namespace (its
# layers, volumes and copies may belong to subordinate IDs the user cannot
# delete from outside); for a suite_teardown.
rm_store() {
	[ -d "$XDG_DATA_HOME/burrow" ] && timeout 30 "$BURROW" unshare rm -rf "$XDG_DATA_HOME/burrow" 2>/dev/null
	return 0
}

# rm_containers: removes every container of this test, whatever its state;
# for a suite_teardown.
rm_containers() {
	"$BURROW" rm -f -t 0 $("$BURROW" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
}

# make_sentinel: $OUTSIDE, a directory outside all burrow makes, holding
# the file victim ("orig"): where a hostile path would write.
make_sentinel() {
	OUTSIDE=$T/outside
	mkdir -p "$OUTSIDE"
	echo orig >"$OUTSIDE/victim"
}

# assert_outside_untouched: the sentinel is as make_sentinel made it:
# nothing new there, the file's content and link count as they were, and
# nothing mounted on it.
assert_outside_untouched() {
	is "$(ls -A "$OUTSIDE")" "victim" "files appeared in the sentinel directory"
	is "$(cat "$OUTSIDE/victim")" "orig" "the sentinel file changed"
	is "$(stat -c %h "$OUTSIDE/victim")" 1 "the sentinel file got a hard link"
	is "$(awk -v d="$OUTSIDE" '$5 == d' /proc/self/mountinfo)" "" "something is mounted on the sentinel directory"
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

# child_of PARENT NAME: commits a container of image PARENT as image NAME
# (PARENT's child); $output: its ID.
child_of() {
	run_burrow 0 create --name child-of "$1"
	run_burrow 0 commit -q child-of "$2"
	local id=$output
	run_burrow 0 rm child-of
	output=$id
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

# free_port [N]: N (default 1) free TCP ports on 127.0.0.1, one a line,
# all different: they are bound at once (two calls may get the same port,
# which was free again once the first call let it go).
free_port() {
	python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
for s in socks:
    print(s.getsockname()[1])' "${1:-1}"
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

# swapping_container NAME VOLUME: a type=bind volume VOLUME on $T/shared/dev
# and a container NAME with it at /v and $T/shared at /shared, which moves
# the device away and puts a link to $T/other (holding victim) in its place,
# as a running container may: what reads or writes the volume must not
# follow the link.
swapping_container() {
	mkdir -p "$T/shared/dev" "$T/other"
	echo kept >"$T/other/victim"
	run_burrow 0 volume create -o type=bind -o device="$T/shared/dev" "$2"
	run_burrow 0 run -d --name "$1" -v "$2:/v" -v "$T/shared:/shared" busybox \
		sh -c 'mv /shared/dev /shared/old && ln -s ../other /shared/dev && echo swapped && exec sleep 300'
	wait_logs "$1" '^swapped$' 60
	[ -L "$T/shared/dev" ]
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
# background ($mon is its pid), once ps -a says NAME is up (at most 30 s:
# a loaded machine starts it late). NAME's own status, not a grep of ps:
# "busy" is in every line's image busybox, a hex name in others' IDs.
start_sleeper() {
	"$BURROW" run --name "$1" busybox sleep 60 &
	mon=$!
	mon_start=$(proc_start "$mon")
	wait_state "$1" '^Up ' 30
}

# sleeper_killed: the foreground run whose pid is $mon (as start_sleeper
# leaves it) ended with the container's SIGKILL (137), and no container is
# left.
sleeper_killed() {
	local rc=0
	wait "$mon" || rc=$?
	is "$rc" 137 "the foreground run should end with the container's SIGKILL"
	run_burrow 0 ps -a -q
	is "$output" "" "no container left"
}

# hold_tx [FILE]: opens a transaction on FILE (burrow.tdb by default) with
# tdbtool and keeps it open until release_tx FILE (a burrow process that
# wants to write it waits). Both files may be held at once.
hold_tx() {
	local db=${1:-$XDG_DATA_HOME/burrow/burrow.tdb} tag fd
	tag=$(basename "$db" .tdb)
	command -v tdbtool >/dev/null || need_or_fail "tdbtool (Debian package tdb-tools)"
	rm -f "$T/tdbctl.$tag"
	mkfifo "$T/tdbctl.$tag"
	timeout 60 tdbtool "$db" <"$T/tdbctl.$tag" >"$T/tdbtool.$tag.out" 2>&1 &
	printf -v "TDBTOOL_$tag" %s $!
	exec {fd}>"$T/tdbctl.$tag"
	printf -v "TDBFD_$tag" %s "$fd"
	echo transaction_start >&"$fd"
	# held: tdbtool's write lock on the transaction byte (8) of the file
	local dev
	dev=$(printf '%02x:%02x:%s' $(stat -c '%Hd %Ld %i' "$db"))
	wait_line /proc/locks "^[0-9]+: POSIX +ADVISORY +WRITE +[0-9]+ $dev 8 8\$"
}

release_tx() {
	local tag pid fd
	tag=$(basename "${1:-burrow.tdb}" .tdb)
	pid=TDBTOOL_$tag fd=TDBFD_$tag
	echo transaction_cancel >&"${!fd}"
	echo quit >&"${!fd}"
	eval "exec {$fd}>&-"
	wait "${!pid}" || true
	printf -v "$pid" %s ""
}

# hold_at_tx ARGS...: runs burrow ARGS in the background until it waits
# for a transaction that hold_tx [$HOLD_DB] holds, stopped there (SIGSTOP),
# and lets the transaction go: the test runs what it races with, then
# resume_held. Its output goes to $T/run.out.
hold_at_tx() {
	hold_tx "${HOLD_DB:-}"
	BURROW_TRACE_TIMES=$T/trace "$BURROW" "$@" >"$T/run.out" 2>&1 &
	RUNPID=$!
	# stopped once it waits for the transaction (its trace marks each
	# wait's step: lib/trace.h), not after a fixed time
	wait_line "$T/trace" "^[0-9]+ $RUNPID state: backoff\$"
	kill -STOP "$RUNPID"
	release_tx "${HOLD_DB:-}"
}

# resume_held: lets hold_at_tx's command go on; RC: its exit code.
resume_held() {
	kill -CONT "$RUNPID"
	local t
	for t in $(seq 300); do kill -0 "$RUNPID" 2>/dev/null || break; sleep 0.1; done
	RC=0
	wait "$RUNPID" || RC=$?
	RUNPID=
}

# held_cleanup: for a suite_teardown that uses hold_at_tx or hold_tx.
held_cleanup() {
	[ -n "${RUNPID:-}" ] && kill -CONT "$RUNPID" 2>/dev/null && kill "$RUNPID" 2>/dev/null
	local pid
	for pid in "${TDBTOOL_burrow:-}" "${TDBTOOL_state:-}"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	return 0
}

# After a flood of clients held against a monitor limited in fds: it still
# stops its container NAME (ID) and records its end in full (exited 137,
# an exit file), its log without EMFILE.
flood_end_recorded() {
	local name=$1 id=$2
	run_burrow 0 stop -t 0 "$name"
	run_burrow 0 inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$name"
	is "$output" "exited 137"
	run cat "$XDG_DATA_HOME/burrow/containers/$id/monitor.log"
	assert_no_match "$output" "Too many open files"
	[ -s "$XDG_RUNTIME_DIR/burrow/exits/$id" ] || is "no exit file" "an exit file" "exits/$id"
}
