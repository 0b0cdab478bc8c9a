# shellcheck shell=bash
# Helpers for the dm scenario tests in tests/dm/.  Sourced by
# tests/run-scenarios inside a scripts/vm guest; each scenario runs in a
# subshell with `set -euo pipefail`, so any failing command fails it.

# The ioctl test client (tests/vdsplex-ioctl.c, built by scripts/build-module).
IOCTL=$VDSPLEX_ROOT/.build/tests/vdsplex-ioctl

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_eq GOT WANT WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# status_field VOL N: the Nth field of vdsplex's INFO status (1 = #plexes,
# 2 = health chars, 3 = synced/total, 4 = sync_action, ...;
# Documentation/dm-vdsplex.rst, "Status").
status_field() {
	local n=$2 s
	s=$(dmsetup status "$1") || fail "dmsetup status $1"
	set -- $s
	shift 3
	echo "${!n}"
}
health() { status_field "$1" 2; }

# table_of VOL: the vdsplex table line without start and length.
table_of() {
	dmsetup table "$1" | cut -d' ' -f4-
}

# brd_load N MiB: N ram disks of MiB each.
brd_load() {
	vm_modprobe brd rd_nr="$1" rd_size=$(($2 * 1024)) max_part=0
}

# counted NAME DEV: a dm-linear device over DEV, so that the plex's reads are
# counted in /sys/block/dm-N/stat (brd keeps no I/O statistics); prints its
# path.
counted() {
	dmsetup create "$1" --table "0 $(blockdev --getsz "$2") linear $2 0"
	echo "/dev/mapper/$1"
}

# loop_file NAME MiB: a loop device over a sparse file in tmpfs; prints it.
loop_file() {
	[ -e /dev/loop-control ] || vm_modprobe loop
	truncate -s "$2M" "/tmp/$1.img"
	losetup --show -f "/tmp/$1.img"
}

# devno DEV: major:minor of a block device.
devno() {
	local s
	s=$(stat -L -c '%t %T' "$1") || fail "stat $1"
	set -- $s
	echo "$((16#$1)):$((16#$2))"
}

# fio_verify DEV MiB [FIO ARGS...]: random 4k writes with crc32c checksums,
# then read back and verify through DEV.
fio_verify() {
	local dev=$1 size=$2
	shift 2
	fio --name=verify --filename="$dev" --size="${size}M" --rw=randwrite \
		--bs=4k --iodepth=16 --ioengine=libaio --direct=1 \
		--verify=crc32c --do_verify=1 --randseed="${SEED:-4242}" \
		--output=/tmp/fio.out "$@" ||
		{ cat /tmp/fio.out >&2; fail "fio verify on $dev"; }
}

