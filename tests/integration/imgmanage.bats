#!/usr/bin/env bats
# Managing images: tag, untag, rmi (exit codes, containers that use an
# image, -f, -a, -i), shared layers counted by the images that name them,
# image prune collecting what a crash left behind, image inspect, history,
# image exists, and the `image` aliases.

load helpers

suite_setup() {
	LAYERS=$XDG_DATA_HOME/burrow/layers
	make_userns
}

suite_teardown() {
	held_cleanup
	rm_store
}

# The layer directories of the store (chain IDs), sorted.
layer_dirs() {
	ls "$LAYERS" | grep -E '^[0-9a-f]{64}$' | sort || true
}

@test "tag: adds names (short ones become localhost/), moves a name from another image; untag removes them" {
	import_busybox one
	local one=$output
	import_busybox two
	local two=$output
	run_burrow 0 tag one extra mine:v1 quay.io/x/y:z
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	assert_match "$output" "localhost/extra:latest ${one:0:12}"
	assert_match "$output" "localhost/mine:v1 ${one:0:12}"
	assert_match "$output" "quay.io/x/y:z ${one:0:12}"
	# a name moves: two takes extra from one
	run_burrow 0 tag two extra
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	assert_match "$output" "localhost/extra:latest ${two:0:12}"
	assert_no_match "$output" "localhost/extra:latest ${one:0:12}"
	# untag one name, then all of them; the image stays
	run_burrow 0 untag one mine:v1
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}'
	assert_no_match "$output" "mine"
	run_burrow 0 untag "$one"
	run_burrow 0 images --format '{{.ID}} {{.Repository}}:{{.Tag}}'
	assert_match "$output" "${one:0:12} <none>:<none>"
	# --history: the names it had, latest first, in a last column
	run_burrow 0 images --history --filter "id=$one"
	assert_match "${lines[0]}" "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +HISTORY$"
	assert_match "${lines[1]}" "^<none> +<none> +${one:0:12} .* quay.io/x/y:z, localhost/mine:v1, localhost/extra:latest, localhost/one:latest$"
	run_burrow 0 images --history --digests --noheading --filter "id=$two"
	assert_match "$(grep '^localhost/two ' <<<"$output")" "^localhost/two +latest +<none> +${two:0:12} .* localhost/extra:latest, localhost/two:latest$"
	run_burrow 125 untag two nosuch
	is "$output" "burrow: localhost/nosuch:latest: tag not known"
	# bad input is refused before anything is written
	run_burrow 125 tag two 'Bad Name'
	run_burrow 125 tag two "localhost/x@sha256:$(printf '%064d' 0)"
	run_burrow 125 tag nosuch x
	assert_match "$output" "image 'nosuch' not known"
	run_burrow 125 tag two
	# aliases
	run_burrow 0 image tag two again
	run_burrow 0 image untag two again
	run_burrow 0 image ls -q
	is "$(echo "$output" | wc -l)" 2
	run_burrow 0 image list -q
}

@test "rmi: by one of several names untags; by the last name or ID deletes; exit 1 for no such image, -i or -f ignores it" {
	import_busybox one
	local id=$output
	run_burrow 0 tag one other
	run_burrow 0 rmi one
	is "$output" "Untagged: localhost/one:latest"
	run_burrow 0 images -q --no-trunc
	is "$output" "sha256:$id"
	# by ID with several names: needs -f
	run_burrow 0 tag other third
	run_burrow 125 rmi "${id:0:12}"
	assert_match "$output" "needs -f"
	run_burrow 0 untag other third
	run_burrow 0 rmi other
	is "$output" "Untagged: localhost/other:latest
Deleted: $id"
	run_burrow 0 images -q
	is "$output" ""
	is "$(layer_dirs)" "" "the image's layer is freed"
	run_burrow 1 rmi nosuch
	assert_match "$output" "image 'nosuch' not known"
	run_burrow 0 rmi -i nosuch
	run_burrow 0 image rm --ignore nosuch
	# -f too, as podman 4.3: silent, exit 0
	run_burrow 0 rmi -f nosuch
	is "$output" ""
	run_burrow 125 rmi
	run_burrow 125 rmi -a something
}

