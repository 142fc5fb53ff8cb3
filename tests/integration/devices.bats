#!/usr/bin/env bats
# run's --device and --device-cgroup-rule, and the resource limits
# (--memory, --pids-limit, --cpus ...): where they apply, where they are
# ignored (said), how inspect shows them.

load helpers

suite_setup() {
	import_busybox
}

@test "device: a host device bound at another path works inside; /dev/fuse and a directory pass through" {
	run_burrow 0 run --rm --device /dev/null:/dev/mynull busybox \
		sh -c 'test -c /dev/mynull && echo hi >/dev/mynull && stat -c "%t:%T" /dev/mynull'
	is "$output" "1:3"
	local d
	for d in /dev/fuse /dev/net/tun; do
		[ -c "$d" ] && [ -r "$d" ] && [ -w "$d" ] || need_or_fail "$d the test user can open"
		run_burrow 0 run --rm --device "$d" busybox stat -c "%F %t:%T" "$d"
		is "$output" "character special file $(stat -c '%t:%T' "$d")" "$d"
	done
	# a directory: each device under it, at the same place under CTR
	run_burrow 0 run --rm --device /dev/net:/dev/hostnet busybox stat -c "%F" /dev/hostnet/tun
	is "$output" "character special file"
	# read-only perms bind it read-only; the node is the host's
	run_burrow 0 run --rm --device /dev/zero:/dev/z:r busybox sh -c 'head -c 3 /dev/z | od -An -tx1'
	is "$(echo $output)" "00 00 00"
}

@test "device: shown in inspect HostConfig.Devices" {
	run_burrow 0 create --name d --device /dev/null:/dev/mynull --device /dev/zero:r busybox true
	run_burrow 0 inspect --format '{{json .HostConfig.Devices}}' d
	is "$output" '[{"PathOnHost":"/dev/null","PathInContainer":"/dev/mynull","CgroupPermissions":"rwm"},{"PathOnHost":"/dev/zero","PathInContainer":"/dev/zero","CgroupPermissions":"r"}]'
	run_burrow 0 create --name n busybox true
	run_burrow 0 inspect --format '{{json .HostConfig.Devices}} {{json .HostConfig.DeviceCgroupRules}}' n
	is "$output" '[] []'
}

@test "device: one the user cannot open, a path that is no device, a bad spec: refused, nothing stored" {
	if [ "$(id -u)" != 0 ]; then
		# root's 0600 node: no one else may open it
		[ -e /dev/loop-control ] || need_or_fail "/dev/loop-control"
		run_burrow 125 run --rm --device /dev/loop-control busybox true
		is "$output" "burrow: --device '/dev/loop-control': you cannot open it (Permission denied)"
	fi
	run_burrow 125 run --rm --device /etc/hostname busybox true
	is "$output" "burrow: --device '/etc/hostname': not a character or block device"
	run_burrow 125 create --device /nonexistent busybox true
	assert_match "$output" "--device '/nonexistent': No such file or directory"
	run_burrow 125 create --device /dev/null:dev/x busybox true
	assert_match "$output" "invalid device mode 'dev/x'"
	run_burrow 125 create --device /dev/null:/dev/x:rwx busybox true
	assert_match "$output" "invalid device mode 'rwx'"
	run_burrow 125 create --device /etc busybox true
	assert_match "$output" "no device you can open under it"
	run_burrow 0 ps -aq
	is "$output" ""
}

@test "device: --device-cgroup-rule is accepted with a note, and kept; a bad rule is refused" {
	run_burrow 0 create --name r --device-cgroup-rule 'c 10:229 rwm' busybox true
	assert_match "$output" "--device-cgroup-rule is ignored: no device cgroup applies to a rootless container"
	run_burrow 0 inspect --format '{{json .HostConfig.DeviceCgroupRules}}' r
	is "$output" '["c 10:229 rwm"]'
	run_burrow 125 create --device-cgroup-rule 'x 1:3 rwm' busybox true
	is "$output" "burrow: invalid --device-cgroup-rule 'x 1:3 rwm' (e.g. 'c 1:3 rwm')"
}

# the line burrow says when the limits cannot apply here (none: they do)
limits_warning() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
		echo "Resource limits are not supported and ignored on cgroups V1 rootless systems"
	else
		echo "Resource limits are ignored"
	fi
}

