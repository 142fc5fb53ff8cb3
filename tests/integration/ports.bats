#!/usr/bin/env bats
# Published ports (netns/ports.h): the forwarding engine driven by
# tests/helpers/slirp-drive -p the way the monitor drives it, on the
# stand-in host of hostns.bash. The "container" side runs socat servers
# from scripts the tests write; they say they are ready by touching a file.

load helpers
load hostns

# More of the host side, after hostns.bash's PRELUDE.
PORTS_PRELUDE='
# publish ARGS... -- CMD...: slirp-drive in the background, its ports as
# bound in $T/ports; DRIVE_PID is its pid
publish() {
	rm -f "$T/ports" "$T/ready"
	"$DRIVE" -t 30 --ports-file "$T/ports" "$@" >>"$T/drive.log" 2>&1 &
	DRIVE_PID=$!
	bgpids="$bgpids $!"
	wait_for test -e "$T/ports"
}
# ready: the container side touched $T/ready (its servers listen)
ready() { wait_for test -e "$T/ready"; }
# hport CTRPORT [PROTO]: the host port published for it
hport() { sed -n "s/.*:\([0-9]*\)\(-[0-9]*\)\{0,1\}->$1\(-[0-9]*\)\{0,1\}\/${2:-tcp}\$/\1/p" "$T/ports" | head -1; }
# cpu PID: its user+system clock ticks so far
cpu() { awk "{print \$14 + \$15}" "/proc/$1/stat"; }
cat >"$T/in.sh" <<"IN"
# sourced by the container side. up PORT [udp]: waits (20 s) until something
# listens on PORT in this namespace
up() {
	local i proto=-t
	[ "${2:-}" = udp ] && proto=-u
	for i in $(seq 400); do
		[ -n "$(ss -Hln $proto "sport = :$1")" ] && return 0
		sleep 0.05
	done
	echo "nothing listens on $1" >&2
	exit 98
}
IN
# the container side of the UDP flow tests: a server on port 53 that
# answers each datagram with the port of the flow it came in on
cat >"$T/udp-flow.sh" <<"UDP"
. "$T/in.sh"
timeout 30 socat UDP4-RECVFROM:53,fork SYSTEM:"read x; echo \$SOCAT_PEERPORT" &
up 53 udp
touch "$T/ready"
wait
UDP
# ask_flow: a datagram from host port 40000 to 5353; prints the answer (the
# port of its flow inside)
ask_flow() { echo x | socat -T 3 - UDP:127.0.0.1:5353,sourceport=40000,reuseaddr; }
'

# in_host with the ports helpers
in_ports_host() {
	in_host "$PORTS_PRELUDE
$1"
}

@test "ports: TCP both ways through the default handler: an upload, a download and a half-closed request arrive intact" {
	head -c 20M /dev/urandom >"$T/big"
	local sum
	sum=$(sha256sum <"$T/big" | cut -d' ' -f1)
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat -u TCP-LISTEN:80,reuseaddr CREATE:"$T/up" &
timeout 30 socat -u FILE:"$T/big" TCP-LISTEN:81,reuseaddr &
# answers once the request is over: the client half-closes, then reads
timeout 30 socat TCP-LISTEN:82,reuseaddr SYSTEM:sha256sum &
up 80; up 81; up 82
touch "$T/ready"
wait
C
	publish -p 8080:80 -p 8081:81 -p 8082:82 -- bash "$T/c.sh"
	ready
	cat "$T/ports"
	socat -u FILE:"$T/big" TCP:127.0.0.1:8080; echo "up rc=$?"
	wait_for size_is "$T/up" 20971520
	socat -u TCP:127.0.0.1:8081 CREATE:"$T/down"; echo "down rc=$?"
	echo "answer: $(socat -t 10 - TCP:127.0.0.1:8082 <"$T/big")"'
	assert_match "$output" "0\.0\.0\.0:8080->80/tcp"
	assert_match "$output" "up rc=0"
	assert_match "$output" "down rc=0"
	is "$(sha256sum <"$T/up" | cut -d' ' -f1)" "$sum" "uploaded data differs"
	is "$(sha256sum <"$T/down" | cut -d' ' -f1)" "$sum" "downloaded data differs"
	assert_match "$output" "answer: $sum  -" "the answer after the half-close"
}

