#!/usr/bin/env bats
# --format on ps, images and info: templates, tables, JSON, and the errors
# (an unknown field is 125 and one line, never empty output).

load helpers

suite_setup() {
	make_userns
}

suite_teardown() {
	# a keeper the refused commands should not have started
	kill_namespace_of "$(keeper_pid "$T/fresh/run/burrow/keeper.pid")"
}

# Two exited containers: web (exit 3) and db (exit 0). Created in the same
# second, they may come in either order: tests sort.
two_containers() {
	import_busybox
	run_burrow 3 run --name web busybox sh -c 'exit 3'
	run_burrow 0 run --name db busybox true
}

@test "format: ps templates see podman's fields" {
	two_containers
	run_burrow 0 ps -a --format '{{.Names}} {{.State}} {{.ExitCode}} {{.Exited}} {{.AutoRemove}}'
	is "$(sort <<<"$output")" "db exited 0 true false
web exited 3 true false"
	run_burrow 0 ps -a -q
	ids=$(sort <<<"$output")
	run_burrow 0 ps -a --format '{{.ID}}'
	is "$(sort <<<"$output")" "$ids" ".ID is the short ID"
	run_burrow 0 ps -a --no-trunc --format '{{.ID}} {{len .Id}}'
	assert_match "${lines[0]}" '^[0-9a-f]{64} 64$'
	# .Command is the ps column, the JSON's Command a list
	run_burrow 0 ps -a --format '{{.Command}}|{{json .Names}}|{{json .}}'
	assert_match "$(grep web <<<"$output")" '^sh -c exit 3\|"web"\|\{"AutoRemove":false,"Command":\["sh","-c","exit 3"\],'
	# literal text, \t and \n escapes, pipes, functions, conditions
	run_burrow 0 ps -a --format '{{.Names | upper}}\t{{if eq .ExitCode 3}}three{{else}}other{{end}}\n'
	is "$(sort <<<"$output")" "DB	other
WEB	three"
	run_burrow 0 ps -a --format '{{printf "%-4s|%3d" .Names .ExitCode}} {{.Image}} {{.Status}}'
	assert_match "$(grep web <<<"$output")" '^web \|  3 localhost/busybox:latest Exited \(3\) .* ago$'
	# {{range .}} runs once over the list; --format wins over -q
	run_burrow 0 ps -a --format '{{range .}}{{.Names}},{{end}}'
	assert_match "$output" '^(db,web,|web,db,)$'
	run_burrow 0 ps -a -q --format '{{.Names}}'
	is "$(sort <<<"$output")" "db
web"
	# only running ones without -a: none
	run_burrow 0 ps --format '{{.Names}}'
	is "$output" ""
	run_burrow 0 rm web db
}

@test "format: ps tables: headers, alignment by characters, the default table" {
	two_containers
	run_burrow 0 ps -a --format 'table {{.Names}} {{.ExitCode}}'
	is "${lines[0]}" "NAMES       EXIT CODE"
	is "$(sed 1d <<<"$output" | sort)" "db          0
web         3"
	run_burrow 0 ps -a --noheading --format 'table {{.Names}}\t{{.State}}'
	is "$(sort <<<"$output")" "db          exited
web         exited"
	# a multi-byte command: columns count characters, not bytes
	run_burrow 0 run --name uni busybox echo 'héllo wörld ü'
	run_burrow 0 ps -a --no-trunc --format 'table {{.Command}} {{.Names}}'
	is "${lines[0]}" "COMMAND             NAMES"
	is "$(grep ' uni$' <<<"$output")" "echo héllo wörld ü  uni"
	# the default table goes through the same writer: columns line up
	run_burrow 0 ps -a
	assert_match "${lines[0]}" '^CONTAINER ID  IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
	local head=${lines[0]%%NAMES*} row
	row=$(grep ' web$' <<<"$output")
	is "${row:${#head}}" "web" "NAMES column"
	head=${lines[0]%%STATUS*}
	assert_match "${row:${#head}}" '^Exited \(3\) '
	is "${#lines[@]}" 4
	run_burrow 0 ps -a --noheading
	is "${#lines[@]}" 3
	# (cut after 17 bytes, at a character's start)
	assert_match "$(grep ' uni$' <<<"$output")" '^[0-9a-f]{12}  localhost/busybox:latest  echo héllo wörl\.\.\.  '
	run_burrow 0 rm web db uni
}

