#!/bin/sh
# mkimage.sh OUT.tar: a small rootfs tarball from the host's static busybox
# (Debian package busybox-static): bin/busybox and its applets as symlinks,
# etc/passwd and etc/group (root, nobody), tmp (1777) and the empty
# directories a container needs. Every file belongs to 0:0 in the tarball.
# Import it with: burrow import --change 'CMD ["sh"]' OUT.tar localhost/busybox
set -eu

out=${1:-}
if [ -z "$out" ] || [ "$#" -ne 1 ]; then
	echo "usage: $0 OUT.tar" >&2
	exit 2
fi
busybox=${BUSYBOX:-/bin/busybox}
if [ ! -x "$busybox" ]; then
	echo "mkimage.sh: '$busybox' not found (Debian package busybox-static)" >&2
	exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
	echo "mkimage.sh: '$busybox' is dynamically linked; install busybox-static" >&2
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/mkimage.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
root=$dir/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/run" \
	"$root/root" "$root/var" "$root/usr/bin" "$root/sbin"
mkdir -m 1777 "$root/tmp"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"

applets="sh ash ls cat id echo hostname ps wget nc nslookup ip sleep true false env
	cp mv rm mkdir rmdir ln chmod chown touch stat find grep sed awk head tail wc sort
	uniq cut tr date df du mount umount uname whoami printf test [ kill pwd readlink
	realpath basename dirname tee xargs vi less more ping ifconfig route netstat
	nohup timeout seq yes tar gzip gunzip which dd od hexdump md5sum sha256sum
	getent su sync free top uptime dmesg httpd"
"$busybox" --list >"$dir/applets"
for a in $applets; do
	if grep -Fqx -- "$a" "$dir/applets"; then
		ln -s busybox "$root/bin/$a"
	fi
done
ln -s ../../bin/busybox "$root/usr/bin/env"

cat >"$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >"$root/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
chmod 0644 "$root/etc/passwd" "$root/etc/group"

tar --numeric-owner --owner=0 --group=0 --sort=name -C "$root" -cf "$out.tmp.$$" .
mv "$out.tmp.$$" "$out"