@test "ports: UDP both ways through the default handler; two clients get their own answers" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat UDP-RECVFROM:53,fork SYSTEM:"read x; echo got \$x" &
up 53 udp
touch "$T/ready"
wait
C
	publish -p 5353:53/udp -- bash "$T/c.sh"
	ready
	cat "$T/ports"
	echo one | socat -T 3 - UDP:127.0.0.1:5353
	echo two | socat -T 3 - UDP:192.0.2.1:5353
	echo three | socat -T 3 - UDP6:[::1]:5353'
	assert_match "$output" "0\.0\.0\.0:5353->53/udp"
	assert_match "$output" "got one"
	assert_match "$output" "got two"
	assert_match "$output" "got three"
}

@test "ports: two UDP clients on one address get flows of their own, one for each source port" {
	# a flow keyed on the address alone would send b's datagram down a's
	# flow, and b's answer to a's port
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat UDP4-RECVFROM:53,fork SYSTEM:"read x; echo \$x from port \$SOCAT_PEERPORT" &
up 53 udp
touch "$T/ready"
wait
C
	publish -p 5353:53/udp -- bash "$T/c.sh"
	ready
	ask() { echo "$1: $(echo $1 | socat -T 3 - UDP:127.0.0.1:5353,sourceport=$2,reuseaddr)"; }
	ask a 40001; ask b 40002; ask a 40001'
	assert_match "$output" "a: a from port [0-9]+"
	assert_match "$output" "b: b from port [0-9]+" "b gets its own answer"
	local a b
	a=$(sed -n 's/^a: a from port //p' <<<"$output" | sort -u)
	b=$(sed -n 's/^b: b from port //p' <<<"$output")
	is "$(wc -l <<<"$a")" 1 "a's datagrams come in on one flow: $a"
	[ "$a" != "$b" ] || is "$b" "not $a" "the server sees the two clients on ports of their own"
}

@test "ports: a range maps each port to its own; a range without host ports gets free ones in a row" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
for p in 9000 9001 9002 9100 9101; do
	timeout 30 socat TCP-LISTEN:$p,fork,reuseaddr SYSTEM:"echo port $p" &
	up $p
done
touch "$T/ready"
wait
C
	publish -p 8000-8002:9000-9002 -p 9100-9101 -- bash "$T/c.sh"
	ready
	cat "$T/ports"
	for p in 8000 8001 8002; do echo "$p: $(socat -T 3 - TCP:127.0.0.1:$p </dev/null)"; done
	free=$(hport 9100)
	echo "free: $free"
	echo "first: $(socat -T 3 - TCP:127.0.0.1:$free </dev/null)"
	echo "second: $(socat -T 3 - TCP:127.0.0.1:$((free + 1)) </dev/null)"'
	assert_match "$output" "0\.0\.0\.0:8000-8002->9000-9002/tcp"
	assert_match "$output" "8000: port 9000"
	assert_match "$output" "8001: port 9001"
	assert_match "$output" "8002: port 9002"
	assert_match "$output" "0\.0\.0\.0:([0-9]+)-([0-9]+)->9100-9101/tcp"
	assert_match "$output" "first: port 9100"
	assert_match "$output" "second: port 9101"
}

@test "ports: a port without a host port gets a free one, in the ports as bound" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:"echo hello" &
up 80
touch "$T/ready"
wait
C
	publish -p 80 -p 127.0.0.1::80 -- bash "$T/c.sh"
	ready
	cat "$T/ports"
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
	for p in $(sed "s/.*:\([0-9]*\)->.*/\1/" "$T/ports"); do
		[ "$p" -ge "$lo" ] && [ "$p" -le "$hi" ] && echo "in range: $p"
		echo "$p says: $(socat -T 3 - TCP:127.0.0.1:$p </dev/null)"
	done'
	assert_match "$output" "^0\.0\.0\.0:[0-9]+->80/tcp"
	assert_match "$output" "127\.0\.0\.1:[0-9]+->80/tcp"
	[ "$(grep -c "in range" <<<"$output")" = 2 ]
	[ "$(grep -c "says: hello" <<<"$output")" = 2 ]
}

