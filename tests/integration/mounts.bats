#!/usr/bin/env bats
# run's mounts: -v (bind, named and anonymous volumes), --mount, --tmpfs,
# --read-only, --volumes-from, the image's Volumes, copy-up, rm -v and
# run --rm, inspect's Mounts; and the hostile cases: symlinks in an image
# at or under a mount point must never lead a mount or a copy out of the
# container's root.

load helpers

suite_setup() {
	import_busybox
	VOLS=$XDG_DATA_HOME/burrow/volumes
	make_sentinel
}

suite_teardown() {
	rm_store
}

@test "mounts: -v HOST:CTR binds a host directory; writes show on the host; ro refuses them" {
	mkdir "$T/h"
	echo hello >"$T/h/in"
	run_burrow 0 run --rm -v "$T/h:/h" busybox sh -c 'cat /h/in; echo out >/h/out'
	is "$output" "hello"
	is "$(cat "$T/h/out")" "out" "a file written through -v is on the host"
	run_burrow 1 run --rm -v "$T/h:/h:ro" busybox sh -c 'echo x >/h/x'
	assert_match "$output" "Read-only file system"
	[ ! -e "$T/h/x" ]
	# options in any order, z/Z accepted, a relative source from here
	cd "$T"
	run_burrow 0 run --rm -v "./h:/h:z,rw,rprivate" busybox cat /h/in
	is "$output" "hello"
	run_burrow 0 run --rm --mount "type=bind,src=$T/h,dst=/m,readonly" busybox sh -c 'cat /m/in; touch /m/y 2>&1; true'
	assert_match "$output" "Read-only file system"
}

@test "mounts: a missing host path is refused, as podman does, and nothing is made" {
	run_burrow 125 run --rm -v "$T/new/dir:/d" busybox true
	assert_match "$output" "bind source '$T/new/dir' of '/d'.*No such file or directory"
	[ ! -e "$T/new" ]
	run_burrow 125 run --rm --mount "type=bind,src=$T/missing,dst=/d" busybox true
	assert_match "$output" "bind source '$T/missing'.*No such file or directory"
	[ ! -e "$T/missing" ]
	run_burrow 0 ps -aq
	is "$output" "" "no container stored"
	# a name in use is said before anything is made
	run_burrow 0 create --name taken busybox
	run_burrow 125 run --name taken -v v:/v busybox true
	assert_match "$output" "the container name 'taken' is already in use"
	is "$(vol_names)" "" "no volume made"
}

@test "mounts: a create that fails after its volumes were made removes those it made, keeps those that were there" {
	run_burrow 0 volume create old
	run_burrow 0 run --rm -v old:/o busybox sh -c 'echo kept >/o/f'
	# the secret is looked up after the volumes are made
	run_burrow 125 create --name c -v new:/n -v old:/o -v /anon --secret nosuch busybox true
	assert_match "$output" "nosuch"
	is "$(vol_names)" "old" "the volumes it made removed again"
	run_burrow 0 run --rm -v old:/o busybox cat /o/f
	is "$output" kept
	# the volume made by a create that worked stays: rm -v keeps named volumes
	run_burrow 0 create --name c -v new:/n busybox true
	run_burrow 0 rm -v c
	is "$(vol_names)" "new old"
	run_burrow 0 ps -aq
	is "$output" "" "no container stored"
}