# base (an import named base) and kid (a commit of a container made from
# it, named kid): their IDs
parent_and_child() {
	import_busybox base
	base=$output
	child_of base kid
	kid=$output
}

@test "images: an untagged image another is made from is intermediate: hidden without -a, as podman; intermediate= filters" {
	local base kid
	parent_and_child
	# tagged, the parent is listed
	run_burrow 0 images -q --no-trunc --sort id
	is "$output" "$(printf 'sha256:%s\n' "$base" "$kid" | sort)"
	run_burrow 0 untag base
	run_burrow 0 images -q --no-trunc
	is "$output" "sha256:$kid"
	run_burrow 0 images --format '{{.Repository}}'
	is "$output" "localhost/kid"
	run_burrow 0 images -a -q --no-trunc --sort id
	is "$output" "$(printf 'sha256:%s\n' "$base" "$kid" | sort)"
	run_burrow 0 images -a -q --no-trunc --filter intermediate=true
	is "$output" "sha256:$base"
	run_burrow 0 images -a -q --no-trunc --filter intermediate=false
	is "$output" "sha256:$kid"
	# as podman 4.3: a parent is not dangling
	run_burrow 0 images -a -q --filter dangling=true
	is "$output" ""
	run_burrow 0 images -a --format '{{.ID}} {{.Dangling}}' --filter intermediate=true
	is "$output" "${base:0:12} false"
	run_burrow 125 images --filter intermediate=true
	assert_match "$output" "only -a lists"
	run_burrow 125 images --filter intermediate=maybe
	# once its child is gone (--no-prune: it stays) it is an ordinary
	# dangling image again
	run_burrow 0 rmi --no-prune kid
	run_burrow 0 images -q --no-trunc --filter dangling=true
	is "$output" "sha256:$base"
}

@test "rmi: the parents left dangling go too, child first, each saying 'Deleted' with a remove event (as podman's); --no-prune keeps them" {
	local base kid mid top since
	parent_and_child
	# base <- kid <- mid <- top, the three parents without names
	child_of kid mid
	mid=$output
	child_of mid top
	top=$output
	run_burrow 0 untag base
	run_burrow 0 untag kid
	run_burrow 0 untag mid
	# --no-prune: only the image goes
	run_burrow 0 rmi --no-prune top
	is "$output" "Untagged: localhost/top:latest
Deleted: $top"
	run_burrow 0 images -a -q --no-trunc --sort id
	is "$output" "$(printf 'sha256:%s\n' "$base" "$kid" "$mid" | sort)"
	# without: the two it leaves dangling go with it
	run_burrow 0 tag "$mid" mid
	since=$(date +%s.%N)
	run_burrow 0 rmi mid
	is "$output" "Untagged: localhost/mid:latest
Deleted: $mid
Deleted: $kid
Deleted: $base"
	run_burrow 0 images -a -q
	is "$output" ""
	is "$(layer_dirs | wc -l)" 0 "no layer left"
	# as podman's: the parents' remove events carry no name
	run_burrow 0 events --stream=false --since "$since" --filter type=image --format '{{.Status}} {{.ID}} {{.Name}}'
	is "$output" "untag $mid localhost/mid:latest
remove $mid mid
remove $kid 
remove $base "
}

@test "rmi: a dangling parent named after its child went with it is no error (podman finds every image first)" {
	local base kid
	parent_and_child
	run_burrow 0 untag base
	# by its ID, and by a short one with sha256:
	run_burrow 0 rmi kid "$base" "sha256:${base:0:12}"
	is "$output" "Untagged: localhost/kid:latest
Deleted: $kid
Deleted: $base"
	run_burrow 0 images -a -q
	is "$output" ""
	# a name that never was is still one (no hex digit: never an ID's prefix)
	run_burrow 1 rmi no-such-img
}

