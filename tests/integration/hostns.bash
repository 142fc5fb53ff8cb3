# The stand-in host of the network suites (netns.bats, ports.bats), loaded
# after helpers.bash.
#
# Each test runs its script inside `unshare -Urnm` (a user, network and
# mount namespace the test makes), which stands in for the host: lo up, a
# tap device "hostnet" holding 192.0.2.1/24 and 2001:db8::1/64 as
# non-loopback host addresses, /etc/resolv.conf bind-mounted to say
# "nameserver 127.0.0.1", and servers (socat, dnsd) that live at most 30
# seconds. tests/helpers/slirp-drive then runs the "container" command in
# a network namespace of its own, reachable only through slirp; it shares
# the host's files, so the container side may run socat too.

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
# wait_for CMD...: retries CMD for at most 20 seconds (CI runs loaded).
wait_for() {
	local i
	for i in $(seq 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	die "timed out after 20 s waiting for: $*"
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
	# (named by its address, one server each: $RANDOM may repeat, and a
	# second dnsd would then seem ready by the file of the first)
	local ready="$T/dnsd.${1//[^0-9a-zA-Z]/_}.ready"
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