@test "mounts: a bad spec is one line, 125, and writes nothing" {
	for spec in "a:b:c:d" "relative" "$T/x:rel" "$T/x:/d:ro,rw" "$T/x:/d:bogus" "bad name!:/d" "$T/x:/"; do
		run_burrow 125 run --rm -v "$spec" busybox true
		is "$(printf '%s\n' "$output" | grep -c .)" 1 "one line for -v '$spec': $output"
	done
	for spec in "type=bind,dst=/d" "type=nfs,dst=/d" "type=tmpfs,src=/x,dst=/d" "type=bind,src=$T,dst=/d,bogus=1" \
		"type=volume,src=v"; do
		run_burrow 125 run --rm --mount "$spec" busybox true
	done
	run_burrow 125 run --rm --tmpfs "/t:bogus" busybox true
	run_burrow 125 run --rm --tmpfs "rel" busybox true
	# a tmpfs option's value is tmpfs's own: nothing that splits the stored
	# record or adds to the kernel's option string
	for spec in "/t:size=1m$(printf '\t')suid" "/t:mode=1777$(printf '\n')exec" "/t:size=1m=2" "/t:uid=0x0" \
		"/t:uid=4294967296" "/t:gid=4294967295"; do
		run_burrow 125 create --tmpfs "$spec" busybox true
		is "$(printf '%s\n' "$output" | grep -c .)" 1 "one line for --tmpfs '$spec': $output"
		assert_match "$output" "invalid --tmpfs"
	done
	run_burrow 125 run --rm --mount "type=tmpfs,dst=/t,tmpfs-mode=1777$(printf '\t')x" busybox true
	assert_match "$output" "is not an octal mode"
	run_burrow 125 run --rm -v "$T/x:/d" --tmpfs /d busybox true
	assert_match "$output" "duplicate mount destination '/d'"
	run_burrow 125 run --rm --volumes-from "c:bogus" busybox true
	run_burrow 125 run --rm --volumes-from nosuch busybox true
	[ ! -e "$T/x" ]
	is "$(vol_names)" "" "no volume made"
	run_burrow 0 ps -aq
	is "$output" "" "no container stored"
}

@test "mounts: a named volume is made on first use, kept, in use while a container has it" {
	run_burrow 0 run --name c1 -v data:/data busybox sh -c 'echo one >/data/f'
	is "$(vol_names)" "data"
	run_burrow 0 run --rm -v data:/x busybox cat /x/f
	is "$output" "one"
	run_burrow 2 volume rm data
	assert_match "$output" "in use by container 'c1'"
	run_burrow 0 rm -v c1
	# named volumes outlive their containers, rm -v too
	is "$(vol_names)" "data"
	run_burrow 0 volume rm data
}

@test "mounts: anonymous volumes: kept by rm, removed by rm -v and run --rm" {
	run_burrow 0 run --name a1 -v /anon busybox sh -c 'echo x >/anon/f'
	run_burrow 0 volume ls -q
	assert_match "$output" '^[0-9a-f]{64}$'
	local anon=$output
	run_burrow 0 inspect --format '{{range .Mounts}}{{.Name}} {{.Destination}}{{end}}' a1
	is "$output" "$anon /anon"
	run_burrow 0 rm a1
	is "$(vol_names)" "$anon" "plain rm keeps the anonymous volume"
	run_burrow 0 volume rm "$anon"
	run_burrow 0 run --name a2 -v /anon --mount type=volume,dst=/anon2 busybox true
	run_burrow 0 rm -v a2
	is "$(vol_names)" "" "rm -v removes the anonymous volumes"
	run_burrow 0 run --rm -v /anon busybox true
	is "$(vol_names)" "" "run --rm removes the anonymous volume"
	run_burrow 0 run --rm -v named:/n busybox true
	is "$(vol_names)" "named" "run --rm keeps a named volume"
}

@test "mounts: copy-up fills an empty volume with the image's content once, owners and modes kept" {
	image_plus img 'd("data", mode=0o750, uid=7, gid=8); f("data/f", "imgdata\n", mode=0o640, uid=7, gid=8); d("data/sub", mode=0o700); l("data/ln", "f")'
	run_burrow 0 run --rm -v cu:/data img sh -c 'cat /data/f; echo changed >/data/f; echo new >/data/new'
	is "$output" "imgdata"
	run_burrow 0 run --rm -v cu:/data img sh -c 'cat /data/f /data/new; readlink /data/ln; stat -c %a /data/sub /data/f'
	is "$output" "changed
new
f
700
640" "copied once: the second container sees the first one's changes"
	if many_ids; then
		run_burrow 0 run --rm -v cu:/data img stat -c '%a %u:%g' /data /data/f
		is "$output" "750 7:8
640 7:8"
	fi
	run_burrow 0 run --rm -v cu2:/data:nocopy img ls -A /data
	is "$output" "" "nocopy: nothing copied"
}

