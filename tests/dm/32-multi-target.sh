# kernels: debug
# A vdsplex target that does not start at sector 0 of its table (issue:
# failure paths, F8).  DM gives the empty flush of an fsync the original
# bio's sector (0 here), which is before the target: a failed flush must
# not be taken for a write to a region computed from it (the region index
# wrapped, and __vdsplex_region_missed cleared a bit far outside the
# bitmap: KASAN wild-memory-access, then a panic in softirq).
l0=$(loop_file a 16)
l1=$(loop_file b 16)
l2=$(loop_file c 1)
# plex 0 fails every write: dm-flakey, down all the time
dmsetup create bad --table "0 32768 flakey $l0 0 0 1 1 error_writes"
dmsetup create v --table "0 8 linear $l2 0
8 32768 vdsplex - 8 2 /dev/mapper/bad 0 $l1 0 1 nosync"
# first I/O: an fsync of the device (an empty flush, sector 0)
python3 -c 'import os; fd = os.open("/dev/mapper/v", os.O_RDWR); os.fsync(fd); os.close(fd)'
h=$(dmsetup status v | sed -n 2p | cut -d' ' -f5)
echo "after the fsync: health $h"
# then a write to the vdsplex part, and another fsync
dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=2 count=16 oflag=direct status=none
python3 -c 'import os; fd = os.open("/dev/mapper/v", os.O_RDWR); os.fsync(fd); os.close(fd)'
h=$(dmsetup status v | sed -n 2p | cut -d' ' -f5)
expect_eq "$h" DA "health of the vdsplex target after failed writes and flushes"
blockdev --flushbufs "$l1"
# device byte 8 KiB is the target's (and the plex's) byte 4 KiB
cmp -n $((64 << 10)) -i $((8 << 10)):$((4 << 10)) /dev/mapper/v "$l1" ||
	fail "the written data is not on the surviving plex"
dmsetup remove v
dmsetup remove bad
echo "multi-target table: failed flushes and writes handled, health $h"
