#!/usr/bin/env bats
# burrow pull / login / logout / run --pull against real registries on
# 127.0.0.1 that this file starts as the test user (Debian's docker-registry:
# one plain HTTP, one TLS with a CA made here and htpasswd basic auth),
# filled with images built here from the host's busybox-static; and a small
# fake registry (registry.py fake) for the broken cases. Never the internet.

load helpers

REGPY=$BATS_TEST_DIRNAME/registry.py

# start_registry NAME [TLS+AUTH]: a docker-registry on a free port; sets
# ${NAME}_PORT and leaves its pid and access log in $BATS_FILE_TMPDIR/NAME.*
start_registry() {
	local name=$1 secure=${2:-} dir=$BATS_FILE_TMPDIR/$1 port i
	mkdir -p "$dir/data"
	for i in 1 2 3 4 5; do
		port=$(free_port)
		{
			printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s/data\n' "$dir"
			printf 'http:\n  addr: 127.0.0.1:%s\n  secret: burrow-test\n' "$port"
			if [ -n "$secure" ]; then
				printf '  tls:\n    certificate: %s/srv.crt\n    key: %s/srv.key\n' "$BATS_FILE_TMPDIR" "$BATS_FILE_TMPDIR"
				printf 'auth:\n  htpasswd:\n    realm: burrow-test\n    path: %s/htpasswd\n' "$BATS_FILE_TMPDIR"
			fi
		} >"$dir/config.yml"
		docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 3>&- &
		echo $! >"$dir/pid"
		local scheme=http opts=()
		[ -n "$secure" ] && scheme=https opts=(--cacert "$BATS_FILE_TMPDIR/ca.crt")
		local t
		for t in $(seq 200); do
			curl -s -o /dev/null "${opts[@]}" "$scheme://127.0.0.1:$port/v2/" && break
			kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
			sleep 0.1
		done
		if curl -s -o /dev/null "${opts[@]}" "$scheme://127.0.0.1:$port/v2/"; then
			printf -v "${name}_PORT" '%s' "$port"
			echo "$port" >"$dir/port"
			return 0
		fi
		kill "$(cat "$dir/pid")" 2>/dev/null # the port was taken after all
	done
	echo "cannot start docker-registry: $(tail -3 "$dir/log")" >&2
	return 1
}

setup_file() {
	local f=$BATS_FILE_TMPDIR
	if ! command -v docker-registry >/dev/null || ! command -v openssl >/dev/null || ! command -v htpasswd >/dev/null; then
		echo "skip" >"$f/missing"
		return 0
	fi
	"$TOP/tools/mkimage.sh" "$f/busybox.tar" >/dev/null
	# a CA and a certificate for 127.0.0.1 signed by it; a user for basic auth
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$f/ca.key" -out "$f/ca.crt" -days 2 \
		-subj "/CN=burrow test CA" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$f/srv.key" -out "$f/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$f/ext.cnf"
	openssl x509 -req -in "$f/srv.csr" -CA "$f/ca.crt" -CAkey "$f/ca.key" -CAcreateserial -out "$f/srv.crt" \
		-days 2 -extfile "$f/ext.cnf" 2>/dev/null
	htpasswd -Bbn alice 's3cret:pw' >"$f/htpasswd"

	start_registry reg
	start_registry sreg secure
	local R=http://127.0.0.1:$reg_PORT
	# layers: the busybox rootfs, and small ones on top
	python3 "$REGPY" layer "$f/hello.tar" 'd("etc"); f("etc/hello", "hello from layer 2\n"); f("etc/doomed", "x\n")'
	python3 "$REGPY" layer "$f/third.tar" 'd("etc"); f("etc/third", "third\n"); f("etc/.wh.doomed", "")'
	python3 "$REGPY" layer "$f/other.tar" 'd("opt"); f("opt/other", "another top\n")'
	python3 "$REGPY" layer "$f/arm.tar" 'f("arch", "arm64\n")'
	python3 "$REGPY" layer "$f/amd.tar" 'f("arch", "amd64\n")'
	python3 "$REGPY" layer "$f/conc.tar" 'big("opt/a", 3000000); big("opt/b", 3000000)'
	python3 "$REGPY" push "$R" test/busybox:1 --layer "$f/busybox.tar:gzip" >"$f/busybox.digest"
	python3 "$REGPY" push "$R" test/zstd:1 --layer "$f/busybox.tar:zstd" --layer "$f/hello.tar:zstd" >/dev/null
	python3 "$REGPY" push "$R" test/plain:1 --docker --layer "$f/busybox.tar:none" --layer "$f/hello.tar:none" >/dev/null
	python3 "$REGPY" push "$R" test/multi:1 --layer "$f/busybox.tar:gzip" --layer "$f/hello.tar:gzip" \
		--layer "$f/third.tar:gzip" >/dev/null
	python3 "$REGPY" push "$R" test/shared:1 --layer "$f/busybox.tar:gzip" --layer "$f/hello.tar:gzip" \
		--layer "$f/other.tar:gzip" >/dev/null
	python3 "$REGPY" push "$R" test/labels:1 --layer "$f/busybox.tar:gzip" --layer "$f/hello.tar:gzip" \
		--label maintainer=me --label org.example.version=1.2 >/dev/null
	python3 "$REGPY" push "$R" test/conc:1 --layer "$f/busybox.tar:gzip" --layer "$f/conc.tar:gzip" \
		--layer "$f/other.tar:zstd" >/dev/null
	# a manifest list: this machine's architecture and another
	local host other
	host=$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
	other=arm64
	[ "$host" = arm64 ] && other=amd64
	echo "$host" >"$f/host-arch"
	echo "$other" >"$f/other-arch"
	local dh do
	dh=$(python3 "$REGPY" push "$R" test/list:h --arch "$host" --layer "$f/busybox.tar:gzip" --layer "$f/$(
		[ "$host" = arm64 ] && echo arm || echo amd).tar:gzip")
	do=$(python3 "$REGPY" push "$R" test/list:o --arch "$other" --layer "$f/busybox.tar:gzip" --layer "$f/$(
		[ "$other" = arm64 ] && echo arm || echo amd).tar:gzip")
	python3 "$REGPY" index "$R" test/list:1 --manifest "$dh=linux/$host" --manifest "$do=linux/$other" >/dev/null
	python3 "$REGPY" push "https://127.0.0.1:$sreg_PORT" sec/busybox:1 --layer "$f/busybox.tar:gzip" \
		--auth 'alice:s3cret:pw' --cacert "$f/ca.crt" >/dev/null
	# an image that another client pushed: skopeo, from an OCI layout
	if command -v skopeo >/dev/null; then
		python3 "$REGPY" oci "$f/oci" 1 --layer "$f/busybox.tar:gzip" --layer "$f/hello.tar:gzip" >/dev/null
		# an auth file of its own: without XDG_RUNTIME_DIR skopeo reads
		# /run/containers/UID/auth.json, which a root podman's
		# /run/containers (0700) makes EACCES, a fatal error
		REGISTRY_AUTH_FILE=$f/skopeo-auth.json skopeo copy -q --dest-tls-verify=false "oci:$f/oci:1" \
			"docker://127.0.0.1:$reg_PORT/test/skopeo:1" >"$f/skopeo.log" 2>&1 ||
			echo "skopeo failed: $(cat "$f/skopeo.log")" >&2
	fi
}