@test "limits: said to be ignored where no delegated cgroup v2 takes them; the container still runs" {
	local cg
	cg=$(stat -f -c %T /sys/fs/cgroup)
	run_burrow 0 run --rm -m 64m --pids-limit 100 busybox echo hello
	if [ "$cg" = cgroup2fs ] && [[ $output != *ignored* ]]; then
		is "$output" hello "a delegated cgroup v2 took the limits"
		run_burrow 0 run --rm --pids-limit 50 busybox cat /sys/fs/cgroup/pids.max
		is "$output" 50
		# podman's default where it can apply
		run_burrow 0 create --name p busybox true
		run_burrow 0 inspect --format '{{.HostConfig.PidsLimit}}' p
		is "$output" 2048
	else
		assert_match "${lines[0]}" "$(limits_warning)"
		is "${lines[-1]}" hello
		is "${#lines[@]}" 2 "one line of warning"
		# no default limit where none can apply
		run_burrow 0 create --name p busybox true
		run_burrow 0 inspect --format '{{.HostConfig.PidsLimit}}' p
		is "$output" 0
	fi
	# podman warns of --memory 0 too; no limit flag, no warning
	run_burrow 0 run --rm busybox echo hello
	is "$output" hello
}

@test "limits: stored and shown in inspect HostConfig" {
	run_burrow 0 create --name l -m 512m --memory-swap 1g --memory-reservation 256m --pids-limit 100 \
		--cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 busybox true
	run_burrow 0 inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}}' l
	is "$output" "536870912 1073741824 268435456 100 500000000 100000 50000 512 0"
	run_burrow 0 create --name q --cpu-quota 25000 --cpu-period 50000 -c 2048 --pids-limit -1 busybox true
	run_burrow 0 inspect --format '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}}' q
	is "$output" "500000000 50000 25000 2048 0"
	run_burrow 0 create --name z busybox true
	run_burrow 0 inspect --format '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' z
	is "$output" "0 0"
}

@test "limits: bad values are refused with podman's errors, nothing stored" {
	run_burrow 125 run --rm --memory 1x busybox true
	is "$output" "burrow: invalid value for --memory '1x': a size such as 512m or 2g"
	run_burrow 125 run --rm --cpus -1 busybox true
	is "$output" "burrow: invalid value for --cpus '-1': a number of CPUs such as 1.5"
	run_burrow 125 create -m 1k busybox true
	is "$output" "burrow: minimum memory limit allowed is 6MB"
	run_burrow 125 create --memory-swap 1g busybox true
	is "$output" "burrow: you should always set the memory limit when using the memoryswap limit, see usage"
	run_burrow 125 create -m 1g --memory-swap 512m busybox true
	is "$output" "burrow: minimum memoryswap limit should be larger than memory limit, see usage"
	run_burrow 125 create -m 512m --memory-reservation 1g busybox true
	is "$output" "burrow: minimum memory limit can not be less than memory reservation limit, see usage"
	run_burrow 125 create --pids-limit many busybox true
	run_burrow 125 create --cpu-period 10 busybox true
	run_burrow 125 create --cpuset-cpus 3-1 busybox true
	run_burrow 125 create --cpus 1 --cpu-quota 50000 busybox true
	is "$output" "burrow: --cpus cannot be used with --cpu-quota or --cpu-period"
	run_burrow 0 ps -aq
	is "$output" ""
}

@test "inspect: Config.Volumes is null whatever the image's volumes and the anonymous ones, as podman 4.3's; HostConfig.VolumesFrom as typed" {
	run_burrow 0 import --change 'VOLUME ["/data", "/cache"]' "$BATS_RUN_TMPDIR/busybox.tar" withvol
	mkdir "$T/host"
	run_burrow 0 create --name v -v /anon -v "$T/host:/cache" withvol true
	run_burrow 0 inspect --format '{{json .Config.Volumes}} {{json .HostConfig.VolumesFrom}}' v
	is "$output" 'null null'
	run_burrow 0 inspect --format '{{.Config.Volumes}} {{len .Mounts}}' v
	is "$output" 'map[] 3' "the volumes are in Mounts"
	run_burrow 0 create --name w --volumes-from v:ro busybox true
	run_burrow 0 inspect --format '{{json .Config.Volumes}} {{json .HostConfig.VolumesFrom}}' w
	is "$output" 'null ["v:ro"]'
}

@test "update: resource limits replace the stored ones, checked as at create" {
	run_burrow 0 create --name u -m 512m --pids-limit 100 busybox true
	run_burrow 0 update --memory 1g --cpus 0.5 u
	run_burrow 0 inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' u
	is "$output" "1073741824 100 500000000"
	run_burrow 125 update --memory 1x u
	assert_match "$output" "invalid value for --memory '1x'"
	run_burrow 125 update --memory-reservation 2g u
	assert_match "$output" "minimum memory limit can not be less than memory reservation limit"
	run_burrow 0 inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}}' u
	is "$output" "1073741824 0" "nothing stored by a refused update"
}
