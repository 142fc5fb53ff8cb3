#!/usr/bin/env bats
# pause and unpause through the cgroup v2 freezer. tools/run-integration.sh
# runs this suite alone, as burrow-t1, in a cgroup2 subtree delegated to
# it (the normal passes never run it): every container then gets a
# cgroup burrow-ID of its own under the user's cgroup, and pause writes
# its cgroup.freeze instead of sending SIGSTOP.

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

# pid_of NAME: its init's pid.
pid_of() {
	"$BURROW" ps -a --format '{{.Names}} {{.Pid}}' | awk -v n="$1" '$1 == n { print $2 }'
}

# The state letter of process $1 (R, S, T, ...).
state_of() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1
}

# wait_state PID LETTER: until process PID is in that state (bounded, 5 s).
wait_state() {
	local i
	for i in $(seq 100); do
		[ "$(state_of "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "process $1 is in state $(state_of "$1"), not $2" >&2
	return 1
}

log_lines() {
	"$BURROW" logs "$1" | wc -l
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
		[ "$(state_of "$p")" != T ] || { echo "process $p is SIGSTOPped" >&2; false; }
	done
	is "$("$BURROW" inspect --format '{{.State.Status}} {{.State.Paused}}' f)" "paused true"
	local n1 n2
	n1=$(log_lines f)
	sleep 0.5
	n2=$(log_lines f)
	is "$n2" "$n1" "no output while frozen"
	run_burrow 0 unpause f
	grep -qx 'frozen 0' "$cg/cgroup.events"
	is "$("$BURROW" inspect --format '{{.State.Status}}' f)" "running"
	sleep 0.5
	[ "$(log_lines f)" -gt "$n2" ]
	run_burrow 0 stop -t 0 f
	[ ! -e "$cg" ] || { echo "its cgroup $cg is left" >&2; false; }
}

@test "cgroup2: stop and rm -f of a frozen container work; its cgroup goes" {
	run_burrow 0 run -d --name ps1 busybox sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done'
	local id1=$output
	# its handler is in place before the pause
	local i pid
	pid=$(pid_of ps1)
	for i in $(seq 200); do
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
	[ "$(state_of "$pid")" != T ] || { echo "the exec'd process was SIGSTOPped" >&2; false; }
	run_burrow 0 unpause e
	# one that left the cgroup (as when exec could not move it) still stops
	echo "$pid" >"$CG_OWN/cgroup.procs"
	run_burrow 0 pause e
	wait_state "$pid" T
	run_burrow 0 unpause e
	[ "$(state_of "$pid")" != T ] || { echo "the process outside the cgroup is still stopped" >&2; false; }
	run_burrow 0 rm -f -t 0 e
}

@test "cgroup2: the limits flags still warn where the controllers are cgroup v1's" {
	[ "$CG_MNT" != /sys/fs/cgroup ] || skip "the controllers are cgroup v2's here"
	run_burrow 0 run --rm --memory 64m --pids-limit 10 busybox true
	assert_match "$output" "Resource limits are not supported and ignored on cgroups V1 rootless systems"
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
