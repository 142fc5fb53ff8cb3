#!/usr/bin/env bats
# burrow save / burrow load: docker-archive, oci-archive, oci-dir and
# docker-dir round trips (image IDs, tags and manifest digests kept),
# compressed archives and standard input, multi-image archives, archives
# podman writes and podman reads, and hostile archives (nothing stored).

load helpers

REGPY=$BATS_TEST_DIRNAME/registry.py

setup_file() {
	local f=$BATS_FILE_TMPDIR
	"$TOP/tools/mkimage.sh" "$f/busybox.tar" >/dev/null
	python3 "$REGPY" layer "$f/hello.tar" 'd("etc"); f("etc/hello", "hello from layer 2\n"); f("etc/doomed", "x\n")'
	python3 "$REGPY" layer "$f/third.tar" 'd("etc"); f("etc/third", "third\n"); f("etc/.wh.doomed", ""); l("etc/sl", "third"); h("etc/hl", "etc/third")'
	# a three-layer image in an OCI layout (gzip layers), named localhost/multi:1
	python3 "$REGPY" oci "$f/oci" localhost/multi:1 --layer "$f/busybox.tar:gzip" --layer "$f/hello.tar:gzip" \
		--layer "$f/third.tar:gzip" >"$f/oci.digest"
	# the same as an oci-archive: loaded by its ref.name (a directory is
	# named after its path, as podman names it)
	tar -C "$f/oci" -cf "$f/oci.tar" .
}

suite_setup() {
	LAYERS=$XDG_DATA_HOME/burrow/layers
	OTHER=$T/other # a second store (--root)
	make_userns
}

suite_teardown() {
	local d pause=$T/podman/run/libpod/tmp/pause.pid
	# the pause process a rootless podman leaves behind
	[ -s "$pause" ] && kill "$(cat "$pause")" 2>/dev/null
	for d in "$XDG_DATA_HOME/burrow" "$OTHER"; do
		[ -d "$d" ] && timeout 30 "$BURROW" unshare rm -rf "$d" 2>/dev/null
	done
	return 0
}

# in the second store
other() {
	run_burrow "$1" --root "$OTHER" "${@:2}"
}

# image_id [--root DIR]: the full ID of the (newest) image in the store
image_id() {
	timeout "$BURROW_TIMEOUT" "$BURROW" "$@" images --no-trunc -q 2>/dev/null | head -1 | sed "s/^sha256://"
}

# image_digest [--root DIR]: the manifest digest it was pulled or loaded by
image_digest() {
	timeout "$BURROW_TIMEOUT" "$BURROW" "$@" images --format json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("Digest", ""))'
}

load_multi() {
	run_burrow 0 load -i "$BATS_FILE_TMPDIR/oci.tar"
	is "$output" "Loaded image: localhost/multi:1"
}

@test "load: an OCI layout directory (three gzip layers, a whiteout); it runs with every layer" {
	# podman names a directory's image after its path, not its ref.name
	cd "$BATS_FILE_TMPDIR"
	run_burrow 0 load -i oci
	is "$output" "Loaded image: localhost/oci" "the name as podman prints it, without the tag"
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}'
	is "$output" "localhost/oci:latest" "stored tagged latest"
	run_burrow 0 tag localhost/oci:latest localhost/multi:1
	run_burrow 0 run --rm localhost/multi:1 sh -c 'cat /etc/hello /etc/third /etc/sl; ls /etc/doomed 2>&1; ls -i /etc/third /etc/hl | awk "{print \$1}" | uniq | wc -l'
	assert_match "$output" "hello from layer 2"
	assert_match "$output" "third
third"
	assert_match "$output" "doomed: No such file"
	is "${lines[-1]}" "1" "the hard link is one file"
	# the manifest it was loaded by is its digest
	is "$(image_digest)" "$(cat "$BATS_FILE_TMPDIR/oci.digest")"
}

@test "save/load: docker-archive round trip keeps ID, tags and bytes; podman's layout; stdout" {
	load_multi
	id=$(image_id)
	run_burrow 0 save -o "$T/d.tar" localhost/multi:1
	run tar tf "$T/d.tar"
	assert_match "$output" "manifest.json"
	assert_match "$output" "$id.json"
	run tar xOf "$T/d.tar" manifest.json
	assert_match "$output" "\"RepoTags\":\[\"localhost/multi:1\"\]"
	# the layers are the tars they were: their sha256 is the diff ID
	for l in $(tar tf "$T/d.tar" | grep '\.tar$'); do
		is "$(tar xOf "$T/d.tar" "$l" | sha256sum | cut -d' ' -f1).tar" "$l" "layer $l hashes to its name"
	done
	other 0 load -i "$T/d.tar"
	is "$output" "Loaded image: localhost/multi:1"
	is "$(image_id --root "$OTHER")" "$id" "same image ID"
	other 0 run --rm localhost/multi:1 cat /etc/third
	is "$output" "third"
	# saving the loaded copy gives the same archive, byte for byte; to stdout too
	timeout 60 "$BURROW" --root "$OTHER" save localhost/multi:1 >"$T/d2.tar"
	cmp "$T/d.tar" "$T/d2.tar"
}

