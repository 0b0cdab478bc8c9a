# shellcheck shell=bash
# Fault scenarios run unchanged against three mirrors (issue 7;
# Documentation/dm-vdsplex.rst, "Fault comparison"): vdsplex, dm "mirror"
# (disk log; without handle_errors, which holds every failed write until
# dmeventd reconfigures the mirror, and there is no dmeventd here) and dm
# "raid raid1" (with metadata devices, so md's bitmap is on).  Every leg is
# a dm device of its own (fl0..fl3) whose table the scenario swaps to inject
# a fault: dm "error", dm "delay" with an error device for writes, dm "dust".
#
# A scenario records what it saw with fx_result KEY VALUE; with
# FX_TARGET=vdsplex and FX_STRICT=1 (tests/dm/18-faults.sh) fx_expect turns
# the expected outcome into a check that fails the test.  tests/faults/run
# collects the results of all three into a markdown table.
#
# Sourced after tests/lib.sh, inside a scripts/vm guest.

FX_LEN=32768	# 16 MiB per leg
FX_REGION=128	# 64 KiB regions: 256 of them
FX_LEGS=4
FX_RESULTS=${FX_RESULTS:-/tmp/fx-results}

# fx_table DEV TABLE: swap DEV's table (a fault appears or goes away).
fx_table() {
	dmsetup suspend "$1"
	dmsetup load "$1" --table "$2"
	dmsetup resume "$1"
}

fx_linear() { echo "0 $FX_LEN linear /dev/ram$1 0"; }

# fx_setup: ram disks 0..3 for the legs, 4 for the vdsplex metadata or the
# mirror log, 5 for dm-raid's metadata devices; fl0..fl3 over them, and an
# error device for dm-delay's writes.
fx_setup() {
	local i
	for m in dm-mirror dm-log dm-raid dm-delay dm-dust raid1; do
		vm_modprobe "$m" 2>/dev/null || true
	done
	brd_load 6 16
	for i in $(seq 0 $((FX_LEGS - 1))); do
		dmsetup create fl$i --table "$(fx_linear $i)"
		dmsetup create rmeta$i --table "0 4096 linear /dev/ram5 $((i * 4096))"
	done
	dmsetup create flog --table "0 8192 linear /dev/ram4 0"
	dmsetup create ferr --table "0 $FX_LEN error"
	mkdir -p "$FX_RESULTS"
}

# fx_create N [rebuild IDX]...: the mirror "m" of FX_TARGET over fl0..flN-1,
# all legs in sync, or the legs given to "rebuild" to be resynced.
fx_create() {
	local n=$1 i legs="" t rb="" rbl=()
	shift
	while [ $# -gt 0 ]; do
		rbl+=("$2")
		shift 2
	done
	case $FX_TARGET in
	vdsplex)
		for i in $(seq 0 $((n - 1))); do legs+=" /dev/mapper/fl$i 0"; done
		if [ ${#rbl[@]} = 0 ]; then
			rb="1 nosync"
		else
			# the other legs are trusted, as after an AddPlex
			rb="$((1 + 2 * ${#rbl[@]})) nosync"
			for i in "${rbl[@]}"; do rb+=" rebuild $i"; done
		fi
		t="vdsplex /dev/mapper/flog $FX_REGION $n$legs $rb"
		;;
	mirror)
		# dm mirror cannot rebuild one leg: without nosync every leg but
		# the first is resynced
		for i in $(seq 0 $((n - 1))); do legs+=" /dev/mapper/fl$i 0"; done
		if [ ${#rbl[@]} = 0 ]; then
			t="mirror disk 3 /dev/mapper/flog $FX_REGION nosync $n$legs"
		else
			t="mirror disk 2 /dev/mapper/flog $FX_REGION $n$legs"
		fi
		;;
	raid1)
		for i in $(seq 0 $((n - 1))); do legs+=" /dev/mapper/rmeta$i /dev/mapper/fl$i"; done
		if [ ${#rbl[@]} = 0 ]; then
			rb="4 0 region_size $FX_REGION nosync"
		else
			rb="$((3 + 2 * ${#rbl[@]})) 0 region_size $FX_REGION"
			for i in "${rbl[@]}"; do rb+=" rebuild $i"; done
		fi
		# fresh metadata each time: dm-raid trusts a superblock it finds
		for i in $(seq 0 $((n - 1))); do
			dd if=/dev/zero of=/dev/mapper/rmeta$i bs=1M count=2 oflag=direct status=none
		done
		t="raid raid1 $rb $n$legs"
		;;
	*) fail "unknown FX_TARGET '$FX_TARGET'" ;;
	esac
	if [ "$FX_TARGET" != raid1 ]; then
		dd if=/dev/zero of=/dev/mapper/flog bs=1M count=4 oflag=direct status=none
	fi
	echo "$t" >/tmp/fx-table
	dmsetup create m --table "0 $FX_LEN $t"
}

# fx_health: one character per leg (A alive, D dead, a/S resyncing; dm
# mirror and dm raid use the same letters).
fx_health() {
	local s n
	s=$(dmsetup status m)
	set -- $s
	case $FX_TARGET in
	vdsplex) echo "$5" ;;
	mirror)
		n=$4
		shift $((4 + n + 2))
		echo "$1"
		;;
	raid1) echo "$6" ;;
	esac
}

