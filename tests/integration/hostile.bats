#!/usr/bin/env bats
# Hostile inputs end to end, beyond the cases the other suites hold (cp,
# mounts, volume, import, load, pull, runtime, secret): an image or a
# container that makes the paths burrow writes or reads at create, start,
# restart, export and commit into links out of its tree (absolute and
# with ".."), FIFOs or hard links, and arguments that climb with "..".
# Every test ends with the sentinel directory outside everything as it was.

load helpers

suite_setup() {
	import_busybox
	make_sentinel
	echo 'hostonly:x:4242:4242:host only:/:/bin/sh' >"$OUTSIDE/passwd"
	echo 'hostgrp:x:4243:' >"$OUTSIDE/group"
	# from anywhere in a rootfs, up and out to the sentinel
	UP=../../../../../../../../../..$OUTSIDE
}

suite_teardown() {
	rm_store
}

# The sentinel holds what suite_setup put there, unchanged, and nothing is
# mounted on or under it in burrow's namespace.
sentinel_intact() {
	is "$(cd "$OUTSIDE" && find . | sort | tr '\n' ' ')" ". ./group ./passwd ./victim " "the sentinel's entries"
	is "$(cat "$OUTSIDE/victim")" orig "the sentinel file"
	is "$(ns cat /proc/self/mountinfo | awk -v d="$OUTSIDE" 'index($5, d) == 1')" "" "a mount on the sentinel"
}

@test "hostile image: /etc/hosts, resolv.conf, hostname links out, a FIFO, /run a link out: burrow's files show, nothing outside changes" {
	image_plus img "l('etc/hosts', '$OUTSIDE/victim'); l('etc/resolv.conf', '$UP/other');
p('etc/hostname'); l('run', '$OUTSIDE')"
	local cmd='cat /etc/hosts /etc/resolv.conf /etc/hostname; test -f /run/.containerenv && echo containerenv'
	# --init: its binary goes to /run/podman-init, under the link too
	run_burrow 0 run --rm --init --hostname hh --add-host evil.example:10.9.8.7 --dns 10.1.1.1 img sh -c "$cmd"
	assert_match "$output" "10.9.8.7	evil.example"
	assert_match "$output" "nameserver 10.1.1.1"
	assert_match "$output" "hh"
	assert_match "$output" "containerenv"
	assert_no_match "$output" "orig"
	sentinel_intact
	# the same at a second start of a stopped container
	run_burrow 0 create --name twice --hostname hh img sh -c "$cmd"
	run_burrow 0 start -a twice
	run_burrow 0 start -a twice
	assert_match "$output" "containerenv"
	assert_no_match "$output" "orig"
	sentinel_intact
}

@test "hostile container: links it leaves in its rootfs (/etc/hosts, /etc/hostname, /run, a volume's mount point) are not followed at its next start" {
	run_burrow 0 create --name c --tmpfs /var/tmp -v v:/data busybox sh -c 'cat /etc/hosts; ls -A /var/tmp /data; echo ran'
	# what the stopped container's rootfs holds when its next start comes:
	# made through its mount point (as the container could from inside, or
	# through a volume it shares), every path burrow mounts a link out
	run_burrow 0 mount c
	local m=$output
	ns sh -c "set -e; cd '$m'; rm -f etc/hosts etc/hostname; ln -s '$OUTSIDE/victim' etc/hosts
		ln -s '$UP/hn' etc/hostname; rm -rf run var data; ln -s '$OUTSIDE' run; ln -s '$UP' var; ln -s '$OUTSIDE' data"
	run_burrow 0 unmount c
	run_burrow 0 start -a c
	assert_match "$output" "ran"
	assert_no_match "$output" "orig"
	sentinel_intact
}

