# kernels: debug
# Read errors beside a resync.  (1) One bad sector on the resync's source:
# another in-sync plex takes over as the source and the old source goes out
# of sync in that region only, so the resync rewrites it there (which heals
# dm-dust's bad block) and every plex ends in sync; before, one read error
# failed the whole source.  (2) read_policy primary with the source the
# only in-sync plex and a recovering plex that already holds the region: a
# read that fails on the source is retried on the recovering plex; before,
# the retry chose the source again, 32 times, and the read failed.
brd_load 3 16
len=32768 # 16 MiB, 256 regions of 64 KiB
dd if=/dev/urandom of=/tmp/data bs=1M count=16 status=none

# (1) the source reads sector 1000 (region 7) with an error
dmsetup create d --table "0 $len dust /dev/ram0 0 512"
dmsetup create v --table "0 $len vdsplex - 128 2 /dev/mapper/d 0 /dev/ram1 0 1 nosync"
dd if=/tmp/data of=/dev/mapper/v bs=1M oflag=direct status=none
dmsetup message d 0 addbadblock 1000
dmsetup message d 0 enable
dmsetup message v 0 add_plex /dev/ram2
wait_idle v 300
echo "status after the resync: $(dmsetup status v)"
expect_eq "$(health v)" AAA "health after a read error on the resync's source"
expect_eq "$(dmsetup message d 0 countbadblocks)" "countbadblocks: 0 badblock(s) found" \
	"dust's bad blocks once the region was rewritten on the old source"
out=$("$IOCTL" plexes /dev/mapper/v)
echo "$out"
echo "$out" | grep "index=0 " | grep -q "read_errors=1 " || fail "plex 0's read errors: $out"
plexes_equal $len /dev/mapper/d:0 /dev/ram1:0 /dev/ram2:0
dd if=/dev/mapper/v of=/tmp/back bs=1M iflag=direct status=none
cmp /tmp/back /tmp/data || fail "the volume's data after the resync"
dmsetup remove v
dmsetup remove d

# (2) one in-sync plex (the source, behind dust), a new plex copied up to
# some regions, paused; region 0 then reads with an error on the source
dmsetup create d --table "0 $len dust /dev/ram0 0 512"
dmsetup create v --table "0 $len vdsplex - 128 1 /dev/mapper/d 0 2 read_policy primary"
dd if=/tmp/data of=/dev/mapper/v bs=1M oflag=direct status=none
dmsetup message v 0 resync_rate 256
dmsetup message v 0 add_plex /dev/ram1
for i in $(seq 100); do
	[ "$(status_field v 8)" -ge 2 ] && break
	sleep 0.2
done
dmsetup message v 0 pause_resync
r=$(status_field v 8)
[ "$r" -ge 2 ] && [ "$r" -lt 256 ] || fail "regions copied before the pause: $r"
expect_eq "$(health v)" Aa "health with the copy paused"
dmsetup message d 0 addbadblock 3
dmsetup message d 0 enable
dd if=/dev/mapper/v of=/tmp/back bs=4k count=1 iflag=direct status=none ||
	fail "a read of region 0 failed on the source although the recovering plex holds it"
head -c 4096 /tmp/data >/tmp/want
cmp /tmp/back /tmp/want || fail "the retried read returned wrong data"
echo "status after the read: $(dmsetup status v)"
expect_eq "$(health v)" Aa "health after the read error (the last in-sync plex stays)"
dmsetup message d 0 disable
dmsetup message v 0 resume_resync
dmsetup message v 0 resync_rate adaptive
wait_idle v 300
plexes_equal $len /dev/mapper/d:0 /dev/ram1:0
