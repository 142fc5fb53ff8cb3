#!/usr/bin/env bats
# inspect, ps's flags (-l, -n, --filter, --sort), the container family
# (container ls/list/ps, inspect, exists, rm ...).

load helpers

suite_setup() {
	import_busybox
}

@test "inspect: a running container in podman's names and types" {
	run_burrow 0 run -d --name web --restart on-failure:3 -e FOO=bar busybox sleep 600
	id=$output
	run_burrow 0 inspect web
	json=$output
	is "$(json_get "$json" 'len(d)')" 1 "one object in the array"
	is "$(json_get "$json" 'd[0]["Id"]')" "\"$id\""
	is "$(json_get "$json" 'd[0]["Name"]')" '"web"'
	is "$(json_get "$json" 'd[0]["Path"]')" '"sleep"'
	is "$(json_get "$json" 'd[0]["Args"]')" '["600"]'
	is "$(json_get "$json" 'd[0]["ImageName"]')" '"localhost/busybox:latest"'
	is "$(json_get "$json" 'd[0]["State"]["Status"]')" '"running"'
	is "$(json_get "$json" 'd[0]["State"]["Running"]')" true
	is "$(json_get "$json" 'd[0]["State"]["Paused"]')" false
	is "$(json_get "$json" 'type(d[0]["State"]["Pid"]).__name__')" '"int"'
	is "$(json_get "$json" 'd[0]["State"]["Pid"] > 0')" true "State.Pid > 0 while it runs"
	is "$(json_get "$json" 'd[0]["State"]["ConmonPid"] > 0')" true
	is "$(json_get "$json" 'd[0]["State"]["FinishedAt"]')" '"0001-01-01T00:00:00Z"'
	# podman's RFC3339Nano in the local zone: nanoseconds, trailing zeros cut
	assert_match "$(json_get "$json" 'd[0]["State"]["StartedAt"]')" '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{0,8}[1-9](Z|[+-][0-9:]+)"$'
	assert_match "$(json_get "$json" 'd[0]["Created"]')" '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{0,8}[1-9](Z|[+-][0-9:]+)"$'
	TZ=UTC run_burrow 0 inspect --format '{{.State.StartedAt}}' web
	assert_match "$output" 'Z$'
	TZ=IST-5:30 run_burrow 0 inspect --format '{{.State.StartedAt}} {{.Created}}' web
	assert_match "$output" '^[0-9-]{10}T[0-9:.]+\+05:30 [0-9-]{10}T[0-9:.]+\+05:30$'
	is "$(json_get "$json" 'd[0]["HostConfig"]["RestartPolicy"]')" '{"Name": "on-failure", "MaximumRetryCount": 3}'
	is "$(json_get "$json" 'd[0]["RestartCount"]')" 0
	is "$(json_get "$json" '"FOO=bar" in d[0]["Config"]["Env"]')" true
	is "$(json_get "$json" 'd[0]["Config"]["Cmd"]')" '["sleep", "600"]'
	is "$(json_get "$json" 'd[0]["Config"]["Entrypoint"]')" '""' "no entrypoint: \"\", as podman 4"
	# with an entrypoint, Cmd is the rest (a list); Path/Args the whole
	run_burrow 0 create --name ep --entrypoint '["/bin/sh", "-c"]' busybox 'exit 3'
	run_burrow 0 inspect ep
	is "$(json_get "$output" 'd[0]["Config"]["Entrypoint"]')" '"/bin/sh -c"' "podman 4: the words joined"
	is "$(json_get "$output" 'd[0]["Config"]["Cmd"]')" '["exit 3"]'
	is "$(json_get "$output" 'd[0]["Path"]')" '"/bin/sh"'
	is "$(json_get "$output" 'd[0]["Args"]')" '["-c", "exit 3"]'
	run_burrow 0 rm ep
	is "$(json_get "$json" 'd[0]["HostConfig"]["AutoRemove"]')" false
	# the pid is the container's: its process runs sleep
	pid=$(json_get "$json" 'd[0]["State"]["Pid"]')
	grep -q sleep "/proc/$pid/cmdline"
}

