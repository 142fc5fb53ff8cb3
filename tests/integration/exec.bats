#!/usr/bin/env bats
# burrow exec: a command in a running container. The containers run
# detached (run -d); teardown kills what is left of them with the test's
# namespace.

load helpers

PTY_DRIVE=$BATS_TEST_DIRNAME/pty-drive.py

suite_setup() {
	import_probe
}

# start_ctr NAME [RUN OPTION...]: a detached container of the probe image
# that runs (sleeps) until the test ends, once its init has written its
# session keyring (sysprobe keyring) and "started" to its log.
start_ctr() {
	local name=$1
	shift
	run_burrow 0 run -d --name "$name" "$@" probe sh -c 'sysprobe keyring; echo started; exec sleep 300'
	wait_logs "$name" '^started'
}

# wait_ps CONTAINER TEXT: until a process of the container has TEXT in
# its command line (at most 30 s: a loaded machine starts it late)
wait_ps() {
	local i
	for i in $(seq 300); do
		"$BURROW" exec "$1" ps -o args | grep -q "$2" && return 0
		sleep 0.1
	done
	echo "no process '$2' in container $1: $("$BURROW" exec "$1" ps -o args)" >&2
	return 1
}

@test "exec: output and exit codes (0, 42, 126, 127) come through" {
	start_ctr c1
	run_burrow 0 exec c1 echo hello from exec
	is "$output" "hello from exec"
	run_burrow 42 exec c1 sh -c 'echo on-stderr >&2; exit 42'
	is "$output" "on-stderr"
	run_burrow 127 exec c1 no-such-command
	is "$output" "burrow: executable file 'no-such-command' not found in \$PATH"
	run_burrow 126 exec c1 /etc
	assert_match "$output" "cannot execute '/etc': Permission denied"
	run_burrow 137 exec c1 sh -c 'kill -9 $$'
	# by ID prefix too; the container runs on
	id=$("$BURROW" inspect --format '{{.Id}}' c1)
	run_burrow 0 exec "${id:0:12}" true
	run_burrow 0 ps --format '{{.Names}} {{.Status}}'
	assert_match "$output" "^c1 Up "
}

@test "exec: the process is in the container's pid, mount, network, uts, ipc and cgroup namespaces" {
	start_ctr c1 --network slirp
	run_burrow 0 exec c1 sh -c 'for n in pid mnt net uts ipc cgroup; do
		[ "$(readlink /proc/1/ns/$n)" = "$(readlink /proc/self/ns/$n)" ] && echo "same $n" || echo "other $n"
	done; echo "pid $$"; hostname; cat /proc/1/comm; ip -o addr show tap0 | grep -o "inet [0-9.]*"'
	is "${lines[0]}" "same pid"
	is "${lines[1]}" "same mnt"
	is "${lines[2]}" "same net"
	is "${lines[3]}" "same uts"
	is "${lines[4]}" "same ipc"
	is "${lines[5]}" "same cgroup"
	assert_match "${lines[6]}" "^pid [0-9]+$"
	[ "${lines[6]}" != "pid 1" ]
	is "${lines[7]}" "$("$BURROW" inspect --format '{{.Id}}' c1 | cut -c1-12)" "hostname"
	is "${lines[8]}" "sleep"
	is "${lines[9]}" "inet 10.0.2.100"
	# and not in ours
	run_burrow 0 exec c1 readlink /proc/self/ns/net
	[ "$output" != "$(readlink /proc/self/ns/net)" ]
}