@test "ports: IPv6: [::1] publishes on the IPv6 loopback only, every address takes IPv4 and IPv6 clients" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:"echo hello" &
up 80
touch "$T/ready"
wait
C
	publish -p [::1]:8080:80 -p 8081:80 -- bash "$T/c.sh"
	ready
	cat "$T/ports"
	echo "v6 loopback: $(socat -T 3 - TCP6:[::1]:8080 </dev/null)"
	echo "v4 loopback: $(socat -T 3 - TCP4:127.0.0.1:8080 </dev/null 2>&1)"
	echo "v6 any: $(socat -T 3 - TCP6:[2001:db8::1]:8081 </dev/null)"
	echo "v4 any: $(socat -T 3 - TCP4:192.0.2.1:8081 </dev/null)"'
	assert_match "$output" "\[::1\]:8080->80/tcp"
	assert_match "$output" "v6 loopback: hello"
	assert_match "$output" "v4 loopback: .*Connection refused"
	assert_match "$output" "v6 any: hello"
	assert_match "$output" "v4 any: hello"
}

@test "ports: a host port in use fails with 126 and 'address already in use', and leaves nothing behind" {
	in_ports_host '
	serve 8080 TCP-LISTEN:8080,fork,reuseaddr SYSTEM:"echo the other one"
	drive -p 8090:80 -p 8080:80 -- touch "$T/ran"
	echo "rc=$?"
	drive -p 8078-8082:80-84 -- touch "$T/ran"
	echo "range rc=$?"
	[ -e "$T/ran" ] && echo "the command ran"
	for p in 8090 8078 8079; do listening $p && echo "$p left listening"; done
	echo "still: $(socat -T 3 - TCP:127.0.0.1:8080 </dev/null)"
	kill $bgpids; wait 2>/dev/null; bgpids=
	drive -p 8080:80 -- true
	echo "free again rc=$?"'
	assert_match "$output" "burrow: cannot listen on 0\.0\.0\.0:8080/tcp: address already in use"
	assert_match "$output" "hint: another program or container has that port"
	assert_match "$output" "rc=126"
	assert_match "$output" "range rc=126"
	assert_no_match "$output" "the command ran"
	assert_no_match "$output" "left listening"
	assert_match "$output" "still: the other one"
	assert_match "$output" "free again rc=0"
}

@test "ports: a port below net.ipv4.ip_unprivileged_port_start says so and how to change it" {
	# a user namespace that does not own the host'"'"'s network namespace
	# cannot bind low ports, as an unprivileged user on a real host
	in_ports_host '
	sysctl -qw net.ipv4.ip_unprivileged_port_start=1024 2>/dev/null
	unshare -U --map-root-user "$DRIVE" -t 10 -p 80:80 -- touch "$T/ran"
	echo "rc=$?"
	[ -e "$T/ran" ] && echo "the command ran"
	listening 80 && echo "80 left listening"'
	assert_match "$output" "burrow: cannot listen on 0\.0\.0\.0:80/tcp: port 80 is below net\.ipv4\.ip_unprivileged_port_start \(1024\)"
	assert_match "$output" "hint: .*sysctl -w net\.ipv4\.ip_unprivileged_port_start=80"
	assert_match "$output" "rc=126"
	assert_no_match "$output" "the command ran|left listening"
}

@test "ports: the container sees the client's own address: TCP and UDP with both handlers" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat TCP4-LISTEN:80,fork,reuseaddr SYSTEM:"echo from \$SOCAT_PEERADDR port \$SOCAT_PEERPORT" &
timeout 30 socat TCP6-LISTEN:81,fork,reuseaddr,ipv6only=1 SYSTEM:"echo from \$SOCAT_PEERADDR" &
timeout 30 socat UDP4-RECVFROM:53,fork SYSTEM:"read x; echo udp from \$SOCAT_PEERADDR" &
up 80; up 81; up 53 udp
touch "$T/ready"
wait
C
	n=0
	for net in slirp:port_handler=slirp slirp4netns:port_handler=slirp4netns slirp; do
		n=$((n + 1))
		publish -n $net -p 8080:80 -p 8081:81 -p 5353:53/udp -- bash "$T/c.sh"
		ready
		echo "$net tcp: $(socat -T 3 - TCP4:192.0.2.1:8080,bind=192.0.2.1:4000$n </dev/null)"
		echo "$net tcp6: $(socat -T 3 - TCP6:[2001:db8::1]:8081,bind=[2001:db8::1] </dev/null)"
		echo "$net udp: $(echo x | socat -T 3 - UDP:192.0.2.1:5353,bind=192.0.2.1)"
		kill $DRIVE_PID; wait $DRIVE_PID 2>/dev/null
	done'
	assert_match "$output" "slirp:port_handler=slirp tcp: from 192\.0\.2\.1 port 40001"
	assert_match "$output" "slirp:port_handler=slirp tcp6: from \[2001:0db8:0000:0000:0000:0000:0000:0001\]"
	assert_match "$output" "slirp:port_handler=slirp udp: udp from 192\.0\.2\.1"
	assert_match "$output" "slirp4netns:port_handler=slirp4netns tcp: from 192\.0\.2\.1 port 40002"
	# the default handler keeps TCP clients' addresses and ports too
	assert_match "$output" "slirp tcp: from 192\.0\.2\.1 port 40003"
	# (a line of its own: "slirp:port_handler=slirp tcp6: ..." ends the same)
	assert_match "$output" "
