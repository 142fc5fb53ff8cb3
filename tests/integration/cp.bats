#!/usr/bin/env bats
# burrow cp, export, diff: a container's files, stopped and running; the
# hostile cases (symlinks to host paths, "..", a link swapped while cp runs)
# must never read or write outside the container.

load helpers

suite_setup() {
	make_sentinel
	import_busybox
}

suite_teardown() {
	rm_store
}

@test "cp: host to a stopped container and back, podman's destination rules" {
	run_burrow 0 create --name c1 busybox true
	mkdir -p "$T/src/sub"
	echo hello >"$T/src/file"
	echo deep >"$T/src/sub/deep"
	# a file onto a missing path makes that file; into a directory keeps its name
	run_burrow 0 cp "$T/src/file" c1:/newfile
	run_burrow 0 cp "$T/src/file" c1:/tmp
	# a directory onto a missing path makes it; into a directory keeps its name
	run_burrow 0 cp "$T/src" c1:/made
	run_burrow 0 cp "$T/src" c1:/tmp/
	# DIR/. copies the content
	run_burrow 0 cp "$T/src/." c1:/etc
	# back out: each as it was copied in
	mkdir "$T/back"
	run_burrow 0 cp c1:/newfile "$T/back/"
	is "$(cat "$T/back/newfile")" hello
	run_burrow 0 cp c1:/tmp/file "$T/back/renamed"
	is "$(cat "$T/back/renamed")" hello
	run_burrow 0 cp c1:/made "$T/back/made"
	is "$(cat "$T/back/made/sub/deep")" deep
	run_burrow 0 cp c1:/tmp/src "$T/back"
	is "$(cat "$T/back/src/file")" hello
	run_burrow 0 cp c1:/etc/sub/deep "$T/back/"
	is "$(cat "$T/back/deep")" deep
	run_burrow 0 cp c1:etc/file "$T/back/relative"
	is "$(cat "$T/back/relative")" hello
	# what came out is the user's own
	is "$(stat -c %u "$T/back/made/sub/deep")" "$(id -u)"
	# errors: a missing source, a missing parent, a directory onto a file,
	# a file into a missing directory, a non-directory over a directory
	run_burrow 125 cp c1:/nonexistent "$T/back/x"
	assert_match "$output" "'/nonexistent' could not be found on container 'c1'"
	run_burrow 125 cp "$T/src/file" c1:/no/such/dir/file
	assert_match "$output" "could not be found on container 'c1'"
	run_burrow 125 cp "$T/src" c1:/newfile
	assert_match "$output" "cannot copy a directory to '/newfile'"
	run_burrow 125 cp "$T/src/file" c1:/missingdir/
	assert_match "$output" "must exist"
	mkdir -p "$T/clash/file"
	run_burrow 125 cp "$T/clash/file" c1:/tmp/
	assert_match "$output" "cannot overwrite non-directory"
	run_burrow 0 cp --overwrite "$T/clash/file" c1:/tmp/
	# (a name that is no hex prefix: c1's ID may start with "c2")
	run_burrow 125 cp c1:/nonexistent nosuch:/x
	assert_match "$output" "no such container 'nosuch'"
	run_burrow 125 cp "$T/src" "$T/dst"
	assert_match "$output" "host to the host"
	# the stopped container's rootfs was mounted for the copy only
	run_burrow 0 start -a c1
	run ! grep -q "$XDG_RUNTIME_DIR" /proc/self/mountinfo
}

@test "cp: into and out of a running container, and - tar streams" {
	start_sleeper r1
	echo live >"$T/live"
	run_burrow 0 cp "$T/live" r1:/tmp/live
	run_burrow 0 exec r1 cat /tmp/live
	is "$output" live
	# owners: -a (default) the container user's; the file is root's inside
	run_burrow 0 exec r1 stat -c %u:%g /tmp/live
	is "$output" "0:0"
	run_burrow 0 exec r1 sh -c 'echo made-inside >/tmp/inside'
	run_burrow 0 cp r1:/tmp/inside "$T/inside"
	is "$(cat "$T/inside")" made-inside
	# - : a tar on stdout, named by the source's last name
	timeout 30 "$BURROW" cp r1:/tmp/inside - >"$T/out.tar"
	is "$(tar -tf "$T/out.tar")" inside
	# - : a tar from stdin extracted into a directory
	mkdir -p "$T/tree/d" && echo fromtar >"$T/tree/d/f"
	tar -C "$T/tree" -cf "$T/in.tar" d
	timeout 30 "$BURROW" cp - r1:/tmp <"$T/in.tar"
	run_burrow 0 exec r1 cat /tmp/d/f
	is "$output" fromtar
	run timeout 30 "$BURROW" cp - r1:/tmp/live <"$T/in.tar"
	is "$status" 125
	assert_match "$output" "not a directory"
	# a refused archive member writes nothing outside
	python3 - "$T/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    data = b"pwned\n"
    i = tarfile.TarInfo("../../../../../../../../" + "x")
    i.size = len(data)
    t.addfile(i, io.BytesIO(data))
PY
	run timeout 30 "$BURROW" cp - r1:/tmp <"$T/evil.tar"
	is "$status" 125
	"$BURROW" rm -f r1 >/dev/null
}

@test "cp: a copy over an earlier one replaces each entry, writing through none (a hard link, a symlink, a directory there); directory modes; large and sparse files whole" {
	start_sleeper ow
	# what the copy finds in its way: the first file a hard link to /keep
	# (a create that is not O_EXCL would write /keep), a symlink to it,
	# a directory
	run_burrow 0 exec ow sh -c 'mkdir -p /t/d/e/sub /t/d/fresh; echo keep >/keep; ln /keep /t/d/a
		echo b >/t/d/b; ln -s /keep /t/d/c; echo y >/t/d/e/sub/y'
	mkdir -p "$T/d/sg" "$T/d/fresh/sub"
	for n in a b c e; do echo "new $n" >"$T/d/$n"; done
	echo f >"$T/d/fresh/sub/f"
	# written in runs of 1 MB: more than one run, an odd size, and a hole
	head -c 3300001 /dev/urandom >"$T/d/big"
	head -c 5000 /dev/urandom >"$T/d/sparse"
	truncate -s 3000000 "$T/d/sparse"
	head -c 7000 /dev/urandom >>"$T/d/sparse"
	chmod 0750 "$T/d"
	chmod 2751 "$T/d/sg"
	chmod 0700 "$T/d/fresh/sub"
	run_burrow 0 cp "$T/d" ow:/t/
	run_burrow 0 exec ow sh -c 'cat /keep; for n in a b c e; do cat /t/d/$n; done; stat -c "%a %u:%g" /t/d /t/d/sg /t/d/fresh/sub; cat /t/d/fresh/sub/f
		md5sum /t/d/big /t/d/sparse'
	is "$output" "keep
new a
new b
new c
new e
750 0:0
2751 0:0
700 0:0
f
$(cd "$T" && md5sum d/big d/sparse | sed 's| d/| /t/d/|')"
	# a second copy over the first: the same again
	echo "newer a" >"$T/d/a"
	run_burrow 0 cp "$T/d" ow:/t/
	run_burrow 0 exec ow sh -c 'cat /keep /t/d/a /t/d/fresh/sub/f; stat -c "%a" /t/d /t/d/sg'
	is "$output" "keep
newer a
f
750
2751"
	# a tar with holes (GNU tar's sparse entries): each run of data at its
	# offset, the holes left as they are
	mkdir "$T/sp"
	cp --sparse=always "$T/d/sparse" "$T/sp/holes"
	tar -S -C "$T/sp" -cf "$T/sparse.tar" holes
	timeout 30 "$BURROW" cp - ow:/t <"$T/sparse.tar"
	run_burrow 0 exec ow md5sum /t/holes
	is "$output" "$(cd "$T/sp" && md5sum holes | sed 's| holes| /t/holes|')"
	"$BURROW" rm -f ow >/dev/null
}