# As podman 4.3 (checked live): an image loaded from a docker-archive has
# a Docker v2s2 manifest type (the archive's manifest is one), which push
# keeps; one loaded from an oci-archive stays OCI.
@test "load: a docker-archive's image is of Docker v2s2 manifest type, as podman's: inspect says so, push to dir: keeps it; an oci-archive's is OCI" {
	load_multi
	run_burrow 0 save -o "$T/d.tar" localhost/multi:1
	run_burrow 0 save --format oci-archive -o "$T/o.tar" localhost/multi:1
	other 0 load -i "$T/d.tar"
	other 0 image inspect --format '{{.ManifestType}}' localhost/multi:1
	is "$output" "application/vnd.docker.distribution.manifest.v2+json"
	other 0 push -q localhost/multi:1 "dir:$T/pd"
	run python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["mediaType"])' "$T/pd/manifest.json"
	is "$output" "application/vnd.docker.distribution.manifest.v2+json"
	other 0 rmi localhost/multi:1
	other 0 load -i "$T/o.tar"
	other 0 image inspect --format '{{.ManifestType}}' localhost/multi:1
	is "$output" "application/vnd.oci.image.manifest.v1+json"
}

@test "save/load: oci-archive round trip keeps ID, tag and manifest digest" {
	load_multi
	id=$(image_id)
	run_burrow 0 save --format oci-archive -o "$T/o.tar" localhost/multi:1
	run tar xOf "$T/o.tar" index.json
	assert_match "$output" '"org.opencontainers.image.ref.name":"localhost/multi:1"'
	digest=$(tar xOf "$T/o.tar" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])')
	other 0 load -i "$T/o.tar"
	is "$output" "Loaded image: localhost/multi:1"
	is "$(image_id --root "$OTHER")" "$id" "same image ID"
	is "$(image_digest --root "$OTHER")" "$digest" "the manifest digest it was loaded by"
	other 0 save --format oci-archive -o "$T/o2.tar" localhost/multi:1
	cmp "$T/o.tar" "$T/o2.tar"
}

@test "load: a whiteout and an entry of one name in one layer: the entry stays, in either order (OCI), the lower layers' name is hidden; run, both exports and cp agree; save writes the layer as it came" {
	python3 "$REGPY" layer "$T/lower.tar" 'd("pair"); f("pair/f1", "low1\n"); f("pair/f2", "low2\n"); d("pair/d1"); f("pair/d1/lowin", "l\n"); d("pair/d2"); f("pair/d2/lowin", "l\n"); f("pair/gone", "g\n")'
	python3 "$REGPY" layer "$T/pair.tar" 'd("pair"); f("pair/.wh.f1", ""); f("pair/f1", "top1\n"); f("pair/f2", "top2\n"); f("pair/.wh.f2", ""); f("pair/.wh.d1", ""); d("pair/d1"); f("pair/d1/top", "t1\n"); d("pair/d2"); f("pair/d2/top", "t2\n"); f("pair/.wh.d2", ""); f("pair/.wh.gone", "")'
	python3 "$REGPY" oci "$T/oci" localhost/pair:1 --layer "$BATS_FILE_TMPDIR/busybox.tar:gzip" \
		--layer "$T/lower.tar:gzip" --layer "$T/pair.tar:none" >/dev/null
	tar -C "$T/oci" -cf "$T/pair-oci.tar" .
	run_burrow 0 load -i "$T/pair-oci.tar"
	is "$output" "Loaded image: localhost/pair:1"
	want='pair/
pair/d1/
pair/d1/top
pair/d2/
pair/d2/top
pair/f1
pair/f2'
	run_burrow 0 run --name pr localhost/pair:1 sh -c 'cd / && find pair | sort && cat pair/f1 pair/f2'
	is "$output" "$(printf '%s\n' "$want" | sed 's|/$||')
top1
top2"
	# a stopped container's export, from its layers and through its mount
	run_burrow 0 export -o "$T/direct.tar" pr
	run_burrow 0 mount pr
	run_burrow 0 export -o "$T/fuse.tar" pr
	run_burrow 0 unmount pr
	for t in direct fuse; do
		is "$(tar -tf "$T/$t.tar" | grep '^pair/' | sort)" "$want" "$t export"
		is "$(tar -xOf "$T/$t.tar" pair/f2)" top2
	done
	timeout "$BURROW_TIMEOUT" "$BURROW" cp pr:/pair - >"$T/cp.tar"
	is "$(tar -tf "$T/cp.tar" | sort)" "$want" "cp"
	# save writes each layer as it was loaded: its sha256 is its diff ID,
	# and another store gets the same image from it
	id=$(image_id)
	run_burrow 0 save -o "$T/d.tar" localhost/pair:1
	tar xOf "$T/d.tar" "$(sha256sum "$T/pair.tar" | cut -d' ' -f1).tar" | cmp - "$T/pair.tar"
	for l in $(tar tf "$T/d.tar" | grep '\.tar$'); do
		is "$(tar xOf "$T/d.tar" "$l" | sha256sum | cut -d' ' -f1).tar" "$l" "layer $l hashes to its name"
	done
	other 0 load -i "$T/d.tar"
	is "$(image_id --root "$OTHER")" "$id" "same image ID"
	other 0 run --rm localhost/pair:1 sh -c 'cd / && find pair | sort'
	is "$output" "$(printf '%s\n' "$want" | sed 's|/$||')"
}

@test "save: a stored manifest that fits what is written is written as it was (same digest)" {
	# a layout another tool wrote: uncompressed layers, its own JSON spacing
	python3 "$REGPY" oci "$T/plain" localhost/plain:1 --layer "$BATS_FILE_TMPDIR/busybox.tar:none" \
		--layer "$BATS_FILE_TMPDIR/hello.tar:none" >"$T/plain.digest"
	cd "$T" # a directory is named after its path: one that makes a valid name
	run_burrow 0 pull -q "oci:plain:localhost/plain:1"
	run_burrow 0 tag "$output" localhost/plain:1
	run_burrow 0 save --format oci-archive -o "$T/p.tar" localhost/plain:1
	digest=$(tar xOf "$T/p.tar" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])')
	is "$digest" "$(cat "$T/plain.digest")" "the manifest it was loaded with"
	cmp "$T/plain/blobs/sha256/${digest#sha256:}" <(tar xOf "$T/p.tar" "blobs/sha256/${digest#sha256:}")
}

