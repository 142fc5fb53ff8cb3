#!/usr/bin/env bats
# run's and create's --unsetenv, --unsetenv-all and --http-proxy: the
# default environment (the image's, containers.conf's, the proxy
# variables, burrow's PATH, HOSTNAME, container, TERM, the HOME a start
# adds) and what stays.

load helpers

suite_setup() {
	import_busybox
	local tar=$BATS_RUN_TMPDIR/busybox.tar
	run_burrow 0 import --change 'CMD ["sh"]' --change 'ENV IMGVAR=img' \
		--change 'ENV https_proxy=http://image:3128' "$tar" envimg
}

@test "env: --unsetenv drops a default variable, never one -e sets; a NAME=VALUE is refused" {
	run_burrow 0 run --rm envimg /bin/env
	assert_match "$output" "IMGVAR=img"
	assert_match "$output" "PATH="
	run_burrow 0 run --rm --unsetenv IMGVAR --unsetenv PATH --unsetenv HOSTNAME --unsetenv container \
		-e KEEP=1 envimg /bin/env
	assert_no_match "$output" "IMGVAR="
	assert_no_match "$output" "PATH="
	assert_no_match "$output" "HOSTNAME="
	assert_no_match "$output" "container="
	assert_match "$output" "KEEP=1"
	run_burrow 0 run --rm --unsetenv IMGVAR -e IMGVAR=mine envimg /bin/env
	assert_match "$output" "IMGVAR=mine"
	run_burrow 125 run --rm --unsetenv A=1 envimg true
	is "$output" "burrow: run: invalid --unsetenv 'A=1': a variable name"
}

@test "env: --unsetenv-all leaves only what -e and --env-file set" {
	printf 'FROMFILE=f\n' >"$T/envfile"
	run_burrow 0 run --rm --unsetenv-all -e A=1 --env-file "$T/envfile" envimg /bin/env
	is "$(sort <<<"$output" | tr '\n' ' ')" "A=1 FROMFILE=f "
	# a short flag's value written on after '=', as podman takes it
	run_burrow 0 run --rm --unsetenv-all -e=B=2 -eC==3 envimg /bin/env
	is "$(sort <<<"$output" | tr '\n' ' ')" "B=2 C==3 "
	run_burrow 0 run --rm --unsetenv-all=false envimg /bin/env
	assert_match "$output" "IMGVAR=img"
	run_burrow 125 run --rm --unsetenv-all=maybe envimg true
	assert_match "$output" "invalid --unsetenv-all 'maybe'"
}

@test "env: --http-proxy passes the proxy variables on by default; the image's and -e's win; false and containers.conf turn it off" {
	export http_proxy=http://host:8080 HTTPS_PROXY=http://host:8443 no_proxy=localhost FTP_PROXY=ftp://host:21
	run_burrow 0 run --rm envimg /bin/env
	assert_match "$output" "http_proxy=http://host:8080"
	assert_match "$output" "HTTPS_PROXY=http://host:8443"
	assert_match "$output" "no_proxy=localhost"
	assert_match "$output" "FTP_PROXY=ftp://host:21"
	# the image's https_proxy is its own (no host one of that name here)
	assert_match "$output" "https_proxy=http://image:3128"
	export https_proxy=http://host:9999
	run_burrow 0 run --rm envimg /bin/env
	assert_match "$output" "https_proxy=http://image:3128"
	run_burrow 0 run --rm -e http_proxy=http://mine:1 envimg /bin/env
	assert_match "$output" "http_proxy=http://mine:1"
	assert_no_match "$output" "host:8080"
	run_burrow 0 run --rm --http-proxy=false envimg /bin/env
	assert_no_match "$output" "host:"
	run_burrow 0 run --rm --unsetenv-all envimg /bin/env
	is "$output" ""
	printf '[containers]\nhttp_proxy = false\n' >"$XDG_CONFIG_HOME/containers/containers.conf"
	run_burrow 0 run --rm envimg /bin/env
	assert_no_match "$output" "host:"
	run_burrow 0 run --rm --http-proxy envimg /bin/env
	assert_match "$output" "http_proxy=http://host:8080"
	run_burrow 125 run --rm --http-proxy=maybe envimg true
	assert_match "$output" "invalid --http-proxy 'maybe'"
}
