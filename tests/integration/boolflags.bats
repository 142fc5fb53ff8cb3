#!/usr/bin/env bats
# podman's boolean flags take a value after '=' (pflag's: --rm=false,
# -d=1, -it=false is -i and -t=false), the last one given wins, a value
# that is not a boolean is 125 with one line, and the command line stays
# as it was written (run stores it for generate systemd --new).

load helpers

suite_setup() {
	import_busybox
}

@test "boolflags: run --rm=false keeps the container, --rm=true removes it, the last one wins" {
	run_burrow 0 run --rm=false --name kept busybox true
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "kept"
	run_burrow 0 run --rm --rm=false --name kept2 busybox true
	run_burrow 0 ps -a --format '{{.Names}}' --filter name=kept2
	is "$output" "kept2"
	run_burrow 0 run --rm=true --name gone busybox true
	run_burrow 0 run --rm=false --rm=1 --name gone2 busybox true
	run_burrow 0 ps -a --format '{{.Names}}' --sort names
	is "$output" "$(printf 'kept\nkept2')"
	# ps -a=BOOL: the stopped ones with true, none with false
	run_burrow 0 ps -a=true --format '{{.Names}}' --sort names
	is "$output" "$(printf 'kept\nkept2')"
	run_burrow 0 ps -a=false --format '{{.Names}}'
	is "$output" ""
	run_burrow 0 ps --all=F --format '{{.Names}}'
	is "$output" ""
}

@test "boolflags: -d=false runs in the foreground, -d=1 detaches" {
	run_burrow 0 run --rm -d=false busybox echo in front
	is "$output" "in front"
	run_burrow 0 run -d=1 --name bg busybox true
	assert_match "$output" '^[0-9a-f]{64}$'
	run_burrow 0 wait bg
	is "$output" "0"
}

@test "boolflags: -i=false passes no stdin, -i=true does; -it=false is -i with -t=false" {
	out=$(echo piped | timeout 60 "$BURROW" run --rm -i=false busybox cat)
	is "$out" ""
	out=$(echo piped | timeout 60 "$BURROW" run --rm -i=true busybox cat)
	is "$out" "piped"
	out=$(echo piped | timeout 60 "$BURROW" run --rm -it=false busybox sh -c 'cat; [ -t 1 ] || echo no-tty')
	is "$out" "$(printf 'piped\nno-tty')"
}

@test "boolflags: --read-only=true refuses a write, --read-only=false allows it; --read-only-tmpfs=false turns a default-true flag off" {
	run_burrow 1 run --rm --read-only=true busybox touch /file
	assert_match "$output" "Read-only file system"
	run_burrow 0 run --rm --read-only=false busybox touch /file
	run_burrow 0 run --rm --read-only busybox touch /tmp/file
	run_burrow 1 run --rm --read-only --read-only-tmpfs=false busybox touch /tmp/file
	assert_match "$output" "Read-only file system"
}

@test "boolflags: a value that is not a boolean is 125 with one line naming the flag and the value; nothing is created" {
	run_burrow 125 run --rm=maybe --name bad busybox true
	is "$output" "burrow: run: invalid --rm 'maybe' (true or false)"
	run_burrow 125 run -d=yes --name bad busybox true
	is "$output" "burrow: run: invalid -d 'yes' (true or false)"
	run_burrow 125 run -it=2 --name bad busybox true
	is "$output" "burrow: run: invalid -t '2' (true or false)"
	run_burrow 125 run --privileged= --name bad busybox true
	is "$output" "burrow: run: invalid --privileged '' (true or false)"
	run_burrow 125 ps -a=maybe
	is "$output" "burrow: ps: invalid -a 'maybe' (true or false)"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" ""
	# --flag false is not a value: false is then the image
	run_burrow 125 run --rm false
	assert_match "$output" "short name 'false' did not resolve"
}