@test "format: ps --format json is podman's list" {
	two_containers
	run_burrow 0 ps -a --format json
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert sorted(c["Names"] for c in d) == [["db"], ["web"]], d
w = [c for c in d if c["Names"] == ["web"]][0]
assert w["Command"] == ["sh", "-c", "exit 3"], w
assert w["ExitCode"] == 3 and w["Exited"] is True and w["State"] == "exited", w
assert len(w["Id"]) == 64 and w["Image"] == "localhost/busybox:latest" and len(w["ImageID"]) == 64, w
assert isinstance(w["Created"], int) and w["CreatedAt"].endswith("ago"), w
assert w["Status"].startswith("Exited (3)") and w["Pid"] == 0, w
# labels: none given, ports: none published (both null, as podman); no named networks ([])
assert w["Labels"] is None and w["Ports"] is None and w["Networks"] == [], w
# no mounts: []; no pods: the empty pod fields of podman
assert w["Mounts"] == [] and w["Pod"] == "" and w["PodName"] == "", w
assert w["IsInfra"] is False and w["Namespaces"] == {} and w["Size"] is None, w
' "$output"
	# .Mounts: each mount's destination, in the order given
	run_burrow 0 create --name mnt -v "$T:/data" --tmpfs /scratch --mount "type=bind,src=$T,dst=/b" busybox true
	run_burrow 0 ps -a --filter name=mnt --format '{{.Mounts}}|{{.Pod}}|{{.PodName}}|{{.IsInfra}}'
	is "$output" "[/data /b /scratch]|||false"
	run_burrow 0 rm mnt
	# a published port: the list
	run_burrow 0 create --name pub -p 127.0.0.1:8080:80 busybox true
	run_burrow 0 ps -a --filter name=pub --format json
	is "$(python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1])[0]["Ports"]))' "$output")" \
		'[{"host_ip": "127.0.0.1", "container_port": 80, "host_port": 8080, "range": 1, "protocol": "tcp"}]'
	# templates: podman's Networks is the names joined; null Labels are
	# Go's nil map, as in podman's templates
	run_burrow 0 ps -a --filter name=pub --format '[{{.Networks}}] {{.Labels}} {{len .Labels}} {{.Labels.x}}'
	is "$output" "[] map[] 0 <no value>"
	run_burrow 0 inspect --format '{{json .Config.Labels}} {{.Config.Labels}} {{.HostConfig.VolumesFrom}} {{.HostConfig.LogConfig.Config}}' pub
	is "$output" "null map[] [] map[]"
	# a key missing from labels that are not empty: Go's <no value> too
	# (a field missing from a struct stays an error, below)
	run_burrow 0 create --name lab --label a=1 busybox true
	run_burrow 0 ps -a --filter name=lab --format '{{.Labels.a}} {{.Labels.x}} {{.Labels.x.y}}'
	is "$output" "1 <no value> <no value>"
	run_burrow 0 inspect --format '{{.Config.Labels.a}} {{.Config.Labels.x}}' lab
	is "$output" "1 <no value>"
	run_burrow 125 inspect --format '{{.Config.Nope}}' lab
	is "$output" 'burrow: template: inspect:1:20: executing "inspect" at <.Config.Nope>: can'"'"'t evaluate field Nope in type struct'
	# maps by type, whatever their names: a missing key is no value, and false
	run_burrow 0 inspect --format '{{.HostConfig.PortBindings.x}} {{.NetworkSettings.Ports.x}} {{.HostConfig.Tmpfs.x}} {{.Config.Volumes.x}} {{if .Config.Labels.x}}y{{else}}n{{end}}' pub
	is "$output" "<no value> <no value> <no value> <no value> n"
	run_burrow 0 image inspect --format '{{.Config.ExposedPorts}} {{.Config.Volumes}} {{.Config.ExposedPorts.x}} {{.Labels.x}} {{.Annotations.x}} {{.GraphDriver.Data.x}}' busybox
	is "$output" "map[] map[] <no value> <no value> <no value> <no value>"
	run_burrow 0 rm pub lab
	run_burrow 0 ps -a --format '{{json}}'
	assert_match "$output" '^\['
	# {{json .}} alone is the JSON list too, as podman 4.3 prints it
	run_burrow 0 ps -a --format '{{ json . }}'
	assert_match "$output" '^\['
	run_burrow 0 rm web db
	run_burrow 0 ps -a --format json
	is "$output" "[]"
}

