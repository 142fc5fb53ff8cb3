#!/usr/bin/env bats
# pause and unpause through the cgroup v2 freezer. tools/run-integration.sh
# runs this suite alone, as burrow-t1 in a cgroup2 subtree delegated to
# it and as root in a cgroup of its own (the normal passes never run it): every container then gets a
# cgroup burrow-ID of its own under the user's cgroup, and pause writes
# its cgroup.freeze instead of sending SIGSTOP. There a real systemd --user
# can run too (it makes its own cgroups): a generate systemd --new unit
# is started and stopped by it.

load helpers

suite_setup() {
	CG_MNT=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break }
		$(i + 1) == "cgroup2" && $4 == "/" { print $5; exit }' /proc/self/mountinfo)
	local own
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	CG_OWN=$CG_MNT$own
	if [ -z "$CG_MNT" ] || [ "$own" = / ] || [ ! -w "$CG_OWN/cgroup.procs" ]; then
		skip "not in a cgroup2 delegated to $(id -un) (tools/run-integration.sh runs this suite in one)"
	fi
	import_busybox
}

# The cgroup2 directory of process $1.
cgroup_of() {
	echo "$CG_MNT$(sed -n 's/^0:://p' "/proc/$1/cgroup")"
}

# kill_cgroup DIR: every process in DIR and below killed (bounded), then
# the cgroups removed, deepest first.
kill_cgroup() {
	local d i p
	[ -d "$1" ] || return 0
	for i in $(seq 50); do
		p=$(find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null)
		[ -n "$p" ] || break
		kill -KILL $p 2>/dev/null || true
		sleep 0.1
	done
	for d in $(find "$1" -mindepth 1 -depth -type d) "$1"; do
		for i in $(seq 50); do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
	done
}

suite_teardown() {
	if [ -n "${SD_CG:-}" ]; then
		"${IN_SD[@]}" systemctl --user exit 2>/dev/null || true
		kill_namespace_of "$(keeper_pid "$SD_DIR/run/burrow/keeper.pid")"
		kill_cgroup "$SD_CG"
	fi
}

# start_user_systemd: a real systemd --user of this user, in a cgroup of
# its own under the delegated one (it makes init.scope and app.slice
# there). systemd refuses a user instance where PID 1 is not systemd
# (sd_booted: /run/systemd/system), so it runs in a user namespace of its
# own (this user mapped to itself, no root) with a private tmpfs there,
# its capabilities dropped. IN_SD runs a command in its namespaces and
# cgroup, with its XDG dirs (burrow's keeper must be made in there: one
# of the test's own user namespace could not be joined from it).
start_user_systemd() {
	local sd p
	sd=$(command -v systemd || echo /lib/systemd/systemd)
	[ -x "$sd" ] && command -v systemctl >/dev/null && command -v nsenter >/dev/null &&
		command -v setpriv >/dev/null || need_or_fail "systemd, systemctl, nsenter and setpriv"
	SD_DIR=$BATS_TEST_TMPDIR/sd
	mkdir -p "$SD_DIR/data" "$SD_DIR/config/containers"
	mkdir -m 0700 -p "$SD_DIR/run"
	cp "$XDG_CONFIG_HOME/containers/registries.conf" "$SD_DIR/config/containers/"
	SD_CG=$CG_OWN/sd-$BATS_SUITE_TEST_NUMBER
	mkdir "$SD_CG"
	# shellcheck disable=SC2016
	XDG_RUNTIME_DIR=$SD_DIR/run XDG_DATA_HOME=$SD_DIR/data XDG_CONFIG_HOME=$SD_DIR/config \
		sh -c 'echo $$ >"$0/cgroup.procs" && exec unshare --map-current-user --keep-caps -m sh -c "
			d=/run/systemd; [ -d \$d ] || d=/run
			mount -t tmpfs -o mode=755 tmpfs \$d && mkdir -p /run/systemd/system &&
			exec setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all \"\$0\" --user" "$1"' \
		"$SD_CG" "$sd" >"$SD_DIR/systemd.log" 2>&1 3>&- &
	SD_PID=$!
	IN_SD=(env XDG_RUNTIME_DIR="$SD_DIR/run" XDG_DATA_HOME="$SD_DIR/data" XDG_CONFIG_HOME="$SD_DIR/config"
		sh -c 'echo $$ >"$0/cgroup.procs" && p=$1 && shift && exec nsenter -t "$p" -U -m --preserve-credentials "$@"'
		"$SD_CG" "$SD_PID")
	for p in $(seq 300); do
		[ -S "$SD_DIR/run/systemd/private" ] && return 0
		sleep 0.1
	done
	echo "systemd --user did not start within 30 s: $(cat "$SD_DIR/systemd.log")" >&2
	return 1
}