@test "rmi: an image named twice is removed once, exit 0 (podman 4.3: rmi kid kid, rmi ID ID)" {
	import_busybox one
	local id=$output
	run_burrow 0 tag one other
	run_burrow 0 rmi other localhost/other:latest other
	is "$output" "Untagged: localhost/other:latest"
	run_burrow 0 rmi one one
	is "$output" "Untagged: localhost/one:latest
Deleted: $id"
	run_burrow 0 images -q
	is "$output" ""
	# a missing name stays an error after one that was removed
	import_busybox one
	run_burrow 1 rmi one no-such-img
	assert_match "$output" "image 'no-such-img' not known"
	import_busybox one
	id=$output
	run_burrow 0 rmi "$id" "${id:0:12}"
	is "$output" "Untagged: localhost/one:latest
Deleted: $id"
}

@test "rmi: a parent stays when it has a name, another child or a container (even with -f)" {
	local base kid kid2 kid3
	parent_and_child
	# a name
	run_burrow 0 rmi kid
	is "$output" "Untagged: localhost/kid:latest
Deleted: $kid"
	run_burrow 0 images -a -q --no-trunc
	is "$output" "sha256:$base"
	# another child
	child_of base kid2
	kid2=$output
	child_of base kid3
	kid3=$output
	run_burrow 0 untag base
	run_burrow 0 rmi kid2
	is "$output" "Untagged: localhost/kid2:latest
Deleted: $kid2"
	# a container; -f removes the image's own containers, not its parent's
	run_burrow 0 create --name user "$base" true
	run_burrow 0 rmi -f kid3
	is "$output" "Untagged: localhost/kid3:latest
Deleted: $kid3"
	run_burrow 0 images -a -q --no-trunc
	is "$output" "sha256:$base"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" user
}

@test "rmi: the parent of another image goes saying only 'Untagged', as podman 4.3; its layers stay with the child" {
	local base kid layers
	parent_and_child
	layers=$(layer_dirs)
	run_burrow 0 rmi base
	is "$output" "Untagged: localhost/base:latest"
	run_burrow 0 images -a -q --no-trunc
	is "$output" "sha256:$kid"
	is "$(layer_dirs)" "$layers" "the child keeps every layer"
	run_burrow 0 run --rm kid true
	# a childless image says "Deleted"
	run_burrow 0 rmi kid
	is "$output" "Untagged: localhost/kid:latest
Deleted: $kid"
	is "$(layer_dirs | wc -l)" 0 "no layer left"
}

@test "images: each row has its own image's labels and parent (rows sorted away from the store's order); label= picks by them" {
	local base kid i
	parent_and_child
	# the same layer as base, another history (the comment): none is kid's parent
	for i in 3 1 2; do
		run_burrow 0 import -q -m "lab$i" --change "LABEL n=$i" --change "LABEL only$i=x" "$BATS_RUN_TMPDIR/busybox.tar" "lab$i"
	done
	run_burrow 0 images --filter 'reference=lab*' --sort repository --format '{{.Repository}} {{.Labels}}'
	is "$output" "localhost/lab1 map[n:1 only1:x]
localhost/lab2 map[n:2 only2:x]
localhost/lab3 map[n:3 only3:x]"
	run_burrow 0 images --filter label=n=2 --format '{{.Repository}}'
	is "$output" localhost/lab2
	run_burrow 0 images --filter label=only3 --filter label!=n=1 --format '{{.Repository}}'
	is "$output" localhost/lab3
	run_burrow 0 images --format json --sort size
	is "$(json_get "$output" 'sorted((x["Names"][0], x["ParentId"], x["Labels"]) for x in d)')" \
		"[[\"localhost/base:latest\", \"\", null], [\"localhost/kid:latest\", \"$base\", null], [\"localhost/lab1:latest\", \"\", {\"n\": \"1\", \"only1\": \"x\"}], [\"localhost/lab2:latest\", \"\", {\"n\": \"2\", \"only2\": \"x\"}], [\"localhost/lab3:latest\", \"\", {\"n\": \"3\", \"only3\": \"x\"}]]"
}

