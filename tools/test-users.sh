#!/bin/sh
# As root: makes the two unprivileged test users (burrow-t1 with
# /etc/subuid and /etc/subgid ranges, burrow-t2 without) and makes
# /dev/fuse and /dev/net/tun 0666 as on a normal desktop.
set -eu
for u in burrow-t1 burrow-t2; do
	id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"
done
# useradd may have given t2 ranges: it must have none
sed -i '/^burrow-t2:/d' /etc/subuid /etc/subgid
grep -q '^burrow-t1:' /etc/subuid || echo "burrow-t1:200000:65536" >>/etc/subuid
grep -q '^burrow-t1:' /etc/subgid || echo "burrow-t1:200000:65536" >>/etc/subgid
"$(dirname "$0")/dev-modes.sh"