@test "mounts: copy-up keeps hard links, extended attributes and trees deeper than 256 levels" {
	image_plus img 'd("data"); f("data/a", "hl\n", xattrs={"user.burrow": "v1"}); d("data/sub"); h("data/sub/b", "data/a")
f("data/cap", "c\n", mode=0o755, xattrs={"security.capability": "\x01\x00\x00\x02\x00\x04" + "\x00" * 14})
p = "data/deep"
d(p)
for i in range(300):
    p += "/d"
    d(p)
f(p + "/bottom", "deep\n")' 'VOLUME /data'
	local deep=/data/deep$(printf '/d%.0s' $(seq 300))
	run_burrow 0 run --rm -v cu:/data img sh -c "stat -c '%h %i' /data/a /data/sub/b; cat $deep/bottom"
	local lines
	mapfile -t lines <<<"$output"
	is "${lines[0]}" "${lines[1]}" "the hard links copied as one file"
	assert_match "${lines[0]}" "^2 "
	is "${lines[2]}" "deep" "the bottom of a tree 300 levels deep"
	run python3 -c 'import os, sys
for n in ("user.burrow", "security.capability"):
    for f in ("a", "sub/b", "cap"):
        try:
            v = os.getxattr(sys.argv[1] + "/" + f, n)
        except OSError:
            continue
        print(f, n, v[4:6].hex() if n.startswith("security") else v.decode())' "$VOLS/cu/_data"
	is "$output" "a user.burrow v1
sub/b user.burrow v1
cap security.capability 0004" "user.* and file capabilities kept, as podman keeps them"
}

@test "mounts: a non-empty named volume is never copied into" {
	image_plus img 'd("data"); f("data/f", "imgdata\n")'
	run_burrow 0 volume create full
	echo mine >"$T/mine"
	tar -C "$T" -cf "$T/mine.tar" mine
	run_burrow 0 volume import full "$T/mine.tar"
	run_burrow 0 run --rm -v full:/data img ls -A /data
	is "$output" "mine" "the image's files were copied into a volume that had content"
}

@test "mounts: hostile image: a volume mount point that is a symlink to / is refused, nothing written outside" {
	image_plus img 'l("rootlink", "/")' 'VOLUME /rootlink'
	run_burrow 125 run --rm img true
	assert_match "$output" "mount point '/rootlink' leads to the container's '/'"
	run_burrow 125 run --rm -v "$OUTSIDE:/rootlink" img true
	run_burrow 125 run --rm -v "v:/rootlink" img true
	is "$(ls -A "$VOLS/v/_data" 2>/dev/null)" "" "nothing copied into the volume"
	assert_outside_untouched
}

@test "mounts: hostile image: a destination symlink to a host path is resolved inside the container" {
	image_plus img "l('hostlink', '$OUTSIDE'); d('data'); l('data/esc', '$OUTSIDE'); l('data/up', '../../../../../../$OUTSIDE')"
	# a volume there: the copy-up copies nothing from the host
	run_burrow 0 run --rm -v v:/hostlink img sh -c 'ls -A /hostlink; echo pwn >/hostlink/new'
	is "$output" ""
	# a bind there: the mount lands inside the container, not on the host path
	mkdir "$T/h"
	run_burrow 0 run --rm -v "$T/h:/hostlink" img sh -c 'echo in >/hostlink/f; cat '"$OUTSIDE"'/f'
	is "$output" "in"
	is "$(cat "$T/h/f")" "in"
	# copy-up through symlinks inside the mount point: copied as symlinks,
	# never followed
	run_burrow 0 run --rm -v cu:/data img sh -c 'readlink /data/esc; { echo pwn >/data/esc/new; } 2>/dev/null; true'
	is "$output" "$OUTSIDE"
	run_burrow 0 volume export cu -o "$T/cu.tar"
	is "$(tar -tf "$T/cu.tar" | sort | tr '\n' ' ')" "esc up " "only the links themselves were copied"
	assert_outside_untouched
}

