#!/usr/bin/env bats
# run's and create's --rmi, --pidfile, --no-hostname, --env-merge,
# --timeout, --oom-score-adj, --passwd, --hostuser, --personality,
# --image-volume and --preserve-fds (container/runmore.h): podman's flags.

load helpers

suite_setup() {
	import_busybox
	image_plus rfimg "d('etc'); f('etc/hostname', 'imagehost\n')" 'ENV IMGVAR=img' 'ENV LIST=a:b'
}

# The IDs of the images, one a line.
image_ids() {
	run_burrow 0 images -q --no-trunc
	echo "$output"
}

@test "runflags: --rmi removes the image after the container (implies --rm), keeps one another container uses" {
	run_burrow 0 import "$BATS_RUN_TMPDIR/busybox.tar" localhost/solo
	run_burrow 0 inspect --format '{{.Id}}' localhost/solo
	local solo=$output
	run_burrow 0 run --rmi localhost/solo echo hi
	is "$output" "hi"
	run_burrow 0 ps -a -q
	is "$output" "" "--rmi implies --rm"
	run_burrow 1 image exists "$solo"
	# one of several names: that name goes, the image stays
	run_burrow 0 tag rfimg localhost/alias
	run_burrow 0 run --rmi localhost/alias echo alias
	run_burrow 1 image exists localhost/alias
	run_burrow 0 image exists rfimg
	# another container uses the image: it stays, silently
	run_burrow 0 import "$BATS_RUN_TMPDIR/busybox.tar" localhost/used
	run_burrow 0 create --name user localhost/used true
	run_burrow 0 run --rmi localhost/used echo again
	is "$output" "again"
	run_burrow 0 image exists localhost/used
	# a detached one: its monitor removes it
	run_burrow 0 rm user
	run_burrow 0 run -d --rmi localhost/used true
	for _ in $(seq 300); do
		run_burrow image exists localhost/used
		[ "$status" = 1 ] && break
		sleep 0.1
	done
	run_burrow 1 image exists localhost/used
	# its name moved to another image while it ran (a newer pull, a tag):
	# that one stays; its own, left without a name, goes
	run_burrow 0 import --change 'ENV V=1' "$BATS_RUN_TMPDIR/busybox.tar" localhost/moved
	run_burrow 0 inspect --format '{{.Id}}' localhost/moved
	local first=$output
	run_burrow 0 run -d --rmi localhost/moved sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done'
	local ctr=$output
	run_burrow 0 import --change 'ENV V=2' "$BATS_RUN_TMPDIR/busybox.tar" localhost/moved
	run_burrow 0 inspect --format '{{.Id}}' localhost/moved
	local second=$output
	[ "$first" != "$second" ]
	run_burrow 0 exec "$ctr" touch /tmp/go
	for _ in $(seq 300); do
		run_burrow image exists "$first"
		[ "$status" = 1 ] && break
		sleep 0.1
	done
	run_burrow 1 image exists "$first"
	run_burrow 0 inspect --format '{{.Id}}' localhost/moved
	is "$output" "$second"
	# run only; with --restart as --rm
	run_burrow 125 create --rmi rfimg true
	assert_match "$output" "unknown flag '--rmi'"
	run_burrow 125 run --rmi --restart always rfimg true
	assert_match "$output" "--rm and --restart always"
}

@test "runflags: --rmi takes the parents it leaves dangling too, as rmi does (podman's run --rmi removes the image as its rmi does)" {
	import_busybox rbase
	local base=$output
	child_of rbase rkid
	local kid=$output
	# the parent without a name: dangling once its child has gone
	run_burrow 0 untag rbase
	local since=$(date +%s.%N)
	run_burrow 0 run --rmi localhost/rkid echo hi
	is "$output" "hi" "nothing said of the removal"
	run_burrow 1 image exists "$kid"
	run_burrow 1 image exists "$base"
	run_burrow 0 events --stream=false --since "$since" --filter type=image --filter event=remove --format '{{.ID}}'
	is "$output" "$kid
$base"
	# a parent with a name stays
	child_of rfimg rkid2
	run_burrow 0 run --rmi localhost/rkid2 echo again
	run_burrow 0 image exists rfimg
}

