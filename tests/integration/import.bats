#!/usr/bin/env bats
# burrow import / burrow images: rootfs tarballs into the layer store, what
# survives extraction, hostile tarballs, and a fuse-overlayfs mount of a
# layer in burrow's namespace.

load helpers

suite_setup() {
	LAYERS=$XDG_DATA_HOME/burrow/layers
	make_sentinel
	make_userns
}

suite_teardown() {
	rm_store
}

# The layer ID of a tarball: sha256 of its uncompressed bytes.
layer_id() {
	case "$1" in
	*.gz) gzip -dc "$1" | sha256sum | cut -d' ' -f1 ;;
	*.zst) zstd -dc "$1" | sha256sum | cut -d' ' -f1 ;;
	*) sha256sum "$1" | cut -d' ' -f1 ;;
	esac
}

# assert_refused TARBALL PATTERN: import fails with 125 and a message that
# matches PATTERN; nothing is written outside, no layer and no image stay.
assert_refused() {
	run_burrow 125 import "$1" evil
	assert_match "$output" "$2"
	assert_match "$output" "^burrow: cannot import '"
	is "$(printf '%s\n' "$output" | grep -c '^burrow:')" 1 "one error line"
	is "$(ls -A "$OUTSIDE")" "victim" "files appeared in the sentinel directory"
	is "$(cat "$OUTSIDE/victim")" "orig" "the sentinel file changed"
	is "$(stat -c %h "$OUTSIDE/victim")" 1 "the sentinel file got a hard link"
	is "$(find "$T" -name 'evil*' -not -name '*.tar' | head -5)" "" "an evil file was written"
	is "$(ls -A "$LAYERS" 2>/dev/null)" "" "a layer directory was left behind"
	run_burrow 0 images -q
	is "$output" "" "an image was stored"
}

@test "import: a plain tarball becomes an image; images lists it" {
	import_busybox
	id=$output
	assert_match "$id" '^[0-9a-f]{64}$'
	run_burrow 0 images
	assert_match "${lines[0]}" '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$'
	assert_match "${lines[1]}" "^localhost/busybox +latest +${id:0:12} +(Less than a second|[0-9]+ seconds?|About a minute) ago +[0-9.]+ MB$"
	run_burrow 0 images -q
	is "$output" "${id:0:12}"
	run_burrow 0 images --no-trunc -q
	is "$output" "sha256:$id"
	run_burrow 0 images --format json
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert len(d) == 1, d
i = d[0]
assert i["Id"] == sys.argv[2], i
assert i["Names"] == ["localhost/busybox:latest"], i
assert i["Config"]["Cmd"] == ["sh"], i
assert i["Size"] > 1000000, i
assert len(i["Layers"]) == 1 and i["Layers"][0].endswith("/diff"), i
' "$output" "$id"
	tar=$BATS_RUN_TMPDIR/busybox.tar
	[ -d "$LAYERS/$(layer_id "$tar")/diff/bin" ]
	[ -x "$LAYERS/$(layer_id "$tar")/diff/bin/busybox" ]
}

@test "import: gzip, zstd and standard input; the same content is one layer" {
	import_busybox
	tar=$BATS_RUN_TMPDIR/busybox.tar
	gzip -c "$tar" >"$T/bb.tar.gz"
	zstd -q -c "$tar" >"$T/bb.tar.zst"
	run_burrow 0 import "$T/bb.tar.gz" gz
	assert_match "$output" '^[0-9a-f]{64}$'
	run_burrow 0 import "$T/bb.tar.zst" zst:v1
	assert_match "$output" '^[0-9a-f]{64}$'
	out=$(timeout 60 "$BURROW" import - stdin <"$T/bb.tar.zst")
	assert_match "$out" '^[0-9a-f]{64}$'
	is "$(ls "$LAYERS")" "$(layer_id "$tar")" "one layer for one content"
	is "$(layer_id "$T/bb.tar.gz")" "$(layer_id "$tar")"
	run_burrow 0 images
	assert_match "$output" "localhost/gz +latest"
	assert_match "$output" "localhost/zst +v1"
	assert_match "$output" "localhost/stdin +latest"
	assert_match "$output" "localhost/busybox +latest"
	# a tarball without a name is <none>; every import is a new image
	run_burrow 0 import - <"$tar"
	run_burrow 0 import "$tar"
	run_burrow 0 images
	assert_match "$output" "<none> +<none>"
}

