#!/usr/bin/env bats
# The container network (netns/): tap0 + libslirp, driven by
# tests/helpers/slirp-drive the way the monitor drives it. Independent of
# the rest of burrow.
#
# Each test runs inside `unshare -Urnm` (a user, network and mount
# namespace the test makes), which stands in for the host: lo up, a tap
# device "hostnet" holding 192.0.2.1/24 and 2001:db8::1/64 as non-loopback
# host addresses, /etc/resolv.conf bind-mounted to say "nameserver
# 127.0.0.1", and servers (socat, dnsd) that live at most 30 seconds.
# slirp-drive then runs the "container" command in a network namespace of
# its own, reachable only through slirp.

load helpers

# NETNS_MTU_DEFAULT in netns/netns.h
DEFAULT_MTU=16000

suite_setup() {
	DRIVE=$HELPERS_BIN/slirp-drive
	DNSD=$HELPERS_BIN/dnsd
	if [ ! -x "$DRIVE" ] || [ ! -x "$DNSD" ]; then
		need_or_fail "test helpers not built (make build/tests/helpers/slirp-drive build/tests/helpers/dnsd)"
	fi
	local tool
	for tool in socat ip ss unshare timeout /bin/busybox; do
		command -v "$tool" >/dev/null || need_or_fail "$tool is not installed"
	done
	[ -c /dev/net/tun ] || need_or_fail "/dev/net/tun is missing"
	timeout 10 unshare -Urnm --map-root-user true 2>/dev/null ||
		need_or_fail "cannot create user namespaces here (unshare -Urnm)"
	[ -f /etc/resolv.conf ] || need_or_fail "/etc/resolv.conf is missing (needed as a bind-mount target)"
}

suite_teardown() {
	# Everything the test started lives in its user namespace.
	[ -f "$T/hostns.pid" ] && kill_namespace_of "$(cat "$T/hostns.pid")"
	return 0
}

# The "host" side, sourced at the top of every in_host script.
PRELUDE='
set -u
echo $$ >"$T/hostns.pid"
die() { echo "host setup: $*" >&2; exit 99; }
ip link set lo up || die "cannot bring lo up"
ip tuntap add hostnet mode tap || die "cannot create the hostnet tap"
ip addr add 192.0.2.1/24 dev hostnet || die "cannot add 192.0.2.1/24"
ip -6 addr add 2001:db8::1/64 dev hostnet nodad || die "cannot add 2001:db8::1/64"
ip link set hostnet up || die "cannot bring hostnet up"
printf "nameserver 127.0.0.1\n" >"$T/resolv.conf"
mount --bind "$T/resolv.conf" /etc/resolv.conf || die "cannot bind-mount resolv.conf"

bgpids=
trap "for p in \$bgpids; do kill \$p 2>/dev/null; done; wait 2>/dev/null" EXIT
# bg CMD...: a background server; its output goes to $T/bg.log.
bg() { "$@" >>"$T/bg.log" 2>&1 & bgpids="$bgpids $!"; }
# wait_for CMD...: retries CMD for at most 5 seconds.
wait_for() {
	local i
	for i in $(seq 50); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	die "timed out after 5 s waiting for: $*"
}
listening() { [ -n "$(ss -Hltn "sport = :$1")" ]; }
size_is() { [ "$(stat -c %s "$1" 2>/dev/null)" = "$2" ]; }
# serve PORT SOCAT-ADDRESS: serves one TCP connection on PORT (bind address in ADDR opts).
serve() {
	local port=$1; shift
	bg timeout 30 socat "$@"
	wait_for listening "$port"
}
# dns ADDR:PORT ANSWER: a dnsd that answers every A query with ANSWER.
dns() {
	local ready="$T/dnsd.$RANDOM.ready"
	bg "$DNSD" -l "$1" -a "$2" -t 30 -r "$ready"
	wait_for test -e "$ready"
}
drive() { "$DRIVE" -t 30 "$@"; }
'

# in_host SCRIPT: runs SCRIPT (bash) on the stand-in host; sets $output/$status.
in_host() {
	printf '%s\n%s\n' "$PRELUDE" "$1" >"$T/host.sh"
	run env T="$T" DRIVE="$DRIVE" DNSD="$DNSD" timeout 100 unshare -Urnm --map-root-user bash "$T/host.sh"
	if [ "$status" = 99 ]; then
		echo "$output" >&2
		return 1
	fi
	return 0
}