@test "cgroup2: info says pause freezes through the delegated cgroup" {
	run_burrow 0 info --format '{{.Host.PauseMechanism}} {{.Host.FreezerCgroup}}'
	assert_match "$output" "^cgroup2-freezer $CG_MNT/"
}

@test "cgroup2: pause freezes the container's own cgroup (no SIGSTOP); unpause thaws it" {
	run_burrow 0 run -d --name f busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done'
	local id=$output pid cg
	pid=$(pid_of f)
	cg=$(cgroup_of "$pid")
	is "$cg" "$CG_OWN/burrow-${id:0:12}" "the init's cgroup"
	grep -qx 'frozen 0' "$cg/cgroup.events"
	sleep 0.3
	run_burrow 0 pause f
	grep -qx 'frozen 1' "$cg/cgroup.events"
	is "$(cat "$cg/cgroup.freeze")" 1
	# frozen by the cgroup, not stopped by a signal: no process shows T
	local p
	for p in $(cat "$cg/cgroup.procs"); do
		[ "$(proc_state "$p")" != T ] || { echo "process $p is SIGSTOPped" >&2; false; }
	done
	is "$("$BURROW" inspect --format '{{.State.Status}} {{.State.Paused}}' f)" "paused true"
	local n
	n=$(log_still f)
	run_burrow 0 unpause f
	grep -qx 'frozen 0' "$cg/cgroup.events"
	is "$("$BURROW" inspect --format '{{.State.Status}}' f)" "running"
	# output again
	wait_logged f $((n + 1))
	run_burrow 0 stop -t 0 f
	[ ! -e "$cg" ] || { echo "its cgroup $cg is left" >&2; false; }
}

@test "cgroup2: stop and rm -f of a frozen container work; its cgroup goes" {
	run_burrow 0 run -d --name ps1 busybox sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done'
	local id1=$output
	# its handler is in place before the pause
	local i pid
	pid=$(pid_of ps1)
	for i in $(seq 600); do
		[ $((0x$(sed -n 's/^SigCgt:\t//p' "/proc/$pid/status") & (1 << 14))) -ne 0 ] && break
		sleep 0.05
	done
	run_burrow 0 pause ps1
	run_burrow 0 stop -t 5 ps1
	assert_no_match "$output" "resorting to SIGKILL"
	run_burrow 0 inspect --format '{{.State.ExitCode}}' ps1
	is "$output" 3 "its stop signal reached it once thawed"
	[ ! -e "$CG_OWN/burrow-${id1:0:12}" ] || { echo "the cgroup of ps1 is left" >&2; false; }
	run_burrow 0 run -d --name ps2 busybox sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	local id2=$output
	pid=$(pid_of ps2)
	run_burrow 0 pause ps2
	grep -qx 'frozen 1' "$CG_OWN/burrow-${id2:0:12}/cgroup.events"
	run_burrow 0 rm -f -t 0 ps2
	[ ! -e "/proc/$pid" ] || { echo "its init $pid is still there" >&2; false; }
	[ ! -e "$CG_OWN/burrow-${id2:0:12}" ] || { echo "the cgroup of ps2 is left" >&2; false; }
	run_burrow 0 run -d --name ps3 busybox sleep 100
	run_burrow 0 pause ps3
	run_burrow 0 kill ps3
	run_burrow 0 wait ps3
	is "$output" 137 "SIGKILL ends a frozen container"
}