@test "hostile image: a working directory behind a link out is made inside the container" {
	image_plus img "l('wd', '$OUTSIDE'); l('wu', '$UP')" 'WORKDIR /wd/new'
	# where the link leads inside the container (pwd shows the real path)
	run_burrow 0 run --rm img sh -c 'pwd; touch made; ls -A /wd'
	is "$output" "$OUTSIDE/new
new"
	run_burrow 0 run --rm -w /wu/deep/er img sh -c 'pwd; ls -d /wu/deep/er'
	is "$output" "$OUTSIDE/deep/er
/wu/deep/er"
	# a magic link is not followed (it would lead to what an fd of the
	# container's init holds)
	run_burrow 125 run --rm -w /proc/self/cwd/x img true
	assert_match "$output" "working directory: cannot resolve '/proc/self/cwd/x' in the rootfs"
	sentinel_intact
}

@test "hostile image: --tmpfs and --mount type=tmpfs on links out land inside the container" {
	image_plus img "l('lnk', '$OUTSIDE'); l('up', '$UP')"
	run_burrow 0 run --rm --tmpfs /lnk --mount type=tmpfs,destination=/up/sub img sh -c 'touch /lnk/x /up/sub/y && echo ok'
	is "$output" "ok"
	sentinel_intact
}

@test "hostile image: /etc/passwd and /etc/group links out are never read: -u, --user NAME:GROUP, --passwd-entry" {
	image_plus img "l('etc/passwd', '$OUTSIDE/passwd'); l('etc/group', '$UP/group')"
	# the host's users and groups are not the container's
	run_burrow 126 run --rm -u hostonly img id
	is "$output" "burrow: user 'hostonly' not found in the image's /etc/passwd"
	run_burrow 126 run --rm -u 0:hostgrp img id
	assert_match "$output" "group 'hostgrp' not found"
	run_burrow 126 run --rm --group-add hostgrp img id
	assert_match "$output" "group 'hostgrp' not found"
	# keep-id's entries come with nothing of the host's files
	run_burrow 0 run --rm --userns=keep-id --passwd-entry 'me:x:$UID:$GID::/:/bin/sh' img sh -c 'cat /etc/passwd /etc/group'
	is "${lines[0]}" "me:x:$(id -u):$(id -g)::/:/bin/sh"
	is "${#lines[@]}" 2
	assert_no_match "$output" "host"
	sentinel_intact
}

@test "hostile container: links it plants in a volume are not followed when another container's :U gives the volume away" {
	many_ids || skip "needs subordinate IDs: with the user's ID alone :U gives everything to the user"
	run_burrow 0 run --rm -v v:/data busybox sh -c "
		ln -s $OUTSIDE/victim /data/evilfile; ln -s $OUTSIDE /data/evildir; ln -s $UP /data/updir
		mkdir /data/sub; ln -s $OUTSIDE/victim /data/sub/deep"
	run_burrow 0 run --rm -u 1000:1000 -v v:/data:U busybox sh -c 'stat -c %u:%g /data /data/sub; readlink /data/sub/deep'
	is "$output" "1000:1000
1000:1000
$OUTSIDE/victim"
	is "$(stat -c %u:%g "$OUTSIDE" "$OUTSIDE/victim" | sort -u)" "$(id -u):$(id -g)" "the sentinel's owner"
	sentinel_intact
}

@test "hostile container: a link it puts in place of a bind volume's device is refused at the volume's first start: nothing is copied up through it" {
	mkdir -p "$T/share/dev" "$T/target"
	run_burrow 0 volume create -o type=bind -o device="$T/share/dev" bv
	# a container with the device's parent mounted swaps the device for a
	# link to another (empty) directory of the user's
	run_burrow 0 run --rm -v "$T/share:/share" busybox sh -c "rmdir /share/dev && ln -s $T/target /share/dev"
	[ -L "$T/share/dev" ]
	# the image has content at /etc: the volume's first start would copy it up
	run_burrow 125 run --rm -v bv:/etc busybox ls /etc
	assert_match "$output" "volume 'bv': its device '$T/share/dev' is now a symbolic link: refusing to follow it"
	is "$(ls -A "$T/target")" "" "the link's target"
	run_burrow 0 volume inspect -f '{{.NeedsCopyUp}}' bv
	is "$output" "true"
	run_burrow 0 volume rm bv
	sentinel_intact
}