@test "format: an unknown field is 125 and one line naming it, nothing else printed" {
	two_containers
	# Go's error as podman prints it: the column counts from 0 on the text
	# podman runs, which starts with the {{range .}} it adds
	run_burrow 125 ps -a --format '{{.Nope}}'
	is "$output" 'burrow: template: ps:1:13: executing "ps" at <.Nope>: can'"'"'t evaluate field Nope in type containers.psReporter'
	# a table prints not even its header
	run_burrow 125 ps -a --format 'table {{.Names}} {{.State.Nope}}'
	is "$output" 'burrow: template: ps:1:30: executing "ps" at <.State.Nope>: can'"'"'t evaluate field Nope in type string'
	run_burrow 125 ps -a --format '{{range .}}{{.Names}}{{.Nope}}{{end}}'
	is "$output" 'burrow: template: ps:1:23: executing "ps" at <.Nope>: can'"'"'t evaluate field Nope in type containers.psReporter'
	run_burrow 125 images --format '{{.Repository}} {{.Config.Nope}}'
	is "$output" 'burrow: template: images:1:36: executing "images" at <.Config.Nope>: can'"'"'t evaluate field Nope in type struct'
	run_burrow 125 info --format '{{.Host.Nope}}'
	is "$output" 'burrow: template: info:1:7: executing "info" at <.Host.Nope>: can'"'"'t evaluate field Nope in type *define.HostInfo'
	# evaluation errors
	run_burrow 125 ps -a --format '{{range .Names}}x{{end}}'
	assert_match "$output" '^burrow: template: ps:1:19: executing "ps" at <.Names>: range can.t iterate over (db|web)$'
	run_burrow 125 ps -a --format '{{index .Names "x"}}'
	is "$output" 'burrow: template: ps:1:13: executing "ps" at <index .Names "x">: error calling index: cannot index slice/array with type string'
	# a struct is no map: index and range refuse it, as Go's
	run_burrow 125 inspect --format '{{index .State "Status"}}' web
	is "$output" 'burrow: template: inspect:1:13: executing "inspect" at <index .State "Status">: error calling index: can'"'"'t index item of type define.InspectContainerState'
	run_burrow 125 inspect --format '{{range .State}}x{{end}}' web
	assert_match "$output" '^burrow: template: inspect:1:19: executing "inspect" at <.State>: range can.t iterate over '
	# a key missing from a map, handed to a string function
	run_burrow 125 ps -a --format '{{upper .Labels.x}}'
	is "$output" 'burrow: template: ps:1:26: executing "ps" at <.Labels.x>: invalid value; expected string'
	run_burrow 125 ps -a --format '{{if eq .ExitCode 3.0}}x{{end}}'
	is "$output" 'burrow: template: ps:1:16: executing "ps" at <eq .ExitCode 3.0>: error calling eq: incompatible types for comparison'
	run_burrow 0 rm web db
}