@test "boolflags: the command keeps its arguments as written: after the image, and in the stored create command" {
	run_burrow 0 run --rm busybox echo -it=1 -d=false
	is "$output" "-it=1 -d=false"
	run_burrow 0 run -i=false -e A=1 --name cc busybox true
	run_burrow 0 inspect --format '{{.Config.CreateCommand}}' cc
	assert_match "$output" " run -i=false -e A=1 --name cc busybox true\]$"
	# a short flag's value after '=' is still its own (-e=A=b)
	run_burrow 0 run --rm -e=B=2 -i=0 busybox sh -c 'echo $B'
	is "$output" "2"
	# a "--" that is a flag's value ends no options (pflag's): -d=1 after
	# it is read, and what follows a real "--" stays as written
	run_burrow 0 run -l -- -d=1 --name dd busybox sleep 1000
	run_burrow 0 inspect --format '{{.State.Running}} {{.Config.Labels}}' dd
	is "$output" "true map[--:]"
	run_burrow 0 rm -f -t 0 dd
	run_burrow 0 run --rm -- busybox echo -d=1 -it=0
	is "$output" "-d=1 -it=0"
}

@test "boolflags: generate systemd --new drops --rm=false and -d=true from the create command, the unit runs --rm -d" {
	run_burrow 0 run --rm=false -d=true --name unit busybox sleep 1000
	run_burrow 0 generate systemd --new unit
	assert_match "$output" "run \\\\"
	assert_no_match "$output" "--rm=false"
	assert_no_match "$output" "-d=true"
	assert_match "$output" "	--rm \\\\"
	assert_match "$output" "	-d \\\\"
	run_burrow 0 rm -f -t 0 unit
}

@test "boolflags: exec -i=false passes no stdin, -i=1 does; rm -f=false refuses a running container, -f=true removes it" {
	run_burrow 0 run -d --name up busybox sleep 1000
	out=$(echo piped | timeout 60 "$BURROW" exec -i=false up cat)
	is "$out" ""
	out=$(echo piped | timeout 60 "$BURROW" exec -i=1 up cat)
	is "$out" "piped"
	run_burrow 2 rm -f=false up
	assert_match "$output" "running"
	run_burrow 0 rm -f=true -t 0 up
	run_burrow 0 ps -a -q
	is "$output" ""
}

@test "boolflags: --help=false is no --help (the command runs), --help=1 is; before the command too" {
	run_burrow 0 run --name h1 busybox true
	run_burrow 0 ps -a --help=false --format '{{.Names}}'
	is "$output" "h1"
	run_burrow 0 ps --help=0 -a --format '{{.Names}}'
	is "$output" "h1"
	run_burrow 0 volume ls --help=false --format '{{.Name}}'
	is "$output" ""
	run_burrow 0 volume --help=false ls --format '{{.Name}}'
	is "$output" ""
	run_burrow 0 ps --help=1 -a
	assert_match "${lines[0]}" "^Usage: burrow ps "
	run_burrow 0 --help=false --log-level=error ps -a --format '{{.Names}}'
	is "$output" "h1"
	run_burrow 0 --help=true ps
	assert_match "${lines[0]}" "^Usage: burrow ps "
	# the last one wins (pflag's): --help --help=false runs the command
	run_burrow 0 ps -a --help --help=false --format '{{.Names}}'
	is "$output" "h1"
	run_burrow 0 --help --help=false ps -a --format '{{.Names}}'
	is "$output" "h1"
	run_burrow 0 ps --help=false -a --help
	assert_match "${lines[0]}" "^Usage: burrow ps "
	# every option is read first: an unknown one beside --help is an error
	run_burrow 125 ps --help --no-such-flag
	is "$output" "burrow: ps: unknown flag '--no-such-flag'"
	# nothing but --help=false: no command, as none at all
	run_burrow 125 --help=false
	assert_match "${lines[0]}" "^Usage: burrow "
	run_burrow 125 ps --help=maybe
	is "$output" "burrow: ps: invalid --help 'maybe' (true or false)"
	run_burrow 125 --help=maybe ps
	is "$output" "burrow: invalid --help 'maybe' (true or false)"
	# before a subcommand it is the subcommand's (podman's container
	# --help ls), read with its options; the family's before one it lacks
	run_burrow 0 volume --help ls
	assert_match "${lines[0]}" "^Usage: burrow volume ls "
	run_burrow 0 container --help top
	assert_match "${lines[0]}" "^Usage: burrow top "
	run_burrow 0 container --help ls --help=false -a --format '{{.Names}}'
	is "$output" "h1"
	run_burrow 0 volume --help nosuchsub
	assert_match "${lines[0]}" "^Usage: burrow volume "
}

