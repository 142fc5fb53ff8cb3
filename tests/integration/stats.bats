#!/usr/bin/env bats
# burrow stats: CPU, memory, pids, network and block I/O of containers,
# read from /proc as an unprivileged user; podman's table, JSON and fields.

load helpers

suite_setup() {
	import_busybox
}

suite_teardown() {
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null
	rm_store
}

# stats_field CTR FIELD: one sample's template field
stats_field() {
	run_burrow 0 stats --no-stream --format "{{.$2}}" "$1"
}

# wait_pids CTR N: until stats counts N processes in CTR (at most 30 s)
wait_pids() {
	for _ in $(seq 300); do
		stats_field "$1" PIDs
		[ "$output" = "$2" ] && return 0
		sleep 0.1
	done
	is "$output" "$2" "the PIDs of container $1 within 30 s"
}

@test "stats: a busy container shows CPU, memory and its processes, in podman's table" {
	run_burrow 0 run -d --name busy busybox sh -c 'sleep 1000 & sleep 1000 & while :; do :; done'
	# the three processes (sh and two sleeps) are there once both sleeps run
	wait_pids busy 3
	# CPU time accumulates in clock ticks: bounded wait until one is counted
	for _ in $(seq 100); do
		stats_field busy CPUNano
		[ "$output" -gt 0 ] && break
		sleep 0.1
	done
	[ "$output" -gt 0 ] || { echo "no CPU time counted: $output" >&2; return 1; }
	stats_field busy CPU
	assert_match "$output" '^[0-9.e+-]+$'
	is "$(awk "BEGIN{print ($output > 0)}")" 1 "CPU % above 0"
	run_burrow 0 stats --no-stream busy
	assert_match "${lines[0]}" '^ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET IO +BLOCK IO +PIDS +CPU TIME +AVG CPU %$'
	id=$("$BURROW" inspect --format '{{.Id}}' busy)
	assert_match "${lines[1]}" "^${id:0:12} +busy +[0-9.]+% +[0-9.]+[kMG]?B / [0-9.]+[kMGT]B +[0-9.]+% .* 3 +[0-9.]+(ms|s|µs) +[0-9.]+%$"
	# memory: the processes' RSS, under the host's total as the limit
	stats_field busy MemLimit
	is "$output" "$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 1024))" "limit is the host's MemTotal"
	run_burrow 0 rm -f -t 0 busy
}

@test "stats: network bytes grow with traffic through slirp" {
	port=$(free_port)
	{
		printf 'HTTP/1.0 200 OK\r\nContent-Length: 200000\r\n\r\n'
		head -c 200000 /dev/zero
	} >"$T/response"
	timeout 60 socat -T 20 "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" SYSTEM:"cat $T/response" &
	srv=$!
	for _ in $(seq 300); do
		ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.1
	done
	run_burrow 0 run -d --name net --network slirp:allow_host_loopback=true busybox sleep 1000
	stats_field net NetInput
	before=$output
	run_burrow 0 exec net wget -q -O /dev/null "http://10.0.2.2:$port/"
	stats_field net NetInput
	[ "$output" -ge $((before + 200000)) ] || { echo "NetInput $before -> $output" >&2; return 1; }
	stats_field net NetOutput
	[ "$output" -gt 0 ]
	stats_field net NetIO
	assert_match "$output" '^[0-9.]+[kM]B / [0-9.]+[kM]?B$'
	kill "$srv" 2>/dev/null || true
	# the host's network is not the container's own: unknown, never made up
	run_burrow 0 run -d --name hostnet --network host busybox sleep 1000
	stats_field hostnet NetIO
	is "$output" "-- / --"
	run_burrow 0 rm -f -t 0 net hostnet
}

@test "stats: --format json, -a with a stopped container, unknown container" {
	run_burrow 0 run -d --name up busybox sleep 1000
	run_burrow 0 create --name down busybox true
	run_burrow 0 stats --no-stream --format json
	is "$(echo "$output" | jq -r 'length')" 1 "only the running one without -a"
	is "$(echo "$output" | jq -r '.[0].name')" up
	for k in id name cpu_time cpu_percent avg_cpu mem_usage mem_percent net_io block_io pids; do
		is "$(echo "$output" | jq -r ".[0] | has(\"$k\")")" true "key $k"
	done
	run_burrow 0 stats --no-stream -a --format '{{.Name}} {{.PIDS}} {{.CPUPerc}} {{.MemUsage}}'
	assert_match "$output" "down -- -- -- / --"
	assert_match "$output" "up 1 "
	# a named stopped container: its row of unknowns
	run_burrow 0 stats --no-stream --format '{{.Name}} {{.NetIO}} {{.BlockIO}}' down
	is "$output" "down -- / -- -- / --"
	run_burrow 125 stats --no-stream nosuch
	assert_match "$output" "no such container 'nosuch'"
	run_burrow 125 stats --no-stream up nosuch
	is "${lines[0]}" "burrow: no such container 'nosuch'" "nothing printed before the error"
	run_burrow 125 stats --no-stream --format '{{.Nope}}' up
	run_burrow 125 stats -i 0 up
	# IDs: 12 digits, all 64 with --no-trunc (table, template and JSON)
	upid=$(timeout 30 "$BURROW" inspect --format '{{.Id}}' up)
	run_burrow 0 stats --no-stream --no-trunc
	assert_match "${lines[1]}" "^$upid +up "
	run_burrow 0 stats --no-stream --no-trunc --format json up
	is "$(echo "$output" | jq -r '.[0].id')" "$upid"
	run_burrow 0 stats --no-stream --format '{{.ID}}' up
	is "$output" "${upid:0:12}"
	# -l: the last created container (down), running or not
	run_burrow 0 stats --no-stream -l --format '{{.Name}}'
	is "$output" "down"
	run_burrow 125 stats --no-stream -l up
	assert_match "$output" "--latest and containers cannot be used together"
	run_burrow 0 rm -f -t 0 up down
}