@test "import: names are normalised; a bad name is refused before the tarball is read" {
	mktar "$T/one.tar" 'f("hello", "hi")'
	run_burrow 0 import "$T/one.tar" docker.io/foo
	run_burrow 0 import "$T/one.tar" example.com:5000/team/app:1.0
	run_burrow 0 images --format json
	assert_match "$output" '"docker.io/library/foo:latest"'
	assert_match "$output" '"example.com:5000/team/app:1.0"'
	# the tarball does not exist: the name is checked first
	for bad in 'Upper' 'a//b' 'name:' 'x:-tag' 'na me' '.x' 'name@sha256:00'; do
		run_burrow 125 import "$T/nonexistent.tar" "$bad"
		assert_match "$output" "invalid image name"
		assert_no_match "$output" "nonexistent"
	done
	run_burrow 125 import "$T/nonexistent.tar"
	assert_match "$output" "cannot open '$T/nonexistent.tar'"
	run_burrow 125 import
	run_burrow 125 import "$T/one.tar" a b
}

@test "import: --change LABEL and EXPOSE, -m, --arch/--os/--variant, -q as podman's" {
	mktar "$T/one.tar" 'f("hello", "hi")'
	run_burrow 0 import -q -c 'LABEL a=b "c d"="e f"' -c 'LABEL=blue=image' -c 'EXPOSE 80' -c 'EXPOSE 53/udp' \
		-m 'my message' --arch arm64 --variant v8 "$T/one.tar" lab
	assert_match "$output" '^[0-9a-f]{64}$'
	run_burrow 0 image inspect --format '{{.Labels}}|{{.Comment}}|{{.Architecture}}/{{.Os}}/{{.Variant}}' lab
	is "$output" "map[a:b blue:image c d:e f]|my message|arm64/linux/v8"
	run_burrow 0 image inspect --format '{{range $p, $v := .Config.ExposedPorts}}{{$p}} {{end}}' lab
	is "$output" "53/udp 80/tcp "
	run_burrow 0 history --format '{{.CreatedBy}}|{{.Comment}}' lab
	is "$output" "burrow import|my message"
	# the labels filter and listing see them
	run_burrow 0 images --filter label=blue=image --format '{{.Repository}} {{.Labels}}'
	is "$output" "localhost/lab map[a:b blue:image c d:e f]"
	# commit of a container made from it keeps them, each key once (the configuration is JSON any parser reads alike)
	run_burrow 0 create --name c1 lab true
	run_burrow 0 commit -c 'LABEL a=changed' c1 lab2
	run_burrow 0 image inspect --format '{{.Labels}}' lab2
	is "$output" "map[a:changed blue:image c d:e f]"
	run_burrow 0 save -o "$T/lab2.tar" lab2
	python3 -c '
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
name = json.load(t.extractfile("manifest.json"))[0]["Config"]
raw = t.extractfile(name).read().decode()
dup = []
json.loads(raw, object_pairs_hook=lambda kv: dup.extend(k for k, _ in kv if [x for x, _ in kv].count(k) > 1) or dict(kv))
assert not dup, (dup, raw)
' "$T/lab2.tar"
	run_burrow 125 import --arch '' "$T/one.tar" x
	assert_match "$output" "invalid --arch ''"
}

@test "import: --change sets CMD, ENTRYPOINT, ENV, WORKDIR, USER" {
	mktar "$T/one.tar" 'f("hello", "hi")'
	run_burrow 0 import -c 'CMD ["echo", "a b"]' -c 'ENTRYPOINT /bin/sh' -c 'ENV A=1 B="two words"' \
		-c 'ENV C 3 4' -c 'WORKDIR /srv' -c 'WORKDIR app' -c 'USER 1000:1000' "$T/one.tar" cfg
	run_burrow 0 images --format json
	python3 -c '
import json, sys
c = json.loads(sys.argv[1])[0]["Config"]
assert c["Cmd"] == ["echo", "a b"], c
assert c["Entrypoint"] == ["/bin/sh", "-c", "/bin/sh"], c
assert c["Env"] == ["A=1", "B=two words", "C=3 4"], c
assert c["WorkingDir"] == "/srv/app", c
assert c["User"] == "1000:1000", c
' "$output"
	# options after the arguments work too (podman allows it)
	run_burrow 0 import "$T/one.tar" cfg2 --change 'CMD=["true"]'
	run_burrow 125 import --change 'ONBUILD RUN x' "$T/one.tar" x
	assert_match "$output" "invalid change 'ONBUILD RUN x': unknown instruction"
	run_burrow 125 import --change 'EXPOSE 80/icmp' "$T/one.tar" x
	assert_match "$output" "invalid change 'EXPOSE 80/icmp': EXPOSE takes PORT, PORT/tcp, PORT/udp or PORT/sctp"
	run_burrow 125 import --change 'ENV =x' "$T/one.tar" x
	assert_match "$output" "invalid change"
	run_burrow 125 import --change 'CMD' "$T/one.tar" x
	assert_match "$output" "CMD needs a command"
	run_burrow 0 images -q
	is "${#lines[@]}" 2 "refused imports stored images"
}