@test "cp: symlinks to host paths and .. stay inside the container" {
	# links the container makes: to the host's sentinel dir, to its file,
	# and up and out with ..
	run_burrow 0 run --name h1 busybox sh -c "
		ln -s $OUTSIDE /evildir
		ln -s $OUTSIDE/victim /evilfile
		ln -s ../../../../../../../../../../$OUTSIDE /updir"
	echo pwned >"$T/payload"
	# cp in through the links: resolved inside the container, where they
	# lead nowhere (refused) or are replaced; ".." stops at its root
	run_burrow 125 cp "$T/payload" h1:/evildir/
	assert_match "$output" "must exist"
	run_burrow 125 cp "$T/payload" h1:/evildir/victim
	run_burrow 125 cp "$T/payload" h1:/updir/victim
	run_burrow 0 cp "$T/payload" h1:/evilfile
	run_burrow 0 cp "$T/payload" h1:/../../../../../../../tmp/up
	# a directory's content (DIR/.) onto the link: the link is no
	# directory of the container's
	mkdir "$T/srcdir"
	echo pwned >"$T/srcdir/new"
	run_burrow 125 cp "$T/srcdir/." h1:/evildir
	assert_match "$output" "cannot open '/evildir' on container 'h1'"
	assert_outside_untouched
	# cp out through them never reads the host's file
	run_burrow 125 cp h1:/evildir/victim "$T/got1"
	[ ! -e "$T/got1" ]
	run_burrow 125 cp "h1:/../../../../../../..$OUTSIDE/victim" "$T/got2"
	[ ! -e "$T/got2" ]
	# the link itself (a symlink to a missing target inside) cannot be read either
	run_burrow 0 cp h1:/evilfile "$T/got3"
	is "$(cat "$T/got3")" pwned "evilfile was the container's own file (written above)"
	assert_outside_untouched
	run_burrow 0 cp h1:/tmp/up "$T/got4"
	is "$(cat "$T/got4")" pwned
	run_burrow 0 diff h1
	assert_match "$output" "A /evildir"
	assert_match "$output" "A /tmp/up"
	# a source that ends in .. is that directory's content (it has no
	# name of its own to keep), as PATH/. is
	run_burrow 0 cp h1:/tmp/.. "$T/parent"
	is "$(cat "$T/parent/tmp/up")" pwned
	[ ! -e "$T/parent/up" ]
}

@test "cp: links out below a copied directory stay links both ways; a tar stream writes neither through nor to them" {
	run_burrow 0 run --name h2 busybox sh -c "
		mkdir -p /d/sub; echo mine >/d/sub/f
		ln -s $OUTSIDE /d/evildir; ln -s $OUTSIDE/victim /d/sub/evilfile; ln -s ../../../../../../..$OUTSIDE /d/up"
	# out: the directory's links arrive as links, the host's file is never read
	run_burrow 0 cp h2:/d "$T/got"
	is "$(readlink "$T/got/evildir")" "$OUTSIDE"
	is "$(readlink "$T/got/sub/evilfile")" "$OUTSIDE/victim"
	is "$(cat "$T/got/sub/f")" mine
	# in: a tar that names a path through a planted link, or hard-links to
	# one, is refused; a file of a planted link's name replaces the link
	python3 - "$T" <<'PY'
import io, sys, tarfile
def tar(name, *entries):
    with tarfile.open(sys.argv[1] + "/" + name, "w") as t:
        for n, kind, arg in entries:
            i = tarfile.TarInfo(n)
            if kind == "f":
                i.size = len(arg)
                t.addfile(i, io.BytesIO(arg))
            else:
                i.type, i.linkname = tarfile.LNKTYPE, arg
                t.addfile(i)
tar("through.tar", ("evildir/evil", "f", b"pwned\n"))
tar("up.tar", ("up/evil", "f", b"pwned\n"))
tar("hard.tar", ("evil-hl", "h", "evildir/victim"))
tar("replace.tar", ("sub/evilfile", "f", b"replaced\n"))
PY
	run timeout 30 "$BURROW" cp - h2:/d <"$T/through.tar"
	is "$status" 125
	assert_match "$output" "'evildir' is a symbolic link"
	run timeout 30 "$BURROW" cp - h2:/d <"$T/up.tar"
	is "$status" 125
	run timeout 30 "$BURROW" cp - h2:/d <"$T/hard.tar"
	is "$status" 125
	assert_match "$output" "'evildir' is a symbolic link"
	run timeout 30 "$BURROW" cp - h2:/d <"$T/replace.tar"
	is "$status" 0
	run_burrow 0 cp h2:/d/sub/evilfile "$T/replaced"
	is "$(cat "$T/replaced")" replaced
	assert_outside_untouched
}

@test "cp: a link swapped while cp runs never lets it write or read outside" {
	"$BURROW" run -d --name sw busybox sh -c "
		mkdir -p /tmp/real
		while :; do
			rm -rf /tmp/d; mkdir /tmp/d
			rm -rf /tmp/d; ln -s $OUTSIDE /tmp/d
		done" >/dev/null
	echo pwned >"$T/new"
	mkdir -p "$T/outs"
	for i in $(seq 30); do
		timeout 30 "$BURROW" cp "$T/new" sw:/tmp/d/ >/dev/null 2>&1 || true
		timeout 30 "$BURROW" cp "$T/new" sw:/tmp/d/victim >/dev/null 2>&1 || true
		timeout 30 "$BURROW" cp sw:/tmp/d/victim "$T/outs/$i" >/dev/null 2>&1 || true
	done
	"$BURROW" rm -f sw >/dev/null
	assert_outside_untouched
	# what came out is never the host's sentinel
	run grep -rl orig "$T/outs"
	is "$output" ""
}

@test "cp: a long copy into a running container does not hold its lock; rm -f meanwhile makes it fail cleanly" {
	start_sleeper long
	local id
	id=$("$BURROW" ps -q --no-trunc)
	mkdir -p "$T/tree" && echo copied >"$T/tree/late"
	tar -C "$T/tree" -cf "$T/late.tar" late
	mkfifo "$T/fifo"
	"$BURROW" cp - long:/tmp <"$T/fifo" >"$T/cp.out" 2>&1 &
	local cp=$!
	local w
	exec {w}>"$T/fifo" # its standard input: open, nothing in it yet
	# until cp has the container's root open (and is reading stdin)
	local open=
	for _ in $(seq 200); do
		if "$BURROW" unshare sh -c "ls -l /proc/$cp/fd/ 2>/dev/null" | grep -q "/merged"; then
			open=1
			break
		fi
		sleep 0.05
	done
	[ -n "$open" ]
	# not blocked on the container's lock for the copy's time
	BURROW_TIMEOUT=20 run_burrow 0 rm -f -t 0 long
	[ ! -e "$XDG_DATA_HOME/burrow/containers/$id" ]
	# the copy goes on into a container that is gone: it fails, writes nothing
	cat "$T/late.tar" >&"$w"
	exec {w}>&-
	local rc=0
	wait "$cp" || rc=$?
	is "$rc" 125 "cp into a removed container: $(cat "$T/cp.out")"
	is "$(wc -l <"$T/cp.out")" 1 "one line: $(cat "$T/cp.out")"
	run find "$T" -name late -not -path "$T/tree/*"
	is "$output" ""
	assert_outside_untouched
	wait "$mon" || true
}

@test "cp: a destination that refuses the copy is what the error names, not the broken pipe the archive writer is left with" {
	run_burrow 0 create --name c1 busybox true
	mkdir -p "$T/src" "$T/ro"
	# more than a pipe holds: the writer is still writing when the reader gives up
	head -c 2097152 /dev/zero >"$T/src/big"
	run_burrow 0 cp "$T/src" c1:/big
	# read-only in burrow's namespace, where cp writes
	ns sh -c "mount --bind '$T/ro' '$T/ro' && mount -o remount,bind,ro '$T/ro'"
	run_burrow 125 cp c1:/big "$T/ro/"
	ns umount "$T/ro"
	assert_match "$output" "Read-only file system"
	assert_no_match "$output" "Broken pipe"
	is "$(ls -A "$T/ro")" "" "what the refused copy left"
}

