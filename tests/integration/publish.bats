#!/usr/bin/env bats
# Published ports through `burrow run -p` (netns/ports.h wired into the
# monitor): servers inside the container (busybox httpd and nc, and
# tests/helpers/netpeer, static, which answers with the client's address),
# the test's clients on the host's loopback.

load helpers

NETPEER=$HELPERS_BIN/netpeer

suite_setup() {
	import_with_helper "$NETPEER" peer
	bgpids=
}

suite_teardown() {
	local p
	for p in $bgpids; do kill "$p" 2>/dev/null || true; done
	rm_containers
}

# hport CTR PORT[/PROTO]: the host port `burrow port` reports
hport() {
	run_burrow 0 port "$1" "$2"
	echo "${output##*:}"
}

# ask HOST PORT [tcp|udp] [SRCADDR]: what the server says to a client (TCP:
# connect and read to the end; UDP: send "hello", read the answer),
# retried for at most 30 s while the container's server is not up yet (a
# loaded machine starts it late)
ask() {
	python3 - "$@" <<'PY'
import socket, sys, time
host, port, proto = sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "tcp"
src = sys.argv[4] if len(sys.argv) > 4 else None
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
end = time.time() + 30
while True:
    try:
        s = socket.socket(fam, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
        s.settimeout(1)
        if src:
            s.bind((src, 0))
        if proto == "udp":
            s.sendto(b"hello", (host, port))
            data = s.recv(4096)
        else:
            s.connect((host, port))
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
        if data:
            me = s.getsockname()
            print("client %s %d" % (me[0], me[1]))
            sys.stdout.write(data.decode())
            sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
    if time.time() > end:
        print("no answer from %s:%d/%s" % (host, port, proto), file=sys.stderr)
        sys.exit(1)
    time.sleep(0.1)
PY
}

# hold PORT: a listener on 127.0.0.1:PORT of someone else's (in the
# background, answering "mine"; SO_REUSEADDR, as servers do, so that the
# connections it closed do not keep the port); HOLD_PID
hold() {
	python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall(b"mine\n"); c.close()
' "$1" &
	HOLD_PID=$!
	bgpids="$bgpids $HOLD_PID"
	wait_listening "$1"
}

# bindable PORT: someone else can bind 127.0.0.1:PORT at once
# (SO_REUSEADDR, as servers do)
bindable() {
	python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)' "$1"
}

# policy_forwards PORT: a --restart always container c on 127.0.0.1:PORT,
# whose server answers once and exits, is brought back and forwarded again
policy_forwards() {
	run_burrow 0 run -d --name c --restart always -p "127.0.0.1:$1:80" busybox sh -c 'echo hi | nc -l -p 80'
	run ask 127.0.0.1 "$1"
	assert_match "$output" "hi"
	run ask 127.0.0.1 "$1"
	assert_match "$output" "hi" "forwarded again after the policy restarted it"
	run_burrow 0 inspect --format '{{.RestartCount}}' c
	[ "$output" -ge 1 ]
}

@test "publish: TCP both ways through run -d -p: an upload and a download arrive intact" {
	head -c 3000000 /dev/urandom >"$T/up"
	run_burrow 0 run -d --name web -p 127.0.0.1::80 -p 127.0.0.1::81 busybox sh -c \
		'head -c 3000000 /dev/urandom >/tmp/big; nc -l -p 80 >/tmp/up & httpd -f -p 81 -h /tmp'
	local p80 p81
	p80=$(hport web 80)
	p81=$(hport web 81)
	# download (once httpd answers)
	local i rc
	for i in $(seq 200); do
		rc=0
		curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$p81/nothing-here" 2>/dev/null || rc=$?
		[ "$rc" = 22 ] && break # a 404: httpd answers
		sleep 0.1
	done
	curl -sf --max-time 20 -o "$T/down" "http://127.0.0.1:$p81/big"
	run_burrow 0 exec web sha256sum /tmp/big
	is "$(sha256sum <"$T/down" | cut -d' ' -f1)" "${output%% *}" "the download arrived intact"
	# upload (nc listens before httpd started)
	timeout 20 socat -u FILE:"$T/up" TCP:127.0.0.1:"$p80"
	local want
	want=$(sha256sum <"$T/up" | cut -d' ' -f1)
	for i in $(seq 100); do
		run_burrow 0 exec web sha256sum /tmp/up
		[ "${output%% *}" = "$want" ] && break
		sleep 0.1
	done
	is "${output%% *}" "$want" "the upload arrived intact"
}