@test "save/load: oci-dir and docker-dir (--compress) round trips" {
	load_multi
	id=$(image_id)
	run_burrow 0 save --format oci-dir -o "$T/od" localhost/multi:1
	[ -f "$T/od/oci-layout" ] && [ -f "$T/od/index.json" ]
	run_burrow 0 save --format docker-dir --compress -o "$T/dd" localhost/multi:1
	[ -f "$T/dd/version" ] && [ -f "$T/dd/manifest.json" ]
	assert_match "$(cat "$T/dd/manifest.json")" "diff.tar.gzip"
	for l in $(python3 -c 'import json,sys; print(" ".join(l["digest"][7:] for l in json.load(open(sys.argv[1]))["layers"]))' "$T/dd/manifest.json"); do
		gzip -t "$T/dd/$l"
		is "$(sha256sum <"$T/dd/$l" | cut -d' ' -f1)" "$l"
	done
	(cd "$T" && other 0 load -i od)
	is "$(image_id --root "$OTHER")" "$id"
	timeout 30 "$BURROW" unshare rm -rf "$OTHER"
	other 0 load -i "$T/dd"
	is "$(image_id --root "$OTHER")" "$id"
	other 0 run --rm "$id" cat /etc/hello
	is "$output" "hello from layer 2"
	# an oci-dir or docker-dir needs -o
	run_burrow 125 save --format oci-dir localhost/multi:1
	assert_match "$output" "needs a directory"
}

@test "load: gzip, zstd and standard input; an archive that is neither is refused" {
	load_multi
	id=$(image_id)
	run_burrow 0 save -o "$T/d.tar" localhost/multi:1
	gzip -c "$T/d.tar" >"$T/d.tar.gz"
	zstd -q -c "$T/d.tar" >"$T/d.tar.zst"
	other 0 load -i "$T/d.tar.gz"
	is "$output" "Loaded image: localhost/multi:1"
	timeout 30 "$BURROW" unshare rm -rf "$OTHER"
	run timeout 60 "$BURROW" --root "$OTHER" load <"$T/d.tar.zst"
	is "$status" 0 "$output"
	is "$(image_id --root "$OTHER")" "$id"
	timeout 30 "$BURROW" unshare rm -rf "$OTHER"
	run sh -c "cat '$T/d.tar' | timeout 60 '$BURROW' --root '$OTHER' load"
	is "$status" 0 "$output"
	is "$output" "Loaded image: localhost/multi:1"
	# a rootfs tarball is no archive
	run_burrow 125 load -i "$BATS_FILE_TMPDIR/hello.tar"
	assert_match "$output" "neither a docker-archive nor an oci-archive"
	run_burrow 125 load -i "$T/nonexistent"
	run_burrow 125 load "$T/d.tar"
	assert_match "$output" "-i"
}

@test "save: -m writes several images; without it further names are tags; a bad name writes nothing" {
	load_multi
	import_busybox localhost/bb
	run_burrow 0 save -m -o "$T/m.tar" localhost/multi:1 localhost/bb
	other 0 load -i "$T/m.tar"
	is "$output" "Loaded image: localhost/multi:1
Loaded image: localhost/bb:latest"
	other 0 images --format '{{.Repository}}:{{.Tag}}'
	assert_match "$output" "localhost/multi:1"
	assert_match "$output" "localhost/bb:latest"
	# without -m: one image, both names its tags
	run_burrow 0 save -o "$T/t.tar" localhost/multi:1 localhost/extra:2
	run tar xOf "$T/t.tar" manifest.json
	assert_match "$output" '"RepoTags":\["localhost/multi:1","localhost/extra:2"\]'
	run_burrow 125 save -o "$T/bad.tar" localhost/multi:1 localhost/nosuch -m
	assert_match "$output" "not known"
	[ ! -e "$T/bad.tar" ]
	run_burrow 125 save --format oci-archive -m -o "$T/bad.tar" localhost/multi:1
	run_burrow 125 save --format nosuch -o "$T/bad.tar" localhost/multi:1
	[ ! -e "$T/bad.tar" ]
	# a terminal is refused, as podman does (script(1) gives one)
	command -v script >/dev/null || need_or_fail "script (Debian package bsdutils)"
	run script -qec "timeout 30 '$BURROW' save localhost/multi:1" /dev/null
	assert_match "$output" "refusing to save to terminal"
	run script -qec "timeout 30 '$BURROW' load" /dev/null
	assert_match "$output" "cannot read from terminal"
}

@test "save -o: a docker-archive is not written over a file with something in it, as podman; an empty file, /dev/null and an oci-archive are" {
	import_busybox localhost/bb
	run_burrow 0 save -o "$T/a.tar" localhost/bb
	local sum
	sum=$(sha256sum <"$T/a.tar")
	run_burrow 125 save -o "$T/a.tar" localhost/bb
	assert_match "$output" "'$T/a.tar' exists: a docker-archive is not written over another file"
	assert_match "$output" "hint: remove it first"
	is "$(sha256sum <"$T/a.tar")" "$sum" "the archive is untouched"
	echo junk >"$T/j.tar"
	run_burrow 125 save -o "$T/j.tar" localhost/bb
	is "$(cat "$T/j.tar")" "junk"
	# an empty file is written to; so is what is not a regular file
	: >"$T/e.tar"
	run_burrow 0 save -o "$T/e.tar" localhost/bb
	is "$(sha256sum <"$T/e.tar")" "$sum"
	run_burrow 0 save -o /dev/null localhost/bb
	# an oci-archive replaces what was there
	run_burrow 0 save --format oci-archive -o "$T/j.tar" localhost/bb
	run tar tf "$T/j.tar"
	assert_match "$output" "index.json"
	other 0 load -i "$T/j.tar"
	is "$output" "Loaded image: localhost/bb:latest"
}

