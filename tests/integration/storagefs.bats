#!/usr/bin/env bats
# A storage root on a filesystem that misbehaves, for real: a FUSE mount
# the test starts itself (fuse-overlayfs, which has no O_TMPFILE). `info`
# and the first command that fails say which property the filesystem lacks,
# found by trying it, and how to move the root.

load helpers

REGPY=$BATS_TEST_DIRNAME/registry.py

setup_file() {
	local f=$BATS_FILE_TMPDIR
	"$TOP/tools/mkimage.sh" "$f/busybox.tar" >/dev/null
	python3 "$REGPY" oci "$f/oci" localhost/fs:1 --layer "$f/busybox.tar:gzip" >/dev/null
	# a compressed archive: load spools it to an unnamed file in the store
	tar -C "$f/oci" -c . | gzip >"$f/oci.tar.gz"
}

suite_setup() {
	MNT=$T/mnt
	R=$MNT/store
}

suite_teardown() {
	local d
	for d in "$R" "$XDG_DATA_HOME/burrow" "$T/local"; do
		[ -d "$d" ] && timeout 30 "$BURROW" --root "$T/local" unshare rm -rf "$d" 2>/dev/null
	done
	if grep -q " $MNT " /proc/self/mountinfo 2>/dev/null; then
		timeout 30 fusermount3 -u "$MNT" 2>/dev/null || timeout 30 umount "$MNT" 2>/dev/null
	fi
	return 0
}

# mount_fuse: fuse-overlayfs over empty dirs at $MNT (fusermount3 for a user)
mount_fuse() {
	command -v fuse-overlayfs >/dev/null || need_or_fail "fuse-overlayfs is not installed"
	[ -r /dev/fuse ] && [ -w /dev/fuse ] || need_or_fail "/dev/fuse is not usable here"
	mkdir -p "$T/lo" "$T/up" "$T/wk" "$MNT"
	timeout 30 fuse-overlayfs -o "lowerdir=$T/lo,upperdir=$T/up,workdir=$T/wk" "$MNT" ||
		need_or_fail "cannot mount fuse-overlayfs here"
	grep -q " $MNT .* - fuse.fuse-overlayfs " /proc/self/mountinfo
}

@test "storage root on FUSE without O_TMPFILE: info names the type and the property it lacks, and how to move the root" {
	mount_fuse
	run_burrow 0 --root "$R" info
	assert_match "$output" "storage filesystem: fuse.fuse-overlayfs
  problem: +fuse.fuse-overlayfs does not support unnamed temporary files \(O_TMPFILE\)
  hint: +put the storage root on a local disk: --root DIR, or storage.root in ~/.config/burrow/burrow.conf"
	run_burrow 0 --root "$R" info --format '{{.Store.GraphRootFilesystem}}|{{.Store.GraphRootProblem}}'
	is "$output" "fuse.fuse-overlayfs|fuse.fuse-overlayfs does not support unnamed temporary files (O_TMPFILE)"
	# the probe left nothing behind in the store
	run ls -A "$R"
	[[ "$output" != *burrow-fsprobe* ]]
	# a root on a local disk: no problem
	run_burrow 0 --root "$T/local" info --format '{{.Store.GraphRootProblem}}'
	is "$output" "<nil>"
}

@test "storage root on FUSE without O_TMPFILE: the first failing command says which property failed and how to move; nothing stored" {
	local f=$BATS_FILE_TMPDIR
	mount_fuse
	run_burrow 125 --root "$R" load -i "$f/oci.tar.gz"
	# (burrow-t2 has a warning line first)
	is "$(grep -v '^burrow: warning:' <<<"$output" | head -1)" "burrow: cannot create a temporary file in the layer store: Operation not supported (layer store '$R/layers' is on fuse.fuse-overlayfs, which does not support unnamed temporary files (O_TMPFILE))"
	is "$(grep '^hint:' <<<"$output")" "hint: put the storage root on a local disk: --root DIR, or storage.root in ~/.config/burrow/burrow.conf (e.g. /var/tmp/\$USER/burrow or /tmp/\$USER/burrow)"
	run_burrow 0 --root "$R" images -q
	is "$output" "" "nothing stored"
	# moved as the hint says, it loads
	run_burrow 0 --root "$T/local" load -i "$f/oci.tar.gz"
	is "$output" "Loaded image: localhost/fs:1"
}