@test "cp: through a named volume and a bind mount, stopped and running" {
	mkdir -p "$T/bind" "$T/back"
	echo in >"$T/in"
	echo bound >"$T/bfile"
	run_burrow 0 create --name cv -v vol1:/data -v "$T/bind:/bind" -v "$T/bfile:/etc/bfile" busybox sleep 60
	# stopped (never started): into the volume's and the bind's own
	# directories, not the rootfs under them
	run_burrow 0 cp "$T/in" cv:/data/
	run_burrow 0 cp "$T/in" cv:/bind/f
	is "$(cat "$T/bind/f")" in
	run_burrow 0 run --rm -v vol1:/v busybox cat /v/in
	is "$output" in
	run_burrow 0 cp cv:/data/in "$T/back/vol"
	is "$(cat "$T/back/vol")" in
	# the mount point itself keeps its name; /. is its content
	run_burrow 0 cp cv:/bind "$T/back/"
	is "$(cat "$T/back/bind/f")" in
	run_burrow 0 cp cv:/data/. "$T/back/content"
	is "$(cat "$T/back/content/in")" in
	# a bound file: read as itself, under its mount point's name; never
	# replaced (the mount would keep the old one)
	run_burrow 0 cp cv:/etc/bfile "$T/back/"
	is "$(cat "$T/back/bfile")" bound
	run_burrow 125 cp "$T/in" cv:/etc/bfile
	assert_match "$output" "a file is bind-mounted there"
	is "$(cat "$T/bfile")" bound
	# running: both ways, seen by the container at once
	run_burrow 0 start cv
	wait_state cv "^Up"
	run_burrow 0 cp "$T/in" cv:/data/live
	run_burrow 0 exec cv cat /data/live
	is "$output" in
	run_burrow 0 cp "$T/in" cv:/bind/
	run_burrow 0 exec cv cat /bind/in
	is "$output" in
	run_burrow 0 exec cv sh -c 'echo made-inside >/data/inside; echo bound-inside >/bind/inside'
	run_burrow 0 cp cv:/data/inside "$T/back/"
	is "$(cat "$T/back/inside")" made-inside
	run_burrow 0 cp cv:/bind/../bind/inside "$T/back/b"
	is "$(cat "$T/back/b")" bound-inside
	run_burrow 0 rm -f cv
}

@test "cp: a mount inside another's destination takes the paths below it, the outer one the rest" {
	mkdir -p "$T/sub"
	echo in >"$T/in"
	run_burrow 0 create --name cn -v nvol:/data -v "$T/sub:/data/sub" busybox true
	run_burrow 0 cp "$T/in" cn:/data/sub/f
	is "$(cat "$T/sub/f")" in "the copy through the inner bind"
	run_burrow 0 cp "$T/in" cn:/data/g
	is "$(ls -A "$T/sub")" f "the bind has only its own"
	run_burrow 0 run --rm -v nvol:/v busybox ls -A /v
	is "$output" g "the volume has only its own"
	run_burrow 0 cp cn:/data/sub/f "$T/back"
	is "$(cat "$T/back")" in
}

@test "cp: a read-only mount (and :O's lower directory) refuses a copy into it; a stopped container's tmpfs has nothing to copy" {
	mkdir -p "$T/robind" "$T/lower"
	echo ro >"$T/robind/f"
	echo new >"$T/in"
	run_burrow 0 create --name cr -v "$T/robind:/ro:ro" --mount type=volume,src=rovol,dst=/rov,ro=true \
		-v "$T/lower:/ov:O" --tmpfs /scratch busybox true
	run_burrow 125 cp "$T/in" cr:/ro/
	assert_match "$output" "read-only mount '/ro'"
	run_burrow 125 cp "$T/in" cr:/rov/x
	assert_match "$output" "read-only mount '/rov'"
	is "$(ls -A "$T/robind")" f "what the refused copy left"
	# :O's host directory is the lower layer of an overlay: never written
	run_burrow 125 cp "$T/in" cr:/ov/
	assert_match "$output" "read-only mount '/ov'"
	is "$(ls -A "$T/lower")" "" "what the refused copy left in the lower directory"
	# reading from it is fine
	run_burrow 0 cp cr:/ro/f "$T/got"
	is "$(cat "$T/got")" ro
	run_burrow 125 cp cr:/scratch/x "$T/got2"
	assert_match "$output" "tmpfs mount '/scratch'.*not running: there is nothing to copy"
	run_burrow 125 cp "$T/in" cr:/scratch/
	assert_match "$output" "nothing to copy"
}

@test "cp: a link inside a volume that points out is resolved inside the volume, never followed out; a rootfs link to the mount point leads in" {
	# links the container makes in its volume: to the host's sentinel dir,
	# to its file, to /, and up with ..
	run_burrow 0 run --name hv -v hvol:/data busybox sh -c "
		ln -s $OUTSIDE /data/evildir
		ln -s $OUTSIDE/victim /data/evilfile
		ln -s ../../../../../../../../../../$OUTSIDE /data/updir
		ln -s / /data/root
		ln -s /data /datalink"
	echo pwned >"$T/payload"
	run_burrow 125 cp "$T/payload" hv:/data/evildir/
	assert_match "$output" "must exist"
	run_burrow 125 cp "$T/payload" hv:/data/updir/victim
	run_burrow 125 cp "$T/payload" hv:/data/../data/evildir/victim
	# a link to / is the volume's own root
	run_burrow 0 cp "$T/payload" hv:/data/root/viaroot
	run_burrow 0 run --rm -v hvol:/v busybox cat /v/viaroot
	is "$output" pwned
	run_burrow 0 cp "$T/payload" hv:/data/evilfile
	assert_outside_untouched
	# a link of the rootfs to the mount point leads into the volume
	run_burrow 0 cp "$T/payload" hv:/datalink/vialink
	run_burrow 0 run --rm -v hvol:/v busybox cat /v/vialink
	is "$output" pwned
	run_burrow 125 cp hv:/data/evildir/victim "$T/got1"
	[ ! -e "$T/got1" ]
	run_burrow 125 cp hv:/data/updir/victim "$T/got2"
	[ ! -e "$T/got2" ]
	# the volume as a whole: its links stay links
	run_burrow 0 cp hv:/data "$T/whole"
	is "$(readlink "$T/whole/evildir")" "$OUTSIDE"
	assert_outside_untouched
}

# both_ways CTR DIR: $T/in copied into DIR of the running CTR is what its
# processes read there, and what they make there comes out.
both_ways() {
	run_burrow 0 cp "$T/in" "$1:$2/"
	run_burrow 0 exec "$1" cat "$2/in"
	is "$output" in "copied into $2"
	run_burrow 0 exec "$1" sh -c "echo made-in-$2 >$2/made"
	run_burrow 0 cp "$1:$2/made" "$T/back/made"
	is "$(cat "$T/back/made")" "made-in-$2" "copied out of $2"
}

@test "cp: into and out of a running container's --tmpfs, --mount type=tmpfs, tmpfs volume and --read-only's /tmp; a read-only one refuses, a stopped one has nothing" {
	echo in >"$T/in"
	mkdir -p "$T/back"
	run_burrow 0 volume create --opt type=tmpfs --opt device=tmpfs tvol
	run_burrow 0 run -d --name ct --tmpfs /scratch --mount type=tmpfs,dst=/mnt/t --tmpfs /rot:ro \
		-v tvol:/tv busybox sleep 600
	wait_state ct "^Up"
	local d
	for d in /scratch /mnt/t /tv; do
		both_ways ct "$d"
	done
	run_burrow 0 cp "$T/in" ct:/scratch/../scratch/renamed
	run_burrow 0 exec ct cat /scratch/renamed
	is "$output" in
	# the mount point as a whole, and its content
	run_burrow 0 exec ct sh -c 'mkdir /scratch/sub; echo deep >/scratch/sub/f'
	run_burrow 0 cp ct:/scratch "$T/back/"
	is "$(cat "$T/back/scratch/sub/f")" deep
	run_burrow 0 cp ct:/scratch/. "$T/back/content"
	is "$(cat "$T/back/content/in")" in
	# never into the rootfs under the tmpfs: the container sees nothing
	# there once it is stopped
	run_burrow 125 cp "$T/in" ct:/rot/
	assert_match "$output" "read-only mount '/rot'"
	run_burrow 0 exec ct ls -A /rot
	is "$output" ""
	run_burrow 0 stop -t 0 ct
	run_burrow 125 cp ct:/scratch/in "$T/back/after"
	assert_match "$output" "tmpfs mount '/scratch'.*not running: there is nothing to copy"
	run_burrow 125 cp "$T/in" ct:/tv/
	assert_match "$output" "tmpfs volume mount '/tv'.*not running"
	run_burrow 0 diff ct
	assert_no_match "$output" "/in"
	run_burrow 0 rm ct
	# --read-only's writable /tmp, /var/tmp and /run are tmpfs mounts too
	run_burrow 0 run -d --name cro --read-only busybox sleep 600
	wait_state cro "^Up"
	both_ways cro /tmp
	both_ways cro /run
	run_burrow 0 rm -f -t 0 cro
	# a tmpfs of a container's own user namespace that has no ID for
	# burrow's root (--userns=auto) takes none of its files: refused, said
	# why; reading it works
	if many_ids; then
		run_burrow 0 run -d --name cau --userns=auto --tmpfs /x busybox sleep 600
		wait_state cau "^Up"
		run_burrow 0 exec cau sh -c 'echo mine >/x/m'
		run_burrow 125 cp "$T/in" cau:/x/
		assert_match "$output" "takes only the IDs of the container's own user namespace"
		run_burrow 0 cp cau:/x/m "$T/back/cau"
		is "$(cat "$T/back/cau")" mine
		run_burrow 0 rm -f -t 0 cau
		# the same when only its group map (or only its user map) has an ID
		# for burrow's root: a file needs both; with both it is copied
		local maps='--uidmap 0:1:2000 --gidmap 0:1:2000'
		run_burrow 0 run -d --name cu $maps --uidmap 2000:0:1 --tmpfs /x busybox sleep 600
		run_burrow 0 run -d --name cg $maps --gidmap 2000:0:1 --tmpfs /x busybox sleep 600
		run_burrow 0 run -d --name cb $maps --uidmap 2000:0:1 --gidmap 2000:0:1 --tmpfs /x busybox sleep 600
		for c in cu cg; do
			wait_state $c "^Up"
			run_burrow 125 cp "$T/in" $c:/x/
			assert_match "$output" "takes only the IDs of the container's own user namespace" "$c"
		done
		wait_state cb "^Up"
		run_burrow 0 cp "$T/in" cb:/x/
		run_burrow 0 exec cb stat -c %u:%g /x/in
		is "$output" "0:0" "its user's, as any copy in"
		run_burrow 0 rm -f -t 0 cu cg cb
	fi
}