@test "hostile container: export, commit and volume export store its links as links, a FIFO as a FIFO, never host content" {
	run_burrow 0 run --name c -v v:/data busybox sh -c "
		ln -s $OUTSIDE/victim /evilfile; ln -s $OUTSIDE /evildir; ln -s $UP/victim /upfile
		mkfifo /fifo /data/fifo; echo mine >/a; ln /a /b
		ln -s $OUTSIDE/victim /data/evilfile; ln -s $UP /data/updir"
	run_burrow 0 export -o "$T/c.tar" c
	run tar -tvf "$T/c.tar"
	assert_match "$output" "evilfile -> $OUTSIDE/victim"
	assert_match "$output" "evildir -> $OUTSIDE"
	assert_match "$output" "upfile -> $UP/victim"
	grep -qE '^p.* (\./)?fifo$' <<<"$output"
	assert_match "$output" "b link to \.?/?a"
	run tar -xOf "$T/c.tar" --wildcards '*evilfile' '*evildir/victim' '*upfile'
	assert_no_match "$output" "orig"
	run_burrow 0 commit c img2
	run_burrow 0 run --rm img2 sh -c 'readlink /evilfile; readlink /upfile; test -p /fifo && echo fifo; cat /b'
	is "$output" "$OUTSIDE/victim
$UP/victim
fifo
mine"
	run_burrow 0 volume export v -o "$T/v.tar"
	run tar -tvf "$T/v.tar"
	assert_match "$output" "evilfile -> $OUTSIDE/victim"
	assert_match "$output" "updir -> $UP"
	grep -qE '^p.* (\./)?fifo$' <<<"$output"
	run tar -xOf "$T/v.tar" --wildcards '*evilfile'
	assert_no_match "$output" "orig"
	# cp out of a FIFO does not hang, and copies no host file through a link
	run_burrow 0 cp c:/fifo "$T/fifo-out"
	[ -p "$T/fifo-out" ]
	run_burrow 0 cp c:/b "$T/b-out"
	is "$(cat "$T/b-out")" mine
	# removing them removes the links, not what they name
	run_burrow 0 rm c
	run_burrow 0 volume rm v
	sentinel_intact
}

@test "hostile image: a VOLUME that climbs with .. or goes through a link out copies nothing from the host" {
	image_plus img "l('lnk', '$OUTSIDE')" "VOLUME /$UP" 'VOLUME /lnk'
	run_burrow 0 run --rm img sh -c "ls -A $OUTSIDE; ls -A /lnk; touch $OUTSIDE/x /lnk/y; echo ok"
	is "$output" "ok"
	run_burrow 0 volume ls -q
	for v in $output; do
		run_burrow 0 volume export "$v" -o "$T/v.tar"
		is "$(tar -tf "$T/v.tar" | grep -c victim)" 0 "the host's file in volume $v"
	done
	sentinel_intact
}

@test "hostile image: links out in a VOLUME's content are copied up into the volume as links, never followed" {
	image_plus img "d('data'); l('data/evilfile', '$OUTSIDE/victim'); l('data/evildir', '$OUTSIDE');
l('data/upfile', '$UP/victim'); d('data/sub'); l('data/sub/deep', '$OUTSIDE/victim'); p('data/fifo')" 'VOLUME /data'
	run_burrow 0 run --rm -v cu:/data img sh -c 'for l in evilfile evildir upfile sub/deep; do readlink /data/$l; done; test -p /data/fifo && echo fifo'
	is "$output" "$OUTSIDE/victim
$OUTSIDE
$UP/victim
$OUTSIDE/victim
fifo"
	run_burrow 0 volume export cu -o "$T/cu.tar"
	run tar -xOf "$T/cu.tar"
	assert_no_match "$output" "orig"
	sentinel_intact
}