@test "mounts: --read-only refuses writes, with writable /tmp, /var/tmp, /run unless --read-only-tmpfs=false" {
	run_burrow 1 run --rm --read-only busybox touch /etc/x
	assert_match "$output" "Read-only file system"
	run_burrow 0 run --rm --read-only busybox sh -c 'touch /tmp/a /var/tmp/b /run/c /dev/shm/d && cat /etc/hostname >/dev/null && grep -c "^tmpfs /tmp " /proc/mounts'
	is "$output" "1"
	run_burrow 1 run --rm --read-only --read-only-tmpfs=false busybox touch /tmp/a
	assert_match "$output" "Read-only file system"
	# a missing working directory is still made, as podman's
	run_burrow 0 run --rm --read-only -w /newdir busybox pwd
	is "$output" "/newdir"
	run_burrow 0 run --rm --read-only -v "$T:/tmp" busybox touch /tmp/mine
	[ -e "$T/mine" ]
	run_burrow 0 create --name ro --read-only busybox
	run_burrow 0 inspect --format '{{.HostConfig.ReadonlyRootfs}}' ro
	is "$output" "true"
}

@test "mounts: --tmpfs and --mount type=tmpfs|devpts" {
	run_burrow 0 run --rm --tmpfs /t:size=1m,mode=700 busybox sh -c 'grep " /t " /proc/mounts; stat -c %a /t'
	assert_match "$output" "^tmpfs /t tmpfs rw,nosuid,nodev,noexec,.*size=1024k"
	assert_match "$output" "700$"
	run_burrow 0 run --rm --mount type=tmpfs,dst=/m,tmpfs-size=2m busybox sh -c 'grep " /m " /proc/mounts'
	assert_match "$output" "size=2048k"
	# 16 EiB does not fit in 64 bits: the kernel's parser would wrap it round to 0 (no limit)
	run_burrow 125 run --rm --tmpfs /t:size=16e busybox true
	assert_match "$output" "invalid --tmpfs '/t:size=16e': bad value in 'size=16e'"
	# a % of memory, times the memory's bytes, must fit too: 2^52 % of any
	# memory is 0 in 64 bits (no limit)
	run_burrow 125 run --rm --tmpfs /t:size=4503599627370496% busybox true
	assert_match "$output" "invalid --tmpfs '/t:size=4503599627370496%': bad value in 'size=4503599627370496%'"
	run_burrow 0 run --rm --tmpfs /t:size=400% busybox sh -c 'grep " /t " /proc/mounts'
	assert_no_match "$output" "size=0k"
	assert_match "$output" "size=[1-9][0-9]*k"
	run_burrow 0 run --rm --mount type=devpts,dst=/dev/pts2 busybox sh -c 'grep -c " /dev/pts2 devpts" /proc/mounts'
	is "$output" "1"
}

@test "mounts: --volumes-from shares another container's volumes and binds, :ro read-only" {
	mkdir "$T/h"
	run_burrow 0 create --name src -v shared:/s -v /anon -v "$T/h:/h" busybox
	run_burrow 0 run --rm --volumes-from src busybox sh -c 'echo a >/s/f; echo b >/anon/f; echo c >/h/f'
	is "$(cat "$T/h/f")" "c"
	run_burrow 1 run --rm --volumes-from src:ro busybox sh -c 'cat /s/f /anon/f; echo x >/s/g'
	assert_match "$output" "a
b
.*Read-only file system"
	# the user's own mount wins on a destination
	run_burrow 0 run --rm --volumes-from src -v other:/s busybox ls -A /s
	is "$output" ""
	# the source's anonymous volume is the source's: rm -v of a user keeps it
	run_burrow 0 run --name user --volumes-from src busybox true
	run_burrow 0 rm -v user
	run_burrow 0 volume ls -q
	assert_match "$output" "[0-9a-f]{64}"
	# a container that has them through --volumes-from is one of their users
	run_burrow 0 create --name user2 --volumes-from src busybox true
	run_burrow 2 volume rm shared
	assert_match "$output" "in use by containers '(src', 'user2|user2', 'src)'"
}

@test "mounts: the image's Volumes become anonymous volumes; -v at the same place wins" {
	image_plus img 'd("data"); f("data/f", "imgdata\n")' 'VOLUME ["/data"]'
	run_burrow 0 run --name iv img sh -c 'cat /data/f; echo w >/data/w'
	is "$output" "imgdata"
	run_burrow 0 inspect --format '{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}}{{end}}' iv
	is "$output" "volume /data true"
	run_burrow 0 rm -v iv
	is "$(vol_names)" ""
	run_burrow 0 run --rm -v mine:/data img cat /data/f
	is "$(vol_names)" "mine"
}

