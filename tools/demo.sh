#!/bin/sh
# make demo: imports a busybox image built from the host's busybox-static
# (once) and runs a real container from it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B="$top/burrow"
if [ "$(id -u)" = 0 ]; then
	"$top/tools/dev-modes.sh"
fi
if ! "$B" images | grep -q '^localhost/busybox '; then
	tar=$(mktemp /tmp/burrow-demo.XXXXXX.tar)
	"$top/tools/mkimage.sh" "$tar"
	"$B" import --change 'CMD ["sh"]' "$tar" busybox >/dev/null
	rm -f "$tar"
fi
echo "\$ burrow images"
"$B" images
echo
echo "\$ burrow run --rm busybox sh -c '...'"
"$B" run --rm busybox sh -c 'echo "hello from container $(hostname), pid $$, uid $(id -u)"; ip -4 addr show tap0 | grep inet; cat /etc/resolv.conf'