@test "image prune: an untagged parent stays while its child has a name, as podman's; once the child is dangling too, both go" {
	local base kid
	parent_and_child
	run_burrow 0 untag base
	run_burrow 0 image prune
	is "$output" ""
	run_burrow 0 images -a -q --no-trunc --sort id
	is "$output" "$(printf 'sha256:%s\n' "$base" "$kid" | sort)"
	# the child first, then (the next round) its parent
	run_burrow 0 untag kid
	run_burrow 0 image prune
	is "$output" "$kid
$base"
	run_burrow 0 images -a -q
	is "$output" ""
}

@test "rmi: two images share a layer: removing one keeps it (the other still runs); removing both frees it" {
	import_busybox one
	import_busybox two
	is "$(layer_dirs | wc -l)" 1 "one layer for both imports"
	local layer=$(layer_dirs)
	run_burrow 0 rmi one
	is "$(layer_dirs)" "$layer" "the shared layer stays"
	run_burrow 0 run --rm two echo still-runs
	is "$output" "still-runs"
	run_burrow 0 rmi two
	is "$(layer_dirs)" "" "no image names it: freed"
	run_burrow 0 unshare sh -c 'ls "$1" | grep -c "^tmp-" || true' - "$LAYERS"
	is "$output" "0"
}

@test "rmi: an image a container uses is refused (2) naming it; -f removes the container and the image" {
	import_busybox busybox
	local id=$output
	run_burrow 0 run --name user1 busybox true
	run_burrow 2 rmi busybox
	assert_match "$output" "in use by container [0-9a-f]{12} \(user1\)"
	run_burrow 0 images -q --no-trunc
	is "$output" "sha256:$id" "the image stays"
	run_burrow 0 ps -a --format '{{.Names}}'
	is "$output" "user1"
	# the worst code wins: in use (2) over no such image (1)
	run_burrow 2 rmi nosuch busybox
	run_burrow 0 rmi -f busybox
	assert_match "$output" "Deleted: $id"
	run_burrow 0 ps -a -q
	is "$output" "" "rmi -f removed the container"
	is "$(layer_dirs)" ""
}

@test "rmi -a: every image; one a container uses stays (2) without -f; -a -f removes all" {
	import_busybox one
	import_busybox two
	run_burrow 0 tag two two-b
	run_burrow 0 run --name c1 one true
	run_burrow 2 rmi -a
	run_burrow 0 images --format '{{.Repository}}'
	is "$output" "localhost/one"
	run_burrow 0 rmi -a -f
	run_burrow 0 images -q
	is "$output" ""
	run_burrow 0 ps -a -q
	is "$output" ""
	is "$(layer_dirs)" ""
	run_burrow 0 rmi -a
}

@test "image inspect: podman's fields from the stored configuration; --format; inspect finds images; --type" {
	import_busybox busybox
	local id=$output
	run_burrow 0 tag busybox other:v2
	run_burrow 0 image inspect busybox
	local json=$output
	run python3 -c '
import json, sys
a = json.loads(sys.argv[1]); assert len(a) == 1, a
i = a[0]
for k in ("Id", "Digest", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Config", "Version",
          "Author", "Architecture", "Os", "Size", "VirtualSize", "GraphDriver", "RootFS", "Labels",
          "Annotations", "ManifestType", "User", "History", "NamesHistory"):
    assert k in i, k
assert i["Id"] == sys.argv[2], i["Id"]
assert sorted(i["RepoTags"]) == ["localhost/busybox:latest", "localhost/other:v2"], i["RepoTags"]
assert i["NamesHistory"][0] == "localhost/other:v2", i["NamesHistory"]
assert i["Config"]["Cmd"] == ["sh"], i["Config"]
assert i["RootFS"]["Type"] == "layers" and len(i["RootFS"]["Layers"]) == 1, i["RootFS"]
assert i["RootFS"]["Layers"][0].startswith("sha256:")
assert i["History"][0]["created_by"] == "burrow import", i["History"]
assert i["GraphDriver"]["Name"] == "overlay" and i["GraphDriver"]["Data"]["UpperDir"].endswith("/diff")
assert i["Size"] > 100000 and i["Os"] == "linux", i
# no labels: null, and none in Config, as podman
assert i["Labels"] is None and "Labels" not in i["Config"], i
print("ok")' "$json" "$id"
	is "$output" "ok"
	# and in templates Go's nil map, Config.Labels too (podman leaves it out
	# of the JSON but its templates see it)
	run_burrow 0 image inspect --format '{{json .Labels}}|{{.Labels}}|{{.Labels.x}}|{{json .Config.Labels}}|{{.Config.Labels.x}}|{{json .Config}}' busybox
	is "$output" 'null|map[]|<no value>|null|<no value>|{"Cmd":["sh"]}'
	run_burrow 0 image inspect --format '{{.Id}} {{.Os}} {{len .RepoTags}}' busybox
	is "$output" "$id linux 2"
	run_burrow 0 inspect --format '{{.Id}}' "${id:0:12}"
	is "$output" "$id"
	run_burrow 0 inspect --type image --format '{{.Architecture}}' busybox
	assert_match "$output" "^[a-z0-9]+$"
	# as podman: the error, and an empty JSON array
	run_burrow 125 inspect nosuch
	is "${lines[0]}" "burrow: no such object: 'nosuch'"
	is "${lines[1]}" "[]"
	run_burrow 125 image inspect nosuch
	is "${lines[0]}" "burrow: no such image: 'nosuch'"
	run_burrow 125 inspect --type volume busybox
	# one that exists and one that does not: the one is printed, 125
	run_burrow 125 image inspect --format '{{.Id}}' busybox nosuch
	assert_match "$output" "$id"
	run_burrow 0 image exists busybox
	run_burrow 1 image exists nosuch
	is "$output" ""
}