@test "import: owners, modes, setuid, times, symlinks, hard links and xattrs survive" {
	mktar "$T/meta.tar" '
d("srv", mode=0o750, uid=1000, gid=1000)
f("srv/owned", "data", uid=1000, gid=1000, mtime=1500000000)
f("bin/suid", "#!/bin/sh\n", mode=0o4755)
f("bin/sgid", "x", mode=0o2711, gid=50)
d("tmp", mode=0o1777)
l("bin/abs", "/bin/busybox")
l("rel", "srv/owned")
h("srv/hard", "srv/owned")
f("x/attr", "a", xattrs={"user.test": "hello"})
p("run/fifo")
c("dev/null")
f(".wh.gone", "")
'
	run_burrow 0 import "$T/meta.tar" meta
	L=$LAYERS/$(layer_id "$T/meta.tar")/diff
	want=0
	many_ids && want=1000
	run ns stat -c '%u %g %a' "$L/srv/owned" "$L/srv"
	is "${lines[0]}" "$want $want 644"
	is "${lines[1]}" "$want $want 750"
	# srv is 0750 and may belong to a subordinate uid: look from inside
	run ns stat -c '%Y %h %i' "$L/srv/owned" "$L/srv/hard"
	assert_match "${lines[0]}" '^1500000000 2 [0-9]+$' "mtime, hard link count"
	is "${lines[1]}" "${lines[0]}" "the hard link is the same inode"
	is "$(stat -c %a "$L/bin/suid")" 4755 "setuid"
	# gid 50 is squashed to root where the namespace maps no range: the
	# setgid bit goes with it (burrow(1))
	local sgid=711
	[ "$want" = 1000 ] && sgid=2711
	is "$(stat -c %a "$L/bin/sgid")" "$sgid" "setgid, kept where gid 50 is mapped"
	is "$(stat -c %a "$L/tmp")" 1777 "sticky"
	is "$(readlink "$L/bin/abs")" /bin/busybox "absolute symlink kept as it is"
	is "$(readlink "$L/rel")" srv/owned
	run ns python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.test").decode())' "$L/x/attr"
	is "$output" hello "user.* xattr"
	[ -p "$L/run/fifo" ]
	[ ! -e "$L/dev/null" ] # device nodes cannot be made in a user namespace: skipped
	[ -f "$L/.wh.gone" ]   # whiteouts stay files
	if [ "$want" = 1000 ]; then
		run ns stat -c '%g' "$L/bin/sgid"
		is "$output" 50
	fi
}

@test "import: a setuid or setgid file whose owner the namespace does not map loses that bit" {
	# 3000000 is beyond any subordinate range: squashed to root, whose
	# setuid the image never asked for (as root every ID is mapped)
	mktar "$T/suid.tar" '
f("suid", "x", mode=0o4755, uid=3000000)
f("sgid", "x", mode=0o2755, gid=3000000)
f("both", "x", mode=0o6755, uid=3000000, gid=3000000)
f("root", "x", mode=0o6755)
d("dir", mode=0o2755, gid=3000000)
'
	run_burrow 0 import "$T/suid.tar" suid
	L=$LAYERS/$(layer_id "$T/suid.tar")/diff
	run stat -c %a "$L/suid" "$L/sgid" "$L/both" "$L/root" "$L/dir"
	if [ "$(id -u)" = 0 ]; then
		is "${lines[*]}" "4755 2755 6755 6755 2755" "every owner mapped: the bits stay"
	else
		is "${lines[*]}" "755 755 755 6755 2755" "squashed owners drop setuid, setgid"
	fi
}