@test "inspect: podman 4.3's Health without a healthcheck, Pod, Namespace, IsService, OCIRuntime, ExecIDs, sdNotifyMode, the /etc files, StaticDir, OCIConfigPath, GraphDriver, NetworkSettings" {
	run_burrow 0 create --name fresh busybox true
	run_burrow 0 inspect --format '{{json .State.Health}}|{{with .State.Health}}with{{end}}' fresh
	is "$output" '{"Status":"","FailingStreak":0,"Log":null}|with'
	run_burrow 0 inspect --format '[{{.Pod}}] {{.OCIRuntime}} {{json .ExecIDs}} {{.Config.sdNotifyMode}}' fresh
	is "$output" '[] burrow [] container'
	run_burrow 125 inspect --format '{{.Config.SdNotifyMode}}' fresh
	# podman's: no /etc files before a start
	run_burrow 0 inspect --format '[{{.HostsPath}}|{{.ResolvConfPath}}|{{.HostnamePath}}|{{.OCIConfigPath}}]' fresh
	is "$output" '[|||]'
	id=$("$BURROW" inspect --format '{{.Id}}' fresh)
	run_burrow 0 inspect --format '{{.StaticDir}}' fresh
	assert_match "$output" "^/.*/$id\$"
	run_burrow 0 inspect --format '[{{.Namespace}}] {{.IsService}} {{json .State.CheckpointedAt}} {{json .State.RestoredAt}}' fresh
	is "$output" '[] false "0001-01-01T00:00:00Z" "0001-01-01T00:00:00Z"'
	run_burrow 0 inspect --format '{{.GraphDriver.Name}} {{json .NetworkSettings.IPAddress}} {{json .NetworkSettings.Gateway}} {{json .NetworkSettings.MacAddress}}' fresh
	is "$output" 'overlay "" "" ""'
	run_burrow 0 run -d --name up --hostname hn busybox sh -c 'head -c 3000 /dev/zero >/written; echo written; sleep 600'
	wait_logs up '^written'
	run_burrow 0 inspect --format '{{.HostsPath}}' up
	grep -q 'hn' "$output"
	run_burrow 0 inspect --format '{{.HostnamePath}}' up
	is "$(cat "$output")" hn
	run_burrow 0 inspect --format '{{.ResolvConfPath}}' up
	grep -q '^nameserver' "$output"
	run_burrow 0 inspect --format '{{.OCIConfigPath}}' up
	grep -q '"ociVersion"' "$output"
	is "$output" "$("$BURROW" inspect --format '{{.StaticDir}}' up)/config.json"
	run_burrow 0 inspect up
	json=$output
	is "$(json_get "$json" 'sorted(d[0]["GraphDriver"]["Data"])')" '["LowerDir", "MergedDir", "UpperDir", "WorkDir"]'
	upper=$(json_get "$json" 'd[0]["GraphDriver"]["Data"]["UpperDir"]' | tr -d '"')
	is "$(stat -c %s "$upper/written")" 3000
	work=$(json_get "$json" 'd[0]["GraphDriver"]["Data"]["WorkDir"]' | tr -d '"')
	[ -d "$work" ]
	# the image's layer directories, highest first (busybox's one here)
	lower=$(json_get "$json" 'd[0]["GraphDriver"]["Data"]["LowerDir"]' | tr -d '"')
	is "$lower" "$("$BURROW" image inspect --format '{{.GraphDriver.Data.UpperDir}}' busybox)"
	[ -x "$lower/bin/sh" ] || [ -L "$lower/bin/sh" ]
	run_burrow 0 stop -t 0 up
	run_burrow 0 inspect --format '{{.GraphDriver.Data.MergedDir}}' up
	is "$output" "<no value>" "not mounted: no MergedDir"
	# --rootfs: no overlay
	run_burrow 0 create --name rf --rootfs "$lower" true
	run_burrow 0 inspect --format '[{{.GraphDriver.Name}}] {{json .GraphDriver.Data}}' rf
	is "$output" '[] null'
}