@test "publish: UDP both ways through -p PORT/udp" {
	run_burrow 0 run -d --name u -p 127.0.0.1::90/udp peer netpeer udp 90
	run ask 127.0.0.1 "$(hport u 90/udp)" udp 127.0.0.7
	is "$status" 0 "an answer came back: $output"
	# the client's own address, seen inside (the splice handler keeps it)
	assert_match "$output" "127\.0\.0\.7 hello$"
	run_burrow 0 port u
	assert_match "$output" "^90/udp -> 127\.0\.0\.1:[0-9]+$"
}

@test "publish: a range of ports, shown together by ps and one by one by port" {
	run_burrow 0 run -d --name r -p 127.0.0.1::90-91 peer sh -c 'netpeer tcp 90 & netpeer tcp 91'
	local a b
	a=$(hport r 90)
	b=$(hport r 91)
	is "$b" "$((a + 1))" "a run of free host ports"
	run ask 127.0.0.1 "$a"
	is "$status" 0
	run ask 127.0.0.1 "$b"
	is "$status" 0
	run_burrow 0 ps --format '{{.Ports}}'
	is "$output" "127.0.0.1:$a-$b->90-91/tcp"
	run_burrow 0 port r
	is "$output" "90/tcp -> 127.0.0.1:$a
91/tcp -> 127.0.0.1:$b"
}

