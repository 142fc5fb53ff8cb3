#!/bin/bash
# The network cases of make bench (tools/bench.sh runs this): published
# ports through burrow's forwarding engine, driven by
# tests/helpers/slirp-drive as the monitor drives it, with each port
# handler, and through `burrow run -p` (BENCH_BURROW names the binary); side by side with host loopback (the floor) and, where rootless
# podman runs, podman's rootlessport and slirp4netns port handlers; and
# outbound throughput to the host's own non-loopback address.
#
#   bench-net.sh HELPERS_DIR WORK_DIR [PODMAN_IMAGE]
#
# Throughput: iperf3, median of BENCH_NET_RUNS (default 3) runs of
# BENCH_NET_SECONDS (default 3), and the CPU what carries the bytes (the
# engine, the monitor, rootlessport and slirp4netns) spent a GB in those
# runs, from /proc/PID/stat: on a shared, loaded machine the rates swing
# with the load from run to run, its cost a GB much less (netns/slirp.c
# has figures). Short connections and round trips:
# tests/helpers/netbench. Servers listen on this machine only (loopback,
# and the host's own address for outbound). Everything it starts is
# stopped on exit.
set -u
helpers=$1 work=$2 image=${3:-}
DRIVE=$helpers/slirp-drive
NB=$helpers/netbench
runs=${BENCH_NET_RUNS:-3}
secs=${BENCH_NET_SECONDS:-3}
P="podman --runtime runc"
for t in iperf3 unshare python3; do
	command -v $t >/dev/null || { echo "bench-net: $t is missing (Debian package ${t/unshare/util-linux})" >&2; exit 1; }
done
[ -x "$DRIVE" ] && [ -x "$NB" ] || { echo "bench-net: build the test helpers first" >&2; exit 1; }

pids=
ctrs=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for c in $ctrs; do $P rm -f "$c" >/dev/null 2>&1; done
}
trap cleanup EXIT

median() { python3 -c 'import sys, statistics as s; v=[float(x) for x in sys.argv[1:] if x not in ("", "-")]; print("%.2f" % s.median(v) if v else "-")' "$@"; }

