#!/usr/bin/env bats
# burrow update (container/update.h): a container's settings changed after
# create; a running container's monitor takes the new restart policy when
# the container ends.

load helpers

suite_setup() {
	import_busybox
}

suite_teardown() {
	rm_containers
}

@test "update --restart: a running container's monitor restarts it by the new policy" {
	# it ends once /tmp/go exists (kept in its upper dir: a restart ends at once)
	run_burrow 0 run -d --name u busybox sh -c 'echo ran; while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 3'
	local id=$output
	run_burrow 0 inspect --format '{{.HostConfig.RestartPolicy.Name}}' u
	is "$output" ""
	run_burrow 0 update --restart=on-failure:2 u
	is "$output" "$id" "update prints the ID"
	run_burrow 0 inspect --format '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' u
	is "$output" "on-failure 2"
	run_burrow 0 exec u touch /tmp/go
	# the first run and two restarts (the count is 2 already while the
	# last restart waits: the third "ran" tells it ran)
	local i
	for i in $(seq 1 200); do
		run_burrow 0 logs u
		[ "$output" = $'ran\nran\nran' ] && break
		sleep 0.1
	done
	is "$output" $'ran\nran\nran' "the first run and two restarts"
	wait_inspect u '{{.State.Status}} {{.State.Restarting}} {{.RestartCount}} {{.State.ExitCode}}' "exited false 2 3"
	# and no more
	sleep 1
	run_burrow 0 logs u
	is "$output" $'ran\nran\nran' "no third restart"
	# the policy stays with the record
	run_burrow 0 inspect --format '{{.HostConfig.RestartPolicy.Name}}' u
	is "$output" on-failure
}

@test "update --restart=no: the monitor no longer restarts it" {
	run_burrow 0 run -d --name n --restart always busybox sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 0'
	run_burrow 0 container update --restart no n
	run_burrow 0 exec n touch /tmp/go
	wait_inspect n '{{.State.Status}} {{.State.Restarting}} {{.RestartCount}}' "exited false 0"
	run_burrow 0 inspect --format '{{.HostConfig.RestartPolicy.Name}}' n
	is "$output" ""
}

@test "update: bad input changes nothing" {
	run_burrow 0 create --name c busybox true
	run_burrow 125 update c
	assert_match "$output" "update needs a setting to change"
	run_burrow 125 update --restart=sometimes c
	assert_match "$output" "--restart: .*sometimes"
	run_burrow 125 update --restart=always nosuch
	assert_match "$output" "no such container 'nosuch'"
	run_burrow 0 create --rm --name r busybox true
	run_burrow 125 update --restart=always r
	assert_match "$output" "removed when it exits \(--rm\)"
	run_burrow 0 inspect --format '{{.HostConfig.RestartPolicy.Name}}' c r
	is "${output//$'\n'/}" "" "no policy on either"
}

@test "update: limits given to a running container stay in its record after it ends (its monitor does not write its old ones back)" {
	run_burrow 0 run -d --name lim busybox sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done'
	run_burrow 0 update --memory 1g --pids-limit 50 --cpu-shares 512 lim
	run_burrow 0 inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}}' lim
	is "$output" "1073741824 50 512"
	run_burrow 0 exec lim touch /tmp/go
	wait_inspect lim '{{.State.Status}}' exited
	run_burrow 0 inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}}' lim
	is "$output" "1073741824 50 512"
}

@test "update, rename: what they change while a container waits to be restarted stays (the restart does not write the old back)" {
	run_burrow 0 run -d --name rw --restart always busybox sh -c 'exit 1'
	local n
	n=$(restarts_at_least rw 6)
	run_burrow 0 update --memory 1g rw
	run_burrow 0 rename rw rw2
	run_burrow 0 inspect --format '{{.RestartCount}}' rw2
	is "$output" "$n" "changed while it waited, not while it ran"
	wait_inspect rw2 '{{.RestartCount}}' "$((n + 1))"
	run_burrow 0 inspect --format '{{.Name}} {{.HostConfig.Memory}}' rw2
	is "$output" "rw2 1073741824"
	run_burrow 0 rm -f -t 0 rw2
}

@test "update --restart=no while a container waits out its restart backoff: the restart already decided does not happen" {
	run_burrow 0 run -d --name bo --restart always busybox sh -c 'echo ran; exit 1'
	local n
	n=$(restarts_at_least bo 6)
	run_burrow 0 inspect --format '{{.State.Restarting}} {{.RestartCount}}' bo
	is "$output" "true $n" "waiting out its backoff"
	run_burrow 0 update --restart=no bo
	# still the same wait: the update came during it
	run_burrow 0 inspect --format '{{.State.Restarting}} {{.RestartCount}}' bo
	is "$output" "true $n" "the update landed in the backoff"
	# at its end the monitor sees the new policy: no restart, the count
	# back to the restarts that happened
	wait_inspect bo '{{.State.Status}} {{.State.Restarting}} {{.RestartCount}}' "exited false $((n - 1))"
	run_burrow 0 logs bo
	is "$(printf '%s\n' "$output" | grep -c ran)" "$n" "the first run and $((n - 1)) restarts"
	run_burrow 0 inspect --format '{{.HostConfig.RestartPolicy.Name}}' bo
	is "$output" ""
	# a start runs it once more, without a restart
	run_burrow 1 start -a bo
	run_burrow 0 inspect --format '{{.State.Status}} {{.RestartCount}}' bo
	is "$output" "exited 0"
}