# plexes_equal SECTORS DEV:OFFSET DEV:OFFSET...: every plex equals the first.
plexes_equal() {
	local len=$1 first=$2 d o d0 o0
	shift 2
	d0=${first%:*} o0=${first##*:}
	# the plexes were written underneath their page caches: drop them
	blockdev --flushbufs "$d0"
	for p in "$@"; do blockdev --flushbufs "${p%:*}"; done
	for p in "$@"; do
		d=${p%:*} o=${p##*:}
		cmp -n $((len * 512)) -i $((o0 * 512)):$((o * 512)) "$d0" "$d" ||
			fail "plex $d (offset $o) differs from $d0 (offset $o0)"
	done
}

# scramble DEV: fill the whole of DEV with random bytes, then drop its page
# cache.  Before a device is (re-)added as a plex: one that already holds the
# volume's data (a plex removed earlier, a cancelled copy) would pass
# plexes_equal even if the resync copied nothing.  fio's own generator (a
# fresh buffer for every write), not /dev/urandom: under KASAN and TCG the
# kernel's makes about 1 MiB/s (32 MiB from it cost 09-resync-failures 37 s).
scramble() {
	fio --name=scramble --filename="$1" --size="$(blockdev --getsize64 "$1")" \
		--rw=write --bs=1M --iodepth=4 --ioengine=libaio --direct=1 \
		--refill_buffers --randseed=$((RANDOM + 1)) --output=/tmp/scramble.out ||
		{ cat /tmp/scramble.out >&2; fail "scramble $1"; }
	blockdev --flushbufs "$1"
}

# queue_of DEV: the sysfs queue directory of a block device.
queue_of() {
	echo "/sys/dev/block/$(devno "$1")/queue"
}

# reads_of DEV: completed reads of a block device (from /sys/block/*/stat).
reads_of() {
	local s
	read -r s _ </sys/dev/block/"$(devno "$1")"/stat
	echo "$s"
}

# expect_create_fails NAME TABLE MESSAGE: the table is refused and the
# kernel log names the problem.
expect_create_fails() {
	if dmsetup create "$1" --table "$2" 2>/dev/null; then
		dmsetup remove "$1"
		fail "table '$2' was accepted"
	fi
	dmsetup remove "$1" 2>/dev/null || true
	dmesg | tail -n 20 | grep -qF -- "$3" ||
		fail "table '$2': kernel log lacks '$3' (has: $(dmesg | grep vdsplex | tail -n 1))"
}

# cleanup_all: remove every mapped device, loop device and ram disk.
cleanup_all() {
	dmsetup remove_all --force >/dev/null 2>&1 || true
	losetup -D 2>/dev/null || true
	rm -f /tmp/*.img
	rmmod brd 2>/dev/null || true
	rmmod null_blk 2>/dev/null || true
}

# wait_idle VOL [SECONDS]: wait until no resync runs and every live plex is
# in sync; fails after SECONDS (default 600).
wait_idle() {
	local vol=$1 t=${2:-600} h a
	while :; do
		h=$(health "$vol")
		a=$(status_field "$vol" 4)
		case "$h" in *[aS]*) ;; *) [ "$a" = idle ] && return 0 ;; esac
		[ "$t" -gt 0 ] || fail "$vol still resyncing: health $h, action $a, $(status_field "$vol" 3)"
		sleep 1
		t=$((t - 1))
	done
}

# expect_msg_fails VOL MESSAGE...: the message is refused.
expect_msg_fails() {
	local vol=$1
	shift
	if dmsetup message "$vol" 0 "$@" 2>/dev/null; then
		fail "message '$*' was accepted"
	fi
}

# ioctl_expect WANT ARGS...: run the ioctl client; its first line must name
# the VDS result WANT (e.g. VDS_E_DEVICE_IN_USE); prints the whole output.
ioctl_expect() {
	local want=$1 out
	shift
	out=$("$IOCTL" "$@" 2>&1) || true
	echo "$out"
	echo "$out" | head -n 1 | grep -qw -- "$want" ||
		fail "vdsplex-ioctl $*: want $want, got: $(echo "$out" | head -n 1)"
}

# out_field OUTPUT KEY: the value of KEY=value in OUTPUT's lines.
out_field() {
	echo "$1" | grep -o "\b$2=[^ ]*" | tail -n 1 | cut -d= -f2-
}

# The administrator's CLI (tools/vdsplex, built by scripts/build-module).
VX=$VDSPLEX_ROOT/tools/vdsplex/vdsplex

# wait_swept METADEV: until the sweeps cleared every write-intent bit on
# METADEV (at most 40 s).  A plex that fails loses the regions dirty on disk
# at that moment (they may have been in its lost cache): a scenario that
# counts what a later readd copies lets the sweeps run first.
wait_swept() {
	local i
	for i in $(seq 40); do
		"$VX" dump-metadata "$1" | grep -q 'write-intent log: 0 regions dirty' && return
		sleep 1
	done
	fail "write-intent bits still set on $1 after 40 s: $("$VX" dump-metadata "$1" | grep write-intent)"
}

# vx_expect CODE ARGS...: the CLI fails (exit 1) and its error names the VDS
# code CODE (e.g. VDS_E_DEVICE_IN_USE) with its hex value; prints stderr.
vx_expect() {
	local want=$1 out rc=0 hex
	shift
	out=$("$VX" "$@" 2>&1 >/dev/null) || rc=$?
	echo "$out"
	[ "$rc" = 1 ] || fail "vdsplex $*: exit $rc, want 1 ($want): $out"
	hex=$(grep -o "define $want[[:space:]]*0x[0-9A-F]*" \
		"$VDSPLEX_ROOT/include/uapi/linux/dm-vdsplex.h" | grep -o '0x[0-9A-F]*')
	echo "$out" | grep -q "$want (${hex%U})" ||
		fail "vdsplex $*: want $want (${hex%U}), got: $out"
}

# nap: sleep up to a second, at random (races move events across others).
nap() { sleep "0.$((RANDOM % 10))$((RANDOM % 10))"; }

# load_start DEV [MiB]: a background load of fio verify runs, one after
# another until load_stop: each writes 8 MiB at random (in the first MiB
# MiB of DEV, default 16, at least 8) and reads it back checked (crc32c).
# Counts the runs that passed in /tmp/load.runs.
load_start() {
	local dev=$1 mib=${2:-16}
	rm -f /tmp/load.stop /tmp/load.failed
	echo 0 >/tmp/load.runs
	(
		s=1
		while [ ! -e /tmp/load.stop ]; do
			fio --name=load --filename="$dev" --size=8M \
				--offset=$(((s % (mib >= 16 ? mib / 8 : 1)) * 8))M \
				--rw=randwrite --bs=4k --iodepth=8 --ioengine=libaio --direct=1 \
				--verify=crc32c --do_verify=1 --number_ios=600 --randseed=$s \
				--output=/tmp/load.out >/dev/null 2>&1 || {
				cat /tmp/load.out >/tmp/load.failed 2>/dev/null
				echo "fio run $s failed" >>/tmp/load.failed
				break
			}
			echo $s >/tmp/load.runs
			s=$((s + 1))
		done
	) &
	loadpid=$!
}

# load_stop WHAT: stop the load; fails when a fio verify failed or none ran.
load_stop() {
	touch /tmp/load.stop
	wait "$loadpid" || true
	[ ! -e /tmp/load.failed ] || { cat /tmp/load.failed; fail "fio verify failed during $1"; }
	[ "$(cat /tmp/load.runs)" -gt 0 ] || fail "no fio verify run completed during $1"
}