teardown_file() {
	local p
	for p in "$BATS_FILE_TMPDIR"/*/pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	return 0
}

suite_setup() {
	[ -f "$BATS_FILE_TMPDIR/missing" ] && need_or_fail "docker-registry, openssl and htpasswd (Debian packages docker-registry, openssl, apache2-utils)"
	REG=127.0.0.1:$(cat "$BATS_FILE_TMPDIR/reg/port")
	SREG=127.0.0.1:$(cat "$BATS_FILE_TMPDIR/sreg/port")
	LAYERS=$XDG_DATA_HOME/burrow/layers
	FAKES=()
	make_userns
}

suite_teardown() {
	local p
	for p in "${FAKES[@]}"; do kill "$p" 2>/dev/null; done
	rm_store
}

# start_fake MODE: a fake registry serving one image broken as MODE says;
# sets FAKE (host:port) and FAKE_LOG (its request log).
start_fake() {
	local pf=$T/fake-$1.port t
	FAKE_LOG=$T/fake-$1.log
	: >"$FAKE_LOG"
	python3 "$REGPY" fake --mode "$1" --port-file "$pf" --log "$FAKE_LOG" --base "$BATS_FILE_TMPDIR/busybox.tar" 3>&- &
	FAKES+=($!)
	for t in $(seq 400); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	[ -s "$pf" ] || { echo "fake registry ($1) did not start" >&2; return 1; }
	FAKE=127.0.0.1:$(cat "$pf")
}

# blob_gets LOG REPO DIGEST: how many times the registry sent that blob.
# pull -a of the fake registry's paged repository: its five tags pulled,
# its tag list asked in three pages ($1: what the count says)
pull_all_pages() {
	run_burrow 0 pull -a -q --tls-verify=false --retry 0 "$FAKE/paged/img"
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}'
	is "$(sort <<<"$output")" "$FAKE/paged/img:latest
$FAKE/paged/img:p1
$FAKE/paged/img:p2
$FAKE/paged/img:p3
$FAKE/paged/img:p4"
	is "$(grep -c '/tags/list' "$FAKE_LOG")" 3 "$1"
}

blob_gets() {
	grep -c "\"GET /v2/$2/blobs/$3 HTTP" "$1" || true
}

# layer_digests REF: the layer blob digests of an image in the plain registry.
layer_digests() {
	curl -s -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://$REG/v2/${1%:*}/manifests/${1##*:}" |
		python3 -c 'import json,sys; print("\n".join(l["digest"] for l in json.load(sys.stdin)["layers"]))'
}

@test "pull: by tag from a local registry; plain progress lines, the ID on stdout; -q; run it" {
	run_burrow 0 pull --tls-verify=false "$REG/test/busybox:1"
	assert_match "$output" "Trying to pull $REG/test/busybox:1\.\.\."
	assert_match "$output" "Copying blob [0-9a-f]{12} done"
	assert_match "$output" "Copying config [0-9a-f]{12} done"
	id=${lines[-1]}
	assert_match "$id" "^[0-9a-f]{64}$"
	run_burrow 0 images
	assert_match "$output" "$REG/test/busybox +1 +${id:0:12}"
	# again: nothing is fetched, the ID alone with -q
	run --separate-stderr timeout "$BURROW_TIMEOUT" "$BURROW" pull -q --tls-verify=false "$REG/test/busybox:1"
	is "$status" 0
	is "$output" "$id"
	is "$stderr" ""
	run_burrow 0 image pull -q --tls-verify=false "$REG/test/busybox:1"
	is "$output" "$id" "image pull is pull"
	run_burrow 0 run --rm "$REG/test/busybox:1" sh -c 'echo ran; ls /bin/busybox'
	is "$output" "ran
/bin/busybox"
}

@test "pull -a/--all-tags: every tag the registry lists for the repository and no other; a tag given is left aside; -q: an ID per tag" {
	local f=$BATS_FILE_TMPDIR R=http://$REG
	python3 "$REGPY" push "$R" test/alltags:one --layer "$f/busybox.tar:gzip" >/dev/null
	python3 "$REGPY" push "$R" test/alltags:two --layer "$f/busybox.tar:gzip" --layer "$f/hello.tar:gzip" >/dev/null
	python3 "$REGPY" push "$R" test/alltags-not:three --layer "$f/busybox.tar:gzip" --layer "$f/other.tar:gzip" >/dev/null
	run_burrow 0 pull --all-tags --tls-verify=false "$REG/test/alltags"
	assert_match "$output" "Trying to pull $REG/test/alltags:one\.\.\."
	assert_match "$output" "Trying to pull $REG/test/alltags:two\.\.\."
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}'
	is "$(sort <<<"$output")" "$REG/test/alltags:one
$REG/test/alltags:two"
	run_burrow 0 run --rm "$REG/test/alltags:two" cat /etc/hello
	is "$output" "hello from layer 2"
	run_burrow 0 images --no-trunc -q
	want=$(sed 's/^sha256://' <<<"$output" | sort)
	# with a tag (left aside, as podman does), in a fresh store: the ID of
	# each tag's image on stdout, nothing else
	rm_store
	run --separate-stderr timeout "$BURROW_TIMEOUT" "$BURROW" pull -a -q --tls-verify=false "$REG/test/alltags:one"
	is "$status" 0
	is "$stderr" ""
	is "$(sort <<<"$output")" "$want"
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}'
	is "$(sort <<<"$output")" "$REG/test/alltags:one
$REG/test/alltags:two"
	# -a=false: the tag given, alone, as without -a
	rm_store
	run_burrow 0 pull -q -a=false --tls-verify=false "$REG/test/alltags:one"
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}'
	is "$output" "$REG/test/alltags:one" "pull -a=false: the one tag"
	# a repository the registry does not have; an archive has no tags to list
	run_burrow 125 pull -a --tls-verify=false "$REG/test/alltags-none"
	assert_match "$output" "cannot list the tags of '$REG/test/alltags-none'"
	run_burrow 125 pull -a "oci:$T/nothing"
	assert_match "$output" "only a registry lists tags"
}

@test "pull -a: a tag list in pages (Link: rel=\"next\", a path, then a URL): every page; a next page on another host is refused" {
	start_fake paged-tags
	pull_all_pages "three pages asked"
	rm_store
	start_fake tags-elsewhere
	run_burrow 125 pull -a -q --tls-verify=false --retry 0 "$FAKE/paged/img"
	assert_match "$output" "cannot list the tags of '$FAKE/paged/img': .*tags/list: its next page is not on http://$FAKE: 'http://127\.0\.0\.2:"
	is "$(grep -c '/tags/list' "$FAKE_LOG")" 2 "the page elsewhere is not asked"
	nothing_stored
}

@test "pull -a: a tag list whose pages loop (the last links back to the second) ends at a page already asked" {
	start_fake tags-loop
	pull_all_pages "each page asked once"
}

@test "pull -a: a tag list whose pages never end, each linking to a long URL of its own, is refused at the size cap" {
	start_fake tags-endless
	run_burrow 125 pull -a -q --tls-verify=false --retry 0 "$FAKE/paged/img"
	assert_match "$output" "cannot list the tags of '$FAKE/paged/img': http://$FAKE/v2/paged/img/tags/list: more than 4194304 bytes of tags and links"
	# 4 MiB of 30,000-byte links: some 140 pages, not one more
	is "$(grep -c '/tags/list' "$FAKE_LOG")" 140
	nothing_stored
}

@test "pull -a: a tag list's rel=\"next\" in the first or the second of two Link headers is followed" {
	start_fake tags-links
	pull_all_pages "three pages asked"
}

@test "pull -a: a tag list page's Link headers, 65,536 bytes in all, are followed; one byte more is refused, nothing stored" {
	start_fake links-full
	pull_all_pages "three pages asked"
	rm_store
	start_fake links-over
	run_burrow 125 pull -a -q --tls-verify=false --retry 0 "$FAKE/paged/img"
	assert_match "$output" "cannot list the tags of '$FAKE/paged/img': http://$FAKE/v2/paged/img/tags/list: its Link headers are longer than 65536 bytes in all"
	is "$(grep -c '/tags/list' "$FAKE_LOG")" 1 "no next page asked"
	nothing_stored
}

@test "pull: by digest; run by digest and by short name with the digest; repo digest recorded; a container's ImageDigest" {
	digest=$(cat "$BATS_FILE_TMPDIR/busybox.digest")
	run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox@$digest"
	id=$output
	run_burrow 0 images --format '{{.Digest}} {{join .RepoDigests ","}}'
	is "$output" "$digest $REG/test/busybox@$digest"
	run_burrow 0 run --rm "$REG/test/busybox@$digest" true
	run_burrow 0 run --rm "busybox@$digest" true
	# a container's ImageDigest: the manifest digest its image was pulled by
	run_burrow 0 create --name pulled "$REG/test/busybox@$digest" true
	run_burrow 0 inspect --format '{{.ImageDigest}}' pulled
	is "$output" "$digest"
	run_burrow 0 rm pulled
	# a digest that does not match what the registry has
	run_burrow 125 pull -q --tls-verify=false "$REG/test/busybox@sha256:$(printf '%064d' 0)"
	assert_match "$output" "manifest unknown"
	# the same image by tag: one image with both names
	run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox:1"
	is "$output" "$id"
	run_burrow 0 run --rm --pull=never "$REG/test/busybox@$digest" true
}

@test "pull: a lookup by digest passes over an image record that cannot be read, with a warning" {
	digest=$(cat "$BATS_FILE_TMPDIR/busybox.digest")
	run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox@$digest"
	id=${output#sha256:}
	run_burrow 0 import "$BATS_FILE_TMPDIR/busybox.tar" damaged
	bad=${output#sha256:}
	[ -x "$HELPERS_BIN/store-record" ] || need_or_fail "store-record test helper not built"
	timeout 30 "$HELPERS_BIN/store-record" "$XDG_DATA_HOME/burrow" "$XDG_RUNTIME_DIR/burrow" db put "img/$bad" '{"id":'
	run_burrow 0 image inspect --format '{{.Id}}' "$REG/test/busybox@$digest"
	is "${lines[-1]}" "$id"
	assert_match "$output" "warning: image ${bad:0:12}: its record cannot be read: skipped"
	run_burrow 0 image inspect --format '{{.Id}}' "busybox@$digest"
	is "${lines[-1]}" "$id"
	run_burrow 0 rmi "${bad:0:12}"
}

@test "pull: gzip, zstd and uncompressed layers; OCI and Docker media types; a skopeo-pushed image" {
	run_burrow 0 pull -q --tls-verify=false "$REG/test/zstd:1"
	run_burrow 0 run --rm "$REG/test/zstd:1" cat /etc/hello
	is "$output" "hello from layer 2"
	run_burrow 0 pull -q --tls-verify=false "$REG/test/plain:1"
	run_burrow 0 run --rm "$REG/test/plain:1" cat /etc/hello
	is "$output" "hello from layer 2"
	if ! grep -q "test/skopeo" "$BATS_FILE_TMPDIR/reg/log"; then
		cat "$BATS_FILE_TMPDIR/skopeo.log" >&2 2>/dev/null
		need_or_fail "skopeo (Debian package skopeo) to push an image"
	fi
	run_burrow 0 pull -q --tls-verify=false "$REG/test/skopeo:1"
	run_burrow 0 run --rm "$REG/test/skopeo:1" cat /etc/hello
	is "$output" "hello from layer 2"
}

@test "pull: layers stack (a whiteout hides a lower file); an image sharing layers fetches only its own" {
	log=$BATS_FILE_TMPDIR/reg/log
	mapfile -t multi < <(layer_digests test/multi:1)
	mapfile -t shared < <(layer_digests test/shared:1)
	is "${multi[0]}" "${shared[0]}" "the images share their bottom layers"
	is "${multi[1]}" "${shared[1]}"
	before0=$(blob_gets "$log" test/multi "${multi[0]}")
	run_burrow 0 pull -q --tls-verify=false "$REG/test/multi:1"
	run_burrow 0 run --rm "$REG/test/multi:1" sh -c 'cat /etc/hello /etc/third; test -e /etc/doomed || echo gone'
	is "$output" "hello from layer 2
third
gone"
	is "$(blob_gets "$log" test/multi "${multi[0]}")" $((before0 + 1))
	s0=$(blob_gets "$log" test/shared "${shared[0]}")
	s1=$(blob_gets "$log" test/shared "${shared[1]}")
	s2=$(blob_gets "$log" test/shared "${shared[2]}")
	run_burrow 0 pull --tls-verify=false "$REG/test/shared:1"
	assert_match "$output" "Copying blob ${shared[0]:7:12} skipped: already exists"
	assert_match "$output" "Copying blob ${shared[1]:7:12} skipped: already exists"
	assert_match "$output" "Copying blob ${shared[2]:7:12} done"
	is "$(blob_gets "$log" test/shared "${shared[0]}")" "$s0" "the shared bottom layer was not fetched again"
	is "$(blob_gets "$log" test/shared "${shared[1]}")" "$s1" "the shared second layer was not fetched again"
	is "$(blob_gets "$log" test/shared "${shared[2]}")" $((s2 + 1)) "the new layer was fetched once"
	run_burrow 0 run --rm "$REG/test/shared:1" cat /etc/hello /opt/other /etc/doomed
	is "$output" "hello from layer 2
another top
x"
}

@test "pull: a manifest list gives this machine's image; --arch/--platform another; a missing one lists those there" {
	host=$(cat "$BATS_FILE_TMPDIR/host-arch")
	other=$(cat "$BATS_FILE_TMPDIR/other-arch")
	run_burrow 0 pull -q --tls-verify=false "$REG/test/list:1"
	run_burrow 0 run --rm "$REG/test/list:1" cat /arch
	is "$output" "$host"
	run --separate-stderr timeout "$BURROW_TIMEOUT" "$BURROW" pull -q --tls-verify=false --arch "$other" "$REG/test/list:1"
	is "$status" 0
	is "$stderr" ""
	run_burrow 0 run --rm --pull=never "$REG/test/list:1" true # the tag moved to the other image
	run_burrow 0 pull -q --tls-verify=false --platform "linux/$host" "$REG/test/list:1"
	run_burrow 125 pull -q --tls-verify=false --platform linux/s390x "$REG/test/list:1"
	assert_match "$output" "no image for linux/s390x in it; it has linux/$host, linux/$other"
	assert_match "$output" "hint: choose one with --platform"
	run_burrow 125 pull -q --tls-verify=false --platform linux "$REG/test/list:1"
	assert_match "$output" "invalid platform 'linux'"
	run_burrow 125 pull -q --platform linux/amd64 --arch arm64 "$REG/test/list:1"
	assert_match "$output" "cannot be combined"
}

@test "pull: TLS with a CA made here: refused untrusted; --tls-verify=false; certs.d" {
	creds='alice:s3cret:pw'
	run_burrow 125 pull -q --creds "$creds" "$SREG/sec/busybox:1"
	assert_match "$output" "certificate"
	assert_match "$output" "hint: .*certs\.d/$SREG/ca\.crt"
	nothing_stored
	run_burrow 0 pull -q --tls-verify=false --creds "$creds" "$SREG/sec/busybox:1"
	run_burrow 0 images -q
	is "${#lines[@]}" 1
	mkdir -p "$XDG_CONFIG_HOME/containers/certs.d/$SREG"
	cp "$BATS_FILE_TMPDIR/ca.crt" "$XDG_CONFIG_HOME/containers/certs.d/$SREG/ca.crt"
	run_burrow 0 pull -q --creds "$creds" "$SREG/sec/busybox:1"
	# --tls-verify=true beats an insecure entry in registries.conf
	rm -r "$XDG_CONFIG_HOME/containers/certs.d"
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$SREG" >"$XDG_CONFIG_HOME/containers/registries.conf"
	run_burrow 0 pull -q --creds "$creds" "$SREG/sec/busybox:1"
	run_burrow 125 pull -q --tls-verify --creds "$creds" "$SREG/sec/busybox:1"
	assert_match "$output" "certificate"
}

@test "login/logout: basic auth with htpasswd; auth.json 0600 kept with other entries; REGISTRY_AUTH_FILE; docker's config.json" {
	auth=$XDG_RUNTIME_DIR/containers/auth.json
	run_burrow 125 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	assert_match "$output" "$SREG needs a login"
	assert_match "$output" "hint: log in first \('burrow login $SREG'\)"
	run_burrow 125 login --tls-verify=false -u alice -p wrong "$SREG"
	assert_match "$output" "cannot log in to $SREG: $SREG: invalid username or password"
	[ ! -e "$auth" ]
	run bash -c "printf 's3cret:pw\n' | timeout $BURROW_TIMEOUT $BURROW login --tls-verify=false -u alice --password-stdin $SREG"
	is "$status" 0
	is "$output" "Login Succeeded!"
	is "$(stat -c %a "$auth")" 600
	run_burrow 0 login --get-login "$SREG"
	is "$output" alice
	run_burrow 0 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	# another tool's entry survives a logout
	python3 - "$auth" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["auths"]["other.example"] = {"auth": "eDp5"}
d["credHelpers"] = {"helper.example": "pass"}
json.dump(d, open(sys.argv[1], "w"))
PY
	run_burrow 0 logout "$SREG"
	is "$output" "Removed login credentials for $SREG"
	grep -q other.example "$auth"
	grep -q credHelpers "$auth"
	run_burrow 125 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	assert_match "$output" "needs a login"
	run_burrow 125 logout "$SREG"
	is "$output" "burrow: not logged into $SREG"
	# REGISTRY_AUTH_FILE for login and pull
	export REGISTRY_AUTH_FILE=$T/elsewhere.json
	run_burrow 0 login --tls-verify=false -u alice -p 's3cret:pw' "$SREG"
	[ -s "$REGISTRY_AUTH_FILE" ]
	run_burrow 0 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	run_burrow 0 logout --all
	is "$output" "Removed login credentials for all registries"
	unset REGISTRY_AUTH_FILE
	# docker's file is read too
	mkdir -p "$T/home/.docker"
	printf '{"auths":{"https://%s":{"auth":"%s"}}}' "$SREG" "$(printf 'alice:s3cret:pw' | base64)" >"$T/home/.docker/config.json"
	HOME=$T/home run_burrow 0 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	HOME=$T/home run_burrow 125 logout "$SREG"
	assert_match "$output" "hint: credentials for it come from $T/home/.docker/config.json"
}

@test "login: credential helpers (credHelpers, credsStore) in docker's config.json and auth.json; pull, push, --get-login" {
	mkdir -p "$T/bin" "$T/home/.docker"
	# a helper as docker-credential-helpers are: the server on stdin, JSON out
	cat >"$T/bin/docker-credential-burrowtest" <<SH
#!/bin/sh
[ "\$1" = get ] || exit 3
server=\$(cat)
printf '%s\n' "\$server" >>"$T/helper.log"
if [ "\$server" = "$SREG" ]; then
	printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret:pw"}\n' "\$server"
else
	echo "credentials not found in native keychain"
	exit 1
fi
SH
	chmod 755 "$T/bin/docker-credential-burrowtest"
	printf '{"auths":{"%s":{}},"credHelpers":{"%s":"burrowtest"}}' "$SREG" "$SREG" >"$T/home/.docker/config.json"
	HOME=$T/home PATH=$T/bin:$PATH run_burrow 0 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	is "$(cat "$T/helper.log")" "$SREG" "the helper is asked for the registry"
	HOME=$T/home PATH=$T/bin:$PATH run_burrow 0 login --get-login "$SREG"
	is "$output" alice
	HOME=$T/home PATH=$T/bin:$PATH run_burrow 0 push -q --tls-verify=false "$SREG/sec/busybox:1" "$SREG/sec/helped:1"
	# without the helper on PATH: said, with the entry that names it
	HOME=$T/home run_burrow 125 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	assert_match "$output" "credHelpers of $T/home/.docker/config.json: credential helper 'docker-credential-burrowtest' not found in \\\$PATH"
	assert_match "$output" "hint: install it"
	# credsStore in auth.json: asked for every registry; one it has nothing for pulls anonymously
	rm -f "$T/home/.docker/config.json"
	mkdir -p "$XDG_RUNTIME_DIR/containers"
	printf '{"credsStore":"burrowtest"}' >"$XDG_RUNTIME_DIR/containers/auth.json"
	: >"$T/helper.log"
	HOME=$T/home PATH=$T/bin:$PATH run_burrow 0 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	HOME=$T/home PATH=$T/bin:$PATH run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox:1"
	is "$(cat "$T/helper.log")" "$SREG"$'\n'"$REG"
	# a helper that fails: its own words, no pull
	printf '#!/bin/sh\necho "keyring is locked" >&2\nexit 2\n' >"$T/bin/docker-credential-burrowtest"
	HOME=$T/home PATH=$T/bin:$PATH run_burrow 125 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	assert_match "$output" "credential helper 'docker-credential-burrowtest' exited with 2 for $SREG: keyring is locked"
	# a helper that hangs (asks for a passphrase nobody types) is killed at
	# the bound: 60 s, here shortened by the tests-only variable
	printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 600\n' "$T/helper.pid" >"$T/bin/docker-credential-burrowtest"
	: >"$T/helper.pid"
	BURROW_TEST_CRED_HELPER_TIMEOUT_MS=1000 HOME=$T/home PATH=$T/bin:$PATH run_burrow 125 pull -q --tls-verify=false "$SREG/sec/busybox:1"
	assert_match "$output" "credential helper 'docker-credential-burrowtest' did not answer for $SREG within 1 s"
	hp=$(cat "$T/helper.pid")
	[ -n "$hp" ]
	[ ! -e "/proc/$hp" ] || { echo "the hanging helper $hp is still there" >&2; kill -9 "$hp"; false; }
	rm -f "$XDG_RUNTIME_DIR/containers/auth.json"
}

@test "login/logout: through the credential helper auth.json names (credHelpers, credsStore): store, get, erase" {
	mkdir -p "$T/bin" "$T/keep" "$XDG_RUNTIME_DIR/containers"
	# a helper keeping each login in a file of its own: store, get, erase
	cat >"$T/bin/docker-credential-burrowkeep" <<SH
#!/bin/sh
in=\$(cat)
echo "\$1" >>"$T/helper.log"
case "\$1" in
store)
	server=\$(printf '%s' "\$in" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ServerURL"])')
	printf '%s' "\$in" >"$T/keep/\$server" ;;
get)
	[ -f "$T/keep/\$in" ] && exec cat "$T/keep/\$in"
	echo "credentials not found in native keychain"; exit 1 ;;
erase)
	[ -f "$T/keep/\$in" ] || { echo "credentials not found in native keychain"; exit 1; }
	rm -f "$T/keep/\$in" ;;
list)
	python3 -c 'import json, os, sys; print(json.dumps({f: "alice" for f in os.listdir(sys.argv[1])}))' "$T/keep" ;;
*) exit 3 ;;
esac
SH
	chmod 755 "$T/bin/docker-credential-burrowkeep"
	auth=$XDG_RUNTIME_DIR/containers/auth.json
	for entry in "\"credHelpers\":{\"$SREG\":\"burrowkeep\"}" '"credsStore":"burrowkeep"'; do
		printf '{"auths":{"%s":{"auth":"b2xkOm9sZA=="}},%s}' "$SREG" "$entry" >"$auth"
		: >"$T/helper.log"
		PATH=$T/bin:$PATH run_burrow 0 login --tls-verify=false -u alice -p 's3cret:pw' "$SREG"
		is "$output" "Login Succeeded!"
		# the helper keeps them, the file does not (its old entry would shadow them)
		is "$(cat "$T/keep/$SREG")" "{\"ServerURL\":\"$SREG\",\"Username\":\"alice\",\"Secret\":\"s3cret:pw\"}"
		run python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sorted(d["auths"]), d.get("credHelpers", d.get("credsStore")))' "$auth"
		assert_match "$output" "^\[\] .*burrowkeep"
		PATH=$T/bin:$PATH run_burrow 0 pull -q --tls-verify=false "$SREG/sec/busybox:1"
		PATH=$T/bin:$PATH run_burrow 0 login --get-login "$SREG"
		is "$output" alice
		PATH=$T/bin:$PATH run_burrow 0 logout "$SREG"
		is "$output" "Removed login credentials for $SREG"
		[ ! -e "$T/keep/$SREG" ]
		is "$(tr '\n' ' ' <"$T/helper.log")" "store get get erase "
		PATH=$T/bin:$PATH run_burrow 125 pull -q --tls-verify=false "$SREG/sec/busybox:1"
		assert_match "$output" "needs a login"
		PATH=$T/bin:$PATH run_burrow 125 logout "$SREG"
		is "$output" "burrow: not logged into $SREG"
	done
	# logout --all: what the helpers keep goes too (credHelpers: each
	# entry's registry; credsStore: every one it lists), the entries stay
	for entry in "\"credHelpers\":{\"$SREG\":\"burrowkeep\"}" '"credsStore":"burrowkeep"'; do
		local asked="erase " # credHelpers: its registry's, credsStore: those it lists
		[ "${entry#*credsStore}" = "$entry" ] || asked="list erase "
		printf '{"auths":{"other.example":{"auth":"eDp5"}},%s}' "$entry" >"$auth"
		PATH=$T/bin:$PATH run_burrow 0 login --tls-verify=false -u alice -p 's3cret:pw' "$SREG"
		[ -e "$T/keep/$SREG" ]
		: >"$T/helper.log"
		PATH=$T/bin:$PATH run_burrow 0 logout --all
		is "$output" "Removed login credentials for all registries"
		[ ! -e "$T/keep/$SREG" ]
		is "$(tr '\n' ' ' <"$T/helper.log")" "$asked"
		run python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sorted(d["auths"]), d.get("credHelpers", d.get("credsStore")))' "$auth"
		assert_match "$output" "^\[\] .*burrowkeep"
		PATH=$T/bin:$PATH run_burrow 125 pull -q --tls-verify=false "$SREG/sec/busybox:1"
		assert_match "$output" "needs a login"
	done
	# a helper that cannot store: its words, and the file untouched
	printf '#!/bin/sh\ncat >/dev/null\necho "keyring is locked" >&2\nexit 2\n' >"$T/bin/docker-credential-burrowkeep"
	cp "$auth" "$T/before.json"
	PATH=$T/bin:$PATH run_burrow 125 login --tls-verify=false -u alice -p 's3cret:pw' "$SREG"
	is "$output" "burrow: cannot store the credentials for $SREG: credsStore of $auth: credential helper 'docker-credential-burrowkeep' exited with 2 for $SREG: keyring is locked"
	cmp "$auth" "$T/before.json"
	# nor list, for logout --all: the same
	PATH=$T/bin:$PATH run_burrow 125 logout --all
	is "$output" "burrow: cannot log out of every registry: credsStore of $auth: credential helper 'docker-credential-burrowkeep' exited with 2 when asked to list: keyring is locked"
	cmp "$auth" "$T/before.json"
	rm -f "$auth"
}

@test "pull: short names through registries.conf: search registries, aliases, blocked, mirrors" {
	# the tests' registries.conf has an empty search list: nothing to try
	run_burrow 125 pull busybox
	assert_match "$output" "short name 'busybox' did not resolve"
	mkdir -p "$XDG_CONFIG_HOME/containers"
	dead=127.0.0.1:$(free_port) # nothing listens there
	cat >"$XDG_CONFIG_HOME/containers/registries.conf" <<CONF
unqualified-search-registries = ["$dead", "$REG"]

[[registry]]
location = "$REG"
insecure = true

[[registry]]
location = "$dead"
insecure = true

[[registry]]
prefix = "blocked.invalid"
blocked = true

[[registry]]
prefix = "example.invalid/team"
location = "offline.invalid/team"
[[registry.mirror]]
location = "$REG/test"
insecure = true

[aliases]
"bb" = "$REG/test/busybox"
CONF
	run_burrow 0 pull --retry 0 test/busybox:1
	assert_match "$output" "Trying to pull $dead/test/busybox:1\.\.\."
	assert_match "$output" "Trying to pull $REG/test/busybox:1\.\.\."
	run_burrow 0 images
	assert_match "$output" "$REG/test/busybox +1 "
	run_burrow 0 pull bb:1
	assert_match "$output" "Resolved \"bb\" as an alias \($XDG_CONFIG_HOME/containers/registries.conf:"
	run_burrow 0 run --rm --pull=never bb:1 true
	run_burrow 125 pull blocked.invalid/x:1
	assert_match "$output" "'blocked.invalid/x:1' is blocked by registries.conf"
	run_burrow 0 pull --retry 0 example.invalid/team/busybox:1
	run_burrow 0 images
	assert_match "$output" "example.invalid/team/busybox +1 "
	run_burrow 125 pull --retry 0 test/nosuch:1
	assert_match "$output" "cannot pull 'test/nosuch:1': not found in any search registry: $dead/test/nosuch:1: .*; $REG/test/nosuch:1: .*manifest unknown"
	printf 'unqualified-search-registries = "x"\n' >"$XDG_CONFIG_HOME/containers/registries.conf"
	run_burrow 125 pull bb
	assert_match "$output" "registries.conf: line 1: 'unqualified-search-registries' must be an array of strings"
}

@test "pull: burrow.conf's [registries] insecure and timeout; bad values refused" {
	mkdir -p "$XDG_CONFIG_HOME/burrow"
	printf '[registries]\ninsecure = "nothing.invalid, %s"\ntimeout = 5\n' "$REG" >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 0 pull -q "$REG/test/busybox:1"
	printf '[registries]\ninsecure = "%s/x"\n' "$REG" >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 125 pull -q "$REG/test/busybox:1"
	assert_match "$output" "line 2: registries.insecure lists HOST\[:PORT\] names"
	printf '[registries]\ntimeout = 0\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	run_burrow 125 pull -q "$REG/test/busybox:1"
	assert_match "$output" "registries.timeout must be 1 to 3600 seconds"
}

@test "run --pull: missing pulls once; never refuses; always pulls again; newer keeps the local image when the registry is gone" {
	run_burrow 125 run --rm --pull=never "$REG/test/busybox:1" true
	assert_match "$output" "image '$REG/test/busybox:1' not known"
	# the container's own options are checked before anything is pulled
	run_burrow 125 run --rm --name 'bad name' --tls-verify=false "$REG/test/busybox:1" true
	is "$output" "burrow: invalid container name 'bad name': use letters, digits, '_', '.' and '-'"
	run_burrow 0 run --rm --tls-verify=false "$REG/test/busybox:1" echo first
	assert_match "$output" "Trying to pull $REG/test/busybox:1"
	is "${lines[-1]}" first
	run_burrow 0 run --rm --tls-verify=false "$REG/test/busybox:1" echo second
	is "$output" second
	run_burrow 0 run --rm --pull=always --tls-verify=false "$REG/test/busybox:1" echo third
	assert_match "$output" "skipped: already exists"
	run_burrow 0 run --rm -q --pull=always --tls-verify=false "$REG/test/busybox:1" echo quiet
	is "$output" quiet
	# a container shows the full name it was pulled as
	run_burrow 0 run --name named --tls-verify=false "$REG/test/zstd:1" true
	run_burrow 0 ps -a
	assert_match "$output" "$REG/test/zstd:1"
	run_burrow 0 rm named
	# newer with nothing listening: warned, the local image runs
	port=$(free_port)
	run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox:1"
	run_burrow 0 import "$BATS_FILE_TMPDIR/busybox.tar" "127.0.0.1:$port/gone:1"
	run_burrow 0 run --rm --pull=newer --retry 0 --tls-verify=false "127.0.0.1:$port/gone:1" echo local
	assert_match "$output" "warning: .*using the image that is here"
	is "${lines[-1]}" local
	run_burrow 125 run --rm --pull=sometimes "$REG/test/busybox:1" true
	assert_match "$output" "invalid --pull 'sometimes'"
}

@test "pull: invalid references are refused with one line (125) before anything is touched" {
	for ref in Busybox "docker.io/Library/x" "x@sha256:123" "x@md5:$(printf '%032d' 0)" "a:b:c" ":tag" "x@@y"; do
		run_burrow 125 pull "$ref"
		is "${#lines[@]}" 1 "one line for '$ref'"
		assert_match "$output" "^burrow: invalid image name"
	done
	run_burrow 125 pull --retry many x
	assert_match "$output" "invalid --retry 'many'"
	run_burrow 125 pull --tls-verify=maybe x
	assert_match "$output" "invalid --tls-verify 'maybe'"
	run_burrow 125 pull
	assert_match "$output" "missing image"
}

@test "pull: a blob that does not match its digest, a truncated blob, a layer that is not its diff ID: refused, nothing stored" {
	start_fake bad-digest
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "blob sha256:[0-9a-f]{64} does not match its digest"
	nothing_stored
	start_fake truncated
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "is truncated: [0-9]+ of [0-9]+ bytes arrived"
	nothing_stored
	start_fake diffid
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "its content is sha256:[0-9a-f]{64}, not the diff ID sha256:0{64}"
	nothing_stored
}

@test "pull: a manifest one byte past the 4 MiB cap is refused, nothing stored" {
	start_fake huge-manifest
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "manifests/latest: the answer is larger than 4194304 bytes"
	nothing_stored
}

@test "pull: a configuration one byte past the 8 MiB cap, a layer one byte longer than its manifest says: refused, nothing stored" {
	start_fake huge-config
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "blobs/sha256:[0-9a-f]{64}: the answer is larger than 8388608 bytes"
	nothing_stored
	start_fake long-blob
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "blob sha256:[0-9a-f]{64} is larger than the [0-9]+ bytes its manifest says"
	nothing_stored
}

@test "pull: a token answer one byte past the 256 KiB cap, a WWW-Authenticate of 1 MiB: refused, nothing stored" {
	start_fake huge-token
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "cannot get a token for $FAKE: .*/token.*: the answer is larger than 262144 bytes"
	# asked once, and nothing past it
	is "$(grep -c '^GET /token' "$FAKE_LOG")" 1 "one token request"
	is "$(grep -c '/blobs/' "$FAKE_LOG")" 0 "no blob asked"
	nothing_stored
	# a challenge of 1 MiB: past what libcurl takes of one header, said so
	start_fake huge-challenge
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "manifests/latest: a header of the answer is longer than libcurl takes \\(100 KiB\\)"
	is "$(grep -c '^GET /token' "$FAKE_LOG")" 0 "no token asked"
	nothing_stored
}