@test "cp: a running container's /dev/shm, generated /etc files, /run/.containerenv, --tz's /etc/localtime and secrets are the ones it sees; a secret refuses a copy" {
	echo in >"$T/in"
	echo s3cret >"$T/s.txt"
	mkdir -p "$T/back"
	run_burrow 0 secret create cps "$T/s.txt"
	run_burrow 0 run -d --name ci --hostname cphost --dns 10.9.8.7 --secret cps --tz Asia/Tokyo busybox sleep 600
	wait_state ci "^Up"
	local f
	for f in /etc/hosts /etc/resolv.conf /etc/hostname /run/.containerenv; do
		run_burrow 0 cp "ci:$f" "$T/back/got"
		run_burrow 0 exec ci cat "$f"
		is "$(cat "$T/back/got")" "$output" "$f copied out"
	done
	# not the image's files under the binds
	run_burrow 0 cp ci:/etc/hosts "$T/back/hosts"
	assert_match "$(cat "$T/back/hosts")" cphost
	run_burrow 0 cp ci:/etc/resolv.conf "$T/back/resolv"
	assert_match "$(cat "$T/back/resolv")" "nameserver 10.9.8.7"
	run_burrow 0 cp ci:/etc/localtime "$T/back/localtime"
	cmp "$T/back/localtime" /usr/share/zoneinfo/Asia/Tokyo
	run_burrow 125 cp "$T/in" ci:/run/.containerenv
	assert_match "$output" "read-only mount '/run/.containerenv'"
	both_ways ci /dev/shm
	# a secret: its copy, read-only as podman mounts it
	run_burrow 0 cp ci:/run/secrets/cps "$T/back/secret"
	is "$(cat "$T/back/secret")" s3cret
	run_burrow 125 cp "$T/in" ci:/run/secrets/cps
	assert_match "$output" "read-only mount '/run/secrets/cps'"
	run_burrow 0 exec ci cat /run/secrets/cps
	is "$output" s3cret
	# a container in its IPC namespace sees the same /dev/shm; one of
	# --ipc private has the runtime's own tmpfs
	run_burrow 0 run -d --name cj --ipc container:ci busybox sleep 600
	run_burrow 0 run -d --name cpriv --ipc private busybox sleep 600
	wait_state cj "^Up"
	wait_state cpriv "^Up"
	run_burrow 0 cp cj:/dev/shm/in "$T/back/joined"
	is "$(cat "$T/back/joined")" in
	both_ways cpriv /dev/shm
	run_burrow 0 rm -f -t 0 cj cpriv ci
	# --userns=auto: the /dev/shm burrow mounts takes burrow's files; the
	# runtime's (--ipc private), in the container's own user namespace,
	# does not
	if many_ids; then
		run_burrow 0 run -d --name cau --userns=auto busybox sleep 600
		run_burrow 0 run -d --name caup --userns=auto --ipc private busybox sleep 600
		wait_state cau "^Up"
		wait_state caup "^Up"
		run_burrow 0 cp "$T/in" cau:/dev/shm/
		run_burrow 0 exec cau cat /dev/shm/in
		is "$output" in
		run_burrow 125 cp "$T/in" caup:/dev/shm/
		assert_match "$output" "takes only the IDs of the container's own user namespace"
		run_burrow 0 rm -f -t 0 cau caup
	fi
}

@test "cp: a running container's --init binary and the /etc/passwd, /etc/group that keep-id adds its entries to are the ones it sees; the binary refuses a copy" {
	echo in >"$T/in"
	mkdir -p "$T/back"
	# an image that knows no user of the host's, root's neither: keep-id
	# adds the entries, in files of burrow's bound over the image's
	image_plus nousers "f('etc/passwd', 'nobody:x:65534:65534::/:/bin/sh\\n'); f('etc/group', 'nogroup:x:65534:\\n')"
	run_burrow 0 run -d --name cpe --init --userns=keep-id --passwd-entry 'cpuser:x:$UID:$GID::/tmp:/bin/sh' \
		nousers sleep 600
	wait_state cpe "^Up"
	local f
	for f in /etc/passwd /etc/group; do
		run_burrow 0 cp "cpe:$f" "$T/back/got"
		run_burrow 0 exec cpe cat "$f"
		is "$(cat "$T/back/got")" "$output" "$f copied out"
	done
	assert_match "$(tail -1 "$T/back/got")" "^[^:]*:x:$(id -g):" "the generated /etc/group, not the image's"
	run_burrow 0 cp cpe:/etc/passwd "$T/back/passwd"
	is "$(tail -1 "$T/back/passwd")" "cpuser:x:$(id -u):$(id -g)::/tmp:/bin/sh" "the generated /etc/passwd, not the image's"
	run_burrow 125 cp "$T/in" cpe:/etc/passwd
	assert_match "$output" "a file is bind-mounted there"
	run_burrow 0 cp cpe:/run/podman-init "$T/back/init"
	run_burrow 0 exec cpe md5sum /run/podman-init
	is "$(md5sum <"$T/back/init" | cut -d' ' -f1)" "${output%% *}" "the --init binary copied out"
	[ -s "$T/back/init" ]
	run_burrow 125 cp "$T/in" cpe:/run/podman-init
	assert_match "$output" "read-only mount '/run/podman-init'"
	run_burrow 0 rm -f -t 0 cpe
}

@test "cp: into a running container's :O mount lands in its overlay, never in the host directory; stopped, that directory is read, not written" {
	mkdir -p "$T/low" "$T/back"
	echo lower >"$T/low/l"
	echo in >"$T/in"
	run_burrow 0 run -d --name co -v "$T/low:/o:O" busybox sleep 600
	wait_state co "^Up"
	both_ways co /o
	run_burrow 0 exec co sh -c 'echo changed >/o/l'
	run_burrow 0 cp co:/o/l "$T/back/"
	is "$(cat "$T/back/l")" changed
	is "$(ls -A "$T/low")" l "the host directory under the overlay"
	is "$(cat "$T/low/l")" lower
	run_burrow 0 stop -t 0 co
	run_burrow 125 cp "$T/in" co:/o/
	assert_match "$output" "read-only mount '/o'"
	run_burrow 0 cp co:/o/l "$T/back/l2"
	is "$(cat "$T/back/l2")" lower
	is "$(ls -A "$T/low")" l
	run_burrow 0 rm co
}