# gbits HOST PORT [-R]: iperf3's received rate, median of the runs; the
# bytes received in all of them go to $work/bytes
gbits() {
	local host=$1 port=$2 r=() i out v bytes=0
	shift 2
	for i in $(seq "$runs"); do
		# iperf3's server takes one test at a time: let the last one end
		sleep 0.5
		out=$(timeout $((secs + 20)) iperf3 -c "$host" -p "$port" -t "$secs" -J "$@" 2>/dev/null) || { r+=("-"); continue; }
		v=$(python3 -c 'import json,sys; e=json.load(sys.stdin)["end"]["sum_received"]; print(e["bits_per_second"]/1e9, e["bytes"])' <<<"$out" 2>/dev/null)
		r+=("${v% *}")
		[ -n "$v" ] && bytes=$((bytes + ${v#* }))
	done
	echo "$bytes" >"$work/bytes"
	median "${r[@]}"
}
# ticks PID...: their user and system clock ticks so far, together (the
# command's name, in parentheses, may hold spaces: the fields after it)
ticks() {
	local p
	for p; do cat "/proc/$p/stat" 2>/dev/null; done | sed 's/^.*) //' | awk '{t += $12 + $13} END {print t + 0}'
}
# through NAME PORT PID...: host -> container and back through
# 127.0.0.1:PORT, and the CPU the PIDs (what carries the bytes: the
# engine, slirp4netns...) spent a GB each way, a steadier figure than the
# rates on a loaded machine
through() {
	local name=$1 port=$2 dir t opt
	shift 2
	for dir in h2c c2h; do
		opt=()
		[ $dir = c2h ] && opt=(-R)
		t=$(ticks "$@")
		res[$name,$dir]=$(gbits 127.0.0.1 "$port" "${opt[@]}")
		[ $# -gt 0 ] || continue
		res[$name,${dir}cpu]=$(python3 -c 'import sys; t, b, hz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]); print("%.0f" % (t * 1000 / hz / (b / 1e9)) if b else "-")' \
			$(($(ticks "$@") - t)) "$(cat "$work/bytes")" "$(getconf CLK_TCK)")
	done
}
conns() { timeout $((secs + 20)) "$NB" conn "$1" "$2" "$secs" 2>/dev/null | cut -d' ' -f1; }
rtt() { timeout $((secs + 20)) "$NB" rr "$1" "$2" "$secs" 2>/dev/null | cut -d' ' -f1; }
flows() { timeout $((secs + 20)) "$NB" flows "$1" "$2" "$secs" 2>/dev/null | cut -d' ' -f1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_port PORT: something accepts on 127.0.0.1:PORT (10 s at most)
wait_port() {
	local i
	for i in $(seq 100); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1).close()' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null; }
rss_sum() { # PID...: their RSS added up
	local total=0 p
	for p in "$@"; do
		total=$(python3 -c 'import sys; print(float(sys.argv[1]) + float(sys.argv[2] or 0))' "$total" "$(rss_mib "$p")")
	done
	printf '%.1f' "$total"
}
# RSS right after the short connections holds what they left: libslirp
# keeps each closed one through its 10-second TIME_WAIT, and the monitor
# gives freed memory back 2 s after a burst (lib/memtrim.h). The settled
# figure is read after both (the last TIME_WAITs end about 12 s after the
# burst, and the trim comes 2 s later).
settle() { sleep 20; }

declare -A res

# The floor: iperf3 and netbench on the host's loopback.
fport=$(free_port)
iperf3 -s -p "$fport" >/dev/null 2>&1 & pids="$pids $!"
nport=$(free_port)
"$NB" serve "$nport" 600 & pids="$pids $!"
wait_port "$fport" && wait_port "$nport"
through floor "$fport"
res[floor,conn]=$(conns 127.0.0.1 "$nport")
res[floor,rtt]=$(rtt 127.0.0.1 "$nport")
res[floor,flows]=$(flows 127.0.0.1 "$nport")
hostip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)
if [ -n "$hostip" ]; then
	oport=$(free_port)
	iperf3 -s -B "$hostip" -p "$oport" >/dev/null 2>&1 & pids="$pids $!"
	sleep 0.5
	res[floor,out]=$(gbits "$hostip" "$oport")
fi

# burrow NAME NETWORK [SLIRP-DRIVE-OPTION...]: the engine in slirp-drive
# (in the host's network namespace, as the monitor: only a user namespace
# of its own)
burrow_case() {
	local name=$1 net=$2 pf=$work/ports.$1 out
	shift 2
	rm -f "$pf"
	unshare -Ur "$DRIVE" -t 600 -n "$net" "$@" -p 127.0.0.1::5201 -p 127.0.0.1::7000 -p 127.0.0.1::7000/udp --ports-file "$pf" -- \
		sh -c "iperf3 -s -p 5201 >/dev/null 2>&1 & exec $NB serve 7000 600" &
	local d=$!
	pids="$pids $d"
	local i
	for i in $(seq 100); do [ -s "$pf" ] && break; sleep 0.1; done
	local ip=$(sed -n 's/.*:\([0-9]*\)->5201.*/\1/p' "$pf") np=$(sed -n 's/.*:\([0-9]*\)->7000\/tcp.*/\1/p' "$pf")
	local up=$(sed -n 's/.*:\([0-9]*\)->7000\/udp.*/\1/p' "$pf")
	if [ -z "$ip" ] || ! wait_port "$ip" || ! wait_port "$np"; then
		echo "bench-net: $name did not start" >&2
		kill "$d" 2>/dev/null
		return
	fi
	through "$name" "$ip" "$d"
	# round trips first: libslirp keeps each closed connection's socket
	# (and polls it) through its 10-second TIME_WAIT
	res[$name,rtt]=$(rtt 127.0.0.1 "$np")
	res[$name,conn]=$(conns 127.0.0.1 "$np")
	# new UDP flows: a client address kept costs a route inside each
	[ -n "$up" ] && res[$name,flows]=$(flows 127.0.0.1 "$up")
	# unshare execs slirp-drive: $d runs the engine
	res[$name,rss]=$(rss_mib "$d")
	settle; res[$name,rss2]=$(rss_mib "$d")
	kill "$d" 2>/dev/null
	wait "$d" 2>/dev/null
	# outbound does not depend on the options
	if [ -n "$hostip" ] && [ $# = 0 ]; then
		local r=() k
		for k in $(seq "$runs"); do
			sleep 0.5
			out=$(unshare -Ur "$DRIVE" -t $((secs + 30)) -n "$net" -- iperf3 -c "$hostip" -p "$oport" -t "$secs" -J 2>/dev/null)
			r+=("$(python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)' <<<"$out" 2>/dev/null)")
		done
		res[$name,out]=$(median "${r[@]}")
	fi
}
burrow_case splice slirp
# the cost of keeping clients' addresses (netns_fwd_set_keep_addresses)
burrow_case plain slirp --no-keep-addresses
burrow_case slirp slirp:port_handler=slirp

# run NAME NETWORK: the same through `burrow run -d -p` (the engine in the
# container's monitor), iperf3 and netbench from the host's /usr
# (read-only) in the busybox image bench.sh imported
run_case() {
	local name=$1 net=$2 B=${BENCH_BURROW:-}
	[ -n "$B" ] || return
	local mounts=(-v /usr:/usr:ro -v /usr/lib:/lib:ro -v /usr/lib64:/lib64:ro -v "$helpers:/nb:ro")
	local c
	c=$("$B" run -d --network "$net" -p 127.0.0.1::5201 -p 127.0.0.1::7000 "${mounts[@]}" busybox \
		sh -c '/usr/bin/iperf3 -s -p 5201 >/dev/null 2>&1 & exec /nb/netbench serve 7000 600' 2>"$work/run.$name.log") || {
		echo "bench-net: burrow run $name did not start: $(tail -1 "$work/run.$name.log")" >&2
		return
	}
	local ip np
	ip=$("$B" port "$c" 5201/tcp | sed 's/.*://')
	np=$("$B" port "$c" 7000/tcp | sed 's/.*://')
	if [ -z "$ip" ] || ! wait_port "$ip" || ! wait_port "$np"; then
		echo "bench-net: burrow run $name did not start" >&2
		"$B" rm -f -t 0 "$c" >/dev/null 2>&1
		return
	fi
	local mon
	mon=$(cut -d' ' -f1 "$XDG_RUNTIME_DIR/burrow/containers/$c/monitor.pid")
	through "$name" "$ip" "$mon"
	res[$name,rtt]=$(rtt 127.0.0.1 "$np")
	res[$name,conn]=$(conns 127.0.0.1 "$np")
	res[$name,rss]=$(rss_mib "$mon")
	settle; res[$name,rss2]=$(rss_mib "$mon")
	"$B" rm -f -t 0 "$c" >/dev/null 2>&1
	if [ -n "$hostip" ]; then
		local r=() k out
		for k in $(seq "$runs"); do
			sleep 0.5
			out=$("$B" run --rm --network "$net" "${mounts[@]}" busybox /usr/bin/iperf3 -c "$hostip" -p "$oport" -t "$secs" -J 2>/dev/null)
			r+=("$(python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)' <<<"$out" 2>/dev/null)")
		done
		res[$name,out]=$(median "${r[@]}")
	fi
}
run_case run-splice slirp
run_case run-slirp slirp:port_handler=slirp

# podman NAME NETWORK: the same in a container, iperf3 and netbench from
# the host's /usr (read-only)
podman_case() {
	local name=$1 net=$2 c=burrow-bench-net-$1
	[ -n "$image" ] || return
	ctrs="$ctrs $c"
	# podman's helpers of this container: the ones that were not there
	# before it (others of the user's containers have their own)
	local before
	before=$(pgrep -u "$(id -u)" -f "rootlessport|slirp4netns" | tr '\n' ' ')
	local mounts=(-v /usr:/usr:ro -v /usr/lib:/lib:ro -v /usr/lib64:/lib64:ro -v "$helpers:/nb:ro")
	$P run -d --name "$c" --network "$net" -p 127.0.0.1::5201 -p 127.0.0.1::7000 "${mounts[@]}" "$image" \
		sh -c '/usr/bin/iperf3 -s -p 5201 >/dev/null 2>&1 & exec /nb/netbench serve 7000 600' >"$work/podman.$name.log" 2>&1 || {
		echo "bench-net: podman $name did not start: $(tail -1 "$work/podman.$name.log")" >&2
		return
	}
	local ip np
	ip=$($P port "$c" 5201/tcp | sed 's/.*://')
	np=$($P port "$c" 7000/tcp | sed 's/.*://')
	if [ -z "$ip" ] || ! wait_port "$ip" || ! wait_port "$np"; then
		echo "bench-net: podman $name did not start" >&2
		return
	fi
	sleep 1 # slirp4netns sets its forwards up after the port answers
	# what podman runs besides the container for its network and ports
	local mine="" p
	for p in $(pgrep -u "$(id -u)" -f "rootlessport|slirp4netns"); do
		[[ " $before " == *" $p "* ]] || mine="$mine $p"
	done
	# shellcheck disable=SC2086 # a pid a word
	through "$name" "$ip" $mine
	# round trips first: libslirp keeps each closed connection's socket
	# (and polls it) through its 10-second TIME_WAIT
	res[$name,rtt]=$(rtt 127.0.0.1 "$np")
	res[$name,conn]=$(conns 127.0.0.1 "$np")
	res[$name,rss]=$(rss_sum $mine)
	settle; res[$name,rss2]=$(rss_sum $mine)
	$P rm -f "$c" >/dev/null 2>&1
	if [ -n "$hostip" ]; then
		local r=() k out
		for k in $(seq "$runs"); do
			sleep 0.5
			out=$($P run --rm --network "$net" "${mounts[@]}" "$image" /usr/bin/iperf3 -c "$hostip" -p "$oport" -t "$secs" -J 2>/dev/null)
			r+=("$(python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)' <<<"$out" 2>/dev/null)")
		done
		res[$name,out]=$(median "${r[@]}")
	fi
}
podman_case rootlessport slirp4netns
podman_case slirp4netns slirp4netns:port_handler=slirp4netns

cols=(splice plain slirp run-splice run-slirp floor rootlessport slirp4netns)
fmt='%-34s %8s %8s %8s %8s %8s %9s %13s %12s\n'
echo
printf "$fmt" "network (median of $runs)" "burrow" "burrow" "burrow" "burrow" "burrow" "loopback" "podman" "podman"
printf "$fmt" "" "splice" "splice," "slirp" "run -p" "run -p" "(floor)" "rootlessport" "slirp4netns"
printf "$fmt" "" "" "no addr" "" "splice" "slirp" "" "" ""
line() { # label key
	local c v out=()
	for c in "${cols[@]}"; do
		v=${res[$c,$2]:-}
		out+=("${v:--}")
	done
	printf "$fmt" "$1" "${out[@]}"
}
line "host -> container (Gbit/s)" h2c
line "container -> host (Gbit/s)" c2h
line "  its CPU a GB, host -> ctr (ms)" h2ccpu
line "  its CPU a GB, ctr -> host (ms)" c2hcpu
line "short connections (conn/s)" conn
line "round trip, median (us)" rtt
line "new UDP flows (flows/s)" flows
line "outbound to $hostip (Gbit/s)" out
line "RSS with ports published (MiB)" rss
line "  the same, settled 20 s later" rss2