@test "mounts: inspect shows Mounts and HostConfig.Binds as podman's" {
	mkdir "$T/h"
	run_burrow 0 create --name i -v "$T/h:/h:ro,rshared" -v nv:/nv --tmpfs /t busybox
	run_burrow 0 inspect --format '{{json .Mounts}}' i
	is "$output" '[{"Type":"bind","Source":"'"$T"'/h","Destination":"/h","Driver":"","Mode":"","Options":["nosuid","nodev","rbind"],"RW":false,"Propagation":"rshared"},{"Type":"volume","Name":"nv","Source":"'"$VOLS"'/nv/_data","Destination":"/nv","Driver":"local","Mode":"","Options":["nosuid","nodev","rbind"],"RW":true,"Propagation":"rprivate"}]'
	run_burrow 0 inspect --format '{{json .HostConfig.Binds}} {{json .HostConfig.Tmpfs}}' i
	is "$output" '["'"$T"'/h:/h:ro,rshared,nosuid,nodev,rbind","nv:/nv:rw,rprivate,nosuid,nodev,rbind"] {"/t":"rw,noexec,nosuid,nodev"}'
}

@test "mounts: a restarted container mounts the same things again" {
	mkdir "$T/h"
	run_burrow 0 run --name r -v "$T/h:/h" -v rv:/v busybox sh -c 'echo $$ >>/h/log; echo x >>/v/log; wc -l </v/log'
	is "$output" "1"
	run_burrow 0 start -a r
	is "$output" "2"
	is "$(wc -l <"$T/h/log")" "2"
}

@test "mounts: :U gives the source to the container's user" {
	mkdir "$T/h"
	if ! many_ids; then
		# one ID only: 1000 is not mapped, and burrow says so
		run_burrow 125 run --rm -u 1000:1000 -v "$T/h:/h:U" busybox true
		assert_match "$output" "cannot change the owner of '$T/h'"
		run_burrow 0 run --rm -v "$T/h:/h:U" busybox stat -c %u:%g /h
		is "$output" "0:0"
		return
	fi
	mkdir -p "$T/h/sub/deeper"
	echo top >"$T/h/top"
	echo below >"$T/h/sub/deeper/f"
	run_burrow 0 run --rm -u 1000:1000 -v "$T/h:/h:U" busybox sh -c 'stat -c "%n %u:%g" /h /h/top /h/sub /h/sub/deeper /h/sub/deeper/f; touch /h/mine'
	is "$output" "/h 1000:1000
/h/top 1000:1000
/h/sub 1000:1000
/h/sub/deeper 1000:1000
/h/sub/deeper/f 1000:1000" "every file and directory of the tree, not only its top"
	# a volume: what copy-up brought from the image too
	image_plus img 'd("u"); d("u/sub"); f("u/sub/f", "x\n"); f("u/top", "y\n")'
	run_burrow 0 run --rm -u 1000:1000 -v uv:/u:U img sh -c 'stat -c "%n %u:%g" /u /u/top /u/sub /u/sub/f; touch /u/mine'
	is "$output" "/u 1000:1000
/u/top 1000:1000
/u/sub 1000:1000
/u/sub/f 1000:1000"
	ns rm -rf "$T/h"
}