@test "cp: links in a running container's tmpfs stay in it; one that swaps its tmpfs for a link to / or to another mount has the copy refused" {
	mkdir -p "$T/other"
	echo pwned >"$T/new"
	# links the container makes in its tmpfs: to the host's sentinel, up, to /
	run_burrow 0 run -d --name cl --tmpfs /x busybox sh -c "
		ln -s $OUTSIDE /x/evildir
		ln -s ../../../../../../$OUTSIDE /x/updir
		ln -s / /x/root
		exec sleep 600"
	wait_state cl "^Up"
	run_burrow 125 cp "$T/new" cl:/x/evildir/
	assert_match "$output" "must exist"
	run_burrow 125 cp "$T/new" cl:/x/updir/victim
	run_burrow 0 cp "$T/new" cl:/x/root/viaroot
	run_burrow 0 exec cl cat /x/viaroot
	is "$output" pwned "a link to / is the tmpfs's own root"
	run_burrow 125 cp cl:/x/evildir/victim "$T/got"
	[ ! -e "$T/got" ]
	run_burrow 0 rm -f -t 0 cl
	assert_outside_untouched
	# a privileged container can unmount its tmpfs and put a link in its
	# place: to its root, to a bind of the host's, below another tmpfs
	run_burrow 0 run -d --name cs --privileged --tmpfs /x --tmpfs /y -v "$T/other:/other" busybox sh -c '
		mkdir /y/sub
		while :; do
			umount -l /x; rm -rf /x; ln -s / /x
			rm /x; ln -s /other /x
			rm /x; ln -s /y/sub /x
			rm /x; mkdir /x; mount -t tmpfs tmpfs /x
		done'
	wait_state cs "^Up"
	local i ok=0
	for i in $(seq 40); do
		timeout 30 "$BURROW" cp "$T/new" cs:/x/ >/dev/null 2>&1 && ok=$((ok + 1))
		timeout 30 "$BURROW" cp "$T/new" cs:/x/named >/dev/null 2>&1 && ok=$((ok + 1))
	done
	echo "copies that found the tmpfs: $ok of 80"
	is "$(ls -A "$T/other")" "" "what cp wrote into the other mount"
	run_burrow 0 exec cs ls -A /y/sub
	is "$output" "" "what cp wrote below the other tmpfs"
	run_burrow 0 diff cs
	assert_no_match "$output" "new|named"
	run_burrow 0 rm -f -t 0 cs
	assert_outside_untouched
}

@test "cp: a running container that puts a symlink in place of its bind's host directory cannot send a copy there" {
	# /sub's host directory lies in /shared's: the container can replace it
	mkdir -p "$T/shared/sub" "$T/shared/file.d"
	echo bound >"$T/shared/file.d/victim"
	run_burrow 0 run -d --name bs -v "$T/shared:/shared" -v "$T/shared/sub:/sub" \
		-v "$T/shared/file.d/victim:/etc/bf" busybox sleep 300
	wait_state bs "^Up"
	echo pwned >"$T/payload"
	# untouched, both ways work
	run_burrow 0 cp "$T/payload" bs:/sub/
	run_burrow 0 cp bs:/etc/bf "$T/bf1"
	is "$(cat "$T/bf1")" bound
	run_burrow 0 exec bs sh -c "rm -rf /shared/sub && ln -s $OUTSIDE /shared/sub &&
		rm -rf /shared/file.d && ln -s $OUTSIDE /shared/file.d"
	run_burrow 125 cp "$T/payload" bs:/sub/
	assert_match "$output" "not what container 'bs' has mounted at '/sub'"
	run_burrow 125 cp bs:/sub/victim "$T/got"
	[ ! -e "$T/got" ]
	# a bound file: the host path names the sentinel's file now, not the
	# one mounted
	run_burrow 125 cp bs:/etc/bf "$T/bf2"
	assert_match "$output" "not what container 'bs' has mounted at '/etc/bf'"
	[ ! -e "$T/bf2" ]
	assert_outside_untouched
	run_burrow 0 rm -f -t 0 bs
}

@test "cp: a container that mounts a bind of its own over one of its binds does not change where the copy goes: the host directory bound at its start" {
	# its init moves into a user and mount namespace of its own (nesting
	# is allowed) and binds its read-only /ro over /sub there
	mkdir -p "$T/shared/sub" "$T/ro"
	echo kept >"$T/ro/victim"
	run_burrow 0 run -d --name nest -v "$T/shared:/shared" -v "$T/shared/sub:/sub" -v "$T/ro:/ro:ro" \
		busybox busybox unshare -r -m sh -c 'busybox mount --bind /ro /sub && echo bound && exec sleep 300'
	wait_logs nest '^bound$' 60
	echo pwned >"$T/payload"
	run_burrow 0 cp "$T/payload" nest:/sub/
	is "$(cat "$T/shared/sub/payload")" pwned "the copy is in the directory bound at the start"
	is "$(ls -A "$T/ro")" victim "nothing written into what the container shows at /sub"
	# the host directory moved away (through /shared: removed, the mounts
	# on it would go), a link to /ro's in its place: refused both ways
	mv "$T/shared/sub" "$T/shared/old"
	ln -s "$T/ro" "$T/shared/sub"
	run_burrow 125 cp "$T/payload" nest:/sub/
	assert_match "$output" "not what container 'nest' has mounted at '/sub'"
	[ ! -e "$T/ro/payload" ]
	run_burrow 125 cp nest:/sub/victim "$T/got"
	[ ! -e "$T/got" ]
	run_burrow 0 rm -f -t 0 nest
}

@test "cp: a container that swaps its bind's host directory for a link and mounts, in a namespace of its own, what the link leads to gets no copy through it" {
	# /sub's host directory lies in /shared's. The container puts a link
	# to /shared/other in its place and binds /shared/other over /sub in
	# its init's own namespaces: what it shows at /sub is then what the
	# host path leads to
	mkdir -p "$T/shared/sub" "$T/shared/other"
	echo kept >"$T/shared/other/victim"
	run_burrow 0 run -d --name forge -v "$T/shared:/shared" -v "$T/shared/sub:/sub" \
		busybox busybox unshare -r -m sh -c 'mv /shared/sub /shared/old && ln -s other /shared/sub &&
			busybox mount --bind /shared/other /sub && echo forged && exec sleep 300'
	wait_logs forge '^forged$' 60
	[ -L "$T/shared/sub" ]
	echo pwned >"$T/payload"
	run_burrow 125 cp "$T/payload" forge:/sub/
	assert_match "$output" "not what container 'forge' has mounted at '/sub': it was replaced since the container started"
	is "$(ls -A "$T/shared/other")" victim "what cp wrote where the link leads"
	run_burrow 125 cp forge:/sub/victim "$T/got"
	[ ! -e "$T/got" ]
	run_burrow 0 rm -f -t 0 forge
}

@test "cp: a type=bind volume's host directory swapped for a link by a container that has its parent bound gets no copy through it" {
	# the volume's device lies in /shared's host directory: the container
	# moves it away and puts a link to a directory it has not got in its
	# place; cp must not follow the device path there
	swapping_container swapvol bindvol
	echo pwned >"$T/payload"
	run_burrow 125 cp "$T/payload" swapvol:/v/
	assert_match "$output" "'$T/shared/dev' is not what container 'swapvol' has mounted at '/v': it was replaced since the container started"
	is "$(ls -A "$T/other")" victim "what cp wrote where the link leads"
	run_burrow 125 cp swapvol:/v/victim "$T/got"
	[ ! -e "$T/got" ]
	run_burrow 0 rm -f -t 0 swapvol
	# a container started with the volume as it is now has that mounted
	run_burrow 0 run -d --name keptvol -v bindvol:/v busybox sleep 300
	run_burrow 0 cp "$T/payload" keptvol:/v/
	is "$(cat "$T/other/payload")" pwned
	run_burrow 0 rm -f -t 0 keptvol
}

@test "cp: a container path longer than the kernel takes is refused before it is walked, at either end" {
	run_burrow 0 create --name longp busybox true
	# with '..', a path is walked a part at a time: 64k parts took hours
	local long
	long=/$(printf 'a/%.0s' $(seq 2100))../x
	run_burrow 125 cp "longp:$long" "$T/out"
	is "$output" "burrow: the path on container 'longp' is 4205 bytes long: a path has at most 4095"
	[ ! -e "$T/out" ]
	echo x >"$T/in"
	run_burrow 125 cp "$T/in" "longp:$long"
	is "$output" "burrow: the path on container 'longp' is 4205 bytes long: a path has at most 4095"
	run_burrow 0 rm longp
}

@test "cp: a '..' out of a mount point leads back to the rootfs, as the kernel takes it" {
	# the volume has an etc/passwd of its own, to be told from the rootfs's
	run_burrow 0 run --name dd -v ddvol:/data busybox sh -c '
		ln -s /data /datalink; mkdir /data/etc; echo volume >/data/etc/passwd'
	run_burrow 0 cp dd:/data/../etc/passwd "$T/p1"
	assert_match "$(head -1 "$T/p1")" "^root:"
	run_burrow 0 cp dd:/datalink/../etc/passwd "$T/p2"
	assert_match "$(head -1 "$T/p2")" "^root:"
	# back into the mount after leaving it: the volume's
	run_burrow 0 cp dd:/data/../data/etc/passwd "$T/p3"
	is "$(cat "$T/p3")" volume
	echo new >"$T/in"
	run_burrow 0 cp "$T/in" dd:/data/../etc/added
	run_burrow 0 cp dd:/etc/added "$T/p4"
	is "$(cat "$T/p4")" new
	run_burrow 0 run --rm -v ddvol:/v busybox ls /v/etc
	is "$output" passwd "the copy went into the volume"
}

