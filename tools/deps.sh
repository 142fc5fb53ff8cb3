#!/bin/sh
# Installs the Debian packages burrow's build, tests and benchmarks need,
# when some are missing. As root it runs apt-get; as anyone else it says
# which packages to install.
set -eu

PKGS="gcc make pkg-config clang clang-format
libslirp-dev libglib2.0-dev libcap-dev libyajl-dev libtdb-dev libarchive-dev
libcurl4-openssl-dev libssl-dev libseccomp-dev libcmocka-dev zlib1g-dev
fuse-overlayfs uidmap busybox-static iproute2 util-linux
bats socat zstd python3 tdb-tools hyperfine keyutils
docker-registry skopeo apache2-utils openssl curl time debootstrap"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "burrow: missing Debian packages:$missing" >&2
	echo "hint: sudo apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