@test "history: the configuration's entries with the layer sizes; -q, --no-trunc, --human=false, --format" {
	import_busybox busybox
	local id=$output
	run_burrow 0 history busybox
	assert_match "${lines[0]}" "^ID +CREATED +CREATED BY +SIZE +COMMENT"
	assert_match "${lines[1]}" "^${id:0:12} .* burrow import +[0-9.]+ [kM]B"
	is "${#lines[@]}" 2
	run_burrow 0 history -q busybox
	is "$output" "${id:0:12}"
	run_burrow 0 history -q --no-trunc busybox
	is "$output" "$id"
	run_burrow 0 history --human=false --format '{{.ID}} {{.Size}} {{.CreatedBy}}' busybox
	assert_match "$output" "^${id:0:12} [0-9]{6,} burrow import$"
	run_burrow 0 image history --format json busybox
	assert_match "$output" '"CreatedBy": "burrow import"'
	# podman-history(1)'s other placeholders: .CreatedAt a Go time,
	# .CreatedSince, .Tags (the layer's names: burrow's have none)
	run_burrow 0 history --format '{{.CreatedAt}}|{{.CreatedSince}}|{{.Tags}}' busybox
	assert_match "$output" '^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{8} \+0000 UTC\|(Less than a second|[0-9]+ seconds?|About a minute) ago\|\[\]$'
	# -H=false, as podman's (and its own --help) spell it
	run_burrow 0 history -H=false --format '{{.Created}} {{.Size}}' busybox
	assert_match "$output" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z [0-9]{6,}$'
	run_burrow 125 history -H=maybe busybox
	run_burrow 125 history nosuch
	assert_match "$output" "image 'nosuch' not known"
}