@test "boolflags: a verb's own boolean =false is as if it were not given: images --history, commit --include-volumes, stats --no-trunc" {
	run_burrow 0 images --history=false
	assert_match "${lines[0]}" "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$" "images --history=false: no HISTORY column"
	run_burrow 0 run --name bv -v bfvol:/data busybox true
	run_burrow 0 commit --include-volumes=false bv localhost/novols
	run_burrow 0 image inspect --format '{{json .Config.Volumes}}' localhost/novols
	assert_no_match "$output" "data" "commit --include-volumes=false: no volume"
	run_burrow 0 run -d --name bs busybox sleep 600
	wait_state bs "^Up"
	run_burrow 0 inspect --format '{{.Id}}' bs
	local id=$output
	run_burrow 0 stats --no-stream --no-trunc=false --format '{{.ID}}' bs
	is "$output" "${id:0:12}" "stats --no-trunc=false: the short ID"
	run_burrow 0 rm -f -t 0 bs bv
}

@test "boolflags: =false is as if not given: rm, rmi and secret rm --ignore, images and ps -q, logs -t, secret create --replace" {
	# a name that is not there: an error without --ignore, none with it
	run_burrow 1 rm --ignore=false boolguard-none
	assert_match "$output" "boolguard-none" "rm --ignore=false: the missing container named"
	run_burrow 0 rm --ignore boolguard-none
	run_burrow 1 rmi -i=false boolguard-none
	assert_match "$output" "boolguard-none" "rmi -i=false: the missing image named"
	run_burrow 125 secret rm --ignore=false boolguard-none
	assert_match "$output" "boolguard-none" "secret rm --ignore=false: the missing secret named"
	# -q=false: the table, not the IDs
	run_burrow 0 images -q=false
	assert_match "${lines[0]}" "^REPOSITORY +TAG +IMAGE ID" "images -q=false: the table"
	run_burrow 0 run --name blog busybox echo hello
	run_burrow 0 ps -a --quiet=false
	assert_match "${lines[0]}" "^CONTAINER ID +IMAGE" "ps --quiet=false: the table"
	run_burrow 0 logs -t=false blog
	is "$output" "hello" "logs -t=false: no timestamps"
	# --replace=false: a secret of that name is there, refused as without it
	printf 'one' | timeout 30 "$BURROW" secret create bsec - >/dev/null
	run bash -c "printf two | timeout 30 '$BURROW' secret create --replace=false bsec -"
	is "$status" 125 "secret create --replace=false of a name in use"
	run_burrow 0 secret rm bsec
	run_burrow 0 rm blog
}

@test "boolflags: =false is as if not given: stop, wait and volume rm of a missing name, images and ps --noheading, rm --volumes" {
	run_burrow 125 stop --ignore=false boolguard-none
	assert_match "$output" "boolguard-none" "stop --ignore=false: the missing container named"
	run_burrow 125 wait --ignore=false boolguard-none
	assert_match "$output" "boolguard-none" "wait --ignore=false: the missing container named"
	run_burrow 1 volume rm --force=false boolguard-none
	assert_match "$output" "boolguard-none" "volume rm --force=false: the missing volume named"
	run_burrow 0 images --noheading=false
	assert_match "${lines[0]}" "^REPOSITORY +TAG" "images --noheading=false: the header"
	run_burrow 0 ps -a --noheading=false
	assert_match "${lines[0]}" "^CONTAINER ID" "ps --noheading=false: the header"
	# --volumes=false: the anonymous volume stays, as without -v
	run_burrow 0 run --name bvol -v /data busybox true
	run_burrow 0 inspect --format '{{range .Mounts}}{{.Name}}{{end}}' bvol
	local vol=$output
	assert_match "$vol" "^[0-9a-f]{64}$" "bvol's anonymous volume"
	run_burrow 0 rm --volumes=false bvol
	run_burrow 0 volume ls -q
	assert_match "$output" "$vol" "rm --volumes=false: the anonymous volume kept"
	run_burrow 0 volume rm "$vol"
}