@test "save -o: an oci-archive that fails leaves the file it would replace as it was; once whole, it replaces it in place" {
	import_busybox localhost/bb
	echo precious >"$T/keep.tar"
	chmod 640 "$T/keep.tar"
	ln -s keep.tar "$T/link.tar"
	# a layer that cannot be read: the save fails after the file is opened
	run_burrow 0 image inspect --format '{{.GraphDriver.Data.UpperDir}}' localhost/bb
	local bin=$output/bin
	mv "$bin" "$bin.away"
	run_burrow 125 save --format oci-archive -o "$T/link.tar" localhost/bb
	mv "$bin.away" "$bin"
	assert_match "$output" "cannot open 'bin/busybox' in the layer"
	is "$(cat "$T/keep.tar")" "precious" "the file is as it was"
	run_burrow 0 save --format oci-archive -o "$T/link.tar" localhost/bb
	is "$(readlink "$T/link.tar")" "keep.tar" "the link is still one"
	is "$(stat -c %a "$T/keep.tar")" 640 "the file keeps its mode"
	run tar tf "$T/keep.tar"
	assert_match "$output" "index.json"
}

# podman with its own storage in the test's directory
podman_setup() {
	command -v podman >/dev/null && command -v runc >/dev/null || need_or_fail "podman and runc"
	local d=$T/podman
	mkdir -p "$d/run" "$d/conf"
	chmod 700 "$d/run"
	printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$d/conf/containers.conf"
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s/prun"\ngraphroot = "%s/pstore"\n' "$d" "$d" >"$d/conf/storage.conf"
	P=(env CONTAINERS_CONF="$d/conf/containers.conf" CONTAINERS_STORAGE_CONF="$d/conf/storage.conf"
		XDG_RUNTIME_DIR="$d/run" HOME="$d" timeout 120 podman --runtime runc)
	"${P[@]}" images >/dev/null 2>&1 || need_or_fail "podman that runs here as $(id -un): $("${P[@]}" images 2>&1 | tail -1)"
}

podman_teardown() {
	if [ "$(id -u)" = 0 ]; then
		rm -rf "$T/podman/pstore"
	else
		"${P[@]}" unshare rm -rf "$T/podman/pstore" >/dev/null 2>&1 || true
	fi
	return 0
}

@test "podman: what burrow save writes podman load reads, and the other way round" {
	podman_setup
	load_multi
	id=$(image_id)
	run_burrow 0 save -o "$T/d.tar" localhost/multi:1
	run_burrow 0 save --format oci-archive -o "$T/o.tar" localhost/multi:1
	run "${P[@]}" load -i "$T/d.tar"
	is "$status" 0 "$output"
	assert_match "$output" "Loaded image: localhost/multi:1"
	run "${P[@]}" images --no-trunc -q localhost/multi:1
	is "$output" "sha256:$id" "podman has the same image ID"
	run "${P[@]}" rmi -f localhost/multi:1
	run "${P[@]}" load -i "$T/o.tar"
	is "$status" 0 "$output"
	run "${P[@]}" images --no-trunc -q localhost/multi:1
	is "$output" "sha256:$id" "podman has the same image ID (oci-archive)"
	# podman's own archives, both formats
	run "${P[@]}" save -o "$T/p.tar" localhost/multi:1
	is "$status" 0 "$output"
	run "${P[@]}" save --format oci-archive -o "$T/po.tar" localhost/multi:1
	is "$status" 0 "$output"
	podman_teardown
	other 0 load -i "$T/p.tar"
	is "$output" "Loaded image: localhost/multi:1"
	is "$(image_id --root "$OTHER")" "$id"
	other 0 run --rm localhost/multi:1 cat /etc/third
	is "$output" "third"
	timeout 30 "$BURROW" unshare rm -rf "$OTHER"
	other 0 load -i "$T/po.tar"
	is "$(image_id --root "$OTHER")" "$id"
}

# rewrite IN OUT PYTHON: copies the tar IN to OUT through PYTHON, which sees
# members (a list of [TarInfo, bytes]) and may change them.
rewrite() {
	python3 - "$1" "$2" "$3" <<'PY'
import io, json, sys, tarfile, hashlib
src, out, code = sys.argv[1], sys.argv[2], sys.argv[3]
members = []
with tarfile.open(src) as t:
    for ti in t.getmembers():
        members.append([ti, t.extractfile(ti).read() if ti.isfile() else b""])
def find(pred):
    return next(m for m in members if pred(m[0].name))
def add(name, data=b"", type=tarfile.REGTYPE, linkname=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname, ti.size = type, linkname, len(data)
    members.append([ti, data])
exec(code)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    for ti, data in members:
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data) if ti.isfile() else None)
PY
}