@test "pull: a manifest that is not JSON, of an unknown media type, with an unknown layer type, schema 1: refused" {
	start_fake not-json
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "manifest of '$FAKE/broken/img:latest': it is not JSON"
	start_fake unknown-mediatype
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "unknown manifest media type 'application/vnd.example.manifest\+json'"
	start_fake unknown-layer-type
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "layer 1 has an unknown media type 'application/vnd.example.mystery'"
	start_fake schema1
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "Docker schema 1 manifest, which burrow does not support"
	nothing_stored
}

@test "pull: a layer with path traversal is refused; nothing written outside, nothing stored" {
	start_fake traversal
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "tar entry .*escaped.*: refused: the path has a '\.\.' component"
	nothing_stored
	run find "$XDG_DATA_HOME" "$T" -name escaped
	is "$output" "" "nothing escaped the layer"
}

@test "pull: a registry that answers 500 is tried again, then refused; one that hangs is given up on" {
	start_fake 500
	run_burrow 125 pull -q --tls-verify=false --retry 2 --retry-delay 100ms "$FAKE/broken/img"
	assert_match "$output" "HTTP 500 UNKNOWN: the fake registry is broken"
	is "$(grep -c 'manifests/latest' "$FAKE_LOG")" 3 "one attempt and two more"
	start_fake 500-once
	run_burrow 0 pull -q --tls-verify=false --retry-delay 100ms "$FAKE/broken/img"
	mkdir -p "$XDG_CONFIG_HOME/burrow"
	printf '[registries]\ntimeout = 2\n' >"$XDG_CONFIG_HOME/burrow/burrow.conf"
	start_fake hang
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/other/img"
	assert_match "$output" "no answer in time"
}