@test "stats: streams every interval and ends on SIGINT with 0" {
	run_burrow 0 run -d --name s1 busybox sleep 1000
	timeout 30 "$BURROW" stats -i 1 --format '{{.Name}}' s1 >"$T/out" &
	pid=$!
	for _ in $(seq 300); do
		[ "$(grep -c s1 "$T/out")" -ge 2 ] && break
		sleep 0.1
	done
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	is "$rc" 0 "stats ends on SIGINT with 0"
	# not a terminal: appended, no screen clearing
	[ "$(grep -c s1 "$T/out")" -ge 2 ]
	run grep -c $'\033' "$T/out"
	is "$output" 0
	run_burrow 0 rm -f -t 0 s1
}

@test "info: --format json in podman's layout, its values the machine's" {
	run_burrow 0 run -d --name i1 busybox sleep 1000
	run_burrow 0 create --name i2 busybox true
	printf 'unqualified-search-registries = ["registry.example.test"]\n' >"$XDG_CONFIG_HOME/containers/registries.conf"
	run_burrow 0 info --format json
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
h, s = d["host"], d["store"]
for k in ("arch", "os", "kernel", "hostname", "memTotal", "memFree", "cpus", "idMappings", "security",
          "slirp4netns", "ociRuntime", "conmon", "cgroupVersion", "cgroupManager", "eventLogger", "remoteSocket"):
    assert k in h, k
for k in ("rootless", "seccompEnabled", "capabilities", "selinuxEnabled", "apparmorEnabled"):
    assert k in h["security"], k
for k in ("graphRoot", "runRoot", "graphDriverName", "containerStore", "imageStore", "volumePath"):
    assert k in s, k
assert h["kernel"] == sys.argv[2], (h["kernel"], sys.argv[2])
assert h["hostname"] == sys.argv[3], h["hostname"]
assert h["cpus"] == int(sys.argv[4]), h["cpus"]
assert h["memTotal"] == int(sys.argv[5]) * 1024, h["memTotal"]
assert 0 < h["memFree"] <= h["memTotal"], h["memFree"]
assert h["security"]["rootless"] == (sys.argv[6] != "0"), h["security"]
assert h["ociRuntime"]["name"] == "burrow" and h["os"] == "linux", h
assert s["containerStore"] == {"number": 2, "paused": 0, "running": 1, "stopped": 1}, s["containerStore"]
assert s["imageStore"] == {"number": 1}, s["imageStore"]
assert s["graphDriverName"] == "overlay" and s["volumePath"] == s["graphRoot"] + "/volumes", s
assert d["registries"]["search"] == ["registry.example.test"], d["registries"]
assert set(d["plugins"]) >= {"network", "volume", "log"}, d["plugins"]
assert d["version"]["Version"] and d["version"]["OsArch"] == "linux/" + h["arch"], d["version"]
' "$output" "$(uname -r)" "$(uname -n)" "$(nproc)" "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)" "$(id -u)"
	# templates keep working with podman's Go names
	run_burrow 0 info --format '{{.Host.Arch}} {{.Store.ContainerStore.Number}} {{.Version.Version}}'
	v=$("$BURROW" version --format '{{.Client.Version}}')
	assert_match "$output" "^[a-z0-9]+ 2 $v\$"
	run_burrow 125 info extra
	run_burrow 125 version --format '{{.Nope}}'
	run_burrow 0 rm -f -t 0 i1 i2
}

@test "stats: MemUsage is the resident memory of the container's processes (their VmRSS), not another measure" {
	run_burrow 0 run -d --name rss busybox sh -c 'sleep 1000 & sleep 1000 & wait'
	local pid
	pid=$("$BURROW" inspect --format '{{.State.Pid}}' rss)
	# sh and its two sleeps
	wait_pids rss 3
	# the same processes from the host: sh and its children
	local kb=0 p
	for p in $pid $(cat "/proc/$pid/task/$pid/children"); do
		kb=$((kb + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status")))
	done
	stats_field rss MemUsage
	# "3.412MB / 25.28GB": the usage in bytes (podman's SI units)
	local use
	use=$(echo "${output%% /*}" | awk '{ n = $0 + 0; u = $0; sub(/^[0-9.]+/, "", u)
		m = u == "kB" ? 1e3 : u == "MB" ? 1e6 : u == "GB" ? 1e9 : u == "TB" ? 1e12 : 1; printf "%.0f\n", n * m }')
	# idle processes: the two reads agree within a quarter
	[ "$use" -ge $((kb * 1024 * 3 / 4)) ] && [ "$use" -le $((kb * 1024 * 5 / 4)) ] ||
		{ echo "MemUsage $output ($use), the processes' VmRSS $((kb * 1024))" >&2; false; }
	run_burrow 0 rm -f -t 0 rss
}