@test "load: hostile archives are refused and nothing is stored" {
	local f=$BATS_FILE_TMPDIR
	if [ ! -s "$f/good-d.tar" ]; then
		other 0 load -i "$f/oci.tar"
		other 0 save -o "$f/good-d.tar" localhost/multi:1
		other 0 save --format oci-archive -o "$f/good-o.tar" localhost/multi:1
	fi
	# a member named with ".." or an absolute path
	rewrite "$f/good-d.tar" "$T/dotdot.tar" 'add("../evil", b"x")'
	run_burrow 125 load -i "$T/dotdot.tar"
	assert_match "$output" "member named '../evil'"
	rewrite "$f/good-d.tar" "$T/abs.tar" 'add("/tmp/evil", b"x")'
	run_burrow 125 load -i "$T/abs.tar"
	assert_match "$output" "member named '/tmp/evil'"
	# manifest.json names a symlink (to a layer of the archive, or outside it)
	rewrite "$f/good-d.tar" "$T/sym.tar" '
m = find(lambda n: n == "manifest.json"); j = json.loads(m[1])
add("link.tar", type=tarfile.SYMTYPE, linkname="/etc/passwd")
j[0]["Layers"][1] = "link.tar"; m[1] = json.dumps(j).encode()'
	run_burrow 125 load -i "$T/sym.tar"
	assert_match "$output" "'link.tar' .* is a symlink: refused"
	# ... or a hard link (to a file outside it, or to one of its layers)
	rewrite "$f/good-d.tar" "$T/hard.tar" '
m = find(lambda n: n == "manifest.json"); j = json.loads(m[1])
add("hl.tar", type=tarfile.LNKTYPE, linkname="/etc/passwd")
add("hl2.tar", type=tarfile.LNKTYPE, linkname=j[0]["Layers"][0])
j[0]["Layers"][1] = "hl.tar"; j[0]["Layers"][2] = "hl2.tar"; m[1] = json.dumps(j).encode()'
	run_burrow 125 load -i "$T/hard.tar"
	assert_match "$output" "'hl.tar' .* is a hard link: refused"
	# manifest.json names a file that is not there
	rewrite "$f/good-d.tar" "$T/missing.tar" '
m = find(lambda n: n == "manifest.json"); j = json.loads(m[1])
j[0]["Layers"][2] = "nosuch.tar"; m[1] = json.dumps(j).encode()'
	run_burrow 125 load -i "$T/missing.tar"
	assert_match "$output" "has no member 'nosuch.tar'"
	# a layer whose content is not its name's digest (the last layer: the
	# others are in place by then and must go again)
	rewrite "$f/good-o.tar" "$T/digest.tar" '
ix = json.loads(find(lambda n: n == "index.json")[1])
man = json.loads(find(lambda n: n.endswith(ix["manifests"][0]["digest"][7:]))[1])
l = find(lambda n: n.endswith(man["layers"][-1]["digest"][7:]))
l[1] = l[1].replace(b"third\n", b"THIRD\n")'
	run_burrow 125 load -i "$T/digest.tar"
	assert_match "$output" "does not match its digest"
	# a configuration that is not what its name says
	rewrite "$f/good-d.tar" "$T/config.tar" '
c = find(lambda n: n.endswith(".json") and n != "manifest.json")
c[1] = c[1].replace(b"registry.py", b"registry.pz")'
	run_burrow 125 load -i "$T/config.tar"
	assert_match "$output" "does not match its digest"
	# a legacy layer (no digest in its name) whose content is not its diff ID
	rewrite "$f/good-d.tar" "$T/diffid.tar" '
m = find(lambda n: n == "manifest.json"); j = json.loads(m[1])
l = find(lambda n: n == j[0]["Layers"][2]); l[0].name = "x/layer.tar"
l[1] = l[1].replace(b"third\n", b"THIRD\n"); j[0]["Layers"][2] = "x/layer.tar"; m[1] = json.dumps(j).encode()'
	run_burrow 125 load -i "$T/diffid.tar"
	assert_match "$output" "not the diff ID"
	nothing_stored
	# two images sharing layers, the second's own last layer broken: the
	# layers the first placed go again too
	python3 "$REGPY" layer "$T/other.tar" 'd("opt"); f("opt/other", "another top\n")'
	python3 "$REGPY" oci "$T/two" localhost/two:1 --layer "$f/busybox.tar:gzip" --layer "$f/hello.tar:gzip" \
		--layer "$T/other.tar:gzip" >/dev/null
	tar -C "$T/two" -cf "$T/two.tar" .
	other 0 load -i "$T/two.tar"
	other 0 save -m -o "$T/both.tar" localhost/multi:1 localhost/two:1
	rewrite "$T/both.tar" "$T/both-bad.tar" '
j = json.loads(find(lambda n: n == "manifest.json")[1])
l = find(lambda n: n == j[1]["Layers"][-1]); l[1] = l[1].replace(b"another top", b"ANOTHER TOP")'
	run_burrow 125 load -i "$T/both-bad.tar"
	assert_match "$output" "localhost/two:1: layer .*not the diff ID"
	nothing_stored
	# and the good ones load
	run_burrow 0 load -i "$f/good-d.tar"
	run_burrow 0 load -i "$T/both.tar"
}

@test "pull: oci:, oci-archive:, docker-archive: and dir: transports; containers-storage: is refused" {
	local f=$BATS_FILE_TMPDIR
	other 0 load -i "$f/oci.tar"
	other 0 save -o "$T/d.tar" localhost/multi:1
	other 0 save --format oci-archive -o "$T/o.tar" localhost/multi:1
	other 0 save --format docker-dir -o "$T/dd" localhost/multi:1
	id=$(image_id --root "$OTHER")
	# oci:DIR:REF: REF chooses, the path names (see the next tests)
	cd "$f"
	run_burrow 0 pull "oci:oci:localhost/multi:1"
	is "${lines[-1]}" "$id"
	run_burrow 0 untag localhost/oci:latest
	run_burrow 0 pull -q "oci-archive:$T/o.tar"
	is "$output" "$id"
	run_burrow 0 pull -q "docker-archive:$T/d.tar:localhost/multi:1"
	is "$output" "$id"
	run_burrow 0 pull -q "docker-archive:$T/d.tar:@0"
	is "$output" "$id"
	run_burrow 0 pull -q "dir:$T/dd"
	is "$output" "$id"
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}'
	is "$output" "localhost/multi:1"
	run_burrow 125 pull "docker-archive:$T/d.tar:localhost/nosuch:1"
	assert_match "$output" "has no image 'localhost/nosuch:1'"
	run_burrow 125 pull containers-storage:localhost/multi:1
	assert_match "$output" "containers-storage transport is not supported"
	assert_match "$output" "podman save IMAGE \| burrow load"
}