@test "netns: tap0 has 10.0.2.100/24, fd00::100/64, default routes via 10.0.2.2 and fd00::2, lo up" {
	in_host '
	drive -- sh -c "busybox ip addr; echo ---; busybox ip route; echo ---; busybox ip -6 route"
	echo "rc=$?"'
	assert_match "$output" "rc=0"
	assert_match "$output" "lo: <LOOPBACK,UP" "lo is up"
	assert_match "$output" "tap0: <[^>]*UP[^>]*> mtu $DEFAULT_MTU " "tap0 is up with the default mtu"
	assert_match "$output" "inet 10\.0\.2\.100/24 scope global tap0"
	assert_match "$output" "inet6 fd00::100/64 "
	assert_match "$output" "default via 10\.0\.2\.2 dev tap0"
	assert_match "$output" "default via fd00::2 dev tap0"
	# nothing else in the namespace
	assert_no_match "$output" "hostnet"
}

@test "netns: slirp:mtu=1500,enable_ipv6=false gives tap0 mtu 1500 and no IPv6 address" {
	in_host '
	drive -n slirp:mtu=1500,enable_ipv6=false -- busybox ip addr show tap0
	echo "rc=$?"
	drive --mtu 9000 -- busybox ip link show tap0'
	assert_match "$output" "rc=0"
	assert_match "$output" "tap0: <[^>]*UP[^>]*> mtu 1500 "
	assert_match "$output" "inet 10\.0\.2\.100/24"
	assert_no_match "$output" "fd00::"
	assert_match "$output" "tap0: <[^>]*UP[^>]*> mtu 9000 "
}

@test "netns: outbound TCP to a host address gets the server's reply" {
	in_host '
	serve 8080 TCP-LISTEN:8080,bind=192.0.2.1,reuseaddr SYSTEM:"echo hello from the host"
	drive -- busybox nc 192.0.2.1 8080 </dev/null
	echo "rc=$?"'
	assert_match "$output" "hello from the host"
	assert_match "$output" "rc=0"
}

@test "netns: outbound TCP over IPv6 to a host address" {
	in_host '
	serve 8086 TCP6-LISTEN:8086,bind=[2001:db8::1],reuseaddr SYSTEM:"echo hello over ipv6"
	drive -- busybox nc 2001:db8::1 8086 </dev/null
	echo "rc=$?"'
	assert_match "$output" "hello over ipv6"
	assert_match "$output" "rc=0"
}

@test "netns: a closed host port is refused, not left hanging" {
	in_host '
	start=$SECONDS
	drive -- busybox nc -w 10 192.0.2.1 9 </dev/null
	echo "rc=$? took=$((SECONDS - start))"'
	assert_match "$output" "Connection refused"
	assert_match "$output" "rc=1 took=[0-4]$"
}