@test "boolflags: run's booleans =false are as without them (what the container sees), and =true differs" {
	# what a container can see of each flag: its /etc/hosts, /etc/hostname,
	# its capabilities, an environment variable of the host, pid 1, a write
	# to /
	# (less the container's random name in /etc/hosts)
	local probe='sed "s/ [^ ]*_[^ ]*$//" /etc/hosts; test -e /etc/hostname && echo hostname-file; grep CapEff /proc/self/status
echo "var=$BOOLGUARD_VAR"; echo "pid1=$(cat /proc/1/comm)"; touch /w 2>/dev/null && echo writable; echo end'
	export BOOLGUARD_VAR=from-host
	run_burrow 0 run --rm --network none --hostname bg busybox sh -c "$probe"
	local base=$output
	assert_match "$base" "end$" "the probe ran"
	local f
	for f in --no-hosts --no-hostname --privileged --env-host --init --read-only; do
		run_burrow 0 run --rm --network none --hostname bg "$f=false" busybox sh -c "$probe"
		is "$output" "$base" "run $f=false: as without it"
		run_burrow 0 run --rm --network none --hostname bg "$f=true" busybox sh -c "$probe"
		if [ "$output" = "$base" ]; then
			echo "run $f=true: the probe sees no difference (it would not see $f=false taken as $f)"
			return 1
		fi
	done
}

@test "boolflags: -l=false with a container is that container, as without -l (with -l, 125): inspect, logs, diff, wait, stop, rm" {
	run_burrow 0 run --name blat busybox echo latest-false
	local v
	for v in inspect logs diff wait stop rm; do
		# -l and a container cannot go together
		run_burrow 125 "$v" -l blat
		run_burrow 0 "$v" -l=false blat
	done
	run_burrow 1 container exists blat
}

@test "boolflags: -l=false and --all=false with a container are as without them (with either, 125): port, mount, unmount, stats, pause, unpause, restart, kill, init, start, exec" {
	run_burrow 0 run -d --name up busybox sleep 1000
	# one created container for each pass's init and start; the latest
	# is never running (exec -l would pick it)
	run_burrow 0 create --name made-l busybox sleep 1000
	run_burrow 0 create --name made-all busybox sleep 1000
	local f v
	for f in -l --all; do
		for v in "port up" "mount up" "unmount up" "stats --no-stream up" "pause up" "unpause up" \
			"restart -t 0 up" "kill -s CONT up" "init made-${f//-/}" "start made-${f//-/}" "exec up true"; do
			set -- $v
			[ "$1$f" = exec--all ] && continue # exec has no --all
			run_burrow 125 "$1" "$f" "${@:2}"
			run_burrow 0 "$1" "$f=false" "${@:2}"
		done
	done
	run_burrow 0 ps --format '{{.Names}} {{.State}}' --sort names
	is "$output" "made-all running
made-l running
up running"
}

# probe_lines: the first two lines of $output (the table's header and
# first row, or with --format what it prints) as boolean_probe compares
# them: the words of each, without the times ("3 seconds ago", "Less
# than a second ago"), which change between two runs and with them the
# widths of the columns
probe_lines() {
	printf '%s\n%s\n' "${lines[0]:-}" "${lines[1]:-}" |
		sed -E 's/(Less than a second|About an? [a-z]+|[0-9]+ [a-z]+) ago//g; s/ +/ /g'
}