@test "inspect: podman 4.3's OciVersion, ImageDigest, Config.OnBuild, Passwd, HealthcheckOnFailureAction; ConmonPidFile and StaticDir named before the first start; State.CgroupPath only while it runs or is paused (empty in a template)" {
	run_burrow 0 create --name cgp busybox sleep 600
	run_burrow 0 inspect --format '{{.State.OciVersion}} [{{.ImageDigest}}] {{json .Config.OnBuild}} {{.Config.OnBuild}} {{.Config.Passwd}} {{.Config.HealthcheckOnFailureAction}}' cgp
	# an imported image has no manifest digest (image inspect's Digest is "" too)
	is "$output" '1.0.2-dev [] null [] true none'
	# podman's omitempty: left out of the JSON, "" in a template
	run_burrow 0 inspect cgp
	is "$(json_get "$output" '"CgroupPath" in d[0]["State"]')" false "no CgroupPath before a start"
	run_burrow 0 inspect --format '[{{.State.CgroupPath}}]' cgp
	is "$output" '[]'
	pidfile=$("$BURROW" inspect --format '{{.ConmonPidFile}}' cgp)
	static=$("$BURROW" inspect --format '{{.StaticDir}}' cgp)
	[ ! -e "$pidfile" ] && [ ! -e "$static" ]
	run_burrow 0 start cgp
	# the same paths once the start made them: the monitor's pid in the file
	run_burrow 0 inspect --format '{{.ConmonPidFile}} {{.StaticDir}}' cgp
	is "$output" "$pidfile $static"
	[ -d "$static" ]
	is "$(cat "$pidfile")" "$("$BURROW" inspect --format '{{.State.ConmonPid}}' cgp)"
	# podman's pick: the longest path of /proc/PID/cgroup's unnamed hierarchies
	pid=$("$BURROW" inspect --format '{{.State.Pid}}' cgp)
	want=$(awk -F: '$2 !~ /=/ && length($3) > length(w) { w = $3 } END { print w }' "/proc/$pid/cgroup")
	[ -n "$want" ]
	run_burrow 0 inspect --format '{{.State.CgroupPath}}' cgp
	is "$output" "$want"
	run_burrow 0 pause cgp
	run_burrow 0 inspect --format '{{.State.Status}} {{.State.CgroupPath}}' cgp
	is "$output" "paused $want"
	run_burrow 0 unpause cgp
	run_burrow 0 stop -t 0 cgp
	run_burrow 0 inspect cgp
	is "$(json_get "$output" '"CgroupPath" in d[0]["State"]')" false "no CgroupPath once it ended"
	run_burrow 0 inspect --format '[{{.State.CgroupPath}}]' cgp
	is "$output" '[]'
}

@test "inspect: HostConfig's Dns, DnsOptions, DnsSearch, ExtraHosts and GroupAdd as given, [] when none (as podman: never null, never left out)" {
	run_burrow 0 create --name plain busybox true
	run_burrow 0 inspect --format '{{json .HostConfig.Dns}} {{json .HostConfig.DnsOptions}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.ExtraHosts}} {{json .HostConfig.GroupAdd}} {{.HostConfig.Dns}}' plain
	is "$output" "[] [] [] [] [] []"
	# --group-add takes a group burrow's namespace has: only with subordinate IDs
	local group=() want='[]'
	! many_ids || { group=(--group-add 5); want='["5"]'; }
	run_burrow 0 create --name given --dns 192.0.2.1 --dns-option ndots:2 --dns-search example.com \
		--add-host h1:192.0.2.9 "${group[@]}" busybox true
	run_burrow 0 inspect --format '{{json .HostConfig.Dns}} {{json .HostConfig.DnsOptions}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.ExtraHosts}} {{json .HostConfig.GroupAdd}}' given
	is "$output" "[\"192.0.2.1\"] [\"ndots:2\"] [\"example.com\"] [\"h1:192.0.2.9\"] $want"
	run_burrow 0 rm plain given
}

