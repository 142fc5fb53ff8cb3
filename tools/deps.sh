#!/bin/sh
# Installs the Debian packages burrow's build, tests, demo and benchmarks
# need (make and the compilers included), when some are missing. As root it
# runs apt-get; as anyone else it names the missing packages and exits 1.
# The list is the whole set-up of a fresh Debian 12: add a package here when
# a test or a tool starts to need one.
set -eu

# build: compilers, make, pkg-config and the libraries' -dev packages
# tests: fuse-overlayfs, newuidmap/newgidmap, the busybox the test images are
#   made from, bats and the tools the suites call (socat, zstd, python3,
#   tdbtool, keyctl, curl, script, ps and pgrep, jq, a local registry with
#   skopeo, htpasswd and openssl)
# benchmarks: hyperfine, /usr/bin/time, debootstrap (bench-pull's image),
#   iperf3 (bench-net)
PKGS="gcc make pkg-config clang clang-format
libslirp-dev libglib2.0-dev libcap-dev libyajl-dev libtdb-dev libarchive-dev
libcurl4-openssl-dev libssl-dev libseccomp-dev libcmocka-dev zlib1g-dev
fuse-overlayfs uidmap busybox-static iproute2 util-linux
bats socat zstd python3 tdb-tools keyutils curl bsdutils procps jq
docker-registry skopeo apache2-utils openssl
hyperfine time debootstrap iperf3"

# one dpkg-query for all: a package it does not know is missing too
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
	awk '/ install ok installed$/ {printf "%s ", $1}')"
missing=""
for p in $PKGS; do
	case "$installed" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "burrow: missing Debian packages:$missing" >&2
	echo "hint: run this command as root, which installs them; or as root: apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } >"$log" 2>&1; then
	tail -20 "$log" >&2
	echo "burrow: apt-get could not install:$missing" >&2
	exit 1
fi