# fx_synced: "synced/total" of the mirror's status.
fx_synced() {
	local s
	s=$(dmsetup status m)
	set -- $s
	case $FX_TARGET in
	vdsplex) echo "$6" ;;
	mirror) shift $((4 + $4)); echo "$1" ;;
	raid1) echo "$7" ;;
	esac
}

# fx_action: the sync action (dm mirror has none: "idle").
fx_action() {
	local s
	s=$(dmsetup status m)
	set -- $s
	case $FX_TARGET in
	vdsplex) echo "$7" ;;
	mirror) echo idle ;;
	raid1) echo "$8" ;;
	esac
}

# fx_wait_sync [SECONDS]: until no leg is resyncing, or SECONDS passed;
# prints nothing, returns 1 on the timeout.
fx_wait_sync() {
	local t=${1:-300} s h
	while [ "$t" -gt 0 ]; do
		s=$(fx_synced)
		h=$(fx_health)
		case "$h" in
		*[aS]*) ;;
		*)
			[ "${s%/*}" = "${s#*/}" ] && [ "$(fx_action)" = idle ] &&
				return 0
			;;
		esac
		sleep 1
		t=$((t - 1))
	done
	return 1
}

# fx_fio_start MiB [ARGS]: random 4k writes with crc32c checksums through m,
# slow enough (400 IOPS) that a fault lands in the middle; then verified.
fx_fio_start() {
	local size=$1
	shift
	fio --name=fx --filename=/dev/mapper/m --size="${size}M" --rw=randwrite \
		--bs=4k --iodepth=8 --ioengine=libaio --direct=1 --rate_iops=400 \
		--verify=crc32c --do_verify=1 --randseed=77 \
		--output=/tmp/fx-fio.out "$@" 2>/tmp/fx-fio.err &
	FX_FIO=$!
}

# fx_fio_end: wait for fio (so not in a subshell: fio is this shell's
# child); FX_DATA="ok", "io-errors" or "verify-failed".
fx_fio_end() {
	local t=${FX_HANG:-120}
	while kill -0 "$FX_FIO" 2>/dev/null && [ "$t" -gt 0 ]; do
		sleep 1
		t=$((t - 1))
	done
	if kill -0 "$FX_FIO" 2>/dev/null; then
		# writes hang: a suspend ends what the mirror holds back
		FX_DATA=hung
		timeout 60 dmsetup suspend m || true
		dmsetup resume m || true
		kill -9 "$FX_FIO" 2>/dev/null || true
		t=30
		while kill -0 "$FX_FIO" 2>/dev/null && [ "$t" -gt 0 ]; do
			sleep 1
			t=$((t - 1))
		done
		return
	fi
	if wait "$FX_FIO"; then
		FX_DATA=ok
	elif cat /tmp/fx-fio.out /tmp/fx-fio.err 2>/dev/null | grep -qi 'verify\|crc32c'; then
		FX_DATA=verify-failed
	else
		FX_DATA=io-errors
	fi
	cat /tmp/fx-fio.err >&2 2>/dev/null || true
}