# boolean_probe FLAG VERB [ARG...]: VERB FLAG=false ARGS prints what VERB
# ARGS prints (probe_lines), and VERB FLAG ARGS differs
boolean_probe() {
	local flag=$1 verb=$2 want
	shift 2
	run_burrow 0 "$verb" "$@"
	want=$(probe_lines)
	run_burrow 0 "$verb" "$flag=false" "$@"
	is "$(probe_lines)" "$want" "$verb $flag=false: as without it"
	run_burrow 0 "$verb" "$flag" "$@"
	if [ "$(probe_lines)" = "$want" ]; then
		echo "$verb $flag: as without it (it would not see $flag=false taken as $flag)"
		return 1
	fi
}

@test "boolflags: =false is as if not given: ps -l, -s, --no-trunc; inspect -s; images -a, --digests, --no-trunc; history -q, --no-trunc" {
	run_burrow 0 run --name first busybox true
	run_burrow 0 create --name second busybox true
	boolean_probe -l ps -a --format '{{.Names}}' --sort names
	boolean_probe --size ps -a
	boolean_probe --no-trunc ps -a
	# inspect -s: the sizes, which are not there without it
	run_burrow 0 inspect --size=false first
	assert_no_match "$output" "SizeRw" "inspect --size=false: no sizes"
	run_burrow 0 inspect --size first
	assert_match "$output" '"SizeRw": [0-9]+,' "inspect --size: the sizes"
	# an image with no name, the parent of one: images -a shows it
	child_of busybox localhost/kid
	run_burrow 0 untag busybox
	boolean_probe -a images --format '{{.ID}} {{.Repository}}' --sort repository
	boolean_probe --digests images
	boolean_probe --no-trunc images
	boolean_probe -q history localhost/kid
	boolean_probe --no-trunc history localhost/kid
}

@test "boolflags: =false is as if not given: --noout, --version, --remote before the command; exec -t, --privileged, -d" {
	run_burrow 0 run -d --name up busybox sleep 1000
	run_burrow 0 --noout=false ps --format '{{.Names}}'
	is "$output" "up" "--noout=false: the output"
	run_burrow 0 --noout ps --format '{{.Names}}'
	is "$output" "" "--noout: none"
	run_burrow 0 --version=false ps --format '{{.Names}}'
	is "$output" "up" "--version=false: the command runs"
	run_burrow 0 --version ps
	assert_match "$output" "^burrow version " "--version: the version"
	run_burrow 0 --remote=false ps --format '{{.Names}}'
	is "$output" "up" "--remote=false: taken"
	run_burrow 125 --remote ps
	# what an exec'd command sees (a terminal, its capabilities) and what
	# exec prints (-d: the session's ID)
	local probe='[ -t 1 ] && echo tty; grep CapEff /proc/self/status; echo end' base f
	run_burrow 0 exec up sh -c "$probe"
	base=$output
	assert_match "$base" "end$" "the probe ran"
	for f in -t --privileged -d; do
		run_burrow 0 exec "$f=false" up sh -c "$probe"
		is "$output" "$base" "exec $f=false: as without it"
		run_burrow 0 exec "$f" up sh -c "$probe"
		if [ "$output" = "$base" ]; then
			echo "exec $f: as without it (it would not see $f=false taken as $f)"
			return 1
		fi
	done
}