slirp tcp6: from \[2001:0db8:0000:0000:0000:0000:0000:0001\]"
	# and UDP clients' (IPv4)
	assert_match "$output" "
slirp udp: udp from 192\.0\.2\.1"
}

@test "ports: when the container drops the routing rule of kept addresses, connections still work, from its loopback" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat TCP4-LISTEN:80,fork,reuseaddr SYSTEM:"echo from \$SOCAT_PEERADDR" &
up 80
# the engine adds its rule once the command runs
for i in $(seq 400); do ip rule | grep -q 0x62757272 && break; sleep 0.05; done
ip rule del fwmark 0x62757272 lookup 25205 || echo "no rule to drop"
touch "$T/ready"
wait
C
	publish -p 8080:80 -- bash "$T/c.sh"
	ready
	start=$SECONDS
	for i in 1 2 3 4 5; do echo "$i: $(socat -T 5 - TCP4:192.0.2.1:8080,bind=192.0.2.1 </dev/null)"; done
	echo "took $((SECONDS - start)) s"
	kill $DRIVE_PID; wait $DRIVE_PID 2>/dev/null
	cat "$T/drive.log"'
	local i
	for i in 1 2 3 4 5; do
		assert_match "$output" "$i: from 127\.0\.0\.1"
	done
	assert_no_match "$output" "no rule to drop"
	assert_match "$output" "took [0-2] s"
	assert_match "$output" "burrow: warning: published ports: connections that keep the client's address lose their replies"
}

@test "ports: when the container drops the UDP rule of kept addresses, new flows still get answers, from its loopback" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat UDP4-RECVFROM:53,fork SYSTEM:"read x; echo udp from \$SOCAT_PEERADDR" &
up 53 udp
# the engine adds its rule once the command runs
for i in $(seq 400); do ip rule | grep -q "lookup 25206" && break; sleep 0.05; done
ip rule del ipproto udp sport 53 lookup 25206 || echo "no rule to drop"
touch "$T/ready"
wait
C
	publish -p 5353:53/udp -- bash "$T/c.sh"
	ready
	for i in 1 2 3; do echo "$i: $(echo x | socat -T 3 - UDP:192.0.2.1:5353,bind=192.0.2.1)"; done
	kill $DRIVE_PID; wait $DRIVE_PID 2>/dev/null
	cat "$T/drive.log"'
	local i
	for i in 1 2 3; do
		assert_match "$output" "$i: udp from 127\.0\.0\.1"
	done
	assert_no_match "$output" "no rule to drop"
	assert_match "$output" "burrow: warning: published ports: UDP replies to clients' addresses do not come back"
}

@test "ports: UDP clients over IPv6 keep their address through the default handler; an IPv4-only server still answers them" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat UDP6-RECVFROM:53,fork SYSTEM:"read x; echo udp6 from \$SOCAT_PEERADDR port \$SOCAT_PEERPORT" &
timeout 30 socat UDP4-RECVFROM:54,fork SYSTEM:"read x; echo udp4 from \$SOCAT_PEERADDR" &
up 53 udp; up 54 udp
touch "$T/ready"
wait
C
	publish -p 5353:53/udp -p 5354:54/udp -- bash "$T/c.sh"
	ready
	for i in 1 2; do
		echo "$i v6: $(echo x | socat -T 3 - UDP6:[2001:db8::1]:5353,bind=[2001:db8::1]:4100$i)"
	done
	echo "v4 client: $(echo x | socat -T 3 - UDP:192.0.2.1:5353,bind=192.0.2.1)"
	echo "v4-only server: $(echo x | socat -T 3 - UDP6:[2001:db8::1]:5354,bind=[2001:db8::1])"
	kill $DRIVE_PID; wait $DRIVE_PID 2>/dev/null
	cat "$T/drive.log"'
	local i
	for i in 1 2; do
		assert_match "$output" "$i v6: udp6 from \[2001:0db8:0000:0000:0000:0000:0000:0001\] port 4100$i"
	done
	# an IPv4 client of an IPv6 server (dual-stack) keeps its address too
	assert_match "$output" "v4 client: udp6 from \[0000:0000:0000:0000:0000:ffff:c000:0201\]"
	assert_match "$output" "v4-only server: udp4 from 127\.0\.0\.1"
	assert_no_match "$output" "warning"
	assert_no_match "$output" "RTNETLINK" "a command of the container side failed"
}

