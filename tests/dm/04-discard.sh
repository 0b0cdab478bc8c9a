# smoke: yes
# kernels: stock-6.12 stock-6.1
# DISCARD and WRITE_ZEROES reach every plex; a volume offers them only when
# every plex does.
l0=$(loop_file a 32)
l1=$(loop_file b 32)
dmsetup create v --table "0 65536 vdsplex - 8 2 $l0 0 $l1 0 1 nosync"
q=$(queue_of /dev/mapper/v)
[ "$(cat $q/discard_max_bytes)" -gt 0 ] || fail "volume on discard-capable plexes does not offer discard"
[ "$(cat $q/write_zeroes_max_bytes)" -gt 0 ] || fail "volume on write-zeroes-capable plexes does not offer write zeroes"
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=32 oflag=direct status=none
blkdiscard -o 0 -l $((8 << 20)) /dev/mapper/v
# Loop on tmpfs advertises WRITE_ZEROES but refuses it with REQ_NOUNMAP
# (no FALLOC_FL_ZERO_RANGE): that is no failed plex, zero pages go instead.
blkdiscard -z -o $((8 << 20)) -l $((8 << 20)) /dev/mapper/v
expect_eq "$(health v)" AA "health after WRITE_ZEROES with NOUNMAP"
for d in "$l0" "$l1"; do
	cmp -n $((16 << 20)) /dev/zero "$d" || fail "discard or write zeroes did not reach $d"
done
plexes_equal 65536 "$l0:0" "$l1:0"
cmp -n $((16 << 20)) -i 0:$((16 << 20)) /dev/zero "$l0" >/dev/null 2>&1 &&
	fail "the data after the discarded range is gone"

# One plex refuses WRITE_ZEROES (loop on tmpfs), the other does it (loop on
# ext4, which has FALLOC_FL_ZERO_RANGE): the first gets zero pages, neither
# fails.
vm_modprobe ext4 2>/dev/null || true
e=$(loop_file ext 48)
mkfs.ext4 -q "$e"
mkdir -p /tmp/ext
mount "$e" /tmp/ext
truncate -s 32M /tmp/ext/plex.img
l2=$(losetup --show -f /tmp/ext/plex.img)
l3=$(loop_file c 32)
dmsetup create z --table "0 65536 vdsplex - 8 2 $l3 0 $l2 0 1 nosync"
dd if=/dev/urandom of=/dev/mapper/z bs=1M count=8 oflag=direct status=none
blkdiscard -z -o $((1 << 20)) -l $((4 << 20)) /dev/mapper/z
expect_eq "$(health z)" AA "health after WRITE_ZEROES one plex refused"
for d in "$l3" "$l2"; do
	cmp -n $((4 << 20)) -i $((1 << 20)):0 "$d" /dev/zero || fail "no zeroes on $d"
done
plexes_equal 65536 "$l3:0" "$l2:0"
dmsetup remove z
losetup -d "$l2"
umount /tmp/ext

# A plex attached at run time without WRITE_ZEROES (brd) gets zero pages.
brd_load 1 32
expect_eq "$(cat "$(queue_of /dev/ram0)"/write_zeroes_max_bytes)" 0 "brd's write zeroes"
dmsetup message v 0 add_plex /dev/ram0
wait_idle v
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=4 seek=16 oflag=direct status=none
blkdiscard -z -o $((16 << 20)) -l $((4 << 20)) /dev/mapper/v
expect_eq "$(health v)" AAA "health after WRITE_ZEROES reached a plex lacking it"
blockdev --flushbufs /dev/ram0
cmp -n $((4 << 20)) -i 0:$((16 << 20)) /dev/zero /dev/ram0 ||
	fail "no zero pages on the plex lacking WRITE_ZEROES"
plexes_equal 65536 "$l0:0" "$l1:0" /dev/ram0:0
dmsetup remove v

# null_blk without memory backing has no discard: neither has the volume.
vm_modprobe null_blk nr_devices=1 gb=1
[ "$(cat /sys/block/nullb0/queue/discard_max_bytes)" = 0 ] || fail "null_blk unexpectedly has discard"
dmsetup create n --table "0 65536 vdsplex - 8 2 $l0 0 /dev/nullb0 0 1 nosync"
expect_eq "$(cat "$(queue_of /dev/mapper/n)"/discard_max_bytes)" 0 "discard on a volume with a plex lacking it"
