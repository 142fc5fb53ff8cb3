#!/bin/bash
# bench-pull.sh prepare | run | saveload: the pull and save-load cases of
# make bench.
#
# prepare (as root): a Debian minbase root filesystem made once with
# debootstrap, kept in $BENCH_PULL_CACHE (default /var/tmp/burrow-bench-pull).
# run (as the bench user): a local registry (Debian's docker-registry) on
# 127.0.0.1 gets a 4-layer image, about 300 MB unpacked (minbase, many small
# text files, incompressible blobs, one large compressible file); then
# BENCH_PULL_RUNS times (default 3), each into a fresh store on the same
# filesystem ($BENCH_TMPDIR): burrow pull, podman pull, and the floor (every
# blob fetched at once with curl and unpacked with tar -x). Prints medians of
# wall time and peak RSS (/usr/bin/time).
# saveload (as the bench user): the same image pulled once, then
# BENCH_PULL_RUNS times burrow save -o and load -i (into a fresh store)
# beside podman save and load.
# run and saveload are bench.sh's: in its runtime dir, with its podman
# storage.conf; bench.sh stops the pause process podman leaves there.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${BENCH_PULL_CACHE:-/var/tmp/burrow-bench-pull}

prepare() {
	if [ -s "$cache/minbase.tar" ]; then
		return 0
	fi
	command -v debootstrap >/dev/null || { echo "bench-pull: debootstrap is missing (Debian package debootstrap)" >&2; return 1; }
	mkdir -p "$cache"
	rm -rf "$cache/root"
	echo "bench-pull: building a Debian minbase root filesystem (once, a few minutes)" >&2
	debootstrap --variant=minbase bookworm "$cache/root" "${BENCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
		>"$cache/debootstrap.log" 2>&1 || { tail -5 "$cache/debootstrap.log" >&2; return 1; }
	# an image has no package cache
	rm -rf "$cache/root/var/cache/apt/archives/"*.deb "$cache/root/var/lib/apt/lists/"*_Packages
	tar --numeric-owner -C "$cache/root" -cf "$cache/minbase.tar.tmp" .
	mv "$cache/minbase.tar.tmp" "$cache/minbase.tar"
	rm -rf "$cache/root"
	chmod -R a+rX "$cache"
}

median() { # numbers...
	printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'
}

# serve_image: a local registry with the 4-layer image; sets work, regpid,
# port, ref, urls, sizes (the caller removes work and stops the registry)
serve_image() {
	B=$top/burrow
	local regpy=$top/tools/registry.py
	[ -f "$regpy" ] || regpy=$top/tests/integration/registry.py
	[ -s "$cache/minbase.tar" ] || { echo "bench-pull: no $cache/minbase.tar (run make bench as root once)" >&2; return 1; }
	command -v docker-registry >/dev/null || { echo "bench-pull: docker-registry is missing" >&2; return 1; }
	work=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/burrow-bench-pull.XXXXXX")
	regpid=
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$work/reg"
	printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/reg\nhttp:\n  addr: 127.0.0.1:%s\n  secret: bench\n' \
		"$work" "$port" >"$work/reg.yml"
	docker-registry serve "$work/reg.yml" >"$work/reg.log" 2>&1 &
	regpid=$!
	local i
	for i in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
		sleep 0.1
	done
	echo "bench-pull: building and pushing the image" >&2
	python3 "$regpy" layer "$work/text.tar" \
		'for i in range(20000): f("usr/share/bench/text/%03d/%05d.txt" % (i // 500, i), ("line of a small text file number %d\n" % i) * 50)'
	python3 "$regpy" layer "$work/blobs.tar" 'big("opt/bench/a.bin", 40 << 20); big("opt/bench/b.bin", 30 << 20)'
	python3 "$regpy" layer "$work/json.tar" \
		'f("srv/data.json", "".join("{\"id\": %d, \"name\": \"item-%d\", \"tags\": [\"a\", \"b\", \"c\"], \"value\": %d}\n" % (i, i, i * 7) for i in range(700000)))'
	ref=127.0.0.1:$port/bench/pull:1
	python3 "$regpy" push "http://127.0.0.1:$port" bench/pull:1 --layer "$cache/minbase.tar:gzip" \
		--layer "$work/text.tar:gzip" --layer "$work/blobs.tar:gzip" --layer "$work/json.tar:gzip" >/dev/null
	rm -f "$work/text.tar" "$work/blobs.tar" "$work/json.tar"
	urls=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$port/v2/bench/pull/manifests/1" |
		python3 -c 'import json,sys; print(" ".join(l["digest"] for l in json.load(sys.stdin)["layers"]))')
	sizes=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$port/v2/bench/pull/manifests/1" |
		python3 -c 'import json,sys; print(sum(l["size"] for l in json.load(sys.stdin)["layers"]) // 1000000)')
}