# fx_cmp LEG...: "equal" when the legs hold the same 16 MiB.  The mirror
# wrote the legs underneath their page caches: those are dropped first, or
# cmp could read what a leg held before.
fx_cmp() {
	local first=/dev/mapper/fl$1 l
	blockdev --flushbufs "$first"
	shift
	for l in "$@"; do
		blockdev --flushbufs /dev/mapper/fl"$l"
		cmp -s -n $((FX_LEN * 512)) "$first" /dev/mapper/fl"$l" || {
			echo differ
			return
		}
	done
	echo equal
}

# fx_written LEG: sectors written to the leg so far.
fx_written() {
	local s
	s=$(cat /sys/dev/block/"$(devno /dev/mapper/fl"$1")"/stat)
	set -- $s
	echo "$7"
}

# fx_result KEY VALUE: record one outcome of the running scenario.
fx_result() {
	echo "$1=$2" >>"$FX_RESULTS/$FX_SCENARIO.$FX_TARGET"
	echo "RESULT $FX_SCENARIO $FX_TARGET $1=$2"
}

# fx_expect KEY GOT WANT: record GOT; under FX_STRICT, vdsplex must give WANT.
fx_expect() {
	fx_result "$1" "$2"
	if [ "${FX_STRICT:-0}" = 1 ] && [ "$FX_TARGET" = vdsplex ]; then
		expect_eq "$2" "$3" "$FX_SCENARIO: $1"
	fi
}

# fx_msg MESSAGE...: a dmsetup message to m; "refused" when it fails.
fx_msg() {
	dmsetup message m 0 "$@" 2>/dev/null && echo done || echo refused
}

# Scenarios.  Each starts from fx_setup's devices and leaves cleanup to the
# caller (cleanup_all).

# A leg swapped to dm "error" during writes.
fx_leg_error() {
	fx_create 3
	fx_fio_start 8
	sleep 2
	fx_table fl2 "0 $FX_LEN error"
	fx_fio_end
	fx_expect data "$FX_DATA" ok
	fx_expect health "$(fx_health)" AAD
	fx_expect survivors "$(fx_cmp 0 1)" equal
}

# Writes fail, reads work (dm delay with the error device for writes).
fx_write_errors() {
	fx_create 3
	fx_fio_start 8
	sleep 2
	fx_table fl2 "0 $FX_LEN delay /dev/ram2 0 0 /dev/mapper/ferr 0 0"
	fx_fio_end
	fx_expect data "$FX_DATA" ok
	fx_expect health "$(fx_health)" AAD
	fx_expect survivors "$(fx_cmp 0 1)" equal
}

# A bad range on the first leg (dm dust): read from another leg and repaired.
fx_bad_range() {
	local n
	fx_create 2
	dd if=/dev/urandom of=/tmp/fx-data bs=1M count=16 status=none
	dd if=/tmp/fx-data of=/dev/mapper/m bs=1M oflag=direct status=none
	# every read goes to the first leg where the target lets one choose
	[ "$FX_TARGET" != vdsplex ] || dmsetup message m 0 read_policy primary
	fx_table fl0 "0 $FX_LEN dust /dev/ram0 0 512"
	for n in 3000 3001 3002 9000; do dmsetup message fl0 0 addbadblock $n; done
	dmsetup message fl0 0 enable
	if dd if=/dev/mapper/m of=/tmp/fx-back bs=1M iflag=direct status=none &&
		cmp -s /tmp/fx-back /tmp/fx-data; then
		fx_expect read ok ok
	else
		fx_expect read failed ok
	fi
	fx_wait_sync 60 || true
	n=$(dmsetup message fl0 0 countbadblocks | grep -o '[0-9]*' | head -n 1)
	fx_expect bad-blocks-left "$n" 0
	fx_expect health "$(fx_health)" AA
	dmsetup message fl0 0 disable
	fx_expect legs "$(fx_cmp 0 1)" equal
}

