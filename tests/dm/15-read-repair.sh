# smoke: no
# Read errors (Documentation/dm-vdsplex.rst, "Errors"; md's fix_read_error):
# a bad range on one plex (dm-dust) is read from another plex, the region is
# rewritten on the failing plex from the source (the write heals dust's bad
# blocks), and the plex stays in service; past 20 read errors the plex
# fails, and reads still succeed from the other plex.
brd_load 2 16
len=32768 # 16 MiB, 256 regions of 64 KiB
dmsetup create d --table "0 $len dust /dev/ram1 0 512"
# plex 1 (the dust) is the source: plex 0 is write_mostly, reads go primary
dmsetup create v --table "0 $len vdsplex - 128 2 /dev/ram0 0 /dev/mapper/d 0 5 nosync write_mostly 0 read_policy primary"
dd if=/dev/urandom of=/tmp/data bs=1M count=16 status=none
dd if=/tmp/data of=/dev/mapper/v bs=1M oflag=direct status=none
dmsetup message d 0 addbadblock 1000
dmsetup message d 0 addbadblock 1001
dmsetup message d 0 enable
dd if=/dev/mapper/v of=/tmp/back bs=1M iflag=direct status=none || fail "read with a bad range failed"
cmp /tmp/back /tmp/data || fail "read with a bad range returned wrong data"
wait_idle v
expect_eq "$(health v)" AA "health after the repair"
expect_eq "$(status_field v 8)" 1 "regions rewritten by the repair"
n=$(dmsetup message d 0 countbadblocks)
expect_eq "$n" "countbadblocks: 0 badblock(s) found" "dust's bad blocks after the repair"
out=$("$IOCTL" plexes /dev/mapper/v)
echo "$out"
echo "$out" | grep "index=1 " | grep -q "read_errors=1 " || fail "plex 1's read errors: $out"
# reads of the repaired range come from the source plex again, correct
dd if=/dev/mapper/v of=/tmp/back bs=1M iflag=direct status=none
cmp /tmp/back /tmp/data || fail "read after the repair returned wrong data"

# 25 more bad regions: past 20 read errors the plex fails
for i in $(seq 0 24); do dmsetup message d 0 addbadblock $((4096 + 128 * i)); done
dd if=/dev/mapper/v of=/tmp/back bs=1M iflag=direct status=none || fail "read with a failing plex failed"
cmp /tmp/back /tmp/data || fail "read with a failing plex returned wrong data"
expect_eq "$(health v)" AD "health after too many read errors"