@test "images: --filter reference/dangling/label/before/since/until/id, KEY!=VALUE, IMAGE; --sort; --digests; -a; -n" {
	import_busybox aaa
	local a=$output
	sleep 1.1 # created is kept in seconds: before/since need two
	import_busybox zzz
	local z=$output
	run_burrow 0 tag zzz example.com/team/app:v1
	sleep 1.1
	import_busybox none
	local n=$output
	run_burrow 0 untag none
	run_burrow 0 images --format '{{.ID}}' --filter reference=aaa
	is "$output" "${a:0:12}"
	# a glob over the names; an image that matches shows all its names
	run_burrow 0 images --format '{{.Repository}}' --filter 'reference=*/team/*' --sort repository
	is "$output" "example.com/team/app
localhost/zzz"
	run_burrow 0 images -q --filter reference=app:v1
	is "$output" "${z:0:12}"
	run_burrow 0 images -q --filter reference=app:v2
	is "$output" ""
	# several references: or'ed; the argument is one more
	run_burrow 0 images -q --filter reference=aaa --filter reference=zzz
	is "$(sort <<<"$output")" "$(printf '%s\n' "${a:0:12}" "${z:0:12}" | sort)"
	run_burrow 0 images -q aaa
	is "$output" "${a:0:12}"
	run_burrow 0 images -q --filter dangling=true
	is "$output" "${n:0:12}"
	run_burrow 0 images -q --filter dangling=false --sort id
	is "$output" "$(printf '%s\n' "${a:0:12}" "${z:0:12}" | sort)"
	run_burrow 0 images -q --filter reference!=aaa --filter dangling=false
	is "$output" "${z:0:12}"
	run_burrow 0 images -q --filter before=zzz
	is "$output" "${a:0:12}"
	run_burrow 0 images -q --filter since=zzz
	is "$output" "${n:0:12}"
	run_burrow 0 images -q --filter after=aaa --filter before="$n"
	is "$output" "${z:0:12}"
	run_burrow 0 images -q --filter "id=${z:0:5}"
	is "$output" "${z:0:12}"
	run_burrow 0 images -q --filter until=1h
	is "$output" ""
	run_burrow 0 images -q --filter label=nosuch
	is "$output" ""
	run_burrow 0 images -q --filter label!=nosuch --filter dangling=true
	is "$output" "${n:0:12}"
	# bad filters and sorts are refused before anything is read
	run_burrow 125 images --filter nope=1
	is "$output" "burrow: invalid filter 'nope=1': unknown filter"
	run_burrow 125 images --filter dangling=maybe
	run_burrow 125 images --filter until=yesterday
	run_burrow 125 images --filter before=nosuch
	assert_match "$output" "image 'nosuch' not known"
	run_burrow 125 images --sort bogus
	# sorts: default newest first; repository; tag; size and id
	run_burrow 0 images --format '{{.Repository}}:{{.Tag}}'
	is "$output" "<none>:<none>
example.com/team/app:v1
localhost/zzz:latest
localhost/aaa:latest"
	run_burrow 0 images --sort repository --format '{{.Repository}}'
	is "$output" "<none>
example.com/team/app
localhost/aaa
localhost/zzz"
	run_burrow 0 images --sort tag --filter dangling=false --format '{{.Tag}}'
	is "$output" "latest
latest
v1"
	# --digests adds the column; -a is every image; -n no header
	run_burrow 0 images --digests aaa
	assert_match "${lines[0]}" '^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$'
	assert_match "${lines[1]}" "^localhost/aaa +latest +<none> +${a:0:12} "
	run_burrow 0 images -a -q
	is "${#lines[@]}" 3
	run_burrow 0 images -n aaa
	assert_match "$output" "^localhost/aaa +latest +${a:0:12}"
	run_burrow 0 images --no-trunc aaa
	assert_match "${lines[1]}" "^localhost/aaa +latest +sha256:$a "
}

