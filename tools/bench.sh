#!/bin/bash
# make bench: times each case with hyperfine, side by side with its floor
# and, when installed, rootless podman doing the same job; prints a table
# of medians and ratios; then the network cases (tools/bench-net.sh:
# throughput, connection rate, round trips through published ports). As
# root it runs as the unprivileged burrow-t1. BENCH_CASES="join net cp ..."
# picks cases. XDG_RUNTIME_DIR is on a tmpfs where there is one (the first
# line of the output says where: BENCH_RUNDIR), the rest in BENCH_TMPDIR.
# Podman gets a storage of the bench's own (its second line says which
# driver: BENCH_PODMAN_STORAGE, below).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-30}

if [ "$(id -u)" = 0 ] && [ -z "${BURROW_BENCH_STAGE:-}" ]; then
	"$top/tools/test-users.sh"
	stage=$(mktemp -d /tmp/burrow-bench.XXXXXX)
	trap 'rm -rf "$stage"' EXIT
	mkdir -p "$stage/tools"
	cp "$top/burrow" "$stage/"
	cp "$top"/tools/*.sh "$top/tests/integration/registry.py" "$stage/tools/"
	mkdir -p "$stage/build/tests/helpers"
	cp "$top"/build/tests/helpers/{slirp-drive,netbench} "$stage/build/tests/helpers/" 2>/dev/null || true
	chmod -R a+rX "$stage"
	# the pull case's Debian root filesystem is made once, as root
	if [ -z "${BENCH_CASES:-}" ] || [[ " $BENCH_CASES " == *" pull "* ]] || [[ " $BENCH_CASES " == *" save-load "* ]]; then
		"$top/tools/bench-pull.sh" prepare
	fi
	runuser -u burrow-t1 -- env -i HOME=/home/burrow-t1 USER=burrow-t1 LOGNAME=burrow-t1 \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin BURROW_BENCH_STAGE=1 BENCH_RUNS="$runs" \
		BENCH_CASES="${BENCH_CASES:-}" BENCH_TMPDIR="${BENCH_TMPDIR:-}" BENCH_RUNDIR="${BENCH_RUNDIR:-}" BENCH_PULL_RUNS="${BENCH_PULL_RUNS:-}" \
		BENCH_PODMAN_STORAGE="${BENCH_PODMAN_STORAGE:-}" \
		BENCH_NET_RUNS="${BENCH_NET_RUNS:-}" BENCH_NET_SECONDS="${BENCH_NET_SECONDS:-}" "$stage/tools/bench.sh"
	exit $?
fi

command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (Debian package hyperfine)" >&2; exit 1; }
B="$top/burrow"
# BENCH_TMPDIR=/dev/shm keeps the figures steady on a disk that is slow to
# create files soon after many were deleted (e.g. ext4 without a journal)
# a short name: podman's slirp4netns makes its API socket in
# $XDG_RUNTIME_DIR/libpod/tmp/<64 hex digits>.net, and a socket's path has
# at most 107 bytes
work=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/bb.XXXXXX")
export XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
# XDG_RUNTIME_DIR on a tmpfs, as a user's is (pam_systemd's /run/user/UID):
# that one when it is there, else /dev/shm, else the work dir's disk;
# BENCH_RUNDIR=DIR picks the directory it is made in
on_tmpfs() { [ -d "$1" ] && [ -w "$1" ] && [ "$(stat -f -c %T "$1" 2>/dev/null)" = tmpfs ]; }
rundir_in=${BENCH_RUNDIR:-}
if [ -z "$rundir_in" ]; then
	for d in "/run/user/$(id -u)" /dev/shm; do
		if on_tmpfs "$d"; then
			rundir_in=$d
			break
		fi
	done
fi
if [ -n "$rundir_in" ]; then
	XDG_RUNTIME_DIR=$(mktemp -d "$rundir_in/bb.XXXXXX") # 0700, a short name (above)
else
	XDG_RUNTIME_DIR=$work/run
	mkdir -m 0700 "$XDG_RUNTIME_DIR"
fi
export XDG_RUNTIME_DIR
echo "bench: XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR ($(stat -f -c %T "$XDG_RUNTIME_DIR")), storage in $work ($(stat -f -c %T "$work"))"
podman_ok=
P="podman --runtime runc"
cleanup() {
	"$B" system migrate >/dev/null 2>&1 || true
	# podman's containers (in the bench's own storage: all of them) and its
	# pause process, whose pid is in the runtime dir removed below
	[ -z "$podman_ok" ] || $P rm -a -f -t 0 >/dev/null 2>&1 || true
	pause=$XDG_RUNTIME_DIR/libpod/tmp/pause.pid
	[ ! -s "$pause" ] || kill "$(cat "$pause")" 2>/dev/null || true
	rm -rf "$work" 2>/dev/null || "$B" unshare rm -rf "$work" 2>/dev/null || true
	rm -rf "$XDG_RUNTIME_DIR" 2>/dev/null || true
}
trap cleanup EXIT

"$top/tools/mkimage.sh" "$work/busybox.tar"
"$B" import "$work/busybox.tar" busybox >/dev/null
"$B" unshare true # the keeper

# podman's storage: a storage.conf of the bench's own, its graphroot in the
# work dir and its runroot in the runtime dir, as a user's are; the user's
# storage is never touched (bench-pull.sh's podman reads it too).
# BENCH_PODMAN_STORAGE picks the driver:
# - overlay (the default): the kernel's overlayfs in podman's user namespace
#   (Linux 5.13+), what podman 4.3 mounts for driver = "overlay" without a
#   mount_program: what a user who sets the driver gets
# - fuse-overlayfs: overlay with mount_program = fuse-overlayfs, mounted the
#   way burrow mounts a container's root (the even case for the mount)
# - vfs: podman 4.3's choice with no storage.conf at all (Debian 12's
#   podman installs none), a full copy of the image for each container
podman_storage=${BENCH_PODMAN_STORAGE:-overlay}
driver=overlay mount_program=
case $podman_storage in
overlay) ;;
fuse-overlayfs) mount_program=$(command -v fuse-overlayfs || echo /usr/bin/fuse-overlayfs) ;;
vfs) driver=vfs ;;
*)
	echo "bench: BENCH_PODMAN_STORAGE is overlay, fuse-overlayfs or vfs" >&2
	exit 2
	;;
esac
{
	printf '[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n' \
		"$driver" "$XDG_DATA_HOME/containers/storage" "$XDG_RUNTIME_DIR/containers"
	[ -z "$mount_program" ] || printf '[storage.options.overlay]\nmount_program = "%s"\n' "$mount_program"
} >"$work/storage.conf"
export CONTAINERS_STORAGE_CONF=$work/storage.conf
# and a containers.conf of its own (the user's is not read then): the
# cgroupfs manager, as a user without a systemd session needs; the user's
# home is never written
printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
if command -v podman >/dev/null && command -v runc >/dev/null; then
	if podman --runtime runc import "$work/busybox.tar" localhost/burrow-bench-busybox >/dev/null 2>&1 &&
		podman --runtime runc run --rm localhost/burrow-bench-busybox true >/dev/null 2>&1; then
		podman_ok=1
		echo "bench: podman's storage: $podman_storage ($($P info --format '{{.Store.GraphDriverName}}, {{.Store.GraphRoot}}' 2>/dev/null))"
	else
		echo "bench: podman does not run here: no podman column" >&2
	fi
fi

# median in ms of one command
median() {
	hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$work/h.json" "$1" >/dev/null 2>&1 || { echo "-"; return; }
	python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$work/h.json"
}

printf '%-44s %10s %10s %10s %12s %12s\n' "case" "burrow ms" "floor ms" "podman ms" "vs floor" "vs podman"
row() { # name burrow-cmd floor-cmd podman-cmd (an empty one: not measured)
	local b f p rf rp
	b=$(median "$2")
	f=-
	[ -n "$3" ] && f=$(median "$3")
	p=-
	[ -n "$podman_ok" ] && [ -n "$4" ] && p=$(median "$4")
	rf=$(python3 -c 'import sys
try: print("%+.2f ms" % (float(sys.argv[1]) - float(sys.argv[2])))
except ValueError: print("-")' "$b" "$f")
	rp=$(python3 -c 'import sys
try: print("%.1fx faster" % (float(sys.argv[2]) / float(sys.argv[1])))
except ValueError: print("-")' "$b" "$p")
	printf '%-44s %10s %10s %10s %12s %12s\n' "$1" "$b" "$f" "$p" "$rf" "$rp"
}
want() { [ -z "${BENCH_CASES:-}" ] || [[ " $BENCH_CASES " == *" $1 "* ]]; }

want join && row "unshare true (join the namespace)" "$B unshare true" "unshare -Ur true" ""
want run-none && row "run --rm --network none IMAGE true" "$B run --rm --network none busybox true" \
	"unshare -Urm --fork --pid true" "$P run --rm --network none localhost/burrow-bench-busybox true"
want run-unconfined && row "run --rm --network none, no seccomp filter" \
	"$B run --rm --network none --security-opt seccomp=unconfined busybox true" "unshare -Urm --fork --pid true" \
	"$P run --rm --network none --security-opt seccomp=unconfined localhost/burrow-bench-busybox true"
want run-slirp && row "run --rm IMAGE true (slirp)" "$B run --rm busybox true" \
	"unshare -Urm --fork --pid true" "$P run --rm localhost/burrow-bench-busybox true"
# keep-id: its own user namespace and a fuse-overlayfs ID mapping instead
# of podman's chowned copy of the image; its floor is the plain run
want run-keepid && row "run --rm --userns=keep-id (network none)" \
	"$B run --rm --network none --userns=keep-id busybox true" "$B run --rm --network none busybox true" \
	"$P run --rm --network none --userns=keep-id localhost/burrow-bench-busybox true"
if want run-keepid; then
	# the first keep-id run right after the import (each timing imports anew)
	first() { # prepare command
		hyperfine -N --style none --runs "$(((runs + 2) / 3))" --prepare "$1" --export-json "$work/h.json" "$2" \
			>/dev/null 2>&1 || { echo "-"; return; }
		python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$work/h.json"
	}
	kb=$(first "sh -c '$B rmi -f kid >/dev/null 2>&1; $B import $work/busybox.tar kid >/dev/null'" \
		"$B run --rm --network none --userns=keep-id kid true")
	kf=$(first "sh -c '$B rmi -f kid >/dev/null 2>&1; $B import $work/busybox.tar kid >/dev/null'" \
		"$B run --rm --network none kid true")
	kp=-
	[ -n "$podman_ok" ] && kp=$(first "sh -c '$P rmi -f localhost/kid >/dev/null 2>&1; $P import $work/busybox.tar localhost/kid >/dev/null'" \
		"$P run --rm --network none --userns=keep-id localhost/kid true")
	printf '%-44s %10s %10s %10s\n' "first keep-id run after import" "$kb" "$kf" "$kp"
fi
if want run-100k-args; then
	# argv and env vectors are built in linear time (4.6 s here when each
	# argument walked the vector). A script adds the arguments: the command
	# line hyperfine is given is one argument, at most 128 KiB.
	printf '#!/bin/sh\nexec "$@" $(seq 100000)\n' >"$work/with-100k-args"
	chmod +x "$work/with-100k-args"
	row "run --rm --network none IMAGE true + 100k args" \
		"$work/with-100k-args $B run --rm --network none busybox true" \
		"$work/with-100k-args unshare -Urm --fork --pid true" ""
fi
want create && row "create --network none IMAGE true" "$B create --network none busybox true" "" \
	"$P create --label burrow-bench=1 --network none localhost/burrow-bench-busybox true"
want run-d && row "run -d + rm -f (network none)" \
	"sh -c '$B rm -f \$($B run -d --network none busybox sleep 600)'" "sh -c true" \
	"sh -c '$P rm -f -t 0 \$($P run -d --label burrow-bench=1 --network none localhost/burrow-bench-busybox sleep 600)'"
# stop -t 0: the stop signal, then SIGKILL at once (sleep as PID 1 ignores
# SIGTERM), and the wait for the monitor (conmon) to record the end
want run-d-stop && row "run -d + stop -t 0 + rm (network none)" \
	"sh -c 'id=\$($B run -d --network none busybox sleep 600) && $B stop -t 0 \$id >/dev/null && $B rm \$id'" "sh -c true" \
	"sh -c 'id=\$($P run -d --label burrow-bench=1 --network none localhost/burrow-bench-busybox sleep 600) && $P stop -t 0 \$id >/dev/null && $P rm \$id'"
want run-d-slirp && row "run -d + rm -f (slirp)" "sh -c '$B rm -f \$($B run -d busybox sleep 600)'" "sh -c true" \
	"sh -c '$P rm -f -t 0 \$($P run -d --label burrow-bench=1 localhost/burrow-bench-busybox sleep 600)'"
if want run-p; then
	# run -d -p, one connection through the published port (a server that
	# answers once), rm -f: the ports bound before the container starts,
	# forwarded once it runs, released by rm
	cat >"$work/ask" <<'PY'
#!/usr/bin/env python3
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
        if s.recv(16):
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.005)
sys.exit(1)
PY
	chmod +x "$work/ask"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	srv='sh -c "echo hi | nc -l -p 80"'
	row "run -d -p + a connection + rm -f" \
		"sh -c 'id=\$($B run -d -p 127.0.0.1:$port:80 busybox $srv) && $work/ask $port && $B rm -f \$id >/dev/null'" \
		"sh -c true" \
		"sh -c 'id=\$($P run -d --label burrow-bench=1 -p 127.0.0.1:$port:80 localhost/burrow-bench-busybox $srv) && $work/ask $port && $P rm -f -t 0 \$id >/dev/null'"
fi
if want exec; then
	# a command in a running container; the floor joins the same
	# namespaces with nsenter from inside burrow's user namespace
	id=$("$B" run -d --network none busybox sleep 600)
	pid=$("$B" ps --no-trunc --format '{{.ID}} {{.Pid}}' | awk -v id="$id" '$1 == id { print $2 }')
	pcid=
	[ -n "$podman_ok" ] && pcid=$($P run -d --label burrow-bench=1 --network none localhost/burrow-bench-busybox sleep 600)
	row "exec CTR true" "$B exec $id true" "$B unshare nsenter -t $pid -m -u -i -n -p -C true" \
		"${pcid:+$P exec $pcid true}"
	"$B" rm -f "$id" >/dev/null
	[ -z "$pcid" ] || $P rm -f -t 0 "$pcid" >/dev/null 2>&1 || true
fi
if want top || want stats; then
	# top and one stats sample of a running container (both read /proc);
	# the floor is burrow starting and joining its namespace for nothing
	id=$("$B" run -d --network none busybox sleep 600)
	pcid=
	[ -n "$podman_ok" ] && pcid=$($P run -d --label burrow-bench=1 --network none localhost/burrow-bench-busybox sleep 600)
	want top && row "top CTR" "$B top $id" "$B unshare true" "${pcid:+$P top $pcid}"
	want stats && row "stats --no-stream CTR" "$B stats --no-stream $id" "$B unshare true" \
		"${pcid:+$P stats --no-stream $pcid}"
	"$B" rm -f "$id" >/dev/null
	[ -z "$pcid" ] || $P rm -f -t 0 "$pcid" >/dev/null 2>&1 || true
fi
if want rss; then
	# what an idle detached container costs beside itself: its monitor (and
	# the keeper, shared by all); podman's conmon, slirp4netns and its
	# rootless pause process
	# read once it idles (a monitor gives back its set-up's pages after
	# it reported the start)
	rss() { sleep 0.5; awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
	mon_of() { cut -d' ' -f1 "$XDG_RUNTIME_DIR/burrow/containers/$1/monitor.pid"; }
	printf '\n%-44s %10s\n' "idle detached container (RSS)" "kB"
	id=$("$B" run -d --network none busybox sleep 600)
	printf '%-44s %10s\n' "burrow monitor, --network none" "$(rss "$(mon_of "$id")")"
	id2=$("$B" run -d busybox sleep 600)
	printf '%-44s %10s\n' "burrow monitor, slirp" "$(rss "$(mon_of "$id2")")"
	id3=$("$B" run -d -p 127.0.0.1::80 -p 127.0.0.1::90/udp busybox sleep 600)
	printf '%-44s %10s\n' "burrow monitor, slirp, tcp+udp ports published" "$(rss "$(mon_of "$id3")")"
	"$B" rm -f "$id3" >/dev/null
	kp=$(cut -d' ' -f1 "$XDG_RUNTIME_DIR/burrow/keeper.pid")
	printf '%-44s %10s\n' "burrow keeper (one for all)" "$(rss "$kp")"
	"$B" rm -f "$id" "$id2" >/dev/null
	if [ -n "$podman_ok" ]; then
		cid=$($P run -d --label burrow-bench=1 --network none localhost/burrow-bench-busybox sleep 600)
		printf '%-44s %10s\n' "podman conmon, --network none" "$(rss "$($P inspect --format '{{.State.ConmonPid}}' "$cid")")"
		cid2=$($P run -d --label burrow-bench=1 localhost/burrow-bench-busybox sleep 600)
		c2=$($P inspect --format '{{.State.ConmonPid}}' "$cid2")
		slirp=$(pgrep -n -u "$(id -u)" slirp4netns || echo 0)
		printf '%-44s %10s\n' "podman conmon + slirp4netns" "$(($(rss "$c2") + $(rss "$slirp")))"
		printf '%-44s %10s\n' "podman pause process (one for all)" \
			"$(rss "$(cat "$XDG_RUNTIME_DIR/libpod/tmp/pause.pid" 2>/dev/null || echo 0)")"
		$P rm -f -t 0 "$cid" "$cid2" >/dev/null 2>&1 || true
	fi
fi
if want ps-1000; then
	# ps -a with 10, 100 and 1000 exited containers; podman is filled to 100
	# beside burrow (1000 takes it minutes)
	n=0
	for target in 10 100 1000; do
		for i in $(seq $((target - n))); do
			"$B" run --network none busybox true
			if [ -n "$podman_ok" ] && [ "$target" -le 100 ]; then
				$P run --label burrow-bench=1 --network none localhost/burrow-bench-busybox true
			fi
		done
		n=$target
		pcmd=
		if [ "$target" -le 100 ]; then pcmd="$P ps -a"; fi
		row "ps -a with $target containers" "$B ps -a" "" "$pcmd"
	done
	# pause looks for the containers that joined the PID namespace among
	# the records (their pid_mode): with 1000 of them
	paused=$("$B" run -d --network none busybox sleep 600)
	row "pause + unpause with 1000 containers" "sh -c '$B pause $paused >/dev/null && $B unpause $paused >/dev/null'" "" ""
	"$B" rm -f "$paused" >/dev/null
	[ -z "$podman_ok" ] || $P ps -a -q --filter label=burrow-bench=1 | xargs -r $P rm -f >/dev/null 2>&1 || true
fi
if want import-deep; then
	# every level of a 10,000-level tree a directory entry: the tar holds
	# 100 MB of names (300 KB gzipped); a walk from the root for each entry
	# made this quadratic (an 8,000-level one took 190 s)
	python3 - "$work/deep.tar.gz" <<'PY'
import sys, tarfile
tf = tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT)
p = ""
for i in range(10000):
    p += "d/"
    ti = tarfile.TarInfo(p.rstrip("/"))
    ti.type, ti.mode = tarfile.DIRTYPE, 0o755
    tf.addfile(ti)
tf.close()
PY
	# the floor only decompresses: tar(1) itself stops at PATH_MAX
	saved_runs=$runs
	runs=$((runs < 5 ? runs : 5))
	row "import a 10,000-level tree (.tar.gz)" "$B import $work/deep.tar.gz" "gzip -dc $work/deep.tar.gz" ""
	runs=$saved_runs
fi
if want cp; then
	# cp of a 100 MB tree (100 files of 1 MB, 1000 of 1 KB) into and out of
	# a running container, and export of that container; the floor is a tar
	# pipe on the host. Each run copies over what the last one left.
	mkdir -p "$work/tree/small"
	for i in $(seq 100); do head -c 1048576 /dev/urandom >"$work/tree/big$i"; done
	for i in $(seq 1000); do head -c 1024 /dev/urandom >"$work/tree/small/f$i"; done
	mkdir -p "$work/floor-out" "$work/cp-out" "$work/pcp-out"
	id=$("$B" run -d --network none busybox sleep 600)
	pcid=
	[ -n "$podman_ok" ] && pcid=$($P run -d --label burrow-bench=1 --network none localhost/burrow-bench-busybox sleep 600)
	saved_runs=$runs
	runs=$((runs < 5 ? runs : 5))
	floor="sh -c 'tar -C $work -cf - tree | tar -C $work/floor-out -xf -'"
	row "cp a 100 MB tree into a running container" "$B cp $work/tree $id:/tmp/" "$floor" \
		"${pcid:+$P cp $work/tree $pcid:/tmp/}"
	row "cp a 100 MB tree out of a running container" "$B cp $id:/tmp/tree $work/cp-out/" "$floor" \
		"${pcid:+$P cp $pcid:/tmp/tree $work/pcp-out/}"
	row "export a container (+100 MB)" "$B export -o $work/exp.tar $id" "tar -C $work -cf $work/floor.tar tree" \
		"${pcid:+$P export -o $work/pexp.tar $pcid}"
	# stopped: burrow reads its layers without a mount, podman mounts them
	"$B" stop -t 0 "$id" >/dev/null 2>&1
	[ -z "$pcid" ] || $P stop -t 0 "$pcid" >/dev/null 2>&1 || true
	row "export a stopped container (+100 MB)" "$B export -o $work/exp.tar $id" \
		"tar -C $work -cf $work/floor.tar tree" "${pcid:+$P export -o $work/pexp.tar $pcid}"
	runs=$saved_runs
	"$B" rm -f "$id" >/dev/null
	[ -z "$pcid" ] || $P rm -f -t 0 "$pcid" >/dev/null 2>&1 || true
fi
if want health; then
	# a 1 s healthcheck for a minute: the monitor's RSS and CPU time (its own,
	# and its reaped checks'), beside podman's healthcheck run each second
	# (its timers need a systemd user session; a loop stands in for them)
	secs=${BENCH_HEALTH_SECONDS:-60}
	cpu_ms() { awk -v f="$2" '{ sub(/^.*\) /, ""); print ($(f - 2) + $(f - 1)) * 1000 / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
	hrss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
	id=$("$B" run -d --network none --health-cmd true --health-interval 1s busybox sleep 600)
	m=$(cut -d' ' -f1 "$XDG_RUNTIME_DIR/burrow/containers/$id/monitor.pid")
	rss0=$(hrss "$m") cpu0=$(cpu_ms "$m" 14) ccpu0=$(cpu_ms "$m" 16)
	sleep "$secs"
	printf '\n%-44s %10s %10s %10s\n' "healthcheck every 1 s, over ${secs} s" "RSS kB" "self ms" "checks ms"
	printf '%-44s %10s %10s %10s\n' "burrow monitor (RSS at start: $rss0 kB)" "$(hrss "$m")" \
		"$(($(cpu_ms "$m" 14) - cpu0))" "$(($(cpu_ms "$m" 16) - ccpu0))"
	"$B" inspect --format 'burrow: {{.State.Health.Status}}, {{len .State.Health.Log}} results kept' "$id" 2>/dev/null || true
	"$B" rm -f "$id" >/dev/null
	if [ -n "$podman_ok" ]; then
		pcid=$($P run -d --label burrow-bench=1 --network none --health-cmd true --health-interval disable \
			localhost/burrow-bench-busybox sleep 600)
		start=$(date +%s%N)
		t0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
		for i in $(seq "$secs"); do $P healthcheck run "$pcid" >/dev/null 2>&1 || true; done
		t1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
		printf '%-44s %10s %10s %10s\n' "podman healthcheck run x$secs (no sleeps)" "-" \
			"$(((t1 - t0) * 1000 / $(getconf CLK_TCK)))" "wall $((($(date +%s%N) - start) / 1000000)) ms"
		$P rm -f -t 0 "$pcid" >/dev/null 2>&1 || true
	fi
fi
if want events; then
	# the writer: what the events cost a command (run --rm writes 7, a
	# volume create + rm 2), against the same with --events-backend none;
	# the reader: events --stream=false over 1000 (and podman's, on its
	# file logger, over what it has)
	row "run --rm --network none (7 events)" "$B run --rm --network none busybox true" \
		"$B --events-backend none run --rm --network none busybox true" ""
	row "volume create + rm (2 events)" "sh -c '$B volume create bv >/dev/null && $B volume rm bv >/dev/null'" \
		"sh -c '$B --events-backend none volume create bv >/dev/null && $B --events-backend none volume rm bv >/dev/null'" ""
	for i in $(seq 500); do "$B" volume create "ev$i" >/dev/null; done
	for i in $(seq 500); do "$B" volume rm "ev$i" >/dev/null; done
	since=$(($(date +%s) - 3600))
	"$B" events --stream=false --since "$since" --filter type=volume --filter event=create --filter event=remove \
		--format '{{.Name}}' | grep -c '^ev' | sed 's/^/events of the 1000 written: /'
	row "events --stream=false (1000+ events)" "$B events --stream=false --since $since" \
		"cat $XDG_RUNTIME_DIR/burrow/events/events.log" "${podman_ok:+$P events --stream=false --since $since}"
	row "events --stream=false --format json" "$B events --stream=false --since $since --format json" "" \
		"${podman_ok:+$P events --stream=false --since $since --format json}"
fi
# published ports, each port handler, against host loopback and podman's
if want net; then
	BENCH_BURROW=$B "$top/tools/bench-net.sh" "$top/build/tests/helpers" "$work" "${podman_ok:+localhost/burrow-bench-busybox}"
fi
if [ -n "$podman_ok" ]; then
	ids=$($P ps -aq --filter label=burrow-bench=1 2>/dev/null || true)
	[ -z "$ids" ] || $P rm -f -t 0 $ids >/dev/null 2>&1 || true
	$P rmi -f localhost/burrow-bench-busybox >/dev/null 2>&1 || true
fi
# pull from a local registry: wall time and peak RSS beside podman and the floor
if want pull; then
	BENCH_TMPDIR=${BENCH_TMPDIR:-/tmp} "$top/tools/bench-pull.sh" run
fi
# save and load of that image beside podman's
if want save-load; then
	BENCH_TMPDIR=${BENCH_TMPDIR:-/tmp} "$top/tools/bench-pull.sh" saveload
fi