@test "cp: a '..' after a symlink of the rootfs goes up from where the link leads, as the kernel takes it, not to a mount of the same name" {
	image_plus dotimg 'd("a"); d("a/b"); d("a/b/c"); d("a/data"); f("a/data/f", "rootfs\n");
l("l", "/a/b/c"); l("a/b/c/rel", "../../b/c"); l("loop", "loop")'
	run_burrow 0 run --name dot -v dotvol:/data dotimg sh -c 'echo volume >/data/f'
	# /l/.. is /a/b, /l/../.. is /a: the rootfs's /a/data, not the volume
	run_burrow 0 cp dot:/l/../../data/f "$T/got"
	is "$(cat "$T/got")" rootfs
	run_burrow 0 cp dot:/a/b/c/rel/../../data/f "$T/got2"
	is "$(cat "$T/got2")" rootfs "a relative link, then '..'"
	run_burrow 0 cp dot:/data/f "$T/got3"
	is "$(cat "$T/got3")" volume "the volume by its own name"
	echo in >"$T/in"
	run_burrow 0 cp "$T/in" dot:/l/../../data/
	run_burrow 0 cp dot:/a/data/in "$T/back"
	is "$(cat "$T/back")" in
	run_burrow 0 run --rm -v dotvol:/v busybox ls /v
	is "$output" f "nothing copied into the volume"
	run_burrow 125 cp dot:/loop/../data/f "$T/got4"
	assert_match "$output" "too many levels of symbolic links"
	[ ! -e "$T/got4" ]
}

@test "cp: a '..' walk through a container's links looks each part up from a level kept open nearby, never from the root: the work per part does not grow with the depth" {
	# 12 links, each back to a directory 200 levels deep, then '..': the
	# walk takes 200 parts per link. Looked up from the root, a part cost
	# the depth so far (about 100 lookups: minutes with a deeper tree);
	# from the nearest kept level (every 32nd), at most 33. (Deeper and
	# more links made the final open, the kernel's own walk of ~23,000
	# parts through FUSE, retry on every rename anywhere on a busy
	# machine until it gave up with EAGAIN.)
	local deep
	deep=$(printf '/d%.0s' $(seq 200))
	run_burrow 0 run --name deepl busybox sh -c "mkdir -p $deep && echo deep >$deep/f && ln -s $deep $deep/L"
	run_burrow 0 --log-level=debug cp "deepl:$deep$(printf '/L%.0s' $(seq 12))/../d/f" "$T/deep"
	is "$(cat "$T/deep")" deep
	local walk parts lookups
	walk=$(printf '%s\n' "$output" | grep -o "cp: walked '[^']*': [0-9]* parts, [0-9]* lookups")
	parts=$(echo "$walk" | sed 's/.*: \([0-9]*\) parts, .*/\1/')
	lookups=$(echo "$walk" | sed 's/.* parts, \([0-9]*\) lookups/\1/')
	[ "$parts" -ge $((12 * 200)) ] || { echo "walked $parts parts: the links were not followed" >&2; false; }
	[ "$lookups" -le $((parts * 40)) ] || { echo "$lookups lookups for $parts parts" >&2; false; }
	run_burrow 0 rm deepl
}

@test "export and cp out keep an image's hard links (fuse-overlayfs counts a lower file's names only as they are looked up)" {
	image_plus img 'd("data"); f("data/a", "hl\n"); d("data/sub"); h("data/sub/b", "data/a")'
	run_burrow 0 create --name hx img true
	run_burrow 0 export -o "$T/hx.tar" hx
	run tar -tvf "$T/hx.tar" data/a data/sub/b
	assert_match "$output" "data/sub/b link to data/a"
	mkdir "$T/out"
	run_burrow 0 cp hx:/data "$T/out/"
	is "$(stat -c '%h %i' "$T/out/data/a")" "$(stat -c '%h %i' "$T/out/data/sub/b")" "one file, two names"
	is "$(cat "$T/out/data/sub/b")" hl
}

@test "export: the merged filesystem as a tar that import reads back; diff A/C/D" {
	run_burrow 0 run --name ex busybox sh -c 'echo added >/added; echo changed >>/etc/passwd; rm /bin/ls'
	run_burrow 0 diff ex
	# what the runtime made is left out, as podman's diff does
	assert_no_match "$output" "/etc/hosts|/etc/mtab|/etc/resolv.conf|/etc/hostname"
	assert_match "$output" "A /added"
	assert_match "$output" "C /etc"
	assert_match "$output" "C /etc/passwd"
	assert_match "$output" "D /bin/ls"
	run_burrow 0 container diff --format json ex
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert "/added" in d["added"], d
assert "/etc/passwd" in d["changed"], d
assert "/bin/ls" in d["deleted"], d
' "$output"
	run_burrow 125 diff --format table ex
	run_burrow 0 export -o "$T/ex.tar" ex
	tar -tf "$T/ex.tar" | sort >"$T/list1"
	grep -qx added "$T/list1"
	run ! grep -qx bin/ls "$T/list1"
	run_burrow 0 import "$T/ex.tar" exported
	run_burrow 0 run --rm exported cat /added
	is "$output" added
	run_burrow 0 run --name ex2 exported true
	run_burrow 0 container export ex2 
	timeout 30 "$BURROW" export ex2 >"$T/ex2.tar"
	tar -tf "$T/ex2.tar" | sort >"$T/list2"
	run diff "$T/list1" "$T/list2"
	is "$output" "" "the round trip changed the file list"
	is "$(tar -xOf "$T/ex2.tar" etc/passwd | md5sum)" "$(tar -xOf "$T/ex.tar" etc/passwd | md5sum)"
}

# tar_members TAR: each member's name, type, mode, owner, link, size,
# mtime, xattrs and content digest, one a line (what export must keep; a
# pax header's atime and ctime are the reads', left out)
tar_members() {
	python3 - "$1" <<'PY'
import hashlib, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        data = t.extractfile(m).read() if m.isfile() else b""
        xattrs = sorted((k, v) for k, v in m.pax_headers.items() if k.startswith("SCHILY.xattr."))
        print(m.name, m.type, oct(m.mode), m.uid, m.gid, m.linkname, m.size, m.mtime, xattrs,
              m.devmajor, m.devminor, hashlib.sha256(data).hexdigest())
PY
}

@test "export of a stopped container reads its layers, no mount: the same tar as its mount gives, whiteouts and opaque directories kept" {
	image_plus xdi 'd("data"); f("data/a", "hl\n"); h("data/b", "data/a"); l("data/out", "/etc/passwd"); l("data/up", "../../.."); d("keep"); f("keep/low", "low\n"); f("keep/gone", "g\n"); d("opq"); f("opq/old1", "1\n"); d("opq/oldsub"); f("opq/oldsub/x", "x\n"); d("repl"); f("repl/r1", "r\n"); f("owned", "o\n", uid=1, gid=2); f("keep/.wh.both", ""); f("keep/both", "b\n")'
	# a committed layer over it: a deletion, a directory replaced (opaque)
	run_burrow 0 run --name xd1 xdi sh -c 'rm /keep/gone; rm -rf /opq; mkdir /opq; echo new >/opq/new'
	run_burrow 0 commit xd1 xdi2
	# the container's own changes: a deleted lower file, a replaced dir,
	# one name of a hard link rewritten, a link out, a file of another owner
	run_burrow 0 run --name xd xdi2 sh -c 'rm /keep/low; rm -rf /repl; mkdir /repl; echo again >/repl/r2; echo more >>/data/a; ln -s /etc/shadow /data/out2; mkdir -p /deep/er; echo d >/deep/er/f; ln /deep/er/f /deep/f2; touch /mine; chown 5:6 /mine 2>/dev/null || true'
	# through a mount (burrow mount keeps one, export reads it) ...
	run_burrow 0 mount xd
	run_burrow 0 export -o "$T/fuse.tar" xd
	run_burrow 0 unmount xd
	# ... and straight from the layers: nothing mounted
	run_burrow 0 --log-level debug export -o "$T/direct.tar" xd
	assert_match "$output" "layer directories read directly, nothing mounted"
	assert_no_match "$output" "mounted fuse-overlayfs"
	tar_members "$T/fuse.tar" >"$T/fuse.list"
	tar_members "$T/direct.tar" >"$T/direct.list"
	run diff "$T/fuse.list" "$T/direct.list"
	is "$output" "" "the direct export differs from the mount's"
	tar -tf "$T/direct.tar" >"$T/names"
	# deleted (in the committed layer and in the container) and hidden by
	# an opaque directory: not there; what replaced them is
	for gone in keep/gone keep/low opq/old1 opq/oldsub/ opq/oldsub/x repl/r1; do
		run ! grep -qx "$gone" "$T/names"
	done
	# and a name its own layer whites out too: a whiteout hides the lower
	# layers' name only (OCI)
	for there in keep/ opq/new repl/r2 data/b deep/er/f deep/f2 owned keep/both; do
		grep -qx "$there" "$T/names"
	done
	is "$(tar -xOf "$T/direct.tar" keep/both)" b
	run ! grep -q '\.wh\.' "$T/names"
	run tar -tvf "$T/direct.tar" data/out data/up deep/f2
	assert_match "$output" "data/out -> /etc/passwd"
	assert_match "$output" "data/up -> ../../.."
	assert_match "$output" "deep/f2 link to deep/er/f"
	is "$(tar -xOf "$T/direct.tar" data/a)" "$(printf 'hl\nmore')"
	is "$(tar -xOf "$T/direct.tar" data/b)" hl
	# a running container's is read through its mount (its upper dir is live)
	run_burrow 0 run -d --name xdr xdi2 sleep 600
	run_burrow 0 --log-level debug export -o "$T/running.tar" xdr
	assert_no_match "$output" "read directly"
	tar -tf "$T/running.tar" | grep -qx opq/new
	run_burrow 0 rm -f -t 0 xdr
}