@test "image prune: dangling images go, named ones and those a container uses stay; -a; --filter; orphaned layers and tmp dirs of dead imports are collected" {
	import_busybox keep
	local keep=$output
	import_busybox gone
	local gone=$output
	run_burrow 0 untag gone
	import_busybox used
	local used=$output
	run_burrow 0 run --name c1 used true
	run_burrow 0 untag used
	run_burrow 0 image prune
	is "$output" "$gone"
	run_burrow 0 images -q --no-trunc
	is "$(sort <<<"$output")" "$(printf '%s\n' "sha256:$used" "sha256:$keep" | sort)"
	# what a crash leaves: a complete layer no record names, the
	# extraction directory of an import that was killed
	local orphan=$(printf '%064d' 7) tmp=tmp-999999-1-deadbeef
	run_burrow 0 unshare sh -c 'mkdir -p "$1/$2/diff/etc" "$1/$3/diff" && echo x >"$1/$2/diff/etc/f"' - "$LAYERS" "$orphan" "$tmp"
	run_burrow 0 image prune
	is "$output" ""
	[ ! -e "$LAYERS/$orphan" ] || { echo "orphaned layer kept" >&2; return 1; }
	[ ! -e "$LAYERS/$tmp" ] || { echo "tmp dir kept" >&2; return 1; }
	# a layer someone holds (a pull that will name it) is kept until let go
	run_burrow 0 unshare mkdir -p "$LAYERS/$orphan/diff"
	python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.lockf(fd, fcntl.LOCK_SH, 1, 1)
open(sys.argv[2], "w").close()
time.sleep(30)' "$LAYERS/.locks/$orphan.lock" "$T/locked" &
	local holder=$!
	for i in $(seq 300); do [ -e "$T/locked" ] && break; sleep 0.1; done
	run_burrow 0 image prune
	kill "$holder"; wait "$holder" 2>/dev/null || true
	[ -d "$LAYERS/$orphan" ] || { echo "a layer in use was freed" >&2; return 1; }
	run_burrow 0 image prune
	[ ! -e "$LAYERS/$orphan" ] || { echo "layer kept once let go" >&2; return 1; }
	# --filter: only the images that pass; -a: named ones too, not used ones
	run_burrow 0 image prune -a --filter reference=nosuch
	is "$output" ""
	run_burrow 0 image prune -a -f
	is "$output" "$keep"
	run_burrow 0 images -q --no-trunc
	is "$output" "sha256:$used"
	run_burrow 125 image prune --filter bogus=1
}

# rmi_while_storing ARGS...: runs burrow ARGS (a run or create of image
# img) held at the transaction that stores its container (it has looked
# the image up by then), stopped there while rmi img (rmi $RMI when set)
# removes the image, then let go; RC: its exit code, its output in
# $T/run.out.
rmi_while_storing() {
	hold_at_tx "$@"
	run_burrow 0 rmi "${RMI:-img}"
	resume_held
}

@test "rmi: between run's (or create's) lookup of the image and its storing the container, they are refused; after, rmi refuses (2)" {
	command -v tdbtool >/dev/null || need_or_fail "tdbtool (Debian package tdb-tools)"
	import_busybox img
	rmi_while_storing run --name c1 img true
	is "$RC" 125 "run refused"
	is "$(cat "$T/run.out")" "burrow: image 'img' was removed meanwhile"
	run_burrow 0 ps -a -q
	is "$output" "" "no container left naming a removed image"
	is "$(layer_dirs)" ""
	# create's container would stay
	import_busybox img
	rmi_while_storing create --name c3 img true
	is "$RC" 125 "create refused"
	run_burrow 0 ps -a -q
	is "$output" "" "no container left naming a removed image"
	# the other order: the container is stored first, rmi sees it
	import_busybox img
	run_burrow 0 run --name c2 img true
	run_burrow 2 rmi img
}

@test "rmi: a container of a dangling parent stored while rmi takes the parent with its child: the create is refused, nothing names a removed image" {
	command -v tdbtool >/dev/null || need_or_fail "tdbtool (Debian package tdb-tools)"
	local base kid
	parent_and_child
	run_burrow 0 untag base
	RMI=kid rmi_while_storing create --name c1 "$base" true
	is "$RC" 125 "create refused"
	is "$(cat "$T/run.out")" "burrow: image '$base' was removed meanwhile"
	run_burrow 0 ps -a -q
	is "$output" "" "no container left naming a removed image"
	run_burrow 0 images -a -q
	is "$output" "" "the parent went with its child"
	is "$(layer_dirs)" ""
}

@test "rmi, history, images, tag: options after the image names, as podman's" {
	import_busybox busybox
	local id=$output
	run_burrow 0 history busybox -q
	is "$output" "${id:0:12}"
	run_burrow 0 images busybox -q --no-trunc
	is "$output" "sha256:$id"
	run_burrow 0 image inspect busybox --format '{{.Id}}'
	is "$output" "$id"
	run_burrow 0 tag busybox fl:one
	run_burrow 0 run --name fluser fl:one true
	run_burrow 0 rmi busybox fl:one -f
	assert_match "$output" "Deleted: $id"
	run_burrow 0 ps -a -q
	is "$output" "" "rmi -f removed the container"
}