@test "ports: a port nothing listens on, or one served on the other family only, does not stop the keeping of addresses" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat TCP4-LISTEN:80,fork,reuseaddr SYSTEM:"echo from \$SOCAT_PEERADDR" &
up 80
touch "$T/ready"
wait
C
	publish -p 8080:80 -p 8081:81 -- bash "$T/c.sh"
	ready
	for i in 1 2 3 4; do
		socat -T 3 - TCP4:192.0.2.1:8081,bind=192.0.2.1 </dev/null >/dev/null 2>&1
		echo "v6 $i: $(socat -T 3 - TCP6:[2001:db8::1]:8080 </dev/null)"
	done
	echo "v4: $(socat -T 3 - TCP4:192.0.2.1:8080,bind=192.0.2.1 </dev/null)"
	kill $DRIVE_PID; wait $DRIVE_PID 2>/dev/null
	cat "$T/drive.log"'
	local i
	for i in 1 2 3 4; do
		# an IPv4 server has no way to see an IPv6 address
		assert_match "$output" "v6 $i: from 127\.0\.0\.1"
	done
	assert_match "$output" "v4: from 192\.0\.2\.1"
	assert_no_match "$output" "warning"
}

@test "ports: a server too slow to answer at once does not stop the keeping of addresses" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
# an accept queue of one, served only after 2 s: the SYNs beyond it are
# dropped, and their clients retry
timeout 30 python3 -c "
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"0.0.0.0\", 80))
s.listen(0)
time.sleep(2)
while True:
    c, a = s.accept()
    c.sendall((\"from %s\n\" % a[0]).encode())
    c.close()
" &
up 80
touch "$T/ready"
wait
C
	publish -p 8080:80 -- bash "$T/c.sh"
	ready
	for i in 1 2 3 4 5; do
		socat -t 15 -T 15 - TCP4:192.0.2.1:8080,bind=192.0.2.1 </dev/null >"$T/slow.$i" 2>&1 &
	done
	# SYNs are sent again after 1, 3, 7 s
	for i in $(seq 150); do
		[ "$(cat "$T"/slow.* | grep -c .)" -ge 5 ] && break
		sleep 0.1
	done
	for i in 1 2 3 4 5; do echo "$i: $(cat "$T/slow.$i")"; done
	echo "after: $(socat -T 5 - TCP4:192.0.2.1:8080,bind=192.0.2.1 </dev/null)"
	kill $DRIVE_PID; wait $DRIVE_PID 2>/dev/null
	cat "$T/drive.log"'
	local i
	for i in 1 2 3 4 5; do
		assert_match "$output" "$i: from 192\.0\.2\.1"
	done
	assert_match "$output" "after: from 192\.0\.2\.1"
	assert_no_match "$output" "warning"
}

@test "ports: 10 forwards at once" {
	in_ports_host '
	for i in $(seq 0 9); do
		cat >"$T/c$i.sh" <<C
. "\$T/in.sh"
timeout 30 socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:"echo hello from $i" &
up 80
touch "\$T/ready$i"
wait
C
		"$DRIVE" -t 30 -p 81$i:80 -- bash "$T/c$i.sh" >>"$T/drive.log" 2>&1 &
		bgpids="$bgpids $!"
	done
	for i in $(seq 0 9); do wait_for test -e "$T/ready$i"; done
	for i in $(seq 0 9); do socat -T 5 - TCP:127.0.0.1:81$i </dev/null >"$T/out$i" & done
	answered() { [ "$(cat "$T"/out? 2>/dev/null | wc -l)" = 10 ]; }
	wait_for answered
	cat "$T"/out?'
	local i
	for i in $(seq 0 9); do
		assert_match "$output" "hello from $i"
	done
}

@test "ports: a client that stops reading or vanishes mid-transfer stalls neither the monitor nor other connections" {
	head -c 5M /dev/urandom >"$T/big"
	local sum
	sum=$(sha256sum <"$T/big" | cut -d' ' -f1)
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat -u /dev/zero TCP-LISTEN:80,fork,reuseaddr &
timeout 30 socat TCP-LISTEN:81,fork,reuseaddr SYSTEM:sha256sum &
up 80; up 81
touch "$T/ready"
wait
C
	publish -p 8080:80 -p 8081:81 -- bash "$T/c.sh"
	ready
	# one stops reading, one vanishes mid-transfer
	socat -u TCP:127.0.0.1:8080 /dev/null & stalled=$!
	socat -u TCP:127.0.0.1:8080 /dev/null & gone=$!
	sleep 0.5
	kill -STOP $stalled
	kill -KILL $gone
	sleep 0.5
	before=$(cpu $DRIVE_PID)
	echo "answer: $(timeout 10 socat -t 10 - TCP:127.0.0.1:8081 <"$T/big")"
	sleep 2
	used=$(( $(cpu $DRIVE_PID) - before ))
	echo "cpu ticks: $used"
	[ "$used" -lt 100 ] && echo "no busy loop"
	kill -CONT $stalled; kill $stalled; wait $stalled 2>/dev/null
	echo "still: $(socat -T 3 - TCP:127.0.0.1:8081 </dev/null)"'
	assert_match "$output" "answer: $sum  -" "another connection is served"
	assert_match "$output" "no busy loop"
	assert_match "$output" "still: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}

@test "ports: an idle UDP flow ends; the next datagram gets a new one" {
	in_ports_host '
	# flows that keep the client port look alike inside: the next test
	# idle flows go at the next 1 s tick of the engine: with 4 s, the flow
	# of a lives at least 4 s after its answer, so b (an ask takes ~0.5 s,
	# more on a loaded machine) finds it; c comes over 6 s after b, when
	# that is gone (4 s idle, then at most 1 s to the tick)
	publish --udp-idle 4000 --no-keep-addresses -p 5353:53/udp -- bash "$T/udp-flow.sh"
	ready
	a=$(ask_flow); b=$(ask_flow)
	sleep 6
	c=$(ask_flow)
	echo "a=$a b=$b c=$c"
	[ -n "$a" ] && [ "$a" = "$b" ] && echo "same flow while busy"
	[ -n "$c" ] && [ "$c" != "$a" ] && echo "a new flow after idling"'
	assert_match "$output" "same flow while busy"
	assert_match "$output" "a new flow after idling"
}

@test "ports: a UDP client's kept address routes back only while its flow lives; the container's own datagrams from the port go out" {
	in_ports_host '
	ip addr add 192.0.2.2/24 dev hostnet || die "cannot add 192.0.2.2"
	bg timeout 30 socat -u UDP4-RECV:6000,bind=192.0.2.1 OPEN:"$T/own",creat,append
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
# the table of kept UDP clients, every 0.1 s for 30 s
for i in $(seq 300); do ip route show table 25206 >"$T/rt.tmp" 2>&1; mv -f "$T/rt.tmp" "$T/rt"; sleep 0.1; done &
timeout 30 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((\"0.0.0.0\", 53))
while True:
    d, a = s.recvfrom(100)
    if d.startswith(b\"out\"):
        s.sendto(b\"own datagram\\n\", (\"192.0.2.1\", 6000))
    s.sendto((\"udp from %s\\n\" % a[0]).encode(), a)
" &
up 53 udp
touch "$T/ready"
wait
C
	publish --udp-idle 6000 -p 5353:53/udp -- bash "$T/c.sh"
	ready
	echo "first: $(echo x | socat -T 3 - UDP:192.0.2.1:5353,bind=192.0.2.2)"
	echo "out: $(echo out | socat -T 3 - UDP:192.0.2.1:5353,bind=192.0.2.2)"
	wait_for grep -q "own datagram" "$T/own"
	echo "own: $(cat "$T/own")"
	# the flows live 6 s after their last datagram (room to see the route
	# on a loaded machine), then go within a second
	wait_for grep -q 192.0.2.2 "$T/rt"
	echo "table while busy: $(cat "$T/rt")"
	for i in $(seq 200); do grep -q 192.0.2.2 "$T/rt" || break; sleep 0.1; done
	echo "table after idling: [$(cat "$T/rt")]"
	kill $DRIVE_PID; wait $DRIVE_PID 2>/dev/null
	cat "$T/drive.log"'
	assert_match "$output" "first: udp from 192\.0\.2\.2"
	assert_match "$output" "out: udp from 192\.0\.2\.2"
	# sent from the published port to an address that is no client's: out through slirp
	assert_match "$output" "own: own datagram"
	assert_match "$output" "table while busy: local 192\.0\.2\.2 dev lo .*src 127\.0\.0\.1"
	assert_match "$output" "table after idling: \[\]"
	assert_no_match "$output" "warning"
}

@test "ports: the ports are free again as soon as the monitor is done" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat TCP-LISTEN:80,reuseaddr SYSTEM:"echo hello" &
up 80
touch "$T/ready"
wait
C
	for round in 1 2; do
		publish -p 8080:80 -p 5353:53/udp -- bash "$T/c.sh"
		ready
		echo "round $round: $(socat -T 3 - TCP:127.0.0.1:8080 </dev/null)"
		wait $DRIVE_PID
		echo "round $round rc=$?"
	done
	listening 8080 && echo "8080 left listening"
	drive -n slirp:port_handler=slirp -p 8080:80 -- true
	echo "slirp rc=$?"'
	assert_match "$output" "round 1: hello"
	assert_match "$output" "round 1 rc=0"
	assert_match "$output" "round 2: hello"
	assert_match "$output" "round 2 rc=0"
	assert_no_match "$output" "left listening"
	assert_match "$output" "slirp rc=0"
}

@test "ports: port_handler=slirp forwards IPv6 to the container's IPv6 address" {
	in_ports_host '
	cat >"$T/c.sh" <<"C"
. "$T/in.sh"
timeout 30 socat TCP6-LISTEN:80,fork,reuseaddr SYSTEM:"echo from \$SOCAT_PEERADDR" &
up 80
touch "$T/ready"
wait
C
	publish -n slirp:port_handler=slirp -p [2001:db8::1]:8080:80 -- bash "$T/c.sh"
	ready
	echo "v6: $(socat -T 3 - TCP6:[2001:db8::1]:8080 </dev/null)"
	kill $DRIVE_PID; wait $DRIVE_PID 2>/dev/null
	drive -n slirp:port_handler=slirp,enable_ipv6=false -p [::1]:8080:80 -- true
	echo "rc=$?"'
	assert_match "$output" "v6: from \[2001:0?db8:"
	assert_match "$output" "cannot publish '\[::1\]:8080:80/tcp' with port_handler=slirp: the container has no IPv6"
	assert_match "$output" "rc=125"
}

@test "ports: a bad -p is refused before anything runs" {
	in_ports_host '
	drive -p 8080:80/sctp -- touch "$T/ran"
	echo "sctp rc=$?"
	drive -p 8080:80 -p 8080:81 -- touch "$T/ran"
	echo "twice rc=$?"
	[ -e "$T/ran" ] && echo "the command ran"'
	assert_match "$output" "burrow: invalid port mapping '8080:80/sctp': sctp cannot be published by a rootless container"
	assert_match "$output" "sctp rc=125"
	assert_match "$output" "conflicting port mappings: host port 8080/tcp is published twice"
	assert_match "$output" "twice rc=125"
	assert_no_match "$output" "the command ran"
}

@test "ports: a UDP flow in use lives on past the idle time: its every datagram counts, not only its first" {
	in_ports_host '
	publish --udp-idle 2000 --no-keep-addresses -p 5353:53/udp -- bash "$T/udp-flow.sh"
	ready
	# a datagram every ~0.4 s (an ask takes ~0.3 s) for over two idle
	# times, never idle for one
	first=$(ask_flow) ports=
	for i in $(seq 15); do sleep 0.1; ports="$ports $(ask_flow)"; done
	echo "first=$first ports=$ports"
	[ -n "$first" ] && [ -z "$(echo $ports | tr " " "\n" | grep -vx "$first")" ] && echo "one flow all along"'
	assert_match "$output" "one flow all along"
}