# Two of four legs die, at different times, under writes.
fx_two_of_four() {
	fx_create 4
	fx_fio_start 8
	sleep 1
	fx_table fl1 "0 $FX_LEN error"
	sleep 2
	fx_table fl3 "0 $FX_LEN error"
	fx_fio_end
	fx_expect data "$FX_DATA" ok
	fx_expect health "$(fx_health)" ADAD
	fx_expect survivors "$(fx_cmp 0 2)" equal
}

# A new leg being resynced fails: the volume keeps its in-sync leg.  The new
# leg is slowed (20 ms per write) so the fault lands mid-resync.
fx_addplex_target_fails() {
	dd if=/dev/urandom of=/dev/mapper/fl0 bs=1M count=16 oflag=direct status=none
	fx_table fl1 "0 $FX_LEN delay /dev/ram1 0 20"
	fx_create 2 rebuild 1
	fx_fio_start 4
	sleep 3
	# the fault must land mid-resync: the new leg still recovering
	fx_expect during "$(fx_health)" Aa
	fx_table fl1 "0 $FX_LEN error"
	fx_fio_end
	fx_expect data "$FX_DATA" ok
	fx_wait_sync 120 || true
	fx_expect health "$(fx_health)" AD
}

# The source fails while two other legs are resynced from it... for vdsplex
# and dm raid one leg is new and one in sync, so the resync moves over.
fx_addplex_source_fails() {
	local h
	dd if=/dev/urandom of=/dev/mapper/fl0 bs=1M count=16 oflag=direct status=none
	dd if=/dev/mapper/fl0 of=/dev/mapper/fl1 bs=1M oflag=direct status=none
	fx_table fl2 "0 $FX_LEN delay /dev/ram2 0 20"
	fx_create 3 rebuild 2
	fx_fio_start 4
	sleep 3
	# the fault must land mid-resync: the new leg still recovering
	fx_expect during "$(fx_health)" AAa
	fx_table fl0 "0 $FX_LEN error"
	fx_fio_end
	fx_expect data "$FX_DATA" ok
	fx_table fl2 "$(fx_linear 2)"
	fx_wait_sync 180 || true
	h=$(fx_health)
	fx_expect health "$h" DAA
	case "$h" in
	?AA) fx_expect new-leg "$(fx_cmp 1 2)" equal ;;
	*) fx_result new-leg "not-in-sync" ;;
	esac
}

# A transient failure: the leg errors, 6 regions are written meanwhile, the
# leg comes back and is re-added; what moved to it is measured.
fx_transient_readd() {
	local before r readd
	fx_create 2
	dd if=/dev/urandom of=/dev/mapper/m bs=1M count=16 oflag=direct status=none
	fx_table fl1 "0 $FX_LEN error"
	for r in 10 11 50 51 52 200; do
		dd if=/dev/urandom of=/dev/mapper/m bs=4k seek=$((r * 16)) count=1 \
			oflag=direct conv=notrunc status=none
	done
	fx_result dead "$(fx_health)"
	fx_table fl1 "$(fx_linear 1)"
	before=$(fx_written 1)
	case $FX_TARGET in
	vdsplex) readd=$(fx_msg readd_plex 1) ;;
	raid1)
		# dm-raid revives failed legs on resume
		dmsetup suspend m && dmsetup resume m && readd=resume || readd=refused
		;;
	mirror)
		# dm mirror has no re-add: reload the same table
		dmsetup suspend m && dmsetup load m --table "0 $FX_LEN $(cat /tmp/fx-table)" &&
			dmsetup resume m && readd=reload || readd=refused
		;;
	esac
	fx_result readd "$readd"
	fx_wait_sync 300 || true
	fx_expect health "$(fx_health)" AA
	# 6 regions of 64 KiB = 768 sectors
	fx_expect resynced-KiB "$((($(fx_written 1) - before) / 2))" 384
	fx_expect legs "$(fx_cmp 0 1)" equal
}