@test "exec: -e, --env-file, -u, -w; HOME and the container's environment" {
	start_ctr c1 -e FROM_RUN=1 -e SHARED=run -w /tmp
	run_burrow 0 exec c1 sh -c 'echo "$FROM_RUN $SHARED $HOME"; pwd; id -u; id -g'
	is "${lines[0]}" "1 run /root"
	is "${lines[1]}" "/tmp" "the container's working directory"
	is "${lines[2]}" "0"
	is "${lines[3]}" "0"
	printf '# a comment\n\n  FILE_ONLY=from file\nSHARED=file\nFROM_HOST\nEMPTY=\n' >"$T/env"
	FROM_HOST=host-value run_burrow 0 exec -e SHARED=cli -e "SPACES=a b" --env-file "$T/env" c1 \
		sh -c 'echo "$FILE_ONLY|$SHARED|$FROM_HOST|$SPACES|${EMPTY-unset}|$FROM_RUN"'
	is "$output" "from file|cli|host-value|a b||1" "-e wins over --env-file, which wins over the container"
	run_burrow 125 exec --env-file "$T/no-such-file" c1 true
	assert_match "$output" "env-file '.*no-such-file'"
	run_burrow 125 exec -e =x c1 true
	is "$output" "burrow: invalid environment variable '=x'"
	# a user by name from the container's /etc/passwd, and by uid:gid
	if many_ids; then
		home=$("$BURROW" exec c1 sh -c 'grep ^nobody: /etc/passwd | cut -d: -f6')
		run_burrow 0 exec -u nobody -w / c1 sh -c 'id -u; id -g; pwd; echo "$HOME"'
		is "$(echo $output)" "65534 65534 / $home"
		run_burrow 0 exec -u 1234:567 -w /proc c1 sh -c 'id -u; id -g; pwd; echo "$HOME"'
		is "$(echo $output)" "1234 567 /proc /"
	else
		run_burrow 125 exec -u 1234:567 c1 true
		assert_match "$output" "567 is not mapped in burrow's user namespace"
	fi
	run_burrow 0 exec -u 0:0 -w /proc c1 sh -c 'id -u; id -g; pwd'
	is "$(echo $output)" "0 0 /proc"
	run_burrow 0 exec -e HOME=/mine c1 sh -c 'echo $HOME'
	is "$output" "/mine"
	# as podman-exec(1)'s exit codes: an error of burrow's (podman 4.3
	# itself exits 255 here), not of the command
	run_burrow 125 exec -u no-such-user c1 true
	is "$output" "burrow: container 'c1': user 'no-such-user' not found in the image's /etc/passwd"
	run_burrow 125 exec -u root:no-such-group c1 true
	is "$output" "burrow: container 'c1': group 'no-such-group' not found in the image's /etc/group"
	run_burrow 127 exec -w /no/such/dir c1 true
	is "$output" "burrow: cannot change to the working directory '/no/such/dir': No such file or directory"
	run_burrow 125 exec -w relative c1 true
	is "$output" "burrow: exec: workdir 'relative' is not an absolute path"
}

# -u as podman 4.3 gives an exec its supplementary groups (runc's lookup,
# checked live): with -u USER the groups that list USER as a member, none
# with -u USER:GROUP, never --group-add's and not the user's own group;
# without -u those of the container's user and --group-add's.
@test "exec: -u sets the supplementary groups as podman: memberships without :GROUP, with keep-groups too; no -u: the container's and --group-add's" {
	import_busybox
	image_plus grp 'f("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nalice:x:1234:55:alice:/home/alice:/bin/sh\n")
f("etc/group", "root:x:0:\nstaff:x:55:\nwheel:x:10:alice\naudio:x:29:bob,alice\nother:x:30:bob\n")'
	if ! many_ids; then
		# a single ID: setgroups is denied there, which is no failure
		run_burrow 0 run -d --name c1 grp sleep 300
		run_burrow 0 exec -u 0:0 c1 true
		return
	fi
	run_burrow 0 run -d --name c1 -u 1234:55 --group-add 77 grp sleep 300
	run_burrow 0 run -d --name c2 -u alice --group-add 77 grp sleep 300
	# as podman 4.3 shows each (busybox's id lists getgroups())
	run_burrow 0 exec c1 id
	is "$output" "uid=1234(alice) gid=55(staff) groups=77"
	run_burrow 0 exec c2 id
	is "$output" "uid=1234(alice) gid=55(staff) groups=10(wheel),29(audio),77"
	run_burrow 0 exec -u 1234 c1 id
	is "$output" "uid=1234(alice) gid=55(staff) groups=10(wheel),29(audio)"
	run_burrow 0 exec -u alice c2 id
	is "$output" "uid=1234(alice) gid=55(staff) groups=10(wheel),29(audio)"
	run_burrow 0 exec -u alice:wheel c1 id
	is "$output" "uid=1234(alice) gid=10(wheel)"
	run_burrow 0 exec -u 0 c2 id
	is "$output" "uid=0(root) gid=0(root)"
	# keep-groups: an exec without -u keeps the caller's groups, -u USER
	# gets its memberships (podman 4.3 with runc, checked live)
	run_burrow 0 unshare grep '^Groups:' /proc/self/status
	local mine=$output
	run_burrow 0 run -d --name c3 --group-add keep-groups grp sleep 300
	run_burrow 0 exec c3 grep '^Groups:' /proc/self/status
	is "$output" "$mine"
	run_burrow 0 exec -u alice c3 id
	is "$output" "uid=1234(alice) gid=55(staff) groups=10(wheel),29(audio)"
}