@test "inspect: an exited container keeps its exit code; Pid 0, FinishedAt set" {
	run_burrow 0 run -d --name done busybox sh -c 'exit 42'
	wait_inspect done '{{.State.Status}}' exited
	run_burrow 0 inspect done
	json=$output
	is "$(json_get "$json" 'd[0]["State"]["ExitCode"]')" 42
	is "$(json_get "$json" 'd[0]["State"]["Running"]')" false
	is "$(json_get "$json" 'd[0]["State"]["Pid"]')" 0
	is "$(json_get "$json" 'd[0]["State"]["Status"]')" '"exited"'
	assert_match "$(json_get "$json" 'd[0]["State"]["FinishedAt"]')" '^"2[0-9]{3}-'
	is "$(json_get "$json" 'd[0]["HostConfig"]["RestartPolicy"]["Name"]')" '""'
	# a created container has never started
	run_burrow 0 create --name fresh --restart always busybox true
	run_burrow 0 inspect --format '{{.State.Status}} {{.State.StartedAt}} {{.HostConfig.RestartPolicy.Name}}' fresh
	is "$output" "created 0001-01-01T00:00:00Z always"
}

@test "inspect --format: fields, json, several containers; an unknown field is 125" {
	run_burrow 0 create --name a1 busybox true
	run_burrow 0 create --name a2 busybox true
	run_burrow 0 inspect --format '{{.Name}} {{.State.Status}} {{.State.Running}}' a1 a2
	is "$output" $'a1 created false\na2 created false'
	run_burrow 0 inspect -f '{{json .HostConfig.RestartPolicy}}' a1
	is "$output" '{"Name":"","MaximumRetryCount":0}'
	# an empty format is the JSON, as podman 4.3's (checked), not nothing
	run_burrow 0 inspect --format '' a1
	assert_match "$output" $'^\\[\n    \\{\n'
	assert_match "$output" '"Name": "a1",'
	run_burrow 0 image inspect --format '' busybox
	assert_match "$output" '"localhost/busybox:latest"'
	run_burrow 0 volume create vfmt
	run_burrow 0 volume inspect --format '' vfmt
	assert_match "$output" '"Name": "vfmt"'
	run_burrow 0 volume rm vfmt
	run_burrow 125 inspect --format '{{.State.Nope}}' a1
	is "$output" 'burrow: template: inspect:1:19: executing "inspect" at <.State.Nope>: can'"'"'t evaluate field Nope in type *define.InspectContainerState'
	run_burrow 125 inspect --format '{{.Nope' a1
	run_burrow 0 container inspect --format '{{.Name}}' a2
	is "$output" a2
	# podman 4's Config.StopSignal (a number), StopTimeout and Umask, with
	# their defaults and as given
	run_burrow 0 inspect --format '{{.Config.StopSignal}} {{.Config.StopTimeout}} {{.Config.Umask}}' a1
	is "$output" "15 10 0022"
	run_burrow 0 create --name a3 --stop-signal USR1 --stop-timeout 3 --umask 077 busybox true
	run_burrow 0 inspect --format '{{.Config.StopSignal}} {{.Config.StopTimeout}} {{.Config.Umask}}' a3
	is "$output" "10 3 0077"
	run_burrow 0 import --change 'CMD ["sh"]' --change 'STOPSIGNAL SIGUSR2' "$BATS_RUN_TMPDIR/busybox.tar" stopimg
	run_burrow 0 create --name a4 stopimg
	run_burrow 0 inspect --format '{{.Config.StopSignal}}' a4
	is "$output" "12" "the image's STOPSIGNAL"
	run_burrow 0 rm a1 a2 a3 a4
}