@test "export: a file gets the tar unpadded, standard output padded to whole 10240-byte records, as libarchive ends them" {
	run_burrow 0 run --name xp busybox sh -c 'head -c 300001 /dev/urandom >/big; echo s >/small'
	run_burrow 0 export -o "$T/f.tar" xp
	timeout 30 "$BURROW" export xp >"$T/s.tar"
	timeout 30 "$BURROW" export xp | cat >"$T/p.tar"
	python3 - "$T" <<'PY'
import os, sys, tarfile
d = sys.argv[1]
with tarfile.open(d + "/f.tar") as t:
    names = t.getnames()
    end = t.offset + 1024  # the entries and tar's two zero blocks
assert "big" in names and "small" in names, names
f = open(d + "/f.tar", "rb").read()
assert len(f) == end, ("a file is not padded", len(f), end)
for name in ("s.tar", "p.tar"):
    b = open(d + "/" + name, "rb").read()
    want = (end + 10239) // 10240 * 10240
    assert len(b) == want, (name, "padded to whole records", len(b), want)
    assert b[:end] == f and b[end:] == bytes(want - end), (name, "the same tar, zeros after")
PY
}

@test "mount, unmount: the merged directory, counted, usable inside burrow unshare" {
	run_burrow 0 run --name m1 busybox sh -c 'echo mine >/mine'
	run_burrow 0 mount m1
	mnt=$output
	id1=$(timeout 30 "$BURROW" inspect --format '{{.Id}}' m1)
	is "$mnt" "$XDG_RUNTIME_DIR/burrow/containers/$id1/merged"
	run_burrow 0 unshare cat "$mnt/mine"
	is "$output" mine
	run_burrow 0 unshare ls "$mnt/bin/busybox"
	# listed; a second mount is counted, one unmount leaves it mounted
	run_burrow 0 mount
	is "$output" "${id1:0:12} $mnt"
	run_burrow 0 mount --no-trunc
	is "$output" "$id1 $mnt" "mount --no-trunc: the whole ID"
	run_burrow 0 mount --no-trunc=false
	is "$output" "${id1:0:12} $mnt" "mount --no-trunc=false: the short ID"
	run_burrow 0 mount --format json
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d[0]["Names"] == ["m1"] and d[0]["Mountpoint"] == sys.argv[2], d' "$output" "$mnt"
	run_burrow 0 container mount m1
	run_burrow 0 umount m1
	run_burrow 0 unshare cat "$mnt/mine"
	run_burrow 0 unmount m1
	run_burrow 0 mount
	is "$output" ""
	run_burrow 1 unshare test -e "$mnt/mine"
	# -f drops every count; a started container keeps its rootfs while it runs
	run_burrow 0 mount m1
	run_burrow 0 mount m1
	run_burrow 0 unmount -f m1
	run_burrow 0 mount
	is "$output" ""
	start_sleeper m2
	run_burrow 0 mount m2
	mnt2=$output
	run_burrow 0 unmount m2
	run_burrow 0 unshare test -e "$mnt2/bin/busybox"
	run_burrow 0 exec m2 true
	run_burrow 0 mount m2
	run_burrow 0 unmount --all
	run_burrow 0 exec m2 true
	"$BURROW" rm -f m2 >/dev/null
	# -l: the last created container's, the others' stay mounted
	run_burrow 0 create --name m3 busybox true
	m3=${lines[-1]}
	run_burrow 0 mount m1
	run_burrow 0 mount m3
	run_burrow 0 unmount -l
	is "$output" "$m3"
	run_burrow 0 mount
	is "$output" "$(timeout 30 "$BURROW" inspect --format '{{.Id}}' m1 | cut -c1-12) $mnt"
	run_burrow 0 unmount -l=false m1
	run_burrow 0 mount
	is "$output" "" "unmount -l=false m1: m1's, as without -l"
	run_burrow 125 unmount -l m1
	assert_match "$output" "--latest and containers cannot be used together"
	run_burrow 125 mount nosuch
	run_burrow 125 unmount
}

# owners NAME...: "name uid/gid" of each of these members of tar stdin
owners() {
	python3 -c '
import sys, tarfile
t = tarfile.open(fileobj=sys.stdin.buffer, mode="r|")
want = sys.argv[1:]
got = {m.name: "%d/%d" % (m.uid, m.gid) for m in t}
print(" ".join(n + "=" + got.get(n, "missing") for n in want))' "$@"
}

@test "export of a stopped --uidmap/--gidmap container: the owners its running one's mount shows, member by member (a file chowned inside, an ID outside the map)" {
	many_ids || skip "needs subordinate IDs"
	image_plus uimg 'f("far", "f\n", uid=3000, gid=3001)'
	run_burrow 0 run -d --name ux --uidmap 0:1:2000 --gidmap 0:3:2000 uimg sleep 600
	wait_state ux "^Up"
	run_burrow 0 exec ux sh -c 'chown 7:8 /etc/passwd && touch /new'
	run_burrow 0 export -o "$T/running.tar" ux
	run_burrow 0 stop -t 0 ux
	run_burrow 0 --log-level debug export -o "$T/stopped.tar" ux
	assert_match "$output" "layer directories read directly, nothing mounted"
	tar_members "$T/running.tar" >"$T/running.list"
	tar_members "$T/stopped.tar" >"$T/stopped.list"
	run diff "$T/running.list" "$T/stopped.list"
	is "$output" "" "the stopped container's export differs from the running one's"
	# as podman's: the container's IDs as burrow's namespace sees them, an
	# ID outside the map the overflow ID
	is "$(owners bin/busybox etc/passwd new far <"$T/stopped.tar")" \
		"bin/busybox=1/3 etc/passwd=8/11 new=1/3 far=65534/65534"
	# a kept mount is read as the same view
	run_burrow 0 mount ux
	run_burrow 0 export -o "$T/mounted.tar" ux
	run_burrow 0 unmount ux
	tar_members "$T/mounted.tar" >"$T/mounted.list"
	run diff "$T/running.list" "$T/mounted.list"
	is "$output" "" "the mounted container's export differs from the running one's"
	# commit --squash: its layer keeps the owners as stored, as the image's
	# own layers do, not the mapped ones an export shows
	run_burrow 0 commit -s ux localhost/uxsq
	run_burrow 0 create --name uxs localhost/uxsq
	run_burrow 0 export -o "$T/squashed.tar" uxs
	is "$(owners bin/busybox etc/passwd new far <"$T/squashed.tar")" \
		"bin/busybox=0/0 etc/passwd=7/8 new=0/0 far=3000/3001"
	run_burrow 0 rm ux uxs
}

@test "mount of a stopped --uidmap container shows the owners a running one's does; a start over the kept mount keeps them" {
	many_ids || skip "needs subordinate IDs"
	run_burrow 0 create --name um --uidmap 0:1:2000 --gidmap 0:3:2000 busybox sleep 600
	run_burrow 0 mount um
	mnt=$output
	run_burrow 0 unshare stat -c %u:%g "$mnt/bin/busybox" "$mnt/etc"
	is "$output" "$(printf '1:3\n1:3')"
	run_burrow 0 start um
	wait_state um "^Up"
	run_burrow 0 exec um stat -c %u:%g /bin/busybox
	is "$output" "0:0" "the image's root files are its root's inside"
	run_burrow 0 exec um touch /made
	run_burrow 0 unshare stat -c %u:%g "$mnt/bin/busybox" "$mnt/made"
	is "$output" "$(printf '1:3\n1:3')"
	run_burrow 0 rm -f -t 0 um
}

