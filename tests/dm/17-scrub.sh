# smoke: no
# check and repair (Documentation/dm-vdsplex.rst, "Check and repair"): a
# scrub compares the in-sync plexes
# region by region; mismatch_cnt counts the regions that differ, regions
# recorded as discarded are skipped; repair rewrites them from the source;
# a read error met by the scrub is repaired in place.  Foreign writes to a
# plex (behind the target's back) stand in for silent corruption.
l0=$(loop_file a 16)
l1=$(loop_file b 16)
l2=$(loop_file c 16)
meta=$(loop_file m 4)
len=32768 # 16 MiB, 256 regions of 64 KiB
dmsetup create d --table "0 $len dust $l2 0 512"
T="0 $len vdsplex $meta 128 3 $l0 0 $l1 0 /dev/mapper/d 0"
dmsetup create v --table "$T 1 nosync"
# the data written, kept to check the repair's direction against
dd if=/dev/urandom of=/tmp/sdata bs=1M count=16 status=none
dd if=/tmp/sdata of=/dev/mapper/v bs=1M oflag=direct status=none

# a clean volume: no mismatch; the message returns once status shows it
dmsetup message v 0 resync_rate 64
dmsetup message v 0 check
expect_eq "$(status_field v 4) $(status_field v 5)" "check 0" "right after check"
expect_msg_fails v check
expect_msg_fails v repair
dmsetup message v 0 resync_rate adaptive
wait_idle v
expect_eq "$(status_field v 3) $(status_field v 5)" "256/256 0" "check of equal plexes"

# corrupt plex 1 in regions 5 (twice), 40 and 100, plex 2 in region 100 and
# in region 60, which is then wholly discarded through the volume (skipped)
blkdiscard -o $((60 * 65536)) -l 65536 /dev/mapper/v
corrupt() { # DEV REGION OFFSET_IN_REGION_KIB
	dd if=/dev/urandom of="$1" bs=4k seek=$(($2 * 16 + $3 / 4)) count=1 \
		oflag=direct conv=notrunc status=none
}
corrupt "$l1" 5 0
corrupt "$l1" 5 32
corrupt "$l1" 40 60
corrupt "$l1" 100 4
corrupt "$l2" 100 8
corrupt "$l2" 60 0
dmsetup message v 0 check
wait_idle v
expect_eq "$(status_field v 5)" 3 "regions found different by check (5, 40, 100; 60 discarded)"
expect_eq "$(health v)" AAA "health after check"
cmp -s -n 65536 -i $((5 * 65536)):$((5 * 65536)) "$l0" "$l1" &&
	fail "check changed a plex (region 5 of plex 1 equals the source)"

# repair under fio verify load on the upper half of the volume
fio_verify /dev/mapper/v 6 --offset=10M --time_based --runtime=20 \
	--verify_backlog=64 --rate_iops=200 &
fio_pid=$!
sleep 2
dmsetup message v 0 repair
expect_eq "$(status_field v 4)" repair "action right after repair"
wait_idle v
expect_eq "$(status_field v 5)" 3 "regions repaired"
wait $fio_pid || fail "fio verify during repair"
# the repair copied from the source, not from a corrupt plex: every plex
# holds what was written in the regions that differed
blockdev --flushbufs "$l0" "$l1" /dev/mapper/d
for r in 5 40 100; do
	for p in "$l0" "$l1" /dev/mapper/d; do
		cmp -s -n 65536 -i $((r * 65536)):$((r * 65536)) /tmp/sdata "$p" ||
			fail "after repair, region $r of $p differs from the data written"
	done
done
# the discarded region is written again: a write ends the mark
dd if=/dev/urandom of=/dev/mapper/v bs=64k seek=60 count=1 oflag=direct status=none
dmsetup message v 0 check
wait_idle v
expect_eq "$(status_field v 5)" 0 "check after repair"
plexes_equal $len "$l0:0" "$l1:0" "$l2:0"

# a bad block on plex 2: the check reads it from the source and rewrites it
dmsetup message d 0 addbadblock 2000
dmsetup message d 0 enable
dmsetup message v 0 check
wait_idle v
expect_eq "$(status_field v 5) $(health v)" "0 AAA" "check over a bad block"
expect_eq "$(dmsetup message d 0 countbadblocks)" "countbadblocks: 0 badblock(s) found" \
	"dust's bad blocks after the check"
"$IOCTL" plexes /dev/mapper/v | grep "index=2 " | grep -q "read_errors=1 " ||
	fail "plex 2's read errors: $("$IOCTL" plexes /dev/mapper/v)"

# refused: a plex to resync, or a single in-sync plex
dmsetup message v 0 resync_rate 1
dmsetup message v 0 fail_plex 2
dd if=/dev/urandom of=/dev/mapper/v bs=64k seek=7 count=2 oflag=direct status=none
dmsetup message v 0 readd_plex 2
expect_eq "$(health v)" AAa "health during the readd"
expect_msg_fails v check
dmsetup message v 0 resync_rate adaptive
wait_idle v
dmsetup message v 0 fail_plex 1
dmsetup message v 0 fail_plex 2
expect_msg_fails v check
dmesg | tail -n 5 | grep -q "check: needs two in-sync plexes" ||
	fail "kernel log lacks the reason check was refused"