@test "hostile argument: a --secret target that climbs with .. is refused before anything is made" {
	echo s3cret >"$T/s.txt"
	run_burrow 0 secret create s "$T/s.txt"
	run_burrow 125 run --rm --secret "s,target=$UP/victim" busybox true
	is "$output" "burrow: invalid --secret target '$UP/victim': '..' is not allowed"
	run_burrow 125 run --rm --secret "s,target=/run/secrets/../../../../leaked" busybox true
	assert_match "$output" "'\.\.' is not allowed"
	run_burrow 0 ps -aq
	is "$output" "" "a container was made"
	sentinel_intact
}

@test "hostile image: a --secret whose target goes through links out (/run, an /etc link up and out) lands inside the container" {
	echo s3cret >"$T/s.txt"
	run_burrow 0 secret create s "$T/s.txt"
	image_plus img "l('run', '$OUTSIDE'); l('etc/up', '$UP')"
	run_burrow 0 run --rm --secret s --secret s,target=/etc/up/victim img \
		sh -c 'cat /run/secrets/s /etc/up/victim'
	is "$output" "s3cret
s3cret"
	sentinel_intact
}

@test "hostile archive directory: a FIFO for an OCI layout's index.json or a blob is refused, load and pull do not wait on it" {
	run_burrow 0 save --format oci-dir -o "$T/oci" busybox
	cp -r "$T/oci" "$T/idx"
	rm "$T/idx/index.json"
	mkfifo "$T/idx/index.json"
	BURROW_TIMEOUT=30 run_burrow 125 load -i "$T/idx"
	assert_match "$output" "'index.json' in .* is not a regular file"
	cp -r "$T/oci" "$T/blob"
	local b
	for b in "$T"/blob/blobs/sha256/*; do
		rm "$b"
		mkfifo "$b"
	done
	BURROW_TIMEOUT=30 run_burrow 125 load -i "$T/blob"
	assert_match "$output" "is not a regular file"
	BURROW_TIMEOUT=30 run_burrow 125 pull "oci:$T/blob"
	assert_match "$output" "is not a regular file"
	run_burrow 0 images --format '{{.Repository}}'
	is "$output" "localhost/busybox" "an image was stored"
}

@test "hostile container: files it removes, or swaps for FIFOs, while commit reads them are left out; commit neither waits nor fails" {
	import_with_helper "$HELPERS_BIN/swapper" swap
	"$BURROW" run -d --name sw swap swapper /tmp 200 >/dev/null
	local i rc out
	for i in $(seq 20); do
		rc=0
		out=$(timeout 20 "$BURROW" commit sw "img$i" 2>&1) || rc=$?
		[ "$rc" = 0 ] || break
	done
	"$BURROW" rm -f -t 0 sw >/dev/null 2>&1
	is "$rc" 0 "commit $i: $out"
	# an image that runs, with what the container had (files or FIFOs)
	run_burrow 0 run --rm "img$i" sh -c 'ls /tmp | grep -c "^f"'
	assert_match "$output" "^[1-9][0-9]*$"
}

@test "hostile container: directories it moves between parents while export and commit walk them fail neither; the export is a whole tar" {
	# the walk used to go back up through ".." and fail (EAGAIN) when the
	# directory it left had been moved elsewhere meanwhile
	mkdir "$T/mark"
	"$BURROW" run -d --name mv -v "$T/mark:/mark" busybox sh -c 'mkdir -p /m/a/x /m/b
		for i in $(seq 30); do mkdir -p /m/a/x/d$i/e; echo $i >/m/a/x/d$i/e/f; done
		echo ready >/mark/ready
		while :; do mv /m/a/x /m/b/x; mv /m/b/x /m/a/x; done' >/dev/null
	wait_line "$T/mark/ready" ready
	local i
	for i in $(seq 15); do
		run_burrow 0 export -o "$T/mv$i.tar" mv
		# a whole tar, on past the directories that move (x is in it, in
		# a/ or b/, or left out when the walk found it in neither)
		tar -tf "$T/mv$i.tar" >"$T/mv$i.list"
		assert_match "$(cat "$T/mv$i.list")" "m/b/.*usr/bin/env"
		run_burrow 0 commit mv "mvimg$i"
	done
	"$BURROW" rm -f -t 0 mv >/dev/null 2>&1
}

@test "hostile container: a tree deeper than the open-file limit commits and exports whole" {
	# one descriptor per level ran out (EMFILE) at commit
	run_burrow 0 run --name deep busybox sh -c 'cd /; for i in $(seq 400); do mkdir d; cd d; done; echo x >f'
	(ulimit -n 256 && exec "$BURROW" commit deep deepimg) >/dev/null
	run_burrow 0 run --rm deepimg sh -c 'find /d -name f | tr -cd / | wc -c'
	is "$output" 401 "the file at the bottom, in the committed image"
	(ulimit -n 256 && exec "$BURROW" export -o "$T/deep.tar" deep)
	is "$(tar -tf "$T/deep.tar" | grep -c '^d/')" 401 "the directories and the file in the export"
}

@test "resolving inside a root through .. holds while renames go on elsewhere (openat2's EAGAIN is retried)" {
	# openat2(RESOLVE_IN_ROOT) fails with EAGAIN when a rename anywhere
	# races its walk through "..": a container renaming in a loop (or any
	# busy machine) must not make another container's start, run -u or
	# cp fail
	import_with_helper "$HELPERS_BIN/swapper" swap
	image_plus img "l('up', '../../../../../../../../tmp'); l('etc/passwd', '../../../../../../../../etc/passwd.real');
f('etc/passwd.real', 'me:x:0:0::/:/bin/sh\n')"
	"$BURROW" run -d --name sw swap swapper /tmp 200 >/dev/null
	local i
	for i in $(seq 15); do
		run_burrow 0 run --rm -u me -v "v$i:/up/sub" --tmpfs /up/tmpfs img id -un
		is "$output" "me"
		run_burrow 0 create --name "c$i" -u me img true
		run_burrow 0 cp "$BATS_TEST_FILENAME" "c$i:/up/in"
		run_burrow 0 cp "c$i:/up/in" "$T/out$i"
	done
	"$BURROW" rm -f -t 0 sw >/dev/null 2>&1
}

@test "hostile image: a layer that turns a directory into a link out after a file in it: save never reads the host's file" {
	# the layer's record says d/victim is a file, but d is now a link to
	# the sentinel: writing the tar back must not read through it
	mktar "$T/l.tar" "d('d'); f('d/victim', 'in the layer'); l('d', '$OUTSIDE')"
	run_burrow 0 import "$T/l.tar" turned
	run_burrow 125 save -o "$T/s.tar" turned
	assert_match "$output" "cannot write layer"
	[ ! -e "$T/s.tar" ]
	# to standard output, where what was written before the error stays
	run bash -c 'timeout 60 "$BURROW" save turned 2>/dev/null | grep -a -c orig'
	is "$output" 0 "the host's file went into the archive"
	sentinel_intact
}

@test "hostile image: a layer whose file a later entry makes a FIFO: save refuses the layer, never waits on the FIFO" {
	# the layer's record says 'a' holds data, but the directory has a FIFO
	# there: reading it back must neither block nor write a wrong layer
	mktar "$T/f.tar" "f('a', 'in the layer'); p('a')"
	run_burrow 0 import "$T/f.tar" fifo
	BURROW_TIMEOUT=30 run_burrow 125 save -o "$T/s.tar" fifo
	assert_match "$output" "cannot write layer .*: 'a' in the layer is no longer a regular file"
	[ ! -e "$T/s.tar" ]
	sentinel_intact
}

@test "hostile image: whiteouts naming '.' and '..' hide nothing but themselves; run, diff, export, commit and save work" {
	# nothing turns a whiteout's name into a path that is removed or
	# followed: fuse-overlayfs reads them, commit and diff only name them
	image_plus img "f('.wh..', ''); f('.wh...', ''); f('etc/.wh..', ''); f('etc/.wh...', ''); f('bin/.wh...', '')"
	run_burrow 0 run --name c img sh -c 'cd /etc/.. && pwd; ls /etc/passwd /bin/sh; echo new >/etc/new'
	is "$output" "/
/bin/sh
/etc/passwd"
	run_burrow 0 diff c
	is "$output" "C /etc
A /etc/new"
	run_burrow 0 export -o "$T/c.tar" c
	run tar -tf "$T/c.tar"
	assert_match "$output" "etc/passwd"
	run_burrow 0 commit c img2
	run_burrow 0 run --rm img2 cat /etc/new
	is "$output" "new"
	run_burrow 0 save -o "$T/s.tar" img2
	run_burrow 0 rm c
	run_burrow 0 rmi img2 img
	sentinel_intact
}

@test "hostile container: top shows the terminal escapes in its process names and arguments escaped, never raw" {
	local esc=$'\e'
	# sh names itself with an escape (comm), its arguments hold one too;
	# it stays sh (it waits for its child, forked before it says so)
	run_burrow 0 run -d --name evil busybox sh -c \
		"printf 'ev\\033[2Jil' >/proc/\$\$/comm; sleep 1000 & echo named; wait; : '${esc}]0;title${esc}\\'"
	wait_logs evil named
	run_burrow 0 top evil pid comm
	assert_match "$output" '1 +ev\\x1b\[2Jil'
	run_burrow 0 top evil pid args
	assert_match "$output" "'\\\\x1b\\]0;title\\\\x1b"
	# the columns hold: the child's parent is 1
	run_burrow 0 top evil pid ppid comm
	assert_match "$output" $'\n[0-9]+ +1 +[^\n]+'
	assert_no_match "$output" "$esc"
	run_burrow 0 rm -f evil
	sentinel_intact
}

@test "hostile container: an /etc/passwd that is a directory or larger than 16 MB starts nothing, as podman's, with any -u: one line naming it, 126 for run" {
	run_burrow 0 run --name pwdir busybox sh -c 'rm /etc/passwd; mkdir /etc/passwd'
	run_burrow 125 start pwdir
	is "$output" "burrow: cannot find the home of user 0 in the container: /etc/passwd is a directory, not a file"
	run_burrow 0 commit -q pwdir pwdimg
	# without -u: root's home and groups are looked up at the start
	# (podman 4.3's start fails, its run with 126 too)
	run_burrow 126 run --rm pwdimg true
	is "$output" "burrow: cannot find the home of user 0 in the container: /etc/passwd is a directory, not a file"
	run_burrow 126 run --rm -u 0 pwdimg true
	is "$output" "burrow: cannot find user '0' in the image: /etc/passwd is a directory, not a file"
	run_burrow 126 run --rm -u nobody:nogroup pwdimg true
	is "$output" "burrow: cannot find user 'nobody:nogroup' in the image: /etc/passwd is a directory, not a file"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "pwdir" "no container left by the runs that failed"
	# podman 4.3's create takes it (it looks -u up at the start), its
	# start fails
	run_burrow 0 create --name pwnum -u 1000 pwdimg true
	run_burrow 125 start pwnum
	is "$output" "burrow: cannot find user '1000' in the image: /etc/passwd is a directory, not a file"
	run_burrow 0 rm pwnum
	# a sparse 17 MB one
	run_burrow 0 run --name pwbig busybox sh -c 'truncate -s 17M /etc/passwd'
	run_burrow 125 start pwbig
	is "$output" "burrow: cannot find the home of user 0 in the container: /etc/passwd is larger than 16 MB: burrow does not read it"
	run_burrow 0 rm pwdir pwbig
	run_burrow 0 rmi pwdimg
	sentinel_intact
}
