#!/usr/bin/env bats
# burrow run's security defaults: a session keyring of the container's own.
# The probe program (tests/helpers/sysprobe.c, static) is copied into an
# image made from the host's busybox.

load helpers

SYSPROBE=$HELPERS_BIN/sysprobe

suite_setup() {
	[ -x "$SYSPROBE" ] || {
		echo "missing $SYSPROBE (make build/tests/helpers/sysprobe)" >&2
		return 1
	}
	import_probe
}

# import_probe: the busybox image plus /bin/sysprobe, as "probe" (the
# tarball is built once per bats run)
import_probe() {
	local tar=$BATS_RUN_TMPDIR/probe.tar
	import_busybox
	if [ ! -s "$tar" ]; then
		local d=$BATS_RUN_TMPDIR/probe.d.$$
		mkdir -p "$d/bin"
		cp "$SYSPROBE" "$d/bin/sysprobe"
		cp "$BATS_RUN_TMPDIR/busybox.tar" "$tar.tmp.$$"
		tar --numeric-owner --owner=0 --group=0 -C "$d" -rf "$tar.tmp.$$" ./bin/sysprobe
		mv "$tar.tmp.$$" "$tar"
		rm -rf "$d"
	fi
	run_burrow 0 import "$tar" probe
}

# probe_result OUTPUT NAME: what sysprobe said about NAME in OUTPUT
probe_result() {
	sed -n "s/^$2: //p" <<<"$1"
}

@test "security: a container cannot read the caller's session keyring; it has one named after it" {
	command -v keyctl >/dev/null || need_or_fail "keyctl (Debian package keyutils)"
	# a new session for this test, with a secret the caller can read
	run --separate-stderr timeout 60 keyctl session - sh -c '
		keyctl add user burrow-secret TOPSECRET @s >/dev/null || exit 9
		keyctl print %user:burrow-secret
		"$0" run --rm probe sh -c "sysprobe find-key burrow-secret; sysprobe keyring; grep ^id= /run/.containerenv"
	' "$BURROW"
	[ "$status" -eq 0 ] || { echo "$output$stderr" >&2; return 1; }
	is "${lines[0]}" "TOPSECRET" "the caller reads its own key"
	is "${lines[1]}" "find-key: ENOKEY" "the container found the caller's key"
	id=${lines[3]#id=}
	id=${id//\"/}
	[ "${#id}" -eq 64 ]
	assert_match "${lines[2]}" "^[0-9]+ $id\$" "the session keyring is not named after the container"
}

@test "security: an exec can join a running container's session keyring by its name" {
	command -v keyctl >/dev/null || need_or_fail "keyctl (Debian package keyutils)"
	timeout 60 "$BURROW" run --name kr probe sh -c 'sysprobe keyring; exec sleep 60' >"$T/out" &
	mon=$!
	for _ in $(seq 200); do [ -s "$T/out" ] && break; sleep 0.05; done
	read -r serial name <"$T/out"
	[ -n "$serial" ] || { echo "the container did not start" >&2; kill "$mon"; return 1; }
	# what exec will do: join by name from burrow's user namespace
	run --separate-stderr timeout 60 "$BURROW" unshare keyctl session "$name" "$SYSPROBE" keyring
	is "$output" "$serial $name" "joined another keyring than the container's"
	run_burrow 0 rm -f kr
	wait "$mon" || true
}