@test "mounts: :O overlays a host directory; the container's changes are discarded" {
	mkdir "$T/o"
	echo base >"$T/o/f"
	run_burrow 0 run --name ov -v "$T/o:/o:O" busybox sh -c 'cat /o/f; echo changed >/o/f; echo new >/o/n; rm /o/f; ls -A /o'
	is "$output" "base
n"
	is "$(ls -A "$T/o")" "f" "nothing new in the host directory"
	is "$(cat "$T/o/f")" "base" "the host file is unchanged"
	# the next start begins from the host directory again
	run_burrow 0 start -a ov
	is "$output" "base
n"
	run_burrow 0 rm ov
	is "$(ls -A "$XDG_DATA_HOME/burrow/containers")" "" "the overlay's changes are gone with the container"
	run_burrow 125 run --rm -v "$T/o/f:/o:O" busybox true
	assert_match "$output" "overlay source '$T/o/f' of '/o': Not a directory"
	# upperdir= and workdir=: the changes land in the user's own upper dir, kept
	mkdir "$T/up" "$T/wk"
	run_burrow 0 run --rm -v "$T/o:/o:O,upperdir=$T/up,workdir=$T/wk" busybox sh -c 'echo kept >/o/n'
	is "$(cat "$T/up/n")" "kept"
	is "$(ls -A "$T/o")" "f" "nothing new in the host directory"
	run_burrow 125 run --rm -v "$T/o:/o:O,upperdir=$T/nope,workdir=$T/wk" busybox true
	assert_match "$output" "upperdir '$T/nope' of '/o': No such file or directory"
	ns rm -rf "$T/wk"
}

@test "mounts: volumes made with -o type=tmpfs and -o type=bind,device=DIR" {
	run_burrow 0 volume create -o type=tmpfs -o o=size=1m tv
	run_burrow 0 run --rm -v tv:/t busybox sh -c 'grep " /t " /proc/mounts'
	assert_match "$output" "^tmpfs /t tmpfs .*size=1024k"
	mkdir "$T/dev"
	run_burrow 0 volume create -o type=bind -o device="$T/dev" bv
	run_burrow 0 run --rm -v bv:/b busybox sh -c 'echo x >/b/f'
	is "$(cat "$T/dev/f")" "x"
}

@test "mounts: a bind volume's device is shown as given (relative, a symbolic link), as podman's, and mounted where it led at create" {
	mkdir -p "$T/dev/real"
	ln -s real "$T/dev/link"
	(cd "$T/dev" && timeout 30 "$BURROW" volume create -o type=bind -o device=real rel) >/dev/null
	run_burrow 0 volume create -o type=bind -o device="$T/dev/link" viaLink
	run_burrow 0 volume inspect -f '{{index .Options "device"}}' rel viaLink
	is "$output" "real
$T/dev/link"
	run_burrow 0 run --rm -v rel:/r -v viaLink:/l busybox sh -c 'echo r >/r/fr && echo l >/l/fl'
	is "$(cat "$T/dev/real/fr" "$T/dev/real/fl")" "r
l"
	# the link changed after create: the mount stays where it led then
	mkdir "$T/dev/other"
	ln -sfn other "$T/dev/link"
	run_burrow 0 run --rm -v viaLink:/l busybox ls /l
	is "$output" "fl
fr"
}

@test "mounts: a new volume where the image has nothing is given to its first container's user" {
	if ! many_ids; then
		run_burrow 0 run --rm -v fresh:/newmp busybox stat -c %u:%g /newmp
		is "$output" "0:0"
		return
	fi
	run_burrow 0 run --rm -u 1000:1000 -v fresh:/newmp busybox sh -c 'touch /newmp/x && stat -c %u:%g /newmp'
	is "$output" "1000:1000"
	# once: a later container's user does not take it over
	run_burrow 0 run --rm -u 2000:2000 -v fresh:/newmp busybox stat -c %u:%g /newmp
	is "$output" "1000:1000"
	# the image's directory there wins (its owner comes with copy-up)
	run_burrow 0 run --rm -u 1000:1000 -v etcvol:/etc busybox stat -c %u:%g /etc
	is "$output" "0:0"
}

@test "mounts: :ro of a (recursive) bind makes the mounts below its source read-only too" {
	mkdir -p "$T/h/sub"
	# a mount below the source, made where burrow sees it: in burrow unshare
	run_burrow 1 unshare sh -c "mount -t tmpfs none '$T/h/sub' && '$BURROW' run --rm -v '$T/h:/h:ro' busybox sh -c 'touch /h/sub/x'"
	assert_match "$output" "touch: /h/sub/x: Read-only file system"
	run_burrow 1 unshare sh -c "mount -t tmpfs none '$T/h/sub' && '$BURROW' run --rm --mount 'type=bind,src=$T/h,dst=/m,readonly' busybox sh -c 'touch /m/sub/x'"
	assert_match "$output" "touch: /m/sub/x: Read-only file system"
}
