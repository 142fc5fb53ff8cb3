#!/bin/sh
# As root: makes /dev/fuse and /dev/net/tun mode 0666, as desktop
# distributions have them, so that unprivileged users can mount
# fuse-overlayfs and open a tap device. Says so in one line when it changes
# a mode, and nothing when they already were 0666.
set -eu
changed=""
for d in /dev/fuse /dev/net/tun; do
	[ -c "$d" ] || continue
	[ "$(stat -c %a "$d")" = 666 ] && continue
	chmod 0666 "$d"
	changed="${changed:+$changed and }$d"
done
[ -z "$changed" ] || echo "made $changed mode 0666 (as on a desktop), so that unprivileged users can run containers"