@test "pull: kill -9 in the middle leaves no half layer that counts; the next pull completes it" {
	start_fake slow-once
	"$BURROW" pull -q --tls-verify=false "$FAKE/broken/img" >"$T/killed.out" 2>&1 &
	pid=$!
	for t in $(seq 600); do
		ls "$LAYERS" 2>/dev/null | grep -q '^tmp-' && grep -q blobs "$FAKE_LOG" && break
		sleep 0.05
	done
	ls "$LAYERS" | grep -q '^tmp-' || { cat "$T/killed.out"; false; }
	# the small layer lands while the big one stalls (bounded, 30 s)
	for t in $(seq 600); do
		[ "$(ls -A "$LAYERS" | grep -Evc '^\.locks$|^tmp-')" -ge 1 ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	# the big layer was still arriving: only its half is there, not in place
	ls -A "$LAYERS" | grep -q '^tmp-'
	is "$(ls -A "$LAYERS" | grep -Evc '^\.locks$|^tmp-')" 1 "only the small layer, which was complete, is in place"
	run_burrow 0 images -q
	is "$output" ""
	run_burrow 0 pull -q --tls-verify=false "$FAKE/broken/img"
	run_burrow 0 run --rm "$FAKE/broken/img" sh -c 'test -s /big && echo whole'
	is "$output" whole
	run ls -A "$LAYERS"
	assert_no_match "$output" "tmp-" "the killed pull's directory was cleaned up"
	is "$(ls -A "$LAYERS" | grep -Evc '^\.locks$')" 2 "two layers"
}

@test "pull: 5 pulls of one image at once all succeed and fetch each layer once" {
	log=$BATS_FILE_TMPDIR/reg/log
	mapfile -t layers < <(layer_digests test/conc:1)
	declare -A before
	for d in "${layers[@]}"; do before[$d]=$(blob_gets "$log" test/conc "$d"); done
	pids=()
	for i in 1 2 3 4 5; do
		timeout "$BURROW_TIMEOUT" "$BURROW" pull -q --tls-verify=false "$REG/test/conc:1" >"$T/conc$i.out" 2>&1 &
		pids+=($!)
	done
	for i in 1 2 3 4 5; do
		wait "${pids[$((i - 1))]}" || { cat "$T/conc$i.out"; false; }
	done
	id=$(cat "$T/conc1.out")
	for i in 2 3 4 5; do is "$(cat "$T/conc$i.out")" "$id"; done
	for d in "${layers[@]}"; do
		is "$(blob_gets "$log" test/conc "$d")" $((before[$d] + 1)) "layer $d fetched once"
	done
	run_burrow 0 run --rm "$REG/test/conc:1" sh -c 'wc -c </opt/a; cat /opt/other'
	is "$output" "3000000
another top"
}

@test "pull: two images that share layers pulled at once fetch each shared layer once; both run" {
	log=$BATS_FILE_TMPDIR/reg/log
	mapfile -t multi < <(layer_digests test/multi:1)
	mapfile -t shared < <(layer_digests test/shared:1)
	is "${multi[0]} ${multi[1]}" "${shared[0]} ${shared[1]}" "the two share their two lowest layers"
	declare -A before
	for d in "${multi[0]}" "${multi[1]}"; do
		before[$d]=$(($(blob_gets "$log" test/multi "$d") + $(blob_gets "$log" test/shared "$d")))
	done
	timeout "$BURROW_TIMEOUT" "$BURROW" pull -q --tls-verify=false "$REG/test/multi:1" >"$T/m.out" 2>&1 &
	local p1=$!
	timeout "$BURROW_TIMEOUT" "$BURROW" pull -q --tls-verify=false "$REG/test/shared:1" >"$T/s.out" 2>&1 &
	local p2=$!
	wait "$p1" || { cat "$T/m.out"; false; }
	wait "$p2" || { cat "$T/s.out"; false; }
	for d in "${multi[0]}" "${multi[1]}"; do
		is $(($(blob_gets "$log" test/multi "$d") + $(blob_gets "$log" test/shared "$d"))) $((before[$d] + 1)) \
			"shared layer $d fetched once"
	done
	is "$(ls "$LAYERS" | wc -l)" 4 "four layers: two shared, one of each"
	run_burrow 0 run --rm "$REG/test/multi:1" cat /etc/third
	is "$output" third
	run_burrow 0 run --rm "$REG/test/shared:1" cat /opt/other
	is "$output" "another top"
}

@test "rmi: racing a pull of an image that shares its layers leaves both consistent" {
	local i
	for i in 1 2 3; do
		run_burrow 0 pull -q --tls-verify=false "$REG/test/multi:1"
		timeout "$BURROW_TIMEOUT" "$BURROW" pull -q --tls-verify=false "$REG/test/shared:1" >"$T/s.out" 2>&1 &
		local p=$!
		[ "$i" = 2 ] && sleep 0.2
		run_burrow 0 rmi "$REG/test/multi:1"
		wait "$p" || { cat "$T/s.out"; false; }
		# the pulled image has all its layers; the removed one's own is gone
		run_burrow 0 run --rm "$REG/test/shared:1" sh -c 'cat /etc/hello /opt/other; test ! -e /etc/third'
		is "$output" "hello from layer 2
another top"
		is "$(ls "$LAYERS" | wc -l)" 3 "the shared image's three layers, not multi's own"
		run_burrow 0 rmi "$REG/test/shared:1"
		no_layer_dirs
	done
}

@test "images --filter label, image inspect and history of a pulled image: labels, digests, layers matched to history" {
	run_burrow 0 pull -q --tls-verify=false "$REG/test/labels:1"
	local id=$output
	run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox:1"
	local bb=$output
	run_burrow 0 images -q --filter label=maintainer
	is "$output" "${id:0:12}"
	run_burrow 0 images -q --filter label=maintainer=me --filter 'label=org.example.*=1.2'
	is "$output" "${id:0:12}"
	run_burrow 0 images -q --filter label=maintainer=you
	is "$output" ""
	run_burrow 0 images -q --filter label!=maintainer
	is "$output" "${bb:0:12}"
	run_burrow 0 image prune -a --filter label=maintainer=me
	is "$output" "$id"
	run_burrow 0 pull -q --tls-verify=false "$REG/test/labels:1"
	run_burrow 0 image inspect --format '{{.Labels.maintainer}} {{.Digest}} {{len .RootFS.Layers}} {{index .RepoDigests 0}} {{.ManifestType}}' "$REG/test/labels:1"
	assert_match "$output" "^me sha256:[0-9a-f]{64} 2 $REG/test/labels@sha256:[0-9a-f]{64} application/vnd.oci.image.manifest.v1\+json$"
	run_burrow 0 images --digests --format '{{.Digest}}' "$REG/test/labels:1"
	assert_match "$output" "^sha256:[0-9a-f]{64}$"
	# history: newest first, the image's ID on top, the layers' sizes from the top
	run_burrow 0 history --human=false --format '{{.ID}} {{.Size}} {{.CreatedBy}}' "$REG/test/labels:1"
	assert_match "${lines[0]}" "^${id:0:12} [0-9]{2} registry.py$"
	assert_match "${lines[1]}" "^<missing> [0-9]{6,} registry.py$"
	is "${#lines[@]}" 2
}

@test "pull: progress on a terminal is one line per layer, redrawn in place" {
	command -v script >/dev/null || need_or_fail "script (util-linux)"
	run script -qec "TERM=xterm timeout $BURROW_TIMEOUT $BURROW pull --tls-verify=false $REG/test/multi:1" /dev/null
	is "$status" 0
	assert_match "$output" $'\e\\[K'"Copying blob [0-9a-f]{12}"
	assert_match "$output" "Copying config"
}

@test "pull: libcurl is loaded by the commands that pull, and by no other" {
	run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox:1"
	run env LD_DEBUG=libs timeout "$BURROW_TIMEOUT" "$BURROW" --version
	assert_no_match "$output" "libcurl"
	run env LD_DEBUG=libs timeout "$BURROW_TIMEOUT" "$BURROW" ps -a
	assert_no_match "$output" "libcurl"
	run env LD_DEBUG=libs timeout "$BURROW_TIMEOUT" "$BURROW" run --rm "$REG/test/busybox:1" true
	is "$status" 0
	assert_no_match "$output" "libcurl"
	run env LD_DEBUG=libs timeout "$BURROW_TIMEOUT" "$BURROW" pull -q --tls-verify=false "$REG/test/busybox:1"
	is "$status" 0
	assert_match "$output" "libcurl\.so"
}

# blob_uploads REPO: how many blobs were uploaded to REPO of the plain registry
blob_uploads() {
	grep -c "\"PUT /v2/$1/blobs/uploads/" "$BATS_FILE_TMPDIR/reg/log" || true
}

@test "push: to a registry; pulling it gives the same digest and ID; blobs the registry has are not sent again" {
	# an image of no registry: every layer compressed here and sent once
	import_busybox localhost/bb
	id=$(timeout 30 "$BURROW" images --no-trunc -q | head -1 | sed "s/^sha256://")
	run_burrow 0 push --tls-verify=false --digestfile "$T/digest" localhost/bb "$REG/pushed/bb:1"
	assert_match "$output" "Copying blob [0-9a-f]{12} done"
	assert_match "$output" "Writing manifest to image destination"
	digest=$(cat "$T/digest")
	assert_match "$digest" "^sha256:[0-9a-f]{64}$"
	is "$(blob_uploads pushed/bb)" 2 "the layer and the configuration sent"
	# what the registry serves is what was pushed
	run curl -s -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://$REG/v2/pushed/bb/manifests/1"
	is "sha256:$(printf '%s' "$output" | sha256sum | cut -d' ' -f1)" "$digest"
	# again: the same blobs (the same compression), nothing sent but the manifest
	run_burrow 0 push -q --tls-verify=false --digestfile "$T/digest2" localhost/bb "$REG/pushed/bb:1"
	is "$output" ""
	is "$(blob_uploads pushed/bb)" 2 "no blob sent again"
	is "$(cat "$T/digest2")" "$digest" "the same manifest"
	# pulled into another store: the same manifest digest and image ID
	run_burrow 0 --root "$T/other" pull -q --tls-verify=false "$REG/pushed/bb:1"
	is "$output" "$id"
	run timeout 30 "$BURROW" --root "$T/other" images --format json
	assert_match "$output" "\"Digest\": ?\"$digest\""
	run_burrow 0 --root "$T/other" run --rm "$REG/pushed/bb:1" cat /etc/passwd
	assert_match "$output" "root:"
	timeout 30 "$BURROW" unshare rm -rf "$T/other"
}

@test "push: progress on a terminal is one line per blob with its bytes, redrawn in place; plain lines otherwise" {
	command -v script >/dev/null || need_or_fail "script (util-linux)"
	import_busybox localhost/bb
	run script -qec "TERM=xterm timeout $BURROW_TIMEOUT $BURROW push --tls-verify=false localhost/bb $REG/pushed/tty:1" /dev/null
	is "$status" 0
	# a line with the bytes sent of the blob's size, then the same line redrawn as done
	assert_match "$output" $'\r\e\\[K'"Copying blob ([0-9a-f]{12}) \[[=> ]{30}\] [0-9.]+ [kM]?B / [0-9.]+ [kM]?B"
	assert_match "$output" $'\e\\[1A\r\e\\[K'"Copying blob [0-9a-f]{12} done"
	assert_match "$output" "Writing manifest to image destination"
	# not a terminal: one plain line per blob, no bytes
	run_burrow 0 push --tls-verify=false localhost/bb "$REG/pushed/plain:1"
	is "$(grep -c '^Copying blob [0-9a-f]\{12\} done$' <<<"$output")" 1 "one line for the one layer"
	assert_no_match "$output" " / "
}

@test "push: a pulled image's layers are mounted from the repository they came from; --format v2s2" {
	run_burrow 0 pull -q --tls-verify=false "$REG/test/multi:1"
	id=$output
	run_burrow 0 push --tls-verify=false --digestfile "$T/digest" "$REG/test/multi:1" "$REG/pushed/multi:1"
	assert_match "$output" "Copying blob [0-9a-f]{12} skipped: mounted"
	is "$(blob_uploads pushed/multi)" 1 "only the configuration sent"
	run_burrow 0 --root "$T/other" pull -q --tls-verify=false "$REG/pushed/multi:1"
	is "$output" "$id"
	run timeout 30 "$BURROW" --root "$T/other" images --format json
	assert_match "$output" "\"Digest\": ?\"$(cat "$T/digest")\""
	run_burrow 0 --root "$T/other" run --rm "$REG/pushed/multi:1" cat /etc/hello
	is "$output" "hello from layer 2"
	timeout 30 "$BURROW" unshare rm -rf "$T/other"
	# a Docker v2s2 manifest
	run_burrow 0 push -q --tls-verify=false --format v2s2 "$REG/test/multi:1" "$REG/pushed/v2:1"
	run curl -s -H "Accept: application/vnd.docker.distribution.manifest.v2+json" "http://$REG/v2/pushed/v2/manifests/1"
	assert_match "$output" "application/vnd.docker.distribution.manifest.v2\+json"
	run_burrow 0 --root "$T/other" pull -q --tls-verify=false "$REG/pushed/v2:1"
	is "$output" "$id"
	timeout 30 "$BURROW" unshare rm -rf "$T/other"
	run_burrow 125 push --format nosuch "$REG/test/multi:1" "$REG/pushed/v2:1"
	run_burrow 125 push localhost/nosuch "$REG/pushed/x:1"
	assert_match "$output" "not known"
	run_burrow 125 push "$REG/test/multi:1" containers-storage:x
	assert_match "$output" "not supported"
}

# pushed_types REPO: the media types of the manifest the registry holds
# as REPO:1 and of its configuration
pushed_types() {
	curl -s -H "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" \
		"http://$REG/v2/$1/manifests/1" | dir_types -
}

# dir_types FILE: the same of a manifest in FILE (- standard input)
dir_types() {
	python3 -c 'import json, sys
d = json.load(sys.stdin if sys.argv[1] == "-" else open(sys.argv[1]))
print(d["mediaType"], d["config"]["mediaType"])' "$1"
}

# As podman 4.3 (checked live against docker-registry): without --format
# an image goes with its own manifest type, a Docker v2s2 one (pulled so,
# or committed with -f docker) as v2s2, others (OCI, imported) as OCI;
# --format converts, docker being v2s2; push to dir: does the same.
@test "push: without --format the image's own manifest type (Docker v2s2 when pulled or committed so), to a registry and to dir:; --format converts" {
	local docker="application/vnd.docker.distribution.manifest.v2+json application/vnd.docker.container.image.v1+json"
	local oci="application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.config.v1+json"
	run_burrow 0 pull -q --tls-verify=false "$REG/test/plain:1"
	run_burrow 0 pull -q --tls-verify=false "$REG/test/multi:1"
	run_burrow 0 create --name c1 "$REG/test/multi:1" true
	run_burrow 0 commit -q -f docker c1 localhost/cdock
	import_busybox localhost/bb
	run_burrow 0 push -q --tls-verify=false "$REG/test/plain:1" "$REG/kept/plain:1"
	is "$(pushed_types kept/plain)" "$docker" "pulled as Docker v2s2"
	run_burrow 0 push -q --tls-verify=false localhost/cdock "$REG/kept/cdock:1"
	is "$(pushed_types kept/cdock)" "$docker" "committed with -f docker"
	run_burrow 0 push -q --tls-verify=false "$REG/test/multi:1" "$REG/kept/multi:1"
	is "$(pushed_types kept/multi)" "$oci" "pulled as OCI"
	run_burrow 0 push -q --tls-verify=false localhost/bb "$REG/kept/bb:1"
	is "$(pushed_types kept/bb)" "$oci" "imported"
	run_burrow 0 push -q --tls-verify=false --format oci localhost/cdock "$REG/conv/cdock:1"
	is "$(pushed_types conv/cdock)" "$oci" "--format oci"
	run_burrow 0 push -q --tls-verify=false --format docker localhost/bb "$REG/conv/bb:1"
	is "$(pushed_types conv/bb)" "$docker" "--format docker"
	# dir:, and pulled back from there
	run_burrow 0 push -q localhost/cdock "dir:$T/d-cdock"
	is "$(dir_types "$T/d-cdock/manifest.json")" "$docker" "dir: of a Docker v2s2 image"
	run_burrow 0 push -q localhost/bb "dir:$T/d-bb"
	is "$(dir_types "$T/d-bb/manifest.json")" "$oci" "dir: of an OCI image"
	run_burrow 0 push -q --format v2s2 localhost/bb "dir:$T/d-bb2"
	is "$(dir_types "$T/d-bb2/manifest.json")" "$docker" "dir: with --format v2s2"
	# save's docker-dir stays Docker's
	run_burrow 0 save -q --format docker-dir -o "$T/s-bb" localhost/bb
	is "$(dir_types "$T/s-bb/manifest.json")" "$docker" "save --format docker-dir"
	run_burrow 0 images -q --no-trunc localhost/bb
	local id=${output#sha256:}
	run_burrow 0 --root "$T/other" pull -q "dir:$T/d-bb"
	is "$output" "$id" "the OCI dir: pulled back"
	timeout 30 "$BURROW" unshare rm -rf "$T/other"
}

@test "push: TLS and basic auth: refused without credentials, done with them; to an archive" {
	creds='alice:s3cret:pw'
	run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox:1"
	mkdir -p "$XDG_CONFIG_HOME/containers/certs.d/$SREG"
	cp "$BATS_FILE_TMPDIR/ca.crt" "$XDG_CONFIG_HOME/containers/certs.d/$SREG/ca.crt"
	run_burrow 125 push "$REG/test/busybox:1" "$SREG/sec/pushed:1"
	assert_match "$output" "(401|unauthorized|login)"
	run_burrow 0 push -q --creds "$creds" --digestfile "$T/d" "$REG/test/busybox:1" "$SREG/sec/pushed:1"
	run_burrow 0 --root "$T/other" pull -q --creds "$creds" "$SREG/sec/pushed:1"
	run timeout 30 "$BURROW" --root "$T/other" images --format json
	assert_match "$output" "\"Digest\": ?\"$(cat "$T/d")\""
	timeout 30 "$BURROW" unshare rm -rf "$T/other"
	# to an archive: what save writes
	run_burrow 0 push "$REG/test/busybox:1" "oci-archive:$T/o.tar"
	run tar xOf "$T/o.tar" index.json
	assert_match "$output" "$REG/test/busybox:1"
	# --compress: dir:'s layers gzipped (as save --compress); without, plain
	# tars (an OCI image's dir: has an OCI manifest, as podman's)
	run_burrow 0 push --compress "$REG/test/busybox:1" "dir:$T/gz"
	run_burrow 0 push "$REG/test/busybox:1" "dir:$T/plain"
	run_burrow 0 push --format v2s2 --compress "$REG/test/busybox:1" "dir:$T/gz2"
	run_burrow 0 push --format v2s2 "$REG/test/busybox:1" "dir:$T/plain2"
	run_burrow 0 push --compress=false "$REG/test/busybox:1" "dir:$T/plain3"
	for d in gz plain gz2 plain2 plain3; do
		python3 -c 'import json,sys; print(*[l["mediaType"] for l in json.load(open(sys.argv[1]))["layers"]])' \
			"$T/$d/manifest.json"
	done >"$T/types"
	is "$(cat "$T/types")" "application/vnd.oci.image.layer.v1.tar+gzip
application/vnd.oci.image.layer.v1.tar
application/vnd.docker.image.rootfs.diff.tar.gzip
application/vnd.docker.image.rootfs.diff.tar
application/vnd.oci.image.layer.v1.tar" "push --compress=false: plain tars"
	# --compression-format: gzip, what a registry gets; zstd is refused before anything is sent
	run_burrow 0 push -q --compression-format gzip --creds "$creds" "$REG/test/busybox:1" "$SREG/sec/gz:1"
	run_burrow 125 push --compression-format zstd --creds "$creds" "$REG/test/busybox:1" "$SREG/sec/zs:1"
	is "$output" "burrow: push: --compression-format 'zstd': burrow compresses layers with gzip only"
}

@test "push, login: --tls-verify=false skips the check of a certificate not trusted here, and allows plain HTTP; without it, refused" {
	creds='alice:s3cret:pw'
	run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox:1"
	# the TLS registry's CA is not trusted here (no certs.d)
	run_burrow 125 push -q --creds "$creds" "$REG/test/busybox:1" "$SREG/sec/tv:1"
	assert_match "$output" "certificate"
	run_burrow 0 push -q --tls-verify=false --creds "$creds" "$REG/test/busybox:1" "$SREG/sec/tv:1"
	run curl -sk -u "$creds" "https://$SREG/v2/sec/tv/tags/list"
	is "$output" '{"name":"sec/tv","tags":["1"]}'
	run_burrow 125 login -u alice -p s3cret:pw "$SREG"
	assert_match "$output" "certificate"
	run_burrow 0 login --tls-verify=false -u alice -p s3cret:pw "$SREG"
	is "$output" "Login Succeeded!"
	# the plain HTTP registry: refused with --tls-verify, taken with =false
	run_burrow 125 push -q --tls-verify "$REG/test/busybox:1" "$REG/pushed/tv:1"
	run_burrow 0 push -q --tls-verify=false "$REG/test/busybox:1" "$REG/pushed/tv:1"
	run curl -s "http://$REG/v2/pushed/tv/tags/list"
	is "$output" '{"name":"pushed/tv","tags":["1"]}'
}

@test "pull: a configuration, a manifest asked for by digest, or one by tag, that is not what its digest (by tag: Docker-Content-Digest) says: refused, nothing stored" {
	start_fake bad-config
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "configuration: .*/blobs/sha256:[0-9a-f]{64}: the content is sha256:[0-9a-f]{64}, not sha256:[0-9a-f]{64}"
	nothing_stored
	start_fake bad-manifest
	local digest
	digest=$(python3 -c 'import hashlib, sys, urllib.request
print("sha256:" + hashlib.sha256(urllib.request.urlopen(sys.argv[1]).read()).hexdigest())' \
		"http://$FAKE/v2/broken/img/manifests/latest")
	# its Docker-Content-Digest header matches the altered content: only
	# the digest asked for can tell
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img@$digest"
	assert_match "$output" "the content is sha256:[0-9a-f]{64}, not $digest"
	nothing_stored
	# by tag, the registry's Docker-Content-Digest is what it must match
	start_fake bad-header
	run_burrow 125 pull -q --tls-verify=false --retry 0 "$FAKE/broken/img"
	assert_match "$output" "manifests/latest: the content is sha256:[0-9a-f]{64}, not sha256:[0-9a-f]{64}"
	nothing_stored
}

@test "images: podman's fields beside the table's: Containers, Labels, History, RepoTags, ReadOnly, SharedSize, VirtualSize, ParentId; image inspect's Parent" {
	run_burrow 0 pull -q --tls-verify=false "$REG/test/busybox:1"
	run_burrow 0 pull -q --tls-verify=false "$REG/test/labels:1"
	local lab=$output
	run_burrow 0 tag "$REG/test/labels:1" lab:two
	run_burrow 0 create --name c1 lab:two
	run_burrow 0 create --name c2 lab:two
	run_burrow 0 images --sort repository --filter reference=lab --filter reference=test/busybox \
		--format '{{.Repository}} {{.Containers}} {{.Labels}} {{.ReadOnly}} {{.SharedSize}} {{.History}}'
	# a row per name, each with its image's fields
	local l="2 map[maintainer:me org.example.version:1.2] false 0 localhost/lab:two, $REG/test/labels:1"
	is "$output" "$REG/test/busybox 0 map[] false 0 $REG/test/busybox:1
$REG/test/labels $l
localhost/lab $l"
	run_burrow 0 images --format '{{.VirtualSize}} {{.RepoTags}}' lab:two
	is "${#lines[@]}" 2 # a row per name
	assert_match "${lines[0]}" "^[0-9]{6,} \\[$REG/test/labels:1 localhost/lab:two\\]$"
	run_burrow 0 images --format 'table {{.ReadOnly}} {{.SharedSize}} {{.VirtualSize}}' lab:two
	assert_match "${lines[0]}" "^R/O +SHARED SIZE +VIRTUAL SIZE$"
	# JSON: podman's keys and types (Labels null without labels)
	run_burrow 0 images --format json
	python3 -c '
import json, sys
imgs = {i["Id"]: i for i in json.loads(sys.argv[1])}
l = imgs[sys.argv[2]]
assert l["Containers"] == 2 and l["Labels"] == {"maintainer": "me", "org.example.version": "1.2"}, l
assert l["History"] == ["localhost/lab:two", sys.argv[3] + "/test/labels:1"], l
assert l["RepoTags"] == l["Names"] and l["SharedSize"] == 0 and l["VirtualSize"] == l["Size"], l
b = [i for i in imgs.values() if i["Id"] != sys.argv[2]][0]
assert b["Containers"] == 0 and b["Labels"] is None, b
# the parent, as podman finds it: the layers less the top one, the history less the newest entry
assert l["ParentId"] == b["Id"] and b["ParentId"] == "", (l, b)
' "$output" "$lab" "$REG"
	local bb
	bb=$(json_get "$output" '[i["Id"] for i in d if i["Id"] != "'"$lab"'"][0]' | tr -d '"')
	run_burrow 0 image inspect --format '{{.Parent}}' lab:two
	is "$output" "$bb"
	run_burrow 0 images --format '{{.ParentId}}' "$REG/test/busybox:1"
	is "$output" ""
	# podman's filters on what containers use, read-only and manifest lists (burrow has none)
	run_burrow 0 images -q --no-trunc --filter containers=true
	is "$output" "sha256:$lab"
	run_burrow 0 images -q --no-trunc --filter containers=false --filter manifest=false --filter readonly=false
	is "$output" "sha256:$bb"
	run_burrow 0 images -q --filter readonly=true
	is "$output" ""
	run_burrow 0 images -q --filter manifest=true
	is "$output" ""
	run_burrow 125 images --filter containers=maybe
	# a commit is its image's child (one more layer, one more history entry)
	run_burrow 0 commit -q c1 kid
	run_burrow 0 image inspect --format '{{.Parent}}' kid
	is "$output" "$lab"
	run_burrow 0 images --format 'table {{.Repository}} {{.ParentId}}' kid
	assert_match "${lines[0]}" '^REPOSITORY +PARENT ID$'
	assert_match "${lines[1]}" "^localhost/kid +$lab$"
}

@test "login/logout: =false is as if not given: logout -a, login --get-login and --password-stdin (no registry reached)" {
	run_burrow 125 logout -a=false
	is "$output" "burrow: logout: which registry? (or --all)" "logout -a=false: as without it"
	run_burrow 0 logout -a
	is "$output" "Removed login credentials for all registries"
	# (127.0.0.1:1: a registry never asked, each refused first)
	run bash -c "timeout $BURROW_TIMEOUT '$BURROW' login --get-login=false 127.0.0.1:1 </dev/null"
	is "$status" 125
	assert_match "$output" "cannot ask for the user name: there is no terminal" "login --get-login=false: a login"
	run_burrow 125 login --get-login 127.0.0.1:1
	is "$output" "burrow: not logged into 127.0.0.1:1" "login --get-login: the user logged in"
	run bash -c "echo pw | timeout $BURROW_TIMEOUT '$BURROW' login --password-stdin=false -u alice 127.0.0.1:1"
	is "$status" 125
	assert_match "$output" "cannot ask for the password: there is no terminal" "login --password-stdin=false: asks"
	run bash -c "echo pw | timeout $BURROW_TIMEOUT '$BURROW' login --password-stdin -u alice 127.0.0.1:1"
	assert_no_match "$output" "cannot ask for the password" "login --password-stdin: read from stdin"
}