@test "publish: ps shows consecutive ports published one by one as one range, as podman" {
	local p
	# two free ports in a row
	p=$(python3 -c '
import socket
for base in range(20000, 60000, 7):
    try:
        a = socket.socket(); a.bind(("127.0.0.1", base)); b = socket.socket(); b.bind(("127.0.0.1", base + 1))
        print(base); break
    except OSError: pass')
	run_burrow 0 run -d --name pr -p "127.0.0.1:$((p + 1)):91" -p "127.0.0.1:$p:90" -p 127.0.0.1::92/udp busybox sleep 60
	local u
	u=$(hport pr 92/udp)
	run_burrow 0 ps --format '{{.Ports}}'
	is "$output" "127.0.0.1:$p-$((p + 1))->90-91/tcp, 127.0.0.1:$u->92/udp"
	run_burrow 0 port pr
	is "$output" "91/tcp -> 127.0.0.1:$((p + 1))
90/tcp -> 127.0.0.1:$p
92/udp -> 127.0.0.1:$u"
}

@test "publish: a random host port (-p 80) is reported by port, ps and inspect, and reaches the container" {
	run_burrow 0 run -d --name w -p 80 peer netpeer tcp 80
	run_burrow 0 port w 80
	assert_match "$output" "^0\.0\.0\.0:[0-9]+$"
	local p=${output##*:}
	[ "$p" -gt 0 ]
	run ask 127.0.0.1 "$p"
	is "$status" 0 "$output"
	run_burrow 0 ps --format '{{.Ports}}'
	is "$output" "0.0.0.0:$p->80/tcp"
	run_burrow 0 inspect --format '{{json .NetworkSettings.Ports}} {{json .HostConfig.PortBindings}}' w
	is "$output" '{"80/tcp":[{"HostIp":"","HostPort":"'"$p"'"}]} {"80/tcp":[{"HostIp":"","HostPort":""}]}'
	# the port as typed, as podman says it
	run_burrow 125 port w 81
	is "$output" 'burrow: failed to find published port "81"'
	run_burrow 125 port w 80/udp
	is "$output" 'burrow: failed to find published port "80/udp"'
}

@test "publish: an IPv6 host address is forwarded" {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null ||
		need_or_fail "IPv6 loopback (::1)"
	run_burrow 0 run -d --name v6 -p '[::1]::80' peer netpeer tcp 80
	run_burrow 0 port v6 80
	assert_match "$output" '^\[::1\]:[0-9]+$'
	run ask ::1 "${output##*:}"
	is "$status" 0 "$output"
	# the client's own address and port, seen inside (the splice handler keeps them)
	local me=$(sed -n 's/^client //p' <<<"$output")
	assert_match "$output" "
$me"
}

@test "publish: a host port in use fails with 126 naming it and leaves nothing; its owner keeps it" {
	local p q
	# two different ports (two free_port calls may give the same one)
	{ read -r p; read -r q; } < <(free_port 2)
	hold "$p"
	# the free port first: it is bound, then let go when the next fails
	run_burrow 126 run -d --name busy -p "127.0.0.1:$q:81" -p "127.0.0.1:$p:80" busybox sleep 60
	assert_match "$output" "127\.0\.0\.1:$p/tcp: address already in use"
	assert_match "$output" "hint: another program or container has that port"
	run_burrow 0 ps -a -q
	is "$output" "" "no container left"
	[ -z "$(ss -Hltn "sport = :$q")" ] || { echo "port $q left listening"; false; }
	run_burrow 126 run --rm -p "127.0.0.1:$p:80" busybox touch /ran
	run_burrow 0 ps -a -q
	is "$output" "" "no --rm container left"
	run ask 127.0.0.1 "$p"
	assert_match "$output" "mine" "the port is still its owner's"
	# a created one stays created (start says 125 for any failure, as podman's)
	run_burrow 0 create --name later -p "127.0.0.1:$p:80" busybox sleep 60
	run_burrow 125 start later
	assert_match "$output" "address already in use"
	# restart too, as podman's (its start's 125, not run's 126)
	run_burrow 125 restart later
	assert_match "$output" "address already in use"
	run_burrow 0 ps -a --format '{{.Names}} {{.Status}}'
	is "$output" "later Created"
	kill "$HOLD_PID"
	wait "$HOLD_PID" 2>/dev/null || true
	run_burrow 0 start later
	run_burrow 0 ps --format '{{.Names}} {{.Ports}}'
	is "$output" "later 127.0.0.1:$p->80/tcp"
}

@test "publish: port_handler=slirp goes through libslirp's hostfwd (the client's port kept, the host as 10.0.2.2); the default keeps the address too" {
	run_burrow 0 run -d --name s --network slirp:port_handler=slirp -p 127.0.0.1::80 peer netpeer tcp 80
	run_burrow 0 run -d --name d -p 127.0.0.1::80 peer netpeer tcp 80
	run ask 127.0.0.1 "$(hport s 80)" tcp 127.0.0.7
	is "$status" 0 "$output"
	local port=$(sed -n 's/^client 127\.0\.0\.7 //p' <<<"$output")
	assert_match "$output" "
10\.0\.2\.2 $port$"
	run ask 127.0.0.1 "$(hport d 80)" tcp 127.0.0.7
	is "$status" 0 "$output"
	port=$(sed -n 's/^client 127\.0\.0\.7 //p' <<<"$output")
	assert_match "$output" "
127\.0\.0\.7 $port$"
}

@test "publish: port_handler=slirp answers a UDP client on the host's loopback; the container still reaches no UDP port there itself" {
	run_burrow 0 run -d --name su --network slirp:port_handler=slirp -p 127.0.0.1::90/udp peer netpeer udp 90
	run ask 127.0.0.1 "$(hport su 90/udp)" udp 127.0.0.1
	is "$status" 0 "an answer came back: $output"
	# libslirp shows a client on the host's loopback as 10.0.2.2 (and
	# answers it at 127.0.0.1: a client on 127.0.0.7 hears nothing back)
	assert_match "$output" "10\.0\.2\.2 hello$"
	# a UDP server on the host's loopback hears nothing the container starts
	python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(8)
try:
    d, a = s.recvfrom(100)
    print("got %r from %s" % (d, a), flush=True)
except socket.timeout:
    print("nothing", flush=True)
' >"$BATS_TEST_TMPDIR/udp.out" &
	local srv=$! p i
	for i in $(seq 200); do
		p=$(head -1 "$BATS_TEST_TMPDIR/udp.out")
		[ -n "$p" ] && break
		sleep 0.1
	done
	import_with_helper "$HELPERS_BIN/netbench" nb
	run_burrow run --rm nb sh -c "netbench flows 10.0.2.2 $p 1; netbench flows 10.0.2.9 $p 1"
	run_burrow run --rm --network slirp:port_handler=slirp nb netbench flows 10.0.2.2 "$p" 1
	wait "$srv"
	is "$(sed -n 2p "$BATS_TEST_TMPDIR/udp.out")" nothing "the host's loopback server"
}

@test "publish: a host port below net.ipv4.ip_unprivileged_port_start fails with 126, saying so, and leaves nothing" {
	local low
	low=$(($(cat /proc/sys/net/ipv4/ip_unprivileged_port_start) - 1))
	[ "$low" -gt 0 ] || need_or_fail "net.ipv4.ip_unprivileged_port_start above 1"
	# burrow binds from its user namespace, which does not own the host's
	# network namespace; root's binder (next test) binds them for root
	run_burrow 126 run --rm -p "127.0.0.1:$low:80" --network slirp:port_handler=slirp busybox touch /ran
	assert_match "$output" "port $low is below net\.ipv4\.ip_unprivileged_port_start \([0-9]+\), which burrow cannot bind from its user namespace"
	assert_match "$output" "hint: .*run burrow as root \(with the default port handler\).*sysctl -w net\.ipv4\.ip_unprivileged_port_start=$low"
	if [ "$(id -u)" != 0 ]; then
		run_burrow 126 run --rm -p "127.0.0.1:$low:80" busybox touch /ran
		assert_match "$output" "port $low is below net\.ipv4\.ip_unprivileged_port_start \([0-9]+\), which burrow cannot bind from its user namespace"
	fi
	run_burrow 0 ps -a -q
	is "$output" "" "no container left"
}

# free_low_port: a TCP port of 127.0.0.1 below
# net.ipv4.ip_unprivileged_port_start that nothing uses (root only)
free_low_port() {
	python3 -c '
import random, socket, sys
top = int(open("/proc/sys/net/ipv4/ip_unprivileged_port_start").read())
for p in random.sample(range(max(1, top // 2), top), min(200, top - max(1, top // 2))):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", p)); print(p); sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
sys.exit(1)'
}

@test "publish: root publishes a host port below net.ipv4.ip_unprivileged_port_start: reached, kept across restarts, free at once after stop" {
	[ "$(id -u)" = 0 ] || skip "root only (the root pass runs it); the test above is the others'"
	[ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 1 ] ||
		need_or_fail "net.ipv4.ip_unprivileged_port_start above 1"
	local p pid
	p=$(free_low_port)
	run_burrow 0 run -d --name a -p "127.0.0.1:$p:80" peer netpeer tcp 80
	run ask 127.0.0.1 "$p"
	is "$status" 0 "reached: $output"
	run_burrow 0 port a 80
	is "$output" "127.0.0.1:$p"
	run_burrow 0 restart -t 0 a
	run ask 127.0.0.1 "$p"
	is "$status" 0 "forwarded after restart: $output"
	run_burrow 0 stop -t 0 a
	run bindable "$p"
	is "$status" 0 "the port is free once stopped: $output"
	run_burrow 0 rm a
	# a foreground run keeps no binder beside it once the container runs
	"$BURROW" run --name f -p "127.0.0.1:$p:80" peer netpeer tcp 80 >/dev/null 2>&1 &
	pid=$!
	bgpids="$bgpids $pid"
	run ask 127.0.0.1 "$p"
	is "$status" 0 "reached through a foreground run: $output"
	run pgrep -P "$pid" -x burrow-binder
	is "$output" "" "no binder beside the foreground run"
	run_burrow 0 rm -f -t 0 f
	# brought back on the sockets bound at the first start
	policy_forwards "$p"
	run_burrow 0 rm -f -t 0 c
	run bindable "$p"
	is "$status" 0 "the port is free once removed: $output"
}

@test "publish: stop releases the host ports at once; restart and the restart policy forward again" {
	local p
	p=$(free_port)
	run_burrow 0 run -d --name a -p "127.0.0.1:$p:80" peer netpeer tcp 80
	run ask 127.0.0.1 "$p"
	is "$status" 0
	run_burrow 0 restart -t 0 a
	run ask 127.0.0.1 "$p"
	is "$status" 0 "forwarded after restart: $output"
	run_burrow 0 stop -t 0 a
	bindable "$p"
	run_burrow 0 run -d --name b -p "127.0.0.1:$p:80" peer netpeer tcp 80
	run ask 127.0.0.1 "$p"
	is "$status" 0
	run_burrow 0 rm -f -t 0 b
	policy_forwards "$p"
}

@test "publish: a container that ends frees its host ports when it is seen exited, while its monitor still waits on a client" {
	local p
	p=$(free_port)
	# the foreground run is the monitor's client; it writes to a FIFO
	# nobody reads, so it stops reading and the monitor waits on it at
	# the end (up to 10 s) to hand it the exit code
	mkfifo "$T/out"
	exec 5<>"$T/out"
	"$BURROW" run --name c -p "127.0.0.1:$p:80" busybox sh -c \
		'head -c 8000000 /dev/zero & until [ -e /tmp/go ]; do sleep 0.1; done' >"$T/out" 2>/dev/null 3>&- &
	local client=$!
	wait_inspect c '{{.State.Status}}' running
	run_burrow 0 exec c touch /tmp/go
	run_burrow 0 wait c
	is "$output" 0
	run python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)' "$p"
	kill "$client"
	exec 5>&-
	is "$status" 0 "the port is free once the container is seen exited: $output"
}

@test "publish: -P publishes --expose ports (and only with -P) on free host ports" {
	run_burrow 0 run -d --name e --expose 80 --expose 90/udp -P peer sh -c 'netpeer tcp 80 & netpeer udp 90'
	run_burrow 0 port e
	assert_match "$output" "^80/tcp -> 0\.0\.0\.0:[0-9]+
90/udp -> 0\.0\.0\.0:[0-9]+$"
	run ask 127.0.0.1 "$(hport e 80)"
	is "$status" 0
	run ask 127.0.0.1 "$(hport e 90/udp)" udp
	is "$status" 0
	run_burrow 0 run -d --name n --expose 80 peer netpeer tcp 80
	run_burrow 0 port n
	is "$output" ""
}

@test "publish: bad -p, --expose and network combinations fail with 125 before anything is made" {
	run_burrow 125 run -p 80/sctp busybox true
	assert_match "$output" "sctp"
	run_burrow 125 run -p 1-3:80-81 busybox true
	run_burrow 125 run --expose nope busybox true
	run_burrow 125 create -p 127.0.0.1:8080:80 -p 127.0.0.1:8080:81 busybox true
	run_burrow 0 ps -a -q
	is "$output" ""
	run_burrow 0 run --rm --network none -p 80 busybox true
	assert_match "$output" "Port mappings have been discarded"
}

@test "publish: 10 containers with published ports at once" {
	local i
	for i in $(seq 10); do
		run_burrow 0 run -d --name "m$i" -p 127.0.0.1::80 peer netpeer tcp 80
	done
	for i in $(seq 10); do
		run ask 127.0.0.1 "$(hport "m$i" 80)"
		is "$status" 0 "m$i answers: $output"
	done
	run_burrow 0 port -a
	is "$(grep -c '^80/tcp -> 127\.0\.0\.1:' <<<"$output")" 10
}

@test "publish: an idle monitor with slirp and published TCP and UDP ports stays small (under 2.5 MiB)" {
	run_burrow 0 run -d --name m -p 127.0.0.1::80 -p 127.0.0.1::90/udp peer netpeer tcp 80
	run ask 127.0.0.1 "$(hport m 80)"
	is "$status" 0 "$output"
	local mon
	run_burrow 0 inspect --format '{{.Id}}' m
	mon=$(cut -d' ' -f1 "$XDG_RUNTIME_DIR/burrow/containers/$output/monitor.pid")
	# a sanitizer's build is big by design
	if ! grep -q 'libasan' "/proc/$mon/maps"; then
		# 4.4 MB with the pages of code its set-up ran (libslirp, glib,
		# libc, burrow), 1.6 MB once it lets them go (mem_trim)
		wait_rss_below "$mon" 2560
	fi
}

@test "publish: the monitor of port_handler=slirp gives its memory back after a 200 MB transfer and thousands of short connections (under 4 MiB)" {
	# an echo server: the client closes first, so libslirp's side of
	# each connection goes through TIME_WAIT
	import_with_helper "$HELPERS_BIN/netbench" nb
	run_burrow 0 run -d --name m --network slirp:port_handler=slirp -p 127.0.0.1::80 -p 127.0.0.1::81 nb \
		sh -c 'nc -l -p 81 >/dev/null & exec netbench serve 80 600'
	local p80 p81 mon i
	p80=$(hport m 80)
	p81=$(hport m 81)
	for i in $(seq 200); do
		timeout 10 "$HELPERS_BIN/netbench" conn 127.0.0.1 "$p80" 1 >/dev/null 2>&1 && break
		sleep 0.1
	done
	run_burrow 0 inspect --format '{{.Id}}' m
	mon=$(cut -d' ' -f1 "$XDG_RUNTIME_DIR/burrow/containers/$output/monitor.pid")
	grep -q 'libasan' "/proc/$mon/maps" && skip "a sanitizer's build is big by design"
	head -c 200000000 /dev/zero | timeout 60 socat -u - TCP:127.0.0.1:"$p81"
	# each holds libslirp's buffers through its TIME_WAIT (10 s): tens of
	# MiB at the peak
	run timeout 20 "$HELPERS_BIN/netbench" conn 127.0.0.1 "$p80" 3
	is "$status" 0 "$output"
	local rss
	for i in $(seq 60); do
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$mon/status")
		[ "$rss" -lt 4096 ] && break
		sleep 0.5
	done
	[ "$rss" -lt 4096 ] || { echo "the monitor's RSS is $rss kB 30 s after the traffic ($output)" >&2; return 1; }
}

@test "publish: a client that stalls and then vanishes mid-transfer does not stall the monitor or others" {
	run_burrow 0 run -d --name big -p 127.0.0.1::81 busybox sh -c \
		'head -c 30000000 /dev/zero >/tmp/big; echo ok >/tmp/small; httpd -f -p 81 -h /tmp'
	local p
	p=$(hport big 81)
	local i
	for i in $(seq 50); do
		curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$p/small" && break
		sleep 0.1
	done
	# asks for the big file, reads a little, stops reading, then is killed
	python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /big HTTP/1.0\r\n\r\n")
s.recv(1000)
time.sleep(60)' "$p" &
	local slow=$!
	bgpids="$bgpids $slow"
	sleep 1
	run curl -sf --max-time 10 "http://127.0.0.1:$p/small"
	is "$output" "ok" "another client is served while one stalls"
	kill -9 "$slow"
	run curl -sf --max-time 10 "http://127.0.0.1:$p/small"
	is "$output" "ok" "and after it vanished"
	run_burrow 0 stop -t 1 big
}

@test "network: container:NAME shares a running container's network (started first when it does not run); ns:PATH joins a namespace" {
	run_burrow 0 run -d --name web peer netpeer tcp 80
	run_burrow 0 run --rm --network container:web busybox sh -c \
		'ip -4 -o addr show tap0; grep -c host.containers.internal /etc/hosts; nc 127.0.0.1 80 </dev/null'
	assert_match "$output" "inet 10\.0\.2\.100/24"
	assert_match "$output" "127\.0\.0\.1 [0-9]+" "the other container's server, on the shared loopback"
	run_burrow 0 inspect --format '{{.State.Pid}}' web
	run_burrow 0 run --rm --network "ns:/proc/$output/ns/net" busybox sh -c 'nc 127.0.0.1 80 </dev/null'
	assert_match "$output" "127\.0\.0\.1 [0-9]+"
	run_burrow 125 run --rm --network container:web -p 90 busybox true
	assert_match "$output" "-p cannot be used with --network container:web"
	run_burrow 125 run --rm --network container:nosuch busybox true
	assert_match "$output" "no such container 'nosuch'"
	# web is a dependency of a container that joins its network: a run
	# starts it first, as podman starts a container's dependencies
	run_burrow 0 stop -t 0 web
	run_burrow 0 run --rm --name j --network container:web busybox sh -c 'nc 127.0.0.1 80 </dev/null'
	assert_match "$output" "127\.0\.0\.1 [0-9]+"
	run_burrow 0 ps --format '{{.Names}} {{.State}}'
	is "$output" "web running"
}

@test "network: ping (ICMP echo) from the container without CAP_NET_RAW: the gateway answers; the host's address where its ping_group_range allows" {
	run_burrow 0 run --rm peer sh -c 'cat /proc/sys/net/ipv4/ping_group_range; netpeer ping 10.0.2.2'
	assert_match "$output" "^0	0
reply from 10\.0\.2\.2$"
	# as your own group, in a user namespace of its own (with or without
	# subordinate IDs)
	run_burrow 0 run --rm --userns=keep-id peer netpeer ping 10.0.2.2
	is "$output" "reply from 10.0.2.2"
	local hostip range gid
	hostip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)
	read -r -a range </proc/sys/net/ipv4/ping_group_range
	gid=$(id -g)
	[ -n "$hostip" ] || skip "the host has no global IPv4 address to ping"
	[ "$gid" -ge "${range[0]}" ] && [ "$gid" -le "${range[1]}" ] ||
		skip "the host's net.ipv4.ping_group_range (${range[*]}) excludes group $gid: libslirp cannot ping out for it"
	run_burrow 0 run --rm peer netpeer ping "$hostip"
	is "$output" "reply from $hostip"
}

@test "names: under slirp:cidr= the container's name and host.containers.internal are that network's .100 and .2" {
	run_burrow 0 run --rm --name cn --hostname ch --network slirp:cidr=10.0.3.0/24 busybox sh -c \
		'cat /etc/hosts; ip -4 -o addr show tap0'
	assert_match "$output" "
10\.0\.3\.100	ch cn
10\.0\.3\.2	host\.containers\.internal host\.docker\.internal
"
	assert_match "$output" "inet 10\.0\.3\.100/24"
	assert_no_match "$output" "10\.0\.2\."
}

@test "network: container: and ns: with a user namespace of the container's own are refused before anything is made; the one joined may have one" {
	run_burrow 0 run -d --name kw --userns=keep-id busybox sh -c 'echo hi | nc -l -p 8080'
	run_burrow 0 run --rm --network container:kw busybox sh -c 'nc 127.0.0.1 8080 </dev/null'
	is "$output" "hi"
	run_burrow 125 run --rm --userns=keep-id --network container:kw busybox true
	assert_match "$output" "--network container:kw cannot go with --userns=keep-id: the container's own user namespace cannot join a network namespace it does not own"
	assert_match "$output" "hint: leave --userns out here"
	run_burrow 0 inspect --format '{{.State.Pid}}' kw
	run_burrow 125 create --uidmap 0:1:100 --network "ns:/proc/$output/ns/net" busybox true
	assert_match "$output" "cannot go with --uidmap/--gidmap"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "kw" "nothing made"
}

@test "network: container:NAME of a --network host container: create takes it, the start fails with 126 saying why (as podman)" {
	# NAME's network namespace is the host's, which belongs to the host's
	# user namespace: burrow's cannot enter it (setns: EPERM)
	run_burrow 0 run -d --name h --network host busybox sleep 300
	run_burrow 126 run --rm --network container:h busybox true
	is "$output" "burrow: cannot join the network namespace of container 'h': it is the host's (--network host), which burrow's user namespace cannot enter
hint: --network host gives this container the same network namespace"
	run_burrow 0 create --name z --network container:h busybox true
	run_burrow 126 start -a z
	assert_match "$output" "cannot join the network namespace of container 'h': it is the host's \(--network host\)"
	# start without -a says 125 for any failure, as podman's
	run_burrow 125 start z
	run_burrow 0 ps -a --format '{{.Names}} {{.Status}}' --filter name=z
	is "$output" "z Created"
}

@test "network: none has only lo; pasta is refused naming slirp" {
	run_burrow 0 run --rm --network none busybox sh -c 'ls /sys/class/net'
	is "$output" "lo"
	run_burrow 125 run --rm --network pasta busybox true
	assert_match "$output" "slirp"
}

@test "names: /etc/hosts has host.containers.internal, host.docker.internal, the name and hostname, --add-host; --dns* write resolv.conf; --no-hosts" {
	run_burrow 0 run --rm --name n1 --hostname h1 --add-host db.example:192.0.2.5 --add-host gw:host-gateway \
		--add-host v6:2001:db8::1 --dns 192.0.2.53 --dns-search example.org --dns-option ndots:3 \
		busybox sh -c 'cat /etc/hosts; echo ---; cat /etc/resolv.conf'
	assert_match "$output" "
10\.0\.2\.100	h1 n1
10\.0\.2\.2	host\.containers\.internal host\.docker\.internal
192\.0\.2\.5	db\.example
10\.0\.2\.2	gw
2001:db8::1	v6
---"
	assert_match "$output" "search example\.org
options ndots:3
nameserver 192\.0\.2\.53$"
	assert_no_match "$output" "nameserver 10\.0\.2\.3"
	run_burrow 0 run --rm busybox cat /etc/resolv.conf
	assert_match "$output" "nameserver 10\.0\.2\.3"
	run_burrow 1 run --rm --no-hosts busybox cat /etc/hosts
	run_burrow 125 run --rm --add-host bad busybox true
	assert_match "$output" "invalid --add-host 'bad'"
	run_burrow 125 run --rm --dns nope busybox true
	assert_match "$output" "invalid --dns 'nope'"
	run_burrow 125 run --rm --no-hosts --add-host a:192.0.2.1 busybox true
	# a control character in a value would write lines of its own into those files
	run_burrow 125 run --rm --dns-option $'ndots:1\nnameserver 203.0.113.9' busybox true
	is "$output" "burrow: invalid --dns-option 'ndots:1\\nnameserver 203.0.113.9': control characters (a newline, a tab, ...) are not allowed"
	run_burrow 125 create --dns-search $'a.example\nnameserver 203.0.113.9' busybox true
	assert_match "$output" "invalid --dns-search 'a\.example\\\\nnameserver"
	run_burrow 125 run --rm --hostname $'h1\n203.0.113.9 evil' busybox true
	assert_match "$output" "invalid --hostname 'h1\\\\n203"
	run_burrow 125 run --rm --add-host $'db\r:192.0.2.5' busybox true
	assert_match "$output" "invalid --add-host 'db\\\\r:192"
	run_burrow 0 ps -a -q
	is "$output" ""
}

@test "publish: init binds the host port before the command runs (port prints nothing, as of a stopped one); start forwards to it; rm frees it" {
	local p
	p=$(free_port)
	run_burrow 0 create --name i -p "127.0.0.1:$p:80" peer netpeer tcp 80
	run_burrow 0 init i
	run bindable "$p"
	is "$status" 1 "the port is free while the container is initialized"
	# not running yet: port prints nothing and exits 0 (also with the
	# port), port -a leaves it out, as podman 4.3's
	run_burrow 0 port i
	is "$output" ""
	run_burrow 0 port i 80
	is "$output" ""
	run_burrow 0 port -a
	is "$output" ""
	run_burrow 0 start i
	run_burrow 0 port i
	is "$output" "80/tcp -> 127.0.0.1:$p"
	run ask 127.0.0.1 "$p"
	is "$status" 0 "forwarded after init and start: $output"
	# stopped: the same (a port it never published says nothing either)
	run_burrow 0 stop -t 0 i
	run_burrow 0 port i
	is "$output" ""
	run_burrow 0 port i 81/udp
	is "$output" ""
	run_burrow 0 start i
	run_burrow 0 rm -f -t 0 i
	run bindable "$p"
	is "$status" 0 "the port is free once removed: $output"
}

# fds_of PID: how many fds process PID holds
fds_of() {
	ls "/proc/$1/fd" 2>/dev/null | wc -l
}

@test "publish: a flood of connections leaves the monitor fds of its own: the container's end is recorded in full" {
	# the monitor may hold 200 fds; 400 clients connect and stay
	run bash -c 'ulimit -n 200 && exec timeout 60 "$BURROW" run -d --name fl -p 127.0.0.1::80 peer netpeer tcp 80'
	is "$status" 0
	local id=$output port mon i
	port=$(hport fl 80)
	run_burrow 0 inspect --format '{{.State.ConmonPid}}' fl
	mon=$output
	python3 - "$port" 400 "$T/held" <<-'PY' &
		import socket, sys, time
		socks = []
		for i in range(int(sys.argv[2])):
		    try:
		        socks.append(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60))
		    except OSError:
		        break
		open(sys.argv[3], "w").write("held %d\n" % len(socks))
		time.sleep(600)
	PY
	bgpids="$bgpids $!"
	wait_line "$T/held" '^held 400$'
	# the monitor took as many as it would (the splice handler stops short
	# of the last 100 fds here; without that, all 200 go)
	for i in $(seq 600); do
		[ "$(fds_of "$mon")" -ge 90 ] && break
		sleep 0.1
	done
	[ "$(fds_of "$mon")" -ge 90 ] || is "$(fds_of "$mon")" "90 or more" "fds of the monitor, flooded"
	flood_end_recorded fl "$id"
}

@test "publish: a flood of connections through port_handler=slirp leaves the monitor fds of its own: it stays responsive, its end is recorded in full" {
	# the monitor may hold 200 fds; clients connect until the monitor
	# holds 90 or more and takes no more (libslirp's listener rests at the
	# reserve: the rest wait in its backlog), and stay
	run bash -c 'ulimit -n 200 && exec timeout 60 "$BURROW" run -d --name sf --network slirp:port_handler=slirp \
		-p 127.0.0.1::80 peer netpeer tcp 80'
	is "$status" 0
	local id=$output port mon i
	port=$(hport sf 80)
	run_burrow 0 inspect --format '{{.State.ConmonPid}}' sf
	mon=$output
	python3 - "$port" "$mon" "$T/held" <<-'PY' &
		import os, signal, socket, sys
		socks, misses = [], 0
		def fds():
		    return len(os.listdir("/proc/%s/fd" % sys.argv[2]))
		# stops once the monitor holds 90 fds or more and 5 tries in a row
		# got nowhere (or at 400 held)
		while len(socks) < 400 and (misses < 5 or fds() < 90):
		    try:
		        socks.append(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1))
		        misses = 0
		    except OSError:
		        misses += 1
		open(sys.argv[3], "w").write("held %d\n" % len(socks))
		while True:
		    signal.pause()
	PY
	bgpids="$bgpids $!"
	for i in $(seq 1800); do
		[ -s "$T/held" ] && break
		sleep 0.1
	done
	assert_match "$(cat "$T/held")" "^held [0-9]+$"
	[ "$(fds_of "$mon")" -ge 90 ] || is "$(fds_of "$mon")" "90 or more" "fds of the monitor, flooded"
	# still responsive: it stops the container and records its end
	flood_end_recorded sf "$id"
}
