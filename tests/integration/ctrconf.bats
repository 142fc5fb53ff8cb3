#!/usr/bin/env bats
# Podman users' containers.conf: the [containers] defaults burrow honours
# in run and create, from $CONTAINERS_CONF or ~/.config/containers (and its
# containers.conf.d), under burrow.conf's [containers] and the flags.

load helpers

suite_setup() {
	import_busybox
	mkdir -p "$T/vol"
	echo from-conf-volume >"$T/vol/f"
}

suite_teardown() {
	rm_store
}

# write_conf FILE: a containers.conf setting every key burrow applies
write_conf() {
	cat >"$1" <<EOC
# podman's keys burrow has no use for are ignored
[containers]
env = ["FROMCONF=yes", "OVER=conf"]
volumes = ["$T/vol:/confvol:ro"]
dns_servers = ["192.0.2.53"]
dns_searches = ["conf.example"]
dns_options = ["ndots:3"]
tz = "Asia/Tokyo"
umask = "0077"
default_ulimits = ["nofile=1234:2345"]
default_sysctls = ["net.ipv4.ping_group_range=0 0"]
netns = "private"

[engine]
events_logger = "file"
cgroup_manager = "cgroupfs"

[machine]
cpus = 2
EOC
}

probe='echo "FROMCONF=$FROMCONF OVER=$OVER"; cat /confvol/f; cat /etc/resolv.conf; umask; date +%Z; ulimit -n'

@test "containers.conf: \$CONTAINERS_CONF's env, volumes, dns, tz, umask, ulimits apply to run; the flags win" {
	write_conf "$T/cc.conf"
	export CONTAINERS_CONF=$T/cc.conf
	run_burrow 0 run --rm busybox sh -c "$probe"
	assert_match "$output" "FROMCONF=yes OVER=conf"
	assert_match "$output" "from-conf-volume"
	assert_match "$output" "nameserver 192.0.2.53"
	assert_match "$output" "search conf.example"
	assert_match "$output" "options ndots:3"
	assert_match "$output" $'\n0077\n'
	assert_match "$output" $'\nJST\n'
	assert_match "$output" $'\n1234$'
	# each flag over the file's value for the same thing
	mkdir -p "$T/vol2"
	echo from-flag >"$T/vol2/f"
	run_burrow 0 run --rm -e OVER=flag -v "$T/vol2:/confvol" --dns 192.0.2.99 --tz UTC --umask 0022 \
		--ulimit nofile=512:512 busybox sh -c "$probe"
	assert_match "$output" "FROMCONF=yes OVER=flag"
	assert_match "$output" "from-flag"
	assert_match "$output" "nameserver 192.0.2.99"
	assert_no_match "$output" "192.0.2.53"
	assert_match "$output" $'\n0022\n'
	assert_match "$output" $'\nUTC\n'
	assert_match "$output" $'\n512$'
	# create stores the same
	run_burrow 0 create --name c1 busybox sh -c "$probe"
	unset CONTAINERS_CONF
	run_burrow 0 start -a c1
	assert_match "$output" "FROMCONF=yes OVER=conf"
	assert_match "$output" $'\nJST\n'
	# a control character would write lines of its own into resolv.conf
	printf '[containers]\ndns_options = ["ndots:1\\nnameserver 203.0.113.9"]\n' >"$T/bad.conf"
	CONTAINERS_CONF=$T/bad.conf run_burrow 125 create --name c2 busybox true
	assert_match "$output" "containers.conf: invalid dns_options 'ndots:1"
	# nothing was made (not "inspect c2": c1's ID may start with c2)
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" c1
}

@test "containers.conf: init = true is --init's default; --init=false wins over it" {
	printf '[containers]\ninit = true\n' >"$T/init.conf"
	export CONTAINERS_CONF=$T/init.conf
	run_burrow 0 create --name on busybox true
	run_burrow 0 create --name off --init=false busybox true
	run_burrow 0 inspect --format '{{.Name}} {{.HostConfig.Init}}' on off
	is "$output" "on true
off false"
}

@test "containers.conf: ~/.config/containers, its containers.conf.d over it; \$CONTAINERS_CONF alone when set" {
	write_conf "$XDG_CONFIG_HOME/containers/containers.conf"
	mkdir -p "$XDG_CONFIG_HOME/containers/containers.conf.d"
	printf '[containers]\numask = "0027"\n' >"$XDG_CONFIG_HOME/containers/containers.conf.d/10-umask.conf"
	printf '[containers]\numask = "0007"\n' >"$XDG_CONFIG_HOME/containers/containers.conf.d/20-umask.conf"
	run_burrow 0 run --rm busybox sh -c "$probe"
	assert_match "$output" "FROMCONF=yes"
	assert_match "$output" $'\n0007\n'
	assert_match "$output" $'\nJST\n'
	printf '[containers]\ntz = "UTC"\n' >"$T/only.conf"
	CONTAINERS_CONF=$T/only.conf run_burrow 0 run --rm busybox sh -c "$probe"
	assert_no_match "$output" "FROMCONF=yes"
	assert_match "$output" $'\n0022\n'
	assert_match "$output" $'\nUTC\n'
}

@test "containers.conf: burrow.conf's [containers] wins where both set a thing" {
	write_conf "$XDG_CONFIG_HOME/containers/containers.conf"
	mkdir -p "$XDG_CONFIG_HOME/burrow"
	printf '[containers]\ntz = "UTC"\numask = "0027"\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 0 run --rm busybox sh -c "$probe"
	assert_match "$output" $'\n0027\n'
	assert_match "$output" $'\nUTC\n'
	# what burrow.conf does not set still comes from containers.conf
	assert_match "$output" "FROMCONF=yes"
	printf '[containers]\nbogus = 1\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 125 run --rm busybox true
	assert_match "$output" "unknown setting 'containers.bogus'"
}

@test "containers.conf: a malformed file or a value of the wrong kind is refused, naming file:line; nothing made" {
	printf '[containers]\nenv = ["A=1",\n  "B=2"\ntz = "UTC"\n' >"$T/bad.conf"
	CONTAINERS_CONF=$T/bad.conf run_burrow 125 run --name x busybox true
	is "${#lines[@]}" 1 "one line: $output"
	assert_match "$output" "^burrow: $T/bad.conf:[34]: "
	printf '[containers]\n\nenv = "A=1"\n' >"$T/bad2.conf"
	CONTAINERS_CONF=$T/bad2.conf run_burrow 125 create --name x busybox true
	is "$output" "burrow: $T/bad2.conf:3: containers.env must be an array of strings"
	printf '[containers]\numask = "999"\n' >"$T/bad3.conf"
	CONTAINERS_CONF=$T/bad3.conf run_burrow 125 run --name x busybox true
	assert_match "$output" "containers.conf umask"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" ""
	# a log driver burrow lacks: said, and k8s-file used
	printf '[containers]\nlog_driver = "journald"\n' >"$T/journald.conf"
	CONTAINERS_CONF=$T/journald.conf run_burrow 0 run --name j busybox echo hello
	assert_match "$output" "warning: containers.conf log_driver 'journald' is not one burrow has: k8s-file is used"
	run_burrow 0 logs j
	is "$output" "hello"
}