# The metadata device (vdsplex's metadata, dm mirror's log, dm raid's
# metadata devices) fails while writes go on; then a suspend and resume.
fx_meta_error() {
	local i
	fx_create 2
	fx_fio_start 8
	sleep 2
	if [ "$FX_TARGET" = raid1 ]; then
		for i in 0 1; do fx_table rmeta$i "0 4096 error"; done
	else
		fx_table flog "0 8192 error"
	fi
	sleep 1
	fx_fio_end
	fx_expect data "$FX_DATA" ok
	fx_expect health "$(fx_health)" AA
	case $FX_TARGET in
	vdsplex) fx_expect metadata "$(status_field m 6)" fail ;;
	mirror) fx_result metadata "$(dmsetup status m | awk '{print $NF}')" ;;
	raid1) fx_result metadata "$(dmsetup status m | awk '{print $6}')" ;;
	esac
	# a commit with the metadata device failed: suspend, resume
	dmsetup suspend m 2>/dev/null || true
	if dmsetup resume m 2>/dev/null; then
		fx_expect resume-with-failed-metadata accepted refused
	else
		fx_expect resume-with-failed-metadata refused refused
		if [ "$FX_TARGET" = raid1 ]; then
			for i in 0 1; do fx_table rmeta$i "0 4096 linear /dev/ram5 $((i * 4096))"; done
		else
			fx_table flog "0 8192 linear /dev/ram4 0"
		fi
		dmsetup resume m 2>/dev/null || true
	fi
	if fio --name=fx --filename=/dev/mapper/m --size=8M --rw=randwrite \
		--bs=4k --iodepth=8 --ioengine=libaio --direct=1 \
		--verify=crc32c --verify_only --randseed=77 \
		--output=/tmp/fx-fio.out; then
		fx_expect data-after "ok" ok
	else
		fx_expect data-after "verify-failed" ok
	fi
	fx_expect legs "$(fx_cmp 0 1)" equal
}

# Silent corruption of one leg behind the mirror's back (3 regions); check
# counts it, repair fixes it, a second check is clean.
fx_check_repair() {
	local r
	fx_create 2
	# the data written, kept to check the repair's direction against
	dd if=/dev/urandom of=/tmp/fx-written bs=1M count=16 status=none
	dd if=/tmp/fx-written of=/dev/mapper/m bs=1M oflag=direct status=none
	for r in 5 40 100; do
		dd if=/dev/urandom of=/dev/mapper/fl1 bs=4k seek=$((r * 16 + 2)) count=1 \
			oflag=direct conv=notrunc status=none
	done
	case $FX_TARGET in
	vdsplex | raid1)
		fx_result check "$(fx_msg check)"
		sleep 1
		fx_wait_sync 300 || true
		fx_expect mismatch "$(fx_mismatch)" 3
		fx_result repair "$(fx_msg repair)"
		sleep 1
		fx_wait_sync 300 || true
		fx_msg check >/dev/null
		sleep 1
		fx_wait_sync 300 || true
		fx_expect mismatch-after-repair "$(fx_mismatch)" 0
		;;
	mirror) fx_result check "not-supported" ;;
	esac
	fx_expect legs "$(fx_cmp 0 1)" equal
	# the repair copied from leg 0, not from the corrupted leg 1
	blockdev --flushbufs /dev/mapper/fl0
	if cmp -s -n $((16 << 20)) /tmp/fx-written /dev/mapper/fl0; then
		fx_expect leg0 written written
	else
		fx_expect leg0 changed written
	fi
}

# fx_mismatch: the mismatch count of the last check (dm raid counts sectors).
fx_mismatch() {
	case $FX_TARGET in
	vdsplex) status_field m 5 ;;
	raid1) dmsetup status m | awk '{print $9}' ;;
	esac
}

FX_SCENARIOS="leg_error write_errors bad_range two_of_four addplex_target_fails
addplex_source_fails transient_readd meta_error check_repair"

# fx_run SCENARIO: one scenario against FX_TARGET, from fresh devices.
fx_run() {
	FX_SCENARIO=$1
	rm -f "$FX_RESULTS/$FX_SCENARIO.$FX_TARGET"
	fx_setup
	"fx_$FX_SCENARIO"
}