@test "netns: 10.0.2.2 reaches the host's loopback only with allow_host_loopback" {
	in_host '
	serve 8081 TCP-LISTEN:8081,bind=127.0.0.1,reuseaddr SYSTEM:"echo hello from loopback"
	echo "== default"
	drive -- busybox nc -w 5 10.0.2.2 8081 </dev/null
	echo "default rc=$?"
	listening 8081 && echo "server still waiting"
	echo "== allowed"
	drive -n slirp:allow_host_loopback=true -- busybox nc -w 5 10.0.2.2 8081 </dev/null
	echo "allowed rc=$?"'
	local default=${output%%== allowed*} allowed=${output#*== allowed}
	assert_no_match "$default" "hello from loopback" "the default must not reach the host's loopback"
	assert_match "$default" "default rc=[1-9]"
	assert_match "$default" "server still waiting" "no connection may reach the loopback server"
	assert_match "$allowed" "hello from loopback"
	assert_match "$allowed" "allowed rc=0"
}

@test "netns: DNS to 10.0.2.3 is forwarded to the host's resolv.conf nameserver" {
	in_host '
	dns 127.0.0.1:53 198.51.100.7
	drive -- busybox nslookup web.example 10.0.2.3
	echo "rc=$?"
	echo "== dnsd log"
	cat "$T/bg.log"'
	assert_match "$output" "rc=0"
	assert_match "$output" "Name:[[:space:]]+web\.example"
	assert_match "$output" "Address:[[:space:]]+198\.51\.100\.7"
	assert_match "${output#*== dnsd log}" "query web\.example type 1" "dnsd on 127.0.0.1 answered"
}

@test "netns: UDP to a host address gets its answer" {
	in_host '
	dns 192.0.2.1:53 198.51.100.8
	drive -- busybox nslookup udp.example 192.0.2.1
	echo "rc=$?"'
	assert_match "$output" "rc=0"
	assert_match "$output" "Address:[[:space:]]+198\.51\.100\.8"
}

@test "netns: a container that takes tap0 down gets its frames dropped, nothing printed" {
	in_host '
	serve 8088 -u FILE:/dev/zero TCP-LISTEN:8088,bind=192.0.2.1,reuseaddr
	drive -- sh -c "busybox nc 192.0.2.1 8088 >/dev/null </dev/null & sleep 1; busybox ip link set tap0 down; echo down; sleep 2"
	echo "rc=$?"'
	assert_match "$output" "down"
	assert_match "$output" "rc=0"
	# libslirp prints "Failed to send packet" (g_critical) for a send error
	is "$(grep -v '^down$' <<<"${output%rc=*}" | grep -v '^$')" "" "the monitor's stderr stays quiet"
}

@test "netns: what libslirp has to say about a container's traffic does not reach stderr" {
	# libslirp 4.7 logs "external icmpv6 not supported yet" (g_critical)
	# for every ping6 to an outside address
	in_host '
	drive -- sh -c "busybox ping6 -c 2 -W 1 2001:db8::1 >/dev/null 2>&1; echo pinged"
	echo "rc=$?"'
	assert_match "$output" "rc=0"
	is "$(grep -v -e '^pinged$' -e '^rc=0$' -e '^$' <<<"$output")" "" "the monitor's stderr stays quiet"
}

@test "netns: 50 MiB down and up arrive intact" {
	head -c 50M /dev/urandom >"$T/big"
	local sum
	sum=$(sha256sum <"$T/big" | cut -d' ' -f1)
	in_host '
	serve 8083 -u FILE:"$T/big" TCP-LISTEN:8083,bind=192.0.2.1,reuseaddr
	serve 8084 -u TCP-LISTEN:8084,bind=192.0.2.1,reuseaddr CREATE:"$T/up"
	drive -- sh -c "busybox nc 192.0.2.1 8083 </dev/null | busybox sha256sum; busybox nc 192.0.2.1 8084 <\"\$T/big\"; echo up rc=\$?"
	echo "rc=$?"
	# the server has written everything
	wait_for size_is "$T/up" 52428800'
	assert_match "$output" "rc=0"
	assert_match "$output" "up rc=0"
	assert_match "$output" "$sum  -" "downloaded data differs"
	is "$(sha256sum <"$T/up" | cut -d' ' -f1)" "$sum" "uploaded data differs"
}

@test "netns: --network none has lo only (up) and no way out; host shares the host's" {
	in_host '
	serve 8087 TCP-LISTEN:8087,bind=192.0.2.1,reuseaddr SYSTEM:"echo hello from the host"
	echo "== none"
	drive -n none -- sh -c "busybox ip addr; busybox nc -w 3 192.0.2.1 8087 </dev/null; echo none rc=\$?"
	echo "== host"
	drive -n host -- sh -c "busybox ip addr; busybox nc -w 3 192.0.2.1 8087 </dev/null; echo host rc=\$?"'
	local none=${output%%== host*} host=${output#*== host}
	assert_match "$none" "lo: <LOOPBACK,UP"
	assert_no_match "$none" "tap0|hostnet"
	assert_match "$none" "none rc=[1-9]"
	assert_no_match "$none" "hello from the host"
	assert_match "$host" "hostnet"
	assert_match "$host" "hello from the host"
	assert_match "$host" "host rc=0"
}

@test "netns: slirp-drive passes the exit status through and reports a bad --network" {
	in_host '
	drive -- sh -c "exit 7"
	echo "rc=$?"
	drive -n slirp:mtu=abc -- true
	echo "bad rc=$?"'
	assert_match "$output" "rc=7"
	assert_match "$output" "burrow: invalid network 'slirp:mtu=abc': bad mtu 'abc'"
	assert_match "$output" "hint: mtu is a number from 68 to 65520"
	assert_match "$output" "bad rc=125"
}
