# smoke: no
# kernels: stock-6.12
# long-kernels: debug
# Crash recovery without a reboot (Documentation/dm-vdsplex.rst, "Persistent
# state", after an unclean shutdown): the plexes and the metadata sit on
# dm-linear devices that are swapped to dm "error" at once, so the disks stop
# exactly where a power cut would leave them, torn write included.  The next
# activation resyncs only the regions the write-intent log holds (read back
# from the metadata device), from the source plex, and every write
# acknowledged before the cut is there.
brd_load 4 64
len=131072 # 64 regions of 1 MiB
for i in 0 1 2; do
	dmsetup create l$i --table "0 $(blockdev --getsz /dev/ram$i) linear /dev/ram$i 0"
done
T="0 $len vdsplex /dev/mapper/l2 2048 2 /dev/mapper/l0 0 /dev/mapper/l1 0"
dmsetup create v --table "$T 1 nosync"

# dirty_bits: the write-intent bits of regions 0..63 on the metadata device
# (block 2, after its 16-byte header), as region numbers.
dirty_bits() {
	local bytes i b r=0
	# direct: bufio writes under the device's page cache
	bytes=$(dd if=/dev/ram2 bs=4k skip=2 count=1 iflag=direct status=none |
		od -An -v -tu1 -j 16 -N 8)
	for b in $bytes; do
		for i in 0 1 2 3 4 5 6 7; do
			[ $(((b >> i) & 1)) = 0 ] || printf '%s ' $((r + i))
		done
		r=$((r + 8))
	done
}

# Everything written once; then the log empties lazily (one sweep finds a
# region idle, the next clears it).
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=64 oflag=direct status=none
for t in $(seq 40); do
	[ -z "$(dirty_bits)" ] && break
	sleep 1
done
expect_eq "$(dirty_bits)" "" "write-intent log after the writes went idle"

# The last writes before the cut: regions 5, 17 and 40; region 17 is torn
# (its new data reached plex 0 only: plex 1 gets other bytes behind the
# target's back).
for r in 5 17 40; do
	dd if=/dev/urandom of=/tmp/r$r bs=4k count=1 status=none
	dd if=/tmp/r$r of=/dev/mapper/v bs=4k seek=$((r * 256)) count=1 oflag=direct conv=notrunc status=none
done
dd if=/dev/urandom of=/dev/mapper/l1 bs=4k seek=$((17 * 256)) count=1 oflag=direct conv=notrunc status=none
expect_eq "$(dirty_bits)" "5 17 40 " "write-intent log right after the writes"

# swap DEV TARGET: dm-linear l<DEV> over /dev/ram<DEV> becomes TARGET
# (error, or linear again)
swap() {
	local s=$(blockdev --getsz /dev/ram$1)
	dmsetup suspend l$1
	if [ "$2" = error ]; then
		dmsetup load l$1 --table "0 $s error"
	else
		dmsetup load l$1 --table "0 $s linear /dev/ram$1 0"
	fi
	dmsetup resume l$1
}

# The power cut.
dmsetup suspend l0 l1 l2
for i in 0 1 2; do
	dmsetup load l$i --table "0 $(blockdev --getsz /dev/ram$i) error"
done
dmsetup resume l0 l1 l2
# a write to a region whose bit is not set needs a commit, which fails:
# the metadata is failed and AddPlex refused (Documentation/ioctl.rst,
# "VDSPLEX_IOC_ADD_PLEX")
dd if=/dev/zero of=/dev/mapper/v bs=4k seek=$((60 * 256)) count=1 oflag=direct status=none 2>/dev/null || true
expect_eq "$(status_field v 6)" fail "metadata_state after the metadata device failed"
ioctl_expect VDS_E_VOLUME_NOT_ONLINE add /dev/mapper/v /dev/ram3
dmsetup remove v
dirty=$(dirty_bits)
for i in 0 1 2; do
	dmsetup load l$i --table "0 $(blockdev --getsz /dev/ram$i) linear /dev/ram$i 0"
	dmsetup resume l$i
done

# crawl LINE WHAT: reassemble with the resync at 1 KiB/s; the kernel log
# says LINE, the resync runs, and plex 1 stays in sync but for the dirty
# regions.
crawl() {
	dmsetup create v --table "$T 2 resync_rate 1"
	dmesg | tail -n 5 | grep -q "$1" ||
		fail "$2: the kernel log lacks '$1': $(dmesg | tail -n 3)"
	for t in $(seq 10); do [ "$(status_field v 4)" = resync ] && break; sleep 1; done
	expect_eq "$(status_field v 4) $(health v)" "resync AA" "action and health while resyncing ($2)"
}