@test "inspect: a missing container is 125 with podman's message; the ones found still print; images too" {
	run_burrow 0 create --name here busybox true
	run_burrow 125 inspect nothere
	assert_match "$output" "no such object: 'nothere'"
	run_burrow 125 inspect --format '{{.Name}}' here nothere
	assert_match "$output" '(^|'$'\n'')here('$'\n''|$)'
	assert_match "$output" "no such object: 'nothere'"
	run_burrow 125 container inspect nothere
	assert_match "$output" "no such container 'nothere'"
	run_burrow 125 inspect --type container nothere
	assert_match "$output" "no such container: 'nothere'"
	# a name that is no container is looked up as an image (not with --type container)
	run_burrow 0 inspect --format '{{.Os}}' busybox
	is "$output" linux
	run_burrow 0 inspect --type image --format '{{.Os}}' busybox
	run_burrow 125 inspect --type container busybox
	run_burrow 125 container inspect busybox
	# a container of the name wins over the image, as podman's --type all
	run_burrow 0 create --name busybox busybox true
	run_burrow 0 inspect --format '{{.Name}}' busybox
	is "$output" busybox
	run_burrow 0 inspect --format '{{.State.Status}}' busybox
	is "$output" created
	run_burrow 125 inspect --type volume here
	run_burrow 125 inspect
}

# names ARGS...: the names ps ARGS lists, sorted, on one line.
names() {
	"$BURROW" ps "$@" --format '{{.Names}}' | sort | tr '\n' ' ' | sed 's/ $//'
}

@test "ps --filter: id, name, status, exited, ancestor, label; one key any, keys all" {
	import_busybox other
	run_burrow 0 run -d --name r1 busybox sleep 600
	r1=$output
	run_burrow 0 run -d --name e0 busybox sh -c 'exit 0'
	run_burrow 0 run -d --name e3 busybox sh -c 'exit 3'
	run_burrow 0 create --name c1 other true
	wait_inspect e0 '{{.State.Status}}' exited
	wait_inspect e3 '{{.State.Status}}' exited
	is "$(names -a)" "c1 e0 e3 r1"
	is "$(names --filter id=${r1:0:8})" "r1"
	is "$(names -a --filter id=$r1)" "r1"
	is "$(names -a --filter name=^e)" "e0 e3"
	is "$(names -a --filter name=e0 --filter name=c1)" "c1 e0" "same key: any"
	# a status filter lists every container, as podman (no -a needed)
	is "$(names --filter status=exited)" "e0 e3"
	is "$(names --filter status=created)" "c1"
	is "$(names --filter status=running)" "r1"
	is "$(names --filter status=stopped)" "e0 e3"
	is "$(names -a --filter exited=3)" "e3"
	is "$(names -a --filter exited=0 --filter exited=3)" "e0 e3"
	is "$(names -a --filter status=exited --filter exited=3)" "e3" "different keys: all"
	is "$(names -a --filter name=e --filter status=running)" "" "different keys: all"
	is "$(names -a --filter ancestor=other)" "c1"
	is "$(names -a --filter ancestor=busybox)" "e0 e3 r1"
	id=$("$BURROW" inspect --format '{{.Image}}' c1)
	is "$(names -a --filter ancestor=$id)" "c1" "the image's ID"
	# as podman 4.3: the whole ID only, neither a prefix nor a part
	is "$(names -a --filter ancestor=${id:0:12})" "" "an image ID prefix"
	is "$(names -a --filter ancestor=${id:3:10})" "" "an image ID substring"
	is "$(names -a --filter label=app)" "" "no container has labels"
	is "$(names -a --filter label!=app)" "c1 e0 e3 r1"
	run_burrow 125 ps --filter status=sleeping
	assert_match "$output" "status='sleeping'"
	run_burrow 125 ps --filter nope=1
	assert_match "$output" "unknown filter"
	run_burrow 125 ps --filter exited=x
	run_burrow 125 ps --filter 'name=('
}