# The entries a start adds (run -u UID's, --hostuser's) are in the
# /etc/passwd and /etc/group the container sees, and exec looks its user
# up there as podman 4.3 does (checked live): HOME the entry's, the group
# entry's member list its membership.
@test "exec: a user's HOME and groups come from the entries the start added (-u UID without one in the image)" {
	import_busybox
	if ! many_ids; then
		run_burrow 0 run -d --name c1 busybox sleep 300
		run_burrow 0 exec c1 true
		return
	fi
	run_burrow 0 run -d --name c1 -u 1234 -w /etc busybox sleep 300
	run_burrow 0 exec c1 sh -c 'echo "$HOME"; grep "^Groups:" /proc/self/status'
	is "$(echo $output)" "/etc Groups: 1234"
	run_burrow 0 exec -u 1234 c1 sh -c 'echo "$HOME"; grep "^Groups:" /proc/self/status'
	is "$(echo $output)" "/etc Groups: 1234"
	run_burrow 0 exec -u 0 c1 sh -c 'echo "$HOME"'
	is "$output" "/root"
}

# exec reads the container's /etc/group for its user's memberships (a
# -u, or the image's User): one it cannot read is named as such, not as
# the user's home.
@test "exec: an /etc/group that became a directory is named in the error, for the container's user and for -u" {
	import_busybox
	run_burrow 0 run -d --name c1 -u 0 busybox sleep 300
	run_burrow 0 exec c1 sh -c 'rm /etc/group && mkdir /etc/group'
	run_burrow 125 exec c1 true
	is "$output" "burrow: container 'c1': cannot find the groups of user '0' in the container: /etc/group is a directory, not a file"
	run_burrow 125 exec -u 0:0 c1 true
	is "$output" "burrow: container 'c1': cannot find user '0:0' in the container: /etc/group is a directory, not a file"
}

@test "exec: no HOSTNAME unless --hostname or -e gave the container one, or exec's -e sets it (as podman 4.3)" {
	start_ctr h0
	run_burrow 0 exec h0 env
	assert_no_match "$output" "HOSTNAME="
	run_burrow 0 exec -e HOSTNAME=x h0 sh -c 'echo $HOSTNAME'
	is "$output" "x"
	# the container's first process keeps it
	run_burrow 0 inspect --format '{{json .Config.Env}}' h0
	assert_match "$output" '"HOSTNAME=[0-9a-f]{12}"'
	start_ctr h1 --hostname bar
	run_burrow 0 exec h1 sh -c 'echo $HOSTNAME'
	is "$output" "bar"
	start_ctr h2 -e HOSTNAME=foo
	run_burrow 0 exec h2 sh -c 'echo $HOSTNAME'
	is "$output" "foo"
}

