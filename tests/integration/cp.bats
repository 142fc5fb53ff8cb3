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
	run_burrow 125 cp c1:/nonexistent c2:/x
	assert_match "$output" "c2"
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

@test "cp: a read-only mount refuses a copy into it; a stopped container's tmpfs has nothing to copy" {
	mkdir -p "$T/robind"
	echo ro >"$T/robind/f"
	echo new >"$T/in"
	run_burrow 0 create --name cr -v "$T/robind:/ro:ro" --mount type=volume,src=rovol,dst=/rov,ro=true \
		--tmpfs /scratch busybox true
	run_burrow 125 cp "$T/in" cr:/ro/
	assert_match "$output" "read-only mount '/ro'"
	run_burrow 125 cp "$T/in" cr:/rov/x
	assert_match "$output" "read-only mount '/rov'"
	is "$(ls -A "$T/robind")" f "what the refused copy left"
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

@test "mount, unmount: the merged directory, counted, usable inside burrow unshare" {
	run_burrow 0 run --name m1 busybox sh -c 'echo mine >/mine'
	run_burrow 0 mount m1
	mnt=$output
	is "$mnt" "$XDG_RUNTIME_DIR/burrow/containers/$(timeout 30 "$BURROW" inspect --format '{{.Id}}' m1)/merged"
	run_burrow 0 unshare cat "$mnt/mine"
	is "$output" mine
	run_burrow 0 unshare ls "$mnt/bin/busybox"
	# listed; a second mount is counted, one unmount leaves it mounted
	run_burrow 0 mount
	assert_match "$output" "^[0-9a-f]{12} $mnt$"
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
	run_burrow 125 mount nosuch
	run_burrow 125 unmount
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
	for _ in $(seq 100); do
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