@test "format: a bad template is refused before anything is written" {
	# directories of its own, which no command has used yet
	local fresh=$T/fresh
	mkdir -p "$fresh/data" "$fresh/config"
	mkdir -m 0700 "$fresh/run"
	in_fresh() { XDG_DATA_HOME=$fresh/data XDG_CONFIG_HOME=$fresh/config XDG_RUNTIME_DIR=$fresh/run run_burrow "$@"; }
	in_fresh 125 ps --format '{{.ID'
	is "$output" "burrow: ps: --format: 1:1: unclosed action"
	in_fresh 125 ps --format 'table {{.ID}} {{nosuch .Names}}'
	is "$output" "burrow: ps: --format: 1:17: function 'nosuch' not defined"
	in_fresh 125 images --format '{{if .Tag}}x'
	is "$output" "burrow: images: --format: 1:1: unclosed {{if}}: no {{end}}"
	in_fresh 125 info --format '{{.Host | }}'
	is "$output" "burrow: info: --format: 1:11: empty command"
	run ls -A "$fresh/data" "$fresh/run"
	is "$output" "$fresh/data:

$fresh/run:"
}

@test "format: images templates, tables and JSON" {
	import_busybox
	id=$output
	mktar() { # a one-file rootfs tarball
		python3 -c 'import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
i = tarfile.TarInfo("hello"); i.size = 2
t.addfile(i, io.BytesIO(b"hi")); t.close()' "$1"
	}
	mktar "$T/one.tar"
	run_burrow 0 import --change 'CMD ["/hello"]' "$T/one.tar" example.com/team/app:1.0
	app=$output
	run_burrow 0 images --format '{{.Repository}}|{{.Tag}}|{{.ID}}|{{.Size}}|{{join .Names ","}}'
	is "${#lines[@]}" 2
	assert_match "$(grep app <<<"$output")" "^example.com/team/app\|1.0\|${app:0:12}\|[0-9.]+ k?B\|example.com/team/app:1.0$"
	assert_match "$(grep busybox <<<"$output")" "^localhost/busybox\|latest\|${id:0:12}\|[0-9.]+ MB\|localhost/busybox:latest$"
	run_burrow 0 images --format '{{.Repository}} {{json .Config.Cmd}} {{.CreatedAt}}'
	assert_match "$(grep app <<<"$output")" '^example.com/team/app \["/hello"\] '
	assert_match "$(grep busybox <<<"$output")" '^localhost/busybox \["sh"\] [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \+0000 UTC$'
	run_burrow 0 images --no-trunc --format '{{.ID}}'
	assert_match "$output" "(^|
)sha256:$id($|
)"
	run_burrow 0 images --format 'table {{.Repository}} {{.Tag}}'
	is "${lines[0]}" "REPOSITORY            TAG"
	is "$(sed 1d <<<"$output" | sort)" "example.com/team/app  1.0
localhost/busybox     latest"
	# the default table: podman's columns, each at least 12 wide
	run_burrow 0 images
	assert_match "${lines[0]}" '^REPOSITORY            TAG         IMAGE ID      CREATED +SIZE$'
	assert_match "$(grep busybox <<<"$output")" "^localhost/busybox     latest      ${id:0:12}  "
	run_burrow 0 images -n
	is "${#lines[@]}" 2
	# -q wins over a template, JSON over -q
	run_burrow 0 images -q --format '{{.Repository}}'
	is "$(sort <<<"$output")" "$(printf '%s\n' "${id:0:12}" "${app:0:12}" | sort)"
	run_burrow 0 images -q --format json
	python3 -c '
import json, re, sys
d = json.loads(sys.argv[1])
assert sorted(i["Names"] for i in d) == [["example.com/team/app:1.0"], ["localhost/busybox:latest"]], d
b = [i for i in d if i["Id"] == sys.argv[2]][0]
assert b["Id"] == sys.argv[2] and b["Config"]["Cmd"] == ["sh"], b
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b["CreatedAt"]), b
a = [i for i in d if i["Id"] != sys.argv[2]][0]
assert a["Config"] == {"Cmd": ["/hello"]}, a
' "$output" "$id"
}