# The pid of the process whose command line is $1 (arguments joined by
# spaces), of this user's.
pid_of_cmdline() {
	local p
	for p in /proc/[0-9]*; do
		[ -O "$p" ] && [ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" = "$1 " ] && { echo "${p#/proc/}"; return; }
	done
	return 0
}

@test "cgroup2: an exec'd process joins the container's cgroup; one outside it is SIGSTOPped by pause" {
	run_burrow 0 run -d --name e busybox sleep 1000
	local id=$output cg pid
	cg=$CG_OWN/burrow-${id:0:12}
	run_burrow 0 exec -d e sleep 999
	pid=$(pid_of_cmdline "sleep 999")
	[ -n "$pid" ] || { echo "no exec'd process found" >&2; false; }
	is "$(cgroup_of "$pid")" "$cg" "the exec'd process's cgroup"
	run_burrow 0 pause e
	grep -qx 'frozen 1' "$cg/cgroup.events"
	[ "$(proc_state "$pid")" != T ] || { echo "the exec'd process was SIGSTOPped" >&2; false; }
	run_burrow 0 unpause e
	# one that left the cgroup (as when exec could not move it) still stops
	echo "$pid" >"$CG_OWN/cgroup.procs"
	run_burrow 0 pause e
	wait_proc_state "$pid" T
	run_burrow 0 unpause e
	[ "$(proc_state "$pid")" != T ] || { echo "the process outside the cgroup is still stopped" >&2; false; }
	run_burrow 0 rm -f -t 0 e
}

@test "cgroup2: a pause while exec starts its process waits until it runs, then freezes it with the rest" {
	run_burrow 0 run -d --name w busybox sleep 1000
	local id=$output cg pid rc=0
	cg=$CG_OWN/burrow-${id:0:12}
	# exec waits 2 s between starting its process and moving it into the
	# cgroup: the pause lands in that window
	BURROW_TEST_EXEC_JOIN_DELAY_MS=2000 timeout 20 "$BURROW" exec w sleep 3 >"$BATS_TEST_TMPDIR/exec.out" 2>&1 &
	local ex=$! lock=$XDG_RUNTIME_DIR/burrow/locks/$id.lock i
	# the pause comes once exec holds the container's lock (from its check
	# until its process runs), not after a fixed time a loaded machine can
	# outlast (bounded: 20 s)
	for i in $(seq 400); do
		flock -n "$lock" true || break
		sleep 0.05
	done
	! flock -n "$lock" true
	run_burrow 0 pause w
	# never caught half-started (outside the cgroup, or before its exec)
	pid=$(pid_of_cmdline "sleep 3")
	[ -n "$pid" ] || { echo "pause returned before the exec'd process ran" >&2; false; }
	is "$(cgroup_of "$pid")" "$cg" "the exec'd process's cgroup"
	grep -qx 'frozen 1' "$cg/cgroup.events"
	[ "$(proc_state "$pid")" != T ] || { echo "the exec'd process was SIGSTOPped" >&2; false; }
	run_burrow 0 unpause w
	wait "$ex" || rc=$?
	is "$rc" 0 "exec's exit code ($(cat "$BATS_TEST_TMPDIR/exec.out"))"
	run_burrow 0 rm -f -t 0 w
}

@test "cgroup2: the limits flags still warn where the controllers are cgroup v1's" {
	[ "$CG_MNT" != /sys/fs/cgroup ] || skip "the controllers are cgroup v2's here"
	run_burrow 0 run --rm --memory 64m --pids-limit 10 busybox true
	assert_match "$output" "Resource limits are not supported and ignored on cgroups V1 rootless systems"
}

@test "cgroup2: a real systemd --user: systemctl --user start of a generate systemd --new unit runs the container, stop removes it" {
	start_user_systemd
	local tar=$BATS_RUN_TMPDIR/busybox.tar unit=$SD_DIR/run/systemd/user/container-web.service
	"${IN_SD[@]}" "$BURROW" import --change 'CMD ["sh"]' "$tar" busybox
	"${IN_SD[@]}" "$BURROW" create --name web busybox sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	mkdir -p "${unit%/*}"
	"${IN_SD[@]}" "$BURROW" generate systemd --new --name --no-header web >"$unit"
	"${IN_SD[@]}" systemctl --user daemon-reload
	run timeout 60 "${IN_SD[@]}" systemctl --user start container-web.service
	is "$status" 0 "systemctl --user start: $output"
	run "${IN_SD[@]}" "$BURROW" inspect --format '{{.State.Status}} {{.HostConfig.AutoRemove}} {{.State.ConmonPid}}' web
	is "$status" 0 "$output"
	local st rm mon
	read -r st rm mon <<<"$output"
	is "$st $rm" "running true" "a new container of the unit (--rm), running"
	# Type=notify: systemd heard the monitor's MAINPID
	is "$("${IN_SD[@]}" systemctl --user show -p MainPID --value container-web.service)" "$mon" "the unit's main pid is the monitor"
	is "$("${IN_SD[@]}" systemctl --user is-active container-web.service)" active
	run timeout 60 "${IN_SD[@]}" systemctl --user stop container-web.service
	is "$status" 0 "systemctl --user stop: $output"
	is "$("${IN_SD[@]}" "$BURROW" ps -aq)" "" "stopped and removed"
	run "${IN_SD[@]}" systemctl --user is-active container-web.service
	is "$output" inactive
}

@test "cgroup2: the container's cgroup namespace is rooted at its own cgroup (0::/ inside, as podman's); the monitor is not in it" {
	run_burrow 0 run -d --name ns busybox sleep 1000
	local id=$output
	run_burrow 0 exec ns grep '^0::' /proc/self/cgroup
	is "$output" "0::/"
	run_burrow 0 exec ns grep '^0::' /proc/1/cgroup
	is "$output" "0::/"
	is "$(cat "$CG_OWN/burrow-${id:0:12}/cgroup.procs" | wc -l)" 1 "only the init in its cgroup"
	run_burrow 0 rm -f -t 0 ns
}