@test "runflags: a --rmi that cannot remove the image says why on the attached run's stderr" {
	image_plus rmifail "f('only-here', 'x\n')"
	# the layer store read-only in burrow's mount namespace: the image's
	# own layer cannot go
	run_burrow 0 unshare sh -c 'mount --bind "$XDG_DATA_HOME/burrow/layers" "$XDG_DATA_HOME/burrow/layers" &&
		mount -o remount,bind,ro "$XDG_DATA_HOME/burrow/layers"'
	run_burrow 0 run --rmi rmifail echo hi
	assert_match "$output" "^hi"
	assert_match "$output" "burrow: warning: --rmi: cannot free layer [0-9a-f]+: .*Read-only file system"
	run_burrow 0 ps -a -q
	is "$output" "" "the container is gone all the same"
}

# rmi_layer_ro NAME: NAME's own layer's etc read-only in burrow's mount
# namespace: the layer is renamed away, but its files cannot all go.
rmi_layer_ro() {
	local own
	own=$(ns sh -c "ls -d \"\$XDG_DATA_HOME\"/burrow/layers/*/diff/$1-only")
	local etc=${own%/*}/etc
	run_burrow 0 unshare sh -c "mount --bind '$etc' '$etc' && mount -o remount,bind,ro '$etc'"
}

@test "runflags: --rmi passes on a layer whose files cannot all go: run's stderr, an image remove-error event" {
	image_plus rmilayer "f('rmilayer-only', 'x\n')"
	rmi_layer_ro rmilayer
	local since=$(date +%s.%N)
	run_burrow 0 run --rmi rmilayer echo hi
	assert_match "$output" "^hi"
	assert_match "$output" "burrow: warning: --rmi: cannot remove '[^']*' \(layer [0-9a-f]+\) in the layer store: .*Read-only file system; 'burrow image prune' tries again"
	run_burrow 1 image exists rmilayer
	run_burrow 0 events --stream=false --since "$since" --filter type=image --format '{{.Status}} {{.Name}} {{.Error}}'
	assert_match "$output" "^untag localhost/rmilayer:latest "
	assert_match "$output" "remove localhost/rmilayer:latest "
	assert_match "$output" "remove-error localhost/rmilayer:latest cannot remove '[^']*' \(layer [0-9a-f]+\).*Read-only file system"
}

@test "runflags: run -d --rmi that cannot remove the image: an image remove-error event carries why" {
	image_plus rmibg "f('rmibg-only', 'x\n')"
	run_burrow 0 inspect --format '{{.Id}}' rmibg
	local id=$output
	run_burrow 0 unshare sh -c 'mount --bind "$XDG_DATA_HOME/burrow/layers" "$XDG_DATA_HOME/burrow/layers" &&
		mount -o remount,bind,ro "$XDG_DATA_HOME/burrow/layers"'
	local since=$(date +%s.%N)
	run_burrow 0 run -d --rmi rmibg true
	local i
	for i in $(seq 600); do
		"$BURROW" events --stream=false --since "$since" --filter event=remove-error | grep -q . && break
		sleep 0.05
	done
	run_burrow 0 events --stream=false --since "$since" --filter event=remove-error
	assert_match "$output" " image remove-error $id localhost/rmibg:latest cannot free layer [0-9a-f]+: .*Read-only file system"
	run_burrow 0 events --stream=false --since "$since" --filter event=remove-error --format json
	assert_match "$output" "\"Error\":\"cannot free layer [0-9a-f]+: .*Read-only file system"
	assert_match "$output" "\"ID\":\"$id\""
}

@test "runflags: --pidfile holds the container's pid as the host sees it, in inspect; goes with the container" {
	cd "$T"
	run_burrow 0 run -d --name pf --pidfile pf.pid rfimg sleep 60
	run_burrow 0 inspect --format '{{.State.Pid}} {{.PidFile}}' pf
	local pid=${output%% *}
	is "$output" "$pid $T/pf.pid" "relative to the working directory"
	is "$(cat "$T/pf.pid")" "$pid"
	is "$(wc -c <"$T/pf.pid")" "${#pid}" "no newline, as podman's"
	# the host's pid: that process runs the container's sleep
	is "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 60 "
	# a restart writes the new one
	run_burrow 0 restart -t 0 pf
	run_burrow 0 inspect --format '{{.State.Pid}}' pf
	[ "$output" != "$pid" ]
	is "$(cat "$T/pf.pid")" "$output"
	run_burrow 0 create --pidfile "$T/c.pid" rfimg true
	run_burrow 0 inspect --format '{{.PidFile}}' "$output"
	is "$output" "$T/c.pid"
	[ ! -e "$T/c.pid" ]
	# a file there now is another's (it never ran): it stays at rm
	printf 4242 >"$T/c.pid"
	run_burrow 0 rm -f pf
	[ ! -e "$T/pf.pid" ]
	# a --rm one's goes at its end
	run_burrow 0 run --rm --pidfile "$T/rm.pid" rfimg true
	[ ! -e "$T/rm.pid" ]
	# an exited one's at rm
	run_burrow 0 run --name ex --pidfile "$T/ex.pid" rfimg true
	[ -e "$T/ex.pid" ]
	run_burrow 0 rm ex
	[ ! -e "$T/ex.pid" ]
	# a file that names another process by then (a later container's, the
	# user's) is not the container's to remove
	run_burrow 0 run -d --name pf2 --pidfile "$T/pf2.pid" rfimg sleep 60
	echo 1 >"$T/pf2.pid"
	run_burrow 0 rm -f -t 0 pf2
	is "$(cat "$T/pf2.pid")" 1 "another's pid file stays"
	# a directory that is not there: refused before anything is made
	run_burrow 0 rm -a -f
	is "$(cat "$T/c.pid")" "4242"
	run_burrow 125 run --pidfile "$T/nodir/x.pid" rfimg true
	assert_match "$output" "--pidfile '$T/nodir/x.pid': no directory '$T/nodir'"
	run_burrow 0 ps -a -q
	is "$output" ""
}

@test "runflags: --no-hostname leaves the image's /etc/hostname; the host name is still the container's" {
	run_burrow 0 run --rm --hostname mine rfimg cat /etc/hostname
	is "$output" "mine"
	run_burrow 0 run --rm --hostname mine --no-hostname rfimg sh -c 'cat /etc/hostname; hostname'
	is "$output" "imagehost
mine"
	run_burrow 0 create --name nh --no-hostname rfimg true
	run_burrow 0 start -a nh
	run_burrow 0 run --rm --no-hostname busybox sh -c 'test -e /etc/hostname || echo none'
	is "$output" "none"
}

@test "runflags: --hostname longer than the kernel's 64 bytes: create takes it (as podman), the start fails with 126 naming the limit" {
	local long
	long=$(printf 'h%.0s' {1..65})
	run_burrow 126 run --rm --hostname "$long" rfimg true
	is "$output" "burrow: cannot set the hostname to '$long': longer than the kernel's 64 bytes"
	run_burrow 0 create --name hl --hostname "$long" rfimg true
	run_burrow 126 start -a hl
	is "$output" "burrow: cannot set the hostname to '$long': longer than the kernel's 64 bytes"
	long=$(printf 'h%.0s' {1..64})
	run_burrow 0 run --rm --hostname "$long" rfimg hostname
	is "$output" "$long" "64 bytes are taken"
}

@test "runflags: --env-merge expands the image's value (a missing one as empty); -e wins; NAME= is needed" {
	run_burrow 0 run --rm --env-merge 'IMGVAR=${IMGVAR}-x' --env-merge 'LIST=$LIST:c' \
		--env-merge 'NEW=a${NOPE}b' --env-merge 'D=${NOPE:-dflt}' --env-merge 'ESC=\$IMGVAR' \
		--env-merge 'NEST=${NOPE:-<${IMGVAR}>}' rfimg env
	assert_match "$output" "IMGVAR=img-x"
	assert_match "$output" "NEST=<img-x>"
	assert_match "$output" "LIST=a:b:c"
	assert_match "$output" "NEW=ab"
	assert_match "$output" "D=dflt"
	assert_match "$output" 'ESC=\$IMGVAR'
	run_burrow 0 run --rm --env-merge 'IMGVAR=${IMGVAR}-x' -e IMGVAR=cli rfimg env
	assert_match "$output" "IMGVAR=cli"
	assert_no_match "$output" "img-x"
	run_burrow 0 create --name em --env-merge 'IMGVAR=${IMGVAR}-x' rfimg true
	run_burrow 0 inspect --format '{{range .Config.Env}}{{.}} {{end}}' em
	assert_match "$output" "IMGVAR=img-x"
	run_burrow 125 run --rm --env-merge NOEQ rfimg true
	assert_match "$output" "invalid --env-merge 'NOEQ': missing NAME="
}

@test "runflags: --timeout kills the container after N seconds (SIGKILL, no stop signal; exit -1 as podman); restart gets it anew" {
	local t0=$SECONDS
	run_burrow 255 run --name to --timeout 1 rfimg sh -c 'trap "echo got term" TERM; echo up; sleep 30 & wait; echo after'
	is "$output" "up" "killed at once: no trap ran"
	[ $((SECONDS - t0)) -lt 15 ]
	run_burrow 0 inspect --format '{{.State.ExitCode}} {{.State.Status}} {{.Config.Timeout}}' to
	is "$output" "-1 exited 1"
	# start again: a whole timeout of its own
	run_burrow 0 start to
	run_burrow 0 wait to
	is "$output" "-1"
	# a container that ends in time keeps its own code
	run_burrow 3 run --rm --timeout 30 rfimg sh -c 'exit 3'
	run_burrow 125 run --rm --timeout -1 rfimg true
	assert_match "$output" "invalid --timeout '-1'"
	run_burrow 125 run --rm --timeout 1s rfimg true
	assert_match "$output" "invalid --timeout '1s'"
}

@test "runflags: a run --timeout killed is a failure to the restart policy (as podman): on-failure:N restarts it N times, always again and again, each run with the whole time" {
	run_burrow 0 run -d --name tr --timeout 1 --restart on-failure:2 rfimg sh -c 'echo ran; sleep 30; echo after'
	# its monitor (the daemon keeps the argv of the command that made it):
	# it restarts the container twice, then ends
	local mon i
	mon=$(pgrep -u "$(id -u)" -f -- "--name tr --timeout 1 --restart on-failure:2" | head -1)
	[ -n "$mon" ]
	wait_dead "$mon" "$(proc_start "$mon")" 60
	run_burrow 0 logs tr
	is "$output" "$(printf 'ran\nran\nran')" "three runs, each killed before its end"
	run_burrow 0 inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' tr
	is "$output" "exited -1 2"
	run_burrow 0 run -d --name ta --timeout 1 --restart always rfimg sh -c 'echo ran; sleep 30'
	wait_logged ta 3 60
	run_burrow 0 rm -f -t 0 ta tr
}

@test "runflags: --oom-score-adj sets the container's; a value the kernel refuses fails the start, saying why" {
	run_burrow 0 run --rm --oom-score-adj 500 rfimg cat /proc/self/oom_score_adj
	is "$output" "500"
	run_burrow 0 create --name oom --oom-score-adj 300 rfimg cat /proc/self/oom_score_adj
	run_burrow 0 inspect --format '{{.HostConfig.OomScoreAdj}}' oom
	is "$output" "300"
	run_burrow 0 start -a oom
	is "$output" "300"
	run_burrow 0 run --rm rfimg cat /proc/self/oom_score_adj
	is "$output" "$(cat /proc/self/oom_score_adj)" "without it: the value burrow runs with"
	# below the value burrow runs with: refused by the kernel, even as root
	# (the container has no privileges outside burrow's user namespace)
	run_burrow 125 run --name low --oom-score-adj -500 rfimg true
	assert_match "$output" "cannot set oom_score_adj to -500: Permission denied"
	assert_match "$output" "hint: without privileges it can only be raised"
	run_burrow 0 ps -a --format '{{.Names}}'
	assert_no_match "$output" "low"
	run_burrow 0 run --rm --oom-score-adj 1000 rfimg cat /proc/self/oom_score_adj
	is "$output" "1000" "the bound itself is taken"
	run_burrow 125 run --rm --oom-score-adj 1001 rfimg true
	is "$output" "burrow: run: invalid --oom-score-adj '1001' (a number from -1000 to 1000)"
	run_burrow 125 run --rm --oom-score-adj x rfimg true
	assert_match "$output" "invalid --oom-score-adj 'x'"
}

@test "runflags: -u UID without an entry gets podman's /etc/passwd and /etc/group entries; --passwd=false adds none (keep-id's neither); inspect's Passwd" {
	# a single-ID namespace has no uid but the user's (0 inside)
	if has_subuid || [ "$(id -u)" = 0 ]; then
		run_burrow 0 run --rm -u 1234 rfimg sh -c 'id -un; grep 1234 /etc/passwd /etc/group; echo "$HOME"'
		is "$output" "$(printf '1234\n/etc/passwd:1234:*:1234:0:container user:/:/bin/sh\n/etc/group:1234:x:1234:1234\n/')"
		# a group by number: the entry's gid, a group entry of that
		# number; the home is the working directory
		run_burrow 0 run --rm -u 1234:55 -w /tmp rfimg sh -c 'id -un; id -gn; grep 1234 /etc/passwd /etc/group; echo "$HOME"'
		is "$output" "$(printf '1234\n55\n/etc/passwd:1234:*:1234:55:container user:/tmp:/bin/sh\n/etc/group:55:x:55:1234\n/tmp')"
		# a uid the image has: nothing added
		run_burrow 0 run --rm -u 65534 rfimg sh -c 'id -un; grep -c . /etc/passwd'
		is "$output" "$(printf 'nobody\n2')"
		run_burrow 1 run --rm --passwd=false -u 1234 rfimg sh -c 'grep 1234 /etc/passwd /etc/group'
		is "$output" ""
		run_burrow 1 run --rm --passwd=false -u 1234 rfimg id -un
	fi
	run_burrow 0 run --rm --passwd=false --userns=keep-id rfimg sh -c 'id -u; grep -c . /etc/passwd'
	is "$output" "$(printf '%s\n2' "$(id -u)")" "keep-id's entry is not added either"
	run_burrow 0 run --name pw --passwd=false rfimg true
	run_burrow 0 run --name pw2 --passwd rfimg true
	run_burrow 0 inspect --format '{{.Config.Passwd}}' pw pw2
	is "$output" "$(printf 'false\ntrue')"
	run_burrow 125 run --rm --passwd=maybe rfimg true
	is "$output" "burrow: run: invalid --passwd 'maybe' (true or false)"
	run_burrow 125 create --passwd=false rfimg true
	is "$output" "burrow: create: unknown flag '--passwd'" "run's alone, as podman 4.3"
}

@test "runflags: --hostuser adds a host user's entry (home: the working directory, or its own when mounted; HOME set); an unknown user: run 126, create 125" {
	local entry
	entry=$(getent passwd daemon) || need_or_fail "a host user 'daemon'"
	local name uid gid gecos home
	IFS=: read -r name _ uid gid gecos home _ <<<"$entry"
	run_burrow 0 run --rm --hostuser daemon -w /tmp rfimg sh -c 'grep "^daemon:" /etc/passwd; echo "$HOME"'
	is "$output" "$(printf 'daemon:*:%s:%s:%s:/tmp:/bin/sh\n/tmp' "$uid" "$gid" "$gecos")"
	# by uid; its home mounted: that is its home
	mkdir -p "$T/home"
	run_burrow 0 run --rm --hostuser "$uid" -v "$T/home:$home" rfimg sh -c 'grep "^daemon:" /etc/passwd; echo "$HOME"'
	is "$output" "$(printf 'daemon:*:%s:%s:%s:%s:/bin/sh\n%s' "$uid" "$gid" "$gecos" "$home" "$home")"
	# -e HOME wins; with --passwd=false nothing is added
	run_burrow 0 run --rm --hostuser daemon -e HOME=/mine rfimg sh -c 'echo "$HOME"'
	is "$output" "/mine"
	run_burrow 1 run --rm --passwd=false --hostuser daemon rfimg grep daemon /etc/passwd
	# a name the image has, with an ID of its own: nothing added, as podman
	image_plus hunames "f('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\\n$name:x:4242:4242::/:/bin/sh\\n')"
	run_burrow 0 run --rm --hostuser "$name" hunames grep "^$name:" /etc/passwd
	is "$output" "$name:x:4242:4242::/:/bin/sh"
	run_burrow 126 run --rm --hostuser no-such-user-here rfimg true
	is "$output" "burrow: --hostuser 'no-such-user-here': no such user on the host"
	run_burrow 125 create --hostuser no-such-user-here -v /anon rfimg true
	run_burrow 0 ps -a -q
	is "$output" "" "nothing was made"
	run_burrow 0 volume ls -q
	is "$output" "" "nor the anonymous volume"
}

@test "runflags: --hostuser of a user the image has, by name or by uid, adds no entry and leaves HOME to the container's user (podman 4.3)" {
	run_burrow 0 run --rm --hostuser root -w /etc rfimg sh -c 'cat /etc/passwd; echo "$HOME"'
	is "$output" "$(printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n/root')"
	# the caller's uid under another name
	image_plus rfsame "f('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\\nsame:x:$(id -u):1::/same:/bin/sh\\n')"
	run_burrow 0 run --rm --hostuser "$(id -un)" -w /etc rfsame sh -c 'cat /etc/passwd; echo "$HOME"'
	is "$output" "$(printf 'root:x:0:0:root:/root:/bin/sh\nsame:x:%s:1::/same:/bin/sh\n/root' "$(id -u)")"
}

@test "runflags: --personality LINUX32 makes uname -m say i686 (exec too); an unknown domain is refused with 125" {
	[ "$(uname -m)" = x86_64 ] || skip "LINUX32's machine name is checked on x86_64"
	run_burrow 0 run --rm --personality LINUX32 rfimg uname -m
	is "$output" "i686"
	run_burrow 0 run --rm --personality LINUX rfimg uname -m
	is "$output" "x86_64"
	run_burrow 0 run -d --name p32 --personality LINUX32 rfimg sleep 600
	run_burrow 0 exec p32 uname -m
	is "$output" "i686"
	run_burrow 0 rm -f -t 0 p32
	run_burrow 125 run --rm --personality linux32 rfimg true
	is "$output" "burrow: invalid --personality 'linux32' (LINUX or LINUX32)"
	run_burrow 125 create --personality X rfimg true
	is "$output" "burrow: invalid --personality 'X' (LINUX or LINUX32)"
}

@test "runflags: --image-volume: bind (default) an anonymous volume at the image's volume, tmpfs a tmpfs, ignore nothing; a bad mode 125; containers.conf's image_volume_mode" {
	run_burrow 0 import --change 'CMD ["sh"]' --change 'VOLUME /data' "$BATS_RUN_TMPDIR/busybox.tar" volimg
	run_burrow 0 run --rm --image-volume bind volimg sh -c 'awk "\$2 == \"/data\" { print \$3 }" /proc/mounts'
	assert_no_match "$output" "tmpfs"
	run_burrow 0 volume ls -q
	is "$output" "" "--rm took its anonymous volume"
	run_burrow 0 run --name iv volimg true
	run_burrow 0 volume ls -q
	[ -n "$output" ]
	run_burrow 0 run --rm --image-volume tmpfs volimg sh -c 'awk "\$2 == \"/data\" { print \$1, \$4 }" /proc/mounts; touch /data/x && echo made'
	assert_match "$output" "^tmpfs rw,nosuid,nodev"
	assert_no_match "$output" "noexec"
	assert_match "$output" "made"
	run_burrow 0 run --rm --image-volume ignore volimg sh -c 'grep -c " /data " /proc/mounts; test -e /data || echo none'
	is "$output" "$(printf '0\nnone')"
	# the user's own mount there wins, whatever the mode
	run_burrow 0 run --rm --image-volume tmpfs --tmpfs /data:size=1m volimg sh -c 'grep -c " /data " /proc/mounts'
	is "$output" "1"
	run_burrow 125 run --rm --image-volume copy volimg true
	is "$output" "burrow: invalid --image-volume 'copy' (bind, tmpfs or ignore)"
	# inspect shows an image volume's tmpfs nowhere (as podman 4.3), a
	# --tmpfs of the user's in HostConfig.Tmpfs
	run_burrow 0 create --name ivt --image-volume tmpfs --tmpfs /t volimg true
	run_burrow 0 start ivt
	run_burrow 0 inspect --format '{{json .Config.Volumes}} {{json .Mounts}} {{json .HostConfig.Tmpfs}}' ivt
	assert_match "$output" '^null \[\] \{"/t":"[^"]*"\}$'
	# containers.conf's image_volume_mode is the default; the flag wins
	printf '[engine]\nimage_volume_mode = "ignore"\n' >"$XDG_CONFIG_HOME/containers/containers.conf"
	run_burrow 0 run --rm volimg sh -c 'test -e /data || echo none'
	is "$output" "none" "containers.conf's image_volume_mode"
	run_burrow 0 run --rm --image-volume tmpfs volimg sh -c 'awk "\$2 == \"/data\" { print \$1 }" /proc/mounts'
	is "$output" "tmpfs" "--image-volume over containers.conf"
	rm "$XDG_CONFIG_HOME/containers/containers.conf"
}

@test "runflags: --preserve-fds passes the caller's fds on, attached and with -d; no other fd of ours reaches the container; an fd not open is refused" {
	echo "from fd 3" >"$T/f3"
	echo "from fd 4" >"$T/f4"
	run bash -c 'timeout 60 "$BURROW" run --rm --preserve-fds 2 rfimg sh -c "cat <&3; cat <&4" 3<"$1" 4<"$2"' _ "$T/f3" "$T/f4"
	is "$status" 0
	is "$output" $'from fd 3\nfrom fd 4'
	# 0-2, the one passed, and ls's own directory: not fd 5, nor the
	# monitor's
	run bash -c 'timeout 60 "$BURROW" run --rm --preserve-fds 1 rfimg ls /proc/self/fd 3<"$1" 5<"$1"' _ "$T/f3"
	is "$status" 0
	is "$(echo $output)" "0 1 2 3 4"
	run bash -c 'timeout 60 "$BURROW" run -d --name pd --preserve-fds 1 rfimg cat /proc/self/fd/3 3<"$1"' _ "$T/f3"
	is "$status" 0
	run_burrow 0 wait pd
	is "$output" "0"
	run_burrow 0 logs pd
	is "$output" "from fd 3"
	run bash -c 'exec 3>&- 4>&-; timeout 60 "$BURROW" run --rm --preserve-fds 2 rfimg true'
	is "$status" 125
	is "$output" "burrow: run: --preserve-fds 2: file descriptor 3 is not open"
	run bash -c 'timeout 60 "$BURROW" create --preserve-fds 1 rfimg true 3<"$1"' _ "$T/f3"
	is "$status" 125
	is "$output" "burrow: create: unknown flag '--preserve-fds'" "run's alone, as podman 4.3"
}

# podman 4.3's conmon keeps them until the container's first end (a
# pipe's reader sees its end then), and its restarts run without them
@test "runflags: --preserve-fds with -d: the monitor closes them at the container's first end; a restart runs without them" {
	mkfifo "$T/fifo"
	timeout 120 cat "$T/fifo" >"$T/got" &
	local reader=$!
	run bash -c 'timeout 60 "$BURROW" run -d --name pr --restart on-failure:1 --preserve-fds 1 rfimg sh -c \
		"if [ -e /proc/self/fd/3 ]; then echo first >&3; exit 1; fi; echo restarted; exec sleep 1000" 3>"$1"' _ "$T/fifo"
	is "$status" 0
	wait "$reader" || { echo "the reader saw no end of the pipe (cat: $?)" >&2; false; }
	is "$(cat "$T/got")" "first" "the first run alone wrote to it"
	wait_logs pr restarted 120 || { echo "no restart: $(timeout 30 "$BURROW" logs pr 2>&1)" >&2; false; }
	run_burrow 0 rm -f -t 0 pr
}