@test "load/pull: several images and none chosen is refused, naming them; a bare-tag ref.name is localhost/TAG:latest, as podman names it" {
	local f=$BATS_FILE_TMPDIR
	python3 "$REGPY" oci "$T/one" latest --layer "$f/busybox.tar:gzip" >/dev/null
	python3 "$REGPY" oci "$T/two" localhost/two:2 --layer "$f/busybox.tar:gzip" --layer "$f/hello.tar:gzip" >/dev/null
	# one OCI layout of both
	cp -r "$T/one" "$T/both"
	cp "$T"/two/blobs/sha256/* "$T/both/blobs/sha256/"
	python3 - "$T/both/index.json" "$T/two/index.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
a["manifests"] += b["manifests"]
json.dump(a, open(sys.argv[1], "w"))
PY
	tar -C "$T/both" -cf "$T/both.tar" .
	# podman load refuses such an index; so does burrow, naming the images
	run_burrow 125 load -i "$T/both.tar"
	assert_match "$output" "'$T/both.tar' holds 2 images and none was chosen: latest, localhost/two:2"
	assert_match "$output" "hint: pull one of them instead: burrow pull oci-archive:FILE:NAME"
	run_burrow 125 pull "oci-archive:$T/both.tar"
	assert_match "$output" "cannot pull 'oci-archive:$T/both.tar': .*holds 2 images and none was chosen"
	assert_match "$output" "hint: name one after the path: 'oci-archive:$T/both.tar:NAME', or 'oci-archive:$T/both.tar:@N'"
	run_burrow 0 images -q
	is "$output" "" "nothing stored"
	run_burrow 0 pull -q "oci-archive:$T/both.tar:localhost/two:2"
	run_burrow 0 pull -q "oci-archive:$T/both.tar:latest"
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}'
	assert_match "$output" "localhost/latest:latest"
	assert_match "$output" "localhost/two:2"
	# the bare tag alone is loaded under podman's name for it
	tar -C "$T/one" -cf "$T/one.tar" .
	other 0 load -i "$T/one.tar"
	is "$output" "Loaded image: localhost/latest:latest"
	# a docker-archive of two: load takes both, as docker load does; a pull must choose
	run_burrow 0 save -m -o "$T/m.tar" localhost/latest:latest localhost/two:2
	run_burrow 125 pull "docker-archive:$T/m.tar"
	assert_match "$output" "holds 2 images and none was chosen: localhost/latest:latest, localhost/two:2"
	assert_match "$output" "hint: name one after the path: 'docker-archive:$T/m.tar:NAME'"
	other 0 pull -q "docker-archive:$T/m.tar:@1"
	other 0 load -i "$T/m.tar"
	is "$output" "Loaded image: localhost/latest:latest
Loaded image: localhost/two:2"
}

# config_id DIR: the config digest (the image ID) of an OCI layout's only image
config_id() {
	python3 - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
blob = lambda dg: json.load(open(os.path.join(d, "blobs", "sha256", dg[7:])))
print(blob(json.load(open(os.path.join(d, "index.json")))["manifests"][0]["digest"])["config"]["digest"][7:])
PY
}

# What podman 4.3 does, observed: an oci: directory's image is named
# localhost/PATH:latest (the path as given, its leading '/' dropped), with
# or without a ref.name annotation, and with oci:DIR:REF too (REF only
# chooses); load -i DIR names it so as well (and prints "Loaded image:
# localhost/PATH", without the tag: podman 4.3.1 here). An oci-archive is named by its
# ref.name, or not at all.
@test "pull/load: an oci: directory's image is named after its path, as podman names it; REF only chooses" {
	local f=$BATS_FILE_TMPDIR
	cd "$T"
	python3 "$REGPY" oci named localhost/multi:1 --layer "$f/busybox.tar:gzip" >/dev/null
	cp -r named noname
	python3 - noname/index.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
for m in a["manifests"]:
    m.pop("annotations", None)
json.dump(a, open(sys.argv[1], "w"))
PY
	id=$(config_id named)
	# without a ref.name and with one: the path names it, not the annotation
	run_burrow 0 pull oci:noname
	is "${lines[-1]}" "$id"
	run_burrow 0 pull -q oci:named
	is "$output" "$id"
	mkdir -p sub/dir && cp -r named sub/dir/x_y.z-w
	run_burrow 0 pull -q oci:sub/dir/x_y.z-w:localhost/multi:1
	is "$output" "$id"
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}} {{.ID}}' --sort repository
	is "$output" "localhost/named:latest ${id:0:12}
localhost/noname:latest ${id:0:12}
localhost/sub/dir/x_y.z-w:latest ${id:0:12}"
	# a path that makes no valid name is refused, as podman refuses it; nothing stored
	cp -r named Upper
	run_burrow 0 rmi -f "$id"
	run_burrow 125 pull oci:Upper
	is "${lines[0]}" "burrow: cannot pull 'oci:Upper': cannot load 'Upper': the image of an OCI layout directory is named after its path: invalid image name 'localhost/Upper': repository name must be lowercase"
	assert_match "${lines[1]}" "hint: name it by a plain lowercase relative path \\(oci:x, not oci:./x/ or oci:X\\), or load it as an archive: tar -C DIR -c . \\| burrow load"
	run_burrow 125 pull oci:./named/
	assert_match "$output" "invalid image name 'localhost/./named/'"
	run_burrow 125 load -i named/
	assert_match "$output" "invalid image name 'localhost/named/'"
	run_burrow 0 images -q
	is "$output" "" "nothing stored"
	# load -i DIR: named so too; podman load prints the name without its tag
	run_burrow 0 load -i noname
	is "$output" "Loaded image: localhost/noname"
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}' localhost/noname
	is "$output" "localhost/noname:latest"
	# two images: none chosen is refused; REF chooses by ref.name, the path names
	python3 "$REGPY" oci two localhost/two:2 --layer "$f/busybox.tar:gzip" --layer "$f/hello.tar:gzip" >/dev/null
	id2=$(config_id two)
	cp -r named both && cp two/blobs/sha256/* both/blobs/sha256/
	python3 - both/index.json two/index.json <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
a["manifests"] += b["manifests"]
json.dump(a, open(sys.argv[1], "w"))
PY
	run_burrow 125 pull oci:both
	assert_match "$output" "'both' holds 2 images and none was chosen: localhost/multi:1, localhost/two:2"
	run_burrow 125 pull oci:both:nosuch
	assert_match "$output" "has no image 'nosuch'"
	run_burrow 0 pull -q oci:both:localhost/multi:1
	is "$output" "$id"
	run_burrow 0 pull -q oci:both:localhost/two:2
	is "$output" "$id2"
	# the name moved to the image pulled last
	run_burrow 0 images --format '{{.ID}}' localhost/both:latest
	is "$output" "${id2:0:12}"
	# an oci-archive without a ref.name: no name, the image known by its ID
	tar -C noname -cf noname.tar .
	other 0 load -i noname.tar
	is "$output" "Loaded image: sha256:$id"
	other 0 images --format '{{.Repository}}:{{.Tag}}'
	is "$output" "<none>:<none>"
}

@test "save/push: a layer stored without the record of its tar is said with its image; importing or loading it again records it" {
	import_busybox localhost/bb
	# what an older burrow left: the layer without its tar-split
	rm -f "$LAYERS"/*/tar-split
	run_burrow 125 save -o "$T/o.tar" localhost/bb
	assert_match "$output" "cannot save image [0-9a-f]{12} \(localhost/bb:latest\): layer [0-9a-f]{12} has no record of the tar it came from \(an older burrow stored it\)"
	assert_match "$output" "hint: pull, load or import the image again: that records the tar"
	[ ! -e "$T/o.tar" ]
	run_burrow 125 push localhost/bb "oci-archive:$T/p.tar"
	assert_match "$output" "has no record of the tar it came from"
	# importing it again records it, the layer staying as it is
	import_busybox localhost/bb
	run_burrow 0 save -o "$T/o.tar" localhost/bb
	# loading it again (what a pull does) records it too
	other 0 load -i "$T/o.tar"
	rm -f "$OTHER"/layers/*/tar-split
	other 125 save -o "$T/o2.tar" localhost/bb
	other 0 load -i "$T/o.tar"
	other 0 save -o "$T/o2.tar" localhost/bb
	cmp "$T/o.tar" "$T/o2.tar"
}

@test "commit: a container's created, changed and deleted files (whiteouts, opaque dirs) become a layer; --change, -m" {
	load_multi
	run_burrow 0 run --name c1 localhost/multi:1 sh -c 'echo new >/etc/new; echo changed >>/etc/hello; rm /etc/third
		rm -rf /usr/bin; mkdir /usr/bin; echo z >/usr/bin/z; ln -s /etc/passwd /link; ln /etc/new /etc/newhard
		mkdir /srv; echo s >/srv/s'
	run_burrow 0 commit -c 'CMD ["cat", "/etc/new"]' -m "my change" --author "me" c1 localhost/committed:1
	id=${lines[-1]}
	assert_match "$id" "^[0-9a-f]{64}$"
	run_burrow 0 run --rm localhost/committed:1
	is "$output" "new"
	run_burrow 0 run --rm localhost/committed:1 sh -c 'cat /etc/hello; ls /etc/third 2>&1; ls /usr/bin; readlink /link
		cat /srv/s; ls -i /etc/new /etc/newhard | awk "{print \$1}" | uniq | wc -l; cat /etc/sl 2>&1; true'
	is "$output" "hello from layer 2
changed
ls: /etc/third: No such file or directory
z
/etc/passwd
s
1
cat: can't open '/etc/sl': No such file or directory"
	# the layer is OCI: .wh. entries, no device nodes, none of burrow's mount points
	run_burrow 0 save -o "$T/c.tar" localhost/committed:1
	top=$(tar xOf "$T/c.tar" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Layers"][-1])')
	run sh -c "tar xOf '$T/c.tar' '$top' | tar tvf -"
	assert_match "$output" "etc/\.wh\.third"
	assert_match "$output" "usr/bin/\.wh\.\.wh\.\.opq"
	assert_no_match "$output" "^c"
	assert_no_match "$output" "etc/hosts|run/\.containerenv"
	# the configuration: history, author, the diff IDs of every layer
	run tar xOf "$T/c.tar" "$id.json"
	assert_match "$output" '"comment":"my change"'
	assert_match "$output" '"author":"me"'
	assert_match "$output" '"created_by":"burrow commit c1"'
	# it saves and loads elsewhere like any image
	other 0 load -i "$T/c.tar"
	other 0 run --rm localhost/committed:1
	is "$output" "new"
	run_burrow 125 commit nosuch
	assert_match "$output" "nosuch"
	run_burrow 125 commit -c 'BOGUS x' c1
	assert_match "$output" "BOGUS"
}

@test "commit --iidfile, --format, --squash, --include-volumes: the ID in a file, the media types, one layer with the same files, the volumes" {
	load_multi
	run_burrow 0 run --name c2 -v vfdata:/data --tmpfs /scratch localhost/multi:1 sh -c 'echo sq >/etc/sq; rm /etc/hello'
	# --iidfile: the new image's full ID, no newline, as podman writes it
	run_burrow 0 commit --iidfile "$T/iid" c2 localhost/plain
	id=${lines[-1]}
	is "$(cat "$T/iid")" "$id"
	is "$(wc -c <"$T/iid")" 64 "no newline"
	# --format: the manifest's media type (OCI's by default)
	run_burrow 0 image inspect --format '{{.ManifestType}}' localhost/plain
	is "$output" "application/vnd.oci.image.manifest.v1+json"
	run_burrow 0 commit -f docker c2 localhost/dock
	run_burrow 0 image inspect --format '{{.ManifestType}}' localhost/dock
	is "$output" "application/vnd.docker.distribution.manifest.v2+json"
	run_burrow 0 commit --format oci c2 localhost/oci
	run_burrow 0 image inspect --format '{{.ManifestType}}' localhost/oci
	is "$output" "application/vnd.oci.image.manifest.v1+json"
	run_burrow 125 commit --format bogus c2 localhost/bogus
	assert_match "$output" "bogus"
	# --squash: one layer and one history entry, the same files as the
	# image of three layers and the changes; --squash=false: the layers
	# kept, as without it
	run_burrow 0 commit -s c2 localhost/squashed
	run_burrow 0 commit --squash=false c2 localhost/unsquashed
	run_burrow 0 image inspect localhost/squashed localhost/plain localhost/unsquashed
	run python3 -c 'import json,sys; print(" ".join("%d/%d" % (len(i["RootFS"]["Layers"]), len(i["History"])) for i in json.load(sys.stdin)))' <<<"$output"
	is "$output" "1/1 4/4 4/4"
	list='cat /etc/sq; cat /etc/hello 2>&1; cat /etc/third; find / -xdev | sort | md5sum'
	run_burrow 0 run --rm localhost/plain sh -c "$list"
	want=$output
	assert_match "$want" "^sq
cat: can't open '/etc/hello': No such file or directory
third"
	run_burrow 0 run --rm localhost/squashed sh -c "$list"
	is "$output" "$want"
	# the empty files c2's bind mounts were made on (the image has none)
	# are burrow's, not the container's: in neither image's layers
	for i in plain squashed; do
		run_burrow 0 create --name "l$i" "localhost/$i"
		run_burrow 0 export -o "$T/$i.tar" "l$i"
		run tar -tf "$T/$i.tar"
		assert_match "$output" "etc/sq"
		assert_no_match "$output" "etc/host|etc/resolv|containerenv" "$i"
	done
	# --include-volumes: -v and --tmpfs destinations become image volumes
	run_burrow 0 commit --include-volumes c2 localhost/vols
	run_burrow 0 image inspect --format '{{json .Config.Volumes}}' localhost/vols
	is "$output" '{"/data":{},"/scratch":{}}'
	run_burrow 0 image inspect --format '{{json .Config.Volumes}}' localhost/plain
	assert_no_match "$output" "data|scratch"
}

@test "save --uncompressed: accepted, the layers of an OCI layout stay plain tars (podman's meaning); --compress gzips them" {
	load_multi
	run_burrow 0 save --uncompressed --format oci-dir -o "$T/u" localhost/multi:1
	run_burrow 0 save --compress --format oci-dir -o "$T/z" localhost/multi:1
	for d in u z; do
		python3 -c '
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/index.json"))["manifests"][0]["digest"][7:]
print(*sorted(set(l["mediaType"] for l in json.load(open(d + "/blobs/sha256/" + m))["layers"])))' "$T/$d"
	done >"$T/types"
	is "$(cat "$T/types")" "application/vnd.oci.image.layer.v1.tar
application/vnd.oci.image.layer.v1.tar+gzip"
	tar -C "$T/u" -cf "$T/u.tar" .
	other 0 load -i "$T/u.tar"
	other 0 run --rm localhost/multi:1 cat /etc/third
	is "$output" "third"
}

@test "image save, image load: the same verbs under podman's image family" {
	load_multi
	run_burrow 0 image save -o "$T/d.tar" localhost/multi:1
	other 0 image load -i "$T/d.tar"
	is "$output" "Loaded image: localhost/multi:1"
}

@test "save: -m=false puts the images given in one image's place, as without it; --compress=false is as without it (refused for a docker-archive with it)" {
	import_busybox
	child_of busybox localhost/kid
	local f
	for f in "" -m=false -m; do
		run_burrow 0 save $f -o "$T/s$f.tar" busybox localhost/kid
		run tar tf "$T/s$f.tar"
		if [ "$f" = -m ]; then
			is "$(grep -c '^[0-9a-f]*\.json$' <<<"$output")" 2 "save -m: each image's config"
		else
			is "$(grep -c '^[0-9a-f]*\.json$' <<<"$output")" 1 "save $f: one image's config"
		fi
	done
	run_burrow 0 save --compress=false -o "$T/c.tar" busybox
	run_burrow 125 save --compress -o "$T/c2.tar" busybox
	assert_match "$output" "--compress is for the oci-dir and docker-dir formats"
}