@test "boolflags: run and create =false are as without them: -t, -P, --rootfs, --replace, --no-healthcheck, --rmi" {
	run_burrow 0 run --rm -t=false busybox sh -c '[ -t 1 ] || echo no-tty'
	is "$output" "no-tty" "run -t=false: no terminal"
	run_burrow 0 run --rm -t busybox sh -c '[ -t 1 ] || echo no-tty'
	assert_no_match "$output" "no-tty" "run -t: a terminal"
	# -P: the exposed port published (on a host port chosen at start)
	run_burrow 0 create -P=false --expose 80 --name pub-off busybox true
	run_burrow 0 inspect --format '{{json .HostConfig.PortBindings}}' pub-off
	is "$output" "{}" "create -P=false: nothing published"
	run_burrow 0 create -P --expose 80 --name pub-on busybox true
	run_burrow 0 inspect --format '{{json .HostConfig.PortBindings}}' pub-on
	is "$output" '{"80/tcp":[{"HostIp":"","HostPort":""}]}' "create -P: the exposed port"
	# --rootfs=false: the argument is an image, not a directory
	run_burrow 0 run --rm --rootfs=false busybox echo image
	is "$output" "image"
	run_burrow 125 run --rm --rootfs busybox echo image
	# --replace=false: a name in use is refused, as without it
	run_burrow 125 create --replace=false --name pub-off busybox true
	assert_match "$output" "already in use" "create --replace=false: the name is in use"
	run_burrow 0 create --replace --name pub-off busybox true
	# --no-healthcheck=false: the healthcheck given is kept
	run_burrow 0 create --health-cmd true --no-healthcheck=false --name hc busybox true
	run_burrow 0 inspect --format '{{json .Config.Healthcheck.Test}}' hc
	is "$output" '["CMD-SHELL","true"]' "create --no-healthcheck=false: the healthcheck"
	run_burrow 0 create --health-cmd true --no-healthcheck --name nohc busybox true
	run_burrow 0 inspect --format '{{json .Config}}' nohc
	assert_no_match "$output" '"Healthcheck"' "create --no-healthcheck: none"
	# --rmi=false: the image stays after the container, as without it
	run_burrow 0 tag busybox localhost/throwaway
	run_burrow 0 run --rm --rmi=false localhost/throwaway true
	run_burrow 0 image exists localhost/throwaway
	run_burrow 0 run --rm --rmi localhost/throwaway true
	run_burrow 1 image exists localhost/throwaway
}

@test "boolflags: =false is as if not given: logs -f of a running container returns, logs -n prints IDs" {
	run_burrow 0 run -d --name talk busybox sh -c 'echo said; sleep 1000'
	local id=$output
	wait_logs talk '^said$' 60
	run_burrow 0 run -d --name done busybox echo over
	local id2=$output
	run_burrow 0 wait done
	# -f=false: what there is, and no waiting for the end
	run_burrow 0 logs -f=false talk
	is "$output" "said" "logs -f=false: the log so far"
	run_burrow 0 logs --names=false talk done
	is "$output" "${id:0:12} said
${id2:0:12} over" "logs --names=false: the IDs"
	run_burrow 0 logs --names talk done
	is "$output" "talk said
done over" "logs --names: the names"
}

@test "boolflags: =false is as if not given: rm --depend and -a, rmi -a, -f and --no-prune, image prune -a" {
	run_burrow 0 create --name base busybox true
	run_burrow 0 create --name dep --ipc container:base busybox true
	run_burrow 125 rm --depend=false base
	assert_match "$output" "depends on it" "rm --depend=false: refused"
	run_burrow 125 rm -a base
	run_burrow 0 rm -a=false dep
	run_burrow 0 rm --depend base
	# an image a container uses: refused without -f
	run_burrow 0 create --name user busybox true
	run_burrow 2 rmi -f=false busybox
	assert_match "$output" "in use" "rmi -f=false: refused"
	run_burrow 0 rmi -f busybox
	run_burrow 1 container exists user
	# a child whose parent has no name: rmi takes the parent too, unless --no-prune
	local round
	for round in --no-prune=false --no-prune; do
		import_busybox
		child_of busybox localhost/kid
		run_burrow 0 untag busybox
		run_burrow 0 rmi "$round" localhost/kid
		run_burrow 0 images -a -q
		if [ "$round" = --no-prune ]; then
			is "$(wc -l <<<"$output")" 1 "rmi --no-prune: the parent kept"
		else
			is "$output" "" "rmi --no-prune=false: the parent removed"
		fi
	done
	run_burrow 0 rmi -a
	# rmi -a with a name: 125, -a=false: that one
	import_busybox
	run_burrow 125 rmi -a busybox
	run_burrow 0 rmi -a=false busybox
	# image prune -a=false takes dangling images only, as without it
	import_busybox
	run_burrow 0 image prune -a=false
	run_burrow 0 image exists busybox
	run_burrow 0 image prune -a
	run_burrow 1 image exists busybox
}
