#!/bin/sh
# local-registry.sh start [PORT] | stop: a registry of your own on
# 127.0.0.1 (Debian's docker-registry, plain HTTP, as you), holding
# localhost:PORT/busybox:latest built from the host's busybox-static (as
# tools/mkimage.sh builds it, in two layers). For the README's tour:
#   tools/local-registry.sh start
#   ./burrow pull --tls-verify=false localhost:5000/busybox
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${LOCAL_REGISTRY_DIR:-${XDG_RUNTIME_DIR:-/tmp/burrow-registry-$(id -u)}/burrow-registry}
cmd=${1:-}
port=${2:-5000}

case "$cmd" in
stop)
	if [ -f "$dir/pid" ]; then
		kill "$(cat "$dir/pid")" 2>/dev/null || true
		rm -f "$dir/pid"
	fi
	rm -rf "$dir"
	echo "local registry stopped"
	exit 0
	;;
start) ;;
*)
	echo "usage: $0 start [PORT] | stop" >&2
	exit 2
	;;
esac

command -v docker-registry >/dev/null || {
	echo "local-registry.sh: docker-registry is missing (Debian package docker-registry)" >&2
	exit 1
}
if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
	echo "local registry already running: localhost:$(cat "$dir/port")" >&2
	exit 0
fi
mkdir -p "$dir/data"
cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
  secret: burrow-local
EOF
docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
echo $! >"$dir/pid"
echo "$port" >"$dir/port"
i=0
until curl -s -o /dev/null "http://127.0.0.1:$port/v2/"; do
	i=$((i + 1))
	if [ "$i" -gt 50 ] || ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
		echo "local-registry.sh: docker-registry did not start: $(tail -3 "$dir/log")" >&2
		exit 1
	fi
	sleep 0.1
done

# busybox, and a second layer with a file of its own
"$top/tools/mkimage.sh" "$dir/busybox.tar" >/dev/null
python3 "$top/tests/integration/registry.py" layer "$dir/motd.tar" \
	'd("etc"); f("etc/motd", "hello from a pulled layer\n")'
python3 "$top/tests/integration/registry.py" push "http://127.0.0.1:$port" busybox:latest \
	--created "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --layer "$dir/busybox.tar:gzip" --layer "$dir/motd.tar:gzip" >/dev/null
echo "local registry: localhost:$port (image localhost:$port/busybox); stop it with: $0 stop"