run() {
	local runs=${BENCH_PULL_RUNS:-3} B work regpid port ref urls sizes i
	# shellcheck disable=SC2064
	trap 'kill $regpid 2>/dev/null || true; "$B" unshare rm -rf "$work" 2>/dev/null || true; rm -rf "$work" 2>/dev/null || true' RETURN
	serve_image || return 1

	local podman_ok=
	if command -v podman >/dev/null; then podman_ok=1; fi
	local bw=() bm=() pw=() pm=() fw=() unpacked=
	for i in $(seq "$runs"); do
		# burrow, into a fresh storage root
		/usr/bin/time -f '%e %M' -o "$work/t" "$B" --root "$work/b$i" pull -q --tls-verify=false "$ref" >/dev/null
		bw+=("$(cut -d' ' -f1 "$work/t")") bm+=("$(($(cut -d' ' -f2 "$work/t") / 1024))")
		[ -n "$unpacked" ] || unpacked=$("$B" unshare du -sm "$work/b$i/layers" | cut -f1)
		"$B" unshare rm -rf "$work/b$i"
		# podman, into a fresh storage too (its temporary downloads on the same filesystem)
		if [ -n "$podman_ok" ]; then
			mkdir -p "$work/ptmp"
			if TMPDIR=$work/ptmp /usr/bin/time -f '%e %M' -o "$work/t" podman --root "$work/p$i" \
				--runroot "$work/pr$i" pull -q --tls-verify=false "$ref" >/dev/null 2>"$work/podman.err"; then
				pw+=("$(cut -d' ' -f1 "$work/t")") pm+=("$(($(cut -d' ' -f2 "$work/t") / 1024))")
			else
				echo "bench-pull: podman pull failed: $(tail -2 "$work/podman.err")" >&2
				podman_ok=
			fi
			podman --root "$work/p$i" --runroot "$work/pr$i" unshare rm -rf "$work/p$i" "$work/pr$i" 2>/dev/null || true
		fi
		# the floor: every blob at once, curl into tar -x
		mkdir -p "$work/f$i"
		local script="" k=0 d
		for d in $urls; do
			k=$((k + 1))
			# (device nodes cannot be made without root: tar says so and goes on)
			script+="mkdir -p $work/f$i/$k && curl -s http://127.0.0.1:$port/v2/bench/pull/blobs/$d | tar -xzf - -C $work/f$i/$k 2>/dev/null & "
		done
		/usr/bin/time -f '%e %M' -o "$work/t" bash -c "$script wait"
		fw+=("$(cut -d' ' -f1 "$work/t")")
		chmod -R u+w "$work/f$i" 2>/dev/null
		rm -rf "$work/f$i"
	done
	local b p f
	b=$(median "${bw[@]}") f=$(median "${fw[@]}")
	p=-
	[ "${#pw[@]}" -gt 0 ] && p=$(median "${pw[@]}")
	printf '\npull of a 4-layer image (%s MB in the registry, %s MB unpacked) from a local registry, median of %s runs\n' \
		"$sizes" "$unpacked" "$runs"
	printf '%-34s %10s %14s\n' "" "wall s" "peak RSS MB"
	printf '%-34s %10s %14s\n' "burrow pull" "$b" "$(median "${bm[@]}")"
	printf '%-34s %10s %14s\n' "podman pull" "$p" "$([ "${#pm[@]}" -gt 0 ] && median "${pm[@]}" || echo -)"
	printf '%-34s %10s %14s\n' "floor (curl | tar -x, all at once)" "$f" "-"
	python3 - "$b" "$p" "$f" <<'PY'
import sys
b, p, f = sys.argv[1:]
out = []
try: out.append("burrow is %.2fx the floor" % (float(b) / float(f)))
except ValueError: pass
try: out.append("%.2fx faster than podman" % (float(p) / float(b)))
except ValueError: pass
print("; ".join(out))
PY
	echo "runs: burrow ${bw[*]} s (${bm[*]} MB); podman ${pw[*]:-} s (${pm[*]:-} MB); floor ${fw[*]} s"
}

# one timed command: appends "wall-s" to the array named $1
timed() {
	local -n into=$1
	shift
	/usr/bin/time -f '%e' -o "$work/t" "$@" >/dev/null 2>"$work/err" || { echo "bench-pull: $* failed: $(tail -2 "$work/err")" >&2; return 1; }
	into+=("$(cat "$work/t")")
}

# save -o and load -i of the same image (docker-archive), burrow beside
# podman and the floor (cat of the archive; tar -x of its layers)
saveload() {
	local runs=${BENCH_PULL_RUNS:-3} B work regpid port ref urls sizes i
	# shellcheck disable=SC2064
	trap 'kill $regpid 2>/dev/null || true; "$B" unshare rm -rf "$work" 2>/dev/null || true; rm -rf "$work" 2>/dev/null || true' RETURN
	serve_image || return 1
	local P=(podman --root "$work/p" --runroot "$work/pr") podman_ok=
	"$B" --root "$work/b" pull -q --tls-verify=false "$ref" >/dev/null
	if command -v podman >/dev/null && TMPDIR=$work "${P[@]}" pull -q --tls-verify=false "$ref" >/dev/null 2>&1; then
		podman_ok=1
	fi
	kill "$regpid" 2>/dev/null
	local bs=() ps=() fs=() bl=() pl=() fl=()
	for i in $(seq "$runs"); do
		rm -f "$work/b.tar" "$work/p.tar"
		timed bs "$B" --root "$work/b" save -o "$work/b.tar" "$ref"
		[ -n "$podman_ok" ] && timed ps "${P[@]}" save -o "$work/p.tar" "$ref"
		timed fs sh -c "cat '$work/b.tar' >'$work/f.tar'"
		timed bl "$B" --root "$work/bl$i" load -i "$work/b.tar"
		"$B" unshare rm -rf "$work/bl$i"
		if [ -n "$podman_ok" ]; then
			TMPDIR=$work timed pl podman --root "$work/pl$i" --runroot "$work/plr$i" load -i "$work/p.tar"
			podman --root "$work/pl$i" --runroot "$work/plr$i" unshare rm -rf "$work/pl$i" "$work/plr$i" 2>/dev/null || true
		fi
		mkdir -p "$work/fl"
		timed fl sh -c "cd '$work/fl' && for l in \$(tar -tf '$work/b.tar' | grep '\.tar\$'); do mkdir -p x && tar -xOf '$work/b.tar' \$l | tar -xf - -C x 2>/dev/null; done; true"
		chmod -R u+w "$work/fl" 2>/dev/null
		rm -rf "$work/fl" "$work/f.tar"
	done
	"${P[@]}" unshare rm -rf "$work/p" "$work/pr" 2>/dev/null || true
	local mb
	mb=$(($(stat -c %s "$work/b.tar") / 1000000))
	printf '\nsave -o / load -i of the 4-layer image (a %s MB docker-archive), median wall s of %s runs\n' "$mb" "$runs"
	printf '%-10s %10s %10s %10s\n' "" "burrow" "podman" "floor"
	printf '%-10s %10s %10s %10s\n' "save" "$(median "${bs[@]}")" "$(median "${ps[@]}")" "$(median "${fs[@]}")"
	printf '%-10s %10s %10s %10s\n' "load" "$(median "${bl[@]}")" "$(median "${pl[@]}")" "$(median "${fl[@]}")"
	echo "(floor: cat of the archive; tar -x of each of its layers)"
}

case "${1:-}" in
prepare) prepare ;;
run) run ;;
saveload) saveload ;;
*)
	echo "usage: $0 prepare|run|saveload" >&2
	exit 2
	;;
esac