@test "import: a layer unpacked with squashed owners is unpacked again once the namespace maps them" {
	mktar "$T/own.tar" 'f("owned", "x", uid=1000, gid=1000)'
	L=$LAYERS/$(layer_id "$T/own.tar")/diff
	# without newuidmap on PATH the namespace maps only the user (as root:
	# all IDs, as ever): files of 1000 are unpacked as 0
	run_burrow 0 system migrate
	run env PATH=/nonexistent "$(command -v timeout)" "$BURROW_TIMEOUT" "$BURROW" import "$T/own.tar" first
	is "$status" 0 "import without newuidmap: $output"
	first=0
	[ "$(id -u)" = 0 ] && first=1000
	is "$(ns stat -c %u "$L/owned")" "$first" "owner after the first import"
	# with the subordinate range back, the same content is unpacked again
	run_burrow 0 system migrate
	run_burrow 0 import "$T/own.tar" second
	want=0
	many_ids && want=1000
	is "$(ns stat -c %u "$L/owned")" "$want" "owner after the second import"
	is "$(ls "$LAYERS")" "$(layer_id "$T/own.tar")" "one layer, no leftovers"
	run_burrow 0 images --format json
	assert_match "$output" '"localhost/first:latest"'
	assert_match "$output" '"localhost/second:latest"'
}

@test "import: a later entry replaces an earlier one, as tar does" {
	mktar "$T/re.tar" '
f("a", "one")
f("a", "two")
l("b", "/etc")
d("b")
f("b/inside", "x")
d("c")
f("c/f", "x")
f("c", "now a file")
'
	run_burrow 0 import "$T/re.tar"
	L=$LAYERS/$(layer_id "$T/re.tar")/diff
	is "$(cat "$L/a")" two
	[ -d "$L/b" ] && [ ! -L "$L/b" ]
	[ -f "$L/b/inside" ]
	is "$(cat "$L/c")" "now a file"
}

@test "import: re-tagging moves the name; the old image becomes <none>" {
	mktar "$T/one.tar" 'f("one", "1")'
	mktar "$T/two.tar" 'f("two", "2")'
	run_burrow 0 import "$T/one.tar" app
	first=$output
	run_burrow 0 import "$T/one.tar" keep
	run_burrow 0 import "$T/two.tar" app
	second=$output
	run_burrow 0 images --no-trunc
	assert_match "$output" "localhost/app +latest +sha256:$second"
	assert_no_match "$output" "localhost/app +latest +sha256:$first"
	run_burrow 0 import "$T/two.tar" keep
	run_burrow 0 images --no-trunc
	assert_match "$output" "<none> +<none> +sha256:$first"
	is "$(ls "$LAYERS" | wc -l)" 2
}

@test "import: an image is found by name, name:tag, full name and ID prefix" {
	import_busybox
	id=$output
	for ref in busybox busybox:latest localhost/busybox localhost/busybox:latest "${id:0:12}" "$id" "sha256:$id"; do
		run_burrow 0 run --rm --network none "$ref" true
	done
	run_burrow 125 run --rm --network none --pull=never busybox:nosuchtag true
	assert_match "$output" "image 'busybox:nosuchtag' not known"
}

@test "import: a dead import's extraction directory is removed, also when its pid lives again" {
	mktar "$T/one.tar" 'f("hello", "hi")'
	run_burrow 0 import "$T/one.tar" one
	# tmp-PID-STARTTIME-RANDOM: this shell's pid with another start time is
	# an import that died (the pid was reused); with its own start time, one
	# that is still running
	start=$(sed 's/^.*) //' "/proc/$$/stat" | cut -d' ' -f20)
	mkdir -p "$LAYERS/tmp-$$-1-0badc0de/diff" "$LAYERS/tmp-$$-$start-00c0ffee/diff"
	run_burrow 0 import "$T/one.tar" two
	[ ! -e "$LAYERS/tmp-$$-1-0badc0de" ]
	[ -d "$LAYERS/tmp-$$-$start-00c0ffee/diff" ]
	is "$(ls "$LAYERS" | grep -vc '^tmp-')" 1 "one layer"
}