@test "ps --filter before, since, volume (podman's); a stop --filter takes them too" {
	# created one after the other: before and since by creation time
	run_burrow 0 create --name f1 -v fvol:/data busybox true
	run_burrow 0 create --name f2 -v "$T:/host" --tmpfs /scratch busybox true
	run_burrow 0 run -d --name f3 -v fvol:/other busybox sleep 600
	f1=$("$BURROW" inspect --format '{{.Id}}' f1)
	is "$(names -a --filter before=f3)" "f1 f2"
	is "$(names -a --filter since=f1)" "f2 f3"
	is "$(names -a --filter since=${f1:0:12})" "f2 f3" "an ID prefix"
	is "$(names -a --filter since=f1 --filter before=f3)" "f2" "different keys: all"
	# the one named need not be listed: without -a only running ones are
	is "$(names --filter since=f1)" "f3"
	# a named volume by its name, any mount by its destination
	is "$(names -a --filter volume=fvol)" "f1 f3"
	is "$(names -a --filter volume=/host)" "f2"
	is "$(names -a --filter volume=/scratch)" "f2"
	is "$(names -a --filter volume=/other/)" "f3" "a trailing slash"
	is "$(names -a --filter volume=nope)" ""
	run_burrow 125 ps -a --filter since=nosuch
	is "$output" "burrow: --filter since='nosuch': no such container"
	run_burrow 125 ps -a --filter before=
	# the verbs that take --filter take them
	run_burrow 0 stop -t 0 --filter since=f2
	is "${lines[-1]}" "$("$BURROW" inspect --format '{{.Id}}' f3)" "(after the SIGKILL warning)"
	wait_inspect f3 '{{.State.Status}}' exited
	run_burrow 0 rm f1 f2 f3
}

@test "ps's IMAGE, inspect's ImageName and Config.Image: the name that found the image, as podman; ancestor= takes it or the name as typed, whole" {
	run_burrow 0 tag busybox other:1
	run_burrow 0 create --name short busybox true
	run_burrow 0 create --name full localhost/busybox:latest true
	run_burrow 0 create --name tagged other:1 true
	run_burrow 0 ps -a --sort names --format '{{.Names}} {{.Image}}'
	is "$output" "full localhost/busybox:latest
short localhost/busybox:latest
tagged localhost/other:1"
	# the table's IMAGE column
	run_burrow 0 ps -a --filter name=short
	assert_match "$(sed -n 2p <<<"$output")" '^[0-9a-f]{12} +localhost/busybox:latest +true '
	run_burrow 0 ps -a --filter name=short --format json
	is "$(json_get "$output" 'd[0]["Image"]')" '"localhost/busybox:latest"'
	for n in short full; do
		run_burrow 0 inspect --format '{{.ImageName}} {{.Config.Image}}' $n
		is "$output" "localhost/busybox:latest localhost/busybox:latest" "inspect $n"
	done
	run_burrow 0 inspect --format '{{.ImageName}}' tagged
	is "$output" "localhost/other:1"
	# the name as typed or as found, whole (podman 4.3 compares them)
	is "$(names -a --filter ancestor=busybox)" "short"
	is "$(names -a --filter ancestor=busybox:latest)" ""
	for want in localhost/busybox localhost/busybox:latest; do
		is "$(names -a --filter ancestor=$want)" "full short" "--filter ancestor=$want"
	done
	is "$(names -a --filter ancestor=other:1)" "tagged"
	is "$(names -a --filter ancestor=localhost/other:1)" "tagged"
	# not a regular expression: n.n is not nxn, a part is not the name
	# (no hex digit in it: never an ID's prefix)
	run_burrow 0 tag busybox nxn
	run_burrow 0 create --name fromnxn nxn true
	is "$(names -a --filter ancestor=nxn)" "fromnxn"
	is "$(names -a --filter ancestor=localhost/nxn)" "fromnxn"
	is "$(names -a --filter ancestor=n.n)" ""
	is "$(names -a --filter ancestor=localhost/n.n)" ""
	is "$(names -a --filter 'ancestor=localhost/nx.*')" ""
	is "$(names -a --filter ancestor=box)" ""
}

