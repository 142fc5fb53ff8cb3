#!/usr/bin/env bats
# OCI hooks (oci-hooks(5)): burrow --hooks-dir, the stages, the when
# conditions, failures and timeouts.

load helpers

suite_setup() {
	import_busybox
	HOOKS=$T/hooks
	mkdir -p "$HOOKS"
	# the hook: appends its argument and the state JSON it got on stdin
	# to the file named first (hooks get only the environment they name)
	cat >"$T/hook.sh" <<-'EOF'
		#!/bin/sh
		out=$1
		shift
		{ printf '%s ' "$*"; cat; echo; } >>"$out"
	EOF
	chmod +x "$T/hook.sh"
}

# hook_file NAME STAGES WHEN [ARG]: a hook file in $HOOKS
hook_file() {
	cat >"$HOOKS/$1.json" <<-EOF
		{"version": "1.0.0",
		 "hook": {"path": "$T/hook.sh", "args": ["hook.sh", "$T/out", "${4:-$1}"]},
		 "when": $3,
		 "stages": $2}
	EOF
}

# field KEY LINE: the string or number value of "KEY" in a state line
field() {
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$2"
}

# fds_hook STAGES: a hook at STAGES that appends what each of its fds is
# (readlink) to $T/fds
fds_hook() {
	cat >"$T/fds.sh" <<-'EOF'
		#!/bin/sh
		for f in /proc/$$/fd/*; do readlink "$f"; done >>"$1"
		exit 0 # the last readlink may be of the glob's own fd, gone
	EOF
	chmod +x "$T/fds.sh"
	cat >"$HOOKS/fds.json" <<-EOF
		{"version": "1.0.0",
		 "hook": {"path": "$T/fds.sh", "args": ["fds.sh", "$T/fds"]},
		 "when": {"always": true},
		 "stages": $1}
	EOF
}

@test "hooks: prestart, poststart and poststop get the state JSON on stdin; poststop runs after the end" {
	hook_file all '["prestart", "poststart", "poststop"]' '{"always": true}'
	run_burrow 0 --hooks-dir "$HOOKS" run --name h busybox sh -c 'echo ran'
	is "$output" ran
	run_burrow 0 inspect --format '{{.Id}}' h
	local id=$output
	mapfile -t got <"$T/out"
	is "${#got[@]}" 3 "one line for each stage"
	is "$(field status "${got[0]}") $(field id "${got[0]}")" "created $id"
	is "$(field status "${got[1]}") $(field id "${got[1]}")" "running $id"
	is "$(field status "${got[2]}") $(field id "${got[2]}")" "stopped $id"
	assert_match "$(field pid "${got[0]}")" '^[0-9]+$'
	is "$(field pid "${got[0]}")" "$(field pid "${got[1]}")" "the same init"
	assert_match "$(field bundle "${got[0]}")" "/containers/$id\$"
	is "${got[0]%% *}" all
	# the hooks dir is the container's: a later start runs them again
	rm "$T/out"
	run_burrow 0 start -a h
	is "$(wc -l <"$T/out")" 3
}

@test "hooks: a hook gets none of the fds --preserve-fds passes on: they are the container's alone; nor the container's log the monitor writes" {
	fds_hook '["prestart", "poststart"]'
	echo passed >"$T/f3"
	run bash -c 'timeout 60 "$BURROW" --hooks-dir "$1" run -d --name pf --preserve-fds 1 busybox cat /proc/self/fd/3 3<"$2"' _ "$HOOKS" "$T/f3"
	is "$status" 0
	run_burrow 0 wait pf
	is "$output" "0"
	run_burrow 0 logs pf
	is "$output" "passed" "the container has it"
	# both hooks ran (each lists its stdin at least), neither had the file
	run grep -c "^/" "$T/fds"
	assert_match "$output" "^[0-9]+$"
	[ "$output" -ge 2 ] || is "$output" "2 or more" "lines of the two hooks"
	run grep -cF "$T/f3" "$T/fds"
	is "$output" "0" "no hook holds the container's fd"
	# nor the monitor's own files: the container's log
	run grep -c "/ctr\.log\$" "$T/fds"
	is "$output" "0" "no hook holds the container's log"
}

@test "hooks: a hook gets no fd beyond stdio even when a monitor fd is not close-on-exec" {
	fds_hook '["prestart", "poststart", "poststop"]'
	echo planted >"$T/f3"
	# the knob leaves --preserve-fds' fd 3 inheritable in the monitor: only
	# the close in the hook's child keeps it from the hooks
	run env BURROW_TEST_MONITOR_FDS_INHERITABLE=1 timeout 60 "$BURROW" --hooks-dir "$HOOKS" \
		run --name pl --preserve-fds 1 busybox cat /proc/self/fd/3 3<"$T/f3"
	is "$status" 0
	is "$output" "planted" "the container has it"
	# the three hooks ran (each lists its stdin at least), none had the file
	run grep -c "^/" "$T/fds"
	assert_match "$output" "^[0-9]+$"
	[ "$output" -ge 3 ] || is "$output" "3 or more" "lines of the three hooks"
	run grep -cF "$T/f3" "$T/fds"
	is "$output" "0" "no hook holds the monitor's inheritable fd"
}

@test "hooks: a poststop hook gets no socket of a published port's connection (port_handler=slirp, whose sockets libslirp makes)" {
	fds_hook '["poststop"]'
	run_burrow 0 --hooks-dir "$HOOKS" run -d --name sk --network slirp:port_handler=slirp -p 127.0.0.1::8080 \
		busybox nc -l -p 8080 -e sh -c 'echo hello; exec sleep 1000'
	run_burrow 0 port sk 8080/tcp
	local port=${output##*:} line= i
	# a connection the container's server answered: libslirp's socket for
	# it is open in the monitor (retried while the server is not up yet)
	for i in $(seq 60); do
		exec 5<>"/dev/tcp/127.0.0.1/$port" || true
		line=
		read -r -t 30 line <&5 || true
		[ "$line" = hello ] && break
		exec 5<&-
		sleep 0.5
	done
	is "$line" hello "the container's server answered"
	run_burrow 0 stop -t 0 sk
	exec 5<&-
	run grep -c "^/" "$T/fds"
	[ "$output" -ge 1 ] || is "$output" "1 or more" "lines of the hook"
	run grep -c "^socket:" "$T/fds"
	is "$output" "0" "no socket of the monitor's in the hook"
}

@test "hooks: when.commands, when.annotations, when.hasBindMounts and always=false match or not" {
	hook_file cmd '["prestart"]' '{"commands": ["^/bin/echo$", "sleep"]}'
	hook_file ann '["prestart"]' '{"annotations": {"^org\\.burrow\\.dept$": "fluid"}}'
	hook_file bind '["prestart"]' '{"hasBindMounts": true}'
	hook_file never '["prestart"]' '{"always": false}'
	hook_file both '["prestart"]' '{"always": true, "commands": ["^true$"]}'
	run_burrow 0 --hooks-dir "$HOOKS" run --rm busybox /bin/echo hi
	is "$(cut -d' ' -f1 "$T/out" | tr '\n' ' ')" "cmd "
	rm "$T/out"
	run_burrow 0 --hooks-dir "$HOOKS" run --rm --annotation org.burrow.dept=fluid-dynamics busybox true
	is "$(cut -d' ' -f1 "$T/out" | tr '\n' ' ')" "ann both "
	rm "$T/out"
	run_burrow 0 --hooks-dir "$HOOKS" run --rm --annotation org.burrow.other=fluid -v "$T:/mnt" busybox sleep 0
	is "$(cut -d' ' -f1 "$T/out" | tr '\n' ' ')" "bind cmd "
	rm "$T/out"
	# none at all
	run_burrow 0 --hooks-dir "$HOOKS" run --rm busybox sh -c 'exit 0'
	[ ! -e "$T/out" ]
}

@test "hooks: a later --hooks-dir masks a file of the same name; hooks run in file-name order" {
	hook_file b '["prestart"]' '{"always": true}'
	hook_file a '["prestart"]' '{"always": true}'
	mkdir "$T/hooks2"
	cat >"$T/hooks2/b.json" <<-EOF
		{"version": "1.0.0", "hook": {"path": "$T/hook.sh", "args": ["hook.sh", "$T/out", "b2"]},
		 "when": {"always": true}, "stages": ["prestart"]}
	EOF
	run_burrow 0 --hooks-dir "$HOOKS" --hooks-dir "$T/hooks2" run --rm busybox true
	is "$(cut -d' ' -f1 "$T/out" | tr '\n' ' ')" "a b2 "
}

@test "hooks: a failing prestart hook fails the run (126), a failing poststart or poststop is a warning on the terminal and in the monitor's log" {
	cat >"$T/fail.sh" <<-'EOF'
		#!/bin/sh
		exit 3
	EOF
	chmod +x "$T/fail.sh"
	cat >"$HOOKS/fail.json" <<-EOF
		{"version": "1.0.0", "hook": {"path": "$T/fail.sh"}, "when": {"commands": ["^true$"]}, "stages": ["prestart"]}
	EOF
	run_burrow 126 --hooks-dir "$HOOKS" run --name f busybox true
	assert_match "$output" "prestart: hook '$T/fail.sh' \\($HOOKS/fail.json\\) failed: it exited with 3"
	cat >"$HOOKS/fail.json" <<-EOF
		{"version": "1.0.0", "hook": {"path": "$T/fail.sh"}, "when": {"always": true}, "stages": ["poststop"]}
	EOF
	local warned="burrow: warning: container 'p': poststop: hook '$T/fail.sh' \\($HOOKS/fail.json\\) failed: it exited with 3"
	timeout 60 "$BURROW" --hooks-dir "$HOOKS" run --name p busybox echo hello >"$T/p.out" 2>"$T/p.err"
	is "$(cat "$T/p.out")" hello
	# the foreground command passes the monitor's warning on (stderr)
	assert_match "$(cat "$T/p.err")" "^$warned$"
	# and it is in the monitor's log
	run_burrow 0 inspect --format '{{.Id}}' p
	run cat "$XDG_DATA_HOME/burrow/containers/$output/monitor.log"
	assert_match "$output" "poststop: hook '$T/fail.sh' \\($HOOKS/fail.json\\) failed: it exited with 3"
	# poststart: said to the starting command, run -d's too
	sed -i 's/poststop/poststart/' "$HOOKS/fail.json"
	run_burrow 0 --hooks-dir "$HOOKS" run --name ps1 busybox echo hi
	assert_match "$output" "poststart: hook '$T/fail.sh' \\($HOOKS/fail.json\\) failed: it exited with 3"
	assert_match "$output" "hi"
	run_burrow 0 --hooks-dir "$HOOKS" run -d --name ps2 busybox true
	assert_match "$output" "warning: container 'ps2': poststart: hook '$T/fail.sh'"
}

@test "hooks: a hook's timeout is enforced" {
	cat >"$T/slow.sh" <<-'EOF'
		#!/bin/sh
		exec sleep 29.5
	EOF
	chmod +x "$T/slow.sh"
	cat >"$HOOKS/slow.json" <<-EOF
		{"version": "1.0.0", "hook": {"path": "$T/slow.sh", "timeout": 1}, "when": {"always": true}, "stages": ["prestart"]}
	EOF
	run_burrow 126 --hooks-dir "$HOOKS" run --rm busybox true
	assert_match "$output" "prestart: hook '$T/slow.sh' \\($HOOKS/slow.json\\) timed out after 1 s"
	# the hook was killed: no sleep of it left
	run pgrep -f "sleep 29.5" -u "$(id -u)"
	assert_no_match "$output" "[0-9]"
}

@test "hooks: an invalid hook file is skipped with a warning naming it" {
	echo '{"version": "1.0.0", "hook": {"path": "rel"}, "when": {"always": true}, "stages": ["prestart"]}' >"$HOOKS/rel.json"
	echo 'not json' >"$HOOKS/broken.json"
	echo '{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {"always": true}, "stages": ["prestop"]}' >"$HOOKS/pre.json"
	echo '{"version": "2.0.0", "hook": {"path": "/bin/true"}, "when": {"always": true}, "stages": ["prestart"]}' >"$HOOKS/v2.json"
	hook_file ok '["prestart"]' '{"always": true}'
	echo 'not a hook file' >"$HOOKS/README"
	run_burrow 0 --hooks-dir "$HOOKS" run --rm busybox echo hi
	assert_match "$output" "skipping the hook file '$HOOKS/rel.json': hook.path: an absolute path is required"
	assert_match "$output" "skipping the hook file '$HOOKS/broken.json'"
	assert_match "$output" "skipping the hook file '$HOOKS/pre.json': stages: unknown or unsupported stage 'prestop'"
	assert_match "$output" "skipping the hook file '$HOOKS/v2.json': unknown version '2.0.0'"
	assert_no_match "$output" README
	is "${lines[-1]}" hi
	is "$(cut -d' ' -f1 "$T/out")" ok
}

# precreate_hook NAME [WHEN] <<<JQ: a precreate hook that saves the
# configuration it reads to $T/NAME.in and prints it changed by the jq
# filter on stdin ($T is the test's directory there; hooks get no PATH:
# jq by its path)
precreate_hook() {
	local jq when=${2:-'{"always": true}'}
	jq=$(command -v jq) || need_or_fail "jq"
	cat >"$T/$1.jq"
	printf '#!/bin/sh\ntee %q | %q --arg T %q -f %q\n' "$T/$1.in" "$jq" "$T" "$T/$1.jq" >"$T/$1.sh"
	chmod +x "$T/$1.sh"
	cat >"$HOOKS/$1.json" <<-EOF
		{"version": "1.0.0", "hook": {"path": "$T/$1.sh"}, "when": $when, "stages": ["precreate"]}
	EOF
}

@test "hooks: precreate gets the configuration and its changes to args, env, cwd, annotations and mounts are used" {
	mkdir "$T/src"
	echo from-host >"$T/src/f"
	precreate_hook a <<<'.process.env += ["FROM_HOOK=a"] | .annotations["org.hook"] = "yes"'
	precreate_hook b <<-'EOF'
		.process.args = ["sh", "-c", "echo $FROM_HOOK; cat /hooked/f; pwd; touch /hooked/f 2>/dev/null || echo ro; grep -c /scratch /proc/mounts"]
		| .process.cwd = "/tmp"
		| .mounts += [{"destination": "/hooked", "type": "bind", "source": ($T + "/src"), "options": ["rbind", "ro"]},
		              {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]
	EOF
	run_burrow 0 --hooks-dir "$HOOKS" run --name p --annotation org.mine=1 -v "$T:/mnt" busybox echo ignored
	is "$output" "a
from-host
/tmp
ro
1"
	# the first got burrow's configuration; the second what the first printed
	is "$(jq -c '.process.args' "$T/a.in")" '["echo","ignored"]'
	is "$(jq -r '.mounts[0].destination + " " + .mounts[0].source' "$T/a.in")" "/mnt $T"
	is "$(jq -r '.annotations["org.mine"]' "$T/a.in")" 1
	is "$(jq -r '.annotations["org.hook"]' "$T/b.in")" yes
	# stored as the container's own: inspect shows them, a start keeps them
	run_burrow 0 inspect --format '{{index .Config.Annotations "org.hook"}} {{.Config.WorkingDir}}' p
	is "$output" "yes /tmp"
	run_burrow 0 inspect --format '{{range .Mounts}}{{.Destination}} {{end}}' p
	assert_match "$output" "/hooked"
	rm "$T/a.in" "$T/b.in"
	run_burrow 0 start -a p
	is "${lines[1]}" from-host
	[ ! -e "$T/a.in" ] || {
		echo "precreate ran again at start" >&2
		false
	}
}

@test "hooks: a precreate hook's mount at the container's own destination, spelt with a trailing '/', leaves it as it is" {
	mkdir "$T/src"
	echo from-host >"$T/src/f"
	precreate_hook a <<<'.mounts += [{"destination": "/data/", "type": "tmpfs", "source": "tmpfs"}]'
	run_burrow 0 --hooks-dir "$HOOKS" run --name p -v "$T/src:/data" busybox sh -c 'cat /data/f; grep -c " /data " /proc/mounts'
	is "$output" "from-host
1"
}

# refused WANT <<<JQ: a create whose precreate hook prints the result of
# JQ fails (125) with a message matching WANT
refused() {
	precreate_hook bad
	run_burrow 125 --hooks-dir "$HOOKS" create --name c -v vol:/data busybox true
	assert_match "$output" "$1"
}

@test "hooks: a precreate hook's output is checked as the user's input; refused, nothing is created" {
	refused "precreate: hook '$T/bad.sh' \\($HOOKS/bad.json\\) printed a configuration burrow refuses: mounts: '/p': only bind and tmpfs" \
		<<<'.mounts += [{"destination": "/p", "type": "proc", "source": "proc"}]'
	# a source that is not an absolute path (else a named volume is made)
	refused "mounts: '/v': a bind mount needs an absolute source" \
		<<<'.mounts += [{"destination": "/v", "type": "bind", "source": "myvol"}]'
	# burrow's own options (chown the host's source) are not taken from a hook
	refused "option 'U' is not taken" <<<'.mounts += [{"destination": "/v", "type": "bind", "source": $T, "options": ["U"]}]'
	# the checks of -v: a missing source, an unknown option, over '/'
	refused "/nonexistent/dir" <<<'.mounts += [{"destination": "/v", "type": "bind", "source": "/nonexistent/dir"}]'
	refused "unknown option 'bogus'" <<<'.mounts += [{"destination": "/v", "type": "bind", "source": $T, "options": ["bogus"]}]'
	refused "cannot mount over the container's '/'" <<<'.mounts += [{"destination": "/", "type": "bind", "source": $T}]'
	refused "process.env: 'NOEQUALS' is not NAME=VALUE" <<<'.process.env = ["NOEQUALS"]'
	refused "process.args: not a non-empty array" <<<'.process.args = []'
	refused "process.cwd: not an absolute path" <<<'.process.cwd = "tmp"'
	refused "refuses: not a JSON object" <<<'"not an object"'
	printf '#!/bin/sh\necho not json\n' >"$T/bad.sh"
	run_burrow 125 --hooks-dir "$HOOKS" create --name c busybox true
	assert_match "$output" "precreate: hook '$T/bad.sh'"
	printf '#!/bin/sh\nexit 4\n' >"$T/bad.sh"
	run_burrow 125 --hooks-dir "$HOOKS" create --name c busybox true
	assert_match "$output" "precreate: hook '$T/bad.sh' \\($HOOKS/bad.json\\) failed: it exited with 4"
	run_burrow 0 ps -a -q
	is "$output" "" "no container created"
	run_burrow 0 volume ls -q
	is "$output" "" "the volume made for it removed again"
	# a hook whose conditions do not hold is not run
	precreate_hook bad '{"commands": ["^nomatch$"]}' <<<'"not an object"'
	run_burrow 0 --hooks-dir "$HOOKS" run --rm busybox echo ok
	is "$output" ok
}