@test "cp into a stopped or running --uidmap or keep-id container: its user owns the file inside; cp out: its user's IDs as burrow's namespace sees them" {
	echo in >"$T/in"
	# keep-id (also with burrow's single ID): the user's own IDs inside
	run_burrow 0 create --name uk --userns keep-id busybox sleep 600
	run_burrow 0 cp "$T/in" uk:/tmp/in
	run_burrow 0 start uk
	wait_state uk "^Up"
	run_burrow 0 exec uk stat -c %u:%g /tmp/in
	is "$output" "$(id -u):$(id -g)"
	run_burrow 0 rm -f -t 0 uk
	many_ids || return 0
	run_burrow 0 create --name uc --uidmap 0:1:2000 --gidmap 0:3:2000 busybox sleep 600
	run_burrow 0 create --name uc5 --user 5:6 --uidmap 0:1:2000 busybox sleep 600
	run_burrow 0 cp "$T/in" uc:/in
	run_burrow 0 cp "$T/in" uc5:/in
	# out, as podman's cp: its user's IDs mapped
	is "$(timeout 30 "$BURROW" cp uc:/etc/passwd - | owners passwd)" "passwd=1/3"
	is "$(timeout 30 "$BURROW" cp uc5:/etc/passwd - | owners passwd)" "passwd=6/7"
	run_burrow 0 start uc uc5
	wait_state uc "^Up"
	wait_state uc5 "^Up"
	run_burrow 0 exec uc stat -c %u:%g /in
	is "$output" "0:0"
	run_burrow 0 exec uc5 stat -c %u:%g /in
	is "$output" "5:6"
	# into a running one: the same
	run_burrow 0 cp "$T/in" uc:/in2
	run_burrow 0 exec uc stat -c %u:%g /in2
	is "$output" "0:0"
	is "$(timeout 30 "$BURROW" cp uc:/in2 - | owners in2)" "in2=1/3"
	run_burrow 0 rm -f -t 0 uc uc5
}

@test "rename: the new name starts it, the old one is gone; a taken name is refused" {
	run_burrow 0 create --name old busybox echo renamed
	run_burrow 0 create --name other busybox true
	run_burrow 0 rename old new
	run_burrow 0 start -a new
	is "$output" renamed
	run_burrow 125 start old
	run_burrow 0 ps -a --format '{{.Names}}'
	assert_match "$output" new
	assert_no_match "$output" old
	run_burrow 125 rename new other
	assert_match "$output" "already in use"
	run_burrow 125 container rename new 'bad/name'
	assert_match "$output" "invalid container name"
	run_burrow 125 rename nosuch x
	# a running one: the name stays after it ends
	start_sleeper live1
	run_burrow 0 rename live1 live2
	run_burrow 0 exec live2 true
	run_burrow 0 stop -t 0 live2
	run_burrow 0 ps -a --format '{{.Names}}'
	assert_match "$output" live2
	assert_no_match "$output" live1
	run_burrow 0 rm live2
}

@test "top: the container's processes, podman's columns" {
	"$BURROW" run -d --name t1 busybox sh -c 'sleep 1000 & sleep 1001; true' >/dev/null
	for _ in $(seq 300); do
		"$BURROW" exec t1 sh -c 'pidof sleep | grep -q " "' 2>/dev/null && break
		sleep 0.1
	done
	run_burrow 0 top t1
	assert_match "${lines[0]}" '^USER +PID +PPID +%CPU +ELAPSED +TTY +TIME +COMMAND$'
	assert_match "$output" 'root +1 +0 .* sh -c sleep 1000 & sleep 1001; true'
	assert_match "$output" 'root +[0-9]+ +1 .* sleep 1001'
	# nothing of the host's
	assert_no_match "$output" "bats"
	run_burrow 0 container top t1 pid comm %U stat
	assert_match "${lines[0]}" '^PID +COMMAND +USER +STAT$'
	assert_match "$output" '1 +sh +root +S'
	run_burrow 0 top t1 pid,args
	assert_match "${lines[0]}" '^PID +COMMAND$'
	# not a descriptor: ps(1)'s, run in the container (ctrtools.bats)
	run_burrow 125 top t1 --bogus
	assert_match "$output" "executing ps\(1\) in the container"
	"$BURROW" rm -f t1 >/dev/null
	run_burrow 0 create --name t2 busybox true
	run_burrow 125 top t2
	assert_match "$output" "running"
}

@test "diff: a file an upper layer of the image deleted (a whiteout) and the container makes again is added, not changed" {
	run_burrow 0 run --name l1 busybox sh -c 'echo old >/gone'
	run_burrow 0 commit l1 localhost/with-gone
	run_burrow 0 run --name l2 localhost/with-gone rm /gone
	run_burrow 0 commit l2 localhost/without-gone
	run_burrow 0 run --name l3 localhost/without-gone sh -c 'echo new >/gone'
	run_burrow 0 diff l3
	assert_match "$output" "A /gone"
	assert_no_match "$output" "C /gone"
	run_burrow 0 rm l1 l2 l3
	run_burrow 0 rmi localhost/without-gone localhost/with-gone
}

@test "diff: of an image without /etc, /dev, /proc ... only A /etc shows (the new directories' opacity markers are no deletions)" {
	mkdir -p "$T/bare/bin"
	cp "${BUSYBOX:-/bin/busybox}" "$T/bare/bin/busybox"
	tar -C "$T/bare" -cf "$T/bare.tar" .
	run_burrow 0 import "$T/bare.tar" localhost/bare
	run_burrow 0 run --name b1 localhost/bare /bin/busybox true
	run_burrow 0 diff b1
	# as podman 4.3's diff of the same steps (the mount points and the
	# files of the bind mounts left out)
	is "$output" "A /etc"
	run_burrow 0 rm b1
}

@test "diff: below a directory an upper layer of the image made again (opaque), a lower layer's file the container makes again is added, not changed" {
	run_burrow 0 run --name o1 busybox sh -c 'mkdir /od; echo old >/od/f; echo k >/od/k'
	run_burrow 0 commit o1 localhost/od-old
	run_burrow 0 run --name o2 localhost/od-old sh -c 'rm -rf /od; mkdir /od; echo n >/od/n'
	run_burrow 0 commit o2 localhost/od-new
	run_burrow 0 run --name o3 localhost/od-new sh -c 'echo new >/od/f; echo n2 >/od/n'
	run_burrow 0 diff o3
	# as podman 4.3's diff of the same three steps: C /od, A /od/f, C /od/n
	assert_match "$output" "C /od
A /od/f
C /od/n"
	assert_no_match "$output" "C /od/f|/od/k"
	run_burrow 0 rm o1 o2 o3
	run_burrow 0 rmi localhost/od-new localhost/od-old
}

@test "cp: -a=false leaves a copy into a container the copier's (-a, the default: its user's); --overwrite=false refuses a directory over a file, as without it" {
	many_ids || skip "needs subordinate IDs: burrow's namespace has no uid 1234 without them"
	run_burrow 0 create --name own -u 1234 busybox sh -c 'stat -c "%u %n" /a-default /a-true /a-false'
	echo hi >"$T/h.txt"
	run_burrow 0 cp "$T/h.txt" own:/a-default
	run_burrow 0 cp -a "$T/h.txt" own:/a-true
	run_burrow 0 cp -a=false "$T/h.txt" own:/a-false
	run_burrow 0 start -a own
	is "$output" "1234 /a-default
1234 /a-true
0 /a-false"
	mkdir "$T/d"
	run_burrow 125 cp --overwrite=false "$T/d" own:/a-default
	assert_match "$output" "it is not a directory" "cp --overwrite=false: refused"
	run_burrow 0 cp --overwrite "$T/d" own:/a-default
}

@test "mount: unmount --force=false takes one mount of two, as without it; --force takes them all" {
	run_burrow 0 create --name twice busybox true
	local id=$output
	run_burrow 0 mount twice
	run_burrow 0 mount twice
	run_burrow 0 unmount --force=false twice
	run_burrow 0 mount --no-trunc
	assert_match "$output" "^$id " "unmount --force=false: the other mount stays"
	run_burrow 0 unmount --force twice
	run_burrow 0 mount
	is "$output" "" "unmount --force: none left"
}