@test "ps -l, -n, --sort" {
	# in one second, as like as not: ordered by the nanoseconds
	for n in c b a; do
		run_burrow 0 create --name $n busybox true
	done
	run_burrow 0 ps -l --format '{{.Names}}'
	is "$output" "a"
	run_burrow 0 ps --latest -q --no-trunc
	is "$output" "$("$BURROW" inspect --format '{{.Id}}' a)"
	run_burrow 0 ps -n 2 --format '{{.Names}}'
	is "$output" $'b\na' "the last two, oldest first"
	run_burrow 0 ps --last 5 --format '{{.Names}}'
	is "$output" $'c\nb\na'
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" $'c\nb\na' "oldest first by default: podman's --sort created"
	run_burrow 0 ps -a --sort created --format '{{.Names}}'
	is "$output" $'c\nb\na' "--sort created: oldest first, as podman"
	run_burrow 0 ps -a --sort names --format '{{.Names}}'
	is "$output" $'a\nb\nc'
	run_burrow 0 ps -a --sort id --format '{{.ID}}'
	is "$output" "$(printf '%s\n' "${lines[@]}" | sort)"
	run_burrow 0 start b
	wait_inspect b '{{.State.Status}}' exited
	run_burrow 0 ps -a --sort status --format '{{.Names}} {{.State}}'
	is "$output" $'a created\nc created\nb exited'
	run_burrow 0 ps -a --sort runningfor --format '{{.Names}}'
	is "${lines[2]}" b "the one that started last"
	run_burrow 125 ps --sort bogus
	run_burrow 125 ps -l -n 2
	run_burrow 125 ps -n x
}

@test "container exists: 0 for a name, an ID or a prefix, 1 when none" {
	run_burrow 0 create --name here busybox true
	id=$output
	run_burrow 0 container exists here
	is "$output" ""
	run_burrow 0 container exists "$id"
	run_burrow 0 container exists "${id:0:12}"
	run_burrow 1 container exists nothere
	is "$output" ""
	run_burrow 0 rm here
	run_burrow 1 container exists here
	run_burrow 1 container exists "$id"
	run_burrow 125 container exists
	run_burrow 125 container exists a b
}

@test "container ls, list, ps, rm, start, logs, exec: the verbs of the same meaning" {
	run_burrow 0 container create --name c1 busybox echo hi
	run_burrow 0 container start -a c1
	is "$output" hi
	run_burrow 0 container logs c1
	is "$output" hi
	for alias in ls list ps; do
		run_burrow 0 container $alias -a --format '{{.Names}} {{.State}}'
		is "$output" "c1 exited" "container $alias"
		run_burrow 0 container $alias --format '{{.Names}}'
		is "$output" "" "container $alias: running ones only"
	done
	run_burrow 0 container run -d --name r1 busybox sleep 600
	run_burrow 0 container exec r1 echo inside
	is "$output" inside
	run_burrow 0 container stop -t 0 r1
	run_burrow 0 container inspect --format '{{.State.Status}}' r1
	is "$output" exited
	run_burrow 0 container rm -f r1
	run_burrow 0 container rm c1
	run_burrow 1 container exists c1
	run_burrow 125 container frobnicate
	assert_match "$output" "unknown subcommand 'frobnicate'"
	run_burrow 125 container
	run_burrow 0 container --help
	assert_match "$output" "exists"
}