@test "import: not a tarball, empty, a directory" {
	echo "just text" >"$T/text"
	run_burrow 125 import "$T/text" x
	assert_match "$output" "cannot import '$T/text'"
	: >"$T/empty"
	run_burrow 125 import "$T/empty" x
	assert_match "$output" "cannot import '$T/empty'"
	gzip -c <"$T/empty" >"$T/empty.gz"
	run_burrow 125 import "$T/empty.gz" x
	is "$output" "burrow: cannot import '$T/empty.gz': it is empty"
	run_burrow 125 import "$T" x
	assert_match "$output" "is a directory"
	mktar "$T/t.tar" 'f("big", "x" * 100000)'
	head -c 20000 "$T/t.tar" >"$T/trunc.tar"
	run_burrow 125 import "$T/trunc.tar" x
	assert_match "$output" "cannot import '$T/trunc.tar'"
	# a damaged header (its checksum) after a good entry
	mktar "$T/h.tar" 'f("one", "1"); f("two", "2")'
	python3 -c 'import sys, tarfile
at = tarfile.open(sys.argv[1]).getmember("two").offset
d = bytearray(open(sys.argv[1], "rb").read())
d[at + 100] ^= 1
open(sys.argv[1], "wb").write(d)' "$T/h.tar"
	run_burrow 125 import "$T/h.tar" x
	is "$output" "burrow: cannot import '$T/h.tar': cannot read the archive: Damaged tar archive"
	is "$(ls -A "$LAYERS" 2>/dev/null)" ""
	run_burrow 0 images -q
	is "$output" ""
}

# assert_corrupt FILE PATTERN: import fails with 125, one error line saying
# the compressed data is corrupt (matching PATTERN) and a hint; nothing is
# stored.
assert_corrupt() {
	run_burrow 125 import "$1" bad
	assert_match "$output" "^burrow: cannot import '$1': the compressed data is corrupt: .*$2"
	is "$(printf '%s\n' "$output" | grep -c '^burrow:')" 1 "one error line"
	assert_match "$output" $'\nhint: the file is damaged or incomplete'
	is "$(ls -A "$LAYERS" 2>/dev/null)" "" "a layer (or its extraction) was left behind"
	run_burrow 0 images -q
	is "$output" "" "an image was stored"
}