@test "exec: -t gives the process a terminal with our window size; -i passes stdin" {
	start_ctr c1
	run timeout 60 python3 "$PTY_DRIVE" "$BURROW" exec -t c1 sh -c 'tty; stty size; echo "TERM=$TERM"; [ -t 0 ] && echo stdin-is-a-tty' <<<wait
	is "$status" 0
	assert_match "$output" "/dev/pts/[0-9]+"
	assert_match "$output" "24 80" "the caller's window size"
	assert_match "$output" "TERM=xterm"
	assert_match "$output" "stdin-is-a-tty"
	assert_match "$output" "exit=0\$"
	# a new window size reaches it (SIGWINCH)
	run timeout 60 python3 "$PTY_DRIVE" "$BURROW" exec -it c1 sh <<'EOF'
expect #
resize 37 123
send until [ "$(stty size)" = "37 123" ]; do sleep 0.1; done; echo re''sized\r
expect resized
send exit\r
wait
EOF
	is "$status" 0
	assert_match "$output" "exit=0\$"
	# -it: what we type reaches it, its echo and output come back
	run timeout 60 python3 "$PTY_DRIVE" "$BURROW" exec -it c1 sh <<'EOF'
expect #
send echo typed-$((6*7))\r
expect typed-42
send exit 3\r
wait
EOF
	is "$status" 0
	assert_match "$output" "exit=3\$"
	assert_match "$output" "typed-42"
	# without a terminal of ours, a pty all the same
	run_burrow 0 exec -t c1 sh -c 'tty'
	assert_match "$output" "^/dev/pts/[0-9]+"
	run_burrow 0 exec c1 sh -c '[ -t 1 ] || echo not-a-tty'
	is "$output" "not-a-tty"
	# -i: stdin passed on; without it, empty
	run bash -c 'printf "line1\nline2\n" | timeout 60 "$BURROW" exec -i c1 sh -c "wc -l; cat"'
	is "$status" 0
	is "$output" "2"
	run bash -c 'echo never-read | timeout 60 "$BURROW" exec c1 cat'
	is "$status" 0
	is "$output" ""
}

@test "exec: -d returns at once and prints an ID; the process runs on" {
	start_ctr c1
	# a command substitution ends only when nothing holds its pipe: -d
	# keeps none of our fds (else it would end with the sleep, 29 s on)
	id=$(timeout 20 "$BURROW" exec -d c1 sh -c 'echo written-by-detached >/tmp/out; exec sleep 29')
	assert_match "$id" "^[0-9a-f]{64}$"
	wait_ps c1 "sleep 29"
	run_burrow 0 exec c1 cat /tmp/out
	is "$output" "written-by-detached"
	# with a terminal too: it runs on, its pty held open
	id=$(timeout 20 "$BURROW" exec -dt c1 sh -c 'exec sleep 201')
	assert_match "$id" "^[0-9a-f]{64}$"
	wait_ps c1 "sleep 201"
	run_burrow 0 exec c1 true
	wait_ps c1 "sleep 201" # no SIGHUP: its pty is held open
	# a command that cannot run is said at once
	run_burrow 127 exec -d c1 no-such-command
}

