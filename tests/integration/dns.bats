#!/usr/bin/env bats
# DNS through `burrow run` when the host's resolver is a local stub the
# container cannot reach itself (systemd-resolved's 127.0.0.53): burrow's
# 10.0.2.3 forwards to it.
#
# An unprivileged test cannot bind port 53 on the host, so the whole run
# happens on a stand-in host: a user, network and mount namespace the test
# makes (unshare -rnm), with lo up, a resolv.conf naming 127.0.0.53
# bind-mounted over /etc/resolv.conf and tests/helpers/dnsd on
# 127.0.0.53:53. burrow runs nested there with the test's own XDG dirs,
# importing its image there too.

load helpers

DNSD=$HELPERS_BIN/dnsd

suite_setup() {
	[ -x "$DNSD" ] || need_or_fail "test helpers not built (make build/tests/helpers/dnsd)"
	local tool
	for tool in unshare ip timeout; do
		command -v "$tool" >/dev/null || need_or_fail "$tool is not installed"
	done
	timeout 10 unshare -rnm true 2>/dev/null || need_or_fail "cannot create user namespaces here (unshare -rnm)"
	[ -f /etc/resolv.conf ] || need_or_fail "/etc/resolv.conf is missing (needed as a bind-mount target)"
}

suite_teardown() {
	# dnsd and whatever else the stand-in host started
	[ -f "$T/host.pid" ] && kill_namespace_of "$(cat "$T/host.pid")"
	return 0
}

@test "dns: a host whose resolv.conf names a 127.0.0.53 stub: the container asks 10.0.2.3, which forwards to it" {
	cat >"$T/host.sh" <<'EOF'
set -u
echo $$ >"$T/host.pid"
die() { echo "host setup: $*" >&2; exit 99; }
ip link set lo up || die "cannot bring lo up"
printf "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch example\n" >"$T/resolv.conf"
mount --bind "$T/resolv.conf" /etc/resolv.conf || die "cannot bind-mount resolv.conf"
"$DNSD" -l 127.0.0.53:53 -a 198.51.100.9 -t 60 -r "$T/dnsd.ready" >"$T/dnsd.log" 2>&1 &
dnsd=$!
trap 'kill $dnsd 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 300); do [ -e "$T/dnsd.ready" ] && break; sleep 0.1; done
[ -e "$T/dnsd.ready" ] || die "dnsd did not start on 127.0.0.53:53"
"$TOP/tools/mkimage.sh" "$T/bb.tar" >/dev/null || die "cannot build the busybox image"
timeout 60 "$BURROW" import --change 'CMD ["sh"]' "$T/bb.tar" busybox >/dev/null || die "cannot import"
timeout 60 "$BURROW" run --rm busybox sh -c 'cat /etc/resolv.conf; echo ==; nslookup web.example'
echo "rc=$?"
echo "== dnsd log"
cat "$T/dnsd.log"
EOF
	run env T="$T" TOP="$TOP" BURROW="$BURROW" DNSD="$DNSD" timeout 100 unshare -rnm bash "$T/host.sh"
	[ "$status" != 99 ] || {
		echo "$output" >&2
		return 1
	}
	assert_match "$output" "rc=0"
	# the container's resolv.conf names burrow's resolver, never the host's stub
	local conf=${output%%==*}
	assert_match "$conf" "nameserver 10\.0\.2\.3"
	assert_no_match "$conf" "127\.0\.0\.53"
	assert_match "$conf" "search example"
	assert_match "$output" "Name:[[:space:]]+web\.example"
	assert_match "$output" "Address:?[[:space:]]+198\.51\.100\.9"
	assert_match "${output#*== dnsd log}" "query web\.example type 1" "dnsd on 127.0.0.53 answered"
}