@test "import: a gzip file that gzip -t rejects is refused, nothing stored" {
	mktar "$T/t.tar" 'for i in range(300): f("f%03d" % i, "content of %d\n" % i * (i % 40))'
	gzip -c "$T/t.tar" >"$T/good.tar.gz"
	python3 - "$T" <<'PY'
import sys, zlib
t = sys.argv[1]
d = open(t + "/good.tar.gz", "rb").read()
def put(name, b):
    open(t + "/" + name, "wb").write(b)
put("crc.tar.gz", d[:-8] + bytes([d[-8] ^ 0x01]) + d[-7:])  # CRC-32 in the trailer
put("len.tar.gz", d[:-2] + bytes([d[-2] ^ 0x01]) + d[-1:])  # length in the trailer
put("short.tar.gz", d[:-4])                                  # trailer cut
put("half.tar.gz", d[:len(d) // 2])                          # truncated
put("garbage.tar.gz", d + b"garbage")                        # data after the end
# a mid-stream deflate error: half the tar, then a block of the reserved type
tar = open(t + "/t.tar", "rb").read()
c = zlib.compressobj(6, zlib.DEFLATED, 31)
put("mid.tar.gz", c.compress(tar[:len(tar) // 2]) + c.flush(zlib.Z_FULL_FLUSH) + b"\x06" + b"\xff" * 64)
# one bit flipped in the compressed data: inflate goes on, the tar reader
# chokes on the garbage, the CRC at the end says why
put("flip.tar.gz", d[:len(d) // 3] + bytes([d[len(d) // 3] ^ 0x04]) + d[len(d) // 3 + 1:])
PY
	for f in crc len short half garbage mid flip; do
		run gzip -t "$T/$f.tar.gz"
		[ "$status" -ne 0 ] || { echo "gzip -t accepts $f.tar.gz" >&2; return 1; }
	done
	assert_corrupt "$T/crc.tar.gz" "the CRC-32 in the gzip trailer does not match the data"
	assert_corrupt "$T/len.tar.gz" "the length in the gzip trailer does not match the data"
	assert_corrupt "$T/short.tar.gz" "the gzip stream ends early \(truncated\)"
	assert_corrupt "$T/half.tar.gz" "the gzip stream ends early \(truncated\)"
	assert_corrupt "$T/garbage.tar.gz" "data after the end of the gzip stream"
	assert_corrupt "$T/mid.tar.gz" "gzip: invalid block type"
	assert_no_match "$output" "tar entry"
	assert_corrupt "$T/flip.tar.gz" ""
	assert_no_match "$output" "tar entry"
	# the same, from standard input
	run bash -c 'timeout "$1" "$2" import - bad <"$3"' _ "$BURROW_TIMEOUT" "$BURROW" "$T/crc.tar.gz"
	is "$status" 125
	assert_match "$output" "^burrow: cannot import 'standard input': the compressed data is corrupt: the CRC-32"
	# several members (cat a.gz b.gz) and zero padding are fine, as for gzip -t
	head -c 10240 "$T/t.tar" | gzip >"$T/multi.tar.gz"
	tail -c +10241 "$T/t.tar" | gzip >>"$T/multi.tar.gz"
	head -c 4096 /dev/zero >>"$T/multi.tar.gz"
	gzip -t "$T/multi.tar.gz"
	run_burrow 0 import "$T/multi.tar.gz" multi
	is "$(ls "$LAYERS")" "$(layer_id "$T/t.tar")"
}

@test "import: a zstd file whose checksum does not match is refused, nothing stored" {
	mktar "$T/t.tar" 'for i in range(300): f("f%03d" % i, "content of %d\n" % i * (i % 40))'
	zstd -q --check -c "$T/t.tar" >"$T/good.tar.zst"
	python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
d = open(t + "/good.tar.zst", "rb").read()
def put(name, b):
    open(t + "/" + name, "wb").write(b)
put("sum.tar.zst", d[:-1] + bytes([d[-1] ^ 0x01]))   # the content checksum
put("short.tar.zst", d[:-2])
put("flip.tar.zst", d[:len(d) // 2] + bytes([d[len(d) // 2] ^ 0x01]) + d[len(d) // 2 + 1:])
PY
	for f in sum short flip; do
		run zstd -q -t "$T/$f.tar.zst"
		[ "$status" -ne 0 ] || { echo "zstd -t accepts $f.tar.zst" >&2; return 1; }
	done
	assert_corrupt "$T/sum.tar.zst" "Restored data doesn't match checksum"
	assert_corrupt "$T/short.tar.zst" "Truncated zstd input"
	assert_corrupt "$T/flip.tar.zst" ""
	run_burrow 0 import "$T/good.tar.zst" good
}

@test "import: hostile: '../evil' is refused" {
	mktar "$T/e.tar" 'f("ok", "fine"); f("../evil", "x")'
	assert_refused "$T/e.tar" "tar entry '../evil': refused: the path has a '..' component"
	mktar "$T/e2.tar" 'd("a"); f("a/../../evil", "x")'
	assert_refused "$T/e2.tar" "tar entry 'a/../../evil': refused"
}

@test "import: hostile: absolute names are refused" {
	mktar "$T/e.tar" 'f("/etc/evil", "x")'
	assert_refused "$T/e.tar" "tar entry '/etc/evil': refused: absolute path"
	mktar "$T/e2.tar" "f('$OUTSIDE/evil', 'x')"
	assert_refused "$T/e2.tar" "tar entry '$OUTSIDE/evil': refused: absolute path"
}

@test "import: hostile: a symlink to outside, then a write through it" {
	mktar "$T/e.tar" "l('link', '$OUTSIDE'); f('link/evil', 'x')"
	assert_refused "$T/e.tar" "tar entry 'link/evil': refused: 'link' is a symbolic link"
	mktar "$T/e2.tar" "l('link', '../../../../..'); f('link/evil', 'x')"
	assert_refused "$T/e2.tar" "tar entry 'link/evil': refused: 'link' is a symbolic link"
	mktar "$T/e3.tar" "d('a'); l('a/b', '$OUTSIDE'); d('a/b/c'); f('a/b/c/evil', 'x')"
	assert_refused "$T/e3.tar" "tar entry 'a/b/c/?': refused: 'a/b' is a symbolic link"
	# a symlink replaced by a file: the file is created, the target is not touched
	mktar "$T/ok.tar" "l('victim', '$OUTSIDE/victim'); f('victim', 'mine')"
	run_burrow 0 import "$T/ok.tar" fine
	is "$(cat "$OUTSIDE/victim")" orig
}

@test "import: hostile: hard links out of the layer are refused" {
	mktar "$T/e.tar" 'h("evil", "../../../etc/passwd")'
	assert_refused "$T/e.tar" "tar entry 'evil': refused: hard link target '../../../etc/passwd': the path has a '..' component"
	mktar "$T/e2.tar" 'h("evil", "/etc/passwd")'
	assert_refused "$T/e2.tar" "tar entry 'evil': refused: hard link target '/etc/passwd': absolute path"
	mktar "$T/e3.tar" "h('evil', '$OUTSIDE/victim')"
	assert_refused "$T/e3.tar" "refused: hard link target '$OUTSIDE/victim': absolute path"
	mktar "$T/e4.tar" "l('out', '$OUTSIDE'); h('evil', 'out/victim')"
	assert_refused "$T/e4.tar" "tar entry 'evil': refused: hard link target 'out/victim': 'out' is a symbolic link"
	mktar "$T/e5.tar" 'h("evil", "nosuchfile")'
	assert_refused "$T/e5.tar" "tar entry 'evil': refused: hard link target 'nosuchfile': not in the layer"
	mktar "$T/e6.tar" 'd("dir"); h("evil", "dir")'
	assert_refused "$T/e6.tar" "hard link target 'dir': a directory"
}

@test "import: hostile: a hard link to a symlink that points out of the layer" {
	# linkat without AT_SYMLINK_FOLLOW: the link is a second name of the
	# symlink, never of the file outside
	mktar "$T/ok.tar" "l('s', '$OUTSIDE/victim'); h('hl', 's'); l('up', '../../../../../../..'); h('hup', 'up')"
	run_burrow 0 import "$T/ok.tar" ok
	L=$LAYERS/$(layer_id "$T/ok.tar")/diff
	[ -L "$L/hl" ] || { echo "hl is not a symlink: $(ls -l "$L/hl")" >&2; return 1; }
	is "$(readlink "$L/hl")" "$OUTSIDE/victim"
	is "$(stat -c '%i %h' "$L/hl")" "$(stat -c '%i' "$L/s") 2" "hl is not the symlink's inode"
	is "$(readlink "$L/hup")" "../../../../../../.."
	is "$(stat -c %h "$OUTSIDE/victim")" 1 "the file outside got a hard link in the layer"
	# a file entry of that name replaces the link; one below it is refused
	mktar "$T/w.tar" "l('s', '$OUTSIDE/victim'); h('hl', 's'); f('hl', 'mine')"
	run_burrow 0 import "$T/w.tar" w
	is "$(cat "$OUTSIDE/victim")" orig "written through the link"
	is "$(cat "$LAYERS/$(layer_id "$T/w.tar")/diff/hl")" mine
	mktar "$T/e.tar" "l('s', '$OUTSIDE'); h('hl', 's'); f('hl/victim', 'x'); f('hl/evil', 'x')"
	run_burrow 125 import "$T/e.tar" evil
	assert_match "$output" "tar entry 'hl/victim': refused: 'hl' is a symbolic link"
	is "$(ls -A "$OUTSIDE")" "victim"
	is "$(cat "$OUTSIDE/victim")" orig
	mktar "$T/e2.tar" "l('s', '/etc/passwd'); h('hl', 's'); h('hl2', 'hl'); f('hl2/x', 'x')"
	run_burrow 125 import "$T/e2.tar" evil
	assert_match "$output" "tar entry 'hl2/x': refused: 'hl2' is a symbolic link"
}

@test "import: a tar entry's name is shown escaped on the one error line" {
	mktar "$T/e.tar" 'f("x\n\x1b[2J/../../evil", "x")'
	assert_refused "$T/e.tar" "tar entry 'x\\\\n\\\\x1b\[2J/\.\./\.\./evil': refused: the path has a '\.\.' component"
	[[ $output != *$'\e'* ]] || { echo "an escape character reached the terminal" >&2; return 1; }
	mktar "$T/e2.tar" "l('s\x1b]0;pwned\x07\'', '$OUTSIDE'); f('s\x1b]0;pwned\x07\'/evil', 'x')"
	assert_refused "$T/e2.tar" "tar entry 's\\\\x1b\]0;pwned\\\\x07\\\\'/evil': refused: 's\\\\x1b\]0;pwned\\\\x07\\\\'' is a symbolic link"
	[[ $output != *$'\e'* && $output != *$'\a'* ]] || { echo "a control character reached the terminal" >&2; return 1; }
}

@test "import: a 10,000-level tree imports, and a failed one is removed, with ulimit -n 256" {
	# one entry at the bottom makes every level; then up half way, to the
	# top, and down again (each level once a directory entry would make a
	# 100 MB tar: see 'make bench')
	python3 - "$T" <<'PY'
import io, sys, tarfile
t = sys.argv[1]
for name, evil in (("deep.tar", False), ("deep-evil.tar", True)):
    tf = tarfile.open(t + "/" + name, "w", format=tarfile.PAX_FORMAT)
    def f(n, data):
        ti = tarfile.TarInfo(n)
        ti.size, ti.mtime = len(data), 1600000000
        tf.addfile(ti, io.BytesIO(data))
    def d(n):
        ti = tarfile.TarInfo(n)
        ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 1600000000
        tf.addfile(ti)
    f("d/" * 10000 + "bottom", b"deep\n")
    f("d/" * 5000 + "middle", b"half\n")
    f("top", b"top\n")
    d("d/" * 9999 + "d")
    f("d/" * 9999 + "last", b"last\n")
    if evil:
        f("../evil", b"x")
    tf.close()
PY
	in_deep() { # DIR LEVELS COMMAND: runs COMMAND LEVELS directories down DIR (deeper than PATH_MAX)
		ns python3 -c 'import os, sys
os.chdir(sys.argv[1])
for _ in range(int(sys.argv[2])): os.chdir("d")
os.execvp(sys.argv[3], sys.argv[3:])' "$@"
	}
	run bash -c 'ulimit -n 256 && exec timeout "$1" "$2" import "$3" deep' _ "$BURROW_TIMEOUT" "$BURROW" "$T/deep.tar"
	is "$status" 0 "import: $output"
	L=$LAYERS/$(layer_id "$T/deep.tar")/diff
	is "$(in_deep "$L" 10000 cat bottom)" deep
	is "$(in_deep "$L" 5000 cat middle)" half
	is "$(in_deep "$L" 9999 cat last)" last
	is "$(in_deep "$L" 9999 stat -c %Y d)" 1600000000 "the times of a directory 9,999 levels down"
	run bash -c 'ulimit -n 256 && exec timeout "$1" "$2" import "$3" evil' _ "$BURROW_TIMEOUT" "$BURROW" "$T/deep-evil.tar"
	is "$status" 125
	assert_match "$output" "^burrow: cannot import '$T/deep-evil.tar': tar entry '../evil': refused"
	is "$(printf '%s\n' "$output" | grep -c '^burrow:')" 1 "one line, no warning"
	is "$(ls "$LAYERS")" "$(layer_id "$T/deep.tar")" "the failed extraction is left in the layer store"
	is "$(find "$T" -name 'evil*' -not -name '*.tar')" ""
}

@test "import: a layer mounts with fuse-overlayfs in burrow's namespace" {
	command -v fuse-overlayfs >/dev/null || need_or_fail "fuse-overlayfs (Debian package fuse-overlayfs)"
	mktar "$T/m.tar" 'd("etc"); f("etc/motd", "lower\n"); d("home", mode=0o755); f("home/secret", "s", mode=0o600)'
	run_burrow 0 import "$T/m.tar" m
	L=$LAYERS/$(layer_id "$T/m.tar")/diff
	mkdir -p "$T/ovl/upper" "$T/ovl/work" "$T/ovl/merged"
	run ns sh -c '
		set -e
		fuse-overlayfs -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work,noacl,fast_ino=1" "$2/merged" 2>"$2/err"
		cat "$2/merged/etc/motd"
		echo upper >"$2/merged/etc/motd"
		echo new >"$2/merged/new"
		if command -v setpriv >/dev/null && [ "$3" = yes ]; then
			# another uid of the namespace reads the mount (allow_other), but
			# not a 0600 file; from inside, as the test dir is private
			cd "$2/merged"
			setpriv --reuid 1000 --regid 1000 --clear-groups cat etc/motd
			setpriv --reuid 1000 --regid 1000 --clear-groups cat home/secret 2>/dev/null && exit 9
			cd /
		fi
		umount "$2/merged"
	' sh "$L" "$T/ovl" "$(many_ids && echo yes || echo no)"
	is "$status" 0 "mount script failed: $output"
	is "${lines[0]}" lower
	if many_ids; then is "${lines[1]}" upper; fi
	is "$(cat "$T/ovl/upper/new")" new
	is "$(cat "$T/ovl/upper/etc/motd")" upper
	is "$(cat "$L/etc/motd")" lower "the layer changed"
	[ ! -e "$L/new" ]
	run ns sh -c 'grep -c " $1 " /proc/self/mountinfo' sh "$T/ovl/merged"
	is "$output" 0 "still mounted"
}