# Reassembly: "resync" of the dirty regions only, from the source; at
# 1 KiB/s the torn region is not copied yet while it is read.
crawl "3 dirty regions to resync (unclean shutdown" "after the cut (dirty then: $dirty)"
for t in 1 2 3 4 5 6 7 8; do
	dd if=/dev/mapper/v of=/tmp/back bs=4k skip=$((17 * 256)) count=1 iflag=direct status=none
	cmp /tmp/back /tmp/r17 || fail "read $t of the dirty region 17 was not served by the source"
done
dmsetup message v 0 resync_rate 0
wait_idle v
set -- $(dmsetup status v)
expect_eq "$5 $7 ${11}" "AA idle 3" "health, action, regions resynced after the cut"
for r in 5 17 40; do
	dd if=/dev/mapper/v of=/tmp/back bs=4k skip=$((r * 256)) count=1 iflag=direct status=none
	cmp /tmp/back /tmp/r$r || fail "acknowledged write to region $r lost"
done
plexes_equal $len /dev/mapper/l0:0 /dev/mapper/l1:0
# a clean stop now resyncs nothing
dmsetup remove v
dmsetup create v --table "$T"
expect_eq "$(status_field v 8) $(status_field v 4) $(health v)" "0 idle AA" "after a clean stop"

# A second cut, then the source fails before the dirty regions are copied
# (Documentation/dm-vdsplex.rst, "After an unclean shutdown"): plex 1 was
# in sync in every other region and stays so, so writes go on and it holds
# the dirty regions from then on.
for r in 5 17 40; do
	dd if=/dev/urandom of=/tmp/s$r bs=4k count=1 status=none
	dd if=/tmp/s$r of=/dev/mapper/v bs=4k seek=$((r * 256)) count=1 oflag=direct conv=notrunc status=none
done
dmsetup suspend l0 l1 l2
for i in 0 1 2; do
	dmsetup load l$i --table "0 $(blockdev --getsz /dev/ram$i) error"
done
dmsetup resume l0 l1 l2
dmsetup remove v
for i in 0 1 2; do swap $i linear; done
dmsetup create v --table "$T 2 resync_rate 1"
# a clean stop in the middle of their resync keeps those not copied yet
# on disk (at 1 KiB/s, the first region is copied at once, the next ones
# wait)
for t in $(seq 10); do [ "$(status_field v 4)" = resync ] && break; sleep 1; done
dmsetup remove v
left=$(dirty_bits)
case "$left" in
"17 40 " | "40 " | "5 17 40 ") ;;
*) fail "a clean stop in the middle of the resync left the dirty regions '$left' (5, 17, 40 were dirty)" ;;
esac
crawl "$(echo $left | wc -w) dirty regions to resync (unclean shutdown, or a stop during their resync)" \
	"after the clean stop, with the dirty regions '$left' left"
swap 0 error
dd if=/dev/urandom of=/tmp/w17 bs=4k count=1 status=none
dd if=/tmp/w17 of=/dev/mapper/v bs=4k seek=$((17 * 256)) count=1 oflag=direct conv=notrunc status=none ||
	fail "a write to a dirty region failed once the source failed (health $(health v))"
dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=$((30 * 256)) count=1 oflag=direct conv=notrunc status=none ||
	fail "a write to a clean region failed once the source failed (health $(health v))"
expect_eq "$(health v)" DA "health after the source failed"
dd if=/dev/mapper/v of=/tmp/back bs=4k skip=$((17 * 256)) count=1 iflag=direct status=none ||
	fail "the dirty region 17 is unreadable once the source failed"
cmp /tmp/back /tmp/w17 || fail "the write to region 17 since the source failed is lost"
for r in 5 40; do
	dd if=/dev/mapper/v of=/tmp/back bs=4k skip=$((r * 256)) count=1 iflag=direct status=none ||
		fail "the dirty region $r is unreadable once the source failed"
	cmp /tmp/back /tmp/s$r || fail "acknowledged write to region $r lost"
done
dmsetup message v 0 resync_rate 0
wait_idle v
expect_eq "$(status_field v 4) $(health v)" "idle DA" "once plex 1 holds the dirty regions"
# and their write-intent bits go with the next sweeps
for t in $(seq 40); do
	[ -z "$(dirty_bits)" ] && break
	sleep 1
done
expect_eq "$(dirty_bits)" "" "write-intent log once the dirty regions are held"
swap 0 linear
dmsetup message v 0 readd_plex 0
wait_idle v
expect_eq "$(health v)" AA "health after readd_plex"
plexes_equal $len /dev/mapper/l0:0 /dev/mapper/l1:0
dmsetup remove v