@test "exec: the container's seccomp filter, capabilities and no_new_privs apply; --privileged lifts them" {
	start_ctr c1
	fields='^(Seccomp|NoNewPrivs|CapEff|CapPrm|CapBnd|CapInh|CapAmb):'
	run_burrow 0 exec c1 sh -c "grep -E '$fields' /proc/1/status; echo; grep -E '$fields' /proc/self/status"
	init=${output%%$'\n\n'*}
	ours=${output#*$'\n\n'}
	is "$ours" "$init" "the exec'd process has other settings than the container's init"
	assert_match "$ours" "Seccomp:	2"
	assert_match "$ours" "NoNewPrivs:	1"
	# the same filter: every probe answers as in a container run afresh
	run_burrow 0 run --rm probe sh -c 'sysprobe all'
	in_run=$output
	run_burrow 0 exec c1 sysprobe all
	is "$output" "$in_run"
	is "$(probe_result "$output" add_key)" "ENOSYS"
	is "$(probe_result "$output" sethostname)" "EPERM"
	# another user: no capabilities
	if many_ids; then
		run_burrow 0 exec -u 1000 c1 grep -E '^Cap(Eff|Prm):' /proc/self/status
		is "$output" $'CapPrm:\t0000000000000000\nCapEff:\t0000000000000000'
	fi
	# --privileged: every capability of the namespace, no filter
	run_burrow 0 exec --privileged c1 sh -c "grep -E '$fields' /proc/self/status; sysprobe add_key sethostname"
	assert_match "$output" "Seccomp:	0"
	assert_match "$output" "NoNewPrivs:	0"
	bnd=$(sed -n 's/^CapBnd:\t//p' <<<"$output")
	is "$(sed -n 's/^CapEff:\t//p' <<<"$output")" "$bnd"
	is "$bnd" "$("$BURROW" unshare sed -n 's/^CapBnd:\t//p' /proc/self/status)" "not every capability there is"
	[ "$(probe_result "$output" add_key)" != ENOSYS ]
	is "$(probe_result "$output" sethostname)" "ok"
}

@test "exec: the process joins the container's session keyring, never the caller's" {
	command -v keyctl >/dev/null || need_or_fail "keyctl (Debian package keyutils)"
	start_ctr c1
	ctr_keyring=$("$BURROW" logs c1 | sed -n 1p)
	assert_match "$ctr_keyring" "^[0-9]+ [0-9a-f]{64}$"
	run --separate-stderr timeout 60 keyctl session - sh -c '
		keyctl add user burrow-secret TOPSECRET @s >/dev/null || exit 9
		keyctl print %user:burrow-secret
		"$0" exec c1 sysprobe find-key burrow-secret
		"$0" exec c1 sysprobe keyring
		"$0" exec -u "$1" c1 sysprobe keyring
	' "$BURROW" "$(many_ids && echo 1000 || echo 0)"
	[ "$status" -eq 0 ] || { echo "$output$stderr" >&2; return 1; }
	is "${lines[0]}" "TOPSECRET" "the caller reads its own key"
	is "${lines[1]}" "find-key: ENOKEY" "the exec'd process found the caller's key"
	is "${lines[2]}" "$ctr_keyring" "the exec'd process is in another keyring"
	is "${lines[3]}" "$ctr_keyring" "another user's exec is in another keyring"
}

@test "exec: into a container that is not running fails, naming its state" {
	run_burrow 0 run --name done busybox true
	run_burrow 125 exec done true
	is "$output" "burrow: cannot exec in container 'done': it is exited, not running"
	run_burrow 125 exec no-such-container true
	is "$output" "burrow: no such container 'no-such-container'"
	run_burrow 125 exec done
	is "$output" "burrow: exec: missing command to run in container 'done'"
	# one whose monitor was killed: found dead, and said so
	start_ctr c1
	id=$("$BURROW" ps --no-trunc -q)
	read -r mon start <"$XDG_RUNTIME_DIR/burrow/containers/$id/monitor.pid"
	run_burrow 0 exec c1 true
	kill -9 "$mon"
	wait_dead "$mon" "$start"
	run_burrow 125 exec c1 true
	assert_match "$output" "its monitor \(pid $mon\) died"
	assert_match "$output" "burrow: cannot exec in container 'c1': it is exited, not running"
}

@test "exec: --preserve-fds passes the caller's fds on; no other fd of ours reaches the process" {
	start_ctr c1
	echo "from fd 3" >"$T/f3"
	echo "from fd 4" >"$T/f4"
	run bash -c 'timeout 60 "$BURROW" exec --preserve-fds 2 c1 sh -c "cat <&3; cat <&4" 3<"$1" 4<"$2"' _ "$T/f3" "$T/f4"
	is "$status" 0
	is "$output" $'from fd 3\nfrom fd 4'
	# only 0-2 (and ls's own directory) without it, whatever we hold open
	run bash -c 'timeout 60 "$BURROW" exec c1 ls /proc/self/fd 3<"$1" 5<"$1" 7</' _ "$T/f3"
	is "$status" 0
	is "$(echo $output)" "0 1 2 3"
	# fds that are not open are refused, before anything is done
	run bash -c 'exec 3>&- 4>&-; timeout 60 "$BURROW" exec --preserve-fds 2 c1 true'
	is "$status" 125
	is "$output" "burrow: exec: --preserve-fds 2: file descriptor 3 is not open"
}

@test "exec: a working directory is resolved inside the container: no magic link leads out" {
	start_ctr c1
	mkdir -p "$T/outside"
	touch "$T/outside/host-file"
	run_burrow 0 exec c1 ln -s /proc/self/fd/3 /tmp/link
	for w in /proc/self/fd/3 /tmp/link /tmp/link/; do
		run bash -c 'timeout 60 "$BURROW" exec --preserve-fds 1 -w "$2" c1 ls 3<"$1"' _ "$T/outside" "$w"
		is "$status" 126 "-w $w"
		assert_no_match "$output" "host-file" "-w $w"
		assert_match "$output" "cannot change to the working directory"
	done
}

@test "exec: signals the caller gets reach the process" {
	start_ctr c1
	timeout 60 "$BURROW" exec c1 sh -c 'trap "echo got-term; exit 7" TERM; echo armed; while :; do sleep 0.1; done' \
		>"$T/sig.out" 2>&1 3>&- &
	local ex=$! i
	for i in $(seq 600); do grep -q armed "$T/sig.out" && break; sleep 0.05; done
	grep -q armed "$T/sig.out"
	kill -TERM "$ex"
	st=0
	wait "$ex" || st=$?
	is "$st" 7
	is "$(cat "$T/sig.out")" $'armed\ngot-term'
}

@test "exec: -it detaches on ctrl-p,ctrl-q (or --detach-keys), leaving the process running" {
	start_ctr c1
	run timeout 60 python3 "$PTY_DRIVE" "$BURROW" exec -it c1 sh <<'EOF'
expect #
send echo go-$((40+2)); exec sleep 202\r
expect go-42
send \x10\x11
wait
EOF
	is "$status" 0
	assert_match "$output" "exit=0\$"
	wait_ps c1 "sleep 202"
	# other keys; the default ones then pass through
	run timeout 60 python3 "$PTY_DRIVE" "$BURROW" exec -it --detach-keys x,y c1 sh <<'EOF'
expect #
send \x10\x11echo still-$((40+2))\r
expect still-42
send exec sleep 203\r
expect sleep 203
send xy
wait
EOF
	is "$status" 0
	assert_match "$output" "exit=0\$"
	wait_ps c1 "sleep 203"
	run_burrow 125 exec -it --detach-keys ctrl-xx c1 true
	assert_match "$output" "invalid detach keys 'ctrl-xx'"
}

@test "exec: without pidfds (a kernel before 5.3) the namespaces are found through /proc" {
	start_ctr c1
	run timeout 60 "$HELPERS_BIN/rt-run" -P -- "$BURROW" exec c1 sh -c 'for n in pid mnt net uts ipc cgroup; do
		[ "$(readlink /proc/1/ns/$n)" = "$(readlink /proc/self/ns/$n)" ] && echo "same $n"
	done; exit 5'
	is "$status" 5
	is "$(echo $output)" "same pid same mnt same net same uts same ipc same cgroup"
}

@test "exec: the process exec starts is out of the container's reach from its birth (a root with CAP_SYS_PTRACE watching for it)" {
	local i
	echo "host-only" >"$BATS_TEST_TMPDIR/host-marker"
	run_burrow 0 run -d --name spy --cap-add SYS_PTRACE probe sh -c "sysprobe proc-root $BATS_TEST_TMPDIR/host-marker 60; sleep 60"
	wait_logs spy 'proc-root: ready'
	for i in $(seq 30); do
		"$BURROW" exec spy true >/dev/null 2>&1 || true
	done
	run_burrow 0 logs spy
	"$BURROW" rm -f -t 0 spy >/dev/null 2>&1 || true
	assert_match "$output" "proc-root: ready"
	assert_no_match "$output" "reached"
}