@test "format: info --format json has podman's names; templates use its Go names" {
	run_burrow 0 info --format json
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["store"]["graphRoot"] == sys.argv[2] + "/burrow", d["store"]
assert d["store"]["runRoot"] == sys.argv[3] + "/burrow", d["store"]
assert d["store"]["graphRootSource"] == "$XDG_DATA_HOME", d["store"]
ids = d["host"]["idMappings"]
assert ids["kind"] in ("subuid", "single", "identity"), ids
assert ids["uidmap"][0]["container_id"] == 0 and ids["uidmap"][0]["size"] >= 1, ids
assert d["host"]["os"] == "linux" and d["host"]["kernel"] and d["host"]["libslirp"], d["host"]
assert d["version"]["Version"], d
' "$output" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
	run_burrow 0 info --format '{{.Store.GraphRoot}} {{.store.runRoot}}'
	is "$output" "$XDG_DATA_HOME/burrow $XDG_RUNTIME_DIR/burrow"
	run_burrow 0 info --format '{{.Host.IDMappings.Kind}}:{{range .Host.IDMappings.UIDMap}} {{.container_id}}-{{.host_id}}-{{.size}}{{end}}'
	if [ "$(id -u)" = 0 ]; then
		is "$output" "identity: 0-0-4294967295"
	elif has_subuid; then
		assert_match "$output" "^subuid: 0-$(id -u)-1 1-[0-9]+-[0-9]+"
	else
		is "$output" "single: 0-$(id -u)-1"
	fi
	# podman's Go name for host.cgroupVersion, which scripts read
	run_burrow 0 info --format '{{.Host.CgroupsVersion}}:{{.Host.CgroupVersion}}'
	assert_match "$output" '^(v1|v2):(v1|v2)$'
	is "${output%%:*}" "${output##*:}"
	run_burrow 0 info --format json
	json_get "$output" '"CgroupsVersion" not in d["host"] or sys.exit(1)'
	run_burrow 0 info --format '{{.Version.Version}}'
	v=$output
	run_burrow 0 --version
	assert_match "$output" "^burrow version $v"
}

# holds TEXT PART: TEXT contains PART (a fixed string).
holds() {
	[[ $1 == *"$2"* ]] || { printf 'expected to contain: %s\n  actual: %s\n' "$2" "$1" >&2; return 1; }
}

@test "format: --format json writes <, > and & as \u003c, \u003e, \u0026 (Go's json.Marshal), inspect and {{json}} as they are, as podman 4.3" {
	import_busybox
	run_burrow 0 import --change 'LABEL il=<i>&' "$BATS_RUN_TMPDIR/busybox.tar" tagged
	run_burrow 0 create --name html --label 'lab=<a>&b' busybox sh -c 'echo <x> && true'
	run_burrow 0 volume create --label 'vl=<v>&' hvol
	local f
	for f in json '{{json .}}'; do
		run_burrow 0 ps -a --format "$f"
		holds "$output" '"lab": "\u003ca\u003e\u0026b"'
		holds "$output" '"echo \u003cx\u003e \u0026\u0026 true"'
		run_burrow 0 images --filter reference=tagged --format "$f"
		holds "$output" '"il": "\u003ci\u003e\u0026"'
		run_burrow 0 volume ls --format "$f"
		holds "$output" '"vl": "\u003cv\u003e\u0026"'
		run_burrow 0 events --stream=false --filter container=html --format "$f"
		holds "$output" '"lab":"\u003ca\u003e\u0026b"'
		run_burrow 0 inspect --format "$f" html
		holds "$output" '"lab": "<a>&b"'
		holds "$output" '"echo <x> && true"'
		run_burrow 0 image inspect --format "$f" tagged
		holds "$output" '"il": "<i>&"'
		run_burrow 0 volume inspect --format "$f" hvol
		holds "$output" '"vl": "<v>&"'
	done
	run_burrow 0 ps -a --filter name=html --format '{{json .Labels}} {{json .Command}}'
	is "$output" '{"lab":"<a>&b"} "sh -c echo <x> &&..."'
	run_burrow 0 volume ls --format '{{json .Labels}}'
	is "$output" '{"vl":"<v>&"}'
}
