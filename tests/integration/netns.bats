#!/usr/bin/env bats
# The container network (netns/): tap0 + libslirp, driven by
# tests/helpers/slirp-drive the way the monitor drives it. Independent of
# the rest of burrow.
#
# Each test runs on a stand-in host (hostns.bash): a user, network and
# mount namespace the test makes, where slirp-drive runs the "container"
# command in a network namespace of its own, reachable only through slirp.

load helpers
load hostns

# NETNS_MTU_DEFAULT in netns/netns.h
DEFAULT_MTU=16000

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

@test "netns: slirp:cidr=10.0.3.0/24 moves the container, its gateway and DNS to that network" {
	in_host '
	dns 127.0.0.1:53 198.51.100.7
	serve 8080 TCP-LISTEN:8080,bind=192.0.2.1,reuseaddr SYSTEM:"echo hello from the host"
	drive -n slirp:cidr=10.0.3.0/24 -- sh -c "busybox ip -4 addr show tap0; busybox ip route; busybox nc 192.0.2.1 8080 </dev/null; busybox nslookup web.example 10.0.3.3"
	echo "rc=$?"'
	assert_match "$output" "inet 10\.0\.3\.100/24 scope global tap0"
	assert_match "$output" "default via 10\.0\.3\.2 dev tap0"
	assert_match "$output" "hello from the host"
	assert_match "$output" "Address:[[:space:]]+198\.51\.100\.7"
	assert_match "$output" "rc=0"
	assert_no_match "$output" "10\.0\.2\."
}

@test "netns: outbound_addr= binds the container's outgoing connections to a host address or interface" {
	in_host '
	ip addr add 192.0.2.9/24 dev hostnet || die "cannot add 192.0.2.9"
	ip tuntap add other mode tap && ip addr add 198.51.100.9/24 dev other && ip link set other up ||
		die "cannot add the tap other with 198.51.100.9"
	bg timeout 30 socat TCP-LISTEN:8080,bind=192.0.2.1,reuseaddr,fork SYSTEM:"echo peer \$SOCAT_PEERADDR"
	wait_for listening 8080
	for net in slirp:outbound_addr=192.0.2.9 slirp:outbound_addr=other slirp; do
		echo "$net: $(drive -n $net -- busybox nc 192.0.2.1 8080 </dev/null)"
	done
	drive -n slirp:outbound_addr=nosuchif -- true
	echo "rc=$?"'
	assert_match "$output" "slirp:outbound_addr=192\.0\.2\.9: peer 192\.0\.2\.9"
	assert_match "$output" "slirp:outbound_addr=other: peer 198\.51\.100\.9"
	assert_match "$output" "slirp: peer 192\.0\.2\.1"
	assert_match "$output" "outbound_addr: there is no interface 'nosuchif' here"
	assert_match "$output" "rc=125"
}

@test "netns: outbound TCP to a host address gets the server's reply" {
	in_host '
	serve 8080 TCP-LISTEN:8080,bind=192.0.2.1,reuseaddr SYSTEM:"echo hello from the host"
	drive -- busybox nc 192.0.2.1 8080 </dev/null
	echo "rc=$?"'
	assert_match "$output" "hello from the host"
	assert_match "$output" "rc=0"
}

@test "netns: a host server that closes while the container still sends does not kill the network (SIGPIPE)" {
	in_host '
	# each reads a little, then goes while the container keeps sending
	bg timeout 30 socat TCP-LISTEN:8080,bind=192.0.2.1,reuseaddr,fork SYSTEM:"head -c 3000000 >/dev/null"
	serve 8081 TCP-LISTEN:8081,bind=192.0.2.1,reuseaddr SYSTEM:"echo still here"
	wait_for listening 8080
	drive -- timeout 20 sh -c "for i in 1 2 3 4 5; do busybox head -c 100000000 /dev/zero | busybox nc -w 2 192.0.2.1 8080; done; busybox nc 192.0.2.1 8081 </dev/null"
	echo "rc=$?"'
	assert_match "$output" "still here"
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