@test "inspect -s: SizeRw counts what the container wrote, SizeRootFs adds its image" {
	run_burrow 0 run --name w busybox sh -c 'head -c 300000 /dev/zero >/big'
	run_burrow 0 inspect -s w
	json=$output
	rw=$(json_get "$json" 'd[0]["SizeRw"]')
	rootfs=$(json_get "$json" 'd[0]["SizeRootFs"]')
	[ "$rw" -ge 300000 ] && [ "$rw" -lt 1000000 ] || { echo "SizeRw $rw" >&2; false; }
	[ "$rootfs" -gt "$rw" ] || { echo "SizeRootFs $rootfs, SizeRw $rw" >&2; false; }
	run_burrow 0 create --name fresh busybox true
	run_burrow 0 inspect --size --format '{{.SizeRw}}' fresh
	is "$output" 0
	# without -s: no sizes (a template naming them fails)
	run_burrow 125 inspect --format '{{.SizeRw}}' w
}

@test "ps -s: a SIZE column and Size in JSON, as inspect -s measures it" {
	run_burrow 0 run --name w busybox sh -c 'head -c 300000 /dev/zero >/big'
	rw=$("$BURROW" inspect -s --format '{{.SizeRw}}' w)
	run_burrow 0 ps -a -s
	assert_match "${lines[0]}" 'NAMES +SIZE$'
	# podman's units without a space (its ps, not its images)
	assert_match "${lines[1]}" ' w +30[0-9.]*kB \(virtual [0-9.]+[kM]B\)$'
	run_burrow 0 ps -a --size --format json
	is "$(json_get "$output" 'd[0]["Size"]["rwSize"]')" "$rw"
	run_burrow 0 ps -a --format json
	is "$(json_get "$output" 'd[0]["Size"]')" null "no sizes without -s: null, as podman's"
	run_burrow 0 ps -a --format '[{{.Size}}]'
	is "$output" "[]"
	run_burrow 125 ps -q -s
}

@test "ps --sort size: by the size with the image, smallest first (with -s); ExitedAt, StartedAt and .Created as podman 4.3's" {
	run_burrow 0 run --name big busybox sh -c 'head -c 300000 /dev/zero >/big'
	run_burrow 0 run --name small busybox true
	run_burrow 0 ps -a -s --sort size --format '{{.Names}}'
	is "$output" $'small\nbig'
	run_burrow 0 ps -a --sort size --format '{{.Names}}'
	is "$output" $'big\nsmall' "without -s no sizes to compare: created's order, as podman's"
	# Go's zero time for a container that never started nor exited
	run_burrow 0 create --name fresh busybox true
	run_burrow 0 ps -a --filter name=fresh --format '{{.ExitedAt}} {{.StartedAt}}'
	is "$output" "-62135596800 -62135596800"
	run_burrow 0 ps -a --filter name=fresh --format json
	is "$(json_get "$output" '[d[0]["ExitedAt"], d[0]["StartedAt"]]')" "[-62135596800, -62135596800]"
	run_burrow 0 ps -a --filter name=small --format '{{.ExitedAt}}'
	[ "$output" -gt 0 ]
	# .Created and .CreatedAt: Go's time.Time, nanoseconds as inspect has them
	created=$(TZ=UTC "$BURROW" inspect --format '{{.Created}}' fresh)
	frac=${created#*.}
	frac=${frac%Z}
	TZ=UTC run_burrow 0 ps -a --filter name=fresh --format '{{.Created}}|{{.CreatedAt}}'
	when="${created:0:10} ${created:11:8}${frac:+.$frac} +0000 UTC"
	is "$output" "$when|$when"
}

@test "inspect, container inspect, image inspect: --format and --type after the names, as podman's" {
	run_burrow 0 create --name fm busybox true
	run_burrow 0 inspect fm --format '{{.Name}}'
	is "$output" "fm"
	run_burrow 0 container inspect fm -f '{{.Name}} {{.State.Status}}'
	is "$output" "fm created"
	run_burrow 0 image inspect --format '{{.Id}}' busybox
	local id=$output
	run_burrow 0 image inspect busybox --format '{{.Id}}'
	is "$output" "$id"
	run_burrow 0 inspect busybox --type image -f '{{.Id}}'
	is "$output" "$id"
	run_burrow 0 inspect -- fm
	assert_match "$output" '"Name": "fm"'
}
